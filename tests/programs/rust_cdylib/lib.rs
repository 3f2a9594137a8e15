// A wasm32-unknown-unknown cdylib: no WASI, only exports the harness calls.
use std::sync::atomic::{AtomicI32, Ordering};

static STATE: AtomicI32 = AtomicI32::new(5);

fn fib(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let t = a.wrapping_add(b);
        a = b;
        b = t;
    }
    a
}

#[no_mangle]
pub extern "C" fn bump() -> i32 {
    STATE.fetch_add(3, Ordering::SeqCst) + 3
}

#[no_mangle]
pub extern "C" fn fib90() -> i64 {
    fib(90) as i64
}

#[no_mangle]
pub extern "C" fn vec_sum() -> i32 {
    let v: Vec<i32> = (1..=100).map(|x| x * x % 17).collect();
    let s: String = v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    v.iter().sum::<i32>() + s.len() as i32
}

#[no_mangle]
pub extern "C" fn dyn_call() -> i32 {
    let ops: Vec<Box<dyn Fn(i32) -> i32>> = vec![Box::new(|x| x + 1), Box::new(|x| x * 7)];
    ops.iter().fold(STATE.load(Ordering::SeqCst), |acc, f| f(acc))
}
