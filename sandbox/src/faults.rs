//! Fault plans: which API requests fail, how, and whether before the handler ran or after
//! the ledger committed (a client sees a failure although money moved).
//!
//! A plan is an ordered list of [`FaultRule`]s. For every API request the first rule that
//! matches its path, is not used up and (with a `rate`) wins its draw of the plan's seeded
//! PRNG fires; at most one rule fires per request. The same plan on the same sequence of
//! requests fires the same way every run. See the sandbox README for the HTTP form
//! (`POST /__sandbox/faults`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use serde_json::{Map, Value};

/// The seed a plan uses when it names none.
pub const DEFAULT_SEED: u64 = 0x5EED;

/// The longest `delay_ms` a rule may ask for (ten minutes).
pub const MAX_DELAY_MS: u64 = 600_000;

/// The API paths a rule can select (faults never touch `/__sandbox/*`).
pub const API_PATHS: [&str; 64] = [
    "/v2/transaction/payment",
    "/v1/transaction/charge",
    "/v1/transaction/capture",
    "/v1/transaction/check",
    "/v1/transaction/payment_list",
    "/v1/transaction/preauth_reversal",
    "/v1/transaction/reversed_request",
    "/v1/transaction/reversal_list",
    "/v1/transaction/capture_reversal",
    "/v1/transaction/detail",
    "/v1/transaction/list",
    "/v1/transaction/mark_transferred",
    "/v1/transaction/add_info",
    "/v1/transaction/slip",
    "/v1/transaction/upload",
    "/v1/transaction/escrow_status_update",
    "/v2/transaction/tds_initial",
    "/v2/transaction/tds_charge",
    "/v1/mailorder/create",
    "/v1/mailorder/detail",
    "/v1/mailorder/list",
    "/v1/mailorder/status_update",
    "/v2/agent/create_end_user_receipt_otp",
    "/v1/card/save",
    "/v1/card/list",
    "/v1/card/delete",
    "/v1/card/desc_update",
    "/v1/card/send_otp",
    "/v1/card/check_otp",
    "/v1/ratio/Get",
    "/v1/ratio/Get_public",
    "/v1/ratio/set_type",
    "/v1/ratio/delete_type",
    "/v1/ratio/define",
    "/v1/agent/autologin",
    "/v1/agent/login",
    "/v1/agent/check_agent",
    "/v1/agent/limit_info",
    "/v1/agent/check_integration_info",
    "/v1/subscription/create",
    "/v1/subscription/subscription_detail",
    "/v1/subscription/list",
    "/v1/subscription/status_update",
    "/v1/subscription/amount_update",
    "/v1/subcription/amount_update",
    "/v1/subscription/send_again",
    "/v1/subscription/card_info_list",
    "/v1/subscription/card_info_label_update",
    "/v1/subscription/card_info_delete",
    "/v1/subscription/card_info_link_to_subscription",
    "/v1/subscription/create_card_tds_initial",
    "/v1/subscription/create_card_tds_confirm",
    "/v1/subscription/card_info_arrange",
    "/v1/subscription/create_invoice",
    "/v1/subscription/invoice_list",
    "/v1/subscription/invoices_status_update_all",
    "/v1/subscription/invoice_status_update",
    "/v1/subscription/invoice_amount_update",
    "/v1/subscription/manual_charge",
    "/v1/subscription/manuel_charge",
    "/v1/membership/formdata_insert",
    "/v1/membership/formdata_get",
    "/v1/membership/formtypes_and_doctypes",
    "/v1/membership/formtypes_and_doctypes_all",
];

/// What an injected fault does to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// Drop the TCP connection with RST (`SO_LINGER` 0); no answer byte is sent.
    Reset,
    /// Close the connection cleanly (FIN); no answer byte is sent.
    Close,
    /// Answer `status` (default 503) in Paynet's error shape, optionally with `Retry-After`.
    Status,
    /// Hold the answer `delay_ms` milliseconds, then send it.
    Delay,
    /// Send the real answer's head (full `Content-Length`) and half its body, then FIN.
    /// Only `after`.
    Truncate,
    /// Answer `status` (301/302/303/307/308, default 307) with `Location: location`, no body.
    Redirect,
    /// Answer `status` (default 200) with the literal `body`, as `application/json`.
    Replace,
    /// Answer 502 with an HTML page echoing the request: request line, every header
    /// (Authorization included) and the body, as a broken proxy does.
    Echo,
}

impl FaultKind {
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Reset,
        FaultKind::Close,
        FaultKind::Status,
        FaultKind::Delay,
        FaultKind::Truncate,
        FaultKind::Redirect,
        FaultKind::Replace,
        FaultKind::Echo,
    ];

    /// The wire name: `reset`, `close`, `status`, …
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Reset => "reset",
            FaultKind::Close => "close",
            FaultKind::Status => "status",
            FaultKind::Delay => "delay",
            FaultKind::Truncate => "truncate",
            FaultKind::Redirect => "redirect",
            FaultKind::Replace => "replace",
            FaultKind::Echo => "echo",
        }
    }

    pub fn from_name(name: &str) -> Option<FaultKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// When a rule strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FaultWhen {
    /// Before auth and the handler: nothing is recorded (an outage in front of the API).
    /// A `delay` holds the request, then lets it through.
    Before,
    /// After the handler ran and the ledger committed (the default).
    #[default]
    After,
}

impl FaultWhen {
    pub fn name(self) -> &'static str {
        match self {
            FaultWhen::Before => "before",
            FaultWhen::After => "after",
        }
    }
}

/// What a kind's `status` must be, and the check.
type StatusCheck = fn(u16) -> bool;

/// One rule of a [`FaultPlan`]. Build it with [`FaultRule::new`] or a kind's shortcut and
/// the chained setters:
///
/// ```
/// use paynet_sandbox::{FaultPlan, FaultRule};
/// let plan = FaultPlan::new(vec![
///     FaultRule::reset().path("v1/transaction/capture").count(1),
///     FaultRule::status(503).retry_after(2).rate(0.1),
/// ])
/// .with_seed(7);
/// assert!(plan.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    pub kind: FaultKind,
    pub when: FaultWhen,
    /// One API path (`v1/transaction/capture`, leading slash optional); `None` = every API path.
    pub path: Option<String>,
    /// Fire for the next `count` matching requests. Without `count` and `rate`: once.
    pub count: Option<u64>,
    /// Fire with this probability (0.0–1.0) per matching request; with `count`, until
    /// `count` is used up.
    pub rate: Option<f64>,
    /// `status`: 400–599 (default 503); `redirect`: 301/302/303/307/308 (default 307);
    /// `replace`: 200–599 (default 200). Not allowed for other kinds.
    pub status: Option<u16>,
    /// `Retry-After` seconds (`status`, `redirect`, `replace`).
    pub retry_after: Option<u64>,
    /// `delay` only, required: 0..=[`MAX_DELAY_MS`].
    pub delay_ms: Option<u64>,
    /// `redirect` only, required.
    pub location: Option<String>,
    /// `replace` only, required: the answer's body, sent as is.
    pub body: Option<String>,
}

impl FaultRule {
    /// A rule of `kind`, `after`, on every API path, once.
    pub fn new(kind: FaultKind) -> FaultRule {
        FaultRule {
            kind,
            when: FaultWhen::After,
            path: None,
            count: None,
            rate: None,
            status: None,
            retry_after: None,
            delay_ms: None,
            location: None,
            body: None,
        }
    }

    pub fn reset() -> FaultRule {
        Self::new(FaultKind::Reset)
    }

    pub fn close() -> FaultRule {
        Self::new(FaultKind::Close)
    }

    pub fn status(status: u16) -> FaultRule {
        Self::new(FaultKind::Status).with_status(status)
    }

    pub fn delay(delay_ms: u64) -> FaultRule {
        FaultRule {
            delay_ms: Some(delay_ms),
            ..Self::new(FaultKind::Delay)
        }
    }

    pub fn truncate() -> FaultRule {
        Self::new(FaultKind::Truncate)
    }

    pub fn redirect(location: impl Into<String>) -> FaultRule {
        FaultRule {
            location: Some(location.into()),
            ..Self::new(FaultKind::Redirect)
        }
    }

    pub fn replace(body: impl Into<String>) -> FaultRule {
        FaultRule {
            body: Some(body.into()),
            ..Self::new(FaultKind::Replace)
        }
    }

    pub fn echo() -> FaultRule {
        Self::new(FaultKind::Echo)
    }

    pub fn before(mut self) -> FaultRule {
        self.when = FaultWhen::Before;
        self
    }

    pub fn after(mut self) -> FaultRule {
        self.when = FaultWhen::After;
        self
    }

    pub fn path(mut self, path: impl Into<String>) -> FaultRule {
        self.path = Some(path.into());
        self
    }

    pub fn count(mut self, count: u64) -> FaultRule {
        self.count = Some(count);
        self
    }

    pub fn rate(mut self, rate: f64) -> FaultRule {
        self.rate = Some(rate);
        self
    }

    pub fn with_status(mut self, status: u16) -> FaultRule {
        self.status = Some(status);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> FaultRule {
        self.retry_after = Some(seconds);
        self
    }

    /// The status this rule answers with (its default filled in); `None` for kinds that
    /// send no status of their own (`reset`, `close`, `delay`, `truncate`).
    pub fn effective_status(&self) -> Option<u16> {
        match self.kind {
            FaultKind::Status => Some(self.status.unwrap_or(503)),
            FaultKind::Redirect => Some(self.status.unwrap_or(307)),
            FaultKind::Replace => Some(self.status.unwrap_or(200)),
            FaultKind::Echo => Some(502),
            FaultKind::Reset | FaultKind::Close | FaultKind::Delay | FaultKind::Truncate => None,
        }
    }

    /// Checks the rule and fills in defaults (leading slash, `count` 1 without count and
    /// rate, the kind's status). `at` names the rule in messages (`rules[0]`).
    fn normalized(&self, at: &str) -> Result<FaultRule, String> {
        let mut r = self.clone();
        if let Some(p) = &r.path {
            let p = if p.starts_with('/') {
                p.clone()
            } else {
                format!("/{p}")
            };
            if !API_PATHS.contains(&p.as_str()) {
                return Err(format!(
                    "{at}.path must be one of {} (got {:?}); /__sandbox/* is never faulted",
                    API_PATHS.join(", "),
                    self.path.as_deref().unwrap_or_default()
                ));
            }
            r.path = Some(p);
        }
        if r.count == Some(0) {
            return Err(format!("{at}.count must be at least 1"));
        }
        if let Some(rate) = r.rate
            && !(rate.is_finite() && (0.0..=1.0).contains(&rate))
        {
            return Err(format!("{at}.rate must be between 0.0 and 1.0"));
        }
        if r.count.is_none() && r.rate.is_none() {
            r.count = Some(1);
        }
        let kind = r.kind;
        let not_for = |field: &str| format!("{at}.{field} does not apply to kind {kind}");
        let allowed_status: Option<(&str, StatusCheck)> = match kind {
            FaultKind::Status => Some(("an HTTP error status (400-599)", |s| {
                (400..=599).contains(&s)
            })),
            FaultKind::Redirect => Some(("one of 301, 302, 303, 307, 308", |s| {
                matches!(s, 301 | 302 | 303 | 307 | 308)
            })),
            FaultKind::Replace => Some(("an HTTP status between 200 and 599", |s| {
                (200..=599).contains(&s)
            })),
            _ => None,
        };
        match (r.status, allowed_status) {
            (Some(s), Some((what, ok))) if !ok(s) => {
                return Err(format!("{at}.status must be {what} for kind {kind}"));
            }
            (Some(_), None) => return Err(not_for("status")),
            _ => {}
        }
        r.status = r.effective_status().filter(|_| allowed_status.is_some());
        if r.retry_after.is_some()
            && !matches!(
                kind,
                FaultKind::Status | FaultKind::Redirect | FaultKind::Replace
            )
        {
            return Err(not_for("retry_after"));
        }
        match (kind, r.delay_ms) {
            (FaultKind::Delay, None) => {
                return Err(format!("{at}.delay_ms is required for kind delay"));
            }
            (FaultKind::Delay, Some(ms)) if ms > MAX_DELAY_MS => {
                return Err(format!("{at}.delay_ms must be at most {MAX_DELAY_MS}"));
            }
            (FaultKind::Delay, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err(not_for("delay_ms")),
        }
        match (kind, &r.location) {
            (FaultKind::Redirect, None) => {
                return Err(format!("{at}.location is required for kind redirect"));
            }
            (FaultKind::Redirect, Some(l)) => {
                if l.is_empty() || !l.bytes().all(|b| (0x21..0x7f).contains(&b)) {
                    return Err(format!(
                        "{at}.location must be a non-empty URL of visible ASCII characters"
                    ));
                }
            }
            (_, Some(_)) => return Err(not_for("location")),
            (_, None) => {}
        }
        match (kind, &r.body) {
            (FaultKind::Replace, None) => {
                return Err(format!("{at}.body is required for kind replace"));
            }
            (FaultKind::Replace, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err(not_for("body")),
        }
        if kind == FaultKind::Truncate && r.when == FaultWhen::Before {
            return Err(format!(
                "{at}.when must be \"after\" for kind truncate (it cuts the real answer)"
            ));
        }
        Ok(r)
    }

    /// The rule in the HTTP API's form (absent options left out).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), self.kind.name().into());
        m.insert("when".into(), self.when.name().into());
        if let Some(p) = &self.path {
            m.insert("path".into(), p.clone().into());
        }
        if let Some(c) = self.count {
            m.insert("count".into(), c.into());
        }
        if let Some(r) = self.rate
            && let Some(n) = serde_json::Number::from_f64(r)
        {
            m.insert("rate".into(), Value::Number(n));
        }
        if let Some(s) = self.status {
            m.insert("status".into(), s.into());
        }
        if let Some(s) = self.retry_after {
            m.insert("retry_after".into(), s.into());
        }
        if let Some(d) = self.delay_ms {
            m.insert("delay_ms".into(), d.into());
        }
        if let Some(l) = &self.location {
            m.insert("location".into(), l.clone().into());
        }
        if let Some(b) = &self.body {
            m.insert("body".into(), b.clone().into());
        }
        Value::Object(m)
    }

    /// Reads one rule of the HTTP form; `at` names it in messages.
    fn from_json(v: &Value, at: &str) -> Result<FaultRule, String> {
        let Some(obj) = v.as_object() else {
            return Err(format!("{at} must be an object"));
        };
        const FIELDS: [&str; 10] = [
            "kind",
            "when",
            "path",
            "count",
            "rate",
            "status",
            "retry_after",
            "delay_ms",
            "location",
            "body",
        ];
        if let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(format!(
                "{at}.{k} is not a rule field (fields: {})",
                FIELDS.join(", ")
            ));
        }
        let get = |name: &str| obj.get(name).filter(|v| !v.is_null());
        let string = |name: &str| -> Result<Option<String>, String> {
            match get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("{at}.{name} must be a string")),
            }
        };
        let uint = |name: &str| -> Result<Option<u64>, String> {
            match get(name) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| format!("{at}.{name} must be an integer >= 0")),
            }
        };
        let kinds = || {
            FaultKind::ALL
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kind = match string("kind")? {
            None => return Err(format!("{at}.kind is required (one of {})", kinds())),
            Some(k) => FaultKind::from_name(&k)
                .ok_or_else(|| format!("{at}.kind must be one of {} (got {k:?})", kinds()))?,
        };
        let when = match string("when")?.as_deref() {
            None | Some("after") => FaultWhen::After,
            Some("before") => FaultWhen::Before,
            Some(w) => {
                return Err(format!(
                    "{at}.when must be \"before\" or \"after\" (got {w:?})"
                ));
            }
        };
        let rate = match get("rate") {
            None => None,
            Some(v) => Some(
                v.as_f64()
                    .filter(|_| v.is_number())
                    .ok_or_else(|| format!("{at}.rate must be a number between 0.0 and 1.0"))?,
            ),
        };
        let status = match uint("status")? {
            None => None,
            Some(s) => {
                Some(u16::try_from(s).map_err(|_| format!("{at}.status must be an HTTP status"))?)
            }
        };
        Ok(FaultRule {
            kind,
            when,
            path: string("path")?,
            count: uint("count")?,
            rate,
            status,
            retry_after: uint("retry_after")?,
            delay_ms: uint("delay_ms")?,
            location: string("location")?,
            body: string("body")?,
        })
    }
}

/// An ordered list of rules and the seed of their PRNG. The default plan has no rules.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultPlan {
    /// Seeds the PRNG of `rate` rules; [`DEFAULT_SEED`] when `None`.
    pub seed: Option<u64>,
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    pub fn new(rules: Vec<FaultRule>) -> FaultPlan {
        FaultPlan { seed: None, rules }
    }

    pub fn with_seed(mut self, seed: u64) -> FaultPlan {
        self.seed = Some(seed);
        self
    }

    /// `Err` names the first bad field, e.g. `rules[1].location is required for kind redirect`.
    pub fn validate(&self) -> Result<(), String> {
        self.normalized().map(drop)
    }

    pub(crate) fn normalized(&self) -> Result<FaultPlan, String> {
        let rules = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.normalized(&format!("rules[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FaultPlan {
            seed: self.seed,
            rules,
        })
    }

    /// Reads and validates the HTTP form `{"seed": 7, "rules": [{...}, ...]}` (`seed`
    /// optional, `null` fields count as absent, unknown fields are refused).
    pub fn from_json(v: &Value) -> Result<FaultPlan, String> {
        let Some(obj) = v.as_object() else {
            return Err("the fault plan must be an object {\"seed\": n, \"rules\": [...]}".into());
        };
        if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "seed" | "rules")) {
            return Err(format!(
                "{k} is not a fault plan field (fields: seed, rules)"
            ));
        }
        let seed = match obj.get("seed").filter(|v| !v.is_null()) {
            None => None,
            Some(s) => Some(
                s.as_u64()
                    .ok_or_else(|| "seed must be an integer >= 0".to_owned())?,
            ),
        };
        let rules = match obj.get("rules") {
            None | Some(Value::Null) => return Err("rules is required (a list; [] clears)".into()),
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, r)| FaultRule::from_json(r, &format!("rules[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err("rules must be a list of rule objects".into()),
        };
        let plan = FaultPlan { seed, rules };
        plan.validate()?;
        Ok(plan)
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "seed": self.seed,
            "rules": self.rules.iter().map(FaultRule::to_json).collect::<Vec<_>>(),
        })
    }
}

/// What [`crate::Sandbox::fault_stats`] and `GET /__sandbox/faults` report. Counters start
/// at zero whenever a plan is set.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultStats {
    pub seed: u64,
    /// Faults injected per kind since the plan was set; every kind is present.
    pub injected: BTreeMap<FaultKind, u64>,
    /// Sum of `injected`.
    pub total: u64,
    pub rules: Vec<FaultRuleStats>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FaultRuleStats {
    /// The rule with its defaults filled in.
    pub rule: FaultRule,
    /// How often it fired.
    pub fired: u64,
    /// Firings left when the rule has a `count`.
    pub remaining: Option<u64>,
}

impl Default for FaultStats {
    /// What a sandbox without a plan reports: every kind at zero, no rules.
    fn default() -> FaultStats {
        FaultStats {
            seed: DEFAULT_SEED,
            injected: FaultKind::ALL.into_iter().map(|k| (k, 0)).collect(),
            total: 0,
            rules: Vec::new(),
        }
    }
}

impl FaultStats {
    pub fn injected(&self, kind: FaultKind) -> u64 {
        self.injected.get(&kind).copied().unwrap_or(0)
    }

    /// `{"seed", "injected": {"reset": n, …}, "total", "rules": [{rule…, "fired", "remaining"}]}`.
    pub fn to_json(&self) -> Value {
        let injected: Map<String, Value> = self
            .injected
            .iter()
            .map(|(k, n)| (k.name().to_owned(), (*n).into()))
            .collect();
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut v = r.rule.to_json();
                if let Some(m) = v.as_object_mut() {
                    m.insert("fired".into(), r.fired.into());
                    m.insert("remaining".into(), r.remaining.into());
                }
                v
            })
            .collect();
        serde_json::json!({
            "seed": self.seed,
            "injected": injected,
            "total": self.total,
            "rules": rules,
        })
    }
}

struct Active {
    rule: FaultRule,
    remaining: Option<u64>,
    fired: u64,
}

struct State {
    seed: u64,
    rng: u64,
    rules: Vec<Active>,
    injected: [u64; FaultKind::ALL.len()],
}

impl State {
    /// `plan` must be normalized.
    fn new(plan: FaultPlan) -> State {
        let seed = plan.seed.unwrap_or(DEFAULT_SEED);
        State {
            seed,
            rng: seed,
            rules: plan
                .rules
                .into_iter()
                .map(|rule| Active {
                    remaining: rule.count,
                    rule,
                    fired: 0,
                })
                .collect(),
            injected: [0; FaultKind::ALL.len()],
        }
    }

    /// splitmix64: a uniform draw in [0, 1).
    fn draw(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The active plan and its counters, shared by the request middleware and the admin API.
pub(crate) struct Injector {
    state: Mutex<State>,
}

impl Injector {
    /// `plan` must be normalized.
    pub fn new(plan: FaultPlan) -> Injector {
        Injector {
            state: Mutex::new(State::new(plan)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the plan (which must be normalized) and zeroes the counters.
    pub fn set(&self, plan: FaultPlan) {
        *self.lock() = State::new(plan);
    }

    /// The rule that fires for a request to `path`, if any, counted as injected.
    pub fn pick(&self, path: &str) -> Option<FaultRule> {
        let mut st = self.lock();
        if st.rules.is_empty() {
            return None;
        }
        let st = &mut *st;
        for i in 0..st.rules.len() {
            let a = &st.rules[i];
            if a.remaining == Some(0) || a.rule.path.as_deref().is_some_and(|p| p != path) {
                continue;
            }
            if let Some(rate) = a.rule.rate
                && st.draw() >= rate
            {
                continue;
            }
            let a = &mut st.rules[i];
            a.fired += 1;
            if let Some(r) = &mut a.remaining {
                *r -= 1;
            }
            st.injected[a.rule.kind.index()] += 1;
            return Some(a.rule.clone());
        }
        None
    }

    pub fn stats(&self) -> FaultStats {
        let st = self.lock();
        let injected: BTreeMap<FaultKind, u64> = FaultKind::ALL
            .into_iter()
            .map(|k| (k, st.injected[k.index()]))
            .collect();
        FaultStats {
            seed: st.seed,
            total: injected.values().sum(),
            injected,
            rules: st
                .rules
                .iter()
                .map(|a| FaultRuleStats {
                    rule: a.rule.clone(),
                    fired: a.fired,
                    remaining: a.remaining,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        FaultPlan::from_json(&v).expect_err("invalid")
    }

    #[test]
    fn validation_names_the_field() {
        assert!(
            err(json!({"rules": [{"kind": "nope"}]})).starts_with("rules[0].kind must be one of")
        );
        assert!(err(json!({"rules": [{}]})).starts_with("rules[0].kind is required"));
        assert!(
            err(json!({"rules": [{"kind": "delay"}]})).contains("rules[0].delay_ms is required")
        );
        assert!(
            err(json!({"rules": [{"kind": "reset"}, {"kind": "redirect"}]}))
                .contains("rules[1].location is required")
        );
        assert!(
            err(json!({"rules": [{"kind": "reset", "delayMs": 3}]}))
                .starts_with("rules[0].delayMs is not a rule field")
        );
        assert!(
            err(json!({"rules": [{"kind": "reset", "status": 503}]}))
                .contains("rules[0].status does not apply")
        );
        assert!(
            err(json!({"rules": [{"kind": "status", "status": 200}]}))
                .contains("rules[0].status must be")
        );
        assert!(
            err(json!({"rules": [{"kind": "redirect", "location": "/x", "status": 302.5}]}))
                .contains("rules[0].status")
        );
        assert!(err(json!({"rules": [{"kind": "status", "rate": 1.5}]})).contains("rules[0].rate"));
        assert!(
            err(json!({"rules": [{"kind": "status", "rate": "0.5"}]})).contains("rules[0].rate")
        );
        assert!(err(json!({"rules": [{"kind": "status", "count": 0}]})).contains("rules[0].count"));
        assert!(
            err(json!({"rules": [{"kind": "status", "count": -1}]})).contains("rules[0].count")
        );
        assert!(
            err(json!({"rules": [{"kind": "status", "path": "/__sandbox/ledger"}]}))
                .contains("rules[0].path")
        );
        assert!(
            err(json!({"rules": [{"kind": "truncate", "when": "before"}]}))
                .contains("rules[0].when")
        );
        assert!(
            err(json!({"rules": [{"kind": "status", "when": "later"}]})).contains("rules[0].when")
        );
        assert!(err(json!({"seed": -1, "rules": []})).starts_with("seed"));
        assert!(err(json!({"seed": 1})).starts_with("rules is required"));
        assert!(err(json!({"rules": [], "fail_next": 1})).starts_with("fail_next is not"));
    }

    #[test]
    fn defaults_are_filled_in() {
        let plan = FaultPlan::from_json(&json!({"rules": [
            {"kind": "status", "path": "v1/transaction/check"},
            {"kind": "redirect", "location": "http://x/", "rate": 0.5},
            {"kind": "replace", "body": "{}", "path": null},
        ]}))
        .and_then(|p| p.normalized())
        .expect("valid");
        let r = &plan.rules;
        assert_eq!(r[0].path.as_deref(), Some("/v1/transaction/check"));
        assert_eq!(
            (r[0].count, r[0].status, r[0].when),
            (Some(1), Some(503), FaultWhen::After)
        );
        assert_eq!((r[1].count, r[1].status), (None, Some(307)));
        assert_eq!((r[2].path.as_deref(), r[2].status), (None, Some(200)));
        let back = FaultPlan::from_json(&plan.to_json()).and_then(|p| p.normalized());
        assert_eq!(back.as_ref(), Ok(&plan));
    }

    #[test]
    fn first_matching_rule_fires_and_counts_run_out() {
        let inj = Injector::new(
            FaultPlan::new(vec![
                FaultRule::reset().path("/v1/transaction/check").count(2),
                FaultRule::status(500).count(1),
            ])
            .normalized()
            .expect("valid"),
        );
        let kinds: Vec<_> = (0..4)
            .map(|_| inj.pick("/v1/transaction/check").map(|r| r.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                Some(FaultKind::Reset),
                Some(FaultKind::Reset),
                Some(FaultKind::Status),
                None
            ]
        );
        let st = inj.stats();
        assert_eq!(
            (
                st.total,
                st.injected(FaultKind::Reset),
                st.injected(FaultKind::Status)
            ),
            (3, 2, 1)
        );
        assert_eq!(st.rules[0].remaining, Some(0));
        assert_eq!(
            Injector::new(FaultPlan::default()).stats(),
            FaultStats::default()
        );
    }
}
