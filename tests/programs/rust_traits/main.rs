// Trait objects, generics, closures, iterator adaptors and Box<dyn Fn>.
trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String {
        "shape".to_string()
    }
}

struct Circle(f64);
struct Rect {
    w: f64,
    h: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.0 * self.0
    }
    fn name(&self) -> String {
        format!("circle({})", self.0)
    }
}

impl Shape for Rect {
    fn area(&self) -> f64 {
        self.w * self.h
    }
}

fn total<S: Shape + ?Sized>(shapes: &[Box<S>]) -> f64 {
    shapes.iter().map(|s| s.area()).sum()
}

fn make_adder(n: i32) -> Box<dyn Fn(i32) -> i32> {
    Box::new(move |x| x + n)
}

fn compose<A, B, C>(f: impl Fn(A) -> B, g: impl Fn(B) -> C) -> impl Fn(A) -> C {
    move |x| g(f(x))
}

fn main() {
    let shapes: Vec<Box<dyn Shape>> = vec![
        Box::new(Circle(1.5)),
        Box::new(Rect { w: 2.0, h: 4.5 }),
        Box::new(Circle(0.5)),
    ];
    for s in &shapes {
        println!("{} has area {:.2}", s.name(), s.area());
    }
    println!("total {:.3}", total(&shapes));

    let adders: Vec<Box<dyn Fn(i32) -> i32>> = (1..=4).map(make_adder).collect();
    println!("{:?}", adders.iter().map(|f| f(10)).collect::<Vec<_>>());
    let h = compose(|x: i32| x * 3, |y: i32| format!("<{y}>"));
    println!("{}", h(14));

    let mut counter = 0;
    let mut bump = |by: i32| {
        counter += by;
        counter
    };
    bump(2);
    bump(5);
    println!("counter {counter}");

    let words = ["alpha", "beta", "gamma", "delta"];
    let joined: String = words
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .flat_map(|(_, w)| w.chars().rev())
        .collect();
    println!("{joined}");
    let fns: [fn(u32) -> u32; 3] = [u32::count_ones, u32::leading_zeros, u32::trailing_zeros];
    for f in fns {
        print!("{} ", f(0b1011_0000));
    }
    println!();
}
