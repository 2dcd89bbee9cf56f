//! Extension commands (RFC 4466 and the extensions it collects): golden bytes from each
//! RFC's examples decode to the typed value and re-encode byte for byte, whole, one byte at
//! a time and with trailing bytes.

mod common;

use common::*;
use imap_proto::*;

// ---------------------------------------------------------------- literal8 framing

/// RFC 3516 §7 `literal8 = "~{" number "}" CRLF *OCTET`: the response framer sees the
/// `~{n}` announcement and streams the data (NUL octets included) like any literal.
#[test]
fn response_framer_streams_a_literal8() {
    let input = b"* 1 FETCH (BINARY[1] ~{4}\r\n\0a\0b)\r\n";
    let mut dec = ResponseDecoder::default().with_stream_threshold(1);
    let mut rest = &input[..];
    let mut events = Vec::new();
    loop {
        match dec.decode_streaming(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                events.push(format!("{value:?}"));
                rest = &rest[consumed..];
                if events.len() == 2 {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(events[0], "LiteralStart { size: 4 }");
    assert_eq!(events[1], format!("{:?}", Streamed::LiteralData(b"\0a\0b")));
    assert_eq!(rest, b")\r\n");
}

/// A `~{n+}` (RFC 7888 §8, RFC 4466 literal8 with "+") is skipped by its size: an LF
/// inside the binary data does not end the message.
#[test]
fn command_framer_skips_a_non_sync_literal8() {
    let input = b"a APPEND INBOX ~{3+}\r\n\n\0\r\r\n";
    let mut dec = server_decoder();
    match dec.decode(input) {
        // Whether the APPEND parses is for the grammar; here only where it ends matters.
        Ok(CommandDecoded::Complete { consumed, .. }) => assert_eq!(consumed, input.len()),
        Err(e) => assert!(e.offset().is_some_and(|o| o < input.len()), "{e:?}"),
        other => panic!("{other:?}"),
    }
}

/// The encoder writes `~{n}` and splits the command there like at `{n}`.
#[test]
fn literal8_encodes_with_a_tilde() {
    let l = Literal8::new(&b"a\0b"[..]).unwrap();
    assert_eq!(l.to_vec(), b"~{3}\r\na\0b");
    let l = Literal8::with_mode(&b"\0"[..], LiteralMode::NonSync).unwrap();
    assert_eq!(l.to_vec(), b"~{1+}\r\n\0");
}
