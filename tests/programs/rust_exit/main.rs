// process::exit with a code after output; buffered stdout must be flushed by hand first.
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args: {args:?}");
    let code = args.len() as i32 + 40;
    std::io::stdout().flush().unwrap();
    eprintln!("exiting with {code}");
    std::process::exit(code);
}
