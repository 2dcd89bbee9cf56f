//! Response rules of RFC 3501 §9 (`response` and everything under it but `body`).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use super::body::{boxed_body, envelope, nstr};
use super::command::{section, upper};
use super::core::{
    FlagCtx, astring, atom, base64_text, byte, crlf, crlf_end, date_time, flag_list, mailbox,
    mod_sequence_value, mod_sequence_valzer, nil, number, number_q, number64, number64_q,
    nz_number, paren_list, raw_value, sequence_set, sp, sp_items, space_before_paren, tag_, text,
    word,
};
use super::resp_ext::{
    append_uid, copy_uid, delimiter, enabled, esearch, gm_labels, id_response, mbox_list_extended,
    metadata, metadata_code, namespace_response, nstring8, number_u64, quota, quota_root,
    search_sort_mod_seq, section_binary, thread_data, vanished,
};
use super::{ErrKind, PResult, fail, fatal, quirk, refail};
use crate::Quirk;
use crate::config::Config;
use crate::types::command::{MsgText, Section};
use crate::types::core::{
    AString, Atom, AtomExt, Number64, Text, Vec1, is_astring_char, is_atom_char, is_text_char,
};
use crate::types::datetime::{Date, DateTime};
use crate::types::flag::{Flag, NameAttribute};
use crate::types::response::{
    Capability, Code, Continue, Data, Greeting, MessageDataItem, Response, StatusItem, StatusKind,
    StatusResponse, UNIT_CODES,
};

/// `response = continue-req / response-data / response-done` (one of them).
pub(crate) fn response<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Response<'a>> {
    match i.first() {
        Some(b'+') => continue_req(c, i).map(|(r, x)| (r, Response::Continue(x))),
        Some(b'*') => {
            let (r, _) = byte(i, b'*', "*")?;
            let (r, _) = sp(r)?;
            untagged(c, r)
        }
        _ => {
            let (r, tag) = tag_(i)?;
            let (start, _) = sp(r)?;
            let (r, w) = word(start)?;
            let (b, n) = upper(w);
            let kind = match b.get(..n).unwrap_or_default() {
                b"OK" => StatusKind::Ok,
                b"NO" => StatusKind::No,
                b"BAD" => StatusKind::Bad,
                _ => return fail(start, "OK / NO / BAD"),
            };
            let (r, (code, text)) = resp_text_after_cond(c, r)?;
            let (r, _) = crlf(r)?;
            Ok((
                r,
                Response::Status(StatusResponse {
                    tag: Some(tag),
                    kind,
                    code,
                    text,
                }),
            ))
        }
    }
}

/// `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF`.
pub(crate) fn greeting<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Greeting<'a>> {
    let (r, _) = byte(i, b'*', "greeting")?;
    let (start, _) = sp(r)?;
    let (r, w) = word(start)?;
    let (b, n) = upper(w);
    let kind = match b.get(..n).unwrap_or_default() {
        b"OK" => StatusKind::Ok,
        b"PREAUTH" => StatusKind::PreAuth,
        b"BYE" => StatusKind::Bye,
        _ => return fail(start, "OK / PREAUTH / BYE"),
    };
    let (r, (code, text)) = resp_text_after_cond(c, r)?;
    let (r, _) = crlf(r)?;
    Ok((r, Greeting { kind, code, text }))
}

/// `SP resp-text` after a condition, with the empty-text quirk.
fn resp_text_after_cond<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, (Option<Code<'a>>, Text<'a>)> {
    match i.split_first() {
        Some((b' ', rest)) if !rest.starts_with(b"\r\n") => resp_text(c, rest),
        _ => {
            quirk(c, i, Quirk::EmptyText)?;
            let r = if i.first() == Some(&b' ') {
                i.get(1..).unwrap_or_default()
            } else {
                i
            };
            Ok((r, (None, Text::empty())))
        }
    }
}

/// `resp-text = ["[" resp-text-code "]" SP] text`.
pub(crate) fn resp_text<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, (Option<Code<'a>>, Text<'a>)> {
    if i.first() != Some(&b'[') {
        let (r, t) = text(c, i)?;
        return Ok((r, (None, t)));
    }
    let (r, code) = resp_text_code(c, i.get(1..).unwrap_or_default())?;
    let (r, _) = byte(r, b']', "]")?;
    match r.split_first() {
        Some((b' ', rest)) if !rest.starts_with(b"\r\n") => {
            let (r, t) = text(c, rest)?;
            Ok((r, (Some(code), t)))
        }
        Some((b' ', rest)) => {
            quirk(c, r, Quirk::EmptyText)?;
            Ok((rest, (Some(code), Text::empty())))
        }
        Some((b'\r', _)) => {
            quirk(c, r, Quirk::EmptyText)?;
            Ok((r, (Some(code), Text::empty())))
        }
        _ => {
            quirk(c, r, Quirk::MissingSpaceAfterCode)?;
            let (r, t) = text(c, r)?;
            Ok((r, (Some(code), t)))
        }
    }
}

/// `resp-text-code`: a known code in its grammar's form, else (RFC 3501 §9's last
/// alternative, which every code also matches) `atom [SP 1*<any TEXT-CHAR except "]">]`.
fn resp_text_code<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Code<'a>> {
    let (r, name) = atom(i).or_else(|e| refail(e, i, "resp-text-code"))?;
    match known_code(c, r, name.as_str().as_bytes()) {
        Ok((rest, Some(code))) if rest.first() == Some(&b']') => return Ok((rest, code)),
        Err(e @ (nom::Err::Failure(_) | nom::Err::Incomplete(_))) => return Err(e),
        _ => {}
    }
    // atom [SP 1*<any TEXT-CHAR except "]">]
    let (r, text) = match r.split_first() {
        Some((b' ', rest)) => {
            let k = rest
                .iter()
                .take_while(|&&b| is_text_char(b) && b != b']')
                .count();
            if k == 0 {
                return fail(rest, "resp-text-code");
            }
            let (t, r) = rest.split_at_checked(k).unwrap_or((rest, &[]));
            (
                r,
                Some(Cow::Borrowed(core::str::from_utf8(t).unwrap_or_default())),
            )
        }
        _ => (r, None),
    };
    Ok((r, Code::Other { name, text }))
}

/// The arguments of the code named `name` when this crate knows it (`None` otherwise).
fn known_code<'a>(c: &Config, r: &'a [u8], name: &[u8]) -> PResult<'a, Option<Code<'a>>> {
    let (b, n) = upper(name);
    let up = b.get(..n).unwrap_or_default();
    Ok(match up {
        b"APPENDUID" => {
            let (r, (uid_validity, uids)) = append_uid(r)?;
            (r, Code::AppendUid { uid_validity, uids })
        }
        b"COPYUID" => {
            let (r, (uid_validity, source, destination)) = copy_uid(r)?;
            (
                r,
                Code::CopyUid {
                    uid_validity,
                    source,
                    destination,
                },
            )
        }
        b"HIGHESTMODSEQ" => {
            let (r, _) = sp(r)?;
            let (r, m) = mod_sequence_value(r)?;
            (r, Code::HighestModSeq(m))
        }
        b"MODIFIED" => {
            let (r, _) = sp(r)?;
            let (r, s) = sequence_set(r)?;
            (r, Code::Modified(s))
        }
        b"METADATA" => {
            let (r, m) = metadata_code(r)?;
            (r, Code::Metadata(m))
        }
        b"BADCHARSET" => {
            if r.starts_with(b" (") {
                let (r, v) = paren_list(
                    c,
                    r.get(1..).unwrap_or_default(),
                    "badcharset",
                    false,
                    |x| astring(c, x),
                )?;
                (r, Code::BadCharset(v))
            } else {
                (r, Code::BadCharset(Vec::new()))
            }
        }
        b"CAPABILITY" => {
            let (r, caps) = capabilities(c, r)?;
            (r, Code::Capability(caps))
        }
        b"PERMANENTFLAGS" => {
            let (r, _) = sp(r)?;
            let (r, f) = flag_list(c, r, FlagCtx::Perm)?;
            (r, Code::PermanentFlags(f))
        }
        b"UIDNEXT" | b"UIDVALIDITY" | b"UNSEEN" => {
            let (r, _) = sp(r)?;
            let (r, v) = nz_number(r)?;
            let code = match n {
                7 => Code::UidNext(v),
                11 => Code::UidValidity(v),
                _ => Code::Unseen(v),
            };
            (r, code)
        }
        _ => {
            let unit = UNIT_CODES.iter().find(|(n, _)| n.as_bytes() == up);
            return Ok((r, unit.map(|(_, code)| code.clone())));
        }
    })
    .map(|(r, code)| (r, Some(code)))
}

/// `*(SP capability)`, at least one (`capability-data`).
fn capabilities<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec1<Capability<'a>>> {
    let mut v = Vec::new();
    let (r, _) = sp_items(c, i, "capability", &mut v, |x| {
        atom(x).map(|(r, a)| (r, Capability::new(a)))
    })?;
    if v.is_empty() {
        return fail(i, "capability");
    }
    Ok((r, Vec1(v)))
}

/// `continue-req = "+" SP (resp-text / base64) CRLF`.
fn continue_req<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Continue<'a>> {
    let (r, _) = byte(i, b'+', "+")?;
    let r = match r.split_first() {
        Some((b' ', rest)) => rest,
        _ => {
            quirk(c, r, Quirk::ContinuationWithoutSpace)?;
            r
        }
    };
    let end = memchr::memchr(b'\r', r).unwrap_or(r.len());
    let line = r.get(..end).unwrap_or_default();
    if let Some(data) = base64_text(line) {
        let rest = r.get(end..).unwrap_or_default();
        let (rest, _) = crlf(rest)?;
        return Ok((rest, Continue::Base64(Cow::Owned(data))));
    }
    let (r, (code, text)) = resp_text(c, r)?;
    let (r, _) = crlf(r)?;
    Ok((r, Continue::Basic { code, text }))
}

/// Untagged responses after `"*" SP`.
fn untagged<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Response<'a>> {
    if i.first().is_some_and(u8::is_ascii_digit) {
        let (r, n) = number(i)?;
        let (r, _) = sp(r)?;
        let (r2, w) = word(r)?;
        let (b, k) = upper(w);
        let data = match b.get(..k).unwrap_or_default() {
            b"EXISTS" => (r2, Data::Exists(n)),
            b"RECENT" => (r2, Data::Recent(n)),
            b"EXPUNGE" | b"FETCH" => {
                let Some(seq) = core::num::NonZeroU32::new(n) else {
                    return fail(i, "nz-number");
                };
                if k == 7 {
                    (r2, Data::Expunge(seq))
                } else {
                    let (r3, _) = sp(r2)?;
                    let (r3, items) = msg_atts(c, r3)?;
                    (
                        r3,
                        Data::Fetch {
                            seq,
                            items: Vec1(items),
                        },
                    )
                }
            }
            _ => {
                // Any other numbered data (`* 5 XAPPLEPUSH ...`), kept raw.
                let (r, (name, rest)) = other_data(r)?;
                return Ok((
                    r,
                    Response::Data(Data::NumberedOther {
                        number: n,
                        name,
                        rest,
                    }),
                ));
            }
        };
        let (r, _) = crlf_end(c, data.0)?;
        return Ok((r, Response::Data(data.1)));
    }
    let (r, w) = word(i)?;
    let (b, k) = upper(w);
    let up = b.get(..k).unwrap_or_default();
    let kind = match up {
        b"OK" => Some(StatusKind::Ok),
        b"NO" => Some(StatusKind::No),
        b"BAD" => Some(StatusKind::Bad),
        b"PREAUTH" => Some(StatusKind::PreAuth),
        b"BYE" => Some(StatusKind::Bye),
        _ => None,
    };
    if let Some(kind) = kind {
        let (r, (code, text)) = resp_text_after_cond(c, r)?;
        let (r, _) = crlf(r)?;
        return Ok((
            r,
            Response::Status(StatusResponse {
                tag: None,
                kind,
                code,
                text,
            }),
        ));
    }
    let (r, data) = match up {
        b"CAPABILITY" => {
            let (r, caps) = capabilities(c, r)?;
            (r, Data::Capability(caps))
        }
        b"LIST" | b"LSUB" => {
            let (r, _) = sp(r)?;
            let (r, attributes) = paren_list(c, r, "mbx-list-flags", true, name_attribute)?;
            let (r, _) = sp(r)?;
            let (r, delimiter) = delimiter(c, r)?;
            let (r, _) = sp(r)?;
            let (r, mailbox) = mailbox(c, r)?;
            if up == b"LIST" {
                // [SP mbox-list-extended] (RFC 5258 §9)
                let (r, extended) = match r.strip_prefix(b" ") {
                    Some(x) if x.first() == Some(&b'(') => {
                        let (r, v) = mbox_list_extended(c, x)?;
                        (r, Some(v))
                    }
                    _ => (r, None),
                };
                (
                    r,
                    Data::List {
                        attributes,
                        delimiter,
                        mailbox,
                        extended,
                    },
                )
            } else {
                (
                    r,
                    Data::Lsub {
                        attributes,
                        delimiter,
                        mailbox,
                    },
                )
            }
        }
        b"STATUS" => {
            let (r, _) = sp(r)?;
            let (r, mailbox) = mailbox(c, r)?;
            let (r, _) = sp(r)?;
            let (r, items) = paren_list(c, r, "status-att-list", true, |x| status_att_val(c, x))?;
            (r, Data::Status { mailbox, items })
        }
        b"SEARCH" | b"SORT" => {
            let (r, v) = search_numbers(c, r)?;
            let (r, modseq) = if v.is_empty() {
                (r, None)
            } else {
                search_sort_mod_seq(r)?
            };
            let search = up == b"SEARCH";
            let data = match (modseq, Vec1::try_from(v)) {
                (Some(modseq), Ok(ids)) if search => Data::SearchModSeq { ids, modseq },
                (Some(modseq), Ok(ids)) => Data::SortModSeq { ids, modseq },
                (_, ids) => {
                    let ids = ids.map(Vec1::into_inner).unwrap_or_default();
                    if search {
                        Data::Search(ids)
                    } else {
                        Data::Sort(ids)
                    }
                }
            };
            (r, data)
        }
        b"THREAD" => thread_data(c, r).map(|(r, v)| (r, Data::Thread(v)))?,
        b"ESEARCH" => esearch(c, r).map(|(r, e)| (r, Data::Esearch(e)))?,
        b"ENABLED" => enabled(c, r).map(|(r, v)| (r, Data::Enabled(v)))?,
        b"ID" => id_response(c, r).map(|(r, v)| (r, Data::Id(v)))?,
        b"NAMESPACE" => {
            let (r, [personal, other, shared]) = namespace_response(c, r)?;
            (
                r,
                Data::Namespace {
                    personal,
                    other,
                    shared,
                },
            )
        }
        b"VANISHED" => {
            let (r, (earlier, uids)) = vanished(r)?;
            (r, Data::Vanished { earlier, uids })
        }
        b"QUOTA" => {
            let (r, (root, resources)) = quota(c, r)?;
            (r, Data::Quota { root, resources })
        }
        b"QUOTAROOT" => {
            let (r, (mailbox, roots)) = quota_root(c, r)?;
            (r, Data::QuotaRoot { mailbox, roots })
        }
        b"METADATA" => {
            let (r, (mailbox, entries)) = metadata(c, r)?;
            (r, Data::Metadata { mailbox, entries })
        }
        b"FLAGS" => {
            let (r, _) = sp(r)?;
            let (r, f) = flag_list(c, r, FlagCtx::Flag)?;
            (r, Data::Flags(f))
        }
        _ => {
            let (r, (name, rest)) = other_data(i)?;
            return Ok((r, Response::Data(Data::Other { name, rest })));
        }
    };
    let (r, _) = crlf_end(c, r)?;
    Ok((r, Response::Data(data)))
}

/// `*(SP nz-number)` of SEARCH and SORT: `sp_items` with `nz_number`, its limit and
/// stopping rule (a space not followed by an nz-number is left to the caller).
///
/// Issue 9: the vector is allocated once for as many numbers as the line has spaces (a
/// SEARCH of 200 results grew it seven times), and each number is read in the loop.
fn search_numbers<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<core::num::NonZeroU32>> {
    let line = memchr::memchr(b'\r', i).map_or(i, |k| i.get(..k).unwrap_or_default());
    let spaces = count_spaces(line);
    let mut v = Vec::with_capacity(spaces.min(c.limits.max_items));
    let mut r = i;
    while let Some((b' ', rest)) = r.split_first() {
        let (r2, n) = match short_nz_number(rest) {
            Some(x) => x,
            None => match nz_number(rest) {
                Ok(x) => x,
                Err(_) => break,
            },
        };
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("search", c.limits.max_items));
        }
        v.push(n);
        r = r2;
    }
    Ok((r, v))
}

/// The number of spaces in `line`, eight octets at a time.
///
/// Issue 9: `filter(..).count()` over the octets was ≈4 instructions an octet (a
/// 2 000-octet SEARCH line); here a word costs about ten: its octets that are spaces become
/// zero, each non-zero octet sets its high bit (`(x & 0x7F) + 0x7F` carries into it for
/// any low bits, `| x` for the high one, and no carry leaves an octet), and a multiply sums
/// those bits.
fn count_spaces(line: &[u8]) -> usize {
    const LOW7: u64 = u64::from_le_bytes([0x7f; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    let words = line.chunks_exact(8);
    let tail = words.remainder();
    let mut n = tail.iter().filter(|&&b| b == b' ').count();
    for w in words {
        let x = u64::from_le_bytes(w.try_into().unwrap_or_default()) ^ (ONES * u64::from(b' '));
        let non_zero = (((x & LOW7) + LOW7) | x) & HIGH;
        // One bit per non-zero octet, summed into the top octet by the multiply.
        let count = ((non_zero >> 7).wrapping_mul(ONES) >> 56) as usize;
        n += 8 - count;
    }
    n
}

/// The value of the run of at most `max` digits at the front of `i` (`max <= 18`, so it
/// cannot overflow), and the rest; `None` when there is no digit or a digit follows the
/// `max`th.
///
/// A run of one to seven digits with eight octets at hand is read as one word (issue 9:
/// SEARCH results and UIDs are mostly that long): the digits are found with two word
/// tests and summed with three multiplies, in place of a subtract, compare and
/// multiply-add per digit (a SEARCH result or UID of the bench corpus, call included:
/// ≈85 instructions, now ≈47).
#[inline]
pub(super) fn short_digits(i: &[u8], max: usize) -> Option<(&[u8], u64)> {
    const ZEROS: u64 = u64::from_le_bytes([b'0'; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const OVER_NINE: u64 = u64::from_le_bytes([0x76; 8]);
    if let Some(w) = i.first_chunk::<8>() {
        // Each octet less '0': a digit is 0..=9; below '0' it borrows into its high bit,
        // above '9' adding 0x76 carries into it (exact for the lowest non-digit octet:
        // borrows and carries only run upwards, out of a flagged octet).
        let d = u64::from_le_bytes(*w).wrapping_sub(ZEROS);
        let non_digit = (d | d.wrapping_add(OVER_NINE)) & HIGH;
        let len = (non_digit.trailing_zeros() / 8) as usize;
        if len == 0 {
            return None;
        }
        if len < 8 && len <= max {
            // The digits moved to the top octets (little-endian: the last digit in the
            // highest), zeros below them as leading zeros.
            return Some((i.get(len..)?, eight_digits(d << (64 - 8 * len))));
        }
    }
    let mut n: u64 = 0;
    let mut k = 0;
    for &b in i.iter().take(max) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n * 10 + u64::from(d);
        k += 1;
    }
    let rest = i.get(k..)?;
    if k == 0 || rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((rest, n))
}

/// The value of eight decimal digits, one per octet (0..=9), the first (most significant)
/// in the lowest octet: pairs, then fours, then the eight summed by multiplies.
#[inline]
fn eight_digits(d: u64) -> u64 {
    let v = (d & 0x0f0f_0f0f_0f0f_0f0f).wrapping_mul(10 << 8 | 1) >> 8;
    let v = (v & 0x00ff_00ff_00ff_00ff).wrapping_mul(100 << 16 | 1) >> 16;
    (v & 0x0000_ffff_0000_ffff).wrapping_mul(10_000 << 32 | 1) >> 32
}

/// `number64` of one to eighteen digits (below 10^18, so within `Number64::MAX`); `None`
/// for anything else, which `number64_q` then reads (its quirk and errors included).
/// Issue 9: as [`short_nz_number`], for `RFC822.SIZE`.
#[inline]
pub(super) fn short_number64(i: &[u8]) -> Option<(&[u8], Number64)> {
    let (rest, n) = short_digits(i, 18)?;
    Some((rest, Number64::new(n).ok()?))
}

/// `nz-number` of at most nine digits (which cannot overflow a `u32`), `None` for
/// anything else (a leading `0`, no digit, ten digits or more), which `nz_number` then
/// reads, errors included.
///
/// Issue 9: SEARCH results are runs of UIDs; `nz_number` goes through `number`'s
/// per-digit overflow check and its error mapping (≈170 instructions a result in the
/// bench corpus, whose second SEARCH has 200).
#[inline]
fn short_nz_number(i: &[u8]) -> Option<(&[u8], core::num::NonZeroU32)> {
    // A leading `0` makes the value smaller than its digits say, or zero: refused here.
    if i.first() == Some(&b'0') {
        return None;
    }
    let (rest, n) = short_digits(i, 9)?;
    Some((rest, core::num::NonZeroU32::new(u32::try_from(n).ok()?)?))
}

/// An unknown response's name (an atom at `i`) and everything after it and its space up to
/// the final CRLF, raw.
fn other_data(i: &[u8]) -> PResult<'_, (Atom<'_>, Cow<'_, [u8]>)> {
    let Ok((r, name)) = atom(i) else {
        return fail(i, "response-data");
    };
    let body_len = r.len().saturating_sub(2);
    let (all, rest) = r.split_at_checked(body_len).unwrap_or((r, &[]));
    let raw = match all.split_first() {
        Some((b' ', a)) => a,
        None => all,
        Some(_) => return fail(r, "SP"),
    };
    crlf(rest).map(|(r, _)| (r, (name, Cow::Borrowed(raw))))
}

/// `mbx-list-oflag / mbx-list-sflag` (`"\" atom`).
fn name_attribute(i: &[u8]) -> PResult<'_, NameAttribute<'_>> {
    let (r, _) = byte(i, b'\\', "mbx-list-flag")?;
    let (r, a) = atom(r)?;
    Ok((
        r,
        NameAttribute::from_name(a.as_str()).unwrap_or(NameAttribute::Extension(a)),
    ))
}

/// `status-att-val` (RFC 3501 §9, RFC 9051 §9, RFC 7162 §7, RFC 7889 §4); any other
/// `status-att SP value` is kept raw.
fn status_att_val<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, StatusItem<'a>> {
    // The name is an atom; only an unknown one becomes an `Atom` value.
    let n = i.iter().take_while(|&&b| is_atom_char(b)).count();
    let (w, r) = i.split_at_checked(n).unwrap_or((i, &[]));
    if n == 0 {
        return fail(i, "status-att");
    }
    let (b, k) = upper(w);
    let (r, _) = sp(r)?;
    use StatusItem as S;
    let number = |f: fn(u32) -> StatusItem<'a>| number_q(c, r).map(|(r, n)| (r, f(n)));
    match b.get(..k).unwrap_or_default() {
        b"MESSAGES" => number(S::Messages),
        b"RECENT" => number(S::Recent),
        b"UIDNEXT" => number(S::UidNext),
        b"UIDVALIDITY" => number(S::UidValidity),
        b"UNSEEN" => number(S::Unseen),
        b"DELETED" => number(S::Deleted),
        b"HIGHESTMODSEQ" => mod_sequence_valzer(r).map(|(r, m)| (r, S::HighestModSeq(m))),
        b"SIZE" => number64(r).map(|(r, n)| (r, S::Size(n))),
        b"APPENDLIMIT" if r.first().is_some_and(u8::is_ascii_digit) => {
            super::core::number(r).map(|(r, n)| (r, S::AppendLimit(Some(n))))
        }
        b"APPENDLIMIT" => nil(r).map(|(r, _)| (r, S::AppendLimit(None))),
        _ => raw_value(c, r, 0).map(|(r, v)| {
            (
                r,
                S::Other {
                    name: Atom(Cow::Borrowed(core::str::from_utf8(w).unwrap_or_default())),
                    value: Cow::Borrowed(v),
                },
            )
        }),
    }
}

/// The `msg-att` names of RFC 3501 §9 (and IMAP4rev2's subset of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttName {
    Flags,
    Envelope,
    InternalDate,
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    Rfc822Size,
    Body,
    BodyStructure,
    Uid,
}

/// A keyword of at most 16 octets for [`kw_eq`]: its octets with letters in lower case,
/// as a little-endian `u128` (zero past its end), and the case bit (0x20) of each letter.
#[derive(Clone, Copy)]
struct Kw {
    word: u128,
    case: u128,
}

/// [`Kw`] of `name` (at compile time: an index out of bounds fails the build, not a parse).
#[allow(clippy::indexing_slicing)]
const fn kw(name: &[u8]) -> Kw {
    let mut word = [0u8; 16];
    let mut case = [0u8; 16];
    let mut k = 0;
    while k < name.len() {
        word[k] = name[k].to_ascii_lowercase();
        if name[k].is_ascii_alphabetic() {
            case[k] = 0x20;
        }
        k += 1;
    }
    Kw {
        word: u128::from_le_bytes(word),
        case: u128::from_le_bytes(case),
    }
}

/// The first `n` octets of `i` (`n <= 16`) as a little-endian `u128`, zero past them.
#[inline]
fn load16(i: &[u8], n: usize) -> Option<u128> {
    let w = match i.first_chunk::<16>() {
        Some(c) => u128::from_le_bytes(*c),
        None => {
            let mut b = [0u8; 16];
            b.get_mut(..n)?.copy_from_slice(i.get(..n)?);
            u128::from_le_bytes(b)
        }
    };
    match n {
        16 => Some(w),
        0..16 => Some(w & ((1u128 << (8 * n)) - 1)),
        _ => None,
    }
}

/// Whether the first `n` octets of `i` are the keyword `k`, letters in any case.
///
/// Issue 9: one load and one compare of up to 16 octets, where `eq_ignore_ascii_case`
/// folds and compares octet by octet (≈140 instructions a `msg-att` name). Exact for any
/// input: a letter position compares `octet | 0x20` with the lower-case letter, which only
/// its two cases give; every other position compares the octet itself; octets past `n`
/// are zero on both sides, and no keyword octet is zero, so the lengths must agree too.
#[inline]
fn kw_eq(i: &[u8], n: usize, k: Kw) -> bool {
    load16(i, n).is_some_and(|w| (w | k.case) == k.word)
}

/// The RFC 3501 `msg-att` whose name is the first `n` octets of `i` (any case), `None`
/// for any other name.
///
/// Issue 9: chosen by the name's length, then compared with [`kw_eq`].
fn att_name(i: &[u8], n: usize) -> Option<AttName> {
    use AttName as A;
    const UID: Kw = kw(b"UID");
    const BODY: Kw = kw(b"BODY");
    const FLAGS: Kw = kw(b"FLAGS");
    const RFC822: Kw = kw(b"RFC822");
    const ENVELOPE: Kw = kw(b"ENVELOPE");
    const RFC822_SIZE: Kw = kw(b"RFC822.SIZE");
    const RFC822_TEXT: Kw = kw(b"RFC822.TEXT");
    const INTERNALDATE: Kw = kw(b"INTERNALDATE");
    const BODYSTRUCTURE: Kw = kw(b"BODYSTRUCTURE");
    const RFC822_HEADER: Kw = kw(b"RFC822.HEADER");
    let candidates: &[(Kw, AttName)] = match n {
        3 => &[(UID, A::Uid)],
        4 => &[(BODY, A::Body)],
        5 => &[(FLAGS, A::Flags)],
        6 => &[(RFC822, A::Rfc822)],
        8 => &[(ENVELOPE, A::Envelope)],
        11 => &[(RFC822_SIZE, A::Rfc822Size), (RFC822_TEXT, A::Rfc822Text)],
        12 => &[(INTERNALDATE, A::InternalDate)],
        13 => &[
            (BODYSTRUCTURE, A::BodyStructure),
            (RFC822_HEADER, A::Rfc822Header),
        ],
        _ => return None,
    };
    let w = load16(i, n)?;
    candidates
        .iter()
        .find(|(k, _)| (w | k.case) == k.word)
        .map(|&(_, a)| a)
}

/// `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic /
/// msg-att-static)) ")"`: `paren_list`'s rule (limit, space-before-paren quirk, errors),
/// with each item parsed straight into the vector.
///
/// Issue 9: a `MessageDataItem` is 400 octets (a BODYSTRUCTURE is held inline), and
/// returning each one through `paren_list`'s closure and `Result`s copied it two or three
/// times (`memcpy` was 7 % of the response benchmark); `msg_att` now pushes it itself.
fn msg_atts<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, Vec<MessageDataItem<'a>>> {
    let (mut r, _) = byte(i, b'(', "msg-att")?;
    if r.first() == Some(&b')') {
        return fail(r, "msg-att");
    }
    // Issue 9: room for eight items from the start (768 octets), so that a mail client's
    // message-list FETCH (UID, FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE)
    // is not reallocated on its fifth item: growing from four cost ≈500 instructions a
    // response. Affordable since the envelope and body structures are boxed (an item is
    // 96 octets, was 408).
    let mut v = Vec::with_capacity(8);
    loop {
        if v.len() >= c.limits.max_items {
            return fatal(r, ErrKind::TooMany("msg-att", c.limits.max_items));
        }
        let (r2, ()) = msg_att(c, r, &mut v)?;
        let (r2, _) = space_before_paren(c, r2)?;
        match r2.split_first() {
            Some((b')', rest)) => return Ok((rest, v)),
            Some((b' ', rest)) => r = rest,
            _ => return fail(r2, "msg-att"),
        }
    }
}

/// `msg-att-dynamic / msg-att-static`, pushed onto `v`.
fn msg_att<'a>(c: &Config, i: &'a [u8], v: &mut Vec<MessageDataItem<'a>>) -> PResult<'a, ()> {
    let (r, w) = word(i).or_else(|e| refail(e, i, "msg-att"))?;
    use MessageDataItem as M;
    let mut push = |(r, item): (&'a [u8], M<'a>)| {
        v.push(item);
        Ok((r, ()))
    };
    let name = match att_name(i, w.len()) {
        Some(AttName::Body) if r.first() == Some(&b'[') => return push(body_section(c, r)?),
        // Another RFC 3501 name followed by `[`: an extension item, kept raw.
        Some(_) if r.first() == Some(&b'[') => return push(raw_msg_att(c, i)?),
        Some(name) => name,
        None => {
            // An extension item in its grammar's form, else kept raw.
            let (b, k) = upper(w);
            return match ext_msg_att(c, b.get(..k).unwrap_or_default(), r) {
                Ok((r, Some(item))) => push((r, item)),
                Err(e @ (nom::Err::Failure(_) | nom::Err::Incomplete(_))) => Err(e),
                _ => push(raw_msg_att(c, i)?),
            };
        }
    };
    let (r, _) = sp(r)?;
    // Each arm pushes its value where it is made (see `msg_atts`).
    let r = match name {
        AttName::Flags => {
            let (r, f) = match system_flags(c, r) {
                Some(x) => x,
                None => flag_list(c, r, FlagCtx::Fetch)?,
            };
            v.push(M::Flags(f));
            r
        }
        AttName::Envelope => {
            let (r, e) = envelope(c, r)?;
            v.push(M::Envelope(Box::new(e)));
            r
        }
        AttName::InternalDate => {
            let (r, d) = internal_date(r)?;
            v.push(M::InternalDate(d));
            r
        }
        AttName::Rfc822 | AttName::Rfc822Header | AttName::Rfc822Text => {
            let (r, s) = nstr(c, r)?;
            v.push(match name {
                AttName::Rfc822 => M::Rfc822(s),
                AttName::Rfc822Header => M::Rfc822Header(s),
                _ => M::Rfc822Text(s),
            });
            r
        }
        AttName::Rfc822Size => {
            let (r, n) = match short_number64(r) {
                Some(x) => x,
                None => number64_q(c, r)?,
            };
            v.push(M::Rfc822Size(n));
            r
        }
        AttName::Body | AttName::BodyStructure => {
            let (r, b) = boxed_body(c, r, 0)?;
            v.push(if name == AttName::Body {
                M::Body(b)
            } else {
                M::BodyStructure(b)
            });
            r
        }
        AttName::Uid => {
            let (r, n) = match short_nz_number(r) {
                Some(x) => x,
                None => nz_number(r)?,
            };
            v.push(M::Uid(n));
            r
        }
    };
    Ok((r, ()))
}

/// The `FLAGS` list of a FETCH when it holds only system flags (`\\Seen`, any case),
/// single spaces apart: `None` for anything else (a keyword, `\\*`, an extension flag, a
/// quirk), which `flag_list` then reads, errors and limits included.
///
/// Issue 9: nearly every FETCH carries one (52 of the bench corpus's 95 responses); the
/// general rule went through `paren_list`'s closure, `atom`'s `&str` (a `from_utf8` per
/// flag) and six case-insensitive comparisons, ≈375 instructions a list. Here a name is
/// found by its length and one [`kw_eq`].
fn system_flags<'a>(c: &Config, i: &'a [u8]) -> Option<(&'a [u8], Vec<Flag<'a>>)> {
    const ANSWERED: Kw = kw(b"Answered");
    const FLAGGED: Kw = kw(b"Flagged");
    const DELETED: Kw = kw(b"Deleted");
    const SEEN: Kw = kw(b"Seen");
    const DRAFT: Kw = kw(b"Draft");
    const RECENT: Kw = kw(b"Recent");
    let mut r = i.strip_prefix(b"(")?;
    if let Some(rest) = r.strip_prefix(b")") {
        return Some((rest, Vec::new()));
    }
    // `paren_list`'s first size.
    let mut v = Vec::with_capacity(4);
    loop {
        let name = r.strip_prefix(b"\\")?;
        let n = name
            .iter()
            .position(|&b| b == b']' || !is_astring_octet(b))
            .unwrap_or(name.len());
        let flag = match n {
            4 if kw_eq(name, n, SEEN) => Flag::Seen,
            5 if kw_eq(name, n, DRAFT) => Flag::Draft,
            6 if kw_eq(name, n, RECENT) => Flag::Recent,
            7 if kw_eq(name, n, FLAGGED) => Flag::Flagged,
            7 if kw_eq(name, n, DELETED) => Flag::Deleted,
            8 if kw_eq(name, n, ANSWERED) => Flag::Answered,
            _ => return None,
        };
        if v.len() >= c.limits.max_items {
            return None;
        }
        v.push(flag);
        match name.get(n..)?.split_first() {
            Some((b')', rest)) => return Some((rest, v)),
            Some((b' ', rest)) => r = rest,
            _ => return None,
        }
    }
}

/// An extension `msg-att` this crate does not model: its name and value as sent.
fn raw_msg_att<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, MessageDataItem<'a>> {
    let (r, name) = super::core::raw_token(i).or_else(|e| refail(e, i, "msg-att"))?;
    let (r, _) = sp(r)?;
    let (r, value) = super::core::raw_value(c, r, 0)?;
    Ok((
        r,
        MessageDataItem::Other {
            name: Cow::Borrowed(name),
            value: Cow::Borrowed(value),
        },
    ))
}

/// `"BODY" section ["<" number ">"] SP nstring` after `BODY` (`i` at the `[`).
fn body_section<'a>(c: &Config, i: &'a [u8]) -> PResult<'a, MessageDataItem<'a>> {
    let (r, section) = match header_fields_section(c, i) {
        Some(x) => x,
        None => section(c, i)?,
    };
    let (r, origin) = if r.first() == Some(&b'<') {
        let (r, o) = number(r.get(1..).unwrap_or_default())?;
        let (r, _) = byte(r, b'>', ">")?;
        (r, Some(o))
    } else {
        (r, None)
    };
    let (r, _) = sp(r)?;
    let (r, data) = nstr(c, r)?;
    Ok((
        r,
        MessageDataItem::BodySection {
            section,
            origin,
            data,
        },
    ))
}

/// `"[HEADER.FIELDS" [".NOT"] SP header-list "]"` when every `header-fld-name` is in its
/// bare astring form (`1*ASTRING-CHAR`), single spaces apart: the form every server sends
/// for a client's header fetch. `None` for anything else, which the general `section`
/// rule then reads (and refuses or accepts exactly as before, limits and quirks included).
///
/// Issue 9: the general rule read each name with `astring`, one UTF-8 check per name, and
/// grew the vector as it went (three allocations for the 14 names Thunderbird asks for).
/// Here the list is checked and its names counted in one pass (an octet-class bit test
/// each; a space must follow a name), the names are cut from one `&str` of the whole list
/// in a second pass over its octets, and the vector is allocated once at its size. (The
/// version before this one cut them with `str::split`, whose searcher set-up per name,
/// with `contains("  ")` for empty names, cost more than the rest of the FETCH line: ≈4 700
/// instructions a response.)
fn header_fields_section<'a>(c: &Config, i: &'a [u8]) -> Option<(&'a [u8], Section<'a>)> {
    const FIELDS: Kw = kw(b"[HEADER.FIELDS");
    const NOT: Kw = kw(b".NOT");
    if !kw_eq(i, 14, FIELDS) {
        return None;
    }
    let r = i.get(14..)?;
    let (not, r) = if kw_eq(r, 4, NOT) {
        (true, r.get(4..)?)
    } else {
        (false, r)
    };
    let list = r.strip_prefix(b" (")?;
    // The names and their separating spaces, up to the first other octet (the `)`): eight
    // octets at a time, then one at a time.
    let mut len = 0;
    while let Some(w) = list.get(len..).and_then(<[u8]>::first_chunk::<8>) {
        if not_astring_or_space(u64::from_le_bytes(*w)) != 0 {
            break;
        }
        len += 8;
    }
    len += list
        .get(len..)?
        .iter()
        .position(|&b| b != b' ' && !is_astring_octet(b))
        .unwrap_or(list.len() - len);
    let (names, after) = list.split_at_checked(len)?;
    let after = after.strip_prefix(b")]")?;
    // The general rule enforces the item limit (with its error), so longer lists go there.
    let count = count_spaces(names) + 1;
    if count > c.limits.max_items {
        return None;
    }
    // ASTRING-CHARs are ASCII: this cannot fail, it only makes the `&str`.
    let names = core::str::from_utf8(names).ok()?;
    let field = |n: &'a str| AString::Atom(AtomExt(Cow::Borrowed(n)));
    let mut fields = Vec::with_capacity(count);
    // No empty name: a space at the start, after a space or at the end (or no name at
    // all) leaves it to the general rule.
    let mut start = 0;
    for (k, b) in names.bytes().enumerate() {
        if b == b' ' {
            if k == start {
                return None;
            }
            fields.push(field(names.get(start..k)?));
            start = k + 1;
        }
    }
    if start == names.len() {
        return None;
    }
    fields.push(field(names.get(start..)?));
    Some((
        after,
        Section::Msg(MsgText::HeaderFields {
            not,
            fields: Vec1(fields),
        }),
    ))
}

/// The high bit set in the octets of `w` (eight octets in memory order) that are neither
/// an `ASTRING-CHAR` nor a space: below 0x20, 0x7F and above, and `(`, `)`, `{`, `%`, `*`,
/// `"`, backslash. Exact for the lowest flagged octet (borrows and carries run upwards
/// only, out of a flagged octet), which is all [`header_fields_section`] looks at: any
/// flag ends the word-at-a-time scan.
#[inline]
fn not_astring_or_space(w: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let is = |b: u8| zero(w ^ (ONES * b as u64));
    // Below 0x20: the subtraction borrows into the high bit; 0x7F: the addition carries
    // into it; 0x80 and above: it is set already.
    ((w.wrapping_sub(ONES * 0x20) | w | w.wrapping_add(ONES)) & HIGH)
        | is(b'(')
        | is(b')')
        | is(b'{')
        | is(b'%')
        | is(b'*')
        | is(b'"')
        | is(b'\\')
}

/// The ASTRING-CHARs (all below 0x80) as bits, from [`is_astring_char`] at compile time:
/// octets 0x00-0x3F in the first word, 0x40-0x7F in the second. (The index is below 2
/// for every `u8` below 0x80; were it not, the build would fail, not a parse.)
#[allow(clippy::indexing_slicing)]
const ASTRING_BITS: [u64; 2] = {
    let mut m = [0u64; 2];
    let mut b = 0u8;
    while b < 0x80 {
        if is_astring_char(b) {
            m[(b >> 6) as usize] |= 1 << (b & 63);
        }
        b += 1;
    }
    m
};

/// `ASTRING-CHAR` as one bit test (see [`ASTRING_BITS`]; two `u64` words, as a shift of
/// a `u128` costs several instructions).
#[inline]
fn is_astring_octet(b: u8) -> bool {
    let [lo, hi] = ASTRING_BITS;
    let word = if b < 0x40 { lo } else { hi };
    b < 0x80 && (word >> (b & 63)) & 1 != 0
}

/// `date-time` (RFC 3501 §9) of INTERNALDATE: `"dd-Mon-yyyy hh:mm:ss +zzzz"`.
///
/// Issue 9: the fixed-width form is read at fixed offsets, and the month matched on its
/// three letters folded to lower case (`| 0x20` folds letters only); the general `date_time` rule (kept as the
/// fallback for anything else, a day with a leading space included, and for its errors)
/// tried the months one by one, a UTF-8 conversion each (≈1 100 instructions a date).
fn internal_date(i: &[u8]) -> PResult<'_, DateTime> {
    fast_date_time(i).map_or_else(|| date_time(i), Ok)
}

/// The fixed-width `date-time` when it is valid, else `None`.
fn fast_date_time(i: &[u8]) -> Option<(&[u8], DateTime)> {
    let (d, rest) = i.split_first_chunk::<28>()?;
    let digit = |k: usize| d.get(k).filter(|b| b.is_ascii_digit()).map(|b| b - b'0');
    let two = |k: usize| Some(digit(k)? * 10 + digit(k + 1)?);
    let punct = [
        (0, b'"'),
        (3, b'-'),
        (7, b'-'),
        (12, b' '),
        (15, b':'),
        (18, b':'),
        (21, b' '),
        (27, b'"'),
    ];
    if punct.iter().any(|&(k, b)| d.get(k) != Some(&b)) {
        return None;
    }
    let day = two(1)?;
    let [_, _, _, _, m0, m1, m2, ..] = *d;
    let month = super::core::month_number([m0, m1, m2])?;
    let year = u16::from(two(8)?) * 100 + u16::from(two(10)?);
    let (hour, minute, second) = (two(13)?, two(16)?, two(19)?);
    let sign: i16 = match d.get(22)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (zh, zm) = (two(23)?, two(25)?);
    if zm > 59 {
        return None;
    }
    let zone = (i16::from(zh) * 60 + i16::from(zm)) * sign;
    let date = Date::new(year, month, day).ok()?;
    let dt = DateTime::new(date, hour, minute, second, zone).ok()?;
    Some((rest, dt))
}

/// The extension `msg-att`s this crate models (`r` is after the item's name `up`):
/// `None` for the others.
fn ext_msg_att<'a>(c: &Config, up: &[u8], r: &'a [u8]) -> PResult<'a, Option<MessageDataItem<'a>>> {
    use MessageDataItem as M;
    Ok(match up {
        // fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")" (RFC 7162 §7)
        b"MODSEQ" => {
            let (r, _) = sp(r)?;
            let (r, _) = byte(r, b'(', "(")?;
            let (r, m) = mod_sequence_value(r)?;
            let (r, _) = byte(r, b')', ")")?;
            (r, M::ModSeq(m))
        }
        // "BINARY" section-binary ["<" number ">"] SP (nstring / literal8) (RFC 3516 §4.3)
        b"BINARY" => {
            let (r, section) = section_binary(c, r)?;
            let (r, origin) = match r.split_first() {
                Some((b'<', x)) => {
                    let (x, o) = super::core::number(x)?;
                    let (x, _) = byte(x, b'>', ">")?;
                    (x, Some(o))
                }
                _ => (r, None),
            };
            let (r, _) = sp(r)?;
            let (r, data) = nstring8(c, r)?;
            (
                r,
                M::Binary {
                    section,
                    origin,
                    data,
                },
            )
        }
        // "BINARY.SIZE" section-binary SP number (RFC 3516 §4.3)
        b"BINARY.SIZE" => {
            let (r, section) = section_binary(c, r)?;
            let (r, _) = sp(r)?;
            let (r, size) = super::core::number(r)?;
            (r, M::BinarySize { section, size })
        }
        b"X-GM-MSGID" | b"X-GM-THRID" => {
            let (r, _) = sp(r)?;
            let (r, n) = number_u64(r)?;
            (
                r,
                if up == b"X-GM-MSGID" {
                    M::GmMsgId(n)
                } else {
                    M::GmThrId(n)
                },
            )
        }
        b"X-GM-LABELS" => {
            let (r, _) = sp(r)?;
            let (r, v) = gm_labels(c, r)?;
            (r, M::GmLabels(v))
        }
        _ => return Ok((r, None)),
    })
    .map(|(r, item)| (r, Some(item)))
}

/// The fast paths against the general rules they stand in front of (issue 9): wherever a
/// fast path answers, the general rule gives the same value and the same rest.
#[cfg(test)]
mod fast_path_tests {
    use super::super::command::section;
    use super::super::core::{quoted, string};
    use super::{
        AttName, FlagCtx, att_name, count_spaces, date_time, fast_date_time, flag_list,
        header_fields_section, number64_q, nz_number, search_numbers, short_number64,
        short_nz_number, system_flags,
    };
    use crate::config::Config;
    use crate::types::core::IString;
    use proptest::prelude::*;

    /// The name dispatch before `kw_eq`: octet-by-octet case-insensitive comparisons.
    fn reference_att_name(w: &[u8]) -> Option<AttName> {
        use AttName as A;
        let names: [(&[u8], AttName); 10] = [
            (b"UID", A::Uid),
            (b"BODY", A::Body),
            (b"FLAGS", A::Flags),
            (b"RFC822", A::Rfc822),
            (b"ENVELOPE", A::Envelope),
            (b"RFC822.SIZE", A::Rfc822Size),
            (b"RFC822.TEXT", A::Rfc822Text),
            (b"INTERNALDATE", A::InternalDate),
            (b"BODYSTRUCTURE", A::BodyStructure),
            (b"RFC822.HEADER", A::Rfc822Header),
        ];
        names
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(w))
            .map(|&(_, a)| a)
    }

    /// `search_numbers` before `short_nz_number`: every result read by `nz_number`.
    fn reference_search_numbers<'a>(
        c: &Config,
        i: &'a [u8],
    ) -> super::PResult<'a, Vec<core::num::NonZeroU32>> {
        let mut v = Vec::new();
        let mut r = i;
        while let Some((b' ', rest)) = r.split_first() {
            let Ok((r2, n)) = super::nz_number(rest) else {
                break;
            };
            if v.len() >= c.limits.max_items {
                return super::fatal(r, super::ErrKind::TooMany("search", c.limits.max_items));
            }
            v.push(n);
            r = r2;
        }
        Ok((r, v))
    }

    /// The differential proptests above compare only where a fast path answers; this
    /// pins that each one does answer, and agrees, on the forms the bench corpus and real
    /// servers send (a fast path that always declined would pass them and cost speed).
    #[test]
    fn fast_paths_take_the_usual_forms() {
        let c = Config::default();
        let date = b"\"17-Jul-1996 02:44:25 -0700\" ";
        assert_eq!(fast_date_time(date), date_time(date).ok());
        assert!(fast_date_time(date).is_some());
        let hf = b"[HEADER.FIELDS (From To Cc Subject Date Message-ID)] {12}";
        assert!(header_fields_section(&c, hf).is_some());
        assert_eq!(header_fields_section(&c, hf), section(&c, hf).ok());
        let flags = b"(\\Seen \\Answered \\Flagged) UID 4";
        assert!(system_flags(&c, flags).is_some());
        assert_eq!(
            system_flags(&c, flags).map(Ok),
            Some(flag_list(&c, flags, FlagCtx::Fetch))
        );
        for n in [&b"4827 "[..], b"1)", b"123456789 "] {
            assert!(short_nz_number(n).is_some(), "{n:?}");
            assert_eq!(short_nz_number(n).map(Ok), Some(nz_number(n)));
            assert!(short_number64(n).is_some(), "{n:?}");
            assert_eq!(short_number64(n).map(Ok), Some(number64_q(&c, n)));
        }
    }

    fn configs() -> [Config; 2] {
        [
            Config::default(),
            Config {
                utf8: true,
                ..Config::default()
            },
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn fast_date_time_agrees_with_date_time(
            s in "\"[0-9 ]{2}-(Jan|jUL|Dec|Xyz|[A-Za-z]{3})-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+ -][0-9]{4}\"x?"
        ) {
            if let Some(fast) = fast_date_time(s.as_bytes()) {
                prop_assert_eq!(Some(fast), date_time(s.as_bytes()).ok());
            } else {
                // Only an invalid or space-padded date is left to the general rule.
                prop_assert!(date_time(s.as_bytes()).is_err() || s.as_bytes().get(1) == Some(&b' '));
            }
        }

        #[test]
        fn header_fields_fast_path_agrees_with_section(
            s in "\\[(HEADER|header)\\.FIELDS(\\.NOT|\\.not)? \\([A-Za-z\\-\\] \"{}%]{0,30}\\)\\]x?",
            max in 1usize..6,
        ) {
            let mut c = Config::default();
            c.limits.max_items = max;
            if let Some(fast) = header_fields_section(&c, s.as_bytes()) {
                prop_assert_eq!(Some(fast), section(&c, s.as_bytes()).ok());
            }
        }

        #[test]
        fn att_name_agrees_with_eq_ignore_ascii_case(
            name in "(UID|BODY|FLAGS|RFC822|ENVELOPE|RFC822\\.SIZE|RFC822\\.TEXT|INTERNALDATE|BODYSTRUCTURE|RFC822\\.HEADER|[A-Za-z0-9.\\-\\[ ]{0,18})",
            flips in proptest::collection::vec(any::<bool>(), 20),
            tail in "[A-Za-z0-9 \\[]{0,20}",
        ) {
            // Any case, and followed by anything (the name is the first `n` octets).
            let name: String = name
                .chars()
                .zip(flips.iter().chain(core::iter::repeat(&false)))
                .map(|(ch, &f)| if f { ch.to_ascii_lowercase() } else { ch })
                .collect();
            let input = format!("{name}{tail}");
            prop_assert_eq!(att_name(input.as_bytes(), name.len()), reference_att_name(name.as_bytes()));
        }

        #[test]
        fn system_flags_agree_with_flag_list(
            s in "\\((\\\\(Seen|sEEN|Draft|Recent|Flagged|Deleted|Answered|Seen]|\\*|Junk|X)|\\$Junk|Seen)?( ( |\\\\(Seen|deleted|Answered|answer|\\*)|\\$Fwd)){0,4}( )?\\)[ )]?",
            max in 1usize..4,
            lenient in any::<bool>(),
        ) {
            let mut c = Config::default();
            c.limits.max_items = max;
            if lenient {
                c.quirks = crate::config::Quirks::LENIENT;
            }
            if let Some(fast) = system_flags(&c, s.as_bytes()) {
                prop_assert_eq!(Ok(fast), flag_list(&c, s.as_bytes(), FlagCtx::Fetch));
            }
        }

        #[test]
        fn not_astring_or_space_flags_the_first_other_octet(
            w in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'A'), Just(b']'), Just(0x7f), Just(0x1f), Just(0xff), Just(b'('), any::<u8>()], 8),
        ) {
            let first = w
                .iter()
                .position(|&b| b != b' ' && !super::is_astring_octet(b))
                .map_or(8, |k| k as u32);
            let word = u64::from_le_bytes(w.clone().try_into().unwrap());
            prop_assert_eq!(super::not_astring_or_space(word).trailing_zeros() / 8, first);
        }

        #[test]
        fn count_spaces_counts_every_space(line in proptest::collection::vec(
            prop_oneof![Just(b' '), Just(0u8), Just(0x20 ^ 0x80), Just(0xff), Just(0x21), Just(0x1f), any::<u8>()],
            0..40,
        )) {
            prop_assert_eq!(count_spaces(&line), line.iter().filter(|&&b| b == b' ').count());
        }

        #[test]
        fn short_digits_agree_with_a_digit_loop(
            s in "[0-9]{0,20}[ )x/:\\x00\\x7f\\xff]?[0-9 ]{0,8}",
            max in prop_oneof![Just(9usize), Just(18usize), 1usize..19],
        ) {
            let i = s.as_bytes();
            let k = i.iter().take_while(|b| b.is_ascii_digit()).count();
            let expected = if k == 0 || k > max {
                None
            } else {
                let (digits, rest) = i.split_at(k);
                Some((rest, digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))))
            };
            prop_assert_eq!(super::short_digits(i, max), expected);
        }

        #[test]
        fn short_numbers_agree_with_the_general_rules(s in "-?[0-9]{0,21}[ )x]?[0-9 ]{0,8}") {
            let c = Config::default();
            if let Some(fast) = short_number64(s.as_bytes()) {
                prop_assert_eq!(Ok(fast), number64_q(&c, s.as_bytes()));
            }
            if let Some(fast) = short_nz_number(s.as_bytes()) {
                prop_assert_eq!(Ok(fast), nz_number(s.as_bytes()));
            }
        }

        #[test]
        fn search_numbers_agree_with_nz_number(
            nums in proptest::collection::vec("[0-9]{1,11}|0[0-9]{0,3}|[a-z]", 0..12),
            max in 1usize..20,
        ) {
            let mut line = String::new();
            for n in &nums {
                line.push(' ');
                line.push_str(n);
            }
            line.push_str("\r\n");
            let mut c = Config::default();
            c.limits.max_items = max;
            prop_assert_eq!(
                search_numbers(&c, line.as_bytes()),
                reference_search_numbers(&c, line.as_bytes())
            );
        }

        #[test]
        fn string_agrees_with_quoted(s in proptest::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(b'\r'), Just(0u8), Just(0xc3), Just(0xa9), 0x20u8..0x7f],
            0..24,
        )) {
            let mut i = vec![b'"'];
            i.extend_from_slice(&s);
            for c in configs() {
                let general = quoted(&c, &i).map(|(r, q)| (r, IString::Quoted(q)));
                prop_assert_eq!(string(&c, &i), general);
            }
        }
    }
}
