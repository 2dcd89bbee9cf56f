//! The client sends a MAIL or RCPT parameter only when the server's EHLO response allows
//! it (RFC 5321 §4.1.1.11), and refuses before writing anything otherwise.

#[path = "common/ready.rs"]
mod common;

use std::borrow::Cow;

use common::T0;
use smtp_proto::client::{Client, ClientConfig};
use smtp_proto::*;

/// A ready client that has seen `250-mx` and then `caps` (one keyword line each).
fn ready(caps: &[&str], tls: bool) -> Client {
    let mut lines = vec!["mx".to_string()];
    lines.extend(caps.iter().map(|s| s.to_string()));
    let ehlo = Reply::multiline(250, None, lines.into_iter().map(Cow::Owned).collect()).unwrap();
    common::ready(&ehlo.to_bytes(), tls)
}

fn params(list: Vec<Parameter<'static>>) -> Parameters<'static> {
    Parameters::from_list(list).unwrap()
}

fn mailbox(s: &str) -> Mailbox<'static> {
    Mailbox::parse(s).unwrap().into_owned()
}

/// Sends an envelope with `mail` parameters on MAIL and `rcpt` on the one RCPT. On
/// success, checks that the MAIL and RCPT lines went out with their parameters; on error,
/// that nothing was written and the session is still usable.
fn send(
    caps: &[&str],
    tls: bool,
    mail: Vec<Parameter<'static>>,
    rcpt_to: &str,
    rcpt: Vec<Parameter<'static>>,
) -> Result<(), Error> {
    let mut c = ready(caps, tls);
    let mail = MailFrom::new(ReversePath::Mailbox(mailbox("a@x.example")), params(mail)).unwrap();
    let rcpt = RcptTo::new(ForwardPath::Mailbox(mailbox(rcpt_to)), params(rcpt)).unwrap();
    let result = c.send_envelope(mail.clone(), vec![rcpt.clone()], T0);
    match &result {
        Ok(()) => {
            let mut expected = Command::MailFrom(mail).to_bytes();
            if caps.contains(&"PIPELINING") {
                expected.extend_from_slice(&Command::RcptTo(rcpt).to_bytes());
            }
            assert_eq!(
                String::from_utf8_lossy(c.transmit()),
                String::from_utf8_lossy(&expected)
            );
        }
        Err(e) => {
            assert!(c.transmit().is_empty(), "nothing written for {e}");
            assert!(e.is_local());
            // Still usable: a plain envelope goes out.
            let plain = MailFrom::new(ReversePath::Null, Parameters::new()).unwrap();
            let to = RcptTo::new(ForwardPath::Postmaster, Parameters::new()).unwrap();
            c.send_envelope(plain, vec![to], T0).unwrap();
            assert!(c.transmit().starts_with(b"MAIL FROM:<>\r\n"));
        }
    }
    result
}

fn mail_param(caps: &[&str], p: Parameter<'static>) -> Result<(), Error> {
    send(caps, false, vec![p], "b@y.example", vec![])
}

fn rcpt_param(caps: &[&str], p: Parameter<'static>) -> Result<(), Error> {
    send(caps, false, vec![], "b@y.example", vec![p])
}

fn not_offered(parameter: &'static str, capability: &'static str) -> Result<(), Error> {
    Err(Error::ParameterNotOffered {
        parameter,
        capability,
    })
}

#[test]
fn smtputf8_parameter_needs_smtputf8() {
    assert_eq!(
        mail_param(&["8BITMIME"], Parameter::SmtpUtf8),
        not_offered("SMTPUTF8", "SMTPUTF8")
    );
    assert_eq!(mail_param(&["SMTPUTF8"], Parameter::SmtpUtf8), Ok(()));
}

#[test]
fn utf8_address_needs_smtputf8_offered_and_given() {
    let to = "j\u{f6}rg@b\u{fc}cher.example";
    assert_eq!(
        send(&["8BITMIME"], false, vec![], to, vec![]),
        not_offered("UTF-8 address", "SMTPUTF8")
    );
    assert!(matches!(
        send(&["SMTPUTF8"], false, vec![], to, vec![]),
        Err(Error::Misuse(_))
    ));
    assert_eq!(
        send(&["SMTPUTF8"], false, vec![Parameter::SmtpUtf8], to, vec![]),
        Ok(())
    );
}

#[test]
fn size_above_the_advertised_limit_fails_before_sending() {
    // RFC 1870 §6.
    assert_eq!(
        mail_param(&["SIZE 1000"], Parameter::Size(1001)),
        Err(Error::ParameterAboveLimit {
            parameter: "SIZE",
            value: 1001,
            limit: 1000
        })
    );
    assert_eq!(mail_param(&["SIZE 1000"], Parameter::Size(1000)), Ok(()));
    // "SIZE" alone and "SIZE 0": no fixed limit.
    assert_eq!(mail_param(&["SIZE"], Parameter::Size(u64::MAX)), Ok(()));
    assert_eq!(mail_param(&["SIZE 0"], Parameter::Size(u64::MAX)), Ok(()));
    assert_eq!(
        mail_param(&["8BITMIME"], Parameter::Size(1)),
        not_offered("SIZE", "SIZE")
    );
}

#[test]
fn body_needs_8bitmime_or_binarymime_and_chunking() {
    assert_eq!(
        mail_param(&["SIZE"], Parameter::Body(Body::EightBitMime)),
        not_offered("BODY=8BITMIME", "8BITMIME")
    );
    assert_eq!(
        mail_param(&["8BITMIME"], Parameter::Body(Body::EightBitMime)),
        Ok(())
    );
    assert_eq!(
        mail_param(&["SIZE"], Parameter::Body(Body::SevenBit)),
        not_offered("BODY=7BIT", "8BITMIME")
    );
    assert_eq!(
        mail_param(&["8BITMIME"], Parameter::Body(Body::SevenBit)),
        Ok(())
    );
    // RFC 3030 §3: BINARYMIME goes with CHUNKING.
    assert_eq!(
        mail_param(&["8BITMIME", "CHUNKING"], Parameter::Body(Body::BinaryMime)),
        not_offered("BODY=BINARYMIME", "BINARYMIME")
    );
    assert_eq!(
        mail_param(&["BINARYMIME"], Parameter::Body(Body::BinaryMime)),
        not_offered("BODY=BINARYMIME", "CHUNKING")
    );
    assert_eq!(
        mail_param(
            &["BINARYMIME", "CHUNKING"],
            Parameter::Body(Body::BinaryMime)
        ),
        Ok(())
    );
}

#[test]
fn a_binarymime_message_is_not_sent_with_data() {
    let mut c = ready(&["PIPELINING", "BINARYMIME", "CHUNKING"], false);
    let mail = MailFrom::new(
        ReversePath::Null,
        params(vec![Parameter::Body(Body::BinaryMime)]),
    )
    .unwrap();
    let to = RcptTo::new(ForwardPath::Postmaster, Parameters::new()).unwrap();
    c.send_envelope(mail, vec![to], T0).unwrap();
    c.receive(b"250 ok\r\n250 ok\r\n", T0).unwrap();
    while c.next_event().unwrap().is_some() {}
    let n = c.transmit().len();
    c.consumed(n);
    assert!(matches!(c.data(T0), Err(Error::Misuse(_))));
    assert!(c.transmit().is_empty());
    c.send_chunk(b"x", true, T0).unwrap();
    assert_eq!(c.transmit(), b"BDAT 1 LAST\r\nx");
}

#[test]
fn dsn_parameters_need_dsn() {
    let xtext = || XText::encode(b"x").unwrap();
    let cases = [
        (true, Parameter::Ret(Ret::Hdrs), "RET"),
        (true, Parameter::EnvId(xtext()), "ENVID"),
        (false, Parameter::Notify(Notify::Never), "NOTIFY"),
        (
            false,
            Parameter::Orcpt(Orcpt {
                addr_type: Cow::Borrowed("rfc822"),
                addr: xtext(),
            }),
            "ORCPT",
        ),
    ];
    for (on_mail, p, name) in cases {
        let attempt = |caps: &[&str]| {
            if on_mail {
                mail_param(caps, p.clone())
            } else {
                rcpt_param(caps, p.clone())
            }
        };
        assert_eq!(attempt(&["8BITMIME"]), not_offered(name, "DSN"));
        assert_eq!(attempt(&["DSN"]), Ok(()), "{name}");
    }
}

#[test]
fn requiretls_needs_requiretls_and_tls() {
    assert_eq!(
        send(
            &["8BITMIME"],
            true,
            vec![Parameter::RequireTls],
            "b@y.example",
            vec![]
        ),
        not_offered("REQUIRETLS", "REQUIRETLS")
    );
    // RFC 8689 §2: only over TLS.
    assert_eq!(
        send(
            &["REQUIRETLS"],
            false,
            vec![Parameter::RequireTls],
            "b@y.example",
            vec![]
        ),
        Err(Error::ParameterNeedsTls {
            parameter: "REQUIRETLS"
        })
    );
    assert_eq!(
        send(
            &["REQUIRETLS"],
            true,
            vec![Parameter::RequireTls],
            "b@y.example",
            vec![]
        ),
        Ok(())
    );
}

#[test]
fn mt_priority_needs_mt_priority() {
    assert_eq!(
        mail_param(&["DSN"], Parameter::MtPriority(3)),
        not_offered("MT-PRIORITY", "MT-PRIORITY")
    );
    assert_eq!(
        mail_param(&["MT-PRIORITY"], Parameter::MtPriority(3)),
        Ok(())
    );
    assert_eq!(
        mail_param(&["MT-PRIORITY MIXER"], Parameter::MtPriority(-3)),
        Ok(())
    );
}

#[test]
fn holdfor_and_holduntil_need_futurerelease() {
    const FR: &str = "FUTURERELEASE 604800 2030-01-01T00:00:00Z";
    let until = || Parameter::HoldUntil(DateTime::new("2029-06-01T12:00:00Z").unwrap());
    assert_eq!(
        mail_param(&["DSN"], Parameter::HoldFor(60)),
        not_offered("HOLDFOR", "FUTURERELEASE")
    );
    assert_eq!(
        mail_param(&["DSN"], until()),
        not_offered("HOLDUNTIL", "FUTURERELEASE")
    );
    assert_eq!(mail_param(&[FR], Parameter::HoldFor(604_800)), Ok(()));
    assert_eq!(mail_param(&[FR], until()), Ok(()));
    // Longer than the advertised max-future-release-interval.
    assert_eq!(
        mail_param(&[FR], Parameter::HoldFor(604_801)),
        Err(Error::ParameterAboveLimit {
            parameter: "HOLDFOR",
            value: 604_801,
            limit: 604_800
        })
    );
}

#[test]
fn by_needs_deliverby() {
    let by = Parameter::By(By {
        time: 3600,
        mode: ByMode::Return,
        trace: false,
    });
    assert_eq!(
        mail_param(&["DSN"], by.clone()),
        not_offered("BY", "DELIVERBY")
    );
    assert_eq!(mail_param(&["DELIVERBY"], by.clone()), Ok(()));
    assert_eq!(mail_param(&["DELIVERBY 60"], by), Ok(()));
}

#[test]
fn auth_parameter_needs_auth() {
    let auth = Parameter::Auth(AuthParam::Mailbox(XText::encode(b"e+e@x.example").unwrap()));
    assert_eq!(
        mail_param(&["DSN"], auth.clone()),
        not_offered("AUTH", "AUTH")
    );
    assert_eq!(mail_param(&["AUTH PLAIN"], auth), Ok(()));
    assert_eq!(
        mail_param(&["AUTH CRAM-MD5"], Parameter::Auth(AuthParam::Unknown)),
        Ok(())
    );
}

#[test]
fn unknown_parameters_and_pipelined_envelopes_are_checked_alike() {
    let other = Parameter::Other {
        keyword: EsmtpKeyword::new("X-TRACE").unwrap(),
        value: Some(EsmtpValue::new("1").unwrap()),
    };
    // Unknown parameters are the caller's business.
    assert_eq!(mail_param(&[], other), Ok(()));
    // With PIPELINING the RCPT goes out with MAIL, and is checked before either.
    assert_eq!(
        send(
            &["PIPELINING"],
            false,
            vec![],
            "b@y.example",
            vec![Parameter::Notify(Notify::Never)]
        ),
        not_offered("NOTIFY", "DSN")
    );
    assert_eq!(
        send(
            &["PIPELINING", "DSN"],
            false,
            vec![],
            "b@y.example",
            vec![Parameter::Notify(Notify::Never)]
        ),
        Ok(())
    );
}

#[test]
fn after_the_helo_fallback_no_parameter_is_sent() {
    let mut c = Client::new(
        ClientConfig::new(Host::parse("me.example").unwrap().into_owned()),
        T0,
    );
    c.receive(b"220 mx\r\n502 no EHLO\r\n250 mx\r\n", T0)
        .unwrap();
    while c.next_event().unwrap().is_some() {}
    let n = c.transmit().len();
    c.consumed(n);
    let mail = MailFrom::new(ReversePath::Null, params(vec![Parameter::Size(10)])).unwrap();
    let to = RcptTo::new(ForwardPath::Postmaster, Parameters::new()).unwrap();
    assert_eq!(
        c.send_envelope(mail, vec![to], T0),
        not_offered("SIZE", "SIZE")
    );
    assert!(c.transmit().is_empty());
}
