//! How weld is driven: as rustc and clang drive wasm-ld (`-flavor wasm`, installed under
//! wasm-ld's name, `-o -`), and the command-line errors wasm-ld gives. Each expectation comes
//! from running wasm-ld-22 on the same command line.

mod support;

use std::path::Path;
use std::process::Command;

use support::*;

const MAIN: &str = "int helper(int);\nint main(void) { return helper(1); }\n";
const HELPER: &str = "int helper(int x) { return x + 1; }\n";

/// The arguments of a small command link (`main.o`, `helper.o`, libc) writing `out`.
fn small_link(s: &Scratch, out: &str) -> Vec<String> {
    let main = s.compile("main", MAIN, &[]);
    let helper = s.compile("helper", HELPER, &[]);
    command_link_args(&[&main, &helper], &s.path(out))
}

/// Links with weld and with wasm-ld-22, each writing `out.wasm` in its own directory (the name
/// section records the file name), and returns weld's and wasm-ld's bytes. Both must succeed.
fn link_both(s: &Scratch, what: &str, args: impl Fn(&Path) -> Vec<String>) -> [Vec<u8>; 2] {
    let mut outs = Vec::new();
    for (dir, run) in [("w", weld as fn(&[String]) -> _), ("r", wasm_ld)] {
        std::fs::create_dir_all(s.path(dir)).unwrap();
        let out = s.path(dir).join("out.wasm");
        let o = run(&args(&out));
        assert!(o.status.success(), "{dir} {what}: {}", stderr(&o));
        outs.push(std::fs::read(&out).unwrap());
    }
    let theirs = outs.pop().unwrap();
    [outs.pop().unwrap(), theirs]
}

#[test]
fn flavor_wasm_is_accepted_first_as_lld_takes_it() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("w")).unwrap();
    std::fs::create_dir_all(s.path("r")).unwrap();
    let mut ours = vec!["-flavor".to_string(), "wasm".into()];
    ours.extend(small_link(&s, "w/out.wasm"));
    let mut theirs = vec!["-flavor".to_string(), "wasm".into()];
    theirs.extend(small_link(&s, "r/out.wasm"));
    assert!(wasm_ld(&theirs).status.success());
    let o = weld(&ours);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(s.path("w/out.wasm")).unwrap(),
        std::fs::read(s.path("r/out.wasm")).unwrap()
    );
    let o = weld(&["-flavor".into(), "gnu".into(), "x.o".into()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("-flavor gnu"), "{}", stderr(&o));
}

#[test]
fn dash_o_dash_writes_the_module_to_standard_output() {
    let s = Scratch::new();
    let mut args = small_link(&s, "unused.wasm");
    *args.last_mut().unwrap() = "-".into();
    let theirs = wasm_ld(&args);
    let ours = weld(&args);
    assert!(ours.status.success(), "{}", stderr(&ours));
    assert!(theirs.stdout.starts_with(b"\0asm"));
    // The module is named after the output, `-`, in both.
    assert_eq!(ours.stdout, theirs.stdout);
    assert!(!s.path("-").exists(), "no file named `-`");
}

#[test]
fn an_output_that_is_a_pipe_is_written_into_not_replaced() {
    // As lld: a device or pipe named by `-o` (`/dev/null` in build scripts) receives the
    // module; it is not swapped for a regular file by the temporary-file rename.
    let s = Scratch::new();
    let [_, theirs] = link_both(&s, "a regular file", |out| {
        small_link(
            &s,
            &out.strip_prefix(s.path("")).unwrap().display().to_string(),
        )
    });
    let fifo = s.path("w/out.wasm");
    std::fs::remove_file(&fifo).unwrap();
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // A separate reader process, which can be killed if the pipe is never written.
    let mut reader = Command::new("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let o = weld(&small_link(&s, "w/out.wasm"));
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    if !kind.is_fifo() {
        reader.kill().unwrap();
        panic!("the pipe was replaced: {kind:?}");
    }
    assert!(o.status.success(), "{}", stderr(&o));
    let read = reader.wait_with_output().unwrap();
    assert_eq!(read.stdout, theirs);
}

#[test]
fn command_line_errors_as_wasm_ld() {
    let s = Scratch::new();
    let base = small_link(&s, "out.wasm");
    let without_output: Vec<String> = base[..base.len() - 2].to_vec();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (without_output, "no output file specified"),
        (
            [&["-z".to_string(), "stack-size=17".into()][..], &base].concat(),
            "stack size must be 16-byte aligned",
        ),
        (
            [&["-z".to_string(), "stack-size=1".into()][..], &base].concat(),
            "stack size must be 16-byte aligned",
        ),
    ];
    for (args, message) in cases {
        let theirs = wasm_ld(&args);
        assert!(!theirs.status.success());
        assert!(stderr(&theirs).contains(message), "{}", stderr(&theirs));
        let ours = weld(&args);
        assert_eq!(ours.status.code(), Some(1), "{args:?}");
        assert!(stderr(&ours).contains(message), "{}", stderr(&ours));
    }
}

#[test]
fn dash_v_links_and_dash_dash_version_does_not() {
    let s = Scratch::new();
    for (flag, links) in [("-v", true), ("-V", true), ("--version", false)] {
        let out = s.path("out.wasm");
        let _ = std::fs::remove_file(&out);
        let mut args = vec![flag.to_string()];
        args.extend(small_link(&s, "out.wasm"));
        let theirs = wasm_ld(&args);
        assert!(theirs.status.success());
        assert_eq!(out.exists(), links, "wasm-ld {flag}");
        let _ = std::fs::remove_file(&out);
        let ours = weld(&args);
        assert!(ours.status.success(), "{}", stderr(&ours));
        assert!(!ours.stdout.is_empty(), "{flag} prints the version");
        assert_eq!(out.exists(), links, "weld {flag}");
    }
    // Alone, `-v` prints the version and succeeds.
    assert!(wasm_ld(&["-v".into()]).status.success());
    assert!(weld(&["-v".into()]).status.success());
}

/// Installed as `wasm-ld`, weld names itself so in diagnostics, as lld names itself after
/// argv[0].
#[test]
fn diagnostics_carry_the_name_weld_was_run_as() {
    let s = Scratch::new();
    let link = s.path("wasm-ld");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_weld"), &link).unwrap();
    let main = s.compile("main", MAIN, &[]);
    let args = command_link_args(&[&main], &s.path("out.wasm"));
    let o = Command::new(&link).args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.starts_with("wasm-ld: error: "), "{e}");
    assert!(e.contains("undefined symbol: helper"), "{e}");
}

/// Two references to one function from different import modules: wasm-ld's error, naming
/// both files and both modules.
#[test]
fn import_module_mismatch_names_both_objects() {
    let s = Scratch::new();
    let a = s.compile(
        "a",
        "__attribute__((import_module(\"m1\"), import_name(\"foo\"))) void foo(void);\n\
         __attribute__((export_name(\"a\"))) void a(void) { foo(); }\n",
        &[],
    );
    let b = s.compile(
        "b",
        "__attribute__((import_module(\"m2\"), import_name(\"foo\"))) void foo(void);\n\
         __attribute__((export_name(\"b\"))) void b(void) { foo(); }\n",
        &[],
    );
    let args: Vec<String> = [
        "--no-entry".to_string(),
        a.display().to_string(),
        b.display().to_string(),
        "-o".into(),
        s.path("out.wasm").display().to_string(),
    ]
    .to_vec();
    let theirs = wasm_ld(&args);
    let ours = weld(&args);
    assert!(!theirs.status.success());
    assert_eq!(ours.status.code(), Some(1));
    let strip = |e: String| {
        e.lines()
            .map(|l| l.replace("wasm-ld-22: ", "").replace("weld: ", ""))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(stderr(&ours)), strip(stderr(&theirs)));
    assert!(stderr(&ours).contains("import module mismatch for symbol: foo"));
    assert!(!s.path("out.wasm").exists());
}

/// `--no-demangle` keeps C++ names mangled in the `name` section, as wasm-ld does; both
/// spellings give byte-identical modules.
#[test]
fn no_demangle_keeps_mangled_names() {
    let s = Scratch::new();
    let obj = s.compile_cxx(
        "m",
        "namespace ns { int twice(int x) { return 2 * x; } }\n\
         int main() { return ns::twice(2); }\n",
        &[],
    );
    for flag in ["--no-demangle", "--demangle"] {
        let outs = link_both(&s, flag, |out| {
            let mut args = vec![flag.to_string()];
            args.extend(command_link_args(&[&obj], out));
            args
        });
        assert!(outs[0] == outs[1], "{flag}: weld and wasm-ld differ");
        let names = dump(&outs[0]);
        let mangled = names.contains("_ZN2ns5twiceEi");
        assert_eq!(mangled, flag == "--no-demangle", "{names}");
    }
}

/// `--emit-relocs` of a C program with libc and debug information is wasm-ld's, byte for
/// byte: `.bss` is written, locals follow the final object order, the entry point and the
/// function behind a command export wrapper carry wasm-ld's flags, and relocations against
/// section symbols are written only when nothing is collected.
#[test]
fn emit_relocs_with_libc_and_debug_info_is_wasm_lds() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint main(void) { printf(\"hi %d\\n\", 3); return 0; }\n",
        &["-g"],
    );
    for extra in [
        &["--emit-relocs"][..],
        &["--emit-relocs", "--no-gc-sections"],
        &["--emit-relocs", "--export-all"],
        &["--emit-relocs", "--import-memory"],
    ] {
        let outs = link_both(&s, &format!("{extra:?}"), |out| {
            let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
            args.extend(command_link_args(&[&main], out));
            args
        });
        assert!(outs[0] == outs[1], "{extra:?}: weld and wasm-ld differ");
    }
}

/// Undefined `NO_STRIP` symbols that nothing references are live, as in wasm-ld: imported
/// when undefined symbols may be, dropped without an error otherwise; with and without gc.
#[test]
fn undefined_no_strip_symbols_are_live() {
    let s = Scratch::new();
    let obj = s.assemble(
        "nostrip",
        ".globaltype ext_g, i32, immutable\n.functype ext_fn () -> ()\n\
         .globl f\nf:\n  .functype f () -> (i32)\n  i32.const 1\n  end_function\n\
         .no_dead_strip ext_g\n.no_dead_strip ext_fn\n",
        &[],
    );
    for policy in [&[][..], &["--allow-undefined"], &["--import-undefined"]] {
        for gc in ["--gc-sections", "--no-gc-sections"] {
            let outs = link_both(&s, &format!("{policy:?} {gc}"), |out| {
                let mut args: Vec<String> = policy.iter().map(|a| a.to_string()).collect();
                args.extend([
                    gc.to_string(),
                    "--no-entry".into(),
                    "--export=f".into(),
                    obj.display().to_string(),
                    "-o".into(),
                    out.display().to_string(),
                ]);
                args
            });
            assert!(
                outs[0] == outs[1],
                "{policy:?} {gc}: weld and wasm-ld differ"
            );
            let imports = imports_of(&outs[0]);
            assert_eq!(
                imports.len(),
                if policy.is_empty() { 0 } else { 2 },
                "{imports:?}"
            );
        }
    }
}

/// `--wrap` as wasm-ld does it, over definitions, archives, imports, weak definitions and
/// references, `-r`, `--export` of either name, and `--emit-relocs`: byte-identical outputs,
/// and wasm-ld's error where a wrapped name is not a function.
#[test]
fn wrap_matches_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdlib.h>\nint foo(int);\nint bar(int x) { return foo(x) * 2; }\n\
         int run(void) { void *p = malloc(10); \
         int r = foo(1) + bar(2); free(p); return r; }\n",
        &[],
    );
    let foo = s.compile(
        "foo",
        "int foo(int x) { return x + 100; }\nint foo_self(int x) { return foo(x); }\n",
        &[],
    );
    let wrap = s.compile(
        "wrap",
        "#include <stddef.h>\nint __real_foo(int);\n\
         int __wrap_foo(int x) { return __real_foo(x) + 1000; }\n\
         void *__real_malloc(size_t);\nvoid *__wrap_malloc(size_t n) { return __real_malloc(n); }\n",
        &[],
    );
    let weak_foo = s.compile(
        "wf",
        "__attribute__((weak)) int foo(int x) { return x; }\n",
        &[],
    );
    let weak_real = s.compile(
        "ww",
        "__attribute__((weak)) int __real_foo(int);\n\
         int __wrap_foo(int x) { return __real_foo ? __real_foo(x) : -1; }\n",
        &[],
    );
    let libwrap = s.archive("libwrap.a", &[wrap.as_path()]);
    let libfoo = s.archive("libfoo.a", &[foo.as_path()]);
    let p = |p: &std::path::PathBuf| p.display().to_string();
    let libc = [
        format!("-L{SYSROOT_LIB}"),
        "-lc".to_string(),
        BUILTINS.to_string(),
    ];
    let sets: Vec<Vec<String>> = vec![
        vec![p(&main), p(&foo), p(&wrap), "--wrap=foo".into()],
        vec![
            p(&main),
            p(&foo),
            p(&wrap),
            "--wrap=foo".into(),
            "--wrap=malloc".into(),
        ],
        vec![
            p(&main),
            p(&libfoo),
            p(&libwrap),
            "--wrap=foo".into(),
            "--wrap=malloc".into(),
        ],
        vec![p(&main), p(&foo), p(&wrap), "--wrap=nothere".into()],
        vec![
            p(&main),
            p(&foo),
            p(&wrap),
            "--wrap=foo".into(),
            "--wrap=foo".into(),
        ],
        vec![
            p(&main),
            p(&foo),
            p(&wrap),
            "--wrap=foo".into(),
            "--export=foo".into(),
        ],
        vec![
            p(&main),
            p(&foo),
            p(&wrap),
            "--wrap=foo".into(),
            "--export=__real_foo".into(),
        ],
        vec![p(&main), p(&weak_foo), p(&wrap), "--wrap=foo".into()],
        vec![
            p(&main),
            p(&weak_real),
            "--wrap=foo".into(),
            "--allow-undefined".into(),
        ],
        vec![p(&main), "--wrap=foo".into(), "--allow-undefined".into()],
        vec![
            p(&main),
            p(&foo),
            p(&wrap),
            "--wrap=foo".into(),
            "--emit-relocs".into(),
        ],
        vec![
            p(&main),
            p(&foo),
            p(&wrap),
            "--wrap=__real_foo".into(),
            "--wrap=foo".into(),
        ],
    ];
    let mut crashes = 0;
    for set in &sets {
        for relocatable in [false, true] {
            let what = format!("{set:?} -r={relocatable}");
            let args = |out: &std::path::Path| {
                let mut args = if relocatable {
                    vec!["-r".to_string()]
                } else {
                    vec!["--no-entry".to_string(), "--export=run".into()]
                };
                args.extend(set.iter().cloned());
                args.extend(libc.iter().cloned());
                args.extend(["-o".to_string(), out.display().to_string()]);
                args
            };
            // wasm-ld-22 crashes writing the symbol table of `-r --wrap=malloc` with libc
            // (the old `__real_malloc` has no output index). weld's object must then link
            // (by wasm-ld) into a module in which every wrapped reference is resolved.
            if relocatable
                && wasm_ld(&args(&s.path("crash.o")))
                    .status
                    .code()
                    .is_none_or(|c| c > 1)
            {
                crashes += 1;
                let object = s.path("weld-r.o");
                let o = weld(&args(&object));
                assert!(o.status.success(), "{what}: {}", stderr(&o));
                let module = s.path("final.wasm");
                let mut link = vec!["--no-entry".to_string(), "--export=run".into(), p(&object)];
                link.extend(libc.iter().cloned());
                link.extend(["-o".to_string(), p(&module)]);
                let o = wasm_ld(&link);
                assert!(
                    o.status.success(),
                    "{what}: wasm-ld rejects weld's -r output: {}",
                    stderr(&o)
                );
                let imports = imports_of(&std::fs::read(&module).unwrap());
                assert!(
                    imports
                        .iter()
                        .all(|(_, f)| !f.starts_with("__real_") && !f.starts_with("__wrap_")),
                    "{what}: {imports:?}"
                );
                continue;
            }
            let outs = link_both(&s, &what, args);
            assert!(outs[0] == outs[1], "{what}: weld and wasm-ld differ");
        }
    }
    assert!(
        crashes > 0,
        "wasm-ld-22 no longer crashes on -r --wrap=malloc: compare bytes there too"
    );
    // A data symbol cannot be wrapped: the `__real_`/`__wrap_` references are functions.
    let data = s.compile(
        "d",
        "int dv = 5;\nextern int __real_dv;\nint __wrap_dv = 7;\n\
         __attribute__((export_name(\"get\"))) int get(void) { return dv + __real_dv; }\n",
        &[],
    );
    let args = vec![
        "--no-entry".to_string(),
        p(&data),
        "--wrap=dv".into(),
        "-o".into(),
        s.path("d.wasm").display().to_string(),
    ];
    let theirs = wasm_ld(&args);
    let ours = weld(&args);
    assert!(!theirs.status.success());
    assert_eq!(ours.status.code(), Some(1));
    let e = stderr(&ours);
    assert!(e.contains("symbol type mismatch: __real_dv"), "{e}");
    assert!(e.contains("symbol type mismatch: __wrap_dv"), "{e}");
}

/// `--why-extract` lists each loaded archive member with the reference that loaded it, line
/// for line as wasm-ld does (functions' references only, command-line names by option).
#[test]
fn why_extract_matches_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint helper(int);\nint main(void) { printf(\"%d\\n\", helper(1)); return 0; }\n",
        &[],
    );
    let helper = s.compile(
        "helper",
        "int h2(void);\nint helper(int x) { return x + h2(); }\n",
        &[],
    );
    let h2 = s.compile("h2", "int h2(void) { return 22; }\n", &[]);
    let u1 = s.compile("u1", "int u1(void) { return 1; }\n", &[]);
    let liby = s.archive("liby.a", &[helper.as_path(), h2.as_path()]);
    let libu = s.archive("libu.a", &[u1.as_path()]);
    let p = |p: &std::path::PathBuf| p.display().to_string();
    for (before, after) in [
        (vec![], vec![p(&liby), p(&libu), "-u".into(), "u1".into()]),
        (vec![p(&liby)], vec!["--export=u1".into(), p(&libu)]),
    ] {
        let mut outputs = Vec::new();
        for run in [weld as fn(&[String]) -> _, wasm_ld] {
            let mut args = before.clone();
            args.extend(command_link_args(&[&main], &s.path("out.wasm")));
            args.extend(after.iter().cloned());
            args.push("--why-extract=-".into());
            let o = run(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            outputs.push(String::from_utf8(o.stdout).unwrap());
        }
        assert_eq!(outputs[0], outputs[1]);
        assert!(outputs[0].starts_with("reference\textracted\tsymbol\n"));
        assert!(
            outputs[0].contains("liby.a(helper.o)\tliby.a(h2.o)\th2")
                || outputs[0].contains("helper.o)\t"),
            "{}",
            outputs[0]
        );
    }
}

/// `--build-id`: the `build_id` section wasm-ld writes, byte for byte for the hashed and the
/// given kinds (a multi-megabyte output exercises the per-MiB hashing); `uuid` is a fresh
/// version-4 UUID on every link.
#[test]
fn build_id_matches_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nchar big[3 << 20] = {1, [(3 << 20) - 1] = 2};\n\
         int main(void) { printf(\"%d\\n\", big[0]); return 0; }\n",
        &["-g"],
    );
    for kind in [
        "--build-id",
        "--build-id=fast",
        "--build-id=sha1",
        "--build-id=tree",
        "--build-id=0x00ff10",
        "--build-id=none",
    ] {
        let outs = link_both(&s, kind, |out| {
            let mut args = vec![kind.to_string()];
            args.extend(command_link_args(&[&main], out));
            args
        });
        assert!(outs[0] == outs[1], "{kind}: weld and wasm-ld differ");
        assert!(outs[0].len() > 3 << 20);
    }
    let mut ids = Vec::new();
    for _ in 0..2 {
        let out = s.path("uuid.wasm");
        let mut args = vec!["--build-id=uuid".to_string()];
        args.extend(command_link_args(&[&main], &out));
        assert!(weld(&args).status.success());
        let bytes = std::fs::read(&out).unwrap();
        let id = bytes[bytes.len() - 16..].to_vec();
        assert_eq!(
            &bytes[bytes.len() - 26..bytes.len() - 16],
            b"\x08build_id\x10"
        );
        assert_eq!(id[6] >> 4, 4, "version 4");
        assert_eq!(id[8] & 0xC0, 0x80, "DCE variant");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
}

/// Thin archives (`llvm-ar rcT`): members are read from the files they name, relative to the
/// archive's directory, lazily and under `--whole-archive`, as wasm-ld reads them.
#[test]
fn thin_archives_link_as_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile("main", MAIN, &[]);
    std::fs::create_dir_all(s.path("sub")).unwrap();
    let helper = s.compile("helper", HELPER, &[]);
    std::fs::rename(&helper, s.path("sub/helper.o")).unwrap();
    let o = Command::new("llvm-ar-22")
        .current_dir(s.dir.path())
        .args(["rcsT", "libthin.a", "sub/helper.o"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let thin = s.path("libthin.a");
    assert!(std::fs::read(&thin).unwrap().starts_with(b"!<thin>\n"));
    for whole in [false, true] {
        let outs = link_both(&s, &format!("whole={whole}"), |out| {
            let mut args = vec!["-y".to_string(), "helper".into()];
            args.extend(command_link_args(&[&main, &thin], out));
            if whole {
                let at = args.iter().position(|a| *a == thin.display().to_string());
                args.insert(at.unwrap(), "--whole-archive".into());
                args.insert(at.unwrap() + 2, "--no-whole-archive".into());
            }
            args
        });
        assert!(outs[0] == outs[1], "whole={whole}: weld and wasm-ld differ");
    }
}

/// `--whole-archive` members are live like objects named on the command line (their
/// constructors run and their imports stay even when nothing refers to them), as in wasm-ld:
/// a whole libc links byte for byte.
#[test]
fn whole_archive_members_are_live_like_command_line_objects() {
    let s = Scratch::new();
    let main = s.compile("main", "int main(void) { return 0; }\n", &[]);
    let outs = link_both(&s, "whole libc", |out| {
        let mut args = command_link_args(&[&main], out);
        let at = args.iter().position(|a| a == "-lc").unwrap();
        args.insert(at, "--whole-archive".into());
        args.insert(at + 2, "--no-whole-archive".into());
        args
    });
    assert!(outs[0] == outs[1], "weld and wasm-ld differ");
    let imports = imports_of(&outs[0]);
    assert!(
        imports.iter().any(|(_, f)| f == "environ_get"),
        "{imports:?}"
    );
}

/// A `NAME.imports` file beside an archive `NAME.a` lists names that may stay undefined (they
/// become imports), as wasm-ld reads it (wasi-libc ships `libc.imports`).
#[test]
fn imports_file_beside_an_archive_allows_its_names() {
    let s = Scratch::new();
    let main = s.compile("main", MAIN, &[]);
    let helper = s.compile(
        "helper",
        "int ext_only(int);\nint helper(int x) { return ext_only(x); }\n",
        &[],
    );
    let lib = s.archive("libhx.a", &[helper.as_path()]);
    let args = |out: &std::path::Path| command_link_args(&[&main, &lib], out);
    // Without the file, both report the undefined symbol.
    assert!(!wasm_ld(&args(&s.path("x.wasm"))).status.success());
    assert_eq!(weld(&args(&s.path("x.wasm"))).status.code(), Some(1));
    std::fs::write(s.path("libhx.imports"), "# allowed\next_only\n").unwrap();
    let outs = link_both(&s, "with libhx.imports", args);
    assert!(outs[0] == outs[1], "weld and wasm-ld differ");
    assert!(imports_of(&outs[0]).contains(&("env".to_string(), "ext_only".to_string())));
}

/// The entries of a tar archive: name and bytes.
fn tar_entries(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(std::fs::File::open(path).unwrap());
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        out.push((name, bytes));
    }
    out
}

/// `--reproduce` packs what wasm-ld packs: the command line as lld renders it (canonical
/// spellings, inputs relative to the root, `-o` without directories), the version, and each
/// input (and a library's `.imports`) at its absolute path; the link itself is unchanged.
#[test]
fn reproduce_packs_what_wasm_ld_packs() {
    let s = Scratch::new();
    let main = s.compile("main", MAIN, &[]);
    let helper = s.compile("helper", HELPER, &[]);
    let lib = s.archive("libx.a", &[helper.as_path()]);
    let mut tars = Vec::new();
    for (dir, run) in [("w", weld as fn(&[String]) -> _), ("r", wasm_ld)] {
        std::fs::create_dir_all(s.path(dir)).unwrap();
        let tar = s.path(dir).join("repro.tar");
        let mut args = vec![
            "-e".to_string(),
            "_start".into(),
            "-y".into(),
            "helper".into(),
            "-export=helper".into(),
            "--export-memory=mem".into(),
            "-O2".into(),
            "--lto-O2".into(),
            "-E".into(),
            format!("--reproduce={}", tar.display()),
        ];
        args.extend(command_link_args(
            &[&main, &lib],
            &s.path(dir).join("out.wasm"),
        ));
        let o = run(&args);
        assert!(o.status.success(), "{dir}: {}", stderr(&o));
        tars.push(tar_entries(&tar));
    }
    let without_version = |t: &[(String, Vec<u8>)]| {
        t.iter()
            .filter(|(n, _)| n != "repro/version.txt")
            .cloned()
            .collect::<Vec<_>>()
    };
    let (ours, theirs) = (without_version(&tars[0]), without_version(&tars[1]));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs));
    assert_eq!(ours, theirs);
    assert!(names(&ours).iter().any(|n| n.ends_with("libc.imports")));
    let response = String::from_utf8(ours[0].1.clone()).unwrap();
    assert!(
        response.contains("--entry _start\n--trace-symbol helper\n--export helper\n"),
        "{response}"
    );
}

/// `-M`, `--print-map` and `-Map=FILE` print wasm-ld's link map line for line: sections with
/// offsets and sizes, functions and their symbols, data segments, chunks and symbols with
/// addresses, globals; across layouts that move things (imported memory, `--emit-relocs`,
/// no gc, unmerged strings, `-r`).
#[test]
fn link_map_matches_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint helper(int);\nstatic int counter;\nconst char *label = \"map\";\n\
         int main(void) { counter += helper(2); printf(\"%s %d\\n\", label, counter); return 0; }\n",
        &["-g"],
    );
    let helper = s.compile("helper", HELPER, &[]);
    let lib = s.archive("libx.a", &[helper.as_path()]);
    for extra in [
        &["-M"][..],
        &["--print-map", "--import-memory"],
        &["-M", "--emit-relocs"],
        &["-M", "--no-gc-sections", "-O0"],
        &["-M", "--export-all", "--no-merge-data-segments"],
        &["-M", "-r"],
    ] {
        let mut maps = Vec::new();
        for (dir, run) in [("w", weld as fn(&[String]) -> _), ("r", wasm_ld)] {
            std::fs::create_dir_all(s.path(dir)).unwrap();
            let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
            let out = s.path(dir).join("out.wasm");
            if extra.contains(&"-r") {
                args.extend([main.display().to_string(), lib.display().to_string()]);
                args.extend(["-o".to_string(), out.display().to_string()]);
            } else {
                args.extend(command_link_args(&[&main, &lib], &out));
            }
            let o = run(&args);
            assert!(o.status.success(), "{dir} {extra:?}: {}", stderr(&o));
            maps.push(String::from_utf8(o.stdout).unwrap());
        }
        assert!(maps[0].lines().count() > 5, "{}", maps[0]);
        assert_eq!(maps[0], maps[1], "{extra:?}");
    }
    // `-Map=FILE` writes the same text to the file.
    let file = s.path("out.map");
    let mut args = vec![format!("-Map={}", file.display())];
    args.extend(command_link_args(&[&main, &lib], &s.path("w/out.wasm")));
    assert!(weld(&args).status.success());
    let mut printed = vec!["-M".to_string()];
    printed.extend(command_link_args(&[&main, &lib], &s.path("w/out.wasm")));
    let printed = String::from_utf8(weld(&printed).stdout).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
}

/// `--page-size=1` (custom page sizes): memory limits in bytes with the page-size field,
/// `__wasm_first_page_end` at 1, a heap that starts 16-byte aligned only when `__heap_base` is
/// defined, `--initial-heap` in any size; other sizes are wasm-ld's error.
#[test]
fn page_size_matches_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nextern char __wasm_first_page_end;\n\
         int main(void) { printf(\"%p\\n\", (void *)&__wasm_first_page_end); return 0; }\n",
        &[],
    );
    for extra in [
        &["--page-size=1"][..],
        &["--page-size=65536"],
        &["--page-size=1", "--import-memory"],
        &["--page-size=1", "--max-memory=300001"],
        &["--page-size=1", "--no-growable-memory", "--no-stack-first"],
        &["--page-size=1", "--export=__heap_base"],
        &["--page-size=1", "--initial-heap=3"],
        &["--page-size=1", "--initial-heap=5", "--export=__heap_base"],
        &["--initial-heap=131072"],
    ] {
        let outs = link_both(&s, &format!("{extra:?}"), |out| {
            let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
            args.extend(command_link_args(&[&main], out));
            args
        });
        assert!(outs[0] == outs[1], "{extra:?}: weld and wasm-ld differ");
    }
    for (extra, message) in [
        (
            "--page-size=4096",
            "--page_size=N must be either 1 or 65536",
        ),
        (
            "--initial-heap=3",
            "initial heap must be aligned to the page size (65536 bytes)",
        ),
    ] {
        let mut args = vec![extra.to_string()];
        args.extend(command_link_args(&[&main], &s.path("x.wasm")));
        assert!(stderr(&wasm_ld(&args)).contains(message));
        let o = weld(&args);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
    }
}

/// `--compress-relocations` writes wasm-ld's bytes (every relocated LEB field shortest) and
/// gives its errors without `--strip-debug`/`--strip-all` and with `-r`.
#[test]
fn compress_relocations_matches_wasm_ld() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint helper(int);\nint main(void) { printf(\"%d\\n\", helper(2)); return 0; }\n",
        &["-g"],
    );
    let helper = s.compile("helper", HELPER, &[]);
    for extra in [
        &["--compress-relocations", "--strip-debug"][..],
        &["--compress-relocations", "--strip-all"],
        &[
            "--compress-relocations",
            "--strip-debug",
            "--export-all",
            "--no-gc-sections",
        ],
    ] {
        let outs = link_both(&s, &format!("{extra:?}"), |out| {
            let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
            args.extend(command_link_args(&[&main, &helper], out));
            args
        });
        assert!(outs[0] == outs[1], "{extra:?}: weld and wasm-ld differ");
    }
    for (extra, message) in [
        (
            &["--compress-relocations"][..],
            "incompatible with output debug information",
        ),
        (
            &["--compress-relocations", "--strip-debug", "-r"],
            "may not be used together",
        ),
    ] {
        let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        args.extend(command_link_args(&[&main, &helper], &s.path("x.wasm")));
        assert!(stderr(&wasm_ld(&args)).contains(message));
        let o = weld(&args);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
    }
}

/// weld's JSON map (`-Map=FILE.json`, `--map-format=json`): every function with its file,
/// symbols, offset and size (the same as wasm-ld's text map gives), and why it is live, as a
/// chain of references back to a root; a failed link still writes it, naming every reference
/// to each undefined symbol.
#[test]
fn json_map_explains_liveness() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint helper(int);\n__attribute__((used)) static int kept(void) { return 1; }\n\
         __attribute__((noinline)) int twice(int x) { return helper(x) * 2; }\n\
         int main(void) { printf(\"%d\\n\", twice(2) + helper(1)); return 0; }\n",
        &[],
    );
    let helper = s.compile("helper", HELPER, &[]);
    let lib = s.archive("libx.a", &[helper.as_path()]);
    let json_path = s.path("map.json");
    let mut args = vec![format!("-Map={}", json_path.display())];
    args.extend(command_link_args(&[&main, &lib], &s.path("out.wasm")));
    let o = weld(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let map: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(map["linked"], true);
    let functions = map["functions"].as_array().unwrap();
    let helper_fn = functions
        .iter()
        .find(|f| f["function"] == "helper")
        .expect("helper in the map");
    assert!(
        helper_fn["file"]
            .as_str()
            .unwrap()
            .ends_with("libx.a(helper.o)")
    );
    assert_eq!(helper_fn["symbols"], serde_json::json!(["helper"]));
    let chain = helper_fn["live"].as_array().unwrap();
    assert_eq!(chain[0]["symbol"], "helper");
    assert!(chain.iter().any(|c| {
        c["referenced_by"].as_str().is_some_and(|r| {
            r.ends_with("main.o:(twice)") || r.ends_with("main.o:(__original_main)")
        })
    }));
    let root = chain.last().unwrap();
    assert_eq!(
        (root["root"].as_str(), root["symbol"].as_str()),
        (Some("Entry"), Some("_start"))
    );
    assert!(map["undefined"].as_array().unwrap().is_empty());

    // Sizes agree with wasm-ld's text map of the same link; the offset is where the
    // function's entry (its size, then its body) is in the file.
    let mut text_args = vec!["-M".to_string()];
    text_args.extend(command_link_args(&[&main, &lib], &s.path("ref.wasm")));
    let text = String::from_utf8(wasm_ld(&text_args).stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.ends_with("libx.a(helper.o):(helper)"))
        .unwrap();
    let size = u64::from_str_radix(line.split_whitespace().nth(2).unwrap(), 16).unwrap();
    assert_eq!(helper_fn["size"].as_u64(), Some(size));
    let module = std::fs::read(s.path("out.wasm")).unwrap();
    let at = helper_fn["offset"].as_u64().unwrap() as usize;
    let mut reader = wasmparser::BinaryReader::new(&module[at..], 0);
    let body = reader.read_var_u32().unwrap() as u64;
    assert_eq!(reader.original_position() as u64 + body, size);

    // A failed link: every reference to the undefined symbol, and no module.
    let fail_path = s.path("fail.json");
    let mut args = vec![
        "--map-format=json".to_string(),
        "-Map".into(),
        fail_path.display().to_string(),
    ];
    args.extend(command_link_args(&[&main], &s.path("fail.wasm")));
    assert_eq!(weld(&args).status.code(), Some(1));
    let map: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fail_path).unwrap()).unwrap();
    assert_eq!(map["linked"], false);
    let undefined = map["undefined"].as_array().unwrap();
    assert_eq!(undefined.len(), 1, "{undefined:?}");
    assert_eq!(undefined[0]["symbol"], "helper");
    let mut chunks: Vec<&str> = undefined[0]["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["chunk"].as_str().unwrap())
        .collect();
    chunks.sort();
    assert!(chunks.iter().all(|c| c.contains("main.o:(")), "{chunks:?}");
    assert_eq!(
        chunks.len(),
        2,
        "twice and main both call helper: {chunks:?}"
    );
    assert!(!s.path("fail.wasm").exists());
}

/// Archive members that `--export` names load in the order wasm-ld walks its set of exported
/// names (LLVM's StringSet hash order, `--export-if-defined` names inserted first), which sets
/// the output's function order: byte-identical for 2 to 60 names (across the set's growth).
#[test]
fn exported_archive_members_load_in_wasm_lds_order() {
    let s = Scratch::new();
    let objects: Vec<std::path::PathBuf> = (1..=60)
        .map(|i| {
            s.compile(
                &format!("s{i}"),
                &format!("int sym_{i}(void) {{ return {i}; }}\n"),
                &[],
            )
        })
        .collect();
    let refs: Vec<&std::path::Path> = objects.iter().map(|p| p.as_path()).collect();
    let lib = s.archive("libbig.a", &refs);
    for n in [2, 12, 13, 40, 60] {
        let mut names: Vec<String> = (1..=n).map(|i| format!("--export=sym_{i}")).collect();
        if n == 60 {
            names.insert(0, "--export-if-defined=sym_5".into());
            names.insert(1, "--export-if-defined=nope".into());
        }
        let outs = link_both(&s, &format!("{n} exports"), |out| {
            let mut args = vec!["--no-entry".to_string()];
            args.extend(names.iter().cloned());
            args.extend([
                lib.display().to_string(),
                "-o".into(),
                out.display().to_string(),
            ]);
            args
        });
        assert!(outs[0] == outs[1], "{n} exports: weld and wasm-ld differ");
    }
}

/// `--time-trace`: a Chrome trace of weld's phases next to the output (or where
/// `--time-trace-file` says), events below `--time-trace-granularity` left out.
#[test]
fn time_trace_writes_a_chrome_trace_of_the_phases() {
    let s = Scratch::new();
    let main = s.compile("main", MAIN, &[]);
    let helper = s.compile("helper", HELPER, &[]);
    let out = s.path("out.wasm");
    let mut args = vec![
        "--time-trace".to_string(),
        "--time-trace-granularity=0".into(),
    ];
    args.extend(command_link_args(&[&main, &helper], &out));
    assert!(weld(&args).status.success());
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("out.wasm.time-trace")).unwrap())
            .unwrap();
    let names: Vec<&str> = trace["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Total Link",
            "read",
            "resolve",
            "gc",
            "layout",
            "write",
            "map"
        ]
    );
    let file = s.path("trace.json");
    let mut args = vec![format!("--time-trace-file={}", file.display())];
    args.extend(command_link_args(&[&main, &helper], &out));
    assert!(weld(&args).status.success());
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // At the default granularity (500 µs) a small link's phases may all be left out; the
    // total is always there.
    assert_eq!(trace["traceEvents"][0]["name"], "Total Link");
}

/// `-r` with archives (and `--start-lib` objects) named before the object that needs their
/// members: the members load, as in wasm-ld, and the objects are byte-identical.
#[test]
fn relocatable_loads_members_of_archives_named_first() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint helper(int);\nint main(void) { printf(\"%d\\n\", helper(1)); return 0; }\n",
        &[],
    );
    let helper = s.compile("helper", HELPER, &[]);
    let lib = s.archive("libx.a", &[helper.as_path()]);
    let p = |p: &std::path::Path| p.display().to_string();
    for first in [
        vec![p(&lib)],
        vec![format!("-L{SYSROOT_LIB}"), "-lc".into(), p(&lib)],
        vec!["--start-lib".into(), p(&helper), "--end-lib".into()],
    ] {
        let outs = link_both(&s, &format!("{first:?}"), |out| {
            let mut args = vec!["-r".to_string()];
            args.extend(first.iter().cloned());
            args.extend([p(&main), "-o".into(), p(out)]);
            args
        });
        assert!(outs[0] == outs[1], "{first:?}: weld and wasm-ld differ");
    }
}
