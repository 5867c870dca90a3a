//! The Paynet.js stand-in: the script, the cross-origin session call, the publishable key.

mod common;

use common::{Env, assert_error};
use paynet_sandbox::SandboxConfig;
use serde_json::{Value, json};

fn session_body(extra: Value) -> Value {
    let mut body = json!({"amount": "1500", "pan": "4355084355084358", "month": "12", "year": "2045",
                          "cvc": "000", "card_holder": "TEST", "add_comission_amount": "false",
                          "ratio_code": "", "installments": "", "no_instalment": "false",
                          "tds_required": "false", "instalment": "0"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    body
}

#[tokio::test]
async fn the_script_is_served_as_javascript_outside_the_api() {
    let env = Env::start().await;
    let r = env.get("/public/js/paynet.min.js").await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .starts_with("application/javascript"),
        "{:?}",
        r.headers
    );
    for needle in [
        "document.currentScript",
        "/__sandbox/paynetjs/session",
        "publishable_key",
        "'paynet-card-holder'",
        "'paynet-pan'",
        "'paynet-month'",
        "'paynet-year'",
        "'paynet-cvc'",
        "'paynet-instalment'",
        "'paynet-pay'",
        "'paynet-error'",
        "hidden('session_id'",
        "hidden('token_id'",
        "data('button_label'",
    ] {
        assert!(r.text.contains(needle), "script lacks {needle}");
    }
    assert_eq!(
        env.sandbox.stats().requests,
        0,
        "a browser file is not an API call"
    );
}

#[tokio::test]
async fn the_session_endpoint_answers_cors_preflight_and_posts() {
    let env = Env::start().await;
    let origin = "http://shop.example:8080";
    let resp = env
        .http
        .request(
            reqwest::Method::OPTIONS,
            env.url("/__sandbox/paynetjs/session"),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 204);
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], origin);
    assert!(
        h["access-control-allow-headers"]
            .to_str()
            .unwrap_or_default()
            .contains("content-type")
    );
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap_or_default()
            .contains("POST")
    );

    for (key, status) in [
        (env.sandbox.publishable_key().to_owned(), 200),
        ("pbk_wrong".to_owned(), 401),
    ] {
        let resp = env
            .http
            .post(env.url("/__sandbox/paynetjs/session"))
            .header("Origin", origin)
            .header("Content-Type", "application/json")
            .body(session_body(json!({"publishable_key": key})).to_string())
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(
            resp.headers()["access-control-allow-origin"],
            origin,
            "errors are readable too"
        );
    }
}

#[tokio::test]
async fn sessions_authenticate_with_the_publishable_or_the_secret_key() {
    let env = Env::start().await;
    assert_eq!(
        env.sandbox.publishable_key(),
        "pbk_sandbox_0000000000000000"
    );
    let path = "/__sandbox/paynetjs/session";
    let ok = |r: &common::Reply| {
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            r.json["session_id"]
                .as_str()
                .is_some_and(|s| s.starts_with("js_"))
        );
    };
    ok(&env
        .post_noauth(
            path,
            &session_body(json!({"publishable_key": env.sandbox.publishable_key()})),
        )
        .await);
    // The secret key in Authorization, as server-side suites send it.
    ok(&env.post(path, &session_body(json!({}))).await);
    // The keyless form of earlier sandbox versions.
    ok(&env.post_noauth(path, &session_body(json!({}))).await);
    let r = env
        .post_noauth(path, &session_body(json!({"publishable_key": "pbk_other"})))
        .await;
    assert_error(&r, 401, "authorization_error", 7);
    let resp = env
        .http
        .post(env.url(path))
        .header("Authorization", "Basic sck_wrong")
        .json(&session_body(json!({})))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 401);
    let resp = env
        .http
        .post(env.url(path))
        .header(
            "Authorization",
            format!("Basic {}", env.sandbox.publishable_key()),
        )
        .json(&session_body(json!({})))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn keys_follow_the_config() {
    let env = Env::start_with(SandboxConfig {
        secret_key: "sck_mine".into(),
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(env.sandbox.publishable_key(), "pbk_mine");
    let env = Env::start_with(SandboxConfig {
        publishable_key: Some("pbk_chosen".into()),
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(env.sandbox.publishable_key(), "pbk_chosen");
}

#[tokio::test]
async fn the_in_process_session_is_charged_with_the_data_values() {
    let env = Env::start().await;
    let key = env.sandbox.publishable_key().to_owned();
    let s = env
        .sandbox
        .paynetjs_session(&session_body(
            json!({"publishable_key": key, "tds_required": "true"}),
        ))
        .expect("session");
    let charge = json!({"session_id": s["session_id"], "token_id": s["token_id"], "transaction_type": 1,
                        "amount": "1500", "add_comission_amount": false, "ratio_code": "",
                        "installments": "", "no_instalment": false, "tds_required": true});
    let r = env.post("/v1/transaction/charge", &charge).await;
    assert_eq!(r.json["is_succeed"], true, "{}", r.text);
    assert_eq!(r.json["is_tds"], true);
    let mismatch = env
        .post(
            "/v1/transaction/charge",
            &common::with(charge, json!({"tds_required": false})),
        )
        .await;
    assert_error(&mismatch, 400, "invalid_request_error", 15);

    let err = env
        .sandbox
        .paynetjs_session(&session_body(json!({"publishable_key": "pbk_wrong"})))
        .expect_err("wrong key");
    assert!(err.contains("API anahtarınız yanlış"), "{err}");
    let err = env
        .sandbox
        .paynetjs_session(&session_body(json!({"pan": "4355084355084359"})))
        .expect_err("bad card");
    assert!(err.contains("pan"), "{err}");
}
