//! A client machine brought to the ready state with scripted server bytes.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use smtp_proto::Host;
use smtp_proto::client::{Client, ClientConfig, ClientEvent};

pub const T0: Duration = Duration::from_secs(1000);

/// A client (`tls`: already encrypted) that got `220 mx` and then the EHLO reply `ehlo`,
/// with what it wrote so far taken away.
pub fn ready(ehlo: &[u8], tls: bool) -> Client {
    let mut config = ClientConfig::new(Host::parse("me.example").unwrap().into_owned());
    config.tls = tls;
    let mut c = Client::new(config, T0);
    c.receive(b"220 mx\r\n", T0).unwrap();
    c.receive(ehlo, T0).unwrap();
    let mut ready = false;
    while let Some(ev) = c.next_event().unwrap() {
        ready |= matches!(ev, ClientEvent::Ready(_));
    }
    assert!(ready, "the client is ready");
    sent(&mut c);
    c
}

/// What the client wrote since the last call, taken away.
pub fn sent(c: &mut Client) -> String {
    let s = String::from_utf8(c.transmit().to_vec()).unwrap();
    let n = c.transmit().len();
    c.consumed(n);
    s
}
