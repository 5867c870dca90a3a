//! Wire shapes of the transaction objects, field order as in the Paynet examples.

use serde::Serialize;

use crate::ledger::Entry;
use crate::money::{Ratio, Tl};
use crate::util;
use crate::wire::rc;

pub const MSG_OK: &str = "Başarılı İşlem";
pub const MSG_REPLAY: &str = "Önceki Başarılı İşlem";
pub const MSG_DECLINED: &str = "İşlem başarısız";

/// The answer of a service that did what it was asked and has nothing to
/// say but that (a card deleted, a ratio type defined).
#[derive(Serialize)]
pub struct Done {
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

pub fn done(object_name: &'static str) -> Done {
    Done {
        object_name,
        code: 0,
        message: MSG_OK,
    }
}
const PAYNET_DECLINE_ID: &str = "1";
const PAYNET_DECLINE_MSG: &str = "Bankadan onay alınamadı";

/// `code` and `message` of an answer about `entry`.
pub fn outcome(entry: &Entry, replay: bool) -> (i32, &'static str) {
    if replay {
        (rc::OLD_SUCCESSFUL, MSG_REPLAY)
    } else if entry.is_succeed {
        (0, MSG_OK)
    } else {
        (rc::UNSUCCESSFUL, MSG_DECLINED)
    }
}

struct Errors {
    paynet_error_id: &'static str,
    paynet_error_message: &'static str,
    bank_error_id: &'static str,
    bank_error_message: &'static str,
    bank_error_long_desc: &'static str,
}

fn errors(entry: &Entry) -> Errors {
    match entry.decline {
        Some(d) if !entry.is_succeed => Errors {
            paynet_error_id: PAYNET_DECLINE_ID,
            paynet_error_message: PAYNET_DECLINE_MSG,
            bank_error_id: d.bank_error_id,
            bank_error_message: d.bank_error_message,
            bank_error_long_desc: d.bank_error_long_desc,
        },
        _ => Errors {
            paynet_error_id: "",
            paynet_error_message: "",
            bank_error_id: "",
            bank_error_message: "",
            bank_error_long_desc: "",
        },
    }
}

/// `v2/transaction/payment` answer (S001).
#[derive(Serialize)]
pub struct PaymentResponse<'a> {
    id: u64,
    xact_id: &'a str,
    xact_date: String,
    transaction_type: u8,
    pos_type: u8,
    agent_id: &'a str,
    user_id: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    instalment: i64,
    ratio: Ratio,
    card_no_masked: &'a str,
    card_holder: &'a str,
    amount: Tl,
    net_amount: Tl,
    comission: Tl,
    comission_tax: Tl,
    currency: &'a str,
    bank_id: &'a str,
    bank_name: &'a str,
    bank_authorization_code: String,
    bank_reference_code: String,
    bank_order_id: String,
    is_succeed: bool,
    paynet_error_id: &'a str,
    paynet_error_message: &'a str,
    bank_error_id: &'a str,
    bank_error_message: &'a str,
    bank_error_short_desc: &'a str,
    bank_error_long_desc: &'a str,
    reference_no: &'a str,
    xact_transaction_id: String,
    campaign_url: &'a str,
    end_user_comission: Tl,
    end_user_ratio: Ratio,
    ratio_code: &'a str,
    ratio_code_method: &'a str,
    is_save_card_succeed: bool,
    save_card_result_message: &'a str,
    card_owner_id: &'a str,
    user_unique_id: &'a str,
    card_hash: &'a str,
    card_bank_id: &'a str,
    card_logo_url: &'a str,
    object_name: &'a str,
    code: i32,
    message: &'a str,
}

pub fn payment_response(e: &Entry, replay: bool) -> PaymentResponse<'_> {
    let (code, message) = outcome(e, replay);
    let err = errors(e);
    PaymentResponse {
        id: e.id,
        xact_id: &e.xact_id,
        xact_date: util::iso_7(&e.date),
        transaction_type: e.transaction_type,
        pos_type: 5,
        agent_id: &e.agent_id,
        user_id: e.user_id,
        email: e.email.as_deref(),
        phone: e.phone.as_deref(),
        instalment: e.instalment,
        ratio: Ratio(e.ratio_bp),
        card_no_masked: &e.card_masked,
        card_holder: &e.card_holder,
        amount: Tl(e.split.amount),
        net_amount: Tl(e.split.net),
        comission: Tl(e.split.commission),
        comission_tax: Tl(e.split.tax),
        currency: "TRY",
        bank_id: e.bank.id,
        bank_name: e.bank.name,
        bank_authorization_code: e.authorization_code(),
        bank_reference_code: e.reference_code(),
        bank_order_id: e.order_id(),
        is_succeed: e.is_succeed,
        paynet_error_id: err.paynet_error_id,
        paynet_error_message: err.paynet_error_message,
        bank_error_id: err.bank_error_id,
        bank_error_message: err.bank_error_message,
        bank_error_short_desc: err.bank_error_message,
        bank_error_long_desc: err.bank_error_long_desc,
        reference_no: &e.reference_no,
        xact_transaction_id: e.id.to_string(),
        campaign_url: "",
        end_user_comission: Tl(0),
        end_user_ratio: Ratio(0),
        ratio_code: &e.ratio_code,
        ratio_code_method: "",
        is_save_card_succeed: e.storage.is_save_card_succeed,
        save_card_result_message: &e.storage.save_card_result_message,
        card_owner_id: &e.storage.card_owner_id,
        user_unique_id: &e.storage.user_unique_id,
        card_hash: &e.storage.card_hash,
        card_bank_id: &e.storage.card_bank_id,
        card_logo_url: &e.storage.card_logo_url,
        object_name: "payment_response",
        code,
        message,
    }
}

/// `v1/transaction/capture` answer (S000): only the fields the page documents.
#[derive(Serialize)]
pub struct CaptureResponse<'a> {
    xact_id: &'a str,
    xact_date: String,
    transaction_type: u8,
    pos_type: u8,
    is_tds: bool,
    agent_id: &'a str,
    user_id: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    bank_id: &'a str,
    instalment: i64,
    ratio: Ratio,
    card_no_masked: &'a str,
    card_holder: &'a str,
    amount: Tl,
    net_amount: Tl,
    comission: Tl,
    comission_tax: Tl,
    currency: &'a str,
    authorization_code: String,
    reference_code: String,
    order_id: String,
    is_succeed: bool,
    paynet_error_id: &'a str,
    paynet_error_message: &'a str,
    bank_error_id: &'a str,
    bank_error_message: &'a str,
    bank_error_short_desc: &'a str,
    bank_error_long_desc: &'a str,
    object_name: &'a str,
    code: i32,
    message: &'a str,
}

pub fn capture_response(e: &Entry) -> CaptureResponse<'_> {
    let (code, message) = outcome(e, false);
    let err = errors(e);
    CaptureResponse {
        xact_id: &e.xact_id,
        xact_date: util::iso_7(&e.date),
        transaction_type: e.transaction_type,
        pos_type: 5,
        is_tds: e.is_tds,
        agent_id: &e.agent_id,
        user_id: e.user_id,
        email: e.email.as_deref(),
        phone: e.phone.as_deref(),
        bank_id: e.bank.id,
        instalment: e.instalment,
        ratio: Ratio(e.ratio_bp),
        card_no_masked: &e.card_masked,
        card_holder: &e.card_holder,
        amount: Tl(e.split.amount),
        net_amount: Tl(e.split.net),
        comission: Tl(e.split.commission),
        comission_tax: Tl(e.split.tax),
        currency: "TRY",
        authorization_code: e.authorization_code(),
        reference_code: e.reference_code(),
        order_id: e.order_id(),
        is_succeed: e.is_succeed,
        paynet_error_id: err.paynet_error_id,
        paynet_error_message: err.paynet_error_message,
        bank_error_id: err.bank_error_id,
        bank_error_message: err.bank_error_message,
        bank_error_short_desc: err.bank_error_message,
        bank_error_long_desc: err.bank_error_long_desc,
        object_name: "transaction",
        code,
        message,
    }
}

/// `v1/transaction/charge` answer (S003).
#[derive(Serialize)]
pub struct ChargeResponse<'a> {
    id: String,
    xact_id: &'a str,
    xact_date: String,
    transaction_type: u8,
    pos_type: u8,
    is_tds: bool,
    agent_id: &'a str,
    user_id: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    bank_id: &'a str,
    bank_name: &'a str,
    instalment: i64,
    ratio: Ratio,
    card_no_masked: &'a str,
    card_holder: &'a str,
    amount: Tl,
    net_amount: Tl,
    comission: Tl,
    comission_tax: Tl,
    currency: &'a str,
    authorization_code: String,
    reference_code: String,
    order_id: String,
    is_succeed: bool,
    paynet_error_id: &'a str,
    paynet_error_message: &'a str,
    bank_error_id: &'a str,
    bank_error_message: &'a str,
    bank_error_short_desc: &'a str,
    bank_error_long_desc: &'a str,
    agent_reference_no: &'a str,
    xact: String,
    campaign_url: &'a str,
    end_user_comission: Tl,
    end_user_ratio: Ratio,
    ratio_code: &'a str,
    ratio_code_method: &'a str,
    is_save_card_succeed: bool,
    save_card_result_message: &'a str,
    card_owner_id: &'a str,
    user_unique_id: &'a str,
    card_hash: &'a str,
    card_bank_id: &'a str,
    company_cost_ratio: Ratio,
    company_commission: Tl,
    company_commission_with_tax: Tl,
    company_net_amount: Tl,
    plus_installment: &'a str,
    card_type: &'a str,
    card_brand_name: &'a str,
    card_logo_url: &'a str,
    md_status: i32,
    object_name: &'a str,
    code: i32,
    message: &'a str,
}

pub fn charge_response(e: &Entry, replay: bool) -> ChargeResponse<'_> {
    let (code, message) = outcome(e, replay);
    let err = errors(e);
    ChargeResponse {
        id: e.id.to_string(),
        xact_id: &e.xact_id,
        xact_date: util::iso_7(&e.date),
        transaction_type: e.transaction_type,
        pos_type: 5,
        is_tds: e.is_tds,
        agent_id: &e.agent_id,
        user_id: e.user_id,
        email: e.email.as_deref(),
        phone: e.phone.as_deref(),
        bank_id: e.bank.id,
        bank_name: e.bank.name,
        instalment: e.instalment,
        ratio: Ratio(e.ratio_bp),
        card_no_masked: &e.card_masked,
        card_holder: &e.card_holder,
        amount: Tl(e.split.amount),
        net_amount: Tl(e.split.net),
        comission: Tl(e.split.commission),
        comission_tax: Tl(e.split.tax),
        currency: "TRY",
        authorization_code: e.authorization_code(),
        reference_code: e.reference_code(),
        order_id: e.order_id(),
        is_succeed: e.is_succeed,
        paynet_error_id: err.paynet_error_id,
        paynet_error_message: err.paynet_error_message,
        bank_error_id: err.bank_error_id,
        bank_error_message: err.bank_error_message,
        bank_error_short_desc: err.bank_error_message,
        bank_error_long_desc: err.bank_error_long_desc,
        agent_reference_no: &e.reference_no,
        xact: e.id.to_string(),
        campaign_url: "",
        end_user_comission: Tl(0),
        end_user_ratio: Ratio(0),
        ratio_code: &e.ratio_code,
        ratio_code_method: "",
        is_save_card_succeed: e.storage.is_save_card_succeed,
        save_card_result_message: &e.storage.save_card_result_message,
        card_owner_id: &e.storage.card_owner_id,
        user_unique_id: &e.storage.user_unique_id,
        card_hash: &e.storage.card_hash,
        card_bank_id: &e.storage.card_bank_id,
        company_cost_ratio: Ratio(e.ratio_bp),
        company_commission: Tl(e.split.commission),
        company_commission_with_tax: Tl(e.split.commission + e.split.tax),
        company_net_amount: Tl(e.split.net),
        plus_installment: "",
        card_type: "cc",
        card_brand_name: e.card_brand,
        card_logo_url: &e.storage.card_logo_url,
        md_status: if e.is_tds { 1 } else { -1 },
        object_name: "transaction",
        code,
        message,
    }
}

/// `v2/transaction/tds_charge` answer: the `charge` transaction (v1 names, `md_status`),
/// plus the `reference_no` that clients of tds_charge read.
#[derive(Serialize)]
pub struct TdsChargeResponse<'a> {
    #[serde(flatten)]
    transaction: ChargeResponse<'a>,
    reference_no: &'a str,
}

pub fn tds_charge_response(e: &Entry, replay: bool) -> TdsChargeResponse<'_> {
    TdsChargeResponse {
        transaction: charge_response(e, replay),
        reference_no: &e.reference_no,
    }
}

/// One row of `v1/transaction/check`'s `Data`.
#[derive(Serialize)]
pub struct CheckRow<'a> {
    xact_id: &'a str,
    /// Void (a reversed pre-auth or capture) or cancelled / refunded in full (the legacy
    /// detail model's name).
    reversed: bool,
    id: u64,
    xact_date: String,
    transaction_type: u8,
    pos_type: u8,
    is_tds: bool,
    agent_id: &'a str,
    note: &'a str,
    ratio: Ratio,
    agent_reference: &'a str,
    bank_id: &'a str,
    bank_name: &'a str,
    card_no: &'a str,
    card_holder: &'a str,
    amount: Tl,
    net_amount: Tl,
    comission: Tl,
    comission_tax: Tl,
    currency: &'a str,
    authorization_code: String,
    reference_code: String,
    order_id: String,
    instalment: i64,
    card_type: &'a str,
    is_succeed: bool,
    xact_transaction_id: String,
    email: Option<&'a str>,
    phone: Option<&'a str>,
}

pub fn check_row(e: &Entry, reversed: bool) -> CheckRow<'_> {
    CheckRow {
        xact_id: &e.xact_id,
        reversed,
        id: e.id,
        xact_date: util::iso_7(&e.date),
        transaction_type: e.transaction_type,
        pos_type: 5,
        is_tds: e.is_tds,
        agent_id: &e.agent_id,
        note: &e.description,
        ratio: Ratio(e.ratio_bp),
        agent_reference: e
            .after
            .agent_reference
            .as_deref()
            .unwrap_or(&e.reference_no),
        bank_id: e.bank.id,
        bank_name: e.bank.name,
        card_no: &e.card_masked,
        card_holder: &e.card_holder,
        amount: Tl(e.split.amount),
        net_amount: Tl(e.split.net),
        comission: Tl(e.split.commission),
        comission_tax: Tl(e.split.tax),
        currency: "TRY",
        authorization_code: e.authorization_code(),
        reference_code: e.reference_code(),
        order_id: e.order_id(),
        instalment: e.instalment,
        card_type: "cc",
        is_succeed: e.is_succeed,
        xact_transaction_id: e.parent.unwrap_or(e.id).to_string(),
        email: e.email.as_deref(),
        phone: e.phone.as_deref(),
    }
}
