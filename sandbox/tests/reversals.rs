//! Cancels, refunds and their review (`reversed_request`, `reversal_list`, the admin's
//! decision and the `succeedUrl` post), `capture_reversal`, `preauth_reversal`, and how the
//! reports show them.

mod common;

use common::{
    Env, assert_error, day_of, kurus, num, payment, shop_endpoint, wait_reversal_posts, with,
};
use paynet_sandbox::SandboxConfig;
use serde_json::{Value, json};

async fn preauth(env: &Env, reference_no: &str, amount: &str) -> Value {
    let r = env
        .pay(with(
            payment(reference_no, "4355084355084358"),
            json!({"amount": amount, "transaction_type": 3}),
        ))
        .await;
    assert_eq!(r.json["is_succeed"], true, "{}", r.text);
    r.json
}

async fn capture(env: &Env, xact_id: &Value, amount: &str) -> Value {
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": xact_id, "amount": amount}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

async fn reversal_list(env: &Env, body: Value) -> Value {
    let r = env.post("/v1/transaction/reversal_list", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

async fn list_all(env: &Env, datab: &str, datbi: &str) -> Vec<Value> {
    let r = env
        .post(
            "/v1/transaction/list",
            &json!({"datab": datab, "datbi": datbi, "limit": 100}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["has_more"], false);
    r.json["Data"].as_array().expect("Data").clone()
}

#[tokio::test]
async fn on_the_day_of_the_sale_only_a_full_cancel() {
    let env = Env::start().await;
    let sale = env.sale("REV-1", "100.00").await;
    let r = env.reverse(&sale["xact_id"], Some("5000")).await;
    assert_error(&r, 400, "invalid_request_error", 11);

    let r = env.reverse(&sale["xact_id"], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["object_name"], "transaction_reversed_request");
    assert_eq!(r.json["code"], 0);
    assert_eq!(r.json["message"], "Başarılı İşlem");
    let reversal_id = r.json["reversal_id"].clone();
    assert!(reversal_id.as_str().expect("id").starts_with("xk_"));
    // A second cancel would pay back more than was charged.
    assert_error(
        &env.reverse(&sale["xact_id"], None).await,
        400,
        "invalid_request_error",
        11,
    );

    // Pending: nothing moved yet.
    let today = day_of(&env.sandbox);
    let listed = reversal_list(&env, json!({"datab": today, "datbi": today})).await;
    let row = &listed["Data"][0];
    assert_eq!(listed["total_count"], 1);
    assert_eq!(row["reversal_id"], reversal_id);
    assert_eq!(row["xact_id"], sale["xact_id"]);
    assert_eq!(row["reference_no"], "REV-1");
    assert_eq!(num(&row["amount"]), "100.00");
    assert_eq!(row["status"], "pending");
    assert_eq!(row["xact_type"], "R");
    assert_eq!(row["decision_date"], Value::Null);
    assert_eq!(row["bank_id"], "AXSS");
    assert_eq!(row["agent_id"], "1001");
    let detail = env.detail(&sale["xact_id"]).await;
    assert_eq!(detail["reversed"], false);
    assert_eq!(num(&detail["refunded_amount"]), "0.00");
    assert_eq!(list_all(&env, &today, &today).await.len(), 1);

    let r = env.review(&reversal_id, "approve").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "approved");
    assert!(r.json["decision_date"].is_string());

    let detail = env.detail(&sale["xact_id"]).await;
    assert_eq!(detail["reversed"], true);
    assert_eq!(detail["reversed_xact_id"], reversal_id);
    assert_eq!(num(&detail["refunded_amount"]), "100.00");
    let check = env
        .post(
            "/v1/transaction/check",
            &json!({"xact_id": sale["xact_id"]}),
        )
        .await;
    assert_eq!(check.json["Data"][0]["reversed"], true);
    let rows = list_all(&env, &today, &today).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["xact_type"], "R");
    assert_eq!(rows[1]["xact_id"], reversal_id);
    assert_eq!(num(&rows[1]["amount"]), "100.00");
    assert_eq!(rows[0]["reversed"], true);
    // The cancel's own row is found by its xact_id and is not reversible.
    assert_eq!(env.detail(&reversal_id).await["xact_type"], "R");
    assert_error(
        &env.reverse(&reversal_id, None).await,
        400,
        "invalid_request_error",
        11,
    );

    // The day's payout nets to zero: the cancel is a negative row.
    let report = env.post("/v1/transaction/payment_list", &json!({})).await;
    let data = report.json["Data"].as_array().expect("Data");
    assert_eq!(data.len(), 2);
    assert_eq!(data[1]["xact_type"], "R");
    assert_eq!(num(&data[1]["amount"]), "-100.0000");
    let paid: i64 = data.iter().map(|r| kurus(&r["company_pay_amount"])).sum();
    assert_eq!(paid, 0);

    // "0" and the exact amount are full cancels too.
    let other = env.sale("REV-2", "20.00").await;
    let r = env.reverse(&other["xact_id"], Some("0")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let third = env.sale("REV-3", "20.00").await;
    let r = env.reverse(&third["xact_id"], Some("2000")).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn from_the_next_day_refunds_in_parts_up_to_the_charge() {
    let env = Env::start().await;
    let sale = env.sale("REF-1", "100.00").await;
    env.next_day().await;
    let a = env.reverse(&sale["xact_id"], Some("3000")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let b = env.reverse(&sale["xact_id"], Some("5000")).await;
    assert_eq!(b.status, 200, "{}", b.text);
    // 30 + 50 pending, 30 more would make 110.
    let r = env.reverse(&sale["xact_id"], Some("3000")).await;
    assert_error(&r, 400, "invalid_request_error", 11);
    assert!(
        r.json["message"]
            .as_str()
            .expect("message")
            .contains("100.00")
    );
    // A rejected request frees its amount.
    assert_eq!(
        env.review(&b.json["reversal_id"], "reject").await.json["status"],
        "rejected"
    );
    let c = env.reverse(&sale["xact_id"], Some("3000")).await;
    assert_eq!(c.status, 200, "{}", c.text);
    // Without an amount: the rest, 40.00.
    let d = env.reverse(&sale["xact_id"], None).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert_error(
        &env.reverse(&sale["xact_id"], Some("1")).await,
        400,
        "invalid_request_error",
        11,
    );
    assert_error(
        &env.reverse(&sale["xact_id"], None).await,
        400,
        "invalid_request_error",
        11,
    );

    let today = day_of(&env.sandbox);
    let listed = reversal_list(&env, json!({"datab": today, "datbi": today})).await;
    let amounts: Vec<String> = listed["Data"]
        .as_array()
        .expect("Data")
        .iter()
        .map(|r| {
            assert_eq!(r["xact_type"], "CD");
            num(&r["amount"])
        })
        .collect();
    assert_eq!(amounts, ["30.00", "50.00", "30.00", "40.00"]);

    for id in [&a, &c, &d].map(|r| r.json["reversal_id"].clone()) {
        let decided = env.sandbox.decide_reversal(id.as_str().expect("id"), true);
        assert_eq!(decided.expect("decided")["status"], "approved");
    }
    let detail = env.detail(&sale["xact_id"]).await;
    assert_eq!(num(&detail["refunded_amount"]), "100.00");
    assert_eq!(detail["reversed"], true);
    assert_eq!(detail["reversed_xact_id"], d.json["reversal_id"]);

    // Three refund rows whose commissions give back exactly the sale's.
    let rows = list_all(&env, &today, &today).await;
    assert_eq!(rows.len(), 3);
    let sum = |f: &str| rows.iter().map(|r| kurus(&r[f])).sum::<i64>();
    for f in ["amount", "net_amount", "comission", "comission_tax"] {
        assert_eq!(sum(f), kurus(&sale[f]), "{f}");
    }
}

#[tokio::test]
async fn what_cannot_be_refunded() {
    let env = Env::start().await;
    let declined = env.pay(payment("NR-1", "4000000000009995")).await;
    assert_eq!(declined.json["is_succeed"], false);
    assert_error(
        &env.reverse(&declined.json["xact_id"], None).await,
        400,
        "invalid_request_error",
        11,
    );
    let pre = preauth(&env, "NR-2", "50.00").await;
    let r = env.reverse(&pre["xact_id"], None).await;
    assert_error(&r, 400, "invalid_request_error", 11);
    assert!(
        r.json["message"]
            .as_str()
            .expect("message")
            .contains("preauth_reversal")
    );
    assert_error(
        &env.reverse(&json!("xk_nope"), None).await,
        404,
        "no_data_error",
        12,
    );
    let sale = env.sale("NR-3", "10.00").await;
    for bad in [
        json!({}),
        json!({"xact_id": sale["xact_id"], "amount": "abc"}),
        json!({"xact_id": sale["xact_id"], "amount": "-100"}),
        json!({"xact_id": sale["xact_id"], "amount": "10.5"}),
        json!({"xact_id": sale["xact_id"], "succeedUrl": "not a url"}),
    ] {
        let r = env.post("/v1/transaction/reversed_request", &bad).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    // More than the sale, also from the next day.
    env.next_day().await;
    assert_error(
        &env.reverse(&sale["xact_id"], Some("1001")).await,
        400,
        "invalid_request_error",
        11,
    );
}

#[tokio::test]
async fn the_decision_is_posted_to_succeed_url() {
    let env = Env::start().await;
    // The shop fails the first post; the retry is delivered.
    let (shop, seen) = shop_endpoint(vec![500]).await;
    let sale = env.sale("POST-1", "80.00").await;
    env.next_day().await;
    let r = env
        .post(
            "/v1/transaction/reversed_request",
            &json!({"xact_id": sale["xact_id"], "amount": "2550", "succeedUrl": format!("{shop}/refunds")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.json["reversal_id"].as_str().expect("id").to_owned();
    assert!(env.sandbox.reversal_posts().is_empty());

    env.sandbox.decide_reversal(&id, true).expect("approved");
    let attempts = wait_reversal_posts(&env.sandbox, 2).await;
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.attempt, a.status, a.delivered))
            .collect::<Vec<_>>(),
        [(1, Some(500), false), (2, Some(200), true)]
    );
    assert_eq!(attempts[0].xact_id, id);
    assert_eq!(attempts[0].reference_no, "POST-1");
    assert!(env.sandbox.confirmations().is_empty());
    let received = seen.lock().expect("log").clone();
    assert_eq!(received.len(), 2);
    assert!(received[0].request_line.starts_with("POST /refunds "));
    let body = &received[1].body;
    assert_eq!(body["xact_id"], id.as_str());
    assert_eq!(body["original_xact_id"], sale["xact_id"]);
    assert_eq!(num(&body["amount"]), "25.50");
    assert_eq!(body["status"], "approved");
    assert_eq!(body["xact_type"], "CD");
    assert_eq!(body["is_succeed"], true);
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 6, "{body}");

    // Decided once only; unknown ids and bad decisions are refused.
    assert!(env.sandbox.decide_reversal(&id, false).is_err());
    let r = env.review(&json!(id), "reject").await;
    assert_error(&r, 400, "invalid_request_error", 6);
    assert_error(
        &env.review(&json!("xk_nope"), "approve").await,
        404,
        "no_data_error",
        12,
    );

    // A rejection is posted too, and moves nothing.
    let r = env
        .post(
            "/v1/transaction/reversed_request",
            &json!({"xact_id": sale["xact_id"], "succeedUrl": format!("{shop}/refunds")}),
        )
        .await;
    let second = r.json["reversal_id"].clone();
    let bad = env
        .post_noauth(
            &format!("/__sandbox/reversals/{}", second.as_str().expect("id")),
            &json!({"decision": "maybe"}),
        )
        .await;
    assert_error(&bad, 400, "invalid_request_error", 11);
    assert_eq!(
        env.review(&second, "reject").await.json["status"],
        "rejected"
    );
    let attempts = wait_reversal_posts(&env.sandbox, 3).await;
    assert!(attempts[2].delivered);
    let body = seen.lock().expect("log")[2].body.clone();
    assert_eq!(
        (&body["status"], &body["is_succeed"]),
        (&json!("rejected"), &json!(false))
    );
    assert_eq!(num(&body["amount"]), "54.50");
    assert_eq!(
        num(&env.detail(&sale["xact_id"]).await["refunded_amount"]),
        "25.50"
    );

    let admin = env.get("/__sandbox/reversals").await;
    assert_eq!(admin.json["reversals"].as_array().map(Vec::len), Some(2));
    assert_eq!(admin.json["posts"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn auto_approve_decides_at_once() {
    let env = Env::start_with(SandboxConfig {
        auto_approve_reversals: true,
        ..SandboxConfig::default()
    })
    .await;
    let (shop, seen) = shop_endpoint(vec![]).await;
    let sale = env.sale("AUTO-1", "10.00").await;
    let r = env
        .post(
            "/v1/transaction/reversed_request",
            &json!({"xact_id": sale["xact_id"], "succeedUrl": shop}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let today = day_of(&env.sandbox);
    let listed = reversal_list(&env, json!({"datab": today, "datbi": today})).await;
    assert_eq!(listed["Data"][0]["status"], "approved");
    assert_eq!(
        listed["Data"][0]["decision_date"],
        listed["Data"][0]["request_date"]
    );
    assert_eq!(env.detail(&sale["xact_id"]).await["reversed"], true);
    wait_reversal_posts(&env.sandbox, 1).await;
    assert_eq!(seen.lock().expect("log")[0].body["status"], "approved");
}

#[tokio::test]
async fn reversal_list_pages_and_filters() {
    let env = Env::start().await;
    env.clock(json!({"set": "2030-02-01T10:00:00+03:00"})).await;
    let mut ids = Vec::new();
    for i in 0..25 {
        let pan = if i % 5 == 0 {
            "4508034508034509" // Maximum
        } else {
            "4355084355084358" // Axess
        };
        let body = with(payment(&format!("RL-{i}"), pan), json!({"amount": "10.00"}));
        let body = if i == 3 {
            with(body, json!({"agent_id": "77"}))
        } else {
            body
        };
        let sale = env.pay(body).await;
        let r = env.reverse(&sale.json["xact_id"], None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        ids.push(r.json["reversal_id"].clone());
    }
    env.next_day().await;
    let late = env.sale("RL-late", "10.00").await;
    assert_eq!(env.reverse(&late["xact_id"], None).await.status, 200);

    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = reversal_list(
            &env,
            json!({"datab": "2030-02-01", "datbi": "2030-02-01", "starting_after": after}),
        )
        .await;
        assert_eq!(page["total_count"], 25);
        let rows = page["Data"].as_array().expect("Data");
        assert_eq!(page["total"], rows.len());
        seen.extend(rows.iter().map(|r| r["reversal_id"].clone()));
        after += rows.len();
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen, ids);
    let back = reversal_list(
        &env,
        json!({"datab": "2030-02-01", "datbi": "2030-02-01", "ending_before": 21}),
    )
    .await;
    assert_eq!(back["Data"][0]["reversal_id"], ids[10]);
    assert_eq!(back["has_more"], true);

    let both = reversal_list(&env, json!({"datab": "2030-02-01", "datbi": "2030-02-02"})).await;
    assert_eq!(both["total_count"], 26);
    let maxm = reversal_list(
        &env,
        json!({"datab": "2030-02-01", "datbi": "2030-02-02", "bank_id": "MAXM"}),
    )
    .await;
    assert_eq!(maxm["total_count"], 5);
    let agent = reversal_list(
        &env,
        json!({"datab": "2030-02-01", "datbi": "2030-02-02", "agent_id": "77"}),
    )
    .await;
    assert_eq!(agent["Data"][0]["reversal_id"], ids[3]);
    assert_eq!(agent["total_count"], 1);
    for bad in [
        json!({"datab": "2030-02-01"}),
        json!({"datab": "2030-02-02", "datbi": "2030-02-01"}),
        json!({"datab": "2030-02-01", "datbi": "2030-02-01", "limit": 101}),
        json!({"datab": "2030-02-01", "datbi": "2030-02-01", "starting_after": 1, "ending_before": 5}),
    ] {
        let r = env.post("/v1/transaction/reversal_list", &bad).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
}

#[tokio::test]
async fn capture_reversal_leaves_the_preauth_capturable_again() {
    let env = Env::start().await;
    let pre = preauth(&env, "CRV-1", "100.00").await;
    let first = capture(&env, &pre["xact_id"], "6000").await;
    // A captured pre-auth cannot be reversed as a pre-auth.
    let r = env
        .post(
            "/v1/transaction/preauth_reversal",
            &json!({"xact_id": pre["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 6);

    let r = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": first["xact_id"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["is_succeed"], true);
    assert_eq!(r.json["xact_type"], "RC");
    assert_eq!(r.json["object_name"], "transaction");
    assert_eq!(num(&r.json["amount"]), "60.00");
    let rc_id = r.json["xact_id"].clone();
    assert_ne!(rc_id, first["xact_id"]);
    // Twice is refused; the reversed capture cannot be refunded.
    let again = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": first["xact_id"]}),
        )
        .await;
    assert_error(&again, 400, "invalid_request_error", 11);
    assert_error(
        &env.reverse(&first["xact_id"], None).await,
        400,
        "invalid_request_error",
        11,
    );
    let d = env.detail(&first["xact_id"]).await;
    assert_eq!(
        (&d["reversed"], &d["reversed_xact_id"]),
        (&json!(true), &rc_id)
    );

    // Capturable again, for another amount.
    let second = capture(&env, &pre["xact_id"], "8000").await;
    assert_eq!(num(&second["amount"]), "80.00");
    // The captured pre-auth's xact_id stands for its live capture.
    let r = env.reverse(&pre["xact_id"], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let today = day_of(&env.sandbox);
    let listed = reversal_list(&env, json!({"datab": today, "datbi": today})).await;
    assert_eq!(listed["Data"][0]["xact_id"], second["xact_id"]);
    assert_eq!(num(&listed["Data"][0]["amount"]), "80.00");
    // With a cancel pending, the capture cannot be reversed.
    let r = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": second["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    env.review(&r_id(&listed), "reject").await;
    // On a later day it is refused as well.
    env.next_day().await;
    let r = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": second["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    // Only captures; unknown ids are 404.
    let sale = env.sale("CRV-2", "10.00").await;
    let r = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": sale["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 19);
    let r = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": "xk_nope"}),
        )
        .await;
    assert_error(&r, 404, "no_data_error", 12);

    // The ledger: PR, CR, RC, CR (one live capture), ledger rows in order.
    let rows = list_all(
        &env,
        &(env.sandbox.clock() - chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string(),
        &today,
    )
    .await;
    let types: Vec<&str> = rows
        .iter()
        .map(|r| r["xact_type"].as_str().expect("type"))
        .collect();
    assert_eq!(&types[..4], ["PR", "CR", "RC", "CR"]);
}

fn r_id(listed: &Value) -> Value {
    listed["Data"][0]["reversal_id"].clone()
}

#[tokio::test]
async fn a_reversed_preauth_is_an_rp_row_and_cannot_be_captured() {
    let env = Env::start().await;
    let pre = preauth(&env, "RP-1", "40.00").await;
    let first = capture(&env, &pre["xact_id"], "4000").await;
    let r = env
        .post(
            "/v1/transaction/capture_reversal",
            &json!({"xact_id": first["xact_id"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Uncaptured again, so it can be reversed as a pre-auth, once.
    let r = env
        .post(
            "/v1/transaction/preauth_reversal",
            &json!({"xact_id": pre["xact_id"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = env
        .post(
            "/v1/transaction/preauth_reversal",
            &json!({"xact_id": pre["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 6);
    let r = env
        .post(
            "/v1/transaction/capture",
            &json!({"xact_id": pre["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 6);
    let d = env.detail(&pre["xact_id"]).await;
    assert_eq!(d["reversed"], true);
    let today = day_of(&env.sandbox);
    let rows = list_all(&env, &today, &today).await;
    let types: Vec<&str> = rows
        .iter()
        .map(|r| r["xact_type"].as_str().expect("type"))
        .collect();
    assert_eq!(types, ["PR", "CR", "RC", "RP"]);
    assert_eq!(rows[3]["xact_id"], d["reversed_xact_id"]);
    // Authorisations move no money: the day's payout nets the capture and its reversal.
    let report = env.post("/v1/transaction/payment_list", &json!({})).await;
    let kinds: Vec<&str> = report.json["Data"]
        .as_array()
        .expect("Data")
        .iter()
        .map(|r| r["xact_type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["CR", "RC"]);
}

/// Every report agrees after a mix of sales, captures, cancels and refunds over days.
#[tokio::test]
async fn reports_add_up_after_reversals() {
    let env = Env::start_with(SandboxConfig {
        settlement_days: 1,
        ..SandboxConfig::default()
    })
    .await;
    env.clock(json!({"set": "2030-04-01T10:00:00+03:00"})).await;
    let a = env.sale("SUM-A", "100.00").await;
    let b = env.sale("SUM-B", "250.00").await;
    let pre = preauth(&env, "SUM-C", "300.00").await;
    let c = capture(&env, &pre["xact_id"], "12345").await;
    let cancel = env.reverse(&b["xact_id"], None).await;
    env.review(&cancel.json["reversal_id"], "approve").await;
    env.next_day().await;
    let d = env.sale("SUM-D", "77.77").await;
    let refund_a = env.reverse(&a["xact_id"], Some("3333")).await;
    env.review(&refund_a.json["reversal_id"], "approve").await;
    let refund_c = env.reverse(&c["xact_id"], Some("2345")).await;
    env.review(&refund_c.json["reversal_id"], "approve").await;
    let rejected = env.reverse(&d["xact_id"], None).await;
    env.review(&rejected.json["reversal_id"], "reject").await;
    env.next_day().await;

    let rows = list_all(&env, "2030-04-01", "2030-04-02").await;
    let r = env
        .post(
            "/v1/transaction/list",
            &json!({"datab": "2030-04-01", "datbi": "2030-04-02", "limit": 3}),
        )
        .await;
    let sign = |t: &Value| match t.as_str().expect("type") {
        "S" | "CR" => 1,
        "R" | "CD" | "RC" => -1,
        _ => 0,
    };
    let net: i64 = rows
        .iter()
        .map(|r| sign(&r["xact_type"]) * kurus(&r["amount"]))
        .sum();
    assert_eq!(kurus(&r.json["total_amount"]), net);
    // 100 + 250 + 123.45 - 250 + 77.77 - 33.33 - 23.45
    assert_eq!(net, 24_444);
    let paid_net: i64 = rows
        .iter()
        .map(|r| sign(&r["xact_type"]) * kurus(&r["net_amount"]))
        .sum();

    // payment_list by due date (a day later) holds the same money.
    let (mut amount, mut paid) = (0, 0);
    for day in ["2030-04-01", "2030-04-02", "2030-04-03"] {
        let report = env
            .post("/v1/transaction/payment_list", &json!({"date": day}))
            .await;
        for row in report.json["Data"].as_array().expect("Data") {
            amount += kurus(&row["amount"]);
            paid += kurus(&row["company_pay_amount"]);
            assert_eq!(
                kurus(&row["amount"]),
                kurus(&row["company_pay_amount"]) + kurus(&row["company_service_amount"])
            );
        }
    }
    assert_eq!((amount, paid), (net, paid_net));

    // detail's refunded_amount is the sum of the approved requests of reversal_list.
    let requests = reversal_list(
        &env,
        json!({"datab": "2030-04-01", "datbi": "2030-04-02", "limit": 100}),
    )
    .await;
    for original in [&a, &b, &c, &d] {
        let approved: i64 = requests["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .filter(|r| r["xact_id"] == original["xact_id"] && r["status"] == "approved")
            .map(|r| kurus(&r["amount"]))
            .sum();
        let detail = env.detail(&original["xact_id"]).await;
        assert_eq!(kurus(&detail["refunded_amount"]), approved);
        let check = env
            .post(
                "/v1/transaction/check",
                &json!({"xact_id": original["xact_id"]}),
            )
            .await;
        assert_eq!(check.json["Data"][0]["reversed"], detail["reversed"]);
    }
    assert_eq!(env.detail(&b["xact_id"]).await["reversed"], true);
    assert_eq!(env.detail(&a["xact_id"]).await["reversed"], false);
}
