//! Command rules of RFC 3501 §9 (`command` and everything under it).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use super::core::{
    FlagCtx, astring, astring_in, atom, atom_len, base64_text, byte, crlf, date, flag, flag_list,
    kw, mailbox, number64, nz_number, nz_number64, paren_list, paren_list_cap, peek_kw,
    sequence_set, sp, string, tag_, utf8_prefix,
};
use super::ext_command as ext;
use super::{ErrKind, PResult, fail, fatal, refail};
use crate::config::Config;
use crate::types::command::{
    AuthenticateData, Command, CommandBody, FetchAttribute, FetchItems, FetchMacro, MsgText,
    PartText, Partial, SearchKey, Section, StatusAttribute, StoreAction, StoreAttribute,
    StoreFlags,
};
use crate::types::core::{Tag, Vec1, is_list_char};
use crate::types::mailbox::ListMailbox;

/// Upper-cases up to 24 octets of a keyword into a stack buffer for matching (longer words
/// match nothing).
pub(crate) fn upper(word: &[u8]) -> ([u8; 24], usize) {
    let mut buf = [0u8; 24];
    for (d, s) in buf.iter_mut().zip(word.iter()) {
        *d = s.to_ascii_uppercase();
    }
    (buf, if word.len() > 24 { 0 } else { word.len() })
}

/// For each octet: upper-cased if it may be in a keyword (letters, digits, `.`, `-`,
/// `_`), else 0. (Built at compile time: the index is a `u8`, so it cannot be out of
/// bounds, and an out-of-bounds index would fail the build, not a parse.)
#[allow(clippy::indexing_slicing)]
static UPPER_WORD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0u8;
    loop {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
            t[b as usize] = b.to_ascii_uppercase();
        }
        if b == 255 {
            break;
        }
        b += 1;
    }
    t
};

/// The name of a keyword (letters, digits, `.`, `-`, `_`), upper-cased as it is scanned
/// (issue 9: the keywords of FETCH items, search keys and sections were scanned, then
/// copied by [`upper`]): the rest after the word and the word in a stack buffer, with its
/// length (0 when longer than 24 octets: no keyword is). `keyword` error when empty.
fn upper_word(i: &[u8]) -> PResult<'_, ([u8; 24], usize)> {
    let (buf, n) = upper_run(i);
    if n == 0 {
        return fail(i, "keyword");
    }
    let rest = i.get(n..).unwrap_or_default();
    Ok((rest, (buf, if n > 24 { 0 } else { n })))
}

/// The run of keyword octets at the start of `i`, upper-cased into a stack buffer (the
/// first 24), and its length.
#[inline]
fn upper_run(i: &[u8]) -> ([u8; 24], usize) {
    let mut buf = [0u8; 24];
    let mut n = 0;
    // The first 24 octets side by side with the buffer, so the loop has one bound and no
    // index check (issue 9: the former loop checked the buffer's index per octet).
    for (d, &b) in buf.iter_mut().zip(i) {
        // One table load per octet decides and upper-cases (the four comparisons it
        // replaces were 6 % of the command corpus's instructions).
        let u = UPPER_WORD.get(usize::from(b)).copied().unwrap_or(0);
        if u == 0 {
            return (buf, n);
        }
        *d = u;
        n += 1;
    }
    // A word of 24 octets or more: its length (no keyword is that long).
    let more = i.get(n..).unwrap_or_default();
    n += more
        .iter()
        .position(|&b| UPPER_WORD.get(usize::from(b)).is_none_or(|&u| u == 0))
        .unwrap_or(more.len());
    (buf, n)
}

/// An atom read as a keyword: the rest after the whole `atom`, and the atom upper-cased
/// with its length, which is 0 when it cannot be a keyword (longer than 24 octets, or
/// holding an `ATOM-CHAR` no keyword has). `None` when there is no atom.
///
/// Issue 9: one pass that scans and upper-cases the usual name (letters, digits, `.`,
/// `-`, `_`, all `ATOM-CHAR`s) through one table, instead of measuring the atom with
/// `is_atom_char` and then copying it upper-cased (≈5 % of the command corpus's
/// instructions went to the command name).
fn upper_atom(i: &[u8]) -> Option<(&[u8], [u8; 24], usize)> {
    let (buf, n) = upper_run(i);
    let r = i.get(n..).unwrap_or_default();
    let more = atom_len(r);
    if n + more == 0 {
        return None;
    }
    let rest = r.get(more..).unwrap_or_default();
    Some((rest, buf, if more > 0 || n > 24 { 0 } else { n }))
}

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`.
pub(crate) fn command<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Command<'a>> {
    let (r, tag) = tag_sp(i)?;
    let (r, body) = command_body(c, r)?;
    let (r, _) = crlf(r)?;
    Ok((r, Command { tag, body }))
}

/// `tag SP`, the start of a [`command`].
pub(crate) fn tag_sp(i: &[u8]) -> PResult<'_, Tag<'_>> {
    let (r, tag) = tag_(i)?;
    let (r, _) = sp(r)?;
    Ok((r, tag))
}

/// What follows `tag SP` in a [`command`], up to its CRLF.
///
/// Every arm gives its `PResult` as it is, without `?` (issue 9: the body, 136 octets, was
/// copied out of each parser's result and into this function's; a parser called in tail
/// position writes straight into the caller's result). The decoder calls this itself and
/// builds the `Command` in its own result, one more copy less.
pub(crate) fn command_body<'a>(c: &Config, r: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    // The name is matched by its octets; an `Atom` (a UTF-8 check) is built only for a
    // command kept raw (issue 9: one `from_utf8` less per command).
    let Some((s, buf, n)) = upper_atom(r) else {
        return fail(r, "command");
    };
    let up = buf.get(..n).unwrap_or_default();
    let name = || atom(r).map(|(_, a)| a);
    match up {
        // The most frequent commands first: the arms are tried in order (issue 9).
        b"UID" => {
            let (r, _) = sp(s)?;
            let (r2, (b2, n2)) = upper_word(r)?;
            let w = r.get(..r.len() - r2.len()).unwrap_or_default();
            match b2.get(..n2).unwrap_or_default() {
                b"SEARCH" => search(c, r2, true),
                b"FETCH" => fetch(c, r2, true),
                b"STORE" => store(c, r2, true),
                b"COPY" => copy(c, r2, true, false),
                b"MOVE" => copy(c, r2, true, true),
                b"SORT" => sort_or_thread(c, r2, true, true),
                b"THREAD" => sort_or_thread(c, r2, true, false),
                b"EXPUNGE" => {
                    // uid-expunge = "UID" SP "EXPUNGE" SP sequence-set (RFC 4315 §3)
                    let (r, _) = sp(r2)?;
                    let (r, sequence_set) = sequence_set(r)?;
                    Ok((r, CommandBody::UidExpunge { sequence_set }))
                }
                // UID forms of other extensions: kept raw like any extension command,
                // `arguments` starting with the verb.
                _ if !w.is_empty() => raw_other(name()?, s),
                _ => fail(r, "UID command"),
            }
        }
        b"FETCH" => fetch(c, s, false),
        b"STORE" => store(c, s, false),
        b"SEARCH" => search(c, s, false),
        b"COPY" => copy(c, s, false, false),
        b"APPEND" => ext::append(c, s),
        b"CAPABILITY" => Ok((s, CommandBody::Capability)),
        b"NOOP" => Ok((s, CommandBody::Noop)),
        b"LOGOUT" => Ok((s, CommandBody::Logout)),
        b"STARTTLS" => Ok((s, CommandBody::StartTls)),
        b"CHECK" => Ok((s, CommandBody::Check)),
        b"CLOSE" => Ok((s, CommandBody::Close)),
        b"EXPUNGE" => Ok((s, CommandBody::Expunge)),
        b"AUTHENTICATE" => authenticate(s),
        b"LOGIN" => {
            let (r, _) = sp(s)?;
            let (r, username) = astring(c, r)?;
            let (r, _) = sp(r)?;
            let (r, password) = astring(c, r)?;
            Ok((r, CommandBody::Login { username, password }))
        }
        b"UNSELECT" => Ok((s, CommandBody::Unselect)),
        b"IDLE" => Ok((s, CommandBody::Idle)),
        b"NAMESPACE" => Ok((s, CommandBody::Namespace)),
        b"ENABLE" => ext::enable(c, s),
        b"ID" => {
            let (r, _) = sp(s)?;
            ext::id_params_list(c, r)
        }
        b"COMPRESS" => {
            let (r, _) = sp(s)?;
            let (r, algorithm) = atom(r)?;
            Ok((r, CommandBody::Compress { algorithm }))
        }
        b"GETQUOTAROOT" => {
            let (r, _) = sp(s)?;
            let (r, mailbox) = mailbox(c, r)?;
            Ok((r, CommandBody::GetQuotaRoot { mailbox }))
        }
        b"GETQUOTA" => {
            let (r, _) = sp(s)?;
            let (r, root) = astring(c, r)?;
            Ok((r, CommandBody::GetQuota { root }))
        }
        b"SETQUOTA" => {
            let (r, _) = sp(s)?;
            let (r, root) = astring(c, r)?;
            let (r, _) = sp(r)?;
            let (r, limits) = ext::setquota_list(c, r)?;
            Ok((r, CommandBody::SetQuota { root, limits }))
        }
        b"GETMETADATA" => ext::getmetadata(c, s),
        b"SETMETADATA" => {
            let (r, _) = sp(s)?;
            let (r, mailbox) = mailbox(c, r)?;
            let (r, _) = sp(r)?;
            let (r, values) = ext::entry_values(c, r)?;
            Ok((r, CommandBody::SetMetadata { mailbox, values }))
        }
        b"SORT" => sort_or_thread(c, s, false, true),
        b"THREAD" => sort_or_thread(c, s, false, false),
        b"MOVE" => copy(c, s, false, true),
        b"SELECT" | b"EXAMINE" | b"CREATE" | b"DELETE" | b"SUBSCRIBE" | b"UNSUBSCRIBE" => {
            let (r, _) = sp(s)?;
            let (r, mailbox) = mailbox(c, r)?;
            // select-params / create-params = SP "(" ... ")" (RFC 4466 §2.1, §2.2)
            let params = r.strip_prefix(b" ").filter(|p| p.first() == Some(&b'('));
            match (up, params) {
                (b"CREATE", Some(p)) => {
                    let (r, parameters) = ext::create_params(c, p)?;
                    let body = CommandBody::CreateExt {
                        mailbox,
                        parameters,
                    };
                    Ok((r, body))
                }
                (b"SELECT" | b"EXAMINE", Some(p)) => {
                    let (r, parameters) = ext::select_params(c, p)?;
                    let body = CommandBody::SelectExt {
                        examine: up == b"EXAMINE",
                        mailbox,
                        parameters,
                    };
                    Ok((r, body))
                }
                _ => {
                    let body = match up {
                        b"SELECT" => CommandBody::Select { mailbox },
                        b"EXAMINE" => CommandBody::Examine { mailbox },
                        b"CREATE" => CommandBody::Create { mailbox },
                        b"DELETE" => CommandBody::Delete { mailbox },
                        b"SUBSCRIBE" => CommandBody::Subscribe { mailbox },
                        _ => CommandBody::Unsubscribe { mailbox },
                    };
                    Ok((r, body))
                }
            }
        }
        b"RENAME" => {
            let (r, _) = sp(s)?;
            let (r, from) = mailbox(c, r)?;
            let (r, _) = sp(r)?;
            let (r, to) = mailbox(c, r)?;
            Ok((r, CommandBody::Rename { from, to }))
        }
        b"LIST" => list(c, s),
        b"LSUB" => {
            let (r, _) = sp(s)?;
            let (r, reference) = mailbox(c, r)?;
            let (r, _) = sp(r)?;
            let (r, pattern) = list_mailbox(c, r)?;
            let body = if up == b"LIST" {
                CommandBody::List { reference, pattern }
            } else {
                CommandBody::Lsub { reference, pattern }
            };
            Ok((r, body))
        }
        b"STATUS" => {
            let (r, _) = sp(s)?;
            let (r, mailbox) = mailbox(c, r)?;
            let (r, _) = sp(r)?;
            let (r, items) = paren_list(c, r, "status", false, status_att)?;
            Ok((
                r,
                CommandBody::Status {
                    mailbox,
                    items: Vec1(items),
                },
            ))
        }
        // x-command or an extension: keep the raw arguments.
        _ => raw_other(name()?, s),
    }
}

/// An x-command or an extension command: the name, then everything up to the CRLF kept
/// raw (after one SP).
fn raw_other<'a>(name: crate::types::core::Atom<'a>, s: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    let body_len = s.len().saturating_sub(2);
    let (all, rest) = s.split_at_checked(body_len).unwrap_or((s, &[]));
    let args = match all.split_first() {
        Some((b' ', a)) => a,
        None => all,
        Some(_) => return fail(s, "SP"),
    };
    Ok((
        rest,
        CommandBody::Other {
            name,
            arguments: Cow::Borrowed(args),
        },
    ))
}

/// `authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]` (RFC 3501, RFC 4959).
fn authenticate(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (r, _) = sp(i)?;
    let (r, mechanism) = atom(r)?;
    let (r, initial_response) = match r.split_first() {
        Some((b' ', rest)) => {
            let end = memchr::memchr(b'\r', rest).unwrap_or(rest.len());
            let (t, r2) = rest.split_at_checked(end).unwrap_or((rest, &[]));
            if t == b"=" {
                (r2, Some(Cow::Borrowed(&[][..])))
            } else {
                match base64_text(t) {
                    Some(d) if !t.is_empty() => (r2, Some(Cow::Owned(d))),
                    _ => return fail(rest, "base64"),
                }
            }
        }
        _ => (r, None),
    };
    Ok((
        r,
        CommandBody::Authenticate {
            mechanism,
            initial_response,
        },
    ))
}

/// `list-mailbox = 1*list-char / string`.
pub(crate) fn list_mailbox<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, ListMailbox<'a>> {
    if matches!(i.first(), Some(b'"' | b'{')) {
        return string(c, i).map(|(r, s)| (r, ListMailbox::String(s)));
    }
    let n = i.iter().take_while(|&&b| is_list_char(b)).count();
    if n == 0 {
        return fail(i, "list-mailbox");
    }
    let (t, r) = i.split_at_checked(n).unwrap_or((i, &[]));
    Ok((
        r,
        ListMailbox::Token(Cow::Borrowed(core::str::from_utf8(t).unwrap_or_default())),
    ))
}

/// `status-att` (RFC 3501 §9, RFC 9051 §9, RFC 7162 §7, RFC 7889 §4); another atom is
/// kept as [`StatusAttribute::Other`].
pub(crate) fn status_att(i: &[u8]) -> PResult<'_, StatusAttribute> {
    // Matched by its octets; an `Atom` (a UTF-8 check) only for an unknown name.
    let Some((r, b, n)) = upper_atom(i) else {
        return fail(i, "status-att");
    };
    let a = match b.get(..n).unwrap_or_default() {
        b"MESSAGES" => StatusAttribute::Messages,
        b"RECENT" => StatusAttribute::Recent,
        b"UIDNEXT" => StatusAttribute::UidNext,
        b"UIDVALIDITY" => StatusAttribute::UidValidity,
        b"UNSEEN" => StatusAttribute::Unseen,
        b"HIGHESTMODSEQ" => StatusAttribute::HighestModSeq,
        b"SIZE" => StatusAttribute::Size,
        b"DELETED" => StatusAttribute::Deleted,
        b"APPENDLIMIT" => StatusAttribute::AppendLimit,
        _ => StatusAttribute::Other(atom(i)?.1.into_owned()),
    };
    Ok((r, a))
}

/// `search = "SEARCH" [search-return-opts] SP search-program` (RFC 4466 §2.6, RFC 4731
/// §3); `search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)`.
fn search<'a>(c: &Config, i: &'a [u8], uid: bool) -> PResult<'a, CommandBody<'a>> {
    let (mut r, _) = sp(i)?;
    let mut return_options = None;
    if peek_kw(r, "RETURN ") {
        let (r2, o) = ext::search_return_opts(c, r.get(7..).unwrap_or_default())?;
        return_options = Some(o);
        r = sp(r2)?.0;
    }
    let mut charset = None;
    if peek_kw(r, "CHARSET ") {
        let r2 = r.get(8..).unwrap_or_default();
        let (r2, cs) = astring(c, r2)?;
        let (r2, _) = sp(r2)?;
        charset = Some(cs);
        r = r2;
    }
    let (r, criteria) = search_keys(c, r)?;
    let body = match return_options {
        Some(return_options) => CommandBody::SearchExt {
            uid,
            return_options,
            charset,
            criteria,
        },
        None => CommandBody::Search {
            uid,
            charset,
            criteria,
        },
    };
    Ok((r, body))
}

/// `search-key *(SP search-key)`.
fn search_keys<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec1<SearchKey<'a>>> {
    let mut r = i;
    // At least one key: allocated up front as in `paren_list` (issue 9).
    let mut criteria = Vec::with_capacity(4);
    loop {
        if criteria.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("search", c.limits.max_items));
        }
        let (r2, k) = search_key(c, r, 0)?;
        criteria.push(k);
        match r2.split_first() {
            Some((b' ', rest)) => r = rest,
            _ => return Ok((r2, Vec1(criteria))),
        }
    }
}

/// `sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria`; `thread = ["UID" SP]
/// "THREAD" SP thread-alg SP search-criteria`; `search-criteria = charset 1*(SP
/// search-key)` (RFC 5256 §5).
fn sort_or_thread<'a>(
    c: &Config,
    i: &'a [u8],
    uid: bool,
    sort: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (r, _) = sp(i)?;
    if sort {
        let (r, criteria) = ext::sort_criteria(c, r)?;
        let (r, _) = sp(r)?;
        let (r, charset) = astring(c, r)?;
        let (r, _) = sp(r)?;
        let (r, keys) = search_keys(c, r)?;
        return Ok((
            r,
            CommandBody::Sort {
                uid,
                criteria,
                charset,
                keys,
            },
        ));
    }
    let (r, algorithm) = ext::thread_alg(r)?;
    let (r, _) = sp(r)?;
    let (r, charset) = astring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, keys) = search_keys(c, r)?;
    Ok((
        r,
        CommandBody::Thread {
            uid,
            algorithm,
            charset,
            keys,
        },
    ))
}

/// `list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`
/// (RFC 5258 §6); the RFC 3501 form is [`CommandBody::List`].
fn list<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    let (mut r, _) = sp(i)?;
    let mut selection = None;
    if r.first() == Some(&b'(') {
        let (r2, o) = ext::list_select_opts(c, r)?;
        selection = Some(o);
        r = sp(r2)?.0;
    }
    let (r, reference) = mailbox(c, r)?;
    let (r, _) = sp(r)?;
    let (mut r, patterns) = ext::mbox_or_pat(c, r)?;
    let mut return_options = None;
    if peek_kw(r, " RETURN ") {
        let (r2, o) = ext::list_return_opts(c, r.get(8..).unwrap_or_default())?;
        return_options = Some(o);
        r = r2;
    }
    let body = match (selection, patterns, return_options) {
        (None, crate::types::command::OneOrList::One(pattern), None) => {
            CommandBody::List { reference, pattern }
        }
        (selection, patterns, return_options) => CommandBody::ListExt {
            selection,
            reference,
            patterns,
            return_options,
        },
    };
    Ok((r, body))
}

/// `search-key` (RFC 3501 §9), with nesting bounded by the depth limit.
pub(crate) fn search_key<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, SearchKey<'a>> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("search-key", c.limits.max_depth));
    }
    match i.first() {
        Some(b'(') => {
            let (r, keys) = paren_list(c, i, "search-key", false, |x| search_key(c, x, depth + 1))?;
            return Ok((r, SearchKey::And(Vec1(keys))));
        }
        Some(b'0'..=b'9' | b'*' | b'$') => {
            return sequence_set(i).map(|(r, s)| (r, SearchKey::SequenceSet(s)));
        }
        _ => {}
    }
    let (r, (b, n)) = upper_word(i).or_else(|e| refail(e, i, "search-key"))?;
    let a = |r| -> PResult<'a, _> {
        let (r, _) = sp(r)?;
        astring(c, r)
    };
    let d = |r| -> PResult<'a, _> {
        let (r, _) = sp(r)?;
        date(r)
    };
    use SearchKey as K;
    Ok(match b.get(..n).unwrap_or_default() {
        b"ALL" => (r, K::All),
        b"ANSWERED" => (r, K::Answered),
        b"DELETED" => (r, K::Deleted),
        b"FLAGGED" => (r, K::Flagged),
        b"NEW" => (r, K::New),
        b"OLD" => (r, K::Old),
        b"RECENT" => (r, K::Recent),
        b"SEEN" => (r, K::Seen),
        b"UNANSWERED" => (r, K::Unanswered),
        b"UNDELETED" => (r, K::Undeleted),
        b"UNFLAGGED" => (r, K::Unflagged),
        b"UNSEEN" => (r, K::Unseen),
        b"DRAFT" => (r, K::Draft),
        b"UNDRAFT" => (r, K::Undraft),
        b"BCC" => a(r).map(|(r, x)| (r, K::Bcc(x)))?,
        b"BODY" => a(r).map(|(r, x)| (r, K::Body(x)))?,
        b"CC" => a(r).map(|(r, x)| (r, K::Cc(x)))?,
        b"FROM" => a(r).map(|(r, x)| (r, K::From(x)))?,
        b"SUBJECT" => a(r).map(|(r, x)| (r, K::Subject(x)))?,
        b"TEXT" => a(r).map(|(r, x)| (r, K::Text(x)))?,
        b"TO" => a(r).map(|(r, x)| (r, K::To(x)))?,
        b"BEFORE" => d(r).map(|(r, x)| (r, K::Before(x)))?,
        b"ON" => d(r).map(|(r, x)| (r, K::On(x)))?,
        b"SINCE" => d(r).map(|(r, x)| (r, K::Since(x)))?,
        b"SENTBEFORE" => d(r).map(|(r, x)| (r, K::SentBefore(x)))?,
        b"SENTON" => d(r).map(|(r, x)| (r, K::SentOn(x)))?,
        b"SENTSINCE" => d(r).map(|(r, x)| (r, K::SentSince(x)))?,
        b"KEYWORD" | b"UNKEYWORD" => {
            let (r, _) = sp(r)?;
            let (r, k) = atom(r)?;
            (
                r,
                if n == 7 {
                    K::Keyword(k)
                } else {
                    K::Unkeyword(k)
                },
            )
        }
        b"HEADER" => {
            let (r, _) = sp(r)?;
            let (r, h) = astring(c, r)?;
            let (r, v) = a(r)?;
            (r, K::Header(h, v))
        }
        b"LARGER" | b"SMALLER" => {
            let (r, _) = sp(r)?;
            let (r, num) = number64(r)?;
            (
                r,
                if n == 6 {
                    K::Larger(num)
                } else {
                    K::Smaller(num)
                },
            )
        }
        b"UID" => {
            let (r, _) = sp(r)?;
            let (r, s) = sequence_set(r)?;
            (r, K::Uid(s))
        }
        b"MODSEQ" => {
            let (r, _) = sp(r)?;
            let (r, (entry, modseq)) = ext::search_modsequence(c, r)?;
            (r, K::ModSeq { entry, modseq })
        }
        b"X-GM-RAW" => a(r).map(|(r, x)| (r, K::GmRaw(x)))?,
        b"X-GM-LABELS" => a(r).map(|(r, x)| (r, K::GmLabels(x)))?,
        b"X-GM-MSGID" | b"X-GM-THRID" => {
            let (r, _) = sp(r)?;
            let (r, num) = super::resp_ext::number_u64(r)?;
            (
                r,
                if n == 10 && b.get(5) == Some(&b'M') {
                    K::GmMsgId(num)
                } else {
                    K::GmThrId(num)
                },
            )
        }
        b"NOT" => {
            let (r, _) = sp(r)?;
            let (r, k) = search_key(c, r, depth + 1)?;
            (r, K::Not(Box::new(k)))
        }
        b"OR" => {
            let (r, _) = sp(r)?;
            let (r, k1) = search_key(c, r, depth + 1)?;
            let (r, _) = sp(r)?;
            let (r, k2) = search_key(c, r, depth + 1)?;
            (r, K::Or(Box::new(k1), Box::new(k2)))
        }
        _ => return fail(i, "search-key"),
    })
}

/// `fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
/// "(" fetch-att *(SP fetch-att) ")")`.
fn fetch<'a>(c: &Config, i: &'a [u8], uid: bool) -> PResult<'a, CommandBody<'a>> {
    let (r, _) = sp(i)?;
    let (r, sequence_set) = sequence_set(r)?;
    let (r, _) = sp(r)?;
    let (r, items) = if r.first() == Some(&b'(') {
        let (r, v) = paren_list(c, r, "fetch-att", false, |x| fetch_att(c, x))?;
        (r, FetchItems::List(Vec1(v)))
    } else {
        let (r2, (b, n)) = upper_word(r)?;
        match b.get(..n).unwrap_or_default() {
            b"ALL" => (r2, FetchItems::Macro(FetchMacro::All)),
            b"FAST" => (r2, FetchItems::Macro(FetchMacro::Fast)),
            b"FULL" => (r2, FetchItems::Macro(FetchMacro::Full)),
            _ => fetch_att(c, r).map(|(r, a)| (r, FetchItems::Single(a)))?,
        }
    };
    // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")" (RFC 4466 §2.4)
    if let Some((b' ', rest)) = r.split_first() {
        let (r, modifiers) = ext::fetch_modifiers(c, rest)?;
        return Ok((
            r,
            CommandBody::FetchExt {
                uid,
                sequence_set,
                items,
                modifiers: Box::new(modifiers),
            },
        ));
    }
    Ok((
        r,
        CommandBody::Fetch {
            uid,
            sequence_set,
            items,
        },
    ))
}

/// `partial = "<" number64 "." nz-number64 ">"` (RFC 9051 §9), if present.
fn partial(r: &[u8]) -> PResult<'_, Option<Partial>> {
    if r.first() != Some(&b'<') {
        return Ok((r, None));
    }
    let (r, offset) = number64(r.get(1..).unwrap_or_default())?;
    let (r, _) = byte(r, b'.', ".")?;
    let (r, length) = nz_number64(r)?;
    let (r, _) = byte(r, b'>', ">")?;
    Ok((r, Some(Partial { offset, length })))
}

/// `fetch-att`.
fn fetch_att<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, FetchAttribute<'a>> {
    let (r, (b, n)) = upper_word(i).or_else(|e| refail(e, i, "fetch-att"))?;
    use FetchAttribute as F;
    Ok(match b.get(..n).unwrap_or_default() {
        b"ENVELOPE" => (r, F::Envelope),
        b"FLAGS" => (r, F::Flags),
        b"INTERNALDATE" => (r, F::InternalDate),
        b"RFC822" => (r, F::Rfc822),
        b"RFC822.HEADER" => (r, F::Rfc822Header),
        b"RFC822.SIZE" => (r, F::Rfc822Size),
        b"RFC822.TEXT" => (r, F::Rfc822Text),
        b"BODYSTRUCTURE" => (r, F::BodyStructure),
        b"UID" => (r, F::Uid),
        b"BODY" | b"BODY.PEEK" => {
            let peek = n == 9;
            if r.first() != Some(&b'[') {
                if peek {
                    return fail(r, "section");
                }
                return Ok((r, F::Body));
            }
            let (r, section) = section(c, r)?;
            let (r, partial) = partial(r)?;
            (
                r,
                F::BodySection {
                    peek,
                    section,
                    partial,
                },
            )
        }
        // fetch-att =/ "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE"
        // section-binary (RFC 3516 §7)
        b"BINARY" | b"BINARY.PEEK" if r.first() == Some(&b'[') => {
            let (r, section) = super::resp_ext::section_binary(c, r)?;
            let (r, partial) = partial(r)?;
            let peek = n == 11;
            (
                r,
                F::Binary {
                    peek,
                    section,
                    partial,
                },
            )
        }
        b"BINARY.SIZE" if r.first() == Some(&b'[') => {
            let (r, section) = super::resp_ext::section_binary(c, r)?;
            (r, F::BinarySize { section })
        }
        b"MODSEQ" => (r, F::ModSeq),
        b"X-GM-MSGID" => (r, F::GmMsgId),
        b"X-GM-THRID" => (r, F::GmThrId),
        b"X-GM-LABELS" => (r, F::GmLabels),
        _ => {
            let (r, t) = super::core::raw_token(i).or_else(|e| refail(e, i, "fetch-att"))?;
            (r, F::Other(Cow::Borrowed(t)))
        }
    })
}

/// `section = "[" [section-spec] "]"`.
pub(crate) fn section<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Section<'a>> {
    let (r, _) = byte(i, b'[', "section")?;
    if let Some((b']', rest)) = r.split_first() {
        return Ok((rest, Section::Full));
    }
    let (r, s) = if r.first().is_some_and(u8::is_ascii_digit) {
        // Room for a few levels up front: the first push skips the growth path (issue 9).
        let mut part = Vec::with_capacity(4);
        let (mut r, n) = nz_number(r)?;
        part.push(n);
        let mut text = None;
        while let Some((b'.', rest)) = r.split_first() {
            if rest.first().is_some_and(u8::is_ascii_digit) {
                if part.len() >= c.limits.max_depth {
                    return fatal(rest, ErrKind::TooDeep("section-part", c.limits.max_depth));
                }
                let (r2, n) = nz_number(rest)?;
                part.push(n);
                r = r2;
            } else if peek_kw(rest, "MIME") {
                text = Some(PartText::Mime);
                r = rest.get(4..).unwrap_or_default();
                break;
            } else {
                let (r2, m) = msg_text(c, rest)?;
                text = Some(PartText::Msg(m));
                r = r2;
                break;
            }
        }
        (
            r,
            Section::Part {
                part: Vec1(part),
                text,
            },
        )
    } else {
        let (r, m) = msg_text(c, r)?;
        (r, Section::Msg(m))
    };
    let (r, _) = byte(r, b']', "]")?;
    Ok((r, s))
}

/// `section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"`.
fn msg_text<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, MsgText<'a>> {
    let (r, (b, n)) = upper_word(i).or_else(|e| refail(e, i, "section-msgtext"))?;
    match b.get(..n).unwrap_or_default() {
        b"HEADER" => Ok((r, MsgText::Header)),
        b"TEXT" => Ok((r, MsgText::Text)),
        b"HEADER.FIELDS" | b"HEADER.FIELDS.NOT" => {
            let (r, _) = sp(r)?;
            // The vector is sized up front from the list's length (issue 9: the 14 names of
            // a usual list grew it twice, ≈2 % of the command corpus's instructions): a
            // name and its SP take about 8 octets (`Subject `, `Message-ID `), so shorter
            // names grow it once more and longer ones leave room unused (at most 64 slots
            // up front). Counting the spaces instead cost as much as the growth it saved.
            let span = memchr::memchr(b')', r).unwrap_or(r.len());
            let cap = (span / 8 + 1).min(64);
            // The names are sliced from the list validated as UTF-8 once (`str_within`).
            let text = utf8_prefix(r.get(..span).unwrap_or_default());
            let (r, fields) =
                paren_list_cap(c, r, "header-list", false, cap, |x| astring_in(c, text, x))?;
            Ok((
                r,
                MsgText::HeaderFields {
                    not: n == 17,
                    fields: Vec1(fields),
                },
            ))
        }
        _ => fail(i, "section-msgtext"),
    }
}

/// `store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags` (RFC 3501 §9,
/// RFC 4466 §2.5), with Gmail's `[+/-]X-GM-LABELS[.SILENT]` as another attribute.
fn store<'a>(c: &Config, i: &'a [u8], uid: bool) -> PResult<'a, CommandBody<'a>> {
    let (r, _) = sp(i)?;
    let (r, sequence_set) = sequence_set(r)?;
    let (r, _) = sp(r)?;
    let (r, modifiers) = if r.first() == Some(&b'(') {
        let (r, m) = ext::store_modifiers(c, r)?;
        (sp(r)?.0, Some(m))
    } else {
        (r, None)
    };
    let (r, action) = match r.split_first() {
        Some((b'+', rest)) => (rest, StoreAction::Add),
        Some((b'-', rest)) => (rest, StoreAction::Remove),
        _ => (r, StoreAction::Replace),
    };
    let labels = peek_kw(r, "X-GM-LABELS");
    let (r, _) = if labels {
        kw(r, "X-GM-LABELS")?
    } else {
        kw(r, "FLAGS")?
    };
    let (r, silent) = if peek_kw(r, ".SILENT") {
        (r.get(7..).unwrap_or_default(), true)
    } else {
        (r, false)
    };
    let (r, _) = sp(r)?;
    if labels {
        let (r, v) = super::resp_ext::gm_labels(c, r)?;
        let body = CommandBody::StoreExt {
            uid,
            sequence_set,
            modifiers: modifiers.unwrap_or_default(),
            action,
            silent,
            attribute: StoreAttribute::GmLabels(v),
        };
        return Ok((r, body));
    }
    let (r, flags) = if r.first() == Some(&b'(') {
        let (r, f) = flag_list(c, r, FlagCtx::Flag)?;
        (r, StoreFlags::List(f))
    } else {
        let (r, f) = flag(c, r, FlagCtx::Flag)?;
        let mut v = alloc::vec![f];
        let (r, _) = super::core::sp_items(c, r, "flag", &mut v, |x| flag(c, x, FlagCtx::Flag))?;
        (r, StoreFlags::Bare(Vec1(v)))
    };
    let body = match modifiers {
        Some(modifiers) => CommandBody::StoreExt {
            uid,
            sequence_set,
            modifiers,
            action,
            silent,
            attribute: StoreAttribute::Flags(flags),
        },
        None => CommandBody::Store {
            uid,
            sequence_set,
            action,
            silent,
            flags,
        },
    };
    Ok((r, body))
}

/// `copy = "COPY" SP sequence-set SP mailbox`; `move = "MOVE" SP sequence-set SP mailbox`
/// (RFC 6851 §3.1).
fn copy<'a>(c: &Config, i: &'a [u8], uid: bool, is_move: bool) -> PResult<'a, CommandBody<'a>> {
    let (r, _) = sp(i)?;
    let (r, sequence_set) = sequence_set(r)?;
    let (r, _) = sp(r)?;
    let (r, mailbox) = mailbox(c, r)?;
    let body = if is_move {
        CommandBody::Move {
            uid,
            sequence_set,
            mailbox,
        }
    } else {
        CommandBody::Copy {
            uid,
            sequence_set,
            mailbox,
        }
    };
    Ok((r, body))
}

/// A client line of an AUTHENTICATE exchange: `base64 CRLF` or `"*" CRLF`.
pub(crate) fn authenticate_data(i: &[u8]) -> PResult<'_, AuthenticateData<'_>> {
    let end = memchr::memchr(b'\r', i).unwrap_or(i.len());
    let (t, r) = i.split_at_checked(end).unwrap_or((i, &[]));
    let (r, _) = crlf(r)?;
    if t == b"*" {
        return Ok((r, AuthenticateData::Cancel));
    }
    match base64_text(t) {
        Some(d) => Ok((r, AuthenticateData::Response(Cow::Owned(d)))),
        None => fail(i, "base64"),
    }
}

#[cfg(test)]
mod upper_atom_tests {
    use super::upper_atom;
    use crate::types::core::is_atom_char;

    /// The definition `upper_atom` replaced: measure the atom, then upper-case a copy.
    fn reference(i: &[u8]) -> Option<(&[u8], Vec<u8>)> {
        let len = i.iter().take_while(|&&b| is_atom_char(b)).count();
        if len == 0 {
            return None;
        }
        let (w, r) = i.split_at(len);
        let up = if len > 24 {
            Vec::new()
        } else {
            w.to_ascii_uppercase()
        };
        Some((r, up))
    }

    #[test]
    fn upper_atom_agrees_with_the_former_scan() {
        // Every string of up to 3 octets over letters of both cases, keyword punctuation,
        // other ATOM-CHARs and delimiters; and names around the 24-octet limit.
        let alphabet = b"aZ9._-!}+ (\r\x80";
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=3 {
            let mut idx = vec![0usize; len];
            loop {
                inputs.push(idx.iter().map(|&k| alphabet[k]).collect());
                let mut p = 0;
                while p < len {
                    idx[p] += 1;
                    if idx[p] < alphabet.len() {
                        break;
                    }
                    idx[p] = 0;
                    p += 1;
                }
                if p == len {
                    break;
                }
            }
        }
        for n in 22..=26 {
            inputs.push([b"x".repeat(n), b" y".to_vec()].concat());
            inputs.push([b"x".repeat(n), b"! y".to_vec()].concat());
        }
        for i in &inputs {
            let got = upper_atom(i).map(|(r, b, n)| {
                // A keyword match needs the upper-cased atom; 0 means "no keyword".
                let w = b[..n].to_vec();
                (r, w)
            });
            let want = reference(i).map(|(r, up)| {
                // The new scan gives 0 for an atom with other ATOM-CHARs: such a name
                // matches no keyword, so compare what a keyword match can see.
                let keywordish = up
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b));
                (r, if keywordish { up } else { Vec::new() })
            });
            assert_eq!(got, want, "{i:?}");
        }
    }
}
