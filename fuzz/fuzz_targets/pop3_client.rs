//! The client machine under arbitrary server output: no panic; the same events whether the
//! input comes whole or one byte at a time; errors are sticky.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pop3_proto::client::{Client, ClientConfig, ClientEvent};

/// The commands the client sends, one after each event once logged in.
const COMMANDS: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 7, 4, 1];

fn run(commands: &[u8], data: &[u8], chunk: usize) -> Vec<String> {
    let config = ClientConfig {
        allow_plaintext_without_tls: true,
        ..ClientConfig::default()
    };
    let mut client = Client::new(config, false);
    let mut out = Vec::new();
    let mut data_buf = Vec::new();
    let mut cmds = commands.iter();
    for piece in data.chunks(chunk.max(1)) {
        client.receive(piece);
        loop {
            match client.next_event() {
                Ok(None) => break,
                Ok(Some(ClientEvent::MessageData(d))) => data_buf.extend_from_slice(d),
                Ok(Some(ev)) => {
                    out.push(format!("{data_buf:?}"));
                    data_buf.clear();
                    let logged_in = matches!(ev, ClientEvent::LoggedIn(_));
                    let greeting = matches!(ev, ClientEvent::Greeting(_));
                    out.push(format!("{ev:?}"));
                    if greeting {
                        let _ = client.login("u", "pw");
                    }
                    if logged_in || !greeting {
                        if let Some(&c) = cmds.next() {
                            let m = std::num::NonZeroU32::new(u32::from(c % 4) + 1).unwrap();
                            let _ = match c % 8 {
                                0 => client.stat(),
                                1 => client.list(None),
                                2 => client.list(Some(m)),
                                3 => client.uidl(None),
                                4 => client.retr(m),
                                5 => client.top(m, 2),
                                6 => client.dele(m),
                                _ => client.capa(),
                            };
                        }
                    }
                }
                Err(e) => {
                    out.push(format!("{data_buf:?}"));
                    out.push(
                        format!("error {e}")
                            .split(" at offset")
                            .next()
                            .unwrap()
                            .to_string(),
                    );
                    // Sticky.
                    assert_eq!(client.next_event().unwrap_err(), e);
                    return out;
                }
            }
        }
    }
    out.push(format!("{data_buf:?}"));
    out
}

fuzz_target!(|data: &[u8]| {
    assert_eq!(run(COMMANDS, data, 1), run(COMMANDS, data, data.len()));
});
