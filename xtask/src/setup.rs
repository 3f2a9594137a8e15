//! `cargo xtask setup`: makes sure the reference toolchain is installed.

use std::path::Path;
use std::process::Command;

use crate::toolchain::{self, Compiler};
use crate::util::{run_inherited, show};

/// The Debian packages that provide everything in [`required`].
pub const PACKAGES: &[&str] = &[
    "clang-22",
    "lld-22",
    "llvm-22",
    "libclang-rt-22-dev-wasm32",
    "libc++-22-dev-wasm32",
    "libc++abi-22-dev-wasm32",
    "wasi-libc",
    "wabt",
    "clang-19",
    "lld-19",
    "llvm-19",
    "libclang-rt-19-dev-wasm32",
    // Rust cases: Debian's rustc 1.63 and its std for wasm32-wasi and
    // wasm32-unknown-unknown.
    "rustc",
    "libstd-rust-dev-wasm32",
];

/// Files the differential suite, demo and bench rely on. A `*` matches any
/// characters within a path component (rlib names contain a hash).
pub fn required() -> Vec<String> {
    let mut v: Vec<String> = [
        toolchain::WASM_LD,
        "/usr/bin/wasm-ld-19",
        toolchain::LLVM_AR,
        "/usr/bin/wasm-objdump",
        // tests/relocations.rs assembles its input.
        "/usr/bin/llvm-mc-22",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in Compiler::ALL {
        v.push(c.clang().to_string());
        v.push(c.builtins().to_string());
    }
    let lib = toolchain::SYSROOT_LIB;
    for f in [
        "crt1-command.o",
        "crt1-reactor.o",
        "libc.a",
        "libc++.a",
        "libc++abi.a",
        "libwasi-emulated-signal.a",
    ] {
        v.push(format!("{lib}/{f}"));
    }
    v.push(format!("{}/stdio.h", toolchain::INCLUDE));
    v.push(format!("{}/iostream", toolchain::INCLUDE_CXX));
    let rustlib = toolchain::RUSTLIB;
    v.push(toolchain::RUSTC.to_string());
    v.push(format!(
        "{rustlib}/wasm32-wasi/lib/self-contained/crt1-command.o"
    ));
    v.push(format!(
        "{rustlib}/wasm32-unknown-unknown/lib/libstd-*.rlib"
    ));
    v
}

/// Required files that are absent.
pub fn missing() -> Vec<String> {
    required().into_iter().filter(|p| !exists(p)).collect()
}

/// Whether `pattern` (a path, maybe with `*`s) names an existing file.
fn exists(pattern: &str) -> bool {
    if pattern.contains('*') {
        crate::vendor::glob(Path::new("/"), pattern).is_ok()
    } else {
        Path::new(pattern).exists()
    }
}

/// The install command, as printed for non-root users.
pub fn install_hint() -> String {
    format!(
        "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {}",
        PACKAGES.join(" ")
    )
}

pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!("setup takes no arguments, got {args:?}"));
    }
    ensure()?;
    println!("setup: reference toolchain present");
    Ok(())
}

/// Installs the toolchain if anything is missing (as root), or explains how.
pub fn ensure() -> Result<(), String> {
    let missing = missing();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("setup: missing:\n  {}", missing.join("\n  "));
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        return Err(format!(
            "the reference toolchain is incomplete; install it as root with:\n  {}",
            install_hint()
        ));
    }
    let mut update = Command::new("apt-get");
    update
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive");
    eprintln!("setup: {}", show(&update));
    run_inherited(&mut update)?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "--no-install-recommends"])
        .args(PACKAGES)
        .env("DEBIAN_FRONTEND", "noninteractive");
    eprintln!("setup: {}", show(&install));
    run_inherited(&mut install)?;
    let still = self::missing();
    if !still.is_empty() {
        return Err(format!(
            "still missing after apt-get install:\n  {}",
            still.join("\n  ")
        ));
    }
    Ok(())
}
