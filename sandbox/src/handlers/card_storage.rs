//! Card storage (`v1/card/*`, paynet-api.md §3.7, §5.9) on the vault the payment
//! handlers consult. Saving with a `cvv` runs the 1 TL pre-auth and its void through the
//! simulated bank; both rows are in the ledger. Numbers are masked in every answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::listing::Page;
use super::payment::{Attempt, COMPANY_CODE, bank_step, decide, make_entry};
use super::responses::{MSG_OK, done};
use super::reversal::void_preauth;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::cards::{self, Behaviour};
use crate::ledger::{self, CardData, XactType};
use crate::money;
use crate::vault::{CardOtp, MAX_WRONG_OTP_CODES, SavedCard, Vault};
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

/// The code every card OTP carries: tests type it (the sandbox texts nobody).
pub const CARD_OTP: &str = "123456";
/// How long a card OTP can be checked.
const OTP_LIFETIME_SECS: i64 = 180;
/// What the bank pre-authorises, and voids, to verify a card saved with its `cvv`: 1 TL.
const VERIFY_KURUS: i64 = 100;
/// Paynet's `card_not_found` (client enums; not in the docs' table).
const CARD_NOT_FOUND: i32 = 25;

/// The saved card a `card_hash` names, checked against `card_owner_id` when one is sent.
/// What every payment path (non-3D, 3D, Paynet.js) resolves a saved card with.
pub fn resolve<'v>(
    vault: &'v Vault,
    card_hash: &str,
    card_owner_id: Option<&str>,
) -> ApiResult<&'v SavedCard> {
    let saved = vault.get(card_hash).ok_or_else(|| {
        ApiError::invalid_rc(
            rc::WRONG_CARD_DATA,
            "card_hash bulunamadı (unknown card_hash)",
        )
    })?;
    match card_owner_id {
        Some(owner) if owner != saved.card_owner_id => Err(ApiError::invalid_rc(
            rc::WRONG_CARD_DATA,
            "card_hash bu card_owner_id'ye ait değil (card_hash does not belong to card_owner_id)",
        )),
        _ => Ok(saved),
    }
}

impl SavedCard {
    pub fn card_data(&self) -> CardData {
        CardData {
            pan: self.pan.clone(),
            month: self.month,
            year: self.year,
            card_holder: self.card_holder.clone(),
        }
    }
}

/// A saved card in an answer (`card/save`, a `card/list` row).
#[derive(Serialize)]
struct CardRow<'a> {
    company_code: &'static str,
    agent_id: &'static str,
    user_unique_id: &'a str,
    card_owner_id: &'a str,
    card_hash: &'a str,
    card_desc: &'a str,
    /// Masked, as in the reference's `card/list` example: `TE** TE**`.
    card_holder: String,
    card_no: String,
    card_bin: &'a str,
    card_type: &'static str,
    card_bank_id: &'static str,
    card_bank_name: &'static str,
    card_logo_url: String,
    card_brand_name: &'static str,
    /// 0, as in Paynet's example: the expiry is not disclosed.
    expire_month: u32,
    expire_year: u32,
}

/// A card holder's name as the card answers show it: each word's first two
/// letters, the rest starred (`TEST TEST` → `TE** TE**`).
fn mask_holder(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            word.chars()
                .enumerate()
                .map(|(i, c)| if i < 2 { c } else { '*' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn row<'a>(card_hash: &'a str, c: &'a SavedCard) -> CardRow<'a> {
    let bank = cards::bank_for(&c.pan);
    CardRow {
        company_code: COMPANY_CODE,
        agent_id: COMPANY_CODE,
        user_unique_id: &c.user_unique_id,
        card_owner_id: &c.card_owner_id,
        card_hash,
        card_desc: &c.card_desc,
        card_holder: mask_holder(&c.card_holder),
        card_no: cards::mask(&c.pan),
        card_bin: &c.pan[..6],
        card_type: "cc",
        card_bank_id: bank.id,
        card_bank_name: bank.name,
        card_logo_url: cards::logo_url(&bank),
        card_brand_name: cards::brand_name(&c.pan),
        expire_month: 0,
        expire_year: 0,
    }
}

#[derive(Serialize)]
struct Saved<'a> {
    #[serde(flatten)]
    card: CardRow<'a>,
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

/// An answer with status 200 and a result code other than 0: Paynet's way of saying
/// "not done" for the card services.
#[derive(Serialize)]
struct Refused<'a> {
    object_name: &'static str,
    code: i32,
    message: &'a str,
}

/// What `card/save` asks for, read before the bank is asked.
struct SaveRequest {
    card: CardData,
    verify: bool,
    card_desc: String,
    owner: Owner,
}

enum Owner {
    Known(String),
    First(String),
}

fn read_save(s: &Shared, f: &Fields<'_>) -> ApiResult<SaveRequest> {
    let card_desc = f.required_string("card_desc", 100)?;
    let card_holder = f.required_string("card_holder", 50)?;
    let pan: String = f
        .required_string("card_number", 32)?
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !cards::luhn_valid(&pan) {
        return Err(ApiError::invalid_rc(
            rc::WRONG_CARD_DATA,
            "card_number geçersiz (invalid card number: it fails the Luhn check)",
        ));
    }
    let month = f
        .int("expire_month")?
        .ok_or_else(|| crate::wire::required("expire_month"))?;
    let year = f
        .int("expire_year")?
        .ok_or_else(|| crate::wire::required("expire_year"))?;
    if !(1..=12).contains(&month) || !(1000..=9999).contains(&year) {
        return Err(ApiError::invalid(
            "expire_month 1-12, expire_year 4 haneli olmalı (expire_month must be 1-12, expire_year 4 digits)",
        ));
    }
    let verify = match f.string("cvv", 8)? {
        Some(cvv) if (3..=4).contains(&cvv.len()) && cvv.bytes().all(|b| b.is_ascii_digit()) => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "cvv 3 veya 4 haneli olmalı (cvv must be 3 or 4 digits)",
            ));
        }
        None => false,
    };
    let owner = match (
        f.string("card_owner_id", 100)?,
        f.string("user_unique_id", 100)?,
    ) {
        (Some(owner), _) => Owner::Known(owner),
        (None, Some(uid)) => Owner::First(uid),
        (None, None) => {
            return Err(ApiError::invalid(
                "card_owner_id veya user_unique_id zorunludur (card_owner_id or user_unique_id is required)",
            ));
        }
    };
    let mut l = ledger::lock(&s.ledger);
    if let Owner::Known(owner) = &owner
        && !l.vault.is_owner(owner)
    {
        return Err(ApiError::invalid_rc(
            rc::WRONG_CARD_DATA,
            "card_owner_id bulunamadı (unknown card_owner_id)",
        ));
    }
    let otp_session = f.string("otp_session_id", 100)?;
    if s.config.require_card_otp {
        let verified = otp_session
            .as_ref()
            .and_then(|id| l.vault.otps.get(id))
            .is_some_and(|otp| otp.verified);
        if !verified {
            return Err(ApiError::invalid(
                "Kart saklama için doğrulanmış otp_session_id zorunludur \
                 (a verified otp_session_id is required to save a card)",
            ));
        }
        // Used up by this save, under the lock it was checked with: one
        // verification, one save, whatever the bank then says of the card.
        if let Some(id) = &otp_session {
            l.vault.otps.remove(id);
        }
    }
    Ok(SaveRequest {
        card: CardData {
            pan,
            month: month as u32,
            year: year as i32,
            card_holder,
        },
        verify,
        card_desc,
        owner,
    })
}

pub async fn save(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = parse_object(&body).and_then(|map| read_save(&s, &Fields::new(&map)));
    let request = match request {
        Ok(r) => r,
        Err(e) => return unwrap_response(Err(e)),
    };
    let behaviour = if request.verify {
        decide(&s, &request.card)
    } else {
        Behaviour::Approve
    };
    bank_step(&s, behaviour).await;
    let mut l = ledger::lock(&s.ledger);
    if request.verify {
        let attempt = Attempt {
            card: request.card.clone(),
            xact_type: XactType::PreAuth,
            transaction_type: 3,
            split: money::split(VERIFY_KURUS, 0, false),
            ratio_bp: 0,
            instalment: 0,
            // No reference: the verification is no order, and no lookup may find it.
            reference_no: String::new(),
            description: "Kart saklama doğrulaması (card verification)".to_owned(),
            email: None,
            phone: None,
            agent_id: COMPANY_CODE.to_owned(),
            ratio_code: String::new(),
            is_tds: false,
            user_id: "PaynetApi",
            company_amount: None,
            is_escrow: false,
        };
        let pre = make_entry(&s, &l, attempt, behaviour);
        let approved = pre.is_succeed;
        let decline = pre.decline;
        let pre_id = l.push(pre).id;
        if !approved {
            let message = decline.map_or("İşlem onaylanmadı", |d| d.bank_error_message);
            return json_ok(&Refused {
                object_name: "card_save",
                code: rc::UNSUCCESSFUL,
                message,
            });
        }
        if void_preauth(&s, &mut l, pre_id).is_none() {
            return unwrap_response(Err(ApiError::invalid("pre-auth not recorded")));
        }
    }
    let (card_owner_id, user_unique_id) = match request.owner {
        Owner::Known(owner) => {
            let uid = l.vault.user_of(&owner).unwrap_or_default().to_owned();
            (owner, uid)
        }
        Owner::First(uid) => (l.vault.owner_for(&uid, || s.rng.guid()), uid),
    };
    let card_hash = format!("pch_{}", s.rng.token(28));
    let CardData {
        pan,
        month,
        year,
        card_holder,
    } = request.card;
    l.vault.insert(
        card_hash.clone(),
        SavedCard {
            pan,
            month,
            year,
            card_holder,
            card_owner_id,
            user_unique_id,
            card_desc: request.card_desc,
        },
    );
    match l.vault.get(&card_hash) {
        Some(card) => json_ok(&Saved {
            card: row(&card_hash, card),
            object_name: "card_save",
            code: 0,
            message: MSG_OK,
        }),
        None => unwrap_response(Err(ApiError::invalid("card not saved"))),
    }
}

pub async fn list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let owner = f.required_string("card_owner_id", 100)?;
        let page = Page::read(&f)?;
        let l = ledger::lock(&s.ledger);
        let cards = l.vault.of_owner(&owner);
        Ok(json_ok(&page.answer("card_list", &cards, |(hash, c)| {
            row(hash, c)
        })))
    }))
}

/// The card `card_owner_id` + `card_hash` name; `card_not_found` (25) otherwise.
fn owned<'v>(vault: &'v mut Vault, f: &Fields<'_>) -> ApiResult<(String, &'v mut SavedCard)> {
    let owner = f.required_string("card_owner_id", 100)?;
    let hash = f.required_string("card_hash", 100)?;
    match vault.get_mut(&hash) {
        Some(card) if card.card_owner_id == owner => Ok((hash, card)),
        _ => Err(ApiError::invalid_rc(
            CARD_NOT_FOUND,
            "Kart bulunamadı (no such card for this card_owner_id)",
        )),
    }
}

pub async fn delete(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let mut l = ledger::lock(&s.ledger);
        let (hash, _) = owned(&mut l.vault, &f)?;
        l.vault.remove(&hash);
        Ok(json_ok(&done("card_delete")))
    }))
}

pub async fn desc_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let card_desc = f.required_string("card_desc", 100)?;
        let mut l = ledger::lock(&s.ledger);
        let (_, card) = owned(&mut l.vault, &f)?;
        card.card_desc = card_desc;
        Ok(json_ok(&done("card_desc_update")))
    }))
}

/// `5XXXXXXXXX`: the form the card OTP services document.
fn user_gsm(f: &Fields<'_>) -> ApiResult<String> {
    let gsm = f.required_string("user_gsm", 10)?;
    if gsm.len() == 10 && gsm.starts_with('5') && gsm.bytes().all(|b| b.is_ascii_digit()) {
        Ok(gsm)
    } else {
        Err(ApiError::invalid(
            "user_gsm 5XXXXXXXXX biçiminde olmalı (user_gsm must be 5 and 9 more digits)",
        ))
    }
}

#[derive(Serialize)]
struct OtpSent {
    otp_session_id: String,
    otp_expire: String,
    object_name: &'static str,
    code: i32,
    message: &'static str,
}

pub async fn send_otp(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let gsm = user_gsm(&f)?;
        let session = f.required_string("otp_session_id", 100)?;
        let expires = s.clock.now() + chrono::Duration::seconds(OTP_LIFETIME_SECS);
        ledger::lock(&s.ledger).vault.otps.insert(
            session.clone(),
            CardOtp {
                user_gsm: gsm,
                code: CARD_OTP.to_owned(),
                expires,
                verified: false,
                wrong_codes: 0,
            },
        );
        Ok(json_ok(&OtpSent {
            otp_session_id: session,
            otp_expire: crate::util::iso_7(&expires),
            object_name: "card_send_otp",
            code: 0,
            message: "Sms gönderimi başarılı.",
        }))
    }))
}

pub async fn check_otp(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        let code = f.required_string("otp_code", 10)?;
        let session = f.required_string("otp_session_id", 100)?;
        let gsm = user_gsm(&f)?;
        let now = s.clock.now();
        let mut l = ledger::lock(&s.ledger);
        let refused = |message| {
            Ok(json_ok(&Refused {
                object_name: "card_check_otp",
                code: rc::UNSUCCESSFUL,
                message,
            }))
        };
        let Some(otp) = l.vault.otps.get_mut(&session) else {
            return refused("OTP bulunamadı (no OTP was sent for this otp_session_id)");
        };
        if otp.user_gsm != gsm {
            return refused("OTP bu numaraya gönderilmedi (the OTP was sent to another user_gsm)");
        }
        if now > otp.expires {
            return refused("OTP süresi doldu (the OTP has expired)");
        }
        if otp.wrong_codes >= MAX_WRONG_OTP_CODES {
            return refused("Çok fazla hatalı OTP denemesi: yeni bir kod isteyin (too many wrong codes: send a new one)");
        }
        if otp.code != code {
            otp.wrong_codes += 1;
            return refused("OTP hatalı (wrong OTP code)");
        }
        otp.verified = true;
        Ok(json_ok(&done("card_check_otp")))
    }))
}
