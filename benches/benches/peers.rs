//! Every protocol and direction in one run, on the same bytes: our decoders, each peer crate
//! that decodes the same thing, and the memchr line scan as the floor (issue 9).
//!
//! * SMTP commands, replies, one EHLO response: ours vs Stalwart's `smtp-proto` 0.2.
//! * DATA un-stuffing: ours vs Stalwart's `DataReceiver`.
//! * POP3 commands, responses, a RETR: ours vs `pop3-codec` 0.3 and `sawp-pop3` 0.13.
//! * IMAP commands: ours vs `imap-codec` (djc's `imap-proto` parses responses only).
//! * IMAP responses and a literal-heavy FETCH BODY[]: ours vs `imap-codec` vs djc's
//!   `imap-proto` 0.17.
//!
//! The inputs are the files of `benches/corpus/`. Every parser must give the same count of
//! messages (asserted before measuring), so no one is measured skipping work.
//!
//! After criterion, a table of ns/op, MB/s and ratios is printed (and written to
//! `target/criterion/peers-table.md`) from criterion's `estimates.json` of this run.
//!
//! Run: `cargo bench -p benches --bench peers`; `BENCH_QUICK=1` for a short smoke run.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput};
use mail_common::decode::Decoded;
use mail_common::dot::{BareLineEndings, DotConfig, DotUnstuffer, Unstuffed};
use sawp::parser::{Direction, Parse};

use benches::{corpus, memchr_lines};

const FLOOR: &str = "memchr-floor";
const OURS: &str = "ours";

// ---------------------------------------------------------------- SMTP

fn smtp_commands_ours(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = smtp_proto::Command::decode(rest) {
        black_box(&value);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn smtp_commands_stalwart(input: &[u8]) -> usize {
    let mut it = input.iter();
    let mut n = 0;
    while !it.as_slice().is_empty() {
        match stalwart_smtp_proto::Request::parse(&mut it) {
            Ok(r) => {
                black_box(&r);
                n += 1;
            }
            Err(e) => panic!("stalwart: {e:?} at {}", input.len() - it.as_slice().len()),
        }
    }
    n
}

fn smtp_replies_ours(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = smtp_proto::Reply::decode(rest) {
        black_box(&value);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

/// Ours, then every line's text read: a decoded `Reply` keeps its lines as one checked
/// slice and cuts them out when asked, while Stalwart's parser copies the text into a
/// `String` as it goes; this row shows what a caller pays who reads all the text.
fn smtp_replies_ours_lines(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = smtp_proto::Reply::decode(rest) {
        for line in value.lines() {
            black_box(line);
        }
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn smtp_replies_stalwart(input: &[u8]) -> usize {
    let mut it = input.iter();
    let mut rx = stalwart_smtp_proto::response::parser::ResponseReceiver::default();
    let mut n = 0;
    while !it.as_slice().is_empty() {
        match rx.parse(&mut it) {
            Ok(r) => {
                black_box(&r);
                n += 1;
                rx.reset();
            }
            Err(e) => panic!("stalwart: {e:?}"),
        }
    }
    n
}

fn smtp_ehlo_ours(input: &[u8]) -> usize {
    match smtp_proto::EhloResponse::decode(input) {
        Ok(Decoded::Complete { value, consumed }) => {
            black_box(&value);
            consumed
        }
        other => panic!("{other:?}"),
    }
}

fn smtp_ehlo_stalwart(input: &[u8]) -> usize {
    let mut it = input.iter();
    match stalwart_smtp_proto::EhloResponse::parse(&mut it) {
        Ok(r) => {
            black_box(&r);
            input.len() - it.as_slice().len()
        }
        Err(e) => panic!("stalwart: {e:?}"),
    }
}

/// The DATA body as an SMTP server receives it, whole: un-stuffed content as borrowed
/// chunks, up to the end marker. Returns the content length.
fn data_ours(wire: &[u8]) -> usize {
    let mut dec = DotUnstuffer::new(DotConfig {
        max_line_len: Some(1000),
        bare_line_endings: BareLineEndings::Reject,
    });
    let mut rest = wire;
    let mut total = 0;
    loop {
        match dec.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                match value {
                    Unstuffed::Data(d) => total += d.len(),
                    Unstuffed::End => return total,
                }
                rest = &rest[consumed..];
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Stalwart's receiver copies the un-stuffed content into a Vec (its only API).
fn data_stalwart(wire: &[u8]) -> usize {
    let mut rx = stalwart_smtp_proto::request::receiver::DataReceiver::new();
    let mut out = Vec::with_capacity(wire.len());
    let mut it = wire.iter();
    assert!(rx.ingest(&mut it, &mut out), "stalwart: no end of data");
    black_box(&out);
    out.len()
}

// ---------------------------------------------------------------- POP3

fn pop3_commands_ours(input: &[u8]) -> usize {
    let limits = pop3_proto::CommandLimits::default();
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = pop3_proto::decode_command(rest, &limits)
    {
        black_box(&value);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn pop3_commands_codec(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok((r, cmd)) = pop3_codec::parse::command(rest) {
        black_box(&cmd);
        n += 1;
        rest = r;
    }
    n
}

fn pop3_commands_sawp(input: &[u8]) -> usize {
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

/// What a POP3 response answers, in the order of `corpus/pop3-responses.txt`: the greeting,
/// CAPA, USER, PASS, STAT, LIST, UIDL, then per message LIST n, UIDL n, TOP n 0, DELE n,
/// then NOOP, RSET, QUIT.
#[derive(Debug, Clone, Copy)]
enum Pop3Reply {
    Greeting,
    Capa,
    Status,
    Stat,
    ListAll,
    UidlAll,
    List,
    Uidl,
    Top,
}

fn pop3_reply_kinds() -> Vec<Pop3Reply> {
    use Pop3Reply::*;
    let mut v = vec![Greeting, Capa, Status, Status, Stat, ListAll, UidlAll];
    for _ in 0..30 {
        v.extend([List, Uidl, Top, Status]);
    }
    v.extend([Status, Status, Status]);
    v
}

impl Pop3Reply {
    fn ours(self) -> pop3_proto::ResponseKind {
        use pop3_proto::ResponseKind as K;
        match self {
            Pop3Reply::Greeting => K::Greeting,
            Pop3Reply::Capa => K::Capabilities,
            Pop3Reply::Status => K::Status,
            Pop3Reply::Stat => K::Stat,
            Pop3Reply::ListAll => K::ScanList,
            Pop3Reply::UidlAll => K::UniqueIdList,
            Pop3Reply::List => K::ScanListing,
            Pop3Reply::Uidl => K::UniqueIdListing,
            Pop3Reply::Top => K::Message,
        }
    }
}

/// Splits the response corpus into one slice per response, with our decoder (done once,
/// before measuring): sawp-pop3 guesses whether a response is multi-line, so it needs
/// each response on its own; the other two parse the same slices.
fn pop3_reply_slices(input: &[u8]) -> Vec<(Pop3Reply, &[u8])> {
    let limits = pop3_proto::ResponseLimits::default();
    let mut rest = input;
    let mut out = Vec::new();
    for kind in pop3_reply_kinds() {
        match pop3_proto::decode_response(kind.ours(), rest, &limits) {
            Ok(Decoded::Complete { consumed, .. }) => {
                out.push((kind, &rest[..consumed]));
                rest = &rest[consumed..];
            }
            other => panic!("{kind:?}: {other:?}"),
        }
    }
    assert!(rest.is_empty(), "{} bytes left", rest.len());
    // pop3-codec 0.3 rejects every non-empty CAPA response (its `capability` parser eats
    // the CRLF that `multi_line` then expects again), so CAPA is left out for all three.
    out.retain(|(k, _)| !matches!(k, Pop3Reply::Capa));
    out
}

/// The floor over the same slices.
fn pop3_replies_floor(slices: &[(Pop3Reply, &[u8])]) -> usize {
    slices.iter().map(|(_, b)| memchr_lines(b)).sum()
}

fn pop3_replies_ours(slices: &[(Pop3Reply, &[u8])]) -> usize {
    let limits = pop3_proto::ResponseLimits::default();
    let mut n = 0;
    for &(kind, bytes) in slices {
        if let Ok(Decoded::Complete { value, .. }) =
            pop3_proto::decode_response(kind.ours(), bytes, &limits)
        {
            black_box(&value);
            n += 1;
        }
    }
    n
}

fn pop3_replies_codec(slices: &[(Pop3Reply, &[u8])]) -> usize {
    use pop3_codec::parse as p;
    let mut n = 0;
    for &(kind, bytes) in slices {
        let ok = match kind {
            Pop3Reply::Greeting => p::greeting(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::Capa => p::response_capa(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::Status => p::response_dele(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::Stat => p::response_stat(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::ListAll => p::response_list_all(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::UidlAll => p::response_uidl_all(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::List => p::response_list(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::Uidl => p::response_uidl(bytes).map(|r| black_box(r.0)).is_ok(),
            Pop3Reply::Top => p::response_top(bytes).map(|r| black_box(r.0)).is_ok(),
        };
        n += usize::from(ok);
    }
    n
}

fn pop3_replies_sawp(slices: &[(Pop3Reply, &[u8])]) -> usize {
    let p = sawp_pop3::POP3 {};
    let mut n = 0;
    for &(_, bytes) in slices {
        if let Ok((_, Some(m))) = p.parse(bytes, Direction::ToClient) {
            black_box(&m);
            n += 1;
        }
    }
    n
}

/// A RETR response streamed through our decoder as a client reads it; returns the content
/// length.
fn retr_ours(wire: &[u8]) -> usize {
    let mut dec = pop3_proto::ResponseDecoder::new(
        pop3_proto::ResponseKind::Message,
        pop3_proto::ResponseLimits::default(),
    );
    let mut rest = wire;
    let mut total = 0;
    while !dec.is_done() {
        match dec.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                if let pop3_proto::ResponseEvent::Data(d) = value {
                    total += d.len();
                }
                rest = &rest[consumed..];
            }
            other => panic!("{other:?}"),
        }
    }
    total
}

/// pop3-codec leaves the lines dot-stuffed: the count drops the stuffed dot so that it
/// can be compared with the others' content length.
fn retr_codec(wire: &[u8]) -> usize {
    match pop3_codec::parse::response_retr(wire) {
        Ok((_, pop3_codec::types::Response::Ok(m))) => m
            .body
            .iter()
            .map(|l| l.len() + 2 - usize::from(l.starts_with('.')))
            .sum(),
        other => panic!("{:?}", other.map(|(r, _)| r.len())),
    }
}

fn retr_sawp(wire: &[u8]) -> usize {
    let p = sawp_pop3::POP3 {};
    match p.parse(wire, Direction::ToClient) {
        Ok((_, Some(m))) => match m.inner {
            sawp_pop3::InnerMessage::Response(r) => r.data.iter().map(|l| l.len() + 2).sum(),
            other => panic!("{other:?}"),
        },
        other => panic!("{:?}", other.map(|(r, _)| r.len())),
    }
}

// ---------------------------------------------------------------- IMAP

fn imap_commands_ours(input: &[u8]) -> usize {
    // One decoder for the stream, as a server keeps one per connection.
    let mut dec = imap_proto::CommandDecoder::default();
    let mut rest = input;
    let mut n = 0;
    while let Ok(imap_proto::CommandDecoded::Complete { command, consumed }) = dec.decode(rest) {
        black_box(&command);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn imap_commands_codec(input: &[u8]) -> usize {
    use imap_codec::decode::Decoder as _;
    let codec = imap_codec::CommandCodec::new();
    let mut rest = input;
    let mut n = 0;
    while let Ok((r, cmd)) = codec.decode(rest) {
        black_box(&cmd);
        n += 1;
        rest = r;
    }
    n
}

fn imap_responses_ours(input: &[u8]) -> usize {
    let mut dec = imap_proto::ResponseDecoder::default();
    let mut rest = input;
    let mut n = 0;
    while let Ok(Decoded::Complete { value, consumed }) = dec.decode(rest) {
        black_box(&value);
        n += 1;
        rest = &rest[consumed..];
    }
    n
}

fn imap_responses_codec(input: &[u8]) -> usize {
    use imap_codec::decode::Decoder as _;
    let codec = imap_codec::ResponseCodec::new();
    let mut rest = input;
    let mut n = 0;
    while let Ok((r, resp)) = codec.decode(rest) {
        black_box(&resp);
        n += 1;
        rest = r;
    }
    n
}

fn imap_responses_djc(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok((r, resp)) = djc_imap_proto::Response::parse(rest) {
        black_box(&resp);
        n += 1;
        rest = r;
    }
    n
}

// ---------------------------------------------------------------- groups

/// One contender: a closure running it over the case's bytes.
type Run<'a> = Box<dyn Fn() -> usize + 'a>;

/// One measured input: the group, its bytes, and the contenders with the count each must
/// return.
struct Case<'a> {
    group: &'static str,
    bytes: usize,
    /// What the ratio column compares ours with: the peers' ids.
    peers: &'static [&'static str],
    runs: Vec<(&'static str, Run<'a>)>,
}

fn cases<'a>(c: &'a Corpora) -> Vec<Case<'a>> {
    let floor = |b: &'a [u8]| -> Run<'a> { Box::new(move || memchr_lines(black_box(b))) };
    macro_rules! run {
        ($f:expr, $b:expr) => {{
            let b = $b;
            Box::new(move || $f(black_box(b))) as Run<'a>
        }};
    }
    vec![
        Case {
            group: "smtp_commands",
            bytes: c.smtp_commands.len(),
            peers: &["stalwart"],
            runs: vec![
                (OURS, run!(smtp_commands_ours, &c.smtp_commands[..])),
                (
                    "stalwart",
                    run!(smtp_commands_stalwart, &c.smtp_commands[..]),
                ),
                (FLOOR, floor(&c.smtp_commands)),
            ],
        },
        Case {
            group: "smtp_replies",
            bytes: c.smtp_replies.len(),
            peers: &["stalwart"],
            runs: vec![
                (OURS, run!(smtp_replies_ours, &c.smtp_replies[..])),
                (
                    "ours+lines",
                    run!(smtp_replies_ours_lines, &c.smtp_replies[..]),
                ),
                ("stalwart", run!(smtp_replies_stalwart, &c.smtp_replies[..])),
                (FLOOR, floor(&c.smtp_replies)),
            ],
        },
        Case {
            group: "smtp_ehlo",
            bytes: c.smtp_ehlo.len(),
            peers: &["stalwart"],
            runs: vec![
                (OURS, run!(smtp_ehlo_ours, &c.smtp_ehlo[..])),
                ("stalwart", run!(smtp_ehlo_stalwart, &c.smtp_ehlo[..])),
                (FLOOR, floor(&c.smtp_ehlo)),
            ],
        },
        Case {
            group: "smtp_data_unstuff",
            bytes: c.data.len(),
            peers: &["stalwart"],
            runs: vec![
                (OURS, run!(data_ours, &c.data[..])),
                ("stalwart", run!(data_stalwart, &c.data[..])),
                (FLOOR, floor(&c.data)),
            ],
        },
        Case {
            group: "pop3_commands",
            bytes: c.pop3_commands.len(),
            peers: &["pop3-codec", "sawp-pop3"],
            runs: vec![
                (OURS, run!(pop3_commands_ours, &c.pop3_commands[..])),
                (
                    "pop3-codec",
                    run!(pop3_commands_codec, &c.pop3_commands[..]),
                ),
                ("sawp-pop3", run!(pop3_commands_sawp, &c.pop3_commands[..])),
                (FLOOR, floor(&c.pop3_commands)),
            ],
        },
        Case {
            group: "pop3_responses",
            bytes: c.pop3_slices.iter().map(|(_, b)| b.len()).sum(),
            peers: &["pop3-codec", "sawp-pop3"],
            runs: vec![
                (OURS, run!(pop3_replies_ours, &c.pop3_slices[..])),
                ("pop3-codec", run!(pop3_replies_codec, &c.pop3_slices[..])),
                ("sawp-pop3", run!(pop3_replies_sawp, &c.pop3_slices[..])),
                (FLOOR, run!(pop3_replies_floor, &c.pop3_slices[..])),
            ],
        },
        Case {
            group: "pop3_retr",
            bytes: c.retr.len(),
            peers: &["pop3-codec", "sawp-pop3"],
            runs: vec![
                (OURS, run!(retr_ours, &c.retr[..])),
                ("pop3-codec", run!(retr_codec, &c.retr[..])),
                ("sawp-pop3", run!(retr_sawp, &c.retr[..])),
                (FLOOR, floor(&c.retr)),
            ],
        },
        Case {
            group: "imap_commands",
            bytes: c.imap_commands.len(),
            peers: &["imap-codec"],
            runs: vec![
                (OURS, run!(imap_commands_ours, &c.imap_commands[..])),
                (
                    "imap-codec",
                    run!(imap_commands_codec, &c.imap_commands[..]),
                ),
                (FLOOR, floor(&c.imap_commands)),
            ],
        },
        Case {
            group: "imap_responses",
            bytes: c.imap_responses.len(),
            peers: &["imap-codec", "djc-imap-proto"],
            runs: vec![
                (OURS, run!(imap_responses_ours, &c.imap_responses[..])),
                (
                    "imap-codec",
                    run!(imap_responses_codec, &c.imap_responses[..]),
                ),
                (
                    "djc-imap-proto",
                    run!(imap_responses_djc, &c.imap_responses[..]),
                ),
                (FLOOR, floor(&c.imap_responses)),
            ],
        },
        Case {
            group: "imap_fetch_body_literal",
            bytes: c.imap_literal.len(),
            peers: &["imap-codec", "djc-imap-proto"],
            runs: vec![
                (OURS, run!(imap_responses_ours, &c.imap_literal[..])),
                (
                    "imap-codec",
                    run!(imap_responses_codec, &c.imap_literal[..]),
                ),
                (
                    "djc-imap-proto",
                    run!(imap_responses_djc, &c.imap_literal[..]),
                ),
                (FLOOR, floor(&c.imap_literal)),
            ],
        },
    ]
}

struct Corpora {
    smtp_commands: Vec<u8>,
    smtp_replies: Vec<u8>,
    smtp_ehlo: Vec<u8>,
    data: Vec<u8>,
    pop3_commands: Vec<u8>,
    pop3_slices: Vec<(Pop3Reply, &'static [u8])>,
    retr: Vec<u8>,
    imap_commands: Vec<u8>,
    imap_responses: Vec<u8>,
    imap_literal: Vec<u8>,
}

impl Corpora {
    fn load() -> Self {
        let data = benches::stuffed_corpus_message();
        let mut retr = format!("+OK {} octets\r\n", corpus("message.eml").len()).into_bytes();
        retr.extend_from_slice(&data);
        // Leaked once so the slices can borrow it for the whole run.
        let pop3_responses: &'static [u8] = Vec::leak(corpus("pop3-responses.txt"));
        Corpora {
            smtp_commands: corpus("smtp-commands.txt"),
            smtp_replies: corpus("smtp-replies.txt"),
            smtp_ehlo: corpus("smtp-ehlo.txt"),
            data,
            pop3_commands: corpus("pop3-commands.txt"),
            pop3_slices: pop3_reply_slices(pop3_responses),
            retr,
            imap_commands: corpus("imap-commands.txt"),
            imap_responses: corpus("imap-responses.txt"),
            imap_literal: corpus("imap-fetch-body.txt"),
        }
    }
}

/// Every contender of a case returns the same count (messages, or content octets), so
/// none is measured skipping work; the floor counts lines and is not compared.
fn check(case: &Case<'_>) {
    let mut expected = None;
    for (id, f) in &case.runs {
        if *id == FLOOR {
            continue;
        }
        let got = f();
        assert!(got > 0, "{}/{id}: parsed nothing", case.group);
        match expected {
            None => expected = Some(got),
            Some(e) => assert_eq!(got, e, "{}/{id} disagrees with {}", case.group, OURS),
        }
    }
}

fn configure() -> Criterion {
    let quick = std::env::var_os("BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let c = Criterion::default();
    let c = if quick {
        // Short measurement, fewer bootstrap resamples and no plots: the analysis, not the
        // measurement, is most of a quick run's time.
        c.warm_up_time(Duration::from_millis(150))
            .measurement_time(Duration::from_millis(400))
            .sample_size(10)
            .nresamples(1000)
            .without_plots()
    } else {
        c.warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
    };
    c.configure_from_args()
}

fn print_table(cases: &[Case<'_>], since: SystemTime) {
    use std::fmt::Write as _;
    let mut t = String::new();
    let _ = writeln!(t, "Machine: {}", benches::machine_note());
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "| input | bytes | parser | ns/op | MB/s | ours is N× faster | × floor time |"
    );
    let _ = writeln!(t, "|---|---:|---|---:|---:|---:|---:|");
    let mut any = false;
    for case in cases {
        let ns = |id: &str| benches::criterion_mean_ns(case.group, id, since);
        let ours = ns(OURS);
        let floor = ns(FLOOR);
        for (id, _) in &case.runs {
            let Some(v) = ns(id) else { continue };
            any = true;
            let mbs = case.bytes as f64 / v * 1e3;
            let vs_ours = match (ours, case.peers.contains(id)) {
                (Some(o), true) => format!("{:.2}", v / o),
                _ => "".to_owned(),
            };
            let vs_floor = match floor {
                Some(f) if *id != FLOOR => format!("{:.1}", v / f),
                _ => "1".to_owned(),
            };
            let _ = writeln!(
                t,
                "| {} | {} | {id} | {v:.0} | {mbs:.0} | {vs_ours} | {vs_floor} |",
                case.group, case.bytes
            );
        }
    }
    if !any {
        return;
    }
    println!("\n{t}");
    let path = benches::criterion_home().join("peers-table.md");
    if std::fs::write(&path, &t).is_ok() {
        println!("(also written to {})", path.display());
    }
}

fn main() {
    let since = SystemTime::now();
    let corpora = Corpora::load();
    let cases = cases(&corpora);
    for case in &cases {
        check(case);
    }
    let mut c = configure();
    for case in &cases {
        let mut g = c.benchmark_group(case.group);
        g.throughput(Throughput::Bytes(case.bytes as u64));
        for (id, f) in &case.runs {
            g.bench_function(*id, |b| b.iter(f));
        }
        g.finish();
    }
    c.final_summary();
    print_table(&cases, since);
}
