// Links against the rlib built from dep/.
use dep::Describe;

struct Point(i32, i32);

impl Describe for Point {
    fn describe(&self) -> String {
        format!("point ({}, {})", self.0, self.1)
    }
}

fn main() {
    println!("{:08x}", dep::checksum(b"hello world"));
    println!("{:08x}", dep::checksum(&[0u8; 300]));
    println!("{:?} {:?}", dep::largest(&[3, 9, 2]), dep::largest::<f32>(&[]));
    println!("{} / {}", 7u8.describe(), Point(-1, 4).describe());
    println!("calls {}", dep::CALLS.load(std::sync::atomic::Ordering::Relaxed));
}
