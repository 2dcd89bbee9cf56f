//! Case-insensitive keywords and keyword sets.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};

use mail_common::keyword::{Keyword, KeywordSet, eq_ignore_case, starts_with_ignore_case};
use proptest::prelude::*;

fn hash_of(k: &Keyword<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    k.hash(&mut h);
    h.finish()
}

#[test]
fn comparisons_fold_only_ascii_letters() {
    assert!(eq_ignore_case(b"STARTTLS", b"starttls"));
    assert!(!eq_ignore_case(b"STARTTLS", b"STARTTL"));
    assert!(!eq_ignore_case(b"[", b"{")); // 0x5B vs 0x7B: not letters
    assert!(!eq_ignore_case(b"\xc4", b"\xe4")); // Latin-1 letters are not folded
    assert!(eq_ignore_case(b"", b""));
    assert!(starts_with_ignore_case(b"RCPT TO:<a@b>", b"rcpt to:"));
    assert!(starts_with_ignore_case(b"abc", b""));
    assert!(!starts_with_ignore_case(b"RCP", b"RCPT"));
    assert!(!starts_with_ignore_case(b"MAIL", b"RCPT"));
}

#[test]
fn keywords_are_equal_hashed_and_ordered_ignoring_case() {
    let a = Keyword::from("Pipelining");
    let b = Keyword::new(String::from("PIPELINING"));
    assert_eq!(a, b);
    assert_eq!(hash_of(&a), hash_of(&b));
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    assert_eq!(a, "pipelining");
    assert!(a.matches("PIPELINING"));
    assert_eq!(a.as_str(), "Pipelining");
    assert_eq!(a.to_string(), "Pipelining");
    assert_eq!(format!("{a:?}"), "Keyword(\"Pipelining\")");
    let (lower_a, upper_b, upper_a, lower_ab) = (
        Keyword::from("a"),
        Keyword::from("B"),
        Keyword::from("A"),
        Keyword::from("ab"),
    );
    assert!(lower_a < upper_b);
    assert!(lower_ab > upper_a);
    assert_ne!(Keyword::from("ab"), Keyword::from("abc"));
    let set: HashSet<Keyword<'_>> = ["SIZE", "size", "Size", "8BITMIME"]
        .into_iter()
        .map(Keyword::from)
        .collect();
    assert_eq!(set.len(), 2);
    let tree: BTreeSet<Keyword<'_>> = ["b", "A", "a", "C"]
        .into_iter()
        .map(Keyword::from)
        .collect();
    let order: Vec<String> = tree
        .iter()
        .map(|k| k.as_str().to_ascii_lowercase())
        .collect();
    assert_eq!(order, ["a", "b", "c"]);
    let owned: Keyword<'static> = Keyword::from("x").into_owned();
    assert_eq!(owned.as_ref(), "x");
}

#[test]
fn keyword_set_keeps_insertion_order_and_first_spelling() {
    let mut set = KeywordSet::new();
    assert!(set.is_empty());
    assert!(set.insert("IMAP4rev1"));
    assert!(set.insert("IDLE"));
    assert!(set.insert(String::from("Literal+")));
    assert!(!set.insert("idle"));
    assert_eq!(set.len(), 3);
    assert_eq!(set.get("LITERAL+").map(Keyword::as_str), Some("Literal+"));
    assert!(set.contains("imap4REV1"));
    assert!(!set.contains("IMAP4"));
    assert!(set.remove("Idle"));
    assert!(!set.remove("idle"));
    assert_eq!(
        (&set).into_iter().map(Keyword::as_str).collect::<Vec<_>>(),
        ["IMAP4rev1", "Literal+"]
    );
    set.clear();
    assert!(set.is_empty());
}

#[test]
fn keyword_sets_compare_as_sets() {
    let a: KeywordSet = ["A", "B", "c"].into_iter().collect();
    let b: KeywordSet = ["C", "b", "a", "A"].into_iter().collect();
    assert_eq!(b.len(), 3);
    assert_eq!(a, b);
    let c: KeywordSet = ["A", "B"].into_iter().collect();
    assert_ne!(a, c);
    let mut d = c.clone();
    d.extend(["C"]);
    assert_eq!(a, d);
}

proptest! {
    #[test]
    fn case_changes_never_matter(s in "[ -~]{0,30}") {
        let upper = s.to_ascii_uppercase();
        let lower = s.to_ascii_lowercase();
        prop_assert!(eq_ignore_case(upper.as_bytes(), lower.as_bytes()));
        let with_tail = format!("{upper}tail");
        prop_assert!(starts_with_ignore_case(with_tail.as_bytes(), lower.as_bytes()));
        let (ku, kl) = (Keyword::from(upper.as_str()), Keyword::from(lower.as_str()));
        prop_assert_eq!(&ku, &kl);
        prop_assert_eq!(hash_of(&ku), hash_of(&kl));
        let mut set = KeywordSet::new();
        prop_assert!(set.insert(upper.as_str()));
        prop_assert!(!set.insert(lower.as_str()));
        prop_assert!(set.contains(&lower));
    }

    #[test]
    fn equality_agrees_with_lowercased_copies(a in "[a-cA-C]{0,4}", b in "[a-cA-C]{0,4}") {
        let (folded_a, folded_b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        let reference = folded_a == folded_b;
        prop_assert_eq!(eq_ignore_case(a.as_bytes(), b.as_bytes()), reference);
        let (ka, kb) = (Keyword::from(a.as_str()), Keyword::from(b.as_str()));
        prop_assert_eq!(ka == kb, reference);
        prop_assert_eq!(
            Keyword::from(a.as_str()).cmp(&Keyword::from(b.as_str())),
            a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase())
        );
    }
}
