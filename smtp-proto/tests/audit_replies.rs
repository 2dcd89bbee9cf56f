//! Audit of issue #4, "helpers to build the standard replies": RFC 5321 §4.2.3 texts with
//! RFC 3463 enhanced codes, each a valid reply that decodes back to itself.

use smtp_proto::*;

#[test]
fn standard_replies_are_valid_and_round_trip() {
    let table: Vec<(Reply<'static>, &[u8])> = vec![
        (
            Reply::service_ready("mx.example").unwrap(),
            b"220 mx.example Service ready\r\n",
        ),
        (
            Reply::closing("mx.example").unwrap(),
            b"221 2.0.0 mx.example Service closing transmission channel\r\n",
        ),
        (
            Reply::service_not_available("mx.example").unwrap(),
            b"421 4.3.2 mx.example Service not available, closing transmission channel\r\n",
        ),
        (
            Reply::ok(),
            b"250 2.0.0 Requested mail action okay, completed\r\n",
        ),
        (
            Reply::start_mail_input(),
            b"354 Start mail input; end with <CRLF>.<CRLF>\r\n",
        ),
        (
            Reply::local_error(),
            b"451 4.3.0 Requested action aborted: local error in processing\r\n",
        ),
        (
            Reply::insufficient_storage(),
            b"452 4.3.1 Requested action not taken: insufficient system storage\r\n",
        ),
        (
            Reply::command_unrecognized(),
            b"500 5.5.2 Syntax error, command unrecognized\r\n",
        ),
        (
            Reply::syntax_error_in_parameters(),
            b"501 5.5.4 Syntax error in parameters or arguments\r\n",
        ),
        (
            Reply::command_not_implemented(),
            b"502 5.5.1 Command not implemented\r\n",
        ),
        (
            Reply::bad_sequence(),
            b"503 5.5.1 Bad sequence of commands\r\n",
        ),
        (
            Reply::parameter_not_implemented(),
            b"504 5.5.4 Command parameter not implemented\r\n",
        ),
        (
            Reply::mailbox_unavailable(),
            b"550 5.1.1 Requested action not taken: mailbox unavailable\r\n",
        ),
        (
            Reply::exceeded_storage(),
            b"552 5.3.4 Requested mail action aborted: exceeded storage allocation\r\n",
        ),
        (
            Reply::mailbox_name_not_allowed(),
            b"553 5.1.3 Requested action not taken: mailbox name not allowed\r\n",
        ),
        (
            Reply::transaction_failed(),
            b"554 5.0.0 Transaction failed\r\n",
        ),
        (
            Reply::parameters_not_recognized(),
            b"555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented\r\n",
        ),
    ];
    for (reply, wire) in table {
        assert_eq!(reply.to_bytes(), wire);
        let (back, used) = Reply::decode(wire).unwrap().complete().unwrap();
        assert_eq!(used, wire.len());
        assert_eq!(back, reply);
        if let Some(e) = reply.enhanced() {
            assert_eq!(e.class(), reply.code().class());
        }
        // The same reply through the validating constructor.
        let checked = Reply::new(
            reply.code().get(),
            reply.enhanced(),
            reply.text().to_string(),
        );
        assert_eq!(checked.unwrap(), reply);
    }
    assert!(Reply::service_ready("mx\r\n250 x").is_err());
    assert!(Reply::closing("a\nb").is_err());
}

#[test]
fn ehlo_keywords_fold_case_and_unknown_keywords_and_mechanisms_are_kept() {
    let wire = b"250-mx\r\n250-8bitmime\r\n250-auth plain GSSAPI X-UNKNOWN-MECH\r\n250-x-vendor a b\r\n250 Dsn\r\n";
    let (ehlo, used) = EhloResponse::decode(wire).unwrap().complete().unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(
        ehlo.capabilities,
        [
            Capability::EightBitMime,
            Capability::Auth(vec![
                AuthMechanism::PLAIN,
                AuthMechanism::new("GSSAPI").unwrap(),
                AuthMechanism::new("X-UNKNOWN-MECH").unwrap(),
            ]),
            Capability::Other {
                keyword: "x-vendor".into(),
                params: vec!["a".into(), "b".into()],
            },
            Capability::Dsn,
        ]
    );
    // Written back in canonical case, and decoded to the same set.
    let again = ehlo.to_bytes();
    assert_eq!(
        again,
        b"250-mx\r\n250-8BITMIME\r\n250-AUTH PLAIN GSSAPI X-UNKNOWN-MECH\r\n250-x-vendor a b\r\n250 DSN\r\n"
    );
    let (back, _) = EhloResponse::decode(&again).unwrap().complete().unwrap();
    assert_eq!(back, ehlo);
}
