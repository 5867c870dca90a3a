//! Core against the sandbox over real HTTP: refunds and cancels through
//! their review, capture reversal, the transaction services, and a walk over
//! every page of 1 001 transactions.

use std::time::Duration;

use chrono::Duration as Days;
use paynet_core::{Client, Config, ErrorKind, RequestOptions};
use paynet_sandbox::{Sandbox, SeedSpec};
use serde_json::{Value, json};

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

async fn sale(client: &Client, reference_no: &str, amount: &str, transaction_type: &str) -> Value {
    let card = json!({"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"});
    let params = json!({"amount": amount, "reference_no": reference_no, "domain": "d", "card": card, "transaction_type": transaction_type});
    call(client, "payments.create", params).await.unwrap()
}

fn day_span(sb: &Sandbox) -> Value {
    let today = sb.clock().date_naive();
    json!({"date_from": (today - Days::days(3)).to_string(), "date_to": (today + Days::days(3)).to_string(), "limit": 100})
}

#[tokio::test]
async fn a_refund_is_a_reviewed_request_and_refunds_never_exceed_the_sale() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let tx = sale(&client, "RF-1", "100", "sale").await;
    let xact_id = tx["xact_id"].as_str().unwrap();

    // The sale's own day: only a full cancel.
    let partial = call(&client, "refunds.create", json!({"xact_id": xact_id, "amount": "30"})).await.unwrap_err();
    assert_eq!(partial.kind, ErrorKind::InvalidRequest, "{partial}");

    sb.advance_clock(Duration::from_secs(86_400)).unwrap();
    let first = call(&client, "refunds.create", json!({"xact_id": xact_id, "amount": "30"})).await.unwrap();
    let reversal_id = first["reversal_id"].as_str().unwrap().to_owned();
    let too_much = call(&client, "refunds.create", json!({"xact_id": xact_id, "amount": "80"})).await.unwrap_err();
    assert_eq!(too_much.kind, ErrorKind::InvalidRequest, "pending 30 + 80 > 100: {too_much}");

    let page = call(&client, "refunds.list_page", day_span(&sb)).await.unwrap();
    let listed = page["refunds"].as_array().unwrap().iter().find(|r| r["reversal_id"] == json!(reversal_id)).unwrap().clone();
    assert_eq!((listed["status"].clone(), listed["amount"].clone()), (json!("pending"), json!("30.00")));

    sb.decide_reversal(&reversal_id, true).unwrap();
    let detail = call(&client, "transactions.retrieve", json!({"xact_id": xact_id})).await.unwrap();
    assert_eq!(detail["refunded_amount"], json!("30.00"), "{detail}");
    call(&client, "refunds.create", json!({"xact_id": xact_id, "amount": "70"})).await.unwrap();
    sb.stop().await;
}

#[tokio::test]
async fn a_cancelled_capture_leaves_its_pre_auth_capturable() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let auth = sale(&client, "CR-1", "50", "pre_auth").await;
    let capture = call(&client, "payments.capture", json!({"xact_id": auth["xact_id"]})).await.unwrap();
    let reversed = call(&client, "payments.cancel_capture", json!({"xact_id": capture["xact_id"]})).await.unwrap();
    assert_eq!(reversed["is_succeed"], json!(true));
    let again = call(&client, "payments.capture", json!({"xact_id": auth["xact_id"]})).await.unwrap();
    assert_eq!(again["is_succeed"], json!(true));
    sb.stop().await;
}

#[tokio::test]
async fn the_services_record_on_a_payment_and_the_list_walks_every_page_once() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let today = sb.clock().date_naive();
    sb.seed_sales(&SeedSpec { count: 1001, from: today - Days::days(2), to: today, amount: 10_000, seed: 7 }).unwrap();
    let tx = sale(&client, "SV-1", "12.5", "sale").await;
    let xact_id = tx["xact_id"].as_str().unwrap();

    call(&client, "transactions.add_info", json!({"xact_id": xact_id, "note": "gift wrap"})).await.unwrap();
    call(&client, "transactions.mark_transferred", json!({"xact_id": xact_id, "document_no": "INV-1", "exchange_rate": "1.0"})).await.unwrap();
    let detail = call(&client, "transactions.retrieve", json!({"xact_id": xact_id})).await.unwrap();
    assert_eq!((detail["note"].clone(), detail["document_no"].clone(), detail["is_transferred"].clone()), (json!("gift wrap"), json!("INV-1"), json!(true)));
    let slip = call(&client, "transactions.slip", json!({"xact_id": xact_id})).await.unwrap();
    assert!(slip["url"].as_str().unwrap().starts_with(&sb.url()));

    // Every page, as the bindings walk them: starting_after = next_starting_after.
    let mut params = day_span(&sb);
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    loop {
        let page = call(&client, "transactions.list_page", params.clone()).await.unwrap();
        for row in page["transactions"].as_array().unwrap() {
            assert!(seen.insert(row["xact_id"].as_str().unwrap().to_owned()), "a row came twice");
            total += 1;
        }
        match page["next_starting_after"].as_i64() {
            Some(next) => params["starting_after"] = json!(next),
            None => break,
        }
    }
    assert_eq!(total, 1002);
    assert!(seen.contains(xact_id));
    params["untransferred"] = json!(true);
    params.as_object_mut().unwrap().remove("starting_after");
    let first = call(&client, "transactions.list_page", params).await.unwrap();
    assert_eq!(first["total_count"], json!(1001), "the marked one is left out");
    sb.stop().await;
}

#[test]
fn a_cancelled_capture_not_believed_names_no_transaction_to_look_up() {
    let client = Client::new(Config::new("sck_test").unwrap().base_url("http://127.0.0.1:9")).unwrap();
    // A success without its xact_id that echoes the capture's own reference.
    let body = br#"{"is_succeed": true, "code": 0, "agent_reference_no": "ORDER-1"}"#;
    let e = client.read_answer("payments.cancel_capture", json!({"xact_id": "xk_1"}), 200, body).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{e}");
    assert_eq!((e.reference_no.as_deref(), e.xact_id.as_deref()), (None, None), "lookup(error) is refused, not answered about the capture");
}
