//! Core against the sandbox over real HTTP: a monthly plan consented to on
//! the customer's page (3D on the bank's page) and billed for a year as the
//! clock moves, with a card expiring mid-year falling back to the second
//! one; pause, resume and cancel; invoices and cards managed; merchant
//! applications. Every subscription and membership method is called here.

use std::time::Duration;

use chrono::{FixedOffset, TimeZone};
use paynet_core::wire::MoneyWire;
use paynet_core::{Client, Config, ErrorKind, RequestOptions};
use paynet_sandbox::{BankAction, Sandbox};
use serde_json::{Value, json};

const EXPIRING: &[(&str, &str)] = &[("card_holder", "TEST TEST"), ("pan", "4355084355084358"), ("month", "6"), ("year", "2031"), ("cvc", "000")];
const SECOND: &[(&str, &str)] = &[("card_holder", "TEST TEST"), ("pan", "5571135571135575"), ("month", "12"), ("year", "2035"), ("cvc", "000")];

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

fn at(sb: &Sandbox, y: i32, m: u32, d: u32) {
    let ist = FixedOffset::east_opt(3 * 3600).unwrap();
    sb.set_clock(ist.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()).unwrap();
}

fn encode(fields: &[(String, String)]) -> String {
    let enc = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

async fn post_form(url: &str, fields: &[(String, String)]) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encode(fields))
        .send()
        .await
        .unwrap()
}

/// The customer on the page at `url`: card, consent, the bank's 3D page, back.
async fn consent(sb: &Sandbox, url: &str, card: &[(&str, &str)]) {
    let mut fields: Vec<(String, String)> = card.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    fields.push(("consent".into(), "on".into()));
    let page = post_form(url, &fields).await;
    assert_eq!(page.status().as_u16(), 303);
    let post_url = page.headers()["location"].to_str().unwrap().to_owned();
    let back = sb.complete_3d(&post_url, BankAction::Otp("123456".into())).unwrap();
    let done = post_form(&back.return_url, &back.fields).await;
    assert_eq!(done.status().as_u16(), 200);
    assert!(done.text().await.unwrap().contains("card saved"));
}

async fn plan(client: &Client, reference_no: &str, count: u32, begin: &str, extra: Value) -> String {
    let mut params = json!({
        "name_surname": "Ayşe Yılmaz", "amount": "99.90", "interval": "monthly", "interval_count": count,
        "begin_date": begin, "reference_no": reference_no, "end_user_email": "a@example.com",
        "end_user_gsm": "5321234567", "end_user_desc": "plan"
    });
    params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    call(client, "subscriptions.create", params).await.unwrap()["url"].as_str().unwrap().to_owned()
}

async fn invoices(client: &Client, reference_no: &str) -> Vec<Value> {
    let page = call(client, "subscription_invoices.list_page", json!({"reference_no": reference_no, "limit": 100})).await.unwrap();
    page["invoices"].as_array().unwrap().clone()
}

async fn statuses(client: &Client, reference_no: &str) -> Vec<String> {
    invoices(client, reference_no).await.iter().map(|i| i["status"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_year_of_monthly_charges_falls_back_to_the_second_card() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    at(&sb, 2031, 1, 1);
    let url = plan(&client, "RS-1", 12, "2031-01-15", json!({})).await;
    let waiting = call(&client, "subscriptions.retrieve", json!({"reference_no": "RS-1"})).await.unwrap();
    assert_eq!(waiting["status"], json!("waiting"));
    consent(&sb, &url, EXPIRING).await;
    consent(&sb, &url, SECOND).await;
    at(&sb, 2032, 1, 1);
    let year = invoices(&client, "RS-1").await;
    assert!(year.iter().all(|i| i["status"] == json!("paid")), "{year:?}");
    let attempts: Vec<i64> = year.iter().map(|i| i["attempt_count"].as_i64().unwrap()).collect();
    assert_eq!(attempts, [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    let july = call(&client, "transactions.check", json!({"reference_no": "RS-1-7"})).await.unwrap();
    assert_eq!((july["card_no_masked"].as_str().unwrap(), july["amount"].as_str().unwrap()), ("557113******5575", "99.90"));
    let sub = call(&client, "subscriptions.retrieve", json!({"reference_no": "RS-1"})).await.unwrap();
    assert_eq!((sub["status"].as_str(), sub["amount"].as_str()), (Some("active"), Some("99.90")));
    let listed = call(&client, "subscriptions.list_page", json!({"status": "active"})).await.unwrap();
    assert!(listed["subscriptions"].as_array().unwrap().iter().any(|s| s["reference_no"] == json!("RS-1")));
    sb.stop().await;
}

#[tokio::test]
async fn paused_resumed_cancelled_and_charged_by_hand() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    at(&sb, 2031, 1, 1);
    let url = plan(&client, "RS-2", 4, "2031-01-10", json!({})).await;
    consent(&sb, &url, SECOND).await;
    at(&sb, 2031, 1, 11);
    call(&client, "subscriptions.update_status", json!({"reference_no": "RS-2", "status": "passive"})).await.unwrap();
    at(&sb, 2031, 3, 11);
    assert_eq!(statuses(&client, "RS-2").await, ["paid", "waiting", "waiting", "waiting"]);
    call(&client, "subscriptions.update_status", json!({"reference_no": "RS-2", "status": "active"})).await.unwrap();
    assert_eq!(statuses(&client, "RS-2").await, ["paid", "paid", "paid", "waiting"]);
    call(&client, "subscriptions.update_amount", json!({"reference_no": "RS-2", "amount": "50"})).await.unwrap();
    let charged = call(&client, "subscription_invoices.charge", json!({"reference_no": "RS-2", "invoice_no": 4})).await.unwrap();
    assert_eq!(charged["all_paid"], json!(true));
    assert_eq!(call(&client, "transactions.check", json!({"reference_no": "RS-2-4"})).await.unwrap()["amount"], json!("50.00"));
    call(&client, "subscription_invoices.create", json!({"reference_no": "RS-2", "due_date": "2031-09-01", "amount": "10"})).await.unwrap();
    call(&client, "subscription_invoices.update_amount", json!({"reference_no": "RS-2", "invoice_no": 5, "amount": "12"})).await.unwrap();
    let fifth = invoices(&client, "RS-2").await[4].clone();
    assert_eq!(fifth["amount"], json!("12.00"));
    call(&client, "subscription_invoices.update_status", json!({"reference_no": "RS-2", "invoice_no": 5, "status": "external_charged"})).await.unwrap();
    call(&client, "subscription_invoices.create", json!({"reference_no": "RS-2", "due_date": "2031-10-01", "amount": "10"})).await.unwrap();
    call(&client, "subscriptions.update_status", json!({"reference_no": "RS-2", "status": "cancelled"})).await.unwrap();
    at(&sb, 2031, 12, 1);
    assert_eq!(statuses(&client, "RS-2").await, ["paid", "paid", "paid", "paid", "external_charged", "cancelled"]);
    call(&client, "subscription_invoices.update_all_statuses", json!({"reference_no": "RS-2", "status": "deleted"})).await.unwrap();
    let refused = call(&client, "subscriptions.update_status", json!({"reference_no": "RS-2", "status": "active"})).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidRequest, "{refused}");
    call(&client, "subscriptions.send_again", json!({"reference_no": "RS-1-none"})).await.unwrap_err();
    sb.stop().await;
}

#[tokio::test]
async fn cards_added_arranged_linked_renamed_and_removed() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    at(&sb, 2031, 1, 1);
    let url = plan(&client, "RS-3", 2, "2031-02-01", json!({})).await;
    consent(&sb, &url, EXPIRING).await;
    let card = json!({"number": "5571135571135575", "exp_month": 12, "exp_year": 2035, "cvc": "000", "holder_name": "TEST TEST"});
    let session = call(&client, "subscription_cards.add_3d", json!({"reference_no": "RS-3", "return_url": "https://shop.example/r", "card": card, "label": "work"}))
        .await
        .unwrap();
    let back = sb.complete_3d(session["post_url"].as_str().unwrap(), BankAction::Otp("123456".into())).unwrap();
    let field = |name: &str| back.fields.iter().find(|(k, _)| k == name).unwrap().1.clone();
    call(&client, "subscription_cards.complete_add_3d", json!({"session_id": field("session_id"), "token_id": field("token_id")})).await.unwrap();
    let cards = call(&client, "subscription_cards.list", json!({"reference_no": "RS-3"})).await.unwrap();
    let ids: Vec<i64> = cards["cards"].as_array().unwrap().iter().map(|c| c["card_id"].as_i64().unwrap()).collect();
    assert_eq!(cards["cards"][1]["label"], json!("work"));
    call(&client, "subscription_cards.arrange", json!({"reference_no": "RS-3", "card_ids": [ids[1], ids[0]]})).await.unwrap();
    let cards = call(&client, "subscription_cards.list", json!({"reference_no": "RS-3"})).await.unwrap();
    assert_eq!(cards["cards"][0]["card_id"], json!(ids[1]));
    call(&client, "subscription_cards.update_label", json!({"reference_no": "RS-3", "card_id": ids[0], "label": "old"})).await.unwrap();
    plan(&client, "RS-4", 1, "2031-02-01", json!({})).await;
    call(&client, "subscription_cards.link", json!({"reference_no": "RS-4", "card_id": ids[1]})).await.unwrap();
    call(&client, "subscription_cards.delete", json!({"reference_no": "RS-3", "card_id": ids[0]})).await.unwrap();
    let left = call(&client, "subscription_cards.list", json!({"reference_no": "RS-3"})).await.unwrap();
    assert_eq!(left["cards"].as_array().unwrap().len(), 1);
    // The card leaves no trace in what core returns: masked only.
    assert!(!left.to_string().contains("5571135571135575"));
    sb.stop().await;
}

#[tokio::test]
async fn a_dealer_applies_and_reads_its_documents() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let made = call(&client, "memberships.create", json!({
        "contact_gsm_no": "5321234567", "contact_name": "Ayşe", "contact_surname": "Yılmaz",
        "contact_mail": "a@example.com", "company_name": "Bayi 1", "agent_reference": "B-1"
    }))
    .await
    .unwrap();
    let got = call(&client, "memberships.retrieve", json!({"agent_reference": "B-1"})).await.unwrap();
    assert_eq!(got["id"], made["id"]);
    let commercial = call(&client, "memberships.document_types", json!({"form_type": "commercial"})).await.unwrap();
    let all = call(&client, "memberships.all_document_types", json!({})).await.unwrap();
    assert!(all["document_types"].as_array().unwrap().len() > commercial["document_types"].as_array().unwrap().len());
    sb.stop().await;
}

#[tokio::test]
async fn the_older_docs_decimal_amounts_and_shares_reach_the_sandbox() {
    let sb = Sandbox::start().await.unwrap();
    let config = Config::new(sb.secret_key()).unwrap().base_url(sb.url());
    let decimal = Client::new(config.subscription_amount_format(MoneyWire::DecimalNumber)).unwrap();
    at(&sb, 2031, 1, 1);
    let url = plan(&decimal, "RS-D", 2, "2031-01-10", json!({"agent_amount": "9.90", "company_amount": "90"})).await;
    let sub = call(&decimal, "subscriptions.retrieve", json!({"reference_no": "RS-D"})).await.unwrap();
    assert_eq!(sub["amount"], json!("99.90"));
    let other: Value = serde_json::from_str(sub["other_fields"].as_str().unwrap()).unwrap();
    assert_eq!((other["agent_amount"].to_string(), other["company_amount"].to_string()), ("9.90".to_owned(), "90.00".to_owned()));
    consent(&sb, &url, SECOND).await;
    call(&decimal, "subscription_invoices.create", json!({"reference_no": "RS-D", "due_date": "2031-06-01", "amount": "12.34", "agent_amount": "2"}))
        .await
        .unwrap();
    let amounts = |invoices: Vec<Value>| invoices.iter().map(|i| i["amount"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(amounts(invoices(&decimal, "RS-D").await), ["99.90", "99.90", "12.34"]);
    call(&decimal, "subscriptions.update_amount", json!({"reference_no": "RS-D", "amount": "50.50", "company_amount": "50.50"})).await.unwrap();
    assert_eq!(amounts(invoices(&decimal, "RS-D").await), ["50.50", "50.50", "50.50"]);
    // Shares above the amount are refused before sending, named.
    let sent = sb.stats().requests;
    let e = call(&decimal, "subscriptions.update_amount", json!({"reference_no": "RS-D", "amount": "10", "agent_amount": "6", "company_amount": "5"}))
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::InvalidRequest, Some("company_amount")));
    assert_eq!(sb.stats().requests, sent, "the refused update was not sent");
    sb.stop().await;
}

#[tokio::test]
async fn a_manual_charge_with_declined_invoices_lists_them_and_a_new_invoice_is_read_back() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    at(&sb, 2031, 1, 1);
    let url = plan(&client, "RS-F", 1, "2031-01-10", json!({"is_fixed_price": false})).await;
    let declined = &[("card_holder", "TEST TEST"), ("pan", "4000000000000002"), ("month", "12"), ("year", "2035"), ("cvc", "000")];
    consent(&sb, &url, declined).await;
    let made = call(&client, "subscription_invoices.create", json!({"reference_no": "RS-F", "due_date": "2031-05-01", "amount": "20", "invoice_no": 7})).await.unwrap();
    assert_eq!((made["invoice_no"].clone(), made["status"].clone(), made["amount"].clone()), (json!(7), json!("waiting"), json!("20.00")));
    assert_eq!(made["reference_no"], json!("RS-F"));
    let charged = call(&client, "subscription_invoices.charge", json!({"reference_no": "RS-F", "invoice_no": 7})).await.unwrap();
    assert_eq!(charged["all_paid"], json!(false), "{charged}");
    assert_eq!(charged["failed"][0]["invoice_no"], json!(7));
    assert_ne!(charged["failed"][0]["result_code"], json!(0));
    sb.stop().await;
}

#[tokio::test]
async fn a_card_added_through_3d_is_answered_and_card_changes_are_never_resent() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    at(&sb, 2031, 1, 1);
    let url = plan(&client, "RS-C", 2, "2031-02-01", json!({})).await;
    consent(&sb, &url, EXPIRING).await;
    let card = json!({"number": "5571135571135575", "exp_month": 12, "exp_year": 2035, "cvc": "000", "holder_name": "TEST TEST"});
    let session = call(&client, "subscription_cards.add_3d", json!({"reference_no": "RS-C", "return_url": "https://shop.example/r", "card": card, "label": "work"}))
        .await
        .unwrap();
    let back = sb.complete_3d(session["post_url"].as_str().unwrap(), BankAction::Otp("123456".into())).unwrap();
    let field = |name: &str| back.fields.iter().find(|(k, _)| k == name).unwrap().1.clone();
    let added = call(&client, "subscription_cards.complete_add_3d", json!({"session_id": field("session_id"), "token_id": field("token_id")})).await.unwrap();
    assert_eq!((added["card_no_masked"].clone(), added["label"].clone(), added["order_no"].clone()), (json!("557113******5575"), json!("work"), json!(2)));
    assert_eq!(added["reference_no"], json!("RS-C"));
    let card_id = added["card_id"].as_i64().unwrap();
    let sub_id = call(&client, "subscriptions.retrieve", json!({"reference_no": "RS-C"})).await.unwrap()["subscription_id"].clone();
    for (method, path, params) in [
        ("subscription_cards.update_label", "v1/subscription/card_info_label_update", json!({"subscription_id": sub_id, "card_id": card_id, "label": "x"})),
        ("subscription_cards.arrange", "v1/subscription/card_info_arrange", json!({"subscription_id": sub_id, "card_ids": [card_id]})),
    ] {
        sb.set_faults_json(&json!({"rules": [{"kind": "status", "status": 502, "count": 1, "when": "after", "path": path}]})).unwrap();
        let before = sb.stats().requests;
        let e = call(&client, method, params).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{method}: {e}");
        assert_eq!(sb.stats().requests - before, 1, "{method} was sent again");
        // The remedy names the subscription the call named.
        assert!(e.message.contains(&format!("subscription_id {sub_id}")), "{}", e.message);
        assert!(!e.message.contains("{") && !e.message.contains("(...)"), "{}", e.message);
    }
    sb.stop().await;
}

#[tokio::test]
async fn the_request_hook_reports_the_path_an_option_chose() {
    let sb = Sandbox::start().await.unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let hook = std::sync::Arc::clone(&seen);
    let config = Config::new(sb.secret_key())
        .unwrap()
        .base_url(sb.url())
        .path_override("v1/subscription/amount_update", "v1/subcription/amount_update")
        .path_override("v1/subscription/manual_charge", "v1/subscription/manuel_charge")
        .on_request(std::sync::Arc::new(move |e| hook.lock().unwrap().push((e.operation.to_owned(), e.path.to_owned()))));
    let client = Client::new(config).unwrap();
    at(&sb, 2031, 1, 1);
    let url = plan(&client, "RS-H", 1, "2031-01-10", json!({})).await;
    consent(&sb, &url, SECOND).await;
    call(&client, "subscriptions.update_amount", json!({"reference_no": "RS-H", "amount": "10"})).await.unwrap();
    call(&client, "subscription_invoices.charge", json!({"reference_no": "RS-H"})).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains(&("subscriptions.update_amount".to_owned(), "v1/subcription/amount_update".to_owned())), "{seen:?}");
    assert!(seen.contains(&("subscription_invoices.charge".to_owned(), "v1/subscription/manuel_charge".to_owned())), "{seen:?}");
    sb.stop().await;
}
