//! Linear memory: input segments merged into output segments, then the stack, the static data
//! and the heap placed, the memory's limits computed, and every data symbol given its address.

use rustc_hash::FxHashMap;

use super::{Layout, MERGED_STRINGS, OutSegment, align_to};
use crate::config::Config;
use crate::error::Diagnostics;
use crate::gc::Live;
use crate::model::*;
use crate::resolve::{Def, Resolved, Synthetic, SyntheticData};
use crate::strings::StringMerger;

/// The most memory a wasm32 module may have (and `--initial-memory`/`--max-memory` may ask for).
const MAX_MEMORY: u64 = 1 << 32;
/// What `--initial-memory`/`--max-memory` may ask for in wasm64 (wasm-ld 22's limit).
const MAX_MEMORY_64: u64 = 1 << 34;

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
/// A string segment being merged: (object, segment), its output segment, and its strings as
/// (offset in the input, string id).
type MergedInput = ((ObjectId, u32), usize, Vec<(u32, u32)>);

pub(super) fn memory<'a>(
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
                    // By name, as wasm-ld decides it: `.tbss` goes to `.tdata`, which is
                    // written out; an object has no `.bss` of its own.
                    bss: !config.relocatable && name.starts_with(".bss"),
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
                let pieces = mergers[i].add(obj.slice(&seg.data));
                merged_inputs.push(((oid, s as u32), i, pieces));
                continue;
            }
            out.align_log2 = out.align_log2.max(seg.align_log2);
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
    if config.relocatable || config.pic() {
        // An object's data, and a position-independent module's (relative to
        // `__memory_base`), starts at address 0; neither has a stack of its own.
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
        if seg.name == ".tdata" && !config.relocatable {
            l.tls = (seg.addr, seg.size, 1 << seg.align_log2);
        }
    }
    // Threads agree through this word who initialises the passive segments.
    if l.passive && !segs.is_empty() {
        ptr = align_to(ptr, 2);
        l.init_memory_flag = Some(ptr);
        ptr += 4;
    }
    let data_end = ptr;
    if !config.stack_first && !config.relocatable && !config.pic() {
        l.stack_pointer = place_stack(&mut ptr);
    }
    // What a shared library's `dylink.0` asks the loader for.
    // (A fixed-address module with dynamic imports asks for no memory of its own.)
    l.dylink_memory = (
        if config.pic() { data_end } else { 0 },
        segs.iter().map(|s| s.align_log2).max().unwrap_or(0),
    );
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
    let max_memory = if l.wasm64 { MAX_MEMORY_64 } else { MAX_MEMORY };
    if let Some(init) = config.initial_memory {
        if init % page != 0 {
            diags.error(format!(
                "initial memory must be aligned to the page size ({page} bytes)"
            ));
        }
        if init < mem_end {
            diags.error(format!("initial memory too small, {mem_end} bytes needed"));
        }
        if init > max_memory {
            diags.error(format!(
                "initial memory too large, cannot be greater than {max_memory}"
            ));
        }
        pages = init / page;
    } else if !l.wasm64 && pages > MAX_MEMORY / page {
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
        if max > max_memory {
            diags.error(format!(
                "maximum memory too large, cannot be greater than {max_memory}"
            ));
        }
        l.memory_max_pages = Some(max / page);
    } else if config.shared_memory && config.pic() {
        // A shared memory must have a maximum; a position-independent module's may grow to
        // the limit, for the modules loaded after it (wasm-ld).
        l.memory_max_pages = Some(max_memory / page);
    } else if config.no_growable_memory || config.shared_memory {
        // A shared memory must have a maximum: without `--max-memory`, it cannot grow.
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
    l.seg_out = res
        .objects
        .iter()
        .map(|o| vec![super::NONE; o.segments.len()])
        .collect();
    for (k, seg) in segs.iter().enumerate() {
        for &(o, s, _) in &seg.pieces {
            if o != MERGED_STRINGS {
                l.seg_out[o.idx()][s as usize] = k as u32;
            }
        }
    }
    for &(o, s) in l.string_pieces.keys() {
        let name = output_segment_name(config, &res.objects[o.idx()].segments[s as usize]);
        if let Some(k) = segs.iter().position(|seg| seg.name == name) {
            l.seg_out[o.idx()][s as usize] = k as u32;
        }
    }
    // `segment_offset` reads the output segments' addresses.
    l.segments = std::mem::take(&mut segs);
    // Passive segments are placed by `__wasm_init_memory`'s code, which can add
    // `__memory_base` to each.
    if config.pic() && !l.passive && !l.extended_const {
        combine_segments(l);
    }
    for (i, sym) in res.symbols.iter().enumerate() {
        l.sym_addr[i] = match sym.def {
            Def::Defined { obj, sym: si } => {
                match res.objects[obj.idx()].symbols[si as usize].target {
                    // A thread-local symbol's value is its offset from `__tls_base` (what
                    // `--export` gives it), with or without shared memory (wasm-ld).
                    SymbolTarget::Data {
                        segment, offset, ..
                    } if sym.flags.has(SymFlags::TLS) => l.segment_offset(obj, segment, offset),
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
                    match l.segments.iter().find(|s| s.name == name) {
                        Some(s) if d == SyntheticData::SegmentStart => s.addr,
                        Some(s) => s.addr + s.size,
                        None => 0,
                    }
                }
            }),
            _ => None,
        };
    }
}

/// A position-independent module's data, but for `.bss`, is one segment `.data` (wasm-ld): its place is
/// `global.get __memory_base`, which cannot be offset without extended constant expressions.
/// Runs once every address is known; the segments are already in address order. `.tdata`
/// joins them too: without shared memory there is one copy of it.
fn combine_segments(l: &mut Layout<'_>) {
    // A lone segment keeps its name (wasm-ld).
    if l.segments.len() <= 1 {
        return;
    }
    let old = std::mem::take(&mut l.segments);
    let mut map = vec![0u32; old.len()];
    let mut combined: Option<usize> = None;
    let mut out: Vec<OutSegment<'_>> = Vec::with_capacity(old.len());
    for (k, seg) in old.into_iter().enumerate() {
        // `.bss` written as zeroes (an imported memory without bulk memory) joins too.
        let keep_apart = seg.bss && !l.bss_in_binary;
        match combined {
            Some(c) if !keep_apart => {
                let target = &mut out[c];
                let delta = seg.addr - target.addr;
                // A merged-strings piece names where its bytes start in `merged`.
                let start = target.merged.len() as u32;
                for (o, s, off) in seg.pieces {
                    let s = if o == MERGED_STRINGS { start + s } else { s };
                    target.pieces.push((o, s, off + delta));
                }
                target.merged.extend_from_slice(&seg.merged);
                target.size = delta + seg.size;
                target.align_log2 = target.align_log2.max(seg.align_log2);
                map[k] = c as u32;
            }
            _ => {
                if !keep_apart {
                    combined = Some(out.len());
                }
                map[k] = out.len() as u32;
                let mut seg = seg;
                if !keep_apart {
                    seg.name = ".data";
                }
                out.push(seg);
            }
        }
    }
    for v in l.seg_out.iter_mut() {
        for x in v.iter_mut() {
            if *x != super::NONE {
                *x = map[*x as usize];
            }
        }
    }
    l.segments = out;
}

/// Reports an error when the data segments written out would carry more than
/// [`crate::MAX_DATA_PADDING`] bytes of alignment padding: a hostile alignment in one small
/// object could otherwise make weld allocate (and write) up to 4 GiB of zeroes [weld; wasm-ld
/// writes them]. Padding between output segments is address space, not bytes, and is free.
pub(super) fn check_padding(res: &Resolved<'_>, l: &Layout<'_>, diags: &mut Diagnostics) {
    for seg in &l.segments {
        if seg.bss && !l.bss_in_binary {
            continue;
        }
        let content: u64 = seg.merged.len() as u64
            + seg
                .pieces
                .iter()
                .filter(|p| p.0 != MERGED_STRINGS)
                .map(|p| res.objects[p.0.idx()].segments[p.1 as usize].data.len() as u64)
                .sum::<u64>();
        let padding = seg.size.saturating_sub(content);
        if padding <= crate::MAX_DATA_PADDING {
            continue;
        }
        // The piece with the largest alignment is the likely cause: name it.
        let culprit = seg
            .pieces
            .iter()
            .filter(|p| p.0 != MERGED_STRINGS)
            .max_by_key(|p| res.objects[p.0.idx()].segments[p.1 as usize].align_log2);
        let because = culprit.map_or(String::new(), |p| {
            let obj = &res.objects[p.0.idx()];
            let input = &obj.segments[p.1 as usize];
            format!(
                " ({}: segment {} is aligned to 2^{})",
                obj.name, input.name, input.align_log2
            )
        });
        diags.error(format!(
            "data segment {} needs {padding} bytes of alignment padding; weld writes at most \
             {}{because}",
            seg.name,
            crate::MAX_DATA_PADDING
        ));
    }
}
