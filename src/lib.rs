//! weld: a WebAssembly object-file linker.
//!
//! [`link`] runs the pipeline: read → resolve → gc → layout → synthesize/write (validating as it
//! writes), then writes the output atomically. Each phase is a module with a plain function over flat,
//! index-addressed tables; the command line ([`cli`]) only builds a [`Config`].

#![deny(missing_docs)]

pub mod build_id;
pub mod cache;
pub mod cli;
pub mod compress;
pub mod config;
pub mod demangle;
pub mod diff;
pub mod error;
pub mod features;
pub mod gc;
pub mod input;
pub mod layout;
pub mod linking;
pub mod map;
pub mod model;
pub mod read;
pub mod reloc;
pub mod reproduce;
pub mod resolve;
pub mod string_set;
pub mod strings;
pub mod synthetic;
pub mod time_trace;
pub mod validate;
pub mod write;

use std::io::Write as _;

use rayon::prelude::*;
use std::path::Path;

pub use config::Config;
pub use error::{Diagnostic, Error, Result};

use error::Diagnostics;
use input::{Archive, FileKind, MappedFile};
use resolve::LoadItem;

/// What a successful link produced besides the output file.
#[derive(Debug, Default)]
pub struct LinkOutput {
    /// Warnings to show the user.
    pub warnings: Vec<Diagnostic>,
    /// Lines for standard output: the `--print-gc-sections` report (wasm-ld prints it there).
    pub messages: Vec<String>,
    /// The link map, when `-Map`/`--print-map` asked for one.
    pub map: Option<String>,
}

/// Links `config.inputs` into `config.output`.
///
/// The output is written through a temporary file that is renamed into place only once the
/// whole module is written and valid. When nothing else needs the whole module in memory (a
/// map, a build id, the cache, `--compress-relocations`), each section goes to that file as
/// soon as it is finished and validated, so the output is never held in memory whole.
pub fn link(config: &Config) -> Result<LinkOutput> {
    // Without a temporary file, the link runs in memory and fails at the end as wasm-ld
    // would, after reporting any error of the link itself.
    let tmp = streams(config)
        .then(|| temporary_beside(&config.output).ok())
        .flatten();
    let Some(tmp) = tmp else {
        let (bytes, out) = link_to_bytes(config)?;
        write_atomically(&config.output, &bytes)?;
        if config.exit_after_link {
            std::mem::forget(bytes);
        }
        return Ok(out);
    };
    let (rest, out) = in_pool(config, || link_in_pool(config, Some(tmp.as_file())))?;
    // The writer wrote everything to the file itself.
    debug_assert!(rest.is_empty());
    persist(tmp, &config.output)?;
    Ok(out)
}

/// Whether [`link`] can write the output section by section.
fn streams(config: &Config) -> bool {
    cfg!(unix)
        && config.output.as_os_str() != "-"
        && config.cache_dir.is_none()
        && config.build_id.is_none()
        && config.map_file.is_none()
        && !config.compress_relocations
        && !is_special(&config.output)
}

/// Whether `path` names something other than a regular file (`/dev/null`, a pipe): such an
/// output is written in place, as lld writes it, never replaced by a renamed file.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.file_type().is_file())
}

/// The most alignment padding (zero bytes between input segments) weld writes into the data
/// segments of one output: 64 MiB. More is an error (spec/layout.md), so that a hostile
/// alignment cannot make weld allocate gigabytes for a small input.
pub const MAX_DATA_PADDING: u64 = 64 << 20;

/// Links in memory and returns the module bytes, without writing a file.
///
/// With `--cache-dir`, an identical earlier link's output is returned instead of linking, and
/// a new link's output is stored there.
pub fn link_to_bytes(config: &Config) -> Result<(Vec<u8>, LinkOutput)> {
    in_pool(config, || {
        let Some(key) = cache::key(config) else {
            return link_in_pool(config, None);
        };
        if let Some(hit) = cache::lookup(&key) {
            let out = LinkOutput {
                warnings: hit.warnings,
                messages: hit.messages,
                map: None,
            };
            return Ok((hit.bytes, out));
        }
        let (bytes, out) = link_in_pool(config, None)?;
        let entry = cache::Entry {
            bytes,
            warnings: out.warnings,
            messages: out.messages,
        };
        // The cache only saves time: a link whose entry cannot be stored still succeeds.
        let _ = cache::store(&key, &entry, config.cache_size);
        let out = LinkOutput {
            warnings: entry.warnings,
            messages: entry.messages,
            map: out.map,
        };
        Ok((entry.bytes, out))
    })
}

/// Runs `f` on a thread pool of `--threads` threads.
fn in_pool<T: Send>(config: &Config, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    // Archive members are loaded recursively, as wasm-ld loads them; a generous stack keeps
    // long chains of members safe.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .stack_size(256 << 20)
        .build()
        .map_err(|e| Error::msg(format!("cannot start threads: {e}")))?;
    pool.install(f)
}

fn link_in_pool(config: &Config, sink: Option<&std::fs::File>) -> Result<(Vec<u8>, LinkOutput)> {
    // wasm-ld reads a `NAME.imports` beside each archive `NAME.a` (wasi-libc ships
    // `libc.imports`): the names it lists may stay undefined, as if given by
    // `--allow-undefined-file`.
    let mut imports = Vec::new();
    let mut read = Vec::new();
    for input in &config.inputs {
        read.push(input.path.clone());
        let beside = input.path.with_extension("imports");
        if beside != input.path && beside.is_file() && input::is_archive_file(&input.path) {
            read.push(beside.clone());
            let text = std::fs::read_to_string(&beside).map_err(|e| {
                Error::file(
                    &beside.display().to_string(),
                    format_args!("cannot read: {e}"),
                )
            })?;
            imports.extend(cli::import_file_names(&text));
        }
    }
    // Written before linking, as lld writes it while reading its inputs: a link that fails
    // can be replayed too.
    if let Some(path) = &config.reproduce {
        reproduce::write(path, config, &read)?;
    }
    if imports.is_empty() {
        return link_with(config, sink);
    }
    let mut with_imports = config.clone();
    with_imports.allow_undefined_symbols.extend(imports);
    link_with(&with_imports, sink)
}

/// Links; with a `sink`, the module is written there as it is produced and the bytes returned
/// are the part not written yet.
fn link_with(config: &Config, sink: Option<&std::fs::File>) -> Result<(Vec<u8>, LinkOutput)> {
    let mut tracer = time_trace::Tracer::new(config);
    tracer.phase("read");
    if config.verbose {
        for i in &config.inputs {
            eprintln!("Loading: {}", i.path.display());
        }
    }
    // Opening and mapping thousands of files is mostly system calls: done in parallel.
    let files: Vec<MappedFile> = config
        .inputs
        .par_iter()
        .map(|i| MappedFile::open(&i.path))
        // Collected in order, so that the error reported is the first input's.
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()?;
    // Thin archives name their members' files: those are mapped now, to live as long as the
    // inputs.
    let thin: Vec<Vec<(Vec<u8>, MappedFile)>> = files
        .par_iter()
        .map(|f| input::thin_members(&f.path, f.bytes()))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let mut archives: Vec<Archive<'_>> = Vec::new();
    let mut items = Vec::new();
    for ((file, input), thin) in files.iter().zip(&config.inputs).zip(&thin) {
        match input::classify(file.bytes()) {
            FileKind::Wasm => match input::SharedLibrary::parse(&file.path, file.bytes())? {
                Some(lib) if config.pic() => items.push(LoadItem::Shared(lib)),
                // wasm-ld's words: only a position-independent output can import from it.
                Some(_) => {
                    return Err(Error::msg(format!(
                        "attempted static link of dynamic object {}",
                        file.path
                    )));
                }
                None => items.push(LoadItem::Object {
                    name: &file.path,
                    bytes: file.bytes(),
                    lazy: input.lazy,
                }),
            },
            FileKind::Archive => {
                archives.push(Archive::parse(&file.path, file.bytes(), thin)?);
                items.push(LoadItem::Archive {
                    index: archives.len() as u32 - 1,
                    whole: input.whole_archive,
                });
            }
            FileKind::Stub => items.push(LoadItem::Stub(input::StubLibrary::parse(
                &file.path,
                file.bytes(),
            )?)),
            FileKind::Other => {
                return Err(Error::file(
                    &file.path,
                    "unknown file type (not a wasm object, archive or #STUB library; linker \
                     scripts are not supported)",
                ));
            }
        }
    }
    let mut diags = Diagnostics::new(config.error_limit, config.fatal_warnings);
    for w in &config.warnings {
        diags.warn(w.clone());
    }
    tracer.phase("resolve");
    let res = resolve::resolve(config, &archives, items, &mut diags)?;
    tracer.phase("gc");
    let live = gc::mark_live(config, &res, &mut diags);

    // Feature conflicts are reported before anything is laid out.
    tracer.phase("layout");
    let allowed = features::allowed(config, &res, &live).map_err(|e| diags.attach(e))?;
    let layout = layout::layout(config, &res, &live, &allowed, &mut diags);
    features::check_mutable_globals(config, &res, &layout, &allowed, &mut diags);
    let messages = if config.print_gc_sections {
        gc_report(&res, &live, &layout)
    } else {
        Vec::new()
    };
    if let Err(e) = diags.check() {
        // A JSON map is written for a failed link too: it names every reference to each
        // undefined symbol.
        if config.map_is_json() {
            write_map(config, &map::json(config, &res, &layout, &live, None))?;
        }
        return Err(e);
    }
    // The writer validates the output as it writes it (validate.rs).
    tracer.phase("write");
    let bytes = write::write(config, &res, &layout, &allowed, sink)?;
    tracer.phase("map");
    let map = match &config.map_file {
        Some(_) if config.map_is_json() => {
            write_map(
                config,
                &map::json(config, &res, &layout, &live, Some(&bytes)),
            )?;
            None
        }
        Some(_) => Some(map::map(config, &res, &layout, &bytes)),
        None => None,
    };
    tracer.finish(config)?;
    if config.exit_after_link {
        // Freeing hundreds of thousands of small allocations and unmapping every input costs
        // more than the exit that reclaims them all at once.
        std::mem::forget((res, live, layout, allowed));
        std::mem::forget(archives);
        std::mem::forget((thin, files));
    }
    Ok((
        bytes,
        LinkOutput {
            warnings: diags.warnings,
            messages,
            map,
        },
    ))
}

/// Writes a JSON map where `-Map` says (`-`: standard output).
fn write_map(config: &Config, text: &str) -> Result<()> {
    match config.map_file.as_deref() {
        Some("-") | None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => write_atomically(Path::new(path), text.as_bytes()),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so that a failed
/// link never leaves a partial output or clobbers an existing one.
///
/// The path `-` means standard output, as in wasm-ld; a device or a pipe is written directly.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = path.display().to_string();
    if path.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::file("<stdout>", format_args!("cannot write output: {e}")));
    }
    if is_special(path) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| Error::file(&shown, format_args!("cannot write output: {e}")));
    }
    let mut tmp = temporary_beside(path)?;
    tmp.write_all(bytes)
        .map_err(|e| Error::file(&shown, format_args!("cannot write output: {e}")))?;
    persist(tmp, path)
}

/// A temporary file in `path`'s directory, deleted unless [`persist`]ed, named
/// `.NAME.weld-XXXXXX.tmp` for an output `NAME` and locked for as long as this process has it
/// open. A link that was killed leaves its file behind; the next link of the same output
/// removes every such file that no process holds (see [`remove_stale_temporaries`]).
fn temporary_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}.weld-");
    remove_stale_temporaries(dir, &prefix);
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| {
            Error::file(
                &path.display().to_string(),
                format_args!("cannot create output: {e}"),
            )
        })?;
    // An advisory lock, released by the kernel however this process ends: it tells the next
    // link that the file is in use. A file system without locks only loses the cleanup.
    let _ = tmp.as_file().try_lock();
    Ok(tmp)
}

const TEMPORARY_SUFFIX: &str = ".tmp";

/// Removes the temporary files of earlier links of the same output (`dir/PREFIX*.tmp`) that
/// no process holds locked: their links were killed before renaming them into place. A link
/// between creating its file and locking it (a few system calls) could lose its file to a
/// concurrent link of the same output; it then fails with "cannot write output", as two
/// links writing one file at once would fail anyway.
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with(prefix) || !name.ends_with(TEMPORARY_SUFFIX) {
            continue;
        }
        let Ok(f) = std::fs::File::open(e.path()) else {
            continue;
        };
        if f.try_lock().is_ok() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Renames a finished temporary file to `path`.
fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    // Executables are conventionally mode 0755, as wasm-ld writes them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755));
    }
    tmp.persist(path).map_err(|e| {
        Error::file(
            &path.display().to_string(),
            format_args!("cannot write output: {}", e.error),
        )
    })?;
    Ok(())
}

fn gc_report(
    res: &resolve::Resolved<'_>,
    live: &gc::Live,
    layout: &layout::Layout<'_>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for f in 0..obj.functions.len() {
            if !live.functions[o][f] {
                out.push(format!(
                    "removing unused section {}:({})",
                    obj.name,
                    obj.function_name(f as u32)
                ));
            }
        }
        for (s, seg) in obj.segments.iter().enumerate() {
            if !live.segments[o][s] {
                out.push(format!(
                    "removing unused section {}:({})",
                    obj.name, seg.name
                ));
            }
        }
        let ngi = obj.global_imports.len() as u32;
        for g in 0..obj.globals.len() {
            if !live.globals[o][g] {
                let index = ngi + g as u32;
                let name = obj
                    .symbols
                    .iter()
                    .find(|s| s.target == model::SymbolTarget::Global(index))
                    .map_or("", |s| s.name);
                out.push(format!("removing unused section {}:({name})", obj.name));
            }
        }
    }
    // The linker's own functions are reported as wasm-ld does, after the inputs'.
    if let Some(id) = res.lookup("__wasm_call_ctors")
        && !live.symbols[id.idx()]
    {
        out.push("removing unused section <internal>:(__wasm_call_ctors)".to_string());
    }
    // wasm-ld makes a trap stub for every weak undefined function and reports the unused ones.
    let stubbed: std::collections::HashSet<u32> = layout
        .call_overrides
        .keys()
        .map(|&(o, i)| res.sym(o, i).0)
        .collect();
    for (i, sym) in res.symbols.iter().enumerate() {
        if sym.kind == model::SymbolKind::Function
            && !sym.local
            && sym.is_undefined_weak()
            && matches!(sym.def, resolve::Def::Undefined { .. })
            && !stubbed.contains(&(i as u32))
        {
            out.push(format!("removing unused section <internal>:({})", sym.name));
        }
    }
    out
}
