//! Exploration campaign (ignored by default): generates programs from a simple PRNG, checks
//! each, and for failures writes the inputs, the link arguments and a reduced program to
//! `/tmp/weld-gen-fail/SEED/` (`min/` holds the reduced program's files).
//!
//! `N=1000 START=0 WELD_GEN_ALL=1 cargo test -p weld-gen --test explore -- --ignored`
//! (`WELD_GEN_ALL` also generates what `GenConfig::default` leaves out for known bugs;
//! `REDUCE=1` shrinks failures).

use std::path::Path;

use arbitrary::Unstructured;
use weld_gen::generate::{GenConfig, generate_with};
use weld_gen::run::{CheckOptions, check_program, link_args};

fn env(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn save(dir: &str, p: &weld_gen::Program) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, b) in weld_gen::encode::encode(p).files {
        std::fs::write(format!("{dir}/{name}"), b).unwrap();
    }
    let args = link_args(p, Path::new(dir), false).join(" ");
    std::fs::write(format!("{dir}/args"), args).unwrap();
    std::fs::write(format!("{dir}/program.txt"), format!("{p:#?}")).unwrap();
}

#[test]
#[ignore = "exploration campaign; run explicitly"]
fn explore() {
    let (n, start) = (env("N", 200), env("START", 0));
    let cfg = if std::env::var("WELD_GEN_ALL").is_ok() {
        GenConfig::ALL
    } else {
        GenConfig::default()
    };
    let opts = CheckOptions::default();
    let mut fails = 0;
    for seed in start..start + n {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let len = 200 + (seed % 8) as usize * 400;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let p = generate_with(&mut Unstructured::new(&bytes), cfg);
        let Err(f) = check_program(&p, &opts) else {
            continue;
        };
        fails += 1;
        let dir = format!("/tmp/weld-gen-fail/{seed}");
        save(&dir, &p);
        eprintln!("seed {seed}: {f}");
        if std::env::var("REDUCE").is_ok() {
            let kind = f.kind;
            let m = weld_gen::reduce::reduce(
                &p,
                |q| matches!(check_program(q, &opts), Err(g) if g.kind == kind),
            );
            save(&format!("{dir}/min"), &m);
        }
    }
    assert_eq!(fails, 0, "{fails} failures; see /tmp/weld-gen-fail");
}
