//! The indirect function table's slots, and the number of every table.

use wasmparser::RelocationType;

use super::{Layout, TableIdx};
use crate::config::Config;
use crate::gc::Live;
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic};

/// Gives functions whose address is taken a table slot, and numbers the tables.
pub(super) fn tables<'a>(config: &Config, res: &Resolved<'a>, live: &Live, l: &mut Layout<'a>) {
    // The indirect function table: slots in the order live code and data first take an address.
    let add_slot = |l: &mut Layout<'a>, id: SymbolId| {
        if let Some(f) = l.sym_func[id.idx()]
            && !l.slot_of.contains_key(&f)
        {
            let slot = config.table_base + l.table_funcs.len() as u32;
            l.slot_of.insert(f, slot);
            // A library's weak definition that another module may preempt fills its slot
            // with the import, as calls do (wasm-ld).
            let filled = l.preempted_calls.get(&id).copied().unwrap_or(f);
            l.slot_of.insert(filled, slot);
            l.table_funcs.push(filled);
        }
    };
    // Per object, functions before segments, as wasm-ld scans relocations.
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        for relocs in super::live_relocs(obj, live, o) {
            for r in &obj.relocs[relocs] {
                // A signature variant that lost has no slot: its address is null, and its GOT
                // entry, one per stub, holds 0.
                if res.mismatched[o].contains_key(&r.index) {
                    if matches!(
                        r.ty,
                        RelocationType::GlobalIndexLeb | RelocationType::GlobalIndexI32
                    ) && let Some(&stub) = l.call_overrides.get(&(oid, r.index))
                        && !l.stub_got.contains_key(&stub)
                    {
                        let g = l.next_global();
                        l.stub_got.insert(stub, g);
                        l.globals.push(super::OutGlobal::StubGot(stub));
                    }
                    continue;
                }
                // A shared library takes a preemptible function's address from its GOT import.
                if is_table_index(r.ty) && !l.got.contains_key(&res.sym(oid, r.index)) {
                    add_slot(l, res.sym(oid, r.index));
                }
                let global_index = matches!(
                    r.ty,
                    RelocationType::GlobalIndexLeb | RelocationType::GlobalIndexI32
                );
                let id = res.sym(oid, r.index);
                // `global.get` of a data symbol or a function: a GOT global holds its address
                // or table slot (wasm-ld's internal GOT, in relocation scan order).
                // A relocatable output gets one too (wasm-ld), and keeps the relocation for
                // the final link, which makes its own.
                if global_index
                    && res.symbols[id.idx()].kind != SymbolKind::Global
                    && !l.got.contains_key(&id)
                {
                    let g = l.next_global();
                    l.got.insert(id, g);
                    l.globals.push(super::OutGlobal::Got(id));
                    if res.symbols[id.idx()].kind == SymbolKind::Function {
                        add_slot(l, id);
                    }
                }
            }
        }
    }
    // Tables: an imported function table first, then the objects' own tables, then a defined
    // function table (wasm-ld's numbering).
    let is_function_table = |sym: &crate::resolve::Symbol<'_>| {
        // wasm-ld creates the table whenever an object declares it, live or not. In a
        // relocatable output the table stays an import, as in the inputs.
        let undefined_in_r = config.relocatable
            && sym.name == "__indirect_function_table"
            && matches!(sym.def, Def::Undefined { .. });
        sym.kind == SymbolKind::Table
            && (sym.def == Def::Synthetic(Synthetic::FunctionTable) || undefined_in_r)
    };
    l.has_table = !l.table_funcs.is_empty()
        || config.export_table
        || res.symbols.iter().any(is_function_table);
    let imported_table = l.has_table && (config.import_table || config.relocatable);
    l.imported_table = imported_table;
    let first_own = u32::from(imported_table) + l.table_imports.len() as u32;
    for (k, (imp, _)) in l.table_imports.iter().enumerate() {
        l.sym_table[imp.symbol.idx()] = Some(TableIdx::new(u32::from(imported_table) + k as u32));
    }
    let mut table_index: Vec<Vec<Option<TableIdx>>> = Vec::with_capacity(res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let mut idx = vec![None; obj.tables.len()];
        for (t, slot) in idx.iter_mut().enumerate() {
            if live.tables[o][t] {
                *slot = Some(TableIdx::new(first_own + l.tables.len() as u32));
                l.tables.push((ObjectId(o as u32), t as u32));
            }
        }
        table_index.push(idx);
    }
    l.function_table = TableIdx::new(if imported_table {
        0
    } else {
        first_own + l.tables.len() as u32
    });
    for (i, sym) in res.symbols.iter().enumerate() {
        if is_function_table(sym) {
            l.sym_table[i] = Some(l.function_table);
        }
        if let Def::Defined { obj, sym: si } = sym.def {
            let o = &res.objects[obj.idx()];
            if let SymbolTarget::Table(t) = o.symbols[si as usize].target
                && let Some(d) = t.checked_sub(o.table_imports.len() as u32)
            {
                l.sym_table[i] = table_index[obj.idx()][d as usize];
            }
        }
    }
}

pub(super) fn is_table_index(ty: RelocationType) -> bool {
    matches!(
        ty,
        RelocationType::TableIndexSleb
            | RelocationType::TableIndexI32
            | RelocationType::TableIndexSleb64
            | RelocationType::TableIndexI64
            | RelocationType::TableIndexRelSleb
            | RelocationType::TableIndexRelSleb64
    )
}
