//! `cargo xtask demo`: weld used as a drop-in linker through clang's driver
//! (`-fuse-ld=`), then the result run in wasmtime.

use std::process::Command;

use crate::run::{End, Entry, RunSpec, Runner};
use crate::toolchain::{self, Compiler};
use crate::util::{self, cargo, run_captured, run_inherited, show};

pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!("demo takes no arguments, got {args:?}"));
    }
    let root = util::repo_root();
    // A fresh machine has no reference toolchain yet: the demo installs it like `verify` does.
    if !crate::setup::missing().is_empty() {
        println!("demo: setup (reference toolchain incomplete)");
        crate::setup::ensure()?;
    }
    if toolchain::weld_overridden() {
        println!(
            "demo: WELD={} (not building weld)",
            toolchain::weld_path().display()
        );
    } else {
        let mut build = cargo();
        build.args(["build", "--release", "-p", "weld"]);
        println!("demo: {}", show(&build));
        run_inherited(&mut build)?;
    }
    let weld = toolchain::weld_path();
    // Absolute but not canonical: lld picks its flavour from the name it is
    // invoked by, so a symlink such as wasm-ld-22 must not be resolved.
    let weld = std::path::absolute(&weld).map_err(|e| format!("linker {}: {e}", weld.display()))?;
    if !weld.is_file() {
        return Err(format!("linker {} does not exist", weld.display()));
    }
    let out_dir = root.join("target/demo");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let out = out_dir.join("hello.wasm");
    let _ = std::fs::remove_file(&out);

    let mut clang = Command::new(Compiler::Clang22.clang());
    clang
        .current_dir(&root)
        .args([
            toolchain::TARGET,
            "--sysroot=/usr",
            "-nostdlibinc",
            "-isystem",
            toolchain::INCLUDE,
        ])
        .arg(format!("-fuse-ld={}", weld.display()))
        .arg("examples/hello/hello.c")
        .arg("-o")
        .arg(&out);
    println!("demo: {}", show(&clang));
    let compiled = run_captured(&mut clang)?;
    let warnings = String::from_utf8_lossy(&compiled.stderr);
    // clang-22 warns that `wasm32-wasi` is now spelled `wasm32-wasip1`; anything else is news.
    for line in warnings.lines().filter(|l| !l.contains("is deprecated")) {
        eprintln!("{line}");
    }

    let wasm = std::fs::read(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    crate::differential::validate(&wasm)
        .map_err(|e| format!("{} does not validate: {e}", out.display()))?;
    println!(
        "demo: running {} ({} bytes) in wasmtime",
        out.display(),
        wasm.len()
    );
    let runner = Runner::new()?;
    let outcome = runner.run(
        &wasm,
        &RunSpec {
            argv0: "hello".into(),
            args: vec!["from".into(), "weld".into()],
            env: Vec::new(),
            stdin: Vec::new(),
            preopens: Vec::new(),
            entry: Entry::Command,
            calls: Vec::new(),
            timeout: std::time::Duration::from_secs(10),
        },
    );
    print!("{}", String::from_utf8_lossy(&outcome.stdout));
    eprint!("{}", String::from_utf8_lossy(&outcome.stderr));
    match outcome.end {
        End::Exit(0) => {
            println!("demo: exit 0");
            Ok(())
        }
        end => Err(format!("the demo program ended with {end}")),
    }
}
