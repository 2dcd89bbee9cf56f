//! Writers for responses (RFC 3501 §7, §9).

use base64::Engine as _;

use super::{Enc, Out, flag_list, impl_encode};
use crate::types::core::Text;
use crate::types::flag::NameAttribute;
use crate::types::response::{
    Capability, Code, Continue, Data, Greeting, MessageDataItem, Response, StatusItem, StatusKind,
    StatusResponse,
};

fn kind(o: &mut Out<'_>, k: StatusKind) {
    o.put(match k {
        StatusKind::Ok => b"OK".as_slice(),
        StatusKind::No => b"NO",
        StatusKind::Bad => b"BAD",
        StatusKind::PreAuth => b"PREAUTH",
        StatusKind::Bye => b"BYE",
    });
}

/// `[SP "[" code "]"] [SP text]`: the text is empty only for lenient-decoded values.
fn resp_text<'s>(o: &mut Out<'s>, code: &'s Option<Code<'_>>, text: &'s Text<'_>) {
    if let Some(c) = code {
        o.put(b"[");
        c.enc(o);
        o.put(b"]");
        if !text.as_str().is_empty() {
            o.sp();
        }
    }
    text.enc(o);
}

impl Enc for Response<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Response::Status(s) => s.enc(o),
            Response::Data(d) => {
                o.put(b"* ");
                d.enc(o);
                o.crlf();
            }
            Response::Continue(c) => c.enc(o),
        }
    }
}

impl Enc for StatusResponse<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match &self.tag {
            Some(t) => t.enc(o),
            None => o.byte(b'*'),
        }
        o.sp();
        kind(o, self.kind);
        if self.code.is_some() || !self.text.as_str().is_empty() {
            o.sp();
        }
        resp_text(o, &self.code, &self.text);
        o.crlf();
    }
}

impl Enc for Greeting<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(b"* ");
        kind(o, self.kind);
        if self.code.is_some() || !self.text.as_str().is_empty() {
            o.sp();
        }
        resp_text(o, &self.code, &self.text);
        o.crlf();
    }
}

impl Enc for Continue<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(b"+ ");
        match self {
            Continue::Basic { code, text } => resp_text(o, code, text),
            Continue::Base64(d) => o.put(
                base64::engine::general_purpose::STANDARD
                    .encode(d)
                    .as_bytes(),
            ),
        }
        o.crlf();
    }
}

impl Enc for Capability<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Capability::Imap4Rev1 => o.put(b"IMAP4rev1"),
            Capability::LoginDisabled => o.put(b"LOGINDISABLED"),
            Capability::StartTls => o.put(b"STARTTLS"),
            Capability::Auth(a) => {
                o.put(b"AUTH=");
                a.enc(o);
            }
            Capability::Other(a) => a.enc(o),
        }
    }
}

impl Enc for Code<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Code::Alert => o.put(b"ALERT"),
            Code::Parse => o.put(b"PARSE"),
            Code::ReadOnly => o.put(b"READ-ONLY"),
            Code::ReadWrite => o.put(b"READ-WRITE"),
            Code::TryCreate => o.put(b"TRYCREATE"),
            Code::BadCharset(v) => {
                o.put(b"BADCHARSET");
                if !v.is_empty() {
                    o.sp();
                    o.list(v, |o, a| a.enc(o));
                }
            }
            Code::Capability(v) => {
                o.put(b"CAPABILITY");
                for c in v {
                    o.sp();
                    c.enc(o);
                }
            }
            Code::PermanentFlags(v) => {
                o.put(b"PERMANENTFLAGS ");
                flag_list(o, v);
            }
            Code::UidNext(n) => {
                o.put(b"UIDNEXT ");
                o.num(u64::from(n.get()));
            }
            Code::UidValidity(n) => {
                o.put(b"UIDVALIDITY ");
                o.num(u64::from(n.get()));
            }
            Code::Unseen(n) => {
                o.put(b"UNSEEN ");
                o.num(u64::from(n.get()));
            }
            Code::Other { name, text } => {
                name.enc(o);
                if let Some(t) = text {
                    o.sp();
                    o.put(t.as_bytes());
                }
            }
        }
    }
}

fn name_attribute<'s>(o: &mut Out<'s>, a: &'s NameAttribute<'_>) {
    match a {
        NameAttribute::NoInferiors => o.put(b"\\Noinferiors"),
        NameAttribute::NoSelect => o.put(b"\\Noselect"),
        NameAttribute::Marked => o.put(b"\\Marked"),
        NameAttribute::Unmarked => o.put(b"\\Unmarked"),
        NameAttribute::Extension(e) => {
            o.byte(b'\\');
            o.put(e.as_str().as_bytes());
        }
    }
}

impl Enc for Data<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Data::Capability(v) => {
                o.put(b"CAPABILITY");
                for c in v {
                    o.sp();
                    c.enc(o);
                }
            }
            Data::List {
                attributes,
                delimiter,
                mailbox,
            }
            | Data::Lsub {
                attributes,
                delimiter,
                mailbox,
            } => {
                o.put(if matches!(self, Data::List { .. }) {
                    b"LIST ".as_slice()
                } else {
                    b"LSUB "
                });
                o.list(attributes, |o, a| name_attribute(o, a));
                o.sp();
                match delimiter {
                    Some(d) => {
                        o.byte(b'"');
                        if *d == b'"' || *d == b'\\' {
                            o.byte(b'\\');
                        }
                        o.byte(*d);
                        o.byte(b'"');
                    }
                    None => o.put(b"NIL"),
                }
                o.sp();
                mailbox.enc(o);
            }
            Data::Status { mailbox, items } => {
                o.put(b"STATUS ");
                mailbox.enc(o);
                o.sp();
                o.list(items, |o, i| {
                    let (name, n): (&[u8], u32) = match *i {
                        StatusItem::Messages(n) => (b"MESSAGES ", n),
                        StatusItem::Recent(n) => (b"RECENT ", n),
                        StatusItem::UidNext(n) => (b"UIDNEXT ", n),
                        StatusItem::UidValidity(n) => (b"UIDVALIDITY ", n),
                        StatusItem::Unseen(n) => (b"UNSEEN ", n),
                    };
                    o.put(name);
                    o.num(u64::from(n));
                });
            }
            Data::Search(v) => {
                o.put(b"SEARCH");
                for n in v {
                    o.sp();
                    o.num(u64::from(n.get()));
                }
            }
            Data::Flags(v) => {
                o.put(b"FLAGS ");
                flag_list(o, v);
            }
            Data::Exists(n) => {
                o.num(u64::from(*n));
                o.put(b" EXISTS");
            }
            Data::Recent(n) => {
                o.num(u64::from(*n));
                o.put(b" RECENT");
            }
            Data::Expunge(n) => {
                o.num(u64::from(n.get()));
                o.put(b" EXPUNGE");
            }
            Data::Fetch { seq, items } => {
                o.num(u64::from(seq.get()));
                o.put(b" FETCH ");
                o.list(items.as_slice(), |o, i| i.enc(o));
            }
            Data::Other { name, rest } => {
                name.enc(o);
                if !rest.is_empty() {
                    o.sp();
                    o.put(rest);
                }
            }
        }
    }
}

impl Enc for MessageDataItem<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use MessageDataItem as M;
        match self {
            M::Flags(v) => {
                o.put(b"FLAGS ");
                flag_list(o, v);
            }
            M::Envelope(e) => {
                o.put(b"ENVELOPE ");
                e.enc(o);
            }
            M::InternalDate(d) => {
                o.put(b"INTERNALDATE ");
                d.enc(o);
            }
            M::Rfc822(n) => {
                o.put(b"RFC822 ");
                n.enc(o);
            }
            M::Rfc822Header(n) => {
                o.put(b"RFC822.HEADER ");
                n.enc(o);
            }
            M::Rfc822Text(n) => {
                o.put(b"RFC822.TEXT ");
                n.enc(o);
            }
            M::Rfc822Size(n) => {
                o.put(b"RFC822.SIZE ");
                o.num(u64::from(*n));
            }
            M::Body(b) => {
                o.put(b"BODY ");
                b.enc(o);
            }
            M::BodyStructure(b) => {
                o.put(b"BODYSTRUCTURE ");
                b.enc(o);
            }
            M::BodySection {
                section,
                origin,
                data,
            } => {
                o.put(b"BODY");
                section.enc(o);
                if let Some(n) = origin {
                    o.byte(b'<');
                    o.num(u64::from(*n));
                    o.byte(b'>');
                }
                o.sp();
                data.enc(o);
            }
            M::Uid(n) => {
                o.put(b"UID ");
                o.num(u64::from(n.get()));
            }
            M::Other { name, value } => {
                o.put(name.as_bytes());
                o.sp();
                o.put(value);
            }
        }
    }
}

impl_encode!(Response, StatusResponse, Greeting, Continue, Data);
