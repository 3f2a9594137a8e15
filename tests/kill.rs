//! A link killed with SIGKILL at a random moment never leaves a partial output, never damages
//! an existing output, and its temporary file (`.NAME.weld-XXXXXX.tmp`) is removed by the next
//! link of the same output (spec/command-line.md, "Output files").
//!
//! `WELD_KILL_CASES` sets the number of kills per write mode (default 40).
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::*;

const PROGRAM: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(int argc, char **argv) {
  int v[] = {5, 3, 9, 1};
  qsort(v, 4, sizeof *v, cmp);
  char *s = strdup(argc > 1 ? argv[1] : "none");
  printf("%d %d %s %f\n", v[0], v[3], s, 2.5);
  free(s);
  return 0;
}
"#;

/// The temporary files of earlier links of `out` in its directory.
fn strays(out: &Path) -> Vec<String> {
    let prefix = format!(".{}.weld-", out.file_name().unwrap().to_string_lossy());
    let mut found: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix) && n.ends_with(".tmp"))
        .collect();
    found.sort();
    found
}

fn link(args: &[String]) -> Duration {
    let t = Instant::now();
    let o = weld(args);
    assert!(o.status.success(), "{}", stderr(&o));
    t.elapsed()
}

fn cases() -> usize {
    std::env::var("WELD_KILL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// Kills links of `args` (whose output is `out`) at random moments over their run.
fn kill_links(args: &[String], out: &Path, mode: &str, seed: u64) {
    // The output as it was before (a different link of the same program), and as the link
    // makes it.
    let mut old_args = args.to_vec();
    old_args.push("--strip-all".into());
    link(&old_args);
    let old = std::fs::read(out).unwrap();
    let mut times: Vec<Duration> = (0..3).map(|_| link(args)).collect();
    times.sort();
    let new = std::fs::read(out).unwrap();
    assert_ne!(old, new);
    let typical = times[1];

    let mut rng = seed;
    let (mut kept_old, mut finished, mut left_temporary) = (0, 0, 0);
    for case in 0..cases() {
        std::fs::write(out, &old).unwrap();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Anywhere from the start to a little past the typical end.
        let delay = typical.mul_f64((rng % 1000) as f64 / 800.0);
        let mut child = Command::new(env!("CARGO_BIN_EXE_weld"))
            .args(args)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = std::fs::read(out).unwrap();
        if now == old {
            kept_old += 1;
        } else if now == new {
            finished += 1;
        } else {
            panic!(
                "{mode}: kill {case} after {delay:?} left a damaged output ({} bytes)",
                now.len()
            );
        }
        let left = strays(out);
        // Each link removes the files of the links killed before it, once it creates its
        // own; the streaming writer does so before linking.
        if mode == "streaming" {
            assert!(left.len() <= 1, "{mode}: kill {case}: {left:?}");
        }
        left_temporary += usize::from(!left.is_empty());
    }
    // The next complete link removes whatever temporary files the killed ones left.
    link(args);
    assert_eq!(strays(out), Vec::<String>::new(), "{mode}: after a link");
    // Nor any file of another name.
    let mut files: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["out.wasm", "prog.c", "prog.o"], "{mode}");
    assert_eq!(std::fs::read(out).unwrap(), new);
    eprintln!(
        "{mode}: {} kills over a {typical:?} link: {kept_old} left the old output intact, \
         {finished} came after the new output was in place, {left_temporary} left a temporary \
         file (removed by the next link); no partial output",
        cases()
    );
    assert!(
        kept_old > 0,
        "{mode}: no kill came before the end of the link"
    );
}

#[test]
fn killed_links_leave_no_partial_output() {
    let s = Scratch::new();
    let obj = s.compile("prog", PROGRAM, &["-g"]);
    let out = s.path("out.wasm");
    let args = command_link_args(&[&obj], &out);
    // The default writer streams sections into the temporary file as they are finished.
    kill_links(&args, &out, "streaming", 0x9e37_79b9_7f4a_7c15);
    // A build id needs the whole module first: written at the end, in one piece.
    let mut in_memory = args.clone();
    in_memory.push("--build-id=sha1".into());
    kill_links(&in_memory, &out, "in-memory", 0xc2b2_ae3d_27d4_eb4f);
}

/// A temporary file that a running link holds is not removed by another link of the same
/// output; one that nothing holds is.
#[test]
fn held_temporaries_are_kept() {
    let s = Scratch::new();
    let obj = s.compile("prog", "int main(void) { return 0; }", &[]);
    let out = s.path("out.wasm");
    let held = s.path(".out.wasm.weld-held01.tmp");
    let stale = s.path(".out.wasm.weld-stale1.tmp");
    let other = s.path(".other.wasm.weld-stale2.tmp");
    for p in [&held, &stale, &other] {
        std::fs::write(p, b"partial").unwrap();
    }
    let f = std::fs::File::open(&held).unwrap();
    f.try_lock().unwrap();
    link(&command_link_args(&[&obj], &out));
    assert!(held.exists(), "a held temporary file was removed");
    assert!(!stale.exists(), "a stale temporary file was kept");
    assert!(
        other.exists(),
        "another output's temporary file was removed"
    );
    drop(f);
}
