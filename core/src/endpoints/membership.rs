//! Merchant applications (`v1/membership/*`, paynet-api.md §3.9): a main
//! company applies to Paynet for one of its dealers, and reads which
//! documents each kind of application needs.
//!
//! The request fields are those of the current `formdata_insert` page
//! (doc.paynet.com.tr/servisler/basvuru/basvuru-olusturma); no answer table
//! and no `formdata_get` request table could be read: the application is
//! asked for by the `id` the insert answers or by your `agent_reference`,
//! and the models carry the fields the pages name.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{checked_answer, data_row, result_code_error, status_code};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::validate;
use crate::wire::{FromAnswer, Reader};

/// `form_type` codes: 2 individual, 3 commercial.
const FORM_TYPES: &[(&str, i64)] = &[("individual", 2), ("commercial", 3)];

/// Starts a dealer's application to Paynet.
#[derive(Doc)]
pub struct CreateApplication;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CreateApplicationParams {
    /// The contact's mobile number, `5` and nine digits (`5321234567`).
    #[spec(not_blank)]
    pub contact_gsm_no: String,
    #[spec(not_blank, max_len = 50)]
    pub contact_name: String,
    #[spec(not_blank, max_len = 50)]
    pub contact_surname: String,
    #[spec(not_blank, max_len = 50)]
    pub contact_mail: String,
    /// The dealer's name.
    #[spec(not_blank, max_len = 40)]
    pub company_name: String,
    /// Your code for the dealer.
    #[spec(not_blank, max_len = 50)]
    pub agent_reference: Option<String>,
    #[spec(max_len = 20)]
    pub tax_office: Option<String>,
    /// The contact's Turkish identity number (TCKN, 11 digits).
    #[spec(not_blank)]
    pub tckn: Option<String>,
    /// The tax number (VKN, 10 digits).
    #[spec(not_blank)]
    pub vkn: Option<String>,
    /// Neighbourhood, street.
    #[spec(wire = "adres1", max_len = 50)]
    pub address_line1: Option<String>,
    /// Building, number.
    #[spec(wire = "adres2", max_len = 50)]
    pub address_line2: Option<String>,
    /// The province's plate code.
    #[spec(max_len = 50)]
    pub city: Option<String>,
    /// The district.
    #[spec(max_len = 50)]
    pub province: Option<String>,
    #[spec(max_len = 8)]
    pub postal_code: Option<String>,
    /// 26 characters, starting with the country code (`TR`).
    #[spec(max_len = 26)]
    pub iban: Option<String>,
}

/// A dealer's application as Paynet answers it.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct Application {
    /// Paynet's id of the application.
    #[spec(answer = ["id", "form_id", "membership_id"])]
    pub id: Option<String>,
    pub agent_reference: Option<String>,
    #[spec(free_text)]
    pub company_name: Option<String>,
    #[spec(free_text)]
    pub contact_name: Option<String>,
    #[spec(free_text)]
    pub contact_surname: Option<String>,
    pub contact_mail: Option<String>,
    pub contact_gsm_no: Option<String>,
    /// Paynet's status of the application, as it sends it.
    pub status: Option<String>,
    #[spec(free_text)]
    pub message: Option<String>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

impl Endpoint for CreateApplication {
    const NAME: &'static str = "memberships.create";
    const PATH: &'static str = "v1/membership/formdata_insert";
    /// A resent one is a second application.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> =
        Some("memberships.retrieve(agent_reference=...) shows whether the application was made ({ids}); look before sending it again");
    type Params = CreateApplicationParams;
    type Output = Application;

    fn to_wire(p: &CreateApplicationParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        validate::gsm("contact_gsm_no", &p.contact_gsm_no)?;
        if let Some(tckn) = &p.tckn {
            validate::tckn("tckn", tckn)?;
        }
        if let Some(vkn) = &p.vkn {
            validate::vkn("vkn", vkn)?;
        }
        if p.iban.as_deref().is_some_and(|iban| iban.len() != 26 || !iban.starts_with("TR")) {
            return Err(Error::invalid("iban", "must be 26 characters starting with TR"));
        }
        Ok(p.to_wire_declared(options))
    }

    fn from_wire(_: &CreateApplicationParams, body: &Map<String, Value>) -> Result<Application, Error> {
        checked_answer(body)
    }
}

/// One application, by the `id` `memberships.create` answered or by your
/// `agent_reference`.
#[derive(Doc)]
pub struct RetrieveApplication;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, exactly_one = ["id", "agent_reference"])]
pub struct ApplicationRef {
    #[spec(not_blank, max_len = 50)]
    pub id: Option<String>,
    #[spec(not_blank, max_len = 50)]
    pub agent_reference: Option<String>,
}

impl Endpoint for RetrieveApplication {
    const NAME: &'static str = "memberships.retrieve";
    const PATH: &'static str = "v1/membership/formdata_get";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = ApplicationRef;
    type Output = Application;

    fn from_wire(_: &ApplicationRef, body: &Map<String, Value>) -> Result<Application, Error> {
        match body.get("Data").or_else(|| body.get("data")) {
            Some(Value::Array(rows)) => match rows.first() {
                Some(row) => Application::from_wire(data_row(row)?),
                None => Err(super::not_found(body)),
            },
            _ => checked_answer(body),
        }
    }
}

/// A document an application needs.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct DocumentType {
    #[spec(answer = ["formtype_id", "form_type"])]
    pub form_type_id: Option<i64>,
    #[spec(answer = "doctype_id")]
    pub document_type_id: Option<i64>,
    #[spec(answer = "formtype_desc", free_text)]
    pub form_type_description: Option<String>,
    #[spec(answer = "doctype_desc", free_text)]
    pub document_type_description: Option<String>,
    pub is_required: Option<bool>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

/// The documents of one kind of application, or of every kind.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct DocumentTypes {
    pub document_types: Vec<DocumentType>,
}

fn document_types(body: &Map<String, Value>) -> Result<DocumentTypes, Error> {
    let r = Reader::new(body);
    if let Some(code) = r.int(&["code"])?.filter(|c| *c != 0) {
        return Err(result_code_error(&r, code));
    }
    let document_types = match body.get("Data").or_else(|| body.get("data")) {
        Some(Value::Array(rows)) => rows.iter().map(|row| DocumentType::from_wire(data_row(row)?)).collect::<Result<Vec<_>, _>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` that is not a list")),
    };
    Ok(DocumentTypes { document_types })
}

/// The documents an `individual` or a `commercial` application needs.
#[derive(Doc)]
pub struct ListDocumentTypes;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct ListDocumentTypesParams {
    /// `individual` (Paynet's 2) or `commercial` (3).
    #[spec(one_of = ["individual", "commercial"], by_hand)]
    pub form_type: String,
}

impl Endpoint for ListDocumentTypes {
    const NAME: &'static str = "memberships.document_types";
    const PATH: &'static str = "v1/membership/formtypes_and_doctypes";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = ListDocumentTypesParams;
    type Output = DocumentTypes;

    fn to_wire(p: &ListDocumentTypesParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let code = status_code(&p.form_type, FORM_TYPES).map_err(|_| Error::invalid("form_type", "must be \"individual\" or \"commercial\""))?;
        let mut body = p.to_wire_declared(options);
        body.insert("form_type".into(), code.into());
        Ok(body)
    }

    fn from_wire(_: &ListDocumentTypesParams, body: &Map<String, Value>) -> Result<DocumentTypes, Error> {
        document_types(body)
    }
}

/// The documents of every kind of application.
#[derive(Doc)]
pub struct ListAllDocumentTypes;

/// No parameters: the service takes none.
#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct NoParams {}

impl Endpoint for ListAllDocumentTypes {
    const NAME: &'static str = "memberships.all_document_types";
    const PATH: &'static str = "v1/membership/formtypes_and_doctypes_all";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = NoParams;
    type Output = DocumentTypes;

    fn from_wire(_: &NoParams, body: &Map<String, Value>) -> Result<DocumentTypes, Error> {
        document_types(body)
    }
}
