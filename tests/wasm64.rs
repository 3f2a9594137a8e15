//! wasm64 (`-m wasm64`): every 64-bit relocation type, 64-bit memory, table and address globals,
//! memory limits above 4 GiB, shared memory and TLS, relocatable output, and the errors for
//! mixing widths, each linked by weld and by wasm-ld-22 and required to be byte-identical (or to
//! fail with the same messages). Execution is covered by the `wasm64_*` differential cases.

mod support;

use support::*;

/// Every 64-bit relocation: `MEMORY_ADDR_LEB64`, `_SLEB64`, `_I64`, `_REL_SLEB64`,
/// `_TLS_SLEB64`, `TABLE_INDEX_SLEB64`, `_I64`, `_REL_SLEB64` and `FUNCTION_OFFSET_I64`
/// (the REL forms outside PIC, where `__memory_base` is 0).
const RELOCS64: &str = r#"
.globaltype __stack_pointer, i64
.globaltype __tls_base, i64
.globaltype __memory_base, i64, immutable
.globaltype __table_base, i64, immutable

.globl helper
helper:
  .functype helper () -> (i64)
  i64.const 42
  end_function

.globl _start
_start:
  .functype _start () -> ()
  i64.const data
  i64.load 0
  drop
  i64.const 0
  i64.load data+8
  drop
  global.get __memory_base
  i64.const data@MBREL
  i64.add
  drop
  global.get __table_base
  i64.const helper@TBREL
  i64.add
  drop
  global.get __tls_base
  i64.const tv@TLSREL
  i64.add
  drop
  i64.const helper
  drop
  end_function

.section .data.data,"",@
.globl data
.p2align 3
data:
  .int64 data+16
  .int64 helper
  .int64 7
  .size data, 24

.section .tdata.tv,"T",@
.globl tv
.p2align 3
tv:
  .int64 5
  .size tv, 8

.section .debug_info,"",@
  .int64 helper
  .int64 data

.section .custom_section.target_features,"",@
  .int8 2
  .int8 43
  .int8 7
  .ascii "atomics"
  .int8 43
  .int8 11
  .ascii "bulk-memory"
"#;

/// C with data and function pointers, a constructor, `.bss` and thread-local data.
const PROGRAM: &str = r#"
static int table[4] = {1, 2, 3, 4};
int *ptrs[2] = {&table[1], &table[3]};
static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
int (*ops[2])(int, int) = {add, mul};
char big[100];
_Thread_local long tcount = 3;
__attribute__((constructor)) static void init(void) { big[5] = 9; }
int apply(int i, int a, int b) { return ops[i](a, b) + *ptrs[i] + big[5] + (int)tcount++; }
void _start(void) { big[0] = apply(1, 2, 3); }
"#;

fn compile64(s: &Scratch, name: &str, source: &str, flags: &[&str]) -> String {
    let src = s.path(&format!("{name}.c"));
    std::fs::write(&src, source).unwrap();
    let obj = s.path(&format!("{name}.o"));
    let out = std::process::Command::new(CLANG)
        .args(["--target=wasm64", "-c", "-matomics", "-mbulk-memory"])
        .args(flags)
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .output()
        .expect("clang-22 (run `cargo xtask setup`)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    obj.display().to_string()
}

fn assemble64(s: &Scratch, name: &str, text: &str) -> String {
    let src = s.path(&format!("{name}.s"));
    std::fs::write(&src, text).unwrap();
    let obj = s.path(&format!("{name}.o"));
    let out = std::process::Command::new("llvm-mc-22")
        .args([
            "-triple=wasm64-unknown-unknown",
            "-filetype=obj",
            "-mattr=+atomics,+bulk-memory",
        ])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .output()
        .expect("llvm-mc-22 (run `cargo xtask setup`)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    obj.display().to_string()
}

/// The rows that are errors (in wasm-ld as in weld).
fn should_fail(what: &str) -> bool {
    what.ends_with("too-large")
        || what.contains("-in-")
        || what.contains("without")
        || what.contains("after")
        || what.starts_with("bad")
}

#[test]
fn wasm64_links_as_wasm_ld_does() {
    let s = Scratch::new();
    let relocs = assemble64(&s, "relocs64", RELOCS64);
    let o0 = compile64(&s, "prog-O0", PROGRAM, &["-O0", "-g"]);
    let o2 = compile64(&s, "prog-O2", PROGRAM, &["-O2"]);
    let rows: &[(&str, &[&str])] = &[
        ("relocs", &[]),
        ("relocs-shared", &["--shared-memory"]),
        ("relocs-emit-relocs", &["--emit-relocs"]),
        ("relocs-r", &["-r"]),
        ("relocs-export-all", &["--export-all"]),
        ("relocs-no-gc", &["--no-gc-sections"]),
        ("O0", &[]),
        ("O2", &[]),
        ("O0-import-memory", &["--import-memory"]),
        ("O0-import-table", &["--import-table"]),
        ("O0-export-table", &["--export-table"]),
        ("O0-export-all", &["--export-all"]),
        ("O0-shared", &["--shared-memory"]),
        (
            "O0-shared-import",
            &["--shared-memory", "--import-memory", "--export-memory"],
        ),
        ("O0-emit-relocs", &["--emit-relocs"]),
        ("O0-r", &["-r"]),
        ("O0-strip-debug", &["--strip-debug"]),
        ("O0-initial-8GiB", &["--initial-memory=8589934592"]),
        ("O0-max-16GiB", &["--max-memory=17179869184"]),
        (
            "O0-data-above-4GiB",
            &["--no-stack-first", "--global-base=5000000000"],
        ),
        ("O0-table-base", &["--table-base=100"]),
        // Errors, in wasm-ld's words.
        ("O0-max-too-large", &["--max-memory=34359738368"]),
        ("O0-initial-too-large", &["--initial-memory=34359738368"]),
    ];
    let input = |what: &str| {
        if what.starts_with("relocs") {
            relocs.clone()
        } else if what.starts_with("O2") {
            o2.clone()
        } else {
            o0.clone()
        }
    };
    let failures = compare_rows(&s, &["-m", "wasm64"], rows, input, should_fail);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One address width per link: wasm-ld's errors for a wasm64 object without `-m wasm64` and
/// for mixed widths, in either order.
#[test]
fn mixed_widths_are_refused_as_wasm_ld_refuses_them() {
    let s = Scratch::new();
    let o64 = compile64(&s, "o64", "int f(void) { return 1; }\n", &["-O1"]);
    let o32 = s
        .compile("o32", "int g(void) { return 2; }\n", &[])
        .display()
        .to_string();
    let rows: Vec<(&str, Vec<&str>)> = vec![
        ("64-without-m", vec!["--no-entry", &o64]),
        ("32-in-64", vec!["-m", "wasm64", "--no-entry", &o64, &o32]),
        ("64-in-32", vec!["-m", "wasm32", "--no-entry", &o64]),
        ("64-after-32", vec!["--no-entry", &o32, &o64]),
        ("bad-arch", vec!["-m", "wasm128", "--no-entry", &o32]),
    ];
    let mut failures = Vec::new();
    for (what, args) in rows {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match same_as_wasm_ld(&s, what, &args) {
            Err(e) => failures.push(e),
            Ok(linked) if linked == should_fail(what) => {
                failures.push(format!("{what}: linked = {linked}, not as expected"))
            }
            Ok(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
