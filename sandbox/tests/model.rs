//! Model-based test of the after-sale rules: random sequences of sales, pre-auths,
//! captures, refunds, cancels, reviews, reversals and clock moves, over HTTP, against a
//! small model of what AFTER-SALE.md allows. Every answer must be the model's (accepted or
//! refused), and after every step the sandbox's reports must agree with the model:
//! refunded ≤ captured ≤ authorised, `list` and `payment_list` totals equal the model's
//! money, no transaction in two states.

mod common;

use common::{Env, kurus, payment, with};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    Sale(i64),
    PreAuth(i64),
    /// Of a pre-auth, `amount` may be more than authorised.
    Capture(Index, i64),
    PreAuthReversal(Index),
    CaptureReversal(Index),
    /// Of a charge (a sale or a capture), or of a pre-auth by its own `xact_id`;
    /// `None` asks for the full amount.
    Refund(Index, bool, Option<i64>),
    Review(Index, bool),
    AdvanceDays(u8),
    AdvanceHours(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let kurus = 1..=50_000i64;
    prop_oneof![
        3 => kurus.clone().prop_map(Op::Sale),
        2 => kurus.clone().prop_map(Op::PreAuth),
        3 => (any::<Index>(), kurus.clone()).prop_map(|(i, a)| Op::Capture(i, a)),
        1 => any::<Index>().prop_map(Op::PreAuthReversal),
        2 => any::<Index>().prop_map(Op::CaptureReversal),
        4 => (any::<Index>(), any::<bool>(), prop::option::of(kurus)).prop_map(|(i, p, a)| Op::Refund(i, p, a)),
        4 => (any::<Index>(), any::<bool>()).prop_map(|(i, a)| Op::Review(i, a)),
        1 => (1..=2u8).prop_map(Op::AdvanceDays),
        1 => (1..=3u8).prop_map(Op::AdvanceHours),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PreState {
    Open,
    Captured(usize),
    Reversed,
}

struct Pre {
    xact_id: Value,
    amount: i64,
    state: PreState,
}

/// A transaction that charged the card: a sale, or a capture of `pre`.
struct Charge {
    xact_id: Value,
    amount: i64,
    day: u32,
    pre: Option<usize>,
    voided: bool,
    pending: i64,
    approved: i64,
}

struct Request {
    reversal_id: Value,
    charge: usize,
    amount: i64,
    pending: bool,
}

#[derive(Default)]
struct Model {
    day: u32,
    hour: u32,
    pres: Vec<Pre>,
    charges: Vec<Charge>,
    requests: Vec<Request>,
    /// Ledger rows so far.
    rows: usize,
    refs: usize,
}

impl Model {
    /// What the merchant keeps: charges, minus voided captures and approved paybacks.
    fn money(&self) -> i64 {
        self.charges
            .iter()
            .map(|c| if c.voided { 0 } else { c.amount - c.approved })
            .sum()
    }
}

fn start() -> &'static str {
    "2030-07-01"
}

fn day_name(day: u32) -> String {
    (chrono::NaiveDate::from_ymd_opt(2030, 7, 1).expect("date")
        + chrono::Duration::days(day.into()))
    .format("%Y-%m-%d")
    .to_string()
}

fn tl(kurus: i64) -> String {
    format!("{}.{:02}", kurus / 100, kurus % 100)
}

/// Asserts the sandbox accepted (200) or refused (4xx) as the model says.
fn expect(ok: bool, status: u16, what: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        (status == 200) == ok && (ok || (400..500).contains(&status)),
        "{what}: the model says {}, the sandbox answered {status} {text}",
        if ok { "accept" } else { "refuse" }
    );
    Ok(())
}

async fn step(env: &Env, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    match *op {
        Op::Sale(amount) => {
            m.refs += 1;
            let body = with(
                payment(&format!("M-{}", m.refs), "4355084355084358"),
                json!({"amount": tl(amount)}),
            );
            let r = env.pay(body).await;
            expect(true, r.status, "sale", &r.text)?;
            m.charges.push(Charge {
                xact_id: r.json["xact_id"].clone(),
                amount,
                day: m.day,
                pre: None,
                voided: false,
                pending: 0,
                approved: 0,
            });
            m.rows += 1;
        }
        Op::PreAuth(amount) => {
            m.refs += 1;
            let body = with(
                payment(&format!("M-{}", m.refs), "4355084355084358"),
                json!({"amount": tl(amount), "transaction_type": 3}),
            );
            let r = env.pay(body).await;
            expect(true, r.status, "pre-auth", &r.text)?;
            m.pres.push(Pre {
                xact_id: r.json["xact_id"].clone(),
                amount,
                state: PreState::Open,
            });
            m.rows += 1;
        }
        Op::Capture(i, amount) => {
            if m.pres.is_empty() {
                return Ok(());
            }
            let p = i.index(m.pres.len());
            let pre = &m.pres[p];
            let ok = pre.state == PreState::Open && amount <= pre.amount;
            let r = env
                .post(
                    "/v1/transaction/capture",
                    &json!({"xact_id": pre.xact_id, "amount": amount.to_string()}),
                )
                .await;
            expect(ok, r.status, "capture", &r.text)?;
            if ok {
                m.charges.push(Charge {
                    xact_id: r.json["xact_id"].clone(),
                    amount,
                    day: m.day,
                    pre: Some(p),
                    voided: false,
                    pending: 0,
                    approved: 0,
                });
                m.pres[p].state = PreState::Captured(m.charges.len() - 1);
                m.rows += 1;
            }
        }
        Op::PreAuthReversal(i) => {
            if m.pres.is_empty() {
                return Ok(());
            }
            let p = i.index(m.pres.len());
            let ok = m.pres[p].state == PreState::Open;
            let r = env
                .post(
                    "/v1/transaction/preauth_reversal",
                    &json!({"xact_id": m.pres[p].xact_id}),
                )
                .await;
            expect(ok, r.status, "preauth_reversal", &r.text)?;
            if ok {
                m.pres[p].state = PreState::Reversed;
                m.rows += 1;
            }
        }
        Op::CaptureReversal(i) => {
            if m.charges.is_empty() {
                return Ok(());
            }
            let c = i.index(m.charges.len());
            let charge = &m.charges[c];
            let ok = charge.pre.is_some()
                && !charge.voided
                && charge.day == m.day
                && charge.pending + charge.approved == 0;
            let r = env
                .post(
                    "/v1/transaction/capture_reversal",
                    &json!({"xact_id": charge.xact_id}),
                )
                .await;
            expect(ok, r.status, "capture_reversal", &r.text)?;
            if let (true, Some(p)) = (ok, charge.pre) {
                m.charges[c].voided = true;
                m.pres[p].state = PreState::Open;
                m.rows += 1;
            }
        }
        Op::Refund(i, of_preauth, amount) => {
            let (xact_id, target) = if of_preauth {
                if m.pres.is_empty() {
                    return Ok(());
                }
                let pre = &m.pres[i.index(m.pres.len())];
                let target = match pre.state {
                    PreState::Captured(c) => Some(c),
                    _ => None,
                };
                (pre.xact_id.clone(), target)
            } else {
                if m.charges.is_empty() {
                    return Ok(());
                }
                let c = i.index(m.charges.len());
                (m.charges[c].xact_id.clone(), Some(c))
            };
            let asked = target.and_then(|c| {
                let ch = &m.charges[c];
                let left = ch.amount - ch.pending - ch.approved;
                let asked = amount.unwrap_or(left);
                let same_day = ch.day == m.day;
                (!ch.voided && left > 0 && asked <= left && (!same_day || asked == ch.amount))
                    .then_some((c, asked))
            });
            let mut body = json!({"xact_id": xact_id});
            if let Some(a) = amount {
                body["amount"] = json!(a.to_string());
            }
            let r = env.post("/v1/transaction/reversed_request", &body).await;
            expect(asked.is_some(), r.status, "reversed_request", &r.text)?;
            if let Some((c, asked)) = asked {
                m.charges[c].pending += asked;
                m.requests.push(Request {
                    reversal_id: r.json["reversal_id"].clone(),
                    charge: c,
                    amount: asked,
                    pending: true,
                });
            }
        }
        Op::Review(i, approve) => {
            if m.requests.is_empty() {
                return Ok(());
            }
            let q = i.index(m.requests.len());
            let ok = m.requests[q].pending;
            let r = env
                .review(
                    &m.requests[q].reversal_id,
                    if approve { "approve" } else { "reject" },
                )
                .await;
            expect(ok, r.status, "review", &r.text)?;
            if ok {
                let (c, amount) = (m.requests[q].charge, m.requests[q].amount);
                m.requests[q].pending = false;
                m.charges[c].pending -= amount;
                if approve {
                    m.charges[c].approved += amount;
                    m.rows += 1;
                }
            }
        }
        Op::AdvanceDays(n) => {
            env.clock(json!({"advance_days": n})).await;
            m.day += u32::from(n);
        }
        Op::AdvanceHours(n) => {
            // Never near midnight: "the same day" must not change while a step runs.
            if m.hour + u32::from(n) <= 20 {
                env.clock(json!({"advance_seconds": u32::from(n) * 3600}))
                    .await;
                m.hour += u32::from(n);
            }
        }
    }
    Ok(())
}

async fn invariants(env: &Env, m: &Model) -> Result<(), TestCaseError> {
    let today = day_name(m.day);
    let mut live_captured = vec![0i64; m.pres.len()];
    for c in &m.charges {
        let d = env.detail(&c.xact_id).await;
        let refunded = kurus(&d["refunded_amount"]);
        let expected = if c.voided { 0 } else { c.approved };
        prop_assert_eq!(refunded, expected, "refunded_amount of {}", c.xact_id);
        prop_assert!(refunded <= kurus(&d["amount"]), "refunded > charged");
        prop_assert_eq!(
            d["reversed"].as_bool(),
            Some(c.voided || c.approved == c.amount)
        );
        if c.voided {
            // Void and refunded are two states: a voided capture has no refund at all.
            prop_assert_eq!(c.pending + c.approved, 0);
            let by = env.detail(&d["reversed_xact_id"]).await;
            prop_assert_eq!(&by["xact_type"], "RC");
        } else if let Some(p) = c.pre {
            live_captured[p] += c.amount;
        }
    }
    for (p, pre) in m.pres.iter().enumerate() {
        let d = env.detail(&pre.xact_id).await;
        prop_assert!(live_captured[p] <= pre.amount, "captured > authorised");
        prop_assert_eq!(
            d["reversed"].as_bool(),
            Some(pre.state == PreState::Reversed)
        );
        // Captured and reversed at once would be two states.
        prop_assert!(!(pre.state == PreState::Reversed && live_captured[p] > 0));
    }

    let r = env
        .post(
            "/v1/transaction/list",
            &json!({"datab": start(), "datbi": today, "limit": 100}),
        )
        .await;
    prop_assert_eq!(r.status, 200, "{}", r.text);
    prop_assert_eq!(r.json["total_count"].as_u64(), Some(m.rows as u64));
    prop_assert_eq!(kurus(&r.json["total_amount"]), m.money());
    let mut paid = 0;
    for day in 0..=m.day {
        let report = env
            .post(
                "/v1/transaction/payment_list",
                &json!({"date": day_name(day)}),
            )
            .await;
        for row in report.json["Data"].as_array().into_iter().flatten() {
            paid += kurus(&row["amount"]);
        }
    }
    prop_assert_eq!(paid, m.money(), "payment_list total");
    Ok(())
}

#[test]
fn random_after_sale_sequences_keep_the_ledger_consistent() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(op(), 1..30), |ops| {
        rt.block_on(async {
            let env = Env::start().await;
            env.clock(json!({"set": format!("{}T09:00:00+03:00", start())}))
                .await;
            let mut m = Model {
                hour: 9,
                ..Model::default()
            };
            for op in &ops {
                step(&env, &mut m, op).await?;
                invariants(&env, &m).await?;
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
