//! What a link is asked to do. The command line ([`crate::cli`]) fills a [`Config`]; the library
//! never looks at arguments itself.

use std::path::PathBuf;

/// One input, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Path of an object file or archive.
    pub path: PathBuf,
    /// `--whole-archive` was in force: every member of an archive is loaded.
    pub whole_archive: bool,
    /// Between `--start-lib` and `--end-lib`: the object is loaded only when it defines a
    /// symbol that is needed, as if it were an archive member.
    pub lazy: bool,
}

/// What to do with undefined symbols (`--unresolved-symbols=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnresolvedPolicy {
    /// `report-all`: an error for each undefined symbol (the default).
    #[default]
    ReportAll,
    /// `ignore-all`: undefined functions become imports; undefined data resolves to 0.
    IgnoreAll,
    /// `import-dynamic` (with `-shared`): undefined functions become imports, undefined data
    /// is reached through `GOT.mem` imports.
    ImportDynamic,
}

/// `--wrap=NAME`: references to NAME go to `__wrap_NAME`, and `__real_NAME` names NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrap {
    /// The wrapped symbol.
    pub name: String,
    /// `__real_NAME`.
    pub real: String,
    /// `__wrap_NAME`.
    pub wrap: String,
}

impl Wrap {
    /// The names `--wrap=name` involves.
    pub fn new(name: &str) -> Self {
        Wrap {
            name: name.to_string(),
            real: format!("__real_{name}"),
            wrap: format!("__wrap_{name}"),
        }
    }
}

/// Every option of a link.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs in command-line order.
    pub inputs: Vec<Input>,
    /// The output file.
    pub output: PathBuf,
    /// The entry point (`--entry`); `None` with `--no-entry`.
    pub entry: Option<String>,
    /// Whether `entry` was given explicitly (an explicit entry must exist).
    pub entry_explicit: bool,
    /// `--export=NAME`: must be defined.
    pub exports: Vec<String>,
    /// `--export-if-defined=NAME`.
    pub exports_if_defined: Vec<String>,
    /// `--export-all`.
    pub export_all: bool,
    /// `--export-dynamic`.
    pub export_dynamic: bool,
    /// `--export-table`.
    pub export_table: bool,
    /// `--import-table`.
    pub import_table: bool,
    /// `--growable-table`.
    pub growable_table: bool,
    /// `--table-base`; defaults to 1 so that slot 0 stays null.
    pub table_base: u32,
    /// `--gc-sections` (the default) / `--no-gc-sections`.
    pub gc_sections: bool,
    /// `--print-gc-sections`.
    pub print_gc_sections: bool,
    /// `--allow-undefined`: undefined functions become imports.
    pub allow_undefined: bool,
    /// `--import-undefined`.
    pub import_undefined: bool,
    /// `--unresolved-symbols=`.
    pub unresolved: UnresolvedPolicy,
    /// `--warn-unresolved-symbols`: report undefined symbols as warnings.
    pub warn_unresolved: bool,
    /// Names from `--allow-undefined-file`, allowed to stay undefined (imported).
    pub allow_undefined_symbols: Vec<String>,
    /// `-u NAME` / `--undefined=NAME`: treated as referenced from the command line.
    pub undefined: Vec<String>,
    /// `--allow-multiple-definition` / `-z muldefs`.
    pub allow_multiple_definition: bool,
    /// `-z stack-size=N`.
    pub stack_size: u64,
    /// `--stack-first` (the default in LLVM 22) / `--no-stack-first`.
    pub stack_first: bool,
    /// `--global-base`.
    pub global_base: Option<u64>,
    /// `--initial-memory`.
    pub initial_memory: Option<u64>,
    /// `--max-memory`.
    pub max_memory: Option<u64>,
    /// `--no-growable-memory`.
    pub no_growable_memory: bool,
    /// `-m wasm32|wasm64`, if given: the address width of the link (wasm32 when not given; a
    /// wasm64 object then is an error, as in wasm-ld).
    pub is64: Option<bool>,
    /// `--shared-memory`: a shared memory, passive data segments initialised once by
    /// `__wasm_init_memory`, and thread-local storage set up per thread by `__wasm_init_tls`.
    pub shared_memory: bool,
    /// `-shared`: a shared library for dynamic loading (spec/dynamic.md).
    pub shared: bool,
    /// `-pie` / `--no-pie`: a position-independent main module for dynamic loading
    /// (spec/dynamic.md).
    pub pie: bool,
    /// `-Bsymbolic` (with `-shared`): references to the library's own definitions bind to
    /// them, not through the GOT.
    pub bsymbolic: bool,
    /// `--initial-heap`.
    pub initial_heap: Option<u64>,
    /// `--import-memory[=module,name]`.
    pub import_memory: Option<(String, String)>,
    /// `--export-memory[=name]`; `None` when memory is not exported.
    pub export_memory: Option<String>,
    /// `--merge-data-segments` (the default) / `--no-merge-data-segments`.
    pub merge_data_segments: bool,
    /// `-O<n>`: 1 (the default) and up merge identical string literals.
    pub optimize: u8,
    /// `--features=`: the allowed feature set, instead of the inferred one.
    pub features: Option<Vec<String>>,
    /// `--extra-features=`.
    pub extra_features: Vec<String>,
    /// `--check-features` (the default) / `--no-check-features`.
    pub check_features: bool,
    /// `--strip-all` / `-s`.
    pub strip_all: bool,
    /// `--strip-debug` / `-S`.
    pub strip_debug: bool,
    /// `--keep-section=NAME`: kept even under `--strip-all`/`--strip-debug`.
    pub keep_sections: Vec<String>,
    /// Validate the output before writing it (default; `--no-validate` turns it off).
    pub validate: bool,
    /// `--threads=N`; `None` uses every core.
    pub threads: Option<usize>,
    /// `--trace` / `-t`: print each input file as it is loaded.
    pub trace: bool,
    /// `--fatal-warnings`.
    pub fatal_warnings: bool,
    /// `--error-limit=N` (0: no limit).
    pub error_limit: usize,
    /// `-r` / `--relocatable`: write a relocatable object instead of a module.
    pub relocatable: bool,
    /// `--emit-relocs`: keep the symbol table and relocations in the output module.
    pub emit_relocs: bool,
    /// `--demangle` (the default) / `--no-demangle`: whether the `name` section holds
    /// demangled names.
    pub demangle: bool,
    /// `--verbose`: log each phase and input to standard error.
    pub verbose: bool,
    /// `-y NAME` / `--trace-symbol=NAME`: report every definition of and reference to these.
    pub trace_symbols: Vec<String>,
    /// `--soname=NAME`: the module name in the `name` section, instead of the output's file name.
    pub soname: Option<String>,
    /// `-v` with inputs: print the version, then link.
    pub print_version: bool,
    /// `--compress-relocations`: relocated LEB fields of the code in their shortest form.
    pub compress_relocations: bool,
    /// `--time-trace[=FILE]` / `--time-trace-file=FILE`: a Chrome trace of the link's phases
    /// (an empty name: the output's name plus `.time-trace`).
    pub time_trace: Option<String>,
    /// `--time-trace-granularity=N`: phases shorter than N microseconds are left out.
    pub time_trace_granularity: u64,
    /// `--map-format=json`: the map is weld's JSON map.
    pub map_json: bool,
    /// `--page-size=N`: the memory's page size, 65536 (the default) or 1.
    pub page_size: u64,
    /// `-Map=FILE` (`-`, and `-M`/`--print-map`: standard output): the link map.
    pub map_file: Option<String>,
    /// `--reproduce=FILE.tar` (or `LLD_REPRODUCE`): a tar of the inputs and the command line.
    pub reproduce: Option<String>,
    /// The command line as `--reproduce` writes it to `response.txt`.
    pub response: String,
    /// `--build-id[=fast|sha1|uuid|0xHEX|none]`.
    pub build_id: Option<crate::build_id::BuildId>,
    /// `--wrap=NAME`, in command-line order.
    pub wrap: Vec<Wrap>,
    /// `--why-extract=FILE`: why each archive member was loaded (`-`: standard output).
    pub why_extract: Option<String>,
    /// `--cache-dir=DIR`: reuse the output of an identical earlier link (see [`crate::cache`]).
    pub cache_dir: Option<String>,
    /// `--cache-size=N[k|m|g]`: the size the cache directory is trimmed to.
    pub cache_size: u64,
    /// The process ends right after the link (the `weld` command sets this): the link's tables
    /// and input mappings are left for the exit to reclaim, as other linkers do, instead of
    /// being freed one by one.
    pub exit_after_link: bool,
    /// `--color-diagnostics[=always|auto|never]`: colour `error:` and `warning:` as lld does.
    pub color_diagnostics: bool,
    /// Warnings the command line itself gave (an unknown `-z` value, say), reported with the
    /// link's own so that `--fatal-warnings` applies to them too.
    pub warnings: Vec<String>,
}

impl Config {
    /// Whether the output is wasm64: 64-bit addresses, memory, table and address globals.
    pub fn wasm64(&self) -> bool {
        self.is64.unwrap_or(false)
    }

    /// Whether the output is position-independent (`-shared` or `-pie`): placed at load time
    /// at `__memory_base` and `__table_base` (wasm-ld's `isPic`).
    pub fn pic(&self) -> bool {
        self.shared || self.pie
    }

    /// Whether undefined symbols may be left to a dynamic loader: a position-independent
    /// output, or `--unresolved-symbols=import-dynamic` (which gives even a fixed-address
    /// executable GOT imports and a `dylink.0` section, as wasm-ld does).
    pub fn dynamic_imports(&self) -> bool {
        self.pic() || self.unresolved == UnresolvedPolicy::ImportDynamic
    }

    /// Whether the map is weld's JSON map: `-Map` with a `.json` name, or `--map-format=json`.
    pub fn map_is_json(&self) -> bool {
        self.map_file
            .as_deref()
            .is_some_and(|f| self.map_json || f.ends_with(".json"))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            output: PathBuf::from("a.out"),
            entry: Some("_start".to_string()),
            entry_explicit: false,
            exports: Vec::new(),
            exports_if_defined: Vec::new(),
            export_all: false,
            export_dynamic: false,
            export_table: false,
            import_table: false,
            growable_table: false,
            table_base: 1,
            shared: false,
            bsymbolic: false,
            pie: false,
            gc_sections: true,
            print_gc_sections: false,
            allow_undefined: false,
            import_undefined: false,
            unresolved: UnresolvedPolicy::ReportAll,
            warn_unresolved: false,
            allow_undefined_symbols: Vec::new(),
            undefined: Vec::new(),
            allow_multiple_definition: false,
            stack_size: 65536,
            stack_first: true,
            global_base: None,
            initial_memory: None,
            max_memory: None,
            no_growable_memory: false,
            shared_memory: false,
            is64: None,
            initial_heap: None,
            import_memory: None,
            export_memory: Some("memory".to_string()),
            merge_data_segments: true,
            optimize: 1,
            features: None,
            extra_features: Vec::new(),
            check_features: true,
            strip_all: false,
            strip_debug: false,
            keep_sections: Vec::new(),
            validate: true,
            threads: None,
            trace: false,
            fatal_warnings: false,
            error_limit: 20,
            relocatable: false,
            emit_relocs: false,
            demangle: true,
            verbose: false,
            trace_symbols: Vec::new(),
            soname: None,
            print_version: false,
            color_diagnostics: false,
            why_extract: None,
            cache_dir: None,
            cache_size: crate::cache::DEFAULT_SIZE_LIMIT,
            exit_after_link: false,
            wrap: Vec::new(),
            build_id: None,
            reproduce: None,
            map_file: None,
            page_size: 65536,
            map_json: false,
            time_trace: None,
            time_trace_granularity: 500,
            compress_relocations: false,
            response: String::new(),
            warnings: Vec::new(),
        }
    }
}
