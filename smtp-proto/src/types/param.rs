//! ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 `Mail-parameters`,
//! `Rcpt-parameters`), typed for the registered extensions.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::error::Error;
use crate::parse::{param as p, validate};

/// `BODY=` (RFC 6152 §2, RFC 3030 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME`.
    EightBitMime,
    /// `BINARYMIME` (requires BDAT).
    BinaryMime,
}

/// `RET=` (RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message in a DSN.
    Full,
    /// `HDRS`: return the headers only.
    Hdrs,
}

/// `NOTIFY=` (RFC 3461 §4.1): `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notify {
    /// `NEVER`.
    Never,
    /// Some of the three conditions (at least one is true).
    On {
        /// `SUCCESS`.
        success: bool,
        /// `FAILURE`.
        failure: bool,
        /// `DELAY`.
        delay: bool,
    },
}

/// `xtext` (RFC 3461 §4): printable ASCII with `+XX` escapes, kept in wire form; never
/// empty. Equality and hashing are on the decoded bytes (`+41` equals `A`).
#[derive(Debug, Clone)]
pub struct XText<'a>(pub(crate) Cow<'a, str>);

impl XText<'_> {
    /// The decoded bytes, without allocating.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let b = self.0.as_bytes();
        let mut i = 0;
        core::iter::from_fn(move || {
            let c = *b.get(i)?;
            if c == b'+' {
                let hex = |h: Option<&u8>| h.and_then(|h| char::from(*h).to_digit(16));
                let v = match (hex(b.get(i + 1)), hex(b.get(i + 2))) {
                    (Some(hi), Some(lo)) => u8::try_from(hi * 16 + lo).unwrap_or(0),
                    _ => 0,
                };
                i += 3;
                Some(v)
            } else {
                i += 1;
                Some(c)
            }
        })
    }
}

impl PartialEq for XText<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes().eq(other.bytes())
    }
}
impl Eq for XText<'_> {}
impl core::hash::Hash for XText<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        for b in self.bytes() {
            state.write_u8(b);
        }
    }
}

impl<'a> XText<'a> {
    /// Validates a wire-form xtext.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "xtext", p::xtext)?;
        Ok(XText(s))
    }
    /// Encodes arbitrary bytes as xtext.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for empty data (an `esmtp-value` is never empty).
    pub fn encode(data: &[u8]) -> Result<XText<'static>, Error> {
        if data.is_empty() {
            return Err(Error::InvalidValue { what: "xtext" });
        }
        let mut s = alloc::string::String::with_capacity(data.len());
        for &b in data {
            if (33..=126).contains(&b) && b != b'+' && b != b'=' {
                s.push(char::from(b));
            } else {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                s.push('+');
                s.push(char::from(
                    HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
                ));
                s.push(char::from(
                    HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
                ));
            }
        }
        Ok(XText(Cow::Owned(s)))
    }
    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The decoded bytes.
    pub fn decode(&self) -> Vec<u8> {
        self.bytes().collect()
    }
    /// An owned copy.
    pub fn into_owned(self) -> XText<'static> {
        XText(Cow::Owned(self.0.into_owned()))
    }
}

/// `ORCPT=addr-type ";" xtext` (RFC 3461 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcpt<'a> {
    /// `addr-type = atom` (`rfc822`, `utf-8`).
    pub addr_type: Cow<'a, str>,
    /// The original recipient, xtext-encoded.
    pub addr: XText<'a>,
}

impl<'a> Orcpt<'a> {
    /// Validates `addr-type ";" xtext` (RFC 3461 §4.2): `addr-type` is an `atom` (ASCII
    /// `atext`, e.g. `rfc822`, `utf-8`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (`what: "addr-type"`).
    pub fn new(addr_type: impl Into<Cow<'a, str>>, addr: XText<'a>) -> Result<Self, Error> {
        let o = Orcpt {
            addr_type: addr_type.into(),
            addr,
        };
        o.validate()?;
        Ok(o)
    }

    /// Checks the public `addr_type` field (the `addr` is a validated [`XText`]): a value
    /// built by hand must not carry CR, LF, `;` or spaces into the command line.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (`what: "addr-type"`).
    pub fn validate(&self) -> Result<(), Error> {
        let t = self.addr_type.as_bytes();
        if t.is_empty()
            || !t
                .iter()
                .all(|b| b.is_ascii() && crate::parse::path::is_atext(*b))
        {
            return Err(Error::InvalidValue { what: "addr-type" });
        }
        Ok(())
    }
}

/// `AUTH=` on MAIL (RFC 4954 §5): `"<>"` or an xtext mailbox. A mailbox whose xtext
/// decodes to `<>` is written `+3C+3E` so that it is not read back as the empty identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthParam<'a> {
    /// `AUTH=<>`: the submitter is not known or not trusted.
    Unknown,
    /// `AUTH=xtext`.
    Mailbox(XText<'a>),
}

/// `BY=by-time ";" by-mode [by-trace]` (RFC 2852 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct By {
    /// Seconds, `["-" / "+"] 1*9digit`.
    pub time: i32,
    /// `R` (return if late) or `N` (notify if late).
    pub mode: ByMode,
    /// The trace flag `T`.
    pub trace: bool,
}

/// The by-mode of [`By`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByMode {
    /// `N`.
    Notify,
    /// `R`.
    Return,
}

/// An RFC 3339 `date-time`, as used by `HOLDUNTIL=` (RFC 4865 §4) and FUTURERELEASE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime<'a>(pub(crate) Cow<'a, str>);

impl<'a> DateTime<'a> {
    /// Validates an RFC 3339 `date-time`: the syntax of §5.6 and the ranges of §5.7
    /// (month 01-12, day of month within the month's days in that year, hour 00-23, minute
    /// 00-59, second 00-60 for a leap second, offset hours 00-23 and minutes 00-59).
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "date-time", p::date_time)?;
        Ok(DateTime(s))
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// An owned copy.
    pub fn into_owned(self) -> DateTime<'static> {
        DateTime(Cow::Owned(self.0.into_owned()))
    }

    /// The whole seconds since 1970-01-01T00:00:00Z of the instant this names (its offset
    /// applied; negative before 1970). A leap second `:60` counts as the next minute's
    /// `:00` (RFC 3339 §5.7).
    pub fn unix_seconds(&self) -> i64 {
        let b = self.0.as_bytes();
        // The syntax was checked: digits at fixed places (RFC 3339 §5.6).
        let num = |from: usize, len: usize| {
            b.iter()
                .skip(from)
                .take(len)
                .fold(0i64, |n, d| n * 10 + i64::from(d.wrapping_sub(b'0')))
        };
        let days = days_from_civil(num(0, 4), num(5, 2), num(8, 2));
        let mut secs = days * 86_400 + num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
        // `time-numoffset` (the last six octets): local time minus the offset is UTC.
        let n = b.len();
        match b.get(n.wrapping_sub(6)) {
            Some(b'+') => secs -= num(n - 5, 2) * 3600 + num(n - 2, 2) * 60,
            Some(b'-') => secs += num(n - 5, 2) * 3600 + num(n - 2, 2) * 60,
            _ => {}
        }
        secs
    }

    /// The `time-secfrac` digits without trailing zeros (empty without a fraction).
    fn fraction(&self) -> &str {
        let s = self.as_str();
        s.get(19..)
            .and_then(|f| f.strip_prefix('.'))
            .and_then(|f| f.split(|c: char| !c.is_ascii_digit()).next())
            .map(|f| f.trim_end_matches('0'))
            .unwrap_or_default()
    }

    /// Orders two date-times by the instants they name, offsets applied (RFC 3339 §5.1:
    /// the same instant in different offsets compares equal).
    pub fn cmp_instant(&self, other: &DateTime<'_>) -> core::cmp::Ordering {
        // Fractions without trailing zeros compare as digit strings.
        self.unix_seconds()
            .cmp(&other.unix_seconds())
            .then_with(|| self.fraction().cmp(other.fraction()))
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (negative before).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Years counted from March, so that the leap day ends the year.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (m + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` of an unknown parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EsmtpKeyword<'a>(pub(crate) Cow<'a, str>);

impl<'a> EsmtpKeyword<'a> {
    /// Validates a keyword that is not one of the typed ones.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if it does not match the rule or names a typed parameter.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "esmtp-keyword", p::esmtp_keyword)?;
        if p::known_keyword(s.as_bytes()).is_some() {
            return Err(Error::InvalidValue {
                what: "esmtp-keyword (not a typed one)",
            });
        }
        Ok(EsmtpKeyword(s))
    }
    /// The keyword as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (UTF-8 allowed, RFC 6531 §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EsmtpValue<'a>(pub(crate) Cow<'a, str>);

impl<'a> EsmtpValue<'a> {
    /// Validates a value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, Error> {
        let s = s.into();
        validate(s.as_bytes(), "esmtp-value", p::esmtp_value)?;
        Ok(EsmtpValue(s))
    }
    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One ESMTP parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Parameter<'a> {
    /// `SIZE=` (RFC 1870 §6).
    Size(u64),
    /// `BODY=` (RFC 6152, RFC 3030).
    Body(Body),
    /// `SMTPUTF8` (RFC 6531 §3.4).
    SmtpUtf8,
    /// `RET=` (RFC 3461 §4.3).
    Ret(Ret),
    /// `ENVID=` (RFC 3461 §4.4).
    EnvId(XText<'a>),
    /// `NOTIFY=` (RFC 3461 §4.1), on RCPT.
    Notify(Notify),
    /// `ORCPT=` (RFC 3461 §4.2), on RCPT.
    Orcpt(Orcpt<'a>),
    /// `AUTH=` (RFC 4954 §5).
    Auth(AuthParam<'a>),
    /// `MT-PRIORITY=` (RFC 6710 §3), -9 to 9.
    MtPriority(i8),
    /// `REQUIRETLS` (RFC 8689 §4.1).
    RequireTls,
    /// `HOLDFOR=` seconds (RFC 4865 §4).
    HoldFor(u32),
    /// `HOLDUNTIL=` date-time (RFC 4865 §4).
    HoldUntil(DateTime<'a>),
    /// `BY=` (RFC 2852 §4).
    By(By),
    /// Any other well-formed parameter, kept.
    Other {
        /// The keyword.
        keyword: EsmtpKeyword<'a>,
        /// The value after `=`, if any.
        value: Option<EsmtpValue<'a>>,
    },
}

impl Parameter<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Parameter<'static> {
        match self {
            Parameter::Size(v) => Parameter::Size(v),
            Parameter::Body(v) => Parameter::Body(v),
            Parameter::SmtpUtf8 => Parameter::SmtpUtf8,
            Parameter::Ret(v) => Parameter::Ret(v),
            Parameter::EnvId(x) => Parameter::EnvId(x.into_owned()),
            Parameter::Notify(n) => Parameter::Notify(n),
            Parameter::Orcpt(o) => Parameter::Orcpt(Orcpt {
                addr_type: Cow::Owned(o.addr_type.into_owned()),
                addr: o.addr.into_owned(),
            }),
            Parameter::Auth(AuthParam::Unknown) => Parameter::Auth(AuthParam::Unknown),
            Parameter::Auth(AuthParam::Mailbox(x)) => {
                Parameter::Auth(AuthParam::Mailbox(x.into_owned()))
            }
            Parameter::MtPriority(v) => Parameter::MtPriority(v),
            Parameter::RequireTls => Parameter::RequireTls,
            Parameter::HoldFor(v) => Parameter::HoldFor(v),
            Parameter::HoldUntil(d) => Parameter::HoldUntil(d.into_owned()),
            Parameter::By(b) => Parameter::By(b),
            Parameter::Other { keyword, value } => Parameter::Other {
                keyword: EsmtpKeyword(Cow::Owned(keyword.0.into_owned())),
                value: value.map(|v| EsmtpValue(Cow::Owned(v.0.into_owned()))),
            },
        }
    }

    /// Checks what the variant's public data can get wrong when a parameter is built by
    /// hand, so that the writer cannot emit a value the grammar forbids (or that the
    /// parser, this crate's included, would refuse): `MT-PRIORITY` in -9..=9 (RFC 6710
    /// §3 `["+" / "-"] DIGIT`), `BY`'s `by-time` within `["-" / "+"] 1*9digit` (RFC 2852
    /// §4), `HOLDFOR` within `1*9DIGIT` (RFC 4865 §4), and ORCPT's `addr-type` an `atom`
    /// (RFC 3461 §4.2). Every other variant holds validated types only.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the rule.
    pub fn validate(&self) -> Result<(), Error> {
        const NINE_DIGITS: u32 = 999_999_999;
        let ok = match self {
            Parameter::MtPriority(p) => (-9..=9).contains(p),
            Parameter::By(b) => b.time.unsigned_abs() <= NINE_DIGITS,
            Parameter::HoldFor(s) => *s <= NINE_DIGITS,
            Parameter::Orcpt(o) => return o.validate(),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidValue {
                what: match self {
                    Parameter::MtPriority(_) => "MT-PRIORITY=[+/-]DIGIT",
                    Parameter::By(_) => "BY=by-time;by-mode[T]",
                    _ => "HOLDFOR=1*9DIGIT",
                },
            })
        }
    }

    /// How many octets this parameter's extension adds to the 512-octet command line of
    /// RFC 5321 §4.5.3.1.4 ("SMTP extensions may be used to increase this limit"): SIZE 26
    /// (RFC 1870 §3), BODY 16 (RFC 3030 §3), SMTPUTF8 10 (RFC 6531 §3.1), REQUIRETLS 11
    /// (RFC 8689 §2), AUTH= 500 (RFC 4954 §3); the DSN parameters the sizes RFC 3461 §5.4
    /// makes an MTA accept, each with its SP (RET 8, ENVID 100, NOTIFY 28, ORCPT 500: the
    /// "530 characters for the ORCPT and NOTIFY parameters"); and for MT-PRIORITY, HOLDFOR,
    /// HOLDUNTIL (nine fraction digits) and BY the longest form their grammar gives, with
    /// its SP. Unknown parameters get nothing.
    pub fn line_allowance(&self) -> usize {
        match self {
            Parameter::Size(_) => 26,
            Parameter::Body(_) => 16,
            Parameter::SmtpUtf8 => 10,
            Parameter::RequireTls => 11,
            Parameter::Auth(_) => 500,
            Parameter::Ret(_) => 1 + 8,
            Parameter::EnvId(_) => 1 + 100,
            Parameter::Notify(_) => 1 + 28,
            Parameter::Orcpt(_) => 1 + 500,
            // " MT-PRIORITY=-9"
            Parameter::MtPriority(_) => 15,
            // " HOLDFOR=999999999"
            Parameter::HoldFor(_) => 18,
            // " HOLDUNTIL=2026-11-26T08:20:00.123456789+00:00"
            Parameter::HoldUntil(_) => 46,
            // " BY=-999999999;RT"
            Parameter::By(_) => 17,
            Parameter::Other { .. } => 0,
        }
    }

    /// The parameter's keyword, upper case for the typed ones.
    pub fn keyword(&self) -> &str {
        match self {
            Parameter::Size(_) => "SIZE",
            Parameter::Body(_) => "BODY",
            Parameter::SmtpUtf8 => "SMTPUTF8",
            Parameter::Ret(_) => "RET",
            Parameter::EnvId(_) => "ENVID",
            Parameter::Notify(_) => "NOTIFY",
            Parameter::Orcpt(_) => "ORCPT",
            Parameter::Auth(_) => "AUTH",
            Parameter::MtPriority(_) => "MT-PRIORITY",
            Parameter::RequireTls => "REQUIRETLS",
            Parameter::HoldFor(_) => "HOLDFOR",
            Parameter::HoldUntil(_) => "HOLDUNTIL",
            Parameter::By(_) => "BY",
            Parameter::Other { keyword, .. } => keyword.as_str(),
        }
    }
}

/// The longest parameter list that fits a command line before the extensions' allowances
/// ([`Parameter::line_allowance`]): 512 octets (RFC 5321 §4.5.3.1.4) less `MAIL FROM:<>`,
/// the SP before the parameters and CRLF.
pub const MAX_PARAMETERS: usize = 512 - b"MAIL FROM:<> ".len() - 2;

/// The parameters of one MAIL or RCPT command.
///
/// Parsed parameters stay a borrowed, already validated slice of the command line (so
/// parsing a command does not allocate); [`iter`](Self::iter) yields them typed. Built
/// parameters are a list. Equality compares the typed sequences.
#[derive(Debug, Clone, Default)]
pub struct Parameters<'a>(pub(crate) Repr<'a>);

#[derive(Debug, Clone)]
pub(crate) enum Repr<'a> {
    /// Validated `esmtp-param *(SP esmtp-param)` text (RFC 5321 §4.1.2), UTF-8.
    Raw(&'a [u8]),
    /// Built parameters. Boxed (third pass, issue 9) so that `Repr` is 16 octets, a
    /// slice's pointer and length or one thin pointer (with `Vec` inline it was 24):
    /// `Parameters` 24 -> 16 octets, `Command` 104 -> 96, `Result<Decoded<Command>>`
    /// 112 -> 104, fewer octets to write, move and drop per decoded command (140 651 ->
    /// 137 749 instructions per pass over the command corpus; a boxed slice, a fat
    /// pointer and so 24 octets again, saved less: 138 971). The price is a second
    /// allocation when a list is built (`from_list`, `into_owned`), which the decoder
    /// never does.
    // The double allocation `box_collection` warns of is the point, see above.
    #[allow(clippy::box_collection)]
    List(Box<Vec<Parameter<'a>>>),
}

impl Default for Repr<'_> {
    fn default() -> Self {
        Repr::Raw(b"")
    }
}

impl<'a> Parameters<'a> {
    /// No parameters.
    pub const fn new() -> Self {
        Parameters(Repr::Raw(b""))
    }

    /// Builds a parameter list, refusing a parameter the grammar does not allow
    /// ([`Parameter::validate`]), duplicates, and a list too long for any command
    /// line: with the shortest path, `MAIL FROM:<> ` and CRLF leave [`MAX_PARAMETERS`]
    /// octets of the 512 of RFC 5321 §4.5.3.1.4, plus the parameters' allowances
    /// ([`line_allowance`](Self::line_allowance)). (The whole line, path included, is
    /// checked by [`MailFrom::new`](crate::types::MailFrom::new) and
    /// [`RcptTo::new`](crate::types::RcptTo::new).) This is the only way to build a list,
    /// so every written parameter list has passed these checks or the parser.
    ///
    /// # Errors
    /// [`Error::InvalidValue`], [`Error::DuplicateParameter`] (offset = index in the
    /// list), or [`Error::LimitExceeded`] (`what: "command line"`).
    pub fn from_list(list: Vec<Parameter<'a>>) -> Result<Self, Error> {
        for p in &list {
            p.validate()?;
        }
        let len = {
            use crate::serialize::Encode as _;
            list.iter().map(|p| p.to_bytes().len() + 1).sum::<usize>()
        }
        .saturating_sub(1);
        let allowance: usize = list.iter().map(Parameter::line_allowance).sum();
        crate::types::command::fits(
            len,
            MAX_PARAMETERS + allowance,
            crate::types::command::MAX_COMMAND_LINE + allowance,
        )?;
        for (n, a) in list.iter().enumerate() {
            if list
                .iter()
                .take(n)
                .any(|b| a.keyword().eq_ignore_ascii_case(b.keyword()))
            {
                return Err(Error::DuplicateParameter {
                    offset: n,
                    keyword: p::known_keyword(a.keyword().as_bytes()).unwrap_or("extension"),
                });
            }
        }
        if list.is_empty() {
            return Ok(Parameters::new());
        }
        Ok(Parameters(Repr::List(Box::new(list))))
    }

    /// The parameters, typed.
    pub fn iter(&self) -> ParamIter<'_, 'a> {
        match &self.0 {
            Repr::Raw(s) => ParamIter::Raw(s),
            Repr::List(l) => ParamIter::List(l.iter()),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Raw(s) => s.is_empty(),
            Repr::List(l) => l.is_empty(),
        }
    }

    /// The octets these parameters add to the 512-octet command line
    /// ([`Parameter::line_allowance`] of each).
    pub fn line_allowance(&self) -> usize {
        self.iter().map(|p| p.line_allowance()).sum()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// `SIZE=`, if given.
    pub fn size(&self) -> Option<u64> {
        self.iter().find_map(|p| match p {
            Parameter::Size(s) => Some(s),
            _ => None,
        })
    }

    /// `BODY=`, if given.
    pub fn body(&self) -> Option<Body> {
        self.iter().find_map(|p| match p {
            Parameter::Body(b) => Some(b),
            _ => None,
        })
    }

    /// Whether `SMTPUTF8` was given.
    pub fn smtputf8(&self) -> bool {
        self.iter().any(|p| p == Parameter::SmtpUtf8)
    }

    /// Whether `REQUIRETLS` was given.
    pub fn requiretls(&self) -> bool {
        self.iter().any(|p| p == Parameter::RequireTls)
    }

    /// An owned copy.
    pub fn into_owned(self) -> Parameters<'static> {
        if self.is_empty() {
            return Parameters::new();
        }
        Parameters(Repr::List(Box::new(
            self.iter().map(Parameter::into_owned).collect(),
        )))
    }
}

impl PartialEq for Parameters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}
impl Eq for Parameters<'_> {}

/// Iterator over [`Parameters`].
#[derive(Debug, Clone)]
pub enum ParamIter<'p, 'a> {
    #[doc(hidden)]
    Raw(&'p [u8]),
    #[doc(hidden)]
    List(core::slice::Iter<'p, Parameter<'a>>),
}

impl<'p> Iterator for ParamIter<'p, '_> {
    type Item = Parameter<'p>;
    fn next(&mut self) -> Option<Parameter<'p>> {
        match self {
            ParamIter::List(it) => it.next().map(|p| match p {
                // Re-borrow with the shorter lifetime.
                Parameter::EnvId(x) => Parameter::EnvId(XText(Cow::Borrowed(x.as_str()))),
                Parameter::Orcpt(o) => Parameter::Orcpt(Orcpt {
                    addr_type: Cow::Borrowed(&o.addr_type),
                    addr: XText(Cow::Borrowed(o.addr.as_str())),
                }),
                Parameter::Auth(AuthParam::Mailbox(x)) => {
                    Parameter::Auth(AuthParam::Mailbox(XText(Cow::Borrowed(x.as_str()))))
                }
                Parameter::Auth(AuthParam::Unknown) => Parameter::Auth(AuthParam::Unknown),
                Parameter::HoldUntil(d) => {
                    Parameter::HoldUntil(DateTime(Cow::Borrowed(d.as_str())))
                }
                Parameter::Other { keyword, value } => Parameter::Other {
                    keyword: EsmtpKeyword(Cow::Borrowed(keyword.as_str())),
                    value: value
                        .as_ref()
                        .map(|v| EsmtpValue(Cow::Borrowed(v.as_str()))),
                },
                Parameter::Size(v) => Parameter::Size(*v),
                Parameter::Body(v) => Parameter::Body(*v),
                Parameter::SmtpUtf8 => Parameter::SmtpUtf8,
                Parameter::Ret(v) => Parameter::Ret(*v),
                Parameter::Notify(v) => Parameter::Notify(*v),
                Parameter::MtPriority(v) => Parameter::MtPriority(*v),
                Parameter::RequireTls => Parameter::RequireTls,
                Parameter::HoldFor(v) => Parameter::HoldFor(*v),
                Parameter::By(v) => Parameter::By(*v),
            }),
            ParamIter::Raw(rest) => {
                let r = p::skip_spaces(rest);
                if r.is_empty() {
                    *rest = r;
                    return None;
                }
                // Already validated when the command was parsed; a failure here cannot
                // happen, and ends the iteration rather than panicking.
                match p::esmtp_param(r) {
                    Ok((after, param)) => {
                        *rest = after;
                        Some(param)
                    }
                    Err(_) => {
                        *rest = &[];
                        None
                    }
                }
            }
        }
    }
}
