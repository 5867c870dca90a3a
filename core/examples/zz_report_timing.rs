use paynet_core::{Client, Config, RequestOptions};
use paynet_sandbox::Sandbox;
use serde_json::json;
#[tokio::main]
async fn main() {
    let sb = Sandbox::start().await.unwrap();
    reqwest::Client::new().post(format!("{}/__sandbox/seed", sb.url())).json(&json!({"count":100000,"date":"2030-01-15"})).send().await.unwrap();
    let c = Client::new(Config::new(sb.secret_key()).unwrap().base_url(sb.url())).unwrap();
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let bytes = reqwest::Client::new().post(format!("{}/v1/transaction/payment_list", sb.url())).header("Authorization", format!("Basic {}", sb.secret_key())).body(r#"{"date":"2030-01-15"}"#).send().await.unwrap().bytes().await.unwrap();
        let t1 = t.elapsed();
        let params = serde_json::from_value(json!({"date":"2030-01-15"})).unwrap();
        let r = <paynet_core::endpoints::payment_list::PaymentList as paynet_core::Endpoint>::decode(&params, &bytes).unwrap();
        println!("fetch {:?} decode {:?} rows {}", t1, t.elapsed()-t1, r.rows.len());
    }
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let out = c.call_output("reports.payment_list", json!({"date":"2030-01-15"}), &RequestOptions::default()).await.unwrap();
        let t1 = t.elapsed();
        let s = serde_json::to_string(&*out).unwrap();
        println!("call_output {:?}  to_string {:?} ({} bytes)", t1, t.elapsed() - t1, s.len());
    }
    let ru = unsafe { let mut r: libc_rusage = std::mem::zeroed(); getrusage(0, &mut r); r };
    println!("maxrss {} MiB", ru.ru_maxrss / 1024);
}
#[repr(C)] struct libc_rusage { ru_utime: [i64;2], ru_stime: [i64;2], ru_maxrss: i64, rest: [i64; 13] }
unsafe extern "C" { fn getrusage(who: i32, r: *mut libc_rusage) -> i32; }
