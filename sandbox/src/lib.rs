//! `paynet-sandbox`: a stateful, local emulator of the Paynet (paynet.com.tr) payment API.
//!
//! It is what the SDK's demo and tests, and our users' own test suites, run against: no
//! credentials, no network. Start it in-process with [`Sandbox::start`] or run the
//! `paynet-sandbox` binary. See `README.md` for the test cards and every behaviour choice.

mod cards;
pub mod cli;
mod clock;
mod conn;
mod faults;
mod handlers;
mod ledger;
mod money;
mod outbound;
mod pages;
mod seed;
mod util;
mod vault;
mod wire;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::conn::{ConnHandle, FaultListener};
use crate::ledger::{Ledger, SharedLedger};

/// The date types of the clock and seeding API, for callers without their own chrono.
pub use chrono;

pub use crate::faults::{
    API_PATHS, DEFAULT_SEED, FaultKind, FaultPlan, FaultRule, FaultRuleStats, FaultStats,
    FaultWhen, MAX_DELAY_MS,
};
pub use crate::handlers::bank_page::{BankAction, ReturnPost};
pub use crate::outbound::Confirmation;
pub use crate::seed::{DemoSpec, MAX_SEED, MAX_SEED_DAYS, SeedReport, SeedSpec};

pub const DEFAULT_SECRET_KEY: &str = "sck_sandbox_0000000000000000";

/// The longest settlement delay the sandbox accepts (ten years).
pub const MAX_SETTLEMENT_DAYS: i64 = 3650;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The key clients must send as `Authorization: Basic <secret_key>`.
    pub secret_key: String,
    /// The address to listen on: 127.0.0.1 by default; `0.0.0.0` in a container.
    pub host: IpAddr,
    /// Port on `host`; 0 picks a free one.
    pub port: u16,
    /// The address clients reach the sandbox at, when it is not the one it listens
    /// on (`http://paynet-sandbox:8765` in a docker-compose network): the 3D, PayLink
    /// and slip pages it hands out are absolute URLs under it.
    pub public_url: Option<String>,
    /// How long the slow-bank test card (4000000000000259) takes to answer.
    pub slow_bank_delay: Duration,
    /// Days from transaction date to due (payout) date in `payment_list`. 0 by default so
    /// a demo sees today's payments in today's report.
    pub settlement_days: i64,
    /// Faults active from the start (see [`Sandbox::set_faults`]); `None` = none.
    pub faults: Option<FaultPlan>,
    /// The browser key of Paynet.js (`data-key`). `None` derives it from the secret key:
    /// `sck_…` becomes `pbk_…`, any other key gets a `pbk_` prefix.
    pub publishable_key: Option<String>,
    /// Approve every cancel / refund request as it is made, instead of leaving it pending
    /// for [`Sandbox::decide_reversal`] (Paynet's operations review it).
    pub auto_approve_reversals: bool,
    /// The merchant must verify the customer's phone (`v1/card/send_otp`, `check_otp`)
    /// before `v1/card/save`, as Paynet can require per merchant.
    pub require_card_otp: bool,
}

impl SandboxConfig {
    pub fn resolved_publishable_key(&self) -> String {
        match &self.publishable_key {
            Some(key) => key.clone(),
            None => match self.secret_key.strip_prefix("sck_") {
                Some(rest) => format!("pbk_{rest}"),
                None => format!("pbk_{}", self.secret_key),
            },
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            public_url: None,
            slow_bank_delay: Duration::from_secs(3),
            settlement_days: 0,
            faults: None,
            publishable_key: None,
            auto_approve_reversals: false,
            require_card_otp: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// API requests received, whatever their outcome; `/__sandbox/*` calls excluded.
    pub requests: u64,
    pub ledger_entries: usize,
}

/// State shared by every handler.
struct Shared {
    config: SandboxConfig,
    /// `http://127.0.0.1:PORT`: the pages and links the sandbox hands out are absolute.
    base_url: String,
    publishable_key: String,
    requests: AtomicU64,
    faults: faults::Injector,
    ledger: SharedLedger,
    clock: clock::Clock,
    rng: util::Rng,
    /// The server's runtime: confirmation posts are spawned on it even when an in-process
    /// helper is called from outside any runtime.
    runtime: tokio::runtime::Handle,
    confirmations: Mutex<Vec<Confirmation>>,
    /// Delivery attempts of the `succeedUrl` posts of refund decisions.
    reversal_posts: Mutex<Vec<Confirmation>>,
    /// Phone number → the last receipt OTP sent to it.
    receipt_otps: Mutex<HashMap<String, String>>,
}

impl Shared {
    fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            ledger_entries: ledger::lock(&self.ledger).len(),
        }
    }
}

/// Poisoning only means another handler panicked mid-update; the sandbox keeps serving.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running sandbox server. Dropping it signals shutdown; [`Sandbox::stop`] also waits.
pub struct Sandbox {
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts with the default config on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Binds `config.host`:`config.port` and serves on a task of the current tokio runtime.
    pub async fn start_with(config: SandboxConfig) -> std::io::Result<Sandbox> {
        // Due dates are computed with chrono; beyond ten years they could overflow it.
        if !(0..=MAX_SETTLEMENT_DAYS).contains(&config.settlement_days) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("settlement_days must be between 0 and {MAX_SETTLEMENT_DAYS}"),
            ));
        }
        let plan = match &config.faults {
            Some(plan) => plan
                .normalized()
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
            None => FaultPlan::default(),
        };
        let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let base_url = match &config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            // Listening on every interface: this machine reaches it on loopback.
            None if addr.ip().is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
            None => format!("http://{addr}"),
        };
        let shared = Arc::new(Shared {
            base_url,
            publishable_key: config.resolved_publishable_key(),
            config,
            requests: AtomicU64::new(0),
            faults: faults::Injector::new(plan),
            ledger: Arc::new(Mutex::new(Ledger::default())),
            clock: clock::Clock::default(),
            rng: util::Rng::new(),
            runtime: tokio::runtime::Handle::current(),
            confirmations: Mutex::new(Vec::new()),
            reversal_posts: Mutex::new(Vec::new()),
            receipt_otps: Mutex::new(HashMap::new()),
        });
        let app = handlers::router(Arc::clone(&shared));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // Our own listener and connect info: the connection-level faults (reset, close,
            // truncate) act on the stream itself.
            let app = app.into_make_service_with_connect_info::<ConnHandle>();
            let served = axum::serve(FaultListener(listener), app)
                .with_graceful_shutdown(async move {
                    // Either an explicit stop or the handle being dropped.
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "paynet-sandbox server stopped with an error");
            }
        });
        tracing::info!(%addr, "paynet-sandbox listening");
        Ok(Sandbox {
            shared,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn secret_key(&self) -> &str {
        &self.shared.config.secret_key
    }

    /// The key a shop page gives Paynet.js as `data-key`.
    pub fn publishable_key(&self) -> &str {
        &self.shared.publishable_key
    }

    /// Plays the customer on the bank's 3D page of `session` (a `session_id` or the
    /// `post_url`), through the same code as the page's form post. `Ok` is the form the
    /// bank posts back to the shop's `return_url`; `Err` says why there is none (unknown
    /// session, or a wrong OTP with tries left: the page asks again).
    pub fn complete_3d(&self, session: &str, action: BankAction) -> Result<ReturnPost, String> {
        handlers::bank_page::complete(&self.shared, session, action)
    }

    /// What Paynet.js posts from the browser: card data and the `data-*` values in,
    /// `{"session_id", "token_id"}` out; `Err` is the error answer's message.
    pub fn paynetjs_session(
        &self,
        request: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        handlers::paynetjs::session_in_process(&self.shared, request)
    }

    /// Pays a PayLink as its payer would on the page (`url_or_token`: the link's `url` or
    /// its last path segment) with `card` (`card_holder`, `pan`, `month`, `year`, `cvc`).
    /// `Ok` is `{"xact_id", "is_succeed", "redirect"}`; `redirect` is where the browser
    /// would be sent (`null` when the page would show the decline itself). The future owns
    /// what it needs, so a binding can await it without borrowing the `Sandbox`.
    pub fn pay_link(
        &self,
        url_or_token: &str,
        card: &serde_json::Value,
    ) -> impl Future<Output = Result<serde_json::Value, String>> + Send + use<> {
        let shared = Arc::clone(&self.shared);
        let link = url_or_token.to_owned();
        let card = card.clone();
        async move { handlers::paylink_page::pay_in_process(&shared, &link, &card).await }
    }

    /// Plays the customer on a subscription's page (`url_or_token`: its `url` or the
    /// token): `card` (`card_holder`, `pan`, `month`, `year`, `cvc`) and consent, the bank's
    /// 3D page with the right code, back; the card is saved after the subscription's cards
    /// and a waiting subscription becomes active (and is billed for what is due). `Ok` is
    /// `{"card_id", "message"}`; `Err` says why not (unknown, cancelled, a bad card).
    pub fn subscribe(&self, url_or_token: &str, card: &serde_json::Value) -> Result<serde_json::Value, String> {
        handlers::subscription_page::subscribe_in_process(&self.shared, url_or_token, card)
    }

    /// Every `confirmation_url` delivery attempt so far, oldest first.
    pub fn confirmations(&self) -> Vec<Confirmation> {
        lock(&self.shared.confirmations).clone()
    }

    /// Every `succeedUrl` delivery attempt of a refund decision so far, oldest first
    /// (`xact_id` is the request's `reversal_id`).
    pub fn reversal_posts(&self) -> Vec<Confirmation> {
        lock(&self.shared.reversal_posts).clone()
    }

    /// Approves or rejects the pending cancel / refund request `reversal_id`, as Paynet's
    /// operations would; the shop's `succeedUrl` hears of it. `Ok` is the request as
    /// `reversal_list` shows it; `Err` says why not (unknown, or decided already).
    pub fn decide_reversal(
        &self,
        reversal_id: &str,
        approve: bool,
    ) -> Result<serde_json::Value, String> {
        handlers::reversal::decide(&self.shared, reversal_id, approve).map_err(|e| e.message)
    }

    /// The sandbox's "now" (Istanbul time): every date it writes comes from it.
    pub fn clock(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.shared.clock.now()
    }

    /// Moves the clock to `at` (it keeps ticking from there). `Err` beyond a hundred
    /// years from the real clock.
    pub fn set_clock<Tz: chrono::TimeZone>(&self, at: chrono::DateTime<Tz>) -> Result<(), String> {
        self.shared.clock.set(&at)?;
        handlers::subscription::bill_due(&self.shared);
        Ok(())
    }

    /// Moves the clock forward by `by`, e.g. a day to leave "the same day" of a sale.
    pub fn advance_clock(&self, by: Duration) -> Result<(), String> {
        let by = chrono::Duration::from_std(by).map_err(|e| e.to_string())?;
        self.shared.clock.advance(by)?;
        handlers::subscription::bill_due(&self.shared);
        Ok(())
    }

    /// Inserts `spec.count` successful sales straight into the ledger (no HTTP, no bank),
    /// spread over `spec.from..=spec.to`: test data for lists and pagination.
    pub fn seed_sales(&self, spec: &SeedSpec) -> Result<SeedReport, String> {
        seed::seed(&self.shared, spec)
    }

    /// Inserts a realistic stretch of a shop's traffic (banks, card types, instalments,
    /// declines, pre-auths and captures, dealers, refunds), reproducible from
    /// `spec.seed`: demo data for reports and notebooks.
    pub fn seed_demo(&self, spec: &DemoSpec) -> Result<SeedReport, String> {
        seed::seed_demo(&self.shared, spec)
    }

    /// The last code `v2/agent/create_end_user_receipt_otp` sent to `phone`.
    pub fn last_receipt_otp(&self, phone: &str) -> Option<String> {
        lock(&self.shared.receipt_otps).get(phone).cloned()
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Replaces the fault plan and zeroes the fault counters. `Err` names the bad field
    /// (`rules[0].location is required for kind redirect`); the plan in force is then kept.
    pub fn set_faults(&self, plan: FaultPlan) -> Result<(), String> {
        self.shared.faults.set(plan.normalized()?);
        Ok(())
    }

    /// [`Sandbox::set_faults`] from the HTTP API's JSON form `{"seed": n, "rules": [...]}`.
    pub fn set_faults_json(&self, plan: &serde_json::Value) -> Result<(), String> {
        self.set_faults(FaultPlan::from_json(plan)?)
    }

    /// Removes every fault rule (and zeroes the counters).
    pub fn clear_faults(&self) {
        self.shared.faults.set(FaultPlan::default());
    }

    /// The active rules and how many faults of each kind they injected.
    pub fn fault_stats(&self) -> FaultStats {
        self.shared.faults.stats()
    }

    /// Graceful shutdown: stops accepting, lets in-flight requests finish, waits for the task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Sending on a oneshot needs no runtime and never blocks, so this is safe anywhere.
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}
