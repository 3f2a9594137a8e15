//! Coverage of the default property-test run: every in-scope spec entry (relocation types,
//! symbol kinds and flags, `linking` subsections, segment flags) and every link situation the
//! oracle knows must be produced by at least one of the programs the property test checks.

use std::sync::Mutex;

use proptest::test_runner::TestRunner;
use weld_gen::coverage::Coverage;

#[test]
fn default_run_covers_every_in_scope_entry() {
    // Same strategy, seed and case count as tests/properties.rs.
    let mut runner = TestRunner::new(weld_gen::proptest_config());
    let cov = Mutex::new(Coverage::default());
    runner
        .run(&weld_gen::program(), |p| {
            cov.lock().unwrap().add(&p);
            Ok(())
        })
        .unwrap();
    let cov = cov.into_inner().unwrap();
    println!("{}", cov.render());
    let missing = cov.missing();
    assert!(
        missing.is_empty(),
        "never produced by the default run:\n  {}",
        missing.join("\n  ")
    );
}
