//! The client machine driven with scripted server bytes.

use std::time::Duration;

use mail_common::sasl::SaslClient;
use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(1000);

fn client() -> Client {
    Client::new(
        ClientConfig::new(Host::parse("me.example").unwrap().into_owned()),
        T0,
    )
}

fn drain(c: &mut Client) -> Vec<ClientEvent> {
    let mut v = Vec::new();
    while let Some(e) = c.next_event().unwrap() {
        v.push(e);
    }
    v
}

fn sent(c: &mut Client) -> String {
    let s = String::from_utf8(c.transmit().to_vec()).unwrap();
    let n = c.transmit().len();
    c.consumed(n);
    s
}

fn envelope(c: &mut Client) {
    c.send_envelope(
        MailFrom {
            path: ReversePath::Null,
            params: Parameters::new(),
        },
        vec![
            RcptTo {
                path: ForwardPath::Mailbox(Mailbox::parse("a@x.example").unwrap().into_owned()),
                params: Parameters::new(),
            },
            RcptTo {
                path: ForwardPath::Postmaster,
                params: Parameters::new(),
            },
        ],
        T0,
    )
    .unwrap();
}

#[test]
fn rfc5321_timeouts_follow_the_awaited_reply() {
    let mut c = client();
    // §4.5.3.2.1: 5 minutes for the greeting.
    assert_eq!(c.poll_timeout(), Some(T0 + Duration::from_secs(300)));
    assert_eq!(c.handle_timeout(T0 + Duration::from_secs(299)), None);
    c.receive(b"220 mx\r\n250-mx\r\n250 PIPELINING\r\n", T0)
        .unwrap();
    drain(&mut c);
    assert_eq!(c.poll_timeout(), None, "idle: nothing awaited");
    envelope(&mut c);
    assert_eq!(c.poll_timeout(), Some(T0 + Duration::from_secs(300)));
    c.receive(b"250 ok\r\n250 ok\r\n250 ok\r\n", T0).unwrap();
    drain(&mut c);
    c.data(T0).unwrap();
    // §4.5.3.2.4: 2 minutes for the 354.
    assert_eq!(c.poll_timeout(), Some(T0 + Duration::from_secs(120)));
    c.receive(b"354 go\r\n", T0).unwrap();
    assert_eq!(drain(&mut c), [ClientEvent::DataReady]);
    // §4.5.3.2.5: 3 minutes between data blocks.
    c.send_body(b"x", T0).unwrap();
    assert_eq!(c.poll_timeout(), Some(T0 + Duration::from_secs(180)));
    c.finish_body(T0).unwrap();
    // §4.5.3.2.6: 10 minutes for the final reply.
    assert_eq!(c.poll_timeout(), Some(T0 + Duration::from_secs(600)));
    assert_eq!(
        c.handle_timeout(T0 + Duration::from_secs(600)),
        Some(Error::Timeout("the end-of-data reply"))
    );
    assert!(c.is_closed());
    assert_eq!(c.next_event(), Err(Error::Timeout("the end-of-data reply")));
}

#[test]
fn without_pipelining_commands_go_one_at_a_time() {
    let mut c = client();
    c.receive(b"220 mx\r\n250 mx\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(sent(&mut c), "EHLO me.example\r\n");
    envelope(&mut c);
    assert_eq!(sent(&mut c), "MAIL FROM:<>\r\n");
    c.receive(b"250 ok\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(sent(&mut c), "RCPT TO:<a@x.example>\r\n");
    c.receive(b"550 no\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(sent(&mut c), "RCPT TO:<Postmaster>\r\n");
    c.receive(b"250 ok\r\n", T0).unwrap();
    let ev = drain(&mut c);
    match &ev[..] {
        [ClientEvent::Envelope { mail, recipients }] => {
            assert_eq!(mail.code().get(), 250);
            assert_eq!(
                recipients
                    .iter()
                    .map(|o| o.reply.code().get())
                    .collect::<Vec<_>>(),
                [550, 250]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pipelined_envelope_goes_in_one_group() {
    let mut c = client();
    c.receive(b"220 mx\r\n250-mx\r\n250 PIPELINING\r\n", T0)
        .unwrap();
    drain(&mut c);
    sent(&mut c);
    envelope(&mut c);
    assert_eq!(
        sent(&mut c),
        "MAIL FROM:<>\r\nRCPT TO:<a@x.example>\r\nRCPT TO:<Postmaster>\r\n"
    );
}

#[test]
fn refused_mail_reports_the_envelope_without_sending_held_rcpts() {
    let mut c = client();
    c.receive(b"220 mx\r\n250 mx\r\n", T0).unwrap();
    drain(&mut c);
    sent(&mut c);
    envelope(&mut c);
    sent(&mut c);
    c.receive(b"550 5.7.1 go away\r\n", T0).unwrap();
    let ev = drain(&mut c);
    assert!(matches!(&ev[..], [ClientEvent::Envelope { recipients, .. }] if recipients.is_empty()));
    assert_eq!(sent(&mut c), "");
    assert_eq!(
        c.data(T0),
        Err(Error::Misuse("DATA needs an accepted envelope"))
    );
}

#[test]
fn greeting_554_is_refused_and_quit_sent() {
    let mut c = client();
    c.receive(b"554 5.7.1 no service\r\n221 bye\r\n", T0)
        .unwrap();
    let ev = drain(&mut c);
    assert!(
        matches!(&ev[..], [ClientEvent::Refused(r), ClientEvent::Closed(_)] if r.code().get() == 554)
    );
    assert_eq!(sent(&mut c), "QUIT\r\n");
    assert!(c.is_closed());
}

#[test]
fn unsolicited_421_closes_the_session() {
    let mut c = client();
    c.receive(b"220 mx\r\n250 mx\r\n421 4.4.2 mx timeout\r\n", T0)
        .unwrap();
    let ev = drain(&mut c);
    assert!(matches!(ev.last(), Some(ClientEvent::Refused(r)) if r.code().get() == 421));
    assert!(c.is_closed());
}

#[test]
fn unexpected_reply_is_a_sticky_error() {
    let mut c = client();
    c.receive(b"220 mx\r\n250 mx\r\n250 what\r\n", T0).unwrap();
    assert!(matches!(c.next_event(), Ok(Some(ClientEvent::Greeting(_)))));
    assert!(matches!(c.next_event(), Ok(Some(ClientEvent::Ready(_)))));
    assert_eq!(c.next_event(), Err(Error::UnexpectedReply { code: 250 }));
    assert_eq!(c.next_event(), Err(Error::UnexpectedReply { code: 250 }));
    assert_eq!(
        c.receive(b"x", T0),
        Err(Error::UnexpectedReply { code: 250 })
    );
}

#[test]
fn malformed_reply_is_a_sticky_error() {
    let mut c = client();
    c.receive(b"22O mx\r\n", T0).unwrap();
    assert_eq!(
        c.next_event(),
        Err(Error::Syntax {
            offset: 2,
            expected: "Reply-code"
        })
    );
}

#[test]
fn auth_refuses_plaintext_without_tls_and_unoffered_mechanisms() {
    let mut c = client();
    c.receive(b"220 mx\r\n250-mx\r\n250 AUTH PLAIN\r\n", T0)
        .unwrap();
    drain(&mut c);
    assert_eq!(
        c.authenticate(SaslClient::plain(None, "u", "p"), T0),
        Err(Error::PlaintextAuthRefused)
    );
    assert!(Error::PlaintextAuthRefused.is_local());
    assert_eq!(
        c.authenticate(SaslClient::cram_md5("u", "p"), T0),
        Err(Error::Misuse("mechanism not offered by the server"))
    );
    let mut cfg = ClientConfig::new(Host::parse("me.example").unwrap().into_owned());
    cfg.allow_plaintext_auth = true;
    let mut c = Client::new(cfg, T0);
    c.receive(b"220 mx\r\n250-mx\r\n250 AUTH PLAIN\r\n", T0)
        .unwrap();
    drain(&mut c);
    sent(&mut c);
    c.authenticate(SaslClient::plain(None, "u", "p"), T0)
        .unwrap();
    assert_eq!(sent(&mut c), "AUTH PLAIN AHUAcA==\r\n");
    c.receive(b"535 5.7.8 bad\r\n", T0).unwrap();
    assert!(matches!(&drain(&mut c)[..], [ClientEvent::AuthFailed(r)] if r.code().get() == 535));
}

#[test]
fn auth_login_answers_challenges() {
    let mut cfg = ClientConfig::new(Host::parse("me.example").unwrap().into_owned());
    cfg.tls = true;
    let mut c = Client::new(cfg, T0);
    c.receive(b"220 mx\r\n250-mx\r\n250 AUTH LOGIN\r\n", T0)
        .unwrap();
    drain(&mut c);
    sent(&mut c);
    c.authenticate(SaslClient::login("tim", "tanstaaftanstaaf"), T0)
        .unwrap();
    assert_eq!(sent(&mut c), "AUTH LOGIN\r\n");
    c.receive(b"334 VXNlcm5hbWU6\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(sent(&mut c), "dGlt\r\n");
    c.receive(b"334 UGFzc3dvcmQ6\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(sent(&mut c), "dGFuc3RhYWZ0YW5zdGFhZg==\r\n");
    c.receive(b"235 2.7.0 ok\r\n", T0).unwrap();
    assert_eq!(drain(&mut c), [ClientEvent::Authenticated]);
}

#[test]
fn starttls_ignores_bytes_before_the_handshake_and_says_ehlo_again() {
    let mut c = client();
    c.receive(b"220 mx\r\n250-mx\r\n250 STARTTLS\r\n", T0)
        .unwrap();
    drain(&mut c);
    sent(&mut c);
    c.start_tls(T0).unwrap();
    assert_eq!(sent(&mut c), "STARTTLS\r\n");
    // A man in the middle appends a fake reply after the 220 (CVE-2011-1575 style).
    c.receive(b"220 go\r\n250 injected\r\n", T0).unwrap();
    assert_eq!(drain(&mut c), [ClientEvent::TlsReady]);
    c.receive(b"250 more injected\r\n", T0).unwrap();
    c.tls_established(T0).unwrap();
    assert!(c.is_tls());
    assert_eq!(sent(&mut c), "EHLO me.example\r\n");
    c.receive(b"250 mx\r\n", T0).unwrap();
    assert!(matches!(&drain(&mut c)[..], [ClientEvent::Ready(_)]));
    assert_eq!(c.start_tls(T0), Err(Error::Misuse("STARTTLS not offered")));
}

#[test]
fn bdat_needs_chunking() {
    let mut c = client();
    c.receive(b"220 mx\r\n250-mx\r\n250 PIPELINING\r\n", T0)
        .unwrap();
    drain(&mut c);
    envelope(&mut c);
    c.receive(b"250 ok\r\n250 ok\r\n250 ok\r\n", T0).unwrap();
    drain(&mut c);
    assert_eq!(
        c.send_chunk(b"x", true, T0),
        Err(Error::Misuse("CHUNKING not offered"))
    );
}
