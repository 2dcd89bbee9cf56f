//! The RFC 5322 §3.3 `date-time` for `Received:` headers, in UTC.

use std::time::{SystemTime, UNIX_EPOCH};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `day-name, day month year hour:minute:second +0000` (RFC 5322 §3.3) for `time`, in UTC;
/// times before 1970 print as the epoch.
#[must_use]
pub fn rfc5322_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let weekday = DAYS.get((days % 7) as usize).copied().unwrap_or("Thu");
    let month = MONTHS
        .get(m.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {d} {month} {y} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01, in the proleptic
/// Gregorian calendar (H. Hinnant's `civil_from_days`, for non-negative counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> String {
        rfc5322_date(UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn known_dates_format_as_rfc5322() {
        assert_eq!(at(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        // 2000-02-29 12:34:56 UTC, a leap day in a year divisible by 400.
        assert_eq!(at(951_827_696), "Tue, 29 Feb 2000 12:34:56 +0000");
        // 2024-12-31 23:59:59 UTC.
        assert_eq!(at(1_735_689_599), "Tue, 31 Dec 2024 23:59:59 +0000");
        // 2100-03-01 00:00:00 UTC: 2100 is not a leap year.
        assert_eq!(at(4_107_542_400), "Mon, 1 Mar 2100 00:00:00 +0000");
    }

    #[test]
    fn days_round_trip_through_a_naive_reference() {
        // Walk day by day from 1970 and compare with a counter that knows month lengths.
        let (mut y, mut m, mut d) = (1970u64, 1u64, 1u64);
        for days in 0..200_000u64 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
