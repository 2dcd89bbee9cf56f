//! Maildir message flags: the letters after `:2,` in a file name.
//!
//! The Maildir specification (cr.yp.to/proto/maildir.html, "info semantics") defines six
//! flags, each an upper-case letter, stored in ASCII order: `D` draft, `F` flagged,
//! `P` passed (resent/forwarded), `R` replied, `S` seen, `T` trashed. Other letters (Dovecot
//! stores IMAP keywords as `a`..`z`) are kept as they are so that a rename never loses them.

use std::fmt;

/// One of the six Maildir flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// `D`: a draft (IMAP `\Draft`).
    Draft,
    /// `F`: flagged for urgent or special attention (IMAP `\Flagged`).
    Flagged,
    /// `P`: passed, i.e. resent, forwarded or bounced (IMAP keyword `$Forwarded`).
    Passed,
    /// `R`: replied to (IMAP `\Answered`).
    Replied,
    /// `S`: seen (IMAP `\Seen`).
    Seen,
    /// `T`: trashed, to be removed at the next expunge (IMAP `\Deleted`).
    Trashed,
}

impl Flag {
    /// All six flags, in the order of their letters.
    pub const ALL: [Flag; 6] = [
        Flag::Draft,
        Flag::Flagged,
        Flag::Passed,
        Flag::Replied,
        Flag::Seen,
        Flag::Trashed,
    ];

    /// The flag's letter in a file name.
    #[must_use]
    pub const fn letter(self) -> char {
        match self {
            Flag::Draft => 'D',
            Flag::Flagged => 'F',
            Flag::Passed => 'P',
            Flag::Replied => 'R',
            Flag::Seen => 'S',
            Flag::Trashed => 'T',
        }
    }

    /// The flag for a letter, if it is one of the six.
    #[must_use]
    pub const fn from_letter(letter: char) -> Option<Flag> {
        match letter {
            'D' => Some(Flag::Draft),
            'F' => Some(Flag::Flagged),
            'P' => Some(Flag::Passed),
            'R' => Some(Flag::Replied),
            'S' => Some(Flag::Seen),
            'T' => Some(Flag::Trashed),
            _ => None,
        }
    }

    /// The IMAP name of the flag (RFC 3501 §2.3.2); `Passed` maps to the `$Forwarded`
    /// keyword (RFC 5550 §5.1), as Dovecot does.
    #[must_use]
    pub const fn imap_name(self) -> &'static str {
        match self {
            Flag::Draft => "\\Draft",
            Flag::Flagged => "\\Flagged",
            Flag::Passed => "$Forwarded",
            Flag::Replied => "\\Answered",
            Flag::Seen => "\\Seen",
            Flag::Trashed => "\\Deleted",
        }
    }

    /// The flag for an IMAP flag name, compared without regard to ASCII case.
    #[must_use]
    pub fn from_imap_name(name: &str) -> Option<Flag> {
        Flag::ALL
            .into_iter()
            .find(|f| f.imap_name().eq_ignore_ascii_case(name))
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of Maildir flags, plus any other letters found in a file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    bits: u8,
    /// Letters other than the six, sorted and without duplicates.
    other: String,
}

impl Flags {
    /// No flags.
    #[must_use]
    pub const fn new() -> Flags {
        Flags {
            bits: 0,
            other: String::new(),
        }
    }

    /// Parses the letters after `2,` (characters other than ASCII letters are dropped).
    #[must_use]
    pub fn from_letters(letters: &str) -> Flags {
        let mut flags = Flags::new();
        let mut other: Vec<char> = Vec::new();
        for c in letters.chars() {
            match Flag::from_letter(c) {
                Some(f) => flags.insert(f),
                None if c.is_ascii_alphabetic() => other.push(c),
                None => {}
            }
        }
        other.sort_unstable();
        other.dedup();
        flags.other = other.into_iter().collect();
        flags
    }

    /// Whether `flag` is set.
    #[must_use]
    pub const fn contains(&self, flag: Flag) -> bool {
        self.bits & flag.bit() != 0
    }

    /// Sets `flag`.
    pub fn insert(&mut self, flag: Flag) {
        self.bits |= flag.bit();
    }

    /// Clears `flag`.
    pub fn remove(&mut self, flag: Flag) {
        self.bits &= !flag.bit();
    }

    /// Whether neither a flag nor another letter is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bits == 0 && self.other.is_empty()
    }

    /// The six-flag part, in letter order.
    pub fn iter(&self) -> impl Iterator<Item = Flag> + '_ {
        Flag::ALL.into_iter().filter(|f| self.contains(*f))
    }

    /// Letters other than the six (for example Dovecot keyword letters), sorted.
    #[must_use]
    pub fn other_letters(&self) -> &str {
        &self.other
    }

    /// All letters in ASCII order, as they appear after `:2,` in a file name.
    #[must_use]
    pub fn letters(&self) -> String {
        let mut all: Vec<char> = self.iter().map(Flag::letter).collect();
        all.extend(self.other.chars());
        all.sort_unstable();
        all.into_iter().collect()
    }

    /// Replaces the six-flag part with `flags`, keeping the other letters.
    pub fn set_known(&mut self, flags: impl IntoIterator<Item = Flag>) {
        self.bits = 0;
        for f in flags {
            self.insert(f);
        }
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(iter: I) -> Flags {
        let mut flags = Flags::new();
        flags.set_known(iter);
        flags
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.letters())
    }
}

/// Splits a file name in `cur/` into its unique base name and its flags: the base is
/// everything before the first `:`; flags are read from an info of the form `2,LETTERS`
/// (an experimental `1,` info or none at all gives no flags).
pub(crate) fn split_file_name(name: &str) -> (&str, Flags) {
    match name.split_once(':') {
        Some((base, info)) => match info.strip_prefix("2,") {
            Some(letters) => (base, Flags::from_letters(letters)),
            None => (base, Flags::new()),
        },
        None => (name, Flags::new()),
    }
}

/// The file name for `base` with `flags` (always with a `:2,` info).
pub(crate) fn file_name(base: &str, flags: &Flags) -> String {
    format!("{base}:2,{}", flags.letters())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_sorted_and_unknown_letters_kept() {
        let flags = Flags::from_letters("TSaRb");
        assert!(flags.contains(Flag::Seen) && flags.contains(Flag::Trashed));
        assert!(!flags.contains(Flag::Draft));
        assert_eq!(flags.other_letters(), "ab");
        assert_eq!(flags.letters(), "RSTab");
    }

    #[test]
    fn split_handles_missing_and_experimental_info() {
        assert_eq!(split_file_name("123.x.host").0, "123.x.host");
        let (base, flags) = split_file_name("123.x.host:2,FS");
        assert_eq!(base, "123.x.host");
        assert_eq!(flags.letters(), "FS");
        let (base, flags) = split_file_name("123.x.host:1,whatever");
        assert_eq!(base, "123.x.host");
        assert!(flags.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn letters_and_file_names_round_trip(
            known in proptest::collection::vec(proptest::sample::select(Flag::ALL.to_vec()), 0..8),
            other in "[a-zA-Z]{0,6}",
            base in "[!-9;-~]{1,40}",
        ) {
            let mut flags = Flags::from_letters(&other);
            for f in &known {
                flags.insert(*f);
            }
            proptest::prop_assert_eq!(Flags::from_letters(&flags.letters()), flags.clone());
            let name = file_name(&base, &flags);
            let (b, f) = split_file_name(&name);
            proptest::prop_assert_eq!(b, base.as_str());
            proptest::prop_assert_eq!(f, flags.clone());
            // Letters are in ASCII order, without duplicates.
            let letters: Vec<char> = flags.letters().chars().collect();
            proptest::prop_assert!(letters.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn imap_names_round_trip() {
        for f in Flag::ALL {
            assert_eq!(Flag::from_imap_name(f.imap_name()), Some(f));
            assert_eq!(Flag::from_letter(f.letter()), Some(f));
        }
        assert_eq!(Flag::from_imap_name("\\seen"), Some(Flag::Seen));
        assert_eq!(Flag::from_imap_name("\\Recent"), None);
    }
}
