//! The client machine against a real Dovecot over TCP: AUTHENTICATE PLAIN with SASL-IR,
//! LOGIN, ENABLE, NAMESPACE, ID, CREATE, APPEND (LITERAL+), SELECT, UID FETCH of the bodies
//! back, IDLE woken by an APPEND from a second connection, UID MOVE, UID STORE, UID EXPUNGE,
//! UNSELECT, EXAMINE, CLOSE, DELETE, LOGOUT.
//!
//! Needs a Dovecot with user `joe` / `secret` and plaintext authentication allowed:
//! `IMAP_DOVECOT=127.0.0.1:20143 cargo test -p imap-proto --test session_dovecot -- --ignored`.
//! A private instance (Dovecot 2.3, run as root with `dovecot -c FILE`) needs little more
//! than: `protocols = imap`, `listen = 127.0.0.1`, an `imap-login` listener on the port,
//! `ssl = no`, `disable_plaintext_auth = no`, `auth_mechanisms = plain login`, a
//! passwd-file passdb and userdb holding `joe:{PLAIN}secret:8:8::/some/home::`,
//! `mail_location = maildir:~/Maildir`, and an inbox namespace with a `Trash` mailbox.
//! Run in strict mode, so any non-conformance would fail the test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imap_proto::client::{Client, ClientConfig, Event, Handle};
use imap_proto::server::State;
use imap_proto::*;
use mail_common::sasl::SaslClient;

struct Conn {
    stream: TcpStream,
    client: Client,
    log: Vec<String>,
}

fn describe(ev: &Event<'_>) -> String {
    match ev {
        Event::Data(d) => {
            let mut v = Vec::new();
            Response::Data(d.clone()).encode(&mut v);
            String::from_utf8_lossy(&v).trim_end().to_string()
        }
        Event::Status(s) => String::from_utf8_lossy(&s.to_vec()).trim_end().to_string(),
        Event::Completed { handle, status } => format!(
            "#{} {}",
            handle.id(),
            String::from_utf8_lossy(&status.to_vec()).trim_end()
        ),
        other => format!("{other:?}"),
    }
}

impl Conn {
    fn connect(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).expect("a Dovecot listening at IMAP_DOVECOT");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let client = Client::new(
            ClientConfig {
                allow_plaintext_login: true,
                quirks: Quirks::STRICT,
                ..ClientConfig::default()
            },
            false,
        );
        let mut c = Conn {
            stream,
            client,
            log: Vec::new(),
        };
        // Dovecot may greet with "Waiting for authentication process" and send the
        // capabilities in a later untagged OK.
        while !c.client.has_capability("AUTH=PLAIN") {
            c.until(|_| true);
        }
        c
    }

    fn flush(&mut self) {
        let out = self.client.take_output();
        self.stream.write_all(&out).unwrap();
    }

    /// Reads and handles events until `done` says so; every event is logged.
    fn until(&mut self, mut done: impl FnMut(&Event<'_>) -> bool) {
        let mut buf = [0u8; 16384];
        loop {
            self.flush();
            loop {
                let ev = self
                    .client
                    .next_event()
                    .expect("strict decoding of Dovecot");
                let Some(ev) = ev else { break };
                self.log.push(describe(&ev));
                if done(&ev) {
                    self.flush();
                    return;
                }
            }
            self.flush();
            let n = self.stream.read(&mut buf).expect("Dovecot answers in time");
            assert!(n > 0, "connection closed; log: {:#?}", self.log);
            self.client.receive(&buf[..n]);
        }
    }

    fn run(&mut self, h: Handle) -> String {
        let mut status = String::new();
        self.until(|ev| match ev {
            Event::Completed { handle, status: s } if *handle == h => {
                status = String::from_utf8_lossy(&s.to_vec()).trim_end().to_string();
                true
            }
            _ => false,
        });
        status
    }
}

fn unique_mailbox() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("session-test-{}-{}", std::process::id(), t.as_nanos())
}

#[test]
#[ignore = "needs a Dovecot: IMAP_DOVECOT=host:port"]
fn client_machine_against_dovecot() {
    let addr = std::env::var("IMAP_DOVECOT").unwrap_or_else(|_| "127.0.0.1:20143".into());
    let mut a = Conn::connect(&addr);
    assert!(a.client.has_capability("SASL-IR"));
    let h = a
        .client
        .authenticate(SaslClient::plain(None, "joe", "secret"))
        .unwrap();
    let status = a.run(h);
    assert!(status.contains(" OK "), "{status}");
    assert_eq!(a.client.state(), Some(State::Authenticated));
    // The OK carried the post-login capabilities.
    assert!(a.client.has_capability("MOVE") && a.client.has_capability("UIDPLUS"));

    let h = a.client.enable(&["CONDSTORE"]).unwrap();
    a.run(h);
    assert!(a.client.is_enabled("CONDSTORE"));

    let h = a.client.namespace().unwrap();
    assert!(a.run(h).contains(" OK "));
    assert!(
        a.log.iter().any(|l| l.starts_with("* NAMESPACE ((")),
        "{:#?}",
        a.log
    );
    let h = a.client.id(&[("name", "imap-proto session test")]).unwrap();
    assert!(a.run(h).contains(" OK "));
    assert!(
        a.log.iter().any(|l| l.starts_with("* ID (")),
        "{:#?}",
        a.log
    );

    let name = unique_mailbox();
    let mailbox = Mailbox::try_from(name.as_str()).unwrap().into_owned();
    let h = a
        .client
        .send(CommandBody::Create {
            mailbox: mailbox.clone(),
        })
        .unwrap();
    assert!(a.run(h).contains(" OK "));

    let small = b"Subject: small\r\n\r\nhello\r\n".to_vec();
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    for i in 0..4000 {
        big.extend_from_slice(format!("line {i} of a large message body\r\n").as_bytes());
    }
    for message in [&small, &big] {
        let h = a
            .client
            .send(CommandBody::Append {
                mailbox: mailbox.clone(),
                flags: Some(vec![Flag::Seen]),
                date: None,
                message: Literal::new(message.as_slice()).unwrap(),
            })
            .unwrap();
        let status = a.run(h);
        assert!(status.contains(" OK [APPENDUID "), "{status}");
    }

    let h = a
        .client
        .send(CommandBody::Select {
            mailbox: mailbox.clone(),
        })
        .unwrap();
    assert!(a.run(h).contains(" OK [READ-WRITE]"));
    assert_eq!(a.client.state(), Some(State::Selected { read_only: false }));

    let h = a
        .client
        .send(CommandBody::Fetch {
            uid: true,
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
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    a.until(|ev| match ev {
        Event::Data(Data::Fetch { items, .. }) => {
            for item in items.iter() {
                if let MessageDataItem::BodySection {
                    data: Some(data), ..
                } = item
                {
                    bodies.push(data.as_bytes().to_vec());
                }
            }
            false
        }
        Event::Completed { handle, .. } => *handle == h,
        _ => false,
    });
    assert_eq!(bodies, [small.clone(), big.clone()]);

    // IDLE, woken by a message appended from a second connection.
    let idle = a.client.idle().unwrap();
    a.until(|ev| matches!(ev, Event::Idling { .. }));
    let mut b = Conn::connect(&addr);
    let h = b.client.login("joe", "secret").unwrap();
    assert!(b.run(h).contains(" OK "));
    let h = b
        .client
        .send(CommandBody::Append {
            mailbox: mailbox.clone(),
            flags: None,
            date: None,
            message: Literal::new(&b"Subject: third\r\n\r\nwake up\r\n"[..]).unwrap(),
        })
        .unwrap();
    assert!(b.run(h).contains(" OK "));
    let h = b.client.send(CommandBody::Logout).unwrap();
    b.run(h);
    assert_eq!(b.client.state(), Some(State::Logout));
    a.until(|ev| matches!(ev, Event::Data(Data::Exists(3))));
    a.client.idle_done().unwrap();
    assert!(a.run(idle).contains(" OK "));

    let h = a
        .client
        .move_messages(
            true,
            &SequenceSet::new("1:2").unwrap(),
            &Mailbox::try_from("Trash").unwrap(),
        )
        .unwrap();
    let status = a.run(h);
    assert!(status.contains(" OK "), "{status}");
    assert!(
        a.log.iter().any(|l| l.contains("[COPYUID ")),
        "{:#?}",
        a.log
    );

    // The third message (UID 3) is left; mark it and expunge it by UID (UIDPLUS).
    let h = a
        .client
        .send(CommandBody::Store {
            uid: true,
            sequence_set: SequenceSet::new("3").unwrap(),
            action: StoreAction::Add,
            silent: true,
            flags: StoreFlags::List(vec![Flag::Deleted]),
        })
        .unwrap();
    assert!(a.run(h).contains(" OK "));
    let h = a
        .client
        .uid_expunge(&SequenceSet::new("3").unwrap())
        .unwrap();
    assert!(a.run(h).contains(" OK "));
    assert!(a.log.iter().any(|l| l == "* 1 EXPUNGE"), "{:#?}", a.log);

    let h = a.client.unselect().unwrap();
    assert!(a.run(h).contains(" OK "));
    assert_eq!(a.client.state(), Some(State::Authenticated));
    let h = a
        .client
        .send(CommandBody::Examine {
            mailbox: mailbox.clone(),
        })
        .unwrap();
    assert!(a.run(h).contains(" OK [READ-ONLY]"));
    assert_eq!(a.client.state(), Some(State::Selected { read_only: true }));
    let h = a.client.send(CommandBody::Close).unwrap();
    assert!(a.run(h).contains(" OK "));
    assert_eq!(a.client.state(), Some(State::Authenticated));
    let h = a.client.send(CommandBody::Delete { mailbox }).unwrap();
    assert!(a.run(h).contains(" OK "));
    let h = a.client.send(CommandBody::Logout).unwrap();
    assert!(a.run(h).contains(" OK "));
    assert_eq!(a.client.state(), Some(State::Logout));
    assert_eq!(a.client.in_flight(), 0);
    eprintln!("{:#?}", a.log);
}
