//! wasm-ld's command line, turned into a [`Config`].
//!
//! Hand-written rather than built on an argument-parsing crate: wasm-ld accepts every long
//! option with one or two dashes (`-export=f`, `--export f`), its inputs are positional and
//! order-sensitive (`--whole-archive a.a --no-whole-archive`, `--start-lib`), and `-l`/`-L`
//! interleave with them; general-purpose parsers model none of this.

use std::path::{Path, PathBuf};

use crate::config::{Config, Input, UnresolvedPolicy};
use crate::error::{Error, Result};

/// What `weld` was asked to do.
#[derive(Debug)]
pub enum Command {
    /// Link with this configuration.
    Link(Box<Config>),
    /// Print the version.
    Version,
    /// Print usage.
    Help,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Arity {
    Flag,
    Value,
    /// `--opt` or `--opt=value`, never `--opt value`.
    OptionalJoined,
}

/// Long options (spelled with one or two dashes).
const LONG: &[(&str, Arity)] = &[
    ("allow-multiple-definition", Arity::Flag),
    ("allow-undefined", Arity::Flag),
    ("allow-undefined-file", Arity::Value),
    ("Bdynamic", Arity::Flag),
    ("Bstatic", Arity::Flag),
    ("Bsymbolic", Arity::Flag),
    ("build-id", Arity::OptionalJoined),
    ("call_shared", Arity::Flag),
    ("check-features", Arity::Flag),
    ("color-diagnostics", Arity::OptionalJoined),
    ("compress-relocations", Arity::Flag),
    ("demangle", Arity::Flag),
    ("dn", Arity::Flag),
    ("dy", Arity::Flag),
    ("emit-relocs", Arity::Flag),
    ("end-lib", Arity::Flag),
    ("entry", Arity::Value),
    ("error-limit", Arity::Value),
    ("error-unresolved-symbols", Arity::Flag),
    ("experimental-pic", Arity::Flag),
    ("export", Arity::Value),
    ("export-all", Arity::Flag),
    ("export-dynamic", Arity::Flag),
    ("export-if-defined", Arity::Value),
    ("export-memory", Arity::OptionalJoined),
    ("export-table", Arity::Flag),
    ("extra-features", Arity::Value),
    ("fatal-warnings", Arity::Flag),
    ("features", Arity::Value),
    ("gc-sections", Arity::Flag),
    ("global-base", Arity::Value),
    ("growable-table", Arity::Flag),
    ("help", Arity::Flag),
    ("import-memory", Arity::OptionalJoined),
    ("import-table", Arity::Flag),
    ("import-undefined", Arity::Flag),
    ("initial-heap", Arity::Value),
    ("initial-memory", Arity::Value),
    ("keep-section", Arity::Value),
    ("library", Arity::Value),
    ("library-path", Arity::Value),
    ("Map", Arity::Value),
    ("lto-debug-pass-manager", Arity::Flag),
    ("lto-partitions", Arity::Value),
    ("map-format", Arity::Value),
    ("max-memory", Arity::Value),
    ("merge-data-segments", Arity::Flag),
    ("mllvm", Arity::Value),
    ("no-allow-multiple-definition", Arity::Flag),
    ("no-check-features", Arity::Flag),
    ("no-color-diagnostics", Arity::Flag),
    ("no-demangle", Arity::Flag),
    ("no-entry", Arity::Flag),
    ("no-export-dynamic", Arity::Flag),
    ("no-fatal-warnings", Arity::Flag),
    ("no-gc-sections", Arity::Flag),
    ("no-growable-memory", Arity::Flag),
    ("no-merge-data-segments", Arity::Flag),
    ("no-pie", Arity::Flag),
    ("no-print-gc-sections", Arity::Flag),
    ("no-shlib-sigcheck", Arity::Flag),
    ("no-stack-first", Arity::Flag),
    ("no-validate", Arity::Flag),
    ("no-whole-archive", Arity::Flag),
    ("noinhibit-exec", Arity::Flag),
    ("non_shared", Arity::Flag),
    ("pie", Arity::Flag),
    ("page-size", Arity::Value),
    ("cache-dir", Arity::Value),
    ("cache-size", Arity::Value),
    ("print-gc-sections", Arity::Flag),
    ("print-map", Arity::Flag),
    ("relocatable", Arity::Flag),
    ("reproduce", Arity::Value),
    ("rpath", Arity::Value),
    ("rsp-quoting", Arity::Value),
    ("save-temps", Arity::Flag),
    ("shared", Arity::Flag),
    ("shared-memory", Arity::Flag),
    ("soname", Arity::Value),
    ("stack-first", Arity::Flag),
    ("start-lib", Arity::Flag),
    ("static", Arity::Flag),
    ("strip-all", Arity::Flag),
    ("strip-debug", Arity::Flag),
    ("table-base", Arity::Value),
    ("thinlto-cache-dir", Arity::Value),
    ("thinlto-cache-policy", Arity::Value),
    ("thinlto-jobs", Arity::Value),
    ("threads", Arity::Value),
    ("time-trace", Arity::OptionalJoined),
    ("time-trace-file", Arity::Value),
    ("time-trace-granularity", Arity::Value),
    ("trace", Arity::Flag),
    ("trace-symbol", Arity::Value),
    ("undefined", Arity::Value),
    ("unresolved-symbols", Arity::Value),
    ("validate", Arity::Flag),
    ("verbose", Arity::Flag),
    ("version", Arity::Flag),
    ("warn-unresolved-symbols", Arity::Flag),
    ("whole-archive", Arity::Flag),
    ("why-extract", Arity::Value),
    ("wrap", Arity::Value),
];

/// Short options that take a value, joined (`-lc`) or separate (`-l c`).
const SHORT_VALUE: &[char] = &['o', 'L', 'l', 'e', 'u', 'm', 'z', 'O', 'y'];
/// Short flags, only alone.
const SHORT_FLAG: &[(&str, &str)] = &[
    ("s", "strip-all"),
    ("S", "strip-debug"),
    ("E", "export-dynamic"),
    ("v", "v"),
    ("V", "v"),
    ("t", "trace"),
    ("r", "relocatable"),
    ("h", "help"),
    ("M", "print-map"),
];

/// Options whose value is joined to the name with no `=` (`--lto-O2`, `--lto-CGO3`).
const JOINED_PREFIX: &[&str] = &["lto-CGO", "lto-O"];

/// One parsed argument.
enum Arg {
    Input(String),
    Opt(String, Option<String>),
}

/// Parses wasm-ld's arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Command> {
    let quoting = rsp_quoting(args)?;
    let args = expand_response_files(args, quoting, 0)?;
    let tokens = tokenize(&args)?;
    let mut c = Config::default();
    let mut response = String::new();
    for (a, shown) in &tokens {
        if !matches!(a, Arg::Opt(name, _) if name == "reproduce") {
            response.push_str(shown);
            response.push('\n');
        }
    }
    let parsed: Vec<Arg> = tokens.into_iter().map(|(a, _)| a).collect();
    let mut lib_paths: Vec<PathBuf> = Vec::new();
    for a in &parsed {
        if let Arg::Opt(name, Some(v)) = a
            && (name == "L" || name == "library-path")
        {
            lib_paths.push(PathBuf::from(v));
        }
    }
    let mut whole = false;
    let mut lazy = false;
    let mut saw_output = false;
    let mut experimental_pic = false;
    let mut gc_explicit = false;
    let mut dynamic = false;
    let mut print_version = false;
    let mut version_only = false;
    for a in parsed {
        let (name, value) = match a {
            Arg::Input(path) => {
                c.inputs.push(Input {
                    path: PathBuf::from(path),
                    whole_archive: whole,
                    lazy,
                });
                continue;
            }
            Arg::Opt(n, v) => (n, v),
        };
        let v = || value.clone().unwrap_or_default();
        match name.as_str() {
            "o" => {
                c.output = PathBuf::from(v());
                saw_output = true;
            }
            "m" => {
                c.is64 = Some(match v().as_str() {
                    "wasm32" => false,
                    "wasm64" => true,
                    other => {
                        return Err(Error::msg(format!("invalid target architecture: {other}")));
                    }
                });
            }
            "L" | "library-path" => {}
            "l" | "library" => {
                let path = find_library(&v(), &lib_paths, dynamic)?;
                c.inputs.push(Input {
                    path,
                    whole_archive: whole,
                    lazy,
                });
            }
            "e" | "entry" => {
                c.entry = Some(v());
                c.entry_explicit = true;
            }
            "no-entry" => c.entry = None,
            "u" | "undefined" => c.undefined.push(v()),
            "z" => {
                let z = v();
                if let Some(n) = z.strip_prefix("stack-size=") {
                    c.stack_size = number(&name, n)?;
                } else if z.starts_with("muldefs") {
                    c.allow_multiple_definition = true;
                } else {
                    // wasm-ld knows only these two and warns about the rest.
                    c.warnings.push(format!("unknown -z value: {z}"));
                }
            }
            "O" => {
                let lvl = v();
                c.optimize = match lvl.as_str() {
                    "0" => 0,
                    "1" => 1,
                    "2" | "3" | "s" | "z" => 2,
                    _ => return Err(Error::msg(format!("invalid optimization level: -O{lvl}"))),
                };
            }
            "whole-archive" => whole = true,
            "no-whole-archive" => whole = false,
            "start-lib" => {
                if lazy {
                    return Err(Error::msg("nested --start-lib"));
                }
                lazy = true;
            }
            "end-lib" => {
                if !lazy {
                    return Err(Error::msg("stray --end-lib"));
                }
                lazy = false;
            }
            "export" => c.exports.push(v()),
            "export-if-defined" => c.exports_if_defined.push(v()),
            "export-all" => c.export_all = true,
            "export-dynamic" => c.export_dynamic = true,
            "no-export-dynamic" => c.export_dynamic = false,
            "export-table" => c.export_table = true,
            "import-table" => c.import_table = true,
            "growable-table" => c.growable_table = true,
            "table-base" => c.table_base = number(&name, &v())? as u32,
            "gc-sections" => {
                c.gc_sections = true;
                gc_explicit = true;
            }
            "no-gc-sections" => c.gc_sections = false,
            "print-gc-sections" => c.print_gc_sections = true,
            "no-print-gc-sections" => c.print_gc_sections = false,
            "allow-undefined" => c.allow_undefined = true,
            "import-undefined" => c.import_undefined = true,
            "allow-undefined-file" => {
                let path = v();
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::file(&path, format_args!("cannot read: {e}")))?;
                c.allow_undefined_symbols.extend(import_file_names(&text));
            }
            "unresolved-symbols" => {
                c.unresolved = match v().as_str() {
                    "report-all" => UnresolvedPolicy::ReportAll,
                    "ignore-all" => UnresolvedPolicy::IgnoreAll,
                    "import-dynamic" => UnresolvedPolicy::ImportDynamic,
                    other => {
                        return Err(Error::msg(format!(
                            "unknown --unresolved-symbols value: {other}"
                        )));
                    }
                }
            }
            "warn-unresolved-symbols" => c.warn_unresolved = true,
            "error-unresolved-symbols" => c.warn_unresolved = false,
            "allow-multiple-definition" => c.allow_multiple_definition = true,
            "stack-first" => c.stack_first = true,
            "no-stack-first" => c.stack_first = false,
            "global-base" => c.global_base = Some(number(&name, &v())?),
            "initial-memory" => c.initial_memory = Some(number(&name, &v())?),
            "max-memory" => c.max_memory = Some(number(&name, &v())?),
            "initial-heap" => c.initial_heap = Some(number(&name, &v())?),
            "no-growable-memory" => c.no_growable_memory = true,
            "shared-memory" => c.shared_memory = true,
            "shared" => c.shared = true,
            "pie" => c.pie = true,
            "no-pie" => c.pie = false,
            "experimental-pic" => experimental_pic = true,
            "import-memory" => {
                let (m, n) = match &value {
                    None => ("env".to_string(), "memory".to_string()),
                    Some(s) => match s.split_once(',') {
                        Some((m, n)) => (m.to_string(), n.to_string()),
                        None => ("env".to_string(), s.clone()),
                    },
                };
                c.import_memory = Some((m, n));
            }
            "export-memory" => c.export_memory = Some(value.unwrap_or_else(|| "memory".into())),
            "merge-data-segments" => c.merge_data_segments = true,
            "no-merge-data-segments" => c.merge_data_segments = false,
            "features" => c.features = Some(list(&v())),
            "extra-features" => c.extra_features.extend(list(&v())),
            "check-features" => c.check_features = true,
            "no-check-features" => c.check_features = false,
            "strip-all" => c.strip_all = true,
            "strip-debug" => c.strip_debug = true,
            "keep-section" => c.keep_sections.push(v()),
            "validate" => c.validate = true,
            "no-validate" => c.validate = false,
            "threads" => {
                let n = number(&name, &v())? as usize;
                c.threads = Some(n.max(1));
            }
            "trace" => c.trace = true,
            "relocatable" => c.relocatable = true,
            "emit-relocs" => c.emit_relocs = true,
            "fatal-warnings" => c.fatal_warnings = true,
            "no-fatal-warnings" => c.fatal_warnings = false,
            "error-limit" => c.error_limit = number(&name, &v())? as usize,
            "color-diagnostics" => {
                c.color_diagnostics = match value.as_deref() {
                    None | Some("always") => true,
                    Some("never") => false,
                    Some("auto") => std::io::IsTerminal::is_terminal(&std::io::stderr()),
                    Some(other) => {
                        return Err(Error::msg(format!(
                            "unknown option: --color-diagnostics={other}"
                        )));
                    }
                }
            }
            "no-color-diagnostics" => c.color_diagnostics = false,
            // `-v` prints the version and links when there are inputs; `--version` only prints.
            "v" => print_version = true,
            "version" => version_only = true,
            "help" => return Ok(Command::Help),
            "demangle" => c.demangle = true,
            "no-demangle" => c.demangle = false,
            "verbose" => c.verbose = true,
            "y" | "trace-symbol" => c.trace_symbols.push(v()),
            "no-allow-multiple-definition" => c.allow_multiple_definition = false,
            // `-l` looks for `libNAME.so` first after these, as in wasm-ld.
            "Bdynamic" | "dy" | "call_shared" => dynamic = true,
            "Bstatic" | "dn" | "static" | "non_shared" => dynamic = false,
            "Bsymbolic" => c.bsymbolic = true,
            "soname" => c.soname = Some(v()),
            "why-extract" => c.why_extract = Some(v()),
            // Beyond wasm-ld: a cache of whole links (src/cache.rs).
            "cache-dir" => c.cache_dir = Some(v()),
            "cache-size" => c.cache_size = size(&name, &v())?,
            "reproduce" => c.reproduce = Some(v()),
            "Map" => c.map_file = Some(v()),
            // Beyond wasm-ld 22 (lld's ELF port has them): a trace of weld's own phases.
            "time-trace" => c.time_trace = Some(value.clone().unwrap_or_default()),
            "time-trace-file" => c.time_trace = Some(v()),
            "time-trace-granularity" => c.time_trace_granularity = number(&name, &v())?,
            "map-format" => {
                c.map_json = match v().as_str() {
                    "json" => true,
                    "text" => false,
                    other => {
                        return Err(Error::msg(format!(
                            "unknown --map-format: {other} (text or json)"
                        )));
                    }
                }
            }
            "compress-relocations" => c.compress_relocations = true,
            "page-size" => {
                c.page_size = number(&name, &v())?;
                if c.page_size != 1 && c.page_size != 65536 {
                    return Err(Error::msg("--page_size=N must be either 1 or 65536"));
                }
            }
            "print-map" => c.map_file = Some("-".to_string()),
            "build-id" => c.build_id = crate::build_id::BuildId::parse(value.as_deref())?,
            "wrap" => c.wrap.push(crate::config::Wrap::new(&v())),
            "rsp-quoting" => {} // applied before parsing, by `rsp_quoting`
            // Options with no effect on a static link of wasm objects, accepted as wasm-ld
            // accepts them: they concern shared libraries (`--no-shlib-sigcheck`, `--rpath`), outputs weld does not make (`--noinhibit-exec` keeps an output that
            // has errors; weld never writes one), or code generation from bitcode, which weld
            // does not read (`--save-temps`, `--mllvm`, `--lto-*`, `--thinlto-*`).
            "no-shlib-sigcheck"
            | "rpath"
            | "noinhibit-exec"
            | "save-temps"
            | "mllvm"
            | "lto-O"
            | "lto-CGO"
            | "lto-partitions"
            | "lto-debug-pass-manager"
            | "thinlto-jobs"
            | "thinlto-cache-dir" => {}
            "thinlto-cache-policy" => check_cache_policy(&v())?,
            other => return Err(Error::msg(format!("unknown argument: -{other}"))),
        }
    }
    if version_only || (print_version && c.inputs.is_empty()) {
        return Ok(Command::Version);
    }
    c.print_version = print_version;
    // As lld, `LLD_REPRODUCE` stands for `--reproduce` when the option is not given.
    if c.reproduce.is_none() {
        c.reproduce = std::env::var("LLD_REPRODUCE")
            .ok()
            .filter(|p| !p.is_empty());
    }
    c.response = response;
    if c.inputs.is_empty() {
        return Err(Error::msg("no input files"));
    }
    if !saw_output {
        return Err(Error::msg("no output file specified"));
    }
    if !c.stack_size.is_multiple_of(16) {
        return Err(Error::msg("stack size must be 16-byte aligned"));
    }
    if c.unresolved == UnresolvedPolicy::ImportDynamic && !c.pic() && !experimental_pic {
        c.warnings.push(
            "dynamic imports are not yet stable (--unresolved-symbols=import-dynamic)".into(),
        );
    }
    if c.shared && c.pie {
        return Err(Error::msg("-shared and -pie may not be used together"));
    }
    if c.relocatable && c.pie {
        return Err(Error::msg("-r and -pie may not be used together"));
    }
    if c.pic() {
        // wasm-ld's words: the loader chooses both bases.
        if c.global_base.is_some() {
            return Err(Error::msg(
                "--global-base may not be used with -shared/-pie",
            ));
        }
        if args.iter().any(|a| a.contains("table-base")) {
            return Err(Error::msg("--table-base may not be used with -shared/-pie"));
        }
        if c.export_table {
            return Err(Error::msg(
                "-shared/-pie is incompatible with --export-table",
            ));
        }
        if !experimental_pic {
            if c.shared {
                c.warnings
                    .push("creating shared libraries, with -shared, is not yet stable".into());
            }
            if c.pie {
                c.warnings
                    .push("creating PIEs, with -pie, is not yet stable".into());
            }
            if c.unresolved == UnresolvedPolicy::ImportDynamic {
                c.warnings.push(
                    "dynamic imports are not yet stable (--unresolved-symbols=import-dynamic)"
                        .to_string(),
                );
            }
        }
        // Table slots count from `__table_base`, and the table is the loader's.
        c.table_base = 0;
        c.import_table = true;
    }
    if c.bsymbolic && !c.shared {
        c.bsymbolic = false;
        c.warnings
            .push("-Bsymbolic is only meaningful when combined with -shared".to_string());
    }
    if c.shared {
        // As wasm-ld: a library imports its memory, exports every default-visibility
        // definition unless told otherwise and has no entry point.
        if c.export_memory.is_some() && args.iter().any(|a| a.contains("export-memory")) {
            return Err(Error::msg("--export-memory is incompatible with --shared"));
        }
        c.import_memory
            .get_or_insert(("env".to_string(), "memory".to_string()));
        if !args.iter().any(|a| a.ends_with("no-export-dynamic")) {
            c.export_dynamic = true;
        }
        c.entry = None;
    }
    if c.import_memory.is_some() && !args.iter().any(|a| a.contains("export-memory")) {
        c.export_memory = None;
    }
    if c.import_table && c.export_table {
        return Err(Error::msg(
            "--import-table and --export-table may not be used together",
        ));
    }
    if c.compress_relocations {
        // Shortened fields move what debug information points at (wasm-ld).
        if !c.strip_debug && !c.strip_all {
            return Err(Error::msg(
                "--compress-relocations is incompatible with output debug information. Please \
                 pass --strip-debug or --strip-all",
            ));
        }
        if c.relocatable {
            return Err(Error::msg(
                "-r -and --compress-relocations may not be used together",
            ));
        }
        if c.emit_relocs {
            return Err(Error::msg(
                "--compress-relocations with --emit-relocs is not supported yet",
            ));
        }
    }
    if c.relocatable {
        // As wasm-ld: these describe a module, not an object.
        if gc_explicit {
            return Err(Error::msg("-r and --gc-sections may not be used together"));
        }
        if c.entry_explicit {
            return Err(Error::msg(
                "entry point specified for relocatable output file",
            ));
        }
        if c.global_base.is_some() {
            return Err(Error::msg("-r and --global-base may not be used together"));
        }
        if c.shared_memory {
            return Err(Error::msg(
                "-r and --shared-memory may not be used together",
            ));
        }
        c.entry = None;
        c.gc_sections = false;
        c.merge_data_segments = false;
        c.export_memory = None;
    }
    Ok(Command::Link(Box::new(c)))
}

/// The names of an `--allow-undefined-file` or of a library's `.imports` file: one a line,
/// `#` starting a comment.
pub fn import_file_names(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses a number as wasm-ld does: decimal, or hex with `0x`.
fn number(opt: &str, s: &str) -> Result<u64> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| Error::msg(format!("invalid value for -{opt}: {s}")))
}

/// A size in bytes, with an optional `k`, `m` or `g` suffix (powers of 1024).
fn size(opt: &str, s: &str) -> Result<u64> {
    let (digits, shift) = match s.as_bytes().last() {
        Some(b'k' | b'K') => (&s[..s.len() - 1], 10),
        Some(b'm' | b'M') => (&s[..s.len() - 1], 20),
        Some(b'g' | b'G') => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    number(opt, digits)?
        .checked_mul(1 << shift)
        .ok_or_else(|| Error::msg(format!("invalid value for -{opt}: {s}")))
}

/// Finds `-lNAME` as wasm-ld does: in each directory in turn, `libNAME.so` (only after
/// `-Bdynamic`) and then `libNAME.a`; `-l:FILE` names the file exactly.
fn find_library(name: &str, dirs: &[PathBuf], dynamic: bool) -> Result<PathBuf> {
    let files: Vec<String> = match name.strip_prefix(':') {
        Some(exact) => vec![exact.to_string()],
        None if dynamic => vec![format!("lib{name}.so"), format!("lib{name}.a")],
        None => vec![format!("lib{name}.a")],
    };
    for d in dirs {
        for file in &files {
            let p = d.join(file);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(Error::msg(format!("unable to find library -l{name}")))
}

/// Checks a `--thinlto-cache-policy` value as wasm-ld does (it parses it even without bitcode):
/// `key=value` pairs separated by `:`, with LLVM's cache-pruning keys.
fn check_cache_policy(policy: &str) -> Result<()> {
    const KEYS: &[&str] = &[
        "prune_interval",
        "prune_after",
        "cache_size",
        "cache_size_bytes",
        "cache_size_files",
    ];
    for part in policy.split(':').filter(|p| !p.is_empty()) {
        let key = part.split_once('=').map_or(part, |(k, _)| k);
        if !KEYS.contains(&key) {
            return Err(Error::msg(format!(
                "--thinlto-cache-policy: invalid cache policy: Unknown key: '{key}'"
            )));
        }
    }
    Ok(())
}

/// How response files are split (`--rsp-quoting`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Quoting {
    Posix,
    Windows,
}

/// Finds `--rsp-quoting` among the raw arguments: it decides how `@file`s are read, so it is
/// taken before they are expanded (as lld does). The last one wins.
fn rsp_quoting(args: &[String]) -> Result<Quoting> {
    let mut q = Quoting::Posix;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let body = a.strip_prefix("--").or_else(|| a.strip_prefix('-'));
        let value = match body {
            Some("rsp-quoting") => it.next().map(String::as_str),
            Some(b) => match b.strip_prefix("rsp-quoting=") {
                Some(v) => Some(v),
                None => continue,
            },
            None => continue,
        };
        q = match value {
            Some("posix") => Quoting::Posix,
            Some("windows") => Quoting::Windows,
            Some(other) => {
                return Err(Error::msg(format!(
                    "invalid response file quoting: {other}"
                )));
            }
            None => return Err(Error::msg("missing argument to --rsp-quoting")),
        };
    }
    Ok(q)
}

/// Splits arguments into options and inputs, each with the line `--reproduce` writes for it
/// in `response.txt` (as lld renders it: inputs relative to the root, `-o` without its
/// directory, a value apart from its option unless it can only be joined).
fn tokenize(args: &[String]) -> Result<Vec<(Arg, String)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "-" || !a.starts_with('-') {
            out.push((Arg::Input(a.clone()), quote(&relative_to_root(a))));
            continue;
        }
        let body = a.strip_prefix("--").unwrap_or(&a[1..]);
        let (key, joined) = match body.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (body, None),
        };
        if let Some(&prefix) = JOINED_PREFIX.iter().find(|p| key.starts_with(**p)) {
            let value = &body[prefix.len()..];
            out.push((
                Arg::Opt(prefix.to_string(), Some(value.to_string())),
                format!("--{prefix}{value}"),
            ));
            continue;
        }
        if let Some(&(name, arity)) = LONG.iter().find(|(n, _)| *n == key) {
            // lld renders an option under its canonical two-dash spelling.
            let spelled = format!("--{name}");
            let (value, shown) = match arity {
                Arity::Flag => {
                    if joined.is_some() {
                        return Err(Error::msg(format!("option {a} takes no value")));
                    }
                    (None, spelled)
                }
                Arity::OptionalJoined => {
                    let shown = match &joined {
                        Some(v) => format!("{spelled}={v}"),
                        None => spelled,
                    };
                    (joined, shown)
                }
                Arity::Value => {
                    let v = match joined {
                        Some(v) => v,
                        None => {
                            let v = args
                                .get(i)
                                .ok_or_else(|| Error::msg(format!("missing argument to {a}")))?;
                            i += 1;
                            v.clone()
                        }
                    };
                    let shown = format!("{spelled} {}", quote(&v));
                    (Some(v), shown)
                }
            };
            out.push((Arg::Opt(name.to_string(), value), shown));
            continue;
        }
        // Short options: one dash only.
        if !a.starts_with("--") {
            if let Some(&(_, long)) = SHORT_FLAG.iter().find(|(s, _)| *s == body) {
                // Short flags are aliases, rendered as what they stand for (`-v` is its own).
                let shown = if long == "v" {
                    "-v".to_string()
                } else {
                    format!("--{long}")
                };
                out.push((Arg::Opt(long.to_string(), None), shown));
                continue;
            }
            let mut chars = body.chars();
            if let Some(c) = chars.next()
                && SHORT_VALUE.contains(&c)
            {
                let rest = chars.as_str();
                let value = if !rest.is_empty() {
                    rest.to_string()
                } else if c == 'O' {
                    // `-O` alone means -O1, as in lld.
                    "1".to_string()
                } else {
                    let v = args
                        .get(i)
                        .ok_or_else(|| Error::msg(format!("missing argument to {a}")))?;
                    i += 1;
                    v.clone()
                };
                let shown = if c == 'o' {
                    // lld writes the output's file name only: the archive has no directories
                    // for it.
                    let file = Path::new(&value)
                        .file_name()
                        .map_or(value.clone(), |f| f.to_string_lossy().into_owned());
                    format!("-o {}", quote(&file))
                } else {
                    match c {
                        'e' => format!("--entry {}", quote(&value)),
                        'u' => format!("--undefined {}", quote(&value)),
                        'y' => format!("--trace-symbol {}", quote(&value)),
                        _ => format!("-{c} {}", quote(&value)),
                    }
                };
                out.push((Arg::Opt(c.to_string(), Some(value)), shown));
                continue;
            }
        }
        return Err(Error::msg(format!(
            "unknown argument: {a} (weld does not support this wasm-ld option yet)"
        )));
    }
    Ok(out)
}

/// A path made absolute and without its root (`/tmp/a.o` → `tmp/a.o`): where `--reproduce`
/// stores the file, and how `response.txt` names it.
pub fn relative_to_root(path: &str) -> String {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_or(p.to_path_buf(), |d| d.join(p))
    };
    let shown = abs.display().to_string();
    shown.trim_start_matches('/').to_string()
}

/// Quotes a response-file word that holds white space (lld's `quote`).
fn quote(s: &str) -> String {
    if s.contains(' ') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

/// Replaces `@file` arguments with the file's contents, split as GNU tools split them.
fn expand_response_files(args: &[String], quoting: Quoting, depth: u32) -> Result<Vec<String>> {
    if depth > 20 {
        return Err(Error::msg("response files nest too deeply"));
    }
    let mut out = Vec::new();
    for a in args {
        match a.strip_prefix('@') {
            Some(path) if !path.is_empty() => {
                let text = std::fs::read_to_string(Path::new(path)).map_err(|e| {
                    Error::file(path, format_args!("cannot read response file: {e}"))
                })?;
                let words = match quoting {
                    Quoting::Posix => split_response(&text),
                    Quoting::Windows => split_windows(&text),
                };
                out.extend(expand_response_files(&words, quoting, depth + 1)?);
            }
            _ => out.push(a.clone()),
        }
    }
    Ok(out)
}

/// Splits response-file text on white space, honouring quotes and backslash escapes.
fn split_response(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_token = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    cur.push(next);
                }
                in_token = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                in_token = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_token {
                    out.push(std::mem::take(&mut cur));
                    in_token = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_token = true;
            }
        }
    }
    if in_token {
        out.push(cur);
    }
    out
}

/// Splits response-file text as the Windows command line is split (LLVM's
/// `TokenizeWindowsCommandLine`): white space separates, `"` toggles quoting, `""` inside
/// quotes is a literal quote, and backslashes are literal unless they precede a `"`, where
/// each pair becomes one backslash and an odd one escapes the quote.
fn split_windows(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_token = false;
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let start = i;
            while i < chars.len() && chars[i] == '\\' {
                i += 1;
            }
            let n = i - start;
            in_token = true;
            if chars.get(i) == Some(&'"') {
                cur.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    cur.push('"');
                    i += 1;
                }
            } else {
                cur.extend(std::iter::repeat_n('\\', n));
            }
            continue;
        }
        if c == '"' {
            in_token = true;
            if quoted && chars.get(i + 1) == Some(&'"') {
                cur.push('"');
                i += 2;
                continue;
            }
            quoted = !quoted;
            i += 1;
            continue;
        }
        if !quoted && c.is_whitespace() {
            if in_token {
                out.push(std::mem::take(&mut cur));
                in_token = false;
            }
        } else {
            cur.push(c);
            in_token = true;
        }
        i += 1;
    }
    if in_token {
        out.push(cur);
    }
    out
}

/// The `--help` text.
pub const HELP: &str = "\
USAGE: weld [options] <inputs>

weld links WebAssembly relocatable objects (.o) and archives (.a) into a module.
It accepts wasm-ld's command line; see README.md for the supported options.
";

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(args: &[&str]) -> Config {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&args).unwrap() {
            Command::Link(c) => *c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn both_dash_spellings_and_both_value_forms() {
        let c = cfg(&[
            "-export=a",
            "--export",
            "b",
            "--export=c",
            "-export",
            "d",
            "x.o",
            "-o",
            "x.wasm",
        ]);
        assert_eq!(c.exports, ["a", "b", "c", "d"]);
        let c = cfg(&[
            "-z",
            "stack-size=1024",
            "--global-base=0x2000",
            "x.o",
            "-ofoo.wasm",
        ]);
        assert_eq!(c.stack_size, 1024);
        assert_eq!(c.global_base, Some(0x2000));
        assert_eq!(c.output, PathBuf::from("foo.wasm"));
    }

    #[test]
    fn whole_archive_and_start_lib_apply_to_following_inputs() {
        let c = cfg(&[
            "a.o",
            "--whole-archive",
            "b.a",
            "--no-whole-archive",
            "--start-lib",
            "c.o",
            "--end-lib",
            "d.o",
            "-o",
            "x.wasm",
        ]);
        let flags: Vec<(bool, bool)> = c.inputs.iter().map(|i| (i.whole_archive, i.lazy)).collect();
        assert_eq!(
            flags,
            [(false, false), (true, false), (false, true), (false, false)]
        );
    }

    #[test]
    fn unknown_options_are_errors_naming_them() {
        let args: Vec<String> = ["--frobnicate", "x.o"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = parse(&args).unwrap_err().to_string();
        assert!(e.contains("--frobnicate"), "{e}");
    }

    #[test]
    fn windows_quoting_follows_the_windows_command_line_rules() {
        assert_eq!(
            split_windows(r#"a "b c" d\e "f""g" h\"i j\\"k l" ""#),
            ["a", "b c", r"d\e", r#"f"g"#, r#"h"i"#, r"j\k l", ""]
        );
        let args: Vec<String> = ["--rsp-quoting=windows", "x.o"].map(String::from).to_vec();
        assert_eq!(rsp_quoting(&args).unwrap(), Quoting::Windows);
        let args: Vec<String> = ["--rsp-quoting", "dos"].map(String::from).to_vec();
        assert!(rsp_quoting(&args).is_err());
    }

    #[test]
    fn response_files_split_like_gnu_tools() {
        assert_eq!(
            split_response("a 'b c' \"d\\\"e\" f\\ g\n"),
            ["a", "b c", "d\"e", "f g"]
        );
    }
}
