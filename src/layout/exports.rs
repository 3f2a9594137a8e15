//! Exports (an object has none), the command-export wrappers, and the globals that hold
//! exported data symbols' addresses.

use super::{Layout, OutFunc, OutGlobal, func_type_of};
use crate::config::Config;
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic};

/// Marks exported symbols and adds the wrappers and address globals exports need.
pub(super) fn exports<'a>(
    config: &Config,
    res: &Resolved<'a>,
    features: &std::collections::BTreeSet<String>,
    l: &mut Layout<'a>,
) {
    // Exports (an object has none). wasm-ld exports the linker's mutable `__stack_pointer` and
    // `__tls_base` (`--export-all`, `--export-dynamic`) only when the `mutable-globals`
    // feature allows it, unless `--export` names it.
    let mutable_globals = features.contains("mutable-globals");
    for (i, sym) in res.symbols.iter().enumerate() {
        if config.relocatable {
            break;
        }
        let mutable_synthetic = sym.def == Def::Synthetic(Synthetic::StackPointer)
            || (sym.def == Def::Synthetic(Synthetic::TlsBase) && l.passive);
        if mutable_synthetic && !sym.forced_export && !mutable_globals {
            continue;
        }
        // (A name whose primary signature variant lost is wasm-ld's local trap stub.)
        let entry = config.entry.as_deref() == Some(sym.name) && sym.is_defined() && !sym.shadowed;
        // A shared library's definitions reached through its GOT are exported whatever
        // `--export-dynamic` says: the loader fills the GOT from exports.
        let got = sym.is_defined()
            && super::imports::through_got(config, sym)
            && l.got.contains_key(&SymbolId(i as u32));
        if entry || got || crate::gc::is_exported(config, sym) {
            l.exported[i] = true;
        }
    }
    // Command exports: each exported function gets a wrapper running ctors and dtors.
    l.call_dtors = res.call_dtors.and_then(|d| l.sym_func[d.idx()]);
    // A wrapper with nothing to call around the function would only forward it; wasm-ld makes
    // none then.
    if res.command_exports && (!l.ctors.is_empty() || l.call_dtors.is_some()) {
        for (i, sym) in res.symbols.iter().enumerate() {
            let Some(f) = l.sym_func[i] else {
                continue;
            };
            if !l.exported[i] || sym.kind != SymbolKind::Function {
                continue;
            }
            let ty = func_type_of(l, f);
            let index = l.next_func();
            l.functions.push(OutFunc::CommandExport {
                target: f,
                ty,
                name: format!("{}.command_export", sym.name),
            });
            l.func_types.push(ty);
            l.wrapper_of.insert(SymbolId(i as u32), index);
        }
    }
    // Exported data symbols are exported as globals holding their address.
    for (i, sym) in res.symbols.iter().enumerate() {
        if l.exported[i] && sym.kind == SymbolKind::Data && l.sym_addr[i].is_some() {
            l.sym_global[i] = Some(l.next_global());
            l.globals.push(OutGlobal::Address(SymbolId(i as u32)));
        }
    }
    // A shared library exports `__wasm_apply_data_relocs` for its loader, after the rest.
    if let Some(f) = l.apply_data_relocs {
        l.late_exports
            .push(("__wasm_apply_data_relocs", SymbolKind::Function, f.get()));
    }
    // wasm-ld adds the symbols of the start function and its flag to its symbol table only
    // now, after every input's; `--export-all` exports them too, after the others.
    if config.export_all && !config.relocatable {
        if let Some(addr) = l.init_memory_flag {
            let g = l.next_global();
            l.globals.push(OutGlobal::LinkerAddress(addr));
            l.late_exports
                .push(("__wasm_init_memory_flag", SymbolKind::Global, g.get()));
        }
        if let Some(f) = l.init_memory {
            l.late_exports
                .push(("__wasm_init_memory", SymbolKind::Function, f.get()));
        }
        if let Some(f) = l.apply_global_tls_relocs {
            l.late_exports.push((
                "__wasm_apply_global_tls_relocs",
                SymbolKind::Function,
                f.get(),
            ));
        }
        if let Some(f) = l.apply_tls_relocs {
            l.late_exports
                .push(("__wasm_apply_tls_relocs", SymbolKind::Function, f.get()));
        }
        if let Some(f) = l.apply_global_relocs {
            l.late_exports
                .push(("__wasm_apply_global_relocs", SymbolKind::Function, f.get()));
            if l.start != l.apply_global_relocs
                && let Some(s) = l.start
            {
                l.late_exports
                    .push(("__wasm_start", SymbolKind::Function, s.get()));
            }
        }
    }
}
