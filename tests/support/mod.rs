//! Shared helpers for weld's integration tests: compile small C sources with the reference
//! compiler and run the `weld` and `wasm-ld-22` binaries on them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
