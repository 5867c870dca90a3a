//! Agents (dealers, `v1/agent/*`): what a marketplace needs to manage the
//! sub-merchants it takes payments for. Passwords, keys, session keys and
//! one-time login links are `SecretText`: masked in Debug and in Python's and
//! Node's reprs, and never repeated by an error.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::checked_answer;
use crate::endpoint::{Endpoint, RetryPolicy};
use crate::error::Error;
use crate::models::money_text;
use crate::secret::SecretText;
use crate::spec::{Doc, Spec};

/// A one-time link that logs an agent's user into Paynet's panel. The link
/// is a credential: hand it to that user only, at once.
#[derive(Doc)]
pub struct AutoLogin;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct AutoLoginParams {
    /// The panel user to log in.
    #[spec(not_blank, max_len = 100)]
    pub user_name: String,
    /// The agent (dealer) the user belongs to.
    #[spec(not_blank, max_len = 10)]
    pub agent_id: String,
}

/// The panel's one-time login link.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct AgentLoginLink {
    /// Open it once; it is a credential (hidden from reprs).
    pub url: Option<SecretText>,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for AutoLogin {
    const NAME: &'static str = "agents.autologin";
    const PATH: &'static str = "v1/agent/autologin";
    /// Each call mints another one-time credential: never sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("a link may have been made, unseen, and no one else has it: ask for a new one");
    type Params = AutoLoginParams;
    type Output = AgentLoginLink;

    fn from_wire(_: &AutoLoginParams, body: &Map<String, Value>) -> Result<AgentLoginLink, Error> {
        let link: AgentLoginLink = checked_answer(body)?;
        if link.url.is_none() {
            return Err(Error::new(crate::error::ErrorKind::Protocol, "Paynet's answer has no `url`"));
        }
        Ok(link)
    }
}

/// Logs an agent's user in: a session key and the dealer's profile.
#[derive(Doc)]
pub struct Login;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct LoginParams {
    #[spec(not_blank, max_len = 100)]
    pub user_name: String,
    /// Never shown: masked in reprs, logs and errors.
    #[spec(not_blank, max_len = 100)]
    pub password: SecretText,
    #[spec(not_blank, max_len = 10)]
    pub agent_id: String,
    /// The device's push token (Paynet requires one).
    #[spec(not_blank, max_len = 500)]
    pub pushtoken_id: String,
    #[spec(max_len = 10)]
    pub company_code: Option<String>,
    #[spec(max_len = 20)]
    pub os_type: Option<String>,
    #[spec(max_len = 50)]
    pub device_type: Option<String>,
}

/// An agent user's session and the dealer's profile.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct AgentSession {
    /// The session's key (hidden from reprs).
    pub session_key: Option<SecretText>,
    /// When the session ends.
    #[serde(with = "crate::kinds::datetime")]
    #[spec(answer = "expired_date")]
    pub expires_at: Option<DateTime<FixedOffset>>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub user_name: Option<String>,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub user_phone: Option<String>,
    pub company_code: Option<String>,
    pub company_desc: Option<String>,
    pub logo_url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[spec(answer = ["adress1", "address1"])]
    pub address1: Option<String>,
    #[spec(answer = ["adress2", "address2"])]
    pub address2: Option<String>,
    pub city_name: Option<String>,
    pub county_name: Option<String>,
    pub zip_code: Option<String>,
    pub tax_office: Option<String>,
    pub tax_id: Option<String>,
    /// The dealer's reference number (`agents.check_agent` finds the dealer by it).
    #[spec(answer = ["referans_no", "reference_no"])]
    pub agent_reference_no: Option<String>,
}

impl Endpoint for Login {
    const NAME: &'static str = "agents.login";
    const PATH: &'static str = "v1/agent/login";
    /// Each login opens another session, and a resent wrong password counts
    /// against the user again: never sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("a session may have been opened, unseen (it ends at its expiry): log in again");
    type Params = LoginParams;
    type Output = AgentSession;

    fn from_wire(_: &LoginParams, body: &Map<String, Value>) -> Result<AgentSession, Error> {
        let session: AgentSession = checked_answer(body)?;
        if session.session_key.is_none() {
            return Err(Error::new(crate::error::ErrorKind::Protocol, "Paynet's answer has no `session_key`"));
        }
        Ok(session)
    }
}

/// Finds a dealer by its reference number. Paynet takes the number alone
/// as the request body (a bare JSON string).
#[derive(Doc)]
pub struct CheckAgent;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CheckAgentParams {
    /// The dealer's reference number, e.g. `987345`.
    #[spec(not_blank, max_len = 50)]
    pub agent_reference_no: String,
}

/// The dealer a reference number names.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct AgentRef {
    pub agent_id: String,
    pub company_code: Option<String>,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for CheckAgent {
    const NAME: &'static str = "agents.check_agent";
    const PATH: &'static str = "v1/agent/check_agent";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const BARE_BODY: Option<&'static str> = Some("agent_reference_no");
    type Params = CheckAgentParams;
    type Output = AgentRef;

    fn from_wire(_: &CheckAgentParams, body: &Map<String, Value>) -> Result<AgentRef, Error> {
        checked_answer(body)
    }
}

/// An agent's limits: defined, used and available, for non-3D and 3D
/// (`td_`) payments. Payments with the agent's `agent_id` use them up.
#[derive(Doc)]
pub struct LimitInfo;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct LimitInfoParams {
    /// The agent whose limits to read; Paynet documents no parameter, so
    /// without it the answer is about the key's own company (sent only when given).
    #[spec(not_blank, max_len = 10)]
    pub agent_id: Option<String>,
}

/// An agent's limits, in TL.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct AgentLimits {
    #[serde(serialize_with = "money_text")]
    pub defined_limit: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub used_limit: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub available_limit: Option<Decimal>,
    /// 3D Secure payments' limit.
    #[serde(serialize_with = "money_text")]
    pub td_defined_limit: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub td_used_limit: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub td_available_limit: Option<Decimal>,
}

impl Endpoint for LimitInfo {
    const NAME: &'static str = "agents.limit_info";
    const PATH: &'static str = "v1/agent/limit_info";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = LimitInfoParams;
    type Output = AgentLimits;

    fn from_wire(_: &LimitInfoParams, body: &Map<String, Value>) -> Result<AgentLimits, Error> {
        checked_answer(body)
    }
}

/// Checks that an `agent_id` and its key pair belong together (before
/// storing a dealer's keys, say). A mismatch is an `api` error.
#[derive(Doc)]
pub struct CheckIntegrationInfo;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CheckIntegrationInfoParams {
    #[spec(not_blank, max_len = 10)]
    pub agent_id: String,
    /// The agent's `pbk_…` key. Never shown.
    #[spec(not_blank, max_len = 200)]
    pub publishable_key: SecretText,
    /// The agent's `sck_…` key. Never shown.
    #[spec(not_blank, max_len = 200)]
    pub secret_key: SecretText,
}

impl Endpoint for CheckIntegrationInfo {
    const NAME: &'static str = "agents.check_integration_info";
    const PATH: &'static str = "v1/agent/check_integration_info";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = CheckIntegrationInfoParams;
    super::acknowledged!();
}
