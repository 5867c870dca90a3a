//! Any answer to any method, through `Client::read_answer` (status mapping,
//! decoder, the checks on successes; no network). The first byte picks the
//! method, the status and which valid parameters were sent; the rest is the
//! body. The invariants are those of `answers_are_read_safely` in
//! core/tests/properties.rs.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use paynet_core::{Client, Config, ErrorKind, METHODS};
use serde_json::{Value, json};

static CLIENT: LazyLock<Client> = LazyLock::new(|| Client::new(Config::new("sck_fuzz_Q7w8e9r0t1y2u3i4").unwrap()).unwrap());

const STATUSES: &[u16] = &[200, 201, 204, 301, 307, 400, 401, 404, 429, 500, 502, 503];
const MONEY_MOVING: &[&str] = &["payments.create", "payments.charge", "payments.capture"];

/// Valid parameters for `method`; `variant` (0–2) changes how it names the
/// transaction (by reference, by id, by both), where it can.
fn params(method: &str, variant: usize) -> Value {
    match (method, variant) {
        ("payments.create", 1) => json!({
            "amount": "10.00", "reference_no": "ORD-1", "domain": "shop.example.com",
            "card": {"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "123", "holder_name": "TEST TEST"},
        }),
        ("payments.create", _) => json!({"amount": "10.00", "reference_no": "ORD-1", "domain": "shop.example.com", "card_hash": "ch_1"}),
        ("payments.charge", 1) => json!({"session_id": "ses_1", "token_id": "tok_1", "amount": "10"}),
        ("payments.charge", _) => json!({"session_id": "ses_1", "token_id": "tok_1", "amount": "10", "reference_no": "ORD-1"}),
        ("payments.capture", 0) => json!({"xact_id": "xk_1", "amount": "5"}),
        ("payments.capture", 1) => json!({"reference_no": "ORD-1"}),
        ("payments.capture", _) => json!({"xact_id": "xk_1", "reference_no": "ORD-1"}),
        ("transactions.check" | "transactions.lookup", 0) => json!({"reference_no": "ORD-1"}),
        ("transactions.check" | "transactions.lookup", 1) => json!({"xact_id": "xk_1"}),
        ("transactions.check" | "transactions.lookup", _) => json!({"xact_id": "xk_1", "reference_no": "ORD-1"}),
        ("reports.payment_list", _) => json!({"date": "2020-02-05"}),
        (other, _) => panic!("no valid parameters known for {other}: add them to fuzz_targets/answers.rs"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let first = usize::from(first);
    let method = METHODS[first % METHODS.len()];
    let status = STATUSES[first / METHODS.len() % STATUSES.len()];
    let params = params(method, first / (METHODS.len() * STATUSES.len()) % 3);
    let result = CLIENT.read_answer(method, params.clone(), status, body);

    let money = MONEY_MOVING.contains(&method);
    match &result {
        Ok(v) => {
            let not_found = method == "transactions.lookup" && v.is_null();
            // Paynet's "no data" (a 2xx, or a 404); never a 429 or a 5xx.
            let believed_not_found = not_found && status == 404;
            assert!((200..300).contains(&status) || believed_not_found, "HTTP {status} read as a success: {v}");
            if money {
                assert_eq!(v["is_succeed"], json!(true), "a success without is_succeed == true: {v}");
                let id = v["xact_id"].as_str().unwrap_or("");
                assert!(!id.trim().is_empty(), "a success without a non-empty xact_id: {v}");
            }
            let sent_reference = params["reference_no"].as_str();
            let asked_by_reference = match method {
                "transactions.check" => params.get("xact_id").is_none(),
                "reports.payment_list" => false,
                _ => true,
            };
            if let (true, Some(sent), Some(echoed)) = (asked_by_reference, sent_reference, v["reference_no"].as_str()) {
                assert_eq!(sent, echoed, "an answer about another reference_no accepted");
            }
            let asked_by_id = method == "transactions.check" || (method == "transactions.lookup" && sent_reference.is_none());
            if let (true, Some(asked), Some(got)) = (asked_by_id, params["xact_id"].as_str(), v["xact_id"].as_str()) {
                assert_eq!(asked, got, "an answer about another xact_id accepted");
            }
        }
        Err(e) => {
            let unsure = (300..400).contains(&status) || status >= 500 || status == 429;
            assert!(!(money && unsure) || e.kind == ErrorKind::UnknownOutcome, "HTTP {status} on {method} is {} ({e}), not unknown_outcome", e.kind);
            assert_ne!(e.kind, ErrorKind::Internal, "an internal error: {e}");
        }
    }
});
