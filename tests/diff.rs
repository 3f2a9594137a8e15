//! `weld diff`: pairs of modules built with wasm-encoder that differ in one known way; each
//! difference must be reported, in the words spec/diff.md gives, and nothing else. Index
//! renumbering alone is no difference.

use std::borrow::Cow;

use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, ElementSection, Elements, EntityType,
    ExportKind, ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    Instruction, MemorySection, MemoryType, Module, NameMap, NameSection, RefType, TableSection,
    TableType, TypeSection, ValType,
};

/// What a test module holds; each test changes one thing.
#[derive(Clone)]
struct Spec {
    /// The imported function's `(module, field)`; it is named `ext`.
    import: (&'static str, &'static str),
    /// Defined functions in index order: `(name, returned constant)`, then `main`.
    functions: Vec<(&'static str, i32)>,
    /// The function `main` calls.
    callee: &'static str,
    /// Functions in table slots 1.. (slot 0 stays empty).
    slots: Vec<&'static str>,
    /// `g`'s initial value.
    global: i32,
    /// Data segments: `(name, address, bytes)`.
    data: Vec<(&'static str, i32, Vec<u8>)>,
    /// Exports besides `main` and `memory`: `(name, function)`.
    exports: Vec<(&'static str, &'static str)>,
    /// A custom section `weld.test`.
    custom: Vec<u8>,
}

fn base() -> Spec {
    Spec {
        import: ("env", "ext"),
        functions: vec![("bar", 1), ("baz", 2)],
        callee: "bar",
        slots: vec!["bar", "baz"],
        global: 1,
        data: vec![
            (".rodata", 1024, b"hello world\0".to_vec()),
            (".data", 2048, vec![1, 2, 3, 4, 5, 6, 7, 8]),
        ],
        exports: Vec::new(),
        custom: b"clang".to_vec(),
    }
}

fn build(s: &Spec) -> Vec<u8> {
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]);
    m.section(&types);
    let mut imports = ImportSection::new();
    imports.import(s.import.0, s.import.1, EntityType::Function(0));
    m.section(&imports);
    // Function indices: the import is 0, then the defined ones, then `main`.
    let mut names: Vec<&str> = vec!["ext"];
    names.extend(s.functions.iter().map(|f| f.0));
    names.push("main");
    let index = |n: &str| names.iter().position(|x| *x == n).unwrap() as u32;
    let mut funcs = FunctionSection::new();
    for _ in 0..=s.functions.len() {
        funcs.function(0);
    }
    m.section(&funcs);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        minimum: 1 + s.slots.len() as u64,
        maximum: None,
        table64: false,
        shared: false,
    });
    m.section(&tables);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    m.section(&memories);
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(s.global),
    );
    m.section(&globals);
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("main", ExportKind::Func, index("main"));
    for (name, f) in &s.exports {
        exports.export(name, ExportKind::Func, index(f));
    }
    m.section(&exports);
    let mut elems = ElementSection::new();
    let slots: Vec<u32> = s.slots.iter().map(|f| index(f)).collect();
    elems.active(
        Some(0),
        &ConstExpr::i32_const(1),
        Elements::Functions(Cow::Borrowed(&slots)),
    );
    m.section(&elems);
    let mut code = CodeSection::new();
    for (_, value) in &s.functions {
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(*value));
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut main = Function::new([]);
    main.instruction(&Instruction::Call(index(s.callee)));
    main.instruction(&Instruction::GlobalGet(0));
    main.instruction(&Instruction::I32Add);
    main.instruction(&Instruction::End);
    code.function(&main);
    m.section(&code);
    let mut data = DataSection::new();
    for (_, addr, bytes) in &s.data {
        data.active(0, &ConstExpr::i32_const(*addr), bytes.iter().copied());
    }
    m.section(&data);
    let mut name = NameSection::new();
    let mut fnames = NameMap::new();
    for (i, n) in names.iter().enumerate() {
        fnames.append(i as u32, n);
    }
    name.functions(&fnames);
    let one = |n: &str| {
        let mut map = NameMap::new();
        map.append(0, n);
        map
    };
    name.tables(&one("__indirect_function_table"));
    name.globals(&one("g"));
    let mut dnames = NameMap::new();
    for (i, (n, _, _)) in s.data.iter().enumerate() {
        dnames.append(i as u32, n);
    }
    name.data(&dnames);
    m.section(&name);
    m.section(&CustomSection {
        name: Cow::Borrowed("weld.test"),
        data: Cow::Borrowed(&s.custom),
    });
    m.finish()
}

/// The differences `weld::diff` finds between the base module and `change(base)`.
fn diff_after(change: impl FnOnce(&mut Spec)) -> Vec<String> {
    let a = base();
    let mut b = base();
    change(&mut b);
    let (x, y) = (build(&a), build(&b));
    wasmparser::validate(&x).expect("A validates");
    wasmparser::validate(&y).expect("B validates");
    weld::diff::diff(&x, &y).expect("both modules read")
}

#[test]
fn the_same_module_has_no_differences() {
    assert_eq!(diff_after(|_| {}), Vec::<String>::new());
}

#[test]
fn renumbered_functions_are_no_difference() {
    // `baz` before `bar`: every index changes, no meaning does.
    let d = diff_after(|s| s.functions.reverse());
    assert_eq!(d, Vec::<String>::new());
}

#[test]
fn a_changed_call_target_is_reported() {
    let d = diff_after(|s| s.callee = "baz");
    assert_eq!(
        d,
        ["function main: instruction 0: call target differs: bar vs baz"]
    );
}

#[test]
fn a_changed_constant_is_reported_with_its_function() {
    let d = diff_after(|s| s.functions[1].1 = 3);
    assert_eq!(
        d,
        ["function baz: instruction 0: I32Const { value: 2 } vs I32Const { value: 3 }"]
    );
}

#[test]
fn changed_bytes_are_reported_by_segment_and_offset() {
    let d = diff_after(|s| {
        s.data[0].2[4] = b'O';
        s.data[0].2[5] = b'_';
    });
    assert_eq!(d, ["segment .rodata: 2 bytes at offset 4 (address 1028)"]);
}

#[test]
fn bytes_in_one_module_only_are_reported() {
    let d = diff_after(|s| s.data[1].2.extend([9, 9, 9, 9]));
    assert_eq!(
        d,
        ["segment .data: 4 bytes at offset 8 (address 2056), only in B"]
    );
}

#[test]
fn a_moved_segment_is_reported_at_both_places() {
    let d = diff_after(|s| s.data[1].1 = 3072);
    assert_eq!(
        d,
        [
            "segment .data: 8 bytes at offset 0 (address 2048), only in A",
            "segment .data: 8 bytes at offset 0 (address 3072), only in B",
        ]
    );
}

#[test]
fn exports_are_compared_by_name_and_target() {
    assert_eq!(
        diff_after(|s| s.exports.push(("extra", "bar"))),
        ["export extra: only in B"]
    );
    let mut a = base();
    a.exports.push(("pick", "bar"));
    let mut b = base();
    b.exports.push(("pick", "baz"));
    let d = weld::diff::diff(&build(&a), &build(&b)).unwrap();
    assert_eq!(d, ["export pick: function bar vs function baz"]);
}

#[test]
fn a_global_initialiser_is_compared() {
    assert_eq!(
        diff_after(|s| s.global = 2),
        [
            "global g: I32 mutable=true = I32Const { value: 1 } vs I32 mutable=true = I32Const { value: 2 }"
        ]
    );
}

#[test]
fn table_contents_are_compared_slot_by_slot() {
    assert_eq!(
        diff_after(|s| s.slots.swap(0, 1)),
        [
            "table slot __indirect_function_table[1]: bar vs baz",
            "table slot __indirect_function_table[2]: baz vs bar",
        ]
    );
}

#[test]
fn an_import_under_another_name_is_reported() {
    assert_eq!(
        diff_after(|s| s.import = ("env", "ext2")),
        [
            "import env.ext: only in A",
            "import env.ext2: only in B",
            "function ext: imported from env.ext vs imported from env.ext2",
        ]
    );
}

#[test]
fn a_function_in_one_module_only_is_reported() {
    assert_eq!(
        diff_after(|s| s.functions.push(("extra", 9))),
        ["function extra: only in B"]
    );
}

#[test]
fn custom_sections_are_compared_by_contents() {
    assert_eq!(
        diff_after(|s| s.custom = b"clown".to_vec()),
        ["custom section weld.test: contents differ (5 and 5 bytes, first at offset 2)"]
    );
}

#[test]
fn the_command_reports_and_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.wasm"), dir.path().join("b.wasm"));
    std::fs::write(&a, build(&base())).unwrap();
    let mut changed = base();
    changed.callee = "baz";
    std::fs::write(&b, build(&changed)).unwrap();
    let weld = env!("CARGO_BIN_EXE_weld");
    let run = |x: &std::path::Path, y: &std::path::Path| {
        std::process::Command::new(weld)
            .arg("diff")
            .arg(x)
            .arg(y)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let same = run(&a, &a);
    assert_eq!(same.status.code(), Some(0));
    assert!(same.stdout.is_empty());
    let differ = run(&a, &b);
    assert_eq!(differ.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&differ.stdout),
        "function main: instruction 0: call target differs: bar vs baz\n"
    );
    let missing = run(&a, &dir.path().join("none.wasm"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("none.wasm"));
}
