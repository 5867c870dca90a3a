//! The SDK's whole surface as data: every method (names in Python and Node,
//! path, retry policy, parameters, result), every parameter struct and result
//! model with their fields, the enums, the error kinds and the client
//! options. Each is declared once, next to the code it describes:
//!
//! - parameters and models: `#[derive(Spec)]` on the struct (field names,
//!   types, doc comments, serde attributes; `#[spec(...)]` for wire names,
//!   money units and rules), see `paynet-spec-derive`;
//! - methods: the `Endpoint` impls in `registry!` (`NAME`, `PATH`, `RETRY`,
//!   and the endpoint type's doc comment through `#[derive(Doc)]`);
//! - error kinds, retry policies, money units: the enums' variant docs;
//! - client options: `config::CLIENT_OPTIONS`.
//!
//! [`spec`] collects it; `make gen` (crate `paynet-codegen`) writes it to
//! `spec/paynet.json` and `docs/API.md`. The same declaration enforces the
//! rules ([`CheckDeclared`]) and builds a plain wire body ([`WireDeclared`]).

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::config::{Bindings, CLIENT_OPTIONS, ClientOption, OptionDefault, OptionType};
use crate::endpoint::{Endpoint, RetryPolicy};
use crate::error::ErrorKind;
use crate::models::TransactionType;
use crate::money::Money;
use crate::secret::{CardNumber, Cvc};
use crate::wire::MoneyWire;

pub use paynet_spec_derive::{Doc, Spec};

/// An item's doc comment (`#[derive(Doc)]`).
pub trait Doc {
    const DOC: &'static str;
}

/// Each variant's doc comment (`#[derive(Doc)]` on an enum).
pub trait VariantDoc {
    fn variant_doc(&self) -> &'static str;
}

/// A params struct's declared rules (`#[derive(Spec)]` on `#[spec(params)]`):
/// `not_blank`, `max_len`, `positive`, `one_of` (unless `by_hand`),
/// `exactly_one`, `at_least_one`, in declaration order, with the messages of
/// `validate.rs`. An endpoint's special rules are checked after it.
pub trait CheckDeclared {
    /// Errors name fields as `prefix` + the user's name (`card.holder_name`).
    fn check_declared_at(&self, prefix: &str) -> Result<(), crate::Error>;

    fn check_declared(&self) -> Result<(), crate::Error> {
        self.check_declared_at("")
    }
}

/// A params struct's wire body from its declaration: each field under its
/// wire name (`#[spec(wire = ...)]`, else its own), money in its declared
/// unit (or the client option's), flattened structs through
/// `wire::WireFields`, an absent optional field left out.
pub trait WireDeclared {
    fn to_wire_declared(&self, options: &crate::WireOptions) -> serde_json::Map<String, Value>;
}

/// What a call names, read from its params' declaration: a field
/// `reference_no` or `xact_id` (text, optional or not) is what an error of
/// the call carries, so an `unknown_outcome` can always be looked up.
/// `#[derive(Spec)]` implements it on every `#[spec(params)]` struct.
pub trait Identified {
    fn declared_reference_no(&self) -> Option<&str>;
    fn declared_xact_id(&self) -> Option<&str>;
    /// The values of its `SecretText` fields, which no error may repeat.
    fn declared_secrets(&self) -> Vec<&str>;
    /// Its fields named in [`ID_FIELDS`] that were given, as `name value`
    /// (`reference_no "SUB-1"`, `invoice_no 3`): what an `Endpoint::SETTLE`
    /// remedy's `{ids}` says.
    fn declared_ids(&self) -> Vec<String>;
}

/// The parameters that name what a call acts on, in remedies' `{ids}`.
pub const ID_FIELDS: &[&str] = &["xact_id", "reference_no", "subscription_id", "group_reference_no", "invoice_no", "card_id", "id", "agent_reference"];

/// An identifying field, required or optional, as `name value`.
pub trait DeclaredId {
    fn declared_id(&self, name: &str) -> Option<String>;
}

impl DeclaredId for String {
    fn declared_id(&self, name: &str) -> Option<String> {
        Some(format!("{name} {self:?}"))
    }
}

macro_rules! declared_number_id {
    ($($t:ty),*) => {$(
        impl DeclaredId for $t {
            fn declared_id(&self, name: &str) -> Option<String> {
                Some(format!("{name} {self}"))
            }
        }
    )*};
}
declared_number_id!(u32, i64);

impl<T: DeclaredId> DeclaredId for Option<T> {
    fn declared_id(&self, name: &str) -> Option<String> {
        self.as_ref().and_then(|v| v.declared_id(name))
    }
}

/// A secret field, required or optional, as an optional `&str`.
pub trait DeclaredSecret {
    fn declared_secret(&self) -> Option<&str>;
}

impl DeclaredSecret for crate::secret::SecretText {
    fn declared_secret(&self) -> Option<&str> {
        Some(self.expose())
    }
}

impl DeclaredSecret for Option<crate::secret::SecretText> {
    fn declared_secret(&self) -> Option<&str> {
        self.as_ref().map(crate::secret::SecretText::expose)
    }
}

/// A text field, required or optional, as an optional `&str`.
pub trait DeclaredText {
    fn declared_text(&self) -> Option<&str>;
}

impl DeclaredText for String {
    fn declared_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl DeclaredText for Option<String> {
    fn declared_text(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// How a Rust type appears in the spec.
pub trait SpecType {
    fn type_spec() -> TypeSpec;
    /// Registers the structs and enums this type refers to.
    fn visit(_registry: &mut Registry) {}
}

/// A struct described field by field (`#[derive(Spec)]`).
pub trait Described: SpecType {
    fn describe() -> StructSpec;
    fn visit_fields(registry: &mut Registry);
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TypeSpec {
    /// Text; `secret`: card data, never shown (card number, CVC).
    String {
        #[serde(skip_serializing_if = "is_false")]
        secret: bool,
    },
    Bool,
    /// A whole number; `format` is the Rust type (`u32`, `i64`). `or_text`:
    /// numeric text (`"08"`) is taken too.
    Integer {
        format: &'static str,
        #[serde(skip_serializing_if = "is_false")]
        or_text: bool,
    },
    /// A TL amount a user passes (at most two decimals, not negative).
    Money,
    /// A decimal a result carries: `money` (a TL amount, as exact two-place
    /// text) or `ratio` (a rate such as 0.0199).
    Decimal { kind: DecimalKind },
    /// RFC 3339 with offset.
    #[serde(rename = "datetime")]
    DateTime,
    /// `yyyy-MM-dd`.
    Date,
    /// A file: the bytes a binding holds, or a path core reads (`file::FileInput`).
    File,
    /// May be absent (a parameter) or null (a result field).
    Optional { of: Box<TypeSpec> },
    List { of: Box<TypeSpec> },
    /// One of `spec.enums`.
    Enum { name: &'static str },
    /// One of `spec.structs`.
    Struct { name: &'static str },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalKind {
    Money,
    Ratio,
}

impl TypeSpec {
    /// A field serialized with `models::money_text`: its decimal is money.
    pub fn money_text(self) -> TypeSpec {
        match self {
            TypeSpec::Decimal { .. } => TypeSpec::Decimal { kind: DecimalKind::Money },
            TypeSpec::Optional { of } => TypeSpec::Optional { of: Box::new(of.money_text()) },
            TypeSpec::List { of } => TypeSpec::List { of: Box::new(of.money_text()) },
            other => panic!("money_text on a field that holds no decimal: {other:?}"),
        }
    }

    /// A field read with `card::loose_int`: a whole number, or numeric text.
    pub fn or_text(self) -> TypeSpec {
        match self {
            TypeSpec::Integer { format, .. } => TypeSpec::Integer { format, or_text: true },
            TypeSpec::Optional { of } => TypeSpec::Optional { of: Box::new(of.or_text()) },
            other => panic!("loose_int on a field that holds no integer: {other:?}"),
        }
    }

    /// The type inside `Optional` and `List`.
    pub fn innermost(&self) -> &TypeSpec {
        match self {
            TypeSpec::Optional { of } | TypeSpec::List { of } => of.innermost(),
            other => other,
        }
    }
}

/// A check on one parameter, enforced by [`CheckDeclared`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// At most `max` characters.
    MaxLen { max: usize },
    /// Not empty or only whitespace when given.
    NotBlank,
    /// Greater than zero.
    Positive,
    /// One of these values.
    OneOf { values: Vec<Value> },
}

/// A check across the parameters of one struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StructRule {
    ExactlyOne { fields: Vec<&'static str> },
    AtLeastOne { fields: Vec<&'static str> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// What a user passes: fields have wire names.
    Params,
    /// What a call returns.
    Model,
}

/// How a money parameter travels: `unit`, unless the client option `option`
/// says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MoneyWireSpec {
    pub unit: MoneyWire,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldSpec {
    /// The user-facing name, snake_case: Python's keyword argument.
    pub name: &'static str,
    /// The same in camelCase: Node's property name.
    pub node_name: String,
    /// Paynet's name for a parameter (`installment` travels as `instalment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wire: Option<&'static str>,
    /// Its fields go to the top level of the wire body (a card: `pan`, `cvc`, …).
    #[serde(skip_serializing_if = "is_false")]
    pub wire_flatten: bool,
    #[serde(rename = "type")]
    pub ty: TypeSpec,
    pub required: bool,
    /// The value an absent parameter takes, where it is a constant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub money_wire: Option<MoneyWireSpec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// A result field of a few codes repeated across rows (`#[spec(dictionary)]`):
    /// dictionary-encoded in columnar results.
    #[serde(skip_serializing_if = "is_false")]
    pub dictionary: bool,
    pub doc: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructSpec {
    pub name: &'static str,
    pub role: Role,
    pub doc: &'static str,
    /// An unknown parameter is refused, naming it.
    #[serde(skip_serializing_if = "is_false")]
    pub deny_unknown_fields: bool,
    pub fields: Vec<FieldSpec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<StructRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumValue {
    pub value: &'static str,
    pub doc: &'static str,
    /// Can be passed as a parameter, not only returned.
    pub request: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub values: Vec<EnumValue>,
    /// Results may carry values not listed (kept as Paynet sent them); what such a value means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<&'static str>,
}

/// [`crate::endpoint::Pages`] with Node's names stored beside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PagesSpec {
    pub iterator: &'static str,
    pub node_iterator: String,
    pub items: &'static str,
    pub node_items: String,
    pub doc: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodSpec {
    /// `payments.create`: what bindings call core by.
    pub name: &'static str,
    /// `client.<resource>` in Python.
    pub resource: &'static str,
    /// `client.<node_resource>` in Node.
    pub node_resource: String,
    /// `client.<resource>.<method>(...)` in Python: snake_case.
    pub method: &'static str,
    /// `client.<node_resource>.<node_method>({...})` in Node: camelCase.
    pub node_method: String,
    /// Relative to the base URL.
    pub path: &'static str,
    pub doc: &'static str,
    pub retry: RetryPolicy,
    /// One of `spec.structs`.
    pub params: &'static str,
    pub result: TypeSpec,
    /// The money wire units of its parameters, in parameter order.
    pub money_wire: Vec<MoneyWireSpec>,
    /// Answers are capped by `max_report_bytes`, not `max_response_bytes`.
    pub large_answers: bool,
    /// Answered by core alone: nothing is sent (`path` is empty).
    pub local: bool,
    /// Made of several calls, and tells a progress callback about each
    /// (`Endpoint::PROGRESS`): the bindings offer a progress argument.
    #[serde(skip_serializing_if = "is_false")]
    pub progress: bool,
    /// A tabular result: its model's one field that is a list of a model
    /// (`rows`). The bindings offer those rows as an Arrow table (`columnar`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<&'static str>,
    /// Made with the publishable key (`publishable`), not the secret one.
    #[serde(skip_serializing_if = "is_secret_key")]
    pub key: crate::endpoint::ApiKey,
    /// The body is this parameter's value alone, not an object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bare_body: Option<&'static str>,
    /// A list: the bindings also offer an iterator over its pages' items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<PagesSpec>,
    /// The method can be pointed at an earlier call: see [`TargetSpec`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSpec>,
}

/// A method whose first argument may be what an earlier call left behind,
/// or what a browser posted: the error it raised (`unknown_outcome`,
/// `timeout`: any error naming a `reference_no` or `xact_id`), a bare
/// string, or a posted form. `transactions.lookup(error)`,
/// `payments.complete_3d(request.POST)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetSpec {
    /// Parameters an error carries under the same name: each one not given
    /// is taken from the error. An error carrying none of them is refused.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub from_error: &'static [&'static str],
    /// The parameter a bare string target stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'static str>,
    /// Parameters read from a posted form (Django `request.POST`, Flask
    /// `request.form`, a FastAPI form, Express `req.body`) under their wire
    /// names; the form's other fields are ignored.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub from_form: &'static [&'static str],
}

/// The methods that take a [`TargetSpec`] target. Kept here, next to the
/// spec's other per-method data, rather than as an `Endpoint` constant; a
/// test checks each names a method and its parameters.
const TARGETS: &[(&str, TargetSpec)] = &[
    ("transactions.lookup", TargetSpec { from_error: &["reference_no", "xact_id"], text: Some("reference_no"), from_form: &[] }),
    ("payments.complete_3d", TargetSpec { from_error: &[], text: None, from_form: &["session_id", "token_id"] }),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedDoc {
    pub name: &'static str,
    pub doc: &'static str,
}

/// An error kind (`ErrorKind`) and the exception class both bindings raise
/// for it; `doc` is the class's doc too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorKindSpec {
    /// The stable `.kind` string.
    pub name: &'static str,
    /// The class name in Python and Node (`APIError`, `TimeoutError`).
    pub class: &'static str,
    /// The kind whose class this one extends; none: `PaynetError` itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<&'static str>,
    /// Error fields always set for this kind (typed never null on its class).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub always_set: &'static [&'static str],
    pub doc: &'static str,
}

/// A client option as one binding spells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionBinding {
    pub name: &'static str,
    /// The binding's type, as its signatures write it.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientOptionSpec {
    /// The option's name in core and docs (snake_case).
    pub name: &'static str,
    pub required: bool,
    /// Also a per-call option (the second argument in Node, a keyword in Python).
    pub per_call: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python: Option<OptionBinding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<OptionBinding>,
    pub doc: &'static str,
}

/// Everything: `spec/paynet.json` is this, serialized. Lists keep
/// declaration order, so the file changes only where the surface does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    pub methods: Vec<MethodSpec>,
    pub structs: Vec<StructSpec>,
    pub enums: Vec<EnumSpec>,
    pub error_kinds: Vec<ErrorKindSpec>,
    pub retry_policies: Vec<NamedDoc>,
    pub money_wire_units: Vec<NamedDoc>,
    pub client_options: Vec<ClientOptionSpec>,
}

/// The structs and enums the methods refer to, each once, in the order first met.
#[derive(Debug, Default)]
pub struct Registry {
    structs: Vec<StructSpec>,
    struct_types: Vec<&'static str>,
    enums: Vec<EnumSpec>,
}

impl Registry {
    pub fn add_struct<T: Described>(&mut self) {
        let spec = T::describe();
        let rust_type = std::any::type_name::<T>();
        if let Some(i) = self.structs.iter().position(|s| s.name == spec.name) {
            assert_eq!(self.struct_types[i], rust_type, "two types are named {} in the spec", spec.name);
            return;
        }
        self.structs.push(spec);
        self.struct_types.push(rust_type);
        T::visit_fields(self);
    }

    pub fn add_enum(&mut self, spec: EnumSpec) {
        if let Some(seen) = self.enums.iter().find(|e| e.name == spec.name) {
            assert_eq!(*seen, spec, "two enums are named {} in the spec", spec.name);
            return;
        }
        self.enums.push(spec);
    }
}

/// A snake_case name in camelCase, the one conversion the spec makes (both
/// spellings are stored, so nothing converts back): `card_3d_x` → `card3dX`.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn is_false(b: &bool) -> bool {
    !*b
}

// Literal defaults and `one_of` values, as written by `#[derive(Spec)]`.
#[doc(hidden)]
pub fn json_str(s: &str) -> Value {
    Value::String(s.to_owned())
}
#[doc(hidden)]
pub fn json_bool(b: bool) -> Value {
    Value::Bool(b)
}
#[doc(hidden)]
pub fn json_int(n: i64) -> Value {
    Value::from(n)
}

fn is_secret_key(key: &crate::endpoint::ApiKey) -> bool {
    *key == crate::endpoint::ApiKey::Secret
}

/// The value of `#[serde(default)]`: the type's `Default`, as a user would write it.
#[doc(hidden)]
pub fn default_json<T: Default + Serialize>() -> Value {
    serde_json::to_value(T::default()).expect("a default parameter value serializes")
}

impl Serialize for RetryPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for MoneyWire {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

macro_rules! plain_types {
    ($($t:ty => $spec:expr),* $(,)?) => {
        $(impl SpecType for $t {
            fn type_spec() -> TypeSpec {
                $spec
            }
        })*
    };
}

plain_types! {
    String => TypeSpec::String { secret: false },
    CardNumber => TypeSpec::String { secret: true },
    Cvc => TypeSpec::String { secret: true },
    crate::secret::SecretText => TypeSpec::String { secret: true },
    bool => TypeSpec::Bool,
    u32 => TypeSpec::Integer { format: "u32", or_text: false },
    i64 => TypeSpec::Integer { format: "i64", or_text: false },
    Money => TypeSpec::Money,
    Decimal => TypeSpec::Decimal { kind: DecimalKind::Ratio },
    DateTime<FixedOffset> => TypeSpec::DateTime,
    NaiveDate => TypeSpec::Date,
}

impl<T: SpecType> SpecType for Option<T> {
    fn type_spec() -> TypeSpec {
        TypeSpec::Optional { of: Box::new(T::type_spec()) }
    }
    fn visit(registry: &mut Registry) {
        T::visit(registry)
    }
}

impl<T: SpecType> SpecType for Vec<T> {
    fn type_spec() -> TypeSpec {
        TypeSpec::List { of: Box::new(T::type_spec()) }
    }
    fn visit(registry: &mut Registry) {
        T::visit(registry)
    }
}

impl SpecType for TransactionType {
    fn type_spec() -> TypeSpec {
        TypeSpec::Enum { name: "TransactionType" }
    }
    fn visit(registry: &mut Registry) {
        let values = TransactionType::KNOWN
            .iter()
            .map(|v| EnumValue {
                value: v.as_str(),
                doc: v.variant_doc(),
                request: serde_json::from_value::<TransactionType>(Value::String(v.as_str().to_owned())).is_ok(),
            })
            .collect();
        registry.add_enum(EnumSpec {
            name: "TransactionType",
            doc: <TransactionType as Doc>::DOC,
            values,
            unknown: Some(TransactionType::Other(String::new()).variant_doc()),
        });
    }
}

/// One method, from its `Endpoint` impl.
pub(crate) fn describe<E: Endpoint>(registry: &mut Registry) -> MethodSpec {
    let (resource, method) = E::NAME.split_once('.').expect("an endpoint NAME is resource.method");
    E::Params::visit(registry);
    E::Output::visit(registry);
    let params = E::Params::describe();
    let mut money_wire: Vec<MoneyWireSpec> = Vec::new();
    for unit in params.fields.iter().filter_map(|f| f.money_wire) {
        if !money_wire.contains(&unit) {
            money_wire.push(unit);
        }
    }
    MethodSpec {
        name: E::NAME,
        resource,
        node_resource: camel(resource),
        method,
        node_method: camel(method),
        path: E::PATH,
        doc: <E as Doc>::DOC,
        retry: E::RETRY,
        params: params.name,
        result: E::Output::type_spec(),
        money_wire,
        large_answers: E::LARGE_ANSWERS,
        local: E::LOCAL,
        progress: E::PROGRESS,
        rows: rows_field(registry, &E::Output::type_spec()),
        key: E::KEY,
        bare_body: E::BARE_BODY,
        pages: E::PAGES.map(|p| PagesSpec { iterator: p.iterator, node_iterator: camel(p.iterator), items: p.items, node_items: camel(p.items), doc: p.doc }),
        target: TARGETS.iter().find(|(name, _)| *name == E::NAME).map(|(_, target)| target.clone()),
    }
}

/// The field of a result model that holds its rows: its one field that is a
/// list of a model, if it has exactly one.
fn rows_field(registry: &Registry, result: &TypeSpec) -> Option<&'static str> {
    let TypeSpec::Struct { name } = result else { return None };
    let model = registry.structs.iter().find(|s| s.name == *name)?;
    let mut lists = model.fields.iter().filter(|f| matches!(&f.ty, TypeSpec::List { of } if matches!(of.as_ref(), TypeSpec::Struct { .. })));
    match (lists.next(), lists.next()) {
        (Some(field), None) => Some(field.name),
        _ => None,
    }
}

fn option_spec(o: &ClientOption) -> ClientOptionSpec {
    let binding = |name: &'static str, node: bool| {
        let one_of = |values: &[&str], quote: char| values.iter().map(|v| format!("{quote}{v}{quote}")).collect::<Vec<_>>();
        let ty = match (o.ty, node) {
            (OptionType::Secret | OptionType::Text, false) => "str".to_owned(),
            (OptionType::Secret | OptionType::Text, true) => "string".to_owned(),
            (OptionType::OneOf(values), false) => format!("Literal[{}]", one_of(values, '"').join(", ")),
            (OptionType::OneOf(values), true) => one_of(values, '\'').join(" | "),
            (OptionType::Bool, false) => "bool".to_owned(),
            (OptionType::Bool, true) => "boolean".to_owned(),
            (OptionType::Duration, false) => "float (seconds)".to_owned(),
            (OptionType::Duration, true) => "number (milliseconds)".to_owned(),
            (OptionType::Count | OptionType::Bytes, false) => "int".to_owned(),
            (OptionType::Count | OptionType::Bytes, true) => "number".to_owned(),
            (OptionType::Callback, false) => "Callable[[RequestEvent], None]".to_owned(),
            (OptionType::Callback, true) => "(event: RequestEvent) => void".to_owned(),
        };
        let default = match o.default {
            OptionDefault::Required | OptionDefault::Unset => None,
            OptionDefault::Text(t) => Some(Value::String(t.to_owned())),
            OptionDefault::Bool(b) => Some(Value::Bool(b)),
            OptionDefault::Count(n) => Some(Value::from(n)),
            OptionDefault::Duration(d) if node => Some(Value::from(d.as_millis() as u64)),
            OptionDefault::Duration(d) => Some(Value::from(d.as_secs_f64())),
        };
        OptionBinding { name, ty, default }
    };
    ClientOptionSpec {
        name: o.name,
        required: matches!(o.default, OptionDefault::Required),
        per_call: o.per_call(),
        python: (o.bindings != Bindings::NodeOnly).then(|| binding(o.name, false)),
        node: (o.bindings != Bindings::PythonOnly).then(|| binding(o.node_name, true)),
        doc: o.doc,
    }
}

fn error_kind_spec(k: &ErrorKind) -> ErrorKindSpec {
    ErrorKindSpec {
        name: k.as_str(),
        class: k.class_name(),
        parent: k.parent().map(|p| p.as_str()),
        always_set: k.always_set(),
        doc: k.variant_doc(),
    }
}

/// The whole surface, in declaration order.
pub fn spec() -> Spec {
    let mut registry = Registry::default();
    let methods = crate::endpoints::describe_methods(&mut registry);
    let named = |name: &'static str, doc: &'static str| NamedDoc { name, doc };
    Spec {
        methods,
        structs: registry.structs,
        enums: registry.enums,
        error_kinds: ErrorKind::ALL.iter().map(error_kind_spec).collect(),
        retry_policies: RetryPolicy::ALL.iter().map(|p| named(p.as_str(), p.variant_doc())).collect(),
        money_wire_units: MoneyWire::ALL.iter().map(|u| named(u.as_str(), u.variant_doc())).collect(),
        client_options: CLIENT_OPTIONS.iter().map(option_spec).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_money_parameter_says_how_it_travels() {
        let spec = spec();
        for s in spec.structs.iter().filter(|s| s.role == Role::Params) {
            for f in &s.fields {
                let money = f.ty.innermost() == &TypeSpec::Money;
                assert_eq!(money, f.money_wire.is_some(), "{}.{}: a Money parameter has a money unit, and only it", s.name, f.name);
                if let Some(option) = f.money_wire.and_then(|m| m.option) {
                    assert!(spec.client_options.iter().any(|o| o.name == option), "{}.{}: no client option {option}", s.name, f.name);
                }
                assert!(f.wire.is_some() != f.wire_flatten, "{}.{}: a parameter has a wire name or is flattened", s.name, f.name);
            }
        }
        let unit = |name: &str| spec.methods.iter().find(|m| m.name == name).unwrap().money_wire.clone();
        assert_eq!(unit("payments.create"), [MoneyWireSpec { unit: MoneyWire::DecimalNumber, option: Some("payment_amount_format") }]);
        assert_eq!(unit("payments.charge"), [MoneyWireSpec { unit: MoneyWire::KurusString, option: None }]);
        assert_eq!(unit("payments.capture"), [MoneyWireSpec { unit: MoneyWire::KurusString, option: None }]);
        assert!(unit("transactions.check").is_empty());
    }

    #[test]
    fn methods_are_the_registry_in_order() {
        let spec = spec();
        let names: Vec<&str> = spec.methods.iter().map(|m| m.name).collect();
        assert_eq!(names, crate::endpoints::METHODS);
        let paths: Vec<&str> = spec.methods.iter().map(|m| m.path).collect();
        assert_eq!(paths, crate::endpoints::PATHS);
        let list = spec.methods.iter().find(|m| m.name == "reports.payment_list").unwrap();
        assert_eq!((list.resource, list.method, list.node_method.as_str()), ("reports", "payment_list", "paymentList"));
        for m in &spec.methods {
            assert!(spec.structs.iter().any(|s| s.name == m.params && s.role == Role::Params), "{}", m.name);
            assert!(!m.doc.is_empty(), "{} has no doc", m.name);
        }
    }

    #[test]
    fn every_target_names_a_method_and_its_parameters() {
        let spec = spec();
        for (name, _) in TARGETS {
            assert!(spec.methods.iter().any(|m| m.name == *name), "TARGETS names {name}, which is no method");
        }
        for m in spec.methods.iter() {
            let Some(target) = &m.target else { continue };
            let params = spec.structs.iter().find(|s| s.name == m.params).unwrap();
            for field in target.from_error.iter().chain(&target.text) {
                let f = params.fields.iter().find(|f| f.name == *field);
                assert!(f.is_some_and(|f| !f.required), "{}: the target fills `{field}`, an optional parameter", m.name);
            }
            if let Some(text) = target.text {
                assert!(target.from_error.contains(&text), "{}", m.name);
            }
            for wire in target.from_form {
                assert!(params.fields.iter().any(|f| f.wire == Some(*wire)), "{}: no parameter travels as `{wire}`", m.name);
            }
        }
        let lookup = spec.methods.iter().find(|m| m.name == "transactions.lookup").unwrap();
        let expected = TargetSpec { from_error: &["reference_no", "xact_id"], text: Some("reference_no"), from_form: &[] };
        assert_eq!(lookup.target, Some(expected));
    }

    #[test]
    fn every_paginated_method_can_be_walked() {
        let spec = spec();
        let paged: Vec<&MethodSpec> = spec.methods.iter().filter(|m| m.pages.is_some()).collect();
        assert!(paged.iter().any(|m| m.name == "pay_links.list_page"));
        for m in paged {
            let pages = m.pages.as_ref().unwrap();
            let params = spec.structs.iter().find(|s| s.name == m.params).unwrap();
            assert!(params.fields.iter().any(|f| f.name == "starting_after" && !f.required), "{}: no optional starting_after", m.name);
            let TypeSpec::Struct { name } = m.result.innermost() else { panic!("{}: a page is a model", m.name) };
            let page = spec.structs.iter().find(|s| s.name == *name).unwrap();
            assert!(page.fields.iter().any(|f| f.name == "next_starting_after"), "{}: the page has no next_starting_after", m.name);
            let items = page.fields.iter().find(|f| f.name == pages.items).unwrap_or_else(|| panic!("{}: no field {}", m.name, pages.items));
            assert!(matches!(items.ty, TypeSpec::List { .. }), "{}: {} is not a list", m.name, pages.items);
            assert!(!spec.methods.iter().any(|other| other.resource == m.resource && other.method == pages.iterator), "{}: the iterator's name is taken", m.name);
        }
    }

    #[test]
    fn camel_case_keeps_digits_and_is_stored_not_undone() {
        assert_eq!(camel("card_3d_x"), "card3dX");
        assert_eq!(camel("payment_list"), "paymentList");
        assert_eq!(camel("xact_id"), "xactId");
        assert_eq!(camel("amount"), "amount");
    }

    #[test]
    fn enum_values_read_back() {
        let spec = spec();
        let tt = spec.enums.iter().find(|e| e.name == "TransactionType").unwrap();
        let values: Vec<(&str, bool)> = tt.values.iter().map(|v| (v.value, v.request)).collect();
        assert_eq!(values, [("sale", true), ("pre_auth", true), ("capture", false)]);
        assert!(tt.values.iter().all(|v| !v.doc.is_empty()) && tt.unknown.is_some());
    }

    #[test]
    fn every_kind_policy_unit_and_option_has_a_doc() {
        let spec = spec();
        assert_eq!(spec.error_kinds.len(), ErrorKind::ALL.len());
        for k in &spec.error_kinds {
            assert!(!k.doc.is_empty() && !k.class.is_empty(), "{} has no doc or class", k.name);
            let parent = spec.error_kinds.iter().position(|p| Some(p.name) == k.parent);
            let me = spec.error_kinds.iter().position(|p| p.name == k.name);
            assert!(k.parent.is_none() || (parent.is_some() && parent < me), "{}: its parent must be a kind declared before it", k.name);
        }
        for item in spec.retry_policies.iter().chain(&spec.money_wire_units) {
            assert!(!item.doc.is_empty(), "{} has no doc", item.name);
        }
        for o in &spec.client_options {
            assert!(!o.doc.is_empty(), "{} has no doc", o.name);
        }
    }

    #[test]
    fn rules_and_defaults_are_recorded() {
        let spec = spec();
        let field = |s: &str, f: &str| {
            spec.structs.iter().find(|x| x.name == s).unwrap().fields.iter().find(|x| x.name == f).unwrap().clone()
        };
        assert_eq!(field("CreatePaymentParams", "reference_no").rules, [Rule::NotBlank, Rule::MaxLen { max: 50 }]);
        assert_eq!(field("CreatePaymentParams", "installment").wire, Some("instalment"));
        assert!(field("CreatePaymentParams", "card").wire_flatten);
        assert_eq!(field("CreatePaymentParams", "transaction_type").default, Some(json_str("sale")));
        assert_eq!(field("ChargeParams", "installments").default, Some(serde_json::json!([])));
        assert!(!field("ChargeParams", "add_commission").required);
        assert!(field("ChargeParams", "session_id").required);
        assert_eq!(field("Card", "number").ty, TypeSpec::String { secret: true });
        let payment = spec.structs.iter().find(|x| x.name == "CreatePaymentParams").unwrap();
        assert_eq!(payment.rules, [StructRule::ExactlyOne { fields: vec!["card", "card_hash"] }]);
    }
}
