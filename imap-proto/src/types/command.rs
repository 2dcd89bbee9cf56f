//! Commands (RFC 3501 §6 and §9 `command`).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::core::{
    AString, Atom, IString, Literal, ModSeq, NString, Number64, NzNumber64, Tag, Vec1,
    nstring_into_owned,
};
use super::datetime::{Date, DateTime};
use super::flag::Flag;
use super::mailbox::{ListMailbox, Mailbox};
use super::sequence::SequenceSet;

pub use super::ext_command::*;

/// A tagged command: `command = tag SP (command-any / command-auth / command-nonauth /
/// command-select) CRLF` (RFC 3501 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The tag the completion response will carry.
    pub tag: Tag<'a>,
    /// What the command asks for.
    pub body: CommandBody<'a>,
}

impl<'a> Command<'a> {
    /// A command with the given tag.
    pub fn new(tag: Tag<'a>, body: CommandBody<'a>) -> Self {
        Command { tag, body }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Command<'static> {
        Command {
            tag: self.tag.into_owned(),
            body: self.body.into_owned(),
        }
    }
}

/// Every command of RFC 3501 §6, the extension commands of the RFCs collected by RFC 4466
/// (and Gmail's X-GM-EXT-1), plus unknown commands kept raw.
///
/// Where an extension adds syntax to an RFC 3501 command (SELECT parameters, FETCH and
/// STORE modifiers, SEARCH RETURN, LIST-EXTENDED, CREATE parameters, APPEND with literal8
/// or several messages), the extended form is its own `*Ext` variant: the decoder gives
/// the RFC 3501 variant when no extension syntax is present, and the `*Ext` one when it
/// is. A hand-built `*Ext` value without any extension syntax (e.g. a `ListExt` with one
/// bare pattern and no options) encodes to bytes that decode as the RFC 3501 variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (§6.1.1).
    Capability,
    /// `NOOP` (§6.1.2).
    Noop,
    /// `LOGOUT` (§6.1.3).
    Logout,
    /// `STARTTLS` (§6.2.1).
    StartTls,
    /// `AUTHENTICATE auth-type [SP initial-response]` (§6.2.2; initial response: SASL-IR,
    /// RFC 4959 §3, `=` for an empty one). The exchange continues with
    /// [`AuthenticateData`] lines.
    Authenticate {
        /// `auth-type = atom`: the SASL mechanism name.
        mechanism: Atom<'a>,
        /// The decoded initial response, if one was sent.
        initial_response: Option<Cow<'a, [u8]>>,
    },
    /// `LOGIN userid password` (§6.2.3).
    Login {
        /// `userid = astring`.
        username: AString<'a>,
        /// `password = astring`.
        password: AString<'a>,
    },
    /// `SELECT mailbox` (§6.3.1).
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `EXAMINE mailbox` (§6.3.2).
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `CREATE mailbox` (§6.3.3).
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `DELETE mailbox` (§6.3.4).
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `RENAME mailbox mailbox` (§6.3.5).
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox` (§6.3.6).
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `UNSUBSCRIBE mailbox` (§6.3.7).
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `LIST mailbox list-mailbox` (§6.3.8).
    List {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern, with `*` and `%`.
        pattern: ListMailbox<'a>,
    },
    /// `LSUB mailbox list-mailbox` (§6.3.9).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    },
    /// `STATUS mailbox (status-att ...)` (§6.3.10).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The requested attributes.
        items: Vec1<StatusAttribute>,
    },
    /// `APPEND mailbox [flag-list] [date-time] literal` (§6.3.11).
    Append {
        /// The destination.
        mailbox: Mailbox<'a>,
        /// The flags; `Some(empty)` is `()`.
        flags: Option<Vec<Flag<'a>>>,
        /// The internal date.
        date: Option<DateTime>,
        /// The message.
        message: Literal<'a>,
    },
    /// `CHECK` (§6.4.1).
    Check,
    /// `CLOSE` (§6.4.2).
    Close,
    /// `EXPUNGE` (§6.4.3).
    Expunge,
    /// `[UID] SEARCH [CHARSET charset] search-key ...` (§6.4.4, §6.4.8).
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// The charset of the strings.
        charset: Option<AString<'a>>,
        /// The criteria, ANDed.
        criteria: Vec1<SearchKey<'a>>,
    },
    /// `[UID] FETCH sequence-set items` (§6.4.5, §6.4.8).
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet<'a>,
        /// What to fetch.
        items: FetchItems<'a>,
    },
    /// `[UID] STORE sequence-set [+/-]FLAGS[.SILENT] flags` (§6.4.6, §6.4.8).
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet<'a>,
        /// Replace, add or remove.
        action: StoreAction,
        /// `.SILENT`: no untagged FETCH in reply.
        silent: bool,
        /// The flags.
        flags: StoreFlags<'a>,
    },
    /// `[UID] COPY sequence-set mailbox` (§6.4.7, §6.4.8).
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE sequence-set mailbox` (RFC 6851 §3.1).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `UID EXPUNGE sequence-set` (UIDPLUS, RFC 4315 §2.1; IMAP4rev2).
    UidExpunge {
        /// The UIDs to expunge (of those marked `\Deleted`).
        sequence_set: SequenceSet<'a>,
    },
    /// `UNSELECT` (RFC 3691 §2): back to the authenticated state without expunging.
    Unselect,
    /// `IDLE` (RFC 2177 §3); the client ends it with a `DONE` line.
    Idle,
    /// `ENABLE 1*(SP capability)` (RFC 5161 §3.1).
    Enable {
        /// The capabilities to enable.
        capabilities: Vec1<Atom<'a>>,
    },
    /// `ID SP id_params_list` (RFC 2971 §3.1): `NIL` or `(field value ...)`.
    Id {
        /// The field-value pairs; `None` is `NIL`.
        parameters: Option<Vec<(IString<'a>, NString<'a>)>>,
    },
    /// `NAMESPACE` (RFC 2342 §5).
    Namespace,
    /// `COMPRESS SP algorithm` (RFC 4978 §3).
    Compress {
        /// `DEFLATE`.
        algorithm: Atom<'a>,
    },
    /// `SELECT` / `EXAMINE mailbox select-params` (RFC 4466 §2.1): with parameters such as
    /// `(CONDSTORE)` or `(QRESYNC (...))` (RFC 7162). Without parameters the decoder gives
    /// [`CommandBody::Select`] / [`CommandBody::Examine`].
    SelectExt {
        /// `EXAMINE` rather than `SELECT`.
        examine: bool,
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The parameters.
        parameters: Vec1<SelectParam<'a>>,
    },
    /// `CREATE mailbox create-params` (RFC 4466 §2.2), e.g. `(USE (\Sent))` (RFC 6154).
    CreateExt {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The parameters.
        parameters: Vec1<CreateParam<'a>>,
    },
    /// LIST with selection options, several patterns or return options (LIST-EXTENDED,
    /// RFC 5258 §3; LIST-STATUS, RFC 5819; SPECIAL-USE, RFC 6154). The plain form decodes
    /// as [`CommandBody::List`].
    ListExt {
        /// `list-select-opts`; `Some(empty)` is `()`.
        selection: Option<Vec<ListSelectOption<'a>>>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// `mbox-or-pat`.
        patterns: OneOrList<ListMailbox<'a>>,
        /// `list-return-opts`; `Some(empty)` is `RETURN ()`.
        return_options: Option<Vec<ListReturnOption<'a>>>,
    },
    /// APPEND of a binary message (`literal8`, RFC 3516 §4.3) or of several messages
    /// (MULTIAPPEND, RFC 3502 §6.3.11). One message with a plain literal decodes as
    /// [`CommandBody::Append`].
    AppendExt {
        /// The destination.
        mailbox: Mailbox<'a>,
        /// The messages.
        messages: Vec1<AppendMessage<'a>>,
    },
    /// `[UID] SEARCH RETURN (...) [CHARSET charset] search-key ...` (ESEARCH, RFC 4731 §3;
    /// SEARCHRES, RFC 5182).
    SearchExt {
        /// `UID SEARCH`.
        uid: bool,
        /// The result options; empty is `RETURN ()` (same as `ALL`).
        return_options: Vec<SearchReturnOption<'a>>,
        /// The charset of the strings.
        charset: Option<AString<'a>>,
        /// The criteria, ANDed.
        criteria: Vec1<SearchKey<'a>>,
    },
    /// `[UID] FETCH sequence-set items fetch-modifiers` (RFC 4466 §2.4), e.g.
    /// `(CHANGEDSINCE 12345 VANISHED)` (RFC 7162).
    FetchExt {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet<'a>,
        /// What to fetch.
        items: FetchItems<'a>,
        /// The modifiers. Boxed (issue 9): unboxed, this variant was the largest (136
        /// octets) and made every `CommandBody` 136 octets, one more than a move of the
        /// value can do in eight 16-octet stores (a `memcpy` call for each command the
        /// decoder returns); boxed, 120.
        modifiers: Box<Vec1<FetchModifier<'a>>>,
    },
    /// `[UID] STORE sequence-set [store-modifiers] store-att` (RFC 4466 §2.5): with
    /// modifiers such as `(UNCHANGEDSINCE n)` (RFC 7162 §3.1.3), or on Gmail labels
    /// (`+X-GM-LABELS (...)`). Plain flag changes decode as [`CommandBody::Store`].
    StoreExt {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet<'a>,
        /// The modifiers (may be empty for an X-GM-LABELS store).
        modifiers: Vec<StoreModifier<'a>>,
        /// Replace, add or remove.
        action: StoreAction,
        /// `.SILENT`.
        silent: bool,
        /// Flags or labels.
        attribute: StoreAttribute<'a>,
    },
    /// `[UID] SORT (sort-criterion ...) charset search-key ...` (RFC 5256 §3).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// The sort order.
        criteria: Vec1<SortCriterion<'a>>,
        /// `charset = atom / quoted`.
        charset: AString<'a>,
        /// The search criteria, ANDed.
        keys: Vec1<SearchKey<'a>>,
    },
    /// `[UID] THREAD thread-alg charset search-key ...` (RFC 5256 §3).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// The algorithm.
        algorithm: ThreadAlgorithm<'a>,
        /// `charset = atom / quoted`.
        charset: AString<'a>,
        /// The search criteria, ANDed.
        keys: Vec1<SearchKey<'a>>,
    },
    /// `GETQUOTA quota-root-name` (RFC 9208 §4.2).
    GetQuota {
        /// `quota-root-name = astring`.
        root: AString<'a>,
    },
    /// `GETQUOTAROOT mailbox` (RFC 9208 §4.3).
    GetQuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `SETQUOTA quota-root-name (resource limit ...)` (RFC 9208 §4.4).
    SetQuota {
        /// `quota-root-name = astring`.
        root: AString<'a>,
        /// The new limits (may be empty: remove them).
        limits: Vec<QuotaLimit<'a>>,
    },
    /// `GETMETADATA [options] mailbox entries` (RFC 5464 §4.2).
    GetMetadata {
        /// `MAXSIZE`, `DEPTH`...; empty when absent.
        options: Vec<MetadataOption<'a>>,
        /// The mailbox (`""` for server annotations).
        mailbox: Mailbox<'a>,
        /// `entries = entry / "(" entry *(SP entry) ")"`.
        entries: OneOrList<AString<'a>>,
    },
    /// `SETMETADATA mailbox (entry value ...)` (RFC 5464 §4.3).
    SetMetadata {
        /// The mailbox (`""` for server annotations).
        mailbox: Mailbox<'a>,
        /// `entry-values`.
        values: Vec1<(AString<'a>, MetadataValue<'a>)>,
    },
    /// Any other command (`x-command`, §6.5.1, or an extension this crate does not model),
    /// kept with its raw argument bytes so that it re-encodes byte for byte. A server
    /// answers it with BAD unless it knows it. Literals inside the raw arguments are not
    /// split out by [`Command::fragments`]: build such a command with non-synchronizing
    /// literals, or send it piece by piece yourself.
    Other {
        /// The command name.
        name: Atom<'a>,
        /// Everything between the name and the final CRLF (without the leading space),
        /// literals included; empty when there are no arguments.
        arguments: Cow<'a, [u8]>,
    },
}

impl CommandBody<'_> {
    /// The command name as sent.
    pub fn name(&self) -> &str {
        match self {
            CommandBody::Capability => "CAPABILITY",
            CommandBody::Noop => "NOOP",
            CommandBody::Logout => "LOGOUT",
            CommandBody::StartTls => "STARTTLS",
            CommandBody::Authenticate { .. } => "AUTHENTICATE",
            CommandBody::Login { .. } => "LOGIN",
            CommandBody::Select { .. } => "SELECT",
            CommandBody::Examine { .. } => "EXAMINE",
            CommandBody::Create { .. } => "CREATE",
            CommandBody::Delete { .. } => "DELETE",
            CommandBody::Rename { .. } => "RENAME",
            CommandBody::Subscribe { .. } => "SUBSCRIBE",
            CommandBody::Unsubscribe { .. } => "UNSUBSCRIBE",
            CommandBody::List { .. } => "LIST",
            CommandBody::Lsub { .. } => "LSUB",
            CommandBody::Status { .. } => "STATUS",
            CommandBody::Append { .. } => "APPEND",
            CommandBody::Check => "CHECK",
            CommandBody::Close => "CLOSE",
            CommandBody::Expunge => "EXPUNGE",
            CommandBody::Search { .. } => "SEARCH",
            CommandBody::Fetch { .. } => "FETCH",
            CommandBody::Store { .. } => "STORE",
            CommandBody::Copy { .. } => "COPY",
            CommandBody::Move { .. } => "MOVE",
            CommandBody::UidExpunge { .. } => "EXPUNGE",
            CommandBody::Unselect => "UNSELECT",
            CommandBody::Idle => "IDLE",
            CommandBody::Enable { .. } => "ENABLE",
            CommandBody::Id { .. } => "ID",
            CommandBody::Namespace => "NAMESPACE",
            CommandBody::Compress { .. } => "COMPRESS",
            CommandBody::SelectExt { examine: false, .. } => "SELECT",
            CommandBody::SelectExt { examine: true, .. } => "EXAMINE",
            CommandBody::CreateExt { .. } => "CREATE",
            CommandBody::ListExt { .. } => "LIST",
            CommandBody::AppendExt { .. } => "APPEND",
            CommandBody::SearchExt { .. } => "SEARCH",
            CommandBody::FetchExt { .. } => "FETCH",
            CommandBody::StoreExt { .. } => "STORE",
            CommandBody::Sort { .. } => "SORT",
            CommandBody::Thread { .. } => "THREAD",
            CommandBody::GetQuota { .. } => "GETQUOTA",
            CommandBody::GetQuotaRoot { .. } => "GETQUOTAROOT",
            CommandBody::SetQuota { .. } => "SETQUOTA",
            CommandBody::GetMetadata { .. } => "GETMETADATA",
            CommandBody::SetMetadata { .. } => "SETMETADATA",
            CommandBody::Other { name, .. } => name.as_str(),
        }
    }

    /// What in this command IMAP4rev2 removed from the rev1 grammar (RFC 9051 Appendix E
    /// items 12, 17, 18, 19 and §9): `LSUB` (LIST (SUBSCRIBED) instead), `CHECK` (NOOP
    /// instead), the `RFC822`, `RFC822.HEADER` and `RFC822.TEXT` fetch items (BODY[]
    /// instead; `RFC822.SIZE` stays), the STATUS `RECENT` attribute (also as a LIST-STATUS
    /// return option) and the `NEW`, `OLD` and `RECENT` search keys (also inside SORT and
    /// THREAD). `None` when the command is in rev2's grammar as far as these go.
    pub fn removed_in_rev2(&self) -> Option<&'static str> {
        use CommandBody as C;
        let fetch = |items: &FetchItems<'_>| {
            let old = |a: &FetchAttribute<'_>| {
                matches!(
                    a,
                    FetchAttribute::Rfc822
                        | FetchAttribute::Rfc822Header
                        | FetchAttribute::Rfc822Text
                )
            };
            let found = match items {
                FetchItems::Single(a) => old(a),
                FetchItems::List(v) => v.iter().any(old),
                FetchItems::Macro(_) => false,
            };
            found.then_some("RFC822, RFC822.HEADER and RFC822.TEXT are not in IMAP4rev2")
        };
        let status = |items: &Vec1<StatusAttribute>| {
            items
                .iter()
                .any(|a| *a == StatusAttribute::Recent)
                .then_some("STATUS RECENT is not in IMAP4rev2")
        };
        let search = |keys: &Vec1<SearchKey<'_>>| {
            keys.iter()
                .any(SearchKey::removed_in_rev2)
                .then_some("SEARCH NEW, OLD and RECENT are not in IMAP4rev2")
        };
        match self {
            C::Lsub { .. } => Some("LSUB is not in IMAP4rev2, use LIST (SUBSCRIBED)"),
            C::Check => Some("CHECK is not in IMAP4rev2, use NOOP"),
            C::Fetch { items, .. } | C::FetchExt { items, .. } => fetch(items),
            C::Status { items, .. } => status(items),
            C::ListExt {
                return_options: Some(options),
                ..
            } => options.iter().find_map(|o| match o {
                ListReturnOption::Status(items) => status(items),
                _ => None,
            }),
            C::Search { criteria, .. } | C::SearchExt { criteria, .. } => search(criteria),
            C::Sort { keys, .. } | C::Thread { keys, .. } => search(keys),
            _ => None,
        }
    }

    /// Whether this is a CONDSTORE enabling command (RFC 7162 §3.1): SELECT / EXAMINE
    /// with `CONDSTORE`, STATUS `HIGHESTMODSEQ`, FETCH `MODSEQ` or `CHANGEDSINCE`, SEARCH
    /// `MODSEQ`, STORE `UNCHANGEDSINCE` (ENABLE CONDSTORE is ENABLE's business).
    pub fn enables_condstore(&self) -> bool {
        use CommandBody as C;
        let fetch_modseq = |items: &FetchItems<'_>| match items {
            FetchItems::Single(a) => *a == FetchAttribute::ModSeq,
            FetchItems::List(v) => v.iter().any(|a| *a == FetchAttribute::ModSeq),
            FetchItems::Macro(_) => false,
        };
        let search_modseq = |keys: &Vec1<SearchKey<'_>>| keys.iter().any(SearchKey::uses_modseq);
        match self {
            C::SelectExt { parameters, .. } => parameters
                .iter()
                .any(|p| matches!(p, SelectParam::Condstore | SelectParam::Qresync(_))),
            C::Status { items, .. } => items.iter().any(|a| *a == StatusAttribute::HighestModSeq),
            C::Fetch { items, .. } => fetch_modseq(items),
            C::FetchExt {
                items, modifiers, ..
            } => {
                fetch_modseq(items)
                    || modifiers
                        .iter()
                        .any(|m| matches!(m, FetchModifier::ChangedSince(_)))
            }
            C::StoreExt { modifiers, .. } => modifiers
                .iter()
                .any(|m| matches!(m, StoreModifier::UnchangedSince(_))),
            C::Search { criteria, .. } | C::SearchExt { criteria, .. } => search_modseq(criteria),
            C::Sort { keys, .. } | C::Thread { keys, .. } => search_modseq(keys),
            _ => false,
        }
    }

    /// Whether this is a UID command (`UID FETCH`, `UID MOVE`, `UID EXPUNGE`...): its
    /// [`name`](Self::name) is the verb after `UID`.
    pub fn is_uid(&self) -> bool {
        use CommandBody as C;
        match self {
            C::Search { uid, .. }
            | C::Fetch { uid, .. }
            | C::Store { uid, .. }
            | C::Copy { uid, .. }
            | C::Move { uid, .. }
            | C::SearchExt { uid, .. }
            | C::FetchExt { uid, .. }
            | C::StoreExt { uid, .. }
            | C::Sort { uid, .. }
            | C::Thread { uid, .. } => *uid,
            C::UidExpunge { .. } => true,
            _ => false,
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> CommandBody<'static> {
        use CommandBody as C;
        match self {
            C::Capability => C::Capability,
            C::Noop => C::Noop,
            C::Logout => C::Logout,
            C::StartTls => C::StartTls,
            C::Authenticate {
                mechanism,
                initial_response,
            } => C::Authenticate {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(|r| Cow::Owned(r.into_owned())),
            },
            C::Login { username, password } => C::Login {
                username: username.into_owned(),
                password: password.into_owned(),
            },
            C::Select { mailbox } => C::Select {
                mailbox: mailbox.into_owned(),
            },
            C::Examine { mailbox } => C::Examine {
                mailbox: mailbox.into_owned(),
            },
            C::Create { mailbox } => C::Create {
                mailbox: mailbox.into_owned(),
            },
            C::Delete { mailbox } => C::Delete {
                mailbox: mailbox.into_owned(),
            },
            C::Rename { from, to } => C::Rename {
                from: from.into_owned(),
                to: to.into_owned(),
            },
            C::Subscribe { mailbox } => C::Subscribe {
                mailbox: mailbox.into_owned(),
            },
            C::Unsubscribe { mailbox } => C::Unsubscribe {
                mailbox: mailbox.into_owned(),
            },
            C::List { reference, pattern } => C::List {
                reference: reference.into_owned(),
                pattern: pattern.into_owned(),
            },
            C::Lsub { reference, pattern } => C::Lsub {
                reference: reference.into_owned(),
                pattern: pattern.into_owned(),
            },
            C::Status { mailbox, items } => C::Status {
                mailbox: mailbox.into_owned(),
                items,
            },
            C::Append {
                mailbox,
                flags,
                date,
                message,
            } => C::Append {
                mailbox: mailbox.into_owned(),
                flags: flags.map(|f| f.into_iter().map(Flag::into_owned).collect()),
                date,
                message: message.into_owned(),
            },
            C::Check => C::Check,
            C::Close => C::Close,
            C::Expunge => C::Expunge,
            C::Search {
                uid,
                charset,
                criteria,
            } => C::Search {
                uid,
                charset: charset.map(AString::into_owned),
                criteria: criteria.map(SearchKey::into_owned),
            },
            C::Fetch {
                uid,
                sequence_set,
                items,
            } => C::Fetch {
                uid,
                sequence_set: sequence_set.into_owned(),
                items: items.into_owned(),
            },
            C::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags,
            } => C::Store {
                uid,
                sequence_set: sequence_set.into_owned(),
                action,
                silent,
                flags: flags.into_owned(),
            },
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            } => C::Copy {
                uid,
                sequence_set: sequence_set.into_owned(),
                mailbox: mailbox.into_owned(),
            },
            C::Move {
                uid,
                sequence_set,
                mailbox,
            } => C::Move {
                uid,
                sequence_set: sequence_set.into_owned(),
                mailbox: mailbox.into_owned(),
            },
            C::UidExpunge { sequence_set } => C::UidExpunge {
                sequence_set: sequence_set.into_owned(),
            },
            C::Unselect => C::Unselect,
            C::Idle => C::Idle,
            C::Enable { capabilities } => C::Enable {
                capabilities: capabilities.map(Atom::into_owned),
            },
            C::Id { parameters } => C::Id {
                parameters: parameters.map(|v| {
                    v.into_iter()
                        .map(|(k, v)| (k.into_owned(), nstring_into_owned(v)))
                        .collect()
                }),
            },
            C::Namespace => C::Namespace,
            C::Compress { algorithm } => C::Compress {
                algorithm: algorithm.into_owned(),
            },
            C::SelectExt {
                examine,
                mailbox,
                parameters,
            } => C::SelectExt {
                examine,
                mailbox: mailbox.into_owned(),
                parameters: parameters.map(SelectParam::into_owned),
            },
            C::CreateExt {
                mailbox,
                parameters,
            } => C::CreateExt {
                mailbox: mailbox.into_owned(),
                parameters: parameters.map(CreateParam::into_owned),
            },
            C::ListExt {
                selection,
                reference,
                patterns,
                return_options,
            } => C::ListExt {
                selection: selection
                    .map(|v| v.into_iter().map(ListSelectOption::into_owned).collect()),
                reference: reference.into_owned(),
                patterns: patterns.map(ListMailbox::into_owned),
                return_options: return_options
                    .map(|v| v.into_iter().map(ListReturnOption::into_owned).collect()),
            },
            C::AppendExt { mailbox, messages } => C::AppendExt {
                mailbox: mailbox.into_owned(),
                messages: messages.map(AppendMessage::into_owned),
            },
            C::SearchExt {
                uid,
                return_options,
                charset,
                criteria,
            } => C::SearchExt {
                uid,
                return_options: return_options
                    .into_iter()
                    .map(SearchReturnOption::into_owned)
                    .collect(),
                charset: charset.map(AString::into_owned),
                criteria: criteria.map(SearchKey::into_owned),
            },
            C::FetchExt {
                uid,
                sequence_set,
                items,
                modifiers,
            } => C::FetchExt {
                uid,
                sequence_set: sequence_set.into_owned(),
                items: items.into_owned(),
                modifiers: Box::new((*modifiers).map(FetchModifier::into_owned)),
            },
            C::StoreExt {
                uid,
                sequence_set,
                modifiers,
                action,
                silent,
                attribute,
            } => C::StoreExt {
                uid,
                sequence_set: sequence_set.into_owned(),
                modifiers: modifiers
                    .into_iter()
                    .map(StoreModifier::into_owned)
                    .collect(),
                action,
                silent,
                attribute: attribute.into_owned(),
            },
            C::Sort {
                uid,
                criteria,
                charset,
                keys,
            } => C::Sort {
                uid,
                criteria: criteria.map(SortCriterion::into_owned),
                charset: charset.into_owned(),
                keys: keys.map(SearchKey::into_owned),
            },
            C::Thread {
                uid,
                algorithm,
                charset,
                keys,
            } => C::Thread {
                uid,
                algorithm: algorithm.into_owned(),
                charset: charset.into_owned(),
                keys: keys.map(SearchKey::into_owned),
            },
            C::GetQuota { root } => C::GetQuota {
                root: root.into_owned(),
            },
            C::GetQuotaRoot { mailbox } => C::GetQuotaRoot {
                mailbox: mailbox.into_owned(),
            },
            C::SetQuota { root, limits } => C::SetQuota {
                root: root.into_owned(),
                limits: limits
                    .into_iter()
                    .map(|l| QuotaLimit {
                        resource: l.resource.into_owned(),
                        limit: l.limit,
                    })
                    .collect(),
            },
            C::GetMetadata {
                options,
                mailbox,
                entries,
            } => C::GetMetadata {
                options: options
                    .into_iter()
                    .map(MetadataOption::into_owned)
                    .collect(),
                mailbox: mailbox.into_owned(),
                entries: entries.map(AString::into_owned),
            },
            C::SetMetadata { mailbox, values } => C::SetMetadata {
                mailbox: mailbox.into_owned(),
                values: values.map(|(k, v)| (k.into_owned(), v.into_owned())),
            },
            C::Other { name, arguments } => C::Other {
                name: name.into_owned(),
                arguments: Cow::Owned(arguments.into_owned()),
            },
        }
    }
}

/// One line of an AUTHENTICATE exchange sent by the client (RFC 3501 §6.2.2): base64 data,
/// or `*` to cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthenticateData<'a> {
    /// The decoded response (possibly empty).
    Response(Cow<'a, [u8]>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl AuthenticateData<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> AuthenticateData<'static> {
        match self {
            AuthenticateData::Response(d) => AuthenticateData::Response(Cow::Owned(d.into_owned())),
            AuthenticateData::Cancel => AuthenticateData::Cancel,
        }
    }
}

/// `status-att` (RFC 3501 §6.3.10, RFC 9051 §6.3.11, RFC 7162, RFC 7889).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusAttribute {
    /// `MESSAGES`.
    Messages,
    /// `RECENT`.
    Recent,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`.
    Unseen,
    /// `HIGHESTMODSEQ` (CONDSTORE, RFC 7162 §3.1.9): a CONDSTORE enabling command.
    HighestModSeq,
    /// `SIZE` (RFC 9051 §6.3.11, RFC 8438 STATUS=SIZE).
    Size,
    /// `DELETED` (RFC 9051 §6.3.11).
    Deleted,
    /// `APPENDLIMIT` (RFC 7889 §3.2).
    AppendLimit,
    /// Any other attribute (an atom), kept as sent.
    Other(Atom<'static>),
}

/// The `+`/`-` of `store-att-flags` (RFC 3501 §6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreAction {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// The flags of a STORE: `flag-list / (flag *(SP flag))`, keeping which form was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreFlags<'a> {
    /// `(\Seen \Deleted)`; may be empty.
    List(Vec<Flag<'a>>),
    /// `\Seen \Deleted` without parentheses; at least one.
    Bare(Vec1<Flag<'a>>),
}

impl StoreFlags<'_> {
    /// The flags.
    pub fn as_slice(&self) -> &[Flag<'_>] {
        match self {
            StoreFlags::List(v) => v,
            StoreFlags::Bare(v) => v.as_slice(),
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> StoreFlags<'static> {
        match self {
            StoreFlags::List(v) => StoreFlags::List(v.into_iter().map(Flag::into_owned).collect()),
            StoreFlags::Bare(v) => StoreFlags::Bare(v.map(Flag::into_owned)),
        }
    }
}

/// `search-key` (RFC 3501 §6.4.4, §9): every key, nested with `NOT`, `OR` and parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SearchKey<'a> {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC astring`.
    Bcc(AString<'a>),
    /// `BEFORE date`.
    Before(Date),
    /// `BODY astring`.
    Body(AString<'a>),
    /// `CC astring`.
    Cc(AString<'a>),
    /// `DELETED`.
    Deleted,
    /// `FLAGGED`.
    Flagged,
    /// `FROM astring`.
    From(AString<'a>),
    /// `KEYWORD flag-keyword`.
    Keyword(Atom<'a>),
    /// `NEW`.
    New,
    /// `OLD`.
    Old,
    /// `ON date`.
    On(Date),
    /// `RECENT`.
    Recent,
    /// `SEEN`.
    Seen,
    /// `SINCE date`.
    Since(Date),
    /// `SUBJECT astring`.
    Subject(AString<'a>),
    /// `TEXT astring`.
    Text(AString<'a>),
    /// `TO astring`.
    To(AString<'a>),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag-keyword`.
    Unkeyword(Atom<'a>),
    /// `UNSEEN`.
    Unseen,
    /// `DRAFT`.
    Draft,
    /// `HEADER header-fld-name astring`.
    Header(AString<'a>, AString<'a>),
    /// `LARGER number64`: messages larger than this many octets. The operand is `number64`
    /// (RFC 9051 §9, widened from RFC 3501's `number`), so a size above 4 GiB can be searched
    /// for; an RFC 3501 client never sends more than a `u32`, which parses unchanged.
    Larger(Number64),
    /// `NOT search-key`.
    Not(Box<SearchKey<'a>>),
    /// `OR search-key search-key`.
    Or(Box<SearchKey<'a>>, Box<SearchKey<'a>>),
    /// `SENTBEFORE date`.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SMALLER number64`: messages smaller than this many octets; `number64` as for
    /// [`SearchKey::Larger`] (RFC 9051 §9).
    Smaller(Number64),
    /// `UID sequence-set`.
    Uid(SequenceSet<'a>),
    /// `UNDRAFT`.
    Undraft,
    /// A bare `sequence-set`.
    SequenceSet(SequenceSet<'a>),
    /// `( search-key *(SP search-key) )`.
    And(Vec1<SearchKey<'a>>),
    /// `MODSEQ [entry-name entry-type-req] mod-sequence-valzer` (RFC 7162 §3.1.5): a
    /// CONDSTORE enabling command.
    ModSeq {
        /// Compare one flag's mod-sequence.
        entry: Option<ModSeqEntry<'a>>,
        /// The mod-sequence (`mod-sequence-valzer`; `None` is `0`).
        modseq: Option<ModSeq>,
    },
    /// `X-GM-RAW astring`: Gmail search syntax (X-GM-EXT-1).
    GmRaw(AString<'a>),
    /// `X-GM-MSGID number64` (X-GM-EXT-1).
    GmMsgId(u64),
    /// `X-GM-THRID number64` (X-GM-EXT-1).
    GmThrId(u64),
    /// `X-GM-LABELS astring` (X-GM-EXT-1).
    GmLabels(AString<'a>),
}

impl SearchKey<'_> {
    /// Whether the key or a key nested in it is `NEW`, `OLD` or `RECENT`, which IMAP4rev2
    /// removed (RFC 9051 Appendix E item 12, §9 `search-key`).
    pub fn removed_in_rev2(&self) -> bool {
        match self {
            SearchKey::New | SearchKey::Old | SearchKey::Recent => true,
            SearchKey::Not(k) => k.removed_in_rev2(),
            SearchKey::Or(a, b) => a.removed_in_rev2() || b.removed_in_rev2(),
            SearchKey::And(v) => v.iter().any(SearchKey::removed_in_rev2),
            _ => false,
        }
    }

    /// Whether the key or a key nested in it is `MODSEQ` (RFC 7162 §3.1.5).
    pub fn uses_modseq(&self) -> bool {
        match self {
            SearchKey::ModSeq { .. } => true,
            SearchKey::Not(k) => k.uses_modseq(),
            SearchKey::Or(a, b) => a.uses_modseq() || b.uses_modseq(),
            SearchKey::And(v) => v.iter().any(SearchKey::uses_modseq),
            _ => false,
        }
    }

    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> SearchKey<'static> {
        use SearchKey as S;
        match self {
            S::All => S::All,
            S::Answered => S::Answered,
            S::Bcc(a) => S::Bcc(a.into_owned()),
            S::Before(d) => S::Before(d),
            S::Body(a) => S::Body(a.into_owned()),
            S::Cc(a) => S::Cc(a.into_owned()),
            S::Deleted => S::Deleted,
            S::Flagged => S::Flagged,
            S::From(a) => S::From(a.into_owned()),
            S::Keyword(a) => S::Keyword(a.into_owned()),
            S::New => S::New,
            S::Old => S::Old,
            S::On(d) => S::On(d),
            S::Recent => S::Recent,
            S::Seen => S::Seen,
            S::Since(d) => S::Since(d),
            S::Subject(a) => S::Subject(a.into_owned()),
            S::Text(a) => S::Text(a.into_owned()),
            S::To(a) => S::To(a.into_owned()),
            S::Unanswered => S::Unanswered,
            S::Undeleted => S::Undeleted,
            S::Unflagged => S::Unflagged,
            S::Unkeyword(a) => S::Unkeyword(a.into_owned()),
            S::Unseen => S::Unseen,
            S::Draft => S::Draft,
            S::Header(a, b) => S::Header(a.into_owned(), b.into_owned()),
            S::Larger(n) => S::Larger(n),
            S::Not(k) => S::Not(Box::new(k.into_owned())),
            S::Or(a, b) => S::Or(Box::new(a.into_owned()), Box::new(b.into_owned())),
            S::SentBefore(d) => S::SentBefore(d),
            S::SentOn(d) => S::SentOn(d),
            S::SentSince(d) => S::SentSince(d),
            S::Smaller(n) => S::Smaller(n),
            S::Uid(s) => S::Uid(s.into_owned()),
            S::Undraft => S::Undraft,
            S::SequenceSet(s) => S::SequenceSet(s.into_owned()),
            S::And(v) => S::And(v.map(SearchKey::into_owned)),
            S::ModSeq { entry, modseq } => S::ModSeq {
                entry: entry.map(ModSeqEntry::into_owned),
                modseq,
            },
            S::GmRaw(a) => S::GmRaw(a.into_owned()),
            S::GmMsgId(n) => S::GmMsgId(n),
            S::GmThrId(n) => S::GmThrId(n),
            S::GmLabels(a) => S::GmLabels(a.into_owned()),
        }
    }
}

/// The fetch macros (RFC 3501 §6.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchMacro {
    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    All,
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`.
    Fast,
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    Full,
}

impl FetchMacro {
    /// The attributes the macro stands for.
    pub fn expand(self) -> Vec<FetchAttribute<'static>> {
        use FetchAttribute as F;
        let mut v = alloc::vec![F::Flags, F::InternalDate, F::Rfc822Size];
        match self {
            FetchMacro::Fast => {}
            FetchMacro::All => v.push(F::Envelope),
            FetchMacro::Full => {
                v.push(F::Envelope);
                v.push(F::Body);
            }
        }
        v
    }
}

/// What a FETCH asks for, keeping the form used (RFC 3501 §9 `fetch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchItems<'a> {
    /// `ALL` / `FAST` / `FULL`.
    Macro(FetchMacro),
    /// One `fetch-att` without parentheses.
    Single(FetchAttribute<'a>),
    /// `(fetch-att *(SP fetch-att))`.
    List(Vec1<FetchAttribute<'a>>),
}

impl FetchItems<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> FetchItems<'static> {
        match self {
            FetchItems::Macro(m) => FetchItems::Macro(m),
            FetchItems::Single(a) => FetchItems::Single(a.into_owned()),
            FetchItems::List(v) => FetchItems::List(v.map(FetchAttribute::into_owned)),
        }
    }
}

/// `fetch-att` (RFC 3501 §6.4.5, §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchAttribute<'a> {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822`.
    Rfc822,
    /// `RFC822.HEADER`.
    Rfc822Header,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822.TEXT`.
    Rfc822Text,
    /// `BODY` (non-extensible structure).
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[section]<partial>`.
    BodySection {
        /// `BODY.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<offset.length>`.
        partial: Option<Partial>,
    },
    /// `BINARY[section-part]<partial>` or `BINARY.PEEK[...]` (RFC 3516 §4.1).
    Binary {
        /// `BINARY.PEEK`: do not set `\Seen`.
        peek: bool,
        /// `section-binary = "[" [section-part] "]"`: empty for the whole message.
        section: Vec<NonZeroU32>,
        /// `<offset.length>`.
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[section-part]` (RFC 3516 §4.2).
    BinarySize {
        /// The part; empty for the whole message.
        section: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (CONDSTORE, RFC 7162 §3.1.4): a CONDSTORE enabling command.
    ModSeq,
    /// `X-GM-MSGID` (Gmail X-GM-EXT-1).
    GmMsgId,
    /// `X-GM-THRID` (Gmail X-GM-EXT-1).
    GmThrId,
    /// `X-GM-LABELS` (Gmail X-GM-EXT-1).
    GmLabels,
    /// Any other fetch attribute (an extension such as `EMAILID` or `PREVIEW`), kept as
    /// sent.
    Other(Cow<'a, str>),
}

impl FetchAttribute<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> FetchAttribute<'static> {
        use FetchAttribute as F;
        match self {
            F::Envelope => F::Envelope,
            F::Flags => F::Flags,
            F::InternalDate => F::InternalDate,
            F::Rfc822 => F::Rfc822,
            F::Rfc822Header => F::Rfc822Header,
            F::Rfc822Size => F::Rfc822Size,
            F::Rfc822Text => F::Rfc822Text,
            F::Body => F::Body,
            F::BodyStructure => F::BodyStructure,
            F::Uid => F::Uid,
            F::BodySection {
                peek,
                section,
                partial,
            } => F::BodySection {
                peek,
                section: section.into_owned(),
                partial,
            },
            F::Binary {
                peek,
                section,
                partial,
            } => F::Binary {
                peek,
                section,
                partial,
            },
            F::BinarySize { section } => F::BinarySize { section },
            F::ModSeq => F::ModSeq,
            F::GmMsgId => F::GmMsgId,
            F::GmThrId => F::GmThrId,
            F::GmLabels => F::GmLabels,
            F::Other(s) => F::Other(Cow::Owned(s.into_owned())),
        }
    }
}

/// `partial = "<" number64 "." nz-number64 ">"` (RFC 9051 §9; RFC 3501's
/// `"<" number "." nz-number ">"` is its subset): a byte range of a section, so a FETCH
/// can address octets past 4 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partial {
    /// First octet.
    pub offset: Number64,
    /// Number of octets.
    pub length: NzNumber64,
}

/// `section = "[" [section-spec] "]"` (RFC 3501 §6.4.5, §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section<'a> {
    /// `[]`: the whole message.
    Full,
    /// `[HEADER]`, `[HEADER.FIELDS (...)]`, `[TEXT]` of the top-level message.
    Msg(MsgText<'a>),
    /// `[1.2]`, `[1.2.HEADER]`, `[1.2.MIME]`...
    Part {
        /// The part number, `section-part = nz-number *("." nz-number)`.
        part: Vec1<NonZeroU32>,
        /// `section-text` after the part number.
        text: Option<PartText<'a>>,
    },
}

impl Section<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> Section<'static> {
        match self {
            Section::Full => Section::Full,
            Section::Msg(m) => Section::Msg(m.into_owned()),
            Section::Part { part, text } => Section::Part {
                part,
                text: text.map(|t| match t {
                    PartText::Msg(m) => PartText::Msg(m.into_owned()),
                    PartText::Mime => PartText::Mime,
                }),
            },
        }
    }
}

/// `section-msgtext` (RFC 3501 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgText<'a> {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (...)` or `HEADER.FIELDS.NOT (...)`.
    HeaderFields {
        /// `.NOT`.
        not: bool,
        /// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`.
        fields: Vec1<AString<'a>>,
    },
    /// `TEXT`.
    Text,
}

impl MsgText<'_> {
    /// Detaches the value from the input buffer.
    pub fn into_owned(self) -> MsgText<'static> {
        match self {
            MsgText::Header => MsgText::Header,
            MsgText::HeaderFields { not, fields } => MsgText::HeaderFields {
                not,
                fields: fields.map(AString::into_owned),
            },
            MsgText::Text => MsgText::Text,
        }
    }
}

/// `section-text = section-msgtext / "MIME"` after a part number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartText<'a> {
    /// `HEADER`, `HEADER.FIELDS`, `TEXT`.
    Msg(MsgText<'a>),
    /// `MIME`.
    Mime,
}

#[cfg(all(test, target_pointer_width = "64"))]
mod size_tests {
    #[test]
    fn command_body_fits_eight_16_octet_moves() {
        // Issue 9: the decoder moves each body into the `Command` it returns; at 136 octets
        // (FETCH with modifiers inline) that move was a `memcpy` call per command.
        assert_eq!(core::mem::size_of::<super::CommandBody<'_>>(), 120);
        assert_eq!(core::mem::size_of::<super::Command<'_>>(), 144);
    }
}
