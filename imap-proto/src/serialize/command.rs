//! Writers for commands (RFC 3501 §6, §9).

use alloc::vec::Vec;

use super::{Enc, Fragment, LiteralSupport, Out, flag_list, impl_encode};
use crate::types::command::{
    AuthenticateData, Command, CommandBody, FetchAttribute, FetchItems, FetchMacro, MsgText,
    PartText, SearchKey, Section, StoreAction, StoreAttribute, StoreFlags,
};
use crate::types::core::{AString, Vec1};
use crate::types::sequence::SequenceSet;
use base64::Engine as _;

fn b64(data: &[u8]) -> alloc::string::String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

impl<'a> Command<'a> {
    /// The pieces to send, split after each literal announcement (see [`Fragment`]); every
    /// literal keeps the mode it was built with.
    pub fn fragments(&self) -> Vec<Fragment<'_>> {
        let mut o = Out::flat();
        o.frags = Some(Vec::new());
        self.enc(&mut o);
        o.finish()
    }

    /// Like [`Command::fragments`], but choosing each literal's mode from what the server
    /// supports (RFC 7888): non-synchronizing where allowed, synchronizing otherwise.
    pub fn fragments_with(&self, support: LiteralSupport) -> Vec<Fragment<'_>> {
        let mut o = Out::split(support);
        self.enc(&mut o);
        o.finish()
    }
}

impl Enc for Command<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        self.tag.enc(o);
        o.sp();
        self.body.enc(o);
        o.crlf();
    }
}

impl Enc for CommandBody<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use CommandBody as C;
        match self {
            C::Capability
            | C::Noop
            | C::Logout
            | C::StartTls
            | C::Check
            | C::Close
            | C::Expunge
            | C::Unselect
            | C::Idle
            | C::Namespace => o.put(self.name().as_bytes()),
            C::Authenticate {
                mechanism,
                initial_response,
            } => {
                o.put(b"AUTHENTICATE ");
                mechanism.enc(o);
                if let Some(ir) = initial_response {
                    o.sp();
                    if ir.is_empty() {
                        o.byte(b'=');
                    } else {
                        o.put(b64(ir).as_bytes());
                    }
                }
            }
            C::Login { username, password } => {
                o.put(b"LOGIN ");
                username.enc(o);
                o.sp();
                password.enc(o);
            }
            C::Select { mailbox }
            | C::Examine { mailbox }
            | C::Create { mailbox }
            | C::Delete { mailbox }
            | C::Subscribe { mailbox }
            | C::Unsubscribe { mailbox } => {
                o.put(self.name().as_bytes());
                o.sp();
                mailbox.enc(o);
            }
            C::Rename { from, to } => {
                o.put(b"RENAME ");
                from.enc(o);
                o.sp();
                to.enc(o);
            }
            C::List { reference, pattern } | C::Lsub { reference, pattern } => {
                o.put(self.name().as_bytes());
                o.sp();
                reference.enc(o);
                o.sp();
                pattern.enc(o);
            }
            C::Status { mailbox, items } => {
                o.put(b"STATUS ");
                mailbox.enc(o);
                o.sp();
                o.list(items.as_slice(), |o, a| a.enc(o));
            }
            C::Append {
                mailbox,
                flags,
                date,
                message,
            } => {
                o.put(b"APPEND ");
                mailbox.enc(o);
                if let Some(f) = flags {
                    o.sp();
                    flag_list(o, f);
                }
                if let Some(d) = date {
                    o.sp();
                    d.enc(o);
                }
                o.sp();
                message.enc(o);
            }
            C::Search {
                uid,
                charset,
                criteria,
            } => {
                uid_prefix(o, *uid);
                o.put(b"SEARCH");
                search_program(o, charset.as_ref(), criteria);
            }
            C::Fetch {
                uid,
                sequence_set,
                items,
            } => {
                uid_verb_set(o, *uid, b"FETCH ", sequence_set);
                o.sp();
                items.enc(o);
            }
            C::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags,
            } => {
                uid_verb_set(o, *uid, b"STORE ", sequence_set);
                o.sp();
                store_action(o, *action);
                o.put(b"FLAGS");
                if *silent {
                    o.put(b".SILENT");
                }
                o.sp();
                store_flags(o, flags);
            }
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            } => {
                uid_verb_set(o, *uid, b"COPY ", sequence_set);
                o.sp();
                mailbox.enc(o);
            }
            C::Move {
                uid,
                sequence_set,
                mailbox,
            } => {
                uid_verb_set(o, *uid, b"MOVE ", sequence_set);
                o.sp();
                mailbox.enc(o);
            }
            C::UidExpunge { sequence_set } => {
                o.put(b"UID EXPUNGE ");
                sequence_set.enc(o);
            }
            C::Enable { capabilities } => {
                o.put(b"ENABLE");
                for c in capabilities {
                    o.sp();
                    c.enc(o);
                }
            }
            C::Id { parameters } => {
                o.put(b"ID ");
                match parameters {
                    None => o.put(b"NIL"),
                    Some(v) => o.list(v, |o, (k, v)| {
                        k.enc(o);
                        o.sp();
                        v.enc(o);
                    }),
                }
            }
            C::Compress { algorithm } => {
                o.put(b"COMPRESS ");
                algorithm.enc(o);
            }
            C::SelectExt {
                mailbox,
                parameters,
                ..
            } => {
                o.put(self.name().as_bytes());
                o.sp();
                mailbox.enc(o);
                o.sp();
                o.list(parameters.as_slice(), |o, p| p.enc(o));
            }
            C::CreateExt {
                mailbox,
                parameters,
            } => {
                o.put(b"CREATE ");
                mailbox.enc(o);
                o.sp();
                o.list(parameters.as_slice(), |o, p| p.enc(o));
            }
            C::ListExt {
                selection,
                reference,
                patterns,
                return_options,
            } => {
                o.put(b"LIST ");
                if let Some(s) = selection {
                    o.list(s, |o, x| x.enc(o));
                    o.sp();
                }
                reference.enc(o);
                o.sp();
                patterns.enc(o);
                if let Some(r) = return_options {
                    o.put(b" RETURN ");
                    o.list(r, |o, x| x.enc(o));
                }
            }
            C::AppendExt { mailbox, messages } => {
                o.put(b"APPEND ");
                mailbox.enc(o);
                for m in messages {
                    o.sp();
                    m.enc(o);
                }
            }
            C::SearchExt {
                uid,
                return_options,
                charset,
                criteria,
            } => {
                uid_prefix(o, *uid);
                o.put(b"SEARCH RETURN ");
                o.list(return_options, |o, x| x.enc(o));
                search_program(o, charset.as_ref(), criteria);
            }
            C::FetchExt {
                uid,
                sequence_set,
                items,
                modifiers,
            } => {
                uid_verb_set(o, *uid, b"FETCH ", sequence_set);
                o.sp();
                items.enc(o);
                o.sp();
                o.list(modifiers.as_slice(), |o, m| m.enc(o));
            }
            C::StoreExt {
                uid,
                sequence_set,
                modifiers,
                action,
                silent,
                attribute,
            } => {
                uid_verb_set(o, *uid, b"STORE ", sequence_set);
                o.sp();
                if !modifiers.is_empty() {
                    o.list(modifiers, |o, m| m.enc(o));
                    o.sp();
                }
                store_action(o, *action);
                let name = match attribute {
                    StoreAttribute::Flags(_) => b"FLAGS".as_slice(),
                    StoreAttribute::GmLabels(_) => b"X-GM-LABELS",
                };
                o.put(name);
                if *silent {
                    o.put(b".SILENT");
                }
                o.sp();
                match attribute {
                    StoreAttribute::Flags(f) => store_flags(o, f),
                    StoreAttribute::GmLabels(v) => o.list(v, |o, l| l.enc(o)),
                }
            }
            C::Sort {
                uid,
                criteria,
                charset,
                keys,
            } => {
                uid_prefix(o, *uid);
                o.put(b"SORT ");
                o.list(criteria.as_slice(), |o, c| c.enc(o));
                o.sp();
                charset.enc(o);
                search_keys(o, keys);
            }
            C::Thread {
                uid,
                algorithm,
                charset,
                keys,
            } => {
                uid_prefix(o, *uid);
                o.put(b"THREAD ");
                algorithm.enc(o);
                o.sp();
                charset.enc(o);
                search_keys(o, keys);
            }
            C::GetQuota { root } => {
                o.put(b"GETQUOTA ");
                root.enc(o);
            }
            C::GetQuotaRoot { mailbox } => {
                o.put(b"GETQUOTAROOT ");
                mailbox.enc(o);
            }
            C::SetQuota { root, limits } => {
                o.put(b"SETQUOTA ");
                root.enc(o);
                o.sp();
                o.list(limits, |o, l| l.enc(o));
            }
            C::GetMetadata {
                options,
                mailbox,
                entries,
            } => {
                o.put(b"GETMETADATA ");
                if !options.is_empty() {
                    o.list(options, |o, x| x.enc(o));
                    o.sp();
                }
                mailbox.enc(o);
                o.sp();
                entries.enc(o);
            }
            C::SetMetadata { mailbox, values } => {
                o.put(b"SETMETADATA ");
                mailbox.enc(o);
                o.sp();
                o.list(values.as_slice(), |o, (k, v)| {
                    k.enc(o);
                    o.sp();
                    v.enc(o);
                });
            }
            C::Other { name, arguments } => {
                name.enc(o);
                if !arguments.is_empty() {
                    o.sp();
                    o.put(arguments);
                }
            }
        }
    }
}

/// `["CHARSET" SP charset SP] search-key *(SP search-key)` after a leading SP.
fn search_program<'s>(
    o: &mut Out<'s>,
    charset: Option<&'s AString<'_>>,
    criteria: &'s Vec1<SearchKey<'_>>,
) {
    if let Some(cs) = charset {
        o.put(b" CHARSET ");
        cs.enc(o);
    }
    search_keys(o, criteria);
}

/// `1*(SP search-key)`.
fn search_keys<'s>(o: &mut Out<'s>, keys: &'s Vec1<SearchKey<'_>>) {
    for k in keys {
        o.sp();
        k.enc(o);
    }
}

/// `["UID" SP] verb sequence-set`.
fn uid_verb_set<'s>(o: &mut Out<'s>, uid: bool, verb: &[u8], set: &'s SequenceSet<'_>) {
    uid_prefix(o, uid);
    o.put(verb);
    set.enc(o);
}

fn uid_prefix(o: &mut Out<'_>, uid: bool) {
    if uid {
        o.put(b"UID ");
    }
}

fn store_action(o: &mut Out<'_>, action: StoreAction) {
    match action {
        StoreAction::Replace => {}
        StoreAction::Add => o.byte(b'+'),
        StoreAction::Remove => o.byte(b'-'),
    }
}

fn store_flags<'s>(o: &mut Out<'s>, flags: &'s StoreFlags<'_>) {
    match flags {
        StoreFlags::List(v) => flag_list(o, v),
        StoreFlags::Bare(v) => o.join(v.as_slice(), |o, f| f.enc(o)),
    }
}

impl Enc for SearchKey<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use SearchKey as K;
        let simple: Option<&[u8]> = match self {
            K::All => Some(b"ALL"),
            K::Answered => Some(b"ANSWERED"),
            K::Deleted => Some(b"DELETED"),
            K::Flagged => Some(b"FLAGGED"),
            K::New => Some(b"NEW"),
            K::Old => Some(b"OLD"),
            K::Recent => Some(b"RECENT"),
            K::Seen => Some(b"SEEN"),
            K::Unanswered => Some(b"UNANSWERED"),
            K::Undeleted => Some(b"UNDELETED"),
            K::Unflagged => Some(b"UNFLAGGED"),
            K::Unseen => Some(b"UNSEEN"),
            K::Draft => Some(b"DRAFT"),
            K::Undraft => Some(b"UNDRAFT"),
            _ => None,
        };
        if let Some(s) = simple {
            return o.put(s);
        }
        match self {
            K::Bcc(a)
            | K::Body(a)
            | K::Cc(a)
            | K::From(a)
            | K::Subject(a)
            | K::Text(a)
            | K::To(a) => {
                o.put(match self {
                    K::Bcc(_) => b"BCC ".as_slice(),
                    K::Body(_) => b"BODY ",
                    K::Cc(_) => b"CC ",
                    K::From(_) => b"FROM ",
                    K::Subject(_) => b"SUBJECT ",
                    K::Text(_) => b"TEXT ",
                    _ => b"TO ",
                });
                a.enc(o);
            }
            K::Before(d)
            | K::On(d)
            | K::Since(d)
            | K::SentBefore(d)
            | K::SentOn(d)
            | K::SentSince(d) => {
                o.put(match self {
                    K::Before(_) => b"BEFORE ".as_slice(),
                    K::On(_) => b"ON ",
                    K::Since(_) => b"SINCE ",
                    K::SentBefore(_) => b"SENTBEFORE ",
                    K::SentOn(_) => b"SENTON ",
                    _ => b"SENTSINCE ",
                });
                d.enc(o);
            }
            K::Keyword(a) => {
                o.put(b"KEYWORD ");
                a.enc(o);
            }
            K::Unkeyword(a) => {
                o.put(b"UNKEYWORD ");
                a.enc(o);
            }
            K::Header(h, v) => {
                o.put(b"HEADER ");
                h.enc(o);
                o.sp();
                v.enc(o);
            }
            K::Larger(n) => {
                o.put(b"LARGER ");
                o.num(n.get());
            }
            K::Smaller(n) => {
                o.put(b"SMALLER ");
                o.num(n.get());
            }
            K::Not(k) => {
                o.put(b"NOT ");
                k.enc(o);
            }
            K::Or(a, b) => {
                o.put(b"OR ");
                a.enc(o);
                o.sp();
                b.enc(o);
            }
            K::Uid(s) => {
                o.put(b"UID ");
                s.enc(o);
            }
            K::SequenceSet(s) => s.enc(o),
            K::ModSeq { entry, modseq } => {
                o.put(b"MODSEQ ");
                if let Some(e) = entry {
                    e.enc(o);
                    o.sp();
                }
                super::ext_command::modseq_valzer(o, *modseq);
            }
            K::GmRaw(a) => {
                o.put(b"X-GM-RAW ");
                a.enc(o);
            }
            K::GmLabels(a) => {
                o.put(b"X-GM-LABELS ");
                a.enc(o);
            }
            K::GmMsgId(n) => {
                o.put(b"X-GM-MSGID ");
                o.num(*n);
            }
            K::GmThrId(n) => {
                o.put(b"X-GM-THRID ");
                o.num(*n);
            }
            K::And(v) => o.list(v.as_slice(), |o, k| k.enc(o)),
            _ => {}
        }
    }
}

impl Enc for FetchItems<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            FetchItems::Macro(FetchMacro::All) => o.put(b"ALL"),
            FetchItems::Macro(FetchMacro::Fast) => o.put(b"FAST"),
            FetchItems::Macro(FetchMacro::Full) => o.put(b"FULL"),
            FetchItems::Single(a) => a.enc(o),
            FetchItems::List(v) => o.list(v.as_slice(), |o, a| a.enc(o)),
        }
    }
}

impl Enc for FetchAttribute<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        use FetchAttribute as F;
        match self {
            F::Envelope => o.put(b"ENVELOPE"),
            F::Flags => o.put(b"FLAGS"),
            F::InternalDate => o.put(b"INTERNALDATE"),
            F::Rfc822 => o.put(b"RFC822"),
            F::Rfc822Header => o.put(b"RFC822.HEADER"),
            F::Rfc822Size => o.put(b"RFC822.SIZE"),
            F::Rfc822Text => o.put(b"RFC822.TEXT"),
            F::Body => o.put(b"BODY"),
            F::BodyStructure => o.put(b"BODYSTRUCTURE"),
            F::Uid => o.put(b"UID"),
            F::Other(t) => o.put(t.as_bytes()),
            F::ModSeq => o.put(b"MODSEQ"),
            F::GmMsgId => o.put(b"X-GM-MSGID"),
            F::GmThrId => o.put(b"X-GM-THRID"),
            F::GmLabels => o.put(b"X-GM-LABELS"),
            F::Binary {
                peek,
                section,
                partial,
            } => {
                o.put(if *peek {
                    b"BINARY.PEEK".as_slice()
                } else {
                    b"BINARY"
                });
                section_binary(o, section);
                partial_enc(o, *partial);
            }
            F::BinarySize { section } => {
                o.put(b"BINARY.SIZE");
                section_binary(o, section);
            }
            F::BodySection {
                peek,
                section,
                partial,
            } => {
                o.put(if *peek {
                    b"BODY.PEEK".as_slice()
                } else {
                    b"BODY"
                });
                section.enc(o);
                partial_enc(o, *partial);
            }
        }
    }
}

fn partial_enc(o: &mut Out<'_>, partial: Option<crate::types::command::Partial>) {
    if let Some(p) = partial {
        o.byte(b'<');
        o.num(p.offset.get());
        o.byte(b'.');
        o.num(p.length.get());
        o.byte(b'>');
    }
}

/// `section-binary = "[" [section-part] "]"` (RFC 3516 §7).
fn section_binary(o: &mut Out<'_>, part: &[core::num::NonZeroU32]) {
    o.byte(b'[');
    part_numbers(o, part);
    o.byte(b']');
}

/// `section-part = nz-number *("." nz-number)`.
fn part_numbers(o: &mut Out<'_>, part: &[core::num::NonZeroU32]) {
    for (k, n) in part.iter().enumerate() {
        if k > 0 {
            o.byte(b'.');
        }
        o.num(u64::from(n.get()));
    }
}

impl Enc for Section<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'[');
        match self {
            Section::Full => {}
            Section::Msg(m) => m.enc(o),
            Section::Part { part, text } => {
                part_numbers(o, part.as_slice());
                match text {
                    None => {}
                    Some(PartText::Mime) => o.put(b".MIME"),
                    Some(PartText::Msg(m)) => {
                        o.byte(b'.');
                        m.enc(o);
                    }
                }
            }
        }
        o.byte(b']');
    }
}

impl Enc for MsgText<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            MsgText::Header => o.put(b"HEADER"),
            MsgText::Text => o.put(b"TEXT"),
            MsgText::HeaderFields { not, fields } => {
                o.put(if *not {
                    b"HEADER.FIELDS.NOT ".as_slice()
                } else {
                    b"HEADER.FIELDS "
                });
                o.list(fields.as_slice(), |o, f| f.enc(o));
            }
        }
    }
}

impl Enc for AuthenticateData<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            AuthenticateData::Cancel => o.byte(b'*'),
            AuthenticateData::Response(d) => o.put(b64(d).as_bytes()),
        }
        o.crlf();
    }
}

impl_encode!(Command, AuthenticateData);
