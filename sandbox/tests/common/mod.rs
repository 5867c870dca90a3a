//! Helpers shared by the HTTP-level tests: a sandbox per test and a thin JSON client.
#![allow(dead_code)]

use std::time::Duration;

use paynet_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
}

impl Env {
    pub async fn start() -> Env {
        Self::start_with(SandboxConfig {
            slow_bank_delay: Duration::from_millis(300),
            ..SandboxConfig::default()
        })
        .await
    }

    pub async fn start_with(config: SandboxConfig) -> Env {
        let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
        Env {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sandbox.url(), path)
    }

    /// POST with the sandbox's key and a raw body.
    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        let auth = format!("Basic {}", self.sandbox.secret_key());
        let resp = self
            .http
            .post(self.url(path))
            .header("Authorization", auth)
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(body.to_owned())
            .send()
            .await
            .expect("request sent");
        reply(resp).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_raw(path, &body.to_string()).await
    }

    /// POST without auth (admin endpoints, or to test the 401).
    pub async fn post_noauth(&self, path: &str, body: &Value) -> Reply {
        let resp = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent");
        reply(resp).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        let resp = self
            .http
            .get(self.url(path))
            .send()
            .await
            .expect("request sent");
        reply(resp).await
    }

    pub async fn pay(&self, body: Value) -> Reply {
        self.post("/v2/transaction/payment", &body).await
    }

    pub async fn ledger_count(&self) -> usize {
        self.sandbox.stats().ledger_entries
    }
}

async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body read");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, text, json }
}

/// A valid card payment body; tests override fields with `with`.
pub fn payment(reference_no: &str, pan: &str) -> Value {
    json!({
        "amount": "100.00",
        "reference_no": reference_no,
        "domain": "www.example.com",
        "card_holder": "TEST KART",
        "pan": pan,
        "month": 12,
        "year": 2045,
        "cvc": "000",
        "description": "sandbox test",
    })
}

pub fn with(mut v: Value, patch: Value) -> Value {
    if let (Some(obj), Some(p)) = (v.as_object_mut(), patch.as_object()) {
        for (k, val) in p {
            if val.is_null() {
                obj.remove(k);
            } else {
                obj.insert(k.clone(), val.clone());
            }
        }
    }
    v
}

/// The exact token a JSON number was sent as (serde_json keeps it with arbitrary_precision).
pub fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => panic!("expected a JSON number, got {other}"),
    }
}

pub fn assert_error(r: &Reply, status: u16, kind: &str, result_code: i64) {
    assert_eq!(r.status, status, "status; body: {}", r.text);
    assert_eq!(r.json["type"], kind, "type; body: {}", r.text);
    assert_eq!(r.json["code"], status, "code; body: {}", r.text);
    assert_eq!(
        r.json["result_code"], result_code,
        "result_code; body: {}",
        r.text
    );
    assert!(
        r.json["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message; body: {}",
        r.text
    );
}
