//! Floating-point literals in template arguments (`Lf40490fdbE`), printed as LLVM prints
//! them: the hex digits are the value's bytes, most significant first, and LLVM formats
//! the value with the C library's `%a` (glibc's spelling on the x86-64 Linux that
//! wasm-ld runs on): `%af` for `float`, `%a` for `double`, `%LaL` for `long double`
//! (x87's 80-bit format there).

use super::node::FloatKind;

/// The literal's text; `digits` holds exactly [`FloatKind::digits`] lowercase hex digits.
pub(super) fn format(kind: FloatKind, digits: &[u8]) -> String {
    let mut bits: u128 = 0;
    for &d in digits {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            _ => d - b'a' + 10,
        };
        bits = bits << 4 | u128::from(v);
    }
    match kind {
        // A `float` reaches printf as a `double`.
        FloatKind::Float => format_double(f64::from(f32::from_bits(bits as u32))) + "f",
        FloatKind::Double => format_double(f64::from_bits(bits as u64)),
        FloatKind::LongDouble => format_x87(bits) + "L",
    }
}

/// `%a` of a `double`: `0x1.8p+1`, trailing zero digits dropped.
fn format_double(v: f64) -> String {
    let bits = v.to_bits();
    let sign = if bits >> 63 != 0 { "-" } else { "" };
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mantissa = bits & ((1 << 52) - 1);
    if exp == 0x7ff {
        return format!("{sign}{}", if mantissa == 0 { "inf" } else { "nan" });
    }
    let (leading, exp) = match (exp, mantissa) {
        (0, 0) => ('0', 0),
        // Subnormal: glibc keeps the leading 0 and the minimum exponent.
        (0, _) => ('0', -1022),
        _ => ('1', exp - 1023),
    };
    let frac = hex_fraction(u128::from(mantissa), 13);
    format!("{sign}0x{leading}{frac}p{exp:+}")
}

/// `%La` of an x87 80-bit `long double` (sign, 15-bit exponent, 64-bit mantissa with
/// an explicit integer bit): glibc prints the mantissa's first hex digit before the
/// point, so the exponent is three less than the binary one.
fn format_x87(bits: u128) -> String {
    let sign = if (bits >> 79) & 1 != 0 { "-" } else { "" };
    let exp = ((bits >> 64) & 0x7fff) as i64;
    let mantissa = bits as u64;
    // glibc: infinity only with the integer bit set and nothing below it; the maximum
    // exponent otherwise, or a clear integer bit with a nonzero exponent (an
    // "unnormal"), is a NaN.
    if exp == 0x7fff || (exp != 0 && mantissa >> 63 == 0) {
        let inf = exp == 0x7fff && mantissa == 1 << 63;
        return format!("{sign}{}", if inf { "inf" } else { "nan" });
    }
    let leading = char::from_digit((mantissa >> 60) as u32, 16).unwrap_or('0');
    let exp = match (exp, mantissa) {
        (0, 0) => 0,
        (0, _) => -(16382 + 3),
        _ => exp - (16383 + 3),
    };
    let frac = hex_fraction(u128::from(mantissa & ((1 << 60) - 1)), 15);
    format!("{sign}0x{leading}{frac}p{exp:+}")
}

/// `.` and the `n` hex digits of `v` without trailing zeros, or nothing if all are zero.
fn hex_fraction(v: u128, n: usize) -> String {
    let digits = format!("{v:0n$x}");
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        String::new()
    } else {
        format!(".{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spellings from LLVM's demangler test cases and glibc's printf.
    #[test]
    fn hex_floats_match_glibc() {
        assert_eq!(format(FloatKind::Float, b"40490fdb"), "0x1.921fb6p+1f");
        assert_eq!(format(FloatKind::Float, b"00000000"), "0x0p+0f");
        assert_eq!(format(FloatKind::Double, b"3ff0000000000000"), "0x1p+0");
        assert_eq!(format(FloatKind::Double, b"8000000000000000"), "-0x0p+0");
        assert_eq!(
            format(FloatKind::Double, b"0000000000000001"),
            "0x0.0000000000001p-1022"
        );
        assert_eq!(format(FloatKind::Double, b"7ff0000000000000"), "inf");
        assert_eq!(
            format(FloatKind::LongDouble, b"4000c90fdaa22168c235"),
            "0xc.90fdaa22168c235p-2L"
        );
    }
}
