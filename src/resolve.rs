//! Resolution: loads inputs in command-line order, extracts archive members that define needed
//! symbols, and builds the symbol table: one entry per global name, plus one per local symbol.
//!
//! The rules follow wasm-ld (see `spec/resolution.md`): a strong definition beats a weak one, the
//! first of several weak definitions wins, two strong definitions are an error, a weak undefined
//! reference does not extract an archive member, and the first object to define a COMDAT group
//! keeps it, the others' members of that group becoming references to it.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::Config;
use crate::error::{Diagnostics, Error, Result};
use crate::input::{Archive, MemberRef};
use crate::model::*;
use crate::read::read_object;
use variants::Variants;
use wasmparser::FuncType;

mod stubs;
mod variants;
mod wrap;

/// A symbol the linker defines itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synthetic {
    /// `__stack_pointer`, a mutable i32 global.
    StackPointer,
    /// `__wasm_call_ctors`, which calls the constructors.
    CallCtors,
    /// `__indirect_function_table`.
    FunctionTable,
    /// A data symbol whose address the layout computes.
    Data(SyntheticData),
    /// `__tls_base`: the address of the thread's TLS block. A mutable global that
    /// `__wasm_init_tls` sets under `--shared-memory`; otherwise an immutable one holding the
    /// address of `.tdata`, defined only when something refers to it.
    TlsBase,
    /// `__tls_size`: the size of `.tdata` (immutable global; `--shared-memory` only).
    TlsSize,
    /// `__tls_align`: the alignment of `.tdata` (immutable global; `--shared-memory` only).
    TlsAlign,
    /// `__wasm_init_tls(block)`: copies `.tdata` to `block` and points `__tls_base` at it
    /// (`--shared-memory` only).
    InitTls,
    /// An i32 global a shared library imports from `env` under its own name: `__stack_pointer`
    /// (mutable), `__memory_base` and `__table_base` (spec/dynamic.md). Not a definition of
    /// the module, though the linker makes it.
    EnvImport,
}

/// The linker-defined data symbols; each is created only when something refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntheticData {
    /// `__heap_base`: first address after data and stack, 16-aligned.
    HeapBase,
    /// `__heap_end`: end of the initial memory.
    HeapEnd,
    /// `__data_end`: end of static data.
    DataEnd,
    /// `__global_base`: start of static data.
    GlobalBase,
    /// `__dso_handle`: start of static data.
    DsoHandle,
    /// `__stack_low`: bottom of the stack.
    StackLow,
    /// `__stack_high`: top of the stack.
    StackHigh,
    /// `__memory_base`: 0 in a non-PIC link.
    MemoryBase,
    /// `__table_base`: the first table slot.
    TableBase,
    /// `__wasm_first_page_end`: the page size.
    FirstPageEnd,
    /// `__start_<segment>`: start of an output segment.
    SegmentStart,
    /// `__stop_<segment>`: end of an output segment.
    SegmentStop,
}

impl SyntheticData {
    fn by_name(name: &str) -> Option<Self> {
        Some(match name {
            "__heap_base" => Self::HeapBase,
            "__heap_end" => Self::HeapEnd,
            "__data_end" => Self::DataEnd,
            "__global_base" => Self::GlobalBase,
            "__dso_handle" => Self::DsoHandle,
            "__stack_low" => Self::StackLow,
            "__stack_high" => Self::StackHigh,
            "__memory_base" => Self::MemoryBase,
            "__table_base" => Self::TableBase,
            "__wasm_first_page_end" => Self::FirstPageEnd,
            _ if name.starts_with("__start_") && is_c_ident(&name[8..]) => Self::SegmentStart,
            _ if name.starts_with("__stop_") && is_c_ident(&name[7..]) => Self::SegmentStop,
            _ => return None,
        })
    }

    /// Whether the linker defines this symbol in this kind of output (wasm-ld's
    /// `createOptionalSymbols`): a position-independent module does not know where its data,
    /// stack or heap will be, and a shared library has no `__data_end` of its own.
    fn defined_in(self, config: &Config) -> bool {
        match self {
            Self::DataEnd => !config.shared,
            Self::StackLow
            | Self::StackHigh
            | Self::GlobalBase
            | Self::HeapBase
            | Self::HeapEnd
            | Self::MemoryBase
            | Self::TableBase => !config.pic(),
            Self::DsoHandle | Self::FirstPageEnd | Self::SegmentStart | Self::SegmentStop => true,
        }
    }
}

/// LLVM's name for a symbol kind, as wasm-ld's messages spell it.
fn llvm_type_name(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Function => "WASM_SYMBOL_TYPE_FUNCTION",
        SymbolKind::Data => "WASM_SYMBOL_TYPE_DATA",
        SymbolKind::Global => "WASM_SYMBOL_TYPE_GLOBAL",
        SymbolKind::Section => "WASM_SYMBOL_TYPE_SECTION",
        SymbolKind::Tag => "WASM_SYMBOL_TYPE_TAG",
        SymbolKind::Table => "WASM_SYMBOL_TYPE_TABLE",
    }
}

/// The kind of the linker-defined symbol called `name`, if there is one (spec/linking.md).
pub fn linker_symbol_kind(name: &str) -> Option<SymbolKind> {
    match name {
        "__stack_pointer" => Some(SymbolKind::Global),
        "__wasm_call_ctors" => Some(SymbolKind::Function),
        "__indirect_function_table" => Some(SymbolKind::Table),
        "__tls_base" | "__tls_size" | "__tls_align" => Some(SymbolKind::Global),
        "__wasm_init_tls" => Some(SymbolKind::Function),
        _ => SyntheticData::by_name(name).map(|_| SymbolKind::Data),
    }
}

/// Reorders `v` so that element `i` is the old element `order[i]`.
fn permute<T>(v: &mut Vec<T>, order: &[usize]) {
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    *v = order
        .iter()
        .filter_map(|&o| slots.get_mut(o).and_then(Option::take))
        .collect();
}

/// Whether `s` is a C identifier (segments with such names get `__start_`/`__stop_` symbols).
pub fn is_c_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Where a symbol's definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Def {
    /// Not defined; `obj`/`sym` is the first reference (for import names and signatures).
    Undefined {
        /// The referencing object.
        obj: ObjectId,
        /// Its symbol index there.
        sym: u32,
    },
    /// Referenced nowhere yet, defined by an archive member that is not loaded.
    Lazy(MemberRef),
    /// Defined by object `obj`'s symbol `sym`.
    Defined {
        /// The defining object.
        obj: ObjectId,
        /// Its symbol index there.
        sym: u32,
    },
    /// Defined by the linker.
    Synthetic(Synthetic),
    /// Named only on the command line (`-u`, `--export`), never referenced or defined.
    CommandLine,
}

/// An entry of the symbol table.
#[derive(Debug, Clone)]
pub struct Symbol<'a> {
    /// The name.
    pub name: &'a str,
    /// The kind.
    pub kind: SymbolKind,
    /// The definition.
    pub def: Def,
    /// Flags of the definition, or of the strongest reference while undefined.
    pub flags: SymFlags,
    /// A local symbol (never resolved across objects).
    pub local: bool,
    /// Every reference is weak (meaningful while undefined or lazy).
    pub weak_refs_only: bool,
    /// Named by `--export`, `--export-if-defined` or the entry point, or needed by a stub
    /// library's symbol.
    pub forced_export: bool,
    /// Provided by a stub library: imported, though nothing else allows it undefined.
    pub forced_import: bool,
    /// Left undefined with an archive member that defines it unloaded (only weak references
    /// name it). wasm-ld replaces such a symbol at the end with a weak undefined one, of flags
    /// `BINDING_WEAK` alone and, for a function, "called directly" (so a position-independent
    /// module imports it).
    pub demoted_lazy: bool,
    /// Exported by a shared library input (`.so`): defined elsewhere, so not an undefined
    /// symbol to a loader (wasm-ld's `SharedData`/`SharedFunction`).
    pub in_shared_library: bool,
    /// For an undefined function: the reference whose declaration is its signature, when
    /// that is not the one `def` names (a later strong reference names the import, but the
    /// signature stays the first's, as in wasm-ld).
    pub signature_from: Option<(ObjectId, u32)>,
    /// For an undefined function: some reference calls it (wasm-ld's "called directly").
    pub called_directly: bool,
    /// The name ended bound to a signature variant that lost to a definition of another
    /// signature (spec/resolution.md): wasm-ld makes it a local trap stub, so it is not
    /// exported by name.
    pub shadowed: bool,
}

impl Symbol<'_> {
    /// Defined (by an object or the linker).
    pub fn is_defined(&self) -> bool {
        matches!(self.def, Def::Defined { .. } | Def::Synthetic(_))
    }

    /// Undefined, and only weakly referenced.
    pub fn is_undefined_weak(&self) -> bool {
        !self.is_defined() && self.weak_refs_only
    }
}

/// The result of resolution.
pub struct Resolved<'a> {
    /// Every loaded object, in load order.
    pub objects: Vec<Object<'a>>,
    /// The symbol table; locals have entries too.
    pub symbols: Vec<Symbol<'a>>,
    /// Per object: symbol index → symbol table entry.
    pub obj_symbols: Vec<Vec<SymbolId>>,
    /// Per object: which chunks a COMDAT group owned elsewhere excludes.
    pub excluded: Vec<Excluded>,
    /// Per object: it came from an archive or `--start-lib` (it is live, for garbage
    /// collection, only once something refers to it; command-line objects always are).
    pub from_lib: Vec<bool>,
    /// Global names → entries.
    pub names: FxHashMap<&'a str, SymbolId>,
    /// Exported functions get wrappers that run constructors and destructors around them
    /// (wasm-ld's "command" exports): nothing calls `__wasm_call_ctors` itself.
    pub command_exports: bool,
    /// `__wasm_call_dtors`, defined by libc, called after each command export.
    pub call_dtors: Option<SymbolId>,
    /// The shared libraries given as inputs, by file name: a shared library's `dylink.0`
    /// says it needs them.
    pub needed: Vec<String>,
    /// Per object: its function symbols that wasm-ld binds to a signature variant that lost
    /// to a definition of another signature, with that variant's signature. Their calls go
    /// to a `signature_mismatch:NAME` trap stub and their addresses are null
    /// (spec/resolution.md).
    pub mismatched: Vec<FxHashMap<u32, FuncType>>,
}

impl<'a> Resolved<'a> {
    /// The entry for a global name.
    pub fn lookup(&self, name: &str) -> Option<SymbolId> {
        self.names.get(name).copied()
    }

    /// The symbol an object's relocation or init function names.
    pub fn sym(&self, obj: ObjectId, index: u32) -> SymbolId {
        self.obj_symbols[obj.idx()][index as usize]
    }
}

/// Chunks of an object dropped because another object owns their COMDAT group.
#[derive(Debug, Clone, Default)]
pub struct Excluded {
    /// Defined-function indices (not counting imports).
    pub functions: FxHashSet<u32>,
    /// Segment indices.
    pub segments: FxHashSet<u32>,
    /// Indices into `Object::customs`.
    pub customs: FxHashSet<u32>,
    /// Defined-global indices (not counting imports).
    pub globals: FxHashSet<u32>,
}

/// One input after classification, for [`resolve`].
pub enum LoadItem<'a> {
    /// An object file (`lazy`: between `--start-lib`/`--end-lib`).
    Object {
        /// Its path.
        name: &'a str,
        /// Its bytes.
        bytes: &'a [u8],
        /// Loaded only if it defines a needed symbol.
        lazy: bool,
    },
    /// An archive (index into the archive list), with `--whole-archive` in force or not.
    Archive {
        /// Index into the archives passed to [`resolve`].
        index: u32,
        /// Load every member.
        whole: bool,
    },
    /// A stub library (`#STUB`), in command-line order among the others.
    Stub(crate::input::StubLibrary<'a>),
    /// A shared library (`-shared` links only, so far).
    Shared(crate::input::SharedLibrary<'a>),
}

struct Resolver<'a, 'c> {
    config: &'a Config,
    archives: &'c [Archive<'a>],
    /// Lazy objects (`--start-lib`), addressed as archive `u32::MAX`, offset = index here.
    lazy_objects: Vec<(&'a str, &'a [u8])>,
    objects: Vec<Object<'a>>,
    symbols: Vec<Symbol<'a>>,
    names: FxHashMap<&'a str, SymbolId>,
    obj_symbols: Vec<Vec<SymbolId>>,
    excluded: Vec<Excluded>,
    from_lib: Vec<bool>,
    comdat_owner: FxHashMap<&'a str, ObjectId>,
    extracted: FxHashSet<MemberRef>,
    /// Archive members that define a symbol referenced only weakly so far: a weak reference
    /// does not extract, but a later strong one does. The symbol itself stays undefined, so
    /// that it keeps the kind, flags and import name of its references.
    weak_lazy: FxHashMap<SymbolId, MemberRef>,
    /// The object whose symbols are being added, if any: the parent of what it extracts.
    current: Option<ObjectId>,
    /// Per object: the object whose reference extracted it.
    parent: Vec<Option<ObjectId>>,
    diags: Diagnostics,
    command_exports: (bool, Option<SymbolId>),
    /// `--trace-symbol` names.
    traced: FxHashSet<&'a str>,
    /// `--why-extract` records: reference, extracted member, symbol.
    why_extract: Vec<[String; 3]>,
    /// Stub libraries, in command-line order.
    stubs: Vec<crate::input::StubLibrary<'a>>,
    /// Shared libraries given as inputs, in command-line order.
    shared: Vec<crate::input::SharedLibrary<'a>>,
    /// Function names whose objects disagree on the signature.
    variants: FxHashMap<SymbolId, Variants>,
    /// Per object: see [`Resolved::mismatched`].
    mismatched: Vec<FxHashMap<u32, FuncType>>,
}

/// What made an archive member load (`--why-extract`'s first column).
#[derive(Clone, Copy)]
enum Reference {
    /// An undefined reference in this object.
    Object(ObjectId),
    /// The command line: wasm-ld's name for the option.
    CommandLine(&'static str),
}

const LAZY_OBJECT_ARCHIVE: u32 = u32::MAX;

/// Writes the `--why-extract` report: a header and one tab-separated line per extracted
/// member, in wasm-ld's format; `-` is standard output.
fn write_why_extract(path: &str, records: &[[String; 3]]) -> Result<()> {
    let mut text = String::from("reference\textracted\tsymbol\n");
    for r in records {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    if path == "-" {
        print!("{text}");
        return Ok(());
    }
    std::fs::write(path, text)
        .map_err(|e| crate::Error::msg(format!("cannot open --why-extract= file {path}: {e}")))
}

/// The linker's optional data symbols, in the order wasm-ld creates them.
const OPTIONAL_DATA: &[&str] = &[
    "__dso_handle",
    "__data_end",
    "__stack_low",
    "__stack_high",
    "__global_base",
    "__heap_base",
    "__heap_end",
    "__memory_base",
    "__table_base",
    "__wasm_first_page_end",
];

/// The optional data symbol `name` names, if it is one.
fn optional_data(name: &str) -> Option<SyntheticData> {
    OPTIONAL_DATA
        .contains(&name)
        .then(|| SyntheticData::by_name(name))
        .flatten()
}

/// Loads `items` in order and resolves their symbols.
pub fn resolve<'a>(
    config: &'a Config,
    archives: &[Archive<'a>],
    items: Vec<LoadItem<'a>>,
    diags: &mut Diagnostics,
) -> Result<Resolved<'a>> {
    let mut r = Resolver {
        config,
        archives,
        lazy_objects: Vec::new(),
        objects: Vec::new(),
        symbols: Vec::new(),
        names: FxHashMap::default(),
        obj_symbols: Vec::new(),
        excluded: Vec::new(),
        from_lib: Vec::new(),
        comdat_owner: FxHashMap::default(),
        weak_lazy: FxHashMap::default(),
        extracted: FxHashSet::default(),
        current: None,
        parent: Vec::new(),
        diags: std::mem::take(diags),
        command_exports: (false, None),
        traced: config.trace_symbols.iter().map(String::as_str).collect(),
        why_extract: Vec::new(),
        stubs: Vec::new(),
        shared: Vec::new(),
        variants: FxHashMap::default(),
        mismatched: Vec::new(),
    };
    let result = r.run(items);
    *diags = std::mem::take(&mut r.diags);
    result?;
    // Written before undefined symbols are reported, as wasm-ld does.
    if let Some(path) = &config.why_extract {
        write_why_extract(path, &r.why_extract)?;
    }
    diags.check()?;
    let (command_exports, call_dtors) = r.command_exports;
    // A symbol only weak references name, left in its archive, is replaced by wasm-ld with a
    // weak undefined symbol of flags `BINDING_WEAK` alone: what a position-independent
    // module's `dylink.0` import info records (and its visibility no longer hides it).
    for id in r.weak_lazy.keys() {
        let sym = &mut r.symbols[id.idx()];
        if matches!(sym.def, Def::Undefined { .. }) {
            sym.demoted_lazy = true;
            if config.pic() {
                sym.flags = SymFlags(SymFlags::WEAK);
            }
        }
    }
    let mut needed: Vec<String> = Vec::new();
    for lib in &r.shared {
        if !needed.contains(&lib.needed_name) {
            needed.push(lib.needed_name.clone());
        }
    }
    Ok(Resolved {
        needed,
        objects: r.objects,
        symbols: r.symbols,
        obj_symbols: r.obj_symbols,
        excluded: r.excluded,
        from_lib: r.from_lib,
        names: r.names,
        command_exports,
        call_dtors,
        mismatched: r.mismatched,
    })
}

impl<'a> Resolver<'a, '_> {
    fn run(&mut self, items: Vec<LoadItem<'a>>) -> Result<()> {
        // wasm-ld defines these before reading inputs, so an input defining them conflicts.
        // wasm-ld gives `__stack_pointer` default visibility: `--export-dynamic` exports it.
        // A relocatable output defines none of the linker's symbols: references to them stay
        // undefined for the final link.
        // Symbol-table order (which export order follows) is wasm-ld's: `__wasm_call_ctors`
        // first.
        if !self.config.relocatable {
            self.define_synthetic(
                "__wasm_call_ctors",
                SymbolKind::Function,
                Synthetic::CallCtors,
            );
            // A position-independent module imports the stack pointer and its two bases
            // (wasm-ld makes them undefined globals, in this order).
            let imported = ["__stack_pointer", "__memory_base", "__table_base"];
            if self.config.pic() {
                for name in imported {
                    let id = self.new_symbol(
                        name,
                        SymbolKind::Global,
                        Def::Synthetic(Synthetic::EnvImport),
                        SymFlags(SymFlags::HIDDEN),
                    );
                    self.names.insert(name, id);
                }
                // A library's loader runs its constructors; a PIE's entry point does.
                if self.config.shared {
                    let ctors = self.names["__wasm_call_ctors"];
                    self.symbols[ctors.idx()].forced_export = true;
                }
            } else {
                let sp = self.new_symbol(
                    "__stack_pointer",
                    SymbolKind::Global,
                    Def::Synthetic(Synthetic::StackPointer),
                    SymFlags(0),
                );
                self.names.insert("__stack_pointer", sp);
            }
            // Threads: the TLS symbols are all the linker's (wasm-ld's createSyntheticSymbols).
            if self.config.shared_memory {
                for (name, kind, s) in [
                    ("__tls_base", SymbolKind::Global, Synthetic::TlsBase),
                    ("__tls_size", SymbolKind::Global, Synthetic::TlsSize),
                    ("__tls_align", SymbolKind::Global, Synthetic::TlsAlign),
                    ("__wasm_init_tls", SymbolKind::Function, Synthetic::InitTls),
                ] {
                    self.define_synthetic(name, kind, s);
                }
            }
        }

        // Objects named on the command line are all loaded, so they are parsed ahead, in
        // parallel: while one batch is added to the symbol table (in order), the next is
        // parsed. Archive members are parsed one at a time as they are extracted.
        const BATCH: usize = 64;
        let parse = |item: &LoadItem<'a>| match *item {
            LoadItem::Object {
                name,
                bytes,
                lazy: false,
            } => Some(read_object(name, bytes)),
            _ => None,
        };
        let n = items.len();
        let mut parsed: Vec<Option<Result<Object<'a>>>> = Vec::with_capacity(n);
        parsed.extend(
            items[..BATCH.min(n)]
                .par_iter()
                .map(parse)
                .collect::<Vec<_>>(),
        );
        let mut start = 0;
        while start < n {
            let end = (start + BATCH).min(n);
            let ahead = (end + BATCH).min(n);
            let current = &mut parsed[start..end];
            let (added, next) = rayon::join(
                || -> Result<()> {
                    for (item, obj) in items[start..end].iter().zip(current) {
                        self.load(item, obj.take())?;
                    }
                    Ok(())
                },
                || items[end..ahead].par_iter().map(parse).collect::<Vec<_>>(),
            );
            added?;
            parsed.extend(next);
            start = end;
        }

        // Names the command line needs pull their definitions out of archives.
        let config = self.config;
        // In wasm-ld's order: `-u`, then the exported names, then the entry.
        let mut wanted: Vec<(&'a str, &'static str)> = Vec::new();
        wanted.extend(config.undefined.iter().map(|n| (n.as_str(), "<internal>")));
        // wasm-ld keeps the exported names in a StringSet (`--export-if-defined` ones first)
        // and walks it in its hash order.
        let exported = config
            .exports_if_defined
            .iter()
            .chain(&config.exports)
            .map(String::as_str);
        wanted.extend(
            crate::string_set::llvm_order(exported)
                .into_iter()
                .map(|n| (n, "--export")),
        );
        if let Some(e) = &config.entry {
            wanted.push((e, "--entry"));
        }
        for (name, option) in wanted {
            match self.names.get(name).copied() {
                Some(id) => {
                    if let Some(m) = self.lazy_member(id) {
                        self.extract_for(m, Reference::CommandLine(option), id)?;
                    }
                }
                // The linker's optional data symbols that only the command line names are
                // created with the others, in wasm-ld's order (`define_optional_symbols`).
                None if !config.relocatable
                    && optional_data(name).is_some_and(|d| d.defined_in(config)) => {}
                None => {
                    let id =
                        self.new_symbol(name, SymbolKind::Function, Def::CommandLine, SymFlags(0));
                    self.names.insert(name, id);
                }
            }
        }
        // A position-independent module's exports are plain (wasm-ld makes no command
        // wrappers for them): its loader or entry point runs the constructors.
        if !config.relocatable && !config.pic() {
            self.command_exports = self.find_call_dtors()?;
        }
        let wrapped = self.add_wrapped_symbols()?;
        self.process_stub_libraries()?;
        // What a shared library input exports, the module imports from it.
        for lib in &self.shared {
            for name in &lib.exports {
                if let Some(&id) = self.names.get(name)
                    && matches!(self.symbols[id.idx()].def, Def::Undefined { .. })
                {
                    self.symbols[id.idx()].forced_import = true;
                    self.symbols[id.idx()].in_shared_library = true;
                }
            }
        }
        self.handle_variants();
        if !config.relocatable {
            self.define_optional_symbols();
        }
        self.wrap_symbols(&wrapped);
        // After `--wrap`, as in wasm-ld: `--export=NAME` then exports `__wrap_NAME`.
        for name in config.exports.iter().chain(&config.exports_if_defined) {
            if let Some(&id) = self.names.get(name.as_str()) {
                self.symbols[id.idx()].forced_export = true;
            }
        }
        self.reorder_objects();
        Ok(())
    }

    /// Loads one input in order: `parsed` is a command-line object parsed ahead.
    fn load(&mut self, item: &LoadItem<'a>, parsed: Option<Result<Object<'a>>>) -> Result<()> {
        match *item {
            LoadItem::Object { lazy: false, .. } => {
                if let Some(obj) = parsed {
                    self.add_object(obj?, false)?;
                }
            }
            LoadItem::Object {
                name,
                bytes,
                lazy: true,
            } => {
                let obj = read_object(name, bytes)?;
                let member = MemberRef {
                    archive: LAZY_OBJECT_ARCHIVE,
                    offset: self.lazy_objects.len() as u64,
                };
                self.lazy_objects.push((name, bytes));
                for s in obj.symbols.iter() {
                    if !s.flags.undefined() && !s.flags.local() && s.kind != SymbolKind::Section {
                        self.add_lazy(s.name, member)?;
                    }
                }
            }
            LoadItem::Archive { index, whole: true } => {
                for (name, bytes) in self.archives[index as usize].members()? {
                    // wasm-ld skips members that are not wasm objects (e.g. an index-only
                    // member); a malformed wasm member is still an error.
                    if !crate::read::is_wasm(bytes) {
                        continue;
                    }
                    let obj = read_object(&name, bytes)?;
                    // Loaded like an object on the command line (wasm-ld): live whether or
                    // not something refers to it.
                    self.add_object(obj, false)?;
                }
            }
            LoadItem::Stub(ref stub) => self.stubs.push(stub.clone()),
            LoadItem::Shared(ref lib) => self.shared.push(lib.clone()),
            LoadItem::Archive {
                index,
                whole: false,
            } => {
                for (name, offset) in self.archives[index as usize].symbols()? {
                    // The index lists members' symbols in member order, as wasm-ld registers
                    // them; a needed member is loaded at once.
                    self.add_lazy(
                        name,
                        MemberRef {
                            archive: index,
                            offset,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Puts objects in wasm-ld's order: wasm-ld loads an extracted member while it is still
    /// reading the object that referred to it, and lists a file once it has read it, so a
    /// member comes before the object whose reference extracted it (post-order).
    fn reorder_objects(&mut self) {
        let n = self.objects.len();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (o, p) in self.parent.iter().enumerate() {
            match p {
                Some(p) => children[p.idx()].push(o),
                None => roots.push(o),
            }
        }
        let mut order = Vec::with_capacity(n);
        // Iterative post-order: (node, next child to visit).
        for root in roots {
            let mut stack = vec![(root, 0usize)];
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&child) = children[node].get(*next) {
                    *next += 1;
                    stack.push((child, 0));
                } else {
                    order.push(node);
                    stack.pop();
                }
            }
        }
        if order.iter().enumerate().all(|(i, &o)| i == o) {
            return;
        }
        let mut new_of = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            new_of[old] = new as u32;
        }
        permute(&mut self.objects, &order);
        permute(&mut self.obj_symbols, &order);
        permute(&mut self.excluded, &order);
        permute(&mut self.from_lib, &order);
        permute(&mut self.mismatched, &order);
        for sym in &mut self.symbols {
            match &mut sym.def {
                Def::Defined { obj, .. } | Def::Undefined { obj, .. } => {
                    *obj = ObjectId(new_of[obj.idx()]);
                }
                _ => {}
            }
            if let Some((obj, _)) = &mut sym.signature_from {
                *obj = ObjectId(new_of[obj.idx()]);
            }
        }
    }

    /// Decides whether exports get command wrappers and, if so, finds `__wasm_call_dtors`
    /// (extracting it from an archive), as wasm-ld's driver does.
    fn find_call_dtors(&mut self) -> Result<(bool, Option<SymbolId>)> {
        let config = self.config;
        let ctors_referenced = self.objects.iter().any(|o| {
            o.symbols
                .iter()
                .any(|s| s.name == "__wasm_call_ctors" && s.flags.undefined())
        });
        let wrap = !ctors_referenced
            && config.entry.as_deref() != Some("__wasm_call_ctors")
            && !config.export_all
            && !config.exports.iter().any(|e| e == "__wasm_call_ctors");
        if !wrap {
            return Ok((false, None));
        }
        let Some(&id) = self.names.get("__wasm_call_dtors") else {
            return Ok((true, None));
        };
        if let Some(m) = self.lazy_member(id) {
            self.extract_for(m, Reference::CommandLine("<internal>"), id)?;
        }
        let sym = &self.symbols[id.idx()];
        if !matches!(sym.def, Def::Defined { .. }) {
            return Ok((true, None));
        }
        if sym.kind != SymbolKind::Function {
            self.diags.error("__wasm_call_dtors must be a function");
            return Ok((true, None));
        }
        if let Def::Defined { obj, sym: si } = sym.def {
            let o = &self.objects[obj.idx()];
            if let SymbolTarget::Function(f) = o.symbols[si as usize].target
                && let Some(t) = o.func_type(f)
                && (!t.params().is_empty() || !t.results().is_empty())
            {
                self.diags
                    .error("__wasm_call_dtors must have no argument or return values");
            }
        }
        Ok((true, Some(id)))
    }

    fn new_symbol(
        &mut self,
        name: &'a str,
        kind: SymbolKind,
        def: Def,
        flags: SymFlags,
    ) -> SymbolId {
        let id = SymbolId(self.symbols.len() as u32);
        self.symbols.push(Symbol {
            name,
            kind,
            def,
            flags,
            local: flags.local(),
            weak_refs_only: flags.weak(),
            forced_export: false,
            forced_import: false,
            demoted_lazy: false,
            in_shared_library: false,
            signature_from: None,
            called_directly: false,
            shadowed: false,
        });
        id
    }

    fn define_synthetic(&mut self, name: &'a str, kind: SymbolKind, s: Synthetic) {
        let id = self.new_symbol(name, kind, Def::Synthetic(s), SymFlags(SymFlags::HIDDEN));
        self.names.insert(name, id);
    }

    /// Defines the linker's optional symbols that something refers to but nobody defines.
    fn define_optional_symbols(&mut self) {
        let config = self.config;
        let here = |d: &SyntheticData| d.defined_in(config);
        for sym in &mut self.symbols {
            if sym.local || sym.is_defined() {
                continue;
            }
            let synthetic = match (sym.kind, sym.def) {
                (SymbolKind::Data, _) => SyntheticData::by_name(sym.name)
                    .filter(here)
                    .map(Synthetic::Data),
                // A global reference to one of them (`global.get __memory_base` in wasi-libc's
                // threaded crt1) is satisfied by the data symbol, read through a GOT global
                // (wasm-ld replaces the undefined symbol whatever its kind).
                (SymbolKind::Global, _) if optional_data(sym.name).is_some_and(|d| here(&d)) => {
                    optional_data(sym.name).map(Synthetic::Data)
                }
                // Named only by `--export`: the linker's data symbols can be exported that way.
                (_, Def::CommandLine) => SyntheticData::by_name(sym.name)
                    .filter(|d| {
                        !matches!(d, SyntheticData::SegmentStart | SyntheticData::SegmentStop)
                            && here(d)
                    })
                    .map(Synthetic::Data),
                (SymbolKind::Table, _) if sym.name == "__indirect_function_table" => {
                    Some(Synthetic::FunctionTable)
                }
                // Objects built with TLS may be linked without shared memory (wasm-ld's
                // createOptionalSymbols): `__tls_base` then points at the one `.tdata`.
                (SymbolKind::Global, _) if sym.name == "__tls_base" => Some(Synthetic::TlsBase),
                _ => None,
            };
            if let Some(s) = synthetic {
                if let Synthetic::Data(_) = s {
                    sym.kind = SymbolKind::Data;
                }
                sym.def = Def::Synthetic(s);
                // As wasm-ld: the function table is hidden unless `--export-table`; imported
                // (`--import-table`), it keeps the flags of the reference that named it.
                sym.flags = match s {
                    Synthetic::FunctionTable if self.config.import_table => {
                        SymFlags(sym.flags.0 & !SymFlags::UNDEFINED)
                    }
                    Synthetic::FunctionTable if self.config.export_table => SymFlags(0),
                    _ => SymFlags(SymFlags::HIDDEN),
                };
            }
        }
        // Those that nothing names but `--export` or `--export-all` exports are created here,
        // in wasm-ld's order (which export order and global indices follow).
        for &name in OPTIONAL_DATA {
            let forced = config.exports.iter().any(|e| e == name)
                || config.exports_if_defined.iter().any(|e| e == name);
            let d = SyntheticData::by_name(name).expect("a linker data symbol");
            if (forced || config.export_all) && !self.names.contains_key(name) && here(&d) {
                let id = self.new_symbol(
                    name,
                    SymbolKind::Data,
                    Def::Synthetic(Synthetic::Data(d)),
                    SymFlags(SymFlags::HIDDEN),
                );
                self.symbols[id.idx()].forced_export = forced;
                self.names.insert(name, id);
            }
        }
    }

    /// Loads an archive member because `reference` (a file, or wasm-ld's name for a command
    /// line option) needs `symbol`, recording why for `--why-extract`.
    fn extract_for(&mut self, m: MemberRef, reference: Reference, symbol: SymbolId) -> Result<()> {
        let loaded = self.extract(m)?;
        if self.config.why_extract.is_some()
            && let Some(member) = loaded
        {
            let reference = match reference {
                Reference::Object(o) => self.objects[o.idx()].name.clone(),
                Reference::CommandLine(option) => option.to_string(),
            };
            let name = self.symbols[symbol.idx()].name.to_string();
            self.why_extract.push([reference, member, name]);
        }
        Ok(())
    }

    /// Loads an archive member (or `--start-lib` object) now, unless it already was; its name
    /// when it was loaded now.
    fn extract(&mut self, m: MemberRef) -> Result<Option<String>> {
        if !self.extracted.insert(m) {
            return Ok(None);
        }
        let (name, bytes, from_lib) = if m.archive == LAZY_OBJECT_ARCHIVE {
            let (n, b) = self.lazy_objects[m.offset as usize];
            // wasm-ld treats these like command-line objects once loaded.
            (n.to_string(), b, false)
        } else {
            let (n, b) = self.archives[m.archive as usize].member(m.offset)?;
            (n, b, true)
        };
        let obj = read_object(&name, bytes)?;
        self.add_object(obj, from_lib)?;
        Ok(Some(name))
    }

    /// How messages name a lazy member: `lib.a(member.o)`, or a `--start-lib` object's path.
    fn member_name(&self, m: MemberRef) -> Result<String> {
        Ok(if m.archive == LAZY_OBJECT_ARCHIVE {
            self.lazy_objects[m.offset as usize].0.to_string()
        } else {
            self.archives[m.archive as usize].member(m.offset)?.0
        })
    }

    fn add_lazy(&mut self, name: &'a str, m: MemberRef) -> Result<()> {
        let Some(&id) = self.names.get(name) else {
            if self.traced.contains(name) {
                let file = self.member_name(m)?;
                self.trace(name, &file, "lazy definition of");
            }
            let id = self.new_symbol(name, SymbolKind::Function, Def::Lazy(m), SymFlags(0));
            // The kind is not known until the member is read; weak_refs_only starts false so
            // that a later weak reference can mark it.
            self.symbols[id.idx()].weak_refs_only = false;
            self.names.insert(name, id);
            return Ok(());
        };
        let sym = &mut self.symbols[id.idx()];
        match sym.def {
            // The member is read at once, and the symbol stays what it is meanwhile, so that
            // the member's definition is checked against it (wasm-ld extracts through a
            // temporary lazy symbol). (A command-line name is a strong reference: it is never
            // weak.)
            Def::Undefined { .. } | Def::CommandLine if !sym.weak_refs_only => {
                let reference = match sym.def {
                    Def::Undefined { obj, .. } => Reference::Object(obj),
                    _ => Reference::CommandLine("<internal>"),
                };
                return self.extract_for(m, reference, id);
            }
            // A weak reference does not extract; remember the member in case a strong
            // reference comes later.
            Def::Undefined { .. } => {
                self.weak_lazy.entry(id).or_insert(m);
            }
            _ => {}
        }
        Ok(())
    }

    /// The archive member that would define `id` if a strong reference asked for it: that of
    /// a lazy symbol, or the one remembered for a weakly referenced one.
    fn lazy_member(&self, id: SymbolId) -> Option<MemberRef> {
        match self.symbols[id.idx()].def {
            Def::Lazy(m) => Some(m),
            Def::Undefined { .. } => self.weak_lazy.get(&id).copied(),
            _ => None,
        }
    }

    /// Adds an object's symbols. A reference to a symbol that an archive member defines loads
    /// that member at once, before the rest of this object's symbols, as wasm-ld does.
    fn add_object(&mut self, obj: Object<'a>, from_lib: bool) -> Result<ObjectId> {
        // One address width per link, checked as each object joins it (wasm-ld's words; the
        // second is what wasm-ld says of any mismatch once `-m` is given).
        if obj.memory64 && self.config.is64.is_none() {
            return Err(Error::file(
                &obj.name,
                "must specify -mwasm64 to process wasm64 object files",
            ));
        }
        if obj.memory64 != self.config.wasm64() {
            return Err(Error::file(
                &obj.name,
                "wasm32 object file can't be linked in wasm64 mode",
            ));
        }
        let oid = ObjectId(self.objects.len() as u32);
        if self.config.trace {
            println!("{}", obj.name);
        }
        let excluded = self.comdat_exclusions(oid, &obj);
        let nfi = obj.num_func_imports();
        let ngi = obj.global_imports.len() as u32;
        let count = obj.symbols.len();
        self.objects.push(obj);
        self.obj_symbols.push(Vec::new());
        self.mismatched.push(FxHashMap::default());
        self.excluded.push(excluded);
        self.from_lib.push(from_lib);
        self.parent.push(self.current);
        let outer = self.current.replace(oid);
        let mut ids = Vec::with_capacity(count);
        for i in 0..count {
            let s = self.objects[oid.idx()].symbols[i].clone();
            let i = i as u32;
            if s.kind == SymbolKind::Section || s.flags.local() {
                let def = if s.flags.undefined() {
                    Def::Undefined { obj: oid, sym: i }
                } else {
                    Def::Defined { obj: oid, sym: i }
                };
                let mut flags = s.flags;
                flags.0 |= SymFlags::LOCAL;
                ids.push(self.new_symbol(s.name, s.kind, def, flags));
                continue;
            }
            let ex = &self.excluded[oid.idx()];
            let in_excluded = match s.target {
                SymbolTarget::Function(f) if f >= nfi => ex.functions.contains(&(f - nfi)),
                SymbolTarget::Data { segment, .. } => ex.segments.contains(&segment),
                SymbolTarget::Global(g) if g >= ngi => ex.globals.contains(&(g - ngi)),
                _ => false,
            };
            let id = if s.flags.undefined() || in_excluded {
                self.add_undefined(oid, i, &s)?
            } else {
                self.add_defined(oid, i, &s)
            };
            ids.push(id);
        }
        self.obj_symbols[oid.idx()] = ids;
        self.current = outer;
        Ok(oid)
    }

    fn comdat_exclusions(&mut self, oid: ObjectId, obj: &Object<'a>) -> Excluded {
        let mut ex = Excluded::default();
        let nfi = obj.num_func_imports();
        let ngi = obj.global_imports.len() as u32;
        for cd in &obj.comdats {
            let owner = *self.comdat_owner.entry(cd.name).or_insert(oid);
            if owner == oid {
                continue;
            }
            for m in &cd.members {
                match *m {
                    ComdatMember::Function(f) => {
                        ex.functions.insert(f - nfi);
                    }
                    ComdatMember::Data(s) => {
                        ex.segments.insert(s);
                    }
                    ComdatMember::Section(sec) => {
                        if let Some(c) = obj.customs.iter().position(|c| c.section_index == sec) {
                            ex.customs.insert(c as u32);
                        }
                    }
                    ComdatMember::Global(g) if g >= ngi => {
                        ex.globals.insert(g - ngi);
                    }
                    _ => {}
                }
            }
        }
        ex
    }

    fn kind_mismatch(&mut self, id: SymbolId, oid: ObjectId, s: &ObjSymbol<'a>) {
        let existing = &self.symbols[id.idx()];
        let where_ = self.defined_in(existing);
        self.diags.error(format!(
            "symbol type mismatch: {}\n>>> defined as {} in {}\n>>> defined as {} in {}",
            s.name,
            llvm_type_name(existing.kind),
            where_,
            llvm_type_name(s.kind),
            self.objects[oid.idx()].name
        ));
    }

    fn defined_in(&self, sym: &Symbol<'a>) -> String {
        match sym.def {
            Def::Defined { obj, .. } | Def::Undefined { obj, .. } => {
                match self.objects.get(obj.idx()) {
                    Some(o) => o.name.clone(),
                    None => "<the object being read>".to_string(),
                }
            }
            Def::Synthetic(_) => "<internal>".to_string(),
            Def::Lazy(_) => "<archive>".to_string(),
            Def::CommandLine => "<command line>".to_string(),
        }
    }

    /// Prints a `--trace-symbol` line as wasm-ld does: on standard output, as it happens (so
    /// that it interleaves with `--trace` and shows even when the link fails later).
    fn trace(&self, name: &str, file: &str, what: &str) {
        if self.traced.contains(name) {
            println!("{file}: {what} {name}");
        }
    }

    fn add_defined(&mut self, oid: ObjectId, i: u32, s: &ObjSymbol<'a>) -> SymbolId {
        let id = self.add_defined_inner(oid, i, s);
        if !self.traced.is_empty()
            && self.symbols[id.idx()].def == (Def::Defined { obj: oid, sym: i })
        {
            self.trace(s.name, &self.objects[oid.idx()].name, "definition of");
        }
        id
    }

    fn add_defined_inner(&mut self, oid: ObjectId, i: u32, s: &ObjSymbol<'a>) -> SymbolId {
        let Some(&id) = self.names.get(s.name) else {
            let id = self.new_symbol(s.name, s.kind, Def::Defined { obj: oid, sym: i }, s.flags);
            self.names.insert(s.name, id);
            return id;
        };
        let existing = &self.symbols[id.idx()];
        let kind_known = !matches!(existing.def, Def::Lazy(_) | Def::CommandLine);
        if kind_known && existing.kind != s.kind {
            self.kind_mismatch(id, oid, s);
            return id;
        }
        // A definition of another signature than the symbol's (a definition, or a reference
        // that calls it) becomes a variant of its own, and the name's primary (wasm-ld's
        // addDefinedFunction).
        // (A symbol a weak reference keeps in its archive is still lazy to wasm-ld: any
        // definition takes it.)
        let checked = match existing.def {
            Def::Defined { .. } => true,
            Def::Undefined { .. } => existing.called_directly && !self.weak_lazy.contains_key(&id),
            _ => false,
        };
        if s.kind == SymbolKind::Function && checked && !self.same_signature(id, (oid, i)) {
            self.define_variant(id, oid, i, s);
            return id;
        }
        if self.should_replace(id, oid, s) {
            let sym = &mut self.symbols[id.idx()];
            sym.def = Def::Defined { obj: oid, sym: i };
            sym.kind = s.kind;
            sym.flags = s.flags;
        }
        self.bind(id, oid, i);
        id
    }

    /// Whether definition `s` of object `oid` takes the place of what entry `id` holds
    /// (wasm-ld's shouldReplace): reports two strong definitions.
    fn should_replace(&mut self, id: SymbolId, oid: ObjectId, s: &ObjSymbol<'a>) -> bool {
        let existing = &self.symbols[id.idx()];
        match existing.def {
            Def::Undefined { .. } | Def::Lazy(_) | Def::CommandLine => true,
            Def::Defined { .. } | Def::Synthetic(_) => {
                if s.flags.weak() {
                    false
                } else if existing.flags.weak() && !matches!(existing.def, Def::Synthetic(_)) {
                    true
                } else if self.config.allow_multiple_definition {
                    false
                } else {
                    let first = self.defined_in(existing);
                    self.diags.error(format!(
                        "duplicate symbol: {}\n>>> defined in {}\n>>> defined in {}",
                        s.name,
                        first,
                        self.objects[oid.idx()].name
                    ));
                    // wasm-ld replaces it all the same: a third definition is reported
                    // against the second.
                    true
                }
            }
        }
    }

    /// Two undefined references to one symbol must agree on the import module, and on the
    /// field name where both give one (wasm-ld: "import module mismatch").
    fn check_import_attributes(
        &mut self,
        id: SymbolId,
        first: (ObjectId, u32),
        next: (ObjectId, u32),
    ) {
        let attrs = |(o, s): (ObjectId, u32)| {
            let obj = &self.objects[o.idx()];
            obj.import_of(&obj.symbols[s as usize])
        };
        let (Some((m1, n1)), Some((m2, n2))) = (attrs(first), attrs(next)) else {
            return;
        };
        let name = self.symbols[id.idx()].name;
        let (f1, f2) = (
            &self.objects[first.0.idx()].name,
            &self.objects[next.0.idx()].name,
        );
        if let (Some(n1), Some(n2)) = (n1, n2)
            && n1 != n2
        {
            let msg = format!(
                "import name mismatch for symbol: {name}\n>>> defined as {n1} in {f1}\n>>> defined as {n2} in {f2}"
            );
            self.diags.error(msg);
        }
        if m1 != m2 {
            let msg = format!(
                "import module mismatch for symbol: {name}\n>>> defined as {m1} in {f1}\n>>> defined as {m2} in {f2}"
            );
            self.diags.error(msg);
        }
    }

    fn add_undefined(&mut self, oid: ObjectId, i: u32, s: &ObjSymbol<'a>) -> Result<SymbolId> {
        self.trace(s.name, &self.objects[oid.idx()].name, "reference to");
        let mut flags = s.flags;
        flags.0 |= SymFlags::UNDEFINED;
        let Some(&id) = self.names.get(s.name) else {
            let id = self.new_symbol(s.name, s.kind, Def::Undefined { obj: oid, sym: i }, flags);
            self.symbols[id.idx()].called_directly = s.called_directly;
            self.names.insert(s.name, id);
            return Ok(id);
        };
        let existing = &self.symbols[id.idx()];
        let kind_known = !matches!(existing.def, Def::Lazy(_) | Def::CommandLine);
        if kind_known && existing.kind != s.kind {
            self.kind_mismatch(id, oid, s);
            return Ok(id);
        }
        // A call through another signature than the symbol's (wasm-ld's
        // addUndefinedFunction): if no reference calls the symbol yet, the caller's reference
        // takes its place; otherwise the call is bound to the variant of its signature.
        // (A symbol a weak reference keeps in its archive is still lazy to wasm-ld.)
        let mut variant = None;
        if s.kind == SymbolKind::Function
            && s.called_directly
            && matches!(existing.def, Def::Undefined { .. } | Def::Defined { .. })
            && !existing.in_shared_library
            && !self.weak_lazy.contains_key(&id)
            && !self.same_signature(id, (oid, i))
        {
            if matches!(existing.def, Def::Undefined { .. }) && !existing.called_directly {
                let sym = &mut self.symbols[id.idx()];
                sym.def = Def::Undefined { obj: oid, sym: i };
                sym.flags = flags;
                sym.weak_refs_only = flags.weak();
                sym.signature_from = None;
                sym.called_directly = true;
                self.bind(id, oid, i);
                return Ok(id);
            }
            variant = Some(self.variant_for(id, (oid, i)).0);
        }
        let signature = self.signature_source(id);
        let sym = &mut self.symbols[id.idx()];
        if matches!(sym.def, Def::Undefined { .. }) {
            sym.called_directly |= s.called_directly;
        }
        match sym.def {
            Def::Lazy(m) => {
                if flags.weak() {
                    // Undefined from now on (wasm-ld demotes such lazy symbols too), with the
                    // member remembered for a later strong reference.
                    sym.kind = s.kind;
                    sym.def = Def::Undefined { obj: oid, sym: i };
                    sym.flags = flags;
                    sym.weak_refs_only = true;
                    self.weak_lazy.insert(id, m);
                } else {
                    sym.weak_refs_only = false;
                    // wasm-ld records only functions' extractions from here.
                    if s.kind == SymbolKind::Function {
                        self.extract_for(m, Reference::Object(oid), id)?;
                    } else {
                        self.extract(m)?;
                    }
                }
            }
            Def::CommandLine => {
                sym.kind = s.kind;
                sym.def = Def::Undefined { obj: oid, sym: i };
                sym.flags = flags;
                sym.weak_refs_only = flags.weak();
                sym.called_directly = s.called_directly;
            }
            Def::Undefined { obj: eo, sym: es } => {
                self.check_import_attributes(id, (eo, es), (oid, i));
                let sym = &mut self.symbols[id.idx()];
                if !flags.weak() && sym.weak_refs_only {
                    // The first strong reference names the import, or extracts the member
                    // that a weak reference left in its archive; the signature stays the
                    // first reference's (wasm-ld).
                    sym.def = Def::Undefined { obj: oid, sym: i };
                    sym.flags = flags;
                    sym.weak_refs_only = false;
                    sym.signature_from = signature.filter(|&r| r != (oid, i));
                    if let Some(m) = self.weak_lazy.remove(&id) {
                        self.extract_for(m, Reference::Object(oid), id)?;
                    }
                }
            }
            Def::Defined { .. } | Def::Synthetic(_) => {}
        }
        match variant {
            Some(e) => self.bind_to(id, oid, i, e),
            None => self.bind(id, oid, i),
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segments get `__start_`/`__stop_` symbols only for C identifiers (spec/linking.md).
    #[test]
    fn c_identifiers() {
        for yes in ["x", "_", "myset", "_x9", "A_b_1"] {
            assert!(is_c_ident(yes), "{yes}");
        }
        for no in ["", "9x", ".data", "my.set", "a-b", "x y", "é"] {
            assert!(!is_c_ident(no), "{no}");
        }
    }
}
