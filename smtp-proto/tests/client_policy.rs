//! The client's policy layer (`ClientConfig::starttls`, `ClientConfig::auth`,
//! `Client::send_message`): the client machine chooses STARTTLS, the AUTH mechanism and
//! the MAIL parameters / DATA-or-BDAT from the server's capabilities, and refuses (typed
//! errors, nothing sent but QUIT) what the server cannot do. Client and server machines of
//! this crate talk to each other through the in-memory pipe; the whole policy session is
//! also run one byte at a time; a proptest checks the choices against a small model for
//! generated capability sets.

#[path = "common/pipe.rs"]
mod pipe;

use mail_common::sasl::{Mechanism, SaslClient};
use pipe::{T0, Wire, pump};
use proptest::prelude::*;
use smtp_proto::client::{
    AuthPolicy, BodyKind, Client, ClientConfig, ClientEvent, MessageBody, MessagePlan, TlsPolicy,
    Transfer,
};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const USER: &str = "jane";
const PASSWORD: &str = "s3cret";
const CRAM: &str = "<1896.697170952@mx.example>";

/// What the test server announces on each EHLO: its own response, minus the
/// capabilities a filter drops.
type Drop = fn(&Capability<'_>) -> bool;

fn keep_all(_: &Capability<'_>) -> bool {
    false
}

/// A server application that answers everything positively, except STARTTLS when
/// `starttls_code` says otherwise.
fn server_app(
    drop: Drop,
    starttls_code: u16,
) -> impl FnMut(&mut Server, Event<'static>, &mut Wire) {
    move |server, ev, _wire| match ev {
        Event::Command(Command::Ehlo(_) | Command::Lhlo(_)) => {
            let mut ehlo = server.ehlo_response();
            ehlo.capabilities.retain(|c| !drop(c));
            server.reply(&ehlo.to_reply()).unwrap();
        }
        Event::Command(Command::StartTls) => {
            let text = if starttls_code == 220 {
                "Go ahead"
            } else {
                "Not now"
            };
            server
                .reply(&Reply::new(starttls_code, None, text).unwrap())
                .unwrap();
        }
        Event::Command(Command::Data) => {
            server.reply(&Reply::new(354, None, "Go").unwrap()).unwrap()
        }
        Event::Command(Command::Quit) => server
            .reply(&Reply::new(221, None, "Bye").unwrap())
            .unwrap(),
        Event::Command(_) => server.reply(&Reply::new(250, None, "OK").unwrap()).unwrap(),
        Event::DataEnd { replies } | Event::BdatEnd { replies, .. } => {
            for _ in 0..replies {
                server
                    .reply(&Reply::new(250, None, "Queued").unwrap())
                    .unwrap();
            }
        }
        Event::StartTls { discarded } => {
            assert_eq!(discarded, 0);
            server.tls_established(T0).unwrap();
        }
        Event::Authenticate(creds) => server
            .credentials_valid(creds.password_matches(USER, PASSWORD))
            .unwrap(),
        _ => {}
    }
}

fn mailbox(s: &str) -> Mailbox<'static> {
    Mailbox::parse(s).unwrap().into_owned()
}

/// A message for [`Client::send_message`].
#[derive(Clone)]
struct Msg {
    from: &'static str,
    to: Vec<&'static str>,
    content: Vec<u8>,
    /// `None`: the machine inspects `content`.
    kind: Option<BodyKind>,
}

impl Msg {
    fn new(content: &[u8]) -> Msg {
        Msg {
            from: "jane@example.org",
            to: vec!["bob@example.net"],
            content: content.to_vec(),
            kind: None,
        }
    }
}

struct Setup {
    server: ServerConfig,
    drop: Drop,
    starttls_code: u16,
    client: ClientConfig,
    msg: Option<Msg>,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            server: ServerConfig::new("mx.example"),
            drop: keep_all,
            starttls_code: 220,
            client: ClientConfig::new(Host::parse("client.example").unwrap().into_owned()),
            msg: None,
        }
    }
}

impl Setup {
    /// A server offering STARTTLS (answering it with `code`), and PLAIN and LOGIN over
    /// TLS only; a client with the TLS `policy`.
    fn starttls(policy: TlsPolicy, code: u16) -> Setup {
        let mut setup = Setup::new();
        setup.server = starttls_server();
        setup.starttls_code = code;
        setup.client.starttls = policy;
        setup
    }
}

struct Outcome {
    wire: Wire,
    plan: Option<Result<MessagePlan, Error>>,
}

impl Outcome {
    fn c2s(&self) -> String {
        String::from_utf8_lossy(&self.wire.c2s).into_owned()
    }
    fn has(&self, ev: &ClientEvent) -> bool {
        self.wire.client_events.contains(ev)
    }
    fn ready_count(&self) -> usize {
        self.wire
            .client_events
            .iter()
            .filter(|e| matches!(e, ClientEvent::Ready(_)))
            .count()
    }
    fn policy_failure(&self) -> Option<&Error> {
        self.wire.client_events.iter().find_map(|e| match e {
            ClientEvent::PolicyFailed(err) => Some(err),
            _ => None,
        })
    }
}

/// Runs a session with `chunk` bytes moving at a time: the policies run, then (once
/// ready) the message goes with `send_message` and the plan it returns, then QUIT.
fn run(setup: &Setup, chunk: usize) -> Outcome {
    let mut server = Server::new(setup.server.clone(), T0);
    server.greet().unwrap();
    let mut client = Client::new(setup.client.clone(), T0);
    let mut wire = Wire::default();
    let mut plan: Option<Result<MessagePlan, Error>> = None;
    let msg = setup.msg.clone();
    let mut client_app = |c: &mut Client, ev: &ClientEvent| match ev {
        ClientEvent::TlsReady => c.tls_established(T0).unwrap(),
        ClientEvent::Ready(_) => {
            let Some(m) = &msg else {
                return c.quit(T0).unwrap();
            };
            let body = match m.kind {
                Some(k) => MessageBody::Kind(k),
                None => MessageBody::Content(&m.content),
            };
            let rcpts =
                m.to.iter()
                    .map(|t| RcptTo {
                        path: ForwardPath::Mailbox(mailbox(t)),
                        params: Parameters::new(),
                    })
                    .collect();
            let mail = MailFrom {
                path: ReversePath::Mailbox(mailbox(m.from)),
                params: Parameters::new(),
            };
            let r = c.send_message(mail, rcpts, body, None, T0);
            if r.is_err() {
                c.quit(T0).unwrap();
            }
            plan = Some(r);
        }
        ClientEvent::Envelope { .. } => match plan {
            Some(Ok(MessagePlan {
                transfer: Transfer::Bdat,
                ..
            })) => {
                let content = &msg.as_ref().unwrap().content;
                let (a, b) = content.split_at(content.len() / 2);
                c.send_chunk(a, false, T0).unwrap();
                c.send_chunk(b, true, T0).unwrap();
            }
            _ => c.data(T0).unwrap(),
        },
        ClientEvent::DataReady => {
            c.send_body(&msg.as_ref().unwrap().content, T0).unwrap();
            c.finish_body(T0).unwrap();
        }
        ClientEvent::Delivered(_) | ClientEvent::AuthFailed(_) | ClientEvent::DataRefused(_) => {
            c.quit(T0).unwrap()
        }
        _ => {}
    };
    let mut app = server_app(setup.drop, setup.starttls_code);
    pump(
        &mut client,
        &mut server,
        chunk,
        &mut app,
        &mut client_app,
        &mut wire,
    );
    assert!(client.is_closed(), "client closed");
    assert!(server.is_closed(), "server closed");
    Outcome { wire, plan }
}

fn starttls_server() -> ServerConfig {
    let mut s = ServerConfig::new("mx.example");
    s.starttls = true;
    s.auth_mechanisms = vec![AuthMechanism::PLAIN, AuthMechanism::LOGIN];
    s
}

// ---------------------------------------------------------------------------------------
// STARTTLS
// ---------------------------------------------------------------------------------------

#[test]
fn opportunistic_tls_sends_starttls_and_ehlo_again_before_anything_else() {
    let setup = Setup::starttls(TlsPolicy::Opportunistic, 220);
    let out = run(&setup, usize::MAX);
    assert_eq!(
        out.c2s(),
        "EHLO client.example\r\nSTARTTLS\r\nEHLO client.example\r\nQUIT\r\n"
    );
    assert!(out.has(&ClientEvent::TlsReady));
    // One Ready: with the capabilities learnt over TLS (no STARTTLS, AUTH PLAIN offered).
    assert_eq!(out.ready_count(), 1);
    let Some(ClientEvent::Ready(caps)) = out
        .wire
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::Ready(_)))
    else {
        unreachable!()
    };
    assert!(!caps.has(&Capability::StartTls));
    assert!(caps.auth_mechanisms().contains(&AuthMechanism::PLAIN));
}

#[test]
fn opportunistic_tls_goes_on_in_the_clear_without_starttls() {
    let mut setup = Setup::new();
    setup.client.starttls = TlsPolicy::Opportunistic;
    setup.msg = Some(Msg::new(b"Subject: hi\r\n\r\nhello\r\n"));
    let out = run(&setup, usize::MAX);
    assert!(!out.c2s().contains("STARTTLS"));
    assert!(out.c2s().contains("MAIL FROM:<jane@example.org>"));
    assert!(out.policy_failure().is_none());
}

#[test]
fn opportunistic_tls_refused_goes_on_in_the_clear() {
    let mut setup = Setup::starttls(TlsPolicy::Opportunistic, 454);
    setup.msg = Some(Msg::new(b"hello\r\n"));
    let out = run(&setup, usize::MAX);
    assert!(
        out.wire
            .client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::TlsRefused(r) if r.code().get() == 454))
    );
    assert!(
        out.c2s()
            .starts_with("EHLO client.example\r\nSTARTTLS\r\nMAIL FROM:")
    );
    assert_eq!(out.wire.body, b"hello\r\n");
}

#[test]
fn required_tls_without_starttls_offered_is_a_typed_error_and_only_quit_is_sent() {
    let mut setup = Setup::new();
    setup.client.starttls = TlsPolicy::Required;
    setup.msg = Some(Msg::new(b"secret\r\n"));
    let out = run(&setup, usize::MAX);
    assert_eq!(
        out.policy_failure(),
        Some(&Error::TlsUnavailable { refused: None })
    );
    assert_eq!(out.c2s(), "EHLO client.example\r\nQUIT\r\n");
    assert_eq!(out.ready_count(), 0);
    assert!(out.plan.is_none(), "no mail was attempted");
}

#[test]
fn required_tls_refused_by_the_server_is_a_typed_error_and_only_quit_follows() {
    let mut setup = Setup::starttls(TlsPolicy::Required, 454);
    setup.msg = Some(Msg::new(b"secret\r\n"));
    let out = run(&setup, usize::MAX);
    assert_eq!(
        out.policy_failure(),
        Some(&Error::TlsUnavailable { refused: Some(454) })
    );
    assert_eq!(out.c2s(), "EHLO client.example\r\nSTARTTLS\r\nQUIT\r\n");
    assert!(out.policy_failure().unwrap().is_local());
}

#[test]
fn required_tls_is_met_by_implicit_tls_without_starttls() {
    let mut setup = Setup::new();
    setup.server.tls = true;
    setup.client.tls = true;
    setup.client.starttls = TlsPolicy::Required;
    let out = run(&setup, usize::MAX);
    assert_eq!(out.c2s(), "EHLO client.example\r\nQUIT\r\n");
    assert_eq!(out.ready_count(), 1);
}

#[test]
fn tls_policy_never_is_todays_behaviour() {
    let mut setup = Setup::new();
    setup.server = starttls_server();
    let out = run(&setup, usize::MAX);
    assert_eq!(out.c2s(), "EHLO client.example\r\nQUIT\r\n");
}

// ---------------------------------------------------------------------------------------
// AUTH
// ---------------------------------------------------------------------------------------

#[test]
fn auth_after_starttls_uses_the_mechanisms_offered_over_tls() {
    // Before TLS the server offers no plaintext mechanism; the choice waits for the EHLO
    // over TLS (RFC 3207 §4.2), which offers PLAIN.
    let mut setup = Setup::starttls(TlsPolicy::Required, 220);
    setup.client.auth = Some(AuthPolicy::password(None, USER, PASSWORD));
    setup.msg = Some(Msg::new(b"hello\r\n"));
    let out = run(&setup, usize::MAX);
    assert!(out.has(&ClientEvent::AuthChosen(Mechanism::Plain)));
    assert!(out.has(&ClientEvent::Authenticated));
    assert!(out.c2s().starts_with(
        "EHLO client.example\r\nSTARTTLS\r\nEHLO client.example\r\nAUTH PLAIN AGphbmUAczNjcmV0\r\nMAIL FROM:<jane@example.org>"
    ));
    // Ready comes once, after AUTH.
    let events = &out.wire.client_events;
    let auth = events
        .iter()
        .position(|e| *e == ClientEvent::Authenticated)
        .unwrap();
    let ready = events
        .iter()
        .position(|e| matches!(e, ClientEvent::Ready(_)))
        .unwrap();
    assert!(auth < ready);
    assert_eq!(out.ready_count(), 1);
}

#[test]
fn auth_picks_the_first_of_the_callers_order_that_the_server_offers() {
    let mut setup = Setup::new();
    setup.server.tls = true;
    setup.client.tls = true;
    setup.server.auth_mechanisms = vec![AuthMechanism::LOGIN, AuthMechanism::CRAM_MD5];
    setup.server.cram_challenge = Some(CRAM.into());
    // The caller prefers PLAIN (not offered), then LOGIN, then CRAM-MD5.
    setup.client.auth = Some(
        AuthPolicy::password_with(
            &[Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
            None,
            USER,
            PASSWORD,
        )
        .unwrap(),
    );
    let out = run(&setup, usize::MAX);
    assert!(out.has(&ClientEvent::AuthChosen(Mechanism::Login)));
    assert!(out.has(&ClientEvent::Authenticated));
    assert!(out.c2s().contains("AUTH LOGIN\r\n"));

    // The default order prefers CRAM-MD5, which sends no reusable password.
    setup.client.auth = Some(AuthPolicy::password(None, USER, PASSWORD));
    let out = run(&setup, usize::MAX);
    assert!(out.has(&ClientEvent::AuthChosen(Mechanism::CramMd5)));
    assert!(out.has(&ClientEvent::Authenticated));
}

#[test]
fn auth_refuses_plaintext_mechanisms_without_tls_unless_allowed() {
    let mut setup = Setup::new();
    setup.server.auth_mechanisms = vec![AuthMechanism::PLAIN, AuthMechanism::LOGIN];
    setup.server.allow_plaintext_auth = true;
    setup.client.auth = Some(AuthPolicy::password(None, USER, PASSWORD));
    setup.msg = Some(Msg::new(b"hello\r\n"));
    let out = run(&setup, usize::MAX);
    assert_eq!(out.policy_failure(), Some(&Error::PlaintextAuthRefused));
    assert_eq!(out.c2s(), "EHLO client.example\r\nQUIT\r\n");
    assert!(out.plan.is_none());

    setup.client.allow_plaintext_auth = true;
    let out = run(&setup, usize::MAX);
    assert!(out.has(&ClientEvent::AuthChosen(Mechanism::Plain)));
    assert!(out.has(&ClientEvent::Authenticated));
    assert_eq!(out.wire.body, b"hello\r\n");
}

#[test]
fn auth_with_no_offered_mechanism_is_a_typed_error() {
    let mut setup = Setup::new();
    setup.server.tls = true;
    setup.client.tls = true;
    setup.server.auth_mechanisms = vec![AuthMechanism::new("GSSAPI").unwrap()];
    setup.client.auth = Some(AuthPolicy::password(None, USER, PASSWORD));
    let out = run(&setup, usize::MAX);
    assert_eq!(out.policy_failure(), Some(&Error::NoAuthMechanism));
    assert_eq!(out.c2s(), "EHLO client.example\r\nQUIT\r\n");

    // No AUTH at all: the same.
    setup.server.auth_mechanisms = Vec::new();
    let out = run(&setup, usize::MAX);
    assert_eq!(out.policy_failure(), Some(&Error::NoAuthMechanism));
}

#[test]
fn auth_failure_is_reported_and_the_session_stays_usable() {
    let mut setup = Setup::new();
    setup.server.tls = true;
    setup.client.tls = true;
    setup.server.auth_mechanisms = vec![AuthMechanism::PLAIN];
    setup.client.auth = Some(AuthPolicy::new(vec![SaslClient::plain(
        None, USER, "wrong",
    )]));
    let out = run(&setup, usize::MAX);
    assert!(
        out.wire
            .client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::AuthFailed(r) if r.code().get() == 535))
    );
    assert!(!out.has(&ClientEvent::Authenticated));
    assert!(out.c2s().ends_with("QUIT\r\n"));
}

#[test]
fn password_with_refuses_mechanisms_a_password_cannot_drive() {
    assert!(matches!(
        AuthPolicy::password_with(&[Mechanism::XOAuth2], None, USER, PASSWORD),
        Err(Error::Misuse(_))
    ));
    assert!(matches!(
        AuthPolicy::password_with(&[], None, USER, PASSWORD),
        Err(Error::Misuse(_))
    ));
    let p = AuthPolicy::password(None, USER, PASSWORD);
    assert_eq!(
        p.mechanisms().collect::<Vec<_>>(),
        [Mechanism::CramMd5, Mechanism::Plain, Mechanism::Login]
    );
}

// ---------------------------------------------------------------------------------------
// The message: BODY, BDAT, SMTPUTF8, SIZE
// ---------------------------------------------------------------------------------------

/// `send_message` failed with `error` and only QUIT followed the EHLO.
fn refused_before_sending(out: &Outcome, error: Error) {
    assert_eq!(out.plan, Some(Err(error)));
    assert_eq!(out.c2s(), "EHLO client.example\r\nQUIT\r\n");
}

fn mail_line(out: &Outcome) -> String {
    out.c2s()
        .lines()
        .find(|l| l.starts_with("MAIL FROM:"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn seven_bit_content_gets_size_and_no_body_parameter() {
    let mut setup = Setup::new();
    setup.msg = Some(Msg::new(b"Subject: hi\n\n.hello\n"));
    let out = run(&setup, usize::MAX);
    // Bare LFs become CRLF on the wire: SIZE counts what the server receives.
    assert_eq!(out.wire.body, b"Subject: hi\r\n\r\n.hello\r\n");
    assert_eq!(
        mail_line(&out),
        format!("MAIL FROM:<jane@example.org> SIZE={}", out.wire.body.len())
    );
    let plan = out.plan.unwrap().unwrap();
    assert_eq!(plan.kind, BodyKind::SevenBit);
    assert_eq!(plan.transfer, Transfer::Data);
}

#[test]
fn eight_bit_content_gets_body_8bitmime_when_offered() {
    let mut setup = Setup::new();
    setup.msg = Some(Msg::new("Subject: caf\u{e9}\r\n\r\nna\u{ef}ve".as_bytes()));
    let out = run(&setup, usize::MAX);
    assert_eq!(
        out.wire.body,
        "Subject: caf\u{e9}\r\n\r\nna\u{ef}ve\r\n".as_bytes()
    );
    assert_eq!(
        mail_line(&out),
        format!(
            "MAIL FROM:<jane@example.org> SIZE={} BODY=8BITMIME",
            out.wire.body.len()
        )
    );
    assert!(out.c2s().contains("\r\nDATA\r\n"));
}

#[test]
fn eight_bit_content_to_a_server_without_8bitmime_is_refused_before_anything_is_sent() {
    // RFC 6152 §3: without 8BITMIME, no 8-bit content "under any circumstances": not
    // even as BINARYMIME when the server offers CHUNKING and BINARYMIME.
    for chunking in [false, true] {
        let mut setup = Setup::new();
        setup.drop = |c| matches!(c, Capability::EightBitMime);
        setup.server.chunking = chunking;
        setup.msg = Some(Msg::new(b"caf\xc3\xa9\r\n"));
        let out = run(&setup, usize::MAX);
        refused_before_sending(
            &out,
            Error::ParameterNotOffered {
                parameter: "BODY=8BITMIME",
                capability: "8BITMIME",
            },
        );
    }
}

#[test]
fn binary_content_goes_with_bdat_and_binarymime_octet_for_octet() {
    let content: Vec<u8> = (0u8..=255).chain(b"\n.\r\n\r".iter().copied()).collect();
    let mut setup = Setup::new();
    setup.msg = Some(Msg::new(&content));
    let out = run(&setup, usize::MAX);
    let plan = out.plan.clone().unwrap().unwrap();
    assert_eq!(plan.kind, BodyKind::Binary);
    assert_eq!(plan.transfer, Transfer::Bdat);
    assert_eq!(plan.size, Some(content.len() as u64));
    assert_eq!(
        mail_line(&out),
        format!(
            "MAIL FROM:<jane@example.org> SIZE={} BODY=BINARYMIME",
            content.len()
        )
    );
    assert!(out.c2s().contains("\r\nBDAT 130\r\n"));
    assert!(!out.c2s().contains("\r\nDATA\r\n"));
    assert_eq!(out.wire.body, content);
}

#[test]
fn binary_content_to_a_server_without_chunking_is_refused_before_anything_is_sent() {
    let mut setup = Setup::new();
    setup.server.chunking = false;
    setup.msg = Some(Msg::new(b"a\0b\r\n"));
    let out = run(&setup, usize::MAX);
    refused_before_sending(
        &out,
        Error::ParameterNotOffered {
            parameter: "BODY=BINARYMIME",
            capability: "BINARYMIME",
        },
    );

    // BINARYMIME without CHUNKING names CHUNKING.
    setup.server.chunking = true;
    setup.drop = |c| matches!(c, Capability::Chunking);
    let out = run(&setup, usize::MAX);
    refused_before_sending(
        &out,
        Error::ParameterNotOffered {
            parameter: "BODY=BINARYMIME",
            capability: "CHUNKING",
        },
    );
}

#[test]
fn lmtp_binary_message_goes_with_bdat_and_gets_one_reply_per_recipient() {
    let mut setup = Setup::new();
    setup.server.lmtp = true;
    setup.client.lmtp = true;
    let mut msg = Msg::new(b"\0\x01\x02 binary\r\n");
    msg.to = vec!["bob@example.net", "ann@example.net"];
    setup.msg = Some(msg);
    let out = run(&setup, usize::MAX);
    assert!(out.c2s().starts_with("LHLO client.example\r\n"));
    assert!(mail_line(&out).ends_with(" SIZE=12 BODY=BINARYMIME"));
    assert_eq!(out.wire.body, b"\0\x01\x02 binary\r\n");
    let delivered = out.wire.client_events.iter().find_map(|e| match e {
        ClientEvent::Delivered(d) => Some(d.len()),
        _ => None,
    });
    assert_eq!(delivered, Some(2));
}

#[test]
fn a_utf8_address_gets_smtputf8_when_offered_and_is_refused_otherwise() {
    let mut setup = Setup::new();
    let mut msg = Msg::new(b"hi\r\n");
    msg.to = vec!["bob@example.net", "j\u{f6}rg@b\u{fc}cher.example"];
    msg.kind = Some(BodyKind::SevenBit);
    setup.msg = Some(msg);
    let out = run(&setup, usize::MAX);
    // No size was given and the content was not passed: no SIZE.
    assert_eq!(mail_line(&out), "MAIL FROM:<jane@example.org> SMTPUTF8");
    assert!(out.plan.clone().unwrap().unwrap().smtputf8);
    assert_eq!(out.wire.body, b"hi\r\n");

    setup.server.smtputf8 = false;
    let out = run(&setup, usize::MAX);
    refused_before_sending(
        &out,
        Error::ParameterNotOffered {
            parameter: "UTF-8 address",
            capability: "SMTPUTF8",
        },
    );
}

#[test]
fn smtputf8_and_other_parameters_given_by_the_caller_are_kept_once() {
    // A message with UTF-8 header fields needs SMTPUTF8 even with ASCII addresses
    // (RFC 6531 §3.4): the caller gives it, with a DSN parameter; the machine adds SIZE
    // and BODY before them and does not repeat SMTPUTF8 for the UTF-8 recipient.
    let mut c = Client::new(Setup::new().client, T0);
    c.receive(
        b"220 mx\r\n250-mx\r\n250-SIZE 0\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n",
        T0,
    )
    .unwrap();
    while c.next_event().unwrap().is_some() {}
    let n = c.transmit().len();
    c.consumed(n);
    let mail = MailFrom {
        path: ReversePath::Null,
        params: Parameters::from_list(vec![Parameter::SmtpUtf8, Parameter::Ret(Ret::Hdrs)])
            .unwrap(),
    };
    let rcpt = RcptTo {
        path: ForwardPath::Mailbox(mailbox("j\u{f6}rg@b\u{fc}cher.example")),
        params: Parameters::new(),
    };
    let content = "Subject: \u{fc}\r\n\r\nx\r\n".as_bytes();
    let plan = c
        .send_message(mail, vec![rcpt], MessageBody::Content(content), None, T0)
        .unwrap();
    assert!(plan.smtputf8);
    assert_eq!(
        String::from_utf8_lossy(c.transmit()),
        "MAIL FROM:<> SIZE=18 BODY=8BITMIME SMTPUTF8 RET=HDRS\r\n"
    );
}

#[test]
fn an_ascii_envelope_gets_no_smtputf8() {
    let mut setup = Setup::new();
    setup.msg = Some(Msg::new(b"hi\r\n"));
    let out = run(&setup, usize::MAX);
    assert!(!mail_line(&out).contains("SMTPUTF8"));
}

#[test]
fn a_message_over_the_servers_size_is_refused_before_anything_is_sent() {
    let mut setup = Setup::new();
    setup.server.max_message_size = Some(10);
    setup.msg = Some(Msg::new(b"0123456789abcdef\r\n"));
    let out = run(&setup, usize::MAX);
    refused_before_sending(
        &out,
        Error::ParameterAboveLimit {
            parameter: "SIZE",
            value: 18,
            limit: 10,
        },
    );
}

#[test]
fn no_size_parameter_without_the_size_extension() {
    let mut setup = Setup::new();
    setup.drop = |c| matches!(c, Capability::Size(_));
    setup.msg = Some(Msg::new(b"hi\r\n"));
    let out = run(&setup, usize::MAX);
    assert_eq!(mail_line(&out), "MAIL FROM:<jane@example.org>");
    assert_eq!(out.plan.unwrap().unwrap().size, None);
}

#[test]
fn send_message_refuses_a_body_or_size_the_caller_set() {
    let setup = Setup::new();
    let mut c = Client::new(setup.client.clone(), T0);
    c.receive(b"220 mx\r\n250-mx\r\n250-SIZE 0\r\n250 8BITMIME\r\n", T0)
        .unwrap();
    while c.next_event().unwrap().is_some() {}
    let written = c.transmit().len();
    let mail = MailFrom {
        path: ReversePath::Null,
        params: Parameters::from_list(vec![Parameter::Body(Body::EightBitMime)]).unwrap(),
    };
    let rcpt = RcptTo {
        path: ForwardPath::Mailbox(mailbox("bob@example.net")),
        params: Parameters::new(),
    };
    assert!(matches!(
        c.send_message(
            mail,
            vec![rcpt],
            MessageBody::Kind(BodyKind::SevenBit),
            None,
            T0
        ),
        Err(Error::Misuse(_))
    ));
    assert_eq!(c.transmit().len(), written);
}

#[test]
fn body_kind_classifies_as_the_data_path_carries_it() {
    let long = vec![b'a'; 998];
    let too_long = vec![b'a'; 999];
    let cases: [(&[u8], BodyKind); 9] = [
        (b"", BodyKind::SevenBit),
        (b"plain\r\ntext\n", BodyKind::SevenBit),
        (b"bare\rcr", BodyKind::SevenBit),
        (&long, BodyKind::SevenBit),
        (&too_long, BodyKind::Binary),
        (b"caf\xc3\xa9", BodyKind::EightBit),
        (b"\xff\r\nnul\0", BodyKind::Binary),
        (b"\0", BodyKind::Binary),
        (b"\x7f", BodyKind::SevenBit),
    ];
    for (content, kind) in cases {
        assert_eq!(BodyKind::of(content), kind, "{content:?}");
    }
}

// ---------------------------------------------------------------------------------------
// One full policy session, chunked
// ---------------------------------------------------------------------------------------

#[test]
fn a_full_policy_session_is_the_same_at_every_chunking() {
    for content in [
        "Subject: caf\u{e9}\r\n\r\n.line\r\n".as_bytes().to_vec(),
        b"bin\0ary\r\n.\r\n".to_vec(),
    ] {
        let mut setup = Setup::new();
        setup.server = starttls_server();
        setup.client.starttls = TlsPolicy::Required;
        setup.client.auth = Some(AuthPolicy::password(None, USER, PASSWORD));
        let mut msg = Msg::new(&content);
        msg.to = vec!["bob@example.net", "j\u{f6}rg@b\u{fc}cher.example"];
        setup.msg = Some(msg);
        let whole = run(&setup, usize::MAX);
        assert!(whole.has(&ClientEvent::Authenticated));
        assert!(
            whole
                .wire
                .client_events
                .iter()
                .any(|e| matches!(e, ClientEvent::Delivered(d) if d.len() == 2))
        );
        assert_eq!(whole.wire.body, content);
        for chunk in [1, 2, 3, 7, 64] {
            let out = run(&setup, chunk);
            assert_eq!(out.wire, whole.wire, "chunk {chunk}");
            assert_eq!(out.plan, whole.plan, "chunk {chunk}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Generated capability sets
// ---------------------------------------------------------------------------------------

/// A capability set, as flags, and the client's policy.
#[derive(Debug, Clone)]
struct Case {
    starttls: bool,
    eightbit: bool,
    binarymime: bool,
    chunking: bool,
    smtputf8: bool,
    size: Option<u64>,
    auth: Vec<&'static str>,
    tls: bool,
    policy: TlsPolicy,
    allow_plaintext: bool,
    prefs: Vec<Mechanism<'static>>,
    kind: BodyKind,
    utf8: bool,
    length: u64,
}

fn case() -> impl Strategy<Value = Case> {
    let mech = prop_oneof![
        Just("PLAIN"),
        Just("LOGIN"),
        Just("CRAM-MD5"),
        Just("GSSAPI"),
        Just("XOAUTH2")
    ];
    let pref = prop_oneof![
        Just(Mechanism::Plain),
        Just(Mechanism::Login),
        Just(Mechanism::CramMd5)
    ];
    (
        (any::<[bool; 5]>(), proptest::option::of(0u64..40)),
        proptest::collection::vec(mech, 0..4),
        (
            any::<bool>(),
            prop_oneof![
                Just(TlsPolicy::Never),
                Just(TlsPolicy::Opportunistic),
                Just(TlsPolicy::Required)
            ],
            any::<bool>(),
        ),
        // No AUTH policy half of the time, so that most sets reach the message choices.
        prop_oneof![Just(Vec::new()), proptest::collection::vec(pref, 1..4)],
        (
            prop_oneof![
                Just(BodyKind::SevenBit),
                Just(BodyKind::EightBit),
                Just(BodyKind::Binary)
            ],
            any::<bool>(),
            0u64..40,
        ),
    )
        .prop_map(
            |((f, size), auth, (tls, policy, allow_plaintext), mut prefs, (kind, utf8, length))| {
                prefs.dedup();
                Case {
                    starttls: f[0],
                    eightbit: f[1],
                    binarymime: f[2],
                    chunking: f[3],
                    smtputf8: f[4],
                    size,
                    auth,
                    tls,
                    policy,
                    allow_plaintext,
                    prefs,
                    kind,
                    utf8,
                    length,
                }
            },
        )
}

/// What the client must do after the EHLO response, by the rules of the RFCs.
#[derive(Debug, PartialEq)]
enum Expected {
    StartTls,
    Fail(Error),
    Auth(&'static str),
    Ready,
}

fn expected_after_ehlo(c: &Case) -> Expected {
    if !c.tls && c.policy != TlsPolicy::Never {
        if c.starttls {
            return Expected::StartTls;
        }
        if c.policy == TlsPolicy::Required {
            return Expected::Fail(Error::TlsUnavailable { refused: None });
        }
    }
    if c.prefs.is_empty() {
        return Expected::Ready;
    }
    let offered: Vec<&str> = c
        .prefs
        .iter()
        .map(|m| m.as_str())
        .filter(|m| c.auth.contains(m))
        .collect();
    let usable = offered
        .iter()
        .find(|m| c.tls || c.allow_plaintext || **m == "CRAM-MD5");
    match (usable, offered.is_empty()) {
        (Some(m), _) => Expected::Auth(if *m == "CRAM-MD5" {
            "CRAM-MD5"
        } else if *m == "PLAIN" {
            "PLAIN"
        } else {
            "LOGIN"
        }),
        (None, false) => Expected::Fail(Error::PlaintextAuthRefused),
        (None, true) => Expected::Fail(Error::NoAuthMechanism),
    }
}

/// The MAIL line (without CRLF) the client must send, or the error.
fn expected_mail(c: &Case) -> Result<String, Error> {
    let binary_ok = c.binarymime && c.chunking;
    let body = match c.kind {
        BodyKind::SevenBit => "",
        BodyKind::EightBit if c.eightbit => " BODY=8BITMIME",
        BodyKind::EightBit => {
            return Err(Error::ParameterNotOffered {
                parameter: "BODY=8BITMIME",
                capability: "8BITMIME",
            });
        }
        BodyKind::Binary if binary_ok => " BODY=BINARYMIME",
        BodyKind::Binary => {
            return Err(Error::ParameterNotOffered {
                parameter: "BODY=BINARYMIME",
                capability: if c.binarymime {
                    "CHUNKING"
                } else {
                    "BINARYMIME"
                },
            });
        }
    };
    let size = match c.size {
        None => String::new(),
        Some(limit) if limit > 0 && c.length > limit => {
            return Err(Error::ParameterAboveLimit {
                parameter: "SIZE",
                value: c.length,
                limit,
            });
        }
        Some(_) => format!(" SIZE={}", c.length),
    };
    if c.utf8 && !c.smtputf8 {
        return Err(Error::ParameterNotOffered {
            parameter: "UTF-8 address",
            capability: "SMTPUTF8",
        });
    }
    let utf8 = if c.utf8 { " SMTPUTF8" } else { "" };
    Ok(format!("MAIL FROM:<jane@example.org>{size}{body}{utf8}"))
}

fn ehlo_bytes(c: &Case) -> Vec<u8> {
    let mut caps = Vec::new();
    if c.starttls {
        caps.push(Capability::StartTls);
    }
    if c.eightbit {
        caps.push(Capability::EightBitMime);
    }
    if c.binarymime {
        caps.push(Capability::BinaryMime);
    }
    if c.chunking {
        caps.push(Capability::Chunking);
    }
    if c.smtputf8 {
        caps.push(Capability::SmtpUtf8);
    }
    if let Some(n) = c.size {
        caps.push(Capability::Size(Some(n)));
    }
    if !c.auth.is_empty() {
        caps.push(Capability::Auth(
            c.auth
                .iter()
                .map(|m| AuthMechanism::new(*m).unwrap())
                .collect(),
        ));
    }
    EhloResponse::new("mx.example", None, caps)
        .unwrap()
        .to_reply()
        .to_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn generated_capabilities_yield_the_choices_of_the_model(c in case()) {
        let mut config = ClientConfig::new(Host::parse("client.example").unwrap().into_owned());
        config.tls = c.tls;
        config.starttls = c.policy;
        config.allow_plaintext_auth = c.allow_plaintext;
        if !c.prefs.is_empty() {
            config.auth = Some(AuthPolicy::password_with(&c.prefs, None, USER, PASSWORD).unwrap());
        }
        let mut client = Client::new(config, T0);
        client.receive(b"220 mx\r\n", T0).unwrap();
        client.receive(&ehlo_bytes(&c), T0).unwrap();
        let mut events = Vec::new();
        while let Some(ev) = client.next_event().unwrap() {
            events.push(ev);
        }
        let wrote = String::from_utf8(client.transmit().to_vec()).unwrap();
        let after_ehlo = wrote.strip_prefix("EHLO client.example\r\n").unwrap();
        let ready = events.iter().any(|e| matches!(e, ClientEvent::Ready(_)));
        let expected = expected_after_ehlo(&c);
        match &expected {
            Expected::StartTls => prop_assert_eq!(after_ehlo, "STARTTLS\r\n"),
            Expected::Fail(e) => {
                prop_assert_eq!(after_ehlo, "QUIT\r\n");
                prop_assert!(events.contains(&ClientEvent::PolicyFailed(e.clone())));
            }
            Expected::Auth(m) => {
                prop_assert!(after_ehlo.starts_with(&format!("AUTH {m}")), "{}", after_ehlo);
                prop_assert!(events.iter().any(|e| matches!(e, ClientEvent::AuthChosen(x) if x.as_str() == *m)));
            }
            Expected::Ready => prop_assert_eq!(after_ehlo, ""),
        }
        prop_assert_eq!(ready, expected == Expected::Ready);
        if !ready {
            return Ok(());
        }
        let n = client.transmit().len();
        client.consumed(n);
        let to = if c.utf8 { "j\u{f6}rg@b\u{fc}cher.example" } else { "bob@example.net" };
        let rcpt = RcptTo { path: ForwardPath::Mailbox(mailbox(to)), params: Parameters::new() };
        let mail = MailFrom { path: ReversePath::Mailbox(mailbox("jane@example.org")), params: Parameters::new() };
        let got = client.send_message(mail, vec![rcpt], MessageBody::Kind(c.kind), Some(c.length), T0);
        let wrote = String::from_utf8(client.transmit().to_vec()).unwrap();
        match expected_mail(&c) {
            Ok(line) => {
                let plan = got.unwrap();
                prop_assert_eq!(wrote.split("\r\n").next().unwrap(), line.as_str());
                prop_assert_eq!(plan.transfer == Transfer::Bdat, line.contains("BINARYMIME"));
                // A BINARYMIME message cannot go with DATA.
                if plan.transfer == Transfer::Bdat {
                    client.receive(b"250 ok\r\n250 ok\r\n", T0).unwrap();
                    while client.next_event().unwrap().is_some() {}
                    prop_assert!(matches!(client.data(T0), Err(Error::Misuse(_))));
                }
            }
            Err(e) => {
                prop_assert_eq!(got, Err(e));
                prop_assert_eq!(wrote, "");
            }
        }
    }
}
