//! The type section, in wasm-ld's order.

use wasmparser::RelocationType;

use super::{ImportRef, Layout, OutFunc, TypeIdx, map_type};
use crate::gc::Live;
use crate::model::*;
use crate::resolve::Resolved;

/// Type indices named by relocations in live code, in the order they are met.
pub(super) fn reloc_types(
    res: &Resolved<'_>,
    live: &Live,
    l: &mut Layout<'_>,
) -> Vec<(ObjectId, u32)> {
    let mut reloc_types: Vec<(ObjectId, u32)> = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for (f, func) in obj.functions.iter().enumerate() {
            if !live.functions[o][f] {
                continue;
            }
            for r in &obj.relocs[func.relocs.clone()] {
                if r.ty == RelocationType::TypeIndexLeb {
                    map_type(l, res, ObjectId(o as u32), r.index);
                    reloc_types.push((ObjectId(o as u32), r.index));
                }
            }
        }
    }
    reloc_types
}

/// Renumbers the output types in wasm-ld's order: types named by `R_WASM_TYPE_INDEX_LEB` in
/// the order live code names them, then those of imported functions, defined functions,
/// imported tags and defined tags.
pub(super) fn order_types(res: &Resolved<'_>, l: &mut Layout<'_>, reloc_types: &[(ObjectId, u32)]) {
    let old = std::mem::take(&mut l.types);
    l.type_ids.clear();
    // As wasm-ld: types named by relocations (in the order live code names them, which is
    // what wasm-ld 22's output shows); then imported function and tag signatures in import
    // order; then defined functions; then tags.
    for &(o, t) in reloc_types {
        l.intern(&res.objects[o.idx()].types[t as usize]);
    }
    let imported = l.imports.iter().filter_map(|i| match *i {
        ImportRef::Function(f) => Some(l.func_import_types[f as usize]),
        ImportRef::Tag(t) => Some(l.tag_imports[t as usize].1),
        ImportRef::Global(_) | ImportRef::Table(_) => None,
    });
    let used: Vec<TypeIdx> = imported
        .chain(l.func_types.iter().copied())
        .chain(l.tags.iter().map(|&(_, _, t)| t))
        .collect();
    for t in used {
        l.intern(&old[t.idx()]);
    }
    // Anything else that was mapped keeps a place at the end (not expected to happen).
    let remap: Vec<TypeIdx> = old.iter().map(|t| l.intern(t)).collect();
    let fix = |t: &mut TypeIdx| *t = remap[t.idx()];
    l.func_import_types.iter_mut().for_each(fix);
    l.func_types.iter_mut().for_each(fix);
    l.tag_imports.iter_mut().for_each(|(_, t)| fix(t));
    l.tags.iter_mut().for_each(|(_, _, t)| fix(t));
    for f in &mut l.functions {
        if let OutFunc::Trap { ty, .. } | OutFunc::CommandExport { ty, .. } = f {
            fix(ty);
        }
    }
    for per_obj in &mut l.obj_types {
        for t in per_obj.iter_mut().flatten() {
            fix(t);
        }
    }
}
