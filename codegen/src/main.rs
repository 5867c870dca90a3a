//! `make gen`: writes what is generated from paynet-core's spec
//! (`paynet_core::spec::spec()`), in declaration order, so running it twice
//! changes nothing:
//!
//! - `spec/paynet.json`: the whole surface as data;
//! - `docs/API.md`: every method, its parameters, the models, error kinds
//!   and client options;
//! - the Python surface (`python.rs`: resources, models).
//! - the Node surface (`typescript.rs`: `lib/api.d.ts`, `lib/names.js`).
//!
//! It refuses (exit 1, naming each) parameter names no binding can offer:
//! Python keywords, the per-call options (`timeout`, `max_retries`,
//! `timeoutMs`, `maxRetries`), and two names with one camelCase spelling;
//! and error kinds whose exception class it cannot write: no class name (or
//! one two kinds share), a parent that is not a kind declared before, an
//! always-set field no binding types.
//!
//! `paynet-codegen [--out DIR]`: DIR is the repository root by default.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod python;
mod typescript;

use paynet_core::spec::{
    ClientOptionSpec, DecimalKind, EnumSpec, FieldSpec, MethodSpec, MoneyWireSpec, Role, Rule, Spec, StructRule, StructSpec, TypeSpec,
};

/// Python's keywords: not usable as keyword arguments.
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
    "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
    "while", "with", "yield",
];

/// Names every method already takes: per-call options, and Python's `self`.
const RESERVED: &[&str] = &["timeout", "max_retries", "timeoutMs", "maxRetries", "self"];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--out", Some(dir)) => root = PathBuf::from(dir),
            _ => {
                eprintln!("usage: paynet-codegen [--out DIR]");
                return ExitCode::from(2);
            }
        }
    }
    let spec = paynet_core::spec::spec();
    let problems = check_names(&spec);
    if !problems.is_empty() {
        eprintln!("paynet-codegen: the spec has names no binding can offer; nothing was written:");
        for p in &problems {
            eprintln!("  - {p}");
        }
        return ExitCode::FAILURE;
    }
    let mut outputs = vec![("spec/paynet.json", spec_json(&spec)), ("docs/API.md", api_md(&spec))];
    outputs.extend(python::outputs(&spec));
    outputs.extend(typescript::outputs(&spec));
    for (path, text) in outputs {
        if let Err(e) = write_if_changed(&root.join(path), &text) {
            eprintln!("paynet-codegen: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// Every parameter name and method name that would clash in Python or Node.
fn check_names(spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    for m in &spec.methods {
        for name in [m.resource, m.method] {
            if PYTHON_KEYWORDS.contains(&name) {
                problems.push(format!("method {}: `{name}` is a Python keyword", m.name));
            }
        }
    }
    let mut classes: Vec<&str> = Vec::new();
    for (i, k) in spec.error_kinds.iter().enumerate() {
        let identifier = k.class.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && k.class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !identifier {
            problems.push(format!("error kind {}: no class name (`{}`)", k.name, k.class));
        } else if classes.contains(&k.class) {
            problems.push(format!("error kind {}: the class name `{}` is another kind's", k.name, k.class));
        }
        classes.push(k.class);
        if let Some(p) = k.parent
            && !spec.error_kinds[..i].iter().any(|x| x.name == p)
        {
            problems.push(format!("error kind {}: its parent `{p}` is not a kind declared before it", k.name));
        }
        for f in k.always_set {
            if !python::PY_ERROR_FIELD_TYPES.iter().any(|(name, _, _)| name == f) || !typescript::TS_ERROR_FIELD_TYPES.iter().any(|(name, _, _)| name == f) {
                problems.push(format!("error kind {}: `{f}` is always set, but no binding types it", k.name));
            }
        }
    }
    for s in spec.structs.iter().filter(|s| s.role == Role::Params) {
        let mut camels: Vec<(&str, &str)> = Vec::new();
        for f in &s.fields {
            if PYTHON_KEYWORDS.contains(&f.name) {
                problems.push(format!("{}.{}: `{}` is a Python keyword", s.name, f.name, f.name));
            }
            if let Some(name) = [f.name, f.node_name.as_str()].into_iter().find(|n| RESERVED.contains(n)) {
                problems.push(format!("{}.{}: `{name}` clashes with a per-call option of every method", s.name, f.name));
            }
            if let Some((other, _)) = camels.iter().find(|(_, c)| *c == f.node_name) {
                problems.push(format!("{}: `{other}` and `{}` are both `{}` in Node", s.name, f.name, f.node_name));
            }
            camels.push((f.name, &f.node_name));
        }
    }
    problems
}

fn spec_json(spec: &Spec) -> String {
    let mut text = serde_json::to_string_pretty(spec).expect("the spec serializes");
    text.push('\n');
    text
}

/// One table cell: one line, no unescaped `|`.
fn cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// A doc's first paragraph, as one line.
fn summary(doc: &str) -> String {
    cell(doc.split("\n\n").next().unwrap_or(""))
}

/// GitHub's anchor for a heading.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '_' | '-' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn type_text(ty: &TypeSpec) -> String {
    match ty {
        TypeSpec::String { secret: false } => "string".into(),
        TypeSpec::String { secret: true } => "string (secret)".into(),
        TypeSpec::Bool => "bool".into(),
        TypeSpec::Integer { format, or_text: false } => format!("integer ({format})"),
        TypeSpec::Integer { format, or_text: true } => format!("integer ({format}), or numeric text"),
        TypeSpec::Money => "money (TL)".into(),
        TypeSpec::Decimal { kind: DecimalKind::Money } => "decimal (money, TL)".into(),
        TypeSpec::Decimal { kind: DecimalKind::Ratio } => "decimal (ratio)".into(),
        TypeSpec::DateTime => "datetime".into(),
        TypeSpec::Date => "date".into(),
        TypeSpec::File => "a file: bytes (Python `bytes`, Node `Buffer`) or its path (Python `pathlib.Path`, Node a `file:` URL)".into(),
        TypeSpec::Optional { of } => format!("{} or null", type_text(of)),
        TypeSpec::List { of } => format!("list of {}", type_text(of)),
        TypeSpec::Enum { name } | TypeSpec::Struct { name } => format!("[{name}](#{})", anchor(name)),
    }
}

/// A parameter's type: `Optional` is said by the Required column.
fn param_type_text(f: &FieldSpec) -> String {
    match &f.ty {
        TypeSpec::Optional { of } => type_text(of),
        other => type_text(other),
    }
}

fn money_text(units: &[MoneyWireSpec]) -> String {
    if units.is_empty() {
        return "—".into();
    }
    units
        .iter()
        .map(|u| match u.option {
            Some(option) => format!("{} (client option `{option}`)", u.unit.as_str()),
            None => u.unit.as_str().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rule_text(rule: &Rule) -> String {
    match rule {
        Rule::MaxLen { max } => format!("at most {max} characters"),
        Rule::NotBlank => "not blank".into(),
        Rule::Positive => "greater than 0".into(),
        Rule::OneOf { values } => format!("one of {}", values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

fn struct_rule_text(rule: &StructRule) -> String {
    let names = |fields: &[&str]| fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    match rule {
        StructRule::ExactlyOne { fields } => format!("Exactly one of {}.", names(fields)),
        StructRule::AtLeastOne { fields } => format!("At least one of {}.", names(fields)),
    }
}

fn python_call(m: &MethodSpec) -> String {
    format!("client.{}.{}", m.resource, m.method)
}

fn node_call(m: &MethodSpec) -> String {
    format!("client.{}.{}", m.node_resource, m.node_method)
}

fn params_table(out: &mut String, s: &StructSpec) {
    if !s.doc.is_empty() {
        let _ = writeln!(out, "{}\n", cell(s.doc));
    }
    for rule in &s.rules {
        let _ = writeln!(out, "{}\n", struct_rule_text(rule));
    }
    if s.fields.is_empty() {
        out.push_str("No parameters.\n\n");
        return;
    }
    out.push_str("| Python | Node | Type | Required | Paynet name | Rules | Doc |\n|---|---|---|---|---|---|---|\n");
    for f in &s.fields {
        let required = match (&f.required, &f.default) {
            (true, _) => "yes".to_owned(),
            (false, Some(d)) => format!("no (default `{d}`)"),
            (false, None) => "no".to_owned(),
        };
        let wire = match (f.wire, f.wire_flatten) {
            (Some(w), _) => format!("`{w}`"),
            (None, true) => "its fields, at the top level".to_owned(),
            (None, false) => "—".to_owned(),
        };
        let mut rules: Vec<String> = f.rules.iter().map(rule_text).collect();
        if let Some(m) = f.money_wire {
            rules.push(format!("sent as {}", money_text(&[m])));
        }
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} | {} | {} |",
            f.name,
            f.node_name,
            param_type_text(f),
            required,
            wire,
            cell(&rules.join("; ")),
            cell(f.doc)
        );
    }
    out.push('\n');
}

fn model_table(out: &mut String, s: &StructSpec) {
    if !s.doc.is_empty() {
        let _ = writeln!(out, "{}\n", cell(s.doc));
    }
    out.push_str("| Python | Node | Type | Doc |\n|---|---|---|---|\n");
    for f in &s.fields {
        let _ = writeln!(out, "| `{}` | `{}` | {} | {} |", f.name, f.node_name, type_text(&f.ty), cell(f.doc));
    }
    out.push('\n');
}

fn enum_table(out: &mut String, e: &EnumSpec) {
    let _ = writeln!(out, "### {}\n\n{}\n", e.name, cell(e.doc));
    out.push_str("| Value | Accepted as a parameter | Doc |\n|---|---|---|\n");
    for v in &e.values {
        let _ = writeln!(out, "| `{}` | {} | {} |", v.value, if v.request { "yes" } else { "no" }, cell(v.doc));
    }
    if let Some(unknown) = e.unknown {
        let _ = writeln!(out, "| any other | no | {} |", cell(unknown));
    }
    out.push('\n');
}

fn option_default(o: &ClientOptionSpec) -> String {
    let text = |b: &Option<paynet_core::spec::OptionBinding>| b.as_ref().and_then(|b| b.default.as_ref()).map(|d| format!("`{d}`"));
    if o.required {
        return "required".into();
    }
    match (text(&o.python), text(&o.node)) {
        (Some(p), Some(n)) if p == n => p,
        (Some(p), Some(n)) => format!("{p} / {n}"),
        (Some(d), None) | (None, Some(d)) => d,
        (None, None) => "—".into(),
    }
}

fn api_md(spec: &Spec) -> String {
    let mut out = String::new();
    out.push_str(
        "# API reference\n\n\
         Generated by `make gen` (crate `codegen/`) from paynet-core's spec, which is also written to\n\
         [`spec/paynet.json`](../spec/paynet.json). Do not edit: change the declarations in `core/`\n\
         and run `make gen` (CI fails when this file is stale).\n\n\
         Python calls take keyword arguments (`client.payments.create(amount=..., reference_no=...)`),\n\
         Node calls one object (`client.payments.create({ amount, referenceNo })`); both accept the\n\
         per-call options `timeout` / `max_retries` (Node: `timeoutMs` / `maxRetries`, in a second argument).\n\n\
         ## Methods\n\n\
         | Python | Node | Paynet path | Money on the wire | Retry policy | Doc |\n\
         |---|---|---|---|---|---|\n",
    );
    for m in &spec.methods {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | `{}` | {} | {} | [`{}`](#retry-policies) | {} |",
            python_call(m),
            anchor(m.name),
            node_call(m),
            if m.local { "— (local)".to_owned() } else { format!("`{}`", m.path) },
            money_text(&m.money_wire),
            m.retry.as_str(),
            summary(m.doc)
        );
        if let Some(p) = &m.pages {
            let _ = writeln!(
                out,
                "| [`client.{}.{}`](#{}) | `client.{}.{}` | (each page of `{}`) | | [`{}`](#retry-policies) | {} Iterates: `for` / `async for`, Node `for await`. |",
                m.resource,
                p.iterator,
                anchor(m.name),
                m.node_resource,
                p.node_iterator,
                m.method,
                m.retry.as_str(),
                p.doc
            );
        }
    }
    out.push('\n');
    for m in &spec.methods {
        let _ = writeln!(out, "### {}\n", m.name);
        let mut sent = if m.local { "answered locally, nothing is sent".to_owned() } else { format!("`POST {}` · retry policy `{}`", m.path, m.retry.as_str()) };
        if m.key == paynet_core::ApiKey::Publishable {
            sent.push_str(" · made with the publishable key (client option `publishable_key`)");
        }
        if let Some(field) = m.bare_body {
            let _ = write!(sent, " · the body is `{field}`'s value alone (a bare JSON string)");
        }
        let _ = writeln!(out, "`{}(...)` · `{}({{...}})` · {sent}\n", python_call(m), node_call(m));
        for paragraph in m.doc.split("\n\n") {
            let _ = writeln!(out, "{}\n", cell(paragraph));
        }
        let _ = writeln!(out, "Returns {}.\n", type_text(&m.result));
        if m.rows.is_some() {
            let _ = writeln!(
                out,
                "Its rows are a table: `to_arrow()`, `to_polars()`, `to_pandas()` and `__arrow_c_stream__` on the result (Python), `toArrow()` on the result or `{}Arrow({{...}})` straight to an apache-arrow `Table` (Node).\n",
                node_call(m)
            );
        }
        if let Some(p) = &m.pages {
            let _ = writeln!(
                out,
                "Every page: `client.{}.{}(...)` (Python: an iterator, `async for` on `AsyncClient`) · `client.{}.{}({{...}})` (Node: `for await`), yielding the items of `{}`, each page fetched when the loop reaches it.\n",
                m.resource, p.iterator, m.node_resource, p.node_iterator, p.items
            );
        }
        if let Some(s) = spec.structs.iter().find(|s| s.name == m.params) {
            let _ = writeln!(out, "Parameters (`{}`):\n", s.name);
            params_table(&mut out, s);
        }
    }
    out.push_str("## Parameter structs used inside parameters\n\n");
    let top: Vec<&str> = spec.methods.iter().map(|m| m.params).collect();
    for s in spec.structs.iter().filter(|s| s.role == Role::Params && !top.contains(&s.name)) {
        let _ = writeln!(out, "### {}\n", s.name);
        params_table(&mut out, s);
    }
    out.push_str("## Models\n\n");
    for s in spec.structs.iter().filter(|s| s.role == Role::Model) {
        let _ = writeln!(out, "### {}\n", s.name);
        model_table(&mut out, s);
    }
    out.push_str("## Enums\n\n");
    for e in &spec.enums {
        enum_table(&mut out, e);
    }
    out.push_str(
        "## Error kinds\n\nEvery error carries one of these as `kind`, and is of the kind's class (Python and Node),\n\
         a subclass of `PaynetError` or of the class named under Extends.\n\n| Kind | Class | Extends | Doc |\n|---|---|---|---|\n",
    );
    for k in &spec.error_kinds {
        let parent = k.parent.and_then(|p| spec.error_kinds.iter().find(|x| x.name == p)).map_or("`PaynetError`".to_owned(), |p| format!("`{}`", p.class));
        let _ = writeln!(out, "| `{}` | `{}` | {parent} | {} |", k.name, k.class, cell(k.doc));
    }
    out.push_str("\n## Retry policies\n\n| Policy | Doc |\n|---|---|\n");
    for p in &spec.retry_policies {
        let _ = writeln!(out, "| `{}` | {} |", p.name, cell(p.doc));
    }
    out.push_str("\n## Money wire units\n\nUsers always pass and get TL amounts; this is how a parameter travels to Paynet.\n\n| Unit | Doc |\n|---|---|\n");
    for u in &spec.money_wire_units {
        let _ = writeln!(out, "| `{}` | {} |", u.name, cell(u.doc));
    }
    out.push_str("\n## Client options\n\n| Python | Node | Type (Python / Node) | Default | Per call | Doc |\n|---|---|---|---|---|---|\n");
    for o in &spec.client_options {
        let name = |b: &Option<paynet_core::spec::OptionBinding>| b.as_ref().map_or("—".to_owned(), |b| format!("`{}`", b.name));
        let ty = |b: &Option<paynet_core::spec::OptionBinding>| b.as_ref().map_or("—".to_owned(), |b| cell(&b.ty));
        let _ = writeln!(
            out,
            "| {} | {} | {} / {} | {} | {} | {} |",
            name(&o.python),
            name(&o.node),
            ty(&o.python),
            ty(&o.node),
            option_default(o),
            if o.per_call { "yes" } else { "no" },
            cell(o.doc)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_spec_has_no_clashing_names() {
        assert_eq!(check_names(&paynet_core::spec::spec()), Vec::<String>::new());
    }

    #[test]
    fn keywords_per_call_options_and_camel_twins_are_refused() {
        let mut spec = paynet_core::spec::spec();
        let params = spec.methods[0].params;
        let s = spec.structs.iter_mut().find(|s| s.name == params).unwrap();
        let mut field = |name: &'static str| {
            let mut f = s.fields[0].clone();
            f.name = name;
            f.node_name = paynet_core::spec::camel(name);
            s.fields.push(f);
        };
        field("from");
        field("timeout");
        field("max_retries");
        field("timeout_ms");
        field("card_3d");
        field("card3d");
        let problems = check_names(&spec);
        let said = |needle: &str| problems.iter().any(|p| p.contains(needle));
        assert!(said("`from` is a Python keyword"), "{problems:?}");
        assert!(said("`timeout` clashes"), "{problems:?}");
        assert!(said("`max_retries` clashes"), "{problems:?}");
        assert!(said("`timeoutMs` clashes"), "{problems:?}");
        assert!(said("`card_3d` and `card3d` are both `card3d` in Node"), "{problems:?}");
        assert_eq!(problems.len(), 5, "{problems:?}");
    }

    #[test]
    fn error_kinds_without_a_class_name_or_with_a_later_parent_are_refused() {
        let mut spec = paynet_core::spec::spec();
        let at = |spec: &paynet_core::spec::Spec, name: &str| spec.error_kinds.iter().position(|k| k.name == name).unwrap();
        let (auth, invalid, declined, api, connection) =
            (at(&spec, "authentication"), at(&spec, "invalid_request"), at(&spec, "card_declined"), at(&spec, "api"), at(&spec, "connection"));
        spec.error_kinds[auth].class = "";
        spec.error_kinds[invalid].class = spec.error_kinds[declined].class;
        spec.error_kinds[api].parent = Some("internal");
        spec.error_kinds[connection].always_set = &["bank_message"];
        let problems = check_names(&spec);
        let said = |needle: &str| problems.iter().any(|p| p.contains(needle));
        assert!(said("error kind authentication: no class name"), "{problems:?}");
        assert!(said("the class name `CardDeclinedError` is another kind's"), "{problems:?}");
        assert!(said("error kind api: its parent `internal` is not a kind declared before it"), "{problems:?}");
        assert!(said("`bank_message` is always set, but no binding types it"), "{problems:?}");
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn output_is_stable_and_lists_every_method() {
        let spec = paynet_core::spec::spec();
        assert_eq!(spec_json(&spec), spec_json(&paynet_core::spec::spec()));
        let md = api_md(&spec);
        assert_eq!(md, api_md(&paynet_core::spec::spec()));
        for m in &spec.methods {
            assert!(md.contains(&format!("| [`{}`](#{})", python_call(m), anchor(m.name))), "{}", m.name);
            assert!(md.contains(&format!("### {}\n", m.name)), "{}", m.name);
        }
        assert!(md.contains("`v1/transaction/charge` | kurus_string | [`only_if_not_sent`]"), "{md}");
    }

    #[test]
    fn cells_stay_on_one_line() {
        assert_eq!(cell("a |b\n  c"), "a \\|b c");
        assert_eq!(summary("First line\ncontinued.\n\nSecond paragraph."), "First line continued.");
        assert_eq!(anchor("payments.create"), "paymentscreate");
        assert_eq!(anchor("Retry policies"), "retry-policies");
    }
}
