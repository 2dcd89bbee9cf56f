//! The client and server machines talk to each other through the extension flows: MOVE,
//! UID EXPUNGE, CONDSTORE SELECT / FETCH / STORE, ENABLE and QRESYNC SELECT, IDLE,
//! UNSELECT; each run whole and one octet at a time.

use std::num::NonZeroU32;

use imap_proto::client::{self, Client, ClientConfig, Handle};
use imap_proto::server::{Event, Server, ServerConfig, State};
use imap_proto::*;

/// The server application: answers each detached event, logging what it saw.
type App = fn(&mut Server, Event<'static>, &mut Vec<String>);

struct Pair {
    client: Client,
    server: Server,
    app: App,
    chunk: usize,
    server_log: Vec<String>,
    client_log: Vec<String>,
    c_to_s: Vec<u8>,
}

fn detach(ev: Event<'_>) -> Event<'static> {
    match ev {
        Event::Command(c) => Event::Command(c.into_owned()),
        Event::Idle => Event::Idle,
        Event::IdleDone => Event::IdleDone,
        Event::Enabled(v) => Event::Enabled(v),
        Event::Logout => Event::Logout,
        other => panic!("unexpected {other:?}"),
    }
}

fn cap(s: &'static str) -> Capability<'static> {
    Capability::Other(Atom::new(s).unwrap())
}

impl Pair {
    fn new(config: ServerConfig, app: App, chunk: usize) -> Pair {
        let mut p = Pair {
            client: Client::new(ClientConfig::default(), true),
            server: Server::new(
                ServerConfig {
                    preauth: true,
                    ..config
                },
                true,
                "x",
            )
            .unwrap(),
            app,
            chunk,
            server_log: Vec::new(),
            client_log: Vec::new(),
            c_to_s: Vec::new(),
        };
        p.pump();
        p
    }

    fn pump(&mut self) {
        loop {
            let out = self.client.take_output();
            self.c_to_s.extend_from_slice(&out);
            let mut moved = !out.is_empty();
            for piece in out.chunks(self.chunk) {
                self.server.receive(piece);
                while let Some(ev) = self.server.next_event().unwrap() {
                    let ev = detach(ev);
                    (self.app)(&mut self.server, ev, &mut self.server_log);
                }
            }
            let out = self.server.take_output();
            moved |= !out.is_empty();
            for piece in out.chunks(self.chunk) {
                self.client.receive(piece);
                while let Some(ev) = self.client.next_event().unwrap() {
                    self.client_log.push(match ev {
                        client::Event::Completed { handle, status } => {
                            format!("completed {} {:?}", handle.id(), status.kind)
                        }
                        client::Event::Idling { handle } => format!("idling {}", handle.id()),
                        client::Event::Data(d) => {
                            format!("data {}", String::from_utf8_lossy(&d.to_vec_data()))
                        }
                        other => format!("{other:?}"),
                    });
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn status(&self, h: Handle) -> Option<&str> {
        let prefix = format!("completed {} ", h.id());
        self.client_log
            .iter()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
    }
}

/// `Data` as its wire form, for the logs.
trait WireData {
    fn to_vec_data(&self) -> Vec<u8>;
}

impl WireData for Data<'_> {
    fn to_vec_data(&self) -> Vec<u8> {
        Response::Data(self.clone()).to_vec()
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn seq(s: &str) -> SequenceSet<'static> {
    SequenceSet::new(s.to_owned()).unwrap()
}

/// Answers every command OK, logging it (with what matters of the extension ones).
fn app(s: &mut Server, ev: Event<'static>, log: &mut Vec<String>) {
    match ev {
        Event::Command(c) => {
            let line = match &c.body {
                CommandBody::Move {
                    uid,
                    sequence_set,
                    mailbox,
                } => format!(
                    "MOVE uid={uid} {} {}",
                    sequence_set.as_str(),
                    String::from_utf8_lossy(mailbox.as_bytes())
                ),
                CommandBody::UidExpunge { sequence_set } => {
                    format!("UID EXPUNGE {}", sequence_set.as_str())
                }
                CommandBody::SelectExt { parameters, .. } => format!("SELECT {parameters:?}"),
                CommandBody::FetchExt { modifiers, .. } => format!("FETCH {modifiers:?}"),
                CommandBody::StoreExt { modifiers, .. } => format!("STORE {modifiers:?}"),
                other => other.name().to_owned(),
            };
            log.push(line);
            let code = match c.body {
                CommandBody::Select { .. } | CommandBody::SelectExt { .. } => Some(Code::ReadWrite),
                _ => None,
            };
            s.ok(code, "done").unwrap();
        }
        Event::Idle => {
            log.push("idle".into());
            s.data(&Data::Exists(4)).unwrap();
        }
        Event::IdleDone => {
            log.push("done".into());
            s.ok(None, "IDLE terminated").unwrap();
        }
        Event::Enabled(v) => {
            let names: Vec<&str> = v.iter().map(Atom::as_str).collect();
            log.push(format!("enabled {}", names.join(" ")));
        }
        other => panic!("{other:?}"),
    }
}

fn select_inbox(p: &mut Pair) {
    let h = p
        .client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
        })
        .unwrap();
    p.pump();
    assert_eq!(p.status(h), Some("Ok"));
}

/// RFC 6851 §3.3 and RFC 4315 §2.1: UID MOVE and UID EXPUNGE go out typed when the
/// server advertises MOVE and UIDPLUS, reach the server application typed, and are
/// refused by the client when not advertised.
#[test]
fn move_and_uid_expunge_typed_end_to_end() {
    for chunk in [usize::MAX, 1] {
        let config = ServerConfig {
            capabilities: vec![cap("MOVE"), cap("UIDPLUS")],
            ..ServerConfig::default()
        };
        let mut p = Pair::new(config, app, chunk);
        select_inbox(&mut p);
        let mv = p
            .client
            .move_messages(true, &seq("42:69"), &Mailbox::try_from("foo").unwrap())
            .unwrap();
        let ux = p.client.uid_expunge(&seq("3000:3002")).unwrap();
        p.pump();
        assert_eq!(p.status(mv), Some("Ok"));
        assert_eq!(p.status(ux), Some("Ok"));
        assert_eq!(
            p.server_log,
            ["SELECT", "MOVE uid=true 42:69 foo", "UID EXPUNGE 3000:3002"]
        );
        let sent = String::from_utf8(p.c_to_s.clone()).unwrap();
        assert!(sent.ends_with("A2 UID MOVE 42:69 foo\r\nA3 UID EXPUNGE 3000:3002\r\n"));
    }
    // Without MOVE / UIDPLUS (RFC 6851 §3.3, RFC 4315 §3) the client refuses.
    let mut p = Pair::new(ServerConfig::default(), app, usize::MAX);
    select_inbox(&mut p);
    assert!(
        p.client
            .move_messages(false, &seq("1"), &Mailbox::Inbox)
            .is_err()
    );
    assert!(p.client.uid_expunge(&seq("1")).is_err());
    assert!(p.client.take_output().is_empty());
    // IMAP4rev2 includes both (RFC 9051 §6.4.8, §6.4.9).
    let config = ServerConfig {
        capabilities: vec![cap("IMAP4rev2")],
        ..ServerConfig::default()
    };
    let mut p = Pair::new(config, app, usize::MAX);
    select_inbox(&mut p);
    assert!(p.client.uid_expunge(&seq("1")).is_ok());
}

/// RFC 7162 §3.1: SELECT (CONDSTORE), FETCH (CHANGEDSINCE), STORE (UNCHANGEDSINCE); the
/// first CONDSTORE enabling command turns CONDSTORE on at both ends.
#[test]
fn condstore_select_fetch_store() {
    for chunk in [usize::MAX, 1] {
        let config = ServerConfig {
            capabilities: vec![cap("CONDSTORE")],
            ..ServerConfig::default()
        };
        let mut p = Pair::new(config, app, chunk);
        assert!(!p.server.is_enabled("CONDSTORE"));
        let sel = p.client.select_condstore(&Mailbox::Inbox, false).unwrap();
        p.pump();
        assert_eq!(p.status(sel), Some("Ok"));
        assert!(p.server.is_enabled("CONDSTORE"));
        assert!(p.client.is_enabled("CONDSTORE"));
        assert_eq!(p.client.state(), Some(State::Selected { read_only: false }));
        let f = p
            .client
            .fetch_changed_since(
                &seq("1:*"),
                FetchItems::List(Vec1::one(FetchAttribute::Flags)),
                12345,
                false,
            )
            .unwrap();
        let st = p
            .client
            .store_unchanged_since(
                &seq("6,4,8"),
                12121230045,
                StoreAction::Add,
                vec![Flag::Deleted],
            )
            .unwrap();
        p.pump();
        assert_eq!(p.status(f), Some("Ok"));
        assert_eq!(p.status(st), Some("Ok"));
        let sent = String::from_utf8(p.c_to_s.clone()).unwrap();
        assert!(
            sent.ends_with(
                "A1 SELECT INBOX (CONDSTORE)\r\nA2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n\
                 A3 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS (\\Deleted)\r\n"
            ),
            "{sent}"
        );
        assert_eq!(p.server_log.len(), 3);
        assert!(p.server_log[1].contains("ChangedSince"));
        assert!(p.server_log[2].contains("UnchangedSince"));
    }
}

/// RFC 7162 §3.2.3, §3.2.5, §3.2.6: QRESYNC needs ENABLE first at both ends; ENABLE
/// QRESYNC implies CONDSTORE; the VANISHED modifier only with UID FETCH and CHANGEDSINCE.
#[test]
fn qresync_needs_enable_then_resyncs() {
    for chunk in [usize::MAX, 1] {
        let config = ServerConfig {
            enable: vec![Atom::new("QRESYNC").unwrap()],
            ..ServerConfig::default()
        };
        let mut p = Pair::new(config, app, chunk);
        // A QRESYNC server does CONDSTORE too: a CONDSTORE enabling command turns it on.
        p.server.receive(b"x0 STATUS INBOX (HIGHESTMODSEQ)\r\n");
        let ev = p.server.next_event().unwrap().map(detach).unwrap();
        app(&mut p.server, ev, &mut p.server_log);
        assert!(p.server.is_enabled("CONDSTORE") && !p.server.is_enabled("QRESYNC"));
        p.server.take_output();
        p.server_log.clear();
        // The server refuses a QRESYNC SELECT before ENABLE (the client would not send it).
        p.server
            .receive(b"x1 SELECT INBOX (QRESYNC (67890007 90060115194045000))\r\n");
        assert!(p.server.next_event().unwrap().is_none());
        let out = String::from_utf8(p.server.take_output()).unwrap();
        assert_eq!(out, "x1 BAD QRESYNC must be enabled first\r\n");
        let known = seq("41:211,214:541");
        assert!(
            p.client
                .select_qresync(
                    &Mailbox::Inbox,
                    false,
                    nz(67890007),
                    90060115194045000,
                    Some(&known)
                )
                .is_err()
        );
        let en = p.client.enable(&["QRESYNC"]).unwrap();
        // Pipelined behind the ENABLE, as in RFC 7162 §3.2.5.1.
        let sel = p
            .client
            .select_qresync(
                &Mailbox::Inbox,
                false,
                nz(67890007),
                90060115194045000,
                Some(&known),
            )
            .unwrap();
        p.pump();
        assert_eq!(p.status(en), Some("Ok"));
        assert_eq!(p.status(sel), Some("Ok"));
        assert!(p.client.is_enabled("QRESYNC") && p.client.is_enabled("CONDSTORE"));
        assert!(p.server.is_enabled("QRESYNC") && p.server.is_enabled("CONDSTORE"));
        // CONDSTORE was on already (the STATUS above), so only QRESYNC is newly enabled.
        assert_eq!(p.server_log[0], "enabled QRESYNC");
        assert!(p.server_log[1].contains("Qresync(Qresync { uidvalidity: 67890007"));
        let f = p
            .client
            .fetch_changed_since(
                &seq("300:500"),
                FetchItems::List(Vec1::one(FetchAttribute::Flags)),
                12345,
                true,
            )
            .unwrap();
        p.pump();
        assert_eq!(p.status(f), Some("Ok"));
        assert!(
            String::from_utf8_lossy(&p.c_to_s)
                .ends_with("A3 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n")
        );
        // VANISHED outside UID FETCH is refused by the server.
        p.server
            .receive(b"x2 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n");
        assert!(p.server.next_event().unwrap().is_none());
        let out = String::from_utf8(p.server.take_output()).unwrap();
        assert_eq!(out, "x2 BAD VANISHED needs UID FETCH with CHANGEDSINCE\r\n");
    }
}

/// RFC 5161 §3.1: ENABLE only in the authenticated state and only when advertised; RFC
/// 9051 §6.3.1: `ENABLE IMAP4rev2`.
#[test]
fn enable_rules_and_imap4rev2() {
    let config = ServerConfig {
        enable: vec![Atom::new("IMAP4rev2").unwrap()],
        ..ServerConfig::default()
    };
    let mut p = Pair::new(config, app, usize::MAX);
    // Before rev2 is enabled a UTF-8 quoted string is refused (RFC 3501 QUOTED-CHAR)...
    p.server
        .receive("x1 STATUS \"Entwürfe\" (MESSAGES)\r\n".as_bytes());
    assert!(p.server.next_event().unwrap().is_none());
    assert!(p.server.take_output().starts_with(b"x1 BAD"));
    let en = p.client.enable(&["IMAP4rev2"]).unwrap();
    p.pump();
    assert_eq!(p.status(en), Some("Ok"));
    assert!(p.client.is_enabled("IMAP4rev2") && p.server.is_enabled("IMAP4rev2"));
    // ...and taken after, in both directions (RFC 9051 §9 QUOTED-CHAR).
    p.server
        .receive("x2 STATUS \"Entwürfe\" (MESSAGES)\r\n".as_bytes());
    assert!(matches!(
        p.server.next_event().unwrap(),
        Some(Event::Command(Command {
            body: CommandBody::Status { .. },
            ..
        }))
    ));
    p.server.ok(None, "done").unwrap();
    p.server.take_output();
    p.client
        .receive("* LIST () \"/\" \"Entwürfe\"\r\n".as_bytes());
    assert!(matches!(
        p.client.next_event(),
        Ok(Some(client::Event::Data(Data::List { .. })))
    ));
    select_inbox(&mut p);
    assert!(p.client.enable(&["IMAP4rev2"]).is_err(), "selected state");
    p.server.receive(b"x ENABLE CONDSTORE\r\n");
    assert!(p.server.next_event().unwrap().is_none());
    assert_eq!(
        p.server.take_output(),
        b"x BAD Command only valid in the authenticated state\r\n"
    );
    // A server that does not advertise ENABLE: the client refuses.
    let mut p = Pair::new(ServerConfig::default(), app, usize::MAX);
    assert!(p.client.enable(&["CONDSTORE"]).is_err());
}

/// RFC 2177 §3 (IDLE) and RFC 3691 §2 (UNSELECT): typed IDLE with an update while idling;
/// UNSELECT returns both machines to the authenticated state without EXPUNGE.
#[test]
fn idle_and_unselect() {
    for chunk in [usize::MAX, 1] {
        let mut p = Pair::new(ServerConfig::default(), app, chunk);
        select_inbox(&mut p);
        let idle = p.client.idle().unwrap();
        p.pump();
        assert!(p.client_log.contains(&format!("idling {}", idle.id())));
        assert!(p.client_log.contains(&"data * 4 EXISTS\r\n".to_string()));
        p.client.idle_done().unwrap();
        p.pump();
        assert_eq!(p.status(idle), Some("Ok"));
        let un = p.client.unselect().unwrap();
        p.pump();
        assert_eq!(p.status(un), Some("Ok"));
        assert_eq!(p.client.state(), Some(State::Authenticated));
        assert_eq!(p.server.state(), State::Authenticated);
        assert_eq!(p.server_log, ["SELECT", "idle", "done", "UNSELECT"]);
        assert!(String::from_utf8_lossy(&p.c_to_s).ends_with("A2 IDLE\r\nDONE\r\nA3 UNSELECT\r\n"));
        // MOVE, UNSELECT, SORT and THREAD only in the selected state (RFC 3501 §3).
        assert!(p.client.unselect().is_err());
        p.server
            .receive(b"x UNSELECT\r\ny SORT (DATE) UTF-8 ALL\r\n");
        assert!(p.server.next_event().unwrap().is_none());
        assert_eq!(
            p.server.take_output(),
            b"x BAD No mailbox selected\r\ny BAD No mailbox selected\r\n"
        );
    }
}

/// QUOTA, NAMESPACE, ID, LIST-EXTENDED, METADATA and CREATE with USE reach the server
/// application as typed commands.
#[test]
fn server_events_are_typed_for_the_other_extensions() {
    let mut p = Pair::new(ServerConfig::default(), app, usize::MAX);
    for line in [
        &b"a GETQUOTAROOT INBOX\r\n"[..],
        b"b NAMESPACE\r\n",
        b"c ID NIL\r\n",
        b"d LIST (SUBSCRIBED) \"\" \"*\" RETURN (STATUS (MESSAGES))\r\n",
        b"e SETMETADATA INBOX (/private/comment NIL)\r\n",
        b"f CREATE Sent (USE (\\Sent))\r\n",
    ] {
        p.server.receive(line);
    }
    while let Some(ev) = p.server.next_event().unwrap() {
        let ev = detach(ev);
        app(&mut p.server, ev, &mut p.server_log);
    }
    assert_eq!(
        p.server_log,
        [
            "GETQUOTAROOT",
            "NAMESPACE",
            "ID",
            "LIST",
            "SETMETADATA",
            "CREATE"
        ]
    );
    for line in &p.server_log {
        assert_ne!(line, "Other");
    }
}

/// RFC 3501 §3 for the extension commands on the client side: MOVE, UID EXPUNGE,
/// UNSELECT, SORT and THREAD need a selected mailbox; ENABLE only in the authenticated
/// state; nothing is written for a refused command.
#[test]
fn client_refuses_extension_commands_in_the_wrong_state() {
    let config = ServerConfig {
        capabilities: vec![cap("MOVE"), cap("UIDPLUS")],
        enable: vec![Atom::new("CONDSTORE").unwrap()],
        ..ServerConfig::default()
    };
    let mut p = Pair::new(config, app, usize::MAX);
    let keys = Vec1::one(SearchKey::All);
    let charset = AString::try_from("UTF-8").unwrap();
    let sort = CommandBody::Sort {
        uid: false,
        criteria: Vec1::one(SortCriterion {
            reverse: false,
            key: SortKey::Date,
        }),
        charset: charset.clone(),
        keys: keys.clone(),
    };
    let thread = CommandBody::Thread {
        uid: true,
        algorithm: ThreadAlgorithm::References,
        charset,
        keys,
    };
    assert!(
        p.client
            .move_messages(false, &seq("1"), &Mailbox::Inbox)
            .is_err()
    );
    assert!(p.client.uid_expunge(&seq("1")).is_err());
    assert!(p.client.unselect().is_err());
    assert!(p.client.send(sort.clone()).is_err());
    assert!(p.client.send(thread.clone()).is_err());
    assert!(p.client.take_output().is_empty());
    select_inbox(&mut p);
    assert!(p.client.enable(&["CONDSTORE"]).is_err());
    let s = p.client.send(sort).unwrap();
    let t = p.client.send(thread).unwrap();
    p.pump();
    assert_eq!((p.status(s), p.status(t)), (Some("Ok"), Some("Ok")));
    assert_eq!(p.server_log[1..], ["SORT", "THREAD"]);
    assert!(
        String::from_utf8_lossy(&p.c_to_s)
            .ends_with("A2 SORT (DATE) UTF-8 ALL\r\nA3 UID THREAD REFERENCES UTF-8 ALL\r\n")
    );
}

/// RFC 3516 §4.3 and RFC 3502: a binary APPEND of two messages (NUL octets included)
/// goes from the client machine to the server machine, each synchronizing `~{n}` / `{n}`
/// waiting for the server's continuation.
#[test]
fn binary_multiappend_end_to_end() {
    fn append_app(s: &mut Server, ev: Event<'static>, log: &mut Vec<String>) {
        let Event::Command(c) = ev else { panic!() };
        let CommandBody::AppendExt { messages, .. } = &c.body else {
            panic!("{c:?}")
        };
        for m in messages.iter() {
            log.push(format!("{:?}", m.data.data()));
        }
        s.ok(None, "APPEND completed").unwrap();
    }
    for chunk in [usize::MAX, 1] {
        let config = ServerConfig {
            literals: LiteralSupport::SyncOnly,
            capabilities: vec![cap("BINARY"), cap("MULTIAPPEND")],
            ..ServerConfig::default()
        };
        let mut p = Pair::new(config, append_app, chunk);
        let h = p
            .client
            .send(CommandBody::AppendExt {
                mailbox: Mailbox::Inbox,
                messages: Vec1::try_from(vec![
                    AppendMessage {
                        flags: Some(vec![Flag::Seen]),
                        date: None,
                        data: AppendData::Binary(Literal8::new(&b"a\0b"[..]).unwrap()),
                    },
                    AppendMessage {
                        flags: None,
                        date: None,
                        data: AppendData::Literal(Literal::new(&b"hi"[..]).unwrap()),
                    },
                ])
                .unwrap(),
            })
            .unwrap();
        // Only the line up to the first announcement goes out before the `+`.
        assert_eq!(p.client.transmit(), b"A1 APPEND INBOX (\\Seen) ~{3}\r\n");
        p.pump();
        assert_eq!(p.status(h), Some("Ok"));
        assert_eq!(p.server_log, ["[97, 0, 98]", "[104, 105]"]);
        assert_eq!(
            p.c_to_s,
            b"A1 APPEND INBOX (\\Seen) ~{3}\r\na\0b {2}\r\nhi\r\n"
        );
    }
}

/// A binary APPEND (RFC 3516 §4.3) is streamed like a plain one with
/// `ServerConfig::stream_append`: the data, NUL octets included, comes as chunks.
#[test]
fn binary_append_streams() {
    for chunk in [usize::MAX, 3] {
        let mut s = Server::new(
            ServerConfig {
                preauth: true,
                stream_append: Some(8),
                ..ServerConfig::default()
            },
            false,
            "x",
        )
        .unwrap();
        s.take_output();
        let input = b"a APPEND INBOX (\\Seen) ~{12}\r\n\0\0binary\0\0\0\0\r\nb NOOP\r\n";
        let (mut log, mut data) = (Vec::new(), Vec::new());
        for piece in input.chunks(chunk) {
            s.receive(piece);
            while let Some(ev) = s.next_event().unwrap() {
                match ev {
                    Event::AppendStart { command, size } => {
                        let CommandBody::AppendExt { messages, .. } = &command.body else {
                            panic!("{command:?}")
                        };
                        let m = messages.first().unwrap();
                        assert!(matches!(&m.data, AppendData::Binary(l) if l.data().is_empty()));
                        log.push(format!("start {size} {:?}", m.flags));
                    }
                    Event::AppendData(d) => data.extend_from_slice(d),
                    Event::AppendEnd => {
                        log.push("end".into());
                        s.ok(None, "APPEND completed").unwrap();
                    }
                    Event::Command(c) => {
                        log.push(c.body.name().to_owned());
                        s.ok(None, "NOOP completed").unwrap();
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(log, ["start 12 Some([Seen])", "end", "NOOP"]);
        assert_eq!(data, b"\0\0binary\0\0\0\0");
        assert_eq!(
            s.take_output(),
            b"+ Ready for literal data\r\na OK APPEND completed\r\nb OK NOOP completed\r\n"
        );
    }
}

/// RFC 6855 §3, §4: after `ENABLE UTF8=ACCEPT` SEARCH takes no CHARSET (the client
/// refuses it, the server answers BAD) and an APPEND may carry `UTF8 (literal8)`.
#[test]
fn utf8_accept_rules() {
    let config = ServerConfig {
        enable: vec![Atom::new("UTF8=ACCEPT").unwrap()],
        ..ServerConfig::default()
    };
    let mut p = Pair::new(config, app, usize::MAX);
    let search = CommandBody::Search {
        uid: false,
        charset: Some(AString::try_from("UTF-8").unwrap()),
        criteria: Vec1::one(SearchKey::All),
    };
    select_inbox(&mut p);
    // Allowed before UTF8=ACCEPT.
    let h = p.client.send(search.clone()).unwrap();
    p.pump();
    assert_eq!(p.status(h), Some("Ok"));
    p.client.unselect().unwrap();
    let en = p.client.enable(&["UTF8=ACCEPT"]).unwrap();
    p.pump();
    assert_eq!(p.status(en), Some("Ok"));
    select_inbox(&mut p);
    assert!(p.client.send(search).is_err());
    p.server.receive(b"x SEARCH CHARSET UTF-8 ALL\r\n");
    assert!(p.server.next_event().unwrap().is_none());
    assert_eq!(
        p.server.take_output(),
        b"x BAD SEARCH CHARSET not allowed after ENABLE UTF8=ACCEPT\r\n"
    );
    let h = p
        .client
        .send(CommandBody::AppendExt {
            mailbox: Mailbox::Inbox,
            messages: Vec1::one(AppendMessage {
                flags: None,
                date: None,
                data: AppendData::Utf8(Literal8::new("Subject: café\r\n\r\n".as_bytes()).unwrap()),
            }),
        })
        .unwrap();
    p.pump();
    assert_eq!(p.status(h), Some("Ok"));
    assert_eq!(p.server_log.last().map(String::as_str), Some("APPEND"));
}

/// What IMAP4rev2 removed (RFC 9051 Appendix E items 12, 17, 18, 19; §9 `command-auth`,
/// `command-select`, `fetch-att`, `status-att`, `search-key`), one line each, with the
/// server's answer once the session is rev2.
const REMOVED_IN_REV2: [(&str, &str); 9] = [
    (
        "LSUB \"\" *",
        "LSUB is not in IMAP4rev2, use LIST (SUBSCRIBED)",
    ),
    ("CHECK", "CHECK is not in IMAP4rev2, use NOOP"),
    (
        "FETCH 1 RFC822",
        "RFC822, RFC822.HEADER and RFC822.TEXT are not in IMAP4rev2",
    ),
    (
        "UID FETCH 1 (FLAGS RFC822.HEADER)",
        "RFC822, RFC822.HEADER and RFC822.TEXT are not in IMAP4rev2",
    ),
    (
        "FETCH 1:* (RFC822.TEXT) (CHANGEDSINCE 1)",
        "RFC822, RFC822.HEADER and RFC822.TEXT are not in IMAP4rev2",
    ),
    (
        "STATUS INBOX (MESSAGES RECENT)",
        "STATUS RECENT is not in IMAP4rev2",
    ),
    (
        "LIST \"\" * RETURN (STATUS (RECENT))",
        "STATUS RECENT is not in IMAP4rev2",
    ),
    (
        "SEARCH OR SEEN NOT (DRAFT NEW)",
        "SEARCH NEW, OLD and RECENT are not in IMAP4rev2",
    ),
    (
        "UID SEARCH RETURN (MIN) OLD",
        "SEARCH NEW, OLD and RECENT are not in IMAP4rev2",
    ),
];

/// Lines in both grammars, next of kin of the removed ones: still accepted in rev2.
const KEPT_IN_REV2: [&str; 4] = [
    "FETCH 1 (RFC822.SIZE BODY.PEEK[HEADER])",
    "STATUS INBOX (MESSAGES UNSEEN SIZE)",
    "SEARCH OR SEEN NOT (DRAFT UNSEEN)",
    "NOOP",
];

fn typed(line: &str) -> CommandBody<'static> {
    let wire = format!("t {line}\r\n");
    match CommandDecoder::default().decode(wire.as_bytes()).unwrap() {
        CommandDecoded::Complete { command, .. } => command.body.into_owned(),
        other => panic!("{line}: {other:?}"),
    }
}

/// Feeds `line` to the server in `chunk`-octet pieces; the first event (if any) is
/// answered OK. Returns what the server wrote.
fn server_answer(p: &mut Pair, tag: &str, line: &str) -> String {
    let wire = format!("{tag} {line}\r\n");
    for piece in wire.as_bytes().chunks(p.chunk) {
        p.server.receive(piece);
        while let Some(ev) = p.server.next_event().unwrap() {
            let ev = detach(ev);
            (p.app)(&mut p.server, ev, &mut p.server_log);
        }
    }
    String::from_utf8(p.server.take_output()).unwrap()
}

/// RFC 9051 Appendix E: after `ENABLE IMAP4rev2` the client refuses to send what rev2
/// removed and the server answers it BAD; before, both take it (rev1).
#[test]
fn imap4rev2_removed_items_refused_after_enable() {
    for chunk in [usize::MAX, 1] {
        let config = ServerConfig {
            enable: vec![Atom::new("IMAP4rev2").unwrap()],
            capabilities: vec![cap("CONDSTORE")],
            ..ServerConfig::default()
        };
        let mut p = Pair::new(config, app, chunk);
        select_inbox(&mut p);
        // rev1: everything goes through.
        for (line, _) in REMOVED_IN_REV2 {
            let h = p.client.send(typed(line)).unwrap();
            p.pump();
            assert_eq!(p.status(h), Some("Ok"), "{line} (rev1)");
        }
        for (i, (line, _)) in REMOVED_IN_REV2.iter().enumerate() {
            let out = server_answer(&mut p, &format!("r{i}"), line);
            assert_eq!(out, format!("r{i} OK done\r\n"), "{line} (rev1)");
        }
        p.client.unselect().unwrap();
        let en = p.client.enable(&["IMAP4rev2"]).unwrap();
        p.pump();
        assert_eq!(p.status(en), Some("Ok"));
        select_inbox(&mut p);
        for (i, (line, why)) in REMOVED_IN_REV2.iter().enumerate() {
            assert!(p.client.send(typed(line)).is_err(), "{line} (client, rev2)");
            assert!(p.client.take_output().is_empty());
            let out = server_answer(&mut p, &format!("b{i}"), line);
            assert_eq!(out, format!("b{i} BAD {why}\r\n"), "{line} (server, rev2)");
        }
        for line in KEPT_IN_REV2 {
            let h = p.client.send(typed(line)).unwrap();
            p.pump();
            assert_eq!(p.status(h), Some("Ok"), "{line} (rev2)");
        }
    }
}

/// RFC 9051 §2.1: a server offering IMAP4rev2 without IMAP4rev1 is rev2 from the greeting
/// on, without ENABLE, on both machines.
#[test]
fn imap4rev2_only_server_is_rev2_from_the_start() {
    for chunk in [usize::MAX, 1] {
        let config = ServerConfig {
            rev2_only: true,
            capabilities: vec![cap("IMAP4rev2")],
            ..ServerConfig::default()
        };
        let mut p = Pair::new(config, app, chunk);
        let h = p.client.send(CommandBody::Capability).unwrap();
        p.pump();
        assert_eq!(p.status(h), Some("Ok"));
        let caps = p
            .client_log
            .iter()
            .find(|l| l.starts_with("data * CAPABILITY"))
            .unwrap();
        assert!(caps.starts_with("data * CAPABILITY IMAP4rev2 "), "{caps}");
        assert_eq!(caps.matches("IMAP4rev").count(), 1, "{caps}");
        assert!(p.client.has_capability("IMAP4rev2") && !p.client.has_capability("IMAP4rev1"));
        select_inbox(&mut p);
        for (i, (line, why)) in REMOVED_IN_REV2.iter().enumerate() {
            assert!(p.client.send(typed(line)).is_err(), "{line} (client)");
            let out = server_answer(&mut p, &format!("b{i}"), line);
            assert_eq!(out, format!("b{i} BAD {why}\r\n"), "{line} (server)");
        }
        // rev2 takes UTF-8 in quoted strings without ENABLE (RFC 9051 §9).
        let out = server_answer(&mut p, "u", "STATUS \"Entwürfe\" (MESSAGES)");
        assert_eq!(out, "u OK done\r\n");
        p.client
            .receive("* LIST () \"/\" \"Entwürfe\"\r\n".as_bytes());
        assert!(matches!(
            p.client.next_event(),
            Ok(Some(client::Event::Data(Data::List { .. })))
        ));
    }
}

/// Runs a streaming server (`stream_append` from 8 octets, MULTIAPPEND offered) over
/// `input` in `chunk`-octet pieces: the events as log lines (each message's data joined)
/// and the output.
fn stream_multiappend(
    input: &[u8],
    chunk: usize,
    literals: LiteralSupport,
) -> (Vec<String>, String) {
    let mut s = Server::new(
        ServerConfig {
            preauth: true,
            literals,
            stream_append: Some(8),
            capabilities: vec![cap("MULTIAPPEND"), cap("BINARY")],
            ..ServerConfig::default()
        },
        false,
        "x",
    )
    .unwrap();
    s.take_output();
    let mut log: Vec<String> = Vec::new();
    for piece in input.chunks(chunk) {
        s.receive(piece);
        while let Some(ev) = s.next_event().unwrap() {
            match ev {
                Event::AppendStart { command, size } => {
                    let (flags, binary) = match &command.body {
                        CommandBody::Append { flags, .. } => (flags.clone(), false),
                        CommandBody::AppendExt { messages, .. } => {
                            let m = messages.first().unwrap();
                            (m.flags.clone(), matches!(m.data, AppendData::Binary(_)))
                        }
                        other => panic!("{other:?}"),
                    };
                    let tag = command.tag.as_str();
                    log.push(format!("start {tag} {size} {flags:?} binary={binary} "));
                }
                Event::AppendData(d) => {
                    let last = log.last_mut().unwrap();
                    last.push_str(&String::from_utf8_lossy(d));
                }
                Event::AppendEnd => {
                    log.push("end".into());
                    s.ok(None, "APPEND completed").unwrap();
                }
                Event::AppendAborted => log.push("aborted".into()),
                Event::Command(c) => {
                    log.push(c.body.name().to_owned());
                    s.ok(None, "NOOP completed").unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
    }
    (log, String::from_utf8_lossy(&s.take_output()).into_owned())
}

/// RFC 3502 §6.3.11 with `stream_append`: each message of a MULTIAPPEND streams (a
/// literal, a binary literal8 with a continuation, a LITERAL+ one without), one
/// AppendStart per message with its own flags, AppendEnd after the last; whole and in
/// 1-octet chunks. It was answered BAD before.
#[test]
fn streamed_multiappend_gives_each_message() {
    let input =
        b"a APPEND INBOX (\\Seen) {10}\r\n0123456789 (\\Draft) ~{3}\r\nx\0y {2+}\r\nhi\r\nb NOOP\r\n";
    for chunk in [usize::MAX, 1] {
        let (log, out) = stream_multiappend(input, chunk, LiteralSupport::LiteralPlus);
        assert_eq!(
            log,
            [
                "start a 10 Some([Seen]) binary=false 0123456789",
                "start a 3 Some([Draft]) binary=true x\0y",
                "start a 2 None binary=false hi",
                "end",
                "NOOP"
            ],
            "chunk {chunk}"
        );
        assert_eq!(
            out,
            "+ Ready for literal data\r\n+ Ready for literal data\r\na OK APPEND completed\r\nb OK NOOP completed\r\n"
        );
    }
}

/// A further message over `Limits::max_literal` ends the MULTIAPPEND: the machine answers
/// `NO [TOOBIG]` instead of the continuation (RFC 3501 §7.5, RFC 7888 §4), reports
/// AppendAborted, and the next command decodes; a non-synchronizing one on a server
/// without LITERAL+ gets BAD and its data is skipped.
#[test]
fn streamed_multiappend_refuses_an_oversized_further_message() {
    let sync = b"a APPEND INBOX {10}\r\n0123456789 {99999999999}\r\nb NOOP\r\n";
    let non_sync = b"a APPEND INBOX {10}\r\n0123456789 {4+}\r\nabcd\r\nb NOOP\r\n";
    for chunk in [usize::MAX, 1] {
        let (log, out) = stream_multiappend(sync, chunk, LiteralSupport::LiteralPlus);
        assert_eq!(
            log,
            ["start a 10 None binary=false 0123456789", "aborted", "NOOP"]
        );
        assert_eq!(
            out,
            "+ Ready for literal data\r\na NO [TOOBIG] Message too large\r\nb OK NOOP completed\r\n"
        );
        let (log, out) = stream_multiappend(non_sync, chunk, LiteralSupport::SyncOnly);
        assert_eq!(
            log,
            ["start a 10 None binary=false 0123456789", "aborted", "NOOP"]
        );
        assert_eq!(
            out,
            "+ Ready for literal data\r\na BAD Non-synchronizing literal not allowed\r\nb OK NOOP completed\r\n"
        );
    }
}

/// Pieces of client input around streamed MULTIAPPEND, literal refusals and IMAP4rev2,
/// glued in any order (most orders are protocol errors).
const PIECES: [&[u8]; 16] = [
    b"a APPEND INBOX {10}\r\n",
    b"0123456789",
    b" (\\Seen) {3+}\r\nabc",
    b" ~{2}\r\n\0\0",
    b" {4}\r\n",
    b" {99999999999}\r\n",
    b" {5000+}\r\n",
    b"\r\n",
    b"b NOOP\r\n",
    b"c ENABLE IMAP4rev2\r\n",
    b"d LSUB \"\" *\r\n",
    b"e FETCH 1 RFC822\r\n",
    b"f SELECT INBOX\r\n",
    b"g LOGIN {3}\r\n",
    b" x\x01\xff(",
    b"h APPEND INBOX {20}\r\n",
];

proptest::proptest! {
    /// Whatever the order of the pieces and the chunking, the server machine neither
    /// panics nor reports a misuse while the application answers every event: streamed
    /// MULTIAPPEND with its refusals, `refuse_literal` after refused announcements, and
    /// the rev2 rules keep it in step.
    #[test]
    fn streamed_multiappend_and_rev2_survive_any_piece_order(
        order in proptest::collection::vec(0..PIECES.len(), 1..24),
        chunk in 1usize..40,
        ask in proptest::bool::ANY,
        rev2_only in proptest::bool::ANY,
        literals in 0u8..3,
    ) {
        let mut s = Server::new(
            ServerConfig {
                preauth: true,
                stream_append: Some(8),
                ask_literals: ask,
                rev2_only,
                literals: match literals {
                    0 => LiteralSupport::SyncOnly,
                    1 => LiteralSupport::LiteralPlus,
                    _ => LiteralSupport::LiteralMinus,
                },
                enable: vec![Atom::new("IMAP4rev2").unwrap()],
                capabilities: vec![cap("MULTIAPPEND"), cap("BINARY")],
                max_errors: u32::MAX,
                ..ServerConfig::default()
            },
            false,
            "x",
        )
        .unwrap();
        let input: Vec<u8> = order.iter().flat_map(|&k| PIECES[k].iter().copied()).collect();
        let mut refuse = false;
        for piece in input.chunks(chunk) {
            s.receive(piece);
            while let Some(ev) = s.next_event().unwrap() {
                match ev {
                    Event::Literal { .. } => {
                        refuse = !refuse;
                        if refuse {
                            s.reject_literal("no").unwrap();
                        } else {
                            s.accept_literal().unwrap();
                        }
                    }
                    Event::Command(_) | Event::AppendEnd => s.ok(None, "done").unwrap(),
                    Event::Closed | Event::Logout => break,
                    _ => {}
                }
            }
            let _ = s.take_output();
        }
    }
}
