//! weld's demangler against LLVM's own: every C++ symbol name in the wasm32-wasi libc++ and
//! libc++abi archives (thousands of names, Clang 17+'s `TnN` manglings among them), demangled
//! by weld and by `llvm-cxxfilt-22` (the demangler wasm-ld-22 uses for the `name` section),
//! must read the same.

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use support::SYSROOT_LIB;

/// The `_Z` symbol names of an archive, defined or not, as `llvm-nm-22` lists them.
fn mangled_names(archive: &str) -> Vec<String> {
    let out = Command::new("llvm-nm-22")
        .args(["--no-demangle", "--just-symbol-name"])
        .arg(format!("{SYSROOT_LIB}/{archive}"))
        .output()
        .expect("run llvm-nm-22");
    assert!(out.status.success(), "llvm-nm-22 {archive} failed");
    String::from_utf8(out.stdout)
        .expect("UTF-8 names")
        .lines()
        .filter(|l| l.starts_with("_Z"))
        .map(str::to_owned)
        .collect()
}

/// `llvm-cxxfilt-22`'s spelling of each name, one per line in order.
fn cxxfilt(names: &[String]) -> Vec<String> {
    let mut child = Command::new("llvm-cxxfilt-22")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run llvm-cxxfilt-22");
    let mut input = String::new();
    for n in names {
        input.push_str(n);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("llvm-cxxfilt-22 output");
    writer.join().unwrap().expect("write to llvm-cxxfilt-22");
    assert!(out.status.success(), "llvm-cxxfilt-22 failed");
    String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn libcxx_names_demangle_as_llvm_cxxfilt_does() {
    let mut names: Vec<String> = ["libc++.a", "libc++abi.a"]
        .iter()
        .flat_map(|a| mangled_names(a))
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() > 1000, "only {} C++ names found", names.len());
    assert!(names.iter().any(|n| n.contains("TnN")), "no TnN names");
    let want = cxxfilt(&names);
    assert_eq!(want.len(), names.len());
    let differ: Vec<String> = names
        .iter()
        .zip(&want)
        .filter(|(n, w)| weld::demangle::demangle(n) != w.as_str())
        .map(|(n, w)| format!("{n}\n  llvm: {w}\n  weld: {}", weld::demangle::demangle(n)))
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} names differ:\n{}",
        differ.len(),
        names.len(),
        differ.join("\n")
    );
}
