//! Bad input never panics, hangs, writes an invalid module or makes weld allocate without bound:
//! real objects and archives, mutated deterministically (tests/robustness/mutate.rs), are linked
//! in-process. Each link must fail with an error that names an input file, or succeed with a
//! module that validates; its peak heap must stay within [`memory_bound`].
//!
//! `WELD_ROBUSTNESS_CASES` sets the number of mutations (`cargo xtask verify --long` runs
//! 10,000; the default fits CI). `WELD_RECORD_WASM_LD=1` also runs wasm-ld-22 on each input
//! and reports how it fared, for the record.

#[path = "robustness/mutate.rs"]
mod mutate;
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mutate::{ARCHIVE_KINDS, OBJECT_KINDS, Rng, mutate_archive, mutate_object};
use support::*;
use weld::cli::{self, Command};

/// Counts the heap in use and its peak, so that a link's peak allocation can be measured.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The mutation being linked, for the message of [`Counting`]'s cap.
static CASE: AtomicUsize = AtomicUsize::new(usize::MAX);

/// No single allocation may exceed this: a request above it aborts the test with the case
/// number, before the machine runs out of memory.
const SINGLE_ALLOCATION_CAP: usize = 1 << 30;

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn check_size(size: usize) {
    if size > SINGLE_ALLOCATION_CAP {
        let case = CASE.load(Ordering::Relaxed);
        eprintln!("robustness: mutation {case}: weld asked for one allocation of {size} bytes");
        std::process::abort();
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check_size(layout.size());
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check_size(layout.size());
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check_size(new_size);
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests of this file measure the process's heap: they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// What a link may allocate at its peak: twice its inputs' total size, plus the alignment
/// padding weld may write into data segments (`weld::MAX_DATA_PADDING`) and a fixed 16 MiB.
fn memory_bound(input_bytes: usize) -> usize {
    2 * input_bytes + weld::MAX_DATA_PADDING as usize + (16 << 20)
}

/// A link that takes longer than this (unoptimised build) counts as a hang.
const HANG: Duration = Duration::from_secs(60);

const PROGRAM: &str = r#"
#include <stdio.h>
#include <string.h>
struct entry { const char *name; int (*fn)(int); int *slot; };
static int counter;
static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
int table_data[4] = {1, 2, 3, 4};
_Alignas(64) char aligned_buffer[100] = "aligned";
_Thread_local int per_thread = 5;
struct entry entries[] = { {"twice", twice, &table_data[1]}, {"square", square, &counter} };
__attribute__((constructor)) static void init(void) { counter = strlen(entries[0].name); }
__attribute__((weak)) int maybe(int);
int main(void) {
  int sum = per_thread;
  for (unsigned i = 0; i < sizeof entries / sizeof *entries; i++)
    sum += entries[i].fn(*entries[i].slot);
  if (maybe) sum += maybe(1);
  printf("%d %s %s\n", sum, entries[1].name, aligned_buffer);
  return 0;
}
"#;

const CXX_PROGRAM: &str = r#"
#include <stdio.h>
struct Base { virtual int f(int x) const { return x; } virtual ~Base() {} };
struct Twice : Base { int f(int x) const override { return 2 * x; } };
template <typename T> T add(T a, T b) { return a + b; }
inline int shared_counter() { static int n; return ++n; }
int use(const Base &b) { return add(b.f(3), shared_counter()); }
int main(void) { Twice t; printf("%d\n", use(t)); return 0; }
"#;

/// One file to mutate, and how to link it.
struct Subject {
    name: &'static str,
    bytes: Vec<u8>,
    /// Inputs before the mutated file.
    before: Vec<PathBuf>,
    /// Libraries after `-lc` is not enough: C++.
    cxx: bool,
}

/// The real files mutated: objects (clang-22 output and wasi-libc members) and archives
/// (llvm-ar's, with a symbol index, and compiler-rt's builtins).
struct Subjects {
    _scratch: Scratch,
    objects: Vec<Subject>,
    archives: Vec<Subject>,
}

fn subjects() -> Subjects {
    let s = Scratch::new();
    let mut objects = vec![Subject {
        name: "c-program",
        bytes: std::fs::read(s.compile("prog", PROGRAM, &["-g"])).unwrap(),
        before: vec![],
        cxx: false,
    }];
    objects.push(Subject {
        name: "c++-program",
        bytes: std::fs::read(s.compile_cxx("cxx", CXX_PROGRAM, &["-O1", "-g"])).unwrap(),
        before: vec![],
        cxx: true,
    });
    // Real library members, linked ahead of libc so that the mutated copy is the one used.
    let main = s.compile(
        "main",
        "#include <stdio.h>\n#include <stdlib.h>\n\
         int main(void) { char *p = malloc(8); printf(\"%p\\n\", (void *)0); free(p); return 0; }",
        &[],
    );
    for member in ["vfprintf.o", "dlmalloc.o"] {
        objects.push(Subject {
            name: member,
            bytes: s.extract_member(&format!("{SYSROOT_LIB}/libc.a"), member),
            before: vec![main.clone()],
            cxx: false,
        });
    }
    let a = s.compile(
        "a",
        "int b_fn(void); int a_fn(void) { return b_fn() + 1; }",
        &[],
    );
    let b = s.compile("b", "int b_fn(void) { return 2; }", &[]);
    let uses_lib = s.compile(
        "uses_lib",
        "int a_fn(void); int main(void) { return a_fn() - 3; }",
        &[],
    );
    let uses_builtins = s.compile(
        "uses_builtins",
        "volatile __int128 n = 1000, d = 7; volatile long double x = 2.5;\n\
         int main(void) { return (int)(n / d + n % d) + (int)(x * x) - 148; }",
        &[],
    );
    let archives = vec![
        Subject {
            name: "liblib.a",
            bytes: std::fs::read(s.archive("liblib.a", &[&a, &b])).unwrap(),
            before: vec![uses_lib],
            cxx: false,
        },
        Subject {
            name: "libclang_rt.builtins-wasm32.a",
            bytes: std::fs::read(BUILTINS).unwrap(),
            before: vec![uses_builtins],
            cxx: false,
        },
    ];
    Subjects {
        _scratch: s,
        objects,
        archives,
    }
}

fn cases() -> usize {
    std::env::var("WELD_ROBUSTNESS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// The command line for `subject` with the mutated copy at `mutated`.
fn link_args(subject: &Subject, mutated: &Path, out: &Path) -> Vec<String> {
    let mut inputs: Vec<&Path> = subject.before.iter().map(PathBuf::as_path).collect();
    inputs.push(mutated);
    let mut args = command_link_args(&inputs, out);
    if subject.cxx {
        let at = args.iter().position(|a| a == "-lc").unwrap();
        args.splice(at..at, ["-lc++".to_string(), "-lc++abi".to_string()]);
    }
    args
}

/// The total size of the files a link reads (libraries named by `-l` included).
fn input_bytes(args: &[String]) -> usize {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len() as usize);
    args.iter()
        .map(|a| match a.strip_prefix("-l") {
            Some(lib) => size(&Path::new(SYSROOT_LIB).join(format!("lib{lib}.a"))),
            None => size(Path::new(a)),
        })
        .sum()
}

/// What the links of one run gave.
#[derive(Default)]
struct Tally {
    linked: usize,
    rejected: usize,
    /// Rejections whose message names the mutated file.
    named_mutated: usize,
    /// The first few messages that name another input instead (a member the mutation hid
    /// leaves a symbol undefined in the object that uses it), shown in the report.
    other_samples: Vec<String>,
    /// The largest peak heap of a link, and that link's input size.
    peak: (usize, usize),
    /// The largest peak as a multiple of the link's input size.
    worst_ratio: f64,
    /// The same, leaving out the mutations that raise an alignment (whose padding, up to
    /// `weld::MAX_DATA_PADDING`, is the output's own size).
    worst_ratio_unaligned: f64,
    slowest: Duration,
    by_kind: Vec<(usize, usize)>,
    wasm_ld_crashed: usize,
    wasm_ld_invalid: usize,
    /// wasm-ld-22 outputs larger than weld's padding cap, and the largest.
    wasm_ld_huge: usize,
    wasm_ld_largest: u64,
}

/// Links `args` in-process on a thread of its own (so that a hang is seen) and checks the
/// outcome; panics with `what` on a panic, hang, invalid module, unnamed error or excess
/// memory.
fn check_link(
    args: &[String],
    mutated: &Path,
    what: &str,
    aligned: bool,
    tally: &mut Tally,
) -> bool {
    let Command::Link(config) = cli::parse(args).unwrap() else {
        unreachable!()
    };
    let inputs = input_bytes(args);
    let (tx, rx) = std::sync::mpsc::channel();
    let t = Instant::now();
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            weld::link_to_bytes(&config)
        }));
        let _ = tx.send(r.map_err(|_| ()));
    });
    let result = match rx.recv_timeout(HANG) {
        Ok(r) => r,
        Err(_) => panic!("{what}: weld did not finish within {HANG:?} (a hang)"),
    };
    let elapsed = t.elapsed();
    tally.slowest = tally.slowest.max(elapsed);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    if peak > memory_bound(inputs) {
        panic!(
            "{what}: peak heap {peak} bytes, above the bound {} for {inputs} bytes of input",
            memory_bound(inputs)
        );
    }
    if peak > tally.peak.0 {
        tally.peak = (peak, inputs);
    }
    tally.worst_ratio = tally.worst_ratio.max(peak as f64 / inputs as f64);
    if !aligned {
        tally.worst_ratio_unaligned = tally.worst_ratio_unaligned.max(peak as f64 / inputs as f64);
    }
    let mutated_name = mutated.file_name().unwrap().to_string_lossy().into_owned();
    match result {
        Err(()) => panic!("{what}: weld panicked"),
        Ok(Err(e)) => {
            tally.rejected += 1;
            let msg = e.to_string();
            let names_input = args.iter().any(|a| {
                let name = Path::new(a).file_name().map(|n| n.to_string_lossy());
                name.is_some_and(|n| msg.contains(&*n))
            }) || msg.contains("libc.a");
            assert!(names_input, "{what}: the error names no input file: {msg}");
            if msg.contains(&mutated_name) {
                tally.named_mutated += 1;
            } else if tally.other_samples.len() < 3 {
                let first = msg.lines().next().unwrap_or_default().to_string();
                if !tally.other_samples.contains(&first) {
                    tally.other_samples.push(first);
                }
            }
            false
        }
        Ok(Ok((module, _))) => {
            tally.linked += 1;
            let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
            if let Err(e) = v.validate_all(&module) {
                panic!("{what}: weld wrote an invalid module: {e}");
            }
            true
        }
    }
}

/// With `WELD_RECORD_WASM_LD`, how wasm-ld-22 fares on the same link.
fn record_wasm_ld(args: &[String], out: &Path, tally: &mut Tally) {
    if std::env::var_os("WELD_RECORD_WASM_LD").is_none() {
        return;
    }
    let _ = std::fs::remove_file(out);
    let reference = wasm_ld(args);
    if reference.status.code().is_none() || reference.status.code() == Some(134) {
        tally.wasm_ld_crashed += 1;
    } else if reference.status.success() {
        let size = std::fs::metadata(out).map_or(0, |m| m.len());
        if size > weld::MAX_DATA_PADDING {
            // Not read in: a hostile alignment makes wasm-ld write up to 4 GiB.
            tally.wasm_ld_huge += 1;
            tally.wasm_ld_largest = tally.wasm_ld_largest.max(size);
            return;
        }
        let module = std::fs::read(out).unwrap_or_default();
        let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
        if v.validate_all(&module).is_err() {
            tally.wasm_ld_invalid += 1;
        }
    }
}

fn run(subjects: &[Subject], kinds: &[&str], seed: u64, n: usize, ext: &str) -> Tally {
    let s = Scratch::new();
    let mutated = s.path(&format!("mutated.{ext}"));
    let out = s.path("out.wasm");
    let mut rng = Rng(seed);
    let mut tally = Tally {
        by_kind: vec![(0, 0); kinds.len()],
        ..Tally::default()
    };
    for case in 0..n {
        let subject = &subjects[case % subjects.len()];
        let kind = (case / subjects.len()) % kinds.len();
        let bytes = if ext == "o" {
            mutate_object(&subject.bytes, kind, &mut rng)
        } else {
            mutate_archive(&subject.bytes, kind, &mut rng)
        };
        std::fs::write(&mutated, &bytes).unwrap();
        let args = link_args(subject, &mutated, &out);
        CASE.store(case, Ordering::Relaxed);
        let what = format!("mutation {case} ({}) of {}", kinds[kind], subject.name);
        let aligned = kinds[kind] == "huge alignment";
        let linked = check_link(&args, &mutated, &what, aligned, &mut tally);
        let k = &mut tally.by_kind[kind];
        if linked {
            k.0 += 1
        } else {
            k.1 += 1
        }
        record_wasm_ld(&args, &out, &mut tally);
    }
    tally
}

fn report(what: &str, kinds: &[&str], t: &Tally) {
    eprintln!(
        "{what}: {} linked (all valid), {} rejected with an error naming an input ({} naming \
         the mutated file); 0 panics, 0 hangs (slowest link {:?}); peak heap at most {:.2}x \
         the inputs' size ({:.2}x without raised alignments; largest {} bytes for {} bytes of \
         input)",
        t.linked,
        t.rejected,
        t.named_mutated,
        t.slowest,
        t.worst_ratio,
        t.worst_ratio_unaligned,
        t.peak.0,
        t.peak.1
    );
    for m in &t.other_samples {
        eprintln!("  naming another input: {m}");
    }
    for (k, (l, r)) in kinds.iter().zip(&t.by_kind) {
        eprintln!("  {k}: {l} linked, {r} rejected");
    }
    if std::env::var_os("WELD_RECORD_WASM_LD").is_some() {
        eprintln!(
            "  wasm-ld-22 on the same inputs: {} crashed or aborted, {} invalid modules \
             written, {} modules over 64 MiB written (largest {} bytes)",
            t.wasm_ld_crashed, t.wasm_ld_invalid, t.wasm_ld_huge, t.wasm_ld_largest
        );
    }
}

#[test]
fn mutated_objects_and_archives() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let subjects = subjects();
    let total = cases();
    // Seven in ten mutations are of objects.
    let n_objects = total * 7 / 10;
    let objects = run(
        &subjects.objects,
        OBJECT_KINDS,
        0x5eed_1234_abcd_0001,
        n_objects,
        "o",
    );
    report("object mutations", OBJECT_KINDS, &objects);
    let archives = run(
        &subjects.archives,
        ARCHIVE_KINDS,
        0xa4c1_11fe_0000_0002,
        total - n_objects,
        "a",
    );
    report("archive mutations", ARCHIVE_KINDS, &archives);
    // Most mutations hit bytes that matter; if few fail, the mutator is broken.
    for (what, t) in [("object", &objects), ("archive", &archives)] {
        assert!(
            t.rejected * 10 > t.linked + t.rejected,
            "only {} of {} {what} mutations were rejected",
            t.rejected,
            t.linked + t.rejected
        );
    }
}

/// The cap itself: one object whose second `.data` input is aligned to 2^28 would make weld
/// write 256 MiB of zeroes (wasm-ld does). weld stops with an error naming the object, the
/// segment and the alignment, having allocated little; below the cap the same layout links
/// as wasm-ld-22 links it.
#[test]
fn alignment_padding_is_capped() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let s = Scratch::new();
    let source = |log2: u32| {
        format!(
            "char small[3] = {{5, 6, 7}};\n\
             __attribute__((aligned(1 << {log2}))) char big[4] = {{1, 2, 3, 4}};\n\
             int main(void) {{ return big[0] + small[0]; }}"
        )
    };
    let args = |obj: &Path, out: &Path| -> Vec<String> {
        vec![
            obj.display().to_string(),
            "--no-entry".into(),
            "--export=main".into(),
            "-o".into(),
            out.display().to_string(),
        ]
    };
    let hostile = s.compile("hostile", &source(28), &[]);
    let out = s.path("hostile.wasm");
    let Command::Link(config) = cli::parse(&args(&hostile, &out)).unwrap() else {
        unreachable!()
    };
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let err = weld::link_to_bytes(&config)
        .expect_err("over the cap")
        .to_string();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(
        err.contains("hostile.o")
            && err.contains(".data.big")
            && err.contains("2^28")
            && err.contains(&weld::MAX_DATA_PADDING.to_string()),
        "{err}"
    );
    assert!(peak < 4 << 20, "peak heap {peak} bytes for a refused link");
    // The binary too: exit status 1, the message, no output file.
    let o = weld(&args(&hostile, &out));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("alignment padding"), "{}", stderr(&o));
    assert!(!out.exists());

    // 2^25 (32 MiB of padding) is under the cap: linked as wasm-ld-22 links it.
    let fits = s.compile("fits", &source(25), &[]);
    let dir_weld = s.path("weld");
    let dir_ref = s.path("ref");
    std::fs::create_dir_all(&dir_weld).unwrap();
    std::fs::create_dir_all(&dir_ref).unwrap();
    let o = weld(&args(&fits, &dir_weld.join("fits.wasm")));
    assert!(o.status.success(), "{}", stderr(&o));
    let r = wasm_ld(&args(&fits, &dir_ref.join("fits.wasm")));
    assert!(r.status.success(), "{}", stderr(&r));
    let ours = std::fs::read(dir_weld.join("fits.wasm")).unwrap();
    assert!(ours.len() > 32 << 20);
    assert!(ours == std::fs::read(dir_ref.join("fits.wasm")).unwrap());
}
