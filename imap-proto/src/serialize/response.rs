//! Writers for responses (RFC 3501 §7, §9).

use base64::Engine as _;

use super::resp_ext::{delimiter, namespaces};
use super::{Enc, Out, flag_list, impl_encode};
use crate::types::core::{ModSeq, Text};
use crate::types::flag::NameAttribute;
use crate::types::response::{
    Capability, Code, Continue, Data, Greeting, MessageDataItem, Response, StatusItem, StatusKind,
    StatusResponse, UNIT_CODES,
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
            Code::BadCharset(v) => {
                o.put(b"BADCHARSET");
                if !v.is_empty() {
                    o.sp();
                    o.list(v, |o, a| a.enc(o));
                }
            }
            Code::Capability(v) => capabilities(o, b"CAPABILITY", v.as_slice()),
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
            Code::AppendUid { uid_validity, uids } => {
                o.put(b"APPENDUID ");
                o.num(u64::from(uid_validity.get()));
                o.sp();
                uids.enc(o);
            }
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => {
                o.put(b"COPYUID ");
                o.num(u64::from(uid_validity.get()));
                o.sp();
                source.enc(o);
                o.sp();
                destination.enc(o);
            }
            Code::HighestModSeq(m) => {
                o.put(b"HIGHESTMODSEQ ");
                o.num(m.get());
            }
            Code::Modified(s) => {
                o.put(b"MODIFIED ");
                s.enc(o);
            }
            Code::Metadata(m) => m.enc(o),
            Code::Other { name, text } => {
                name.enc(o);
                if let Some(t) = text {
                    o.sp();
                    o.put(t.as_bytes());
                }
            }
            unit => {
                let name = UNIT_CODES.iter().find(|(_, c)| c == unit).map(|(n, _)| *n);
                o.put(name.unwrap_or_default().as_bytes());
            }
        }
    }
}

/// `name *(SP capability)` (RFC 3501 `capability-data`, RFC 5161 `enable-data`).
fn capabilities<'s>(o: &mut Out<'s>, name: &[u8], caps: &'s [Capability<'_>]) {
    o.put(name);
    for c in caps {
        o.sp();
        c.enc(o);
    }
}

fn name_attribute<'s>(o: &mut Out<'s>, a: &'s NameAttribute<'_>) {
    o.byte(b'\\');
    o.put(a.name().as_bytes());
}

/// `name *(SP nz-number) [SP search-sort-mod-seq]` (RFC 3501 `SEARCH`, RFC 5256 `SORT`,
/// RFC 7162 `search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"`).
fn search_sort(o: &mut Out<'_>, name: &[u8], ids: &[core::num::NonZeroU32], m: Option<ModSeq>) {
    o.put(name);
    for n in ids {
        o.sp();
        o.num(u64::from(n.get()));
    }
    if let Some(m) = m {
        o.put(b" (MODSEQ ");
        o.num(m.get());
        o.byte(b')');
    }
}

impl Enc for Data<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            Data::Capability(v) => capabilities(o, b"CAPABILITY", v.as_slice()),
            Data::List {
                attributes,
                delimiter: d,
                mailbox,
                extended: _,
            }
            | Data::Lsub {
                attributes,
                delimiter: d,
                mailbox,
            } => {
                o.put(if matches!(self, Data::List { .. }) {
                    b"LIST ".as_slice()
                } else {
                    b"LSUB "
                });
                o.list(attributes, |o, a| name_attribute(o, a));
                o.sp();
                delimiter(o, *d);
                o.sp();
                mailbox.enc(o);
                if let Data::List {
                    extended: Some(ext),
                    ..
                } = self
                {
                    o.sp();
                    o.list(ext, |o, x| x.enc(o));
                }
            }
            Data::Status { mailbox, items } => {
                o.put(b"STATUS ");
                mailbox.enc(o);
                o.sp();
                o.list(items, |o, i| i.enc(o));
            }
            Data::Search(v) => search_sort(o, b"SEARCH", v, None),
            Data::SearchModSeq { ids, modseq } => {
                search_sort(o, b"SEARCH", ids.as_slice(), Some(*modseq));
            }
            Data::Sort(v) => search_sort(o, b"SORT", v, None),
            Data::SortModSeq { ids, modseq } => {
                search_sort(o, b"SORT", ids.as_slice(), Some(*modseq));
            }
            Data::Thread(v) => {
                o.put(b"THREAD");
                if !v.is_empty() {
                    o.sp();
                }
                for t in v {
                    t.enc(o);
                }
            }
            Data::Esearch(e) => e.enc(o),
            Data::Enabled(v) => capabilities(o, b"ENABLED", v),
            Data::Id(v) => {
                o.put(b"ID ");
                match v {
                    Some(v) => o.list(v, |o, (k, x)| {
                        k.enc(o);
                        o.sp();
                        x.enc(o);
                    }),
                    None => o.put(b"NIL"),
                }
            }
            Data::Namespace {
                personal,
                other,
                shared,
            } => {
                o.put(b"NAMESPACE ");
                namespaces(o, personal);
                o.sp();
                namespaces(o, other);
                o.sp();
                namespaces(o, shared);
            }
            Data::Vanished { earlier, uids } => {
                o.put(if *earlier {
                    b"VANISHED (EARLIER) ".as_slice()
                } else {
                    b"VANISHED "
                });
                uids.enc(o);
            }
            Data::Quota { root, resources } => {
                o.put(b"QUOTA ");
                root.enc(o);
                o.sp();
                o.list(resources.as_slice(), |o, r| r.enc(o));
            }
            Data::QuotaRoot { mailbox, roots } => {
                o.put(b"QUOTAROOT ");
                mailbox.enc(o);
                for r in roots {
                    o.sp();
                    r.enc(o);
                }
            }
            Data::Metadata { mailbox, entries } => {
                o.put(b"METADATA ");
                mailbox.enc(o);
                o.sp();
                entries.enc(o);
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
            Data::NumberedOther { number, name, rest } => {
                o.num(u64::from(*number));
                o.sp();
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
                o.num(n.get());
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
            M::ModSeq(m) => {
                o.put(b"MODSEQ (");
                o.num(m.get());
                o.byte(b')');
            }
            M::Binary {
                section,
                origin,
                data,
            } => {
                o.put(b"BINARY");
                section_binary(o, section);
                if let Some(n) = origin {
                    o.byte(b'<');
                    o.num(u64::from(*n));
                    o.byte(b'>');
                }
                o.sp();
                data.enc(o);
            }
            M::BinarySize { section, size } => {
                o.put(b"BINARY.SIZE");
                section_binary(o, section);
                o.sp();
                o.num(u64::from(*size));
            }
            M::GmMsgId(n) => {
                o.put(b"X-GM-MSGID ");
                o.num(*n);
            }
            M::GmThrId(n) => {
                o.put(b"X-GM-THRID ");
                o.num(*n);
            }
            M::GmLabels(v) => {
                o.put(b"X-GM-LABELS ");
                o.list(v, |o, l| l.enc(o));
            }
            M::Other { name, value } => {
                o.put(name.as_bytes());
                o.sp();
                o.put(value);
            }
        }
    }
}

/// `section-binary = "[" [section-part] "]"` (RFC 3516 §4.2).
fn section_binary(o: &mut Out<'_>, part: &[core::num::NonZeroU32]) {
    o.byte(b'[');
    for (k, n) in part.iter().enumerate() {
        if k > 0 {
            o.byte(b'.');
        }
        o.num(u64::from(n.get()));
    }
    o.byte(b']');
}

impl Enc for StatusItem<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        let (name, n): (&[u8], u64) = match self {
            StatusItem::Messages(n) => (b"MESSAGES ", u64::from(*n)),
            StatusItem::Recent(n) => (b"RECENT ", u64::from(*n)),
            StatusItem::UidNext(n) => (b"UIDNEXT ", u64::from(*n)),
            StatusItem::UidValidity(n) => (b"UIDVALIDITY ", u64::from(*n)),
            StatusItem::Unseen(n) => (b"UNSEEN ", u64::from(*n)),
            StatusItem::HighestModSeq(m) => (b"HIGHESTMODSEQ ", m.map_or(0, ModSeq::get)),
            StatusItem::Size(n) => (b"SIZE ", n.get()),
            StatusItem::Deleted(n) => (b"DELETED ", u64::from(*n)),
            StatusItem::AppendLimit(None) => return o.put(b"APPENDLIMIT NIL"),
            StatusItem::AppendLimit(Some(n)) => (b"APPENDLIMIT ", u64::from(*n)),
            StatusItem::Other { name, value } => {
                name.enc(o);
                o.sp();
                return o.put(value);
            }
        };
        o.put(name);
        o.num(n);
    }
}

impl_encode!(Response, StatusResponse, Greeting, Continue, Data, Code);
