//! Audit of issue #4: gaps found in `src/parse/*` and `src/types/{reply,ehlo}.rs`, which
//! the auditor does not own. Each test states what the issue or the RFC asks and fails on
//! the current code; they are ignored until the owner fixes the parser.

use smtp_proto::*;

#[test]
fn a_continuation_line_enhanced_class_that_disagrees_with_the_code_is_reported() {
    // The same line alone is reported (offset 4):
    assert_eq!(
        Reply::decode(b"250 5.0.0 b\r\n"),
        Err(Error::EnhancedClassMismatch {
            offset: 4,
            code: 250,
            class: 5
        })
    );
    // ... and as the last line of a reply whose first line has 2.0.0 it is kept as text.
    assert_eq!(
        Reply::decode(b"250-2.0.0 a\r\n250 5.0.0 b\r\n"),
        Err(Error::EnhancedClassMismatch {
            offset: 17,
            code: 250,
            class: 5
        })
    );
}

#[test]
fn holduntil_date_time_fields_are_range_checked() {
    for bad in [
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:61Z",
        "2026-01-01T00:00:00+24:00",
    ] {
        let line = format!("MAIL FROM:<a@b.c> HOLDUNTIL={bad}\r\n");
        assert!(Command::decode(line.as_bytes()).is_err(), "{bad}");
        assert!(DateTime::new(bad).is_err(), "{bad}");
    }
    assert!(DateTime::new("2026-12-31T23:59:60.5+23:59").is_ok());
}

#[test]
fn limits_xclient_and_xforward_are_typed_capabilities() {
    let (ehlo, _) = EhloResponse::decode(
        b"250-mx\r\n250-LIMITS RCPTMAX=10 MAILMAX=5\r\n250-XCLIENT NAME ADDR\r\n250 XFORWARD NAME ADDR\r\n",
    )
    .unwrap()
    .complete()
    .unwrap();
    assert_eq!(ehlo.capabilities.len(), 3);
    for c in &ehlo.capabilities {
        assert!(!matches!(c, Capability::Other { .. }), "{c:?}");
    }
}
