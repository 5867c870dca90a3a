//! The card vault: saved cards per `card_owner_id`, the owners issued per merchant
//! `user_unique_id`, and the card OTPs. The payment handlers consult it for a
//! `card_hash`; `v1/card/*` manage it. The PAN stays here, in memory only.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

/// A stored card. The PAN is kept because a later `card_hash` payment must run the same
/// bank simulation as the original card; every answer shows it masked.
#[derive(Debug, Clone)]
pub struct SavedCard {
    pub pan: String,
    pub month: u32,
    pub year: i32,
    pub card_holder: String,
    pub card_owner_id: String,
    pub user_unique_id: String,
    pub card_desc: String,
}

/// A card OTP sent to `user_gsm` for the merchant's `otp_session_id`.
#[derive(Debug, Clone)]
pub struct CardOtp {
    pub user_gsm: String,
    pub code: String,
    pub expires: DateTime<FixedOffset>,
    /// Set by a successful `check_otp`; a save with this session may then follow, once
    /// (the save removes the session).
    pub verified: bool,
    /// Wrong codes checked so far; at [`MAX_WRONG_OTP_CODES`] the session is dead.
    pub wrong_codes: u8,
}

/// Wrong codes a card OTP session survives: the next wrong one kills it, and
/// no code (not even the right one) is accepted for it from then on.
pub const MAX_WRONG_OTP_CODES: u8 = 3;

#[derive(Default)]
pub struct Vault {
    cards: HashMap<String, SavedCard>,
    /// Hashes in the order they were saved: `card/list` pages through them.
    order: Vec<String>,
    /// user_unique_id → card_owner_id.
    owners: HashMap<String, String>,
    /// otp_session_id → its OTP.
    pub otps: HashMap<String, CardOtp>,
}

impl Vault {
    pub fn get(&self, card_hash: &str) -> Option<&SavedCard> {
        self.cards.get(card_hash)
    }

    pub fn get_mut(&mut self, card_hash: &str) -> Option<&mut SavedCard> {
        self.cards.get_mut(card_hash)
    }

    pub fn insert(&mut self, card_hash: String, card: SavedCard) {
        self.order.push(card_hash.clone());
        self.cards.insert(card_hash, card);
    }

    /// Removes the card from the list and from payments.
    pub fn remove(&mut self, card_hash: &str) -> Option<SavedCard> {
        let card = self.cards.remove(card_hash)?;
        self.order.retain(|h| h != card_hash);
        Some(card)
    }

    /// The owner's cards, oldest first.
    pub fn of_owner<'v>(&'v self, card_owner_id: &str) -> Vec<(&'v str, &'v SavedCard)> {
        self.order
            .iter()
            .filter_map(|h| self.cards.get(h).map(|c| (h.as_str(), c)))
            .filter(|(_, c)| c.card_owner_id == card_owner_id)
            .collect()
    }

    pub fn is_owner(&self, card_owner_id: &str) -> bool {
        self.owners.values().any(|o| o == card_owner_id)
    }

    /// The `card_owner_id` of a merchant's customer, issued on the first save.
    pub fn owner_for(&mut self, user_unique_id: &str, fresh: impl FnOnce() -> String) -> String {
        self.owners
            .entry(user_unique_id.to_owned())
            .or_insert_with(fresh)
            .clone()
    }

    /// The merchant's id of an owner.
    pub fn user_of(&self, card_owner_id: &str) -> Option<&str> {
        self.owners
            .iter()
            .find(|(_, o)| *o == card_owner_id)
            .map(|(u, _)| u.as_str())
    }
}
