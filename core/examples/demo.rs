//! The core's own walk-through against an embedded sandbox: the same flow as
//! `examples/demo.py`, for Rust users. Run: `cargo run -p paynet-core --example demo`.

use paynet_core::endpoints::{capture::CaptureParams, payment::CreatePaymentParams, payment_list::PaymentListParams};
use paynet_core::{Client, Config, ErrorKind, RequestOptions, Transaction};
use paynet_sandbox::Sandbox;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = Client::new(Config::new(sandbox.secret_key())?.base_url(sandbox.url()))?;
    let opts = RequestOptions::default();
    println!("Sandbox at {}  client {:?}\n", sandbox.url(), client.config().secret_key);

    let sale = client.payments().create(&payment("DEMO-1001", "4355084355084358", "249.90", "sale")?, &opts).await?;
    show("sale", &sale);

    match client.payments().create(&payment("DEMO-1002", "4000000000009995", "75.00", "sale")?, &opts).await {
        Err(e) if e.kind == ErrorKind::CardDeclined => {
            println!("{:<22} declined: bank code {} ({})", "decline", e.bank_error_code.unwrap_or_default(), e.bank_message.unwrap_or_default())
        }
        other => println!("decline: unexpected {other:?}"),
    }

    let hold = client.payments().create(&payment("DEMO-1003", "5571135571135575", "500.00", "pre_auth")?, &opts).await?;
    show("pre-auth", &hold);
    let capture: CaptureParams = serde_json::from_value(json!({"xact_id": hold.xact_id, "amount": "320.00"}))?;
    show("partial capture", &client.payments().capture(&capture, &opts).await?);

    let replay = client.payments().create(&payment("DEMO-1001", "4355084355084358", "249.90", "sale")?, &opts).await?;
    show("same reference again", &replay);
    println!("{:<22} replayed={} same id={}\n", "", replay.replayed, replay.id == sale.id);

    let report = client.reports().payment_list(&serde_json::from_value::<PaymentListParams>(json!({}))?, &opts).await?;
    println!("Payment report for {} ({} rows)", report.date, report.rows.len());
    println!("  {:<12} {:<4} {:>10} {:>10} {:>10}", "auth code", "type", "amount", "paid out", "fee");
    for row in &report.rows {
        println!(
            "  {:<12} {:<4} {:>10} {:>10} {:>10}",
            row.authorization_code.as_deref().unwrap_or("-"),
            row.xact_type.as_deref().unwrap_or("-"),
            row.amount.map(|d| format!("{d:.2}")).unwrap_or_default(),
            row.company_pay_amount.map(|d| format!("{d:.2}")).unwrap_or_default(),
            row.company_service_amount.map(|d| format!("{d:.2}")).unwrap_or_default(),
        );
    }
    sandbox.stop().await;
    Ok(())
}

fn payment(reference_no: &str, pan: &str, amount: &str, kind: &str) -> Result<CreatePaymentParams, serde_json::Error> {
    serde_json::from_value(json!({
        "amount": amount, "reference_no": reference_no, "domain": "shop.example.com", "transaction_type": kind,
        "card": {"number": pan, "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "AYSE YILMAZ"},
    }))
}

fn show(label: &str, tx: &Transaction) {
    println!(
        "{label:<22} {} {:>8} TL  fee {:>6}  net {:>8}  {} {}",
        tx.transaction_type.as_ref().map_or("?", |t| t.as_str()),
        tx.amount.to_string(),
        tx.commission.map(|d| d.to_string()).unwrap_or_default(),
        tx.net_amount.map(|d| d.to_string()).unwrap_or_default(),
        tx.bank_name.as_deref().unwrap_or(""),
        tx.card_no_masked.as_deref().unwrap_or(""),
    );
}
