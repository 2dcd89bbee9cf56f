//! Typed LIMITS (RFC 9422), XCLIENT and XFORWARD capabilities, and the client-side checks
//! of `EhloResponse` against what the server advertised: LIMITS RCPTMAX (RFC 9422 §4.2),
//! FUTURERELEASE max-future-datetime (RFC 4865 §3), DELIVERBY min-by-time (RFC 2852 §4).

mod common;

use proptest::prelude::*;
use smtp_proto::*;

fn ehlo(bytes: &[u8]) -> EhloResponse<'_> {
    EhloResponse::decode(bytes).unwrap().complete().unwrap().0
}

#[test]
fn limits_are_read_and_their_accessors_answer() {
    let e = ehlo(
        b"250-mx\r\n250-LIMITS MAILMAX=5 RCPTMAX=2 RCPTDOMAINMAX=1 X=y\r\n250 XFORWARD NAME\r\n",
    );
    assert_eq!(e.mail_max(), Some(5));
    assert_eq!(e.rcpt_max(), Some(2));
    assert_eq!(e.rcpt_domain_max(), Some(1));
    assert_eq!(e.limits().len(), 4);
    let none = ehlo(b"250-mx\r\n250 XCLIENT ADDR\r\n");
    assert!(none.limits().is_empty());
    assert_eq!(none.rcpt_max(), None);
}

#[test]
fn more_recipients_than_rcptmax_is_a_typed_local_error() {
    let e = ehlo(b"250-mx\r\n250 LIMITS RCPTMAX=2\r\n");
    assert_eq!(e.check_recipients(1), Ok(()));
    assert_eq!(e.check_recipients(2), Ok(()));
    let err = e.check_recipients(3).unwrap_err();
    assert_eq!(err, Error::TooManyRecipients { count: 3, limit: 2 });
    assert!(err.is_local());
    // No LIMITS, or LIMITS without RCPTMAX: any number.
    assert_eq!(ehlo(b"250 mx\r\n").check_recipients(10_000), Ok(()));
    assert_eq!(
        ehlo(b"250-mx\r\n250 LIMITS MAILMAX=1\r\n").check_recipients(10_000),
        Ok(())
    );
}

#[test]
fn holduntil_later_than_max_future_datetime_is_refused() {
    let e = ehlo(b"250-mx\r\n250 FUTURERELEASE 604800 2026-12-01T00:00:00Z\r\n");
    let hold = |s: &str| Parameter::HoldUntil(DateTime::new(s.to_string()).unwrap());
    for ok in [
        "2026-12-01T00:00:00Z",
        "2026-11-30T23:59:59.999Z",
        // The same instant in another offset.
        "2026-12-01T01:00:00+01:00",
        "2026-11-30T19:00:00-05:00",
        "2026-12-01T00:00:00.000Z",
    ] {
        assert_eq!(e.check_parameter(&hold(ok), false), Ok(()), "{ok}");
    }
    for late in [
        "2026-12-01T00:00:00.001Z",
        "2026-12-01T00:00:01Z",
        "2026-12-01T00:30:00-00:01",
        "2027-01-01T00:00:00Z",
    ] {
        let err = e.check_parameter(&hold(late), false).unwrap_err();
        assert!(
            matches!(
                err,
                Error::ParameterAboveLimit {
                    parameter: "HOLDUNTIL",
                    limit: 1_796_083_200,
                    ..
                }
            ),
            "{late}: {err:?}"
        );
    }
    // Without FUTURERELEASE: not offered.
    assert!(matches!(
        ehlo(b"250 mx\r\n").check_parameter(&hold("2026-01-01T00:00:00Z"), false),
        Err(Error::ParameterNotOffered {
            parameter: "HOLDUNTIL",
            ..
        })
    ));
}

#[test]
fn by_with_mode_r_below_min_by_time_is_refused() {
    let e = ehlo(b"250-mx\r\n250 DELIVERBY 240\r\n");
    let by = |time, mode| {
        Parameter::By(By {
            time,
            mode,
            trace: false,
        })
    };
    assert_eq!(e.check_parameter(&by(240, ByMode::Return), false), Ok(()));
    assert_eq!(e.check_parameter(&by(3600, ByMode::Return), false), Ok(()));
    assert_eq!(
        e.check_parameter(&by(239, ByMode::Return), false),
        Err(Error::ParameterBelowLimit {
            parameter: "BY",
            value: 239,
            limit: 240
        })
    );
    // N (notify) has no minimum; no min-by-time advertised: none either.
    assert_eq!(e.check_parameter(&by(-60, ByMode::Notify), false), Ok(()));
    let no_min = ehlo(b"250-mx\r\n250 DELIVERBY\r\n");
    assert_eq!(
        no_min.check_parameter(&by(1, ByMode::Return), false),
        Ok(())
    );
    assert!(matches!(
        ehlo(b"250 mx\r\n").check_parameter(&by(1, ByMode::Return), false),
        Err(Error::ParameterNotOffered {
            parameter: "BY",
            ..
        })
    ));
}

#[test]
fn date_times_compare_by_instant() {
    let d = |s: &str| DateTime::new(s.to_string()).unwrap();
    assert_eq!(d("1970-01-01T00:00:00Z").unix_seconds(), 0);
    assert_eq!(d("1970-01-01T01:00:00+01:00").unix_seconds(), 0);
    assert_eq!(d("2000-03-01T00:00:00Z").unix_seconds(), 951_868_800);
    assert_eq!(d("1969-12-31T23:59:59Z").unix_seconds(), -1);
    assert_eq!(d("2026-12-01T00:00:00Z").unix_seconds(), 1_796_083_200);
    use std::cmp::Ordering::*;
    assert_eq!(
        d("2026-01-01T00:00:00.5Z").cmp_instant(&d("2026-01-01T00:00:00.25Z")),
        Greater
    );
    assert_eq!(
        d("2026-01-01T00:00:00.50Z").cmp_instant(&d("2026-01-01T00:00:00.5Z")),
        Equal
    );
    assert_eq!(
        d("2026-01-01T00:00:00.05Z").cmp_instant(&d("2026-01-01T00:00:00.5Z")),
        Less
    );
    assert_eq!(
        d("2026-01-01T00:00:00Z").cmp_instant(&d("2025-12-31T19:00:00-05:00")),
        Equal
    );
}

#[test]
fn hand_built_limits_and_attributes_that_would_not_read_back_are_refused() {
    let new = |c: Capability<'static>| EhloResponse::new("mx.example", None, vec![c]);
    for bad in [
        Capability::Limits(vec![]),
        Capability::Limits(vec![Limit::RcptMax(1_000_000)]),
        Capability::Limits(vec![Limit::Other {
            name: "RCPTMAX".into(),
            value: Some("5".into()),
        }]),
        Capability::Limits(vec![Limit::Other {
            name: "A B".into(),
            value: None,
        }]),
        Capability::Limits(vec![Limit::Other {
            name: "A".into(),
            value: Some("1;2".into()),
        }]),
        Capability::Limits(vec![Limit::Other {
            name: "A".into(),
            value: Some("".into()),
        }]),
        Capability::Xclient(vec![XAttribute::Other("name".into())]),
        Capability::Xforward(vec![XAttribute::Other("A\r\n250 X".into())]),
        Capability::Xforward(vec![XAttribute::Other("".into())]),
        Capability::Other {
            keyword: "LIMITS".into(),
            params: vec!["RCPTMAX=1".into()],
        },
        Capability::Other {
            keyword: "XCLIENT".into(),
            params: vec![],
        },
    ] {
        assert!(
            matches!(new(bad.clone()), Err(Error::InvalidValue { .. })),
            "{bad:?}"
        );
    }
    // An injected CR LF is never written.
    let hand = EhloResponse {
        domain: "mx".into(),
        greeting: None,
        capabilities: vec![Capability::Xclient(vec![XAttribute::Other(
            "A\r\n250 X".into(),
        )])],
    };
    assert_eq!(hand.to_bytes(), b"250 mx\r\n");
}

proptest! {
    #[test]
    fn every_generated_capability_is_valid_and_reads_back(cap in common::capability()) {
        let e = EhloResponse::new("mx.example", None, vec![cap]).unwrap();
        let bytes = e.to_bytes();
        let (back, used) = EhloResponse::decode(&bytes).unwrap().complete().unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, e);
    }
}
