//! `v1/transaction/payment_list`, the seed endpoint and settlement days.

mod common;

use std::time::{Duration, Instant};

use common::{Env, assert_error, num, payment, with};
use paynet_sandbox::SandboxConfig;
use serde_json::json;

fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn lists_sales_and_captures_due_today() {
    let env = Env::start().await;
    let sale = env
        .pay(with(
            payment("L-1", "4355084355084358"),
            json!({"amount": "3500"}),
        ))
        .await;
    env.pay(payment("L-2", "4000000000009995")).await; // declined: excluded
    let pre = env
        .pay(with(
            payment("L-3", "4508034508034509"),
            json!({"transaction_type": 3}),
        ))
        .await; // excluded
    let cap = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre.json["xact_id"], "amount": "2500"}),
        )
        .await;
    assert_eq!(cap.status, 200);

    // No date: today in Istanbul time.
    let r = env.post("/v1/transaction/payment_list", &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let same = env
        .post("/v1/transaction/payment_list", &json!({"date": today()}))
        .await;
    assert_eq!(r.json, same.json);
    let b = &r.json;
    assert_eq!(b["object_name"], "transaction_payment_list");
    assert_eq!(b["code"], 0);
    assert_eq!(b["total"], 2);
    assert_eq!(b["total_count"], 2);
    let rows = b["Data"].as_array().expect("Data");
    assert_eq!(rows.len(), 2);
    let s = &rows[0];
    assert_eq!(s["xact_type"], "S");
    assert_eq!(s["xact_id"], sale.json["xact_id"]);
    assert_eq!(num(&s["amount"]), "3500.0000");
    // 3500 at 1.99 %: commission 69.65, tax 13.93
    assert_eq!(num(&s["company_service_amount"]), "83.5800");
    assert_eq!(num(&s["company_pay_amount"]), "3416.4200");
    assert_eq!(num(&s["agent_service_amount"]), "0.0000");
    assert_eq!(num(&s["agent_pay_amount"]), "0.0000");
    assert_eq!(num(&s["ratio"]), "0.0199");
    assert_eq!(s["due_date"], format!("{}T00:00:00", today()));
    let date = s["xact_date"].as_str().expect("xact_date");
    let parsed = chrono::NaiveDateTime::parse_from_str(date, "%d.%m.%Y %H:%M:%S")
        .expect("dd.MM.yyyy HH:mm:ss");
    assert_eq!(parsed.format("%Y-%m-%d").to_string(), today());
    assert_eq!(s["card_no"], "435508******4358");
    assert_eq!(s["card_type"], "cc");
    assert_eq!(s["is_succeed"], true);
    assert_eq!(s["pos_type"], 5);
    assert_eq!(s["plus_installment"], 0);
    assert_eq!(s["bank_id"], "AXSS");
    for field in [
        "company_code",
        "company_name",
        "agent_id",
        "agent_name",
        "bank_name",
        "card_holder",
        "authorization_code",
        "reference_code",
        "order_id",
        "user_id",
    ] {
        assert!(s[field].as_str().is_some_and(|v| !v.is_empty()), "{field}");
    }
    assert!(s.get("company_cost_ratio").is_some() && s.get("instalment").is_some());
    let c = &rows[1];
    assert_eq!(c["xact_type"], "CR");
    assert_eq!(num(&c["amount"]), "25.0000");
    assert_eq!(c["bank_id"], "MAXM");

    let other = env
        .post(
            "/v1/transaction/payment_list",
            &json!({"date": "2001-01-01"}),
        )
        .await;
    assert_eq!(other.json["total"], 0);
    assert_eq!(other.json["Data"], json!([]));
    for bad in ["23.11.2026", "2026-13-01", "2026-1-1", "yesterday"] {
        let r = env
            .post("/v1/transaction/payment_list", &json!({ "date": bad }))
            .await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    // A bare POST with no body works like `{}`.
    let r = env.post_raw("/v1/transaction/payment_list", "").await;
    assert_eq!(r.json["total"], 2);
}

#[tokio::test]
async fn settlement_days_move_the_due_date() {
    let env = Env::start_with(SandboxConfig {
        settlement_days: 2,
        ..SandboxConfig::default()
    })
    .await;
    env.pay(payment("SD-1", "4355084355084358")).await;
    let r = env.post("/v1/transaction/payment_list", &json!({})).await;
    assert_eq!(r.json["total"], 0);
    let due = (chrono::Utc::now() + chrono::Duration::hours(3) + chrono::Duration::days(2))
        .format("%Y-%m-%d");
    let r = env
        .post(
            "/v1/transaction/payment_list",
            &json!({"date": due.to_string()}),
        )
        .await;
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.json["Data"][0]["due_date"], format!("{due}T00:00:00"));
}

#[tokio::test]
async fn seed_100k_and_list_them_quickly() {
    let env = Env::start().await;
    let t = Instant::now();
    let r = env
        .post_noauth(
            "/__sandbox/seed",
            &json!({"count": 100_000, "date": "2026-01-15", "amount": "12.50"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["inserted"], 100_000);
    env.post_noauth(
        "/__sandbox/seed",
        &json!({"count": 10, "date": "2026-01-16"}),
    )
    .await;
    assert_eq!(env.ledger_count().await, 100_010);
    let seeded = t.elapsed();

    let t = Instant::now();
    let r = env
        .post(
            "/v1/transaction/payment_list",
            &json!({"date": "2026-01-15"}),
        )
        .await;
    let listed = t.elapsed();
    assert_eq!(r.status, 200);
    assert_eq!(r.json["total"], 100_000);
    let rows = r.json["Data"].as_array().expect("Data");
    assert_eq!(rows.len(), 100_000);
    assert_eq!(num(&rows[0]["amount"]), "12.5000");
    assert_eq!(rows[99_999]["due_date"], "2026-01-15T00:00:00");
    // Generous bounds: unoptimised test builds on a shared 2-core machine.
    assert!(seeded < Duration::from_secs(20), "seed took {seeded:?}");
    assert!(
        listed < Duration::from_secs(20),
        "payment_list took {listed:?}"
    );
    // Seeding is an admin call: not counted as an API request.
    assert_eq!(env.sandbox.stats().requests, 1);
    // A long report streams in chunks as it is written; a short one is one body.
    assert_eq!(r.header("transfer-encoding"), "chunked");
    assert!(r.header("content-length").is_empty());
    assert!(chrono::NaiveDateTime::parse_from_str(rows[99_999]["xact_date"].as_str().unwrap(), "%d.%m.%Y %H:%M:%S").is_ok(), "{}", rows[99_999]);
    let short = env.post("/v1/transaction/payment_list", &json!({"date": "2026-01-16"})).await;
    assert_eq!(short.json["Data"].as_array().map(Vec::len), Some(10));
    assert!(!short.header("content-length").is_empty());

    let r = env
        .post_noauth("/__sandbox/seed", &json!({"count": 0}))
        .await;
    assert_eq!(r.status, 400);
}

/// `{"demo": true}`: a month as a shop sees it, the same for the same seed, paid
/// out by due date (declines and open pre-auths never are), captures after their pre-auths.
#[tokio::test]
async fn demo_traffic_is_realistic_and_reproducible() {
    let seed = json!({"demo": true, "from": "2030-05-01", "to": "2030-05-10", "per_day": 40, "seed": 4});
    let (a, b) = (Env::start().await, Env::start().await);
    let seeded = a.post_noauth("/__sandbox/seed", &seed).await;
    assert_eq!(seeded.status, 200, "{}", seeded.text);
    assert_eq!(b.post_noauth("/__sandbox/seed", &seed).await.json, seeded.json);
    let mut rows = Vec::new();
    for day in 1..=10 {
        let report = a.post("/v1/transaction/payment_list", &json!({"date": format!("2030-05-{day:02}")})).await;
        let again = b.post("/v1/transaction/payment_list", &json!({"date": format!("2030-05-{day:02}")})).await;
        assert_eq!(report.json["Data"], again.json["Data"]);
        rows.extend(report.json["Data"].as_array().expect("Data").clone());
    }
    let inserted = seeded.json["inserted"].as_u64().expect("inserted") as usize;
    assert!(rows.len() < inserted, "declines and open pre-auths are not paid out");
    let distinct = |field: &str| rows.iter().map(|r| r[field].to_string()).collect::<std::collections::BTreeSet<_>>();
    assert!(distinct("bank_id").len() >= 5);
    assert_eq!(distinct("card_type").len(), 3);
    assert!(distinct("instalment").len() >= 4);
    assert!(distinct("agent_id").len() >= 3);
    let types = distinct("xact_type");
    for t in ["\"S\"", "\"CR\"", "\"CD\""] {
        assert!(types.contains(t), "{t} in {types:?}");
    }
    assert!(rows.iter().any(|r| num(&r["amount"]).starts_with('-')), "refunds pay back");
    for bad in [json!({"demo": true}), json!({"demo": true, "from": "2030-05-02", "to": "2030-05-01"}), json!({"demo": true, "from": "2030-05-01", "per_day": 0})] {
        assert_eq!(a.post_noauth("/__sandbox/seed", &bad).await.status, 400, "{bad}");
    }
}
