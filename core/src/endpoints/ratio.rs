//! Ratios (`v1/ratio/*`): what each bank charges per instalment count, the
//! instalment table a checkout page shows, and the merchant's own ratio
//! types (`ratio_code`) that change the commission of later payments.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{checked_answer, data_row, result_code_error};
use crate::endpoint::{ApiKey, Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::money_text;
use crate::money::Money;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::wire::{FromAnswer, Reader};

/// The commission ratios of every bank (or of the card's bank, by `bin`),
/// per instalment count, as Paynet answers `v1/ratio/Get`. With `amount`,
/// each option carries Paynet's per-instalment amount and total.
#[derive(Doc)]
pub struct GetRatios;

/// The instalment options for `amount`, ready for a checkout page: per bank
/// and card type, each count with its ratio, per-instalment amount and
/// total, single payment first. Paynet's `desc` (`"3 Taksit 3 x 3,46 =
/// 10,37 TL"`) is kept as is. Pass the card's first six digits as `bin` to
/// show only its bank's options.
#[derive(Doc)]
pub struct InstalmentTableOf;

/// What `v1/ratio/Get` (and `Get_public`) is asked besides `amount`: one
/// declaration for each call's params, which differ in their `amount` only.
macro_rules! ratio_params {
    ($(#[$attr:meta])* pub struct $name:ident { $($amount:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Deserialize, Spec)]
        #[serde(deny_unknown_fields)]
        #[spec(params)]
        pub struct $name {
            $($amount)*
            /// The card's first six digits: only its bank's options.
            #[spec(not_blank, max_len = 6)]
            pub bin: Option<String>,
            /// The totals include the commission the customer pays on top.
            #[spec(wire = "addcomission_to_amount")]
            pub add_commission: Option<bool>,
            /// A ratio type of yours (`ratios.set_type`) instead of the default.
            #[spec(not_blank, max_len = 8)]
            pub ratio_code: Option<String>,
            /// A dealer's ratios (main company only).
            #[spec(max_len = 10)]
            pub agent_id: Option<String>,
            /// Which POS the ratios are for, as Paynet numbers them (its
            /// legacy clients: none for Paynet's own POS, `1` for the
            /// merchant's own); sent as given.
            pub pos_type: Option<i64>,
        }

        impl $name {
            fn checked_body(&self, options: &WireOptions) -> Result<Map<String, Value>, Error> {
                self.check_declared()?;
                check_bin(self.bin.as_deref())?;
                Ok(self.to_wire_declared(options))
            }
        }
    };
}

ratio_params! {
    /// What `ratios.get` asks.
    pub struct RatioParams {
        /// In TL. Sent as kuruş (×100) like Paynet's own clients; the client
        /// option `ratio_amount_format` switches to a decimal number.
        #[spec(money = "kurus", money_option = "ratio_amount_format", positive)]
        pub amount: Option<Money>,
    }
}

ratio_params! {
    /// What `ratios.get_public` asks.
    pub struct PublicRatioParams {
        /// In TL. Always sent as kuruş (×100), as `Get_public`'s documentation
        /// says (`ratio_amount_format` is for `v1/ratio/Get`, whose docs disagree).
        #[spec(money = "kurus", positive)]
        pub amount: Option<Money>,
    }
}

ratio_params! {
    /// What `ratios.instalment_table` asks: the amount the table is for.
    pub struct InstalmentTableParams {
        /// In TL: the table shows what this amount costs in instalments. Sent
        /// as kuruş (×100) like Paynet's own clients; the client option
        /// `ratio_amount_format` switches to a decimal number.
        #[spec(money = "kurus", money_option = "ratio_amount_format", positive)]
        pub amount: Money,
    }
}

fn check_bin(bin: Option<&str>) -> Result<(), Error> {
    match bin {
        Some(bin) if bin.len() != 6 || !bin.bytes().all(|b| b.is_ascii_digit()) => Err(Error::invalid("bin", "must be the card's first six digits")),
        _ => Ok(()),
    }
}

/// One instalment option of one bank.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct InstalmentOption {
    /// 0 is a single payment.
    #[spec(answer = ["instalment", "installment"])]
    pub installment: Option<i64>,
    /// The commission ratio (`0.0349`).
    #[serde(with = "crate::kinds::ratio")]
    pub ratio: Option<Decimal>,
    /// Each instalment, in TL.
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["instalment_amount", "installment_amount"])]
    pub installment_amount: Option<Decimal>,
    /// What the card is charged in all.
    #[serde(serialize_with = "money_text")]
    pub total_amount: Option<Decimal>,
    /// What the merchant receives.
    #[serde(serialize_with = "money_text")]
    pub total_net_amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["commision", "comission", "commission"])]
    pub commission: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["commision_tax", "comission_tax", "commission_tax"])]
    pub commission_tax: Option<Decimal>,
    /// Paynet's text for the option, as sent (`"3 Taksit 3 x 3,46 = 10,37 TL"`).
    #[spec(free_text)]
    pub desc: Option<String>,
    /// Paynet.js's key for this option (`ji_…`).
    pub instalment_key: Option<String>,
    pub ratio_code: Option<String>,
    pub is_has_campaign: Option<bool>,
    /// Extra instalments a campaign adds.
    pub plus_installment: Option<i64>,
    /// Months the first instalment is deferred.
    pub post_pone: Option<i64>,
    #[spec(free_text)]
    pub campaign_note: Option<String>,
}

/// A model of one bank and card type (`bank_id` ... `tds_required`) with its
/// own list after them: one declaration for the ratio table's banks and the
/// instalment table's.
macro_rules! bank_model {
    ($(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Serialize, PartialEq, Spec)]
        pub struct $name {
            pub bank_id: Option<String>,
            pub bank_name: Option<String>,
            pub bank_logo: Option<String>,
            /// `cc` credit, `dc` debit, `bc` business.
            pub card_type: Option<String>,
            /// 3D Secure is required with this bank.
            pub tds_required: Option<bool>,
            $($fields)*
        }
    };
}

bank_model! {
    /// One bank's options for one card type.
    pub struct BankRatios {
        /// By instalment count, single payment first.
        pub options: Vec<InstalmentOption>,
    }
}

/// `v1/ratio/Get`'s answer.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct RatioTable {
    pub tds_required: Option<bool>,
    pub banks: Vec<BankRatios>,
}

impl RatioTable {
    /// The banks of `data[]` (the list Paynet's ratio answers spell in lower
    /// case), each with its `ratio[]` options.
    fn from_answer(body: &Map<String, Value>) -> Result<RatioTable, Error> {
        let r = Reader::new(body);
        if let Some(code) = r.int(&["code"])?.filter(|c| *c != 0) {
            return Err(result_code_error(&r, code));
        }
        let rows = |value: Option<&Value>, what: &str| -> Result<Vec<Map<String, Value>>, Error> {
            match value {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(rows)) => rows.iter().map(|row| data_row(row).cloned()).collect(),
                Some(_) => Err(Error::new(ErrorKind::Protocol, format!("Paynet returned a `{what}` that is not a list"))),
            }
        };
        let banks = rows(body.get("data").or_else(|| body.get("Data")), "data")?
            .iter()
            .map(|bank| {
                let b = Reader::new(bank);
                let mut options = rows(bank.get("ratio"), "ratio")?.iter().map(InstalmentOption::from_wire).collect::<Result<Vec<_>, _>>()?;
                options.sort_by_key(|o| o.installment.unwrap_or(0));
                Ok(BankRatios {
                    bank_id: b.string(&["bank_id"]),
                    bank_name: b.string(&["bank_name"]),
                    bank_logo: b.string(&["bank_logo"]),
                    card_type: b.string(&["card_type"]),
                    tds_required: b.bool(&["tds_required"])?,
                    options,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(RatioTable { tds_required: r.bool(&["tds_required"])?, banks })
    }
}

impl Endpoint for GetRatios {
    const NAME: &'static str = "ratios.get";
    const PATH: &'static str = "v1/ratio/Get";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = RatioParams;
    type Output = RatioTable;

    fn to_wire(p: &RatioParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.checked_body(options)
    }

    fn from_wire(_: &RatioParams, body: &Map<String, Value>) -> Result<RatioTable, Error> {
        RatioTable::from_answer(body)
    }
}

/// `ratios.get` made with the publishable key (`v1/ratio/Get_public`, the
/// service Paynet offers to browsers): the client needs the option
/// `publishable_key`; `publishable_key_in` says how it travels.
#[derive(Doc)]
pub struct GetPublicRatios;

impl Endpoint for GetPublicRatios {
    const NAME: &'static str = "ratios.get_public";
    const PATH: &'static str = "v1/ratio/Get_public";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const KEY: ApiKey = ApiKey::Publishable;
    type Params = PublicRatioParams;
    type Output = RatioTable;

    fn to_wire(p: &PublicRatioParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.checked_body(options)
    }

    fn from_wire(_: &PublicRatioParams, body: &Map<String, Value>) -> Result<RatioTable, Error> {
        RatioTable::from_answer(body)
    }
}

/// One row of an instalment table: exact amounts, ready to render.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct InstalmentRow {
    /// 1 for a single payment, else the number of instalments.
    pub count: i64,
    /// Paynet's code for it: 0 for a single payment.
    pub installment: i64,
    #[serde(with = "crate::kinds::ratio")]
    pub ratio: Option<Decimal>,
    /// Each instalment, in TL.
    #[serde(serialize_with = "money_text")]
    pub installment_amount: Option<Decimal>,
    /// What the card is charged in all.
    #[serde(serialize_with = "money_text")]
    pub total: Option<Decimal>,
    /// What the customer pays beyond the order's amount (the commission added on top).
    #[serde(serialize_with = "money_text")]
    pub surcharge: Option<Decimal>,
    /// Paynet's text for the option, as sent.
    pub desc: Option<String>,
    /// Extra instalments a campaign adds.
    pub plus_installment: Option<i64>,
}

bank_model! {
    /// The instalment options of one bank and card type.
    pub struct InstalmentBank {
        /// Single payment first, then by count.
        pub rows: Vec<InstalmentRow>,
    }
}

/// The instalment options for one amount, by bank and card type.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct InstalmentTable {
    /// The order's amount, in TL.
    #[serde(serialize_with = "money_text")]
    pub amount: Option<Decimal>,
    pub banks: Vec<InstalmentBank>,
}

/// Rounded to kuruş, halves away from zero, as the totals Paynet prints.
fn kurus(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl InstalmentTable {
    /// Paynet's totals as sent (the commission tax they include is Paynet's
    /// to know, so a missing total stays missing); a missing per-instalment
    /// amount is the total's share, to the kuruş.
    fn of(table: RatioTable, amount: Decimal) -> InstalmentTable {
        let banks = table
            .banks
            .into_iter()
            .map(|bank| {
                let rows = bank
                    .options
                    .into_iter()
                    .map(|o| {
                        let installment = o.installment.unwrap_or(0);
                        let count = installment.max(1);
                        let total = o.total_amount.map(kurus);
                        let installment_amount = o.installment_amount.map(kurus).or_else(|| total.map(|t| kurus(t / Decimal::from(count))));
                        InstalmentRow {
                            count,
                            installment,
                            ratio: o.ratio,
                            installment_amount,
                            surcharge: total.map(|t| (t - amount).max(Decimal::ZERO)),
                            total,
                            desc: o.desc,
                            plus_installment: o.plus_installment,
                        }
                    })
                    .collect();
                InstalmentBank {
                    bank_id: bank.bank_id,
                    bank_name: bank.bank_name,
                    bank_logo: bank.bank_logo,
                    card_type: bank.card_type,
                    tds_required: bank.tds_required.or(table.tds_required),
                    rows,
                }
            })
            .collect();
        InstalmentTable { amount: Some(amount), banks }
    }
}

impl Endpoint for InstalmentTableOf {
    const NAME: &'static str = "ratios.instalment_table";
    const PATH: &'static str = "v1/ratio/Get";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = InstalmentTableParams;
    type Output = InstalmentTable;

    fn to_wire(p: &InstalmentTableParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.checked_body(options)
    }

    fn from_wire(p: &InstalmentTableParams, body: &Map<String, Value>) -> Result<InstalmentTable, Error> {
        Ok(InstalmentTable::of(RatioTable::from_answer(body)?, Decimal::from(p.amount)))
    }
}

/// Creates a ratio type (without `ratio_code`) or edits one; returns its
/// code. Payments and `ratios.get` that name the code use its ratios
/// (`ratios.define`).
#[derive(Doc)]
pub struct SetRatioType;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct SetRatioTypeParams {
    /// The type to edit; leave it out to create one.
    #[spec(not_blank, max_len = 8)]
    pub ratio_code: Option<String>,
    #[spec(not_blank, max_len = 100)]
    pub description: String,
    /// Used when a payment names no `ratio_code`.
    pub is_default: Option<bool>,
    /// `true` (Paynet's default): the type's ratios are added to Paynet's
    /// own (−0.20 to 0.20); `false`: they are the ratios (0 to 0.20).
    pub is_cumulative: Option<bool>,
}

/// A ratio type's code.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct RatioType {
    pub ratio_code: String,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for SetRatioType {
    const NAME: &'static str = "ratios.set_type";
    const PATH: &'static str = "v1/ratio/set_type";
    /// A resent create makes a second type.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some(
        "an edit (with ratio_code) is settled by editing again, which is harmless; ratios.get with that ratio_code shows the type. \
         A create (without one) cannot be checked: Paynet lists no ratio types, so a type it made is unknown to you. \
         An unused type changes nothing until a payment names it, so creating it again is safe, unless it was made \
         with is_default: then ask Paynet which type is the default",
    );
    type Params = SetRatioTypeParams;
    type Output = RatioType;

    fn from_wire(_: &SetRatioTypeParams, body: &Map<String, Value>) -> Result<RatioType, Error> {
        checked_answer(body)
    }
}

/// Deletes a ratio type; payments naming it are refused from then on.
#[derive(Doc)]
pub struct DeleteRatioType;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct RatioTypeRef {
    #[spec(not_blank, max_len = 8)]
    pub ratio_code: String,
}

impl Endpoint for DeleteRatioType {
    const NAME: &'static str = "ratios.delete_type";
    const PATH: &'static str = "v1/ratio/delete_type";
    /// A second delete's "no such type" would hide the first's success.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("ratios.get with the ratio_code you deleted shows whether the type still exists (an unknown code is refused); deleting it again is harmless");
    type Params = RatioTypeRef;
    super::acknowledged!();
}

/// Sets a ratio type's ratios for one card type: per bank, blocked or not,
/// and per instalment count, blocked or its ratio. Blocked banks and
/// counts are refused at payment.
#[derive(Doc)]
pub struct DefineRatios;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, wire_by_hand)]
pub struct DefineRatiosParams {
    #[spec(not_blank, max_len = 8)]
    pub ratio_code: String,
    /// `cc` credit, `dc` debit, `bc` business.
    #[spec(one_of = ["cc", "dc", "bc"])]
    pub card_type: String,
    /// The banks' definitions: `{"bank_id": "AXSS", "is_blocked": false,
    /// "instalments": [{"instalment": 3, "ratio": "0.01"}]}`.
    pub banks: Vec<BankDefinition>,
}

/// One bank's part of a ratio type.
#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, wire_by_hand)]
pub struct BankDefinition {
    /// Paynet's bank code (`AXSS`, `BONS`, ...).
    #[spec(not_blank, max_len = 4)]
    pub bank_id: String,
    /// No payment with this bank's cards under the type.
    #[serde(default)]
    pub is_blocked: bool,
    #[serde(default)]
    pub instalments: Vec<InstalmentDefinition>,
}

/// One instalment count's part of a bank's definition.
#[derive(Debug, Clone, Deserialize, Serialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, wire_by_hand)]
pub struct InstalmentDefinition {
    /// 0 (single payment) or 2 to 12.
    #[spec(one_of = [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])]
    pub instalment: u32,
    #[serde(default)]
    pub is_blocked: bool,
    /// −0.20 to 0.20 for a cumulative type, 0 to 0.20 for a net one (Paynet's default: 0).
    #[serde(deserialize_with = "exact_ratio", default)]
    pub ratio: Option<Decimal>,
}

impl Endpoint for DefineRatios {
    const NAME: &'static str = "ratios.define";
    const PATH: &'static str = "v1/ratio/define";
    /// Setting the same ratios twice is the same as once, but nothing says Paynet answers the second alike.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("ratios.get(ratio_code=...) shows the type's ratios; defining them again is harmless");
    type Params = DefineRatiosParams;
    super::acknowledged!();

    /// The declared rules of every bank and instalment, and the ratio's range.
    fn to_wire(p: &DefineRatiosParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        if p.banks.is_empty() {
            return Err(Error::invalid("banks", "must name at least one bank"));
        }
        for (i, bank) in p.banks.iter().enumerate() {
            bank.check_declared_at(&format!("banks[{i}]."))?;
            for (j, inst) in bank.instalments.iter().enumerate() {
                let field = format!("banks[{i}].instalments[{j}]");
                inst.check_declared_at(&format!("{field}."))?;
                if inst.ratio.is_some_and(|r| r.abs() > Decimal::new(20, 2) || r.normalize().scale() > 4) {
                    return Err(Error::invalid(format!("{field}.ratio"), "must be between -0.20 and 0.20, with at most four decimals"));
                }
            }
        }
        Ok(p.to_wire_declared(options))
    }
}

/// The body by hand: `banks` is a list of objects, each ratio a JSON number
/// with its exact digits (never through a float).
impl WireDeclared for DefineRatiosParams {
    fn to_wire_declared(&self, _: &WireOptions) -> Map<String, Value> {
        let instalment = |i: &InstalmentDefinition| {
            let ratio = i.ratio.unwrap_or_default().normalize().to_string();
            serde_json::json!({
                "instalment": i.instalment,
                "is_blocked": i.is_blocked,
                "ratio": serde_json::Number::from_string_unchecked(ratio),
            })
        };
        let banks: Vec<Value> = self
            .banks
            .iter()
            .map(|b| serde_json::json!({"bank_id": b.bank_id, "is_blocked": b.is_blocked, "instalments": b.instalments.iter().map(instalment).collect::<Vec<_>>()}))
            .collect();
        let mut body = Map::new();
        body.insert("ratio_code".into(), self.ratio_code.clone().into());
        body.insert("card_type".into(), self.card_type.clone().into());
        body.insert("banks".into(), Value::Array(banks));
        body
    }
}

/// A ratio as exact text (`"0.0125"`, what the bindings send a `Decimal`
/// as) or a JSON number's own digits; never through a float.
fn exact_ratio<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    use std::str::FromStr;
    let text = match Value::deserialize(d)? {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => return Err(serde::de::Error::custom("must be a decimal, such as \"0.0125\"")),
    };
    Decimal::from_str(text.trim()).map(Some).map_err(|_| serde::de::Error::custom("must be a decimal, such as \"0.0125\""))
}
