//! Admin endpoints, request counting, fault injection and the binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Env, payment};
use serde_json::json;

#[tokio::test]
async fn stats_count_api_requests_only() {
    let env = Env::start().await;
    env.pay(payment("S-1", "4355084355084358")).await;
    env.post_noauth("/v1/transaction/check", &json!({})).await; // 401 still counts
    env.post("/v9/unknown", &json!({})).await; // 404 still counts
    env.get("/__sandbox/ledger").await;
    let r = env.get("/__sandbox/stats").await;
    assert_eq!(r.json, json!({"requests": 3, "ledger_entries": 1}));
    let st = env.sandbox.stats();
    assert_eq!((st.requests, st.ledger_entries), (3, 1));
}

#[tokio::test]
async fn faults_fail_the_next_requests_before_the_ledger() {
    let env = Env::start().await;
    let r = env
        .post_noauth("/__sandbox/faults", &json!({"fail_next": 2, "status": 503}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for _ in 0..2 {
        let r = env.pay(payment("F-1", "4355084355084358")).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.json["type"], "api_error");
        assert_eq!(r.json["code"], 503);
        assert!(r.json["result_code"].is_number());
    }
    assert_eq!(env.ledger_count().await, 0);
    let r = env.pay(payment("F-1", "4355084355084358")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["code"], 0);
    assert_eq!(env.sandbox.stats().requests, 3);

    // Faults come before auth too, like an outage in front of the API.
    env.post_noauth(
        "/__sandbox/faults",
        &json!({"fail_next": "1", "status": "500"}),
    )
    .await;
    let r = env.post_noauth("/v1/transaction/check", &json!({})).await;
    assert_eq!(r.status, 500);
    let r = env
        .post_noauth("/__sandbox/faults", &json!({"fail_next": 1, "status": 200}))
        .await;
    assert_eq!(r.status, 400);
}

#[test]
fn binary_prints_listening_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paynet-sandbox"))
        .args([
            "--port",
            "0",
            "--secret-key",
            "sck_bin_test",
            "--slow-bank-delay-ms",
            "10",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("line");
    let url = line
        .trim()
        .strip_prefix("LISTENING url=")
        .map(str::to_owned);

    let result = std::panic::catch_unwind(|| {
        let url = url.expect("LISTENING url=... line");
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let http = reqwest::Client::new();
            let r = http
                .post(format!("{url}/v1/transaction/payment_list"))
                .header("Authorization", "Basic sck_bin_test")
                .body("{}")
                .send()
                .await
                .expect("sent");
            assert_eq!(r.status().as_u16(), 200);
            let r = http
                .post(format!("{url}/v1/transaction/payment_list"))
                .header("Authorization", "Basic sck_sandbox_0000000000000000")
                .send()
                .await
                .expect("sent");
            assert_eq!(r.status().as_u16(), 401);
        });
    });
    // SIGTERM ends it cleanly; kill is the fallback so the test never leaves it running.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().expect("wait");
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
    assert!(status.success(), "{status:?}");
}

#[test]
fn bad_arguments_exit_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_paynet-sandbox"))
        .arg("--nope")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}

#[tokio::test]
async fn every_fault_path_is_a_routed_api_endpoint() {
    let env = Env::start().await;
    for path in paynet_sandbox::API_PATHS {
        let r = env.post(path, &serde_json::json!({})).await;
        assert!(
            !(r.status == 404 && r.json["type"] == "api_error"),
            "{path} has no route: {}",
            r.text
        );
        assert_eq!(
            env.post_noauth(path, &serde_json::json!({})).await.status,
            401,
            "{path} needs the secret key"
        );
    }
}
