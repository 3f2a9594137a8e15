//! A cache of compiled test objects under `target/differential-cache/`.
//!
//! Compiling dominates the differential suite, and between two local runs
//! the sources rarely change, so objects are reused when the compiler binary,
//! the command line and every file of the case directory are unchanged.
//! (CI starts from a fresh clone and simply fills the cache.)

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::util;

pub fn dir() -> PathBuf {
    util::repo_root().join("target/differential-cache")
}

/// A 128-bit key for one compile: the compiler binary's identity, the
/// arguments except `-o <obj>`, and the contents of every file under
/// `case_dir` (headers included, whichever the source uses).
pub fn key(cmd: &Command, case_dir: &Path) -> Result<String, String> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let program = Path::new(cmd.get_program());
    let meta = std::fs::metadata(program)
        .map_err(|e| format!("cannot stat {}: {e}", program.display()))?;
    parts.push(
        format!(
            "{} {} {:?} {:?}",
            program.display(),
            meta.len(),
            meta.modified().ok(),
            cmd.get_current_dir()
        )
        .into(),
    );
    let args: Vec<_> = cmd.get_args().collect();
    let Some((_, [dash_o, _])) = args.split_last_chunk::<2>() else {
        return Err(format!("`{}` does not end in `-o <obj>`", util::show(cmd)));
    };
    if *dash_o != "-o" {
        return Err(format!("`{}` does not end in `-o <obj>`", util::show(cmd)));
    }
    let args = &args[..args.len() - 2];
    for a in args {
        parts.push(a.as_encoded_bytes().to_vec());
    }
    let mut files = Vec::new();
    collect_files(case_dir, &mut files)?;
    files.sort();
    for f in files {
        parts.push(f.to_string_lossy().as_bytes().to_vec());
        parts.push(std::fs::read(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?);
    }
    let mut out = String::new();
    for salt in [0u8, 1] {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        parts.hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    Ok(out)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Copies a cached object to `obj`; false if there is none.
pub fn fetch(key: &str, obj: &Path) -> bool {
    let cached = dir().join(format!("{key}.o"));
    cached.is_file() && std::fs::copy(&cached, obj).is_ok()
}

/// Stores a freshly compiled object (atomically, via a rename, since two
/// workers may compile the same thing).
pub fn store(key: &str, obj: &Path) {
    let dir = dir();
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    static SERIAL: AtomicUsize = AtomicUsize::new(0);
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!("{key}.{}-{serial}.tmp", std::process::id()));
    if std::fs::copy(obj, &tmp).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(format!("{key}.o")));
    }
}
