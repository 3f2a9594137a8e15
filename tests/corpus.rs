//! Byte-for-byte agreement with wasm-ld-22 on the differential suite's programs, linked
//! in-process: a fast, strict oracle for every change to resolution, gc, layout and writing,
//! and the test that `cargo xtask mutants` leans on (spec/README.md: outputs are wasm-ld's).
//!
//! Each case of `tests/programs/` without vendored or archived sources is compiled once with
//! clang-22 at `-O0` and at `-O1 -g` (objects are cached under `target/test-corpus/`, keyed on the source
//! and the command), linked by wasm-ld-22 and by weld's library, and the two modules must be
//! identical, `name` section included (C++ names are demangled in LLVM's spelling).

mod support;

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

struct Case {
    name: String,
    sources: Vec<PathBuf>,
    cflags: Vec<String>,
    ldflags: Vec<String>,
    libs: Vec<String>,
    reactor: bool,
    cxx: bool,
}

/// The cases this test can build on its own (no vendored library, no archive).
fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/programs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    'case: for dir in dirs {
        let mut case = Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            sources: Vec::new(),
            cflags: Vec::new(),
            ldflags: Vec::new(),
            libs: Vec::new(),
            reactor: false,
            cxx: false,
        };
        let text = std::fs::read_to_string(dir.join("case.txt")).unwrap_or_default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let words = || value.split_whitespace().map(str::to_string);
            match key.trim() {
                // Pthread programs need the threaded sysroot, wasm64 ones are freestanding: the
                // differential suite runs both.
                "vendor" | "archive" | "long" | "threads" | "wasm64" => continue 'case,
                "cflags" => case.cflags.extend(words()),
                "ldflags" => case.ldflags.extend(words()),
                "libs" => case.libs.extend(words()),
                "reactor" => case.reactor = value.trim() == "true",
                _ => {}
            }
        }
        let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("c" | "cc" | "cpp")
                )
            })
            .collect();
        sources.sort();
        case.cxx = sources
            .iter()
            .any(|s| s.extension().is_some_and(|e| e != "c"));
        // Rust cases have no C sources: the differential suite links them through rustc.
        if sources.is_empty() {
            continue;
        }
        case.sources = sources;
        out.push(case);
    }
    out
}

fn cache_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-corpus");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Compiles `src` (cached on its contents and the command line).
fn compile(case: &Case, src: &Path, opt: &[&str]) -> PathBuf {
    let cxx = src.extension().is_some_and(|e| e != "c");
    let mut cmd = Command::new(CLANG);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.args(["--target=wasm32-wasi", "-c", "-nostdlibinc"]);
    if cxx {
        cmd.args([
            "-isystem",
            "/usr/include/wasm32-wasi/c++/v1",
            "-fno-exceptions",
        ]);
    }
    cmd.args(["-isystem", "/usr/include/wasm32-wasi"]).args(opt);
    cmd.args(&case.cflags).arg(src);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(src).unwrap().hash(&mut h);
    format!("{cmd:?}").hash(&mut h);
    let obj = cache_dir().join(format!("{:016x}.o", h.finish()));
    if !obj.exists() {
        let tmp = obj.with_extension("tmp");
        let out = cmd
            .arg("-o")
            .arg(&tmp)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {CLANG} ({e}); run `cargo xtask setup`"));
        assert!(
            out.status.success(),
            "{}: {}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &obj).unwrap();
    }
    obj
}

fn link_args(case: &Case, objects: &[PathBuf], out: &Path) -> Vec<String> {
    let mut a: Vec<String> = vec!["-m".into(), "wasm32".into(), format!("-L{SYSROOT_LIB}")];
    a.extend(case.ldflags.iter().cloned());
    if case.reactor {
        a.extend([
            format!("{SYSROOT_LIB}/crt1-reactor.o"),
            "--entry".into(),
            "_initialize".into(),
        ]);
    } else {
        a.push(format!("{SYSROOT_LIB}/crt1-command.o"));
    }
    a.extend(objects.iter().map(|o| o.display().to_string()));
    a.extend(case.libs.iter().cloned());
    if case.cxx {
        a.extend(["-lc++".into(), "-lc++abi".into()]);
    }
    a.extend([
        "-lc".into(),
        BUILTINS.into(),
        "-o".into(),
        out.display().to_string(),
    ]);
    a
}

/// wasm-ld-22's output for these arguments (cached on the arguments and the inputs' bytes).
fn reference(args: &[String], objects: &[PathBuf]) -> Vec<u8> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    args.hash(&mut h);
    for o in objects {
        std::fs::read(o).unwrap().hash(&mut h);
    }
    let dir = cache_dir().join(format!("ref-{:016x}", h.finish()));
    let out = dir.join("out.wasm");
    if !out.exists() {
        // Written under its final file name (the name section records it), then moved in.
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut a = args.to_vec();
        *a.last_mut().unwrap() = tmp.join("out.wasm").display().to_string();
        let o = wasm_ld(&a);
        assert!(o.status.success(), "wasm-ld: {}", stderr(&o));
        std::fs::rename(tmp.join("out.wasm"), &out).unwrap();
    }
    std::fs::read(out).unwrap()
}

/// The module's sections as (id or custom name, bytes).
fn sections(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(bytes) {
        let p = p.expect("parses");
        if let Some((id, range)) = p.as_section() {
            let key = match &p {
                wasmparser::Payload::CustomSection(c) => c.name().to_string(),
                _ => id.to_string(),
            };
            out.push((key, bytes[range].to_vec()));
        }
    }
    out
}

#[test]
fn weld_links_every_program_as_wasm_ld_does() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases found", cases.len());
    let s = Scratch::new();
    let mut failures = Vec::new();
    // -O0 keeps inline functions, so COMDAT groups and more relocations reach the linker;
    // -O1 -g adds debug sections and merged strings.
    let builds: [&[&str]; 2] = [&["-O0"], &["-O1", "-g"]];
    for (case, opt) in cases
        .iter()
        .flat_map(|c| builds.iter().map(move |o| (c, *o)))
    {
        let objects: Vec<PathBuf> = case
            .sources
            .iter()
            .map(|src| compile(case, src, opt))
            .collect();
        // The output's file name is recorded in the name section: the same for both.
        let dir = s.path(&format!("{}{}", case.name, opt.join("")));
        std::fs::create_dir_all(&dir).unwrap();
        let args = link_args(case, &objects, &dir.join("out.wasm"));
        let expected = reference(&args, &objects);
        let config = match weld::cli::parse(&args) {
            Ok(weld::cli::Command::Link(c)) => c,
            other => panic!("{}: {other:?}", case.name),
        };
        let ours = match weld::link_to_bytes(&config) {
            Ok((bytes, _)) => bytes,
            Err(e) => {
                failures.push(format!("{} {opt:?}: weld failed: {e}", case.name));
                continue;
            }
        };
        if ours == expected {
            continue;
        }
        // The name section counts too: C++ names are demangled as LLVM spells them.
        let (a, b) = (sections(&ours), sections(&expected));
        let first = a
            .iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map(|(x, _)| x.0.clone())
            .unwrap_or_else(|| format!("{} vs {} sections", a.len(), b.len()));
        failures.push(format!(
            "{} {opt:?}: differs from wasm-ld in section {first}",
            case.name
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The generated programs of `tests/fixtures/generated/` (written by weld-gen, whose oracle
/// checked each by execution): weld's output must be wasm-ld's, export order aside.
#[test]
fn weld_links_generated_programs_as_wasm_ld_does() {
    let dirs = generated_programs();
    let s = Scratch::new();
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("args.txt")).unwrap();
        let mut args: Vec<String> = text
            .lines()
            .map(|l| l.replace("{dir}", &dir.display().to_string()))
            .collect();
        let out = s.path(&name);
        std::fs::create_dir_all(&out).unwrap();
        args.extend(["-o".into(), out.join("out.wasm").display().to_string()]);
        let inputs: Vec<PathBuf> = args
            .iter()
            .filter(|a| a.ends_with(".o") || a.ends_with(".a"))
            .map(PathBuf::from)
            .collect();
        let expected = reference(&args, &inputs);
        let config = match weld::cli::parse(&args) {
            Ok(weld::cli::Command::Link(c)) => c,
            other => panic!("{name}: {other:?}"),
        };
        let ours = match weld::link_to_bytes(&config) {
            Ok((bytes, _)) => bytes,
            Err(e) => {
                failures.push(format!("{name}: weld failed: {e}"));
                continue;
            }
        };
        if ours != expected {
            failures.push(format!("{name}: differs from wasm-ld"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
