//! Golden transcripts from the extensions' RFC examples: the client bytes of the example
//! are fed to the server machine (whole and one byte at a time) and its answer must be the
//! example's server bytes; where the example's tags fit the client's tag scheme, the client
//! machine must produce the example's client bytes too.

use imap_proto::client::{Client, ClientConfig};
use imap_proto::server::{Event, Server, ServerConfig};
use imap_proto::*;
use mail_common::sasl::{Mechanism, SaslClient};

/// What the example's server application does with each event.
type App = fn(&mut Server, Event<'_>) -> bool;

/// Feeds `client` to a new server in `chunk`-octet pieces; `app` answers the events (it
/// returns false to stop). Returns what the server wrote after its greeting.
fn serve(config: &ServerConfig, tls: bool, client: &[u8], chunk: usize, app: App) -> String {
    let mut s = Server::new(config.clone(), tls, "golden").unwrap();
    s.take_output();
    for piece in client.chunks(chunk) {
        s.receive(piece);
        loop {
            let ev = s.next_event().unwrap();
            let Some(ev) = ev else { break };
            // The event borrows the server: detach it so that the app can answer.
            let ev = detach(ev);
            if !app(&mut s, ev) {
                break;
            }
        }
    }
    String::from_utf8(s.take_output()).unwrap()
}

/// Events carrying borrowed commands are detached with `into_owned`.
fn detach(ev: Event<'_>) -> Event<'static> {
    match ev {
        Event::Command(c) => Event::Command(c.into_owned()),
        Event::Authenticate { credentials } => Event::Authenticate { credentials },
        Event::Idle => Event::Idle,
        Event::IdleDone => Event::IdleDone,
        Event::Compress => Event::Compress,
        Event::Logout => Event::Logout,
        Event::Enabled(v) => Event::Enabled(v),
        other => panic!("unexpected {other:?}"),
    }
}

fn golden(config: ServerConfig, tls: bool, client: &str, server: &str, app: App) {
    let whole = serve(&config, tls, client.as_bytes(), usize::MAX, app);
    assert_eq!(whole, server);
    let ones = serve(&config, tls, client.as_bytes(), 1, app);
    assert_eq!(ones, server);
}

fn authenticated() -> ServerConfig {
    ServerConfig {
        preauth: true,
        capability_codes: false,
        ..ServerConfig::default()
    }
}

/// RFC 4959 §3 (SASL-IR), both negotiations of the example.
#[test]
fn rfc4959_sasl_ir_examples() {
    let config = ServerConfig {
        capability_codes: false,
        literals: LiteralSupport::SyncOnly,
        idle: false,
        ..ServerConfig::default()
    };
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        match ev {
            Event::Authenticate { credentials } => {
                assert_eq!(credentials.authzid(), Some("test"));
                assert!(credentials.password_matches("test", "test"));
                s.ok(None, "Success (tls protection)").unwrap();
            }
            other => panic!("{other:?}"),
        }
        true
    }
    golden(
        config.clone(),
        true,
        "A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
        "A01 OK Success (tls protection)\r\n",
        app,
    );
    golden(
        config.clone(),
        true,
        "A01 AUTHENTICATE PLAIN\r\ndGVzdAB0ZXN0AHRlc3Q=\r\n",
        "+ \r\nA01 OK Success (tls protection)\r\n",
        app,
    );
    // The capabilities of the example, and the client side of the first negotiation.
    let mut s = Server::new(config, true, "x").unwrap();
    s.take_output();
    s.receive(b"C01 CAPABILITY\r\n");
    assert!(s.next_event().unwrap().is_none());
    let out = String::from_utf8(s.take_output()).unwrap();
    assert!(
        out.starts_with("* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n"),
        "{out}"
    );
    let mut c = Client::new(
        ClientConfig {
            tag_width: 2,
            ..ClientConfig::default()
        },
        true,
    );
    c.receive(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
    c.next_event().unwrap();
    c.authenticate(SaslClient::plain(Some("test"), "test", "test"))
        .unwrap();
    assert_eq!(
        c.take_output(),
        b"A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"
    );
}

/// RFC 7888 §3 (LITERAL+): two non-synchronizing literals, no continuation.
#[test]
fn rfc7888_literal_plus_example() {
    let config = ServerConfig {
        capability_codes: false,
        allow_plaintext_auth: true,
        ..ServerConfig::default()
    };
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        let Event::Command(c) = ev else { panic!() };
        let CommandBody::Login { username, password } = &c.body else {
            panic!()
        };
        assert_eq!(username.as_bytes(), b"FRED FOOBAR");
        assert_eq!(password.as_bytes(), b"fat man");
        s.ok(None, "LOGIN completed").unwrap();
        true
    }
    golden(
        config,
        false,
        "A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
        "A001 OK LOGIN completed\r\n",
        app,
    );
}

/// RFC 2177 §3 (IDLE), the IDLE part of the example.
#[test]
fn rfc2177_idle_example() {
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        match ev {
            Event::Command(c) => {
                assert!(matches!(c.body, CommandBody::Select { .. }));
                s.ok(None, "SELECT completed").unwrap();
            }
            // ...time passes; new mail arrives...
            Event::Idle => s.data(&Data::Exists(4)).unwrap(),
            Event::IdleDone => s.ok(None, "IDLE terminated").unwrap(),
            other => panic!("{other:?}"),
        }
        true
    }
    golden(
        authenticated(),
        false,
        "A001 SELECT INBOX\r\nA002 IDLE\r\nDONE\r\n",
        "A001 OK SELECT completed\r\n+ idling\r\n* 4 EXISTS\r\nA002 OK IDLE terminated\r\n",
        app,
    );
}

/// RFC 3691 §3 (UNSELECT) and RFC 4978 §3 (COMPRESS).
#[test]
fn rfc3691_unselect_and_rfc4978_compress_examples() {
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        match ev {
            Event::Command(c) => match c.body.name() {
                "SELECT" => s.ok(Some(Code::ReadWrite), "SELECT completed").unwrap(),
                "UNSELECT" => s.ok(None, "Unselect completed").unwrap(),
                other => panic!("{other}"),
            },
            Event::Compress => {}
            other => panic!("{other:?}"),
        }
        true
    }
    golden(
        ServerConfig {
            compress: true,
            ..authenticated()
        },
        false,
        "A341 SELECT INBOX\r\nA342 UNSELECT\r\na COMPRESS DEFLATE\r\n",
        "A341 OK [READ-WRITE] SELECT completed\r\nA342 OK Unselect completed\r\na OK DEFLATE active\r\n",
        app,
    );
}

/// RFC 5161 §4 (ENABLE): only what the server knows is enabled.
#[test]
fn rfc5161_enable_example() {
    fn app(_: &mut Server, ev: Event<'_>) -> bool {
        let Event::Enabled(v) = ev else { panic!() };
        assert_eq!(v.len(), 1);
        true
    }
    golden(
        ServerConfig {
            enable: vec![Atom::new("X-GOOD-IDEA").unwrap()],
            ..authenticated()
        },
        false,
        "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n",
        "* ENABLED X-GOOD-IDEA\r\nt2 OK ENABLE completed\r\n",
        app,
    );
}

/// RFC 2195 §2 (CRAM-MD5), as carried by IMAP AUTHENTICATE: the example's challenge and
/// response.
#[test]
fn rfc2195_cram_md5_example() {
    let config = ServerConfig {
        capability_codes: false,
        hostname: "postoffice.reston.mci.net".into(),
        mechanisms: vec![Mechanism::CramMd5],
        ..ServerConfig::default()
    };
    let mut s = Server::new(config, true, "1896.697170952").unwrap();
    s.take_output();
    s.receive(b"a1 AUTHENTICATE CRAM-MD5\r\n");
    assert!(s.next_event().unwrap().is_none());
    assert_eq!(
        s.take_output(),
        b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"
    );
    s.receive(b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    let Some(Event::Authenticate { credentials }) = s.next_event().unwrap() else {
        panic!()
    };
    assert!(credentials.password_matches("tim", "tanstaaftanstaaf"));
    s.ok(None, "CRAM-MD5 authentication successful").unwrap();
    assert_eq!(
        s.take_output(),
        b"a1 OK CRAM-MD5 authentication successful\r\n"
    );
}

fn decode_code(line: &'static str) -> Code<'static> {
    match Response::decode(line.as_bytes()).unwrap() {
        Decoded::Complete {
            value: Response::Status(StatusResponse { code: Some(c), .. }),
            ..
        } => c,
        other => panic!("{other:?}"),
    }
}

fn decode_data(line: &'static str) -> Data<'static> {
    match Response::decode(line.as_bytes()).unwrap() {
        Decoded::Complete {
            value: Response::Data(d),
            ..
        } => d,
        other => panic!("{other:?}"),
    }
}

/// RFC 2971 §3.1 (ID), RFC 2342 §5 (NAMESPACE), RFC 4315 §2.1 (UID EXPUNGE) and
/// RFC 6851 §3.3 (UID MOVE, with the text the strict grammar requires after the code):
/// typed commands answered by the application.
#[test]
fn rfc2971_id_rfc2342_namespace_rfc4315_uid_expunge_rfc6851_move_examples() {
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        let Event::Command(c) = ev else { panic!() };
        match &c.body {
            CommandBody::Select { .. } => {
                s.ok(Some(Code::ReadWrite), "SELECT completed").unwrap();
            }
            CommandBody::Id {
                parameters: Some(p),
            } => {
                let pairs: Vec<(&[u8], Option<&[u8]>)> = p
                    .iter()
                    .map(|(k, v)| (k.as_bytes(), v.as_ref().map(IString::as_bytes)))
                    .collect();
                assert_eq!(
                    pairs,
                    [
                        (&b"name"[..], Some(&b"sodr"[..])),
                        (b"version", Some(b"19.34")),
                        (b"vendor", Some(b"Pink Floyd Music Limited")),
                    ]
                );
                s.data(&decode_data("* ID NIL\r\n")).unwrap();
                s.ok(None, "ID completed").unwrap();
            }
            CommandBody::Namespace => {
                s.data(&decode_data("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"))
                    .unwrap();
                s.ok(None, "NAMESPACE command completed").unwrap();
            }
            CommandBody::UidExpunge { sequence_set } => {
                assert_eq!(sequence_set.as_str(), "3000:3002");
                for _ in 0..3 {
                    s.data(&Data::Expunge(std::num::NonZeroU32::new(3).unwrap()))
                        .unwrap();
                }
                s.ok(None, "UID EXPUNGE completed").unwrap();
            }
            CommandBody::Move {
                uid: true,
                sequence_set,
                mailbox,
            } => {
                assert_eq!(
                    (sequence_set.as_str(), mailbox.as_bytes()),
                    ("42:69", &b"foo"[..])
                );
                let copyuid = decode_code("* OK [COPYUID 432432 42:69 1202:1229] Moved\r\n");
                s.untagged(StatusKind::Ok, Some(copyuid), "Moved").unwrap();
                s.data(&Data::Expunge(std::num::NonZeroU32::new(22).unwrap()))
                    .unwrap();
                s.ok(None, "Done").unwrap();
            }
            other => panic!("{other:?}"),
        }
        true
    }
    golden(
        authenticated(),
        false,
        "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n\
         A001 NAMESPACE\r\n\
         A002 SELECT INBOX\r\n\
         A003 UID EXPUNGE 3000:3002\r\n\
         a UID MOVE 42:69 foo\r\n",
        "* ID NIL\r\na023 OK ID completed\r\n\
         * NAMESPACE ((\"\" \"/\")) NIL NIL\r\nA001 OK NAMESPACE command completed\r\n\
         A002 OK [READ-WRITE] SELECT completed\r\n\
         * 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 3 EXPUNGE\r\nA003 OK UID EXPUNGE completed\r\n\
         * OK [COPYUID 432432 42:69 1202:1229] Moved\r\n* 22 EXPUNGE\r\na OK Done\r\n",
        app,
    );
    // The client writes the same commands (with its own tags).
    let mut c = Client::new(ClientConfig::default(), true);
    c.receive(b"* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS MOVE ID NAMESPACE] hi\r\n");
    c.next_event().unwrap();
    c.id(&[
        ("name", "sodr"),
        ("version", "19.34"),
        ("vendor", "Pink Floyd Music Limited"),
    ])
    .unwrap();
    c.namespace().unwrap();
    c.send(CommandBody::Select {
        mailbox: Mailbox::Inbox,
    })
    .unwrap();
    c.uid_expunge(&SequenceSet::new("3000:3002").unwrap())
        .unwrap();
    c.move_messages(
        true,
        &SequenceSet::new("42:69").unwrap(),
        &Mailbox::try_from("foo").unwrap(),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(c.take_output()).unwrap(),
        "A1 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n\
         A2 NAMESPACE\r\nA3 SELECT INBOX\r\nA4 UID EXPUNGE 3000:3002\r\nA5 UID MOVE 42:69 foo\r\n"
    );
}
