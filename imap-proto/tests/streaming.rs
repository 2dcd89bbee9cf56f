//! Resumable decoding costs O(total bytes) however the input is chunked, and large literals
//! can be taken as borrowed chunks with bounded memory.

mod common;

use common::*;
use imap_proto::*;

const BIG: usize = 10 * 1024 * 1024;

fn big_append(n: usize) -> Vec<u8> {
    let mut v = format!("A1 APPEND INBOX (\\Seen) {{{n}}}\r\n").into_bytes();
    v.extend((0..n).map(|i| b'a' + (i % 26) as u8));
    v.extend_from_slice(b"\r\n");
    v
}

/// Feeds `bytes` `chunk` at a time; returns (decode calls, bytes scanned, command size).
fn drive_server(bytes: &[u8], chunk: usize) -> (u64, u64, usize) {
    let mut dec = CommandDecoder::new(Config {
        limits: Limits {
            max_literal: 64 << 20,
            ..Limits::SERVER
        },
        ..Config::default()
    });
    let mut buf: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut calls = 0u64;
    for piece in bytes.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            calls += 1;
            match dec.decode(&buf).unwrap() {
                CommandDecoded::Complete { command, consumed } => {
                    let CommandBody::Append { message, .. } = &command.body else {
                        panic!()
                    };
                    assert_eq!(consumed, bytes.len());
                    return (calls, dec.bytes_scanned(), message.data().len());
                }
                CommandDecoded::ContinuationNeeded { .. } => {}
                CommandDecoded::Incomplete { .. } => break,
            }
        }
    }
    panic!("incomplete")
}

#[test]
fn ten_megabyte_append_fed_one_byte_at_a_time_is_linear() {
    let bytes = big_append(BIG);
    let header = bytes.len() - BIG;
    let (calls, scanned, size) = drive_server(&bytes, 1);
    assert_eq!(size, BIG);
    // One call per byte plus the continuation: the work per call is constant...
    assert_eq!(calls, bytes.len() as u64 + 1);
    // ...and the framer looked at each line byte once, never at the literal's data.
    assert_eq!(scanned, header as u64);
    // Whole, in 1 KiB chunks, in 1 MiB chunks: the same scan count.
    for chunk in [bytes.len(), 1024, 1 << 20] {
        let (_, s, n) = drive_server(&bytes, chunk);
        assert_eq!((s, n), (scanned, BIG));
    }
}

#[test]
fn scan_count_grows_linearly_with_line_length() {
    // A long SEARCH response line fed byte by byte: no rescanning from the line start.
    for n in [1_000usize, 10_000, 100_000] {
        let mut line = b"* SEARCH".to_vec();
        for i in 1..=n {
            line.extend_from_slice(format!(" {i}").as_bytes());
        }
        line.extend_from_slice(b"\r\n");
        let mut dec = ResponseDecoder::default();
        let mut buf = Vec::new();
        let mut done = false;
        for b in &line {
            buf.push(*b);
            if let Decoded::Complete { value, .. } = dec.decode(&buf).unwrap() {
                let Response::Data(Data::Search(v)) = value else {
                    panic!()
                };
                assert_eq!(v.len(), n);
                done = true;
            }
        }
        assert!(done);
        assert_eq!(dec.bytes_scanned(), line.len() as u64);
    }
}

fn fetch_with_body(n: usize) -> (Vec<u8>, Vec<u8>) {
    let data: Vec<u8> = (0..n).map(|i| b'A' + (i % 23) as u8).collect();
    let mut v = format!("* 7 FETCH (UID 42 BODY[] {{{n}}}\r\n").into_bytes();
    v.extend_from_slice(&data);
    v.extend_from_slice(b" FLAGS (\\Seen) BODY[HEADER] {6}\r\nHi\r\n\r\n)\r\na1 OK done\r\n");
    (v, data)
}

#[test]
fn large_literal_streams_as_borrowed_chunks_with_bounded_memory() {
    let (bytes, data) = fetch_with_body(BIG);
    for chunk in [1usize, 7, 4096, 1 << 20] {
        let mut dec = ResponseDecoder::default().with_stream_threshold(64 * 1024);
        let mut buf: Vec<u8> = Vec::new();
        let mut got = Vec::with_capacity(BIG);
        let mut starts = Vec::new();
        let mut responses = Vec::new();
        let mut max_buf = 0;
        for piece in bytes.chunks(chunk) {
            buf.extend_from_slice(piece);
            max_buf = max_buf.max(buf.len());
            while let Decoded::Complete { value, consumed } = dec.decode_streaming(&buf).unwrap() {
                match value {
                    Streamed::LiteralStart { size } => starts.push(size),
                    Streamed::LiteralData(d) => got.extend_from_slice(d),
                    Streamed::Response(r) => responses.push(r.into_owned()),
                }
                buf.drain(..consumed);
            }
        }
        assert!(buf.is_empty());
        assert_eq!(starts, [BIG as u64]);
        assert!(got == data, "streamed data differs at chunk {chunk}");
        // The caller never held more than a chunk plus a line.
        assert!(
            max_buf <= chunk + 64,
            "buffer grew to {max_buf} at chunk {chunk}"
        );
        assert_eq!(responses.len(), 2);
        let Response::Data(Data::Fetch { seq, items }) = &responses[0] else {
            panic!()
        };
        assert_eq!(seq.get(), 7);
        let items = items.as_slice();
        assert_eq!(items[0], MessageDataItem::Uid(42.try_into().unwrap()));
        let MessageDataItem::BodySection {
            section: Section::Full,
            data: Some(d),
            ..
        } = &items[1]
        else {
            panic!("{:?}", items[1])
        };
        assert!(
            d.as_bytes().is_empty(),
            "streamed literal left empty in the value"
        );
        assert_eq!(items[2], MessageDataItem::Flags(vec![Flag::Seen]));
        // The small literal under the threshold stays in the value.
        let MessageDataItem::BodySection { data: Some(h), .. } = &items[3] else {
            panic!()
        };
        assert_eq!(h.as_bytes(), b"Hi\r\n\r\n");
        assert!(matches!(&responses[1], Response::Status(s) if s.tag.is_some()));
    }
}

#[test]
fn streaming_mode_without_large_literals_matches_plain_decoding() {
    let (bytes, _) = fetch_with_body(100);
    let plain = feed_responses(&bytes, 1, client_config()).unwrap();
    let mut dec = ResponseDecoder::default().with_stream_threshold(1 << 20);
    let mut rest = &bytes[..];
    let mut out = Vec::new();
    while let Decoded::Complete { value, consumed } = dec.decode_streaming(rest).unwrap() {
        let Streamed::Response(r) = value else {
            panic!()
        };
        out.push(r.into_owned());
        rest = &rest[consumed..];
    }
    assert!(rest.is_empty());
    assert_eq!(out, plain);
}

#[test]
fn client_decoder_reports_how_much_of_a_literal_is_missing() {
    let mut dec = ResponseDecoder::default();
    let r = dec.decode(b"* 1 FETCH (RFC822 {10}\r\nabc").unwrap();
    assert_eq!(r, Decoded::needs(7));
}
