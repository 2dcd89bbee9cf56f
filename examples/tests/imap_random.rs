//! Random sessions against our IMAP server: any mix of valid commands (logged in, with a
//! mailbox selected, literals, IDLE, AUTHENTICATE) and garbage, written in random pieces,
//! never kills a session task (a task that panicked would drop the connection without a
//! BYE) nor the server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mail_examples::cli::parse_user;
use mail_examples::imap::server::{Background, Settings};
use mail_examples::maildir::Maildir;
use proptest::prelude::*;

const PIECES: &[&[u8]] = &[
    b"a LOGIN alice alice-secret\r\n",
    b"a0 AUTHENTICATE PLAIN\r\n",
    b"AGFsaWNlAGFsaWNlLXNlY3JldA==\r\n",
    b"b SELECT INBOX\r\n",
    b"b2 EXAMINE Archive\r\n",
    b"c FETCH 1:* (FLAGS BODY[] BODYSTRUCTURE ENVELOPE RFC822.SIZE INTERNALDATE)\r\n",
    b"c2 FETCH 2 (BODY[1.2.3.MIME]<0.5> BODY.PEEK[HEADER.FIELDS.NOT (From)] BODY[2])\r\n",
    b"c3 UID FETCH 1:* (UID RFC822.HEADER RFC822.TEXT)\r\n",
    b"d APPEND INBOX {5+}\r\nhello\r\n",
    b"d2 APPEND INBOX (\\Seen) \"01-Jan-2020 00:00:00 +0000\" {12}\r\n",
    b"Subject: x\r\n\r\n",
    b"e UID MOVE 1 Archive\r\n",
    b"e2 MOVE 1:* Archive\r\n",
    b"e3 COPY 1 Nowhere\r\n",
    b"f IDLE\r\n",
    b"DONE\r\n",
    b"g STORE 1:* +FLAGS (\\Deleted \\Seen)\r\n",
    b"g2 UID STORE 1:* -FLAGS.SILENT (\\Deleted)\r\n",
    b"h EXPUNGE\r\n",
    b"h2 UID EXPUNGE 1:*\r\n",
    b"i SEARCH OR FROM a TEXT b NOT LARGER 5 SINCE 1-Jan-2000\r\n",
    b"i2 UID SEARCH CHARSET UTF-8 SUBJECT \"x\"\r\n",
    b"l LIST \"\" *\r\n",
    b"l2 LSUB \"\" %\r\n",
    b"n CREATE x.y\r\n",
    b"o RENAME x.y z\r\n",
    b"p DELETE z\r\n",
    b"q STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n",
    b"r NAMESPACE\r\n",
    b"s ID NIL\r\n",
    b"t ENABLE UTF8=ACCEPT\r\n",
    b"u CLOSE\r\n",
    b"u2 UNSELECT\r\n",
    b"v {99999}\r\n",
    b"w FETCH {3}\r\n",
    b"\r\n",
    b"* \xff\xfe\x00\x01\r\n",
    b"((((((((((((((((((((((((((((((((((((((((((((((((((((((((\r\n",
];

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0..PIECES.len()).prop_map(|i| PIECES[i].to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn random_sessions_never_kill_a_session(
        pieces in proptest::collection::vec(piece(), 1..30),
        split in 1usize..64,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path().join("Maildir")).unwrap();
        maildir.deliver("INBOX", b"Subject: one\r\n\r\nbody\r\n").unwrap();
        maildir
            .deliver("INBOX", b"Subject: two\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n")
            .unwrap();
        maildir.create_folder("Archive").unwrap();
        let mut settings = Settings::new(maildir, vec![parse_user("alice:alice-secret").unwrap()]);
        settings.log = false;
        settings.allow_plaintext = true;
        let server = Background::start(settings, None).unwrap();
        let mut t = TcpStream::connect(server.addr()).unwrap();
        t.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut all: Vec<u8> = pieces.concat();
        all.extend_from_slice(b"DONE\r\nz9 NOOP\r\n");
        for chunk in all.chunks(split) {
            if t.write_all(chunk).is_err() {
                break;
            }
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut eof = false;
        while Instant::now() < deadline {
            match t.read(&mut buf) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            if got.windows(3).any(|w| w == b"z9 ") {
                break;
            }
        }
        let text = String::from_utf8_lossy(&got);
        // Closed without BYE would be a session task that died.
        prop_assert!(!eof || text.contains("* BYE"), "connection dropped without BYE:\n{}", text);
        // The server still serves.
        let mut t2 = TcpStream::connect(server.addr()).unwrap();
        t2.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut greeting = [0u8; 16];
        let n = t2.read(&mut greeting).unwrap();
        prop_assert!(greeting[..n].starts_with(b"* OK"));
    }
}
