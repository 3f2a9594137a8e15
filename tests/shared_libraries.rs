//! `-shared` and `-pie`: shared libraries and position-independent main modules for dynamic
//! loading, compared byte for byte with wasm-ld-22's (exit status, messages and output) on
//! `-fPIC` objects and on options that change them. `cargo xtask dylink` also loads weld's
//! modules and runs them.

mod support;

use support::*;

/// Everything a library can refer to: its own data and functions (exported, hidden, static,
/// `.bss`, weak), another module's, and weak ones nobody defines.
const LIB: &str = r#"
#define EXPORT __attribute__((visibility("default")))
extern int ext_data;
extern int ext_fn(int);
__attribute__((weak)) extern int weak_ext_data;
__attribute__((weak)) extern int weak_ext_fn(int);
EXPORT int pub_data = 1;
static int priv_data = 2;
__attribute__((visibility("hidden"))) int hid_data = 3;
EXPORT int bss_data;
static const char msg[] = "hello";
int *ptrs[] = { &ext_data, &pub_data, &priv_data, &hid_data, &weak_ext_data };
static int local_fn(int x) { return x + 1; }
__attribute__((visibility("hidden"))) int hid_fn(int x) { return x + 2; }
EXPORT int pub_fn(int x) { return x + 3; }
__attribute__((weak)) EXPORT int weak_def(int x) { return x + 4; }
int (*fns[])(int) = { ext_fn, local_fn, hid_fn, pub_fn, weak_ext_fn, weak_def };
EXPORT const char *text(void) { return msg + 1; }
EXPORT int use(int i) {
  return *ptrs[i] + fns[i](i) + ext_fn(i) + pub_fn(i) + hid_fn(i) + local_fn(i) + weak_def(i)
      + ext_data + pub_data + priv_data + hid_data + bss_data
      + (weak_ext_fn ? weak_ext_fn(1) : 0) + (&weak_ext_data ? 1 : 0);
}
EXPORT int (*addr_of(int i))(int) { return i ? pub_fn : ext_fn; }
"#;

#[test]
fn shared_libraries_match_wasm_ld() {
    let s = Scratch::new();
    let lib = s.compile("lib", LIB, &["-fPIC"]).display().to_string();
    let dynamic = "--unresolved-symbols=import-dynamic";
    let rows: Vec<(&str, Vec<&str>)> = vec![
        ("plain", vec!["--experimental-pic", "-shared", dynamic]),
        // The warning without --experimental-pic.
        ("warning", vec!["-shared", dynamic]),
        (
            "no_export_dynamic",
            vec![
                "--experimental-pic",
                "-shared",
                "--no-export-dynamic",
                dynamic,
            ],
        ),
        (
            "export",
            vec![
                "--experimental-pic",
                "-shared",
                "--no-export-dynamic",
                "--export=use",
                dynamic,
            ],
        ),
        (
            "soname",
            vec!["--experimental-pic", "-shared", "--soname=libx.so", dynamic],
        ),
        (
            "no_gc",
            vec!["--experimental-pic", "-shared", "--no-gc-sections", dynamic],
        ),
        (
            "export_memory",
            vec!["--experimental-pic", "-shared", "--export-memory", dynamic],
        ),
        // The library's own definitions bound here: GOT globals of its own, set by
        // `__wasm_apply_global_relocs`, which `__wasm_start` calls before zeroing `.bss`.
        (
            "bsymbolic",
            vec!["--experimental-pic", "-shared", "-Bsymbolic", dynamic],
        ),
        // The same object as a main module: definitions bound here, memory defined.
        (
            "pie",
            vec!["--experimental-pic", "-pie", "--no-entry", dynamic],
        ),
        ("pie_warning", vec!["-pie", "--no-entry", dynamic]),
        (
            "pie_export_dynamic",
            vec![
                "--experimental-pic",
                "-pie",
                "--no-entry",
                "--export-dynamic",
                dynamic,
            ],
        ),
        (
            "pie_no_gc",
            vec![
                "--experimental-pic",
                "-pie",
                "--no-entry",
                "--no-gc-sections",
                dynamic,
            ],
        ),
        // An imported memory: `.bss` zeroed by `__wasm_init_memory`, after the GOT globals.
        (
            "pie_import_memory",
            vec![
                "--experimental-pic",
                "-pie",
                "--no-entry",
                "--import-memory",
                dynamic,
            ],
        ),
        (
            "pie_and_shared",
            vec!["--experimental-pic", "-pie", "-shared", dynamic],
        ),
    ];
    let mut failures = Vec::new();
    let mut linked = 0;
    for (what, flags) in &rows {
        let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        args.push(lib.clone());
        match same_as_wasm_ld(&s, what, &args) {
            Ok(ok) => linked += usize::from(ok),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        linked,
        rows.len() - 2,
        "all but `export_memory` and `pie_and_shared` link"
    );
    // Without import-dynamic the undefined symbols are errors. wasm-ld reports each
    // relocation against them; weld each symbol once, with the function that referenced it.
    let args = [
        vec![
            "--experimental-pic".to_string(),
            "-shared".into(),
            lib.clone(),
        ],
        vec!["-o".into(), s.path("undefined.so").display().to_string()],
    ]
    .concat();
    let (ours, theirs) = (weld(&args), wasm_ld(&args));
    assert_eq!(
        (ours.status.code(), theirs.status.code()),
        (Some(1), Some(1))
    );
    for name in ["undefined symbol: ext_fn", "undefined symbol: ext_data"] {
        assert!(stderr(&ours).contains(name) && stderr(&theirs).contains(name));
    }
}

#[test]
fn non_pic_objects_in_a_shared_library_fail_as_in_wasm_ld() {
    // Absolute addresses in code cannot be placed at load time: one error per relocation.
    let s = Scratch::new();
    let obj = s
        .compile(
            "abs",
            "int counter;\n__attribute__((visibility(\"default\"))) int *get(void) { return &counter; }\n\
             __attribute__((visibility(\"default\"))) int (*fp(void))(void) { return 0; }\n",
            &[],
        )
        .display()
        .to_string();
    let args = vec!["--experimental-pic".to_string(), "-shared".into(), obj];
    assert_eq!(same_as_wasm_ld(&s, "absolute", &args), Ok(false));
}

/// Thread-local data in a library and a main module: exported with `dylink.0` export info,
/// in the one `.data` without shared memory; with it, passive segments, a position-independent
/// `__wasm_init_memory` and `__wasm_apply_tls_relocs` (spec/dynamic.md).
const TLS: &str = r#"
#define EXPORT __attribute__((visibility("default")))
static _Thread_local int tl_counter = 3;
EXPORT _Thread_local int tl_pub = 7;
_Thread_local int tl_bss;
static int plain = 9;
_Thread_local int *tl_ptr = &plain;
EXPORT int tls_use(void) { tl_counter++; tl_bss += 2; return tl_counter + tl_pub + tl_bss + *tl_ptr; }
EXPORT int *tls_addr(void) { return &tl_pub; }
"#;

#[test]
fn thread_local_data_in_position_independent_modules_matches_wasm_ld() {
    let s = Scratch::new();
    let obj = s
        .compile("tls", TLS, &["-fPIC", "-matomics", "-mbulk-memory"])
        .display()
        .to_string();
    let rows: &[(&str, &[&str])] = &[
        ("shared", &["-shared"]),
        ("shared_export_all", &["-shared", "--export-all"]),
        ("shared_memory", &["-shared", "--shared-memory"]),
        ("pie", &["-pie", "--no-entry", "--export-dynamic"]),
        (
            "pie_shared_memory",
            &[
                "-pie",
                "--no-entry",
                "--shared-memory",
                "--import-memory",
                "--export-all",
            ],
        ),
    ];
    let failures = compare_rows(
        &s,
        &["--experimental-pic"],
        rows,
        |_| obj.clone(),
        |_| false,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Another module's thread-local symbol: a `.so` input's exports are plain data to both
    // linkers, so a TLS relocation against one is wasm-ld's error, and no output is written.
    let flags = ["-fPIC", "-matomics", "-mbulk-memory"];
    let lib = s.path("libtls.so").display().to_string();
    let lib_args: Vec<String> = [
        "--experimental-pic",
        "-shared",
        "--shared-memory",
        &obj,
        "-o",
        &lib,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    assert_eq!(wasm_ld(&lib_args).status.code(), Some(0));
    // Declared hidden, the compiler reaches it `__tls_base`-relative (`R_WASM_MEMORY_ADDR_TLS_SLEB`)
    // rather than through a `GOT.mem` import.
    let main = s.compile(
        "tls_main",
        "extern __attribute__((visibility(\"hidden\"))) _Thread_local int tl_pub;\n\
         int read_it(void) { return tl_pub; }",
        &flags,
    );
    let out = s.path("tls_main.wasm");
    let main_args: Vec<String> = [
        "--experimental-pic",
        "-pie",
        "--no-entry",
        "--shared-memory",
        "--import-memory",
        "--export=read_it",
        &main.display().to_string(),
        &lib,
        "-o",
        &out.display().to_string(),
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let (ours, theirs) = (weld(&main_args), wasm_ld(&main_args));
    let message =
        "relocation R_WASM_MEMORY_ADDR_TLS_SLEB cannot be used against non-TLS symbol `tl_pub`";
    assert_eq!(
        (ours.status.code(), theirs.status.code()),
        (Some(1), Some(1))
    );
    assert!(stderr(&theirs).contains(message), "{}", stderr(&theirs));
    assert!(stderr(&ours).contains(message), "{}", stderr(&ours));
    assert!(!out.exists());
}

#[test]
fn extended_constant_expressions_place_data_and_got_entries_as_wasm_ld() {
    let s = Scratch::new();
    let obj = s
        .compile("lib", LIB, &["-fPIC", "-mextended-const"])
        .display()
        .to_string();
    let dynamic = "--unresolved-symbols=import-dynamic";
    let rows: &[(&str, &[&str])] = &[
        ("shared", &["-shared", dynamic]),
        ("bsymbolic", &["-shared", "-Bsymbolic", dynamic]),
        ("pie", &["-pie", "--no-entry", "--export-dynamic", dynamic]),
    ];
    let failures = compare_rows(
        &s,
        &["--experimental-pic"],
        rows,
        |_| obj.clone(),
        |_| false,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An 8-byte pointer in data of a wasm32 PIE: wasm-ld-22 adds an `i64.const` to the i32
/// `__memory_base` (the module does not validate); weld widens the base first [weld].
#[test]
fn eight_byte_pointers_in_pic_data_are_relocated_validly() {
    let s = Scratch::new();
    let obj = s.assemble(
        "wide",
        ".globl _start\n_start:\n  .functype _start () -> ()\n  end_function\n\
         .section .data.target,\"\",@\n.globl target\ntarget:\n  .int32 7\n  .size target, 4\n\
         .section .data.ptr,\"\",@\n.globl ptr\nptr:\n  .int64 target+2\n  .size ptr, 8\n",
        &[],
    );
    let out = s.path("wide.wasm");
    let args: Vec<String> = ["--experimental-pic", "-pie", "--export=ptr"]
        .iter()
        .map(|a| a.to_string())
        .chain([
            obj.display().to_string(),
            "-o".into(),
            out.display().to_string(),
        ])
        .collect();
    let o = weld(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    wasmparser::Validator::new().validate_all(&bytes).unwrap();
    let theirs = s.path("wide-ld.wasm");
    let mut ld_args = args.clone();
    *ld_args.last_mut().unwrap() = theirs.display().to_string();
    assert_eq!(wasm_ld(&ld_args).status.code(), Some(0));
    let ld_bytes = std::fs::read(&theirs).unwrap();
    assert!(
        wasmparser::Validator::new()
            .validate_all(&ld_bytes)
            .is_err(),
        "wasm-ld-22 now writes a valid module: weld may follow it again"
    );
}

/// `--unresolved-symbols=import-dynamic` in a fixed-address executable: undefined functions
/// imported, undefined data through `GOT.mem` imports written into data by
/// `__wasm_apply_data_relocs`, a missing weak function still a stub of the module's own,
/// `dylink.0` with no memory of its own; non-PIC code that needs an undefined symbol's address
/// is an error per relocation; and a `.so` input without `-shared`/`-pie` is refused.
#[test]
fn dynamic_imports_in_an_executable_match_wasm_ld() {
    let s = Scratch::new();
    let pic = s.compile("lib", LIB, &["-fPIC"]).display().to_string();
    let non_pic = s.compile("lib_nopic", LIB, &[]).display().to_string();
    let dynamic = "--unresolved-symbols=import-dynamic";
    let rows: &[(&str, &[&str])] = &[
        ("pic", &["--no-entry", dynamic]),
        // Without the warning.
        (
            "pic_experimental",
            &["--no-entry", "--experimental-pic", dynamic],
        ),
        (
            "pic_export_dynamic",
            &["--no-entry", "--export-dynamic", dynamic],
        ),
        (
            "pic_import_memory",
            &["--no-entry", "--import-memory", dynamic],
        ),
        ("pic_export_all", &["--no-entry", "--export-all", dynamic]),
        ("non_pic", &["--no-entry", dynamic]),
        (
            "non_pic_export_dynamic",
            &["--no-entry", "--export-dynamic", dynamic],
        ),
    ];
    let failures = compare_rows(
        &s,
        &[],
        rows,
        |what| {
            if what.starts_with("pic") {
                pic.clone()
            } else {
                non_pic.clone()
            }
        },
        |what| what == "non_pic_export_dynamic",
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A shared library input needs a position-independent output.
    let lib = s.path("libx.so");
    let args = |out: &str| -> Vec<String> {
        vec![
            "--experimental-pic".into(),
            "-shared".into(),
            pic.clone(),
            dynamic.into(),
            "-o".into(),
            out.into(),
        ]
    };
    assert_eq!(
        wasm_ld(&args(&lib.display().to_string())).status.code(),
        Some(0)
    );
    let main = s.compile("main", "int main_fn(void) { return 1; }", &[]);
    let static_args = vec![
        "--no-entry".to_string(),
        main.display().to_string(),
        lib.display().to_string(),
        "-o".into(),
        s.path("static.wasm").display().to_string(),
    ];
    let (ours, theirs) = (weld(&static_args), wasm_ld(&static_args));
    assert_eq!(
        (ours.status.code(), theirs.status.code()),
        (Some(1), Some(1))
    );
    assert!(stderr(&ours).contains("attempted static link of dynamic object"));
    assert!(stderr(&theirs).contains("attempted static link of dynamic object"));
}
