//! Extension response rules: UIDPLUS (RFC 4315 §4), CONDSTORE/QRESYNC (RFC 7162 §7),
//! ESEARCH (RFC 4731 §3.1), ENABLE (RFC 5161 §4), ID (RFC 2971 §4), NAMESPACE (RFC 2342
//! §5), SORT/THREAD (RFC 5256 §5), QUOTA (RFC 9208 §9), METADATA (RFC 5464 §5),
//! LIST-EXTENDED (RFC 5258 §9), BINARY (RFC 3516 §4) and Gmail's X-GM-EXT-1.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::command::upper;
use super::core::{
    astring, atom, byte, kw, literal8, mailbox, mod_sequence_value, nil, nstring, number, number64,
    nz_number, paren_list, peek_kw, quoted, sequence_set, sp, sp_items, string, tagged_ext_val,
};
use super::{ErrKind, PResult, fail, fatal, refail};
use crate::config::Config;
use crate::types::core::{AString, IString, ModSeq, Vec1};
use crate::types::resp_ext::{
    Esearch, GmLabel, ListExtendedItem, MetadataCode, MetadataEntries, NString8, NamespaceDescr,
    Namespaces, QuotaResource, SearchReturnData, ThreadList, UidSet,
};
use crate::types::response::Capability;

/// `uid-set` (RFC 4315 §4): a sequence set without `*`.
pub(crate) fn uid_set(i: &[u8]) -> PResult<'_, UidSet<'_>> {
    let (r, s) = sequence_set(i).or_else(|e| refail(e, i, "uid-set"))?;
    if s.0.contains('*') {
        return fail(i, "uid-set");
    }
    Ok((r, UidSet(s.0)))
}

/// `"APPENDUID" SP nz-number SP append-uid` after the name (RFC 4315 §4).
pub(crate) fn append_uid(i: &[u8]) -> PResult<'_, (NonZeroU32, UidSet<'_>)> {
    let (r, _) = sp(i)?;
    let (r, v) = nz_number(r)?;
    let (r, _) = sp(r)?;
    let (r, uids) = uid_set(r)?;
    Ok((r, (v, uids)))
}

/// `"COPYUID" SP nz-number SP uid-set SP uid-set` after the name (RFC 4315 §4).
pub(crate) fn copy_uid(i: &[u8]) -> PResult<'_, (NonZeroU32, UidSet<'_>, UidSet<'_>)> {
    let (r, (v, source)) = append_uid(i)?;
    let (r, _) = sp(r)?;
    let (r, destination) = uid_set(r)?;
    Ok((r, (v, source, destination)))
}

/// `"METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number / "TOOMANY" /
/// "NOPRIVATE")` after the name (RFC 5464 §5).
pub(crate) fn metadata_code(i: &[u8]) -> PResult<'_, MetadataCode> {
    let (r, _) = sp(i)?;
    let (r2, w) = atom(r)?;
    let (b, n) = upper(w.as_str().as_bytes());
    match b.get(..n).unwrap_or_default() {
        b"LONGENTRIES" => {
            let (r2, _) = sp(r2)?;
            number(r2).map(|(r, n)| (r, MetadataCode::LongEntries(n)))
        }
        b"MAXSIZE" => {
            let (r2, _) = sp(r2)?;
            number(r2).map(|(r, n)| (r, MetadataCode::MaxSize(n)))
        }
        b"TOOMANY" => Ok((r2, MetadataCode::TooMany)),
        b"NOPRIVATE" => Ok((r2, MetadataCode::NoPrivate)),
        _ => fail(r, "METADATA code"),
    }
}

/// `nstring / literal8`.
pub(crate) fn nstring8<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, NString8<'a>> {
    if i.first() == Some(&b'~') {
        let (r, l) = literal8(i)?;
        return Ok((r, NString8::Literal8(l)));
    }
    nstring(c, i).map(|(r, n)| (r, NString8::NString(n)))
}

/// `SP "(" "MODSEQ" SP mod-sequence-value ")"` (RFC 7162 `search-sort-mod-seq`), if there.
pub(crate) fn search_sort_mod_seq(i: &[u8]) -> PResult<'_, Option<ModSeq>> {
    let Some(r) = i.strip_prefix(b" (") else {
        return Ok((i, None));
    };
    let (r, _) = kw(r, "MODSEQ")?;
    let (r, _) = sp(r)?;
    let (r, m) = mod_sequence_value(r)?;
    let (r, _) = byte(r, b')', ")")?;
    Ok((r, Some(m)))
}

/// `*(SP capability)` of `enable-data = "ENABLED" *(SP capability)` (RFC 5161 §4).
pub(crate) fn enabled<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<Capability<'a>>> {
    let mut v = Vec::new();
    let (r, _) = sp_items(c, i, "capability", &mut v, |x| {
        atom(x).map(|(r, a)| (r, Capability::new(a)))
    })?;
    Ok((r, v))
}

/// `SP id_params_list`, `id_params_list = "(" #(string SP nstring) ")" / nil` (RFC 2971 §4).
#[allow(clippy::type_complexity)]
pub(crate) fn id_response<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, Option<Vec<(IString<'a>, Option<IString<'a>>)>>> {
    let (r, _) = sp(i)?;
    if r.first() != Some(&b'(') {
        let (r, _) = nil(r).or_else(|e| refail(e, r, "id-params-list"))?;
        return Ok((r, None));
    }
    let (r, v) = paren_list(c, r, "id-params-list", true, |x| {
        let (r, k) = string(c, x)?;
        let (r, _) = sp(r)?;
        let (r, v) = nstring(c, r)?;
        Ok((r, (k, v)))
    })?;
    Ok((r, Some(v)))
}

/// `DQUOTE QUOTED-CHAR DQUOTE / nil`: a hierarchy delimiter (RFC 3501 `mailbox-list`,
/// RFC 2342 `Namespace`).
pub(crate) fn delimiter<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Option<u8>> {
    if i.first() == Some(&b'"') {
        let (r, q) = quoted(c, i)?;
        return match q.as_bytes() {
            [d] => Ok((r, Some(*d))),
            _ => fail(i, "QUOTED-CHAR"),
        };
    }
    let (r, _) = nil(i).or_else(|e| refail(e, i, "delimiter"))?;
    Ok((r, None))
}

/// `Namespace = nil / "(" 1*( "(" string SP delimiter *(Namespace_Response_Extension) ")"
/// ) ")"` (RFC 2342 §5).
fn namespace<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Namespaces<'a>> {
    if i.first() != Some(&b'(') {
        let (r, _) = nil(i).or_else(|e| refail(e, i, "Namespace"))?;
        return Ok((r, None));
    }
    let mut r = i.get(1..).unwrap_or_default();
    let mut v = Vec::new();
    while r.first() == Some(&b'(') {
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("Namespace", c.limits.max_items));
        }
        let (r2, _) = byte(r, b'(', "Namespace")?;
        let (r2, prefix) = string(c, r2)?;
        let (r2, _) = sp(r2)?;
        let (mut r2, delimiter) = delimiter(c, r2)?;
        let mut extensions = Vec::new();
        // Namespace_Response_Extension = SP string SP "(" string *(SP string) ")"
        while let Some((b' ', rest)) = r2.split_first() {
            if extensions.len() >= c.limits.max_items {
                return fatal(r2, ErrKind::TooMany("Namespace", c.limits.max_items));
            }
            let (r3, name) = string(c, rest)?;
            let (r3, _) = sp(r3)?;
            let (r3, values) = paren_list(c, r3, "Namespace_Response_Extension", false, |x| {
                string(c, x)
            })?;
            extensions.push((name, Vec1(values)));
            r2 = r3;
        }
        let (r2, _) = byte(r2, b')', ")")?;
        v.push(NamespaceDescr {
            prefix,
            delimiter,
            extensions,
        });
        r = r2;
    }
    if v.is_empty() {
        return fail(r, "Namespace");
    }
    let (r, _) = byte(r, b')', ")")?;
    Ok((r, Some(Vec1(v))))
}

/// `SP Namespace SP Namespace SP Namespace` (RFC 2342 §5).
pub(crate) fn namespace_response<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, [Namespaces<'a>; 3]> {
    let (r, _) = sp(i)?;
    let (r, personal) = namespace(c, r)?;
    let (r, _) = sp(r)?;
    let (r, other) = namespace(c, r)?;
    let (r, _) = sp(r)?;
    let (r, shared) = namespace(c, r)?;
    Ok((r, [personal, other, shared]))
}

/// `[search-correlator] [SP "UID"] *(SP search-return-data)` after `ESEARCH` (RFC 4731
/// §3.1, RFC 7162 §7 adds `"MODSEQ" SP mod-sequence-value`).
pub(crate) fn esearch<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Esearch<'a>> {
    // search-correlator = SP "(" "TAG" SP tag-string ")"
    let (mut r, tag) = match i.strip_prefix(b" (") {
        Some(r) => {
            let (r, _) = kw(r, "TAG")?;
            let (r, _) = sp(r)?;
            let (r, t) = string(c, r)?;
            let (r, _) = byte(r, b')', ")")?;
            (r, Some(t))
        }
        None => (i, None),
    };
    let uid = r.get(1..).is_some_and(|rest| {
        r.first() == Some(&b' ')
            && peek_kw(rest, "UID")
            && matches!(rest.get(3), None | Some(b' ' | b'\r'))
    });
    if uid {
        r = r.get(4..).unwrap_or_default();
    }
    let mut data = Vec::new();
    while let Some((b' ', rest)) = r.split_first() {
        if rest.first().is_none_or(|&b| b == b'\r' || b == b' ') {
            break;
        }
        if data.len() >= c.limits.max_items {
            return fatal(
                r,
                ErrKind::TooMany("search-return-data", c.limits.max_items),
            );
        }
        let (r2, d) = search_return_data(c, rest)?;
        data.push(d);
        r = r2;
    }
    Ok((r, Esearch { tag, uid, data }))
}

/// `search-return-data`.
fn search_return_data<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, SearchReturnData<'a>> {
    use SearchReturnData as S;
    let (r, name) = atom(i).or_else(|e| refail(e, i, "search-return-data"))?;
    let (r, _) = sp(r)?;
    let (b, n) = upper(name.as_str().as_bytes());
    Ok(match b.get(..n).unwrap_or_default() {
        b"MIN" => nz_number(r).map(|(r, n)| (r, S::Min(n)))?,
        b"MAX" => nz_number(r).map(|(r, n)| (r, S::Max(n)))?,
        b"ALL" => sequence_set(r).map(|(r, s)| (r, S::All(s)))?,
        b"COUNT" => number(r).map(|(r, n)| (r, S::Count(n)))?,
        b"MODSEQ" => mod_sequence_value(r).map(|(r, m)| (r, S::ModSeq(m)))?,
        _ => {
            let (r, value) = tagged_ext_val(c, r)?;
            (
                r,
                S::Other {
                    name,
                    value: Cow::Borrowed(value),
                },
            )
        }
    })
}

/// `SP ["(EARLIER)" SP] known-uids` after `VANISHED` (RFC 7162 §7).
pub(crate) fn vanished(i: &[u8]) -> PResult<'_, (bool, UidSet<'_>)> {
    let (r, _) = sp(i)?;
    let (r, earlier) = match r.first() {
        Some(b'(') => {
            let (r, _) = kw(r, "(EARLIER)")?;
            let (r, _) = sp(r)?;
            (r, true)
        }
        _ => (r, false),
    };
    let (r, uids) = uid_set(r)?;
    Ok((r, (earlier, uids)))
}

/// `[SP 1*thread-list]` after `THREAD` (RFC 5256 §5).
pub(crate) fn thread_data<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<ThreadList>> {
    let mut v = Vec::new();
    let Some(mut r) = i.strip_prefix(b" ").filter(|r| r.first() == Some(&b'(')) else {
        return Ok((i, v));
    };
    while r.first() == Some(&b'(') {
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("thread-list", c.limits.max_items));
        }
        let (r2, t) = thread_list(c, r, 0)?;
        v.push(t);
        r = r2;
    }
    Ok((r, v))
}

/// `thread-list = "(" (thread-members / thread-nested) ")"`, `thread-members = nz-number
/// *(SP nz-number) [SP thread-nested]`, `thread-nested = 2*thread-list`.
fn thread_list<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, ThreadList> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("thread-list", c.limits.max_depth));
    }
    let (mut r, _) = byte(i, b'(', "thread-list")?;
    let mut members = Vec::new();
    if r.first() != Some(&b'(') {
        loop {
            if members.len() >= c.limits.max_items {
                return fatal(r, ErrKind::TooMany("thread-members", c.limits.max_items));
            }
            let (r2, n) = nz_number(r)?;
            members.push(n);
            r = r2;
            match r {
                [b' ', b'(', ..] => {
                    r = r.get(1..).unwrap_or_default();
                    break;
                }
                [b' ', rest @ ..] => r = rest,
                _ => break,
            }
        }
    }
    let mut nested = Vec::new();
    while r.first() == Some(&b'(') {
        if nested.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("thread-nested", c.limits.max_items));
        }
        let (r2, t) = thread_list(c, r, depth + 1)?;
        nested.push(t);
        r = r2;
    }
    let (r2, _) = byte(r, b')', ")")?;
    match ThreadList::new(members, nested) {
        Ok(t) => Ok((r2, t)),
        Err(_) => fail(r, "thread-nested"),
    }
}

/// `SP quota-root-name SP quota-list` after `QUOTA` (RFC 9208 §9).
#[allow(clippy::type_complexity)]
pub(crate) fn quota<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, (AString<'a>, Vec1<QuotaResource<'a>>)> {
    let (r, _) = sp(i)?;
    let (r, root) = astring(c, r)?;
    let (r, _) = sp(r)?;
    let (r, v) = paren_list(c, r, "quota-list", false, |x| {
        let (r, name) = atom(x)?;
        let (r, _) = sp(r)?;
        let (r, usage) = number64(r)?;
        let (r, _) = sp(r)?;
        let (r, limit) = number64(r)?;
        Ok((r, QuotaResource { name, usage, limit }))
    })?;
    Ok((r, (root, Vec1(v))))
}

/// `SP mailbox *(SP quota-root-name)` after `QUOTAROOT` (RFC 9208 §9).
pub(crate) fn quota_root<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, (crate::types::mailbox::Mailbox<'a>, Vec<AString<'a>>)> {
    let (r, _) = sp(i)?;
    let (r, m) = mailbox(c, r)?;
    let mut roots = Vec::new();
    let (r, _) = sp_items(c, r, "quota-root-name", &mut roots, |x| astring(c, x))?;
    Ok((r, (m, roots)))
}

/// `SP mailbox SP (entry-values / entry-list)` after `METADATA` (RFC 5464 §5).
pub(crate) fn metadata<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, (crate::types::mailbox::Mailbox<'a>, MetadataEntries<'a>)> {
    let (r, _) = sp(i)?;
    let (r, m) = mailbox(c, r)?;
    let (r, _) = sp(r)?;
    if r.first() == Some(&b'(') {
        let (r, v) = paren_list(c, r, "entry-values", false, |x| {
            let (r, e) = astring(c, x)?;
            let (r, _) = sp(r)?;
            let (r, v) = nstring8(c, r)?;
            Ok((r, (e, v)))
        })?;
        return Ok((r, (m, MetadataEntries::Values(Vec1(v)))));
    }
    let (r, first) = astring(c, r)?;
    let mut v = alloc::vec![first];
    let (r, _) = sp_items(c, r, "entry-list", &mut v, |x| astring(c, x))?;
    Ok((r, (m, MetadataEntries::Names(Vec1(v)))))
}

/// `mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"`
/// (RFC 5258 §9).
pub(crate) fn mbox_list_extended<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, Vec<ListExtendedItem<'a>>> {
    paren_list(c, i, "mbox-list-extended", true, |x| {
        list_extended_item(c, x)
    })
}

/// `mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val`, with
/// CHILDINFO (RFC 5258) and OLDNAME (RFC 9051) typed when they have their grammar's form.
fn list_extended_item<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, ListExtendedItem<'a>> {
    let (r, tag) = astring(c, i)?;
    let (r, _) = sp(r)?;
    let (rest, value) = tagged_ext_val(c, r)?;
    let quoted_tag = match &tag {
        AString::String(IString::Quoted(q)) => q.as_bytes(),
        _ => b"",
    };
    let typed = match quoted_tag {
        b"CHILDINFO" => paren_list(c, r, "childinfo-extended-item", false, |x| quoted(c, x))
            .ok()
            .filter(|(after, _)| after.len() == rest.len())
            .map(|(_, v)| ListExtendedItem::ChildInfo(Vec1(v))),
        b"OLDNAME" => byte(r, b'(', "(")
            .and_then(|(x, _)| mailbox(c, x))
            .and_then(|(x, m)| byte(x, b')', ")").map(|(x, _)| (x, m)))
            .ok()
            .filter(|(after, _)| after.len() == rest.len())
            .map(|(_, m)| ListExtendedItem::OldName(m)),
        _ => None,
    };
    Ok((
        rest,
        typed.unwrap_or(ListExtendedItem::Other {
            tag,
            value: Cow::Borrowed(value),
        }),
    ))
}

/// `section-binary = "[" [section-part] "]"` (RFC 3516 §4.2).
pub(crate) fn section_binary<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<NonZeroU32>> {
    let (mut r, _) = byte(i, b'[', "section-binary")?;
    let mut v = Vec::new();
    if r.first() != Some(&b']') {
        loop {
            if v.len() >= c.limits.max_items {
                return fatal(r, ErrKind::TooMany("section-part", c.limits.max_items));
            }
            let (r2, n) = nz_number(r)?;
            v.push(n);
            r = r2;
            match r.split_first() {
                Some((b'.', rest)) => r = rest,
                _ => break,
            }
        }
    }
    let (r, _) = byte(r, b']', "]")?;
    Ok((r, v))
}

/// `1*DIGIT` as an unsigned 64-bit number (Gmail's X-GM-MSGID and X-GM-THRID).
pub(crate) fn number_u64(i: &[u8]) -> PResult<'_, u64> {
    let n = i.iter().take_while(|b| b.is_ascii_digit()).count();
    let (digits, rest) = i.split_at_checked(n).unwrap_or((i, &[]));
    if digits.is_empty() {
        return fail(i, "number");
    }
    let mut v: u64 = 0;
    for d in digits {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(x) => v = x,
            None => return fail(i, "number"),
        }
    }
    Ok((rest, v))
}

/// `"(" [label *(SP label)] ")"` of X-GM-LABELS: each label an astring or `"\" atom`.
pub(crate) fn gm_labels<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<GmLabel<'a>>> {
    paren_list(c, i, "X-GM-LABELS", true, |x| match x.split_first() {
        Some((b'\\', rest)) => atom(rest).map(|(r, a)| (r, GmLabel::System(a))),
        _ => astring(c, x).map(|(r, a)| (r, GmLabel::Name(a))),
    })
}
