//! Shared helpers of the benchmarks: corpora and the memchr floor.

use std::path::PathBuf;

/// Path of a file in `benches/corpus/`.
pub fn corpus_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

/// Reads a corpus file (panics with the path if it is missing: benches only).
pub fn corpus(name: &str) -> Vec<u8> {
    let path = corpus_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The floor every parser is compared with: find every line end with memchr and touch the
/// line, nothing else. Returns the number of lines (so the work cannot be optimised away).
pub fn memchr_lines(input: &[u8]) -> usize {
    let mut n = 0;
    let mut rest = input;
    while let Some(i) = memchr::memchr(b'\n', rest) {
        n += 1;
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    n
}

/// A message of about `size` bytes in wire form (dot-stuffed, CRLF, ending in `.` CRLF):
/// realistic text lines of 60-78 octets, some starting with a dot.
pub fn stuffed_message(size: usize) -> Vec<u8> {
    let mut content = Vec::with_capacity(size + 100);
    content
        .extend_from_slice(b"From: a@example.org\r\nTo: b@example.net\r\nSubject: bench\r\n\r\n");
    let words = [
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
        "sed",
        "do",
        "eiusmod",
        "tempor",
        "incididunt",
        "ut",
        "labore",
        ".et",
        "dolore",
        "magna",
    ];
    let mut i = 0usize;
    while content.len() < size {
        let mut line = String::new();
        while line.len() < 60 + (i % 18) {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(words[i % words.len()]);
            i = i.wrapping_mul(31).wrapping_add(7) % 1009;
        }
        content.extend_from_slice(line.as_bytes());
        content.extend_from_slice(b"\r\n");
    }
    let mut wire = Vec::with_capacity(content.len() + content.len() / 50 + 8);
    mail_common::dot::stuff(&content, &mut wire);
    wire
}
