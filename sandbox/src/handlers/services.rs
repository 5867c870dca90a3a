//! The small transaction services: `mark_transferred`, `add_info`, `slip` (and the receipt
//! page it points to), `upload` and `escrow_status_update`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::payment_list::COMPANY_NAME;
use super::responses::MSG_OK;
use super::{json_ok, lookup, unwrap_response};
use crate::Shared;
use crate::ledger::{self, Entry, EscrowStatus, Ledger, Transfer};
use crate::money;
use crate::pages::{self, escape};
use crate::util;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

pub const SLIP_PREFIX: &str = "/__sandbox/slip/";
/// The largest signature image `upload` takes, decoded.
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// Request bodies `upload` reads: room for a base64 image just over the limit, so the
/// answer is Paynet's 400 rather than the HTTP layer's 413.
pub const UPLOAD_BODY_LIMIT: usize = 8 * 1024 * 1024;

#[derive(Serialize)]
struct Done<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
}

fn done(object_name: &str) -> Response {
    json_ok(&Done {
        object_name,
        code: 0,
        message: MSG_OK,
    })
}

/// Runs `change` on the transaction `find` names, under the ledger's lock.
fn update(
    s: &Shared,
    body: &[u8],
    find: fn(&Ledger, &Fields<'_>) -> ApiResult<u64>,
    change: impl FnOnce(&Fields<'_>, &mut Entry) -> ApiResult<()>,
) -> ApiResult<()> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let mut l = ledger::lock(&s.ledger);
    let id = find(&l, &f)?;
    let e = l.get_mut(id).ok_or_else(lookup::not_found)?;
    change(&f, e)
}

fn by_xact_id(l: &Ledger, f: &Fields<'_>) -> ApiResult<u64> {
    lookup::by_xact_id(l, f).map(|e| e.id)
}

/// A positive decimal with at most `decimals` digits after `.` or `,` (`32.1234`).
fn decimal(f: &Fields<'_>, name: &str, decimals: usize) -> ApiResult<()> {
    let Some(text) = f.string(name, 32)? else {
        return Ok(());
    };
    let (int, frac) = text.split_once(['.', ',']).unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let nonzero = text.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > decimals || !nonzero {
        return Err(ApiError::invalid(format!(
            "{name} en fazla {decimals} ondalıklı pozitif bir sayı olmalı \
             ({name} must be a positive number with at most {decimals} decimals)"
        )));
    }
    Ok(())
}

pub async fn mark_transferred(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let marked = update(&s, &body, by_xact_id, |f, e| {
        let document_no = f.string("document_no", 50)?;
        f.amount_tl("amount")?;
        f.string("currency", 3)?;
        decimal(f, "exchange_rate", 6)?;
        // Marking again replaces the document: the shop re-exported it.
        e.after.transfer = Some(Transfer { document_no });
        Ok(())
    });
    unwrap_response(marked.map(|()| done("transaction_mark_transferred")))
}

pub async fn add_info(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let added = update(&s, &body, by_xact_id, |f, e| {
        let note = f.string("note", 500)?;
        let email = f.string("email", 100)?;
        let phone = f.string("phone", 20)?;
        let agent_reference = f.string("agent_reference", 50)?;
        // Only what is sent changes; the rest keeps its value.
        if let Some(note) = note {
            e.description = note;
        }
        e.email = email.or(e.email.take());
        e.phone = phone.or(e.phone.take());
        e.after.agent_reference = agent_reference.or(e.after.agent_reference.take());
        Ok(())
    });
    unwrap_response(added.map(|()| done("transaction_add_info")))
}

fn by_xact_or_xact_id(l: &Ledger, f: &Fields<'_>) -> ApiResult<u64> {
    if f.is_present("xact_id") || !f.is_present("xact") {
        return by_xact_id(l, f);
    }
    let xact = f.int("xact")?.and_then(|id| u64::try_from(id).ok());
    xact.and_then(|id| l.get(id))
        .map(|e| e.id)
        .ok_or_else(lookup::not_found)
}

pub async fn escrow_status_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let updated = update(&s, &body, by_xact_or_xact_id, |f, e| {
        let status = match f
            .int("status")?
            .ok_or_else(|| crate::wire::required("status"))?
        {
            2 => EscrowStatus::Approved,
            3 => EscrowStatus::Rejected,
            _ => {
                return Err(ApiError::invalid(
                    "status 2 (onay) veya 3 (red) olmalı (status must be 2 approve or 3 reject)",
                ));
            }
        };
        // Checked, not kept: nothing in the sandbox pays agents.
        f.string("note", 256)?;
        f.string("agent_id", 10)?;
        let agent_amount = f.amount_tl("agent_amount")?;
        if agent_amount.is_some_and(|a| a > e.split.amount) {
            return Err(ApiError::invalid(format!(
                "agent_amount işlem tutarını aşamaz (agent_amount exceeds the amount {})",
                money::format_tl(e.split.amount, 2)
            )));
        }
        let escrow = e.after.escrow.as_mut().ok_or_else(|| {
            ApiError::invalid(
                "İşlem havuzda (escrow) değil (only a payment charged with is_escrow has an escrow status)",
            )
        })?;
        if *escrow != EscrowStatus::Waiting {
            return Err(ApiError::invalid_rc(
                rc::NO_PROCESS,
                "Havuz durumu daha önce güncellenmiş (the escrow has already been decided)",
            ));
        }
        *escrow = status;
        Ok(())
    });
    unwrap_response(updated.map(|()| done("transaction_escrow_status_update")))
}

/// Which image a file is, by its first bytes.
fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

pub async fn upload(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let uploaded = update(&s, &body, by_xact_id, |f, e| {
        let image = f.required_string("pars_base64", usize::MAX)?;
        let file_name = f.string("pars_file_name", 100)?;
        let bytes = util::decode_base64(&image, MAX_UPLOAD_BYTES).ok_or_else(|| {
            ApiError::invalid(format!(
                "pars_base64 geçerli base64 olmalı, en fazla {} MiB (pars_base64 must be valid base64 of at most 2 MiB)",
                MAX_UPLOAD_BYTES >> 20
            ))
        })?;
        let kind = image_kind(&bytes).ok_or_else(|| {
            ApiError::invalid(
                "pars_base64 PNG, JPEG veya GIF olmalı (the signature must be a PNG, JPEG or GIF image)",
            )
        })?;
        tracing::debug!(
            id = e.id,
            kind,
            size = bytes.len(),
            ?file_name,
            "signature uploaded"
        );
        Ok(())
    });
    unwrap_response(uploaded.map(|()| done("transaction_upload")))
}

#[derive(Serialize)]
struct SlipAnswer<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
    url: String,
}

pub async fn slip(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_slip(&s, &body))
}

fn run_slip(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let send_mail = f.bool("send_mail")?.unwrap_or(false);
    if send_mail && f.string("email", 100)?.is_none() {
        return Err(ApiError::invalid(
            "send_mail true iken email zorunludur (email is required with send_mail)",
        ));
    }
    let send_sms = f.bool("send_sms")?.unwrap_or(false);
    if send_sms && f.string("phone", 20)?.is_none() {
        return Err(ApiError::invalid(
            "send_sms true iken phone zorunludur (phone is required with send_sms)",
        ));
    }
    let mut l = ledger::lock(&s.ledger);
    let e = lookup::by_xact_id(&l, &f)?;
    if let Some(xact) = f.int("xact")?
        && u64::try_from(xact).ok() != Some(e.id)
    {
        return Err(ApiError::invalid(
            "xact ile xact_id aynı işlemi göstermiyor (xact and xact_id name different transactions)",
        ));
    }
    let (id, token) = (e.id, e.after.slip_token.clone());
    // One receipt page per transaction: asking again gives the same URL.
    let token = match token {
        Some(token) => token,
        None => {
            let token = s.rng.token(32);
            l.slips.insert(token.clone(), id);
            if let Some(e) = l.get_mut(id) {
                e.after.slip_token = Some(token.clone());
            }
            token
        }
    };
    Ok(json_ok(&SlipAnswer {
        object_name: "transaction_slip",
        code: 0,
        message: MSG_OK,
        url: format!("{}{SLIP_PREFIX}{token}", s.base_url),
    }))
}

/// `GET /__sandbox/slip/{token}`: the receipt. Only the masked card number is on it.
pub async fn slip_page(State(s): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    let l = ledger::lock(&s.ledger);
    let Some(e) = l.slips.get(&token).and_then(|&id| l.get(id)) else {
        return pages::html(
            StatusCode::NOT_FOUND,
            pages::document(
                "Dekont bulunamadı",
                "<p class=\"error\">Dekont bulunamadı (no such receipt)</p>\n",
            ),
        );
    };
    let rows = [
        ("İşyeri (merchant)", COMPANY_NAME.to_owned()),
        ("İşlem no (transaction)", e.id.to_string()),
        (
            "Tarih (date)",
            e.date.format("%d.%m.%Y %H:%M:%S").to_string(),
        ),
        ("İşlem tipi (type)", e.xact_type.description().to_owned()),
        (
            "Durum (status)",
            if e.is_succeed {
                "Başarılı"
            } else {
                "Başarısız"
            }
            .to_owned(),
        ),
        (
            "Tutar (amount)",
            format!("{} TRY", money::format_tl(e.split.amount, 2)),
        ),
        ("Taksit (instalment)", e.instalment.to_string()),
        ("Kart (card)", e.card_masked.clone()),
        ("Kart sahibi (card holder)", e.card_holder.clone()),
        ("Banka (bank)", e.bank.name.to_owned()),
        (
            "Provizyon kodu (authorization code)",
            e.authorization_code(),
        ),
        ("Sipariş no (reference)", e.reference_no.clone()),
    ];
    let mut body = String::from("<h1>İşlem Dekontu (receipt)</h1>\n<dl>\n");
    for (label, value) in rows {
        body.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(label),
            escape(&value)
        ));
    }
    body.push_str("</dl>\n");
    pages::html(StatusCode::OK, pages::document("İşlem Dekontu", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_by_magic_bytes() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(image_kind(b"\xff\xd8\xff\xe0"), Some("jpeg"));
        assert_eq!(image_kind(b"GIF89a..."), Some("gif"));
        assert_eq!(image_kind(b"%PDF-1.7"), None);
        assert_eq!(image_kind(b""), None);
    }
}
