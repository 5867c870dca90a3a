//! `v2/transaction/payment`: non-3D sale or pre-auth with card data or a saved card.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::responses::payment_response;
use super::{is_expired, json_bytes, json_ok, read_card, run_detached};
use crate::Shared;
use crate::cards::{self, Behaviour};
use crate::ledger::{
    self, AfterSale, CardData, CardStorage, Claim, Entry, EscrowStatus, Ledger, XactType,
};
use crate::money::{self, Split};
use crate::vault::SavedCard;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

/// Everything about one attempt that is known before the bank answers.
#[derive(Clone)]
pub struct Attempt {
    pub card: CardData,
    pub xact_type: XactType,
    pub transaction_type: u8,
    pub split: Split,
    pub ratio_bp: u32,
    pub instalment: i64,
    pub reference_no: String,
    pub description: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub agent_id: String,
    pub ratio_code: String,
    pub is_tds: bool,
    pub user_id: &'static str,
    pub company_amount: Option<i64>,
    /// Charged with `is_escrow`: the money waits for `escrow_status_update`.
    pub is_escrow: bool,
}

/// The agent id reported when the request names none: the main company's own code.
pub const COMPANY_CODE: &str = "1001";

/// Decodes `transaction_type`: 1 sale; 3 pre-auth per the request docs, 2 per S001's
/// response table, so both are accepted as pre-auth and echoed back as sent.
pub fn transaction_type(f: &Fields<'_>, default: Option<i64>) -> ApiResult<(XactType, u8)> {
    let t = match f.int("transaction_type")? {
        Some(t) => t,
        None => default.ok_or_else(|| crate::wire::required("transaction_type"))?,
    };
    match t {
        1 => Ok((XactType::Sale, 1)),
        2 | 3 => Ok((XactType::PreAuth, t as u8)),
        _ => Err(ApiError::invalid(
            "transaction_type geçersiz: 1 (satış) veya 3 (ön provizyon) olmalı (transaction_type must be 1 or 3)",
        )),
    }
}

pub fn ratio(instalment: i64) -> ApiResult<u32> {
    money::ratio_for(instalment).ok_or_else(|| {
        ApiError::invalid(format!(
            "instalment geçersiz: {instalment} taksit tanımlı değil; 0 (tek çekim) veya 2-12 olmalı \
             (instalment must be 0 or 2-12)"
        ))
    })
}

/// What the simulated bank decides for this card.
pub fn decide(s: &Shared, card: &CardData) -> Behaviour {
    if is_expired(s, card.month, card.year) {
        Behaviour::Decline(cards::EXPIRED_CARD)
    } else {
        cards::behaviour_for(&card.pan)
    }
}

/// Runs the bank step outside any lock; the slow card sleeps here.
pub async fn bank_step(shared: &Shared, behaviour: Behaviour) {
    if behaviour == Behaviour::Slow {
        tokio::time::sleep(shared.config.slow_bank_delay).await;
    }
}

pub fn make_entry(shared: &Shared, l: &Ledger, a: Attempt, behaviour: Behaviour) -> Entry {
    let now = shared.clock.now();
    let (is_succeed, decline) = match behaviour {
        Behaviour::Decline(d) => (false, Some(d)),
        _ => (true, None),
    };
    let bank = cards::bank_for(&a.card.pan);
    Entry {
        id: l.next_id(),
        xact_id: format!("xk_{}", shared.rng.token(40)),
        date: now,
        due_date: now.date_naive() + chrono::Duration::days(shared.config.settlement_days),
        xact_type: a.xact_type,
        transaction_type: a.transaction_type,
        is_succeed,
        decline,
        split: a.split,
        ratio_bp: a.ratio_bp,
        instalment: a.instalment,
        bank,
        card_masked: cards::mask(&a.card.pan),
        card_brand: cards::brand_name(&a.card.pan),
        card_type: "cc",
        card_holder: a.card.card_holder,
        bank_code: 1000 + shared.rng.below(9000) as u16,
        reference_no: a.reference_no,
        description: a.description,
        email: a.email,
        phone: a.phone,
        agent_id: a.agent_id,
        ratio_code: a.ratio_code,
        is_tds: a.is_tds,
        user_id: a.user_id,
        company_amount: a.company_amount,
        parent: None,
        captured_by: None,
        storage: CardStorage::default(),
        after: AfterSale {
            escrow: (a.is_escrow && is_succeed).then_some(EscrowStatus::Waiting),
            ..AfterSale::default()
        },
    }
}

/// The answer for the malformed-response test card: valid HTTP, JSON cut off mid-object.
pub fn truncated_body(e: &Entry) -> Response {
    json_bytes(
        format!(
            "{{\"id\":{},\"xact_id\":\"{}\",\"xact_date\":\"",
            e.id, e.xact_id
        )
        .into_bytes(),
    )
}

enum CardSource {
    Data(CardData),
    Saved { card_hash: String },
}

#[derive(Clone)]
pub struct SaveRequest {
    card_owner_id: Option<String>,
    user_unique_id: Option<String>,
    card_desc: String,
}

pub async fn payment(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let prepared = parse_object(&body).and_then(|map| prepare(&s, &Fields::new(&map)));
    match prepared {
        Ok(prepared) => run_detached(execute(s, prepared)).await,
        Err(e) => e.into_response(),
    }
}

/// A validated payment request, ready for the bank.
#[derive(Clone)]
pub struct Prepared {
    pub attempt: Attempt,
    saved_hash: Option<(String, SavedCard)>,
    save: Option<SaveRequest>,
}

impl Prepared {
    /// A payment with card data that saves nothing.
    pub fn plain(attempt: Attempt) -> Prepared {
        Prepared {
            attempt,
            saved_hash: None,
            save: None,
        }
    }
}

/// Validates the fields of a card payment (`v2/transaction/payment`, and the same set in
/// `v2/transaction/tds_initial`) and resolves a saved card.
pub fn prepare(s: &Shared, f: &Fields<'_>) -> ApiResult<Prepared> {
    let requested = f
        .amount_tl("amount")?
        .ok_or_else(|| crate::wire::required("amount"))?;
    let reference_no = f.required_string("reference_no", 50)?;
    // Required by the docs, but the S001 example itself sends "", so it is only length-checked.
    f.string("domain", 256)?;
    let (xact_type, tt) = transaction_type(f, Some(1))?;
    let instalment = f.int("instalment")?.unwrap_or(0);
    ratio(instalment)?;
    let add_commission = f.bool("add_commission")?.unwrap_or(false);
    let company_amount = f.amount_tl("company_amount")?;
    if company_amount.is_some_and(|c| c > requested) {
        return Err(ApiError::invalid(
            "company_amount amount'tan büyük olamaz (company_amount exceeds amount)",
        ));
    }
    let phone = f.string("card_holder_phone", 10)?;
    let email = f.string("card_holder_mail", 60)?;
    let description = f.string("description", 140)?.unwrap_or_default();
    let agent_id = f
        .string("agent_id", 10)?
        .unwrap_or_else(|| COMPANY_CODE.to_owned());
    let ratio_code = f.string("ratio_code", 8)?.unwrap_or_default();
    let card_owner_id = f.string("card_owner_id", 100)?;
    let user_unique_id = f.string("user_unique_id", 100)?;
    f.string("user_gsm_no", 20)?;

    let source = match (f.is_present("pan"), f.is_present("card_hash")) {
        (true, true) => {
            return Err(ApiError::invalid(
                "pan ve card_hash birlikte gönderilemez; kart bilgisi ya da card_hash gönderin \
                 (send either card data or card_hash, not both)",
            ));
        }
        (false, false) => {
            return Err(ApiError::invalid(
                "pan veya card_hash zorunludur (pan/month/year/cvc/card_holder or card_hash is required)",
            ));
        }
        (true, false) => CardSource::Data(read_card(f)?),
        (false, true) => CardSource::Saved {
            card_hash: f.required_string("card_hash", 100)?,
        },
    };

    let save = if f.bool("save_card")?.unwrap_or(false) {
        let card_desc = f.string("card_desc", 100)?.ok_or_else(|| {
            ApiError::invalid("save_card true iken card_desc zorunludur (card_desc is required when save_card is true)")
        })?;
        if card_owner_id.is_none() && user_unique_id.is_none() {
            return Err(ApiError::invalid(
                "save_card true iken card_owner_id veya user_unique_id zorunludur \
                 (card_owner_id or user_unique_id is required when save_card is true)",
            ));
        }
        Some(SaveRequest {
            card_owner_id: card_owner_id.clone(),
            user_unique_id: user_unique_id.clone(),
            card_desc,
        })
    } else {
        f.string("card_desc", 100)?;
        None
    };

    // Resolve a saved card and check owner ids before anything is reserved.
    let (card, saved_hash) = {
        let l = ledger::lock(&s.ledger);
        if let Some(req) = &save
            && let Some(owner) = &req.card_owner_id
            && !l.vault.is_owner(owner)
        {
            return Err(ApiError::invalid_rc(
                rc::WRONG_CARD_DATA,
                "card_owner_id bulunamadı (unknown card_owner_id)",
            ));
        }
        match source {
            CardSource::Data(card) => (card, None),
            CardSource::Saved { card_hash } => {
                let saved = super::card_storage::resolve(&l.vault, &card_hash, card_owner_id.as_deref())?;
                let card = saved.card_data();
                (card, Some((card_hash, saved.clone())))
            }
        }
    };

    // The merchant's ratio type, if the payment names one, and its blocked banks and counts.
    let ratio_bp = super::ratio::payment_ratio(s, &card.pan, &ratio_code, instalment)?;
    let attempt = Attempt {
        split: money::split(requested, ratio_bp, add_commission),
        card,
        xact_type,
        transaction_type: tt,
        ratio_bp,
        instalment,
        reference_no,
        description,
        email,
        phone,
        agent_id,
        ratio_code,
        is_tds: false,
        user_id: "PaynetApi",
        company_amount,
        is_escrow: false,
    };
    Ok(Prepared {
        attempt,
        saved_hash,
        save,
    })
}

/// Claims the reference, asks the bank and records the outcome. Runs detached from the
/// request so a client that times out and disconnects still gets charged, exactly as with
/// the real gateway; its retry with the same reference_no then replays the result.
async fn execute(s: Arc<Shared>, p: Prepared) -> ApiResult<Response> {
    let key = format!("ref:{}", p.attempt.reference_no);
    let reservation = match ledger::claim(&s.ledger, key, |l| {
        l.successful_by_reference(&p.attempt.reference_no)
            .map(|e| e.id)
    })
    .await
    {
        Claim::Replay(e) => return Ok(json_ok(&payment_response(&e, true))),
        Claim::Owner(r) => r,
    };
    let hold = super::agent::hold_limit(&mut ledger::lock(&s.ledger), &p.attempt)?;

    let behaviour = decide(&s, &p.attempt.card);
    bank_step(&s, behaviour).await;

    let mut l = ledger::lock(&s.ledger);
    let entry = record(&s, &mut l, p, behaviour);
    let response = if behaviour == Behaviour::Malformed {
        truncated_body(entry)
    } else {
        json_ok(&payment_response(entry, false))
    };
    hold.release_in(&mut l);
    reservation.release_in(&mut l);
    Ok(response)
}

/// Records the bank's answer to a prepared payment, saving or linking the card as asked.
pub fn record<'l>(s: &Shared, l: &'l mut Ledger, p: Prepared, behaviour: Behaviour) -> &'l Entry {
    let Prepared {
        attempt,
        saved_hash,
        save,
    } = p;
    let pan = attempt.card.pan.clone();
    let (month, year, holder) = (
        attempt.card.month,
        attempt.card.year,
        attempt.card.card_holder.clone(),
    );
    let mut entry = make_entry(s, l, attempt, behaviour);
    if let Some((hash, saved)) = saved_hash {
        entry.storage = CardStorage {
            card_hash: hash,
            card_owner_id: saved.card_owner_id,
            user_unique_id: saved.user_unique_id,
            card_bank_id: entry.bank.id.to_owned(),
            card_logo_url: cards::logo_url(&entry.bank),
            ..CardStorage::default()
        };
    } else if let Some(req) = save {
        entry.storage = if entry.is_succeed {
            let owner = match (req.card_owner_id, &req.user_unique_id) {
                (Some(owner), _) => owner,
                (None, Some(uid)) => l.vault.owner_for(uid, || s.rng.guid()),
                // Ruled out by validation; an empty owner keeps this panic-free.
                (None, None) => String::new(),
            };
            let user_unique_id = req
                .user_unique_id
                .clone()
                .or_else(|| l.vault.user_of(&owner).map(str::to_owned))
                .unwrap_or_default();
            let hash = format!("pch_{}", s.rng.token(28));
            l.vault.insert(
                hash.clone(),
                SavedCard {
                    pan,
                    month,
                    year,
                    card_holder: holder,
                    card_owner_id: owner.clone(),
                    user_unique_id: user_unique_id.clone(),
                    card_desc: req.card_desc,
                },
            );
            CardStorage {
                card_hash: hash,
                card_owner_id: owner,
                user_unique_id,
                is_save_card_succeed: true,
                save_card_result_message: "Kart saklama işlemi başarılı".to_owned(),
                card_bank_id: entry.bank.id.to_owned(),
                card_logo_url: cards::logo_url(&entry.bank),
            }
        } else {
            CardStorage {
                user_unique_id: req.user_unique_id.unwrap_or_default(),
                card_owner_id: req.card_owner_id.unwrap_or_default(),
                save_card_result_message: "Ödeme başarısız olduğu için kart saklanmadı".to_owned(),
                ..CardStorage::default()
            }
        };
    }
    let entry = l.push(entry);
    tracing::debug!(
        id = entry.id,
        succeed = entry.is_succeed,
        "payment recorded"
    );
    entry
}
