//! Synthesize: the bodies of the functions the linker writes itself, from the layout. Each is
//! built as wasm-ld builds it, instruction for instruction, so that outputs stay byte-identical.

use wasm_encoder::{Function, MemArg};

use crate::layout::{FuncIdx, GlobalIdx, Layout, OutFunc, OutGlobal, TypeIdx, func_type_of};
use crate::model::{SymFlags, SymbolKind};
use crate::resolve::Resolved;

/// The body of output function `f` when the linker writes it; `None` for an object's function.
pub fn body(l: &Layout<'_>, res: &Resolved<'_>, f: &OutFunc) -> Option<Vec<u8>> {
    Some(match f {
        OutFunc::Object(..) => return None,
        OutFunc::CallCtors => call_ctors(l),
        OutFunc::InitMemory => init_memory(l),
        OutFunc::InitTls => init_tls(l),
        // In a fixed layout its relocations were applied to `.tdata` statically: nothing is
        // left to do at run time, but `__wasm_init_tls` calls it all the same (wasm-ld). A
        // position-independent module writes each thread's copy.
        OutFunc::ApplyTlsRelocs => relocation_code(l, res, true),
        OutFunc::ApplyGlobalTlsRelocs => apply_global_tls_relocs(l, res),
        OutFunc::ApplyDataRelocs => relocation_code(l, res, false),
        OutFunc::ApplyGlobalRelocs => apply_global_relocs(l, res),
        OutFunc::Start => {
            let mut f = Function::new([]);
            for g in [l.apply_global_relocs, l.init_memory].into_iter().flatten() {
                f.instructions().call(g.get());
            }
            finish(f)
        }
        OutFunc::CommandExport { target, ty, .. } => command_export(l, *target, *ty),
        OutFunc::Trap { .. } => {
            let mut f = Function::new([]);
            f.instructions().unreachable();
            finish(f)
        }
    })
}

fn finish(mut f: Function) -> Vec<u8> {
    f.instructions().end();
    f.into_raw_body()
}

/// `__wasm_call_ctors`: each constructor in order, its results dropped.
fn call_ctors(l: &Layout<'_>) -> Vec<u8> {
    let mut f = Function::new([]);
    for &c in &l.ctors {
        f.instructions().call(c.get());
        let ty = &l.types[func_type_of(l, c).idx()];
        for _ in ty.results() {
            f.instructions().drop();
        }
    }
    finish(f)
}

/// A command export: constructors, the function with its arguments, then destructors.
fn command_export(l: &Layout<'_>, target: FuncIdx, ty: TypeIdx) -> Vec<u8> {
    let mut f = Function::new([]);
    if let Some(c) = l.call_ctors {
        f.instructions().call(c.get());
    }
    for p in 0..l.types[ty.idx()].params().len() as u32 {
        f.instructions().local_get(p);
    }
    f.instructions().call(target.get());
    if let Some(d) = l.call_dtors {
        f.instructions().call(d.get());
    }
    finish(f)
}

/// The memory argument of the flag's atomic accesses: 4-byte aligned, no offset.
const FLAG: MemArg = MemArg {
    offset: 0,
    align: 2,
    memory_index: 0,
};

/// `__wasm_init_memory`, the start function.
///
/// Without shared memory it only zeroes the `.bss` of an imported memory. With it, every
/// instance runs it: the first to move `__wasm_init_memory_flag` from 0 to 1 initialises the
/// passive segments (pointing `__tls_base` at `.tdata` on the way, for the main thread), sets the
/// flag to 2 and wakes the others; those wait while it is 1. All then drop the segments they
/// no longer need; `.tdata` stays, for `__wasm_init_tls`.
fn init_memory(l: &Layout<'_>) -> Vec<u8> {
    let flag = l.init_memory_flag;
    // A position-independent module computes the flag's address once, into local 0; local 1
    // holds `.tdata`'s (wasm-ld).
    let pic_flag = flag.and(l.bases);
    let address = if l.wasm64 {
        wasm_encoder::ValType::I64
    } else {
        wasm_encoder::ValType::I32
    };
    let mut f = if pic_flag.is_some() {
        Function::new([(2, address)])
    } else {
        Function::new([])
    };
    let mut ins = f.instructions();
    let flag_address = |ins: &mut wasm_encoder::InstructionSink<'_>, flag: u64| {
        if pic_flag.is_some() {
            ins.local_get(0);
        } else {
            ptr(ins, l, flag);
        }
    };
    if let (Some(flag), Some((memory_base, _))) = (flag, pic_flag) {
        ins.global_get(memory_base.get());
        ptr(&mut ins, l, flag);
        add(&mut ins, l);
        ins.local_set(0);
    }
    if let Some(flag) = flag {
        ins.block(wasm_encoder::BlockType::Empty) // $drop
            .block(wasm_encoder::BlockType::Empty) // $wait
            .block(wasm_encoder::BlockType::Empty); // $init
        flag_address(&mut ins, flag);
        ins.i32_const(0)
            .i32_const(1)
            .i32_atomic_rmw_cmpxchg(FLAG)
            .br_table([0, 1], 2)
            .end();
    }
    for (index, seg) in l.segments.iter().enumerate() {
        if !needs_init(l, seg) {
            continue;
        }
        ptr(&mut ins, l, seg.addr);
        if let Some((memory_base, _)) = l.bases {
            // A position-independent module's data lies at `__memory_base`.
            ins.global_get(memory_base.get());
            add(&mut ins, l);
        }
        if l.passive && is_tdata(seg) {
            if l.bases.is_some() {
                ins.local_tee(1);
            } else {
                ptr(&mut ins, l, seg.addr);
            }
            if let Some(g) = l.tls_base_global {
                ins.global_set(g.get());
            }
            if l.bases.is_some() {
                ins.local_get(1);
            }
        }
        if seg.bss {
            ins.i32_const(0);
            ptr(&mut ins, l, seg.size).memory_fill(0);
        } else {
            ins.i32_const(0)
                .i32_const(seg.size as i32)
                .memory_init(0, index as u32);
        }
    }
    if let Some(flag) = flag {
        flag_address(&mut ins, flag);
        ins.i32_const(2).i32_atomic_store(FLAG);
        flag_address(&mut ins, flag);
        ins.i32_const(-1)
            .memory_atomic_notify(FLAG)
            .drop()
            .br(1)
            .end(); // $wait
        flag_address(&mut ins, flag);
        ins.i32_const(1)
            .i64_const(-1)
            .memory_atomic_wait32(FLAG)
            .drop()
            .end(); // $drop
    }
    for (index, seg) in l.segments.iter().enumerate() {
        if needs_init(l, seg) && !seg.bss && !(l.passive && is_tdata(seg)) {
            ins.data_drop(index as u32);
        }
    }
    finish(f)
}

/// Adds two addresses of the link's address width.
fn add(ins: &mut wasm_encoder::InstructionSink<'_>, l: &Layout<'_>) {
    if l.wasm64 {
        ins.i64_add();
    } else {
        ins.i32_add();
    }
}

/// Pushes an address or size as a constant of the link's address width (wasm-ld's
/// `writePtrConst`).
fn ptr<'f, 'i>(
    ins: &'i mut wasm_encoder::InstructionSink<'f>,
    l: &Layout<'_>,
    v: u64,
) -> &'i mut wasm_encoder::InstructionSink<'f> {
    if l.wasm64 {
        ins.i64_const(v as i64)
    } else {
        ins.i32_const(v as i32)
    }
}

/// Whether `__wasm_init_memory` initialises the segment: every segment when they are passive,
/// else the `.bss` that an imported memory leaves out of the binary.
fn needs_init(l: &Layout<'_>, seg: &crate::layout::OutSegment<'_>) -> bool {
    l.passive || (seg.bss && !l.bss_in_binary)
}

fn is_tdata(seg: &crate::layout::OutSegment<'_>) -> bool {
    seg.name == ".tdata"
}

/// `__wasm_apply_global_tls_relocs`: each thread-local symbol's GOT global = `__tls_base` + its
/// offset, in GOT order.
fn apply_global_tls_relocs(l: &Layout<'_>, res: &Resolved<'_>) -> Vec<u8> {
    let mut f = Function::new([]);
    let Some(base) = l.tls_base_global else {
        return finish(f);
    };
    for (k, g) in l.globals.iter().enumerate() {
        let OutGlobal::Got(id) = *g else {
            continue;
        };
        let sym = &res.symbols[id.idx()];
        if sym.kind != SymbolKind::Data || !sym.flags.has(SymFlags::TLS) {
            continue;
        }
        let value = l.sym_addr[id.idx()].unwrap_or(0);
        set_got_global(&mut f, l, k, base, value);
    }
    finish(f)
}

/// `global.get BASE; ptr.const VALUE; ptr.add; global.set G` for the `k`th defined global.
fn set_got_global(f: &mut Function, l: &Layout<'_>, k: usize, base: GlobalIdx, value: u64) {
    let mut ins = f.instructions();
    ins.global_get(base.get());
    ptr(&mut ins, l, value);
    add(&mut ins, l);
    ins.global_set((l.global_imports.len() + k) as u32);
}

/// `__wasm_apply_global_relocs`: each of a position-independent module's own GOT globals =
/// `__memory_base` + the symbol's offset, or `__table_base` + the function's slot, in GOT
/// order (wasm-ld's `GlobalSection::generateRelocationCode`). A missing weak function's entry
/// stays 0, and thread-local ones are `__wasm_apply_global_tls_relocs`'s.
fn apply_global_relocs(l: &Layout<'_>, res: &Resolved<'_>) -> Vec<u8> {
    let mut f = Function::new([]);
    let Some((memory_base, table_base)) = l.bases else {
        return finish(f);
    };
    for (k, g) in l.globals.iter().enumerate() {
        let OutGlobal::Got(id) = *g else {
            continue;
        };
        let sym = &res.symbols[id.idx()];
        let (base, value) = if sym.kind == SymbolKind::Function {
            if crate::layout::weak_missing_function(res, l, id) {
                continue;
            }
            let slot = l.sym_func[id.idx()].and_then(|f| l.slot_of.get(&f).copied());
            (table_base, u64::from(slot.unwrap_or(0)))
        } else if sym.flags.has(SymFlags::TLS) || !sym.is_defined() {
            continue;
        } else {
            (memory_base, l.sym_addr[id.idx()].unwrap_or(0))
        };
        set_got_global(&mut f, l, k, base, value);
    }
    finish(f)
}

/// `__wasm_init_tls(block)`: points `__tls_base` at `block` and copies `.tdata` into it.
fn init_tls(l: &Layout<'_>) -> Vec<u8> {
    let mut f = Function::new([]);
    let tdata = l.segments.iter().position(is_tdata);
    if let (Some(index), Some(g)) = (tdata, l.tls_base_global) {
        let size = l.segments[index].size as i32;
        f.instructions()
            .local_get(0)
            .global_set(g.get())
            .local_get(0)
            .i32_const(0)
            .i32_const(size)
            .memory_init(0, index as u32);
    }
    if let Some(apply) = l.apply_tls_relocs {
        f.instructions().call(apply.get());
    }
    if let Some(apply) = l.apply_global_tls_relocs {
        f.instructions().call(apply.get());
    }
    finish(f)
}

/// Whether a data relocation of a shared library becomes code in `__wasm_apply_data_relocs`:
/// every stored address does, since the library's place is known only at load time.
pub fn is_runtime_data_reloc(ty: wasmparser::RelocationType) -> bool {
    use wasmparser::RelocationType as R;
    matches!(
        ty,
        R::MemoryAddrI32 | R::MemoryAddrI64 | R::TableIndexI32 | R::TableIndexI64
    )
}

/// `__wasm_apply_data_relocs` (`tls` false) and, with shared memory, `__wasm_apply_tls_relocs`
/// (`tls` true, for `.tdata`, run by each thread): for each address stored in a
/// position-independent module's data, in data order, `i32.const OFFSET; global.get BASE;
/// i32.add`, the value, `i32.store` (wasm-ld's `generateRelocationCode`), where BASE is
/// `__memory_base`, or `__tls_base` and the offset in `.tdata`. The value is the GOT import of
/// a symbol reached through the GOT (plus a non-zero addend), else the memory, TLS or table
/// base plus the address, offset or slot.
fn relocation_code(l: &Layout<'_>, res: &Resolved<'_>, tls: bool) -> Vec<u8> {
    let mut f = Function::new([]);
    // A fixed-address module (dynamic imports without PIC) has no bases: it writes only the
    // values of its GOT imports, at their absolute places.
    let pic = l.bases.is_some();
    if tls && !pic {
        return finish(f);
    }
    let (memory_base, table_base) = l.bases.unwrap_or((GlobalIdx::new(0), GlobalIdx::new(0)));
    let tls_base = l.tls_base_global.unwrap_or(memory_base);
    let store = MemArg {
        offset: 0,
        align: 2,
        memory_index: 0,
    };
    let mut ins = f.instructions();
    for seg in &l.segments {
        if (l.passive && is_tdata(seg)) != tls {
            continue;
        }
        let mut pieces: Vec<_> = seg
            .pieces
            .iter()
            .filter(|p| p.0 != crate::layout::MERGED_STRINGS)
            .collect();
        pieces.sort_by_key(|p| p.2);
        for &&(o, s, off) in &pieces {
            let obj = &res.objects[o.idx()];
            let input = &obj.segments[s as usize];
            for r in &obj.relocs[input.relocs.clone()] {
                let id = res.sym(o, r.index);
                if !is_runtime_data_reloc(r.ty) || (!pic && l.got_import(id).is_none()) {
                    continue;
                }
                let (at, base) = if tls {
                    (off + r.offset as u64, tls_base)
                } else {
                    (seg.addr + off + r.offset as u64, memory_base)
                };
                // Addresses have the link's width (i64 in wasm64).
                ptr(&mut ins, l, at);
                if pic {
                    ins.global_get(base.get());
                    add(&mut ins, l);
                }
                let wide_field = matches!(
                    r.ty,
                    wasmparser::RelocationType::MemoryAddrI64
                        | wasmparser::RelocationType::TableIndexI64
                );
                // An 8-byte field of wasm32 takes the 32-bit value widened. wasm-ld-22 adds an
                // `i64.const` to the i32 base there, which does not validate [weld].
                let widen = wide_field && !l.wasm64;
                let value = |ins: &mut wasm_encoder::InstructionSink<'_>, base: u32, v: i64| {
                    ins.global_get(base);
                    if widen {
                        ins.i64_extend_i32_u();
                        if v != 0 {
                            ins.i64_const(v).i64_add();
                        }
                    } else {
                        ptr(ins, l, v as u64);
                        add(ins, l);
                    }
                };
                if let Some(got) = l.got_import(id) {
                    if widen {
                        value(&mut ins, got.get(), r.addend);
                    } else {
                        ins.global_get(got.get());
                        if r.addend != 0 {
                            ptr(&mut ins, l, r.addend as u64);
                            add(&mut ins, l);
                        }
                    }
                } else if matches!(
                    r.ty,
                    wasmparser::RelocationType::TableIndexI32
                        | wasmparser::RelocationType::TableIndexI64
                ) {
                    let slot = l.sym_func[id.idx()]
                        .and_then(|f| l.slot_of.get(&f))
                        .copied()
                        .unwrap_or(0);
                    value(&mut ins, table_base.get(), i64::from(slot));
                } else {
                    let addr = l.sym_addr[id.idx()].unwrap_or(0) as i64 + r.addend;
                    let base = if res.symbols[id.idx()].flags.has(SymFlags::TLS) && l.passive {
                        tls_base
                    } else {
                        memory_base
                    };
                    value(&mut ins, base.get(), addr);
                }
                if wide_field {
                    ins.i64_store(store);
                } else {
                    // A 4-byte field of wasm64 takes the address truncated [weld].
                    if l.wasm64 {
                        ins.i32_wrap_i64();
                    }
                    ins.i32_store(store);
                }
            }
        }
    }
    finish(f)
}
