//! Writers: every value writes the bytes its parser reads back to the same value.
//! Encoding a valid value cannot fail (validation happens when the value is built).

use alloc::vec::Vec;

use bytes::BufMut;
use mail_common::dot::DotStuffer;

use crate::types::{
    AuthLine, Capability, Command, Expire, InitialResponse, Language, Response, ScanListing, Stat,
    Status, StatusLine, UniqueIdListing,
};

fn put_u64(out: &mut impl BufMut, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // `v % 10` is a digit, so the cast cannot truncate.
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.put_slice(buf.get(i..).unwrap_or_default());
}

fn put_msg(out: &mut impl BufMut, kw: &[u8], n: u32) {
    out.put_slice(kw);
    out.put_u8(b' ');
    put_u64(out, u64::from(n));
}

impl Command<'_> {
    /// Writes the command line, CRLF included.
    pub fn encode(&self, out: &mut impl BufMut) {
        match self {
            Command::User(name) => {
                out.put_slice(b"USER ");
                out.put_slice(name.as_str().as_bytes());
            }
            Command::Pass(p) => {
                out.put_slice(b"PASS ");
                out.put_slice(p.as_bytes());
            }
            Command::Apop { name, digest } => {
                out.put_slice(b"APOP ");
                out.put_slice(name.as_str().as_bytes());
                out.put_u8(b' ');
                out.put_slice(digest.as_bytes());
            }
            Command::Quit => out.put_slice(b"QUIT"),
            Command::Stat => out.put_slice(b"STAT"),
            Command::List(None) => out.put_slice(b"LIST"),
            Command::List(Some(n)) => put_msg(out, b"LIST", n.get()),
            Command::Retr(n) => put_msg(out, b"RETR", n.get()),
            Command::Dele(n) => put_msg(out, b"DELE", n.get()),
            Command::Noop => out.put_slice(b"NOOP"),
            Command::Rset => out.put_slice(b"RSET"),
            Command::Top { msg, lines } => {
                put_msg(out, b"TOP", msg.get());
                out.put_u8(b' ');
                put_u64(out, u64::from(*lines));
            }
            Command::Uidl(None) => out.put_slice(b"UIDL"),
            Command::Uidl(Some(n)) => put_msg(out, b"UIDL", n.get()),
            Command::Capa => out.put_slice(b"CAPA"),
            Command::Stls => out.put_slice(b"STLS"),
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                out.put_slice(b"AUTH ");
                out.put_slice(mechanism.as_str().as_bytes());
                match initial_response {
                    None => {}
                    Some(InitialResponse::Empty) => out.put_slice(b" ="),
                    Some(InitialResponse::Data(b)) => {
                        out.put_u8(b' ');
                        out.put_slice(b.as_str().as_bytes());
                    }
                }
            }
            Command::AuthList => out.put_slice(b"AUTH"),
            Command::Utf8 => out.put_slice(b"UTF8"),
            Command::Lang(None) => out.put_slice(b"LANG"),
            Command::Lang(Some(p)) => {
                out.put_slice(b"LANG ");
                out.put_slice(p.as_str().as_bytes());
            }
            Command::Unknown(u) => {
                out.put_slice(u.keyword().as_bytes());
                if !u.args().is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(u.args().as_bytes());
                }
            }
        }
        out.put_slice(b"\r\n");
    }

    /// The command line as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }
}

impl AuthLine<'_> {
    /// Writes the line, CRLF included.
    pub fn encode(&self, out: &mut impl BufMut) {
        match self {
            AuthLine::Response(b) => out.put_slice(b.as_str().as_bytes()),
            AuthLine::Cancel => out.put_u8(b'*'),
        }
        out.put_slice(b"\r\n");
    }
}

impl StatusLine<'_> {
    /// Writes the line, CRLF included.
    pub fn encode(&self, out: &mut impl BufMut) {
        self.encode_head(out);
        out.put_slice(b"\r\n");
    }

    fn encode_head(&self, out: &mut impl BufMut) {
        out.put_slice(match self.status() {
            Status::Ok => b"+OK",
            Status::Err => b"-ERR",
        });
        if let Some(code) = self.code() {
            out.put_slice(b" [");
            code.write_levels(out);
            out.put_u8(b']');
        }
        if !self.text().is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.text().as_bytes());
        }
    }
}

impl Stat {
    /// Writes `+OK count size` CRLF.
    pub fn encode(&self, out: &mut impl BufMut) {
        out.put_slice(b"+OK ");
        put_u64(out, u64::from(self.count));
        out.put_u8(b' ');
        put_u64(out, self.size);
        out.put_slice(b"\r\n");
    }
}

impl ScanListing {
    /// Writes `msg size` (no CRLF).
    pub fn encode(&self, out: &mut impl BufMut) {
        put_u64(out, u64::from(self.msg.get()));
        out.put_u8(b' ');
        put_u64(out, self.size);
    }
}

impl UniqueIdListing<'_> {
    /// Writes `msg unique-id` (no CRLF).
    pub fn encode(&self, out: &mut impl BufMut) {
        put_u64(out, u64::from(self.msg.get()));
        out.put_u8(b' ');
        out.put_slice(self.uid.as_str().as_bytes());
    }
}

impl Language<'_> {
    /// Writes `tag [SP description]` (no CRLF).
    pub fn encode(&self, out: &mut impl BufMut) {
        out.put_slice(self.tag.as_str().as_bytes());
        if !self.description.is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.description.as_bytes());
        }
    }
}

impl Capability<'_> {
    /// Writes `capa-tag *(SP param)` (no CRLF).
    pub fn encode(&self, out: &mut impl BufMut) {
        let user = |out: &mut _, on: bool| {
            if on {
                BufMut::put_slice(out, b" USER");
            }
        };
        match self {
            Capability::Top => out.put_slice(b"TOP"),
            Capability::User => out.put_slice(b"USER"),
            Capability::Sasl(p) => {
                out.put_slice(b"SASL");
                if !p.is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(p.as_str().as_bytes());
                }
            }
            Capability::RespCodes => out.put_slice(b"RESP-CODES"),
            Capability::LoginDelay { seconds, per_user } => {
                out.put_slice(b"LOGIN-DELAY ");
                put_u64(out, u64::from(*seconds));
                user(out, *per_user);
            }
            Capability::Pipelining => out.put_slice(b"PIPELINING"),
            Capability::Expire { policy, per_user } => {
                out.put_slice(b"EXPIRE ");
                match policy {
                    Expire::Days(d) => put_u64(out, u64::from(*d)),
                    Expire::Never => out.put_slice(b"NEVER"),
                }
                user(out, *per_user);
            }
            Capability::Uidl => out.put_slice(b"UIDL"),
            Capability::Implementation(p) => {
                out.put_slice(b"IMPLEMENTATION");
                if !p.is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(p.as_str().as_bytes());
                }
            }
            Capability::Stls => out.put_slice(b"STLS"),
            Capability::Utf8 { user: u } => {
                out.put_slice(b"UTF8");
                user(out, *u);
            }
            Capability::Lang => out.put_slice(b"LANG"),
            Capability::AuthRespCode => out.put_slice(b"AUTH-RESP-CODE"),
            Capability::Other(u) => {
                out.put_slice(u.tag().as_bytes());
                if !u.params().is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(u.params().as_str().as_bytes());
                }
            }
        }
    }
}

/// Writes one line of a multi-line listing, dot-stuffed (RFC 1939 §3), with its CRLF.
fn listing_line(out: &mut impl BufMut, write: impl FnOnce(&mut Vec<u8>)) {
    let mut line = Vec::new();
    write(&mut line);
    if line.first() == Some(&b'.') {
        out.put_u8(b'.');
    }
    out.put_slice(&line);
    out.put_slice(b"\r\n");
}

impl Response<'_> {
    /// Writes the whole response: the first line, and for a multi-line response every
    /// line dot-stuffed and the final `.` CRLF. Message content is written with CRLF line
    /// endings (a bare CR or LF becomes CRLF, RFC 1939 §3).
    pub fn encode(&self, out: &mut impl BufMut) {
        match self {
            Response::Status(s) => s.encode(out),
            Response::Continuation(b) => {
                out.put_slice(b"+ ");
                out.put_slice(b.as_str().as_bytes());
                out.put_slice(b"\r\n");
            }
            Response::Stat(s) => s.encode(out),
            Response::ScanListing(s) => {
                out.put_slice(b"+OK ");
                s.encode(out);
                out.put_slice(b"\r\n");
            }
            Response::UniqueIdListing(u) => {
                out.put_slice(b"+OK ");
                u.encode(out);
                out.put_slice(b"\r\n");
            }
            Response::ScanList { status, entries } => {
                status.encode(out);
                for e in entries {
                    listing_line(out, |l| e.encode(l));
                }
                out.put_slice(b".\r\n");
            }
            Response::UniqueIdList { status, entries } => {
                status.encode(out);
                for e in entries {
                    listing_line(out, |l| e.encode(l));
                }
                out.put_slice(b".\r\n");
            }
            Response::Capabilities {
                status,
                capabilities,
            } => {
                status.encode(out);
                for c in capabilities {
                    listing_line(out, |l| c.encode(l));
                }
                out.put_slice(b".\r\n");
            }
            Response::Mechanisms { status, mechanisms } => {
                status.encode(out);
                for m in mechanisms {
                    listing_line(out, |l| l.extend_from_slice(m.as_str().as_bytes()));
                }
                out.put_slice(b".\r\n");
            }
            Response::Languages { status, languages } => {
                status.encode(out);
                for lang in languages {
                    listing_line(out, |l| lang.encode(l));
                }
                out.put_slice(b".\r\n");
            }
            Response::Message { status, content } => {
                status.encode(out);
                let mut s = DotStuffer::new();
                s.encode(content, out);
                s.finish(out);
            }
        }
    }

    /// The response as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }
}
