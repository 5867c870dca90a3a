//! Every model's fields are serialized under the kind the spec gives their
//! type, absent values included, and serde_json still sees today's text.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use serde::ser::{self, Impossible, Serialize, SerializeSeq, SerializeStruct, Serializer};
use serde_json::{Map, Value, json};

use super::{FieldKind, kind_of};
use crate::endpoints::confirmation::PayLinkConfirmation;
use crate::endpoints::paylink::{PayLink, PayLinkDetail, PayLinkPage};
use crate::endpoints::refund::{Refund, RefundPage, RefundRequest};
use crate::endpoints::membership::{Application, DocumentType, DocumentTypes};
use crate::endpoints::subscription::{Subscription, SubscriptionCreated, SubscriptionPage};
use crate::endpoints::subscription_card::{CardAdded, SubscriptionCard, SubscriptionCardList};
use crate::endpoints::subscription_invoice::{Invoice, InvoiceChargeResult, InvoiceCharges, InvoicePage};
use crate::endpoints::services::{SlipLink, TransactionDetail, TransactionPage, TransactionRow};
use crate::endpoints::tds::ThreeDSecureSession;
use crate::models::{Acknowledgement, PaymentReport, PaymentReportRow, Transaction, TransactionRecord};
use crate::spec::{DecimalKind, Role, TypeSpec, spec};
use crate::endpoint::Endpoint;
use crate::wire::FromAnswer;

/// (model, field, the kind its value was serialized as).
type Seen = RefCell<Vec<(&'static str, &'static str, Option<FieldKind>)>>;

/// Walks a value, noting the kind of every struct field it meets.
struct Recorder<'a>(&'a Seen);

#[derive(Debug)]
struct Never;
impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected")
    }
}
impl std::error::Error for Never {}
impl ser::Error for Never {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        panic!("{msg}")
    }
}

macro_rules! leaf {
    ($($method:ident($($ty:ty),*);)*) => {
        $(fn $method(self, $(_: $ty),*) -> Result<(), Never> { Ok(()) })*
    };
}

impl<'a> Serializer for Recorder<'a> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Recorder<'a>;
    type SerializeTuple = Impossible<(), Never>;
    type SerializeTupleStruct = Impossible<(), Never>;
    type SerializeTupleVariant = Impossible<(), Never>;
    type SerializeMap = Impossible<(), Never>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Impossible<(), Never>;

    leaf! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_i128(i128); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_u128(u128); serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str);
        serialize_bytes(&[u8]); serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<(), Never> {
        panic!("no model has a newtype variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Recorder<'a>, Never> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Never> {
        panic!("no model has a tuple")
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Never> {
        panic!("no model has a tuple struct")
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Never> {
        panic!("no model has a tuple variant")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Never> {
        panic!("no model has a map")
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields<'a>, Never> {
        // serde_json's arbitrary-precision number (a `Decimal`) is a value, not a model.
        Ok(Fields { seen: self.0, name: (!name.starts_with("$serde_json::")).then_some(name) })
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Never> {
        panic!("no model has a struct variant")
    }
}

impl SerializeSeq for Recorder<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
        v.serialize(Recorder(self.0))
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

struct Fields<'a> {
    seen: &'a Seen,
    name: Option<&'static str>,
}

impl SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Never> {
        if let Some(name) = self.name {
            self.seen.borrow_mut().push((name, key, kind_of(v)));
            v.serialize(Recorder(self.seen))?;
        }
        Ok(())
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

fn kind_in_spec(ty: &TypeSpec) -> Option<FieldKind> {
    match ty.innermost() {
        TypeSpec::Decimal { kind: DecimalKind::Money } => Some(FieldKind::Money),
        TypeSpec::Decimal { kind: DecimalKind::Ratio } => Some(FieldKind::Ratio),
        TypeSpec::DateTime => Some(FieldKind::DateTime),
        TypeSpec::Date => Some(FieldKind::Date),
        _ => None,
    }
}

fn vector(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/responses/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// One value of every model: full ones from the vectors and empty ones (every
/// optional field absent, which must say its kind as well).
fn samples() -> Vec<Box<dyn crate::ResultValue>> {
    let tx_wire = vector("payment_success.json");
    let tx = Transaction::from_wire(tx_wire["body"].as_object().unwrap()).unwrap();
    let record = TransactionRecord::from_wire(tx_wire["body"].as_object().unwrap()).unwrap();
    let list = vector("payment_list.json");
    let rows = list["body"]["Data"].as_array().unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2020, 2, 5).unwrap();
    let full = PaymentReport {
        date,
        total: Some(1),
        total_count: Some(1),
        rows: rows.iter().map(|r| PaymentReportRow::from_wire(r.as_object().unwrap()).unwrap()).collect(),
        columns: None,
    };
    let empty_row = PaymentReportRow::from_wire(&Map::new()).unwrap();
    let empty = PaymentReport { date, total: None, total_count: None, rows: vec![empty_row], columns: None };
    let range = crate::endpoints::payment_list_range::PaymentReportRange { start: date, end: date, days: 1, total_count: 1, rows: full.rows.clone() };
    let ack = Acknowledgement { result_code: 0, message: None, object_name: None };
    let object = |v: Value| v.as_object().unwrap().clone();
    let session = ThreeDSecureSession::from_wire(&object(json!({"session_id": "js_1", "token_id": "T", "post_url": "https://bank/3d", "html_content": "<html></html>"}))).unwrap();
    let link = PayLink::from_wire(&object(json!({"url": "https://pay/1", "id": 7}))).unwrap();
    let detail = PayLinkDetail::from_wire(&object(json!({
        "id": 7, "status": 1, "amount": 10.5, "installment": 3, "create_date": "2026-12-01T10:00:00+03:00",
        "expire_date": "2026-12-02T10:00:00+03:00", "reference_no": "R1", "xact_id": "xk_1"
    })))
    .unwrap();
    let empty_detail = PayLinkDetail::from_wire(&Map::new()).unwrap();
    let page = PayLinkPage { links: vec![detail.clone(), empty_detail.clone()], has_more: false, total_count: Some(2), next_starting_after: None };
    let refund_row = json!({
        "reversal_id": "rv_1", "xact_id": "xk_1", "amount": 5.5, "status": "pending", "xact_type": "CD",
        "request_date": "2026-12-01T10:00:00+03:00", "decision_date": "2026-12-02T10:00:00+03:00"
    });
    let refunds = RefundPage {
        refunds: vec![Refund::from_wire(&object(refund_row)).unwrap(), Refund::from_wire(&Map::new()).unwrap()],
        has_more: true,
        total_count: Some(3),
        next_starting_after: Some(2),
    };
    let request = RefundRequest::from_wire(&object(json!({"reversal_id": "rv_1"}))).unwrap();
    let row = json!({
        "xact_id": "xk_1", "xact_date": "2026-12-01T10:00:00+03:00", "xact_type": "S", "amount": 10.5, "net_amount": 10.1,
        "comission": 0.3, "comission_tax": 0.1, "instalment": 0, "card_no": "435508******4358",
        "refunded_amount": 1.5, "company_amount": 9, "agent_amount": 1.5
    });
    let transactions = TransactionPage {
        transactions: vec![TransactionRow::from_wire(&object(row.clone())).unwrap(), TransactionRow::from_wire(&Map::new()).unwrap()],
        has_more: false,
        total_count: Some(2),
        total_amount: Some(rust_decimal::Decimal::new(1050, 2)),
        next_starting_after: None,
    };
    let empty_transactions = TransactionPage { transactions: vec![], has_more: false, total_count: None, total_amount: None, next_starting_after: None };
    let detail_tx = TransactionDetail::from_wire(&object(row)).unwrap();
    let empty_detail_tx = TransactionDetail::from_wire(&Map::new()).unwrap();
    let slip = SlipLink::from_wire(&object(json!({"url": "https://slip/1"}))).unwrap();
    let mut confirmation = PayLinkConfirmation::from_wire(&object(json!({
        "referance_no": "R1", "xact_date": "2026-12-01T10:00:00+03:00", "is_succeed": true, "amount": 10.5,
        "netAmount": 10.1, "comission": 0.3, "comission_tax": 0.1, "instalment": 0, "card_number": "435508******4358"
    })))
    .unwrap();
    confirmation.transaction = Some(record.clone());
    let empty_confirmation = PayLinkConfirmation::from_wire(&object(json!({"referance_no": "R2"}))).unwrap();
    let mut all: Vec<Box<dyn crate::ResultValue>> = vec![
        Box::new(tx),
        Box::new(record),
        Box::new(TransactionRecord::from_wire(&Map::new()).unwrap()),
        Box::new(full),
        Box::new(empty),
        Box::new(range),
        Box::new(ack),
        Box::new(session),
        Box::new(link),
        Box::new(detail),
        Box::new(empty_detail),
        Box::new(page),
        Box::new(confirmation),
        Box::new(empty_confirmation),
        Box::new(refunds),
        Box::new(request),
        Box::new(transactions),
        Box::new(empty_transactions),
        Box::new(detail_tx),
        Box::new(empty_detail_tx),
        Box::new(slip),
    ];
    all.extend(card_samples());
    all.extend(ratio_samples());
    all.extend(agent_samples());
    all.extend(subscription_samples());
    all
}

/// The subscription and membership models (`endpoints::subscription*`, `membership`).
fn subscription_samples() -> Vec<Box<dyn crate::ResultValue>> {
    let object = |v: Value| v.as_object().unwrap().clone();
    let created = SubscriptionCreated::from_wire(&object(json!({"url": "https://pay/s/1", "subscription_id": "500001"}))).unwrap();
    let sub = Subscription::from_wire(&object(json!({
        "subscription_id": "500001", "status": 1, "amount": 99.9, "interval": 2, "interval_count": 12, "period": 1,
        "begin_date": "2031-01-15T00:00:00", "is_fixed_price": true
    })))
    .unwrap();
    let subs = SubscriptionPage {
        subscriptions: vec![sub, Subscription::from_wire(&Map::new()).unwrap()],
        has_more: false,
        total_count: Some(2),
        next_starting_after: None,
    };
    let invoice = Invoice::from_wire(&object(json!({
        "invoice_id": "inv_1", "invoice_no": 1, "val_date": "2031-01-15T00:00:00", "amount": 99.9, "invoice_status": 3,
        "xact_id": "xk_1", "attempt_count": 2
    })))
    .unwrap();
    let invoices = InvoicePage { invoices: vec![invoice, Invoice::from_wire(&Map::new()).unwrap()], has_more: true, total_count: Some(3), next_starting_after: Some(2) };
    let failed = InvoiceChargeResult::from_wire(&object(json!({"invoice_no": 2, "code": 1, "message": "declined"}))).unwrap();
    let charges = InvoiceCharges {
        charges: vec![InvoiceChargeResult::from_wire(&object(json!({"invoice_no": 1, "code": 0, "message": "ok"}))).unwrap(), failed.clone()],
        all_paid: false,
        failed: vec![failed],
    };
    let added = CardAdded::from_wire(&object(json!({"card_id": 1002, "card_no_mask": "557113******5575", "order_no": 2}))).unwrap();
    let card = SubscriptionCard::from_wire(&object(json!({
        "card_id": 1001, "card_no_mask": "435508******4358", "label": "work", "order_no": 1, "expire_month": 12, "expire_year": 2035
    })))
    .unwrap();
    let cards = SubscriptionCardList { subscription_id: Some("500001".into()), reference_no: None, cards: vec![card, SubscriptionCard::from_wire(&Map::new()).unwrap()] };
    let application = Application::from_wire(&object(json!({"id": 700001, "agent_reference": "B1", "status": "received"}))).unwrap();
    let documents = DocumentTypes {
        document_types: vec![DocumentType::from_wire(&object(json!({"formtype_id": 2, "doctype_id": 1, "is_required": true}))).unwrap()],
    };
    vec![
        Box::new(application),
        Box::new(documents),
        Box::new(created),
        Box::new(subs),
        Box::new(invoices),
        Box::new(charges),
        Box::new(cards),
        Box::new(added),
    ]
}

/// The agent models (`endpoints::agent`).
fn agent_samples() -> Vec<Box<dyn crate::ResultValue>> {
    use crate::endpoints::agent::{AgentLimits, AgentLoginLink, AgentRef, AgentSession};
    let object = |v: Value| v.as_object().unwrap().clone();
    let link = AgentLoginLink::from_wire(&object(json!({"url": "https://pts.paynet.com.tr/Account/PaynetAgentGate?al=x"}))).unwrap();
    let session = AgentSession::from_wire(&object(json!({"session_key": "ssk_1", "expired_date": "2026-12-03T10:00:00+03:00", "agent_id": "20077"}))).unwrap();
    let empty_session = AgentSession::from_wire(&Map::new()).unwrap();
    let agent = AgentRef::from_wire(&object(json!({"agent_id": "20077", "company_code": "1001"}))).unwrap();
    let limits = AgentLimits::from_wire(&object(json!({
        "td_defined_limit": "5000", "defined_limit": "1000", "td_used_limit": "0", "used_limit": "600",
        "td_available_limit": "5000", "available_limit": "400"
    })))
    .unwrap();
    let no_limits = AgentLimits::from_wire(&Map::new()).unwrap();
    vec![Box::new(link), Box::new(session), Box::new(empty_session), Box::new(agent), Box::new(limits), Box::new(no_limits)]
}

/// The ratio models (`endpoints::ratio`): a table read from an answer, and the instalment table made of it.
fn ratio_samples() -> Vec<Box<dyn crate::ResultValue>> {
    use crate::endpoints::ratio::{InstalmentTableParams, RatioParams, RatioTable};
    // The shape of the old docs' example and of CP.VPOS's reader.
    let body = json!({
        "tds_required": false, "object_name": "ratio_get", "code": 0, "message": "Başarılı İşlem",
        "data": [{"bank_id": "AXSS", "bank_logo": "https://x/AXSS.png", "bank_name": "Axess", "card_type": "cc", "tds_required": false,
            "ratio": [
                {"ratio": 0.0349, "instalment_key": "ji_1", "instalment": 3, "instalment_amount": 3.46, "total_net_amount": 10.0,
                 "total_amount": 10.37, "commision": 0.31, "commision_tax": 0.06, "desc": "3 Taksit 3 x 3,46 = 10,37 TL", "ratio_code": ""},
                {"ratio": 0.0199, "instalment": 0}
            ]}]
    });
    let params: RatioParams = serde_json::from_value(json!({"amount": "10"})).unwrap();
    let table: RatioTable = crate::endpoints::ratio::GetRatios::from_wire(&params, body.as_object().unwrap()).unwrap();
    let params: InstalmentTableParams = serde_json::from_value(json!({"amount": "10"})).unwrap();
    let instalments = crate::endpoints::ratio::InstalmentTableOf::from_wire(&params, body.as_object().unwrap()).unwrap();
    let empty = crate::endpoints::ratio::InstalmentTableOf::from_wire(&params, &Map::new()).unwrap();
    let ratio_type = crate::endpoints::ratio::RatioType::from_wire(json!({"ratio_code": "RT1"}).as_object().unwrap()).unwrap();
    vec![Box::new(table), Box::new(instalments), Box::new(empty), Box::new(ratio_type)]
}

/// The card storage models (`endpoints::cards`).
fn card_samples() -> Vec<Box<dyn crate::ResultValue>> {
    use crate::endpoints::cards::{CardOtp, StoredCard, StoredCardPage};
    let object = |v: Value| v.as_object().unwrap().clone();
    let card = StoredCard::from_wire(&object(json!({
        "card_hash": "pch_1", "card_owner_id": "o", "card_no": "435508******4358", "expire_month": 0, "card_desc": "My card"
    })))
    .unwrap();
    let bare = StoredCard::from_wire(&object(json!({"card_hash": "pch_2"}))).unwrap();
    let page = StoredCardPage { cards: vec![card.clone(), bare], has_more: false, total_count: Some(2), next_starting_after: None };
    let otp = CardOtp::from_wire(&object(json!({"otp_expire": "2017-07-17T15:30:15.0581408+03:00"}))).unwrap();
    let no_otp = CardOtp::from_wire(&Map::new()).unwrap();
    vec![Box::new(card), Box::new(page), Box::new(otp), Box::new(no_otp)]
}

#[test]
fn every_models_fields_are_serialized_under_their_types_kind() {
    let seen = Seen::default();
    for sample in samples() {
        sample.serialize(Recorder(&seen)).unwrap();
    }
    let seen = seen.into_inner();
    let spec = spec();
    let models: Vec<_> = spec.structs.iter().filter(|s| s.role == Role::Model).collect();
    let visited: BTreeSet<_> = seen.iter().map(|(model, _, _)| *model).collect();
    let described: BTreeSet<_> = models.iter().map(|s| s.name).collect();
    assert_eq!(visited, described, "a model has no sample here: add one to `samples`");
    for s in models {
        for f in &s.fields {
            let kinds: BTreeSet<_> = seen.iter().filter(|(m, k, _)| *m == s.name && *k == f.name).map(|(_, _, kind)| *kind).map(|k| k.map(FieldKind::as_str)).collect();
            assert_ne!(f.ty.innermost(), &TypeSpec::Money, "{}.{}: results carry Decimal, not Money", s.name, f.name);
            let want = kind_in_spec(&f.ty).map(FieldKind::as_str);
            assert_eq!(kinds, BTreeSet::from([want]), "{}.{}: serialized as {kinds:?}, the spec says {want:?}", s.name, f.name);
        }
    }
}

#[test]
fn serde_json_sees_the_text_alone() {
    let tx = Transaction::from_wire(vector("payment_success.json")["body"].as_object().unwrap()).unwrap();
    let value = serde_json::to_value(&tx).unwrap();
    assert_eq!(value["amount"], "12.50");
    assert!(value["xact_date"].as_str().unwrap().starts_with("20"));
    let empty = serde_json::to_value(TransactionRecord::from_wire(&Map::new()).unwrap()).unwrap();
    assert_eq!(empty["amount"], Value::Null);
    assert_eq!(empty["xact_date"], Value::Null);
    let report = PaymentReport { date: chrono::NaiveDate::from_ymd_opt(2020, 2, 5).unwrap(), total: None, total_count: None, rows: vec![], columns: None };
    assert_eq!(serde_json::to_string(&report).unwrap(), r#"{"date":"2020-02-05","total":null,"total_count":null,"rows":[]}"#);
}

#[test]
fn tags_round_trip() {
    for kind in FieldKind::ALL {
        assert_eq!(FieldKind::from_tag(kind.tag()), Some(kind));
    }
    assert_eq!(FieldKind::from_tag("$serde_json::private::Number"), None);
    assert_eq!(kind_of(&Some(1)), None);
    assert_eq!(kind_of(&vec![1]), None);
}

/// Every model's cells (what the bindings read a table's rows by) say what
/// its `Serialize` says: one per spec field, in order, each the same value
/// (money as its canonical text, a timestamp as its RFC 3339 text) and of
/// the kind the spec gives the field; and a list of models gives its rows.
#[test]
fn cells_say_what_serialize_says() {
    let mut checked = BTreeSet::new();
    for sample in samples() {
        let json = serde_json::to_value(&*sample).unwrap();
        check_cells(sample.cells(), &json, &mut checked);
    }
    let tabular: BTreeSet<_> = crate::columnar::tabular_row_models().collect();
    assert!(tabular.is_subset(&checked), "row models without a sample read by cells: {:?}", tabular.difference(&checked).collect::<Vec<_>>());
}

fn check_cells(value: &dyn crate::cells::Cells, json: &Value, checked: &mut BTreeSet<&'static str>) {
    use crate::cells::Cell;
    let Value::Object(object) = json else { return };
    let spec = spec();
    let model = spec
        .structs
        .iter()
        .find(|s| s.role == Role::Model && s.fields.len() == object.len() && s.fields.iter().all(|f| object.contains_key(f.name)))
        .unwrap_or_else(|| panic!("no model has the fields of {json}"));
    checked.insert(model.name);
    let mut index = 0;
    value.cells(&mut |cell| {
        let field = model.fields.get(index).unwrap_or_else(|| panic!("{}: more cells than fields", model.name));
        let (at, want) = (format!("{}.{}", model.name, field.name), &object[field.name]);
        let kind = kind_in_spec(&field.ty);
        let (got, cell_kind) = match cell {
            Cell::Null => (Value::Null, kind),
            Cell::Text(s) => (json!(s), None),
            Cell::Int(i) => (json!(i), None),
            Cell::Bool(b) => (json!(b), None),
            Cell::Money(d) => (json!(d.to_string()), Some(FieldKind::Money)),
            Cell::Ratio(d) => (serde_json::to_value(d).unwrap(), Some(FieldKind::Ratio)),
            Cell::DateTime(t) => (serde_json::to_value(t).unwrap(), Some(FieldKind::DateTime)),
            Cell::Date(d) => (json!(d.to_string()), Some(FieldKind::Date)),
            Cell::Nested(v) => (serde_json::to_value(v).unwrap(), None),
        };
        assert_eq!(&got, want, "{at}");
        assert_eq!(cell_kind, kind, "{at}: a cell of another kind than the spec's");
        index += 1;
    });
    assert_eq!(index, model.fields.len(), "{}: fewer cells than fields", model.name);
    for field in &model.fields {
        let TypeSpec::List { of } = &field.ty else { continue };
        if !matches!(of.as_ref(), TypeSpec::Struct { .. }) {
            continue;
        }
        let rows = value.rows(field.name).unwrap_or_else(|| panic!("{}.{}: a list of models without rows", model.name, field.name));
        let items = object[field.name].as_array().unwrap();
        assert_eq!(rows.len(), items.len());
        for (i, item) in items.iter().enumerate() {
            check_cells(rows.row(i), item, checked);
        }
    }
}
