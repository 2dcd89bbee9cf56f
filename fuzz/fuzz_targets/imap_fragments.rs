//! The literal / fragment layer: commands built from arbitrary values through the validating
//! constructors encode to fragments that a server decoder, fed them in order, answers with
//! exactly one continuation per synchronizing literal, and decodes back to the same command.
#![no_main]
use arbitrary::Arbitrary;
use imap_proto::{
    AString, Command, CommandBody, CommandDecoded, CommandDecoder, Encode, Flag, Fragment, Literal,
    LiteralMode, LiteralSupport, Mailbox, Tag,
};
use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    tag: &'a str,
    user: &'a [u8],
    pass: &'a [u8],
    mailbox: &'a str,
    message: &'a [u8],
    nonsync: bool,
    policy: u8,
    keyword: &'a str,
}

fn build(i: &Input<'_>) -> Option<Vec<Command<'static>>> {
    let tag = Tag::new(i.tag.to_string()).ok()?;
    let mut v = vec![Command::new(
        tag.clone(),
        CommandBody::Login {
            username: AString::new(i.user.to_vec()).ok()?,
            password: AString::new(i.pass.to_vec()).ok()?,
        },
    )];
    let mode = if i.nonsync {
        LiteralMode::NonSync
    } else {
        LiteralMode::Sync
    };
    let flags = Flag::keyword(i.keyword).ok().map(|f| vec![f.into_owned()]);
    v.push(Command::new(
        tag,
        CommandBody::Append {
            mailbox: Mailbox::from_utf8(i.mailbox).ok()?,
            flags,
            date: None,
            message: Literal::with_mode(Cow::Owned(i.message.to_vec()), mode).ok()?,
        },
    ));
    Some(v)
}

fuzz_target!(|input: Input<'_>| {
    let Some(commands) = build(&input) else {
        return;
    };
    let policy = match input.policy % 3 {
        0 => LiteralSupport::SyncOnly,
        1 => LiteralSupport::LiteralPlus,
        _ => LiteralSupport::LiteralMinus,
    };
    for c in &commands {
        let frags = c.fragments_with(policy);
        let mut dec = CommandDecoder::default().with_literal_support(policy);
        let mut buf = Vec::new();
        let mut decoded = None;
        for (k, f) in frags.iter().enumerate() {
            match f {
                Fragment::Line(l) => buf.extend_from_slice(l),
                Fragment::Literal { data, .. } => buf.extend_from_slice(data),
            }
            let waits = matches!(frags.get(k + 1), Some(Fragment::Literal { sync: true, .. }));
            let out = dec.decode(&buf).expect("decodes");
            match out {
                CommandDecoded::ContinuationNeeded { size } => {
                    assert!(waits, "continuation without a sync literal");
                    let Some(Fragment::Literal { data, .. }) = frags.get(k + 1) else {
                        unreachable!()
                    };
                    assert_eq!(size as usize, data.len());
                }
                CommandDecoded::Complete { command, consumed } => {
                    assert_eq!(k, frags.len() - 1);
                    assert_eq!(consumed, buf.len());
                    decoded = Some(command.into_owned());
                }
                CommandDecoded::Incomplete { .. } => assert!(!waits, "no continuation asked"),
            }
        }
        let decoded = decoded.expect("complete after the last fragment");
        // What was decoded re-encodes to exactly the bytes that were sent.
        assert_eq!(decoded.to_vec(), buf);
        if policy == LiteralSupport::SyncOnly && !input.nonsync {
            assert_eq!(&decoded, c);
        }
    }
});
