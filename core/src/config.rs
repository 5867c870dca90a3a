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

    pub fn parse(name: &str) -> Result<Environment, Error> {
        match name {
            "test" => Ok(Environment::Test),
            "live" => Ok(Environment::Live),
            _ => Err(Error::invalid("environment", "must be \"test\" or \"live\"")),
        }
    }
}

/// One HTTP attempt, as reported to [`Config::on_request`]. It holds no
/// headers and no bodies, so nothing secret can reach a log through it.
#[derive(Debug, Clone)]
pub struct RequestEvent<'a> {
    pub method: &'static str,
    pub path: &'a str,
    /// `None` when no response arrived (connection error, timeout).
    pub status: Option<u16>,
    pub duration: Duration,
    /// 1 for the first try.
    pub attempt: u32,
    /// `"ok"` or the error kind of this attempt.
    pub outcome: &'static str,
    pub will_retry: bool,
}

pub type RequestHook = Arc<dyn Fn(&RequestEvent<'_>) + Send + Sync>;

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
    /// Appended to the User-Agent by a binding, e.g. `python/3.11.7`.
    pub user_agent_extra: Option<String>,
    pub on_request: Option<RequestHook>,
}

impl Config {
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    pub const DEFAULT_MAX_RETRIES: u32 = 2;

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
            user_agent_extra: None,
            on_request: None,
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

    /// The bindings' spelling of `payment_amount_format`: `"number"` (`12.50`,
    /// the default, per S001) or `"comma"` (`"12,50"`, per the newer docs).
    pub fn payment_amount_format_named(self, name: &str) -> Result<Config, Error> {
        let format = match name {
            "number" => MoneyWire::DecimalNumber,
            "comma" => MoneyWire::CommaString,
            _ => return Err(Error::invalid("payment_amount_format", "must be \"number\" or \"comma\"")),
        };
        Ok(self.payment_amount_format(format))
    }

    pub fn user_agent_extra(mut self, extra: impl Into<String>) -> Config {
        self.user_agent_extra = Some(extra.into());
        self
    }

    pub fn on_request(mut self, hook: RequestHook) -> Config {
        self.on_request = Some(hook);
        self
    }

    /// The base URL without a trailing slash, checked to be http(s).
    pub fn resolved_base_url(&self) -> Result<String, Error> {
        let url = self.base_url.as_deref().unwrap_or(self.environment.base_url()).trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::invalid("base_url", "must start with https:// or http://"));
        }
        Ok(url.to_owned())
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
        self.resolved_base_url().map(drop)
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
            .finish_non_exhaustive()
    }
}

/// Per-call overrides.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
}

impl RequestOptions {
    pub fn timeout(timeout: Duration) -> RequestOptions {
        RequestOptions { timeout: Some(timeout), ..Default::default() }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::invalid("timeout", "must be greater than zero"));
        }
        Ok(())
    }
}
