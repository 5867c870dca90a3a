//! Pre-auth + `v1/transaction/capture` and `v1/transaction/check` over real HTTP.

mod common;

use common::{Env, assert_error, num, payment, with};
use serde_json::json;

async fn preauth(env: &Env, reference_no: &str, amount: &str) -> serde_json::Value {
    let r = env
        .pay(with(
            payment(reference_no, "4355084355084358"),
            json!({"transaction_type": "3", "amount": amount}),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["is_succeed"], true);
    assert_eq!(r.json["transaction_type"], 3);
    r.json
}

#[tokio::test]
async fn partial_capture_by_xact_id() {
    let env = Env::start().await;
    let pre = preauth(&env, "PRE-1", "100.00").await;
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre["xact_id"], "amount": "4000"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.json;
    assert_eq!(b["object_name"], "transaction");
    assert_eq!(b["transaction_type"], 4);
    assert_eq!(b["code"], 0);
    assert_eq!(b["message"], "Başarılı İşlem");
    assert_eq!(b["is_succeed"], true);
    assert_eq!(b["is_tds"], false);
    assert_eq!(b["pos_type"], 5);
    assert_eq!(num(&b["amount"]), "40.00");
    // 40.00 at 1.99 %: 0.796 → 0.80, tax 0.16
    assert_eq!(num(&b["comission"]), "0.80");
    assert_eq!(num(&b["comission_tax"]), "0.16");
    assert_eq!(num(&b["net_amount"]), "39.04");
    assert_eq!(b["card_no_masked"], "435508******4358");
    let n = pre["bank_authorization_code"]
        .as_str()
        .expect("auth")
        .trim_start_matches("aut-")
        .to_owned();
    assert_eq!(b["authorization_code"], format!("aut-{n}"));
    assert_eq!(b["reference_code"], format!("ref-{n}"));
    assert_eq!(b["order_id"], format!("order-{n}"));
    assert!(b.get("bank_authorization_code").is_none());
    assert_ne!(b["xact_id"], pre["xact_id"]);
    assert_eq!(env.ledger_count().await, 2);

    let ledger = env.get("/__sandbox/ledger").await;
    let entries = ledger.json["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["xact_type"], "PR");
    assert_eq!(entries[1]["xact_type"], "CR");
    assert_eq!(entries[1]["parent_id"], entries[0]["id"]);
    assert_eq!(entries[0]["captured_by"], entries[1]["id"]);

    // A pre-auth is captured once.
    let again = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre["xact_id"]}),
        )
        .await;
    assert_error(&again, 400, "invalid_request_error", 6);
    assert_eq!(env.ledger_count().await, 2);
}

#[tokio::test]
async fn full_capture_by_reference_or_plain_id() {
    let env = Env::start().await;
    let pre = preauth(&env, "PRE-2", "56,55").await;
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"reference_no": "PRE-2", "amount": ""}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(num(&r.json["amount"]), "56.55");

    let pre3 = preauth(&env, "PRE-3", "10").await;
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact": pre3["id"].to_string()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(num(&r.json["amount"]), "10.00");
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact": pre3["id"], "amount": 1000}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 6);
    assert_ne!(pre["id"], pre3["id"]);
}

#[tokio::test]
async fn capture_errors() {
    let env = Env::start().await;
    let pre = preauth(&env, "PRE-4", "20.00").await;
    let over = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre["xact_id"], "amount": "2001"}),
        )
        .await;
    assert_error(&over, 400, "invalid_request_error", 11);
    assert!(
        over.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("over-capture"))
    );
    let bad = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre["xact_id"], "amount": "20.00"}),
        )
        .await;
    assert_error(&bad, 400, "invalid_request_error", 11);

    let none = env
        .post("/v1/transaction/capture", &json!({"amount": "100"}))
        .await;
    assert_error(&none, 400, "invalid_request_error", 11);
    for field in ["xact_id", "xact", "reference_no"] {
        assert!(
            none.json["message"]
                .as_str()
                .is_some_and(|m| m.contains(field))
        );
    }
    let missing = env
        .post("/v1/transaction/capture", &json!({"xact_id": "xk_nope"}))
        .await;
    assert_error(&missing, 404, "no_data_error", 12);

    let sale = env.pay(payment("SALE-1", "4355084355084358")).await;
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": sale.json["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 19);

    let declined = env
        .pay(with(
            payment("PRE-DECL", "4000000000009995"),
            json!({"transaction_type": 3}),
        ))
        .await;
    assert_eq!(declined.json["is_succeed"], false);
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": declined.json["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 6);
    assert_eq!(env.ledger_count().await, 3);

    // transaction_type 2 is accepted as a pre-auth too (S001's response table).
    let pre2 = env
        .pay(with(
            payment("PRE-TT2", "4355084355084358"),
            json!({"transaction_type": 2}),
        ))
        .await;
    assert_eq!(pre2.json["transaction_type"], 2);
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre2.json["xact_id"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn concurrent_captures_capture_once() {
    let env = Env::start().await;
    let pre = preauth(&env, "PRE-RACE", "50.00").await;
    let body = json!({"xact_id": pre["xact_id"]});
    let (a, b) = tokio::join!(
        env.post("/v1/transaction/capture", &body),
        env.post("/v1/transaction/capture", &body)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400]);
    assert_eq!(env.ledger_count().await, 2);
}

#[tokio::test]
async fn check_by_xact_id_and_reference() {
    let env = Env::start().await;
    let sale = env
        .pay(with(
            payment("CHK-1", "4506347011448053"),
            json!({"card_holder_mail": "a@b.com", "card_holder_phone": "5321234567", "instalment": 3}),
        ))
        .await;
    let r = env
        .post(
            "/v1/transaction/check",
            &json!({"xact_id": sale.json["xact_id"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["object_name"], "transaction_check");
    assert_eq!(r.json["code"], 0);
    assert_eq!(r.json["message"], "Başarılı İşlem");
    let row = &r.json["Data"][0];
    assert_eq!(r.json["Data"].as_array().map(Vec::len), Some(1));
    assert_eq!(row["xact_id"], sale.json["xact_id"]);
    assert_eq!(row["id"], sale.json["id"]);
    assert_eq!(row["xact_date"], sale.json["xact_date"]);
    assert_eq!(row["agent_reference"], "CHK-1");
    assert_eq!(row["note"], "sandbox test");
    assert_eq!(row["bank_id"], "WRLD");
    assert_eq!(row["bank_name"], "World");
    assert_eq!(row["card_no"], "450634******8053");
    assert_eq!(row["card_type"], "cc");
    assert_eq!(row["instalment"], 3);
    assert_eq!(row["email"], "a@b.com");
    assert_eq!(row["phone"], "5321234567");
    assert_eq!(row["is_succeed"], true);
    assert_eq!(row["is_tds"], false);
    assert_eq!(
        row["authorization_code"],
        sale.json["bank_authorization_code"]
    );
    for f in [
        "amount",
        "net_amount",
        "comission",
        "comission_tax",
        "ratio",
    ] {
        assert_eq!(num(&row[f]), num(&sale.json[f]), "{f}");
    }

    // By reference: the latest success wins over a later decline and an earlier one.
    env.pay(payment("CHK-2", "4000000000000002")).await;
    let ok = env.pay(payment("CHK-2", "4355084355084358")).await;
    let r = env
        .post("/v1/transaction/check", &json!({"reference_no": "CHK-2"}))
        .await;
    assert_eq!(r.json["Data"][0]["id"], ok.json["id"]);
    // Only declines: the latest attempt.
    env.pay(payment("CHK-3", "4000000000000002")).await;
    let last = env.pay(payment("CHK-3", "4000000000009995")).await;
    let r = env
        .post("/v1/transaction/check", &json!({"reference_no": "CHK-3"}))
        .await;
    assert_eq!(r.json["Data"][0]["id"], last.json["id"]);
    assert_eq!(r.json["Data"][0]["is_succeed"], false);

    let r = env
        .post("/v1/transaction/check", &json!({"reference_no": "NOPE"}))
        .await;
    assert_error(&r, 404, "no_data_error", 12);
    let r = env
        .post("/v1/transaction/check", &json!({"xact_id": ""}))
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
}
