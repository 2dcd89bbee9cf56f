//! Extension command rules: the RFC 4466 extension points and the extensions that use
//! them (RFC 7162, 4731, 5258, 5819, 6154, 3502, 3516, 5256, 9208, 5464, 2971, 5161,
//! 4978), one function per ABNF rule.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::core::{
    FlagCtx, astring, atom, byte, date_time, flag_list, literal, literal8, mailbox,
    mod_sequence_value, mod_sequence_valzer, nil, nstring, number, number64, nz_number, paren_list,
    peek_kw, quoted, sequence_set, sp, string,
};
use super::{ErrKind, PResult, fail, fatal};
use crate::config::Config;
use crate::types::command::{
    AppendData, AppendMessage, CommandBody, CreateParam, EntryType, FetchModifier,
    ListReturnOption, ListSelectOption, MetadataDepth, MetadataOption, MetadataValue, ModSeqEntry,
    OneOrList, Qresync, QuotaLimit, SearchReturnOption, SelectParam, SortCriterion, SortKey,
    StoreModifier, TaggedExt, TaggedExtVal, ThreadAlgorithm,
};
use crate::types::core::{AString, Atom, Vec1};
use crate::types::sequence::is_valid_sequence_set;

fn str_of(b: &[u8]) -> &str {
    core::str::from_utf8(b).unwrap_or_default()
}

/// `tagged-ext-label = tagged-label-fchar *tagged-label-char`; `tagged-label-fchar = ALPHA
/// / "-" / "_" / "."`; `tagged-label-char = tagged-label-fchar / DIGIT / ":"`.
pub(crate) fn tagged_ext_label(i: &[u8]) -> PResult<'_, Atom<'_>> {
    let first = |b: u8| b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.');
    if !i.first().is_some_and(|&b| first(b)) {
        return fail(i, "tagged-ext-label");
    }
    let n = i
        .iter()
        .take_while(|&&b| first(b) || b.is_ascii_digit() || b == b':')
        .count();
    let (l, r) = i.split_at_checked(n).unwrap_or((i, &[]));
    Ok((r, Atom(Cow::Borrowed(str_of(l)))))
}

/// Whether the atom just parsed is `word` (case-insensitive).
fn is(label: &Atom<'_>, word: &str) -> bool {
    label.as_str().eq_ignore_ascii_case(word)
}

/// `tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "("
/// tagged-ext-comp ")"`, read up to the closing parenthesis of the enclosing list.
fn tagged_ext_comp<'a>(c: &Config, i: &'a [u8], depth: usize) -> PResult<'a, ()> {
    if depth >= c.limits.max_depth {
        return fatal(i, ErrKind::TooDeep("tagged-ext-comp", c.limits.max_depth));
    }
    let mut r = i;
    let mut items = 0usize;
    loop {
        if items >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("tagged-ext-comp", c.limits.max_items));
        }
        r = if r.first() == Some(&b'(') {
            let (r2, _) = tagged_ext_comp(c, r.get(1..).unwrap_or_default(), depth + 1)?;
            byte(r2, b')', ")")?.0
        } else {
            astring(c, r)?.0
        };
        items += 1;
        match r.split_first() {
            Some((b' ', rest)) => r = rest,
            _ => return Ok((r, ())),
        }
    }
}

/// `tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"`; `tagged-ext-simple =
/// sequence-set / number`.
pub(crate) fn tagged_ext_val<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, TaggedExtVal<'a>> {
    let rest = if i.first() == Some(&b'(') {
        let r = i.get(1..).unwrap_or_default();
        let r = if r.first() == Some(&b')') {
            r
        } else {
            tagged_ext_comp(c, r, 1)?.0
        };
        byte(r, b')', ")")?.0
    } else {
        let n = i
            .iter()
            .take_while(|&&b| b.is_ascii_digit() || matches!(b, b'*' | b':' | b',' | b'$'))
            .count();
        let (v, r) = i.split_at_checked(n).unwrap_or((i, &[]));
        let number = !v.is_empty() && v.iter().all(u8::is_ascii_digit);
        if !number && !is_valid_sequence_set(v) {
            return fail(i, "tagged-ext-val");
        }
        if number {
            super::core::number(v).or_else(|_| fail(i, "tagged-ext-val"))?;
        }
        r
    };
    let n = i.len() - rest.len();
    Ok((
        rest,
        TaggedExtVal(Cow::Borrowed(i.get(..n).unwrap_or_default())),
    ))
}

/// Whether `b` is exactly one `tagged-ext-val` (for [`TaggedExtVal::new`]).
pub(crate) fn is_tagged_ext_val(b: &[u8]) -> bool {
    let c = Config::default();
    matches!(tagged_ext_val(&c, b), Ok((rest, _)) if rest.is_empty())
}

/// The rest of `tagged-ext-label [SP tagged-ext-val]` after the label.
fn tagged_ext_rest<'a>(c: &Config, label: Atom<'a>, r: &'a [u8]) -> PResult<'a, TaggedExt<'a>> {
    if let Some((b' ', after)) = r.split_first() {
        if let Ok((r2, value)) = tagged_ext_val(c, after) {
            return Ok((
                r2,
                TaggedExt {
                    name: label,
                    value: Some(value),
                },
            ));
        }
    }
    Ok((
        r,
        TaggedExt {
            name: label,
            value: None,
        },
    ))
}

/// `"(" option *(SP option) ")"` where each option is `tagged-ext-label [SP
/// tagged-ext-val]` (RFC 4466 §2.1): `known` reads the options an RFC defines, given the
/// upper-cased label and the input after it; any other is kept by `other`.
fn options<'a, T>(
    c: &Config,
    i: &'a [u8],
    rule: &'static str,
    allow_empty: bool,
    known: impl Fn(&[u8], &'a [u8]) -> Option<PResult<'a, T>>,
    other: fn(TaggedExt<'a>) -> T,
) -> PResult<'a, Vec<T>> {
    paren_list(c, i, rule, allow_empty, |x| {
        let (r, label) = tagged_ext_label(x)?;
        let (b, n) = super::command::upper(label.as_str().as_bytes());
        if let Some(res) = known(b.get(..n).unwrap_or_default(), r) {
            return res;
        }
        tagged_ext_rest(c, label, r).map(|(r, t)| (r, other(t)))
    })
}

/// A keyword option: the value `v` with the input unchanged.
fn just<'a, T>(r: &'a [u8], v: T) -> Option<PResult<'a, T>> {
    Some(Ok((r, v)))
}

/// `SP` and what `then` reads.
fn after_sp<'a, T>(r: &'a [u8], then: impl FnOnce(&'a [u8]) -> PResult<'a, T>) -> PResult<'a, T> {
    let (r, _) = sp(r)?;
    then(r)
}

/// `select-params = SP "(" select-param *(SP select-param) ")"`, from the `(`: `CONDSTORE`
/// and `QRESYNC (...)` (RFC 7162 §7) or generic ones.
pub(crate) fn select_params<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec1<SelectParam<'a>>> {
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"CONDSTORE" => just(r, SelectParam::Condstore),
        b"QRESYNC" => Some(after_sp(r, qresync).map(|(r, q)| (r, SelectParam::Qresync(q)))),
        _ => None,
    };
    let (r, v) = options(c, i, "select-params", false, known, SelectParam::Other)?;
    Ok((r, Vec1(v)))
}

/// `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`.
fn qresync(i: &[u8]) -> PResult<'_, Qresync<'_>> {
    let (r, _) = byte(i, b'(', "QRESYNC parameters")?;
    let (r, uidvalidity) = nz_number(r)?;
    let (r, _) = sp(r)?;
    let (mut r, modseq) = mod_sequence_value(r)?;
    let mut known_uids = None;
    let mut seq_match = None;
    if let Some((b' ', after)) = r.split_first() {
        if after.first() != Some(&b'(') {
            let (r2, k) = sequence_set(after)?;
            known_uids = Some(k);
            r = r2;
        }
    }
    if let Some((b' ', after)) = r.split_first() {
        // seq-match-data = "(" known-sequence-set SP known-uid-set ")"
        let (r2, _) = byte(after, b'(', "seq-match-data")?;
        let (r2, seqs) = sequence_set(r2)?;
        let (r2, _) = sp(r2)?;
        let (r2, uids) = sequence_set(r2)?;
        let (r2, _) = byte(r2, b')', ")")?;
        seq_match = Some((seqs, uids));
        r = r2;
    }
    let (r, _) = byte(r, b')', ")")?;
    Ok((
        r,
        Qresync {
            uidvalidity,
            modseq,
            known_uids,
            seq_match,
        },
    ))
}

/// `fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"`, from the `(`.
pub(crate) fn fetch_modifiers<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec1<FetchModifier<'a>>> {
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"CHANGEDSINCE" => {
            Some(after_sp(r, mod_sequence_value).map(|(r, m)| (r, FetchModifier::ChangedSince(m))))
        }
        b"VANISHED" => just(r, FetchModifier::Vanished),
        _ => None,
    };
    let (r, v) = options(c, i, "fetch-modifiers", false, known, FetchModifier::Other)?;
    Ok((r, Vec1(v)))
}

/// `store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"`, from the `(`.
pub(crate) fn store_modifiers<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<StoreModifier<'a>>> {
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"UNCHANGEDSINCE" => Some(
            after_sp(r, mod_sequence_valzer).map(|(r, m)| (r, StoreModifier::UnchangedSince(m))),
        ),
        _ => None,
    };
    options(c, i, "store-modifiers", false, known, StoreModifier::Other)
}

/// `search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)]
/// ")"` (RFC 4731 §3, RFC 5182 §2), from the `(`.
pub(crate) fn search_return_opts<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, Vec<SearchReturnOption<'a>>> {
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"MIN" => just(r, SearchReturnOption::Min),
        b"MAX" => just(r, SearchReturnOption::Max),
        b"ALL" => just(r, SearchReturnOption::All),
        b"COUNT" => just(r, SearchReturnOption::Count),
        b"SAVE" => just(r, SearchReturnOption::Save),
        _ => None,
    };
    options(
        c,
        i,
        "search-return-opts",
        true,
        known,
        SearchReturnOption::Other,
    )
}

/// `list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"` (RFC 5258 §6,
/// RFC 6154 §6).
pub(crate) fn list_select_opts<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, Vec<ListSelectOption<'a>>> {
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"SUBSCRIBED" => just(r, ListSelectOption::Subscribed),
        b"REMOTE" => just(r, ListSelectOption::Remote),
        b"RECURSIVEMATCH" => just(r, ListSelectOption::RecursiveMatch),
        b"SPECIAL-USE" => just(r, ListSelectOption::SpecialUse),
        _ => None,
    };
    options(
        c,
        i,
        "list-select-opts",
        true,
        known,
        ListSelectOption::Other,
    )
}

/// `"(" [return-option *(SP return-option)] ")"` of `list-return-opts` (RFC 5258 §6,
/// RFC 5819 §4, RFC 6154 §6), from the `(`.
pub(crate) fn list_return_opts<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, Vec<ListReturnOption<'a>>> {
    let status = |r: &'a [u8]| -> PResult<'a, ListReturnOption<'a>> {
        let (r, items) = paren_list(c, r, "status-att", false, super::command::status_att)?;
        Ok((r, ListReturnOption::Status(Vec1(items))))
    };
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"SUBSCRIBED" => just(r, ListReturnOption::Subscribed),
        b"CHILDREN" => just(r, ListReturnOption::Children),
        b"SPECIAL-USE" => just(r, ListReturnOption::SpecialUse),
        b"STATUS" => Some(after_sp(r, status)),
        _ => None,
    };
    options(
        c,
        i,
        "list-return-opts",
        true,
        known,
        ListReturnOption::Other,
    )
}

/// `mbox-or-pat = list-mailbox / patterns`; `patterns = "(" list-mailbox *(SP
/// list-mailbox) ")"` (RFC 5258 §6).
pub(crate) fn mbox_or_pat<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, OneOrList<crate::types::mailbox::ListMailbox<'a>>> {
    if i.first() == Some(&b'(') {
        let (r, v) = paren_list(c, i, "patterns", false, |x| {
            super::command::list_mailbox(c, x)
        })?;
        return Ok((r, OneOrList::List(Vec1(v))));
    }
    super::command::list_mailbox(c, i).map(|(r, m)| (r, OneOrList::One(m)))
}

/// `create-params = SP "(" create-param *(SP create-param) ")"` (RFC 4466 §2.2), with
/// `create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"` (RFC 6154 §6).
pub(crate) fn create_params<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec1<CreateParam<'a>>> {
    let uses = |r: &'a [u8]| -> PResult<'a, CreateParam<'a>> {
        let (r, v) = paren_list(c, r, "use-attr", true, |y| {
            let (y, _) = byte(y, b'\\', "use-attr")?;
            atom(y)
        })?;
        Ok((r, CreateParam::Use(v)))
    };
    let known = |l: &[u8], r: &'a [u8]| match l {
        b"USE" => Some(after_sp(r, uses)),
        _ => None,
    };
    let (r, v) = options(c, i, "create-params", false, known, CreateParam::Other)?;
    Ok((r, Vec1(v)))
}

/// `append = "APPEND" SP mailbox 1*append-message`; `append-message = append-opts SP
/// append-data`; `append-opts = [SP flag-list] [SP date-time]`; `append-data = literal /
/// literal8 / utf8-literal` (RFC 4466 §2.2, RFC 3502, RFC 3516, RFC 6855 §4). One message
/// with a plain literal is RFC 3501's APPEND.
pub(crate) fn append<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    let (r, _) = sp(i)?;
    let (mut r, mailbox) = mailbox(c, r)?;
    let mut messages = Vec::new();
    while let Some((b' ', mut m)) = r.split_first() {
        if messages.len() >= c.limits.max_items {
            return fatal(m, ErrKind::TooMany("append-message", c.limits.max_items));
        }
        let mut flags = None;
        if m.first() == Some(&b'(') {
            let (m2, f) = flag_list(c, m, FlagCtx::Flag)?;
            flags = Some(f);
            m = sp(m2)?.0;
        }
        let mut date = None;
        if m.first() == Some(&b'"') {
            let (m2, d) = date_time(m)?;
            date = Some(d);
            m = sp(m2)?.0;
        }
        let (m, data) = match m.first() {
            Some(b'~') => literal8(m).map(|(m, l)| (m, AppendData::Binary(l)))?,
            // utf8-literal = "UTF8" SP "(" literal8 ")" (RFC 6855 §4)
            Some(b'U' | b'u') => {
                let (m, _) = super::core::kw(m, "UTF8 (")?;
                let (m, l) = literal8(m)?;
                let (m, _) = byte(m, b')', ")")?;
                (m, AppendData::Utf8(l))
            }
            _ => literal(m).map(|(m, l)| (m, AppendData::Literal(l)))?,
        };
        messages.push(AppendMessage { flags, date, data });
        r = m;
    }
    if messages.is_empty() {
        return fail(r, "SP");
    }
    let body = match <[_; 1]>::try_from(messages) {
        Ok(
            [
                AppendMessage {
                    flags,
                    date,
                    data: AppendData::Literal(message),
                },
            ],
        ) => CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
        },
        Ok([one]) => CommandBody::AppendExt {
            mailbox,
            messages: Vec1::one(one),
        },
        Err(v) => CommandBody::AppendExt {
            mailbox,
            messages: Vec1(v),
        },
    };
    Ok((r, body))
}

/// `sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"` (RFC 5256 §5).
pub(crate) fn sort_criteria<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec1<SortCriterion<'a>>> {
    let (r, v) = paren_list(c, i, "sort-criteria", false, |x| {
        let (mut r, mut key) = atom(x)?;
        let reverse = is(&key, "REVERSE");
        if reverse {
            let (r2, _) = sp(r)?;
            (r, key) = atom(r2)?;
        }
        let key = match key.as_str().to_ascii_uppercase().as_str() {
            "ARRIVAL" => SortKey::Arrival,
            "CC" => SortKey::Cc,
            "DATE" => SortKey::Date,
            "FROM" => SortKey::From,
            "SIZE" => SortKey::Size,
            "SUBJECT" => SortKey::Subject,
            "TO" => SortKey::To,
            "DISPLAYFROM" => SortKey::DisplayFrom,
            "DISPLAYTO" => SortKey::DisplayTo,
            "REVERSE" => return fail(x, "sort-key"),
            _ => SortKey::Other(key),
        };
        Ok((r, SortCriterion { reverse, key }))
    })?;
    Ok((r, Vec1(v)))
}

/// `thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext` (RFC 5256 §5).
pub(crate) fn thread_alg(i: &[u8]) -> PResult<'_, ThreadAlgorithm<'_>> {
    let (r, a) = atom(i)?;
    let alg = if is(&a, "ORDEREDSUBJECT") {
        ThreadAlgorithm::OrderedSubject
    } else if is(&a, "REFERENCES") {
        ThreadAlgorithm::References
    } else {
        ThreadAlgorithm::Other(a)
    };
    Ok((r, alg))
}

/// `setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"` (RFC 9208 §9).
pub(crate) fn setquota_list<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<QuotaLimit<'a>>> {
    paren_list(c, i, "setquota-list", true, |x| {
        let (r, resource) = atom(x)?;
        let (r, _) = sp(r)?;
        let (r, limit) = number64(r)?;
        Ok((r, QuotaLimit { resource, limit }))
    })
}

/// `getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries` (RFC
/// 5464 §5), after the name.
pub(crate) fn getmetadata<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    let (mut r, _) = sp(i)?;
    let mut opts = Vec::new();
    if r.first() == Some(&b'(') {
        let depth = |r: &'a [u8]| -> PResult<'a, MetadataOption<'a>> {
            // scope-opt = "DEPTH" SP ("0" / "1" / "infinity")
            let (r2, d) = match r {
                [b'0', rest @ ..] => (rest, MetadataDepth::Zero),
                [b'1', rest @ ..] => (rest, MetadataDepth::One),
                _ if peek_kw(r, "infinity") => {
                    (r.get(8..).unwrap_or_default(), MetadataDepth::Infinity)
                }
                _ => return fail(r, "DEPTH"),
            };
            Ok((r2, MetadataOption::Depth(d)))
        };
        let known = |l: &[u8], r: &'a [u8]| match l {
            b"MAXSIZE" => Some(after_sp(r, number).map(|(r, n)| (r, MetadataOption::MaxSize(n)))),
            b"DEPTH" => Some(after_sp(r, depth)),
            _ => None,
        };
        let (r2, o) = options(
            c,
            r,
            "getmetadata-options",
            false,
            known,
            MetadataOption::Other,
        )?;
        opts = o;
        r = sp(r2)?.0;
    }
    let (r, mailbox) = mailbox(c, r)?;
    let (r, _) = sp(r)?;
    let (r, entries) = if r.first() == Some(&b'(') {
        let (r, v) = paren_list(c, r, "entries", false, |x| astring(c, x))?;
        (r, OneOrList::List(Vec1(v)))
    } else {
        let (r, e) = astring(c, r)?;
        (r, OneOrList::One(e))
    };
    Ok((
        r,
        CommandBody::GetMetadata {
            options: opts,
            mailbox,
            entries,
        },
    ))
}

/// `entry-values = "(" entry-value *(SP entry-value) ")"`; `entry-value = entry SP value`;
/// `value = nstring / literal8` (RFC 5464 §5).
pub(crate) fn entry_values<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, Vec1<(AString<'a>, MetadataValue<'a>)>> {
    let (r, v) = paren_list(c, i, "entry-values", false, |x| {
        let (r, entry) = astring(c, x)?;
        let (r, _) = sp(r)?;
        let (r, value) = if r.first() == Some(&b'~') {
            literal8(r).map(|(r, l)| (r, MetadataValue::Binary(l)))?
        } else {
            nstring(c, r).map(|(r, s)| (r, MetadataValue::String(s)))?
        };
        Ok((r, (entry, value)))
    })?;
    Ok((r, Vec1(v)))
}

/// `id_params_list ::= "(" #(string SPACE nstring) ")" / nil` (RFC 2971 §4).
pub(crate) fn id_params_list<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    if let Ok((r, ())) = nil(i) {
        return Ok((r, CommandBody::Id { parameters: None }));
    }
    let (r, v) = paren_list(c, i, "id_params_list", true, |x| {
        let (r, k) = string(c, x)?;
        let (r, _) = sp(r)?;
        let (r, v) = nstring(c, r)?;
        Ok((r, (k, v)))
    })?;
    Ok((
        r,
        CommandBody::Id {
            parameters: Some(v),
        },
    ))
}

/// `1*(SP capability)` of ENABLE (RFC 5161 §4).
pub(crate) fn enable<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, CommandBody<'a>> {
    let mut r = i;
    if r.first() != Some(&b' ') {
        return fail(r, "SP");
    }
    // At least one capability follows: allocated up front (issue 9, as in `paren_list`).
    let mut v = Vec::with_capacity(4);
    while let Some((b' ', rest)) = r.split_first() {
        if v.len() >= c.limits.max_items {
            return fatal(rest, ErrKind::TooMany("capability", c.limits.max_items));
        }
        let (r2, a) = atom(rest)?;
        v.push(a);
        r = r2;
    }
    if v.is_empty() {
        return fail(r, "SP");
    }
    Ok((
        r,
        CommandBody::Enable {
            capabilities: Vec1(v),
        },
    ))
}

/// `search-modseq-ext = SP entry-name SP entry-type-req` and the value after it (RFC 7162
/// §7), after `MODSEQ SP`.
pub(crate) fn search_modsequence<'a>(
    c: &Config,
    i: &'a [u8],
) -> PResult<'a, (Option<ModSeqEntry<'a>>, Option<crate::types::core::ModSeq>)> {
    let (r, entry) = if i.first() == Some(&b'"') {
        let (r, name) = quoted(c, i)?;
        let (r, _) = sp(r)?;
        let (r, t) = atom(r)?;
        let kind = match t.as_str().to_ascii_lowercase().as_str() {
            "priv" => EntryType::Private,
            "shared" => EntryType::Shared,
            "all" => EntryType::All,
            _ => return fail(r, "entry-type-req"),
        };
        let (r, _) = sp(r)?;
        (r, Some(ModSeqEntry { name, kind }))
    } else {
        (i, None)
    };
    let (r, m) = mod_sequence_valzer(r)?;
    Ok((r, (entry, m)))
}
