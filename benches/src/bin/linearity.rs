//! Streaming cost check (issue 9): feeds about N bytes, one byte per call, to one decoder or
//! session machine, the way a reader of a slow socket would. Run under
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measure_*'` (see
//! `scripts/linearity.sh`), so that only the `measure_*` function of the chosen decoder is
//! counted: building the input is not. With 1 MB and 4 MB the instruction counts must be
//! in a ratio near 4 for every decoder.
//!
//! Usage: `linearity <decoder> <size>` (size in bytes, or with a `K`/`M` suffix);
//! `linearity list` prints the decoder names.

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

use mail_common::buffer::InputBuffer;
use mail_common::decode::Decoded;
use mail_common::dot::{DotConfig, DotUnstuffer, Unstuffed};
use mail_common::line::{LineConfig, LineScanner};

type Measure = fn(&[u8]) -> usize;

/// Builds the input of about the given size.
type Build = fn(usize) -> Vec<u8>;

/// Name, input builder (from the size), measured function (returns a count checked against
/// the input, so that a run that stopped early is caught).
const DECODERS: &[(&str, Build, Measure)] = &[
    ("line_scanner", content, measure_line_scanner),
    (
        "dot_unstuffer",
        benches::stuffed_message,
        measure_dot_unstuffer,
    ),
    (
        "smtp_server_data",
        smtp_server_input,
        measure_smtp_server_data,
    ),
    (
        "smtp_client_replies",
        smtp_client_input,
        measure_smtp_client_replies,
    ),
    (
        "smtp_client_single_reply",
        smtp_single_reply_input,
        measure_smtp_client_replies,
    ),
    (
        "pop3_client_retr",
        pop3_client_input,
        measure_pop3_client_retr,
    ),
    (
        "pop3_server_commands",
        pop3_server_input,
        measure_pop3_server_commands,
    ),
    (
        "imap_command_decoder_append",
        imap_append_input,
        measure_imap_command_decoder_append,
    ),
    (
        "imap_server_append",
        imap_append_input,
        measure_imap_server_append,
    ),
    (
        "imap_server_append_streamed",
        imap_append_input,
        measure_imap_server_append_streamed,
    ),
    (
        "imap_response_decoder_fetch",
        imap_fetch_input,
        measure_imap_response_decoder_fetch,
    ),
    (
        "imap_response_decoder_fetch_streamed",
        imap_fetch_input,
        measure_imap_response_decoder_fetch_streamed,
    ),
];

/// Message content of about `size` bytes (CRLF lines, no end marker).
fn content(size: usize) -> Vec<u8> {
    let wire = benches::stuffed_message(size);
    // Drop the `.` CRLF end marker; the stuffed dots are harmless content for a line scan.
    wire[..wire.len() - 3].to_vec()
}

// ------------------------------------------------------------ mail-common

#[inline(never)]
fn measure_line_scanner(input: &[u8]) -> usize {
    let mut sc = LineScanner::new(LineConfig::new(1000));
    let mut buf = InputBuffer::new();
    let mut lines = 0;
    for b in input.chunks(1) {
        buf.extend(b);
        loop {
            match sc.next_line(buf.as_slice()) {
                Ok(Decoded::Complete { value, consumed }) => {
                    black_box(value);
                    lines += 1;
                    buf.consume(consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => panic!("{e}"),
            }
        }
    }
    lines
}

#[inline(never)]
fn measure_dot_unstuffer(input: &[u8]) -> usize {
    let mut dec = DotUnstuffer::new(DotConfig::default());
    let mut buf = InputBuffer::new();
    let mut total = 0;
    for b in input.chunks(1) {
        buf.extend(b);
        loop {
            match dec.decode(buf.as_slice()) {
                Ok(Decoded::Complete { value, consumed }) => {
                    let end = match value {
                        Unstuffed::Data(d) => {
                            total += d.len();
                            false
                        }
                        Unstuffed::End => true,
                    };
                    buf.consume(consumed);
                    if end {
                        break;
                    }
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert!(dec.is_finished());
    total
}

// ------------------------------------------------------------ SMTP

fn smtp_server_input(size: usize) -> Vec<u8> {
    let mut v =
        b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
            .to_vec();
    v.extend_from_slice(&benches::stuffed_message(size));
    v.extend_from_slice(b"QUIT\r\n");
    v
}

#[inline(never)]
fn measure_smtp_server_data(input: &[u8]) -> usize {
    use smtp_proto::server::{Event, Server, ServerConfig};
    use smtp_proto::{Command, Reply};
    let now = Duration::ZERO;
    let mut config = ServerConfig::new("mx.example.org");
    config.max_message_size = Some(64 << 20);
    let mut server = Server::new(config, now);
    server.greet().unwrap();
    let mut body = 0;
    for b in input.chunks(1) {
        server.receive(b, now).unwrap();
        while let Some(event) = server.next_event().unwrap() {
            let reply = match event {
                Event::BodyChunk(chunk) => {
                    body += chunk.len();
                    continue;
                }
                Event::Command(Command::Ehlo(_)) => {
                    server.reply_ehlo().unwrap();
                    continue;
                }
                Event::Command(Command::Data) => (354, "Go ahead"),
                Event::Command(Command::Quit) => (221, "Bye"),
                Event::DataEnd { .. } => (250, "Queued"),
                Event::Command(_) => (250, "OK"),
                other => panic!("{other:?}"),
            };
            server
                .reply(&Reply::new(reply.0, None, reply.1).unwrap())
                .unwrap();
        }
        // Written to the socket as it comes.
        let n = server.transmit().len();
        server.consumed(n);
    }
    assert!(server.is_closed());
    body
}

/// One NOOP reply: 10 continuation lines of 72 octets and a last line.
fn noop_reply() -> Vec<u8> {
    let mut r = Vec::new();
    for i in 0..10 {
        r.extend_from_slice(
            format!(
                "250-2.0.0 line {i:02} of a long reply to NOOP, padded to a typical length\r\n"
            )
            .as_bytes(),
        );
    }
    r.extend_from_slice(b"250 2.0.0 OK\r\n");
    r
}

fn smtp_client_input(size: usize) -> Vec<u8> {
    let mut v =
        b"220 mx.example.org ESMTP\r\n250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
            .to_vec();
    let r = noop_reply();
    while v.len() < size {
        v.extend_from_slice(&r);
    }
    v
}

/// The client sends NOOP after the EHLO reply and after each NOOP reply, and reads the
/// (long, multi-line) replies one byte at a time.
#[inline(never)]
fn measure_smtp_client_replies(input: &[u8]) -> usize {
    use smtp_proto::Host;
    use smtp_proto::client::{Client, ClientConfig, ClientEvent};
    let now = Duration::ZERO;
    let host = Host::parse("client.example").unwrap().into_owned();
    let mut client = Client::new(ClientConfig::new(host), now);
    let mut replies = 0;
    for b in input.chunks(1) {
        client.receive(b, now).unwrap();
        while let Some(event) = client.next_event().unwrap() {
            match event {
                ClientEvent::Greeting(_) => {}
                ClientEvent::Ready(_) => client.noop(now).unwrap(),
                ClientEvent::Reply(r) => {
                    black_box(&r);
                    replies += 1;
                    client.noop(now).unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
        let n = client.transmit().len();
        client.consumed(n);
    }
    replies
}

/// One reply of about `size` octets (at most 256 lines of 500 octets: the default
/// `ReplyConfig` limits), after the greeting and EHLO reply. Used with sizes the limits
/// allow (32K and 128K) to see how the cost grows with the length of a single reply.
fn smtp_single_reply_input(size: usize) -> Vec<u8> {
    let mut v =
        b"220 mx.example.org ESMTP\r\n250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
            .to_vec();
    let lines = (size / 500).clamp(1, 255);
    for _ in 0..lines {
        v.extend_from_slice(b"250-");
        v.extend(std::iter::repeat_n(b'x', 494));
        v.extend_from_slice(b"\r\n");
    }
    v.extend_from_slice(b"250 OK\r\n");
    v
}

// ------------------------------------------------------------ POP3

fn pop3_client_input(size: usize) -> Vec<u8> {
    let body = benches::stuffed_message(size);
    let mut v = format!("+OK {} octets\r\n", body.len()).into_bytes();
    v.extend_from_slice(&body);
    v
}

/// Logs in (APOP, input given whole), sends RETR, then reads the response byte by byte.
#[inline(never)]
fn measure_pop3_client_retr(input: &[u8]) -> usize {
    use pop3_proto::client::{Client, ClientConfig, ClientEvent};
    let mut client = Client::new(ClientConfig::default(), false);
    client.receive(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    client.login("mrose", "tanstaaf").unwrap();
    client.receive(b"+OK\r\nUSER\r\nUIDL\r\n.\r\n");
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Capabilities(_))
    ));
    client.receive(b"+OK maildrop has 1 message (369 octets)\r\n");
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::LoggedIn(_))
    ));
    client.retr(NonZeroU32::new(1).unwrap()).unwrap();
    client.take_output();
    let mut total = 0;
    let mut ended = false;
    for b in input.chunks(1) {
        client.receive(b);
        while let Some(ev) = client.next_event().unwrap() {
            match ev {
                ClientEvent::MessageData(d) => total += d.len(),
                ClientEvent::MessageEnd(_) => ended = true,
                _ => {}
            }
        }
    }
    assert!(ended);
    total
}

fn pop3_server_input(size: usize) -> Vec<u8> {
    let cmds: &[&[u8]] = &[
        b"STAT\r\n",
        b"LIST 3\r\n",
        b"UIDL 7\r\n",
        b"NOOP\r\n",
        b"LIST\r\n",
        b"UIDL\r\n",
        b"RSET\r\n",
    ];
    let mut v = Vec::with_capacity(size + 16);
    let mut i = 0;
    while v.len() < size {
        v.extend_from_slice(cmds[i % cmds.len()]);
        i += 1;
    }
    v
}

/// Logs in (APOP), then receives commands the machine answers itself, byte by byte,
/// writing the output as it comes.
#[inline(never)]
fn measure_pop3_server_commands(input: &[u8]) -> usize {
    use pop3_proto::UniqueId;
    use pop3_proto::server::{Event, MessageInfo, Server, ServerConfig};
    let config = ServerConfig {
        hostname: "dbc.mtview.ca.us".into(),
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, "1896.697170952", false).unwrap();
    server.receive(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    let maildrop = (1..=10)
        .map(|i| MessageInfo {
            size: 1000 + i,
            uid: UniqueId::new(format!("uid-{i}")).unwrap(),
        })
        .collect();
    match server.next_event().unwrap() {
        Some(Event::Apop { .. }) => assert!(server.accept_apop(b"tanstaaf", maildrop).unwrap()),
        other => panic!("{other:?}"),
    }
    server.take_output();
    let mut out = 0;
    for b in input.chunks(1) {
        server.receive(b);
        if let Some(ev) = server.next_event().unwrap() {
            panic!("{ev:?}");
        }
        let n = server.transmit().len();
        out += n;
        server.consumed(n);
    }
    out
}

// ------------------------------------------------------------ IMAP

fn imap_append_input(size: usize) -> Vec<u8> {
    let msg = content(size);
    let mut v = format!("A2 APPEND INBOX (\\Seen) {{{}}}\r\n", msg.len()).into_bytes();
    v.extend_from_slice(&msg);
    v.extend_from_slice(b"\r\n");
    v
}

/// The server-side decoder alone: announce, continuation, literal, end of line.
#[inline(never)]
fn measure_imap_command_decoder_append(input: &[u8]) -> usize {
    use imap_proto::{CommandBody, CommandDecoded, CommandDecoder};
    let mut dec = CommandDecoder::default();
    let mut size = 0;
    for end in 1..=input.len() {
        match dec.decode(&input[..end]).unwrap() {
            CommandDecoded::Complete { command, consumed } => {
                assert_eq!(consumed, input.len());
                let CommandBody::Append { message, .. } = &command.body else {
                    panic!("{command:?}")
                };
                size = message.data().len();
            }
            CommandDecoded::ContinuationNeeded { .. } | CommandDecoded::Incomplete { .. } => {}
        }
    }
    size
}

fn imap_server() -> imap_proto::server::Server {
    use imap_proto::server::{Event, Server, ServerConfig};
    let config = ServerConfig {
        allow_plaintext_auth: true,
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, false, "1").unwrap();
    server.receive(b"A1 LOGIN joe secret\r\n");
    match server.next_event().unwrap() {
        Some(Event::Command(_)) => server.ok(None, "LOGIN completed").unwrap(),
        other => panic!("{other:?}"),
    }
    server.take_output();
    server
}

/// The server machine, literal buffered (the default).
#[inline(never)]
fn measure_imap_server_append(input: &[u8]) -> usize {
    use imap_proto::CommandBody;
    use imap_proto::server::Event;
    let mut server = imap_server();
    let mut size = 0;
    for b in input.chunks(1) {
        server.receive(b);
        while let Some(ev) = server.next_event().unwrap() {
            match ev {
                Event::Command(c) => {
                    let CommandBody::Append { message, .. } = &c.body else {
                        panic!("{c:?}")
                    };
                    size = message.data().len();
                    server.ok(None, "APPEND completed").unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
        let n = server.transmit().len();
        server.consumed(n);
    }
    size
}

/// The server machine with `stream_append`: the message comes as borrowed chunks.
#[inline(never)]
fn measure_imap_server_append_streamed(input: &[u8]) -> usize {
    use imap_proto::server::{Event, Server, ServerConfig};
    let config = ServerConfig {
        allow_plaintext_auth: true,
        stream_append: Some(4096),
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, false, "1").unwrap();
    server.receive(b"A1 LOGIN joe secret\r\n");
    match server.next_event().unwrap() {
        Some(Event::Command(_)) => server.ok(None, "LOGIN completed").unwrap(),
        other => panic!("{other:?}"),
    }
    server.take_output();
    let mut size = 0;
    let mut ended = false;
    for b in input.chunks(1) {
        server.receive(b);
        while let Some(ev) = server.next_event().unwrap() {
            match ev {
                Event::AppendStart { .. } => {}
                Event::AppendData(d) => size += d.len(),
                Event::AppendEnd => {
                    ended = true;
                    server.ok(None, "APPEND completed").unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
        let n = server.transmit().len();
        server.consumed(n);
    }
    assert!(ended);
    size
}

fn imap_fetch_input(size: usize) -> Vec<u8> {
    let msg = content(size);
    let mut v = format!("* 12 FETCH (UID 4827313 BODY[] {{{}}}\r\n", msg.len()).into_bytes();
    v.extend_from_slice(&msg);
    v.extend_from_slice(b" FLAGS (\\Seen))\r\n");
    v
}

/// The client-side decoder, literal borrowed from the buffer (which holds it whole).
#[inline(never)]
fn measure_imap_response_decoder_fetch(input: &[u8]) -> usize {
    let mut dec = imap_proto::ResponseDecoder::default();
    let mut done = 0;
    for end in 1..=input.len() {
        if let Decoded::Complete { value, consumed } = dec.decode(&input[..end]).unwrap() {
            black_box(&value);
            done = consumed;
        }
    }
    done
}

/// The client-side decoder streaming the literal as chunks (threshold 4 KiB).
#[inline(never)]
fn measure_imap_response_decoder_fetch_streamed(input: &[u8]) -> usize {
    use imap_proto::Streamed;
    let mut dec = imap_proto::ResponseDecoder::default().with_stream_threshold(4096);
    let mut buf = InputBuffer::new();
    let mut data = 0;
    let mut responses = 0;
    for b in input.chunks(1) {
        buf.extend(b);
        while let Decoded::Complete { value, consumed } =
            dec.decode_streaming(buf.as_slice()).unwrap()
        {
            match value {
                Streamed::LiteralData(d) => data += d.len(),
                Streamed::Response(r) => {
                    black_box(&r);
                    responses += 1;
                }
                Streamed::LiteralStart { .. } => {}
            }
            buf.consume(consumed);
        }
    }
    assert_eq!(responses, 1);
    data
}

fn parse_size(s: &str) -> Option<usize> {
    let (num, mul) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1024),
        b'M' | b'm' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    num.parse::<usize>().ok().map(|n| n * mul)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: linearity <decoder|list> <size[K|M]>";
    match args.get(1).map(String::as_str) {
        Some("list") => {
            for (name, _, _) in DECODERS {
                println!("{name}");
            }
        }
        Some(name) => {
            let Some(&(_, build, measure)) = DECODERS.iter().find(|d| d.0 == name) else {
                eprintln!("unknown decoder {name}; {usage}");
                std::process::exit(2);
            };
            let Some(size) = args.get(2).and_then(|s| parse_size(s)) else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let input = build(size);
            let t = std::time::Instant::now();
            let result = measure(black_box(&input));
            println!(
                "{name} input={} result={result} wall={:?}",
                input.len(),
                t.elapsed()
            );
        }
        None => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
