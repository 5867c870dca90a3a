//! Tolerant decoding of request bodies and Paynet's error envelope.
//!
//! Real Paynet clients send the same field in many encodings (the S001 example sends every
//! number and boolean as a string, the S003 PHP sample mixes ints, strings and bools), so
//! every handler reads its fields through [`Fields`] instead of a strict serde struct.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// Paynet result codes used by the sandbox (paynet-api.md §6).
pub mod rc {
    pub const UNSUCCESSFUL: i32 = 1;
    pub const DUPLICATE_DATA: i32 = 5;
    pub const NO_PROCESS: i32 = 6;
    pub const UNAUTHORIZED: i32 = 7;
    pub const SERVER_ERROR: i32 = 8;
    pub const NOT_IMPLEMENTED: i32 = 9;
    pub const BAD_REQUEST: i32 = 11;
    pub const NO_DATA: i32 = 12;
    pub const PAYNETJ_NO_SESSION: i32 = 13;
    pub const PAYNETJ_UNMATCH_TRAN: i32 = 15;
    pub const PAYNETJ_3D_ERROR: i32 = 16;
    pub const PAYNETJ_USED_SESSION: i32 = 17;
    pub const WRONG_CARD_DATA: i32 = 18;
    pub const WRONG_TRANSACTION_TYPE: i32 = 19;
    pub const OLD_SUCCESSFUL: i32 = 100;
}

/// A non-200 answer in Paynet's documented error shape.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub result_code: i32,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    message: &'a str,
    code: u16,
    result_code: i32,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        result_code: i32,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            result_code,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            rc::BAD_REQUEST,
            message,
        )
    }

    pub fn invalid_rc(result_code: i32, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            result_code,
            message,
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "authorization_error",
            rc::UNAUTHORIZED,
            "API anahtarınız yanlış",
        )
    }

    pub fn not_found_tx(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "no_data_error", rc::NO_DATA, message)
    }

    pub fn body(&self) -> Vec<u8> {
        let body = ErrorBody {
            kind: self.kind,
            message: &self.message,
            code: self.status.as_u16(),
            result_code: self.result_code,
        };
        // Serializing four plain fields cannot fail; fall back to an empty object to stay panic-free.
        serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Parses a request body into a JSON object; anything else is Paynet's 400/11.
pub fn parse_object(body: &[u8]) -> ApiResult<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        // An empty body is treated as an empty object so optional-only endpoints
        // (payment_list) work with a bare POST.
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid(
            "İstek gövdesi bir JSON nesnesi olmalı (request body must be a JSON object)",
        )),
        Err(e) => Err(ApiError::invalid(format!(
            "İstek gövdesi geçerli JSON değil (invalid JSON body): {e}"
        ))),
    }
}

/// Read access to one request object with Paynet's loose encodings.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
}

fn bad(field: &str, expected: &str) -> ApiError {
    ApiError::invalid(format!(
        "{field} alanı geçersiz: {expected} bekleniyor (invalid {field}: expected {expected})"
    ))
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map }
    }

    /// The raw value, with `null` and `""` (also whitespace-only) meaning absent.
    fn present(&self, name: &str) -> Option<&'a Value> {
        match self.map.get(name)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            v => Some(v),
        }
    }

    /// The textual form of a scalar: strings as-is (trimmed), numbers as their JSON token.
    fn text(&self, name: &str) -> ApiResult<Option<String>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(bad(name, "a string")),
        }
    }

    pub fn is_present(&self, name: &str) -> bool {
        self.present(name).is_some()
    }

    /// Whether the field came as a JSON number, not as text.
    pub fn is_number(&self, name: &str) -> bool {
        matches!(self.present(name), Some(Value::Number(_)))
    }

    /// A string field; numbers are accepted and kept as their textual form.
    pub fn string(&self, name: &str, max_len: usize) -> ApiResult<Option<String>> {
        let Some(s) = self.text(name)? else {
            return Ok(None);
        };
        if s.chars().count() > max_len {
            return Err(ApiError::invalid(format!(
                "{name} alanı en fazla {max_len} karakter olabilir ({name} must be at most {max_len} characters)"
            )));
        }
        Ok(Some(s))
    }

    pub fn required_string(&self, name: &str, max_len: usize) -> ApiResult<String> {
        self.string(name, max_len)?.ok_or_else(|| required(name))
    }

    /// An absolute `http://` or `https://` URL: the browser or the sandbox goes there.
    pub fn http_url(&self, name: &str, max_len: usize) -> ApiResult<Option<String>> {
        let Some(url) = self.string(name, max_len)? else {
            return Ok(None);
        };
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("http://")
            .or_else(|| lower.strip_prefix("https://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        match host {
            Some(h) if !h.is_empty() && !url.chars().any(char::is_whitespace) => Ok(Some(url)),
            _ => Err(ApiError::invalid(format!(
                "{name} http:// veya https:// ile başlayan mutlak bir adres olmalı \
                 ({name} must be an absolute http(s) URL)"
            ))),
        }
    }

    /// An integer sent as a JSON number or a numeric string (`8`, `"8"`).
    pub fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        let Some(s) = self.text(name)? else {
            return Ok(None);
        };
        parse_int(&s)
            .map(Some)
            .ok_or_else(|| bad(name, "an integer"))
    }

    /// A boolean sent as `true`/`false` or as a string in any letter case (`"False"`),
    /// also `1`/`0` which some form posts produce.
    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => parse_bool(s.trim())
                .map(Some)
                .ok_or_else(|| bad(name, "true or false")),
            Some(Value::Number(n)) => parse_bool(&n.to_string())
                .map(Some)
                .ok_or_else(|| bad(name, "true or false")),
            Some(_) => Err(bad(name, "true or false")),
        }
    }

    /// A decimal TL amount (`12.5`, `"12.50"`, `"12,50"`), returned in kuruş; must be > 0.
    pub fn amount_tl(&self, name: &str) -> ApiResult<Option<i64>> {
        let Some(s) = self.text(name)? else {
            return Ok(None);
        };
        let kurus = parse_decimal_tl(&s).ok_or_else(|| {
            ApiError::invalid(format!(
                "{name} geçersiz: en fazla 2 ondalıklı pozitif bir TL tutarı bekleniyor, örn. 12.50 veya \"12,50\" \
                 ({name} must be a positive TL amount with at most 2 decimals)"
            ))
        })?;
        positive(name, kurus).map(Some)
    }

    /// An amount multiplied by 100 (`"1500"` or `1500` = 15.00 TL), returned in kuruş; must be > 0.
    pub fn amount_x100(&self, name: &str) -> ApiResult<Option<i64>> {
        let Some(s) = self.text(name)? else {
            return Ok(None);
        };
        let kurus = parse_int(&s).ok_or_else(|| {
            ApiError::invalid(format!(
                "{name} geçersiz: tutar 100 ile çarpılmış tam sayı olmalı, örn. \"1500\" = 15,00 TL \
                 ({name} must be an integer amount ×100)"
            ))
        })?;
        positive(name, kurus).map(Some)
    }
}

fn positive(name: &str, kurus: i64) -> ApiResult<i64> {
    if kurus <= 0 {
        return Err(ApiError::invalid(format!(
            "{name} sıfırdan büyük olmalı ({name} must be greater than zero)"
        )));
    }
    Ok(kurus)
}

pub fn required(name: &str) -> ApiError {
    ApiError::invalid(format!("{name} alanı zorunludur ({name} is required)"))
}

pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") || s == "1" {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") || s == "0" {
        Some(false)
    } else {
        None
    }
}

pub fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `12`, `12.5`, `12.50`, `12,50` into kuruş. Rejects more than 2 decimals, exponents,
/// signs other than a leading `-`, thousands separators and mixed separators.
pub fn parse_decimal_tl(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = match body.find(['.', ',']) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let has_sep = int_part.len() != body.len();
    if int_part.is_empty()
        || int_part.len() > 13
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || frac_part.len() > 2
        || (has_sep && frac_part.is_empty())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: i64 = int_part.parse().ok()?;
    let mut frac: i64 = if frac_part.is_empty() {
        0
    } else {
        frac_part.parse().ok()?
    };
    if frac_part.len() == 1 {
        frac *= 10;
    }
    let v = int.checked_mul(100)?.checked_add(frac)?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_tl() {
        assert_eq!(parse_decimal_tl("12.5"), Some(1250));
        assert_eq!(parse_decimal_tl("12.50"), Some(1250));
        assert_eq!(parse_decimal_tl("12,05"), Some(1205));
        assert_eq!(parse_decimal_tl("12"), Some(1200));
        assert_eq!(parse_decimal_tl("-1"), Some(-100));
        assert_eq!(parse_decimal_tl("12.505"), None);
        assert_eq!(parse_decimal_tl("1.234,56"), None);
        assert_eq!(parse_decimal_tl("1e3"), None);
        assert_eq!(parse_decimal_tl("12."), None);
        assert_eq!(parse_decimal_tl(".5"), None);
        assert_eq!(parse_decimal_tl("abc"), None);
    }

    #[test]
    fn bools_and_ints() {
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_int("2026"), Some(2026));
        assert_eq!(parse_int("8.0"), None);
        assert_eq!(parse_int(""), None);
    }
}
