//! Reading: turns the bytes of a relocatable object into the [`Object`] model.
//!
//! wasmparser does the section parsing; this module checks what the object-file conventions add
//! (the `linking` section, `reloc.*` sections, the symbol table's consistency with the imports)
//! and groups relocations by the chunk they patch. Nothing here allocates more than a small
//! multiple of the input's size, whatever the input says its counts are.

use std::ops::Range;

use rayon::prelude::*;
use wasmparser::{
    CompositeInnerType, DataKind, ExternalKind, KnownCustom, Linking, Parser, Payload,
    RelocSectionReader, RelocationEntry, SymbolInfo, TypeRef,
};

use crate::error::{Error, Result};
use crate::model::*;
use crate::reloc;

/// Reads one relocatable object. `name` is used in diagnostics.
pub fn read_object<'a>(name: &str, bytes: &'a [u8]) -> Result<Object<'a>> {
    Reader::new(name, bytes).read()
}

/// The names an archive member offers for extraction, as wasm-ld-22 reads them (its
/// `ObjFile::parseLazy`): every defined, non-local symbol of the member's own symbol table, in
/// table order; section symbols have no name to offer. Only the `linking` section is read,
/// so that scanning every member of a large archive stays cheap; the rest of a member is
/// checked when it is extracted.
pub fn defined_names<'a>(name: &str, bytes: &'a [u8]) -> Result<Vec<&'a str>> {
    let err = |e: wasmparser::BinaryReaderError| {
        Error::file(
            name,
            format_args!(
                "malformed object: {} (at offset {:#x})",
                e.message(),
                e.offset()
            ),
        )
    };
    if !is_wasm(bytes) {
        return Err(Error::file(name, "not a WebAssembly object file"));
    }
    let mut reader = wasmparser::BinaryReader::new(&bytes[8..], 8);
    while !reader.eof() {
        let id = reader.read_u8().map_err(err)?;
        let size = reader.read_var_u32().map_err(err)? as usize;
        let start = reader.original_position();
        let payload = reader.read_bytes(size).map_err(err)?;
        if id != 0 {
            continue;
        }
        let custom =
            wasmparser::CustomSectionReader::new(wasmparser::BinaryReader::new(payload, start))
                .map_err(err)?;
        if custom.name() != "linking" {
            continue;
        }
        let KnownCustom::Linking(r) = custom.as_known() else {
            return Err(Error::file(
                name,
                "unsupported \"linking\" section (only version 2 is supported)",
            ));
        };
        let mut out = Vec::new();
        for sub in r.subsections() {
            let Linking::SymbolTable(table) = sub.map_err(err)? else {
                continue;
            };
            for sym in table {
                let (flags, name) = match sym.map_err(err)? {
                    SymbolInfo::Func { flags, name, .. }
                    | SymbolInfo::Global { flags, name, .. }
                    | SymbolInfo::Table { flags, name, .. }
                    | SymbolInfo::Event { flags, name, .. } => (flags, name),
                    SymbolInfo::Data { flags, name, .. } => (flags, Some(name)),
                    SymbolInfo::Section { .. } => continue,
                };
                let flags = SymFlags(flags.bits());
                if let Some(n) = name
                    && !flags.undefined()
                    && !flags.local()
                {
                    out.push(n);
                }
            }
        }
        return Ok(out);
    }
    Err(Error::file(
        name,
        "not a relocatable wasm file (no \"linking\" section); \
         weld links objects made with -c, not linked modules",
    ))
}

/// Whether the bytes look like a wasm module (magic and version 1).
pub fn is_wasm(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[0..4] == *b"\0asm" && bytes[4..8] == [1, 0, 0, 0]
}

/// A `reloc.*` section, kept until all sections are known.
struct PendingRelocs<'a> {
    target_section: u32,
    /// The section, decoded in parallel with the others once the symbol table is known.
    reader: RelocSectionReader<'a>,
    entries: Vec<RelocationEntry>,
    /// Where the encoded entries are in the object (for custom sections, which keep them
    /// encoded).
    bytes: Range<usize>,
    /// Where the reloc section starts, for diagnostics.
    offset: usize,
}

/// The sections whose chunks relocations can patch.
enum SectionRole {
    Code,
    Data,
    /// Index into `Object::customs`.
    Custom(usize),
    Other,
}

struct Reader<'a, 'n> {
    name: &'n str,
    bytes: &'a [u8],
    obj: Object<'a>,
    /// Per section index: what it is.
    roles: Vec<SectionRole>,
    /// Offset of the code section's payload start.
    code_start: usize,
    /// Offset of the data section's payload start.
    data_start: usize,
    pending: Vec<PendingRelocs<'a>>,
    saw_linking: bool,
    /// Function bodies before relocations are grouped (absolute ranges).
    bodies: Vec<Range<usize>>,
    func_types: Vec<u32>,
    segment_ranges: Vec<Range<usize>>,
    segment_info: Vec<(&'a str, u32, u32)>,
    symbols_raw: Vec<SymbolInfo<'a>>,
}

impl<'a, 'n> Reader<'a, 'n> {
    fn new(name: &'n str, bytes: &'a [u8]) -> Self {
        Reader {
            name,
            bytes,
            obj: Object {
                name: name.to_string(),
                bytes,
                types: Vec::new(),
                func_imports: Vec::new(),
                global_imports: Vec::new(),
                table_imports: Vec::new(),
                tag_imports: Vec::new(),
                functions: Vec::new(),
                globals: Vec::new(),
                tables: Vec::new(),
                tags: Vec::new(),
                segments: Vec::new(),
                customs: Vec::new(),
                symbols: Vec::new(),
                relocs: Vec::new(),
                comdats: Vec::new(),
                init_funcs: Vec::new(),
                features: Vec::new(),
                producers: Vec::new(),
                export_names: Vec::new(),
                func_names: Vec::new(),
                memory64: false,
            },
            roles: Vec::new(),
            code_start: 0,
            data_start: 0,
            pending: Vec::new(),
            saw_linking: false,
            bodies: Vec::new(),
            func_types: Vec::new(),
            segment_ranges: Vec::new(),
            segment_info: Vec::new(),
            symbols_raw: Vec::new(),
        }
    }

    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::file(self.name, msg)
    }

    fn wp(&self, e: wasmparser::BinaryReaderError) -> Error {
        self.err(format_args!(
            "malformed object: {} (at offset {:#x})",
            e.message(),
            e.offset()
        ))
    }

    fn read(mut self) -> Result<Object<'a>> {
        if !is_wasm(self.bytes) {
            return Err(self.err("not a WebAssembly object file"));
        }
        let parser = Parser::new(0);
        for payload in parser.parse_all(self.bytes) {
            let payload = payload.map_err(|e| self.wp(e))?;
            self.payload(payload)?;
        }
        if !self.saw_linking {
            return Err(self.err(
                "not a relocatable wasm file (no \"linking\" section); \
                 weld links objects made with -c, not linked modules",
            ));
        }
        self.finish()
    }

    fn payload(&mut self, payload: Payload<'a>) -> Result<()> {
        match payload {
            Payload::Version { encoding, .. } => {
                if encoding != wasmparser::Encoding::Module {
                    return Err(self.err("is a component, not a core wasm object"));
                }
            }
            Payload::TypeSection(r) => {
                self.roles.push(SectionRole::Other);
                for group in r {
                    let group = group.map_err(|e| self.wp(e))?;
                    for sub in group.into_types() {
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) if !sub.composite_type.shared => {
                                self.obj.types.push(f.clone())
                            }
                            _ => return Err(self.err("only function types are supported")),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                self.roles.push(SectionRole::Other);
                for imp in r.into_imports() {
                    let imp = imp.map_err(|e| self.wp(e))?;
                    let import = Import {
                        module: imp.module,
                        field: imp.name,
                    };
                    match imp.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            self.check_type(ty)?;
                            self.obj.func_imports.push(FuncImport { import, ty })
                        }
                        TypeRef::Global(ty) => {
                            self.obj.global_imports.push(GlobalImport { import, ty })
                        }
                        TypeRef::Table(ty) => {
                            self.obj.table_imports.push(TableImport { import, ty })
                        }
                        TypeRef::Tag(t) => {
                            self.check_type(t.func_type_idx)?;
                            self.obj.tag_imports.push(TagImport {
                                import,
                                ty: t.func_type_idx,
                            })
                        }
                        // Objects import `env.__linear_memory`; the output's memory is the
                        // linker's own.
                        TypeRef::Memory(m) => self.obj.memory64 |= m.memory64,
                    }
                }
            }
            Payload::FunctionSection(r) => {
                self.roles.push(SectionRole::Other);
                for ty in r {
                    let ty = ty.map_err(|e| self.wp(e))?;
                    self.check_type(ty)?;
                    self.func_types.push(ty);
                }
            }
            Payload::TableSection(r) => {
                self.roles.push(SectionRole::Other);
                for t in r {
                    let t = t.map_err(|e| self.wp(e))?;
                    if !matches!(t.init, wasmparser::TableInit::RefNull) {
                        return Err(
                            self.err("tables with initializer expressions are not supported")
                        );
                    }
                    self.obj.tables.push(t.ty);
                }
            }
            // Relocatable output of wasm-ld (and of weld) defines the memory its data was laid
            // out in; the final link makes its own, so it is ignored, as wasm-ld does.
            // A memory an object defines (`-r` outputs do) tells its width too.
            Payload::MemorySection(r) => {
                self.roles.push(SectionRole::Other);
                for m in r {
                    self.obj.memory64 |= m.map_err(|e| self.wp(e))?.memory64;
                }
            }
            Payload::TagSection(r) => {
                self.roles.push(SectionRole::Other);
                for t in r {
                    let t = t.map_err(|e| self.wp(e))?;
                    self.check_type(t.func_type_idx)?;
                    self.obj.tags.push(t.func_type_idx);
                }
            }
            Payload::GlobalSection(r) => {
                self.roles.push(SectionRole::Other);
                for g in r {
                    let g = g.map_err(|e| self.wp(e))?;
                    let mut rd = g.init_expr.get_binary_reader();
                    let start = rd.original_position();
                    // The expression's bytes without its final `end`.
                    let len = rd.bytes_remaining();
                    let _ = rd.read_bytes(len);
                    if len == 0 {
                        return Err(self.err("global with an empty initializer"));
                    }
                    self.obj.globals.push(Global {
                        ty: g.ty,
                        init: start..start + len - 1,
                    });
                }
            }
            Payload::ExportSection(r) => {
                self.roles.push(SectionRole::Other);
                for e in r {
                    let e = e.map_err(|e| self.wp(e))?;
                    if e.kind == ExternalKind::Func {
                        self.obj.export_names.push((e.index, e.name));
                    }
                }
            }
            Payload::StartSection { .. } => {
                return Err(self.err("a start section is not allowed in a relocatable object"));
            }
            // LLVM lists address-taken functions in an element segment, but table slots come
            // from R_WASM_TABLE_INDEX relocations; wasm-ld ignores input element segments too.
            Payload::ElementSection(_) => self.roles.push(SectionRole::Other),
            Payload::DataCountSection { .. } => self.roles.push(SectionRole::Other),
            Payload::CodeSectionStart { range, count, .. } => {
                self.roles.push(SectionRole::Code);
                self.code_start = range.start;
                // Each body takes at least 2 bytes (size and a local count).
                if count as usize > range.len() / 2 + 1 {
                    return Err(self.err("code section count exceeds its size"));
                }
            }
            Payload::CodeSectionEntry(body) => {
                self.bodies.push(body.range());
            }
            Payload::DataSection(r) => {
                self.roles.push(SectionRole::Data);
                self.data_start = r.range().start;
                for d in r {
                    let d = d.map_err(|e| self.wp(e))?;
                    if let DataKind::Active { memory_index, .. } = d.kind
                        && memory_index != 0
                    {
                        return Err(self.err("data segment for a memory other than 0"));
                    }
                    let start = d.data.as_ptr() as usize - self.bytes.as_ptr() as usize;
                    self.segment_ranges.push(start..start + d.data.len());
                }
            }
            Payload::CustomSection(c) => self.custom(c)?,
            Payload::End(_) => {}
            other => {
                if let Some((id, _)) = other.as_section() {
                    return Err(self.err(format_args!("unsupported section (id {id})")));
                }
            }
        }
        Ok(())
    }

    fn check_type(&self, ty: u32) -> Result<()> {
        if (ty as usize) < self.obj.types.len() {
            Ok(())
        } else {
            Err(self.err(format_args!("type index {ty} out of range")))
        }
    }

    fn custom(&mut self, c: wasmparser::CustomSectionReader<'a>) -> Result<()> {
        let index = self.roles.len() as u32;
        let name = c.name();
        if name == "linking" {
            self.roles.push(SectionRole::Other);
            self.saw_linking = true;
            return self.linking(c);
        }
        if let Some(_target) = name.strip_prefix("reloc.") {
            self.roles.push(SectionRole::Other);
            let KnownCustom::Reloc(r) = c.as_known() else {
                return Err(self.err(format_args!("malformed section {name}")));
            };
            self.pending.push(PendingRelocs {
                target_section: r.section_index(),
                reader: r,
                entries: Vec::new(),
                bytes: 0..0,
                offset: c.range().start,
            });
            return Ok(());
        }
        match name {
            "target_features" => {
                self.roles.push(SectionRole::Other);
                let mut rd = c.data_reader();
                let n = rd.read_var_u32().map_err(|e| self.wp(e))?;
                for _ in 0..n.min(rd.bytes_remaining() as u32) {
                    let prefix = rd.read_u8().map_err(|e| self.wp(e))?;
                    let feat = rd.read_string().map_err(|e| self.wp(e))?;
                    if prefix != b'+' && prefix != b'-' {
                        return Err(self.err(format_args!(
                            "unrecognized feature policy prefix {:?} for feature {feat}",
                            prefix as char
                        )));
                    }
                    self.obj.features.push((prefix, feat));
                }
            }
            "producers" => {
                self.roles.push(SectionRole::Other);
                let KnownCustom::Producers(r) = c.as_known() else {
                    return Err(self.err("malformed producers section"));
                };
                for field in r {
                    let field = field.map_err(|e| self.wp(e))?;
                    let mut values = Vec::new();
                    for v in field.values {
                        let v = v.map_err(|e| self.wp(e))?;
                        values.push((v.name, v.version));
                    }
                    self.obj.producers.push(ProducerField {
                        name: field.name,
                        values,
                    });
                }
            }
            // wasm-ld drops a `name` section of its inputs and writes its own.
            "name" | "dylink.0" | "dylink" => self.roles.push(SectionRole::Other),
            _ => {
                self.roles.push(SectionRole::Custom(self.obj.customs.len()));
                let start = c.data_offset();
                self.obj.customs.push(Custom {
                    name,
                    data: start..start + c.data().len(),
                    relocs: CustomRelocs::default(),
                    section_index: index,
                });
            }
        }
        Ok(())
    }

    fn linking(&mut self, c: wasmparser::CustomSectionReader<'a>) -> Result<()> {
        let KnownCustom::Linking(r) = c.as_known() else {
            // as_known falls back to Unknown when the version is not 2.
            return Err(self.err("unsupported \"linking\" section (only version 2 is supported)"));
        };
        for sub in r.subsections() {
            match sub.map_err(|e| self.wp(e))? {
                Linking::SegmentInfo(m) => {
                    for s in m {
                        let s = s.map_err(|e| self.wp(e))?;
                        self.segment_info
                            .push((s.name, s.alignment, s.flags.bits()));
                    }
                }
                Linking::InitFuncs(m) => {
                    for f in m {
                        let f = f.map_err(|e| self.wp(e))?;
                        self.obj.init_funcs.push(InitFunc {
                            priority: f.priority,
                            symbol: f.symbol_index,
                        });
                    }
                }
                Linking::ComdatInfo(m) => {
                    for cd in m {
                        let cd = cd.map_err(|e| self.wp(e))?;
                        let mut members = Vec::new();
                        for s in cd.symbols {
                            let s = s.map_err(|e| self.wp(e))?;
                            use wasmparser::ComdatSymbolKind as K;
                            members.push(match s.kind {
                                K::Data => ComdatMember::Data(s.index),
                                K::Func => ComdatMember::Function(s.index),
                                K::Global => ComdatMember::Global(s.index),
                                K::Event => ComdatMember::Tag(s.index),
                                K::Table => ComdatMember::Table(s.index),
                                K::Section => ComdatMember::Section(s.index),
                            });
                        }
                        self.obj.comdats.push(Comdat {
                            name: cd.name,
                            members,
                        });
                    }
                }
                Linking::SymbolTable(m) => {
                    for s in m {
                        self.symbols_raw.push(s.map_err(|e| self.wp(e))?);
                    }
                }
                Linking::Unknown { ty, .. } => {
                    return Err(self.err(format_args!("unknown linking subsection type {ty}")));
                }
            }
        }
        Ok(())
    }

    /// Everything is parsed: build functions, segments and symbols, and hand relocations out to
    /// their chunks.
    fn finish(mut self) -> Result<Object<'a>> {
        if self.bodies.len() != self.func_types.len() {
            return Err(self.err(format_args!(
                "function and code section disagree ({} functions, {} bodies)",
                self.func_types.len(),
                self.bodies.len()
            )));
        }
        if !self.segment_info.is_empty() && self.segment_info.len() != self.segment_ranges.len() {
            return Err(self.err("WASM_SEGMENT_INFO does not match the data section"));
        }
        for (i, range) in self.segment_ranges.iter().enumerate() {
            let (name, align_log2, flags) =
                self.segment_info.get(i).copied().unwrap_or((".data", 0, 0));
            if align_log2 > 31 {
                return Err(self.err(format_args!("segment {name} has alignment 2^{align_log2}")));
            }
            self.obj.segments.push(Segment {
                name,
                align_log2,
                flags,
                data: range.clone(),
                relocs: 0..0,
            });
        }
        self.obj.functions = self
            .func_types
            .iter()
            .zip(&self.bodies)
            .map(|(&ty, body)| Function {
                ty,
                body: body.clone(),
                relocs: 0..0,
            })
            .collect();
        self.build_symbols()?;
        self.group_relocs()?;
        for f in &self.obj.init_funcs {
            match self.obj.symbols.get(f.symbol as usize) {
                Some(s) if s.kind == SymbolKind::Function => {}
                _ => {
                    return Err(self.err(format_args!(
                        "init function refers to symbol {} which is not a function",
                        f.symbol
                    )));
                }
            }
        }
        for cd in &self.obj.comdats {
            for m in &cd.members {
                let ok = match *m {
                    ComdatMember::Data(i) => (i as usize) < self.obj.segments.len(),
                    ComdatMember::Function(i) => {
                        i >= self.obj.num_func_imports()
                            && ((i - self.obj.num_func_imports()) as usize)
                                < self.obj.functions.len()
                    }
                    ComdatMember::Section(i) => {
                        self.obj.customs.iter().any(|c| c.section_index == i)
                    }
                    ComdatMember::Global(_) | ComdatMember::Tag(_) | ComdatMember::Table(_) => true,
                };
                if !ok {
                    return Err(self.err(format_args!(
                        "COMDAT {} has a member that is not defined in the object",
                        cd.name
                    )));
                }
            }
        }
        Ok(self.obj)
    }

    fn build_symbols(&mut self) -> Result<()> {
        let o = &self.obj;
        let nfi = o.func_imports.len() as u32;
        // Import field names, the names of symbols that do not carry their own.
        let func_fields: Vec<&str> = o.func_imports.iter().map(|i| i.import.field).collect();
        let global_fields: Vec<&str> = o.global_imports.iter().map(|i| i.import.field).collect();
        let table_fields: Vec<&str> = o.table_imports.iter().map(|i| i.import.field).collect();
        let tag_fields: Vec<&str> = o.tag_imports.iter().map(|i| i.import.field).collect();
        let mut out = Vec::with_capacity(self.symbols_raw.len());
        for (i, s) in self.symbols_raw.iter().enumerate() {
            let bad = |what: &str| Error::file(self.name, format_args!("symbol {i}: {what}"));
            let sym = match *s {
                SymbolInfo::Func { flags, index, name } => indexed(
                    SymbolKind::Function,
                    SymFlags(flags.bits()),
                    index,
                    name,
                    &func_fields,
                    o.functions.len(),
                    SymbolTarget::Function,
                )
                .map_err(bad)?,
                SymbolInfo::Global { flags, index, name } => indexed(
                    SymbolKind::Global,
                    SymFlags(flags.bits()),
                    index,
                    name,
                    &global_fields,
                    o.globals.len(),
                    SymbolTarget::Global,
                )
                .map_err(bad)?,
                SymbolInfo::Table { flags, index, name } => indexed(
                    SymbolKind::Table,
                    SymFlags(flags.bits()),
                    index,
                    name,
                    &table_fields,
                    o.tables.len(),
                    SymbolTarget::Table,
                )
                .map_err(bad)?,
                SymbolInfo::Event { flags, index, name } => indexed(
                    SymbolKind::Tag,
                    SymFlags(flags.bits()),
                    index,
                    name,
                    &tag_fields,
                    o.tags.len(),
                    SymbolTarget::Tag,
                )
                .map_err(bad)?,
                SymbolInfo::Data {
                    flags,
                    name,
                    symbol,
                } => {
                    let flags = SymFlags(flags.bits());
                    let target = match symbol {
                        None => SymbolTarget::UndefinedData,
                        Some(d) if flags.has(SymFlags::ABSOLUTE) => SymbolTarget::AbsoluteData {
                            addr: d.offset,
                            size: d.size,
                        },
                        Some(d) => {
                            let seg = o
                                .segments
                                .get(d.index as usize)
                                .ok_or_else(|| bad("data segment index out of range"))?;
                            let seg_len = seg.data.len() as u64;
                            if d.offset as u64 + d.size as u64 > seg_len {
                                return Err(bad("data symbol extends past its segment"));
                            }
                            SymbolTarget::Data {
                                segment: d.index,
                                offset: d.offset,
                                size: d.size,
                            }
                        }
                    };
                    ObjSymbol {
                        name,
                        kind: SymbolKind::Data,
                        flags,
                        target,
                        called_directly: false,
                    }
                }
                SymbolInfo::Section { flags, section } => {
                    let name = match self.roles.get(section as usize) {
                        Some(SectionRole::Custom(c)) => o.customs[*c].name,
                        Some(SectionRole::Code) => "CODE",
                        Some(SectionRole::Data) => "DATA",
                        _ => return Err(bad("section symbol for a section that cannot have one")),
                    };
                    ObjSymbol {
                        name,
                        kind: SymbolKind::Section,
                        flags: SymFlags(flags.bits()),
                        target: SymbolTarget::Section(section),
                        called_directly: false,
                    }
                }
            };
            if sym.flags.local() && sym.flags.weak() {
                return Err(bad("symbol is both local and weak"));
            }
            out.push(sym);
        }
        let mut names = vec![""; self.obj.functions.len()];
        for sym in &out {
            if let (SymbolKind::Function, SymbolTarget::Function(f)) = (sym.kind, sym.target)
                && let Some(d) = f.checked_sub(nfi)
                && names[d as usize].is_empty()
            {
                names[d as usize] = sym.name;
            }
        }
        self.obj.func_names = names;
        self.obj.symbols = out;
        self.add_mvp_function_table()
    }

    /// An MVP object (built without `reference-types` or `call-indirect-overlong`) imports
    /// the function table but has no table symbol and no relocations for its uses. As wasm-ld
    /// does, the missing symbol is made up: an undefined, `NO_STRIP` `__indirect_function_table`,
    /// so that the output has the table its `call_indirect`s use. Any other table without a
    /// symbol is an error, in wasm-ld's words.
    fn add_mvp_function_table(&mut self) -> Result<()> {
        let o = &self.obj;
        let tables = o.table_imports.len() + o.tables.len();
        let symbols = o
            .symbols
            .iter()
            .filter(|s| s.kind == SymbolKind::Table)
            .count();
        if tables == symbols {
            return Ok(());
        }
        if symbols != 0 {
            return Err(self.err(format_args!(
                "expected one symbol table entry for each of the {tables} table(s) present, \
                 but got {symbols} symbol(s) instead."
            )));
        }
        if !o.tables.is_empty() {
            return Err(self.err(
                "unexpected table definition(s) without corresponding symbol-table entries.",
            ));
        }
        if tables != 1 {
            return Err(
                self.err("multiple table imports, but no corresponding symbol-table entries.")
            );
        }
        let import = &o.table_imports[0];
        if import.import.field != "__indirect_function_table"
            || import.ty.element_type != wasmparser::RefType::FUNCREF
        {
            return Err(self.err(format_args!(
                "table import {} is missing a symbol table entry.",
                import.import.field
            )));
        }
        let sym = ObjSymbol {
            name: import.import.field,
            kind: SymbolKind::Table,
            flags: SymFlags(SymFlags::UNDEFINED | SymFlags::NO_STRIP),
            target: SymbolTarget::Table(0),
            called_directly: false,
        };
        self.obj.symbols.push(sym);
        Ok(())
    }

    /// Moves the relocations of each `reloc.*` section to the chunk they patch, with offsets made
    /// relative to the chunk, and checks that each field lies inside its chunk.
    ///
    /// Compilers write each section's relocations in offset order, so the usual case is a single
    /// pass that appends every chunk's relocations in place, with no sorting and no per-chunk
    /// buffers; anything else (two reloc sections for one section, offsets out of order) takes
    /// the general path.
    fn group_relocs(&mut self) -> Result<()> {
        let mut pending = std::mem::take(&mut self.pending);
        // Each section's relocations are decoded and checked in parallel (a large object's
        // debug sections carry hundreds of thousands); errors are reported in section order.
        let placed: Vec<Result<Placed>> = {
            let this = &*self;
            pending
                .par_iter_mut()
                .map(|p| this.decode_and_place(p))
                .collect()
        };
        let mut places = Vec::with_capacity(placed.len());
        for r in placed {
            let Placed {
                places: placed,
                called,
            } = r?;
            places.push(placed);
            for s in called {
                self.obj.symbols[s as usize].called_directly = true;
            }
        }
        // A custom section's relocations stay encoded in the object; the writer decodes them
        // as it applies them (`Object::custom_relocs`).
        let mut custom_seen = vec![false; self.obj.customs.len()];
        for p in &pending {
            let Some(&SectionRole::Custom(c)) = self.roles.get(p.target_section as usize) else {
                continue;
            };
            if std::mem::replace(&mut custom_seen[c], true) {
                return Err(Error::file(
                    self.name,
                    format_args!(
                        "relocation section at offset {:#x}: a second relocation section for \
                         section {}",
                        p.offset, self.obj.customs[c].name
                    ),
                ));
            }
            self.obj.customs[c].relocs = CustomRelocs {
                entries: p.bytes.clone(),
                count: p.entries.len() as u32,
            };
        }
        let is_custom = |p: &PendingRelocs<'_>| {
            matches!(
                self.roles.get(p.target_section as usize),
                Some(SectionRole::Custom(_))
            )
        };
        let (pending, places): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .zip(places)
            .filter(|(p, _)| !is_custom(p))
            .unzip();
        let mut seen = vec![false; self.roles.len()];
        let simple = pending.iter().all(|p| {
            let t = p.target_section as usize;
            let first = seen.get(t).is_some_and(|s| !s);
            if first {
                seen[t] = true;
            }
            first && p.entries.is_sorted_by_key(|e| e.offset)
        });
        if simple {
            self.obj
                .relocs
                .reserve_exact(pending.iter().map(|p| p.entries.len()).sum());
            for (p, places) in pending.iter().zip(&places) {
                self.group_sorted(p, places);
            }
            return Ok(());
        }
        // Per chunk: (kind, index) -> relocs.
        let mut code: Vec<Vec<Reloc>> = vec![Vec::new(); self.obj.functions.len()];
        let mut data: Vec<Vec<Reloc>> = vec![Vec::new(); self.obj.segments.len()];
        for (p, places) in pending.iter().zip(&places) {
            let code_role = matches!(
                self.roles.get(p.target_section as usize),
                Some(SectionRole::Code)
            );
            let chunks = if code_role { &mut code } else { &mut data };
            for (e, &(i, off)) in p.entries.iter().zip(places) {
                chunks[i as usize].push(rel(e, off as usize));
            }
        }
        let relocs = &mut self.obj.relocs;
        for (f, rs) in self.obj.functions.iter_mut().zip(code) {
            f.relocs = append_sorted(relocs, rs);
        }
        for (s, rs) in self.obj.segments.iter_mut().zip(data) {
            s.relocs = append_sorted(relocs, rs);
        }
        Ok(())
    }

    /// [`Self::group_relocs`] for one section's relocations in offset order (already placed:
    /// chunk and offset in it): each chunk's relocations are consecutive, so they are appended
    /// directly.
    fn group_sorted(&mut self, p: &PendingRelocs<'_>, places: &[(u32, u32)]) {
        let code = matches!(
            self.roles.get(p.target_section as usize),
            Some(SectionRole::Code)
        );
        let mut out = std::mem::take(&mut self.obj.relocs);
        // Per chunk, where its relocations start in `out` (chunks without any stay empty).
        let mut starts: Vec<(u32, usize)> = Vec::new();
        for (e, &(i, off)) in p.entries.iter().zip(places) {
            if starts.last().is_none_or(|&(c, _)| c != i) {
                starts.push((i, out.len()));
            }
            out.push(rel(e, off as usize));
        }
        let end = out.len();
        self.obj.relocs = out;
        for (k, &(i, start)) in starts.iter().enumerate() {
            let stop = starts.get(k + 1).map_or(end, |&(_, s)| s);
            if code {
                self.obj.functions[i as usize].relocs = start..stop
            } else {
                self.obj.segments[i as usize].relocs = start..stop
            }
        }
    }

    /// Decodes section `p`'s relocations into `p.entries` (noting where they are encoded) and
    /// checks each, returning what each patches: (chunk, offset in it) for code and data
    /// (nothing for a custom section, whose single chunk is the whole payload).
    /// Also returns the symbols that `R_WASM_FUNCTION_INDEX_LEB` relocations name (in any
    /// section, as wasm-ld counts them).
    fn decode_and_place(&self, p: &mut PendingRelocs<'a>) -> Result<Placed> {
        let section_end = p.reader.range().end;
        let reader = p.reader.entries();
        // Sized up front: growing a large vector moves it, which costs page-table work on
        // every thread. A count larger than the section could hold is not trusted.
        let cap = (reader.count() as usize).min(p.reader.range().len() / 3);
        p.entries.reserve_exact(cap);
        let mut first = None;
        for e in reader.into_iter_with_offsets() {
            let (at, e) = e.map_err(|e| self.wp(e))?;
            first.get_or_insert(at);
            p.entries.push(e);
        }
        p.bytes = first.unwrap_or(section_end)..section_end;
        let role = self.roles.get(p.target_section as usize);
        let (chunks, base, custom) = match role {
            Some(SectionRole::Code) => (&self.bodies, self.code_start, None),
            Some(SectionRole::Data) => (&self.segment_ranges, self.data_start, None),
            Some(&SectionRole::Custom(c)) => (&self.bodies, 0, Some(c)),
            _ if p.entries.is_empty() => return Ok(Placed::default()),
            _ => return Err(self.no_relocs_here(p)),
        };
        let mut places = Vec::with_capacity(if custom.is_some() { 0 } else { p.entries.len() });
        let mut called = Vec::new();
        for e in &p.entries {
            let (i, off) = self.place(p, e, chunks, base, custom)?;
            if custom.is_none() {
                places.push((i as u32, off as u32));
            }
            if e.ty == wasmparser::RelocationType::FunctionIndexLeb {
                called.push(e.index);
            }
        }
        Ok(Placed { places, called })
    }

    /// Checks a relocation of section `p` and finds what it patches: the chunk (of `chunks`,
    /// absolute ranges, with the section's payload at `base`) and the offset in it; for custom
    /// section `custom`, the whole payload is the one chunk.
    fn place(
        &self,
        p: &PendingRelocs<'_>,
        e: &RelocationEntry,
        chunks: &[Range<usize>],
        base: usize,
        custom: Option<usize>,
    ) -> Result<(usize, usize)> {
        let here = |msg: String| {
            Error::file(
                self.name,
                format_args!("relocation section at offset {:#x}: {msg}", p.offset),
            )
        };
        self.check_reloc_symbol(e).map_err(here)?;
        let width = e.ty.extent();
        if let Some(c) = custom {
            let len = self.obj.customs[c].data.len();
            if e.offset as usize + width > len {
                return Err(here(format!(
                    "{} at offset {:#x} is outside section {}",
                    reloc::name(e.ty),
                    e.offset,
                    self.obj.customs[c].name
                )));
            }
            return Ok((c, e.offset as usize));
        }
        let abs = base + e.offset as usize;
        match find_chunk(chunks, abs, width) {
            Some(i) => Ok((i, abs - chunks[i].start)),
            None if base == self.code_start => Err(here(format!(
                "{} at code offset {:#x} is not inside a function body",
                reloc::name(e.ty),
                e.offset
            ))),
            None => Err(here(format!(
                "{} at data offset {:#x} is not inside a segment",
                reloc::name(e.ty),
                e.offset
            ))),
        }
    }

    fn no_relocs_here(&self, p: &PendingRelocs<'_>) -> Error {
        Error::file(
            self.name,
            format_args!(
                "relocation section at offset {:#x}: relocations for section {}, which cannot \
                 have any",
                p.offset, p.target_section
            ),
        )
    }

    fn check_reloc_symbol(&self, e: &RelocationEntry) -> std::result::Result<(), String> {
        use wasmparser::RelocationType as R;
        if e.ty == R::TypeIndexLeb {
            return if (e.index as usize) < self.obj.types.len() {
                Ok(())
            } else {
                Err(format!(
                    "R_WASM_TYPE_INDEX_LEB with type index {} out of range",
                    e.index
                ))
            };
        }
        let Some(sym) = self.obj.symbols.get(e.index as usize) else {
            return Err(format!(
                "{} refers to symbol {} but the object has {} symbols",
                reloc::name(e.ty),
                e.index,
                self.obj.symbols.len()
            ));
        };
        let want = reloc::target_kind(e.ty);
        let ok = sym.kind == want
            // LLVM lets GLOBAL_INDEX_LEB name a function or data symbol (its GOT entry).
            || (e.ty == R::GlobalIndexLeb
                && matches!(sym.kind, SymbolKind::Function | SymbolKind::Data));
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{} against {} symbol {}",
                reloc::name(e.ty),
                sym.kind.describe(),
                sym.name
            ))
        }
    }
}

/// A function, global, table or tag symbol: its index must exist, be an import exactly when the
/// symbol is undefined, and an import's name is the field name unless the symbol has its own.
fn indexed<'a>(
    kind: SymbolKind,
    flags: SymFlags,
    index: u32,
    name: Option<&'a str>,
    import_fields: &[&'a str],
    defined: usize,
    target: fn(u32) -> SymbolTarget,
) -> std::result::Result<ObjSymbol<'a>, &'static str> {
    let imports = import_fields.len() as u32;
    if index as u64 >= imports as u64 + defined as u64 {
        return Err("index out of range");
    }
    if flags.undefined() != (index < imports) {
        return Err("undefined flag disagrees with the index");
    }
    let name = match name {
        Some(n) => n,
        None => import_fields[index as usize],
    };
    Ok(ObjSymbol {
        name,
        kind,
        flags,
        target: target(index),
        called_directly: false,
    })
}

/// What one relocation section's entries patch, and the symbols its calls name.
#[derive(Default)]
struct Placed {
    /// (chunk, offset in it) per entry; none for a custom section.
    places: Vec<(u32, u32)>,
    /// Symbols `R_WASM_FUNCTION_INDEX_LEB` entries name.
    called: Vec<u32>,
}

fn rel(e: &RelocationEntry, offset: usize) -> Reloc {
    Reloc {
        ty: e.ty,
        offset: offset as u32,
        index: e.index,
        addend: e.addend,
    }
}

fn append_sorted(all: &mut Vec<Reloc>, mut rs: Vec<Reloc>) -> Range<usize> {
    rs.sort_by_key(|r| r.offset);
    let start = all.len();
    all.extend(rs);
    start..all.len()
}

/// The chunk (sorted, disjoint ranges) that holds `[pos, pos + width)` entirely.
fn find_chunk(chunks: &[Range<usize>], pos: usize, width: usize) -> Option<usize> {
    let i = chunks.partition_point(|c| c.start <= pos).checked_sub(1)?;
    (pos + width <= chunks[i].end).then_some(i)
}
