#!/bin/bash
# ClusterFuzzLite / OSS-Fuzz build: the three cargo-fuzz targets, their seed corpora and
# options, and the bundled reference linker for `differential`.
set -eu
cd "$SRC/weld"

# The builder image's nightly needs nothing more; RUSTC_BOOTSTRAP lets a stable toolchain
# accept cargo-fuzz's -Z flags, so these commands also run on weld's own machines.
RUSTC_BOOTSTRAP=1 cargo fuzz build -O --debug-assertions

targets="parse link_model differential"
for t in $targets; do
  cp "fuzz/target/x86_64-unknown-linux-gnu/release/$t" "$OUT/"
done

# Seeds. parse: the objects and archives shipped in the repository (outputs of the generator,
# compiled by clang-22). The model targets read any bytes as a program; their seeds are the
# inputs kept as regression tests, and the same objects.
seeds=$(mktemp -d)
for f in tests/fixtures/generated/*/*.o tests/fixtures/generated/*/*.a; do
  # Every program directory has an o0.o: the directory makes the names unique.
  cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
done
rm -f "$OUT/parse_seed_corpus.zip"
(cd "$seeds" && zip -q "$OUT/parse_seed_corpus.zip" ./*)
cp tests/gen/regressions/*.bin "$seeds/"
for t in link_model differential; do
  rm -f "$OUT/${t}_seed_corpus.zip"
  (cd "$seeds" && zip -q "$OUT/${t}_seed_corpus.zip" ./*)
done
rm -rf "$seeds"

# libFuzzer options: the limits `cargo xtask fuzz` uses (a link of a generated program can
# take a few seconds under ASan; wasmtime reserves address space, not memory).
for t in $targets; do
  printf '[libfuzzer]\nrss_limit_mb = 4096\ntimeout = 30\n' > "$OUT/$t.options"
done

# The reference linker for `differential`, found next to the target's executable
# (weld_gen::run::wasm_ld_path). Without it `differential` runs link_model's checks.
if [ -d /opt/wasm-ld-22 ]; then
  rm -rf "$OUT/wasm-ld-22"
  cp -r /opt/wasm-ld-22 "$OUT/wasm-ld-22"
fi
