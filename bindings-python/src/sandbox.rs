//! The Rust sandbox, in-process, on the binding's runtime: what
//! `paynet.testing.Sandbox` starts for tests and demos.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use paynet_sandbox::{FaultPlan, FaultStats, Sandbox, SandboxConfig};

use crate::{errors, runtime};

#[pyclass(frozen, module = "paynet._native")]
pub struct NativeSandbox {
    /// `None` once stopped.
    server: Mutex<Option<Sandbox>>,
    url: String,
    secret_key: String,
}

#[pymethods]
impl NativeSandbox {
    #[new]
    /// `faults`: a fault plan as JSON text, `{"seed": n, "rules": [...]}`.
    #[pyo3(signature = (*, secret_key = None, port = 0, slow_bank_delay = 3.0, settlement_days = 0, faults = None))]
    fn new(
        py: Python<'_>,
        secret_key: Option<String>,
        port: u16,
        slow_bank_delay: f64,
        settlement_days: i64,
        faults: Option<&str>,
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
                ..SandboxConfig::default()
            };
            if let Some(key) = secret_key {
                config.secret_key = key;
            }
            let server = py
                .detach(|| runtime::get().block_on(Sandbox::start_with(config)))
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
                    _ => PyOSError::new_err(format!("could not start the paynet sandbox: {e}")),
                })?;
            Ok(NativeSandbox {
                url: server.url(),
                secret_key: server.secret_key().to_owned(),
                server: Mutex::new(Some(server)),
            })
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

impl NativeSandbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Sandbox>> {
        // A panic while holding the lock leaves nothing half-updated: take the value anyway.
        self.server
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
