//! Replies: RFC 5321 §4.2, with enhanced status codes (RFC 2034, RFC 3463).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::error::Error;

/// A reply code, RFC 5321 §4.2: `%x32-35 %x30-35 %x30-39`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// 220 Service ready.
    pub const READY: ReplyCode = ReplyCode(220);
    /// 221 Closing.
    pub const CLOSING: ReplyCode = ReplyCode(221);
    /// 235 Authentication succeeded (RFC 4954).
    pub const AUTH_OK: ReplyCode = ReplyCode(235);
    /// 250 OK.
    pub const OK: ReplyCode = ReplyCode(250);
    /// 334 AUTH challenge (RFC 4954).
    pub const AUTH_CHALLENGE: ReplyCode = ReplyCode(334);
    /// 354 Start mail input.
    pub const START_DATA: ReplyCode = ReplyCode(354);

    /// Validates a code.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] outside the grammar (first digit 2-5, second 0-5).
    pub const fn new(code: u16) -> Result<Self, Error> {
        let (a, b) = (code / 100, code / 10 % 10);
        if a >= 2 && a <= 5 && b <= 5 {
            Ok(ReplyCode(code))
        } else {
            Err(Error::InvalidValue { what: "Reply-code" })
        }
    }
    /// The number.
    pub const fn get(self) -> u16 {
        self.0
    }
    /// The first digit: 2 positive completion, 3 intermediate, 4 transient and 5
    /// permanent negative (RFC 5321 §4.2.1).
    pub const fn class(self) -> u8 {
        (self.0 / 100) as u8
    }
    /// 2yz.
    pub const fn is_positive(self) -> bool {
        self.class() == 2
    }
    /// 3yz.
    pub const fn is_intermediate(self) -> bool {
        self.class() == 3
    }
    /// 4yz or 5yz.
    pub const fn is_negative(self) -> bool {
        self.class() >= 4
    }
}

/// An enhanced status code, RFC 3463 §2: `class "." subject "." detail`, with class 2, 4
/// or 5 and subject and detail of 1 to 3 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedCode {
    /// Validates the three parts.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub const fn new(class: u8, subject: u16, detail: u16) -> Result<Self, Error> {
        if (class == 2 || class == 4 || class == 5) && subject <= 999 && detail <= 999 {
            Ok(EnhancedCode {
                class,
                subject,
                detail,
            })
        } else {
            Err(Error::InvalidValue {
                what: "enhanced status code",
            })
        }
    }
    /// The class (2, 4 or 5).
    pub const fn class(self) -> u8 {
        self.class
    }
    /// The subject.
    pub const fn subject(self) -> u16 {
        self.subject
    }
    /// The detail.
    pub const fn detail(self) -> u16 {
        self.detail
    }
}

impl core::fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A reply: one code, an optional enhanced status code (written on every line, RFC 2034
/// §4), and one or more lines of text (the last may be empty).
///
/// A decoded reply borrows its lines as one validated slice of the input and splits them
/// only when [`lines`](Self::lines) is called (into [`ReplyLines`]); a built reply holds a
/// list.
/// Equality and hashing compare the code, the enhanced code and the line texts, whichever
/// the representation.
#[derive(Clone)]
pub struct Reply<'a> {
    pub(crate) code: ReplyCode,
    pub(crate) enhanced: Option<EnhancedCode>,
    pub(crate) lines: Lines<'a>,
}

/// How a [`Reply`] holds its text.
///
/// Why two forms: profiling the reply decoder (callgrind, `benches/` peers bench) showed
/// about 15 % of its time in malloc/free for the `Vec` of line texts built for every reply,
/// and a second walk over the lines to fill it. A decoded reply now keeps the validated
/// wire text of all its lines as one `&str` (no allocation, one pass), and the line texts
/// are cut out of it lazily by [`ReplyLines`].
#[derive(Debug, Clone)]
pub(crate) enum Lines<'a> {
    /// Decoded: `count` complete `Reply-line`s as received, each ending in CRLF, already
    /// checked (same code on every line, `textstring`, UTF-8). A line's text starts after
    /// the code and its separator (octet 4), then `skip` octets of enhanced code and one
    /// optional SP when the reply has an enhanced code (0 otherwise).
    Wire {
        raw: Cow<'a, str>,
        count: usize,
        skip: usize,
    },
    /// Built by a constructor (or by [`Reply::fixed`]).
    List(Vec<Cow<'a, str>>),
}

/// The text lines of a [`Reply`], enhanced codes removed: an iterator of `&str` (see
/// [`Reply::lines`]). Also compares equal to an array or slice of the same texts.
#[derive(Debug, Clone)]
pub struct ReplyLines<'r> {
    inner: LinesInner<'r>,
    left: usize,
}

#[derive(Debug, Clone)]
enum LinesInner<'r> {
    Wire { rest: &'r str, skip: usize },
    List(core::slice::Iter<'r, Cow<'r, str>>),
}

impl<'r> ReplyLines<'r> {
    /// The texts of `count` checked wire lines as they are, enhanced codes included.
    pub(crate) fn wire(raw: &'r str, count: usize) -> Self {
        ReplyLines {
            inner: LinesInner::Wire { rest: raw, skip: 0 },
            left: count,
        }
    }
}

impl<'r> Iterator for ReplyLines<'r> {
    type Item = &'r str;

    fn next(&mut self) -> Option<&'r str> {
        let text = match &mut self.inner {
            LinesInner::List(it) => it.next().map(|l| &**l)?,
            LinesInner::Wire { rest, skip } => {
                // Every line of `rest` was checked to end in CRLF and to hold no other CR
                // or LF, so the next LF ends the next line.
                let lf = memchr::memchr(b'\n', rest.as_bytes())?;
                let line = rest.get(..lf)?;
                *rest = rest.get(lf + 1..).unwrap_or_default();
                let line = line.strip_suffix('\r').unwrap_or(line);
                // `Reply-code [SP / "-"]`: three digits and the separator (absent on a last
                // line that is just the code).
                let text = line.get(4..).unwrap_or_default();
                if *skip == 0 {
                    text
                } else {
                    let t = text.get(*skip..).unwrap_or_default();
                    t.strip_prefix(' ').unwrap_or(t)
                }
            }
        };
        self.left = self.left.saturating_sub(1);
        Some(text)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ReplyLines<'_> {}
impl core::iter::FusedIterator for ReplyLines<'_> {}

impl<S: AsRef<str>> PartialEq<[S]> for ReplyLines<'_> {
    fn eq(&self, other: &[S]) -> bool {
        self.clone().eq(other.iter().map(AsRef::as_ref))
    }
}
impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for ReplyLines<'_> {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq for Reply<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.enhanced == other.enhanced && self.lines().eq(other.lines())
    }
}
impl Eq for Reply<'_> {}

impl core::hash::Hash for Reply<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.code.hash(state);
        self.enhanced.hash(state);
        let lines = self.lines();
        state.write_usize(lines.len());
        for l in lines {
            l.hash(state);
        }
    }
}

impl core::fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        struct L<'x, 'r>(&'x ReplyLines<'r>);
        impl core::fmt::Debug for L<'_, '_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_list().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("Reply")
            .field("code", &self.code)
            .field("enhanced", &self.enhanced)
            .field("lines", &L(&self.lines()))
            .finish()
    }
}

impl<'a> Reply<'a> {
    /// A one-line reply.
    ///
    /// # Errors
    /// As [`Reply::multiline`].
    pub fn new(
        code: u16,
        enhanced: Option<EnhancedCode>,
        text: impl Into<Cow<'a, str>>,
    ) -> Result<Self, Error> {
        Self::multiline(code, enhanced, alloc::vec![text.into()])
    }

    /// A reply of several lines.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a bad code, no lines, text with CR, LF or other control
    /// characters (`textstring = 1*(%d09 / %d32-126)`, UTF-8 allowed by RFC 6531), a first
    /// line that would read as an enhanced code when none is given; and
    /// [`Error::EnhancedClassMismatch`] when the enhanced class differs from the code's
    /// class.
    pub fn multiline(
        code: u16,
        enhanced: Option<EnhancedCode>,
        lines: Vec<Cow<'a, str>>,
    ) -> Result<Self, Error> {
        let code = ReplyCode::new(code)?;
        if lines.is_empty() {
            return Err(Error::InvalidValue { what: "reply text" });
        }
        if let Some(e) = enhanced {
            if e.class != code.class() {
                return Err(Error::EnhancedClassMismatch {
                    offset: 0,
                    code: code.get(),
                    class: e.class,
                });
            }
        }
        for l in &lines {
            if !l.bytes().all(|b| b == 9 || b >= 32 && b != 127) {
                return Err(Error::InvalidValue { what: "textstring" });
            }
        }
        if enhanced.is_none() {
            if let Some(first) = lines.first() {
                if crate::parse::reply::enhanced_prefix(first.as_bytes()).is_some() {
                    return Err(Error::InvalidValue {
                        what: "textstring (starts like an enhanced status code)",
                    });
                }
            }
        }
        Ok(Reply {
            code,
            enhanced,
            lines: Lines::List(lines),
        })
    }

    /// Internal constructor for the machines' own fixed replies (checked by tests).
    #[allow(dead_code)]
    pub(crate) fn fixed(code: u16, enhanced: (u8, u16, u16), text: &'static str) -> Reply<'static> {
        Reply {
            code: ReplyCode(code),
            enhanced: Some(EnhancedCode {
                class: enhanced.0,
                subject: enhanced.1,
                detail: enhanced.2,
            }),
            lines: Lines::List(alloc::vec![Cow::Borrowed(text)]),
        }
    }

    /// The code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }
    /// The enhanced status code.
    pub fn enhanced(&self) -> Option<EnhancedCode> {
        self.enhanced
    }
    /// The text lines (enhanced codes removed), in order; at least one.
    pub fn lines(&self) -> ReplyLines<'_> {
        match &self.lines {
            Lines::Wire { raw, count, skip } => ReplyLines {
                inner: LinesInner::Wire {
                    rest: raw,
                    skip: *skip,
                },
                left: *count,
            },
            Lines::List(l) => ReplyLines {
                inner: LinesInner::List(l.iter()),
                left: l.len(),
            },
        }
    }
    /// The first line's text.
    pub fn text(&self) -> &str {
        self.lines().next().unwrap_or_default()
    }
    /// An owned copy (one allocation for a decoded reply: its wire text).
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            lines: match self.lines {
                Lines::Wire { raw, count, skip } => Lines::Wire {
                    raw: Cow::Owned(raw.into_owned()),
                    count,
                    skip,
                },
                Lines::List(l) => {
                    Lines::List(l.into_iter().map(|l| Cow::Owned(l.into_owned())).collect())
                }
            },
        }
    }
}
