//! Ratios against the sandbox over real HTTP: the instalment table of a
//! checkout page, and a ratio type whose definitions change what `Get`
//! answers and what later payments naming it are charged.

#![allow(clippy::result_large_err)] // core::Error is large by design (it carries the transaction)

use std::time::Duration;

use paynet_core::wire::MoneyWire;
use paynet_core::{Client, Config, ErrorKind, RequestOptions};
use paynet_sandbox::Sandbox;
use serde_json::{Value, json};

fn client_for(sb: &Sandbox) -> Client {
    Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).retry_initial_delay(Duration::from_millis(20))).unwrap()
}

async fn call(client: &Client, method: &str, params: Value) -> Result<Value, paynet_core::Error> {
    client.call_value(method, params, &RequestOptions::default()).await
}

fn row(table: &Value, bank: &str, installment: i64) -> Value {
    let bank = table["banks"].as_array().unwrap().iter().find(|b| b["bank_id"] == bank).unwrap_or_else(|| panic!("no {bank} in {table}"));
    bank["rows"].as_array().unwrap().iter().find(|r| r["installment"] == installment).cloned().unwrap_or(Value::Null)
}

fn pay(reference_no: &str, pan: &str, installment: u32, ratio_code: Option<&str>) -> Value {
    let mut p = json!({
        "amount": "100", "reference_no": reference_no, "domain": "shop.example.com", "installment": installment,
        "card": {"number": pan, "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "TEST TEST"},
    });
    if let Some(code) = ratio_code {
        p["ratio_code"] = json!(code);
    }
    p
}

#[tokio::test]
async fn an_instalment_table_for_three_banks() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let table = call(&client, "ratios.instalment_table", json!({"amount": "10", "add_commission": true})).await.unwrap();
    assert_eq!(table["amount"], json!("10.00"));
    for bank in ["AXSS", "MAXM", "BONS"] {
        let single = row(&table, bank, 0);
        assert_eq!((single["count"].clone(), single["total"].clone()), (json!(1), json!("10.24")), "{single}");
        let three = row(&table, bank, 3);
        // 10 TL + 3.49 % commission (0.35) + its 20 % tax (0.07), in 3 parts.
        assert_eq!((three["total"].clone(), three["installment_amount"].clone(), three["surcharge"].clone()), (json!("10.42"), json!("3.47"), json!("0.42")));
        assert_eq!(three["desc"], json!("3 Taksit 3 x 3,47 = 10,42 TL"));
        assert_eq!(three["ratio"], json!("0.0349"));
        let counts: Vec<i64> = table["banks"].as_array().unwrap().iter().find(|b| b["bank_id"] == bank).unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["installment"].as_i64().unwrap())
            .collect();
        assert_eq!(counts, [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
    // By BIN: only the card's bank.
    let by_bin = call(&client, "ratios.instalment_table", json!({"amount": "10", "bin": "450803"})).await.unwrap();
    let banks: Vec<&str> = by_bin["banks"].as_array().unwrap().iter().map(|b| b["bank_id"].as_str().unwrap()).collect();
    assert_eq!(banks, ["MAXM"]);
    assert_eq!(row(&by_bin, "MAXM", 0)["total"], json!("10.00"), "without add_commission the customer pays the amount");
    // The raw table says the same.
    let raw = call(&client, "ratios.get", json!({"amount": "10", "bin": "450803"})).await.unwrap();
    assert_eq!(raw["banks"][0]["options"][1]["installment"], json!(2));
    // Both amount encodings reach the same table.
    let decimal = Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url()).ratio_amount_format(MoneyWire::DecimalNumber)).unwrap();
    let same = decimal.call_value("ratios.instalment_table", json!({"amount": "10", "bin": "450803"}), &RequestOptions::default()).await.unwrap();
    assert_eq!(same, by_bin);
    assert_eq!(call(&client, "ratios.instalment_table", json!({"bin": "450803"})).await.unwrap_err().field.as_deref(), Some("amount"));
    assert_eq!(call(&client, "ratios.get", json!({"bin": "4508"})).await.unwrap_err().field.as_deref(), Some("bin"));
    sb.stop().await;
}

#[tokio::test]
async fn a_ratio_type_changes_later_payments_and_blocks_what_it_blocks() {
    let sb = Sandbox::start().await.unwrap();
    let client = client_for(&sb);
    let plain = call(&client, "payments.create", pay("R-0", "4355084355084358", 3, None)).await.unwrap();
    assert_eq!(plain["commission"], json!("3.49"));

    let created = call(&client, "ratios.set_type", json!({"description": "Campaign", "is_cumulative": true})).await.unwrap();
    let code = created["ratio_code"].as_str().unwrap().to_owned();
    let defined = json!({
        "ratio_code": code, "card_type": "cc",
        "banks": [
            {"bank_id": "AXSS", "instalments": [{"instalment": 3, "ratio": "-0.0100"}, {"instalment": 6, "is_blocked": true}]},
            {"bank_id": "BONS", "is_blocked": true},
        ],
    });
    call(&client, "ratios.define", defined).await.unwrap();

    let table = call(&client, "ratios.get", json!({"amount": "100", "ratio_code": code})).await.unwrap();
    let axss = table["banks"].as_array().unwrap().iter().find(|b| b["bank_id"] == "AXSS").unwrap();
    let counts: Vec<i64> = axss["options"].as_array().unwrap().iter().map(|o| o["installment"].as_i64().unwrap()).collect();
    assert!(!counts.contains(&6), "{counts:?}");
    let three = axss["options"].as_array().unwrap().iter().find(|o| o["installment"] == 3).unwrap();
    assert_eq!(three["ratio"], json!("0.0249"));
    assert!(table["banks"].as_array().unwrap().iter().all(|b| b["bank_id"] != "BONS"));

    let cheaper = call(&client, "payments.create", pay("R-1", "4355084355084358", 3, Some(&code))).await.unwrap();
    assert_eq!((cheaper["commission"].clone(), cheaper["ratio_code"].clone()), (json!("2.49"), json!(code)));
    let blocked = call(&client, "payments.create", pay("R-2", "4355084355084358", 6, Some(&code))).await.unwrap_err();
    assert_eq!((blocked.kind, blocked.result_code), (ErrorKind::InvalidRequest, Some(21)), "{blocked}");
    let bank = call(&client, "payments.create", pay("R-3", "4282209004348015", 0, Some(&code))).await.unwrap_err();
    assert_eq!(bank.result_code, Some(21), "{bank}");

    call(&client, "ratios.delete_type", json!({"ratio_code": code})).await.unwrap();
    let gone = call(&client, "payments.create", pay("R-4", "4355084355084358", 3, Some(&code))).await.unwrap_err();
    assert_eq!(gone.result_code, Some(23), "{gone}");
    let again = call(&client, "ratios.delete_type", json!({"ratio_code": code})).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidRequest);
    sb.stop().await;
}

#[test]
fn bad_definitions_are_refused_before_sending() {
    let client = Client::new(Config::new("sck_test").unwrap().base_url("http://127.0.0.1:9")).unwrap();
    let bank = |ratio: &str| json!({"ratio_code": "RT1", "card_type": "cc", "banks": [{"bank_id": "AXSS", "instalments": [{"instalment": 3, "ratio": ratio}]}]});
    let e = client.prepare_value("ratios.define", bank("0.25")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("banks[0].instalments[0].ratio"), "{e}");
    let e = client.prepare_value("ratios.define", json!({"ratio_code": "RT1", "card_type": "xx", "banks": []})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("card_type"), "{e}");
    let ok = client.prepare_value("ratios.define", bank("0.0125")).unwrap();
    assert_eq!(serde_json::to_string(&ok.body["banks"]).unwrap(), r#"[{"bank_id":"AXSS","instalments":[{"instalment":3,"is_blocked":false,"ratio":0.0125}],"is_blocked":false}]"#);
}

#[test]
fn unknown_ratio_type_outcomes_say_what_settles_them() {
    let client = Client::new(Config::new("sck_test").unwrap().base_url("http://127.0.0.1:9")).unwrap();
    let e = client.read_answer("ratios.delete_type", json!({"ratio_code": "RT1"}), 502, b"").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{e}");
    assert!(e.message.contains("the ratio_code you deleted") && !e.message.contains("this one"), "{e}");
    let e = client.read_answer("ratios.set_type", json!({"description": "Kampanya"}), 502, b"").unwrap_err();
    assert!(e.message.contains("Paynet lists no ratio types") && e.message.contains("is_default"), "{e}");
}
