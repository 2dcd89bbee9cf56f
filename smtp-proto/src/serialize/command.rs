use bytes::BufMut;

use super::{Encode, put_fmt};
use crate::types::command::{AuthResponse, Command, InitialResponse};

impl Encode for Command<'_> {
    /// Writes the command line, CRLF included.
    fn encode(&self, out: &mut impl BufMut) {
        match self {
            Command::Ehlo(h) | Command::Helo(h) | Command::Lhlo(h) => {
                out.put_slice(self.verb().as_bytes());
                out.put_u8(b' ');
                h.encode(out);
            }
            Command::MailFrom(m) => {
                out.put_slice(b"MAIL FROM:");
                m.path.encode(out);
                if !m.params.is_empty() {
                    out.put_u8(b' ');
                    m.params.encode(out);
                }
            }
            Command::RcptTo(r) => {
                out.put_slice(b"RCPT TO:");
                r.path.encode(out);
                if !r.params.is_empty() {
                    out.put_u8(b' ');
                    r.params.encode(out);
                }
            }
            Command::Bdat { size, last } => {
                put_fmt(out, format_args!("BDAT {size}"));
                if *last {
                    out.put_slice(b" LAST");
                }
            }
            Command::Vrfy(t) | Command::Expn(t) | Command::Etrn(t) => {
                out.put_slice(self.verb().as_bytes());
                out.put_u8(b' ');
                out.put_slice(t.as_str().as_bytes());
            }
            Command::Help(t) | Command::Noop(t) => {
                out.put_slice(self.verb().as_bytes());
                if let Some(t) = t {
                    out.put_u8(b' ');
                    out.put_slice(t.as_str().as_bytes());
                }
            }
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
            Command::Unknown { verb, args } => {
                out.put_slice(verb.as_str().as_bytes());
                if let Some(t) = args {
                    out.put_u8(b' ');
                    out.put_slice(t.as_str().as_bytes());
                }
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls => {
                out.put_slice(self.verb().as_bytes());
            }
        }
        out.put_slice(b"\r\n");
    }
}

impl Encode for AuthResponse<'_> {
    /// Writes the client line of an AUTH exchange, CRLF included.
    fn encode(&self, out: &mut impl BufMut) {
        match self {
            AuthResponse::Data(b) => out.put_slice(b.as_str().as_bytes()),
            AuthResponse::Cancel => out.put_u8(b'*'),
        }
        out.put_slice(b"\r\n");
    }
}
