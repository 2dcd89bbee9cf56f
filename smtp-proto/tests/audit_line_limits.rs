//! Audit of issue #4, "length limits of §4.5.3.1" against the extensions that raise them:
//! RFC 5321 §4.5.3.1.4 "SMTP extensions may be used to increase this limit", and RFC 3461
//! §5.4 "A conforming MTA MUST be able to accept SMTP command-lines which are at least 1036
//! characters long (530 characters for the ORCPT and NOTIFY parameters of the RCPT
//! command ...) ... any combination of ESMTP parameters which may be used with that
//! command". MAIL grows by 26 (SIZE, RFC 1870 §3), 16 (BODY, RFC 3030 §3), 10 (SMTPUTF8,
//! RFC 6531 §3.1), 11 (REQUIRETLS, RFC 8689 §2), 500 (AUTH=, RFC 4954 §3), ...

use std::time::Duration;

use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

const T0: Duration = Duration::from_secs(10);

fn xtext(len: usize) -> XText<'static> {
    XText::new("o".repeat(len)).unwrap()
}

/// `RCPT TO:<rcpt@example.org> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;ooo…`: ORCPT and
/// NOTIFY within RFC 3461 §5.4's 530 octets (500 for ORCPT).
fn dsn_rcpt(orcpt_len: usize) -> RcptTo<'static> {
    let params = Parameters::from_list(vec![
        Parameter::Notify(Notify::On {
            success: true,
            failure: true,
            delay: true,
        }),
        Parameter::Orcpt(Orcpt::new("rfc822", xtext(orcpt_len)).unwrap()),
    ])
    .unwrap();
    RcptTo::new(
        ForwardPath::Mailbox(Mailbox::parse("rcpt@example.org").unwrap().into_owned()),
        params,
    )
    .unwrap()
}

/// `MAIL FROM:<…> SIZE=… BODY=8BITMIME SMTPUTF8 REQUIRETLS AUTH=ooo… RET=HDRS ENVID=ooo…`.
fn big_mail(auth_len: usize, envid_len: usize) -> MailFrom<'static> {
    let params = Parameters::from_list(vec![
        Parameter::Size(u64::MAX),
        Parameter::Body(Body::EightBitMime),
        Parameter::SmtpUtf8,
        Parameter::RequireTls,
        Parameter::Auth(AuthParam::Mailbox(xtext(auth_len))),
        Parameter::Ret(Ret::Hdrs),
        Parameter::EnvId(xtext(envid_len)),
    ])
    .unwrap();
    MailFrom::new(
        ReversePath::Mailbox(Mailbox::parse("sender@example.org").unwrap().into_owned()),
        params,
    )
    .unwrap()
}

#[test]
fn a_dsn_rcpt_line_over_512_octets_is_built_decoded_and_accepted() {
    let rcpt = Command::RcptTo(dsn_rcpt(480));
    let line = rcpt.to_bytes();
    assert!(line.len() > 512 && line.len() <= 1036, "{}", line.len());
    let (back, used) = Command::decode(&line).unwrap().complete().unwrap();
    assert_eq!((back, used), (rcpt, line.len()));
}

#[test]
fn a_mail_line_with_auth_and_dsn_parameters_is_built_decoded_and_accepted() {
    let mail = Command::MailFrom(big_mail(480, 100));
    let line = mail.to_bytes();
    assert!(line.len() > 512 + 26 + 16 + 10 + 11, "{}", line.len());
    let (back, used) = Command::decode(&line).unwrap().complete().unwrap();
    assert_eq!((back, used), (mail, line.len()));
}

#[test]
fn unknown_parameters_get_no_allowance_and_other_commands_stay_at_512() {
    let other = |n: usize| Parameter::Other {
        keyword: EsmtpKeyword::new("X-A").unwrap(),
        value: Some(EsmtpValue::new("v".repeat(n)).unwrap()),
    };
    // 512 - "MAIL FROM:<> " - "X-A=" - CRLF.
    assert!(Parameters::from_list(vec![other(493)]).is_ok());
    assert!(Parameters::from_list(vec![other(494)]).is_err());
    // With SIZE the line may be 26 octets longer (RFC 1870 §3), and no more.
    let size = Parameter::Size(1);
    let with = |n| Parameters::from_list(vec![size.clone(), other(n)]);
    let room = 493 + 26 - " SIZE=1".len();
    let ok = with(room).unwrap();
    assert!(with(room + 1).is_err());
    let mail = MailFrom::new(ReversePath::Null, ok).unwrap();
    assert_eq!(Command::MailFrom(mail).to_bytes().len(), 512 + 26);
    // The decoder's limits.
    let mut vrfy = b"VRFY ".to_vec();
    vrfy.extend(std::iter::repeat_n(b'v', 600));
    vrfy.extend_from_slice(b"\r\n");
    assert!(matches!(
        Command::decode(&vrfy),
        Err(Error::LineTooLong { limit: 512 })
    ));
    let mut rcpt = b"RCPT TO:<a@b.c> X-A=".to_vec();
    rcpt.extend(std::iter::repeat_n(b'v', 1100));
    rcpt.extend_from_slice(b"\r\n");
    assert!(matches!(
        Command::decode(&rcpt),
        Err(Error::LineTooLong { limit }) if limit == MAX_RCPT_LINE
    ));
    assert_eq!(MAX_RCPT_LINE, 512 + 530);
    assert_eq!(MAX_MAIL_LINE, 1281);
}

#[test]
fn the_server_accepts_the_longer_mail_and_rcpt_lines_and_the_client_sends_them() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.tls = true;
    cfg.extra_capabilities = vec![Capability::Dsn, Capability::RequireTls];
    cfg.auth_mechanisms = vec![AuthMechanism::PLAIN];
    let mut server = Server::new(cfg, T0);
    server.greet().unwrap();
    let mut cc = ClientConfig::new(Host::parse("c.example").unwrap().into_owned());
    cc.tls = true;
    let mut client = Client::new(cc, T0);
    let mut seen = Vec::new();
    let mut sent = false;
    for _ in 0..20 {
        let out = server.transmit().to_vec();
        server.consumed(out.len());
        client.receive(&out, T0).unwrap();
        while let Some(ev) = client.next_event().unwrap() {
            match ev {
                ClientEvent::Ready(_) if !sent => {
                    sent = true;
                    client
                        .send_envelope(big_mail(480, 100), vec![dsn_rcpt(480)], T0)
                        .unwrap();
                }
                ClientEvent::Envelope { mail, recipients } => {
                    seen.push(mail.code().get());
                    seen.extend(recipients.iter().map(|r| r.reply.code().get()));
                }
                _ => {}
            }
        }
        let out = client.transmit().to_vec();
        client.consumed(out.len());
        server.receive(&out, T0).unwrap();
        while let Some(ev) = server.next_event().unwrap() {
            match ev {
                Event::Command(Command::Ehlo(_)) => server.reply_ehlo().unwrap(),
                Event::Command(_) => server.reply(&Reply::new(250, None, "ok").unwrap()).unwrap(),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(seen, [250, 250]);
}

#[test]
fn a_long_rcpt_line_is_accepted_by_the_server_at_any_chunking() {
    let rcpt = Command::RcptTo(dsn_rcpt(480)).to_bytes();
    let mut input = b"EHLO c\r\nMAIL FROM:<>\r\n".to_vec();
    input.extend_from_slice(&rcpt);
    input.extend_from_slice(b"NOOP\r\n");
    let mut cfg = ServerConfig::new("mx.example");
    cfg.extra_capabilities = vec![Capability::Dsn];
    for chunk in [1, 2, 3, 4, 5, 7, 64, 511, 513, input.len()] {
        let mut s = Server::new(cfg.clone(), T0);
        s.greet().unwrap();
        let mut verbs = Vec::new();
        for part in input.chunks(chunk) {
            s.receive(part, T0).unwrap();
            while let Some(ev) = s.next_event().unwrap() {
                match ev {
                    Event::Command(Command::Ehlo(_)) => s.reply_ehlo().unwrap(),
                    Event::Command(c) => {
                        verbs.push(c.verb().to_string());
                        s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap()
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(verbs, ["MAIL", "RCPT", "NOOP"], "chunk {chunk}");
        assert!(!String::from_utf8_lossy(s.transmit()).contains("500"));
    }
}
