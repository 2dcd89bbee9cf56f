//! "Delivered" delivery status notifications (RFC 3461 §5.2.2, format RFC 3464) for
//! recipients whose RCPT asked for `NOTIFY=SUCCESS`.
//!
//! The server delivers locally and answers failures in the session, so the only DSN it
//! ever has to produce is the success report. It can hand that report only to a local
//! sender (it does not relay), and writes it into the same Maildir.

use std::fmt::Write as _;
use std::time::SystemTime;

use smtp_proto::{ForwardPath, Ret};

use super::rfc5322_date;

/// What the DSN needs from the transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DsnRequest {
    /// `RET=` from MAIL (RFC 3461 §4.3): the whole message or its header.
    pub(crate) ret: Option<Ret>,
    /// `ENVID=` from MAIL, xtext-decoded (RFC 3461 §4.4).
    pub(crate) envid: Option<String>,
    /// The recipients with `NOTIFY=SUCCESS`, with their `ORCPT=` as `type;address`.
    pub(crate) success: Vec<(ForwardPath<'static>, Option<String>)>,
}

/// Printable text of a decoded xtext value: control characters become `?`.
pub(crate) fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn address(path: &ForwardPath<'_>) -> (String, &'static str) {
    match path {
        ForwardPath::Postmaster => ("Postmaster".to_owned(), "rfc822"),
        // RFC 6533 §3: "utf-8" addresses for internationalized mailboxes.
        ForwardPath::Mailbox(m) if !m.is_ascii() => (m.to_string(), "utf-8"),
        ForwardPath::Mailbox(m) => (m.to_string(), "rfc822"),
    }
}

/// The header section of `message`, up to and including the empty line.
fn header_section(message: &[u8]) -> &[u8] {
    match message.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => message.get(..i + 4).unwrap_or(message),
        None => message,
    }
}

/// The DSN message (with `Return-Path: <>`, RFC 3461 §6.2) to `sender`, reporting every
/// recipient of `request.success` as delivered. `id` makes the MIME boundary and the
/// Message-ID unique.
pub(crate) fn success_report(
    hostname: &str,
    sender: &str,
    request: &DsnRequest,
    message: &[u8],
    arrival: SystemTime,
    id: &str,
) -> Vec<u8> {
    let boundary = format!("=_dsn_{id}");
    let now = rfc5322_date(SystemTime::now());
    let mut text = String::new();
    let _ = write!(
        text,
        "Return-Path: <>\r\n\
         From: Mail Delivery System <MAILER-DAEMON@{hostname}>\r\n\
         To: <{sender}>\r\n\
         Subject: Successful Mail Delivery Report\r\n\
         Date: {now}\r\n\
         Message-ID: <{id}.dsn@{hostname}>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status;\r\n\
         \tboundary=\"{boundary}\"\r\n\
         \r\n\
         This is a MIME-encapsulated delivery status notification.\r\n\
         \r\n\
         --{boundary}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Your message was delivered to:\r\n"
    );
    for (path, _) in &request.success {
        let _ = write!(text, "  {}\r\n", address(path).0);
    }
    // RFC 3464 §2.1: per-message fields, then a blank line before each recipient's.
    let _ = write!(
        text,
        "\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; {hostname}\r\n"
    );
    if let Some(envid) = &request.envid {
        let _ = write!(text, "Original-Envelope-Id: {envid}\r\n");
    }
    let _ = write!(text, "Arrival-Date: {}\r\n", rfc5322_date(arrival));
    for (path, orcpt) in &request.success {
        text.push_str("\r\n");
        if let Some(orcpt) = orcpt {
            let _ = write!(text, "Original-Recipient: {orcpt}\r\n");
        }
        let (addr, kind) = address(path);
        let _ = write!(
            text,
            "Final-Recipient: {kind}; {addr}\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
        );
    }
    // RFC 3461 §4.3: RET=FULL returns the message, otherwise the header only.
    let (content_type, returned) = match request.ret {
        Some(Ret::Full) => ("message/rfc822", message),
        _ => ("text/rfc822-headers", header_section(message)),
    };
    let _ = write!(
        text,
        "\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n"
    );
    let mut out = text.into_bytes();
    out.extend_from_slice(returned);
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtp_proto::Mailbox;

    fn rcpt(a: &str) -> ForwardPath<'static> {
        ForwardPath::Mailbox(Mailbox::parse(a).unwrap().into_owned())
    }

    const MSG: &[u8] = b"Subject: hi\r\nFrom: a@x.test\r\n\r\nbody line\r\n";

    #[test]
    fn report_lists_each_recipient_with_headers_by_default() {
        let request = DsnRequest {
            ret: None,
            envid: Some("QQ314159".into()),
            success: vec![
                (rcpt("bob@x.test"), Some("rfc822;bob@old.test".into())),
                (rcpt("alice@x.test"), None),
            ],
        };
        let out = String::from_utf8(success_report(
            "mx.test",
            "carol@x.test",
            &request,
            MSG,
            SystemTime::UNIX_EPOCH,
            "abc",
        ))
        .unwrap();
        assert!(out.starts_with("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.test>\r\nTo: <carol@x.test>\r\n"), "{out}");
        assert!(out.contains("boundary=\"=_dsn_abc\"\r\n"), "{out}");
        assert!(out.contains("Reporting-MTA: dns; mx.test\r\nOriginal-Envelope-Id: QQ314159\r\nArrival-Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n\r\nOriginal-Recipient: rfc822;bob@old.test\r\nFinal-Recipient: rfc822; bob@x.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\nFinal-Recipient: rfc822; alice@x.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n"), "{out}");
        assert!(out.ends_with("Content-Type: text/rfc822-headers\r\n\r\nSubject: hi\r\nFrom: a@x.test\r\n\r\n--=_dsn_abc--\r\n"), "{out}");
        assert!(!out.contains("body line"));
        assert!(!out.contains('\n') || out.split('\n').all(|l| l.is_empty() || l.ends_with('\r')));
    }

    #[test]
    fn ret_full_returns_the_whole_message() {
        let request = DsnRequest {
            ret: Some(Ret::Full),
            envid: None,
            success: vec![(rcpt("b\u{fc}cher@x.test"), None)],
        };
        let out = String::from_utf8(success_report(
            "mx.test",
            "a@x.test",
            &request,
            MSG,
            SystemTime::UNIX_EPOCH,
            "z",
        ))
        .unwrap();
        assert!(!out.contains("Original-Envelope-Id"));
        assert!(out.contains("Final-Recipient: utf-8; b\u{fc}cher@x.test\r\n"));
        assert!(out.ends_with("Content-Type: message/rfc822\r\n\r\nSubject: hi\r\nFrom: a@x.test\r\n\r\nbody line\r\n--=_z--\r\n".replace("=_z", "=_dsn_z").as_str()));
    }

    #[test]
    fn printable_masks_control_characters() {
        assert_eq!(printable(b"a\r\nb\x00c"), "a??b?c");
    }
}
