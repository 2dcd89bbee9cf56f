//! Writers for `envelope` and `body` (RFC 3501 §9).

use super::{Enc, Out};
use crate::types::body::{
    Address, BodyExtension, BodyParams, BodyStructure, DispositionExt, Envelope, Language,
    LanguageExt, SpecificFields,
};

fn addresses<'s>(o: &mut Out<'s>, v: &'s [Address<'_>]) {
    if v.is_empty() {
        return o.put(b"NIL");
    }
    o.byte(b'(');
    for a in v {
        o.byte(b'(');
        a.name.enc(o);
        o.sp();
        a.adl.enc(o);
        o.sp();
        a.mailbox.enc(o);
        o.sp();
        a.host.enc(o);
        o.byte(b')');
    }
    o.byte(b')');
}

impl Enc for Envelope<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'(');
        self.date.enc(o);
        o.sp();
        self.subject.enc(o);
        for list in self.lists() {
            o.sp();
            addresses(o, list);
        }
        o.sp();
        self.in_reply_to.enc(o);
        o.sp();
        self.message_id.enc(o);
        o.byte(b')');
    }
}

fn params<'s>(o: &mut Out<'s>, p: &'s BodyParams<'_>) {
    if p.is_empty() {
        return o.put(b"NIL");
    }
    o.list(p, |o, (k, v)| {
        k.enc(o);
        o.sp();
        v.enc(o);
    });
}

fn dsp<'s>(o: &mut Out<'s>, d: &'s Option<DispositionExt<'_>>) {
    let Some(d) = d else { return };
    o.sp();
    match &d.disposition {
        Some((name, p)) => {
            o.byte(b'(');
            name.enc(o);
            o.sp();
            params(o, p);
            o.byte(b')');
        }
        None => o.put(b"NIL"),
    }
    lang(o, &d.tail);
}

fn lang<'s>(o: &mut Out<'s>, l: &'s Option<LanguageExt<'_>>) {
    let Some(l) = l else { return };
    o.sp();
    match &l.language {
        Language::Single(n) => n.enc(o),
        Language::List(v) => o.list(v.as_slice(), |o, s| s.enc(o)),
    }
    if let Some(loc) = &l.tail {
        o.sp();
        loc.location.enc(o);
        for e in &loc.extensions {
            o.sp();
            e.enc(o);
        }
    }
}

impl Enc for BodyExtension<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        match self {
            BodyExtension::NString(n) => n.enc(o),
            BodyExtension::Number(n) => o.num(u64::from(*n)),
            BodyExtension::List(v) => o.list(v.as_slice(), |o, e| e.enc(o)),
        }
    }
}

impl Enc for BodyStructure<'_> {
    fn enc<'s>(&'s self, o: &mut Out<'s>) {
        o.byte(b'(');
        match self {
            BodyStructure::Single { body, extension } => {
                body.media_type.enc(o);
                o.sp();
                body.subtype.enc(o);
                o.sp();
                let f = &body.fields;
                params(o, &f.params);
                o.sp();
                f.id.enc(o);
                o.sp();
                f.description.enc(o);
                o.sp();
                f.encoding.enc(o);
                o.sp();
                o.num(u64::from(f.octets));
                match &body.specific {
                    SpecificFields::Basic => {}
                    SpecificFields::Message {
                        envelope,
                        body,
                        lines,
                    } => {
                        o.sp();
                        envelope.enc(o);
                        o.sp();
                        body.enc(o);
                        o.sp();
                        o.num(lines.get());
                    }
                    SpecificFields::Text { lines } => {
                        o.sp();
                        o.num(lines.get());
                    }
                }
                if let Some(ext) = extension {
                    o.sp();
                    ext.md5.enc(o);
                    dsp(o, &ext.tail);
                }
            }
            BodyStructure::Multi {
                bodies,
                subtype,
                extension,
            } => {
                for b in bodies {
                    b.enc(o);
                }
                o.sp();
                subtype.enc(o);
                if let Some(ext) = extension {
                    o.sp();
                    params(o, &ext.params);
                    dsp(o, &ext.tail);
                }
            }
        }
        o.byte(b')');
    }
}
