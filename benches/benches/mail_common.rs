//! mail-common: dot-unstuffing and line framing against the memchr line-scan floor.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotUnstuffer, Unstuffed};
use mail_common::line::{LineConfig, LineScanner};
use std::hint::black_box;

fn unstuff_all(wire: &[u8], chunk: usize) -> usize {
    let mut dec = DotUnstuffer::new(DotConfig {
        max_line_len: Some(1000),
        bare_line_endings: BareLineEndings::Reject,
    });
    let mut total = 0;
    let mut start = 0; // bytes of `wire` consumed
    let mut end = chunk.min(wire.len()); // bytes of `wire` "received"
    loop {
        match dec.decode(&wire[start..end]) {
            Ok(Decoded::Complete { value, consumed }) => {
                if let Unstuffed::Data(d) = value {
                    total += d.len();
                } else {
                    return total;
                }
                start += consumed;
            }
            Ok(Decoded::Incomplete { .. }) => end = (end + chunk).min(wire.len()),
            Err(e) => panic!("{e}"),
        }
    }
}

fn lines_all(wire: &[u8]) -> usize {
    let mut sc = LineScanner::new(LineConfig::new(1000));
    let mut n = 0;
    let mut rest = wire;
    while let Ok(Decoded::Complete { value, consumed }) = sc.next_line(rest) {
        n += value.len();
        rest = &rest[consumed..];
    }
    n
}

fn dot(c: &mut Criterion) {
    let mut g = c.benchmark_group("dot_unstuff");
    for size in [64 * 1024, 1 << 20, 10 << 20] {
        let wire = benches::stuffed_message(size);
        g.throughput(Throughput::Bytes(wire.len() as u64));
        g.bench_with_input(BenchmarkId::new("memchr_floor", size), &wire, |b, w| {
            b.iter(|| benches::memchr_lines(black_box(w)))
        });
        g.bench_with_input(BenchmarkId::new("ours_whole", size), &wire, |b, w| {
            b.iter(|| unstuff_all(black_box(w), w.len()))
        });
        g.bench_with_input(BenchmarkId::new("ours_4k_reads", size), &wire, |b, w| {
            b.iter(|| unstuff_all(black_box(w), 4096))
        });
    }
    g.finish();
}

fn lines(c: &mut Criterion) {
    let wire = benches::stuffed_message(1 << 20);
    let mut g = c.benchmark_group("line_scan");
    g.throughput(Throughput::Bytes(wire.len() as u64));
    g.bench_function("memchr_floor", |b| {
        b.iter(|| benches::memchr_lines(black_box(&wire)))
    });
    g.bench_function("ours", |b| b.iter(|| lines_all(black_box(&wire))));
    g.finish();
}

criterion_group!(benches, dot, lines);
criterion_main!(benches);
