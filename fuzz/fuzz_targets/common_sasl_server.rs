//! SASL server machines fed arbitrary responses, for every mechanism: no panic; after an
//! error every further step is `UnexpectedStep`; credentials the client side can encode
//! again decode to the same value (decode → encode → decode).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::Error;
use mail_common::sasl::{Credentials, Mechanism, SaslClient, SaslError, SaslServer, ServerStep};

const MECHS: [Mechanism<'static>; 7] = [
    Mechanism::Plain,
    Mechanism::Login,
    Mechanism::CramMd5,
    Mechanism::XOAuth2,
    Mechanism::OAuthBearer,
    Mechanism::External,
    Mechanism::Anonymous,
];

/// The client that would send these credentials, for the client-first mechanisms.
fn client_for(creds: &Credentials) -> Option<SaslClient> {
    Some(match creds {
        Credentials::Plain {
            authzid,
            authcid,
            password,
        } => SaslClient::plain(authzid.as_deref(), authcid, password.expose()),
        Credentials::XOAuth2 { user, token } => SaslClient::xoauth2(user, token.expose()),
        Credentials::OAuthBearer {
            authzid,
            host,
            port,
            token,
        } => SaslClient::oauthbearer(authzid.as_deref(), host.as_deref(), *port, token.expose()),
        Credentials::External { authzid } => SaslClient::external(authzid.as_deref()),
        Credentials::Anonymous { trace } => SaslClient::anonymous(trace),
        Credentials::Login { .. } | Credentials::CramMd5 { .. } => return None,
    })
}

fn check_done(mech: &Mechanism<'static>, creds: &Credentials) {
    assert_eq!(&creds.mechanism(), mech);
    if let Some(mut client) = client_for(creds) {
        if client.check().is_ok() {
            let message = client.initial_response().expect("client-first mechanism");
            let mut again = SaslServer::new(mech.clone(), "<1.2@fuzz>").unwrap();
            match again.start(Some(&message)) {
                Ok(ServerStep::Done(c)) => assert_eq!(&c, creds),
                other => panic!("re-encoded credentials did not parse: {other:?}"),
            }
        }
    }
}

fuzz_target!(|input: (u8, Option<&[u8]>, Vec<&[u8]>, bool, bool)| {
    let (selector, initial, responses, as_base64, refuse_token) = input;
    let mech = MECHS[usize::from(selector) % MECHS.len()].clone();
    let mut server = SaslServer::new(mech.clone(), "<1.2@fuzz>").unwrap();
    let mut outcome: Result<ServerStep, ()> = if as_base64 {
        server.start_base64(initial).map_err(drop)
    } else {
        server.start(initial).map_err(drop)
    };
    let mut ended = false;
    for response in responses {
        match &outcome {
            Ok(ServerStep::Done(creds)) => {
                check_done(&mech, creds);
                if refuse_token {
                    let _ = server.oauth_error(b"{\"status\":\"invalid_token\"}");
                }
            }
            Ok(ServerStep::Challenge(_)) => {}
            Err(()) => ended = true,
        }
        let step = if as_base64 {
            server.step_line(response)
        } else {
            server.step(response).map_err(Error::Sasl)
        };
        if ended {
            assert_eq!(step, Err(Error::Sasl(SaslError::UnexpectedStep)));
        }
        outcome = step.map_err(drop);
    }
    if let Ok(ServerStep::Done(creds)) = &outcome {
        check_done(&mech, creds);
        let _ = format!("{creds:?}");
    }
});
