//! Core against the sandbox over real HTTP on loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_core::wire::MoneyWire;
use paynet_core::{Client, Config, ErrorKind, RequestOptions, TransactionRecord, TransactionType};
use paynet_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const SUCCESS_CARD: &str = "4355084355084358";
const SLOW_CARD: &str = "4000000000000259";
const MALFORMED_CARD: &str = "4000000000000119";

async fn sandbox() -> Sandbox {
    Sandbox::start_with(SandboxConfig { slow_bank_delay: Duration::from_millis(1500), ..Default::default() })
        .await
        .expect("sandbox starts")
}

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

fn payment(reference_no: &str, pan: &str, amount: &str) -> Value {
    json!({
        "amount": amount,
        "reference_no": reference_no,
        "domain": "shop.example.com",
        "card": {"number": pan, "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"},
    })
}

async fn pay(client: &Client, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value("payments.create", params, &RequestOptions::default()).await
}

#[tokio::test]
async fn sale_succeeds_with_typed_amounts() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let tx = pay(&client, payment("SALE-1", SUCCESS_CARD, "150.75")).await.unwrap();
    assert_eq!(tx["is_succeed"], true);
    assert_eq!(tx["replayed"], false);
    assert_eq!(tx["amount"], "150.75");
    assert_eq!(tx["transaction_type"], "sale");
    assert_eq!(tx["bank_id"], "AXSS");
    assert_eq!(tx["card_no_masked"], "435508******4358");
    assert!(tx["xact_id"].as_str().unwrap().starts_with("xk_"));
    assert!(tx["authorization_code"].as_str().unwrap().starts_with("aut-"));
    let net: rust_decimal::Decimal = tx["net_amount"].as_str().unwrap().parse().unwrap();
    let commission: rust_decimal::Decimal = tx["commission"].as_str().unwrap().parse().unwrap();
    let tax: rust_decimal::Decimal = tx["commission_tax"].as_str().unwrap().parse().unwrap();
    assert_eq!(net + commission + tax, "150.75".parse().unwrap());
    assert_eq!(sb.stats().ledger_entries, 1);
}

/// The typed results: a success's `xact_id`, `xact_date` and `amount` are
/// plain values (no `Option`), and the sandbox sends them on every money-moving success.
#[tokio::test]
async fn a_success_carries_every_field_transaction_requires() {
    use paynet_core::endpoints::{capture::CaptureParams, check::CheckParams, payment::CreatePaymentParams};
    let sb = sandbox().await;
    let client = client_for(&sb);
    let opts = RequestOptions::default();
    let mut params = payment("TYPED-1", SUCCESS_CARD, "25.10");
    params["transaction_type"] = json!("pre_auth");
    let params: CreatePaymentParams = serde_json::from_value(params).unwrap();
    let hold = client.payments().create(&params, &opts).await.unwrap();
    assert!(hold.xact_id.starts_with("xk_"));
    assert_eq!(hold.amount, "25.10".parse().unwrap());
    assert!((chrono::Utc::now() - hold.xact_date.to_utc()).num_minutes().abs() < 5, "{}", hold.xact_date);
    let capture: CaptureParams = serde_json::from_value(json!({"xact_id": hold.xact_id, "amount": "20"})).unwrap();
    let captured = client.payments().capture(&capture, &opts).await.unwrap();
    assert_eq!((captured.amount, captured.transaction_type), ("20".parse().unwrap(), Some(TransactionType::Capture)));
    assert!(captured.xact_id.starts_with("xk_"));
    // A check row is Paynet's record: the same fields, optional.
    let check: CheckParams = serde_json::from_value(json!({"reference_no": "TYPED-1"})).unwrap();
    let row: TransactionRecord = client.transactions().check(&check, &opts).await.unwrap();
    assert_eq!(row.xact_id.as_deref(), Some(hold.xact_id.as_str()));
}

#[tokio::test]
async fn every_decline_card_raises_card_declined_with_the_transaction() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    for (pan, bank_code) in [("4000000000009995", "51"), ("4000000000000002", "05"), ("4000000000000069", "54"), ("4000000000009979", "43")] {
        let err = pay(&client, payment(&format!("DECLINE-{pan}"), pan, "10")).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::CardDeclined, "{pan}: {err}");
        assert_eq!(err.bank_error_code.as_deref(), Some(bank_code), "{pan}");
        assert!(err.bank_message.is_some());
        let tx: &TransactionRecord = err.transaction.as_deref().expect("declined transaction");
        assert!(!tx.is_succeed);
        assert_eq!(tx.reference_no.as_deref(), Some(format!("DECLINE-{pan}").as_str()));
        assert!(!err.message.contains(pan));
    }
    assert_eq!(sb.stats().ledger_entries, 4, "declines are recorded");
}

#[tokio::test]
async fn same_reference_is_replayed_not_charged_twice() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let first = pay(&client, payment("REPLAY-1", SUCCESS_CARD, "42.00")).await.unwrap();
    let second = pay(&client, payment("REPLAY-1", SUCCESS_CARD, "42.00")).await.unwrap();
    assert_eq!(first["replayed"], false);
    assert_eq!(second["replayed"], true);
    assert_eq!(second["result_code"], 100);
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["xact_id"], first["xact_id"]);
    assert_eq!(sb.stats().ledger_entries, 1);
}

#[tokio::test]
async fn pre_auth_partial_full_and_over_capture() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let opts = RequestOptions::default();
    let mut pre = payment("PRE-1", SUCCESS_CARD, "100");
    pre["transaction_type"] = json!("pre_auth");
    let auth = pay(&client, pre).await.unwrap();
    assert_eq!(auth["transaction_type"], "pre_auth");

    let over = client.call_value("payments.capture", json!({"xact_id": auth["xact_id"], "amount": "100.01"}), &opts).await.unwrap_err();
    assert_eq!(over.kind, ErrorKind::InvalidRequest, "{over}");

    let partial = client.call_value("payments.capture", json!({"xact_id": auth["xact_id"], "amount": "60.50"}), &opts).await.unwrap();
    assert_eq!(partial["transaction_type"], "capture");
    assert_eq!(partial["amount"], "60.50");

    let again = client.call_value("payments.capture", json!({"xact_id": auth["xact_id"]}), &opts).await.unwrap_err();
    // Refused by the API (HTTP 400, "noprocess" 6), not declined by the bank.
    assert_eq!((again.kind, again.result_code), (ErrorKind::InvalidRequest, Some(6)), "{again}");

    let mut pre2 = payment("PRE-2", SUCCESS_CARD, "80");
    pre2["transaction_type"] = json!("pre_auth");
    pay(&client, pre2).await.unwrap();
    let full = client.call_value("payments.capture", json!({"reference_no": "PRE-2"}), &opts).await.unwrap();
    assert_eq!(full["amount"], "80.00");

    let sale = pay(&client, payment("SALE-NOT-PRE", SUCCESS_CARD, "5")).await.unwrap();
    let wrong = client.call_value("payments.capture", json!({"xact_id": sale["xact_id"]}), &opts).await.unwrap_err();
    assert_eq!(wrong.result_code, Some(19), "{wrong}");
}

#[tokio::test]
async fn wrong_key_is_an_authentication_error() {
    let sb = sandbox().await;
    let client = Client::new(Config::new("sck_wrong_key_1234").unwrap().base_url(sb.url())).unwrap();
    let err = pay(&client, payment("AUTH-1", SUCCESS_CARD, "1")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert_eq!(err.http_status, Some(401));
    assert_eq!(err.result_code, Some(7));
    assert!(!err.message.contains("sck_wrong_key_1234"));
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/requests");
    let mut refused = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let Some(expected) = v.get("expect_error") else { continue };
        let err = client
            .call_value(v["method"].as_str().unwrap(), v["params"].clone(), &RequestOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), expected["field"].as_str(), "{}", v["description"]);
        refused += 1;
    }
    assert!(refused >= 15);
    assert_eq!(sb.stats().requests, 0, "the sandbox saw no request");
}

#[tokio::test]
async fn slow_bank_times_out_and_a_retry_is_deduplicated() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let quick = RequestOptions { timeout: Some(Duration::from_millis(300)), max_retries: Some(0), ..Default::default() };
    let err = client.call_value("payments.create", payment("SLOW-1", SLOW_CARD, "10"), &quick).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert_eq!(err.reference_no.as_deref(), Some("SLOW-1"));
    // Retrying with the same reference once the bank answered charges nothing twice.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let retried = pay(&client, payment("SLOW-1", SLOW_CARD, "10")).await.unwrap();
    assert_eq!(retried["replayed"], true);
    assert_eq!(sb.stats().ledger_entries, 1);
}

#[tokio::test]
async fn unsafe_call_timing_out_has_an_unknown_outcome() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let session = paynetjs_session(&sb, SLOW_CARD, "2500").await;
    let quick = RequestOptions { timeout: Some(Duration::from_millis(300)), max_retries: Some(3), ..Default::default() };
    let params = json!({"session_id": session.0, "token_id": session.1, "amount": "25", "reference_no": "CHARGE-SLOW"});
    let err = client.call_value("payments.charge", params, &quick).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownOutcome, "{err}");
    assert_eq!(err.reference_no.as_deref(), Some("CHARGE-SLOW"));
    assert_eq!(sb.stats().requests, 1, "never resent");
}

#[tokio::test]
async fn malformed_answer_is_a_protocol_error() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let err = pay(&client, payment("BROKEN-1", MALFORMED_CARD, "10")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    let snippet = err.body_snippet.expect("snippet");
    assert!(!snippet.is_empty() && !snippet.contains(MALFORMED_CARD));
}

#[tokio::test]
async fn read_only_calls_retry_server_errors_unsafe_calls_do_not() {
    let sb = sandbox().await;
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&attempts);
    let client = Client::new(
        Config::new(sb.secret_key())
            .unwrap()
            .base_url(sb.url())
            .retry_initial_delay(Duration::from_millis(10))
            .on_request(Arc::new(move |e| seen.lock().unwrap().push((e.attempt, e.status, e.will_retry)))),
    )
    .unwrap();
    pay(&client, payment("RETRY-1", SUCCESS_CARD, "10")).await.unwrap();

    inject_faults(&sb, 2, 503).await;
    let tx = client.call_value("transactions.check", json!({"reference_no": "RETRY-1"}), &RequestOptions::default()).await.unwrap();
    assert_eq!(tx["reference_no"], "RETRY-1");
    let log = attempts.lock().unwrap().clone();
    assert_eq!(&log[1..], &[(1, Some(503), true), (2, Some(503), true), (3, Some(200), false)]);

    inject_faults(&sb, 1, 503).await;
    let session = paynetjs_session(&sb, SUCCESS_CARD, "1000").await;
    let err = client
        .call_value("payments.charge", json!({"session_id": session.0, "token_id": session.1, "amount": "10"}), &RequestOptions::default())
        .await
        .unwrap_err();
    // The client cannot tell a 503 from before processing from one after it.
    assert_eq!(err.kind, ErrorKind::UnknownOutcome);
    assert_eq!(err.http_status, Some(503));
    assert_eq!(attempts.lock().unwrap().len(), 5, "the charge was sent once");
}

#[tokio::test]
async fn unreachable_host_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::new(Config::new("sck_x").unwrap().base_url(format!("http://127.0.0.1:{port}")).max_retries(1).retry_initial_delay(Duration::from_millis(5))).unwrap();
    let err = client.call_value("transactions.check", json!({"reference_no": "X"}), &RequestOptions::default()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connection);
}

#[tokio::test]
async fn check_finds_by_either_id_and_reports_unknown_ones() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let opts = RequestOptions::default();
    let tx = pay(&client, payment("CHECK-1", SUCCESS_CARD, "19.90")).await.unwrap();
    let by_ref = client.call_value("transactions.check", json!({"reference_no": "CHECK-1"}), &opts).await.unwrap();
    let by_id = client.call_value("transactions.check", json!({"xact_id": tx["xact_id"]}), &opts).await.unwrap();
    assert_eq!(by_ref["xact_id"], tx["xact_id"]);
    assert_eq!(by_id["amount"], "19.90");
    assert_eq!(by_id["reference_no"], "CHECK-1");
    let missing = client.call_value("transactions.check", json!({"reference_no": "NOPE"}), &opts).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::Api);
    assert_eq!(missing.result_code, Some(12));
}

#[tokio::test]
async fn payment_list_reports_the_days_settled_transactions() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    pay(&client, payment("LIST-1", SUCCESS_CARD, "10.00")).await.unwrap();
    pay(&client, payment("LIST-2", "5571135571135575", "20.00")).await.unwrap();
    let _ = pay(&client, payment("LIST-DECLINED", "4000000000000002", "30.00")).await;
    let mut pre = payment("LIST-PRE", SUCCESS_CARD, "40.00");
    pre["transaction_type"] = json!("pre_auth");
    pay(&client, pre).await.unwrap();
    let report = client.call_value("reports.payment_list", json!({}), &RequestOptions::default()).await.unwrap();
    let rows = report["rows"].as_array().unwrap();
    let mut amounts: Vec<&str> = rows.iter().map(|r| r["amount"].as_str().unwrap()).collect();
    amounts.sort();
    assert_eq!(amounts, ["10.00", "20.00"], "declines and pre-auths are not paid out");
    assert_eq!(rows[0]["xact_type"], "S");
    assert_eq!(rows[0]["due_date"], report["date"]);
    assert!(rows[0]["xact_date"].as_str().unwrap().ends_with("+03:00"));
}

#[tokio::test]
async fn charge_completes_a_paynetjs_session_once() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let opts = RequestOptions::default();
    let (session_id, token_id) = paynetjs_session(&sb, SUCCESS_CARD, "1500").await;
    let mismatched = client
        .call_value("payments.charge", json!({"session_id": session_id, "token_id": token_id, "amount": "15.01"}), &opts)
        .await
        .unwrap_err();
    assert_eq!(mismatched.kind, ErrorKind::InvalidRequest, "{mismatched}");
    let params = json!({"session_id": session_id, "token_id": token_id, "amount": "15", "reference_no": "JS-1"});
    let tx = client.call_value("payments.charge", params.clone(), &opts).await.unwrap();
    assert_eq!(tx["amount"], "15.00");
    assert_eq!(tx["transaction_type"], TransactionType::Sale.as_str());
    let replay = client.call_value("payments.charge", params, &opts).await.unwrap();
    assert_eq!(replay["replayed"], true);
    assert_eq!(sb.stats().ledger_entries, 1);
}

#[tokio::test]
async fn concurrent_payments_share_one_client() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let calls = (0..50).map(|i| {
        let client = client.clone();
        async move { pay(&client, payment(&format!("CONC-{i}"), SUCCESS_CARD, "1.00")).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(sb.stats().ledger_entries, 50);
}

#[test]
fn debug_output_hides_the_key() {
    let config = Config::new("sck_pcs_jECRyoZq0khnsV9elaF/SIBVvxQI+bIW").unwrap();
    let client = Client::new(config).unwrap();
    let shown = format!("{client:?}");
    assert!(shown.contains("sck_…+bIW"), "{shown}");
    assert!(!shown.contains("jECRyoZq0khnsV9elaF"));
}

async fn inject_faults(sb: &Sandbox, count: u64, status: u16) {
    let resp = reqwest::Client::new()
        .post(format!("{}/__sandbox/faults", sb.url()))
        .json(&json!({"fail_next": count, "status": status}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

/// Stands in for the browser: Paynet.js tokenises the card and posts the
/// session to the merchant, who then calls charge.
async fn paynetjs_session(sb: &Sandbox, pan: &str, data_amount: &str) -> (String, String) {
    let body: Value = reqwest::Client::new()
        .post(format!("{}/__sandbox/paynetjs/session", sb.url()))
        .json(&json!({
            "amount": data_amount, "add_comission_amount": false, "ratio_code": "", "installments": "",
            "no_instalment": false, "tds_required": false,
            "pan": pan, "month": 12, "year": 2045, "cvc": "000", "card_holder": "TEST TEST",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (body["session_id"].as_str().unwrap().to_owned(), body["token_id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_request_hook_reports_a_decline_as_one() {
    let sb = sandbox().await;
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&outcomes);
    let client = Client::new(
        Config::new(sb.secret_key())
            .unwrap()
            .base_url(sb.url())
            .on_request(Arc::new(move |e| seen.lock().unwrap().push((e.status, e.outcome)))),
    )
    .unwrap();
    pay(&client, payment("HOOK-OK", SUCCESS_CARD, "10")).await.unwrap();
    pay(&client, payment("HOOK-DECLINED", "4000000000009995", "10")).await.unwrap_err();
    pay(&client, payment("HOOK-MALFORMED", MALFORMED_CARD, "10")).await.unwrap_err();
    assert_eq!(
        outcomes.lock().unwrap().as_slice(),
        &[(Some(200), "ok"), (Some(200), "card_declined"), (Some(200), "protocol")]
    );
}

#[test]
fn a_prepared_request_debug_hides_card_data() {
    let client = client_for_url("http://127.0.0.1:9");
    let prepared = client.prepare_value("payments.create", payment("DEBUG-1", SUCCESS_CARD, "10")).unwrap();
    assert_eq!(prepared.body["pan"], SUCCESS_CARD, "the body itself is what is sent");
    let shown = format!("{prepared:?}");
    assert!(!shown.contains(SUCCESS_CARD) && !shown.contains("\"000\"") && shown.contains("DEBUG-1"), "{shown}");
}

fn client_for_url(url: &str) -> Client {
    Client::new(Config::new("sck_debug").unwrap().base_url(url)).unwrap()
}

#[tokio::test]
async fn a_comma_amount_is_understood_by_the_sandbox() {
    let sb = sandbox().await;
    let config = Config::new(sb.secret_key()).unwrap().base_url(sb.url()).payment_amount_format(MoneyWire::CommaString);
    let client = Client::new(config).unwrap();
    let tx = pay(&client, payment("COMMA-1", SUCCESS_CARD, "1234.5")).await.unwrap();
    assert_eq!(tx["amount"], "1234.50");
}

#[tokio::test]
async fn a_2xx_that_is_not_a_transaction_is_a_protocol_error_with_its_body() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).unwrap();
        let body = r#"{"object_name":"transaction","code":0,"message":"card 4355084355084358"}"#;
        let answer = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        socket.write_all(answer.as_bytes()).unwrap();
    });
    let err = pay(&client_for_url(&url), payment("PROTO-1", SUCCESS_CARD, "1")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol, "{err}");
    let snippet = err.body_snippet.expect("the body's start");
    assert!(snippet.contains("\"object_name\"") && !snippet.contains(SUCCESS_CARD), "{snippet}");
}

/// A report too large to read before the deadline ends the call at the
/// deadline (the download and the row decoding both count), not seconds later.
/// The sandbox runs on a runtime of its own: building a huge answer blocks
/// its worker, which must not be the one that drives the client's timers.
#[tokio::test]
async fn a_huge_report_ends_at_its_deadline() {
    let (url, key) = sandbox_on_its_own_runtime();
    let seeded = reqwest::Client::new()
        .post(format!("{url}/__sandbox/seed"))
        .json(&json!({"count": 150_000, "date": "2030-01-15"}))
        .send()
        .await
        .unwrap();
    assert!(seeded.status().is_success());
    let client = Client::new(Config::new(key).unwrap().base_url(url)).unwrap();
    let deadline = Duration::from_millis(400);
    let started = std::time::Instant::now();
    let err = client
        .call_value("reports.payment_list", json!({"date": "2030-01-15"}), &RequestOptions { timeout: Some(deadline), max_retries: Some(0), ..Default::default() })
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    // Generous: a bound on the deadline's enforcement, not a speed measurement.
    assert!(took < deadline * 4, "the call took {took:?} against a {deadline:?} deadline");
}

/// A long report arrives in chunks (the sandbox streams it) and is read as
/// it arrives: the result is the one the same body gives read whole.
#[tokio::test]
async fn a_report_read_as_it_streams_is_the_report_read_whole() {
    use paynet_core::endpoints::payment_list::{PaymentList, PaymentListParams};
    use paynet_core::{Deadline, Endpoint};
    let sb = sandbox().await;
    let seeded = reqwest::Client::new().post(format!("{}/__sandbox/seed", sb.url())).json(&json!({"count": 5_000, "date": "2030-01-15"})).send().await.unwrap();
    assert!(seeded.status().is_success());
    let raw = reqwest::Client::new()
        .post(format!("{}/v1/transaction/payment_list", sb.url()))
        .header("Authorization", format!("Basic {}", sb.secret_key()))
        .json(&json!({"date": "2030-01-15"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.headers().get("transfer-encoding").map(|v| v.to_str().unwrap().to_owned()).as_deref(), Some("chunked"));
    let params: PaymentListParams = serde_json::from_value(json!({"date": "2030-01-15"})).unwrap();
    let whole = PaymentList::decode(&params, &raw.bytes().await.unwrap(), &Deadline::none()).unwrap();
    let streamed = client_for(&sb).reports().payment_list(&params, &RequestOptions::default()).await.unwrap();
    assert_eq!(streamed.rows.len(), 5_000);
    assert_eq!(streamed, whole);
}

/// A sandbox served by a runtime on its own thread, alive until the test
/// process ends: its URL and key.
fn sandbox_on_its_own_runtime() -> (String, String) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        runtime.block_on(async {
            let sb = sandbox().await;
            tx.send((sb.url(), sb.secret_key().to_owned())).unwrap();
            std::future::pending::<()>().await
        })
    });
    rx.recv().unwrap()
}

#[tokio::test]
async fn a_pre_auth_is_cancelled_once_and_never_after_capture() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let options = RequestOptions::default();
    let mut pre_auth = payment("CANCEL-1", SUCCESS_CARD, "40");
    pre_auth["transaction_type"] = json!("pre_auth");
    let pre = pay(&client, pre_auth.clone()).await.unwrap();
    let xact_id = pre["xact_id"].as_str().unwrap().to_owned();

    let ack = client.call_value("payments.cancel_pre_auth", json!({"xact_id": xact_id}), &options).await.unwrap();
    assert_eq!((ack["result_code"].as_i64(), ack["object_name"].as_str()), (Some(0), Some("transaction_preauth_reversal")));
    let checked = client.call_value("transactions.check", json!({"xact_id": xact_id}), &options).await.unwrap();
    assert_eq!(checked["reversed"], true, "the reversal shows in check");

    let again = client.call_value("payments.cancel_pre_auth", json!({"xact_id": xact_id}), &options).await.unwrap_err();
    assert_eq!((again.kind, again.result_code), (ErrorKind::InvalidRequest, Some(6)), "{again}");
    let capture = client.call_value("payments.capture", json!({"xact_id": xact_id}), &options).await.unwrap_err();
    assert_eq!(capture.kind, ErrorKind::InvalidRequest, "a cancelled pre-auth cannot be captured: {capture}");

    // A captured pre-auth cannot be cancelled; a sale is not a pre-auth.
    pre_auth["reference_no"] = json!("CANCEL-2");
    let captured = pay(&client, pre_auth).await.unwrap();
    client.call_value("payments.capture", json!({"xact_id": captured["xact_id"]}), &options).await.unwrap();
    let e = client.call_value("payments.cancel_pre_auth", json!({"xact_id": captured["xact_id"]}), &options).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::InvalidRequest, Some(6)), "{e}");
    let sale = pay(&client, payment("CANCEL-3", SUCCESS_CARD, "5")).await.unwrap();
    let e = client.call_value("payments.cancel_pre_auth", json!({"xact_id": sale["xact_id"]}), &options).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::InvalidRequest, Some(19)), "{e}");
    let e = client.call_value("payments.cancel_pre_auth", json!({"xact_id": "xk_unknown"}), &options).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::Api, Some(12)), "{e}");

    // Never resent once it may have arrived; the error names the pre-auth.
    inject_faults(&sb, 1, 502).await;
    let before = sb.stats().requests;
    let e = client.call_value("payments.cancel_pre_auth", json!({"xact_id": "xk_any"}), &options).await.unwrap_err();
    assert_eq!((e.kind, e.xact_id.as_deref()), (ErrorKind::UnknownOutcome, Some("xk_any")));
    assert_eq!(sb.stats().requests - before, 1);
}

/// A range of days: each day one report call, in date order, with progress, and
/// the rows as one Arrow table whose amounts are the typed rows' exactly.
#[tokio::test]
async fn a_date_range_is_its_days_in_order_as_one_table() {
    use paynet_core::arrow_array::cast::AsArray;
    use paynet_core::arrow_array::types::Decimal128Type;
    let sb = sandbox().await;
    let from = paynet_sandbox::chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let to = paynet_sandbox::chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
    sb.seed_demo(&paynet_sandbox::DemoSpec { from, to, per_day: 12, seed: 3 }).unwrap();
    let client = client_for(&sb);
    let parts = Arc::new(Mutex::new(Vec::new()));
    let seen = parts.clone();
    let options = RequestOptions {
        progress: Some(paynet_core::ProgressHook(Arc::new(move |p: &paynet_core::Progress<'_>| seen.lock().unwrap().push((p.done, p.total, p.part.to_owned()))))),
        ..Default::default()
    };
    let params = json!({"start": "2026-11-01", "end": "2026-11-05", "concurrency": 2});
    let output = client.call_output("reports.payment_list_range", params, &options).await.unwrap();
    let range = serde_json::to_value(&*output).unwrap();
    let mut parts = parts.lock().unwrap().clone();
    parts.sort();
    assert_eq!(parts.iter().map(|(done, total, _)| (*done, *total)).collect::<Vec<_>>(), (1..=5).map(|d| (d, 5)).collect::<Vec<_>>());
    let mut days = Vec::new();
    for day in 1..=5 {
        let report = client.call_value("reports.payment_list", json!({"date": format!("2026-11-0{day}")}), &RequestOptions::default()).await.unwrap();
        days.extend(report["rows"].as_array().unwrap().clone());
    }
    assert_eq!(range["rows"].as_array().unwrap(), &days);
    assert_eq!(range["days"], 5);
    let table = paynet_core::columnar::Table::build("reports.payment_list_range", &[output.cells()]).unwrap();
    assert_eq!(table.num_rows(), days.len());
    let amounts: Vec<String> = table
        .batches
        .iter()
        .flat_map(|b| b.column(table.schema.index_of("amount").unwrap()).as_primitive::<Decimal128Type>().values().to_vec())
        .map(|kurus| rust_decimal::Decimal::from_i128_with_scale(kurus, 2).to_string())
        .collect();
    let typed: Vec<&str> = days.iter().map(|r| r["amount"].as_str().unwrap()).collect();
    assert_eq!(amounts, typed);
}
