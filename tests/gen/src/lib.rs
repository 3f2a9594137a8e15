//! weld-gen: a generator of valid relocatable wasm objects, with an oracle that predicts what a
//! correct link of them does, for weld's property tests and fuzz targets.
//!
//! - [`model`]: the program model (objects, archive members, symbols, code, data, custom sections).
//! - [`generate`]: valid programs from bytes ([`generate::generate`] from an
//!   [`arbitrary::Unstructured`], `Program: Arbitrary`, and the proptest strategy [`program`]).
//! - [`encode`]: objects (`wasm-encoder` plus hand-written `linking`/`reloc.*`) and `lib.a`.
//! - [`oracle`]: resolution, gc, constructor order and check values, predicted without linking.
//! - [`run`]: link with weld in-process (and wasm-ld-22), validate, run in wasmtime, compare
//!   ([`run::check_program`]).
//! - [`loader`]: a dynamic loader (DynamicLinking.md) for `-pie` main modules and their
//!   shared libraries.
//! - [`coverage`]: which spec entries (relocation types, symbol kinds and flags, …) and link
//!   situations a set of programs exercises.
//!
//! For a fuzz target:
//!
//! ```no_run
//! let bytes: &[u8] = &[1, 2, 3];
//! let program = weld_gen::generate::program_from_bytes(bytes);
//! let opts = weld_gen::run::CheckOptions { wasm_ld: false, determinism: false, permute: false, relocatable: false };
//! if let Err(f) = weld_gen::run::check_program(&program, &opts) {
//!     panic!("{f}\n{program:#?}");
//! }
//! ```
//!
//! Thread-local data (`.tdata`/`.tbss` segments with the TLS flag, TLS symbols, read through
//! `__tls_base` with `R_WASM_MEMORY_ADDR_TLS_SLEB[64]`), `--shared-memory` links, the `REL`
//! relocations of PIC code (through `__memory_base`/`__table_base`, resolved statically) and
//! wasm64 programs (`-m wasm64`) are generated; every relocation type is. Entries still out of
//! scope are listed in [`coverage::EXCLUDED`]. Tags are linked and checked structurally in a second link
//! but never executed: wasmtime 48 runs exceptions only with its `gc` feature, which the
//! workspace's shared wasmtime dependency does not enable.

#![deny(missing_docs)]

pub mod coverage;
pub mod encode;
pub mod generate;
pub mod loader;
pub mod model;
pub mod oracle;
pub mod reduce;
pub mod run;

pub use model::Program;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};

/// The proptest strategy: programs from random byte strings (shrinking shortens the bytes,
/// which gives smaller programs), with [`generate::GenConfig::default`].
pub fn program() -> impl Strategy<Value = Program> {
    program_with(generate::GenConfig::default())
}

/// The proptest strategy with the features `cfg` allows.
pub fn program_with(cfg: generate::GenConfig) -> impl Strategy<Value = Program> {
    proptest::collection::vec(any::<u8>(), 0..4096).prop_map(move |bytes| {
        generate::generate_with(&mut arbitrary::Unstructured::new(&bytes), cfg)
    })
}

/// Default number of cases of the property test (`WELD_GEN_CASES` overrides it).
pub const DEFAULT_CASES: u32 = 256;

/// Default seed (`WELD_GEN_SEED` overrides it), so that the coverage test sees the same
/// programs as the property test.
pub const DEFAULT_SEED: u64 = 0x5eed_3e1d;

/// The proptest configuration shared by the property and coverage tests.
pub fn proptest_config() -> Config {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("WELD_GEN_CASES").map_or(DEFAULT_CASES, |c| c as u32),
        rng_seed: RngSeed::Fixed(env("WELD_GEN_SEED").unwrap_or(DEFAULT_SEED)),
        // Shrunk failures are saved here and replayed first by every run.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/properties.txt"
        )))),
        // Failures are shrunk, but a long shrink of a slow case is not useful.
        max_shrink_iters: 256,
        ..Config::default()
    }
}
