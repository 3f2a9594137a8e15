//! Relocation types that C and C++ compilers rarely emit — `R_WASM_TAG_INDEX_LEB`,
//! `R_WASM_MEMORY_ADDR_LOCREL_I32`, `R_WASM_FUNCTION_INDEX_I32` in a custom section,
//! `R_WASM_GLOBAL_INDEX_LEB` — written in assembly (`tests/relocs_rare.s`), assembled with
//! llvm-mc-22 and linked by weld and by wasm-ld-22: the outputs must be byte-identical, and the
//! pointer-relative value must be the distance the spec says.

mod support;

use std::path::Path;

use support::*;

#[test]
fn rare_relocations_link_as_wasm_ld_links_them() {
    let s = Scratch::new();
    let obj = s.path("rare.o");
    assemble_file(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relocs_rare.s")),
        &obj,
        &["+exception-handling"],
    );
    std::fs::create_dir_all(s.path("w")).unwrap();
    std::fs::create_dir_all(s.path("r")).unwrap();
    let link = |dir: &str| -> Vec<String> {
        vec![
            "--export=thrower".into(),
            obj.display().to_string(),
            "-o".into(),
            s.path(dir).join("out.wasm").display().to_string(),
        ]
    };
    let reference = wasm_ld(&link("r"));
    assert!(reference.status.success(), "{}", stderr(&reference));
    let o = weld(&link("w"));
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read(s.path("r/out.wasm")).unwrap();
    let got = std::fs::read(s.path("w/out.wasm")).unwrap();
    assert!(got == expected, "not byte-identical to wasm-ld's output");

    // rel_ptr holds `target_data - rel_ptr`; both are 4-byte words laid out one after the other.
    let mut rel = None;
    for p in wasmparser::Parser::new(0).parse_all(&got) {
        if let wasmparser::Payload::DataSection(r) = p.unwrap() {
            let d = r.into_iter().next().unwrap().unwrap();
            rel = Some(i32::from_le_bytes(d.data[..4].try_into().unwrap()));
        }
    }
    assert_eq!(rel, Some(4));
}
