//! The relocation table: for every relocation type, the field it patches, the symbol kind it
//! targets, and which value it takes. This is the one place that knows relocation semantics;
//! `spec/relocations.md` describes the same table in prose.

use wasmparser::RelocationType;

use crate::model::SymbolKind;

/// How a relocated field is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// varuint32 padded to 5 bytes.
    Uleb32,
    /// varint32 padded to 5 bytes.
    Sleb32,
    /// varuint64 padded to 10 bytes.
    Uleb64,
    /// varint64 padded to 10 bytes.
    Sleb64,
    /// Little-endian u32.
    I32,
    /// Little-endian u64.
    I64,
}

/// Which value a relocation writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// Output function index.
    FunctionIndex,
    /// Slot in the indirect function table (0 for a missing weak function).
    TableIndex,
    /// Linear-memory address of the symbol plus the addend.
    MemoryAddr,
    /// Address relative to `__memory_base` (PIC only).
    MemoryAddrRel,
    /// Offset from `__tls_base`.
    MemoryAddrTls,
    /// Address minus the address of the patched location.
    MemoryAddrLocrel,
    /// Table slot relative to `__table_base` (PIC only).
    TableIndexRel,
    /// Output type index.
    TypeIndex,
    /// Output global index.
    GlobalIndex,
    /// Output tag index.
    TagIndex,
    /// Output table number.
    TableNumber,
    /// Offset of a function body in the output code section, plus the addend.
    FunctionOffset,
    /// Offset of this input's piece in the output section, plus the addend.
    SectionOffset,
}

/// Everything weld knows about one relocation type.
#[derive(Debug, Clone, Copy)]
pub struct RelocInfo {
    /// Its number in `reloc.*` sections.
    pub number: u8,
    /// Its LLVM name.
    pub name: &'static str,
    /// The patched field.
    pub field: Field,
    /// The kind of symbol its index names (type relocations name a type, listed as Function).
    pub target: SymbolKind,
    /// Whether entries carry an addend.
    pub has_addend: bool,
    /// The value written.
    pub value: Value,
}

macro_rules! table {
    ($( $num:literal $variant:ident $name:literal $field:ident $target:ident $addend:literal $value:ident; )*) => {
        /// The table, in relocation-number order.
        pub const RELOCS: &[RelocInfo] = &[
            $( RelocInfo {
                number: $num,
                name: $name,
                field: Field::$field,
                target: SymbolKind::$target,
                has_addend: $addend,
                value: Value::$value,
            }, )*
        ];

        /// The table entry of a relocation type.
        pub fn info(ty: RelocationType) -> &'static RelocInfo {
            match ty {
                $( RelocationType::$variant => &RELOCS[$num], )*
            }
        }
    };
}

table! {
    0  FunctionIndexLeb    "R_WASM_FUNCTION_INDEX_LEB"     Uleb32 Function false FunctionIndex;
    1  TableIndexSleb      "R_WASM_TABLE_INDEX_SLEB"       Sleb32 Function false TableIndex;
    2  TableIndexI32       "R_WASM_TABLE_INDEX_I32"        I32    Function false TableIndex;
    3  MemoryAddrLeb       "R_WASM_MEMORY_ADDR_LEB"        Uleb32 Data     true  MemoryAddr;
    4  MemoryAddrSleb      "R_WASM_MEMORY_ADDR_SLEB"       Sleb32 Data     true  MemoryAddr;
    5  MemoryAddrI32       "R_WASM_MEMORY_ADDR_I32"        I32    Data     true  MemoryAddr;
    6  TypeIndexLeb        "R_WASM_TYPE_INDEX_LEB"         Uleb32 Function false TypeIndex;
    7  GlobalIndexLeb      "R_WASM_GLOBAL_INDEX_LEB"       Uleb32 Global   false GlobalIndex;
    8  FunctionOffsetI32   "R_WASM_FUNCTION_OFFSET_I32"    I32    Function true  FunctionOffset;
    9  SectionOffsetI32    "R_WASM_SECTION_OFFSET_I32"     I32    Section  true  SectionOffset;
    10 EventIndexLeb       "R_WASM_TAG_INDEX_LEB"          Uleb32 Tag      false TagIndex;
    11 MemoryAddrRelSleb   "R_WASM_MEMORY_ADDR_REL_SLEB"   Sleb32 Data     true  MemoryAddrRel;
    12 TableIndexRelSleb   "R_WASM_TABLE_INDEX_REL_SLEB"   Sleb32 Function false TableIndexRel;
    13 GlobalIndexI32      "R_WASM_GLOBAL_INDEX_I32"       I32    Global   false GlobalIndex;
    14 MemoryAddrLeb64     "R_WASM_MEMORY_ADDR_LEB64"      Uleb64 Data     true  MemoryAddr;
    15 MemoryAddrSleb64    "R_WASM_MEMORY_ADDR_SLEB64"     Sleb64 Data     true  MemoryAddr;
    16 MemoryAddrI64       "R_WASM_MEMORY_ADDR_I64"        I64    Data     true  MemoryAddr;
    17 MemoryAddrRelSleb64 "R_WASM_MEMORY_ADDR_REL_SLEB64" Sleb64 Data     true  MemoryAddrRel;
    18 TableIndexSleb64    "R_WASM_TABLE_INDEX_SLEB64"     Sleb64 Function false TableIndex;
    19 TableIndexI64       "R_WASM_TABLE_INDEX_I64"        I64    Function false TableIndex;
    20 TableNumberLeb      "R_WASM_TABLE_NUMBER_LEB"       Uleb32 Table    false TableNumber;
    21 MemoryAddrTlsSleb   "R_WASM_MEMORY_ADDR_TLS_SLEB"   Sleb32 Data     true  MemoryAddrTls;
    22 FunctionOffsetI64   "R_WASM_FUNCTION_OFFSET_I64"    I64    Function true  FunctionOffset;
    23 MemoryAddrLocrelI32 "R_WASM_MEMORY_ADDR_LOCREL_I32" I32    Data     true  MemoryAddrLocrel;
    24 TableIndexRelSleb64 "R_WASM_TABLE_INDEX_REL_SLEB64" Sleb64 Function false TableIndexRel;
    25 MemoryAddrTlsSleb64 "R_WASM_MEMORY_ADDR_TLS_SLEB64" Sleb64 Data     true  MemoryAddrTls;
    26 FunctionIndexI32    "R_WASM_FUNCTION_INDEX_I32"     I32    Function false FunctionIndex;
}

/// The LLVM name of a relocation type.
pub fn name(ty: RelocationType) -> &'static str {
    info(ty).name
}

/// The symbol kind a relocation type must target.
pub fn target_kind(ty: RelocationType) -> SymbolKind {
    info(ty).target
}

/// Writes `value` into `field` at the start of `buf`, in the field's width. Returns `false` when
/// the value does not fit the field (the caller reports it). A 32-bit field takes any value that
/// 32 bits hold read as signed or as unsigned, `i32::MIN..=u32::MAX`, and stores its low 32 bits:
/// `i32.const` of an address above 2 GiB is the negative number with those bits.
///
/// Written by hand: the padded, fixed-width LEB forms are not what LEB128 crates produce, and
/// this is the hot loop of the writer.
pub fn patch(buf: &mut [u8], field: Field, value: i64) -> bool {
    let fits_32 = (i32::MIN as i64..=u32::MAX as i64).contains(&value);
    match field {
        Field::Uleb32 | Field::Sleb32 | Field::I32 if !fits_32 => return false,
        Field::Uleb32 => write_padded_uleb(&mut buf[..5], value as u32 as u64),
        Field::Sleb32 => write_padded_sleb(&mut buf[..5], value as u32 as i32 as i64),
        Field::Uleb64 => write_padded_uleb(&mut buf[..10], value as u64),
        Field::Sleb64 => write_padded_sleb(&mut buf[..10], value),
        Field::I32 => buf[..4].copy_from_slice(&(value as u32).to_le_bytes()),
        Field::I64 => buf[..8].copy_from_slice(&value.to_le_bytes()),
    }
    true
}

/// The width in bytes of a field.
pub fn width(field: Field) -> usize {
    match field {
        Field::Uleb32 | Field::Sleb32 => 5,
        Field::Uleb64 | Field::Sleb64 => 10,
        Field::I32 => 4,
        Field::I64 => 8,
    }
}

fn write_padded_uleb(out: &mut [u8], mut v: u64) {
    let n = out.len();
    for (i, b) in out.iter_mut().enumerate() {
        let more = if i + 1 < n { 0x80 } else { 0 };
        *b = (v & 0x7f) as u8 | more;
        v >>= 7;
    }
}

fn write_padded_sleb(out: &mut [u8], mut v: i64) {
    let n = out.len();
    for (i, b) in out.iter_mut().enumerate() {
        let more = if i + 1 < n { 0x80 } else { 0 };
        *b = (v & 0x7f) as u8 | more;
        v >>= 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_number_order_and_matches_wasmparser() {
        for (i, r) in RELOCS.iter().enumerate() {
            assert_eq!(r.number as usize, i);
            let ty = RelocationType::try_from(r.number).expect("wasmparser knows the type");
            assert_eq!(info(ty).number, r.number);
            let wp_addend = ty.addend_kind() != wasmparser::RelocAddendKind::None;
            assert_eq!(wp_addend, r.has_addend, "{}", r.name);
            assert_eq!(ty.extent(), width(r.field), "{}", r.name);
        }
        assert!(RelocationType::try_from(RELOCS.len() as u8).is_err());
    }

    /// The table in `spec/relocations.md` and this module's table say the same: every row of one
    /// is a row of the other, with the same name, field, target kind and addend.
    #[test]
    fn table_matches_the_spec() {
        let spec = include_str!("../spec/relocations.md");
        let rows: Vec<Vec<&str>> = spec
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains("R_WASM_"))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        assert_eq!(rows.len(), RELOCS.len(), "spec rows vs code rows");
        for row in rows {
            let number: usize = row[0].parse().expect("relocation number");
            let info = RELOCS
                .get(number)
                .unwrap_or_else(|| panic!("spec has #{number}, code does not"));
            assert_eq!(row[1], info.name, "#{number}");
            let ty = RelocationType::try_from(number as u8).expect("a known type");
            assert_eq!(name(ty), row[1], "#{number}: the name errors use");
            let field = match row[2] {
                "uleb5" => Field::Uleb32,
                "sleb5" => Field::Sleb32,
                "uleb10" => Field::Uleb64,
                "sleb10" => Field::Sleb64,
                "i32" => Field::I32,
                "i64" => Field::I64,
                other => panic!("#{number}: unknown field {other}"),
            };
            assert_eq!(field, info.field, "#{number} field");
            let target = match row[3] {
                "function" | "(type index)" => SymbolKind::Function,
                "data" | "data (TLS)" => SymbolKind::Data,
                "global" => SymbolKind::Global,
                "section" => SymbolKind::Section,
                "tag" => SymbolKind::Tag,
                "table" => SymbolKind::Table,
                other => panic!("#{number}: unknown target {other}"),
            };
            assert_eq!(target, info.target, "#{number} target");
            assert_eq!(
                row[4].starts_with("yes"),
                info.has_addend,
                "#{number} addend"
            );
        }
    }

    /// Every kind of value has exactly one row in the spec's table of undefined and dead
    /// targets (adding a `Value` without saying how it treats them fails here).
    #[test]
    fn every_value_kind_has_an_undefined_and_dead_row() {
        let spec = include_str!("../spec/relocations.md");
        let start = spec
            .find("| value | undefined, imported |")
            .expect("the table of undefined and dead targets");
        let rows: Vec<&str> = spec[start..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.trim_matches('|').split('|').next().unwrap_or("").trim())
            .collect();
        // Exhaustive, so that a new variant must be added here (and then to the spec).
        let name = |v: Value| match v {
            Value::FunctionIndex => "FunctionIndex",
            Value::TableIndex => "TableIndex",
            Value::MemoryAddr => "MemoryAddr",
            Value::MemoryAddrRel => "MemoryAddrRel",
            Value::MemoryAddrTls => "MemoryAddrTls",
            Value::MemoryAddrLocrel => "MemoryAddrLocrel",
            Value::TableIndexRel => "TableIndexRel",
            Value::TypeIndex => "TypeIndex",
            Value::GlobalIndex => "GlobalIndex",
            Value::TagIndex => "TagIndex",
            Value::TableNumber => "TableNumber",
            Value::FunctionOffset => "FunctionOffset",
            Value::SectionOffset => "SectionOffset",
        };
        let mut used: Vec<&str> = RELOCS.iter().map(|r| name(r.value)).collect();
        used.sort_unstable();
        used.dedup();
        let mut listed = rows.clone();
        listed.sort_unstable();
        assert_eq!(
            listed, used,
            "rows of the spec table vs value kinds the table uses"
        );
        assert_eq!(rows.len(), listed.len());
    }

    #[test]
    fn padded_leb_matches_the_spec_example() {
        // Linking.md: function index 3 is encoded as 83 80 80 80 00.
        let mut b = [0u8; 5];
        assert!(patch(&mut b, Field::Uleb32, 3));
        assert_eq!(b, [0x83, 0x80, 0x80, 0x80, 0x00]);
        assert!(patch(&mut b, Field::Sleb32, -1));
        assert_eq!(b, [0xff, 0xff, 0xff, 0xff, 0x7f]);
        let mut r = wasmparser::BinaryReader::new(&b, 0);
        assert_eq!(r.read_var_i32().unwrap(), -1);
        // 32 bits read as signed or unsigned, written as wasm-ld writes them: -1 in a ULEB is
        // 0xffffffff, 2^31 in an SLEB is i32::MIN.
        assert!(patch(&mut b, Field::Uleb32, -1));
        assert_eq!(b, [0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(patch(&mut b, Field::Sleb32, 1 << 31));
        assert_eq!(b, [0x80, 0x80, 0x80, 0x80, 0x78]);
        let mut i = [0u8; 4];
        assert!(patch(&mut i, Field::I32, -1));
        assert_eq!(i, [0xff; 4]);
        for field in [Field::Uleb32, Field::Sleb32, Field::I32] {
            let mut b = [0u8; 5];
            assert!(!patch(&mut b, field, 1 << 32), "{field:?}");
            assert!(!patch(&mut b, field, i32::MIN as i64 - 1), "{field:?}");
            assert!(patch(&mut b, field, u32::MAX as i64), "{field:?}");
            assert!(patch(&mut b, field, i32::MIN as i64), "{field:?}");
        }
    }
}
