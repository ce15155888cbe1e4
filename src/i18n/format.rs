//! Dates, times and numbers as Tahto's three languages write them (Finnish and Swedish as in
//! Finland, British English): `4.3.2026 klo 09.05.07`, `04/03/2026, 09:05:07`, `−12 345,679`.
//!
//! Written out here rather than asked of the browser's `Intl`: the first `Intl` formatter a page
//! builds loads the browser's locale data, a task of 30–50 ms on a desktop CPU and 85–170 ms on
//! one 4x slower (measured in Chromium), and it fell on the home page's first "recorded on"
//! line or on the page being built ahead. The three formats are fixed and small; the native tests
//! below hold them to what `Intl` writes.

use super::Lang;

/// A moment as the citizen's clock shows it (local time), taken apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i32,
    /// 1–12.
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// `4.3.2026` (Finnish, Swedish), `04/03/2026` (English).
pub fn date(t: &LocalTime, lang: Lang) -> String {
    match lang {
        Lang::Fi | Lang::Sv => format!("{}.{}.{}", t.day, t.month, t.year),
        Lang::En => format!("{:02}/{:02}/{}", t.day, t.month, t.year),
    }
}

/// `09.05` (Finnish, Swedish), `09:05` (English); with `seconds`, `09.05.07` / `09:05:07`.
pub fn time(t: &LocalTime, lang: Lang, seconds: bool) -> String {
    let sep = match lang {
        Lang::Fi | Lang::Sv => '.',
        Lang::En => ':',
    };
    let mut text = format!("{:02}{sep}{:02}", t.hour, t.minute);
    if seconds {
        text.push_str(&format!("{sep}{:02}", t.second));
    }
    text
}

/// `4.3.2026 klo 09.05.07`, `4.3.2026 09.05.07`, `04/03/2026, 09:05:07`.
pub fn date_time(t: &LocalTime, lang: Lang) -> String {
    let (date, time) = (date(t, lang), time(t, lang, true));
    match lang {
        Lang::Fi => format!("{date} klo {time}"),
        Lang::Sv => format!("{date} {time}"),
        Lang::En => format!("{date}, {time}"),
    }
}

/// A day, a month or a year of the calendar, with no time of day and so no time zone: a FHIR
/// `date` (a birth date, a prescription's last day) or a `dateTime` given only to that precision.
/// Read as a moment, `2027-03-10` would be midnight UTC, which is the day before west of UTC, and
/// `1978` would read as 1 January.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarDate {
    Year(i32),
    Month(i32, u32),
    Day(i32, u32, u32),
}

/// Reads `1978`, `1978-03` or `1978-03-09`; `None` for anything else (a time, a 30 February).
pub fn calendar_date(text: &str) -> Option<CalendarDate> {
    let number = |part: Option<&str>, len: usize| {
        part.filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let mut parts = text.split('-');
    let year = i32::try_from(number(parts.next(), 4)?).ok()?;
    let Some(month) = parts.next() else {
        return Some(CalendarDate::Year(year));
    };
    let month = number(Some(month), 2).filter(|m| (1..=12).contains(m))?;
    let Some(day) = parts.next() else {
        return Some(CalendarDate::Month(year, month));
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let day = number(Some(day), 2).filter(|d| (1..=days).contains(d))?;
    parts
        .next()
        .is_none()
        .then_some(CalendarDate::Day(year, month, day))
}

/// `9.3.1978`, `3.1978`, `1978` (Finnish, Swedish); `09/03/1978`, `03/1978`, `1978` (English):
/// to the precision the record gives, as `Intl` writes each.
pub fn calendar(d: CalendarDate, lang: Lang) -> String {
    match (d, lang) {
        (CalendarDate::Year(year), _) => year.to_string(),
        (CalendarDate::Month(year, month), Lang::Fi | Lang::Sv) => format!("{month}.{year}"),
        (CalendarDate::Month(year, month), Lang::En) => format!("{month:02}/{year}"),
        (CalendarDate::Day(year, month, day), _) => date(
            &LocalTime {
                year,
                month,
                day,
                hour: 0,
                minute: 0,
                second: 0,
            },
            lang,
        ),
    }
}

/// A number, given as JavaScript writes it (`Number.prototype.toString`: the shortest text that
/// reads back as the same number, `1.0005`, `-1234.5`, `2.5e-7`), as the language writes it: at
/// most three decimals, half away from zero (`1,001`), digits grouped by thousands, the
/// language's decimal sign and minus sign. What is not a number in that form is left as it is.
pub fn number(js: &str, lang: Lang) -> String {
    let (negative, unsigned) = match js.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, js),
    };
    let Some((mut digits, mut point)) = decimal_digits(unsigned) else {
        return js.to_owned();
    };
    // Rounded to three decimals, half away from zero: add one to the last kept digit, carrying.
    let kept = point + 3;
    if digits.len() > kept {
        let up = digits[kept] >= b'5';
        digits.truncate(kept);
        let mut i = kept;
        if up {
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    point += 1;
                    break;
                }
                i -= 1;
                let carry = digits[i] == b'9';
                digits[i] = if carry { b'0' } else { digits[i] + 1 };
                if !carry {
                    break;
                }
            }
        }
    }
    while digits.len() > point && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let (group, decimal, minus) = match lang {
        Lang::Fi | Lang::Sv => ('\u{a0}', ',', '\u{2212}'),
        Lang::En => (',', '.', '-'),
    };
    let mut text = String::new();
    if negative {
        text.push(minus);
    }
    // Leading zeros go, but the one before the decimal sign.
    let first = digits[..point - 1]
        .iter()
        .take_while(|&&d| d == b'0')
        .count();
    for (i, &digit) in digits.iter().enumerate().skip(first) {
        if i == point {
            text.push(decimal);
        } else if i > first && i < point && (point - i) % 3 == 0 {
            text.push(group);
        }
        text.push(char::from(digit));
    }
    text
}

/// `1234.5`, `2.5e-7`, `1e+21` as its digits and where the decimal point falls in them (at
/// least one digit before it); `None` for anything else (`NaN`, `Infinity`).
fn decimal_digits(text: &str) -> Option<(Vec<u8>, usize)> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.strip_prefix('+').unwrap_or(e).parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Far-off exponents are not JavaScript's.
    let point = i32::try_from(int.len()).ok()?.checked_add(exponent)?;
    if !(-400..=400).contains(&point) {
        return None;
    }
    // Zeros before, so that at least one digit comes before the point, and after, up to it.
    let mut digits = vec![b'0'; (1 - point).max(0) as usize];
    digits.extend(int.bytes().chain(frac.bytes()));
    let point = point.max(1) as usize;
    if digits.len() < point {
        digits.resize(point, b'0');
    }
    Some((digits, point))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: LocalTime = LocalTime {
        year: 2026,
        month: 3,
        day: 4,
        hour: 9,
        minute: 5,
        second: 7,
    };

    /// What Chromium's and Node's `Intl.DateTimeFormat` write for `fi-FI`, `sv-FI` and `en-GB`
    /// with numeric dates and two-digit times.
    #[test]
    fn dates_and_times_as_intl_writes_them() {
        assert_eq!(date(&AT, Lang::Fi), "4.3.2026");
        assert_eq!(date(&AT, Lang::Sv), "4.3.2026");
        assert_eq!(date(&AT, Lang::En), "04/03/2026");
        assert_eq!(time(&AT, Lang::Fi, false), "09.05");
        assert_eq!(time(&AT, Lang::Sv, true), "09.05.07");
        assert_eq!(time(&AT, Lang::En, false), "09:05");
        assert_eq!(time(&AT, Lang::En, true), "09:05:07");
        assert_eq!(date_time(&AT, Lang::Fi), "4.3.2026 klo 09.05.07");
        assert_eq!(date_time(&AT, Lang::Sv), "4.3.2026 09.05.07");
        assert_eq!(date_time(&AT, Lang::En), "04/03/2026, 09:05:07");
        let midnight = LocalTime {
            day: 31,
            month: 12,
            hour: 0,
            minute: 0,
            second: 0,
            ..AT
        };
        assert_eq!(date_time(&midnight, Lang::Fi), "31.12.2026 klo 00.00.00");
        assert_eq!(date_time(&midnight, Lang::En), "31/12/2026, 00:00:00");
    }

    /// Dates without a time are days of the calendar, written to their own precision.
    #[test]
    fn calendar_dates_are_read_to_their_precision() {
        assert_eq!(calendar_date("1978"), Some(CalendarDate::Year(1978)));
        assert_eq!(calendar_date("1978-03"), Some(CalendarDate::Month(1978, 3)));
        assert_eq!(
            calendar_date("2024-02-29"),
            Some(CalendarDate::Day(2024, 2, 29))
        );
        for not_one in [
            "",
            "78",
            "1978-3",
            "1978-13",
            "1978-00",
            "2025-02-29",
            "1900-02-29",
            "2025-04-31",
            "2025-01-20T10:00:00Z",
            "2025-01-20-01",
            "+1978",
            "１９７８",
        ] {
            assert_eq!(calendar_date(not_one), None, "{not_one}");
        }
        assert_eq!(
            calendar_date("2000-02-29"),
            Some(CalendarDate::Day(2000, 2, 29))
        );
        let day = CalendarDate::Day(2027, 3, 10);
        assert_eq!(calendar(day, Lang::Fi), "10.3.2027");
        assert_eq!(calendar(day, Lang::En), "10/03/2027");
        let month = CalendarDate::Month(1978, 3);
        assert_eq!(calendar(month, Lang::Sv), "3.1978");
        assert_eq!(calendar(month, Lang::En), "03/1978");
        assert_eq!(calendar(CalendarDate::Year(1978), Lang::Fi), "1978");
    }

    /// What `Intl.NumberFormat` writes with its defaults (Node 20 and Chromium 156 agree).
    #[test]
    fn numbers_as_intl_writes_them() {
        let cases: [(&str, &str, &str); 14] = [
            ("0", "0", "0"),
            ("5.8", "5,8", "5.8"),
            ("-5.8", "\u{2212}5,8", "-5.8"),
            ("1234", "1\u{a0}234", "1,234"),
            ("12345.6789", "12\u{a0}345,679", "12,345.679"),
            ("1000000", "1\u{a0}000\u{a0}000", "1,000,000"),
            ("0.0005", "0,001", "0.001"),
            // Rounded on the shortest text, as Intl does: 1.0005 is 1.000499… in binary, and
            // `toFixed(3)` would write 1.000.
            ("1.0005", "1,001", "1.001"),
            ("0.30000000000000004", "0,3", "0.3"),
            (
                "123456789.12345",
                "123\u{a0}456\u{a0}789,123",
                "123,456,789.123",
            ),
            ("9.9996", "10", "10"),
            ("999.9999", "1\u{a0}000", "1,000"),
            ("2.5e-7", "0", "0"),
            (
                "1e+21",
                "1\u{a0}000\u{a0}000\u{a0}000\u{a0}000\u{a0}000\u{a0}000\u{a0}000",
                "1,000,000,000,000,000,000,000",
            ),
        ];
        for (js, fi, en) in cases {
            assert_eq!(number(js, Lang::Fi), fi, "{js} in Finnish");
            assert_eq!(number(js, Lang::Sv), fi, "{js} in Swedish");
            assert_eq!(number(js, Lang::En), en, "{js} in English");
        }
        assert_eq!(
            number("-0.0001", Lang::En),
            "-0",
            "Intl keeps the sign of a negative zero"
        );
        for odd in ["NaN", "Infinity", "-Infinity", "", "1e99999", "abc"] {
            assert_eq!(number(odd, Lang::En), odd, "left as it is");
        }
    }
}
