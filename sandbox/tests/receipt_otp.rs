//! `v2/agent/create_end_user_receipt_otp`.

mod common;

use common::{Env, assert_error};
use serde_json::json;

#[tokio::test]
async fn sends_a_code_and_keeps_the_last_one() {
    let env = Env::start().await;
    let path = "/v2/agent/create_end_user_receipt_otp";
    let r = env.post(path, &json!({"phoneNumber": "05321234567"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({"object_name": null, "code": 0, "message": "Sms gönderimi başarılı."})
    );
    let first = env.sandbox.last_receipt_otp("05321234567").expect("a code");
    assert_eq!(first.len(), 6);
    assert!(first.bytes().all(|b| b.is_ascii_digit()));
    let mut changed = false;
    for _ in 0..5 {
        env.post(path, &json!({"phoneNumber": "05321234567"})).await;
        changed |= env.sandbox.last_receipt_otp("05321234567").as_deref() != Some(&first);
    }
    assert!(changed, "each call sends a new code");
    assert_eq!(env.sandbox.last_receipt_otp("05320000000"), None);

    for bad in [
        json!({}),
        json!({"phoneNumber": "5321234567"}),
        json!({"phoneNumber": "0532123456"}),
        json!({"phoneNumber": "053212345678"}),
        json!({"phoneNumber": "0532123456a"}),
        json!({"phoneNumber": "06321234567"}),
    ] {
        assert_error(
            &env.post(path, &bad).await,
            400,
            "invalid_request_error",
            11,
        );
    }
    assert_eq!(
        env.post_noauth(path, &json!({"phoneNumber": "05321234567"}))
            .await
            .status,
        401
    );
}
