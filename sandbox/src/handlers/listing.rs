//! What the list endpoints (`mailorder/list`, `transaction/list`, `reversal_list`) share:
//! the `datab`–`datbi` range, the page (`limit`, `starting_after`, `ending_before`) and
//! the list envelope (AFTER-SALE.md, "Pagination").

use std::ops::RangeInclusive;

use chrono::NaiveDate;
use serde::Serialize;

use super::payment_list::parse_date;
use super::responses::MSG_OK;
use crate::money::Tl;
use crate::wire::{ApiError, ApiResult, Fields};

const DEFAULT_LIMIT: i64 = 10;
const MAX_LIMIT: i64 = 100;

/// The required `datab`–`datbi` days, both included.
pub fn date_range(f: &Fields<'_>) -> ApiResult<RangeInclusive<NaiveDate>> {
    let datab = parse_date("datab", &f.required_string("datab", 32)?)?;
    let datbi = parse_date("datbi", &f.required_string("datbi", 32)?)?;
    if datab > datbi {
        return Err(ApiError::invalid(
            "datab datbi'den sonra olamaz (datab must not be after datbi)",
        ));
    }
    Ok(datab..=datbi)
}

/// Which records of a list one answer holds.
pub struct Page {
    limit: usize,
    starting_after: Option<usize>,
    ending_before: Option<usize>,
}

impl Page {
    pub fn read(f: &Fields<'_>) -> ApiResult<Page> {
        let limit = f.int("limit")?.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(format!(
                "limit 1 ile {MAX_LIMIT} arasında olmalı (limit must be 1-{MAX_LIMIT})"
            )));
        }
        let index = |name: &str| -> ApiResult<Option<usize>> {
            f.int(name)?
                .map(|n| {
                    usize::try_from(n).map_err(|_| {
                        ApiError::invalid(format!(
                            "{name} 0 veya daha büyük olmalı ({name} must be >= 0)"
                        ))
                    })
                })
                .transpose()
        };
        let page = Page {
            limit: limit as usize,
            starting_after: index("starting_after")?,
            ending_before: index("ending_before")?,
        };
        if page.starting_after.is_some() && page.ending_before.is_some() {
            return Err(ApiError::invalid(
                "starting_after ve ending_before birlikte gönderilemez \
                 (send starting_after or ending_before, not both)",
            ));
        }
        Ok(page)
    }

    /// The page's `start..end` among `count` records and whether more records lie beyond
    /// it in the walking direction (after it, or before it with `ending_before`).
    /// Indexes are 1-based positions: `starting_after: 10` is the page after the first
    /// ten, `ending_before: 11` the page that ends with the tenth.
    fn window(&self, count: usize) -> (usize, usize, bool) {
        match self.ending_before {
            Some(before) => {
                let end = before.saturating_sub(1).min(count);
                let start = end.saturating_sub(self.limit);
                (start, end, start > 0)
            }
            None => {
                let start = self.starting_after.unwrap_or(0).min(count);
                let end = start.saturating_add(self.limit).min(count);
                (start, end, end < count)
            }
        }
    }

    /// The envelope around the page's rows of `matching`.
    pub fn answer<'m, T, R: Serialize>(
        &self,
        object_name: &'static str,
        matching: &'m [T],
        row: impl FnMut(&'m T) -> R,
    ) -> ListAnswer<R> {
        let (start, end, has_more) = self.window(matching.len());
        let data: Vec<R> = matching[start..end].iter().map(row).collect();
        ListAnswer {
            total: data.len(),
            total_count: matching.len(),
            total_amount: None,
            limit: self.limit,
            starting_after: self.starting_after,
            ending_before: self.ending_before,
            has_more,
            object_name,
            code: 0,
            message: MSG_OK,
            data,
        }
    }
}

#[derive(Serialize)]
pub struct ListAnswer<R> {
    /// Rows in this answer.
    pub total: usize,
    /// Records matching the query, on every page.
    pub total_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Tl>,
    pub limit: usize,
    pub starting_after: Option<usize>,
    pub ending_before: Option<usize>,
    pub has_more: bool,
    pub object_name: &'static str,
    pub code: i32,
    pub message: &'static str,
    #[serde(rename = "Data")]
    pub data: Vec<R>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(after: Option<usize>, before: Option<usize>) -> Page {
        Page {
            limit: 10,
            starting_after: after,
            ending_before: before,
        }
    }

    #[test]
    fn windows() {
        assert_eq!(page(None, None).window(25), (0, 10, true));
        assert_eq!(page(Some(10), None).window(25), (10, 20, true));
        assert_eq!(page(Some(20), None).window(25), (20, 25, false));
        assert_eq!(page(Some(30), None).window(25), (25, 25, false));
        assert_eq!(page(None, Some(11)).window(25), (0, 10, false));
        assert_eq!(page(None, Some(21)).window(25), (10, 20, true));
        assert_eq!(page(None, None).window(0), (0, 0, false));
    }
}
