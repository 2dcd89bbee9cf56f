//! `transcript`: decodes a recorded SMTP, IMAP or POP3 session message by message.
//!
//! ```text
//! transcript --protocol smtp session.txt            # RFC-style C:/S: lines
//! transcript --protocol imap --client c2s.bin --server s2c.bin
//! transcript --protocol pop3 --check session.txt    # exit 1 unless all decode and round-trip
//! transcript --protocol imap --lenient capture.txt  # accept deployed servers' quirks
//! ```
//!
//! Prints one JSON object per line and message:
//! `{"side":"client","offset":0,"kind":"EHLO","ok":true,"error":null}`. See
//! `mail_examples::transcript_decode` for how the two sides are followed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use mail_examples::transcript::parse_rfc;
use mail_examples::transcript_decode::{
    Options, Protocol, decode_segments_with, decode_session_with,
};

/// Decode a recorded mail session (SMTP, IMAP or POP3) with the protocol crates, one JSON
/// line per message: {"side","offset","kind","ok","error"}.
///
/// Input is either an RFC-style transcript (lines starting "C: " and "S: ", each standing
/// for one CRLF-terminated line on the wire), or the two raw byte streams of a session.
/// "offset" counts octets in the sending side's stream (for a transcript file, the stream
/// rebuilt with CRLF line ends). A message that does not decode is reported with its
/// offset, and decoding resumes at the next line.
#[derive(Debug, Parser)]
#[command(name = "transcript", version)]
struct Cli {
    /// The protocol: smtp (also LMTP), imap or pop3.
    #[arg(long, value_name = "PROTOCOL")]
    protocol: Protocol,
    /// Exit 1 unless every message decodes and decode(encode(message)) gives the same
    /// value.
    #[arg(long)]
    check: bool,
    /// Accept what deployed peers send beyond the grammar: IMAP response quirks (a "+"
    /// without a space, empty text, NIL strings...), bare CR/LF and long lines in SMTP
    /// message bodies.
    #[arg(long)]
    lenient: bool,
    /// Raw bytes the client sent (with --server).
    #[arg(
        long,
        value_name = "FILE",
        requires = "server",
        conflicts_with = "file"
    )]
    client: Option<PathBuf>,
    /// Raw bytes the server sent (with --client).
    #[arg(
        long,
        value_name = "FILE",
        requires = "client",
        conflicts_with = "file"
    )]
    server: Option<PathBuf>,
    /// An RFC-style transcript (C: / S: lines).
    #[arg(value_name = "FILE", required_unless_present = "client")]
    file: Option<PathBuf>,
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run(cli: &Cli) -> Result<bool, String> {
    let options = Options {
        check: cli.check,
        lenient: cli.lenient,
    };
    let messages = match (&cli.file, &cli.client, &cli.server) {
        (Some(file), None, None) => {
            let text = read(file)?;
            let segments = parse_rfc(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            decode_segments_with(cli.protocol, &segments, options)
        }
        (None, Some(client), Some(server)) => {
            let client = read(client)?;
            let server = read(server)?;
            decode_session_with(cli.protocol, &client, &server, options)
        }
        _ => return Err("give either FILE or both --client and --server".into()),
    };
    let mut out = String::new();
    for m in &messages {
        out.push_str(&m.to_json());
        out.push('\n');
    }
    print!("{out}");
    Ok(messages.iter().all(|m| m.ok))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(all_ok) if all_ok || !cli.check => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("transcript: {e}");
            ExitCode::from(2)
        }
    }
}
