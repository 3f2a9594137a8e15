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
    "src/layout.rs",
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
        files = CORE.iter().map(|s| s.to_string()).collect();
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
        let current = list_mutants(&files)?;
        let ledger = update_ledger(&out_dir, true, &current)?;
        return summarize(&root, &ledger, current.len(), Instant::now());
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
    let current = list_mutants(&files)?;
    let ledger = update_ledger(&out_dir, iterate, &current)?;
    summarize(&root, &ledger, current.len(), t)
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

/// Each mutant's latest outcome across runs, in `target/mutants/ledger.txt` (`OUTCOME\tNAME`):
/// `--iterate` re-tests only what earlier runs did not catch, so the score of the whole core is
/// the ledger's. A full run starts a new ledger; mutants that no longer exist (the source
/// changed) are dropped, and current mutants without an outcome are reported as untested.
fn update_ledger(
    out_dir: &Path,
    iterate: bool,
    current: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let read = |dir: &Path, name: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    let path = out_dir.join("ledger.txt");
    let mut ledger = BTreeMap::new();
    if iterate {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                for line in text.lines() {
                    if let Some((outcome, name)) = line.split_once('\t') {
                        ledger.insert(name.to_string(), outcome.to_string());
                    }
                }
            }
            // The first iteration: the run before it is in `mutants.out.old`.
            Err(_) => {
                for (file, outcome) in OUTCOMES {
                    for name in read(&out_dir.join("mutants.out.old"), file) {
                        ledger.insert(name, outcome.to_string());
                    }
                }
            }
        }
    }
    for (file, outcome) in OUTCOMES {
        for name in read(&out_dir.join("mutants.out"), file) {
            ledger.insert(name, outcome.to_string());
        }
    }
    let exists: std::collections::HashSet<&str> = current.iter().map(String::as_str).collect();
    ledger.retain(|name, _| exists.contains(name.as_str()));
    let text: String = ledger.iter().map(|(n, o)| format!("{o}\t{n}\n")).collect();
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(ledger)
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
