//! Writes the generated-program corpus that weld's own `tests/corpus.rs` links (so that weld's
//! test suite, which `cargo xtask mutants` runs, reaches what the generator reaches without
//! depending on this crate): `tests/fixtures/generated/NN/` holds a program's objects and
//! archive and `args.txt`, its link arguments with `{dir}` for the directory.
//!
//! Only programs that weld and wasm-ld-22 both link as the oracle predicts are written.
//! Regenerate after changing the generator:
//! `cargo test -p weld-gen --test fixtures -- --ignored`.

use std::path::Path;

use arbitrary::Unstructured;
use weld_gen::generate::{GenConfig, generate_with};
use weld_gen::run::{CheckOptions, check_program, link_args};

const COUNT: usize = 48;

#[test]
#[ignore = "writes tests/fixtures/generated; run to regenerate"]
fn write_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/generated");
    let _ = std::fs::remove_dir_all(&root);
    let opts = CheckOptions {
        wasm_ld: true,
        determinism: false,
        permute: false,
        relocatable: false,
    };
    let mut written = 0;
    let mut seed = 0u64;
    while written < COUNT {
        seed += 1;
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let len = 300 + (seed % 6) as usize * 500;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let p = generate_with(&mut Unstructured::new(&bytes), GenConfig::default());
        if check_program(&p, &opts).is_err() {
            continue;
        }
        let dir = root.join(format!("{written:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, b) in weld_gen::encode::encode(&p).files {
            std::fs::write(dir.join(name), b).unwrap();
        }
        let args = link_args(&p, Path::new("{dir}"), false).join("\n");
        std::fs::write(dir.join("args.txt"), args + "\n").unwrap();
        written += 1;
    }
}
