//! Every endpoint, one module each, and the registry bindings call through.
//!
//! Adding an endpoint: write `endpoints/<name>.rs` (the params' declaration
//! with `#[derive(Spec)]`, which also validates them and builds a plain wire
//! body; `#[derive(Doc)]` on the endpoint type; how to read the answer), add
//! it to `registry!` below and run `make gen` (see ARCHITECTURE.md).

pub mod agent;
pub mod capture;
pub mod cards;
pub mod charge;
pub mod check;
pub mod membership;
pub mod payment;
pub mod payment_list;
pub mod payment_list_range;
pub mod confirmation;
pub(crate) mod pages;
pub mod paylink;
pub mod preauth_reversal;
pub mod ratio;
pub mod receipt_otp;
pub mod refund;
pub mod services;
pub mod subscription;
pub mod subscription_card;
pub mod subscription_invoice;
pub mod tds;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::endpoint::RetryPolicy;
use crate::models::{Transaction, TransactionRecord};
use crate::wire::Reader;
use crate::wire::FromAnswer;

/// In an `Endpoint` impl: the method answers an [`Acknowledgement`](crate::models::Acknowledgement)
/// (result code 0 and a message; another code is an `api` error), its
/// `Output` and `from_wire` declared once for every such method.
macro_rules! acknowledged {
    () => {
        type Output = crate::models::Acknowledgement;

        fn from_wire(_: &Self::Params, body: &serde_json::Map<String, serde_json::Value>) -> Result<crate::models::Acknowledgement, crate::error::Error> {
            crate::models::Acknowledgement::from_wire(body)
        }
    };
}
pub(crate) use acknowledged;

/// Paynet's `paynetj3derror`: the cardholder was not verified, so nothing was charged.
const CODE_3D_FAILED: i64 = 16;

/// A money-moving answer: success (code 0), replay (code 100), or a decline
/// (HTTP 200 with `is_succeed: false`), which becomes a `card_declined` error
/// carrying the whole transaction. `sent_reference` is the `reference_no`
/// the request carried: an answer about another one is not believed. A
/// success must have every field `Transaction` requires.
pub(crate) fn transaction_result(body: &Map<String, Value>, sent_reference: Option<&str>, policy: RetryPolicy) -> Result<Transaction, Error> {
    let tx = transaction_record(body, sent_reference, policy)?;
    let reference_no = tx.reference_no.clone();
    tx.into_success().map_err(|missing| success_not_believed(missing, reference_no, policy))
}

/// `transaction_result` for an answer that promises only an `xact_id` on
/// success (a reversed capture's), as Paynet's record.
pub(crate) fn transaction_record(body: &Map<String, Value>, sent_reference: Option<&str>, policy: RetryPolicy) -> Result<TransactionRecord, Error> {
    if Reader::new(body).bool(&["is_succeed"])?.is_none() {
        return Err(without_transaction(body));
    }
    let tx = TransactionRecord::from_wire(body)?;
    same_reference(&tx, sent_reference)?;
    if tx.is_succeed {
        // Amounts are not compared: Paynet's own capture answer says
        // `"amount": 0`, and `add_commission` changes what is charged.
        if tx.xact_id.is_none() {
            return Err(success_not_believed("xact_id", tx.reference_no, policy));
        }
        return Ok(tx);
    }
    let reason = tx
        .bank_error_message
        .clone()
        .or_else(|| tx.paynet_error_message.clone())
        .or_else(|| tx.message.clone())
        .unwrap_or_else(|| "no reason given".to_owned());
    let mut e = if tx.result_code == Some(CODE_3D_FAILED) {
        Error::new(ErrorKind::ThreeDSecureFailed, format!("3D Secure did not verify the cardholder: {reason}"))
    } else {
        Error::new(ErrorKind::CardDeclined, format!("The card was declined: {reason}"))
    };
    e.result_code = tx.result_code;
    e.paynet_error_id = tx.paynet_error_id.clone();
    e.bank_error_code = tx.bank_error_code.clone();
    e.bank_message = tx.bank_error_message.clone();
    e.reference_no = tx.reference_no.clone();
    e.transaction = Some(Box::new(tx));
    Err(e)
}

/// A success that lacks a field every success has is not believed, yet it
/// says the money moved: `unknown_outcome`, never a half-empty result nor a
/// `protocol` error that reads as "nothing happened". It names the answer's
/// reference when the request sent none (a charge's `agent_reference_no`).
fn success_not_believed(missing: &str, reference_no: Option<String>, policy: RetryPolicy) -> Error {
    let what = format!("Paynet's answer says the transaction succeeded but has no `{missing}`, so this SDK cannot report it");
    let mut e = Error::new(ErrorKind::UnknownOutcome, crate::client::unknown_outcome(&what, policy));
    e.reference_no = reference_no;
    e
}

/// An answer that echoes a reference must echo the one sent: another one
/// means the answer is about someone else's payment.
pub(crate) fn same_reference(tx: &TransactionRecord, sent: Option<&str>) -> Result<(), Error> {
    match (sent, tx.reference_no.as_deref()) {
        (Some(sent), Some(echoed)) if sent != echoed => Err(Error::new(
            ErrorKind::Protocol,
            format!("Paynet answered about reference_no {echoed:?}, not the {sent:?} that was sent: the answer is not believed"),
        )),
        _ => Ok(()),
    }
}

/// The reference a check row echoes as the request's own: `reference_no`
/// or `agent_reference_no`. Not `agent_reference`, which
/// `transactions.add_info` lets the shop change afterwards: comparing it
/// would refuse true answers.
pub(crate) fn echoed_reference(row: &Map<String, Value>) -> Option<String> {
    Reader::new(row).string(&["reference_no", "agent_reference_no"])
}

/// A 2xx answer with no transaction in it: a business error Paynet chose to
/// send with status 200 (not a bank decline), or a body we cannot read.
fn without_transaction(body: &Map<String, Value>) -> Error {
    let r = Reader::new(body);
    match r.int(&["code"]).ok().flatten() {
        Some(code) if code != 0 && code != crate::models::CODE_REPLAYED => result_code_error(&r, code),
        _ => Error::new(ErrorKind::Protocol, "Paynet's answer has no `is_succeed`: it is not a transaction"),
    }
}

/// A 2xx answer whose result code says Paynet did not do it: an `api` error
/// with Paynet's message, code and type.
pub(crate) fn result_code_error(r: &Reader<'_>, code: i64) -> Error {
    let mut e = Error::new(ErrorKind::Api, r.string(&["message"]).unwrap_or_else(|| format!("Paynet result code {code}")));
    e.result_code = Some(code);
    e.error_type = r.string(&["type"]);
    e
}

/// A 2xx answer that is one model: a result code other than 0 is an `api`
/// error with Paynet's message; an absent one is taken as success, since
/// the model's own required fields prove the answer is what was asked.
pub(crate) fn checked_answer<T: FromAnswer>(body: &Map<String, Value>) -> Result<T, Error> {
    let r = Reader::new(body);
    match r.int(&["code"])? {
        Some(code) if code != 0 => Err(result_code_error(&r, code)),
        _ => T::from_wire(body),
    }
}

/// One `Data` row of a list answer, which must be an object.
pub(crate) fn data_row(row: &Value) -> Result<&Map<String, Value>, Error> {
    row.as_object().ok_or_else(|| Error::new(ErrorKind::Protocol, "Paynet returned a `Data` row that is not an object"))
}

/// A status the user names, sent as Paynet's code (`(name, code)` pairs);
/// any other name is refused, naming the ones there are.
pub(crate) fn status_code(name: &str, codes: &[(&str, i64)]) -> Result<i64, Error> {
    codes.iter().find(|(known, _)| *known == name).map(|(_, code)| *code).ok_or_else(|| {
        let names: Vec<String> = codes.iter().map(|(known, _)| format!("\"{known}\"")).collect();
        Error::invalid("status", format!("must be {}", names.join(" or ")))
    })
}

/// Paynet's "no data" (result code 12) as an `api` error.
pub(crate) fn not_found(body: &Map<String, Value>) -> Error {
    let r = Reader::new(body);
    let mut e = Error::new(ErrorKind::Api, r.string(&["message"]).unwrap_or_else(|| "No such transaction".to_owned()));
    e.result_code = Some(r.int(&["code"]).ok().flatten().filter(|c| *c != 0).unwrap_or(12));
    e.error_type = Some("no_data_error".to_owned());
    e
}

/// Generates the name-based dispatch the bindings use, from one list.
macro_rules! registry {
    ($($endpoint:ty),* $(,)?) => {
        /// Every method name a binding can call.
        pub const METHODS: &[&str] = &[$(<$endpoint as crate::endpoint::Endpoint>::NAME),*];
        /// Their paths, in the same order.
        pub const PATHS: &[&str] = &[$(<$endpoint as crate::endpoint::Endpoint>::PATH),*];
        /// Their `SETTLE` remedies, by name: their placeholders are checked in tests.
        #[cfg(test)]
        pub(crate) const SETTLES: &[(&str, Option<&str>)] =
            &[$((<$endpoint as crate::endpoint::Endpoint>::NAME, <$endpoint as crate::endpoint::Endpoint>::SETTLE)),*];

        /// Every method as the spec describes it, in the same order.
        pub(crate) fn describe_methods(registry: &mut crate::spec::Registry) -> Vec<crate::spec::MethodSpec> {
            vec![$(crate::spec::describe::<$endpoint>(registry)),*]
        }

        impl crate::client::Client {
            /// Calls a method by name with user-facing JSON parameters. The
            /// bindings' one path: they serialize the result straight into
            /// their own representation.
            pub async fn call_output(
                &self,
                method: &str,
                params: serde_json::Value,
                options: &crate::config::RequestOptions,
            ) -> Result<crate::client::Output, crate::error::Error> {
                #[cfg(feature = "test-hooks")]
                if method == crate::client::PANIC_PROBE {
                    return self.panic_probe().await;
                }
                $(if method == <$endpoint as crate::endpoint::Endpoint>::NAME {
                    return self.call_boxed::<$endpoint>(params, options).await;
                })*
                Err(crate::error::Error::invalid("method", format!("unknown method `{method}`")))
            }

            /// Reads an answer as a call of `method` with `params` would:
            /// status mapping, decoding, the checks on successes. No network:
            /// for fuzzing and property tests of the decoders.
            pub fn read_answer(
                &self,
                method: &str,
                params: serde_json::Value,
                status: u16,
                body: &[u8],
            ) -> Result<serde_json::Value, crate::error::Error> {
                $(if method == <$endpoint as crate::endpoint::Endpoint>::NAME {
                    return self.read_answer_as::<$endpoint>(params, status, body);
                })*
                Err(crate::error::Error::invalid("method", format!("unknown method `{method}`")))
            }

            /// Validates and encodes without sending: the path and exact wire body.
            pub fn prepare_value(
                &self,
                method: &str,
                params: serde_json::Value,
            ) -> Result<crate::client::PreparedRequest, crate::error::Error> {
                $(if method == <$endpoint as crate::endpoint::Endpoint>::NAME {
                    return self.prepare_json::<$endpoint>(params);
                })*
                Err(crate::error::Error::invalid("method", format!("unknown method `{method}`")))
            }
        }
    };
}

registry!(
    payment::CreatePayment,
    tds::CreateThreeDSecure,
    tds::CompleteThreeDSecure,
    receipt_otp::SendReceiptOtp,
    charge::Charge,
    capture::Capture,
    preauth_reversal::CancelPreAuth,
    refund::CancelCapture,
    check::Check,
    check::Lookup,
    services::RetrieveTransaction,
    services::ListTransactions,
    services::MarkTransferred,
    services::AddInfo,
    services::Slip,
    services::UploadSignature,
    services::UpdateEscrow,
    payment_list::PaymentList,
    payment_list_range::PaymentListRange,
    paylink::CreatePayLink,
    paylink::RetrievePayLink,
    paylink::ListPayLinks,
    paylink::UpdatePayLinkStatus,
    confirmation::ParseConfirmation,
    confirmation::VerifyConfirmation,
    refund::CreateRefund,
    refund::ListRefunds,
    cards::SaveCard,
    cards::ListCards,
    cards::DeleteCard,
    cards::UpdateCardDescription,
    cards::SendCardOtp,
    cards::CheckCardOtp,
    ratio::GetRatios,
    ratio::InstalmentTableOf,
    ratio::SetRatioType,
    ratio::DeleteRatioType,
    ratio::DefineRatios,
    ratio::GetPublicRatios,
    agent::AutoLogin,
    agent::Login,
    agent::CheckAgent,
    agent::LimitInfo,
    agent::CheckIntegrationInfo,
    subscription::CreateSubscription,
    subscription::RetrieveSubscription,
    subscription::ListSubscriptions,
    subscription::UpdateSubscriptionStatus,
    subscription::UpdateSubscriptionAmount,
    subscription::SendSubscriptionAgain,
    subscription_invoice::CreateInvoice,
    subscription_invoice::ListInvoices,
    subscription_invoice::ChargeInvoice,
    subscription_invoice::UpdateInvoiceStatus,
    subscription_invoice::UpdateAllInvoiceStatuses,
    subscription_invoice::UpdateInvoiceAmount,
    subscription_card::ListSubscriptionCards,
    subscription_card::UpdateCardLabel,
    subscription_card::DeleteCard,
    subscription_card::LinkCard,
    subscription_card::ArrangeCards,
    subscription_card::AddCard3d,
    subscription_card::CompleteAddCard3d,
    membership::CreateApplication,
    membership::RetrieveApplication,
    membership::ListDocumentTypes,
    membership::ListAllDocumentTypes,
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    const POLICY: RetryPolicy = RetryPolicy::OnlyIfNotSent;

    /// A success with every field `Transaction` requires, plus `extra`.
    fn success(extra: Value) -> Map<String, Value> {
        let mut body = obj(json!({"is_succeed": true, "code": 0, "xact_id": "xk_1", "xact_date": "2020-01-30T14:38:44.6478544+03:00", "amount": 80}));
        body.extend(obj(extra));
        body
    }

    #[test]
    fn a_200_without_a_transaction_is_not_a_decline() {
        let e = transaction_result(&obj(json!({"code": 5, "message": "duplicatedata"})), None, POLICY).unwrap_err();
        assert_eq!((e.kind, e.result_code), (ErrorKind::Api, Some(5)));
        let e = transaction_result(&obj(json!({"code": 0, "message": "ok"})), None, POLICY).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol);
        let e = transaction_result(&obj(json!({"is_succeed": "False", "code": 1, "bank_error_id": "05"})), None, POLICY).unwrap_err();
        assert_eq!((e.kind, e.bank_error_code.as_deref()), (ErrorKind::CardDeclined, Some("05")));
        let e = transaction_result(&obj(json!({"is_succeed": false, "code": 16, "paynet_error_message": "cancelled"})), None, POLICY).unwrap_err();
        assert_eq!((e.kind, e.result_code), (ErrorKind::ThreeDSecureFailed, Some(16)));
        assert!(e.transaction.is_some() && e.message.ends_with("cancelled"));
    }

    #[test]
    fn a_success_needs_the_reference_sent() {
        let other = success(json!({"reference_no": "R2"}));
        assert_eq!(transaction_result(&other, Some("R1"), POLICY).unwrap_err().kind, ErrorKind::Protocol);
        let declined_other = obj(json!({"is_succeed": false, "reference_no": "R2"}));
        assert_eq!(transaction_result(&declined_other, Some("R1"), POLICY).unwrap_err().kind, ErrorKind::Protocol);
        assert_eq!(transaction_result(&other, Some("R2"), POLICY).unwrap().xact_id, "xk_1");
        // Not every answer echoes the reference; the sample capture answer does not.
        assert!(transaction_result(&success(json!({})), Some("R1"), POLICY).is_ok());
    }

    #[test]
    fn a_success_without_a_required_field_is_an_unknown_outcome() {
        for missing in ["xact_id", "xact_date", "amount"] {
            for absent in [None, Some(Value::Null), Some(json!(""))] {
                let mut body = success(json!({"agent_reference_no": "R1"}));
                match &absent {
                    None => body.remove(missing),
                    Some(v) => body.insert(missing.into(), v.clone()),
                };
                let e = transaction_result(&body, None, POLICY).unwrap_err();
                assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{missing} {absent:?}");
                assert!(e.message.contains(&format!("has no `{missing}`")) && e.message.contains("transactions.lookup"), "{}", e.message);
                // The answer's reference, for the lookup, when the request sent none.
                assert_eq!(e.reference_no.as_deref(), Some("R1"));
                assert!(e.transaction.is_none());
            }
        }
        // A deduplicated payment may also be repeated with its reference.
        let e = transaction_result(&obj(json!({"is_succeed": true, "xact_id": "xk_1"})), Some("R1"), RetryPolicy::Deduplicated).unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownOutcome);
        assert!(e.message.contains("has no `xact_date`") && e.message.contains("same reference_no"), "{}", e.message);
        // A declined answer promises none of them.
        let e = transaction_result(&obj(json!({"is_succeed": false, "code": 1})), None, POLICY).unwrap_err();
        assert_eq!(e.kind, ErrorKind::CardDeclined);
        // A reversed capture's answer promises only the xact_id.
        assert!(transaction_record(&obj(json!({"is_succeed": true, "xact_id": "xk_1"})), None, POLICY).is_ok());
        let e = transaction_record(&obj(json!({"is_succeed": true, "amount": 1})), None, POLICY).unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownOutcome);
    }

    #[test]
    fn a_success_keeps_what_the_answer_said() {
        let tx = transaction_result(&success(json!({"amount": "12.5", "currency": "TRY"})), None, POLICY).unwrap();
        assert_eq!((tx.amount, tx.currency.as_deref()), (rust_decimal::Decimal::new(125, 1), Some("TRY")));
        assert_eq!(tx.xact_date.to_rfc3339(), "2020-01-30T14:38:44.647854400+03:00");
        // A capture's own answer says `"amount": 0`: present, so believed.
        assert_eq!(transaction_result(&success(json!({"amount": 0})), None, POLICY).unwrap().amount, rust_decimal::Decimal::ZERO);
    }
}
