//! Test cards, bank detection by BIN and the simulated bank's decisions.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bank {
    pub id: &'static str,
    pub name: &'static str,
}

pub const OTHER_BANK: Bank = Bank {
    id: "ZDGR",
    name: "Diğer Banka",
};

/// BIN (first 6 digits) → bank, from the Paynet test-card lists (paynet-api.md §6).
const BINS: [(&str, Bank); 11] = [
    (
        "435508",
        Bank {
            id: "AXSS",
            name: "Axess",
        },
    ),
    (
        "557113",
        Bank {
            id: "AXSS",
            name: "Axess",
        },
    ),
    (
        "545616",
        Bank {
            id: "FINS",
            name: "CardFinans",
        },
    ),
    (
        "402277",
        Bank {
            id: "FINS",
            name: "CardFinans",
        },
    ),
    (
        "450634",
        Bank {
            id: "WRLD",
            name: "World",
        },
    ),
    (
        "450803",
        Bank {
            id: "MAXM",
            name: "Maximum",
        },
    ),
    (
        "540667",
        Bank {
            id: "MAXM",
            name: "Maximum",
        },
    ),
    (
        "428220",
        Bank {
            id: "BONS",
            name: "Bonus",
        },
    ),
    (
        "409070",
        Bank {
            id: "DENZ",
            name: "Denizbank",
        },
    ),
    (
        "453144",
        Bank {
            id: "PARF",
            name: "Paraf",
        },
    ),
    (
        "581877",
        Bank {
            id: "PARF",
            name: "Paraf",
        },
    ),
];

pub fn bank_for(pan: &str) -> Bank {
    BINS.iter()
        .find(|(bin, _)| pan.starts_with(bin))
        .map(|(_, b)| *b)
        .unwrap_or(OTHER_BANK)
}

/// Why a bank refused a card; the codes follow ISO 8583 response codes as Turkish banks report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    pub bank_error_id: &'static str,
    pub bank_error_message: &'static str,
    pub bank_error_long_desc: &'static str,
}

pub const INSUFFICIENT_FUNDS: Decline = Decline {
    bank_error_id: "51",
    bank_error_message: "Yetersiz bakiye",
    bank_error_long_desc: "Kartın bakiyesi veya limiti işlem tutarı için yetersiz (insufficient funds)",
};
pub const DO_NOT_HONOUR: Decline = Decline {
    bank_error_id: "05",
    bank_error_message: "İşlem onaylanmadı",
    bank_error_long_desc: "Banka işlemi onaylamadı (do not honour)",
};
pub const EXPIRED_CARD: Decline = Decline {
    bank_error_id: "54",
    bank_error_message: "Kartın son kullanma tarihi geçmiş",
    bank_error_long_desc: "Kartın son kullanma tarihi geçmiş (expired card)",
};
pub const STOLEN_CARD: Decline = Decline {
    bank_error_id: "43",
    bank_error_message: "Çalıntı kart",
    bank_error_long_desc: "Kart çalıntı olarak bildirilmiş, karta el koyunuz (stolen card, pick up)",
};

/// What the simulated bank does with a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Approve,
    Decline(Decline),
    /// Approves after `SandboxConfig::slow_bank_delay`.
    Slow,
    /// Approves, but the HTTP answer is cut off mid-JSON.
    Malformed,
}

pub fn behaviour_for(pan: &str) -> Behaviour {
    match pan {
        "4000000000009995" => Behaviour::Decline(INSUFFICIENT_FUNDS),
        "4000000000000002" => Behaviour::Decline(DO_NOT_HONOUR),
        "4000000000000069" => Behaviour::Decline(EXPIRED_CARD),
        "4000000000009979" => Behaviour::Decline(STOLEN_CARD),
        "4000000000000259" => Behaviour::Slow,
        "4000000000000119" => Behaviour::Malformed,
        _ => Behaviour::Approve,
    }
}

pub fn luhn_valid(pan: &str) -> bool {
    if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `first6******last4`, the only form of a PAN that leaves this module's callers.
pub fn mask(pan: &str) -> String {
    let n = pan.len();
    if n < 10 {
        return "*".repeat(n);
    }
    format!("{}{}{}", &pan[..6], "*".repeat(n - 10), &pan[n - 4..])
}

pub fn brand_name(pan: &str) -> &'static str {
    match pan.as_bytes().first() {
        Some(b'4') => "VISA",
        Some(b'5') | Some(b'2') => "MASTERCARD",
        Some(b'3') if pan.starts_with("34") || pan.starts_with("37") => "AMEX",
        Some(b'9') => "TROY",
        _ => "",
    }
}

pub fn logo_url(bank: &Bank) -> String {
    format!(
        "https://pts-statics.paynet.com.tr/img/banklogo/small/{}.png",
        bank.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_are_luhn_valid() {
        for pan in [
            "4355084355084358",
            "5571135571135575",
            "5456165456165454",
            "4022774022774026",
            "4506347011448053",
            "4508034508034509",
            "5406675406675403",
            "4282209004348015",
            "4090700102323514",
            "4531444531442283",
            "5818775818772285",
            "4446760701569538",
            "5401341234567891",
            "5423740618115066",
            "375622005485014",
            "4000000000009995",
            "4000000000000002",
            "4000000000000069",
            "4000000000009979",
            "4000000000000259",
            "4000000000000119",
        ] {
            assert!(luhn_valid(pan), "{pan}");
        }
        assert!(!luhn_valid("4355084355084359"));
        assert!(!luhn_valid("43550843550843a8"));
    }

    #[test]
    fn banks_and_masks() {
        assert_eq!(bank_for("4508034508034509").id, "MAXM");
        assert_eq!(bank_for("4446760701569538").id, "ZDGR");
        assert_eq!(mask("4355084355084358"), "435508******4358");
        assert_eq!(mask("375622005485014"), "375622*****5014");
    }
}
