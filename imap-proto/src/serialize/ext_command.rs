//! Writers for the extension commands (RFC 4466 and the extensions it collects).

use super::{Enc, Out};
use crate::types::core::Literal8;

impl Enc for Literal8<'_> {
    /// `"~" literal`: the framing of [`Out::literal`] after a tilde, so that a command
    /// still splits into fragments at a synchronizing `~{n}`.
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'~');
        o.literal(&self.data, self.mode);
    }
}

super::impl_encode!(Literal8);
