//! Writers, mirroring [`crate::types`]. Encoding a valid value cannot fail: validation
//! happened when the value was built.

mod body;
mod command;
mod ext_command;
mod resp_ext;
mod response;

use alloc::vec::Vec;

use bytes::BufMut;

use crate::types::core::{
    AString, Atom, AtomExt, IString, Literal, LiteralMode, NString, Quoted, Tag, Text,
};
use crate::types::datetime::{Date, DateTime, MONTHS};
use crate::types::flag::Flag;
use crate::types::mailbox::{ListMailbox, Mailbox};
use crate::types::sequence::SequenceSet;

/// A piece of an encoded message to send (RFC 3501 §4.3, §7.5): after a [`Fragment::Line`]
/// that ends with a synchronizing literal announcement (`{n}\r\n`), the client waits for a
/// continuation request (`+ ...`) before it sends the [`Fragment::Literal`] that follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment<'a> {
    /// Text up to and including a literal announcement's CRLF, or the final line.
    Line(Vec<u8>),
    /// A literal's data, borrowed from the value being encoded.
    Literal {
        /// The octets.
        data: &'a [u8],
        /// Whether the peer must first send a continuation request.
        sync: bool,
    },
}

/// Which non-synchronizing literals the server accepts (RFC 7888), for
/// [`Command::fragments_with`](crate::types::command::Command::fragments_with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiteralSupport {
    /// Plain IMAP4rev1: every literal is synchronizing.
    #[default]
    SyncOnly,
    /// LITERAL+: every literal may be non-synchronizing.
    LiteralPlus,
    /// LITERAL-: non-synchronizing literals up to 4096 octets (RFC 7888 §5).
    LiteralMinus,
}

/// A value that can be written in its wire form.
pub trait Encode {
    /// Appends the wire form (literals inline) to `out`.
    fn encode(&self, out: &mut impl BufMut);

    /// The wire form as a new vector.
    fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }
}

/// The output being built: a flat buffer, or fragments split at literals.
#[derive(Debug)]
pub(crate) struct Out<'s> {
    pub(crate) buf: Vec<u8>,
    pub(crate) frags: Option<Vec<Fragment<'s>>>,
    pub(crate) policy: Option<LiteralSupport>,
}

impl<'s> Out<'s> {
    pub(crate) fn flat() -> Self {
        Out {
            buf: Vec::new(),
            frags: None,
            policy: None,
        }
    }

    pub(crate) fn split(policy: LiteralSupport) -> Self {
        Out {
            buf: Vec::new(),
            frags: Some(Vec::new()),
            policy: Some(policy),
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Fragment<'s>> {
        let mut f = self.frags.take().unwrap_or_default();
        if !self.buf.is_empty() {
            f.push(Fragment::Line(core::mem::take(&mut self.buf)));
        }
        f
    }

    pub(crate) fn put(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    pub(crate) fn sp(&mut self) {
        self.buf.push(b' ');
    }

    pub(crate) fn crlf(&mut self) {
        self.buf.extend_from_slice(b"\r\n");
    }

    pub(crate) fn num(&mut self, n: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        let mut n = n;
        loop {
            i -= 1;
            if let Some(d) = tmp.get_mut(i) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        self.put(tmp.get(i..).unwrap_or_default());
    }

    pub(crate) fn literal(&mut self, data: &'s [u8], mode: LiteralMode) {
        let sync = match (self.policy, mode) {
            (None, m) => m == LiteralMode::Sync,
            (Some(LiteralSupport::SyncOnly), _) => true,
            (Some(LiteralSupport::LiteralPlus), _) => false,
            (Some(LiteralSupport::LiteralMinus), _) => data.len() > 4096,
        };
        self.byte(b'{');
        self.num(data.len() as u64);
        if !sync {
            self.byte(b'+');
        }
        self.put(b"}\r\n");
        match self.frags.as_mut() {
            Some(f) => {
                f.push(Fragment::Line(core::mem::take(&mut self.buf)));
                f.push(Fragment::Literal { data, sync });
            }
            None => self.buf.extend_from_slice(data),
        }
    }

    pub(crate) fn list<T>(&mut self, items: &'s [T], mut f: impl FnMut(&mut Self, &'s T)) {
        self.byte(b'(');
        self.join(items, &mut f);
        self.byte(b')');
    }

    pub(crate) fn join<T>(&mut self, items: &'s [T], mut f: impl FnMut(&mut Self, &'s T)) {
        for (k, x) in items.iter().enumerate() {
            if k > 0 {
                self.sp();
            }
            f(self, x);
        }
    }
}

/// How each vocabulary type writes itself.
pub(crate) trait Enc {
    fn enc<'s>(&'s self, o: &mut Out<'s>);
}

macro_rules! enc_str {
    ($($t:ident),*) => {$(
        impl Enc for $t<'_> {
            fn enc<'s>(&'s self, o: &mut Out<'s>) {
                o.put(self.0.as_bytes());
            }
        }
    )*};
}
enc_str!(Tag, Atom, AtomExt, Text);

impl Enc for Quoted<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'"');
        for &b in self.0.iter() {
            if b == b'"' || b == b'\\' {
                o.byte(b'\\');
            }
            o.byte(b);
        }
        o.byte(b'"');
    }
}

impl Enc for Literal<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.literal(&self.data, self.mode);
    }
}

impl Enc for IString<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            IString::Quoted(q) => q.enc(o),
            IString::Literal(l) => l.enc(o),
        }
    }
}

impl Enc for AString<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            AString::Atom(a) => a.enc(o),
            AString::String(s) => s.enc(o),
        }
    }
}

impl Enc for NString<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Some(s) => s.enc(o),
            None => o.put(b"NIL"),
        }
    }
}

impl Enc for Mailbox<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Mailbox::Inbox => o.put(b"INBOX"),
            Mailbox::Other(a) => a.enc(o),
        }
    }
}

impl Enc for ListMailbox<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            ListMailbox::Token(t) => o.put(t.as_bytes()),
            ListMailbox::String(s) => s.enc(o),
        }
    }
}

impl Enc for SequenceSet<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(self.0.as_bytes());
    }
}

fn month(o: &mut Out<'_>, m: u8) {
    let name = MONTHS
        .get(usize::from(m).saturating_sub(1))
        .copied()
        .unwrap_or(b"Jan");
    o.put(name);
}

fn two(o: &mut Out<'_>, n: u8) {
    o.byte(b'0' + n / 10 % 10);
    o.byte(b'0' + n % 10);
}

impl Enc for Date {
    /// `date-text` with `date-day = 1*2DIGIT`.
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.num(u64::from(self.day()));
        o.byte(b'-');
        month(o, self.month());
        o.byte(b'-');
        two(o, (self.year() / 100) as u8);
        two(o, (self.year() % 100) as u8);
    }
}

impl Enc for DateTime {
    /// `date-time`, with `date-day-fixed` as `SP DIGIT` below 10.
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        let d = self.date();
        o.byte(b'"');
        if d.day() < 10 {
            o.sp();
            o.byte(b'0' + d.day());
        } else {
            two(o, d.day());
        }
        o.byte(b'-');
        month(o, d.month());
        o.byte(b'-');
        two(o, (d.year() / 100) as u8);
        two(o, (d.year() % 100) as u8);
        o.sp();
        let (h, m, s) = self.time();
        two(o, h);
        o.byte(b':');
        two(o, m);
        o.byte(b':');
        two(o, s);
        o.sp();
        let z = self.zone_minutes();
        o.byte(if z < 0 { b'-' } else { b'+' });
        let z = z.unsigned_abs();
        two(o, (z / 60) as u8);
        two(o, (z % 60) as u8);
        o.byte(b'"');
    }
}

impl Enc for Flag<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Flag::Answered => o.put(b"\\Answered"),
            Flag::Flagged => o.put(b"\\Flagged"),
            Flag::Deleted => o.put(b"\\Deleted"),
            Flag::Seen => o.put(b"\\Seen"),
            Flag::Draft => o.put(b"\\Draft"),
            Flag::Recent => o.put(b"\\Recent"),
            Flag::Wildcard => o.put(b"\\*"),
            Flag::Extension(e) => {
                o.byte(b'\\');
                o.put(e.0.as_bytes());
            }
            Flag::Keyword(k) => k.enc(o),
        }
    }
}

pub(crate) fn flag_list<'s>(o: &mut Out<'s>, flags: &'s [Flag<'_>]) {
    o.list(flags, |o, f| f.enc(o));
}

macro_rules! impl_encode {
    ($($t:ident),*) => {$(
        impl $crate::serialize::Encode for $t<'_> {
            fn encode(&self, out: &mut impl bytes::BufMut) {
                let mut o = $crate::serialize::Out::flat();
                self.enc(&mut o);
                out.put_slice(&o.buf);
            }
        }
    )*};
}
pub(crate) use impl_encode;
