//! The reference toolchain (Debian's LLVM and wasi-libc packages) and the
//! command lines we build from it, mirroring what clang's driver does.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const SYSROOT_LIB: &str = "/usr/lib/wasm32-wasi";
pub const INCLUDE: &str = "/usr/include/wasm32-wasi";
pub const INCLUDE_CXX: &str = "/usr/include/wasm32-wasi/c++/v1";
pub const WASM_LD: &str = "/usr/bin/wasm-ld-22";
pub const LLVM_AR: &str = "/usr/bin/llvm-ar-22";
pub const TARGET: &str = "--target=wasm32-wasi";
/// Debian's rustc, always by full path: `rustc` on PATH is rustup's, which
/// builds the project and has no wasm32 std of the version we pin.
pub const RUSTC: &str = "/usr/bin/rustc";
/// The sysroot of Debian's rustc (`libstd-rust-dev-wasm32` installs the
/// wasm32 targets' std here).
pub const RUSTLIB: &str = "/usr/lib/rustlib";

/// A C/C++ compiler we build test objects with. Objects from both are linked
/// by the same two linkers, since weld must accept what older clangs emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Compiler {
    Clang22,
    Clang19,
}

impl Compiler {
    pub const ALL: [Compiler; 2] = [Compiler::Clang22, Compiler::Clang19];

    pub fn name(self) -> &'static str {
        match self {
            Compiler::Clang22 => "clang-22",
            Compiler::Clang19 => "clang-19",
        }
    }

    pub fn from_name(name: &str) -> Option<Compiler> {
        Compiler::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn clang(self) -> &'static str {
        match self {
            Compiler::Clang22 => "/usr/bin/clang-22",
            Compiler::Clang19 => "/usr/bin/clang-19",
        }
    }

    /// The compiler-rt builtins archive clang's driver puts last on the link line.
    pub fn builtins(self) -> &'static str {
        match self {
            Compiler::Clang22 => {
                "/usr/lib/llvm-22/lib/clang/22/lib/wasi/libclang_rt.builtins-wasm32.a"
            }
            Compiler::Clang19 => {
                "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a"
            }
        }
    }
}

/// What builds the variants of a case: clang (C/C++ cases), or Debian's
/// rustc (Rust cases), which also drives the link with weld.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    Clang(Compiler),
    Rustc,
}

impl Builder {
    /// For labels and work dir names.
    pub fn name(self) -> &'static str {
        match self {
            Builder::Clang(c) => c.name(),
            Builder::Rustc => "rustc-1.63",
        }
    }
}

/// A Rust case's `target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustTarget {
    Wasi,
    Unknown,
}

impl RustTarget {
    pub const ALL: [RustTarget; 2] = [RustTarget::Wasi, RustTarget::Unknown];

    pub fn triple(self) -> &'static str {
        match self {
            RustTarget::Wasi => "wasm32-wasi",
            RustTarget::Unknown => "wasm32-unknown-unknown",
        }
    }

    pub fn from_name(name: &str) -> Option<RustTarget> {
        RustTarget::ALL.into_iter().find(|t| t.triple() == name)
    }
}

/// A Rust case's `crate_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrateType {
    Bin,
    Cdylib,
}

impl CrateType {
    pub fn name(self) -> &'static str {
        match self {
            CrateType::Bin => "bin",
            CrateType::Cdylib => "cdylib",
        }
    }

    /// The crate root in the case directory.
    pub fn root(self) -> &'static str {
        match self {
            CrateType::Bin => "main.rs",
            CrateType::Cdylib => "lib.rs",
        }
    }
}

/// `rustc --edition 2021 --target <t> [--crate-type <c>] <opt>` for `src`;
/// the caller adds the output, `--extern`s and linker options. Runs in the
/// repository root, like clang, for a reproducible DW_AT_comp_dir.
pub fn rustc_cmd(target: RustTarget, crate_type: &str, opt: &[&str], src: &Path) -> Command {
    let mut cmd = Command::new(RUSTC);
    cmd.current_dir(crate::util::repo_root());
    cmd.args(["--edition", "2021", "--target", target.triple()]);
    if crate_type != "bin" {
        cmd.args(["--crate-type", crate_type]);
    }
    cmd.args(opt).arg(src);
    cmd
}

/// Source language, decided per file by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    C,
    Cxx,
}

impl Lang {
    pub fn of(path: &Path) -> Option<Lang> {
        match path.extension()?.to_str()? {
            "c" => Some(Lang::C),
            "cc" | "cpp" => Some(Lang::Cxx),
            _ => None,
        }
    }
}

/// The threaded wasi-libc (`wasm32-wasip1-threads`; Debian has none): `$WELD_THREADS_SYSROOT`,
/// or `../shared/sysroots/wasm32-wasip1-threads` beside the repository, or the same under
/// `/work/shared`, where the project's machines keep it (a clone elsewhere still finds it).
/// `None` when none holds its `libc.a`.
pub fn threads_sysroot() -> Option<PathBuf> {
    let has_libc = |p: &Path| p.join("lib/wasm32-wasip1-threads/libc.a").is_file();
    if let Some(p) = std::env::var_os("WELD_THREADS_SYSROOT").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p)).filter(|p| has_libc(p));
    }
    [
        crate::util::repo_root().join("../shared/sysroots/wasm32-wasip1-threads"),
        PathBuf::from("/work/shared/sysroots/wasm32-wasip1-threads"),
    ]
    .into_iter()
    .find(|p| has_libc(p))
}

/// What a C case is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// `wasm32-wasi` with Debian's wasi-libc.
    Wasi,
    /// `wasm32-wasip1-threads` with the threaded sysroot at this path.
    Threads(&'a Path),
    /// Freestanding wasm64.
    Wasm64,
}

/// `clang -c` for one source file, with the wasi-libc headers but without any
/// host headers (`-nostdlibinc`). libc++'s headers must precede libc's.
/// (`-mexec-model=reactor` only affects linking; clang rejects it with `-c`.)
///
/// For [`Target::Threads`] the source is compiled for `wasm32-wasip1-threads` against the
/// threaded sysroot, with `-pthread`; for [`Target::Wasm64`], freestanding.
pub fn compile_cmd(
    compiler: Compiler,
    lang: Lang,
    opt: &[&str],
    extra: &[String],
    (src, obj): (&Path, &Path),
    target: Target<'_>,
) -> Command {
    let mut cmd = Command::new(compiler.clang());
    // A fixed directory keeps DW_AT_comp_dir, and so the object, reproducible.
    cmd.current_dir(crate::util::repo_root());
    if target == Target::Wasm64 {
        // There is no wasm64 libc: freestanding, with only the compiler's own headers.
        cmd.args(["--target=wasm64", "-c", "-nostdlibinc", "-ffreestanding"]);
        cmd.args(opt).args(extra).arg(src).arg("-o").arg(obj);
        return cmd;
    }
    if let Target::Threads(sysroot) = target {
        cmd.args(["--target=wasm32-wasip1-threads", "-pthread", "-c"]);
        cmd.arg(format!("--sysroot={}", sysroot.display()));
        cmd.args(opt).args(extra).arg(src).arg("-o").arg(obj);
        return cmd;
    }
    cmd.args([TARGET, "-c", "-nostdlibinc"]);
    if lang == Lang::Cxx {
        cmd.args(["-isystem", INCLUDE_CXX]);
    }
    cmd.args(["-isystem", INCLUDE]);
    if lang == Lang::Cxx {
        cmd.arg("-fno-exceptions");
    }
    cmd.args(opt).args(extra).arg(src).arg("-o").arg(obj);
    cmd
}

/// Everything that varies in a link line.
pub struct LinkSpec<'a> {
    pub compiler: Compiler,
    pub ldflags: &'a [String],
    pub reactor: bool,
    pub objects: &'a [PathBuf],
    pub archives: &'a [PathBuf],
    pub libs: &'a [String],
    pub cxx: bool,
    pub out: &'a Path,
    /// The threaded sysroot, for a pthread program.
    pub threads: Option<&'a Path>,
    /// A freestanding wasm64 library: `-m wasm64 --no-entry`, no crt1, libc or builtins.
    pub wasm64: bool,
}

/// The arguments clang-22's driver gives wasm-ld (see `clang-22 -###`):
/// `-m wasm32 -L<sysroot lib> crt1-command.o <objects> [-lc++ -lc++abi] -lc
/// <builtins> -o out`; reactors use `crt1-reactor.o --entry _initialize`.
///
/// A pthread program links against the threaded sysroot with an importable shared memory,
/// as a wasi-threads host needs it (the sysroot's README): `--shared-memory --import-memory
/// --export-memory --max-memory=64MiB`, and `-lpthread` before `-lc`.
pub fn link_args(spec: &LinkSpec<'_>) -> Vec<OsString> {
    if spec.wasm64 {
        let mut args: Vec<OsString> = vec!["-m".into(), "wasm64".into(), "--no-entry".into()];
        args.extend(spec.ldflags.iter().map(OsString::from));
        args.extend(spec.objects.iter().map(|o| o.as_os_str().to_owned()));
        args.extend(spec.archives.iter().map(|a| a.as_os_str().to_owned()));
        args.extend(spec.libs.iter().map(OsString::from));
        args.push("-o".into());
        args.push(spec.out.as_os_str().to_owned());
        return args;
    }
    let mut args: Vec<OsString> = vec!["-m".into(), "wasm32".into()];
    let lib = match spec.threads {
        Some(sysroot) => format!("{}/lib/wasm32-wasip1-threads", sysroot.display()),
        None => SYSROOT_LIB.to_string(),
    };
    args.push(format!("-L{lib}").into());
    if spec.threads.is_some() {
        for a in [
            "--shared-memory",
            "--import-memory",
            "--export-memory",
            "--max-memory=67108864",
        ] {
            args.push(a.into());
        }
    }
    args.extend(spec.ldflags.iter().map(OsString::from));
    if spec.reactor {
        args.push(format!("{lib}/crt1-reactor.o").into());
        args.push("--entry".into());
        args.push("_initialize".into());
    } else {
        args.push(format!("{lib}/crt1-command.o").into());
    }
    args.extend(spec.objects.iter().map(|o| o.as_os_str().to_owned()));
    args.extend(spec.archives.iter().map(|a| a.as_os_str().to_owned()));
    args.extend(spec.libs.iter().map(OsString::from));
    if spec.cxx {
        args.push("-lc++".into());
        args.push("-lc++abi".into());
    }
    if spec.threads.is_some() {
        args.push("-lpthread".into());
    }
    args.push("-lc".into());
    args.push(spec.compiler.builtins().into());
    args.push("-o".into());
    args.push(spec.out.as_os_str().to_owned());
    args
}

/// The linker under test: `$WELD` if set (e.g. wasm-ld, to test the harness),
/// else the release build of weld.
pub fn weld_path() -> PathBuf {
    match std::env::var_os("WELD") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => crate::util::repo_root().join("target/release/weld"),
    }
}

/// Whether `$WELD` overrides the linker under test.
pub fn weld_overridden() -> bool {
    std::env::var_os("WELD").is_some_and(|p| !p.is_empty())
}
