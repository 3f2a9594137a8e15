//! Golden dumps of small linked modules (sections, symbols, layout), kept under `snapshots/`
//! with insta so that reviewers see layout changes in diffs. The inputs avoid libc so that the
//! dumps stay short. Each fixture is also linked by wasm-ld-22, and weld's output must be
//! byte-identical to it.

mod support;

use std::path::Path;

use support::*;

fn link_no_libc(s: &Scratch, objects: &[&Path], extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    // Same file name for both: the name section records it.
    std::fs::create_dir_all(s.path("weld")).unwrap();
    std::fs::create_dir_all(s.path("ref")).unwrap();
    let out = s.path("weld/out.wasm");
    let reference = s.path("ref/out.wasm");
    let mut args: Vec<String> = vec!["-m".into(), "wasm32".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(objects.iter().map(|p| p.display().to_string()));
    let mut w = args.clone();
    w.extend(["-o".into(), out.display().to_string()]);
    let mut r = args;
    r.extend(["-o".into(), reference.display().to_string()]);
    let o = weld(&w);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wasm_ld(&r);
    assert!(o.status.success(), "{}", stderr(&o));
    (
        std::fs::read(out).unwrap(),
        std::fs::read(reference).unwrap(),
    )
}

/// The parts of a dump that weld promises to lay out exactly as wasm-ld does.
fn layout_lines(dump: &str) -> Vec<&str> {
    dump.lines()
        .filter(|l| {
            l.starts_with("memory")
                || l.starts_with("table")
                || l.starts_with("global")
                || l.starts_with("data")
        })
        .collect()
}

fn snapshot(name: &str, dump: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, dump);
    });
}

#[test]
fn data_and_function_pointers() {
    let s = Scratch::new();
    let a = s.compile(
        "a",
        r#"
        extern int numbers[4];
        int add(int a, int b) { return a + b; }
        int (*ops[2])(int, int) = { add, 0 };
        int *third = &numbers[2];
        const char *greeting = "hello" + 1;
        __attribute__((export_name("run"))) int run(void) { return ops[0](*third, greeting[0]); }
        "#,
        &[],
    );
    let b = s.compile(
        "b",
        r#"
        int numbers[4] = {10, 20, 30, 40};
        static char scratch[4096];
        __attribute__((export_name("touch"))) char *touch(void) { return scratch; }
        "#,
        &[],
    );
    let (weld_out, ref_out) = link_no_libc(&s, &[&a, &b], &["--no-entry"]);
    let (w, r) = (dump(&weld_out), dump(&ref_out));
    assert_eq!(
        layout_lines(&w),
        layout_lines(&r),
        "layout differs from wasm-ld"
    );
    snapshot("data_and_function_pointers", &w);
}

#[test]
fn weak_and_ctor_functions() {
    let s = Scratch::new();
    let a = s.compile(
        "a",
        r#"
        __attribute__((weak)) int hook(void) { return 1; }
        __attribute__((weak)) int missing(int);
        static int state;
        __attribute__((constructor(200))) static void second(void) { state = state * 10 + 2; }
        __attribute__((constructor(101))) static void first(void) { state = state * 10 + 1; }
        __attribute__((export_name("probe"))) int probe(void) {
          return hook() + state + (missing ? missing(1) : 0);
        }
        int _start_called;
        void _start(void) { _start_called = 1; }
        "#,
        &[],
    );
    let b = s.compile("b", "int hook(void) { return 100; }", &[]);
    let (weld_out, ref_out) = link_no_libc(&s, &[&a, &b], &[]);
    let (w, r) = (dump(&weld_out), dump(&ref_out));
    assert_eq!(
        layout_lines(&w),
        layout_lines(&r),
        "layout differs from wasm-ld"
    );
    snapshot("weak_and_ctor_functions", &w);
}
