//! Issue 9: "no heap allocation per command" for SMTP and POP3, proven on the whole bench
//! corpora with a counting global allocator. IMAP command decoding is measured and its
//! count printed, not asserted (its commands hold vectors: sequence sets, fetch items...).
//!
//! The counter is process-wide, so this file holds a single test; the harness's own thread
//! may still allocate now and then while it runs, so each measurement is repeated and the
//! quietest round is the one checked (a parser's allocations would show in every round).

use std::alloc::System;
use std::hint::black_box;

use benches::corpus;
use mail_common::decode::Decoded;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const ROUNDS: usize = 5;

/// Runs `parse` `ROUNDS` times; returns what it returned (the same every round) and the
/// fewest allocations plus reallocations of a round.
fn quietest(parse: impl Fn() -> (usize, usize)) -> ((usize, usize), usize) {
    let mut fewest = usize::MAX;
    let mut result = None;
    for _ in 0..ROUNDS {
        let region = Region::new(GLOBAL);
        let got = parse();
        let change = region.change();
        fewest = fewest.min(change.allocations + change.reallocations);
        assert!(result.is_none_or(|r| r == got), "rounds disagree");
        result = Some(got);
    }
    (result.unwrap_or_default(), fewest)
}

/// SMTP: every command of the corpus; returns (commands, bytes consumed).
fn smtp_commands(input: &[u8]) -> (usize, usize) {
    let (mut n, mut at) = (0, 0);
    while let Ok(Decoded::Complete { value, consumed }) = smtp_proto::Command::decode(&input[at..])
    {
        black_box(&value);
        n += 1;
        at += consumed;
    }
    (n, at)
}

/// POP3: every command of the corpus, with the stateless decoder and with a server's
/// `CommandDecoder`; returns (commands, bytes consumed) of each added up.
fn pop3_commands(input: &[u8]) -> (usize, usize) {
    let limits = pop3_proto::CommandLimits::default();
    let (mut n, mut at) = (0, 0);
    while let Ok(Decoded::Complete { value, consumed }) =
        pop3_proto::decode_command(&input[at..], &limits)
    {
        black_box(&value);
        n += 1;
        at += consumed;
    }
    let mut decoder = pop3_proto::parse::CommandDecoder::new(limits);
    let mut at2 = 0;
    while let Ok(Decoded::Complete { value, consumed }) = decoder.decode(&input[at2..]) {
        n += usize::from(black_box(value).is_ok());
        at2 += consumed;
    }
    (n, at + at2)
}

/// IMAP: every command of the corpus through a server's `CommandDecoder`.
fn imap_commands(input: &[u8]) -> (usize, usize) {
    let mut dec = imap_proto::CommandDecoder::default();
    let (mut n, mut at) = (0, 0);
    while let Ok(imap_proto::CommandDecoded::Complete { command, consumed }) =
        dec.decode(&input[at..])
    {
        black_box(&command);
        n += 1;
        at += consumed;
    }
    (n, at)
}

fn lines(input: &[u8]) -> usize {
    input.iter().filter(|&&b| b == b'\n').count()
}

#[test]
fn smtp_and_pop3_command_corpora_parse_without_allocating() {
    let smtp = corpus("smtp-commands.txt");
    let pop3 = corpus("pop3-commands.txt");
    let imap = corpus("imap-commands.txt");

    let ((n, used), smtp_allocs) = quietest(|| smtp_commands(&smtp));
    assert_eq!(
        (n, used),
        (lines(&smtp), smtp.len()),
        "every SMTP command parsed"
    );
    let ((n, used), pop3_allocs) = quietest(|| pop3_commands(&pop3));
    assert_eq!(
        (n, used),
        (2 * lines(&pop3), 2 * pop3.len()),
        "every POP3 command parsed, twice"
    );
    let ((n, used), imap_allocs) = quietest(|| imap_commands(&imap));
    assert_eq!(
        (n, used),
        (lines(&imap), imap.len()),
        "every IMAP command parsed"
    );
    println!(
        "allocations (quietest of {ROUNDS} rounds): SMTP {smtp_allocs} for {} commands, \
         POP3 {pop3_allocs} for {} commands (parsed twice), IMAP {imap_allocs} for {} commands",
        lines(&smtp),
        lines(&pop3),
        lines(&imap)
    );

    // The counter does count: an owned copy of a command allocates.
    let ((owned, _), control) = quietest(|| {
        let owned = pop3_proto::decode_command(b"USER mrose\r\n", &Default::default())
            .ok()
            .and_then(Decoded::complete)
            .map(|(c, _)| c.into_owned());
        (usize::from(black_box(owned).is_some()), 0)
    });
    assert_eq!(owned, 1);
    assert!(control >= 1, "the counting allocator saw no allocation");

    assert_eq!(smtp_allocs, 0, "SMTP command parsing allocated");
    assert_eq!(pop3_allocs, 0, "POP3 command parsing allocated");
}
