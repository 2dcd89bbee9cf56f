//! The `transcript` binary on the RFC example sessions (RFC 5321 App. D.1, RFC 1939 §10,
//! RFC 3501 §8, and extension examples), on broken sessions, on raw two-file input, and
//! its flags; and the decoder on arbitrary bytes (terminates, never panics, covers the
//! input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mail_examples::transcript::Side;
use mail_examples::transcript_decode::{Options, Protocol, decode_session, decode_session_with};
use proptest::prelude::*;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/transcripts")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_transcript"))
        .args(args)
        .output()
        .expect("run transcript")
}

/// One output line, parsed by hand (the fields are fixed and in order).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    side: String,
    offset: usize,
    kind: String,
    ok: bool,
    error: Option<String>,
}

/// A minimal reader for the JSON strings the binary writes (escapes included).
fn json_str(s: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = s.strip_prefix('"').expect("a string").char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &s[i + 2..]),
            '\\' => match chars.next().expect("escape").1 {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = (0..4).map(|_| chars.next().expect("hex").1).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                c => out.push(c),
            },
            c => out.push(c),
        }
    }
    panic!("unterminated string in {s}")
}

fn parse_line(l: &str) -> Line {
    let rest = l.strip_prefix("{\"side\":").expect(l);
    let (side, rest) = json_str(rest);
    let rest = rest.strip_prefix(",\"offset\":").expect(l);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let rest = &rest[digits.len()..];
    let rest = rest.strip_prefix(",\"kind\":").expect(l);
    let (kind, rest) = json_str(rest);
    let (ok, rest) = if let Some(r) = rest.strip_prefix(",\"ok\":true") {
        (true, r)
    } else {
        (false, rest.strip_prefix(",\"ok\":false").expect(l))
    };
    let rest = rest.strip_prefix(",\"error\":").expect(l);
    let (error, rest) = if let Some(r) = rest.strip_prefix("null") {
        (None, r)
    } else {
        let (e, r) = json_str(rest);
        (Some(e), r)
    };
    assert_eq!(rest, "}", "{l}");
    Line {
        side: side.to_owned(),
        offset: digits.parse().unwrap(),
        kind,
        ok,
        error,
    }
}

fn lines(out: &Output) -> Vec<Line> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(parse_line)
        .collect()
}

/// The two byte streams of an RFC-style file, rebuilt independently of the library.
fn streams(file: &Path) -> (Vec<u8>, Vec<u8>) {
    let text = std::fs::read(file).unwrap();
    let (mut c, mut s) = (Vec::new(), Vec::new());
    for line in text.split(|b| *b == b'\n') {
        let (out, rest) = match line {
            [b'C', b':', rest @ ..] => (&mut c, rest),
            [b'S', b':', rest @ ..] => (&mut s, rest),
            _ => continue,
        };
        out.extend_from_slice(rest.strip_prefix(b" ").unwrap_or(rest));
        out.extend_from_slice(b"\r\n");
    }
    (c, s)
}

/// Runs `--check` on a sample, and checks the messages against `expected`: (side, kind,
/// what the side's stream holds at the reported offset).
fn check_sample(protocol: &str, file: &str, expected: &[(&str, &str, &str)]) -> Vec<Line> {
    let path = data(file);
    let out = run(&["--check", "--protocol", protocol, path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let got = lines(&out);
    let (c, s) = streams(&path);
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (line, (side, kind, starts)) in got.iter().zip(expected) {
        assert_eq!(
            (line.side.as_str(), line.kind.as_str()),
            (*side, *kind),
            "{line:?}"
        );
        assert!(line.ok && line.error.is_none(), "{line:?}");
        let stream = if *side == "client" { &c } else { &s };
        assert!(
            stream[line.offset..].starts_with(starts.as_bytes()),
            "{line:?} does not start with {starts:?}"
        );
    }
    got
}

#[test]
fn rfc5321_d1_decodes_with_body_after_354() {
    let got = check_sample(
        "smtp",
        "smtp-rfc5321-d1.txt",
        &[
            ("server", "220 greeting", "220 foo.com"),
            ("client", "EHLO", "EHLO bar.com"),
            ("server", "250 EHLO reply", "250-foo.com greets"),
            ("client", "MAIL", "MAIL FROM:<Smith@bar.com>"),
            ("server", "250 reply", "250 OK"),
            ("client", "RCPT", "RCPT TO:<Jones@foo.com>"),
            ("server", "250 reply", "250 OK"),
            ("client", "RCPT", "RCPT TO:<Green@foo.com>"),
            ("server", "550 reply", "550 No such user"),
            ("client", "RCPT", "RCPT TO:<Brown@foo.com>"),
            ("server", "250 reply", "250 OK"),
            ("client", "DATA", "DATA\r\n"),
            ("server", "354 reply", "354 Start mail input"),
            // "...etc. etc. etc." is a stuffed line of the body, not a command.
            ("client", "DATA body", "Blah blah blah...\r\n...etc"),
            ("server", "250 reply", "250 OK"),
            ("client", "QUIT", "QUIT"),
            ("server", "221 reply", "221 foo.com"),
        ],
    );
    let offsets: Vec<usize> = got.iter().map(|l| l.offset).collect();
    assert_eq!(
        offsets,
        [
            0, 0, 48, 14, 119, 41, 127, 66, 135, 91, 158, 116, 166, 122, 212, 163, 220
        ]
    );
}

#[test]
fn smtp_pipelining_auth_and_bdat_follow_the_replies() {
    check_sample(
        "smtp",
        "smtp-rfc2920-rfc4954-rfc3030.txt",
        &[
            ("server", "220 greeting", "220 innosoft.com"),
            ("client", "EHLO", "EHLO dbc"),
            ("server", "250 EHLO reply", "250-innosoft.com"),
            ("client", "STARTTLS", "STARTTLS"),
            ("server", "220 reply", "220 Ready to start TLS"),
            ("client", "EHLO", "EHLO dbc"),
            ("server", "250 EHLO reply", "250-innosoft.com"),
            ("client", "AUTH", "AUTH FOOBAR"),
            ("server", "504 reply", "504 5.5.4"),
            ("client", "AUTH", "AUTH PLAIN\r\n"),
            ("server", "334 reply", "334 \r\n"),
            // After 334 the line is a SASL response, not a command.
            ("client", "AUTH response", "dGVzdAB0ZXN0ADEyMzQ="),
            ("server", "235 reply", "235 2.7.0"),
            ("client", "MAIL", "MAIL FROM:<mrose"),
            ("client", "RCPT", "RCPT TO:<ned"),
            ("client", "RCPT", "RCPT TO:<dan"),
            ("client", "DATA", "DATA"),
            ("server", "250 reply", "250 sender"),
            ("server", "250 reply", "250 recipient <ned"),
            ("server", "250 reply", "250 recipient <dan"),
            ("server", "354 reply", "354 enter mail"),
            ("client", "DATA body", "Subject: pipelined"),
            ("client", "MAIL", "MAIL FROM:<mrose"),
            ("client", "RCPT", "RCPT TO:<nsb"),
            ("client", "RCPT", "RCPT TO:<galvin"),
            ("client", "DATA", "DATA"),
            ("server", "250 reply", "250 message sent"),
            ("server", "250 reply", "250 sender"),
            ("server", "550 reply", "550 remote mail to <nsb"),
            ("server", "550 reply", "550 remote mail to <galvin"),
            // DATA refused: the client's next line is a command again.
            ("server", "554 reply", "554 no valid recipients"),
            ("client", "MAIL", "MAIL FROM:<mrose"),
            ("client", "RCPT", "RCPT TO:<ned"),
            ("client", "BDAT", "BDAT 23\r\n"),
            // Exactly 23 octets, whatever they look like.
            (
                "client",
                "BDAT chunk",
                "Subject: hi\r\n\r\nHello.\r\nBDAT 0 LAST",
            ),
            ("client", "BDAT", "BDAT 0 LAST"),
            ("server", "250 reply", "250 sender"),
            ("server", "250 reply", "250 recipient"),
            ("server", "250 reply", "250 23 octets"),
            ("server", "250 reply", "250 message sent"),
            ("client", "QUIT", "QUIT"),
            ("server", "221 reply", "221 goodbye"),
        ],
    );
}

#[test]
fn rfc1939_s10_decodes_multi_line_by_command() {
    let got = check_sample(
        "pop3",
        "pop3-rfc1939-s10.txt",
        &[
            ("server", "+OK greeting", "+OK POP3 server ready <1896"),
            (
                "client",
                "APOP",
                "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
            ),
            ("server", "+OK", "+OK mrose's maildrop"),
            ("client", "STAT", "STAT"),
            ("server", "+OK", "+OK 2 320"),
            ("client", "LIST", "LIST"),
            (
                "server",
                "+OK multi-line",
                "+OK 2 messages (320 octets)\r\n1 120",
            ),
            ("client", "RETR", "RETR 1"),
            ("server", "+OK multi-line", "+OK 120 octets"),
            ("client", "DELE", "DELE 1"),
            ("server", "+OK", "+OK message 1 deleted"),
            ("client", "RETR", "RETR 2"),
            ("server", "+OK multi-line", "+OK 200 octets"),
            ("client", "DELE", "DELE 2"),
            ("server", "+OK", "+OK message 2 deleted"),
            ("client", "QUIT", "QUIT"),
            ("server", "+OK", "+OK dewey"),
        ],
    );
    let offsets: Vec<usize> = got.iter().map(|l| l.offset).collect();
    assert_eq!(
        offsets,
        [
            0, 0, 57, 45, 107, 51, 118, 57, 164, 65, 284, 73, 307, 81, 396, 89, 419
        ]
    );
}

#[test]
fn pop3_auth_exchange_and_listings_follow_the_commands() {
    check_sample(
        "pop3",
        "pop3-rfc5034-rfc1939.txt",
        &[
            ("server", "+OK greeting", "+OK pop.example.com"),
            ("client", "CAPA", "CAPA"),
            ("server", "+OK multi-line", "+OK List of capabilities"),
            ("client", "STLS", "STLS"),
            ("server", "+OK", "+OK Begin TLS"),
            ("client", "CAPA", "CAPA"),
            ("server", "+OK multi-line", "+OK List of capabilities"),
            ("client", "AUTH", "AUTH PLAIN\r\n"),
            ("server", "+ challenge", "+ \r\n"),
            ("client", "AUTH response", "dGVzdAB0ZXN0AHRlc3Q="),
            ("server", "+OK", "+OK Maildrop locked"),
            ("client", "UIDL", "UIDL\r\n"),
            (
                "server",
                "+OK multi-line",
                "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ",
            ),
            ("client", "UIDL", "UIDL 2"),
            // The one-line answer to `UIDL msg`: not multi-line.
            ("server", "+OK", "+OK 2 QhdPYR"),
            ("client", "LIST", "LIST 2"),
            ("server", "+OK", "+OK 2 200"),
            ("client", "TOP", "TOP 1 0"),
            ("server", "+OK multi-line", "+OK\r\nSubject: first"),
            ("client", "RETR", "RETR 3"),
            // A -ERR to a command that would have a multi-line answer is one line.
            ("server", "-ERR", "-ERR no such message"),
            ("client", "QUIT", "QUIT"),
            ("server", "+OK", "+OK dewey"),
        ],
    );
}

#[test]
fn rfc3501_s8_decodes_with_literals() {
    let got = check_sample(
        "imap",
        "imap-rfc3501-s8.txt",
        &[
            ("server", "greeting OK", "* OK IMAP4rev1 Service Ready"),
            ("client", "LOGIN", "a001 login"),
            ("server", "tagged OK", "a001 OK"),
            ("client", "SELECT", "a002 select"),
            ("server", "EXISTS", "* 18 EXISTS"),
            ("server", "FLAGS", "* FLAGS"),
            ("server", "RECENT", "* 2 RECENT"),
            ("server", "untagged OK", "* OK [UNSEEN 17]"),
            ("server", "untagged OK", "* OK [UIDVALIDITY"),
            ("server", "tagged OK", "a002 OK [READ-WRITE]"),
            ("client", "FETCH", "a003 fetch 12 full"),
            ("server", "FETCH", "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE"),
            ("server", "tagged OK", "a003 OK"),
            ("client", "FETCH", "a004 fetch 12 body[header]"),
            // One response, its 342-octet literal included.
            ("server", "FETCH", "* 12 FETCH (BODY[HEADER] {342}\r\nDate:"),
            ("server", "tagged OK", "a004 OK"),
            ("client", "STORE", "a005 store"),
            ("server", "FETCH", "* 12 FETCH (FLAGS (\\Seen \\Deleted))"),
            ("server", "tagged OK", "a005 OK"),
            ("client", "LOGOUT", "a006 logout"),
            ("server", "untagged BYE", "* BYE"),
            ("server", "tagged OK", "a006 OK LOGOUT"),
        ],
    );
    let fetch_header = &got[14];
    let next = &got[15];
    // "* 12 FETCH (BODY[HEADER] {342}\r\n" is 32 octets, then 342, then ")\r\n".
    assert_eq!(next.offset - fetch_header.offset, 32 + 342 + 3);
}

#[test]
fn imap_authenticate_idle_and_literals_follow_the_server() {
    check_sample(
        "imap",
        "imap-rfc3501-rfc2177-literals.txt",
        &[
            ("server", "greeting OK", "* OK [CAPABILITY"),
            ("client", "AUTHENTICATE", "A001 AUTHENTICATE GSSAPI"),
            ("server", "continuation (base64)", "+ \r\n"),
            ("client", "AUTHENTICATE response", "YIIB+wYJ"),
            ("server", "continuation (base64)", "+ YGgG"),
            // An empty response is a line of its own.
            ("client", "AUTHENTICATE response", "\r\nYDMG"),
            ("server", "continuation (base64)", "+ YDMG"),
            (
                "client",
                "AUTHENTICATE response",
                "YDMGCSqGSIb3EgECAgIBAAD/////3LQB",
            ),
            ("server", "tagged OK", "A001 OK GSSAPI"),
            ("client", "SELECT", "A002 SELECT INBOX"),
            ("server", "FLAGS", "* FLAGS"),
            ("server", "EXISTS", "* 3 EXISTS"),
            ("server", "RECENT", "* 0 RECENT"),
            ("server", "untagged OK", "* OK [UIDVALIDITY 1]"),
            ("server", "tagged OK", "A002 OK"),
            ("client", "IDLE", "A003 IDLE"),
            ("server", "continuation", "+ idling"),
            ("server", "EXISTS", "* 4 EXISTS"),
            ("client", "DONE", "DONE\r\n"),
            ("server", "tagged OK", "A003 OK IDLE terminated"),
            // The literal's data is read after the server's "+".
            (
                "client",
                "APPEND",
                "A004 APPEND saved-messages (\\Seen) {310}\r\nDate:",
            ),
            ("server", "continuation", "+ Ready for literal data"),
            ("server", "tagged OK", "A004 OK APPEND"),
            // Refused with a tagged NO: the data never comes, the next line is a command.
            (
                "client",
                "APPEND (literal refused)",
                "A005 APPEND saved-messages {5000000}",
            ),
            ("server", "tagged NO", "A005 NO [OVERQUOTA]"),
            ("client", "LOGIN", "A006 LOGIN {4+}\r\nfred {6+}\r\nsecret"),
            ("server", "tagged BAD", "A006 BAD"),
            ("client", "LOGOUT", "A007 LOGOUT"),
            ("server", "untagged BYE", "* BYE"),
            ("server", "tagged OK", "A007 OK LOGOUT"),
        ],
    );
}

#[test]
fn lmtp_rfc2033_has_one_reply_per_accepted_recipient() {
    let expected = [
        ("server", "220 greeting", "220 foo.edu"),
        ("client", "LHLO", "LHLO foo.edu"),
        ("server", "250 EHLO reply", "250-foo.edu"),
        ("client", "MAIL", "MAIL FROM:<chris"),
        ("server", "250 reply", "250 OK"),
        ("client", "RCPT", "RCPT TO:<pat"),
        ("server", "250 reply", "250 OK"),
        ("client", "RCPT", "RCPT TO:<jones"),
        ("server", "550 reply", "550 No such user"),
        ("client", "RCPT", "RCPT TO:<green"),
        ("server", "250 reply", "250 OK"),
        ("client", "DATA", "DATA"),
        ("server", "354 reply", "354 Start"),
        ("client", "DATA body", "Blah"),
        // Two recipients were accepted: two replies answer the message.
        ("server", "250 reply", "250 OK"),
        ("server", "452 reply", "452 <green@foo.edu>"),
        ("client", "QUIT", "QUIT"),
        ("server", "221 reply", "221 foo.edu"),
    ];
    check_sample("smtp", "lmtp-rfc2033.txt", &expected);
    // From the raw streams, the order is rebuilt from the replies alone: the 452 answers
    // the message, not QUIT (which a server can only answer once it is sent).
    let dir = tempfile::tempdir().unwrap();
    let (c, s) = raw_files(dir.path(), "lmtp-rfc2033.txt");
    let out = run(&[
        "--check",
        "--protocol",
        "smtp",
        "--client",
        c.to_str().unwrap(),
        "--server",
        s.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let kinds: Vec<_> = lines(&out).into_iter().map(|l| l.kind).collect();
    let want: Vec<_> = expected.iter().map(|(_, k, _)| (*k).to_owned()).collect();
    assert_eq!(kinds, want);
}

#[test]
fn imap_enable_utf8_accept_switches_both_decoders() {
    let client = "a1 ENABLE UTF8=ACCEPT\r\na2 SELECT \"Entwürfe\"\r\n";
    let server = "* OK ready\r\n* ENABLED UTF8=ACCEPT\r\na1 OK done\r\n* LIST () \"/\" \"Entwürfe\"\r\na2 OK done\r\n";
    let m = decode_session(Protocol::Imap, client.as_bytes(), server.as_bytes(), true);
    assert!(m.iter().all(|m| m.ok), "{m:#?}");
    assert_eq!(m.len(), 7);
    // Without ENABLE (RFC 6855 §3), an 8-bit quoted string is not IMAP4rev1.
    let client = "a1 NOOP\r\na2 SELECT \"Entwürfe\"\r\n";
    let server = "* OK ready\r\na1 OK done\r\na2 BAD no\r\n";
    let m = decode_session(Protocol::Imap, client.as_bytes(), server.as_bytes(), true);
    let failed: Vec<_> = m.iter().filter(|m| !m.ok).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].side, failed[0].offset), (Side::Client, 9));
}

/// A network capture of STARTTLS / STLS: after the go-ahead both streams are TLS records,
/// reported as one undecoded message per side instead of a cascade of errors.
#[test]
fn network_capture_stops_decoding_at_tls() {
    let hello = b"\x16\x03\x01\x00\x05hello\x17\x03\x03\x00\x02\r\n";
    let server_hello = b"\x16\x03\x03\x00\x04\x0a\x0d\x00\x00";
    for (protocol, client, server, kinds) in [
        (
            Protocol::Smtp,
            &b"EHLO a\r\nSTARTTLS\r\n"[..],
            &b"220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 2.0.0 go ahead\r\n"[..],
            [
                "220 greeting",
                "EHLO",
                "250 EHLO reply",
                "STARTTLS",
                "220 reply",
            ],
        ),
        (
            Protocol::Pop3,
            &b"CAPA\r\nSTLS\r\n"[..],
            &b"+OK hi\r\n+OK\r\nSTLS\r\n.\r\n+OK begin\r\n"[..],
            ["+OK greeting", "CAPA", "+OK multi-line", "STLS", "+OK"],
        ),
        (
            Protocol::Imap,
            &b"a1 CAPABILITY\r\na2 STARTTLS\r\n"[..],
            &b"* OK hi\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\na2 OK begin\r\n"[..],
            [
                "greeting OK",
                "CAPABILITY",
                "CAPABILITY",
                "tagged OK",
                "STARTTLS",
            ],
        ),
    ] {
        let c = [client, &hello[..]].concat();
        let s = [server, &server_hello[..]].concat();
        let m = decode_session(protocol, &c, &s, true);
        assert!(m.iter().all(|m| m.ok), "{m:#?}");
        let got: Vec<&str> = m.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(&got[..5], kinds, "{m:#?}");
        let tls: Vec<_> = m[got.len() - 2..]
            .iter()
            .map(|m| (m.kind.as_str(), m.offset, m.len))
            .collect();
        assert!(tls.contains(&("TLS (encrypted, not decoded)", client.len(), hello.len())));
        assert!(tls.contains(&(
            "TLS (encrypted, not decoded)",
            server.len(),
            server_hello.len()
        )));
    }
}

#[test]
fn bad_ehlo_reply_is_one_failed_message_and_the_next_reply_answers_quit() {
    let m = decode_session(
        Protocol::Smtp,
        b"EHLO a\r\nQUIT\r\n",
        b"220 hi\r\n250-\r\n250 8BITMIME\r\n221 bye\r\n",
        true,
    );
    let got: Vec<_> = m
        .iter()
        .map(|m| (m.side, m.offset, m.kind.as_str(), m.ok))
        .collect();
    assert_eq!(
        got,
        [
            (Side::Server, 0, "220 greeting", true),
            (Side::Client, 0, "EHLO", true),
            // The domain is missing (RFC 5321 §4.1.1.1): the whole reply fails, once.
            (Side::Server, 8, "250 EHLO reply", false),
            (Side::Client, 8, "QUIT", true),
            (Side::Server, 28, "221 reply", true),
        ]
    );
}

#[test]
fn lenient_accepts_the_rfc3501_continuation_without_space() {
    // RFC 3501 §6.2.2's example has "+" alone, which `continue-req` does not allow.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gssapi.txt");
    std::fs::write(
        &file,
        "S: * OK ready\nC: A001 AUTHENTICATE GSSAPI\nS: +\nC: YIIB+wYJ\nS: A001 NO bad\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let strict = run(&["--check", "--protocol", "imap", file]);
    assert_eq!(strict.status.code(), Some(1));
    let failed: Vec<_> = lines(&strict).into_iter().filter(|l| !l.ok).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].side.as_str(), failed[0].offset), ("server", 12));
    assert!(
        failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("without space")
    );
    // The client's next line is still read as the AUTHENTICATE response it is.
    assert!(
        lines(&strict)
            .iter()
            .any(|l| l.kind == "AUTHENTICATE response")
    );

    let lenient = run(&["--check", "--lenient", "--protocol", "imap", file]);
    assert_eq!(lenient.status.code(), Some(0));
    let kinds: Vec<_> = lines(&lenient).into_iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            "greeting OK",
            "AUTHENTICATE",
            "continuation (base64)",
            "AUTHENTICATE response",
            "tagged NO"
        ]
    );
}

#[test]
fn lenient_smtp_body_keeps_bare_line_feeds_without_ending_the_data() {
    // A bare LF . LF inside the body is data, never the end (SMTP smuggling).
    let client = b"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\n.\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n";
    let server = b"220 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n";
    let strict = decode_session(Protocol::Smtp, client, server, true);
    let lenient = decode_session_with(
        Protocol::Smtp,
        client,
        server,
        Options {
            check: false,
            lenient: true,
        },
    );
    // The encoder writes every line ending as CRLF (RFC 5321 §2.3.8), so a body with bare
    // LFs decodes leniently but cannot round-trip.
    let checked = decode_session_with(
        Protocol::Smtp,
        client,
        server,
        Options {
            check: true,
            lenient: true,
        },
    );
    let body = checked.iter().find(|m| m.kind == "DATA body").unwrap();
    assert!(!body.ok && body.error.as_deref().unwrap().starts_with("round trip"));
    for (m, ok) in [(&strict, false), (&lenient, true)] {
        let body = m.iter().find(|m| m.kind == "DATA body").unwrap();
        assert_eq!(body.ok, ok, "{body:?}");
        // Either way the body runs to the real end, and QUIT is the next command.
        assert_eq!((body.offset, body.len), (46, 25));
        let kinds: Vec<_> = m
            .iter()
            .filter(|m| m.side == Side::Client)
            .map(|m| m.kind.as_str())
            .collect();
        assert_eq!(kinds, ["EHLO", "MAIL", "RCPT", "DATA", "DATA body", "QUIT"]);
    }
    assert!(strict.iter().any(|m| {
        m.error
            .as_deref()
            .is_some_and(|e| e.contains("bare LF") && e.contains("stream offset 48"))
    }));
}

/// Runs a broken sample: exit 1 with --check, 0 without; returns the lines.
fn broken(protocol: &str, file: &str) -> Vec<Line> {
    let path = data(file);
    let path = path.to_str().unwrap();
    let out = run(&["--check", "--protocol", protocol, path]);
    assert_eq!(out.status.code(), Some(1));
    let without = run(&["--protocol", protocol, path]);
    assert_eq!(without.status.code(), Some(0));
    assert_eq!(without.stdout, out.stdout);
    lines(&out)
}

#[test]
fn broken_smtp_is_reported_at_its_offset_and_decoding_resumes() {
    let got = broken("smtp", "smtp-broken.txt");
    let failed: Vec<_> = got.iter().filter(|l| !l.ok).collect();
    assert_eq!(failed.len(), 2, "{got:#?}");
    // "EHLO bar.com\r\n" is 14 octets: the bad MAIL starts at 14; the missing ">" is at
    // the end of its line, 14 + 24.
    assert_eq!((failed[0].side.as_str(), failed[0].offset), ("client", 14));
    assert_eq!(failed[0].kind, "command");
    let e = failed[0].error.as_deref().unwrap();
    assert!(
        e.contains("expected \">\"") && e.contains("stream offset 38"),
        "{e}"
    );
    // The reply "2x0 OK" after "220 ...\r\n250 foo.com\r\n501 ...\r\n".
    assert_eq!((failed[1].side.as_str(), failed[1].offset), ("server", 98));
    assert!(failed[1].error.as_deref().unwrap().contains("Reply-code"));
    // Everything after each error still decodes, in step with the other side.
    let kinds: Vec<_> = got.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "220 greeting",
            "EHLO",
            "250 EHLO reply",
            "command",
            "501 reply",
            "MAIL",
            "reply",
            "RCPT",
            "250 reply",
            "QUIT",
            "221 reply"
        ]
    );
}

#[test]
fn broken_imap_is_reported_at_its_offset_and_decoding_resumes() {
    let got = broken("imap", "imap-broken.txt");
    let failed: Vec<_> = got.iter().filter(|l| !l.ok).collect();
    assert_eq!(failed.len(), 2, "{got:#?}");
    assert_eq!((failed[0].side.as_str(), failed[0].offset), ("client", 23));
    assert_eq!((failed[1].side.as_str(), failed[1].offset), ("server", 75));
    assert!(
        failed[1]
            .error
            .as_deref()
            .unwrap()
            .contains("stream offset 103")
    );
    let after: Vec<_> = got
        .iter()
        .skip_while(|l| l.offset != 75)
        .map(|l| l.kind.as_str())
        .collect();
    assert_eq!(
        after,
        [
            "response",
            "tagged OK",
            "LOGOUT",
            "untagged BYE",
            "tagged OK"
        ]
    );
}

#[test]
fn broken_pop3_listing_is_skipped_to_its_end() {
    let got = broken("pop3", "pop3-broken.txt");
    let failed: Vec<_> = got.iter().filter(|l| !l.ok).collect();
    assert_eq!(failed.len(), 2, "{got:#?}");
    // The LIST answer starts after "+OK POP3 server ready\r\n+OK\r\n+OK 2 messages\r\n".
    assert_eq!((failed[0].side.as_str(), failed[0].offset), ("server", 44));
    assert!(
        failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("stream offset 67")
    );
    assert_eq!((failed[1].side.as_str(), failed[1].offset), ("client", 31));
    // The rest of the listing is not read as responses: the -ERR answers RETR.
    let kinds: Vec<_> = got
        .iter()
        .map(|l| (l.side.as_str(), l.kind.as_str()))
        .collect();
    assert_eq!(
        &kinds[6..],
        [
            ("server", "response"),
            ("client", "command"),
            ("server", "-ERR"),
            ("client", "STAT"),
            ("server", "+OK"),
            ("client", "QUIT"),
            ("server", "+OK")
        ]
    );
}

/// Writes the two streams of an RFC-style sample as raw files.
fn raw_files(dir: &Path, sample: &str) -> (PathBuf, PathBuf) {
    let (c, s) = streams(&data(sample));
    let (cp, sp) = (dir.join("c2s.bin"), dir.join("s2c.bin"));
    std::fs::write(&cp, c).unwrap();
    std::fs::write(&sp, s).unwrap();
    (cp, sp)
}

#[test]
fn raw_two_file_input_gives_the_same_messages_in_causal_order() {
    let dir = tempfile::tempdir().unwrap();
    for (protocol, sample) in [
        ("smtp", "smtp-rfc2920-rfc4954-rfc3030.txt"),
        ("pop3", "pop3-rfc5034-rfc1939.txt"),
        ("imap", "imap-rfc3501-rfc2177-literals.txt"),
    ] {
        let (c, s) = raw_files(dir.path(), sample);
        let raw = run(&[
            "--check",
            "--protocol",
            protocol,
            "--client",
            c.to_str().unwrap(),
            "--server",
            s.to_str().unwrap(),
        ]);
        assert_eq!(raw.status.code(), Some(0), "{sample}");
        let rfc = run(&[
            "--check",
            "--protocol",
            protocol,
            data(sample).to_str().unwrap(),
        ]);
        let mut a = lines(&raw);
        let mut b = lines(&rfc);
        // Causal order: every reply comes after what it answers, so in SMTP the n-th
        // reply after the greeting is printed after the n-th command, AUTH response or
        // message body (BDAT data is answered with its command).
        if protocol == "smtp" {
            let mut commands = 0;
            let mut replies = 0;
            for l in &a {
                match (l.side.as_str(), l.kind.as_str()) {
                    ("client", k) if k != "BDAT chunk" => commands += 1,
                    ("server", k) if !k.contains("greeting") => {
                        replies += 1;
                        assert!(replies <= commands, "{l:?} before its command");
                    }
                    _ => {}
                }
            }
        }
        let key = |l: &Line| (l.side.clone(), l.offset);
        a.sort_by_key(key);
        b.sort_by_key(key);
        assert_eq!(a, b, "{sample}");
    }
}

/// Runs `--check` on a raw capture (made by driving our servers from a Python socket
/// client and saving each direction's bytes) and returns the (side, kind) list, checking
/// that the messages tile both streams.
fn raw_capture(protocol: &str, name: &str) -> Vec<(String, String)> {
    let c = data(&format!("{name}.c2s"));
    let s = data(&format!("{name}.s2c"));
    let out = run(&[
        "--check",
        "--protocol",
        protocol,
        "--client",
        c.to_str().unwrap(),
        "--server",
        s.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let got = lines(&out);
    let (cs, ss) = (std::fs::read(&c).unwrap(), std::fs::read(&s).unwrap());
    for (side, stream) in [("client", &cs), ("server", &ss)] {
        let offsets: Vec<usize> = got
            .iter()
            .filter(|l| l.side == side)
            .map(|l| l.offset)
            .collect();
        assert_eq!(offsets.first(), Some(&0));
        assert!(offsets.windows(2).all(|w| w[0] < w[1]));
        assert!(offsets.iter().all(|o| *o < stream.len()));
    }
    got.into_iter().map(|l| (l.side, l.kind)).collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn raw_capture_of_our_pop3_server_decodes() {
    assert_eq!(
        raw_capture("pop3", "pop3-capture"),
        pairs(&[
            ("server", "+OK greeting"),
            ("client", "CAPA"),
            ("server", "+OK multi-line"),
            ("client", "USER"),
            ("server", "+OK"),
            ("client", "PASS"),
            ("server", "+OK"),
            ("client", "STAT"),
            ("server", "+OK"),
            ("client", "UIDL"),
            ("server", "+OK multi-line"),
            ("client", "LIST"),
            ("server", "+OK"),
            ("client", "TOP"),
            ("server", "+OK multi-line"),
            ("client", "RETR"),
            ("server", "+OK multi-line"),
            ("client", "QUIT"),
            ("server", "+OK"),
        ])
    );
}

#[test]
fn raw_capture_of_our_smtp_server_decodes() {
    assert_eq!(
        raw_capture("smtp", "smtp-capture"),
        pairs(&[
            ("server", "220 greeting"),
            ("client", "EHLO"),
            ("server", "250 EHLO reply"),
            ("client", "AUTH"),
            ("server", "334 reply"),
            ("client", "AUTH response"),
            ("server", "334 reply"),
            ("client", "AUTH response"),
            ("server", "235 reply"),
            ("client", "MAIL"),
            ("server", "250 reply"),
            ("client", "RCPT"),
            ("server", "250 reply"),
            ("client", "DATA"),
            ("server", "354 reply"),
            ("client", "DATA body"),
            ("server", "250 reply"),
            ("client", "MAIL"),
            ("server", "250 reply"),
            ("client", "RCPT"),
            ("server", "250 reply"),
            ("client", "BDAT"),
            ("server", "250 reply"),
            ("client", "BDAT chunk"),
            ("client", "QUIT"),
            ("server", "221 reply"),
        ])
    );
}

#[test]
fn raw_capture_of_our_imap_server_decodes_in_causal_order() {
    assert_eq!(
        raw_capture("imap", "imap-capture"),
        pairs(&[
            ("server", "greeting OK"),
            ("client", "AUTHENTICATE"),
            ("server", "continuation (base64)"),
            ("client", "AUTHENTICATE response"),
            ("server", "continuation (base64)"),
            ("client", "AUTHENTICATE response"),
            ("server", "tagged OK"),
            ("client", "SELECT"),
            ("server", "FLAGS"),
            ("server", "EXISTS"),
            ("server", "RECENT"),
            ("server", "untagged OK"),
            ("server", "untagged OK"),
            ("server", "untagged OK"),
            ("server", "untagged OK"),
            ("server", "tagged OK"),
            // The continuation comes before the APPEND is complete: its literal follows.
            ("server", "continuation"),
            ("client", "APPEND"),
            ("server", "EXISTS"),
            ("server", "RECENT"),
            ("server", "tagged OK"),
            ("client", "IDLE"),
            ("server", "continuation"),
            ("client", "DONE"),
            ("server", "tagged OK"),
            ("client", "FETCH"),
            ("server", "FETCH"),
            ("server", "tagged OK"),
            ("client", "UID STORE"),
            ("server", "FETCH"),
            ("server", "tagged OK"),
            ("client", "LOGOUT"),
            ("server", "untagged BYE"),
            ("server", "tagged OK"),
        ])
    );
}

#[test]
fn help_and_bad_flags() {
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--protocol", "--check", "--client", "--server"] {
        assert!(text.contains(flag), "{text}");
    }

    let bad = run(&["--protocol", "smtpx", "x.txt"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected smtp, imap or pop3"));

    let missing = run(&["--protocol", "smtp"]);
    assert_eq!(missing.status.code(), Some(2));

    let half = run(&["--protocol", "smtp", "--client", "c.bin"]);
    assert_eq!(half.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&half.stderr).contains("--server"));

    let unknown = run(&["--protocol", "smtp", "--frobnicate", "x"]);
    assert_eq!(unknown.status.code(), Some(2));

    let absent = run(&["--protocol", "pop3", "/nonexistent/session.txt"]);
    assert_eq!(absent.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&absent.stderr).contains("cannot read"));

    let dir = tempfile::tempdir().unwrap();
    let not_rfc = dir.path().join("t.txt");
    std::fs::write(&not_rfc, "S: +OK\nX: what\n").unwrap();
    let out = run(&["--protocol", "pop3", not_rfc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
}

#[test]
fn json_escapes_control_characters_and_quotes() {
    // A reply with a quote and a backslash, and a command line with a control octet.
    let m = decode_session(
        Protocol::Smtp,
        b"NOOP \x01\r\n",
        b"220 \"quoted\" \\ ok\r\n500 bad\r\n",
        false,
    );
    let json: Vec<String> = m.iter().map(|m| m.to_json()).collect();
    for (j, m) in json.iter().zip(&m) {
        let back = parse_line(j);
        assert_eq!(back.offset, m.offset);
        assert_eq!(back.kind, m.kind);
        assert_eq!(back.error, m.error);
        assert!(!j.bytes().any(|b| b < 0x20), "{j}");
    }
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        Just(Protocol::Smtp),
        Just(Protocol::Pop3),
        Just(Protocol::Imap)
    ]
}

/// Arbitrary streams, biased towards protocol-looking lines.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just(b"+ \r\n".to_vec()),
        Just(b"+OK\r\n".to_vec()),
        Just(b".\r\n".to_vec()),
        Just(b"A1 OK done\r\n".to_vec()),
        Just(b"A1 AUTHENTICATE PLAIN\r\n".to_vec()),
        Just(b"A2 IDLE\r\n".to_vec()),
        Just(b"A3 APPEND x {5}\r\n".to_vec()),
        Just(b"DATA\r\n".to_vec()),
        Just(b"354 go\r\n".to_vec()),
        Just(b"334 \r\n".to_vec()),
        Just(b"AUTH PLAIN\r\n".to_vec()),
        Just(b"BDAT 3\r\n".to_vec()),
        Just(b"LIST\r\n".to_vec()),
        Just(b"RETR 1\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..20),
    ];
    proptest::collection::vec(line, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Never panics, terminates, and reports messages that tile each stream: in order,
    /// without gaps or overlaps, covering everything.
    #[test]
    fn any_input_is_covered_by_messages(
        p in protocol(),
        c in stream(),
        s in stream(),
        check in any::<bool>(),
        lenient in any::<bool>(),
    ) {
        let messages = decode_session_with(p, &c, &s, Options { check, lenient });
        for (side, stream) in [(Side::Client, &c), (Side::Server, &s)] {
            let mut next = 0;
            for m in messages.iter().filter(|m| m.side == side) {
                prop_assert_eq!(m.offset, next, "{:?}", m);
                next = m.offset + m.len;
            }
            prop_assert_eq!(next, stream.len());
        }
    }
}
