//! Glue between stored messages and the IMAP views of them (RFC 3501 §6.4.5, §7.4.2):
//! ENVELOPE, BODY/BODYSTRUCTURE and `BODY[section]`, with the MIME parsing done by
//! `mail-parser`. Only the mapping to `imap-proto` types and the section addressing are
//! written here.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_proto::{
    Address, AddressLists, BodyFields, BodyParams, BodyStructure, DispositionExt, Envelope,
    IString, Language, LanguageExt, LocationExt, MsgText, MultiPartExtension, NString, Number64,
    PartText, Section, SinglePart, SinglePartExtension, SpecificFields,
};
use mail_parser::{HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// Deepest MIME nesting described in a BODYSTRUCTURE; deeper parts are shown as
/// `APPLICATION/OCTET-STREAM` (the grammar's decoders limit nesting too).
pub const MAX_DEPTH: usize = 20;

/// Parses a message (CRLF line ends expected). `None` only for input `mail-parser` cannot
/// read at all (then callers fall back to treating the whole text as one part).
#[must_use]
pub fn parse(raw: &[u8]) -> Option<Message<'_>> {
    MessageParser::default().parse(raw)
}

fn nstr(bytes: &[u8]) -> NString<'static> {
    IString::new(bytes.to_vec()).ok()
}

fn istr(bytes: &[u8]) -> IString<'static> {
    // NUL is the only octet no IMAP string can carry (RFC 3501 §4.3 CHAR8); replace it.
    let clean: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == 0 { b' ' } else { b })
        .collect();
    #[allow(clippy::expect_used)]
    IString::new(clean).expect("a string without NUL octets is always a valid IString")
}

/// A header value's raw bytes, unfolded (CRLF before white space removed) and trimmed.
fn unfold(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b == b'\r' || b == b'\n' {
            i += 1;
            continue;
        }
        out.push(b);
        i += 1;
    }
    let start = out
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(out.len());
    let end = out
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    out.get(start..end).map(<[u8]>::to_vec).unwrap_or_default()
}

/// The raw (unfolded) value of the first header field named `name` of a part.
fn raw_header<'m>(msg: &'m Message<'_>, part: &'m MessagePart<'_>, name: &str) -> Option<Vec<u8>> {
    let h = part
        .headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    let raw = msg
        .raw_message
        .get(h.offset_start as usize..h.offset_end as usize)?;
    Some(unfold(raw))
}

fn addresses(part: &MessagePart<'_>, name: &str) -> Vec<Address<'static>> {
    let Some(h) = part
        .headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
    else {
        return Vec::new();
    };
    let HeaderValue::Address(a) = &h.value else {
        return Vec::new();
    };
    let one = |addr: &mail_parser::Addr<'_>| {
        let email = addr.address.as_deref().unwrap_or_default();
        let (mailbox, host) = match email.rsplit_once('@') {
            Some((m, h)) => (m, h),
            None => (email, ""),
        };
        Address {
            name: addr.name.as_deref().map(|n| istr(n.as_bytes())),
            adl: None,
            mailbox: Some(istr(mailbox.as_bytes())),
            host: Some(istr(host.as_bytes())),
        }
    };
    match a {
        mail_parser::Address::List(list) => list.iter().map(one).collect(),
        mail_parser::Address::Group(groups) => {
            let mut out = Vec::new();
            for g in groups {
                match &g.name {
                    Some(gname) => {
                        out.push(Address {
                            name: None,
                            adl: None,
                            mailbox: Some(istr(gname.as_bytes())),
                            host: None,
                        });
                        out.extend(g.addresses.iter().map(one));
                        out.push(Address::default());
                    }
                    None => out.extend(g.addresses.iter().map(one)),
                }
            }
            out
        }
    }
}

/// The ENVELOPE of a message (RFC 3501 §7.4.2): strings as they are in the header
/// (RFC 2047 words left encoded), addresses as `mail-parser` reads them; Sender and
/// Reply-To default to From.
#[must_use]
pub fn envelope(msg: &Message<'_>) -> Envelope<'static> {
    let Some(root) = msg.parts.first() else {
        return Envelope::default();
    };
    let raw = |n: &str| raw_header(msg, root, n).and_then(|v| nstr(&v));
    let from = addresses(root, "From");
    let mut sender = addresses(root, "Sender");
    if sender.is_empty() {
        sender.clone_from(&from);
    }
    let mut reply_to = addresses(root, "Reply-To");
    if reply_to.is_empty() {
        reply_to.clone_from(&from);
    }
    let lists = AddressLists {
        from,
        sender,
        reply_to,
        to: addresses(root, "To"),
        cc: addresses(root, "Cc"),
        bcc: addresses(root, "Bcc"),
    };
    Envelope::new(
        raw("Date"),
        raw("Subject"),
        lists,
        raw("In-Reply-To"),
        raw("Message-ID"),
    )
}

fn upper(s: &str) -> IString<'static> {
    istr(s.to_ascii_uppercase().as_bytes())
}

fn params(ct: Option<&mail_parser::ContentType<'_>>) -> BodyParams<'static> {
    ct.and_then(|c| c.attributes.as_ref())
        .map(|attrs| {
            attrs
                .iter()
                .map(|a| (upper(&a.name), istr(a.value.as_bytes())))
                .collect()
        })
        .unwrap_or_default()
}

fn disposition_ext(part: &MessagePart<'_>) -> Option<DispositionExt<'static>> {
    let disposition = part
        .content_disposition()
        .map(|d| (upper(&d.c_type), params(Some(d))));
    let language = match part.content_language() {
        HeaderValue::Text(t) => Language::Single(Some(istr(t.as_bytes()))),
        HeaderValue::TextList(list) => {
            let items: Vec<IString<'static>> = list.iter().map(|t| istr(t.as_bytes())).collect();
            match items.try_into() {
                Ok(v) => Language::List(v),
                Err(_) => Language::Single(None),
            }
        }
        _ => Language::Single(None),
    };
    Some(DispositionExt {
        disposition,
        tail: Some(LanguageExt {
            language,
            tail: Some(LocationExt {
                location: part.content_location().map(|l| istr(l.as_bytes())),
                extensions: Vec::new(),
            }),
        }),
    })
}

/// `body-fld-lines`: the lines of the body, a last line without line end included.
/// `body-fld-lines = number64` (RFC 9051 §9).
fn count_lines(bytes: &[u8]) -> Number64 {
    let ends = bytes.iter().filter(|&&b| b == b'\n').count();
    let open = usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
    let n = u64::try_from(ends + open).unwrap_or(u64::MAX);
    Number64::new(n.min(Number64::MAX)).unwrap_or_default()
}

fn body_bytes<'r>(msg: &'r Message<'_>, part: &MessagePart<'_>) -> &'r [u8] {
    msg.raw_message
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default()
}

/// BODYSTRUCTURE (`extended`) or BODY of a message (RFC 3501 §7.4.2).
#[must_use]
pub fn body_structure(msg: &Message<'_>, extended: bool) -> BodyStructure<'static> {
    part_structure(msg, 0, extended, 0)
}

fn part_structure(
    msg: &Message<'_>,
    id: usize,
    extended: bool,
    depth: usize,
) -> BodyStructure<'static> {
    let Some(part) = msg.parts.get(id) else {
        return opaque(0, extended);
    };
    if depth > MAX_DEPTH {
        return opaque(part.offset_end.saturating_sub(part.offset_body), extended);
    }
    let ct = part.content_type();
    if let PartType::Multipart(children) = &part.body {
        let bodies: Vec<BodyStructure<'static>> = children
            .iter()
            .map(|&c| part_structure(msg, c as usize, extended, depth + 1))
            .collect();
        let subtype = ct.and_then(|c| c.c_subtype.as_deref()).unwrap_or("MIXED");
        if let Ok(bodies) = bodies.try_into() {
            return BodyStructure::Multi {
                bodies,
                subtype: upper(subtype),
                extension: extended.then(|| MultiPartExtension {
                    params: params(ct),
                    tail: disposition_ext(part),
                }),
            };
        }
    }
    let (mut media_type, mut subtype) = match ct {
        Some(c) => (
            c.c_type.to_ascii_uppercase(),
            c.c_subtype
                .as_deref()
                .unwrap_or_default()
                .to_ascii_uppercase(),
        ),
        None => ("TEXT".to_owned(), "PLAIN".to_owned()),
    };
    if subtype.is_empty() {
        subtype = if media_type == "TEXT" {
            "PLAIN".into()
        } else {
            "OCTET-STREAM".into()
        };
    }
    if media_type.is_empty() {
        media_type = "APPLICATION".into();
    }
    let mut p = params(ct);
    if media_type == "TEXT" && !p.iter().any(|(n, _)| n.as_bytes() == b"CHARSET") {
        p.push((upper("charset"), upper("us-ascii")));
    }
    let body = body_bytes(msg, part);
    let fields = BodyFields {
        params: p,
        id: part.content_id().map(|s| istr(format!("<{s}>").as_bytes())),
        description: part.content_description().map(|s| istr(s.as_bytes())),
        encoding: upper(part.content_transfer_encoding().unwrap_or("7bit")),
        octets: u32::try_from(body.len()).unwrap_or(u32::MAX),
    };
    let specific = match (&part.body, media_type.as_str()) {
        (PartType::Message(inner), "MESSAGE") => SpecificFields::Message {
            envelope: Box::new(envelope(inner)),
            body: Box::new(part_structure(inner, 0, extended, depth + 1)),
            lines: count_lines(body),
        },
        (_, "TEXT") => SpecificFields::Text {
            lines: count_lines(body),
        },
        _ => SpecificFields::Basic,
    };
    // A MESSAGE/RFC822 that could not be parsed as a message is described as opaque data.
    let media_type = if media_type == "MESSAGE"
        && matches!(specific, SpecificFields::Basic)
        && subtype == "RFC822"
    {
        "APPLICATION".to_owned()
    } else {
        media_type
    };
    BodyStructure::Single {
        body: SinglePart {
            media_type: upper(&media_type),
            subtype: upper(&subtype),
            fields,
            specific,
        },
        extension: extended.then(|| SinglePartExtension {
            md5: part
                .headers
                .iter()
                .find(|h| h.name.as_str().eq_ignore_ascii_case("Content-MD5"))
                .and_then(|h| h.value.as_text())
                .map(|s| istr(s.as_bytes())),
            tail: disposition_ext(part),
        }),
    }
}

fn opaque(octets: u32, extended: bool) -> BodyStructure<'static> {
    BodyStructure::Single {
        body: SinglePart {
            media_type: upper("APPLICATION"),
            subtype: upper("OCTET-STREAM"),
            fields: BodyFields {
                params: Vec::new(),
                id: None,
                description: None,
                encoding: upper("7BIT"),
                octets,
            },
            specific: SpecificFields::Basic,
        },
        extension: extended.then_some(SinglePartExtension {
            md5: None,
            tail: None,
        }),
    }
}

/// The header of a message or part split into its fields (each with its continuation
/// lines and CRLF), up to the empty line.
fn header_fields(header: &[u8]) -> Vec<&[u8]> {
    let mut fields: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    while pos < header.len() {
        let rest = header.get(pos..).unwrap_or_default();
        let end = memchr_lf(rest).map_or(header.len(), |i| pos + i + 1);
        let line = header.get(pos..end).unwrap_or_default();
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        match (line.first(), fields.last_mut()) {
            (Some(b' ' | b'\t'), Some(last)) => last.1 = end,
            _ => fields.push((pos, end)),
        }
        pos = end;
    }
    fields
        .into_iter()
        .filter_map(|(a, b)| header.get(a..b))
        .collect()
}

fn memchr_lf(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// `HEADER.FIELDS (names)` / `HEADER.FIELDS.NOT (names)` (RFC 3501 §6.4.5): the matching
/// fields, then the empty line.
#[must_use]
pub fn filter_header(header: &[u8], names: &[&[u8]], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for field in header_fields(header) {
        let name_end = field.iter().position(|&b| b == b':').unwrap_or(field.len());
        let name = field.get(..name_end).unwrap_or_default().trim_ascii();
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if listed != not {
            out.extend_from_slice(field);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The unfolded values of the header fields named `name` (for SEARCH).
#[must_use]
pub fn header_values(header: &[u8], name: &[u8]) -> Vec<Vec<u8>> {
    header_fields(header)
        .into_iter()
        .filter_map(|field| {
            let colon = field.iter().position(|&b| b == b':')?;
            let n = field.get(..colon)?.trim_ascii();
            n.eq_ignore_ascii_case(name)
                .then(|| unfold(field.get(colon + 1..).unwrap_or_default()))
        })
        .collect()
}

/// Where the header of a whole message ends (after the empty line), found without a MIME
/// parse.
#[must_use]
pub fn header_end(raw: &[u8]) -> usize {
    if raw.starts_with(b"\r\n") {
        return 2;
    }
    if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
        return i + 4;
    }
    if let Some(i) = raw.windows(2).position(|w| w == b"\n\n") {
        return i + 2;
    }
    raw.len()
}

/// Which node a section's part number leads to: a part of some (possibly nested) message.
struct Node<'m, 'x> {
    msg: &'m Message<'x>,
    id: usize,
}

/// Child `k` (1-based) of the node, or of the top-level message when `node` is `None`
/// (RFC 3501 §6.4.5: a non-multipart message or MESSAGE/RFC822 body has only part 1).
fn child<'m, 'x>(
    top: &'m Message<'x>,
    node: Option<&Node<'m, 'x>>,
    k: u32,
) -> Option<Node<'m, 'x>> {
    let msg: &'m Message<'x> = match node {
        None => top,
        Some(n) => {
            let part = n.msg.parts.get(n.id)?;
            match &part.body {
                PartType::Multipart(ch) => {
                    let c = *ch.get(usize::try_from(k).ok()?.checked_sub(1)?)?;
                    return Some(Node {
                        msg: n.msg,
                        id: c as usize,
                    });
                }
                PartType::Message(inner) => inner,
                _ => return None,
            }
        }
    };
    let root = msg.parts.first()?;
    match &root.body {
        PartType::Multipart(ch) => {
            let c = *ch.get(usize::try_from(k).ok()?.checked_sub(1)?)?;
            Some(Node {
                msg,
                id: c as usize,
            })
        }
        _ if k == 1 => Some(Node { msg, id: 0 }),
        _ => None,
    }
}

fn msg_text(msg: &Message<'_>, text: &MsgText<'_>) -> Option<Vec<u8>> {
    // A nested message's parts carry offsets into the outermost message's octets (which
    // its `raw_message` borrows), so the root part's offsets delimit it.
    let raw: &[u8] = &msg.raw_message;
    let root = msg.parts.first()?;
    let (start, body_start) = (root.offset_header as usize, root.offset_body as usize);
    let end = (root.offset_end as usize).min(raw.len());
    let header = raw.get(start..body_start).unwrap_or_default();
    Some(match text {
        MsgText::Header => header.to_vec(),
        MsgText::Text => raw.get(body_start..end).unwrap_or_default().to_vec(),
        MsgText::HeaderFields { not, fields } => {
            let names: Vec<&[u8]> = fields.iter().map(imap_proto::AString::as_bytes).collect();
            filter_header(header, &names, *not)
        }
    })
}

/// The octets of `BODY[section]` of the message `raw` (RFC 3501 §6.4.5). `None` when the
/// section names a part that does not exist (the server then returns an empty string, as
/// common servers do). `parsed` is the parse of `raw`.
#[must_use]
pub fn section(raw: &[u8], parsed: Option<&Message<'_>>, section: &Section<'_>) -> Option<Vec<u8>> {
    match section {
        Section::Full => Some(raw.to_vec()),
        Section::Msg(text) => match parsed {
            Some(m) => msg_text(m, text),
            None => {
                let end = header_end(raw);
                Some(match text {
                    MsgText::Header => raw.get(..end).unwrap_or_default().to_vec(),
                    MsgText::Text => raw.get(end..).unwrap_or_default().to_vec(),
                    MsgText::HeaderFields { not, fields } => {
                        let names: Vec<&[u8]> =
                            fields.iter().map(imap_proto::AString::as_bytes).collect();
                        filter_header(raw.get(..end).unwrap_or_default(), &names, *not)
                    }
                })
            }
        },
        Section::Part { part, text } => {
            let top = parsed?;
            let mut node: Option<Node<'_, '_>> = None;
            for k in part.iter() {
                node = Some(child(top, node.as_ref(), NonZeroU32::get(*k))?);
            }
            let node = node?;
            let p = node.msg.parts.get(node.id)?;
            let raw: &[u8] = &node.msg.raw_message;
            match text {
                None => Some(body_bytes(node.msg, p).to_vec()),
                Some(PartText::Mime) => Some(
                    raw.get(p.offset_header as usize..p.offset_body as usize)
                        .unwrap_or_default()
                        .to_vec(),
                ),
                Some(PartText::Msg(t)) => match &p.body {
                    PartType::Message(inner) => msg_text(inner, t),
                    _ => None,
                },
            }
        }
    }
}

/// Applies `<offset.length>` (RFC 3501 §6.4.5, 64-bit in RFC 9051 §9): the bytes from
/// `offset`, at most `length`.
#[must_use]
pub fn partial(data: Vec<u8>, offset: u64, length: u64) -> Vec<u8> {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let end = start
        .saturating_add(usize::try_from(length).unwrap_or(usize::MAX))
        .min(data.len());
    data.get(start..end).map(<[u8]>::to_vec).unwrap_or_default()
}

/// A Cow of the bytes, owned.
#[must_use]
pub fn owned(c: Cow<'_, [u8]>) -> Vec<u8> {
    c.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_proto::{Encode, MessageDataItem, Vec1};

    const NESTED: &[u8] = b"Subject: outer\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nouter text\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: Inner <in@example.test>\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n--i\r\nContent-Type: text/html\r\n\r\n<p>inner</p>\r\n--i--\r\n--o--\r\n";

    fn sec(s: &str) -> Section<'static> {
        // Parse the section through a FETCH command, as a client would send it.
        let line = format!("a FETCH 1 BODY[{s}]\r\n");
        let imap_proto::Decoded::Complete { value, .. } =
            <imap_proto::Command<'_> as imap_proto::Decode>::decode(line.as_bytes()).unwrap()
        else {
            panic!("incomplete")
        };
        let imap_proto::CommandBody::Fetch {
            items:
                imap_proto::FetchItems::Single(imap_proto::FetchAttribute::BodySection {
                    section, ..
                }),
            ..
        } = value.body
        else {
            panic!("not a section")
        };
        section.into_owned()
    }

    #[test]
    fn sections_of_a_nested_message() {
        let m = parse(NESTED).unwrap();
        let get =
            |s: &str| section(NESTED, Some(&m), &sec(s)).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(get("1").as_deref(), Some("outer text"));
        assert_eq!(
            get("2.HEADER")
                .as_deref()
                .map(|h| h.starts_with("Subject: inner\r\n")),
            Some(true)
        );
        assert_eq!(get("2.1").as_deref(), Some("inner plain"));
        assert_eq!(get("2.2").as_deref(), Some("<p>inner</p>"));
        let inner_text = get("2.TEXT").unwrap();
        assert!(
            inner_text.starts_with("--i\r\n") && inner_text.ends_with("--i--"),
            "{inner_text:?}"
        );
        assert_eq!(
            get("2.2.MIME").as_deref(),
            Some("Content-Type: text/html\r\n\r\n")
        );
        assert_eq!(
            get("1.MIME").as_deref(),
            Some("Content-Type: text/plain\r\n\r\n")
        );
        assert_eq!(
            get("HEADER.FIELDS (SUBJECT)").as_deref(),
            Some("Subject: outer\r\n\r\n")
        );
        assert_eq!(get("3"), None);
        assert_eq!(get("1.1"), None);
        let text = get("TEXT").unwrap();
        assert!(text.starts_with("--o\r\n") && text.ends_with("--o--\r\n"));
    }

    #[test]
    // `.into()`: see the note on `server::Session::fetch` (imap-proto may box the value).
    #[allow(clippy::useless_conversion)]
    fn body_structure_of_a_nested_message_serializes() {
        let m = parse(NESTED).unwrap();
        let bs = body_structure(&m, true);
        let item = MessageDataItem::BodyStructure(bs.into());
        let data = imap_proto::Data::Fetch {
            seq: std::num::NonZeroU32::new(1).unwrap(),
            items: Vec1::one(item),
        };
        let wire = String::from_utf8(imap_proto::Response::Data(data).to_vec()).unwrap();
        assert!(
            wire.contains("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" "),
            "{wire}"
        );
        assert!(
            wire.contains("(\"TEXT\" \"HTML\" (\"CHARSET\" \"US-ASCII\")"),
            "{wire}"
        );
        assert!(wire.contains("\"ALTERNATIVE\""), "{wire}");
        // It decodes again with the crate's own response decoder.
        let mut dec = imap_proto::ResponseDecoder::default();
        assert!(matches!(
            dec.decode(wire.as_bytes()).unwrap(),
            imap_proto::Decoded::Complete { .. }
        ));
        let env = envelope(&m);
        assert_eq!(env.subject.unwrap().as_bytes(), b"outer");
    }

    #[test]
    fn header_filter_keeps_continuations() {
        let h = b"Subject: a\r\n b\r\nFrom: x\r\nTo: y\r\n\r\n";
        assert_eq!(
            filter_header(h, &[b"subject"], false),
            b"Subject: a\r\n b\r\n\r\n"
        );
        assert_eq!(
            filter_header(h, &[b"subject"], true),
            b"From: x\r\nTo: y\r\n\r\n"
        );
        assert_eq!(header_values(h, b"SUBJECT"), vec![b"a b".to_vec()]);
    }
}
