//! The Rust sandbox, in-process, on the binding's runtime: what
//! `paynet.testing.Sandbox` starts for tests and demos.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use paynet_sandbox::chrono::{DateTime, NaiveDate};
use paynet_sandbox::cli;
use paynet_sandbox::{BankAction, DemoSpec, FaultPlan, FaultStats, Sandbox, SandboxConfig, SeedSpec};

use crate::{errors, runtime};

#[pyclass(frozen, module = "paynet._native")]
pub struct NativeSandbox {
    /// `None` once stopped.
    server: Mutex<Option<Sandbox>>,
    url: String,
    secret_key: String,
    publishable_key: String,
}

#[pymethods]
impl NativeSandbox {
    #[new]
    /// `faults`: a fault plan as JSON text, `{"seed": n, "rules": [...]}`.
    #[pyo3(signature = (*, secret_key = None, port = 0, slow_bank_delay = 3.0, settlement_days = 0, faults = None, auto_approve_reversals = false, require_card_otp = false))]
    // Python's keyword-only constructor: one argument per sandbox option.
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        secret_key: Option<String>,
        port: u16,
        slow_bank_delay: f64,
        settlement_days: i64,
        faults: Option<&str>,
        auto_approve_reversals: bool,
        require_card_otp: bool,
    ) -> PyResult<Self> {
        errors::guard(py, || {
            let delay = Duration::try_from_secs_f64(slow_bank_delay).map_err(|_| {
                PyValueError::new_err("slow_bank_delay must be a number of seconds ≥ 0")
            })?;
            let mut config = SandboxConfig {
                port,
                slow_bank_delay: delay,
                settlement_days,
                faults: faults.map(parse_plan).transpose()?,
                auto_approve_reversals,
                require_card_otp,
                ..SandboxConfig::default()
            };
            if let Some(key) = secret_key {
                config.secret_key = key;
            }
            Self::start(py, config)
        })
    }

    /// The sandbox a `paynet-sandbox` command line asks for (the program's own
    /// parser), or `None` for `--help`; `ValueError` with the usage otherwise.
    #[staticmethod]
    fn from_args(py: Python<'_>, args: Vec<String>) -> PyResult<Option<Self>> {
        errors::guard(py, || match cli::parse_args(args) {
            Ok(Some(config)) => Self::start(py, config).map(Some),
            Ok(None) => Ok(None),
            Err(why) => Err(PyValueError::new_err(format!("{why}\n{}", cli::USAGE))),
        })
    }

    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    #[getter]
    fn secret_key(&self) -> &str {
        &self.secret_key
    }

    #[getter]
    fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    /// The customer on the bank's 3D page of `session` (a `session_id` or the `post_url`):
    /// `otp`, or `cancel`. JSON text `{"return_url": ..., "fields": [[name, value], ...]}`,
    /// the form the bank posts to the shop; `ValueError` when there is none (unknown
    /// session, or a wrong code with tries left).
    #[pyo3(signature = (session, *, otp = None, cancel = false))]
    fn complete_3d(
        &self,
        py: Python<'_>,
        session: &str,
        otp: Option<String>,
        cancel: bool,
    ) -> PyResult<String> {
        errors::guard(py, || {
            let action = match (otp, cancel) {
                (None, true) => BankAction::Cancel,
                (Some(otp), false) => BankAction::Otp(otp),
                _ => return Err(PyValueError::new_err("pass either otp or cancel=True")),
            };
            let post = self
                .with_server(|server| server.complete_3d(session, action))?
                .map_err(PyValueError::new_err)?;
            Ok(
                serde_json::json!({ "return_url": post.return_url, "fields": post.fields })
                    .to_string(),
            )
        })
    }

    /// What Paynet.js posts from the browser (JSON text in and out:
    /// `{"session_id", "token_id"}`); `ValueError` with the sandbox's error message.
    fn paynetjs_session(&self, py: Python<'_>, request: &str) -> PyResult<String> {
        errors::guard(py, || {
            let request = parse_json("request", request)?;
            let session = self
                .with_server(|server| server.paynetjs_session(&request))?
                .map_err(PyValueError::new_err)?;
            Ok(session.to_string())
        })
    }

    /// Pays a PayLink (`url` or token) with `card` (JSON text); JSON text
    /// `{"xact_id", "is_succeed", "redirect"}`. `ValueError` when the link cannot be paid.
    fn pay_link(&self, py: Python<'_>, url: &str, card: &str) -> PyResult<String> {
        errors::guard(py, || {
            let card = parse_json("card", card)?;
            // The future owns the server's state: the lock is not held while the bank answers.
            let paying = self.with_server(|server| server.pay_link(url, &card))?;
            let paid = py.detach(|| runtime::get().block_on(paying));
            Ok(paid.map_err(PyValueError::new_err)?.to_string())
        })
    }

    /// Consents to a subscription on its page (`url` or token) with `card` (JSON text),
    /// 3D included; JSON text `{"card_id", "message"}`. `ValueError` when it cannot.
    fn subscribe(&self, py: Python<'_>, url: &str, card: &str) -> PyResult<String> {
        errors::guard(py, || {
            let card = parse_json("card", card)?;
            let done = self.with_server(|server| server.subscribe(url, &card))?;
            Ok(done.map_err(PyValueError::new_err)?.to_string())
        })
    }

    /// Every `confirmation_url` delivery attempt, as JSON text (a list).
    fn confirmations(&self, py: Python<'_>) -> PyResult<String> {
        errors::guard(py, || {
            let list = self
                .lock()
                .as_ref()
                .map(Sandbox::confirmations)
                .unwrap_or_default();
            serde_json::to_string(&list).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// The last code `create_end_user_receipt_otp` sent to `phone`.
    fn last_receipt_otp(&self, py: Python<'_>, phone: &str) -> PyResult<Option<String>> {
        errors::guard(py, || {
            Ok(self
                .lock()
                .as_ref()
                .and_then(|server| server.last_receipt_otp(phone)))
        })
    }

    /// The sandbox clock's now: RFC 3339 text in Istanbul time.
    fn clock(&self, py: Python<'_>) -> PyResult<String> {
        errors::guard(py, || {
            self.with_server(|server| server.clock().to_rfc3339())
        })
    }

    /// Moves the clock to `at` (RFC 3339 text with an offset); `ValueError` for a bad
    /// time or one beyond a hundred years from now.
    fn set_clock(&self, py: Python<'_>, at: &str) -> PyResult<()> {
        errors::guard(py, || {
            let at = DateTime::parse_from_rfc3339(at)
                .map_err(|e| PyValueError::new_err(format!("not an RFC 3339 time: {e}")))?;
            self.with_server(|server| server.set_clock(at))?
                .map_err(PyValueError::new_err)
        })
    }

    /// Moves the clock forward by `seconds` (≥ 0).
    fn advance_clock(&self, py: Python<'_>, seconds: f64) -> PyResult<()> {
        errors::guard(py, || {
            let by = Duration::try_from_secs_f64(seconds).map_err(|_| {
                PyValueError::new_err("the clock only advances: seconds must be ≥ 0")
            })?;
            self.with_server(|server| server.advance_clock(by))?
                .map_err(PyValueError::new_err)
        })
    }

    /// Approves or rejects a pending refund / cancel request; JSON text of the request as
    /// `reversal_list` shows it. `ValueError` when unknown or decided already.
    fn decide_reversal(
        &self,
        py: Python<'_>,
        reversal_id: &str,
        approve: bool,
    ) -> PyResult<String> {
        errors::guard(py, || {
            let row = self
                .with_server(|server| server.decide_reversal(reversal_id, approve))?
                .map_err(PyValueError::new_err)?;
            Ok(row.to_string())
        })
    }

    /// Every `succeedUrl` delivery attempt of a refund decision, as JSON text (a list).
    fn reversal_posts(&self, py: Python<'_>) -> PyResult<String> {
        errors::guard(py, || {
            let list = self
                .lock()
                .as_ref()
                .map(Sandbox::reversal_posts)
                .unwrap_or_default();
            serde_json::to_string(&list).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// Inserts `count` successful sales of `amount` kuruş made over `start..=end`
    /// (`yyyy-MM-dd`), deterministic with `seed`; JSON text
    /// `{"inserted", "first_id", "last_id", "from", "to"}`.
    fn seed_sales(
        &self,
        py: Python<'_>,
        count: usize,
        start: &str,
        end: &str,
        amount: i64,
        seed: u64,
    ) -> PyResult<String> {
        errors::guard(py, || {
            let day = |what: &str, text: &str| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
                    PyValueError::new_err(format!("{what} must be a yyyy-MM-dd date: {e}"))
                })
            };
            let spec = SeedSpec {
                count,
                from: day("start", start)?,
                to: day("end", end)?,
                amount,
                seed,
            };
            let report = self
                .with_server(|server| server.seed_sales(&spec))?
                .map_err(PyValueError::new_err)?;
            serde_json::to_string(&report).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// Inserts a realistic stretch of traffic over `start..=end` (`yyyy-MM-dd`),
    /// about `per_day` card attempts a day, deterministic with `seed`
    /// (`paynet_sandbox::DemoSpec`); JSON text as `seed_sales`.
    fn seed_demo(&self, py: Python<'_>, start: &str, end: &str, per_day: usize, seed: u64) -> PyResult<String> {
        errors::guard(py, || {
            let day = |what: &str, text: &str| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|e| PyValueError::new_err(format!("{what} must be a yyyy-MM-dd date: {e}")))
            };
            let spec = DemoSpec { from: day("start", start)?, to: day("end", end)?, per_day, seed };
            let report = self.with_server(|server| server.seed_demo(&spec))?.map_err(PyValueError::new_err)?;
            serde_json::to_string(&report).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// `{"requests": API requests received, "ledger_entries": transactions recorded}`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        errors::guard(py, || {
            let stats = self.lock().as_ref().map(Sandbox::stats).unwrap_or_default();
            let dict = PyDict::new(py);
            dict.set_item("requests", stats.requests)?;
            dict.set_item("ledger_entries", stats.ledger_entries)?;
            Ok(dict)
        })
    }

    /// Replaces the fault plan (JSON text, the HTTP API's form) and zeroes the fault
    /// counters; `ValueError` naming the bad field. A stopped sandbox only validates.
    fn set_faults(&self, py: Python<'_>, plan: &str) -> PyResult<()> {
        errors::guard(py, || {
            let plan = parse_plan(plan)?;
            if let Some(server) = self.lock().as_ref() {
                server.set_faults(plan).map_err(PyValueError::new_err)?;
            }
            Ok(())
        })
    }

    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        errors::guard(py, || {
            if let Some(server) = self.lock().as_ref() {
                server.clear_faults();
            }
            Ok(())
        })
    }

    /// The active rules and the faults injected so far, as JSON text (`GET /__sandbox/faults`).
    fn fault_stats(&self, py: Python<'_>) -> PyResult<String> {
        errors::guard(py, || {
            let stats = match self.lock().as_ref() {
                Some(server) => server.fault_stats(),
                None => FaultStats::default(),
            };
            Ok(stats.to_json().to_string())
        })
    }

    /// Waits for in-flight requests, then stops listening. Idempotent.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        errors::guard(py, || {
            if let Some(server) = self.lock().take() {
                py.detach(|| runtime::get().block_on(server.stop()));
            }
            Ok(())
        })
    }
}

/// A fault plan from JSON text; `ValueError` names the bad field.
fn parse_plan(text: &str) -> PyResult<FaultPlan> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| PyValueError::new_err(format!("fault plan is not valid JSON: {e}")))?;
    FaultPlan::from_json(&value).map_err(PyValueError::new_err)
}

fn parse_json(what: &str, text: &str) -> PyResult<serde_json::Value> {
    serde_json::from_str(text)
        .map_err(|e| PyValueError::new_err(format!("{what} is not valid JSON: {e}")))
}

impl NativeSandbox {
    fn start(py: Python<'_>, config: SandboxConfig) -> PyResult<Self> {
        let server = py
            .detach(|| runtime::get().block_on(Sandbox::start_with(config)))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
                _ => PyOSError::new_err(format!("could not start the paynet sandbox: {e}")),
            })?;
        Ok(NativeSandbox {
            url: server.url(),
            secret_key: server.secret_key().to_owned(),
            publishable_key: server.publishable_key().to_owned(),
            server: Mutex::new(Some(server)),
        })
    }

    /// Runs `f` on the running server; a stopped sandbox has no pages or sessions.
    fn with_server<T>(&self, f: impl FnOnce(&Sandbox) -> T) -> PyResult<T> {
        match self.lock().as_ref() {
            Some(server) => Ok(f(server)),
            None => Err(PyRuntimeError::new_err("the sandbox is stopped")),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Sandbox>> {
        // A panic while holding the lock leaves nothing half-updated: take the value anyway.
        self.server
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
