//! A synthetic large link input for benchmarks and `verify --long`: generated C with many
//! functions, pointer-laden data tables, cross-file calls and data references, weak
//! definitions, and a `main` that walks all of it and prints a checksum, so the linked
//! program's behaviour is compared like any other differential case.
//!
//! The input comes in scales: scale `n` is `n` blocks of [`BLOCK`] units (about 26 MB of
//! objects per block) and a `main` for those blocks. A unit's calls and data references stay
//! inside its own block, so a unit's source does not depend on the scale and the scales share
//! their objects: scale 8 compiles 8,000 units once, and scales 1, 2 and 4 link prefixes of
//! them. Scale 2 (about 2,000 objects, 50 MB) is "the large input".
//!
//! Sources and objects are cached under `target/bench-input/large/`, keyed on a stamp of the
//! generator parameters and the compiler version.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::differential::{self, CommandLog};
use crate::run::{End, Entry, RunSpec, Runner};
use crate::toolchain::{self, Compiler, LinkSpec};
use crate::util::{self, run_captured, show};

/// Bump when the generated code changes, to invalidate the cache.
const GENERATOR_VERSION: u32 = 2;
/// Units per block; a unit's peers are in its own block.
pub const BLOCK: usize = 1000;
/// The scale of "the large input" (`bench --large`, `verify --long`).
pub const LARGE_SCALE: usize = 2;
/// Functions per file; tuned so that a block of objects is about 26 MB.
const FUNCS: usize = 30;
/// With debug info: real objects usually carry it, and it dominates their size.
pub const OPT: &[&str] = &["-O1", "-g"];

/// A generated input: objects in link order (main first).
pub struct Large {
    pub objects: Vec<PathBuf>,
    /// Total size of the objects, in bytes.
    pub bytes: u64,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let scale = match args {
        [] => LARGE_SCALE,
        [flag, n] if flag == "--scale" => n
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("--scale takes a positive number, got {n:?}"))?,
        _ => return Err(format!("usage: gen-large [--scale N], got {args:?}")),
    };
    let large = ensure(scale)?;
    println!(
        "gen-large: {} objects, {:.1} MB, in {}",
        large.objects.len(),
        large.bytes as f64 / 1e6,
        dir().display()
    );
    Ok(())
}

fn dir() -> PathBuf {
    util::repo_root().join("target/bench-input/large")
}

/// The large input at scale 2 (about 2,000 objects, 50 MB).
pub fn ensure_large() -> Result<Large, String> {
    ensure(LARGE_SCALE)
}

/// Generates and compiles scale `scale` of the input, reusing whatever is cached and current.
pub fn ensure(scale: usize) -> Result<Large, String> {
    let dir = dir();
    let src_dir = dir.join("src");
    let obj_dir = dir.join("obj");
    let clang = Compiler::Clang22;
    let version = run_captured(Command::new(clang.clang()).arg("--version"))?;
    let stamp = format!(
        "generator {GENERATOR_VERSION}, blocks of {BLOCK} files x {FUNCS} functions, {}\n{}",
        OPT.join(" "),
        String::from_utf8_lossy(&version.stdout)
    );
    let stamp_path = dir.join("stamp");
    if std::fs::read_to_string(&stamp_path).is_ok_and(|s| s != stamp) || !stamp_path.is_file() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    for d in [&src_dir, &obj_dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    std::fs::write(&stamp_path, &stamp)
        .map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
    let units = scale * BLOCK;
    let names: Vec<String> = std::iter::once(format!("main-{scale}x"))
        .chain((0..units).map(|i| format!("unit{i:04}")))
        .collect();
    let objects: Vec<PathBuf> = names
        .iter()
        .map(|n| obj_dir.join(format!("{n}.o")))
        .collect();
    // An object is written under a temporary name and renamed, so one that exists is whole.
    let missing: Vec<usize> = (0..names.len())
        .filter(|&i| !objects[i].is_file())
        .collect();
    if !missing.is_empty() {
        let start = Instant::now();
        std::fs::write(src_dir.join("synth.h"), header())
            .map_err(|e| format!("cannot write synth.h: {e}"))?;
        println!(
            "gen-large: compiling {} of {} sources with {} {} on {} threads",
            missing.len(),
            names.len(),
            clang.name(),
            OPT.join(" "),
            util::workers()
        );
        let next = AtomicUsize::new(0);
        let error = Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..util::workers() {
                s.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= missing.len() || error.lock().unwrap().is_some() {
                            break;
                        }
                        let i = missing[k];
                        if let Err(e) = compile(clang, &src_dir, &names[i], &objects[i], scale) {
                            *error.lock().unwrap() = Some(e);
                        }
                        if k.is_multiple_of(500) && k > 0 {
                            println!("gen-large: {k}/{}", missing.len());
                        }
                    }
                });
            }
        });
        if let Some(e) = error.into_inner().unwrap() {
            return Err(e);
        }
        println!("gen-large: done in {}", util::secs(start.elapsed()));
    }
    let bytes = objects
        .iter()
        .filter_map(|o| std::fs::metadata(o).ok())
        .map(|m| m.len())
        .sum();
    Ok(Large { objects, bytes })
}

/// Writes and compiles one source: `main-Nx` or `unitNNNN`.
fn compile(
    clang: Compiler,
    src_dir: &Path,
    name: &str,
    obj: &Path,
    scale: usize,
) -> Result<(), String> {
    let text = match name.strip_prefix("unit") {
        Some(i) => unit_source(i.parse().map_err(|_| format!("bad unit name {name}"))?),
        None => main_source(scale * BLOCK),
    };
    let src = src_dir.join(format!("{name}.c"));
    std::fs::write(&src, text).map_err(|e| format!("cannot write {}: {e}", src.display()))?;
    let tmp = obj.with_extension("o.tmp");
    let mut cmd = toolchain::compile_cmd(
        clang,
        toolchain::Lang::C,
        OPT,
        &[],
        (&src, &tmp),
        toolchain::Target::Wasi,
    );
    run_captured(&mut cmd)?;
    std::fs::rename(&tmp, obj).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))
}

/// The link arguments for a generated input, as clang's driver would pass them.
pub fn link_args(large: &Large, out: &Path) -> Vec<std::ffi::OsString> {
    toolchain::link_args(&LinkSpec {
        compiler: Compiler::Clang22,
        ldflags: &[],
        reactor: false,
        objects: &large.objects,
        archives: &[],
        libs: &[],
        cxx: false,
        out,
        threads: None,
        wasm64: false,
    })
}

/// Links the large input with both linkers, runs both and compares (for
/// `verify --long`).
pub fn differential() -> Result<(), String> {
    let large = ensure_large()?;
    let dir = util::repo_root().join("target/differential/synthetic-large");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (ref_out, weld_out) = differential::output_paths(&dir)?;
    let mut ref_cmd = Command::new(toolchain::WASM_LD);
    ref_cmd.args(link_args(&large, &ref_out));
    let mut weld_cmd = Command::new(toolchain::weld_path());
    weld_cmd.args(link_args(&large, &weld_out));
    {
        let mut log = CommandLog::new(&dir);
        log.note(&ref_cmd);
        log.note(&weld_cmd);
    }
    run_captured(&mut ref_cmd).map_err(|e| format!("  reference link failed: {e}"))?;
    run_captured(&mut weld_cmd)
        .map_err(|e| format!("  weld failed to link while wasm-ld succeeded: {e}"))?;
    let read =
        |p: &Path| std::fs::read(p).map_err(|e| format!("  cannot read {}: {e}", p.display()));
    let (ref_bytes, weld_bytes) = (read(&ref_out)?, read(&weld_out)?);
    differential::validate(&ref_bytes)
        .map_err(|e| format!("  wasm-ld's output does not validate: {e}"))?;
    differential::validate(&weld_bytes)
        .map_err(|e| format!("  weld's output does not validate: {e}"))?;
    let runner = Runner::new()?;
    let spec = RunSpec {
        argv0: "synthetic-large".into(),
        args: Vec::new(),
        env: Vec::new(),
        stdin: Vec::new(),
        preopens: Vec::new(),
        entry: Entry::Command,
        calls: Vec::new(),
        timeout: std::time::Duration::from_secs(120),
    };
    let reference = runner.run(&ref_bytes, &spec);
    let _ = std::fs::write(dir.join("wasm-ld.stdout"), &reference.stdout);
    if !matches!(reference.end, End::Exit(0)) {
        return Err(format!("  the reference run failed: {}", reference.end));
    }
    let ours = if ref_bytes == weld_bytes {
        reference.clone()
    } else {
        runner.run(&weld_bytes, &spec)
    };
    let diff = ours.diff(&reference);
    if diff.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{diff}  linked by: {}\n  work dir: {}",
            show(&weld_cmd),
            dir.display()
        ))
    }
}

/// Deterministic xorshift so the generated program never changes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn header() -> String {
    String::from(
        "/* Generated by `cargo xtask gen-large`. */\n\
         typedef unsigned (*synth_fn)(unsigned);\n\
         struct synth_rec { const char *name; synth_fn fn; const int *data; unsigned weight; };\n\
         static inline unsigned synth_mix(unsigned x, unsigned k) {\n\
         \x20 x ^= k; x *= 0x9e3779b1u; x ^= x >> 15; return x;\n}\n",
    )
}

/// One generated translation unit: `FUNCS` functions, a function-pointer
/// table, a record table pointing at strings, functions and other units'
/// data, and calls into other units.
fn unit_source(i: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let mut s = String::with_capacity(16 << 10);
    let _ = writeln!(s, "/* Generated by `cargo xtask gen-large`; unit {i}. */");
    s.push_str("#include \"synth.h\"\n\n");
    // Data other units point into.
    let _ = write!(s, "int synth_data_{i}[32] = {{");
    for k in 0..32 {
        let _ = write!(s, "{}{}", if k > 0 { ", " } else { "" }, rng.below(1000));
    }
    s.push_str("};\n");
    // Leaf functions of other units this one calls, and their data.
    let block = i / BLOCK * BLOCK;
    let peers: Vec<usize> = (0..4)
        .map(|_| block + rng.below(BLOCK))
        .filter(|&p| p != i)
        .collect();
    for &p in &peers {
        let _ = writeln!(
            s,
            "unsigned synth_leaf_{p}_0(unsigned);\nextern int synth_data_{p}[32];"
        );
    }
    // A weak definition shared by every tenth unit: the first one linked wins.
    if i.is_multiple_of(10) {
        let _ = writeln!(
            s,
            "__attribute__((weak)) unsigned synth_weak(unsigned x) {{ return x + {i}u; }}"
        );
    } else {
        s.push_str("unsigned synth_weak(unsigned);\n");
    }
    for k in 0..FUNCS {
        let (a, b, c) = (rng.next() as u32, rng.below(31) + 1, rng.below(7) + 2);
        let linkage = if k % 3 == 2 { "static " } else { "" };
        let _ = writeln!(
            s,
            "{linkage}unsigned synth_leaf_{i}_{k}(unsigned x) {{\n\
             \x20 unsigned acc = synth_mix(x, {a}u);\n\
             \x20 for (unsigned j = 0; j < {c}u; j++) acc = (acc << {b}) | (acc >> (32 - {b}));\n\
             \x20 acc += (unsigned)synth_data_{i}[(x + {k}u) & 31];\n\
             \x20 switch (acc % 5u) {{\n\
             \x20 case 0: return acc ^ {a}u;\n\
             \x20 case 1: return acc + {k}u;\n\
             \x20 case 2: return acc * {c}u;\n\
             \x20 case 3: return acc - {b}u;\n\
             \x20 default: return acc;\n\
             \x20 }}\n}}"
        );
    }
    let _ = write!(s, "static const synth_fn synth_table_{i}[{FUNCS}] = {{");
    for k in 0..FUNCS {
        let _ = write!(s, "{}synth_leaf_{i}_{k}", if k > 0 { ", " } else { "" });
    }
    s.push_str("};\n");
    let _ = writeln!(s, "static const struct synth_rec synth_recs_{i}[] = {{");
    for (n, &p) in peers.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {{ \"unit {i} peer {n} -> {p}\", synth_leaf_{p}_0, &synth_data_{p}[{}], {}u }},",
            rng.below(32),
            rng.below(100)
        );
    }
    let _ = writeln!(
        s,
        "  {{ \"unit {i} self\", synth_leaf_{i}_1, synth_data_{i} + 5, 7u }},\n}};"
    );
    let _ = writeln!(
        s,
        "unsigned synth_entry_{i}(unsigned x) {{\n\
         \x20 unsigned acc = x;\n\
         \x20 for (unsigned k = 0; k < {FUNCS}u; k++) acc = synth_table_{i}[k](acc ^ k);\n\
         \x20 for (unsigned k = 0; k < sizeof synth_recs_{i} / sizeof synth_recs_{i}[0]; k++) {{\n\
         \x20   const struct synth_rec *r = &synth_recs_{i}[k];\n\
         \x20   acc = synth_mix(acc + r->fn(acc) + (unsigned)*r->data + r->weight, (unsigned)r->name[0]);\n\
         \x20 }}\n\
         \x20 return synth_weak(acc);\n}}"
    );
    s
}

fn main_source(units: usize) -> String {
    let mut s = String::from(
        "/* Generated by `cargo xtask gen-large`. */\n#include <stdio.h>\n#include \"synth.h\"\n",
    );
    for i in 0..units {
        let _ = writeln!(s, "unsigned synth_entry_{i}(unsigned);");
    }
    let _ = writeln!(s, "static const synth_fn entries[{units}] = {{");
    for i in 0..units {
        let _ = writeln!(s, "  synth_entry_{i},");
    }
    s.push_str(
        "};\nint main(void) {\n\
         \x20 unsigned acc = 1;\n\
         \x20 for (unsigned i = 0; i < sizeof entries / sizeof entries[0]; i++) {\n\
         \x20   acc = entries[i](acc);\n\
         \x20   if (i % 500 == 499) printf(\"after %u units: %08x\\n\", i + 1, acc);\n\
         \x20 }\n\
         \x20 printf(\"checksum %08x\\n\", acc);\n\
         \x20 return 0;\n}\n",
    );
    s
}
