//! Target features: the output's allowed set and the compatibility checks between inputs, as
//! wasm-ld's `populateTargetFeatures` does them.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::resolve::Resolved;

/// The allowed feature set of the output (sorted), after checking every input against it.
pub fn allowed(
    config: &Config,
    res: &Resolved<'_>,
    live: &crate::gc::Live,
) -> Result<BTreeSet<String>> {
    let mut allowed: BTreeSet<String> = config.extra_features.iter().cloned().collect();
    let explicit = config.features.is_some();
    if let Some(f) = &config.features {
        allowed.extend(f.iter().cloned());
    }
    // wasm-ld allows it in every position-independent output, even one without inputs
    // (unless `--features` is given without checks).
    if config.pic() && (!explicit || config.check_features) {
        allowed.insert("mutable-globals".to_string());
    }
    // feature -> first object that uses / disallows it
    let mut used: Vec<(&str, &str)> = Vec::new();
    let mut disallowed: Vec<(&str, &str)> = Vec::new();
    for obj in &res.objects {
        for &(prefix, name) in &obj.features {
            let list = if prefix == b'+' {
                &mut used
            } else {
                &mut disallowed
            };
            if !list.iter().any(|(n, _)| *n == name) {
                list.push((name, file_name(&obj.name)));
            }
        }
    }
    if !explicit {
        allowed.extend(used.iter().map(|(n, _)| n.to_string()));
    }
    if !config.check_features {
        return Ok(allowed);
    }
    let mut errors = Vec::new();
    // Shared memory needs threads in every input and in the output (wasm-ld's words).
    if config.shared_memory {
        if let Some((_, by)) = disallowed.iter().find(|(n, _)| *n == "shared-mem") {
            errors.push(format!(
                "--shared-memory is disallowed by {by} because it was not compiled with \
                 'atomics' or 'bulk-memory' features."
            ));
        }
        for feature in ["atomics", "bulk-memory"] {
            if !allowed.contains(feature) {
                errors.push(format!(
                    "'{feature}' feature must be used in order to use shared memory"
                ));
            }
        }
    }
    if uses_tls(res, live) {
        for feature in ["atomics", "bulk-memory"] {
            if !allowed.contains(feature) {
                errors.push(format!(
                    "'{feature}' feature must be used in order to use thread-local storage"
                ));
            }
        }
    }
    if explicit {
        for (name, file) in &used {
            if !allowed.contains(*name) {
                errors.push(format!(
                    "Target feature '{name}' used by {file} is not allowed."
                ));
            }
        }
    }
    for obj in &res.objects {
        for &(prefix, name) in &obj.features {
            if prefix != b'+' {
                continue;
            }
            if let Some((_, by)) = disallowed.iter().find(|(n, _)| *n == name) {
                errors.push(format!(
                    "Target feature '{name}' used in {} is disallowed by {by}. Use \
                     --no-check-features to suppress.",
                    file_name(&obj.name)
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(allowed)
    } else {
        errors.truncate(config.error_limit.max(1));
        Err(Error {
            diagnostics: errors
                .into_iter()
                .map(|message| crate::error::Diagnostic { message })
                .collect(),
            warnings: Vec::new(),
        })
    }
}

/// The name wasm-ld gives a file in these messages: an archive member's own name, without the
/// archive's (`errno.o`, not `libc.a(errno.o)`).
fn file_name(name: &str) -> &str {
    match name.strip_suffix(')').and_then(|n| n.rsplit_once('(')) {
        Some((_, member)) => member,
        None => name,
    }
}

/// Whether any live data segment is thread-local.
fn uses_tls(res: &Resolved<'_>, live: &crate::gc::Live) -> bool {
    res.objects.iter().enumerate().any(|(o, obj)| {
        obj.segments
            .iter()
            .enumerate()
            .any(|(s, seg)| live.segments[o][s] && seg.is_tls())
    })
}

/// Without the `mutable-globals` feature, a mutable global may be neither imported nor
/// exported (wasm-ld's `checkImportExportTargetFeatures`); reported through `diags`.
pub fn check_mutable_globals(
    config: &Config,
    res: &Resolved<'_>,
    l: &crate::layout::Layout<'_>,
    allowed: &BTreeSet<String>,
    diags: &mut crate::error::Diagnostics,
) {
    use crate::layout::OutGlobal;
    use crate::model::SymbolKind;
    if config.relocatable || !config.check_features || allowed.contains("mutable-globals") {
        return;
    }
    for (imp, ty) in &l.global_imports {
        if ty.mutable {
            diags.error(format!(
                "mutable global imported but 'mutable-globals' feature not present in inputs: \
                 `{}`. Use --no-check-features to suppress.",
                res.symbols[imp.symbol.idx()].name
            ));
        }
    }
    let imported = l.global_imports.len();
    for (i, sym) in res.symbols.iter().enumerate() {
        let Some(g) = l.sym_global[i] else {
            continue;
        };
        if !l.exported[i] || sym.kind != SymbolKind::Global {
            continue;
        }
        let mutable = match g.idx().checked_sub(imported).map(|d| &l.globals[d]) {
            Some(OutGlobal::StackPointer) => true,
            Some(&OutGlobal::Object(o, d)) => res.objects[o.idx()].globals[d as usize].ty.mutable,
            Some(
                OutGlobal::Address(_)
                | OutGlobal::LinkerAddress(_)
                | OutGlobal::Got(_)
                | OutGlobal::StubGot(_)
                | OutGlobal::TlsSize
                | OutGlobal::TlsAlign,
            ) => false,
            Some(OutGlobal::TlsBase) => l.passive,
            None => l.global_imports[g.idx()].1.mutable,
        };
        if mutable {
            diags.error(format!(
                "mutable global exported but 'mutable-globals' feature not present in inputs: \
                 `{}`. Use --no-check-features to suppress.",
                sym.name
            ));
        }
    }
}
