//! 3D Secure over real HTTP: tds_initial, the bank's page, tds_charge.

mod common;

use common::{Env, assert_error, auto_form, field, num, payment, with};
use paynet_sandbox::BankAction;
use serde_json::{Value, json};

const RETURN_URL: &str = "https://shop.example/3d/return?order=7&x=1";

fn tds(reference_no: &str, pan: &str) -> Value {
    with(
        payment(reference_no, pan),
        json!({"return_url": RETURN_URL}),
    )
}

struct Started {
    session_id: String,
    token_id: String,
    post_url: String,
}

async fn start(env: &Env, body: Value) -> Started {
    let r = env.post("/v2/transaction/tds_initial", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    Started {
        session_id: r.json["session_id"]
            .as_str()
            .expect("session_id")
            .to_owned(),
        token_id: r.json["token_id"].as_str().expect("token_id").to_owned(),
        post_url: r.json["post_url"].as_str().expect("post_url").to_owned(),
    }
}

async fn charge(env: &Env, s: &Started) -> common::Reply {
    env.post(
        "/v2/transaction/tds_charge",
        &json!({"session_id": s.session_id, "token_id": s.token_id, "transaction_type": 1}),
    )
    .await
}

#[tokio::test]
async fn tds_initial_validates_like_payment_plus_return_url() {
    let env = Env::start().await;
    let good = tds("T-1", "4355084355084358");
    for (patch, rc, word) in [
        (json!({"return_url": null}), 11, "return_url"),
        (json!({"return_url": "/3d/return"}), 11, "return_url"),
        (
            json!({"return_url": "ftp://shop.example/r"}),
            11,
            "return_url",
        ),
        (json!({"return_url": "https:///nohost"}), 11, "return_url"),
        (
            json!({"return_url": format!("https://shop.example/{}", "a".repeat(240))}),
            11,
            "return_url",
        ),
        (json!({"amount": null}), 11, "amount"),
        (json!({"amount": "12.505"}), 11, "amount"),
        (json!({"reference_no": null}), 11, "reference_no"),
        (json!({"pan": "4355084355084359"}), 18, "pan"),
        (json!({"instalment": 1}), 11, "instalment"),
        (json!({"transaction_type": 5}), 11, "transaction_type"),
    ] {
        let r = env
            .post(
                "/v2/transaction/tds_initial",
                &with(good.clone(), patch.clone()),
            )
            .await;
        assert_error(&r, 400, "invalid_request_error", rc);
        assert!(
            r.json["message"]
                .as_str()
                .unwrap_or_default()
                .contains(word),
            "{patch}: {}",
            r.text
        );
    }
    let r = env.post_noauth("/v2/transaction/tds_initial", &good).await;
    assert_eq!(r.status, 401);
    // Both amount forms, as for payment.
    for (i, amount) in [json!("100,00"), json!(100.5), json!("100.50")]
        .into_iter()
        .enumerate()
    {
        let r = env
            .post(
                "/v2/transaction/tds_initial",
                &with(
                    good.clone(),
                    json!({"amount": amount, "reference_no": format!("T-A{i}")}),
                ),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(env.ledger_count().await, 0);
}

#[tokio::test]
async fn tds_initial_answers_a_session_and_a_page_that_goes_to_the_bank() {
    let env = Env::start().await;
    let r = env
        .post(
            "/v2/transaction/tds_initial",
            &tds("T-2", "4355084355084358"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.json;
    assert_eq!(b["object_name"], "tds_initial");
    assert_eq!(b["code"], 0);
    let sid = b["session_id"].as_str().expect("session_id");
    let tid = b["token_id"].as_str().expect("token_id");
    assert!(sid.starts_with("js_"), "{sid}");
    assert_eq!(tid.len(), 36);
    assert_eq!(tid, tid.to_uppercase());
    let post_url = b["post_url"].as_str().expect("post_url");
    assert_eq!(post_url, env.url(&format!("/__sandbox/bank/3d/{sid}")));
    let html = b["html_content"].as_str().expect("html_content");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.trim_end().ends_with("</html>"));
    let (method, action, fields) = auto_form(html);
    assert_eq!((method.as_str(), action.as_str()), ("get", post_url));
    assert!(fields.is_empty());
    assert_eq!(env.ledger_count().await, 0, "nothing is charged yet");

    // A reference that already has a successful payment is refused.
    assert_eq!(
        env.pay(payment("T-3", "4355084355084358")).await.status,
        200
    );
    let r = env
        .post(
            "/v2/transaction/tds_initial",
            &tds("T-3", "4355084355084358"),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 5);
}

#[tokio::test]
async fn bank_page_shows_the_payment_and_escapes_it() {
    let env = Env::start().await;
    let s = start(
        &env,
        with(
            tds("T-4", "4355084355084358"),
            json!({"card_holder": "<b>O'Neil \"&\"</b>", "domain": "shop<x>.example"}),
        ),
    )
    .await;
    let page = env.browse(&s.post_url).await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type").starts_with("text/html"),
        "{:?}",
        page.headers
    );
    let h = &page.text;
    assert!(h.contains("435508******4358"), "{h}");
    assert!(!h.contains("4355084355084358"), "no PAN in the page");
    assert!(
        h.contains("&lt;b&gt;O&#39;Neil &quot;&amp;&quot;&lt;/b&gt;"),
        "{h}"
    );
    assert!(h.contains("shop&lt;x&gt;.example"));
    assert!(h.contains("100.00 TRY"));
    assert!(h.contains("name=\"otp\""));
    assert!(h.contains("name=\"action\" value=\"cancel\""));
    assert!(h.contains("value=\"confirm\""));
    assert!(h.contains(&format!("action=\"/__sandbox/bank/3d/{}\"", s.session_id)));
    assert!(
        !h.contains("paynet-auto-submit"),
        "a pending page does not move on"
    );

    let r = env.browse(&env.url("/__sandbox/bank/3d/js_nope")).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn verified_3d_charges_once_and_replays_with_code_100() {
    let env = Env::start().await;
    let s = start(&env, tds("T-5", "4355084355084358")).await;

    let r = charge(&env, &s).await;
    assert_error(&r, 400, "invalid_request_error", 16);

    let page = env
        .submit(&s.post_url, &[("otp", "123456"), ("action", "confirm")])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let (method, action, fields) = auto_form(&page.text);
    assert_eq!(method, "post");
    assert_eq!(action, RETURN_URL);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["session_id", "token_id", "reference_no", "md_status"]
    );
    assert_eq!(field(&fields, "session_id"), Some(s.session_id.as_str()));
    assert_eq!(field(&fields, "token_id"), Some(s.token_id.as_str()));
    assert_eq!(field(&fields, "reference_no"), Some("T-5"));
    assert_eq!(field(&fields, "md_status"), Some("1"));
    // A reload of the bank page posts the same outcome again.
    let again = env.browse(&s.post_url).await;
    assert_eq!(auto_form(&again.text).2, fields);

    let r = charge(&env, &s).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.json;
    assert_eq!(b["object_name"], "transaction");
    assert_eq!(b["code"], 0);
    assert_eq!(b["is_succeed"], true);
    assert_eq!(b["is_tds"], true);
    assert_eq!(b["md_status"], 1);
    assert_eq!(b["reference_no"], "T-5");
    assert_eq!(b["agent_reference_no"], "T-5");
    assert_eq!(num(&b["amount"]), "100.00");
    assert_eq!(b["card_no_masked"], "435508******4358");
    assert_eq!(b["transaction_type"], 1);
    assert_eq!(env.ledger_count().await, 1);

    let replay = charge(&env, &s).await;
    assert_eq!(replay.json["code"], 100, "{}", replay.text);
    assert_eq!(replay.json["message"], "Önceki Başarılı İşlem");
    assert_eq!(replay.json["xact_id"], b["xact_id"]);
    assert_eq!(env.ledger_count().await, 1, "nothing is charged twice");

    let check = env
        .post("/v1/transaction/check", &json!({"reference_no": "T-5"}))
        .await;
    assert_eq!(check.json["Data"][0]["is_tds"], true);
    assert_eq!(check.json["Data"][0]["xact_id"], b["xact_id"]);
    let list = env.post("/v1/transaction/payment_list", &json!({})).await;
    assert_eq!(list.json["Data"][0]["xact_id"], b["xact_id"]);
    // Another payment of the same order replays the 3D sale.
    let r = env.pay(payment("T-5", "4355084355084358")).await;
    assert_eq!(r.json["code"], 100);
}

#[tokio::test]
async fn unknown_sessions_and_mismatched_tokens_are_13() {
    let env = Env::start().await;
    let s = start(&env, tds("T-6", "4355084355084358")).await;
    for body in [
        json!({"session_id": "js_nope", "token_id": s.token_id}),
        json!({"session_id": s.session_id, "token_id": "00000000-0000-0000-0000-000000000000"}),
    ] {
        let r = env.post("/v2/transaction/tds_charge", &body).await;
        assert_error(&r, 400, "invalid_request_error", 13);
    }
    let r = env
        .post(
            "/v2/transaction/tds_charge",
            &json!({"session_id": s.session_id}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    // The token is a GUID: its case does not matter.
    env.sandbox
        .complete_3d(&s.session_id, BankAction::Otp("123456".into()))
        .expect("verified");
    let r = env
        .post(
            "/v2/transaction/tds_charge",
            &json!({"session_id": s.session_id, "token_id": s.token_id.to_lowercase()}),
        )
        .await;
    assert_eq!(r.json["is_succeed"], true, "{}", r.text);
}

async fn assert_3d_failed(env: &Env, s: &Started, page: &str, reason: &str) {
    let (_, action, fields) = auto_form(page);
    assert_eq!(action, RETURN_URL);
    assert_eq!(field(&fields, "md_status"), Some("0"));
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "session_id",
            "token_id",
            "reference_no",
            "md_status",
            "md_error_message"
        ]
    );
    assert!(
        field(&fields, "md_error_message")
            .unwrap_or_default()
            .contains(reason),
        "{fields:?}"
    );
    for _ in 0..2 {
        let r = charge(env, s).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["code"], 16);
        assert_eq!(r.json["is_succeed"], false);
        assert_eq!(r.json["md_status"], 0);
        assert_eq!(r.json["is_tds"], true);
        assert_eq!(r.json["object_name"], "transaction");
        assert!(
            r.json["paynet_error_message"]
                .as_str()
                .unwrap_or_default()
                .contains(reason),
            "{}",
            r.text
        );
    }
    assert_eq!(env.ledger_count().await, 0, "nothing charged");
}

#[tokio::test]
async fn three_wrong_otps_fail_the_3d_step() {
    let env = Env::start().await;
    let s = start(&env, tds("T-7", "4355084355084358")).await;
    for left in [2, 1] {
        let page = env
            .submit(&s.post_url, &[("otp", "111111"), ("action", "confirm")])
            .await;
        assert_eq!(page.status, 200);
        assert!(
            page.text.contains(&format!("Kalan deneme hakkı: {left}")),
            "{}",
            page.text
        );
        assert!(page.text.contains("id=\"otp-error\""));
        assert!(!page.text.contains("paynet-auto-submit"));
        assert_error(&charge(&env, &s).await, 400, "invalid_request_error", 16);
    }
    let page = env.submit(&s.post_url, &[("otp", "222222")]).await;
    assert_3d_failed(&env, &s, &page.text, "wrong_otp").await;
    // Once failed, the right code changes nothing.
    let page = env.submit(&s.post_url, &[("otp", "123456")]).await;
    assert_3d_failed(&env, &s, &page.text, "wrong_otp").await;
}

#[tokio::test]
async fn bank_timeout_cancel_and_not_enrolled() {
    let env = Env::start().await;
    let s = start(&env, tds("T-8", "4355084355084358")).await;
    let page = env
        .submit(&s.post_url, &[("otp", "000000"), ("action", "confirm")])
        .await;
    assert_3d_failed(&env, &s, &page.text, "bank_timeout").await;

    let s = start(&env, tds("T-9", "4355084355084358")).await;
    let page = env
        .submit(&s.post_url, &[("otp", ""), ("action", "cancel")])
        .await;
    assert_3d_failed(&env, &s, &page.text, "cancelled").await;

    let s = start(&env, tds("T-10", "4000000000003063")).await;
    let page = env.browse(&s.post_url).await;
    assert!(page.text.contains("kayıtlı değil"), "{}", page.text);
    assert_3d_failed(&env, &s, &page.text, "not_enrolled").await;
}

#[tokio::test]
async fn decline_cards_pass_3d_and_decline_at_tds_charge() {
    let env = Env::start().await;
    let s = start(&env, tds("T-11", "4000000000009995")).await;
    let post = env
        .sandbox
        .complete_3d(&s.post_url, BankAction::Otp("123456".into()))
        .expect("verified");
    assert_eq!(post.return_url, RETURN_URL);
    assert_eq!(field(&post.fields, "md_status"), Some("1"));
    let first = charge(&env, &s).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json["is_succeed"], false);
    assert_eq!(first.json["code"], 1);
    assert_eq!(first.json["bank_error_id"], "51");
    assert_eq!(first.json["md_status"], 1);
    let again = charge(&env, &s).await;
    assert_eq!(again.json, first.json, "the same failure answer");
    assert_eq!(env.ledger_count().await, 1);
}

#[tokio::test]
async fn complete_3d_takes_the_page_path() {
    let env = Env::start().await;
    let s = start(&env, tds("T-12", "4355084355084358")).await;
    let err = env
        .sandbox
        .complete_3d(&s.session_id, BankAction::Otp("1".into()))
        .expect_err("wrong code");
    assert!(err.contains("2"), "{err}");
    // The page sees the try the helper used.
    let page = env.browse(&s.post_url).await;
    assert!(page.text.contains("(tries left): 2"), "{}", page.text);
    let post = env
        .sandbox
        .complete_3d(&s.session_id, BankAction::Cancel)
        .expect("posted");
    assert!(
        field(&post.fields, "md_error_message")
            .unwrap_or_default()
            .contains("cancelled")
    );
    let page = env.browse(&s.post_url).await;
    assert_eq!(auto_form(&page.text).2, post.fields);
    assert!(
        env.sandbox
            .complete_3d("js_nope", BankAction::Cancel)
            .is_err()
    );
}

#[tokio::test]
async fn pre_auth_through_3d_is_captured_or_reversed() {
    let env = Env::start().await;
    let mut xact_ids = Vec::new();
    for reference in ["T-13", "T-14"] {
        let s = start(
            &env,
            with(
                tds(reference, "4282209004348015"),
                json!({"transaction_type": 3}),
            ),
        )
        .await;
        env.sandbox
            .complete_3d(&s.session_id, BankAction::Otp("123456".into()))
            .expect("verified");
        let r = charge(&env, &s).await;
        assert_eq!(r.json["is_succeed"], true, "{}", r.text);
        assert_eq!(r.json["transaction_type"], 3);
        xact_ids.push(r.json["xact_id"].as_str().expect("xact_id").to_owned());
    }
    let c = env
        .post(
            "/v1/transaction/capture",
            &json!({"reference_no": "T-13", "amount": "6000"}),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(num(&c.json["amount"]), "60.00");
    assert_eq!(c.json["transaction_type"], 4);
    let r = env
        .post(
            "/v1/transaction/preauth_reversal",
            &json!({"xact_id": xact_ids[1]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The reversal is a ledger row of its own (RP, AFTER-SALE.md).
    assert_eq!(env.ledger_count().await, 4);
}
