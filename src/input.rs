//! Input files: memory-mapped objects and archives, and lazy archive members.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;
use object::read::archive::ArchiveFile;

use crate::error::{Error, Result};
use crate::read::is_wasm;

/// A mapped input file.
pub struct MappedFile {
    /// Its path, as given.
    pub path: String,
    map: Option<Mmap>,
}

impl MappedFile {
    /// Maps `path` read-only.
    pub fn open(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        let file =
            File::open(path).map_err(|e| Error::file(&shown, format_args!("cannot open: {e}")))?;
        let len = file.metadata().map_err(|e| Error::file(&shown, e))?.len();
        // An empty file cannot be mapped; it is also not a valid input, which `bytes` reports.
        let map = if len == 0 {
            None
        } else {
            // SAFETY: inputs are not expected to change while the link runs; like every linker
            // that maps its inputs, weld cannot guard against another process truncating them.
            Some(
                unsafe { Mmap::map(&file) }
                    .map_err(|e| Error::file(&shown, format_args!("cannot map: {e}")))?,
            )
        };
        Ok(MappedFile { path: shown, map })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }
}

/// What an input file is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A wasm module (object or not; the reader decides).
    Wasm,
    /// A `!<arch>` archive.
    Archive,
    /// A stub library: a `#STUB` text file (see [`StubLibrary`]).
    Stub,
    /// Anything else (a linker script, which weld does not support).
    Other,
}

/// Classifies the bytes of an input.
pub fn classify(bytes: &[u8]) -> FileKind {
    if is_wasm(bytes) {
        FileKind::Wasm
    } else if bytes.starts_with(b"!<arch>\n") || bytes.starts_with(b"!<thin>\n") {
        FileKind::Archive
    } else if bytes.starts_with(b"#STUB") {
        FileKind::Stub
    } else {
        FileKind::Other
    }
}

/// Whether the file at `path` starts as an archive does (its first 8 bytes only are read).
pub fn is_archive_file(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| classify(&magic) == FileKind::Archive)
}

/// An archive with its symbol index, members parsed only when extracted.
pub struct Archive<'a> {
    /// The archive's path.
    pub path: &'a str,
    data: &'a [u8],
    file: ArchiveFile<'a>,
    /// A thin archive's members: the files it names, by member name.
    thin: Vec<(&'a [u8], &'a [u8])>,
}

/// The files a thin archive's members name (relative to the archive's directory, unless
/// absolute), mapped so that they live as long as the archive's own bytes. Empty for a
/// regular archive.
pub fn thin_members(path: &str, data: &[u8]) -> Result<Vec<(Vec<u8>, MappedFile)>> {
    if !data.starts_with(b"!<thin>\n") {
        return Ok(Vec::new());
    }
    let file = ArchiveFile::parse(data)
        .map_err(|e| Error::file(path, format_args!("malformed archive: {e}")))?;
    let dir = Path::new(path).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for m in file.members() {
        let m = m.map_err(|e| Error::file(path, format_args!("malformed archive: {e}")))?;
        let name = m.name().to_vec();
        let member = Path::new(
            std::str::from_utf8(&name)
                .map_err(|_| Error::file(path, "thin archive member name is not UTF-8"))?,
        );
        let mapped = MappedFile::open(&dir.join(member))
            .map_err(|e| Error::file(path, format_args!("thin archive member: {e}")))?;
        out.push((name, mapped));
    }
    Ok(out)
}

/// A member of an archive, not yet parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberRef {
    /// Index of the archive in the link's archive list.
    pub archive: u32,
    /// Offset of the member's header in the archive.
    pub offset: u64,
}

impl<'a> Archive<'a> {
    /// Parses the archive's header and index.
    /// `thin` holds a thin archive's member files ([`thin_members`]).
    pub fn parse(path: &'a str, data: &'a [u8], thin: &'a [(Vec<u8>, MappedFile)]) -> Result<Self> {
        let file = ArchiveFile::parse(data)
            .map_err(|e| Error::file(path, format_args!("malformed archive: {e}")))?;
        let thin = thin
            .iter()
            .map(|(n, f)| (n.as_slice(), f.bytes()))
            .collect();
        Ok(Archive {
            path,
            data,
            file,
            thin,
        })
    }

    /// A member's bytes: in the archive, or for a thin archive in the file it names.
    fn data_of(&self, m: &object::read::archive::ArchiveMember<'a>) -> Result<&'a [u8]> {
        if self.file.is_thin() {
            return self
                .thin
                .iter()
                .find(|(n, _)| *n == m.name())
                .map(|&(_, d)| d)
                .ok_or_else(|| Error::file(self.path, "thin archive member not found"));
        }
        m.data(self.data)
            .map_err(|e| Error::file(self.path, format_args!("malformed archive: {e}")))
    }

    /// What the archive offers for extraction: (symbol name, member offset), each wasm
    /// member's defined global symbols in member order. As wasm-ld-22, weld reads the members
    /// themselves and not the archive's symbol index, which may be stale or wrong
    /// (spec/inputs.md); members that are not wasm objects offer nothing. The members are
    /// scanned in parallel, the order kept.
    pub fn symbols(&self) -> Result<Vec<(&'a str, u64)>> {
        use rayon::prelude::*;
        let mut members = Vec::new();
        for m in self.file.members() {
            let m =
                m.map_err(|e| Error::file(self.path, format_args!("malformed archive: {e}")))?;
            let Some(header) = m.header() else {
                continue;
            };
            // The header lies in the archive's bytes: its address gives its offset.
            let offset = (header as *const _ as usize).wrapping_sub(self.data.as_ptr() as usize);
            let data = self.data_of(&m)?;
            if crate::read::is_wasm(data) {
                members.push((offset as u64, m.name(), data));
            }
        }
        let names: Vec<Vec<&'a str>> = members
            .par_iter()
            .map(|&(_, name, data)| crate::read::defined_names(&self.member_name(name), data))
            .collect::<Result<_>>()?;
        Ok(members
            .iter()
            .zip(names)
            .flat_map(|(&(offset, _, _), names)| names.into_iter().map(move |n| (n, offset)))
            .collect())
    }

    /// Every member, in archive order (for `--whole-archive`).
    pub fn members(&self) -> Result<Vec<(String, &'a [u8])>> {
        let mut out = Vec::new();
        for m in self.file.members() {
            let m =
                m.map_err(|e| Error::file(self.path, format_args!("malformed archive: {e}")))?;
            let data = self.data_of(&m)?;
            out.push((self.member_name(m.name()), data));
        }
        Ok(out)
    }

    /// The name (`archive(member)`) and bytes of the member whose header is at `offset`.
    pub fn member(&self, offset: u64) -> Result<(String, &'a [u8])> {
        let bad = |e: object::read::Error| {
            Error::file(
                self.path,
                format_args!("malformed archive member at {offset:#x}: {e}"),
            )
        };
        let m = self
            .file
            .member(object::read::archive::ArchiveOffset(offset))
            .map_err(bad)?;
        Ok((self.member_name(m.name()), self.data_of(&m)?))
    }

    fn member_name(&self, name: &[u8]) -> String {
        format!("{}({})", self.path, String::from_utf8_lossy(name))
    }
}

/// A stub library, as wasm-ld reads it: a text file whose first line is `#STUB`, then one line
/// per symbol that a dynamic library provides at run time, `NAME` or `NAME: DEP, DEP...`,
/// naming the symbols of this module that the library needs. Lines starting with `#` are
/// comments.
#[derive(Debug, Clone)]
pub struct StubLibrary<'a> {
    /// The file's path, as given.
    pub path: &'a str,
    /// Each symbol with its dependencies, in order of first appearance; a symbol listed
    /// again takes the later line's dependencies (wasm-ld).
    pub entries: Vec<(&'a str, Vec<&'a str>)>,
}

impl<'a> StubLibrary<'a> {
    /// Parses a stub library's text.
    pub fn parse(path: &'a str, bytes: &'a [u8]) -> Result<Self> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| Error::file(path, format_args!("stub library is not UTF-8: {e}")))?;
        let mut entries: Vec<(&'a str, Vec<&'a str>)> = Vec::new();
        for line in text.split('\n') {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let (name, rest) = line.split_once(':').unwrap_or((line, ""));
            let name = name.trim_matches(' ');
            let mut rest = rest.trim_matches(' ');
            let mut deps = Vec::new();
            // As wasm-ld splits it: an empty dependency between two commas is kept.
            while !rest.is_empty() {
                let (dep, tail) = rest.split_once(',').unwrap_or((rest, ""));
                deps.push(dep.trim_matches(' '));
                rest = tail;
            }
            match entries.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 = deps,
                None => entries.push((name, deps)),
            }
        }
        Ok(StubLibrary { path, entries })
    }
}

/// A shared library given as an input (a wasm module with a `dylink.0` section): the names it
/// exports, which the module being linked may import from it at load time.
#[derive(Debug, Clone)]
pub struct SharedLibrary<'a> {
    /// The file's path, as given.
    pub path: &'a str,
    /// Its file name, which a module that needs it records (wasm-ld: not its soname).
    pub needed_name: String,
    /// The functions and globals it exports.
    pub exports: Vec<&'a str>,
}

impl<'a> SharedLibrary<'a> {
    /// Reads a wasm module as a shared library; `None` when it has no `dylink.0` section.
    pub fn parse(path: &'a str, bytes: &'a [u8]) -> Result<Option<Self>> {
        // `dylink.0` must be the first section (DynamicLinking.md): anything else is an object
        // (or not a library), found without reading further.
        let mut payloads = wasmparser::Parser::new(0).parse_all(bytes);
        let _version = payloads.next();
        match payloads.next() {
            Some(Ok(wasmparser::Payload::CustomSection(c))) if c.name() == "dylink.0" => {}
            _ => return Ok(None),
        }
        let mut exports = Vec::new();
        for payload in payloads {
            let payload = payload.map_err(|e| Error::file(path, e))?;
            if let wasmparser::Payload::ExportSection(reader) = payload {
                for e in reader {
                    let e = e.map_err(|e| Error::file(path, e))?;
                    exports.push(e.name);
                }
            }
        }
        let needed_name = Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string());
        Ok(Some(SharedLibrary {
            path,
            needed_name,
            exports,
        }))
    }
}
