//! The Paynet.js flow: sandbox session endpoint + `v1/transaction/charge`.

mod common;

use common::{Env, assert_error, num};
use serde_json::{Value, json};

async fn session(env: &Env, body: Value) -> (String, String) {
    let r = env.post_noauth("/__sandbox/paynetjs/session", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sid = r.json["session_id"]
        .as_str()
        .expect("session_id")
        .to_owned();
    let tid = r.json["token_id"].as_str().expect("token_id").to_owned();
    assert!(sid.starts_with("js_"));
    assert_eq!(tid.len(), 36);
    assert_eq!(tid, tid.to_uppercase());
    (sid, tid)
}

fn card(pan: &str) -> Value {
    json!({"pan": pan, "month": "12", "year": "2045", "cvc": "000", "card_holder": "TEST"})
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Some(b)) = (a.as_object_mut(), b.as_object()) {
        a.extend(b.clone());
    }
    a
}

#[tokio::test]
async fn php_sample_body_is_accepted_and_replays() {
    let env = Env::start().await;
    let (sid, tid) = session(
        &env,
        merge(
            card("4355084355084358"),
            json!({"amount": "1500", "add_comission_amount": false, "tds_required": true}),
        ),
    )
    .await;
    // S003's PHP sample, as json_encode() writes it.
    let body = format!(
        r#"{{"session_id":"{sid}","token_id":"{tid}","transaction_type":1,"amount":"1500","add_comission_amount":false,"ratio_code":"","installments":"","no_instalment":false,"tds_required":true}}"#
    );
    let r = env.post_raw("/v1/transaction/charge", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.json;
    assert_eq!(b["object_name"], "transaction");
    assert_eq!(b["is_succeed"], true);
    assert_eq!(b["code"], 0);
    assert_eq!(num(&b["amount"]), "15.00");
    assert_eq!(b["bank_id"], "AXSS");
    assert_eq!(b["card_no_masked"], "435508******4358");
    assert_eq!(b["is_tds"], true);
    assert_eq!(b["card_type"], "cc");
    assert_eq!(b["card_brand_name"], "VISA");
    assert_eq!(b["xact"], b["id"]);
    assert!(
        b["authorization_code"]
            .as_str()
            .is_some_and(|a| a.starts_with("aut-"))
    );
    assert!(b.get("bank_authorization_code").is_none());
    assert!(b.get("md_status").is_some() && b.get("agent_reference_no").is_some());

    let again = env.post_raw("/v1/transaction/charge", &body).await;
    assert_eq!(again.json["code"], 100);
    assert_eq!(again.json["message"], "Önceki Başarılı İşlem");
    assert_eq!(again.json["id"], b["id"]);
    assert_eq!(env.ledger_count().await, 1);
}

#[tokio::test]
async fn s003_example_request_with_string_booleans() {
    let env = Env::start().await;
    let (sid, tid) = session(
        &env,
        merge(
            card("5571135571135575"),
            json!({"amount": 1256000, "add_comission_amount": "true", "no_instalment": "false",
                   "tds_required": "true", "installments": "0,3,6,8,9", "instalment": 3}),
        ),
    )
    .await;
    let body = format!(
        r#"{{
"session_id": "{sid}",
"token_id": "{tid}",
"reference_no": "",
"transaction_type": 1,
"add_comission_amount": "true",
"no_instalment": "false",
"tds_required": "true",
"installments": "0,3,6,8,9",
"ratio_code": "",
"amount": 1256000
}}"#
    );
    let r = env.post_raw("/v1/transaction/charge", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["instalment"], 3);
    // 12560.00 at 3.49 %: commission 438.34, tax 87.67, on top of the amount.
    assert_eq!(num(&r.json["net_amount"]), "12560.00");
    assert_eq!(num(&r.json["comission"]), "438.34");
    assert_eq!(num(&r.json["amount"]), "13086.01");
}

#[tokio::test]
async fn mismatches_and_unknown_sessions() {
    let env = Env::start().await;
    let (sid, tid) = session(
        &env,
        merge(card("4355084355084358"), json!({"amount": "1500"})),
    )
    .await;
    let good = json!({"session_id": sid, "token_id": tid, "transaction_type": 1, "amount": "1500",
                      "add_comission_amount": false, "ratio_code": "", "installments": "",
                      "no_instalment": false, "tds_required": false});
    for (patch, field) in [
        (json!({"amount": "1501"}), "amount"),
        (
            json!({"add_comission_amount": "true"}),
            "add_comission_amount",
        ),
        (json!({"ratio_code": "X1"}), "ratio_code"),
        (json!({"installments": "0,3"}), "installments"),
        (json!({"no_instalment": true}), "no_instalment"),
        (json!({"tds_required": "True"}), "tds_required"),
    ] {
        let r = env
            .post("/v1/transaction/charge", &merge(good.clone(), patch))
            .await;
        assert_error(&r, 400, "invalid_request_error", 15);
        assert!(
            r.json["message"]
                .as_str()
                .is_some_and(|m| m.contains(field)),
            "{}",
            r.text
        );
    }
    let r = env
        .post(
            "/v1/transaction/charge",
            &merge(good.clone(), json!({"session_id": "js_nope"})),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 13);
    let r = env
        .post(
            "/v1/transaction/charge",
            &merge(
                good.clone(),
                json!({"token_id": "00000000-0000-0000-0000-000000000000"}),
            ),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 13);
    let r = env
        .post(
            "/v1/transaction/charge",
            &merge(good.clone(), json!({"transaction_type": null})),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    let r = env
        .post(
            "/v1/transaction/charge",
            &merge(good.clone(), json!({"session_id": ""})),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    assert_eq!(env.ledger_count().await, 0);
    let r = env.post("/v1/transaction/charge", &good).await;
    assert_eq!(r.json["is_succeed"], true, "{}", r.text);
}

#[tokio::test]
async fn decline_cards_decline_in_charge_and_sessions_validate_cards() {
    let env = Env::start().await;
    let (sid, tid) = session(
        &env,
        merge(card("4000000000009979"), json!({"amount": 2000})),
    )
    .await;
    let body = json!({"session_id": sid, "token_id": tid, "transaction_type": "3", "amount": 2000,
                      "reference_no": "JS-1"});
    let r = env.post("/v1/transaction/charge", &body).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["is_succeed"], false);
    assert_eq!(r.json["bank_error_id"], "43");
    assert_eq!(r.json["agent_reference_no"], "JS-1");
    // A used token cannot be charged again.
    let r = env.post("/v1/transaction/charge", &body).await;
    assert_error(&r, 400, "invalid_request_error", 17);

    let r = env
        .post_noauth(
            "/__sandbox/paynetjs/session",
            &merge(card("4000000000009978"), json!({"amount": 1})),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 18);
    let r = env
        .post_noauth("/__sandbox/paynetjs/session", &card("4355084355084358"))
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);

    // Pre-auth via charge, then capture it.
    let (sid, tid) = session(
        &env,
        merge(card("4282209004348015"), json!({"amount": "5000"})),
    )
    .await;
    let r = env
        .post(
            "/v1/transaction/charge",
            &json!({"session_id": sid, "token_id": tid, "transaction_type": 3, "amount": "5000", "reference_no": "JS-2"}),
        )
        .await;
    assert_eq!(r.json["transaction_type"], 3);
    let c = env
        .post("/v1/transaction/capture", &json!({"reference_no": "JS-2"}))
        .await;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(num(&c.json["amount"]), "50.00");
    assert_eq!(c.json["bank_id"], "BONS");
}
