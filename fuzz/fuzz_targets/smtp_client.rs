//! The client machine fed arbitrary server bytes while sending one message: no panic, and
//! the same events and bytes sent whatever the chunking.
#![no_main]
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::{ForwardPath, Host, MailFrom, Mailbox, Parameters, RcptTo, ReversePath};

const T0: Duration = Duration::from_secs(1);

fn run(
    lmtp: bool,
    pipelining_data: bool,
    data: &[u8],
    cuts: &[u8],
) -> (Vec<u8>, Vec<ClientEvent>, Option<String>) {
    let mut cfg = ClientConfig::new(Host::parse("client.example").unwrap().into_owned());
    cfg.lmtp = lmtp;
    cfg.pipeline_data = pipelining_data;
    cfg.tls = true;
    let mut c = Client::new(cfg, T0);
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut rest = data;
    let mut cuts = cuts.iter().cycle();
    let mut error = None;
    while !rest.is_empty() && error.is_none() {
        let n = usize::from(*cuts.next().unwrap_or(&255))
            .max(1)
            .min(rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        if let Err(e) = c.receive(piece, T0) {
            error = Some(e.to_string());
        }
        loop {
            let ev = match c.next_event() {
                Ok(Some(ev)) => ev,
                Ok(None) => break,
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            };
            let _ = match &ev {
                ClientEvent::Ready(_) => c.send_envelope(
                    MailFrom {
                        path: ReversePath::Null,
                        params: Parameters::new(),
                    },
                    vec![
                        RcptTo {
                            path: ForwardPath::Mailbox(
                                Mailbox::parse("a@b.example").unwrap().into_owned(),
                            ),
                            params: Parameters::new(),
                        },
                        RcptTo {
                            path: ForwardPath::Postmaster,
                            params: Parameters::new(),
                        },
                    ],
                    T0,
                ),
                ClientEvent::Envelope { .. } => c.data(T0),
                ClientEvent::DataReady => c
                    .send_body(b"Subject: x\r\n\r\n.hi\r\n", T0)
                    .and_then(|()| c.finish_body(T0)),
                ClientEvent::Delivered(_) | ClientEvent::DataRefused(_) => c.quit(T0),
                _ => Ok(()),
            };
            events.push(ev);
        }
        sent.extend_from_slice(c.transmit());
        let n = c.transmit().len();
        c.consumed(n);
    }
    (sent, events, error)
}

fuzz_target!(|input: (bool, bool, &[u8], &[u8])| {
    let (lmtp, pd, cuts, data) = input;
    let whole = run(lmtp, pd, data, &[255]);
    let chunked = run(lmtp, pd, data, cuts);
    assert_eq!(whole, chunked);
});
