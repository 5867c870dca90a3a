//! Finding the transaction a request names.

use crate::ledger::{Entry, Ledger};
use crate::wire::{ApiError, ApiResult, Fields};

pub fn not_found() -> ApiError {
    ApiError::not_found_tx("İşlem bulunamadı (transaction not found)")
}

/// By `xact_id`, or the plain numeric `id` / `xact`, or `reference_no`: the first one
/// given wins. A reference may have earlier declines: its successful payment counts.
pub fn transaction<'l>(l: &'l Ledger, f: &Fields<'_>) -> ApiResult<&'l Entry> {
    let plain = |name: &str| -> ApiResult<Option<Option<&'l Entry>>> {
        Ok(f.int(name)?
            .map(|id| u64::try_from(id).ok().and_then(|id| l.get(id))))
    };
    let found = if let Some(xact_id) = f.string("xact_id", 100)? {
        l.by_xact_id(&xact_id)
    } else if let Some(found) = plain("id")? {
        found
    } else if let Some(found) = plain("xact")? {
        found
    } else if let Some(reference_no) = f.string("reference_no", 50)? {
        l.by_reference(&reference_no)
    } else {
        return Err(ApiError::invalid(
            "xact_id, id, xact veya reference_no alanlarından en az biri zorunludur \
             (one of xact_id, id, xact, reference_no is required)",
        ));
    };
    found.ok_or_else(not_found)
}

/// By the required `xact_id`.
pub fn by_xact_id<'l>(l: &'l Ledger, f: &Fields<'_>) -> ApiResult<&'l Entry> {
    let xact_id = f.required_string("xact_id", 100)?;
    l.by_xact_id(&xact_id).ok_or_else(not_found)
}
