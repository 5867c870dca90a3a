//! Every path core's registry sends to has a route in the sandbox. The
//! sandbox stays hand-written (it is the independent oracle), so a new
//! endpoint in core without its sandbox handler fails here, not in some
//! later flow test.

use paynet_core::endpoints::PATHS;
use paynet_sandbox::Sandbox;
use serde_json::Value;

/// The sandbox's answer for a path it does not serve (handlers `not_found`):
/// 404 with Paynet's result code 9.
const NOT_IMPLEMENTED: i64 = 9;

async fn post(sb: &Sandbox, path: &str) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}/{path}", sb.url()))
        .header("Authorization", format!("Basic {}", sb.secret_key()))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("the sandbox answers");
    let status = answer.status().as_u16();
    let body = answer.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

fn no_such_service(status: u16, body: &Value) -> bool {
    status == 404 && body["result_code"].as_i64() == Some(NOT_IMPLEMENTED)
}

#[tokio::test]
async fn every_registry_path_has_a_sandbox_route() {
    let sb = Sandbox::start().await.expect("sandbox starts");
    // The check itself can tell: a path nobody serves is "no such service".
    let (status, body) = post(&sb, "v1/transaction/no_such_service").await;
    assert!(no_such_service(status, &body), "{status} {body}");
    let mut missing = Vec::new();
    // Local methods (an empty path) send nothing.
    for path in PATHS.iter().filter(|p| !p.is_empty()) {
        let (status, body) = post(&sb, path).await;
        if no_such_service(status, &body) {
            missing.push(*path);
        }
        assert_ne!(status, 401, "{path}: the sandbox refused its own key: {body}");
    }
    assert!(missing.is_empty(), "core sends to paths the sandbox does not serve: {missing:?}");
    sb.stop().await;
}
