//! The few JavaScript conversions the evaluation library relies on, reproduced exactly so a flag
//! evaluates here as it does in the SDKs: `Number(string)`, `String(number)` and `new Date(string)`
//! for the ISO 8601 forms, with the time zone pinned to UTC.

const MS_PER_DAY: f64 = 86_400_000.0;
/// ECMAScript's TimeClip bound: a time further than this from the epoch is an invalid date.
const MAX_TIME: f64 = 8.64e15;

/// JavaScript's `Number(text)` (the spec's StringToNumber).
pub fn to_number(text: &str) -> f64 {
    let t = text.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let lower = t.get(..2).map(str::to_ascii_lowercase);
    let radix = match lower.as_deref() {
        Some("0x") => 16,
        Some("0o") => 8,
        Some("0b") => 2,
        _ => return decimal(t),
    };
    radix_number(&t[2..], radix)
}

/// JavaScript's WhiteSpace and LineTerminator, the characters `Number()` trims.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn radix_number(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return f64::NAN;
    }
    // u128 keeps the value exact, so the one rounding to f64 is the correctly rounded one JS does.
    if let Ok(exact) = u128::from_str_radix(digits, radix) {
        return exact as f64;
    }
    digits
        .chars()
        .filter_map(|c| c.to_digit(radix))
        .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d))
}

/// StrDecimalLiteral: a sign, then `Infinity` or digits with an optional fraction and exponent.
/// Rust's own float parser also reads `inf`, `nan` and `1_0`-free forms JS refuses, so the grammar
/// is checked here and only the (correctly rounded) conversion is left to it.
fn decimal(t: &str) -> f64 {
    let (negative, unsigned) = match t.as_bytes()[0] {
        b'+' => (false, &t[1..]),
        b'-' => (true, &t[1..]),
        _ => (false, t),
    };
    let magnitude = if unsigned == "Infinity" {
        f64::INFINITY
    } else if decimal_grammar(unsigned) {
        unsigned.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        return f64::NAN;
    };
    if negative { -magnitude } else { magnitude }
}

fn decimal_grammar(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = count_digits(b, &mut i);
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = count_digits(b, &mut i);
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if count_digits(b, &mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn count_digits(b: &[u8], i: &mut usize) -> usize {
    let start = *i;
    while b.get(*i).is_some_and(u8::is_ascii_digit) {
        *i += 1;
    }
    *i - start
}

/// JavaScript's `String(number)` (Number::toString): shortest round-trip digits, exponent form
/// below 1e-6 and from 1e21.
pub fn number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // Rust's `{:e}` yields the same shortest digits: "d.ddde±N".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let n = exp.parse::<i64>().unwrap_or(0) + 1;
    let body = if (k..=21).contains(&n) {
        format!(
            "{digits}{}",
            "0".repeat(usize::try_from(n - k).unwrap_or(0))
        )
    } else if (1..=21).contains(&n) {
        let (whole, fraction) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{whole}.{fraction}")
    } else if (-5..=0).contains(&n) {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or(0)))
    } else {
        let e = n - 1;
        let exp_sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{exp_sign}{}", e.abs())
    };
    format!("{sign}{body}")
}

/// `new Date(text).getTime()` for ECMAScript's Date Time String Format with TZ=UTC: `YYYY`,
/// `YYYY-MM`, `YYYY-MM-DD` (or a signed six-digit year), optionally `THH:mm`, `:ss`, `.sss…` and `Z`
/// or `±HH:mm`. A form without a zone is read as local time, which is UTC here. NaN for anything
/// else: the legacy forms V8 also accepts (`"12"`, `"Jan 1 2024"`, `"2024-01-01 10:00"`, a lowercase
/// `t`/`z`) are out of scope and read as invalid dates.
pub fn parse_date(text: &str) -> f64 {
    iso_date(text.as_bytes()).map_or(f64::NAN, |t| if t.abs() > MAX_TIME { f64::NAN } else { t })
}

fn iso_date(b: &[u8]) -> Option<f64> {
    let mut i = 0;
    let year = match b.first()? {
        s @ (b'+' | b'-') => {
            i = 1;
            let y = fixed(b, &mut i, 6)?;
            if *s == b'-' && y == 0 {
                return None;
            }
            if *s == b'-' { -y } else { y }
        }
        _ => fixed(b, &mut i, 4)?,
    };
    let month = if eat(b, &mut i, b'-') {
        fixed(b, &mut i, 2)?
    } else {
        1
    };
    let day = if month_given(b, i) && eat(b, &mut i, b'-') {
        fixed(b, &mut i, 2)?
    } else {
        1
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut time = 0.0;
    let mut offset_ms = 0.0;
    if eat(b, &mut i, b'T') {
        let hour = fixed(b, &mut i, 2)?;
        if !eat(b, &mut i, b':') {
            return None;
        }
        let minute = fixed(b, &mut i, 2)?;
        let second = if eat(b, &mut i, b':') {
            fixed(b, &mut i, 2)?
        } else {
            0
        };
        let mut milli = 0;
        if second_given(b, i) && eat(b, &mut i, b'.') {
            let start = i;
            let mut scale = 100;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                milli += i64::from(b[i] - b'0') * scale;
                scale /= 10;
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        let plain = hour < 24 && minute < 60 && second < 60;
        let midnight = hour == 24 && minute == 0 && second == 0 && milli == 0;
        if !(plain || midnight) {
            return None;
        }
        time = ((hour * 60 + minute) * 60 + second) as f64 * 1000.0 + milli as f64;
        match b.get(i) {
            Some(b'Z') => i += 1,
            Some(s @ (b'+' | b'-')) => {
                let sign = if *s == b'-' { -1.0 } else { 1.0 };
                i += 1;
                let oh = fixed(b, &mut i, 2)?;
                if !eat(b, &mut i, b':') {
                    return None;
                }
                let om = fixed(b, &mut i, 2)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                offset_ms = sign * ((oh * 60 + om) * 60_000) as f64;
            }
            _ => {}
        }
    }
    if i != b.len() {
        return None;
    }
    let days = days_from_civil(year, month) + (day - 1);
    Some(days as f64 * MS_PER_DAY + time - offset_ms)
}

// A day may only follow a month, and a fraction only follows seconds; these read the text just
// parsed rather than threading flags through.
fn month_given(b: &[u8], i: usize) -> bool {
    i >= 3 && b[i - 3] == b'-'
}

fn second_given(b: &[u8], i: usize) -> bool {
    i >= 6 && b[i - 3] == b':' && b[i - 6] == b':'
}

fn eat(b: &[u8], i: &mut usize, c: u8) -> bool {
    if b.get(*i) == Some(&c) {
        *i += 1;
        true
    } else {
        false
    }
}

fn fixed(b: &[u8], i: &mut usize, n: usize) -> Option<i64> {
    let digits = b.get(*i..*i + n)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *i += n;
    Some(
        digits
            .iter()
            .fold(0, |acc, d| acc * 10 + i64::from(d - b'0')),
    )
}

/// Days from 1970-01-01 to the first of `month` in `year` (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day of the month (1–31) of a time in milliseconds since the epoch, in UTC.
fn day_of_month(ms: f64) -> i64 {
    let days = (ms / MS_PER_DAY).floor() as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    doy - (153 * mp + 2) / 5 + 1
}

/// `d = new Date(now); d.setDate(d.getDate() - Number(days)); d.getTime()` with TZ=UTC: setDate
/// truncates its argument toward zero and yields an invalid date (NaN) out of range.
pub fn days_ago(now_ms: f64, days: f64) -> f64 {
    let date = day_of_month(now_ms) as f64;
    let target = date - days;
    if !target.is_finite() {
        return f64::NAN;
    }
    let t = now_ms + (target.trunc() - date) * MS_PER_DAY;
    if t.abs() > MAX_TIME { f64::NAN } else { t }
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    reason = "JavaScript's results are exact, so these compare exactly"
)]
mod tests {
    use super::*;

    #[test]
    fn number_reads_as_javascript_does() {
        for (text, want) in [
            ("", 0.0),
            ("  ", 0.0),
            (" 12 ", 12.0),
            ("1e2", 100.0),
            ("0x10", 16.0),
            ("0B11", 3.0),
            ("0o17", 15.0),
            ("-Infinity", f64::NEG_INFINITY),
            (".5", 0.5),
            ("5.", 5.0),
            ("-0", -0.0),
            ("\u{a0}7\u{feff}", 7.0),
        ] {
            assert_eq!(to_number(text), want, "{text:?}");
        }
        for text in [
            "abc", "inf", "NaN", "infinity", "1_0", "-0x10", "0x", "1e", "e1", ".", "1 2", "+-1",
        ] {
            assert!(to_number(text).is_nan(), "{text:?}");
        }
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        for (x, want) in [
            (1.0, "1"),
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000_001, "0.000001"),
            (-0.0, "0"),
            (123.456, "123.456"),
        ] {
            assert_eq!(number_to_string(x), want);
        }
    }

    #[test]
    fn dates_read_as_javascript_does() {
        for (text, want) in [
            ("2024-01-01", 1_704_067_200_000.0),
            ("2024-02-30", 1_709_251_200_000.0),
            ("2024-01-01T10:00", 1_704_103_200_000.0),
            ("2024-01-01T24:00:00Z", 1_704_153_600_000.0),
            ("2024-01-01T10:00:00.5+02:00", 1_704_096_000_500.0),
            ("2024-01-01T10:00:00.123456Z", 1_704_103_200_123.0),
            ("2024", 1_704_067_200_000.0),
            ("2024-06", 1_717_200_000_000.0),
            ("+002024-01-01", 1_704_067_200_000.0),
        ] {
            assert_eq!(parse_date(text), want, "{text:?}");
        }
        for text in [
            "",
            "abc",
            "2024-13-01",
            "2024-01-32",
            "2024-01-00",
            "2024-01-01T10:00:60",
            "2024-01-01T10Z",
            "2024-01-01T25:00",
        ] {
            assert!(parse_date(text).is_nan(), "{text:?}");
        }
    }

    #[test]
    fn days_ago_follows_set_date() {
        let now = 1_704_103_200_000.0; // 2024-01-01T10:00Z
        assert_eq!(days_ago(now, 1.0), now - 86_400_000.0);
        assert_eq!(days_ago(now, 1.5), now - 86_400_000.0); // 1 - 1.5 = -0.5 truncates to 0
        assert!(days_ago(now, f64::NAN).is_nan());
        assert!(days_ago(now, 1e12).is_nan());
    }
}
