//! A counting global allocator proves that command parsing does not allocate: commands
//! borrow from the input (one test in this binary, so no other thread allocates meanwhile).

use std::alloc::System;

use mail_common::decode::Decoded;
use pop3_proto::parse::{CommandDecoder, CommandLimits, decode_command};
use pop3_proto::{ResponseDecoder, ResponseEvent, ResponseKind, ResponseLimits};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SESSION: &[u8] = b"CAPA\r\nUSER mrose\r\nPASS my secret pass phrase\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n\
STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nRETR 1\r\nTOP 1 10\r\nDELE 1\r\nRSET\r\nNOOP\r\nSTLS\r\n\
AUTH\r\nAUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\nAUTH CRAM-MD5\r\nUTF8\r\nLANG es\r\nXTND XMIT\r\nQUIT\r\n";

#[test]
fn command_parsing_and_message_streaming_do_not_allocate() {
    let limits = CommandLimits::default();
    let mut decoder = CommandDecoder::new(limits);
    // Responses: a whole RETR streamed through the dot-unstuffer.
    let mut retr = b"+OK 120 octets\r\n".to_vec();
    for i in 0..200 {
        retr.extend_from_slice(format!("..line {i} of the message body\r\n").as_bytes());
    }
    retr.extend_from_slice(b".\r\n");

    // The harness's own thread may allocate now and then while this one runs (the
    // counter is process-wide): an allocation of the parsers would show in every round,
    // so the quietest of a few rounds must show none.
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let (stats, count, done, data) = measure(&limits, &mut decoder, &retr);
        assert_eq!(count, 22 * 4 - 1 + 22, "every command parsed");
        assert!(done);
        assert!(data > 200 * 25);
        rounds.push(stats);
    }
    // The counter does see allocations.
    let control = Region::new(GLOBAL);
    let owned = std::hint::black_box(
        decode_command(b"USER mrose\r\n", &limits)
            .unwrap()
            .complete()
            .unwrap()
            .0
            .into_owned(),
    );
    assert!(control.change().allocations >= 1);
    drop(owned);
    let quietest = rounds
        .iter()
        .min_by_key(|s| s.allocations + s.reallocations)
        .unwrap();
    assert_eq!(quietest.allocations, 0, "{rounds:?}");
    assert_eq!(quietest.reallocations, 0, "{rounds:?}");
}

fn measure(
    limits: &CommandLimits,
    decoder: &mut CommandDecoder,
    retr: &[u8],
) -> (stats_alloc::Stats, usize, bool, usize) {
    let region = Region::new(GLOBAL);
    let mut count = 0usize;
    let mut input = SESSION;
    while let Ok(Decoded::Complete { value, consumed }) = decode_command(input, limits) {
        count += value.keyword().len();
        input = &input[consumed..];
    }
    let mut input = SESSION;
    while let Ok(Decoded::Complete { value, consumed }) = decoder.decode(input) {
        count += usize::from(value.is_ok());
        input = &input[consumed..];
    }
    let mut dec = ResponseDecoder::new(ResponseKind::Message, ResponseLimits::default());
    let mut input = retr;
    let mut data = 0;
    while !dec.is_done() {
        match dec.decode(input) {
            Ok(Decoded::Complete { value, consumed }) => {
                if let ResponseEvent::Data(d) = value {
                    data += d.len();
                }
                input = &input[consumed..];
            }
            _ => break,
        }
    }
    (region.change(), count, dec.is_done(), data)
}
