//! `#[derive(Spec)]` and `#[derive(Doc)]` for paynet-core: a struct's
//! fields (name, Rust type, doc comment, the serde attributes that change its
//! surface) and an item's doc comment, as data, so each endpoint's parameters
//! and result models are declared once, in core, and exported from there
//! (`paynet_core::spec`).
//!
//! What a field's type cannot say is given with `#[spec(...)]`:
//!
//! - on a field: `wire = "instalment"` (Paynet's name when it differs),
//!   `flatten` (its fields go to the top level of the wire body, like a card),
//!   `money = "decimal" | "comma" | "kurus"` (how the amount travels, as
//!   `wire::MoneyWire`), `money_option = "payment_amount_format"` (the client
//!   option that can change that), `default = <literal>`, and the rules
//!   `max_len = N`, `not_blank`, `positive`, `one_of = [..]`;
//! - on the struct: `params` (a parameter struct: its fields have wire
//!   names), `exactly_one = ["a", "b", ..]`, `at_least_one = ["a", "b", ..]`.
//!
//! On a `#[spec(params)]` struct the derive also generates
//! `paynet_core::spec::Identified` (its `reference_no` and `xact_id` fields,
//! which the errors of a call carry) and, from the same attributes,
//! `paynet_core::spec::CheckDeclared` (`check_declared`: the
//! rules, in declaration order, with the messages of `validate.rs`) and,
//! unless the struct says `wire_by_hand`, `paynet_core::spec::WireDeclared`
//! (`to_wire_declared`: the wire body from the wire names and money units).
//! An endpoint writes by hand only what these cannot say (Luhn and expiry,
//! `company_amount <= amount`, save_card, IBAN, installment values):
//!
//! - `one_of` is enforced too, unless the field says `by_hand` (its endpoint
//!   checks the value itself, with its own message and at its own place);
//! - `wire_text`: a number that travels as text (`xact`);
//! - a struct rule (`exactly_one`, `at_least_one`) is checked right after the
//!   last field it names, and a `flatten`ed struct field (its own rules and
//!   special checks, through `validate::CheckAt`) right after the struct rules
//!   that name it: a card is checked once it is known to be the one given.
//!
//! On a result model marked `#[spec(answer)]` it generates
//! `paynet_core::wire::FromAnswer`: each field read by its type
//! (`wire::AnswerField`) under its names in Paynet's answers, the first
//! present wins: `answer = "code"` or `answer = ["comission", "commission"]`
//! (default: the field's name); `free_text` (text a bank or Paynet wrote:
//! card data scrubbed on reading, and redacted with the key by
//! `redact_texts`), `card_number` (masked), `other_fields` (an
//! `Option<String>`: the answer's fields no other field reads, as JSON text,
//! scrubbed and redacted like `free_text`; documented by the derive when the
//! field has no doc of its own), or `read_with = "fn"` (a field
//! computed from the whole answer, `fn(&Reader) -> Result<T, Error>`).
//! It also generates `FromAnswer::answer_cells`: the same reads, each value
//! handed on as its cell without the model being made (plain text lent by
//! the answer), what a table read straight from the answer is built of.
//! `#[spec(dictionary)]` on a result model's text field says it holds a few
//! codes repeated across rows (a bank, a card type): its column in a
//! columnar result (`paynet_core::columnar`) is dictionary-encoded.
//!
//! On every result model (not `params`) it generates `paynet_core::cells::Cells`
//! (each field's typed cell, in declaration order, money by `money_text`,
//! and each `Vec` field's rows when it is a list of models) and
//! `cells::CellValue` (the model as a nested value), what tables read.
//! `#[spec(table)] #[serde(skip)]` on an `Option<columnar::Table>` field of
//! a result model built by hand makes it `Cells::table`, not part of the
//! model's data (no spec field, no cell): its rows as Arrow batches when a
//! call asked for them so.
//!
//! `#[serde(deserialize_with = "loose_int")]` on an integer makes its spec
//! type "integer, or numeric text" (`or_text`).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, Lit, LitStr, Token, Type};

/// Implements `paynet_core::spec::Described` (the struct's fields as data)
/// and `paynet_core::spec::SpecType` (a reference to it, by name).
#[proc_macro_derive(Spec, attributes(spec))]
pub fn derive_spec(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    spec(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `paynet_core::spec::Doc` (the item's doc comment) and, on an
/// enum, `paynet_core::spec::VariantDoc` (each variant's).
#[proc_macro_derive(Doc)]
pub fn derive_doc(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    doc_impls(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// A doc comment's text: one leading space dropped per line, trimmed.
/// The doc of an `other_fields` field without one of its own: said once, for every model that has it.
const OTHER_FIELDS_DOC: &str = "Every field of Paynet's answer this model does not name (its reference documents few), \
as JSON text: read it with `json.loads` (Python) or `JSON.parse` (Node). Card numbers are masked and the key redacted; \
empty (`None` / `null`) when the answer has no other field.";

fn doc_of(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) = &nv.value
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').unwrap_or(&line).trim_end().to_owned());
        }
    }
    lines.join("\n").trim().to_owned()
}

fn doc_impls(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let doc = doc_of(&input.attrs);
    let (imp, ty, wh) = input.generics.split_for_impl();
    let mut out = quote! {
        impl #imp ::paynet_core::spec::Doc for #name #ty #wh {
            const DOC: &'static str = #doc;
        }
    };
    if let Data::Enum(e) = &input.data {
        let arms = e.variants.iter().map(|v| {
            let ident = &v.ident;
            let doc = doc_of(&v.attrs);
            let pattern = match &v.fields {
                Fields::Unit => quote!(Self::#ident),
                Fields::Unnamed(_) => quote!(Self::#ident(..)),
                Fields::Named(_) => quote!(Self::#ident { .. }),
            };
            quote!(#pattern => #doc,)
        });
        out.extend(quote! {
            impl #imp ::paynet_core::spec::VariantDoc for #name #ty #wh {
                fn variant_doc(&self) -> &'static str {
                    match self { #(#arms)* }
                }
            }
        });
    }
    Ok(out)
}

#[derive(Default)]
struct StructAttrs {
    params: bool,
    answer: bool,
    wire_by_hand: bool,
    deny_unknown_fields: bool,
    rules: Vec<TokenStream2>,
    rule_fields: Vec<LitStr>,
    /// `(exactly_one?, fields)`, in declaration order: what `check_declared` enforces.
    checks: Vec<(bool, Vec<(String, Span)>)>,
}

#[derive(Default)]
struct FieldAttrs {
    rename: Option<LitStr>,
    serde_default: Option<SerdeDefault>,
    money_text: bool,
    wire: Option<LitStr>,
    flatten: bool,
    money: Option<TokenStream2>,
    money_option: Option<LitStr>,
    default: Option<TokenStream2>,
    rules: Vec<TokenStream2>,
    loose_int: bool,
    wire_text: bool,
    by_hand: bool,
    not_blank: bool,
    max_len: Option<usize>,
    positive: bool,
    one_of: Option<Vec<TokenStream2>>,
    /// Result models (`#[spec(answer)]`): the names Paynet's answers use.
    answer: Option<Vec<LitStr>>,
    free_text: bool,
    other_fields: bool,
    card_number: bool,
    read_with: Option<syn::Path>,
    dictionary: bool,
    table: bool,
    serde_skip: bool,
}

enum SerdeDefault {
    /// `#[serde(default)]`: the type's `Default`, known at spec time.
    Trait,
    /// `#[serde(default = "path")]`: computed when the parameters are read.
    Function,
}

fn string_list(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let input = meta.value()?;
    let content;
    syn::bracketed!(content in input);
    Ok(Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?.into_iter().collect())
}

fn literal_json(lit: &Lit) -> syn::Result<TokenStream2> {
    Ok(match lit {
        Lit::Str(s) => quote!(::paynet_core::spec::json_str(#s)),
        Lit::Bool(b) => quote!(::paynet_core::spec::json_bool(#b)),
        Lit::Int(i) => {
            let n: i64 = i.base10_parse()?;
            quote!(::paynet_core::spec::json_int(#n))
        }
        other => return Err(syn::Error::new(other.span(), "spec: expected a string, bool or integer literal")),
    })
}

fn struct_attrs(attrs: &[Attribute]) -> syn::Result<StructAttrs> {
    let mut out = StructAttrs::default();
    for attr in attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("deny_unknown_fields") {
                    out.deny_unknown_fields = true;
                } else if meta.path.is_ident("rename_all") || meta.path.is_ident("rename") || meta.path.is_ident("tag") {
                    return Err(meta.error("spec: this serde container attribute is not described; add it to paynet-spec-derive first"));
                } else if meta.input.peek(Token![=]) {
                    // `remote = "Self"` and the like change no name.
                    meta.value()?.parse::<Lit>()?;
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("spec") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("params") {
                    out.params = true;
                } else if meta.path.is_ident("answer") {
                    out.answer = true;
                } else if meta.path.is_ident("wire_by_hand") {
                    out.wire_by_hand = true;
                } else if meta.path.is_ident("exactly_one") || meta.path.is_ident("at_least_one") {
                    let fields = string_list(&meta)?;
                    if meta.path.is_ident("exactly_one") && fields.len() < 2 {
                        return Err(meta.error("spec: exactly_one takes two or more field names"));
                    }
                    if fields.is_empty() {
                        return Err(meta.error("spec: at_least_one needs field names"));
                    }
                    let variant = if meta.path.is_ident("exactly_one") { quote!(ExactlyOne) } else { quote!(AtLeastOne) };
                    out.rules.push(quote!(::paynet_core::spec::StructRule::#variant { fields: ::std::vec![#(#fields),*] }));
                    out.checks.push((meta.path.is_ident("exactly_one"), fields.iter().map(|f| (f.value(), f.span())).collect()));
                    out.rule_fields.extend(fields);
                } else {
                    return Err(meta.error("spec: unknown struct attribute (params, answer, wire_by_hand, exactly_one, at_least_one)"));
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
}

fn field_attrs(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("rename") {
                    if !meta.input.peek(Token![=]) {
                        return Err(meta.error("spec: only `rename = \"name\"` is described"));
                    }
                    out.rename = Some(meta.value()?.parse()?);
                } else if p.is_ident("default") {
                    if meta.input.peek(Token![=]) {
                        meta.value()?.parse::<LitStr>()?;
                        out.serde_default = Some(SerdeDefault::Function);
                    } else {
                        out.serde_default = Some(SerdeDefault::Trait);
                    }
                } else if p.is_ident("serialize_with") {
                    let f: LitStr = meta.value()?.parse()?;
                    match f.value().rsplit("::").next() {
                        Some("money_text") => out.money_text = true,
                        _ => return Err(syn::Error::new(f.span(), "spec: unknown serialize_with: say in paynet-spec-derive what it makes of the field")),
                    }
                } else if p.is_ident("deserialize_with") {
                    // `loose_int` also takes numeric text; any other reads the
                    // same type more loosely: no change to the surface.
                    let f: LitStr = meta.value()?.parse()?;
                    out.loose_int = f.value().rsplit("::").next() == Some("loose_int");
                } else if p.is_ident("with") {
                    meta.value()?.parse::<LitStr>()?;
                } else if p.is_ident("skip") {
                    out.serde_skip = true;
                } else {
                    return Err(meta.error("spec: this serde field attribute is not described; add it to paynet-spec-derive first"));
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("spec") {
            attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("wire") {
                    out.wire = Some(meta.value()?.parse()?);
                } else if p.is_ident("answer") {
                    let input = meta.value()?;
                    out.answer = Some(if input.peek(syn::token::Bracket) {
                        let content;
                        syn::bracketed!(content in input);
                        Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?.into_iter().collect()
                    } else {
                        vec![input.parse()?]
                    });
                } else if p.is_ident("free_text") {
                    out.free_text = true;
                } else if p.is_ident("other_fields") {
                    out.other_fields = true;
                } else if p.is_ident("card_number") {
                    out.card_number = true;
                } else if p.is_ident("dictionary") {
                    out.dictionary = true;
                } else if p.is_ident("table") {
                    out.table = true;
                } else if p.is_ident("read_with") {
                    let path: LitStr = meta.value()?.parse()?;
                    out.read_with = Some(path.parse()?);
                } else if p.is_ident("flatten") {
                    out.flatten = true;
                } else if p.is_ident("wire_text") {
                    out.wire_text = true;
                } else if p.is_ident("by_hand") {
                    out.by_hand = true;
                } else if p.is_ident("money") {
                    let unit: LitStr = meta.value()?.parse()?;
                    let variant = match unit.value().as_str() {
                        "decimal" => quote!(DecimalNumber),
                        "comma" => quote!(CommaString),
                        "kurus" => quote!(KurusString),
                        _ => return Err(syn::Error::new(unit.span(), "spec: money is \"decimal\", \"comma\" or \"kurus\"")),
                    };
                    out.money = Some(quote!(::paynet_core::wire::MoneyWire::#variant));
                } else if p.is_ident("money_option") {
                    out.money_option = Some(meta.value()?.parse()?);
                } else if p.is_ident("default") {
                    out.default = Some(literal_json(&meta.value()?.parse()?)?);
                } else if p.is_ident("max_len") {
                    let n: syn::LitInt = meta.value()?.parse()?;
                    let n: usize = n.base10_parse()?;
                    out.max_len = Some(n);
                    out.rules.push(quote!(::paynet_core::spec::Rule::MaxLen { max: #n }));
                } else if p.is_ident("not_blank") {
                    out.not_blank = true;
                    out.rules.push(quote!(::paynet_core::spec::Rule::NotBlank));
                } else if p.is_ident("positive") {
                    out.positive = true;
                    out.rules.push(quote!(::paynet_core::spec::Rule::Positive));
                } else if p.is_ident("one_of") {
                    let input = meta.value()?;
                    let content;
                    syn::bracketed!(content in input);
                    let values = Punctuated::<Lit, Token![,]>::parse_terminated(&content)?
                        .iter()
                        .map(literal_json)
                        .collect::<syn::Result<Vec<_>>>()?;
                    out.one_of = Some(values.clone());
                    out.rules.push(quote!(::paynet_core::spec::Rule::OneOf { values: ::std::vec![#(#values),*] }));
                } else {
                    return Err(meta.error(
                        "spec: unknown field attribute (wire, flatten, wire_text, money, money_option, default, max_len, not_blank, positive, one_of, by_hand; on answers: answer, free_text, card_number, read_with, other_fields; on models: dictionary)",
                    ));
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
}

/// A `Vec<..>` field, by its last path segment (as `is_option`).
fn is_vec(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Vec"))
}

/// `Option<String>`, as written.
fn is_option_string(ty: &Type) -> bool {
    quote!(#ty).to_string().replace(' ', "") == "Option<String>"
}

/// `Option<…>` by its last path segment: what serde treats as "may be absent".
fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn spec(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(input.generics.span(), "spec: generic structs are not described"));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(Span::call_site(), "spec: #[derive(Spec)] is for structs; enums implement SpecType by hand"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(Span::call_site(), "spec: #[derive(Spec)] needs named fields"));
    };
    let sattrs = struct_attrs(&input.attrs)?;
    let struct_doc = doc_of(&input.attrs);
    let type_name = name.to_string();

    let mut names = Vec::new();
    let mut field_specs = Vec::new();
    let mut visits = Vec::new();
    let mut fields_info = Vec::new();
    let mut reads = Vec::new();
    // Each field's cell read straight from the answer (`FromAnswer::answer_cells`).
    let mut answer_cells = Vec::new();
    let mut free_texts: Vec<syn::Ident> = Vec::new();
    // Every answer name the model reads, and the field (if any) that keeps the rest.
    let mut read_names: Vec<String> = Vec::new();
    let mut other_fields: Option<(usize, syn::Ident)> = None;
    // A result model's `cells::Cells`: each field's cell, and its lists' rows.
    let mut cells = Vec::new();
    let mut row_lists = Vec::new();
    // The field holding the rows as Arrow batches, when they were asked for so (`Cells::table`).
    let mut table = None;
    if sattrs.answer && sattrs.params {
        return Err(syn::Error::new(Span::call_site(), "spec: a struct is params or an answer, not both"));
    }
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let a = field_attrs(&field.attrs)?;
        if a.table != a.serde_skip {
            return Err(syn::Error::new(ident.span(), "spec: a table field is #[serde(skip)], and only it: every other field is the model's data"));
        }
        if a.table {
            // Not a field of the model's data: no spec, cells, or reading of its own.
            if sattrs.answer || sattrs.params || table.is_some() {
                return Err(syn::Error::new(ident.span(), "spec: one table field, in a result model built by hand"));
            }
            table = Some(ident.clone());
            continue;
        }
        let user_name = a.rename.as_ref().map_or_else(|| ident.to_string(), LitStr::value);
        names.push(user_name.clone());
        let mut doc = doc_of(&field.attrs);
        // Located at the type (errors point there), resolved where the derive
        // runs: a field from a `macro_rules!` (payment_params!) keeps working.
        let span = ty.span().resolved_at(Span::call_site());
        let optional = is_option(ty);
        let required = !optional && a.serde_default.is_none();

        if !sattrs.params && (a.wire.is_some() || a.flatten || a.money.is_some() || a.money_option.is_some() || !a.rules.is_empty()) {
            return Err(syn::Error::new(ident.span(), "spec: wire names, money units and rules are for #[spec(params)] structs"));
        }
        if a.money_option.is_some() && a.money.is_none() {
            return Err(syn::Error::new(ident.span(), "spec: money_option needs money = \"...\" (the unit by default)"));
        }
        if a.flatten && a.wire.is_some() {
            return Err(syn::Error::new(ident.span(), "spec: a flattened field has no wire name of its own"));
        }

        if !sattrs.answer && (a.answer.is_some() || a.free_text || a.card_number || a.read_with.is_some()) {
            return Err(syn::Error::new(ident.span(), "spec: answer names, free_text, card_number and read_with are for #[spec(answer)] structs"));
        }
        // A read_with field reads itself; its answer names, if given, only say
        // which fields it reads (so `other_fields` leaves them out).
        if a.read_with.is_some() && (a.free_text || a.card_number) {
            return Err(syn::Error::new(ident.span(), "spec: a read_with field reads itself: no text rules"));
        }
        if a.other_fields {
            if !sattrs.answer || a.answer.is_some() || a.read_with.is_some() || a.free_text || a.card_number || !optional {
                return Err(syn::Error::new(ident.span(), "spec: other_fields is an Option<String> of an answer, with no other answer attribute"));
            }
            if doc.is_empty() {
                doc = OTHER_FIELDS_DOC.to_owned();
            }
            other_fields = Some((reads.len(), ident.clone()));
            free_texts.push(ident.clone());
            reads.push(quote!());
            answer_cells.push(quote!());
        } else if sattrs.answer {
            read_names.extend(a.answer.as_ref().map_or_else(|| vec![user_name.clone()], |n| n.iter().map(LitStr::value).collect()));
            let read = match &a.read_with {
                Some(path) => quote_spanned!(span=> #path(r)?),
                None => {
                    let names: Vec<String> = a.answer.as_ref().map_or_else(|| vec![user_name.clone()], |n| n.iter().map(LitStr::value).collect());
                    let mut read = quote_spanned!(span=> <#ty as ::paynet_core::wire::AnswerField>::read(r, &[#(#names),*])?);
                    if a.free_text {
                        read = quote_spanned!(span=> #read.map(::paynet_core::secret::scrub_card_data));
                        free_texts.push(ident.clone());
                    }
                    if a.card_number {
                        read = quote_spanned!(span=> #read.map(::paynet_core::secret::mask_answer_card_number));
                    }
                    read
                }
            };
            // Plain text is lent by the answer, not copied into a String.
            let plain_text = a.read_with.is_none() && !a.free_text && !a.card_number && !a.money_text && is_option_string(ty);
            answer_cells.push(if plain_text {
                let names: Vec<String> = a.answer.as_ref().map_or_else(|| vec![user_name.clone()], |n| n.iter().map(LitStr::value).collect());
                quote_spanned!(span=> each(r.text(&[#(#names),*]).as_deref().map_or(::paynet_core::cells::Cell::Null, ::paynet_core::cells::Cell::Text));)
            } else {
                let cell = if a.money_text {
                    quote_spanned!(span=> ::paynet_core::cells::money(&value))
                } else {
                    quote_spanned!(span=> <#ty as ::paynet_core::cells::CellValue>::cell(&value))
                };
                quote_spanned!(span=> { let value: #ty = #read; each(#cell); })
            });
            reads.push(quote!(#ident: #read));
        }
        if a.by_hand && a.one_of.is_none() {
            return Err(syn::Error::new(ident.span(), "spec: by_hand says a one_of is checked by the endpoint; this field has none"));
        }
        if a.wire_text && (a.flatten || a.money.is_some()) {
            return Err(syn::Error::new(ident.span(), "spec: wire_text is for a plain number"));
        }

        if !sattrs.params {
            cells.push(if a.money_text {
                quote_spanned!(span=> each(::paynet_core::cells::money(&self.#ident));)
            } else {
                quote_spanned!(span=> each(<#ty as ::paynet_core::cells::CellValue>::cell(&self.#ident));)
            });
            if is_vec(ty) {
                row_lists.push(quote_spanned!(span=> #user_name => <#ty as ::paynet_core::cells::AsRows>::as_rows(&self.#ident),));
            }
        }

        let mut type_spec = quote_spanned!(span=> <#ty as ::paynet_core::spec::SpecType>::type_spec());
        if a.loose_int {
            type_spec = quote!(::paynet_core::spec::TypeSpec::or_text(#type_spec));
        }
        if a.money_text {
            type_spec = quote!(::paynet_core::spec::TypeSpec::money_text(#type_spec));
        }
        let wire = if !sattrs.params || a.flatten {
            quote!(::std::option::Option::None)
        } else {
            let wire = a.wire.as_ref().map_or(user_name.clone(), LitStr::value);
            quote!(::std::option::Option::Some(#wire))
        };
        let default = match (&a.default, &a.serde_default) {
            (Some(value), _) => quote!(::std::option::Option::Some(#value)),
            (None, Some(SerdeDefault::Trait)) => quote_spanned!(span=> ::std::option::Option::Some(::paynet_core::spec::default_json::<#ty>())),
            (None, _) => quote!(::std::option::Option::None),
        };
        let money_wire = match (&a.money, &a.money_option) {
            (Some(unit), Some(option)) => quote!(::std::option::Option::Some(::paynet_core::spec::MoneyWireSpec { unit: #unit, option: ::std::option::Option::Some(#option) })),
            (Some(unit), None) => quote!(::std::option::Option::Some(::paynet_core::spec::MoneyWireSpec { unit: #unit, option: ::std::option::Option::None })),
            (None, _) => quote!(::std::option::Option::None),
        };
        if sattrs.params && a.dictionary {
            return Err(syn::Error::new(ident.span(), "spec: dictionary is for result models"));
        }
        let rules = &a.rules;
        let flatten = a.flatten;
        let dictionary = a.dictionary;
        field_specs.push(quote! {
            ::paynet_core::spec::FieldSpec {
                name: #user_name,
                node_name: ::paynet_core::spec::camel(#user_name),
                wire: #wire,
                wire_flatten: #flatten,
                ty: #type_spec,
                required: #required,
                default: #default,
                money_wire: #money_wire,
                rules: ::std::vec![#(#rules),*],
                dictionary: #dictionary,
                doc: #doc,
            }
        });
        visits.push(quote_spanned!(span=> <#ty as ::paynet_core::spec::SpecType>::visit(registry);));

        // What `check_declared` does for this field, in a fixed order whatever
        // the order of the attributes: not blank, length, positive, one of.
        let mut checks = Vec::new();
        if a.not_blank {
            checks.push(quote_spanned!(span=> ::paynet_core::validate::DeclaredText::not_blank(&self.#ident, &field(#user_name))?;));
        }
        if let Some(max) = a.max_len {
            checks.push(quote_spanned!(span=> ::paynet_core::validate::DeclaredText::max_len(&self.#ident, &field(#user_name), #max)?;));
        }
        if a.positive {
            checks.push(quote_spanned!(span=> ::paynet_core::validate::DeclaredAmount::positive(&self.#ident, &field(#user_name))?;));
        }
        if let (Some(values), false) = (&a.one_of, a.by_hand) {
            checks.push(quote_spanned!(span=> ::paynet_core::validate::one_of(&field(#user_name), &self.#ident, &[#(#values),*])?;));
        }
        let nested = a.flatten.then(|| quote_spanned!(span=> ::paynet_core::validate::CheckAt::check_at(&self.#ident, &field(#user_name))?;));
        let wire = a.wire.as_ref().map_or(user_name.clone(), LitStr::value);
        let put = if a.flatten {
            quote_spanned!(span=> ::paynet_core::wire::WireFields::write_wire(&self.#ident, &mut body);)
        } else if let Some(unit) = &a.money {
            let unit = match &a.money_option {
                None => unit.clone(),
                Some(o) if o.value() == "payment_amount_format" => quote!(options.payment_amount),
                Some(o) if o.value() == "ratio_amount_format" => quote!(options.ratio_amount),
                Some(o) if o.value() == "subscription_amount_format" => quote!(options.subscription_amount),
                Some(o) => return Err(syn::Error::new(o.span(), "spec: no WireOptions field for this money_option; add it to paynet-spec-derive")),
            };
            quote_spanned!(span=> if let ::std::option::Option::Some(v) = ::paynet_core::wire::WireMoney::wire_money(&self.#ident, #unit) {
                body.insert(#wire.into(), v);
            })
        } else {
            let text = a.wire_text.then(|| quote!(.map(::paynet_core::wire::as_text)));
            quote_spanned!(span=> if let ::std::option::Option::Some(v) = ::paynet_core::wire::WireValue::wire_value(&self.#ident) #text {
                body.insert(#wire.into(), v);
            })
        };
        fields_info.push(FieldInfo { name: user_name.clone(), checks, nested, put });
    }
    for f in &sattrs.rule_fields {
        if !names.contains(&f.value()) {
            return Err(syn::Error::new(f.span(), format!("spec: {type_name} has no field `{}`", f.value())));
        }
    }
    let declared = if sattrs.params {
        let identified = |wanted: &str| match fields.named.iter().find(|f| f.ident.as_ref().is_some_and(|i| i == wanted)) {
            Some(f) => {
                let ident = f.ident.as_ref().expect("named field");
                quote!(::paynet_core::spec::DeclaredText::declared_text(&self.#ident))
            }
            None => quote!(::std::option::Option::None),
        };
        let (reference_no, xact_id) = (identified("reference_no"), identified("xact_id"));
        // Fields of type `SecretText` (or `Option<SecretText>`), by the type's last path segment.
        let secrets: Vec<&syn::Ident> = fields
            .named
            .iter()
            .filter(|f| type_mentions(&f.ty, "SecretText"))
            .filter_map(|f| f.ident.as_ref())
            .collect();
        let secret_count = secrets.len();
        // Keep in step with `paynet_core::spec::ID_FIELDS`.
        const ID_FIELDS: &[&str] = &["xact_id", "reference_no", "subscription_id", "group_reference_no", "invoice_no", "card_id", "id", "agent_reference"];
        let ids: Vec<(&syn::Ident, String)> = ID_FIELDS
            .iter()
            .filter_map(|wanted| fields.named.iter().find_map(|f| f.ident.as_ref().filter(|i| **i == *wanted)).map(|i| (i, (*wanted).to_owned())))
            .collect();
        let id_count = ids.len();
        let (id_idents, id_names): (Vec<_>, Vec<_>) = ids.into_iter().unzip();
        let mut impls = declared_impls(name, &sattrs, &fields_info);
        impls.extend(quote! {
            impl ::paynet_core::spec::Identified for #name {
                fn declared_reference_no(&self) -> ::std::option::Option<&str> {
                    #reference_no
                }

                fn declared_xact_id(&self) -> ::std::option::Option<&str> {
                    #xact_id
                }

                fn declared_secrets(&self) -> ::std::vec::Vec<&str> {
                    let all: [::std::option::Option<&str>; #secret_count] = [#(::paynet_core::spec::DeclaredSecret::declared_secret(&self.#secrets)),*];
                    all.into_iter().flatten().collect()
                }

                fn declared_ids(&self) -> ::std::vec::Vec<::std::string::String> {
                    let all: [::std::option::Option<::std::string::String>; #id_count] = [#(::paynet_core::spec::DeclaredId::declared_id(&self.#id_idents, #id_names)),*];
                    all.into_iter().flatten().collect()
                }
            }
        });
        impls
    } else if sattrs.answer {
        if let Some((at, ident)) = &other_fields {
            let read = quote!(r.other_fields(&[#(#read_names),*]).map(::paynet_core::secret::scrub_card_data));
            answer_cells[*at] = quote!({ let value = #read; each(::paynet_core::cells::CellValue::cell(&value)); });
            reads[*at] = quote!(#ident: #read);
        }
        let redact = if free_texts.is_empty() {
            quote!(let _ = clean;)
        } else {
            quote! {
                for text in [#(&mut self.#free_texts),*].into_iter().flatten() {
                    *text = clean(text);
                }
            }
        };
        quote! {
            impl ::paynet_core::wire::FromAnswer for #name {
                fn from_answer<F: ::paynet_core::wire::Fields + ?::std::marker::Sized>(
                    r: &::paynet_core::wire::Reader<'_, F>,
                ) -> ::std::result::Result<Self, ::paynet_core::Error> {
                    ::std::result::Result::Ok(#name { #(#reads),* })
                }

                fn answer_cells<F: ::paynet_core::wire::Fields + ?::std::marker::Sized, E: ::std::ops::FnMut(::paynet_core::cells::Cell<'_>)>(
                    r: &::paynet_core::wire::Reader<'_, F>,
                    each: &mut E,
                ) -> ::std::result::Result<(), ::paynet_core::Error> {
                    #(#answer_cells)*
                    ::std::result::Result::Ok(())
                }

                fn redact_texts(&mut self, clean: &dyn ::std::ops::Fn(&str) -> ::std::string::String) {
                    #redact
                }
            }
        }
    } else {
        quote!()
    };
    let table_fn = table.map(|ident| {
        quote! {
            fn table(&self) -> ::std::option::Option<&::paynet_core::columnar::Table> {
                self.#ident.as_ref()
            }
        }
    });
    let cells = if sattrs.params {
        quote!()
    } else {
        quote! {
            impl ::paynet_core::cells::Cells for #name {
                fn cells(&self, mut each: &mut dyn ::std::ops::FnMut(::paynet_core::cells::Cell<'_>)) {
                    ::paynet_core::cells::Cells::for_each_cell(self, &mut each)
                }

                fn for_each_cell<E: ::std::ops::FnMut(::paynet_core::cells::Cell<'_>)>(&self, each: &mut E) {
                    #(#cells)*
                }

                fn rows(&self, name: &str) -> ::std::option::Option<&dyn ::paynet_core::cells::RowList> {
                    match name {
                        #(#row_lists)*
                        _ => ::std::option::Option::None,
                    }
                }

                #table_fn
            }

            impl ::paynet_core::cells::CellValue for #name {
                fn cell(&self) -> ::paynet_core::cells::Cell<'_> {
                    ::paynet_core::cells::Cell::Nested(self)
                }
            }
        }
    };
    let role = if sattrs.params { quote!(Params) } else { quote!(Model) };
    let deny = sattrs.deny_unknown_fields;
    let struct_rules = &sattrs.rules;
    Ok(quote! {
        impl ::paynet_core::spec::Described for #name {
            fn describe() -> ::paynet_core::spec::StructSpec {
                ::paynet_core::spec::StructSpec {
                    name: #type_name,
                    role: ::paynet_core::spec::Role::#role,
                    doc: #struct_doc,
                    deny_unknown_fields: #deny,
                    fields: ::std::vec![#(#field_specs),*],
                    rules: ::std::vec![#(#struct_rules),*],
                }
            }

            fn visit_fields(registry: &mut ::paynet_core::spec::Registry) {
                #(#visits)*
            }
        }

        impl ::paynet_core::spec::SpecType for #name {
            fn type_spec() -> ::paynet_core::spec::TypeSpec {
                ::paynet_core::spec::TypeSpec::Struct { name: #type_name }
            }

            fn visit(registry: &mut ::paynet_core::spec::Registry) {
                registry.add_struct::<Self>();
            }
        }

        #declared
        #cells
    })
}

/// One field of a params struct, as `check_declared` and `to_wire_declared` use it.
struct FieldInfo {
    name: String,
    /// Its own rules.
    checks: Vec<TokenStream2>,
    /// A flattened struct's checks (`validate::CheckAt`).
    nested: Option<TokenStream2>,
    /// Its entry in the wire body.
    put: TokenStream2,
}

/// `CheckDeclared` and, unless `wire_by_hand`, `WireDeclared`.
///
/// Order: each field's rules in declaration order; a struct rule right after
/// the last field it names; a flattened field's own checks right after the
/// struct rules that name it (or at its place when none does). This is the
/// order the hand-written `validate`s had, so the first error is the same.
fn declared_impls(name: &syn::Ident, sattrs: &StructAttrs, fields: &[FieldInfo]) -> TokenStream2 {
    let position = |f: &(String, Span)| fields.iter().position(|x| x.name == f.0).expect("rule fields are checked above");
    let mut steps = Vec::new();
    let mut deferred: Vec<usize> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        steps.extend(f.checks.iter().cloned());
        if f.nested.is_some() {
            let pending = sattrs.checks.iter().any(|(_, names)| names.iter().any(|n| n.0 == f.name) && names.iter().map(position).max() > Some(i));
            if pending {
                deferred.push(i);
            } else {
                steps.extend(f.nested.clone());
            }
        }
        for (exactly, names) in &sattrs.checks {
            if names.iter().map(position).max() != Some(i) {
                continue;
            }
            let pairs = names.iter().map(|(n, span)| {
                let ident = syn::Ident::new(n, *span);
                quote!((&*field(#n), ::paynet_core::validate::Present::present(&self.#ident)))
            });
            let rule = if *exactly { quote!(exactly_one) } else { quote!(at_least_one) };
            steps.push(quote!(::paynet_core::validate::#rule(&[#(#pairs),*])?;));
            let named: Vec<&String> = names.iter().map(|n| &n.0).collect();
            deferred.retain(|&d| {
                let now = named.contains(&&fields[d].name);
                if now {
                    steps.extend(fields[d].nested.clone());
                }
                !now
            });
        }
    }
    let mut out = quote! {
        impl ::paynet_core::spec::CheckDeclared for #name {
            fn check_declared_at(&self, prefix: &str) -> ::std::result::Result<(), ::paynet_core::Error> {
                let field = |name: &'static str| ::paynet_core::validate::field_name(prefix, name);
                #(#steps)*
                let _ = field;
                ::std::result::Result::Ok(())
            }
        }
    };
    if !sattrs.wire_by_hand {
        let puts = fields.iter().map(|f| &f.put);
        out.extend(quote! {
            impl ::paynet_core::spec::WireDeclared for #name {
                fn to_wire_declared(&self, options: &::paynet_core::WireOptions) -> ::serde_json::Map<::std::string::String, ::serde_json::Value> {
                    let _ = options;
                    let mut body = ::serde_json::Map::new();
                    #(#puts)*
                    body
                }
            }
        });
    }
    out
}

/// Whether a type names `wanted` anywhere (`Option<SecretText>`, `crate::secret::SecretText`).
fn type_mentions(ty: &Type, wanted: &str) -> bool {
    quote!(#ty).to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == wanted)
}
