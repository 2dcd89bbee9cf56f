//! pop3-proto against crates.io `pop3-codec` 0.3 and `sawp-pop3` 0.13 on the same bytes:
//! command parsing (a captured client session) and multi-line RETR decoding, with the
//! memchr line scan as the floor.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mail_common::decode::Decoded;
use pop3_proto::parse::{CommandLimits, decode_command};
use pop3_proto::{ResponseDecoder, ResponseEvent, ResponseKind, ResponseLimits};
use sawp::parser::{Direction, Parse};
use std::hint::black_box;

/// A client session as a fetchmail-like client sends it, every command understood by all
/// three parsers.
const SESSION: &[u8] = b"CAPA\r\nUSER mrose\r\nPASS secret phrase\r\n\
APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nAUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\nSTAT\r\n\
LIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nRETR 1\r\nTOP 1 10\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\n\
RSET\r\nNOOP\r\nQUIT\r\n";
const COMMANDS: usize = 18;

fn ours_commands(input: &[u8]) -> usize {
    let limits = CommandLimits::default();
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = decode_command(rest, &limits) {
        black_box(&value);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn pop3_codec_commands(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok((r, cmd)) = pop3_codec::parse::command(rest) {
        black_box(&cmd);
        n += 1;
        rest = r;
    }
    n
}

fn sawp_commands(input: &[u8]) -> usize {
    let p = sawp_pop3::POP3 {};
    let mut rest = input;
    let mut n = 0;
    while let Ok((r, Some(m))) = p.parse(rest, Direction::ToServer) {
        black_box(&m);
        n += 1;
        rest = r;
    }
    n
}

fn retr_wire(size: usize) -> Vec<u8> {
    let body = benches::stuffed_message(size);
    let mut wire = format!("+OK {} octets\r\n", body.len()).into_bytes();
    wire.extend_from_slice(&body);
    wire
}

/// Streams the response through the dot-unstuffer, as a client reading it would; returns
/// the content length.
fn ours_retr(wire: &[u8]) -> usize {
    let mut dec = ResponseDecoder::new(ResponseKind::Message, ResponseLimits::default());
    let mut rest = wire;
    let mut total = 0;
    while !dec.is_done() {
        match dec.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                if let ResponseEvent::Data(d) = value {
                    total += d.len();
                }
                rest = &rest[consumed..];
            }
            other => panic!("{other:?}"),
        }
    }
    total
}

fn pop3_codec_retr(wire: &[u8]) -> usize {
    match pop3_codec::parse::response_retr(wire) {
        Ok((_, pop3_codec::types::Response::Ok(m))) => m.body.iter().map(|l| l.len() + 2).sum(),
        other => panic!("{:?}", other.map(|(r, _)| r.len())),
    }
}

fn sawp_retr(wire: &[u8]) -> usize {
    let p = sawp_pop3::POP3 {};
    match p.parse(wire, Direction::ToClient) {
        Ok((_, Some(m))) => match m.inner {
            sawp_pop3::InnerMessage::Response(r) => r.data.iter().map(|l| l.len() + 2).sum(),
            other => panic!("{other:?}"),
        },
        other => panic!("{:?}", other.map(|(r, _)| r.len())),
    }
}

fn commands(c: &mut Criterion) {
    // All three parse every command of the session.
    assert_eq!(ours_commands(SESSION), COMMANDS);
    assert_eq!(pop3_codec_commands(SESSION), COMMANDS);
    assert_eq!(sawp_commands(SESSION), COMMANDS);
    let mut g = c.benchmark_group("pop3_commands");
    g.throughput(Throughput::Bytes(SESSION.len() as u64));
    g.bench_function("memchr_floor", |b| {
        b.iter(|| benches::memchr_lines(black_box(SESSION)))
    });
    g.bench_function("ours", |b| b.iter(|| ours_commands(black_box(SESSION))));
    g.bench_function("pop3-codec", |b| {
        b.iter(|| pop3_codec_commands(black_box(SESSION)))
    });
    g.bench_function("sawp-pop3", |b| {
        b.iter(|| sawp_commands(black_box(SESSION)))
    });
    g.finish();
}

fn retr(c: &mut Criterion) {
    let mut g = c.benchmark_group("pop3_retr");
    for size in [64 * 1024, 1 << 20] {
        let wire = retr_wire(size);
        // Same bytes, same work: every parser reads to the end marker.
        let ours = ours_retr(&wire);
        assert!(ours > size / 2);
        pop3_codec_retr(&wire);
        sawp_retr(&wire);
        g.throughput(Throughput::Bytes(wire.len() as u64));
        g.bench_with_input(BenchmarkId::new("memchr_floor", size), &wire, |b, w| {
            b.iter(|| benches::memchr_lines(black_box(w)))
        });
        g.bench_with_input(BenchmarkId::new("ours", size), &wire, |b, w| {
            b.iter(|| ours_retr(black_box(w)))
        });
        g.bench_with_input(BenchmarkId::new("pop3-codec", size), &wire, |b, w| {
            b.iter(|| pop3_codec_retr(black_box(w)))
        });
        g.bench_with_input(BenchmarkId::new("sawp-pop3", size), &wire, |b, w| {
            b.iter(|| sawp_retr(black_box(w)))
        });
    }
    g.finish();
}

criterion_group!(pop3, commands, retr);
criterion_main!(pop3);
