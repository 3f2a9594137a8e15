//! The import section: live undefined symbols that may be imported, in symbol-table order.

use rustc_hash::FxHashMap;

use super::{FuncIdx, GlobalIdx, ImportRef, Layout, OutImport, TagIdx, TypeIdx, map_type};
use crate::config::Config;
use crate::gc::{Live, importable};
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic};

/// Fills the import lists of `l`.
pub(super) fn imports<'a>(config: &Config, res: &Resolved<'a>, live: &Live, l: &mut Layout<'a>) {
    let map_type = |l: &mut Layout<'a>, obj: ObjectId, t: u32| map_type(l, res, obj, t);
    let mut seen_imports: FxHashMap<(&str, &str, TypeIdx), u32> = FxHashMap::default();
    // In a position-independent module a function is imported only when something calls it:
    // its address comes from a `GOT.func` import.
    let called = if config.pic() {
        called_functions(res, live)
    } else {
        Default::default()
    };
    for (i, sym) in res.symbols.iter().enumerate() {
        let id = SymbolId(i as u32);
        // A weak definition in a shared library may be overridden by another module: it is
        // imported too, and calls go through the import (wasm-ld's `shouldImport`).
        if config.shared
            && live.symbols[i]
            && sym.kind == SymbolKind::Function
            && sym.flags.weak()
            && !sym.flags.hidden()
            && !sym.local
            && let Def::Defined { obj, sym: si } = sym.def
            && let SymbolTarget::Function(f) = res.objects[obj.idx()].symbols[si as usize].target
        {
            let ty = res.objects[obj.idx()].func_type_index(f);
            let ty = map_type(l, obj, ty);
            let index = l.func_imports.len() as u32;
            l.preempted_calls.insert(id, FuncIdx::new(index));
            l.imports.push(ImportRef::Function(index));
            l.func_import_types.push(ty);
            l.func_imports.push(OutImport {
                module: "env",
                field: sym.name,
                symbol: id,
            });
            continue;
        }
        // So is a weak global definition, though code keeps using the definition (wasm-ld
        // numbers the symbol's references by its definition).
        if config.shared
            && live.symbols[i]
            && sym.kind == SymbolKind::Global
            && sym.flags.weak()
            && !sym.flags.hidden()
            && !sym.local
            && let Def::Defined { obj, sym: si } = sym.def
            && let SymbolTarget::Global(g) = res.objects[obj.idx()].symbols[si as usize].target
        {
            let o = &res.objects[obj.idx()];
            let Some(ty) = (g as usize)
                .checked_sub(o.global_imports.len())
                .and_then(|d| o.globals.get(d))
                .map(|d| d.ty)
            else {
                continue;
            };
            l.imports
                .push(ImportRef::Global(l.global_imports.len() as u32));
            l.global_imports.push((
                OutImport {
                    module: "env",
                    field: sym.name,
                    symbol: id,
                },
                ty,
            ));
            continue;
        }
        if live.symbols[i] && sym.def == Def::Synthetic(Synthetic::EnvImport) {
            // A shared library's stack pointer and bases, imported under their names.
            let mutable = sym.name == "__stack_pointer";
            l.sym_global[i] = Some(GlobalIdx::new(l.global_imports.len() as u32));
            l.imports
                .push(ImportRef::Global(l.global_imports.len() as u32));
            let index = GlobalIdx::new(l.global_imports.len() as u32);
            match (sym.name, l.bases) {
                ("__memory_base", _) => l.bases = Some((index, index)),
                ("__table_base", Some((m, _))) => l.bases = Some((m, index)),
                _ => {}
            }
            l.global_imports.push((
                OutImport {
                    module: "env",
                    field: sym.name,
                    symbol: id,
                },
                address_global(l, mutable),
            ));
            continue;
        }
        if !live.symbols[i] || sym.local || sym.is_defined() {
            continue;
        }
        let Def::Undefined { obj, sym: si } = sym.def else {
            // Lazy or command-line only: a weak reference to an archive member never loaded.
            continue;
        };
        let o = &res.objects[obj.idx()];
        // A weak undefined symbol is never imported by a static link (wasm-ld): it resolves to
        // null, and direct calls to a trap.
        // A position-independent module imports them too: another module may define them;
        // and it imports every function it calls and does not define (wasm-ld's
        // `shouldImport`: strong ones without a definition are errors, reported by gc).
        let pic_function = config.pic() && sym.kind == SymbolKind::Function;
        let importable = (config.relocatable || config.pic() || !sym.weak_refs_only)
            && (pic_function || importable(config, sym));
        match (sym.kind, o.symbols[si as usize].target) {
            // (A function a shared library input defines is imported once anything uses it.)
            (SymbolKind::Function, SymbolTarget::Function(_))
                if config.pic() && !called.contains(&id) && !sym.in_shared_library => {}
            (SymbolKind::Function, SymbolTarget::Function(f)) if importable => {
                let imp = &o.func_imports[f as usize];
                let field = if sym.flags.has(SymFlags::EXPLICIT_NAME) {
                    imp.import.field
                } else {
                    sym.name
                };
                // The signature is the first reference's, which may not be the one that
                // names the import (resolve.rs).
                let ty = match sym.signature_from.map(|(so, ss)| {
                    let from = &res.objects[so.idx()];
                    (so, from.symbols[ss as usize].target, from)
                }) {
                    Some((so, SymbolTarget::Function(sf), from)) => {
                        map_type(l, so, from.func_type_index(sf))
                    }
                    _ => map_type(l, obj, imp.ty),
                };
                // Symbols naming the same import share it (wasm-ld deduplicates imports).
                let key = (imp.import.module, field, ty);
                let next = l.func_imports.len() as u32;
                let index = *seen_imports.entry(key).or_insert(next);
                l.sym_func[i] = Some(FuncIdx::new(index));
                if index == next {
                    l.imports.push(ImportRef::Function(index));
                    l.func_import_types.push(ty);
                    l.func_imports.push(OutImport {
                        module: imp.import.module,
                        field,
                        symbol: id,
                    });
                }
            }
            (SymbolKind::Global, SymbolTarget::Global(g)) if importable => {
                let imp = &o.global_imports[g as usize];
                l.sym_global[i] = Some(GlobalIdx::new(l.global_imports.len() as u32));
                l.imports
                    .push(ImportRef::Global(l.global_imports.len() as u32));
                l.global_imports.push((
                    OutImport {
                        module: imp.import.module,
                        field: imp.import.field,
                        symbol: id,
                    },
                    imp.ty,
                ));
            }
            (SymbolKind::Tag, SymbolTarget::Tag(t)) if importable => {
                let imp = &o.tag_imports[t as usize];
                l.sym_tag[i] = Some(TagIdx::new(l.tag_imports.len() as u32));
                l.imports.push(ImportRef::Tag(l.tag_imports.len() as u32));
                let ty = map_type(l, obj, imp.ty);
                l.tag_imports.push((
                    OutImport {
                        module: imp.import.module,
                        field: imp.import.field,
                        symbol: id,
                    },
                    ty,
                ));
            }
            (SymbolKind::Table, SymbolTarget::Table(t))
                if importable && sym.name != "__indirect_function_table" =>
            {
                let imp = &o.table_imports[t as usize];
                l.imports
                    .push(ImportRef::Table(l.table_imports.len() as u32));
                l.table_imports.push((
                    OutImport {
                        module: imp.import.module,
                        field: imp.import.field,
                        symbol: id,
                    },
                    imp.ty,
                ));
            }
            _ => {}
        }
    }
    if config.dynamic_imports() {
        got_imports(config, res, live, l);
    }
}

/// The symbols that code calls directly: any function of a loaded object, live or not, as
/// wasm-ld marks symbols "called directly" when it reads an object; and the weak functions it
/// demotes from lazy at the end, which it marks so too.
fn called_functions(res: &Resolved<'_>, _live: &Live) -> rustc_hash::FxHashSet<SymbolId> {
    use wasmparser::RelocationType as R;
    let demoted = res
        .symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.demoted_lazy && s.kind == SymbolKind::Function)
        .map(|(i, _)| SymbolId(i as u32));
    res.objects
        .iter()
        .enumerate()
        .flat_map(|(o, obj)| {
            obj.functions.iter().flat_map(move |f| {
                obj.relocs[f.relocs.clone()]
                    .iter()
                    .filter(|r| matches!(r.ty, R::FunctionIndexLeb | R::FunctionIndexI32))
                    .map(move |r| res.sym(ObjectId(o as u32), r.index))
            })
        })
        .chain(demoted)
        .collect()
}

/// Whether a position-independent module reaches `sym` through a `GOT.mem`/`GOT.func`
/// import: anything another module may define or preempt, i.e. every symbol but hidden and
/// local ones, and but the definitions of a PIE or of a library linked `-Bsymbolic`, which
/// bind here (wasm-ld's `requiresGOTAccess`).
pub(crate) fn through_got(config: &Config, sym: &crate::resolve::Symbol<'_>) -> bool {
    let binds_definitions = config.bsymbolic || !config.shared;
    // Outside PIC a missing weak function is a trap stub of the module's own (wasm-ld
    // replaces it before relocations are scanned).
    let stub = !config.pic() && sym.kind == SymbolKind::Function && sym.is_undefined_weak();
    let bound_here =
        sym.local || sym.flags.hidden() || stub || (binds_definitions && sym.is_defined());
    config.dynamic_imports()
        && !bound_here
        && matches!(sym.kind, SymbolKind::Data | SymbolKind::Function)
}

/// The GOT imports of a shared library, in relocation scan order (wasm-ld): for `global.get`
/// of a data or function symbol, and for an address stored in data, whose value
/// `__wasm_apply_data_relocs` takes from the GOT.
fn got_imports<'a>(config: &Config, res: &Resolved<'a>, live: &Live, l: &mut Layout<'a>) {
    use wasmparser::RelocationType as R;
    for (o, _, r) in super::scan_relocs(res, live) {
        let wants_got = matches!(
            r.ty,
            R::GlobalIndexLeb
                | R::GlobalIndexI32
                | R::MemoryAddrI32
                | R::MemoryAddrI64
                | R::TableIndexI32
                | R::TableIndexI64
        );
        if !wants_got {
            continue;
        }
        let id = res.sym(o, r.index);
        let sym = &res.symbols[id.idx()];
        // (A signature variant that lost has a GOT entry of its own, tables.rs.)
        if l.got.contains_key(&id)
            || !through_got(config, sym)
            || res.mismatched[o.idx()].contains_key(&r.index)
        {
            continue;
        }
        let module = if sym.kind == SymbolKind::Function {
            "GOT.func"
        } else {
            "GOT.mem"
        };
        let index = GlobalIdx::new(l.global_imports.len() as u32);
        l.got.insert(id, index);
        l.imports
            .push(ImportRef::Global(l.global_imports.len() as u32));
        l.global_imports.push((
            OutImport {
                module,
                field: sym.name,
                symbol: id,
            },
            address_global(l, true),
        ));
    }
}

/// The type of a global holding an address (i32, or i64 in wasm64).
fn address_global(l: &Layout<'_>, mutable: bool) -> wasmparser::GlobalType {
    let content_type = if l.wasm64 {
        wasmparser::ValType::I64
    } else {
        wasmparser::ValType::I32
    };
    wasmparser::GlobalType {
        content_type,
        mutable,
        shared: false,
    }
}
