//! Regressions found by fuzzing, pinned with their bytes.

use smtp_proto::{EhloResponse, Encode, Reply};

fn ehlo_round_trip(bytes: &[u8]) -> (EhloResponse<'static>, EhloResponse<'static>) {
    let (first, used) = EhloResponse::decode(bytes)
        .expect("decodes")
        .complete()
        .expect("complete");
    assert_eq!(used, bytes.len());
    let first = first.into_owned();
    let mut wire = Vec::new();
    first.encode(&mut wire);
    let (second, _) = EhloResponse::decode(&wire)
        .expect("re-decodes")
        .complete()
        .expect("complete");
    (first, second.into_owned())
}

/// smtp_ehlo fuzz finding: `250 2.5.01 2.55.01 2.5.` read `2.5.01` as an enhanced code, then
/// the re-encoded `250 2.55.01 2.5.` read `2.55.01` as one. EHLO responses carry no
/// enhanced codes (RFC 2034 §3) and `01` is no RFC 3463 detail.
#[test]
fn ehlo_domain_that_looks_like_an_enhanced_code_round_trips() {
    let (a, b) = ehlo_round_trip(b"250 2.5.01 2.55.01 2.5.\r\n");
    assert_eq!(a, b);
    assert_eq!(a.domain, "2.5.01");

    let (a, b) = ehlo_round_trip(b"250 2.5.1 2.5.0 hello\r\n");
    assert_eq!(a, b);
    assert_eq!(a.domain, "2.5.1");

    let (a, b) = ehlo_round_trip(b"250-2.0.0 mx.example\r\n250 2.0.0 PIPELINING\r\n");
    assert_eq!(a, b);
    assert_eq!(a.domain, "2.0.0");
}

#[test]
fn enhanced_code_with_a_leading_zero_is_text() {
    let (reply, _) = Reply::decode(b"250 2.5.01 ok\r\n")
        .expect("decodes")
        .complete()
        .expect("complete");
    assert_eq!(reply.enhanced(), None);
    let (reply, _) = Reply::decode(b"250 2.1.0 ok\r\n")
        .expect("decodes")
        .complete()
        .expect("complete");
    assert!(reply.enhanced().is_some());
}
