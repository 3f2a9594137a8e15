//! Layout: gives every live item its place in the output — type, function, global, table and tag
//! indices, table slots, and the address of every data segment — and computes the values of the
//! linker's synthetic symbols. After this phase every relocation's value is known.
//!
//! One part per concern, run in this order by [`layout`]:
//! - [`imports`]: the import section, in symbol-table order;
//! - [`functions`]: defined functions, the synthetic ones (`__wasm_call_ctors`, trap stubs,
//!   `__wasm_init_memory`) and the constructor list;
//! - [`globals`]: globals and tags;
//! - [`types`]: the type section, in wasm-ld's order;
//! - [`tables`]: the indirect function table's slots and every table's number;
//! - [`memory`]: data segments, stack, heap and memory limits, and data symbols' addresses;
//! - [`exports`]: what is exported, and the command-export wrappers.

use rustc_hash::FxHashMap;
use wasmparser::{FuncType, GlobalType, ValType};

use crate::config::Config;
use crate::error::Diagnostics;
use crate::gc::Live;
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic};
use crate::strings::map_offset;

mod exports;
mod functions;
pub(crate) use functions::weak_missing_function;
mod globals;
mod imports;
mod index;
mod memory;
mod tables;
mod types;

pub use index::{FuncIdx, GlobalIdx, TableIdx, TagIdx, TypeIdx};

/// "Not in the output", in the per-segment table [`Layout::seg_out`].
pub const NONE: u32 = u32::MAX;

/// Stands, in [`OutSegment::pieces`], for the block of merged strings.
pub const MERGED_STRINGS: ObjectId = ObjectId(u32::MAX);

/// A function defined in the output.
#[derive(Debug, Clone)]
pub enum OutFunc {
    /// A live function of an input object.
    Object(ObjectId, u32),
    /// `__wasm_call_ctors`.
    CallCtors,
    /// `__wasm_init_memory`, the start function: zeroes `.bss` of an imported memory, or, with
    /// `--shared-memory`, initialises every passive segment once for all threads.
    InitMemory,
    /// `__wasm_init_tls(block)`: sets `__tls_base` to `block` and copies `.tdata` there.
    InitTls,
    /// `__wasm_apply_tls_relocs`: called by `__wasm_init_tls` when `.tdata` has relocations;
    /// empty in a non-PIC link, where they were applied statically (wasm-ld writes it anyway).
    ApplyTlsRelocs,
    /// `__wasm_apply_global_tls_relocs`: called by `__wasm_init_tls` to point the GOT globals
    /// of thread-local symbols into the thread's block (`__tls_base` + offset).
    ApplyGlobalTlsRelocs,
    /// `__wasm_apply_data_relocs`: a shared library's addresses stored in its data, written
    /// at run time from `__memory_base`, `__table_base` and the GOT (the loader calls it).
    ApplyDataRelocs,
    /// `__wasm_apply_global_relocs`, a start function: moves a position-independent
    /// module's own GOT globals by `__memory_base` or `__table_base`.
    ApplyGlobalRelocs,
    /// `__wasm_start`: the start function when there are two, `__wasm_apply_global_relocs`
    /// then `__wasm_init_memory`.
    Start,
    /// A command export wrapper: calls `__wasm_call_ctors`, the function, then
    /// `__wasm_call_dtors`.
    CommandExport {
        /// The wrapped function.
        target: FuncIdx,
        /// Its type.
        ty: TypeIdx,
        /// Its name in the `name` section.
        name: String,
    },
    /// A function whose body is `unreachable`: stands in for a missing weak function or a call
    /// with the wrong signature. `ty` is an output type index.
    Trap {
        /// Its type.
        ty: TypeIdx,
        /// Its name in the `name` section.
        name: String,
    },
}

impl OutFunc {
    /// The name of a function the linker writes itself, `None` for an object's.
    pub fn synthetic_name(&self) -> Option<&str> {
        Some(match self {
            OutFunc::Object(..) => return None,
            OutFunc::CallCtors => "__wasm_call_ctors",
            OutFunc::InitMemory => "__wasm_init_memory",
            OutFunc::InitTls => "__wasm_init_tls",
            OutFunc::ApplyTlsRelocs => "__wasm_apply_tls_relocs",
            OutFunc::ApplyGlobalTlsRelocs => "__wasm_apply_global_tls_relocs",
            OutFunc::ApplyDataRelocs => "__wasm_apply_data_relocs",
            OutFunc::ApplyGlobalRelocs => "__wasm_apply_global_relocs",
            OutFunc::Start => "__wasm_start",
            OutFunc::CommandExport { name, .. } | OutFunc::Trap { name, .. } => name,
        })
    }
}

/// An import of the output.
#[derive(Debug, Clone)]
pub struct OutImport<'a> {
    /// Module name.
    pub module: &'a str,
    /// Field name.
    pub field: &'a str,
    /// The symbol it satisfies.
    pub symbol: SymbolId,
}

/// One import of the output, in import-section order: an index into
/// [`Layout::func_imports`], [`Layout::global_imports`] or [`Layout::tag_imports`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportRef {
    /// A function import.
    Function(u32),
    /// A global import.
    Global(u32),
    /// A tag import.
    Tag(u32),
    /// An import of a table other than the indirect function table, into
    /// [`Layout::table_imports`].
    Table(u32),
}

/// A global defined in the output.
#[derive(Debug, Clone)]
pub enum OutGlobal {
    /// `__stack_pointer`.
    StackPointer,
    /// A global of an input object.
    Object(ObjectId, u32),
    /// An immutable i32 holding the address of an exported data symbol.
    Address(SymbolId),
    /// A GOT entry: an immutable i32 holding the address of a data symbol or the table slot
    /// of a function, for a `global.get` of a symbol that is not a global (wasm-ld's
    /// `GOT.data.internal.*` and `GOT.func.internal.*`).
    Got(SymbolId),
    /// The GOT entry of a signature variant's trap stub (defined function `FuncIdx`): an
    /// immutable 0, since the stub has no table slot (wasm-ld's
    /// `GOT.func.internal.signature_mismatch:NAME`).
    StubGot(FuncIdx),
    /// An immutable i32 holding an address the linker chose for a symbol of its own that is
    /// exported (`__wasm_init_memory_flag` under `--export-all`).
    LinkerAddress(u64),
    /// `__tls_base`: mutable and 0 with `--shared-memory` (each thread sets it), else immutable
    /// and the address of `.tdata`.
    TlsBase,
    /// `__tls_size`: the size of `.tdata`.
    TlsSize,
    /// `__tls_align`: the alignment of `.tdata`.
    TlsAlign,
}

impl OutGlobal {
    /// The name of a global the linker defines itself (not the address globals of exported
    /// data, which wasm-ld leaves unnamed).
    pub fn synthetic_name(&self) -> Option<&'static str> {
        Some(match self {
            OutGlobal::StackPointer => "__stack_pointer",
            OutGlobal::TlsBase => "__tls_base",
            OutGlobal::TlsSize => "__tls_size",
            OutGlobal::TlsAlign => "__tls_align",
            OutGlobal::Object(..)
            | OutGlobal::Address(_)
            | OutGlobal::LinkerAddress(_)
            | OutGlobal::Got(_)
            | OutGlobal::StubGot(_) => {
                return None;
            }
        })
    }
}

/// An output data segment: input segments merged by name.
#[derive(Debug, Clone)]
pub struct OutSegment<'a> {
    /// The output name (`.rodata`, `.data`, `.bss`, …).
    pub name: &'a str,
    /// log2 of the largest alignment of its pieces.
    pub align_log2: u32,
    /// Start address.
    pub addr: u64,
    /// Size in bytes.
    pub size: u64,
    /// The input segments in it: (object, segment index, offset in this segment); the object
    /// [`MERGED_STRINGS`] stands for the block of merged strings.
    pub pieces: Vec<(ObjectId, u32, u64)>,
    /// Every piece is zero-initialised `.bss`.
    pub bss: bool,
    /// Deduplicated strings from string segments, at the [`MERGED_STRINGS`] piece's offset.
    pub merged: Vec<u8>,
}

/// The result of layout.
pub struct Layout<'a> {
    /// Output types.
    pub types: Vec<FuncType>,
    /// Per object: object type index → output type index.
    pub obj_types: Vec<Vec<Option<TypeIdx>>>,
    /// Every import in import-section order: kinds interleaved in symbol-table order, as
    /// wasm-ld writes them (the table and memory imports come first and are not listed).
    pub imports: Vec<ImportRef>,
    /// Imported functions.
    pub func_imports: Vec<OutImport<'a>>,
    /// Output types of imported functions.
    pub func_import_types: Vec<TypeIdx>,
    /// Defined functions, in output order (their index is `func_imports.len() + position`).
    pub functions: Vec<OutFunc>,
    /// Output type of each defined function.
    pub func_types: Vec<TypeIdx>,
    /// Per object, per defined function: its output index, if live.
    pub func_index: Vec<Vec<Option<FuncIdx>>>,
    /// Per symbol: its function's output index, if any.
    pub sym_func: Vec<Option<FuncIdx>>,
    /// Calls with a signature other than the definition's, and every use of a signature
    /// variant that lost: (object, symbol index) → stub index.
    pub call_overrides: FxHashMap<(ObjectId, u32), FuncIdx>,
    /// Constructors in call order (output function indices).
    pub ctors: Vec<FuncIdx>,
    /// Imported globals.
    pub global_imports: Vec<(OutImport<'a>, GlobalType)>,
    /// Defined globals.
    pub globals: Vec<OutGlobal>,
    /// Per object, per defined global: its output index, if live.
    pub global_index: Vec<Vec<Option<GlobalIdx>>>,
    /// Per symbol: its global's output index, if any.
    pub sym_global: Vec<Option<GlobalIdx>>,
    /// Imported tags and their output types.
    pub tag_imports: Vec<(OutImport<'a>, TypeIdx)>,
    /// Imported tables other than the indirect function table, with their types; numbered
    /// after an imported function table.
    pub table_imports: Vec<(OutImport<'a>, wasmparser::TableType)>,
    /// Defined tags: (object, tag index), with output types.
    pub tags: Vec<(ObjectId, u32, TypeIdx)>,
    /// Per symbol: its tag's output index, if any.
    pub sym_tag: Vec<Option<TagIdx>>,
    /// Whether the output has the indirect function table.
    pub has_table: bool,
    /// Its table number: 0 when imported, else after the objects' own tables (wasm-ld).
    pub function_table: TableIdx,
    /// Whether it is imported (`--import-table`, and always in a relocatable output).
    pub imported_table: bool,
    /// Tables defined by objects, in table-number order (imports, if any, come before them).
    pub tables: Vec<(ObjectId, u32)>,
    /// Per symbol: its table's output number, if any.
    pub sym_table: Vec<Option<TableIdx>>,
    /// Function indices in table slot order, starting at `table_base`.
    pub table_funcs: Vec<FuncIdx>,
    /// Output function index → table slot.
    pub slot_of: FxHashMap<FuncIdx, u32>,
    /// Output data segments in address order.
    pub segments: Vec<OutSegment<'a>>,
    /// Per object, per segment: address or `u64::MAX` when dead.
    pub seg_addr: Vec<Vec<u64>>,
    /// Input string segments merged into an output segment: (object, segment) → pieces as
    /// (offset in the input segment, address in the output), sorted by offset.
    pub string_pieces: FxHashMap<(ObjectId, u32), Vec<(u32, u64)>>,
    /// Per symbol: memory address (data symbols), `None` if undefined.
    pub sym_addr: Vec<Option<u64>>,
    /// Initial `__stack_pointer`.
    pub stack_pointer: u64,
    /// Memory size in pages.
    pub memory_pages: u64,
    /// Memory maximum in pages, if any.
    pub memory_max_pages: Option<u64>,
    /// Per symbol: whether it is exported.
    pub exported: Vec<bool>,
    /// Exported function symbols that are exported through a command wrapper: symbol index →
    /// wrapper's function index.
    pub wrapper_of: FxHashMap<SymbolId, FuncIdx>,
    /// `.bss` segments are written as data: memory is imported and bulk memory is not allowed.
    pub bss_in_binary: bool,
    /// `__wasm_init_memory`, the start function that zeroes `.bss` of an imported memory.
    pub init_memory: Option<FuncIdx>,
    /// `__wasm_apply_global_relocs`'s function index, when it is in the output.
    pub apply_global_relocs: Option<FuncIdx>,
    /// A position-independent module whose inputs allow extended constant expressions: its
    /// data segments and own GOT globals are placed by `global.get __memory_base; i32.const
    /// OFFSET; i32.add`, so segments stay apart and no start function moves the GOT (wasm-ld).
    pub extended_const: bool,
    /// The start function: `__wasm_start`, `__wasm_init_memory` or
    /// `__wasm_apply_global_relocs`, whichever the module has.
    pub start: Option<FuncIdx>,
    /// A shared library's data size (`.bss` included) and largest segment alignment (log2),
    /// for `dylink.0`.
    pub dylink_memory: (u64, u32),
    /// `__wasm_apply_data_relocs`, when a shared library stores addresses in its data.
    pub apply_data_relocs: Option<FuncIdx>,
    /// A shared library's weak definitions that another module may override: calls go to
    /// their import.
    pub preempted_calls: FxHashMap<SymbolId, FuncIdx>,
    /// Per symbol: live (gc's `Live::symbols`). A relocation against a symbol nothing live
    /// uses, from a custom section, gets the tombstone or the addend (wasm-ld).
    pub live_symbols: Vec<bool>,
    /// A shared library's imported `__memory_base` and `__table_base`, which its data and
    /// element segments are placed at.
    pub bases: Option<(GlobalIdx, GlobalIdx)>,
    /// `__wasm_call_ctors`'s function index, when it is in the output.
    pub call_ctors: Option<FuncIdx>,
    /// Data segments are passive, initialised by `__wasm_init_memory` (`--shared-memory`).
    pub passive: bool,
    /// wasm64: addresses, the memory, the table and the linker's globals are 64-bit.
    pub wasm64: bool,
    /// The address of `__wasm_init_memory_flag`, the word through which threads agree who
    /// initialises memory (`--shared-memory` with data).
    pub init_memory_flag: Option<u64>,
    /// Exports of symbols wasm-ld creates after all others (`--export-all` only): name, kind
    /// (function or global) and output index; they follow the symbol table's exports.
    pub late_exports: Vec<(&'static str, SymbolKind, u32)>,
    /// GOT entries: symbol → the global index of its [`OutGlobal::Got`].
    pub got: FxHashMap<SymbolId, GlobalIdx>,
    /// GOT entries of trap stubs: stub → the global index of its [`OutGlobal::StubGot`].
    pub stub_got: FxHashMap<FuncIdx, GlobalIdx>,
    /// `__tls_base`'s global index, when it is in the output.
    pub tls_base_global: Option<GlobalIdx>,
    /// `__wasm_apply_tls_relocs`'s function index, when it is in the output.
    pub apply_tls_relocs: Option<FuncIdx>,
    /// `__wasm_apply_global_tls_relocs`'s function index, when it is in the output.
    pub apply_global_tls_relocs: Option<FuncIdx>,
    /// The address, size and alignment (in bytes) of the `.tdata` output segment; zero when
    /// there is none.
    pub tls: (u64, u64, u64),
    /// Per object, per segment: the output segment (index into `segments`) it went to, or
    /// [`NONE`].
    pub seg_out: Vec<Vec<u32>>,
    /// `__wasm_call_dtors`'s function index, when command wrappers call it.
    pub call_dtors: Option<FuncIdx>,
    type_ids: FxHashMap<FuncType, TypeIdx>,
}

impl Layout<'_> {
    /// The `GOT.mem`/`GOT.func` import through which a position-independent module reaches
    /// `id`, if it has one (rather than a GOT global of its own, or none).
    pub fn got_import(&self, id: SymbolId) -> Option<GlobalIdx> {
        self.got
            .get(&id)
            .copied()
            .filter(|g| (g.get() as usize) < self.global_imports.len())
    }

    /// The address of `offset` in input segment `seg` of `obj`, if the segment is live.
    pub fn data_addr(&self, obj: ObjectId, seg: u32, offset: u32) -> Option<u64> {
        if let Some(pieces) = self.string_pieces.get(&(obj, seg)) {
            return map_offset(pieces, offset);
        }
        let base = self.seg_addr[obj.idx()][seg as usize];
        (base != u64::MAX).then(|| base + offset as u64)
    }

    /// The offset of `offset` in input segment `seg` of `obj` from the start of its output
    /// segment: what TLS relocations write.
    pub fn segment_offset(&self, obj: ObjectId, seg: u32, offset: u32) -> Option<u64> {
        let out = *self.seg_out.get(obj.idx())?.get(seg as usize)?;
        let start = self.segments.get(out as usize)?.addr;
        Some(self.data_addr(obj, seg, offset)? - start)
    }

    /// The index of the next defined function.
    pub(super) fn next_func(&self) -> FuncIdx {
        FuncIdx::new((self.func_imports.len() + self.functions.len()) as u32)
    }

    /// The index of the next defined global.
    pub(super) fn next_global(&self) -> GlobalIdx {
        GlobalIdx::new((self.global_imports.len() + self.globals.len()) as u32)
    }

    /// Position of function `f` in [`Layout::functions`], `None` for an import.
    pub fn defined(&self, f: FuncIdx) -> Option<usize> {
        f.idx().checked_sub(self.func_imports.len())
    }

    /// The output index of a type, added if new.
    pub(super) fn intern(&mut self, t: &FuncType) -> TypeIdx {
        if let Some(&i) = self.type_ids.get(t) {
            return i;
        }
        let i = TypeIdx::new(self.types.len() as u32);
        self.types.push(t.clone());
        self.type_ids.insert(t.clone(), i);
        i
    }
}

/// The output index of an object's type `t`, mapped on first use so that unused types are not
/// emitted.
pub(super) fn map_type(l: &mut Layout<'_>, res: &Resolved<'_>, obj: ObjectId, t: u32) -> TypeIdx {
    if let Some(slot) = l.obj_types[obj.idx()][t as usize] {
        return slot;
    }
    let out = l.intern(&res.objects[obj.idx()].types[t as usize]);
    l.obj_types[obj.idx()][t as usize] = Some(out);
    out
}

/// Lays out the live parts of the link.
pub fn layout<'a>(
    config: &Config,
    res: &Resolved<'a>,
    live: &Live,
    features: &std::collections::BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Layout<'a> {
    let nsym = res.symbols.len();
    let mut l = Layout {
        types: Vec::new(),
        obj_types: Vec::new(),
        imports: Vec::new(),
        func_imports: Vec::new(),
        func_import_types: Vec::new(),
        functions: Vec::new(),
        func_types: Vec::new(),
        func_index: Vec::new(),
        sym_func: vec![None; nsym],
        call_overrides: FxHashMap::default(),
        ctors: Vec::new(),
        global_imports: Vec::new(),
        globals: Vec::new(),
        global_index: Vec::new(),
        sym_global: vec![None; nsym],
        tag_imports: Vec::new(),
        table_imports: Vec::new(),
        tags: Vec::new(),
        sym_tag: vec![None; nsym],
        has_table: false,
        function_table: TableIdx::new(0),
        imported_table: false,
        tables: Vec::new(),
        sym_table: vec![None; nsym],
        table_funcs: Vec::new(),
        slot_of: FxHashMap::default(),
        segments: Vec::new(),
        seg_addr: Vec::new(),
        string_pieces: FxHashMap::default(),
        sym_addr: vec![None; nsym],
        stack_pointer: 0,
        memory_pages: 0,
        memory_max_pages: None,
        exported: vec![false; nsym],
        wrapper_of: FxHashMap::default(),
        call_ctors: None,
        call_dtors: None,
        passive: config.shared_memory && !config.relocatable,
        wasm64: config.wasm64(),
        init_memory_flag: None,
        tls_base_global: None,
        got: FxHashMap::default(),
        stub_got: FxHashMap::default(),
        late_exports: Vec::new(),
        apply_tls_relocs: None,
        apply_global_tls_relocs: None,
        tls: (0, 0, 0),
        seg_out: Vec::new(),
        bss_in_binary: false,
        init_memory: None,
        apply_global_relocs: None,
        extended_const: config.pic() && features.contains("extended-const"),
        start: None,
        type_ids: FxHashMap::default(),
        dylink_memory: (0, 0),
        bases: None,
        apply_data_relocs: None,
        preempted_calls: FxHashMap::default(),
        live_symbols: live.symbols.clone(),
    };
    l.obj_types = res
        .objects
        .iter()
        .map(|o| vec![None; o.types.len()])
        .collect();

    if config.dynamic_imports() {
        absolute_relocations(config, res, live, diags);
    }
    imports::imports(config, res, live, &mut l);
    functions::functions(config, res, live, features, &mut l, diags);
    globals::globals(res, live, &mut l);
    let reloc_types = types::reloc_types(res, live, &mut l);
    tables::tables(config, res, live, &mut l);
    types::order_types(res, &mut l, &reloc_types);
    memory::memory(config, res, live, &mut l, diags);
    memory::check_padding(res, &l, diags);
    exports::exports(config, res, features, &mut l);
    l
}

/// A shared library is placed at load time: relocations that need an absolute address or slot
/// in code are errors, in relocation scan order (wasm-ld's words).
fn absolute_relocations(config: &Config, res: &Resolved<'_>, live: &Live, diags: &mut Diagnostics) {
    use wasmparser::RelocationType as R;
    // A fixed-address executable with dynamic imports places its own symbols at link time:
    // only what is left to the loader needs the GOT there.
    let at_load_time = |id: SymbolId| {
        config.pic() || {
            let sym = &res.symbols[id.idx()];
            !sym.is_defined() && imports::through_got(config, sym)
        }
    };
    for (o, obj, r) in scan_relocs(res, live) {
        if !at_load_time(res.sym(o, r.index)) {
            continue;
        }
        let absolute = matches!(
            r.ty,
            R::TableIndexSleb
                | R::TableIndexSleb64
                | R::MemoryAddrSleb
                | R::MemoryAddrLeb
                | R::MemoryAddrSleb64
                | R::MemoryAddrLeb64
        );
        let sym = &res.symbols[res.sym(o, r.index).idx()];
        // A `.so` input's exports are plain data to the linker, even thread-local ones.
        if matches!(r.ty, R::MemoryAddrTlsSleb | R::MemoryAddrTlsSleb64) && sym.in_shared_library {
            diags.error(format!(
                "{}: relocation {} cannot be used against non-TLS symbol `{}`",
                obj.name,
                crate::reloc::name(r.ty),
                sym.name
            ));
        }
        if absolute {
            diags.error(format!(
                "{}: relocation {} cannot be used against symbol `{}`; recompile with -fPIC",
                obj.name,
                crate::reloc::name(r.ty),
                sym.name
            ));
        }
    }
    // Every relocation in data becomes code in `__wasm_apply_data_relocs`, which knows how to
    // write addresses and table slots only (wasm-ld's words, and the file).
    for (o, obj) in res.objects.iter().enumerate() {
        for (s, seg) in obj.segments.iter().enumerate() {
            if !live.segments[o][s] {
                continue;
            }
            for r in &obj.relocs[seg.relocs.clone()] {
                let id = res.sym(ObjectId(o as u32), r.index);
                if at_load_time(id) && !crate::synthetic::is_runtime_data_reloc(r.ty) {
                    diags.error(format!(
                        "{}: invalid runtime relocation type in data section: {}",
                        obj.name,
                        crate::reloc::name(r.ty)
                    ));
                }
            }
        }
    }
}

/// Every relocation of the live functions and data segments, object by object, in wasm-ld's
/// scan order ([`live_relocs`]).
pub(super) fn scan_relocs<'r, 'a>(
    res: &'r Resolved<'a>,
    live: &'r Live,
) -> impl Iterator<Item = (ObjectId, &'r Object<'a>, &'r Reloc)> + 'r {
    res.objects.iter().enumerate().flat_map(move |(o, obj)| {
        live_relocs(obj, live, o).flat_map(move |range| {
            obj.relocs[range]
                .iter()
                .map(move |r| (ObjectId(o as u32), obj, r))
        })
    })
}

/// The linker's symbol `name` if the link defines it as `s`.
pub(super) fn synthetic(res: &Resolved<'_>, name: &str, s: Synthetic) -> Option<SymbolId> {
    res.lookup(name)
        .filter(|id| res.symbols[id.idx()].def == Def::Synthetic(s))
}

/// The relocations of object `o`'s live functions, then of its live data segments (as ranges
/// of [`Object::relocs`]): the order in which wasm-ld scans them.
pub(super) fn live_relocs<'o>(
    obj: &'o Object<'_>,
    live: &'o Live,
    o: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> + 'o {
    let funcs = obj
        .functions
        .iter()
        .enumerate()
        .filter(move |&(f, _)| live.functions[o][f])
        .map(|(_, f)| f.relocs.clone());
    let segs = obj
        .segments
        .iter()
        .enumerate()
        .filter(move |&(s, _)| live.segments[o][s])
        .map(|(_, s)| s.relocs.clone());
    funcs.chain(segs)
}

/// Whether any data segment is live.
pub(super) fn any_live_segment(live: &Live) -> bool {
    live.segments.iter().any(|o| o.iter().any(|&s| s))
}

/// The type of the function a symbol's definition names, if an object defines it.
pub(super) fn defined_func_type<'r>(res: &'r Resolved<'_>, id: SymbolId) -> Option<&'r FuncType> {
    let Def::Defined { obj, sym } = res.symbols[id.idx()].def else {
        return None;
    };
    let o = &res.objects[obj.idx()];
    match o.symbols[sym as usize].target {
        SymbolTarget::Function(f) => o.func_type(f),
        _ => None,
    }
}

/// The name of trap stub `f` (a defined function of the output), or "" if it is not one.
pub fn trap_name<'l>(l: &'l Layout<'_>, f: FuncIdx) -> &'l str {
    match l.defined(f).map(|d| &l.functions[d]) {
        Some(OutFunc::Trap { name, .. }) => name,
        _ => "",
    }
}

/// The output type index of output function `f`.
pub fn func_type_of(l: &Layout<'_>, f: FuncIdx) -> TypeIdx {
    match l.defined(f) {
        None => l.func_import_types[f.idx()],
        Some(d) => l.func_types[d],
    }
}

/// A signature as wasm-ld writes it in messages: `(i32, i32) -> i32`.
pub(crate) fn show_type(t: &FuncType) -> String {
    let list = |v: &[ValType]| {
        v.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let results = match t.results() {
        [] => "void".to_string(),
        [r] => r.to_string(),
        rs => format!("({})", list(rs)),
    };
    format!("({}) -> {}", list(t.params()), results)
}

pub(super) fn align_to(v: u64, log2: u32) -> u64 {
    let a = 1u64 << log2;
    v.div_ceil(a) * a
}
