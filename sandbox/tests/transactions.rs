//! The transaction services: `detail`, `list` (filters, pagination over seeded volume),
//! `mark_transferred`, `add_info`, `slip` and its page, `upload`, `escrow_status_update`.

mod common;

use std::collections::HashSet;
use std::time::Instant;

use chrono::NaiveDate;
use common::{Env, assert_error, day_of, num, payment, with};
use paynet_sandbox::SeedSpec;
use serde_json::{Value, json};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

async fn list(env: &Env, body: Value) -> Value {
    let r = env.post("/v1/transaction/list", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

#[tokio::test]
async fn detail_by_every_key() {
    let env = Env::start().await;
    let sale = env
        .pay(with(
            payment("DET-1", "4508034508034509"),
            json!({"amount": "150.00", "company_amount": "100.00", "instalment": 3,
                   "card_holder_mail": "a@b.com", "agent_id": "55"}),
        ))
        .await
        .json;
    for key in [
        json!({"xact_id": sale["xact_id"]}),
        json!({"id": sale["id"]}),
        json!({"xact": sale["id"].to_string()}),
        json!({"reference_no": "DET-1"}),
    ] {
        let r = env.post("/v1/transaction/detail", &key).await;
        assert_eq!(r.status, 200, "{key}: {}", r.text);
        assert_eq!(r.json["object_name"], "transaction_detail");
        assert_eq!(r.json["code"], 0);
        assert_eq!(r.json["Data"].as_array().map(Vec::len), Some(1));
        assert_eq!(r.json["Data"][0]["xact_id"], sale["xact_id"], "{key}");
    }
    let d = env.detail(&sale["xact_id"]).await;
    // check's fields are there, with the same values.
    let check = env
        .post(
            "/v1/transaction/check",
            &json!({"xact_id": sale["xact_id"]}),
        )
        .await;
    for (k, v) in check.json["Data"][0].as_object().expect("row") {
        assert_eq!(&d[k], v, "{k}");
    }
    assert_eq!(d["xact_type"], "S");
    assert_eq!(d["xact_type_desc"], "Satış");
    assert_eq!(d["bank_name"], "Maximum");
    assert_eq!(num(&d["company_amount"]), "100.00");
    assert_eq!(num(&d["agent_amount"]), "50.00");
    assert_eq!(num(&d["refunded_amount"]), "0.00");
    assert_eq!(d["reversed"], false);
    assert_eq!(d["reversed_xact_id"], Value::Null);
    assert_eq!(d["is_transferred"], false);
    assert_eq!(d["document_no"], Value::Null);
    assert_eq!(d["agent_id"], "55");
    assert_eq!(d["is_escrow"], false);
    for f in [
        "agent_name",
        "company_name",
        "note",
        "email",
        "phone",
        "agent_reference",
    ] {
        assert!(d.get(f).is_some(), "{f} missing in {d}");
    }

    assert_error(
        &env.post("/v1/transaction/detail", &json!({"id": 1})).await,
        404,
        "no_data_error",
        12,
    );
    assert_error(
        &env.post("/v1/transaction/detail", &json!({})).await,
        400,
        "invalid_request_error",
        11,
    );
}

#[tokio::test]
async fn list_filters_and_orders() {
    let env = Env::start().await;
    env.clock(json!({"set": "2030-05-10T12:00:00+03:00"})).await;
    let a = env.sale("LS-A", "10.00").await;
    env.pay(payment("LS-B", "4000000000009995")).await; // declined
    let c = env
        .pay(with(
            payment("LS-C", "4508034508034509"),
            json!({"amount": "20.00", "agent_id": "42"}),
        ))
        .await
        .json;
    env.next_day().await;
    let d = env.sale("LS-D", "30.00").await;
    // A sale dated earlier than the ones before it, by setting the clock back.
    env.clock(json!({"set": "2030-05-10T08:00:00+03:00"})).await;
    let early = env.sale("LS-E", "5.00").await;

    let all = list(&env, json!({"datab": "2030-05-10", "datbi": "2030-05-11"})).await;
    assert_eq!(all["object_name"], "transaction_list");
    assert_eq!(all["total_count"], 4);
    assert_eq!(num(&all["total_amount"]), "65.00");
    let ids: Vec<&Value> = all["Data"]
        .as_array()
        .expect("Data")
        .iter()
        .map(|r| &r["xact_id"])
        .collect();
    assert_eq!(
        ids,
        [
            &early["xact_id"],
            &a["xact_id"],
            &c["xact_id"],
            &d["xact_id"]
        ]
    );
    let row = &all["Data"][1];
    for (k, v) in [
        ("reference_no", json!("LS-A")),
        ("xact_type", json!("S")),
        ("is_succeed", json!(true)),
        ("currency", json!("TRY")),
        ("instalment", json!(0)),
        ("bank_id", json!("AXSS")),
        ("bank_name", json!("Axess")),
        ("card_no", json!("435508******4358")),
        ("card_holder", json!("TEST KART")),
        ("card_type", json!("cc")),
        ("agent_id", json!("1001")),
        ("is_transferred", json!(false)),
        ("reversed", json!(false)),
        ("pos_type", json!(5)),
        ("xact_date", a["xact_date"].clone()),
        ("authorization_code", a["bank_authorization_code"].clone()),
        ("reference_code", a["bank_reference_code"].clone()),
        ("order_id", a["bank_order_id"].clone()),
    ] {
        assert_eq!(row[k], v, "{k}");
    }
    for f in ["amount", "net_amount", "comission", "comission_tax"] {
        assert_eq!(num(&row[f]), num(&a[f]), "{f}");
    }

    let with_declines = list(
        &env,
        json!({"datab": "2030-05-10", "datbi": "2030-05-11", "show_unsucceed": true}),
    )
    .await;
    assert_eq!(with_declines["total_count"], 5);
    assert_eq!(num(&with_declines["total_amount"]), "65.00");
    let day1 = list(&env, json!({"datab": "2030-05-10", "datbi": "2030-05-10"})).await;
    assert_eq!(day1["total_count"], 3);
    for (filter, count) in [
        (json!({"agent_id": "42"}), 1),
        (json!({"bank_id": "MAXM"}), 1),
        (json!({"bank_id": "AXSS"}), 3),
        (json!({"user_id": "PaynetApi"}), 4),
        (json!({"user_id": "PaynetJ"}), 0),
    ] {
        let body = with(
            json!({"datab": "2030-05-10", "datbi": "2030-05-11"}),
            filter.clone(),
        );
        assert_eq!(list(&env, body).await["total_count"], count, "{filter}");
    }
    for bad in [
        json!({"datbi": "2030-05-10"}),
        json!({"datab": "10.05.2030", "datbi": "2030-05-10"}),
        json!({"datab": "2030-05-10", "datbi": "2030-05-10", "limit": 0}),
        json!({"datab": "2030-05-10", "datbi": "2030-05-10", "starting_after": -1}),
        json!({"datab": "2030-05-10", "datbi": "2030-05-10", "show_unsucceed": "perhaps"}),
    ] {
        assert_error(
            &env.post("/v1/transaction/list", &bad).await,
            400,
            "invalid_request_error",
            11,
        );
    }
}

#[tokio::test]
async fn pagination_walks_1001_seeded_sales_once_each() {
    let env = Env::start().await;
    let t = Instant::now();
    let r = env
        .post_noauth(
            "/__sandbox/seed",
            &json!({"count": 1001, "from": "2030-01-01", "to": "2030-01-07", "seed": 42, "amount": "12.34"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["inserted"], 1001);
    assert_eq!(
        (r.json["from"].as_str(), r.json["to"].as_str()),
        (Some("2030-01-01"), Some("2030-01-07"))
    );

    for limit in [10, 100, 7] {
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        let mut after = 0;
        loop {
            let page = list(
                &env,
                json!({"datab": "2030-01-01", "datbi": "2030-01-07", "limit": limit, "starting_after": after}),
            )
            .await;
            assert_eq!(page["total_count"], 1001);
            assert_eq!(page["limit"], limit);
            let rows = page["Data"].as_array().expect("Data");
            assert!(rows.len() <= limit);
            for row in rows {
                assert!(
                    seen.insert(row["xact_id"].as_str().expect("id").to_owned()),
                    "twice: {row}"
                );
                order.push(row["xact_date"].as_str().expect("date").to_owned());
            }
            after += rows.len();
            if page["has_more"] == false {
                break;
            }
            assert_eq!(rows.len(), limit);
        }
        assert_eq!(seen.len(), 1001, "limit {limit}");
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "ordered by date");
    }
    // Every day got its share: 143 a day.
    for day in 1..=7 {
        let d = format!("2030-01-0{day}");
        let page = list(&env, json!({"datab": d, "datbi": d})).await;
        assert_eq!(page["total_count"], 143, "{d}");
        assert_eq!(num(&page["total_amount"]), "1764.62");
    }
    assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
    let last = list(
        &env,
        json!({"datab": "2030-01-01", "datbi": "2030-01-07", "starting_after": 1001}),
    )
    .await;
    assert_eq!(
        (last["total"].clone(), last["has_more"].clone()),
        (json!(0), json!(false))
    );
}

#[tokio::test]
async fn seeding_is_deterministic_and_validated() {
    let first = Env::start().await;
    let second = Env::start().await;
    let spec = SeedSpec {
        count: 50,
        from: date("2030-02-01"),
        to: date("2030-02-03"),
        amount: 1_000,
        seed: 9,
    };
    let a = first.sandbox.seed_sales(&spec).expect("seeded");
    let b = second.sandbox.seed_sales(&spec).expect("seeded");
    assert_eq!(a, b);
    assert_eq!((a.inserted, a.last_id - a.first_id), (50, 49));
    let body = json!({"datab": "2030-02-01", "datbi": "2030-02-03", "limit": 100});
    let (x, y) = (list(&first, body.clone()).await, list(&second, body).await);
    assert_eq!(x["Data"], y["Data"]);
    // A second call with the same seed adds new transactions.
    first.sandbox.seed_sales(&spec).expect("seeded");
    let body = json!({"datab": "2030-02-01", "datbi": "2030-02-03", "limit": 100});
    let twice = list(&first, body).await;
    let ids: HashSet<&str> = twice["Data"]
        .as_array()
        .expect("Data")
        .iter()
        .map(|r| r["xact_id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 100);

    for bad in [
        SeedSpec {
            count: 0,
            ..spec.clone()
        },
        SeedSpec {
            from: date("2030-02-04"),
            ..spec.clone()
        },
        SeedSpec {
            amount: 0,
            ..spec.clone()
        },
    ] {
        assert!(first.sandbox.seed_sales(&bad).is_err(), "{bad:?}");
    }
    for bad in [
        json!({"count": 5, "date": "2030-01-01", "from": "2030-01-01"}),
        json!({"count": 5, "from": "2030-01-02", "to": "2030-01-01"}),
        json!({"count": 5, "to": "2030-01-01"}),
    ] {
        let r = first.post_noauth("/__sandbox/seed", &bad).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    // A one-day seed without from/to: today by the clock.
    let r = first
        .post_noauth("/__sandbox/seed", &json!({"count": 3}))
        .await;
    assert_eq!(r.json["from"], day_of(&first.sandbox));
}

#[tokio::test]
async fn mark_transferred_leaves_untransferred_lists() {
    let env = Env::start().await;
    let a = env.sale("TR-A", "10.00").await;
    let b = env.sale("TR-B", "20.00").await;
    let r = env
        .post(
            "/v1/transaction/mark_transferred",
            &json!({"xact_id": a["xact_id"], "document_no": "INV-9", "amount": "10.00",
                    "currency": "TRY", "exchange_rate": "1.0000"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["code"], 0);
    assert_eq!(r.json["object_name"], "transaction_mark_transferred");
    let today = day_of(&env.sandbox);
    let open = list(
        &env,
        json!({"datab": today, "datbi": today, "untransferred": true}),
    )
    .await;
    assert_eq!(open["total_count"], 1);
    assert_eq!(open["Data"][0]["xact_id"], b["xact_id"]);
    let every = list(&env, json!({"datab": today, "datbi": today})).await;
    assert_eq!(every["Data"][0]["is_transferred"], true);
    let d = env.detail(&a["xact_id"]).await;
    assert_eq!(
        (&d["is_transferred"], &d["document_no"]),
        (&json!(true), &json!("INV-9"))
    );

    for bad in [
        json!({}),
        json!({"xact_id": b["xact_id"], "exchange_rate": "abc"}),
        json!({"xact_id": b["xact_id"], "exchange_rate": "0"}),
        json!({"xact_id": b["xact_id"], "amount": "-1"}),
    ] {
        let r = env.post("/v1/transaction/mark_transferred", &bad).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    let r = env
        .post(
            "/v1/transaction/mark_transferred",
            &json!({"xact_id": "xk_nope"}),
        )
        .await;
    assert_error(&r, 404, "no_data_error", 12);
}

#[tokio::test]
async fn add_info_shows_in_detail_and_check() {
    let env = Env::start().await;
    let sale = env.sale("INFO-1", "10.00").await;
    let r = env
        .post(
            "/v1/transaction/add_info",
            &json!({"xact_id": sale["xact_id"], "note": "gift wrap", "email": "c@d.com",
                    "phone": "5329998877", "agent_reference": "ERP-7"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["object_name"], "transaction_add_info");
    let d = env.detail(&sale["xact_id"]).await;
    for (k, v) in [
        ("note", "gift wrap"),
        ("email", "c@d.com"),
        ("phone", "5329998877"),
        ("agent_reference", "ERP-7"),
    ] {
        assert_eq!(d[k], v, "{k}");
    }
    // Only what is sent changes.
    env.post(
        "/v1/transaction/add_info",
        &json!({"xact_id": sale["xact_id"], "note": "second"}),
    )
    .await;
    let check = env
        .post(
            "/v1/transaction/check",
            &json!({"xact_id": sale["xact_id"]}),
        )
        .await;
    let row = &check.json["Data"][0];
    assert_eq!(
        (&row["note"], &row["email"]),
        (&json!("second"), &json!("c@d.com"))
    );
    // The reference_no still finds it.
    let d = env
        .post("/v1/transaction/detail", &json!({"reference_no": "INFO-1"}))
        .await;
    assert_eq!(d.json["Data"][0]["xact_id"], sale["xact_id"]);
    let r = env
        .post(
            "/v1/transaction/add_info",
            &json!({"xact_id": sale["xact_id"], "phone": "1".repeat(21)}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
}

#[tokio::test]
async fn slip_serves_a_receipt_with_the_masked_card_only() {
    let env = Env::start().await;
    let sale = env
        .pay(with(
            payment("SLIP-1", "4355084355084358"),
            json!({"card_holder": "AYŞE <YILMAZ>"}),
        ))
        .await
        .json;
    let r = env
        .post(
            "/v1/transaction/slip",
            &json!({"xact_id": sale["xact_id"], "xact": sale["id"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["object_name"], "transaction_slip");
    let url = r.json["url"].as_str().expect("url").to_owned();
    assert!(
        url.starts_with(&format!("{}/__sandbox/slip/", env.sandbox.url())),
        "{url}"
    );
    let again = env
        .post(
            "/v1/transaction/slip",
            &json!({"xact_id": sale["xact_id"], "send_mail": true, "email": "a@b.com"}),
        )
        .await;
    assert_eq!(again.json["url"], url.as_str());

    let page = env.browse(&url).await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.text.contains("435508******4358"), "{}", page.text);
    assert!(!page.text.contains("4355084355084358"));
    assert!(page.text.contains("100.00 TRY"));
    assert!(page.text.contains("AYŞE &lt;YILMAZ&gt;"));
    assert!(
        page.text
            .contains(sale["bank_authorization_code"].as_str().expect("code"))
    );
    assert_eq!(
        env.browse(&format!("{}/__sandbox/slip/nope", env.sandbox.url()))
            .await
            .status,
        404
    );

    for bad in [
        json!({"xact_id": sale["xact_id"], "send_mail": true}),
        json!({"xact_id": sale["xact_id"], "send_sms": true}),
        json!({"xact_id": sale["xact_id"], "xact": 1}),
        json!({"xact": sale["id"]}),
    ] {
        let r = env.post("/v1/transaction/slip", &bad).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
}

/// Standard base64 of `bytes`, for building upload bodies.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn upload_takes_small_images_only() {
    let env = Env::start().await;
    let sale = env.sale("UP-1", "10.00").await;
    let upload = |image: String| json!({"xact_id": sale["xact_id"], "pars_base64": image, "pars_file_name": "sig.png"});
    for magic in [
        &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
        b"\xff\xd8\xff\xe0\0\x10JFIF",
        b"GIF87a\x01\0\x01\0",
        b"GIF89a\x01\0\x01\0",
    ] {
        let r = env
            .post("/v1/transaction/upload", &upload(base64(magic)))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["object_name"], "transaction_upload");
    }
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(2 * 1024 * 1024, 0);
    let r = env
        .post("/v1/transaction/upload", &upload(base64(&big)))
        .await;
    assert_eq!(r.status, 200, "exactly 2 MiB is fine: {}", r.text);
    big.push(0);
    for image in [
        base64(&big),
        base64(b"%PDF-1.7 not an image"),
        "not base64!".to_owned(),
        base64(b""),
    ] {
        let r = env.post("/v1/transaction/upload", &upload(image)).await;
        assert_error(&r, 400, "invalid_request_error", 11);
    }
    let r = env
        .post(
            "/v1/transaction/upload",
            &json!({"xact_id": sale["xact_id"]}),
        )
        .await;
    assert_error(&r, 400, "invalid_request_error", 11);
    let r = env
        .post(
            "/v1/transaction/upload",
            &json!({"xact_id": "xk_nope", "pars_base64": base64(b"GIF89a")}),
        )
        .await;
    assert_error(&r, 404, "no_data_error", 12);
}

/// A Paynet.js charge of 100.00 TL, escrowed or not.
async fn charge(env: &Env, reference_no: &str, escrow: bool) -> Value {
    let session = env
        .post_noauth(
            "/__sandbox/paynetjs/session",
            &json!({"amount": "10000", "pan": "4355084355084358", "month": 12, "year": 2045,
                    "cvc": "000", "card_holder": "TEST", "publishable_key": env.sandbox.publishable_key()}),
        )
        .await;
    assert_eq!(session.status, 200, "{}", session.text);
    let r = env
        .post(
            "/v1/transaction/charge",
            &json!({"session_id": session.json["session_id"], "token_id": session.json["token_id"],
                    "amount": "10000", "transaction_type": 1, "reference_no": reference_no,
                    "is_escrow": escrow}),
        )
        .await;
    assert_eq!(r.json["is_succeed"], true, "{}", r.text);
    r.json
}

#[tokio::test]
async fn escrow_status_update_only_for_escrowed_payments() {
    let env = Env::start().await;
    let held = charge(&env, "ESC-1", true).await;
    let plain = charge(&env, "ESC-2", false).await;
    let d = env.detail(&held["xact_id"]).await;
    assert_eq!(
        (&d["is_escrow"], &d["escrow_status"]),
        (&json!(true), &json!(1))
    );
    assert_eq!(
        env.detail(&plain["xact_id"]).await["escrow_status"],
        Value::Null
    );

    let update = async |body: Value| {
        env.post("/v1/transaction/escrow_status_update", &body)
            .await
    };
    for bad in [
        json!({"xact_id": held["xact_id"], "status": 1}),
        json!({"xact_id": held["xact_id"]}),
        json!({"xact_id": held["xact_id"], "status": 2, "agent_amount": "100.01"}),
        json!({"xact_id": held["xact_id"], "status": 2, "note": "x".repeat(257)}),
        json!({"xact_id": plain["xact_id"], "status": 2}),
        json!({"status": 2}),
    ] {
        assert_error(&update(bad).await, 400, "invalid_request_error", 11);
    }
    assert_error(
        &update(json!({"xact": 1, "status": 2})).await,
        404,
        "no_data_error",
        12,
    );
    let r = update(
        json!({"xact": held["xact"], "status": 2, "agent_amount": "100.00",
                          "note": "delivered", "agent_id": "1001"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["object_name"], "transaction_escrow_status_update");
    assert_eq!(env.detail(&held["xact_id"]).await["escrow_status"], 2);
    // Decided once.
    let r = update(json!({"xact_id": held["xact_id"], "status": 3})).await;
    assert_error(&r, 400, "invalid_request_error", 6);

    let rejected = charge(&env, "ESC-3", true).await;
    let r = update(json!({"xact_id": rejected["xact_id"], "status": 3})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.detail(&rejected["xact_id"]).await["escrow_status"], 3);
}
