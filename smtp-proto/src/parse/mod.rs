//! nom parsers, one module per concept, mirroring [`crate::types`].
//!
//! nom stays inside this module: its errors are mapped to [`crate::Error`] at the boundary
//! (the public `decode`/`parse` functions and the validating constructors).

use nom::IResult;
use nom::error::{ErrorKind, ParseError};

use crate::error::Error;

pub(crate) mod command;
pub(crate) mod ehlo;
pub(crate) mod fast;
pub(crate) mod param;
pub(crate) mod path;
pub(crate) mod reply;

pub use command::{auth_response_line, command_line};
pub use ehlo::ehlo_response;
pub use reply::{ReplyConfig, ReplyDecoder, reply_lines};

pub(crate) type In<'a> = &'a [u8];
pub(crate) type PResult<'a, T> = IResult<In<'a>, T, PError<'a>>;

const GENERIC: &str = "valid syntax";

/// What a parser failure means, before it is placed at an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    Expected(&'static str),
    Duplicate(&'static str),
    Limit { what: &'static str, limit: usize },
}

/// The crate-private nom error: where (the remaining input) and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PError<'a> {
    pub(crate) rest: In<'a>,
    pub(crate) why: Why,
}

impl<'a> ParseError<In<'a>> for PError<'a> {
    fn from_error_kind(input: In<'a>, _kind: ErrorKind) -> Self {
        PError {
            rest: input,
            why: Why::Expected(GENERIC),
        }
    }
    fn append(_input: In<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

impl PError<'_> {
    /// Maps to the public error, with the offset counted from the start of `base`.
    pub(crate) fn into_error(self, base: &[u8]) -> Error {
        let offset = base.len().saturating_sub(self.rest.len());
        match self.why {
            Why::Expected(expected) => Error::Syntax { offset, expected },
            Why::Duplicate(keyword) => Error::DuplicateParameter { offset, keyword },
            Why::Limit { what, limit } => Error::LimitExceeded { what, limit },
        }
    }
}

/// A recoverable failure (alternatives may be tried).
pub(crate) fn fail<'a, T>(rest: In<'a>, expected: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PError {
        rest,
        why: Why::Expected(expected),
    }))
}

/// A failure that stops the whole parse (nom's `cut`).
pub(crate) fn fatal<'a, T>(rest: In<'a>, why: Why) -> PResult<'a, T> {
    Err(nom::Err::Failure(PError { rest, why }))
}

/// Names the rule a parser implements, for error messages: a generic nom failure inside
/// becomes "expected `rule`".
pub(crate) fn exp<'a, O>(
    rule: &'static str,
    mut p: impl FnMut(In<'a>) -> PResult<'a, O>,
) -> impl FnMut(In<'a>) -> PResult<'a, O> {
    move |i| {
        p(i).map_err(|e| {
            e.map(|mut pe| {
                if pe.why == Why::Expected(GENERIC) {
                    pe.why = Why::Expected(rule);
                }
                pe
            })
        })
    }
}

/// Turns a recoverable failure into a fatal one.
pub(crate) fn cut<'a, O>(
    mut p: impl FnMut(In<'a>) -> PResult<'a, O>,
) -> impl FnMut(In<'a>) -> PResult<'a, O> {
    move |i| match p(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

/// Runs `p` on the whole of `input`: anything left over is an error.
pub(crate) fn whole<'a, O>(
    input: In<'a>,
    rule: &'static str,
    mut p: impl FnMut(In<'a>) -> PResult<'a, O>,
) -> Result<O, Error> {
    match p(input) {
        Ok(([], v)) => Ok(v),
        Ok((rest, _)) => Err(PError {
            rest,
            why: Why::Expected(rule),
        }
        .into_error(input)),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.into_error(input)),
        Err(nom::Err::Incomplete(_)) => Err(Error::Syntax {
            offset: input.len(),
            expected: rule,
        }),
    }
}

/// Validating-constructor form of [`whole`]: any failure is `InvalidValue { what }`.
pub(crate) fn validate<'a, O>(
    input: In<'a>,
    what: &'static str,
    p: impl FnMut(In<'a>) -> PResult<'a, O>,
) -> Result<O, Error> {
    whole(input, what, p).map_err(|_| Error::InvalidValue { what })
}

/// The bytes of `i` as `&str` (the parsers only hand over spans already checked to be
/// UTF-8, but the check is cheap and keeps this total).
pub(crate) fn utf8<'a>(span: In<'a>, at: In<'a>) -> Result<&'a str, nom::Err<PError<'a>>> {
    core::str::from_utf8(span).map_err(|_| {
        nom::Err::Failure(PError {
            rest: at,
            why: Why::Expected("UTF-8"),
        })
    })
}

/// ASCII case-insensitive equality of a byte slice with an upper-case keyword.
///
/// A fold with no early exit (each octet upper-cased without a branch): keywords are
/// short and usually equal once their length and first octet matched, so stopping early
/// saves nothing and costs a data-dependent branch per octet.
#[inline]
pub(crate) fn eq_kw(a: &[u8], kw: &[u8]) -> bool {
    a.len() == kw.len()
        && a.iter()
            .zip(kw)
            .fold(0u8, |acc, (x, y)| acc | (x.to_ascii_uppercase() ^ y))
            == 0
}

/// Parses 1*`max` DIGIT into a u64 (refusing overflow).
pub(crate) fn number<'a>(i: In<'a>, max_digits: usize, rule: &'static str) -> PResult<'a, u64> {
    let n = i.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > max_digits {
        return fail(i, rule);
    }
    let mut v: u64 = 0;
    for d in i.iter().take(n) {
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => v,
            None => return fail(i, rule),
        };
    }
    Ok((i.get(n..).unwrap_or_default(), v))
}

/// Test inputs for the word-at-a-time scans: every length below 20 with one octet (any
/// value, at any place) in a run of `fill`; yields the input, the octet and its place.
#[cfg(test)]
pub(crate) fn one_octet_variants(
    fill: u8,
) -> impl Iterator<Item = (alloc::vec::Vec<u8>, u8, usize)> {
    (0..=255u8).flat_map(move |b| {
        (0..20usize).flat_map(move |len| {
            (0..len).map(move |at| {
                let mut t = alloc::vec![fill; len];
                if let Some(x) = t.get_mut(at) {
                    *x = b;
                }
                (t, b, at)
            })
        })
    })
}
