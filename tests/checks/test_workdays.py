from datetime import date

import chinese_calendar

from govcrawl.checks.workdays import covered, is_workday, workdays_between


def test_calendar_facts_used_below():
    # verified against chinesecalendar, the source the checks use
    assert chinese_calendar.is_workday(date(2024, 5, 11))  # make-up Saturday
    assert chinese_calendar.is_workday(date(2024, 2, 4))  # make-up Sunday
    assert chinese_calendar.is_workday(date(2024, 2, 18))  # make-up Sunday
    assert not chinese_calendar.is_workday(date(2024, 5, 1))
    assert not chinese_calendar.is_workday(date(2024, 2, 12))


def test_may_day_holiday_and_makeup_saturday_5_vs_6():
    sent = date(2024, 4, 30)  # Tuesday before the 1–5 May holiday
    assert workdays_between(sent, date(2024, 5, 10)) == 5  # Mon 6 .. Fri 10
    assert workdays_between(sent, date(2024, 5, 11)) == 6  # the make-up Saturday counts


def test_spring_festival_makeup_sunday():
    sent = date(2024, 2, 7)
    assert workdays_between(sent, date(2024, 2, 20)) == 5  # 8, 9, (holiday), Sun 18, 19, 20
    assert workdays_between(sent, date(2024, 2, 21)) == 6


def test_same_day_and_reversed_are_zero():
    assert workdays_between(date(2024, 3, 1), date(2024, 3, 1)) == 0
    assert workdays_between(date(2024, 3, 5), date(2024, 3, 1)) == 0


def test_fallback_beyond_calendar_years_does_not_crash():
    far = date(2031, 1, 1)
    assert not covered(far)
    assert not is_workday(far)  # 元旦, fixed date
    assert is_workday(date(2031, 1, 2))  # Thursday
    # Friday 2031-01-03 → Friday 2031-01-10: five weekdays
    assert workdays_between(date(2031, 1, 3), date(2031, 1, 10)) == 5
