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

/// The message of `corpus/message.eml` in wire form: dot-stuffed, ending in `.` CRLF (the
/// bytes of a DATA body or of a RETR response after its status line).
pub fn stuffed_corpus_message() -> Vec<u8> {
    let content = corpus("message.eml");
    let mut wire = Vec::with_capacity(content.len() + content.len() / 50 + 8);
    mail_common::dot::stuff(&content, &mut wire);
    wire
}

/// Where criterion writes its results: `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`,
/// else the workspace's `target/criterion` (criterion's own order).
pub fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("criterion")
}

/// The mean time per iteration in nanoseconds that criterion measured for `group/id`,
/// if its `new/estimates.json` was written at or after `since` (so a table never mixes in
/// results of an earlier run).
pub fn criterion_mean_ns(group: &str, id: &str, since: std::time::SystemTime) -> Option<f64> {
    let path = criterion_home()
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json = std::fs::read_to_string(&path).ok()?;
    mean_point_estimate(&json)
}

/// Extracts `mean.point_estimate` from criterion's `estimates.json` (a fixed layout:
/// `{"mean":{"confidence_interval":{...},"point_estimate":X,...},...}`), without a JSON
/// library.
pub fn mean_point_estimate(json: &str) -> Option<f64> {
    let mean = json.get(json.find("\"mean\"")?..)?;
    let key = "\"point_estimate\":";
    let at = mean.find(key)? + key.len();
    let num = mean.get(at..)?.trim_start();
    let end = num
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')))
        .unwrap_or(num.len());
    num.get(..end)?.parse().ok()
}

/// One line describing the machine: cores, CPU model and load averages (Linux).
pub fn machine_note() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("{cores} cores, {cpu}, load average {load}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_mean() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.5e3,"standard_error":0.1},"median":{"point_estimate":9.0}}"#;
        assert_eq!(mean_point_estimate(json), Some(2500.0));
        assert_eq!(mean_point_estimate("{}"), None);
    }

    #[test]
    fn corpus_message_is_terminated() {
        let wire = stuffed_corpus_message();
        assert!(wire.ends_with(b"\r\n.\r\n"));
        assert_eq!(
            memchr_lines(&wire),
            memchr_lines(&corpus("message.eml")) + 1
        );
    }
}
