//! `ReplyLines`, the type `Reply::lines` returns, is nameable from the crate root and from
//! `types` (it was public but not re-exported, and `Reply`'s docs linked to a private type).

#[test]
fn reply_lines_is_nameable_from_the_crate_root_and_types() {
    let (reply, _) = smtp_proto::Reply::decode(b"250-a\r\n250 b\r\n")
        .unwrap()
        .complete()
        .unwrap();
    let lines: smtp_proto::ReplyLines<'_> = reply.lines();
    let again: smtp_proto::types::ReplyLines<'_> = lines.clone();
    assert_eq!(lines, ["a", "b"]);
    assert_eq!(again.len(), 2);
}
