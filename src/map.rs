//! `-Map=FILE`, `-M`, `--print-map`: the link map in wasm-ld's format. Every output section
//! with its file offset and size; in the code section each function with the symbols that name
//! it; in the data section each segment, its input chunks and their symbols, with addresses;
//! in the global section each defined global.
//!
//! The map is read off the finished module (offsets and sizes are where the bytes are) and the
//! link's tables (where each piece came from). As wasm-ld does, offsets of what lies inside a
//! section are printed as the section's start plus the offset within the section's contents.

use std::fmt::Write as _;

use rustc_hash::FxHashMap;
use wasmparser::{Parser, Payload};

use crate::config::Config;
use crate::layout::{FuncIdx, Layout, MERGED_STRINGS, OutFunc, OutGlobal};
use crate::model::{ObjectId, SymbolKind, SymbolTarget};
use crate::resolve::{Def, Resolved};

/// One output section as the map sees it: where its header starts, how long it is with the
/// header, where its contents start, and what it holds.
struct Section {
    start: u64,
    size: u64,
    body: u64,
    name: String,
    /// Code: each function entry's start (its size prefix) and length.
    functions: Vec<(u64, u64)>,
    /// Data: each segment entry's start and where its bytes start.
    segments: Vec<(u64, u64)>,
}

/// A data symbol of a chunk: offset in it, size, name.
type DataSymbol<'a> = (u32, u32, &'a str);

/// The map of `module`, linked from `res` as laid out in `l`.
pub fn map(config: &Config, res: &Resolved<'_>, l: &Layout<'_>, module: &[u8]) -> String {
    let sections = sections(module);
    let nimports = l.func_imports.len() as u32;
    // Symbols by the chunk that defines them, in object and symbol-table order (wasm-ld lists
    // each file's symbols as it holds them): output function index or (object, segment).
    let mut func_syms: FxHashMap<u32, Vec<&str>> = FxHashMap::default();
    let mut data_syms: FxHashMap<(ObjectId, u32), Vec<DataSymbol<'_>>> = FxHashMap::default();
    for (o, obj) in res.objects.iter().enumerate() {
        let oid = ObjectId(o as u32);
        let nfi = obj.num_func_imports();
        for (i, s) in obj.symbols.iter().enumerate() {
            let id = res.obj_symbols[o][i];
            if res.symbols[id.idx()].def
                != (Def::Defined {
                    obj: oid,
                    sym: i as u32,
                })
            {
                continue;
            }
            match (s.kind, s.target) {
                (SymbolKind::Function, SymbolTarget::Function(f)) if f >= nfi => {
                    if let Some(index) = l.func_index[o][(f - nfi) as usize] {
                        func_syms.entry(index.get()).or_default().push(s.name);
                    }
                }
                (
                    SymbolKind::Data,
                    SymbolTarget::Data {
                        segment,
                        offset,
                        size,
                    },
                ) => data_syms
                    .entry((oid, segment))
                    .or_default()
                    .push((offset, size, s.name)),
                _ => {}
            }
        }
    }
    let shown = |name: &str| crate::write::shown_name(config, name).into_owned();

    let mut out = String::from("    Addr      Off     Size Out     In      Symbol\n");
    for sec in &sections {
        header(&mut out, None, sec.start, sec.size);
        out.push_str(&sec.name);
        out.push('\n');
        // Offsets inside a section: its start plus the offset within its contents.
        let inner = |at: u64| sec.start + (at - sec.body);
        match sec.name.as_str() {
            "CODE" => {
                for (k, &(at, len)) in sec.functions.iter().enumerate() {
                    let index = nimports + k as u32;
                    header(&mut out, None, inner(at), len);
                    let _ = writeln!(out, "        {}", chunk_name(res, l, k));
                    for name in func_syms.get(&index).into_iter().flatten() {
                        header(&mut out, None, inner(at), len);
                        let _ = writeln!(out, "                {}", shown(name));
                    }
                }
            }
            "DATA" => {
                let mut emitted = 0;
                for seg in &l.segments {
                    let in_binary = !seg.bss || l.bss_in_binary;
                    let (entry, bytes) = if in_binary {
                        emitted += 1;
                        let (e, b) = sec.segments[emitted - 1];
                        (inner(e), Some(inner(b)))
                    } else {
                        (sec.start, None)
                    };
                    header(&mut out, Some(seg.addr), entry, seg.size);
                    out.push_str(seg.name);
                    out.push('\n');
                    for &(o, s, off) in &seg.pieces {
                        let at = bytes.map_or(0, |b| b + off);
                        let va = seg.addr + off;
                        if o == MERGED_STRINGS {
                            header(&mut out, Some(va), at, seg.merged.len() as u64);
                            let _ = writeln!(out, "        <internal>:({})", seg.name);
                            continue;
                        }
                        let obj = &res.objects[o.idx()];
                        let input = &obj.segments[s as usize];
                        header(&mut out, Some(va), at, input.data.len() as u64);
                        let _ = writeln!(out, "        {}:({})", obj.name, input.name);
                        for &(offset, size, name) in data_syms.get(&(o, s)).into_iter().flatten() {
                            let sym_at = bytes.map_or(0, |_| at + offset as u64);
                            header(&mut out, Some(va + offset as u64), sym_at, size as u64);
                            let _ = writeln!(out, "                {}", shown(name));
                        }
                    }
                }
            }
            "GLOBAL" => {
                let ngi = l.global_imports.len() as u64;
                for (k, g) in l.globals.iter().enumerate() {
                    let name = match *g {
                        OutGlobal::Object(o, g) => global_name(res, o, g),
                        // The globals of exported data symbols are not input globals.
                        OutGlobal::Address(_)
                        | OutGlobal::LinkerAddress(_)
                        | OutGlobal::Got(_)
                        | OutGlobal::StubGot(_) => {
                            continue;
                        }
                        _ => g.synthetic_name().unwrap_or_default().to_string(),
                    };
                    header(&mut out, Some(ngi + k as u64), 0, 0);
                    let _ = writeln!(out, "        {name}");
                }
            }
            _ => {}
        }
    }
    out
}

/// The first three columns: address (or `-`), offset and size, in wasm-ld's widths.
fn header(out: &mut String, vma: Option<u64>, off: u64, size: u64) {
    let _ = match vma {
        None => write!(out, "       - {off:8x} {size:8x} "),
        Some(v) => write!(out, "{v:8x} {off:8x} {size:8x} "),
    };
}

/// `FILE:(NAME)` of output function `k` (not counting imports); `<internal>` for the
/// linker's own.
fn chunk_name(res: &Resolved<'_>, l: &Layout<'_>, k: usize) -> String {
    match &l.functions[k] {
        OutFunc::Object(o, f) => {
            let obj = &res.objects[o.idx()];
            format!("{}:({})", obj.name, obj.function_name(*f))
        }
        f => format!("<internal>:({})", f.synthetic_name().unwrap_or_default()),
    }
}

/// The name of an object's defined global `g` (not counting its imports).
fn global_name(res: &Resolved<'_>, o: ObjectId, g: u32) -> String {
    let obj = &res.objects[o.idx()];
    let index = g + obj.global_imports.len() as u32;
    obj.symbols
        .iter()
        .find(|s| s.kind == SymbolKind::Global && s.target == SymbolTarget::Global(index))
        .map_or_else(String::new, |s| s.name.to_string())
}

/// The module's sections with their extents, and the entries of its code and data sections.
fn sections(module: &[u8]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    // Sections follow one another: each starts where the last ended (after the preamble).
    let mut next = 8u64;
    for payload in Parser::new(0).parse_all(module) {
        let Ok(payload) = payload else {
            break;
        };
        let Some((id, range)) = payload.as_section() else {
            if let Payload::CodeSectionEntry(body) = &payload
                && let Some(code) = out.last_mut()
            {
                let r = body.range();
                let prefix = leb_len(r.len() as u64);
                code.functions
                    .push(((r.start - prefix) as u64, (r.len() + prefix) as u64));
            }
            continue;
        };
        let body = range.start as u64;
        let name = match &payload {
            Payload::CustomSection(c) => format!("CUSTOM({})", c.name()),
            _ => section_name(id).to_string(),
        };
        let mut sec = Section {
            start: next,
            size: range.end as u64 - next,
            body,
            name,
            functions: Vec::new(),
            segments: Vec::new(),
        };
        if let Payload::DataSection(reader) = &payload {
            for data in reader.clone().into_iter().flatten() {
                let bytes_at = data.data.as_ptr() as usize - module.as_ptr() as usize;
                sec.segments
                    .push((data.range.start as u64, bytes_at as u64));
            }
        }
        next = range.end as u64;
        out.push(sec);
    }
    out
}

/// Bytes of an unsigned LEB128 encoding of `v`.
fn leb_len(v: u64) -> usize {
    let bits = 64 - v.leading_zeros().min(63) as usize;
    bits.div_ceil(7)
}

/// wasm-ld's name of a known section.
fn section_name(id: u8) -> &'static str {
    match id {
        1 => "TYPE",
        2 => "IMPORT",
        3 => "FUNCTION",
        4 => "TABLE",
        5 => "MEMORY",
        6 => "GLOBAL",
        7 => "EXPORT",
        8 => "START",
        9 => "ELEM",
        10 => "CODE",
        11 => "DATA",
        12 => "DATACOUNT",
        13 => "TAG",
        _ => "UNKNOWN",
    }
}

/// Weld's JSON map (`-Map=FILE.json`, `--map-format=json`): every output function, data
/// segment and chunk, global, table slot and custom-section piece, where it came from and,
/// for what garbage collection kept, why (the root, or the chain of references from one).
/// Without `module` (a link that failed, on undefined symbols say) offsets are left out; the
/// references to each undefined symbol are listed either way.
pub fn json(
    config: &Config,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    live: &crate::gc::Live,
    module: Option<&[u8]>,
) -> String {
    use serde_json::{Value, json};
    let sections = module.map(sections).unwrap_or_default();
    let code = sections.iter().find(|s| s.name == "CODE");
    let nimports = l.func_imports.len() as u32;
    let chunk = |o: ObjectId, item: crate::gc::Item| -> String {
        use crate::gc::Item;
        let obj = &res.objects[o.idx()];
        match item {
            Item::Function(_, f) => format!("{}:({})", obj.name, obj.function_name(f)),
            Item::Segment(_, s) => format!("{}:({})", obj.name, obj.segments[s as usize].name),
            Item::Global(_, g) => format!("{}:(global {})", obj.name, global_name(res, o, g)),
            Item::Tag(_, t) => format!("{}:(tag {t})", obj.name),
            Item::Table(_, t) => format!("{}:(table {t})", obj.name),
        }
    };
    let owner = |item: crate::gc::Item| match item {
        crate::gc::Item::Function(o, _)
        | crate::gc::Item::Segment(o, _)
        | crate::gc::Item::Global(o, _)
        | crate::gc::Item::Tag(o, _)
        | crate::gc::Item::Table(o, _) => o,
    };
    let name_of = |id: crate::model::SymbolId| res.symbols[id.idx()].name;
    // Why an item is live: its reason, and the chain of chunks back to a root.
    let why = |item: crate::gc::Item| -> Value {
        use crate::gc::Reason;
        let Some(&first) = live.why.get(&item) else {
            return Value::Null;
        };
        let mut chain = Vec::new();
        let mut reason = first;
        // Each chunk is marked once, so the chain is finite; the bound guards a cycle anyway.
        for _ in 0..10_000 {
            match reason {
                Reason::Root(kind, symbol) => {
                    chain.push(json!({
                        "root": format!("{kind:?}"),
                        "symbol": symbol.map(name_of),
                    }));
                    break;
                }
                Reason::Reference { from, symbol } => {
                    chain.push(json!({
                        "referenced_by": chunk(owner(from), from),
                        "symbol": name_of(symbol),
                    }));
                    match live.why.get(&from) {
                        Some(&r) => reason = r,
                        None => break,
                    }
                }
            }
        }
        Value::Array(chain)
    };

    let mut functions = Vec::new();
    for (k, f) in l.functions.iter().enumerate() {
        let index = nimports + k as u32;
        let extent = code
            .and_then(|c| c.functions.get(k))
            .map(|&(at, len)| (at, len));
        let (file, function, live_why, symbols) = match *f {
            OutFunc::Object(o, d) => {
                let obj = &res.objects[o.idx()];
                let nfi = obj.num_func_imports();
                let symbols: Vec<&str> = obj
                    .symbols
                    .iter()
                    .enumerate()
                    .filter(|(i, s)| {
                        s.target == SymbolTarget::Function(d + nfi)
                            && res.symbols[res.obj_symbols[o.idx()][*i].idx()].def
                                == (Def::Defined {
                                    obj: o,
                                    sym: *i as u32,
                                })
                    })
                    .map(|(_, s)| s.name)
                    .collect();
                (
                    Some(obj.name.clone()),
                    obj.function_name(d),
                    why(crate::gc::Item::Function(o, d)),
                    symbols,
                )
            }
            _ => {
                let name = chunk_name(res, l, k);
                let inner = name
                    .trim_start_matches("<internal>:(")
                    .trim_end_matches(')')
                    .to_string();
                (
                    None,
                    inner,
                    json!([{ "root": "Linker", "symbol": null }]),
                    Vec::new(),
                )
            }
        };
        functions.push(json!({
            "index": index,
            "file": file,
            "function": function,
            "symbols": symbols,
            "offset": extent.map(|e| e.0),
            "size": extent.map(|e| e.1),
            "table_slot": l.slot_of.get(&FuncIdx::new(index)),
            "live": live_why,
        }));
    }

    let mut data = Vec::new();
    for seg in &l.segments {
        let mut chunks = Vec::new();
        for &(o, s, off) in &seg.pieces {
            if o == MERGED_STRINGS {
                chunks.push(json!({
                    "file": "<internal>",
                    "section": seg.name,
                    "merged_strings": true,
                    "address": seg.addr + off,
                    "size": seg.merged.len(),
                }));
                continue;
            }
            let obj = &res.objects[o.idx()];
            let input = &obj.segments[s as usize];
            let symbols: Vec<Value> = obj
                .symbols
                .iter()
                .enumerate()
                .filter_map(|(i, sym)| match sym.target {
                    SymbolTarget::Data {
                        segment,
                        offset,
                        size,
                    } if segment == s
                        && res.symbols[res.obj_symbols[o.idx()][i].idx()].def
                            == (Def::Defined {
                                obj: o,
                                sym: i as u32,
                            }) =>
                    {
                        Some(json!({
                            "name": sym.name,
                            "address": seg.addr + off + offset as u64,
                            "size": size,
                        }))
                    }
                    _ => None,
                })
                .collect();
            chunks.push(json!({
                "file": obj.name,
                "section": input.name,
                "address": seg.addr + off,
                "size": input.data.len(),
                "symbols": symbols,
                "live": why(crate::gc::Item::Segment(o, s)),
            }));
        }
        data.push(json!({
            "segment": seg.name,
            "address": seg.addr,
            "size": seg.size,
            "bss": seg.bss,
            "chunks": chunks,
        }));
    }

    let ngi = l.global_imports.len() as u64;
    let globals: Vec<Value> = l
        .globals
        .iter()
        .enumerate()
        .map(|(k, g)| match *g {
            OutGlobal::StackPointer
            | OutGlobal::TlsBase
            | OutGlobal::TlsSize
            | OutGlobal::TlsAlign => {
                json!({
                    "index": ngi + k as u64, "name": g.synthetic_name(), "file": null,
                    "live": [{ "root": "Linker", "symbol": null }],
                })
            }
            OutGlobal::Object(o, g) => json!({
                "index": ngi + k as u64,
                "name": global_name(res, o, g),
                "file": res.objects[o.idx()].name,
                "live": why(crate::gc::Item::Global(o, g)),
            }),
            OutGlobal::Address(id) => json!({
                "index": ngi + k as u64,
                "name": name_of(id),
                "file": null,
                "address_of_exported_data": l.sym_addr[id.idx()],
            }),
            OutGlobal::Got(id) => json!({
                "index": ngi + k as u64,
                "name": name_of(id),
                "file": null,
                "got_entry": true,
            }),
            OutGlobal::StubGot(f) => json!({
                "index": ngi + k as u64,
                "name": crate::layout::trap_name(l, f),
                "file": null,
                "got_entry": true,
            }),
            OutGlobal::LinkerAddress(a) => json!({
                "index": ngi + k as u64,
                "name": "__wasm_init_memory_flag",
                "file": null,
                "address_of_exported_data": a,
            }),
        })
        .collect();

    let table: Vec<Value> = l
        .table_funcs
        .iter()
        .enumerate()
        .map(|(k, &f)| json!({ "slot": config.table_base as usize + k, "function": f.get() }))
        .collect();

    let mut customs: Vec<Value> = Vec::new();
    for sec in sections.iter().filter(|s| s.name.starts_with("CUSTOM(")) {
        let name = &sec.name["CUSTOM(".len()..sec.name.len() - 1];
        let pieces: Vec<Value> = res
            .objects
            .iter()
            .flat_map(|obj| {
                obj.customs
                    .iter()
                    .filter(move |c| c.name == name)
                    .map(move |c| json!({ "file": obj.name, "size": c.data.len() }))
            })
            .collect();
        customs.push(json!({
            "name": name, "offset": sec.start, "size": sec.size, "pieces": pieces,
        }));
    }

    // Every reference to each undefined symbol that was reported, by symbol.
    let mut undefined: Vec<(crate::model::SymbolId, Vec<Value>)> = Vec::new();
    for &(id, o, item) in &live.undefined_refs {
        let entry = json!({ "file": res.objects[o.idx()].name, "chunk": chunk(o, item) });
        match undefined.iter_mut().find(|(u, _)| *u == id) {
            Some((_, refs)) => {
                if !refs.contains(&entry) {
                    refs.push(entry);
                }
            }
            None => undefined.push((id, vec![entry])),
        }
    }
    let undefined: Vec<Value> = undefined
        .into_iter()
        .map(|(id, refs)| json!({ "symbol": name_of(id), "references": refs }))
        .collect();

    let map = json!({
        "format": "weld-map-1",
        "output": config.output.display().to_string(),
        "linked": module.is_some(),
        "functions": functions,
        "data": data,
        "globals": globals,
        "table": table,
        "custom_sections": customs,
        "undefined": undefined,
    });
    let mut text = serde_json::to_string_pretty(&map).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb_lengths() {
        assert_eq!(leb_len(0), 1);
        assert_eq!(leb_len(127), 1);
        assert_eq!(leb_len(128), 2);
        assert_eq!(leb_len(16383), 2);
        assert_eq!(leb_len(16384), 3);
    }
}
