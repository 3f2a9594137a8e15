//! `cargo xtask dylink`: runs the cases of `tests/dynamic/` (issue 11) under weld-gen's
//! dynamic loader ([`weld_gen::loader`], after tool-conventions' DynamicLinking.md).
//!
//! Each case is linked twice, by wasm-ld-22 and by weld (whose every module must have
//! wasm-ld's bytes), and both sets are loaded and run.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasmtime::{Engine, Store, Val};

use crate::toolchain;
use crate::util::{self, run_captured};

/// Loads `main` (a file in `dir`) and the libraries it needs, runs their relocations and
/// constructors, then calls each of `calls` (exports of the main module taking no
/// parameters) and returns their results as `name() = type:value`.
pub fn load_and_call(
    engine: &Engine,
    dir: &Path,
    main: &str,
    calls: &[String],
) -> Result<Vec<String>, String> {
    let mut store: Store<()> = Store::new(engine, ());
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let loaded = weld_gen::loader::load(&mut store, main, &read, Default::default())?;
    let main = &loaded[0];
    let mut results = Vec::new();
    for name in calls {
        let f = main
            .instance
            .get_func(&mut store, name)
            .ok_or_else(|| format!("{}: no export {name}", main.name))?;
        let n = f.ty(&store).results().len();
        let mut out = vec![Val::I32(0); n];
        match f.call(&mut store, &[], &mut out) {
            Ok(()) => {
                let shown: Vec<String> = out.iter().map(show).collect();
                results.push(format!("{name}() = {}", shown.join(", ")));
            }
            Err(e) => {
                let trap = e
                    .downcast_ref::<wasmtime::Trap>()
                    .map_or("error".to_string(), |t| format!("{t:?}"));
                results.push(format!("{name}() trapped: {trap}"));
            }
        }
    }
    Ok(results)
}

fn show(v: &Val) -> String {
    match v {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        other => format!("{other:?}"),
    }
}

/// A case of `tests/dynamic/`: `main.c` linked `-pie` with the case's libraries, each
/// `NAME.c` named by a `lib = NAME [DEP...] [-FLAG...]` line linked `-shared` (with its
/// dependencies' `.so` files as inputs, so that they are recorded as needed, and the extra
/// link options given, such as `-Bsymbolic`).
struct Case {
    name: String,
    dir: PathBuf,
    /// `(library, its dependencies and extra options)`, in link order.
    libs: Vec<(String, Vec<String>)>,
    calls: Vec<String>,
    /// What the calls must return, from the sources' semantics.
    expect: Vec<String>,
    /// `variant = NAME CFLAG...`: the case again with these compiler options (the plain
    /// build always runs, as variant `default`).
    variants: Vec<(String, Vec<String>)>,
    /// `cflags = FLAG...`: compiler options of every build of the case.
    cflags: Vec<String>,
    /// `main = -FLAG...`: extra link options of the main module.
    main_flags: Vec<String>,
}

fn read_case(dir: &Path) -> Result<Case, String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(dir.join("case.txt"))
        .map_err(|e| format!("{name}: cannot read case.txt: {e}"))?;
    let mut case = Case {
        name: name.clone(),
        dir: dir.to_path_buf(),
        libs: Vec::new(),
        calls: Vec::new(),
        expect: Vec::new(),
        variants: vec![("default".to_string(), Vec::new())],
        cflags: Vec::new(),
        main_flags: Vec::new(),
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("{name}: case.txt: not `key = value`: {line}"))?;
        let words: Vec<String> = value.split_whitespace().map(str::to_string).collect();
        match key.trim() {
            "lib" => {
                let (lib, deps) = words
                    .split_first()
                    .ok_or_else(|| format!("{name}: case.txt: `lib` needs a name"))?;
                case.libs.push((lib.clone(), deps.to_vec()));
            }
            "call" => case.calls.extend(words),
            "cflags" => case.cflags.extend(words),
            "main" => case.main_flags.extend(words),
            "variant" => {
                let (variant, flags) = words
                    .split_first()
                    .ok_or_else(|| format!("{name}: case.txt: `variant` needs a name"))?;
                case.variants.push((variant.clone(), flags.to_vec()));
            }
            // One result per line: `name() = i32:7`.
            "expect" => case.expect.push(value.trim().to_string()),
            other => return Err(format!("{name}: case.txt: unknown key `{other}`")),
        }
    }
    Ok(case)
}

/// Compiles a case's sources with `-fPIC` and `cflags` and links them with wasm-ld-22 into
/// `out`.
fn build_case(case: &Case, cflags: &[String], out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let compile = |src: &str| -> Result<PathBuf, String> {
        let obj = out.join(format!("{src}.o"));
        let mut cmd = Command::new(toolchain::Compiler::Clang22.clang());
        cmd.args(["--target=wasm32-unknown-unknown", "-fPIC", "-O1", "-c"])
            .args(&case.cflags)
            .args(cflags)
            .arg(case.dir.join(format!("{src}.c")))
            .arg("-o")
            .arg(&obj);
        run_captured(&mut cmd).map_err(|e| format!("{}: compiling {src}.c: {e}", case.name))?;
        Ok(obj)
    };
    let pic = ["--experimental-pic"];
    let machine = machine(cflags);
    compile("main")?;
    for (lib, deps) in &case.libs {
        let obj = compile(lib)?;
        let mut cmd = Command::new(toolchain::WASM_LD);
        cmd.args(pic)
            .args(machine)
            .args(["-shared", "--unresolved-symbols=import-dynamic"])
            .arg(&obj);
        lib_inputs(&mut cmd, deps, out);
        cmd.arg("-o").arg(out.join(format!("{lib}.so")));
        run_captured(&mut cmd).map_err(|e| format!("{}: linking {lib}.so: {e}", case.name))?;
    }
    link_main(Path::new(toolchain::WASM_LD), case, machine, out, out)
        .map_err(|e| format!("{}: linking main.wasm: {e}", case.name))
}

/// The linkers' `-m` option for objects compiled with `cflags` (a variant may target wasm64).
fn machine(cflags: &[String]) -> &'static [&'static str] {
    if cflags.iter().any(|f| f.starts_with("--target=wasm64")) {
        &["-m", "wasm64"]
    } else {
        &[]
    }
}

/// Adds a library's dependencies (`.so` files in `dir`) and extra options to its link.
fn lib_inputs(cmd: &mut Command, deps: &[String], dir: &Path) {
    for d in deps {
        if d.starts_with('-') {
            cmd.arg(d);
        } else {
            cmd.arg(dir.join(format!("{d}.so")));
        }
    }
}

/// Links `main.o` of `from` `-pie` against the case's libraries in `out`, into
/// `out/main.wasm`.
fn link_main(
    linker: &Path,
    case: &Case,
    machine: &[&str],
    from: &Path,
    out: &Path,
) -> Result<(), String> {
    let mut cmd = Command::new(linker);
    cmd.arg("--experimental-pic")
        .args(machine)
        .args(&case.main_flags)
        // Without an entry point nothing calls the main module's constructors: exported, the
        // loader calls them as it does a library's.
        .args([
            "-pie",
            "--no-entry",
            "--export-dynamic",
            "--export=__wasm_call_ctors",
        ])
        .arg(from.join("main.o"));
    for (lib, _) in &case.libs {
        cmd.arg(out.join(format!("{lib}.so")));
    }
    cmd.arg("-o").arg(out.join("main.wasm"));
    run_captured(&mut cmd).map(drop)
}

/// Links the case's libraries and main module with weld from the objects `build_case`
/// compiled into `from`, into `out`, and checks that each has wasm-ld's bytes.
fn build_case_weld(case: &Case, cflags: &[String], from: &Path, out: &Path) -> Result<(), String> {
    let machine = machine(cflags);
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (lib, deps) in &case.libs {
        let mut cmd = Command::new(toolchain::weld_path());
        cmd.args([
            "--experimental-pic",
            "-shared",
            "--unresolved-symbols=import-dynamic",
        ])
        .args(machine)
        .arg(from.join(format!("{lib}.o")));
        lib_inputs(&mut cmd, deps, out);
        let so = out.join(format!("{lib}.so"));
        cmd.arg("-o").arg(&so);
        run_captured(&mut cmd).map_err(|e| format!("weld linking {lib}.so: {e}"))?;
        same_bytes(&from.join(format!("{lib}.so")), &so)?;
    }
    link_main(&toolchain::weld_path(), case, machine, from, out)
        .map_err(|e| format!("weld linking main.wasm: {e}"))?;
    same_bytes(&from.join("main.wasm"), &out.join("main.wasm"))
}

/// Checks that weld's output `ours` has the bytes of wasm-ld's `theirs`.
fn same_bytes(theirs: &Path, ours: &Path) -> Result<(), String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let (theirs_bytes, ours_bytes) = (read(theirs)?, read(ours)?);
    if ours_bytes != theirs_bytes {
        let name = ours.file_name().unwrap_or_default().to_string_lossy();
        return Err(format!(
            "weld's {name} differs from wasm-ld's: {}",
            crate::differential::first_difference(&theirs_bytes, &ours_bytes)
        ));
    }
    Ok(())
}

/// `cargo xtask dylink`: builds every case of `tests/dynamic/` with wasm-ld-22, loads it and
/// checks the calls' results.
pub fn run(_args: &[String]) -> Result<(), String> {
    let (passed, failed) = run_cases()?;
    println!("dylink: {passed} passed, {failed} failed");
    if failed > 0 {
        return Err(format!("{failed} dynamic-linking case(s) failed"));
    }
    Ok(())
}

/// Runs every case, printing a line for each; returns how many passed and failed.
pub fn run_cases() -> Result<(usize, usize), String> {
    let root = util::repo_root();
    let cases_dir = root.join("tests/dynamic");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .map_err(|e| format!("cannot read {}: {e}", cases_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    // Shared memories (the threads case) and 64-bit memories and tables (wasm64 variants).
    let mut config = wasmtime::Config::new();
    config.wasm_threads(true);
    config.shared_memory(true);
    config.wasm_memory64(true);
    let engine = Engine::new(&config).map_err(|e| format!("creating wasmtime engine: {e}"))?;
    let (mut passed, mut failed) = (0, 0);
    let cases: Vec<Case> = dirs
        .iter()
        .map(|d| read_case(d))
        .collect::<Result<_, _>>()?;
    for case in &cases {
        for (variant, cflags) in &case.variants {
            let (p, f) = run_variant(&engine, &root, case, variant, cflags);
            passed += p;
            failed += f;
        }
    }
    Ok((passed, failed))
}

/// Builds one variant of a case with both linkers, runs both and prints a line for each;
/// returns how many passed and failed.
fn run_variant(
    engine: &Engine,
    root: &Path,
    case: &Case,
    variant: &str,
    cflags: &[String],
) -> (usize, usize) {
    let (mut passed, mut failed) = (0, 0);
    {
        let out = root
            .join("target/dynamic")
            .join(&case.name)
            .join(variant)
            .join("wasm-ld");
        let result = build_case(case, cflags, &out)
            .and_then(|()| load_and_call(engine, &out, "main.wasm", &case.calls));
        // Then weld's libraries and main module, each byte-compared with wasm-ld's.
        let weld_out = out.with_file_name("weld");
        let weld_result = result.as_ref().map_err(Clone::clone).and_then(|_| {
            build_case_weld(case, cflags, &out, &weld_out)
                .and_then(|()| load_and_call(engine, &weld_out, "main.wasm", &case.calls))
        });
        for (linker, result) in [("wasm-ld-22", result), ("weld", weld_result)] {
            let label = if variant == "default" {
                format!("dynamic {} ({linker})", case.name)
            } else {
                format!("dynamic {}/{variant} ({linker})", case.name)
            };
            match result {
                Ok(results) if results == case.expect => {
                    passed += 1;
                    println!("ok   {label}");
                }
                Ok(results) => {
                    failed += 1;
                    println!(
                        "FAIL {label}\n  expected: {:?}\n  got:      {results:?}",
                        case.expect
                    );
                }
                Err(e) => {
                    failed += 1;
                    println!("FAIL {label}\n  {e}");
                }
            }
        }
    }
    (passed, failed)
}
