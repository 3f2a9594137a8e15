//! `weld -r` and `--emit-relocs` (spec/relocatable.md), compared with wasm-ld-22 on the same
//! inputs: the option errors, and the symbol table, segment info, constructors and relocations
//! of the object each writes. Execution of `-r` output is checked by the differential suite.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::*;
use wasmparser::{KnownCustom, Linking, Parser, Payload, SymbolInfo};

/// What the `linking` and `reloc.*` sections say, by name rather than by index.
#[derive(Debug, Default)]
struct Meta {
    /// Global symbols: name → (kind, flags without `EXPLICIT_NAME`, defined).
    globals: BTreeMap<String, (char, u32, bool)>,
    /// Local function and data symbols with their flags (`KIND NAME FLAGS`), sorted.
    locals: Vec<String>,
    /// `WASM_INIT_FUNCS`: (priority, symbol name), in order.
    inits: Vec<(u32, String)>,
    /// Per relocated section: sorted (type, target name, addend).
    relocs: BTreeMap<String, Vec<(String, String, i64)>>,
    /// COMDAT groups: name and members as sorted (kind, output index) pairs.
    comdats: Vec<(String, Vec<(u8, u32)>)>,
    /// `WASM_SEGMENT_INFO`: (name, alignment, flags).
    segments: Vec<(String, u32, u32)>,
}

fn meta(bytes: &[u8]) -> Meta {
    let mut m = Meta::default();
    let mut names: Vec<String> = Vec::new();
    let mut section_names: Vec<String> = Vec::new();
    let mut pending = Vec::new();
    for p in Parser::new(0).parse_all(bytes) {
        let p = p.expect("the output parses");
        let name = match &p {
            Payload::CodeSectionStart { .. } => "CODE".to_string(),
            Payload::DataSection(_) => "DATA".to_string(),
            Payload::CustomSection(c) => c.name().to_string(),
            _ => String::new(),
        };
        if !matches!(
            p,
            Payload::CodeSectionEntry(_) | Payload::End(_) | Payload::Version { .. }
        ) {
            section_names.push(name);
        }
        let Payload::CustomSection(c) = p else {
            continue;
        };
        match c.as_known() {
            KnownCustom::Linking(r) => {
                for sub in r.subsections() {
                    match sub.unwrap() {
                        Linking::SymbolTable(t) => {
                            for s in t {
                                let s = s.unwrap();
                                let (kind, flags, sname, defined) = match s {
                                    SymbolInfo::Func { flags, name, .. } => {
                                        ('F', flags, name, !flags.contains(UNDEF))
                                    }
                                    SymbolInfo::Global { flags, name, .. } => {
                                        ('G', flags, name, !flags.contains(UNDEF))
                                    }
                                    SymbolInfo::Table { flags, name, .. } => {
                                        ('T', flags, name, !flags.contains(UNDEF))
                                    }
                                    SymbolInfo::Event { flags, name, .. } => {
                                        ('E', flags, name, !flags.contains(UNDEF))
                                    }
                                    SymbolInfo::Data {
                                        flags,
                                        name,
                                        symbol,
                                    } => ('D', flags, Some(name), symbol.is_some()),
                                    SymbolInfo::Section { flags, section } => {
                                        ('S', flags, None, section != u32::MAX)
                                    }
                                };
                                let sname = match s {
                                    SymbolInfo::Section { section, .. } => {
                                        section_names[section as usize].clone()
                                    }
                                    _ => sname.map(str::to_string).unwrap_or_default(),
                                };
                                names.push(sname.clone());
                                let bits = flags.bits() & !0x40;
                                if kind == 'S' {
                                    continue;
                                }
                                if bits & 0x2 != 0 {
                                    m.locals.push(format!("{kind} {sname} {bits:#x}"));
                                } else {
                                    m.globals.insert(sname, (kind, bits, defined));
                                }
                            }
                        }
                        Linking::InitFuncs(f) => {
                            for f in f {
                                let f = f.unwrap();
                                m.inits.push((f.priority, f.symbol_index.to_string()));
                            }
                        }
                        Linking::SegmentInfo(segs) => {
                            for seg in segs {
                                let seg = seg.unwrap();
                                m.segments.push((
                                    seg.name.to_string(),
                                    seg.alignment,
                                    seg.flags.bits(),
                                ));
                            }
                        }
                        Linking::ComdatInfo(c) => {
                            for c in c {
                                let c = c.unwrap();
                                let mut members: Vec<(u8, u32)> = c
                                    .symbols
                                    .into_iter()
                                    .map(|m| {
                                        let m = m.unwrap();
                                        (m.kind as u8, m.index)
                                    })
                                    .collect();
                                members.sort();
                                m.comdats.push((c.name.to_string(), members));
                            }
                        }
                        _ => {}
                    }
                }
            }
            KnownCustom::Reloc(r) => {
                let mut list = Vec::new();
                for e in r.entries() {
                    let e = e.unwrap();
                    list.push((format!("{:?}", e.ty), e.index, e.addend));
                }
                pending.push((r.section_index(), list));
            }
            _ => {}
        }
    }
    // Symbol names are known only once the symbol table is read.
    for (i, f) in m.inits.iter_mut() {
        let _ = i;
        f.clone_from(&names[f.parse::<usize>().unwrap()]);
    }
    for (section, list) in pending {
        let target = section_names[section as usize].clone();
        let mut named: Vec<(String, String, i64)> = list
            .into_iter()
            .map(|(ty, index, addend)| {
                let name = if ty == "TypeIndexLeb" {
                    format!("type {index}")
                } else {
                    names[index as usize].clone()
                };
                (ty, name, addend)
            })
            .collect();
        named.sort();
        m.relocs.insert(target, named);
    }
    m.locals.sort();
    m
}

/// Asserts that two sorted lists are equal, showing only the entries that differ.
fn assert_same<T: Ord + Clone + std::fmt::Debug>(ours: &[T], theirs: &[T], what: &str) {
    let mut only_ours = ours.to_vec();
    let mut only_theirs = Vec::new();
    for t in theirs {
        match only_ours.iter().position(|o| o == t) {
            Some(i) => {
                only_ours.remove(i);
            }
            None => only_theirs.push(t.clone()),
        }
    }
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "{what}: only weld has {only_ours:?}; only wasm-ld has {only_theirs:?}"
    );
}

/// Asserts that weld's `-r` output and wasm-ld's (`-r -O0`) have the same symbols, init funcs,
/// COMDATs, segments and relocations. `retained` names the input segments flagged `RETAIN`.
fn assert_same_meta(ours: &[u8], theirs: &[u8], retained: &BTreeSet<String>, what: &str) {
    let ours = meta(ours);
    let theirs = meta(theirs);
    assert_eq!(ours.globals, theirs.globals, "global symbols, {what}");
    assert_eq!(ours.locals, theirs.locals, "local symbols, {what}");
    assert_eq!(ours.inits, theirs.inits, "init funcs, {what}");
    assert_eq!(ours.comdats, theirs.comdats, "COMDAT groups, {what}");
    // The same segments; weld keeps `RETAIN` on retained ones for the final link, wasm-ld
    // drops it (spec/relocatable.md).
    for (seg, theirs) in ours.segments.iter().zip(&theirs.segments) {
        let expected = theirs.2 | if retained.contains(&seg.0) { 4 } else { 0 };
        assert_eq!(
            (&seg.0, seg.1, seg.2),
            (&theirs.0, theirs.1, expected),
            "{what}"
        );
    }
    assert_eq!(ours.segments.len(), theirs.segments.len(), "{what}");
    // Every relocated section, addends included: at -O0 wasm-ld merges neither strings nor
    // `.debug_str`.
    assert_eq!(
        ours.relocs.keys().collect::<Vec<_>>(),
        theirs.relocs.keys().collect::<Vec<_>>(),
        "relocated sections, {what}"
    );
    for (section, list) in &ours.relocs {
        assert_same(
            list,
            &theirs.relocs[section],
            &format!("reloc.{section}, {what}"),
        );
    }
}

/// The names of the data segments flagged `WASM_SEG_FLAG_RETAIN` in the given objects and in
/// the members of the given archives.
fn retained_segments(inputs: &[&Path]) -> BTreeSet<String> {
    let mut objects = Vec::new();
    for input in inputs {
        let bytes = std::fs::read(input).unwrap();
        match bytes.strip_prefix(b"!<arch>\n") {
            // ar: 60-byte member headers (size in bytes 48..58), members 2-aligned.
            Some(mut rest) => {
                while rest.len() >= 60 {
                    let size: usize = std::str::from_utf8(&rest[48..58])
                        .unwrap()
                        .trim()
                        .parse()
                        .unwrap();
                    objects.push(rest[60..60 + size].to_vec());
                    rest = &rest[(60 + size + size % 2).min(rest.len())..];
                }
            }
            None => objects.push(bytes),
        }
    }
    let mut names = BTreeSet::new();
    for bytes in objects.iter().filter(|b| b.starts_with(b"\0asm")) {
        for p in Parser::new(0).parse_all(bytes).flatten() {
            let Payload::CustomSection(c) = p else {
                continue;
            };
            let KnownCustom::Linking(r) = c.as_known() else {
                continue;
            };
            for sub in r.subsections().flatten() {
                if let Linking::SegmentInfo(segs) = sub {
                    for seg in segs.into_iter().flatten() {
                        if seg.flags.bits() & 4 != 0 {
                            names.insert(seg.name.to_string());
                        }
                    }
                }
            }
        }
    }
    names
}

const UNDEF: wasmparser::SymbolFlags = wasmparser::SymbolFlags::UNDEFINED;

const MAIN_C: &str = r#"
#include <stdio.h>
extern int helper(int);
extern int counter;
extern const char *greeting;
__attribute__((weak)) int tunable = 3;
__attribute__((weak)) extern void maybe(void);
static int twice(int x) { return 2 * x; }
int (*op)(int) = twice;
__attribute__((constructor(150))) static void early(void) { counter += 100; }
__attribute__((export_name("entry"))) int entry(void) {
    if (maybe) maybe();
    return op(helper(tunable)) + counter;
}
int main(void) { printf("%s %d\n", greeting, entry()); return 0; }
"#;

const LIB_C: &str = r#"
int counter = 7;
const char *greeting = "hello";
int helper(int x) { return x + counter; }
__attribute__((constructor)) static void late(void) { counter *= 2; }
static const char *unused_name = "hello";
const char *name(void) { return unused_name; }
"#;

/// C++ with COMDAT groups (an inline function, a class with a vtable).
const INLINE_CXX: &str = "inline int twice(int x) { return 2 * x; }\n\
    int use_inl(int x) { return twice(x); }\n\
    struct S { virtual int f() { return 1; } };\n\
    int g() { S s; S *p = &s; return p->f(); }\n";

fn objects(s: &Scratch, flags: &[&str]) -> Vec<std::path::PathBuf> {
    vec![
        s.compile("main", MAIN_C, flags),
        s.compile("lib", LIB_C, flags),
    ]
}

fn args(pre: &[&str], inputs: &[&Path], out: &Path) -> Vec<String> {
    let mut a: Vec<String> = pre.iter().map(|s| s.to_string()).collect();
    a.extend(inputs.iter().map(|p| p.display().to_string()));
    a.push("-o".into());
    a.push(out.display().to_string());
    a
}

#[test]
fn relocatable_output_has_wasm_lds_symbols_and_relocations() {
    for flags in [&["-O0"][..], &["-O2"], &["-O1", "-g"]] {
        let s = Scratch::new();
        let mut objs = objects(&s, flags);
        objs.push(s.compile_cxx("inl", INLINE_CXX, flags));
        let refs: Vec<&Path> = objs.iter().map(|p| p.as_path()).collect();
        std::fs::create_dir_all(s.path("w")).unwrap();
        std::fs::create_dir_all(s.path("r")).unwrap();
        let ours = s.path("w/out.o");
        let theirs = s.path("r/out.o");
        // -O0: neither merges strings, so the relocations' addends are the inputs'.
        let o = weld(&args(&["-r", "-O0"], &refs, &ours));
        assert!(o.status.success(), "weld -r: {}", stderr(&o));
        let o = wasm_ld(&args(&["-r", "-O0"], &refs, &theirs));
        assert!(o.status.success(), "wasm-ld -r: {}", stderr(&o));
        assert_same_meta(
            &std::fs::read(&ours).unwrap(),
            &std::fs::read(&theirs).unwrap(),
            &retained_segments(&refs),
            &format!("{flags:?}"),
        );
    }
}

#[test]
fn relocatable_output_links_again_and_runs_like_a_direct_link() {
    let s = Scratch::new();
    let objs = objects(&s, &["-O1"]);
    let refs: Vec<&Path> = objs.iter().map(|p| p.as_path()).collect();
    let combined = s.path("combined.o");
    let o = weld(&args(&["-r"], &refs, &combined));
    assert!(o.status.success(), "{}", stderr(&o));
    // -r of -r output is accepted too.
    let twice = s.path("twice.o");
    let o = weld(&args(&["-r"], &[combined.as_path()], &twice));
    assert!(o.status.success(), "{}", stderr(&o));
    for input in [&combined, &twice] {
        for (name, run) in [("weld", weld as fn(&[String]) -> _), ("wasm-ld", wasm_ld)] {
            std::fs::create_dir_all(s.path(name)).unwrap();
            let out = s.path(name).join("out.wasm");
            let o = run(&command_link_args(&[input.as_path()], &out));
            assert!(o.status.success(), "{name}: {}", stderr(&o));
            let bytes = std::fs::read(&out).unwrap();
            wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                .validate_all(&bytes)
                .unwrap_or_else(|e| panic!("{name}'s output: {e}"));
        }
        // Both final links of the same object agree byte for byte.
        assert_eq!(
            std::fs::read(s.path("weld/out.wasm")).unwrap(),
            std::fs::read(s.path("wasm-ld/out.wasm")).unwrap(),
            "weld and wasm-ld link {} differently",
            input.display()
        );
    }
}

#[test]
fn relocatable_rejects_what_only_a_module_has() {
    let s = Scratch::new();
    let objs = objects(&s, &["-O1"]);
    let refs: Vec<&Path> = objs.iter().map(|p| p.as_path()).collect();
    let out = s.path("x.o");
    for (extra, msg) in [
        (
            &["-r", "--gc-sections"][..],
            "-r and --gc-sections may not be used together",
        ),
        (
            &["-r", "-e", "main"],
            "entry point specified for relocatable output file",
        ),
        (
            &["-r", "--global-base=1024"],
            "-r and --global-base may not b",
        ),
    ] {
        let o = weld(&args(extra, &refs, &out));
        assert_eq!(o.status.code(), Some(1), "{extra:?}");
        assert!(stderr(&o).contains(msg), "{extra:?}: {}", stderr(&o));
        let r = wasm_ld(&args(extra, &refs, &out));
        assert!(!r.status.success(), "wasm-ld accepts {extra:?}");
        assert!(
            stderr(&r).contains(msg),
            "wasm-ld {extra:?}: {}",
            stderr(&r)
        );
        assert!(!out.exists());
    }
}

#[test]
fn emit_relocs_matches_wasm_ld() {
    let s = Scratch::new();
    let objs = objects(&s, &["-O1"]);
    let refs: Vec<&Path> = objs.iter().map(|p| p.as_path()).collect();
    let mut outs = Vec::new();
    for (name, run) in [("weld", weld as fn(&[String]) -> _), ("wasm-ld", wasm_ld)] {
        std::fs::create_dir_all(s.path(name)).unwrap();
        let out = s.path(name).join("out.wasm");
        let mut a = command_link_args(&refs, &out);
        a.insert(0, "--emit-relocs".into());
        let o = run(&a);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        let n = check_relocations_describe_their_fields(&bytes);
        assert!(n > 10, "{name}: only {n} relocations");
        outs.push(meta(&bytes));
    }
    let (ours, theirs) = (&outs[0], &outs[1]);
    assert_same(&ours.relocs["CODE"], &theirs.relocs["CODE"], "reloc.CODE");
    let defined = |m: &Meta| -> Vec<String> {
        m.globals
            .iter()
            .filter(|(_, v)| v.2 && v.0 == 'F')
            .map(|(k, _)| k.clone())
            .collect()
    };
    assert_eq!(defined(ours), defined(theirs));
}

/// Checks that every relocation of a relocatable object describes the field it points at: the
/// field holds the value the relocation gives with the object's own symbol table, segments,
/// element segment and code layout. (wasm-ld's `-r` output, like weld's, stores linked values.)
/// Returns the number of relocations checked.
fn check_relocations_describe_their_fields(bytes: &[u8]) -> usize {
    use wasmparser::{DataKind, ElementItems, ElementKind, Operator, RelocationType as R, TypeRef};
    // Per section index: where its relocation offsets count from.
    let mut starts: Vec<usize> = Vec::new();
    let mut symbols: Vec<SymbolInfo> = Vec::new();
    let mut relocs: Vec<(u32, Vec<wasmparser::RelocationEntry>)> = Vec::new();
    let mut seg_addr: Vec<u64> = Vec::new();
    let mut elem: (u32, Vec<u32>) = (0, Vec::new());
    let mut n_func_imports = 0u32;
    let mut code_start = 0usize;
    let mut bodies: Vec<usize> = Vec::new();
    let const_i32 = |e: &wasmparser::ConstExpr<'_>| match e.get_operators_reader().read() {
        Ok(Operator::I32Const { value }) => value as u32,
        other => panic!("unexpected offset {other:?}"),
    };
    for p in Parser::new(0).parse_all(bytes) {
        let p = p.unwrap();
        if let Some((_, range)) = p.as_section() {
            let start = match &p {
                Payload::CustomSection(c) => c.data_offset(),
                _ => range.start,
            };
            starts.push(start);
        }
        match p {
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    if matches!(i.unwrap().ty, TypeRef::Func(_)) {
                        n_func_imports += 1;
                    }
                }
            }
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    let ElementKind::Active { offset_expr, .. } = e.kind else {
                        continue;
                    };
                    let ElementItems::Functions(f) = e.items else {
                        continue;
                    };
                    elem = (
                        const_i32(&offset_expr),
                        f.into_iter().map(Result::unwrap).collect(),
                    );
                }
            }
            Payload::CodeSectionStart { range, .. } => code_start = range.start,
            Payload::CodeSectionEntry(b) => bodies.push(b.range().start - code_start),
            Payload::DataSection(r) => {
                for d in r {
                    let DataKind::Active { offset_expr, .. } = d.unwrap().kind else {
                        panic!("passive segment");
                    };
                    seg_addr.push(const_i32(&offset_expr) as u64);
                }
            }
            Payload::CustomSection(c) => match c.as_known() {
                KnownCustom::Linking(l) => {
                    for sub in l.subsections() {
                        if let Linking::SymbolTable(t) = sub.unwrap() {
                            symbols = t.into_iter().map(Result::unwrap).collect();
                        }
                    }
                }
                KnownCustom::Reloc(r) => {
                    let list = r.entries().into_iter().map(Result::unwrap).collect();
                    relocs.push((r.section_index(), list));
                }
                _ => {}
            },
            _ => {}
        }
    }
    let mut checked = 0;
    for (section, list) in relocs {
        let base = starts[section as usize];
        for e in list {
            let at = base + e.offset as usize;
            let mut rd = wasmparser::BinaryReader::new(&bytes[at..], 0);
            let field: i64 = match e.ty {
                R::FunctionIndexLeb
                | R::TypeIndexLeb
                | R::GlobalIndexLeb
                | R::EventIndexLeb
                | R::TableNumberLeb
                | R::MemoryAddrLeb => rd.read_var_u32().unwrap() as i64,
                R::TableIndexSleb | R::MemoryAddrSleb => rd.read_var_i32().unwrap() as u32 as i64,
                R::MemoryAddrLeb64 => rd.read_var_u64().unwrap() as i64,
                R::MemoryAddrSleb64 | R::TableIndexSleb64 => rd.read_var_i64().unwrap(),
                R::TableIndexI32
                | R::MemoryAddrI32
                | R::FunctionOffsetI32
                | R::SectionOffsetI32
                | R::GlobalIndexI32
                | R::FunctionIndexI32 => rd.read_u32().unwrap() as i64,
                R::TableIndexI64 | R::MemoryAddrI64 | R::FunctionOffsetI64 => {
                    rd.read_u64().unwrap() as i64
                }
                _ => continue, // LOCREL, PIC and TLS kinds
            };
            let what = format!("{:?} at {:#x} of section {section}", e.ty, e.offset);
            let sym = || symbols[e.index as usize];
            let expected: i64 = match e.ty {
                R::TypeIndexLeb => e.index as i64,
                R::FunctionIndexLeb | R::FunctionIndexI32 => match sym() {
                    SymbolInfo::Func { index, .. } => index as i64,
                    s => panic!("{what}: {s:?}"),
                },
                R::GlobalIndexLeb | R::GlobalIndexI32 => match sym() {
                    SymbolInfo::Global { index, .. } => index as i64,
                    s => panic!("{what}: {s:?}"),
                },
                R::EventIndexLeb => match sym() {
                    SymbolInfo::Event { index, .. } => index as i64,
                    s => panic!("{what}: {s:?}"),
                },
                R::TableNumberLeb => match sym() {
                    SymbolInfo::Table { index, .. } => index as i64,
                    s => panic!("{what}: {s:?}"),
                },
                R::TableIndexSleb | R::TableIndexI32 | R::TableIndexSleb64 | R::TableIndexI64 => {
                    let SymbolInfo::Func { index, flags, name } = sym() else {
                        panic!("{what}");
                    };
                    // An undefined weak function of an executable has no slot: null. (weld's
                    // symbol table names its trap stub there.)
                    let stub = name.is_some_and(|n| n.starts_with("undefined_weak:"));
                    if field == 0 && (flags.contains(UNDEF) || stub) {
                        checked += 1;
                        continue;
                    }
                    let slot = (field as u64)
                        .checked_sub(elem.0 as u64)
                        .unwrap_or_else(|| panic!("{what}: {field} below the slots: {:?}", sym()));
                    assert_eq!(
                        elem.1.get(slot as usize),
                        Some(&index),
                        "{what}: table slot"
                    );
                    field
                }
                R::FunctionOffsetI32 | R::FunctionOffsetI64 => match sym() {
                    // An import has no body: the field holds a tombstone, which the final
                    // link writes again.
                    SymbolInfo::Func { index, .. } if index < n_func_imports => continue,
                    SymbolInfo::Func { index, .. } => {
                        bodies[(index - n_func_imports) as usize] as i64 + e.addend
                    }
                    s => panic!("{what}: {s:?}"),
                },
                R::SectionOffsetI32 => e.addend,
                _ => match sym() {
                    // An executable's `.bss` and linker symbols are absolute (spec/relocatable.md).
                    SymbolInfo::Data {
                        symbol: Some(d),
                        flags,
                        ..
                    } if flags.contains(wasmparser::SymbolFlags::ABSOLUTE) => {
                        d.offset as i64 + e.addend
                    }
                    SymbolInfo::Data {
                        symbol: Some(d), ..
                    } => (seg_addr[d.index as usize] + d.offset as u64) as i64 + e.addend,
                    SymbolInfo::Data { symbol: None, .. } => 0,
                    s => panic!("{what}: {s:?}"),
                },
            };
            let width_mask = |v: i64| match e.ty {
                R::MemoryAddrLeb64
                | R::MemoryAddrSleb64
                | R::MemoryAddrI64
                | R::TableIndexSleb64
                | R::TableIndexI64
                | R::FunctionOffsetI64 => v,
                _ => v as u32 as i64,
            };
            assert_eq!(width_mask(field), width_mask(expected), "{what}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn relocations_of_relocatable_output_describe_their_fields() {
    for flags in [&["-O0"][..], &["-O2"], &["-O1", "-g"]] {
        let s = Scratch::new();
        let mut objs = objects(&s, flags);
        objs.push(s.compile_cxx("inl", INLINE_CXX, flags));
        let refs: Vec<&Path> = objs.iter().map(|p| p.as_path()).collect();
        for (name, run) in [("weld", weld as fn(&[String]) -> _), ("wasm-ld", wasm_ld)] {
            std::fs::create_dir_all(s.path(name)).unwrap();
            let out = s.path(name).join("out.o");
            let o = run(&args(&["-r"], &refs, &out));
            assert!(o.status.success(), "{name}: {}", stderr(&o));
            let n = check_relocations_describe_their_fields(&std::fs::read(&out).unwrap());
            assert!(n > 20, "{name} {flags:?}: only {n} relocations");
        }
    }
}

/// The generated programs of `tests/fixtures/generated/` (tables, globals, tags, COMDATs,
/// weak and local symbols, archives): `weld -r` of all of a program's inputs, and of the first
/// half of its objects, has wasm-ld's symbols and relocations, every relocation describes its
/// field, and the final link of either linker's `-r` output with the other inputs, by weld and
/// by wasm-ld, gives the same bytes. (wasm-ld-22 crashes on one program's `-r`: spec/README.md.)
#[test]
fn relocatable_output_of_generated_programs_matches_wasm_ld() {
    let dirs = generated_programs();
    let s = Scratch::new();
    // Programs are independent: check them on a few threads (this test dominates the suite's
    // time, which `cargo xtask mutants` pays for every mutant).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let relocations = std::sync::atomic::AtomicUsize::new(0);
    let wasm_ld_failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(dir) =
                    dirs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(dir.join("args.txt")).unwrap();
                    let (all, options): (Vec<String>, Vec<String>) = text
                        .lines()
                        .map(|l| l.replace("{dir}", &dir.display().to_string()))
                        .partition(|a| a.ends_with(".o") || a.ends_with(".a"));
                    let all: Vec<&Path> = all.iter().map(Path::new).collect();
                    let objects = all
                        .iter()
                        .filter(|p| p.extension().is_some_and(|e| e == "o"));
                    let half = objects.clone().count().div_ceil(2);
                    // Every input in one `-r`; then the first half of the objects, which leaves
                    // references to the rest (tables, globals, tags) undefined and imported.
                    let first_half: Vec<&Path> = objects.copied().take(half).collect();
                    for (split, inputs) in [("all", all.clone()), ("half", first_half)] {
                        let rest: Vec<&Path> = all
                            .iter()
                            .filter(|p| {
                                !inputs.contains(p) || p.extension().is_some_and(|e| e == "a")
                            })
                            .copied()
                            .collect();
                        let name = format!("{name}/{split}");
                        let out = s.path(&name);
                        std::fs::create_dir_all(&out).unwrap();
                        let ours = out.join("weld.o");
                        let theirs = out.join("wasm-ld.o");
                        let o = weld(&args(&["-r", "-O0"], &inputs, &ours));
                        assert!(o.status.success(), "{name}: weld -r: {}", stderr(&o));
                        let ours_bytes = std::fs::read(&ours).unwrap();
                        relocations.fetch_add(
                            check_relocations_describe_their_fields(&ours_bytes),
                            std::sync::atomic::Ordering::Relaxed,
                        );
                        let mut combined = vec![&ours];
                        let o = wasm_ld(&args(&["-r", "-O0"], &inputs, &theirs));
                        if o.status.success() {
                            let theirs_bytes = std::fs::read(&theirs).unwrap();
                            assert_same_meta(
                                &ours_bytes,
                                &theirs_bytes,
                                &retained_segments(&inputs),
                                &name,
                            );
                            combined.push(&theirs);
                        } else {
                            wasm_ld_failed.lock().unwrap().push(name.clone());
                        }
                        for object in combined {
                            let mut outputs = Vec::new();
                            for (linker, run) in
                                [("weld", weld as fn(&[String]) -> _), ("wasm-ld", wasm_ld)]
                            {
                                // The same file name: it is the module name in the `name` section.
                                let dir = out.join(linker);
                                std::fs::create_dir_all(&dir).unwrap();
                                let wasm = dir.join("out.wasm");
                                let opts: Vec<&str> = options.iter().map(String::as_str).collect();
                                // The other inputs, and the archives again for what only the final
                                // link's options pull in.
                                let mut final_inputs = vec![object.as_path()];
                                final_inputs.extend(&rest);
                                let o = run(&args(&opts, &final_inputs, &wasm));
                                assert!(
                                    o.status.success(),
                                    "{name}: {linker} of {}: {}",
                                    object.display(),
                                    stderr(&o)
                                );
                                outputs.push(std::fs::read(&wasm).unwrap());
                            }
                            assert!(
                                outputs[0] == outputs[1],
                                "{name}: weld and wasm-ld link {} differently",
                                object.display()
                            );
                        }
                    }
                }
            });
        }
    });
    let relocations = relocations.into_inner();
    let wasm_ld_failed = wasm_ld_failed.into_inner().unwrap();
    assert!(relocations > 1000, "only {relocations} relocations checked");
    eprintln!("wasm-ld -r failed on {wasm_ld_failed:?}");
}

/// Objects whose data segments have the same name: `-r` combines them into one output
/// segment, so relocations sit in pieces after the first.
/// `weld -r` and `wasm-ld -r -O0` of `inputs` (both must succeed): weld's and wasm-ld's bytes.
fn relocatable_both(s: &Scratch, inputs: &[&Path]) -> (Vec<u8>, Vec<u8>) {
    let mut outs = Vec::new();
    for (dir, run, extra) in [
        ("w", weld as fn(&[String]) -> _, &["-r", "-O0"][..]),
        ("r", wasm_ld, &["-r", "-O0"]),
    ] {
        std::fs::create_dir_all(s.path(dir)).unwrap();
        let out = s.path(dir).join("out.o");
        let o = run(&args(extra, inputs, &out));
        assert!(o.status.success(), "{dir}: {}", stderr(&o));
        outs.push(std::fs::read(&out).unwrap());
    }
    let theirs = outs.pop().unwrap();
    (outs.pop().unwrap(), theirs)
}

#[test]
fn relocatable_output_combines_same_named_segments() {
    let s = Scratch::new();
    let object = |name: &str| {
        s.assemble(
            name,
            &format!(
                ".section .data.shared,\"\",@\n.globl x{name}\nx{name}:\n  .int32 1\n  .size x{name}, 4\n\
                 .globl p{name}\np{name}:\n  .int32 x{name}+4\n  .size p{name}, 4\n"
            ),
            &[],
        )
    };
    let (a, b) = (object("a"), object("b"));
    let refs = [a.as_path(), b.as_path()];
    let (ours, theirs) = relocatable_both(&s, &refs);
    assert_same_meta(&ours, &theirs, &BTreeSet::new(), "same-named segments");
    assert_eq!(meta(&ours).segments.len(), 1, "one .data.shared segment");
    assert_eq!(check_relocations_describe_their_fields(&ours), 2);
}

/// `--emit-relocs` with a `.rodata` that is nothing but one merged, empty string: the string's
/// symbol still names its segment, and every relocation describes its field.
#[test]
fn emit_relocs_with_a_one_byte_string_segment() {
    let s = Scratch::new();
    let obj = s.assemble(
        "empty_string",
        ".section .rodata.str1.1,\"S\",@\n.globl e\ne:\n  .asciz \"\"\n  .size e, 1\n\
         .section .text.f,\"\",@\n.globl f\n.export_name f, f\nf:\n  .functype f () -> (i32)\n\
         i32.const e\n  end_function\n",
        &[],
    );
    for (name, run) in [("weld", weld as fn(&[String]) -> _), ("wasm-ld", wasm_ld)] {
        std::fs::create_dir_all(s.path(name)).unwrap();
        let out = s.path(name).join("out.wasm");
        let o = run(&args(&["--emit-relocs", "--no-entry"], &[&obj], &out));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(check_relocations_describe_their_fields(&bytes), 1, "{name}");
        assert!(meta(&bytes).globals.contains_key("e"), "{name}");
    }
}

/// `--emit-relocs` with merged strings in a segment that is neither first nor alone: the
/// string's symbol names its own output segment, which starts where `.data` ends.
#[test]
fn emit_relocs_places_strings_of_a_later_segment() {
    let s = Scratch::new();
    let mut places = Vec::new();
    let obj = s.assemble(
        "later_strings",
        ".section .data.d,\"\",@\n.globl d\nd:\n  .int8 1\n  .size d, 1\n\
         .section mystr,\"S\",@\n.globl first\nfirst:\n  .asciz \"ab\"\n  .size first, 3\n\
         .section .text.f,\"\",@\n.globl f\n.export_name f, f\nf:\n  .functype f () -> (i32)\n\
         i32.const first\n  i32.const d\n  i32.add\n  end_function\n",
        &[],
    );
    for (name, run) in [("weld", weld as fn(&[String]) -> _), ("wasm-ld", wasm_ld)] {
        std::fs::create_dir_all(s.path(name)).unwrap();
        let out = s.path(name).join("out.wasm");
        let o = run(&args(&["--emit-relocs", "--no-entry"], &[&obj], &out));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(check_relocations_describe_their_fields(&bytes), 2, "{name}");
        assert_eq!(meta(&bytes).segments.len(), 2, "{name}: .data and mystr");
        places.push(data_symbols(&bytes));
    }
    assert_eq!(places[0], places[1]);
    assert_eq!(places[0]["first"], (1, 0), "mystr is segment 1");
}

/// Each defined data symbol's (segment, offset), by name.
fn data_symbols(bytes: &[u8]) -> BTreeMap<String, (u32, u32)> {
    let mut out = BTreeMap::new();
    for p in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CustomSection(c)) = p else {
            continue;
        };
        let KnownCustom::Linking(r) = c.as_known() else {
            continue;
        };
        for sub in r.subsections().flatten() {
            if let Linking::SymbolTable(t) = sub {
                for sym in t.into_iter().flatten() {
                    if let SymbolInfo::Data {
                        name,
                        symbol: Some(d),
                        ..
                    } = sym
                    {
                        out.insert(name.to_string(), (d.index, d.offset));
                    }
                }
            }
        }
    }
    out
}

/// A weak constructor that two objects define and list: a direct link calls it twice (both
/// linkers), so `-r` lists it twice in `WASM_INIT_FUNCS`, as wasm-ld does. (weld listed it once,
/// and a link of its `-r` output ran it once.)
#[test]
fn relocatable_lists_a_shared_constructor_once() {
    let s = Scratch::new();
    // It calls out, so that clang cannot run it at compile time.
    let ctor = "void note(void);\n__attribute__((constructor, weak)) void ctor(void) { note(); }\n";
    let a = s.compile("a", ctor, &[]);
    let b = s.compile("b", &format!("{ctor}int get(void) {{ return 42; }}\n"), &[]);
    let refs = [a.as_path(), b.as_path()];
    let (ours, theirs) = relocatable_both(&s, &refs);
    assert_same_meta(&ours, &theirs, &BTreeSet::new(), "shared constructor");
    assert_eq!(meta(&ours).inits, vec![(65535, "ctor".to_string()); 2]);
}

/// A COMDAT group with a function and a custom section, in two objects: `-r` lists only the
/// kept function and the dropped copy's function, as wasm-ld does, and keeps the kept copy's
/// piece of the custom section.
#[test]
fn relocatable_comdat_groups_list_functions_and_data_only() {
    let s = Scratch::new();
    let object = |n: u32, extra: &str| {
        s.assemble(
            &format!("grp{n}"),
            &format!(
                ".section .text.f,\"G\",@,grp\n.weak f\n.type f,@function\nf:\n\
                 .functype f () -> (i32)\n  i32.const {n}\n  end_function\n\
                 .section .custom_section.mysec,\"G\",@,grp\n.int8 {n}\n{extra}"
            ),
            &[],
        )
    };
    let a = object(
        1,
        ".section .text.g,\"\",@\n.globl g\n.export_name g, g\ng:\n\
         .functype g () -> (i32)\n  call f\n  end_function\n",
    );
    let b = object(2, "");
    let refs = [a.as_path(), b.as_path()];
    let (ours, theirs) = relocatable_both(&s, &refs);
    assert_same_meta(&ours, &theirs, &BTreeSet::new(), "COMDAT custom section");
    assert_eq!(meta(&ours).comdats[0].1.len(), 2, "two copies of f");
}

/// At the default `-O1`, `-r` merges string segments and `.debug_str` as wasm-ld does, and
/// marks no output segment `STRINGS`: the outputs are byte-identical.
#[test]
fn relocatable_output_merges_strings_as_wasm_ld() {
    let s = Scratch::new();
    let a = s.compile(
        "a",
        "const char *msg(int i) { return i ? \"hello world\" : \"bye\"; }\n\
         static int triple(int x) { return x * 3; }\n\
         int (*fp)(int) = triple;\n\
         int main(void) { return msg(1)[0] + fp(2); }\n",
        &["-O1", "-g"],
    );
    let b = s.compile(
        "b",
        "const char *other(int i) { return i ? \"world\" : \"bye\"; }\n",
        &["-O1", "-g"],
    );
    for inputs in [[a.as_path(), b.as_path()], [b.as_path(), a.as_path()]] {
        let mut outs = Vec::new();
        for (dir, run) in [("w", weld as fn(&[String]) -> _), ("r", wasm_ld)] {
            std::fs::create_dir_all(s.path(dir)).unwrap();
            let out = s.path(dir).join("out.o");
            let o = run(&args(&["-r"], &inputs, &out));
            assert!(o.status.success(), "{dir}: {}", stderr(&o));
            outs.push(std::fs::read(&out).unwrap());
        }
        assert!(
            outs[0] == outs[1],
            "weld -r differs from wasm-ld -r for {inputs:?}"
        );
        let segments = meta(&outs[0]).segments;
        assert!(segments.iter().all(|seg| seg.2 & 1 == 0), "{segments:?}");
    }
}
