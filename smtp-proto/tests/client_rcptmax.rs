//! The client machine sends no more RCPT commands in a transaction than the server's LIMITS
//! RCPTMAX (RFC 9422 §4.2): a longer envelope is refused before anything is written, so
//! the caller can split the recipients over several transactions.

#[path = "common/ready.rs"]
mod common;

use common::{T0, ready, sent};
use smtp_proto::*;

fn envelope(n: usize) -> (MailFrom<'static>, Vec<RcptTo<'static>>) {
    let rcpts = (0..n)
        .map(|i| RcptTo {
            path: ForwardPath::Mailbox(
                Mailbox::parse(&format!("r{i}@example.org"))
                    .unwrap()
                    .into_owned(),
            ),
            params: Parameters::new(),
        })
        .collect();
    (
        MailFrom {
            path: ReversePath::Null,
            params: Parameters::new(),
        },
        rcpts,
    )
}

#[test]
fn an_envelope_over_rcptmax_is_refused_before_anything_is_written() {
    let mut c = ready(
        b"250-mx\r\n250-PIPELINING\r\n250 LIMITS RCPTMAX=2\r\n",
        false,
    );
    let (mail, rcpts) = envelope(3);
    assert_eq!(
        c.send_envelope(mail, rcpts, T0),
        Err(Error::TooManyRecipients { count: 3, limit: 2 })
    );
    assert_eq!(sent(&mut c), "");
    // Within the limit it goes out (the session was not ended by the refusal).
    let (mail, rcpts) = envelope(2);
    c.send_envelope(mail, rcpts, T0).unwrap();
    assert_eq!(
        sent(&mut c),
        "MAIL FROM:<>\r\nRCPT TO:<r0@example.org>\r\nRCPT TO:<r1@example.org>\r\n"
    );
}

#[test]
fn without_rcptmax_any_number_of_recipients_goes_out() {
    let mut c = ready(b"250-mx\r\n250 LIMITS MAILMAX=3\r\n", false);
    let (mail, rcpts) = envelope(5);
    c.send_envelope(mail, rcpts, T0).unwrap();
    assert!(sent(&mut c).starts_with("MAIL FROM:<>\r\n"));
}
