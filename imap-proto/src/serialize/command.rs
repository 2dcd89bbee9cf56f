//! Writers for commands (RFC 3501 §6, §9).

use alloc::vec::Vec;

use super::{Enc, Fragment, LiteralSupport, Out, flag_list, impl_encode};
use crate::types::command::{
    AuthenticateData, Command, CommandBody, FetchAttribute, FetchItems, FetchMacro, MsgText,
    PartText, SearchKey, Section, StatusAttribute, StoreAction, StoreFlags,
};
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
            | C::Expunge => o.put(self.name().as_bytes()),
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
                o.list(items.as_slice(), |o, a| {
                    o.put(match a {
                        StatusAttribute::Messages => b"MESSAGES".as_slice(),
                        StatusAttribute::Recent => b"RECENT",
                        StatusAttribute::UidNext => b"UIDNEXT",
                        StatusAttribute::UidValidity => b"UIDVALIDITY",
                        StatusAttribute::Unseen => b"UNSEEN",
                    })
                });
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
                if *uid {
                    o.put(b"UID ");
                }
                o.put(b"SEARCH");
                if let Some(cs) = charset {
                    o.put(b" CHARSET ");
                    cs.enc(o);
                }
                for k in criteria {
                    o.sp();
                    k.enc(o);
                }
            }
            C::Fetch {
                uid,
                sequence_set,
                items,
            } => {
                if *uid {
                    o.put(b"UID ");
                }
                o.put(b"FETCH ");
                sequence_set.enc(o);
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
                if *uid {
                    o.put(b"UID ");
                }
                o.put(b"STORE ");
                sequence_set.enc(o);
                o.sp();
                match action {
                    StoreAction::Replace => {}
                    StoreAction::Add => o.byte(b'+'),
                    StoreAction::Remove => o.byte(b'-'),
                }
                o.put(b"FLAGS");
                if *silent {
                    o.put(b".SILENT");
                }
                o.sp();
                match flags {
                    StoreFlags::List(v) => flag_list(o, v),
                    StoreFlags::Bare(v) => o.join(v.as_slice(), |o, f| f.enc(o)),
                }
            }
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            } => {
                if *uid {
                    o.put(b"UID ");
                }
                o.put(b"COPY ");
                sequence_set.enc(o);
                o.sp();
                mailbox.enc(o);
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
                o.num(u64::from(*n));
            }
            K::Smaller(n) => {
                o.put(b"SMALLER ");
                o.num(u64::from(*n));
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
                if let Some(p) = partial {
                    o.byte(b'<');
                    o.num(u64::from(p.offset));
                    o.byte(b'.');
                    o.num(u64::from(p.length.get()));
                    o.byte(b'>');
                }
            }
        }
    }
}

impl Enc for Section<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'[');
        match self {
            Section::Full => {}
            Section::Msg(m) => m.enc(o),
            Section::Part { part, text } => {
                for (k, n) in part.iter().enumerate() {
                    if k > 0 {
                        o.byte(b'.');
                    }
                    o.num(u64::from(n.get()));
                }
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
