//! Fault injection over real HTTP (and raw TCP for the connection-level kinds): `after`
//! faults strike once the ledger committed, `before` faults keep the request out of it.

mod common;

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use common::{Env, payment};
use paynet_sandbox::{FaultKind, FaultPlan, FaultRule, SandboxConfig};
use serde_json::{Value, json};

const PAY: &str = "/v2/transaction/payment";
const CARD: &str = "4355084355084358";

async fn set(env: &Env, plan: Value) -> Value {
    let r = env.post_noauth("/__sandbox/faults", &plan).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

async fn fault_stats(env: &Env) -> Value {
    let r = env.get("/__sandbox/faults").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// References of the successful payments in the ledger.
async fn ledger_refs(env: &Env) -> Vec<String> {
    let r = env.get("/__sandbox/ledger").await;
    r.json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["is_succeed"] == true)
        .map(|e| e["reference_no"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// What a raw TCP client sees: every byte until the end, and how the stream ended.
struct Raw {
    bytes: Vec<u8>,
    end: io::Result<()>,
}

impl Raw {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// One request over a plain blocking socket (on a blocking thread), read to its end.
async fn raw_post(env: &Env, path: &str, body: &Value) -> Raw {
    let addr = env.sandbox.url().trim_start_matches("http://").to_owned();
    let body = body.to_string();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        env.sandbox.secret_key(),
        body.len()
    );
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(req.as_bytes()).expect("request written");
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        let end = loop {
            match s.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    panic!(
                        "no end of stream within 10 s; got {:?}",
                        String::from_utf8_lossy(&bytes)
                    )
                }
                Err(e) => break Err(e),
            }
        };
        Raw { bytes, end }
    })
    .await
    .expect("raw client")
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn pay_with(
    http: &reqwest::Client,
    env: &Env,
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    http.post(env.url(PAY))
        .header(
            "Authorization",
            format!("Basic {}", env.sandbox.secret_key()),
        )
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
}

#[tokio::test]
async fn after_reset_sends_no_byte_but_the_payment_is_recorded() {
    let env = Env::start().await;
    set(&env, json!({"rules": [{"kind": "reset", "path": PAY}]})).await;
    let raw = raw_post(&env, PAY, &payment("RST-1", CARD)).await;
    assert!(raw.bytes.is_empty(), "{}", raw.text());
    let err = raw.end.expect_err("reset, not a clean end");
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
    assert_eq!(ledger_refs(&env).await, ["RST-1"]);
    // The retry finds the success.
    let r = env.pay(payment("RST-1", CARD)).await;
    assert_eq!((r.status, r.json["code"].as_i64()), (200, Some(100)));
}

#[tokio::test]
async fn after_close_is_a_clean_end_without_a_byte_and_the_payment_is_recorded() {
    let env = Env::start().await;
    set(&env, json!({"rules": [{"kind": "close", "when": "after"}]})).await;
    let raw = raw_post(&env, PAY, &payment("FIN-1", CARD)).await;
    assert!(raw.bytes.is_empty(), "{}", raw.text());
    assert!(raw.end.is_ok(), "FIN expected, got {:?}", raw.end);
    assert_eq!(ledger_refs(&env).await, ["FIN-1"]);
    // reqwest sees a failed request.
    set(&env, json!({"rules": [{"kind": "close"}]})).await;
    assert!(
        pay_with(&env.http, &env, &payment("FIN-2", CARD))
            .await
            .is_err()
    );
    assert_eq!(ledger_refs(&env).await, ["FIN-1", "FIN-2"]);
}

#[tokio::test]
async fn before_reset_and_close_keep_the_payment_out() {
    let env = Env::start().await;
    set(&env, json!({"rules": [{"kind": "reset", "when": "before"}, {"kind": "close", "when": "before"}]})).await;
    let raw = raw_post(&env, PAY, &payment("B-1", CARD)).await;
    assert!(raw.bytes.is_empty());
    assert_eq!(
        raw.end.expect_err("reset").kind(),
        io::ErrorKind::ConnectionReset
    );
    let raw = raw_post(&env, PAY, &payment("B-2", CARD)).await;
    assert!(raw.bytes.is_empty());
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    assert_eq!(env.ledger_count().await, 0);
    // Both rules are used up: the next one goes through.
    let r = env.pay(payment("B-3", CARD)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ledger_refs(&env).await, ["B-3"]);
}

#[tokio::test]
async fn truncate_sends_the_head_and_half_the_body() {
    let env = Env::start().await;
    set(
        &env,
        json!({"rules": [{"kind": "truncate", "path": "v2/transaction/payment"}]}),
    )
    .await;
    let raw = raw_post(&env, PAY, &payment("TR-1", CARD)).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    let text = raw.text();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .expect("content-length")
        .parse()
        .expect("number");
    assert!(length > 100, "{length}");
    assert_eq!(body.len(), length / 2, "{body}");
    assert!(body.starts_with("{\""), "{body}");
    assert_eq!(ledger_refs(&env).await, ["TR-1"]);
    // reqwest fails on the short body.
    set(&env, json!({"rules": [{"kind": "truncate"}]})).await;
    let resp = pay_with(&env.http, &env, &payment("TR-2", CARD))
        .await
        .expect("head arrives");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.text().await.is_err());
    assert_eq!(env.ledger_count().await, 2);
}

#[tokio::test]
async fn status_after_and_before() {
    let env = Env::start().await;
    set(
        &env,
        json!({"rules": [{"kind": "status", "status": 503, "retry_after": 2, "path": PAY}]}),
    )
    .await;
    let resp = pay_with(&env.http, &env, &payment("ST-1", CARD))
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(resp.headers()["retry-after"], "2");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["type"], "api_error");
    assert_eq!(body["code"], 503);
    assert_eq!(body["result_code"], 8);
    assert_eq!(ledger_refs(&env).await, ["ST-1"]);

    set(
        &env,
        json!({"rules": [{"kind": "status", "status": 429, "when": "before"}]}),
    )
    .await;
    let r = env.pay(payment("ST-2", CARD)).await;
    assert_eq!((r.status, r.json["code"].as_i64()), (429, Some(429)));
    assert_eq!(ledger_refs(&env).await, ["ST-1"]);
    // Default status 503, and a before fault comes before auth.
    set(
        &env,
        json!({"rules": [{"kind": "status", "when": "before"}]}),
    )
    .await;
    let r = env.post_noauth(PAY, &payment("ST-3", CARD)).await;
    assert_eq!(r.status, 503);
}

#[tokio::test]
async fn delay_after_outlasts_the_client_deadline_but_the_payment_is_recorded() {
    let env = Env::start().await;
    set(
        &env,
        json!({"rules": [{"kind": "delay", "delay_ms": 1500}]}),
    )
    .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = pay_with(&http, &env, &payment("DL-1", CARD))
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(ledger_refs(&env).await, ["DL-1"]);

    // A patient client gets the real answer, late.
    set(&env, json!({"rules": [{"kind": "delay", "delay_ms": 300}]})).await;
    let t = Instant::now();
    let r = env.pay(payment("DL-2", CARD)).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        (r.status, r.json["is_succeed"].as_bool()),
        (200, Some(true))
    );

    // before: held, then processed.
    set(
        &env,
        json!({"rules": [{"kind": "delay", "delay_ms": 300, "when": "before"}]}),
    )
    .await;
    let t = Instant::now();
    let r = env.pay(payment("DL-3", CARD)).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ledger_refs(&env).await, ["DL-1", "DL-2", "DL-3"]);
}

#[tokio::test]
async fn redirect_after_and_before() {
    let env = Env::start().await;
    set(
        &env,
        json!({"rules": [{"kind": "redirect", "location": "http://127.0.0.1:9/elsewhere", "status": 302}]}),
    )
    .await;
    let http = no_redirects();
    let resp = pay_with(&http, &env, &payment("RD-1", CARD))
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(resp.headers()["location"], "http://127.0.0.1:9/elsewhere");
    assert_eq!(resp.text().await.expect("body"), "");
    assert_eq!(ledger_refs(&env).await, ["RD-1"]);

    set(&env, json!({"rules": [{"kind": "redirect", "location": "/v1/transaction/check", "when": "before"}]})).await;
    let resp = pay_with(&http, &env, &payment("RD-2", CARD))
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 307);
    assert_eq!(resp.headers()["location"], "/v1/transaction/check");
    assert_eq!(ledger_refs(&env).await, ["RD-1"]);
}

#[tokio::test]
async fn replace_serves_the_literal_body() {
    let env = Env::start().await;
    let hostile = r#"{"is_succeed": true, "is_succeed": false, "code": 0}"#;
    set(
        &env,
        json!({"rules": [{"kind": "replace", "body": hostile}]}),
    )
    .await;
    let resp = pay_with(&env.http, &env, &payment("RP-1", CARD))
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.text().await.expect("body"), hostile);
    assert_eq!(ledger_refs(&env).await, ["RP-1"]);

    set(
        &env,
        json!({"rules": [{"kind": "replace", "body": "{\"is_succeed\": true}", "when": "before", "status": 200}]}),
    )
    .await;
    let r = env.pay(payment("RP-2", CARD)).await;
    assert_eq!(r.json, json!({"is_succeed": true}));
    assert_eq!(ledger_refs(&env).await, ["RP-1"]);
}

#[tokio::test]
async fn echo_sends_back_the_request_with_its_secrets() {
    let env = Env::start().await;
    set(&env, json!({"rules": [{"kind": "echo"}]})).await;
    let r = env.pay(payment("EC-1", CARD)).await;
    assert_eq!(r.status, 502);
    assert!(r.text.starts_with("<html>"), "{}", r.text);
    assert!(
        r.text.contains("POST /v2/transaction/payment HTTP/1.1"),
        "{}",
        r.text
    );
    let auth = format!("authorization: Basic {}", env.sandbox.secret_key());
    assert!(r.text.contains(&auth), "{}", r.text);
    assert!(
        r.text.contains(CARD) && r.text.contains("\"cvc\":\"000\""),
        "{}",
        r.text
    );
    // The handler saw the body too.
    assert_eq!(ledger_refs(&env).await, ["EC-1"]);

    set(&env, json!({"rules": [{"kind": "echo", "when": "before"}]})).await;
    let r = env.pay(payment("EC-2", CARD)).await;
    assert_eq!(r.status, 502);
    assert!(r.text.contains("EC-2"));
    assert_eq!(ledger_refs(&env).await, ["EC-1"]);
}

#[tokio::test]
async fn rules_select_by_path_and_never_touch_admin_paths() {
    let env = Env::start().await;
    set(
        &env,
        json!({"rules": [{"kind": "status", "status": 500, "path": "v1/transaction/capture", "count": 5}]}),
    )
    .await;
    let r = env.pay(payment("P-1", CARD)).await;
    assert_eq!(r.status, 200);
    let r = env
        .post("/v1/transaction/capture", &json!({"reference_no": "P-1"}))
        .await;
    assert_eq!(r.status, 500);
    let r = env
        .post("/v1/transaction/check", &json!({"reference_no": "P-1"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Without a path: every API path, never /__sandbox/*.
    set(
        &env,
        json!({"rules": [{"kind": "status", "status": 500, "rate": 1.0}]}),
    )
    .await;
    assert_eq!(env.get("/__sandbox/stats").await.status, 200);
    assert_eq!(env.get("/__sandbox/ledger").await.status, 200);
    assert_eq!(
        env.post("/v1/transaction/check", &json!({})).await.status,
        500
    );
    assert_eq!(
        env.post("/v1/transaction/payment_list", &json!({}))
            .await
            .status,
        500
    );
    assert_eq!(env.post("/v9/unknown", &json!({})).await.status, 500);
    let st = fault_stats(&env).await;
    assert_eq!(st["total"], 3);
    assert_eq!(st["rules"][0]["remaining"], Value::Null);
}

#[tokio::test]
async fn count_runs_out_and_one_rule_fires_per_request() {
    let env = Env::start().await;
    let st = set(
        &env,
        json!({"rules": [
            {"kind": "status", "status": 502, "count": 2, "path": "/v2/transaction/payment"},
            {"kind": "replace", "body": "{}", "count": 1},
        ]}),
    )
    .await;
    assert_eq!(st["rules"][0]["remaining"], 2);
    let statuses = [
        env.pay(payment("C-1", CARD)).await.status,
        env.pay(payment("C-2", CARD)).await.status,
    ];
    assert_eq!(statuses, [502, 502]);
    // The second rule had not fired: both requests matched the first one.
    let st = fault_stats(&env).await;
    assert_eq!(st["rules"][1]["fired"], 0);
    let r = env.pay(payment("C-3", CARD)).await;
    assert_eq!(r.json, json!({}));
    let r = env.pay(payment("C-4", CARD)).await;
    assert_eq!(
        (r.status, r.json["is_succeed"].as_bool()),
        (200, Some(true))
    );
    let st = fault_stats(&env).await;
    assert_eq!(st["rules"][0]["fired"], 2);
    assert_eq!(st["rules"][0]["remaining"], 0);
    assert_eq!(st["rules"][1]["remaining"], 0);
    assert_eq!(ledger_refs(&env).await, ["C-1", "C-2", "C-3", "C-4"]);
}

/// Which of `n` check requests were faulted (status 429).
async fn firing_pattern(env: &Env, n: usize) -> Vec<bool> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let r = env
            .post("/v1/transaction/check", &json!({"reference_no": "none"}))
            .await;
        out.push(r.status == 429);
    }
    out
}

#[tokio::test]
async fn a_seeded_rate_fires_the_same_way_every_run() {
    let env = Env::start().await;
    let plan = json!({"seed": 7, "rules": [{"kind": "status", "status": 429, "rate": 0.3}]});
    set(&env, plan.clone()).await;
    let first = firing_pattern(&env, 1000).await;
    set(&env, plan).await;
    let second = firing_pattern(&env, 1000).await;
    assert_eq!(first, second);
    let fired = first.iter().filter(|f| **f).count();
    assert!((230..=370).contains(&fired), "{fired} of 1000 at rate 0.3");
    assert_eq!(fault_stats(&env).await["injected"]["status"], fired);

    set(
        &env,
        json!({"seed": 8, "rules": [{"kind": "status", "status": 429, "rate": 0.3}]}),
    )
    .await;
    let other = firing_pattern(&env, 1000).await;
    assert_ne!(first, other);

    // rate with count: fires at random until the count is used up.
    set(
        &env,
        json!({"rules": [{"kind": "status", "status": 429, "rate": 0.5, "count": 10}]}),
    )
    .await;
    let capped = firing_pattern(&env, 200).await;
    assert_eq!(capped.iter().filter(|f| **f).count(), 10);
    let st = fault_stats(&env).await;
    assert_eq!(st["seed"], paynet_sandbox::DEFAULT_SEED);
}

#[tokio::test]
async fn stats_count_faults_by_kind() {
    let env = Env::start().await;
    let st = set(
        &env,
        json!({"seed": 3, "rules": [
            {"kind": "replace", "body": "[]", "path": "v1/transaction/check", "count": 3},
            {"kind": "status", "status": 500, "path": "v1/transaction/payment_list", "count": 2},
            {"kind": "echo", "count": 1},
        ]}),
    )
    .await;
    assert_eq!(st["total"], 0);
    assert_eq!(st["seed"], 3);
    for _ in 0..4 {
        env.post("/v1/transaction/check", &json!({})).await;
    }
    for _ in 0..3 {
        env.post("/v1/transaction/payment_list", &json!({})).await;
    }
    let st = fault_stats(&env).await;
    assert_eq!(
        st["injected"],
        json!({"reset": 0, "close": 0, "status": 2, "delay": 0, "truncate": 0,
               "redirect": 0, "replace": 3, "echo": 1})
    );
    assert_eq!(st["total"], 6);
    assert_eq!(
        st["rules"][0],
        json!({"kind": "replace", "when": "after", "path": "/v1/transaction/check", "count": 3,
               "status": 200, "body": "[]", "fired": 3, "remaining": 0})
    );
    let typed = env.sandbox.fault_stats();
    assert_eq!(typed.total, 6);
    assert_eq!(typed.injected(FaultKind::Replace), 3);
    assert_eq!(typed.to_json(), st);
    // A new plan starts from zero; {"rules": []} clears.
    let st = set(&env, json!({"rules": []})).await;
    assert_eq!(
        (st["total"].as_u64(), st["rules"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn bad_plans_are_400_naming_the_field_and_keep_the_plan() {
    let env = Env::start().await;
    set(&env, json!({"rules": [{"kind": "status", "count": 9}]})).await;
    let cases = [
        (json!({"rules": [{"kind": "explode"}]}), "rules[0].kind"),
        (
            json!({"rules": [{"kind": "reset"}, {"kind": "delay"}]}),
            "rules[1].delay_ms",
        ),
        (
            json!({"rules": [{"kind": "redirect"}]}),
            "rules[0].location",
        ),
        (
            json!({"rules": [{"kind": "redirect", "location": "/x", "status": 200}]}),
            "rules[0].status",
        ),
        (json!({"rules": [{"kind": "replace"}]}), "rules[0].body"),
        (
            json!({"rules": [{"kind": "status", "status": 302}]}),
            "rules[0].status",
        ),
        (
            json!({"rules": [{"kind": "status", "retry_after": -1}]}),
            "rules[0].retry_after",
        ),
        (
            json!({"rules": [{"kind": "status", "rate": 2}]}),
            "rules[0].rate",
        ),
        (
            json!({"rules": [{"kind": "status", "count": 0}]}),
            "rules[0].count",
        ),
        (
            json!({"rules": [{"kind": "status", "path": "v1/nope"}]}),
            "rules[0].path",
        ),
        (
            json!({"rules": [{"kind": "status", "when": "during"}]}),
            "rules[0].when",
        ),
        (
            json!({"rules": [{"kind": "truncate", "when": "before"}]}),
            "rules[0].when",
        ),
        (
            json!({"rules": [{"kind": "close", "body": "x"}]}),
            "rules[0].body",
        ),
        (
            json!({"rules": [{"kind": "status", "retryAfter": 1}]}),
            "rules[0].retryAfter",
        ),
        (json!({"rules": {"kind": "status"}}), "rules"),
        (json!({"seed": "x", "rules": []}), "seed"),
        (json!({"seed": 1}), "rules"),
    ];
    for (plan, field) in cases {
        let r = env.post_noauth("/__sandbox/faults", &plan).await;
        assert_eq!(r.status, 400, "{plan}: {}", r.text);
        assert_eq!(r.json["type"], "invalid_request_error");
        let msg = r.json["message"].as_str().unwrap_or_default();
        assert!(msg.starts_with(field), "{plan}: {msg}");
    }
    let st = fault_stats(&env).await;
    assert_eq!(st["rules"][0]["count"], 9);
    assert_eq!(env.sandbox.fault_stats().rules.len(), 1);
}

#[tokio::test]
async fn the_legacy_form_is_one_before_status_rule() {
    let env = Env::start().await;
    let r = env
        .post_noauth("/__sandbox/faults", &json!({"fail_next": 2, "status": 500}))
        .await;
    assert_eq!(r.json, json!({"fail_next": 2, "status": 500}));
    let st = fault_stats(&env).await;
    assert_eq!(
        st["rules"],
        json!([{"kind": "status", "when": "before", "count": 2, "status": 500,
                "fired": 0, "remaining": 2}])
    );
    assert_eq!(env.pay(payment("L-1", CARD)).await.status, 500);
    assert_eq!(env.ledger_count().await, 0);
    assert_eq!(fault_stats(&env).await["injected"]["status"], 1);
    // fail_next 0 clears.
    env.post_noauth("/__sandbox/faults", &json!({"fail_next": 0}))
        .await;
    assert_eq!(fault_stats(&env).await["rules"], json!([]));
    assert_eq!(env.pay(payment("L-1", CARD)).await.status, 200);
}

#[tokio::test]
async fn typed_plans_from_the_config_and_at_runtime() {
    let env = Env::start_with(SandboxConfig {
        faults: Some(
            FaultPlan::new(vec![
                FaultRule::status(503)
                    .before()
                    .path("v2/transaction/payment")
                    .count(1),
            ])
            .with_seed(11),
        ),
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(env.pay(payment("T-1", CARD)).await.status, 503);
    assert_eq!(env.pay(payment("T-1", CARD)).await.status, 200);
    let st = env.sandbox.fault_stats();
    assert_eq!((st.seed, st.total, st.rules[0].remaining), (11, 1, Some(0)));

    let bad = env
        .sandbox
        .set_faults(FaultPlan::new(vec![FaultRule::new(FaultKind::Redirect)]));
    assert_eq!(
        bad,
        Err("rules[0].location is required for kind redirect".to_owned())
    );
    env.sandbox
        .set_faults(FaultPlan::new(vec![
            FaultRule::replace("{\"x\":1}").count(1),
        ]))
        .expect("valid");
    assert_eq!(env.pay(payment("T-2", CARD)).await.json, json!({"x": 1}));
    env.sandbox
        .set_faults_json(&json!({"rules": [{"kind": "status", "status": 418, "rate": 1.0}]}))
        .expect("valid");
    assert_eq!(env.pay(payment("T-3", CARD)).await.status, 418);
    assert!(
        env.sandbox
            .set_faults_json(&json!({"rules": [{"kind": "status", "delay_ms": 1}]}))
            .is_err()
    );
    env.sandbox.clear_faults();
    assert_eq!(env.pay(payment("T-3", CARD)).await.status, 200);
    assert_eq!(env.sandbox.fault_stats().rules, []);

    let started = paynet_sandbox::Sandbox::start_with(SandboxConfig {
        faults: Some(FaultPlan::new(vec![FaultRule::delay(10_000_000)])),
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(
        started.expect_err("invalid").kind(),
        io::ErrorKind::InvalidInput
    );
}
