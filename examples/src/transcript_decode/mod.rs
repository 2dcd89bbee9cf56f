//! Decoding a recorded session message by message, as the `transcript` binary does: both
//! byte streams (client → server and server → client) go through the protocol crates'
//! decoders, with the context a real peer has.
//!
//! A peer reads its stream knowing what the other side said: an SMTP client sends the
//! message body only after a `354` reply, and a server's reply answers the oldest command
//! still open (RFC 5321 §4.1.4, RFC 2920); a POP3 response is multi-line or not depending on
//! the command it answers (RFC 1939 §3); an IMAP client sends a synchronizing literal only
//! after the server's continuation request, its AUTHENTICATE lines only after a `+`, and
//! `DONE` only once IDLE has begun (RFC 3501 §§4.3, 6.2.2, 7.5, RFC 2177). Each protocol
//! module keeps that shared state, and [`decode_session`] advances the two sides in the
//! order a real exchange allows: a side waits while it needs something the other side has
//! not produced yet. (When both wait, or one waits for a side that has nothing more, the
//! side goes on as a peer that carried on would have: a server reply nothing asked for is
//! decoded as such, a held-back body or literal is read.)
//!
//! What is followed, per protocol:
//!
//! * SMTP/LMTP: replies matched to commands in order, also pipelined (RFC 2920); the EHLO
//!   or LHLO reply decoded as capabilities; the DATA body after `354` only (un-stuffed with
//!   [`mail_common::dot::DotUnstuffer`], ending only at CRLF . CRLF), none after a refusal;
//!   BDAT chunks by size (RFC 3030); AUTH lines after each `334` (RFC 4954); one reply per
//!   accepted recipient after an LMTP message (RFC 2033 §4.2).
//! * POP3: each response decoded as the answer to its command ([`pop3_proto::ResponseKind`]:
//!   multi-line or not, listings typed); AUTH lines after each `+` (RFC 5034).
//! * IMAP: synchronizing literals read after the server's `+`, or dropped when it refuses
//!   them with a tagged NO/BAD; LITERAL+ (RFC 7888); AUTHENTICATE lines after each `+`
//!   (SASL-IR too); IDLE and DONE; ENABLE UTF8=ACCEPT (RFC 6855) switches both decoders.
//! * All three: after STARTTLS/STLS and its go-ahead, a network capture holds TLS records
//!   (a record header `16 03` where the next command would be): the rest of each stream is
//!   one message of kind `TLS (encrypted, not decoded)`. A recording made outside TLS (as
//!   [`crate::transcript::Recorded`] does) goes on in the clear and is decoded.
//!
//! Every message becomes a [`Message`]: side, offset in that side's stream, a kind
//! (`EHLO`, `250 reply`, `RETR`, `+OK multi-line`, `FETCH`, `tagged OK` ...), and whether it
//! decoded. A message that does not decode is reported at its offset and decoding goes on
//! at the next line (for IMAP: after the message, literals included; for a POP3 multi-line
//! response: after its terminating `.` line). With `check`, every decoded message is also
//! written back with the crate's encoder and decoded again, and must give the same value.
//!
//! ```
//! use mail_examples::transcript_decode::{Protocol, decode_session};
//! use mail_examples::transcript::Side;
//!
//! let client = b"USER mrose\r\nLIST\r\nQUIT\r\n";
//! let server = b"+OK POP3 server ready\r\n+OK\r\n+OK 1 message\r\n1 120\r\n.\r\n+OK bye\r\n";
//! let messages = decode_session(Protocol::Pop3, client, server, true);
//! let kinds: Vec<_> = messages.iter().map(|m| (m.side, m.kind.as_str())).collect();
//! assert_eq!(kinds, [
//!     (Side::Server, "+OK greeting"),
//!     (Side::Client, "USER"),
//!     (Side::Server, "+OK"),
//!     (Side::Client, "LIST"),
//!     (Side::Server, "+OK multi-line"),
//!     (Side::Client, "QUIT"),
//!     (Side::Server, "+OK"),
//! ]);
//! assert!(messages.iter().all(|m| m.ok));
//! assert_eq!(messages[4].to_json(), r#"{"side":"server","offset":28,"kind":"+OK multi-line","ok":true,"error":null}"#);
//! ```

use std::fmt::{Debug, Write as _};

use crate::transcript::{Segment, Side};

mod imap;
mod pop3;
mod smtp;

/// The protocol of a recorded session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// SMTP, ESMTP or LMTP (LMTP is recognised by its `LHLO`).
    Smtp,
    /// IMAP4rev1.
    Imap,
    /// POP3.
    Pop3,
}

impl std::str::FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "smtp" | "lmtp" => Ok(Protocol::Smtp),
            "imap" => Ok(Protocol::Imap),
            "pop3" => Ok(Protocol::Pop3),
            _ => Err(format!(
                "unknown protocol {s:?}: expected smtp, imap or pop3"
            )),
        }
    }
}

/// One decoded (or undecodable) message of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who sent it.
    pub side: Side,
    /// Its offset in everything that side sent.
    pub offset: usize,
    /// Its length in octets.
    pub len: usize,
    /// What it is: a command verb (`EHLO`, `RETR`, `UID FETCH`), a reply or response kind
    /// (`250 reply`, `+OK multi-line`, `tagged OK`, `FETCH`), or a piece of an exchange
    /// (`DATA body`, `AUTH response`, `DONE`).
    pub kind: String,
    /// Whether it decoded (and, when checked, re-encoded to the same value).
    pub ok: bool,
    /// Why not.
    pub error: Option<String>,
}

impl Message {
    pub(crate) fn ok(side: Side, offset: usize, len: usize, kind: impl Into<String>) -> Self {
        Message {
            side,
            offset,
            len,
            kind: kind.into(),
            ok: true,
            error: None,
        }
    }

    pub(crate) fn failed(
        side: Side,
        offset: usize,
        len: usize,
        kind: impl Into<String>,
        error: impl Into<String>,
    ) -> Self {
        Message {
            side,
            offset,
            len,
            kind: kind.into(),
            ok: false,
            error: Some(error.into()),
        }
    }

    /// Marks the message failed unless `result` is `Ok` (the round-trip check).
    pub(crate) fn checked(mut self, result: Result<(), String>) -> Self {
        if let Err(e) = result {
            self.ok = false;
            self.error = Some(e);
        }
        self
    }

    /// The message as one JSON object:
    /// `{"side":"client","offset":0,"kind":"EHLO","ok":true,"error":null}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"side\":");
        json_string(
            match self.side {
                Side::Client => "client",
                Side::Server => "server",
            },
            &mut out,
        );
        let _ = write!(out, ",\"offset\":{},\"kind\":", self.offset);
        json_string(&self.kind, &mut out);
        let _ = write!(out, ",\"ok\":{},\"error\":", self.ok);
        match &self.error {
            Some(e) => json_string(e, &mut out),
            None => out.push_str("null"),
        }
        out.push('}');
        out
    }
}

/// Writes `s` as a JSON string (RFC 8259 §7).
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What one step of one side did.
#[derive(Debug)]
pub(crate) enum Step {
    /// A message was read (at least one octet consumed).
    Message(Message),
    /// The side needs something the other side has not produced yet.
    Blocked,
    /// Everything this side sent was read.
    Done,
}

/// Both sides of one protocol's session.
pub(crate) trait Session {
    /// Reads the next message of `side`. With `force`, the side does not wait for the other
    /// one (which has nothing more to say, or waits itself): it assumes what a peer that
    /// carried on would have assumed.
    fn step(&mut self, side: Side, force: bool) -> Step;
}

/// How to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also re-encode every decoded message with the crate's encoder, decode it again and
    /// require the same value.
    pub check: bool,
    /// Accept what deployed peers send beyond the grammar: for IMAP, the quirks of
    /// `imap_proto::Quirks::LENIENT` in server responses (`+` without a space, empty
    /// text, NIL where a string belongs ...); for SMTP, bare CR or LF and lines over 1000
    /// octets in a DATA body (which still ends only at CRLF . CRLF; with `check` such a
    /// body fails the round trip, since the encoder writes every line ending as CRLF).
    /// POP3 is decoded the same either way.
    pub lenient: bool,
}

/// Decodes a whole session from its two byte streams, in the order a real exchange allows
/// (server first whenever it can answer something the client sent). `check`: see
/// [`Options::check`].
#[must_use]
pub fn decode_session(
    protocol: Protocol,
    client: &[u8],
    server: &[u8],
    check: bool,
) -> Vec<Message> {
    let options = Options {
        check,
        ..Options::default()
    };
    decode_session_with(protocol, client, server, options)
}

/// [`decode_session`] with all the [`Options`].
#[must_use]
pub fn decode_session_with(
    protocol: Protocol,
    client: &[u8],
    server: &[u8],
    options: Options,
) -> Vec<Message> {
    match protocol {
        Protocol::Smtp => drive(
            &mut smtp::Smtp::new(client, server, options),
            client,
            server,
        ),
        Protocol::Pop3 => drive(
            &mut pop3::Pop3::new(client, server, options),
            client,
            server,
        ),
        Protocol::Imap => drive(
            &mut imap::Imap::new(client, server, options),
            client,
            server,
        ),
    }
}

fn drive(session: &mut dyn Session, client: &[u8], server: &[u8]) -> Vec<Message> {
    let mut out = Vec::new();
    // Every message consumes at least one octet: this bound is never reached by a correct
    // session implementation, and guarantees termination regardless.
    let budget = client.len() + server.len() + 2;
    for _ in 0..budget {
        let s = session.step(Side::Server, false);
        if let Step::Message(m) = s {
            out.push(m);
            continue;
        }
        let c = session.step(Side::Client, false);
        if let Step::Message(m) = c {
            out.push(m);
            continue;
        }
        // The client's step may have let the server go on (an IMAP literal announced).
        let s = match session.step(Side::Server, false) {
            Step::Message(m) => {
                out.push(m);
                continue;
            }
            other => other,
        };
        let server_done = matches!(s, Step::Done);
        let client_done = matches!(c, Step::Done);
        if server_done && client_done {
            break;
        }
        // Both wait (or one waits for a side that has finished): carry on without the
        // missing context, server first.
        if !server_done {
            if let Step::Message(m) = session.step(Side::Server, true) {
                out.push(m);
                continue;
            }
        }
        if !client_done {
            if let Step::Message(m) = session.step(Side::Client, true) {
                out.push(m);
                continue;
            }
        }
        break;
    }
    out
}

/// Decodes an RFC-style transcript read with [`crate::transcript::parse_rfc`]: the two
/// streams are rebuilt from the segments, decoded with [`decode_session`], and the messages
/// are put back in the order of the transcript. `check`: see [`Options::check`].
#[must_use]
pub fn decode_segments(protocol: Protocol, segments: &[Segment], check: bool) -> Vec<Message> {
    let options = Options {
        check,
        ..Options::default()
    };
    decode_segments_with(protocol, segments, options)
}

/// [`decode_segments`] with all the [`Options`].
#[must_use]
pub fn decode_segments_with(
    protocol: Protocol,
    segments: &[Segment],
    options: Options,
) -> Vec<Message> {
    let mut client = Vec::new();
    let mut server = Vec::new();
    // (side, offset where the segment starts, its index in the transcript)
    let mut starts: [Vec<(usize, usize)>; 2] = [Vec::new(), Vec::new()];
    for (i, seg) in segments.iter().enumerate() {
        let (stream, slot) = match seg.side {
            Side::Client => (&mut client, 0),
            Side::Server => (&mut server, 1),
        };
        if let Some(list) = starts.get_mut(slot) {
            list.push((stream.len(), i));
        }
        stream.extend_from_slice(&seg.bytes);
    }
    let mut messages = decode_session_with(protocol, &client, &server, options);
    let position = |m: &Message| -> usize {
        let list = match m.side {
            Side::Client => starts.first(),
            Side::Server => starts.get(1),
        };
        list.and_then(|l| {
            let k = l.partition_point(|(start, _)| *start <= m.offset);
            k.checked_sub(1).and_then(|k| l.get(k)).map(|(_, i)| *i)
        })
        .unwrap_or(usize::MAX)
    };
    messages.sort_by_key(|m| position(m));
    messages
}

/// The end of the line that starts at `from` (after its LF), or the end of `buf`.
pub(crate) fn next_line(buf: &[u8], from: usize) -> usize {
    let rest = buf.get(from..).unwrap_or_default();
    match rest.iter().position(|b| *b == b'\n') {
        Some(lf) => from + lf + 1,
        None => buf.len(),
    }
}

/// The round-trip check: `again` decodes the re-encoded form of `value`.
pub(crate) fn round_trip<T: PartialEq + Debug, E: std::fmt::Display>(
    value: &T,
    again: Result<Option<T>, E>,
) -> Result<(), String> {
    match again {
        Ok(Some(v)) if &v == value => Ok(()),
        Ok(Some(v)) => Err(format!(
            "round trip: re-encoded message decodes to a different value: {} instead of {}",
            shortened(&v),
            shortened(value)
        )),
        Ok(None) => Err("round trip: re-encoded message is incomplete".into()),
        Err(e) => Err(format!(
            "round trip: re-encoded message does not decode: {e}"
        )),
    }
}

/// A value's debug form, cut to a readable length (a message body can be megabytes).
fn shortened(v: &impl Debug) -> String {
    const MAX: usize = 400;
    let full = format!("{v:?}");
    match full.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", full.get(..cut).unwrap_or_default()),
        None => full,
    }
}

/// Whether `rest` starts with a TLS handshake record (RFC 8446 §5.1: content type 22,
/// legacy version 3.x): what a network capture holds after STARTTLS or STLS.
pub(crate) fn is_tls(rest: &[u8]) -> bool {
    matches!(rest, [0x16, 0x03, ..])
}

/// The rest of a stream after STARTTLS/STLS in a network capture: one message, not
/// decoded (it is encrypted).
pub(crate) fn tls_rest(side: Side, start: usize, len: usize) -> Message {
    Message::ok(side, start, len, "TLS (encrypted, not decoded)")
}

/// A message cut off by the end of the recording: everything left, failed.
pub(crate) fn truncated(side: Side, start: usize, len: usize, kind: &str) -> (usize, Message) {
    (
        len,
        Message::failed(
            side,
            start,
            len,
            kind,
            "incomplete message at the end of the stream",
        ),
    )
}
