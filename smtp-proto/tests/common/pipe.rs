//! Client and server machines talking through an in-memory pipe.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use smtp_proto::client::{Client, ClientEvent};
use smtp_proto::server::{Event, Server};

pub const T0: Duration = Duration::from_secs(1_000);

/// Everything that crossed the wire, per direction, plus the events seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Wire {
    pub c2s: Vec<u8>,
    pub s2c: Vec<u8>,
    pub client_events: Vec<ClientEvent>,
    pub server_events: Vec<String>,
    pub body: Vec<u8>,
}

/// Runs until neither side has anything to do. `chunk` is how many bytes move at a time.
pub fn pump(
    client: &mut Client,
    server: &mut Server,
    chunk: usize,
    server_app: &mut dyn FnMut(&mut Server, Event<'static>, &mut Wire),
    client_app: &mut dyn FnMut(&mut Client, &ClientEvent),
    wire: &mut Wire,
) {
    for _ in 0..100_000 {
        let mut progressed = false;
        let out = server.transmit().to_vec();
        if !out.is_empty() {
            let n = out.len().min(chunk);
            server.consumed(n);
            wire.s2c.extend_from_slice(&out[..n]);
            client.receive(&out[..n], T0).unwrap();
            progressed = true;
        }
        while let Some(ev) = client.next_event().unwrap() {
            client_app(client, &ev);
            wire.client_events.push(ev);
            progressed = true;
        }
        let out = client.transmit().to_vec();
        if !out.is_empty() {
            let n = out.len().min(chunk);
            client.consumed(n);
            wire.c2s.extend_from_slice(&out[..n]);
            server.receive(&out[..n], T0).unwrap();
            progressed = true;
        }
        loop {
            let ev = server.next_event().unwrap().map(Event::into_owned);
            let Some(ev) = ev else { break };
            if let Event::BodyChunk(c) = &ev {
                wire.body.extend_from_slice(c);
            } else {
                wire.server_events.push(format!("{ev:?}"));
            }
            server_app(server, ev, wire);
            progressed = true;
        }
        if !progressed {
            return;
        }
    }
    panic!("no quiescence");
}

/// The lines of an RFC transcript for one side (`prefix` "C: " or "S: "), CRLF-joined.
pub fn side(transcript: &str, prefix: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in transcript.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix(prefix) {
            out.extend_from_slice(rest.as_bytes());
            out.extend_from_slice(b"\r\n");
        } else if line == prefix.trim_end() {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}
