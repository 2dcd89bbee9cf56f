//! Audit of issue #4, LMTP (RFC 2033): the server's replies when no recipient was accepted.

use std::time::Duration;

use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::{Command, Reply};

const T0: Duration = Duration::from_secs(10);

/// Runs `input` through an LMTP server that refuses every recipient whose local part starts
/// with `x` and accepts everything else; returns the reply lines and the events seen.
fn lmtp(input: &[u8], chunk: usize) -> (Vec<String>, Vec<String>) {
    let mut cfg = ServerConfig::new("lmtp.example");
    cfg.lmtp = true;
    let mut s = Server::new(cfg, T0);
    s.greet().unwrap();
    let mut events = Vec::new();
    for part in input.chunks(chunk) {
        s.receive(part, T0).unwrap();
        while let Some(ev) = s.next_event().unwrap() {
            match ev.into_owned() {
                Event::Command(Command::Lhlo(_)) => s.reply_ehlo().unwrap(),
                Event::Command(Command::RcptTo(r)) => {
                    let refuse = format!("{:?}", r.path).contains("\"x");
                    let reply = if refuse {
                        Reply::new(550, None, "no such user")
                    } else {
                        Reply::new(250, None, "ok")
                    };
                    s.reply(&reply.unwrap()).unwrap();
                }
                Event::Command(Command::Data) => {
                    s.reply(&Reply::new(354, None, "go").unwrap()).unwrap()
                }
                Event::Command(Command::Quit) => {
                    s.reply(&Reply::new(221, None, "bye").unwrap()).unwrap()
                }
                Event::Command(c) => {
                    if c.verb() != "MAIL" {
                        events.push(c.verb().to_string());
                    }
                    s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap()
                }
                Event::BodyChunk(c) => events.push(format!("body {}", c.len())),
                Event::BdatStart { size, last } => events.push(format!("bdat {size} {last}")),
                Event::BdatEnd { replies, .. } | Event::DataEnd { replies } => {
                    events.push(format!("end {replies}"));
                    for _ in 0..replies {
                        s.reply(&Reply::new(250, None, "delivered").unwrap())
                            .unwrap();
                    }
                }
                other => events.push(format!("{other:?}")),
            }
        }
    }
    let out = String::from_utf8(s.transmit().to_vec()).unwrap();
    (out.lines().map(|l| l[..3].to_string()).collect(), events)
}

#[test]
fn lmtp_data_without_an_accepted_recipient_gets_503_rfc2033_4_2() {
    let input = b"LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x1@b.c>\r\nDATA\r\nQUIT\r\n";
    for chunk in [1, 3, input.len()] {
        let (codes, events) = lmtp(input, chunk);
        let last_line = codes.iter().rev().nth(1).cloned();
        assert_eq!(last_line.as_deref(), Some("503"), "{codes:?}");
        assert_eq!(codes.last().map(String::as_str), Some("221"));
        assert!(events.is_empty(), "{events:?}");
    }
}

#[test]
fn lmtp_bdat_last_without_an_accepted_recipient_gets_no_reply_rfc2033_4_3() {
    // The chunk is read and dropped; zero replies; the NOOP after it is answered next.
    let input =
        b"LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x1@b.c>\r\nRCPT TO:<x2@b.c>\r\nBDAT 5 LAST\r\nhelloNOOP\r\n";
    for chunk in 1..=input.len() {
        let (codes, events) = lmtp(input, chunk);
        // 220, LHLO's 250 (several lines), MAIL 250, 550, 550, then NOOP's 250 only.
        let tail: Vec<&str> = codes
            .iter()
            .rev()
            .take(4)
            .rev()
            .map(String::as_str)
            .collect();
        assert_eq!(
            tail,
            ["250", "550", "550", "250"],
            "chunk {chunk}: {codes:?}"
        );
        assert_eq!(events, ["NOOP"], "chunk {chunk}");
    }
    // The transaction is over: a new MAIL is accepted, not 503 nested MAIL.
    let input = b"LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x1@b.c>\r\nBDAT 2 LAST\r\nhiMAIL FROM:<>\r\n";
    let (codes, _) = lmtp(input, input.len());
    assert_eq!(codes.last().map(String::as_str), Some("250"), "{codes:?}");
}

#[test]
fn lmtp_non_last_bdat_without_an_accepted_recipient_still_gets_one_reply() {
    // RFC 2033 §4.3: "BDAT commands without the LAST parameter ... still return exactly
    // one reply".
    let input = b"LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x1@b.c>\r\nBDAT 2\r\nhiNOOP\r\n";
    let (codes, events) = lmtp(input, 2);
    let tail: Vec<&str> = codes
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["550", "554", "250"], "{codes:?}");
    assert_eq!(events, ["NOOP"]);
}

#[test]
fn lmtp_bdat_last_replies_once_per_accepted_recipient_in_order() {
    let input = b"LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.c>\r\nRCPT TO:<x@b.c>\r\nRCPT TO:<c@b.c>\r\nBDAT 2\r\nhiBDAT 1 LAST\r\n!QUIT\r\n";
    let (codes, events) = lmtp(input, 5);
    let tail: Vec<&str> = codes
        .iter()
        .rev()
        .take(7)
        .rev()
        .map(String::as_str)
        .collect();
    // RCPTs 250 550 250, BDAT 2 → 250, BDAT LAST → 250 ×2 (accepted ones), QUIT 221.
    assert_eq!(tail, ["250", "550", "250", "250", "250", "250", "221"]);
    assert_eq!(
        events,
        [
            "bdat 2 false",
            "body 2",
            "end 1",
            "bdat 1 true",
            "body 1",
            "end 2"
        ]
    );
}
