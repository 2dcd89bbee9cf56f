//! Session transcripts in the style of the RFCs' examples (`C: ` and `S: ` line prefixes):
//! recording what crosses a connection, rendering it, and reading such a transcript back
//! into the two byte streams.
//!
//! * [`Recorded`] wraps a connection (blocking [`Read`]/[`Write`], or tokio's
//!   [`AsyncRead`]/[`AsyncWrite`]) and appends every byte read or written to a shared
//!   [`Transcript`]. It sits outside TLS, so it records the protocol in the clear.
//! * [`Transcript::render`] prints it, one protocol line per output line.
//! * [`parse_rfc`] reads a transcript file back into [`Segment`]s: what each side sent,
//!   with its offset in that side's byte stream.
//!
//! ```
//! use std::io::Write;
//! use mail_examples::transcript::{Recorded, Side, Transcript, parse_rfc};
//!
//! let transcript = Transcript::new();
//! let mut conn = Recorded::client(Vec::new(), transcript.clone());
//! conn.write_all(b"EHLO client.example\r\n")?;
//! transcript.record(Side::Server, b"250 ok\r\n");
//! let text = transcript.render();
//! assert_eq!(text, "C: EHLO client.example\nS: 250 ok\n");
//!
//! let segments = parse_rfc(text.as_bytes())?;
//! assert_eq!(segments[1].side, Side::Server);
//! assert_eq!(segments[1].bytes, b"250 ok\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{Error, Result};

/// Who sent some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The client (`C: `).
    Client,
    /// The server (`S: `).
    Server,
}

impl Side {
    /// The RFC-style line prefix, `"C: "` or `"S: "`.
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Side::Client => "C: ",
            Side::Server => "S: ",
        }
    }

    /// The other side.
    #[must_use]
    pub const fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// One entry of a [`Transcript`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Bytes one side sent (consecutive bytes of one side are merged).
    Data {
        /// The sender.
        side: Side,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// An annotation (`"TLS handshake"`, `"IDLE: new mail delivered"`).
    Note(String),
}

/// A shared, append-only record of a session. Clones share the record.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl Transcript {
    /// An empty transcript.
    #[must_use]
    pub fn new() -> Transcript {
        Transcript::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        // Entries are only ever appended whole: a poisoned lock still holds a valid list.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends bytes sent by `side`.
    pub fn record(&self, side: Side, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut entries = self.lock();
        if let Some(Entry::Data {
            side: last,
            bytes: b,
        }) = entries.last_mut()
        {
            if *last == side {
                b.extend_from_slice(bytes);
                return;
            }
        }
        entries.push(Entry::Data {
            side,
            bytes: bytes.to_vec(),
        });
    }

    /// Appends an annotation.
    pub fn note(&self, text: impl Into<String>) {
        self.lock().push(Entry::Note(text.into()));
    }

    /// A copy of the entries so far.
    #[must_use]
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().clone()
    }

    /// Everything `side` sent, in order: the raw byte stream of that direction.
    #[must_use]
    pub fn stream(&self, side: Side) -> Vec<u8> {
        let mut out = Vec::new();
        for e in self.lock().iter() {
            if let Entry::Data { side: s, bytes } = e {
                if *s == side {
                    out.extend_from_slice(bytes);
                }
            }
        }
        out
    }

    /// The transcript in RFC style: each line a side sent, without its line ending, after
    /// `C: ` or `S: `; a last line without line ending is shown as it is. Control
    /// characters (other than tab) and bytes that are not UTF-8 are shown as `\xNN`, for
    /// display: [`parse_rfc`] reads the text back exactly only where it had none of those
    /// and every line ended with CRLF. Notes are shown as `-- note --`.
    #[must_use]
    pub fn render(&self) -> String {
        self.render_with(usize::MAX)
    }

    /// Like [`render`](Self::render), but shows at most `max_lines` lines of each entry
    /// (long message bodies), then how many lines were left out.
    #[must_use]
    pub fn render_with(&self, max_lines: usize) -> String {
        let mut out = String::new();
        for e in self.lock().iter() {
            match e {
                Entry::Note(text) => {
                    let _ = writeln!(out, "-- {text} --");
                }
                Entry::Data { side, bytes } => {
                    let lines: Vec<&[u8]> = split_lines(bytes).collect();
                    for line in lines.iter().take(max_lines) {
                        out.push_str(side.prefix());
                        escape_into(line, &mut out);
                        out.push('\n');
                    }
                    if lines.len() > max_lines {
                        let _ = writeln!(
                            out,
                            "{}[... {} more lines]",
                            side.prefix(),
                            lines.len() - max_lines
                        );
                    }
                }
            }
        }
        out
    }
}

/// Splits after each LF, dropping the line ending (CRLF or bare LF).
fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split_inclusive(|b| *b == b'\n').map(|line| {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    })
}

fn escape_into(line: &[u8], out: &mut String) {
    for chunk in line.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.push('\t'),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\x{b:02X}");
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
}

/// What one side sent, read from a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The sender.
    pub side: Side,
    /// The offset of `bytes` in everything this side sent.
    pub offset: usize,
    /// The bytes, each line ended by CRLF.
    pub bytes: Vec<u8>,
    /// The line of the transcript the segment starts on (from 1).
    pub line: usize,
}

/// Reads an RFC-style transcript: lines starting `C:` or `S:` (one optional space after
/// the colon), each standing for that line plus CRLF; consecutive lines of one side form
/// one segment. The text after the prefix is taken verbatim (RFC examples are not escaped).
/// Blank lines and `-- notes --` are skipped. Any other line is an error naming its
/// number.
pub fn parse_rfc(text: &[u8]) -> Result<Vec<Segment>> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut offsets = [0usize; 2];
    for (i, raw) in split_lines(text).enumerate() {
        let line_no = i + 1;
        if raw.iter().all(u8::is_ascii_whitespace) || raw.starts_with(b"-- ") {
            continue;
        }
        let (side, rest) = match raw {
            [b'C' | b'c', b':', rest @ ..] => (Side::Client, rest),
            [b'S' | b's', b':', rest @ ..] => (Side::Server, rest),
            _ => {
                return Err(Error::Transcript {
                    line: line_no,
                    reason: "expected a line starting with \"C:\" or \"S:\"",
                });
            }
        };
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let mut bytes = rest.to_vec();
        bytes.extend_from_slice(b"\r\n");
        let slot = usize::from(side == Side::Server);
        let offset = offsets.get(slot).copied().unwrap_or(0);
        if let Some(o) = offsets.get_mut(slot) {
            *o += bytes.len();
        }
        match segments.last_mut() {
            Some(last) if last.side == side => last.bytes.extend_from_slice(&bytes),
            _ => segments.push(Segment {
                side,
                offset,
                bytes,
                line: line_no,
            }),
        }
    }
    Ok(segments)
}

/// A connection that records what goes through it into a [`Transcript`].
#[derive(Debug)]
pub struct Recorded<S> {
    inner: S,
    transcript: Transcript,
    /// Who sends what this end reads.
    reads_from: Side,
}

impl<S> Recorded<S> {
    /// Wraps the client's end: writes are recorded as `C:`, reads as `S:`.
    pub fn client(inner: S, transcript: Transcript) -> Recorded<S> {
        Recorded {
            inner,
            transcript,
            reads_from: Side::Server,
        }
    }

    /// Wraps the server's end: writes are recorded as `S:`, reads as `C:`.
    pub fn server(inner: S, transcript: Transcript) -> Recorded<S> {
        Recorded {
            inner,
            transcript,
            reads_from: Side::Client,
        }
    }

    /// The transcript.
    #[must_use]
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The wrapped connection.
    #[must_use]
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped connection, for example to upgrade it to TLS in place.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the connection.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Wraps another connection with the same transcript and sides (after a by-value TLS
    /// upgrade).
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Recorded<T> {
        Recorded {
            inner: f(self.inner),
            transcript: self.transcript,
            reads_from: self.reads_from,
        }
    }
}

impl<S: Read> Read for Recorded<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(got) = buf.get(..n) {
            self.transcript.record(self.reads_from, got);
        }
        Ok(n)
    }
}

impl<S: Write> Write for Recorded<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(sent) = buf.get(..n) {
            self.transcript.record(self.reads_from.peer(), sent);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            if let Some(got) = buf.filled().get(before..) {
                this.transcript.record(this.reads_from, got);
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            if let Some(sent) = buf.get(..n) {
                this.transcript.record(this.reads_from.peer(), sent);
            }
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
