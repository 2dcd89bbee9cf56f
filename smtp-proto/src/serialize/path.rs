use bytes::BufMut;

use super::{Encode, put_fmt};
use crate::types::path::{ForwardPath, Host, Mailbox, ReversePath};

impl Encode for Host<'_> {
    fn encode(&self, out: &mut impl BufMut) {
        put_fmt(out, format_args!("{self}"));
    }
}

impl Encode for Mailbox<'_> {
    fn encode(&self, out: &mut impl BufMut) {
        out.put_slice(self.local_part.as_str().as_bytes());
        out.put_u8(b'@');
        self.host.encode(out);
    }
}

impl Encode for ReversePath<'_> {
    fn encode(&self, out: &mut impl BufMut) {
        match self {
            ReversePath::Null => out.put_slice(b"<>"),
            ReversePath::Mailbox(m) => {
                out.put_u8(b'<');
                m.encode(out);
                out.put_u8(b'>');
            }
        }
    }
}

impl Encode for ForwardPath<'_> {
    fn encode(&self, out: &mut impl BufMut) {
        match self {
            ForwardPath::Postmaster => out.put_slice(b"<Postmaster>"),
            ForwardPath::Mailbox(m) => {
                out.put_u8(b'<');
                m.encode(out);
                out.put_u8(b'>');
            }
        }
    }
}
