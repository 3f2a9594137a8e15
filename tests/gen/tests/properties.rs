//! Property test: for generated programs, weld's output validates, runs as the oracle predicts
//! (check functions, structure), agrees with wasm-ld-22 where it is installed, is
//! byte-identical when linked again with 1 or 4 threads, and reordering the command-line
//! objects gives the oracle's results for that order (the same results when the program does
//! not depend on the order).
//!
//! `WELD_GEN_CASES=N` runs more cases (`WELD_GEN_SEED` picks another seed); shrunk failures
//! are kept in `proptest-regressions/properties.txt` and replayed first.

use proptest::test_runner::{TestCaseError, TestRunner};
use weld_gen::run::{CheckOptions, check_program, wasm_ld_available};

#[test]
fn generated_programs_link_as_the_oracle_predicts() {
    let mut config = weld_gen::proptest_config();
    config.source_file = Some(file!());
    let mut runner = TestRunner::new(config);
    let opts = CheckOptions {
        wasm_ld: wasm_ld_available(),
        ..CheckOptions::default()
    };
    if !opts.wasm_ld {
        eprintln!("wasm-ld-22 not found: checking weld against the oracle only");
    }
    let result = runner.run(&weld_gen::program(), |p| {
        check_program(&p, &opts).map_err(|f| TestCaseError::fail(f.to_string()))?;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
