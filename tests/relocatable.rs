//! `weld -r` and `--emit-relocs` (spec/relocatable.md), compared with wasm-ld-22 on the same
//! inputs: the option errors, and the symbol table, segment info, constructors and relocations
//! of the object each writes. Execution of `-r` output is checked by the differential suite.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::*;
use wasmparser::{KnownCustom, Linking, Parser, Payload, SymbolInfo};

/// What the `linking` and `reloc.*` sections say, by name rather than by index.
#[derive(Debug, Default)]
struct Meta {
    /// Global symbols: name → (kind, flags without `EXPLICIT_NAME`, defined).
    globals: BTreeMap<String, (char, u32, bool)>,
    /// Local function and data symbol names, sorted.
    locals: Vec<String>,
    /// `WASM_INIT_FUNCS`: (priority, symbol name), in order.
    inits: Vec<(u32, String)>,
    /// Per relocated section: sorted (type, target name, addend).
    relocs: BTreeMap<String, Vec<(String, String, i64)>>,
    /// COMDAT group names.
    comdats: Vec<String>,
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
                                    m.locals.push(format!("{kind} {sname}"));
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
                        Linking::ComdatInfo(c) => {
                            for c in c {
                                m.comdats.push(c.unwrap().name.to_string());
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
        let objs = objects(&s, flags);
        let refs: Vec<&Path> = objs.iter().map(|p| p.as_path()).collect();
        std::fs::create_dir_all(s.path("w")).unwrap();
        std::fs::create_dir_all(s.path("r")).unwrap();
        let ours = s.path("w/out.o");
        let theirs = s.path("r/out.o");
        let o = weld(&args(&["-r"], &refs, &ours));
        assert!(o.status.success(), "weld -r: {}", stderr(&o));
        let o = wasm_ld(&args(&["-r"], &refs, &theirs));
        assert!(o.status.success(), "wasm-ld -r: {}", stderr(&o));
        let ours = meta(&std::fs::read(&ours).unwrap());
        let theirs = meta(&std::fs::read(&theirs).unwrap());
        assert_eq!(ours.globals, theirs.globals, "global symbols, {flags:?}");
        assert_eq!(ours.locals, theirs.locals, "local symbols, {flags:?}");
        assert_eq!(ours.inits, theirs.inits, "init funcs, {flags:?}");
        for section in ["CODE", "DATA"] {
            assert_same(
                &ours.relocs[section],
                &theirs.relocs[section],
                &format!("reloc.{section}, {flags:?}"),
            );
        }
        // Debug sections: the same relocations; addends into `.debug_str` differ because
        // wasm-ld merges its strings at -r and weld does not (spec/relocatable.md).
        let no_str_addends = |m: &Meta| -> BTreeMap<String, Vec<(String, String, i64)>> {
            m.relocs
                .iter()
                .filter(|(k, _)| k.starts_with(".debug"))
                .map(|(k, v)| {
                    let mut v: Vec<_> = v
                        .iter()
                        .map(|(t, n, a)| {
                            (t.clone(), n.clone(), if n == ".debug_str" { 0 } else { *a })
                        })
                        .collect();
                    v.sort();
                    (k.clone(), v)
                })
                .collect()
        };
        assert_eq!(no_str_addends(&ours), no_str_addends(&theirs), "{flags:?}");
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
        outs.push(meta(&std::fs::read(&out).unwrap()));
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
