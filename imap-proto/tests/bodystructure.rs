//! BODYSTRUCTURE samples: multipart/alternative, multipart/mixed with an attachment,
//! message/rfc822 nesting, extension data and unknown body extensions.

mod common;

use common::*;
use imap_proto::*;

fn body_of(r: Response<'static>) -> BodyStructure<'static> {
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    match items.into_inner().remove(0) {
        MessageDataItem::BodyStructure(b) | MessageDataItem::Body(b) => *b,
        other => panic!("{other:?}"),
    }
}

fn s(x: &IString<'_>) -> String {
    String::from_utf8(x.as_bytes().to_vec()).unwrap()
}

const ALTERNATIVE: &str = "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 1234 40 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 5678 120 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"b1_abc\") NIL NIL NIL))\r\n";

const MIXED: &str = "* 2 FETCH (BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 45 3 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"inner\") NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") \"<part2@example>\" \"The report\" \"BASE64\" 40960 \"Q2hlY2tzdW0=\" (\"attachment\" (\"filename\" \"report.pdf\" \"size\" \"30000\")) (\"en\" \"de\") \"http://example.com/report.pdf\") \"MIXED\" (\"BOUNDARY\" \"outer\") (\"inline\" NIL) \"en\" NIL))\r\n";

const RFC822: &str = "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL \"Forwarded\" \"7BIT\" 900 (\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Fwd: hi\" ((\"Fred\" NIL \"fred\" \"example.com\")) ((\"Fred\" NIL \"fred\" \"example.com\")) ((\"Fred\" NIL \"fred\" \"example.com\")) ((NIL NIL \"team\" NIL)(NIL NIL \"joe\" \"example.com\")(NIL NIL NIL NIL)) NIL NIL NIL \"<id@example.com>\") ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 100 4 NIL NIL NIL NIL)(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 600 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"x\") NIL NIL NIL) 30 NIL (\"inline\" NIL) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"y\") NIL NIL NIL))\r\n";

/// Unknown body extensions after the location: a number, a string, a nested list.
const EXTENSIONS: &str = "* 4 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"8BIT\" 3 1 NIL NIL NIL NIL 42 \"future\" (1 (\"a\" NIL) 2)))\r\n";

#[test]
fn multipart_alternative() {
    let b = body_of(response_golden(ALTERNATIVE.as_bytes(), true));
    let BodyStructure::Multi {
        bodies,
        subtype,
        extension,
    } = b
    else {
        panic!()
    };
    assert_eq!(s(&subtype), "alternative");
    assert_eq!(bodies.as_slice().len(), 2);
    let BodyStructure::Single {
        body,
        extension: e1,
    } = &bodies.as_slice()[1]
    else {
        panic!()
    };
    assert_eq!(
        (s(&body.media_type), s(&body.subtype)),
        ("text".into(), "html".into())
    );
    assert_eq!(
        body.specific,
        SpecificFields::Text {
            lines: Number64::new(120).unwrap()
        }
    );
    assert_eq!(body.fields.octets, 5678);
    assert_eq!(s(&body.fields.encoding), "quoted-printable");
    assert_eq!(e1.as_ref().unwrap().md5, None);
    let ext = extension.unwrap();
    assert_eq!(s(&ext.params[0].1), "b1_abc");
    let dsp = ext.tail.unwrap();
    assert_eq!(dsp.disposition, None);
    let lang = dsp.tail.unwrap();
    assert_eq!(lang.language, Language::Single(None));
    assert_eq!(lang.tail.unwrap().location, None);
}

#[test]
fn multipart_mixed_with_attachment_and_every_extension_field() {
    let b = body_of(response_golden(MIXED.as_bytes(), true));
    let BodyStructure::Multi {
        bodies, extension, ..
    } = b
    else {
        panic!()
    };
    assert!(matches!(bodies.as_slice()[0], BodyStructure::Multi { .. }));
    let BodyStructure::Single { body, extension: e } = &bodies.as_slice()[1] else {
        panic!()
    };
    assert_eq!(body.specific, SpecificFields::Basic);
    assert_eq!(s(body.fields.id.as_ref().unwrap()), "<part2@example>");
    assert_eq!(s(body.fields.description.as_ref().unwrap()), "The report");
    let e = e.as_ref().unwrap();
    assert_eq!(s(e.md5.as_ref().unwrap()), "Q2hlY2tzdW0=");
    let dsp = e.tail.as_ref().unwrap();
    let (kind, params) = dsp.disposition.as_ref().unwrap();
    assert_eq!(s(kind), "attachment");
    assert_eq!(params.len(), 2);
    let lang = dsp.tail.as_ref().unwrap();
    let Language::List(langs) = &lang.language else {
        panic!()
    };
    assert_eq!(langs.as_slice().len(), 2);
    assert_eq!(
        s(lang.tail.as_ref().unwrap().location.as_ref().unwrap()),
        "http://example.com/report.pdf"
    );
    let outer = extension.unwrap().tail.unwrap();
    assert_eq!(s(&outer.disposition.unwrap().0), "inline");
}

#[test]
fn message_rfc822_nests_envelope_and_body() {
    let b = body_of(response_golden(RFC822.as_bytes(), true));
    let BodyStructure::Multi { bodies, .. } = b else {
        panic!()
    };
    let BodyStructure::Single { body, .. } = &bodies.as_slice()[1] else {
        panic!()
    };
    let SpecificFields::Message {
        envelope,
        body: inner,
        lines,
    } = &body.specific
    else {
        panic!()
    };
    assert_eq!(lines.get(), 30);
    assert_eq!(s(envelope.subject.as_ref().unwrap()), "Fwd: hi");
    // Group syntax: start marker, member, end marker.
    let kinds: Vec<_> = envelope.to().iter().map(Address::kind).collect();
    assert_eq!(
        kinds,
        [
            AddressKind::GroupStart,
            AddressKind::Mailbox,
            AddressKind::GroupEnd
        ]
    );
    assert_eq!(s(envelope.to()[0].mailbox.as_ref().unwrap()), "team");
    let BodyStructure::Multi {
        bodies: inner_parts,
        ..
    } = inner.as_ref()
    else {
        panic!()
    };
    assert_eq!(inner_parts.as_slice().len(), 2);
}

#[test]
fn unknown_body_extensions_are_kept() {
    let b = body_of(response_golden(EXTENSIONS.as_bytes(), true));
    let BodyStructure::Single { extension, .. } = b else {
        panic!()
    };
    let loc = extension.unwrap().tail.unwrap().tail.unwrap().tail.unwrap();
    assert_eq!(loc.extensions.len(), 3);
    assert_eq!(loc.extensions[0], BodyExtension::Number(42));
    assert!(matches!(&loc.extensions[2], BodyExtension::List(v) if v.as_slice().len() == 3));
}

#[test]
fn non_extensible_body_and_bodystructure_with_partial_extension_data() {
    // BODY: no extension data; BODYSTRUCTURE with only md5, or md5 and disposition.
    for bytes in [
        "* 5 FETCH (BODY (\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 4554))\r\n",
        "* 5 FETCH (BODYSTRUCTURE (\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 4554 NIL))\r\n",
        "* 5 FETCH (BODYSTRUCTURE (\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 4554 \"md5\" NIL))\r\n",
        "* 5 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\" NIL))\r\n",
        "* 5 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n",
        "* 5 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL {4}\r\n7BIT 1 1))\r\n",
    ] {
        response_golden(bytes.as_bytes(), true);
    }
}
