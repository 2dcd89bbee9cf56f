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

/// One `ReplyDecoder` fed a reply a byte at a time gives what one call on the whole reply
/// gives, errors included (the smtp_client fuzz target found a pre-scan that missed errors
/// on continuation lines when the input was chunked).
#[test]
fn resumable_reply_decoder_agrees_with_whole_input() {
    use smtp_proto::parse::{ReplyConfig, ReplyDecoder, reply_lines};
    let config = ReplyConfig::default();
    let cases: [&[u8]; 9] = [
        b"250-a\r\n250-b\r\n250 c\r\n",
        b"250-a\r\n251-b\r\n250 c\r\n",
        b"250-a\r\n(44-b\r\n250 c\r\n",
        b"444-4444\r\n",
        b"250-a\n250-b\r\n250 c\r\n",
        b"250-2.0.0 a\r\n250-2.0.0 b\r\n250 2.0.0 c\r\n",
        b"250-a\r\n250-\x01\r\n250 c\r\n",
        b"550-5.1.1 a\r\n550 b\r\n",
        b"2",
    ];
    for input in cases {
        let whole = reply_lines(input, &config).map(|d| d.map(|r| r.into_owned()));
        let mut dec = ReplyDecoder::default();
        let mut last = None;
        for end in 1..=input.len() {
            let r = dec
                .decode(&input[..end], &config)
                .map(|d| d.map(|r| r.into_owned()));
            let done = !matches!(r, Ok(smtp_proto::Decoded::Incomplete { .. }));
            last = Some(r);
            if done {
                break;
            }
        }
        assert_eq!(last, Some(whole), "{:?}", String::from_utf8_lossy(input));
    }
}
