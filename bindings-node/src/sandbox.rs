//! `paynet/testing`: the in-process sandbox, served on napi's tokio runtime.

use std::sync::Mutex;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paynet_sandbox::chrono::{DateTime, NaiveDate};
use paynet_sandbox::cli;
use paynet_sandbox::{BankAction, DemoSpec, FaultPlan, FaultStats, Sandbox, SandboxConfig, SeedSpec};

#[napi(object)]
pub struct SandboxOptions {
    /// The key clients must send; the sandbox's default key otherwise.
    pub secret_key: Option<String>,
    /// Port on 127.0.0.1; 0 (default) picks a free one.
    pub port: Option<u32>,
    /// How long the slow-bank card (4000000000000259) takes; default 3000.
    pub slow_bank_delay_ms: Option<u32>,
    /// Days from transaction to payout date in `reports.paymentList`; default 0.
    pub settlement_days: Option<u32>,
    /// Faults active from the start: the plan as JSON text, `{"seed": n, "rules": [...]}`
    /// with the HTTP API's (snake_case) names; `lib/testing.js` writes it.
    pub faults: Option<String>,
    /// Approve refund and cancel requests as they are made; default false (they wait
    /// for `decideReversal`).
    pub auto_approve_reversals: Option<bool>,
    /// A card save needs a verified card OTP (`cards.sendOtp`, `cards.checkOtp`); default false.
    pub require_card_otp: Option<bool>,
}

#[napi(object)]
pub struct SandboxStats {
    /// API requests received (`/__sandbox/*` excluded).
    pub requests: i64,
    pub ledger_entries: i64,
}

#[napi]
pub struct SandboxHandle {
    url: String,
    secret_key: String,
    publishable_key: String,
    /// `None` once stopped.
    sandbox: Mutex<Option<Sandbox>>,
}

#[napi]
pub async fn start_sandbox(options: Option<SandboxOptions>) -> Result<SandboxHandle> {
    let mut config = SandboxConfig::default();
    if let Some(o) = options {
        if let Some(key) = o.secret_key {
            config.secret_key = key;
        }
        if let Some(port) = o.port {
            config.port = u16::try_from(port)
                .map_err(|_| Error::from_reason("port must be at most 65535"))?;
        }
        if let Some(ms) = o.slow_bank_delay_ms {
            config.slow_bank_delay = Duration::from_millis(u64::from(ms));
        }
        if let Some(days) = o.settlement_days {
            config.settlement_days = i64::from(days);
        }
        if let Some(plan) = o.faults {
            config.faults = Some(parse_plan(&plan)?);
        }
        config.auto_approve_reversals = o.auto_approve_reversals.unwrap_or(false);
        config.require_card_otp = o.require_card_otp.unwrap_or(false);
    }
    start(config).await
}

/// The usage text of the `paynet-sandbox` program (`npx paynet-sandbox --help`).
#[napi]
pub const SANDBOX_USAGE: &str = cli::USAGE;

/// The sandbox a `paynet-sandbox` command line asks for (the program's own
/// parser), or `null` for `--help`; an `InvalidArg` error with the usage otherwise.
#[napi]
pub async fn start_sandbox_from_args(args: Vec<String>) -> Result<Option<SandboxHandle>> {
    match cli::parse_args(args) {
        Ok(Some(config)) => start(config).await.map(Some),
        Ok(None) => Ok(None),
        Err(why) => Err(Error::new(Status::InvalidArg, format!("{why}\n{}", cli::USAGE))),
    }
}

async fn start(config: SandboxConfig) -> Result<SandboxHandle> {
    let sandbox = Sandbox::start_with(config)
        .await
        .map_err(|e| Error::from_reason(format!("could not start the sandbox: {e}")))?;
    Ok(SandboxHandle {
        url: sandbox.url(),
        secret_key: sandbox.secret_key().to_owned(),
        publishable_key: sandbox.publishable_key().to_owned(),
        sandbox: Mutex::new(Some(sandbox)),
    })
}

#[napi]
impl SandboxHandle {
    /// `http://127.0.0.1:PORT`: pass it as the client's `baseUrl`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    #[napi(getter)]
    pub fn secret_key(&self) -> String {
        self.secret_key.clone()
    }

    /// The key a shop page gives Paynet.js as `data-key`.
    #[napi(getter)]
    pub fn publishable_key(&self) -> String {
        self.publishable_key.clone()
    }

    /// The customer on the bank's 3D page of `session` (a `session_id` or the `post_url`):
    /// `otp`, or `cancel`. JSON text `{"return_url", "fields": [[name, value], ...]}`; an
    /// `InvalidArg` error when there is no post (unknown session, wrong code with tries left).
    #[napi(js_name = "complete3d")]
    pub fn complete_3d(
        &self,
        session: String,
        otp: Option<String>,
        cancel: Option<bool>,
    ) -> Result<String> {
        let action = match (otp, cancel.unwrap_or(false)) {
            (None, true) => BankAction::Cancel,
            (Some(otp), false) => BankAction::Otp(otp),
            _ => return Err(invalid("pass either otp or cancel: true".to_owned())),
        };
        let post = self
            .with_sandbox(|sb| sb.complete_3d(&session, action))?
            .map_err(invalid)?;
        Ok(serde_json::json!({ "return_url": post.return_url, "fields": post.fields }).to_string())
    }

    /// What Paynet.js posts from the browser, JSON text in and out (`{"session_id", "token_id"}`).
    #[napi]
    pub fn paynetjs_session(&self, request: String) -> Result<String> {
        let request = parse_json("request", &request)?;
        let session = self
            .with_sandbox(|sb| sb.paynetjs_session(&request))?
            .map_err(invalid)?;
        Ok(session.to_string())
    }

    /// Pays a PayLink (`url` or token) with `card` (JSON text); JSON text
    /// `{"xact_id", "is_succeed", "redirect"}`.
    #[napi]
    pub async fn pay_link(&self, url: String, card: String) -> Result<String> {
        let card = parse_json("card", &card)?;
        // The future owns the server's state: the lock is not held while the bank answers.
        let paying = self.with_sandbox(|sb| sb.pay_link(&url, &card))?;
        Ok(paying.await.map_err(invalid)?.to_string())
    }

    /// Consents to a subscription on its page (`url` or token) with `card` (JSON text),
    /// 3D included; JSON text `{"card_id", "message"}`.
    #[napi]
    pub fn subscribe(&self, url: String, card: String) -> Result<String> {
        let card = parse_json("card", &card)?;
        let done = self.with_sandbox(|sb| sb.subscribe(&url, &card))?;
        Ok(done.map_err(invalid)?.to_string())
    }

    /// Every `confirmation_url` delivery attempt, as JSON text (a list).
    #[napi]
    pub fn confirmations(&self) -> Result<String> {
        let list = self
            .lock()
            .as_ref()
            .map(Sandbox::confirmations)
            .unwrap_or_default();
        serde_json::to_string(&list).map_err(|e| Error::from_reason(e.to_string()))
    }

    /// The last code `create_end_user_receipt_otp` sent to `phone`.
    #[napi]
    pub fn last_receipt_otp(&self, phone: String) -> Option<String> {
        self.lock()
            .as_ref()
            .and_then(|sb| sb.last_receipt_otp(&phone))
    }

    /// The sandbox clock's now: RFC 3339 text in Istanbul time.
    #[napi]
    pub fn clock(&self) -> Result<String> {
        self.with_sandbox(|sb| sb.clock().to_rfc3339())
    }

    /// Moves the clock to `at` (RFC 3339 text); an `InvalidArg` error for a bad time or
    /// one beyond a hundred years from now.
    #[napi]
    pub fn set_clock(&self, at: String) -> Result<()> {
        let at = DateTime::parse_from_rfc3339(&at)
            .map_err(|e| invalid(format!("not an RFC 3339 time: {e}")))?;
        self.with_sandbox(|sb| sb.set_clock(at))?.map_err(invalid)
    }

    /// Moves the clock forward by `seconds` (≥ 0).
    #[napi]
    pub fn advance_clock(&self, seconds: f64) -> Result<()> {
        let by = Duration::try_from_secs_f64(seconds)
            .map_err(|_| invalid("the clock only advances: seconds must be >= 0".to_owned()))?;
        self.with_sandbox(|sb| sb.advance_clock(by))?
            .map_err(invalid)
    }

    /// Approves or rejects a pending refund / cancel request; JSON text of the request as
    /// `reversal_list` shows it. An error (not `InvalidArg`: the request's state, not the
    /// argument, is wrong) when unknown or decided already.
    #[napi]
    pub fn decide_reversal(&self, reversal_id: String, approve: bool) -> Result<String> {
        let row = self
            .with_sandbox(|sb| sb.decide_reversal(&reversal_id, approve))?
            .map_err(Error::from_reason)?;
        Ok(row.to_string())
    }

    /// Every `succeedUrl` delivery attempt of a refund decision, as JSON text (a list).
    #[napi]
    pub fn reversal_posts(&self) -> Result<String> {
        let list = self
            .lock()
            .as_ref()
            .map(Sandbox::reversal_posts)
            .unwrap_or_default();
        serde_json::to_string(&list).map_err(|e| Error::from_reason(e.to_string()))
    }

    /// Inserts `count` successful sales of `amount` kuruş made over `from..=to`
    /// (`yyyy-MM-dd`), deterministic with `seed`; JSON text
    /// `{"inserted", "first_id", "last_id", "from", "to"}`.
    #[napi]
    pub fn seed_sales(
        &self,
        count: u32,
        from: String,
        to: String,
        amount: i64,
        seed: u32,
    ) -> Result<String> {
        let day = |what: &str, text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|e| invalid(format!("{what} must be a yyyy-MM-dd date: {e}")))
        };
        let spec = SeedSpec {
            count: count as usize,
            from: day("from", &from)?,
            to: day("to", &to)?,
            amount,
            seed: u64::from(seed),
        };
        let report = self
            .with_sandbox(|sb| sb.seed_sales(&spec))?
            .map_err(invalid)?;
        serde_json::to_string(&report).map_err(|e| Error::from_reason(e.to_string()))
    }

    /// A realistic stretch of traffic over `from..=to` (`yyyy-MM-dd`), about
    /// `per_day` card attempts a day, deterministic with `seed`; JSON text as `seedSales`.
    #[napi]
    pub fn seed_demo(&self, from: String, to: String, per_day: u32, seed: u32) -> Result<String> {
        let day = |what: &str, text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| invalid(format!("{what} must be a yyyy-MM-dd date: {e}")))
        };
        let spec = DemoSpec { from: day("from", &from)?, to: day("to", &to)?, per_day: per_day as usize, seed: u64::from(seed) };
        let report = self.with_sandbox(|sb| sb.seed_demo(&spec))?.map_err(invalid)?;
        serde_json::to_string(&report).map_err(|e| Error::from_reason(e.to_string()))
    }

    /// Counters since start; zeros once stopped.
    #[napi]
    pub fn stats(&self) -> SandboxStats {
        let stats = self.lock().as_ref().map(Sandbox::stats).unwrap_or_default();
        SandboxStats {
            requests: i64::try_from(stats.requests).unwrap_or(i64::MAX),
            ledger_entries: i64::try_from(stats.ledger_entries).unwrap_or(i64::MAX),
        }
    }

    /// Replaces the fault plan (JSON text, as in `SandboxOptions::faults`) and zeroes the
    /// fault counters. An `InvalidArg` error names the bad field; a stopped sandbox only
    /// validates.
    #[napi]
    pub fn set_faults(&self, plan: String) -> Result<()> {
        let plan = parse_plan(&plan)?;
        if let Some(sandbox) = self.lock().as_ref() {
            sandbox.set_faults(plan).map_err(invalid_plan)?;
        }
        Ok(())
    }

    #[napi]
    pub fn clear_faults(&self) {
        if let Some(sandbox) = self.lock().as_ref() {
            sandbox.clear_faults();
        }
    }

    /// The active rules and the faults injected so far, as JSON text (`GET /__sandbox/faults`).
    #[napi]
    pub fn fault_stats(&self) -> String {
        let stats = match self.lock().as_ref() {
            Some(sandbox) => sandbox.fault_stats(),
            None => FaultStats::default(),
        };
        stats.to_json().to_string()
    }

    /// Stops accepting, lets in-flight requests finish. Idempotent.
    #[napi]
    pub async fn stop(&self) {
        let sandbox = self.lock().take();
        if let Some(sandbox) = sandbox {
            sandbox.stop().await;
        }
    }

    fn with_sandbox<T>(&self, f: impl FnOnce(&Sandbox) -> T) -> Result<T> {
        self.lock().as_ref().map(f).ok_or_else(stopped)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Sandbox>> {
        // A panic while holding this lock cannot leave the Option half-written.
        self.sandbox
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn stopped() -> Error {
    Error::from_reason("the sandbox is stopped")
}

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

fn parse_json(what: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| invalid(format!("{what} is not valid JSON: {e}")))
}

fn invalid_plan(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

/// A fault plan from JSON text; an `InvalidArg` error names the bad field.
fn parse_plan(text: &str) -> Result<FaultPlan> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| invalid_plan(format!("fault plan is not valid JSON: {e}")))?;
    FaultPlan::from_json(&value).map_err(invalid_plan)
}
