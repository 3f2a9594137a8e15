//! Arbitrary bytes as an object, an archive or a stub library: weld must return an error or succeed, never
//! panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weld::input::{Archive, FileKind, classify};
use weld::read::read_object;

fuzz_target!(|data: &[u8]| {
    match classify(data) {
        FileKind::Wasm => {
            let _ = read_object("fuzz.o", data);
        }
        FileKind::Archive => {
            if let Ok(archive) = Archive::parse("fuzz.a", data, &[]) {
                let _ = archive.symbols();
                if let Ok(members) = archive.members() {
                    for (name, bytes) in members {
                        let _ = read_object(&name, bytes);
                    }
                }
            }
        }
        FileKind::Stub => {
            let _ = weld::input::StubLibrary::parse("fuzz.so", data);
        }
        FileKind::Other => {}
    }
});
