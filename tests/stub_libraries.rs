//! Stub libraries (`#STUB` text files), as wasm-ld-22 reads them: each symbol a stub provides
//! that an object references and nothing defines is imported, and the symbols it depends on
//! are exported (and loaded from archives). Every expectation is wasm-ld-22's output, exit
//! status and messages on the same command line.

mod support;

use support::*;

const USE: &str = "\
extern int host_fn(int);
extern int host_other(void);
__attribute__((import_name(\"host_renamed\"))) extern int via_import_name(void);
int helper_a(int x) { return x + 1; }
int helper_b(int x) { return x + 2; }
int unused_helper(int x) { return x + 3; }
__attribute__((export_name(\"run\"))) int run(void) {
  return host_fn(3) + host_other() + via_import_name();
}
";

/// A member of `libdeps.a` that only a stub symbol's dependency pulls in; it references one
/// more stub symbol, which the next round of stub processing imports.
const MEMBER: &str = "\
extern int host_late(void);
int from_archive(int x) { return x + host_late(); }
";

fn stub(s: &Scratch, name: &str, text: &str) -> String {
    let path = s.path(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn stub_libraries_import_and_export_as_wasm_ld() {
    let s = Scratch::new();
    let user = s.compile("use", USE, &[]).display().to_string();
    let member = s.compile("member", MEMBER, &[]);
    let lib = s.archive("libdeps.a", &[&member]).display().to_string();
    let base = |extra: &[String]| -> Vec<String> {
        let mut v: Vec<String> = ["--no-entry".into(), user.clone()].to_vec();
        v.extend_from_slice(extra);
        v
    };
    let rows: Vec<(&str, &str)> = vec![
        // Dependencies exported; comments, spaces and a symbol nothing references.
        (
            "basic",
            "#STUB\n# a comment\n  host_fn : helper_a , helper_b \nhost_other\nhost_renamed\nnever_used: unused_helper\n",
        ),
        // A symbol listed again takes the later line's dependencies.
        (
            "relisted",
            "#STUB\nhost_fn: helper_a, helper_b\nhost_other\nhost_renamed\nhost_fn: helper_b\n",
        ),
        // A dependency defined in an archive member loads it, and the member's own reference
        // to another stub symbol is imported in a second round.
        (
            "archive",
            "#STUB\nhost_fn: from_archive\nhost_other\nhost_renamed\nhost_late\n",
        ),
        // A dependency that nothing defines.
        (
            "missing",
            "#STUB\nhost_fn: helper_a, nowhere\nhost_other: also_nowhere\nhost_renamed\n",
        ),
        // An empty dependency between two commas is looked up, as wasm-ld splits the line.
        (
            "empty_dep",
            "#STUB\nhost_fn: helper_a,,helper_b\nhost_other\nhost_renamed\n",
        ),
    ];
    let mut failures = Vec::new();
    let mut linked = 0;
    for (what, text) in &rows {
        let path = stub(&s, &format!("{what}.so"), text);
        let args = base(&[path, lib.clone()]);
        match same_as_wasm_ld(&s, what, &args) {
            Ok(ok) => linked += usize::from(ok),
            Err(e) => failures.push(e),
        }
    }
    // Two stub libraries providing one symbol: the first on the command line handles it.
    let first = stub(
        &s,
        "first.so",
        "#STUB\nhost_fn: helper_a\nhost_other\nhost_renamed\n",
    );
    let second = stub(&s, "second.so", "#STUB\nhost_fn: helper_b\n");
    match same_as_wasm_ld(&s, "two", &base(&[first, second])) {
        Ok(ok) => linked += usize::from(ok),
        Err(e) => failures.push(e),
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // basic, relisted, archive and two link; missing and empty_dep fail alike.
    assert_eq!(linked, 4);
    // Without a stub for `host_other` it is an ordinary undefined symbol (weld adds the
    // function that referenced it on a second line).
    let partial = stub(&s, "partial.so", "#STUB\nhost_fn\nhost_renamed\n");
    let args = [
        base(&[partial]),
        vec!["-o".into(), s.path("x.wasm").display().to_string()],
    ]
    .concat();
    let (ours, theirs) = (weld(&args), wasm_ld(&args));
    assert_eq!(
        (ours.status.code(), theirs.status.code()),
        (Some(1), Some(1))
    );
    let first = |o: &std::process::Output| {
        let e = stderr(o);
        let line = e.lines().next().unwrap_or("").to_string();
        line.split_once(": ")
            .map(|(_, m)| m.to_string())
            .unwrap_or(line)
    };
    assert_eq!(first(&ours), first(&theirs));
    assert!(
        first(&ours).contains("undefined symbol: host_other"),
        "{}",
        first(&ours)
    );
}

#[test]
fn stub_libraries_trace_and_why_extract_as_wasm_ld() {
    let s = Scratch::new();
    let user = s.compile("use", USE, &[]).display().to_string();
    let member = s.compile("member", MEMBER, &[]);
    let lib = s.archive("libdeps.a", &[&member]).display().to_string();
    let stub = stub(
        &s,
        "host.so",
        "#STUB\nhost_fn: from_archive, helper_a\nhost_other\nhost_renamed\nhost_late\n",
    );
    let mut outs = Vec::new();
    for (dir, run) in [("w", weld as fn(&[String]) -> _), ("r", wasm_ld)] {
        std::fs::create_dir_all(s.path(dir)).unwrap();
        let why = s.path(dir).join("why.txt");
        let args: Vec<String> = vec![
            "--no-entry".into(),
            "-y".into(),
            "host_fn".into(),
            "-y".into(),
            "helper_a".into(),
            format!("--why-extract={}", why.display()),
            user.clone(),
            stub.clone(),
            lib.clone(),
            "-o".into(),
            s.path(dir).join("out.wasm").display().to_string(),
        ];
        let o = run(&args);
        assert!(o.status.success(), "{dir}: {}", stderr(&o));
        outs.push((
            String::from_utf8_lossy(&o.stdout).into_owned(),
            std::fs::read_to_string(&why).unwrap(),
            std::fs::read(s.path(dir).join("out.wasm")).unwrap(),
        ));
    }
    assert_eq!(outs[0].0, outs[1].0, "-y messages");
    assert!(outs[1].0.contains("importing host_fn"), "{}", outs[1].0);
    assert_eq!(outs[0].1, outs[1].1, "--why-extract");
    assert_eq!(outs[0].2, outs[1].2, "output bytes");
}
