//! SASL: RFC examples, client/server round trips for every mechanism, framing, error paths
//! and property tests.

use std::collections::HashSet;

use mail_common::Error;
use mail_common::sasl::{
    ClientLine, Credentials, Mechanism, SaslClient, SaslError, SaslServer, Secret, ServerStep,
    decode_base64, decode_client_line, decode_initial_response, encode_base64,
    encode_initial_response,
};
use proptest::prelude::*;

const CRAM_CHALLENGE: &str = "<1896.697170952@postoffice.reston.mci.net>";

fn done(step: ServerStep) -> Credentials {
    match step {
        ServerStep::Done(c) => c,
        ServerStep::Challenge(c) => panic!("expected Done, got challenge {c:?}"),
    }
}

fn challenge(step: ServerStep) -> Vec<u8> {
    match step {
        ServerStep::Challenge(c) => c,
        ServerStep::Done(c) => panic!("expected a challenge, got {c:?}"),
    }
}

fn server(mech: Mechanism<'_>) -> SaslServer {
    SaslServer::new(mech, CRAM_CHALLENGE).unwrap()
}

/// Runs a whole exchange through the base64 wire form; `use_ir` sends the initial response
/// with the command where the mechanism has one.
fn exchange(client: &mut SaslClient, use_ir: bool) -> Result<Credentials, Error> {
    let mut server = server(client.mechanism());
    let ir = if use_ir {
        client.initial_response_base64()
    } else {
        None
    };
    let mut step = server.start_base64(ir.as_deref().map(str::as_bytes))?;
    for _ in 0..4 {
        match step {
            ServerStep::Done(c) => return Ok(c),
            ServerStep::Challenge(c) => {
                let line = client.step_base64(encode_base64(&c).as_bytes())?;
                step = server.step_line(line.as_bytes())?;
            }
        }
    }
    panic!("exchange did not finish")
}

fn assert_malformed<T: std::fmt::Debug>(r: Result<T, SaslError>) {
    assert!(
        matches!(r, Err(SaslError::Malformed { .. })),
        "expected Malformed, got {r:?}"
    );
}

// ----- Mechanism names --------------------------------------------------------------------

#[test]
fn mechanism_parse_is_case_insensitive_and_canonical() {
    let table: [(&[u8], Mechanism<'_>, &str); 8] = [
        (b"plain", Mechanism::Plain, "PLAIN"),
        (b"Login", Mechanism::Login, "LOGIN"),
        (b"cram-md5", Mechanism::CramMd5, "CRAM-MD5"),
        (b"XOAuth2", Mechanism::XOAuth2, "XOAUTH2"),
        (b"oauthbearer", Mechanism::OAuthBearer, "OAUTHBEARER"),
        (b"EXTERNAL", Mechanism::External, "EXTERNAL"),
        (b"anonymous", Mechanism::Anonymous, "ANONYMOUS"),
        (
            b"SCRAM-SHA-256",
            Mechanism::Other("SCRAM-SHA-256".into()),
            "SCRAM-SHA-256",
        ),
    ];
    for (bytes, mech, canonical) in table {
        let parsed = Mechanism::parse(bytes).unwrap();
        assert_eq!(parsed, mech);
        assert_eq!(parsed.as_str(), canonical);
        assert_eq!(parsed.to_string(), canonical);
        assert_eq!(parsed.clone().into_owned(), parsed);
    }
}

#[test]
fn mechanism_other_keeps_its_spelling_and_compares_ignoring_case() {
    let m = Mechanism::parse(b"x-Custom_1").unwrap();
    assert_eq!(m.as_str(), "x-Custom_1");
    assert_eq!(m, Mechanism::Other("X-CUSTOM_1".into()));
    assert_eq!(m.client_first(), None);
    let set: HashSet<Mechanism<'static>> = [m.into_owned(), Mechanism::Other("X-CUSTOM_1".into())]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 1);
}

#[test]
fn mechanism_parse_rejects_invalid_names() {
    // RFC 4422 §3.1: 1*20 of A-Z 0-9 - _.
    assert!(Mechanism::parse(b"").is_none());
    assert!(Mechanism::parse(b"ABCDEFGHIJKLMNOPQRSTU").is_none()); // 21 chars
    assert!(Mechanism::parse(b"ABCDEFGHIJKLMNOPQRST").is_some()); // 20 chars
    assert!(Mechanism::parse(b"PLAIN ").is_none());
    assert!(Mechanism::parse(b"CRAM.MD5").is_none());
    assert!(Mechanism::parse(b"PL\xc3\x84IN").is_none());
    assert!(Mechanism::parse(b"PLAIN\r\n").is_none());
}

#[test]
fn plaintext_mechanisms_are_flagged() {
    for (m, plaintext, client_first) in [
        (Mechanism::Plain, true, true),
        (Mechanism::Login, true, false),
        (Mechanism::XOAuth2, true, true),
        (Mechanism::OAuthBearer, true, true),
        (Mechanism::CramMd5, false, false),
        (Mechanism::External, false, true),
        (Mechanism::Anonymous, false, true),
    ] {
        assert_eq!(m.is_plaintext(), plaintext, "{m}");
        assert_eq!(m.client_first(), Some(client_first), "{m}");
    }
    assert!(!Mechanism::Other("GSSAPI".into()).is_plaintext());
}

// ----- base64 framing ---------------------------------------------------------------------

#[test]
fn base64_decodes_rfc4954_plain_example() {
    // RFC 4954 §4.1: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
    assert_eq!(
        decode_base64(b"dGVzdAB0ZXN0ADEyMzQ=").unwrap(),
        b"test\0test\x001234"
    );
    assert_eq!(encode_base64(b"test\0test\x001234"), "dGVzdAB0ZXN0ADEyMzQ=");
}

#[test]
fn base64_rejects_whitespace_and_bad_padding_with_offsets() {
    assert_eq!(
        decode_base64(b"dGVz dA=="),
        Err(Error::Base64 { offset: 4 })
    );
    assert_eq!(
        decode_base64(b"dGVzdA==\r\n"),
        Err(Error::Base64 { offset: 8 })
    );
    assert_eq!(decode_base64(b"dGVzdA"), Err(Error::Base64 { offset: 6 }));
    assert_eq!(decode_base64(b"dGVzd"), Err(Error::Base64 { offset: 5 }));
    assert_eq!(decode_base64(b"dGVzdA="), Err(Error::Base64 { offset: 6 }));
    assert_eq!(decode_base64(b"dG=zdA=="), Err(Error::Base64 { offset: 2 }));
    // Non-zero trailing bits ("dGVzdB==" is not canonical).
    assert_eq!(decode_base64(b"dGVzdB=="), Err(Error::Base64 { offset: 5 }));
    assert_eq!(decode_base64(b"*"), Err(Error::Base64 { offset: 0 }));
    assert_eq!(decode_base64(b""), Ok(Vec::new()));
}

#[test]
fn initial_response_uses_equals_for_empty() {
    // RFC 4954 §4: a zero-length initial response is sent as "=".
    assert_eq!(encode_initial_response(b""), "=");
    assert_eq!(decode_initial_response(b"=").unwrap(), b"");
    assert_eq!(encode_initial_response(b"x"), "eA==");
    assert_eq!(decode_initial_response(b"eA==").unwrap(), b"x");
    assert_eq!(
        decode_initial_response(b"=="),
        Err(Error::Base64 { offset: 0 })
    );
    assert!(decode_initial_response(b"e A==").is_err());
}

#[test]
fn client_line_star_cancels_and_empty_is_empty_response() {
    assert_eq!(decode_client_line(b"*").unwrap(), ClientLine::Cancel);
    assert_eq!(
        decode_client_line(b"").unwrap(),
        ClientLine::Response(Vec::new())
    );
    assert_eq!(
        decode_client_line(b"AQ==").unwrap(),
        ClientLine::Response(vec![1])
    );
    assert_eq!(decode_client_line(b"**"), Err(Error::Base64 { offset: 0 }));
    assert_eq!(decode_client_line(b"="), Err(Error::Base64 { offset: 0 }));
}

// ----- RFC examples -----------------------------------------------------------------------

#[test]
fn rfc4616_example_1_plain_without_authzid() {
    // C: <NUL>tim<NUL>tanstaaftanstaaf (21 octets), after an empty "+ " challenge.
    let mut client = SaslClient::plain(None, "tim", "tanstaaftanstaaf");
    let mut server = server(Mechanism::Plain);
    assert_eq!(challenge(server.start(None).unwrap()), b"");
    let message = client.step(b"").unwrap();
    assert_eq!(message, b"\0tim\0tanstaaftanstaaf");
    assert_eq!(message.len(), 21);
    let creds = done(server.step(&message).unwrap());
    assert_eq!(
        creds,
        Credentials::Plain {
            authzid: None,
            authcid: "tim".into(),
            password: Secret::new("tanstaaftanstaaf"),
        }
    );
    assert!(creds.password_matches("tim", "tanstaaftanstaaf"));
    assert!(server.is_finished());
}

#[test]
fn rfc4616_example_2_plain_with_authzid_as_initial_response() {
    // C: a002 AUTHENTICATE "PLAIN" {20+} / Ursel<NUL>Kurt<NUL>xipj3plmq
    let mut client = SaslClient::plain(Some("Ursel"), "Kurt", "xipj3plmq");
    let ir = client.initial_response().unwrap();
    assert_eq!(ir, b"Ursel\0Kurt\0xipj3plmq");
    assert_eq!(ir.len(), 20);
    let creds = done(server(Mechanism::Plain).start(Some(&ir)).unwrap());
    assert_eq!(creds.authzid(), Some("Ursel"));
    assert_eq!(creds.authcid(), Some("Kurt"));
    assert!(creds.password_matches("Kurt", "xipj3plmq"));
}

#[test]
fn rfc4954_plain_initial_response_decodes() {
    // RFC 4954 §4.1: C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
    let mut server = server(Mechanism::Plain);
    let creds = done(server.start_base64(Some(b"dGVzdAB0ZXN0ADEyMzQ=")).unwrap());
    assert_eq!(creds.authzid(), Some("test"));
    assert!(creds.password_matches("test", "1234"));
    // The same without the initial response: S: 334 (empty), C: dGVzdAB0ZXN0ADEyMzQ=
    let mut server = server_for("PLAIN");
    assert_eq!(challenge(server.start_base64(None).unwrap()), b"");
    let creds2 = done(server.step_line(b"dGVzdAB0ZXN0ADEyMzQ=").unwrap());
    assert_eq!(creds, creds2);
}

fn server_for(name: &str) -> SaslServer {
    SaslServer::new(Mechanism::parse(name.as_bytes()).unwrap(), CRAM_CHALLENGE).unwrap()
}

#[test]
fn rfc4954_cram_md5_example_parses() {
    // RFC 4954 §4.1: the server's challenge and the client's response (secret unknown).
    let ch =
        decode_base64(b"PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=").unwrap();
    let ch = String::from_utf8(ch).unwrap();
    assert_eq!(ch, "<4192942341.12828472@sourcefour.andrew.cmu.edu>");
    let mut server = SaslServer::new(Mechanism::CramMd5, &ch).unwrap();
    assert_eq!(challenge(server.start(None).unwrap()), ch.as_bytes());
    let creds = done(
        server
            .step_line(b"cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==")
            .unwrap(),
    );
    assert_eq!(
        creds,
        Credentials::CramMd5 {
            username: "rjs3".into(),
            challenge: ch,
            digest: "ec3a59fed395aba1ec6367c4f4b41ac0".into(),
        }
    );
}

#[test]
fn rfc4954_external_with_empty_initial_response() {
    // RFC 4954 §4.1: C: AUTH EXTERNAL =
    let mut server = server(Mechanism::External);
    let creds = done(server.start_base64(Some(b"=")).unwrap());
    assert_eq!(creds, Credentials::External { authzid: None });
    let mut client = SaslClient::external(None);
    assert_eq!(client.initial_response_base64().as_deref(), Some("="));
}

#[test]
fn rfc2195_cram_md5_example() {
    let mut client = SaslClient::cram_md5("tim", "tanstaaftanstaaf");
    assert_eq!(client.initial_response(), None);
    let mut server = SaslServer::new(Mechanism::CramMd5, CRAM_CHALLENGE).unwrap();
    let ch = challenge(server.start(None).unwrap());
    assert_eq!(ch, CRAM_CHALLENGE.as_bytes());
    let response = client.step(&ch).unwrap();
    assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
    let creds = done(server.step(&response).unwrap());
    assert!(creds.verify(b"tanstaaftanstaaf"));
    assert!(!creds.verify(b"tanstaaftanstaaF"));
    assert!(creds.password_matches("tim", "tanstaaftanstaaf"));
    assert!(!creds.password_matches("tom", "tanstaaftanstaaf"));
    assert!(!creds.password_matches("tim", "wrong"));
}

#[test]
fn rfc2195_digest_in_upper_case_is_accepted_and_folded() {
    let mut server = SaslServer::new(Mechanism::CramMd5, CRAM_CHALLENGE).unwrap();
    let _ = server.start(None).unwrap();
    let creds = done(
        server
            .step(b"tim B913A602C7EDA7A495B4E6E7334D3890")
            .unwrap(),
    );
    assert!(matches!(&creds, Credentials::CramMd5 { digest, .. }
        if digest == "b913a602c7eda7a495b4e6e7334d3890"));
    assert!(creds.verify(b"tanstaaftanstaaf"));
}

#[test]
fn rfc4505_anonymous_example() {
    // S: + / C: c2lyaGM=  ("sirhc")
    let mut server = server(Mechanism::Anonymous);
    assert_eq!(challenge(server.start(None).unwrap()), b"");
    let creds = done(server.step_line(b"c2lyaGM=").unwrap());
    assert_eq!(
        creds,
        Credentials::Anonymous {
            trace: "sirhc".into()
        }
    );
    let mut client = SaslClient::anonymous("sirhc");
    assert_eq!(client.step_base64(b"").unwrap(), "c2lyaGM=");
}

const RFC7628_TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

#[test]
fn rfc7628_4_1_bearer_token_exchange_imap_and_smtp() {
    let cases = [
        (
            143,
            "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB",
        ),
        (
            587,
            "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB",
        ),
    ];
    for (port, wire) in cases {
        let mut client = SaslClient::oauthbearer(
            Some("user@example.com"),
            Some("server.example.com"),
            Some(port),
            RFC7628_TOKEN,
        );
        assert_eq!(client.initial_response_base64().as_deref(), Some(wire));
        let mut server = server(Mechanism::OAuthBearer);
        let creds = done(server.start_base64(Some(wire.as_bytes())).unwrap());
        assert_eq!(
            creds,
            Credentials::OAuthBearer {
                authzid: Some("user@example.com".into()),
                host: Some("server.example.com".into()),
                port: Some(port),
                token: Secret::new(RFC7628_TOKEN),
            }
        );
    }
}

const RFC7628_FAILED_IR: &[u8] =
    b"bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE=";
const RFC7628_ERROR: &[u8] = b"eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

#[test]
fn rfc7628_4_3_failed_exchange_with_dummy_response() {
    let mut server = server(Mechanism::OAuthBearer);
    let creds = done(server.start_base64(Some(RFC7628_FAILED_IR)).unwrap());
    // `auth=` with no value: the client asks for the scope; the token is empty.
    assert!(
        matches!(&creds, Credentials::OAuthBearer { token, port: Some(143), .. }
        if token.is_empty())
    );
    let json = decode_base64(RFC7628_ERROR).unwrap();
    let sent = server.oauth_error(&json).unwrap();
    assert_eq!(encode_base64(&sent).as_bytes(), RFC7628_ERROR);

    // The client answers the error with a single %x01: "AQ==".
    let mut client = SaslClient::oauthbearer(
        Some("user@example.com"),
        Some("server.example.com"),
        Some(143),
        RFC7628_TOKEN,
    );
    let _ = client.initial_response().unwrap();
    assert_eq!(client.step_base64(RFC7628_ERROR).unwrap(), "AQ==");
    assert_eq!(client.server_error(), Some(json.as_slice()));
    assert_eq!(
        server.step_line(b"AQ=="),
        Err(Error::Sasl(SaslError::Failed))
    );
    assert!(server.is_finished());
    assert_eq!(client.step(b""), Err(SaslError::UnexpectedStep));
}

#[test]
fn rfc7628_4_3_failed_exchange_cancelled_with_star() {
    let mut server = server(Mechanism::OAuthBearer);
    let _ = done(server.start_base64(Some(RFC7628_FAILED_IR)).unwrap());
    let _ = server.oauth_error(b"{}").unwrap();
    assert_eq!(
        server.step_line(b"*"),
        Err(Error::Sasl(SaslError::Cancelled))
    );
    assert_eq!(server.step(b"\x01"), Err(SaslError::UnexpectedStep));
}

#[test]
fn rfc7628_4_4_nonstandard_gs2_user_is_rejected() {
    // The RFC's SMTP example writes "n,user=...," which is not RFC 5801's gs2-authzid
    // ("a=" saslname); the formal grammar wins.
    let ir = b"bix1c2VyPXNvbWV1c2VyQGV4YW1wbGUuY29tLAFhdXRoPUJlYXJlciB2RjlkZnQ0cW1UYzJOdmIzUmxja0JoZEhSaGRtbHpkR0V1WTI5dENnPT0BAQ==";
    let mut server = server(Mechanism::OAuthBearer);
    assert!(matches!(
        server.start_base64(Some(ir)),
        Err(Error::Sasl(SaslError::Malformed { .. }))
    ));
}

#[test]
fn xoauth2_google_format() {
    let mut client = SaslClient::xoauth2(
        "someuser@example.com",
        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
    );
    let ir = client.initial_response_base64().unwrap();
    assert_eq!(
        ir,
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    );
    let mut server = server(Mechanism::XOAuth2);
    let creds = done(server.start_base64(Some(ir.as_bytes())).unwrap());
    assert_eq!(
        creds,
        Credentials::XOAuth2 {
            user: "someuser@example.com".into(),
            token: Secret::new("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
        }
    );
}

#[test]
fn xoauth2_failure_json_challenge_and_empty_answer() {
    let mut client = SaslClient::xoauth2("u@example.com", "tok");
    let mut server = server(Mechanism::XOAuth2);
    let ir = client.initial_response().unwrap();
    let _ = done(server.start(Some(&ir)).unwrap());
    let json = br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#;
    let ch = server.oauth_error(json).unwrap();
    assert_eq!(ch, json);
    let answer = client.step(&ch).unwrap();
    assert_eq!(answer, b"");
    assert_eq!(client.server_error(), Some(&json[..]));
    assert_eq!(server.step(&answer), Err(SaslError::Failed));
    // A second error challenge is not answered.
    assert_eq!(client.step(&ch), Err(SaslError::UnexpectedStep));
}

// ----- Round trips for every mechanism ----------------------------------------------------

#[test]
fn every_mechanism_round_trips_with_and_without_initial_response() {
    let clients = || {
        [
            (
                SaslClient::plain(Some("admin"), "user", "pass word"),
                Credentials::Plain {
                    authzid: Some("admin".into()),
                    authcid: "user".into(),
                    password: Secret::new("pass word"),
                },
            ),
            (
                SaslClient::login("user", "pässword"),
                Credentials::Login {
                    username: "user".into(),
                    password: Secret::new("pässword"),
                },
            ),
            (
                SaslClient::xoauth2("u@example.com", "abc.DEF-_~+/=="),
                Credentials::XOAuth2 {
                    user: "u@example.com".into(),
                    token: Secret::new("abc.DEF-_~+/=="),
                },
            ),
            (
                SaslClient::oauthbearer(Some("a,b=c"), Some("imap.example.com"), Some(993), "t0k"),
                Credentials::OAuthBearer {
                    authzid: Some("a,b=c".into()),
                    host: Some("imap.example.com".into()),
                    port: Some(993),
                    token: Secret::new("t0k"),
                },
            ),
            (
                SaslClient::oauthbearer(None, None, None, "t0k"),
                Credentials::OAuthBearer {
                    authzid: None,
                    host: None,
                    port: None,
                    token: Secret::new("t0k"),
                },
            ),
            (
                SaslClient::external(Some("postmaster")),
                Credentials::External {
                    authzid: Some("postmaster".into()),
                },
            ),
            (
                SaslClient::external(None),
                Credentials::External { authzid: None },
            ),
            (
                SaslClient::anonymous("someone@example.org"),
                Credentials::Anonymous {
                    trace: "someone@example.org".into(),
                },
            ),
            (
                SaslClient::anonymous(""),
                Credentials::Anonymous { trace: "".into() },
            ),
        ]
    };
    for use_ir in [true, false] {
        for (mut client, expected) in clients() {
            let got = exchange(&mut client, use_ir).unwrap();
            assert_eq!(got, expected, "use_ir={use_ir}");
            assert_eq!(got.mechanism(), client.mechanism());
        }
    }
    // CRAM-MD5 has no initial response either way.
    for use_ir in [true, false] {
        let mut client = SaslClient::cram_md5("tim", "tanstaaftanstaaf");
        let creds = exchange(&mut client, use_ir).unwrap();
        assert!(creds.verify(b"tanstaaftanstaaf"));
    }
}

#[test]
fn oauthbearer_authzid_is_escaped_on_the_wire() {
    let mut client = SaslClient::oauthbearer(Some("a,b=c"), None, Some(7), "t");
    assert_eq!(
        client.initial_response().unwrap(),
        b"n,a=a=2Cb=3Dc,\x01port=7\x01auth=Bearer t\x01\x01"
    );
}

#[test]
fn login_server_prompts_and_client_ignores_prompt_text() {
    let mut client = SaslClient::login("alice", "secret");
    assert_eq!(client.initial_response(), None);
    let mut server = server(Mechanism::Login);
    let p1 = challenge(server.start(None).unwrap());
    assert_eq!(p1, b"Username:");
    assert_eq!(encode_base64(&p1), "VXNlcm5hbWU6");
    // The client answers by position, not by prompt.
    let user = client.step(b"Who are you?").unwrap();
    assert_eq!(user, b"alice");
    let p2 = challenge(server.step(&user).unwrap());
    assert_eq!(p2, b"Password:");
    assert_eq!(encode_base64(&p2), "UGFzc3dvcmQ6");
    let password = client.step(b"").unwrap();
    assert_eq!(password, b"secret");
    let creds = done(server.step(&password).unwrap());
    assert!(creds.password_matches("alice", "secret"));
    assert!(!creds.password_matches("alice", "Secret"));
    assert_eq!(client.step(b""), Err(SaslError::UnexpectedStep));
}

#[test]
fn login_server_accepts_user_name_as_initial_response() {
    let mut server = server(Mechanism::Login);
    assert_eq!(
        challenge(server.start(Some(b"alice")).unwrap()),
        b"Password:"
    );
    let creds = done(server.step(b"secret").unwrap());
    assert_eq!(creds.authcid(), Some("alice"));
}

// ----- Out-of-order steps -----------------------------------------------------------------

#[test]
fn server_steps_out_of_order_are_unexpected() {
    let mut s = server(Mechanism::Plain);
    assert_eq!(s.step(b"\0a\0b"), Err(SaslError::UnexpectedStep));
    assert!(s.is_finished());

    let mut s = server(Mechanism::Plain);
    let _ = done(s.start(Some(b"\0a\0b")).unwrap());
    assert_eq!(s.start(None), Err(SaslError::UnexpectedStep));
    assert_eq!(s.step(b"\0a\0b"), Err(SaslError::UnexpectedStep));
    assert_eq!(s.oauth_error(b"{}"), Err(SaslError::UnexpectedStep));

    let mut s = server(Mechanism::XOAuth2);
    assert_eq!(s.oauth_error(b"{}"), Err(SaslError::UnexpectedStep));
    let _ = challenge(s.start(None).unwrap());
    assert_eq!(s.oauth_error(b"{}"), Err(SaslError::UnexpectedStep));
}

#[test]
fn client_steps_out_of_order_are_unexpected() {
    let mut plain = SaslClient::plain(None, "u", "p");
    assert!(plain.initial_response().is_some());
    assert_eq!(plain.initial_response(), None);
    assert_eq!(plain.step(b""), Err(SaslError::UnexpectedStep));

    let mut cram = SaslClient::cram_md5("u", "s");
    let _ = cram.step(b"<1@h>").unwrap();
    assert_eq!(cram.step(b"<1@h>"), Err(SaslError::UnexpectedStep));
    assert_eq!(cram.initial_response(), None);

    for mut c in [
        SaslClient::external(None),
        SaslClient::anonymous("x"),
        SaslClient::plain(None, "u", "p"),
    ] {
        let _ = c.step(b"").unwrap();
        assert_eq!(c.initial_response(), None);
        assert_eq!(c.step(b"more"), Err(SaslError::UnexpectedStep));
    }
}

// ----- Cancel and framing errors in the server ----------------------------------------------

#[test]
fn star_line_cancels_and_ends_the_exchange() {
    let mut s = server(Mechanism::Login);
    let _ = challenge(s.start(None).unwrap());
    assert_eq!(s.step_line(b"*"), Err(Error::Sasl(SaslError::Cancelled)));
    assert!(s.is_finished());
    assert_eq!(
        s.step_line(b"YWxpY2U="),
        Err(Error::Sasl(SaslError::UnexpectedStep))
    );
}

#[test]
fn lines_are_refused_when_no_response_is_due() {
    let mut s = server(Mechanism::Plain);
    assert_eq!(
        s.step_line(b"*"),
        Err(Error::Sasl(SaslError::UnexpectedStep))
    );
    let mut s = server(Mechanism::Plain);
    let _ = done(s.start_base64(Some(b"AGEAYg==")).unwrap());
    assert_eq!(
        s.step_line(b"*"),
        Err(Error::Sasl(SaslError::UnexpectedStep))
    );
    assert_eq!(
        s.step_line(b"not base64!"),
        Err(Error::Sasl(SaslError::UnexpectedStep))
    );
}

#[test]
fn bad_base64_ends_the_exchange() {
    let mut s = server(Mechanism::Login);
    let _ = challenge(s.start(None).unwrap());
    assert_eq!(s.step_line(b"YWxp Y2U="), Err(Error::Base64 { offset: 4 }));
    assert!(s.is_finished());

    let mut s = server(Mechanism::Plain);
    assert_eq!(
        s.start_base64(Some(b"AGEAYg")),
        Err(Error::Base64 { offset: 6 })
    );
    assert!(s.is_finished());
    assert_eq!(s.start(None), Err(SaslError::UnexpectedStep));
}

#[test]
fn client_rejects_bad_base64_challenge() {
    let mut c = SaslClient::cram_md5("tim", "x");
    assert_eq!(c.step_base64(b"PDE+ "), Err(Error::Base64 { offset: 4 }));
}

// ----- Server error paths, per mechanism ----------------------------------------------------

fn plain_start(msg: &[u8]) -> Result<ServerStep, SaslError> {
    server(Mechanism::Plain).start(Some(msg))
}

#[test]
fn plain_server_error_paths() {
    assert_malformed(plain_start(b""));
    assert_malformed(plain_start(b"user"));
    assert_malformed(plain_start(b"\0user"));
    assert_malformed(plain_start(b"\0\0pass"));
    assert_malformed(plain_start(b"\0user\0"));
    assert_malformed(plain_start(b"\0user\0pa\0ss"));
    assert_malformed(plain_start(b"\0us\xffer\0pass"));
    assert_malformed(plain_start(b"\xc0\xaf\0user\0pass")); // overlong UTF-8
    assert_malformed(plain_start(b"\0user\0\xed\xa0\x80")); // surrogate
    assert!(plain_start(b"\0user\0pass").is_ok());
}

#[test]
fn login_server_error_paths() {
    let mut s = server(Mechanism::Login);
    let _ = s.start(None).unwrap();
    assert_malformed(s.step(b""));
    assert_eq!(s.step(b"user"), Err(SaslError::UnexpectedStep));

    let mut s = server(Mechanism::Login);
    assert_malformed(s.start(Some(b"us\0er")));

    let mut s = server(Mechanism::Login);
    let _ = s.start(None).unwrap();
    let _ = s.step(b"user").unwrap();
    assert_malformed(s.step(b"\xff"));

    let mut s = server(Mechanism::Login);
    let _ = s.start(None).unwrap();
    let _ = s.step(b"user").unwrap();
    assert_malformed(s.step(b""));
}

#[test]
fn cram_md5_server_error_paths() {
    let mut s = server(Mechanism::CramMd5);
    assert_eq!(
        s.start(Some(b"tim")),
        Err(SaslError::UnexpectedInitialResponse)
    );
    assert!(s.is_finished());

    for bad in [
        &b"timb913a602c7eda7a495b4e6e7334d3890"[..],
        b"tim b913a602c7eda7a495b4e6e7334d389",
        b"tim b913a602c7eda7a495b4e6e7334d3890 ",
        b"tim b913a602c7eda7a495b4e6e7334d389g",
        b" b913a602c7eda7a495b4e6e7334d3890",
        b"t\xffm b913a602c7eda7a495b4e6e7334d3890",
        b"",
    ] {
        let mut s = server(Mechanism::CramMd5);
        let _ = s.start(None).unwrap();
        assert_malformed(s.step(bad));
    }
    // A user name with a space is fine: the digest follows the last space.
    let mut s = server(Mechanism::CramMd5);
    let _ = s.start(None).unwrap();
    let creds = done(
        s.step(b"tim smith b913a602c7eda7a495b4e6e7334d3890")
            .unwrap(),
    );
    assert_eq!(creds.authcid(), Some("tim smith"));
}

#[test]
fn server_construction_errors() {
    assert_eq!(
        SaslServer::new(Mechanism::Other("GSSAPI".into()), "").err(),
        Some(SaslError::UnsupportedMechanism)
    );
    for bad in [
        "",
        "no-brackets@host",
        "<no-at>",
        "<sp ace@host>",
        "<a@b",
        "<a@b>x",
    ] {
        assert!(
            matches!(
                SaslServer::new(Mechanism::CramMd5, bad),
                Err(SaslError::InvalidInput { .. })
            ),
            "{bad:?}"
        );
    }
    let long = format!("<{}@h>", "1".repeat(252));
    assert!(SaslServer::new(Mechanism::CramMd5, &long).is_err());
    let ok = format!("<{}@h>", "1".repeat(251));
    assert!(SaslServer::new(Mechanism::CramMd5, &ok).is_ok());
    // A hand-built Other that spells a known name gets that machine.
    let s = SaslServer::new(Mechanism::Other("plain".into()), "").unwrap();
    assert_eq!(s.mechanism().as_str(), "PLAIN");
    // Other mechanisms ignore the challenge argument.
    assert!(SaslServer::new(Mechanism::Plain, "anything").is_ok());
}

fn xoauth2_start(msg: &[u8]) -> Result<ServerStep, SaslError> {
    server(Mechanism::XOAuth2).start(Some(msg))
}

#[test]
fn xoauth2_server_error_paths() {
    assert_malformed(xoauth2_start(b"user=u\x01auth=Bearer t\x01")); // one kvsep
    assert_malformed(xoauth2_start(b"user=u\x01auth=Bearer t")); // none
    assert_malformed(xoauth2_start(b"user=u\x01\x01")); // no auth
    assert_malformed(xoauth2_start(b"auth=Bearer t\x01\x01")); // no user
    assert_malformed(xoauth2_start(b"user=u\x01user=v\x01auth=Bearer t\x01\x01"));
    assert_malformed(xoauth2_start(b"user=u\x01auth=Basic dTpw\x01\x01"));
    assert_malformed(xoauth2_start(b"user=u\x01auth=Bearer \x01\x01"));
    assert_malformed(xoauth2_start(b"user=u\x01auth=Bearer a b\x01\x01"));
    assert_malformed(xoauth2_start(b"user=u\x01auth=Bearer t=x\x01\x01"));
    assert_malformed(xoauth2_start(b"user=\x01auth=Bearer t\x01\x01"));
    assert_malformed(xoauth2_start(b"user\x01auth=Bearer t\x01\x01"));
    assert_malformed(xoauth2_start(b"us3r=u\x01auth=Bearer t\x01\x01"));
    assert_malformed(xoauth2_start(b""));
    // Scheme case and unknown keys are tolerated.
    let creds = done(xoauth2_start(b"user=u\x01x=y\x01auth=bEaReR  t\x01\x01").unwrap());
    assert_eq!(
        creds,
        Credentials::XOAuth2 {
            user: "u".into(),
            token: Secret::new("t"),
        }
    );
    // Error acknowledgement other than empty.
    let mut s = server(Mechanism::XOAuth2);
    let _ = done(s.start(Some(b"user=u\x01auth=Bearer t\x01\x01")).unwrap());
    let _ = s.oauth_error(b"{}").unwrap();
    assert_malformed(s.step(b"\x01"));
}

fn oauthbearer_start(msg: &[u8]) -> Result<ServerStep, SaslError> {
    server(Mechanism::OAuthBearer).start(Some(msg))
}

#[test]
fn oauthbearer_server_error_paths() {
    let bad: &[&[u8]] = &[
        b"p=tls-unique,,\x01auth=Bearer t\x01\x01", // channel binding requested
        b"x,,\x01auth=Bearer t\x01\x01",            // bad gs2-cb-flag
        b"n\x01auth=Bearer t\x01\x01",              // no comma
        b"n,a=u\x01auth=Bearer t\x01\x01",          // gs2-header not closed
        b"n,b=u,\x01auth=Bearer t\x01\x01",         // not a=
        b"n,a=,\x01auth=Bearer t\x01\x01",          // empty saslname
        b"n,a=u=2X,\x01auth=Bearer t\x01\x01",      // bad escape
        b"n,a=u=,\x01auth=Bearer t\x01\x01",        // truncated escape
        b"n,a=u\0v,\x01auth=Bearer t\x01\x01",      // NUL in saslname
        b"n,a=\xff,\x01auth=Bearer t\x01\x01",      // not UTF-8
        b"n,,auth=Bearer t\x01\x01",                // no kvsep after header
        b"n,,\x01\x01",                             // no auth
        b"n,,\x01auth=Bearer t\x01",                // no final kvsep
        b"n,,\x01auth=Bearer t",                    // no kvseps
        b"n,,\x01auth=Basic dTpw\x01\x01",          // not Bearer
        b"n,,\x01auth=Bearer t\0\x01\x01",          // NUL in value
        b"n,,\x01au-th=Bearer t\x01\x01",           // key not ALPHA
        b"n,,\x01=x\x01auth=Bearer t\x01\x01",      // empty key
        b"n,,\x01port\x01auth=Bearer t\x01\x01",    // no "="
        b"n,,\x01port=0143\x01auth=Bearer t\x01\x01",
        b"n,,\x01port=0\x01auth=Bearer t\x01\x01",
        b"n,,\x01port=65536\x01auth=Bearer t\x01\x01",
        b"n,,\x01port=1a\x01auth=Bearer t\x01\x01",
        b"n,,\x01port=\x01auth=Bearer t\x01\x01",
        b"n,,\x01host=a\x01host=b\x01auth=Bearer t\x01\x01",
        b"n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01",
        b"",
    ];
    for msg in bad {
        assert_malformed(oauthbearer_start(msg));
    }
    // A lone kvsep as the first message: the server fails the exchange.
    assert_eq!(oauthbearer_start(b"\x01"), Err(SaslError::Failed));
    // "y" flag, unknown keys, port 65535 and an empty host value are accepted.
    let creds = done(
        oauthbearer_start(b"y,,\x01mthd=POST\x01port=65535\x01host=\x01auth=Bearer t\x01\x01")
            .unwrap(),
    );
    assert_eq!(
        creds,
        Credentials::OAuthBearer {
            authzid: None,
            host: Some(String::new()),
            port: Some(65535),
            token: Secret::new("t"),
        }
    );
    // The dummy response must be exactly %x01.
    let mut s = server(Mechanism::OAuthBearer);
    let _ = done(s.start(Some(b"n,,\x01auth=Bearer t\x01\x01")).unwrap());
    let _ = s.oauth_error(b"{}").unwrap();
    assert_malformed(s.step(b""));
}

#[test]
fn external_and_anonymous_server_error_paths() {
    let mut s = server(Mechanism::External);
    assert_malformed(s.start(Some(b"a\0b")));
    let mut s = server(Mechanism::External);
    assert_malformed(s.start(Some(b"\xff")));

    let anon = |m: &[u8]| server(Mechanism::Anonymous).start(Some(m));
    assert_malformed(anon("x".repeat(256).as_bytes()));
    assert!(anon("x".repeat(255).as_bytes()).is_ok());
    assert!(anon("é".repeat(255).as_bytes()).is_ok()); // 255 characters, 510 octets
    assert_malformed(anon(b"tab\there"));
    assert_malformed(anon(b"nul\0"));
    assert_malformed(anon(b"\xff"));
    for bad_email in [
        "a@", "@b", "a@b@c", "a..b@c", "a@b..c", "\"a@b", "\"a\"x@b", "a@[b",
    ] {
        assert_malformed(anon(bad_email.as_bytes()));
    }
    for good in [
        "sirhc",
        "",
        "a.b@example.com",
        "\"john doe\"@example.com",
        "\"q\\\"uote\"@example.com",
        "user@[192.0.2.1]",
        "jörg@bücher.example",
    ] {
        let creds = done(anon(good.as_bytes()).unwrap());
        assert_eq!(creds, Credentials::Anonymous { trace: good.into() });
    }
}

// ----- Client error paths -------------------------------------------------------------------

#[test]
fn client_invalid_credentials_are_reported_and_never_encoded() {
    let invalid = [
        SaslClient::plain(Some("a\0"), "u", "p"),
        SaslClient::plain(None, "", "p"),
        SaslClient::plain(None, "u\0", "p"),
        SaslClient::plain(None, "u", ""),
        SaslClient::plain(None, "u", "p\0"),
        SaslClient::login("", "p"),
        SaslClient::login("u", ""),
        SaslClient::login("u\0", "p"),
        SaslClient::cram_md5("", "s"),
        SaslClient::xoauth2("u\x01", "t"),
        SaslClient::xoauth2("", "t"),
        SaslClient::xoauth2("u", "t\x01"),
        SaslClient::xoauth2("u", ""),
        SaslClient::oauthbearer(Some("a\0"), None, None, "t"),
        SaslClient::oauthbearer(None, Some(""), None, "t"),
        SaslClient::oauthbearer(None, Some("h\x01"), None, "t"),
        SaslClient::oauthbearer(None, None, Some(0), "t"),
        SaslClient::oauthbearer(None, None, None, "t t"),
        SaslClient::external(Some("a\0b")),
        SaslClient::anonymous(&"x".repeat(256)),
        SaslClient::anonymous("bad@"),
        SaslClient::anonymous("ctl\x07"),
    ];
    for mut c in invalid {
        let err = c.check().unwrap_err();
        assert!(matches!(err, SaslError::InvalidInput { .. }), "{err:?}");
        assert_eq!(c.initial_response(), None);
        assert_eq!(c.step(b""), Err(err.clone()));
        assert_eq!(c.step(b"<1@h>"), Err(err));
    }
    assert_eq!(SaslClient::plain(Some(""), "u", "p").check(), Ok(()));
}

#[test]
fn cram_md5_client_rejects_empty_challenge() {
    let mut c = SaslClient::cram_md5("tim", "s");
    assert_malformed(c.step(b""));
}

// ----- Secrets stay out of Debug ----------------------------------------------------------

#[test]
fn debug_output_never_shows_secrets() {
    const SECRET: &str = "hunter2-SECRET";
    let secret = Secret::new(SECRET);
    assert_eq!(format!("{secret:?}"), "Secret(***)");
    assert_eq!(secret.expose(), SECRET);

    let mut cram_server = server(Mechanism::CramMd5);
    let _ = cram_server.start(None).unwrap();
    let mut cram_client = SaslClient::cram_md5("tim", SECRET);
    let cram_resp = cram_client.step(CRAM_CHALLENGE.as_bytes()).unwrap();
    let digest = String::from_utf8(cram_resp[4..].to_vec()).unwrap();
    let cram = done(cram_server.step(&cram_resp).unwrap());

    let creds = [
        Credentials::Plain {
            authzid: None,
            authcid: "u".into(),
            password: Secret::new(SECRET),
        },
        Credentials::Login {
            username: "u".into(),
            password: Secret::new(SECRET),
        },
        Credentials::XOAuth2 {
            user: "u".into(),
            token: Secret::new(SECRET),
        },
        Credentials::OAuthBearer {
            authzid: None,
            host: None,
            port: None,
            token: Secret::new(SECRET),
        },
        cram.clone(),
    ];
    for c in &creds {
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(SECRET), "{dbg}");
        assert!(!dbg.contains(&digest), "{dbg}");
        assert!(dbg.contains("***"), "{dbg}");
        let step = format!("{:?}", ServerStep::Done(c.clone()));
        assert!(!step.contains(SECRET) && !step.contains(&digest));
    }
    for c in [
        SaslClient::plain(None, "u", SECRET),
        SaslClient::login("u", SECRET),
        cram_client,
        SaslClient::xoauth2("u", SECRET),
        SaslClient::oauthbearer(None, None, None, SECRET),
    ] {
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(SECRET), "{dbg}");
    }
}

#[test]
fn password_matches_only_for_password_mechanisms() {
    let plain = Credentials::Plain {
        authzid: Some("other".into()),
        authcid: "u".into(),
        password: Secret::new("p"),
    };
    assert!(plain.password_matches("u", "p"));
    assert!(!plain.password_matches("other", "p"));
    assert!(!plain.password_matches("u", "P"));
    assert!(!plain.password_matches("u", "p "));
    assert!(plain.verify(b"p"));
    let token = Credentials::XOAuth2 {
        user: "u".into(),
        token: Secret::new("p"),
    };
    assert!(!token.password_matches("u", "p"));
    assert!(!token.verify(b"p"));
    let ext = Credentials::External { authzid: None };
    assert!(!ext.password_matches("", ""));
    assert_eq!(ext.authcid(), None);
    let anon = Credentials::Anonymous { trace: "x".into() };
    assert!(!anon.verify(b"x"));
    assert_eq!(anon.authzid(), None);
}

#[test]
fn secrets_compare_by_value() {
    assert_eq!(Secret::new("a"), Secret::from("a"));
    assert_ne!(Secret::new("a"), Secret::from(String::from("b")));
    assert_ne!(Secret::new("a"), Secret::new("ab"));
    assert!(Secret::default().is_empty());
    assert!(Secret::new("x").matches(b"x"));
}

// ----- Property tests -----------------------------------------------------------------------

fn mechanisms() -> impl Strategy<Value = Mechanism<'static>> {
    prop_oneof![
        Just(Mechanism::Plain),
        Just(Mechanism::Login),
        Just(Mechanism::CramMd5),
        Just(Mechanism::XOAuth2),
        Just(Mechanism::OAuthBearer),
        Just(Mechanism::External),
        Just(Mechanism::Anonymous),
    ]
}

const B64TOKEN: &str = "[A-Za-z0-9._~+/-]{1,40}={0,2}";

proptest! {
    #[test]
    fn base64_round_trips(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = encode_base64(&data);
        prop_assert_eq!(decode_base64(text.as_bytes()).unwrap(), data.clone());
        let ir = encode_initial_response(&data);
        prop_assert!(!ir.is_empty());
        prop_assert_eq!(decode_initial_response(ir.as_bytes()).unwrap(), data.clone());
        prop_assert_eq!(decode_client_line(text.as_bytes()).unwrap(), ClientLine::Response(data));
    }

    #[test]
    fn base64_decoding_arbitrary_bytes_never_panics(text in proptest::collection::vec(any::<u8>(), 0..64)) {
        match decode_base64(&text) {
            Ok(data) => prop_assert_eq!(encode_base64(&data).into_bytes(), text.clone()),
            Err(Error::Base64 { offset }) => prop_assert!(offset <= text.len()),
            Err(e) => prop_assert!(false, "unexpected error {:?}", e),
        }
    }

    #[test]
    fn plain_round_trips_arbitrary_valid_strings(
        authzid in proptest::option::of("[^\\x00]{1,30}"),
        authcid in "[^\\x00]{1,30}",
        password in "[^\\x00]{1,30}",
    ) {
        let mut client = SaslClient::plain(authzid.as_deref(), &authcid, &password);
        let ir = client.initial_response().unwrap();
        let creds = done(server(Mechanism::Plain).start(Some(&ir)).unwrap());
        prop_assert!(creds.password_matches(&authcid, &password));
        prop_assert_eq!(creds, Credentials::Plain { authzid, authcid, password: Secret::new(password.clone()) });
    }

    #[test]
    fn login_and_cram_round_trip(user in "[^\\x00]{1,30}", password in "[^\\x00]{1,30}") {
        let creds = exchange(&mut SaslClient::login(&user, &password), true).unwrap();
        prop_assert!(creds.password_matches(&user, &password));
        let creds = exchange(&mut SaslClient::cram_md5(&user, &password), false).unwrap();
        prop_assert!(creds.password_matches(&user, &password));
        let wrong = format!("{password}x");
        prop_assert!(!creds.verify(wrong.as_bytes()));
    }

    #[test]
    fn oauth_round_trips(
        authzid in proptest::option::of("[^\\x00]{1,30}"),
        user in "[^\\x00\\x01]{1,30}",
        host in proptest::option::of("[!-~ ]{1,30}"),
        port in proptest::option::of(1u16..),
        token in B64TOKEN,
        use_ir in any::<bool>(),
    ) {
        let creds = exchange(&mut SaslClient::xoauth2(&user, &token), use_ir).unwrap();
        prop_assert_eq!(creds, Credentials::XOAuth2 { user, token: Secret::new(token.clone()) });
        let mut client = SaslClient::oauthbearer(authzid.as_deref(), host.as_deref(), port, &token);
        let creds = exchange(&mut client, use_ir).unwrap();
        prop_assert_eq!(creds, Credentials::OAuthBearer { authzid, host, port, token: Secret::new(token) });
    }

    #[test]
    fn external_and_anonymous_round_trip(
        authzid in proptest::option::of("[^\\x00]{1,30}"),
        trace in "[^@\\p{Cc}]{0,255}",
        use_ir in any::<bool>(),
    ) {
        let creds = exchange(&mut SaslClient::external(authzid.as_deref()), use_ir).unwrap();
        prop_assert_eq!(creds, Credentials::External { authzid });
        let creds = exchange(&mut SaslClient::anonymous(&trace), use_ir).unwrap();
        prop_assert_eq!(creds, Credentials::Anonymous { trace });
    }

    #[test]
    fn server_never_panics_on_arbitrary_responses(
        mech in mechanisms(),
        ir in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
        responses in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..4),
    ) {
        let mut s = server(mech);
        let mut finished = false;
        let mut outcome = s.start(ir.as_deref());
        for r in &responses {
            if let Ok(ServerStep::Done(_)) = &outcome {
                let _ = s.oauth_error(b"{}");
            }
            if outcome.is_err() {
                finished = true;
            }
            outcome = s.step(r);
            if finished {
                prop_assert_eq!(&outcome, &Err(SaslError::UnexpectedStep));
            }
        }
    }

    #[test]
    fn mechanism_names_round_trip(name in "[A-Za-z0-9_-]{1,20}") {
        let m = Mechanism::parse(name.as_bytes()).unwrap();
        prop_assert!(m.as_str().eq_ignore_ascii_case(&name));
        let again = Mechanism::parse(m.as_str().as_bytes()).unwrap();
        prop_assert_eq!(again, m.clone());
    }
}
