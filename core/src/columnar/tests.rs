use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use chrono::{FixedOffset, NaiveDate, TimeZone};
use rust_decimal::Decimal;

use super::*;
use crate::models::{PaymentReport, PaymentReportRow};

fn row(amount: &str, bank: &str) -> PaymentReportRow {
    let at = FixedOffset::east_opt(3 * 3600).unwrap().with_ymd_and_hms(2026, 11, 3, 14, 5, 6).unwrap();
    PaymentReportRow {
        xact_id: Some(format!("x-{amount}")),
        xact_date: Some(at),
        due_date: NaiveDate::from_ymd_opt(2026, 11, 4),
        xact_type: Some("S".into()),
        is_succeed: Some(true),
        amount: Some(amount.parse().unwrap()),
        company_pay_amount: None,
        company_service_amount: None,
        agent_pay_amount: None,
        agent_service_amount: None,
        ratio: Some("0.0199".parse().unwrap()),
        company_cost_ratio: None,
        installment: Some(3),
        plus_installment: None,
        pos_type: None,
        company_code: None,
        company_name: None,
        agent_id: None,
        agent_name: None,
        bank_id: Some(bank.into()),
        bank_name: None,
        card_no_masked: None,
        card_holder: None,
        card_type: None,
        authorization_code: None,
        bank_reference_code: None,
        order_id: None,
        user_id: None,
    }
}

fn report(rows: Vec<PaymentReportRow>) -> PaymentReport {
    PaymentReport { date: NaiveDate::from_ymd_opt(2026, 11, 4).unwrap(), total: None, total_count: Some(rows.len() as i64), rows, columns: None }
}

#[test]
fn the_schema_comes_from_the_row_model_spec() {
    let shape = shape("reports.payment_list").expect("payment_list is tabular");
    assert_eq!((shape.rows_field, shape.row_model), ("rows", "PaymentReportRow"));
    let ty = |name: &str| shape.schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(ty("amount"), DataType::Decimal128(18, 2));
    assert_eq!(ty("ratio"), DataType::Decimal128(18, 8));
    assert_eq!(ty("xact_date"), DataType::Timestamp(TimeUnit::Microsecond, Some("Europe/Istanbul".into())));
    assert_eq!(ty("due_date"), DataType::Date32);
    assert_eq!(ty("bank_id"), DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)));
    assert_eq!(ty("xact_id"), DataType::Utf8);
    assert_eq!(ty("installment"), DataType::Int64);
    assert_eq!(ty("is_succeed"), DataType::Boolean);
    // Every row field has a column, and no column is a float.
    assert_eq!(shape.schema.fields().len(), crate::spec::spec().structs.iter().find(|s| s.name == "PaymentReportRow").unwrap().fields.len());
    assert!(shape.schema.fields().iter().all(|f| !f.data_type().is_floating()));
    // Every list result is tabular; a single-model result is not.
    for method in ["transactions.list_page", "refunds.list_page", "pay_links.list_page"] {
        assert!(super::shape(method).is_some(), "{method}");
    }
    assert!(super::shape("payments.create").is_none());
    let transactions = super::shape("transactions.list_page").unwrap();
    assert_eq!(transactions.rows_field, "transactions");
    assert!(matches!(transactions.schema.field_with_name("bank_id").unwrap().data_type(), DataType::Dictionary(..)));
}

#[test]
fn values_are_exact_and_absent_ones_null() {
    let report = report(vec![row("12.50", "AXSS"), row("1000000.05", "FINS"), row("3", "AXSS")]);
    let table = Table::build("reports.payment_list", &[&report]).unwrap();
    assert_eq!(table.num_rows(), 3);
    let batch = &table.batches[0];
    let col = |name: &str| batch.column(table.schema.index_of(name).unwrap()).clone();
    let amounts = col("amount");
    let amounts = amounts.as_primitive::<Decimal128Type>();
    assert_eq!(amounts.values().to_vec(), vec![1250, 100_000_005, 300]);
    assert_eq!(col("ratio").as_primitive::<Decimal128Type>().value(0), 1_990_000);
    let at = col("xact_date");
    assert_eq!(at.as_primitive::<TimestampMicrosecondType>().value(0), 1_793_703_906_000_000);
    assert_eq!(col("due_date").as_primitive::<Date32Type>().value(0), 20_761);
    assert_eq!(col("installment").as_primitive::<Int64Type>().value(2), 3);
    let banks = col("bank_id");
    let banks = banks.as_dictionary::<Int32Type>();
    assert_eq!(banks.values().len(), 2);
    assert_eq!(col("company_pay_amount").null_count(), 3);
    assert_eq!(col("card_holder").null_count(), 3);
}

#[test]
fn an_empty_report_is_an_empty_table_of_the_same_schema() {
    let table = Table::build("reports.payment_list", &[&report(vec![])]).unwrap();
    assert_eq!((table.num_rows(), table.batches.len()), (0, 1));
    assert_eq!(table.batches[0].schema(), table.schema);
}

#[test]
fn several_results_are_one_batch_each_and_the_schema_stream_reads_back() {
    let (a, b) = (report(vec![row("1.00", "AXSS")]), report(vec![row("2.00", "ISBK"), row("3.10", "AXSS")]));
    let table = Table::build("reports.payment_list", &[&a, &b]).unwrap();
    assert_eq!((table.num_rows(), table.batches.len()), (3, 2));
    let amounts = table.batches[1].column(table.schema.index_of("amount").unwrap()).as_primitive::<Decimal128Type>().values().to_vec();
    assert_eq!(amounts, vec![200, 310]);
    let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(super::ipc_schema("reports.payment_list").unwrap()), None).unwrap();
    assert_eq!(reader.schema(), table.schema);
    assert_eq!(reader.count(), 0, "no batches");
}

#[test]
fn a_long_result_is_batches_of_its_rows_in_order() {
    let n = super::BATCH_ROWS * 5 + 7;
    let rows: Vec<_> = (0..n).map(|i| row(&format!("{i}.00"), if i % 3 == 0 { "AXSS" } else { "ISBK" })).collect();
    let table = Table::build("reports.payment_list", &[&report(rows.clone())]).unwrap();
    assert_eq!(table.batches.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(), [super::BATCH_ROWS, super::BATCH_ROWS, super::BATCH_ROWS, super::BATCH_ROWS, super::BATCH_ROWS, 7]);
    let column = table.schema.index_of("amount").unwrap();
    let amounts: Vec<i128> = table.batches.iter().flat_map(|b| b.column(column).as_primitive::<Decimal128Type>().values().to_vec()).collect();
    assert_eq!(amounts, (0..n as i128).map(|i| i * 100).collect::<Vec<_>>());
    let bank = table.schema.index_of("bank_id").unwrap();
    let banks: Vec<String> = table
        .batches
        .iter()
        .flat_map(|b| {
            let codes = b.column(bank).as_dictionary::<Int32Type>();
            let names = codes.values().as_string::<i32>().clone();
            codes.keys().values().iter().map(move |&k| names.value(k as usize).to_owned()).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(banks, rows.iter().map(|r| r.bank_id.clone().unwrap()).collect::<Vec<_>>());
    // A refusal in the first, a middle or the last batch fails the table.
    for bad in [0, n / 2, n - 1] {
        let mut rows = rows.clone();
        rows[bad].ratio = Some(Decimal::new(1, 9));
        assert!(Table::build("reports.payment_list", &[&report(rows)]).is_err(), "row {bad}");
    }
}

#[test]
fn decimals_that_do_not_fit_are_refused_not_rounded() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(scaled(&d("12.5"), 2).unwrap(), 1250);
    assert_eq!(scaled(&d("-0.01"), 2).unwrap(), -1);
    assert_eq!(scaled(&d("12.500"), 2).unwrap(), 1250);
    assert_eq!(scaled(&d("0.0199"), 8).unwrap(), 1_990_000);
    assert_eq!(scaled(&d("9999999999999999.99"), 2).unwrap(), 999_999_999_999_999_999, "18 digits fit");
    for bad in ["12.505", "99999999999999999.00", "-10000000000000000"] {
        assert!(scaled(&d(bad), 2).is_err(), "{bad}");
    }
    let mut r = row("1.00", "AXSS");
    r.ratio = Some(Decimal::new(1, 9));
    assert!(Table::build("reports.payment_list", &[&report(vec![r])]).is_err());
}

/// Decimals of every scale and size, some with trailing zeros, both signs.
fn decimals(count: usize) -> Vec<Decimal> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut values: Vec<Decimal> = ["0", "-0", "0.00", "-0.0000", "100.0000", "12.5", "-0.0100"].iter().map(|s| s.parse().unwrap()).collect();
    for _ in 0..count {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let zeros = 10_i128.pow((x % 7) as u32);
        let mantissa = i128::from((x >> 20) as i64 % 10_i64.pow((x % 19) as u32).max(1)) * zeros * if x.is_multiple_of(11) { 1_000_000_000 } else { 1 };
        values.push(Decimal::from_i128_with_scale(mantissa, (x % 29) as u32));
    }
    values
}

#[test]
fn scaling_a_decimal_is_what_normalizing_it_first_gives() {
    let by_normalize = |value: &Decimal, scale: u32| -> Option<i128> {
        let exact = value.normalize();
        let scaled = (exact.scale() <= scale).then(|| exact.mantissa().checked_mul(10_i128.pow(scale - exact.scale()))).flatten()?;
        (scaled.abs() < 10_i128.pow(18)).then_some(scaled)
    };
    for value in decimals(20_000) {
        for scale in [2, 8] {
            assert_eq!(scaled(&value, scale).ok(), by_normalize(&value, scale), "{value:?} at {scale} places");
        }
    }
}

#[test]
fn a_method_without_rows_is_refused_naming_it() {
    let e = Table::build("payments.create", &[&report(vec![])]).unwrap_err();
    assert!(e.message.contains("payments.create"), "{e}");
}
