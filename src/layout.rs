//! Layout: gives every live item its place in the output — type, function, global, table and tag
//! indices, table slots, and the address of every data segment — and computes the values of the
//! linker's synthetic symbols. After this phase every relocation's value is known.

use rustc_hash::FxHashMap;
use wasmparser::{FuncType, GlobalType, RelocationType, ValType};

use crate::config::Config;
use crate::error::Diagnostics;
use crate::gc::{Live, importable};
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic, SyntheticData};
use crate::strings::{StringMerger, map_offset};

/// "No index": the item is not in the output.
pub const NONE: u32 = u32::MAX;

/// Stands, in [`OutSegment::pieces`], for the block of merged strings.
pub const MERGED_STRINGS: ObjectId = ObjectId(u32::MAX);

/// The most memory a wasm32 module may have (and `--initial-memory`/`--max-memory` may ask for).
const MAX_MEMORY: u64 = 1 << 32;

/// A function defined in the output.
#[derive(Debug, Clone)]
pub enum OutFunc {
    /// A live function of an input object.
    Object(ObjectId, u32),
    /// `__wasm_call_ctors`.
    CallCtors,
    /// `__wasm_init_memory`: zeroes `.bss` of an imported memory.
    InitMemory,
    /// A command export wrapper: calls `__wasm_call_ctors`, the function, then
    /// `__wasm_call_dtors`.
    CommandExport {
        /// Output index of the wrapped function.
        target: u32,
        /// Output type index.
        ty: u32,
        /// Its name in the `name` section.
        name: String,
    },
    /// A function whose body is `unreachable`: stands in for a missing weak function or a call
    /// with the wrong signature. `ty` is an output type index.
    Trap {
        /// Output type index.
        ty: u32,
        /// Its name in the `name` section.
        name: String,
    },
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
    pub obj_types: Vec<Vec<u32>>,
    /// Every import in import-section order: kinds interleaved in symbol-table order, as
    /// wasm-ld writes them (the table and memory imports come first and are not listed).
    pub imports: Vec<ImportRef>,
    /// Imported functions.
    pub func_imports: Vec<OutImport<'a>>,
    /// Output types of imported functions.
    pub func_import_types: Vec<u32>,
    /// Defined functions, in output order (their index is `func_imports.len() + position`).
    pub functions: Vec<OutFunc>,
    /// Output type of each defined function.
    pub func_types: Vec<u32>,
    /// Per object, per defined function: output function index or [`NONE`].
    pub func_index: Vec<Vec<u32>>,
    /// Per symbol: output function index or [`NONE`].
    pub sym_func: Vec<u32>,
    /// Calls with a signature other than the definition's: (object, symbol index) → stub index.
    pub call_overrides: FxHashMap<(ObjectId, u32), u32>,
    /// Constructors in call order (output function indices).
    pub ctors: Vec<u32>,
    /// Imported globals.
    pub global_imports: Vec<(OutImport<'a>, GlobalType)>,
    /// Defined globals.
    pub globals: Vec<OutGlobal>,
    /// Per object, per defined global: output index or [`NONE`].
    pub global_index: Vec<Vec<u32>>,
    /// Per symbol: output global index or [`NONE`].
    pub sym_global: Vec<u32>,
    /// Imported tags and their output types.
    pub tag_imports: Vec<(OutImport<'a>, u32)>,
    /// Imported tables other than the indirect function table, with their types; numbered
    /// after an imported function table.
    pub table_imports: Vec<(OutImport<'a>, wasmparser::TableType)>,
    /// Defined tags: (object, tag index), with output types.
    pub tags: Vec<(ObjectId, u32, u32)>,
    /// Per symbol: output tag index or [`NONE`].
    pub sym_tag: Vec<u32>,
    /// Whether the output has the indirect function table.
    pub has_table: bool,
    /// Its table number: 0 when imported, else after the objects' own tables (wasm-ld).
    pub function_table: u32,
    /// Whether it is imported (`--import-table`, and always in a relocatable output).
    pub imported_table: bool,
    /// Tables defined by objects, in table-number order (imports, if any, come before them).
    pub tables: Vec<(ObjectId, u32)>,
    /// Per symbol: output table number or [`NONE`].
    pub sym_table: Vec<u32>,
    /// Function indices in table slot order, starting at `table_base`.
    pub table_funcs: Vec<u32>,
    /// Output function index → table slot.
    pub slot_of: FxHashMap<u32, u32>,
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
    pub wrapper_of: FxHashMap<u32, u32>,
    /// `.bss` segments are written as data: memory is imported and bulk memory is not allowed.
    pub bss_in_binary: bool,
    /// `__wasm_init_memory`, the start function that zeroes `.bss` of an imported memory.
    pub init_memory: Option<u32>,
    /// `.bss` ranges `__wasm_init_memory` fills with zeroes: (address, size).
    pub bss_fills: Vec<(u64, u64)>,
    /// `__wasm_call_ctors`'s function index, when it is in the output.
    pub call_ctors: Option<u32>,
    /// `__wasm_call_dtors`'s function index, when command wrappers call it.
    pub call_dtors: Option<u32>,
    type_ids: FxHashMap<FuncType, u32>,
}

impl Layout<'_> {
    /// The address of `offset` in input segment `seg` of `obj`, if the segment is live.
    pub fn data_addr(&self, obj: ObjectId, seg: u32, offset: u32) -> Option<u64> {
        if let Some(pieces) = self.string_pieces.get(&(obj, seg)) {
            return map_offset(pieces, offset);
        }
        let base = self.seg_addr[obj.idx()][seg as usize];
        (base != u64::MAX).then(|| base + offset as u64)
    }

    /// The output index of a type, added if new.
    fn intern(&mut self, t: &FuncType) -> u32 {
        if let Some(&i) = self.type_ids.get(t) {
            return i;
        }
        let i = self.types.len() as u32;
        self.types.push(t.clone());
        self.type_ids.insert(t.clone(), i);
        i
    }
}

/// The output index of an object's type `t`, mapped on first use so that unused types are not
/// emitted.
fn map_type(l: &mut Layout<'_>, res: &Resolved<'_>, obj: ObjectId, t: u32) -> u32 {
    let slot = l.obj_types[obj.idx()][t as usize];
    if slot != NONE {
        return slot;
    }
    let out = l.intern(&res.objects[obj.idx()].types[t as usize]);
    l.obj_types[obj.idx()][t as usize] = out;
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
        sym_func: vec![NONE; nsym],
        call_overrides: FxHashMap::default(),
        ctors: Vec::new(),
        global_imports: Vec::new(),
        globals: Vec::new(),
        global_index: Vec::new(),
        sym_global: vec![NONE; nsym],
        tag_imports: Vec::new(),
        table_imports: Vec::new(),
        tags: Vec::new(),
        sym_tag: vec![NONE; nsym],
        has_table: false,
        function_table: 0,
        imported_table: false,
        tables: Vec::new(),
        sym_table: vec![NONE; nsym],
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
        bss_in_binary: false,
        init_memory: None,
        bss_fills: Vec::new(),
        type_ids: FxHashMap::default(),
    };
    l.obj_types = res
        .objects
        .iter()
        .map(|o| vec![NONE; o.types.len()])
        .collect();
    let map_type = |l: &mut Layout<'a>, obj: ObjectId, t: u32| map_type(l, res, obj, t);

    // Imports: live undefined symbols that may be imported, in symbol-table order.
    let mut seen_imports: FxHashMap<(&str, &str, u32), u32> = FxHashMap::default();
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
                let ty = map_type(&mut l, obj, imp.ty);
                // Symbols naming the same import share it (wasm-ld deduplicates imports).
                let key = (imp.import.module, field, ty);
                let next = l.func_imports.len() as u32;
                let index = *seen_imports.entry(key).or_insert(next);
                l.sym_func[i] = index;
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
                l.sym_global[i] = l.global_imports.len() as u32;
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
                l.sym_tag[i] = l.tag_imports.len() as u32;
                l.imports.push(ImportRef::Tag(l.tag_imports.len() as u32));
                let ty = map_type(&mut l, obj, imp.ty);
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

    // Defined functions: `__wasm_call_ctors` first, then objects in load order.
    let nimports = l.func_imports.len() as u32;
    let call_ctors = res.lookup("__wasm_call_ctors");
    if let Some(id) = call_ctors
        && live.symbols[id.idx()]
        && res.symbols[id.idx()].def == Def::Synthetic(Synthetic::CallCtors)
    {
        l.sym_func[id.idx()] = nimports;
        l.call_ctors = Some(nimports);
        l.functions.push(OutFunc::CallCtors);
        let void = l.intern(&FuncType::new([], []));
        l.func_types.push(void);
    }
    // Trap stubs for missing functions that are called directly, and for calls with another
    // signature than the definition's; wasm-ld puts them after `__wasm_call_ctors`.
    let mut stub_for: FxHashMap<(SymbolId, u32), u32> = FxHashMap::default();
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
                if r.ty != RelocationType::FunctionIndexLeb {
                    continue;
                }
                let id = res.sym(oid, r.index);
                let osym = &obj.symbols[r.index as usize];
                let SymbolTarget::Function(fi) = osym.target else {
                    continue;
                };
                let Some(ref_ty) = obj.func_type(fi) else {
                    continue;
                };
                let ref_out = map_type(&mut l, oid, obj.func_type_index(fi));
                let sym = &res.symbols[id.idx()];
                // One stub per symbol and signature, made on first use.
                // `kind` None: one `undefined_stub` per signature, shared (wasm-ld).
                let mut stub = |l: &mut Layout<'a>, kind: Option<&str>| {
                    let next = nimports + l.functions.len() as u32;
                    let key = if kind.is_some() {
                        id
                    } else {
                        SymbolId(u32::MAX)
                    };
                    let stub = *stub_for.entry((key, ref_out)).or_insert(next);
                    if stub == next {
                        let name = match kind {
                            Some(k) => format!("{k}:{}", res.symbols[id.idx()].name),
                            None => "undefined_stub".to_string(),
                        };
                        l.functions.push(OutFunc::Trap { ty: ref_out, name });
                        l.func_types.push(ref_out);
                    }
                    l.call_overrides.insert((oid, r.index), stub);
                };
                if !sym.is_defined() && l.sym_func[id.idx()] == NONE {
                    // Undefined and not importable: weak symbols, and strong ones that
                    // `--unresolved-symbols=ignore-all` tolerates.
                    let weak = sym.weak_refs_only;
                    stub(&mut l, weak.then_some("undefined_weak"));
                    continue;
                }
                let Some(def_ty) = defined_func_type(res, id) else {
                    continue;
                };
                if def_ty != ref_ty {
                    stub(&mut l, Some("signature_mismatch"));
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
            .any(|(s, seg)| live.segments[o][s] && seg.is_bss())
    });
    if config.relocatable || config.emit_relocs {
        // Objects carry `.bss` as data segments of zeroes; so does a module with relocations
        // (wasm-ld), whose data symbols may point into `.bss`.
        l.bss_in_binary = true;
    } else if config.import_memory.is_some() && any_bss {
        if features.contains("bulk-memory") {
            let index = nimports + l.functions.len() as u32;
            l.init_memory = Some(index);
            l.functions.push(OutFunc::InitMemory);
            let void = l.intern(&FuncType::new([], []));
            l.func_types.push(void);
        } else {
            l.bss_in_binary = true;
        }
    }
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        let mut idx = vec![NONE; obj.functions.len()];
        for (f, func) in obj.functions.iter().enumerate() {
            if live.functions[o][f] {
                idx[f] = nimports + l.functions.len() as u32;
                let ty = map_type(&mut l, oid, func.ty);
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
    let mut ctors: Vec<(u32, u32)> = Vec::new();
    if l.sym_func
        .get(call_ctors.map_or(usize::MAX, |c| c.idx()))
        .is_some_and(|&f| f != NONE)
    {
        for (o, obj) in res.objects.iter().enumerate() {
            for init in &obj.init_funcs {
                let id = res.sym(ObjectId(o as u32), init.symbol);
                let f = l.sym_func[id.idx()];
                if f == NONE {
                    continue;
                }
                let ty = &l.types[func_type_of(&l, f) as usize];
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

    // Globals: `__stack_pointer` first, then objects'.
    let ngimports = l.global_imports.len() as u32;
    if let Some(id) = res.lookup("__stack_pointer")
        && res.symbols[id.idx()].def == Def::Synthetic(Synthetic::StackPointer)
    {
        l.sym_global[id.idx()] = ngimports;
        l.globals.push(OutGlobal::StackPointer);
    }
    for (o, obj) in res.objects.iter().enumerate() {
        let mut idx = vec![NONE; obj.globals.len()];
        for (g, slot) in idx.iter_mut().enumerate() {
            if live.globals[o][g] {
                *slot = ngimports + l.globals.len() as u32;
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
    let mut tag_index: Vec<Vec<u32>> = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        let mut idx = vec![NONE; obj.tags.len()];
        for (t, &ty) in obj.tags.iter().enumerate() {
            if live.tags[o][t] {
                idx[t] = ntimports + l.tags.len() as u32;
                let out = map_type(&mut l, ObjectId(o as u32), ty);
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

    // Type indices named by relocations in live code, in the order they are met.
    let mut reloc_types: Vec<(ObjectId, u32)> = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for (f, func) in obj.functions.iter().enumerate() {
            if !live.functions[o][f] {
                continue;
            }
            for r in &obj.relocs[func.relocs.clone()] {
                if r.ty == RelocationType::TypeIndexLeb {
                    map_type(&mut l, ObjectId(o as u32), r.index);
                    reloc_types.push((ObjectId(o as u32), r.index));
                }
            }
        }
    }

    // The indirect function table: slots in the order live code and data first take an address.
    let add_slot = |l: &mut Layout<'a>, f: u32| {
        if f != NONE && !l.slot_of.contains_key(&f) {
            let slot = config.table_base + l.table_funcs.len() as u32;
            l.slot_of.insert(f, slot);
            l.table_funcs.push(f);
        }
    };
    // Per object, functions before segments, as wasm-ld scans relocations.
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        let live_funcs = obj
            .functions
            .iter()
            .enumerate()
            .filter(|&(f, _)| live.functions[o][f])
            .map(|(_, f)| f.relocs.clone());
        let live_segs = obj
            .segments
            .iter()
            .enumerate()
            .filter(|&(s, _)| live.segments[o][s])
            .map(|(_, s)| s.relocs.clone());
        for relocs in live_funcs.chain(live_segs) {
            for r in &obj.relocs[relocs] {
                if is_table_index(r.ty) {
                    let f = l.sym_func[res.sym(oid, r.index).idx()];
                    add_slot(&mut l, f);
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
        l.sym_table[imp.symbol.idx()] = u32::from(imported_table) + k as u32;
    }
    let mut table_index: Vec<Vec<u32>> = Vec::with_capacity(res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let mut idx = vec![NONE; obj.tables.len()];
        for (t, slot) in idx.iter_mut().enumerate() {
            if live.tables[o][t] {
                *slot = first_own + l.tables.len() as u32;
                l.tables.push((ObjectId(o as u32), t as u32));
            }
        }
        table_index.push(idx);
    }
    l.function_table = if imported_table {
        0
    } else {
        first_own + l.tables.len() as u32
    };
    for (i, sym) in res.symbols.iter().enumerate() {
        if is_function_table(sym) {
            l.sym_table[i] = l.function_table;
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

    order_types(res, &mut l, &reloc_types);
    layout_memory(config, res, live, &mut l, diags);

    // Exports (an object has none). wasm-ld exports the linker's mutable `__stack_pointer`
    // (`--export-all`, `--export-dynamic`) only when the `mutable-globals` feature allows it,
    // unless `--export` names it.
    let mutable_globals = features.contains("mutable-globals");
    for (i, sym) in res.symbols.iter().enumerate() {
        if config.relocatable {
            break;
        }
        if sym.def == Def::Synthetic(Synthetic::StackPointer)
            && !sym.forced_export
            && !mutable_globals
        {
            continue;
        }
        let entry = config.entry.as_deref() == Some(sym.name) && sym.is_defined();
        if entry || crate::gc::is_exported(config, sym) {
            l.exported[i] = true;
        }
    }
    // Command exports: each exported function gets a wrapper running ctors and dtors.
    l.call_dtors = res
        .call_dtors
        .map(|d| l.sym_func[d.idx()])
        .filter(|&f| f != NONE);
    // A wrapper with nothing to call around the function would only forward it; wasm-ld makes
    // none then.
    if res.command_exports && (!l.ctors.is_empty() || l.call_dtors.is_some()) {
        for (i, sym) in res.symbols.iter().enumerate() {
            let f = l.sym_func[i];
            if !l.exported[i] || sym.kind != SymbolKind::Function || f == NONE {
                continue;
            }
            let ty = func_type_of(&l, f);
            let index = nimports + l.functions.len() as u32;
            l.functions.push(OutFunc::CommandExport {
                target: f,
                ty,
                name: format!("{}.command_export", sym.name),
            });
            l.func_types.push(ty);
            l.wrapper_of.insert(i as u32, index);
        }
    }
    // Exported data symbols are exported as globals holding their address.
    for (i, sym) in res.symbols.iter().enumerate() {
        if l.exported[i] && sym.kind == SymbolKind::Data && l.sym_addr[i].is_some() {
            l.sym_global[i] = ngimports + l.globals.len() as u32;
            l.globals.push(OutGlobal::Address(SymbolId(i as u32)));
        }
    }
    l
}

/// The type of the function a symbol's definition names, if an object defines it.
fn defined_func_type<'r>(res: &'r Resolved<'_>, id: SymbolId) -> Option<&'r FuncType> {
    let Def::Defined { obj, sym } = res.symbols[id.idx()].def else {
        return None;
    };
    let o = &res.objects[obj.idx()];
    match o.symbols[sym as usize].target {
        SymbolTarget::Function(f) => o.func_type(f),
        _ => None,
    }
}

/// Renumbers the output types in wasm-ld's order: types named by `R_WASM_TYPE_INDEX_LEB` in
/// the order live code names them, then those of imported functions, defined functions,
/// imported tags and defined tags.
fn order_types(res: &Resolved<'_>, l: &mut Layout<'_>, reloc_types: &[(ObjectId, u32)]) {
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
    let used: Vec<u32> = imported
        .chain(l.func_types.iter().copied())
        .chain(l.tags.iter().map(|&(_, _, t)| t))
        .collect();
    for t in used {
        l.intern(&old[t as usize]);
    }
    // Anything else that was mapped keeps a place at the end (not expected to happen).
    let remap: Vec<u32> = old.iter().map(|t| l.intern(t)).collect();
    let fix = |t: &mut u32| *t = remap[*t as usize];
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
        for t in per_obj.iter_mut().filter(|t| **t != NONE) {
            fix(t);
        }
    }
}

fn is_table_index(ty: RelocationType) -> bool {
    matches!(
        ty,
        RelocationType::TableIndexSleb
            | RelocationType::TableIndexI32
            | RelocationType::TableIndexSleb64
            | RelocationType::TableIndexI64
    )
}

/// The output type index of output function `f`.
pub fn func_type_of(l: &Layout<'_>, f: u32) -> u32 {
    let n = l.func_imports.len() as u32;
    if f < n {
        l.func_import_types[f as usize]
    } else {
        l.func_types[(f - n) as usize]
    }
}

fn show_type(t: &FuncType) -> String {
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

/// The output segment an input segment goes to (wasm-ld's `getOutputDataSegmentName`).
fn output_segment_name<'a>(config: &Config, seg: &Segment<'a>) -> &'a str {
    if seg.is_tls() {
        return ".tdata";
    }
    if !config.merge_data_segments {
        return seg.name;
    }
    for prefix in [".text.", ".data.", ".bss.", ".rodata."] {
        if seg.name.starts_with(prefix) {
            return &seg.name[..prefix.len() - 1];
        }
    }
    seg.name
}

/// Whether wasm-ld would merge this segment's strings: a string segment, byte-aligned,
/// non-empty, without relocations, when optimizing (`-O1`, the default, or more).
fn is_mergeable(config: &Config, seg: &Segment<'_>) -> bool {
    // A relocatable output merges them too, as wasm-ld does (and then no longer marks them
    // `STRINGS`).
    config.optimize >= 1
        && seg.flags & Segment::STRINGS != 0
        && seg.align_log2 == 0
        && !seg.data.is_empty()
        && seg.relocs.is_empty()
        && !seg.is_tls()
}

fn segment_order(name: &str) -> u32 {
    if name.starts_with(".tdata") {
        0
    } else if name.starts_with(".rodata") {
        1
    } else if name.starts_with(".data") {
        2
    } else if name.starts_with(".bss") {
        4
    } else {
        3
    }
}

fn align_to(v: u64, log2: u32) -> u64 {
    let a = 1u64 << log2;
    v.div_ceil(a) * a
}

/// A string segment being merged: (object, segment), its output segment, and its strings as
/// (offset in the input, string id).
type MergedInput = ((ObjectId, u32), usize, Vec<(u32, u32)>);

fn layout_memory<'a>(
    config: &Config,
    res: &Resolved<'a>,
    live: &Live,
    l: &mut Layout<'a>,
    diags: &mut Diagnostics,
) {
    // Group live input segments into output segments, in order of first appearance. String
    // segments (`WASM_SEGMENT_FLAG_STRINGS`, byte-aligned, no relocations) are deduplicated
    // into one block, placed where the first of them was, as wasm-ld does from -O1 on.
    let mut by_name: FxHashMap<&'a str, usize> = FxHashMap::default();
    let mut segs: Vec<OutSegment<'a>> = Vec::new();
    let mut mergers: Vec<StringMerger<'a>> = Vec::new();
    let mut merged_inputs: Vec<MergedInput> = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for (s, seg) in obj.segments.iter().enumerate() {
            if !live.segments[o][s] {
                continue;
            }
            let name = output_segment_name(config, seg);
            // A relocatable output keeps COMDAT segments apart, so that the final link can
            // still drop or keep each one (wasm-ld).
            let comdat = config.relocatable
                && obj
                    .comdats
                    .iter()
                    .any(|c| c.members.contains(&ComdatMember::Data(s as u32)));
            let new_segment = |segs: &mut Vec<OutSegment<'a>>,
                               mergers: &mut Vec<StringMerger<'a>>| {
                segs.push(OutSegment {
                    name,
                    align_log2: 0,
                    addr: 0,
                    size: 0,
                    pieces: Vec::new(),
                    bss: true,
                    merged: Vec::new(),
                });
                mergers.push(StringMerger::default());
                segs.len() - 1
            };
            let i = if comdat {
                new_segment(&mut segs, &mut mergers)
            } else {
                *by_name
                    .entry(name)
                    .or_insert_with(|| new_segment(&mut segs, &mut mergers))
            };
            let oid = ObjectId(o as u32);
            let out = &mut segs[i];
            if is_mergeable(config, seg) {
                if mergers[i].is_empty() {
                    out.pieces.push((MERGED_STRINGS, 0, 0));
                }
                out.bss = false;
                let pieces = mergers[i].add(obj.slice(&seg.data));
                merged_inputs.push(((oid, s as u32), i, pieces));
                continue;
            }
            out.align_log2 = out.align_log2.max(seg.align_log2);
            out.bss &= seg.is_bss();
            out.pieces.push((oid, s as u32, 0));
        }
    }
    let mut string_offsets: Vec<Vec<u64>> = Vec::with_capacity(segs.len());
    for (seg, merger) in segs.iter_mut().zip(&mergers) {
        let (bytes, offsets) = merger.finish();
        seg.merged = bytes;
        string_offsets.push(offsets);
    }
    // Offsets within each output segment.
    for seg in &mut segs {
        let mut size = 0u64;
        for piece in &mut seg.pieces {
            if piece.0 == MERGED_STRINGS {
                piece.2 = size;
                size += seg.merged.len() as u64;
                continue;
            }
            let input = &res.objects[piece.0.idx()].segments[piece.1 as usize];
            let off = align_to(size, input.align_log2);
            piece.2 = off;
            size = off + input.data.len() as u64;
        }
        seg.size = size;
    }
    // Where each merged input's strings went, relative to its output segment.
    let mut string_pieces: FxHashMap<(ObjectId, u32), Vec<(u32, u64)>> = FxHashMap::default();
    for (key, i, pieces) in merged_inputs {
        let base = segs[i]
            .pieces
            .iter()
            .find(|p| p.0 == MERGED_STRINGS)
            .map_or(0, |p| p.2);
        let offsets = &string_offsets[i];
        let mapped = pieces
            .into_iter()
            .map(|(start, id)| (start, base + offsets[id as usize]))
            .collect();
        string_pieces.insert(key, mapped);
    }
    segs.sort_by_key(|s| segment_order(s.name));

    let mut ptr: u64 = 0;
    let mut stack_low = 0;
    let mut place_stack = |ptr: &mut u64| {
        // 16-byte stack alignment (BasicCABI).
        *ptr = align_to(*ptr, 4);
        stack_low = *ptr;
        *ptr += config.stack_size;
        *ptr
    };
    if config.relocatable {
        // An object's data starts at address 0 and has no stack.
    } else if config.stack_first {
        l.stack_pointer = place_stack(&mut ptr);
        if let Some(base) = config.global_base {
            if base < ptr {
                diags.error(
                    "--global-base cannot be less than stack size when --stack-first is used",
                );
            }
            ptr = base;
        }
    } else {
        ptr = config.global_base.unwrap_or(1024);
    }
    let data_start = ptr;
    for seg in &mut segs {
        ptr = align_to(ptr, seg.align_log2);
        seg.addr = ptr;
        ptr += seg.size;
    }
    let data_end = ptr;
    if !config.stack_first && !config.relocatable {
        l.stack_pointer = place_stack(&mut ptr);
    }
    // The heap starts 16-byte aligned only when the link defines `__heap_base` (wasm-ld);
    // otherwise the memory ends where the data or stack does (visible with `--page-size=1`).
    let defines_heap_base = res.lookup("__heap_base").is_some_and(|id| {
        res.symbols[id.idx()].def == Def::Synthetic(Synthetic::Data(SyntheticData::HeapBase))
    });
    let heap_base = if defines_heap_base {
        align_to(ptr, 4)
    } else {
        ptr
    };
    let mut mem_end = heap_base;
    if let Some(h) = config.initial_heap {
        if !h.is_multiple_of(config.page_size) {
            diags.error(format!(
                "initial heap must be aligned to the page size ({} bytes)",
                config.page_size
            ));
        }
        mem_end = heap_base + h;
    }
    // `--page-size`: 64 KiB, or 1 byte (custom page sizes).
    let page = config.page_size;
    let mut pages = mem_end.div_ceil(page);
    if let Some(init) = config.initial_memory {
        if init % page != 0 {
            diags.error(format!(
                "initial memory must be aligned to the page size ({page} bytes)"
            ));
        }
        if init < mem_end {
            diags.error(format!("initial memory too small, {mem_end} bytes needed"));
        }
        if init > MAX_MEMORY {
            diags.error(format!(
                "initial memory too large, cannot be greater than {MAX_MEMORY}"
            ));
        }
        pages = init / page;
    } else if pages > MAX_MEMORY / page {
        // wasm-ld has no such check and writes a module that does not validate.
        diags.error("total memory size exceeds the 4 GiB limit of wasm32");
    }
    l.memory_pages = pages;
    if let Some(max) = config.max_memory {
        if max % page != 0 {
            diags.error(format!(
                "maximum memory must be aligned to the page size ({page} bytes)"
            ));
        }
        if max / page < pages {
            let needed = pages * page;
            diags.error(format!("maximum memory too small, {needed} bytes needed"));
        }
        if max > MAX_MEMORY {
            diags.error(format!(
                "maximum memory too large, cannot be greater than {MAX_MEMORY}"
            ));
        }
        l.memory_max_pages = Some(max / page);
    } else if config.no_growable_memory {
        l.memory_max_pages = Some(pages);
    }
    let heap_end = pages * page;

    // Addresses of input segments and data symbols.
    l.seg_addr = res
        .objects
        .iter()
        .map(|o| vec![u64::MAX; o.segments.len()])
        .collect();
    for seg in &segs {
        for &(o, s, off) in &seg.pieces {
            if o != MERGED_STRINGS {
                l.seg_addr[o.idx()][s as usize] = seg.addr + off;
            }
        }
    }
    for (&(o, s), pieces) in &mut string_pieces {
        let input = &res.objects[o.idx()].segments[s as usize];
        let name = output_segment_name(config, input);
        let Some(seg) = segs.iter().find(|s| s.name == name) else {
            continue;
        };
        for p in pieces.iter_mut() {
            p.1 += seg.addr;
        }
    }
    l.string_pieces = string_pieces;
    for (i, sym) in res.symbols.iter().enumerate() {
        l.sym_addr[i] = match sym.def {
            Def::Defined { obj, sym: si } => {
                match res.objects[obj.idx()].symbols[si as usize].target {
                    SymbolTarget::Data {
                        segment, offset, ..
                    } => l.data_addr(obj, segment, offset),
                    SymbolTarget::AbsoluteData { addr, .. } => Some(addr as u64),
                    _ => None,
                }
            }
            Def::Synthetic(Synthetic::Data(d)) => Some(match d {
                SyntheticData::HeapBase => heap_base,
                SyntheticData::HeapEnd => heap_end,
                SyntheticData::DataEnd => data_end,
                SyntheticData::GlobalBase | SyntheticData::DsoHandle => data_start,
                SyntheticData::StackLow => stack_low,
                SyntheticData::StackHigh => l.stack_pointer,
                SyntheticData::MemoryBase => 0,
                SyntheticData::TableBase => config.table_base as u64,
                SyntheticData::FirstPageEnd => config.page_size,
                SyntheticData::SegmentStart | SyntheticData::SegmentStop => {
                    let name = sym
                        .name
                        .trim_start_matches("__start_")
                        .trim_start_matches("__stop_");
                    match segs.iter().find(|s| s.name == name) {
                        Some(s) if d == SyntheticData::SegmentStart => s.addr,
                        Some(s) => s.addr + s.size,
                        None => 0,
                    }
                }
            }),
            _ => None,
        };
    }
    if l.init_memory.is_some() {
        l.bss_fills = segs
            .iter()
            .filter(|s| s.bss)
            .map(|s| (s.addr, s.size))
            .collect();
    }
    l.segments = segs;
}
