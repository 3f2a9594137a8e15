// A panic under panic=abort: the message goes to stderr, then the program aborts (a trap).
fn parse(s: &str) -> u32 {
    s.parse().unwrap_or_else(|e| panic!("cannot parse {s:?}: {e}"))
}

fn main() {
    println!("before: {}", parse("42"));
    let v = vec![1, 2, 3];
    let idx = v.len() + parse("1") as usize;
    if idx > 10 {
        return;
    }
    println!("about to fail");
    let n = parse("forty-two");
    println!("unreachable {n} {}", v[idx]);
}
