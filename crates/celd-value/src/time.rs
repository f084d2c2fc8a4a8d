//! Timestamps and durations: range checks, parsing, formatting, and calendar accessors in a time zone.
//!
//! Timestamps cover `0001-01-01T00:00:00Z` to `9999-12-31T23:59:59.999999999Z`.
//! Durations are limited to what a signed 64-bit count of nanoseconds holds
//! (about ±292 years), as cel-spec's language definition says.

use std::fmt::Write;

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

use crate::{Duration, EvalError, Result};

/// Seconds of `0001-01-01T00:00:00Z`.
pub const MIN_TIMESTAMP_SECONDS: i64 = -62_135_596_800;
/// Seconds of `9999-12-31T23:59:59Z`.
pub const MAX_TIMESTAMP_SECONDS: i64 = 253_402_300_799;

/// An instant in UTC with nanosecond precision, from `0001-01-01T00:00:00Z` to
/// `9999-12-31T23:59:59.999999999Z` — every value in that range, which is wider
/// than what some time libraries hold, so the type is CEL's own.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp {
    /// Seconds since the Unix epoch, floored.
    seconds: i64,
    /// Nanoseconds after `seconds`, `0..1_000_000_000`.
    nanos: u32,
}

impl Timestamp {
    pub const UNIX_EPOCH: Timestamp = Timestamp {
        seconds: 0,
        nanos: 0,
    };

    /// A timestamp from seconds since the epoch and non-negative nanoseconds, range-checked.
    pub fn new(seconds: i64, nanos: i32) -> Result<Timestamp> {
        if !(0..1_000_000_000).contains(&nanos)
            || !(MIN_TIMESTAMP_SECONDS..=MAX_TIMESTAMP_SECONDS).contains(&seconds)
        {
            return Err(EvalError::time_range("timestamp"));
        }
        Ok(Timestamp {
            seconds,
            nanos: nanos as u32,
        })
    }

    /// A timestamp from nanoseconds since the epoch, range-checked.
    pub fn from_nanos(nanos: i128) -> Result<Timestamp> {
        let seconds = nanos.div_euclid(1_000_000_000);
        let seconds = i64::try_from(seconds).map_err(|_| EvalError::time_range("timestamp"))?;
        Timestamp::new(seconds, nanos.rem_euclid(1_000_000_000) as i32)
    }

    /// Seconds since the epoch (floored: the instant half a second before the epoch is -1).
    pub fn as_second(self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`as_second`](Self::as_second), in `0..1_000_000_000`.
    pub fn subsec_nanosecond(self) -> i32 {
        self.nanos as i32
    }

    pub fn as_nanos(self) -> i128 {
        self.seconds as i128 * 1_000_000_000 + self.nanos as i128
    }

    pub fn checked_add(self, d: Duration) -> Result<Timestamp> {
        Timestamp::from_nanos(self.as_nanos() + d.as_nanos())
    }

    pub fn checked_sub(self, d: Duration) -> Result<Timestamp> {
        Timestamp::from_nanos(self.as_nanos() - d.as_nanos())
    }

    /// `self - earlier` as a duration, range-checked.
    pub fn duration_since(self, earlier: Timestamp) -> Result<Duration> {
        let nanos = self.as_nanos() - earlier.as_nanos();
        if nanos < i64::MIN as i128 || nanos > i64::MAX as i128 {
            return Err(EvalError::time_range("duration"));
        }
        Ok(Duration::from_nanos_i128(nanos))
    }

    /// The calendar date and time in UTC.
    pub fn to_utc_civil(self) -> DateTime {
        let since_epoch = Duration::new(self.seconds, self.nanos as i32);
        // Every CEL timestamp is a valid civil date-time, so the addition cannot fail.
        UNIX_EPOCH_CIVIL
            .checked_add(since_epoch)
            .unwrap_or(UNIX_EPOCH_CIVIL)
    }

    /// The calendar date and time seen in `tz`.
    pub fn to_civil(self, tz: &TimeZone) -> DateTime {
        let utc = self.to_utc_civil();
        let probe = jiff::Timestamp::new(
            self.seconds.clamp(
                jiff::Timestamp::MIN.as_second(),
                jiff::Timestamp::MAX.as_second(),
            ),
            0,
        )
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let offset = Duration::from_secs(tz.to_offset(probe).seconds() as i64);
        utc.checked_add(offset).unwrap_or(utc)
    }
}

const UNIX_EPOCH_CIVIL: DateTime = jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0);

/// Checks that a duration fits in a signed 64-bit count of nanoseconds.
pub fn checked_duration(d: Duration) -> Result<Duration> {
    let nanos = d.as_nanos();
    if nanos >= i64::MIN as i128 && nanos <= i64::MAX as i128 {
        Ok(d)
    } else {
        Err(EvalError::time_range("duration"))
    }
}

/// `timestamp(int)`: seconds since the Unix epoch.
pub fn timestamp_from_seconds(seconds: i64) -> Result<Timestamp> {
    Timestamp::new(seconds, 0)
}

/// Builds a timestamp from protobuf `seconds` and `nanos`, checking CEL's range.
pub fn timestamp_from_parts(seconds: i64, nanos: i32) -> Result<Timestamp> {
    Timestamp::new(seconds, nanos)
}

/// Builds a duration from protobuf `seconds` and `nanos`, checking CEL's range.
pub fn duration_from_parts(seconds: i64, nanos: i32) -> Result<Duration> {
    if nanos.abs() >= 1_000_000_000 {
        return Err(EvalError::time_range("duration"));
    }
    checked_duration(Duration::new(seconds, nanos))
}

/// Parses an RFC 3339 timestamp: `2024-01-01T00:00:00Z`, `2024-01-01T01:00:00.5+01:00`.
pub fn parse_timestamp(text: &str) -> Result<Timestamp> {
    let invalid = || EvalError::invalid_argument(format!("invalid timestamp '{}'", truncate(text)));
    let fields = Rfc3339::parse(text).ok_or_else(invalid)?;
    let civil = jiff::civil::DateTime::new(
        fields.year,
        fields.month,
        fields.day,
        fields.hour,
        fields.minute,
        fields.second,
        fields.nanos,
    )
    .map_err(|_| invalid())?;
    let local = civil.duration_since(UNIX_EPOCH_CIVIL).as_nanos();
    Timestamp::from_nanos(local - fields.offset_seconds as i128 * 1_000_000_000)
}

/// The fields of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
struct Rfc3339 {
    year: i16,
    month: i8,
    day: i8,
    hour: i8,
    minute: i8,
    second: i8,
    nanos: i32,
    offset_seconds: i32,
}

impl Rfc3339 {
    fn parse(text: &str) -> Option<Rfc3339> {
        let b = text.as_bytes();
        let digits = |from: usize, n: usize| -> Option<i32> {
            let part = b.get(from..from + n)?;
            part.iter().all(u8::is_ascii_digit).then(|| {
                part.iter()
                    .fold(0i32, |acc, d| acc * 10 + (d - b'0') as i32)
            })
        };
        let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
        if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
            return None;
        }
        let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
        let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
        let mut at = 19;
        let mut nanos = 0;
        if b.get(at) == Some(&b'.') {
            let count = b[at + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if count == 0 || count > 9 {
                return None;
            }
            nanos = digits(at + 1, count)? * 10i32.pow(9 - count as u32);
            at += 1 + count;
        }
        let offset_seconds = match b.get(at)? {
            b'Z' | b'z' if at + 1 == b.len() => 0,
            sign @ (b'+' | b'-') if at + 6 == b.len() && sep(at + 3, b":") => {
                let (h, m) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
                if h > 23 || m > 59 {
                    return None;
                }
                let s = h * 3600 + m * 60;
                if *sign == b'-' { -s } else { s }
            }
            _ => return None,
        };
        Some(Rfc3339 {
            year: year as i16,
            month: month as i8,
            day: day as i8,
            hour: hour as i8,
            minute: minute as i8,
            second: second as i8,
            nanos,
            offset_seconds,
        })
    }
}

/// Formats a timestamp as RFC 3339 in UTC with the shortest exact fraction: `2024-01-01T00:00:00.5Z`.
pub fn format_timestamp(t: Timestamp) -> String {
    let dt = t.to_utc_civil();
    let mut out = String::with_capacity(30);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    push_fraction(&mut out, dt.subsec_nanosecond().unsigned_abs());
    out.push('Z');
    out
}

/// Formats a duration in protobuf JSON form: seconds with the shortest exact fraction, `1.5s`.
pub fn format_duration(d: Duration) -> String {
    let mut out = String::new();
    if d.is_negative() {
        out.push('-');
    }
    let _ = write!(out, "{}", d.as_secs().unsigned_abs());
    push_fraction(&mut out, d.subsec_nanos().unsigned_abs());
    out.push('s');
    out
}

fn push_fraction(out: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    let digits = format!("{nanos:09}");
    out.push('.');
    out.push_str(digits.trim_end_matches('0'));
}

/// Parses a duration the way Go's `time.ParseDuration` does: `1h30m`, `-1.5s`, `250ms`, `0`.
///
/// Units are `h`, `m`, `s`, `ms`, `us` (or `µs`), `ns`; each component may have a fraction.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let invalid = || EvalError::invalid_argument(format!("invalid duration '{}'", truncate(text)));
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let (nanos, tail) = parse_duration_component(rest).ok_or_else(invalid)?;
        total = total
            .checked_add(nanos)
            .filter(|t| *t <= i64::MAX as i128 + 1)
            .ok_or_else(|| EvalError::time_range("duration"))?;
        rest = tail;
    }
    let total = if negative { -total } else { total };
    if total < i64::MIN as i128 || total > i64::MAX as i128 {
        return Err(EvalError::time_range("duration"));
    }
    Ok(Duration::from_nanos_i128(total))
}

/// One `<number><unit>` component, in nanoseconds, and the text after it.
fn parse_duration_component(text: &str) -> Option<(i128, &str)> {
    let number_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(number_len);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return None;
    }
    let unit_len = rest
        .find(|c: char| c.is_ascii_digit() || c == '.')
        .unwrap_or(rest.len());
    let (unit, rest) = rest.split_at(unit_len);
    let unit_nanos: i128 = match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    // Digits beyond what can matter are ignored rather than overflowing.
    let whole: i128 = if whole.is_empty() {
        0
    } else if whole.len() > 20 {
        return Some((i128::MAX / 2, rest));
    } else {
        whole.parse().ok()?
    };
    let mut nanos = whole.checked_mul(unit_nanos)?;
    let mut scale = unit_nanos;
    for digit in fraction.bytes().take(30) {
        scale /= 10;
        if scale == 0 {
            break;
        }
        nanos += (digit - b'0') as i128 * scale;
    }
    Some((nanos, rest))
}

/// Resolves a time zone argument: `UTC`, an IANA name (`America/New_York`), or a fixed offset (`+05:30`, `-08:00`).
pub fn parse_time_zone(name: &str) -> Result<TimeZone> {
    if let Some(offset) = parse_fixed_offset(name) {
        return Ok(TimeZone::fixed(offset));
    }
    if name.eq_ignore_ascii_case("utc") || name == "Z" {
        return Ok(TimeZone::UTC);
    }
    TimeZone::get(name)
        .map_err(|_| EvalError::invalid_argument(format!("unknown time zone '{}'", truncate(name))))
}

/// `+05:30`, `-08:00`, or `02:00` (an unsigned offset is east of UTC).
fn parse_fixed_offset(text: &str) -> Option<Offset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        b'0'..=b'9' => (1, text),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// The calendar fields of a timestamp seen in a time zone.
pub fn civil_time(t: Timestamp, tz: &TimeZone) -> DateTime {
    t.to_civil(tz)
}

/// A calendar accessor of timestamps, as the `get*` functions name them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimestampField {
    FullYear,
    /// Zero-based month.
    Month,
    /// Zero-based day of the year.
    DayOfYear,
    /// Zero-based day of the month.
    DayOfMonth,
    /// One-based day of the month.
    Date,
    /// Zero for Sunday.
    DayOfWeek,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
}

impl TimestampField {
    pub fn get(self, t: Timestamp, tz: &TimeZone) -> i64 {
        let dt = civil_time(t, tz);
        (match self {
            TimestampField::FullYear => dt.year() as i32,
            TimestampField::Month => dt.month() as i32 - 1,
            TimestampField::DayOfYear => dt.day_of_year() as i32 - 1,
            TimestampField::DayOfMonth => dt.day() as i32 - 1,
            TimestampField::Date => dt.day() as i32,
            TimestampField::DayOfWeek => dt.weekday().to_sunday_zero_offset() as i32,
            TimestampField::Hours => dt.hour() as i32,
            TimestampField::Minutes => dt.minute() as i32,
            TimestampField::Seconds => dt.second() as i32,
            TimestampField::Milliseconds => dt.millisecond() as i32,
        }) as i64
    }
}

/// Cuts long user text in error messages.
fn truncate(text: &str) -> &str {
    match text.char_indices().nth(64) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dur(text: &str) -> String {
        parse_duration(text).map_or_else(|e| format!("error: {e}"), format_duration)
    }

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(dur("1h30m"), "5400s");
        assert_eq!(dur("-1.5s"), "-1.5s");
        assert_eq!(dur("1m1ms"), "60.001s");
        assert_eq!(dur("0"), "0s");
        assert_eq!(dur("1.000000001s"), "1.000000001s");
        assert_eq!(dur("100us"), "0.0001s");
        assert_eq!(dur("1d"), "error: invalid duration '1d'");
        assert_eq!(dur(""), "error: invalid duration ''");
        assert_eq!(dur("1"), "error: invalid duration '1'");
        assert_eq!(dur("320000000000s"), "error: duration out of range");
        assert_eq!(
            dur("99999999999999999999999999h"),
            "error: duration out of range"
        );
    }

    #[test]
    fn timestamps_round_trip_in_utc() {
        let t = parse_timestamp("2009-02-13T23:31:30.120Z").unwrap();
        assert_eq!(format_timestamp(t), "2009-02-13T23:31:30.12Z");
        let t = parse_timestamp("2024-01-01T01:00:00+01:00").unwrap();
        assert_eq!(format_timestamp(t), "2024-01-01T00:00:00Z");
        assert!(parse_timestamp("10000-01-01T00:00:00Z").is_err());
        assert!(parse_timestamp("yesterday").is_err());
        assert_eq!(
            format_timestamp(timestamp_from_seconds(MIN_TIMESTAMP_SECONDS).unwrap()),
            "0001-01-01T00:00:00Z"
        );
        let max = parse_timestamp("9999-12-31T23:59:59.999999999Z").unwrap();
        assert_eq!(format_timestamp(max), "9999-12-31T23:59:59.999999999Z");
        assert!(max.checked_add(Duration::from_nanos(1)).is_err());
        let min = parse_timestamp("0001-01-01T00:00:00Z").unwrap();
        assert!(min.checked_sub(Duration::from_nanos(1)).is_err());
        assert!(parse_timestamp("2024-02-30T00:00:00Z").is_err());
        assert!(parse_timestamp("2024-01-01 00:00:00Z").is_err());
        assert!(parse_timestamp("2024-01-01T00:00:00").is_err());
    }

    #[test]
    fn accessors_honour_time_zones() {
        let t = parse_timestamp("2023-12-25T00:00:00Z").unwrap();
        let la = parse_time_zone("America/Los_Angeles").unwrap();
        assert_eq!(TimestampField::Date.get(t, &TimeZone::UTC), 25);
        assert_eq!(TimestampField::Date.get(t, &la), 24);
        assert_eq!(TimestampField::DayOfMonth.get(t, &la), 23);
        let plus = parse_time_zone("+05:30").unwrap();
        assert_eq!(TimestampField::Minutes.get(t, &plus), 30);
        assert_eq!(TimestampField::Month.get(t, &TimeZone::UTC), 11);
        assert!(parse_time_zone("Mars/Olympus").is_err());
        let unsigned = parse_time_zone("02:00").unwrap();
        assert_eq!(TimestampField::Hours.get(t, &unsigned), 2);
        assert!(parse_time_zone("+25:00").is_err());
    }
}
