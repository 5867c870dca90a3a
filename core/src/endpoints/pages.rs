//! Paged lists, declared once: every Paynet list takes the same cursors
//! (`limit`, `starting_after`, `ending_before`) and answers `Data[]` with the
//! same envelope, so a list endpoint declares only its own filters
//! (`page_params!`) and its items (`page_model!`).

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{data_row, result_code_error};
use crate::endpoint::WireOptions;
use crate::error::{Error, ErrorKind};
use crate::spec::{CheckDeclared, WireDeclared};
use crate::wire::{FromAnswer, Reader};

/// A list's params: the struct's own fields, then the cursors. `dated` adds
/// the date range every dated Paynet list takes (`datab`/`datbi`). The
/// struct's attributes (its doc, `#[spec(exactly_one = [...])]`) are kept.
macro_rules! page_params {
    (dated $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $crate::endpoints::pages::page_params! {
            @struct [dates] $(#[$attr])* pub struct $name {
                /// The first day, `yyyy-MM-dd`.
                #[spec(wire = "datab")]
                pub date_from: chrono::NaiveDate,
                /// The last day, `yyyy-MM-dd`.
                #[spec(wire = "datbi")]
                pub date_to: chrono::NaiveDate,
                $($fields)*
            }
        }
    };
    ($(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $crate::endpoints::pages::page_params! { @struct [] $(#[$attr])* pub struct $name { $($fields)* } }
    };
    (@struct [$($dates:ident)?] $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        #[derive(Debug, Clone, serde::Deserialize, $crate::spec::Spec)]
        // After the derive: the struct's own attributes may be its rules (`#[spec(exactly_one = ...)]`).
        $(#[$attr])*
        #[serde(deny_unknown_fields)]
        #[spec(params)]
        pub struct $name {
            $($fields)*
            /// Records per page, 1 to 100 (Paynet's default: 10).
            pub limit: Option<u32>,
            /// The page after this many records.
            pub starting_after: Option<u32>,
            /// The page before this index (paging backwards yourself).
            pub ending_before: Option<u32>,
        }

        impl $crate::endpoints::pages::Paged for $name {
            fn cursors(&self) -> $crate::endpoints::pages::Cursors {
                $crate::endpoints::pages::Cursors { limit: self.limit, starting_after: self.starting_after, ending_before: self.ending_before }
            }
            $(
            fn $dates(&self) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
                Some((self.date_from, self.date_to))
            }
            )?
        }
    };
}
pub(crate) use page_params;

/// One page of a list: its items under their own name, then what every page
/// has. Fields after the items are the list's own totals, filled by its
/// endpoint after `From<ListPage<_>>` (they start as `None`).
macro_rules! page_model {
    ($(#[$attr:meta])* pub struct $name:ident {
        pub $items:ident: Vec<$item:ty>,
        $($(#[$fattr:meta])* pub $extra:ident: Option<$ety:ty>,)*
    }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, serde::Serialize, PartialEq, $crate::spec::Spec)]
        pub struct $name {
            pub $items: Vec<$item>,
            pub has_more: bool,
            pub total_count: Option<i64>,
            /// Where the next page starts (`starting_after`); `None` on the last page.
            pub next_starting_after: Option<i64>,
            $($(#[$fattr])* pub $extra: Option<$ety>,)*
        }

        impl From<$crate::endpoints::pages::ListPage<$item>> for $name {
            fn from(page: $crate::endpoints::pages::ListPage<$item>) -> Self {
                Self {
                    $items: page.rows,
                    has_more: page.has_more,
                    total_count: page.total_count,
                    next_starting_after: page.next_starting_after,
                    $($extra: None,)*
                }
            }
        }
    };
}
pub(crate) use page_model;

/// The cursors of a list request, as the user gave them.
pub(crate) struct Cursors {
    pub limit: Option<u32>,
    pub starting_after: Option<u32>,
    pub ending_before: Option<u32>,
}

/// What `page_params!` implements for a list's params.
pub(crate) trait Paged: CheckDeclared + WireDeclared {
    fn cursors(&self) -> Cursors;
    /// `date_from` and `date_to`, for a dated list.
    fn dates(&self) -> Option<(NaiveDate, NaiveDate)> {
        None
    }
}

/// A list request's wire body: the declared rules, then one cursor at a
/// time, 1 to 100 per page, and a date range that does not run backwards.
pub(crate) fn to_wire(p: &impl Paged, options: &WireOptions) -> Result<Map<String, Value>, Error> {
    p.check_declared()?;
    let c = p.cursors();
    if let (Some(_), Some(_)) = (c.starting_after, c.ending_before) {
        return Err(Error::invalid("ending_before", "pages one way: give `starting_after` or `ending_before`, not both"));
    }
    if p.dates().is_some_and(|(from, to)| to < from) {
        return Err(Error::invalid("date_to", "must not be before `date_from`"));
    }
    if matches!(c.limit, Some(n) if n == 0 || n > 100) {
        return Err(Error::invalid("limit", "must be between 1 and 100"));
    }
    Ok(p.to_wire_declared(options))
}

/// One page of a list answer (`Data[]` and its envelope), its rows read as
/// `T`. The next page starts after the request's `starting_after` plus this
/// page's rows, and only when Paynet says more follow; a page asked
/// backwards has no forward cursor.
pub(crate) struct ListPage<T> {
    pub rows: Vec<T>,
    pub has_more: bool,
    pub total_count: Option<i64>,
    pub next_starting_after: Option<i64>,
}

pub(crate) fn read<T: FromAnswer>(body: &Map<String, Value>, p: &impl Paged) -> Result<ListPage<T>, Error> {
    let cursors = p.cursors();
    let r = Reader::new(body);
    if let Some(code) = r.int(&["code"])?.filter(|c| *c != 0 && *c != 12) {
        return Err(result_code_error(&r, code));
    }
    let rows = match body.get("Data").or_else(|| body.get("data")) {
        Some(Value::Array(rows)) => rows.iter().map(|row| T::from_wire(data_row(row)?)).collect::<Result<Vec<_>, _>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` that is not a list")),
    };
    let total_count = r.int(&["total_count"])?;
    let after = i64::from(cursors.starting_after.unwrap_or(0)) + rows.len() as i64;
    // Without `has_more` (only client code documents it), the count says.
    let has_more = match r.bool(&["has_more"])? {
        Some(more) => more,
        None => total_count.is_some_and(|total| after < total),
    };
    if has_more && rows.is_empty() {
        // Walking on would ask for the same page forever.
        return Err(Error::new(ErrorKind::Protocol, "Paynet says more records follow but sent none on this page"));
    }
    let next_starting_after = (has_more && cursors.ending_before.is_none()).then_some(after);
    Ok(ListPage { has_more, total_count, next_starting_after, rows })
}
