//! Golden transcripts from the RFCs: the client machine and the server machine talk to
//! each other through an in-memory pipe; each direction's bytes must equal the RFC's
//! example (the interleaving depends on pipelining, the bytes do not). Every transcript is
//! also run one byte at a time, with the same result.

#[path = "common/pipe.rs"]
mod pipe;

use std::borrow::Cow;

use mail_common::sasl::SaslClient;
use pipe::{T0, Wire, pump, side};
use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

fn reply(code: u16, text: &str) -> Reply<'static> {
    Reply::new(code, None, text.to_string()).unwrap()
}

fn ehlo_reply(lines: &[&str]) -> Reply<'static> {
    Reply::multiline(
        250,
        None,
        lines.iter().map(|l| Cow::Owned(l.to_string())).collect(),
    )
    .unwrap()
}

fn mailbox(s: &str) -> Mailbox<'static> {
    Mailbox::parse(s).unwrap().into_owned()
}

fn mail_from(s: &str) -> MailFrom<'static> {
    MailFrom {
        path: ReversePath::Mailbox(mailbox(s)),
        params: Parameters::new(),
    }
}

fn rcpt(s: &str) -> RcptTo<'static> {
    RcptTo {
        path: ForwardPath::Mailbox(mailbox(s)),
        params: Parameters::new(),
    }
}

/// A scripted server application: answers from a queue of replies, in order.
fn scripted(replies: Vec<Reply<'static>>) -> impl FnMut(&mut Server, Event<'static>, &mut Wire) {
    let mut queue = std::collections::VecDeque::from(replies);
    move |server, ev, _wire| match ev {
        Event::Command(_) | Event::DataEnd { .. } | Event::BdatEnd { .. } => {
            let n = match ev {
                Event::DataEnd { replies } | Event::BdatEnd { replies, .. } => replies,
                _ => 1,
            };
            for _ in 0..n {
                server
                    .reply(&queue.pop_front().expect("a scripted reply"))
                    .unwrap();
            }
        }
        Event::StartTls { discarded } => {
            assert_eq!(discarded, 0);
            server.tls_established(T0).unwrap();
        }
        Event::Authenticate(creds) => {
            server
                .credentials_valid(creds.password_matches("test", "1234"))
                .unwrap();
        }
        _ => {}
    }
}

fn run(
    chunk: usize,
    server_config: ServerConfig,
    client_config: ClientConfig,
    greeting: &Reply<'_>,
    server_app: &mut dyn FnMut(&mut Server, Event<'static>, &mut Wire),
    client_app: &mut dyn FnMut(&mut Client, &ClientEvent),
) -> Wire {
    let mut server = Server::new(server_config, T0);
    server.greet_with(greeting).unwrap();
    let mut client = Client::new(client_config, T0);
    let mut wire = Wire::default();
    pump(
        &mut client,
        &mut server,
        chunk,
        server_app,
        client_app,
        &mut wire,
    );
    assert!(client.is_closed(), "client closed");
    assert!(server.is_closed(), "server closed");
    wire
}

fn check(transcript: &str, wire: &Wire) {
    assert_eq!(
        String::from_utf8_lossy(&wire.c2s),
        String::from_utf8_lossy(&side(transcript, "C: "))
    );
    assert_eq!(
        String::from_utf8_lossy(&wire.s2c),
        String::from_utf8_lossy(&side(transcript, "S: "))
    );
}

const RFC5321_D1: &str = "
S: 220 foo.com Simple Mail Transfer Service Ready
C: EHLO bar.com
S: 250-foo.com greets bar.com
S: 250-8BITMIME
S: 250-SIZE
S: 250-DSN
S: 250 HELP
C: MAIL FROM:<Smith@bar.com>
S: 250 OK
C: RCPT TO:<Jones@foo.com>
S: 250 OK
C: RCPT TO:<Green@foo.com>
S: 550 No such user here
C: RCPT TO:<Brown@foo.com>
S: 250 OK
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Blah blah blah...
C: ...etc. etc. etc.
C: .
S: 250 OK
C: QUIT
S: 221 foo.com Service closing transmission channel
";

/// A client application sending one message with DATA, then QUIT.
fn sender(
    from: &'static str,
    to: &'static [&'static str],
    body: &'static [u8],
) -> impl FnMut(&mut Client, &ClientEvent) {
    move |c, ev| match ev {
        ClientEvent::Ready(_) => c
            .send_envelope(mail_from(from), to.iter().map(|t| rcpt(t)).collect(), T0)
            .unwrap(),
        ClientEvent::Envelope { .. } => c.data(T0).unwrap(),
        ClientEvent::DataReady => {
            c.send_body(body, T0).unwrap();
            c.finish_body(T0).unwrap();
        }
        ClientEvent::Delivered(_) => c.quit(T0).unwrap(),
        _ => {}
    }
}

#[test]
fn rfc5321_appendix_d1_typical_transaction() {
    for chunk in [usize::MAX, 1] {
        let wire = run(
            chunk,
            ServerConfig::new("foo.com"),
            ClientConfig::new(Host::parse("bar.com").unwrap().into_owned()),
            &reply(220, "foo.com Simple Mail Transfer Service Ready"),
            &mut scripted(vec![
                ehlo_reply(&["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"]),
                reply(250, "OK"),
                reply(250, "OK"),
                reply(550, "No such user here"),
                reply(250, "OK"),
                reply(354, "Start mail input; end with <CRLF>.<CRLF>"),
                reply(250, "OK"),
                reply(221, "foo.com Service closing transmission channel"),
            ]),
            &mut sender(
                "Smith@bar.com",
                &["Jones@foo.com", "Green@foo.com", "Brown@foo.com"],
                b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
            ),
        );
        check(RFC5321_D1, &wire);
        assert_eq!(wire.body, b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
        let delivered = wire.client_events.iter().find_map(|e| match e {
            ClientEvent::Delivered(d) => Some(d.clone()),
            _ => None,
        });
        let delivered = delivered.unwrap();
        assert_eq!(delivered.len(), 2, "Jones and Brown");
        let envelope = wire.client_events.iter().find_map(|e| match e {
            ClientEvent::Envelope { recipients, .. } => Some(recipients.clone()),
            _ => None,
        });
        let codes: Vec<u16> = envelope
            .unwrap()
            .iter()
            .map(|o| o.reply.code().get())
            .collect();
        assert_eq!(codes, [250, 550, 250]);
    }
}

const RFC2920_PIPELINED: &str = "
S: 220 innosoft.com SMTP service ready
C: EHLO dbc.mtview.ca.us
S: 250-innosoft.com
S: 250 PIPELINING
C: MAIL FROM:<mrose@dbc.mtview.ca.us>
C: RCPT TO:<ned@innosoft.com>
C: RCPT TO:<dan@innosoft.com>
C: RCPT TO:<kvc@innosoft.com>
C: DATA
S: 250 sender <mrose@dbc.mtview.ca.us> OK
S: 250 recipient <ned@innosoft.com> OK
S: 250 recipient <dan@innosoft.com> OK
S: 250 recipient <kvc@innosoft.com> OK
S: 354 enter mail, end with line containing only \".\"
C: Hi
C: .
C: QUIT
S: 250 message sent
S: 221 goodbye
";

#[test]
fn rfc2920_pipelined_dialogue() {
    for chunk in [usize::MAX, 1] {
        let mut cc = ClientConfig::new(Host::parse("dbc.mtview.ca.us").unwrap().into_owned());
        cc.pipeline_data = true;
        let mut turnarounds = 0;
        let mut client_app = |c: &mut Client, ev: &ClientEvent| {
            turnarounds += 1;
            match ev {
                ClientEvent::Ready(_) => c
                    .send_envelope(
                        mail_from("mrose@dbc.mtview.ca.us"),
                        vec![
                            rcpt("ned@innosoft.com"),
                            rcpt("dan@innosoft.com"),
                            rcpt("kvc@innosoft.com"),
                        ],
                        T0,
                    )
                    .unwrap(),
                ClientEvent::DataReady => {
                    c.send_body(b"Hi\r\n", T0).unwrap();
                    c.finish_body(T0).unwrap();
                    // QUIT goes in the same group as the final dot.
                    c.quit(T0).unwrap();
                }
                _ => {}
            }
        };
        let wire = run(
            chunk,
            ServerConfig::new("innosoft.com"),
            cc,
            &reply(220, "innosoft.com SMTP service ready"),
            &mut scripted(vec![
                ehlo_reply(&["innosoft.com", "PIPELINING"]),
                reply(250, "sender <mrose@dbc.mtview.ca.us> OK"),
                reply(250, "recipient <ned@innosoft.com> OK"),
                reply(250, "recipient <dan@innosoft.com> OK"),
                reply(250, "recipient <kvc@innosoft.com> OK"),
                reply(354, "enter mail, end with line containing only \".\""),
                reply(250, "message sent"),
                reply(221, "goodbye"),
            ]),
            &mut client_app,
        );
        check(RFC2920_PIPELINED, &wire);
    }
}

#[test]
fn rfc2920_all_recipients_rejected_gets_554_from_the_machine() {
    let mut cc = ClientConfig::new(Host::parse("dbc.mtview.ca.us").unwrap().into_owned());
    cc.pipeline_data = true;
    let mut server_app = {
        let mut s = scripted(vec![
            ehlo_reply(&["innosoft.com", "PIPELINING"]),
            reply(250, "sender <mrose@dbc.mtview.ca.us> OK"),
            reply(550, "remote mail to <nsb@thumper.bellore.com> not allowed"),
            reply(550, "remote mail to <galvin@tis.com> not allowed"),
            reply(221, "goodbye"),
        ]);
        move |srv: &mut Server, ev: Event<'static>, w: &mut Wire| s(srv, ev, w)
    };
    let mut client_app = |c: &mut Client, ev: &ClientEvent| match ev {
        ClientEvent::Ready(_) => c
            .send_envelope(
                mail_from("mrose@dbc.mtview.ca.us"),
                vec![rcpt("nsb@thumper.bellcore.com"), rcpt("galvin@tis.com")],
                T0,
            )
            .unwrap(),
        ClientEvent::DataRefused(_) => c.quit(T0).unwrap(),
        _ => {}
    };
    let wire = run(
        usize::MAX,
        ServerConfig::new("innosoft.com"),
        cc,
        &reply(220, "innosoft.com SMTP service ready"),
        &mut server_app,
        &mut client_app,
    );
    let s2c = String::from_utf8(wire.s2c).unwrap();
    assert!(s2c.contains("550 remote mail to <galvin@tis.com> not allowed\r\n554 5.5.1 No valid recipients\r\n221 goodbye\r\n"), "{s2c}");
    assert!(
        String::from_utf8(wire.c2s)
            .unwrap()
            .ends_with("DATA\r\nQUIT\r\n")
    );
}

const RFC3030_SIMPLE_CHUNKING: &str = "
S: 220 cnri.reston.va.us SMTP service ready
C: EHLO ymir.claremont.edu
S: 250-cnri.reston.va.us says hello
S: 250 CHUNKING
C: MAIL FROM:<Sam@Random.com>
S: 250 <Sam@Random.com> Sender ok
C: RCPT TO:<Susan@Random.com>
S: 250 <Susan@random.com> Recipient ok
C: BDAT 86 LAST
C: To: Susan@random.com
C: From: Sam@random.com
C: Subject: This is a bodyless test message
S: 250 Message OK, 86 octets received
C: QUIT
S: 221 Goodbye
";

#[test]
fn rfc3030_simple_chunking() {
    const BODY: &[u8] = b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n";
    assert_eq!(BODY.len(), 86);
    for chunk in [usize::MAX, 1] {
        let mut client_app = |c: &mut Client, ev: &ClientEvent| match ev {
            ClientEvent::Ready(_) => c
                .send_envelope(
                    mail_from("Sam@Random.com"),
                    vec![rcpt("Susan@Random.com")],
                    T0,
                )
                .unwrap(),
            ClientEvent::Envelope { .. } => c.send_chunk(BODY, true, T0).unwrap(),
            ClientEvent::Delivered(_) => c.quit(T0).unwrap(),
            _ => {}
        };
        let wire = run(
            chunk,
            ServerConfig::new("cnri.reston.va.us"),
            ClientConfig::new(Host::parse("ymir.claremont.edu").unwrap().into_owned()),
            &reply(220, "cnri.reston.va.us SMTP service ready"),
            &mut scripted(vec![
                ehlo_reply(&["cnri.reston.va.us says hello", "CHUNKING"]),
                reply(250, "<Sam@Random.com> Sender ok"),
                reply(250, "<Susan@random.com> Recipient ok"),
                reply(250, "Message OK, 86 octets received"),
                reply(221, "Goodbye"),
            ]),
            &mut client_app,
        );
        check(RFC3030_SIMPLE_CHUNKING, &wire);
        assert_eq!(wire.body, BODY);
    }
}

// RFC 4954 §4.1, first example. The RFC shows only the first line of a multi-line
// greeting ("220-smtp.example.com ESMTP Server"); a one-line greeting is used here.
const RFC4954_PLAIN_AFTER_STARTTLS: &str = "
S: 220 smtp.example.com ESMTP Server
C: EHLO client.example.com
S: 250-smtp.example.com Hello client.example.com
S: 250-AUTH GSSAPI DIGEST-MD5
S: 250-ENHANCEDSTATUSCODES
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready to start TLS
C: EHLO client.example.com
S: 250-smtp.example.com Hello client.example.com
S: 250 AUTH GSSAPI DIGEST-MD5 PLAIN
C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
";

fn auth_server_config() -> ServerConfig {
    let mut sc = ServerConfig::new("smtp.example.com");
    sc.starttls = true;
    sc.auth_mechanisms = vec![
        AuthMechanism::new("GSSAPI").unwrap(),
        AuthMechanism::new("DIGEST-MD5").unwrap(),
        AuthMechanism::PLAIN,
    ];
    sc
}

#[test]
fn rfc4954_auth_plain_with_initial_response_after_starttls() {
    for chunk in [usize::MAX, 1] {
        let mut tls_done = false;
        let mut client_app = |c: &mut Client, ev: &ClientEvent| match ev {
            ClientEvent::Ready(_) if !tls_done => {
                // Plaintext AUTH before TLS is refused locally.
                assert_eq!(
                    c.authenticate(SaslClient::plain(Some("test"), "test", "1234"), T0),
                    Err(Error::PlaintextAuthRefused)
                );
                tls_done = true;
                c.start_tls(T0).unwrap()
            }
            ClientEvent::TlsReady => c.tls_established(T0).unwrap(),
            ClientEvent::Ready(_) => c
                .authenticate(SaslClient::plain(Some("test"), "test", "1234"), T0)
                .unwrap(),
            ClientEvent::Authenticated => c.quit(T0).unwrap(),
            _ => {}
        };
        let wire = run(
            chunk,
            auth_server_config(),
            ClientConfig::new(Host::parse("client.example.com").unwrap().into_owned()),
            &reply(220, "smtp.example.com ESMTP Server"),
            &mut scripted(vec![
                ehlo_reply(&[
                    "smtp.example.com Hello client.example.com",
                    "AUTH GSSAPI DIGEST-MD5",
                    "ENHANCEDSTATUSCODES",
                    "STARTTLS",
                ]),
                reply(220, "Ready to start TLS"),
                ehlo_reply(&[
                    "smtp.example.com Hello client.example.com",
                    "AUTH GSSAPI DIGEST-MD5 PLAIN",
                ]),
                Reply::new(221, EnhancedCode::new(2, 0, 0).ok(), "Bye").unwrap(),
            ]),
            &mut client_app,
        );
        check(RFC4954_PLAIN_AFTER_STARTTLS, &wire);
        assert!(wire.client_events.contains(&ClientEvent::Authenticated));
    }
}

// RFC 4954 §4.1, second example: no initial response, "334 " with a single space.
const RFC4954_PLAIN_NO_INITIAL: &str = "
S: 220 smtp.example.com ESMTP Server
C: EHLO client.example.com
S: 250-smtp.example.com Hello client.example.com
S: 250 AUTH GSSAPI DIGEST-MD5 PLAIN
C: AUTH PLAIN
S: 334 
C: dGVzdAB0ZXN0ADEyMzQ=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
";

#[test]
fn rfc4954_auth_plain_without_initial_response() {
    // A SASL client whose first step is consumed without sending it on the command line.
    for chunk in [usize::MAX, 1] {
        let mut cc = ClientConfig::new(Host::parse("client.example.com").unwrap().into_owned());
        cc.tls = true;
        let mut sc = auth_server_config();
        sc.tls = true;
        let mut client_app = |c: &mut Client, ev: &ClientEvent| match ev {
            ClientEvent::Ready(_) => c
                .authenticate_without_initial_response(
                    SaslClient::plain(Some("test"), "test", "1234"),
                    T0,
                )
                .unwrap(),
            ClientEvent::Authenticated => c.quit(T0).unwrap(),
            _ => {}
        };
        let wire = run(
            chunk,
            sc,
            cc,
            &reply(220, "smtp.example.com ESMTP Server"),
            &mut scripted(vec![
                ehlo_reply(&[
                    "smtp.example.com Hello client.example.com",
                    "AUTH GSSAPI DIGEST-MD5 PLAIN",
                ]),
                Reply::new(221, EnhancedCode::new(2, 0, 0).ok(), "Bye").unwrap(),
            ]),
            &mut client_app,
        );
        check(RFC4954_PLAIN_NO_INITIAL, &wire);
    }
}

const RFC2033_LMTP: &str = "
S: 220 foo.edu LMTP server ready
C: LHLO foo.edu
S: 250-foo.edu
S: 250-PIPELINING
S: 250 SIZE
C: MAIL FROM:<chris@bar.com>
S: 250 OK
C: RCPT TO:<pat@foo.edu>
S: 250 OK
C: RCPT TO:<jones@foo.edu>
S: 550 No such user here
C: RCPT TO:<green@foo.edu>
S: 250 OK
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Blah blah blah...
C: ...etc. etc. etc.
C: .
S: 250 OK
S: 452 <green@foo.edu> is temporarily over quota
C: QUIT
S: 221 foo.edu closing connection
";

#[test]
fn rfc2033_lmtp_per_recipient_replies() {
    for chunk in [usize::MAX, 1] {
        let mut sc = ServerConfig::new("foo.edu");
        sc.lmtp = true;
        let mut cc = ClientConfig::new(Host::parse("foo.edu").unwrap().into_owned());
        cc.lmtp = true;
        let wire = run(
            chunk,
            sc,
            cc,
            &reply(220, "foo.edu LMTP server ready"),
            &mut scripted(vec![
                ehlo_reply(&["foo.edu", "PIPELINING", "SIZE"]),
                reply(250, "OK"),
                reply(250, "OK"),
                reply(550, "No such user here"),
                reply(250, "OK"),
                reply(354, "Start mail input; end with <CRLF>.<CRLF>"),
                reply(250, "OK"),
                reply(452, "<green@foo.edu> is temporarily over quota"),
                reply(221, "foo.edu closing connection"),
            ]),
            &mut sender(
                "chris@bar.com",
                &["pat@foo.edu", "jones@foo.edu", "green@foo.edu"],
                b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
            ),
        );
        check(RFC2033_LMTP, &wire);
        let delivered = wire.client_events.iter().find_map(|e| match e {
            ClientEvent::Delivered(d) => Some(d.clone()),
            _ => None,
        });
        let per: Vec<(String, u16)> = delivered
            .unwrap()
            .iter()
            .map(|o| (format!("{:?}", o.recipient), o.reply.code().get()))
            .collect();
        assert_eq!(per.len(), 2);
        assert!(per[0].0.contains("pat") && per[0].1 == 250);
        assert!(per[1].0.contains("green") && per[1].1 == 452);
    }
}

#[test]
fn ehlo_refused_falls_back_to_helo() {
    let mut server_app = |srv: &mut Server, ev: Event<'static>, _w: &mut Wire| match ev {
        Event::Command(Command::Ehlo(_)) => {
            srv.reply(&reply(502, "Command not implemented")).unwrap()
        }
        Event::Command(Command::Helo(_)) => srv.reply_ehlo().unwrap(),
        Event::Command(Command::Quit) => srv.reply(&reply(221, "bye")).unwrap(),
        Event::Command(_) => srv.reply(&reply(250, "OK")).unwrap(),
        _ => {}
    };
    let mut client_app = |c: &mut Client, ev: &ClientEvent| {
        if let ClientEvent::Ready(caps) = ev {
            assert!(caps.capabilities.is_empty());
            c.quit(T0).unwrap();
        }
    };
    let wire = run(
        usize::MAX,
        ServerConfig::new("old.example"),
        ClientConfig::new(Host::parse("me.example").unwrap().into_owned()),
        &reply(220, "old.example"),
        &mut server_app,
        &mut client_app,
    );
    assert_eq!(
        String::from_utf8(wire.c2s).unwrap(),
        "EHLO me.example\r\nHELO me.example\r\nQUIT\r\n"
    );
}
