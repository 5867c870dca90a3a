//! Ratios (`v1/ratio/*`, paynet-api.md §3.4, §5.7): the commission table per bank and
//! instalment count, and the merchant's ratio types. A type defined with `set_type` and
//! `define` changes what `Get` answers for its `ratio_code` and the commission of every
//! later payment naming it; its blocked banks and counts are refused at payment.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::responses::{MSG_OK, done};
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::cards::{self, Bank};
use crate::ledger;
use crate::money::{self, RATIO_TABLE, Ratio, Tl};
use crate::wire::{ApiError, ApiResult, Fields, parse_object};

/// Paynet's `ratio_code_not_found` (client enums; not in the docs' table).
const RATIO_CODE_NOT_FOUND: i32 = 23;
/// Paynet's `wrongratioget`.
const WRONG_RATIO_GET: i32 = 21;

/// The banks `Get` lists without a `bin`: one per test-card bank, other banks last.
const BANKS: [&str; 8] = [
    "4355084355084358", // AXSS
    "5456165456165454", // FINS
    "4506347011448053", // WRLD
    "4508034508034509", // MAXM
    "4282209004348015", // BONS
    "4090700102323514", // DENZ
    "4531444531442283", // PARF
    "4446760701569538", // ZDGR
];

fn banks() -> Vec<Bank> {
    BANKS.iter().map(|pan| cards::bank_for(pan)).collect()
}

/// One bank's part of a ratio type: blocked, or per count blocked / a ratio.
#[derive(Debug, Clone, Default)]
struct BankRule {
    blocked: bool,
    /// instalment → (blocked, ratio in basis points; for a cumulative type ± on Paynet's).
    instalments: HashMap<i64, (bool, i64)>,
}

#[derive(Debug, Clone)]
pub struct RatioType {
    is_default: bool,
    is_cumulative: bool,
    /// card_type → bank_id → rule.
    rules: HashMap<String, HashMap<String, BankRule>>,
}

#[derive(Default)]
pub struct RatioTypes {
    types: HashMap<String, RatioType>,
    created: u32,
}

impl RatioTypes {
    /// The type a payment uses: the one it names, else the merchant's default, else none.
    fn chosen(&self, ratio_code: &str) -> ApiResult<Option<&RatioType>> {
        if ratio_code.is_empty() {
            return Ok(self.types.values().find(|t| t.is_default));
        }
        self.types.get(ratio_code).map(Some).ok_or_else(|| {
            ApiError::invalid_rc(
                RATIO_CODE_NOT_FOUND,
                format!("ratio_code bulunamadı (no ratio type {ratio_code})"),
            )
        })
    }

    /// The ratio (basis points) for `bank` and `instalment` under `ratio_code`; `None`
    /// when the type blocks it.
    fn ratio(&self, ratio_code: &str, bank: &str, instalment: i64) -> ApiResult<Option<u32>> {
        let base = i64::from(super::payment::ratio(instalment)?);
        let Some(t) = self.chosen(ratio_code)? else {
            return Ok(Some(base as u32));
        };
        let rule = t.rules.get("cc").and_then(|banks| banks.get(bank));
        if rule.is_some_and(|r| r.blocked) {
            return Ok(None);
        }
        match rule.and_then(|r| r.instalments.get(&instalment)) {
            Some((true, _)) => Ok(None),
            Some((false, bp)) if t.is_cumulative => Ok(Some((base + bp).max(0) as u32)),
            Some((false, bp)) => Ok(Some(*bp as u32)),
            None if t.is_cumulative => Ok(Some(base as u32)),
            // A net type shows only what it defines: 0 where nothing is set.
            None => Ok(Some(0)),
        }
    }
}

/// The ratio of a payment with this card, instalment count and `ratio_code`; a blocked
/// bank or count is refused. What every payment path calls.
pub fn payment_ratio(s: &Shared, pan: &str, ratio_code: &str, instalment: i64) -> ApiResult<u32> {
    let bank = cards::bank_for(pan);
    let l = ledger::lock(&s.ledger);
    l.ratio_types
        .ratio(ratio_code, bank.id, instalment)?
        .ok_or_else(|| {
            ApiError::invalid_rc(
                WRONG_RATIO_GET,
                format!(
                    "Bu banka/taksit bu oran tipinde kapalı (the ratio type blocks {} with {instalment} instalments)",
                    bank.name
                ),
            )
        })
}

#[derive(Serialize)]
struct Option_ {
    ratio: Ratio,
    instalment_key: String,
    instalment: i64,
    instalment_amount: Tl,
    total_net_amount: Tl,
    total_amount: Tl,
    commision: Tl,
    commision_tax: Tl,
    desc: String,
    ratio_code: String,
}

#[derive(Serialize)]
struct BankRow {
    bank_id: &'static str,
    bank_logo: String,
    bank_name: &'static str,
    card_type: &'static str,
    tds_required: bool,
    ratio: Vec<Option_>,
}

#[derive(Serialize)]
struct RatioAnswer {
    tds_required: bool,
    object_name: &'static str,
    code: i32,
    message: &'static str,
    data: Vec<BankRow>,
}

/// `1.234,56`-free Turkish form of kuruş: `10,37`.
fn comma(kurus: i64) -> String {
    format!("{},{:02}", kurus / 100, kurus % 100)
}

/// `amount` as the clients send it (kuruş digits in a string) or as the old docs
/// (a decimal number of TL).
fn amount(f: &Fields<'_>, map: &serde_json::Map<String, Value>) -> ApiResult<Option<i64>> {
    match map.get("amount") {
        Some(Value::Number(_)) => f.amount_tl("amount"),
        _ => f.amount_x100("amount"),
    }
}

pub async fn get(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| table(&s, &map)))
}

/// `Get` with the publishable key (`Get_public`), which the reference does not say how
/// to send: both are taken, `Authorization: Basic pbk_…` and a `publishable_key` body
/// field (as Paynet.js sends it), and the secret key in the header. No key, or a wrong
/// one, is a 401.
pub async fn get_public(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|mut map| {
        let in_body = match map.remove("publishable_key") {
            Some(Value::String(key)) => Some(key == s.publishable_key),
            Some(_) => Some(false),
            None => None,
        };
        // The secret key opens it too, as it opens the Paynet.js session.
        let in_header = headers
            .contains_key(header::AUTHORIZATION)
            .then(|| super::authorized(&headers, &s.publishable_key) || super::authorized(&headers, &s.config.secret_key));
        match (in_body, in_header) {
            (Some(true), None | Some(true)) | (None, Some(true)) => table(&s, &map),
            _ => Err(ApiError::unauthorized()),
        }
    }))
}

fn table(s: &Shared, map: &serde_json::Map<String, Value>) -> ApiResult<Response> {
    {
        let f = Fields::new(map);
        let requested = amount(&f, map)?.unwrap_or(0);
        let add = f.bool("addcomission_to_amount")?.unwrap_or(false);
        let ratio_code = f.string("ratio_code", 8)?.unwrap_or_default();
        let banks = match f.string("bin", 6)? {
            Some(bin) if bin.len() == 6 && bin.bytes().all(|b| b.is_ascii_digit()) => {
                vec![cards::bank_for(&bin)]
            }
            Some(_) => return Err(ApiError::invalid("bin 6 haneli olmalı (bin must be 6 digits)")),
            None => banks(),
        };
        let l = ledger::lock(&s.ledger);
        let types = &l.ratio_types;
        types.chosen(&ratio_code)?;
        let mut data = Vec::new();
        for bank in banks {
            let mut options = Vec::new();
            for (instalment, _) in RATIO_TABLE {
                let Some(bp) = types.ratio(&ratio_code, bank.id, instalment)? else {
                    continue;
                };
                let split = money::split(requested, bp, add);
                let count = instalment.max(1);
                let each = (split.amount + count / 2) / count;
                let desc = if instalment == 0 {
                    format!("Tek Çekim {} TL", comma(split.amount))
                } else {
                    format!("{instalment} Taksit {instalment} x {} = {} TL", comma(each), comma(split.amount))
                };
                options.push(Option_ {
                    ratio: Ratio(bp),
                    instalment_key: format!("ji_{}{instalment}", bank.id),
                    instalment,
                    instalment_amount: Tl(each),
                    total_net_amount: Tl(split.net),
                    total_amount: Tl(split.amount),
                    commision: Tl(split.commission),
                    commision_tax: Tl(split.tax),
                    desc,
                    ratio_code: ratio_code.clone(),
                });
            }
            if options.is_empty() {
                continue;
            }
            data.push(BankRow {
                bank_id: bank.id,
                bank_logo: cards::logo_url(&bank),
                bank_name: bank.name,
                card_type: "cc",
                tds_required: false,
                ratio: options,
            });
        }
        Ok(json_ok(&RatioAnswer {
            tds_required: false,
            object_name: "ratio_get",
            code: 0,
            message: MSG_OK,
            data,
        }))
    }
}

#[derive(Serialize)]
struct TypeAnswer {
    ratio_code: String,
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

pub async fn set_type(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        // Required, and shown only in Paynet's panel.
        f.required_string("description", 100)?;
        let is_default = f.bool("is_default")?.unwrap_or(false);
        let is_cumulative = f.bool("is_cumulative")?.unwrap_or(true);
        let mut l = ledger::lock(&s.ledger);
        let types = &mut l.ratio_types;
        let code = match f.string("ratio_code", 8)? {
            Some(code) => {
                let Some(t) = types.types.get_mut(&code) else {
                    return Err(ApiError::invalid_rc(
                        RATIO_CODE_NOT_FOUND,
                        format!("ratio_code bulunamadı (no ratio type {code})"),
                    ));
                };
                t.is_default = is_default;
                t.is_cumulative = is_cumulative;
                code
            }
            None => {
                types.created += 1;
                let code = format!("RT{:04}", types.created);
                types.types.insert(
                    code.clone(),
                    RatioType {
                        is_default,
                        is_cumulative,
                        rules: HashMap::new(),
                    },
                );
                code
            }
        };
        if is_default {
            for (other, t) in types.types.iter_mut() {
                t.is_default = *other == code;
            }
        }
        Ok(json_ok(&TypeAnswer {
            ratio_code: code,
            object_name: "ratio_set_type",
            code: 0,
            message: MSG_OK,
        }))
    }))
}

pub async fn delete_type(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let code = f.required_string("ratio_code", 8)?;
        let mut l = ledger::lock(&s.ledger);
        if l.ratio_types.types.remove(&code).is_none() {
            return Err(ApiError::invalid_rc(
                RATIO_CODE_NOT_FOUND,
                format!("ratio_code bulunamadı (no ratio type {code})"),
            ));
        }
        Ok(json_ok(&done("ratio_delete_type")))
    }))
}

/// A ratio of `define` (a fraction such as `0.0125`) in basis points.
fn basis_points(v: &Value, cumulative: bool) -> ApiResult<i64> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Null => return Ok(0),
        _ => return Err(ApiError::invalid("ratio sayı olmalı (ratio must be a number)")),
    };
    let (sign, digits) = match text.trim().strip_prefix('-') {
        Some(rest) => (-1, rest.to_owned()),
        None => (1, text.trim().to_owned()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    let frac = format!("{frac:0<4}");
    let bp = match (whole.parse::<i64>(), frac.get(..4).map(str::parse::<i64>)) {
        (Ok(w), Some(Ok(f))) if frac[4..].bytes().all(|b| b == b'0') => sign * (w * 10_000 + f),
        _ => return Err(ApiError::invalid("ratio geçersiz (ratio must have at most 4 decimals)")),
    };
    let range = if cumulative { -2000..=2000 } else { 0..=2000 };
    if !range.contains(&bp) {
        return Err(ApiError::invalid(
            "ratio kümülatif tipte -0.20..0.20, net tipte 0..0.20 olmalı (ratio out of range)",
        ));
    }
    Ok(bp)
}

pub async fn define(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let code = f.required_string("ratio_code", 8)?;
        let card_type = f.string("card_type", 2)?.unwrap_or_else(|| "cc".to_owned());
        if !["cc", "dc", "bc"].contains(&card_type.as_str()) {
            return Err(ApiError::invalid("card_type cc, dc veya bc olmalı (card_type must be cc, dc or bc)"));
        }
        let Some(Value::Array(banks)) = map.get("banks") else {
            return Err(crate::wire::required("banks"));
        };
        let mut l = ledger::lock(&s.ledger);
        let Some(t) = l.ratio_types.types.get_mut(&code) else {
            return Err(ApiError::invalid_rc(
                RATIO_CODE_NOT_FOUND,
                format!("ratio_code bulunamadı (no ratio type {code})"),
            ));
        };
        let mut rules = HashMap::new();
        for bank in banks {
            let Some(bank) = bank.as_object() else {
                return Err(ApiError::invalid("banks nesne listesi olmalı (banks must be objects)"));
            };
            let bf = Fields::new(bank);
            let bank_id = bf.required_string("bank_id", 4)?;
            let mut rule = BankRule {
                blocked: bf.bool("is_blocked")?.unwrap_or(false),
                ..BankRule::default()
            };
            if let Some(Value::Array(instalments)) = bank.get("instalments") {
                for inst in instalments {
                    let Some(inst) = inst.as_object() else {
                        return Err(ApiError::invalid("instalments nesne listesi olmalı (instalments must be objects)"));
                    };
                    let inf = Fields::new(inst);
                    let n = inf.int("instalment")?.ok_or_else(|| crate::wire::required("instalment"))?;
                    super::payment::ratio(n)?;
                    let bp = basis_points(inst.get("ratio").unwrap_or(&Value::Null), t.is_cumulative)?;
                    rule.instalments.insert(n, (inf.bool("is_blocked")?.unwrap_or(false), bp));
                }
            }
            rules.insert(bank_id, rule);
        }
        t.rules.insert(card_type, rules);
        Ok(json_ok(&done("ratio_define")))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_in_basis_points() {
        assert_eq!(basis_points(&serde_json::json!(0.0125), true).unwrap(), 125);
        assert_eq!(basis_points(&serde_json::json!("-0.01"), true).unwrap(), -100);
        assert!(basis_points(&serde_json::json!("-0.01"), false).is_err());
        assert!(basis_points(&serde_json::json!("0.25"), true).is_err());
        assert!(basis_points(&serde_json::json!("0.00001"), true).is_err());
        assert_eq!(comma(1037), "10,37");
    }
}
