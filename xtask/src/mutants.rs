//! `cargo xtask mutants`: mutation testing of the linker core with cargo-mutants.
//!
//! Every mutant of the core files (resolution, gc, layout, relocation, writing) is built and
//! weld's test suite (`cargo test -p weld`: unit tests, the integration tests comparing with
//! wasm-ld-22, and `tests/corpus.rs`, which links the differential programs in-process and
//! requires wasm-ld's bytes) must fail on it. Mutants that survive are listed; those judged
//! equivalent (no test can tell them apart) are in `xtask/mutants-equivalent.txt` with reasons.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::util::{self, cargo, repo_root};

/// The core: the phases after reading, and the relocation table.
pub const CORE: &[&str] = &[
    "src/resolve.rs",
    "src/gc.rs",
    "src/layout/mod.rs",
    "src/layout/imports.rs",
    "src/layout/functions.rs",
    "src/layout/globals.rs",
    "src/layout/types.rs",
    "src/layout/tables.rs",
    "src/layout/memory.rs",
    "src/layout/exports.rs",
    "src/synthetic.rs",
    "src/reloc.rs",
    "src/strings.rs",
    "src/write.rs",
    "src/linking.rs",
];

const USAGE: &str = "usage: cargo xtask mutants [--shard K/N] [--file src/F.rs]... [--iterate] \
                     [--jobs N] [--list] [--summary]";

/// `cargo xtask mutants [--shard K/N] [--file F]... [--iterate] [--list] [--summary]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut shard = None;
    let mut files: Vec<String> = Vec::new();
    let mut list = false;
    let mut iterate = false;
    let mut summary = false;
    let mut jobs = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--shard" => shard = Some(it.next().ok_or(USAGE)?.clone()),
            "--file" => files.push(it.next().ok_or(USAGE)?.clone()),
            "--list" => list = true,
            // Test again only what the last run did not catch (after adding tests).
            "--iterate" => iterate = true,
            // Only the score of what the runs so far found (one may still be going).
            "--summary" => summary = true,
            // Mutants built and tested at once, each in its own copy of the tree.
            "--jobs" => jobs = Some(it.next().ok_or(USAGE)?.clone()),
            _ => return Err(format!("unknown option `{a}`\n{USAGE}")),
        }
    }
    if files.is_empty() {
        files = core();
    }
    if Command::new("cargo-mutants")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("mutants: installing cargo-mutants (cargo install cargo-mutants --locked)");
        let mut install = cargo();
        install.args(["install", "cargo-mutants", "--locked"]);
        util::run_inherited(&mut install)?;
    }
    let root = repo_root();
    let out_dir = root.join("target").join("mutants");
    if summary {
        let ledger = rebase_ledger(&root, &out_dir, load_ledger(&out_dir))?;
        let total = list_mutants(&core())?.len();
        return summarize(&root, &ledger, total, Instant::now());
    }
    let mut cmd = cargo();
    cmd.args([
        "mutants",
        "-p",
        "weld",
        "--test-package",
        "weld",
        "--no-shuffle",
    ]);
    for f in &files {
        cmd.args(["--file", f]);
    }
    if let Some(s) = &shard {
        // Round-robin: a shard is a sample of every file, not a slice of one.
        cmd.args(["--shard", s, "--sharding", "round-robin"]);
    }
    if iterate {
        cmd.arg("--iterate");
    }
    if let Some(j) = &jobs {
        cmd.args(["--jobs", j]);
    }
    if list {
        cmd.arg("--list");
        return util::run_inherited(&mut cmd);
    }
    // Outcomes of earlier runs (shards, iterations) carry over, moved to the tree as it is now.
    let earlier = rebase_ledger(&root, &out_dir, load_ledger(&out_dir))?;
    if iterate {
        skip_known(&out_dir, &earlier)?;
    }
    // The tree as tested: this run's names are relative to it.
    snapshot(&root, &out_dir.join(RUN_BASE))?;
    // A mutant that loops forever is caught by the timeout. The floor keeps a busy machine from
    // turning a slow surviving mutant into a "timeout" that would count as caught.
    cmd.args([
        "--timeout-multiplier",
        "3",
        "--minimum-test-timeout",
        "120",
        "--output",
    ])
    .arg(&out_dir);
    let t = Instant::now();
    println!("mutants: {}", util::show(&cmd));
    // cargo-mutants exits non-zero when mutants survive; the summary below says what happened.
    let _ = cmd.status();
    let mut ledger = earlier;
    for (file, outcome) in OUTCOMES {
        for name in read_lines(&out_dir.join("mutants.out").join(file)) {
            ledger.insert(name, outcome.to_string());
        }
    }
    // Both sets of names are relative to the tree as tested, which may have changed since.
    replace_dir(&out_dir.join(RUN_BASE), &out_dir.join(BASE))?;
    let ledger = rebase_ledger(&root, &out_dir, ledger)?;
    let total = list_mutants(&core())?.len();
    summarize(&root, &ledger, total, t)
}

fn core() -> Vec<String> {
    CORE.iter().map(|s| s.to_string()).collect()
}

/// The names of the mutants of `files` as the tree is now, as cargo-mutants spells them.
fn list_mutants(files: &[String]) -> Result<Vec<String>, String> {
    let mut cmd = cargo();
    cmd.args(["mutants", "-p", "weld", "--list"]);
    for f in files {
        cmd.args(["--file", f]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cargo mutants --list: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo mutants --list failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

/// The outcome files cargo-mutants writes, and the outcome each stands for.
const OUTCOMES: [(&str, &str); 4] = [
    ("caught.txt", "caught"),
    ("timeout.txt", "timeout"),
    ("missed.txt", "missed"),
    ("unviable.txt", "unviable"),
];

/// Each mutant's latest outcome across runs is kept in `target/mutants/ledger.txt`
/// (`OUTCOME\tNAME`), with copies of the core files its names refer to in `target/mutants/base/`.
/// A name carries a line number, so when the source changes the ledger is rebased: an outcome
/// moves with its line when the line is unchanged and is dropped when the line changed (that
/// mutant is untested again). `--iterate` then tests only what the ledger has not caught.
const LEDGER: &str = "ledger.txt";
/// The core files the ledger's names refer to.
const BASE: &str = "base";
/// The core files as the current run tests them.
const RUN_BASE: &str = "run-base";

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn load_ledger(out_dir: &Path) -> BTreeMap<String, String> {
    read_lines(&out_dir.join(LEDGER))
        .iter()
        .filter_map(|l| l.split_once('\t'))
        .map(|(outcome, name)| (name.to_string(), outcome.to_string()))
        .collect()
}

/// Copies the core files of the work tree into `dir`.
fn snapshot(root: &Path, dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    for f in CORE {
        let to = dir.join(f);
        std::fs::create_dir_all(to.parent().unwrap())
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::copy(root.join(f), &to).map_err(|e| format!("{f}: {e}"))?;
    }
    Ok(())
}

fn replace_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(to);
    std::fs::rename(from, to).map_err(|e| format!("{}: {e}", from.display()))
}

/// Where each line of `old` stands in `new` (`None`: changed or deleted), from the hunks of
/// `git diff -U0`.
fn line_map(old: &Path, new: &Path) -> Result<impl Fn(u32) -> Option<u32> + use<>, String> {
    let out = Command::new("git")
        .args(["diff", "--no-index", "--no-color", "-U0", "--"])
        .args([old, new])
        .output()
        .map_err(|e| format!("git diff: {e}"))?;
    // (first old line, old count, new count) per hunk, in order.
    let mut hunks: Vec<(u32, u32, u32)> = Vec::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(rest) = l.strip_prefix("@@ -") else {
            continue;
        };
        let range = |r: &str| -> (u32, u32) {
            let (a, n) = r.split_once(',').unwrap_or((r, "1"));
            (a.parse().unwrap_or(0), n.parse().unwrap_or(0))
        };
        let mut parts = rest.split_whitespace();
        let (a, b) = range(parts.next().unwrap_or("0"));
        let (_, d) = range(parts.next().unwrap_or("+0").trim_start_matches('+'));
        hunks.push((a, b, d));
    }
    Ok(move |line: u32| {
        let mut shift: i64 = 0;
        for &(a, b, d) in &hunks {
            // A pure insertion (b = 0) goes after line a; otherwise lines a..a+b are replaced.
            let first_after = if b == 0 { a + 1 } else { a + b };
            if b > 0 && (a..a + b).contains(&line) {
                return None;
            }
            if line >= first_after {
                shift += d as i64 - b as i64;
            }
        }
        Some((line as i64 + shift) as u32)
    })
}

/// Moves the ledger's names from the files in `base/` to the work tree, drops the mutants that
/// no longer exist, writes it, and makes the work tree its new base.
fn rebase_ledger(
    root: &Path,
    out_dir: &Path,
    ledger: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let base = out_dir.join(BASE);
    let mut maps = BTreeMap::new();
    for f in CORE {
        if base.join(f).exists() {
            maps.insert(f.to_string(), line_map(&base.join(f), &root.join(f))?);
        }
    }
    let mut moved = BTreeMap::new();
    for (name, outcome) in ledger {
        // `src/F.rs:LINE:COL: description`
        let mut parts = name.splitn(3, ':');
        let (Some(file), Some(line), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Some(map), Ok(line)) = (maps.get(file), line.parse::<u32>()) else {
            continue;
        };
        if let Some(new) = map(line) {
            moved.insert(format!("{file}:{new}:{rest}"), outcome);
        }
    }
    // The whole core, whatever `--file` selected: the ledger is the score of all of it.
    let current: std::collections::HashSet<String> = list_mutants(&core())?.into_iter().collect();
    moved.retain(|name, _| current.contains(name));
    let text: String = moved.iter().map(|(n, o)| format!("{o}\t{n}\n")).collect();
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let path = out_dir.join(LEDGER);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    snapshot(root, &base)?;
    Ok(moved)
}

/// Tells `cargo mutants --iterate` what the ledger has already caught (it skips the names in
/// `mutants.out/caught.txt` and `unviable.txt`), in the work tree's line numbers.
fn skip_known(out_dir: &Path, ledger: &BTreeMap<String, String>) -> Result<(), String> {
    let dir = out_dir.join("mutants.out");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let names = |outcomes: &[&str]| -> String {
        ledger
            .iter()
            .filter(|(_, o)| outcomes.contains(&o.as_str()))
            .map(|(n, _)| format!("{n}\n"))
            .collect()
    };
    for (file, text) in [
        ("caught.txt", names(&["caught", "timeout"])),
        ("unviable.txt", names(&["unviable"])),
        ("previously_caught.txt", String::new()),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(())
}

/// Prints caught/missed counts and the score, and the survivors not judged equivalent.
fn summarize(
    root: &Path,
    ledger: &BTreeMap<String, String>,
    total: usize,
    t: Instant,
) -> Result<(), String> {
    let with = |outcome: &str| -> Vec<&String> {
        ledger
            .iter()
            .filter(|(_, o)| *o == outcome)
            .map(|(n, _)| n)
            .collect()
    };
    let (caught, missed, timeout, unviable) = (
        with("caught"),
        with("missed"),
        with("timeout"),
        with("unviable"),
    );
    if caught.is_empty() && missed.is_empty() && timeout.is_empty() {
        return Err("no results in target/mutants".to_string());
    }
    let equivalent =
        std::fs::read_to_string(root.join("xtask/mutants-equivalent.txt")).unwrap_or_default();
    let judged: Vec<&str> = equivalent
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split(" # ").next())
        .map(str::trim)
        .collect();
    let (equiv, live): (Vec<&String>, Vec<&String>) =
        missed.iter().partition(|m| judged.contains(&m.trim()));
    let viable = caught.len() + missed.len() + timeout.len();
    let killed = caught.len() + timeout.len();
    println!(
        "mutants: {total} mutants of the core, {} untested; {viable} viable ({} unviable); \
         this run took {}: {} caught, {} timed out, {} missed ({} judged equivalent)",
        total - ledger.len(),
        unviable.len(),
        util::secs(t.elapsed()),
        caught.len(),
        timeout.len(),
        missed.len(),
        equiv.len()
    );
    let score = |k: usize, n: usize| 100.0 * k as f64 / n.max(1) as f64;
    println!(
        "mutants: score {:.1}% of viable mutants; {:.1}% leaving out the equivalent ones",
        score(killed, viable),
        score(killed, viable - equiv.len())
    );
    for m in live {
        println!("  missed: {m}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_follows_unchanged_lines() {
        let dir = std::env::temp_dir().join(format!("xtask-line-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let old: Vec<String> = (1..=10).map(|i| format!("line {i}")).collect();
        let mut new = old.clone();
        new[4] = "changed".into(); // line 5
        new.insert(7, "added a".into()); // after line 7
        new.insert(8, "added b".into());
        new.remove(1); // line 2
        std::fs::write(dir.join("old"), old.join("\n") + "\n").unwrap();
        std::fs::write(dir.join("new"), new.join("\n") + "\n").unwrap();
        let map = line_map(&dir.join("old"), &dir.join("new")).unwrap();
        let got: Vec<Option<u32>> = (1..=10).map(&map).collect();
        std::fs::remove_dir_all(&dir).unwrap();
        let want = [1, 0, 2, 3, 0, 5, 6, 9, 10, 11].map(|n| (n > 0).then_some(n));
        assert_eq!(got, want);
        for (i, line) in (1..=10).zip(&old) {
            if let Some(n) = map(i) {
                assert_eq!(&new[n as usize - 1], line);
            }
        }
    }
}
