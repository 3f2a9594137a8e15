//! Inputs that once failed (fuzz targets' crashes, campaign failures), kept as the bytes the
//! generator read: each must now pass every check. `regressions/NAME.bin` holds one; the name
//! says what it found.

use weld_gen::run::{CheckOptions, check_program};

#[test]
fn saved_inputs_pass() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/regressions");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("regressions/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let mut failures = Vec::new();
    for path in &paths {
        let bytes = std::fs::read(path).expect("readable");
        let program = weld_gen::generate::program_from_bytes(&bytes);
        if let Err(f) = check_program(&program, &CheckOptions::default()) {
            failures.push(format!("{}: {f}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
