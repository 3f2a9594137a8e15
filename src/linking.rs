//! The `linking` and `reloc.*` sections of a relocatable output (`-r`) and of `--emit-relocs`:
//! the output's symbol table, segment info, constructors and COMDAT groups, and every input
//! relocation re-expressed against output offsets, output symbols and output type indices.
//!
//! The relocated fields themselves already hold their final values (the writer patched them as
//! for an executable, with data laid out from address 0), so a reader that ignores these
//! sections still sees a consistent module, as with wasm-ld's output.

use rustc_hash::FxHashMap;
use wasm_encoder::{CustomSection, Encode};
use wasmparser::RelocationType;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::layout::{FuncIdx, GlobalIdx, Layout, MERGED_STRINGS, NONE, OutFunc, TableIdx, TagIdx};
use crate::model::*;
use crate::reloc;
use crate::resolve::{Def, Resolved, Synthetic};
use crate::strings::map_offset;

/// Where the writer put the chunks that relocations patch.
pub struct Placement<'p, 'a> {
    /// Index of the code section among the output's sections.
    pub code_section: Option<u32>,
    /// Per defined function: offset of its body from the start of the code section's payload.
    pub code_offsets: &'p [u64],
    /// Index of the data section among the output's sections.
    pub data_section: Option<u32>,
    /// Per entry of [`Layout::segments`]: offset of its bytes from the start of the data
    /// section's payload, or `None` when it is not written (`.bss` of an executable).
    pub segment_offsets: &'p [Option<u64>],
    /// The output's custom sections that came from inputs: name and section index.
    pub customs: &'p [(&'a str, u32)],
    /// Per object, per custom section: offset of its piece in the output section
    /// (`u64::MAX` when dropped).
    pub custom_offsets: &'p [Vec<u64>],
    /// Custom sections whose strings were merged (`.debug_str` of an executable): where each
    /// input string went, as (input offset, output offset) pairs.
    pub custom_strings: &'p FxHashMap<(ObjectId, usize), Vec<(u32, u32)>>,
    /// Whether relocations against section symbols are written. wasm-ld writes a relocation
    /// only when its symbol is live, and a section symbol is live only when nothing is
    /// collected: at `-r` or with `--no-gc-sections`.
    pub section_relocs: bool,
    /// The entry point's name, in a final link.
    pub entry: Option<&'p str>,
}

/// Output symbol-table index of each symbol, and of each output custom section's symbol.
struct SymbolTable {
    /// The encoded `WASM_SYMBOL_TABLE` entries.
    entries: Vec<u8>,
    count: u32,
    /// Per [`SymbolId`]: its output index, or [`NONE`].
    index: Vec<u32>,
    /// Per output custom section (same order as [`Placement::customs`]): its section symbol.
    section_symbols: Vec<u32>,
    /// Output function index of each trap stub → its local symbol.
    stubs: FxHashMap<FuncIdx, u32>,
    /// An undefined weak function with an `undefined_weak:` stub → the stub's symbol: wasm-ld
    /// names the stub in every relocation against the missing function.
    missing: FxHashMap<SymbolId, u32>,
}

/// `WASM_SEGMENT_INFO`.
pub const SEGMENT_INFO: u8 = 5;
/// `WASM_INIT_FUNCS`.
pub const INIT_FUNCS: u8 = 6;
/// `WASM_COMDAT_INFO`.
pub const COMDAT_INFO: u8 = 7;
/// `WASM_SYMBOL_TABLE`.
pub const SYMBOL_TABLE: u8 = 8;

/// `SYMTAB_*` kind numbers.
fn kind_code(kind: SymbolKind) -> u8 {
    match kind {
        SymbolKind::Function => 0,
        SymbolKind::Data => 1,
        SymbolKind::Global => 2,
        SymbolKind::Section => 3,
        SymbolKind::Tag => 4,
        SymbolKind::Table => 5,
    }
}

/// The `linking` section followed by one `reloc.*` section per relocated section, ready to be
/// appended after the last section they describe.
pub fn sections(
    config: &Config,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    p: &Placement<'_, '_>,
) -> Result<Vec<CustomSection<'static>>> {
    let seg_of = output_segments(l);
    let emitted: Vec<u32> = {
        let mut next = 0u32;
        p.segment_offsets
            .iter()
            .map(|o| match o {
                Some(_) => {
                    next += 1;
                    next - 1
                }
                None => NONE,
            })
            .collect()
    };
    let symtab = symbol_table(res, l, p, &seg_of, &emitted);

    let mut linking = Vec::new();
    2u32.encode(&mut linking);
    // wasm-ld leaves out an empty symbol table.
    if symtab.count > 0 {
        subsection(&mut linking, SYMBOL_TABLE, |b| {
            symtab.count.encode(b);
            b.extend_from_slice(&symtab.entries);
        });
    }
    let segments: Vec<(usize, &crate::layout::OutSegment<'_>)> = l
        .segments
        .iter()
        .enumerate()
        .filter(|(k, _)| p.segment_offsets[*k].is_some())
        .collect();
    if !segments.is_empty() {
        subsection(&mut linking, SEGMENT_INFO, |b| {
            (segments.len() as u32).encode(b);
            for (_, seg) in &segments {
                seg.name.encode(b);
                seg.align_log2.encode(b);
                segment_flags(res, seg).encode(b);
            }
        });
    }
    // A module with `--emit-relocs` lists its constructors too, when `__wasm_call_ctors` is in
    // it (wasm-ld).
    if config.relocatable || l.call_ctors.is_some() {
        let inits = init_funcs(res, &symtab);
        if !inits.is_empty() {
            subsection(&mut linking, INIT_FUNCS, |b| {
                (inits.len() as u32).encode(b);
                for (priority, sym) in &inits {
                    priority.encode(b);
                    sym.encode(b);
                }
            });
        }
        let comdats = comdats(res, l, &seg_of, &emitted);
        if !comdats.is_empty() {
            subsection(&mut linking, COMDAT_INFO, |b| {
                (comdats.len() as u32).encode(b);
                for (name, members) in &comdats {
                    name.encode(b);
                    0u32.encode(b);
                    (members.len() as u32).encode(b);
                    for &(kind, index) in members {
                        b.push(kind);
                        index.encode(b);
                    }
                }
            });
        }
    }
    let mut out = vec![CustomSection {
        name: "linking".into(),
        data: linking.into(),
    }];

    // reloc.CODE
    let mut code = Vec::new();
    for (i, f) in l.functions.iter().enumerate() {
        let OutFunc::Object(o, fi) = *f else { continue };
        let obj = &res.objects[o.idx()];
        let base = p.code_offsets[i];
        for r in &obj.relocs[obj.functions[fi as usize].relocs.clone()] {
            let at = base + r.offset as u64;
            translate(res, l, p, &symtab, o, r, at, &mut code).map_err(|m| {
                Error::file(
                    &obj.name,
                    format_args!("in function {}: {m}", obj.function_name(fi)),
                )
            })?;
        }
    }
    if let Some(index) = p.code_section {
        push_relocs(&mut out, "reloc.CODE", index, code);
    }

    // reloc.DATA
    let mut data = Vec::new();
    for (k, seg) in l.segments.iter().enumerate() {
        let Some(base) = p.segment_offsets[k] else {
            continue;
        };
        for &(o, s, off) in &seg.pieces {
            if o == MERGED_STRINGS {
                continue;
            }
            let obj = &res.objects[o.idx()];
            let input = &obj.segments[s as usize];
            for r in &obj.relocs[input.relocs.clone()] {
                let at = base + off + r.offset as u64;
                translate(res, l, p, &symtab, o, r, at, &mut data).map_err(|m| {
                    Error::file(
                        &obj.name,
                        format_args!("in data segment {}: {m}", input.name),
                    )
                })?;
            }
        }
    }
    if let Some(index) = p.data_section {
        push_relocs(&mut out, "reloc.DATA", index, data);
    }

    // reloc.<custom>
    for &(name, index) in p.customs {
        let mut entries = Vec::new();
        for (o, obj) in res.objects.iter().enumerate() {
            for (c, custom) in obj.customs.iter().enumerate() {
                let base = p.custom_offsets[o][c];
                if custom.name != name || base == u64::MAX {
                    continue;
                }
                // In offset order, as a relocatable output lists them.
                let mut relocs: Vec<Reloc> = obj.custom_relocs(c).collect();
                relocs.sort_by_key(|r| r.offset);
                for r in &relocs {
                    let at = base + r.offset as u64;
                    translate(res, l, p, &symtab, ObjectId(o as u32), r, at, &mut entries)
                        .map_err(|m| {
                            Error::file(&obj.name, format_args!("in section {name}: {m}"))
                        })?;
                }
            }
        }
        push_relocs(&mut out, &format!("reloc.{name}"), index, entries);
    }
    Ok(out)
}

/// One relocation entry as written: (offset, type, index, addend).
type Entry = (u64, RelocationType, u32, i64);

fn push_relocs(
    out: &mut Vec<CustomSection<'static>>,
    name: &str,
    section: u32,
    mut entries: Vec<Entry>,
) {
    if entries.is_empty() {
        return;
    }
    // Readers expect offsets in increasing order (LLVM's reader checks it).
    entries.sort_by_key(|e| e.0);
    let mut b = Vec::new();
    section.encode(&mut b);
    (entries.len() as u32).encode(&mut b);
    for (offset, ty, index, addend) in entries {
        b.push(ty as u8);
        (offset as u32).encode(&mut b);
        index.encode(&mut b);
        if reloc::info(ty).has_addend {
            addend.encode(&mut b);
        }
    }
    out.push(CustomSection {
        name: name.to_string().into(),
        data: b.into(),
    });
}

/// Re-expresses one input relocation for the output, or leaves it out when its target has no
/// output symbol (a reference from kept debug data to something dropped: the field holds the
/// tombstone and nothing will relocate it again).
#[allow(clippy::too_many_arguments)]
fn translate(
    res: &Resolved<'_>,
    l: &Layout<'_>,
    p: &Placement<'_, '_>,
    symtab: &SymbolTable,
    o: ObjectId,
    r: &Reloc,
    at: u64,
    out: &mut Vec<Entry>,
) -> std::result::Result<(), String> {
    if at > u32::MAX as u64 {
        return Err("relocation offset exceeds 4 GiB".into());
    }
    if r.ty == RelocationType::TypeIndexLeb {
        let Some(t) = l.obj_types[o.idx()][r.index as usize] else {
            return Err(format!("type {} was not laid out", r.index));
        };
        out.push((at, r.ty, t.get(), 0));
        return Ok(());
    }
    let id = res.sym(o, r.index);
    let sym = &res.symbols[id.idx()];
    if sym.kind == SymbolKind::Section {
        if !p.section_relocs {
            return Ok(());
        }
        // Section symbols are merged per output section; the piece's offset moves into the
        // addend.
        let Def::Defined { obj, sym: si } = sym.def else {
            return Ok(());
        };
        let owner = &res.objects[obj.idx()];
        let SymbolTarget::Section(sec) = owner.symbols[si as usize].target else {
            return Ok(());
        };
        let Some(c) = owner.customs.iter().position(|c| c.section_index == sec) else {
            return Err(format!(
                "{} against section {}, which is not a custom section: not supported in relocatable output",
                reloc::name(r.ty),
                sym.name
            ));
        };
        let base = p.custom_offsets[obj.idx()][c];
        let Some(k) = p
            .customs
            .iter()
            .position(|(n, _)| *n == owner.customs[c].name)
        else {
            return Ok(());
        };
        if base == u64::MAX {
            return Ok(());
        }
        // Into merged strings: the addend is where the string went, as the field says.
        let addend = match p.custom_strings.get(&(obj, c)) {
            Some(strings) => map_offset(strings, r.addend as u32).map_or(r.addend, |o| o as i64),
            None => base as i64 + r.addend,
        };
        out.push((at, r.ty, symtab.section_symbols[k], addend));
        return Ok(());
    }
    // A call to a trap stub, or any use of a signature variant that lost, names the stub.
    if (r.ty == RelocationType::FunctionIndexLeb || res.mismatched[o.idx()].contains_key(&r.index))
        && let Some(stub) = l.call_overrides.get(&(o, r.index))
    {
        out.push((at, r.ty, symtab.stubs[stub], 0));
        return Ok(());
    }
    let mut index = symtab.index[id.idx()];
    if index == NONE {
        match symtab.missing.get(&id) {
            Some(&stub) => index = stub,
            None => return Ok(()),
        }
    }
    out.push((at, r.ty, index, r.addend));
    Ok(())
}

/// Output segment of each live input segment, including string segments merged into a block.
fn output_segments(l: &Layout<'_>) -> FxHashMap<(ObjectId, u32), usize> {
    let mut map = FxHashMap::default();
    for (k, seg) in l.segments.iter().enumerate() {
        for &(o, s, _) in &seg.pieces {
            if o != MERGED_STRINGS {
                map.insert((o, s), k);
            }
        }
    }
    for (&key, pieces) in &l.string_pieces {
        if let Some(&(_, addr)) = pieces.first() {
            let k = l
                .segments
                .iter()
                .position(|s| s.addr <= addr && addr < s.addr + s.size.max(1));
            if let Some(k) = k {
                map.insert(key, k);
            }
        }
    }
    map
}

/// `WASM_SEGMENT_FLAG_*` of an output segment: retained if any piece is. Never `STRINGS`:
/// wasm-ld merges string segments at `-r` already (from `-O1`) and marks none of its output
/// segments as strings, merged or not.
fn segment_flags(res: &Resolved<'_>, seg: &crate::layout::OutSegment<'_>) -> u32 {
    let retain = seg.pieces.iter().any(|&(o, s, _)| {
        o != MERGED_STRINGS
            && res.objects[o.idx()].segments[s as usize].flags & Segment::RETAIN != 0
    });
    if retain { Segment::RETAIN } else { 0 }
}

/// Builds the output symbol table: global symbols in symbol-table order, then local ones, then
/// one section symbol per custom section, as wasm-ld orders them.
fn symbol_table(
    res: &Resolved<'_>,
    l: &Layout<'_>,
    p: &Placement<'_, '_>,
    seg_of: &FxHashMap<(ObjectId, u32), usize>,
    emitted: &[u32],
) -> SymbolTable {
    let mut t = SymbolTable {
        entries: Vec::new(),
        count: 0,
        index: vec![NONE; res.symbols.len()],
        section_symbols: Vec::new(),
        stubs: FxHashMap::default(),
        missing: FxHashMap::default(),
    };
    // Linker-defined symbols appear only if an object refers to them (wasm-ld).
    let mut referenced = vec![false; res.symbols.len()];
    for ids in &res.obj_symbols {
        for id in ids {
            referenced[id.idx()] = true;
        }
    }
    let globals = res
        .symbols
        .iter()
        .enumerate()
        .filter(|&(i, s)| !s.local && (referenced[i] || !matches!(s.def, Def::Synthetic(_))));
    // Local symbols by object, in the objects' final order (wasm-ld lists each file's locals
    // as it writes the file's symbols).
    let locals = res
        .obj_symbols
        .iter()
        .flatten()
        .map(|id| (id.idx(), &res.symbols[id.idx()]))
        .filter(|(_, s)| s.local);
    for (i, sym) in globals.chain(locals) {
        if sym.kind == SymbolKind::Section {
            continue;
        }
        let Some(entry) = entry(res, l, p.entry, seg_of, emitted, i, sym) else {
            continue;
        };
        t.index[i] = t.count;
        t.count += 1;
        t.entries.extend_from_slice(&entry);
    }
    // Trap stubs (`signature_mismatch:NAME`) are local functions of the output.
    let nimports = l.func_imports.len() as u32;
    for (i, f) in l.functions.iter().enumerate() {
        if let OutFunc::Trap { name, .. } = f {
            let index = FuncIdx::new(nimports + i as u32);
            t.stubs.insert(index, t.count);
            t.count += 1;
            t.entries.push(kind_code(SymbolKind::Function));
            SymFlags::LOCAL.encode(&mut t.entries);
            index.get().encode(&mut t.entries);
            name.as_str().encode(&mut t.entries);
        }
    }
    for (&(o, si), stub) in &l.call_overrides {
        let id = res.sym(o, si);
        if !res.symbols[id.idx()].is_defined()
            && let Some(&s) = t.stubs.get(stub)
        {
            t.missing.insert(id, s);
        }
    }
    for &(_, section) in p.customs {
        t.section_symbols.push(t.count);
        t.count += 1;
        t.entries.push(kind_code(SymbolKind::Section));
        SymFlags::LOCAL.encode(&mut t.entries);
        section.encode(&mut t.entries);
    }
    t
}

/// One symbol's `WASM_SYMBOL_TABLE` entry, if it has a place in the output.
fn entry(
    res: &Resolved<'_>,
    l: &Layout<'_>,
    entry_name: Option<&str>,
    seg_of: &FxHashMap<(ObjectId, u32), usize>,
    emitted: &[u32],
    i: usize,
    sym: &crate::resolve::Symbol<'_>,
) -> Option<Vec<u8>> {
    const KEEP: u32 = SymFlags::WEAK
        | SymFlags::LOCAL
        | SymFlags::HIDDEN
        | SymFlags::EXPORTED
        | SymFlags::NO_STRIP
        | SymFlags::TLS;
    let mut b = Vec::new();
    let index = match sym.kind {
        SymbolKind::Function => l.sym_func[i].map(FuncIdx::get),
        SymbolKind::Global => l.sym_global[i].map(GlobalIdx::get),
        SymbolKind::Tag => l.sym_tag[i].map(TagIdx::get),
        SymbolKind::Table => l.sym_table[i].map(TableIdx::get),
        SymbolKind::Data | SymbolKind::Section => None,
    };
    let name_flag = |field: Option<&str>| match field {
        Some(f) if f != sym.name => SymFlags::EXPLICIT_NAME,
        _ => 0,
    };
    // An imported function table is an undefined symbol of the output (wasm-ld).
    let imported = sym.def == Def::Synthetic(Synthetic::FunctionTable) && l.imported_table;
    match sym.def {
        _ if imported => {
            let flags = (sym.flags.0 & KEEP) | SymFlags::UNDEFINED;
            b.push(kind_code(sym.kind));
            put_indexed(&mut b, flags, index?, None);
        }
        Def::Defined { obj, sym: si } => {
            let osym = &res.objects[obj.idx()].symbols[si as usize];
            let mut flags = osym.flags.0 & KEEP;
            // As wasm-ld: the entry point is made visible, and a function behind a command
            // export wrapper is hidden and no longer exported (the wrapper is).
            if entry_name == Some(sym.name) {
                flags &= !SymFlags::HIDDEN;
            }
            if l.wrapper_of.contains_key(&SymbolId(i as u32)) {
                flags = (flags | SymFlags::HIDDEN) & !SymFlags::EXPORTED;
            }
            b.push(kind_code(sym.kind));
            if sym.kind == SymbolKind::Data {
                let (addr, seg, offset, size) = match osym.target {
                    SymbolTarget::Data {
                        segment,
                        offset,
                        size,
                    } => {
                        let addr = l.data_addr(obj, segment, offset)?;
                        let k = *seg_of.get(&(obj, segment))?;
                        (addr, emitted[k], addr - l.segments[k].addr, size as u64)
                    }
                    SymbolTarget::AbsoluteData { addr, size } => {
                        (addr as u64, NONE, addr as u64, size as u64)
                    }
                    _ => return None,
                };
                if seg == NONE {
                    // In a segment that is not written (`.bss` of an executable): its address.
                    put_data(&mut b, flags | SymFlags::ABSOLUTE, sym.name, 0, addr, size);
                } else {
                    put_data(&mut b, flags, sym.name, seg, offset, size);
                }
            } else {
                put_indexed(&mut b, flags, index?, Some(sym.name));
            }
        }
        Def::Undefined { .. } => {
            let weak = if sym.weak_refs_only {
                SymFlags::WEAK
            } else {
                0
            };
            let base = (sym.flags.0 & KEEP & !SymFlags::WEAK) | weak | SymFlags::UNDEFINED;
            b.push(kind_code(sym.kind));
            if sym.kind == SymbolKind::Data {
                base.encode(&mut b);
                sym.name.encode(&mut b);
            } else {
                let index = index?;
                let field = import_field(l, sym.kind, index);
                let flags = base | name_flag(field);
                let explicit = flags & SymFlags::EXPLICIT_NAME != 0;
                put_indexed(&mut b, flags, index, explicit.then_some(sym.name));
            }
        }
        Def::Synthetic(s) => {
            // Only an executable (`--emit-relocs`) has linker-defined symbols.
            let flags = SymFlags::HIDDEN & sym.flags.0;
            b.push(kind_code(sym.kind));
            if let Synthetic::Data(_) = s {
                let addr = l.sym_addr[i]?;
                put_data(&mut b, flags | SymFlags::ABSOLUTE, sym.name, 0, addr, 0);
            } else {
                put_indexed(&mut b, flags, index?, Some(sym.name));
            }
        }
        Def::Lazy(_) | Def::CommandLine => return None,
    }
    Some(b)
}

/// A defined data symbol's entry after its kind: flags, name, segment, offset and size.
fn put_data(b: &mut Vec<u8>, flags: u32, name: &str, segment: u32, offset: u64, size: u64) {
    flags.encode(b);
    name.encode(b);
    segment.encode(b);
    offset.encode(b);
    size.encode(b);
}

/// A function, global, tag or table symbol's entry after its kind: flags, index and the name
/// when it is written (defined, or an explicit import name).
fn put_indexed(b: &mut Vec<u8>, flags: u32, index: u32, name: Option<&str>) {
    flags.encode(b);
    index.encode(b);
    if let Some(name) = name {
        name.encode(b);
    }
}

/// The field name of an imported function, global, tag or table, if `index` is an import.
fn import_field<'a>(l: &Layout<'a>, kind: SymbolKind, index: u32) -> Option<&'a str> {
    let i = index as usize;
    match kind {
        SymbolKind::Function => l.func_imports.get(i).map(|m| m.field),
        SymbolKind::Global => l.global_imports.get(i).map(|(m, _)| m.field),
        SymbolKind::Tag => l.tag_imports.get(i).map(|(m, _)| m.field),
        // The function table is imported under its own name, so it needs no field here.
        SymbolKind::Table => l
            .table_imports
            .iter()
            .find(|(m, _)| l.sym_table[m.symbol.idx()].map(TableIdx::get) == Some(index))
            .map(|(m, _)| m.field),
        _ => None,
    }
}

/// Constructors of every object, sorted stably by priority as wasm-ld lists them: (priority,
/// output symbol).
fn init_funcs(res: &Resolved<'_>, t: &SymbolTable) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for f in &obj.init_funcs {
            let id = res.sym(ObjectId(o as u32), f.symbol);
            let s = t.index[id.idx()];
            // No deduplication: two objects may list one (weak) constructor, which then runs
            // twice, in the direct link as after `-r` (wasm-ld).
            if s != NONE {
                out.push((f.priority, s));
            }
        }
    }
    out.sort_by_key(|&(priority, _)| priority);
    out
}

/// COMDAT groups with their surviving members, in output indices.
fn comdats<'a>(
    res: &Resolved<'a>,
    l: &Layout<'_>,
    seg_of: &FxHashMap<(ObjectId, u32), usize>,
    emitted: &[u32],
) -> Vec<(&'a str, Vec<(u8, u32)>)> {
    let mut groups: Vec<(&'a str, Vec<(u8, u32)>)> = Vec::new();
    // Group name → index in `groups` (C++ programs have thousands of groups).
    let mut by_name: FxHashMap<&'a str, usize> = FxHashMap::default();
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        for cd in &obj.comdats {
            let mut members = Vec::new();
            for &m in &cd.members {
                let member = match m {
                    // The copies the group dropped are in the output too (wasm-ld writes every
                    // chunk without collection) and stay listed, so the final link drops them
                    // together with the rest of their group.
                    ComdatMember::Function(f) => f
                        .checked_sub(obj.num_func_imports())
                        .and_then(|d| l.func_index[o][d as usize])
                        .map(|x| (1u8, x.get())),
                    ComdatMember::Data(s) => seg_of
                        .get(&(oid, s))
                        .map(|&k| emitted[k])
                        .filter(|&x| x != NONE)
                        .map(|x| (0u8, x)),
                    // As wasm-ld: a group lists functions and data segments only. A custom
                    // section of the output holds other objects' pieces too, which a final link
                    // that dropped the group would lose with it.
                    ComdatMember::Global(_)
                    | ComdatMember::Section(_)
                    | ComdatMember::Tag(_)
                    | ComdatMember::Table(_) => None,
                };
                if let Some(m) = member {
                    members.push(m);
                }
            }
            if members.is_empty() {
                continue;
            }
            match by_name.get(cd.name).map(|&g| &mut groups[g]) {
                Some((_, list)) => {
                    for m in members {
                        if !list.contains(&m) {
                            list.push(m);
                        }
                    }
                }
                None => {
                    by_name.insert(cd.name, groups.len());
                    groups.push((cd.name, members));
                }
            }
        }
    }
    groups
}

/// Appends a `linking` subsection: its type, size and body.
fn subsection(out: &mut Vec<u8>, ty: u8, body: impl FnOnce(&mut Vec<u8>)) {
    let mut b = Vec::new();
    body(&mut b);
    out.push(ty);
    (b.len() as u32).encode(out);
    out.extend_from_slice(&b);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of a table in a spec file that start with `| ` and a value in the first column.
    fn rows(spec: &str, header: &str) -> Vec<Vec<String>> {
        let start = spec.find(header).expect("table header");
        spec[start..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                l.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn subsections_and_segment_flags_match_the_spec() {
        let spec = include_str!("../spec/linking.md");
        let subs: Vec<(u8, String)> = rows(spec, "| id | name |")
            .into_iter()
            .map(|r| (r[0].parse().expect("id"), r[1].clone()))
            .collect();
        let code = [
            (SEGMENT_INFO, "WASM_SEGMENT_INFO"),
            (INIT_FUNCS, "WASM_INIT_FUNCS"),
            (COMDAT_INFO, "WASM_COMDAT_INFO"),
            (SYMBOL_TABLE, "WASM_SYMBOL_TABLE"),
        ];
        let code: Vec<(u8, String)> = code.iter().map(|&(i, n)| (i, n.to_string())).collect();
        assert_eq!(subs, code);
        let flags: Vec<(u32, String)> = rows(spec, "| bit | name | weld |")
            .into_iter()
            .map(|r| {
                let bit = u32::from_str_radix(r[0].trim_start_matches("0x"), 16).expect("bit");
                (bit, r[1].clone())
            })
            .collect();
        let code = vec![
            (Segment::STRINGS, "WASM_SEGMENT_FLAG_STRINGS".to_string()),
            (Segment::TLS, "WASM_SEGMENT_FLAG_TLS".to_string()),
            (Segment::RETAIN, "WASM_SEG_FLAG_RETAIN".to_string()),
        ];
        assert_eq!(flags, code);
    }

    /// The spec's linker-defined symbols are exactly the names resolution defines.
    #[test]
    fn linker_symbols_match_the_spec() {
        let spec = include_str!("../spec/linking.md");
        let table = rows(spec, "| name | kind | value |");
        assert!(table.len() > 10);
        for r in &table {
            let name = r[0].trim_matches('`').replace("SEG", "myseg");
            let kind = crate::resolve::linker_symbol_kind(&name);
            assert_eq!(kind.map(|k| k.describe()), Some(r[1].as_str()), "{name}");
        }
        for not in ["__heap_start", "__start_", "__start_.data", "__data_start"] {
            assert_eq!(crate::resolve::linker_symbol_kind(not), None, "{not}");
        }
    }
}
