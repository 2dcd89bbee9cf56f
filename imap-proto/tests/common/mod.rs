//! Shared helpers: every case is decoded three ways (whole, one byte at a time, with
//! trailing bytes), as h11's `tr()` does.
#![allow(dead_code, unreachable_pub)]

use imap_proto::{
    Command, CommandDecoded, CommandDecoder, Config, Decode, Decoded, Encode, Greeting, Limits,
    LiteralSupport, Response, ResponseDecoder,
};

pub fn server_decoder() -> CommandDecoder {
    CommandDecoder::default().with_literal_support(LiteralSupport::LiteralPlus)
}

/// Feeds `bytes` to a fresh server decoder, `chunk` bytes at a time. Returns the command,
/// the number of continuation requests and the consumed count.
pub fn feed_command(bytes: &[u8], chunk: usize) -> (Command<'static>, usize, usize) {
    let mut dec = server_decoder();
    let mut buf = Vec::new();
    let mut conts = 0;
    for piece in bytes.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            match dec.decode(&buf).expect("decodes") {
                CommandDecoded::Complete { command, consumed } => {
                    assert_eq!(buf.len(), bytes.len(), "complete before the last byte");
                    return (command.into_owned(), conts, consumed);
                }
                CommandDecoded::ContinuationNeeded { .. } => conts += 1,
                CommandDecoded::Incomplete { .. } => break,
            }
        }
    }
    panic!("incomplete: {:?}", String::from_utf8_lossy(bytes));
}

/// Decodes a command whole, byte by byte and with trailing bytes; all must agree.
pub fn command_all_ways(bytes: &[u8]) -> Command<'static> {
    let (whole, conts_whole, consumed) = feed_command(bytes, bytes.len());
    assert_eq!(consumed, bytes.len());
    let (bytewise, conts_bytes, _) = feed_command(bytes, 1);
    assert_eq!(whole, bytewise);
    assert_eq!(conts_whole, conts_bytes);
    // Trailing bytes are left alone.
    let mut more = bytes.to_vec();
    more.extend_from_slice(b"t1 NOOP\r\n");
    let mut dec = server_decoder();
    let got = loop {
        match dec.decode(&more).expect("decodes") {
            CommandDecoded::Complete { command, consumed } => {
                break (command.into_owned(), consumed);
            }
            CommandDecoded::ContinuationNeeded { .. } => {}
            CommandDecoded::Incomplete { .. } => panic!("incomplete with trailing bytes"),
        }
    };
    assert_eq!(got, (whole.clone(), bytes.len()));
    // The stateless decoder agrees (it has no LITERAL+ policy).
    if let Ok(Decoded::Complete { value, consumed }) = Command::decode(bytes) {
        assert_eq!(consumed, bytes.len());
        assert_eq!(value, whole);
    }
    whole
}

/// Decodes and re-encodes a command; canonical input must come back byte for byte.
pub fn command_golden(bytes: &[u8], canonical: bool) -> Command<'static> {
    let c = command_all_ways(bytes);
    let enc = c.to_vec();
    if canonical {
        assert_eq!(
            String::from_utf8_lossy(&enc),
            String::from_utf8_lossy(bytes),
            "re-encoding differs"
        );
    }
    assert_eq!(command_all_ways(&enc), c);
    c
}

pub fn client_decoder(config: Config) -> ResponseDecoder {
    ResponseDecoder::new(config)
}

pub fn client_config() -> Config {
    Config {
        limits: Limits::CLIENT,
        ..Config::default()
    }
}

/// Feeds `bytes` to a fresh client decoder `chunk` bytes at a time; returns every response.
pub fn feed_responses(
    bytes: &[u8],
    chunk: usize,
    config: Config,
) -> Result<Vec<Response<'static>>, imap_proto::Error> {
    let mut dec = client_decoder(config);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while let Decoded::Complete { value, consumed } = dec.decode(&buf)? {
            out.push(value.into_owned());
            buf.drain(..consumed);
        }
    }
    assert!(
        buf.is_empty(),
        "bytes left over: {:?}",
        String::from_utf8_lossy(&buf)
    );
    Ok(out)
}

/// Decodes one response three ways with `config`.
pub fn response_all_ways_with(bytes: &[u8], config: Config) -> Response<'static> {
    let whole = feed_responses(bytes, bytes.len(), config).expect("decodes");
    assert_eq!(whole.len(), 1, "one response");
    let bytewise = feed_responses(bytes, 1, config).expect("decodes bytewise");
    assert_eq!(whole, bytewise);
    let mut more = bytes.to_vec();
    more.extend_from_slice(b"* OK more\r\n");
    let mut dec = client_decoder(config);
    match dec.decode(&more).expect("decodes") {
        Decoded::Complete { value, consumed } => {
            assert_eq!(consumed, bytes.len());
            assert_eq!(value.into_owned(), whole[0]);
        }
        Decoded::Incomplete { .. } => panic!("incomplete with trailing bytes"),
    }
    whole.into_iter().next().expect("one")
}

pub fn response_all_ways(bytes: &[u8]) -> Response<'static> {
    response_all_ways_with(bytes, client_config())
}

/// Decodes and re-encodes a response; canonical input must come back byte for byte.
pub fn response_golden(bytes: &[u8], canonical: bool) -> Response<'static> {
    let r = response_all_ways(bytes);
    let enc = r.to_vec();
    if canonical {
        assert_eq!(
            String::from_utf8_lossy(&enc),
            String::from_utf8_lossy(bytes),
            "re-encoding differs"
        );
    }
    assert_eq!(response_all_ways(&enc), r);
    r
}

pub fn greeting_golden(bytes: &[u8]) -> Greeting<'static> {
    let mut dec = client_decoder(client_config());
    let g = match dec.decode_greeting(bytes).expect("decodes") {
        Decoded::Complete { value, consumed } => {
            assert_eq!(consumed, bytes.len());
            value.into_owned()
        }
        Decoded::Incomplete { .. } => panic!("incomplete"),
    };
    assert_eq!(g.to_vec(), bytes);
    g
}
