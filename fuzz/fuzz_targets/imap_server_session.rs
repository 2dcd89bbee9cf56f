//! The IMAP server machine under arbitrary client bytes: no panic, bounded input buffer,
//! every call answered in order, and the same bytes out whether the input comes whole or
//! one byte at a time (unless a STARTTLS drops pipelined bytes, which depends on chunking).
#![no_main]
use imap_proto::server::{Event, Server, ServerConfig};
use imap_proto::{Atom, CommandBody, Limits, LiteralSupport};
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
        enable: vec![Atom::new("CONDSTORE").unwrap(), Atom::new("UTF8=ACCEPT").unwrap()],
        mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
        limits: LIMITS,
        max_errors: 20,
        ..ServerConfig::default()
    }
}

fn run(data: &[u8], chunk: usize, flags: u8, more: u8) -> Vec<u8> {
    let mut server = Server::new(config(flags, more), flags & 64 != 0, "fuzz").unwrap();
    let mut out = server.take_output();
    for piece in data.chunks(chunk.max(1)) {
        server.receive(piece);
        loop {
            enum A { Ok, No, Accept, Reject, Tls, Nothing, Stop }
            let a = match server.next_event().unwrap() {
                None => A::Stop,
                Some(Event::Command(c)) => match &c.body {
                    CommandBody::Login { password, .. } if password.as_bytes() != b"pw" => A::No,
                    CommandBody::Select { .. } | CommandBody::Examine { .. } => {
                        if c.tag.as_str().len() % 2 == 0 { A::Ok } else { A::No }
                    }
                    _ => A::Ok,
                },
                Some(Event::Literal { size, .. }) => if size < 100 { A::Accept } else { A::Reject },
                Some(Event::Authenticate { credentials }) => {
                    if credentials.password_matches("u", "pw") { A::Ok } else { A::No }
                }
                Some(Event::StartTls { .. }) => A::Tls,
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
        assert!(server.buffered() <= bound.max(piece.len()), "{}", server.buffered());
        out.extend_from_slice(&server.take_output());
    }
    out
}

fuzz_target!(|input: (u8, u8, &[u8])| {
    let (flags, more, data) = input;
    let whole = run(data, data.len(), flags, more);
    let ones = run(data, 1, flags, more);
    let starttls = data.windows(8).any(|w| w.eq_ignore_ascii_case(b"starttls"));
    if !starttls {
        assert_eq!(whole, ones);
    }
});
