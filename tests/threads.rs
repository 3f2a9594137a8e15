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

/// The rows that are errors (in wasm-ld as in weld).
fn should_fail(what: &str) -> bool {
    what == "shared-relocatable" || what == "shared-max-too-small" || what == "plain-shared"
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
    let mut failures = compare_rows(&s, &[], rows, |_| t.clone(), should_fail);
    // Inputs without threads: shared memory is refused, naming the file.
    let plain_rows: &[(&str, &[&str])] = &[
        ("plain-shared", &["--shared-memory"]),
        (
            "plain-shared-no-check",
            &["--shared-memory", "--no-check-features"],
        ),
    ];
    failures.extend(compare_rows(
        &s,
        &[],
        plain_rows,
        |_| p.clone(),
        should_fail,
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `global.get tv@GOT@TLS`: a GOT global for a thread-local symbol, the thread's address of it
/// (set per thread by `__wasm_apply_global_tls_relocs` under shared memory), beside the GOT
/// global of an ordinary data symbol, which that function leaves alone.
#[test]
fn tls_got_entries_link_as_wasm_ld_does() {
    let s = Scratch::new();
    let text = ".globaltype __tls_base, i32\n.globl get\nget:\n  .functype get () -> (i32)\n  \
                global.get dv@GOT\n  i32.load 0\n  global.get tv@GOT@TLS\n  i32.load 0\n  \
                i32.add\n  end_function\n.globl _start\n_start:\n  \
                .functype _start () -> ()\n  call get\n  drop\n  end_function\n\
                .section .data.dv,\"\",@\n.globl dv\n.p2align 2\ndv:\n  .int32 9\n  .size dv, 4\n\
                .section .tdata.tv,\"T\",@\n.globl tv\n.p2align 2\ntv:\n  .int32 5\n  .size tv, 4\n\
                .section .tdata.tw,\"T\",@\n.globl tw\n.p2align 2\ntw:\n  .int32 6\n  .size tw, 4\n\
                .section .custom_section.target_features,\"\",@\n  .int8 2\n  .int8 43\n  \
                .int8 7\n  .ascii \"atomics\"\n  .int8 43\n  .int8 11\n  .ascii \"bulk-memory\"\n";
    let obj = s.assemble("tlsgot", text, &[]).display().to_string();
    let rows: &[(&str, &[&str])] = &[
        ("plain", &[]),
        ("shared", &["--shared-memory"]),
        (
            "shared-init-tls",
            &["--shared-memory", "--export=__wasm_init_tls"],
        ),
        ("shared-export-all", &["--shared-memory", "--export-all"]),
        ("shared-no-gc", &["--shared-memory", "--no-gc-sections"]),
        ("shared-emit-relocs", &["--shared-memory", "--emit-relocs"]),
        ("relocatable", &["-r"]),
    ];
    let failures = compare_rows(&s, &[], rows, |_| obj.clone(), |_| false);
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
    // llvm-mc writes a `target_features` section only when the source has one.
    let features = ".section .custom_section.target_features,\"\",@\n  .int8 2\n  .int8 43\n  \
                    .int8 7\n  .ascii \"atomics\"\n  .int8 43\n  .int8 11\n  \
                    .ascii \"bulk-memory\"\n";
    let with = s.assemble("tls-features", &format!("{text}{features}"), &[]);
    let mut failures = Vec::new();
    for (what, o) in [("no-features", &obj), ("features", &with)] {
        for shared in [false, true] {
            let mut args = vec![o.display().to_string()];
            if shared {
                args.push("--shared-memory".into());
            }
            let name = format!("{what}-{shared}");
            match same_as_wasm_ld(&s, &name, &args) {
                Err(e) => failures.push(e),
                // Only the object with both features links.
                Ok(linked) if linked != (what == "features") => {
                    failures.push(format!("{name}: linked = {linked}, not as expected"))
                }
                Ok(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
