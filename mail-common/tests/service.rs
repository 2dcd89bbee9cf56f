//! Mail services, ports and transport security (RFC 8314, RFC 6409, RFC 2033).

use std::collections::HashSet;

use mail_common::service::{Protocol, Security, Service};

#[test]
fn well_known_ports() {
    let table = [
        (Service::Smtp, Some(25), Protocol::Smtp, Security::StartTls),
        (
            Service::Submission,
            Some(587),
            Protocol::Smtp,
            Security::StartTls,
        ),
        (
            Service::Submissions,
            Some(465),
            Protocol::Smtp,
            Security::ImplicitTls,
        ),
        (Service::Imap, Some(143), Protocol::Imap, Security::StartTls),
        (
            Service::Imaps,
            Some(993),
            Protocol::Imap,
            Security::ImplicitTls,
        ),
        (Service::Pop3, Some(110), Protocol::Pop3, Security::StartTls),
        (
            Service::Pop3s,
            Some(995),
            Protocol::Pop3,
            Security::ImplicitTls,
        ),
        (Service::Lmtp, None, Protocol::Lmtp, Security::Plain),
    ];
    assert_eq!(table.len(), Service::ALL.len());
    for (service, port, protocol, security) in table {
        assert_eq!(service.port(), port, "{service}");
        assert_eq!(service.protocol(), protocol, "{service}");
        assert_eq!(service.security(), security, "{service}");
        assert_eq!(service.is_implicit_tls(), security == Security::ImplicitTls);
        if let Some(p) = port {
            assert_eq!(Service::from_port(p), Some(service));
        }
    }
}

#[test]
fn lmtp_never_uses_port_25() {
    // RFC 2033: LMTP MUST NOT be used on TCP port 25, and has no well-known port.
    assert_eq!(Service::Lmtp.port(), None);
    assert_eq!(Service::from_port(25), Some(Service::Smtp));
}

#[test]
fn recommended_prefers_implicit_tls() {
    // RFC 8314 §3: implicit TLS first, for submission and both access protocols.
    let rec = Service::recommended();
    assert_eq!(
        &rec[..3],
        &[Service::Submissions, Service::Imaps, Service::Pop3s]
    );
    assert!(
        rec[..3]
            .iter()
            .all(|s| s.security() == Security::ImplicitTls)
    );
    assert!(rec[3..].iter().all(|s| s.security() == Security::StartTls));
    assert!(!rec.contains(&Service::Smtp) && !rec.contains(&Service::Lmtp));
    // Every STARTTLS entry comes after its implicit-TLS counterpart.
    for (i, s) in rec.iter().enumerate() {
        let tls = s.with_implicit_tls(true).unwrap();
        assert!(rec.iter().position(|x| *x == tls).unwrap() <= i);
    }
}

#[test]
fn names_are_unique_and_round_trip() {
    let names: HashSet<&str> = Service::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(names.len(), Service::ALL.len());
    for s in Service::ALL {
        assert_eq!(Service::from_name(s.name().as_bytes()), Some(s));
        assert_eq!(
            Service::from_name(s.name().to_uppercase().as_bytes()),
            Some(s)
        );
        assert_eq!(s.to_string(), s.name());
    }
    assert_eq!(Service::from_name(b"smtps"), None);
    assert_eq!(Service::from_port(2525), None);
    assert_eq!(Protocol::Pop3.to_string(), "POP3");
    assert_eq!(Protocol::Lmtp.name(), "LMTP");
}

#[test]
fn implicit_tls_counterparts() {
    assert_eq!(Service::Imap.with_implicit_tls(true), Some(Service::Imaps));
    assert_eq!(Service::Imaps.with_implicit_tls(false), Some(Service::Imap));
    assert_eq!(
        Service::Submission.with_implicit_tls(true),
        Some(Service::Submissions)
    );
    assert_eq!(Service::Pop3s.with_implicit_tls(true), Some(Service::Pop3s));
    assert_eq!(Service::Smtp.with_implicit_tls(true), None);
    assert_eq!(Service::Lmtp.with_implicit_tls(true), None);
    for s in Service::ALL {
        if let Some(t) = s.with_implicit_tls(true) {
            assert!(t.is_implicit_tls());
            assert_eq!(t.protocol(), s.protocol());
        }
        let plain = s.with_implicit_tls(false).unwrap();
        assert!(!plain.is_implicit_tls());
        assert_eq!(plain.protocol(), s.protocol());
    }
}
