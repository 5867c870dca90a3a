//! Agents (dealers) and the publishable-key ratio call against the sandbox
//! over real HTTP: limits that payments use up, the one-time panel link, the
//! bare-string `check_agent`, and secrets that no Debug, result text or error
//! repeats.

#![allow(clippy::result_large_err)] // core::Error is large by design (it carries the transaction)

use std::time::Duration;

use paynet_core::{Client, Config, ErrorKind, PublishableKeyIn, RequestOptions};
use paynet_sandbox::Sandbox;
use serde_json::{Value, json};

const PASSWORD: &str = "Bayi.Sifre.1";

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

fn login() -> Value {
    json!({"user_name": "bayi.kullanici", "password": PASSWORD, "agent_id": "20077", "pushtoken_id": "device-1"})
}

#[tokio::test]
async fn payments_use_up_an_agents_limit() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let limits = call(&client, "agents.limit_info", json!({"agent_id": "20077"})).await.unwrap();
    assert_eq!((limits["defined_limit"].clone(), limits["available_limit"].clone()), (json!("1000.00"), json!("1000.00")));
    let pay = |reference: &str, amount: &str| {
        json!({"amount": amount, "reference_no": reference, "domain": "shop.example.com", "agent_id": "20077",
            "card": {"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"}})
    };
    call(&client, "payments.create", pay("AG-1", "600")).await.unwrap();
    let limits = call(&client, "agents.limit_info", json!({"agent_id": "20077"})).await.unwrap();
    assert_eq!((limits["used_limit"].clone(), limits["available_limit"].clone()), (json!("600.00"), json!("400.00")));
    assert_eq!(limits["td_used_limit"], json!("0.00"));
    let e = call(&client, "payments.create", pay("AG-2", "500")).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::InvalidRequest, Some(6)), "{e}");
    call(&client, "payments.create", pay("AG-3", "400")).await.unwrap();
    let limits = call(&client, "agents.limit_info", json!({"agent_id": "20077"})).await.unwrap();
    assert_eq!(limits["available_limit"], json!("0.00"));
    sb.stop().await;
}

#[tokio::test]
async fn login_autologin_and_the_bare_check_agent() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let session = call(&client, "agents.login", login()).await.unwrap();
    assert!(session["session_key"].as_str().is_some_and(|k| k.starts_with("ssk_")));
    assert_eq!((session["agent_id"].clone(), session["agent_reference_no"].clone()), (json!("20077"), json!("987345")));
    let mut wrong = login();
    wrong["password"] = json!("not-it");
    let e = call(&client, "agents.login", wrong).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    assert!(!format!("{e:?}").contains("not-it"), "{e:?}");

    let link = call(&client, "agents.autologin", json!({"user_name": "bayi.kullanici", "agent_id": "20077"})).await.unwrap();
    let url = link["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&sb.url()), "{url}");
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("bayi.kullanici"));
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 410, "the link works once");

    let found = call(&client, "agents.check_agent", json!({"agent_reference_no": "987345"})).await.unwrap();
    assert_eq!((found["agent_id"].clone(), found["company_code"].clone()), (json!("20077"), json!("1001")));
    let prepared = client.prepare_value("agents.check_agent", json!({"agent_reference_no": "987345"})).unwrap();
    assert_eq!(prepared.body, json!("987345"), "the body is the bare string");
    let e = call(&client, "agents.check_agent", json!({"agent_reference_no": "000000"})).await.unwrap_err();
    assert_eq!((e.kind, e.result_code), (ErrorKind::InvalidRequest, Some(4)), "{e}");

    let keys = json!({"agent_id": "20077", "publishable_key": "pbk_agent_20077_test", "secret_key": "sck_agent_20077_test"});
    assert_eq!(call(&client, "agents.check_integration_info", keys.clone()).await.unwrap()["result_code"], json!(0));
    let mut other = keys;
    other["secret_key"] = json!("sck_agent_20077_wrong");
    let e = call(&client, "agents.check_integration_info", other).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    sb.stop().await;
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    // Debug of the typed params and result.
    let params: paynet_core::endpoints::agent::LoginParams = serde_json::from_value(login()).unwrap();
    assert!(!format!("{params:?}").contains(PASSWORD), "{params:?}");
    let session = client.call::<paynet_core::endpoints::agent::Login>(&params, &RequestOptions::default()).await.unwrap();
    let key = session.session_key.as_ref().unwrap().expose().to_owned();
    assert!(!format!("{session:?}").contains(&key), "{session:?}");
    let prepared = client.prepare_value("agents.login", login()).unwrap();
    assert!(!format!("{prepared:?}").contains(PASSWORD), "{prepared:?}");
    // An answer that repeats the secrets (a broken gateway): masked in the error.
    let echo = |text: &str| serde_json::to_vec(&json!({"type": "api_error", "message": text, "code": 400, "result_code": 11})).unwrap();
    let e = client.read_answer("agents.login", login(), 400, &echo(&format!("bad request: password={PASSWORD}"))).unwrap_err();
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains(PASSWORD) && shown.contains("[redacted key]"), "{shown}");
    let keys = json!({"agent_id": "20077", "publishable_key": "pbk_agent_20077_test", "secret_key": "sck_agent_20077_test"});
    let e = client.read_answer("agents.check_integration_info", keys, 400, &echo("pbk_agent_20077_test / sck_agent_20077_test")).unwrap_err();
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains("pbk_agent_20077_test") && !shown.contains("sck_agent_20077_test") && shown.contains("[redacted key]"), "{shown}");
    sb.stop().await;
}

#[tokio::test]
async fn the_public_ratio_call_goes_with_the_publishable_key() {
    let sb = Sandbox::start().await.unwrap();
    let params = json!({"amount": "10", "bin": "435508"});
    let without = client_for(&sb);
    let e = call(&without, "ratios.get_public", params.clone()).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("publishable_key"), "{e}");
    let before = sb.stats().requests;
    assert_eq!(before, 0, "refused before sending");
    let secret = call(&without, "ratios.get", params.clone()).await.unwrap();
    for place in [PublishableKeyIn::Header, PublishableKeyIn::Body] {
        let config = Config::new(sb.secret_key()).unwrap().base_url(sb.url()).publishable_key(sb.publishable_key()).unwrap().publishable_key_in(place);
        let client = Client::new(config).unwrap();
        assert_eq!(call(&client, "ratios.get_public", params.clone()).await.unwrap(), secret, "{place:?}");
        let prepared = client.prepare_value("ratios.get_public", params.clone()).unwrap();
        assert_eq!(prepared.body.get("publishable_key").is_some(), place == PublishableKeyIn::Body);
        assert!(!format!("{prepared:?}").contains(sb.publishable_key()));
    }
    let wrong = Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).publishable_key("pbk_wrong").unwrap()).unwrap();
    assert_eq!(call(&wrong, "ratios.get_public", params).await.unwrap_err().kind, ErrorKind::Authentication);
    sb.stop().await;
}

/// A login and a one-time link mint credentials (and a wrong password counts
/// against the user): a 503 after sending is not retried but an `unknown_outcome`.
#[tokio::test]
async fn logins_and_links_are_never_sent_twice() {
    let sb = Sandbox::start().await.unwrap();
    let attempts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = attempts.clone();
    let client = Client::new(
        Config::new(sb.secret_key())
            .unwrap()
            .base_url(sb.url())
            .retry_initial_delay(Duration::from_millis(10))
            .on_request(std::sync::Arc::new(move |e| seen.lock().unwrap().push((e.operation.to_owned(), e.attempt)))),
    )
    .unwrap();
    for (method, params) in [("agents.login", login()), ("agents.autologin", json!({"user_name": "bayi.kullanici", "agent_id": "20077"}))] {
        attempts.lock().unwrap().clear();
        let resp = reqwest::Client::new().post(format!("{}/__sandbox/faults", sb.url())).json(&json!({"fail_next": 1, "status": 503})).send().await.unwrap();
        assert!(resp.status().is_success());
        let e = call(&client, method, params).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{method}: {e}");
        assert!(!e.message.contains("transactions.lookup") && !e.message.contains(PASSWORD), "{method}: {e}");
        assert_eq!(attempts.lock().unwrap().len(), 1, "{method} was sent once");
    }
    sb.stop().await;
}

/// `limit_info` sends the limits as strings, as the reference lists them.
#[tokio::test]
async fn the_sandbox_sends_limits_as_strings() {
    let sb = Sandbox::start().await.unwrap();
    let body: Value = reqwest::Client::new()
        .post(format!("{}/v1/agent/limit_info", sb.url()))
        .header("Authorization", format!("Basic {}", sb.secret_key()))
        .json(&json!({"agent_id": "20077"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for field in ["defined_limit", "used_limit", "available_limit", "td_defined_limit", "td_used_limit", "td_available_limit"] {
        assert!(body[field].is_string(), "{field}: {body}");
    }
    assert_eq!(body["defined_limit"], "1000.00");
    sb.stop().await;
}

/// Two payments in flight together cannot overshoot an agent's limit: each
/// holds its amount from the check until it is recorded.
#[tokio::test]
async fn concurrent_payments_cannot_overshoot_an_agents_limit() {
    let sb = Sandbox::start_with(paynet_sandbox::SandboxConfig { slow_bank_delay: Duration::from_millis(400), ..Default::default() }).await.unwrap();
    let client = client_for(&sb);
    let pay = |reference: &str, amount: &str| {
        json!({"amount": amount, "reference_no": reference, "domain": "shop.example.com", "agent_id": "20077",
            "card": {"number": "4000000000000259", "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"}})
    };
    let (a, b) = tokio::join!(call(&client, "payments.create", pay("AG-C1", "600")), call(&client, "payments.create", pay("AG-C2", "600")));
    let refused: Vec<_> = [&a, &b].into_iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!((a.is_ok() || b.is_ok(), refused.len()), (true, 1), "{a:?} {b:?}");
    assert_eq!(refused[0].result_code, Some(6), "{}", refused[0]);
    let limits = call(&client, "agents.limit_info", json!({"agent_id": "20077"})).await.unwrap();
    assert_eq!(limits["used_limit"], json!("600.00"));
    // The hold is given back once the payment is recorded: the rest can still be used.
    call(&client, "payments.create", pay("AG-C3", "400")).await.unwrap();
    sb.stop().await;
}
