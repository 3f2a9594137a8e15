//! `cargo xtask bench`: link time and peak memory of weld relative to wasm-ld-22, measured side
//! by side in one run, on every differential case built at `-O1 -g` (C and C++ by clang-22,
//! Rust by rustc at `-C opt-level=1 -g`) and, with `--large`, on the synthetic input at four
//! scales (1,000 to 8,000 objects).
//!
//! Beside each ratio it reports the floor, the time to read every input once and write the
//! output file, and weld's time as a multiple of it; and the time of a cached relink
//! (`--cache-dir`, the same link again). Every input is also linked with `--threads` 1, 2
//! and 8, and the bench fails unless all give the same bytes. With `--large` it adds a scaling
//! table and an SVG plot of time and memory against input size, `target/bench/scaling.svg`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cases;
use crate::differential::{self, CommandLog};
use crate::toolchain::{self, Compiler};
use crate::util::{self, cargo, parse_opts, run_captured, run_inherited, show};

/// The optimisation of the suite's inputs: real programs are usually linked with debug info.
const OPT: &[&str] = &["-O1", "-g"];
const RUST_OPT: &[&str] = &["-C", "opt-level=1", "-g"];
/// The synthetic input's scales, in blocks of 1,000 objects.
const SCALES: &[usize] = &[1, 2, 4, 8];

/// One linker's measurements on one input.
#[derive(Clone, Copy)]
struct Sample {
    median: Duration,
    /// Peak resident set size, in KiB, the largest over the runs.
    max_rss_kib: u64,
}

/// Everything measured on one input.
struct Row {
    name: String,
    ld: Sample,
    weld: Sample,
    /// Reading every input once plus writing the output.
    floor: Duration,
    /// weld relinking with `--cache-dir` when the entry is there.
    cached: Duration,
    input_bytes: u64,
    output_bytes: u64,
    inputs: usize,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse_opts(args, &["--filter", "--runs", "--large"])?;
    let runs = opts.runs.unwrap_or(10).max(1);
    if !toolchain::weld_overridden() {
        let mut build = cargo();
        build.args(["build", "--release", "-p", "weld"]);
        println!("bench: {}", show(&build));
        run_inherited(&mut build)?;
    }
    let weld = toolchain::weld_path();
    let root = util::repo_root();
    let mut cases = Vec::new();
    for case in cases::discover(&root, opts.filter.as_deref())? {
        match case {
            Ok(c) => cases.push(c),
            Err(e) => println!("bench: skipping: {e}"),
        }
    }
    let bench_dir = root.join("target/bench");
    println!(
        "bench: {runs} links per linker and input (alternating), inputs at {} (Rust: {}); \
         time = median wall clock, rss = peak;\n\
         floor = read every input once + write the output; cached = weld --cache-dir relink\n\
         {:<22} {:>9} {:>9} {:>6} {:>8} {:>8} {:>6} {:>8} {:>6} {:>8}",
        OPT.join(" "),
        RUST_OPT.join(" "),
        "input",
        "wasm-ld",
        "weld",
        "ratio",
        "rss ld",
        "rss weld",
        "ratio",
        "floor",
        "weld/fl",
        "cached",
    );
    let mut rows: Vec<Row> = Vec::new();
    let mut measure_row =
        |name: &str, args: &dyn Fn(&Path) -> Vec<OsString>, dir: &Path| match measure_input(
            &weld, name, args, dir, runs,
        ) {
            Ok(row) => {
                print_row(&row);
                rows.push(row);
            }
            Err(e) => println!("{name:<22} error: {e}"),
        };
    for case in &cases {
        let dir = bench_dir.join(&case.name);
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            println!(
                "{:<22} error: cannot create {}: {e}",
                case.name,
                dir.display()
            );
            continue;
        }
        if let Some(rust) = &case.rust {
            match differential::rust_link_line(rust, RUST_OPT, &weld, &dir) {
                Ok(args) => measure_row(&case.name, &args, &dir),
                Err(e) => println!("{:<22} error: {}", case.name, e.trim()),
            }
            continue;
        }
        if !case.compilers.contains(&Compiler::Clang22) {
            continue;
        }
        let mut log = CommandLog::new(&dir);
        let inputs =
            match differential::build_inputs(case, Compiler::Clang22, OPT, &dir, &mut log, true) {
                Ok(i) => i,
                Err(e) => {
                    println!("{:<22} error: {e}", case.name);
                    continue;
                }
            };
        drop(log);
        let args = |out: &Path| differential::link_args(case, Compiler::Clang22, &inputs, out);
        measure_row(&case.name, &args, &dir);
    }
    let suite_rows = rows.len();
    if opts.large {
        for &scale in SCALES {
            let large = crate::synth::ensure(scale)?;
            let name = format!("synthetic-{scale}x");
            let dir = bench_dir.join(&name);
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let args = |out: &Path| crate::synth::link_args(&large, out);
            // The largest inputs take seconds per link: fewer runs.
            let n = if scale >= 4 { runs.min(5) } else { runs };
            match measure_input(&weld, &name, &args, &dir, n) {
                Ok(row) => {
                    print_row(&row);
                    rows.push(row);
                }
                Err(e) => println!("{name:<22} error: {e}"),
            }
        }
    }
    if !rows.is_empty() {
        let ratios = |f: &dyn Fn(&Row) -> f64| geomean(&rows.iter().map(f).collect::<Vec<_>>());
        println!(
            "bench: geometric mean weld/wasm-ld over {} inputs: time {:.2}x, peak rss {:.2}x; \
             weld/floor {:.1}x",
            rows.len(),
            ratios(&|r| secs(r.weld.median) / secs(r.ld.median)),
            ratios(&|r| r.weld.max_rss_kib as f64 / r.ld.max_rss_kib.max(1) as f64),
            ratios(&|r| secs(r.weld.median) / secs(r.floor)),
        );
    }
    let scaled = &rows[suite_rows..];
    if !scaled.is_empty() {
        print_scaling(scaled);
        let svg = scaling_svg(scaled);
        let path = bench_dir.join("scaling.svg");
        std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("bench: plot written to {}", path.display());
    }
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64().max(1e-9)
}

fn print_row(r: &Row) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{:<22} {:>7.1}ms {:>7.1}ms {:>5.2}x {:>6.1}MB {:>6.1}MB {:>5.2}x {:>6.1}ms {:>6.1}x {:>6.1}ms",
        r.name,
        ms(r.ld.median),
        ms(r.weld.median),
        secs(r.weld.median) / secs(r.ld.median),
        r.ld.max_rss_kib as f64 / 1024.0,
        r.weld.max_rss_kib as f64 / 1024.0,
        r.weld.max_rss_kib as f64 / r.ld.max_rss_kib.max(1) as f64,
        ms(r.floor),
        secs(r.weld.median) / secs(r.floor),
        ms(r.cached),
    );
}

/// The scaling table: how time and memory grow with the input.
fn print_scaling(rows: &[Row]) {
    println!(
        "bench: scaling of the synthetic input\n\
         {:<16} {:>7} {:>8} {:>8} {:>9} {:>9} {:>6} {:>8} {:>8} {:>9} {:>9} {:>10}",
        "input",
        "objects",
        "in MB",
        "out MB",
        "wasm-ld",
        "weld",
        "ratio",
        "rss ld",
        "rss weld",
        "ld ms/MB",
        "weld ms/MB",
        "weld rss-out",
    );
    for r in rows {
        let mb = |b: u64| b as f64 / 1e6;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let rss_weld = r.weld.max_rss_kib as f64 * 1024.0 / 1e6;
        println!(
            "{:<16} {:>7} {:>8.1} {:>8.1} {:>7.0}ms {:>7.0}ms {:>5.2}x {:>6.0}MB {:>6.0}MB {:>9.2} {:>10.2} {:>8.0}MB",
            r.name,
            r.inputs,
            mb(r.input_bytes),
            mb(r.output_bytes),
            ms(r.ld.median),
            ms(r.weld.median),
            secs(r.weld.median) / secs(r.ld.median),
            r.ld.max_rss_kib as f64 * 1024.0 / 1e6,
            rss_weld,
            ms(r.ld.median) / mb(r.input_bytes),
            ms(r.weld.median) / mb(r.input_bytes),
            rss_weld - mb(r.output_bytes),
        );
    }
}

/// Time and memory against input size, both linkers, as an SVG of two panels.
fn scaling_svg(rows: &[Row]) -> String {
    let (w, h, pad) = (460.0, 320.0, 56.0);
    let max_in = rows.iter().map(|r| r.input_bytes).max().unwrap_or(1) as f64 / 1e6;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        2.0 * w,
        h + 30.0
    );
    /// A panel: its title and the value plotted (for weld or for wasm-ld).
    type Panel<'p> = (&'p str, &'p dyn Fn(&Row, bool) -> f64, &'p str);
    let panels: [Panel<'_>; 2] = [
        (
            "link time (ms)",
            &|r, weld| secs(if weld { r.weld.median } else { r.ld.median }) * 1e3,
            "ms",
        ),
        (
            "peak memory (MB)",
            &|r, weld| {
                (if weld {
                    r.weld.max_rss_kib
                } else {
                    r.ld.max_rss_kib
                }) as f64
                    * 1024.0
                    / 1e6
            },
            "MB",
        ),
    ];
    for (p, (title, value, _unit)) in panels.iter().enumerate() {
        let x0 = p as f64 * w;
        let max_y = rows
            .iter()
            .flat_map(|r| [value(r, false), value(r, true)])
            .fold(1.0f64, f64::max)
            * 1.1;
        let sx = |mb: f64| x0 + pad + mb / (max_in * 1.05) * (w - 1.5 * pad);
        let sy = |v: f64| h - pad + 20.0 - v / max_y * (h - 1.5 * pad);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"18\" font-weight=\"bold\">{title} against input size</text>",
            x0 + pad
        );
        // Axes and ticks.
        let _ = writeln!(
            svg,
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\
             <line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\" stroke=\"black\"/>",
            sx(0.0),
            sy(0.0),
            sx(max_in * 1.05),
            sy(max_y)
        );
        for k in 0..=4 {
            let v = max_y / 1.1 * k as f64 / 4.0;
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{v:.0}</text>",
                sx(0.0) - 4.0,
                sy(v) + 4.0
            );
        }
        for r in rows {
            let mb = r.input_bytes as f64 / 1e6;
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{mb:.0}</text>",
                sx(mb),
                sy(0.0) + 16.0
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">input size (MB of objects)</text>",
            sx(max_in / 2.0),
            sy(0.0) + 34.0
        );
        for (weld, color, label) in [(false, "#c0392b", "wasm-ld-22"), (true, "#2471a3", "weld")] {
            let points: Vec<String> = rows
                .iter()
                .map(|r| {
                    format!(
                        "{:.1},{:.1}",
                        sx(r.input_bytes as f64 / 1e6),
                        sy(value(r, weld))
                    )
                })
                .collect();
            let _ = writeln!(
                svg,
                "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
                points.join(" ")
            );
            for pt in &points {
                let (x, y) = pt.split_once(',').unwrap_or(("0", "0"));
                let _ = writeln!(
                    svg,
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{color}\"/>"
                );
            }
            let ly = 36.0 + if weld { 16.0 } else { 0.0 };
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{ly}\" fill=\"{color}\">{label}</text>",
                x0 + pad + 10.0
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Measures one input: both linkers, the floor and a cached relink.
fn measure_input(
    weld: &Path,
    name: &str,
    args: &dyn Fn(&Path) -> Vec<OsString>,
    dir: &Path,
    runs: usize,
) -> Result<Row, String> {
    let (ld, weld_sample) = bench_pair(weld, args, dir, runs)?;
    let (_, weld_out) = differential::output_paths(dir)?;
    let inputs = input_files(&args(&weld_out));
    let output =
        std::fs::read(&weld_out).map_err(|e| format!("cannot read {}: {e}", weld_out.display()))?;
    // Determinism: the same bytes with 1, 2 and 8 threads as from the timed runs.
    for threads in [1, 2, 8] {
        let mut cmd = Command::new(weld);
        cmd.current_dir(util::repo_root())
            .args(args(&weld_out))
            .arg(format!("--threads={threads}"));
        run_captured(&mut cmd)?;
        if std::fs::read(&weld_out).ok().as_deref() != Some(output.as_slice()) {
            return Err(format!("weld --threads={threads} wrote other bytes"));
        }
    }
    let floor_out = dir.join("floor.out");
    let mut floors = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let mut total = 0u64;
        for f in &inputs {
            total += std::fs::read(f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?
                .len() as u64;
        }
        std::fs::write(&floor_out, &output)
            .map_err(|e| format!("cannot write {}: {e}", floor_out.display()))?;
        floors.push(t.elapsed());
        std::hint::black_box(total);
    }
    let _ = std::fs::remove_file(&floor_out);
    // A cached relink: the first link stores the entry, the timed ones reuse it.
    let cache = dir.join("cache");
    let _ = std::fs::remove_dir_all(&cache);
    let cached_args = |out: &Path| {
        let mut a = args(out);
        a.push(format!("--cache-dir={}", cache.display()).into());
        a
    };
    let mut first = Command::new(weld);
    first
        .current_dir(util::repo_root())
        .args(cached_args(&weld_out));
    run_captured(&mut first)?;
    let mut cached = Vec::new();
    for _ in 0..runs {
        let mut cmd = Command::new(weld);
        cmd.current_dir(util::repo_root())
            .args(cached_args(&weld_out));
        cached.push(measure(&mut cmd)?.0);
    }
    let cached_bytes = std::fs::read(&weld_out).unwrap_or_default();
    if cached_bytes != output {
        return Err("the cached relink gave other bytes than the link".into());
    }
    let input_bytes = inputs
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    Ok(Row {
        name: name.to_string(),
        ld,
        weld: weld_sample,
        floor: median(floors),
        cached: median(cached),
        input_bytes,
        output_bytes: output.len() as u64,
        inputs: inputs.len(),
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The files a link line reads: its object and archive arguments, and each `-lNAME` found in
/// the `-L` directories as wasm-ld finds it (`libNAME.a`).
fn input_files(args: &[OsString]) -> Vec<PathBuf> {
    let root = util::repo_root();
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut libs = Vec::new();
    let mut files = Vec::new();
    let mut it = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .peekable();
    while let Some(a) = it.next() {
        if a == "-o" || a == "-m" || a == "-L" || a == "-l" {
            let v = it.next().unwrap_or_default();
            match a.as_str() {
                "-L" => dirs.push(PathBuf::from(v)),
                "-l" => libs.push(v),
                _ => {}
            }
        } else if let Some(d) = a.strip_prefix("-L") {
            dirs.push(PathBuf::from(d));
        } else if let Some(l) = a.strip_prefix("-l") {
            libs.push(l.to_string());
        } else if !a.starts_with('-') {
            let p = root.join(&a);
            if p.is_file() {
                files.push(p);
            }
        }
    }
    for l in libs {
        if let Some(p) = dirs
            .iter()
            .map(|d| d.join(format!("lib{l}.a")))
            .find(|p| p.is_file())
        {
            files.push(p);
        }
    }
    files
}

/// Links `runs` times with each linker, alternating so drift hits both alike.
fn bench_pair(
    weld: &Path,
    args: &dyn Fn(&Path) -> Vec<OsString>,
    dir: &Path,
    runs: usize,
) -> Result<(Sample, Sample), String> {
    let linkers = [Path::new(toolchain::WASM_LD), weld];
    let (ref_out, weld_out) = differential::output_paths(dir)?;
    let mut times = [Vec::new(), Vec::new()];
    let mut rss = [0u64, 0u64];
    for _ in 0..runs {
        for (k, linker) in linkers.iter().enumerate() {
            let out = if k == 0 { &ref_out } else { &weld_out };
            let mut cmd = Command::new(linker);
            cmd.current_dir(util::repo_root()).args(args(out));
            let (t, kib) = measure(&mut cmd)?;
            times[k].push(t);
            rss[k] = rss[k].max(kib);
        }
    }
    let sample = |k: usize| Sample {
        median: median(times[k].clone()),
        max_rss_kib: rss[k],
    };
    Ok((sample(0), sample(1)))
}

/// The hidden subcommand that runs one measured command (see [`measure`]).
pub const MEASURE: &str = "__measure";

/// Runs a command, returning its wall time and peak RSS (KiB).
///
/// The command runs as the child of a fresh xtask process (`xtask __measure CMD ARGS`), which
/// times it and reads its peak RSS from `wait4`. Spawned from this process directly, a child
/// would report this process's own resident size as its peak: it shares this process's memory
/// until it execs, and the kernel keeps that memory's peak.
fn measure(cmd: &mut Command) -> Result<(Duration, u64), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find xtask: {e}"))?;
    let mut outer = Command::new(exe);
    outer
        .arg(MEASURE)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        outer.current_dir(dir);
    }
    let out = outer
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("could not run `{}`: {e}", show(cmd)))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("ok"), Some(ns), Some(kib)) => Ok((
            Duration::from_nanos(ns.parse().unwrap_or(0)),
            kib.parse().unwrap_or(0),
        )),
        _ => {
            // Rerun with output captured to show why.
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            Err(match run_captured(cmd) {
                Err(e) => e,
                Ok(_) => format!(
                    "`{}` failed once ({}) but not on rerun",
                    show(cmd),
                    text.trim()
                ),
            })
        }
    }
}

/// `xtask __measure PROGRAM ARGS...`: runs the program (output discarded) and prints
/// `ok NANOSECONDS PEAK_RSS_KIB`, or `failed STATUS`.
pub fn measure_child(args: &[String]) -> Result<(), String> {
    let (program, rest) = args.split_first().ok_or("__measure needs a program")?;
    let mut cmd = Command::new(program);
    cmd.args(rest);
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not run `{}`: {e}", show(&cmd)))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are valid for the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    // The child is reaped; dropping the handle does not wait again.
    drop(child);
    if r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        println!("ok {} {}", elapsed.as_nanos(), usage.ru_maxrss);
    } else {
        println!("failed {status}");
    }
    Ok(())
}

fn geomean(v: &[f64]) -> f64 {
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}
