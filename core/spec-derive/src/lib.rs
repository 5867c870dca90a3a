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
//!   names), `exactly_one = ["a", "b"]`, `at_least_one = ["a", "b", ..]`.
//!
//! The rules are data only: validation is still the hand-written `validate`
//! of each endpoint.

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
    deny_unknown_fields: bool,
    rules: Vec<TokenStream2>,
    rule_fields: Vec<LitStr>,
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
                } else if meta.path.is_ident("exactly_one") || meta.path.is_ident("at_least_one") {
                    let fields = string_list(&meta)?;
                    if meta.path.is_ident("exactly_one") && fields.len() != 2 {
                        return Err(meta.error("spec: exactly_one takes two field names"));
                    }
                    if fields.is_empty() {
                        return Err(meta.error("spec: at_least_one needs field names"));
                    }
                    let variant = if meta.path.is_ident("exactly_one") { quote!(ExactlyOne) } else { quote!(AtLeastOne) };
                    out.rules.push(quote!(::paynet_core::spec::StructRule::#variant { fields: ::std::vec![#(#fields),*] }));
                    out.rule_fields.extend(fields);
                } else {
                    return Err(meta.error("spec: unknown struct attribute (params, exactly_one, at_least_one)"));
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
                } else if p.is_ident("deserialize_with") || p.is_ident("with") {
                    // Reads the same type more loosely: no change to the surface.
                    meta.value()?.parse::<LitStr>()?;
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
                } else if p.is_ident("flatten") {
                    out.flatten = true;
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
                    out.rules.push(quote!(::paynet_core::spec::Rule::MaxLen { max: #n }));
                } else if p.is_ident("not_blank") {
                    out.rules.push(quote!(::paynet_core::spec::Rule::NotBlank));
                } else if p.is_ident("positive") {
                    out.rules.push(quote!(::paynet_core::spec::Rule::Positive));
                } else if p.is_ident("one_of") {
                    let input = meta.value()?;
                    let content;
                    syn::bracketed!(content in input);
                    let values = Punctuated::<Lit, Token![,]>::parse_terminated(&content)?
                        .iter()
                        .map(literal_json)
                        .collect::<syn::Result<Vec<_>>>()?;
                    out.rules.push(quote!(::paynet_core::spec::Rule::OneOf { values: ::std::vec![#(#values),*] }));
                } else {
                    return Err(meta.error(
                        "spec: unknown field attribute (wire, flatten, money, money_option, default, max_len, not_blank, positive, one_of)",
                    ));
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
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
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let a = field_attrs(&field.attrs)?;
        let user_name = a.rename.as_ref().map_or_else(|| ident.to_string(), LitStr::value);
        names.push(user_name.clone());
        let doc = doc_of(&field.attrs);
        let span = ty.span();
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

        let mut type_spec = quote_spanned!(span=> <#ty as ::paynet_core::spec::SpecType>::type_spec());
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
        let rules = &a.rules;
        let flatten = a.flatten;
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
                doc: #doc,
            }
        });
        visits.push(quote_spanned!(span=> <#ty as ::paynet_core::spec::SpecType>::visit(registry);));
    }
    for f in &sattrs.rule_fields {
        if !names.contains(&f.value()) {
            return Err(syn::Error::new(f.span(), format!("spec: {type_name} has no field `{}`", f.value())));
        }
    }
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
    })
}
