//! The client machine and the server machine talking to each other through an in-memory
//! pipe, through every flow: login, select, fetch with literals, append with synchronizing
//! and non-synchronizing literals, idle, authenticate (PLAIN with and without SASL-IR),
//! starttls with injected bytes, move, enable, compress, and the RFC 3501 §8 sample dialog.
//! Every flow also runs with both directions delivered one byte at a time.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_proto::client::{self, Client, ClientConfig, Handle};
use imap_proto::server::{self, Server, ServerConfig, State};
use imap_proto::*;
use mail_common::sasl::SaslClient;
use proptest::prelude::*;

/// What the server application does in answer to an event.
#[derive(Debug, Clone)]
enum Reply {
    Data(Data<'static>),
    Untagged(Code<'static>, &'static str),
    Ok(Option<Code<'static>>, &'static str),
    No(&'static str),
    Tls,
}

/// A tiny mail store behind the server machine.
#[derive(Debug, Default)]
struct Store {
    inbox: Vec<Vec<u8>>,
    trash: Vec<Vec<u8>>,
    log: Vec<String>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

impl Store {
    fn answer(&mut self, ev: server::Event<'_>) -> Vec<Reply> {
        match ev {
            server::Event::Command(c) => {
                self.log.push(format!("S {}", c.body.name()));
                self.command(c)
            }
            server::Event::Authenticate { credentials } => {
                if credentials.password_matches("joe", "secret") {
                    vec![Reply::Ok(None, "AUTHENTICATE completed")]
                } else {
                    vec![Reply::No("AUTHENTICATE failed")]
                }
            }
            server::Event::StartTls { discarded } => {
                self.log.push(format!("S starttls discarded {discarded}"));
                vec![Reply::Tls]
            }
            server::Event::Idle => {
                // New mail arrives while the client idles.
                self.inbox
                    .push(b"Subject: new\r\n\r\nnew mail\r\n".to_vec());
                vec![Reply::Data(Data::Exists(self.inbox.len() as u32))]
            }
            server::Event::IdleDone => vec![Reply::Ok(None, "IDLE terminated")],
            server::Event::Enabled(caps) => {
                self.log.push(format!("S enabled {}", caps.len()));
                vec![]
            }
            server::Event::Compress => {
                self.log.push("S compress".into());
                vec![]
            }
            other => {
                self.log.push(format!("S {other:?}"));
                vec![]
            }
        }
    }

    fn command(&mut self, c: Command<'_>) -> Vec<Reply> {
        match c.body {
            CommandBody::Login { username, password } => {
                if username.as_bytes() == b"joe" && password.as_bytes() == b"secret" {
                    vec![Reply::Ok(None, "LOGIN completed")]
                } else {
                    vec![Reply::No("LOGIN failed")]
                }
            }
            CommandBody::Select { mailbox } | CommandBody::Examine { mailbox } => {
                if mailbox != Mailbox::Inbox {
                    return vec![Reply::No("No such mailbox")];
                }
                vec![
                    Reply::Data(Data::Flags(vec![Flag::Seen, Flag::Deleted])),
                    Reply::Data(Data::Exists(self.inbox.len() as u32)),
                    Reply::Untagged(Code::UidValidity(nz(7)), "UIDs valid"),
                    Reply::Ok(Some(Code::ReadWrite), "SELECT completed"),
                ]
            }
            CommandBody::Fetch { sequence_set, .. } => {
                let n = self.inbox.len() as u32;
                let mut out = Vec::new();
                for seq in 1..=n {
                    if sequence_set.contains(seq, n) {
                        let msg = self.inbox[seq as usize - 1].clone();
                        out.push(Reply::Data(Data::Fetch {
                            seq: nz(seq),
                            items: vec![
                                MessageDataItem::Uid(nz(seq)),
                                MessageDataItem::BodySection {
                                    section: Section::Full,
                                    origin: None,
                                    data: Some(IString::Literal(Literal::new(msg).unwrap())),
                                },
                            ]
                            .try_into()
                            .unwrap(),
                        }));
                    }
                }
                out.push(Reply::Ok(None, "FETCH completed"));
                out
            }
            CommandBody::Append { message, .. } => {
                self.inbox.push(message.data().to_vec());
                let code = Code::Other {
                    name: Atom::new("APPENDUID").unwrap(),
                    text: Some(Cow::Owned(format!("7 {}", self.inbox.len()))),
                };
                vec![Reply::Ok(Some(code), "APPEND completed")]
            }
            CommandBody::Move {
                sequence_set: set,
                mailbox,
                ..
            } => {
                assert_eq!(mailbox.as_bytes(), b"Trash");
                let n = self.inbox.len() as u32;
                let mut out = Vec::new();
                for seq in (1..=n).rev() {
                    if set.contains(seq, n) {
                        let m = self.inbox.remove(seq as usize - 1);
                        self.trash.push(m);
                        out.push(Reply::Data(Data::Expunge(nz(seq))));
                    }
                }
                out.push(Reply::Ok(None, "MOVE completed"));
                out
            }
            CommandBody::Namespace => {
                vec![
                    Reply::Data(Data::Other {
                        name: Atom::new("NAMESPACE").unwrap(),
                        rest: Cow::Borrowed(b"((\"\" \"/\")) NIL NIL"),
                    }),
                    Reply::Ok(None, "NAMESPACE completed"),
                ]
            }
            CommandBody::Id { parameters } => {
                self.log.push(format!("S ID {parameters:?}"));
                vec![
                    Reply::Data(Data::Other {
                        name: Atom::new("ID").unwrap(),
                        rest: Cow::Borrowed(b"(\"name\" \"imap-proto test\")"),
                    }),
                    Reply::Ok(None, "ID completed"),
                ]
            }
            CommandBody::UidExpunge { sequence_set } => {
                self.log
                    .push(format!("S UID EXPUNGE {}", sequence_set.as_str()));
                vec![Reply::Ok(None, "UID completed")]
            }
            _ => vec![Reply::Ok(None, "completed")],
        }
    }
}

/// Both machines, the pipe between them, and the transcript.
struct Pair {
    client: Client,
    server: Server,
    store: Store,
    /// Octets per delivery in each direction.
    chunk: usize,
    c_to_s: Vec<u8>,
    s_to_c: Vec<u8>,
    client_log: Vec<String>,
    /// Bytes a man in the middle adds to the stream from the client after a STARTTLS.
    inject_to_server: Option<Vec<u8>>,
    /// Bytes a man in the middle adds after the server's OK to STARTTLS.
    inject_to_client: Option<Vec<u8>>,
}

fn event_string(ev: &client::Event<'_>) -> String {
    match ev {
        client::Event::Greeting(g) => format!("greeting {:?}", g.kind),
        client::Event::Data(d) => {
            let mut v = Vec::new();
            Response::Data(d.clone()).encode(&mut v);
            format!("data {}", String::from_utf8_lossy(&v).trim_end())
        }
        client::Event::Status(s) => {
            format!("status {}", String::from_utf8_lossy(&s.to_vec()).trim_end())
        }
        client::Event::Continue(c) => format!("continue {c:?}"),
        client::Event::Completed { handle, status } => format!(
            "completed {} {}",
            handle.id(),
            String::from_utf8_lossy(&status.to_vec()).trim_end()
        ),
        client::Event::Idling { handle } => format!("idling {}", handle.id()),
        client::Event::StartTls { handle, discarded } => {
            format!("starttls {} discarded {discarded}", handle.id())
        }
        client::Event::Compress { handle, buffered } => {
            format!("compress {} buffered {}", handle.id(), buffered.len())
        }
        other => format!("{other:?}"),
    }
}

impl Pair {
    fn new(sc: ServerConfig, cc: ClientConfig, tls: bool) -> Pair {
        Pair {
            client: Client::new(cc, tls),
            server: Server::new(sc, tls, "4711").unwrap(),
            store: Store::default(),
            chunk: usize::MAX,
            c_to_s: Vec::new(),
            s_to_c: Vec::new(),
            client_log: Vec::new(),
            inject_to_server: None,
            inject_to_client: None,
        }
    }

    fn deliver_to_server(&mut self, bytes: &[u8]) -> bool {
        let mut moved = false;
        for piece in bytes.chunks(self.chunk.max(1)) {
            self.server.receive(piece);
            moved = true;
            self.run_server();
        }
        moved
    }

    fn deliver_to_client(&mut self, bytes: &[u8]) -> bool {
        let mut moved = false;
        for piece in bytes.chunks(self.chunk.max(1)) {
            self.client.receive(piece);
            moved = true;
            self.run_client();
        }
        moved
    }

    fn run_server(&mut self) {
        loop {
            let ev = self.server.next_event().unwrap();
            let Some(ev) = ev else { break };
            let replies = self.store.answer(ev);
            for r in replies {
                match r {
                    Reply::Data(d) => self.server.data(&d).unwrap(),
                    Reply::Untagged(code, text) => self
                        .server
                        .untagged(StatusKind::Ok, Some(code), text)
                        .unwrap(),
                    Reply::Ok(code, text) => self.server.ok(code, text).unwrap(),
                    Reply::No(text) => self.server.no(None, text).unwrap(),
                    Reply::Tls => self.server.tls_established().unwrap(),
                }
            }
        }
    }

    fn run_client(&mut self) {
        loop {
            let ev = self.client.next_event().unwrap();
            let Some(ev) = ev else { break };
            let s = event_string(&ev);
            let tls = matches!(ev, client::Event::StartTls { .. });
            self.client_log.push(s);
            if tls {
                self.client.tls_established().unwrap();
            }
        }
    }

    /// Moves bytes both ways until nothing moves.
    fn pump(&mut self) {
        loop {
            // Injected bytes travel in the same segment as the STARTTLS exchange, so the
            // receiving machine has them buffered before the handshake.
            let mut out = self.client.take_output();
            if out.ends_with(b"STARTTLS\r\n") {
                out.extend(self.inject_to_server.take().unwrap_or_default());
            }
            self.c_to_s.extend_from_slice(&out);
            let mut moved = self.deliver_to_server(&out);
            let mut out = self.server.take_output();
            if out.ends_with(b"OK Begin TLS negotiation now\r\n") {
                out.extend(self.inject_to_client.take().unwrap_or_default());
            }
            self.s_to_c.extend_from_slice(&out);
            moved |= self.deliver_to_client(&out);
            if !moved {
                return;
            }
        }
    }

    fn completed(&self, h: Handle) -> Option<&String> {
        let prefix = format!("completed {} ", h.id());
        self.client_log.iter().find(|l| l.starts_with(&prefix))
    }
}

fn plain_server() -> ServerConfig {
    let cap = |s: &'static str| Capability::Other(Atom::new(s).unwrap());
    ServerConfig {
        allow_plaintext_auth: true,
        capabilities: vec![cap("MOVE"), cap("UIDPLUS"), cap("NAMESPACE"), cap("ID")],
        ..ServerConfig::default()
    }
}

fn plain_client() -> ClientConfig {
    ClientConfig {
        allow_plaintext_login: true,
        ..ClientConfig::default()
    }
}

/// Every flow, with `chunk` octets per delivery; returns (client→server bytes,
/// server→client bytes, client events, server log).
fn everything(chunk: usize) -> (String, String, Vec<String>, Vec<String>) {
    let mut p = Pair::new(
        ServerConfig {
            literals: LiteralSupport::SyncOnly,
            enable: vec![Atom::new("CONDSTORE").unwrap()],
            compress: true,
            ..plain_server()
        },
        plain_client(),
        false,
    );
    p.chunk = chunk;
    p.pump();
    let login = p.client.login("joe", "secret").unwrap();
    let enable = p.client.enable(&["CONDSTORE"]).unwrap();
    let select = p
        .client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    let message = b"Subject: hi\r\n\r\nhello\r\n";
    let append = p
        .client
        .send(CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: Some(vec![Flag::Seen]),
            date: None,
            message: Literal::new(&message[..]).unwrap(),
        })
        .unwrap();
    let fetch = p
        .client
        .send(CommandBody::Fetch {
            uid: false,
            sequence_set: SequenceSet::new("1:*").unwrap(),
            items: FetchItems::List(
                vec![
                    FetchAttribute::Uid,
                    FetchAttribute::BodySection {
                        peek: true,
                        section: Section::Full,
                        partial: None,
                    },
                ]
                .try_into()
                .unwrap(),
            ),
        })
        .unwrap();
    p.pump();
    for h in [login, select, append, fetch] {
        assert!(
            p.completed(h).unwrap().contains(" OK "),
            "{:?}",
            p.client_log
        );
    }
    assert!(p.client.is_enabled("CONDSTORE"));
    assert!(p.completed(enable).is_some());
    let idle = p.client.idle().unwrap();
    let noop = p.client.send(CommandBody::Noop).unwrap();
    p.pump();
    assert!(
        p.client_log
            .iter()
            .any(|l| l == &format!("idling {}", idle.id()))
    );
    assert!(p.completed(noop).is_none(), "NOOP waits until IDLE is over");
    p.client.idle_done().unwrap();
    p.pump();
    assert!(p.completed(idle).is_some());
    assert!(p.completed(noop).is_some());
    let mv = p
        .client
        .move_messages(
            false,
            &SequenceSet::new("1").unwrap(),
            &Mailbox::try_from("Trash").unwrap(),
        )
        .unwrap();
    p.pump();
    assert!(p.completed(mv).unwrap().contains("OK MOVE completed"));
    assert_eq!(p.store.trash.len(), 1);
    let compress = p.client.compress().unwrap();
    p.pump();
    assert!(p.client.is_compressed() && p.server.is_compressed());
    assert!(
        p.client_log
            .iter()
            .any(|l| l.starts_with(&format!("compress {}", compress.id())))
    );
    let logout = p.client.send(CommandBody::Logout).unwrap();
    p.pump();
    assert!(p.completed(logout).is_some());
    assert_eq!(p.client.state(), Some(State::Logout));
    assert_eq!(p.server.state(), State::Logout);
    (
        String::from_utf8_lossy(&p.c_to_s).into_owned(),
        String::from_utf8_lossy(&p.s_to_c).into_owned(),
        p.client_log,
        p.store.log,
    )
}

#[test]
fn every_flow_end_to_end() {
    let (c, s, log, _) = everything(usize::MAX);
    // The APPEND waited for the continuation: the literal came after `+`.
    assert!(c.contains("A4 APPEND INBOX (\\Seen) {22}\r\nSubject: hi\r\n\r\nhello\r\n\r\n"));
    assert!(s.contains("+ Ready for literal data\r\n"));
    assert!(s.contains("A4 OK [APPENDUID 7 1] APPEND completed\r\n"));
    // The fetched body came back as a literal and was delivered as data.
    assert!(s.contains("* 1 FETCH (UID 1 BODY[] {22}\r\nSubject: hi\r\n\r\nhello\r\n)\r\n"));
    assert!(log.iter().any(|l| l.contains("BODY[] {22}")));
    assert!(c.contains("A6 IDLE\r\nDONE\r\nA7 NOOP\r\n"), "{c}");
    assert!(s.contains("+ idling\r\n* 2 EXISTS\r\nA6 OK IDLE terminated\r\n"));
    assert!(c.contains("A8 MOVE 1 Trash\r\n"));
    assert!(s.contains("* 1 EXPUNGE\r\nA8 OK MOVE completed\r\n"));
    assert!(c.contains("A9 COMPRESS DEFLATE\r\n"));
    assert!(s.contains("* ENABLED CONDSTORE\r\n"));
}

#[test]
fn every_flow_is_the_same_one_byte_at_a_time() {
    assert_eq!(everything(1), everything(usize::MAX));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn every_flow_is_the_same_at_any_chunk_size(chunk in 1usize..64) {
        prop_assert_eq!(everything(chunk), everything(usize::MAX));
    }
}

#[test]
fn append_uses_literal_plus_when_offered() {
    let mut p = Pair::new(plain_server(), plain_client(), false);
    p.pump();
    assert!(p.client.has_capability("LITERAL+"));
    p.client.login("joe", "secret").unwrap();
    let h = p
        .client
        .send(CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: None,
            date: None,
            message: Literal::new(&b"hello"[..]).unwrap(),
        })
        .unwrap();
    p.pump();
    let c = String::from_utf8_lossy(&p.c_to_s).into_owned();
    let s = String::from_utf8_lossy(&p.s_to_c).into_owned();
    assert!(c.contains("A2 APPEND INBOX {5+}\r\nhello\r\n"));
    assert!(!s.contains("+ Ready"));
    assert!(p.completed(h).unwrap().contains("OK"));
    assert_eq!(p.store.inbox, [b"hello".to_vec()]);
}

#[test]
fn literal_refused_by_the_server_is_never_sent() {
    let mut p = Pair::new(
        ServerConfig {
            literals: LiteralSupport::SyncOnly,
            limits: Limits {
                max_literal: 10,
                ..Limits::SERVER
            },
            ..plain_server()
        },
        plain_client(),
        false,
    );
    p.pump();
    p.client.login("joe", "secret").unwrap();
    let big = p
        .client
        .send(CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: None,
            date: None,
            message: Literal::new(&b"far too big for the limit"[..]).unwrap(),
        })
        .unwrap();
    let next = p.client.send(CommandBody::Noop).unwrap();
    p.pump();
    assert!(p.completed(big).unwrap().contains("NO [TOOBIG]"));
    assert!(p.completed(next).unwrap().contains("OK"));
    let c = String::from_utf8_lossy(&p.c_to_s).into_owned();
    assert!(!c.contains("far too big"));
    assert!(p.store.inbox.is_empty());
}

#[test]
fn client_refuses_login_over_plaintext_and_when_logindisabled() {
    let mut p = Pair::new(ServerConfig::default(), ClientConfig::default(), false);
    p.pump();
    assert!(p.client.has_capability("LOGINDISABLED"));
    assert!(p.client.login("joe", "secret").is_err());
    assert!(
        p.client
            .authenticate(SaslClient::plain(None, "joe", "secret"))
            .is_err()
    );
    let mut p = Pair::new(ServerConfig::default(), plain_client(), false);
    p.pump();
    assert!(
        p.client.login("joe", "secret").is_err(),
        "LOGINDISABLED is respected"
    );
    assert!(p.c_to_s.is_empty());
}

#[test]
fn client_refuses_commands_not_allowed_in_the_state() {
    let mut p = Pair::new(plain_server(), plain_client(), false);
    p.pump();
    assert!(
        p.client
            .send(CommandBody::Select {
                mailbox: Mailbox::Inbox
            })
            .is_err()
    );
    p.client.login("joe", "secret").unwrap();
    assert!(p.client.send(CommandBody::Expunge).is_err());
    p.client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    p.client.send(CommandBody::Expunge).unwrap();
    assert!(p.client.login("joe", "secret").is_err());
}

#[test]
fn failed_login_returns_to_not_authenticated() {
    let mut p = Pair::new(plain_server(), plain_client(), false);
    p.pump();
    let h = p.client.login("joe", "wrong").unwrap();
    p.pump();
    assert!(p.completed(h).unwrap().contains("NO LOGIN failed"));
    assert_eq!(p.client.state(), Some(State::NotAuthenticated));
    assert_eq!(p.server.state(), State::NotAuthenticated);
    p.client.login("joe", "secret").unwrap();
    p.pump();
    assert_eq!(p.client.state(), Some(State::Authenticated));
}

fn authenticate_plain(sasl_ir: bool) -> (String, String) {
    let mut p = Pair::new(
        ServerConfig {
            sasl_ir,
            ..ServerConfig::default()
        },
        ClientConfig::default(),
        true,
    );
    p.pump();
    assert!(p.client.has_capability("AUTH=PLAIN"));
    assert_eq!(p.client.has_capability("SASL-IR"), sasl_ir);
    let h = p
        .client
        .authenticate(SaslClient::plain(None, "joe", "secret"))
        .unwrap();
    p.pump();
    assert!(p.completed(h).unwrap().contains("OK"), "{:?}", p.client_log);
    assert_eq!(p.client.state(), Some(State::Authenticated));
    assert_eq!(p.server.state(), State::Authenticated);
    // The OK carried the capabilities of the authenticated state.
    assert!(!p.client.has_capability("AUTH=PLAIN"));
    (
        String::from_utf8_lossy(&p.c_to_s).into_owned(),
        String::from_utf8_lossy(&p.s_to_c).into_owned(),
    )
}

#[test]
fn authenticate_plain_with_sasl_ir() {
    let (c, s) = authenticate_plain(true);
    assert_eq!(c, "A1 AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=\r\n");
    assert!(!s.contains("\r\n+ "));
}

#[test]
fn authenticate_plain_without_sasl_ir() {
    let (c, s) = authenticate_plain(false);
    assert_eq!(c, "A1 AUTHENTICATE PLAIN\r\nAGpvZQBzZWNyZXQ=\r\n");
    assert!(s.contains("\r\n+ \r\nA1 OK"));
}

#[test]
fn authenticate_with_wrong_password_fails() {
    let mut p = Pair::new(ServerConfig::default(), ClientConfig::default(), true);
    p.pump();
    let h = p
        .client
        .authenticate(SaslClient::plain(None, "joe", "nope"))
        .unwrap();
    p.pump();
    assert!(p.completed(h).unwrap().contains("NO"));
    assert_eq!(p.client.state(), Some(State::NotAuthenticated));
}

#[test]
fn starttls_discards_injected_bytes_on_both_sides_then_authenticates() {
    let mut p = Pair::new(ServerConfig::default(), ClientConfig::default(), false);
    p.inject_to_server = Some(b"X1 LOGIN joe secret\r\n".to_vec());
    p.inject_to_client = Some(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n".to_vec());
    p.pump();
    assert!(p.client.has_capability("STARTTLS"));
    let tls = p.client.starttls().unwrap();
    // Queued behind STARTTLS: goes out only once TLS is up.
    let caps = p.client.send(CommandBody::Capability).unwrap();
    p.pump();
    assert!(p.client.is_tls() && p.server.is_tls());
    assert_eq!(p.server.discarded_plaintext(), 21);
    assert!(p.store.log.contains(&"S starttls discarded 21".to_string()));
    assert!(
        p.client_log
            .contains(&format!("starttls {} discarded 49", tls.id()))
    );
    assert!(
        !p.store.log.iter().any(|l| l == "S LOGIN"),
        "injected LOGIN never read"
    );
    assert!(p.completed(caps).is_some());
    assert!(!p.client.has_capability("STARTTLS"));
    assert!(!p.client.has_capability("LOGINDISABLED"));
    assert!(p.client.has_capability("AUTH=PLAIN"));
    let h = p
        .client
        .authenticate(SaslClient::plain(None, "joe", "secret"))
        .unwrap();
    p.pump();
    assert!(p.completed(h).unwrap().contains("OK"));
    assert_eq!(p.server.state(), State::Authenticated);
}

#[test]
fn untagged_data_is_delivered_while_a_command_runs() {
    let mut p = Pair::new(plain_server(), plain_client(), false);
    p.pump();
    p.client.login("joe", "secret").unwrap();
    let h = p
        .client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    p.pump();
    let i = p
        .client_log
        .iter()
        .position(|l| l.starts_with(&format!("completed {}", h.id())))
        .unwrap();
    assert_eq!(p.client_log[i - 3], "data * FLAGS (\\Seen \\Deleted)");
    assert_eq!(p.client_log[i - 2], "data * 0 EXISTS");
    assert_eq!(
        p.client_log[i - 1],
        "status * OK [UIDVALIDITY 7] UIDs valid"
    );
    assert_eq!(p.client.state(), Some(State::Selected { read_only: false }));
    assert_eq!(p.server.state(), State::Selected { read_only: false });
}

/// RFC 3501 §8: the server's bytes are the RFC's; the client's are the RFC's with the
/// command names in upper case (commands are case-insensitive, §9 note 3).
fn rfc3501_sample(chunk: usize) -> (String, String) {
    const FULL: &[u8] = b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n";
    const HEADER: &str = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";
    let decode = |b: &'static [u8]| match Response::decode(b).unwrap() {
        Decoded::Complete {
            value: Response::Data(d),
            ..
        } => d,
        other => panic!("{other:?}"),
    };
    let header_line = format!(
        "* 12 FETCH (BODY[HEADER] {{{}}}\r\n{HEADER})\r\n",
        HEADER.len()
    );
    let header_line: &'static [u8] = Box::leak(header_line.into_bytes().into_boxed_slice());
    let mut s = Server::new(
        ServerConfig {
            capability_codes: false,
            bye_text: "IMAP4rev1 server terminating connection".into(),
            allow_plaintext_auth: true,
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    let mut c = Client::new(
        ClientConfig {
            tag_prefix: "a".into(),
            tag_width: 3,
            allow_plaintext_login: true,
            ..ClientConfig::default()
        },
        false,
    );
    let (mut c_bytes, mut s_bytes) = (Vec::new(), Vec::new());
    c.login("mrc", "secret").unwrap();
    c.send(CommandBody::Select {
        mailbox: Mailbox::try_from("inbox").unwrap(),
    })
    .unwrap();
    c.send(CommandBody::Fetch {
        uid: false,
        sequence_set: SequenceSet::new("12").unwrap(),
        items: FetchItems::Macro(FetchMacro::Full),
    })
    .unwrap();
    c.send(CommandBody::Fetch {
        uid: false,
        sequence_set: SequenceSet::new("12").unwrap(),
        items: FetchItems::Single(FetchAttribute::BodySection {
            peek: false,
            section: Section::Msg(MsgText::Header),
            partial: None,
        }),
    })
    .unwrap();
    c.send(CommandBody::Store {
        uid: false,
        sequence_set: SequenceSet::new("12").unwrap(),
        action: StoreAction::Add,
        silent: false,
        flags: StoreFlags::Bare(Vec1::one(Flag::Deleted)),
    })
    .unwrap();
    c.send(CommandBody::Logout).unwrap();
    let mut events = Vec::new();
    for _ in 0..10 {
        let out = c.take_output();
        c_bytes.extend_from_slice(&out);
        for piece in out.chunks(chunk) {
            s.receive(piece);
            while let Some(ev) = s.next_event().unwrap() {
                let server::Event::Command(cmd) = ev else {
                    continue;
                };
                match cmd.body.name() {
                    "LOGIN" => s.ok(None, "LOGIN completed").unwrap(),
                    "SELECT" => {
                        s.data(&Data::Exists(18)).unwrap();
                        s.data(&Data::Flags(vec![
                            Flag::Answered,
                            Flag::Flagged,
                            Flag::Deleted,
                            Flag::Seen,
                            Flag::Draft,
                        ]))
                        .unwrap();
                        s.data(&Data::Recent(2)).unwrap();
                        s.untagged(
                            StatusKind::Ok,
                            Some(Code::Unseen(nz(17))),
                            "Message 17 is the first unseen message",
                        )
                        .unwrap();
                        s.untagged(
                            StatusKind::Ok,
                            Some(Code::UidValidity(nz(3857529045))),
                            "UIDs valid",
                        )
                        .unwrap();
                        s.ok(Some(Code::ReadWrite), "SELECT completed").unwrap();
                    }
                    "FETCH" => {
                        let data = if matches!(
                            cmd.body,
                            CommandBody::Fetch {
                                items: FetchItems::Macro(_),
                                ..
                            }
                        ) {
                            decode(FULL)
                        } else {
                            decode(header_line)
                        };
                        s.data(&data).unwrap();
                        s.ok(None, "FETCH completed").unwrap();
                    }
                    "STORE" => {
                        s.data(&decode(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n"))
                            .unwrap();
                        s.ok(None, "+FLAGS completed").unwrap();
                    }
                    other => panic!("{other}"),
                }
            }
        }
        let out = s.take_output();
        s_bytes.extend_from_slice(&out);
        for piece in out.chunks(chunk) {
            c.receive(piece);
            while let Some(ev) = c.next_event().unwrap() {
                events.push(event_string(&ev));
            }
        }
    }
    assert_eq!(c.state(), Some(State::Logout));
    assert_eq!(c.in_flight(), 0);
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("data * 12 FETCH (BODY[HEADER] {342}"))
    );
    (
        String::from_utf8(c_bytes).unwrap(),
        String::from_utf8(s_bytes).unwrap(),
    )
}

#[test]
fn rfc3501_section_8_sample_dialog() {
    let (c, s) = rfc3501_sample(usize::MAX);
    assert_eq!(
        c,
        "a001 LOGIN mrc secret\r\na002 SELECT INBOX\r\na003 FETCH 12 FULL\r\n\
         a004 FETCH 12 BODY[HEADER]\r\na005 STORE 12 +FLAGS \\Deleted\r\na006 LOGOUT\r\n"
    );
    let expected = format!(
        "* OK IMAP4rev1 Service Ready\r\n\
         a001 OK LOGIN completed\r\n\
         * 18 EXISTS\r\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * 2 RECENT\r\n\
         * OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
         a002 OK [READ-WRITE] SELECT completed\r\n\
         {}\
         a003 OK FETCH completed\r\n\
         * 12 FETCH (BODY[HEADER] {{342}}\r\n\
         Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
         From: Terry Gray <gray@cac.washington.edu>\r\n\
         Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
         To: imap@cac.washington.edu\r\n\
         cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
         Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
         \r\n\
         )\r\n\
         a004 OK FETCH completed\r\n\
         * 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
         a005 OK +FLAGS completed\r\n\
         * BYE IMAP4rev1 server terminating connection\r\n\
         a006 OK LOGOUT completed\r\n",
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"
    );
    assert_eq!(s, expected);
}

#[test]
fn rfc3501_section_8_sample_dialog_one_byte_at_a_time() {
    assert_eq!(rfc3501_sample(1), rfc3501_sample(usize::MAX));
}

#[test]
fn uid_move_end_to_end() {
    let mut p = Pair::new(plain_server(), plain_client(), false);
    p.store.inbox = vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()];
    p.pump();
    p.client.login("joe", "secret").unwrap();
    p.client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    let h = p
        .client
        .move_messages(
            true,
            &SequenceSet::new("2:3").unwrap(),
            &Mailbox::try_from("Trash").unwrap(),
        )
        .unwrap();
    p.pump();
    let c = String::from_utf8_lossy(&p.c_to_s).into_owned();
    assert!(c.contains("A3 UID MOVE 2:3 Trash\r\n"));
    assert!(p.completed(h).unwrap().contains("OK MOVE completed"));
    assert_eq!(p.store.inbox, [b"a".to_vec()]);
    assert_eq!(p.store.trash.len(), 2);
}

/// RFC 7162 §3.2.5.1: QRESYNC resynchronization. The client sends the typed QRESYNC
/// SELECT after ENABLE QRESYNC, the server decodes it typed, and both change state as for
/// a plain SELECT.
#[test]
fn qresync_resync_rfc7162_example() {
    const SERVER: &[&str] = &[
        "* 100 EXISTS\r\n",
        "* 11 RECENT\r\n",
        "* OK [UIDVALIDITY 67890007] UIDVALIDITY\r\n",
        "* OK [UIDNEXT 600] Predicted next UID\r\n",
        "* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence\r\n",
        "* OK [UNSEEN 7] There are some unseen messages in the mailbox\r\n",
        "* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)] Permanent flags\r\n",
        "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n",
        "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n",
        "* 50 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))\r\n",
        "* 51 FETCH (UID 541 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045001))\r\n",
    ];
    for chunk in [usize::MAX, 1] {
        let mut s = Server::new(
            ServerConfig {
                preauth: true,
                enable: vec![Atom::new("QRESYNC").unwrap()],
                ..ServerConfig::default()
            },
            false,
            "x",
        )
        .unwrap();
        let mut c = Client::new(
            ClientConfig {
                tag_prefix: "A".into(),
                tag_width: 2,
                ..ClientConfig::default()
            },
            false,
        );
        let mut s_out = s.take_output();
        c.receive(&s_out);
        assert!(matches!(
            c.next_event().unwrap(),
            Some(client::Event::Greeting(_))
        ));
        // QRESYNC must be enabled first (RFC 7162 §3.2.3): the client refuses before.
        let known = SequenceSet::new("41:211,214:541").unwrap();
        let uidvalidity = nz(67890007);
        assert!(
            c.select_qresync(
                &Mailbox::Inbox,
                false,
                uidvalidity,
                90060115194045000,
                Some(&known)
            )
            .is_err()
        );
        c.enable(&["QRESYNC"]).unwrap();
        let select = c
            .select_qresync(
                &Mailbox::Inbox,
                false,
                uidvalidity,
                90060115194045000,
                Some(&known),
            )
            .unwrap();
        let mut events = Vec::new();
        for _ in 0..4 {
            for piece in c.take_output().chunks(chunk) {
                s.receive(piece);
                while let Some(ev) = s.next_event().unwrap() {
                    let server::Event::Command(cmd) = ev else {
                        continue;
                    };
                    let CommandBody::SelectExt {
                        examine: false,
                        mailbox: Mailbox::Inbox,
                        parameters,
                    } = &cmd.body
                    else {
                        panic!("{cmd:?}")
                    };
                    let [SelectParam::Qresync(q)] = parameters.as_slice() else {
                        panic!("{parameters:?}")
                    };
                    assert_eq!(q.modseq.get(), 90060115194045000);
                    assert_eq!(q.known_uids.as_ref().unwrap().as_str(), "41:211,214:541");
                    for line in SERVER {
                        match Response::decode(line.as_bytes()).unwrap() {
                            Decoded::Complete {
                                value: Response::Data(d),
                                ..
                            } => s.data(&d).unwrap(),
                            Decoded::Complete {
                                value: Response::Status(st),
                                ..
                            } => s.untagged(st.kind, st.code, st.text.as_str()).unwrap(),
                            other => panic!("{other:?}"),
                        }
                    }
                    s.ok(Some(Code::ReadWrite), "mailbox selected").unwrap();
                }
            }
            let out = s.take_output();
            s_out.extend_from_slice(&out);
            for piece in out.chunks(chunk) {
                c.receive(piece);
                while let Some(ev) = c.next_event().unwrap() {
                    events.push(event_string(&ev));
                }
            }
        }
        let s_out = String::from_utf8(s_out).unwrap();
        let expected = format!(
            "{}A02 OK [READ-WRITE] mailbox selected\r\n",
            SERVER.concat()
        );
        assert!(s_out.ends_with(&expected), "{s_out}");
        assert!(s_out.contains("* ENABLED QRESYNC CONDSTORE\r\nA01 OK ENABLE completed\r\n"));
        assert!(c.is_enabled("QRESYNC"));
        assert_eq!(s.state(), State::Selected { read_only: false });
        assert_eq!(c.state(), Some(State::Selected { read_only: false }));
        assert!(events.contains(&"data * VANISHED (EARLIER) 41,43:116,118,120:211,214:540".into()));
        assert!(events.contains(
            &"status * OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence".into()
        ));
        assert!(events.iter().any(|e| e.contains(
            "* 51 FETCH (UID 541 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045001))"
        )));
        assert!(
            events
                .last()
                .unwrap()
                .starts_with(&format!("completed {} A02 OK", select.id()))
        );
    }
}

/// One step a client application may take.
fn step(p: &mut Pair, op: u8) -> Option<Handle> {
    let c = &mut p.client;
    let r = match op % 16 {
        0 => c.login("joe", "secret"),
        1 => c.login("joe", "wrong"),
        2 => c.send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        }),
        3 => c.send(CommandBody::Examine {
            mailbox: Mailbox::Inbox,
        }),
        4 => c.send(CommandBody::Select {
            mailbox: Mailbox::try_from("missing").unwrap(),
        }),
        5 => c.send(CommandBody::Fetch {
            uid: false,
            sequence_set: SequenceSet::new("1:*").unwrap(),
            items: FetchItems::Macro(FetchMacro::Fast),
        }),
        6 => c.send(CommandBody::Append {
            mailbox: Mailbox::Inbox,
            flags: None,
            date: None,
            message: Literal::new(&b"Subject: p\r\n\r\nproperty\r\n"[..]).unwrap(),
        }),
        7 => c.send(CommandBody::Noop),
        8 => c.idle(),
        9 => c.move_messages(
            op & 16 != 0,
            &SequenceSet::new("1").unwrap(),
            &Mailbox::try_from("Trash").unwrap(),
        ),
        10 => c.send(CommandBody::Close),
        11 => c.enable(&["CONDSTORE"]),
        12 => c.authenticate(SaslClient::plain(None, "joe", "secret")),
        13 => c.send(CommandBody::Create {
            mailbox: Mailbox::try_from("Box").unwrap(),
        }),
        14 => c.send(CommandBody::Logout),
        _ => c.send(CommandBody::Capability),
    };
    r.ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whatever the application does, every command the client accepted is completed,
    /// nothing arrives that the client cannot place, and both machines agree on the state.
    #[test]
    fn random_sessions_complete_every_command_and_agree_on_state(
        ops in proptest::collection::vec(any::<u8>(), 1..30),
        literal_plus in any::<bool>(),
        chunk in prop_oneof![Just(1usize), Just(7), Just(usize::MAX)],
    ) {
        let mut p = Pair::new(
            ServerConfig {
                literals: if literal_plus { LiteralSupport::LiteralPlus } else { LiteralSupport::SyncOnly },
                enable: vec![Atom::new("CONDSTORE").unwrap()],
                ..plain_server()
            },
            plain_client(),
            false,
        );
        p.chunk = chunk;
        p.pump();
        let mut handles = Vec::new();
        for &op in &ops {
            if let Some(h) = step(&mut p, op) {
                handles.push(h);
            }
            // Sometimes let the exchange run before the next step.
            if op & 32 != 0 {
                p.pump();
            }
            if p.client_log.iter().any(|l| l.starts_with("idling")) {
                let _ = p.client.idle_done();
            }
        }
        for _ in 0..4 {
            p.pump();
            let _ = p.client.idle_done();
        }
        p.pump();
        for h in &handles {
            prop_assert!(p.completed(*h).is_some(), "{:?} not completed: {:#?}", h, p.client_log);
        }
        prop_assert_eq!(p.client.in_flight(), 0);
        prop_assert!(!p.client_log.iter().any(|l| l.starts_with("continue")), "{:#?}", p.client_log);
        prop_assert_eq!(p.client.state(), Some(p.server.state()));
    }
}

#[test]
fn id_namespace_unselect_and_uid_expunge() {
    let mut p = Pair::new(plain_server(), plain_client(), false);
    p.pump();
    let id = p
        .client
        .id(&[("name", "imap-proto"), ("version", "0.1 \"beta\"")])
        .unwrap();
    p.client.login("joe", "secret").unwrap();
    let ns = p.client.namespace().unwrap();
    p.client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    let ux = p
        .client
        .uid_expunge(&SequenceSet::new("3:5").unwrap())
        .unwrap();
    let un = p.client.unselect().unwrap();
    assert!(
        p.client
            .uid_expunge(&SequenceSet::new("1").unwrap())
            .is_err()
    );
    p.pump();
    let c = String::from_utf8_lossy(&p.c_to_s).into_owned();
    assert!(
        c.starts_with("A1 ID (\"name\" \"imap-proto\" \"version\" \"0.1 \\\"beta\\\"\")\r\n"),
        "{c}"
    );
    assert!(c.contains("A3 NAMESPACE\r\n") && c.contains("A5 UID EXPUNGE 3:5\r\nA6 UNSELECT\r\n"));
    for h in [id, ns, ux, un] {
        assert!(p.completed(h).unwrap().contains(" OK "));
    }
    assert!(
        p.client_log
            .contains(&"data * NAMESPACE ((\"\" \"/\")) NIL NIL".to_string())
    );
    assert!(
        p.client_log
            .contains(&"data * ID (\"name\" \"imap-proto test\")".to_string())
    );
    assert!(p.store.log.contains(&"S UID EXPUNGE 3:5".to_string()));
    assert_eq!(p.client.state(), Some(State::Authenticated));
    assert_eq!(p.server.state(), State::Authenticated);
    assert!(p.client.id(&[("bad", "line\r\nbreak")]).is_err());
}

#[test]
fn authenticate_login_and_cram_md5_multi_step_exchanges() {
    for (sasl, mech) in [
        (
            SaslClient::login("joe", "secret"),
            mail_common::sasl::Mechanism::Login,
        ),
        (
            SaslClient::cram_md5("joe", "secret"),
            mail_common::sasl::Mechanism::CramMd5,
        ),
    ] {
        let mut p = Pair::new(
            ServerConfig {
                mechanisms: vec![mech.clone()],
                ..ServerConfig::default()
            },
            ClientConfig::default(),
            true,
        );
        p.chunk = 3;
        p.pump();
        assert!(p.client.has_capability(&format!("AUTH={}", mech.as_str())));
        let h = p.client.authenticate(sasl).unwrap();
        p.pump();
        assert!(
            p.completed(h).unwrap().contains(" OK "),
            "{:?}",
            p.client_log
        );
        assert_eq!(p.server.state(), State::Authenticated);
        let c = String::from_utf8_lossy(&p.c_to_s).into_owned();
        // No SASL-IR for server-first mechanisms: the exchange runs over `+` lines.
        assert!(
            c.starts_with(&format!("A1 AUTHENTICATE {}\r\n", mech.as_str())),
            "{c}"
        );
        assert!(c.lines().count() >= 2, "{c}");
    }
}

#[test]
fn refused_connection_greets_with_bye() {
    let mut s = Server::refuse("Too many connections, try later").unwrap();
    assert_eq!(s.transmit(), b"* BYE Too many connections, try later\r\n");
    assert!(s.is_closed());
    s.receive(b"a1 LOGIN joe secret\r\n");
    assert!(s.next_event().unwrap().is_none());
    let mut c = Client::new(plain_client(), false);
    c.receive(s.transmit());
    let Some(client::Event::Greeting(g)) = c.next_event().unwrap() else {
        panic!()
    };
    assert_eq!(g.kind, StatusKind::Bye);
    assert_eq!(c.state(), Some(State::Logout));
    assert!(c.login("joe", "secret").is_err());
}
