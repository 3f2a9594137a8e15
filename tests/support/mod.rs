//! Shared helpers for weld's integration tests: compile small C sources with the reference
//! compiler and run the `weld` and `wasm-ld-22` binaries on them.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasmparser::{KnownCustom, Name, Parser, Payload};

pub const CLANG: &str = "clang-22";
pub const WASM_LD: &str = "wasm-ld-22";
pub const SYSROOT_LIB: &str = "/usr/lib/wasm32-wasi";
pub const BUILTINS: &str = "/usr/lib/llvm-22/lib/clang/22/lib/wasi/libclang_rt.builtins-wasm32.a";

/// A scratch directory removed when dropped.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Compiles C `source` to `<name>.o` with clang-22 (`-O1` plus `flags`).
    pub fn compile(&self, name: &str, source: &str, flags: &[&str]) -> PathBuf {
        let src = self.path(&format!("{name}.c"));
        std::fs::write(&src, source).unwrap();
        let obj = self.path(&format!("{name}.o"));
        let out = Command::new(CLANG)
            .args(["--target=wasm32-wasi", "-c", "-O1", "-Wno-deprecated"])
            .args(["-nostdlibinc", "-isystem", "/usr/include/wasm32-wasi"])
            .args(flags)
            .arg(&src)
            .arg("-o")
            .arg(&obj)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run {CLANG} ({e}); run `cargo xtask setup` to install the reference toolchain")
            });
        assert!(
            out.status.success(),
            "{CLANG} failed on {name}.c:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        obj
    }

    /// Compiles C++ `source` to `<name>.o` with clang-22 and libc++'s headers.
    pub fn compile_cxx(&self, name: &str, source: &str, flags: &[&str]) -> PathBuf {
        let src = self.path(&format!("{name}.cc"));
        std::fs::write(&src, source).unwrap();
        let obj = self.path(&format!("{name}.o"));
        let out = Command::new(CLANG)
            .args([
                "--target=wasm32-wasi",
                "-c",
                "-Wno-deprecated",
                "-fno-exceptions",
            ])
            .args([
                "-nostdlibinc",
                "-isystem",
                "/usr/include/wasm32-wasi/c++/v1",
            ])
            .args(["-isystem", "/usr/include/wasm32-wasi"])
            .args(flags)
            .arg(&src)
            .arg("-o")
            .arg(&obj)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {CLANG} ({e}); run `cargo xtask setup`"));
        assert!(
            out.status.success(),
            "{CLANG} failed on {name}.cc:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        obj
    }

    /// The bytes of one member of an archive (llvm-ar-22 p).
    pub fn extract_member(&self, archive: &str, member: &str) -> Vec<u8> {
        let out = Command::new("llvm-ar-22")
            .args(["p", archive, member])
            .output()
            .expect("llvm-ar-22");
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "no {member} in {archive}"
        );
        out.stdout
    }

    /// Packs objects into an archive with llvm-ar-22.
    pub fn archive(&self, name: &str, objects: &[&Path]) -> PathBuf {
        let lib = self.path(name);
        let out = Command::new("llvm-ar-22")
            .arg("rcs")
            .arg(&lib)
            .args(objects)
            .output()
            .expect("llvm-ar-22");
        assert!(out.status.success());
        lib
    }
}

/// Assembles `src` with llvm-mc-22 for wasm32 into `obj`, with extra `-mattr` features.
pub fn assemble_file(src: &Path, obj: &Path, features: &[&str]) {
    let mut cmd = Command::new("llvm-mc-22");
    cmd.args(["-triple=wasm32-unknown-unknown", "-filetype=obj"]);
    if !features.is_empty() {
        cmd.arg(format!("-mattr={}", features.join(",")));
    }
    let out = cmd
        .arg(src)
        .arg("-o")
        .arg(obj)
        .output()
        .expect("llvm-mc-22 (run `cargo xtask setup`)");
    assert!(
        out.status.success(),
        "llvm-mc-22 on {}: {}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Scratch {
    /// Assembles `text` to `<name>.o` (see [`assemble_file`]).
    pub fn assemble(&self, name: &str, text: &str, features: &[&str]) -> PathBuf {
        let src = self.path(&format!("{name}.s"));
        std::fs::write(&src, text).unwrap();
        let obj = self.path(&format!("{name}.o"));
        assemble_file(&src, &obj, features);
        obj
    }
}

/// The program directories of `tests/fixtures/generated/` (written by weld-gen, whose oracle
/// checked each by execution), sorted.
pub fn generated_programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generated");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/generated")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 40, "only {} generated programs", dirs.len());
    dirs
}

/// The link line clang-22's driver uses for a command, around `inputs`.
pub fn command_link_args(inputs: &[&Path], output: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "-m".into(),
        "wasm32".into(),
        format!("-L{SYSROOT_LIB}"),
        format!("{SYSROOT_LIB}/crt1-command.o"),
    ];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["-lc".to_string(), BUILTINS.to_string(), "-o".to_string()]);
    args.push(output.display().to_string());
    args
}

/// The (module, field) of each import of a module.
pub fn imports_of(bytes: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in Parser::new(0).parse_all(bytes) {
        if let Payload::ImportSection(r) = p.unwrap() {
            for i in r.into_imports() {
                let i = i.unwrap();
                out.push((i.module.to_string(), i.name.to_string()));
            }
        }
    }
    out
}

/// Runs the weld binary.
pub fn weld(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weld"))
        .args(args)
        .output()
        .expect("run weld")
}

/// Runs wasm-ld-22.
pub fn wasm_ld(args: &[String]) -> Output {
    Command::new(WASM_LD)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {WASM_LD} ({e}); run `cargo xtask setup`"))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A text summary of a module: what a reviewer needs to see a layout change.
pub fn dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut func_names = std::collections::BTreeMap::new();
    let mut seg_names = std::collections::BTreeMap::new();
    for p in Parser::new(0).parse_all(bytes) {
        if let Payload::CustomSection(c) = p.unwrap()
            && let KnownCustom::Name(r) = c.as_known()
        {
            for sub in r {
                match sub.unwrap() {
                    Name::Function(m) => {
                        for n in m {
                            let n = n.unwrap();
                            func_names.insert(n.index, n.name.to_string());
                        }
                    }
                    Name::Data(m) => {
                        for n in m {
                            let n = n.unwrap();
                            seg_names.insert(n.index, n.name.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let fname = |i: u32| {
        func_names
            .get(&i)
            .cloned()
            .unwrap_or_else(|| format!("#{i}"))
    };
    let mut nimports = 0;
    let mut defined = Vec::new();
    for p in Parser::new(0).parse_all(bytes) {
        match p.unwrap() {
            Payload::TypeSection(r) => {
                for (i, t) in r.into_iter_err_on_gc_types().enumerate() {
                    writeln!(out, "type {i}: {}", t.unwrap()).unwrap();
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    writeln!(out, "import {}.{}: {:?}", i.module, i.name, i.ty).unwrap();
                    if matches!(i.ty, wasmparser::TypeRef::Func(_)) {
                        nimports += 1;
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for (i, t) in r.into_iter().enumerate() {
                    defined.push((nimports + i as u32, t.unwrap()));
                }
                for (i, t) in &defined {
                    writeln!(out, "func {i} {}: type {t}", fname(*i)).unwrap();
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t.unwrap();
                    writeln!(out, "table: min {} max {:?}", t.ty.initial, t.ty.maximum).unwrap();
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.unwrap();
                    writeln!(out, "memory: min {} max {:?}", m.initial, m.maximum).unwrap();
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.unwrap();
                    let mut ops = g.init_expr.get_operators_reader();
                    writeln!(
                        out,
                        "global {:?} mutable={} = {:?}",
                        g.ty.content_type,
                        g.ty.mutable,
                        ops.read().unwrap()
                    )
                    .unwrap();
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    writeln!(out, "export {:?} {} -> {}", e.kind, e.name, e.index).unwrap();
                }
            }
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    if let wasmparser::ElementItems::Functions(fs) = e.items {
                        let names: Vec<String> =
                            fs.into_iter().map(|f| fname(f.unwrap())).collect();
                        writeln!(out, "elem: {}", names.join(", ")).unwrap();
                    }
                }
            }
            Payload::DataSection(r) => {
                for (i, d) in r.into_iter().enumerate() {
                    let d = d.unwrap();
                    let addr = match d.kind {
                        wasmparser::DataKind::Active { offset_expr, .. } => {
                            format!("{:?}", offset_expr.get_operators_reader().read().unwrap())
                        }
                        wasmparser::DataKind::Passive => "passive".into(),
                    };
                    let name = seg_names.get(&(i as u32)).cloned().unwrap_or_default();
                    writeln!(
                        out,
                        "data {name} at {addr}: {} bytes {:02x?}",
                        d.data.len(),
                        &d.data[..d.data.len().min(16)]
                    )
                    .unwrap();
                }
            }
            Payload::CustomSection(c) => writeln!(out, "custom {}", c.name()).unwrap(),
            _ => {}
        }
    }
    out
}

/// Links `args` (plus `-o`) with weld and wasm-ld-22, each in its own directory (`w-WHAT`,
/// `r-WHAT`), and compares exit status, messages (less the program name) and output bytes.
/// Returns whether the link succeeded.
pub fn same_as_wasm_ld(s: &Scratch, what: &str, args: &[String]) -> Result<bool, String> {
    let mut results = Vec::new();
    for (dir, run) in [("w", weld as fn(&[String]) -> _), ("r", wasm_ld)] {
        let d = s.path(&format!("{dir}-{what}"));
        std::fs::create_dir_all(&d).unwrap();
        let out = d.join("out.wasm");
        let mut full = args.to_vec();
        full.extend(["-o".to_string(), out.display().to_string()]);
        let o = run(&full);
        let msgs: Vec<String> = stderr(&o)
            .lines()
            .map(|l| l.split_once(": ").map_or(l, |(_, m)| m).to_string())
            .collect();
        results.push((o.status.code(), msgs, std::fs::read(&out).ok()));
    }
    let (ours, theirs) = (&results[0], &results[1]);
    if ours.0 != theirs.0 || ours.1 != theirs.1 {
        return Err(format!(
            "{what}: weld {:?} {:?}, wasm-ld {:?} {:?}",
            ours.0, ours.1, theirs.0, theirs.1
        ));
    }
    if theirs.0 == Some(0) && ours.2 != theirs.2 {
        let (a, b) = (ours.2.as_deref().unwrap(), theirs.2.as_deref().unwrap());
        return Err(format!("{what}: output differs\n{}", diff_dumps(a, b)));
    }
    Ok(theirs.0 == Some(0))
}

fn diff_dumps(ours: &[u8], theirs: &[u8]) -> String {
    let (a, b) = (dump(ours), dump(theirs));
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .take(10)
        .map(|(x, y)| format!("weld:    {x}\nwasm-ld: {y}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Links each row (a name, and arguments that follow `prefix` and precede `input(name)`) with
/// both linkers through [`same_as_wasm_ld`], and lists what went wrong: a difference, or a row
/// that linked (or failed) against `should_fail(name)`.
pub fn compare_rows(
    s: &Scratch,
    prefix: &[&str],
    rows: &[(&str, &[&str])],
    input: impl Fn(&str) -> String,
    should_fail: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut failures = Vec::new();
    for &(what, extra) in rows {
        let mut args: Vec<String> = prefix.iter().chain(extra).map(|a| a.to_string()).collect();
        args.push(input(what));
        match same_as_wasm_ld(s, what, &args) {
            Err(e) => failures.push(e),
            Ok(linked) if linked == should_fail(what) => {
                failures.push(format!("{what}: linked = {linked}, not as expected"))
            }
            Ok(_) => {}
        }
    }
    failures
}
