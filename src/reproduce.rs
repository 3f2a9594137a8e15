//! `--reproduce=FILE.tar`: everything needed to replay a link elsewhere, as lld packs it: the
//! command line (`response.txt`), the linker's version (`version.txt`) and every file read,
//! each under `STEM/` at its absolute path without the root.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};

/// Writes the archive `path` for this link, reading each of `files`.
pub fn write(path: &str, config: &Config, files: &[PathBuf]) -> Result<()> {
    let err = |e: &dyn std::fmt::Display| Error::msg(format!("--reproduce: {e}"));
    let stem = Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repro".to_string());
    let mut tar = tar::Builder::new(Vec::new());
    let version = format!(
        "weld {} (compatible with wasm-ld 22)\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        (
            format!("{stem}/response.txt"),
            config.response.clone().into_bytes(),
        ),
        (format!("{stem}/version.txt"), version.into_bytes()),
    ];
    for f in files {
        let name = format!(
            "{stem}/{}",
            crate::cli::relative_to_root(&f.display().to_string())
        );
        // A file read twice is stored once (lld's TarWriter does the same).
        if entries.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let bytes = std::fs::read(f)
            .map_err(|e| Error::file(&f.display().to_string(), format_args!("cannot read: {e}")))?;
        entries.push((name, bytes));
    }
    for (name, bytes) in entries {
        // lld's entries: a regular file, mode 0664, owner 0, time 0.
        let mut header = tar::Header::new_ustar();
        header.set_mode(0o664);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_size(bytes.len() as u64);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, &name, bytes.as_slice())
            .map_err(|e| err(&e))?;
    }
    let bytes = tar.into_inner().map_err(|e| err(&e))?;
    crate::write_atomically(Path::new(path), &bytes)
}
