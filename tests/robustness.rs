//! Bad input never panics and never yields an invalid module: real objects, mutated
//! deterministically (byte changes, truncation, insertion), are linked in-process. Each link must
//! either fail with an error naming the mutated file, or succeed with a module that validates.

mod support;

use std::panic::{AssertUnwindSafe, catch_unwind};

use support::*;
use weld::cli::{self, Command};

/// A small deterministic generator (xorshift64*); the test must not depend on a seed source.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PROGRAM: &str = r#"
#include <stdio.h>
#include <string.h>
struct entry { const char *name; int (*fn)(int); int *slot; };
static int counter;
static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
int table_data[4] = {1, 2, 3, 4};
struct entry entries[] = { {"twice", twice, &table_data[1]}, {"square", square, &counter} };
__attribute__((constructor)) static void init(void) { counter = strlen(entries[0].name); }
__attribute__((weak)) int maybe(int);
int main(void) {
  int sum = 0;
  for (unsigned i = 0; i < sizeof entries / sizeof *entries; i++)
    sum += entries[i].fn(*entries[i].slot);
  if (maybe) sum += maybe(1);
  printf("%d %s\n", sum, entries[1].name);
  return 0;
}
"#;

const CXX_PROGRAM: &str = r#"
#include <stdio.h>
struct Base { virtual int f(int x) const { return x; } virtual ~Base() {} };
struct Twice : Base { int f(int x) const override { return 2 * x; } };
template <typename T> T add(T a, T b) { return a + b; }
inline int shared_counter() { static int n; return ++n; }
int use(const Base &b) { return add(b.f(3), shared_counter()); }
int main(void) { Twice t; printf("%d\n", use(t)); return 0; }
"#;

/// One input to mutate: the object's bytes and the extra link inputs that go with it.
struct Subject {
    name: &'static str,
    bytes: Vec<u8>,
    cxx: bool,
}

#[test]
fn mutated_objects_never_panic_or_produce_invalid_modules() {
    let s = Scratch::new();
    let mut subjects = vec![Subject {
        name: "c-program",
        bytes: std::fs::read(s.compile("prog", PROGRAM, &["-g"])).unwrap(),
        cxx: false,
    }];
    let cxx = s.compile_cxx("cxx", CXX_PROGRAM, &["-O1", "-g"]);
    subjects.push(Subject {
        name: "c++-program",
        bytes: std::fs::read(cxx).unwrap(),
        cxx: true,
    });
    // Real library members, linked ahead of libc so that the mutated copy is the one used.
    for member in ["vfprintf.o", "dlmalloc.o"] {
        subjects.push(Subject {
            name: member,
            bytes: s.extract_member(&format!("{SYSROOT_LIB}/libc.a"), member),
            cxx: false,
        });
    }
    let main = s.compile("main", "#include <stdio.h>\n#include <stdlib.h>\nint main(void) { char *p = malloc(8); printf(\"%p\\n\", (void *)0); free(p); return 0; }", &[]);
    let mutated = s.path("mutated.o");
    let out = s.path("out.wasm");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut failed, mut linked) = (0, 0);
    let (mut ld_crashed, mut ld_invalid) = (0, 0);
    for case in 0..300 {
        let subject = &subjects[case % subjects.len()];
        let mut bytes = subject.bytes.clone();
        match (case / subjects.len()) % 4 {
            0 | 1 => {
                for _ in 0..1 + rng.below(4) {
                    let at = 8 + rng.below(bytes.len() - 8);
                    bytes[at] = rng.next() as u8;
                }
            }
            2 => bytes.truncate(rng.below(bytes.len())),
            _ => {
                let at = rng.below(bytes.len());
                let n = 1 + rng.below(8);
                for _ in 0..n {
                    bytes.insert(at, rng.next() as u8);
                }
            }
        }
        std::fs::write(&mutated, &bytes).unwrap();
        let inputs: Vec<&std::path::Path> = if subject.name.ends_with(".o") {
            vec![&main, &mutated]
        } else {
            vec![&mutated]
        };
        let mut args = command_link_args(&inputs, &out);
        if subject.cxx {
            let at = args.iter().position(|a| a == "-lc").unwrap();
            args.splice(at..at, ["-lc++".to_string(), "-lc++abi".to_string()]);
        }
        let Command::Link(config) = cli::parse(&args).unwrap() else {
            unreachable!()
        };
        let result = catch_unwind(AssertUnwindSafe(|| weld::link_to_bytes(&config)));
        match result {
            Err(_) => panic!("weld panicked on mutation {case} of {}", subject.name),
            Ok(Err(e)) => {
                failed += 1;
                assert!(!e.to_string().is_empty(), "mutation {case}: empty error");
            }
            Ok(Ok((module, _))) => {
                linked += 1;
                let mut v =
                    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
                if let Err(e) = v.validate_all(&module) {
                    panic!(
                        "mutation {case} of {}: weld wrote an invalid module: {e}",
                        subject.name
                    );
                }
            }
        }
        // The reference linker on the same input, for the record only (it triples the test's
        // time, which mutation testing pays once per mutant): WELD_RECORD_WASM_LD=1.
        if std::env::var_os("WELD_RECORD_WASM_LD").is_none() {
            continue;
        }
        let _ = std::fs::remove_file(&out);
        let reference = wasm_ld(&args);
        if reference.status.code().is_none() || reference.status.code() == Some(134) {
            ld_crashed += 1;
        } else if reference.status.success() {
            let module = std::fs::read(&out).unwrap_or_default();
            let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
            if v.validate_all(&module).is_err() {
                ld_invalid += 1;
            }
        }
    }
    eprintln!(
        "mutations: weld: {linked} linked (all valid), {failed} rejected with an error, 0 panics"
    );
    if std::env::var_os("WELD_RECORD_WASM_LD").is_some() {
        eprintln!(
            "wasm-ld-22 on the same inputs: {ld_crashed} crashed or aborted, \
             {ld_invalid} invalid modules written"
        );
    }
    assert_eq!(linked + failed, 300);
    // Most mutations hit bytes that matter; if none fail, the mutator is broken.
    assert!(failed > 30, "only {failed} mutations were rejected");
}

#[test]
fn mutated_archives_never_panic() {
    let s = Scratch::new();
    let a = s.compile(
        "a",
        "int b_fn(void); int a_fn(void) { return b_fn() + 1; }",
        &[],
    );
    let b = s.compile("b", "int b_fn(void) { return 2; }", &[]);
    let main = s.compile(
        "main",
        "int a_fn(void); int main(void) { return a_fn() - 3; }",
        &[],
    );
    let archive = std::fs::read(s.archive("liblib.a", &[&a, &b])).unwrap();
    let mutated = s.path("mutated.a");
    let out = s.path("out.wasm");
    let mut rng = Rng(0xa4c1_11fe_0000_0002);
    let (mut failed, mut linked) = (0, 0);
    for case in 0..150 {
        let mut bytes = archive.clone();
        match case % 3 {
            0 => {
                for _ in 0..1 + rng.below(4) {
                    let at = 8 + rng.below(bytes.len() - 8);
                    bytes[at] = rng.next() as u8;
                }
            }
            1 => bytes.truncate(rng.below(bytes.len())),
            _ => {
                let at = rng.below(bytes.len());
                for _ in 0..1 + rng.below(8) {
                    bytes.insert(at, rng.next() as u8);
                }
            }
        }
        std::fs::write(&mutated, &bytes).unwrap();
        let args = command_link_args(&[&main, &mutated], &out);
        let Command::Link(config) = cli::parse(&args).unwrap() else {
            unreachable!()
        };
        match catch_unwind(AssertUnwindSafe(|| weld::link_to_bytes(&config))) {
            Err(_) => panic!("weld panicked on archive mutation {case}"),
            Ok(Err(_)) => failed += 1,
            Ok(Ok((module, _))) => {
                linked += 1;
                let mut v =
                    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
                assert!(
                    v.validate_all(&module).is_ok(),
                    "archive mutation {case}: invalid output"
                );
            }
        }
    }
    eprintln!("archive mutations: {linked} linked (all valid), {failed} rejected, 0 panics");
    assert!(failed > 30, "only {failed} archive mutations were rejected");
}
