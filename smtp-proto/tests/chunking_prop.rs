//! Chunking invariance of both machines: a whole session run with every byte delivered
//! at once, one byte at a time, or in random pieces gives the same bytes and events.

#[path = "common/mod.rs"]
mod common;
#[path = "common/pipe.rs"]
mod pipe;

use mail_common::sasl::SaslClient;
use pipe::{T0, Wire, pump};
use proptest::prelude::*;
use smtp_proto::client::{Client, ClientConfig, ClientEvent};
use smtp_proto::server::{Event, Server, ServerConfig};
use smtp_proto::*;

#[derive(Debug, Clone)]
struct Scenario {
    lmtp: bool,
    pipelining: bool,
    pipeline_data: bool,
    bdat: bool,
    auth: bool,
    rcpts: Vec<(Mailbox<'static>, bool)>,
    body: Vec<u8>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec((common::mailbox(), any::<bool>()), 1..4),
        proptest::collection::vec(
            prop::sample::select(vec![b'a', b'.', b'\r', b'\n', b' ', 0xc3]),
            0..60,
        ),
    )
        .prop_map(
            |(lmtp, pipelining, pipeline_data, bdat, auth, rcpts, body)| Scenario {
                lmtp,
                pipelining,
                pipeline_data,
                bdat,
                auth,
                rcpts,
                body,
            },
        )
}

fn run(sc: &Scenario, chunk: usize) -> Wire {
    let mut scfg = ServerConfig::new("mx.example");
    scfg.lmtp = sc.lmtp;
    scfg.pipelining = sc.pipelining;
    scfg.tls = true;
    scfg.auth_mechanisms = vec![AuthMechanism::PLAIN, AuthMechanism::LOGIN];
    let mut server = Server::new(scfg, T0);
    server.greet().unwrap();
    let mut ccfg = ClientConfig::new(Host::parse("client.example").unwrap().into_owned());
    ccfg.lmtp = sc.lmtp;
    ccfg.tls = true;
    ccfg.pipeline_data = sc.pipeline_data && !sc.bdat;
    let mut client = Client::new(ccfg, T0);
    let refused: Vec<String> = sc
        .rcpts
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(m, _)| m.to_string())
        .collect();
    let mut server_app = |s: &mut Server, ev: Event<'static>, _w: &mut Wire| match ev {
        Event::Command(Command::Ehlo(_) | Command::Lhlo(_)) => s.reply_ehlo().unwrap(),
        Event::Command(Command::RcptTo(r)) => {
            let bad =
                matches!(&r.path, ForwardPath::Mailbox(m) if refused.contains(&m.to_string()));
            let code = if bad { 550 } else { 250 };
            s.reply(&Reply::new(code, None, "rcpt").unwrap()).unwrap()
        }
        Event::Command(Command::Data) => s.reply(&Reply::new(354, None, "go").unwrap()).unwrap(),
        Event::Command(Command::Quit) => s.reply(&Reply::new(221, None, "bye").unwrap()).unwrap(),
        Event::Command(_) => s.reply(&Reply::new(250, None, "ok").unwrap()).unwrap(),
        Event::DataEnd { replies } | Event::BdatEnd { replies, .. } => {
            for n in 0..replies {
                s.reply(&Reply::new(250, None, format!("done {n}")).unwrap())
                    .unwrap();
            }
        }
        Event::Authenticate(c) => s.credentials_valid(c.password_matches("u", "p")).unwrap(),
        _ => {}
    };
    let rcpts: Vec<RcptTo<'static>> = sc
        .rcpts
        .iter()
        .map(|(m, _)| RcptTo {
            path: ForwardPath::Mailbox(m.clone()),
            params: Parameters::new(),
        })
        .collect();
    let smtputf8 = sc.rcpts.iter().any(|(m, _)| !m.is_ascii());
    let (bdat, body, auth) = (sc.bdat, sc.body.clone(), sc.auth);
    let mut authed = false;
    let data_pipelined = sc.pipeline_data && !sc.bdat && sc.pipelining;
    let mut quit_sent = false;
    let mut client_app = |c: &mut Client, ev: &ClientEvent| match ev {
        ClientEvent::Ready(_) if auth && !authed => {
            authed = true;
            c.authenticate(SaslClient::login("u", "p"), T0).unwrap()
        }
        ClientEvent::Ready(_) | ClientEvent::Authenticated => {
            let params = if smtputf8 {
                Parameters::from_list(vec![Parameter::SmtpUtf8]).unwrap()
            } else {
                Parameters::new()
            };
            c.send_envelope(
                MailFrom {
                    path: ReversePath::Null,
                    params,
                },
                rcpts.clone(),
                T0,
            )
            .unwrap()
        }
        ClientEvent::Envelope { mail, recipients } => {
            let any = mail.code().is_positive()
                && recipients.iter().any(|o| o.reply.code().is_positive());
            if !any {
                // With DATA pipelined, its refusal follows; otherwise reset.
                if !data_pipelined {
                    c.rset(T0).unwrap();
                }
            } else if bdat {
                let (a, b) = body.split_at(body.len() / 2);
                c.send_chunk(a, false, T0).unwrap();
                c.send_chunk(b, true, T0).unwrap();
            } else if c.data(T0).is_err() {
                // DATA was pipelined with the envelope.
            }
        }
        ClientEvent::DataReady => {
            c.send_body(&body, T0).unwrap();
            c.finish_body(T0).unwrap();
        }
        ClientEvent::Delivered(_) | ClientEvent::DataRefused(_) | ClientEvent::Reply(_)
            if !quit_sent =>
        {
            quit_sent = true;
            c.quit(T0).unwrap()
        }
        _ => {}
    };
    let mut wire = Wire::default();
    pump(
        &mut client,
        &mut server,
        chunk,
        &mut server_app,
        &mut client_app,
        &mut wire,
    );
    wire
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn both_machines_are_chunking_invariant(sc in scenario(), chunk in 2usize..40) {
        let whole = run(&sc, usize::MAX);
        prop_assert!(whole.client_events.iter().any(|e| matches!(e, ClientEvent::Closed(_))), "{:?}", whole.client_events);
        let one = run(&sc, 1);
        prop_assert_eq!(&one, &whole);
        let some = run(&sc, chunk);
        prop_assert_eq!(&some, &whole);
    }
}
