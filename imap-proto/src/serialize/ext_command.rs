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

use crate::types::command::{
    AppendData, AppendMessage, CreateParam, EntryType, FetchModifier, ListReturnOption,
    ListSelectOption, MetadataDepth, MetadataOption, MetadataValue, ModSeqEntry, OneOrList,
    QuotaLimit, SearchReturnOption, SelectParam, SortCriterion, SortKey, StatusAttribute,
    StoreModifier, TaggedExt, TaggedExtVal, ThreadAlgorithm,
};
use crate::types::core::{ModSeq, Number64};

/// Writes `n` (a `mod-sequence-value`).
pub(crate) fn modseq(o: &mut Out<'_>, m: ModSeq) {
    o.num(m.get());
}

/// Writes `n` (a `mod-sequence-valzer`; `None` is `0`).
pub(crate) fn modseq_valzer(o: &mut Out<'_>, m: Option<ModSeq>) {
    o.num(m.map_or(0, ModSeq::get));
}

/// Writes a `number64`.
pub(crate) fn number64(o: &mut Out<'_>, n: Number64) {
    o.num(n.get());
}

impl Enc for TaggedExtVal<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.put(&self.0);
    }
}

impl Enc for TaggedExt<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        self.name.enc(o);
        if let Some(v) = &self.value {
            o.sp();
            v.enc(o);
        }
    }
}

impl<T: Enc> Enc for OneOrList<T> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            OneOrList::One(t) => t.enc(o),
            OneOrList::List(v) => o.list(v.as_slice(), |o, t| t.enc(o)),
        }
    }
}

impl Enc for SelectParam<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            SelectParam::Condstore => o.put(b"CONDSTORE"),
            SelectParam::Qresync(q) => {
                o.put(b"QRESYNC (");
                o.num(u64::from(q.uidvalidity.get()));
                o.sp();
                modseq(o, q.modseq);
                if let Some(k) = &q.known_uids {
                    o.sp();
                    k.enc(o);
                }
                if let Some((seqs, uids)) = &q.seq_match {
                    o.put(b" (");
                    seqs.enc(o);
                    o.sp();
                    uids.enc(o);
                    o.byte(b')');
                }
                o.byte(b')');
            }
            SelectParam::Other(t) => t.enc(o),
        }
    }
}

impl Enc for FetchModifier<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            FetchModifier::ChangedSince(m) => {
                o.put(b"CHANGEDSINCE ");
                modseq(o, *m);
            }
            FetchModifier::Vanished => o.put(b"VANISHED"),
            FetchModifier::Other(t) => t.enc(o),
        }
    }
}

impl Enc for StoreModifier<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            StoreModifier::UnchangedSince(m) => {
                o.put(b"UNCHANGEDSINCE ");
                modseq_valzer(o, *m);
            }
            StoreModifier::Other(t) => t.enc(o),
        }
    }
}

impl Enc for SearchReturnOption<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use SearchReturnOption as S;
        match self {
            S::Min => o.put(b"MIN"),
            S::Max => o.put(b"MAX"),
            S::All => o.put(b"ALL"),
            S::Count => o.put(b"COUNT"),
            S::Save => o.put(b"SAVE"),
            S::Other(t) => t.enc(o),
        }
    }
}

impl Enc for ListSelectOption<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use ListSelectOption as L;
        match self {
            L::Subscribed => o.put(b"SUBSCRIBED"),
            L::Remote => o.put(b"REMOTE"),
            L::RecursiveMatch => o.put(b"RECURSIVEMATCH"),
            L::SpecialUse => o.put(b"SPECIAL-USE"),
            L::Other(t) => t.enc(o),
        }
    }
}

impl Enc for ListReturnOption<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use ListReturnOption as L;
        match self {
            L::Subscribed => o.put(b"SUBSCRIBED"),
            L::Children => o.put(b"CHILDREN"),
            L::SpecialUse => o.put(b"SPECIAL-USE"),
            L::Status(items) => {
                o.put(b"STATUS ");
                o.list(items.as_slice(), |o, a| a.enc(o));
            }
            L::Other(t) => t.enc(o),
        }
    }
}

impl Enc for StatusAttribute {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use StatusAttribute as S;
        o.put(match self {
            S::Messages => b"MESSAGES".as_slice(),
            S::Recent => b"RECENT",
            S::UidNext => b"UIDNEXT",
            S::UidValidity => b"UIDVALIDITY",
            S::Unseen => b"UNSEEN",
            S::HighestModSeq => b"HIGHESTMODSEQ",
            S::Size => b"SIZE",
            S::Deleted => b"DELETED",
            S::AppendLimit => b"APPENDLIMIT",
            S::Other(a) => a.as_str().as_bytes(),
        });
    }
}

impl Enc for CreateParam<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            CreateParam::Use(v) => {
                o.put(b"USE ");
                o.list(v, |o, a| {
                    o.byte(b'\\');
                    a.enc(o);
                });
            }
            CreateParam::Other(t) => t.enc(o),
        }
    }
}

impl Enc for AppendMessage<'_> {
    /// `append-opts SP append-data`, without the leading SP.
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        if let Some(f) = &self.flags {
            super::flag_list(o, f);
            o.sp();
        }
        if let Some(d) = &self.date {
            d.enc(o);
            o.sp();
        }
        match &self.data {
            AppendData::Literal(l) => l.enc(o),
            AppendData::Binary(l) => l.enc(o),
            AppendData::Utf8(l) => {
                o.put(b"UTF8 (");
                l.enc(o);
                o.byte(b')');
            }
        }
    }
}

impl Enc for SortCriterion<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        if self.reverse {
            o.put(b"REVERSE ");
        }
        o.put(match &self.key {
            SortKey::Arrival => b"ARRIVAL".as_slice(),
            SortKey::Cc => b"CC",
            SortKey::Date => b"DATE",
            SortKey::From => b"FROM",
            SortKey::Size => b"SIZE",
            SortKey::Subject => b"SUBJECT",
            SortKey::To => b"TO",
            SortKey::DisplayFrom => b"DISPLAYFROM",
            SortKey::DisplayTo => b"DISPLAYTO",
            SortKey::Other(a) => a.as_str().as_bytes(),
        });
    }
}

impl Enc for ThreadAlgorithm<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            ThreadAlgorithm::OrderedSubject => o.put(b"ORDEREDSUBJECT"),
            ThreadAlgorithm::References => o.put(b"REFERENCES"),
            ThreadAlgorithm::Other(a) => a.enc(o),
        }
    }
}

impl Enc for QuotaLimit<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        self.resource.enc(o);
        o.sp();
        number64(o, self.limit);
    }
}

impl Enc for MetadataOption<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            MetadataOption::MaxSize(n) => {
                o.put(b"MAXSIZE ");
                o.num(u64::from(*n));
            }
            MetadataOption::Depth(d) => o.put(match d {
                MetadataDepth::Zero => b"DEPTH 0".as_slice(),
                MetadataDepth::One => b"DEPTH 1",
                MetadataDepth::Infinity => b"DEPTH infinity",
            }),
            MetadataOption::Other(t) => t.enc(o),
        }
    }
}

impl Enc for MetadataValue<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            MetadataValue::String(s) => s.enc(o),
            MetadataValue::Binary(l) => l.enc(o),
        }
    }
}

impl Enc for ModSeqEntry<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        self.name.enc(o);
        o.put(match self.kind {
            EntryType::Private => b" priv".as_slice(),
            EntryType::Shared => b" shared",
            EntryType::All => b" all",
        });
    }
}
