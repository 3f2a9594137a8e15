//! wasm-ld options that change the module's shape: for each option set, the same objects are
//! linked by wasm-ld-22 and by weld, and the parts of the module each option is about (memory,
//! table, globals, exports, imports, data segments, custom sections) must be the same.

mod support;

use support::*;

const MAIN: &str = r#"
#include <stdio.h>
extern char __heap_base[], __data_end[], __global_base[];
static int (*handlers[2])(int);
static int twice(int x) { return 2 * x; }
int counter = 7;
char big_zeroes[10000];
const char *label = "options";
__attribute__((export_name("probe"))) int probe(void) {
  handlers[0] = twice;
  return handlers[0](counter) + (int)(__heap_base - __data_end) + big_zeroes[3] + label[0];
}
int main(void) { printf("%d\n", probe()); return 0; }
"#;

fn lines_about<'a>(dump: &'a str, prefixes: &[&str]) -> Vec<&'a str> {
    dump.lines()
        .filter(|l| prefixes.iter().any(|p| l.starts_with(p)))
        .collect()
}

#[test]
fn layout_options_match_wasm_ld() {
    let s = Scratch::new();
    let obj = s.compile("main", MAIN, &["-g"]);
    let cases: &[&[&str]] = &[
        &[],
        &["--import-memory"],
        &["--import-memory=mymod,mem"],
        &["--export-memory=mem"],
        &["--initial-memory=262144"],
        &["--max-memory=1048576"],
        &["--no-growable-memory"],
        &["--initial-heap=131072"],
        &["-z", "stack-size=8192"],
        &["--no-stack-first"],
        &["--no-stack-first", "--global-base=4096"],
        &["--global-base=131072"],
        &["--export-table"],
        &["--growable-table"],
        &["--import-table"],
        &["--table-base=5"],
        &["--export-dynamic"],
        &["--export-all"],
        &["--export-all", "--no-gc-sections"],
        &["--export=__stack_pointer"],
        &["--allow-undefined"],
        &["--unresolved-symbols=ignore-all"],
        &["--export=__heap_base", "--export=counter"],
        &["--export-if-defined=label", "--export-if-defined=nothing"],
        &["--no-merge-data-segments"],
        &["--no-gc-sections"],
        &["--strip-debug"],
        &["--strip-all"],
        &["--strip-all", "--keep-section=.debug_info"],
        &["-O0"],
        &["--entry=probe"],
        &["--no-entry"],
    ];
    let aspects = [
        "import", "table", "memory", "global", "export", "elem", "data", "custom",
    ];
    for opts in cases {
        let out = s.path("out.wasm");
        let mut args = command_link_args(&[&obj], &out);
        args.splice(0..0, opts.iter().map(|o| o.to_string()));
        let reference = wasm_ld(&args);
        assert!(
            reference.status.success(),
            "wasm-ld {opts:?}: {}",
            stderr(&reference)
        );
        let expected = dump(&std::fs::read(&out).unwrap());
        std::fs::remove_file(&out).unwrap();
        let o = weld(&args);
        assert!(o.status.success(), "weld {opts:?}: {}", stderr(&o));
        let got = dump(&std::fs::read(&out).unwrap());
        let (e, g) = (
            lines_about(&expected, &aspects),
            lines_about(&got, &aspects),
        );
        // Strings are merged in a different order (spec/layout.md), so .rodata bytes may differ;
        // its address and size may not.
        let strip = |v: Vec<&str>| -> Vec<String> {
            v.into_iter()
                .map(|l| match l.find(" bytes [") {
                    Some(i) if l.starts_with("data .rodata") => l[..i].to_string(),
                    _ => l.to_string(),
                })
                .collect()
        };
        // wasm-ld emits `--export` names in the order of an LLVM hash set; weld in symbol-table
        // order (spec/output.md), so exports are compared as a set.
        let canon = |v: Vec<String>| -> Vec<String> {
            let (mut exports, rest): (Vec<String>, Vec<String>) =
                v.into_iter().partition(|l| l.starts_with("export"));
            exports.sort();
            rest.into_iter().chain(exports).collect()
        };
        assert_eq!(
            canon(strip(g)),
            canon(strip(e)),
            "options {opts:?}: weld and wasm-ld differ"
        );
    }
}

#[test]
fn print_gc_sections_matches_wasm_ld() {
    let s = Scratch::new();
    let obj = s.compile(
        "main",
        "#include <stdio.h>\n__attribute__((weak)) int absent(int);\n\
         static int unused_fn(int x) { return x * 3; }\nint (*keep)(int) = 0;\n\
         int unused_data[16] = {1};\n\
         int main(void) { printf(\"%d\\n\", absent ? absent(1) : 2); return 0; }",
        &["-ffunction-sections"],
    );
    let out = s.path("out.wasm");
    let mut args = command_link_args(&[&obj], &out);
    args.push("--print-gc-sections".into());
    let reference = wasm_ld(&args);
    assert!(reference.status.success());
    let o = weld(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = String::from_utf8_lossy(&reference.stdout);
    assert!(expected.lines().count() > 10, "{expected}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), expected);
}
