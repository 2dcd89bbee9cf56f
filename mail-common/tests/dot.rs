//! Dot-stuffing: exhaustive small-input tests against an obviously-correct reference, the
//! SMTP smuggling cases, line limits, and proptest round trips.

use mail_common::Error;
use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotStuffer, DotUnstuffer, Unstuffed, stuff};
use mail_common::error::BareOctet;

/// What a whole decode of some input ends in, with error offsets left out (they are
/// relative to each call's input, which depends on the chunking).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The end marker was read: the content, and the total bytes consumed.
    End(Vec<u8>, usize),
    /// The input ran out first (content so far is not compared: it depends on how much of
    /// the last line could be released).
    Incomplete,
    /// An error of this kind.
    Failed(&'static str),
}

fn kind(e: &Error) -> &'static str {
    match e {
        Error::BareLineEnding {
            octet: BareOctet::Cr,
            ..
        } => "bare CR",
        Error::BareLineEnding {
            octet: BareOctet::Lf,
            ..
        } => "bare LF",
        Error::LineTooLong { .. } => "too long",
        _ => "other",
    }
}

/// Feeds `input` split at the given points, as a caller with a buffer would.
fn run(input: &[u8], splits: &[usize], cfg: DotConfig) -> Outcome {
    let mut dec = DotUnstuffer::new(cfg);
    let mut buf = Vec::new();
    let mut content = Vec::new();
    let mut total = 0;
    let mut last = 0;
    let mut bounds: Vec<usize> = splits.to_vec();
    bounds.push(input.len());
    for &b in &bounds {
        buf.extend_from_slice(&input[last..b]);
        last = b;
        loop {
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    assert!(consumed <= buf.len());
                    total += consumed;
                    match value {
                        Unstuffed::Data(d) => {
                            assert!(consumed > 0, "no progress");
                            content.extend_from_slice(d);
                        }
                        Unstuffed::End => return Outcome::End(content, total),
                    }
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => {
                    assert!(buf.len() <= 2, "held back more than 2 bytes: {buf:?}");
                    break;
                }
                Err(e) => return Outcome::Failed(kind(&e)),
            }
        }
    }
    Outcome::Incomplete
}

/// The reference: split into CRLF-terminated lines; a line that is exactly "." ends; a
/// leading dot is removed; a bare CR or LF (one not in a CRLF pair) before the end is an
/// error under Reject and plain data under Accept.
fn reference(input: &[u8], policy: BareLineEndings) -> Outcome {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let Some(rel) = input[pos..].windows(2).position(|w| w == b"\r\n") else {
            // No complete line left. Under Reject, a bare octet in the partial line that is
            // already known to be bare is an error too.
            let rest = &input[pos..];
            if policy == BareLineEndings::Reject {
                for (i, &c) in rest.iter().enumerate() {
                    if c == b'\n' {
                        return Outcome::Failed("bare LF");
                    }
                    if c == b'\r' && i + 1 < rest.len() {
                        return Outcome::Failed("bare CR");
                    }
                }
            }
            return Outcome::Incomplete;
        };
        let line = &input[pos..pos + rel];
        if line == b"." {
            return Outcome::End(out, pos + 3);
        }
        if policy == BareLineEndings::Reject {
            // First offending octet in order of appearance.
            for &c in line {
                if c == b'\n' {
                    return Outcome::Failed("bare LF");
                }
                // A CR inside a CRLF-split line is followed by something other than LF.
                if c == b'\r' {
                    return Outcome::Failed("bare CR");
                }
            }
        }
        let body = line.strip_prefix(b".").unwrap_or(line);
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
        pos += rel + 2;
    }
}

fn unlimited(policy: BareLineEndings) -> DotConfig {
    DotConfig {
        max_line_len: None,
        bare_line_endings: policy,
    }
}

fn all_strings(alphabet: &[u8], max_len: usize) -> Vec<Vec<u8>> {
    let mut all = vec![Vec::new()];
    let mut frontier = vec![Vec::new()];
    for _ in 0..max_len {
        let mut next = Vec::new();
        for s in &frontier {
            for &c in alphabet {
                let mut t: Vec<u8> = s.clone();
                t.push(c);
                next.push(t);
            }
        }
        all.extend(next.iter().cloned());
        frontier = next;
    }
    all
}

#[test]
fn exhaustive_unstuffing_matches_reference_at_every_split() {
    let inputs = all_strings(b"a.\r\n", 7);
    assert_eq!(inputs.len(), (0..=7).map(|k| 4usize.pow(k)).sum::<usize>());
    let mut ends = 0;
    for policy in [BareLineEndings::Accept, BareLineEndings::Reject] {
        for input in &inputs {
            let want = reference(input, policy);
            if matches!(want, Outcome::End(..)) {
                ends += 1;
            }
            assert_eq!(
                run(input, &[], unlimited(policy)),
                want,
                "{input:?} {policy:?}"
            );
            for split in 1..input.len() {
                assert_eq!(
                    run(input, &[split], unlimited(policy)),
                    want,
                    "{input:?} split at {split} {policy:?}"
                );
            }
            let ones: Vec<usize> = (1..input.len()).collect();
            assert_eq!(
                run(input, &ones, unlimited(policy)),
                want,
                "{input:?} 1-byte"
            );
        }
    }
    // The reference must actually see ends (a vacuous run would pass otherwise).
    assert!(ends > 500, "only {ends} inputs ended");
}

#[test]
fn exhaustive_stuffing_round_trips() {
    for content in all_strings(b"a.\r\n", 7) {
        let mut wire = Vec::new();
        stuff(&content, &mut wire);
        // The wire form has only CRLF line endings and ends with CRLF . CRLF (or is ".\r\n").
        assert!(wire.ends_with(b"\r\n.\r\n") || wire == b".\r\n", "{wire:?}");
        for (i, &c) in wire.iter().enumerate() {
            if c == b'\n' {
                assert_eq!(wire.get(i.wrapping_sub(1)), Some(&b'\r'), "{wire:?}");
            }
            if c == b'\r' {
                assert_eq!(wire.get(i + 1), Some(&b'\n'), "{wire:?}");
            }
        }
        let Outcome::End(back, used) = run(&wire, &[], unlimited(BareLineEndings::Reject)) else {
            panic!("{content:?} -> {wire:?} did not decode")
        };
        assert_eq!(used, wire.len());
        assert_eq!(back, normalise(&content), "{content:?}");
        // Chunked encoding gives the same wire bytes.
        for split in 0..=content.len() {
            let mut s = DotStuffer::new();
            let mut w2 = Vec::new();
            s.encode(&content[..split], &mut w2);
            s.encode(&content[split..], &mut w2);
            s.finish(&mut w2);
            assert_eq!(w2, wire, "{content:?} split {split}");
        }
    }
}

/// CRLF-normalised content as the decoder must return it: every CR, LF or CRLF becomes CRLF,
/// and non-empty content ends with CRLF.
fn normalise(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < content.len() {
        match (content[i], content.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            (b'\r' | b'\n', _) => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn accept() -> DotConfig {
    unlimited(BareLineEndings::Accept)
}

#[test]
fn bare_lf_dot_lf_does_not_end_data() {
    assert_eq!(run(b"a\n.\nb", &[], accept()), Outcome::Incomplete);
    assert_eq!(
        run(b"a\n.\n", &[], DotConfig::default()),
        Outcome::Failed("bare LF")
    );
}

#[test]
fn bare_cr_dot_cr_does_not_end_data() {
    assert_eq!(run(b"a\r.\rb", &[], accept()), Outcome::Incomplete);
    assert_eq!(
        run(b"a\r.\rb", &[], DotConfig::default()),
        Outcome::Failed("bare CR")
    );
}

#[test]
fn lf_dot_crlf_does_not_end_data() {
    // The CVE-2023-51764 form: <LF>.<CR><LF> after a line with a bare LF.
    assert_eq!(
        run(b"a\n.\r\nMAIL FROM:<x>\r\n", &[], accept()),
        Outcome::Incomplete
    );
}

#[test]
fn crlf_dot_cr_cr_lf_is_not_an_end() {
    let out = run(b"a\r\n.\r\r\n.\r\n", &[], accept());
    assert_eq!(out, Outcome::End(b"a\r\n\r\r\n".to_vec(), 10));
    assert_eq!(
        run(b"a\r\n.\r\r\n.\r\n", &[], DotConfig::default()),
        Outcome::Failed("bare CR")
    );
}

#[test]
fn empty_body_right_after_354_ends_at_once() {
    assert_eq!(
        run(b".\r\nQUIT\r\n", &[], DotConfig::default()),
        Outcome::End(Vec::new(), 3)
    );
}

#[test]
fn leading_double_dot_on_first_line_is_unstuffed() {
    assert_eq!(
        run(b"..hidden\r\n.\r\n", &[], DotConfig::default()),
        Outcome::End(b".hidden\r\n".to_vec(), 13)
    );
    assert_eq!(
        run(b"x\r\n..\r\n.\r\n", &[], DotConfig::default()),
        Outcome::End(b"x\r\n.\r\n".to_vec(), 10)
    );
}

#[test]
fn bytes_after_the_end_are_left_unconsumed() {
    let mut dec = DotUnstuffer::default();
    let input = b"hi\r\n.\r\nQUIT\r\n";
    let Ok(Decoded::Complete { consumed, .. }) = dec.decode(input) else {
        panic!()
    };
    assert_eq!(consumed, 4);
    let Ok(Decoded::Complete { value, consumed }) = dec.decode(&input[4..]) else {
        panic!()
    };
    assert_eq!((value, consumed), (Unstuffed::End, 3));
    assert_eq!(dec.decode(b"QUIT\r\n"), Err(Error::Finished));
    dec.reset();
    assert!(!dec.is_finished());
}

#[test]
fn bare_line_ending_error_has_the_offset() {
    let mut dec = DotUnstuffer::default();
    assert_eq!(
        dec.decode(b"abc\ndef\r\n"),
        Err(Error::BareLineEnding {
            offset: 3,
            octet: BareOctet::Lf
        })
    );
}

#[test]
fn line_limit_counts_crlf_but_not_the_stuffed_dot() {
    let cfg = DotConfig {
        max_line_len: Some(6),
        bare_line_endings: BareLineEndings::Reject,
    };
    // "abcd" CRLF = 6 octets: fine. "..bcd" CRLF = 7 on the wire, 6 without the dot added
    // for transparency (RFC 5321 §4.5.3.1.6): fine. "...bcd" CRLF: too long.
    assert_eq!(
        run(b"abcd\r\n.\r\n", &[], cfg),
        Outcome::End(b"abcd\r\n".to_vec(), 9)
    );
    assert_eq!(
        run(b"..bcd\r\n.\r\n", &[], cfg),
        Outcome::End(b".bcd\r\n".to_vec(), 10)
    );
    for split in 0..9 {
        assert_eq!(
            run(b"...bcd\r\n.\r\n", &[split], cfg),
            Outcome::Failed("too long")
        );
    }
    assert_eq!(
        run(b"abcde\r\n.\r\n", &[], cfg),
        Outcome::Failed("too long")
    );
    // The same at every chunking.
    for split in 1..7 {
        assert_eq!(
            run(b"abcde\r\n.\r\n", &[split], cfg),
            Outcome::Failed("too long")
        );
    }
    let mut dec = DotUnstuffer::new(cfg);
    assert_eq!(
        dec.decode(b"abcdefgh"),
        Err(Error::LineTooLong {
            offset: 6,
            limit: 6
        })
    );
}

#[test]
fn chunks_are_borrowed_and_large_input_streams() {
    // 1 MB of content in 4 KB chunks: each Data is a slice of the caller's buffer and the
    // decoder holds back at most 2 bytes.
    let line = b"0123456789012345678901234567890123456789012345678901234567890123456789\r\n";
    let mut content = Vec::new();
    while content.len() < 1 << 20 {
        content.extend_from_slice(line);
    }
    let mut wire = Vec::new();
    stuff(&content, &mut wire);
    let splits: Vec<usize> = (4096..wire.len()).step_by(4096).collect();
    assert_eq!(
        run(&wire, &splits, DotConfig::default()),
        Outcome::End(content.clone(), wire.len())
    );
}

proptest::proptest! {
    #[test]
    fn stuff_then_unstuff_is_identity_on_crlf_text(
        lines in proptest::collection::vec("[.a-z ]{0,20}", 0..20),
        splits in proptest::collection::vec(0usize..400, 0..6),
    ) {
        let mut content = Vec::new();
        for l in &lines {
            content.extend_from_slice(l.as_bytes());
            content.extend_from_slice(b"\r\n");
        }
        let mut wire = Vec::new();
        stuff(&content, &mut wire);
        let mut splits: Vec<usize> = splits.into_iter().filter(|&s| s < wire.len()).collect();
        splits.sort_unstable();
        splits.dedup();
        proptest::prop_assert_eq!(
            run(&wire, &splits, DotConfig::default()),
            Outcome::End(content, wire.len())
        );
    }

    /// Mostly well-formed lines (so that the decoder's whole-span fast path is taken and
    /// also declines near its edges: a bare CR or LF, a line at or over the limit, a
    /// line starting with a dot), decoded whole, at random splits and one octet at a
    /// time (which never takes the fast path): the same outcome each way, and the
    /// reference's when no line is too long.
    #[test]
    fn fast_path_equals_the_line_loop(
        lines in proptest::collection::vec(
            (
                "[.a]?[a-z]{0,14}",
                proptest::prop_oneof![
                    60 => proptest::strategy::Just("\r\n"),
                    1 => proptest::strategy::Just("\n"),
                    1 => proptest::strategy::Just("\r"),
                    1 => proptest::strategy::Just("\r\r\n"),
                ],
            ),
            0..40,
        ),
        end in proptest::bool::ANY,
        splits in proptest::collection::vec(0usize..400, 0..6),
        accept in proptest::bool::ANY,
        limit in proptest::sample::select(vec![None, Some(3), Some(12), Some(16), Some(17)]),
    ) {
        let mut input = Vec::new();
        for (l, eol) in &lines {
            input.extend_from_slice(l.as_bytes());
            input.extend_from_slice(eol.as_bytes());
        }
        if end {
            input.extend_from_slice(b".\r\n");
        }
        let policy = if accept { BareLineEndings::Accept } else { BareLineEndings::Reject };
        let cfg = DotConfig { max_line_len: limit, bare_line_endings: policy };
        let mut splits: Vec<usize> = splits.into_iter().filter(|&s| s > 0 && s < input.len()).collect();
        splits.sort_unstable();
        splits.dedup();
        let ones: Vec<usize> = (1..input.len()).collect();
        let by_octet = run(&input, &ones, cfg);
        proptest::prop_assert_eq!(run(&input, &[], cfg), by_octet.clone());
        proptest::prop_assert_eq!(run(&input, &splits, cfg), by_octet.clone());
        if limit.is_none() {
            proptest::prop_assert_eq!(reference(&input, policy), by_octet);
        }
    }

    #[test]
    fn decoding_is_chunking_invariant(
        input in proptest::collection::vec(proptest::sample::select(vec![b'a', b'.', b'\r', b'\n']), 0..200),
        splits in proptest::collection::vec(0usize..200, 0..10),
        accept in proptest::bool::ANY,
    ) {
        let cfg = DotConfig {
            max_line_len: Some(12),
            bare_line_endings: if accept { BareLineEndings::Accept } else { BareLineEndings::Reject },
        };
        let mut splits: Vec<usize> = splits.into_iter().filter(|&s| s > 0 && s < input.len()).collect();
        splits.sort_unstable();
        splits.dedup();
        let whole = run(&input, &[], cfg);
        proptest::prop_assert_eq!(run(&input, &splits, cfg), whole.clone());
        let ones: Vec<usize> = (1..input.len()).collect();
        proptest::prop_assert_eq!(run(&input, &ones, cfg), whole);
    }
}

#[test]
fn bare_lf_at_the_start_of_a_long_chunk_is_refused() {
    // The chunk after "abc" starts with a bare LF and is long enough for the decoder's
    // whole-span fast path: that LF has no CR before it in any input.
    let mut wire = b"abc\n".to_vec();
    wire.extend_from_slice(&[b'a'; 100]);
    wire.extend_from_slice(b"\r\n.\r\n");
    for cfg in [DotConfig::default(), unlimited(BareLineEndings::Reject)] {
        assert_eq!(run(&wire, &[3], cfg), Outcome::Failed("bare LF"));
        assert_eq!(run(&wire, &[], cfg), Outcome::Failed("bare LF"));
    }
    let mut content = b"abc\n".to_vec();
    content.extend_from_slice(&[b'a'; 100]);
    content.extend_from_slice(b"\r\n");
    assert_eq!(
        run(&wire, &[3], accept()),
        Outcome::End(content, wire.len())
    );
}
