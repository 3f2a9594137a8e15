//! `--cache-dir`: a relink of the same inputs reuses the stored output, any change of an input
//! or an output-affecting option misses, corrupt and truncated entries are ignored, and the
//! directory is trimmed to `--cache-size`. Expected outputs come from wasm-ld-22 (a cached
//! output must be byte-identical to wasm-ld's, as the uncached link is).

mod support;

use std::path::{Path, PathBuf};

use support::*;

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn args_with_cache(inputs: &[&Path], out: &Path, cache: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = command_link_args(inputs, out);
    a.push(format!("--cache-dir={}", cache.display()));
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn link_ok(args: &[String]) -> Vec<u8> {
    let o = weld(args);
    assert!(o.status.success(), "weld failed: {}", stderr(&o));
    let out = args
        .iter()
        .position(|a| a == "-o")
        .map(|i| &args[i + 1])
        .unwrap();
    std::fs::read(out).unwrap()
}

fn reference(s: &Scratch, inputs: &[&Path], name: &str, extra: &[&str]) -> Vec<u8> {
    let out = s.path(name);
    let mut a = command_link_args(inputs, &out);
    a.extend(extra.iter().map(|s| s.to_string()));
    let o = wasm_ld(&a);
    assert!(o.status.success(), "wasm-ld failed: {}", stderr(&o));
    std::fs::read(out).unwrap()
}

#[test]
fn cached_relinks_match_wasm_ld_and_follow_their_inputs() {
    let s = Scratch::new();
    let main = s.compile(
        "main",
        "#include <stdio.h>\nint f(void);\nint main(void) { printf(\"%d\\n\", f()); return 0; }",
        &[],
    );
    let f = s.compile("f", "int f(void) { return 41; }", &[]);
    let cache = s.path("cache");
    // The same output name for both linkers: nothing in the module depends on it, but keep
    // the comparison free of that question.
    std::fs::create_dir_all(s.path("r")).unwrap();
    std::fs::create_dir_all(s.path("w")).unwrap();
    let expected = reference(&s, &[&main, &f], "r/out.wasm", &[]);
    let out = s.path("w/out.wasm");
    let args = args_with_cache(&[&main, &f], &out, &cache, &[]);

    // A miss stores one entry; a hit gives the same bytes, also after the output is removed.
    assert_eq!(link_ok(&args), expected);
    assert_eq!(entries(&cache).len(), 1);
    std::fs::remove_file(&out).unwrap();
    assert_eq!(link_ok(&args), expected);
    assert_eq!(entries(&cache).len(), 1);

    // A changed input misses and gives the new input's output.
    let f2 = s.compile("f", "int f(void) { return 42; }", &[]);
    assert_eq!(f, f2);
    let expected2 = reference(&s, &[&main, &f], "r/out.wasm", &[]);
    assert_ne!(expected, expected2);
    assert_eq!(link_ok(&args), expected2);
    assert_eq!(entries(&cache).len(), 2);

    // An option that changes the output misses; `--threads` does not.
    let expected3 = reference(
        &s,
        &[&main, &f],
        "r/out.wasm",
        &["--strip-debug", "-z", "stack-size=65536"],
    );
    let a3 = args_with_cache(
        &[&main, &f],
        &out,
        &cache,
        &["--strip-debug", "-z", "stack-size=65536"],
    );
    assert_eq!(link_ok(&a3), expected3);
    assert_eq!(entries(&cache).len(), 3);
    let a4 = args_with_cache(&[&main, &f], &out, &cache, &["--threads=1"]);
    assert_eq!(link_ok(&a4), expected2);
    assert_eq!(entries(&cache).len(), 3);

    // A corrupt entry (one flipped byte of the module) and a truncated one are ignored: the
    // link runs again, gives the right output, and replaces the entry.
    for damage in 0..2 {
        for e in entries(&cache) {
            let mut d = std::fs::read(&e).unwrap();
            if damage == 0 {
                let n = d.len() - 3;
                d[n] ^= 0x40;
            } else {
                d.truncate(d.len() / 2);
            }
            std::fs::write(&e, d).unwrap();
        }
        assert_eq!(link_ok(&args), expected2, "damage {damage}");
        assert_eq!(link_ok(&a3), expected3, "damage {damage}");
    }

    // Links with side outputs are not cached.
    let before = entries(&cache);
    let map = s.path("w/out.map");
    let a5 = args_with_cache(
        &[&main],
        &out,
        &cache,
        &["--allow-undefined", &format!("-Map={}", map.display())],
    );
    link_ok(&a5);
    assert_eq!(entries(&cache), before);
}

#[test]
fn the_cache_is_trimmed_to_its_size_least_recently_used_first() {
    let s = Scratch::new();
    let main = s.compile("main", "int g(void);\nint main(void) { return g(); }", &[]);
    let cache = s.path("cache");
    let out = s.path("out.wasm");
    let mut sizes = Vec::new();
    let mut names = Vec::new();
    for k in 0..4 {
        let g = s.compile(
            &format!("g{k}"),
            &format!("int g(void) {{ return {k}; }}"),
            &[],
        );
        let args = args_with_cache(&[&main, &g], &out, &cache, &[]);
        link_ok(&args);
        let new: Vec<PathBuf> = entries(&cache)
            .into_iter()
            .filter(|e| !names.contains(e))
            .collect();
        assert_eq!(new.len(), 1);
        sizes.push(std::fs::metadata(&new[0]).unwrap().len());
        names.push(new[0].clone());
        // Distinct modification times, whatever the file system's resolution.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(entries(&cache).len(), 4);
    // Use the first entry again, so the second is now the least recently used.
    let g0 = s.path("g0.o");
    link_ok(&args_with_cache(&[&main, &g0], &out, &cache, &[]));
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Room for three entries: storing a fifth removes the two least recently used (1 and 2).
    let limit = sizes.iter().max().unwrap() * 3 + 10;
    let g4 = s.compile("g4", "int g(void) { return 4; }", &[]);
    let args = args_with_cache(
        &[&main, &g4],
        &out,
        &cache,
        &[&format!("--cache-size={limit}")],
    );
    link_ok(&args);
    let left = entries(&cache);
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(
        left.contains(&names[0]) && left.contains(&names[3]),
        "{left:?}"
    );
    assert!(
        !left.contains(&names[1]) && !left.contains(&names[2]),
        "{left:?}"
    );
}
