//! The sandbox clock: `/__sandbox/clock`, `Sandbox::clock` / `set_clock` / `advance_clock`,
//! and the dates that follow it.

mod common;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::{Env, assert_error, day_of, payment, with};
use serde_json::json;

fn parse(now: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(now).expect("RFC 3339")
}

#[tokio::test]
async fn defaults_to_the_real_clock_in_istanbul_time() {
    let env = Env::start().await;
    let r = env.get("/__sandbox/clock").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let now = parse(r.json["now"].as_str().expect("now"));
    assert_eq!(now.offset().local_minus_utc(), 3 * 3600);
    assert!((now.with_timezone(&Utc) - Utc::now()).num_seconds().abs() < 5);
    assert!((env.sandbox.clock() - now).num_seconds().abs() < 5);
}

#[tokio::test]
async fn set_and_advance_over_http_and_in_process() {
    let env = Env::start().await;
    let now = env.clock(json!({"set": "2030-03-01T23:59:30+03:00"})).await;
    assert!(now.starts_with("2030-03-01T23:59:3"), "{now}");
    // Any offset: the answer is in Istanbul time.
    let now = env.clock(json!({"set": "2030-03-02T09:00:00Z"})).await;
    assert!(now.starts_with("2030-03-02T12:00:0"), "{now}");
    let now = env
        .clock(json!({"advance_days": 2, "advance_seconds": 3600}))
        .await;
    assert!(now.starts_with("2030-03-04T13:00:0"), "{now}");

    env.sandbox
        .set_clock(Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap())
        .expect("set");
    assert_eq!(day_of(&env.sandbox), "2031-01-01");
    env.sandbox
        .advance_clock(Duration::from_secs(86_400))
        .expect("advance");
    assert_eq!(day_of(&env.sandbox), "2031-01-02");
    // Setting goes back too.
    env.clock(json!({"set": "2029-12-31T10:00:00+03:00"})).await;
    assert_eq!(day_of(&env.sandbox), "2029-12-31");

    for bad in [
        json!({}),
        json!({"set": "yesterday"}),
        json!({"set": "2030-01-01"}),
        json!({"advance_days": -1}),
        json!({"advance_days": 1, "set": "2030-01-01T00:00:00Z"}),
        json!({"advance_days": 100_000}),
        json!({"set": "9999-01-01T00:00:00Z"}),
    ] {
        let r = env.post_noauth("/__sandbox/clock", &bad).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    assert_eq!(day_of(&env.sandbox), "2029-12-31");
    assert!(
        env.sandbox
            .advance_clock(Duration::from_secs(200 * 366 * 86_400))
            .is_err()
    );
}

#[tokio::test]
async fn transactions_links_and_reports_follow_the_clock() {
    let env = Env::start().await;
    env.clock(json!({"set": "2030-06-15T10:00:00+03:00"})).await;
    let sale = env.sale("CLK-1", "10.00").await;
    assert!(
        sale["xact_date"]
            .as_str()
            .expect("xact_date")
            .starts_with("2030-06-15T10:00:0"),
        "{sale}"
    );
    // payment_list without a date: the clock's today.
    let r = env.post("/v1/transaction/payment_list", &json!({})).await;
    assert_eq!(r.json["total"], 1, "{}", r.text);
    assert_eq!(r.json["Data"][0]["due_date"], "2030-06-15T00:00:00");
    env.next_day().await;
    let r = env.post("/v1/transaction/payment_list", &json!({})).await;
    assert_eq!(r.json["total"], 0, "{}", r.text);

    // A PayLink expires by the clock.
    let link = env
        .post(
            "/v1/mailorder/create",
            &json!({"name_surname": "A B", "amount": "5.00", "expire_date": 2}),
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.text);
    let detail = env
        .post("/v1/mailorder/detail", &json!({"id": link.json["id"]}))
        .await;
    assert_eq!(detail.json["is_expired"], false);
    assert!(
        detail.json["create_date"]
            .as_str()
            .expect("create_date")
            .starts_with("2030-06-16T10:00:0")
    );
    env.clock(json!({"advance_seconds": 2 * 3600 + 1})).await;
    let detail = env
        .post("/v1/mailorder/detail", &json!({"id": link.json["id"]}))
        .await;
    assert_eq!(detail.json["is_expired"], true);

    // Cards expire by the clock: 12/2045 is past in 2046.
    env.clock(json!({"set": "2046-01-01T10:00:00+03:00"})).await;
    let r = env
        .pay(with(
            payment("CLK-2", "4355084355084358"),
            json!({"month": 12, "year": 2045}),
        ))
        .await;
    assert_eq!(r.json["is_succeed"], false, "{}", r.text);
    assert_eq!(r.json["bank_error_id"], "54");
}
