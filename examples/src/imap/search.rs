//! SEARCH (RFC 3501 §6.4.4) over a folder snapshot.
//!
//! Every search key of RFC 3501 is evaluated: flags, sizes, internal dates (compared as
//! UTC dates), sent dates (from the Date header, via `mail-parser`), sequence and UID sets,
//! `NOT`, `OR` and parentheses, and the string keys as case-insensitive (ASCII) substring
//! matches on the raw octets: `FROM`/`TO`/`CC`/`BCC`/`SUBJECT`/`HEADER` on the unfolded
//! header field values (RFC 2047 encoded words are not decoded), `BODY` on the body as
//! stored (transfer encodings are not decoded), `TEXT` on the whole message. Keywords:
//! only `$Forwarded` can be set in a Maildir, so `KEYWORD x` is false for any other `x`.

use std::cell::OnceCell;
use std::time::SystemTime;

use imap_proto::{Date, SearchKey};

use super::mime;
use crate::maildir::{Flag, Mailbox, Message, to_crlf};

/// Days since 1970-01-01 of a date (proleptic Gregorian; H. Hinnant's algorithm).
#[must_use]
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
#[must_use]
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds since the epoch (negative before it).
#[must_use]
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn day_of(t: SystemTime) -> i64 {
    unix_seconds(t).div_euclid(86_400)
}

fn day_of_date(d: Date) -> i64 {
    days_from_civil(
        i64::from(d.year()),
        u32::from(d.month()),
        u32::from(d.day()),
    )
}

/// ASCII case-insensitive substring test, in linear time (`str::contains` is a two-way
/// search), so that a long SEARCH string cannot stall the session on a large message.
/// Octets that are not UTF-8 compare as U+FFFD.
#[must_use]
pub fn contains_ci(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    let h = haystack.to_ascii_lowercase();
    let n = needle.to_ascii_lowercase();
    String::from_utf8_lossy(&h).contains(String::from_utf8_lossy(&n).as_ref())
}

/// One message being tested, its content read at most once and only if a key needs it.
struct Candidate<'a> {
    seq: u32,
    msg: &'a Message,
    mailbox: &'a Mailbox,
    raw: OnceCell<Vec<u8>>,
}

impl Candidate<'_> {
    fn raw(&self) -> &[u8] {
        self.raw.get_or_init(|| {
            self.mailbox
                .path(self.msg.uid())
                .and_then(|p| std::fs::read(p).ok())
                .map(|b| to_crlf(&b).into_owned())
                .unwrap_or_default()
        })
    }

    fn header(&self) -> &[u8] {
        let raw = self.raw();
        raw.get(..mime::header_end(raw)).unwrap_or(raw)
    }

    fn header_has(&self, name: &[u8], needle: &[u8]) -> bool {
        mime::header_values(self.header(), name)
            .iter()
            .any(|v| contains_ci(v, needle))
    }

    fn sent_day(&self) -> Option<i64> {
        let values = mime::header_values(self.header(), b"Date");
        let v = values.first()?;
        let dt = mail_parser::DateTime::parse_rfc822(std::str::from_utf8(v).ok()?)?;
        // "Disregarding time and timezone" (RFC 3501 §6.4.4): the date as written.
        Some(days_from_civil(
            i64::from(dt.year),
            u32::from(dt.month),
            u32::from(dt.day),
        ))
    }
}

/// Whether the message matches every key (`criteria` are ANDed).
fn matches(key: &SearchKey<'_>, c: &Candidate<'_>, count: u32, max_uid: u32) -> bool {
    use SearchKey as K;
    let m = c.msg;
    match key {
        K::All => true,
        K::Answered => m.has(Flag::Replied),
        K::Unanswered => !m.has(Flag::Replied),
        K::Deleted => m.has(Flag::Trashed),
        K::Undeleted => !m.has(Flag::Trashed),
        K::Flagged => m.has(Flag::Flagged),
        K::Unflagged => !m.has(Flag::Flagged),
        K::Seen => m.has(Flag::Seen),
        K::Unseen => !m.has(Flag::Seen),
        K::Draft => m.has(Flag::Draft),
        K::Undraft => !m.has(Flag::Draft),
        K::Recent => m.is_recent(),
        K::Old => !m.is_recent(),
        K::New => m.is_recent() && !m.has(Flag::Seen),
        K::Keyword(k) => k.as_str().eq_ignore_ascii_case("$Forwarded") && m.has(Flag::Passed),
        K::Unkeyword(k) => !(k.as_str().eq_ignore_ascii_case("$Forwarded") && m.has(Flag::Passed)),
        K::Larger(n) => c.raw().len() as u64 > n.get(),
        K::Smaller(n) => (c.raw().len() as u64) < n.get(),
        K::Before(d) => day_of(m.internal_date()) < day_of_date(*d),
        K::On(d) => day_of(m.internal_date()) == day_of_date(*d),
        K::Since(d) => day_of(m.internal_date()) >= day_of_date(*d),
        K::SentBefore(d) => c.sent_day().is_some_and(|s| s < day_of_date(*d)),
        K::SentOn(d) => c.sent_day().is_some_and(|s| s == day_of_date(*d)),
        K::SentSince(d) => c.sent_day().is_some_and(|s| s >= day_of_date(*d)),
        K::From(s) => c.header_has(b"From", s.as_bytes()),
        K::To(s) => c.header_has(b"To", s.as_bytes()),
        K::Cc(s) => c.header_has(b"Cc", s.as_bytes()),
        K::Bcc(s) => c.header_has(b"Bcc", s.as_bytes()),
        K::Subject(s) => c.header_has(b"Subject", s.as_bytes()),
        K::Header(name, s) => c.header_has(name.as_bytes(), s.as_bytes()),
        K::Body(s) => {
            let raw = c.raw();
            contains_ci(
                raw.get(mime::header_end(raw)..).unwrap_or_default(),
                s.as_bytes(),
            )
        }
        K::Text(s) => contains_ci(c.raw(), s.as_bytes()),
        K::Uid(set) => set.contains(m.uid(), max_uid),
        K::SequenceSet(set) => set.contains(c.seq, count),
        K::Not(k) => !matches(k, c, count, max_uid),
        K::Or(a, b) => matches(a, c, count, max_uid) || matches(b, c, count, max_uid),
        K::And(keys) => keys.iter().all(|k| matches(k, c, count, max_uid)),
        // `SearchKey` is non-exhaustive: a key this server does not know matches nothing.
        _ => false,
    }
}

/// Runs a SEARCH: the `(sequence number, UID)` of every message matching all `criteria`.
#[must_use]
pub fn search(mailbox: &Mailbox, criteria: &[SearchKey<'_>]) -> Vec<(u32, u32)> {
    let count = u32::try_from(mailbox.len()).unwrap_or(u32::MAX);
    let max_uid = mailbox.messages().last().map_or(0, Message::uid);
    mailbox
        .messages()
        .iter()
        .enumerate()
        .filter_map(|(i, msg)| {
            let seq = u32::try_from(i + 1).ok()?;
            let c = Candidate {
                seq,
                msg,
                mailbox,
                raw: OnceCell::new(),
            };
            criteria
                .iter()
                .all(|k| matches(k, &c, count, max_uid))
                .then_some((seq, msg.uid()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_and_dates() {
        assert!(contains_ci(b"Hello W\xc3\xb6rld", b"w\xc3\xb6RLD"));
        assert!(!contains_ci(b"abc", b"abd"));
        assert!(contains_ci(b"abc", b""));
        let big = vec![b'a'; 1 << 20];
        let needle = [vec![b'a'; 60_000], vec![b'b']].concat();
        assert!(!contains_ci(&big, &needle));
        for days in [-1_000_000, -1, 0, 1, 19_700, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1));
    }
}
