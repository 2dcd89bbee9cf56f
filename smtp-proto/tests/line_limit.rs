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
    assert!(matches!(
        Command::decode(&built_by_hand.to_bytes()),
        Err(Error::LineTooLong { limit: 512 })
    ));
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
