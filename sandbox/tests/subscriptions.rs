//! Subscriptions over HTTP, at the wire: both amount forms and their shares, the required
//! fields, billing seen by reads, a manual charge's envelope and invoice numbers.

mod common;

use std::time::Duration;

use common::Env;
use serde_json::{Value, json};

fn plan(reference_no: &str, amounts: Value) -> Value {
    let mut body = json!({
        "name_surname": "Ayşe Yılmaz", "interval": 2, "interval_count": 2, "begin_date": "2031-01-10",
        "reference_no": reference_no, "end_user_email": "a@example.com", "end_user_gsm": "5321234567",
        "end_user_desc": "plan"
    });
    body.as_object_mut().unwrap().extend(amounts.as_object().unwrap().clone());
    body
}

async fn create(env: &Env, reference_no: &str, amounts: Value) -> common::Reply {
    env.post("/v1/subscription/create", &plan(reference_no, amounts)).await
}

async fn detail(env: &Env, reference_no: &str) -> Value {
    let r = env.post("/v1/subscription/subscription_detail", &json!({"reference_no": reference_no})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

const CARD: &str = "5571135571135575";

fn card(pan: &str) -> Value {
    json!({"card_holder": "TEST TEST", "pan": pan, "month": "12", "year": "2035", "cvc": "000"})
}

#[tokio::test]
async fn amounts_come_as_x100_strings_or_decimal_numbers_with_their_shares_alike() {
    let env = Env::start().await;
    let r = create(&env, "S-K", json!({"amount": "9990", "agent_amount": "990", "company_amount": "9000"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = detail(&env, "S-K").await;
    assert_eq!((d["amount"].to_string(), d["agent_amount"].to_string(), d["company_amount"].to_string()), ("99.90".into(), "9.90".into(), "90.00".into()));
    let r = create(&env, "S-D", json!({"amount": 99.90, "agent_amount": 9.90, "company_amount": 90})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(detail(&env, "S-D").await["amount"].to_string(), "99.90");
    // Shares above the amount, in either form, and a share in the other form are refused.
    for (reference_no, amounts) in [
        ("S-X1", json!({"amount": "1000", "agent_amount": "600", "company_amount": "401"})),
        ("S-X2", json!({"amount": 10.00, "agent_amount": 6, "company_amount": 4.01})),
        ("S-X3", json!({"amount": "1000", "company_amount": "1001"})),
        ("S-X4", json!({"amount": "1000", "agent_amount": 5})),
        ("S-X5", json!({"amount": 10, "agent_amount": "500"})),
    ] {
        let r = create(&env, reference_no, amounts.clone()).await;
        common::assert_error(&r, 400, "invalid_request_error", 11);
        assert!(r.json["message"].as_str().unwrap().contains("amount"), "{amounts}: {}", r.text);
    }
    let sub = detail(&env, "S-K").await["subscription_id"].clone();
    let r = env.post("/v1/subscription/create_invoice", &json!({"subscription_id": sub, "val_date": "2031-05-01", "amount": 20.5, "agent_amount": 21})).await;
    common::assert_error(&r, 400, "invalid_request_error", 11);
    let r = env.post("/v1/subscription/amount_update", &json!({"subscription_id": sub, "amount": "500", "agent_amount": "300", "company_amount": "300"})).await;
    common::assert_error(&r, 400, "invalid_request_error", 11);
    let r = env.post("/v1/subscription/amount_update", &json!({"subscription_id": sub, "amount": 12.5, "company_amount": 2.5})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(detail(&env, "S-K").await["amount"].to_string(), "12.50");
}

#[tokio::test]
async fn end_user_desc_is_required() {
    let env = Env::start().await;
    let mut body = plan("S-N", json!({"amount": "1000"}));
    body.as_object_mut().unwrap().remove("end_user_desc");
    let r = env.post("/v1/subscription/create", &body).await;
    common::assert_error(&r, 400, "invalid_request_error", 11);
    assert!(r.text.contains("end_user_desc"), "{}", r.text);
}

#[tokio::test]
async fn a_read_after_midnight_sees_the_day_s_charges_without_a_tick() {
    let env = Env::start().await;
    env.clock(json!({"set": "2031-01-01T09:00:00+03:00"})).await;
    let mut body = plan("S-M", json!({"amount": "1000"}));
    body["begin_date"] = json!("2031-01-02");
    body["interval_count"] = json!(1);
    let url = env.post("/v1/subscription/create", &body).await.json["url"].as_str().unwrap().to_owned();
    env.sandbox.subscribe(&url, &card(CARD)).expect("subscribed");
    // The clock keeps ticking from here: a moment later it is the due day.
    env.clock(json!({"set": "2031-01-01T23:59:59.600+03:00"})).await;
    let list = json!({"reference_no": "S-M"});
    let first = env.post("/v1/subscription/invoice_list", &list).await;
    assert_eq!(first.json["Data"][0]["invoice_status"], json!(0), "{}", first.text);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let later = env.post("/v1/subscription/invoice_list", &list).await;
    assert_eq!(later.json["Data"][0]["invoice_status"], json!(3), "billed when read, no clock move: {}", later.text);
    let check = env.post("/v1/transaction/check", &json!({"reference_no": "S-M-1"})).await;
    assert_eq!(check.status, 200, "{}", check.text);
}

#[tokio::test]
async fn a_manual_charge_with_a_declined_invoice_says_so_in_its_envelope() {
    let env = Env::start().await;
    env.clock(json!({"set": "2031-01-01T09:00:00+03:00"})).await;
    let mut body = plan("S-C", json!({"amount": "1000"}));
    body["is_fixed_price"] = json!(false);
    let url = env.post("/v1/subscription/create", &body).await.json["url"].as_str().unwrap().to_owned();
    env.sandbox.subscribe(&url, &card("4000000000000002")).expect("subscribed");
    let made = env.post("/v1/subscription/create_invoice", &json!({"reference_no": "S-C", "val_date": "2031-06-01", "amount": "2000", "invoice_no": 7})).await;
    assert_eq!((made.status, made.json["data"]["invoice_no"].clone()), (200, json!(7)), "{}", made.text);
    let again = env.post("/v1/subscription/create_invoice", &json!({"reference_no": "S-C", "val_date": "2031-07-01", "amount": "2000", "invoice_no": 7})).await;
    common::assert_error(&again, 400, "invalid_request_error", 5);
    let next = env.post("/v1/subscription/create_invoice", &json!({"reference_no": "S-C", "val_date": "2031-07-01", "amount": "2000"})).await;
    assert_eq!(next.json["data"]["invoice_no"], json!(8), "{}", next.text);
    let r = env.post("/v1/subscription/manual_charge", &json!({"reference_no": "S-C", "invoice_no": 7})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["code"], json!(1), "{}", r.text);
    assert_eq!((r.json["data"][0]["invoice_no"].clone(), r.json["data"][0]["code"].clone()), (json!(7), json!(1)));
}
