//! The blocking SMTP / submission / LMTP client: sends one message to one or more
//! recipients over a [`ClientStream`], driving [`smtp_proto::client::Client`].
//!
//! The session: greeting, EHLO (LHLO), then STARTTLS and EHLO again if asked (sent by the
//! machine under `TlsPolicy::Required`: no STARTTLS, no mail), then AUTH if asked, then
//! the envelope — all of MAIL and RCPT in one write when the server offers PIPELINING —
//! then the content with BDAT when it offers CHUNKING (several chunks; all in
//! one write with PIPELINING) or else with DATA, then QUIT. The MAIL command carries
//! `SIZE=` when SIZE is offered, `BODY=8BITMIME` when the content has 8-bit octets and
//! 8BITMIME is offered, and `SMTPUTF8` when an address or a header is UTF-8 and SMTPUTF8
//! is offered (RFC 6531 §3.4).
//!
//! Line endings: the content is sent with every bare LF made CRLF and a final CRLF added if
//! missing, whether it goes by DATA or by BDAT, so both carry the same octets.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mail_common::sasl::{Mechanism, SaslClient, Secret};
use mail_common::service::Security;
use smtp_proto::client::{Client, ClientConfig, ClientEvent, RecipientOutcome, TlsPolicy};
use smtp_proto::{
    Body, Capability, EhloResponse, ForwardPath, Host, MailFrom, Parameter, Parameters, RcptTo,
    Reply, ReversePath,
};

use super::{SmtpError, reply_text};
use crate::maildir::to_crlf;
use crate::net::client::ClientStream;
use crate::transcript::{Side, Transcript};

/// Credentials for AUTH.
#[derive(Debug, Clone)]
pub struct Login {
    /// The mechanism; `None` picks one the server offers: PLAIN over TLS, else CRAM-MD5,
    /// else whatever of PLAIN and LOGIN is allowed.
    pub mechanism: Option<Mechanism<'static>>,
    /// The user name.
    pub user: String,
    /// The password.
    pub password: Secret,
}

/// How to run the session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Speak LMTP (LHLO; one reply per recipient after the data).
    pub lmtp: bool,
    /// Plaintext, STARTTLS before anything else, or implicit TLS (the stream must then
    /// already be TLS).
    pub security: Security,
    /// The TLS configuration for STARTTLS.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// The name the server's certificate must carry (the `--server` host).
    pub server_name: String,
    /// AUTH, if wanted.
    pub login: Option<Login>,
    /// The EHLO/LHLO argument.
    pub helo: Host<'static>,
    /// Allow PLAIN and LOGIN without TLS (they send the password in the clear).
    pub allow_plaintext_auth: bool,
    /// Use BDAT when CHUNKING is offered.
    pub chunking: bool,
    /// Octets per BDAT chunk.
    pub chunk_size: usize,
    /// Record the session here.
    pub transcript: Option<Transcript>,
}

impl SessionOptions {
    /// Plaintext SMTP to `server_name`, saying EHLO `helo`, no AUTH, BDAT in 1 MiB chunks
    /// when offered.
    #[must_use]
    pub fn new(server_name: impl Into<String>, helo: Host<'static>) -> SessionOptions {
        SessionOptions {
            lmtp: false,
            security: Security::Plain,
            tls: None,
            server_name: server_name.into(),
            login: None,
            helo,
            allow_plaintext_auth: false,
            chunking: true,
            chunk_size: 1024 * 1024,
            transcript: None,
        }
    }
}

/// Where a recipient's fate was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// MAIL was refused (so every recipient fails with that reply).
    Mail,
    /// RCPT was refused.
    Rcpt,
    /// DATA, a BDAT chunk or the end of data was answered: accepted or refused.
    Data,
    /// No answer came (the session failed before the recipient's reply).
    None,
}

/// One recipient's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The recipient.
    pub recipient: ForwardPath<'static>,
    /// Whether the message was accepted for it.
    pub accepted: bool,
    /// Where it was decided.
    pub stage: Stage,
    /// The reply that decided it (`None` with [`Stage::None`]).
    pub reply: Option<Reply<'static>>,
}

/// What a session did.
#[derive(Debug, Clone, Default)]
pub struct SendReport {
    /// The greeting.
    pub greeting: Option<Reply<'static>>,
    /// The last EHLO/LHLO response (after STARTTLS, the one over TLS).
    pub capabilities: Option<EhloResponse<'static>>,
    /// Whether the session was encrypted when the message went.
    pub tls: bool,
    /// The mechanism that authenticated, if any.
    pub authenticated: Option<String>,
    /// The extensions used: `PIPELINING`, `CHUNKING`, `SIZE`, `8BITMIME`, `SMTPUTF8`.
    pub extensions: Vec<&'static str>,
    /// One per recipient, in the order given.
    pub outcomes: Vec<Outcome>,
    /// Things worth telling the user (8-bit content without 8BITMIME, ...).
    pub warnings: Vec<String>,
}

impl SendReport {
    /// Whether every recipient accepted the message.
    #[must_use]
    pub fn all_accepted(&self) -> bool {
        !self.outcomes.is_empty() && self.outcomes.iter().all(|o| o.accepted)
    }
}

/// The message to send.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// `MAIL FROM`.
    pub from: ReversePath<'static>,
    /// `RCPT TO`, at least one.
    pub to: Vec<ForwardPath<'static>>,
}

/// The content as it goes on the wire (before dot-stuffing): bare LF made CRLF, ending in
/// CRLF.
#[must_use]
pub fn wire_content(content: &[u8]) -> Vec<u8> {
    let mut out = to_crlf(content).into_owned();
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Whether the header section (up to the first empty line) has non-ASCII octets.
fn utf8_headers(content: &[u8]) -> bool {
    let end = content
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(content.len());
    content.get(..end).is_some_and(|h| !h.is_ascii())
}

struct Session<'a> {
    options: &'a SessionOptions,
    envelope: &'a Envelope,
    content: Vec<u8>,
    start: Instant,
    client: Client,
    report: SendReport,
    /// The next BDAT offset when chunks go one at a time.
    next_chunk: Option<usize>,
    upgrade: bool,
    quit_sent: bool,
    error: Option<SmtpError>,
}

/// Sends `content` (a message file's bytes) to every recipient of `envelope` over
/// `stream`, which must be freshly connected (and TLS already, for implicit TLS).
///
/// # Errors
/// A failure that stops the whole session (connection, TLS, STARTTLS or AUTH refused, a
/// refused greeting or EHLO, a protocol error). Refused recipients are not errors: see
/// [`SendReport::outcomes`].
pub fn send(
    stream: ClientStream,
    options: &SessionOptions,
    envelope: &Envelope,
    content: &[u8],
) -> Result<SendReport, SmtpError> {
    if envelope.to.is_empty() {
        return Err(SmtpError::Unsupported("no recipient given".into()));
    }
    let mut config = ClientConfig::new(options.helo.clone());
    config.lmtp = options.lmtp;
    config.tls = stream.is_tls();
    config.allow_plaintext_auth = options.allow_plaintext_auth;
    if options.security == Security::StartTls {
        // The machine sends STARTTLS itself after EHLO, and refuses to go on in the clear
        // (only QUIT) when the server does not offer it or refuses it.
        config.starttls = TlsPolicy::Required;
    }
    let start = Instant::now();
    let mut session = Session {
        options,
        envelope,
        content: wire_content(content),
        start,
        client: Client::new(config, Duration::ZERO),
        report: SendReport {
            outcomes: envelope
                .to
                .iter()
                .map(|r| Outcome {
                    recipient: r.clone(),
                    accepted: false,
                    stage: Stage::None,
                    reply: None,
                })
                .collect(),
            ..SendReport::default()
        },
        next_chunk: None,
        upgrade: false,
        quit_sent: false,
        error: None,
    };
    session.run(stream)?;
    Ok(session.report)
}

impl Session<'_> {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn run(&mut self, mut stream: ClientStream) -> Result<(), SmtpError> {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            while let Some(event) = self.client.next_event()? {
                self.on_event(event)?;
                if self.upgrade {
                    break;
                }
            }
            self.flush(&mut stream)?;
            if let Some(e) = self.error.take() {
                // Say goodbye if the session allows it; the error is what counts.
                if !self.quit_sent && self.client.quit(self.now()).is_ok() {
                    self.quit_sent = true;
                    let _ = self.flush(&mut stream);
                }
                let _ = stream.close();
                return Err(e);
            }
            if self.upgrade {
                self.upgrade = false;
                let Some(tls) = &self.options.tls else {
                    return Err(SmtpError::Unsupported(
                        "STARTTLS needs a TLS configuration".into(),
                    ));
                };
                if let Some(t) = &self.options.transcript {
                    t.note("TLS handshake");
                }
                stream
                    .upgrade_to_tls(Arc::clone(tls), &self.options.server_name)
                    .map_err(SmtpError::io("TLS handshake after STARTTLS"))?;
                self.client.tls_established(self.now())?;
                continue;
            }
            if self.client.is_closed() {
                let _ = stream.close();
                return Ok(());
            }
            let n = match stream.read(&mut buf) {
                Ok(0) if self.quit_sent => return Ok(()),
                Ok(0) => return Err(SmtpError::Closed),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(SmtpError::Io {
                        context: "timed out waiting for the server",
                        source: io::ErrorKind::TimedOut.into(),
                    });
                }
                Err(e) => {
                    return Err(SmtpError::Io {
                        context: "read from the server",
                        source: e,
                    });
                }
            };
            let data = buf.get(..n).unwrap_or_default();
            if let Some(t) = &self.options.transcript {
                t.record(Side::Server, data);
            }
            self.client.receive(data, self.now())?;
        }
    }

    fn flush(&mut self, stream: &mut ClientStream) -> Result<(), SmtpError> {
        let out = self.client.transmit();
        if out.is_empty() {
            return Ok(());
        }
        if let Some(t) = &self.options.transcript {
            t.record(Side::Client, out);
        }
        stream
            .write_all(out)
            .and_then(|()| stream.flush())
            .map_err(SmtpError::io("write to the server"))?;
        let n = out.len();
        self.client.consumed(n);
        Ok(())
    }

    fn fail(&mut self, error: SmtpError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    fn on_event(&mut self, event: ClientEvent) -> Result<(), SmtpError> {
        let now = self.now();
        match event {
            ClientEvent::Greeting(r) => self.report.greeting = Some(r),
            ClientEvent::Refused(r) => {
                self.quit_sent = true;
                self.fail(SmtpError::Refused {
                    stage: "the session",
                    reply: reply_text(&r),
                });
            }
            ClientEvent::HelloFailed(r) => self.fail(SmtpError::Refused {
                stage: if self.options.lmtp { "LHLO" } else { "EHLO" },
                reply: reply_text(&r),
            }),
            ClientEvent::Ready(caps) => {
                self.report.capabilities = Some(caps.clone());
                self.report.tls = self.client.is_tls();
                self.ready(&caps)?;
            }
            ClientEvent::TlsReady => self.upgrade = true,
            ClientEvent::TlsRefused(r) => self.fail(SmtpError::Refused {
                stage: "STARTTLS",
                reply: reply_text(&r),
            }),
            ClientEvent::Authenticated => {
                if let Some(caps) = self.report.capabilities.clone() {
                    self.start_transaction(&caps)?;
                }
            }
            ClientEvent::AuthFailed(r) => {
                self.report.authenticated = None;
                self.fail(SmtpError::Refused {
                    stage: "AUTH",
                    reply: reply_text(&r),
                });
            }
            ClientEvent::Envelope { mail, recipients } => {
                self.on_envelope(&mail, recipients, now)?;
            }
            ClientEvent::DataReady => {
                self.client.send_body(&self.content, now)?;
                self.client.finish_body(now)?;
            }
            ClientEvent::DataRefused(r) => {
                self.decide_accepted(&r);
                self.quit()?;
            }
            ClientEvent::ChunkReply(r) => {
                if r.code().is_positive() {
                    if self.next_chunk.is_some() {
                        self.send_chunks(false)?;
                    }
                } else {
                    // The transaction is over: the server refuses the rest.
                    self.decide_accepted(&r);
                    self.next_chunk = None;
                    if !self.pipelining() {
                        self.quit()?;
                    }
                }
            }
            ClientEvent::Delivered(outcomes) => {
                for RecipientOutcome { recipient, reply } in outcomes {
                    self.decide(&recipient, Stage::Data, reply, true);
                }
                self.quit()?;
            }
            ClientEvent::Reply(_) => {}
            ClientEvent::Closed(_) => {}
            ClientEvent::PolicyFailed(e) => {
                // The machine has sent QUIT.
                self.quit_sent = true;
                self.fail(SmtpError::Unsupported(e.to_string()));
            }
            // This session chooses the AUTH mechanism itself: no AUTH policy is set.
            ClientEvent::AuthChosen(_) => {}
        }
        Ok(())
    }

    fn pipelining(&self) -> bool {
        self.report
            .capabilities
            .as_ref()
            .is_some_and(|c| c.has(&Capability::Pipelining))
    }

    fn quit(&mut self) -> Result<(), SmtpError> {
        if !self.quit_sent {
            self.client.quit(self.now())?;
            self.quit_sent = true;
        }
        Ok(())
    }

    /// After EHLO: STARTTLS, AUTH or the transaction, whichever is next.
    fn ready(&mut self, caps: &EhloResponse<'static>) -> Result<(), SmtpError> {
        let now = self.now();
        // STARTTLS, when asked for, was done by the machine before Ready (TlsPolicy).
        if let Some(login) = &self.options.login {
            let offered: Vec<&str> = caps.auth_mechanisms().iter().map(|m| m.as_str()).collect();
            let tls = self.client.is_tls();
            let plaintext_ok = tls || self.options.allow_plaintext_auth;
            let mechanism = match &login.mechanism {
                Some(m) => m.clone(),
                None => {
                    let prefer: &[Mechanism<'static>] = if tls {
                        &[Mechanism::Plain, Mechanism::CramMd5, Mechanism::Login]
                    } else {
                        &[Mechanism::CramMd5, Mechanism::Plain, Mechanism::Login]
                    };
                    match prefer.iter().find(|m| {
                        offered.contains(&m.as_str()) && (plaintext_ok || !m.is_plaintext())
                    }) {
                        Some(m) => m.clone(),
                        None => {
                            self.fail(SmtpError::Unsupported(format!(
                                "no usable AUTH mechanism: the server offers [{}]{}",
                                offered.join(" "),
                                if plaintext_ok {
                                    ""
                                } else {
                                    " (PLAIN and LOGIN need TLS)"
                                }
                            )));
                            return Ok(());
                        }
                    }
                }
            };
            if !offered.contains(&mechanism.as_str()) {
                self.fail(SmtpError::Unsupported(format!(
                    "the server does not offer AUTH {} (it offers [{}])",
                    mechanism.as_str(),
                    offered.join(" ")
                )));
                return Ok(());
            }
            if mechanism.is_plaintext() && !plaintext_ok {
                self.fail(SmtpError::Unsupported(format!(
                    "AUTH {} would send the password in the clear: use --starttls or --tls",
                    mechanism.as_str()
                )));
                return Ok(());
            }
            let (user, pw) = (login.user.as_str(), login.password.expose());
            let sasl = match mechanism {
                Mechanism::Plain => SaslClient::plain(None, user, pw),
                Mechanism::Login => SaslClient::login(user, pw),
                Mechanism::CramMd5 => SaslClient::cram_md5(user, pw),
                Mechanism::XOAuth2 => SaslClient::xoauth2(user, pw),
                other => {
                    self.fail(SmtpError::Unsupported(format!(
                        "this client does not implement AUTH {}",
                        other.as_str()
                    )));
                    return Ok(());
                }
            };
            if self.report.authenticated.is_none() {
                self.report.authenticated = Some(mechanism.as_str().to_owned());
                self.client.authenticate(sasl, now)?;
                return Ok(());
            }
        }
        self.start_transaction(caps)
    }

    /// MAIL and the RCPTs.
    fn start_transaction(&mut self, caps: &EhloResponse<'static>) -> Result<(), SmtpError> {
        let now = self.now();
        self.report.tls = self.client.is_tls();
        let mut params = Vec::new();
        let mut used = Vec::new();
        if caps.has(&Capability::Pipelining) {
            used.push("PIPELINING");
        }
        if caps.size().is_some() {
            params.push(Parameter::Size(self.content.len() as u64));
            used.push("SIZE");
        }
        if !self.content.is_ascii() {
            if caps.has(&Capability::EightBitMime) {
                params.push(Parameter::Body(Body::EightBitMime));
                used.push("8BITMIME");
            } else {
                self.report.warnings.push(
                    "the content has 8-bit octets but the server does not offer 8BITMIME".into(),
                );
            }
        }
        let utf8_addresses =
            !self.envelope.from.is_ascii() || self.envelope.to.iter().any(|t| !t.is_ascii());
        if utf8_addresses || utf8_headers(&self.content) {
            if caps.has(&Capability::SmtpUtf8) {
                params.push(Parameter::SmtpUtf8);
                used.push("SMTPUTF8");
            } else if utf8_addresses {
                self.fail(SmtpError::Unsupported(
                    "an address is UTF-8 but the server does not offer SMTPUTF8".into(),
                ));
                return Ok(());
            } else {
                self.report
                    .warnings
                    .push("the header has UTF-8 but the server does not offer SMTPUTF8".into());
            }
        }
        if self.options.chunking && caps.has(&Capability::Chunking) {
            used.push("CHUNKING");
        }
        self.report.extensions = used;
        let mail = MailFrom {
            path: self.envelope.from.clone(),
            params: Parameters::from_list(params)?,
        };
        let rcpts = self
            .envelope
            .to
            .iter()
            .map(|t| RcptTo {
                path: t.clone(),
                params: Parameters::new(),
            })
            .collect();
        match self.client.send_envelope(mail, rcpts, now) {
            // The machine refuses, before writing anything, what the server's EHLO does not
            // allow (a message over its SIZE limit, RFC 1870 §6, ...): say so and QUIT.
            Err(e) if e.is_local() => self.fail(SmtpError::Unsupported(e.to_string())),
            result => result?,
        }
        Ok(())
    }

    fn on_envelope(
        &mut self,
        mail: &Reply<'static>,
        recipients: Vec<RecipientOutcome>,
        now: Duration,
    ) -> Result<(), SmtpError> {
        if !mail.code().is_positive() {
            for o in &mut self.report.outcomes {
                o.stage = Stage::Mail;
                o.reply = Some(mail.clone());
            }
            return self.quit();
        }
        let mut any = false;
        for RecipientOutcome { recipient, reply } in recipients {
            if reply.code().is_positive() {
                any = true;
            } else {
                self.decide(&recipient, Stage::Rcpt, reply, false);
            }
        }
        if !any {
            return self.quit();
        }
        if self.report.extensions.contains(&"CHUNKING") {
            self.next_chunk = Some(0);
            self.send_chunks(self.pipelining())
        } else {
            self.client.data(now)?;
            Ok(())
        }
    }

    /// Sends the next BDAT chunk, or all of them when `all`.
    fn send_chunks(&mut self, all: bool) -> Result<(), SmtpError> {
        let size = self.options.chunk_size.max(1);
        while let Some(offset) = self.next_chunk {
            let end = offset.saturating_add(size).min(self.content.len());
            let last = end >= self.content.len();
            let chunk = self.content.get(offset..end).unwrap_or_default();
            self.client.send_chunk(chunk, last, self.start.elapsed())?;
            self.next_chunk = if last { None } else { Some(end) };
            if !all {
                break;
            }
        }
        Ok(())
    }

    /// Records a refusal for every recipient that was accepted so far and is undecided.
    fn decide_accepted(&mut self, reply: &Reply<'static>) {
        for o in &mut self.report.outcomes {
            if o.stage == Stage::None {
                o.stage = Stage::Data;
                o.accepted = false;
                o.reply = Some(reply.clone());
            }
        }
    }

    /// Records the first undecided outcome for `recipient`.
    fn decide(
        &mut self,
        recipient: &ForwardPath<'static>,
        stage: Stage,
        reply: Reply<'static>,
        ok: bool,
    ) {
        if let Some(o) = self
            .report
            .outcomes
            .iter_mut()
            .find(|o| o.stage == Stage::None && &o.recipient == recipient)
        {
            o.accepted = ok && reply.code().is_positive();
            o.stage = stage;
            o.reply = Some(reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_content_makes_crlf_and_ends_with_it() {
        assert_eq!(wire_content(b"a\nb"), b"a\r\nb\r\n");
        assert_eq!(wire_content(b"a\r\nb\r\n"), b"a\r\nb\r\n");
        assert_eq!(wire_content(b""), b"\r\n");
    }

    #[test]
    fn utf8_headers_look_only_at_the_header_section() {
        assert!(utf8_headers("Subject: caf\u{e9}\r\n\r\nbody".as_bytes()));
        assert!(!utf8_headers("Subject: x\r\n\r\ncaf\u{e9}".as_bytes()));
        assert!(utf8_headers("Subject: caf\u{e9}".as_bytes()));
    }
}
