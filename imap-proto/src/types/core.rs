//! The lexical vocabulary of RFC 3501 §9: atoms, strings, literals, tags, text.
//!
//! Every type here validates in its constructor, so a value can always be serialized
//! without producing bytes the grammar forbids.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::Error;

/// `ATOM-CHAR = <any CHAR except atom-specials>`; `atom-specials = "(" / ")" / "{" / SP /
/// CTL / list-wildcards / quoted-specials / resp-specials` (RFC 3501 §9).
#[inline]
pub(crate) const fn is_atom_char(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
#[inline]
pub(crate) const fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// `tag = 1*<any ASTRING-CHAR except "+">`.
#[inline]
pub(crate) const fn is_tag_char(b: u8) -> bool {
    is_astring_char(b) && b != b'+'
}

/// `TEXT-CHAR = <any CHAR except CR and LF>` (`CHAR = %x01-7F`).
#[inline]
pub(crate) const fn is_text_char(b: u8) -> bool {
    b != 0 && b < 0x80 && b != b'\r' && b != b'\n'
}

/// `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
#[inline]
pub(crate) const fn is_list_char(b: u8) -> bool {
    is_atom_char(b) || matches!(b, b'%' | b'*' | b']')
}

/// Whether `s` is the mailbox name INBOX (case-insensitive, RFC 3501 §5.1).
pub(crate) fn is_inbox(s: &[u8]) -> bool {
    s.eq_ignore_ascii_case(b"INBOX")
}

fn cow_str_into_owned(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

fn cow_bytes_into_owned(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
    Cow::Owned(c.into_owned())
}

macro_rules! validated_str {
    ($(#[$doc:meta])* $name:ident, $what:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(pub(crate) Cow<'a, str>);

        impl<'a> $name<'a> {
            /// Validates `s` against the grammar rule.
            pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
                let s = s.into();
                let check: fn(&[u8]) -> bool = $check;
                if check(s.as_bytes()) {
                    Ok(Self(s))
                } else {
                    Err(Error::invalid($what, "character not allowed or empty"))
                }
            }

            /// Wraps bytes the parser has already validated.
            #[allow(dead_code)]
            pub(crate) fn unvalidated(s: &'a [u8]) -> Self {
                Self(match core::str::from_utf8(s) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => Cow::Owned(String::from_utf8_lossy(s).into_owned()),
                })
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Detaches the value from the input buffer.
            pub fn into_owned(self) -> $name<'static> {
                $name(cow_str_into_owned(self.0))
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = Error;
            fn try_from(s: &'a str) -> Result<Self, Error> {
                Self::new(s)
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

validated_str!(
    /// A command tag: `tag = 1*<any ASTRING-CHAR except "+">` (RFC 3501 §9).
    Tag,
    "tag",
    |b| !b.is_empty() && b.iter().all(|&c| is_tag_char(c))
);

validated_str!(
    /// An atom: `atom = 1*ATOM-CHAR` (RFC 3501 §9).
    Atom,
    "atom",
    |b| !b.is_empty() && b.iter().all(|&c| is_atom_char(c))
);

validated_str!(
    /// The atom form of an astring: `1*ASTRING-CHAR` (RFC 3501 §9).
    AtomExt,
    "astring atom",
    |b| !b.is_empty() && b.iter().all(|&c| is_astring_char(c))
);

validated_str!(
    /// Human-readable text: `text = 1*TEXT-CHAR` (RFC 3501 §9). It may not start with `[`,
    /// which would read as a response code, nor end like a literal announcement (`{5}`),
    /// which every framer reads as one.
    Text,
    "text",
    |b| !b.is_empty()
        && b.first() != Some(&b'[')
        && b.iter().all(|&c| is_text_char(c))
        && !ends_like_literal(b)
);

/// Whether `b` ends in `{digits}` or `{digits+}`.
pub(crate) fn ends_like_literal(b: &[u8]) -> bool {
    let Some(rest) = b.strip_suffix(b"}") else {
        return false;
    };
    let rest = rest.strip_suffix(b"+").unwrap_or(rest);
    let digits = rest.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && rest.len() > digits && rest.get(rest.len() - digits - 1) == Some(&b'{')
}

impl Text<'_> {
    /// An empty text, only produced by the lenient decoder ([`crate::Quirk::EmptyText`]).
    pub(crate) fn empty() -> Self {
        Text(Cow::Borrowed(""))
    }
}

/// A quoted string's content (without quotes and escapes): `quoted = DQUOTE *QUOTED-CHAR
/// DQUOTE` (RFC 3501 §9). 7-bit text without CR and LF, or UTF-8 when built with
/// [`Quoted::new_utf8`] for a session that enabled UTF8=ACCEPT (RFC 6855 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quoted<'a>(pub(crate) Cow<'a, [u8]>);

impl<'a> Quoted<'a> {
    /// Validates `data` as 7-bit quotable text.
    pub fn new(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        let data = data.into();
        if data.iter().all(|&c| is_text_char(c)) {
            Ok(Quoted(data))
        } else {
            Err(Error::invalid("quoted", "8-bit, NUL, CR or LF"))
        }
    }

    /// Validates `data` as UTF-8 quotable text (RFC 6855 §3 `uQUOTED-CHAR`).
    pub fn new_utf8(data: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let data = data.into();
        if data.bytes().all(|c| c >= 0x80 || is_text_char(c)) {
            Ok(Quoted(match data {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }))
        } else {
            Err(Error::invalid("quoted", "NUL, CR or LF"))
        }
    }

    /// The content.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Quoted<'static> {
        Quoted(cow_bytes_into_owned(self.0))
    }
}

/// How a literal is sent (RFC 3501 §4.3, RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiteralMode {
    /// `{n}`: the sender waits for a continuation request before the data.
    Sync,
    /// `{n+}`: LITERAL+ / LITERAL-, the data follows at once.
    NonSync,
}

/// A literal: `literal = "{" number ["+"] "}" CRLF *CHAR8` (RFC 3501 §9, RFC 7888 §8).
/// `CHAR8 = %x01-ff`: any octet but NUL. The data borrows from the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal<'a> {
    pub(crate) data: Cow<'a, [u8]>,
    pub(crate) mode: LiteralMode,
}

impl<'a> Literal<'a> {
    /// A synchronizing literal; refuses NUL octets and sizes over `u32::MAX`.
    pub fn new(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        Self::with_mode(data, LiteralMode::Sync)
    }

    /// A literal with the given mode.
    pub fn with_mode(data: impl Into<Cow<'a, [u8]>>, mode: LiteralMode) -> Result<Self, Error> {
        let data = data.into();
        if memchr::memchr(0, &data).is_some() {
            return Err(Error::invalid("literal", "NUL octet"));
        }
        if u32::try_from(data.len()).is_err() {
            return Err(Error::invalid("literal", "longer than 4294967295 octets"));
        }
        Ok(Literal { data, mode })
    }

    /// The data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Sync or non-sync.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// The same data sent in another mode.
    pub fn set_mode(&mut self, mode: LiteralMode) {
        self.mode = mode;
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Literal<'static> {
        Literal {
            data: cow_bytes_into_owned(self.data),
            mode: self.mode,
        }
    }
}

/// `string = quoted / literal` (RFC 3501 §9), keeping which form was used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IString<'a> {
    /// `"..."`.
    Quoted(Quoted<'a>),
    /// `{n}\r\n...`.
    Literal(Literal<'a>),
}

impl<'a> IString<'a> {
    /// Picks the representation for `data`: quoted when it can, a synchronizing literal when
    /// it must. Fails only for data no string can carry (NUL).
    pub fn new(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        let data = data.into();
        if data.len() <= 1024 && data.iter().all(|&c| is_text_char(c)) {
            Ok(IString::Quoted(Quoted(data)))
        } else {
            Literal::new(data).map(IString::Literal)
        }
    }

    /// The content.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            IString::Quoted(q) => q.as_bytes(),
            IString::Literal(l) => l.data(),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> IString<'static> {
        match self {
            IString::Quoted(q) => IString::Quoted(q.into_owned()),
            IString::Literal(l) => IString::Literal(l.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for IString<'a> {
    type Error = Error;
    fn try_from(s: &'a str) -> Result<Self, Error> {
        IString::new(s.as_bytes())
    }
}

/// `astring = 1*ASTRING-CHAR / string` (RFC 3501 §9), keeping which form was used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AString<'a> {
    /// The bare form.
    Atom(AtomExt<'a>),
    /// A quoted string or a literal.
    String(IString<'a>),
}

impl<'a> AString<'a> {
    /// Picks the representation for `data`: an atom when it can, then quoted, then a
    /// literal. Fails only for data no string can carry (NUL).
    pub fn new(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        let data = data.into();
        if !data.is_empty() && data.iter().all(|&c| is_astring_char(c)) {
            // All ASCII, so the conversion cannot fail.
            return Ok(AString::Atom(AtomExt(match data {
                Cow::Borrowed(b) => Cow::Borrowed(core::str::from_utf8(b).unwrap_or_default()),
                Cow::Owned(b) => Cow::Owned(String::from_utf8(b).unwrap_or_default()),
            })));
        }
        IString::new(data).map(AString::String)
    }

    /// The content.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            AString::Atom(a) => a.as_str().as_bytes(),
            AString::String(s) => s.as_bytes(),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> AString<'static> {
        match self {
            AString::Atom(a) => AString::Atom(a.into_owned()),
            AString::String(s) => AString::String(s.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for AString<'a> {
    type Error = Error;
    fn try_from(s: &'a str) -> Result<Self, Error> {
        AString::new(s.as_bytes())
    }
}

/// `nstring = string / nil` (RFC 3501 §9): `None` is `NIL`.
pub type NString<'a> = Option<IString<'a>>;

pub(crate) fn nstring_into_owned(n: NString<'_>) -> NString<'static> {
    n.map(IString::into_owned)
}

/// A non-empty list, for the grammar's `x *(SP x)` rules: the serializer can never emit an
/// empty `()` where the grammar wants at least one item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vec1<T>(pub(crate) Vec<T>);

impl<T> Vec1<T> {
    /// A list of one item.
    pub fn one(item: T) -> Self {
        Vec1(alloc::vec![item])
    }

    /// The items.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The items, by value.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }

    /// The first item (there always is one).
    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }

    /// Iterates over the items.
    pub fn iter(&self) -> core::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Vec1<U> {
        Vec1(self.0.into_iter().map(f).collect())
    }
}

impl<T> TryFrom<Vec<T>> for Vec1<T> {
    type Error = Error;
    fn try_from(v: Vec<T>) -> Result<Self, Error> {
        if v.is_empty() {
            Err(Error::invalid("list", "empty"))
        } else {
            Ok(Vec1(v))
        }
    }
}

impl<'v, T> IntoIterator for &'v Vec1<T> {
    type Item = &'v T;
    type IntoIter = core::slice::Iter<'v, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// `number64 = 1*DIGIT ; Unsigned 63-bit integer` (RFC 9051 §9, RFC 9208 §9): a number in
/// `0 ..= 2^63 - 1`. The constructor refuses larger values, so every value serializes to
/// what the grammar allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Number64(u64);

impl Number64 {
    /// The largest `number64`: 2^63 - 1.
    pub const MAX: u64 = i64::MAX as u64;

    /// Validates `n <= 2^63 - 1`.
    pub const fn new(n: u64) -> Result<Self, Error> {
        if n > Self::MAX {
            return Err(Error::invalid("number64", "larger than 2^63 - 1"));
        }
        Ok(Number64(n))
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for Number64 {
    type Error = Error;
    fn try_from(n: u64) -> Result<Self, Error> {
        Self::new(n)
    }
}

/// `n` if `1 <= n <= 2^63 - 1`: the range of `nz-number64` and `mod-sequence-value`.
const fn nz63(n: u64) -> Option<core::num::NonZeroU64> {
    match core::num::NonZeroU64::new(n) {
        Some(v) if n <= Number64::MAX => Some(v),
        _ => None,
    }
}

/// `nz-number64 = digit-nz *DIGIT ; Unsigned 63-bit integer, > 0` (RFC 9051 §9): a number
/// in `1 ..= 2^63 - 1`, the length of a FETCH `partial`. The constructor refuses 0 and
/// larger values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NzNumber64(core::num::NonZeroU64);

impl NzNumber64 {
    /// Validates `1 <= n <= 2^63 - 1`.
    pub const fn new(n: u64) -> Result<Self, Error> {
        match nz63(n) {
            Some(v) => Ok(NzNumber64(v)),
            None => Err(Error::invalid("nz-number64", "0 or larger than 2^63 - 1")),
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0.get()
    }
}

impl TryFrom<u64> for NzNumber64 {
    type Error = Error;
    fn try_from(n: u64) -> Result<Self, Error> {
        Self::new(n)
    }
}

/// `mod-sequence-value = 1*DIGIT ; (1 <= n <= 9,223,372,036,854,775,807)` (RFC 7162 §7):
/// a CONDSTORE modification sequence. `mod-sequence-valzer` (which adds `0`) is
/// `Option<ModSeq>` where the grammar allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModSeq(core::num::NonZeroU64);

impl ModSeq {
    /// Validates `1 <= n <= 2^63 - 1`.
    pub const fn new(n: u64) -> Result<Self, Error> {
        match nz63(n) {
            Some(v) => Ok(ModSeq(v)),
            None => Err(Error::invalid(
                "mod-sequence-value",
                "0 or larger than 2^63 - 1",
            )),
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0.get()
    }
}

impl TryFrom<u64> for ModSeq {
    type Error = Error;
    fn try_from(n: u64) -> Result<Self, Error> {
        Self::new(n)
    }
}

/// A binary literal: `literal8 = "~{" number ["+"] "}" CRLF *OCTET` (RFC 3516 §7, RFC
/// 4466 §2.2, RFC 7888 §8). Unlike [`Literal`] it may carry NUL octets. The data borrows
/// from the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal8<'a> {
    pub(crate) data: Cow<'a, [u8]>,
    pub(crate) mode: LiteralMode,
}

impl<'a> Literal8<'a> {
    /// A synchronizing binary literal; refuses sizes over `u32::MAX`.
    pub fn new(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, Error> {
        Self::with_mode(data, LiteralMode::Sync)
    }

    /// A binary literal with the given mode.
    pub fn with_mode(data: impl Into<Cow<'a, [u8]>>, mode: LiteralMode) -> Result<Self, Error> {
        let data = data.into();
        if u32::try_from(data.len()).is_err() {
            return Err(Error::invalid("literal8", "longer than 4294967295 octets"));
        }
        Ok(Literal8 { data, mode })
    }

    /// The data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Sync or non-sync.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Literal8<'static> {
        Literal8 {
            data: cow_bytes_into_owned(self.data),
            mode: self.mode,
        }
    }
}
