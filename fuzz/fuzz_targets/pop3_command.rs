//! POP3 commands: no panic; bytes → decode → encode → decode gives the same command; an
//! arbitrary command built through the validating constructors → encode → decode gives it
//! back; the streaming decoder gives the same commands whole and one byte at a time.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_common::decode::Decoded;
use pop3_proto::parse::{CommandDecoder, CommandLimits, decode_command};
use pop3_proto::{ApopDigest, Command, InitialResponse, Mechanism, Param, Password};

/// The raw material of a command; [`Spec::build`] goes through the validating
/// constructors, so every command built is valid.
#[derive(Debug, arbitrary::Arbitrary)]
struct Spec {
    kind: u8,
    a: String,
    b: String,
    n: u32,
    m: u32,
    data: Option<Vec<u8>>,
}

impl Spec {
    fn build(&self) -> Option<Command<'_>> {
        let msg = std::num::NonZeroU32::new(self.n);
        Some(match self.kind % 19 {
            0 => Command::User(Param::new(self.a.as_str()).ok()?),
            1 => Command::Pass(Password::new(self.a.as_bytes()).ok()?),
            2 => Command::Apop {
                name: Param::new(self.a.as_str()).ok()?,
                digest: ApopDigest::new(self.b.as_bytes()).ok()?,
            },
            3 => Command::Quit,
            4 => Command::Stat,
            5 => Command::List(msg),
            6 => Command::Retr(msg?),
            7 => Command::Dele(msg?),
            8 => Command::Noop,
            9 => Command::Rset,
            10 => Command::Top {
                msg: msg?,
                lines: self.m,
            },
            11 => Command::Uidl(msg),
            12 => Command::Capa,
            13 => Command::Stls,
            14 => Command::Auth {
                mechanism: Mechanism::new(self.a.as_str()).ok()?,
                initial_response: self.data.as_deref().map(InitialResponse::encode),
            },
            15 => Command::AuthList,
            16 => Command::Utf8,
            17 => Command::Lang(Param::new(self.a.as_str()).ok()),
            _ => Command::unknown(&self.a, &self.b).ok()?,
        })
    }
}

fn stream(data: &[u8], chunk: usize) -> Vec<String> {
    let mut dec = CommandDecoder::default();
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut discarding = false;
    for piece in data.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            if discarding {
                let d = dec.discard(&buf);
                buf.drain(..d.consumed);
                if !d.done {
                    break;
                }
                discarding = false;
            }
            match dec.decode(&buf) {
                Ok(Decoded::Complete { value, consumed }) => {
                    out.push(format!("{value:?}"));
                    buf.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => {
                    out.push(format!("{e:?}"));
                    discarding = true;
                }
            }
        }
    }
    out
}

fuzz_target!(|input: (Spec, &[u8])| {
    let (spec, data) = input;
    if let Some(cmd) = spec.build() {
        let bytes = cmd.to_bytes();
        let big = CommandLimits {
            max_line: usize::MAX,
            max_arg: usize::MAX,
            max_auth_line: usize::MAX,
        };
        let back = decode_command(&bytes, &big)
            .expect("valid command decodes")
            .complete()
            .expect("complete");
        assert_eq!(back, (cmd, bytes.len()));
    }
    let limits = CommandLimits::default();
    if let Ok(Decoded::Complete { value, consumed }) = decode_command(data, &limits) {
        assert!(consumed <= data.len());
        let bytes = value.to_bytes();
        let again = decode_command(
            &bytes,
            &CommandLimits {
                max_line: 1 << 16,
                max_arg: 1 << 16,
                ..limits
            },
        )
        .expect("re-decode")
        .complete()
        .expect("complete");
        assert_eq!(again, (value, bytes.len()));
    }
    assert_eq!(stream(data, 1), stream(data, data.len()));
});
