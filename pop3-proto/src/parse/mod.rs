//! Parsers: nom (v8) rule functions named after the ABNF rules, behind the crate's own
//! decode functions. nom never appears in the public API.

pub mod command;
pub mod response;

pub use command::{
    CommandDecoder, CommandLimits, decode_auth_line, decode_command, parse_auth_line,
    parse_command_line,
};
pub use response::{
    ResponseDecoder, ResponseEvent, ResponseLimits, decode_response, parse_capability_line,
    parse_status_line,
};

use nom::error::{ErrorKind, ParseError};

use crate::error::Error;

/// The nom error of this crate: where it failed and which rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PError<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) expected: &'static str,
}

impl<'a> ParseError<&'a [u8]> for PError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        PError {
            input,
            expected: "valid syntax",
        }
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

pub(crate) type PResult<'a, O> = nom::IResult<&'a [u8], O, PError<'a>>;

/// Names the rule a parser implements: its failures report `rule` (unless an inner rule
/// already gave a more precise name).
pub(crate) fn rule<'a, O>(
    name: &'static str,
    mut p: impl nom::Parser<&'a [u8], Output = O, Error = PError<'a>>,
) -> impl FnMut(&'a [u8]) -> PResult<'a, O> {
    move |i| {
        p.parse(i).map_err(|e| {
            e.map(|mut pe| {
                if pe.expected == "valid syntax" {
                    pe.expected = name;
                }
                pe
            })
        })
    }
}

/// A failure at `input` for `rule`.
pub(crate) fn fail<'a, O>(input: &'a [u8], expected: &'static str) -> PResult<'a, O> {
    Err(nom::Err::Error(PError { input, expected }))
}

/// Maps a nom failure on `line` to our error with the offset into `line`.
pub(crate) fn to_error(line: &[u8], e: nom::Err<PError<'_>>) -> Error {
    match e {
        nom::Err::Error(pe) | nom::Err::Failure(pe) => Error::Syntax {
            offset: line.len().saturating_sub(pe.input.len()),
            expected: pe.expected,
        },
        // Complete parsers never ask for more; a whole line is always given.
        nom::Err::Incomplete(_) => Error::Syntax {
            offset: line.len(),
            expected: "complete line",
        },
    }
}

/// RFC 5234 `1*DIGIT` as a `u64`, at most 19 digits (so it cannot overflow).
pub(crate) fn number_u64(i: &[u8]) -> PResult<'_, u64> {
    let (rest, digits) = nom::bytes::complete::take_while1(|b: u8| b.is_ascii_digit())(i)?;
    if digits.len() > 19 {
        return fail(i, "number (too large)");
    }
    let v = digits
        .iter()
        .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
    Ok((rest, v))
}

/// `1*DIGIT` as a `u32`.
pub(crate) fn number_u32(i: &[u8]) -> PResult<'_, u32> {
    let (rest, v) = number_u64(i)?;
    match u32::try_from(v) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, "number (too large)"),
    }
}

/// RFC 1939 §5 message-number: `1*DIGIT`, not zero.
pub(crate) fn message_number(i: &[u8]) -> PResult<'_, crate::types::MessageNumber> {
    let (rest, v) = rule("message-number", number_u32)(i)?;
    match core::num::NonZeroU32::new(v) {
        Some(n) => Ok((rest, n)),
        None => fail(i, "message-number (not 0)"),
    }
}

/// A single space.
pub(crate) fn sp(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        Some(b' ') => Ok((i.get(1..).unwrap_or_default(), ())),
        _ => fail(i, "SP"),
    }
}

/// The end of the line.
pub(crate) fn eol(i: &[u8]) -> PResult<'_, ()> {
    if i.is_empty() {
        Ok((i, ()))
    } else {
        fail(i, "end of line")
    }
}
