//! Encoding a [`Program`] as relocatable wasm objects and an `ar` archive.
//!
//! The ordinary sections (type, import, function, table, tag, global) are built with
//! `wasm-encoder`; code, data and custom sections are assembled by hand so that the offset of
//! every relocated field is known, and `linking` (version 2) and `reloc.*` are written as
//! tool-conventions' `Linking.md` describes. Relocated immediates are padded LEBs (5 bytes, 10
//! for 64-bit types). Code relocation offsets count from the start of the code section's
//! payload (so they include the function-count LEB); data and custom section offsets count from
//! the start of their payload (after a custom section's name).

use std::collections::BTreeMap;

use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, EntityType, FunctionSection, GlobalSection, GlobalType,
    ImportSection, Instruction, MemoryType, Module, RawSection, RefType, TableSection, TableType,
    TagKind, TagSection, TagType, TypeSection, ValType as WVal,
};

use crate::model::*;

/// Length of every body's locals declaration (`01 01 7f`: one `i32`): the first instruction
/// is at this offset from the start of a body.
pub const LOCALS_DECL_LEN: u32 = 3;

/// Relocation type numbers (tool-conventions `Linking.md`).
pub mod reloc {
    #![allow(missing_docs)]
    pub const FUNCTION_INDEX_LEB: u8 = 0;
    pub const TABLE_INDEX_SLEB: u8 = 1;
    pub const TABLE_INDEX_I32: u8 = 2;
    pub const MEMORY_ADDR_LEB: u8 = 3;
    pub const MEMORY_ADDR_SLEB: u8 = 4;
    pub const MEMORY_ADDR_I32: u8 = 5;
    pub const TYPE_INDEX_LEB: u8 = 6;
    pub const GLOBAL_INDEX_LEB: u8 = 7;
    pub const FUNCTION_OFFSET_I32: u8 = 8;
    pub const SECTION_OFFSET_I32: u8 = 9;
    pub const TAG_INDEX_LEB: u8 = 10;
    pub const GLOBAL_INDEX_I32: u8 = 13;
    pub const MEMORY_ADDR_LEB64: u8 = 14;
    pub const MEMORY_ADDR_SLEB64: u8 = 15;
    pub const MEMORY_ADDR_I64: u8 = 16;
    pub const TABLE_INDEX_SLEB64: u8 = 18;
    pub const TABLE_INDEX_I64: u8 = 19;
    pub const TABLE_NUMBER_LEB: u8 = 20;
    pub const FUNCTION_OFFSET_I64: u8 = 22;
    pub const MEMORY_ADDR_REL_SLEB: u8 = 11;
    pub const TABLE_INDEX_REL_SLEB: u8 = 12;
    pub const MEMORY_ADDR_REL_SLEB64: u8 = 17;
    pub const TABLE_INDEX_REL_SLEB64: u8 = 24;
    pub const MEMORY_ADDR_TLS_SLEB: u8 = 21;
    pub const MEMORY_ADDR_LOCREL_I32: u8 = 23;
    pub const MEMORY_ADDR_TLS_SLEB64: u8 = 25;
    pub const FUNCTION_INDEX_I32: u8 = 26;

    /// Whether entries of this type carry an addend, and whether it is 64-bit.
    pub fn addend(ty: u8) -> Option<bool> {
        match ty {
            MEMORY_ADDR_LEB
            | MEMORY_ADDR_SLEB
            | MEMORY_ADDR_I32
            | FUNCTION_OFFSET_I32
            | SECTION_OFFSET_I32
            | MEMORY_ADDR_LOCREL_I32
            | MEMORY_ADDR_REL_SLEB
            | MEMORY_ADDR_TLS_SLEB => Some(false),
            MEMORY_ADDR_LEB64
            | MEMORY_ADDR_SLEB64
            | MEMORY_ADDR_I64
            | FUNCTION_OFFSET_I64
            | MEMORY_ADDR_REL_SLEB64
            | MEMORY_ADDR_TLS_SLEB64 => Some(true),
            _ => None,
        }
    }
}

/// Symbol flags (`WASM_SYM_*`).
pub mod flags {
    #![allow(missing_docs)]
    pub const WEAK: u32 = 0x1;
    pub const LOCAL: u32 = 0x2;
    pub const HIDDEN: u32 = 0x4;
    pub const UNDEFINED: u32 = 0x10;
    pub const EXPORTED: u32 = 0x20;
    pub const EXPLICIT_NAME: u32 = 0x40;
    pub const NO_STRIP: u32 = 0x80;
    pub const TLS: u32 = 0x100;
    pub const ABSOLUTE: u32 = 0x200;
}

/// What the encoder wrote, for coverage: counts by number.
#[derive(Debug, Default, Clone)]
pub struct EncodeStats {
    /// Relocation entries by type.
    pub relocs: BTreeMap<u8, usize>,
    /// Symbols by kind.
    pub symbol_kinds: BTreeMap<u8, usize>,
    /// Symbols by flag bit.
    pub symbol_flags: BTreeMap<u32, usize>,
    /// `linking` subsections by type.
    pub subsections: BTreeMap<u8, usize>,
    /// Segments by `SEGMENT_INFO` flag bit.
    pub segment_flags: BTreeMap<u32, usize>,
}

impl EncodeStats {
    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &EncodeStats) {
        fn add<K: Ord + Copy>(a: &mut BTreeMap<K, usize>, b: &BTreeMap<K, usize>) {
            for (k, v) in b {
                *a.entry(*k).or_default() += v;
            }
        }
        add(&mut self.relocs, &other.relocs);
        add(&mut self.symbol_kinds, &other.symbol_kinds);
        add(&mut self.symbol_flags, &other.symbol_flags);
        add(&mut self.subsections, &other.subsections);
        add(&mut self.segment_flags, &other.segment_flags);
    }
}

/// The files of a program: command-line objects in order, then `lib.a` if there are members.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// `(file name, contents)` in link order.
    pub files: Vec<(String, Vec<u8>)>,
    /// What was written.
    pub stats: EncodeStats,
}

/// Name of the archive holding the members.
pub const ARCHIVE_NAME: &str = "lib.a";

/// Encoder choices that are not part of the program.
#[derive(Debug, Clone, Copy)]
pub struct EncodeOptions {
    /// Mark the undefined `__indirect_function_table` symbol `NO_STRIP` in objects that use
    /// the table, as LLVM does (without it, wasm-ld-22 crashes when no relocation names the
    /// table symbol: `tests/known_bugs.rs`).
    pub table_symbol_no_strip: bool,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            table_symbol_no_strip: true,
        }
    }
}

/// Encodes every object, and the members into one archive.
pub fn encode(p: &Program) -> Encoded {
    encode_with(p, &EncodeOptions::default())
}

/// [`encode`] with options.
pub fn encode_with(p: &Program, opts: &EncodeOptions) -> Encoded {
    let mut stats = EncodeStats::default();
    let mut files = Vec::new();
    let mut members = Vec::new();
    for (i, o) in p.objects.iter().enumerate() {
        let (bytes, index) = encode_object(p, ObjId(i as u32), opts, &mut stats);
        if o.in_archive {
            members.push((o.file.clone(), bytes, index));
        } else {
            files.push((o.file.clone(), bytes));
        }
    }
    if !members.is_empty() {
        files.push((ARCHIVE_NAME.to_string(), archive(&members)));
    }
    Encoded { files, stats }
}

// ---- LEB helpers ----

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
        if done {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A LEB padded to `n` bytes (unsigned or signed).
fn padded(out: &mut Vec<u8>, v: i64, n: usize, signed: bool) {
    let mut v = v as i128;
    if !signed {
        v &= if n == 5 {
            0xffff_ffff
        } else {
            u64::MAX as i128
        };
    }
    for i in 0..n {
        let mut b = (v & 0x7f) as u8;
        v >>= 7;
        if i + 1 < n {
            b |= 0x80;
        }
        out.push(b);
    }
}

fn name(out: &mut Vec<u8>, s: &str) {
    uleb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn instr(out: &mut Vec<u8>, i: Instruction<'_>) {
    use wasm_encoder::Encode;
    i.encode(out);
}

/// One relocation entry, with its offset relative to the start of the enclosing chunk (a
/// body, a segment, a custom section) until it is made section-relative.
#[derive(Debug, Clone, Copy)]
struct Reloc {
    ty: u8,
    offset: u32,
    index: u32,
    addend: i64,
}

/// Index spaces and symbols of one object being encoded.
struct Ctx<'p> {
    p: &'p Program,
    o: &'p Object,
    sym_index: BTreeMap<Sym, u32>,
    func_index: BTreeMap<FuncId, u32>,
    global_index: BTreeMap<GlobalId, u32>,
    table_index: BTreeMap<TableId, u32>,
    tag_index: BTreeMap<TagId, u32>,
    /// Address (within this object's data) of each data symbol it defines.
    data_addr: BTreeMap<DataId, u32>,
    types: Vec<(Vec<WVal>, Vec<WVal>)>,
    /// Symbol index of `__indirect_function_table` (when imported).
    ift: Option<u32>,
    /// The global index of each symbol's GOT import (`GOT.mem.NAME`/`GOT.func.NAME`), as clang
    /// writes them for `global.get sym@GOT`.
    got_index: BTreeMap<Sym, u32>,
}

impl Ctx<'_> {
    fn ty(&mut self, params: &[WVal], results: &[WVal]) -> u32 {
        let t = (params.to_vec(), results.to_vec());
        match self.types.iter().position(|x| *x == t) {
            Some(i) => i as u32,
            None => {
                self.types.push(t);
                self.types.len() as u32 - 1
            }
        }
    }
    fn sig_type(&mut self, sig: Sig) -> u32 {
        match sig {
            Sig::Nullary => self.ty(&[], &[WVal::I64]),
            Sig::Unary => self.ty(&[WVal::I64], &[WVal::I64]),
            Sig::Ctor | Sig::Thrower => self.ty(&[], &[]),
        }
    }
}

fn sig_of(p: &Program, f: FuncId) -> Sig {
    p.funcs[f.idx()].sig
}

fn wval(t: ValType) -> WVal {
    match t {
        ValType::I32 => WVal::I32,
        ValType::I64 => WVal::I64,
    }
}

/// Whether the object uses the indirect function table: `call_indirect`, or a function's
/// table index (LLVM then always imports the table and names it with a symbol; wasm-ld-22
/// crashes on table index relocations in a link where no object does).
fn uses_table(o: &Object) -> bool {
    let code = o.funcs.iter().any(|f| match &f.body {
        Body::Value { probes, .. } => probes.iter().any(|p| {
            matches!(
                p,
                Probe::CallIndirect { .. } | Probe::CallPtr { .. } | Probe::FuncIsNull { .. }
            )
        }),
        _ => false,
    });
    let data = o.segments.iter().any(|s| {
        s.relocs
            .iter()
            .any(|r| matches!(r.kind, DataRelocKind::TableIndex { .. }))
    });
    code || data
}

/// Encodes object `oid`; returns its bytes and the names its archive index should list.
pub fn encode_object(
    p: &Program,
    oid: ObjId,
    opts: &EncodeOptions,
    stats: &mut EncodeStats,
) -> (Vec<u8>, Vec<String>) {
    let o = &p.objects[oid.idx()];
    let mut cx = Ctx {
        p,
        o,
        sym_index: BTreeMap::new(),
        func_index: BTreeMap::new(),
        global_index: BTreeMap::new(),
        table_index: BTreeMap::new(),
        tag_index: BTreeMap::new(),
        data_addr: BTreeMap::new(),
        types: Vec::new(),
        ift: None,
        got_index: BTreeMap::new(),
    };
    let refs = o.references(p);
    let undefined: Vec<Sym> = refs.iter().copied().filter(|s| !o.defines(*s)).collect();
    let weak_ref = |s: Sym| o.weak_refs.contains(&s);

    // Imports: memory, the indirect function table, functions, globals, tags.
    let mut imports = ImportSection::new();
    imports.import(
        "env",
        "__linear_memory",
        MemoryType {
            minimum: 0,
            maximum: None,
            memory64: p.wasm64,
            shared: false,
            page_size_log2: None,
        },
    );
    let funcref_table = |min: u32| TableType {
        element_type: RefType::FUNCREF,
        minimum: min as u64,
        maximum: None,
        table64: false,
        shared: false,
    };
    // wasm64 objects import a 64-bit function table (wasm-ld's is one); their own stay 32-bit.
    let ift_type = TableType {
        table64: p.wasm64,
        ..funcref_table(0)
    };
    let mut n_tables = 0;
    let with_ift = uses_table(o);
    if with_ift {
        imports.import("env", "__indirect_function_table", ift_type);
        n_tables = 1;
    }
    // Tables defined by other objects.
    let mut table_import_syms = Vec::new();
    for &s in &undefined {
        if let Sym::Table(t) = s {
            imports.import("env", &p.tables[t.idx()].name, funcref_table(0));
            cx.table_index.insert(t, n_tables);
            table_import_syms.push(t);
            n_tables += 1;
        }
    }
    // (symbol info to write later) kind, flags, payload
    let mut symtab: Vec<Vec<u8>> = Vec::new();
    let mut add_sym = |stats: &mut EncodeStats, kind: u8, fl: u32, payload: Vec<u8>| -> u32 {
        *stats.symbol_kinds.entry(kind).or_default() += 1;
        for bit in 0..12 {
            if fl & (1 << bit) != 0 {
                *stats.symbol_flags.entry(1 << bit).or_default() += 1;
            }
        }
        let mut e = vec![kind];
        uleb(&mut e, fl as u64);
        e.extend(payload);
        symtab.push(e);
        symtab.len() as u32 - 1
    };
    let def_flags = |b: Binding, hidden: bool| -> u32 {
        let mut f = 0;
        if b.weak {
            f |= flags::WEAK;
        }
        if b.local {
            f |= flags::LOCAL;
        } else if hidden {
            f |= flags::HIDDEN;
        }
        if b.exported {
            f |= flags::EXPORTED;
        }
        if b.no_strip {
            f |= flags::NO_STRIP;
        }
        f
    };

    // Function imports first: they come first in the function index space.
    let mut n_func_imports = 0u32;
    let mut func_import_syms = Vec::new();
    for &s in &undefined {
        if let Sym::Func(f) = s {
            let d = &p.funcs[f.idx()];
            let (module, field) = match d.role {
                FuncRole::Host { module, field } => (module, field),
                _ => ("env", d.name.as_str()),
            };
            let t = cx.sig_type(d.sig);
            imports.import(module, field, EntityType::Function(t));
            cx.func_index.insert(f, n_func_imports);
            func_import_syms.push((f, field != d.name));
            n_func_imports += 1;
        }
    }
    let mut n_global_imports = 0u32;
    let mut global_import_syms = Vec::new();
    for &s in &undefined {
        if let Sym::Global(g) = s {
            let d = &p.globals[g.idx()];
            let (module, field) = match d.host {
                Some((m, f, _)) => (m, f),
                None => ("env", d.name.as_str()),
            };
            imports.import(
                module,
                field,
                GlobalType {
                    val_type: wval(global_ty(p, g)),
                    mutable: d.mutable,
                    shared: false,
                },
            );
            cx.global_index.insert(g, n_global_imports);
            global_import_syms.push((g, field != d.name));
            n_global_imports += 1;
        }
    }
    // One GOT import per symbol the code reads the address of with `global.get sym@GOT`: no
    // symbol names them (the relocations name the data or function symbol).
    for s in got_symbols(p, o) {
        let (module, name) = match s {
            Sym::Data(d) => ("GOT.mem", p.datas[d.idx()].name.as_str()),
            Sym::Func(f) => ("GOT.func", p.funcs[f.idx()].name.as_str()),
            _ => continue,
        };
        imports.import(
            module,
            name,
            GlobalType {
                val_type: if p.wasm64 { WVal::I64 } else { WVal::I32 },
                mutable: true,
                shared: false,
            },
        );
        cx.got_index.insert(s, n_global_imports);
        n_global_imports += 1;
    }
    let mut n_tag_imports = 0u32;
    let mut tag_import_syms = Vec::new();
    let tag_ty = cx.ty(&[WVal::I32], &[]);
    for &s in &undefined {
        if let Sym::Tag(t) = s {
            imports.import(
                "env",
                &p.tags[t.idx()].name,
                EntityType::Tag(TagType {
                    kind: TagKind::Exception,
                    func_type_idx: tag_ty,
                }),
            );
            cx.tag_index.insert(t, n_tag_imports);
            tag_import_syms.push(t);
            n_tag_imports += 1;
        }
    }

    // Defined entities' indices.
    for (i, f) in o.funcs.iter().enumerate() {
        cx.func_index.insert(f.func, n_func_imports + i as u32);
    }
    for (i, g) in o.globals.iter().enumerate() {
        cx.global_index
            .insert(g.global, n_global_imports + i as u32);
    }
    for (i, t) in o.tables.iter().enumerate() {
        cx.table_index.insert(t.table, n_tables + i as u32);
    }
    for (i, (t, _)) in o.tags.iter().enumerate() {
        cx.tag_index.insert(*t, n_tag_imports + i as u32);
    }
    // Segment virtual addresses, as LLVM lays them out (aligned, one after the other).
    let mut seg_addr = Vec::new();
    let mut addr = 0u32;
    for s in &o.segments {
        let a = 1u32 << s.align_log2;
        addr = addr.div_ceil(a) * a;
        seg_addr.push(addr);
        for d in &s.symbols {
            cx.data_addr.insert(d.data, addr + d.offset);
        }
        addr += s.bytes.len() as u32;
    }

    // Symbol table: defined functions, imported functions, data, globals, tables, tags.
    for f in &o.funcs {
        let d = &p.funcs[f.func.idx()];
        let mut pl = Vec::new();
        uleb(&mut pl, cx.func_index[&f.func] as u64);
        name(&mut pl, &d.name);
        let i = add_sym(stats, 0, def_flags(f.binding, d.hidden), pl);
        cx.sym_index.insert(Sym::Func(f.func), i);
    }
    for &(f, explicit) in &func_import_syms {
        let mut fl = flags::UNDEFINED;
        if weak_ref(Sym::Func(f)) {
            fl |= flags::WEAK;
        }
        let mut pl = Vec::new();
        uleb(&mut pl, cx.func_index[&f] as u64);
        if explicit {
            fl |= flags::EXPLICIT_NAME;
            name(&mut pl, &p.funcs[f.idx()].name);
        }
        let i = add_sym(stats, 0, fl, pl);
        cx.sym_index.insert(Sym::Func(f), i);
    }
    for (si, s) in o.segments.iter().enumerate() {
        for d in &s.symbols {
            let decl = &p.datas[d.data.idx()];
            let mut pl = Vec::new();
            name(&mut pl, &decl.name);
            uleb(&mut pl, si as u64);
            uleb(&mut pl, d.offset as u64);
            uleb(&mut pl, decl.size as u64);
            let tls = if s.tls { flags::TLS } else { 0 };
            let i = add_sym(stats, 1, def_flags(d.binding, decl.hidden) | tls, pl);
            cx.sym_index.insert(Sym::Data(d.data), i);
        }
    }
    for &(d, b) in &o.abs_datas {
        let decl = &p.datas[d.idx()];
        let DataKind::Abs(at) = decl.kind else {
            continue;
        };
        let mut pl = Vec::new();
        name(&mut pl, &decl.name);
        uleb(&mut pl, 0);
        uleb(&mut pl, at as u64);
        uleb(&mut pl, decl.size as u64);
        let i = add_sym(stats, 1, def_flags(b, decl.hidden) | flags::ABSOLUTE, pl);
        cx.sym_index.insert(Sym::Data(d), i);
    }
    for &s in &undefined {
        if let Sym::Data(d) = s {
            let mut fl = flags::UNDEFINED;
            if weak_ref(s) {
                fl |= flags::WEAK;
            }
            let mut pl = Vec::new();
            name(&mut pl, &p.datas[d.idx()].name);
            let i = add_sym(stats, 1, fl, pl);
            cx.sym_index.insert(s, i);
        }
    }
    for g in &o.globals {
        let d = &p.globals[g.global.idx()];
        let mut pl = Vec::new();
        uleb(&mut pl, cx.global_index[&g.global] as u64);
        name(&mut pl, &d.name);
        let i = add_sym(stats, 2, def_flags(g.binding, d.hidden), pl);
        cx.sym_index.insert(Sym::Global(g.global), i);
    }
    for &(g, explicit) in &global_import_syms {
        let mut fl = flags::UNDEFINED;
        let mut pl = Vec::new();
        uleb(&mut pl, cx.global_index[&g] as u64);
        if explicit {
            fl |= flags::EXPLICIT_NAME;
            name(&mut pl, &p.globals[g.idx()].name);
        }
        let i = add_sym(stats, 2, fl, pl);
        cx.sym_index.insert(Sym::Global(g), i);
    }
    for t in &o.tables {
        let mut pl = Vec::new();
        uleb(&mut pl, cx.table_index[&t.table] as u64);
        name(&mut pl, &p.tables[t.table.idx()].name);
        let i = add_sym(stats, 5, def_flags(t.binding, true), pl);
        cx.sym_index.insert(Sym::Table(t.table), i);
    }
    for &t in &table_import_syms {
        let mut pl = Vec::new();
        uleb(&mut pl, cx.table_index[&t] as u64);
        let i = add_sym(stats, 5, flags::UNDEFINED, pl);
        cx.sym_index.insert(Sym::Table(t), i);
    }
    if with_ift {
        let mut pl = Vec::new();
        uleb(&mut pl, 0);
        // As LLVM does, the table symbol is NO_STRIP when the object takes function addresses:
        // wasm-ld-22 crashes writing the element segment if the table symbol is dead.
        let no_strip = if opts.table_symbol_no_strip {
            flags::NO_STRIP
        } else {
            0
        };
        cx.ift = Some(add_sym(stats, 5, flags::UNDEFINED | no_strip, pl));
    }
    for &(t, b) in &o.tags {
        let mut pl = Vec::new();
        uleb(&mut pl, cx.tag_index[&t] as u64);
        name(&mut pl, &p.tags[t.idx()].name);
        let i = add_sym(stats, 4, def_flags(b, true), pl);
        cx.sym_index.insert(Sym::Tag(t), i);
    }
    for &t in &tag_import_syms {
        let mut pl = Vec::new();
        uleb(&mut pl, cx.tag_index[&t] as u64);
        let i = add_sym(stats, 4, flags::UNDEFINED, pl);
        cx.sym_index.insert(Sym::Tag(t), i);
    }

    // Code.
    let mut bodies: Vec<(Vec<u8>, Vec<Reloc>)> = Vec::new();
    for f in &o.funcs {
        bodies.push(encode_body(&mut cx, f));
    }
    let mut functions = FunctionSection::new();
    for f in &o.funcs {
        let t = cx.sig_type(sig_of(p, f.func));
        functions.function(t);
    }
    let mut code_relocs = Vec::new();
    let mut code = CodeSection::new();
    let mut code_payload = Vec::new();
    uleb(&mut code_payload, bodies.len() as u64);
    for (body, relocs) in &bodies {
        uleb(&mut code_payload, body.len() as u64);
        let start = code_payload.len() as u32;
        code_payload.extend_from_slice(body);
        code.raw(body);
        for r in relocs {
            code_relocs.push(Reloc {
                offset: start + r.offset,
                ..*r
            });
        }
    }

    // Data.
    let mut data_payload = Vec::new();
    let mut data_relocs = Vec::new();
    uleb(&mut data_payload, o.segments.len() as u64);
    for (si, s) in o.segments.iter().enumerate() {
        data_payload.push(0); // active, memory 0
        // The offset has the memory's address type (as LLVM writes a wasm64 object's).
        let offset = if p.wasm64 {
            Instruction::I64Const(seg_addr[si] as i64)
        } else {
            Instruction::I32Const(seg_addr[si] as i32)
        };
        instr(&mut data_payload, offset);
        instr(&mut data_payload, Instruction::End);
        uleb(&mut data_payload, s.bytes.len() as u64);
        let start = data_payload.len() as u32;
        let mut bytes = s.bytes.clone();
        for r in &s.relocs {
            let (ty, target, addend) = match r.kind {
                DataRelocKind::MemAddr {
                    target,
                    addend,
                    wide,
                } => (
                    if wide {
                        reloc::MEMORY_ADDR_I64
                    } else {
                        reloc::MEMORY_ADDR_I32
                    },
                    Sym::Data(target),
                    addend as i64,
                ),
                DataRelocKind::Locrel { target, addend } => (
                    reloc::MEMORY_ADDR_LOCREL_I32,
                    Sym::Data(target),
                    addend as i64,
                ),
                DataRelocKind::TableIndex { func, wide } => (
                    if wide {
                        reloc::TABLE_INDEX_I64
                    } else {
                        reloc::TABLE_INDEX_I32
                    },
                    Sym::Func(func),
                    0,
                ),
            };
            // The unrelocated field holds the addend, as LLVM writes it.
            let w = r.kind.width() as usize;
            let at = r.offset as usize;
            bytes[at..at + w].copy_from_slice(&addend.to_le_bytes()[..w]);
            data_relocs.push(Reloc {
                ty,
                offset: start + r.offset,
                index: cx.sym_index[&target],
                addend,
            });
        }
        data_payload.extend_from_slice(&bytes);
    }

    // Custom sections: payloads and relocations (offsets after the name).
    let mut customs: Vec<(Vec<u8>, Vec<Reloc>)> = Vec::new();
    // Section symbols are added once section indices are known (below).
    for c in &o.customs {
        let mut payload = Vec::new();
        let mut relocs = Vec::new();
        for f in &c.fields {
            let at = payload.len() as u32;
            // (type, symbol (None: this object's section symbol, patched below), addend, width)
            let (ty, sym, addend, width) = match *f {
                CustomField::Bytes(ref b) => {
                    payload.extend_from_slice(b);
                    continue;
                }
                CustomField::FuncOffset { func, addend, wide } => (
                    if wide {
                        reloc::FUNCTION_OFFSET_I64
                    } else {
                        reloc::FUNCTION_OFFSET_I32
                    },
                    Some(Sym::Func(func)),
                    addend as i64,
                    if wide { 8 } else { 4 },
                ),
                CustomField::SectionOffset { addend, .. } => {
                    (reloc::SECTION_OFFSET_I32, None, addend as i64, 4)
                }
                CustomField::FuncIndex { func } => {
                    (reloc::FUNCTION_INDEX_I32, Some(Sym::Func(func)), 0, 4)
                }
                CustomField::GlobalIndex { global } => {
                    (reloc::GLOBAL_INDEX_I32, Some(Sym::Global(global)), 0, 4)
                }
                CustomField::MemAddr { data, addend, wide } => (
                    if wide {
                        reloc::MEMORY_ADDR_I64
                    } else {
                        reloc::MEMORY_ADDR_I32
                    },
                    Some(Sym::Data(data)),
                    addend as i64,
                    if wide { 8 } else { 4 },
                ),
            };
            payload.extend_from_slice(&addend.to_le_bytes()[..width]);
            relocs.push((ty, at, sym, addend));
        }
        let relocs = relocs
            .into_iter()
            .map(|(ty, offset, sym, addend)| Reloc {
                ty,
                offset,
                index: sym.map(|s| cx.sym_index[&s]).unwrap_or(u32::MAX),
                addend,
            })
            .collect();
        customs.push((payload, relocs));
    }

    // Assemble the module, counting sections for the relocation sections' targets.
    let mut module = Module::new();
    let mut n_sections = 0u32;
    let mut types = TypeSection::new();
    for (params, results) in &cx.types {
        types
            .ty()
            .function(params.iter().copied(), results.iter().copied());
    }
    module.section(&types);
    module.section(&imports);
    n_sections += 2;
    if !o.funcs.is_empty() {
        module.section(&functions);
        n_sections += 1;
    }
    if !o.tables.is_empty() {
        let mut ts = TableSection::new();
        for t in &o.tables {
            ts.table(funcref_table(t.min));
        }
        module.section(&ts);
        n_sections += 1;
    }
    if !o.tags.is_empty() {
        let mut ts = TagSection::new();
        for _ in &o.tags {
            ts.tag(TagType {
                kind: TagKind::Exception,
                func_type_idx: tag_ty,
            });
        }
        module.section(&ts);
        n_sections += 1;
    }
    if !o.globals.is_empty() {
        let mut gs = GlobalSection::new();
        for g in &o.globals {
            let d = &p.globals[g.global.idx()];
            let init = match d.ty {
                ValType::I32 => ConstExpr::i32_const(g.init as i32),
                ValType::I64 => ConstExpr::i64_const(g.init),
            };
            gs.global(
                GlobalType {
                    val_type: wval(d.ty),
                    mutable: d.mutable,
                    shared: false,
                },
                &init,
            );
        }
        module.section(&gs);
        n_sections += 1;
    }
    let mut code_section = None;
    if !o.funcs.is_empty() {
        // Hand-assembled payload; wasm-encoder's own section must agree with it.
        let mut check = Vec::new();
        use wasm_encoder::Encode;
        code.encode(&mut check);
        debug_assert!(check.ends_with(&code_payload));
        module.section(&RawSection {
            id: 10,
            data: &code_payload,
        });
        code_section = Some(n_sections);
        n_sections += 1;
    }
    let mut data_section = None;
    if !o.segments.is_empty() {
        module.section(&RawSection {
            id: 11,
            data: &data_payload,
        });
        data_section = Some(n_sections);
        n_sections += 1;
    }
    let mut custom_index = Vec::new();
    for (c, (payload, _)) in o.customs.iter().zip(&customs) {
        module.section(&CustomSection {
            name: c.name.as_str().into(),
            data: payload.as_slice().into(),
        });
        custom_index.push(n_sections);
        n_sections += 1;
    }
    let mut section_syms = BTreeMap::new();
    for (i, c) in o.customs.iter().enumerate() {
        if c.section_symbol {
            let mut pl = Vec::new();
            uleb(&mut pl, custom_index[i] as u64);
            section_syms.insert(i, add_sym(stats, 3, flags::LOCAL, pl));
        }
    }
    // Patch SECTION_OFFSET targets.
    for (c, (_, relocs)) in o.customs.iter().zip(customs.iter_mut()) {
        let targets = c.fields.iter().filter_map(|f| match f {
            CustomField::SectionOffset { section, .. } => Some(*section),
            _ => None,
        });
        for (r, t) in relocs
            .iter_mut()
            .filter(|r| r.ty == reloc::SECTION_OFFSET_I32)
            .zip(targets)
        {
            r.index = section_syms[&t];
        }
    }

    // linking
    let mut linking = Vec::new();
    uleb(&mut linking, 2);
    let sub = |linking: &mut Vec<u8>, stats: &mut EncodeStats, ty: u8, payload: Vec<u8>| {
        *stats.subsections.entry(ty).or_default() += 1;
        linking.push(ty);
        uleb(linking, payload.len() as u64);
        linking.extend(payload);
    };
    let mut st = Vec::new();
    uleb(&mut st, symtab.len() as u64);
    for e in &symtab {
        st.extend_from_slice(e);
    }
    sub(&mut linking, stats, 8, st);
    if !o.segments.is_empty() {
        let mut si = Vec::new();
        uleb(&mut si, o.segments.len() as u64);
        for s in &o.segments {
            name(&mut si, &s.name);
            uleb(&mut si, s.align_log2 as u64);
            let mut fl = 0;
            if s.strings {
                fl |= 1;
            }
            if s.tls {
                fl |= 2;
            }
            if s.retain {
                fl |= 4;
            }
            for bit in [1, 2, 4] {
                if fl & bit != 0 {
                    *stats.segment_flags.entry(bit).or_default() += 1;
                }
            }
            uleb(&mut si, fl as u64);
        }
        sub(&mut linking, stats, 5, si);
    }
    if !o.ctors.is_empty() {
        let mut ini = Vec::new();
        uleb(&mut ini, o.ctors.len() as u64);
        for &(prio, f) in &o.ctors {
            uleb(&mut ini, prio as u64);
            uleb(&mut ini, cx.sym_index[&Sym::Func(f)] as u64);
        }
        sub(&mut linking, stats, 6, ini);
    }
    if !o.comdats.is_empty() {
        let mut cd = Vec::new();
        uleb(&mut cd, o.comdats.len() as u64);
        for c in &o.comdats {
            name(&mut cd, &c.name);
            uleb(&mut cd, 0);
            uleb(&mut cd, (c.funcs.len() + c.segments.len()) as u64);
            for &s in &c.segments {
                cd.push(0);
                uleb(&mut cd, s as u64);
            }
            for &f in &c.funcs {
                cd.push(1);
                uleb(&mut cd, cx.func_index[&o.funcs[f].func] as u64);
            }
        }
        sub(&mut linking, stats, 7, cd);
    }
    module.section(&CustomSection {
        name: "linking".into(),
        data: linking.as_slice().into(),
    });

    let reloc_section = |module: &mut Module,
                         stats: &mut EncodeStats,
                         name: &str,
                         target: u32,
                         mut relocs: Vec<Reloc>| {
        if relocs.is_empty() {
            return;
        }
        relocs.sort_by_key(|r| r.offset);
        let mut b = Vec::new();
        uleb(&mut b, target as u64);
        uleb(&mut b, relocs.len() as u64);
        for r in &relocs {
            *stats.relocs.entry(r.ty).or_default() += 1;
            b.push(r.ty);
            uleb(&mut b, r.offset as u64);
            uleb(&mut b, r.index as u64);
            if reloc::addend(r.ty).is_some() {
                sleb(&mut b, r.addend);
            }
        }
        module.section(&CustomSection {
            name: format!("reloc.{name}").into(),
            data: b.as_slice().into(),
        });
    };
    if let Some(s) = code_section {
        reloc_section(&mut module, stats, "CODE", s, code_relocs);
    }
    if let Some(s) = data_section {
        reloc_section(&mut module, stats, "DATA", s, data_relocs);
    }
    for ((c, (_, relocs)), &idx) in o.customs.iter().zip(customs).zip(&custom_index) {
        reloc_section(&mut module, stats, &c.name, idx, relocs);
    }

    // target_features: what the code uses; mutable-globals allows exporting mutable globals.
    let mut features = vec![
        "mutable-globals",
        "reference-types",
        "call-indirect-overlong",
    ];
    if !o.tags.is_empty() || o.funcs.iter().any(|f| matches!(f.body, Body::Throw(_))) {
        features.push("exception-handling");
    }
    // Thread-local data and shared memory need threads (wasm-ld checks both).
    if p.shared_memory || o.segments.iter().any(|s| s.tls) {
        features.extend(["atomics", "bulk-memory"]);
    }
    let mut tf = Vec::new();
    uleb(&mut tf, features.len() as u64);
    for f in features {
        tf.push(b'+');
        name(&mut tf, f);
    }
    module.section(&CustomSection {
        name: "target_features".into(),
        data: tf.as_slice().into(),
    });

    // The archive index lists the global definitions.
    let index = o
        .definitions()
        .into_iter()
        .filter(|(_, b)| !b.local)
        .map(|(s, _)| p.name(s).to_string())
        .collect();
    (module.finish(), index)
}

/// The type of a global as objects see it: the linker's own (`__stack_pointer`, `__tls_base`,
/// `__memory_base`, `__table_base`) are i64 in wasm64.
fn global_ty(p: &Program, g: GlobalId) -> ValType {
    let d = &p.globals[g.idx()];
    if p.wasm64 && d.linker {
        ValType::I64
    } else {
        d.ty
    }
}

/// Emits `i32.const`-style padded immediates with a relocation.
struct BodyW<'a, 'c, 'p> {
    cx: &'c mut Ctx<'p>,
    out: &'a mut Vec<u8>,
    relocs: Vec<Reloc>,
}

impl BodyW<'_, '_, '_> {
    fn i(&mut self, i: Instruction<'_>) {
        instr(self.out, i);
    }
    fn byte(&mut self, b: u8) {
        self.out.push(b);
    }
    /// A padded immediate with a relocation against `index`.
    fn reloc(&mut self, ty: u8, index: u32, value: i64, addend: i64) {
        let (n, signed) = match ty {
            reloc::TABLE_INDEX_SLEB
            | reloc::MEMORY_ADDR_SLEB
            | reloc::MEMORY_ADDR_TLS_SLEB
            | reloc::MEMORY_ADDR_REL_SLEB
            | reloc::TABLE_INDEX_REL_SLEB => (5, true),
            reloc::TABLE_INDEX_SLEB64
            | reloc::MEMORY_ADDR_SLEB64
            | reloc::MEMORY_ADDR_TLS_SLEB64
            | reloc::MEMORY_ADDR_REL_SLEB64
            | reloc::TABLE_INDEX_REL_SLEB64 => (10, true),
            reloc::MEMORY_ADDR_LEB64 => (10, false),
            _ => (5, false),
        };
        self.relocs.push(Reloc {
            ty,
            offset: self.out.len() as u32,
            index,
            addend,
        });
        padded(self.out, value, n, signed);
    }
    fn sym(&self, s: Sym) -> u32 {
        match self.cx.sym_index.get(&s) {
            Some(&i) => i,
            None => panic!(
                "no symbol for {s:?} in {}",
                self.cx
                    .p
                    .objects
                    .iter()
                    .position(|o| std::ptr::eq(o, self.cx.o))
                    .unwrap_or(99)
            ),
        }
    }
    fn func_ref(&mut self, ty: u8, f: FuncId) {
        let idx = self.sym(Sym::Func(f));
        let v = if ty == reloc::FUNCTION_INDEX_LEB {
            self.cx.func_index[&f] as i64
        } else {
            0
        };
        self.reloc(ty, idx, v, 0);
    }
    /// `global.get` of a global name, relocated (`R_WASM_GLOBAL_INDEX_LEB`).
    fn global_get_sym(&mut self, g: GlobalId) {
        let gi = self.sym(Sym::Global(g));
        let gv = self.cx.global_index[&g] as i64;
        self.byte(0x23);
        self.reloc(reloc::GLOBAL_INDEX_LEB, gi, gv, 0);
    }
    fn data_ref(&mut self, ty: u8, d: DataId, addend: u32) {
        let idx = self.sym(Sym::Data(d));
        let v = self.cx.data_addr.get(&d).copied().unwrap_or(0) as i64 + addend as i64;
        self.reloc(ty, idx, v, addend as i64);
    }
    /// Converts the i32 address on top of the stack to the memory's address type (a no-op in
    /// wasm32; addresses stay below 4 GiB).
    fn addr(&mut self) {
        if self.cx.p.wasm64 {
            self.i(Instruction::I64ExtendI32U);
        }
    }
    /// A load from the i32 address on top of the stack, or a store (whose address, below the
    /// value, the caller converted with [`BodyW::addr`]).
    fn memarg(&mut self, op: u8, ty: Option<(u8, DataId, u32)>) {
        if op != I32_STORE8 {
            self.addr();
        }
        self.memarg_raw(op, ty);
    }
    /// A memory access whose address is already of the memory's type. In PIC code a load
    /// at a symbol's address adds its GOT entry to the address instead (`global.get sym@GOT;
    /// i32.add`), and the offset is the addend alone.
    fn memarg_raw(&mut self, op: u8, ty: Option<(u8, DataId, u32)>) {
        if self.cx.p.pic
            && let Some((_, d, addend)) = ty
        {
            debug_assert!(op != I32_STORE8, "PIC stores are written by their callers");
            self.got(Sym::Data(d));
            self.i(Instruction::I32Add);
            self.byte(op);
            self.byte(0);
            uleb(self.out, addend as u64);
            return;
        }
        self.byte(op);
        self.byte(0); // alignment hint 1: loads may be unaligned
        match ty {
            Some((t, d, addend)) => self.data_ref(t, d, addend),
            None => self.byte(0),
        }
    }
    /// `global.get sym@GOT` (`R_WASM_GLOBAL_INDEX_LEB` against a data or function symbol): the
    /// GOT entry holding its address or table slot, as PIC code reaches a symbol (0 when it is
    /// undefined and weak).
    fn got(&mut self, s: Sym) {
        let idx = self.sym(s);
        let v = self.cx.got_index.get(&s).copied().unwrap_or(0) as i64;
        self.byte(0x23);
        self.reloc(reloc::GLOBAL_INDEX_LEB, idx, v, 0);
    }
    fn call_indirect(&mut self, sig: Sig) {
        // The function table is 64-bit in wasm64.
        self.addr();
        let t = self.cx.sig_type(sig);
        self.byte(0x11);
        self.reloc(reloc::TYPE_INDEX_LEB, t, t as i64, 0);
        let ift = self.cx.ift.expect("table imported for call_indirect");
        self.reloc(reloc::TABLE_NUMBER_LEB, ift, 0, 0);
    }
    /// `local.tee tmp; i32.eqz; if (result i64) i64.const -1 else <then> end`: `then` finds
    /// the (non-null) value in local `tmp`.
    fn null_checked(&mut self, tmp: u32, then: impl FnOnce(&mut Self)) {
        self.i(Instruction::LocalTee(tmp));
        self.i(Instruction::I32Eqz);
        self.i(Instruction::If(wasm_encoder::BlockType::Result(WVal::I64)));
        self.i(Instruction::I64Const(-1));
        self.i(Instruction::Else);
        then(self);
        self.i(Instruction::End);
    }
}

const I64_LOAD: u8 = 0x29;
const I32_LOAD: u8 = 0x28;
const I64_LOAD8_U: u8 = 0x31;
const I64_LOAD16_U: u8 = 0x33;
const I64_LOAD32_U: u8 = 0x35;
const I32_STORE8: u8 = 0x3a;
const I32_LOAD8_U: u8 = 0x2d;

fn load_op(width: u8) -> u8 {
    match width {
        1 => I64_LOAD8_U,
        2 => I64_LOAD16_U,
        4 => I64_LOAD32_U,
        _ => I64_LOAD,
    }
}

fn encode_body(cx: &mut Ctx<'_>, f: &FuncDef) -> (Vec<u8>, Vec<Reloc>) {
    let mut out = vec![1, 1, 0x7f]; // one i32 local
    debug_assert_eq!(out.len() as u32, LOCALS_DECL_LEN);
    let sig = sig_of(cx.p, f.func);
    let tmp = if sig == Sig::Unary { 1 } else { 0 };
    let mut w = BodyW {
        cx,
        out: &mut out,
        relocs: Vec::new(),
    };
    match &f.body {
        Body::Value { base, probes } => {
            w.i(Instruction::I64Const(*base));
            if sig == Sig::Unary {
                w.i(Instruction::LocalGet(0));
                w.i(Instruction::I64Add);
            }
            for p in probes {
                w.i(Instruction::I64Const(31));
                w.i(Instruction::I64Mul);
                encode_probe(&mut w, p, tmp);
                w.i(Instruction::I64Add);
            }
        }
        Body::Ctor { log_id, updates } if w.cx.p.pic => {
            // The same through the log's GOT entry: stores cannot add it below their value.
            let log = w.cx.p.log.expect("ctors come with a log");
            let log_sym = Sym::Data(log);
            w.got(log_sym);
            w.got(log_sym);
            w.memarg_raw(I32_LOAD8_U, None);
            w.i(Instruction::I32Add);
            w.i(Instruction::I32Const(*log_id as i32));
            w.byte(I32_STORE8);
            w.byte(0);
            w.byte(1);
            w.got(log_sym);
            w.got(log_sym);
            w.memarg_raw(I32_LOAD8_U, None);
            w.i(Instruction::I32Const(1));
            w.i(Instruction::I32Add);
            w.memarg_raw(I32_STORE8, None);
            global_updates(&mut w, updates);
        }
        Body::Ctor { log_id, updates } => {
            let log = w.cx.p.log.expect("ctors come with a log");
            // log[1 + log[0]] = id; log[0] += 1
            w.i(Instruction::I32Const(0));
            w.memarg(I32_LOAD8_U, Some((reloc::MEMORY_ADDR_LEB, log, 0)));
            w.addr();
            w.i(Instruction::I32Const(*log_id as i32));
            w.memarg(I32_STORE8, Some((reloc::MEMORY_ADDR_LEB, log, 1)));
            w.i(Instruction::I32Const(0));
            w.addr();
            w.i(Instruction::I32Const(0));
            w.memarg(I32_LOAD8_U, Some((reloc::MEMORY_ADDR_LEB, log, 0)));
            w.i(Instruction::I32Const(1));
            w.i(Instruction::I32Add);
            w.memarg(I32_STORE8, Some((reloc::MEMORY_ADDR_LEB, log, 0)));
            global_updates(&mut w, updates);
        }
        Body::Throw(t) => {
            w.i(Instruction::I32Const(0));
            let ti = w.sym(Sym::Tag(*t));
            let tv = w.cx.tag_index[t] as i64;
            w.byte(0x08);
            w.reloc(reloc::TAG_INDEX_LEB, ti, tv, 0);
        }
    }
    w.i(Instruction::End);
    let relocs = w.relocs;
    (out, relocs)
}

/// A constructor's global updates: `g = g * 3 + k` for each.
fn global_updates(w: &mut BodyW<'_, '_, '_>, updates: &[(GlobalId, i64)]) {
    for &(g, k) in updates {
        let gi = w.sym(Sym::Global(g));
        let gv = w.cx.global_index[&g] as i64;
        let ty = w.cx.p.globals[g.idx()].ty;
        w.byte(0x23);
        w.reloc(reloc::GLOBAL_INDEX_LEB, gi, gv, 0);
        match ty {
            ValType::I32 => {
                w.i(Instruction::I32Const(3));
                w.i(Instruction::I32Mul);
                w.i(Instruction::I32Const(k as i32));
                w.i(Instruction::I32Add);
            }
            ValType::I64 => {
                w.i(Instruction::I64Const(3));
                w.i(Instruction::I64Mul);
                w.i(Instruction::I64Const(k));
                w.i(Instruction::I64Add);
            }
        }
        w.byte(0x24);
        w.reloc(reloc::GLOBAL_INDEX_LEB, gi, gv, 0);
    }
}

/// The symbols object `o`'s code reaches through `global.get sym@GOT`, in order of first use
/// (as [`encode_probe`] and the constructors write them).
fn got_symbols(p: &Program, o: &Object) -> Vec<Sym> {
    let mut out: Vec<Sym> = Vec::new();
    let mut add = |s: Sym| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for f in &o.funcs {
        match &f.body {
            Body::Ctor { .. } if p.pic => {
                if let Some(log) = p.log {
                    add(Sym::Data(log));
                }
            }
            Body::Value { probes, .. } => {
                for pr in probes {
                    match *pr {
                        Probe::Load {
                            data,
                            via: AddrVia::TlsGot,
                            ..
                        } if !p.shared_memory => add(Sym::Data(data)),
                        _ if !p.pic => {}
                        Probe::FuncIsNull { func }
                        | Probe::CallIndirect {
                            func, rel: false, ..
                        } => add(Sym::Func(func)),
                        Probe::Load {
                            data,
                            via:
                                AddrVia::Const | AddrVia::Const64 | AddrVia::MemArg | AddrVia::MemArg64,
                            ..
                        }
                        | Probe::DataIsNull { data } => add(Sym::Data(data)),
                        Probe::LoadPtr { slot, .. }
                        | Probe::CallPtr { slot, .. }
                        | Probe::LoadLocrel { slot, .. } => add(Sym::Data(slot)),
                        Probe::CtorLog { .. } => {
                            if let Some(log) = p.log {
                                add(Sym::Data(log));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn encode_probe(w: &mut BodyW<'_, '_, '_>, p: &Probe, tmp: u32) {
    let prog = w.cx.p;
    match *p {
        Probe::Call { func, arg } => {
            if sig_of(prog, func) == Sig::Unary {
                w.i(Instruction::I64Const(arg));
            }
            w.byte(0x10);
            w.func_ref(reloc::FUNCTION_INDEX_LEB, func);
        }
        Probe::CallIndirect {
            func,
            arg,
            wide,
            rel,
        } => {
            let sig = sig_of(prog, func);
            let (narrow_ty, wide_ty) = if rel {
                (reloc::TABLE_INDEX_REL_SLEB, reloc::TABLE_INDEX_REL_SLEB64)
            } else {
                (reloc::TABLE_INDEX_SLEB, reloc::TABLE_INDEX_SLEB64)
            };
            if rel && prog.wasm64 {
                // `__table_base` is an i64 there: add in 64 bits, then take the slot.
                if wide {
                    w.byte(0x42);
                    w.func_ref(wide_ty, func);
                } else {
                    w.byte(0x41);
                    w.func_ref(narrow_ty, func);
                    w.i(Instruction::I64ExtendI32U);
                }
                if let Some((_, t)) = prog.pic_bases {
                    w.global_get_sym(t);
                    w.i(Instruction::I64Add);
                }
                w.i(Instruction::I32WrapI64);
            } else if prog.pic && !rel {
                // PIC code takes the slot from the function's GOT entry.
                w.got(Sym::Func(func));
            } else {
                if wide {
                    w.byte(0x42);
                    w.func_ref(wide_ty, func);
                    w.i(Instruction::I32WrapI64);
                } else {
                    w.byte(0x41);
                    w.func_ref(narrow_ty, func);
                }
                if rel && let Some((_, t)) = prog.pic_bases {
                    w.global_get_sym(t);
                    w.i(Instruction::I32Add);
                }
            }
            w.null_checked(tmp, |w| {
                if sig == Sig::Unary {
                    w.i(Instruction::I64Const(arg));
                }
                w.i(Instruction::LocalGet(tmp));
                w.call_indirect(sig);
            });
        }
        Probe::FuncIsNull { func } => {
            if prog.pic {
                w.got(Sym::Func(func));
            } else {
                w.byte(0x41);
                w.func_ref(reloc::TABLE_INDEX_SLEB, func);
            }
            w.i(Instruction::I32Eqz);
            w.i(Instruction::I64ExtendI32U);
        }
        Probe::Load {
            data,
            offset,
            width,
            via,
        } => match via {
            AddrVia::MemArg | AddrVia::MemArg64 => {
                w.i(Instruction::I32Const(0));
                let ty = if via == AddrVia::MemArg {
                    reloc::MEMORY_ADDR_LEB
                } else {
                    reloc::MEMORY_ADDR_LEB64
                };
                w.memarg(load_op(width), Some((ty, data, offset)));
            }
            AddrVia::MemRel | AddrVia::MemRel64 if prog.wasm64 => {
                // `__memory_base` is an i64 there: add in 64 bits, then null-check.
                if via == AddrVia::MemRel {
                    w.byte(0x41);
                    w.data_ref(reloc::MEMORY_ADDR_REL_SLEB, data, offset);
                    w.i(Instruction::I64ExtendI32U);
                } else {
                    w.byte(0x42);
                    w.data_ref(reloc::MEMORY_ADDR_REL_SLEB64, data, offset);
                }
                if let Some((m, _)) = prog.pic_bases {
                    w.global_get_sym(m);
                    w.i(Instruction::I64Add);
                }
                w.i(Instruction::I32WrapI64);
                w.null_checked(tmp, |w| {
                    w.i(Instruction::LocalGet(tmp));
                    w.memarg(load_op(width), None)
                });
            }
            AddrVia::MemRel | AddrVia::MemRel64 => {
                if via == AddrVia::MemRel {
                    w.byte(0x41);
                    w.data_ref(reloc::MEMORY_ADDR_REL_SLEB, data, offset);
                } else {
                    w.byte(0x42);
                    w.data_ref(reloc::MEMORY_ADDR_REL_SLEB64, data, offset);
                    w.i(Instruction::I32WrapI64);
                }
                if let Some((m, _)) = prog.pic_bases {
                    w.global_get_sym(m);
                    w.i(Instruction::I32Add);
                }
                w.null_checked(tmp, |w| {
                    w.i(Instruction::LocalGet(tmp));
                    w.memarg(load_op(width), None)
                });
            }
            // Under shared memory a TLS GOT entry holds the thread's address only once
            // `__wasm_init_tls` ran, which nothing calls for the main thread (wasm-ld's
            // `__wasm_init_memory` sets `__tls_base` but not the GOT): there the probe reads
            // through `__tls_base` instead. tests/threads.rs checks that link structurally.
            AddrVia::TlsGot if !prog.shared_memory => {
                w.got(Sym::Data(data));
                // The entry is an address of the memory's type; the offset goes in the memarg.
                w.byte(load_op(width));
                w.byte(0);
                uleb(w.out, offset as u64);
            }
            AddrVia::Tls | AddrVia::Tls64 | AddrVia::TlsGot if prog.wasm64 => {
                // `__tls_base` is an i64 there.
                if let Some(g) = prog.tls_base {
                    w.global_get_sym(g);
                }
                if via == AddrVia::Tls {
                    w.byte(0x41);
                    w.data_ref(reloc::MEMORY_ADDR_TLS_SLEB, data, offset);
                    w.i(Instruction::I64ExtendI32U);
                } else {
                    w.byte(0x42);
                    w.data_ref(reloc::MEMORY_ADDR_TLS_SLEB64, data, offset);
                }
                w.i(Instruction::I64Add);
                w.memarg_raw(load_op(width), None);
            }
            AddrVia::Tls | AddrVia::Tls64 | AddrVia::TlsGot => {
                if let Some(g) = prog.tls_base {
                    w.global_get_sym(g);
                }
                if via == AddrVia::Tls {
                    w.byte(0x41);
                    w.data_ref(reloc::MEMORY_ADDR_TLS_SLEB, data, offset);
                } else {
                    w.byte(0x42);
                    w.data_ref(reloc::MEMORY_ADDR_TLS_SLEB64, data, offset);
                    w.i(Instruction::I32WrapI64);
                }
                w.i(Instruction::I32Add);
                w.memarg(load_op(width), None);
            }
            AddrVia::Const | AddrVia::Const64 if prog.pic => {
                // The GOT entry is null-checked, then the offset goes in the memarg.
                w.got(Sym::Data(data));
                w.null_checked(tmp, |w| {
                    w.i(Instruction::LocalGet(tmp));
                    w.byte(load_op(width));
                    w.byte(0);
                    uleb(w.out, offset as u64);
                });
            }
            AddrVia::Const | AddrVia::Const64 => {
                if via == AddrVia::Const {
                    w.byte(0x41);
                    w.data_ref(reloc::MEMORY_ADDR_SLEB, data, offset);
                } else {
                    w.byte(0x42);
                    w.data_ref(reloc::MEMORY_ADDR_SLEB64, data, offset);
                    w.i(Instruction::I32WrapI64);
                }
                w.null_checked(tmp, |w| {
                    w.i(Instruction::LocalGet(tmp));
                    w.memarg(load_op(width), None)
                });
            }
        },
        Probe::DataIsNull { data } => {
            if prog.pic {
                w.got(Sym::Data(data));
            } else {
                w.byte(0x41);
                w.data_ref(reloc::MEMORY_ADDR_SLEB, data, 0);
            }
            w.i(Instruction::I32Eqz);
            w.i(Instruction::I64ExtendI32U);
        }
        Probe::AbsAddr { data } => {
            w.byte(0x41);
            w.data_ref(reloc::MEMORY_ADDR_SLEB, data, 0);
            w.i(Instruction::I64ExtendI32U);
        }
        Probe::LoadPtr { slot, offset, wide } => {
            w.i(Instruction::I32Const(0));
            if wide {
                w.memarg(I64_LOAD, Some((reloc::MEMORY_ADDR_LEB, slot, offset)));
                w.i(Instruction::I32WrapI64);
            } else {
                w.memarg(I32_LOAD, Some((reloc::MEMORY_ADDR_LEB, slot, offset)));
            }
            w.null_checked(tmp, |w| {
                w.i(Instruction::LocalGet(tmp));
                w.memarg(I64_LOAD8_U, None)
            });
        }
        Probe::LoadLocrel { slot, offset } => {
            // P + *P is the target's address.
            if prog.pic {
                w.got(Sym::Data(slot));
                if offset != 0 {
                    w.i(Instruction::I32Const(offset as i32));
                    w.i(Instruction::I32Add);
                }
            } else {
                w.byte(0x41);
                w.data_ref(reloc::MEMORY_ADDR_SLEB, slot, offset);
            }
            w.i(Instruction::LocalTee(tmp));
            w.i(Instruction::LocalGet(tmp));
            w.memarg(I32_LOAD, None);
            w.i(Instruction::I32Add);
            w.memarg(I64_LOAD8_U, None);
            // (`memarg` widens each address in wasm64.)
        }
        Probe::CallPtr { slot, offset, wide } => {
            w.i(Instruction::I32Const(0));
            if wide {
                w.memarg(I64_LOAD, Some((reloc::MEMORY_ADDR_LEB, slot, offset)));
                w.i(Instruction::I32WrapI64);
            } else {
                w.memarg(I32_LOAD, Some((reloc::MEMORY_ADDR_LEB, slot, offset)));
            }
            w.null_checked(tmp, |w| {
                w.i(Instruction::LocalGet(tmp));
                w.call_indirect(Sig::Nullary)
            });
        }
        Probe::GlobalGet { global } => {
            let gi = w.sym(Sym::Global(global));
            let gv = w.cx.global_index[&global] as i64;
            w.byte(0x23);
            w.reloc(reloc::GLOBAL_INDEX_LEB, gi, gv, 0);
            if global_ty(prog, global) == ValType::I32 {
                w.i(Instruction::I64ExtendI32S);
            }
        }
        Probe::TableSize { table } => {
            let ti = w.sym(Sym::Table(table));
            let tv = w.cx.table_index[&table] as i64;
            w.byte(0xfc);
            w.byte(16);
            w.reloc(reloc::TABLE_NUMBER_LEB, ti, tv, 0);
            w.i(Instruction::I64ExtendI32U);
        }
        Probe::CtorLog { part } => {
            let log = prog.log.expect("log");
            w.i(Instruction::I32Const(0));
            w.memarg(
                I64_LOAD,
                Some((reloc::MEMORY_ADDR_LEB, log, 8 * part as u32)),
            );
        }
    }
}

/// A GNU `ar` archive with a symbol index (`/` member) listing `index` names per member.
pub fn archive(members: &[(String, Vec<u8>, Vec<String>)]) -> Vec<u8> {
    fn header(out: &mut Vec<u8>, name: &str, size: usize) {
        let mut h = format!(
            "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
            0, 0, 0, 644, size
        );
        if name == "/" {
            h = format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", 0, 0, 0, 0, size);
        }
        debug_assert_eq!(h.len(), 60);
        out.extend_from_slice(h.as_bytes());
    }
    let n_syms: usize = members.iter().map(|m| m.2.len()).sum();
    let names_len: usize = members.iter().flat_map(|m| &m.2).map(|n| n.len() + 1).sum();
    let symtab_size = 4 + 4 * n_syms + names_len;
    let symtab_padded = symtab_size + symtab_size % 2;
    // Member offsets: after the magic, the index member and the members before.
    let mut offsets = Vec::new();
    let mut at = 8 + 60 + symtab_padded;
    for m in members {
        offsets.push(at);
        at += 60 + m.1.len() + m.1.len() % 2;
    }
    let mut out = b"!<arch>\n".to_vec();
    header(&mut out, "/", symtab_size);
    out.extend_from_slice(&(n_syms as u32).to_be_bytes());
    for (m, &off) in members.iter().zip(&offsets) {
        for _ in &m.2 {
            out.extend_from_slice(&(off as u32).to_be_bytes());
        }
    }
    for m in members {
        for n in &m.2 {
            out.extend_from_slice(n.as_bytes());
            out.push(0);
        }
    }
    if symtab_size % 2 == 1 {
        out.push(b'\n');
    }
    for m in members {
        header(&mut out, &format!("{}/", m.0), m.1.len());
        out.extend_from_slice(&m.1);
        if m.1.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
    out
}
