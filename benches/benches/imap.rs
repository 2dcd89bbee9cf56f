//! imap-proto: command and response parsing side by side with crates.io `imap-codec` and
//! djc's `imap-proto` (renamed `djc_imap_proto`) on the same bytes, against a memchr
//! line-scan floor; and APPEND throughput from 1 KiB to 10 MiB fed in 4 KiB chunks.
//!
//! Run: `cargo bench -p benches --bench imap -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::decode::Decoder as _;
use imap_proto::{CommandDecoded, CommandDecoder, Decoded, ResponseDecoder};
use std::hint::black_box;

const LOGIN: &[u8] = b"A1 LOGIN joe.user@example.com \"s3cr3t pass\"\r\n";
const SELECT: &[u8] = b"A2 SELECT INBOX\r\n";
const UID_FETCH: &[u8] = b"A3 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To)])\r\n";
const UID_SEARCH: &[u8] =
    b"A4 UID SEARCH UNDELETED SINCE 1-Feb-2024 OR FROM \"alice\" TO \"bob\" NOT SEEN\r\n";
const STORE: &[u8] = b"A5 UID STORE 1:100,205,300:* +FLAGS.SILENT (\\Seen \\Flagged)\r\n";
const APPEND_HEADER: &[u8] = b"A6 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {310}\r\n";

const FETCH_RESPONSE: &[u8] = b"* 12 FETCH (UID 4827313 FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 1152 23 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 4096 80 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"minutes.pdf\") NIL NIL \"BASE64\" 45540 NIL (\"attachment\" (\"FILENAME\" \"minutes.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b0\") NIL NIL NIL))\r\n";
const LIST_RESPONSE: &[u8] = b"* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n";
const STATUS_RESPONSE: &[u8] =
    b"* STATUS INBOX (MESSAGES 231 RECENT 0 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3)\r\n";

fn ours_command(input: &[u8]) -> usize {
    let mut dec = CommandDecoder::default();
    match dec.decode(input) {
        Ok(CommandDecoded::Complete { command, consumed }) => {
            black_box(&command);
            consumed
        }
        Ok(CommandDecoded::ContinuationNeeded { size }) => size as usize,
        other => panic!("{other:?}"),
    }
}

fn codec_command(input: &[u8]) -> usize {
    match imap_codec::CommandCodec::new().decode(input) {
        Ok((rest, cmd)) => {
            black_box(&cmd);
            input.len() - rest.len()
        }
        Err(imap_codec::decode::CommandDecodeError::LiteralFound { length, .. }) => length as usize,
        Err(e) => panic!("{e:?}"),
    }
}

fn ours_response(input: &[u8]) -> usize {
    let mut dec = ResponseDecoder::default();
    match dec.decode(input) {
        Ok(Decoded::Complete { value, consumed }) => {
            black_box(&value);
            consumed
        }
        other => panic!("{other:?}"),
    }
}

fn codec_response(input: &[u8]) -> usize {
    match imap_codec::ResponseCodec::new().decode(input) {
        Ok((rest, r)) => {
            black_box(&r);
            input.len() - rest.len()
        }
        Err(e) => panic!("{e:?}"),
    }
}

fn djc_response(input: &[u8]) -> usize {
    match djc_imap_proto::Response::parse(input) {
        Ok((rest, r)) => {
            black_box(&r);
            input.len() - rest.len()
        }
        Err(e) => panic!("{e:?}"),
    }
}

fn floor(input: &[u8]) -> usize {
    memchr::memchr(b'\n', input).map_or(0, |i| i + 1)
}

fn commands(c: &mut Criterion) {
    let mut g = c.benchmark_group("imap_command");
    for (name, input) in [
        ("login", LOGIN),
        ("select", SELECT),
        ("uid_fetch_header_fields", UID_FETCH),
        ("uid_search", UID_SEARCH),
        ("store", STORE),
        ("append_header", APPEND_HEADER),
    ] {
        // Same answer from both before measuring.
        assert_eq!(ours_command(input), codec_command(input), "{name}");
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::new("imap-proto", name), input, |b, i| {
            b.iter(|| ours_command(black_box(i)))
        });
        g.bench_with_input(BenchmarkId::new("imap-codec", name), input, |b, i| {
            b.iter(|| codec_command(black_box(i)))
        });
        g.bench_with_input(BenchmarkId::new("memchr-floor", name), input, |b, i| {
            b.iter(|| floor(black_box(i)))
        });
    }
    g.finish();
}

fn responses(c: &mut Criterion) {
    let mut g = c.benchmark_group("imap_response");
    for (name, input) in [
        ("fetch_envelope_bodystructure", FETCH_RESPONSE),
        ("list", LIST_RESPONSE),
        ("status", STATUS_RESPONSE),
    ] {
        assert_eq!(ours_response(input), input.len());
        assert_eq!(codec_response(input), input.len(), "{name}");
        assert_eq!(djc_response(input), input.len(), "{name}");
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::new("imap-proto", name), input, |b, i| {
            b.iter(|| ours_response(black_box(i)))
        });
        g.bench_with_input(BenchmarkId::new("imap-codec", name), input, |b, i| {
            b.iter(|| codec_response(black_box(i)))
        });
        g.bench_with_input(BenchmarkId::new("djc-imap-proto", name), input, |b, i| {
            b.iter(|| djc_response(black_box(i)))
        });
        g.bench_with_input(BenchmarkId::new("memchr-floor", name), input, |b, i| {
            b.iter(|| floor(black_box(i)))
        });
    }
    g.finish();
}

fn append_message(n: usize) -> Vec<u8> {
    let mut v = format!("A7 APPEND INBOX {{{n}}}\r\n").into_bytes();
    v.extend((0..n).map(|i| {
        if i % 78 == 77 {
            b'\n'
        } else {
            b'a' + (i % 26) as u8
        }
    }));
    v.extend_from_slice(b"\r\n");
    v
}

/// Feeds `wire` 4 KiB at a time to a resumable decoder, as a server reading a socket would.
fn ours_chunked(wire: &[u8]) -> usize {
    let mut dec = CommandDecoder::default();
    let mut end = 0;
    loop {
        end = (end + 4096).min(wire.len());
        loop {
            match dec.decode(&wire[..end]) {
                Ok(CommandDecoded::Complete { consumed, .. }) => return consumed,
                Ok(CommandDecoded::ContinuationNeeded { .. }) => {}
                Ok(CommandDecoded::Incomplete { .. }) => break,
                Err(e) => panic!("{e}"),
            }
        }
    }
}

/// The same with imap-codec, which parses from the start of the buffer on every call.
fn codec_chunked(wire: &[u8]) -> usize {
    let codec = imap_codec::CommandCodec::new();
    let mut end = 0;
    loop {
        end = (end + 4096).min(wire.len());
        match codec.decode(&wire[..end]) {
            Ok((rest, cmd)) => {
                black_box(&cmd);
                return end - rest.len();
            }
            Err(
                imap_codec::decode::CommandDecodeError::Incomplete
                | imap_codec::decode::CommandDecodeError::LiteralFound { .. },
            ) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
}

fn append_scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("imap_append_4k_chunks");
    for n in [1024usize, 100 * 1024, 10 * 1024 * 1024] {
        let wire = append_message(n);
        assert_eq!(ours_chunked(&wire), wire.len());
        assert_eq!(codec_chunked(&wire), wire.len());
        g.throughput(Throughput::Bytes(wire.len() as u64));
        g.bench_with_input(BenchmarkId::new("imap-proto", n), &wire, |b, w| {
            b.iter(|| ours_chunked(black_box(w)))
        });
        g.bench_with_input(BenchmarkId::new("imap-codec", n), &wire, |b, w| {
            b.iter(|| codec_chunked(black_box(w)))
        });
    }
    g.finish();
}

criterion_group!(benches, commands, responses, append_scaling);
criterion_main!(benches);
