//! A semantic diff of two linked modules (`weld diff A.wasm B.wasm`): what differs in meaning,
//! not in bytes, said so that a person can act on it.
//!
//! Each module is read into a [`Summary`] whose items are keyed by name, not by index, so that
//! renumbering alone is no difference:
//!
//! - functions are matched by their `name` section names (`func[N]` when unnamed), and compared
//!   by signature, locals and instructions, with every function, global, table, tag and data
//!   segment operand written as the name it refers to;
//! - imports by `module.field`, exports by name (and what they name), globals by name (type and
//!   initialiser), the start function;
//! - table contents slot by slot (the function name in each slot that an active element
//!   segment fills);
//! - memory: limits, and the bytes that active segments place, address by address, each
//!   difference told by segment name and offset; passive segments by name;
//! - custom sections other than `name`, by name and contents.
//!
//! spec/diff.md describes the output and the exit status.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use wasmparser::{
    CompositeInnerType, ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, KnownCustom,
    Name, Operator, Parser, Payload, TypeRef,
};

/// At most this many differences are listed per function; the rest are counted.
const PER_FUNCTION: usize = 3;
/// At most this many differing byte runs are listed per segment; the rest are counted.
const PER_SEGMENT: usize = 4;

/// Where a constant expression puts something: a constant, or a constant past a global's value
/// (a position-independent module's `__memory_base`/`__table_base`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// An absolute address or slot.
    At(u64),
    /// `global.get NAME` plus a constant.
    Based(String, u64),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::At(a) => write!(f, "{a}"),
            Place::Based(g, a) => write!(f, "{g}+{a}"),
        }
    }
}

/// A function's meaning: signature, locals and instructions with names for indices.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FunctionSummary {
    signature: String,
    /// Imported from `module.field`, or defined (`None`).
    import: Option<String>,
    locals: Vec<String>,
    body: Vec<String>,
}

/// One data segment: its name, where it goes and its bytes.
#[derive(Debug, Clone)]
struct SegmentSummary {
    name: String,
    place: Option<Place>,
    bytes: Vec<u8>,
}

/// Everything [`diff`] compares of one module, keyed by name.
#[derive(Debug, Default)]
pub struct Summary {
    functions: BTreeMap<String, FunctionSummary>,
    imports: BTreeMap<String, String>,
    exports: BTreeMap<String, String>,
    globals: BTreeMap<String, String>,
    tables: BTreeMap<String, String>,
    memories: Vec<String>,
    start: Option<String>,
    /// `(table, base, slot)` to the function name there.
    slots: BTreeMap<(String, Option<String>, u64), String>,
    segments: Vec<SegmentSummary>,
    customs: BTreeMap<String, Vec<u8>>,
}

/// Index spaces' names, from the `name` section (`kind[N]` when unnamed).
#[derive(Default)]
struct Names {
    functions: BTreeMap<u32, String>,
    globals: BTreeMap<u32, String>,
    tables: BTreeMap<u32, String>,
    tags: BTreeMap<u32, String>,
    data: BTreeMap<u32, String>,
}

fn named(map: &BTreeMap<u32, String>, kind: &str, i: u32) -> String {
    map.get(&i)
        .cloned()
        .unwrap_or_else(|| format!("{kind}[{i}]"))
}

impl Names {
    fn read(bytes: &[u8]) -> Names {
        let mut names = Names::default();
        for payload in Parser::new(0).parse_all(bytes).flatten() {
            let Payload::CustomSection(c) = payload else {
                continue;
            };
            let KnownCustom::Name(reader) = c.as_known() else {
                continue;
            };
            // A malformed name section leaves the names it could read.
            for sub in reader.into_iter().flatten() {
                let (map, target) = match sub {
                    Name::Function(m) => (m, &mut names.functions),
                    Name::Global(m) => (m, &mut names.globals),
                    Name::Table(m) => (m, &mut names.tables),
                    Name::Tag(m) => (m, &mut names.tags),
                    Name::Data(m) => (m, &mut names.data),
                    _ => continue,
                };
                for n in map.into_iter().flatten() {
                    // wasm-ld can name one index twice; the first name counts.
                    target.entry(n.index).or_insert_with(|| n.name.to_string());
                }
            }
        }
        names
    }

    fn function(&self, i: u32) -> String {
        named(&self.functions, "func", i)
    }
    fn global(&self, i: u32) -> String {
        named(&self.globals, "global", i)
    }
    fn table(&self, i: u32) -> String {
        named(&self.tables, "table", i)
    }
    fn tag(&self, i: u32) -> String {
        named(&self.tags, "tag", i)
    }
    fn data(&self, i: u32) -> String {
        named(&self.data, "data", i)
    }
}

fn kind_name(k: ExternalKind) -> &'static str {
    match k {
        ExternalKind::Func | ExternalKind::FuncExact => "function",
        ExternalKind::Table => "table",
        ExternalKind::Memory => "memory",
        ExternalKind::Global => "global",
        ExternalKind::Tag => "tag",
    }
}

/// Evaluates a constant expression to a place, when it is one (`i32/i64.const`, optionally
/// `global.get` plus a constant, as linkers write them).
fn place(expr: &ConstExpr<'_>, names: &Names) -> Option<Place> {
    let mut base: Option<String> = None;
    let mut value: u64 = 0;
    for op in expr.get_operators_reader() {
        match op.ok()? {
            Operator::I32Const { value: v } => value = value.wrapping_add(v as u32 as u64),
            Operator::I64Const { value: v } => value = value.wrapping_add(v as u64),
            Operator::GlobalGet { global_index } => base = Some(names.global(global_index)),
            Operator::I32Add | Operator::I64Add | Operator::End => {}
            _ => return None,
        }
    }
    Some(match base {
        Some(b) => Place::Based(b, value),
        None => Place::At(value),
    })
}

/// A constant expression, written with names.
fn const_expr(expr: &ConstExpr<'_>, names: &Names) -> String {
    let mut out = Vec::new();
    for op in expr.get_operators_reader() {
        match op {
            Ok(Operator::End) => {}
            Ok(op) => out.push(instruction(&op, names, &[])),
            Err(e) => out.push(format!("<{e}>")),
        }
    }
    out.join("; ")
}

/// One instruction, with names for the indices that linking renumbers.
fn instruction(op: &Operator<'_>, names: &Names, types: &[String]) -> String {
    let ty = |i: u32| {
        types
            .get(i as usize)
            .cloned()
            .unwrap_or_else(|| format!("type[{i}]"))
    };
    match *op {
        Operator::Call { function_index } => format!("call {}", names.function(function_index)),
        Operator::ReturnCall { function_index } => {
            format!("return_call {}", names.function(function_index))
        }
        Operator::RefFunc { function_index } => {
            format!("ref.func {}", names.function(function_index))
        }
        Operator::CallIndirect {
            type_index,
            table_index,
        } => format!(
            "call_indirect {} {}",
            names.table(table_index),
            ty(type_index)
        ),
        Operator::ReturnCallIndirect {
            type_index,
            table_index,
        } => format!(
            "return_call_indirect {} {}",
            names.table(table_index),
            ty(type_index)
        ),
        Operator::GlobalGet { global_index } => {
            format!("global.get {}", names.global(global_index))
        }
        Operator::GlobalSet { global_index } => {
            format!("global.set {}", names.global(global_index))
        }
        Operator::TableGet { table } => format!("table.get {}", names.table(table)),
        Operator::TableSet { table } => format!("table.set {}", names.table(table)),
        Operator::TableSize { table } => format!("table.size {}", names.table(table)),
        Operator::TableGrow { table } => format!("table.grow {}", names.table(table)),
        Operator::TableFill { table } => format!("table.fill {}", names.table(table)),
        Operator::Throw { tag_index } => format!("throw {}", names.tag(tag_index)),
        Operator::MemoryInit { data_index, mem } => {
            format!("memory.init {mem} {}", names.data(data_index))
        }
        Operator::DataDrop { data_index } => format!("data.drop {}", names.data(data_index)),
        Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
            let name = format!("{op:?}");
            let head = name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            match blockty {
                wasmparser::BlockType::FuncType(i) => format!("{head} {}", ty(i)),
                _ => format!("{op:?}"),
            }
        }
        _ => format!("{op:?}"),
    }
}

fn signature(f: &wasmparser::FuncType) -> String {
    format!("{:?} -> {:?}", f.params(), f.results())
}

impl Summary {
    /// Reads a linked module.
    pub fn read(bytes: &[u8]) -> Result<Summary, String> {
        let names = Names::read(bytes);
        let mut s = Summary::default();
        let mut types: Vec<String> = Vec::new();
        // Each function's type, imports first.
        let mut func_types: Vec<u32> = Vec::new();
        let mut n_func_imports = 0u32;
        let (mut n_global, mut n_table, mut n_elem) = (0u32, 0u32, 0u32);
        let mut code_index = 0u32;
        let mut data_index = 0u32;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| e.to_string())?;
            match payload {
                Payload::TypeSection(r) => {
                    for group in r {
                        let group = group.map_err(|e| e.to_string())?;
                        for sub in group.into_types() {
                            types.push(match &sub.composite_type.inner {
                                CompositeInnerType::Func(f) => signature(f),
                                other => format!("{other:?}"),
                            });
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.into_imports() {
                        let imp = imp.map_err(|e| e.to_string())?;
                        let key = format!("{}.{}", imp.module, imp.name);
                        let desc = match imp.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                let sig = types.get(t as usize).cloned().unwrap_or_default();
                                let name = names.function(n_func_imports);
                                s.functions.insert(
                                    name.clone(),
                                    FunctionSummary {
                                        signature: sig.clone(),
                                        import: Some(key.clone()),
                                        locals: Vec::new(),
                                        body: Vec::new(),
                                    },
                                );
                                func_types.push(t);
                                n_func_imports += 1;
                                format!("function {name} {sig}")
                            }
                            TypeRef::Global(g) => {
                                let name = names.global(n_global);
                                n_global += 1;
                                format!("global {name} {:?} mutable={}", g.content_type, g.mutable)
                            }
                            TypeRef::Table(t) => {
                                let name = names.table(n_table);
                                n_table += 1;
                                format!("table {name} {t:?}")
                            }
                            TypeRef::Memory(m) => format!("memory {m:?}"),
                            TypeRef::Tag(t) => format!(
                                "tag {}",
                                types
                                    .get(t.func_type_idx as usize)
                                    .cloned()
                                    .unwrap_or_default()
                            ),
                        };
                        s.imports.insert(key, desc);
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        func_types.push(t.map_err(|e| e.to_string())?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        let t = t.map_err(|e| e.to_string())?;
                        s.tables.insert(names.table(n_table), format!("{:?}", t.ty));
                        n_table += 1;
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r {
                        s.memories
                            .push(format!("{:?}", m.map_err(|e| e.to_string())?));
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.map_err(|e| e.to_string())?;
                        let desc = format!(
                            "{:?} mutable={} = {}",
                            g.ty.content_type,
                            g.ty.mutable,
                            const_expr(&g.init_expr, &names)
                        );
                        s.globals.insert(names.global(n_global), desc);
                        n_global += 1;
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.map_err(|e| e.to_string())?;
                        let target = match e.kind {
                            ExternalKind::Func | ExternalKind::FuncExact => names.function(e.index),
                            ExternalKind::Global => names.global(e.index),
                            ExternalKind::Table => names.table(e.index),
                            ExternalKind::Tag => names.tag(e.index),
                            ExternalKind::Memory => format!("memory[{}]", e.index),
                        };
                        s.exports.insert(
                            e.name.to_string(),
                            format!("{} {target}", kind_name(e.kind)),
                        );
                    }
                }
                Payload::StartSection { func, .. } => s.start = Some(names.function(func)),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e.map_err(|e| e.to_string())?;
                        let elem = n_elem;
                        n_elem += 1;
                        let ElementKind::Active {
                            table_index,
                            offset_expr,
                        } = e.kind
                        else {
                            continue;
                        };
                        let table = names.table(table_index.unwrap_or(0));
                        let (base, start) = match place(&offset_expr, &names) {
                            Some(Place::At(a)) => (None, a),
                            Some(Place::Based(g, a)) => (Some(g), a),
                            None => (Some(format!("elem[{elem}]")), 0),
                        };
                        let items: Vec<String> = match e.items {
                            ElementItems::Functions(fs) => fs
                                .into_iter()
                                .map(|f| f.map(|f| names.function(f)))
                                .collect::<Result<_, _>>()
                                .map_err(|e| e.to_string())?,
                            ElementItems::Expressions(_, es) => es
                                .into_iter()
                                .map(|x| x.map(|x| const_expr(&x, &names)))
                                .collect::<Result<_, _>>()
                                .map_err(|e| e.to_string())?,
                        };
                        for (k, f) in items.into_iter().enumerate() {
                            s.slots
                                .insert((table.clone(), base.clone(), start + k as u64), f);
                        }
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d.map_err(|e| e.to_string())?;
                        let name = names.data(data_index);
                        data_index += 1;
                        let place = match d.kind {
                            DataKind::Active { offset_expr, .. } => place(&offset_expr, &names),
                            DataKind::Passive => None,
                        };
                        s.segments.push(SegmentSummary {
                            name,
                            place,
                            bytes: d.data.to_vec(),
                        });
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let index = n_func_imports + code_index;
                    code_index += 1;
                    let sig = func_types
                        .get(index as usize)
                        .and_then(|&t| types.get(t as usize))
                        .cloned()
                        .unwrap_or_default();
                    let mut locals = Vec::new();
                    for l in body.get_locals_reader().map_err(|e| e.to_string())? {
                        let (n, t) = l.map_err(|e| e.to_string())?;
                        locals.push(format!("{n} x {t:?}"));
                    }
                    let mut ops = Vec::new();
                    let mut reader = body.get_operators_reader().map_err(|e| e.to_string())?;
                    while !reader.eof() {
                        let op = reader.read().map_err(|e| e.to_string())?;
                        ops.push(instruction(&op, &names, &types));
                    }
                    s.functions.insert(
                        names.function(index),
                        FunctionSummary {
                            signature: sig,
                            import: None,
                            locals,
                            body: ops,
                        },
                    );
                }
                Payload::CustomSection(c) if c.name() != "name" => {
                    s.customs.insert(c.name().to_string(), c.data().to_vec());
                }
                _ => {}
            }
        }
        Ok(s)
    }
}

/// Compares two keyed maps: items only in one, and items that differ (told by `differ`).
fn compare_maps<K: Ord + std::fmt::Display, V>(
    what: &str,
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
    out: &mut Vec<String>,
    mut differ: impl FnMut(&K, &V, &V, &mut Vec<String>),
) {
    for (k, va) in a {
        match b.get(k) {
            None => out.push(format!("{what} {k}: only in A")),
            Some(vb) => differ(k, va, vb, out),
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            out.push(format!("{what} {k}: only in B"));
        }
    }
}

/// The first element where two instruction lists differ, said as a change of call target,
/// of global, or of instruction.
fn instruction_difference(x: &str, y: &str) -> String {
    for (prefix, what) in [
        ("call ", "call target"),
        ("return_call ", "tail-call target"),
        ("global.get ", "global read"),
        ("global.set ", "global written"),
        ("ref.func ", "function reference"),
    ] {
        if let (Some(p), Some(q)) = (x.strip_prefix(prefix), y.strip_prefix(prefix)) {
            return format!("{what} differs: {p} vs {q}");
        }
    }
    format!("{x} vs {y}")
}

fn compare_function(name: &str, a: &FunctionSummary, b: &FunctionSummary, out: &mut Vec<String>) {
    let head = format!("function {name}");
    if a.import != b.import {
        let show = |i: &Option<String>| match i {
            Some(i) => format!("imported from {i}"),
            None => "defined".to_string(),
        };
        out.push(format!(
            "{head}: {} vs {}",
            show(&a.import),
            show(&b.import)
        ));
        return;
    }
    if a.signature != b.signature {
        out.push(format!(
            "{head}: signature differs: {} vs {}",
            a.signature, b.signature
        ));
    }
    if a.locals != b.locals {
        out.push(format!(
            "{head}: locals differ: [{}] vs [{}]",
            a.locals.join(", "),
            b.locals.join(", ")
        ));
    }
    if a.body == b.body {
        return;
    }
    let differing: Vec<usize> = (0..a.body.len().max(b.body.len()))
        .filter(|&i| a.body.get(i) != b.body.get(i))
        .collect();
    if a.body.len() != b.body.len() {
        out.push(format!(
            "{head}: {} instructions vs {}, first difference at instruction {}",
            a.body.len(),
            b.body.len(),
            differing[0]
        ));
        return;
    }
    for &i in differing.iter().take(PER_FUNCTION) {
        out.push(format!(
            "{head}: instruction {i}: {}",
            instruction_difference(&a.body[i], &b.body[i])
        ));
    }
    if differing.len() > PER_FUNCTION {
        out.push(format!(
            "{head}: and {} more differing instructions",
            differing.len() - PER_FUNCTION
        ));
    }
}

/// Memory contents by address (per base, for position-independent modules), each byte with
/// the segment that put it there.
fn memory_image(s: &Summary) -> BTreeMap<(Option<String>, u64), (u8, usize)> {
    let mut image = BTreeMap::new();
    for (k, seg) in s.segments.iter().enumerate() {
        let (base, start) = match &seg.place {
            Some(Place::At(a)) => (None, *a),
            Some(Place::Based(g, a)) => (Some(g.clone()), *a),
            None => continue,
        };
        for (i, &byte) in seg.bytes.iter().enumerate() {
            image.insert((base.clone(), start + i as u64), (byte, k));
        }
    }
    image
}

fn compare_memory(a: &Summary, b: &Summary, out: &mut Vec<String>) {
    if a.memories != b.memories {
        out.push(format!(
            "memory: {} vs {}",
            a.memories.join(", "),
            b.memories.join(", ")
        ));
    }
    let (ia, ib) = (memory_image(a), memory_image(b));
    // Runs of differing addresses (each byte in both, in A only, or in B only), told by the
    // segment (of A, else B) holding their start.
    struct Run {
        base: Option<String>,
        start: u64,
        end: u64,
        presence: (bool, bool),
        segment: String,
        offset: u64,
    }
    let mut runs: Vec<Run> = Vec::new();
    let keys: std::collections::BTreeSet<&(Option<String>, u64)> =
        ia.keys().chain(ib.keys()).collect();
    for key in keys {
        let (x, y) = (ia.get(key), ib.get(key));
        if x.map(|v| v.0) == y.map(|v| v.0) {
            continue;
        }
        let (base, addr) = key;
        let presence = (x.is_some(), y.is_some());
        if let Some(last) = runs.last_mut()
            && last.base == *base
            && last.end == *addr
            && last.presence == presence
        {
            last.end = addr + 1;
            continue;
        }
        let (summary, seg) = match (x, y) {
            (Some(&(_, k)), _) => (a, k),
            (None, Some(&(_, k))) => (b, k),
            (None, None) => continue,
        };
        let segment = &summary.segments[seg];
        let seg_start = match &segment.place {
            Some(Place::At(s) | Place::Based(_, s)) => *s,
            None => 0,
        };
        runs.push(Run {
            base: base.clone(),
            start: *addr,
            end: addr + 1,
            presence,
            segment: segment.name.clone(),
            offset: addr - seg_start,
        });
    }
    let mut per_segment: BTreeMap<String, usize> = BTreeMap::new();
    for run in runs {
        let n = per_segment.entry(run.segment.clone()).or_default();
        *n += 1;
        if *n > PER_SEGMENT {
            continue;
        }
        let len = run.end - run.start;
        let address = match &run.base {
            Some(b) => format!("{b}+{}", run.start),
            None => run.start.to_string(),
        };
        let note = match run.presence {
            (true, false) => ", only in A",
            (false, true) => ", only in B",
            _ => "",
        };
        out.push(format!(
            "segment {}: {len} byte{} at offset {} (address {address}){note}",
            run.segment,
            if len == 1 { "" } else { "s" },
            run.offset
        ));
    }
    for (seg, n) in per_segment {
        if n > PER_SEGMENT {
            out.push(format!(
                "segment {seg}: and {} more differing runs",
                n - PER_SEGMENT
            ));
        }
    }
    // Passive segments (shared memory) by name; placement differences of active ones are in
    // the bytes above.
    let passive = |s: &Summary| -> BTreeMap<String, Vec<u8>> {
        s.segments
            .iter()
            .filter(|g| g.place.is_none())
            .map(|g| (g.name.clone(), g.bytes.clone()))
            .collect()
    };
    compare_maps(
        "passive segment",
        &passive(a),
        &passive(b),
        out,
        |k, x, y, out| {
            if x != y {
                out.push(format!(
                    "passive segment {k}: contents differ ({} and {} bytes)",
                    x.len(),
                    y.len()
                ));
            }
        },
    );
}

/// Compares two linked modules by meaning; returns the differences, one line each (none when
/// they mean the same).
pub fn diff(a: &[u8], b: &[u8]) -> Result<Vec<String>, String> {
    let sa = Summary::read(a).map_err(|e| format!("A: {e}"))?;
    let sb = Summary::read(b).map_err(|e| format!("B: {e}"))?;
    Ok(diff_summaries(&sa, &sb))
}

/// Compares two module summaries (see [`diff`]).
pub fn diff_summaries(a: &Summary, b: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let same = |what: &'static str| {
        move |k: &String, x: &String, y: &String, out: &mut Vec<String>| {
            if x != y {
                out.push(format!("{what} {k}: {x} vs {y}"));
            }
        }
    };
    compare_maps("import", &a.imports, &b.imports, &mut out, same("import"));
    compare_maps("export", &a.exports, &b.exports, &mut out, same("export"));
    compare_maps("global", &a.globals, &b.globals, &mut out, same("global"));
    compare_maps("table", &a.tables, &b.tables, &mut out, same("table"));
    if a.start != b.start {
        let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
        out.push(format!(
            "start function: {} vs {}",
            show(&a.start),
            show(&b.start)
        ));
    }
    compare_maps(
        "function",
        &a.functions,
        &b.functions,
        &mut out,
        |k, x, y, out| compare_function(k, x, y, out),
    );
    let slots = |s: &Summary| -> BTreeMap<String, String> {
        s.slots
            .iter()
            .map(|((table, base, slot), f)| {
                let at = match base {
                    Some(b) => format!("{b}+{slot}"),
                    None => slot.to_string(),
                };
                (format!("{table}[{at}]"), f.clone())
            })
            .collect()
    };
    compare_maps(
        "table slot",
        &slots(a),
        &slots(b),
        &mut out,
        same("table slot"),
    );
    compare_memory(a, b, &mut out);
    compare_maps(
        "custom section",
        &a.customs,
        &b.customs,
        &mut out,
        |k, x, y, out| {
            if x != y {
                let at = x.iter().zip(y).position(|(p, q)| p != q);
                let mut line = format!(
                    "custom section {k}: contents differ ({} and {} bytes",
                    x.len(),
                    y.len()
                );
                if let Some(at) = at {
                    let _ = write!(line, ", first at offset {at}");
                }
                line.push(')');
                out.push(line);
            }
        },
    );
    out
}
