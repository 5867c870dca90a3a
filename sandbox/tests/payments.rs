//! `v2/transaction/payment` over real HTTP: auth, encodings, test cards, idempotency, saved cards.

mod common;

use common::{Env, assert_error, num, payment, with};
use serde_json::json;

#[tokio::test]
async fn wrong_or_missing_key_is_401_with_paynet_body() {
    let env = Env::start().await;
    let r = env
        .post_noauth(
            "/v2/transaction/payment",
            &payment("A1", "4355084355084358"),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json,
        json!({"type":"authorization_error","message":"API anahtarınız yanlış","code":401,"result_code":7})
    );
    // base64(key:) is what some clients wrongly send: still 401.
    let resp = env
        .http
        .post(env.url("/v2/transaction/payment"))
        .header(
            "Authorization",
            "Basic c2NrX3NhbmRib3hfMDAwMDAwMDAwMDAwMDAwMDo=",
        )
        .body(payment("A1", "4355084355084358").to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(env.ledger_count().await, 0);
    assert_eq!(env.sandbox.stats().requests, 2);
}

#[tokio::test]
async fn successful_sale_has_every_documented_field() {
    let env = Env::start().await;
    let r = env.pay(payment("ORDER-1", "4355084355084358")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.json;
    assert_eq!(b["object_name"], "payment_response");
    assert_eq!(b["is_succeed"], true);
    assert_eq!(b["code"], 0);
    assert_eq!(b["message"], "Başarılı İşlem");
    assert_eq!(b["id"], 2_049_043);
    assert_eq!(b["xact_transaction_id"], "2049043");
    let xact_id = b["xact_id"].as_str().expect("xact_id");
    assert!(
        xact_id.starts_with("xk_") && xact_id.len() == 43,
        "{xact_id}"
    );
    let date = b["xact_date"].as_str().expect("date");
    assert!(date.ends_with("+03:00") && date.len() == 33, "{date}");
    assert_eq!(b["transaction_type"], 1);
    assert_eq!(b["pos_type"], 5);
    assert_eq!(b["user_id"], "PaynetApi");
    assert_eq!(b["bank_id"], "AXSS");
    assert_eq!(b["bank_name"], "Axess");
    assert_eq!(b["card_no_masked"], "435508******4358");
    assert_eq!(b["card_holder"], "TEST KART");
    assert_eq!(num(&b["amount"]), "100.00");
    assert_eq!(num(&b["ratio"]), "0.0199");
    assert_eq!(num(&b["comission"]), "1.99");
    assert_eq!(num(&b["comission_tax"]), "0.40");
    assert_eq!(num(&b["net_amount"]), "97.61");
    assert_eq!(b["currency"], "TRY");
    let auth = b["bank_authorization_code"].as_str().expect("auth");
    let n = auth.strip_prefix("aut-").expect("aut- prefix");
    assert_eq!(n.len(), 4);
    assert_eq!(b["bank_reference_code"], format!("ref-{n}"));
    assert_eq!(b["bank_order_id"], format!("order-{n}"));
    for empty in [
        "paynet_error_id",
        "paynet_error_message",
        "bank_error_id",
        "bank_error_message",
        "bank_error_short_desc",
        "bank_error_long_desc",
        "campaign_url",
        "card_hash",
    ] {
        assert_eq!(b[empty], "", "{empty}");
    }
    assert_eq!(b["reference_no"], "ORDER-1");
    assert_eq!(b["is_save_card_succeed"], false);
    assert_eq!(b["instalment"], 0);
    // The PAN and CVC never come back, nor appear in the admin ledger.
    assert!(!r.text.contains("4355084355084358"));
    let ledger = env.get("/__sandbox/ledger").await;
    assert!(!ledger.text.contains("4355084355084358") && ledger.text.contains("435508******4358"));
    assert_eq!(env.ledger_count().await, 1);
}

#[tokio::test]
async fn s001_example_request_is_accepted_verbatim() {
    let env = Env::start().await;
    // The S001 page's request, byte for byte except the two values the page itself masks
    // ("******" for pan and card_holder). Its expiry 8/2026 lies in the past by now, so the
    // bank declines with 54; the point is that no field is rejected.
    let body = r#"{
"amount": 12.5,
"reference_no": "REF1000",
"agent_id": "",
"pos_type": "5",
"transaction_type": "1",
"company_amount": null,
"add_commission": "False",
"ratio_code": "",
"instalment": "0",
"merge_option": "False",
"ratio_code_method": "",
"domain": "",
"approved_card": "False",
"card_holder": "TEST TEST",
"card_hash": "",
"pan": "4508034508034509",
"month": "8",
"year": "2026",
"cvc": "000",
"card_holder_phone": "",
"card_holder_mail": "",
"description": "test",
"save_card": "False",
"card_owner_id": "",
"user_unique_id": "",
"user_gsm_no": "",
"card_desc": "",
"subscription_id": "",
"invoice_no": ""
}"#;
    let r = env.post_raw("/v2/transaction/payment", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["object_name"], "payment_response");
    assert_eq!(num(&r.json["amount"]), "12.50");
    assert_eq!(r.json["card_no_masked"], "450803******4509");
    assert_eq!(r.json["bank_id"], "MAXM");
    let expired = chrono::Utc::now().date_naive()
        >= chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
    if expired {
        assert_eq!(r.json["is_succeed"], false);
        assert_eq!(r.json["bank_error_id"], "54");
    } else {
        assert_eq!(r.json["is_succeed"], true);
    }
    // The same body with a future expiry succeeds.
    let r = env
        .post_raw(
            "/v2/transaction/payment",
            &body.replace("\"2026\"", "\"2031\""),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["is_succeed"], true, "{}", r.text);
    assert_eq!(r.json["code"], 0);
}

#[tokio::test]
async fn every_success_card_maps_to_its_bank() {
    let env = Env::start().await;
    let cards = [
        ("4355084355084358", "AXSS", "Axess"),
        ("5571135571135575", "AXSS", "Axess"),
        ("5456165456165454", "FINS", "CardFinans"),
        ("4022774022774026", "FINS", "CardFinans"),
        ("4506347011448053", "WRLD", "World"),
        ("4508034508034509", "MAXM", "Maximum"),
        ("5406675406675403", "MAXM", "Maximum"),
        ("4282209004348015", "BONS", "Bonus"),
        ("4090700102323514", "DENZ", "Denizbank"),
        ("4531444531442283", "PARF", "Paraf"),
        ("5818775818772285", "PARF", "Paraf"),
        ("4446760701569538", "ZDGR", "Diğer Banka"),
        ("5401341234567891", "ZDGR", "Diğer Banka"),
        ("5423740618115066", "ZDGR", "Diğer Banka"),
        ("375622005485014", "ZDGR", "Diğer Banka"),
    ];
    for (i, (pan, bank_id, bank_name)) in cards.iter().enumerate() {
        let cvc = if pan.len() == 15 { "1234" } else { "000" };
        let r = env
            .pay(with(
                payment(&format!("BANK-{i}"), pan),
                json!({"cvc": cvc}),
            ))
            .await;
        assert_eq!(r.status, 200, "{pan}: {}", r.text);
        assert_eq!(r.json["is_succeed"], true, "{pan}");
        assert_eq!(r.json["bank_id"], *bank_id, "{pan}");
        assert_eq!(r.json["bank_name"], *bank_name, "{pan}");
    }
}

#[tokio::test]
async fn decline_cards_answer_200_with_bank_errors_and_are_recorded() {
    let env = Env::start().await;
    for (pan, code) in [
        ("4000000000009995", "51"),
        ("4000000000000002", "05"),
        ("4000000000000069", "54"),
        ("4000000000009979", "43"),
    ] {
        let r = env.pay(payment(&format!("DECL-{code}"), pan)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let b = &r.json;
        assert_eq!(b["is_succeed"], false, "{pan}");
        assert_eq!(b["code"], 1);
        assert_eq!(b["message"], "İşlem başarısız");
        assert_eq!(b["bank_error_id"], code);
        for field in [
            "paynet_error_id",
            "paynet_error_message",
            "bank_error_message",
            "bank_error_short_desc",
            "bank_error_long_desc",
        ] {
            assert!(
                b[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} of {pan}"
            );
        }
    }
    let r = env.pay(payment("DECL-51", "4000000000009995")).await;
    assert_eq!(r.json["bank_error_id"], "51");
    assert!(
        r.json["bank_error_message"]
            .as_str()
            .is_some_and(|m| m.contains("Yetersiz bakiye"))
    );
    assert_eq!(env.ledger_count().await, 5);

    // An expired success card declines with 54.
    let r = env
        .pay(with(
            payment("EXP", "4355084355084358"),
            json!({"month": 1, "year": 2020}),
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["is_succeed"], false);
    assert_eq!(r.json["bank_error_id"], "54");
}

#[tokio::test]
async fn amount_encodings() {
    let env = Env::start().await;
    for (i, (amount, expected)) in [
        (json!(12.5), "12.50"),
        (json!(12.50), "12.50"),
        (json!("12.50"), "12.50"),
        (json!("12,50"), "12.50"),
        (json!("7"), "7.00"),
        (json!(1500), "1500.00"),
        (json!("0,05"), "0.05"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = env
            .pay(with(
                payment(&format!("AMT-{i}"), "4355084355084358"),
                json!({ "amount": amount }),
            ))
            .await;
        assert_eq!(r.status, 200, "{amount}: {}", r.text);
        assert_eq!(num(&r.json["amount"]), expected, "{amount}");
    }
    for (i, amount) in [
        json!("12.505"),
        json!(0),
        json!("-5"),
        json!("abc"),
        json!("1.234,56"),
        json!(true),
        json!("1e3"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = env
            .pay(with(
                payment(&format!("BAD-{i}"), "4355084355084358"),
                json!({ "amount": amount }),
            ))
            .await;
        assert_error(&r, 400, "invalid_request_error", 11);
        assert!(
            r.json["message"]
                .as_str()
                .is_some_and(|m| m.contains("amount")),
            "{}",
            r.text
        );
    }
    let r = env
        .pay(with(
            payment("NOAMT", "4355084355084358"),
            json!({"amount": ""}),
        ))
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    assert_eq!(env.ledger_count().await, 7);
}

#[tokio::test]
async fn validation_names_the_field() {
    let env = Env::start().await;
    let base = payment("V1", "4355084355084358");
    let cases = [
        (json!({"pan": "4355084355084359"}), 18, "pan"),
        (json!({"pan": "hello"}), 18, "pan"),
        (json!({"reference_no": null}), 11, "reference_no"),
        (json!({"reference_no": "x".repeat(51)}), 11, "reference_no"),
        (json!({"month": 13}), 11, "month"),
        (json!({"month": null}), 11, "month"),
        (json!({"year": "26"}), 11, "year"),
        (json!({"cvc": "12"}), 11, "cvc"),
        (json!({"card_holder": null}), 11, "card_holder"),
        (json!({"card_holder": "x".repeat(51)}), 11, "card_holder"),
        (json!({"description": "x".repeat(141)}), 11, "description"),
        (
            json!({"card_holder_phone": "05321234567"}),
            11,
            "card_holder_phone",
        ),
        (json!({"instalment": 5000}), 11, "instalment"),
        (json!({"instalment": 1}), 11, "instalment"),
        (json!({"transaction_type": 7}), 11, "transaction_type"),
        (json!({"add_commission": "maybe"}), 11, "add_commission"),
        (json!({"pan": null}), 11, "card_hash"),
        (json!({"card_hash": "pch_x"}), 11, "card_hash"),
        (json!({"save_card": true}), 11, "card_desc"),
        (
            json!({"save_card": "True", "card_desc": "my card"}),
            11,
            "user_unique_id",
        ),
    ];
    for (patch, rc, field) in cases {
        let r = env.pay(with(base.clone(), patch.clone())).await;
        assert_error(&r, 400, "invalid_request_error", rc);
        assert!(
            r.json["message"]
                .as_str()
                .is_some_and(|m| m.contains(field)),
            "{patch}: {}",
            r.text
        );
    }
    let r = env.post_raw("/v2/transaction/payment", "{not json").await;
    assert_error(&r, 400, "invalid_request_error", 11);
    let r = env.post_raw("/v2/transaction/payment", "[1,2]").await;
    assert_error(&r, 400, "invalid_request_error", 11);
    assert_eq!(env.ledger_count().await, 0);
    // Unknown fields are ignored.
    let r = env
        .pay(with(
            base,
            json!({"whatever": {"nested": true}, "instalment": "3"}),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(num(&r.json["ratio"]), "0.0349");
    assert_eq!(r.json["instalment"], 3);
}

#[tokio::test]
async fn unknown_path_and_method() {
    let env = Env::start().await;
    let r = env.post("/v1/transaction/nope", &json!({})).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["type"], "api_error");
    assert_eq!(r.json["code"], 404);
    let r = env.get("/v2/transaction/payment").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json["type"], "api_error");
}

#[tokio::test]
async fn add_commission_charges_the_customer_on_top() {
    let env = Env::start().await;
    let r = env
        .pay(with(
            payment("ADD", "4355084355084358"),
            json!({"add_commission": "true", "instalment": 6}),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // 100.00 at 5.99 %: commission 5.99, tax 1.20; customer pays 107.19, merchant nets 100.00.
    assert_eq!(num(&r.json["comission"]), "5.99");
    assert_eq!(num(&r.json["comission_tax"]), "1.20");
    assert_eq!(num(&r.json["amount"]), "107.19");
    assert_eq!(num(&r.json["net_amount"]), "100.00");
}

#[tokio::test]
async fn same_reference_replays_the_success_with_code_100() {
    let env = Env::start().await;
    let first = env.pay(payment("IDEM-1", "4355084355084358")).await;
    assert_eq!(first.json["code"], 0);
    let again = env
        .pay(with(
            payment("IDEM-1", "4355084355084358"),
            json!({"amount": "999.99"}),
        ))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json["code"], 100);
    assert_eq!(again.json["message"], "Önceki Başarılı İşlem");
    for field in [
        "id",
        "xact_id",
        "xact_date",
        "amount",
        "net_amount",
        "bank_authorization_code",
    ] {
        assert_eq!(again.json[field], first.json[field], "{field}");
    }
    assert_eq!(env.ledger_count().await, 1);

    // After a decline the same reference is a fresh attempt.
    let d = env.pay(payment("IDEM-2", "4000000000000002")).await;
    assert_eq!(d.json["is_succeed"], false);
    let ok = env.pay(payment("IDEM-2", "4355084355084358")).await;
    assert_eq!(ok.json["is_succeed"], true);
    assert_eq!(ok.json["code"], 0);
    assert_ne!(ok.json["id"], d.json["id"]);
    let replay = env.pay(payment("IDEM-2", "4355084355084358")).await;
    assert_eq!(replay.json["code"], 100);
    assert_eq!(replay.json["id"], ok.json["id"]);
    assert_eq!(env.ledger_count().await, 3);
}

#[tokio::test]
async fn concurrent_identical_requests_charge_once() {
    let env = Env::start().await;
    // The slow card keeps the first attempt in flight while the others arrive.
    let body = payment("RACE-1", "4000000000000259");
    let (a, b) = tokio::join!(env.pay(body.clone()), env.pay(body.clone()));
    assert_eq!(a.json["is_succeed"], true);
    assert_eq!(b.json["is_succeed"], true);
    assert_eq!(a.json["id"], b.json["id"]);
    let mut codes = [a.json["code"].as_i64(), b.json["code"].as_i64()];
    codes.sort();
    assert_eq!(codes, [Some(0), Some(100)]);
    assert_eq!(env.ledger_count().await, 1);

    let body = payment("RACE-2", "4355084355084358");
    let replies = futures_join_all(&env, body, 8).await;
    let ids: std::collections::HashSet<_> =
        replies.iter().map(|r| r.json["id"].to_string()).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(replies.iter().filter(|r| r.json["code"] == 0).count(), 1);
    assert_eq!(env.ledger_count().await, 2);
}

async fn futures_join_all(env: &Env, body: serde_json::Value, n: usize) -> Vec<common::Reply> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let http = env.http.clone();
        let url = env.url("/v2/transaction/payment");
        let auth = format!("Basic {}", env.sandbox.secret_key());
        let body = body.clone();
        set.spawn(async move {
            let resp = http
                .post(url)
                .header("Authorization", auth)
                .json(&body)
                .send()
                .await
                .expect("sent");
            common::reply(resp).await
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.expect("task"));
    }
    out
}

#[tokio::test]
async fn slow_bank_and_malformed_cards() {
    let env = Env::start().await;
    let t = std::time::Instant::now();
    let r = env.pay(payment("SLOW", "4000000000000259")).await;
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(r.json["is_succeed"], true);

    let r = env.pay(payment("BROKEN", "4000000000000119")).await;
    assert_eq!(r.status, 200);
    assert!(
        serde_json::from_str::<serde_json::Value>(&r.text).is_err(),
        "{}",
        r.text
    );
    // The charge did happen: check tells the truth, and a retry replays it properly.
    let c = env
        .post("/v1/transaction/check", &json!({"reference_no": "BROKEN"}))
        .await;
    assert_eq!(c.json["Data"][0]["is_succeed"], true);
    let retry = env.pay(payment("BROKEN", "4000000000000119")).await;
    assert_eq!(retry.json["code"], 100);
}

#[tokio::test]
async fn saved_cards() {
    let env = Env::start().await;
    let r = env
        .pay(with(
            payment("SAVE-1", "5571135571135575"),
            json!({"save_card": "true", "card_desc": "iş kartım", "user_unique_id": "user-31"}),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["is_save_card_succeed"], true);
    let hash = r.json["card_hash"].as_str().expect("hash").to_owned();
    let owner = r.json["card_owner_id"].as_str().expect("owner").to_owned();
    assert!(hash.starts_with("pch_"));
    assert_eq!(owner.len(), 36);
    assert_eq!(r.json["user_unique_id"], "user-31");
    assert_eq!(r.json["card_bank_id"], "AXSS");

    // Same user again: same owner id.
    let r2 = env
        .pay(with(
            payment("SAVE-2", "4355084355084358"),
            json!({"save_card": true, "card_desc": "ikinci", "user_unique_id": "user-31"}),
        ))
        .await;
    assert_eq!(r2.json["card_owner_id"], owner.as_str());

    // Pay with the hash: no card data needed.
    let by_hash = json!({"amount": "25,00", "reference_no": "HASH-1", "domain": "x", "card_hash": hash, "card_owner_id": owner});
    let r = env.pay(by_hash.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["is_succeed"], true);
    assert_eq!(r.json["card_no_masked"], "557113******5575");
    assert_eq!(num(&r.json["amount"]), "25.00");

    let r = env
        .pay(with(
            by_hash.clone(),
            json!({"card_hash": "pch_unknown", "reference_no": "HASH-2"}),
        ))
        .await;
    assert_error(&r, 400, "invalid_request_error", 18);
    let r = env
        .pay(with(
            by_hash,
            json!({"card_owner_id": "someone-else", "reference_no": "HASH-3"}),
        ))
        .await;
    assert_error(&r, 400, "invalid_request_error", 18);
    // Card data and a hash together is ambiguous.
    let r = env
        .pay(with(
            payment("BOTH", "4355084355084358"),
            json!({"card_hash": hash}),
        ))
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
}

#[tokio::test]
async fn stop_is_graceful_and_drop_does_not_panic() {
    let env = Env::start().await;
    let url = env.sandbox.url();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'));
    env.sandbox.stop().await;
    assert!(
        reqwest::Client::new()
            .post(format!("{url}/v1/transaction/check"))
            .send()
            .await
            .is_err()
    );
    let s = paynet_sandbox::Sandbox::start().await.expect("start");
    drop(s);
}

#[tokio::test]
async fn a_client_that_hangs_up_is_still_charged_and_its_retry_replays() {
    let env = Env::start().await; // slow bank: 300 ms
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(80))
        .build()
        .expect("client");
    let sent = impatient
        .post(env.url("/v2/transaction/payment"))
        .header(
            "Authorization",
            format!("Basic {}", env.sandbox.secret_key()),
        )
        .json(&payment("HANGUP-1", "4000000000000259"))
        .send()
        .await;
    assert!(sent.is_err(), "the client gave up");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(env.ledger_count().await, 1);
    let retry = env.pay(payment("HANGUP-1", "4000000000000259")).await;
    assert_eq!(retry.json["code"], 100, "{}", retry.text);
    assert_eq!(env.ledger_count().await, 1);
}
