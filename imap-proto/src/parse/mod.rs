//! nom parsers, one function per ABNF rule of RFC 3501 §9, over a complete message (the
//! framer in [`crate::codec`] has already found where it ends, literals included).
//!
//! nom stays inside this module: its errors are mapped to [`crate::Error`] with the offset,
//! line and rule at the boundary ([`to_error`]).

pub(crate) mod body;
pub(crate) mod command;
pub(crate) mod core;
pub(crate) mod ext_command;
pub(crate) mod resp_ext;
pub(crate) mod response;

use nom::IResult;
use nom::error::{ErrorKind, ParseError};

use crate::config::Config;
use crate::{Error, Quirk};

/// What went wrong inside the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrKind {
    Rule(&'static str),
    Quirk(Quirk),
    TooDeep(&'static str, usize),
    TooMany(&'static str, usize),
}

/// The parser error: where (as the remaining input) and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PErr<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) kind: ErrKind,
}

impl<'a> ParseError<&'a [u8]> for PErr<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        PErr {
            input,
            kind: ErrKind::Rule("token"),
        }
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }

    /// Keeps the alternative that got furthest: its rule is the most useful to report.
    fn or(self, other: Self) -> Self {
        if other.input.len() < self.input.len() {
            other
        } else {
            self
        }
    }
}

pub(crate) type PResult<'a, T> = IResult<&'a [u8], T, PErr<'a>>;

/// A recoverable mismatch of `rule` at `i`.
pub(crate) fn fail<'a, T>(i: &'a [u8], rule: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PErr {
        input: i,
        kind: ErrKind::Rule(rule),
    }))
}

/// Renames a recoverable error to `rule` at `i`; keeps non-recoverable ones as they are.
pub(crate) fn refail<'a, T>(
    e: nom::Err<PErr<'a>>,
    i: &'a [u8],
    rule: &'static str,
) -> PResult<'a, T> {
    match e {
        nom::Err::Error(_) => fail(i, rule),
        other => Err(other),
    }
}

/// A non-recoverable error (limits, quirks): `alt` does not try other branches.
pub(crate) fn fatal<T>(i: &[u8], kind: ErrKind) -> PResult<'_, T> {
    Err(nom::Err::Failure(PErr { input: i, kind }))
}

/// Accepts the quirk `q` at `i` if the configuration allows it, else fails with it.
pub(crate) fn quirk<'a>(c: &Config, i: &'a [u8], q: Quirk) -> Result<(), nom::Err<PErr<'a>>> {
    if c.quirks.allows(q) {
        Ok(())
    } else {
        Err(nom::Err::Failure(PErr {
            input: i,
            kind: ErrKind::Quirk(q),
        }))
    }
}

/// Requires that a top-level rule used the whole framed message: text cannot hide a
/// literal, so bytes after the first CRLF mean the framer saw a `{n}` the grammar does not
/// allow there.
pub(crate) fn all<T>(r: PResult<'_, T>) -> PResult<'_, T> {
    match r {
        Ok((rest, _)) if !rest.is_empty() => fail(rest, "end of message"),
        other => other,
    }
}

/// Maps a parser error to the crate error, relative to `base` (the whole message).
pub(crate) fn to_error(base: &[u8], e: nom::Err<PErr<'_>>) -> Error {
    let (input, kind) = match e {
        nom::Err::Error(p) | nom::Err::Failure(p) => (p.input, p.kind),
        nom::Err::Incomplete(_) => (&[][..], ErrKind::Rule("complete message")),
    };
    let offset = base.len().saturating_sub(input.len());
    let line = 1 + memchr::memchr_iter(b'\n', base.get(..offset).unwrap_or_default()).count();
    match kind {
        ErrKind::Rule(rule) => Error::Syntax { offset, line, rule },
        ErrKind::Quirk(quirk) => Error::Quirk {
            offset,
            line,
            quirk,
        },
        ErrKind::TooDeep(rule, limit) => Error::TooDeep {
            offset,
            line,
            rule,
            limit,
        },
        ErrKind::TooMany(rule, limit) => Error::TooManyItems {
            offset,
            line,
            rule,
            limit,
        },
    }
}
