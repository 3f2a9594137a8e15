//! Defined functions: `__wasm_call_ctors`, the trap stubs, `__wasm_init_memory`, then the
//! objects' live functions in load order; and the constructors `__wasm_call_ctors` calls.

use rustc_hash::FxHashMap;
use wasmparser::{FuncType, RelocationType, ValType};

use super::{
    FuncIdx, Layout, OutFunc, TypeIdx, any_live_segment, defined_func_type, func_type_of,
    live_relocs, map_type, show_type, synthetic,
};
use crate::config::Config;
use crate::error::Diagnostics;
use crate::gc::Live;
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic};

/// Numbers the defined functions and lists the constructors.
pub(super) fn functions<'a>(
    config: &Config,
    res: &Resolved<'a>,
    live: &Live,
    features: &std::collections::BTreeSet<String>,
    l: &mut Layout<'a>,
    diags: &mut Diagnostics,
) {
    let nsym = res.symbols.len();
    let map_type = |l: &mut Layout<'a>, obj: ObjectId, t: u32| map_type(l, res, obj, t);
    // Defined functions: `__wasm_call_ctors` first, then objects in load order.
    let call_ctors = res.lookup("__wasm_call_ctors");
    if let Some(id) = call_ctors
        && live.symbols[id.idx()]
        && res.symbols[id.idx()].def == Def::Synthetic(Synthetic::CallCtors)
    {
        l.sym_func[id.idx()] = Some(l.next_func());
        l.call_ctors = Some(l.next_func());
        l.functions.push(OutFunc::CallCtors);
        let void = l.intern(&FuncType::new([], []));
        l.func_types.push(void);
    }
    // wasm-ld creates `__wasm_init_tls` right after `__wasm_call_ctors`, before any stub.
    if let Some(id) = synthetic(res, "__wasm_init_tls", Synthetic::InitTls)
        && live.symbols[id.idx()]
    {
        l.sym_func[id.idx()] = Some(l.next_func());
        l.functions.push(OutFunc::InitTls);
        let addr = if l.wasm64 { ValType::I64 } else { ValType::I32 };
        let ty = l.intern(&FuncType::new([addr], []));
        l.func_types.push(ty);
    }
    // Trap stubs for missing functions that are called directly, and for calls with another
    // signature than the definition's; wasm-ld puts them after `__wasm_call_ctors`.
    let mut stub_for: FxHashMap<(SymbolId, TypeIdx), FuncIdx> = FxHashMap::default();
    let mut warned: Vec<bool> = vec![false; nsym];
    // A relocatable output imports missing functions, so only mismatch stubs arise there; they
    // become local symbols (wasm-ld).
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        for (f, func) in obj.functions.iter().enumerate() {
            if !live.functions[o][f] {
                continue;
            }
            for r in &obj.relocs[func.relocs.clone()] {
                // A signature variant that lost is a trap stub of its signature: calls go to
                // it, and an address taken of it keeps it though it reads null (wasm-ld).
                if let Some(t) = res.mismatched[o].get(&r.index) {
                    let got = matches!(
                        r.ty,
                        RelocationType::GlobalIndexLeb | RelocationType::GlobalIndexI32
                    );
                    let call = r.ty == RelocationType::FunctionIndexLeb;
                    if call || got || super::tables::is_table_index(r.ty) {
                        let id = res.sym(oid, r.index);
                        let ty = l.intern(t);
                        let name = format!("signature_mismatch:{}", res.symbols[id.idx()].name);
                        let stub = trap_stub(l, &mut stub_for, (id, ty), name);
                        // (A `-r` output's relocations name the stub, addresses too.)
                        l.call_overrides.insert((oid, r.index), stub);
                    }
                    continue;
                }
                let rel = matches!(
                    r.ty,
                    RelocationType::MemoryAddrRelSleb
                        | RelocationType::MemoryAddrRelSleb64
                        | RelocationType::TableIndexRelSleb
                        | RelocationType::TableIndexRelSleb64
                );
                // A PIC object's `global.get GOT.func.NAME` of a missing weak function keeps
                // its trap stub too, though the GOT entry reads 0 (wasm-ld).
                let got = matches!(
                    r.ty,
                    RelocationType::GlobalIndexLeb | RelocationType::GlobalIndexI32
                ) && !config.relocatable;
                let scanned =
                    r.ty == RelocationType::FunctionIndexLeb || (rel && !config.relocatable) || got;
                if !scanned {
                    continue;
                }
                let id = res.sym(oid, r.index);
                if got && !weak_missing_function(res, l, id) {
                    continue;
                }
                let weak_missing_function = weak_missing_function(res, l, id);
                // A `__memory_base`/`__table_base`-relative address needs a definition
                // (wasm-ld's words); a missing weak function has its trap stub, which keeps it.
                if rel && !weak_missing_function {
                    if !res.symbols[id.idx()].is_defined() {
                        diags.error(format!(
                            "{}: relocation {} is not supported against an undefined symbol `{}`",
                            obj.name,
                            crate::reloc::name(r.ty),
                            res.symbols[id.idx()].name
                        ));
                    }
                    continue;
                }
                let osym = &obj.symbols[r.index as usize];
                let SymbolTarget::Function(fi) = osym.target else {
                    continue;
                };
                let Some(ref_ty) = obj.func_type(fi) else {
                    continue;
                };
                let ref_out = map_type(l, oid, obj.func_type_index(fi));
                let sym = &res.symbols[id.idx()];
                // One stub per symbol and signature, made on first use.
                // `kind` None: one `undefined_stub` per signature, shared (wasm-ld).
                let mut stub = |l: &mut Layout<'a>, kind: Option<&str>| {
                    let key = if kind.is_some() {
                        id
                    } else {
                        SymbolId(u32::MAX)
                    };
                    let name = match kind {
                        Some(k) => format!("{k}:{}", res.symbols[id.idx()].name),
                        None => "undefined_stub".to_string(),
                    };
                    let stub = trap_stub(l, &mut stub_for, (key, ref_out), name);
                    // A `__table_base`-relative address of the stub, or its GOT entry, still
                    // reads 0.
                    if !rel && !got {
                        l.call_overrides.insert((oid, r.index), stub);
                    }
                };
                if !sym.is_defined() && l.sym_func[id.idx()].is_none() {
                    // Undefined and not importable: weak symbols, and strong ones that
                    // `--unresolved-symbols=ignore-all` tolerates.
                    let weak = sym.weak_refs_only;
                    stub(l, weak.then_some("undefined_weak"));
                    continue;
                }
                let Some(def_ty) = defined_func_type(res, id) else {
                    continue;
                };
                if def_ty != ref_ty {
                    stub(l, Some("signature_mismatch"));
                    if !warned[id.idx()] {
                        warned[id.idx()] = true;
                        let def_file = match res.symbols[id.idx()].def {
                            Def::Defined { obj, .. } => res.objects[obj.idx()].name.as_str(),
                            _ => "<internal>",
                        };
                        diags.warn(format!(
                            "function signature mismatch: {}\n>>> defined as {} in {}\n>>> defined as {} in {}",
                            res.symbols[id.idx()].name,
                            show_type(ref_ty),
                            obj.name,
                            show_type(def_ty),
                            def_file
                        ));
                    }
                }
            }
        }
    }

    // With an imported memory, `.bss` must be zeroed by the module: by `memory.fill` in a start
    // function when bulk memory is allowed, else by writing it as data (wasm-ld).
    let any_bss = res.objects.iter().enumerate().any(|(o, obj)| {
        obj.segments
            .iter()
            .enumerate()
            .any(|(s, seg)| live.segments[o][s] && seg.is_bss() && !seg.is_tls())
    });
    let void = FuncType::new([], []);
    if config.relocatable || config.emit_relocs {
        // Objects carry `.bss` as data segments of zeroes; so does a module with relocations
        // (wasm-ld), whose data symbols may point into `.bss`.
        l.bss_in_binary = true;
    }
    // A position-independent module's stored addresses are written at load time; with shared
    // memory, those in `.tdata` by each thread (`__wasm_apply_tls_relocs`).
    // A fixed-address module with dynamic imports writes only the addresses of symbols it
    // imports through the GOT.
    let runtime_data_relocs = config.dynamic_imports()
        && res.objects.iter().enumerate().any(|(o, obj)| {
            obj.segments.iter().enumerate().any(|(s, seg)| {
                live.segments[o][s]
                    && !(l.passive && seg.is_tls())
                    && obj.relocs[seg.relocs.clone()].iter().any(|r| {
                        crate::synthetic::is_runtime_data_reloc(r.ty)
                            && (config.pic()
                                || l.got_import(res.sym(ObjectId(o as u32), r.index)).is_some())
                    })
            })
        });
    if runtime_data_relocs {
        l.apply_data_relocs = Some(l.next_func());
        l.functions.push(OutFunc::ApplyDataRelocs);
        let ty = l.intern(&void);
        l.func_types.push(ty);
    }
    if config.relocatable {
    } else if l.passive {
        // Shared memory: every segment is passive, and the start function initialises them
        // once, whichever thread instantiates first.
        if any_live_segment(live) {
            l.init_memory = Some(l.next_func());
            l.functions.push(OutFunc::InitMemory);
            let ty = l.intern(&void);
            l.func_types.push(ty);
        }
        // `global.get` of a thread-local symbol: its GOT global is set per thread.
        let tls_got = res.objects.iter().enumerate().any(|(o, obj)| {
            live_relocs(obj, live, o).any(|relocs| {
                obj.relocs[relocs].iter().any(|r| {
                    let global_index = matches!(
                        r.ty,
                        RelocationType::GlobalIndexLeb | RelocationType::GlobalIndexI32
                    );
                    let sym = &res.symbols[res.sym(ObjectId(o as u32), r.index).idx()];
                    global_index && sym.kind == SymbolKind::Data && sym.flags.has(SymFlags::TLS)
                })
            })
        });
        if tls_got {
            l.apply_global_tls_relocs = Some(l.next_func());
            l.functions.push(OutFunc::ApplyGlobalTlsRelocs);
            let ty = l.intern(&void);
            l.func_types.push(ty);
        }
        let tls_relocs = res.objects.iter().enumerate().any(|(o, obj)| {
            obj.segments
                .iter()
                .enumerate()
                .any(|(s, seg)| live.segments[o][s] && seg.is_tls() && !seg.relocs.is_empty())
        });
        if tls_relocs {
            l.apply_tls_relocs = Some(l.next_func());
            l.functions.push(OutFunc::ApplyTlsRelocs);
            let ty = l.intern(&void);
            l.func_types.push(ty);
        }
    } else if config.emit_relocs {
    } else if config.import_memory.is_some() && any_bss {
        if features.contains("bulk-memory") {
            let index = l.next_func();
            l.init_memory = Some(index);
            l.functions.push(OutFunc::InitMemory);
            let ty = l.intern(&void);
            l.func_types.push(ty);
        } else {
            l.bss_in_binary = true;
        }
    }
    // A position-independent module's own GOT entries hold link-time offsets that the start
    // function moves by `__memory_base` or `__table_base` (wasm-ld's
    // `__wasm_apply_global_relocs`).
    if config.pic() && !l.extended_const && internal_got(config, res, live) {
        l.apply_global_relocs = Some(l.next_func());
        l.functions.push(OutFunc::ApplyGlobalRelocs);
        let ty = l.intern(&void);
        l.func_types.push(ty);
        // With `.bss` to zero as well, one function calls both.
        if l.init_memory.is_some() {
            l.start = Some(l.next_func());
            l.functions.push(OutFunc::Start);
            let ty = l.intern(&void);
            l.func_types.push(ty);
        }
    }
    l.start = l.start.or(l.init_memory).or(l.apply_global_relocs);
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        let mut idx = vec![None; obj.functions.len()];
        for (f, func) in obj.functions.iter().enumerate() {
            if live.functions[o][f] {
                idx[f] = Some(l.next_func());
                let ty = map_type(l, oid, func.ty);
                l.functions.push(OutFunc::Object(oid, f as u32));
                l.func_types.push(ty);
            }
        }
        l.func_index.push(idx);
    }
    // Symbols defined by objects take their function's index (read.rs: past the imports).
    for (i, sym) in res.symbols.iter().enumerate() {
        if let Def::Defined { obj, sym: si } = sym.def {
            let o = &res.objects[obj.idx()];
            if let SymbolTarget::Function(f) = o.symbols[si as usize].target {
                l.sym_func[i] = l.func_index[obj.idx()][(f - o.num_func_imports()) as usize];
            }
        }
    }

    // Constructors, in priority order (stable in load order).
    let mut ctors: Vec<(u32, FuncIdx)> = Vec::new();
    if call_ctors.is_some_and(|c| l.sym_func[c.idx()].is_some()) {
        for (o, obj) in res.objects.iter().enumerate() {
            for init in &obj.init_funcs {
                let id = res.sym(ObjectId(o as u32), init.symbol);
                let Some(f) = l.sym_func[id.idx()] else {
                    continue;
                };
                let ty = &l.types[func_type_of(l, f).idx()];
                if !ty.params().is_empty() {
                    diags.error(format!(
                        "constructor functions cannot take arguments: {}",
                        // wasm-ld's words; results are dropped by `__wasm_call_ctors`.
                        res.symbols[id.idx()].name
                    ));
                    continue;
                }
                ctors.push((init.priority, f));
            }
        }
    }
    ctors.sort_by_key(|&(p, _)| p);
    l.ctors = ctors.into_iter().map(|(_, f)| f).collect();
}

/// Whether `id` is a function that only weak references name, with no definition and no
/// import (of the function, or of its `GOT.func` entry): its uses get an `undefined_weak:`
/// trap stub.
pub(crate) fn weak_missing_function(res: &Resolved<'_>, l: &Layout<'_>, id: SymbolId) -> bool {
    let s = &res.symbols[id.idx()];
    let got_import = l.got_import(id).is_some();
    s.kind == SymbolKind::Function
        && s.weak_refs_only
        && !s.is_defined()
        && l.sym_func[id.idx()].is_none()
        && !got_import
}

/// Whether live code reads, by `global.get`, the address of a symbol that the module binds
/// itself in a position-independent output: that symbol gets a GOT global of its own rather
/// than a `GOT.mem`/`GOT.func` import (tables.rs makes them). Thread-local ones are set by
/// `__wasm_apply_global_tls_relocs` instead.
fn internal_got(config: &Config, res: &Resolved<'_>, live: &Live) -> bool {
    super::scan_relocs(res, live).any(|(o, _, r)| {
        let sym = &res.symbols[res.sym(o, r.index).idx()];
        matches!(
            r.ty,
            RelocationType::GlobalIndexLeb | RelocationType::GlobalIndexI32
        ) && sym.kind != SymbolKind::Global
            && !sym.flags.has(SymFlags::TLS)
            && (!super::imports::through_got(config, sym)
                || res.mismatched[o.idx()].contains_key(&r.index))
    })
}

/// The trap stub for `key` (a symbol, or every missing function, and a signature), made on
/// first use: a function of type `key.1` whose body is `unreachable`.
fn trap_stub(
    l: &mut Layout<'_>,
    stub_for: &mut FxHashMap<(SymbolId, TypeIdx), FuncIdx>,
    key: (SymbolId, TypeIdx),
    name: String,
) -> FuncIdx {
    let next = l.next_func();
    let stub = *stub_for.entry(key).or_insert(next);
    if stub == next {
        l.functions.push(OutFunc::Trap { ty: key.1, name });
        l.func_types.push(key.1);
    }
    stub
}
