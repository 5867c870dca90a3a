//! The transport against a hostile network, over real TCP on loopback: a
//! scripted server answers what a broken proxy, a lossy link or a forged
//! answer would. Each test is a defect that once let money or card data go
//! astray (issue 9).

#[path = "hostile/server.rs"]
mod server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_core::{Client, Config, Environment, Error, ErrorKind, RequestOptions};
use serde_json::{json, Value};
use server::{json as answer, response, Reply};

const KEY: &str = "sck_hostile_Q7w8e9r0t1y2u3i4";
const PAN: &str = "4355084355084358";
const CVC: &str = "987";

fn config(url: &str) -> Config {
    Config::new(KEY).unwrap().base_url(url).retry_initial_delay(Duration::from_millis(10)).timeout(Duration::from_secs(5))
}

fn client(url: &str) -> Client {
    Client::new(config(url)).unwrap()
}

fn payment(reference_no: &str) -> Value {
    json!({
        "amount": "10.00", "reference_no": reference_no, "domain": "shop.example.com",
        "card": {"number": PAN, "exp_month": 12, "exp_year": 2045, "cvc": CVC, "holder_name": "TEST TEST"},
    })
}

fn charge(reference_no: &str) -> Value {
    json!({"session_id": "ses_1", "token_id": "tok_1", "amount": "10", "reference_no": reference_no})
}

fn capture() -> Value {
    json!({"xact_id": "xk_preauth_1", "amount": "5"})
}

fn check(reference_no: &str) -> Value {
    json!({"reference_no": reference_no})
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

fn success(reference_no: &str) -> String {
    json!({"is_succeed": true, "code": 0, "xact_id": "xk_ok_1", "xact_date": "2026-12-01T10:00:00+03:00", "reference_no": reference_no, "amount": 10})
        .to_string()
}

/// Every text of an error a user or a log can see.
fn shown(e: &Error) -> String {
    format!("{e} {e:?}")
}

#[tokio::test]
async fn redirects_are_never_followed() {
    let elsewhere = server::start(|_, _| answer(200, &success("R-REDIR"))).await;
    for status in [301u16, 302, 303, 307, 308] {
        let location = format!("{}/v2/transaction/payment", elsewhere.url);
        let origin = server::start(move |_, _| response(status, &[("Location", &location)], b"")).await;
        let client = client(&origin.url);

        let e = call(&client, "payments.create", payment("R-REDIR")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{status}: {e}");
        assert_eq!((e.http_status, e.reference_no.as_deref()), (Some(status), Some("R-REDIR")));
        assert!(e.message.contains("redirect"), "{e}");

        let e = call(&client, "transactions.check", check("R-REDIR")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol, "{status}: {e}");
        assert_eq!(origin.count(), 2, "{status}: a redirect is not a reason to resend");
    }
    assert_eq!(elsewhere.count(), 0, "nothing may reach the redirect's target");
}

#[tokio::test]
async fn server_errors_after_a_money_moving_call_are_unknown_outcomes() {
    let bad_gateway = server::start(|_, _| response(502, &[("Content-Type", "text/html")], b"<html>502 Bad Gateway</html>")).await;
    let client = client(&bad_gateway.url);

    let e = call(&client, "payments.charge", charge("R-CHARGE")).await.unwrap_err();
    assert_eq!((e.kind, e.http_status, e.reference_no.as_deref()), (ErrorKind::UnknownOutcome, Some(502), Some("R-CHARGE")));
    assert!(!e.message.contains("repeating it is safe") && e.message.contains("lookup"), "{e}");
    assert_eq!(bad_gateway.count(), 1, "a charge is never resent");

    let e = call(&client, "payments.capture", capture()).await.unwrap_err();
    assert_eq!((e.kind, e.xact_id.as_deref()), (ErrorKind::UnknownOutcome, Some("xk_preauth_1")));
    assert_eq!(bad_gateway.count(), 2, "a capture is never resent");

    // Deduplicated by reference: resent, and still not a plain API error at the end.
    let e = call(&client, "payments.create", payment("R-PAY")).await.unwrap_err();
    assert_eq!((e.kind, e.reference_no.as_deref()), (ErrorKind::UnknownOutcome, Some("R-PAY")));
    assert!(e.message.contains("same reference_no"), "{e}");
    assert_eq!(bad_gateway.count(), 5, "two retries");

    // Read-only: what it looks like.
    let e = call(&client, "transactions.check", check("R-PAY")).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::Api, Some(502)));
}

#[tokio::test]
async fn a_connection_lost_after_sending_is_an_unknown_outcome_for_money_moving_calls() {
    let hang_up = server::start(|_, _| Reply::HangUp).await;
    let client = client(&hang_up.url);
    let e = call(&client, "payments.charge", charge("R-HUP")).await.unwrap_err();
    assert_eq!((e.kind, e.reference_no.as_deref()), (ErrorKind::UnknownOutcome, Some("R-HUP")), "{e}");
    assert_eq!(hang_up.count(), 1);
    let e = call(&client, "payments.create", payment("R-HUP2")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{e}");
    let e = call(&client, "transactions.check", check("R-HUP")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(e.message.contains("read-only"), "{e}");

    // A body cut short of its Content-Length.
    let truncated = server::start(|_, _| Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n{\"is_succeed\": tr".to_vec())).await;
    let e = call(&client_for(&truncated), "payments.capture", capture()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{e}");

    // No answer within the deadline.
    let silent = server::start(|_, _| Reply::Never).await;
    let quick = RequestOptions::timeout(Duration::from_millis(300));
    let e = client_for(&silent).call_value("payments.charge", charge("R-SLOW"), &quick).await.unwrap_err();
    assert_eq!((e.kind, e.reference_no.as_deref()), (ErrorKind::UnknownOutcome, Some("R-SLOW")));
    let e = client_for(&silent).call_value("payments.create", payment("R-SLOW2"), &quick).await.unwrap_err();
    assert_eq!((e.kind, e.reference_no.as_deref()), (ErrorKind::Timeout, Some("R-SLOW2")));
}

fn client_for(server: &server::Server) -> Client {
    client(&server.url)
}

#[tokio::test]
async fn a_request_that_never_left_says_so_and_names_the_cause() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::new(config(&format!("http://127.0.0.1:{port}")).max_retries(0)).unwrap();
    let e = call(&client, "payments.charge", charge("R-REFUSED")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection);
    assert!(e.message.contains("refused") && e.message.contains("not sent"), "{e}");
    assert!(!e.message.contains("client error (Connect)\u{29};"), "{e}");
}

#[tokio::test]
async fn success_answers_are_not_believed_blindly() {
    // A success that lacks what every success has says the money moved but
    // not how: unknown_outcome, with the reference to look it up by.
    let forged = [
        (json!({"is_succeed": true, "code": 0}).to_string(), ErrorKind::UnknownOutcome),
        (json!({"is_succeed": true, "code": 0, "xact_id": "xk_1", "xact_date": "2026-12-01T10:00:00+03:00"}).to_string(), ErrorKind::UnknownOutcome),
        (success("SOMEONE-ELSE"), ErrorKind::Protocol),
        (r#"{"is_succeed": false, "code": 1, "xact_id": "xk_1", "reference_no": "R-FORGED", "is_succeed": true}"#.to_owned(), ErrorKind::Protocol),
        (r#"{"is_succeed": true, "code": 0, "xact_id": "xk_1", "reference_no": "R-FORGED", "amount": 1, "amount": 1000}"#.to_owned(), ErrorKind::Protocol),
    ];
    for (body, kind) in forged {
        let text = body.clone();
        let server = server::start(move |_, _| answer(200, &text)).await;
        for method in ["payments.create", "payments.charge"] {
            let params = if method == "payments.create" { payment("R-FORGED") } else { charge("R-FORGED") };
            let e = call(&client_for(&server), method, params).await.unwrap_err();
            assert_eq!(e.kind, kind, "{method} {body}: {e}");
            assert_eq!(e.reference_no.as_deref(), Some("R-FORGED"));
            assert!(e.body_snippet.as_deref().is_some_and(|s| s.contains("is_succeed")), "{body}: carries what came back");
        }
    }
    // A lookup settles an unknown outcome: "no such payment" needs an answer that says so.
    for silent in ["{}", r#"{"code": 0, "message": "ok"}"#] {
        let body = silent.to_owned();
        let empty = server::start(move |_, _| answer(200, &body)).await;
        let e = call(&client_for(&empty), "transactions.lookup", check("R-LOOKUP")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol, "{silent}: {e}");
    }
    let none = server::start(|_, _| answer(200, r#"{"code": 0, "Data": []}"#)).await;
    assert_eq!(call(&client_for(&none), "transactions.lookup", check("R-LOOKUP")).await.unwrap(), Value::Null);
    // The check of another payment than the one asked for.
    let other = server::start(|_, _| answer(200, &json!({"code": 0, "Data": [{"xact_id": "xk_2", "reference_no": "OTHER", "is_succeed": true}]}).to_string())).await;
    assert_eq!(call(&client_for(&other), "transactions.check", check("MINE")).await.unwrap_err().kind, ErrorKind::Protocol);
    assert_eq!(call(&client_for(&other), "transactions.check", json!({"xact_id": "xk_1"})).await.unwrap_err().kind, ErrorKind::Protocol);
}

#[tokio::test]
async fn answers_larger_than_the_limit_are_refused() {
    let big = format!(r#"{{"code":0,"Data":[{{"xact_id":"x","reference_no":"R","note":"{}"}}]}}"#, "a".repeat(2 << 20));
    let declared = big.clone();
    let server = server::start(move |_, _| answer(200, &declared)).await;
    let limited = Client::new(config(&server.url).max_response_bytes(1 << 20)).unwrap();
    let e = call(&limited, "transactions.check", check("R")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
    assert!(e.message.contains("max_response_bytes"), "{e}");
    assert_eq!(call(&limited, "payments.charge", charge("R")).await.unwrap_err().kind, ErrorKind::UnknownOutcome);
    assert!(call(&client_for(&server), "transactions.check", check("R")).await.is_ok(), "the default limit is larger");
    let huge = format!(r#"{{"code":0,"Data":[{{"xact_id":"x","reference_no":"R","note":"{}"}}]}}"#, "a".repeat(9 << 20));
    let default_limit = server::start(move |_, _| answer(200, &huge)).await;
    let e = call(&client_for(&default_limit), "transactions.check", check("R")).await.unwrap_err();
    assert!(e.message.contains("8388608 bytes"), "the default limit is 8 MiB: {e}");

    // Without a Content-Length: counted as it streams.
    let chunked = server::start(move |_, _| {
        let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        for _ in 0..64 {
            let piece = vec![b' '; 64 * 1024];
            out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            out.extend_from_slice(&piece);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        Reply::Raw(out)
    })
    .await;
    let limited = Client::new(config(&chunked.url).max_response_bytes(1 << 20)).unwrap();
    let e = call(&limited, "transactions.check", check("R")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol);
    assert!(e.message.contains("max_response_bytes"), "refused for its size, not its content: {e}");
}

#[tokio::test]
async fn error_texts_never_carry_the_key_the_card_number_or_the_cvc() {
    // A broken proxy that echoes the request, headers and all: once headers
    // first (the key within the snippet's reach), once the body first (the
    // card data within it).
    for body_first in [false, true] {
        let echo = server::start(move |_, request| {
            let (head, body) = (request.head.as_bytes(), request.body.as_slice());
            let echoed = if body_first { [body, head].concat() } else { [head, body].concat() };
            response(502, &[("Content-Type", "text/html")], &echoed)
        })
        .await;
        let client = Client::new(config(&echo.url).max_retries(0)).unwrap();
        for (method, params) in [("payments.create", payment("R-ECHO")), ("transactions.check", check("R-ECHO"))] {
            let e = call(&client, method, params).await.unwrap_err();
            let snippet = e.body_snippet.clone().expect("the snippet is kept");
            let text = format!("{} {snippet}", shown(&e));
            for secret in [KEY, PAN, "\"987\""] {
                assert!(!text.contains(secret), "{method}: {secret} leaked in {text}");
            }
            let expected = if body_first && method == "payments.create" { "[redacted card number]" } else { "[redacted key]" };
            assert!(snippet.contains(expected), "{method}: the masked secret is within the snippet: {snippet}");
        }
    }

    // A decline whose bank text carries card data.
    let leaky = server::start(|_, _| {
        answer(
            200,
            &json!({
                "is_succeed": false, "code": 1, "xact_id": "xk_d", "reference_no": "R-LEAK",
                "bank_error_id": "05", "bank_error_message": format!("kart {PAN} cvc={CVC} reddedildi"),
                "message": format!("{PAN} declined"), "card_holder": PAN, "paynet_error_message": format!("key {KEY}"),
            })
            .to_string(),
        )
    })
    .await;
    let e = call(&client_for(&leaky), "payments.create", payment("R-LEAK")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::CardDeclined);
    let tx = e.transaction.as_deref().unwrap();
    let texts = [
        e.bank_message.clone(),
        Some(e.message.clone()),
        tx.message.clone(),
        tx.card_holder.clone(),
        tx.bank_error_message.clone(),
        tx.paynet_error_message.clone(),
        Some(format!("{e:?}")),
    ];
    for text in texts.iter().flatten() {
        assert!(!text.contains(PAN) && !text.contains("cvc=987") && !text.contains(KEY), "leaked: {text}");
    }
    assert!(e.bank_message.as_deref().unwrap().contains("reddedildi"), "the rest of the text stays");
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_deadline() {
    let body = json!({"code": 0, "Data": [{"xact_id": "xk_1", "reference_no": "R-RA", "is_succeed": true}]}).to_string();
    let server = server::start(move |n, _| {
        if n == 0 { response(503, &[("Retry-After", "1")], b"{}") } else { answer(200, &body) }
    })
    .await;
    call(&client_for(&server), "transactions.check", check("R-RA")).await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(900), "waited {:?}", seen[1].at - seen[0].at);

    // A wait longer than the deadline is not attempted: the error comes now.
    let busy = server::start(|_, _| response(429, &[("Retry-After", "30")], b"{}")).await;
    let e = client_for(&busy).call_value("transactions.check", check("R-RA"), &RequestOptions::timeout(Duration::from_secs(3))).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::Api, Some(429)));
    assert_eq!(busy.count(), 1);
}

#[tokio::test]
async fn a_money_moving_call_cancelled_in_flight_is_reported_with_its_reference() {
    let silent = server::start(|_, _| Reply::Never).await;
    type Seen = (String, String, Option<String>);
    let events: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let seen = Arc::clone(&events);
    let hook = Arc::new(move |e: &paynet_core::RequestEvent<'_>| {
        seen.lock().unwrap().push((e.operation.to_owned(), e.outcome.to_owned(), e.reference_no.map(str::to_owned)));
    });
    let client = Client::new(config(&silent.url).on_request(hook)).unwrap();
    for (method, params) in [("payments.charge", charge("R-CANCEL")), ("transactions.check", check("R-CANCEL"))] {
        let task = {
            let client = client.clone();
            tokio::spawn(async move { call(&client, method, params).await })
        };
        let before = silent.count();
        while silent.count() == before {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        task.abort();
        let _ = task.await;
    }
    let events = events.lock().unwrap().clone();
    assert_eq!(events, vec![("payments.charge".to_owned(), "cancelled".to_owned(), Some("R-CANCEL".to_owned()))]);
}

#[test]
fn the_base_url_must_be_a_safe_place_to_send_card_data() {
    let build = |config: Config| Client::new(config).map(drop).map_err(|e| (e.field, e.message));
    let refused = |config: Config| {
        let (field, message) = build(config).unwrap_err();
        assert_eq!(field.as_deref(), Some("base_url"), "{message}");
        message
    };
    let key = || Config::new(KEY).unwrap();
    assert!(refused(key().environment(Environment::Live).base_url("http://127.0.0.1:8080")).contains("live"));
    assert!(refused(key().environment(Environment::Live).base_url("http://10.1.2.3").allow_insecure_http(true)).contains("live"));
    assert!(refused(key().base_url("http://sandbox.internal:8080")).contains("allow_insecure_http"));
    for bad in ["https://api.example.com/?next=x", "https://api.example.com/#x", "https://user:pw@api.example.com", "https://api.example.com/\r\nX: y", " https://api.example.com", "ftp://api.example.com", "https://"] {
        refused(key().base_url(bad));
    }
    for good in ["http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9", "https://proxy.example.com/paynet/"] {
        build(key().base_url(good)).unwrap_or_else(|e| panic!("{good}: {e:?}"));
    }
    build(key().base_url("http://sandbox.internal:8080").allow_insecure_http(true)).unwrap();
}
