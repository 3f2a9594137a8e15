//! As `link_model`, and wasm-ld-22 links the same objects: both must succeed and both outputs
//! must behave as the model predicts (slower: a process per link; for campaigns).
#![no_main]

use libfuzzer_sys::fuzz_target;
use weld_gen::run::{CheckOptions, check_program};

fuzz_target!(|data: &[u8]| {
    let program = weld_gen::generate::program_from_bytes(data);
    let opts = CheckOptions {
        wasm_ld: true,
        ..CheckOptions::default()
    };
    if let Err(f) = check_program(&program, &opts) {
        panic!("{f}\n{program:#?}");
    }
});
