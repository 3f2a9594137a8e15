use weld_gen::run::{CheckOptions, check_program};

#[test]
fn scratch() {
    let n: u64 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let start: u64 = std::env::var("START")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut fails = 0;
    for seed in start..start + n {
        let mut x = seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
        let len = 200 + (seed % 8) as usize * 400;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let p = weld_gen::generate::program_from_bytes(&bytes);
        let opts = CheckOptions {
            wasm_ld: true,
            determinism: false,
            permute: false,
        };
        if let Err(f) = check_program(&p, &opts) {
            fails += 1;
            let dir = format!("/tmp/gen-fail/{seed}");
            std::fs::create_dir_all(&dir).unwrap();
            for (name, b) in weld_gen::encode::encode(&p).files {
                std::fs::write(format!("{dir}/{name}"), b).unwrap();
            }
            std::fs::write(
                format!("{dir}/args"),
                weld_gen::run::link_args(&p, std::path::Path::new(&dir), false).join(" "),
            )
            .unwrap();
            std::fs::write(format!("{dir}/program.txt"), format!("{p:#?}")).unwrap();
            if std::env::var("REDUCE").is_ok() {
                let kind = f.kind;
                let m = weld_gen::reduce::reduce(
                    &p,
                    |q| matches!(check_program(q, &opts), Err(g) if g.kind == kind),
                );
                std::fs::write(
                    format!("{dir}/min.txt"),
                    format!(
                        "{m:#?}\n{}",
                        check_program(&m, &opts)
                            .err()
                            .map(|e| e.to_string())
                            .unwrap_or_default()
                    ),
                )
                .unwrap();
                let mdir = format!("{dir}/min");
                std::fs::create_dir_all(&mdir).unwrap();
                for (name, b) in weld_gen::encode::encode(&m).files {
                    std::fs::write(format!("{mdir}/{name}"), b).unwrap();
                }
                std::fs::write(
                    format!("{mdir}/args"),
                    weld_gen::run::link_args(&m, std::path::Path::new(&mdir), false).join(" "),
                )
                .unwrap();
            }
            if fails <= 1 {
                eprintln!("seed {seed}: {f}");
            } else {
                eprintln!(
                    "seed {seed}: {:?} {}",
                    f.kind,
                    f.message.lines().next().unwrap_or("")
                );
            }
        }
    }
    assert_eq!(fails, 0);
}
