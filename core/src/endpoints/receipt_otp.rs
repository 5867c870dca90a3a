//! `v2/agent/create_end_user_receipt_otp`: the SMS code of an "OTP-verified
//! end-user receipt" payment.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};

/// Texts the customer the one-time code an OTP-verified receipt payment needs.
#[derive(Doc)]
pub struct SendReceiptOtp;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct SendReceiptOtpParams {
    /// The customer's mobile number: `05` and nine digits (`05321234567`).
    #[spec(wire = "phoneNumber", not_blank, max_len = 11)]
    pub phone_number: String,
}

impl Endpoint for SendReceiptOtp {
    const NAME: &'static str = "payments.send_receipt_otp";
    const PATH: &'static str = "v2/agent/create_end_user_receipt_otp";
    /// A resent request texts a second code: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("the customer may have the code already: ask before sending another");
    type Params = SendReceiptOtpParams;
    super::acknowledged!();

    fn to_wire(p: &SendReceiptOtpParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let n = &p.phone_number;
        if !(n.len() == 11 && n.starts_with("05") && n.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::invalid("phone_number", "must be `05` and nine digits, like 05321234567"));
        }
        Ok(p.to_wire_declared(options))
    }
}
