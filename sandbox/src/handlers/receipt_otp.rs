//! `v2/agent/create_end_user_receipt_otp`: Paynet texts the end user a code for the
//! "OTP-verified end-user receipt" payments. The sandbox sends nothing and keeps the last
//! code per number for `Sandbox::last_receipt_otp`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::{json_ok, unwrap_response};
use crate::wire::{ApiError, ApiResult, Fields, parse_object};
use crate::{Shared, lock};

#[derive(Serialize)]
struct OtpResponse<'a> {
    object_name: Option<&'a str>,
    code: i32,
    message: &'a str,
}

pub async fn create(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let phone = f.required_string("phoneNumber", 11)?;
    let b = phone.as_bytes();
    if b.len() != 11 || !phone.starts_with("05") || !b.iter().all(u8::is_ascii_digit) {
        return Err(ApiError::invalid(
            "phoneNumber 05XXXXXXXXX biçiminde olmalı (phoneNumber must be 05 and 9 more digits)",
        ));
    }
    let code = format!("{:06}", s.rng.below(1_000_000));
    lock(&s.receipt_otps).insert(phone, code);
    Ok(json_ok(&OtpResponse {
        object_name: None,
        code: 0,
        message: "Sms gönderimi başarılı.",
    }))
}
