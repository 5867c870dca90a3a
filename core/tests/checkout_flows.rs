//! Core against the sandbox over real HTTP: the 3D Secure round trip and a
//! paid PayLink whose confirmation post is verified, forged ones refused.

#![allow(clippy::result_large_err)] // core::Error is large by design (it carries the transaction)

use std::time::Duration;

use paynet_core::{Client, Config, ErrorKind, RequestOptions};
use paynet_sandbox::{BankAction, Sandbox};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

fn start_params(reference_no: &str, pan: &str) -> Value {
    json!({
        "amount": "150", "reference_no": reference_no, "domain": "shop.example.com",
        "card": {"number": pan, "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"},
        "return_url": "https://shop.example.com/3d-return",
    })
}

/// The bank's post, as a form a framework would hand over.
fn form(fields: &[(String, String)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

fn pair(fields: &[(String, String)]) -> Value {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
    json!({"session_id": get("session_id"), "token_id": get("token_id")})
}

#[tokio::test]
async fn a_3d_sale_charges_once_and_a_cancelled_one_charges_nothing() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let session = call(&client, "payments.create_3d", start_params("3D-1", "4355084355084358")).await.unwrap();
    let post_url = session["post_url"].as_str().unwrap();
    assert!(post_url.starts_with(&sb.url()), "{post_url}");
    let before = sb.stats().ledger_entries;
    let posted = sb.complete_3d(session["session_id"].as_str().unwrap(), BankAction::Otp("123456".into())).unwrap();
    assert!(form(&posted.fields)["md_status"] == "1");
    let tx = call(&client, "payments.complete_3d", pair(&posted.fields)).await.unwrap();
    assert_eq!((tx["is_succeed"].clone(), tx["is_tds"].clone(), tx["amount"].clone()), (json!(true), json!(true), json!("150.00")));
    let again = call(&client, "payments.complete_3d", pair(&posted.fields)).await.unwrap();
    assert_eq!((again["replayed"].clone(), again["xact_id"].clone()), (json!(true), tx["xact_id"].clone()));
    assert_eq!(sb.stats().ledger_entries, before + 1, "one charge for the pair, however often it is completed");

    let session = call(&client, "payments.create_3d", start_params("3D-2", "4355084355084358")).await.unwrap();
    let posted = sb.complete_3d(session["session_id"].as_str().unwrap(), BankAction::Cancel).unwrap();
    let e = call(&client, "payments.complete_3d", pair(&posted.fields)).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::ThreeDSecureFailed, Some(16)), "{e}");
    assert!(e.transaction.as_ref().is_some_and(|t| !t.is_succeed));
    let looked = call(&client, "transactions.lookup", json!({"reference_no": "3D-2"})).await.unwrap();
    assert!(looked.is_null() || looked["is_succeed"] == json!(false), "{looked}");
    sb.stop().await;
}

/// A shop's `confirmation_url`: answers 200 and hands over the first body.
async fn confirmation_listener() -> (String, tokio::sync::oneshot::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/paynet/confirm", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                    .unwrap_or(0);
                if body.len() >= length {
                    socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await.unwrap();
                    let _ = tx.send(body[..length].to_owned());
                    return;
                }
            }
            if n == 0 {
                return;
            }
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_paid_paylinks_confirmation_verifies_and_forgeries_do_not() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let (url, posted) = confirmation_listener().await;
    let link = call(&client, "pay_links.create", json!({"name_surname": "TEST TEST", "amount": "99.9", "reference_no": "LINK-1", "confirmation_url": url}))
        .await
        .unwrap();
    let card = json!({"card_holder": "TEST TEST", "pan": "4355084355084358", "month": 12, "year": 2045, "cvc": "000"});
    let paid = sb.pay_link(link["url"].as_str().unwrap(), &card).await.unwrap();
    assert_eq!(paid["is_succeed"], json!(true));
    let body = tokio::time::timeout(Duration::from_secs(5), posted).await.unwrap().unwrap();

    let verified = call(&client, "pay_links.verify_confirmation", json!({"body": body})).await.unwrap();
    assert_eq!((verified["reference_no"].clone(), verified["amount"].clone()), (json!("LINK-1"), json!("99.90")));
    assert_eq!(verified["transaction"]["xact_id"], verified["xact_id"]);

    let post: Value = serde_json::from_str(&body).unwrap();
    for (field, forged) in [
        ("amount", json!({"amount": 1})),
        ("is_succeed", json!({"is_succeed": false})),
        ("reference_no", json!({"referance_no": "NO-SUCH-ORDER"})),
    ] {
        let mut fake = post.clone();
        for (k, v) in forged.as_object().unwrap() {
            fake[k] = v.clone();
        }
        let e = call(&client, "pay_links.verify_confirmation", json!({"body": fake.to_string()})).await.unwrap_err();
        assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::ConfirmationMismatch, Some(field)), "{e}");
    }
    let detail = call(&client, "pay_links.retrieve", json!({"reference_no": "LINK-1"})).await.unwrap();
    assert_eq!((detail["status"].clone(), detail["xact_id"].clone()), (json!("paid"), verified["xact_id"].clone()));
    sb.stop().await;
}

/// What `verify_confirmation` makes of check answers it cannot trust the post against.
#[test]
fn a_confirmation_is_refused_unless_one_paid_unreversed_sale_matches() {
    let client = Client::new(Config::new("sck_test_confirmations_00000000").unwrap()).unwrap();
    let post = json!({"referance_no": "LINK-9", "amount": 99.9, "is_succeed": true, "agent_id": "FORGED", "card_number": "4355084355084358"}).to_string();
    let verify = |rows: Value| client.read_answer("pay_links.verify_confirmation", json!({"body": post}), 200, json!({"code": 0, "Data": rows}).to_string().as_bytes());
    let sale = json!({"xact_id": "xk_1", "reference_no": "LINK-9", "is_succeed": true, "amount": 99.90, "agent_id": "1001", "transaction_type": 1, "card_no": "435508******4358"});

    let ok = verify(json!([sale])).unwrap();
    // Paynet's record, not the post: the forged agent and the full card number are gone.
    assert_eq!((ok["agent_id"].clone(), ok["card_number"].clone(), ok["xact_id"].clone()), (json!("1001"), json!("435508******4358"), json!("xk_1")));

    let field = |rows: Value| verify(rows).unwrap_err().field;
    let mut reversed = sale.clone();
    reversed["reversed"] = json!(true);
    assert_eq!(field(json!([reversed])).as_deref(), Some("reversed"));
    let mut pre_auth = sale.clone();
    pre_auth["transaction_type"] = json!(3);
    assert_eq!(field(json!([pre_auth])).as_deref(), Some("transaction_type"));
    let mut other = sale.clone();
    other["xact_id"] = json!("xk_2");
    assert_eq!(field(json!([sale, other])).as_deref(), Some("xact_id"), "two payments and no xact_id to choose by");
    assert_eq!(field(json!([])).as_deref(), Some("reference_no"));

    // A check row that echoes only agent_reference (which add_info can change) is no other payment.
    let mut renamed = sale.clone();
    renamed.as_object_mut().unwrap().remove("reference_no");
    renamed["agent_reference"] = json!("SHOP-REF");
    assert!(verify(json!([renamed])).is_ok());

    let no_amount = json!({"referance_no": "LINK-9", "is_succeed": true}).to_string();
    let e = client.read_answer("pay_links.verify_confirmation", json!({"body": no_amount}), 200, b"{}").unwrap_err();
    assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::InvalidRequest, Some("body")));
}

/// A refund answer only counts with code 0; Paynet's own trouble codes may hide a taken request.
#[test]
fn a_refund_answer_without_code_zero_is_no_success() {
    let client = Client::new(Config::new("sck_test_refund_answers_0000000").unwrap()).unwrap();
    let read = |body: Value| client.read_answer("refunds.create", json!({"xact_id": "xk_1"}), 200, body.to_string().as_bytes());
    assert!(read(json!({"code": 0, "object_name": "transaction_reversed_request"})).is_ok());
    for body in [json!({}), json!({"code": 8}), json!({"code": 10}), json!({"code": 100})] {
        let e = read(body.clone()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{body}");
        assert!(e.xact_id.is_none() && e.message.contains("refunds.list"), "{e}");
    }
    assert_eq!(read(json!({"code": 11, "message": "no"})).unwrap_err().kind, ErrorKind::Api);
}
