//! Agents (dealers, `v1/agent/*`, paynet-api.md §3.5, §5.10): a fixed set of test
//! dealers with panel users, keys and limits. The limits are what successful payments
//! with the dealer's `agent_id` have used (3D ones against the `td_` limit), read from the
//! ledger, so refunds give them back; a payment beyond the limit is refused.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::payment::{Attempt, COMPANY_CODE};
use super::responses::MSG_OK;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::ledger::{self, Ledger};
use crate::money;
use crate::pages;
use crate::util;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

/// Where an autologin link leads: the panel's gate, served by the sandbox.
pub const GATE_PATH: &str = "/__sandbox/agent/gate";
const AGENT_NOT_FOUND: i32 = 4;

/// One test dealer.
pub struct Agent {
    pub agent_id: &'static str,
    pub name: &'static str,
    pub reference_no: &'static str,
    pub user_name: &'static str,
    pub password: &'static str,
    pub publishable_key: &'static str,
    pub secret_key: &'static str,
    /// Kuruş; 0 = no limit.
    pub defined_limit: i64,
    pub td_defined_limit: i64,
}

/// The dealers every sandbox knows (README "Agents").
pub const AGENTS: [Agent; 2] = [
    Agent {
        agent_id: "20077",
        name: "Test Bayi A.Ş.",
        reference_no: "987345",
        user_name: "bayi.kullanici",
        password: "Bayi.Sifre.1",
        publishable_key: "pbk_agent_20077_test",
        secret_key: "sck_agent_20077_test",
        defined_limit: 100_000,
        td_defined_limit: 500_000,
    },
    Agent {
        agent_id: "20078",
        name: "İkinci Bayi Ltd.",
        reference_no: "123456",
        user_name: "ikinci.bayi",
        password: "Ikinci.Sifre.2",
        publishable_key: "pbk_agent_20078_test",
        secret_key: "sck_agent_20078_test",
        defined_limit: 0,
        td_defined_limit: 0,
    },
];

fn agent(agent_id: &str) -> ApiResult<&'static Agent> {
    AGENTS.iter().find(|a| a.agent_id == agent_id).ok_or_else(|| {
        ApiError::invalid_rc(
            AGENT_NOT_FOUND,
            format!("Bayi bulunamadı (no agent {agent_id})"),
        )
    })
}

/// One-time panel links (`autologin`): token → (agent, user), until opened.
#[derive(Default)]
pub struct Gates(HashMap<String, (String, String)>);

/// `(used, used_td)` in kuruş: the agent's successful payments, net of reversals.
fn used(l: &Ledger, agent_id: &str) -> (i64, i64) {
    l.entries()
        .iter()
        .filter(|e| e.is_succeed && e.agent_id == agent_id)
        .fold((0, 0), |(plain, td), e| {
            if e.is_tds {
                (plain, td + e.signed_amount())
            } else {
                (plain + e.signed_amount(), td)
            }
        })
}

/// Kuruş of agents' limits held by payments the bank is still deciding,
/// `(plain, td)` per agent. A payment is checked and held in one step under the
/// ledger's lock, and released under the lock it is recorded with, so payments
/// in flight together cannot go beyond a limit.
#[derive(Default)]
pub struct LimitHolds(HashMap<String, (i64, i64)>);

/// One payment's hold on its agent's limit (none for a payment of no test agent).
#[must_use = "a hold is released with release_in, when the payment is recorded"]
pub struct LimitHold(Option<(&'static str, bool, i64)>);

impl LimitHold {
    pub fn release_in(self, l: &mut Ledger) {
        if let Some((agent_id, is_tds, amount)) = self.0
            && let Some((plain, td)) = l.limit_holds.0.get_mut(agent_id)
        {
            *(if is_tds { td } else { plain }) -= amount;
        }
    }
}

/// A payment for an agent must fit in what is left of its limit, after what
/// the payments in flight hold; it then holds its own amount.
pub fn hold_limit(l: &mut Ledger, attempt: &Attempt) -> ApiResult<LimitHold> {
    let Some(a) = AGENTS.iter().find(|a| a.agent_id == attempt.agent_id) else {
        return Ok(LimitHold(None));
    };
    let (plain, td) = used(l, a.agent_id);
    let held = l.limit_holds.0.entry(a.agent_id.to_owned()).or_default();
    let (defined, used, held) = if attempt.is_tds {
        (a.td_defined_limit, td, &mut held.1)
    } else {
        (a.defined_limit, plain, &mut held.0)
    };
    let amount = attempt.split.amount;
    if defined > 0 && used + *held + amount > defined {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            "Bayi limiti yetersiz (the agent's limit does not cover this payment)",
        ));
    }
    *held += amount;
    Ok(LimitHold(Some((a.agent_id, attempt.is_tds, amount))))
}

/// The limits as the reference lists them: strings (`"1000.00"`), not numbers.
#[derive(Serialize)]
struct Limits {
    td_defined_limit: String,
    defined_limit: String,
    td_used_limit: String,
    used_limit: String,
    td_available_limit: String,
    available_limit: String,
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

fn tl_text(kurus: i64) -> String {
    money::format_tl(kurus, 2)
}

pub async fn limit_info(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let agent_id = f.string("agent_id", 10)?.unwrap_or_else(|| COMPANY_CODE.to_owned());
        let (defined, td_defined) = if agent_id == COMPANY_CODE {
            (0, 0)
        } else {
            let a = agent(&agent_id)?;
            (a.defined_limit, a.td_defined_limit)
        };
        let (used, td_used) = used(&ledger::lock(&s.ledger), &agent_id);
        Ok(json_ok(&Limits {
            td_defined_limit: tl_text(td_defined),
            defined_limit: tl_text(defined),
            td_used_limit: tl_text(td_used),
            used_limit: tl_text(used),
            td_available_limit: tl_text((td_defined - td_used).max(0)),
            available_limit: tl_text((defined - used).max(0)),
            object_name: "agent_limit_info",
            code: 0,
            message: MSG_OK,
        }))
    }))
}

#[derive(Serialize)]
struct Link {
    url: String,
    object_name: Option<&'static str>,
    code: i32,
    message: &'static str,
}

pub async fn autologin(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let user_name = f.required_string("user_name", 100)?;
        let a = agent(&f.required_string("agent_id", 10)?)?;
        if a.user_name != user_name {
            return Err(ApiError::invalid_rc(
                AGENT_NOT_FOUND,
                "Kullanıcı bulunamadı (no such user for this agent)",
            ));
        }
        let token = s.rng.token(32);
        ledger::lock(&s.ledger)
            .agent_gates
            .0
            .insert(token.clone(), (a.agent_id.to_owned(), user_name));
        Ok(json_ok(&Link {
            url: format!("{}{GATE_PATH}?al={token}", s.base_url),
            object_name: None,
            code: 0,
            message: MSG_OK,
        }))
    }))
}

#[derive(Deserialize)]
pub struct GateQuery {
    al: String,
}

/// The panel's landing page: the link works once.
pub async fn gate(State(s): State<Arc<Shared>>, Query(q): Query<GateQuery>) -> Response {
    let opened = ledger::lock(&s.ledger).agent_gates.0.remove(&q.al);
    match opened {
        Some((agent_id, user_name)) => pages::html(
            StatusCode::OK,
            pages::document(
                "Paynet bayi paneli",
                &format!(
                    "<p>Hoş geldiniz, {} ({}) (logged in)</p>\n",
                    pages::escape(&user_name),
                    pages::escape(&agent_id)
                ),
            ),
        ),
        None => pages::html(
            StatusCode::GONE,
            pages::document(
                "Paynet bayi paneli",
                "<p class=\"error\">Bu bağlantı kullanılmış veya geçersiz (the link was used or is invalid)</p>\n",
            ),
        ),
    }
}

#[derive(Serialize)]
struct Session {
    session_key: String,
    expired_date: String,
    agent_id: &'static str,
    agent_name: &'static str,
    user_name: &'static str,
    user_id: String,
    user_email: String,
    company_code: &'static str,
    company_desc: &'static str,
    referans_no: &'static str,
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

#[derive(Serialize)]
struct Refused {
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

pub async fn login(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let user_name = f.required_string("user_name", 100)?;
        let password = f.required_string("password", 100)?;
        let a = agent(&f.required_string("agent_id", 10)?)?;
        f.required_string("pushtoken_id", 500)?;
        if a.user_name != user_name || a.password != password {
            return Ok(json_ok(&Refused {
                object_name: "agent_login",
                code: rc::UNSUCCESSFUL,
                message: "Kullanıcı adı veya şifre hatalı (wrong user name or password)",
            }));
        }
        let expires = s.clock.now() + chrono::Duration::days(1);
        Ok(json_ok(&Session {
            session_key: format!("ssk_{}", s.rng.token(40)),
            expired_date: util::iso_7(&expires),
            agent_id: a.agent_id,
            agent_name: a.name,
            user_name: a.user_name,
            user_id: format!("u{}", a.agent_id),
            user_email: format!("{}@example.com", a.user_name),
            company_code: COMPANY_CODE,
            company_desc: "Paynet Sandbox A.Ş.",
            referans_no: a.reference_no,
            object_name: "agent_login",
            code: 0,
            message: MSG_OK,
        }))
    }))
}

#[derive(Serialize)]
struct Found {
    company_code: &'static str,
    agent_id: &'static str,
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

/// The body is the dealer's reference number alone, as a JSON string (or number).
pub async fn check_agent(body: Bytes) -> Response {
    let reference = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::String(s)) => s,
        Ok(Value::Number(n)) => n.to_string(),
        _ => {
            return unwrap_response(Err(ApiError::invalid(
                "Gövde bayi referans numarası olmalı, örn. \"987345\" (the body must be the dealer reference number as a JSON string)",
            )));
        }
    };
    match AGENTS.iter().find(|a| a.reference_no == reference.trim()) {
        Some(a) => json_ok(&Found {
            company_code: COMPANY_CODE,
            agent_id: a.agent_id,
            object_name: "check_agent",
            code: 0,
            message: MSG_OK,
        }),
        None => unwrap_response(Err(ApiError::invalid_rc(
            AGENT_NOT_FOUND,
            "Bayi bulunamadı (no agent with this reference number)",
        ))),
    }
}

pub async fn check_integration_info(body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let a = agent(&f.required_string("agent_id", 10)?)?;
        let publishable = f.required_string("publishable_key", 200)?;
        let secret = f.required_string("secret_key", 200)?;
        let matches = a.publishable_key == publishable && a.secret_key == secret;
        Ok(json_ok(&Refused {
            object_name: "check_integration_info",
            code: if matches { 0 } else { rc::UNSUCCESSFUL },
            message: if matches {
                MSG_OK
            } else {
                "Entegrasyon bilgileri hatalı (the keys do not belong to this agent)"
            },
        }))
    }))
}
