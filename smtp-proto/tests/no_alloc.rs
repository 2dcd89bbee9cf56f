//! Command parsing does not allocate: a counting global allocator proves it.

use std::alloc::System;

use smtp_proto::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) made while `f` runs. The counter is global, so this
/// file holds a single test.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let region = Region::new(GLOBAL);
    let v = f();
    let change = region.change();
    (v, change.allocations + change.reallocations)
}

const SESSION: &[&[u8]] = &[
    b"EHLO client.example.org\r\n",
    b"EHLO [IPv6:2001:db8::1]\r\n",
    b"AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n",
    b"MAIL FROM:<someone.long-name@sub.example.org> SIZE=123456 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=abc+2Bdef AUTH=<> MT-PRIORITY=3 REQUIRETLS X-EXT=1\r\n",
    b"MAIL FROM:<@a.example,@b.example:\"quoted user\"@[192.0.2.1]>\r\n",
    b"RCPT TO:<recipient@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;recipient+40example.com\r\n",
    b"RCPT TO:<Postmaster>\r\n",
    b"DATA\r\n",
    b"BDAT 1000 LAST\r\n",
    b"RSET\r\n",
    b"VRFY someone\r\n",
    b"NOOP\r\n",
    b"HELP\r\n",
    b"STARTTLS\r\n",
    b"XUNKNOWN some args\r\n",
    b"QUIT\r\n",
];

#[test]
fn command_parsing_does_not_allocate() {
    // Warm up thread-locals and anything lazily initialised.
    for line in SESSION {
        let _ = Command::decode(line);
    }
    for line in SESSION {
        let (parsed, n) = allocations(|| {
            let d = Command::decode(line).unwrap();
            let (cmd, used) = d.complete().unwrap();
            // Walk the parameters too: the iterator re-reads the borrowed text.
            let params = match &cmd {
                Command::MailFrom(m) => m.params.iter().count(),
                Command::RcptTo(r) => r.params.iter().count(),
                _ => 0,
            };
            (used, params)
        });
        assert_eq!(parsed.0, line.len());
        assert_eq!(
            n,
            0,
            "{} allocated {n} times",
            String::from_utf8_lossy(line)
        );
    }
    // The counter does count: an owned copy allocates.
    let (_, n) = allocations(|| {
        Command::decode(SESSION[3])
            .unwrap()
            .complete()
            .unwrap()
            .0
            .into_owned()
    });
    assert!(n > 0);
}
