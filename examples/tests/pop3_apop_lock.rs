//! APOP against a maildrop that another session holds: a wrong digest is answered with
//! `[AUTH]` (the peer learns nothing about the maildrop), a right one with `[IN-USE]`
//! (RFC 2449 §8.1.1), because the server checks the digest before it locks.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use mail_common::apop::{apop_digest, greeting_timestamp};
use mail_examples::cli::parse_user;
use mail_examples::maildir::Maildir;
use mail_examples::pop3::server::{Background, Settings};

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    greeting: String,
}

impl Conn {
    fn open(server: &Background) -> Conn {
        let stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut greeting = String::new();
        reader.read_line(&mut greeting).unwrap();
        Conn {
            reader,
            writer,
            greeting,
        }
    }

    fn send(&mut self, line: &str) -> String {
        self.writer.write_all(line.as_bytes()).unwrap();
        self.writer.write_all(b"\r\n").unwrap();
        let mut reply = String::new();
        self.reader.read_line(&mut reply).unwrap();
        reply
    }

    fn digest(&self, secret: &str) -> String {
        let ts = greeting_timestamp(self.greeting.as_bytes()).expect("APOP timestamp");
        String::from_utf8(apop_digest(ts, secret.as_bytes()).to_vec()).unwrap()
    }
}

#[test]
fn wrong_apop_digest_on_a_locked_maildrop_says_auth_not_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = Maildir::open(dir.path()).unwrap();
    maildir
        .deliver("INBOX", b"Subject: x\r\n\r\nbody\r\n")
        .unwrap();
    let mut settings = Settings::new(maildir, vec![parse_user("alice:alice-secret").unwrap()]);
    settings.log = false;
    let server = Background::start(settings, None).unwrap();

    let mut first = Conn::open(&server);
    let d = first.digest("alice-secret");
    assert!(first.send(&format!("APOP alice {d}")).starts_with("+OK"));

    let mut second = Conn::open(&server);
    let wrong = second.digest("not-the-secret");
    assert_eq!(
        second.send(&format!("APOP alice {wrong}")),
        "-ERR [AUTH] authentication failed\r\n"
    );
    let right = second.digest("alice-secret");
    let reply = second.send(&format!("APOP alice {right}"));
    assert!(reply.starts_with("-ERR [IN-USE]"), "{reply}");

    assert!(first.send("QUIT").starts_with("+OK"));
    let mut third = Conn::open(&server);
    let d = third.digest("alice-secret");
    assert!(third.send(&format!("APOP alice {d}")).starts_with("+OK"));
    server.stop().unwrap();
}
