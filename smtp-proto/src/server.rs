//! The server (receiver) session machine: RFC 5321 §3 and §4.3, with PIPELINING
//! (RFC 2920), CHUNKING (RFC 3030), STARTTLS (RFC 3207), AUTH (RFC 4954) and LMTP
//! (RFC 2033).
//!
//! Sans-IO, shaped like h11 and quinn-proto: the machine never reads a socket or a clock.
//!
//! # Call order
//!
//! 1. [`Server::new`] with a [`ServerConfig`] and the current time, then [`Server::greet`]
//!    (or [`Server::greet_with`]).
//! 2. Whenever bytes arrive: [`Server::receive`]. Then call [`Server::next_event`] until
//!    it returns `Ok(None)`, answering each event that needs an answer (see [`Event`]) with
//!    [`Server::reply`] (or [`Server::reply_ehlo`], [`Server::credentials_valid`],
//!    [`Server::tls_established`]). The machine reads the next command only once the
//!    current one is answered, so replies always come in command order (RFC 2920 §3.1).
//! 3. Write [`Server::transmit`] to the peer and report it with [`Server::consumed`].
//! 4. Arm a timer for [`Server::poll_timeout`]; when it fires call
//!    [`Server::handle_timeout`].
//!
//! Protocol errors the RFC gives a fixed answer to (bad sequence 503, syntax 500/501,
//! too many recipients 452, message too large 552, line too long 500, bare CR/LF in data)
//! are answered by the machine itself.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use mail_common::buffer::InputBuffer;
use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotUnstuffer, Unstuffed};
use mail_common::line::{LineConfig, LineScanner, SMTP_COMMAND_LINE, SMTP_TEXT_LINE};
use mail_common::sasl::{
    Credentials, Mechanism, SaslError, SaslServer, ServerStep, decode_initial_response,
};

use crate::error::Error;
use crate::serialize::Encode;
use crate::types::{
    AuthMechanism, Body, Capability, Command, EhloResponse, EnhancedCode, InitialResponse,
    Parameter, Reply,
};

/// Server settings. Every limit is explicit.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// This server's name, for the greeting and the EHLO response.
    pub hostname: String,
    /// Speak LMTP (RFC 2033): LHLO instead of EHLO/HELO, one reply per recipient after
    /// the data.
    pub lmtp: bool,
    /// Most recipients per transaction (RFC 5321 §4.5.3.1.8 requires at least 100).
    pub max_recipients: usize,
    /// Largest message in octets, announced as SIZE (RFC 1870); `None` announces `SIZE 0`
    /// (no fixed limit).
    pub max_message_size: Option<u64>,
    /// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4: 512). AUTH lines may be
    /// up to [`crate::types::AUTH_LINE`] whatever this says (RFC 4954 §4).
    pub max_command_line: usize,
    /// Longest `MAIL FROM` line, CRLF included: [`crate::types::MAX_MAIL_LINE`], the 512
    /// octets plus what the MAIL parameters' extensions add (RFC 3461 §5.4: "any
    /// combination of ESMTP parameters").
    pub max_mail_line: usize,
    /// Longest `RCPT TO` line, CRLF included: [`crate::types::MAX_RCPT_LINE`] (512 + 530
    /// for NOTIFY and ORCPT, RFC 3461 §5.4).
    pub max_rcpt_line: usize,
    /// Longest text line in DATA, CRLF included, not counting the dot added by
    /// dot-stuffing (RFC 5321 §4.5.3.1.6: 1000); `None` for no limit. (Enforced as one
    /// more wire octet, so a line without a stuffed dot may exceed it by one.)
    pub max_text_line: Option<usize>,
    /// Bare CR / LF in DATA: rejected (the default, with a 550 after the end of data) or
    /// passed through. Only CRLF.CRLF ever ends the data.
    pub bare_line_endings: BareLineEndings,
    /// Most unread input bytes held while a reply is due (pipelined commands).
    pub max_buffered_input: usize,
    /// How long to wait for the next command (RFC 5321 §4.5.3.2.7: at least 5 minutes).
    pub command_timeout: Duration,
    /// Announce PIPELINING.
    pub pipelining: bool,
    /// Announce CHUNKING and BINARYMIME (and accept BDAT).
    pub chunking: bool,
    /// Announce SMTPUTF8 (and accept UTF-8 addresses with it).
    pub smtputf8: bool,
    /// Announce STARTTLS (when the connection is not already encrypted).
    pub starttls: bool,
    /// The connection is already encrypted (implicit TLS, RFC 8314).
    pub tls: bool,
    /// SASL mechanisms to offer in AUTH.
    pub auth_mechanisms: Vec<AuthMechanism<'static>>,
    /// Offer and accept plaintext mechanisms (PLAIN, LOGIN, ...) before TLS.
    pub allow_plaintext_auth: bool,
    /// The `<unique@host>` CRAM-MD5 challenge for this session (the caller makes it unique;
    /// RFC 2195 §2). CRAM-MD5 is refused without it.
    pub cram_challenge: Option<String>,
    /// Further capabilities to announce. MAIL/RCPT parameters of DSN, REQUIRETLS,
    /// MT-PRIORITY, FUTURERELEASE and DELIVERBY are answered 555 unless their capability
    /// is here (RFC 5321 §4.1.1.11); the application then handles them.
    pub extra_capabilities: Vec<Capability<'static>>,
}

impl ServerConfig {
    /// Defaults: SMTP, 100 recipients, 512/1000-octet lines, bare CR/LF rejected,
    /// 5-minute timeout, PIPELINING, CHUNKING, SMTPUTF8 and 8BITMIME announced.
    pub fn new(hostname: impl Into<String>) -> Self {
        ServerConfig {
            hostname: hostname.into(),
            lmtp: false,
            max_recipients: 100,
            max_message_size: None,
            max_command_line: SMTP_COMMAND_LINE,
            max_mail_line: crate::types::MAX_MAIL_LINE,
            max_rcpt_line: crate::types::MAX_RCPT_LINE,
            max_text_line: Some(SMTP_TEXT_LINE),
            bare_line_endings: BareLineEndings::Reject,
            max_buffered_input: 256 * 1024,
            command_timeout: Duration::from_secs(300),
            pipelining: true,
            chunking: true,
            smtputf8: true,
            starttls: false,
            tls: false,
            auth_mechanisms: Vec::new(),
            allow_plaintext_auth: false,
            cram_challenge: None,
            extra_capabilities: Vec::new(),
        }
    }
}

/// What the peer did. Events borrow from the machine's input: copy what you need before
/// answering.
#[derive(Debug)]
pub enum Event<'a> {
    /// A command to answer with [`Server::reply`] (EHLO/LHLO: [`Server::reply_ehlo`] or a
    /// negative reply). Sequencing has been checked. DATA: a 354 reply starts the data.
    /// QUIT: the session closes after the reply. STARTTLS: after a 220 reply comes
    /// [`Event::StartTls`]. Not produced for AUTH (see [`Event::Authenticate`]), BDAT
    /// (see [`Event::BdatStart`]) or commands the machine answered itself.
    Command(Command<'a>),
    /// `BDAT size [LAST]` was read; `size` octets of [`Event::BodyChunk`] follow, then
    /// [`Event::BdatEnd`]. No reply yet.
    BdatStart {
        /// The chunk size.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// Message content: un-stuffed DATA, or BDAT octets exactly as sent.
    BodyChunk(Cow<'a, [u8]>),
    /// The end of DATA. Reply once (SMTP), or once per accepted recipient in RCPT order
    /// (LMTP, RFC 2033 §4.2).
    DataEnd {
        /// Replies due.
        replies: usize,
    },
    /// The end of a BDAT chunk. Reply as for [`Event::DataEnd`] (LMTP: per recipient after
    /// the LAST chunk only).
    BdatEnd {
        /// Whether it was the last chunk.
        last: bool,
        /// Replies due.
        replies: usize,
    },
    /// The message was refused: reported at its end, in place of [`Event::DataEnd`], after
    /// the machine answered (550 bare CR/LF, 500 over-long line, 552 over the size limit).
    /// Drop what was received. Body chunks stop at the first problem; a framing error
    /// (bare CR/LF, long line) is reported in preference to the size limit, so the
    /// outcome is the same for any chunking.
    DataAborted {
        /// Why.
        error: Error,
    },
    /// A SASL exchange completed: check the credentials, then call
    /// [`Server::credentials_valid`].
    Authenticate(Credentials),
    /// The 220 reply to STARTTLS is queued: write it, do the TLS handshake, then call
    /// [`Server::tls_established`]. `discarded` counts plaintext bytes that followed the
    /// STARTTLS command and were dropped (RFC 3207 §4.2, CVE-2011-0411).
    StartTls {
        /// Dropped bytes.
        discarded: usize,
    },
}

impl Event<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Event<'static> {
        match self {
            Event::Command(c) => Event::Command(c.into_owned()),
            Event::BdatStart { size, last } => Event::BdatStart { size, last },
            Event::BodyChunk(c) => Event::BodyChunk(Cow::Owned(c.into_owned())),
            Event::DataEnd { replies } => Event::DataEnd { replies },
            Event::BdatEnd { last, replies } => Event::BdatEnd { last, replies },
            Event::DataAborted { error } => Event::DataAborted { error },
            Event::Authenticate(c) => Event::Authenticate(c),
            Event::StartTls { discarded } => Event::StartTls { discarded },
        }
    }
}

/// What the owed reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Hello {
        ehlo: bool,
    },
    Mail {
        smtputf8: bool,
    },
    Rcpt,
    Data,
    Rset,
    Quit,
    StartTls,
    Other,
    /// End of DATA or of a BDAT chunk: `left` replies still due; `ends` the transaction.
    MessageEnd {
        left: usize,
        ends: bool,
    },
}

#[derive(Debug, Clone)]
enum State {
    /// Not greeted yet.
    Start,
    /// Greeted with 554: only QUIT is accepted (RFC 5321 §3.1).
    Refused,
    /// Reading commands.
    Command,
    /// Discarding the rest of an over-long command line.
    Discard,
    /// A reply is owed.
    Await(Pending),
    /// Reading DATA; `abort` is set after an error (then the data is only skipped).
    Data {
        abort: Option<Error>,
        oversized: Option<Error>,
        skip: Option<EndScan>,
    },
    /// Reading a BDAT chunk.
    Bdat {
        left: u64,
        last: bool,
        refuse: Option<Reply<'static>>,
        announced: bool,
    },
    /// A SASL exchange: a client line is due.
    Auth(SaslServer),
    /// Credentials were reported; `credentials_valid` is due.
    AuthVerify,
    /// 220 to STARTTLS sent; `tls_established` is due.
    Tls { reported: bool },
    /// QUIT answered, or closed after a timeout or fatal error.
    Closed,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Hello {
    #[default]
    None,
    Helo,
    Ehlo,
}

/// The mail transaction, RFC 5321 §3.3.
#[derive(Debug, Default, Clone)]
struct Txn {
    mail: bool,
    smtputf8: bool,
    binary: bool,
    rcpts: usize,
    bdat: bool,
    size: u64,
}

#[derive(Debug, Clone)]
struct Core {
    config: ServerConfig,
    state: State,
    hello: Hello,
    txn: Txn,
    tls: bool,
    authenticated: bool,
    out: Vec<u8>,
    scanner: LineScanner,
    dot: DotUnstuffer,
    deadline: Option<Duration>,
    fatal: Option<Error>,
    discarded_after_tls: usize,
    /// Wire bytes of the current DATA section already consumed (error offsets count from
    /// the start of the data, whatever the chunking).
    data_pos: usize,
}

/// The server session machine. See the [module docs](self) for the call order.
///
/// `Clone` copies the whole session (handy for tests and for forking a prepared state).
#[derive(Debug, Clone)]
#[must_use]
pub struct Server {
    input: InputBuffer,
    /// Input bytes already handled by the last `next_event` (dropped at the next call, so
    /// that an event can borrow them).
    used: usize,
    core: Core,
}

fn r(code: u16, e: (u8, u16, u16), text: &'static str) -> Reply<'static> {
    Reply::fixed(code, e, text)
}

enum Step<'a> {
    /// Bytes handled without an event.
    Consumed(usize),
    Event(Event<'a>, usize),
    Wait,
}

impl Server {
    /// A new session; nothing is sent until [`greet`](Self::greet).
    pub fn new(config: ServerConfig, now: Duration) -> Self {
        let tls = config.tls;
        let scanner = LineScanner::new(LineConfig::new(config.max_command_line));
        let dot = DotUnstuffer::new(DotConfig {
            // RFC 5321 §4.5.3.1.6: 1000 octets "not counting the leading dot duplicated
            // for transparency"; the un-stuffer counts content octets (mail-common DotConfig).
            max_line_len: config.max_text_line,
            bare_line_endings: config.bare_line_endings,
        });
        let deadline = now.checked_add(config.command_timeout);
        Server {
            input: InputBuffer::new(),
            used: 0,
            core: Core {
                config,
                state: State::Start,
                hello: Hello::None,
                txn: Txn::default(),
                tls,
                authenticated: false,
                out: Vec::new(),
                scanner,
                dot,
                deadline,
                fatal: None,
                discarded_after_tls: 0,
                data_pos: 0,
            },
        }
    }

    /// Sends the usual greeting, `220 <hostname> ESMTP` (or `LMTP`).
    ///
    /// # Errors
    /// [`Error::Misuse`] if already greeted.
    pub fn greet(&mut self) -> Result<(), Error> {
        let text = alloc::format!(
            "{} {}",
            self.core.config.hostname,
            if self.core.config.lmtp {
                "LMTP"
            } else {
                "ESMTP"
            }
        );
        let reply = Reply::new(220, None, text)?;
        self.greet_with(&reply)
    }

    /// Sends a greeting of your own: 220, or 554 to refuse the session (the machine then
    /// answers 503 to everything but QUIT, RFC 5321 §3.1), or 421.
    ///
    /// # Errors
    /// [`Error::Misuse`] if already greeted or the code is not 220, 421 or 554.
    pub fn greet_with(&mut self, reply: &Reply<'_>) -> Result<(), Error> {
        if !matches!(self.core.state, State::Start) {
            return Err(Error::Misuse("already greeted"));
        }
        reply.encode(&mut self.core.out);
        self.core.state = match reply.code().get() {
            220 => State::Command,
            554 => State::Refused,
            421 => State::Closed,
            _ => return Err(Error::Misuse("greeting must be 220, 421 or 554")),
        };
        Ok(())
    }

    /// Feeds bytes from the peer.
    ///
    /// # Errors
    /// The sticky fatal error, or [`Error::LimitExceeded`] when more than
    /// `max_buffered_input` bytes would be held (stop reading until
    /// [`next_event`](Self::next_event) has drained some; see
    /// [`wants_input`](Self::wants_input)).
    pub fn receive(&mut self, data: &[u8], now: Duration) -> Result<(), Error> {
        self.core.check()?;
        if let State::Tls { .. } = self.core.state {
            // Plaintext after STARTTLS, before the handshake: never a command.
            self.core.discarded_after_tls += data.len();
            return Ok(());
        }
        self.drop_used();
        if self.input.len() + data.len() > self.core.config.max_buffered_input {
            return Err(Error::LimitExceeded {
                what: "buffered input",
                limit: self.core.config.max_buffered_input,
            });
        }
        self.input.extend(data);
        self.core.deadline = now.checked_add(self.core.config.command_timeout);
        Ok(())
    }

    /// Whether there is room for more input.
    pub fn wants_input(&self) -> bool {
        self.input.len().saturating_sub(self.used) < self.core.config.max_buffered_input
    }

    fn drop_used(&mut self) {
        self.input.consume(core::mem::take(&mut self.used));
    }

    /// The next event, or `None` if more input (or a reply) is needed first.
    ///
    /// # Errors
    /// The sticky fatal error, if any.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        self.core.check()?;
        self.drop_used();
        let buf = self.input.as_slice();
        let core = &mut self.core;
        let used = &mut self.used;
        loop {
            let rest = buf.get(*used..).unwrap_or_default();
            match core.step(rest)? {
                Step::Consumed(n) => *used += n,
                Step::Event(ev, n) => {
                    *used += n;
                    return Ok(Some(ev));
                }
                Step::Wait => return Ok(None),
            }
        }
    }

    /// Answers the command or message the last event reported.
    ///
    /// # Errors
    /// [`Error::Misuse`] when no reply is due (or for a 354 to anything but DATA, a 220
    /// to anything but STARTTLS, or anything but 354 or a 4xx/5xx to DATA, or anything
    /// but 220 or a 4xx/5xx to STARTTLS); nothing is written and the reply is still due.
    pub fn reply(&mut self, reply: &Reply<'_>) -> Result<(), Error> {
        self.core.check()?;
        let State::Await(pending) = self.core.state else {
            return Err(Error::Misuse("no reply is due"));
        };
        let ok = reply.code().is_positive();
        let code = reply.code().get();
        if code == 354 && pending != Pending::Data {
            return Err(Error::Misuse("354 answers DATA only"));
        }
        if code == 220 && pending != Pending::StartTls {
            return Err(Error::Misuse("220 answers STARTTLS only"));
        }
        // RFC 5321 §4.3.2: DATA is answered 354 or an error; a 2xx would leave the client
        // sending message content that this machine then reads as commands. RFC 3207 §4:
        // STARTTLS is answered 220 or an error.
        if pending == Pending::Data && code != 354 && !reply.code().is_negative() {
            return Err(Error::Misuse("DATA is answered 354 or an error"));
        }
        if pending == Pending::StartTls && code != 220 && !reply.code().is_negative() {
            return Err(Error::Misuse("STARTTLS is answered 220 or an error"));
        }
        reply.encode(&mut self.core.out);
        let c = &mut self.core;
        c.state = State::Command;
        let mut tls = false;
        match pending {
            Pending::Hello { ehlo } if ok => {
                c.hello = if ehlo { Hello::Ehlo } else { Hello::Helo };
                c.txn = Txn::default();
            }
            Pending::Mail { smtputf8 } if ok => {
                c.txn = Txn {
                    mail: true,
                    smtputf8,
                    binary: c.txn.binary,
                    ..Txn::default()
                };
            }
            Pending::Mail { .. } => c.txn = Txn::default(),
            Pending::Rcpt if ok => c.txn.rcpts += 1,
            Pending::Data if code == 354 => {
                c.dot.reset();
                c.data_pos = 0;
                c.state = State::Data {
                    abort: None,
                    oversized: None,
                    skip: None,
                };
            }
            Pending::Rset if ok => c.txn = Txn::default(),
            Pending::Quit => c.state = State::Closed,
            Pending::StartTls if code == 220 => {
                c.state = State::Tls { reported: false };
                tls = true;
            }
            Pending::MessageEnd { left, ends } => {
                if left > 1 {
                    c.state = State::Await(Pending::MessageEnd {
                        left: left - 1,
                        ends,
                    });
                } else if ends {
                    c.txn = Txn::default();
                }
            }
            _ => {}
        }
        if tls {
            // RFC 3207 §4.2: anything the client pipelined after STARTTLS is discarded.
            self.drop_used();
            self.core.discarded_after_tls = self.input.clear();
        }
        Ok(())
    }

    /// The EHLO/LHLO response this configuration announces. With a configuration
    /// [`EhloResponse::new`] refuses (a hostname with a space, an invalid extra
    /// capability) this is a bare `localhost` response; [`Server::reply_ehlo`] refuses to
    /// send that (see [`try_ehlo_response`](Self::try_ehlo_response)).
    pub fn ehlo_response(&self) -> EhloResponse<'static> {
        self.try_ehlo_response().unwrap_or_else(|_| EhloResponse {
            domain: Cow::Borrowed("localhost"),
            greeting: None,
            capabilities: Vec::new(),
        })
    }

    /// The EHLO/LHLO response this configuration announces, or why the configuration
    /// cannot be announced.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] from [`EhloResponse::new`].
    pub fn try_ehlo_response(&self) -> Result<EhloResponse<'static>, Error> {
        let c = &self.core.config;
        let mut caps = Vec::new();
        if c.pipelining {
            caps.push(Capability::Pipelining);
        }
        caps.push(Capability::Size(Some(c.max_message_size.unwrap_or(0))));
        caps.push(Capability::EightBitMime);
        caps.push(Capability::EnhancedStatusCodes);
        if c.chunking {
            caps.push(Capability::Chunking);
            caps.push(Capability::BinaryMime);
        }
        if c.smtputf8 {
            caps.push(Capability::SmtpUtf8);
        }
        if c.starttls && !self.core.tls {
            caps.push(Capability::StartTls);
        }
        let mechs: Vec<_> = self.core.offered_mechanisms().cloned().collect();
        if !mechs.is_empty() {
            caps.push(Capability::Auth(mechs));
        }
        caps.extend(c.extra_capabilities.iter().cloned());
        EhloResponse::new(c.hostname.clone(), None, caps)
    }

    /// Accepts EHLO/LHLO with [`ehlo_response`](Self::ehlo_response), or HELO with a
    /// plain 250.
    ///
    /// # Errors
    /// [`Error::Misuse`] when no EHLO/HELO/LHLO is being answered;
    /// [`Error::InvalidValue`] when the configuration cannot be announced
    /// ([`try_ehlo_response`](Self::try_ehlo_response)): nothing is written (rather than
    /// a response silently missing STARTTLS, AUTH and the rest), and the reply is still
    /// due.
    pub fn reply_ehlo(&mut self) -> Result<(), Error> {
        match self.core.state {
            State::Await(Pending::Hello { ehlo: true }) => {
                let reply = self.try_ehlo_response()?.to_reply();
                self.reply(&reply)
            }
            State::Await(Pending::Hello { ehlo: false }) => {
                let reply = Reply::new(250, None, self.core.config.hostname.clone())?;
                self.reply(&reply)
            }
            _ => Err(Error::Misuse("no EHLO, HELO or LHLO to answer")),
        }
    }

    /// Reports whether the credentials of [`Event::Authenticate`] are good: replies
    /// `235 2.7.0` or `535 5.7.8` (RFC 4954 §6).
    ///
    /// # Errors
    /// [`Error::Misuse`] if no credentials are being checked.
    pub fn credentials_valid(&mut self, valid: bool) -> Result<(), Error> {
        self.core.check()?;
        if !matches!(self.core.state, State::AuthVerify) {
            return Err(Error::Misuse("no credentials to check"));
        }
        let reply = if valid {
            self.core.authenticated = true;
            r(235, (2, 7, 0), "Authentication successful")
        } else {
            r(535, (5, 7, 8), "Authentication credentials invalid")
        };
        reply.encode(&mut self.core.out);
        self.core.state = State::Command;
        Ok(())
    }

    /// The TLS handshake after STARTTLS completed: the session starts over (RFC 3207 §4.2:
    /// the client must EHLO again; nothing learnt before is kept).
    ///
    /// # Errors
    /// [`Error::Misuse`] if no STARTTLS was accepted.
    pub fn tls_established(&mut self, now: Duration) -> Result<(), Error> {
        self.core.check()?;
        if !matches!(self.core.state, State::Tls { .. }) {
            return Err(Error::Misuse("no STARTTLS was accepted"));
        }
        let c = &mut self.core;
        c.tls = true;
        c.hello = Hello::None;
        c.txn = Txn::default();
        c.authenticated = false;
        c.state = State::Command;
        c.scanner.reset();
        c.deadline = now.checked_add(c.config.command_timeout);
        self.used = 0;
        self.input.clear();
        Ok(())
    }

    /// Bytes to send to the peer.
    #[must_use]
    pub fn transmit(&self) -> &[u8] {
        &self.core.out
    }

    /// Reports that `n` bytes of [`transmit`](Self::transmit) were sent.
    pub fn consumed(&mut self, n: usize) {
        let n = n.min(self.core.out.len());
        self.core.out.drain(..n);
    }

    /// When the RFC 5321 §4.5.3.2.7 timeout is due (`None` once closed, or while the
    /// machine waits for the caller).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.core.state {
            State::Closed | State::Start | State::Await(_) | State::AuthVerify => None,
            State::Tls { .. } => None,
            _ => self.core.deadline,
        }
    }

    /// Checks the timeout: if it expired, queues `421 4.4.2` and closes. Returns whether
    /// it did.
    pub fn handle_timeout(&mut self, now: Duration) -> bool {
        match self.poll_timeout() {
            Some(deadline) if now >= deadline => {
                let reply = Reply::new(
                    421,
                    EnhancedCode::new(4, 4, 2).ok(),
                    alloc::format!(
                        "{} Timeout, closing transmission channel",
                        self.core.config.hostname
                    ),
                )
                .unwrap_or_else(|_| r(421, (4, 4, 2), "Timeout"));
                reply.encode(&mut self.core.out);
                self.core.state = State::Closed;
                true
            }
            _ => false,
        }
    }

    /// Whether the session is over (after QUIT, a 421, or a timeout): send what
    /// [`transmit`](Self::transmit) holds, then close the connection.
    pub fn is_closed(&self) -> bool {
        matches!(self.core.state, State::Closed)
    }

    /// Whether the client authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.core.authenticated
    }

    /// Whether the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        self.core.tls
    }
}

impl Core {
    fn check(&self) -> Result<(), Error> {
        match &self.fatal {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn send(&mut self, reply: &Reply<'_>) {
        reply.encode(&mut self.out);
    }

    /// One step over `rest` (the unhandled input).
    fn step<'a>(&mut self, rest: &'a [u8]) -> Result<Step<'a>, Error> {
        match &mut self.state {
            State::Start | State::Await(_) | State::AuthVerify | State::Closed => Ok(Step::Wait),
            State::Tls { reported } => {
                if *reported {
                    return Ok(Step::Wait);
                }
                *reported = true;
                Ok(Step::Event(
                    Event::StartTls {
                        discarded: self.discarded_after_tls,
                    },
                    0,
                ))
            }
            State::Discard => {
                let d = self.scanner.discard(rest);
                if d.done {
                    self.state = State::Command;
                }
                if d.consumed == 0 {
                    return Ok(Step::Wait);
                }
                Ok(Step::Consumed(d.consumed))
            }
            State::Data { .. } => self.data(rest),
            State::Bdat { .. } => Ok(self.bdat(rest)),
            State::Auth(_) => self.auth_line(rest),
            State::Command | State::Refused => self.command(rest),
        }
    }

    fn command<'a>(&mut self, rest: &'a [u8]) -> Result<Step<'a>, Error> {
        let limits = crate::types::LineLimits {
            other: self.config.max_command_line,
            mail: self.config.max_mail_line,
            rcpt: self.config.max_rcpt_line,
        };
        let limit = crate::types::command_line_limit(rest, &limits);
        if self.scanner.config().max_len != limit {
            self.scanner.set_config(LineConfig::new(limit));
        }
        let (line, used) = match self.scanner.next_line(rest) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            Ok(Decoded::Incomplete { .. }) => return Ok(Step::Wait),
            Err(_) => {
                // RFC 5321 §4.5.3.1.10: "500 Line too long"; skip to the next CRLF.
                self.send(&r(500, (5, 5, 2), "Line too long"));
                self.state = State::Discard;
                return Ok(Step::Consumed(0));
            }
        };
        let cmd = match crate::parse::command_line(line) {
            Ok(c) => c,
            Err(e) => {
                self.send(&syntax_reply(line, &e));
                return Ok(Step::Consumed(used));
            }
        };
        if let State::Refused = self.state {
            let reply = if cmd == Command::Quit {
                self.state = State::Closed;
                r(221, (2, 0, 0), "Bye")
            } else {
                r(
                    503,
                    (5, 5, 1),
                    "Bad sequence of commands: only QUIT is accepted",
                )
            };
            self.send(&reply);
            return Ok(Step::Consumed(used));
        }
        match self.check_command(&cmd) {
            Checked::Refuse(reply) => {
                self.send(&reply);
                Ok(Step::Consumed(used))
            }
            Checked::Pending(p) => {
                self.state = State::Await(p);
                Ok(Step::Event(Event::Command(cmd), used))
            }
            Checked::Bdat { size, last, refuse } => {
                if refuse.is_none() {
                    self.txn.bdat = true;
                }
                self.state = State::Bdat {
                    left: size,
                    last,
                    refuse,
                    announced: false,
                };
                Ok(Step::Consumed(used))
            }
            Checked::Auth(sasl, initial) => self.auth_start(sasl, initial, used),
        }
    }

    /// Sequencing and limits (RFC 5321 §4.1.4, §4.3.2, §4.5.3.1).
    fn check_command(&mut self, cmd: &Command<'_>) -> Checked {
        let lmtp = self.config.lmtp;
        let seq = |t: &'static str| Checked::Refuse(r(503, (5, 5, 1), t));
        match cmd {
            Command::Ehlo(_) | Command::Helo(_) if lmtp => {
                Checked::Refuse(r(500, (5, 5, 1), "This is LMTP: use LHLO"))
            }
            Command::Lhlo(_) if !lmtp => Checked::Refuse(r(500, (5, 5, 1), "Command unrecognized")),
            Command::Ehlo(_) | Command::Lhlo(_) => Checked::Pending(Pending::Hello { ehlo: true }),
            Command::Helo(_) => Checked::Pending(Pending::Hello { ehlo: false }),
            Command::MailFrom(m) => {
                if self.hello == Hello::None {
                    return seq("Bad sequence of commands: send EHLO first");
                }
                if self.txn.mail {
                    return seq("Bad sequence of commands: nested MAIL command");
                }
                let smtputf8 = m.params.smtputf8();
                for p in m.params.iter() {
                    match p {
                        Parameter::Size(s) => {
                            if let Some(max) = self.config.max_message_size {
                                if s > max {
                                    return Checked::Refuse(r(
                                        552,
                                        (5, 3, 4),
                                        "Message size exceeds fixed maximum message size",
                                    ));
                                }
                            }
                        }
                        Parameter::SmtpUtf8 if !self.config.smtputf8 => {
                            return Checked::Refuse(r(555, (5, 5, 4), "SMTPUTF8 not supported"));
                        }
                        Parameter::Body(Body::BinaryMime) if !self.config.chunking => {
                            return Checked::Refuse(r(555, (5, 5, 4), "BINARYMIME not supported"));
                        }
                        Parameter::Notify(_) | Parameter::Orcpt(_) => {
                            return Checked::Refuse(r(
                                555,
                                (5, 5, 4),
                                "Parameter not allowed on MAIL",
                            ));
                        }
                        p if !self.offers(&p) => return Checked::Refuse(not_offered()),
                        _ => {}
                    }
                }
                if !m.path.is_ascii() && !smtputf8 {
                    return Checked::Refuse(r(
                        553,
                        (5, 6, 7),
                        "Non-ASCII address requires SMTPUTF8",
                    ));
                }
                self.txn.binary = m.params.body() == Some(Body::BinaryMime);
                Checked::Pending(Pending::Mail { smtputf8 })
            }
            Command::RcptTo(rc) => {
                if !self.txn.mail {
                    return seq("Bad sequence of commands: need MAIL before RCPT");
                }
                if self.txn.bdat {
                    return seq("Bad sequence of commands: BDAT in progress");
                }
                if self.txn.rcpts >= self.config.max_recipients {
                    return Checked::Refuse(r(452, (4, 5, 3), "Too many recipients"));
                }
                if !rc.path.is_ascii() && !self.txn.smtputf8 {
                    return Checked::Refuse(r(
                        553,
                        (5, 6, 7),
                        "Non-ASCII address requires SMTPUTF8",
                    ));
                }
                if rc.params.iter().any(|p| {
                    !matches!(
                        p,
                        Parameter::Notify(_) | Parameter::Orcpt(_) | Parameter::Other { .. }
                    )
                }) {
                    return Checked::Refuse(r(555, (5, 5, 4), "Parameter not allowed on RCPT"));
                }
                if rc.params.iter().any(|p| !self.offers(&p)) {
                    return Checked::Refuse(not_offered());
                }
                Checked::Pending(Pending::Rcpt)
            }
            Command::Data => {
                if !self.txn.mail {
                    return seq("Bad sequence of commands: need MAIL before DATA");
                }
                if self.txn.bdat {
                    return seq("Bad sequence of commands: BDAT in progress");
                }
                if self.txn.binary {
                    return seq("Bad sequence of commands: BODY=BINARYMIME needs BDAT");
                }
                if self.txn.rcpts == 0 {
                    // RFC 2033 §4.2: in LMTP this MUST be 503; RFC 5321 §3.3 lets SMTP
                    // choose 503 or 554.
                    if lmtp {
                        return seq("Bad sequence of commands: no valid recipients");
                    }
                    return Checked::Refuse(r(554, (5, 5, 1), "No valid recipients"));
                }
                Checked::Pending(Pending::Data)
            }
            Command::Bdat { size, last } => {
                // RFC 3030 §2: the chunk is read (and dropped) even when refused.
                let refuse = if !self.config.chunking {
                    Some(r(502, (5, 5, 1), "CHUNKING not supported"))
                } else if !self.txn.mail {
                    Some(r(
                        503,
                        (5, 5, 1),
                        "Bad sequence of commands: need MAIL before BDAT",
                    ))
                } else if self.txn.rcpts == 0 {
                    Some(r(554, (5, 5, 1), "No valid recipients"))
                } else if self
                    .config
                    .max_message_size
                    .is_some_and(|max| self.txn.size.saturating_add(*size) > max)
                {
                    Some(r(
                        552,
                        (5, 3, 4),
                        "Message size exceeds fixed maximum message size",
                    ))
                } else {
                    None
                };
                Checked::Bdat {
                    size: *size,
                    last: *last,
                    refuse,
                }
            }
            Command::Rset => Checked::Pending(Pending::Rset),
            Command::Quit => Checked::Pending(Pending::Quit),
            Command::StartTls => {
                if !self.config.starttls || self.tls {
                    Checked::Refuse(r(502, (5, 5, 1), "STARTTLS not available"))
                } else if self.hello != Hello::Ehlo {
                    seq("Bad sequence of commands: send EHLO first")
                } else if self.txn.mail {
                    seq("Bad sequence of commands: transaction in progress")
                } else {
                    Checked::Pending(Pending::StartTls)
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.check_auth(mechanism, initial_response.as_ref()),
            Command::Vrfy(_)
            | Command::Expn(_)
            | Command::Help(_)
            | Command::Noop(_)
            | Command::Etrn(_)
            | Command::Unknown { .. } => Checked::Pending(Pending::Other),
        }
    }

    /// The SASL mechanisms the EHLO response offers: plaintext ones only over TLS (unless
    /// allowed), CRAM-MD5 only with a challenge.
    fn offered_mechanisms(&self) -> impl Iterator<Item = &AuthMechanism<'static>> {
        let c = &self.config;
        c.auth_mechanisms
            .iter()
            .filter(|m| self.tls || c.allow_plaintext_auth || !m.is_plaintext())
            .filter(|m| **m != AuthMechanism::CRAM_MD5 || c.cram_challenge.is_some())
    }

    /// Whether this server's EHLO response announces the extension `param` belongs to.
    /// RFC 5321 §4.1.1.11: a parameter the server does not recognize or implement is
    /// answered 555; accepting, say, REQUIRETLS (RFC 8689) or NOTIFY (RFC 3461) without
    /// offering the extension would drop what the client asked for. Unknown parameters are
    /// left to the application.
    fn offers(&self, param: &Parameter<'_>) -> bool {
        let extra =
            |f: fn(&Capability<'static>) -> bool| self.config.extra_capabilities.iter().any(f);
        match param {
            Parameter::Size(_) | Parameter::Body(Body::SevenBit | Body::EightBitMime) => true,
            Parameter::Body(Body::BinaryMime) => self.config.chunking,
            Parameter::SmtpUtf8 => self.config.smtputf8,
            Parameter::Ret(_)
            | Parameter::EnvId(_)
            | Parameter::Notify(_)
            | Parameter::Orcpt(_) => extra(|c| matches!(c, Capability::Dsn)),
            Parameter::Auth(_) => self.offered_mechanisms().next().is_some(),
            Parameter::MtPriority(_) => extra(|c| matches!(c, Capability::MtPriority(_))),
            Parameter::RequireTls => extra(|c| matches!(c, Capability::RequireTls)),
            Parameter::HoldFor(_) | Parameter::HoldUntil(_) => {
                extra(|c| matches!(c, Capability::FutureRelease { .. }))
            }
            Parameter::By(_) => extra(|c| matches!(c, Capability::DeliverBy(_))),
            Parameter::Other { .. } => true,
        }
    }

    /// RFC 4954 §4: AUTH after EHLO, once, not during a transaction; mechanism offered.
    fn check_auth(
        &self,
        mechanism: &AuthMechanism<'_>,
        initial: Option<&InitialResponse<'_>>,
    ) -> Checked {
        let c = &self.config;
        if self.hello != Hello::Ehlo {
            return Checked::Refuse(r(
                503,
                (5, 5, 1),
                "Bad sequence of commands: send EHLO first",
            ));
        }
        if self.authenticated {
            return Checked::Refuse(r(503, (5, 5, 1), "Already authenticated"));
        }
        if self.txn.mail {
            return Checked::Refuse(r(
                503,
                (5, 5, 1),
                "Bad sequence of commands: transaction in progress",
            ));
        }
        if !c.auth_mechanisms.contains(mechanism) {
            return Checked::Refuse(r(504, (5, 5, 4), "Unrecognized authentication type"));
        }
        if mechanism.is_plaintext() && !self.tls && !c.allow_plaintext_auth {
            // RFC 4954 §6 / RFC 5248: 538 5.7.11 Encryption required.
            return Checked::Refuse(r(
                538,
                (5, 7, 11),
                "Encryption required for requested authentication mechanism",
            ));
        }
        let Some(mech) = Mechanism::parse(mechanism.as_str().as_bytes()) else {
            return Checked::Refuse(r(504, (5, 5, 4), "Unrecognized authentication type"));
        };
        let challenge = c.cram_challenge.as_deref().unwrap_or("");
        let sasl = match SaslServer::new(mech, challenge) {
            Ok(s) => s,
            Err(_) => {
                return Checked::Refuse(r(504, (5, 5, 4), "Unrecognized authentication type"));
            }
        };
        let initial = match initial {
            None => None,
            Some(InitialResponse::Empty) => Some(Vec::new()),
            Some(InitialResponse::Data(b)) => {
                match decode_initial_response(b.as_str().as_bytes()) {
                    Ok(v) => Some(v),
                    Err(_) => return Checked::Refuse(r(501, (5, 5, 2), "Invalid base64 data")),
                }
            }
        };
        Checked::Auth(sasl, initial)
    }

    fn auth_start<'a>(
        &mut self,
        mut sasl: SaslServer,
        initial: Option<Vec<u8>>,
        used: usize,
    ) -> Result<Step<'a>, Error> {
        let step = sasl.start(initial.as_deref());
        self.auth_step(sasl, step, used)
    }

    fn auth_step<'a>(
        &mut self,
        sasl: SaslServer,
        step: Result<ServerStep, SaslError>,
        used: usize,
    ) -> Result<Step<'a>, Error> {
        match step {
            Ok(ServerStep::Challenge(ch)) => {
                // RFC 4954 §4: "334" SP [base64] CRLF.
                let text = mail_common::sasl::encode_base64(&ch);
                let reply = Reply::new(334, None, text)
                    .unwrap_or_else(|_| r(454, (4, 7, 0), "Temporary authentication failure"));
                self.send(&reply);
                self.scanner
                    .set_config(LineConfig::new(crate::types::AUTH_LINE));
                self.state = State::Auth(sasl);
                Ok(Step::Consumed(used))
            }
            Ok(ServerStep::Done(creds)) => {
                self.scanner
                    .set_config(LineConfig::new(self.config.max_command_line));
                self.state = State::AuthVerify;
                Ok(Step::Event(Event::Authenticate(creds), used))
            }
            Err(e) => {
                self.scanner
                    .set_config(LineConfig::new(self.config.max_command_line));
                self.state = State::Command;
                let reply = match e {
                    SaslError::Cancelled => r(501, (5, 0, 0), "Authentication cancelled"),
                    SaslError::Failed => r(535, (5, 7, 8), "Authentication credentials invalid"),
                    SaslError::UnsupportedMechanism => {
                        r(504, (5, 5, 4), "Unrecognized authentication type")
                    }
                    _ => r(501, (5, 5, 2), "Malformed authentication response"),
                };
                self.send(&reply);
                Ok(Step::Consumed(used))
            }
        }
    }

    fn auth_line<'a>(&mut self, rest: &'a [u8]) -> Result<Step<'a>, Error> {
        let (line, used) = match self.scanner.next_line(rest) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            Ok(Decoded::Incomplete { .. }) => return Ok(Step::Wait),
            Err(_) => {
                self.scanner
                    .set_config(LineConfig::new(self.config.max_command_line));
                self.send(&r(
                    500,
                    (5, 5, 6),
                    "Authentication exchange line is too long",
                ));
                self.state = State::Discard;
                return Ok(Step::Consumed(0));
            }
        };
        let State::Auth(mut sasl) = core::mem::replace(&mut self.state, State::Command) else {
            return Ok(Step::Wait);
        };
        let step = match sasl.step_line(line) {
            Ok(s) => Ok(s),
            Err(mail_common::Error::Sasl(e)) => Err(e),
            Err(_) => Err(SaslError::Malformed { expected: "base64" }),
        };
        self.auth_step(sasl, step, used)
    }

    fn data<'a>(&mut self, rest: &'a [u8]) -> Result<Step<'a>, Error> {
        let State::Data {
            abort,
            oversized,
            skip,
        } = &mut self.state
        else {
            return Ok(Step::Wait);
        };
        let end = if let Some(scan) = skip {
            let (n, ended) = scan.run(rest);
            if !ended {
                return Ok(if n == 0 {
                    Step::Wait
                } else {
                    Step::Consumed(n)
                });
            }
            n
        } else {
            match self.dot.decode(rest) {
                Ok(Decoded::Incomplete { .. }) => return Ok(Step::Wait),
                Ok(Decoded::Complete {
                    value: Unstuffed::Data(d),
                    consumed,
                }) => {
                    self.data_pos = self.data_pos.saturating_add(consumed);
                    self.txn.size = self.txn.size.saturating_add(d.len() as u64);
                    if let Some(max) = self.config.max_message_size {
                        if self.txn.size > max && oversized.is_none() {
                            *oversized = Some(Error::LimitExceeded {
                                what: "message size",
                                limit: usize::try_from(max).unwrap_or(usize::MAX),
                            });
                        }
                    }
                    if d.is_empty() || oversized.is_some() {
                        return Ok(Step::Consumed(consumed));
                    }
                    return Ok(Step::Event(Event::BodyChunk(Cow::Borrowed(d)), consumed));
                }
                Ok(Decoded::Complete {
                    value: Unstuffed::End,
                    consumed,
                }) => consumed,
                Err(e) => {
                    let err = match e {
                        mail_common::Error::BareLineEnding { offset, octet } => {
                            Error::BareLineEnding {
                                offset: self.data_pos.saturating_add(offset),
                                octet,
                            }
                        }
                        mail_common::Error::LineTooLong { limit, .. } => {
                            Error::LineTooLong { limit }
                        }
                        other => Error::Common(other),
                    };
                    // The error is always in the middle of a line (a bare CR/LF, or past
                    // the length limit), so skipping resumes there with no line start
                    // pending: only CRLF.CRLF ends the data.
                    *abort = Some(err);
                    *skip = Some(EndScan::MID);
                    return Ok(Step::Consumed(0));
                }
            }
        };
        let replies = if self.config.lmtp {
            self.txn.rcpts.max(1)
        } else {
            1
        };
        if let Some(error) = abort.take().or_else(|| oversized.take()) {
            let reply = abort_reply(&error);
            for _ in 0..replies {
                self.send(&reply);
            }
            self.txn = Txn::default();
            self.state = State::Command;
            return Ok(Step::Event(Event::DataAborted { error }, end));
        }
        self.state = State::Await(Pending::MessageEnd {
            left: replies,
            ends: true,
        });
        Ok(Step::Event(Event::DataEnd { replies }, end))
    }

    fn bdat<'a>(&mut self, rest: &'a [u8]) -> Step<'a> {
        let State::Bdat {
            left,
            last,
            refuse,
            announced,
        } = &mut self.state
        else {
            return Step::Wait;
        };
        if !*announced {
            *announced = true;
            if refuse.is_none() {
                return Step::Event(
                    Event::BdatStart {
                        size: *left,
                        last: *last,
                    },
                    0,
                );
            }
        }
        if *left > 0 {
            if rest.is_empty() {
                return Step::Wait;
            }
            let n = usize::try_from(*left).unwrap_or(usize::MAX).min(rest.len());
            *left -= n as u64;
            if refuse.is_some() {
                return Step::Consumed(n);
            }
            self.txn.size = self.txn.size.saturating_add(n as u64);
            return Step::Event(
                Event::BodyChunk(Cow::Borrowed(rest.get(..n).unwrap_or_default())),
                n,
            );
        }
        let last = *last;
        if let Some(reply) = refuse.take() {
            // RFC 2033 §4.3: in LMTP, BDAT LAST with no successful RCPT returns zero
            // replies (one per successful RCPT); the chunk was read and dropped.
            let no_rcpt = reply.code().get() == 554 && self.txn.mail && self.txn.rcpts == 0;
            if !(self.config.lmtp && last && no_rcpt) {
                self.send(&reply);
            }
            if reply.code().get() != 502 && self.txn.mail {
                self.txn = Txn::default();
            }
            self.state = State::Command;
            return Step::Consumed(0);
        }
        let replies = if self.config.lmtp && last {
            self.txn.rcpts.max(1)
        } else {
            1
        };
        self.state = State::Await(Pending::MessageEnd {
            left: replies,
            ends: last,
        });
        Step::Event(Event::BdatEnd { last, replies }, 0)
    }
}

/// Finds the end of data (CRLF "." CRLF) in data that is being skipped, with the same
/// rule as the un-stuffer: a line starts only after CRLF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EndScan(u8);

impl EndScan {
    const MID: EndScan = EndScan(0);
    const CR: u8 = 1;
    const LINE_START: u8 = 2;
    const DOT: u8 = 3;
    const DOT_CR: u8 = 4;

    /// Bytes consumed, and whether the end marker was consumed.
    fn run(&mut self, input: &[u8]) -> (usize, bool) {
        let mut i = 0;
        while i < input.len() {
            if self.0 == 0 {
                match memchr::memchr(b'\r', input.get(i..).unwrap_or_default()) {
                    Some(rel) => i += rel,
                    None => return (input.len(), false),
                }
            }
            let b = input.get(i).copied().unwrap_or(0);
            i += 1;
            self.0 = match (self.0, b) {
                (Self::DOT_CR, b'\n') => {
                    self.0 = 0;
                    return (i, true);
                }
                (_, b'\r') if self.0 != Self::DOT => Self::CR,
                (Self::DOT, b'\r') => Self::DOT_CR,
                (Self::CR, b'\n') => Self::LINE_START,
                (Self::LINE_START, b'.') => Self::DOT,
                _ => 0,
            };
        }
        (i, false)
    }
}

enum Checked {
    Refuse(Reply<'static>),
    Pending(Pending),
    Bdat {
        size: u64,
        last: bool,
        refuse: Option<Reply<'static>>,
    },
    Auth(SaslServer, Option<Vec<u8>>),
}

/// 500 for an unparseable verb, 501 for bad arguments (RFC 5321 §4.2.2).
fn syntax_reply(line: &[u8], e: &Error) -> Reply<'static> {
    match e {
        Error::Syntax { offset: 0, .. } => r(500, (5, 5, 2), "Syntax error, command unrecognized"),
        Error::LimitExceeded { what: "path", .. } => r(501, (5, 1, 3), "Path too long"),
        Error::LimitExceeded {
            what: "local-part", ..
        } => r(501, (5, 1, 3), "Local part too long"),
        Error::LimitExceeded { .. } => r(501, (5, 1, 3), "Address too long"),
        Error::DuplicateParameter { .. } => r(501, (5, 5, 4), "Duplicate parameter"),
        _ if line.is_empty() => r(500, (5, 5, 2), "Syntax error, command unrecognized"),
        _ => r(501, (5, 5, 4), "Syntax error in parameters or arguments"),
    }
}

/// 555 for a parameter of an extension this server does not offer (RFC 5321 §4.1.1.11).
fn not_offered() -> Reply<'static> {
    r(
        555,
        (5, 5, 4),
        "MAIL FROM/RCPT TO parameters not recognized or not implemented",
    )
}

fn abort_reply(e: &Error) -> Reply<'static> {
    match e {
        Error::BareLineEnding { .. } => r(
            550,
            (5, 6, 0),
            "Message contains bare CR or LF (RFC 5321 section 2.3.8)",
        ),
        Error::LineTooLong { .. } => r(500, (5, 6, 0), "Message line too long"),
        Error::LimitExceeded { .. } => r(
            552,
            (5, 3, 4),
            "Message size exceeds fixed maximum message size",
        ),
        _ => r(554, (5, 6, 0), "Message refused"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_replies_are_valid_replies() {
        for (code, e, t) in [
            (500, (5, 5, 2), "Line too long"),
            (503, (5, 5, 1), "x"),
            (452, (4, 5, 3), "x"),
            (552, (5, 3, 4), "x"),
            (553, (5, 6, 7), "x"),
            (554, (5, 5, 1), "x"),
            (555, (5, 5, 4), "x"),
            (538, (5, 7, 11), "x"),
            (504, (5, 5, 4), "x"),
            (501, (5, 0, 0), "x"),
            (535, (5, 7, 8), "x"),
            (235, (2, 7, 0), "x"),
            (221, (2, 0, 0), "x"),
            (550, (5, 6, 0), "x"),
            (502, (5, 5, 1), "x"),
            (454, (4, 7, 0), "x"),
            (421, (4, 4, 2), "x"),
        ] {
            let fixed = r(code, e, t);
            let checked = Reply::new(code, EnhancedCode::new(e.0, e.1, e.2).ok(), t).unwrap();
            assert_eq!(fixed, checked);
        }
    }
}
