//! Arbitrary bytes → a valid program model (weld-gen) → objects → link with weld → validate →
//! run in wasmtime → compare with what the model predicts. Any mismatch, weld error or panic
//! is a failure.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weld_gen::run::{CheckOptions, check_program};

fuzz_target!(|data: &[u8]| {
    let program = weld_gen::generate::program_from_bytes(data);
    let opts = CheckOptions {
        wasm_ld: false,
        determinism: false,
        permute: false,
        relocatable: true,
    };
    if let Err(f) = check_program(&program, &opts) {
        panic!("{f}\n{program:#?}");
    }
});
