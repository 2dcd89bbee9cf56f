//! The streaming decode contract shared by every decoder in the workspace.
//!
//! A decoder is a function (or a method on a small state value) that looks at the bytes a
//! caller has buffered so far and answers one of three things:
//!
//! * [`Decoded::Complete`]: a whole value was found; `consumed` says how many bytes of the
//!   input it used. The caller drops exactly those bytes and may call again for the next
//!   value (pipelined input).
//! * [`Decoded::Incomplete`]: the input holds the start of a value but not all of it. Nothing
//!   was consumed; the caller keeps every byte, appends what arrives next and calls again
//!   with the longer buffer. `needed` is a lower bound of the missing bytes when the decoder
//!   knows one (for instance the rest of an announced literal).
//! * `Err(e)`: the input can never become a valid value. The error carries the byte offset
//!   (relative to the start of the slice passed in) and the rule that failed.
//!
//! The rules every decoder follows:
//!
//! 1. It never consumes part of a message: either the whole value or nothing.
//! 2. It never panics, whatever the input, and never allocates in proportion to data it has
//!    not yet seen: every size it will buffer has an explicit limit.
//! 3. The same bytes in any chunking give the same sequence of values and errors: feeding
//!    `b"QUIT\r\n"` whole or one byte at a time ends in the same `Complete`.
//! 4. Decoders that are called again and again on a growing buffer keep a cursor (see
//!    [`crate::line::LineScanner`]) so that the total cost stays linear in the input.

use core::num::NonZeroUsize;

/// The outcome of one decode call that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum Decoded<T> {
    /// A complete value, decoded from the first `consumed` bytes of the input.
    Complete {
        /// The decoded value (often borrowing from the input).
        value: T,
        /// How many bytes of the input the value used, terminator included.
        consumed: usize,
    },
    /// More bytes are needed; nothing was consumed.
    Incomplete {
        /// A lower bound of how many more bytes are needed, when the decoder knows it.
        needed: Option<NonZeroUsize>,
    },
}

impl<T> Decoded<T> {
    /// `Incomplete` with no known size.
    pub const INCOMPLETE: Self = Decoded::Incomplete { needed: None };

    /// `Incomplete` needing at least `n` more bytes (`None` if `n` is 0).
    pub fn needs(n: usize) -> Self {
        Decoded::Incomplete {
            needed: NonZeroUsize::new(n),
        }
    }

    /// Transforms the value of a `Complete`, keeping `consumed`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decoded<U> {
        match self {
            Decoded::Complete { value, consumed } => Decoded::Complete {
                value: f(value),
                consumed,
            },
            Decoded::Incomplete { needed } => Decoded::Incomplete { needed },
        }
    }

    /// The value and the consumed count, if complete.
    pub fn complete(self) -> Option<(T, usize)> {
        match self {
            Decoded::Complete { value, consumed } => Some((value, consumed)),
            Decoded::Incomplete { .. } => None,
        }
    }

    /// Whether this is `Complete`.
    pub fn is_complete(&self) -> bool {
        matches!(self, Decoded::Complete { .. })
    }
}

/// A type that can be decoded from the front of a byte slice under the [module
/// contract](self).
pub trait Decode<'a>: Sized {
    /// The decoder's error type.
    type Error;
    /// Decodes one value from the front of `input`.
    fn decode(input: &'a [u8]) -> Result<Decoded<Self>, Self::Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_zero_is_unknown() {
        assert_eq!(
            Decoded::<()>::needs(0),
            Decoded::Incomplete { needed: None }
        );
        assert_eq!(
            Decoded::<()>::needs(3),
            Decoded::Incomplete {
                needed: NonZeroUsize::new(3)
            }
        );
    }

    #[test]
    fn map_keeps_consumed() {
        let d = Decoded::Complete {
            value: 2,
            consumed: 7,
        };
        assert_eq!(d.map(|v| v * 10).complete(), Some((20, 7)));
        assert_eq!(Decoded::<u8>::INCOMPLETE.map(|v| v).complete(), None);
    }
}
