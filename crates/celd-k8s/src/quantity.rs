//! `resource.Quantity` as Kubernetes implements it: parsing, canonical form and arithmetic,
//! exact, with the same representation-dependent answers (`isInteger`, `asApproximateFloat`).
//!
//! Kubernetes keeps a quantity either as an `int64` mantissa with a power-of-ten scale (the
//! fast path, taken when the written number has at most 18 digits) or as an arbitrary-precision
//! decimal rounded up to nano units. Which one it holds decides some answers: `"1000m"` is held
//! as `1000 × 10⁻³`, and `AsInt64` refuses every negative scale, so `quantity("1000m").isInteger()`
//! is false while `quantity("1").isInteger()` is true. This module keeps the same two forms.
//!
//! One limit of our own: a decimal is at most [`MAX_DIGITS`] digits long. Kubernetes has none,
//! and `quantity("1234567890123456789e1000000000")` would allocate a ten-to-the-billion integer there; here it is
//! an [`QuantityError::TooLarge`] error (`"1.5e1000000000"` itself parses, as an int64 mantissa). Every quantity short of that bound behaves exactly.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// The most decimal digits a quantity held as a decimal may have (its unscaled value).
pub const MAX_DIGITS: u64 = 1000;

/// The regular expression Kubernetes quotes when a quantity is malformed.
const SPLIT_RE: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// Why a string is not a quantity (or an operation has no exact result within [`MAX_DIGITS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// The text is not `<signedNumber><suffix>`: `"1,5"`, `"1Kib"`.
    FormatWrong,
    /// The number has no digit where one is needed: `"-.e-10"`.
    Numeric,
    /// The suffix is none of Kubernetes': `"200K"`, `"1e"`.
    Suffix,
    /// The exact value needs more than [`MAX_DIGITS`] digits: `"1.5e100000"`.
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::FormatWrong => {
                write!(
                    f,
                    "quantities must match the regular expression '{SPLIT_RE}'"
                )
            }
            QuantityError::Numeric => f.write_str("unable to parse numeric part of quantity"),
            QuantityError::Suffix => f.write_str("unable to parse quantity's suffix"),
            QuantityError::TooLarge => write!(
                f,
                "quantity needs more than {MAX_DIGITS} digits to be represented exactly"
            ),
        }
    }
}

impl std::error::Error for QuantityError {}

/// How a quantity prints: the kind of suffix it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `12e6`.
    DecimalExponent,
    /// `12Mi` (powers of 1024).
    BinarySI,
    /// `12M` (powers of 1000), and plain numbers.
    DecimalSI,
}

/// The two representations Kubernetes keeps.
#[derive(Clone, Debug)]
enum Amount {
    /// `value × 10^scale`.
    Int { value: i64, scale: i32 },
    /// `unscaled × 10^exponent`, exact.
    Dec { unscaled: BigInt, exponent: i64 },
}

/// A Kubernetes resource quantity.
#[derive(Clone, Debug)]
pub struct Quantity {
    amount: Amount,
    format: Format,
    /// The text it was parsed from, when Kubernetes keeps it as the printed form.
    text: Option<Box<str>>,
}

/// The pieces of a quantity's text, as Kubernetes' scanner splits it.
struct Parts<'a> {
    positive: bool,
    /// Sign, digits and point as written (without the suffix).
    value: &'a str,
    /// Digits before the point, leading zeros removed (`"0"` when none are left).
    num: &'a str,
    /// Digits after the point.
    denom: &'a str,
    suffix: &'a str,
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// Kubernetes' `parseQuantityString`, byte for byte.
fn scan(s: &str) -> Result<Parts<'_>, QuantityError> {
    let bytes = s.as_bytes();
    let end = bytes.len();
    let mut positive = true;
    let mut pos = 0;
    match bytes.first() {
        Some(b'-') => {
            positive = false;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    let mut i = pos;
    while i < end && bytes[i] == b'0' {
        i += 1;
    }
    if i >= end {
        return Ok(Parts {
            positive,
            value: "0",
            num: "0",
            denom: "",
            suffix: "",
        });
    }
    pos = i;
    while i < end && is_digit(bytes[i]) {
        i += 1;
    }
    let mut num = &s[pos..i];
    if i >= end {
        return Ok(Parts {
            positive,
            value: s,
            num,
            denom: "",
            suffix: "",
        });
    }
    pos = i;
    if num.is_empty() {
        num = "0";
    }
    let mut denom = "";
    if bytes[pos] == b'.' {
        pos += 1;
        let mut j = pos;
        while j < end && is_digit(bytes[j]) {
            j += 1;
        }
        denom = &s[pos..j];
        if j >= end {
            return Ok(Parts {
                positive,
                value: s,
                num,
                denom,
                suffix: "",
            });
        }
        pos = j;
    }
    let value = &s[..pos];
    let suffix_start = pos;
    let mut j = pos;
    while j < end && b"eEinumkKMGTP".contains(&bytes[j]) {
        j += 1;
    }
    if j < end && (bytes[j] == b'-' || bytes[j] == b'+') {
        j += 1;
    }
    while j < end && is_digit(bytes[j]) {
        j += 1;
    }
    if j < end {
        return Err(QuantityError::FormatWrong);
    }
    Ok(Parts {
        positive,
        value,
        num,
        denom,
        suffix: &s[suffix_start..],
    })
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign and at least one digit, no overflow.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(is_digit) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// A suffix's base, exponent and format (`quantitySuffixer.interpret`).
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal = |e| Some((10, e, Format::DecimalSI));
    let binary = |e| Some((2, e, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ if suffix.len() > 1 && suffix.starts_with(['e', 'E']) => {
            // Kubernetes narrows the parsed int64 to int32 without a check.
            parse_go_int(&suffix[1..]).map(|e| (10, e as i32, Format::DecimalExponent))
        }
        _ => None,
    }
}

fn digit_count(n: &BigInt) -> u64 {
    if n.is_zero() {
        return 1;
    }
    // bits × log10(2), rounded up: never too small, at most one too large.
    (n.bits() as f64 * std::f64::consts::LOG10_2).ceil() as u64 + 1
}

fn pow10(n: u64) -> Result<BigInt, QuantityError> {
    if n > MAX_DIGITS + 20 {
        return Err(QuantityError::TooLarge);
    }
    Ok(num_traits::pow(BigInt::from(10u8), n as usize))
}

fn check_digits(n: BigInt) -> Result<BigInt, QuantityError> {
    if digit_count(&n) > MAX_DIGITS + 20 {
        return Err(QuantityError::TooLarge);
    }
    Ok(n)
}

/// `value × 10^scale` for a non-negative `scale`, or `None` on `int64` overflow.
fn scale_int64(value: i64, scale: i64) -> Option<i64> {
    if value == 0 {
        return Some(0);
    }
    let factor = 10i64.checked_pow(u32::try_from(scale).ok()?)?;
    value.checked_mul(factor)
}

impl Quantity {
    /// Parses `text` as Kubernetes' `resource.ParseQuantity` does.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        if text.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        if text == "0" {
            return Ok(Quantity {
                amount: Amount::Int { value: 0, scale: 0 },
                format: Format::DecimalSI,
                text: Some(text.into()),
            });
        }
        let parts = scan(text)?;
        let (base, exponent, format) = interpret(parts.suffix).ok_or(QuantityError::Suffix)?;
        if let Some(q) = Self::parse_int64(text, &parts, exponent, format) {
            return Ok(q);
        }
        Self::parse_decimal(&parts, base, exponent, format)
    }

    /// Kubernetes' fast path: at most 18 digits and a scale no finer than nano.
    fn parse_int64(text: &str, p: &Parts<'_>, exponent: i32, format: Format) -> Option<Quantity> {
        let digits = (p.num.len() + p.denom.len()) as i64;
        let (mut scale, precision, mantissa) = match format {
            Format::DecimalExponent | Format::DecimalSI => (exponent, 18 - digits, 1i64),
            Format::BinarySI if exponent >= 0 && p.denom.is_empty() => {
                let adjust = (exponent as f32 * 3.0 / 10.0) as i64;
                (0, 15 - p.num.len() as i64 - adjust - 1, 1i64 << exponent)
            }
            Format::BinarySI => (0, -1, 1),
        };
        if precision < 0 {
            return None;
        }
        scale = scale.wrapping_sub(p.denom.len() as i32);
        if scale < -9 {
            return None;
        }
        let shifted = format!("{}{}", p.num, p.denom);
        let value: i64 = shifted.parse().ok()?;
        let mut result = value.checked_mul(mantissa)?;
        if !p.positive {
            result = -result;
        }
        let keeps_text = match format {
            Format::BinarySI => exponent % 10 == 0 && value & 0x07 != 0,
            _ => scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0'),
        };
        Some(Quantity {
            amount: Amount::Int {
                value: result,
                scale,
            },
            format,
            text: keeps_text.then(|| text.into()),
        })
    }

    /// Kubernetes' slow path: an exact decimal, rounded up to nano units.
    fn parse_decimal(
        p: &Parts<'_>,
        base: u32,
        exponent: i32,
        mut format: Format,
    ) -> Result<Quantity, QuantityError> {
        let (mut unscaled, mut inf_scale) = parse_inf_dec(p.value)?;
        if base == 10 {
            // `amount.SetScale(amount.Scale() + Scale(exponent).infScale())`, in int32.
            inf_scale = (inf_scale as i32).wrapping_add(exponent.wrapping_neg()) as i64;
        } else {
            unscaled <<= exponent as usize;
        }
        let negative = unscaled.is_negative();
        unscaled = unscaled.abs();
        if !unscaled.is_zero() {
            unscaled = round_up_to_nano(unscaled, inf_scale)?;
            inf_scale = 9;
        }
        let max_allowed = BigInt::from(i64::MAX);
        if format == Format::BinarySI && cmp_dec(&unscaled, -inf_scale, &max_allowed, 0).is_gt() {
            unscaled = max_allowed;
            inf_scale = 0;
        }
        if format == Format::BinarySI
            && !unscaled.is_zero()
            && cmp_dec(&unscaled, -inf_scale, &BigInt::from(1), 0).is_lt()
        {
            format = Format::DecimalSI;
        }
        if negative {
            unscaled = -unscaled;
        }
        Ok(Quantity {
            amount: Amount::Dec {
                unscaled,
                exponent: -inf_scale,
            },
            format,
            text: None,
        })
    }

    /// The sign: -1, 0 or 1.
    pub fn sign(&self) -> i64 {
        match &self.amount {
            Amount::Int { value, .. } => value.signum(),
            Amount::Dec { unscaled, .. } => match unscaled.sign() {
                Sign::Minus => -1,
                Sign::NoSign => 0,
                Sign::Plus => 1,
            },
        }
    }

    pub fn is_zero(&self) -> bool {
        self.sign() == 0
    }

    /// The format the quantity prints in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// `AsInt64`: the value as an `int64` when Kubernetes can give it without loss. A quantity
    /// held as a decimal, or with a negative scale (`"1000m"`, `"1.0"`), has none.
    pub fn as_i64(&self) -> Option<i64> {
        match self.amount {
            Amount::Int { value, scale } if scale >= 0 => scale_int64(value, scale.into()),
            _ => None,
        }
    }

    /// `AsApproximateFloat64`: the mantissa as a double times Go's `math.Pow10(exponent)`.
    pub fn as_approximate_f64(&self) -> f64 {
        let (base, exponent) = match &self.amount {
            Amount::Int { value, scale } => (*value as f64, i64::from(*scale)),
            Amount::Dec { unscaled, exponent } => (big_to_f64(unscaled), *exponent),
        };
        if exponent == 0 {
            return base;
        }
        base * go_pow10(exponent)
    }

    /// `q.Cmp(other)`.
    pub fn compare(&self, other: &Quantity) -> Ordering {
        if let (
            Amount::Int {
                value: a,
                scale: sa,
            },
            Amount::Int {
                value: b,
                scale: sb,
            },
        ) = (&self.amount, &other.amount)
        {
            let diff = i64::from(*sa) - i64::from(*sb);
            if diff.abs() <= 19 {
                let (a, b) = (i128::from(*a), i128::from(*b));
                return if diff >= 0 {
                    (a * 10i128.pow(diff as u32)).cmp(&b)
                } else {
                    a.cmp(&(b * 10i128.pow((-diff) as u32)))
                };
            }
        }
        let (a, ea) = self.decimal();
        let (b, eb) = other.decimal();
        cmp_dec(&a, ea, &b, eb)
    }

    /// The value as `unscaled × 10^exponent` (`AsDec`).
    fn decimal(&self) -> (BigInt, i64) {
        match &self.amount {
            Amount::Int { value, scale } => (BigInt::from(*value), i64::from(*scale)),
            Amount::Dec { unscaled, exponent } => (unscaled.clone(), *exponent),
        }
    }

    /// `q.Add(other)` on a copy.
    pub fn add(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let mut format = self.format;
        if let (
            Amount::Int {
                value: a,
                scale: sa,
            },
            Amount::Int {
                value: b,
                scale: sb,
            },
        ) = (&self.amount, &other.amount)
        {
            if *a == 0 {
                format = other.format;
            }
            if let Some((value, scale)) = int64_add((*a, *sa), (*b, *sb)) {
                return Ok(Quantity {
                    amount: Amount::Int { value, scale },
                    format,
                    text: None,
                });
            }
        } else if self.is_zero() {
            format = other.format;
        }
        self.decimal_op(other, format, false)
    }

    /// `q.Sub(other)` on a copy.
    pub fn sub(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let format = if self.is_zero() {
            other.format
        } else {
            self.format
        };
        if let (
            Amount::Int {
                value: a,
                scale: sa,
            },
            Amount::Int {
                value: b,
                scale: sb,
            },
        ) = (&self.amount, &other.amount)
        {
            let aligned = can_align(*sa, *sb);
            if !(*b == i64::MIN && aligned)
                && let Some((value, scale)) = int64_add((*a, *sa), (b.wrapping_neg(), *sb))
            {
                return Ok(Quantity {
                    amount: Amount::Int { value, scale },
                    format,
                    text: None,
                });
            }
        }
        self.decimal_op(other, format, true)
    }

    /// `q.Add(int)` as the CEL library does it: the int as a `DecimalExponent` quantity.
    pub fn add_int(&self, n: i64) -> Result<Quantity, QuantityError> {
        self.add(&Quantity::from_i64(n))
    }

    /// `q.Sub(int)`, likewise.
    pub fn sub_int(&self, n: i64) -> Result<Quantity, QuantityError> {
        self.sub(&Quantity::from_i64(n))
    }

    /// `resource.NewQuantity(n, DecimalExponent)`.
    pub fn from_i64(n: i64) -> Quantity {
        Quantity {
            amount: Amount::Int { value: n, scale: 0 },
            format: Format::DecimalExponent,
            text: None,
        }
    }

    fn decimal_op(
        &self,
        other: &Quantity,
        format: Format,
        subtract: bool,
    ) -> Result<Quantity, QuantityError> {
        let (a, ea) = self.decimal();
        let (b, eb) = other.decimal();
        let exponent = ea.min(eb);
        let a = check_digits(a * pow10((ea - exponent) as u64)?)?;
        let b = check_digits(b * pow10((eb - exponent) as u64)?)?;
        let unscaled = if subtract { a - b } else { a + b };
        Ok(Quantity {
            amount: Amount::Dec { unscaled, exponent },
            format,
            text: None,
        })
    }

    /// The canonical text (`String()`), or the text it was parsed from when Kubernetes keeps it.
    pub fn canonical(&self) -> String {
        if let Some(text) = &self.text {
            return text.to_string();
        }
        if self.is_zero() {
            return "0".into();
        }
        let (unscaled, exponent) = self.decimal();
        let mut format = self.format;
        if format == Format::BinarySI {
            let small = cmp_dec(&unscaled, exponent, &BigInt::from(-1024), 0).is_gt()
                && cmp_dec(&unscaled, exponent, &BigInt::from(1024), 0).is_lt();
            if small || integer_value(&unscaled, exponent).is_none() {
                format = Format::DecimalSI;
            }
        }
        match format {
            Format::BinarySI => {
                let n = integer_value(&unscaled, exponent).unwrap_or_default();
                let (mantissa, times) = strip_factors(n, 1024);
                let suffix = match times {
                    1 => "Ki",
                    2 => "Mi",
                    3 => "Gi",
                    4 => "Ti",
                    5 => "Pi",
                    6 => "Ei",
                    _ => "",
                };
                format!("{mantissa}{suffix}")
            }
            Format::DecimalSI | Format::DecimalExponent => {
                let (mut mantissa, times) = strip_factors(unscaled, 10);
                let mut exponent = exponent + i64::from(times);
                while exponent % 3 != 0 {
                    mantissa *= 10;
                    exponent -= 1;
                }
                let suffix = if format == Format::DecimalExponent {
                    if exponent == 0 {
                        String::new()
                    } else {
                        format!("e{exponent}")
                    }
                } else {
                    // An exponent without a suffix prints without one, as in Kubernetes.
                    decimal_suffix(exponent).to_string()
                };
                format!("{mantissa}{suffix}")
            }
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.compare(other).is_eq()
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(s)
    }
}

fn decimal_suffix(exponent: i64) -> &'static str {
    match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => "",
    }
}

/// `int64Amount.Add`: `None` where Kubernetes falls back to its decimal form.
fn int64_add(a: (i64, i32), b: (i64, i32)) -> Option<(i64, i32)> {
    let ((av, sa), (bv, sb)) = (a, b);
    if bv == 0 {
        return Some(a);
    }
    if av == 0 {
        return Some(b);
    }
    match sa.cmp(&sb) {
        Ordering::Equal => av.checked_add(bv).map(|v| (v, sa)),
        Ordering::Greater => {
            let c = scale_int64(av, i64::from(sa) - i64::from(sb))?;
            c.checked_add(bv).map(|v| (v, sb))
        }
        Ordering::Less => {
            let c = scale_int64(bv, i64::from(sb) - i64::from(sa))?;
            av.checked_add(c).map(|v| (v, sa))
        }
    }
}

/// `Scale.canAlignInfScale`.
fn can_align(a: i32, b: i32) -> bool {
    a != i32::MIN && b != i32::MIN && (i64::from(a) - i64::from(b)).abs() <= i64::from(i32::MAX)
}

/// `inf.Dec.SetString` on the written number: its digits and how many follow the point.
fn parse_inf_dec(text: &str) -> Result<(BigInt, i64), QuantityError> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int_part, frac_part) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = format!("{int_part}{frac_part}");
    if digits.is_empty() {
        return Err(QuantityError::Numeric);
    }
    if digits.len() as u64 > MAX_DIGITS {
        return Err(QuantityError::TooLarge);
    }
    let mut n: BigInt = digits.parse().map_err(|_| QuantityError::Numeric)?;
    if negative {
        n = -n;
    }
    Ok((n, frac_part.len() as i64))
}

/// Rounds a positive `unscaled × 10^-inf_scale` up to a multiple of 10⁻⁹; the result's unscaled
/// value at scale 9.
fn round_up_to_nano(unscaled: BigInt, inf_scale: i64) -> Result<BigInt, QuantityError> {
    if inf_scale <= 9 {
        let shift = (9 - inf_scale) as u64;
        if digit_count(&unscaled) + shift > MAX_DIGITS + 20 {
            return Err(QuantityError::TooLarge);
        }
        return Ok(unscaled * pow10(shift)?);
    }
    let shift = (inf_scale - 9) as u64;
    if shift > digit_count(&unscaled) {
        return Ok(BigInt::from(1));
    }
    let (quotient, remainder) = unscaled.div_rem(&pow10(shift)?);
    Ok(if remainder.is_zero() {
        quotient
    } else {
        quotient + 1
    })
}

/// Compares `a × 10^ea` with `b × 10^eb` without writing out a huge alignment.
fn cmp_dec(a: &BigInt, ea: i64, b: &BigInt, eb: i64) -> Ordering {
    let (sa, sb) = (a.sign(), b.sign());
    if sa != sb || sa == Sign::NoSign {
        return sign_rank(sa).cmp(&sign_rank(sb));
    }
    // Magnitudes: a has between digits-1 and digits integer digits above its exponent.
    let (ma, mb) = (digit_count(a) as i64 + ea, digit_count(b) as i64 + eb);
    let flip = |o: Ordering| if sa == Sign::Minus { o.reverse() } else { o };
    if ma > mb + 2 {
        return flip(Ordering::Greater);
    }
    if mb > ma + 2 {
        return flip(Ordering::Less);
    }
    let e = ea.min(eb);
    let scaled_a = a * pow10_unbounded((ea - e) as u64);
    let scaled_b = b * pow10_unbounded((eb - e) as u64);
    scaled_a.cmp(&scaled_b)
}

/// 10ⁿ for an alignment the magnitude check has already bounded by the operands' digits.
fn pow10_unbounded(n: u64) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

fn sign_rank(s: Sign) -> i8 {
    match s {
        Sign::Minus => -1,
        Sign::NoSign => 0,
        Sign::Plus => 1,
    }
}

/// The value as an integer, when it is one.
fn integer_value(unscaled: &BigInt, exponent: i64) -> Option<BigInt> {
    if exponent >= 0 {
        return Some(unscaled * pow10_unbounded(exponent as u64));
    }
    let (quotient, remainder) = unscaled.div_rem(&pow10_unbounded((-exponent) as u64));
    remainder.is_zero().then_some(quotient)
}

/// Divides out `factor` while it divides, counting how often.
fn strip_factors(mut n: BigInt, factor: u32) -> (BigInt, u32) {
    let factor = BigInt::from(factor);
    let mut times = 0;
    if n.is_zero() {
        return (n, 0);
    }
    loop {
        let (quotient, remainder) = n.div_rem(&factor);
        if !remainder.is_zero() {
            return (n, times);
        }
        n = quotient;
        times += 1;
    }
}

/// The nearest double (Go's `big.Float.Float64`), infinite beyond the range.
fn big_to_f64(n: &BigInt) -> f64 {
    n.to_f64()
        .filter(|f| f.is_finite())
        .unwrap_or_else(|| n.to_string().parse().unwrap_or(f64::NAN))
}

/// Go's `math.Pow10`, including how it composes its tables (results differ from `10f64.powi`).
fn go_pow10(n: i64) -> f64 {
    const POS32: [f64; 10] = [
        1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288,
    ];
    const NEG32: [f64; 11] = [
        1e0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320,
    ];
    let table = |i: usize| -> f64 { format!("1e{i}").parse().unwrap_or(f64::INFINITY) };
    if (0..=308).contains(&n) {
        let n = n as usize;
        return POS32[n / 32] * table(n % 32);
    }
    if (-323..=0).contains(&n) {
        let m = (-n) as usize;
        return NEG32[m / 32] / table(m % 32);
    }
    if n > 0 { f64::INFINITY } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn canonical_forms() {
        let cases = [
            ("1.5", "1500m"),
            ("1.5Gi", "1536Mi"),
            ("1000", "1k"),
            ("1000m", "1"),
            ("0.1m", "100u"),
            ("1e3", "1e3"),
            ("1E3", "1E3"),
            ("12e6", "12e6"),
            ("1Ki", "1Ki"),
            ("1024Ki", "1Mi"),
            ("1025Ki", "1025Ki"),
            ("0.5Ki", "512"),
            ("0.0001Ki", "102400u"),
            ("1.5Ki", "1536"),
            ("8Ei", "9223372036854775807"),
            ("-1.5", "-1500m"),
            ("100M", "100M"),
            ("1000E", "1"),
            ("1e-10", "1e-9"),
            ("0.000000001", "1n"),
            ("-0.0000000001", "-1n"),
            ("123456789012345678901", "123456789012345678901"),
            ("0", "0"),
            ("000", "0"),
            ("0e5", "0"),
            (".5", "500m"),
            ("5.", "5."),
            ("Mi", "0"),
            ("+1k", "+1k"),
            ("01Ki", "01Ki"),
            ("1.500", "1.500"),
            ("+", "0"),
            ("-", "0"),
            (".", "0"),
        ];
        for (input, want) in cases {
            assert_eq!(q(input).canonical(), want, "{input}");
        }
    }

    #[test]
    fn parse_errors_carry_kubernetes_messages() {
        let cases = [
            ("", QuantityError::FormatWrong),
            ("1,5", QuantityError::FormatWrong),
            ("10Mo", QuantityError::FormatWrong),
            ("10Mm", QuantityError::Suffix),
            ("Three", QuantityError::FormatWrong),
            ("1.2.3", QuantityError::FormatWrong),
            ("200K", QuantityError::Suffix),
            ("1e", QuantityError::Suffix),
            ("1ki", QuantityError::Suffix),
            ("1k1", QuantityError::Suffix),
            ("1e+", QuantityError::Suffix),
            ("1e99999999999999999999", QuantityError::Suffix),
            ("-.e-10", QuantityError::Numeric),
            ("1234567890123456789e100000", QuantityError::TooLarge),
        ];
        for (input, want) in cases {
            assert_eq!(Quantity::parse(input).err(), Some(want), "{input}");
        }
        assert_eq!(
            QuantityError::FormatWrong.to_string(),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert_eq!(
            QuantityError::Suffix.to_string(),
            "unable to parse quantity's suffix"
        );
    }

    #[test]
    fn integers_follow_the_representation() {
        assert_eq!(q("50000000G").as_i64(), Some(50_000_000_000_000_000));
        assert_eq!(q("50k").as_i64(), Some(50_000));
        assert_eq!(q("1").as_i64(), Some(1));
        assert_eq!(q("922337203685477580").as_i64(), Some(922337203685477580));
        assert_eq!(
            q("9223372036854775807").as_i64(),
            None,
            "19 digits: held as a decimal"
        );
        assert_eq!(q("9999999999999999999999999999999999999G").as_i64(), None);
        assert_eq!(q("1000m").as_i64(), None, "negative scale");
        assert_eq!(q("1.0").as_i64(), None, "negative scale");
        assert_eq!(q("1Ki").as_i64(), Some(1024));
        assert_eq!(q("10E").as_i64(), None, "overflows int64");
        assert_eq!(
            q("123456789012345678901").as_i64(),
            None,
            "held as a decimal"
        );
    }

    #[test]
    fn comparisons_are_exact() {
        use Ordering::*;
        let cases = [
            ("200M", "0.2G", Equal),
            ("50M", "50Mi", Less),
            ("50Mi", "50M", Greater),
            ("150Mi", "100Mi", Greater),
            ("1e1000000000", "1", Greater),
            ("-1e1000000000", "1", Less),
            ("1n", "0.000000001", Equal),
            ("9999999999999999999999999999999999999G", "1E", Greater),
            ("1000m", "1", Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(q(a).compare(&q(b)), want, "{a} vs {b}");
        }
        assert!(q("1.5") == q("1500m"));
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(q("50k").add(&q("20k")).unwrap(), q("70k"));
        assert_eq!(q("50k").add_int(20).unwrap(), q("50020"));
        assert_eq!(q("50k").sub(&q("20k")).unwrap(), q("30k"));
        assert_eq!(q("50k").sub_int(20000).unwrap(), q("30k"));
        let chained = q("50k")
            .add_int(20)
            .and_then(|x| x.sub(&q("100k")))
            .and_then(|x| x.sub_int(-50000))
            .unwrap();
        assert_eq!(chained, q("20"));
        // int64 overflow moves to the exact decimal.
        let big = q("9223372036854775807").add_int(1).unwrap();
        assert_eq!(big.canonical(), "9223372036854775808");
        assert_eq!(big.as_i64(), None);
        assert_eq!(q("0").add_int(5).unwrap().format(), Format::DecimalExponent);
        assert_eq!(q("1Ki").add(&q("1Ki")).unwrap().canonical(), "2Ki");
        assert_eq!(
            q("1e1000000000").add_int(1).err(),
            Some(QuantityError::TooLarge)
        );
        assert_eq!(
            q("1").sub_int(i64::MIN).unwrap().canonical(),
            "9223372036854775809"
        );
    }

    #[test]
    fn signs() {
        assert_eq!(q("-1m").sign(), -1);
        assert_eq!(q("0.0000000000").sign(), 0);
        assert_eq!(q("1Ei").sign(), 1);
    }

    #[test]
    fn approximate_floats() {
        assert_eq!(
            q("50k").sub_int(20000).unwrap().as_approximate_f64(),
            30000.0
        );
        assert_eq!(q("1.5").as_approximate_f64(), 1.5);
        assert_eq!(q("1Mi").as_approximate_f64(), 1048576.0);
        assert_eq!(q("1e400").as_approximate_f64(), f64::INFINITY);
        assert!(
            q("0e400").as_approximate_f64().is_nan(),
            "0 × Inf, as in Go"
        );
        assert_eq!(q("1n").as_approximate_f64(), 1e-9);
        assert_eq!(q("50.703k").as_approximate_f64(), 50703.0);
    }

    #[test]
    fn go_pow10_tables() {
        assert_eq!(go_pow10(0), 1.0);
        assert_eq!(go_pow10(-9), 1e-9);
        assert_eq!(go_pow10(22), 1e22);
        assert_eq!(go_pow10(309), f64::INFINITY);
        assert_eq!(go_pow10(-324), 0.0);
    }
}
