//! The program model: plain data describing a set of relocatable objects (some of them archive
//! members), the symbols they define and reference, and what their code computes.
//!
//! Symbols are named by typed ids into the program-wide declaration tables ([`Program::funcs`],
//! [`Program::datas`], …); every declaration has one name, and each object says which of those
//! names it defines (and how) and which it references weakly. A reference to a name the object
//! does not define becomes an undefined symbol of that object.

use std::collections::BTreeSet;

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The id as an index into its table.
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// An object of [`Program::objects`].
    ObjId
);
id!(
    /// A function name of [`Program::funcs`].
    FuncId
);
id!(
    /// A data symbol name of [`Program::datas`].
    DataId
);
id!(
    /// A global name of [`Program::globals`].
    GlobalId
);
id!(
    /// A table name of [`Program::tables`].
    TableId
);
id!(
    /// A tag name of [`Program::tags`].
    TagId
);

/// A symbol name of any kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sym {
    /// A function.
    Func(FuncId),
    /// A data symbol.
    Data(DataId),
    /// A global.
    Global(GlobalId),
    /// A table.
    Table(TableId),
    /// A tag.
    Tag(TagId),
}

/// A whole link: objects in command-line order (archive members are put, in this order, into
/// one archive `lib.a` that comes after every command-line object).
#[derive(Debug, Clone)]
pub struct Program {
    /// The objects; those with `in_archive` become members of `lib.a`.
    pub objects: Vec<Object>,
    /// Function names.
    pub funcs: Vec<FuncDecl>,
    /// Data symbol names.
    pub datas: Vec<DataDecl>,
    /// Global names.
    pub globals: Vec<GlobalDecl>,
    /// Table names (tables defined by objects, besides `__indirect_function_table`).
    pub tables: Vec<TableDecl>,
    /// Tag names.
    pub tags: Vec<TagDecl>,
    /// The ctor log: a 16-byte `.bss` buffer defined in object 0; byte 0 counts the
    /// constructors that ran, bytes 1.. are their ids in order.
    pub log: Option<DataId>,
    /// Link with `--export-dynamic`.
    pub export_dynamic: bool,
    /// Names given as `--export=NAME` (besides the check functions and `__wasm_call_ctors`).
    pub cli_exports: Vec<Sym>,
    /// `__tls_base`, the linker's global that TLS loads add to, when there is TLS data.
    pub tls_base: Option<GlobalId>,
    /// `__memory_base` and `__table_base`, read as globals by the `REL` probes.
    pub pic_bases: Option<(GlobalId, GlobalId)>,
    /// Link with `--shared-memory` (passive segments initialised by `__wasm_init_memory`).
    pub shared_memory: bool,
    /// wasm64 objects, linked with `-m wasm64`: a 64-bit memory and function table, i64
    /// addresses in loads, stores and `call_indirect`, i64 linker globals.
    pub wasm64: bool,
    /// Position-independent code: addresses in code come from GOT entries (`global.get
    /// sym@GOT`) or are `__memory_base`/`__table_base`-relative, never absolute; the runner
    /// links such a program `-pie` as well and runs it through a loader (spec/dynamic.md).
    pub pic: bool,
}

/// A function signature. Every function the model calls returns an `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sig {
    /// `() -> i64`
    Nullary,
    /// `(i64) -> i64`
    Unary,
    /// `() -> ()`: constructors.
    Ctor,
    /// `() -> ()` too, for tag users (they `throw`, so they never return).
    Thrower,
}

/// What a function name is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuncRole {
    /// A value function: returns a checksum of its probes.
    Value,
    /// An exported check function: its result is compared with the oracle's.
    Check,
    /// A constructor (always local to its object).
    Ctor,
    /// A function that throws a tag (linked and checked structurally, never executed).
    Thrower,
    /// A function imported from the host (the runner provides it); never defined.
    Host {
        /// Import module.
        module: &'static str,
        /// Import field name.
        field: &'static str,
    },
}

/// A function name.
#[derive(Debug, Clone)]
pub struct FuncDecl {
    /// Symbol name.
    pub name: String,
    /// Signature (the same in every definition and reference).
    pub sig: Sig,
    /// Role.
    pub role: FuncRole,
    /// `VISIBILITY_HIDDEN` on every definition.
    pub hidden: bool,
}

/// What kind of segment a data name lives in; decides which probes may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// Ordinary `.data`/`.rodata` bytes.
    Plain,
    /// `.bss`: zeros.
    Bss,
    /// A NUL-terminated string in a `STRINGS` segment.
    Str,
    /// Pointer slots (relocated data: addresses, table indices, LOCREL offsets).
    Ptr,
    /// An `ABSOLUTE` symbol at a fixed address.
    Abs(u32),
    /// The ctor log.
    Log,
    /// Thread-local data (a `.tdata`/`.tbss` segment with the TLS flag): read only through
    /// `__tls_base` and a TLS relocation.
    Tls,
}

/// A data symbol name.
#[derive(Debug, Clone)]
pub struct DataDecl {
    /// Symbol name.
    pub name: String,
    /// Kind of segment.
    pub kind: DataKind,
    /// Size in bytes (the same in every definition).
    pub size: u32,
    /// `VISIBILITY_HIDDEN`.
    pub hidden: bool,
}

/// A value type of a global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
}

/// A global name.
#[derive(Debug, Clone)]
pub struct GlobalDecl {
    /// Symbol name.
    pub name: String,
    /// Type.
    pub ty: ValType,
    /// Mutable (constructors may update it).
    pub mutable: bool,
    /// `VISIBILITY_HIDDEN`.
    pub hidden: bool,
    /// Imported from the host `(module, field)` with this value, never defined.
    pub host: Option<(&'static str, &'static str, i64)>,
    /// Defined by the linker (`__stack_pointer`), never by an object.
    pub linker: bool,
}

/// A table name (a funcref table an object defines).
#[derive(Debug, Clone)]
pub struct TableDecl {
    /// Symbol name.
    pub name: String,
}

/// A tag name (`(i32)` payload).
#[derive(Debug, Clone)]
pub struct TagDecl {
    /// Symbol name.
    pub name: String,
}

/// Binding and flags of one definition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Binding {
    /// `BINDING_WEAK`.
    pub weak: bool,
    /// `BINDING_LOCAL`.
    pub local: bool,
    /// `EXPORTED`.
    pub exported: bool,
    /// `NO_STRIP`.
    pub no_strip: bool,
}

/// One object file.
#[derive(Debug, Clone)]
pub struct Object {
    /// File name (`oN.o`; archive members keep it as their member name).
    pub file: String,
    /// A member of `lib.a` rather than a command-line object.
    pub in_archive: bool,
    /// Defined functions.
    pub funcs: Vec<FuncDef>,
    /// Data segments.
    pub segments: Vec<Segment>,
    /// `ABSOLUTE` data symbols defined here.
    pub abs_datas: Vec<(DataId, Binding)>,
    /// Defined globals.
    pub globals: Vec<GlobalDef>,
    /// Defined tables.
    pub tables: Vec<TableDef>,
    /// Defined tags.
    pub tags: Vec<(TagId, Binding)>,
    /// Constructors (`WASM_INIT_FUNCS`): priority and a function defined here.
    pub ctors: Vec<(u32, FuncId)>,
    /// COMDAT groups declared here.
    pub comdats: Vec<Comdat>,
    /// Names referenced weakly when undefined here; other references are strong.
    pub weak_refs: BTreeSet<Sym>,
    /// Custom sections, with relocated fields.
    pub customs: Vec<CustomSection>,
}

/// A defined function.
#[derive(Debug, Clone)]
pub struct FuncDef {
    /// The name.
    pub func: FuncId,
    /// Binding and flags.
    pub binding: Binding,
    /// The code.
    pub body: Body,
}

/// What a function's code does.
#[derive(Debug, Clone)]
pub enum Body {
    /// `acc = base (+ the argument if unary); for each probe: acc = acc * 31 + probe`.
    Value {
        /// Starting value.
        base: i64,
        /// The probes.
        probes: Vec<Probe>,
    },
    /// A constructor: appends `log_id` to the ctor log (and counts it in byte 0), then
    /// `g = g * 3 + k` for each update.
    Ctor {
        /// The byte appended to the log.
        log_id: u8,
        /// Mutable globals to update.
        updates: Vec<(GlobalId, i64)>,
    },
    /// `i32.const 0; throw tag`.
    Throw(TagId),
}

/// How a data address reaches a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrVia {
    /// `i32.const 0; load offset=sym` (`R_WASM_MEMORY_ADDR_LEB`).
    MemArg,
    /// The same with a 10-byte offset (`R_WASM_MEMORY_ADDR_LEB64`).
    MemArg64,
    /// `i32.const sym` (`R_WASM_MEMORY_ADDR_SLEB`), null-checked.
    Const,
    /// `i64.const sym; i32.wrap_i64` (`R_WASM_MEMORY_ADDR_SLEB64`), null-checked.
    Const64,
    /// `global.get __tls_base; i32.const sym@TLS; i32.add` (`R_WASM_MEMORY_ADDR_TLS_SLEB`), for
    /// [`DataKind::Tls`] only.
    Tls,
    /// The same with `i64.const sym@TLS; i32.wrap_i64` (`R_WASM_MEMORY_ADDR_TLS_SLEB64`).
    Tls64,
    /// `global.get sym@GOT@TLS` (`R_WASM_GLOBAL_INDEX_LEB` against the TLS symbol): a GOT
    /// global holding the thread's address of it.
    TlsGot,
    /// `global.get __memory_base; i32.const sym@MBREL; i32.add` (`R_WASM_MEMORY_ADDR_REL_SLEB`),
    /// null-checked: PIC code's addressing, which the linker resolves statically outside PIC
    /// (`__memory_base` is then a GOT global holding 0).
    MemRel,
    /// The same with `i64.const sym@MBREL; i32.wrap_i64` (`R_WASM_MEMORY_ADDR_REL_SLEB64`).
    MemRel64,
}

/// One observation a function makes; each pushes an `i64`.
#[derive(Debug, Clone)]
pub enum Probe {
    /// Direct `call` (`R_WASM_FUNCTION_INDEX_LEB`); traps for an undefined weak function.
    Call {
        /// Callee.
        func: FuncId,
        /// Argument for a unary callee.
        arg: i64,
    },
    /// `call_indirect` through `i32.const f` / `i64.const f` (`TABLE_INDEX_SLEB[64]`,
    /// `TYPE_INDEX_LEB`, `TABLE_NUMBER_LEB`); -1 when the address is null.
    CallIndirect {
        /// Callee.
        func: FuncId,
        /// Argument for a unary callee.
        arg: i64,
        /// Use `i64.const` (`R_WASM_TABLE_INDEX_SLEB64`).
        wide: bool,
        /// Relative to `__table_base`: `global.get __table_base; i32.const f@TBREL; i32.add`
        /// (`R_WASM_TABLE_INDEX_REL_SLEB`, or `_REL_SLEB64` when `wide`), as PIC code takes a
        /// function's address; outside PIC the linker resolves it statically. Strong only.
        rel: bool,
    },
    /// 1 if the function's table index is 0 (undefined weak), else 0.
    FuncIsNull {
        /// The function.
        func: FuncId,
    },
    /// Load `width` bytes (zero-extended) at `offset` into a data symbol; -1 when a
    /// null-checked address is null.
    Load {
        /// The symbol.
        data: DataId,
        /// Offset into it (also the relocation's addend).
        offset: u32,
        /// 1, 2, 4 or 8.
        width: u8,
        /// Addressing.
        via: AddrVia,
    },
    /// 1 if the data symbol's address is 0 (undefined weak), else 0.
    DataIsNull {
        /// The symbol.
        data: DataId,
    },
    /// The address of an `ABSOLUTE` symbol.
    AbsAddr {
        /// The symbol.
        data: DataId,
    },
    /// Load the pointer at `slot + offset` (4 or 8 bytes) and the byte it points to; -1 if null.
    LoadPtr {
        /// A [`DataKind::Ptr`] symbol.
        slot: DataId,
        /// Offset of the pointer field.
        offset: u32,
        /// 8-byte pointer (`R_WASM_MEMORY_ADDR_I64`).
        wide: bool,
    },
    /// Follow the `LOCREL` field at `slot + offset` and load the byte it reaches.
    LoadLocrel {
        /// A [`DataKind::Ptr`] symbol.
        slot: DataId,
        /// Offset of the field.
        offset: u32,
    },
    /// Load the function pointer at `slot + offset` and `call_indirect` it; -1 if null.
    CallPtr {
        /// A [`DataKind::Ptr`] symbol.
        slot: DataId,
        /// Offset of the field.
        offset: u32,
        /// 8-byte field (`R_WASM_TABLE_INDEX_I64`).
        wide: bool,
    },
    /// `global.get` (sign-extended for `i32`).
    GlobalGet {
        /// The global.
        global: GlobalId,
    },
    /// `table.size` of a defined table.
    TableSize {
        /// The table.
        table: TableId,
    },
    /// Eight bytes of the ctor log, from byte `8 * part`.
    CtorLog {
        /// 0 or 1.
        part: u8,
    },
}

/// A data segment.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Segment name (`.data.x`, `.rodata.x`, `.bss.x`, `.rodata.str1.1`).
    pub name: String,
    /// log2 of the alignment.
    pub align_log2: u32,
    /// `WASM_SEGMENT_FLAG_STRINGS`.
    pub strings: bool,
    /// `WASM_SEG_FLAG_RETAIN`.
    pub retain: bool,
    /// `WASM_SEGMENT_FLAG_TLS` (its symbols get `WASM_SYM_TLS`).
    pub tls: bool,
    /// Contents (before relocation).
    pub bytes: Vec<u8>,
    /// Symbols defined in it.
    pub symbols: Vec<DataSymDef>,
    /// Relocated fields.
    pub relocs: Vec<DataReloc>,
}

/// A data symbol defined in a segment.
#[derive(Debug, Clone)]
pub struct DataSymDef {
    /// The name.
    pub data: DataId,
    /// Offset in the segment.
    pub offset: u32,
    /// Binding and flags.
    pub binding: Binding,
}

/// A relocated field of a data segment.
#[derive(Debug, Clone)]
pub struct DataReloc {
    /// Offset in the segment.
    pub offset: u32,
    /// What is written there.
    pub kind: DataRelocKind,
}

/// Relocations in data.
#[derive(Debug, Clone, Copy)]
pub enum DataRelocKind {
    /// `R_WASM_MEMORY_ADDR_I32` (`wide`: `_I64`).
    MemAddr {
        /// Target.
        target: DataId,
        /// Addend.
        addend: u32,
        /// 8 bytes.
        wide: bool,
    },
    /// `R_WASM_MEMORY_ADDR_LOCREL_I32`.
    Locrel {
        /// Target.
        target: DataId,
        /// Addend.
        addend: u32,
    },
    /// `R_WASM_TABLE_INDEX_I32` (`wide`: `_I64`).
    TableIndex {
        /// Target.
        func: FuncId,
        /// 8 bytes.
        wide: bool,
    },
}

impl DataRelocKind {
    /// Width of the field in bytes.
    pub fn width(self) -> u32 {
        match self {
            DataRelocKind::MemAddr { wide: true, .. }
            | DataRelocKind::TableIndex { wide: true, .. } => 8,
            _ => 4,
        }
    }
}

/// A defined global.
#[derive(Debug, Clone)]
pub struct GlobalDef {
    /// The name.
    pub global: GlobalId,
    /// Binding and flags.
    pub binding: Binding,
    /// Initial value (truncated for `i32`).
    pub init: i64,
}

/// A defined table.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The name.
    pub table: TableId,
    /// Binding and flags.
    pub binding: Binding,
    /// Minimum size.
    pub min: u32,
}

/// A COMDAT group: functions (indices into [`Object::funcs`]) and segments (into
/// [`Object::segments`]).
#[derive(Debug, Clone)]
pub struct Comdat {
    /// Group name.
    pub name: String,
    /// Member functions.
    pub funcs: Vec<usize>,
    /// Member segments.
    pub segments: Vec<usize>,
}

/// A custom section of one object: fields, each optionally relocated.
#[derive(Debug, Clone)]
pub struct CustomSection {
    /// Section name (`.debug_info`, `.debug_abbrev`, `.debug_ranges`, or a non-debug name).
    pub name: String,
    /// A `SYMTAB_SECTION` symbol names this section (target of `SECTION_OFFSET_I32`).
    pub section_symbol: bool,
    /// The contents, in order.
    pub fields: Vec<CustomField>,
}

/// A field of a custom section.
#[derive(Debug, Clone)]
pub enum CustomField {
    /// Unrelocated bytes.
    Bytes(Vec<u8>),
    /// `R_WASM_FUNCTION_OFFSET_I32` / `_I64`.
    FuncOffset {
        /// Target.
        func: FuncId,
        /// Addend (0, or the size of the locals declaration: the first instruction).
        addend: u32,
        /// 8 bytes.
        wide: bool,
    },
    /// `R_WASM_SECTION_OFFSET_I32` against this object's custom section `section`.
    SectionOffset {
        /// Index into [`Object::customs`] (a section with `section_symbol`).
        section: usize,
        /// Addend.
        addend: u32,
    },
    /// `R_WASM_FUNCTION_INDEX_I32`.
    FuncIndex {
        /// Target.
        func: FuncId,
    },
    /// `R_WASM_GLOBAL_INDEX_I32`.
    GlobalIndex {
        /// Target.
        global: GlobalId,
    },
    /// `R_WASM_MEMORY_ADDR_I32` / `_I64`.
    MemAddr {
        /// Target.
        data: DataId,
        /// Addend.
        addend: u32,
        /// 8 bytes.
        wide: bool,
    },
}

impl CustomField {
    /// Size of the field in bytes.
    pub fn size(&self) -> u32 {
        match self {
            CustomField::Bytes(b) => b.len() as u32,
            CustomField::FuncOffset { wide: true, .. }
            | CustomField::MemAddr { wide: true, .. } => 8,
            _ => 4,
        }
    }
}

impl CustomSection {
    /// Size of the contents in bytes.
    pub fn size(&self) -> u32 {
        self.fields.iter().map(CustomField::size).sum()
    }
}

impl Object {
    /// A new empty object.
    pub fn new(file: String, in_archive: bool) -> Self {
        Object {
            file,
            in_archive,
            funcs: Vec::new(),
            segments: Vec::new(),
            abs_datas: Vec::new(),
            globals: Vec::new(),
            tables: Vec::new(),
            tags: Vec::new(),
            ctors: Vec::new(),
            comdats: Vec::new(),
            weak_refs: BTreeSet::new(),
            customs: Vec::new(),
        }
    }

    /// Every name this object defines, with its binding.
    pub fn definitions(&self) -> Vec<(Sym, Binding)> {
        let mut out = Vec::new();
        out.extend(self.funcs.iter().map(|f| (Sym::Func(f.func), f.binding)));
        for s in &self.segments {
            out.extend(s.symbols.iter().map(|d| (Sym::Data(d.data), d.binding)));
        }
        out.extend(self.abs_datas.iter().map(|&(d, b)| (Sym::Data(d), b)));
        out.extend(
            self.globals
                .iter()
                .map(|g| (Sym::Global(g.global), g.binding)),
        );
        out.extend(self.tables.iter().map(|t| (Sym::Table(t.table), t.binding)));
        out.extend(self.tags.iter().map(|&(t, b)| (Sym::Tag(t), b)));
        out
    }

    /// Whether this object defines `sym`.
    pub fn defines(&self, sym: Sym) -> bool {
        self.definitions().iter().any(|&(s, _)| s == sym)
    }

    /// Every name this object's code, data and custom sections refer to, in first-use order
    /// (each once), including names it defines.
    pub fn references(&self, program: &Program) -> Vec<Sym> {
        let mut out: Vec<Sym> = Vec::new();
        let mut push = |s: Sym| {
            if !out.contains(&s) {
                out.push(s);
            }
        };
        for f in &self.funcs {
            match &f.body {
                Body::Value { probes, .. } => {
                    for p in probes {
                        for s in p.symbols(program) {
                            push(s);
                        }
                    }
                }
                Body::Ctor { updates, .. } => {
                    if let Some(d) = program.log {
                        push(Sym::Data(d));
                    }
                    for &(g, _) in updates {
                        push(Sym::Global(g));
                    }
                }
                Body::Throw(t) => push(Sym::Tag(*t)),
            }
        }
        for s in &self.segments {
            for r in &s.relocs {
                push(match r.kind {
                    DataRelocKind::MemAddr { target, .. }
                    | DataRelocKind::Locrel { target, .. } => Sym::Data(target),
                    DataRelocKind::TableIndex { func, .. } => Sym::Func(func),
                });
            }
        }
        for c in &self.customs {
            for f in &c.fields {
                match *f {
                    CustomField::FuncOffset { func, .. } | CustomField::FuncIndex { func } => {
                        push(Sym::Func(func))
                    }
                    CustomField::GlobalIndex { global } => push(Sym::Global(global)),
                    CustomField::MemAddr { data, .. } => push(Sym::Data(data)),
                    CustomField::Bytes(_) | CustomField::SectionOffset { .. } => {}
                }
            }
        }
        out
    }
}

impl Probe {
    /// The names this probe refers to.
    pub fn symbols(&self, program: &Program) -> Vec<Sym> {
        match *self {
            Probe::CallIndirect {
                func, rel: true, ..
            } => {
                let mut v = vec![Sym::Func(func)];
                v.extend(program.pic_bases.map(|(_, t)| Sym::Global(t)));
                v
            }
            Probe::Load {
                data,
                via: AddrVia::MemRel | AddrVia::MemRel64,
                ..
            } => {
                let mut v = vec![Sym::Data(data)];
                v.extend(program.pic_bases.map(|(m, _)| Sym::Global(m)));
                v
            }
            Probe::Call { func, .. }
            | Probe::CallIndirect { func, .. }
            | Probe::FuncIsNull { func } => {
                vec![Sym::Func(func)]
            }
            Probe::Load {
                data,
                via: AddrVia::Tls | AddrVia::Tls64 | AddrVia::TlsGot,
                ..
            } => {
                let mut v = vec![Sym::Data(data)];
                v.extend(program.tls_base.map(Sym::Global));
                v
            }
            Probe::Load { data, .. } | Probe::DataIsNull { data } | Probe::AbsAddr { data } => {
                vec![Sym::Data(data)]
            }
            Probe::LoadPtr { slot, .. }
            | Probe::LoadLocrel { slot, .. }
            | Probe::CallPtr { slot, .. } => {
                vec![Sym::Data(slot)]
            }
            Probe::GlobalGet { global } => vec![Sym::Global(global)],
            Probe::TableSize { table } => vec![Sym::Table(table)],
            Probe::CtorLog { .. } => program.log.map(|d| vec![Sym::Data(d)]).unwrap_or_default(),
        }
    }
}

impl Program {
    /// The symbol name of `sym`.
    pub fn name(&self, sym: Sym) -> &str {
        match sym {
            Sym::Func(f) => &self.funcs[f.idx()].name,
            Sym::Data(d) => &self.datas[d.idx()].name,
            Sym::Global(g) => &self.globals[g.idx()].name,
            Sym::Table(t) => &self.tables[t.idx()].name,
            Sym::Tag(t) => &self.tags[t.idx()].name,
        }
    }

    /// Whether `sym` is declared hidden.
    pub fn hidden(&self, sym: Sym) -> bool {
        match sym {
            Sym::Func(f) => self.funcs[f.idx()].hidden,
            Sym::Data(d) => self.datas[d.idx()].hidden,
            Sym::Global(g) => self.globals[g.idx()].hidden,
            // Tables and tags are always hidden: exporting them would put them in the output.
            Sym::Table(_) | Sym::Tag(_) => true,
        }
    }

    /// Whether object `o` references `sym` weakly (only meaningful when `o` does not define it).
    pub fn weak_ref(&self, o: ObjId, sym: Sym) -> bool {
        self.objects[o.idx()].weak_refs.contains(&sym)
    }

    /// The check functions, in order, with the object defining each.
    pub fn checks(&self) -> Vec<(FuncId, ObjId)> {
        let mut out = Vec::new();
        for (i, o) in self.objects.iter().enumerate() {
            for f in &o.funcs {
                if self.funcs[f.func.idx()].role == FuncRole::Check {
                    out.push((f.func, ObjId(i as u32)));
                }
            }
        }
        out.sort();
        out
    }

    /// The thrower functions with the object defining each.
    pub fn throwers(&self) -> Vec<(FuncId, ObjId)> {
        let mut out = Vec::new();
        for (i, o) in self.objects.iter().enumerate() {
            for f in &o.funcs {
                if self.funcs[f.func.idx()].role == FuncRole::Thrower {
                    out.push((f.func, ObjId(i as u32)));
                }
            }
        }
        out
    }

    /// The same program with the command-line objects in the order `perm` gives (a permutation
    /// of the command-line objects' positions among themselves; members stay).
    pub fn with_command_line_order(&self, perm: &[usize]) -> Program {
        let cmd: Vec<usize> = (0..self.objects.len())
            .filter(|&i| !self.objects[i].in_archive)
            .collect();
        assert_eq!(perm.len(), cmd.len());
        let mut objects = Vec::new();
        for &p in perm {
            objects.push(self.objects[cmd[p]].clone());
        }
        objects.extend(self.objects.iter().filter(|o| o.in_archive).cloned());
        Program {
            objects,
            ..self.clone()
        }
    }
}
