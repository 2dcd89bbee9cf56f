//! ASCII case-insensitive keywords: command verbs, capability names, ESMTP keywords, SASL
//! mechanism names.
//!
//! The mail protocols compare their keywords without regard to ASCII case (RFC 5321 §2.4,
//! RFC 3501 §9, RFC 1939 §3). Everything here compares octet by octet, folding only the ASCII
//! letters, and never allocates an upper- or lower-case copy to compare.
//!
//! ```
//! use mail_common::keyword::{eq_ignore_case, starts_with_ignore_case, Keyword, KeywordSet};
//!
//! assert!(eq_ignore_case(b"ehlo", b"EHLO"));
//! assert!(starts_with_ignore_case(b"mail from:<a@b>", b"MAIL FROM:"));
//!
//! let mut caps = KeywordSet::new();
//! assert!(caps.insert("PIPELINING"));
//! assert!(caps.insert("8BITMIME"));
//! assert!(!caps.insert("pipelining")); // already there
//! assert!(caps.contains("Pipelining"));
//! assert_eq!(caps.iter().map(Keyword::as_str).collect::<Vec<_>>(), ["PIPELINING", "8BITMIME"]);
//! assert_eq!(Keyword::from("Size"), Keyword::from("SIZE"));
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

/// Whether `a` and `b` are equal when ASCII letters are compared without regard to case.
///
/// Octets outside `A-Z`/`a-z` must match exactly; nothing is allocated.
#[inline]
#[must_use]
pub fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether `input` begins with `prefix`, ASCII letters compared without regard to case.
#[inline]
#[must_use]
pub fn starts_with_ignore_case(input: &[u8], prefix: &[u8]) -> bool {
    input
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Compares two byte strings in ASCII case-folded order (shorter first on a common prefix).
fn cmp_ignore_case(a: &[u8], b: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// A keyword compared, ordered and hashed without regard to ASCII case, keeping the
/// spelling it was made with (a borrowed `&str` where possible).
///
/// Two keywords that differ only in ASCII case are equal and hash alike, so a `Keyword` can
/// key a `HashMap` or `BTreeMap` of case-insensitive names. It also compares equal to a
/// `str` of either case.
#[derive(Clone)]
pub struct Keyword<'a>(Cow<'a, str>);

impl<'a> Keyword<'a> {
    /// Wraps a keyword (borrowed or owned).
    pub fn new(keyword: impl Into<Cow<'a, str>>) -> Self {
        Keyword(keyword.into())
    }

    /// The keyword as it was spelled.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this keyword equals `other` without regard to ASCII case.
    #[must_use]
    pub fn matches(&self, other: &str) -> bool {
        eq_ignore_case(self.0.as_bytes(), other.as_bytes())
    }

    /// The same keyword with an owned spelling.
    #[must_use]
    pub fn into_owned(self) -> Keyword<'static> {
        Keyword(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> From<&'a str> for Keyword<'a> {
    fn from(s: &'a str) -> Self {
        Keyword(Cow::Borrowed(s))
    }
}

impl From<alloc::string::String> for Keyword<'static> {
    fn from(s: alloc::string::String) -> Self {
        Keyword(Cow::Owned(s))
    }
}

impl AsRef<str> for Keyword<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Keyword<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Keyword").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Keyword<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq for Keyword<'_> {
    fn eq(&self, other: &Keyword<'_>) -> bool {
        eq_ignore_case(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for Keyword<'_> {}

impl PartialEq<str> for Keyword<'_> {
    fn eq(&self, other: &str) -> bool {
        self.matches(other)
    }
}

impl PartialEq<&str> for Keyword<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.matches(other)
    }
}

impl Hash for Keyword<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        // A terminator, as `str`'s Hash does, so that ("ab", "c") and ("a", "bc") differ.
        state.write_u8(0xff);
    }
}

impl PartialOrd for Keyword<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyword<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_ignore_case(self.0.as_bytes(), other.0.as_bytes())
    }
}

/// A small set of keywords, kept in insertion order, with case-insensitive membership.
///
/// Meant for the handful of names a capability list or an EHLO reply carries: lookups are a
/// linear scan with no allocation, which beats hashing at these sizes. The first spelling
/// inserted is the one kept.
///
/// Two sets are equal when they hold the same keywords (ignoring case), in any order.
#[derive(Debug, Clone, Default)]
pub struct KeywordSet {
    items: Vec<Keyword<'static>>,
}

impl KeywordSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `keyword` unless an equal one (ignoring case) is present; returns whether it
    /// was added.
    pub fn insert<'k>(&mut self, keyword: impl Into<Keyword<'k>>) -> bool {
        let keyword = keyword.into();
        if self.contains(keyword.as_str()) {
            return false;
        }
        self.items.push(keyword.into_owned());
        true
    }

    /// Whether a keyword equal to `keyword` (ignoring case) is present.
    #[must_use]
    pub fn contains(&self, keyword: &str) -> bool {
        self.get(keyword).is_some()
    }

    /// The stored keyword equal to `keyword` (ignoring case), in the spelling it was
    /// inserted with.
    #[must_use]
    pub fn get(&self, keyword: &str) -> Option<&Keyword<'static>> {
        self.items.iter().find(|k| k.matches(keyword))
    }

    /// Removes the keyword equal to `keyword` (ignoring case); returns whether one was
    /// present. The order of the others is kept.
    pub fn remove(&mut self, keyword: &str) -> bool {
        match self.items.iter().position(|k| k.matches(keyword)) {
            Some(i) => {
                self.items.remove(i);
                true
            }
            None => false,
        }
    }

    /// The number of keywords.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Removes every keyword.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The keywords in insertion order.
    pub fn iter(&self) -> core::slice::Iter<'_, Keyword<'static>> {
        self.items.iter()
    }
}

impl PartialEq for KeywordSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|k| other.contains(k.as_str()))
    }
}

impl Eq for KeywordSet {}

impl<'a> IntoIterator for &'a KeywordSet {
    type Item = &'a Keyword<'static>;
    type IntoIter = core::slice::Iter<'a, Keyword<'static>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'k, K: Into<Keyword<'k>>> Extend<K> for KeywordSet {
    fn extend<I: IntoIterator<Item = K>>(&mut self, iter: I) {
        for k in iter {
            self.insert(k);
        }
    }
}

impl<'k, K: Into<Keyword<'k>>> FromIterator<K> for KeywordSet {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut set = KeywordSet::new();
        set.extend(iter);
        set
    }
}
