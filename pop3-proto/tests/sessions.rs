//! Golden transcripts from the RFCs: the client machine and the server machine talk to
//! each other through an in-memory pipe, and the bytes on the wire are compared with the
//! RFC's example, line by line.

use std::num::NonZeroU32;

use mail_common::sasl::Credentials;
use pop3_proto::client::{Client, ClientConfig, ClientEvent, LoginMethod};
use pop3_proto::server::{Event, MessageInfo, Server, ServerConfig};
use pop3_proto::*;

fn n(v: u32) -> NonZeroU32 {
    NonZeroU32::new(v).unwrap()
}

/// A message of exactly `size` octets, CRLF lines.
fn message(subject: &str, size: usize) -> Vec<u8> {
    let mut m = format!("Subject: {subject}\r\n\r\n").into_bytes();
    while m.len() + 2 < size {
        let room = size - m.len() - 2;
        let line = "x".repeat(room.min(60));
        m.extend_from_slice(line.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    while m.len() < size {
        m.insert(m.len() - 2, b'y');
    }
    assert_eq!(m.len(), size);
    m
}

/// The server side application: a maildrop, passwords, and a lock that fails once.
struct App {
    messages: Vec<Vec<u8>>,
    uids: Vec<&'static str>,
    password: &'static str,
    lock_fails: u32,
    removed: Vec<u32>,
    login_text: Option<&'static str>,
}

impl App {
    fn maildrop(&self) -> Vec<MessageInfo> {
        self.messages
            .iter()
            .zip(&self.uids)
            .map(|(m, u)| MessageInfo {
                size: m.len() as u64,
                uid: UniqueId::new(*u).unwrap(),
            })
            .collect()
    }
}

enum Action {
    Accept,
    Reject(Option<&'static str>, &'static str),
    Apop(Vec<u8>),
    Send(usize),
    Tls,
    Update(Vec<u32>),
    None,
}

fn serve(server: &mut Server, app: &mut App) {
    loop {
        let action = match server.next_event().unwrap() {
            None => return,
            Some(Event::Pass { user, password }) => {
                if user == "mrose" && password.as_bytes() == app.password.as_bytes() {
                    if app.lock_fails > 0 {
                        app.lock_fails -= 1;
                        Action::Reject(None, "maildrop already locked")
                    } else {
                        Action::Accept
                    }
                } else {
                    Action::Reject(Some("AUTH"), "invalid password")
                }
            }
            Some(Event::Apop { user }) => {
                assert_eq!(user, "mrose");
                Action::Apop(app.password.as_bytes().to_vec())
            }
            Some(Event::Sasl { credentials }) => {
                let ok = match &credentials {
                    Credentials::CramMd5 { .. } => credentials.verify(app.password.as_bytes()),
                    _ => credentials.password_matches("test", app.password),
                };
                if ok {
                    Action::Accept
                } else {
                    Action::Reject(Some("AUTH"), "invalid")
                }
            }
            Some(Event::Retr { msg }) | Some(Event::Top { msg, .. }) => {
                Action::Send(msg.get() as usize - 1)
            }
            Some(Event::StartTls { discarded }) => {
                assert_eq!(discarded, 0);
                Action::Tls
            }
            Some(Event::Update { deleted }) => {
                Action::Update(deleted.iter().map(|d| d.get()).collect())
            }
            Some(Event::Closed) => Action::None,
            Some(other) => panic!("unexpected {other:?}"),
        };
        match action {
            Action::Accept => match app.login_text {
                Some(t) => server.accept_login_with_text(app.maildrop(), t).unwrap(),
                None => server.accept_login(app.maildrop()).unwrap(),
            },
            Action::Reject(code, text) => server.reject_login(code, text).unwrap(),
            Action::Apop(secret) => {
                assert!(server.accept_apop(&secret, app.maildrop()).unwrap());
            }
            Action::Send(i) => {
                let m = app.messages[i].clone();
                server.send_message(&m).unwrap();
            }
            Action::Tls => server.tls_established().unwrap(),
            Action::Update(d) => {
                app.removed = d;
                server.update_done(true).unwrap();
            }
            Action::None => {}
        }
    }
}

/// A client event with everything owned, for the scripts.
#[derive(Debug, Clone, PartialEq)]
enum E {
    Greeting(bool),
    Caps(Vec<Capability<'static>>),
    StartTls,
    LoggedIn(LoginMethod),
    LoginFailed(String),
    Impossible(Error),
    Ok(&'static str),
    Err(&'static str, String),
    Stat(Stat),
    Scan(ScanListing),
    Uid(u32, String),
    ScanList(Vec<ScanListing>),
    UidList(Vec<(u32, String)>),
    Start(u32),
    Data(Vec<u8>),
    End(u32),
}

fn own(ev: ClientEvent<'_>) -> E {
    let text = |s: &StatusLine<'_>| String::from_utf8_lossy(s.text().as_bytes()).into_owned();
    match ev {
        ClientEvent::Greeting(s) => E::Greeting(s.is_ok()),
        ClientEvent::Capabilities(c) => E::Caps(c),
        ClientEvent::StartTls => E::StartTls,
        ClientEvent::LoggedIn(m) => E::LoggedIn(m),
        ClientEvent::LoginFailed(s) => E::LoginFailed(text(&s)),
        ClientEvent::LoginImpossible(e) => E::Impossible(e),
        ClientEvent::Ok { command, .. } => E::Ok(command),
        ClientEvent::Err { command, status } => E::Err(command, text(&status)),
        ClientEvent::Stat(s) => E::Stat(s),
        ClientEvent::ScanListing(s) => E::Scan(s),
        ClientEvent::UniqueIdListing(u) => E::Uid(u.msg.get(), u.uid.as_str().to_owned()),
        ClientEvent::ScanList(l) => E::ScanList(l),
        ClientEvent::UniqueIdList(l) => E::UidList(
            l.iter()
                .map(|u| (u.msg.get(), u.uid.as_str().to_owned()))
                .collect(),
        ),
        ClientEvent::MessageStart(m) => E::Start(m.get()),
        ClientEvent::MessageData(d) => E::Data(d.to_vec()),
        ClientEvent::MessageEnd(m) => E::End(m.get()),
        other => panic!("unexpected {other:?}"),
    }
}

fn lines(prefix: &str, bytes: &[u8], out: &mut Vec<String>) {
    for l in bytes.split_inclusive(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\r\n").expect("CRLF");
        out.push(format!("{prefix}: {}", String::from_utf8_lossy(l)));
    }
}

/// Runs both machines until neither has anything to say. `script` sees every client event
/// (data chunks merged per message) and drives the client.
fn run(
    mut server: Server,
    mut client: Client,
    app: &mut App,
    mut script: impl FnMut(&mut Client, E),
    chunk: usize,
) -> (Vec<String>, Vec<E>) {
    let mut transcript = Vec::new();
    let mut events = Vec::new();
    for _ in 0..1000 {
        let s_out = server.take_output();
        lines("S", &s_out, &mut transcript);
        for piece in s_out.chunks(chunk.max(1)) {
            client.receive(piece);
            loop {
                let ev = match client.next_event().unwrap() {
                    None => break,
                    Some(ev) => own(ev),
                };
                let merged = match (&ev, events.last_mut()) {
                    (E::Data(d), Some(E::Data(prev))) => {
                        prev.extend_from_slice(d);
                        true
                    }
                    _ => false,
                };
                if !merged {
                    events.push(ev.clone());
                }
                if !matches!(ev, E::Data(_)) {
                    script(&mut client, ev);
                }
            }
        }
        let c_out = client.take_output();
        lines("C", &c_out, &mut transcript);
        for piece in c_out.chunks(chunk.max(1)) {
            server.receive(piece);
            serve(&mut server, app);
        }
        if s_out.is_empty() && c_out.is_empty() {
            break;
        }
    }
    (transcript, events)
}

fn expect(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| s.to_string()).collect()
}

fn msg_lines(m: &[u8]) -> Vec<String> {
    let mut v = Vec::new();
    lines("S", m, &mut v);
    v
}

fn rfc1939_app() -> App {
    App {
        messages: vec![message("one", 120), message("two", 200)],
        uids: vec!["whqtswO00WBw418f9t5JxYwZ", "QhdPYR:00WBw1Ph7x7"],
        password: "tanstaaf",
        lock_fails: 0,
        removed: vec![],
        login_text: None,
    }
}

fn rfc1939_server(apop: bool) -> Server {
    let config = ServerConfig {
        hostname: "dbc.mtview.ca.us".into(),
        name: "dewey".into(),
        apop,
        allow_plaintext_without_tls: true,
        user_text: "is a real hoopy frood".into(),
        ..ServerConfig::default()
    };
    Server::new(config, "1896.697170952", false).unwrap()
}

fn plain_client() -> Client {
    Client::new(
        ClientConfig {
            capa: false,
            allow_plaintext_without_tls: true,
            ..ClientConfig::default()
        },
        false,
    )
}

/// RFC 1939 §10, the example POP3 session, at every chunk size.
#[test]
fn rfc1939_section_10_example_session_with_apop() {
    for chunk in [1, 2, 7, 4096] {
        let mut app = rfc1939_app();
        let mut deles = 0;
        let (transcript, events) = run(
            rfc1939_server(true),
            plain_client(),
            &mut app,
            |c, ev| match ev {
                E::Greeting(true) => c.login("mrose", "tanstaaf").unwrap(),
                E::LoggedIn(LoginMethod::Apop) => c.stat().unwrap(),
                E::Stat(_) => c.list(None).unwrap(),
                E::ScanList(_) => c.retr(n(1)).unwrap(),
                E::End(m) => c.dele(n(m)).unwrap(),
                E::Ok("DELE") => {
                    deles += 1;
                    if deles == 1 {
                        c.retr(n(2)).unwrap()
                    } else {
                        c.quit().unwrap()
                    }
                }
                E::Start(_) | E::Ok("QUIT") => {}
                other => panic!("unexpected {other:?}"),
            },
            chunk,
        );
        let mut want = expect(&[
            "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
            "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb",
            "S: +OK mrose's maildrop has 2 messages (320 octets)",
            "C: STAT",
            "S: +OK 2 320",
            "C: LIST",
            "S: +OK 2 messages (320 octets)",
            "S: 1 120",
            "S: 2 200",
            "S: .",
            "C: RETR 1",
            "S: +OK 120 octets",
        ]);
        want.extend(msg_lines(&app.messages[0]));
        want.extend(expect(&[
            "S: .",
            "C: DELE 1",
            "S: +OK message 1 deleted",
            "C: RETR 2",
            "S: +OK 200 octets",
        ]));
        want.extend(msg_lines(&app.messages[1]));
        want.extend(expect(&[
            "S: .",
            "C: DELE 2",
            "S: +OK message 2 deleted",
            "C: QUIT",
            "S: +OK dewey POP3 server signing off (maildrop empty)",
        ]));
        assert_eq!(transcript, want, "chunk {chunk}");
        assert_eq!(app.removed, vec![1, 2]);
        // The client got both messages back byte for byte.
        let datas: Vec<&Vec<u8>> = events
            .iter()
            .filter_map(|e| if let E::Data(d) = e { Some(d) } else { None })
            .collect();
        assert_eq!(datas, vec![&app.messages[0], &app.messages[1]]);
        assert!(events.contains(&E::Stat(Stat {
            count: 2,
            size: 320
        })));
    }
}

/// The examples of RFC 1939 §§5-7 (USER, PASS, STAT, LIST, UIDL, TOP, RETR, DELE, NOOP,
/// RSET, QUIT), as one session.
#[test]
fn rfc1939_command_examples() {
    let mut app = rfc1939_app();
    app.password = "secret";
    app.lock_fails = 1;
    let mut step = 0;
    let (transcript, events) = run(
        rfc1939_server(false),
        plain_client(),
        &mut app,
        |c, ev| {
            step += 1;
            match (step, ev) {
                (1, E::Greeting(true)) => c.login("mrose", "secret").unwrap(),
                (2, E::LoginFailed(t)) => {
                    assert_eq!(t, "maildrop already locked");
                    c.login("mrose", "secret").unwrap()
                }
                (3, E::LoggedIn(LoginMethod::UserPass)) => c.stat().unwrap(),
                (4, E::Stat(_)) => c.list(None).unwrap(),
                (5, E::ScanList(_)) => c.list(Some(n(2))).unwrap(),
                (6, E::Scan(s)) => {
                    assert_eq!(
                        s,
                        ScanListing {
                            msg: n(2),
                            size: 200
                        }
                    );
                    c.list(Some(n(3))).unwrap()
                }
                (7, E::Err("LIST", _)) => c.uidl(None).unwrap(),
                (8, E::UidList(l)) => {
                    assert_eq!(l.len(), 2);
                    c.uidl(Some(n(2))).unwrap()
                }
                (9, E::Uid(2, u)) => {
                    assert_eq!(u, "QhdPYR:00WBw1Ph7x7");
                    c.uidl(Some(n(3))).unwrap()
                }
                (10, E::Err("UIDL", _)) => c.top(n(1), 10).unwrap(),
                (11, E::Start(1)) => {}
                (12, E::End(1)) => c.top(n(100), 3).unwrap(),
                (13, E::Err("RETR", _)) => c.retr(n(1)).unwrap(),
                (14, E::Start(1)) => {}
                (15, E::End(1)) => c.dele(n(1)).unwrap(),
                (16, E::Ok("DELE")) => c.dele(n(2)).unwrap(),
                (17, E::Ok("DELE")) => c.dele(n(2)).unwrap(),
                (18, E::Err("DELE", t)) => {
                    assert_eq!(t, "message 2 already deleted");
                    c.noop().unwrap()
                }
                (19, E::Ok("NOOP")) => c.rset().unwrap(),
                (20, E::Ok("RSET")) => c.quit().unwrap(),
                (21, E::Ok("QUIT")) => {}
                (s, other) => panic!("step {s}: unexpected {other:?}"),
            }
        },
        3,
    );
    let mut want = expect(&[
        "S: +OK POP3 server ready",
        "C: USER mrose",
        "S: +OK mrose is a real hoopy frood",
        "C: PASS secret",
        "S: -ERR maildrop already locked",
        "C: USER mrose",
        "S: +OK mrose is a real hoopy frood",
        "C: PASS secret",
        "S: +OK mrose's maildrop has 2 messages (320 octets)",
        "C: STAT",
        "S: +OK 2 320",
        "C: LIST",
        "S: +OK 2 messages (320 octets)",
        "S: 1 120",
        "S: 2 200",
        "S: .",
        "C: LIST 2",
        "S: +OK 2 200",
        "C: LIST 3",
        "S: -ERR no such message, only 2 messages in maildrop",
        "C: UIDL",
        "S: +OK",
        "S: 1 whqtswO00WBw418f9t5JxYwZ",
        "S: 2 QhdPYR:00WBw1Ph7x7",
        "S: .",
        "C: UIDL 2",
        "S: +OK 2 QhdPYR:00WBw1Ph7x7",
        "C: UIDL 3",
        "S: -ERR no such message, only 2 messages in maildrop",
        "C: TOP 1 10",
        "S: +OK",
    ]);
    // TOP 1 10: the headers, the blank line, and (here) the whole short body.
    want.extend(msg_lines(pop3_proto::server::top_slice(
        &app.messages[0],
        10,
    )));
    want.extend(expect(&[
        "S: .",
        "C: TOP 100 3",
        "S: -ERR no such message",
        "C: RETR 1",
        "S: +OK 120 octets",
    ]));
    want.extend(msg_lines(&app.messages[0]));
    want.extend(expect(&[
        "S: .",
        "C: DELE 1",
        "S: +OK message 1 deleted",
        "C: DELE 2",
        "S: +OK message 2 deleted",
        "C: DELE 2",
        "S: -ERR message 2 already deleted",
        "C: NOOP",
        "S: +OK",
        "C: RSET",
        "S: +OK maildrop has 2 messages (320 octets)",
        "C: QUIT",
        "S: +OK dewey POP3 server signing off (2 messages left)",
    ]));
    assert_eq!(transcript, want);
    assert!(app.removed.is_empty(), "RSET unmarked everything");
    assert!(events.contains(&E::Err(
        "LIST",
        "no such message, only 2 messages in maildrop".into()
    )));
}

#[test]
fn rfc1939_quit_in_authorization_state() {
    let mut app = rfc1939_app();
    let (transcript, _) = run(
        rfc1939_server(false),
        plain_client(),
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => c.quit().unwrap(),
            E::Ok("QUIT") => {}
            other => panic!("{other:?}"),
        },
        4096,
    );
    assert_eq!(
        transcript,
        expect(&[
            "S: +OK POP3 server ready",
            "C: QUIT",
            "S: +OK dewey POP3 server signing off"
        ])
    );
}

fn capa_server(caps: Vec<Capability<'static>>, greeting: &str, tls: bool) -> Server {
    let config = ServerConfig {
        hostname: "pop.example.com".into(),
        greeting: greeting.into(),
        apop: false,
        capabilities: caps,
        capa_text: "List of capabilities follows".into(),
        stls_text: "Begin TLS negotiation now".into(),
        ..ServerConfig::default()
    };
    Server::new(config, "1", tls).unwrap()
}

/// RFC 2449 §5, the CAPA example.
#[test]
fn rfc2449_capa_example() {
    let caps = vec![
        Capability::Top,
        Capability::User,
        Capability::Sasl(Params::new("CRAM-MD5 KERBEROS_V4").unwrap()),
        Capability::RespCodes,
        Capability::LoginDelay {
            seconds: 900,
            per_user: false,
        },
        Capability::Pipelining,
        Capability::Expire {
            policy: Expire::Days(60),
            per_user: false,
        },
        Capability::Uidl,
        Capability::Implementation(Params::new("Shlemazle-Plotz-v302").unwrap()),
    ];
    // The plaintext USER capability is shown because the policy allows it here.
    let config = ServerConfig {
        apop: false,
        allow_plaintext_without_tls: true,
        capabilities: caps.clone(),
        ..ServerConfig::default()
    };
    let server = Server::new(config, "1", false).unwrap();
    let mut app = rfc1939_app();
    let mut seen = None;
    let (transcript, _) = run(
        server,
        Client::new(ClientConfig::default(), false),
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => c.capa().unwrap(),
            E::Caps(list) => seen = Some(list),
            other => panic!("{other:?}"),
        },
        1,
    );
    assert_eq!(
        transcript,
        expect(&[
            "S: +OK POP3 server ready",
            "C: CAPA",
            "S: +OK Capability list follows",
            "S: TOP",
            "S: USER",
            "S: SASL CRAM-MD5 KERBEROS_V4",
            "S: RESP-CODES",
            "S: LOGIN-DELAY 900",
            "S: PIPELINING",
            "S: EXPIRE 60",
            "S: UIDL",
            "S: IMPLEMENTATION Shlemazle-Plotz-v302",
            "S: .",
        ])
    );
    assert_eq!(seen, Some(caps));
}

fn rfc5034_caps() -> Vec<Capability<'static>> {
    vec![
        Capability::Sasl(Params::new("PLAIN DIGEST-MD5 GSSAPI ANONYMOUS").unwrap()),
        Capability::Stls,
        Capability::Implementation(Params::new("BlurdyBlurp POP3 server").unwrap()),
    ]
}

fn rfc5034_app() -> App {
    App {
        password: "test",
        login_text: Some("Maildrop locked and ready"),
        ..rfc1939_app()
    }
}

/// RFC 5034 §6, first example: CAPA, STLS, CAPA again under TLS (now with PLAIN), and
/// AUTH PLAIN with an initial response. Also RFC 2595 §4's "the client MUST discard cached
/// information about server capabilities".
#[test]
fn rfc5034_auth_plain_with_initial_response_after_stls() {
    let mut app = rfc5034_app();
    let client = Client::new(
        ClientConfig {
            authzid: Some("test".into()),
            ..ClientConfig::default()
        },
        false,
    );
    let (transcript, events) = run(
        capa_server(
            rfc5034_caps(),
            "pop.example.com BlurdyBlurp POP3 server ready",
            false,
        ),
        client,
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => c.login("test", "test").unwrap(),
            E::StartTls => c.tls_established().unwrap(),
            E::Caps(_) | E::LoggedIn(_) => {}
            other => panic!("{other:?}"),
        },
        5,
    );
    assert_eq!(
        transcript,
        expect(&[
            "S: +OK pop.example.com BlurdyBlurp POP3 server ready",
            "C: CAPA",
            "S: +OK List of capabilities follows",
            "S: SASL DIGEST-MD5 GSSAPI ANONYMOUS",
            "S: STLS",
            "S: IMPLEMENTATION BlurdyBlurp POP3 server",
            "S: .",
            "C: STLS",
            "S: +OK Begin TLS negotiation now",
            "C: CAPA",
            "S: +OK List of capabilities follows",
            "S: SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS",
            "S: IMPLEMENTATION BlurdyBlurp POP3 server",
            "S: .",
            "C: AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=",
            "S: +OK Maildrop locked and ready",
        ])
    );
    assert_eq!(
        events.last(),
        Some(&E::LoggedIn(LoginMethod::Sasl(Mechanism::PLAIN)))
    );
}

/// RFC 5034 §6, second example: AUTH PLAIN without an initial response, the empty
/// challenge `+ `, and the response on its own line.
#[test]
fn rfc5034_auth_plain_without_initial_response() {
    let mut app = rfc5034_app();
    let client = Client::new(
        ClientConfig {
            authzid: Some("test".into()),
            sasl_initial_response: false,
            ..ClientConfig::default()
        },
        true,
    );
    let (transcript, _) = run(
        capa_server(
            rfc5034_caps(),
            "pop.example.com BlurdyBlurp POP3 server ready",
            true,
        ),
        client,
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => c.login("test", "test").unwrap(),
            E::Caps(_) | E::LoggedIn(_) => {}
            other => panic!("{other:?}"),
        },
        1,
    );
    assert_eq!(
        &transcript[1..],
        expect(&[
            "C: CAPA",
            "S: +OK List of capabilities follows",
            "S: SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS",
            "S: IMPLEMENTATION BlurdyBlurp POP3 server",
            "S: .",
            "C: AUTH PLAIN",
            "S: + ",
            "C: dGVzdAB0ZXN0AHRlc3Q=",
            "S: +OK Maildrop locked and ready",
        ])
        .as_slice()
    );
}

/// A server-first mechanism (RFC 5034 §6's third example uses DIGEST-MD5; CRAM-MD5, RFC
/// 2195, has the same shape): challenge, response, +OK.
#[test]
fn auth_cram_md5_challenge_and_response() {
    let mut app = rfc5034_app();
    app.password = "tanstaaftanstaaf";
    let config = ServerConfig {
        hostname: "postoffice.reston.mci.net".into(),
        apop: false,
        ..ServerConfig::default()
    };
    let server = Server::new(config, "1896.697170952", false).unwrap();
    let (transcript, events) = run(
        server,
        Client::new(ClientConfig::default(), false),
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => c.login("tim", "tanstaaftanstaaf").unwrap(),
            E::StartTls => c.tls_established().unwrap(),
            E::Caps(_) | E::LoggedIn(_) => {}
            other => panic!("{other:?}"),
        },
        2,
    );
    assert!(
        transcript.contains(&"C: AUTH CRAM-MD5".to_string()),
        "{transcript:#?}"
    );
    // RFC 2195 §2: the challenge and the response of its example.
    assert!(
        transcript
            .contains(&"S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+".to_string())
    );
    assert!(
        transcript.contains(&"C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw".to_string())
    );
    assert_eq!(
        events.last(),
        Some(&E::LoggedIn(LoginMethod::Sasl(Mechanism::CRAM_MD5)))
    );
}

/// RFC 2595 §4: STLS, then a second STLS under TLS is refused.
#[test]
fn rfc2595_stls_example() {
    let mut app = rfc1939_app();
    let mut stls_sent = 0;
    let (transcript, _) = run(
        capa_server(vec![Capability::Stls], "POP3 server ready", false),
        Client::new(ClientConfig::default(), false),
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => {
                stls_sent += 1;
                c.command(&Command::Stls).unwrap()
            }
            E::StartTls => {
                c.tls_established().unwrap();
                stls_sent += 1;
                c.command(&Command::Stls).unwrap()
            }
            E::Err("STLS", t) => assert_eq!(t, "Command not permitted when TLS active"),
            other => panic!("{other:?}"),
        },
        1,
    );
    assert_eq!(stls_sent, 2);
    assert_eq!(
        &transcript[1..],
        expect(&[
            "C: STLS",
            "S: +OK Begin TLS negotiation now",
            "C: STLS",
            "S: -ERR Command not permitted when TLS active",
        ])
        .as_slice()
    );
}

/// RFC 2449 §8: an extended response code reaches the client typed.
#[test]
fn in_use_code_reaches_the_client() {
    let mut server = rfc1939_server(false);
    let mut client = plain_client();
    client.receive(&server.take_output());
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    client.login("mrose", "secret").unwrap();
    server.receive(&client.take_output());
    assert!(server.next_event().unwrap().is_none());
    client.receive(&server.take_output());
    assert!(client.next_event().unwrap().is_none());
    server.receive(&client.take_output());
    assert!(matches!(
        server.next_event().unwrap(),
        Some(Event::Pass { .. })
    ));
    server
        .reject_login(Some("IN-USE"), "Do you have another POP session running?")
        .unwrap();
    let out = server.take_output();
    assert_eq!(
        out,
        b"-ERR [IN-USE] Do you have another POP session running?\r\n"
    );
    client.receive(&out);
    match client.next_event().unwrap() {
        Some(ClientEvent::LoginFailed(s)) => assert_eq!(s.code().unwrap().kind(), &CodeKind::InUse),
        other => panic!("{other:?}"),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Stat,
    List(Option<u32>),
    Uidl(Option<u32>),
    Retr(u32),
    Top(u32, u32),
    Dele(u32),
    Rset,
    Noop,
}

fn apply(c: &mut Client, op: &Op) {
    match op {
        Op::Stat => c.stat(),
        Op::List(m) => c.list(m.map(n)),
        Op::Uidl(m) => c.uidl(m.map(n)),
        Op::Retr(m) => c.retr(n(*m)),
        Op::Top(m, l) => c.top(n(*m), *l),
        Op::Dele(m) => c.dele(n(*m)),
        Op::Rset => c.rset(),
        Op::Noop => c.noop(),
    }
    .unwrap()
}

/// A session of `ops` after an APOP login, one command at a time or all pipelined.
fn random_session(
    ops: &[Op],
    messages: &[Vec<u8>],
    chunk: usize,
    pipelined: bool,
) -> (Vec<String>, Vec<E>, Vec<u32>) {
    let mut app = App {
        messages: messages.to_vec(),
        uids: ["a", "b", "c", "d"][..messages.len()].to_vec(),
        ..rfc1939_app()
    };
    let mut next = 0;
    let (transcript, events) = run(
        rfc1939_server(true),
        plain_client(),
        &mut app,
        |c, ev| match ev {
            E::Greeting(true) => c.login("mrose", "tanstaaf").unwrap(),
            E::LoggedIn(_) if pipelined => {
                for op in ops {
                    apply(c, op);
                }
                c.quit().unwrap();
            }
            E::Start(_) | E::Ok("QUIT") | E::Err("QUIT", _) => {}
            _ if pipelined => {}
            _ => {
                if next < ops.len() {
                    apply(c, &ops[next]);
                    next += 1;
                } else if next == ops.len() {
                    next += 1;
                    c.quit().unwrap();
                }
            }
        },
        chunk,
    );
    (transcript, events, app.removed)
}

fn server_lines(t: &[String]) -> Vec<&String> {
    t.iter().filter(|l| l.starts_with("S:")).collect()
}

mod chunking {
    use super::*;
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Op> {
        let m = 1u32..6;
        prop_oneof![
            Just(Op::Stat),
            proptest::option::of(m.clone()).prop_map(Op::List),
            proptest::option::of(m.clone()).prop_map(Op::Uidl),
            m.clone().prop_map(Op::Retr),
            (m.clone(), 0u32..4).prop_map(|(a, b)| Op::Top(a, b)),
            m.prop_map(Op::Dele),
            Just(Op::Rset),
            Just(Op::Noop),
        ]
    }

    fn msg() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec("(\\.|[a-z .:]){0,12}", 0..6).prop_map(|lines| {
            let mut m = b"Subject: t\r\n\r\n".to_vec();
            for l in lines {
                m.extend_from_slice(l.as_bytes());
                m.extend_from_slice(b"\r\n");
            }
            m
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Both machines give the same bytes and events whatever the chunking, one byte
        /// at a time included; pipelined commands get the same answers in the same order.
        #[test]
        fn sessions_are_chunking_invariant_and_pipelining_keeps_order(
            ops in proptest::collection::vec(op(), 0..12),
            messages in proptest::collection::vec(msg(), 1..4),
            chunk in 2usize..9,
        ) {
            let whole = random_session(&ops, &messages, 1 << 20, false);
            // The session ran to its end.
            prop_assert!(whole.0.last().is_some_and(|l| l.starts_with("S: +OK dewey POP3 server signing off")), "{:?}", whole.0);
            prop_assert!(whole.0.len() >= 2 * ops.len() + 4);
            let one = random_session(&ops, &messages, 1, false);
            let some = random_session(&ops, &messages, chunk, false);
            prop_assert_eq!(&one, &whole);
            prop_assert_eq!(&some, &whole);
            let piped = random_session(&ops, &messages, chunk, true);
            prop_assert_eq!(server_lines(&piped.0), server_lines(&whole.0));
            prop_assert_eq!(&piped.1, &whole.1);
            prop_assert_eq!(&piped.2, &whole.2);
        }
    }
}

/// RFC 2595 §4 and the STARTTLS injection class: commands pipelined after STLS in the
/// clear are dropped and reported, never executed under TLS.
#[test]
fn stls_discards_pipelined_plaintext() {
    let config = ServerConfig {
        allow_plaintext_without_tls: true,
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, "1", false).unwrap();
    server.take_output();
    server.receive(b"STLS\r\nUSER evil\r\nPASS injected\r\n");
    match server.next_event().unwrap() {
        Some(Event::StartTls { discarded }) => assert_eq!(discarded, 26),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.take_output(), b"+OK Begin TLS negotiation\r\n");
    // Bytes arriving before the handshake completes are dropped too.
    server.receive(b"NOOP\r\n");
    server.tls_established().unwrap();
    assert!(server.next_event().unwrap().is_none());
    assert_eq!(server.discarded_plaintext(), 32);
    assert!(server.take_output().is_empty());
    server.receive(b"CAPA\r\n");
    assert!(server.next_event().unwrap().is_none());
    let caps = String::from_utf8(server.take_output()).unwrap();
    assert!(!caps.contains("STLS"), "{caps}");
    assert!(caps.contains("USER"), "{caps}");
}

/// RFC 2595 §2.4 / RFC 5034 §4: no USER/PASS or PLAIN on a clear transport by default,
/// on either side.
#[test]
fn plaintext_credentials_are_refused_without_tls() {
    let config = ServerConfig {
        apop: false,
        capabilities: vec![
            Capability::User,
            Capability::Sasl(Params::new("PLAIN").unwrap()),
        ],
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, "1", false).unwrap();
    let mut client = Client::new(ClientConfig::default(), false);
    client.receive(&server.take_output());
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    client.login("u", "p").unwrap();
    server.receive(&client.take_output());
    assert!(server.next_event().unwrap().is_none());
    let out = server.take_output();
    // Neither USER nor PLAIN is announced before TLS.
    assert_eq!(out, b"+OK Capability list follows\r\n.\r\n");
    client.receive(&out);
    match client.next_event().unwrap() {
        Some(ClientEvent::LoginImpossible(e)) => assert_eq!(e, Error::NoAuthMethod),
        other => panic!("{other:?}"),
    }
    assert!(client.take_output().is_empty(), "no credentials were sent");
    // The server refuses USER too, even if a client tries.
    server.receive(b"USER u\r\n");
    assert!(server.next_event().unwrap().is_none());
    assert_eq!(
        server.take_output(),
        b"-ERR [AUTH] USER/PASS not allowed without TLS\r\n"
    );

    // A server that announces USER over a clear channel: the client still refuses.
    let config = ServerConfig {
        apop: false,
        allow_plaintext_without_tls: true,
        capabilities: vec![Capability::User],
        ..ServerConfig::default()
    };
    let mut server = Server::new(config, "1", false).unwrap();
    let mut client = Client::new(ClientConfig::default(), false);
    client.receive(&server.take_output());
    let _ = client.next_event().unwrap();
    client.login("u", "p").unwrap();
    server.receive(&client.take_output());
    assert!(server.next_event().unwrap().is_none());
    client.receive(&server.take_output());
    match client.next_event().unwrap() {
        Some(ClientEvent::LoginImpossible(e)) => assert_eq!(e, Error::PlaintextRefused),
        other => panic!("{other:?}"),
    }
    assert!(client.take_output().is_empty());
}

#[test]
fn deleted_messages_are_refused_and_rset_restores_them() {
    let mut app = rfc1939_app();
    let mut step = 0;
    let (_, events) = run(
        rfc1939_server(true),
        plain_client(),
        &mut app,
        |c, ev| {
            step += 1;
            match step {
                1 => c.login("mrose", "tanstaaf").unwrap(),
                2 => c.dele(n(1)).unwrap(),
                3 => c.retr(n(1)).unwrap(),
                4 => c.top(n(1), 0).unwrap(),
                5 => c.list(Some(n(1))).unwrap(),
                6 => c.uidl(None).unwrap(),
                7 => c.rset().unwrap(),
                8 => c.retr(n(1)).unwrap(),
                9 | 10 => {}
                11 => c.quit().unwrap(),
                _ => {}
            }
            let _ = ev;
        },
        4096,
    );
    assert_eq!(events[2], E::Ok("DELE"));
    assert_eq!(events[3], E::Err("RETR", "no such message".into()));
    assert_eq!(events[4], E::Err("RETR", "no such message".into()));
    assert!(matches!(&events[5], E::Err("LIST", _)));
    assert_eq!(
        events[6],
        E::UidList(vec![(2, "QhdPYR:00WBw1Ph7x7".into())])
    );
    assert_eq!(events[7], E::Ok("RSET"));
    assert_eq!(events[8], E::Start(1));
    assert!(app.removed.is_empty());
}

#[test]
fn leave_on_server_with_uidl() {
    use pop3_proto::client::new_messages;
    let listing = vec![
        UniqueIdListing {
            msg: n(1),
            uid: UniqueId::new("whqtswO00WBw418f9t5JxYwZ").unwrap(),
        },
        UniqueIdListing {
            msg: n(2),
            uid: UniqueId::new("QhdPYR:00WBw1Ph7x7").unwrap(),
        },
    ];
    let seen = ["whqtswO00WBw418f9t5JxYwZ"];
    assert_eq!(new_messages(&listing, |u| seen.contains(&u)), vec![n(2)]);
}

/// RFC 5034 §6, third example: a mechanism the application runs itself (DIGEST-MD5,
/// which `mail-common` does not implement), driven by hand on both sides.
#[test]
fn rfc5034_digest_md5_example_run_by_the_applications() {
    const C1: &str = "cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA==";
    const R1: &str = "Y2hhcnNldD11dGYtOCx1c2VybmFtZT0iY2hyaXMiLHJlYWxtPSJlbHdvb2QuaW5ub3NvZnQuY29tIixub25jZT0iT0E2TUc5dEVRR20yaGgiLG5jPTAwMDAwMDAxLGNub25jZT0iT0E2TUhYaDZWcVRyUmsiLGRpZ2VzdC11cmk9InBvcC9lbHdvb2QuaW5ub3NvZnQuY29tIixyZXNwb25zZT1iMGQ1NmQyZjA1NGMyNGI2MjA3MjMyMjEwNjQ2OGRiOSxxb3A9YXV0aA==";
    const C2: &str = "cnNwYXV0aD0wYjk3MTQ2MmNlZjVlOGY5MzBkYjlhMzNiMDJmYzlhMA==";
    let b64 = |s: &str| Base64::new(s.to_owned()).unwrap().decode().unwrap();
    let mut server = capa_server(
        rfc5034_caps(),
        "pop.example.com BlurdyBlurp POP3 server ready",
        false,
    );
    let mut client = Client::new(ClientConfig::default(), false);
    let mut transcript = Vec::new();
    let pump_s = |server: &mut Server, client: &mut Client, t: &mut Vec<String>| {
        let out = server.take_output();
        lines("S", &out, t);
        client.receive(&out);
    };
    let pump_c = |client: &mut Client, server: &mut Server, t: &mut Vec<String>| {
        let out = client.take_output();
        lines("C", &out, t);
        server.receive(&out);
    };
    pump_s(&mut server, &mut client, &mut transcript);
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    client.capa().unwrap();
    pump_c(&mut client, &mut server, &mut transcript);
    assert!(server.next_event().unwrap().is_none());
    pump_s(&mut server, &mut client, &mut transcript);
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Capabilities(_))
    ));
    client
        .command(&Command::Auth {
            mechanism: Mechanism::new("DIGEST-MD5").unwrap(),
            initial_response: None,
        })
        .unwrap();
    pump_c(&mut client, &mut server, &mut transcript);
    match server.next_event().unwrap() {
        Some(Event::AuthStart {
            mechanism,
            initial_response: None,
        }) => assert_eq!(mechanism.as_str(), "DIGEST-MD5"),
        other => panic!("{other:?}"),
    }
    server.sasl_challenge(&b64(C1)).unwrap();
    pump_s(&mut server, &mut client, &mut transcript);
    assert_eq!(
        client.next_event().unwrap(),
        Some(ClientEvent::Challenge(b64(C1)))
    );
    client
        .auth_line(&AuthLine::Response(Base64::encode(&b64(R1))))
        .unwrap();
    pump_c(&mut client, &mut server, &mut transcript);
    match server.next_event().unwrap() {
        Some(Event::AuthResponse { data }) => assert_eq!(data, b64(R1)),
        other => panic!("{other:?}"),
    }
    server.sasl_challenge(&b64(C2)).unwrap();
    pump_s(&mut server, &mut client, &mut transcript);
    assert_eq!(
        client.next_event().unwrap(),
        Some(ClientEvent::Challenge(b64(C2)))
    );
    client
        .auth_line(&AuthLine::Response(Base64::default()))
        .unwrap();
    pump_c(&mut client, &mut server, &mut transcript);
    match server.next_event().unwrap() {
        Some(Event::AuthResponse { data }) => assert!(data.is_empty()),
        other => panic!("{other:?}"),
    }
    server
        .accept_login_with_text(vec![], "Maildrop locked and ready")
        .unwrap();
    pump_s(&mut server, &mut client, &mut transcript);
    assert!(matches!(
        client.next_event().unwrap(),
        Some(ClientEvent::Ok {
            command: "AUTH",
            ..
        })
    ));
    assert!(client.is_logged_in() && server.is_transaction());
    assert_eq!(
        transcript,
        expect(&[
            "S: +OK pop.example.com BlurdyBlurp POP3 server ready",
            "C: CAPA",
            "S: +OK List of capabilities follows",
            "S: SASL DIGEST-MD5 GSSAPI ANONYMOUS",
            "S: STLS",
            "S: IMPLEMENTATION BlurdyBlurp POP3 server",
            "S: .",
            "C: AUTH DIGEST-MD5",
            &format!("S: + {C1}"),
            &format!("C: {R1}"),
            &format!("S: + {C2}"),
            "C: ",
            "S: +OK Maildrop locked and ready",
        ])
    );
}
