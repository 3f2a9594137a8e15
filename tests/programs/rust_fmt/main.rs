// std I/O and formatting: integers of every width, floats, i128, padding, Debug and Display.
use std::fmt::Write as _;
use std::io::Write as _;

fn main() {
    let ints: [i64; 5] = [0, -1, i64::MIN, i64::MAX, 1234567890123];
    for i in ints {
        println!("{i} {i:>24} {i:#x} {i:#b} {i:e}");
    }
    let wide: [i128; 3] = [i128::MIN, -170141183460469231731687303715884105, i128::MAX];
    for w in wide {
        println!("{w} {:#034x}", w as u128);
    }
    println!("{} {}", u128::MAX, u128::MAX / 3);
    let floats = [0.0f64, -0.0, 1.5, 1e-310, 6.02214076e23, f64::MAX, f64::NAN, f64::INFINITY];
    for f in floats {
        println!("{f} {f:?} {f:.3} {f:e} {:?}", f as f32);
    }
    let mut s = String::new();
    for (i, c) in "héllo, wörld ✓".char_indices() {
        write!(s, "[{i}:{c}:{:04x}]", c as u32).unwrap();
    }
    println!("{s}");
    println!("{:?} {:#?}", (1u8, 'x', "q\"uote"), Some([1, 2]));
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    writeln!(lock, "{:-^30}", " centred ").unwrap();
    eprintln!("to stderr: {:08.3}", std::f64::consts::PI);
}
