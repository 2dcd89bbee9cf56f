//! Writers, mirroring [`crate::types`]. Encoding a valid value cannot fail: validation
//! happened when it was built (the validating constructors) or parsed.

use alloc::vec::Vec;

use bytes::BufMut;

mod command;
mod ehlo;
mod param;
mod path;
mod reply;

/// Writes the wire form of a value (quinn's and rustls' `Codec::encode` shape).
pub trait Encode {
    /// Appends the wire form to `out`.
    fn encode(&self, out: &mut impl BufMut);

    /// The wire form as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }
}

/// `core::fmt::Write` onto a `BufMut`, for `Display` pieces (addresses, numbers).
pub(crate) struct W<'o, B: BufMut>(pub(crate) &'o mut B);

impl<B: BufMut> core::fmt::Write for W<'_, B> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.put_slice(s.as_bytes());
        Ok(())
    }
}

/// Writes `Display` output (infallible for our types).
pub(crate) fn put_fmt(out: &mut impl BufMut, args: core::fmt::Arguments<'_>) {
    let _ = core::fmt::write(&mut W(out), args);
}
