//! As `link_model`, and wasm-ld-22 links the same objects: both must succeed and both outputs
//! must behave as the model predicts (slower: a process per link; for campaigns).
//!
//! wasm-ld-22 is found by `weld_gen::run::wasm_ld_path` (`$WELD_WASM_LD`, a bundle next to
//! this executable, or the `PATH`). Without one the target still runs `link_model`'s checks,
//! and says so once at start-up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weld_gen::run::{CheckOptions, check_program, wasm_ld_path};

fuzz_target!(
    init: {
        match wasm_ld_path() {
            Some(p) => eprintln!("differential: reference linker {}", p.display()),
            None => eprintln!(
                "differential: WARNING: no wasm-ld-22 found ($WELD_WASM_LD, {}/ next to this \
                 executable, or the PATH); checking weld alone, as link_model does",
                weld_gen::run::WASM_LD_BUNDLE
            ),
        }
    },
    |data: &[u8]| {
        let program = weld_gen::generate::program_from_bytes(data);
        let opts = CheckOptions {
            wasm_ld: true,
            ..CheckOptions::default()
        };
        if let Err(f) = check_program(&program, &opts) {
            panic!("{f}\n{program:#?}");
        }
    }
);
