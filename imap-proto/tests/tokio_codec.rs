//! The tokio_util codec adapters (feature `tokio`).
#![cfg(feature = "tokio")]

use bytes::BytesMut;
use imap_proto::tokio_codec::{ClientCodec, ServerCodec, ServerItem};
use imap_proto::*;
use tokio_util::codec::{Decoder, Encoder};

/// Feeds `input` in pieces of `chunk` bytes, collecting every item the codec yields.
fn server_items(input: &[u8], chunk: usize) -> Vec<Result<ServerItem, String>> {
    let mut codec = ServerCodec::default();
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(item) = codec.decode(&mut buf).unwrap() {
            items.push(item.map_err(|e| e.to_string()));
        }
    }
    items
}

#[test]
fn server_codec_asks_for_each_synchronizing_literal_once() {
    let input = b"a1 LOGIN {5}\r\nalice {6}\r\nsecret\r\na2 NOOP\r\n";
    for chunk in [1, 3, 7, input.len()] {
        let items = server_items(input, chunk);
        let kinds: Vec<String> = items
            .iter()
            .map(|i| match i {
                Ok(ServerItem::ContinuationNeeded { size }) => format!("+{size}"),
                Ok(ServerItem::Command(c)) => String::from_utf8(c.to_vec()).unwrap(),
                Err(e) => format!("error {e}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "+5",
                "+6",
                "a1 LOGIN {5}\r\nalice {6}\r\nsecret\r\n",
                "a2 NOOP\r\n"
            ],
            "chunk {chunk}"
        );
    }
}

#[test]
fn server_codec_reports_a_bad_command_and_goes_on() {
    let items = server_items(b"a1 LOGIN\r\na2 NOOP\r\n", 1);
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_err());
    assert!(matches!(&items[1], Ok(ServerItem::Command(c)) if c.tag.as_str() == "a2"));
}

#[test]
fn server_codec_encodes_responses() {
    let mut codec = ServerCodec::default();
    let mut out = BytesMut::new();
    let mut dec = ResponseDecoder::default();
    let (resp, _) = dec
        .decode(b"a1 OK [READ-WRITE] SELECT completed\r\n")
        .unwrap()
        .complete()
        .unwrap();
    codec.encode(&resp, &mut out).unwrap();
    assert_eq!(&out[..], b"a1 OK [READ-WRITE] SELECT completed\r\n");
}

#[test]
fn client_codec_decodes_literals_and_resynchronises() {
    let input: &[u8] =
        b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n* BOGUS(((\r\na1 OK FETCH completed\r\n";
    for chunk in [1, 5, input.len()] {
        let mut codec = ClientCodec::default();
        let mut buf = BytesMut::new();
        let mut items = Vec::new();
        for piece in input.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Some(item) = codec.decode(&mut buf).unwrap() {
                items.push(item);
            }
        }
        assert_eq!(items.len(), 3, "chunk {chunk}: {items:?}");
        assert_eq!(
            items[0].as_ref().unwrap().to_vec(),
            b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n"
        );
        assert!(items[1].is_err());
        assert_eq!(
            items[2].as_ref().unwrap().to_vec(),
            b"a1 OK FETCH completed\r\n"
        );
    }
}

#[test]
fn client_codec_refuses_to_write_a_synchronizing_literal() {
    let mut codec = ClientCodec::default();
    let mut out = BytesMut::new();
    let mut server = CommandDecoder::default();
    // A command without literals is written whole.
    let Ok(CommandDecoded::Complete { command, .. }) = server.decode(b"a1 NOOP\r\n") else {
        panic!()
    };
    codec.encode(&command, &mut out).unwrap();
    assert_eq!(&out[..], b"a1 NOOP\r\n");
    // One with a synchronizing literal would need the server's "+": refused, nothing written.
    let mut server = CommandDecoder::default();
    let input = b"a2 LOGIN {5}\r\nalice pw\r\n";
    assert!(matches!(
        server.decode(input),
        Ok(CommandDecoded::ContinuationNeeded { size: 5 })
    ));
    let Ok(CommandDecoded::Complete { command, .. }) = server.decode(input) else {
        panic!()
    };
    let mut out = BytesMut::new();
    assert!(codec.encode(&command, &mut out).is_err());
    assert!(out.is_empty());
}
