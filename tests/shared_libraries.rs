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
