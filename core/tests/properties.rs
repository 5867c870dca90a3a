//! Property tests of everything in core that reads untrusted input without a
//! network: answers (`Client::read_answer`), parameters
//! (`Client::prepare_value`) and amounts (`Money::parse`). A fixed number of
//! cases and no persistence files, so the run is the same length every time
//! and leaves nothing in the repository. The same invariants, unbounded, are
//! the cargo-fuzz targets in `core/fuzz/`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use paynet_core::wire::MoneyWire;
use paynet_core::{Client, Config, ErrorKind, METHODS, Money};
use proptest::prelude::*;
use proptest::sample::subsequence;
use serde_json::{Map, Value, json};

const KEY: &str = "sck_properties_Q7w8e9r0t1y2u3i4";

// With a publishable key, so `ratios.get_public` can be prepared too.
static CLIENT: LazyLock<Client> = LazyLock::new(|| Client::new(Config::new(KEY).unwrap().publishable_key("pbk_properties").unwrap()).unwrap());
static COMMA_CLIENT: LazyLock<Client> =
    LazyLock::new(|| Client::new(Config::new(KEY).unwrap().publishable_key("pbk_properties").unwrap().payment_amount_format(MoneyWire::CommaString)).unwrap());

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// A strategy built once per thread: building them (and compiling their
/// regexes) for every case would cost more than running the case.
macro_rules! cached {
    ($(#[$doc:meta])* fn $name:ident() -> $t:ty $body:block) => {
        $(#[$doc])*
        fn $name() -> BoxedStrategy<$t> {
            thread_local!(static STRATEGY: BoxedStrategy<$t> = Strategy::boxed($body));
            STRATEGY.with(BoxedStrategy::clone)
        }
    };
}

/// A string strategy from a regex, compiled once.
fn regex(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern).unwrap().boxed()
}

const MONEY_MOVING: &[&str] = &["payments.create", "payments.charge", "payments.capture"];
const STATUSES: &[u16] = &[200, 201, 204, 301, 307, 400, 401, 404, 429, 500, 502, 503];

/// A small pool, shared by parameters and answers, so an answer echoes the
/// reference or id that was sent often enough to reach the success paths.
const REFERENCES: &[&str] = &["ORD-1", "ORD-2", "ord-1", "ORD-1 "];
const XACT_IDS: &[&str] = &["xk_1", "xk_2"];

// ---------------------------------------------------------------- JSON trees

/// JSON as text can say what a `serde_json::Value` cannot: repeated keys,
/// numbers of any size or shape. Rendered to bytes for `read_answer`.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    /// The number token's text, always valid JSON number syntax.
    Number(String),
    Text(String),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Text(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// As a parameter value (a repeated key keeps its last value, as serde_json does).
    fn to_value(&self) -> Value {
        serde_json::from_str(&self.render()).expect("rendered JSON parses")
    }
}

fn s(text: &str) -> Json {
    Json::Text(text.to_owned())
}

fn n(text: &str) -> Json {
    Json::Number(text.to_owned())
}

cached! {
    /// Number tokens: ordinary, huge, tiny, negative zero, long fractions, exponents.
    fn number_text() -> String {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (0u32..100_000, 0u32..10_000).prop_map(|(w, f)| format!("{w}.{f}")),
            regex("-?(0|[1-9][0-9]{0,40})(\\.[0-9]{1,32})?([eE][-+]?[0-9]{1,6})?"),
            prop::sample::select(vec![
                "0", "-0", "1", "100", "12", "7", "11", "3500.0000", "0.1", "12.5", "-0.0", "1e5", "1E400", "-1e-400",
                "0.30000000000000004", "99999999999999999999999999999999999999", "79228162514264337593543950336",
                "-79228162514264337593543950336", "1e28", "9223372036854775808", "-9223372036854775809", "1.0e0",
                "0.0000000000000000000000000000001", "18446744073709551616",
            ])
            .prop_map(str::to_owned),
        ]
    }
}

cached! {
    /// Texts Paynet sends or could: numeric strings, booleans in words, dates in
    /// every documented format and broken ones, card numbers, CVC fields, the key.
    fn interesting_text() -> String {
        prop::sample::select(vec![
            "", " ", "True", "False", "true", "false", "TRUE", "1", "0", "yes", "null", "12", " 12 ", "100", "-1",
            "12,50", "12.50", "1.234,56", "3500.0000", "1e3", "NaN", "Infinity", "0x10", "9223372036854775808",
            "2016-04-08T10:27:22.0296925+03:00", "03.02.2020 17:44:41", "2020-02-05T00:00:00", "2020-02-05",
            "2020-02-05 10:00:00.123", "31.02.2020 17:44:41", "03.02.2020 24:00:00", "2020-02-05T24:00:00",
            "2020-02-30", "2020-13-01", "9999-12-31T23:59:59", "+275760-09-13T00:00:00Z", "0000-01-01T00:00:00",
            "-0001-01-01", "2020-02-05T10:00:00.5", "99.99.9999 99:99:99", "2020-02-05T10:00:00+99:00",
            "2020-2-5", "٢٠٢٠-٠٢-٠٥", "4355084355084358", "4355 0843 5508 4358", "435508******4358",
            "cvc=123", "\"cvv2\": 987", "Basic sck_properties_Q7w8e9r0t1y2u3i4", "sck_properties_Q7w8e9r0t1y2u3i4",
            "ORD-1", "ORD-2", "xk_1", "xk_2", "İşlem bulunamadı", "\u{0}", "a\nb", "\u{202e}", "\u{feff}", "\\",
        ])
        .prop_map(str::to_owned)
    }
}

cached! {
    fn text() -> String {
        prop_oneof![
            4 => interesting_text(),
            2 => regex("\\PC{0,12}"),
            1 => regex(".{0,16}"),
            1 => regex("[0-9 .,:T+-]{0,20}"),
        ]
    }
}

cached! {
    fn scalar() -> Json {
        prop_oneof![
            1 => Just(Json::Null),
            1 => any::<bool>().prop_map(Json::Bool),
            2 => number_text().prop_map(Json::Number),
            3 => text().prop_map(Json::Text),
        ]
    }
}

/// Every field name core reads from an answer (core/src/models.rs, the
/// envelopes of check and payment_list, the error bodies).
const ANSWER_KEYS: &[&str] = &[
    "is_succeed", "code", "xact_id", "reference_no", "agent_reference_no", "agent_reference", "amount", "Data", "data",
    "message", "bank_error_id", "bank_error_message", "bank_error_short_desc", "bank_error_long_desc", "result_code",
    "xact_date", "total", "total_count", "id", "xact", "transaction_type", "net_amount", "netAmount", "comission",
    "commission", "comission_tax", "commission_tax", "currency", "instalment", "installment", "ratio", "pos_type",
    "is_tds", "agent_id", "user_id", "email", "phone", "bank_id", "bank_name", "card_no_masked", "card_no",
    "card_holder", "card_type", "card_brand_name", "bank_authorization_code", "authorization_code",
    "bank_reference_code", "reference_code", "bank_order_id", "order_id", "xact_transaction_id", "paynet_error_id",
    "paynet_error_message", "card_hash", "card_owner_id", "user_unique_id", "is_save_card_succeed",
    "save_card_result_message", "card_bank_id", "card_logo_url", "campaign_url", "end_user_comission",
    "end_user_commission", "end_user_ratio", "ratio_code", "md_status", "note", "type", "due_date", "xact_type",
    "company_pay_amount", "company_service_amount", "agent_pay_amount", "agent_service_amount", "company_cost_ratio",
    "plus_installment", "company_code", "company_name", "agent_name",
];

cached! {
    fn key() -> String {
        prop_oneof![
            5 => prop::sample::select(ANSWER_KEYS).prop_map(str::to_owned),
            1 => regex("\\PC{0,10}"),
            1 => prop::sample::select(ANSWER_KEYS).prop_map(|k| k.to_uppercase()),
        ]
    }
}

cached! {
    /// Any JSON value, a few levels deep, with Paynet's keys in its objects.
    fn value() -> Json {
        scalar()
            .prop_recursive(3, 32, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Json::List),
                    prop::collection::vec((key(), inner), 0..6).prop_map(Json::Object),
                ]
            })
    }
}

/// Built once per name and thread (see `cached!`).
fn by_name(kind: &'static str, name: &str, build: fn(&str) -> BoxedStrategy<Json>) -> BoxedStrategy<Json> {
    thread_local!(static BUILT: RefCell<HashMap<(&'static str, String), BoxedStrategy<Json>>> = RefCell::default());
    let id = (kind, name.to_owned());
    if let Some(strategy) = BUILT.with(|built| built.borrow().get(&id).cloned()) {
        return strategy;
    }
    // Not under the borrow: building one may build others.
    let strategy = build(name);
    BUILT.with(|built| built.borrow_mut().insert(id, strategy.clone()));
    strategy
}

fn field_value(name: &str) -> BoxedStrategy<Json> {
    by_name("field", name, build_field_value)
}

/// Values aimed at what a field means: mostly what Paynet sends, in each of
/// its encodings (so that whole answers get read to the end), now and then a
/// near miss, and anything at all.
fn build_field_value(name: &str) -> BoxedStrategy<Json> {
    let pick = |items: Vec<Json>| prop::sample::select(items).boxed();
    let (usual, odd) = match name {
        "is_succeed" | "is_tds" | "is_save_card_succeed" => (
            pick(vec![Json::Bool(true), Json::Bool(true), Json::Bool(false), s("True"), s("False"), s("true"), s("TRUE"), n("1"), n("0"), Json::Null, s("")]),
            pick(vec![s("1"), s("yes"), n("1.0"), n("2"), s(" true")]),
        ),
        "xact_id" => (
            pick(vec![s("xk_1"), s("xk_1"), s("xk_2"), n("12")]),
            pick(vec![
                s(""), s(" "), s("\t"), Json::Bool(true), Json::Null, Json::Object(vec![]), Json::List(vec![]),
                Json::List(vec![s("xk_1")]), s("\u{200b}"), s("xk_1 "),
            ]),
        ),
        "reference_no" | "agent_reference_no" | "agent_reference" => (
            pick(vec![s("ORD-1"), s("ORD-1"), s("ORD-2"), Json::Null]),
            pick(vec![s("ord-1"), s(" ORD-1"), s(""), n("1"), Json::List(vec![]), Json::Object(vec![]), Json::Bool(false)]),
        ),
        "code" | "result_code" | "md_status" | "pos_type" | "id" | "xact" | "total" | "total_count" | "transaction_type"
        | "instalment" | "installment" | "plus_installment" => (
            pick(vec![n("0"), n("0"), n("100"), n("12"), n("5"), n("7"), n("11"), s("0"), s("100"), s("12"), n("2"), n("3"), n("4"), Json::Null, s("")]),
            pick(vec![s(" 12 "), n("12.0"), n("12.5"), n("1e1"), n("99999999999999999999"), s("abc"), n("-1"), n("-0"), s("+1")]),
        ),
        "amount" | "net_amount" | "netAmount" | "comission" | "commission" | "comission_tax" | "commission_tax" | "ratio"
        | "end_user_comission" | "end_user_commission" | "end_user_ratio" | "company_pay_amount" | "company_service_amount"
        | "agent_pay_amount" | "agent_service_amount" | "company_cost_ratio" => (
            pick(vec![n("12.5"), n("3500.0000"), n("0"), n("10"), s("12,50"), s("0.1"), s("10.00"), Json::Null, s("")]),
            prop_oneof![
                pick(vec![
                    s(" 1 "), n("1e400"), n("-1e-400"), s("1e3"), s("1,2,3"), n("79228162514264337593543950336"), s("NaN"),
                    n("-0"), n("1e-30"), n("123456789012345678901234567890.123456789"), n("-12.5"),
                ]),
                number_text().prop_map(Json::Number),
            ]
            .boxed(),
        ),
        "xact_date" | "due_date" => (
            pick(vec![s("2016-04-08T10:27:22.0296925+03:00"), s("03.02.2020 17:44:41"), s("2020-02-05T00:00:00"), s("2020-02-05"), Json::Null]),
            interesting_text().prop_map(Json::Text).boxed(),
        ),
        "Data" | "data" => (
            prop::collection::vec(transaction_object(), 0..3).prop_map(Json::List).boxed(),
            pick(vec![Json::Null, Json::Object(vec![]), s(""), Json::List(vec![Json::Null]), Json::List(vec![Json::List(vec![])])]),
        ),
        _ => (text().prop_map(Json::Text).boxed(), scalar()),
    };
    prop_oneof![16 => usual, 2 => odd, 1 => value()].boxed()
}

cached! {
    /// A transaction as Paynet might send it: the fields that decide success
    /// most of the time, a few others, and now and then a repeated or stray key.
    fn transaction_object() -> Json {
        let core_fields = ["is_succeed", "xact_id", "xact_date", "amount", "reference_no", "code"]
            .map(|name| prop::option::weighted(0.8, field_value(name).prop_map(move |v| (name.to_owned(), v))));
        let other_keys = ANSWER_KEYS.iter().copied().filter(|k| !matches!(*k, "Data" | "data" | "is_succeed" | "xact_id" | "xact_date" | "amount" | "reference_no" | "code"));
        let others = subsequence(other_keys.collect::<Vec<_>>(), 0..6)
            .prop_flat_map(|names| names.into_iter().map(|k| field_value(k).prop_map(move |v| (k.to_owned(), v))).collect::<Vec<_>>());
        let strays = prop::collection::vec((key(), scalar()), 0..2);
        (core_fields, others, strays)
            .prop_map(|(core, others, strays)| Json::Object(core.into_iter().flatten().chain(others).chain(strays).collect()))
    }
}

cached! {
    /// A check or report envelope: `Data` rows beside the envelope's own fields.
    fn envelope() -> Json {
        let data_key = prop::sample::select(vec!["Data", "data"]);
        let rows = prop_oneof![
            4 => prop::collection::vec(transaction_object(), 0..4).prop_map(Json::List),
            1 => value(),
        ];
        let rest = subsequence(vec!["code", "message", "total", "total_count", "result_code", "type", "Data"], 0..4)
            .prop_flat_map(|names| names.into_iter().map(|k| field_value(k).prop_map(move |v| (k.to_owned(), v))).collect::<Vec<_>>());
        (data_key, rows, rest)
            .prop_map(|(key, rows, rest)| Json::Object(std::iter::once((key.to_owned(), rows)).chain(rest).collect()))
    }
}

/// An answer body as bytes: well-formed objects of every shape (mostly the
/// shape `method` is answered with), anything JSON at all, JSON cut short or
/// with a byte changed, and plain noise.
fn body(method: &str) -> BoxedStrategy<Vec<u8>> {
    let json = if method.starts_with("payments.") {
        prop_oneof![8 => transaction_object(), 1 => envelope(), 1 => value()].boxed()
    } else {
        prop_oneof![8 => envelope(), 1 => transaction_object(), 1 => value()].boxed()
    };
    prop_oneof![
        12 => json.clone().prop_map(|j| j.render().into_bytes()),
        1 => (json, any::<prop::sample::Index>(), any::<u8>(), any::<bool>()).prop_map(|(j, at, byte, cut)| {
            let mut bytes = j.render().into_bytes();
            let i = at.index(bytes.len().max(1)).min(bytes.len());
            if cut {
                bytes.truncate(i);
            } else if i < bytes.len() {
                bytes[i] = byte;
            }
            bytes
        }),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
    .boxed()
}

// ---------------------------------------------------------------- valid parameters

cached! {
    fn reference() -> String {
        prop::sample::select(REFERENCES).prop_map(str::to_owned)
    }
}

cached! {
    fn xact_id() -> String {
        prop::sample::select(XACT_IDS).prop_map(str::to_owned)
    }
}

cached! {
    fn amount() -> Value {
        prop_oneof![
            (1u64..10_000_000).prop_map(|k| json!(Money::from_kurus(k).unwrap().to_string())),
            prop::sample::select(vec!["10", "10.5", "0.01", "12.500"]).prop_map(|a| json!(a)),
        ]
    }
}

/// Valid parameters for `method`, in the shapes users send.
fn valid_params(method: &str) -> BoxedStrategy<Value> {
    match method {
        "payments.create" => (amount(), reference(), any::<bool>(), prop::option::of(0u32..=100))
            .prop_map(|(amount, reference_no, with_card, company_percent)| {
                let mut p = json!({"amount": amount, "reference_no": reference_no, "domain": "shop.example.com"});
                if let Some(percent) = company_percent {
                    let kurus = Money::parse(amount.as_str().unwrap()).unwrap().kurus();
                    p["company_amount"] = json!(Money::from_kurus(kurus * u64::from(percent) / 100).unwrap().to_string());
                }
                if with_card {
                    p["card"] = json!({"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "123", "holder_name": "TEST TEST"});
                } else {
                    p["card_hash"] = json!("ch_1");
                }
                p
            })
            .boxed(),
        "payments.charge" => (amount(), prop::option::of(reference()))
            .prop_map(|(amount, reference_no)| {
                let mut p = json!({"session_id": "ses_1", "token_id": "tok_1", "amount": amount});
                if let Some(r) = reference_no {
                    p["reference_no"] = json!(r);
                }
                p
            })
            .boxed(),
        "payments.capture" => (prop::option::of(xact_id()), prop::option::of(reference()), prop::option::of(amount()))
            .prop_map(|(xact_id, reference_no, amount)| {
                let mut p = json!({});
                match (xact_id, reference_no) {
                    (None, None) => p["xact_id"] = json!("xk_1"),
                    (x, r) => {
                        if let Some(x) = x {
                            p["xact_id"] = json!(x);
                        }
                        if let Some(r) = r {
                            p["reference_no"] = json!(r);
                        }
                    }
                }
                if let Some(a) = amount {
                    p["amount"] = a;
                }
                p
            })
            .boxed(),
        "transactions.check" | "transactions.lookup" => (prop::option::of(xact_id()), prop::option::of(reference()))
            .prop_map(|(xact_id, reference_no)| match (xact_id, reference_no) {
                (None, None) => json!({"reference_no": "ORD-1"}),
                (Some(x), None) => json!({"xact_id": x}),
                (None, Some(r)) => json!({"reference_no": r}),
                (Some(x), Some(r)) => json!({"xact_id": x, "reference_no": r}),
            })
            .boxed(),
        "reports.payment_list" => prop::sample::select(vec!["2020-02-05", "2026-12-02", "2024-02-29"])
            .prop_map(|d| json!({"date": d}))
            .boxed(),
        "reports.payment_list_range" => (prop::sample::select(vec!["2020-02-05", "2024-02-28"]), 0..40i64, prop::option::of(1..=16u32))
            .prop_map(|(start, days, concurrency)| {
                let start: chrono::NaiveDate = start.parse().unwrap();
                let end = start + chrono::Duration::days(days);
                match concurrency {
                    Some(n) => json!({"start": start.to_string(), "end": end.to_string(), "concurrency": n}),
                    None => json!({"start": start.to_string(), "end": end.to_string()}),
                }
            })
            .boxed(),
        "payments.cancel_pre_auth" => xact_id().prop_map(|x| json!({"xact_id": x})).boxed(),
        "payments.create_3d" => valid_params("payments.create")
            .prop_map(|mut p| {
                p["return_url"] = json!("https://shop.example.com/3d/return");
                p
            })
            .boxed(),
        "payments.complete_3d" => (xact_id(), reference()).prop_map(|(s, t)| json!({"session_id": s, "token_id": t})).boxed(),
        "payments.send_receipt_otp" => prop::sample::select(vec!["05321234567", "05000000000"]).prop_map(|n| json!({"phone_number": n})).boxed(),
        "pay_links.create" => (amount(), prop::option::of(reference()), any::<bool>())
            .prop_map(|(amount, reference_no, send_email)| {
                let mut p = json!({"name_surname": "TEST TEST", "amount": amount});
                if let Some(r) = reference_no {
                    p["reference_no"] = json!(r);
                }
                if send_email {
                    p["send_email"] = json!(true);
                    p["email"] = json!("payer@example.com");
                }
                p
            })
            .boxed(),
        "pay_links.retrieve" => reference().prop_map(|r| json!({"reference_no": r})).boxed(),
        "pay_links.update_status" => (reference(), prop::sample::select(vec!["awaiting_payment", "passive"]))
            .prop_map(|(r, status)| json!({"reference_no": r, "status": status}))
            .boxed(),
        "pay_links.list_page" => prop::option::of(1u32..=100)
            .prop_map(|limit| {
                let mut p = json!({"date_from": "2026-12-01", "date_to": "2026-12-02"});
                if let Some(limit) = limit {
                    p["limit"] = json!(limit);
                }
                p
            })
            .boxed(),
        "pay_links.verify_confirmation" | "pay_links.parse_confirmation" => (reference(), amount())
            .prop_map(|(r, amount)| json!({"body": json!({"referance_no": r, "amount": amount, "is_succeed": true}).to_string()}))
            .boxed(),
        "payments.cancel_capture" => xact_id().prop_map(|x| json!({"xact_id": x})).boxed(),
        "transactions.add_info" => xact_id().prop_map(|x| json!({"xact_id": x, "note": "gift wrap"})).boxed(),
        "refunds.create" => (xact_id(), prop::option::of(amount()))
            .prop_map(|(x, amount)| {
                let mut p = json!({"xact_id": x});
                if let Some(a) = amount {
                    p["amount"] = a;
                }
                p
            })
            .boxed(),
        "refunds.list_page" | "transactions.list_page" => prop::option::of(1u32..=100)
            .prop_map(|limit| {
                let mut p = json!({"date_from": "2026-12-01", "date_to": "2026-12-02"});
                if let Some(limit) = limit {
                    p["limit"] = json!(limit);
                }
                p
            })
            .boxed(),
        "transactions.retrieve" => (prop::option::of(xact_id()), prop::option::of(reference()))
            .prop_map(|(x, r)| match (x, r) {
                (Some(x), _) => json!({"xact_id": x}),
                (None, Some(r)) => json!({"reference_no": r}),
                (None, None) => json!({"id": 2049043}),
            })
            .boxed(),
        "transactions.mark_transferred" => (xact_id(), prop::option::of(amount()))
            .prop_map(|(x, amount)| {
                let mut p = json!({"xact_id": x, "document_no": "INV-1", "exchange_rate": "32.1045"});
                if let Some(a) = amount {
                    p["amount"] = a;
                }
                p
            })
            .boxed(),
        "transactions.slip" => xact_id().prop_map(|x| json!({"xact_id": x, "send_mail": true, "email": "a@example.com"})).boxed(),
        "transactions.update_escrow" => (xact_id(), prop::sample::select(vec!["approve", "reject"]))
            .prop_map(|(x, status)| json!({"xact_id": x, "status": status}))
            .boxed(),
        "transactions.upload_signature" => xact_id().prop_map(|x| json!({"xact_id": x, "image": {"$bytes": "R0lGODlhAQABAAAAACw="}})).boxed(),
        "cards.save" => (any::<bool>(), prop::option::of(reference()))
            .prop_map(|(first, otp)| {
                let mut p = json!({
                    "card": {"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "123", "holder_name": "TEST TEST"},
                    "card_desc": "My card",
                });
                p[if first { "user_unique_id" } else { "card_owner_id" }] = json!("customer-1");
                if let Some(o) = otp {
                    p["otp_session_id"] = json!(o);
                }
                p
            })
            .boxed(),
        "cards.list_page" => prop::option::of(1u32..=100)
            .prop_map(|limit| {
                let mut p = json!({"card_owner_id": "2ce0bd9d-aeb3-4af0-9dd6-cf294e72f9cb"});
                if let Some(limit) = limit {
                    p["limit"] = json!(limit);
                }
                p
            })
            .boxed(),
        "cards.delete" => reference().prop_map(|h| json!({"card_owner_id": "owner-1", "card_hash": h})).boxed(),
        "cards.update_description" => reference().prop_map(|h| json!({"card_owner_id": "owner-1", "card_hash": h, "card_desc": "Work"})).boxed(),
        "cards.send_otp" => reference().prop_map(|s| json!({"user_gsm": "5321234567", "otp_session_id": s})).boxed(),
        "cards.check_otp" => reference().prop_map(|s| json!({"otp_code": "123456", "otp_session_id": s, "user_gsm": "5321234567"})).boxed(),
        "ratios.get" | "ratios.instalment_table" => (amount(), prop::option::of(prop::sample::select(vec!["435508", "450803"])), any::<bool>())
            .prop_map(|(amount, bin, add)| {
                let mut p = json!({"amount": amount, "add_commission": add});
                if let Some(b) = bin {
                    p["bin"] = json!(b);
                }
                p
            })
            .boxed(),
        "ratios.set_type" => prop::option::of(prop::sample::select(vec!["RT0001", "CAMP"]))
            .prop_map(|code| {
                let mut p = json!({"description": "Campaign", "is_cumulative": true});
                if let Some(c) = code {
                    p["ratio_code"] = json!(c);
                }
                p
            })
            .boxed(),
        "ratios.delete_type" => prop::sample::select(vec!["RT0001", "CAMP"]).prop_map(|c| json!({"ratio_code": c})).boxed(),
        "ratios.define" => (any::<bool>(), prop::sample::select(vec!["0.01", "-0.0125", "0"]))
            .prop_map(|(blocked, ratio)| {
                json!({"ratio_code": "RT0001", "card_type": "cc", "banks": [
                    {"bank_id": "AXSS", "is_blocked": blocked, "instalments": [{"instalment": 3, "ratio": ratio}]}
                ]})
            })
            .boxed(),
        "ratios.get_public" => valid_params("ratios.get"),
        "agents.autologin" => Just(json!({"user_name": "bayi.kullanici", "agent_id": "20077"})).boxed(),
        "agents.login" => Just(json!({"user_name": "bayi.kullanici", "password": "Bayi.Sifre.1", "agent_id": "20077", "pushtoken_id": "device-1"})).boxed(),
        "agents.check_agent" => prop::sample::select(vec!["987345", "123456"]).prop_map(|r| json!({"agent_reference_no": r})).boxed(),
        "agents.limit_info" => prop::option::of(Just("20077"))
            .prop_map(|agent| agent.map_or_else(|| json!({}), |a| json!({"agent_id": a})))
            .boxed(),
        "agents.check_integration_info" => Just(json!({"agent_id": "20077", "publishable_key": "pbk_a", "secret_key": "sck_a"})).boxed(),
        "subscriptions.create" => (amount(), reference(), prop::sample::select(vec!["daily", "weekly", "monthly", "yearly"]), 1u32..=24)
            .prop_map(|(amount, reference_no, interval, count)| {
                json!({"name_surname": "TEST TEST", "amount": amount, "interval": interval, "interval_count": count,
                       "begin_date": "2031-01-15", "reference_no": reference_no, "end_user_email": "a@example.com",
                       "end_user_gsm": "5321234567", "end_user_desc": "plan"})
            })
            .boxed(),
        "subscriptions.retrieve" | "subscriptions.send_again" | "subscription_cards.list" => {
            reference().prop_map(|r| json!({"reference_no": r})).boxed()
        }
        "subscriptions.list_page" => prop::option::of(1u32..=100)
            .prop_map(|limit| match limit {
                Some(limit) => json!({"limit": limit}),
                None => json!({}),
            })
            .boxed(),
        "subscriptions.update_status" => (reference(), prop::sample::select(vec!["active", "passive", "cancelled"]))
            .prop_map(|(r, status)| json!({"reference_no": r, "status": status}))
            .boxed(),
        "subscription_invoices.update_amount" => (reference(), amount())
            .prop_map(|(r, amount)| json!({"reference_no": r, "invoice_no": 2, "amount": amount}))
            .boxed(),
        "subscriptions.update_amount" => (reference(), amount()).prop_map(|(r, amount)| json!({"reference_no": r, "amount": amount})).boxed(),
        "subscription_invoices.create" => (reference(), amount())
            .prop_map(|(r, amount)| json!({"reference_no": r, "due_date": "2031-05-01", "amount": amount}))
            .boxed(),
        "subscription_invoices.list_page" => (reference(), prop::option::of(1u32..=100))
            .prop_map(|(r, limit)| {
                let mut p = json!({"reference_no": r});
                if let Some(limit) = limit {
                    p["limit"] = json!(limit);
                }
                p
            })
            .boxed(),
        "subscription_invoices.charge" => (reference(), prop::option::of(1u32..=12))
            .prop_map(|(r, invoice_no)| {
                let mut p = json!({"reference_no": r});
                if let Some(n) = invoice_no {
                    p["invoice_no"] = json!(n);
                }
                p
            })
            .boxed(),
        "subscription_invoices.update_status" => (reference(), prop::sample::select(vec!["waiting", "external_charged", "cancelled", "deleted"]))
            .prop_map(|(r, status)| json!({"reference_no": r, "invoice_no": 1, "status": status}))
            .boxed(),
        "subscription_invoices.update_all_statuses" => (reference(), prop::sample::select(vec!["waiting", "cancelled"]))
            .prop_map(|(r, status)| json!({"reference_no": r, "status": status}))
            .boxed(),
        "subscription_cards.update_label" => reference().prop_map(|r| json!({"reference_no": r, "card_id": 1001, "label": "work"})).boxed(),
        "subscription_cards.delete" | "subscription_cards.link" => reference().prop_map(|r| json!({"reference_no": r, "card_id": 1001})).boxed(),
        "subscription_cards.arrange" => reference().prop_map(|r| json!({"reference_no": r, "card_ids": [1002, 1001]})).boxed(),
        "subscription_cards.add_3d" => reference()
            .prop_map(|r| {
                json!({"reference_no": r, "return_url": "https://shop.example/r",
                       "card": {"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "123", "holder_name": "TEST TEST"}})
            })
            .boxed(),
        "subscription_cards.complete_add_3d" => (xact_id(), reference()).prop_map(|(s, t)| json!({"session_id": s, "token_id": t})).boxed(),
        "memberships.create" => prop::sample::select(vec!["5321234567", "5000000000"])
            .prop_map(|gsm| {
                json!({"contact_gsm_no": gsm, "contact_name": "Ayşe", "contact_surname": "Yılmaz",
                       "contact_mail": "a@example.com", "company_name": "Bayi 1", "agent_reference": "B1"})
            })
            .boxed(),
        "memberships.retrieve" => reference().prop_map(|r| json!({"agent_reference": r})).boxed(),
        "memberships.document_types" => prop::sample::select(vec!["individual", "commercial"]).prop_map(|t| json!({"form_type": t})).boxed(),
        "memberships.all_document_types" => Just(json!({})).boxed(),
        other => panic!("no valid parameters known for {other}: add them to properties.rs"),
    }
}

/// Half of the answers 2xx, so that the decoders behind them get their share.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![prop::sample::select(&STATUSES[..3]), prop::sample::select(STATUSES)]
}

/// A method, valid parameters for it, a status and a body.
fn answer_case() -> impl Strategy<Value = (&'static str, Value, u16, Vec<u8>)> {
    prop::sample::select(METHODS)
        .prop_flat_map(|method| (Just(method), valid_params(method), status(), body(method)))
}

// ---------------------------------------------------------------- invariants

fn text_of(v: &Value) -> Option<&str> {
    v.as_str()
}

/// What must hold of any answer, whatever it says. Returns the reason it failed.
fn answer_invariants(
    method: &str,
    params: &Value,
    status: u16,
    body: &[u8],
    result: &Result<Value, paynet_core::Error>,
) -> Result<(), String> {
    let ok_status = (200..300).contains(&status);
    let money = MONEY_MOVING.contains(&method);
    match result {
        Ok(v) => {
            let not_found = method == "transactions.lookup" && v.is_null();
            let believed_not_found = not_found && status == 404;
            if !(ok_status || believed_not_found) {
                return Err(format!("HTTP {status} read as a success: {v}"));
            }
            if money {
                if v["is_succeed"] != json!(true) {
                    return Err(format!("a success without is_succeed == true: {v}"));
                }
                match text_of(&v["xact_id"]) {
                    Some(id) if !id.trim().is_empty() => {}
                    _ => return Err(format!("a success without a non-empty xact_id: {:?}", v["xact_id"])),
                }
                // What a `Transaction` requires.
                if !(v["amount"].is_string() && v["xact_date"].is_string()) {
                    return Err(format!("a success without its amount and xact_date: {v}"));
                }
            }
            // An answer about a transaction must be about the one asked for.
            let sent_reference = text_of(&params["reference_no"]);
            let asked_by_reference = match method {
                "transactions.check" => params.get("xact_id").is_none(),
                "reports.payment_list" | "reports.payment_list_range" => false,
                _ => true,
            };
            if let (true, Some(sent), Some(echoed)) = (asked_by_reference, sent_reference, text_of(&v["reference_no"]))
                && sent != echoed
            {
                return Err(format!("answer about reference_no {echoed:?} accepted for {sent:?}"));
            }
            // A lookup asks by reference when it has one, by id otherwise.
            let asked_by_id = method == "transactions.check" || (method == "transactions.lookup" && sent_reference.is_none());
            if let (true, Some(asked), Some(got)) = (asked_by_id, text_of(&params["xact_id"]), text_of(&v["xact_id"]))
                && asked != got
            {
                return Err(format!("answer about xact_id {got:?} accepted for {asked:?}"));
            }
        }
        Err(e) => {
            let unsure = (300..400).contains(&status) || status >= 500 || status == 429;
            if money && unsure && e.kind != ErrorKind::UnknownOutcome {
                return Err(format!("HTTP {status} on {method} is {} ({e}), not unknown_outcome", e.kind));
            }
            if e.kind == ErrorKind::Internal {
                return Err(format!("an internal error: {e}"));
            }
            // A remedy names the call's own identifiers, never a placeholder for a
            // missing one (unless the answer's own text, which errors quote, has it).
            let quoted = String::from_utf8_lossy(body);
            let placeholder = ["{}", "{ids}"].iter().any(|p| e.message.contains(p) && !quoted.contains(p));
            if e.message.contains("this one") || placeholder {
                return Err(format!("a remedy with an unfilled identifier: {e}"));
            }
        }
    }
    Ok(())
}

/// The text of a money field in a wire body, if it is there.
fn wire_money(body: &Map<String, Value>, key: &str) -> Option<String> {
    body.get(key).map(|v| match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn plain_decimal(text: &str, point: char, max_decimals: usize) -> bool {
    let (whole, fraction) = text.split_once(point).unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && (!text.contains(point) || (digits(fraction) && fraction.len() <= max_decimals))
}

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

/// The amount the user gave, as text (a string or a number token).
fn given_amount(params: &Value, key: &str) -> Option<Money> {
    let text = match params.get(key)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Money::parse(&text).ok()
}

fn prepare_invariants(client: &Client, comma: bool, method: &str, params: &Value) -> Result<(), String> {
    let Ok(prepared) = client.prepare_value(method, params.clone()) else { return Ok(()) };
    if let Some(text) = control_character_in(&prepared.body) {
        return Err(format!("a control character on the wire: {text:?}"));
    }
    // A bare body (check_agent's string) has no fields to check further.
    let Value::Object(body) = &prepared.body else { return Ok(()) };
    let money_fields: &[&str] = match method {
        "payments.create" => &["amount", "company_amount"],
        "payments.charge" | "payments.capture" => &["amount"],
        _ => &[],
    };
    if method == "payments.create" && !body.contains_key("amount") {
        return Err("payments.create without an amount".to_owned());
    }
    for field in money_fields {
        let Some(wire) = wire_money(body, field) else { continue };
        let given = given_amount(params, field).ok_or_else(|| format!("{field} accepted although Money::parse refuses it"))?;
        let read_back = match (method, comma) {
            ("payments.create", false) if plain_decimal(&wire, '.', 2) && body[*field].is_number() => Money::parse(&wire).ok(),
            ("payments.create", true) if plain_decimal(&wire, ',', 2) && body[*field].is_string() => {
                Money::parse(&wire.replace(',', ".")).ok()
            }
            (_, _) if method != "payments.create" && plain_decimal(&wire, '.', 0) && body[*field].is_string() => {
                wire.parse::<u64>().ok().and_then(|k| Money::from_kurus(k).ok())
            }
            _ => return Err(format!("{method} sends {field} as {}, not a plain decimal with at most 2 decimals", body[*field])),
        };
        if read_back != Some(given) {
            return Err(format!("{method} sends {field} {wire} for {given}"));
        }
    }
    Ok(())
}

fn plain_number_syntax(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    plain_decimal(unsigned, '.', usize::MAX)
}

// ---------------------------------------------------------------- parameters to prepare

/// Every parameter name of every method, a few misspelt.
const PARAM_KEYS: &[&str] = &[
    "amount", "reference_no", "domain", "card", "card_hash", "card_owner_id", "transaction_type", "installment",
    "description", "card_holder_phone", "card_holder_mail", "agent_id", "company_amount", "add_commission", "ratio_code",
    "save_card", "card_desc", "user_unique_id", "user_gsm_no", "session_id", "token_id", "installments",
    "no_installment", "tds_required", "is_escrow", "agent_customer_name", "iban", "xact_id", "xact", "date",
    "instalment", "Amount", "amount ", "",
];

fn param_value(name: &str) -> BoxedStrategy<Json> {
    by_name("param", name, build_param_value)
}

/// Values aimed at what a parameter means, mixed with anything at all.
fn build_param_value(name: &str) -> BoxedStrategy<Json> {
    let pick = |items: Vec<Json>| prop::sample::select(items).boxed();
    let specific = match name {
        "amount" | "company_amount" => prop_oneof![
            pick(vec![
                s("10"), s("12.5"), s("12.50"), s("12.500"), s("12.501"), s("0"), s("0.00"), s("-0"), s("-1"), s("1e2"),
                s("1E2"), s(" 1"), s("1 "), s("1."), s(".5"), s("+1"), s("1,5"), s("99999999.99"), s("100000000"),
                s("000000000000000000000012.10"), s("1.0000000000000000000000000000000000001"), s("٣"), s("１"),
                n("10"), n("12.5"), n("12.50"), n("1e2"), n("0.1"), n("0.30000000000000004"), n("1e-2"), n("-0"),
                n("99999999.99"), n("1E400"), n("12.500"), s("NaN"), s("Infinity"),
            ]),
            regex("-?[0-9]{1,10}(\\.[0-9]{0,4})?").prop_map(Json::Text),
            number_text().prop_map(Json::Number),
        ]
        .boxed(),
        "card" => prop_oneof![
            pick(vec![
                Json::Object(vec![
                    ("number".into(), s("4355084355084358")), ("exp_month".into(), n("12")), ("exp_year".into(), n("2045")),
                    ("cvc".into(), s("123")), ("holder_name".into(), s("TEST TEST")),
                ]),
                Json::Object(vec![
                    ("number".into(), s("4355 0843 5508 4358")), ("exp_month".into(), s("08")), ("exp_year".into(), n("45")),
                    ("cvc".into(), s(" 1234 ")), ("holder_name".into(), s("Özkan\u{0}")),
                ]),
                Json::List(vec![s("4355084355084358"), n("12"), n("2045"), s("123"), s("A B")]),
                s("4355084355084358|12|2045|123"),
            ]),
            prop::collection::vec(
                (prop::sample::select(vec!["number", "exp_month", "exp_year", "cvc", "holder_name", "pan"]).prop_map(str::to_owned), scalar()),
                0..6
            )
            .prop_map(Json::Object),
        ]
        .boxed(),
        "transaction_type" => pick(vec![s("sale"), s("pre_auth"), s("capture"), n("1"), s("3")]),
        "save_card" | "add_commission" | "no_installment" | "tds_required" | "is_escrow" => {
            pick(vec![Json::Bool(true), Json::Bool(false), s("true"), n("1"), Json::Null])
        }
        "card_owner_id" | "user_unique_id" | "card_desc" | "ratio_code" | "agent_id" | "card_holder_phone" | "user_gsm_no"
        | "agent_customer_name" | "card_holder_mail" => pick(vec![
            s("u_1"), s("My card"), s("5551234567"), s(""), s(" "), s("\u{1b}[31m"), s("x".repeat(101).as_str()), Json::Null,
        ]),
        "installment" | "xact" => pick(vec![n("0"), n("1"), n("2"), n("12"), n("13"), n("-1"), n("4294967296"), s("3"), n("3.0")]),
        "installments" => prop::collection::vec(number_text().prop_map(Json::Number), 0..4).prop_map(Json::List).boxed(),
        "iban" => pick(vec![s("TR330006100519786457841326"), s("TR33 0006 1005 1978 6457 8413 26"), s("TR33\u{a0}0006100519786457841326"), s("TR٣٣0006100519786457841326"), s("DE330006100519786457841326")]),
        "date" => pick(vec![s("2020-02-05"), s("2020-02-30"), s("+10000-01-01"), s("-0001-01-01"), s("05.02.2020"), s("2020-02-05T00:00:00"), s("")]),
        "reference_no" | "domain" | "session_id" | "token_id" | "card_hash" | "xact_id" | "description" | "holder_name" => prop_oneof![
            reference().prop_map(Json::Text),
            pick(vec![s(""), s(" "), s("a\tb"), s("a\r\nb"), s("\u{0}"), s("\u{85}"), s("\u{7f}"), s("\u{2028}"), s("x".repeat(51).as_str()), s("Ö".repeat(50).as_str())]),
        ]
        .boxed(),
        _ => return value(),
    };
    prop_oneof![3 => specific, 1 => value()].boxed()
}

/// Parameters for `method`: mostly a valid set with a few keys changed,
/// added or removed; sometimes any JSON at all.
fn params_case() -> impl Strategy<Value = (&'static str, Value)> {
    prop::sample::select(METHODS).prop_flat_map(|method| {
        // A method without parameters (`memberships.all_document_types`) gets others' keys only.
        let keys = method_keys(method);
        let own = prop::sample::select(if keys.is_empty() { PARAM_KEYS } else { keys });
        let edit = (prop_oneof![4 => own, 1 => prop::sample::select(PARAM_KEYS)], prop::bool::weighted(0.2)).prop_flat_map(
            |(key, remove)| (Just(key), if remove { Just(None).boxed() } else { param_value(key).prop_map(Some).boxed() }),
        );
        let edited = (valid_params(method), prop::collection::vec(edit, 0..4)).prop_map(|(mut p, edits)| {
            let fields = p.as_object_mut().unwrap();
            for (key, value) in edits {
                match value {
                    Some(v) => fields.insert(key.to_owned(), v.to_value()),
                    None => fields.remove(key),
                };
            }
            p
        });
        (Just(method), prop_oneof![6 => edited, 1 => value().prop_map(|j| j.to_value())])
    })
}

/// The parameters `method` takes, from its declaration (the spec).
fn method_keys(method: &str) -> &'static [&'static str] {
    static KEYS: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
        let spec = paynet_core::spec::spec();
        spec.methods
            .iter()
            .map(|m| {
                let params = spec.structs.iter().find(|s| s.name == m.params).expect("a method's params are in the spec");
                (m.name, params.fields.iter().map(|f| f.name).collect())
            })
            .collect()
    });
    KEYS.get(method).map(Vec::as_slice).unwrap_or_else(|| panic!("{method} is not in the spec"))
}

cached! {
    /// Texts for `Money::parse`: amount-shaped ones near every rule's edge, and anything.
    fn money_text() -> String {
        prop_oneof![
            3 => regex("-?[0-9]{0,12}(\\.[0-9]{0,6})?"),
            2 => regex("[-+0-9.eE ,]{0,16}"),
            1 => regex("-?0{0,40}[0-9]{0,10}(\\.[0-9]{0,3}0{0,40})?"),
            1 => regex("\\PC{0,12}"),
            1 => regex(".{0,12}"),
            1 => number_text(),
            1 => (1u64..=9_999_999_999).prop_map(|k| Money::from_kurus(k).unwrap().to_string()),
        ]
    }
}

// ---------------------------------------------------------------- the properties

// Case counts: 3 to 6 s for the whole file under the `ci` profile on a shared
// 2-core machine (the three run side by side). Each run draws new cases;
// PROPTEST_RNG_SEED=<n> replays one run's.
proptest! {
    #![proptest_config(config(4000))]

    /// Any answer to any method: no panic, no success that moves money
    /// without a transaction id, none about another reference, none from an
    /// error status; a money-moving call answered 3xx/5xx/429 is unknown_outcome.
    #[test]
    fn answers_are_read_safely((method, params, status, body) in answer_case()) {
        let result = CLIENT.read_answer(method, params.clone(), status, &body);
        if let Err(why) = answer_invariants(method, &params, status, &body, &result) {
            prop_assert!(false, "{method} {params} HTTP {status} body {:?}: {why}", String::from_utf8_lossy(&body));
        }
    }
}

proptest! {
    #![proptest_config(config(3000))]

    /// Any parameters to any method: no panic; what would be sent has its
    /// amounts as plain decimals (or kuruş) equal to what was given, and no
    /// control character in any string.
    #[test]
    fn parameters_are_encoded_safely((method, params) in params_case()) {
        for (client, comma) in [(&*CLIENT, false), (&*COMMA_CLIENT, true)] {
            if let Err(why) = prepare_invariants(client, comma, method, &params) {
                prop_assert!(false, "{method} {params}: {why}");
            }
        }
    }
}

proptest! {
    #![proptest_config(config(5000))]

    /// Any text to `Money::parse`: no panic; what it accepts is a plain
    /// decimal, has at most 2 decimals, keeps its value, and round-trips.
    #[test]
    fn money_parses_exactly(text in money_text()) {
        if let Ok(m) = Money::parse(&text) {
            prop_assert!(plain_number_syntax(&text), "{text:?} accepted as {m}");
            prop_assert!(m.as_decimal().scale() <= 2, "{text:?} read as {m:?} with scale {}", m.as_decimal().scale());
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m), "{:?} does not round-trip", text);
            if text.len() < 28 {
                let exact: rust_decimal::Decimal = text.parse().unwrap();
                prop_assert_eq!(exact.normalize(), m.as_decimal().normalize(), "{:?} changed value", text);
            }
        }
    }
}

/// The strategies above must know valid parameters for every method a
/// binding can call: a method added to the registry fails here until it is added.
#[test]
fn every_method_has_valid_parameters() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for method in METHODS {
        let params = valid_params(method).new_tree(&mut runner).unwrap().current();
        CLIENT.prepare_value(method, params.clone()).unwrap_or_else(|e| panic!("{method} {params}: {e}"));
    }
}

/// Found by these properties: a success whose `xact_id` was an object or a
/// list was believed, with an empty `xact_id`.
#[test]
fn a_nested_xact_id_is_no_xact_id() {
    let params = json!({"amount": "0.01", "card_hash": "ch_1", "domain": "shop.example.com", "reference_no": "ORD-1"});
    for body in [r#"{"is_succeed":true,"xact_id":{}}"#, r#"{"is_succeed":true,"xact_id":[]}"#] {
        let result = CLIENT.read_answer("payments.create", params.clone(), 200, body.as_bytes());
        assert_eq!(answer_invariants("payments.create", &params, 200, body.as_bytes(), &result), Ok(()), "{body}");
    }
}

/// Found by these properties: a lookup answered HTTP 429 or 5xx with result
/// code 12 was read as "no such transaction", "it did not happen".
#[test]
fn a_lookup_refused_for_load_is_not_a_not_found() {
    let params = json!({"reference_no": "ORD-1"});
    for status in [429, 500, 502, 503] {
        for body in [r#"{"code":"12"}"#, r#"{"result_code":12,"message":"no data"}"#] {
            let result = CLIENT.read_answer("transactions.lookup", params.clone(), status, body.as_bytes());
            assert!(result.is_err(), "HTTP {status} {body}: {result:?}");
        }
    }
}

/// Found by these properties: a check by reference whose row echoes only an
/// `agent_reference` (which `add_info` may have changed) returned that note
/// as the transaction's `reference_no`, naming another order.
#[test]
fn a_changed_agent_reference_does_not_rename_the_order() {
    let params = json!({"reference_no": "ORD-1"});
    for method in ["transactions.check", "transactions.lookup"] {
        let body = r#"{"Data":[{"agent_reference":"renamed","xact_id":"X1","is_succeed":true}]}"#;
        let result = CLIENT.read_answer(method, params.clone(), 200, body.as_bytes());
        assert_eq!(answer_invariants(method, &params, 200, body.as_bytes(), &result), Ok(()), "{method}");
        let tx = result.expect("a row about the order");
        assert_eq!(tx["reference_no"], "ORD-1", "{method}: {tx}");
    }
}
