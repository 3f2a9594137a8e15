//! Globals (`__stack_pointer` first, then the objects') and tags.

use super::{Layout, OutGlobal, TagIdx, map_type, synthetic};
use crate::gc::Live;
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic};

/// Numbers the defined globals and tags.
pub(super) fn globals<'a>(res: &Resolved<'a>, live: &Live, l: &mut Layout<'a>) {
    // Globals: `__stack_pointer` first, then objects'.
    if let Some(id) = res.lookup("__stack_pointer")
        && res.symbols[id.idx()].def == Def::Synthetic(Synthetic::StackPointer)
    {
        l.sym_global[id.idx()] = Some(l.next_global());
        l.globals.push(OutGlobal::StackPointer);
    }
    // Then the TLS globals, in wasm-ld's order of creation. `__tls_base` is live whenever
    // `__wasm_init_memory` sets it (shared memory with data).
    let tls = [
        ("__tls_base", Synthetic::TlsBase, OutGlobal::TlsBase),
        ("__tls_size", Synthetic::TlsSize, OutGlobal::TlsSize),
        ("__tls_align", Synthetic::TlsAlign, OutGlobal::TlsAlign),
    ];
    for (name, s, g) in tls {
        let Some(id) = synthetic(res, name, s) else {
            continue;
        };
        let set_by_init = s == Synthetic::TlsBase
            && l.passive
            && (l.init_memory.is_some() || l.apply_global_tls_relocs.is_some());
        if live.symbols[id.idx()] || set_by_init {
            let index = l.next_global();
            l.sym_global[id.idx()] = Some(index);
            if s == Synthetic::TlsBase {
                l.tls_base_global = Some(index);
            }
            l.globals.push(g);
        }
    }
    for (o, obj) in res.objects.iter().enumerate() {
        let mut idx = vec![None; obj.globals.len()];
        for (g, slot) in idx.iter_mut().enumerate() {
            if live.globals[o][g] {
                *slot = Some(l.next_global());
                l.globals
                    .push(OutGlobal::Object(ObjectId(o as u32), g as u32));
            }
        }
        l.global_index.push(idx);
    }
    for (i, sym) in res.symbols.iter().enumerate() {
        if let Def::Defined { obj, sym: si } = sym.def {
            let o = &res.objects[obj.idx()];
            if let SymbolTarget::Global(g) = o.symbols[si as usize].target
                && let Some(d) = g.checked_sub(o.global_imports.len() as u32)
            {
                l.sym_global[i] = l.global_index[obj.idx()][d as usize];
            }
        }
    }

    // Tags.
    let ntimports = l.tag_imports.len() as u32;
    let mut tag_index: Vec<Vec<Option<TagIdx>>> = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        let mut idx = vec![None; obj.tags.len()];
        for (t, &ty) in obj.tags.iter().enumerate() {
            if live.tags[o][t] {
                idx[t] = Some(TagIdx::new(ntimports + l.tags.len() as u32));
                let out = map_type(l, res, ObjectId(o as u32), ty);
                l.tags.push((ObjectId(o as u32), t as u32, out));
            }
        }
        tag_index.push(idx);
    }
    for (i, sym) in res.symbols.iter().enumerate() {
        if let Def::Defined { obj, sym: si } = sym.def {
            let o = &res.objects[obj.idx()];
            if let SymbolTarget::Tag(t) = o.symbols[si as usize].target
                && let Some(d) = t.checked_sub(o.tag_imports.len() as u32)
            {
                l.sym_tag[i] = tag_index[obj.idx()][d as usize];
            }
        }
    }
}
