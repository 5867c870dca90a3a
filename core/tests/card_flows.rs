//! Saved cards against the sandbox over real HTTP: save (its 1 TL pre-auth
//! and void in the ledger), list, pay with the hash through every payment
//! method, rename, delete, and the deleted hash refused.

#![allow(clippy::result_large_err)] // core::Error is large by design (it carries the transaction)

use std::time::Duration;

use paynet_core::{Client, Config, ErrorKind, RequestOptions};
use paynet_sandbox::{BankAction, Sandbox, SandboxConfig};
use serde_json::{Value, json};

const CARD: &str = "4355084355084358";

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

fn card(pan: &str) -> Value {
    json!({"number": pan, "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"})
}

async fn ledger(sb: &Sandbox) -> Vec<Value> {
    let body: Value = reqwest::get(format!("{}/__sandbox/ledger", sb.url())).await.unwrap().json().await.unwrap();
    body["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn save_list_pay_rename_delete() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);

    let saved = call(&client, "cards.save", json!({"card": card(CARD), "card_desc": "My Visa", "user_unique_id": "customer-7"})).await.unwrap();
    let owner = saved["card_owner_id"].as_str().unwrap().to_owned();
    let hash = saved["card_hash"].as_str().unwrap().to_owned();
    assert_eq!((saved["card_no_masked"].as_str(), saved["card_desc"].as_str()), (Some("435508******4358"), Some("My Visa")));
    assert!(!saved.to_string().contains(CARD), "{saved}");
    // The bank verified the card with 1 TL, voided at once.
    let rows = ledger(&sb).await;
    let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r["xact_type"].as_str().unwrap(), r["amount"].as_str().unwrap_or(""))).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0]["xact_type"].clone(), rows[1]["xact_type"].clone()), (json!("PR"), json!("RP")), "{kinds:?}");
    assert_eq!(rows[1]["parent_id"], rows[0]["id"]);

    // A second card for the same customer names the owner Paynet issued.
    let second = call(&client, "cards.save", json!({"card": card("5571135571135575"), "card_desc": "Work", "card_owner_id": owner})).await.unwrap();
    assert_eq!(second["card_owner_id"].as_str(), Some(owner.as_str()));
    assert_eq!(second["user_unique_id"].as_str(), Some("customer-7"));
    let page = call(&client, "cards.list_page", json!({"card_owner_id": owner})).await.unwrap();
    let listed: Vec<&str> = page["cards"].as_array().unwrap().iter().map(|c| c["card_hash"].as_str().unwrap()).collect();
    assert_eq!(listed, [hash.as_str(), second["card_hash"].as_str().unwrap()]);
    assert_eq!(page["has_more"], json!(false));
    let one = call(&client, "cards.list_page", json!({"card_owner_id": owner, "limit": 1})).await.unwrap();
    assert_eq!((one["has_more"].clone(), one["next_starting_after"].clone()), (json!(true), json!(1)));

    // Pay with the hash: non-3D, 3D and Paynet.js.
    let saved_card = json!({"card_hash": hash, "card_owner_id": owner});
    let mut sale = json!({"amount": "25", "reference_no": "SAVED-1", "domain": "shop.example.com"});
    sale.as_object_mut().unwrap().extend(saved_card.as_object().unwrap().clone());
    let tx = call(&client, "payments.create", sale.clone()).await.unwrap();
    assert_eq!((tx["is_succeed"].clone(), tx["card_no_masked"].clone()), (json!(true), json!("435508******4358")));
    let mut tds = sale.clone();
    tds["reference_no"] = json!("SAVED-3D");
    tds["return_url"] = json!("https://shop.example.com/3d-return");
    let session = call(&client, "payments.create_3d", tds).await.unwrap();
    let posted = sb.complete_3d(session["session_id"].as_str().unwrap(), BankAction::Otp("123456".into())).unwrap();
    let field = |name: &str| posted.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
    let tx = call(&client, "payments.complete_3d", json!({"session_id": field("session_id"), "token_id": field("token_id")})).await.unwrap();
    assert_eq!(tx["is_succeed"], json!(true));
    let js = sb
        .paynetjs_session(&json!({"amount": "1500", "card_hash": hash, "card_owner_id": owner}))
        .unwrap();
    let tx = call(&client, "payments.charge", json!({"session_id": js["session_id"], "token_id": js["token_id"], "amount": "15", "reference_no": "SAVED-JS"}))
        .await
        .unwrap();
    assert_eq!((tx["is_succeed"].clone(), tx["amount"].clone()), (json!(true), json!("15.00")));
    // Another customer's owner id does not unlock the card.
    let mut stolen = sale.clone();
    stolen["reference_no"] = json!("SAVED-X");
    stolen["card_owner_id"] = json!("00000000-0000-4000-0000-000000000000");
    assert_eq!(call(&client, "payments.create", stolen).await.unwrap_err().kind, ErrorKind::InvalidRequest);

    call(&client, "cards.update_description", json!({"card_owner_id": owner, "card_hash": hash, "card_desc": "Old Visa"})).await.unwrap();
    let page = call(&client, "cards.list_page", json!({"card_owner_id": owner})).await.unwrap();
    assert_eq!(page["cards"][0]["card_desc"], json!("Old Visa"));

    call(&client, "cards.delete", json!({"card_owner_id": owner, "card_hash": hash})).await.unwrap();
    let page = call(&client, "cards.list_page", json!({"card_owner_id": owner})).await.unwrap();
    assert_eq!(page["cards"].as_array().unwrap().len(), 1);
    let mut after = sale.clone();
    after["reference_no"] = json!("SAVED-2");
    let e = call(&client, "payments.create", after).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::InvalidRequest, Some(18)), "{e}");
    let e = call(&client, "cards.delete", json!({"card_owner_id": owner, "card_hash": hash})).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::InvalidRequest, Some(25)), "{e}");
    sb.stop().await;
}

#[tokio::test]
async fn a_declined_verification_saves_nothing() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let e = call(&client, "cards.save", json!({"card": card("4000000000009995"), "card_desc": "Empty", "user_unique_id": "customer-8"})).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::Api, Some(1)), "{e}");
    let rows = ledger(&sb).await;
    assert_eq!((rows.len(), rows[0]["is_succeed"].clone()), (1, json!(false)), "{rows:?}");
    // No owner was issued for the customer either.
    let e = call(&client, "cards.save", json!({"card": card(CARD), "card_desc": "x", "card_owner_id": "nobody"})).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    sb.stop().await;
}

#[tokio::test]
async fn an_otp_merchant_saves_after_the_code_is_checked() {
    let sb = Sandbox::start_with(SandboxConfig { require_card_otp: true, ..Default::default() }).await.unwrap();
    let client = client_for(&sb);
    let save = json!({"card": card(CARD), "card_desc": "My Visa", "user_unique_id": "customer-9", "otp_session_id": "otp-1"});
    assert_eq!(call(&client, "cards.save", save.clone()).await.unwrap_err().kind, ErrorKind::InvalidRequest);
    let sent = call(&client, "cards.send_otp", json!({"user_gsm": "5321234567", "otp_session_id": "otp-1"})).await.unwrap();
    assert!(sent["expires_at"].as_str().is_some_and(|t| t.ends_with("+03:00")), "{sent}");
    let wrong = call(&client, "cards.check_otp", json!({"otp_code": "000000", "otp_session_id": "otp-1", "user_gsm": "5321234567"})).await.unwrap_err();
    assert_eq!((wrong.kind, wrong.result_code), (ErrorKind::Api, Some(1)), "{wrong}");
    call(&client, "cards.check_otp", json!({"otp_code": "123456", "otp_session_id": "otp-1", "user_gsm": "5321234567"})).await.unwrap();
    let saved = call(&client, "cards.save", save).await.unwrap();
    assert!(saved["card_hash"].as_str().is_some_and(|h| h.starts_with("pch_")));
    // An expired code is refused.
    call(&client, "cards.send_otp", json!({"user_gsm": "5321234567", "otp_session_id": "otp-2"})).await.unwrap();
    sb.advance_clock(Duration::from_secs(181)).unwrap();
    let late = call(&client, "cards.check_otp", json!({"otp_code": "123456", "otp_session_id": "otp-2", "user_gsm": "5321234567"})).await.unwrap_err();
    assert_eq!(late.kind, ErrorKind::Api, "{late}");
    sb.stop().await;
}

#[test]
fn bad_card_requests_are_refused_before_sending() {
    let client = Client::new(Config::new("sck_test").unwrap().base_url("http://127.0.0.1:9")).unwrap();
    let e = client.prepare_value("cards.save", json!({"card": card(CARD), "card_desc": "x"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("card_owner_id"), "{e}");
    let e = client.prepare_value("cards.send_otp", json!({"user_gsm": "05321234567", "otp_session_id": "a"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("user_gsm"), "{e}");
    let prepared = client.prepare_value("cards.save", json!({"card": card(CARD), "card_desc": "x", "user_unique_id": "u"})).unwrap();
    let shown = format!("{prepared:?}");
    assert!(!shown.contains(CARD) && !shown.contains("\"000\""), "{shown}");
}

#[test]
fn the_otp_code_stays_out_of_debug_and_errors() {
    const CODE: &str = "918273";
    let check = json!({"otp_code": CODE, "otp_session_id": "otp-1", "user_gsm": "5321234567"});
    let params: paynet_core::endpoints::cards::CheckCardOtpParams = serde_json::from_value(check.clone()).unwrap();
    assert!(!format!("{params:?}").contains(CODE), "{params:?}");
    let client = Client::new(Config::new("sck_test").unwrap().base_url("http://127.0.0.1:9")).unwrap();
    let prepared = client.prepare_value("cards.check_otp", check.clone()).unwrap();
    assert_eq!(prepared.body["otp_code"], CODE, "sent as typed");
    assert!(!format!("{prepared:?}").contains(CODE), "{prepared:?}");
    // An answer that repeats the code (a broken gateway): masked in the error.
    let echo = serde_json::to_vec(&json!({"type": "api_error", "message": format!("wrong code {CODE}"), "code": 400, "result_code": 1})).unwrap();
    let e = client.read_answer("cards.check_otp", check, 400, &echo).unwrap_err();
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains(CODE) && shown.contains("[redacted key]"), "{shown}");
}

/// The remedy an unknown first save names works: a second save with the same
/// `user_unique_id` answers the customer's `card_owner_id`, whose list shows
/// the duplicate to delete.
#[tokio::test]
async fn an_unknown_first_save_is_settled_by_the_user_unique_id() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let first = json!({"card": card(CARD), "card_desc": "My Visa", "user_unique_id": "customer-11"});
    let e = client.read_answer("cards.save", first.clone(), 502, b"").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{e}");
    assert!(e.message.contains("same user_unique_id") && e.message.contains("cards.delete") && !e.message.contains("this one"), "{e}");
    // The first save went through, though its answer was lost.
    let lost = call(&client, "cards.save", first.clone()).await.unwrap();
    let again = call(&client, "cards.save", first).await.unwrap();
    assert_eq!(again["card_owner_id"], lost["card_owner_id"]);
    let owner = again["card_owner_id"].as_str().unwrap();
    let listed = call(&client, "cards.list_page", json!({"card_owner_id": owner})).await.unwrap();
    assert_eq!(listed["cards"].as_array().unwrap().len(), 2, "{listed}");
    call(&client, "cards.delete", json!({"card_owner_id": owner, "card_hash": lost["card_hash"]})).await.unwrap();
    let listed = call(&client, "cards.list_page", json!({"card_owner_id": owner})).await.unwrap();
    assert_eq!(listed["cards"].as_array().unwrap().len(), 1, "{listed}");
    sb.stop().await;
}

/// A verified OTP session is good for one save, and three wrong codes kill it.
#[tokio::test]
async fn an_otp_session_saves_once_and_dies_after_three_wrong_codes() {
    let sb = Sandbox::start_with(SandboxConfig { require_card_otp: true, ..Default::default() }).await.unwrap();
    let client = client_for(&sb);
    let check = |code: &str, session: &str| json!({"otp_code": code, "otp_session_id": session, "user_gsm": "5321234567"});
    call(&client, "cards.send_otp", json!({"user_gsm": "5321234567", "otp_session_id": "otp-once"})).await.unwrap();
    call(&client, "cards.check_otp", check("123456", "otp-once")).await.unwrap();
    let save = json!({"card": card(CARD), "card_desc": "My Visa", "user_unique_id": "customer-12", "otp_session_id": "otp-once"});
    call(&client, "cards.save", save.clone()).await.unwrap();
    let again = call(&client, "cards.save", save).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidRequest, "the session was used up: {again}");

    call(&client, "cards.send_otp", json!({"user_gsm": "5321234567", "otp_session_id": "otp-guess"})).await.unwrap();
    for _ in 0..3 {
        let wrong = call(&client, "cards.check_otp", check("000000", "otp-guess")).await.unwrap_err();
        assert_eq!(wrong.result_code, Some(1), "{wrong}");
    }
    let dead = call(&client, "cards.check_otp", check("123456", "otp-guess")).await.unwrap_err();
    assert!(dead.message.contains("too many wrong codes"), "{dead}");
    sb.stop().await;
}

/// The card answers show the holder's name masked, as the reference's example does.
#[tokio::test]
async fn card_answers_mask_the_holder() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let saved = call(&client, "cards.save", json!({"card": card(CARD), "card_desc": "My Visa", "user_unique_id": "customer-13"})).await.unwrap();
    assert_eq!(saved["card_holder"], "TE** TE**", "{saved}");
    let listed = call(&client, "cards.list_page", json!({"card_owner_id": saved["card_owner_id"]})).await.unwrap();
    assert_eq!(listed["cards"][0]["card_holder"], "TE** TE**", "{listed}");
    sb.stop().await;
}
