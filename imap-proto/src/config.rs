//! Limits and the lenient mode's quirk toggles.

/// Explicit bounds on everything a decoder buffers or recurses into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line (the text between literals), CRLF included.
    pub max_line: usize,
    /// Largest literal accepted; checked when it is announced, before any of it arrives.
    pub max_literal: u64,
    /// Most literals in one message.
    pub max_literals: usize,
    /// Deepest parenthesis nesting (BODYSTRUCTURE, SEARCH, body extensions).
    pub max_depth: usize,
    /// Most items in one list (flags, search results, fetch items, capabilities...).
    pub max_items: usize,
}

impl Limits {
    /// Defaults for a server decoding commands: 64 KiB lines, 64 MiB literals.
    pub const SERVER: Limits = Limits {
        max_line: 64 * 1024,
        max_literal: 64 * 1024 * 1024,
        max_literals: 1024,
        max_depth: 32,
        max_items: 10_000,
    };

    /// Defaults for a client decoding responses: 16 MiB lines (long SEARCH results),
    /// 1 GiB literals (BODY[] of a large message; stream it with
    /// [`ResponseDecoder::decode_streaming`](crate::ResponseDecoder::decode_streaming)).
    pub const CLIENT: Limits = Limits {
        max_line: 16 * 1024 * 1024,
        max_literal: 1024 * 1024 * 1024,
        max_literals: 100_000,
        max_depth: 64,
        max_items: 4_000_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::SERVER
    }
}

/// The lenient client mode: one toggle per known non-conformance of real servers (see
/// [`Quirk`](crate::Quirk) for the bytes of each). [`Quirks::STRICT`] (the default) turns
/// all of them off; a decoder then rejects the bytes with
/// [`Error::Quirk`](crate::Error::Quirk).
///
/// What a lenient decode keeps, and what re-encoding the value writes (tested in
/// `tests/quirks.rs`, `lenient_values_re_encode_as_documented`):
///
/// | toggle | value | re-encoded |
/// |---|---|---|
/// | `negative_number` | **0** (lossy: a `u32` cannot hold `-1`) | `0` |
/// | `nil_body_parameter` | **an empty quoted string** (lossy) | `""` |
/// | `nil_string` | **an empty quoted string** (lossy) | `""` |
/// | `bracket_in_flag` | the keyword with its `]` | the peer's bytes (not RFC 3501) |
/// | `wildcard_in_flags` | [`Flag::Wildcard`](crate::Flag::Wildcard) | the peer's bytes (not RFC 3501) |
/// | `space_before_paren` | the list | without the space |
/// | `trailing_space` | the response | without the space |
/// | `continuation_without_space` | the continuation | with the space |
/// | `empty_text` | an empty [`Text`](crate::Text) (only this toggle makes one) | no text: the peer's bytes, less a space before the CRLF (not RFC 3501) |
/// | `missing_space_after_code` | the code and the text | with the space |
///
/// The three lossy normalisations are the only ones whose value differs from what the peer
/// sent; every other value either re-encodes to the peer's bytes or to the conforming
/// form of them. An empty text is what RFC 9051 §9 allows (`resp-text = ["[" resp-text-code
/// "]" SP] [text]`) and what the examples of RFC 7162 §3.1.2.1 and RFC 5530 §3 send
/// (`* OK [HIGHESTMODSEQ 715194045007]`); RFC 3501's `text = 1*TEXT-CHAR` does not allow
/// it, so the strict mode rejects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quirks {
    /// Accept `-1` where a number belongs (read as 0: lossy).
    pub negative_number: bool,
    /// Accept `("boundary" NIL)` (the NIL becomes an empty quoted string: lossy).
    pub nil_body_parameter: bool,
    /// Accept NIL for a body structure's media type, subtype, encoding or disposition (the
    /// NIL becomes an empty quoted string: lossy).
    pub nil_string: bool,
    /// Accept `]` inside flags (kept in the keyword).
    pub bracket_in_flag: bool,
    /// Accept `\*` in FLAGS (kept as [`Flag::Wildcard`](crate::Flag::Wildcard)).
    pub wildcard_in_flags: bool,
    /// Accept `(a b )`.
    pub space_before_paren: bool,
    /// Accept a trailing space at the end of a response.
    pub trailing_space: bool,
    /// Accept `+\r\n`.
    pub continuation_without_space: bool,
    /// Accept a missing or empty text after a status or response code (an empty
    /// [`Text`](crate::Text), which [`Text::new`](crate::Text::new) never builds).
    pub empty_text: bool,
    /// Accept `[CODE]text` without a space.
    pub missing_space_after_code: bool,
}

impl Quirks {
    /// Everything off: the RFC 3501 grammar exactly.
    pub const STRICT: Quirks = Quirks {
        negative_number: false,
        nil_body_parameter: false,
        nil_string: false,
        bracket_in_flag: false,
        wildcard_in_flags: false,
        space_before_paren: false,
        trailing_space: false,
        continuation_without_space: false,
        empty_text: false,
        missing_space_after_code: false,
    };

    /// Everything on: what a client talking to arbitrary servers wants.
    pub const LENIENT: Quirks = Quirks {
        negative_number: true,
        nil_body_parameter: true,
        nil_string: true,
        bracket_in_flag: true,
        wildcard_in_flags: true,
        space_before_paren: true,
        trailing_space: true,
        continuation_without_space: true,
        empty_text: true,
        missing_space_after_code: true,
    };

    pub(crate) fn allows(&self, q: crate::Quirk) -> bool {
        use crate::Quirk as Q;
        match q {
            Q::NegativeNumber => self.negative_number,
            Q::NilBodyParameter => self.nil_body_parameter,
            Q::NilString => self.nil_string,
            Q::BracketInFlag => self.bracket_in_flag,
            Q::WildcardInFlags => self.wildcard_in_flags,
            Q::SpaceBeforeParen => self.space_before_paren,
            Q::TrailingSpace => self.trailing_space,
            Q::ContinuationWithoutSpace => self.continuation_without_space,
            Q::EmptyText => self.empty_text,
            Q::MissingSpaceAfterCode => self.missing_space_after_code,
        }
    }
}

/// Grammar options shared by the decoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Config {
    /// The bounds.
    pub limits: Limits,
    /// The lenient mode toggles (client side).
    pub quirks: Quirks,
    /// UTF8=ACCEPT is enabled (RFC 6855 §3): quoted strings and text may carry UTF-8.
    pub utf8: bool,
}
