//! smtp-proto: command parsing throughput on a realistic command mix, side by side with
//! Stalwart's `smtp-proto` 0.2 parsing the same bytes, and the memchr line-scan floor.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smtp_proto::{Command, Decoded};

/// A submission-style session: EHLO, AUTH PLAIN, then transactions with parameters on
/// MAIL, several RCPTs, DATA, RSET between them, and QUIT.
fn session() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"EHLO client-17.mail.example.org\r\n");
    s.extend_from_slice(
        b"AUTH PLAIN AGpvaG4uc21pdGhAZXhhbXBsZS5vcmcAY29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ==\r\n",
    );
    for i in 0..50 {
        s.extend_from_slice(
            format!(
                "MAIL FROM:<newsletter+bounce-{i}@lists.example.org> SIZE={} BODY=8BITMIME\r\n",
                10_000 + i * 37
            )
            .as_bytes(),
        );
        for r in 0..4 {
            s.extend_from_slice(
                format!("RCPT TO:<user{r}.{i}@customer-{r}.example.net>\r\n").as_bytes(),
            );
        }
        s.extend_from_slice(b"DATA\r\n");
        s.extend_from_slice(b"RSET\r\n");
    }
    s.extend_from_slice(b"QUIT\r\n");
    s
}

fn ours(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = Command::decode(rest) {
        black_box(&value);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn stalwart(input: &[u8]) -> usize {
    let mut it = input.iter();
    let mut n = 0;
    while !it.as_slice().is_empty() {
        match stalwart_smtp_proto::Request::parse(&mut it) {
            Ok(r) => {
                black_box(&r);
                n += 1;
            }
            Err(e) => panic!("stalwart: {e:?}"),
        }
    }
    n
}

fn commands(c: &mut Criterion) {
    let input = session();
    let lines = benches::memchr_lines(&input);
    assert_eq!(ours(&input), lines);
    assert_eq!(stalwart(&input), lines);
    let mut g = c.benchmark_group("smtp_commands");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("memchr_floor", |b| {
        b.iter(|| benches::memchr_lines(black_box(&input)))
    });
    g.bench_function("smtp_proto", |b| b.iter(|| ours(black_box(&input))));
    g.bench_function("stalwart_smtp_proto", |b| {
        b.iter(|| stalwart(black_box(&input)))
    });
    g.finish();
}

criterion_group!(benches, commands);
criterion_main!(benches);
