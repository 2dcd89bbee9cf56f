//! The IMAP server machine under arbitrary client bytes: no panic, bounded input buffer,
//! every call answered in order, and the same bytes out whether the input comes whole or
//! one byte at a time (unless a STARTTLS drops pipelined bytes, which depends on chunking).
//!
//! The second config byte (`more`) also offers MULTIAPPEND and BINARY (RFC 3502, RFC 3516:
//! several messages, literal8 `~{n}` / `~{n+}`), IMAP4rev2 to ENABLE, and a rev2-only
//! server, so the fuzzer reaches streamed MULTIAPPEND with LITERAL+ and its refusals (a
//! refused non-synchronizing message must be skipped by its octets, RFC 7888 §4).
//!
//! With `more & 16` the bytes do not go to the server as they are but describe a
//! MULTIAPPEND of non-synchronizing literals (each byte a message: size, literal8, flags;
//! with `more & 32` the first one synchronizing, streamed when `more & 1`), every
//! message's data holding `INJ` command lines, then `Z9 NOOP`: no command tagged `INJ` may
//! ever come out (literal data read as commands, the CVE-2011-0411 class), and `Z9 NOOP`
//! must.
#![no_main]
use imap_proto::server::{Event, Server, ServerConfig};
use imap_proto::{Atom, Capability, CommandBody, Limits, LiteralSupport};
use libfuzzer_sys::fuzz_target;
use mail_common::sasl::Mechanism;

const LIMITS: Limits = Limits {
    max_line: 1024,
    max_literal: 1024,
    max_literals: 4,
    max_depth: 16,
    max_items: 64,
};

fn config(flags: u8, more: u8) -> ServerConfig {
    ServerConfig {
        allow_plaintext_auth: flags & 1 != 0,
        ask_literals: flags & 2 != 0,
        literals: match flags >> 2 & 3 {
            0 => LiteralSupport::SyncOnly,
            1 => LiteralSupport::LiteralPlus,
            _ => LiteralSupport::LiteralMinus,
        },
        sasl_ir: flags & 16 != 0,
        preauth: flags & 32 != 0,
        compress: true,
        pass_unparsed: flags & 128 != 0,
        stream_append: (more & 1 != 0).then_some(16),
        enable: {
            let mut e = vec![
                Atom::new("CONDSTORE").unwrap(),
                Atom::new("UTF8=ACCEPT").unwrap(),
            ];
            if more & 4 != 0 {
                e.push(Atom::new("IMAP4rev2").unwrap());
            }
            e
        },
        capabilities: if more & 2 != 0 {
            ["MULTIAPPEND", "BINARY"]
                .into_iter()
                .map(|c| Capability::Other(Atom::new(c).unwrap()))
                .collect()
        } else {
            Vec::new()
        },
        rev2_only: more & 8 != 0,
        mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
        limits: LIMITS,
        max_errors: 20,
        ..ServerConfig::default()
    }
}

/// What injected data would look like as commands.
const INJECT: &[u8] = b"\r\nINJ DELETE INBOX\r\nINJ APPEND INBOX {3+}\r\nINJ NOOP\r\n";

/// A MULTIAPPEND of non-synchronizing literals described by `spec` (at most 6 messages),
/// each message's data `INJECT` and padding, then `Z9 NOOP`.
///
/// With `sync_first`, the first message is a synchronizing `{n}` within `max_literal` (the
/// caller makes sure the server accepts it, so that a client would send its data), which
/// a streaming server reads itself: the later messages then take the machine's own
/// MULTIAPPEND path.
fn multiappend(spec: &[u8], sync_first: bool) -> Vec<u8> {
    let mut input = b"A1 APPEND INBOX".to_vec();
    for (k, &b) in spec.iter().take(6).enumerate() {
        let sync = sync_first && k == 0;
        let b = if sync { b & 0x8f } else { b };
        let size = INJECT.len() + usize::from(b & 0x3f) * 40;
        if b & 0x80 != 0 {
            input.extend_from_slice(b" (\\Seen)");
        }
        input.extend_from_slice(if b & 0x40 != 0 { b" ~{" } else { b" {" });
        let plus = if sync { "" } else { "+" };
        input.extend_from_slice(format!("{size}{plus}}}\r\n").as_bytes());
        input.extend_from_slice(INJECT);
        input.resize(input.len() + size - INJECT.len(), b'x');
    }
    input.extend_from_slice(b"\r\nZ9 NOOP\r\n");
    input
}

fn run(data: &[u8], chunk: usize, flags: u8, more: u8) -> (Vec<u8>, Vec<String>) {
    let mut server = Server::new(config(flags, more), flags & 64 != 0, "fuzz").unwrap();
    let mut out = server.take_output();
    let mut tags = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        server.receive(piece);
        loop {
            enum A {
                Ok,
                No,
                Accept,
                Reject,
                Tls,
                Nothing,
                Stop,
            }
            let a = match server.next_event().unwrap() {
                None => A::Stop,
                Some(Event::Command(c)) => {
                    tags.push(c.tag.as_str().to_owned());
                    match &c.body {
                        CommandBody::Login { password, .. } if password.as_bytes() != b"pw" => {
                            A::No
                        }
                        CommandBody::Select { .. } | CommandBody::Examine { .. } => {
                            if c.tag.as_str().len() % 2 == 0 {
                                A::Ok
                            } else {
                                A::No
                            }
                        }
                        _ => A::Ok,
                    }
                }
                Some(Event::Literal { size, .. }) => {
                    if size < 100 {
                        A::Accept
                    } else {
                        A::Reject
                    }
                }
                Some(Event::Authenticate { credentials }) => {
                    if credentials.password_matches("u", "pw") {
                        A::Ok
                    } else {
                        A::No
                    }
                }
                Some(Event::StartTls { .. }) => A::Tls,
                Some(Event::AppendStart { command, .. }) => {
                    tags.push(command.tag.as_str().to_owned());
                    A::Nothing
                }
                Some(Event::IdleDone) | Some(Event::AppendEnd) => A::Ok,
                Some(Event::Closed) | Some(Event::Logout) => A::Stop,
                Some(_) => A::Nothing,
            };
            match a {
                A::Ok => server.ok(None, "done").unwrap(),
                A::No => server.no(None, "no").unwrap(),
                A::Accept => server.accept_literal().unwrap(),
                A::Reject => server.reject_literal("too big").unwrap(),
                A::Tls => server.tls_established().unwrap(),
                A::Nothing => {}
                A::Stop => break,
            }
        }
        // Bounded memory: what stays buffered is at most one message in progress.
        let bound = LIMITS.max_line * (LIMITS.max_literals + 1)
            + LIMITS.max_literal as usize * LIMITS.max_literals;
        assert!(
            server.buffered() <= bound.max(piece.len()),
            "{}",
            server.buffered()
        );
        out.extend_from_slice(&server.take_output());
    }
    (out, tags)
}

fuzz_target!(|input: (u8, u8, &[u8])| {
    let (flags, more, data) = input;
    if more & 16 != 0 {
        // Accepted for sure: authenticated (PREAUTH), no Event::Literal to refuse it.
        let sync_first = more & 32 != 0 && flags & 32 != 0 && flags & 2 == 0;
        let data = multiappend(data, sync_first);
        for chunk in [data.len(), 1, 7] {
            let (out, tags) = run(&data, chunk, flags, more);
            assert!(!tags.iter().any(|t| t == "INJ"), "{tags:?}");
            assert!(
                tags.iter().any(|t| t == "Z9"),
                "{tags:?} {}",
                String::from_utf8_lossy(&out)
            );
        }
        return;
    }
    let (whole, _) = run(data, data.len(), flags, more);
    let (ones, _) = run(data, 1, flags, more);
    let starttls = data.windows(8).any(|w| w.eq_ignore_ascii_case(b"starttls"));
    if !starttls {
        assert_eq!(whole, ones);
    }
});
