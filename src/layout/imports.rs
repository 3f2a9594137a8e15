//! The import section: live undefined symbols that may be imported, in symbol-table order.

use rustc_hash::FxHashMap;

use super::{FuncIdx, GlobalIdx, ImportRef, Layout, OutImport, TagIdx, TypeIdx, map_type};
use crate::config::Config;
use crate::gc::{Live, importable};
use crate::model::*;
use crate::resolve::{Def, Resolved};

/// Fills the import lists of `l`.
pub(super) fn imports<'a>(config: &Config, res: &Resolved<'a>, live: &Live, l: &mut Layout<'a>) {
    let map_type = |l: &mut Layout<'a>, obj: ObjectId, t: u32| map_type(l, res, obj, t);
    let mut seen_imports: FxHashMap<(&str, &str, TypeIdx), u32> = FxHashMap::default();
    for (i, sym) in res.symbols.iter().enumerate() {
        if !live.symbols[i] || sym.local || sym.is_defined() {
            continue;
        }
        let id = SymbolId(i as u32);
        let Def::Undefined { obj, sym: si } = sym.def else {
            // Lazy or command-line only: a weak reference to an archive member never loaded.
            continue;
        };
        let o = &res.objects[obj.idx()];
        // A weak undefined symbol is never imported by a static link (wasm-ld): it resolves to
        // null, and direct calls to a trap.
        let importable = (config.relocatable || !sym.weak_refs_only) && importable(config, sym);
        match (sym.kind, o.symbols[si as usize].target) {
            (SymbolKind::Function, SymbolTarget::Function(f)) if importable => {
                let imp = &o.func_imports[f as usize];
                let field = if sym.flags.has(SymFlags::EXPLICIT_NAME) {
                    imp.import.field
                } else {
                    sym.name
                };
                let ty = map_type(l, obj, imp.ty);
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
}
