//! `reports.payment_list_range`: the settlement reports of every due date in
//! a range, as one report. Not an endpoint of Paynet's: one
//! `v1/transaction/payment_list` call per day, run by core.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::config::{Progress, RequestOptions};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::endpoints::payment_list::{PaymentList, PaymentListParams};
use crate::error::{Error, ErrorKind};
use crate::models::PaymentReportRow;
use crate::spec::{Doc, Spec};

/// What Paynet pays out on each due date from `start` to `end` (both
/// included), as one report: the days are fetched concurrently (at most
/// `concurrency` at a time, each a read-only call with its own retries and
/// timeout), and their rows kept in date order. A day that fails fails the
/// call, its error naming the date.
#[derive(Doc)]
pub struct PaymentListRange;

/// Days one range may span: a year, leap day included.
pub const MAX_DAYS: i64 = 366;
/// Days fetched at once unless `concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: u32 = 4;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct PaymentListRangeParams {
    /// The first due date, `yyyy-MM-dd`.
    pub start: NaiveDate,
    /// The last due date, `yyyy-MM-dd`, not before `start`; at most 366 days in all.
    pub end: NaiveDate,
    /// Days fetched at once, 1 to 16 (default 4).
    pub concurrency: Option<u32>,
}

/// The reports of a range of due dates, as one.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct PaymentReportRange {
    #[serde(with = "crate::kinds::date")]
    pub start: NaiveDate,
    #[serde(with = "crate::kinds::date")]
    pub end: NaiveDate,
    /// Days fetched.
    pub days: i64,
    /// Rows of all days.
    pub total_count: i64,
    /// Every day's rows, the days in date order.
    pub rows: Vec<PaymentReportRow>,
}

impl PaymentListRangeParams {
    fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        self.start.iter_days().take_while({
            let end = self.end;
            move |d| *d <= end
        })
    }
}

impl Endpoint for PaymentListRange {
    const NAME: &'static str = "reports.payment_list_range";
    /// The path of each day's call.
    const PATH: &'static str = "v1/transaction/payment_list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const LARGE_ANSWERS: bool = true;
    const PROGRESS: bool = true;
    type Params = PaymentListRangeParams;
    type Output = PaymentReportRange;

    /// Checks the range; nothing of its own is sent.
    fn to_wire(p: &PaymentListRangeParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        if p.end < p.start {
            return Err(Error::invalid("end", "must not be before `start`"));
        }
        if (p.end - p.start).num_days() >= MAX_DAYS {
            return Err(Error::invalid("end", format!("the range may span at most {MAX_DAYS} days")));
        }
        if matches!(p.concurrency, Some(n) if n == 0 || n > 16) {
            return Err(Error::invalid("concurrency", "must be between 1 and 16"));
        }
        Ok(Map::new())
    }

    /// An answer read on its own (`Client::read_answer`, the property tests) is
    /// one day's: the range's first. Calls never get here (`compose`).
    fn from_wire(p: &PaymentListRangeParams, body: &Map<String, Value>) -> Result<PaymentReportRange, Error> {
        PaymentList::from_wire(&PaymentListParams { date: p.start }, body).map(|day| one_day(p.start, day))
    }

    fn decode(p: &PaymentListRangeParams, body: &[u8], deadline: &crate::endpoint::Deadline) -> Result<PaymentReportRange, Error> {
        PaymentList::decode(&PaymentListParams { date: p.start }, body, deadline).map(|day| one_day(p.start, day))
    }

    fn compose<'a>(
        client: &'a Client,
        p: &'a PaymentListRangeParams,
        options: &'a RequestOptions,
    ) -> Option<futures_util::future::BoxFuture<'a, Result<PaymentReportRange, Error>>> {
        Some(Box::pin(async move {
            let total = p.days().count();
            let done = AtomicUsize::new(0);
            // The days' rows are joined as typed rows: each day's table is built from them when asked.
            let options = &RequestOptions { columns: false, ..options.clone() };
            let day = |date: NaiveDate| {
                let done = &done;
                async move {
                    let report = client.call::<PaymentList>(&PaymentListParams { date }, options).await.map_err(|e| on_day(e, date))?;
                    let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(hook) = &options.progress {
                        (hook.0)(&Progress { done, total, part: &date.to_string() });
                    }
                    Ok::<_, Error>(report)
                }
            };
            // `buffered` keeps the days in order while up to `concurrency` run;
            // the first failure (in date order) ends the call and drops the rest.
            let reports: Vec<_> = futures_util::stream::iter(p.days().map(day))
                .buffered(p.concurrency.unwrap_or(DEFAULT_CONCURRENCY) as usize)
                .try_collect()
                .await?;
            let mut rows = Vec::with_capacity(reports.iter().map(|r| r.rows.len()).sum());
            for report in reports {
                rows.extend(report.rows);
            }
            Ok(PaymentReportRange { start: p.start, end: p.end, days: total as i64, total_count: rows.len() as i64, rows })
        }))
    }
}

fn one_day(date: NaiveDate, day: crate::models::PaymentReport) -> PaymentReportRange {
    PaymentReportRange { start: date, end: date, days: 1, total_count: day.rows.len() as i64, rows: day.rows }
}

/// A day's error, saying which day.
fn on_day(mut e: Error, date: NaiveDate) -> Error {
    e.message = format!("the report for {date} failed: {}", e.message);
    if e.kind == ErrorKind::InvalidRequest {
        // Not the user's parameters: the day's own call was refused.
        e.kind = ErrorKind::Api;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(start: &str, end: &str) -> PaymentListRangeParams {
        PaymentListRangeParams { start: start.parse().unwrap(), end: end.parse().unwrap(), concurrency: None }
    }

    #[test]
    fn a_range_is_its_days_in_order() {
        let days: Vec<String> = params("2026-02-27", "2026-03-02").days().map(|d| d.to_string()).collect();
        assert_eq!(days, ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
        assert_eq!(params("2026-11-01", "2026-11-01").days().count(), 1);
    }

    #[test]
    fn bad_ranges_are_refused_naming_the_field() {
        let options = WireOptions { payment_amount: crate::wire::MoneyWire::DecimalNumber, ratio_amount: crate::wire::MoneyWire::KurusString, subscription_amount: crate::wire::MoneyWire::KurusString };
        let field = |p: PaymentListRangeParams| PaymentListRange::to_wire(&p, &options).unwrap_err().field;
        assert_eq!(field(params("2026-11-02", "2026-11-01")).as_deref(), Some("end"));
        assert_eq!(field(params("2026-01-01", "2027-01-02")).as_deref(), Some("end"));
        assert!(PaymentListRange::to_wire(&params("2024-01-01", "2024-12-31"), &options).is_ok());
        let mut p = params("2026-11-01", "2026-11-02");
        p.concurrency = Some(0);
        assert_eq!(field(p).as_deref(), Some("concurrency"));
    }
}
