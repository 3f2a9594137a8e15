//! The declarative model of a relocatable object: what [`crate::read`] produces and every later
//! phase consumes.
//!
//! Everything here is plain data. Byte ranges (`Range<usize>`) point into the object's bytes,
//! which stay memory-mapped for the whole link, so bodies and segment payloads are never copied
//! until the writer emits them.

use std::ops::Range;

use wasmparser::{FuncType, GlobalType, RelocationType, TableType};

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for indexing a `Vec`.
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// An input object, in the order objects joined the link.
    ObjectId
);
index_type!(
    /// An entry of the linker's symbol table (global or local).
    SymbolId
);

/// The kind of a symbol, as in the `linking` section's symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A function (`SYMTAB_FUNCTION`).
    Function,
    /// A range of linear memory (`SYMTAB_DATA`).
    Data,
    /// A wasm global (`SYMTAB_GLOBAL`).
    Global,
    /// A section, only for relocations in custom sections (`SYMTAB_SECTION`).
    Section,
    /// An exception tag (`SYMTAB_EVENT`).
    Tag,
    /// A table (`SYMTAB_TABLE`).
    Table,
}

impl SymbolKind {
    /// The name wasm-ld uses for the kind in its diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Data => "data",
            SymbolKind::Global => "global",
            SymbolKind::Section => "section",
            SymbolKind::Tag => "tag",
            SymbolKind::Table => "table",
        }
    }
}

/// Symbol flags (`WASM_SYM_*`), kept as the raw bits so that unknown bits survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SymFlags(pub u32);

impl SymFlags {
    /// `WASM_SYM_BINDING_WEAK`.
    pub const WEAK: u32 = 0x1;
    /// `WASM_SYM_BINDING_LOCAL`.
    pub const LOCAL: u32 = 0x2;
    /// `WASM_SYM_VISIBILITY_HIDDEN`.
    pub const HIDDEN: u32 = 0x4;
    /// `WASM_SYM_UNDEFINED`.
    pub const UNDEFINED: u32 = 0x10;
    /// `WASM_SYM_EXPORTED`.
    pub const EXPORTED: u32 = 0x20;
    /// `WASM_SYM_EXPLICIT_NAME`.
    pub const EXPLICIT_NAME: u32 = 0x40;
    /// `WASM_SYM_NO_STRIP`.
    pub const NO_STRIP: u32 = 0x80;
    /// `WASM_SYM_TLS`.
    pub const TLS: u32 = 0x100;
    /// `WASM_SYM_ABSOLUTE`.
    pub const ABSOLUTE: u32 = 0x200;

    /// Whether every bit of `bit` is set.
    #[inline]
    pub fn has(self, bit: u32) -> bool {
        self.0 & bit == bit
    }
    /// Weak binding.
    pub fn weak(self) -> bool {
        self.has(Self::WEAK)
    }
    /// Local binding.
    pub fn local(self) -> bool {
        self.has(Self::LOCAL)
    }
    /// Hidden visibility.
    pub fn hidden(self) -> bool {
        self.has(Self::HIDDEN)
    }
    /// Undefined (a reference, not a definition).
    pub fn undefined(self) -> bool {
        self.has(Self::UNDEFINED)
    }
}

/// What a symbol of an object refers to, in that object's own index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolTarget {
    /// Function index (imports first, then definitions).
    Function(u32),
    /// Global index (imports first).
    Global(u32),
    /// Tag index (imports first).
    Tag(u32),
    /// Table index (imports first).
    Table(u32),
    /// A defined data symbol: segment, offset in it and size.
    Data {
        /// Index of the data segment in the object.
        segment: u32,
        /// Offset of the symbol within the segment.
        offset: u32,
        /// Size in bytes.
        size: u32,
    },
    /// An absolute data symbol (`WASM_SYM_ABSOLUTE`): an address, not a place in a segment.
    AbsoluteData {
        /// The address (the symbol's offset field).
        addr: u32,
        /// Size in bytes.
        size: u32,
    },
    /// An undefined data symbol.
    UndefinedData,
    /// A section symbol: index of the section in the object.
    Section(u32),
}

/// One entry of an object's symbol table.
#[derive(Debug, Clone)]
pub struct ObjSymbol<'a> {
    /// The symbol's name; for a section symbol, the section's name.
    pub name: &'a str,
    /// The kind of symbol.
    pub kind: SymbolKind,
    /// The flags.
    pub flags: SymFlags,
    /// What it refers to.
    pub target: SymbolTarget,
    /// A `R_WASM_FUNCTION_INDEX_LEB` relocation of the object names it: the object calls it
    /// (wasm-ld's "called directly", which decides whether its signature is checked).
    pub called_directly: bool,
}

/// An import of an object (a reference to an undefined function, global, table or tag).
#[derive(Debug, Clone)]
pub struct Import<'a> {
    /// Import module name.
    pub module: &'a str,
    /// Import field name.
    pub field: &'a str,
}

/// Something an object imports, with its type: a type index for functions and tags, the
/// global or table type for globals and tables.
#[derive(Debug, Clone)]
pub struct Imported<'a, T> {
    /// Where it comes from.
    pub import: Import<'a>,
    /// Its type.
    pub ty: T,
}

/// A function imported by an object (`ty`: index into the object's type section).
pub type FuncImport<'a> = Imported<'a, u32>;
/// A global imported by an object.
pub type GlobalImport<'a> = Imported<'a, GlobalType>;
/// A table imported by an object.
pub type TableImport<'a> = Imported<'a, TableType>;
/// A tag imported by an object (`ty`: index into the object's type section).
pub type TagImport<'a> = Imported<'a, u32>;

/// A function defined in an object.
#[derive(Debug, Clone)]
pub struct Function {
    /// Index into the object's type section.
    pub ty: u32,
    /// The body (locals and code, without the size prefix), as a range of the object's bytes.
    pub body: Range<usize>,
    /// The body's relocations, as a range of [`Object::relocs`].
    pub relocs: Range<usize>,
}

/// A global defined in an object.
#[derive(Debug, Clone)]
pub struct Global {
    /// Its type.
    pub ty: GlobalType,
    /// Its initializer expression (without the final `end`), as a range of the object's bytes.
    pub init: Range<usize>,
}

/// A data segment of an object, with what `WASM_SEGMENT_INFO` says of it.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    /// The segment's name, e.g. `.rodata.str1.1` or `.bss.counter`.
    pub name: &'a str,
    /// log2 of the alignment.
    pub align_log2: u32,
    /// `WASM_SEGMENT_FLAG_*` bits.
    pub flags: u32,
    /// The payload, as a range of the object's bytes.
    pub data: Range<usize>,
    /// The payload's relocations, as a range of [`Object::relocs`].
    pub relocs: Range<usize>,
}

impl Segment<'_> {
    /// `WASM_SEGMENT_FLAG_STRINGS`.
    pub const STRINGS: u32 = 0x1;
    /// `WASM_SEGMENT_FLAG_TLS`.
    pub const TLS: u32 = 0x2;
    /// `WASM_SEG_FLAG_RETAIN`.
    pub const RETAIN: u32 = 0x4;

    /// Thread-local, by flag or, for old objects, by name (as wasm-ld does).
    pub fn is_tls(&self) -> bool {
        self.flags & Self::TLS != 0
            || self.name.starts_with(".tdata")
            || self.name.starts_with(".tbss")
    }

    /// Zero-initialised data that need not be written to the output.
    pub fn is_bss(&self) -> bool {
        self.name.starts_with(".bss") || self.name.starts_with(".tbss")
    }
}

/// A custom section of an object (other than `linking`, `reloc.*`, `producers` and
/// `target_features`, which the reader consumes).
#[derive(Debug, Clone)]
pub struct Custom<'a> {
    /// The section's name.
    pub name: &'a str,
    /// The payload, as a range of the object's bytes.
    pub data: Range<usize>,
    /// The payload's relocations: where their entries are in the object's bytes (the reader
    /// checked them all). Debug sections carry most of a program's relocations and only the
    /// writer needs them, so they are decoded there, as they are applied, rather than stored
    /// ([`Object::custom_relocs`]).
    pub relocs: CustomRelocs,
    /// The section's index in the object (what section symbols name).
    pub section_index: u32,
}

/// Where a custom section's relocations are: `count` entries of a `reloc.*` section, encoded
/// in the object's bytes at `entries`.
#[derive(Debug, Clone, Default)]
pub struct CustomRelocs {
    /// The encoded entries (after the section index and count).
    pub entries: Range<usize>,
    /// How many there are.
    pub count: u32,
}

impl CustomRelocs {
    /// Whether the section has no relocations.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// A relocation, with its offset relative to the start of its chunk (function body, segment
/// payload or custom-section payload).
#[derive(Debug, Clone, Copy)]
pub struct Reloc {
    /// The relocation type.
    pub ty: RelocationType,
    /// Offset of the patched field from the start of the chunk.
    pub offset: u32,
    /// Symbol index, or type index for `R_WASM_TYPE_INDEX_LEB`.
    pub index: u32,
    /// The addend (zero for types without one).
    pub addend: i64,
}

/// A member of a COMDAT group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComdatMember {
    /// A data segment index.
    Data(u32),
    /// A function index (of the object's function index space).
    Function(u32),
    /// A global index.
    Global(u32),
    /// A tag index.
    Tag(u32),
    /// A table index.
    Table(u32),
    /// A custom section, by its index in [`Object::customs`].
    Section(u32),
}

/// A COMDAT group of an object.
#[derive(Debug, Clone)]
pub struct Comdat<'a> {
    /// The group's name; one object's members are kept per name.
    pub name: &'a str,
    /// The members.
    pub members: Vec<ComdatMember>,
}

/// A constructor listed in `WASM_INIT_FUNCS`.
#[derive(Debug, Clone, Copy)]
pub struct InitFunc {
    /// Lower runs first.
    pub priority: u32,
    /// Index into the object's symbol table (a function symbol).
    pub symbol: u32,
}

/// One field of a `producers` section: e.g. `language` with values `C` / `""`.
#[derive(Debug, Clone)]
pub struct ProducerField<'a> {
    /// Field name: `language`, `processed-by` or `sdk`.
    pub name: &'a str,
    /// (name, version) pairs.
    pub values: Vec<(&'a str, &'a str)>,
}

/// A relocatable object, as read from one `.o` file or archive member.
#[derive(Debug, Clone)]
pub struct Object<'a> {
    /// The name used in diagnostics: `path` or `archive.a(member.o)`.
    pub name: String,
    /// The whole object, borrowed from the mapped input.
    pub bytes: &'a [u8],
    /// The type section (function types only).
    pub types: Vec<FuncType>,
    /// Imported functions, in index order.
    pub func_imports: Vec<FuncImport<'a>>,
    /// Imported globals.
    pub global_imports: Vec<GlobalImport<'a>>,
    /// Imported tables.
    pub table_imports: Vec<TableImport<'a>>,
    /// Imported tags.
    pub tag_imports: Vec<TagImport<'a>>,
    /// Defined functions.
    pub functions: Vec<Function>,
    /// Defined globals.
    pub globals: Vec<Global>,
    /// Defined tables.
    pub tables: Vec<TableType>,
    /// Defined tags (their type indices).
    pub tags: Vec<u32>,
    /// Data segments.
    pub segments: Vec<Segment<'a>>,
    /// Custom sections that go to the output.
    pub customs: Vec<Custom<'a>>,
    /// The symbol table.
    pub symbols: Vec<ObjSymbol<'a>>,
    /// All relocations, grouped by chunk in chunk order.
    pub relocs: Vec<Reloc>,
    /// COMDAT groups.
    pub comdats: Vec<Comdat<'a>>,
    /// Constructors.
    pub init_funcs: Vec<InitFunc>,
    /// `target_features` entries: (prefix byte, feature name).
    pub features: Vec<(u8, &'a str)>,
    /// `producers` fields.
    pub producers: Vec<ProducerField<'a>>,
    /// Export names given in the object's export section (`export_name`), by function index.
    pub export_names: Vec<(u32, &'a str)>,
    /// Per defined function: the name of the first symbol that defines it ("" if none).
    pub func_names: Vec<&'a str>,
    /// A wasm64 object: its `__linear_memory` import is a 64-bit memory (what LLVM calls the
    /// object's architecture).
    pub memory64: bool,
}

impl<'a> Object<'a> {
    /// The import an undefined symbol stands for: its module, and its field name when the
    /// symbol gives one explicitly (`EXPLICIT_NAME`; otherwise the field is the symbol's name).
    pub fn import_of(&self, sym: &ObjSymbol<'a>) -> Option<(&'a str, Option<&'a str>)> {
        let import = match sym.target {
            SymbolTarget::Function(i) => &self.func_imports.get(i as usize)?.import,
            SymbolTarget::Global(i) => &self.global_imports.get(i as usize)?.import,
            SymbolTarget::Table(i) => &self.table_imports.get(i as usize)?.import,
            SymbolTarget::Tag(i) => &self.tag_imports.get(i as usize)?.import,
            SymbolTarget::Data { .. }
            | SymbolTarget::UndefinedData
            | SymbolTarget::AbsoluteData { .. }
            | SymbolTarget::Section(_) => {
                return None;
            }
        };
        let explicit = sym
            .flags
            .has(SymFlags::EXPLICIT_NAME)
            .then_some(import.field);
        Some((import.module, explicit))
    }

    /// The relocations of custom section `c`, decoded from the object's bytes, in the order
    /// they are written there (offsets relative to the section's payload).
    pub fn custom_relocs(&self, c: usize) -> impl Iterator<Item = Reloc> + '_ {
        let r = &self.customs[c].relocs;
        let mut reader = wasmparser::BinaryReader::new(&self.bytes[r.entries.clone()], 0);
        // The reader decoded and checked every entry, so none fails here.
        (0..r.count).map_while(move |_| {
            let e = reader.read::<wasmparser::RelocationEntry>().ok()?;
            Some(Reloc {
                ty: e.ty,
                offset: e.offset,
                index: e.index,
                addend: e.addend,
            })
        })
    }

    /// Number of imported functions (defined functions come after them).
    pub fn num_func_imports(&self) -> u32 {
        self.func_imports.len() as u32
    }

    /// The type of function `index` (object function index space).
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let n = self.num_func_imports();
        let ty = if index < n {
            self.func_imports[index as usize].ty
        } else {
            self.functions.get((index - n) as usize)?.ty
        };
        self.types.get(ty as usize)
    }

    /// The type index of function `index` (object function index space); the caller has checked
    /// that the index exists.
    pub fn func_type_index(&self, index: u32) -> u32 {
        let n = self.num_func_imports();
        if index < n {
            self.func_imports[index as usize].ty
        } else {
            self.functions[(index - n) as usize].ty
        }
    }

    /// The name of defined function `def_index` (for diagnostics and the `name` section).
    pub fn function_name(&self, def_index: u32) -> String {
        match self.func_names.get(def_index as usize) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => format!("#{}", def_index + self.num_func_imports()),
        }
    }

    /// The bytes of a range of this object.
    pub fn slice(&self, range: &Range<usize>) -> &'a [u8] {
        &self.bytes[range.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `spec/symbols.md` and the constants here agree.
    #[test]
    fn flags_match_the_spec() {
        let spec = include_str!("../spec/symbols.md");
        let code = [
            ("BINDING_WEAK", SymFlags::WEAK),
            ("BINDING_LOCAL", SymFlags::LOCAL),
            ("VISIBILITY_HIDDEN", SymFlags::HIDDEN),
            ("UNDEFINED", SymFlags::UNDEFINED),
            ("EXPORTED", SymFlags::EXPORTED),
            ("EXPLICIT_NAME", SymFlags::EXPLICIT_NAME),
            ("NO_STRIP", SymFlags::NO_STRIP),
            ("TLS", SymFlags::TLS),
            ("ABSOLUTE", SymFlags::ABSOLUTE),
        ];
        let rows: Vec<(u32, &str)> = spec
            .lines()
            .filter(|l| l.starts_with("| 0x"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                let bit = u32::from_str_radix(cells[0].trim_start_matches("0x"), 16).unwrap();
                (bit, cells[1])
            })
            .collect();
        assert_eq!(rows.len(), code.len());
        for (name, bit) in code {
            assert!(
                rows.contains(&(bit, name)),
                "{name} = {bit:#x} not in spec/symbols.md"
            );
        }
        // The kinds table names each kind in the order of its number.
        let kinds: Vec<&str> = spec
            .lines()
            .filter(|l| l.contains("SYMTAB_"))
            .filter_map(|l| l.rsplit('`').nth(1))
            .collect();
        let expected = [
            SymbolKind::Function,
            SymbolKind::Data,
            SymbolKind::Global,
            SymbolKind::Section,
            SymbolKind::Tag,
            SymbolKind::Table,
        ];
        assert_eq!(kinds.len(), expected.len());
        for (row, kind) in kinds.iter().zip(expected) {
            assert_eq!(*row, format!("SymbolKind::{kind:?}"));
        }
    }
}
