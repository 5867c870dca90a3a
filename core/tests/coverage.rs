//! The reference's endpoints (core/tests/fixtures/reference_paths.txt, copied
//! from paynet-api.md §3) against core's registry: it prints what is left,
//! and fails if the registry sends to a path the reference does not list, or
//! if what is left grows beyond the out-of-scope set plus the endpoints known
//! to be missing (a list that must shrink as they land: an entry that is no
//! longer missing fails too).

use std::collections::BTreeSet;

use paynet_core::endpoints::PATHS;

/// Out of scope for a merchant SDK: the legacy paynetj mobile tokenisation
/// and PayPOS softpos with its mobile session.
const OUT_OF_SCOPE_PREFIXES: &[&str] = &["v1/paynetj/", "v1/softpos/"];
const OUT_OF_SCOPE: &[&str] = &["v1/agent/get_auth_key", "v1/agent/logout"];

/// Not implemented yet: none. (A path the reference adds lands here until
/// its endpoint does.)
const KNOWN_MISSING: &[&str] = &[];

/// The reference's spelling → the path core declares (the other spelling is
/// a client option: ARCHITECTURE.md, decisions).
const SPELLINGS: &[(&str, &str)] = &[
    ("v1/subcription/amount_update", "v1/subscription/amount_update"),
    ("v1/subscription/manuel_charge", "v1/subscription/manual_charge"),
];

/// Paths §3 names by title only, found on the service's own docs page.
const FOUND_ON_THEIR_PAGES: &[&str] = &[
    // "Fatura Tutar Güncelleme": doc.paynet.com.tr/servisler/abonelik/fatura-tutar-guncelleme
    "v1/subscription/invoice_amount_update",
];

fn reference() -> BTreeSet<&'static str> {
    include_str!("fixtures/reference_paths.txt")
        .lines()
        .chain(FOUND_ON_THEIR_PAGES.iter().copied())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|p| SPELLINGS.iter().find(|(spelt, _)| *spelt == p).map_or(p, |(_, declared)| *declared))
        .collect()
}

fn out_of_scope(path: &str) -> bool {
    OUT_OF_SCOPE.contains(&path) || OUT_OF_SCOPE_PREFIXES.iter().any(|p| path.starts_with(p))
}

#[test]
fn the_registry_covers_the_reference_but_what_is_declared_left() {
    let reference = reference();
    let registry: BTreeSet<&str> = PATHS.iter().copied().filter(|p| !p.is_empty()).collect();
    let unknown: Vec<_> = registry.difference(&reference).collect();
    assert!(unknown.is_empty(), "the registry sends to paths the reference does not list: {unknown:?}");
    let left: Vec<&str> = reference.difference(&registry).copied().filter(|p| !out_of_scope(p)).collect();
    println!("left to implement ({}): {left:#?}", left.len());
    let unexpected: Vec<_> = left.iter().filter(|p| !KNOWN_MISSING.contains(p)).collect();
    assert!(unexpected.is_empty(), "missing and not declared missing: {unexpected:?}");
    let landed: Vec<_> = KNOWN_MISSING.iter().filter(|p| registry.contains(*p)).collect();
    assert!(landed.is_empty(), "implemented now: remove from KNOWN_MISSING: {landed:?}");
    let stray: Vec<_> = KNOWN_MISSING.iter().filter(|p| !reference.contains(*p)).collect();
    assert!(stray.is_empty(), "KNOWN_MISSING names paths the reference does not list: {stray:?}");
}
