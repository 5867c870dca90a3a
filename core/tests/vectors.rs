//! The shared vectors in tests/vectors: the same files Python and Node run.

use std::fs;
use std::path::PathBuf;

use paynet_core::{Client, ClientOption, Config, Deadline, Endpoint, ErrorKind, OptionValue};
use serde_json::Value;

fn vectors(dir: &str) -> Vec<(String, Value)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(dir);
    let mut files: Vec<_> = fs::read_dir(&root).expect("vectors directory").map(|e| e.expect("entry").path()).collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = fs::read_to_string(&p).expect("readable vector");
            (p.file_name().unwrap().to_string_lossy().into_owned(), serde_json::from_str(&text).expect("valid JSON"))
        })
        .collect()
}

#[test]
fn request_vectors() {
    let all = vectors("requests");
    assert!(all.len() >= 20, "expected the full vector set");
    for (name, v) in all {
        let mut config = Config::new("sck_vectors").unwrap();
        for (name, value) in v["client"].as_object().into_iter().flatten() {
            let option = ClientOption::find(name, false).unwrap_or_else(|| panic!("{name}: no client option {name}"));
            config = config.set_option(option, &OptionValue::Text(value.as_str().unwrap().into())).unwrap();
        }
        let client = Client::new(config).unwrap();
        let method = v["method"].as_str().unwrap();
        let result = client.prepare_value(method, v["params"].clone());
        if let Some(expected) = v.get("expect") {
            let prepared = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(prepared.path, expected["path"].as_str().unwrap(), "{name}");
            // Compare as text: `12.50` must be exactly that number token.
            assert_eq!(
                serde_json::to_string(&prepared.body).unwrap(),
                serde_json::to_string(&expected["body"]).unwrap(),
                "{name}"
            );
        } else {
            let expected = &v["expect_error"];
            let err = result.err().unwrap_or_else(|| panic!("{name}: expected an error"));
            assert_eq!(err.kind.as_str(), expected["kind"].as_str().unwrap(), "{name}: {err}");
            assert_eq!(err.field.as_deref(), expected["field"].as_str(), "{name}: {err}");
            assert_eq!(err.kind, ErrorKind::InvalidRequest);
            let card = &v["params"]["card"];
            for secret in [&card["number"], &card["cvc"]] {
                let text = secret.to_string();
                let text = text.trim_matches('"');
                assert!(secret.is_null() || !err.message.contains(text), "{name}: the error repeats card data");
            }
        }
    }
}

#[test]
fn response_vectors() {
    for (name, v) in vectors("responses") {
        // The bytes as Paynet sent them, read by the path production uses.
        let body = serde_json::to_vec(&v["body"]).unwrap();
        let parsed = match v["endpoint"].as_str().unwrap() {
            "payments.create" => serde_json::to_value(
                <paynet_core::endpoints::payment::CreatePayment as Endpoint>::decode(
                    &serde_json::from_value(minimal_payment(&v["body"])).unwrap(),
                    &body,
                    &Deadline::none(),
                )
                .unwrap(),
            ),
            "reports.payment_list" => serde_json::to_value(
                <paynet_core::endpoints::payment_list::PaymentList as Endpoint>::decode(
                    &serde_json::from_value(serde_json::json!({"date": "2020-02-05"})).unwrap(),
                    &body,
                    &Deadline::none(),
                )
                .unwrap(),
            ),
            other => panic!("{name}: no reader for {other}"),
        }
        .unwrap();
        if let Some(expected) = v.get("expect") {
            for (key, want) in expected.as_object().unwrap() {
                let got = pointer(&parsed, key);
                assert_eq!(&got, want, "{name}: {key}");
            }
        }
    }
}

/// The payment the answer is for: it carries the reference the answer echoes.
fn minimal_payment(answer: &Value) -> Value {
    let reference_no = answer["reference_no"].as_str().unwrap_or("r");
    serde_json::json!({"amount": "1", "reference_no": reference_no, "domain": "d", "card_hash": "h"})
}

fn pointer(v: &Value, dotted: &str) -> Value {
    let path = format!("/{}", dotted.replace('.', "/"));
    v.pointer(&path).cloned().unwrap_or(Value::Null)
}
