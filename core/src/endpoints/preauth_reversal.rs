//! `v1/transaction/preauth_reversal`: cancel a pre-auth that was not captured.

use serde::Deserialize;

use crate::endpoint::{Endpoint, RetryPolicy};
use crate::spec::{Doc, Spec};

/// Cancels a pre-auth that was not captured, releasing the amount held on the card.
///
/// A pre-auth can be cancelled once, and not after its capture; a cancelled
/// one cannot be captured. `transactions.check` then shows it `reversed`.
#[derive(Doc)]
pub struct CancelPreAuth;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CancelPreAuthParams {
    /// The pre-auth's `xact_id`.
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
}

impl Endpoint for CancelPreAuth {
    const NAME: &'static str = "payments.cancel_pre_auth";
    const PATH: &'static str = "v1/transaction/preauth_reversal";
    /// Not known to be deduplicated, and a second cancel's refusal would hide the first one's success.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    type Params = CancelPreAuthParams;
    super::acknowledged!();
}
