//! Real C libraries for the `real_*` cases: their sources come from crates.io
//! crates pinned in `tests/real/Cargo.toml` (see tests/real/README.md),
//! extracted with `cargo vendor` into `target/vendor/<crate>-<version>/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, FileLock, run_captured};

const MANIFEST: &str = "tests/real/Cargo.toml";
const LOCKFILE: &str = "tests/real/Cargo.lock";
const VENDOR_DIR: &str = "target/vendor";

/// The root of a pinned crate's sources, vendoring them first if needed.
pub fn crate_root(name: &str) -> Result<PathBuf, String> {
    let root = util::repo_root();
    let version = locked_version(&root, name)?;
    let dir = root.join(VENDOR_DIR).join(format!("{name}-{version}"));
    if dir.is_dir() {
        return Ok(dir);
    }
    let _lock = FileLock::acquire(&root.join("target/vendor.lock"), "vendor")?;
    if !dir.is_dir() {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&root)
            .args(["vendor", "--manifest-path", MANIFEST])
            .args(["--versioned-dirs", "--locked", VENDOR_DIR]);
        println!("vendor: {}", util::show(&cmd));
        run_captured(&mut cmd)?;
    }
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "`cargo vendor` did not produce {} (is `{name}` a dependency in {MANIFEST}?)",
            dir.display()
        ))
    }
}

/// The version of `name` in `tests/real/Cargo.lock` (build metadata included,
/// as `cargo vendor --versioned-dirs` names its directories).
fn locked_version(root: &Path, name: &str) -> Result<String, String> {
    let path = root.join(LOCKFILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut current = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            current = None;
        } else if let Some(v) = toml_string(line, "name") {
            current = Some(v);
        } else if let Some(v) = toml_string(line, "version")
            && current.as_deref() == Some(name)
        {
            return Ok(v);
        }
    }
    Err(format!("crate `{name}` is not in {}", path.display()))
}

/// `key = "value"` → value.
fn toml_string(line: &str, key: &str) -> Option<String> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    Some(rest.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

/// Files under `root` matching `pattern`, a relative path whose components
/// may contain `*` (matching within one directory level), sorted.
pub fn glob(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let mut found = vec![root.to_path_buf()];
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for dir in &found {
            if !part.contains('*') {
                let p = dir.join(part);
                if (last && p.is_file()) || (!last && p.is_dir()) {
                    next.push(p);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let p = entry.path();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if wildcard(part, &name) && ((last && p.is_file()) || (!last && p.is_dir())) {
                    next.push(p);
                }
            }
        }
        found = next;
    }
    found.sort();
    if found.is_empty() {
        return Err(format!("`{pattern}` matches no file in {}", root.display()));
    }
    Ok(found)
}

/// Matches `name` against `pat`, where `*` stands for any run of characters.
fn wildcard(pat: &str, name: &str) -> bool {
    match pat.split_once('*') {
        None => pat == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| wildcard(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.c", "pool.c"));
        assert!(!wildcard("*.c", "pool.h"));
        assert!(wildcard("a*b*c", "aXXbYc"));
        assert!(!wildcard("a*b", "ba"));
        assert!(wildcard("sqlite3.c", "sqlite3.c"));
    }

    #[test]
    fn lock_versions() {
        assert_eq!(
            toml_string(r#"version = "2.1.3+zstd.1.5.7""#, "version").as_deref(),
            Some("2.1.3+zstd.1.5.7")
        );
        assert_eq!(toml_string(r#"name = "cc""#, "version"), None);
    }
}
