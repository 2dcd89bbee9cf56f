//! The server machine behind a real client: Python's `imaplib` over TCP on loopback
//! (AUTHENTICATE PLAIN answering the `+` challenge, SELECT, APPEND with a synchronizing
//! literal, FETCH of the literal back, SEARCH, STORE, EXPUNGE, LOGOUT), and a refused
//! plaintext LOGIN. Without `python3` the test fails when `CI` is set and is skipped
//! otherwise.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::process::Command as Process;
use std::thread;
use std::time::Duration;

use imap_proto::server::{Event, Server, ServerConfig};
use imap_proto::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Serves one connection with an in-memory INBOX; returns the commands seen.
fn serve(stream: TcpStream, config: ServerConfig) -> Vec<String> {
    let mut stream = stream;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut server = Server::new(config, false, "py").unwrap();
    let mut inbox: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        loop {
            let ev = server.next_event().unwrap();
            let Some(ev) = ev else { break };
            enum Then {
                Ok(Option<Code<'static>>),
                No,
                Data(Vec<Data<'static>>, Option<Code<'static>>),
                Nothing,
            }
            let then = match ev {
                Event::Authenticate { credentials } => {
                    seen.push("AUTHENTICATE".to_string());
                    if credentials.password_matches("joe", "secret") {
                        Then::Ok(None)
                    } else {
                        Then::No
                    }
                }
                Event::Command(c) => {
                    seen.push(c.body.name().to_string());
                    match c.body {
                        CommandBody::Select { .. } => Then::Data(
                            vec![
                                Data::Flags(vec![Flag::Seen, Flag::Deleted]),
                                Data::Exists(inbox.len() as u32),
                            ],
                            Some(Code::ReadWrite),
                        ),
                        CommandBody::Append { message, .. } => {
                            inbox.push((message.data().to_vec(), false));
                            Then::Ok(None)
                        }
                        CommandBody::Fetch { sequence_set, .. } => {
                            let n = inbox.len() as u32;
                            let data = (1..=n)
                                .filter(|&i| sequence_set.contains(i, n))
                                .map(|i| Data::Fetch {
                                    seq: nz(i),
                                    items: Vec1::one(MessageDataItem::BodySection {
                                        section: Section::Full,
                                        origin: None,
                                        data: Some(IString::Literal(
                                            Literal::new(inbox[i as usize - 1].0.clone()).unwrap(),
                                        )),
                                    }),
                                })
                                .collect();
                            Then::Data(data, None)
                        }
                        CommandBody::Search { .. } => Then::Data(
                            vec![Data::Search((1..=inbox.len() as u32).map(nz).collect())],
                            None,
                        ),
                        CommandBody::Store { sequence_set, .. } => {
                            let n = inbox.len() as u32;
                            let mut data = Vec::new();
                            for i in 1..=n {
                                if sequence_set.contains(i, n) {
                                    inbox[i as usize - 1].1 = true;
                                    data.push(Data::Fetch {
                                        seq: nz(i),
                                        items: Vec1::one(MessageDataItem::Flags(vec![
                                            Flag::Seen,
                                            Flag::Deleted,
                                        ])),
                                    });
                                }
                            }
                            Then::Data(data, None)
                        }
                        CommandBody::Expunge => {
                            let mut data = Vec::new();
                            let mut i = 0;
                            while i < inbox.len() {
                                if inbox[i].1 {
                                    inbox.remove(i);
                                    data.push(Data::Expunge(nz(i as u32 + 1)));
                                } else {
                                    i += 1;
                                }
                            }
                            Then::Data(data, None)
                        }
                        _ => Then::Ok(None),
                    }
                }
                Event::Logout => {
                    seen.push("LOGOUT".into());
                    Then::Nothing
                }
                _ => Then::Nothing,
            };
            match then {
                Then::Ok(code) => server.ok(code, "completed").unwrap(),
                Then::No => server.no(None, "failed").unwrap(),
                Then::Data(data, code) => {
                    for d in &data {
                        server.data(d).unwrap();
                    }
                    server.ok(code, "completed").unwrap();
                }
                Then::Nothing => {}
            }
        }
        let out = server.take_output();
        stream.write_all(&out).unwrap();
        if server.is_closed() {
            return seen;
        }
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return seen,
            Ok(n) => n,
        };
        server.receive(&buf[..n]);
    }
}

const SCRIPT: &str = r#"
import imaplib, sys
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
assert 'IDLE' in M.capabilities, M.capabilities
if sys.argv[2] == 'refused':
    assert 'LOGINDISABLED' in M.capabilities, M.capabilities
    try:
        M.login('joe', 'secret')
        print('LOGIN accepted')
    except imaplib.IMAP4.error as e:
        print('refused', e)
    M.logout()
    sys.exit(0)
assert 'AUTH=PLAIN' in M.capabilities, M.capabilities
M.authenticate('PLAIN', lambda challenge: b'\0joe\0secret')
assert M.state == 'AUTH'
typ, data = M.select('INBOX')
assert typ == 'OK', (typ, data)
message = b'Subject: from python\r\n\r\nhello from imaplib\r\n'
typ, data = M.append('INBOX', r'(\Seen)', None, message)
assert typ == 'OK', (typ, data)
typ, data = M.fetch('1', '(BODY.PEEK[])')
assert typ == 'OK' and data[0][1] == message, data
typ, data = M.search(None, 'ALL')
assert data == [b'1'], data
typ, data = M.store('1', '+FLAGS', r'\Deleted')
assert typ == 'OK', data
typ, data = M.expunge()
assert data == [b'1'], data
typ, data = M.logout()
assert typ == 'BYE', (typ, data)
print('all ok')
"#;

fn python(mode: &str, config: ServerConfig) -> Option<(String, Vec<String>)> {
    if Process::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed for this interop test under CI"
        );
        eprintln!("python3 not found: imaplib interop test skipped");
        return None;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        serve(stream, config)
    });
    let out = Process::new("python3")
        .args(["-c", SCRIPT, &port.to_string(), mode])
        .output()
        .unwrap();
    let seen = handle.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    Some((stdout, seen))
}

#[test]
fn python_imaplib_against_the_server_machine() {
    let config = ServerConfig {
        allow_plaintext_auth: true,
        sasl_ir: false,
        literals: LiteralSupport::SyncOnly,
        ..ServerConfig::default()
    };
    let Some((stdout, seen)) = python("full", config) else {
        return;
    };
    assert_eq!(stdout.trim(), "all ok");
    assert_eq!(
        seen,
        [
            "AUTHENTICATE",
            "SELECT",
            "APPEND",
            "FETCH",
            "SEARCH",
            "STORE",
            "EXPUNGE",
            "LOGOUT"
        ]
    );
}

#[test]
fn python_imaplib_login_is_refused_on_plaintext() {
    let Some((stdout, seen)) = python("refused", ServerConfig::default()) else {
        return;
    };
    assert!(stdout.starts_with("refused"), "{stdout}");
    assert!(stdout.contains("PRIVACYREQUIRED"), "{stdout}");
    assert_eq!(seen, ["LOGOUT"]);
}
