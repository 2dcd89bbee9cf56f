//! Writers for the extension responses' vocabulary ([`crate::types::resp_ext`]).

use super::{Enc, Out};
use crate::types::resp_ext::{
    Esearch, GmLabel, ListExtendedItem, MetadataCode, MetadataEntries, NString8, NamespaceDescr,
    Namespaces, QuotaResource, SearchReturnData, ThreadList, UidSet,
};

impl Enc for UidSet<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(self.0.as_bytes());
    }
}

impl Enc for MetadataCode {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(b"METADATA ");
        match self {
            MetadataCode::LongEntries(n) => {
                o.put(b"LONGENTRIES ");
                o.num(u64::from(*n));
            }
            MetadataCode::MaxSize(n) => {
                o.put(b"MAXSIZE ");
                o.num(u64::from(*n));
            }
            MetadataCode::TooMany => o.put(b"TOOMANY"),
            MetadataCode::NoPrivate => o.put(b"NOPRIVATE"),
        }
    }
}

impl Enc for NString8<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            NString8::NString(n) => n.enc(o),
            NString8::Literal8(l) => l.enc(o),
        }
    }
}

/// `DQUOTE QUOTED-CHAR DQUOTE / nil` (a LIST or NAMESPACE hierarchy delimiter).
pub(crate) fn delimiter(o: &mut Out<'_>, d: Option<u8>) {
    match d {
        Some(d) => {
            o.byte(b'"');
            if d == b'"' || d == b'\\' {
                o.byte(b'\\');
            }
            o.byte(d);
            o.byte(b'"');
        }
        None => o.put(b"NIL"),
    }
}

impl Enc for NamespaceDescr<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'(');
        self.prefix.enc(o);
        o.sp();
        delimiter(o, self.delimiter);
        for (name, values) in &self.extensions {
            o.sp();
            name.enc(o);
            o.sp();
            o.list(values.as_slice(), |o, v| v.enc(o));
        }
        o.byte(b')');
    }
}

pub(crate) fn namespaces<'s>(o: &mut Out<'s>, n: &'s Namespaces<'_>) {
    match n {
        Some(v) => {
            o.byte(b'(');
            for d in v {
                d.enc(o);
            }
            o.byte(b')');
        }
        None => o.put(b"NIL"),
    }
}

impl Enc for SearchReturnData<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use SearchReturnData as S;
        match self {
            S::Min(n) => {
                o.put(b"MIN ");
                o.num(u64::from(n.get()));
            }
            S::Max(n) => {
                o.put(b"MAX ");
                o.num(u64::from(n.get()));
            }
            S::All(s) => {
                o.put(b"ALL ");
                s.enc(o);
            }
            S::Count(n) => {
                o.put(b"COUNT ");
                o.num(u64::from(*n));
            }
            S::ModSeq(m) => {
                o.put(b"MODSEQ ");
                o.num(m.get());
            }
            S::Other { name, value } => {
                name.enc(o);
                o.sp();
                o.put(value);
            }
        }
    }
}

impl Enc for Esearch<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(b"ESEARCH");
        if let Some(t) = &self.tag {
            o.put(b" (TAG ");
            t.enc(o);
            o.byte(b')');
        }
        if self.uid {
            o.put(b" UID");
        }
        for d in &self.data {
            o.sp();
            d.enc(o);
        }
    }
}

impl Enc for ThreadList {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'(');
        o.join(self.members(), |o, n| o.num(u64::from(n.get())));
        if !self.members().is_empty() && !self.nested().is_empty() {
            o.sp();
        }
        for t in self.nested() {
            t.enc(o);
        }
        o.byte(b')');
    }
}

impl Enc for QuotaResource<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        self.name.enc(o);
        o.sp();
        o.num(self.usage.get());
        o.sp();
        o.num(self.limit.get());
    }
}

impl Enc for MetadataEntries<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            MetadataEntries::Values(v) => o.list(v.as_slice(), |o, (e, x)| {
                e.enc(o);
                o.sp();
                x.enc(o);
            }),
            MetadataEntries::Names(v) => o.join(v.as_slice(), |o, e| e.enc(o)),
        }
    }
}

impl Enc for ListExtendedItem<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            ListExtendedItem::ChildInfo(v) => {
                o.put(b"\"CHILDINFO\" ");
                o.list(v.as_slice(), |o, q| q.enc(o));
            }
            ListExtendedItem::OldName(m) => {
                o.put(b"\"OLDNAME\" (");
                m.enc(o);
                o.byte(b')');
            }
            ListExtendedItem::Other { tag, value } => {
                tag.enc(o);
                o.sp();
                o.put(value);
            }
        }
    }
}

impl Enc for GmLabel<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            GmLabel::System(a) => {
                o.byte(b'\\');
                a.enc(o);
            }
            GmLabel::Name(a) => a.enc(o),
        }
    }
}
