//! PayLink (`v1/mailorder/*`), the payer's page and the confirmation posts.

mod common;

use common::{Env, assert_error, num, shop_endpoint, wait_confirmations, with};
use serde_json::{Value, json};

fn link(extra: Value) -> Value {
    with(
        json!({"name_surname": "Ayşe Yılmaz", "amount": "150.00", "note": "Sipariş <7> & kargo",
               "email": "ayse@example.com"}),
        extra,
    )
}

async fn create(env: &Env, body: Value) -> Value {
    let r = env.post("/v1/mailorder/create", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

fn card(pan: &str) -> Vec<(&str, &str)> {
    vec![
        ("card_holder", "AYSE YILMAZ"),
        ("pan", pan),
        ("month", "12"),
        ("year", "2045"),
        ("cvc", "000"),
    ]
}

#[tokio::test]
async fn create_detail_and_status_update() {
    let env = Env::start().await;
    let r = env
        .post("/v1/mailorder/create", &json!({"amount": "10"}))
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    let r = env
        .post("/v1/mailorder/create", &json!({"name_surname": "X"}))
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    for bad in [
        json!({"amount": "0"}),
        json!({"expire_date": 0}),
        json!({"succeed_url": "/ok"}),
    ] {
        let r = env.post("/v1/mailorder/create", &link(bad.clone())).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    assert_eq!(
        env.post_noauth("/v1/mailorder/create", &link(json!({})))
            .await
            .status,
        401
    );

    let made = create(
        &env,
        link(json!({"reference_no": "PL-1", "expire_date": 72})),
    )
    .await;
    assert_eq!(made["code"], 0);
    assert_eq!(made["reference_no"], "PL-1");
    let url = made["url"].as_str().expect("url");
    assert!(url.starts_with(&env.url("/__sandbox/paylink/")), "{url}");
    let id = made["id"].as_u64().expect("id");
    let r = env
        .post(
            "/v1/mailorder/create",
            &link(json!({"reference_no": "PL-1"})),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 5);
    // Without a reference the sandbox makes one.
    let other = create(&env, link(json!({}))).await;
    assert!(
        other["reference_no"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    for key in [json!({"id": id}), json!({"reference_no": "PL-1"})] {
        let d = env.post("/v1/mailorder/detail", &key).await;
        assert_eq!(d.status, 200, "{}", d.text);
        assert_eq!(d.json["id"], id);
        assert_eq!(d.json["status"], 0);
        assert_eq!(num(&d.json["amount"]), "150.00");
        assert_eq!(d.json["name_surname"], "Ayşe Yılmaz");
        assert_eq!(d.json["url"], url);
        assert_eq!(d.json["xact_id"], Value::Null);
        assert_eq!(d.json["is_expired"], false);
    }
    assert_error(
        &env.post("/v1/mailorder/detail", &json!({"id": 1})).await,
        404,
        "no_data_error",
        12,
    );
    assert_error(
        &env.post("/v1/mailorder/detail", &json!({})).await,
        400,
        "invalid_request_error",
        11,
    );

    let r = env
        .post(
            "/v1/mailorder/status_update",
            &json!({"id": id, "status": 3}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = env.post("/v1/mailorder/detail", &json!({"id": id})).await;
    assert_eq!(d.json["status"], 3);
    let page = env.browse(url).await;
    assert!(page.text.contains("pasif"), "{}", page.text);
    assert!(!page.text.contains("paylink-pay"));
    let r = env.submit(url, &card("4355084355084358")).await;
    assert_eq!(r.status, 409);
    assert!(env.sandbox.pay_link(url, &json!({})).await.is_err());
    assert_eq!(env.ledger_count().await, 0);
    let r = env
        .post(
            "/v1/mailorder/status_update",
            &json!({"reference_no": "PL-1", "status": 0}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = env
        .post(
            "/v1/mailorder/status_update",
            &json!({"id": id, "status": 1}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    assert!(env.browse(url).await.text.contains("id=\"paylink-pay\""));
}

#[tokio::test]
async fn send_email_and_send_mail_are_one_field() {
    let env = Env::start().await;
    for (patch, ok) in [
        (json!({"send_email": true}), true),
        (json!({"send_mail": "true"}), true),
        (json!({"send_email": true, "send_mail": "True"}), true),
        (json!({"send_email": false, "send_mail": true}), false),
        (json!({"send_email": true, "email": null}), false),
        (json!({"send_sms": true}), false),
    ] {
        let r = env.post("/v1/mailorder/create", &link(patch.clone())).await;
        if ok {
            assert_eq!(r.status, 200, "{patch}: {}", r.text);
            let d = env
                .post("/v1/mailorder/detail", &json!({"id": r.json["id"]}))
                .await;
            assert_eq!(d.json["send_email"], true);
        } else {
            assert_error(&r, 400, "invalid_request_error", 11);
        }
    }
    let r = env
        .post(
            "/v1/mailorder/create",
            &link(json!({"send_email": false, "send_mail": true})),
        )
        .await;
    let m = r.json["message"].as_str().unwrap_or_default();
    assert!(m.contains("send_email") && m.contains("send_mail"), "{m}");
}

#[tokio::test]
async fn list_is_paginated_by_index() {
    let env = Env::start().await;
    for i in 1..=25 {
        let agent = if i % 5 == 0 { "2002" } else { "1001" };
        create(
            &env,
            link(json!({"reference_no": format!("L-{i}"), "agent_id": agent})),
        )
        .await;
    }
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(3 * 3600).expect("offset"))
        .format("%Y-%m-%d")
        .to_string();
    let list = |extra: Value| {
        let body = with(json!({"datab": today, "datbi": today}), extra);
        let env = &env;
        async move { env.post("/v1/mailorder/list", &body).await }
    };
    let refs = |r: &common::Reply| -> Vec<String> {
        r.json["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .map(|row| row["reference_no"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let first = list(json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["limit"], 10);
    assert_eq!(first.json["total_count"], 25);
    assert_eq!(first.json["total"], 10);
    assert_eq!(first.json["has_more"], true);
    assert_eq!(refs(&first)[0], "L-1");
    assert_eq!(refs(&first)[9], "L-10");
    let next = list(json!({"starting_after": 10})).await;
    assert_eq!(refs(&next)[0], "L-11");
    assert_eq!(next.json["starting_after"], 10);
    let last = list(json!({"starting_after": 20})).await;
    assert_eq!(refs(&last), ["L-21", "L-22", "L-23", "L-24", "L-25"]);
    assert_eq!(last.json["has_more"], false);
    let back = list(json!({"ending_before": 21, "limit": 5})).await;
    assert_eq!(refs(&back), ["L-16", "L-17", "L-18", "L-19", "L-20"]);
    assert_eq!(back.json["has_more"], true);
    let start = list(json!({"ending_before": 3})).await;
    assert_eq!(refs(&start), ["L-1", "L-2"]);
    assert_eq!(start.json["has_more"], false);
    let agent = list(json!({"agent_id": "2002", "limit": "100"})).await;
    assert_eq!(refs(&agent), ["L-5", "L-10", "L-15", "L-20", "L-25"]);
    let empty = env
        .post(
            "/v1/mailorder/list",
            &json!({"datab": "2020-01-01", "datbi": "2020-01-31"}),
        )
        .await;
    assert_eq!(empty.json["total_count"], 0);
    assert_eq!(empty.json["Data"], json!([]));

    for bad in [
        json!({"datab": null}),
        json!({"datbi": null}),
        json!({"datab": "01.01.2026"}),
        json!({"datab": "2099-01-01"}),
        json!({"limit": 0}),
        json!({"limit": 101}),
        json!({"starting_after": -1}),
        json!({"starting_after": 1, "ending_before": 5}),
    ] {
        assert_error(&list(bad).await, 400, "invalid_request_error", 11);
    }
}

#[tokio::test]
async fn paying_on_the_page_charges_confirms_and_redirects() {
    let env = Env::start().await;
    let (hook, received) = shop_endpoint(vec![]).await;
    let made = create(
        &env,
        link(json!({"reference_no": "PL-PAY", "confirmation_url": format!("{hook}/hook?shop=1"),
                    "succeed_url": "https://shop.example/ok?order=7", "addcomission_to_amount": true})),
    )
    .await;
    let url = made["url"].as_str().expect("url");

    let page = env.browse(url).await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    let h = &page.text;
    for id in [
        "paylink-card-holder",
        "paylink-pan",
        "paylink-month",
        "paylink-year",
        "paylink-cvc",
        "paylink-pay",
    ] {
        assert!(h.contains(&format!("id=\"{id}\"")), "{id}: {h}");
    }
    assert!(h.contains("Sipariş &lt;7&gt; &amp; kargo"), "{h}");
    assert!(h.contains("Ayşe Yılmaz"));
    // 150.00 + 1.99 % commission (2.99) + its tax (0.60), paid by the payer.
    assert!(h.contains("153.59 TRY"), "{h}");

    let r = env.submit(url, &card("4355084355084358")).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let location = r.header("location");
    let xact_id = location
        .strip_prefix("https://shop.example/ok?order=7&xact_id=")
        .unwrap_or_else(|| panic!("{location}"));
    assert!(xact_id.starts_with("xk_"));

    let attempts = wait_confirmations(&env.sandbox, 1).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].attempt, 1);
    assert_eq!(attempts[0].status, Some(200));
    assert!(attempts[0].delivered);
    assert_eq!(attempts[0].xact_id, xact_id);
    let got = received.lock().expect("log")[0].clone();
    assert_eq!(got.request_line, "POST /hook?shop=1 HTTP/1.1");
    assert!(
        got.headers
            .to_ascii_lowercase()
            .contains("content-type: application/json")
    );
    let b = &got.body;
    assert_eq!(b["referance_no"], "PL-PAY");
    assert_eq!(b["xact_id"], xact_id);
    assert_eq!(b["is_succeed"], true);
    assert_eq!(num(&b["amount"]), "153.59");
    assert_eq!(num(&b["netAmount"]), "150.00");
    assert_eq!(b["card_number"], "435508******4358");
    assert_eq!(b["currency"], "TRY");
    for key in [
        "xact_date",
        "agent_id",
        "bank_id",
        "instalment",
        "card_holder",
        "comission",
        "comission_tax",
        "authorization_code",
        "order_id",
    ] {
        assert!(b.get(key).is_some(), "{key} in {b}");
    }

    let d = env
        .post("/v1/mailorder/detail", &json!({"reference_no": "PL-PAY"}))
        .await;
    assert_eq!(d.json["status"], 1);
    assert_eq!(d.json["xact_id"], xact_id);
    assert_eq!(d.json["bank_id"], "AXSS");
    let check = env
        .post("/v1/transaction/check", &json!({"reference_no": "PL-PAY"}))
        .await;
    assert_eq!(check.json["Data"][0]["xact_id"], xact_id);
    assert_eq!(env.ledger_count().await, 1);

    let page = env.browse(url).await;
    assert!(page.text.contains("ödeme yapılmış"), "{}", page.text);
    assert_eq!(env.submit(url, &card("4355084355084358")).await.status, 409);
    let r = env
        .post(
            "/v1/mailorder/status_update",
            &json!({"id": made["id"], "status": 3}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 6);
    let admin = env.get("/__sandbox/confirmations").await;
    assert_eq!(admin.json["count"], 1);
    assert_eq!(admin.json["confirmations"][0]["delivered"], true);
    assert_eq!(env.ledger_count().await, 1);
}

#[tokio::test]
async fn a_failing_shop_endpoint_is_retried_until_it_accepts() {
    let env = Env::start().await;
    let (hook, received) = shop_endpoint(vec![500, 503]).await;
    let made = create(
        &env,
        link(json!({"confirmation_url": format!("{hook}/paid")})),
    )
    .await;
    let paid = env
        .sandbox
        .pay_link(
            made["url"].as_str().expect("url"),
            &json!({"card_holder": "A", "pan": "4355084355084358",
              "month": 12, "year": 2045, "cvc": "000"}),
        )
        .await
        .expect("paid");
    assert_eq!(paid["is_succeed"], true);
    let redirect = paid["redirect"].as_str().expect("redirect");
    assert!(
        redirect.starts_with(made["url"].as_str().unwrap_or_default()),
        "{redirect}"
    );
    let attempts = wait_confirmations(&env.sandbox, 3).await;
    let seen: Vec<(u32, Option<u16>, bool)> = attempts
        .iter()
        .map(|a| (a.attempt, a.status, a.delivered))
        .collect();
    assert_eq!(
        seen,
        [
            (1, Some(500), false),
            (2, Some(503), false),
            (3, Some(200), true)
        ]
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        env.sandbox.confirmations().len(),
        3,
        "no attempt after the delivery"
    );
    assert_eq!(received.lock().expect("log").len(), 3);
}

#[tokio::test]
async fn unreachable_and_https_endpoints_are_recorded_as_failures() {
    let env = Env::start().await;
    // A port that was free a moment ago: connections are refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let made = create(
        &env,
        link(json!({"confirmation_url": format!("http://127.0.0.1:{port}/x")})),
    )
    .await;
    let card = json!({"card_holder": "A", "pan": "4355084355084358", "month": 12, "year": 2045, "cvc": "000"});
    env.sandbox
        .pay_link(made["url"].as_str().expect("url"), &card)
        .await
        .expect("paid");
    let attempts = wait_confirmations(&env.sandbox, 6).await;
    assert_eq!(attempts.len(), 6, "the first try and five retries");
    assert!(
        attempts
            .iter()
            .all(|a| !a.delivered && a.status.is_none() && a.error.is_some())
    );
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );

    let made = create(
        &env,
        link(json!({"confirmation_url": "https://shop.example/hook"})),
    )
    .await;
    let token = made["url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token");
    env.sandbox
        .pay_link(token, &card)
        .await
        .expect("paid by token");
    let attempts = wait_confirmations(&env.sandbox, 7).await;
    assert_eq!(
        attempts[6].error.as_deref(),
        Some("https not supported by the sandbox")
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(env.sandbox.confirmations().len(), 7, "not retried");
}

#[tokio::test]
async fn declines_invalid_cards_and_expired_links() {
    let env = Env::start().await;
    let (hook, received) = shop_endpoint(vec![]).await;
    let made = create(
        &env,
        link(json!({"error_url": "https://shop.example/failed", "confirmation_url": hook})),
    )
    .await;
    let url = made["url"].as_str().expect("url");
    let r = env.submit(url, &card("4000000000009995")).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), "https://shop.example/failed");
    let attempts = wait_confirmations(&env.sandbox, 1).await;
    assert!(attempts[0].delivered);
    assert_eq!(received.lock().expect("log")[0].body["is_succeed"], false);
    let d = env
        .post("/v1/mailorder/detail", &json!({"id": made["id"]}))
        .await;
    assert_eq!(d.json["status"], 0, "a decline leaves the link payable");

    // Without error_url the page shows the decline and the form again.
    let plain = create(&env, link(json!({}))).await;
    let url = plain["url"].as_str().expect("url");
    let r = env.submit(url, &card("4000000000000002")).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("id=\"paylink-error\""), "{}", r.text);
    assert!(r.text.contains("İşlem onaylanmadı"));
    let r = env.submit(url, &card("4355084355084359")).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("pan"), "{}", r.text);
    let paid = env
        .sandbox
        .pay_link(url, &json!({"card_holder": "A", "pan": "4000000000009979", "month": 12, "year": 2045, "cvc": "000"}))
        .await
        .expect("charged");
    assert_eq!(paid["is_succeed"], false);
    assert_eq!(paid["redirect"], Value::Null);
    assert_eq!(
        env.ledger_count().await,
        3,
        "declines are recorded, the invalid card is not"
    );

    let token = url.rsplit('/').next().expect("token");
    let r = env
        .post_noauth(&format!("/__sandbox/paylink/{token}/expire"), &json!({}))
        .await;
    assert_eq!(r.status, 200);
    let page = env.browse(url).await;
    assert!(page.text.contains("süresi dolmuş"), "{}", page.text);
    let err = env
        .sandbox
        .pay_link(url, &json!({"card_holder": "A", "pan": "4355084355084358", "month": 12, "year": 2045, "cvc": "000"}))
        .await
        .expect_err("expired");
    assert!(err.contains("expired"), "{err}");
    let d = env
        .post("/v1/mailorder/detail", &json!({"id": plain["id"]}))
        .await;
    assert_eq!(d.json["is_expired"], true);
    assert_eq!(
        env.browse(&env.url("/__sandbox/paylink/nope")).await.status,
        404
    );
}
