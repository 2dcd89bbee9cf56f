//! APOP (RFC 1939 §7): the digest, its verification and the greeting timestamp.

use mail_common::Error;
use mail_common::apop::{
    TIMESTAMP_MAX, apop_digest, greeting_timestamp, make_timestamp, verify_apop,
};
use proptest::prelude::*;

const RFC_TIMESTAMP: &[u8] = b"<1896.697170952@dbc.mtview.ca.us>";
const RFC_DIGEST: &[u8; 32] = b"c4c9334bac560ecc979e58001b3e22fb";

#[test]
fn rfc1939_example_digest() {
    // S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
    // C: APOP mrose c4c9334bac560ecc979e58001b3e22fb   (secret "tanstaaf")
    assert_eq!(&apop_digest(RFC_TIMESTAMP, b"tanstaaf"), RFC_DIGEST);
    let ts = greeting_timestamp(b"POP3 server ready <1896.697170952@dbc.mtview.ca.us>").unwrap();
    assert_eq!(ts, RFC_TIMESTAMP);
    assert!(verify_apop(ts, b"tanstaaf", RFC_DIGEST));
}

#[test]
fn verify_accepts_upper_case_and_rejects_everything_else() {
    assert!(verify_apop(
        RFC_TIMESTAMP,
        b"tanstaaf",
        b"C4C9334BAC560ECC979E58001B3E22FB"
    ));
    assert!(!verify_apop(RFC_TIMESTAMP, b"tanstaaF", RFC_DIGEST));
    assert!(!verify_apop(
        b"<1896.697170952@dbc.mtview.ca.uk>",
        b"tanstaaf",
        RFC_DIGEST
    ));
    assert!(!verify_apop(RFC_TIMESTAMP, b"tanstaaf", &RFC_DIGEST[..31]));
    assert!(!verify_apop(
        RFC_TIMESTAMP,
        b"tanstaaf",
        b"c4c9334bac560ecc979e58001b3e22fb "
    ));
    assert!(!verify_apop(
        RFC_TIMESTAMP,
        b"tanstaaf",
        b"g4c9334bac560ecc979e58001b3e22fb"
    ));
    assert!(!verify_apop(RFC_TIMESTAMP, b"tanstaaf", b""));
}

#[test]
fn greeting_timestamp_finds_the_msg_id() {
    let cases: [(&[u8], Option<&[u8]>); 14] = [
        (b"<a@b>", Some(b"<a@b>")),
        (b"ready <1.2@host> more text", Some(b"<1.2@host>")),
        (
            b"Dovecot ready. <27885.1322570040@hostname>",
            Some(b"<27885.1322570040@hostname>"),
        ),
        (b"POP3 server ready", None),
        (b"ready <1896.697170952dbc.mtview.ca.us>", None), // no "@"
        (b"ready <1896.697170952@dbc.mtview.ca.us", None), // no ">"
        (b"ready <1896 697170952@dbc>", None),             // space inside
        (b"ready <1896\r697170952@dbc>", None),            // CR inside
        (b"ready <1896\n697170952@dbc>", None),            // LF inside
        (b"ready <@dbc>", None),                           // empty local part
        (b"ready <1896@>", None),                          // empty host
        (b"ready <bad> then <ok@host>", Some(b"<ok@host>")),
        (b"<<nested@host>>", Some(b"<nested@host>")),
        (b"x <a\xff@b> <c@d>", Some(b"<c@d>")),
    ];
    for (greeting, expected) in cases {
        assert_eq!(
            greeting_timestamp(greeting),
            expected,
            "{}",
            String::from_utf8_lossy(greeting)
        );
    }
}

#[test]
fn greeting_timestamp_is_capped_at_255_octets() {
    let at_limit = format!("ready <{}@h>", "1".repeat(TIMESTAMP_MAX - 4));
    let ts = greeting_timestamp(at_limit.as_bytes()).unwrap();
    assert_eq!(ts.len(), TIMESTAMP_MAX);
    let over = format!("ready <{}@h>", "1".repeat(TIMESTAMP_MAX - 3));
    assert_eq!(greeting_timestamp(over.as_bytes()), None);
    // A long run of "<" stays linear and finds nothing.
    assert_eq!(greeting_timestamp(&[b'<'; 100_000]), None);
}

#[test]
fn make_timestamp_builds_and_validates() {
    assert_eq!(
        make_timestamp("1896.697170952", "dbc.mtview.ca.us")
            .unwrap()
            .as_bytes(),
        RFC_TIMESTAMP
    );
    let syntax = |r: Result<String, Error>| match r {
        Err(Error::Syntax { offset, .. }) => offset,
        other => panic!("expected a syntax error, got {other:?}"),
    };
    assert_eq!(syntax(make_timestamp("", "h")), 1);
    assert_eq!(syntax(make_timestamp("a b", "h")), 2);
    assert_eq!(syntax(make_timestamp("a>", "h")), 2);
    assert_eq!(syntax(make_timestamp("ab", "")), 4);
    assert_eq!(syntax(make_timestamp("ab", "h@x")), 5);
    assert_eq!(syntax(make_timestamp("ab", "h\r\n")), 5);
    assert_eq!(syntax(make_timestamp("ab", "hé")), 5);
    assert!(make_timestamp(&"1".repeat(TIMESTAMP_MAX - 4), "h").is_ok());
    assert_eq!(
        make_timestamp(&"1".repeat(TIMESTAMP_MAX - 3), "h"),
        Err(Error::LimitExceeded {
            what: "APOP timestamp",
            limit: TIMESTAMP_MAX
        })
    );
}

proptest! {
    #[test]
    fn digest_verifies_and_one_changed_char_does_not(
        unique in "[!-;=?-~]{1,40}",
        host in "[!-;=?A-~]{1,40}",
        secret in proptest::collection::vec(any::<u8>(), 0..64),
        index in 0usize..32,
    ) {
        let ts = make_timestamp(&unique, &host).unwrap();
        let digest = apop_digest(ts.as_bytes(), &secret);
        prop_assert!(digest.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)));
        prop_assert!(verify_apop(ts.as_bytes(), &secret, &digest));
        let mut changed = digest;
        changed[index] = if changed[index] == b'0' { b'1' } else { b'0' };
        prop_assert!(!verify_apop(ts.as_bytes(), &secret, &changed));
        let mut other_secret = secret.clone();
        other_secret.push(b'x');
        prop_assert!(!verify_apop(ts.as_bytes(), &other_secret, &digest));
    }

    #[test]
    fn made_timestamps_are_found_in_greetings(
        unique in "[!-;=?-~]{1,60}",
        host in "[!-;=?A-~]{1,60}",
        before in "[ -~]{0,40}",
    ) {
        let ts = make_timestamp(&unique, &host).unwrap();
        // Text before the timestamp must not itself hold a timestamp.
        prop_assume!(greeting_timestamp(before.as_bytes()).is_none() && !before.contains('<'));
        let greeting = format!("{before} {ts} trailing text");
        prop_assert_eq!(greeting_timestamp(greeting.as_bytes()), Some(ts.as_bytes()));
    }

    #[test]
    fn greeting_timestamp_never_panics_and_returns_a_bracketed_substring(
        text in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        if let Some(ts) = greeting_timestamp(&text) {
            prop_assert!(ts.starts_with(b"<") && ts.ends_with(b">"));
            prop_assert!(ts.contains(&b'@') && ts.len() <= TIMESTAMP_MAX);
            prop_assert!(text.windows(ts.len()).any(|w| w == ts));
        }
    }
}
