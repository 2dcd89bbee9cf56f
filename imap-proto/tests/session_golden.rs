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

/// The server lines of an example, written through the machine as the application would.
fn answer(s: &mut Server, lines: &[&'static str], done: &str) {
    for line in lines {
        s.data(&decode_data(line)).unwrap();
    }
    s.ok(None, done).unwrap();
}

/// Selects INBOX (the examples below run in the selected state).
fn select_ok(s: &mut Server, c: &Command<'_>) -> bool {
    if matches!(c.body, CommandBody::Select { .. }) {
        s.ok(Some(Code::ReadWrite), "SELECT completed").unwrap();
        return true;
    }
    false
}

/// RFC 4731 §3.1 (ESEARCH): SEARCH RETURN reaches the application typed; the ESEARCH
/// answers are the example's bytes.
#[test]
fn rfc4731_esearch_examples() {
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        let Event::Command(c) = ev else { panic!() };
        if select_ok(s, &c) {
            return true;
        }
        let CommandBody::SearchExt {
            uid,
            return_options,
            ..
        } = &c.body
        else {
            panic!("{c:?}")
        };
        let line = match (c.tag.as_str(), *uid, return_options.as_slice()) {
            ("A282", false, [SearchReturnOption::Min, SearchReturnOption::Count]) => {
                "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n"
            }
            ("A283", false, []) => "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n",
            ("A284", false, [SearchReturnOption::Min]) => "* ESEARCH (TAG \"A284\") MIN 4\r\n",
            ("A285", true, [SearchReturnOption::Min, SearchReturnOption::Max]) => {
                "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n"
            }
            other => panic!("{other:?}"),
        };
        answer(s, &[line], "SEARCH completed");
        true
    }
    golden(
        authenticated(),
        false,
        "A1 SELECT INBOX\r\n\
         A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n\
         A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n\
         A284 SEARCH RETURN (MIN) UNSEEN\r\n\
         A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n",
        "A1 OK [READ-WRITE] SELECT completed\r\n\
         * ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\nA282 OK SEARCH completed\r\n\
         * ESEARCH (TAG \"A283\") ALL 2,10:11\r\nA283 OK SEARCH completed\r\n\
         * ESEARCH (TAG \"A284\") MIN 4\r\nA284 OK SEARCH completed\r\n\
         * ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\nA285 OK SEARCH completed\r\n",
        app,
    );
}

/// RFC 5256 §4 (SORT) and the empty THREAD answer of its THREAD example.
#[test]
fn rfc5256_sort_and_thread_examples() {
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        let Event::Command(c) = ev else { panic!() };
        if select_ok(s, &c) {
            return true;
        }
        match (&c.body, c.tag.as_str()) {
            (CommandBody::Sort { criteria, .. }, "A282") => {
                assert_eq!(criteria.as_slice()[0].key, SortKey::Subject);
                answer(s, &["* SORT 2 84 882\r\n"], "SORT completed");
            }
            (CommandBody::Sort { criteria, .. }, "A283") => {
                assert!(criteria.as_slice()[1].reverse);
                answer(s, &["* SORT 5 3 4 1 2\r\n"], "SORT completed");
            }
            (CommandBody::Sort { keys, .. }, "A284") => {
                assert!(matches!(keys.as_slice(), [SearchKey::Text(_)]));
                answer(s, &["* SORT\r\n"], "SORT completed");
            }
            (
                CommandBody::Thread {
                    algorithm: ThreadAlgorithm::OrderedSubject,
                    ..
                },
                "A284",
            ) => answer(s, &["* THREAD\r\n"], "THREAD completed"),
            other => panic!("{other:?}"),
        }
        true
    }
    golden(
        authenticated(),
        false,
        "A1 SELECT INBOX\r\n\
         A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n\
         A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n\
         A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n\
         A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n",
        "A1 OK [READ-WRITE] SELECT completed\r\n\
         * SORT 2 84 882\r\nA282 OK SORT completed\r\n\
         * SORT 5 3 4 1 2\r\nA283 OK SORT completed\r\n\
         * SORT\r\nA284 OK SORT completed\r\n\
         * THREAD\r\nA284 OK THREAD completed\r\n",
        app,
    );
}

/// RFC 7162 §3.1.3 examples 2 and 6 (STORE UNCHANGEDSINCE), after a SELECT (CONDSTORE)
/// (§3.1.8): the conditional STOREs reach the application typed, the answers are the
/// example's bytes, and CONDSTORE is on.
#[test]
fn rfc7162_conditional_store_examples() {
    fn app(s: &mut Server, ev: Event<'_>) -> bool {
        let Event::Command(c) = ev else { panic!() };
        match (&c.body, c.tag.as_str()) {
            (CommandBody::SelectExt { parameters, .. }, "A142") => {
                assert_eq!(parameters.as_slice(), [SelectParam::Condstore]);
                s.untagged(
                    StatusKind::Ok,
                    Some(decode_code("* OK [HIGHESTMODSEQ 715194045007] x\r\n")),
                    "Highest",
                )
                .unwrap();
                s.ok(
                    Some(Code::ReadWrite),
                    "SELECT completed, CONDSTORE is now enabled",
                )
                .unwrap();
                assert!(s.is_enabled("CONDSTORE"));
            }
            (
                CommandBody::StoreExt {
                    uid: true,
                    modifiers,
                    ..
                },
                "a103",
            ) => {
                assert_eq!(
                    modifiers.as_slice(),
                    [StoreModifier::UnchangedSince(Some(
                        ModSeq::new(12121230045).unwrap()
                    ))]
                );
                answer(
                    s,
                    &[
                        "* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n",
                        "* 2 FETCH (UID 6 MODSEQ (12121230852))\r\n",
                        "* 4 FETCH (UID 8 MODSEQ (12121230956))\r\n",
                    ],
                    "Conditional Store completed",
                );
            }
            (CommandBody::StoreExt { uid: false, .. }, "d105") => {
                for line in [
                    "* 7 FETCH (MODSEQ (320162342) FLAGS (\\Seen \\Deleted))\r\n",
                    "* 5 FETCH (MODSEQ (320162350))\r\n",
                    "* 9 FETCH (MODSEQ (320162349) FLAGS (\\Answered))\r\n",
                ] {
                    s.data(&decode_data(line)).unwrap();
                }
                let code = decode_code("* OK [MODIFIED 7,9] x\r\n");
                s.ok(Some(code), "Conditional STORE failed").unwrap();
            }
            other => panic!("{other:?}"),
        }
        true
    }
    golden(
        ServerConfig {
            capabilities: vec![Capability::Other(Atom::new("CONDSTORE").unwrap())],
            ..authenticated()
        },
        false,
        "A142 SELECT INBOX (CONDSTORE)\r\n\
         a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n\
         d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
        "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n\
         A142 OK [READ-WRITE] SELECT completed, CONDSTORE is now enabled\r\n\
         * 1 FETCH (UID 4 MODSEQ (12121231000))\r\n\
         * 2 FETCH (UID 6 MODSEQ (12121230852))\r\n\
         * 4 FETCH (UID 8 MODSEQ (12121230956))\r\n\
         a103 OK Conditional Store completed\r\n\
         * 7 FETCH (MODSEQ (320162342) FLAGS (\\Seen \\Deleted))\r\n\
         * 5 FETCH (MODSEQ (320162350))\r\n\
         * 9 FETCH (MODSEQ (320162349) FLAGS (\\Answered))\r\n\
         d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
        app,
    );
}
