//! Writers cannot produce a command line longer than RFC 5321 §4.5.3.1.4 allows (512
//! octets, CRLF included): the builders refuse it, and what they accept decodes.

use smtp_proto::*;

fn other(kw: &str, len: usize) -> Parameter<'static> {
    Parameter::Other {
        keyword: EsmtpKeyword::new(kw.to_string()).unwrap(),
        value: Some(EsmtpValue::new("v".repeat(len)).unwrap()),
    }
}

/// A parameter list whose wire form is exactly `n` octets (`X-A=vvv...`).
fn params_of_len(n: usize) -> Vec<Parameter<'static>> {
    vec![other("X-A", n - 4)]
}

#[test]
fn parameter_lists_that_fit_no_line_are_refused() {
    assert_eq!(MAX_PARAMETERS, 512 - "MAIL FROM:<> ".len() - 2);
    let fits = Parameters::from_list(params_of_len(MAX_PARAMETERS)).unwrap();
    let mail = MailFrom::new(ReversePath::Null, fits).unwrap();
    let line = Command::MailFrom(mail.clone()).to_bytes();
    assert_eq!(line.len(), MAX_COMMAND_LINE);
    let (back, used) = Command::decode(&line).unwrap().complete().unwrap();
    assert_eq!(used, line.len());
    assert_eq!(back, Command::MailFrom(mail));

    assert_eq!(
        Parameters::from_list(params_of_len(MAX_PARAMETERS + 1)),
        Err(Error::LimitExceeded {
            what: "command line",
            limit: 512
        })
    );
    // Several parameters: the separating spaces count.
    let two = vec![other("X-A", 240), other("X-B", 250)];
    let len: usize = two.iter().map(|p| p.to_bytes().len()).sum::<usize>() + 1;
    assert_eq!(len, 244 + 254 + 1);
    assert!(len > MAX_PARAMETERS);
    assert!(Parameters::from_list(two).is_err());
}

#[test]
fn mail_and_rcpt_lines_longer_than_512_are_refused() {
    let long_box =
        Mailbox::parse("a-rather-long-local-part.with.dots@sub.domain.example.org").unwrap();
    let room = 512 - "RCPT TO:<".len() - long_box.to_string().len() - "> ".len() - 2;
    let ok = Parameters::from_list(params_of_len(room)).unwrap();
    let rcpt = RcptTo::new(ForwardPath::Mailbox(long_box.clone()), ok).unwrap();
    let line = Command::RcptTo(rcpt.clone()).to_bytes();
    assert_eq!(line.len(), 512);
    assert_eq!(
        Command::decode(&line).unwrap().complete().unwrap().0,
        Command::RcptTo(rcpt)
    );
    let too_long = Parameters::from_list(params_of_len(room + 1)).unwrap();
    assert_eq!(
        RcptTo::new(ForwardPath::Mailbox(long_box.clone()), too_long.clone()),
        Err(Error::LimitExceeded {
            what: "command line",
            limit: 512
        })
    );
    // "MAIL FROM:" is two octets longer than "RCPT TO:".
    let mail_room = room - 2;
    assert!(
        MailFrom::new(
            ReversePath::Mailbox(long_box.clone()),
            Parameters::from_list(params_of_len(mail_room)).unwrap()
        )
        .is_ok()
    );
    let built_by_hand = Command::MailFrom(MailFrom {
        path: ReversePath::Mailbox(long_box.clone()),
        params: Parameters::from_list(params_of_len(mail_room + 1)).unwrap(),
    });
    assert!(MailFrom::new(ReversePath::Mailbox(long_box), too_long).is_err());
    // A command assembled from the public fields is caught by the check the client runs.
    assert_eq!(built_by_hand.to_bytes().len(), 513);
    assert!(built_by_hand.check_line_length().is_err());
    // A receiver accepts MAIL lines up to MAX_MAIL_LINE (RFC 3461 §5.4: any combination
    // of the extensions' parameters), so the writer's check is the stricter one.
    assert!(Command::decode(&built_by_hand.to_bytes()).is_ok());
    assert!(Command::Quit.check_line_length().is_ok());
}

#[test]
fn the_client_refuses_an_over_long_hand_built_envelope_before_writing() {
    use smtp_proto::client::{Client, ClientConfig};
    use std::time::Duration;
    let t0 = Duration::from_secs(1000);
    let mut c = Client::new(
        ClientConfig::new(Host::parse("me.example").unwrap().into_owned()),
        t0,
    );
    c.receive(b"220 mx\r\n250-mx\r\n250 PIPELINING\r\n", t0)
        .unwrap();
    while c.next_event().unwrap().is_some() {}
    let n = c.transmit().len();
    c.consumed(n);
    let rcpt = |params| RcptTo {
        path: ForwardPath::Mailbox(Mailbox::parse("a@x.example").unwrap().into_owned()),
        params,
    };
    let mail = MailFrom {
        path: ReversePath::Null,
        params: Parameters::new(),
    };
    // 512 - "RCPT TO:<a@x.example> " - CRLF = 488 octets of parameters fit; 489 do not.
    let too_long = Parameters::from_list(vec![other("X-A", 489 - 4)]).unwrap();
    assert_eq!(
        c.send_envelope(mail.clone(), vec![rcpt(too_long)], t0),
        Err(Error::LimitExceeded {
            what: "command line",
            limit: 512
        })
    );
    assert!(c.transmit().is_empty(), "nothing was written");
    // The session is still usable, and a line of exactly 512 octets goes out.
    let fits = Parameters::from_list(vec![other("X-A", 488 - 4)]).unwrap();
    c.send_envelope(mail, vec![rcpt(fits)], t0).unwrap();
    let out = c.transmit().to_vec();
    let rcpt_line = out.split_inclusive(|b| *b == b'\n').nth(1).unwrap();
    assert!(rcpt_line.starts_with(b"RCPT TO:<a@x.example> X-A="));
    assert_eq!(rcpt_line.len(), 512);
}

/// `len` octets of argument text.
fn text_of_len(len: usize) -> Result<Text<'static>, Error> {
    Text::new("v".repeat(len))
}

const TOO_LONG: Error = Error::LimitExceeded {
    what: "command line",
    limit: 512,
};

#[test]
fn text_arguments_are_bounded_so_vrfy_expn_help_noop_etrn_lines_fit() {
    assert_eq!(MAX_TEXT, 512 - "VRFY ".len() - 2);
    let commands: [fn(Text<'static>) -> Command<'static>; 5] = [
        Command::Vrfy,
        Command::Expn,
        |t| Command::Help(Some(t)),
        |t| Command::Noop(Some(t)),
        Command::Etrn,
    ];
    for make in commands {
        // 511 and 512 octets with CRLF: written, and decoded back to the same command.
        for (len, line_len) in [(MAX_TEXT - 1, 511), (MAX_TEXT, 512)] {
            let cmd = make(text_of_len(len).unwrap());
            let line = cmd.to_bytes();
            assert_eq!(line.len(), line_len);
            assert!(cmd.check_line_length().is_ok());
            let (back, used) = Command::decode(&line).unwrap().complete().unwrap();
            assert_eq!((back, used), (cmd, line_len));
        }
        // 513 octets: no such text can be built, and the line would not be read.
        let verb = make(text_of_len(1).unwrap()).verb().to_string();
        let line = format!("{verb} {}\r\n", "v".repeat(MAX_TEXT + 1));
        assert_eq!(line.len(), 513);
        assert!(matches!(
            Command::decode(line.as_bytes()),
            Err(Error::LineTooLong { limit: 512 })
        ));
    }
    assert_eq!(text_of_len(MAX_TEXT + 1), Err(TOO_LONG));
    assert_eq!(text_of_len(10_000), Err(TOO_LONG));
}

#[test]
fn auth_lines_are_bounded_at_512_with_the_initial_response() {
    // "AUTH " mechanism SP 496 octets of base64 CRLF = 504 + the mechanism's length.
    let ir = InitialResponse::Data(Base64::new("QUFB".repeat(124)).unwrap());
    for (mechanism, len, fits) in [
        ("ABCDEFG", 511, true),
        ("ABCDEFGH", 512, true),
        ("ABCDEFGHI", 513, false),
    ] {
        let cmd = Command::Auth {
            mechanism: AuthMechanism::new(mechanism).unwrap(),
            initial_response: Some(ir.clone()),
        };
        assert_eq!(cmd.to_bytes().len(), len);
        assert_eq!(cmd.check_line_length().is_ok(), fits, "{len}");
    }
    // Exchange lines may be up to 12288 octets (RFC 4954 §4).
    let response = |n: usize| AuthResponse::Data(Base64::new("QUFB".repeat(n / 4)).unwrap());
    assert_eq!(response(12_284).to_bytes().len(), 12_286);
    assert!(response(12_284).check_line_length().is_ok());
    assert_eq!(response(12_288).to_bytes().len(), 12_290);
    assert_eq!(
        response(12_288).check_line_length(),
        Err(Error::LimitExceeded {
            what: "command line",
            limit: 12_288
        })
    );
}

#[path = "common/ready.rs"]
mod ready;

mod client {
    use mail_common::sasl::SaslClient;
    use smtp_proto::client::ClientEvent;
    use smtp_proto::*;

    use super::ready::{T0, ready, sent};

    #[test]
    fn vrfy_of_the_longest_text_is_one_512_octet_line() {
        let mut c = ready(b"250-mx\r\n250 VRFY\r\n", false);
        c.vrfy(Text::new("v".repeat(MAX_TEXT)).unwrap(), T0)
            .unwrap();
        let line = sent(&mut c);
        assert!(line.starts_with("VRFY vvv"));
        assert_eq!(line.len(), 512);
    }

    #[test]
    fn an_initial_response_that_does_not_fit_512_octets_follows_the_first_334() {
        // EXTERNAL with a 372-octet authzid: "AUTH EXTERNAL " + 496 base64 + CRLF = 512.
        let authzid = "a".repeat(372);
        let mut c = ready(b"250-mx\r\n250 AUTH EXTERNAL\r\n", false);
        c.authenticate(SaslClient::external(Some(&authzid)), T0)
            .unwrap();
        let line = sent(&mut c);
        assert!(line.starts_with("AUTH EXTERNAL YWFh"));
        assert_eq!(line.len(), 512);

        // One octet more: 500 base64 octets, a 516-octet line. RFC 4954 §4: send AUTH
        // without it and answer the empty 334 with it.
        let authzid = "a".repeat(373);
        let mut c = ready(b"250-mx\r\n250 AUTH EXTERNAL\r\n", false);
        c.authenticate(SaslClient::external(Some(&authzid)), T0)
            .unwrap();
        assert_eq!(sent(&mut c), "AUTH EXTERNAL\r\n");
        c.receive(b"334 \r\n", T0).unwrap();
        assert_eq!(c.next_event().unwrap(), None);
        let response = sent(&mut c);
        assert_eq!(response.len(), 502);
        assert_eq!(
            mail_common::sasl::decode_base64(response.trim_end().as_bytes()).unwrap(),
            authzid.as_bytes()
        );
        c.receive(b"235 2.7.0 ok\r\n", T0).unwrap();
        assert_eq!(c.next_event().unwrap(), Some(ClientEvent::Authenticated));
    }

    #[test]
    fn an_exchange_response_longer_than_12288_octets_is_cancelled_not_written() {
        let mut c = ready(b"250-mx\r\n250 AUTH XOAUTH2\r\n", true);
        // The XOAUTH2 message is longer than 9213 octets: its base64 is over 12286.
        let token = "t".repeat(9300);
        c.authenticate_without_initial_response(SaslClient::xoauth2("u@x.example", &token), T0)
            .unwrap();
        assert_eq!(sent(&mut c), "AUTH XOAUTH2\r\n");
        c.receive(b"334 \r\n", T0).unwrap();
        assert_eq!(c.next_event().unwrap(), None);
        assert_eq!(sent(&mut c), "*\r\n");
        c.receive(b"501 5.0.0 cancelled\r\n", T0).unwrap();
        assert!(matches!(
            c.next_event().unwrap(),
            Some(ClientEvent::AuthFailed(_))
        ));
    }
}
