//! Merchant applications (`v1/membership/*`, paynet-api.md §3.9): a main company applies
//! for its dealers. Paynet's review is not simulated: an application stays "received".

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::responses::MSG_OK;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::ledger;
use crate::wire::{ApiError, ApiResult, Fields, parse_object};

const FIRST_ID: u64 = 700_001;

/// The documents each form type needs: (form type, its description, document id, document
/// description, required). Paynet's own list is not public; these are the usual ones.
const DOCUMENTS: &[(i64, &str, i64, &str, bool)] = &[
    (2, "Şahıs", 1, "Kimlik fotokopisi", true),
    (2, "Şahıs", 2, "İkametgah", true),
    (2, "Şahıs", 3, "Vergi levhası", false),
    (3, "Ticari", 1, "Kimlik fotokopisi", true),
    (3, "Ticari", 3, "Vergi levhası", true),
    (3, "Ticari", 4, "İmza sirküleri", true),
    (3, "Ticari", 5, "Ticaret sicil gazetesi", true),
];

#[derive(Default)]
pub struct Applications {
    list: Vec<Value>,
}

/// `formdata_insert`: the fields of the current docs' table.
pub async fn insert(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| -> ApiResult<Response> {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let gsm = f.required_string("contact_gsm_no", 10)?;
        if gsm.len() != 10 || gsm.starts_with('0') || !gsm.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::invalid(
                "contact_gsm_no başında 0 olmadan 10 hane olmalı (contact_gsm_no must be 10 digits without the leading 0)",
            ));
        }
        let mut application = json!({
            "contact_gsm_no": gsm,
            "contact_name": f.required_string("contact_name", 50)?,
            "contact_surname": f.required_string("contact_surname", 50)?,
            "contact_mail": f.required_string("contact_mail", 50)?,
            "company_name": f.required_string("company_name", 40)?,
            "agent_reference": f.string("agent_reference", 50)?,
            "tax_office": f.string("tax_office", 20)?,
            "tckn": f.string("tckn", 11)?,
            "vkn": f.string("vkn", 10)?,
            "adres1": f.string("adres1", 50)?,
            "adres2": f.string("adres2", 50)?,
            "city": f.string("city", 50)?,
            "province": f.string("province", 50)?,
            "postal_code": f.string("postal_code", 8)?,
            "iban": f.string("iban", 26)?,
            "status": "received",
        });
        let mut l = ledger::lock(&s.ledger);
        let id = FIRST_ID + l.applications.list.len() as u64;
        application["id"] = json!(id.to_string());
        l.applications.list.push(application.clone());
        let mut answer = application;
        answer["object_name"] = json!("membership_formdata_insert");
        answer["code"] = json!(0);
        answer["message"] = json!(MSG_OK);
        Ok(json_ok(&answer))
    })())
}

/// `formdata_get` by `id` or `agent_reference` (the latest application for it).
pub async fn get(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| -> ApiResult<Response> {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let id = f.string("id", 50)?;
        let agent_reference = f.string("agent_reference", 50)?;
        if id.is_none() && agent_reference.is_none() {
            return Err(ApiError::invalid("id veya agent_reference zorunludur (id or agent_reference is required)"));
        }
        let l = ledger::lock(&s.ledger);
        let found = l.applications.list.iter().rev().find(|a| match (&id, &agent_reference) {
            (Some(id), _) => a["id"].as_str() == Some(id),
            (None, Some(r)) => a["agent_reference"].as_str() == Some(r),
            (None, None) => false,
        });
        let found = found.ok_or_else(|| ApiError::not_found_tx("Başvuru bulunamadı (no such application)"))?;
        Ok(json_ok(&json!({"object_name": "membership_formdata_get", "code": 0, "message": MSG_OK, "Data": [found]})))
    })())
}

fn documents(form_type: Option<i64>) -> Value {
    let rows: Vec<Value> = DOCUMENTS
        .iter()
        .filter(|(t, ..)| form_type.is_none_or(|f| f == *t))
        .map(|(t, desc, doc, doc_desc, required)| {
            json!({"formtype_id": t, "formtype_desc": desc, "doctype_id": doc, "doctype_desc": doc_desc, "is_required": required})
        })
        .collect();
    json!({"object_name": "membership_formtypes_and_doctypes", "code": 0, "message": MSG_OK, "Data": rows})
}

/// `formtypes_and_doctypes`: `form_type` 2 (individual) or 3 (commercial).
pub async fn doc_types(body: Bytes) -> Response {
    unwrap_response((|| -> ApiResult<Response> {
        let map = parse_object(&body)?;
        let form_type = Fields::new(&map).int("form_type")?.ok_or_else(|| crate::wire::required("form_type"))?;
        if !matches!(form_type, 2 | 3) {
            return Err(ApiError::invalid("form_type 2 (şahıs) veya 3 (ticari) olmalı (form_type must be 2 or 3)"));
        }
        Ok(json_ok(&documents(Some(form_type))))
    })())
}

/// `formtypes_and_doctypes_all`: no parameters.
pub async fn doc_types_all() -> Response {
    json_ok(&documents(None))
}
