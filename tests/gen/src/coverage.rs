//! Coverage: which spec entries and link situations a set of programs exercises.
//!
//! The entries are read from weld's specification: the relocation table of
//! `spec/relocations.md`, the kind and flag tables of `spec/symbols.md`, and the subsection and
//! segment-flag tables of `spec/linking.md`. Link situations (archive extraction, weak resolution, gc …)
//! are this crate's own list, [`SITUATIONS`]. Entries out of scope are in [`EXCLUDED`].

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::encode::encode;
use crate::generate::GenConfig;
use crate::model::*;
use crate::oracle::{Chunk, Expect, FieldValue, Oracle};

/// Spec entries the generator deliberately never produces, with the reason.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "dylink subsection 3",
        "WASM_DYLINK_EXPORT_INFO: only exported thread-local symbols have it, and PIC programs have no TLS (generate::pic_eligible); tests/shared_libraries.rs checks it",
    ),
    (
        "dylink subsection 5",
        "WASM_DYLINK_RUNTIME_PATH: wasm-ld-22 never writes it (--rpath is accepted and ignored), nor does weld",
    ),
];

/// Entries the generator leaves out under `cfg` because they hit a known bug (weld's or
/// wasm-ld-22's; `tests/known_bugs.rs` demonstrates each), besides [`EXCLUDED`].
pub fn excluded_by(cfg: &GenConfig) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if !cfg.absolute_symbols {
        out.push((
            "symbol flag 0x200",
            "wasm-ld-22 resolves ABSOLUTE data symbols relative to segment 0 (GenConfig::absolute_symbols)",
        ));
    }
    if !cfg.defined_globals {
        out.push((
            "gc dropped a global",
            "object-defined globals are off (GenConfig::defined_globals)",
        ));
    }
    out
}

/// Link situations the oracle recognises.
pub const SITUATIONS: &[&str] = &[
    "archive member extracted",
    "archive member not extracted",
    "archive member extracted but not live (its constructors do not run)",
    "constructor of an archive member ran",
    "archive member extracted by --export",
    "weak definition overridden by a strong one",
    "first of several weak definitions kept",
    "weak undefined function left undefined",
    "weak undefined data left undefined",
    "weak reference resolved to a definition",
    "COMDAT duplicate dropped",
    "gc dropped a function",
    "gc dropped data",
    "gc dropped a global",
    "NO_STRIP kept a definition",
    "local NO_STRIP is no gc root",
    "RETAIN kept a segment",
    "init functions with different priorities",
    "init functions with equal priorities (load order)",
    "--export",
    "--export-dynamic",
    "EXPORTED flag",
    "host function imported",
    "host global imported",
    "weak reference to an explicit import stays null",
    "check function expected to trap",
    "same string in two objects (merged)",
    "tombstone -1 in .debug_*",
    "tombstone -2 in .debug_ranges",
    "dead target in a non-debug custom section (addend)",
    "tag link (throw checked structurally)",
    "thread-local data read through __tls_base",
    "thread-local .tbss read through __tls_base",
    "--shared-memory link (passive segments, __wasm_init_memory)",
    "--shared-memory link with thread-local data (__tls_base set by __wasm_init_memory)",
    "__memory_base-relative load outside PIC (GOT global)",
    "__table_base-relative call_indirect outside PIC (GOT global)",
    "wasm64 program (-m wasm64: 64-bit memory, table and addresses)",
    "wasm64 program with thread-local data",
    "wasm64 program linked with --shared-memory",
    "GOT entry of a thread-local symbol (global.get sym@GOT@TLS)",
    "PIC program linked -pie and run through a loader",
    "-pie: data address from the module's own GOT (GOT.data.internal, __wasm_apply_global_relocs)",
    "-pie: table slot from the module's own GOT (GOT.func.internal)",
    "-pie: weak undefined symbol through a GOT import (reads 0)",
    "-pie: weak undefined function called through an import (traps)",
    "-pie: addresses stored in data written by __wasm_apply_data_relocs",
    "PIC program split into a -pie main module and a -shared library it needs",
    "split: the library uses a name the main module defines",
    "split: the main module uses a name the library defines",
    "split: the library has constructors (a loader runs them first)",
];

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec")
}

/// Rows of the markdown tables in `file` whose first cell is a number (decimal or `0x` hex):
/// `(first cell, second cell)`.
fn table_rows(file: &str) -> Vec<(String, String)> {
    let path = spec_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .strip_prefix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            let first = *cells.first()?;
            let numeric = first.starts_with("0x")
                || (!first.is_empty() && first.chars().all(|c| c.is_ascii_digit()));
            (numeric && cells.len() >= 2).then(|| (first.to_string(), cells[1].to_string()))
        })
        .collect()
}

/// Every spec entry as `(key, description)`: `reloc N`, `symbol kind N`, `symbol flag 0xN`,
/// `subsection N`, `segment flag 0xN`.
pub fn spec_entries() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (n, name) in table_rows("relocations.md") {
        out.push((format!("reloc {n}"), name));
    }
    for (n, name) in table_rows("symbols.md") {
        if n.starts_with("0x") {
            out.push((format!("symbol flag {n}"), name));
        } else {
            out.push((format!("symbol kind {n}"), name));
        }
    }
    for (n, name) in table_rows("dynamic.md") {
        out.push((format!("dylink subsection {n}"), name));
    }
    for (n, name) in table_rows("linking.md") {
        if n.starts_with("0x") {
            out.push((format!("segment flag {n}"), name));
        } else {
            out.push((format!("subsection {n}"), name));
        }
    }
    out
}

/// Counts of entries and situations over a set of programs.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    /// Count by key (spec entry key or situation name).
    pub counts: BTreeMap<String, usize>,
    /// Programs added.
    pub programs: usize,
    /// The generator configuration the programs came from (decides what is excluded).
    pub config: GenConfig,
}

impl Coverage {
    fn hit(&mut self, key: &str) {
        *self.counts.entry(key.to_string()).or_default() += 1;
    }

    /// Records what `p` exercises.
    pub fn add(&mut self, p: &Program) {
        self.programs += 1;
        let enc = encode(p);
        for (&t, &n) in &enc.stats.relocs {
            *self.counts.entry(format!("reloc {t}")).or_default() += n;
        }
        for (&k, &n) in &enc.stats.symbol_kinds {
            *self.counts.entry(format!("symbol kind {k}")).or_default() += n;
        }
        for (&f, &n) in &enc.stats.symbol_flags {
            *self
                .counts
                .entry(format!("symbol flag {f:#x}"))
                .or_default() += n;
        }
        for (&s, &n) in &enc.stats.subsections {
            *self.counts.entry(format!("subsection {s}")).or_default() += n;
        }
        for (&f, &n) in &enc.stats.segment_flags {
            *self
                .counts
                .entry(format!("segment flag {f:#x}"))
                .or_default() += n;
        }
        for s in situations(p) {
            self.hit(s);
        }
        // A `-pie` link writes `dylink.0`: memory info always, import info for weak imports.
        if p.pic {
            self.hit("dylink subsection 1");
            let weak_import = situations(p)
                .iter()
                .any(|s| *s == SITUATIONS[44] || *s == SITUATIONS[45]);
            if weak_import {
                self.hit("dylink subsection 4");
            }
            // Split, the main module names the library it needs.
            if !Oracle::new(p).side_module_objects(p).is_empty() {
                self.hit("dylink subsection 2");
            }
        }
    }

    /// The table: `(key, description, count, excluded reason)` for every spec entry, then every
    /// situation.
    pub fn table(&self) -> Vec<(String, String, usize, Option<&'static str>)> {
        let mut out = Vec::new();
        let mut excluded_list = EXCLUDED.to_vec();
        excluded_list.extend(excluded_by(&self.config));
        let excluded_of = |key: &str| {
            excluded_list
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, r)| *r)
        };
        for (key, desc) in spec_entries() {
            let excluded = excluded_of(&key);
            let n = self.counts.get(&key).copied().unwrap_or(0);
            out.push((key, desc, n, excluded));
        }
        for s in SITUATIONS {
            let n = self.counts.get(*s).copied().unwrap_or(0);
            out.push((s.to_string(), String::new(), n, excluded_of(s)));
        }
        out
    }

    /// In-scope entries never produced.
    pub fn missing(&self) -> Vec<String> {
        self.table()
            .into_iter()
            .filter(|(_, _, n, ex)| *n == 0 && ex.is_none())
            .map(|(k, d, _, _)| format!("{k} {d}"))
            .collect()
    }

    /// The table as text.
    pub fn render(&self) -> String {
        let mut s = format!("coverage over {} programs\n", self.programs);
        for (key, desc, n, ex) in self.table() {
            let note = ex.map(|r| format!("  (excluded: {r})")).unwrap_or_default();
            s.push_str(&format!("{n:>7}  {key} {desc}{note}\n"));
        }
        s
    }
}

/// The link situations `p` exercises (names from [`SITUATIONS`]).
pub fn situations(p: &Program) -> Vec<&'static str> {
    let or = Oracle::new(p);
    let mut out = Vec::new();
    let mut add = |cond: bool, s: &'static str| {
        if cond {
            out.push(s);
        }
    };
    let members: Vec<usize> = (0..p.objects.len())
        .filter(|&i| p.objects[i].in_archive)
        .collect();
    add(members.iter().any(|&i| or.loaded[i]), SITUATIONS[0]);
    add(members.iter().any(|&i| !or.loaded[i]), SITUATIONS[1]);
    add(
        members
            .iter()
            .any(|&i| or.loaded[i] && !or.live_obj[i] && !p.objects[i].ctors.is_empty()),
        SITUATIONS[2],
    );
    add(
        or.ctor_order
            .iter()
            .any(|(o, _, _)| p.objects[o.idx()].in_archive),
        SITUATIONS[3],
    );
    add(
        p.cli_exports.iter().any(|s| {
            or.target(*s)
                .is_some_and(|(o, _)| p.objects[o.idx()].in_archive)
        }),
        SITUATIONS[4],
    );
    // Weak resolution, over loaded definitions.
    let mut defs: HashMap<Sym, Vec<Binding>> = HashMap::new();
    for (i, o) in p.objects.iter().enumerate() {
        if or.loaded[i] && o.comdats.is_empty() {
            for (s, b) in o.definitions() {
                defs.entry(s).or_default().push(b);
            }
        }
    }
    add(
        defs.values()
            .any(|v| v.iter().any(|b| b.weak) && v.iter().any(|b| !b.weak && !b.local)),
        SITUATIONS[5],
    );
    add(
        defs.values()
            .any(|v| v.len() > 1 && v.iter().all(|b| b.weak)),
        SITUATIONS[6],
    );
    let weak_refs: Vec<Sym> = p
        .objects
        .iter()
        .enumerate()
        .filter(|(i, _)| or.loaded[*i])
        .flat_map(|(_, o)| o.weak_refs.iter().copied())
        .collect();
    let is_host = |s: Sym| matches!(s, Sym::Func(f) if matches!(p.funcs[f.idx()].role, FuncRole::Host { .. }));
    add(
        weak_refs
            .iter()
            .any(|&s| matches!(s, Sym::Func(_)) && !is_host(s) && or.target(s).is_none()),
        SITUATIONS[7],
    );
    add(
        weak_refs
            .iter()
            .any(|&s| matches!(s, Sym::Data(_)) && or.target(s).is_none()),
        SITUATIONS[8],
    );
    add(
        weak_refs.iter().any(|&s| or.target(s).is_some()),
        SITUATIONS[9],
    );
    add(!or.comdat_dropped.is_empty(), SITUATIONS[10]);
    // gc.
    let mut dead_func = false;
    let mut dead_seg = false;
    let mut dead_global = false;
    let mut no_strip = false;
    let mut local_no_strip = false;
    let mut retained = false;
    for (i, o) in p.objects.iter().enumerate() {
        if !or.loaded[i] {
            continue;
        }
        let oid = ObjId(i as u32);
        for (fi, f) in o.funcs.iter().enumerate() {
            let live = or.live.contains(&Chunk::Func(oid, fi));
            dead_func |= !live && or.target(Sym::Func(f.func)).is_some();
            no_strip |= live && f.binding.no_strip && !f.binding.local;
            local_no_strip |= !live && f.binding.no_strip && f.binding.local;
        }
        for (si, s) in o.segments.iter().enumerate() {
            let live = or.live.contains(&Chunk::Segment(oid, si));
            dead_seg |= !live;
            retained |= live && s.retain;
            for d in &s.symbols {
                no_strip |= live && d.binding.no_strip && !d.binding.local;
                local_no_strip |= !live && d.binding.no_strip && d.binding.local;
            }
        }
        for (gi, _) in o.globals.iter().enumerate() {
            dead_global |= !or.live.contains(&Chunk::Global(oid, gi));
        }
    }
    add(dead_func, SITUATIONS[11]);
    add(dead_seg, SITUATIONS[12]);
    add(dead_global, SITUATIONS[13]);
    add(no_strip, SITUATIONS[14]);
    add(local_no_strip, SITUATIONS[15]);
    add(retained, SITUATIONS[16]);
    let mut prios: Vec<u32> = or.ctor_order.iter().map(|c| c.2).collect();
    let n = prios.len();
    prios.dedup();
    add(prios.len() > 1, SITUATIONS[17]);
    add(prios.len() < n, SITUATIONS[18]);
    add(!p.cli_exports.is_empty(), SITUATIONS[19]);
    add(p.export_dynamic, SITUATIONS[20]);
    add(
        or.expects
            .iter()
            .any(|e| matches!(e, Expect::Export { present: true, .. }))
            && p.objects
                .iter()
                .any(|o| o.definitions().iter().any(|(_, b)| b.exported)),
        SITUATIONS[21],
    );
    add(
        or.imported.iter().any(|s| matches!(s, Sym::Func(_))),
        SITUATIONS[22],
    );
    add(
        or.imported.iter().any(|s| matches!(s, Sym::Global(_))),
        SITUATIONS[23],
    );
    add(
        weak_refs
            .iter()
            .any(|&s| is_host(s) && !or.imported.contains(&s)),
        SITUATIONS[24],
    );
    add(
        or.checks
            .iter()
            .any(|(_, o)| *o == crate::oracle::Outcome::Trap),
        SITUATIONS[25],
    );
    let mut strings: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    for (i, o) in p.objects.iter().enumerate() {
        for s in o.segments.iter().filter(|s| s.strings) {
            for d in &s.symbols {
                let size = p.datas[d.data.idx()].size as usize;
                let at = d.offset as usize;
                strings
                    .entry(s.bytes[at..at + size].to_vec())
                    .or_default()
                    .push(i);
            }
        }
    }
    add(
        strings.values().any(|v| {
            let mut v = v.clone();
            v.dedup();
            v.len() > 1
        }),
        SITUATIONS[26],
    );
    let customs = || {
        or.expects.iter().filter_map(|e| match e {
            Expect::Custom { section, value, .. } => Some((section.as_str(), value)),
            _ => None,
        })
    };
    add(
        customs().any(|(s, v)| {
            s.starts_with(".debug_") && *v == FieldValue::Exact(0xffff_ffff)
                || *v == FieldValue::Exact(u64::MAX)
        }),
        SITUATIONS[27],
    );
    add(
        customs().any(|(s, v)| {
            s == ".debug_ranges"
                && matches!(v, FieldValue::Exact(x) if *x == 0xffff_fffe || *x == -2i64 as u64)
        }),
        SITUATIONS[28],
    );
    add(
        p.objects.iter().enumerate().any(|(i, o)| {
            let oid = ObjId(i as u32);
            o.customs.iter().filter(|c| !c.name.starts_with(".debug")).any(|c| {
                c.fields.iter().any(|f| match *f {
                    CustomField::FuncOffset { func, .. } | CustomField::FuncIndex { func } => {
                        matches!(or.target(Sym::Func(func)), Some((o2, crate::oracle::Loc::Func(fi))) if !or.live.contains(&Chunk::Func(o2, fi)))
                    }
                    _ => false,
                })
            }) && or.loaded[oid.idx()]
        }),
        SITUATIONS[29],
    );
    add(!or.throws.is_empty(), SITUATIONS[30]);
    let tls_read = |bss: bool| {
        p.objects.iter().any(|o| {
            o.funcs.iter().any(|f| match &f.body {
                Body::Value { probes, .. } => probes.iter().any(|pr| match *pr {
                    Probe::Load {
                        data,
                        via: AddrVia::Tls | AddrVia::Tls64,
                        ..
                    } => {
                        let zero = or
                            .content(p, data)
                            .is_some_and(|c| c.iter().all(|&b| b == 0));
                        or.target(Sym::Data(data)).is_some() && zero == bss
                    }
                    _ => false,
                }),
                _ => false,
            })
        })
    };
    let tls = tls_read(false);
    add(tls, SITUATIONS[31]);
    add(tls_read(true), SITUATIONS[32]);
    add(p.shared_memory, SITUATIONS[33]);
    add(p.shared_memory && (tls || tls_read(true)), SITUATIONS[34]);
    let any_probe = |f: &dyn Fn(&Probe) -> bool| {
        p.objects.iter().any(|o| {
            o.funcs.iter().any(|d| match &d.body {
                Body::Value { probes, .. } => probes.iter().any(f),
                _ => false,
            })
        })
    };
    add(
        any_probe(&|pr| {
            matches!(
                pr,
                Probe::Load {
                    via: AddrVia::MemRel | AddrVia::MemRel64,
                    ..
                }
            )
        }),
        SITUATIONS[35],
    );
    add(
        any_probe(&|pr| matches!(pr, Probe::CallIndirect { rel: true, .. })),
        SITUATIONS[36],
    );
    add(p.wasm64, SITUATIONS[37]);
    add(p.wasm64 && (tls || tls_read(true)), SITUATIONS[38]);
    add(p.wasm64 && p.shared_memory, SITUATIONS[39]);
    add(
        !p.shared_memory
            && any_probe(&|pr| {
                matches!(
                    pr,
                    Probe::Load {
                        via: AddrVia::TlsGot,
                        ..
                    }
                )
            }),
        SITUATIONS[40],
    );
    // Position-independent programs, linked `-pie` too.
    let defined = |s: Sym| or.target(s).is_some();
    let own_data = |pr: &Probe| match *pr {
        Probe::Load {
            data,
            via: AddrVia::MemArg | AddrVia::MemArg64 | AddrVia::Const | AddrVia::Const64,
            ..
        }
        | Probe::DataIsNull { data } => defined(Sym::Data(data)),
        Probe::LoadPtr { .. } | Probe::CallPtr { .. } | Probe::CtorLog { .. } => true,
        _ => false,
    };
    let own_slot = |pr: &Probe| match *pr {
        Probe::FuncIsNull { func }
        | Probe::CallIndirect {
            func, rel: false, ..
        } => defined(Sym::Func(func)),
        _ => false,
    };
    let weak_got = |pr: &Probe| match *pr {
        Probe::Load {
            data,
            via: AddrVia::Const | AddrVia::Const64,
            ..
        }
        | Probe::DataIsNull { data } => !defined(Sym::Data(data)),
        Probe::FuncIsNull { func }
        | Probe::CallIndirect {
            func, rel: false, ..
        } => !defined(Sym::Func(func)) && !is_host(Sym::Func(func)),
        _ => false,
    };
    let weak_call = |pr: &Probe| match *pr {
        Probe::Call { func, .. } => !defined(Sym::Func(func)) && !is_host(Sym::Func(func)),
        _ => false,
    };
    let stored_addresses = p.objects.iter().enumerate().any(|(i, o)| {
        o.segments.iter().enumerate().any(|(si, s)| {
            or.live.contains(&Chunk::Segment(ObjId(i as u32), si)) && !s.relocs.is_empty()
        })
    });
    add(p.pic, SITUATIONS[41]);
    add(p.pic && any_probe(&own_data), SITUATIONS[42]);
    add(p.pic && any_probe(&own_slot), SITUATIONS[43]);
    add(p.pic && any_probe(&weak_got), SITUATIONS[44]);
    add(p.pic && any_probe(&weak_call), SITUATIONS[45]);
    add(p.pic && stored_addresses, SITUATIONS[46]);
    // Split into modules: names used across the split, each way.
    let moved = or.side_module_objects(p);
    let in_lib = |i: usize| moved.contains(&ObjId(i as u32));
    let across = |from_lib: bool| {
        p.objects.iter().enumerate().any(|(i, o)| {
            !o.in_archive
                && in_lib(i) == from_lib
                && o.references(p).iter().any(|&s| {
                    !o.defines(s)
                        && p.objects.iter().enumerate().any(|(j, d)| {
                            !d.in_archive
                                && in_lib(j) != from_lib
                                && d.definitions().iter().any(|&(ds, b)| ds == s && !b.local)
                        })
                })
        })
    };
    add(!moved.is_empty(), SITUATIONS[47]);
    add(!moved.is_empty() && across(true), SITUATIONS[48]);
    add(!moved.is_empty() && across(false), SITUATIONS[49]);
    add(
        moved.iter().any(|o| !p.objects[o.idx()].ctors.is_empty()),
        SITUATIONS[50],
    );
    out
}
