//! The end-to-end demo.
//!
//! For now it exercises the shared machinery on a real loopback socket: a sender writes a
//! command line and a dot-stuffed message (content with leading dots, a bare LF and an
//! "SMTP smuggling" attempt), and a receiver frames the line with `LineScanner` and reads the
//! data back, byte-exact, with `DotUnstuffer`, in the small reads TCP hands it. The
//! protocol servers and clients join it as their crates land.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotStuffer, DotUnstuffer, Unstuffed};
use mail_common::line::{LineConfig, LineScanner, SMTP_COMMAND_LINE};

const CONTENT: &[u8] = b"Subject: demo\r\n\r\n.a line that starts with a dot\r\n..two dots\r\nbare LF here\nis normalised by the sender\r\nno final newline";

fn receive(mut stream: TcpStream) -> Result<(Vec<u8>, Vec<u8>, usize), String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 7]; // tiny reads on purpose: every boundary must work
    let mut scanner = LineScanner::new(LineConfig::new(SMTP_COMMAND_LINE));
    let mut reads = 0;
    let command = loop {
        if let Decoded::Complete { value, consumed } =
            scanner.next_line(&buf).map_err(|e| e.to_string())?
        {
            let line = value.to_vec();
            buf.drain(..consumed);
            break line;
        }
        let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("peer closed before the command line".into());
        }
        reads += 1;
        buf.extend_from_slice(&chunk[..n]);
    };
    let mut dec = DotUnstuffer::new(DotConfig {
        max_line_len: Some(1000),
        bare_line_endings: BareLineEndings::Reject,
    });
    let mut content = Vec::new();
    loop {
        match dec.decode(&buf).map_err(|e| e.to_string())? {
            Decoded::Complete { value, consumed } => {
                if let Unstuffed::Data(d) = value {
                    content.extend_from_slice(d);
                }
                buf.drain(..consumed);
                if dec.is_finished() {
                    break;
                }
            }
            Decoded::Incomplete { .. } => {
                let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
                if n == 0 {
                    return Err("peer closed inside the data".into());
                }
                reads += 1;
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
    stream.write_all(b"250 OK\r\n").map_err(|e| e.to_string())?;
    Ok((command, content, reads))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("receiver listening on {addr}");
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().map_err(|e| e.to_string())?;
        receive(stream)
    });

    let mut wire = b"DATA\r\n".to_vec();
    let mut stuffer = DotStuffer::new();
    stuffer.encode(CONTENT, &mut wire);
    stuffer.finish(&mut wire);
    let mut client = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    for line in wire.split_inclusive(|&b| b == b'\n') {
        println!("C: {}", String::from_utf8_lossy(line).trim_end());
    }
    client.write_all(&wire).map_err(|e| e.to_string())?;
    let mut reply = [0u8; 64];
    let n = client.read(&mut reply).map_err(|e| e.to_string())?;
    println!("S: {}", String::from_utf8_lossy(&reply[..n]).trim_end());

    let (command, content, reads) = server
        .join()
        .map_err(|_| "receiver thread panicked".to_string())??;
    // The receiver must see the sender's content with CRLF line endings and a final CRLF.
    let want = b"Subject: demo\r\n\r\n.a line that starts with a dot\r\n..two dots\r\nbare LF here\r\nis normalised by the sender\r\nno final newline\r\n";
    println!(
        "summary: command {:?}, {} content bytes in {} reads, wire {} bytes",
        String::from_utf8_lossy(&command),
        content.len(),
        reads,
        wire.len()
    );
    if command != b"DATA" || content != want {
        return Err("the receiver did not get the content back byte for byte".into());
    }
    println!("ok: content received byte for byte");
    Ok(())
}
