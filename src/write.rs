//! Writing: emits the output module from the layout.
//!
//! Every function body and data segment keeps its input size (relocated fields are padded), so
//! the code section's size and each body's offset are known before any byte is copied. Bodies
//! are then copied and patched in parallel, each into its own slice of one buffer.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use wasm_encoder::{
    ConstExpr, CustomSection, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    FunctionSection, GlobalSection, ImportSection, MemorySection, MemoryType, NameMap, NameSection,
    ProducersField, ProducersSection, RefType, TableSection, TableType, TagKind, TagSection,
    TagType, TypeSection, ValType,
};
use wasmparser::{BinaryReader, FunctionBody, RelocationType};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::layout::{FuncIdx, GlobalIdx, ImportRef, Layout, OutFunc, OutGlobal, TableIdx, TagIdx};
use crate::model::*;
use crate::reloc::{self, Value};
use crate::resolve::{Def, Resolved};
use crate::strings::map_offset;
use crate::validate::{Incremental, invalid, validate_body};

struct Ctx<'r, 'a> {
    config: &'r Config,
    res: &'r Resolved<'a>,
    l: &'r Layout<'a>,
    /// Per defined output function: body offset (after the size) from the code payload start.
    code_offsets: Vec<u64>,
    /// Per object, per custom section: offset of its piece in the output section.
    custom_offsets: Vec<Vec<u64>>,
    /// Custom sections whose strings were merged: (object, custom index) → pieces as (offset
    /// in the input, offset in the output section).
    custom_strings: FxHashMap<(ObjectId, usize), Vec<(u32, u32)>>,
    /// Custom sections copied from the inputs: name and section index.
    customs: Vec<(&'a str, u32)>,
    /// Validation as the output is written (`--validate`, the default).
    checker: Option<Incremental>,
    /// Whether the output has a `.tdata` segment (most links do not: their memory relocations
    /// skip the thread-local lookup).
    has_tdata: bool,
    /// The first function body that failed validation, reported once the sections after the
    /// code section are validated too (an error there comes first, as in a single pass).
    body_error: Option<(usize, wasmparser::BinaryReaderError)>,
}

/// Names output function `i` (in code-section order) for diagnostics: the function and the
/// input it came from, or the synthetic function.
pub fn describe_function(res: &Resolved<'_>, l: &Layout<'_>, i: usize) -> String {
    match &l.functions[i] {
        OutFunc::Object(o, f) => {
            let obj = &res.objects[o.idx()];
            format!("function {} from {}", obj.function_name(*f), obj.name)
        }
        f @ (OutFunc::CallCtors
        | OutFunc::InitMemory
        | OutFunc::InitTls
        | OutFunc::ApplyTlsRelocs
        | OutFunc::ApplyGlobalTlsRelocs) => {
            format!("the synthesized {}", f.synthetic_name().unwrap_or_default())
        }
        f => format!(
            "the synthesized function {}",
            f.synthetic_name().unwrap_or_default()
        ),
    }
}

/// Emits the module. `features` is the allowed feature set, written to `target_features`.
pub fn write(
    config: &Config,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    features: &BTreeSet<String>,
    sink: Option<&std::fs::File>,
) -> Result<Vec<u8>> {
    let mut ctx = Ctx {
        config,
        res,
        l,
        code_offsets: Vec::new(),
        custom_offsets: res
            .objects
            .iter()
            .map(|o| vec![u64::MAX; o.customs.len()])
            .collect(),
        custom_strings: FxHashMap::default(),
        customs: Vec::new(),
        // `--compress-relocations` rewrites the code section after writing it: that output is
        // validated in one pass at the end.
        checker: (config.validate && !config.compress_relocations).then(Incremental::default),
        body_error: None,
        has_tdata: l.segments.iter().any(|s| s.name == ".tdata"),
    };
    let mut out = Out {
        buf: Vec::new(),
        base: 0,
        flushed_sections: 0,
        sink,
        path: config.output.display().to_string(),
    };
    if out.sink.is_none() {
        // The inputs' total size bounds the output closely enough to allocate it once.
        let estimate: usize = res.objects.iter().map(|o| o.bytes.len()).sum();
        out.buf.reserve(estimate + 4096);
    }
    out.extend_from_slice(b"\0asm\x01\0\0\0");

    // A shared library's `dylink.0` comes first (DynamicLinking.md).
    if config.dynamic_imports() {
        push_section(&mut out, &dylink_section(res, l));
    }

    // type
    let mut types = TypeSection::new();
    for t in &l.types {
        let params: Vec<ValType> = t
            .params()
            .iter()
            .map(|&v| conv_val(v))
            .collect::<Result<_>>()?;
        let results: Vec<ValType> = t
            .results()
            .iter()
            .map(|&v| conv_val(v))
            .collect::<Result<_>>()?;
        types.ty().function(params, results);
    }
    // wasm-ld writes no empty section.
    if !types.is_empty() {
        push_section(&mut out, &types);
    }

    // import
    let mut imports = ImportSection::new();
    if let Some((module, name)) = &config.import_memory {
        imports.import(module, name, EntityType::Memory(memory_type(config, l)));
    }
    let table_size = config.table_base as u64 + l.table_funcs.len() as u64;
    // A relocatable output imports the table, as its inputs do.
    let import_table = config.import_table || config.relocatable;
    if l.has_table && import_table {
        // An imported table has no maximum (wasm-ld).
        imports.import(
            "env",
            "__indirect_function_table",
            EntityType::Table(TableType {
                element_type: RefType::FUNCREF,
                table64: l.wasm64,
                minimum: table_size,
                maximum: None,
                shared: false,
            }),
        );
    }
    for i in &l.imports {
        match *i {
            ImportRef::Function(f) => {
                let imp = &l.func_imports[f as usize];
                let ty = l.func_import_types[f as usize];
                imports.import(imp.module, imp.field, EntityType::Function(ty.get()));
            }
            ImportRef::Global(g) => {
                let (imp, ty) = &l.global_imports[g as usize];
                let ty = wasm_encoder::GlobalType::try_from(*ty)
                    .map_err(|e| Error::msg(e.to_string()))?;
                imports.import(imp.module, imp.field, EntityType::Global(ty));
            }
            ImportRef::Table(t) => {
                let (imp, ty) = &l.table_imports[t as usize];
                let ty = TableType::try_from(*ty).map_err(|e| Error::msg(e.to_string()))?;
                imports.import(imp.module, imp.field, EntityType::Table(ty));
            }
            ImportRef::Tag(t) => {
                let (imp, ty) = &l.tag_imports[t as usize];
                imports.import(
                    imp.module,
                    imp.field,
                    EntityType::Tag(TagType {
                        kind: TagKind::Exception,
                        func_type_idx: ty.get(),
                    }),
                );
            }
        }
    }
    if !imports.is_empty() {
        push_section(&mut out, &imports);
    }

    // function
    let mut funcs = FunctionSection::new();
    for &ty in &l.func_types {
        funcs.function(ty.get());
    }
    if !funcs.is_empty() {
        push_section(&mut out, &funcs);
    }

    // table: the objects' own tables, then the function table when it is defined here
    let mut tables = TableSection::new();
    for &(o, t) in &l.tables {
        let obj = &res.objects[o.idx()];
        let ty = TableType::try_from(obj.tables[t as usize])
            .map_err(|e| Error::file(&obj.name, format_args!("unsupported table type: {e}")))?;
        tables.table(ty);
    }
    if l.has_table && !import_table {
        let size = table_size;
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: l.wasm64,
            minimum: size,
            maximum: if config.growable_table {
                None
            } else {
                Some(size)
            },
            shared: false,
        });
    }
    if !tables.is_empty() {
        push_section(&mut out, &tables);
    }

    // memory
    if config.import_memory.is_none() {
        let mut mems = MemorySection::new();
        mems.memory(memory_type(config, l));
        push_section(&mut out, &mems);
    }

    // tag
    if !l.tags.is_empty() {
        let mut tags = TagSection::new();
        for &(_, _, ty) in &l.tags {
            tags.tag(TagType {
                kind: TagKind::Exception,
                func_type_idx: ty.get(),
            });
        }
        push_section(&mut out, &tags);
    }

    // global
    if !l.globals.is_empty() {
        let mut globals = GlobalSection::new();
        for g in &l.globals {
            // The linker's own globals hold addresses, sizes or slots: i32, or i64 in wasm64.
            let (mutable, value) = match *g {
                OutGlobal::Object(o, g) => {
                    let obj = &res.objects[o.idx()];
                    let glob = &obj.globals[g as usize];
                    let ty = wasm_encoder::GlobalType::try_from(glob.ty)
                        .map_err(|e| Error::file(&obj.name, e))?;
                    let init = ctx.const_expr(o, obj.slice(&glob.init))?;
                    globals.global(ty, &ConstExpr::raw(init));
                    continue;
                }
                OutGlobal::StackPointer => (true, l.stack_pointer),
                OutGlobal::Address(s) => (false, l.sym_addr[s.idx()].unwrap_or(0)),
                // A thread-local symbol's entry is set per thread under shared memory, and a
                // position-independent module's own entries by its start function; both hold
                // an offset until then.
                OutGlobal::Got(id) => {
                    let tls = res.symbols[id.idx()].flags.has(SymFlags::TLS);
                    let stub = crate::layout::weak_missing_function(res, l, id);
                    let defined = res.symbols[id.idx()].is_defined();
                    if let (true, Some((memory_base, table_base))) = (l.extended_const, l.bases)
                        && !tls
                        && !stub
                        && (defined || res.symbols[id.idx()].kind == SymbolKind::Function)
                    {
                        // Placed by its initialiser: `__memory_base` or `__table_base` plus
                        // the offset or slot.
                        let base = if res.symbols[id.idx()].kind == SymbolKind::Function {
                            table_base
                        } else {
                            memory_base
                        };
                        let ty = wasm_encoder::GlobalType {
                            val_type: if l.wasm64 { ValType::I64 } else { ValType::I32 },
                            mutable: false,
                            shared: false,
                        };
                        globals.global(ty, &based(l, base, got_value(res, l, id)?));
                        continue;
                    }
                    let moved = config.pic() && !tls && !stub;
                    ((l.passive && tls) || moved, got_value(res, l, id)?)
                }
                OutGlobal::StubGot(_) => (false, 0),
                OutGlobal::LinkerAddress(a) => (false, a),
                // Each thread's `__wasm_init_tls` sets a shared memory's `__tls_base`; the main
                // thread's, the start function.
                OutGlobal::TlsBase if l.passive => (true, 0),
                OutGlobal::TlsBase => (false, l.tls.0),
                OutGlobal::TlsSize => (false, l.tls.1),
                OutGlobal::TlsAlign => (false, l.tls.2),
            };
            let (val_type, init) = if l.wasm64 {
                (ValType::I64, ConstExpr::i64_const(value as i64))
            } else {
                (ValType::I32, ConstExpr::i32_const(value as i32))
            };
            let ty = wasm_encoder::GlobalType {
                val_type,
                mutable,
                shared: false,
            };
            globals.global(ty, &init);
        }
        push_section(&mut out, &globals);
    }

    // export
    let mut exports = ExportSection::new();
    // An imported memory is exported again when `--export-memory` says so (wasm-ld), as
    // wasi-threads programs need.
    if let Some(name) = &config.export_memory {
        exports.export(name, ExportKind::Memory, 0);
    }
    // `--export-table` exports the table where its symbol stands in the symbol table
    // (wasm-ld), or first when no input names it.
    let table_symbol = res
        .lookup("__indirect_function_table")
        .filter(|id| res.symbols[id.idx()].kind == SymbolKind::Table);
    if config.export_table && l.has_table && table_symbol.is_none() {
        exports.export(
            "__indirect_function_table",
            ExportKind::Table,
            l.function_table.get(),
        );
    }
    let mut seen_names: FxHashMap<&str, ()> = FxHashMap::default();
    // wasm-ld adds each command-export wrapper to the end of its symbol table (and unexports
    // the function it wraps), so the wrappers come after every other export, in the order of
    // the functions they wrap.
    // The linker's late symbols (`Layout::late_exports`) come between the two.
    let wrapped = |i: &usize| l.wrapper_of.contains_key(&SymbolId(*i as u32));
    let order: Vec<Option<usize>> = (0..res.symbols.len())
        .filter(|i| !wrapped(i))
        .map(Some)
        .chain(std::iter::once(None))
        .chain((0..res.symbols.len()).filter(wrapped).map(Some))
        .collect();
    for i in order {
        let Some(i) = i else {
            for &(name, kind, index) in &l.late_exports {
                let kind = match kind {
                    SymbolKind::Function => ExportKind::Func,
                    _ => ExportKind::Global,
                };
                if seen_names.insert(name, ()).is_none() {
                    exports.export(name, kind, index);
                }
            }
            continue;
        };
        let sym = &res.symbols[i];
        if config.export_table && l.has_table && table_symbol == Some(SymbolId(i as u32)) {
            if seen_names.insert("__indirect_function_table", ()).is_none() {
                exports.export(
                    "__indirect_function_table",
                    ExportKind::Table,
                    l.function_table.get(),
                );
            }
            continue;
        }
        if !l.exported[i] {
            continue;
        }
        let name = export_name(res, sym);
        let (kind, index) = match sym.kind {
            SymbolKind::Function => (
                ExportKind::Func,
                l.wrapper_of
                    .get(&SymbolId(i as u32))
                    .copied()
                    .or(l.sym_func[i])
                    .map(FuncIdx::get),
            ),
            SymbolKind::Global | SymbolKind::Data => {
                (ExportKind::Global, l.sym_global[i].map(GlobalIdx::get))
            }
            SymbolKind::Tag => (ExportKind::Tag, l.sym_tag[i].map(TagIdx::get)),
            SymbolKind::Table => (ExportKind::Table, l.sym_table[i].map(TableIdx::get)),
            SymbolKind::Section => continue,
        };
        let Some(index) = index else {
            continue;
        };
        if seen_names.insert(name, ()).is_some() {
            continue;
        }
        exports.export(name, kind, index);
    }
    if config.relocatable {
        // An object's export section carries only `export_name` renames, for the final link.
        exports = ExportSection::new();
        // Only a defined function has an `export_name` (object_export_name).
        for (i, sym) in res.symbols.iter().enumerate() {
            if let Some(name) = object_export_name(res, sym)
                && let Some(f) = l.sym_func[i]
            {
                exports.export(name, ExportKind::Func, f.get());
            }
        }
    }
    if !exports.is_empty() {
        push_section(&mut out, &exports);
    }

    // start
    if let Some(f) = l.start {
        push_section(
            &mut out,
            &wasm_encoder::StartSection {
                function_index: f.get(),
            },
        );
    }

    // elem
    if !l.table_funcs.is_empty() {
        let mut elems = ElementSection::new();
        let offset = match l.bases {
            Some((_, table_base)) => ConstExpr::global_get(table_base.get()),
            None => ptr_const(l, config.table_base as u64),
        };
        elems.active(
            (l.function_table.get() != 0).then_some(l.function_table.get()),
            &offset,
            Elements::Functions(l.table_funcs.iter().map(|f| f.get()).collect()),
        );
        push_section(&mut out, &elems);
    }

    // data count: needed by `memory.init`/`data.drop`, which only shared memory uses (wasm-ld)
    let emitted_count = l
        .segments
        .iter()
        .filter(|s| !s.bss || l.bss_in_binary)
        .count();
    if l.passive && emitted_count > 0 {
        push_section(
            &mut out,
            &wasm_encoder::DataCountSection {
                count: emitted_count as u32,
            },
        );
    }

    // code
    let code_section = (!l.functions.is_empty()).then(|| out.sections());
    ctx.code_section(&mut out)?;
    out.flush(&mut ctx.checker)?;

    // data
    let emitted: Vec<_> = l
        .segments
        .iter()
        .filter(|s| !s.bss || l.bss_in_binary)
        .collect();
    // Where each segment's bytes start in the data section's payload, for `reloc.DATA`.
    let mut segment_offsets: Vec<Option<u64>> = vec![None; l.segments.len()];
    let mut data_section = None;
    if !emitted.is_empty() {
        data_section = Some(out.sections());
        // Written in place rather than through wasm-encoder's `DataSection`: each segment's
        // bytes are built in the output buffer itself, so a large segment is held once.
        use wasm_encoder::Encode;
        let heads: Vec<Vec<u8>> = emitted
            .iter()
            .map(|seg| {
                let mut head = Vec::new();
                if l.passive {
                    // Flags 1 (passive), then the size.
                    head.push(1);
                } else {
                    // Flags 0 (active, memory 0), the address expression, then the size.
                    head.push(0);
                    match l.bases {
                        // A position-independent module's data lies at its memory base.
                        Some((memory_base, _)) => based(l, memory_base, seg.addr),
                        None => ptr_const(l, seg.addr),
                    }
                    .encode(&mut head);
                }
                (seg.size as u32).encode(&mut head);
                head
            })
            .collect();
        let count_len = leb_len(emitted.len() as u64) as u64;
        let payload_len = count_len
            + heads
                .iter()
                .zip(&emitted)
                .map(|(h, seg)| h.len() as u64 + seg.size)
                .sum::<u64>();
        // Exactly: growth by doubling would hold twice a large data section.
        let rest: usize = res.objects.iter().map(|o| o.bytes.len()).sum();
        out.reserve_exact(payload_len as usize + 16 + rest);
        out.push(11);
        (payload_len as u32).encode(&mut out);
        (emitted.len() as u32).encode(&mut out);
        let mut at = count_len;
        let mut heads = heads.into_iter();
        for (i, seg) in l.segments.iter().enumerate() {
            if seg.bss && !l.bss_in_binary {
                continue;
            }
            let head = heads.next().expect("a head per emitted segment");
            segment_offsets[i] = Some(at + head.len() as u64);
            at += head.len() as u64 + seg.size;
            out.extend_from_slice(&head);
            let start = out.len();
            out.resize(start + seg.size as usize, 0);
            ctx.fill_segment(seg, &mut out[start..])?;
        }
        debug_assert!(heads.next().is_none());
    }
    // Only custom sections follow, which the validator does not look into.
    out.flush(&mut ctx.checker)?;
    if let Some(checker) = &mut ctx.checker {
        checker.finish()?;
    }

    // custom sections from the inputs
    ctx.custom_sections(&mut out)?;

    if config.relocatable || config.emit_relocs {
        let placement = crate::linking::Placement {
            code_section,
            code_offsets: &ctx.code_offsets,
            data_section,
            segment_offsets: &segment_offsets,
            customs: &ctx.customs,
            custom_offsets: &ctx.custom_offsets,
            custom_strings: &ctx.custom_strings,
            section_relocs: config.relocatable || !config.gc_sections,
            entry: config.entry.as_deref().filter(|_| !config.relocatable),
        };
        for section in crate::linking::sections(config, res, l, &placement)? {
            push_section(&mut out, &section);
        }
    }

    // `--strip-all` drops the linker's own custom sections too, unless `--keep-section` names
    // them (wasm-ld).
    let keep = |name: &str| !config.strip_all || config.keep_sections.iter().any(|k| k == name);
    if keep("name") {
        push_section(&mut out, &ctx.name_section());
    }
    if let Some(p) = ctx.producers().filter(|_| keep("producers")) {
        push_section(&mut out, &p);
    }
    if !features.is_empty() && keep("target_features") {
        push_section(&mut out, &target_features(features));
    }
    if let Some(kind) = &config.build_id {
        crate::build_id::append(&mut out, kind)?;
    }
    if ctx.checker.is_some() {
        if let Some((i, e)) = ctx.body_error.take() {
            return Err(invalid(e, Some(describe_function(res, l, i))));
        }
    } else if config.validate {
        // Only an output kept whole in memory reaches here (see `weld::link`).
        debug_assert_eq!(out.base, 0);
        crate::validate::validate(&out, &|i| describe_function(res, l, i))?;
    }
    // What is left goes out too; a streamed output leaves nothing to return.
    out.flush(&mut None)?;
    Ok(out.buf)
}

/// The module as it is written. When the link streams to a file, each finished section is
/// validated and written there (`Out::flush`), so the output is never in memory whole: with
/// debug info its largest section is a quarter of it.
struct Out<'w> {
    /// The bytes not written out yet, from module offset `base`.
    buf: Vec<u8>,
    base: usize,
    /// How many sections were written out.
    flushed_sections: u32,
    sink: Option<&'w std::fs::File>,
    /// The output's name, for errors.
    path: String,
}

impl<'w> Out<'w> {
    /// The index the next section will have.
    fn sections(&self) -> u32 {
        self.flushed_sections + section_count(&self.buf, self.base == 0)
    }

    /// Validates the whole sections held and, when the output streams, writes them out.
    fn flush(&mut self, checker: &mut Option<Incremental>) -> Result<()> {
        if let Some(checker) = checker {
            checker.sections(&self.buf, self.base, self.base + self.buf.len(), false)?;
        }
        let Some(file) = self.sink else {
            return Ok(());
        };
        write_at(file, &self.buf, self.base as u64, &self.path)?;
        self.flushed_sections += section_count(&self.buf, self.base == 0);
        self.base += self.buf.len();
        self.buf.clear();
        Ok(())
    }

    /// When the output streams: flushes, and reserves the next `len` bytes of the module for
    /// the caller to write to the returned file at the returned offset. Those bytes must end
    /// the section whose start is held now.
    fn direct(
        &mut self,
        len: usize,
        checker: &mut Option<Incremental>,
    ) -> Result<Option<(&'w std::fs::File, u64)>> {
        let Some(file) = self.sink else {
            return Ok(None);
        };
        // The section's start is flushed with the rest: it is counted as a whole section.
        self.flush(checker)?;
        self.flushed_sections += 1;
        let at = self.base as u64;
        self.base += len;
        Ok(Some((file, at)))
    }
}

impl std::ops::Deref for Out<'_> {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.buf
    }
}

impl std::ops::DerefMut for Out<'_> {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}

/// `dylink.0`: the memory and table a shared library needs, and its weak imports, as wasm-ld
/// writes them (spec/dynamic.md).
fn dylink_section(res: &Resolved<'_>, l: &Layout<'_>) -> CustomSection<'static> {
    use wasm_encoder::Encode;
    let mut data = Vec::new();
    let mut mem_info = Vec::new();
    (l.dylink_memory.0 as u32).encode(&mut mem_info);
    l.dylink_memory.1.encode(&mut mem_info);
    (l.table_funcs.len() as u32).encode(&mut mem_info);
    0u32.encode(&mut mem_info);
    data.push(1); // WASM_DYLINK_MEM_INFO
    mem_info.encode(&mut data);
    if !res.needed.is_empty() {
        let mut needed = Vec::new();
        (res.needed.len() as u32).encode(&mut needed);
        for name in &res.needed {
            name.as_str().encode(&mut needed);
        }
        data.push(2); // WASM_DYLINK_NEEDED
        needed.encode(&mut data);
    }
    // Exported thread-local symbols, flagged so: their exported value is an offset from the
    // module's `__tls_base`, not from `__memory_base`.
    let tls_exports: Vec<(&str, u32)> = res
        .symbols
        .iter()
        .enumerate()
        .filter(|&(i, s)| {
            l.exported[i]
                && s.kind == SymbolKind::Data
                && s.flags.has(SymFlags::TLS)
                && l.sym_addr[i].is_some()
        })
        .map(|(_, s)| (s.name, s.flags.0))
        .collect();
    if !tls_exports.is_empty() {
        let mut info = Vec::new();
        (tls_exports.len() as u32).encode(&mut info);
        // The symbol's flags as its object gave them (wasm-ld): thread-local, and hidden for
        // one only `--export-all` exports.
        for (name, flags) in tls_exports {
            name.encode(&mut info);
            flags.encode(&mut info);
        }
        data.push(3); // WASM_DYLINK_EXPORT_INFO
        info.encode(&mut data);
    }
    // Weak imports, in symbol-table order (wasm-ld): the imported functions and the symbols
    // reached through the GOT, under their import's module and name (`env` and the symbol's
    // name unless an explicit import name says otherwise), with the symbol's flags.
    let mut weak: FxHashMap<SymbolId, (&str, &str)> = FxHashMap::default();
    // (A symbol a `.so` input exports is defined there, not undefined.)
    let undefined_weak =
        |s: &crate::resolve::Symbol<'_>| s.is_undefined_weak() && !s.in_shared_library;
    for imp in &l.func_imports {
        if undefined_weak(&res.symbols[imp.symbol.idx()]) {
            weak.insert(imp.symbol, (imp.module, imp.field));
        }
    }
    for (imp, _) in &l.global_imports {
        let sym = &res.symbols[imp.symbol.idx()];
        let got = imp.module == "GOT.mem" || imp.module == "GOT.func";
        if got && undefined_weak(sym) {
            weak.entry(imp.symbol)
                .or_insert_with(|| explicit_import(res, sym).unwrap_or(("env", sym.name)));
        }
    }
    if !weak.is_empty() {
        let mut info = Vec::new();
        (weak.len() as u32).encode(&mut info);
        for (i, sym) in res.symbols.iter().enumerate() {
            let Some(&(module, name)) = weak.get(&SymbolId(i as u32)) else {
                continue;
            };
            module.encode(&mut info);
            name.encode(&mut info);
            sym.flags.0.encode(&mut info);
        }
        data.push(4); // WASM_DYLINK_IMPORT_INFO
        info.encode(&mut data);
    }
    CustomSection {
        name: "dylink.0".into(),
        data: data.into(),
    }
}

/// `global.get BASE`, plus `OFFSET` when there is one (an extended constant expression), as
/// wasm-ld places a position-independent module's data and own GOT entries.
fn based(l: &Layout<'_>, base: GlobalIdx, offset: u64) -> ConstExpr {
    let expr = ConstExpr::global_get(base.get());
    match (offset, l.wasm64) {
        (0, _) => expr,
        (_, true) => expr.with_i64_const(offset as i64).with_i64_add(),
        (_, false) => expr.with_i32_const(offset as i32).with_i32_add(),
    }
}

/// The module and name an undefined function symbol with an explicit import name was declared
/// with.
fn explicit_import<'a>(
    res: &Resolved<'a>,
    sym: &crate::resolve::Symbol<'a>,
) -> Option<(&'a str, &'a str)> {
    let Def::Undefined { obj, sym: si } = sym.def else {
        return None;
    };
    if !sym.flags.has(SymFlags::EXPLICIT_NAME) {
        return None;
    }
    let o = &res.objects[obj.idx()];
    match o.symbols[si as usize].target {
        SymbolTarget::Function(f) => o
            .func_imports
            .get(f as usize)
            .map(|i| (i.import.module, i.import.field)),
        _ => None,
    }
}

/// An address (or table offset) as a constant expression of the link's address width.
fn ptr_const(l: &Layout<'_>, v: u64) -> ConstExpr {
    if l.wasm64 {
        ConstExpr::i64_const(v as i64)
    } else {
        ConstExpr::i32_const(v as i32)
    }
}

/// The value of a GOT global: a data symbol's address, or a function's table slot.
fn got_value(res: &Resolved<'_>, l: &Layout<'_>, id: SymbolId) -> Result<u64> {
    let sym = &res.symbols[id.idx()];
    Ok(if sym.kind == SymbolKind::Function {
        l.sym_func[id.idx()]
            .and_then(|f| l.slot_of.get(&f).copied())
            .unwrap_or(0) as u64
    } else if sym.flags.has(SymFlags::TLS) {
        if l.passive {
            // The offset, until `__wasm_apply_global_tls_relocs` adds the thread's block.
            l.sym_addr[id.idx()].unwrap_or(0)
        } else {
            // Without shared memory the one TLS block is `.tdata` itself.
            l.tls.0 + l.sym_addr[id.idx()].unwrap_or(0)
        }
    } else {
        l.sym_addr[id.idx()].unwrap_or(0)
    })
}

fn push_section(out: &mut Vec<u8>, s: &impl wasm_encoder::Section) {
    s.append_to(out);
}

fn conv_val(v: wasmparser::ValType) -> Result<ValType> {
    ValType::try_from(v).map_err(|e| Error::msg(format!("unsupported value type: {e}")))
}

fn memory_type(config: &Config, l: &Layout<'_>) -> MemoryType {
    MemoryType {
        minimum: l.memory_pages,
        maximum: l.memory_max_pages,
        memory64: l.wasm64,
        shared: config.shared_memory,
        // A custom page size is written only when it is not the default (wasm-ld).
        page_size_log2: (config.page_size != 65536).then(|| config.page_size.trailing_zeros()),
    }
}

/// The export name of a symbol: the object's `export_name` if it gave one.
fn export_name<'a>(res: &Resolved<'a>, sym: &crate::resolve::Symbol<'a>) -> &'a str {
    object_export_name(res, sym).unwrap_or(sym.name)
}

/// The name the defining object's export section gives a function symbol, if any.
fn object_export_name<'a>(res: &Resolved<'a>, sym: &crate::resolve::Symbol<'a>) -> Option<&'a str> {
    let Def::Defined { obj, sym: si } = sym.def else {
        return None;
    };
    let o = &res.objects[obj.idx()];
    let SymbolTarget::Function(f) = o.symbols[si as usize].target else {
        return None;
    };
    o.export_names
        .iter()
        .find(|(i, _)| *i == f)
        .map(|&(_, n)| n)
}

impl<'a> Ctx<'_, 'a> {
    /// Re-encodes a global initializer with output indices.
    fn const_expr(&self, o: ObjectId, bytes: &[u8]) -> Result<Vec<u8>> {
        let obj = &self.res.objects[o.idx()];
        let mut rd = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes, 0));
        let mut out = Vec::new();
        let bad = || Error::file(&obj.name, "unsupported global initializer");
        while !rd.eof() {
            let op = rd.read().map_err(|_| bad())?;
            use wasm_encoder::Encode;
            match op {
                wasmparser::Operator::I32Const { value } => {
                    out.push(0x41);
                    value.encode(&mut out);
                }
                wasmparser::Operator::I64Const { value } => {
                    out.push(0x42);
                    value.encode(&mut out);
                }
                wasmparser::Operator::F32Const { value } => {
                    out.push(0x43);
                    out.extend_from_slice(&value.bits().to_le_bytes());
                }
                wasmparser::Operator::F64Const { value } => {
                    out.push(0x44);
                    out.extend_from_slice(&value.bits().to_le_bytes());
                }
                wasmparser::Operator::GlobalGet { global_index } => {
                    // Only imported globals may appear; they resolve through their symbol.
                    let id = obj
                        .symbols
                        .iter()
                        .position(|s| s.target == SymbolTarget::Global(global_index))
                        .map(|i| self.res.sym(o, i as u32))
                        .ok_or_else(bad)?;
                    let g = self.l.sym_global[id.idx()].ok_or_else(bad)?;
                    out.push(0x23);
                    g.get().encode(&mut out);
                }
                _ => return Err(bad()),
            }
        }
        // `ConstExpr::raw` adds the final `end`.
        Ok(out)
    }

    /// Writes the code section. Bodies are filled in parallel in groups of consecutive
    /// functions, each validated right after it is relocated; when the output streams, each
    /// group goes straight to the file from a per-thread buffer.
    fn code_section(&mut self, out: &mut Out<'_>) -> Result<()> {
        use wasm_encoder::Encode;
        let l = self.l;
        if l.functions.is_empty() {
            return Ok(());
        }
        let res = self.res;
        // Synthetic bodies are small; build them up front.
        let synth: Vec<Option<Vec<u8>>> = l
            .functions
            .iter()
            .map(|f| crate::synthetic::body(l, res, f))
            .collect();
        let lens: Vec<usize> = l
            .functions
            .iter()
            .zip(&synth)
            .map(|(f, s)| match (f, s) {
                (OutFunc::Object(o, i), _) => {
                    res.objects[o.idx()].functions[*i as usize].body.len()
                }
                (_, Some(b)) => b.len(),
                _ => 0,
            })
            .collect();
        // Each body's offset in the payload (after its size), and groups of about `GROUP_BYTES`.
        let head = leb_len(l.functions.len() as u64);
        let mut offsets = Vec::with_capacity(lens.len());
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        let mut total = head;
        let (mut group_start, mut group_from) = (0, head);
        for (i, &len) in lens.iter().enumerate() {
            total += leb_len(len as u64);
            offsets.push(total as u64);
            total += len;
            if total - group_from >= GROUP_BYTES {
                groups.push(group_start..i + 1);
                (group_start, group_from) = (i + 1, total);
            }
        }
        if group_start < lens.len() {
            groups.push(group_start..lens.len());
        }
        out.push(10);
        (total as u32).encode(&mut out.buf);
        let payload_start = out.base + out.len();
        (l.functions.len() as u32).encode(&mut out.buf);
        // With validation, the sections before this one are checked now, and each body gets
        // its validator (which only needs the bodies' places).
        let mut to_validate: Vec<Option<_>> = match &mut self.checker {
            Some(checker) => {
                let section_start = payload_start - 1 - leb_len(total as u64);
                checker.sections(&out.buf, out.base, section_start, false)?;
                let bodies: Vec<std::ops::Range<usize>> = lens
                    .iter()
                    .zip(&offsets)
                    .map(|(&len, &at)| {
                        let start = payload_start + at as usize;
                        start..start + len
                    })
                    .collect();
                let range = payload_start..payload_start + total;
                checker
                    .code(range, &bodies)?
                    .into_iter()
                    .map(Some)
                    .collect()
            }
            None => (0..lens.len()).map(|_| None).collect(),
        };
        self.code_offsets = offsets;
        // Each group takes its bodies' validators along.
        let mut work = Vec::with_capacity(groups.len());
        for g in groups.iter().rev() {
            work.push((g, to_validate.split_off(g.start)));
        }
        work.reverse();
        let direct = out.direct(total - head, &mut self.checker)?;
        let this = &*self;
        // Where a group starts in the payload (at its first size), and its length.
        let group_at = |g: &std::ops::Range<usize>| {
            this.code_offsets[g.start] as usize - leb_len(lens[g.start] as u64)
        };
        let group_len = |g: &std::ops::Range<usize>| {
            let end = g.end - 1;
            this.code_offsets[end] as usize + lens[end] - group_at(g)
        };
        // Fills group `g` into `dst` (its bytes, size prefixes included); returns the first
        // body that fails validation, if any.
        type Allocs = Option<wasmparser::FuncValidatorAllocations>;
        let fill = |allocs: &mut Allocs,
                    g: &std::ops::Range<usize>,
                    to_validate: Vec<
            Option<wasmparser::FuncToValidate<wasmparser::ValidatorResources>>,
        >,
                    dst: &mut [u8]|
         -> Result<Option<(usize, wasmparser::BinaryReaderError)>> {
            let mut error = None;
            let at0 = group_at(g);
            for (i, to_validate) in g.clone().zip(to_validate) {
                let len = lens[i];
                let start = this.code_offsets[i] as usize - at0;
                let size_at = start - leb_len(len as u64);
                let (size, n) = leb128fmt::encode_u32(len as u32)
                    .ok_or_else(|| Error::msg("function body over 4 GiB"))?;
                dst[size_at..start].copy_from_slice(&size[..n]);
                let body = &mut dst[start..start + len];
                match &l.functions[i] {
                    OutFunc::Object(o, f) => {
                        let obj = &res.objects[o.idx()];
                        let func = &obj.functions[*f as usize];
                        body.copy_from_slice(obj.slice(&func.body));
                        for r in &obj.relocs[func.relocs.clone()] {
                            this.apply(*o, r, body, None, None).map_err(|m| {
                                Error::file(
                                    &obj.name,
                                    format_args!("in function {}: {m}", obj.function_name(*f)),
                                )
                            })?;
                        }
                    }
                    _ => body.copy_from_slice(synth[i].as_deref().unwrap_or(&[])),
                }
                // Validated while the body is in cache.
                if let Some(to_validate) = to_validate {
                    let at = payload_start + this.code_offsets[i] as usize;
                    let reader = FunctionBody::new(BinaryReader::new(body, at));
                    if let Err(e) = validate_body(to_validate, &reader, allocs) {
                        error.get_or_insert((i, e));
                    }
                }
            }
            Ok(error)
        };
        let results: Vec<Result<Option<(usize, wasmparser::BinaryReaderError)>>> = match direct {
            Some((file, at)) => {
                let path = &out.path;
                work.into_par_iter()
                    // Each thread reuses one function validator's buffers and one buffer.
                    .map_init(
                        || (None, Vec::new()),
                        |(allocs, buf): &mut (Allocs, Vec<u8>), (g, to_validate)| {
                            buf.clear();
                            buf.resize(group_len(g), 0);
                            let r = fill(allocs, g, to_validate, buf)?;
                            let pos = at + (group_at(g) - head) as u64;
                            write_at(file, buf, pos, path)?;
                            Ok(r)
                        },
                    )
                    .collect()
            }
            None => {
                let start = out.len();
                out.resize(start + total - head, 0);
                let mut rest: &mut [u8] = &mut out[start..];
                let mut slices = Vec::with_capacity(groups.len());
                for (g, to_validate) in work {
                    let (a, b) = rest.split_at_mut(group_len(g));
                    slices.push((g, to_validate, a));
                    rest = b;
                }
                slices
                    .into_par_iter()
                    .map_init(
                        || None,
                        |allocs, (g, to_validate, dst)| fill(allocs, g, to_validate, dst),
                    )
                    .collect()
            }
        };
        for r in results {
            if let Some((i, e)) = r? {
                self.body_error.get_or_insert((i, e));
            }
        }
        if self.config.compress_relocations {
            let section_start = payload_start - out.base - 1 - leb_len(total as u64);
            let payload_start = payload_start - out.base;
            self.compress_code(out, section_start, payload_start, &lens);
        }
        Ok(())
    }

    /// Rewrites the code section just written at `section_start` with every relocated LEB
    /// field in its shortest form (`--compress-relocations`).
    fn compress_code(
        &mut self,
        out: &mut Vec<u8>,
        section_start: usize,
        payload_start: usize,
        lens: &[usize],
    ) {
        use wasm_encoder::Encode;
        let (l, res) = (self.l, self.res);
        let bodies: Vec<Vec<u8>> = (0..lens.len())
            .into_par_iter()
            .map(|i| {
                let at = payload_start + self.code_offsets[i] as usize;
                let body = &out[at..at + lens[i]];
                match &l.functions[i] {
                    OutFunc::Object(o, f) => {
                        let obj = &res.objects[o.idx()];
                        let relocs = &obj.relocs[obj.functions[*f as usize].relocs.clone()];
                        crate::compress::compress_body(body, relocs)
                    }
                    _ => body.to_vec(),
                }
            })
            .collect();
        let mut payload = Vec::new();
        (bodies.len() as u32).encode(&mut payload);
        let mut offsets = Vec::with_capacity(bodies.len());
        for b in &bodies {
            (b.len() as u32).encode(&mut payload);
            offsets.push(payload.len() as u64);
            payload.extend_from_slice(b);
        }
        self.code_offsets = offsets;
        out.truncate(section_start);
        out.push(10);
        (payload.len() as u32).encode(out);
        out.extend_from_slice(&payload);
    }

    /// Writes an output data segment's bytes, relocated, into `bytes` (zeroed, `seg.size`
    /// long).
    fn fill_segment(&self, seg: &crate::layout::OutSegment<'a>, bytes: &mut [u8]) -> Result<()> {
        for &(o, s, off) in &seg.pieces {
            if o == crate::layout::MERGED_STRINGS {
                // `s` is where this block starts in `merged`; it runs to the next block
                // (segments combined in a shared library have several).
                let start = s as usize;
                let end = seg
                    .pieces
                    .iter()
                    .filter(|p| p.0 == crate::layout::MERGED_STRINGS && p.1 > s)
                    .map(|p| p.1 as usize)
                    .min()
                    .unwrap_or(seg.merged.len());
                let at = off as usize;
                bytes[at..at + end - start].copy_from_slice(&seg.merged[start..end]);
                continue;
            }
            let obj = &self.res.objects[o.idx()];
            let input = &obj.segments[s as usize];
            let dst = &mut bytes[off as usize..off as usize + input.data.len()];
            dst.copy_from_slice(obj.slice(&input.data));
            for r in &obj.relocs[input.relocs.clone()] {
                let place = seg.addr + off;
                self.apply(o, r, dst, Some(place), None).map_err(|m| {
                    Error::file(
                        &obj.name,
                        format_args!("in data segment {}: {m}", input.name),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// Custom sections of the inputs, concatenated by name in order of first appearance, with
    /// their relocations applied.
    fn custom_sections(&mut self, out: &mut Out<'_>) -> Result<()> {
        let res = self.res;
        let config = self.config;
        // As wasm-ld: embedded bitcode never goes to the output; `--strip-debug` and
        // `--strip-all` drop debug sections even if `--keep-section` names them; every other
        // input section is kept (`--strip-all` strips only the linker's own sections).
        let keep = |name: &str| {
            let bitcode = name == ".llvmbc" || name == ".llvmcmd";
            let stripped = (config.strip_debug || config.strip_all) && name.starts_with(".debug_");
            !bitcode && !stripped
        };
        let mut order: Vec<&'a str> = Vec::new();
        let mut pieces: FxHashMap<&'a str, Vec<(ObjectId, usize)>> = FxHashMap::default();
        for (o, obj) in res.objects.iter().enumerate() {
            for (c, custom) in obj.customs.iter().enumerate() {
                // wasm-ld ignores empty custom sections (strip tools leave them behind).
                if res.excluded[o].customs.contains(&(c as u32))
                    || !keep(custom.name)
                    || custom.data.is_empty()
                {
                    continue;
                }
                let list = pieces.entry(custom.name).or_insert_with(|| {
                    order.push(custom.name);
                    Vec::new()
                });
                list.push((ObjectId(o as u32), c));
            }
        }
        // Offsets first: section-offset relocations may point into another section. Debug
        // string sections are merged like string data segments (wasm-ld, from -O1).
        let mut merged: FxHashMap<&str, Vec<u8>> = FxHashMap::default();
        for name in &order {
            let list = &pieces[name];
            let mergeable = config.optimize >= 1
                && matches!(*name, ".debug_str" | ".debug_str.dwo" | ".debug_line_str")
                && list
                    .iter()
                    .all(|&(o, c)| res.objects[o.idx()].customs[c].relocs.is_empty());
            if mergeable {
                let inputs: Vec<&[u8]> = list
                    .iter()
                    .map(|&(o, c)| {
                        let obj = &res.objects[o.idx()];
                        obj.slice(&obj.customs[c].data)
                    })
                    .collect();
                let (bytes, per_input) = crate::strings::merge_all(&inputs);
                if u32::try_from(bytes.len()).is_err() {
                    return Err(Error::msg(format!(
                        "merged section {name} is over 4 GiB, past what its 32-bit offsets reach"
                    )));
                }
                for (&(o, c), mapped) in list.iter().zip(per_input) {
                    self.custom_offsets[o.idx()][c] = 0;
                    self.custom_strings.insert((o, c), mapped);
                }
                merged.insert(name, bytes);
                continue;
            }
            let mut at = 0u64;
            for &(o, c) in list {
                self.custom_offsets[o.idx()][c] = at;
                at += res.objects[o.idx()].customs[c].data.len() as u64;
            }
        }
        use wasm_encoder::Encode;
        for name in order {
            // The validator is done (custom sections are not its business).
            out.flush(&mut None)?;
            self.customs.push((name, out.sections()));
            if let Some(bytes) = merged.remove(name) {
                push_section(
                    out,
                    &CustomSection {
                        name: name.into(),
                        data: bytes.into(),
                    },
                );
                continue;
            }
            let tombstone = tombstone(name);
            let list = &pieces[name];
            let total: usize = list
                .iter()
                .map(|&(o, c)| res.objects[o.idx()].customs[c].data.len())
                .sum();
            // Written in place: header, then every piece copied and relocated in parallel.
            let mut header = Vec::new();
            name.encode(&mut header);
            out.push(0);
            ((header.len() + total) as u32).encode(out);
            out.extend_from_slice(&header);
            let list: &[(ObjectId, usize)] = list;
            let this = &*self;
            // Each input's piece is copied and relocated independently (debug sections carry
            // most of a program's relocations).
            let fill = |o: ObjectId, c: usize, dst: &mut [u8]| -> Result<()> {
                let obj = &res.objects[o.idx()];
                let custom = &obj.customs[c];
                dst.copy_from_slice(obj.slice(&custom.data));
                for r in obj.custom_relocs(c) {
                    this.apply(o, &r, dst, None, Some(tombstone)).map_err(|m| {
                        Error::file(&obj.name, format_args!("in section {name}: {m}"))
                    })?;
                }
                Ok(())
            };
            // Collected in order so that the first error reported is the same on every run.
            let results: Vec<Result<()>> = match out.direct(total, &mut None)? {
                Some((file, at)) => {
                    // Streaming: each piece goes to the file from a per-thread buffer.
                    let mut starts = Vec::with_capacity(list.len());
                    let mut pos = at;
                    for &(o, c) in list {
                        starts.push(pos);
                        pos += res.objects[o.idx()].customs[c].data.len() as u64;
                    }
                    let path = &out.path;
                    list.par_iter()
                        .zip(starts)
                        .map_init(Vec::new, |buf: &mut Vec<u8>, (&(o, c), pos)| {
                            buf.clear();
                            buf.resize(res.objects[o.idx()].customs[c].data.len(), 0);
                            fill(o, c, buf)?;
                            write_at(file, buf, pos, path)
                        })
                        .collect()
                }
                None => {
                    let start = out.len();
                    out.resize(start + total, 0);
                    let mut slices = Vec::with_capacity(list.len());
                    let mut rest: &mut [u8] = &mut out.buf[start..];
                    for &(o, c) in list {
                        let (head, tail) =
                            rest.split_at_mut(res.objects[o.idx()].customs[c].data.len());
                        slices.push((o, c, head));
                        rest = tail;
                    }
                    slices
                        .into_par_iter()
                        .map(|(o, c, dst)| fill(o, c, dst))
                        .collect()
                }
            };
            results.into_iter().collect::<Result<()>>()?;
        }
        Ok(())
    }

    /// Patches one relocation into `chunk` (the chunk's output bytes). `place` is the output
    /// address of the chunk's start, for data; `custom` is the section's tombstone (0 if it has
    /// none) when the chunk is a custom section.
    fn apply(
        &self,
        o: ObjectId,
        r: &Reloc,
        chunk: &mut [u8],
        place: Option<u64>,
        custom: Option<u64>,
    ) -> std::result::Result<(), String> {
        let info = reloc::info(r.ty);
        let value = self.value(o, r, place, custom)?;
        let at = r.offset as usize;
        if !reloc::patch(&mut chunk[at..], info.field, value) {
            return Err(format!(
                "relocation {} against {} is out of range for its field: {value}",
                info.name,
                self.target_name(o, r)
            ));
        }
        Ok(())
    }

    fn target_name(&self, o: ObjectId, r: &Reloc) -> String {
        if r.ty == RelocationType::TypeIndexLeb {
            return format!("type {}", r.index);
        }
        self.res.symbols[self.res.sym(o, r.index).idx()]
            .name
            .to_string()
    }

    /// For a data symbol defined in a live segment: its offset from the start of its output
    /// segment, and whether that segment is `.tdata`.
    fn tls_place(&self, id: SymbolId) -> Option<(u64, bool)> {
        let Def::Defined { obj, sym } = self.res.symbols[id.idx()].def else {
            return None;
        };
        let SymbolTarget::Data {
            segment, offset, ..
        } = self.res.objects[obj.idx()].symbols[sym as usize].target
        else {
            return None;
        };
        let l = self.l;
        let out = *l.seg_out.get(obj.idx())?.get(segment as usize)?;
        let tdata = l.segments.get(out as usize)?.name == ".tdata";
        Some((l.segment_offset(obj, segment, offset)?, tdata))
    }

    fn value(
        &self,
        o: ObjectId,
        r: &Reloc,
        place: Option<u64>,
        custom: Option<u64>,
    ) -> std::result::Result<i64, String> {
        let tombstone = custom.unwrap_or(0);
        let l = self.l;
        let res = self.res;
        let info = reloc::info(r.ty);
        if info.value == Value::TypeIndex {
            return match l.obj_types[o.idx()][r.index as usize] {
                None => Err(format!("type {} was not laid out", r.index)),
                Some(t) => Ok(t.get() as i64),
            };
        }
        let id = res.sym(o, r.index);
        let sym = &res.symbols[id.idx()];
        let undefined = !sym.is_defined();
        // A reference to something garbage-collected (debug info of dead code).
        let dead = if tombstone != 0 {
            tombstone as i64
        } else {
            r.addend
        };
        let v = match info.value {
            Value::FunctionIndex => {
                if let Some(&stub) = l.call_overrides.get(&(o, r.index)) {
                    stub.get() as i64
                } else if let Some(&import) = l.preempted_calls.get(&id) {
                    import.get() as i64
                } else {
                    // An undefined function nothing live uses (a position-independent module
                    // imports only those it calls) gets the addend, as wasm-ld writes for a
                    // symbol it never marked live.
                    let Some(f) = l.sym_func[id.idx()] else {
                        return if undefined && tombstone == 0 && l.live_symbols[id.idx()] {
                            Err(format!("undefined function {} has no index", sym.name))
                        } else {
                            Ok(dead)
                        };
                    };
                    f.get() as i64
                }
            }
            Value::TableIndex | Value::TableIndexRel
                if self.res.mismatched[o.idx()].contains_key(&r.index) =>
            {
                0
            }
            Value::TableIndex => match l.sym_func[id.idx()] {
                None if undefined => 0,
                None => dead,
                Some(f) => match l.slot_of.get(&f) {
                    Some(&s) => s as i64,
                    None => dead,
                },
            },
            // A symbol in `.tdata` is addressed from `__tls_base` even by a plain memory
            // relocation, as old objects did before TLS relocations existed (wasm-ld).
            // Outside position-independent code `__memory_base` is 0, and `__table_base` the
            // first slot: the relative forms are the absolute ones, less the table base.
            Value::TableIndexRel => match l.sym_func[id.idx()].and_then(|f| l.slot_of.get(&f)) {
                Some(&s) => s as i64 - self.config.table_base as i64,
                None => 0,
            },
            Value::MemoryAddr | Value::MemoryAddrLocrel | Value::MemoryAddrRel
                if self.has_tdata && self.tls_place(id).is_some_and(|(_, tdata)| tdata) =>
            {
                self.tls_place(id).map_or(0, |(off, _)| off as i64) + r.addend
            }
            Value::MemoryAddrTls => match self.tls_place(id) {
                Some((off, _)) => off as i64 + r.addend,
                None if undefined || sym.is_undefined_weak() => 0,
                None => dead,
            },
            Value::MemoryAddr | Value::MemoryAddrLocrel | Value::MemoryAddrRel => {
                match l.sym_addr[id.idx()] {
                    Some(a) => {
                        let v = a as i64 + r.addend;
                        if info.value == Value::MemoryAddrLocrel {
                            v - (place.unwrap_or(0) + r.offset as u64) as i64
                        } else {
                            v
                        }
                    }
                    // Undefined: 0, unless nothing live uses it (a custom section's reference
                    // to a symbol another module defines): the addend or tombstone (wasm-ld).
                    None if undefined && (custom.is_none() || l.live_symbols[id.idx()]) => 0,
                    None => dead,
                }
            }
            Value::GlobalIndex
                if sym.kind == SymbolKind::Function
                    && self.res.mismatched[o.idx()].contains_key(&r.index) =>
            {
                return match l
                    .call_overrides
                    .get(&(o, r.index))
                    .and_then(|f| l.stub_got.get(f))
                {
                    Some(g) => Ok(g.get() as i64),
                    None => Err(format!("the trap stub of `{}` has no GOT entry", sym.name)),
                };
            }
            Value::GlobalIndex if sym.kind != SymbolKind::Global && l.got.contains_key(&id) => {
                l.got[&id].get() as i64
            }
            Value::GlobalIndex => {
                let Some(g) = l.sym_global[id.idx()] else {
                    // A dead global named from a custom section gets the tombstone or the
                    // addend, as wasm-ld writes.
                    return if (custom.is_some() && !undefined) || tombstone != 0 {
                        Ok(dead)
                    } else if undefined {
                        // wasm-ld writes index -1 here, an invalid module (spec/resolution.md).
                        Err(format!(
                            "undefined global {} has no index: import it (--allow-undefined, \
                             --allow-undefined-file) or define it",
                            sym.name
                        ))
                    } else {
                        Err(format!("global {} is not in the output", sym.name))
                    };
                };
                g.get() as i64
            }
            Value::TagIndex => match l.sym_tag[id.idx()] {
                None => return Err(format!("tag {} is not in the output", sym.name)),
                Some(t) => t.get() as i64,
            },
            Value::TableNumber => match l.sym_table[id.idx()] {
                None => return Err(format!("table {} is not in the output", sym.name)),
                Some(t) => t.get() as i64,
            },
            Value::FunctionOffset => match l.sym_func[id.idx()].and_then(|f| l.defined(f)) {
                None => dead,
                Some(d) => self.code_offsets[d] as i64 + r.addend,
            },
            Value::SectionOffset => {
                let Def::Defined { obj, sym: si } = sym.def else {
                    return Err(format!("section symbol {} is undefined", sym.name));
                };
                let SymbolTarget::Section(sec) = res.objects[obj.idx()].symbols[si as usize].target
                else {
                    return Err(format!("{} is not a section symbol", sym.name));
                };
                let c = res.objects[obj.idx()]
                    .customs
                    .iter()
                    .position(|c| c.section_index == sec);
                let Some(c) = c else {
                    return Ok(r.addend);
                };
                if let Some(strings) = self.custom_strings.get(&(obj, c)) {
                    // Into a merged string section: where that string went.
                    return Ok(map_offset(strings, r.addend as u32).map_or(r.addend, |o| o as i64));
                }
                match self.custom_offsets[obj.idx()][c] {
                    u64::MAX => r.addend,
                    off => off as i64 + r.addend,
                }
            }
            Value::TypeIndex => unreachable!("handled above"),
        };
        Ok(v)
    }

    fn name_section(&self) -> NameSection {
        let l = self.l;
        let res = self.res;
        let mut names = NameSection::new();
        // wasm-ld names the module after `--soname`, or else the output file.
        if let Some(soname) = &self.config.soname {
            names.module(soname);
        } else if let Some(file) = self.config.output.file_name() {
            names.module(&file.to_string_lossy());
        }
        let mut funcs = NameMap::new();
        for (i, imp) in l.func_imports.iter().enumerate() {
            funcs.append(
                i as u32,
                &shown_name(self.config, res.symbols[imp.symbol.idx()].name),
            );
        }
        let n = l.func_imports.len() as u32;
        for (i, f) in l.functions.iter().enumerate() {
            let name = match f {
                OutFunc::Object(o, f) => res.objects[o.idx()].function_name(*f),
                // `undefined_weak:NAME`: wasm-ld demangles the symbol's part.
                OutFunc::Trap { name, .. } => match name.split_once(':') {
                    Some((kind, sym)) => format!("{kind}:{}", shown_name(self.config, sym)),
                    None => name.clone(),
                },
                f => f.synthetic_name().unwrap_or_default().to_string(),
            };
            funcs.append(n + i as u32, &shown_name(self.config, &name));
        }
        if !funcs.is_empty() {
            names.functions(&funcs);
        }
        let mut globals = NameMap::new();
        for (i, (imp, _)) in l.global_imports.iter().enumerate() {
            // wasm-ld names an import by its symbol's global: for a shared library's weak
            // global, also imported, that is the definition's index (named twice).
            let at = match l.sym_global[imp.symbol.idx()] {
                Some(g)
                    if res.symbols[imp.symbol.idx()].kind == SymbolKind::Global
                        && res.symbols[imp.symbol.idx()].is_defined() =>
                {
                    g.get()
                }
                _ => i as u32,
            };
            globals.append(at, res.symbols[imp.symbol.idx()].name);
        }
        let gn = l.global_imports.len() as u32;
        for (i, g) in l.globals.iter().enumerate() {
            let owned;
            let name = match *g {
                OutGlobal::Object(o, g) => {
                    let obj = &res.objects[o.idx()];
                    let gi = g + obj.global_imports.len() as u32;
                    obj.symbols
                        .iter()
                        .find(|s| {
                            s.kind == SymbolKind::Global && s.target == SymbolTarget::Global(gi)
                        })
                        .map(|s| s.name)
                        .unwrap_or("")
                }
                // wasm-ld leaves the globals of exported data symbols unnamed.
                OutGlobal::Address(_) | OutGlobal::LinkerAddress(_) => continue,
                OutGlobal::StubGot(f) => {
                    owned = format!("GOT.func.internal.{}", crate::layout::trap_name(l, f));
                    owned.as_str()
                }
                OutGlobal::Got(id) => {
                    let sym = &res.symbols[id.idx()];
                    let kind = if sym.kind == SymbolKind::Function {
                        "func"
                    } else {
                        "data"
                    };
                    // A missing weak function's entry is named after its trap stub (wasm-ld).
                    let stub = if crate::layout::weak_missing_function(res, l, id) {
                        "undefined_weak:"
                    } else {
                        ""
                    };
                    owned = format!(
                        "GOT.{kind}.internal.{stub}{}",
                        shown_name(self.config, sym.name)
                    );
                    owned.as_str()
                }
                _ => g.synthetic_name().unwrap_or_default(),
            };
            globals.append(gn + i as u32, name);
        }
        if !globals.is_empty() {
            names.globals(&globals);
        }
        let mut data = NameMap::new();
        let emitted = l.segments.iter().filter(|s| !s.bss || l.bss_in_binary);
        for (i, seg) in emitted.enumerate() {
            data.append(i as u32, seg.name);
        }
        if !data.is_empty() {
            names.data(&data);
        }
        names
    }

    fn producers(&self) -> Option<ProducersSection> {
        let mut order: Vec<&str> = Vec::new();
        let mut fields: FxHashMap<&str, Vec<(&str, &str)>> = FxHashMap::default();
        for obj in &self.res.objects {
            for f in &obj.producers {
                let list = fields.entry(f.name).or_insert_with(|| {
                    order.push(f.name);
                    Vec::new()
                });
                for &(n, v) in &f.values {
                    // One version per tool, the first seen (as wasm-ld).
                    if !list.iter().any(|(ln, _)| *ln == n) {
                        list.push((n, v));
                    }
                }
            }
        }
        if order.is_empty() {
            return None;
        }
        // wasm-ld writes the three fields tool-conventions defines, in this order, whatever
        // order the inputs have them in, and no others.
        let order: Vec<&str> = ["language", "processed-by", "sdk"]
            .into_iter()
            .filter(|f| order.contains(f))
            .collect();
        if order.is_empty() {
            return None;
        }
        let mut p = ProducersSection::new();
        for name in order {
            let mut field = ProducersField::new();
            for &(n, v) in &fields[name] {
                field.value(n, v);
            }
            p.field(name, &field);
        }
        Some(p)
    }
}

/// A function's name as the `name` section shows it, demangled unless `--no-demangle`.
pub(crate) fn shown_name<'n>(config: &Config, name: &'n str) -> std::borrow::Cow<'n, str> {
    if config.demangle {
        crate::demangle::demangle(name)
    } else {
        no_demangle(name)
    }
}

/// A name for the `name` section under `--no-demangle`: as it is, except clang's name for
/// `int main(int, char **)`, which wasm-ld shows as `main` either way.
fn no_demangle(name: &str) -> std::borrow::Cow<'_, str> {
    if name == "__main_argc_argv" {
        "main".into()
    } else {
        name.into()
    }
}

/// The `target_features` section: every allowed feature with prefix `+`, sorted.
fn target_features(features: &BTreeSet<String>) -> CustomSection<'static> {
    use wasm_encoder::Encode;
    let mut data = Vec::new();
    (features.len() as u32).encode(&mut data);
    for f in features {
        data.push(b'+');
        f.as_str().encode(&mut data);
    }
    CustomSection {
        name: "target_features".into(),
        data: data.into(),
    }
}

/// wasm-ld's tombstone for relocations against dead code in a custom section.
fn tombstone(section: &str) -> u64 {
    if section == ".debug_ranges" || section == ".debug_loc" {
        u64::MAX - 1
    } else if section.starts_with(".debug_") {
        u64::MAX
    } else {
        0
    }
}

/// Writes `bytes` at `offset` of the output file (which streams only on Unix).
fn write_at(file: &std::fs::File, bytes: &[u8], offset: u64, path: &str) -> Result<()> {
    #[cfg(unix)]
    let written = std::os::unix::fs::FileExt::write_all_at(file, bytes, offset);
    #[cfg(not(unix))]
    let written: std::io::Result<()> = {
        let _ = (file, bytes, offset);
        Err(std::io::ErrorKind::Unsupported.into())
    };
    written.map_err(|e| Error::file(path, format_args!("cannot write output: {e}")))
}

/// How many bytes of function bodies a parallel task of the code section fills: enough to
/// make each write to the output file worth a system call.
const GROUP_BYTES: usize = 64 << 10;

/// How many whole sections `bytes` (part of a module being written) holds; `header`: it starts
/// with the magic and version.
fn section_count(bytes: &[u8], header: bool) -> u32 {
    let mut rd = wasmparser::BinaryReader::new(bytes, 0);
    let mut n = 0;
    // Only our own, well-formed output is scanned.
    if header && rd.read_bytes(8).is_err() {
        return 0;
    }
    while !rd.eof() {
        let ok = rd.read_u8().is_ok()
            && rd
                .read_var_u32()
                .is_ok_and(|size| rd.read_bytes(size as usize).is_ok());
        if !ok {
            break;
        }
        n += 1;
    }
    n
}

fn leb_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}
