//! Garbage collection (`--gc-sections`, the default): marks what is reachable from the roots
//! through relocations, and reports undefined symbols that live code refers to.
//!
//! Roots are the entry point, exported symbols, `NO_STRIP` symbols, `RETAIN` segments and, when
//! `__wasm_call_ctors` is live, every constructor of every loaded object (as in wasm-ld).

use crate::config::{Config, UnresolvedPolicy};
use crate::error::Diagnostics;
use crate::model::*;
use crate::resolve::{Def, Resolved, Symbol, Synthetic, SyntheticData};
use rustc_hash::FxHashMap;
use wasmparser::RelocationType;

/// What survives garbage collection.
#[derive(Debug, Default)]
pub struct Live {
    /// Per object, per defined function.
    pub functions: Vec<Vec<bool>>,
    /// Per object, per segment.
    pub segments: Vec<Vec<bool>>,
    /// Per object, per defined global.
    pub globals: Vec<Vec<bool>>,
    /// Per object, per defined tag.
    pub tags: Vec<Vec<bool>>,
    /// Per object, per defined table.
    pub tables: Vec<Vec<bool>>,
    /// Per symbol: referenced from something live (or a root).
    pub symbols: Vec<bool>,
    /// Why each live chunk is live, when a JSON map asks (`Config::map_is_json`).
    pub why: FxHashMap<Item, Reason>,
    /// Every reference from a live chunk to an undefined symbol that is reported, when a JSON
    /// map asks: the symbol, and the chunk that refers to it.
    pub undefined_refs: Vec<(SymbolId, ObjectId, Item)>,
}

/// Why a chunk is live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// It is a root, for this reason and through this symbol (if one).
    Root(Root, Option<SymbolId>),
    /// A relocation of the chunk `from` (of object `.0`) refers to it through `symbol`.
    Reference {
        /// The referring chunk.
        from: Item,
        /// The symbol the relocation names.
        symbol: SymbolId,
    },
}

/// The kinds of garbage-collection root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    /// The entry point.
    Entry,
    /// Exported: `--export`, `EXPORTED`, `--export-dynamic`, `--export-all`.
    Export,
    /// A `NO_STRIP` (`__attribute__((used))`) symbol.
    NoStrip,
    /// A constructor of a live object.
    Constructor,
    /// A `RETAIN` segment of a live object.
    Retain,
    /// `--no-gc-sections` keeps everything.
    NoGcSections,
    /// `-r` keeps every global symbol.
    Relocatable,
    /// Needed by the linker itself (`__wasm_call_dtors` for command exports).
    Linker,
}

/// A chunk of an object that garbage collection keeps or drops (indices count definitions
/// only, not imports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    /// A defined function.
    Function(ObjectId, u32),
    /// A data segment.
    Segment(ObjectId, u32),
    /// A defined global.
    Global(ObjectId, u32),
    /// A defined tag.
    Tag(ObjectId, u32),
    /// A defined table.
    Table(ObjectId, u32),
}

/// Whether an undefined symbol may become an import of the output.
pub fn importable(config: &Config, sym: &Symbol<'_>) -> bool {
    // A relocatable output imports whatever it does not define, weak or not; the final link
    // decides.
    if config.relocatable {
        return !matches!(sym.kind, SymbolKind::Data | SymbolKind::Section);
    }
    match sym.kind {
        SymbolKind::Function => {
            sym.flags.has(SymFlags::EXPLICIT_NAME)
                || sym.forced_import
                || config.unresolved == UnresolvedPolicy::ImportDynamic
                || config.import_undefined
                || config.allow_undefined
                || config.allow_undefined_symbols.iter().any(|n| n == sym.name)
        }
        SymbolKind::Global | SymbolKind::Tag | SymbolKind::Table => {
            sym.flags.has(SymFlags::EXPLICIT_NAME)
                || sym.forced_import
                || config.import_undefined
                || config.allow_undefined
                || config.allow_undefined_symbols.iter().any(|n| n == sym.name)
        }
        SymbolKind::Data | SymbolKind::Section => false,
    }
}

/// Whether an undefined symbol is allowed to be undefined whatever the policy (lld's
/// `allowUndefined`): explicitly imported, a function under `--import-undefined`, or listed in
/// `--allow-undefined-file`. `--import-undefined` alone does not excuse a global.
fn allowed(config: &Config, sym: &Symbol<'_>) -> bool {
    sym.flags.has(SymFlags::EXPLICIT_NAME)
        || sym.forced_import
        || (sym.kind == SymbolKind::Function && config.import_undefined)
        || config.allow_undefined_symbols.iter().any(|n| n == sym.name)
}

/// Whether the policy lets an undefined symbol stay undefined (resolving to 0 or a trap);
/// [`allowed`] covers the symbols that are excused by name.
fn tolerated(config: &Config, sym: &Symbol<'_>) -> bool {
    sym.weak_refs_only
        || config.relocatable
        || config.allow_undefined
        || config.unresolved != UnresolvedPolicy::ReportAll
}

struct Marker<'r, 'a> {
    config: &'r Config,
    res: &'r Resolved<'a>,
    live: Live,
    queue: Vec<Item>,
    diags: &'r mut Diagnostics,
    /// An object is live once one of its definitions is; its constructors and retained
    /// segments then are too.
    obj_live: Vec<bool>,
    /// Per symbol: the first reference, in wasm-ld's scan order, to an undefined symbol that
    /// must be reported (reported after marking, in that order).
    undefined: Vec<Option<FirstRef>>,
    /// Record why chunks are live, and every undefined reference (for a JSON map).
    record: bool,
    /// Why what is marked now is live.
    reason: Reason,
}

/// The first reference to an undefined symbol: where wasm-ld meets it, and the chunk.
type FirstRef = (ScanKey, Option<(ObjectId, Item)>);

/// Where wasm-ld meets a reference when it scans relocations: object, then functions before
/// data segments, chunk, relocation. References from the command line come first.
type ScanKey = (u32, u32, u32, u32);

/// Marks the live parts of the link.
pub fn mark_live(config: &Config, res: &Resolved<'_>, diags: &mut Diagnostics) -> Live {
    let live = Live {
        functions: res
            .objects
            .iter()
            .map(|o| vec![false; o.functions.len()])
            .collect(),
        segments: res
            .objects
            .iter()
            .map(|o| vec![false; o.segments.len()])
            .collect(),
        globals: res
            .objects
            .iter()
            .map(|o| vec![false; o.globals.len()])
            .collect(),
        tags: res
            .objects
            .iter()
            .map(|o| vec![false; o.tags.len()])
            .collect(),
        tables: res
            .objects
            .iter()
            .map(|o| vec![false; o.tables.len()])
            .collect(),
        symbols: vec![false; res.symbols.len()],
        why: FxHashMap::default(),
        undefined_refs: Vec::new(),
    };
    let mut m = Marker {
        config,
        res,
        live,
        queue: Vec::new(),
        diags,
        obj_live: vec![false; res.objects.len()],
        undefined: vec![None; res.symbols.len()],
        record: config.map_is_json(),
        reason: Reason::Root(Root::Linker, None),
    };
    m.roots();
    m.run();
    m.report_undefined();
    m.check_start_stop();
    // `__wasm_call_ctors` is live when referenced, or when any constructor is, or when nothing
    // is collected (wasm-ld then keeps every synthetic function).
    // Without collection the linker's TLS globals and `__wasm_init_tls` stay too.
    if !config.gc_sections {
        for (i, sym) in res.symbols.iter().enumerate() {
            if matches!(
                sym.def,
                Def::Synthetic(
                    Synthetic::TlsBase
                        | Synthetic::TlsSize
                        | Synthetic::TlsAlign
                        | Synthetic::InitTls
                )
            ) {
                m.live.symbols[i] = true;
            }
        }
    }
    // A position-independent module imports its memory and table bases whether it uses them
    // or not, and its stack pointer too when nothing is collected.
    if config.pic() {
        let sp = (!config.gc_sections).then_some("__stack_pointer");
        for name in ["__memory_base", "__table_base"].into_iter().chain(sp) {
            if let Some(id) = res.lookup(name) {
                m.live.symbols[id.idx()] = true;
            }
        }
    }
    if let Some(id) = res.lookup("__wasm_call_ctors") {
        // A position-independent module always has one, for its loader or entry point.
        if !config.gc_sections || config.pic() {
            m.live.symbols[id.idx()] = true;
        }
        let any_ctor = res.objects.iter().enumerate().any(|(o, obj)| {
            obj.init_funcs
                .iter()
                .any(|f| m.live.symbols[res.sym(ObjectId(o as u32), f.symbol).idx()])
        });
        if any_ctor {
            m.live.symbols[id.idx()] = true;
        }
    }
    m.live
}

impl<'r, 'a> Marker<'r, 'a> {
    fn roots(&mut self) {
        let res = self.res;
        if let Some(entry) = &self.config.entry {
            match res.lookup(entry) {
                Some(id) if res.symbols[id.idx()].is_defined() => {
                    if res.symbols[id.idx()].kind != SymbolKind::Function {
                        self.diags
                            .error(format!("entry symbol is not a function: {entry}"));
                    }
                    self.reason = Reason::Root(Root::Entry, Some(id));
                    self.mark_symbol(id, None);
                }
                _ => self.diags.error(format!(
                    "entry symbol not defined (pass --no-entry to suppress): {entry}"
                )),
            }
        }
        for name in &self.config.exports {
            match res.lookup(name) {
                Some(id) if defined_here(self.config, &res.symbols[id.idx()]) => {
                    self.reason = Reason::Root(Root::Export, Some(id));
                    self.mark_symbol(id, None)
                }
                // As wasm-ld: an error under the default policy, a warning with
                // `--warn-unresolved-symbols`, nothing when undefined symbols are ignored.
                _ => {
                    let msg = format!("symbol exported via --export not found: {name}");
                    let config = self.config;
                    if config.allow_undefined || config.unresolved != UnresolvedPolicy::ReportAll {
                    } else if config.warn_unresolved {
                        self.diags.warn(msg);
                    } else {
                        self.diags.error(msg);
                    }
                }
            }
        }
        for (i, sym) in res.symbols.iter().enumerate() {
            let id = SymbolId(i as u32);
            // Local symbols are not roots even when `NO_STRIP`: wasm-ld only looks at its
            // global symbol table (an unreferenced `static __attribute__((used))` function goes).
            if sym.local {
                continue;
            }
            // An undefined `NO_STRIP` symbol is live too (wasm-ld roots every such symbol): it
            // is imported when undefined symbols may be, and otherwise dropped without an error.
            let no_strip = sym.flags.has(SymFlags::NO_STRIP)
                && matches!(sym.def, Def::Defined { .. } | Def::Undefined { .. });
            if !sym.is_defined() {
                // Live without a reference to report.
                if no_strip {
                    self.live.symbols[i] = true;
                }
                continue;
            }
            let root = no_strip || is_exported(self.config, sym);
            if root {
                let kind = if no_strip {
                    Root::NoStrip
                } else {
                    Root::Export
                };
                self.reason = Reason::Root(kind, Some(id));
                self.mark_symbol(id, None);
            }
        }
        if let Some(id) = res.call_dtors {
            self.reason = Reason::Root(Root::Linker, Some(id));
            self.mark_symbol(id, None);
        }
        // A relocatable output keeps every global symbol of its objects, referenced or not
        // (data symbols may stay undefined there).
        if self.config.relocatable {
            for (i, sym) in res.symbols.iter().enumerate() {
                if !sym.local && matches!(sym.def, Def::Defined { .. } | Def::Undefined { .. }) {
                    self.live.symbols[i] = true;
                    self.reason = Reason::Root(Root::Relocatable, Some(SymbolId(i as u32)));
                    self.mark_symbol(SymbolId(i as u32), None);
                }
            }
        }
        for (o, obj) in res.objects.iter().enumerate() {
            let oid = ObjectId(o as u32);
            if !res.from_lib[o] || !self.config.gc_sections {
                self.obj_live[o] = true;
                self.object_roots(oid);
            }
            if !self.config.gc_sections {
                self.reason = Reason::Root(Root::NoGcSections, None);
                // Without collection wasm-ld writes every function, segment and global,
                // including the copies a COMDAT group dropped (nothing refers to them: the
                // group's symbols resolve to the kept copy).
                for f in 0..obj.functions.len() as u32 {
                    self.push(Item::Function(oid, f));
                }
                for s in 0..obj.segments.len() as u32 {
                    self.push(Item::Segment(oid, s));
                }
                for g in 0..obj.globals.len() as u32 {
                    self.push(Item::Global(oid, g));
                }
                for t in 0..obj.tags.len() as u32 {
                    self.push(Item::Tag(oid, t));
                }
                for t in 0..obj.tables.len() as u32 {
                    self.push(Item::Table(oid, t));
                }
            }
        }
    }

    /// Constructors and retained segments of an object that just became live.
    fn object_roots(&mut self, oid: ObjectId) {
        let outer = self.reason;
        self.object_roots_of(oid);
        self.reason = outer;
    }

    fn object_roots_of(&mut self, oid: ObjectId) {
        let res = self.res;
        let obj = &res.objects[oid.idx()];
        for f in &obj.init_funcs {
            if let SymbolTarget::Function(fi) = obj.symbols[f.symbol as usize].target
                && let Some(d) = fi.checked_sub(obj.num_func_imports())
                && res.excluded[oid.idx()].functions.contains(&d)
            {
                continue;
            }
            let id = res.sym(oid, f.symbol);
            self.reason = Reason::Root(Root::Constructor, Some(id));
            self.mark_symbol(id, None);
        }
        for (s, seg) in obj.segments.iter().enumerate() {
            if seg.flags & Segment::RETAIN != 0
                && !res.excluded[oid.idx()].segments.contains(&(s as u32))
            {
                self.reason = Reason::Root(Root::Retain, None);
                self.push(Item::Segment(oid, s as u32));
            }
        }
    }

    fn push(&mut self, item: Item) {
        let flag = match item {
            Item::Function(o, i) => &mut self.live.functions[o.idx()][i as usize],
            Item::Segment(o, i) => &mut self.live.segments[o.idx()][i as usize],
            Item::Global(o, i) => &mut self.live.globals[o.idx()][i as usize],
            Item::Tag(o, i) => &mut self.live.tags[o.idx()][i as usize],
            Item::Table(o, i) => &mut self.live.tables[o.idx()][i as usize],
        };
        if !*flag {
            *flag = true;
            self.queue.push(item);
            if self.record {
                self.live.why.insert(item, self.reason);
            }
        }
    }

    /// Marks a symbol and what defines it. `from` is the referencing chunk, for diagnostics.
    fn mark_symbol(&mut self, id: SymbolId, from: Option<(ObjectId, Item)>) {
        let res = self.res;
        let sym = &res.symbols[id.idx()];
        self.live.symbols[id.idx()] = true;
        match sym.def {
            Def::Defined { obj, sym: i } => {
                if !self.obj_live[obj.idx()] {
                    self.obj_live[obj.idx()] = true;
                    self.object_roots(obj);
                }
                let o = &res.objects[obj.idx()];
                match o.symbols[i as usize].target {
                    SymbolTarget::Function(f) => {
                        if let Some(d) = f.checked_sub(o.num_func_imports()) {
                            self.push(Item::Function(obj, d));
                        }
                    }
                    SymbolTarget::Global(g) => {
                        if let Some(d) = g.checked_sub(o.global_imports.len() as u32) {
                            self.push(Item::Global(obj, d));
                        }
                    }
                    SymbolTarget::Tag(t) => {
                        if let Some(d) = t.checked_sub(o.tag_imports.len() as u32) {
                            self.push(Item::Tag(obj, d));
                        }
                    }
                    SymbolTarget::Table(t) => {
                        if let Some(d) = t.checked_sub(o.table_imports.len() as u32) {
                            self.push(Item::Table(obj, d));
                        }
                    }
                    SymbolTarget::Data { segment, .. } => self.push(Item::Segment(obj, segment)),
                    _ => {}
                }
            }
            Def::Undefined { .. } | Def::Lazy(_) | Def::CommandLine => {
                self.check_undefined(id, from);
            }
            Def::Synthetic(_) => {}
        }
    }

    /// `__start_SEG`/`__stop_SEG` exist only when a live segment is named SEG (wasm-ld: a
    /// reference to them does not keep such segments); otherwise a strong reference is to an
    /// undefined symbol.
    fn check_start_stop(&mut self) {
        let res = self.res;
        for (i, sym) in res.symbols.iter().enumerate() {
            let Def::Synthetic(Synthetic::Data(
                SyntheticData::SegmentStart | SyntheticData::SegmentStop,
            )) = sym.def
            else {
                continue;
            };
            if !self.live.symbols[i] || allowed(self.config, sym) || tolerated(self.config, sym) {
                continue;
            }
            let seg = sym
                .name
                .trim_start_matches("__start_")
                .trim_start_matches("__stop_");
            let exists = res.objects.iter().enumerate().any(|(o, obj)| {
                obj.segments
                    .iter()
                    .enumerate()
                    .any(|(s, g)| self.live.segments[o][s] && g.name == seg && !g.is_tls())
            });
            if exists {
                continue;
            }
            let referrer = res.objects.iter().find(|o| {
                o.symbols
                    .iter()
                    .any(|s| s.name == sym.name && s.flags.undefined())
            });
            let msg = match referrer {
                Some(o) => format!("{}: undefined symbol: {}", o.name, sym.name),
                None => format!("undefined symbol: {}", sym.name),
            };
            if self.config.warn_unresolved {
                self.diags.warn(msg);
            } else {
                self.diags.error(msg);
            }
        }
    }

    /// Notes a reference to an undefined symbol that is neither allowed nor tolerated; the
    /// earliest one in scan order is the one reported.
    fn check_undefined(&mut self, id: SymbolId, from: Option<(ObjectId, Item)>) {
        let res = self.res;
        let sym = &res.symbols[id.idx()];
        if allowed(self.config, sym) || tolerated(self.config, sym) {
            return;
        }
        if self.record
            && let Some((obj, item)) = from
        {
            self.live.undefined_refs.push((id, obj, item));
        }
        let key = match from {
            None => (0, 0, 0, 0),
            Some((obj, item)) => {
                let o = &res.objects[obj.idx()];
                let (rank, chunk, relocs) = match item {
                    Item::Function(_, f) => (1, f, o.functions[f as usize].relocs.clone()),
                    Item::Segment(_, g) => (2, g, o.segments[g as usize].relocs.clone()),
                    Item::Global(_, g) => (3, g, 0..0),
                    Item::Tag(_, t) => (4, t, 0..0),
                    Item::Table(_, t) => (5, t, 0..0),
                };
                let at = o.relocs[relocs]
                    .iter()
                    .position(|r| {
                        r.ty != RelocationType::TypeIndexLeb && res.sym(obj, r.index) == id
                    })
                    .unwrap_or(0);
                (obj.0 + 1, rank, chunk, at as u32)
            }
        };
        let slot = &mut self.undefined[id.idx()];
        if slot.as_ref().is_none_or(|(k, _)| key < *k) {
            *slot = Some((key, from));
        }
    }

    /// Reports the undefined symbols, in the order wasm-ld meets them.
    fn report_undefined(&mut self) {
        let res = self.res;
        let mut found: Vec<(usize, FirstRef)> = self
            .undefined
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.map(|first| (i, first)))
            .collect();
        found.sort_by_key(|&(i, (k, _))| (k, i));
        for (i, (_, from)) in found {
            let name = res.symbols[i].name;
            let msg = match from {
                Some((obj, item)) => {
                    let o = &res.objects[obj.idx()];
                    format!(
                        "{}: undefined symbol: {name}\n>>> referenced by {}",
                        o.name,
                        describe_item(o, item)
                    )
                }
                None => format!("undefined symbol: {name}"),
            };
            if self.config.warn_unresolved {
                self.diags.warn(msg);
            } else {
                self.diags.error(msg);
            }
        }
    }

    /// Initializers have no relocations; a `global.get` in one names an imported global of its
    /// object, which the global's symbol resolves (write.rs), so it is kept with the global.
    fn mark_initializer(&mut self, o: ObjectId, g: u32) {
        let obj = &self.res.objects[o.idx()];
        let bytes = obj.slice(&obj.globals[g as usize].init);
        let mut rd = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes, 0));
        while let Ok(op) = rd.read() {
            if let wasmparser::Operator::GlobalGet { global_index } = op
                && let Some(i) = obj
                    .symbols
                    .iter()
                    .position(|s| s.target == SymbolTarget::Global(global_index))
            {
                let id = self.res.sym(o, i as u32);
                self.reason = Reason::Reference {
                    from: Item::Global(o, g),
                    symbol: id,
                };
                self.mark_symbol(id, Some((o, Item::Global(o, g))));
            }
        }
    }

    fn run(&mut self) {
        let res = self.res;
        while let Some(item) = self.queue.pop() {
            let (obj, relocs) = match item {
                Item::Function(o, f) => {
                    (o, res.objects[o.idx()].functions[f as usize].relocs.clone())
                }
                Item::Segment(o, s) => {
                    (o, res.objects[o.idx()].segments[s as usize].relocs.clone())
                }
                Item::Global(o, g) => {
                    self.mark_initializer(o, g);
                    continue;
                }
                Item::Tag(..) | Item::Table(..) => continue,
            };
            let o = &res.objects[obj.idx()];
            for r in &o.relocs[relocs] {
                if r.ty == wasmparser::RelocationType::TypeIndexLeb {
                    continue;
                }
                let id = res.sym(obj, r.index);
                // A call through a declaration of another signature goes to a trap stub
                // (layout/functions.rs), so it does not keep the definition; nor does any
                // use of a signature variant that lost (its address is null).
                if (r.ty == wasmparser::RelocationType::FunctionIndexLeb
                    && signature_mismatch(res, obj, r.index, id))
                    || res.mismatched[obj.idx()].contains_key(&r.index)
                {
                    continue;
                }
                self.reason = Reason::Reference {
                    from: item,
                    symbol: id,
                };
                self.mark_symbol(id, Some((obj, item)));
            }
        }
    }
}

/// Whether object `obj`'s function symbol `index` (resolved to `id`) has another signature
/// than the definition that won: an undefined symbol's declaration, or a definition that lost
/// to one of another signature (layout/functions.rs calls a trap stub for both).
pub fn signature_mismatch(res: &Resolved<'_>, obj: ObjectId, index: u32, id: SymbolId) -> bool {
    let o = &res.objects[obj.idx()];
    let SymbolTarget::Function(f) = o.symbols[index as usize].target else {
        return false;
    };
    let Def::Defined { obj: d, sym } = res.symbols[id.idx()].def else {
        return false;
    };
    let def = &res.objects[d.idx()];
    match def.symbols[sym as usize].target {
        SymbolTarget::Function(df) => def.func_type(df) != o.func_type(f),
        _ => false,
    }
}

/// Whether a symbol is defined by this link: an imported function table (`--import-table`) is
/// an undefined symbol to wasm-ld, which neither exports it nor lets `--export` name it, and so
/// are a position-independent module's imported stack pointer and bases.
fn defined_here(config: &Config, sym: &Symbol<'_>) -> bool {
    sym.is_defined()
        && !(config.import_table && sym.def == Def::Synthetic(Synthetic::FunctionTable))
        && sym.def != Def::Synthetic(Synthetic::EnvImport)
}

/// Whether a defined symbol is exported from the output.
pub fn is_exported(config: &Config, sym: &Symbol<'_>) -> bool {
    if sym.local || sym.shadowed || !defined_here(config, sym) {
        return false;
    }
    if sym.forced_export || sym.flags.has(SymFlags::EXPORTED) {
        return true;
    }
    // wasm-ld 22 exports the linker's own symbols too, `__stack_pointer` included.
    config.export_all || (config.export_dynamic && !sym.flags.hidden())
}

/// A name for a chunk in diagnostics: `function foo` or `data segment .data.x`.
fn describe_item(o: &Object<'_>, item: Item) -> String {
    match item {
        Item::Function(_, f) => format!("function {}", o.function_name(f)),
        Item::Segment(_, s) => format!("data segment {}", o.segments[s as usize].name),
        Item::Global(_, g) => format!("global {g}"),
        Item::Tag(_, t) => format!("tag {t}"),
        Item::Table(_, t) => format!("table {t}"),
    }
}
