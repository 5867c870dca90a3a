//! Client configuration: who we are, where we talk to, how long we wait.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::secret::SecretKey;
use crate::wire::MoneyWire;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// Paynet's test system. The default, so a forgotten setting never moves real money.
    #[default]
    Test,
    Live,
}

impl Environment {
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Test => "https://pts-api.paynet.com.tr",
            Environment::Live => "https://api.paynet.com.tr",
        }
    }
}

/// Which bindings offer a client option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bindings {
    Both,
    NodeOnly,
    PythonOnly,
}

/// A client option's type; each binding spells it its own way (see `spec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionType {
    /// Text that is never shown (the secret key).
    Secret,
    Text,
    OneOf(&'static [&'static str]),
    Bool,
    /// Python: seconds (`float`); Node: milliseconds (the name ends in `Ms`).
    Duration,
    /// A whole number of times.
    Count,
    /// A whole number of bytes.
    Bytes,
    /// A function called with each `RequestEvent`.
    Callback,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptionDefault {
    /// The option must be given.
    Required,
    /// Absent unless given (no value stands in for it).
    Unset,
    Text(&'static str),
    Bool(bool),
    Count(u64),
    Duration(Duration),
}

/// One client option, as both bindings expose it. [`CLIENT_OPTIONS`] is the
/// one list: the bindings read every option through it (by its type, with
/// [`Config::set_option`]), and the exported spec and `docs/API.md` are made from it.
#[derive(Debug, Clone, Copy)]
pub struct ClientOption {
    /// snake_case: core's and Python's name.
    pub name: &'static str,
    /// Node's name: camelCase, with `Ms` where it counts milliseconds.
    pub node_name: &'static str,
    pub ty: OptionType,
    pub default: OptionDefault,
    pub bindings: Bindings,
    /// Sets the checked value on a `Config`; `None` for what a binding uses
    /// itself: the key (`Config::new`), Node's money mode, the hook.
    pub set: Option<fn(Config, &OptionValue) -> Config>,
    /// Also accepted per call, where this sets it.
    pub set_per_call: Option<fn(&mut RequestOptions, &OptionValue)>,
    pub doc: &'static str,
}

/// A client option's value as a binding read it, by the option's [`OptionType`]:
/// text for `Text`/`Secret`/`OneOf`, a whole number for `Count`/`Bytes`.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    Text(String),
    Bool(bool),
    Count(u64),
    Duration(Duration),
}

impl OptionValue {
    // After `ClientOption::check` the variant is the option's own, so these
    // fallbacks are never used; they keep a mismatch from panicking.
    fn text(&self) -> &str {
        if let OptionValue::Text(t) = self { t } else { "" }
    }

    fn flag(&self) -> bool {
        matches!(self, OptionValue::Bool(true))
    }

    fn count(&self) -> u64 {
        if let OptionValue::Count(n) = self { *n } else { 0 }
    }

    fn duration(&self) -> Duration {
        if let OptionValue::Duration(d) = self { *d } else { Duration::ZERO }
    }
}

impl ClientOption {
    pub const fn per_call(&self) -> bool {
        self.set_per_call.is_some()
    }

    /// Whether the binding (Python, or Node) offers it.
    pub fn offered_by(&self, node: bool) -> bool {
        self.bindings == Bindings::Both || self.bindings == if node { Bindings::NodeOnly } else { Bindings::PythonOnly }
    }

    /// The option by its name in a binding: core's (Python's) or Node's.
    pub fn find(name: &str, node: bool) -> Option<&'static ClientOption> {
        CLIENT_OPTIONS.iter().find(|o| o.offered_by(node) && (if node { o.node_name } else { o.name }) == name)
    }

    /// `value` is of this option's type and in its range; errors name the option.
    pub fn check(&self, value: &OptionValue) -> Result<(), Error> {
        let bad = |problem: String| Err(Error::invalid(self.name, problem));
        match (self.ty, value) {
            (OptionType::Secret | OptionType::Text, OptionValue::Text(_)) | (OptionType::Bool, OptionValue::Bool(_)) => Ok(()),
            (OptionType::OneOf(values), OptionValue::Text(t)) if values.contains(&t.as_str()) => Ok(()),
            (OptionType::OneOf(values), OptionValue::Text(_)) => {
                bad(format!("must be {}", values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(" or ")))
            }
            (OptionType::Duration, OptionValue::Duration(d)) if !d.is_zero() => Ok(()),
            (OptionType::Duration, OptionValue::Duration(_)) => bad("must be greater than zero".into()),
            (OptionType::Count, OptionValue::Count(n)) if *n <= u64::from(u32::MAX) => Ok(()),
            (OptionType::Count, OptionValue::Count(_)) => bad(format!("must be a whole number from 0 to {}", u32::MAX)),
            (OptionType::Bytes, OptionValue::Count(n)) if *n >= 1 && usize::try_from(*n).is_ok() => Ok(()),
            (OptionType::Bytes, OptionValue::Count(_)) => bad("must be a positive number of bytes".into()),
            // Never the value: for `secret_key` it is the key.
            (ty, _) => Err(Error::internal(format!("the option {} ({ty:?}) was read as a value of another type", self.name))),
        }
    }
}

const fn option(
    name: &'static str,
    node_name: &'static str,
    ty: OptionType,
    default: OptionDefault,
    set: Option<fn(Config, &OptionValue) -> Config>,
    doc: &'static str,
) -> ClientOption {
    ClientOption { name, node_name, ty, default, bindings: Bindings::Both, set, set_per_call: None, doc }
}

/// Every client option, in the order the docs list them.
pub const CLIENT_OPTIONS: &[ClientOption] = &[
    option("secret_key", "secretKey", OptionType::Secret, OptionDefault::Required, None,
        "Your Paynet secret key (`sck_…`). Kept in native memory and sent only as the `Authorization` header; never printed."),
    option("environment", "environment", OptionType::OneOf(&["test", "live"]), OptionDefault::Text("test"),
        Some(|c, v| c.environment(if v.text() == "live" { Environment::Live } else { Environment::Test })),
        "Paynet's test or live system. The default is `test`, so a forgotten setting never moves real money."),
    option("base_url", "baseUrl", OptionType::Text, OptionDefault::Unset, Some(|c, v| c.base_url(v.text())),
        "Overrides the environment's URL (the sandbox, a proxy). Must be https; plain http only to this machine, or with `allow_insecure_http`, never for `live`."),
    ClientOption {
        set_per_call: Some(|o, v| o.timeout = Some(v.duration())),
        ..option("timeout", "timeoutMs", OptionType::Duration, OptionDefault::Duration(Config::DEFAULT_TIMEOUT),
            Some(|c, v| c.timeout(v.duration())),
            "Deadline for a whole call, retries, waits and the reading of the answer included.")
    },
    option("connect_timeout", "connectTimeoutMs", OptionType::Duration, OptionDefault::Duration(Config::DEFAULT_CONNECT_TIMEOUT),
        Some(|c, v| c.connect_timeout(v.duration())),
        "Deadline for opening a connection."),
    ClientOption {
        set_per_call: Some(|o, v| o.max_retries = Some(v.count() as u32)),
        ..option("max_retries", "maxRetries", OptionType::Count, OptionDefault::Count(Config::DEFAULT_MAX_RETRIES as u64),
            Some(|c, v| c.max_retries(v.count() as u32)),
            "Extra attempts, only where a retry cannot charge twice (see the retry policies).")
    },
    option("payment_amount_format", "paymentAmountFormat", OptionType::OneOf(&["number", "comma"]), OptionDefault::Text("number"),
        Some(|c, v| c.payment_amount_format(if v.text() == "comma" { MoneyWire::CommaString } else { MoneyWire::DecimalNumber })),
        "How `payments.create` sends `amount`: Paynet's payment page (S001) shows a JSON number (`12.50`, the default), newer pages a comma string (`\"12,50\"`). You always pass TL amounts."),
    option("ratio_amount_format", "ratioAmountFormat", OptionType::OneOf(&["kurus", "number"]), OptionDefault::Text("kurus"),
        Some(|c, v| c.ratio_amount_format(if v.text() == "number" { MoneyWire::DecimalNumber } else { MoneyWire::KurusString })),
        "How `ratios.get` and `ratios.instalment_table` (`v1/ratio/Get`) send `amount`: kuruş text (`\"1250\"` for 12.50 TL, the default, as Paynet's own clients do) or, per the older docs, a decimal number. `ratios.get_public` always sends kuruş, as its docs say. You always pass TL amounts."),
    option("publishable_key", "publishableKey", OptionType::Secret, OptionDefault::Unset,
        // Checked with the rest of the configuration (`Config::check`): a setter cannot fail.
        Some(|mut c, v| {
            c.publishable_key = Some(SecretKey::unchecked(v.text()));
            c
        }),
        "Your publishable key (`pbk_…`), for `ratios.get_public`, the one call Paynet serves with it. Kept in native memory; never printed."),
    option("publishable_key_in", "publishableKeyIn", OptionType::OneOf(&["header", "body"]), OptionDefault::Text("header"),
        Some(|c, v| c.publishable_key_in(if v.text() == "body" { PublishableKeyIn::Body } else { PublishableKeyIn::Header })),
        "How `ratios.get_public` sends the publishable key, which Paynet's reference leaves open: as `Authorization: Basic pbk_…` (the default, as the secret key travels) or as a `publishable_key` body field (as Paynet.js sends it), with no `Authorization` header."),
    option("subscription_amount_format", "subscriptionAmountFormat", OptionType::OneOf(&["kurus", "decimal"]), OptionDefault::Text("kurus"),
        Some(|c, v| c.subscription_amount_format(if v.text() == "decimal" { MoneyWire::DecimalNumber } else { MoneyWire::KurusString })),
        "How the subscription services send amounts (`subscriptions.create`, `update_amount`, `subscription_invoices.create`, `update_amount`), `amount` and its shares `agent_amount` / `company_amount` alike: the current docs say ×100 kuruş strings (`\"1250\"`, the default), the older ones a decimal (`12.50`). You always pass TL amounts."),
    option("subscription_amount_update_path", "subscriptionAmountUpdatePath", OptionType::OneOf(&[paths::AMOUNT_UPDATE, paths::AMOUNT_UPDATE_INDEX]), OptionDefault::Text(paths::AMOUNT_UPDATE),
        Some(|c, v| c.path_override(paths::AMOUNT_UPDATE, if v.text() == paths::AMOUNT_UPDATE { paths::AMOUNT_UPDATE } else { paths::AMOUNT_UPDATE_INDEX })),
        "The path of `subscriptions.update_amount`: its own page says `v1/subscription/amount_update` (the default), the docs' index `v1/subcription/amount_update`."),
    option("subscription_manual_charge_path", "subscriptionManualChargePath", OptionType::OneOf(&[paths::MANUAL_CHARGE, paths::MANUAL_CHARGE_TITLE]), OptionDefault::Text(paths::MANUAL_CHARGE),
        Some(|c, v| c.path_override(paths::MANUAL_CHARGE, if v.text() == paths::MANUAL_CHARGE { paths::MANUAL_CHARGE } else { paths::MANUAL_CHARGE_TITLE })),
        "The path of `subscription_invoices.charge`: its page says `v1/subscription/manual_charge` (the default), one title `manuel_charge`."),
    option("allow_insecure_http", "allowInsecureHttp", OptionType::Bool, OptionDefault::Bool(false), Some(|c, v| c.allow_insecure_http(v.flag())),
        "Plain `http://` to a host other than this machine (a sandbox in docker-compose). Never allowed for `live`; loopback needs no opt-in."),
    option("max_response_bytes", "maxResponseBytes", OptionType::Bytes, OptionDefault::Count(Config::DEFAULT_MAX_RESPONSE_BYTES as u64),
        Some(|c, v| c.max_response_bytes(v.count() as usize)),
        "The largest answer read from an ordinary endpoint; a larger one is refused (`protocol`, or `unknown_outcome` where money may have moved)."),
    option("max_report_bytes", "maxReportBytes", OptionType::Bytes, OptionDefault::Count(Config::DEFAULT_MAX_REPORT_BYTES as u64),
        Some(|c, v| c.max_report_bytes(v.count() as usize)),
        "The same for report endpoints (`reports.payment_list`), whose answers grow with the business: about 1 KB per row."),
    ClientOption {
        bindings: Bindings::NodeOnly,
        ..option("money", "money", OptionType::OneOf(&["string", "number"]), OptionDefault::Text("string"), None,
            "Result amounts as exact decimal strings (the default) or as JS numbers. Python always returns `Decimal`.")
    },
    option("on_request", "onRequest", OptionType::Callback, OptionDefault::Unset, None,
        "Called once per HTTP attempt (operation, path, status, duration, attempt, outcome; never headers or bodies), for logs and metrics. What it raises is logged, never passed on."),
];

/// Paths Paynet's docs spell two ways: the endpoint declares the first, a
/// client option can send to the other.
pub mod paths {
    pub const AMOUNT_UPDATE: &str = "v1/subscription/amount_update";
    pub const AMOUNT_UPDATE_INDEX: &str = "v1/subcription/amount_update";
    pub const MANUAL_CHARGE: &str = "v1/subscription/manual_charge";
    pub const MANUAL_CHARGE_TITLE: &str = "v1/subscription/manuel_charge";
}

/// One HTTP attempt, as reported to [`Config::on_request`]. It holds no
/// headers and no bodies, so nothing secret can reach a log through it.
#[derive(Debug, Clone)]
pub struct RequestEvent<'a> {
    pub method: &'static str,
    pub path: &'a str,
    /// The SDK method: `payments.create`.
    pub operation: &'a str,
    /// The call's `reference_no`, if it has one: not a secret, and what a
    /// log reader needs after a `cancelled` or `unknown_outcome`.
    pub reference_no: Option<&'a str>,
    /// `None` when no response arrived (connection error, timeout).
    pub status: Option<u16>,
    pub duration: Duration,
    /// 1 for the first try.
    pub attempt: u32,
    /// `"ok"`, the error kind of this attempt, or `"cancelled"`: the caller
    /// gave up on a money-moving call (Ctrl-C, a cancelled task) after it
    /// was sent, so Paynet may have processed it. Bindings log that as a warning.
    pub outcome: &'static str,
    pub will_retry: bool,
}

pub type RequestHook = Arc<dyn Fn(&RequestEvent<'_>) + Send + Sync>;

/// Where a call made with the publishable key carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishableKeyIn {
    /// `Authorization: Basic pbk_…`, as the secret key travels.
    Header,
    /// A `publishable_key` field of the body, as Paynet.js sends it; no `Authorization` header.
    Body,
}

#[derive(Clone)]
pub struct Config {
    pub secret_key: SecretKey,
    pub environment: Environment,
    /// Overrides the environment's URL (the sandbox, a proxy).
    pub base_url: Option<String>,
    pub connect_timeout: Duration,
    /// Deadline for a whole call, retries included. Overridable per call.
    pub timeout: Duration,
    /// Extra attempts where a retry cannot charge twice (see `RetryPolicy`).
    pub max_retries: u32,
    /// First backoff delay; doubles per retry, capped at 5 s, with jitter.
    pub retry_initial_delay: Duration,
    /// How `v2/transaction/payment` receives `amount`: the reference's sources
    /// disagree (S001: JSON number; newer docs: comma string). Default: S001.
    pub payment_amount_format: MoneyWire,
    pub ratio_amount_format: MoneyWire,
    /// The browser key (`pbk_…`), for the endpoints Paynet serves with it (`ratios.get_public`).
    pub publishable_key: Option<SecretKey>,
    /// How those endpoints carry it: the reference does not say (paynet-api.md §8.7).
    pub publishable_key_in: PublishableKeyIn,
    /// How the subscription services receive amounts: current docs ×100
    /// kuruş strings (the default), older ones decimals.
    pub subscription_amount_format: MoneyWire,
    /// Declared path → the path requests go to instead (`paths`).
    pub path_overrides: Vec<(&'static str, &'static str)>,
    /// Appended to the User-Agent by a binding, e.g. `python/3.11.7`.
    pub user_agent_extra: Option<String>,
    pub on_request: Option<RequestHook>,
    /// Plain `http://` to a host other than this machine (a sandbox in
    /// docker-compose). Off by default; never allowed for `live`.
    pub allow_insecure_http: bool,
    /// The largest answer read from an ordinary endpoint; a larger one is
    /// refused (`protocol`, or `unknown_outcome` where money may have moved).
    pub max_response_bytes: usize,
    /// The same for report endpoints (`payment_list`), whose answers grow
    /// with the business: about 1 KB per row.
    pub max_report_bytes: usize,
}

impl Config {
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    pub const DEFAULT_MAX_RETRIES: u32 = 2;
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 << 20;
    pub const DEFAULT_MAX_REPORT_BYTES: usize = 512 << 20;

    pub fn new(secret_key: impl Into<String>) -> Result<Config, Error> {
        let secret_key = SecretKey::new(secret_key).map_err(|m| Error::invalid("secret_key", m))?;
        Ok(Config {
            secret_key,
            environment: Environment::Test,
            base_url: None,
            connect_timeout: Config::DEFAULT_CONNECT_TIMEOUT,
            timeout: Config::DEFAULT_TIMEOUT,
            max_retries: Config::DEFAULT_MAX_RETRIES,
            retry_initial_delay: Duration::from_millis(500),
            payment_amount_format: MoneyWire::DecimalNumber,
            ratio_amount_format: MoneyWire::KurusString,
            publishable_key: None,
            publishable_key_in: PublishableKeyIn::Header,
            subscription_amount_format: MoneyWire::KurusString,
            path_overrides: Vec::new(),
            user_agent_extra: None,
            on_request: None,
            allow_insecure_http: false,
            max_response_bytes: Config::DEFAULT_MAX_RESPONSE_BYTES,
            max_report_bytes: Config::DEFAULT_MAX_REPORT_BYTES,
        })
    }

    pub fn environment(mut self, environment: Environment) -> Config {
        self.environment = environment;
        self
    }

    pub fn base_url(mut self, url: impl Into<String>) -> Config {
        self.base_url = Some(url.into());
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Config {
        self.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Config {
        self.connect_timeout = timeout;
        self
    }

    pub fn max_retries(mut self, retries: u32) -> Config {
        self.max_retries = retries;
        self
    }

    pub fn retry_initial_delay(mut self, delay: Duration) -> Config {
        self.retry_initial_delay = delay;
        self
    }

    pub fn payment_amount_format(mut self, format: MoneyWire) -> Config {
        self.payment_amount_format = format;
        self
    }

    pub fn ratio_amount_format(mut self, format: MoneyWire) -> Config {
        self.ratio_amount_format = format;
        self
    }

    pub fn publishable_key(mut self, key: impl Into<String>) -> Result<Config, Error> {
        self.publishable_key = Some(SecretKey::new(key).map_err(|m| Error::invalid("publishable_key", m))?);
        Ok(self)
    }

    pub fn publishable_key_in(mut self, place: PublishableKeyIn) -> Config {
        self.publishable_key_in = place;
        self
    }

    pub fn subscription_amount_format(mut self, format: MoneyWire) -> Config {
        self.subscription_amount_format = format;
        self
    }

    /// Sends what is declared at `declared` to `used` instead.
    pub fn path_override(mut self, declared: &'static str, used: &'static str) -> Config {
        self.path_overrides.retain(|(d, _)| *d != declared);
        if declared != used {
            self.path_overrides.push((declared, used));
        }
        self
    }

    /// Where a request for the declared `path` goes.
    pub fn path_for(&self, path: &'static str) -> &'static str {
        self.path_overrides.iter().find(|(d, _)| *d == path).map_or(path, |(_, used)| used)
    }

    pub fn user_agent_extra(mut self, extra: impl Into<String>) -> Config {
        self.user_agent_extra = Some(extra.into());
        self
    }

    pub fn on_request(mut self, hook: RequestHook) -> Config {
        self.on_request = Some(hook);
        self
    }

    pub fn allow_insecure_http(mut self, allow: bool) -> Config {
        self.allow_insecure_http = allow;
        self
    }

    pub fn max_response_bytes(mut self, limit: usize) -> Config {
        self.max_response_bytes = limit;
        self
    }

    pub fn max_report_bytes(mut self, limit: usize) -> Config {
        self.max_report_bytes = limit;
        self
    }

    /// Sets a client option a binding read by its type: checked against its
    /// declaration, then applied. An option the binding uses itself (the
    /// key, the money mode, the hook) is left as it is.
    pub fn set_option(self, option: &ClientOption, value: &OptionValue) -> Result<Config, Error> {
        option.check(value)?;
        Ok(match option.set {
            Some(set) => set(self, value),
            None => self,
        })
    }

    /// The base URL without a trailing slash. Card data travels to it, so
    /// it must be exactly a place to send requests to: https (plain http
    /// only to this machine, or with `allow_insecure_http` outside `live`),
    /// no credentials, query or fragment, no control characters or spaces.
    pub fn resolved_base_url(&self) -> Result<String, Error> {
        let raw = self.base_url.as_deref().unwrap_or(self.environment.base_url());
        let bad = |problem: &str| Err(Error::invalid("base_url", problem));
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return bad("must not contain spaces or control characters");
        }
        let Ok(url) = reqwest::Url::parse(raw) else {
            return bad("is not a valid URL");
        };
        match url.scheme() {
            "https" => {}
            "http" if self.environment == Environment::Live => {
                return bad("must use https:// for the live environment: card data would travel unencrypted");
            }
            "http" if !self.allow_insecure_http && !is_loopback(&url) => {
                return bad(
                    "uses plain http:// to another machine: card data would travel unencrypted; use https://, or set allow_insecure_http for a test server",
                );
            }
            "http" => {}
            _ => return bad("must start with https:// or http://"),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return bad("has no host");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return bad("must not contain credentials (user:password@); the key is sent in its own header");
        }
        if url.query().is_some() || url.fragment().is_some() || raw.contains(['?', '#']) {
            return bad("must not contain a query (?…) or fragment (#…)");
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    pub fn user_agent(&self) -> String {
        let base = format!("paynet/{} (rust-core)", env!("CARGO_PKG_VERSION"));
        match &self.user_agent_extra {
            Some(extra) => format!("{base} {extra}"),
            None => base,
        }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be greater than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid("connect_timeout", "must be greater than zero"));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid("max_response_bytes", "must be greater than zero"));
        }
        if self.max_report_bytes == 0 {
            return Err(Error::invalid("max_report_bytes", "must be greater than zero"));
        }
        if let Some(key) = &self.publishable_key {
            SecretKey::new(key.expose()).map_err(|m| Error::invalid("publishable_key", m))?;
        }
        self.resolved_base_url().map(drop)
    }
}

/// `localhost`, 127.0.0.0/8 or ::1: traffic that never leaves the machine.
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("secret_key", &self.secret_key)
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("payment_amount_format", &self.payment_amount_format)
            .field("ratio_amount_format", &self.ratio_amount_format)
            .field("publishable_key", &self.publishable_key)
            .field("publishable_key_in", &self.publishable_key_in)
            .field("subscription_amount_format", &self.subscription_amount_format)
            .field("path_overrides", &self.path_overrides)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_report_bytes", &self.max_report_bytes)
            .finish_non_exhaustive()
    }
}

/// Per-call overrides.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    /// Told as each part of a method made of several calls finishes (a
    /// report's date range, `Endpoint::PROGRESS`); other methods ignore it.
    /// Set by the bindings from their own callback, not a client option.
    pub progress: Option<ProgressHook>,
    /// The rows are wanted as Arrow batches only (a binding's table
    /// method): a method that reads its rows as they arrive reads them
    /// straight into columns (`Cells::table`) and makes no typed rows;
    /// other methods ignore it. Set by the bindings, not a client option.
    pub columns: bool,
}

/// One finished part of a method made of several calls.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Parts finished so far, this one included (they finish in any order).
    pub done: usize,
    pub total: usize,
    /// What the part was: the due date of a range's day.
    pub part: &'a str,
}

/// The callback behind [`RequestOptions::progress`]. Called on whichever
/// thread drives the call; it must not block for long.
#[derive(Clone)]
pub struct ProgressHook(pub std::sync::Arc<dyn Fn(&Progress<'_>) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl RequestOptions {
    pub fn timeout(timeout: Duration) -> RequestOptions {
        RequestOptions { timeout: Some(timeout), ..Default::default() }
    }

    /// The per-call counterpart of [`Config::set_option`]; an option that is
    /// not per call is refused, naming it.
    pub fn set_option(&mut self, option: &ClientOption, value: &OptionValue) -> Result<(), Error> {
        option.check(value)?;
        let set = option.set_per_call.ok_or_else(|| Error::invalid(option.name, "is a client option, not a per-call one"))?;
        set(self, value);
        Ok(())
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::invalid("timeout", "must be greater than zero"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(default: OptionDefault) -> Option<OptionValue> {
        match default {
            OptionDefault::Required | OptionDefault::Unset => None,
            OptionDefault::Text(t) => Some(OptionValue::Text(t.into())),
            OptionDefault::Bool(b) => Some(OptionValue::Bool(b)),
            OptionDefault::Count(n) => Some(OptionValue::Count(n)),
            OptionDefault::Duration(d) => Some(OptionValue::Duration(d)),
        }
    }

    /// The table's defaults are the ones `Config::new` sets: setting each
    /// one changes nothing.
    #[test]
    fn option_defaults_are_the_configs() {
        let fresh = Config::new("sck_defaults_Q7w8e9r0t1y2u3i4").unwrap();
        for o in CLIENT_OPTIONS {
            let Some(value) = value_of(o.default) else { continue };
            let set = fresh.clone().set_option(o, &value).unwrap();
            assert_eq!(format!("{set:?}"), format!("{fresh:?}"), "{}", o.name);
            let mut call = RequestOptions::default();
            if o.per_call() {
                call.set_option(o, &value).unwrap();
                assert_ne!(format!("{call:?}"), format!("{:?}", RequestOptions::default()), "{}", o.name);
            } else {
                assert_eq!(call.set_option(o, &value).unwrap_err().field.as_deref(), Some(o.name));
            }
        }
    }

    #[test]
    fn option_values_are_checked_against_their_declaration() {
        let config = || Config::new("sck_defaults_Q7w8e9r0t1y2u3i4").unwrap();
        let find = |name| ClientOption::find(name, false).unwrap();
        let refused = |name, value: OptionValue| config().set_option(find(name), &value).unwrap_err();
        assert_eq!(refused("payment_amount_format", OptionValue::Text("kurus".into())).message, "payment_amount_format: must be \"number\" or \"comma\"");
        assert_eq!(refused("environment", OptionValue::Text("prod".into())).field.as_deref(), Some("environment"));
        assert_eq!(refused("timeout", OptionValue::Duration(Duration::ZERO)).message, "timeout: must be greater than zero");
        assert_eq!(refused("max_retries", OptionValue::Count(1 << 32)).field.as_deref(), Some("max_retries"));
        assert_eq!(refused("max_report_bytes", OptionValue::Count(0)).field.as_deref(), Some("max_report_bytes"));
        assert_eq!(refused("timeout", OptionValue::Text("5".into())).kind, crate::ErrorKind::Internal);
        let live = config().set_option(find("environment"), &OptionValue::Text("live".into())).unwrap();
        assert_eq!(live.environment, Environment::Live);
        let comma = config().set_option(find("payment_amount_format"), &OptionValue::Text("comma".into())).unwrap();
        assert_eq!(comma.payment_amount_format, MoneyWire::CommaString);
        assert!(ClientOption::find("money", false).is_none() && ClientOption::find("money", true).is_some());
        assert_eq!(ClientOption::find("timeoutMs", true).unwrap().name, "timeout");
    }
}
