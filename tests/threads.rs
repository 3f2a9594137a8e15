//! Threads and thread-local storage: `--shared-memory` and TLS, with and without shared memory,
//! across the options that change how they are laid out, each linked by weld and by wasm-ld-22
//! and required to be byte-identical (or to fail with the same messages).

mod support;

use support::*;

/// Thread-local data (initialised and zero), ordinary data and `.bss`, an atomic counter and a
/// constructor: every kind of segment `__wasm_init_memory` handles.
const THREADED: &str = r#"
#include <stdatomic.h>
_Thread_local int tdata = 42;
_Thread_local int tbss;
int data = 7;
int zero[10];
_Thread_local int *tptr = &zero[2];
atomic_int counter;
static const char *greeting = "hello";
__attribute__((constructor)) static void init(void) { data += greeting[1]; }
int *tls_addr(void) { return &tdata; }
int get(void) { return tdata + tbss + data + zero[3] + *tptr; }
void _start(void) { tbss = get(); atomic_fetch_add(&counter, 1); }
"#;

/// The same without threads: its objects lack `atomics` and `bulk-memory`.
const PLAIN: &str = "int data = 7;\nvoid _start(void) { data++; }\n";

/// Links `args` (plus `-o`) with both linkers in their own directories and compares.
fn same_as_wasm_ld(s: &Scratch, what: &str, args: &[String]) -> Result<(), String> {
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
    Ok(())
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

#[test]
fn shared_memory_and_tls_link_as_wasm_ld_does() {
    let s = Scratch::new();
    let threaded = s.compile("threaded", THREADED, &["-matomics", "-mbulk-memory"]);
    let plain = s.compile("plain", PLAIN, &[]);
    let t = threaded.display().to_string();
    let p = plain.display().to_string();
    let rows: &[(&str, &[&str])] = &[
        ("tls-without-shared-memory", &[]),
        ("shared", &["--shared-memory"]),
        ("shared-max", &["--shared-memory", "--max-memory=131072"]),
        ("shared-import", &["--shared-memory", "--import-memory"]),
        (
            "shared-import-export",
            &["--shared-memory", "--import-memory", "--export-memory"],
        ),
        (
            "shared-no-merge",
            &["--shared-memory", "--no-merge-data-segments"],
        ),
        ("shared-export-all", &["--shared-memory", "--export-all"]),
        ("export-all", &["--export-all"]),
        (
            "shared-export-tls",
            &[
                "--shared-memory",
                "--export=tdata",
                "--export=tbss",
                "--export=__tls_base",
                "--export=__tls_size",
                "--export=__tls_align",
                "--export=__wasm_init_tls",
            ],
        ),
        ("export-tls", &["--export=tdata", "--export=tbss"]),
        ("shared-emit-relocs", &["--shared-memory", "--emit-relocs"]),
        (
            "shared-stack-after",
            &["--shared-memory", "--no-stack-first"],
        ),
        (
            "shared-global-base",
            &["--shared-memory", "--no-stack-first", "--global-base=4096"],
        ),
        ("shared-no-gc", &["--shared-memory", "--no-gc-sections"]),
        ("relocatable", &["-r"]),
        // Errors: wasm-ld's own words.
        ("shared-relocatable", &["-r", "--shared-memory"]),
        (
            "shared-max-too-small",
            &["--shared-memory", "--max-memory=65536"],
        ),
    ];
    let mut failures = Vec::new();
    for (what, extra) in rows {
        let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        args.push(t.clone());
        if let Err(e) = same_as_wasm_ld(&s, what, &args) {
            failures.push(e);
        }
    }
    // Inputs without threads: shared memory is refused, naming the file.
    for (what, extra) in [
        ("plain-shared", vec!["--shared-memory"]),
        (
            "plain-shared-no-check",
            vec!["--shared-memory", "--no-check-features"],
        ),
    ] {
        let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        args.push(p.clone());
        if let Err(e) = same_as_wasm_ld(&s, what, &args) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Thread-local data without the `atomics` feature is an error (wasm-ld's words).
#[test]
fn tls_needs_atomics_and_bulk_memory() {
    let s = Scratch::new();
    let text = ".globaltype __tls_base, i32\n.globl get\nget:\n  .functype get () -> (i32)\n  \
                global.get __tls_base\n  i32.const tv@TLSREL\n  i32.add\n  end_function\n\
                .globl _start\n_start:\n  .functype _start () -> ()\n  call get\n  drop\n  \
                end_function\n.section .tdata.tv,\"T\",@\n.globl tv\n.p2align 2\ntv:\n  \
                .int32 5\n  .size tv, 4\n";
    let obj = s.assemble("tls", text, &[]);
    let with = s.assemble("tls-features", text, &["+atomics", "+bulk-memory"]);
    let mut failures = Vec::new();
    for (what, o) in [("no-features", &obj), ("features", &with)] {
        for shared in [false, true] {
            let mut args = vec![o.display().to_string()];
            if shared {
                args.push("--shared-memory".into());
            }
            if let Err(e) = same_as_wasm_ld(&s, &format!("{what}-{shared}"), &args) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
