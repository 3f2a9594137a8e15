//! Every object the encoder writes (with every feature, `GenConfig::ALL`) is a valid wasm
//! module that LLVM's and wabt's object dumpers read as a relocatable object.

use std::process::Command;

use arbitrary::Unstructured;
use wasmparser::{Validator, WasmFeatures};
use weld_gen::encode::{ARCHIVE_NAME, encode};
use weld_gen::generate::{GenConfig, generate_with};

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn objects_are_valid_relocatable_modules() {
    let objdump = tool("llvm-objdump-22");
    let wabt = tool("wasm-objdump");
    let dir = tempfile::tempdir().unwrap();
    let features = WasmFeatures::default() | WasmFeatures::EXCEPTIONS;
    for seed in 0..48u64 {
        let bytes: Vec<u8> = (0..1500u64)
            .map(|i| {
                (seed.wrapping_mul(0x9e37_79b9) ^ i.wrapping_mul(0x85eb_ca6b)).to_le_bytes()[2]
            })
            .collect();
        let p = generate_with(&mut Unstructured::new(&bytes), GenConfig::ALL);
        for (name, b) in encode(&p).files {
            if name == ARCHIVE_NAME {
                assert!(b.starts_with(b"!<arch>\n"));
                continue;
            }
            Validator::new_with_features(features)
                .validate_all(&b)
                .unwrap_or_else(|e| panic!("seed {seed}: {name} is not a valid module: {e}"));
            let path = dir.path().join(format!("{seed}-{name}"));
            std::fs::write(&path, &b).unwrap();
            if objdump {
                let o = Command::new("llvm-objdump-22")
                    .arg("-r")
                    .arg("-t")
                    .arg(&path)
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&o.stderr);
                assert!(
                    o.status.success() && err.is_empty(),
                    "seed {seed}: llvm-objdump-22 -r -t {name}: {err}"
                );
            }
            // wabt rejects 64-bit tables ("tables may not be 64-bit"), which wasm64 objects
            // import; llvm-objdump above reads those.
            if wabt && !p.wasm64 {
                // wabt warns about the 64-bit relocation types and ABSOLUTE, which it does
                // not know, but must read the object.
                let o = Command::new("wasm-objdump")
                    .arg("-x")
                    .arg(&path)
                    .output()
                    .unwrap();
                assert!(
                    o.status.success(),
                    "seed {seed}: wasm-objdump -x {name}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
    }
}
