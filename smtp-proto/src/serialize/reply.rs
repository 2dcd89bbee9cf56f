use bytes::BufMut;

use super::{Encode, put_fmt};
use crate::types::reply::Reply;

impl Encode for Reply<'_> {
    /// Writes every line, CRLF included: `code "-" text` for all but the last, `code SP
    /// text` (or just the code when the text is empty) for the last, with the enhanced code
    /// at the start of each line's text.
    fn encode(&self, out: &mut impl BufMut) {
        let n = self.lines().len();
        for (i, line) in self.lines().enumerate() {
            put_fmt(out, format_args!("{}", self.code.get()));
            let last = i + 1 == n;
            match (self.enhanced, line.is_empty(), last) {
                // RFC 4954 §4: `continue-req = "334" SP [base64] CRLF` keeps the SP.
                (None, true, true) if self.code.get() != 334 => {}
                (None, _, _) => {
                    out.put_u8(if last { b' ' } else { b'-' });
                    out.put_slice(line.as_bytes());
                }
                (Some(e), empty, _) => {
                    out.put_u8(if last { b' ' } else { b'-' });
                    put_fmt(out, format_args!("{e}"));
                    if !empty {
                        out.put_u8(b' ');
                        out.put_slice(line.as_bytes());
                    }
                }
            }
            out.put_slice(b"\r\n");
        }
    }
}
