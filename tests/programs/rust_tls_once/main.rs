// thread_local! (const-initialised and lazily initialised), std::sync::Once and a static Mutex.
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

thread_local! {
    static COUNTER: Cell<u32> = Cell::new(10);
    static LOG: RefCell<Vec<String>> = RefCell::new(vec!["start".to_string()]);
}

static INIT: Once = Once::new();
static INITS: AtomicUsize = AtomicUsize::new(0);
static TABLE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn init() {
    INIT.call_once(|| {
        INITS.fetch_add(1, Ordering::SeqCst);
        TABLE.lock().unwrap().extend([2, 3, 5, 7]);
    });
}

fn main() {
    for i in 0..3 {
        init();
        COUNTER.with(|c| c.set(c.get() * 2 + i));
        LOG.with(|l| l.borrow_mut().push(format!("step{i}")));
    }
    println!("inits {}", INITS.load(Ordering::SeqCst));
    println!("counter {}", COUNTER.with(Cell::get));
    LOG.with(|l| println!("log {:?}", l.borrow()));
    let t = TABLE.lock().unwrap();
    println!("table {:?} sum {}", *t, t.iter().sum::<u32>());
}
