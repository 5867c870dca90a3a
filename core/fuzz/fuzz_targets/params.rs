//! Any JSON parameters to every method, through `Client::prepare_value`
//! (validation and the wire body; no network), with both payment amount
//! formats. Input that is not JSON is skipped. The invariants are those of
//! `parameters_are_encoded_safely` in core/tests/properties.rs.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use paynet_core::{Client, Config, METHODS, Money};
use serde_json::{Map, Value};

const KEY: &str = "sck_fuzz_Q7w8e9r0t1y2u3i4";
static NUMBER: LazyLock<Client> = LazyLock::new(|| Client::new(Config::new(KEY).unwrap()).unwrap());
static COMMA: LazyLock<Client> =
    LazyLock::new(|| Client::new(Config::new(KEY).unwrap().payment_amount_format(paynet_core::wire::MoneyWire::CommaString)).unwrap());

fn control_character_in(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => s.chars().any(char::is_control).then(|| s.clone()),
        Value::Array(items) => items.iter().find_map(control_character_in),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(k, v)| if k.chars().any(char::is_control) { Some(k.clone()) } else { control_character_in(v) }),
        _ => None,
    }
}

/// `digits[<point>digits]` with at most `max_decimals` after the point.
fn plain_decimal(text: &str, point: char, max_decimals: usize) -> bool {
    let (whole, fraction) = text.split_once(point).unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && (!text.contains(point) || (digits(fraction) && fraction.len() <= max_decimals))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn check(client: &Client, comma: bool, method: &str, params: &Value) {
    let Ok(prepared) = client.prepare_value(method, params.clone()) else { return };
    let body: &Map<String, Value> = &prepared.body;
    if let Some(bad) = control_character_in(&Value::Object(body.clone())) {
        panic!("{method}: a control character on the wire: {bad:?}");
    }
    let fields: &[&str] = match method {
        "payments.create" => {
            assert!(body.contains_key("amount"), "payments.create without an amount");
            &["amount", "company_amount"]
        }
        "payments.charge" | "payments.capture" => &["amount"],
        _ => &[],
    };
    for field in fields {
        let Some(wire) = body.get(*field) else { continue };
        let wire_text = text(wire).unwrap_or_else(|| panic!("{method} sends {field} as {wire}"));
        let given = text(&params[*field]).and_then(|t| Money::parse(&t).ok());
        let given = given.unwrap_or_else(|| panic!("{method} accepted {field} {} that Money::parse refuses", params[*field]));
        let read_back = match (method, comma) {
            ("payments.create", false) => {
                assert!(wire.is_number() && plain_decimal(&wire_text, '.', 2), "{method} sends {field} as {wire}");
                Money::parse(&wire_text).ok()
            }
            ("payments.create", true) => {
                assert!(wire.is_string() && plain_decimal(&wire_text, ',', 2), "{method} sends {field} as {wire}");
                Money::parse(&wire_text.replace(',', ".")).ok()
            }
            _ => {
                assert!(wire.is_string() && plain_decimal(&wire_text, '.', 0), "{method} sends {field} as {wire}");
                wire_text.parse::<u64>().ok().and_then(|k| Money::from_kurus(k).ok())
            }
        };
        assert_eq!(read_back, Some(given), "{method} sends {field} {wire} for {given}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(params) = serde_json::from_slice::<Value>(data) else { return };
    for method in METHODS {
        check(&NUMBER, false, method, &params);
        check(&COMMA, true, method, &params);
    }
});
