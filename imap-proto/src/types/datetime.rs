//! Dates (RFC 3501 §9 `date`, `date-time`).

use crate::Error;

pub(crate) const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// A calendar date: `date-text = date-day "-" date-month "-" date-year` (RFC 3501 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Validates the day of the month; `year` is 4 digits (0-9999), `month` 1-12.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, Error> {
        if year > 9999 || !(1..=12).contains(&month) {
            return Err(Error::invalid("date", "year or month out of range"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(Error::invalid("date", "day out of range"));
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1-12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month.
    pub fn day(&self) -> u8 {
        self.day
    }
}

/// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`
/// (RFC 3501 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    zone: i16,
}

impl DateTime {
    /// Validates the time; `zone` is the offset from UTC in minutes (-5999..=5999, so the
    /// `("+" / "-") 4DIGIT` form can carry it).
    pub fn new(date: Date, hour: u8, minute: u8, second: u8, zone: i16) -> Result<Self, Error> {
        if hour > 23 || minute > 59 || second > 60 {
            return Err(Error::invalid("date-time", "time out of range"));
        }
        if !(-5999..=5999).contains(&zone) {
            return Err(Error::invalid("date-time", "zone out of range"));
        }
        Ok(DateTime {
            date,
            hour,
            minute,
            second,
            zone,
        })
    }

    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }
    /// Hours, minutes, seconds.
    pub fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }
    /// Offset from UTC in minutes.
    pub fn zone_minutes(&self) -> i16 {
        self.zone
    }
}
