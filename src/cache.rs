//! `--cache-dir DIR`: a cache of whole links.
//!
//! A link whose options and input contents match an earlier one reuses that link's output
//! instead of linking again. The key is a 128-bit hash of weld's own executable (its path, size
//! and modification time), every option that can change the output, and the contents of every
//! file the link reads (inputs, the `.imports` lists beside archives, thin archives' member
//! files). An entry holds the output
//! and the warnings and messages the link printed, with a trailer holding their lengths and
//! hash, so a truncated or corrupt entry is detected and ignored (the link then runs and
//! replaces it). Entries are written through a temporary file and renamed into place, so
//! concurrent links never see half an entry; when the directory grows past its size limit the
//! least recently used entries are removed.
//!
//! Links with side outputs (`-Map`, `--reproduce`, `--why-extract`, `--time-trace`) or
//! side effects on the terminal while linking (`--verbose`, `--trace`, `-y`) are not cached:
//! a cached relink could not reproduce them.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::input;

/// Bumped when the entry format changes.
const MAGIC: &[u8; 8] = b"weldc\x00\x01\n";
/// Trailer: module length and metadata length (u64 LE each), hash (u128 LE), magic.
const TRAILER: usize = 8 + 8 + 16 + 8;
/// File name suffix of entries; nothing else in the directory is touched.
const SUFFIX: &str = ".weld-cache";

/// The default size limit of a cache directory (`--cache-size`).
pub const DEFAULT_SIZE_LIMIT: u64 = 1 << 30;

/// What a cached link reproduces: the output and what the link printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The linked module.
    pub bytes: Vec<u8>,
    /// Warnings, in order.
    pub warnings: Vec<Diagnostic>,
    /// Lines for standard output (`--print-gc-sections`).
    pub messages: Vec<String>,
}

/// A link's place in the cache.
#[derive(Debug, Clone)]
pub struct Key {
    dir: PathBuf,
    hash: u128,
}

impl Key {
    /// The entry file of this key.
    pub fn path(&self) -> PathBuf {
        self.dir.join(format!("{:032x}{SUFFIX}", self.hash))
    }
}

/// Whether a link with `config` may be served from, and stored in, the cache.
pub fn cacheable(config: &Config) -> bool {
    config.cache_dir.is_some()
        && config.map_file.is_none()
        && config.reproduce.is_none()
        && config.why_extract.is_none()
        && config.time_trace.is_none()
        && !config.verbose
        && !config.trace
        && config.trace_symbols.is_empty()
}

/// The key of a link: `None` when the link is not cacheable.
///
/// Hashing reads every input once (in parallel); an input that cannot be read is left to the
/// link to report.
pub fn key(config: &Config) -> Option<Key> {
    if !cacheable(config) {
        return None;
    }
    let dir = PathBuf::from(config.cache_dir.as_ref()?);
    // The executable itself: a rebuilt weld may link differently under the same version. Its
    // identity (path, size, modification time) stands for its contents, which would cost more
    // to hash than a small link.
    let exe = std::env::current_exe().ok().and_then(|p| {
        let m = std::fs::metadata(&p).ok()?;
        let mtime = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(xxh3_128(
            format!("{} {} {}", p.display(), m.len(), mtime.as_nanos()).as_bytes(),
        ))
    });
    let exe = exe.unwrap_or(0);
    let mut files: Vec<PathBuf> = Vec::new();
    for i in &config.inputs {
        files.push(i.path.clone());
        let beside = i.path.with_extension("imports");
        if beside != i.path && beside.is_file() && input::is_archive_file(&i.path) {
            files.push(beside);
        }
    }
    // One read buffer per thread.
    let hashes: Vec<Option<Vec<u128>>> = files
        .par_iter()
        .map_init(|| vec![0u8; 1 << 20], |buf, p| hash_input(p, buf))
        .collect();
    let mut state = Xxh3::new();
    state.update(env!("CARGO_PKG_VERSION").as_bytes());
    state.update(&exe.to_le_bytes());
    // Options that cannot change the output are left out of the key.
    let mut options = config.clone();
    options.threads = None;
    options.cache_dir = None;
    options.cache_size = 0;
    options.response.clear();
    options.color_diagnostics = false;
    state.update(format!("{options:?}").as_bytes());
    for h in hashes {
        for x in h? {
            state.update(&x.to_le_bytes());
        }
    }
    Some(Key {
        dir,
        hash: state.digest128(),
    })
}

/// The content hashes of an input file: the file's, then (for a thin archive) each member
/// file's. `None` if something cannot be read.
///
/// Files are read, not mapped: unmapping thousands of files from a multi-threaded process
/// costs more (page-table work on every thread) than copying them through a buffer.
fn hash_input(path: &Path, buf: &mut [u8]) -> Option<Vec<u128>> {
    use std::io::Read as _;
    let mut file = File::open(path).ok()?;
    let mut head = [0u8; 8];
    let n = file.read(&mut head).ok()?;
    if &head[..n] == b"!<thin>\n" {
        // Thin archives are small: read whole, with their member files.
        let data = std::fs::read(path).ok()?;
        let mut h = vec![xxh3_128(&data)];
        for (_, m) in input::thin_members(&path.display().to_string(), &data).ok()? {
            h.push(xxh3_128(m.bytes()));
        }
        return Some(h);
    }
    let mut state = Xxh3::new();
    state.update(&head[..n]);
    loop {
        match file.read(buf) {
            Ok(0) => break,
            Ok(k) => state.update(&buf[..k]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(vec![state.digest128()])
}

/// The entry for `key`, if one is stored and intact. A used entry is marked as recently used.
pub fn lookup(key: &Key) -> Option<Entry> {
    let path = key.path();
    let entry = decode(std::fs::read(&path).ok()?)?;
    // Mark it used, so that eviction removes the least recently used entries first.
    if let Ok(f) = File::options().write(true).open(&path) {
        let _ = f.set_modified(SystemTime::now());
    }
    Some(entry)
}

/// Stores `entry` under `key` atomically, then trims the directory to `limit` bytes.
pub fn store(key: &Key, entry: &Entry, limit: u64) -> Result<()> {
    let dir = &key.dir;
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::file(&shown, format_args!("cannot create cache directory: {e}")))?;
    let data = encode(entry);
    let mut tmp = tempfile::Builder::new()
        .prefix(".weld-cache-")
        .tempfile_in(dir)
        .map_err(|e| Error::file(&shown, format_args!("cannot write cache entry: {e}")))?;
    tmp.write_all(&data)
        .map_err(|e| Error::file(&shown, format_args!("cannot write cache entry: {e}")))?;
    tmp.persist(key.path()).map_err(|e| {
        Error::file(
            &shown,
            format_args!("cannot write cache entry: {}", e.error),
        )
    })?;
    prune(dir, limit);
    Ok(())
}

/// Removes the least recently used entries until the directory's entries total at most
/// `limit` bytes. Failures are ignored: another link may be pruning at the same time.
pub fn prune(dir: &Path, limit: u64) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = read
        .filter_map(|e| {
            let e = e.ok()?;
            if !e.file_name().to_str()?.ends_with(SUFFIX) {
                return None;
            }
            let m = e.metadata().ok()?;
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = entries.iter().map(|e| e.1).sum();
    // Oldest first; the name breaks ties so that the order is the same on every run.
    entries.sort();
    for (_, len, path) in entries {
        if total <= limit {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

/// An entry's bytes: the module, then the warnings and messages (each list a u32 LE count,
/// each string a u32 LE length and UTF-8), then a trailer: the module's length and the
/// metadata's (u64 LE each), the XXH3-128 of everything before the trailer, and the magic. The
/// module comes first so that a hit reads the file once and keeps its front as the output.
pub fn encode(entry: &Entry) -> Vec<u8> {
    let mut meta = Vec::new();
    let put = |p: &mut Vec<u8>, s: &[u8]| {
        p.extend_from_slice(&(s.len() as u32).to_le_bytes());
        p.extend_from_slice(s);
    };
    meta.extend_from_slice(&(entry.warnings.len() as u32).to_le_bytes());
    for w in &entry.warnings {
        put(&mut meta, w.message.as_bytes());
    }
    meta.extend_from_slice(&(entry.messages.len() as u32).to_le_bytes());
    for m in &entry.messages {
        put(&mut meta, m.as_bytes());
    }
    let mut out = Vec::with_capacity(entry.bytes.len() + meta.len() + TRAILER);
    out.extend_from_slice(&entry.bytes);
    out.extend_from_slice(&meta);
    let hash = xxh3_128(&out);
    out.extend_from_slice(&(entry.bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(&(meta.len() as u64).to_le_bytes());
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(MAGIC);
    out
}

/// Decodes an entry, reusing `data` for the module; `None` for anything truncated, corrupt or
/// of another format.
pub fn decode(mut data: Vec<u8>) -> Option<Entry> {
    let body_len = data.len().checked_sub(TRAILER)?;
    let trailer = &data[body_len..];
    if &trailer[32..] != MAGIC {
        return None;
    }
    let module_len = usize::try_from(u64::from_le_bytes(trailer[..8].try_into().ok()?)).ok()?;
    let meta_len = usize::try_from(u64::from_le_bytes(trailer[8..16].try_into().ok()?)).ok()?;
    let hash = u128::from_le_bytes(trailer[16..32].try_into().ok()?);
    if module_len.checked_add(meta_len)? != body_len || xxh3_128(&data[..body_len]) != hash {
        return None;
    }
    let mut rest = &data[module_len..body_len];
    let u32_at = |rest: &mut &[u8]| -> Option<usize> {
        let (n, tail) = rest.split_at_checked(4)?;
        *rest = tail;
        Some(u32::from_le_bytes(n.try_into().ok()?) as usize)
    };
    let string = |rest: &mut &[u8]| -> Option<String> {
        let n = u32_at(rest)?;
        let (s, tail) = rest.split_at_checked(n)?;
        *rest = tail;
        String::from_utf8(s.to_vec()).ok()
    };
    let mut warnings = Vec::new();
    for _ in 0..u32_at(&mut rest)? {
        warnings.push(Diagnostic {
            message: string(&mut rest)?,
        });
    }
    let mut messages = Vec::new();
    for _ in 0..u32_at(&mut rest)? {
        messages.push(string(&mut rest)?);
    }
    if !rest.is_empty() {
        return None;
    }
    data.truncate(module_len);
    Some(Entry {
        bytes: data,
        warnings,
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            bytes: b"\0asm\x01\0\0\0".to_vec(),
            warnings: vec![Diagnostic {
                message: "a.o: something".into(),
            }],
            messages: vec!["removing unused section a.o:(f)".into()],
        }
    }

    #[test]
    fn round_trip() {
        assert_eq!(decode(encode(&entry())), Some(entry()));
    }

    #[test]
    fn every_truncation_and_bit_flip_is_rejected() {
        let data = encode(&entry());
        for n in 0..data.len() {
            assert_eq!(decode(data[..n].to_vec()), None, "truncated to {n}");
        }
        for i in 0..data.len() {
            for bit in 0..8 {
                let mut d = data.clone();
                d[i] ^= 1 << bit;
                assert_eq!(decode(d), None, "bit {bit} of byte {i}");
            }
        }
        let mut longer = data.clone();
        longer.push(0);
        assert_eq!(decode(longer), None);
    }
}
