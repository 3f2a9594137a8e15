//! The differential test case format (documented in tests/programs/README.md):
//! a directory of C/C++ sources (or a Rust crate, with `lang = rust`) plus an
//! optional `case.txt` of `key = value` lines.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::toolchain::{Compiler, CrateType, Lang, RustTarget};

pub const CASES_DIR: &str = "tests/programs";

/// One parsed case directory.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    /// Top-level sources, each compiled to its own object, in name order.
    pub sources: Vec<PathBuf>,
    /// Subdirectories packed into `lib<name>.a` and linked after the objects.
    pub archives: Vec<Archive>,
    pub cflags: Vec<String>,
    pub ldflags: Vec<String>,
    pub libs: Vec<String>,
    pub cxx: bool,
    pub reactor: bool,
    /// A pthread program: compiled for `wasm32-wasip1-threads` against the threaded sysroot,
    /// linked with an importable shared memory, run under a wasi-threads host.
    pub threads: bool,
    /// A freestanding wasm64 library (no libc exists for wasm64): compiled `--target=wasm64
    /// -ffreestanding`, linked `-m wasm64 --no-entry`, run by calling the `call` exports.
    pub wasm64: bool,
    pub calls: Vec<String>,
    /// argv[1..]; argv[0] is the case name.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Option<PathBuf>,
    /// (host dir, guest path) pairs, preopened read-only.
    pub preopens: Vec<(PathBuf, String)>,
    /// The C/C++ compilers; empty for a Rust case (built by rustc alone).
    pub compilers: Vec<Compiler>,
    /// Exit code the reference run must produce (guards against broken cases).
    pub expect_exit: Option<i32>,
    /// Whether the reference run must trap (Some(true)) or must not (Some(false)).
    pub expect_trap: Option<bool>,
    pub timeout: Duration,
    /// Only run under `verify --long`.
    pub long_only: bool,
    /// Library sources from a crate pinned in tests/real (see vendor.rs).
    pub vendor: Option<Vendor>,
    /// `lang = rust`: a crate built, and linked with weld, by Debian's rustc.
    pub rust: Option<Rust>,
}

/// The Rust part of a `lang = rust` case.
#[derive(Debug, Clone)]
pub struct Rust {
    pub target: RustTarget,
    pub crate_type: CrateType,
    /// `main.rs` (bin) or `lib.rs` (cdylib) in the case directory.
    pub root: PathBuf,
    /// `rlib = dir ...`, in the order given: each `<dir>/lib.rs` is built as
    /// the rlib of crate `<dir>`, passed to later rlibs and the main crate
    /// with `--extern`.
    pub rlibs: Vec<Rlib>,
}

#[derive(Debug, Clone)]
pub struct Rlib {
    pub name: String,
    pub root: PathBuf,
}

/// `vendor`, `vendor_sources` and `vendor_cflags` of a case.
#[derive(Debug, Clone)]
pub struct Vendor {
    pub krate: String,
    pub globs: Vec<String>,
    /// Compile flags for the vendor sources (the case's `cflags` don't apply).
    pub cflags: Vec<String>,
    /// Filled in by [`resolve`]: (source, object file name) pairs, the name
    /// derived from the path inside the crate so that names cannot collide.
    pub sources: Vec<(PathBuf, String)>,
}

#[derive(Debug, Clone)]
pub struct Archive {
    pub name: String,
    pub sources: Vec<PathBuf>,
}

/// Keys that only C/C++ cases take, and those only Rust cases take.
const C_ONLY_KEYS: &[&str] = &[
    "cflags",
    "ldflags",
    "libs",
    "reactor",
    "threads",
    "wasm64",
    "archive",
    "compilers",
    "vendor",
    "vendor_sources",
    "vendor_cflags",
];
const RUST_ONLY_KEYS: &[&str] = &["target", "crate_type", "rlib"];

impl Case {
    /// Sources of the objects and of all archive members.
    pub fn all_sources(&self) -> impl Iterator<Item = &PathBuf> {
        self.sources
            .iter()
            .chain(self.archives.iter().flat_map(|a| a.sources.iter()))
    }
}

/// All case directories under `tests/programs/`, sorted by name. A case that
/// fails to parse is returned as an error (named after the case) so the rest
/// still run.
pub fn discover(root: &Path, filter: Option<&str>) -> Result<Vec<Result<Case, String>>, String> {
    let dir = root.join(CASES_DIR);
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        dirs.push((name, entry.path()));
    }
    dirs.sort();
    Ok(dirs
        .into_iter()
        .map(|(name, path)| load(&name, &path).and_then(resolve))
        .collect())
}

/// Parses one case directory.
pub fn load(name: &str, dir: &Path) -> Result<Case, String> {
    let err = |msg: String| format!("case `{name}`: {msg}");
    let mut case = Case {
        name: name.to_string(),
        dir: dir.to_path_buf(),
        sources: sources_in(dir).map_err(err)?,
        archives: Vec::new(),
        cflags: Vec::new(),
        ldflags: Vec::new(),
        libs: Vec::new(),
        cxx: false,
        reactor: false,
        threads: false,
        wasm64: false,
        calls: Vec::new(),
        args: Vec::new(),
        env: Vec::new(),
        stdin: None,
        preopens: Vec::new(),
        compilers: Compiler::ALL.to_vec(),
        expect_exit: None,
        expect_trap: None,
        timeout: Duration::from_secs(20),
        long_only: false,
        vendor: None,
        rust: None,
    };
    let mut vendor_globs = Vec::new();
    let mut vendor_cflags = Vec::new();
    let case_txt = dir.join("case.txt");
    let mut lang_set = None;
    let mut rust = false;
    let mut target = RustTarget::Wasi;
    let mut crate_type = CrateType::Bin;
    let mut rlibs: Vec<Rlib> = Vec::new();
    // (key, line) of every key set, to reject keys of the other language.
    let mut keys: Vec<(String, usize)> = Vec::new();
    if case_txt.exists() {
        let text = std::fs::read_to_string(&case_txt)
            .map_err(|e| err(format!("cannot read {}: {e}", case_txt.display())))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let at = |msg: String| err(format!("case.txt line {}: {msg}", i + 1));
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| at(format!("expected `key = value`, got `{line}`")))?;
            let (key, value) = (key.trim(), value.trim());
            let words = || value.split_whitespace().map(str::to_string);
            keys.push((key.to_string(), i + 1));
            match key {
                "cflags" => case.cflags.extend(words()),
                "vendor" => {
                    if case.vendor.is_some() || value.split_whitespace().count() != 1 {
                        return Err(at("one `vendor = <crate>` per case".into()));
                    }
                    case.vendor = Some(Vendor {
                        krate: value.to_string(),
                        globs: Vec::new(),
                        cflags: Vec::new(),
                        sources: Vec::new(),
                    });
                }
                "vendor_sources" => vendor_globs.extend(words()),
                "vendor_cflags" => vendor_cflags.extend(words()),
                "ldflags" => case.ldflags.extend(words()),
                "libs" => case.libs.extend(words()),
                "args" => case.args.extend(words()),
                "call" => case.calls.extend(words()),
                "lang" => match value {
                    "c" => lang_set = Some(false),
                    "c++" => lang_set = Some(true),
                    "rust" => rust = true,
                    _ => {
                        return Err(at(format!(
                            "lang must be `c`, `c++` or `rust`, not `{value}`"
                        )));
                    }
                },
                "target" => {
                    target = RustTarget::from_name(value).ok_or_else(|| {
                        at(format!(
                            "target must be `wasm32-wasi` or `wasm32-unknown-unknown`, not `{value}`"
                        ))
                    })?;
                }
                "crate_type" => {
                    crate_type = match value {
                        "bin" => CrateType::Bin,
                        "cdylib" => CrateType::Cdylib,
                        _ => {
                            return Err(at(format!(
                                "crate_type must be `bin` or `cdylib`, not `{value}`"
                            )));
                        }
                    }
                }
                "rlib" => {
                    for name in words() {
                        if name.is_empty()
                            || name.starts_with(|c: char| c.is_ascii_digit())
                            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        {
                            return Err(at(format!(
                                "rlib `{name}`: the directory name is the crate name, \
                                 so it must be a Rust identifier"
                            )));
                        }
                        let root = dir.join(&name).join("lib.rs");
                        if !root.is_file() {
                            return Err(at(format!("rlib `{}` does not exist", root.display())));
                        }
                        if rlibs.iter().any(|r| r.name == name) {
                            return Err(at(format!("rlib `{name}` is listed twice")));
                        }
                        rlibs.push(Rlib { name, root });
                    }
                }
                "reactor" => case.reactor = parse_bool(value).map_err(at)?,
                "threads" => case.threads = parse_bool(value).map_err(at)?,
                "wasm64" => case.wasm64 = parse_bool(value).map_err(at)?,
                "expect_trap" => case.expect_trap = Some(parse_bool(value).map_err(at)?),
                "long" => case.long_only = parse_bool(value).map_err(at)?,
                "expect_exit" => {
                    case.expect_exit = match value {
                        "any" => None,
                        v => Some(v.parse().map_err(|_| {
                            at(format!("expect_exit: `{v}` is not a number or `any`"))
                        })?),
                    }
                }
                "timeout" => {
                    let secs: u64 = value.parse().map_err(|_| {
                        at(format!("timeout: `{value}` is not a number of seconds"))
                    })?;
                    case.timeout = Duration::from_secs(secs);
                }
                "compilers" => {
                    case.compilers = words()
                        .map(|w| {
                            Compiler::from_name(&w).ok_or_else(|| {
                                at(format!("unknown compiler `{w}` (clang-22 or clang-19)"))
                            })
                        })
                        .collect::<Result<_, _>>()?;
                }
                "archive" => {
                    for a in words() {
                        let sub = dir.join(&a);
                        if !sub.is_dir() {
                            return Err(at(format!(
                                "archive directory `{}` does not exist",
                                sub.display()
                            )));
                        }
                        let sources = sources_in(&sub).map_err(at)?;
                        if sources.is_empty() {
                            return Err(at(format!("archive directory `{a}` has no sources")));
                        }
                        case.archives.push(Archive { name: a, sources });
                    }
                }
                "env" => {
                    for w in words() {
                        let (k, v) = w
                            .split_once('=')
                            .ok_or_else(|| at(format!("env: expected NAME=VALUE, got `{w}`")))?;
                        case.env.push((k.to_string(), v.to_string()));
                    }
                }
                "stdin" => {
                    let p = dir.join(value);
                    if !p.is_file() {
                        return Err(at(format!("stdin file `{}` does not exist", p.display())));
                    }
                    case.stdin = Some(p);
                }
                "preopen" => {
                    for w in words() {
                        let (host, guest) = w.split_once(':').unwrap_or((&w, &w));
                        let p = dir.join(host);
                        if !p.is_dir() {
                            return Err(at(format!(
                                "preopen directory `{}` does not exist",
                                p.display()
                            )));
                        }
                        case.preopens.push((p, guest.to_string()));
                    }
                }
                _ => return Err(at(format!("unknown key `{key}`"))),
            }
        }
    }
    let other_lang_keys = if rust { C_ONLY_KEYS } else { RUST_ONLY_KEYS };
    if let Some((key, line)) = keys
        .iter()
        .find(|(k, _)| other_lang_keys.contains(&k.as_str()))
    {
        return Err(err(format!(
            "case.txt line {line}: `{key}` is only for {} cases",
            if rust {
                "C/C++"
            } else {
                "Rust (`lang = rust`)"
            }
        )));
    }
    if rust {
        return load_rust(case, target, crate_type, rlibs).map_err(err);
    }
    match &mut case.vendor {
        Some(v) => {
            if vendor_globs.is_empty() {
                return Err(err("`vendor` needs `vendor_sources`".into()));
            }
            v.globs = vendor_globs;
            v.cflags = vendor_cflags;
        }
        None if !vendor_globs.is_empty() || !vendor_cflags.is_empty() => {
            return Err(err("`vendor_sources`/`vendor_cflags` need `vendor`".into()));
        }
        None => {
            if case.cflags.iter().any(|f| f.contains("{crate}")) {
                return Err(err("`{crate}` in cflags needs `vendor`".into()));
            }
        }
    }
    if case.sources.is_empty() && case.archives.is_empty() {
        return Err(err("no *.c, *.cc or *.cpp sources".into()));
    }
    if !case.calls.is_empty() && !case.reactor && !case.wasm64 {
        return Err(err(
            "`call` needs `reactor = true` or `wasm64 = true`".into()
        ));
    }
    if case.wasm64 && (case.reactor || case.threads || case.calls.is_empty()) {
        return Err(err(
            "`wasm64 = true` is a freestanding library: it needs `call`, and no `reactor` or \
             `threads`"
                .into(),
        ));
    }
    if case.compilers.is_empty() {
        return Err(err("`compilers` is empty".into()));
    }
    if case.threads {
        // The threaded sysroot was built by clang-22, and carries no C++ library.
        if case.compilers != [Compiler::Clang22] && case.compilers != Compiler::ALL {
            return Err(err("`threads = true` needs `compilers = clang-22`".into()));
        }
        case.compilers = vec![Compiler::Clang22];
    }
    let any_cxx = case.all_sources().any(|s| Lang::of(s) == Some(Lang::Cxx));
    case.cxx = lang_set.unwrap_or(any_cxx);
    Ok(case)
}

/// The checks and defaults of a `lang = rust` case, after its case.txt.
fn load_rust(
    mut case: Case,
    target: RustTarget,
    crate_type: CrateType,
    rlibs: Vec<Rlib>,
) -> Result<Case, String> {
    if !case.sources.is_empty() {
        return Err("a Rust case has no C/C++ sources".into());
    }
    let root = case.dir.join(crate_type.root());
    if !root.is_file() {
        return Err(format!(
            "`crate_type = {}` needs the crate root {}",
            crate_type.name(),
            root.display()
        ));
    }
    match crate_type {
        // A bin needs `_start`, which only the WASI target provides.
        CrateType::Bin if target != RustTarget::Wasi => {
            return Err(format!(
                "`crate_type = bin` needs `target = wasm32-wasi`, not `{}`",
                target.triple()
            ));
        }
        CrateType::Bin if !case.calls.is_empty() => {
            return Err("`call` needs `crate_type = cdylib`".into());
        }
        _ => {}
    }
    case.compilers = Vec::new();
    case.rust = Some(Rust {
        target,
        crate_type,
        root,
        rlibs,
    });
    Ok(case)
}

/// Finds a case's vendored sources (vendoring the crate if needed) and
/// expands `{crate}` in its flags.
pub fn resolve(mut case: Case) -> Result<Case, String> {
    let Some(v) = &mut case.vendor else {
        return Ok(case);
    };
    let err = |msg: String| format!("case `{}`: {msg}", case.name);
    let root = crate::vendor::crate_root(&v.krate).map_err(err)?;
    let root_str = root.to_string_lossy().into_owned();
    for flag in case.cflags.iter_mut().chain(v.cflags.iter_mut()) {
        *flag = flag.replace("{crate}", &root_str);
    }
    let mut sources = Vec::new();
    for g in &v.globs {
        for path in crate::vendor::glob(&root, g).map_err(err)? {
            let rel = path.strip_prefix(&root).unwrap_or(&path);
            let obj = format!("{}.o", rel.to_string_lossy().replace('/', "_"));
            if !sources.iter().any(|(p, _)| *p == path) {
                sources.push((path, obj));
            }
        }
    }
    v.sources = sources;
    Ok(case)
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("expected true or false, not `{v}`")),
    }
}

/// The `*.c`, `*.cc` and `*.cpp` files directly in `dir`, sorted.
fn sources_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_file() && Lang::of(&path).is_some() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case_with(txt: &str, files: &[&str]) -> Result<Case, String> {
        static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-case-{}-{serial}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "int x;").unwrap();
        }
        std::fs::write(dir.join("case.txt"), txt).unwrap();
        let r = load("t", &dir);
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    #[test]
    fn parses_keys() {
        let c = case_with(
            "# comment\ncflags = -DX=1 -Wall\nlibs = -lm # trailing\nreactor = true\ncall = f g\n\
             archive = sub\ncompilers = clang-22\nexpect_exit = 3\n",
            &["a.c", "b.cc", "sub/s.c"],
        )
        .unwrap();
        assert_eq!(c.cflags, ["-DX=1", "-Wall"]);
        assert_eq!(c.libs, ["-lm"]);
        assert!(c.reactor && c.cxx);
        assert_eq!(c.calls, ["f", "g"]);
        assert_eq!(c.archives.len(), 1);
        assert_eq!(c.sources.len(), 2);
        assert_eq!(c.compilers, [Compiler::Clang22]);
        assert_eq!(c.expect_exit, Some(3));
    }

    #[test]
    fn rejects_bad_lines() {
        assert!(
            case_with("bogus = 1\n", &["a.c"])
                .unwrap_err()
                .contains("unknown key")
        );
        assert!(
            case_with("cflags\n", &["a.c"])
                .unwrap_err()
                .contains("line 1")
        );
        assert!(
            case_with("call = f\n", &["a.c"])
                .unwrap_err()
                .contains("reactor")
        );
        assert!(case_with("", &[]).unwrap_err().contains("no *.c"));
    }

    #[test]
    fn parses_rust_cases() {
        let c = case_with(
            "lang = rust\nrlib = dep\nargs = a b\nexpect_exit = 0\n",
            &["main.rs", "dep/lib.rs"],
        )
        .unwrap();
        let r = c.rust.as_ref().unwrap();
        assert_eq!(r.target, RustTarget::Wasi);
        assert_eq!(r.crate_type, CrateType::Bin);
        assert!(r.root.ends_with("main.rs"));
        assert_eq!(r.rlibs.len(), 1);
        assert_eq!(r.rlibs[0].name, "dep");
        assert!(r.rlibs[0].root.ends_with("dep/lib.rs"));
        assert!(c.compilers.is_empty() && c.sources.is_empty());
        assert_eq!(c.args, ["a", "b"]);

        let c = case_with(
            "lang = rust\ntarget = wasm32-unknown-unknown\ncrate_type = cdylib\ncall = f g\n",
            &["lib.rs"],
        )
        .unwrap();
        let r = c.rust.as_ref().unwrap();
        assert_eq!(r.target, RustTarget::Unknown);
        assert_eq!(r.crate_type, CrateType::Cdylib);
        assert_eq!(c.calls, ["f", "g"]);
    }

    #[test]
    fn rejects_bad_rust_cases() {
        let err = |txt: &str, files: &[&str]| case_with(txt, files).unwrap_err();
        assert!(err("lang = rust\n", &["lib.rs"]).contains("main.rs"));
        assert!(err("lang = rust\ncrate_type = cdylib\n", &["main.rs"]).contains("lib.rs"));
        assert!(err("lang = rust\ncall = f\n", &["main.rs"]).contains("cdylib"));
        assert!(
            err(
                "lang = rust\ntarget = wasm32-unknown-unknown\n",
                &["main.rs"]
            )
            .contains("wasm32-wasi")
        );
        assert!(err("lang = rust\ntarget = x86_64\n", &["main.rs"]).contains("target must"));
        assert!(err("lang = rust\ncrate_type = dylib\n", &["main.rs"]).contains("crate_type"));
        assert!(err("lang = rust\nrlib = nope\n", &["main.rs"]).contains("does not exist"));
        assert!(
            err("lang = rust\nrlib = a-b\n", &["main.rs", "a-b/lib.rs"]).contains("identifier")
        );
        assert!(err("cflags = -O1\nlang = rust\n", &["main.rs"]).contains("only for C/C++"));
        assert!(err("lang = rust\n", &["main.rs", "x.c"]).contains("no C/C++ sources"));
        assert!(err("rlib = dep\n", &["a.c", "dep/lib.rs"]).contains("only for Rust"));
        assert!(err("lang = cobol\n", &["a.c"]).contains("`rust`"));
    }
}
