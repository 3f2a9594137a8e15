//! Every option that `wasm-ld-22 --help` lists, run with weld and with wasm-ld-22 on the same
//! inputs. The list of options is read from wasm-ld's own help, so an option that a later
//! wasm-ld gains fails this test until it has a row in [`ROWS`]; README.md's option table is
//! checked against the same rows.
//!
//! For every option both linkers must end the same way (exit status), print the same
//! diagnostics (less the program name) and the same standard output, and write the same bytes,
//! but for the differences a row names.

mod support;

use std::path::Path;

use support::*;

/// How weld answers an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// As wasm-ld: status, diagnostics, standard output and output bytes.
    Same,
    /// As wasm-ld except standard output, which names the linker (`-v`, `--version`).
    SameButVersion,
    /// As wasm-ld except the diagnostics' wording (which is said in the reason).
    SameOutcome(&'static str),
    /// The same exit status, but a documented difference in the output (the reason says
    /// which, and where spec/ records it).
    KnownDifference(&'static str),
}

use Expect::*;

/// One option of `wasm-ld-22 --help`: its spelling there, the arguments that exercise it
/// (`{dir}` is the scratch directory), and what weld must do.
struct Row {
    help: &'static str,
    args: &'static [&'static str],
    expect: Expect,
}

const fn row(help: &'static str, args: &'static [&'static str], expect: Expect) -> Row {
    Row { help, args, expect }
}

/// Every option of wasm-ld-22's help, in its order.
const ROWS: &[Row] = &[
    row(
        "--allow-multiple-definition",
        &["--allow-multiple-definition"],
        Same,
    ),
    row(
        "--allow-undefined-file=<value>",
        &["--allow-undefined-file={dir}/allowed.txt"],
        Same,
    ),
    row("--allow-undefined", &["--allow-undefined"], Same),
    row("--Bdynamic", &["--Bdynamic", "-lx"], Same),
    row("--Bstatic", &["--Bstatic", "-lx"], Same),
    row("--Bsymbolic", &["--Bsymbolic"], Same),
    row(
        "--build-id=[fast,sha1,uuid,0x<hexstring>]",
        &["--build-id=sha1"],
        Same,
    ),
    row("--build-id", &["--build-id"], Same),
    row("--call_shared", &["--call_shared", "-lx"], Same),
    row("--check-features", &["--check-features"], Same),
    row(
        "--color-diagnostics=[auto,always,never]",
        &["--color-diagnostics=never"],
        Same,
    ),
    row("--color-diagnostics", &["--color-diagnostics"], Same),
    row(
        "--compress-relocations",
        &["--compress-relocations", "--strip-debug"],
        Same,
    ),
    row("--demangle", &["--demangle"], Same),
    row("--dn", &["--dn", "-lx"], Same),
    row("--dy", &["--dy", "-lx"], Same),
    row("--emit-relocs", &["--emit-relocs"], Same),
    row(
        "--end-lib",
        &["--start-lib", "{dir}/lazy.o", "--end-lib"],
        Same,
    ),
    row("--entry <entry>", &["--entry", "main2"], Same),
    row(
        "--error-limit=<value>",
        &["--error-limit=1", "-u", "nope1"],
        Same,
    ),
    row(
        "--error-unresolved-symbols",
        &["--error-unresolved-symbols"],
        Same,
    ),
    row("--experimental-pic", &["--experimental-pic"], Same),
    row("--export-all", &["--export-all"], Same),
    row("--export-dynamic", &["--export-dynamic"], Same),
    row(
        "--export-if-defined=<value>",
        &["--export-if-defined=helper", "--export-if-defined=nope"],
        Same,
    ),
    row("--export-memory=<value>", &["--export-memory=mem"], Same),
    row("--export-memory", &["--export-memory"], Same),
    row("--export-table", &["--export-table"], Same),
    row("--export=<value>", &["--export=helper"], Same),
    row(
        "--extra-features=<value>",
        &["--extra-features=atomics"],
        Same,
    ),
    row("-E", &["-E"], Same),
    row(
        "--fatal-warnings",
        &["--fatal-warnings", "-z", "unknown-z"],
        Same,
    ),
    row(
        "--features=<value>",
        &[
            "--features=mutable-globals,sign-ext,bulk-memory,bulk-memory-opt,nontrapping-fptoint,multivalue,reference-types,call-indirect-overlong",
        ],
        Same,
    ),
    row("--gc-sections", &["--gc-sections"], Same),
    row(
        "--global-base=<value>",
        &["--global-base=4096", "--no-stack-first"],
        Same,
    ),
    row("--growable-table", &["--growable-table"], Same),
    row("--help", &["--help"], SameOutcome("weld's own help text")),
    row(
        "--import-memory=<module>,<name>",
        &["--import-memory=m,mem"],
        Same,
    ),
    row("--import-memory", &["--import-memory"], Same),
    row("--import-table", &["--import-table"], Same),
    row("--import-undefined", &["--import-undefined"], Same),
    row("--initial-heap=<value>", &["--initial-heap=131072"], Same),
    row(
        "--initial-memory=<value>",
        &["--initial-memory=327680"],
        Same,
    ),
    row(
        "--keep-section=<value>",
        &["--strip-all", "--keep-section=producers"],
        Same,
    ),
    row("--lto-CGO<cgopt-level>", &["--lto-CGO2"], Same),
    row(
        "--lto-debug-pass-manager",
        &["--lto-debug-pass-manager"],
        Same,
    ),
    row("--lto-O<opt-level>", &["--lto-O2"], Same),
    row("--lto-partitions=<value>", &["--lto-partitions=2"], Same),
    row("-L <dir>", &["-L", "{dir}", "-lx"], Same),
    row("-l <libName>", &["-lx"], Same),
    row("--Map=<value>", &["--Map={dir}/out.map"], Same),
    row("--max-memory=<value>", &["--max-memory=1048576"], Same),
    row("--merge-data-segments", &["--merge-data-segments"], Same),
    row("--mllvm=<value>", &["--mllvm=-x86-asm-syntax=intel"], Same),
    row("-M", &["-M"], Same),
    row("-m <value>", &["-m", "wasm32"], Same),
    row(
        "--no-allow-multiple-definition",
        &[
            "--allow-multiple-definition",
            "--no-allow-multiple-definition",
        ],
        Same,
    ),
    row("--no-check-features", &["--no-check-features"], Same),
    row("--no-color-diagnostics", &["--no-color-diagnostics"], Same),
    row("--no-demangle", &["--no-demangle"], Same),
    row("--no-entry", &["--no-entry"], Same),
    row(
        "--no-export-dynamic",
        &["--export-dynamic", "--no-export-dynamic"],
        Same,
    ),
    row(
        "--no-fatal-warnings",
        &["--fatal-warnings", "--no-fatal-warnings", "-z", "unknown-z"],
        Same,
    ),
    row("--no-gc-sections", &["--no-gc-sections"], Same),
    row("--no-growable-memory", &["--no-growable-memory"], Same),
    row(
        "--no-merge-data-segments",
        &["--no-merge-data-segments"],
        Same,
    ),
    row("--no-pie", &["--no-pie"], Same),
    row(
        "--no-print-gc-sections",
        &["--print-gc-sections", "--no-print-gc-sections"],
        Same,
    ),
    row("--no-shlib-sigcheck", &["--no-shlib-sigcheck"], Same),
    row("--no-stack-first", &["--no-stack-first"], Same),
    row(
        "--no-whole-archive",
        &["--whole-archive", "--no-whole-archive", "-lx"],
        Same,
    ),
    row("--noinhibit-exec", &["--noinhibit-exec"], Same),
    row("--non_shared", &["--non_shared", "-lx"], Same),
    row("-O <value>", &["-O0"], Same),
    row("-o <path>", &[], Same),
    row("--page-size=<value>", &["--page-size=1"], Same),
    row("--pie", &["--pie"], Same),
    row("--print-gc-sections", &["--print-gc-sections"], Same),
    row("--print-map", &["--print-map"], Same),
    row(
        "--relocatable",
        &["--relocatable"],
        KnownDifference(
            "crt1-command.o's _start has an export_name, which weld keeps at -r and wasm-ld 22 drops (spec/relocatable.md)",
        ),
    ),
    row(
        "--reproduce=<value>",
        &["--reproduce={dir}/repro.tar"],
        Same,
    ),
    row("--rpath=<value>", &["--rpath=/opt/lib"], Same),
    row(
        "--rsp-quoting=[posix,windows]",
        &["--rsp-quoting=windows", "@{dir}/args.rsp"],
        Same,
    ),
    row("--save-temps", &["--save-temps"], Same),
    row("--shared-memory", &["--shared-memory"], Same),
    row("--shared", &["--shared"], Same),
    row("--soname=<value>", &["--soname=libmine"], Same),
    row("--stack-first", &["--stack-first"], Same),
    row(
        "--start-lib",
        &["--start-lib", "{dir}/lazy.o", "--end-lib"],
        Same,
    ),
    row("--static", &["--static", "-lx"], Same),
    row("--strip-all", &["--strip-all"], Same),
    row("--strip-debug", &["--strip-debug"], Same),
    row("-S", &["-S"], Same),
    row("-s", &["-s"], Same),
    row("--table-base=<value>", &["--table-base=5"], Same),
    row(
        "--thinlto-cache-dir=<value>",
        &["--thinlto-cache-dir={dir}/cache"],
        Same,
    ),
    row(
        "--thinlto-cache-policy=<value>",
        &["--thinlto-cache-policy=prune_after=1h"],
        Same,
    ),
    row("--thinlto-jobs=<value>", &["--thinlto-jobs=2"], Same),
    row("--threads=<value>", &["--threads=1"], Same),
    row(
        "--trace-symbol=<value>",
        &["--trace-symbol=helper", "-lx"],
        Same,
    ),
    row("--trace", &["--trace"], Same),
    row("-t", &["-t"], Same),
    row("--undefined=<value>", &["--undefined=helper"], Same),
    row(
        "--unresolved-symbols=<value>",
        &["--unresolved-symbols=ignore-all", "-u", "nope"],
        Same,
    ),
    row(
        "--verbose",
        &["--verbose"],
        SameOutcome("weld logs its own phases"),
    ),
    row("--version", &["--version"], SameButVersion),
    row("-V", &["-V"], SameButVersion),
    row("-v", &["-v"], SameButVersion),
    row(
        "--warn-unresolved-symbols",
        &["--warn-unresolved-symbols", "-u", "nope"],
        Same,
    ),
    row(
        "--whole-archive",
        &["--whole-archive", "-lx", "--no-whole-archive"],
        Same,
    ),
    row(
        "--why-extract=<value>",
        &["--why-extract=-", "-u", "helper"],
        Same,
    ),
    row("--wrap=<symbol>=<symbol>", &["--wrap=helper"], Same),
    row("-y <value>", &["-y", "helper", "-lx"], Same),
    row("-z <option>", &["-z", "stack-size=131072"], Same),
];

const MAIN: &str = r#"
#include <stdio.h>
int helper(int);
int main(void) { printf("%d\n", helper(20)); return 0; }
int main2(void) { return 3; }
"#;

const HELPER: &str = "int helper(int x) { return x + 22; }\n";

/// The options of `wasm-ld-22 --help`, as its lines spell them.
fn help_options() -> Vec<String> {
    let o = wasm_ld(&["--help".to_string()]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.lines()
        .filter_map(|l| l.strip_prefix("  -").map(|r| format!("-{r}")))
        .map(|l| {
            // The description follows after two spaces, or one where the option is long.
            let end = l.find("  ").or_else(|| {
                l.char_indices()
                    .zip(l.chars().skip(1))
                    .find(|((_, c), next)| *c == ' ' && next.is_ascii_uppercase())
                    .map(|((i, _), _)| i)
            });
            l[..end.unwrap_or(l.len())].trim().to_string()
        })
        .collect()
}

/// Runs `linker` on the base link plus `extra`, writing `<dir>/<sub>/out.wasm`.
fn run(
    linker: fn(&[String]) -> std::process::Output,
    dir: &Path,
    sub: &str,
    main: &Path,
    extra: &[String],
) -> (Option<i32>, String, String, Option<Vec<u8>>) {
    let out_dir = dir.join(sub);
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("out.wasm");
    let _ = std::fs::remove_file(&out);
    let mut args = vec![
        "-m".to_string(),
        "wasm32".into(),
        format!("-L{SYSROOT_LIB}"),
    ];
    args.extend(extra.iter().cloned());
    args.push(format!("-L{}", dir.display()));
    args.push(format!("{SYSROOT_LIB}/crt1-command.o"));
    args.push(main.display().to_string());
    args.push(dir.join("libx.a").display().to_string());
    args.extend([
        "-lc".to_string(),
        BUILTINS.to_string(),
        "-o".to_string(),
        out.display().to_string(),
    ]);
    let o = linker(&args);
    // Diagnostics without the program's name; paths of the two output directories made equal.
    let norm = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            // weld names the function of an undefined reference; wasm-ld does not always.
            .filter(|l| !l.starts_with(">>> referenced by"))
            .map(|l| {
                l.strip_prefix("wasm-ld-22: ")
                    .or_else(|| l.strip_prefix("weld: "))
                    .unwrap_or(l)
                    .replace(&out_dir.display().to_string(), "<out>")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    (
        o.status.code(),
        norm(&o.stderr),
        norm(&o.stdout),
        std::fs::read(&out).ok(),
    )
}

#[test]
fn every_wasm_ld_option_behaves_as_in_wasm_ld() {
    // The rows cover wasm-ld's help exactly.
    let help = help_options();
    let rows: Vec<&str> = ROWS.iter().map(|r| r.help).collect();
    let missing: Vec<&String> = help
        .iter()
        .filter(|h| !rows.contains(&h.as_str()))
        .collect();
    let extra: Vec<&&str> = rows
        .iter()
        .filter(|r| !help.iter().any(|h| h == *r))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "wasm-ld-22 --help lists options without a row here: {missing:?}; rows for options it \
         no longer lists: {extra:?}"
    );

    let s = Scratch::new();
    let dir = s.dir.path();
    let main = s.compile("main", MAIN, &["-g"]);
    let helper = s.compile("helper", HELPER, &[]);
    let lazy = s.compile("lazy", "int lazy_unused(void) { return 1; }\n", &[]);
    std::fs::rename(&lazy, dir.join("lazy.o")).unwrap();
    s.archive("libx.a", &[helper.as_path()]);
    std::fs::write(dir.join("allowed.txt"), "nope\nhelper\n").unwrap();
    // Under windows quoting, backslashes before a quote pair up and `""` inside quotes is one.
    std::fs::write(
        dir.join("args.rsp"),
        "\"-l\"x \"--export=he\"\"lp\"\"er\" --export=main2\n",
    )
    .unwrap();

    let mut failures = Vec::new();
    let mut same = 0;
    for row in ROWS {
        let extra: Vec<String> = row
            .args
            .iter()
            .map(|a| a.replace("{dir}", &dir.display().to_string()))
            .collect();
        let ours = run(weld, dir, "w", &main, &extra);
        let theirs = run(wasm_ld, dir, "r", &main, &extra);
        let mut problems = Vec::new();
        if ours.0 != theirs.0 {
            problems.push(format!("exit status {:?}, wasm-ld {:?}", ours.0, theirs.0));
        }
        if row.expect == Same && ours.1 != theirs.1 {
            problems.push(format!("stderr:\n{}\nwasm-ld's:\n{}", ours.1, theirs.1));
        }
        let stdout_same = match row.expect {
            Same => ours.2 == theirs.2,
            _ => ours.2.is_empty() == theirs.2.is_empty(),
        };
        if !stdout_same {
            problems.push(format!("stdout:\n{}\nwasm-ld's:\n{}", ours.2, theirs.2));
        }
        if ours.3 != theirs.3 && !matches!(row.expect, KnownDifference(_)) {
            problems.push(match (&ours.3, &theirs.3) {
                (Some(_), Some(_)) => "output bytes differ".to_string(),
                (a, b) => format!(
                    "output written: weld {}, wasm-ld {}",
                    a.is_some(),
                    b.is_some()
                ),
            });
        }
        if problems.is_empty() {
            same += 1;
        } else {
            failures.push(format!(
                "{} ({:?}): {}",
                row.help,
                row.args,
                problems.join("; ")
            ));
        }
    }
    eprintln!(
        "{} of {} wasm-ld options behave as in wasm-ld-22",
        same,
        ROWS.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// README.md's option table names every option of wasm-ld's help, with its state.
#[test]
fn readme_lists_every_option() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let missing: Vec<&str> = ROWS
        .iter()
        .map(|r| r.help.split(['=', ' ', '<', '[']).next().unwrap())
        .filter(|name| !readme.contains(&format!("`{name}")))
        .collect();
    assert!(missing.is_empty(), "README.md does not list {missing:?}");
}
