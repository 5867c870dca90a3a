//! Helpers shared by the HTTP-level tests: a sandbox per test and a thin JSON client.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    /// Plays the browser: never follows redirects, so tests see each 303.
    pub browser: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
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
            browser: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("browser client"),
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

    /// A browser GET of an absolute URL the sandbox handed out.
    pub async fn browse(&self, url: &str) -> Reply {
        let resp = self.browser.get(url).send().await.expect("request sent");
        reply(resp).await
    }

    /// A browser form post (`application/x-www-form-urlencoded`) to an absolute URL or a path.
    pub async fn submit(&self, url_or_path: &str, fields: &[(&str, &str)]) -> Reply {
        let url = if url_or_path.starts_with("http") {
            url_or_path.to_owned()
        } else {
            self.url(url_or_path)
        };
        let resp = self
            .browser
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_encode(fields))
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

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body read");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The auto-submitting form of a sandbox page: `(method, action, hidden fields in order)`.
pub fn auto_form(html: &str) -> (String, String, Vec<(String, String)>) {
    let start = html
        .find("<form id=\"paynet-auto-submit\"")
        .unwrap_or_else(|| panic!("no auto-submit form in {html}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").expect("form closes")];
    let attr = |tag: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        let at = tag
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + key.len();
        html_unescape(&tag[at..at + tag[at..].find('"').expect("attribute closes")])
    };
    let head = &form[..form.find('>').expect("tag closes")];
    let fields = form
        .match_indices("<input type=\"hidden\"")
        .map(|(i, _)| {
            let tag = &form[i..i + form[i..].find('>').expect("input closes")];
            (attr(tag, "name"), attr(tag, "value"))
        })
        .collect();
    assert!(html.contains("<noscript><button type=\"submit\""), "{html}");
    assert!(html.contains(".submit();"), "{html}");
    (attr(head, "method"), attr(head, "action"), fields)
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// What a shop's endpoint received.
#[derive(Debug, Clone)]
pub struct Received {
    pub request_line: String,
    pub headers: String,
    pub body: Value,
}

/// A shop endpoint on 127.0.0.1 that answers the given statuses in turn (then 200) and
/// records each request. Returns its base URL.
pub async fn shop_endpoint(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Head, then as much body as Content-Length says.
            let (head, body) = loop {
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (String::from_utf8_lossy(&buf).into_owned(), Vec::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    let mut body = buf[end + 4..].to_vec();
                    while body.len() < length {
                        let n = stream.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        body.extend_from_slice(&chunk[..n]);
                    }
                    break (head, body);
                }
            };
            let (request_line, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
            log.lock().expect("log").push(Received {
                request_line: request_line.to_owned(),
                headers: headers.to_owned(),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            });
            let status = statuses.next().unwrap_or(200);
            let answer =
                format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (url, seen)
}

/// Waits (up to 5 s) until the sandbox recorded `n` confirmation attempts.
pub async fn wait_confirmations(sandbox: &Sandbox, n: usize) -> Vec<paynet_sandbox::Confirmation> {
    for _ in 0..500 {
        let list = sandbox.confirmations();
        if list.len() >= n {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "expected {n} confirmation attempts, got {:?}",
        sandbox.confirmations()
    );
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

impl Env {
    /// `POST /__sandbox/clock` (`{"set": ..}` or `{"advance_days": ..}`), expecting a 200.
    pub async fn clock(&self, body: Value) -> String {
        let r = self.post_noauth("/__sandbox/clock", &body).await;
        assert_eq!(r.status, 200, "clock {body}: {}", r.text);
        r.json["now"].as_str().expect("now").to_owned()
    }

    pub async fn next_day(&self) {
        self.clock(json!({"advance_days": 1})).await;
    }

    /// A successful sale of `amount` TL; its payment response.
    pub async fn sale(&self, reference_no: &str, amount: &str) -> Value {
        let r = self
            .pay(with(
                payment(reference_no, "4355084355084358"),
                json!({"amount": amount}),
            ))
            .await;
        assert_eq!(r.json["is_succeed"], true, "{}", r.text);
        r.json
    }

    /// `reversed_request` for `xact_id` with `amount` ×100 (`None`: the full amount).
    pub async fn reverse(&self, xact_id: &Value, amount: Option<&str>) -> Reply {
        let mut body = json!({"xact_id": xact_id});
        if let Some(a) = amount {
            body["amount"] = json!(a);
        }
        self.post("/v1/transaction/reversed_request", &body).await
    }

    /// `POST /__sandbox/reversals/{id}` with `approve` or `reject`.
    pub async fn review(&self, reversal_id: &Value, decision: &str) -> Reply {
        let id = reversal_id.as_str().expect("reversal_id");
        self.post_noauth(
            &format!("/__sandbox/reversals/{id}"),
            &json!({"decision": decision}),
        )
        .await
    }

    /// The one `Data` row of `v1/transaction/detail` for `xact_id`.
    pub async fn detail(&self, xact_id: &Value) -> Value {
        let r = self
            .post("/v1/transaction/detail", &json!({"xact_id": xact_id}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["Data"][0].clone()
    }
}

/// A TL JSON number (`12.50`, `-3.0000`) in kuruş.
pub fn kurus(v: &Value) -> i64 {
    let text = num(v);
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = format!("{frac:0<2}");
    assert!(
        frac[2..].bytes().all(|b| b == b'0'),
        "sub-kuruş amount {text}"
    );
    let k: i64 = int.parse::<i64>().expect("int") * 100 + frac[..2].parse::<i64>().expect("frac");
    if neg { -k } else { k }
}

/// Istanbul's today by the sandbox clock, as `yyyy-MM-dd`.
pub fn day_of(sandbox: &Sandbox) -> String {
    sandbox.clock().format("%Y-%m-%d").to_string()
}

/// Waits (up to 5 s) until the sandbox recorded `n` `succeedUrl` delivery attempts.
pub async fn wait_reversal_posts(sandbox: &Sandbox, n: usize) -> Vec<paynet_sandbox::Confirmation> {
    for _ in 0..500 {
        let list = sandbox.reversal_posts();
        if list.len() >= n {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "expected {n} succeedUrl attempts, got {:?}",
        sandbox.reversal_posts()
    );
}
