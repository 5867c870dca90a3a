//! What bindings need to know about result fields to give them native types.
//!
//! Results reach the bindings as JSON with amounts as exact decimal strings
//! and timestamps as RFC 3339 strings. Field names are consistent across all
//! models (an `amount` is always money), so one name → kind table serves
//! every endpoint; a test below checks it against the models.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// TL amount: Python `Decimal`, Node exact decimal `string`.
    Money,
    /// A rate such as 0.0199: Python `Decimal`, Node `number`.
    Ratio,
    /// RFC 3339 with offset: Python aware `datetime`, Node `Date` + raw string.
    DateTime,
    /// `yyyy-MM-dd`: Python `date`, Node `string`.
    Date,
}

impl FieldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Money => "money",
            FieldKind::Ratio => "ratio",
            FieldKind::DateTime => "datetime",
            FieldKind::Date => "date",
        }
    }
}

pub const FIELD_KINDS: &[(&str, FieldKind)] = &[
    ("amount", FieldKind::Money),
    ("net_amount", FieldKind::Money),
    ("commission", FieldKind::Money),
    ("commission_tax", FieldKind::Money),
    ("end_user_commission", FieldKind::Money),
    ("company_pay_amount", FieldKind::Money),
    ("company_service_amount", FieldKind::Money),
    ("agent_pay_amount", FieldKind::Money),
    ("agent_service_amount", FieldKind::Money),
    ("ratio", FieldKind::Ratio),
    ("end_user_ratio", FieldKind::Ratio),
    ("company_cost_ratio", FieldKind::Ratio),
    ("xact_date", FieldKind::DateTime),
    ("due_date", FieldKind::Date),
    ("date", FieldKind::Date),
];

pub fn field_kind(name: &str) -> Option<FieldKind> {
    FIELD_KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{PaymentReport, PaymentReportRow, Transaction};
    use crate::wire::parse_datetime;
    use rust_decimal::Decimal;
    use serde_json::{Map, Value};

    /// Fields in the table must carry text of their kind; any other string
    /// that reads as a fractional decimal or a timestamp must be in the table.
    fn check_object(obj: &Map<String, Value>) {
        for (name, value) in obj {
            match (field_kind(name), value) {
                (_, Value::Null) => {}
                (Some(FieldKind::Money | FieldKind::Ratio), Value::String(s)) => {
                    assert!(s.parse::<Decimal>().is_ok(), "{name}: {s} is not a decimal")
                }
                (Some(FieldKind::DateTime), Value::String(s)) => {
                    assert!(chrono::DateTime::parse_from_rfc3339(s).is_ok(), "{name}: {s} is not RFC 3339")
                }
                (Some(FieldKind::Date), Value::String(s)) => {
                    assert!(s.parse::<chrono::NaiveDate>().is_ok(), "{name}: {s} is not a date")
                }
                (Some(kind), other) => panic!("{name} is {kind:?} in FIELD_KINDS but serialized as {other}"),
                (None, Value::String(s)) => assert!(
                    !(s.contains('.') && s.parse::<Decimal>().is_ok()) && parse_datetime(s).is_none(),
                    "{name} looks like a decimal or a date but is not in FIELD_KINDS"
                ),
                (None, Value::Array(rows)) => rows.iter().filter_map(Value::as_object).for_each(check_object),
                (None, Value::Object(o)) => check_object(o),
                (None, _) => {}
            }
        }
    }

    #[test]
    fn table_covers_every_model() {
        let tx_wire: Value = serde_json::from_str(include_str!("../../tests/vectors/responses/payment_success.json")).unwrap();
        let tx = Transaction::from_wire(tx_wire["body"].as_object().unwrap()).unwrap();
        check_object(serde_json::to_value(&tx).unwrap().as_object().unwrap());
        let list: Value = serde_json::from_str(include_str!("../../tests/vectors/responses/payment_list.json")).unwrap();
        let rows = list["body"]["Data"].as_array().unwrap();
        let report = PaymentReport {
            date: chrono::NaiveDate::from_ymd_opt(2020, 2, 5).unwrap(),
            total: Some(1),
            total_count: Some(1),
            rows: rows.iter().map(|r| PaymentReportRow::from_wire(r.as_object().unwrap()).unwrap()).collect(),
        };
        check_object(serde_json::to_value(&report).unwrap().as_object().unwrap());
    }
}
