//! The server machine under arbitrary client input: no panic, answers in order, and the
//! same bytes out whether the input comes whole or one byte at a time.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pop3_proto::UniqueId;
use pop3_proto::server::{Event, MessageInfo, Server, ServerConfig};

fn maildrop() -> Vec<MessageInfo> {
    vec![
        MessageInfo {
            size: 20,
            uid: UniqueId::new("a").unwrap(),
        },
        MessageInfo {
            size: 31,
            uid: UniqueId::new("b").unwrap(),
        },
    ]
}

const MESSAGES: [&[u8]; 2] = [
    b"Subject: a\r\n\r\nbody\r\n",
    b"Subject: b\r\n\r\n.dot\r\nline\r\nend\r\n",
];

fn run(data: &[u8], chunk: usize, plaintext: bool) -> Vec<u8> {
    let config = ServerConfig {
        allow_plaintext_without_tls: plaintext,
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, "1.2", false).unwrap();
    let mut out = server.take_output();
    for piece in data.chunks(chunk.max(1)) {
        server.receive(piece);
        loop {
            enum A {
                Accept,
                Reject,
                Apop,
                Send(usize),
                Tls,
                Update,
                Stop,
            }
            let a = match server.next_event().unwrap() {
                None => A::Stop,
                Some(Event::Pass { password, .. }) => {
                    if password.as_bytes() == b"pw" {
                        A::Accept
                    } else {
                        A::Reject
                    }
                }
                Some(Event::Apop { .. }) => A::Apop,
                Some(Event::Sasl { credentials }) => {
                    if credentials.password_matches("u", "pw") {
                        A::Accept
                    } else {
                        A::Reject
                    }
                }
                Some(Event::Retr { msg }) | Some(Event::Top { msg, .. }) => {
                    A::Send(msg.get() as usize - 1)
                }
                Some(Event::StartTls { .. }) => A::Tls,
                Some(Event::Update { .. }) => A::Update,
                Some(Event::AuthStart { .. }) | Some(Event::AuthResponse { .. }) => A::Reject,
                Some(Event::Closed) => A::Stop,
                Some(_) => A::Stop,
            };
            match a {
                A::Accept => server.accept_login(maildrop()).unwrap(),
                A::Reject => server.reject_login(Some("AUTH"), "no").unwrap(),
                A::Apop => {
                    server.accept_apop(b"pw", maildrop()).unwrap();
                }
                A::Send(i) => server.send_message(MESSAGES[i]).unwrap(),
                A::Tls => server.tls_established().unwrap(),
                A::Update => server.update_done(true).unwrap(),
                A::Stop => break,
            }
        }
        out.extend_from_slice(&server.take_output());
    }
    out
}

fuzz_target!(|input: (bool, &[u8])| {
    let (plaintext, data) = input;
    // STLS drops what follows it in the same chunk, so chunkings legitimately differ
    // after an STLS; compare only inputs without one.
    let has_stls = data.windows(4).any(|w| w.eq_ignore_ascii_case(b"stls"));
    let whole = run(data, data.len(), plaintext);
    let ones = run(data, 1, plaintext);
    if !has_stls {
        assert_eq!(whole, ones);
    }
});
