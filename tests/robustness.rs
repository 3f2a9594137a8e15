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

#[test]
fn mutated_objects_never_panic_or_produce_invalid_modules() {
    let s = Scratch::new();
    let obj = s.compile("prog", PROGRAM, &["-g"]);
    let original = std::fs::read(&obj).unwrap();
    let mutated = s.path("mutated.o");
    let out = s.path("out.wasm");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut failed, mut linked) = (0, 0);
    for case in 0..300 {
        let mut bytes = original.clone();
        match case % 4 {
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
        let args = command_link_args(&[&mutated], &out);
        let Command::Link(config) = cli::parse(&args).unwrap() else {
            unreachable!()
        };
        let result = catch_unwind(AssertUnwindSafe(|| weld::link_to_bytes(&config)));
        match result {
            Err(_) => panic!("weld panicked on mutation {case}"),
            Ok(Err(e)) => {
                failed += 1;
                let msg = e.to_string();
                assert!(!msg.is_empty(), "mutation {case}: empty error");
            }
            Ok(Ok((module, _))) => {
                linked += 1;
                let mut v =
                    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
                if let Err(e) = v.validate_all(&module) {
                    panic!("mutation {case}: weld wrote an invalid module: {e}");
                }
            }
        }
    }
    eprintln!("mutations: {linked} linked (valid), {failed} rejected with an error, 0 panics");
    assert_eq!(linked + failed, 300);
    // Most mutations hit bytes that matter; if none fail, the mutator is broken.
    assert!(failed > 30, "only {failed} mutations were rejected");
}
