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

    let region = Region::new(GLOBAL);
    let mut count = 0usize;
    let mut input = SESSION;
    while let Ok(Decoded::Complete { value, consumed }) = decode_command(input, &limits) {
        count += value.keyword().len();
        input = &input[consumed..];
    }
    let mut input = SESSION;
    while let Ok(Decoded::Complete { value, consumed }) = decoder.decode(input) {
        count += usize::from(value.is_ok());
        input = &input[consumed..];
    }
    let mut dec = ResponseDecoder::new(ResponseKind::Message, ResponseLimits::default());
    let mut input = &retr[..];
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
    let stats = region.change();
    assert_eq!(count, 22 * 4 - 1 + 22, "every command parsed");
    assert!(dec.is_done());
    assert!(data > 200 * 25);
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
}
