# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payroll rules at their boundaries, computed by hand (no database).

Each case writes its arithmetic next to the exact Decimal it expects.
"""
import datetime as dt
from decimal import Decimal as D

import pytest

from trytond.modules.kazan_payroll import rules
from trytond.modules.kazan_payroll.rules import (
    Absence, EmployeeFacts, LawDataError, YearToDate)

P2025 = rules.load_parameters(2025)
P2026 = rules.load_parameters(2026)
KAZAN = rules.load_calendar()                  # federal + Tatarstan
FEDERAL = rules.load_calendar(rules.FEDERAL)   # federal days alone


def month(year, month_):
    return dt.date(year, month_, 1)


# --- Production calendar -----------------------------------------------------

def test_federal_2026_is_the_published_calendar():
    # Published: 247 working days, 1,972 hours, and per month:
    days = [FEDERAL.working_days(2026, m) for m in range(1, 13)]
    assert days == [15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22]
    assert sum(days) == 247
    hours = [FEDERAL.working_hours(2026, m) for m in range(1, 13)]
    assert hours == [
        120, 152, 168, 175, 151, 167, 184, 168, 176, 176, 159, 176]
    assert FEDERAL.working_hours(2026) == 1972


def test_tatarstan_2026_has_three_days_less():
    # 247 - 20 March (Fri) - 27 May (Wed) - 6 November (Fri) = 244;
    # 30 August is a Sunday and gives no extra day.
    # Hours: 244 × 8 - 7 shortened days = 1,952 - 7 = 1,945 (Минтруд РТ).
    days = [KAZAN.working_days(2026, m) for m in range(1, 13)]
    assert sum(days) == 244
    assert (days[2], days[4], days[10]) == (20, 18, 19)  # Mar, May, Nov
    assert KAZAN.working_hours(2026) == 1945


def test_2025_totals():
    # Federal 247 days, 1,972 hours = 247 × 8 - 4 shortened days.
    # Tatarstan 245 = 247 - 6 June - 6 November (30 March and 30 August
    # fell on Sunday and Saturday: no extra day off).
    assert sum(FEDERAL.working_days(2025, m) for m in range(1, 13)) == 247
    assert FEDERAL.working_hours(2025) == 1972
    assert sum(KAZAN.working_days(2025, m) for m in range(1, 13)) == 245
    # 1 November 2025 is a Saturday worked by decree (one hour shorter).
    assert KAZAN.is_working_day(dt.date(2025, 11, 1))
    assert not KAZAN.is_working_day(dt.date(2025, 11, 3))


@pytest.mark.parametrize('date', [
        dt.date(2026, 3, 20),   # Ураза-байрам
        dt.date(2026, 5, 27),   # Курбан-байрам
        dt.date(2026, 11, 6),   # Constitution Day of Tatarstan
        dt.date(2025, 6, 6),    # Курбан-байрам 2025
        dt.date(2025, 11, 6),
        ])
def test_tatarstan_holidays_are_not_working_days(date):
    assert not KAZAN.is_working_day(date)
    assert KAZAN.is_holiday(date)
    assert FEDERAL.is_working_day(date)


def test_day_of_the_republic_on_a_sunday_is_not_moved():
    assert KAZAN.is_holiday(dt.date(2026, 8, 30))      # a Sunday
    assert not FEDERAL.is_holiday(dt.date(2026, 8, 30))  # a mere weekend
    assert KAZAN.is_working_day(dt.date(2026, 8, 31))  # Monday: no transfer


def test_every_weekend_is_listed():
    # The files list every day off, weekends included; the only Saturday
    # or Sunday worked is 1 November 2025 (decree № 1335).
    worked = []
    day = dt.date(2025, 1, 1)
    while day.year <= 2026:
        if day.weekday() >= 5 and FEDERAL.is_working_day(day):
            worked.append(day)
        day += dt.timedelta(days=1)
    assert worked == [dt.date(2025, 11, 1)]


def test_working_days_of_part_of_a_month():
    # March 2026 in Kazan from Monday 16th: 16-19 (20th Ураза-байрам) = 4,
    # 23-27 = 5, 30-31 = 2 → 11 of 20; federally 12 of 21.
    assert rules.working_days(2026, 3) == 20
    assert rules.working_days(2026, 3, start=dt.date(2026, 3, 16)) == 11
    assert rules.working_days(
        2026, 3, start=dt.date(2026, 3, 16), calendar=FEDERAL) == 12
    assert rules.working_days_between(
        dt.date(2026, 3, 16), dt.date(2026, 3, 31)) == 11
    # The first half: 2-6 March = 5, 9 March off, 10-13 = 4 → 9.
    assert rules.working_days(2026, 3, end=dt.date(2026, 3, 15)) == 9
    # Across the year end: 29-30 December 2025, 31st off, 1-11 January off.
    assert rules.working_days_between(
        dt.date(2025, 12, 29), dt.date(2026, 1, 12)) == 3


def test_holidays_inside_a_leave():
    # 8-21 June 2026: 14 calendar days, 12 June a holiday → 13 days of leave.
    assert KAZAN.holidays_between(
        dt.date(2026, 6, 8), dt.date(2026, 6, 21)) == 1
    # 24 August - 6 September: 30 August (Sunday) is a holiday in Kazan.
    assert KAZAN.holidays_between(
        dt.date(2026, 8, 24), dt.date(2026, 9, 6)) == 1
    assert FEDERAL.holidays_between(
        dt.date(2026, 8, 24), dt.date(2026, 9, 6)) == 0


def test_a_year_without_calendar_is_refused():
    with pytest.raises(LookupError):
        rules.working_days(2027, 1)


def test_calendar_errors_are_reported_together(tmp_path):
    (tmp_path / 'production_calendar_2026.csv').write_text(
        'date;kind;name;region;source\n'
        '2026-01-01;holiday;Новый год;RU;C1\n'
        '2026-13-01;holiday;Нет такого дня;RU;C1\n'
        '2025-12-31;transfer;Не тот год;RU;C2\n'
        '2026-01-02;vacation;Не тот вид;RU;C1\n'
        '2026-01-01;shortened;Противоречие;RU;C1\n', encoding='utf-8')
    with pytest.raises(LawDataError) as info:
        rules.load_calendar(folder=tmp_path)
    assert [line for _, line, _ in info.value.errors] == [3, 4, 5, 6]
    assert 'production_calendar_2026.csv:6:' in str(info.value)


# --- Law data ----------------------------------------------------------------

def test_parameters_2026():
    assert P2026.mrot == D('27093')
    assert P2026.ndfl_bands == (
        (D(0), D(13)), (D(2400000), D(15)), (D(5000000), D(18)),
        (D(20000000), D(20)), (D(50000000), D(22)))
    assert (P2026.contribution_cap, P2026.contribution_rate,
        P2026.contribution_rate_above_cap) == (
        D('2979000'), D('30'), D('15.1'))
    assert (P2026.child_deduction_first, P2026.child_deduction_second,
        P2026.child_deduction_third, P2026.child_deduction_disabled,
        P2026.child_deduction_income_cap) == (
        D(1400), D(2800), D(6000), D(12000), D(450000))
    assert (P2026.class_fee, P2026.class_max) == (D(5000), 2)
    assert P2026.sick_earnings_caps == (D('2225000'), D('2759000'))
    assert (P2026.vacation_divisor, P2026.employer_sick_days) == (
        D('29.3'), 3)
    assert P2025.mrot == D('22440')
    assert P2025.contribution_cap == D('2759000')


@pytest.mark.parametrize('params', [P2025, P2026])
def test_sick_bounds_agree_with_caps_and_mrot(params):
    # 2026: (2,225,000 + 2,759,000) / 730 = 6,827.397… → 6,827.40
    #       27,093 × 24 / 730 = 890.728… → 890.73
    # 2025: (1,917,000 + 2,225,000) / 730 = 5,673.972… → 5,673.97
    #       22,440 × 24 / 730 = 737.753… → 737.75
    assert params.sick_daily_max == rules.round_kopecks(
        sum(params.sick_earnings_caps) / 730)
    assert params.sick_daily_min == rules.round_kopecks(
        params.mrot * 24 / 730)


@pytest.mark.parametrize('year', [2024, 2027])
def test_an_incomplete_year_is_refused(year):
    with pytest.raises(LawDataError):
        rules.load_parameters(year)


def test_law_errors_are_reported_together(tmp_path):
    (tmp_path / 'parameters.csv').write_text(
        'year;name;value;source\n'
        '2026;mrot;27093;S25\n'
        '2026;mrot;27094;S25\n'
        '2026;minimum_wage;1;S25\n'
        '2026;class_max;2.5;S39\n'
        '2026;class_fee;-5000;S39\n', encoding='utf-8')
    (tmp_path / 'ndfl_bands.csv').write_text(
        'year;threshold;rate;source\n'
        '2026;100;13;S14\n'
        '2026;2400000;150;S14\n', encoding='utf-8')
    with pytest.raises(LawDataError) as info:
        rules.read_law(tmp_path)
    lines = [(path.name, line) for path, line, _ in info.value.errors]
    assert lines == [
        ('parameters.csv', 3), ('parameters.csv', 4), ('parameters.csv', 5),
        ('parameters.csv', 6), ('ndfl_bands.csv', 3), ('ndfl_bands.csv', 2)]


# --- Salary, minimum wage, classroom management, advance ---------------------

def test_salary_for_time():
    # 30,000 × 1 × 11/20 = 16,500.00; 40,000 × 17/22 = 30,909.0909 → .09
    assert rules.salary_for_time(D(30000), D(1), 11, 20) == D('16500.00')
    assert rules.salary_for_time(D(40000), D(1), 17, 22) == D('30909.09')
    assert rules.salary_for_time(D(30000), D('0.5'), 20, 20) == D('15000.00')
    with pytest.raises(ValueError):
        rules.salary_for_time(D(30000), D(1), 21, 20)


def test_mrot_topup_at_rate_1():
    # 20,000 + 3,000 = 23,000 < 27,093 → 27,093 - 23,000 = 4,093.00
    assert rules.mrot_topup(D(20000), D(3000), D(1), P2026) == D('4093.00')
    # Exactly the minimum: nothing; one kopeck below: one kopeck.
    assert rules.mrot_topup(D(24093), D(3000), D(1), P2026) == D('0.00')
    assert rules.mrot_topup(D('24092.99'), D(3000), D(1), P2026) == D('0.01')
    # 2025: 22,440 - 20,000 = 2,440.00
    assert rules.mrot_topup(D(20000), D(0), D(1), P2025) == D('2440.00')


def test_mrot_topup_at_rate_half():
    # 20,000 × 0.5 = 10,000 + 2,000 = 12,000; 27,093 × 0.5 = 13,546.50
    # → 13,546.50 - 12,000 = 1,546.50
    assert rules.mrot_topup(D(10000), D(2000), D('0.5'), P2026) == D(
        '1546.50')


def test_mrot_topup_for_a_partial_month():
    # 11 of 20 days: salary 20,000 × 11/20 = 11,000;
    # minimum 27,093 × 11/20 = 14,901.15 → 3,901.15
    assert rules.mrot_topup(D(11000), D(0), D(1), P2026, 11, 20) == D(
        '3901.15')


def test_class_management_pay():
    # 2 × 5,000 = 10,000.00; a third class is refused
    assert rules.class_management_pay(2, P2026) == D('10000.00')
    assert rules.class_management_pay(0, P2026) == D('0.00')
    with pytest.raises(ValueError):
        rules.class_management_pay(3, P2026)


def test_two_classes_are_not_in_the_minimum_wage_comparison():
    # Salary 22,000 + classes 10,000 = 32,000 > 27,093, yet the top-up is
    # 27,093 - 22,000 = 5,093: gross 22,000 + 10,000 + 5,093 = 37,093.
    payslip = rules.compute_month(
        EmployeeFacts(base_salary=D(22000), class_management=2),
        month(2026, 4), P2026, KAZAN)
    assert payslip.amount('class_management') == D('10000.00')
    assert payslip.amount('mrot_topup') == D('5093.00')
    assert payslip.gross == D('37093.00')


def test_mrot_topup_in_a_month_at_rate_half():
    # base 20,000 × 0.5 = 10,000, allowances 2,000 → top-up 1,546.50
    payslip = rules.compute_month(
        EmployeeFacts(base_salary=D(20000), rate=D('0.5'),
            allowances=D(2000)),
        month(2026, 4), P2026, KAZAN)
    assert payslip.amount('salary') == D('10000.00')
    assert payslip.amount('mrot_topup') == D('1546.50')
    assert payslip.gross == D('13546.50')


def test_advance():
    # March 2026 in Kazan: 9 of 20 working days in the first half;
    # (30,000 × 1 + 5,000) × 9/20 = 15,750.00
    assert rules.advance(D(30000), D(1), D(5000), 9, 20) == D('15750.00')
    # rate 0.5: (30,000 × 0.5 + 0) × 9/20 = 6,750.00
    assert rules.advance(D(30000), D('0.5'), D(0), 9, 20) == D('6750.00')


# --- NDFL --------------------------------------------------------------------

def test_ndfl_scale_at_the_band_tops():
    # 2.4M × 13 % = 312,000; + 2.6M × 15 % = 702,000; + 15M × 18 %
    # = 3,402,000; + 30M × 20 % = 9,402,000; + 10M × 22 % = 11,602,000
    tops = [(2400000, 312000), (5000000, 702000), (20000000, 3402000),
        (50000000, 9402000), (60000000, 11602000)]
    for base, tax in tops:
        assert rules.ndfl_progressive(D(base), P2026) == D(tax)


def test_ndfl_crossing_2_4_million_in_a_month():
    # Before: 2,350,000 taxed 13 % = 305,500 withheld.
    # With the month's 100,000: 2,450,000 → 312,000 + 50,000 × 15 %
    # = 319,500; the month: 319,500 - 305,500 = 14,000
    # (= 50,000 × 13 % + 50,000 × 15 % = 6,500 + 7,500).
    assert rules.ndfl_cumulative(D(2450000), D(305500), P2026) == D(14000)


def test_ndfl_crossing_5_million_in_a_month():
    # Before: 4,900,000 → 312,000 + 2,500,000 × 15 % = 687,000 withheld.
    # With 200,000: 5,100,000 → 702,000 + 100,000 × 18 % = 720,000;
    # the month: 33,000 (= 100,000 × 15 % + 100,000 × 18 %).
    assert rules.ndfl_cumulative(D(4900000), D(312000) + D(375000),
        P2026) == D(0)
    assert rules.ndfl_cumulative(D(5100000), D(687000), P2026) == D(33000)


def test_ndfl_in_whole_rubles():
    # 100,003.85 × 13 % = 13,000.5005 → 13,001;
    # 100,003.80 × 13 % = 13,000.494 → 13,000
    assert rules.ndfl_cumulative(D('100003.85'), D(0), P2026) == D(13001)
    assert rules.ndfl_cumulative(D('100003.80'), D(0), P2026) == D(13000)
    # Exactly half a ruble rounds up: 100,050 × 13 % = 13,006.50 → 13,007
    assert rules.ndfl_cumulative(D(100050), D(0), P2026) == D(13007)


def test_ndfl_never_negative_and_the_excess_is_carried():
    # Due 100,000 × 13 % = 13,000, withheld 13,500: the month withholds 0;
    # next month on 200,000: 26,000 - 13,500 = 12,500 (500 less).
    assert rules.ndfl_cumulative(D(100000), D(13500), P2026) == D(0)
    assert rules.ndfl_cumulative(D(200000), D(13500), P2026) == D(12500)


def test_child_deduction_three_children_at_the_cap():
    # 1,400 + 2,800 + 6,000 = 10,200 while income ≤ 450,000
    # (a count of children: entitled, in order, as the old data gives)
    march = month(2026, 3)
    assert rules.child_deduction(3, march, D(450000), P2026) == D(10200)
    assert rules.child_deduction(3, march, D('450000.01'), P2026) == D(0)
    # A 4th child adds 6,000 more: 16,200
    assert rules.child_deduction(4, march, D(100000), P2026) == D(16200)


def test_child_deduction_disabled_child():
    # Two children, the second disabled: 1,400 + 2,800 + 12,000 = 16,200
    march = month(2026, 3)
    assert rules.child_deduction(
        rules.as_children(2, 1), march, D(100000), P2026) == D(16200)
    # An only child, disabled: 1,400 + 12,000 = 13,400
    assert rules.child_deduction(
        rules.as_children(1, 1), march, D(100000), P2026) == D(13400)
    with pytest.raises(ValueError):
        rules.as_children(1, 2)


def test_three_children_deductions_stop_after_450000():
    # 50,000 a month from January: September brings the income to
    # 9 × 50,000 = 450,000 (still within), October to 500,000 (stops).
    # Jan-Sep: base (50,000 - 10,200) = 39,800 a month × 13 % = 5,174.
    # October: income 500,000 - deductions 9 × 10,200 = 91,800 → 408,200
    # × 13 % = 53,066 - 9 × 5,174 = 46,566 → 6,500 (= 50,000 × 13 %).
    ytd = YearToDate()
    deductions, ndfl = [], []
    for m in range(1, 13):
        payslip = rules.compute_month(
            EmployeeFacts(base_salary=D(50000), children=3, ytd=ytd),
            month(2026, m), P2026, KAZAN)
        ytd = payslip.ytd
        deductions.append(payslip.standard_deduction)
        ndfl.append(payslip.ndfl)
    assert deductions == [D(10200)] * 9 + [D(0)] * 3
    assert ndfl == [D(5174)] * 9 + [D(6500)] * 3
    assert ytd.deductions == D(91800)
    # 600,000 - 91,800 = 508,200 × 13 % = 66,066
    assert ytd.ndfl == D(66066)


# --- Contributions -----------------------------------------------------------

def test_contributions_crossing_the_cap_in_a_month():
    # 2026 cap 2,979,000; before 2,900,000; the month 150,000:
    # 79,000 × 30 % = 23,700.00 and 71,000 × 15.1 % = 10,721.00
    result = rules.contributions(D(2900000), D(150000), P2026)
    assert result == (D('23700.00'), D('10721.00'), D('34421.00'))
    assert result.total == D('34421.00')
    # The next month is all above the cap: 100,000 × 15.1 % = 15,100.00
    assert rules.contributions(D(3050000), D(100000), P2026) == (
        D('0.00'), D('15100.00'), D('15100.00'))
    # Reaching the cap exactly: 100,000 × 30 % = 30,000.00, nothing above
    assert rules.contributions(D(2879000), D(100000), P2026) == (
        D('30000.00'), D('0.00'), D('30000.00'))
    # 2025 cap 2,759,000: 2,700,000 + 100,000 → 59,000 × 30 % = 17,700.00,
    # 41,000 × 15.1 % = 6,191.00
    assert rules.contributions(D(2700000), D(100000), P2025) == (
        D('17700.00'), D('6191.00'), D('23891.00'))


def test_accident_insurance():
    # 50,000 × 0.2 % = 100.00; 33,333.33 × 0.2 % = 66.66666 → 66.67
    assert rules.accident_insurance(D(50000), D('0.2')) == D('100.00')
    assert rules.accident_insurance(D('33333.33'), D('0.2')) == D('66.67')
    # Half a kopeck rounds up: 2,272.50 × 0.2 % = 4.545 → 4.55
    assert rules.accident_insurance(D('2272.50'), D('0.2')) == D('4.55')


# --- Vacation and sick pay ---------------------------------------------------

def test_average_daily_for_vacation():
    # 600,000 / 12 / 29.3 = 1,706.4846… → 1,706.48
    assert rules.average_daily_for_vacation(D(600000), P2026) == D('1706.48')
    # 11 full months and 15 of 30 days: 29.3 × 11 + 29.3 × 15/30
    # = 322.3 + 14.65 = 336.95; 550,000 / 336.95 = 1,632.2896… → 1,632.29
    assert rules.average_daily_for_vacation(
        D(550000), P2026, months_worked=11,
        partial_months=[(30, 15)]) == D('1632.29')


def test_fourteen_days_of_vacation():
    # 14 × 1,706.48 = 23,890.72
    assert rules.vacation_pay(14, D('1706.48')) == D('23890.72')
    # 6-19 July 2026: 14 calendar days, no holiday; July has 23 working
    # days, the leave covers 10 (6-10, 13-17) → 13 worked:
    # salary 40,000 × 13/23 = 22,608.6956… → 22,608.70;
    # gross 22,608.70 + 23,890.72 = 46,499.42.
    # NDFL: Jan-Jun 240,000 with 31,200 withheld; 286,499.42 × 13 %
    # = 37,244.92 → 37,245 - 31,200 = 6,045.
    payslip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000),
            absences=(Absence('vacation', dt.date(2026, 7, 6),
                    dt.date(2026, 7, 19), D('1706.48')),),
            ytd=YearToDate(income=D(240000), ndfl=D(31200),
                contribution_base=D(240000))),
        month(2026, 7), P2026, KAZAN)
    assert (payslip.norm_days, payslip.worked_days) == (23, 13)
    assert payslip.amount('salary') == D('22608.70')
    assert payslip.amount('vacation') == D('23890.72')
    assert payslip.gross == D('46499.42')
    assert payslip.ndfl == D(6045)
    # Vacation pay is in the contribution base: 46,499.42 × 30 % = 13,949.826
    # → 13,949.83
    assert payslip.contributions == D('13949.83')


def test_a_holiday_inside_a_vacation_is_not_paid():
    # 8-21 June 2026: 14 calendar days less 12 June = 13 × 1,706.48
    # = 22,184.24
    payslip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000),
            absences=(Absence('vacation', dt.date(2026, 6, 8),
                    dt.date(2026, 6, 21), D('1706.48')),)),
        month(2026, 6), P2026, KAZAN)
    assert payslip.amount('vacation') == D('22184.24')


@pytest.mark.parametrize('years, percent', [
        (D(0), 60), (D('4.99'), 60), (D(5), 80), (D('7.99'), 80),
        (D(8), 100), (D(30), 100)])
def test_sick_pay_percent(years, percent):
    assert rules.sick_pay_percent(years) == D(percent)


def test_sick_pay_employer_part():
    caps = P2026.sick_earnings_caps
    # (600,000 + 720,000) / 730 = 1,808.219… → 1,808.22; 6 years → 80 %
    # = 1,446.576 → 1,446.58 a day; 5 days, the employer pays 3:
    # 3 × 1,446.58 = 4,339.74 (days 4-5 are the Social Fund's)
    earnings = (D(600000), D(720000))
    assert rules.sick_pay_employer(5, D(6), earnings, caps, P2026) == D(
        '4339.74')
    # A 2-day case: 2 × 1,446.58 = 2,893.16
    assert rules.sick_pay_employer(2, D(6), earnings, None, P2026) == D(
        '2893.16')


def test_sick_pay_earnings_capped_per_year():
    # 2024: 3,000,000 capped at 2,225,000; 2025: 1,000,000 under its cap:
    # 3,225,000 / 730 = 4,417.808… → 4,417.81 × 100 % × 3 = 13,253.43
    assert rules.sick_pay_employer(
        3, D(10), (D(3000000), D(1000000)), None, P2026) == D('13253.43')


def test_sick_pay_daily_maximum_and_minimum():
    # Above both caps: the daily maximum 6,827.40 × 100 % × 3 = 20,482.20
    assert rules.sick_pay_employer(
        7, D(10), (D(5000000), D(5000000)), None, P2026) == D('20482.20')
    # 200,000 / 730 = 273.97 < minimum 890.73; × 60 % = 534.438 → 534.44;
    # × 3 = 1,603.32
    assert rules.sick_pay_employer(
        3, D(1), (D(100000), D(100000)), None, P2026) == D('1603.32')
    # Half a rate: minimum 890.73 × 0.5 = 445.365 → 445.37; × 60 %
    # = 267.222 → 267.22; × 3 = 801.66
    assert rules.sick_pay_employer(
        3, D(1), (D(0), D(0)), None, P2026, rate=D('0.5')) == D('801.66')


def test_five_days_of_sick_leave_in_a_month():
    # 6-10 April 2026: 5 working days away of 22 → 17 worked:
    # salary 40,000 × 17/22 = 30,909.09; employer's sick pay 4,339.74
    # (above); gross 35,248.83.  Sick pay is not in the contribution base:
    # 30,909.09 × 30 % = 9,272.727 → 9,272.73; × 0.2 % = 61.818 → 61.82.
    payslip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000), insured_years=D(6),
            earnings_prev_two_years=(D(600000), D(720000)),
            accident_rate=D('0.2'),
            absences=(Absence('sick', dt.date(2026, 4, 6),
                    dt.date(2026, 4, 10)),)),
        month(2026, 4), P2026, KAZAN)
    assert (payslip.norm_days, payslip.worked_days) == (22, 17)
    assert payslip.amount('salary') == D('30909.09')
    assert payslip.amount('sick_employer') == D('4339.74')
    assert payslip.gross == D('35248.83')
    assert payslip.contribution_base == D('30909.09')
    assert payslip.contributions == D('9272.73')
    assert payslip.accident_insurance == D('61.82')
    # NDFL on everything: 35,248.83 × 13 % = 4,582.35 → 4,582
    assert payslip.ndfl == D(4582)
    assert payslip.net == D('30666.83')


def test_a_sick_case_across_two_months():
    # 30 March - 3 April: days 1-3 are 30, 31 March and 1 April, so April
    # pays one employer day: 1,446.58; April has 22 working days, 1-3 April
    # are away → 19 worked.
    facts = EmployeeFacts(base_salary=D(40000), insured_years=D(6),
        earnings_prev_two_years=(D(600000), D(720000)),
        absences=(Absence('sick', dt.date(2026, 3, 30),
                dt.date(2026, 4, 3)),))
    april = rules.compute_month(facts, month(2026, 4), P2026, KAZAN)
    assert april.amount('sick_employer') == D('1446.58')
    assert april.worked_days == 19
    march = rules.compute_month(facts, month(2026, 3), P2026, KAZAN)
    assert march.amount('sick_employer') == D('2893.16')  # 2 days


# --- A month -----------------------------------------------------------------

def test_mid_month_hire():
    # Hired Monday 16 March 2026: 11 of 20 working days in Kazan (see the
    # calendar test).  Salary 30,000 × 11/20 = 16,500.00, allowances
    # 3,000 × 11/20 = 1,650.00; the minimum 27,093 × 11/20 = 14,901.15 is
    # below 18,150: no top-up.  The first half has no day worked: no advance.
    facts = EmployeeFacts(base_salary=D(30000), allowances=D(3000),
        hire_date=dt.date(2026, 3, 16))
    payslip = rules.compute_month(facts, month(2026, 3), P2026, KAZAN)
    assert (payslip.norm_days, payslip.worked_days) == (20, 11)
    assert payslip.amount('salary') == D('16500.00')
    assert payslip.amount('allowances') == D('1650.00')
    assert payslip.amount('mrot_topup') == D(0)
    assert payslip.gross == D('18150.00')
    assert payslip.advance == D('0.00')
    # NDFL 18,150 × 13 % = 2,359.50 → 2,360; net 15,790.00
    assert payslip.ndfl == D(2360)
    assert payslip.final_payment == D('15790.00')
    # Federally (no Ураза-байрам): 12 of 21 → 30,000 × 12/21 = 17,142.857
    # → 17,142.86
    federal = rules.compute_month(facts, month(2026, 3), P2026, FEDERAL)
    assert federal.amount('salary') == D('17142.86')


def test_full_month_lines_and_advance():
    # March 2026, 35,000 + allowances 5,000, two children, accident 0.2 %:
    # gross 40,000; deduction 1,400 + 2,800 = 4,200; NDFL (40,000 - 4,200)
    # × 13 % = 4,654; net 35,346; advance (35,000 + 5,000) × 9/20 = 18,000;
    # final 17,346; contributions 12,000.00; accident 80.00
    payslip = rules.compute_month(
        EmployeeFacts(base_salary=D(35000), allowances=D(5000), children=2,
            accident_rate=D('0.2')),
        month(2026, 3), P2026, KAZAN)
    assert [line.code for line in payslip.lines] == [
        'salary', 'allowances', 'standard_deduction', 'ndfl',
        'contributions', 'accident']
    assert payslip.gross == D('40000.00')
    assert payslip.standard_deduction == D(4200)
    assert payslip.ndfl == D(4654)
    assert payslip.net == D('35346.00')
    assert payslip.advance == D('18000.00')
    assert payslip.final_payment == D('17346.00')
    assert payslip.contributions == D('12000.00')
    assert payslip.accident_insurance == D('80.00')
    assert dict(payslip.lines[0].basis) == {
        'base_salary': D(35000), 'rate': D(1), 'days': 20, 'norm': 20}


def test_december_with_year_to_date_from_onboarding():
    # Onboarded 1 March 2026 with Jan-Feb income 2,300,000 and NDFL
    # 299,000 (13 %).  11,000 a month (27,500 × 0.4; the minimum
    # 27,093 × 0.4 = 10,837.20 is below): March-November 9 × 11,000
    # brings the income to 2,399,000 with 9 × 1,430 = 12,870 more NDFL
    # (311,870); December to 2,410,000 → 312,000 + 10,000 × 15 % = 313,500,
    # so December withholds 313,500 - 311,870 = 1,630
    # (= 1,000 × 13 % + 10,000 × 15 %).
    ytd = YearToDate(income=D(2300000), ndfl=D(299000),
        contribution_base=D(2300000))
    ndfl = {}
    for m in range(3, 13):
        payslip = rules.compute_month(
            EmployeeFacts(base_salary=D(27500), rate=D('0.4'), ytd=ytd),
            month(2026, m), P2026, KAZAN)
        assert payslip.gross == D('11000.00')
        assert payslip.amount('mrot_topup') == D(0)
        assert payslip.contributions == D('3300.00')  # all under the cap
        ndfl[m] = payslip.ndfl
        ytd = payslip.ytd
    assert [ndfl[m] for m in range(3, 12)] == [D(1430)] * 9
    assert ndfl[12] == D(1630)
    assert ytd == YearToDate(income=D('2410000.00'), deductions=D(0),
        ndfl=D(313500), contribution_base=D('2410000.00'))


def test_compute_month_refuses_inconsistent_facts():
    with pytest.raises(ValueError):  # parameters of another year
        rules.compute_month(EmployeeFacts(base_salary=D(30000)),
            month(2026, 3), P2025, KAZAN)
    with pytest.raises(ValueError):  # not employed in the month
        rules.compute_month(EmployeeFacts(base_salary=D(30000),
                hire_date=dt.date(2026, 4, 1)),
            month(2026, 3), P2026, KAZAN)
    with pytest.raises(ValueError):  # overlapping absences
        rules.compute_month(EmployeeFacts(base_salary=D(30000), absences=(
                    Absence('unpaid', dt.date(2026, 3, 2),
                        dt.date(2026, 3, 4)),
                    Absence('sick', dt.date(2026, 3, 4),
                        dt.date(2026, 3, 6)))),
            month(2026, 3), P2026, KAZAN)


# --- Withholdings and the final settlement (issue 15) ------------------------

class TestWithholdingsAndDismissal:
    "Withholdings (ФЗ 229), leave compensation and severance, by hand"

    Order = rules.WithholdingOrder

    def test_alimony_share_of_the_pay_after_ndfl_and_union_dues_of_gross(
            self):
        # pay 30,000, NDFL 3,900: alimony 25 % × 26,100 = 6,525.00;
        # union dues 1 % of the pay accrued 30,000 = 300.00
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('alimony', percent=D(25)),
                self.Order('union_dues', percent=D(1))]) == [
            D('6525.00'), D('300.00')]

    def test_general_limit_50_percent(self):
        # a writ of 20,000 a month on 26,100 after NDFL: at most
        # 50 % = 13,050.00
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('writ', amount=D(20000))]) == [D('13050.00')]
        # exactly at the limit: 13,050 is taken whole
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('writ', amount=D(13050))]) == [D('13050.00')]

    def test_alimony_limit_70_percent_shared_in_proportion(self):
        # two alimony orders of 50 % and 33 % of 26,100: 13,050 + 8,613 =
        # 21,663 > 70 % = 18,270.00; shared 18,270 × 13,050 / 21,663 =
        # 11,006.0213 and 18,270 × 8,613 / 21,663 = 7,263.9787: 11,006.02
        # and 7,263.97 make 18,269.99, the odd kopeck to the larger
        # remainder (0.9787): 7,263.98.  The writ of the fourth priority
        # gets nothing: 50 % (13,050) is already taken.
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('alimony', percent=D(50)),
                self.Order('alimony', percent=D(33)),
                self.Order('writ', amount=D(5000))]) == [
            D('11006.02'), D('7263.98'), D(0)]

    def test_a_later_priority_gets_what_is_left_within_its_limit(self):
        # alimony 25 % of 26,100 = 6,525; a tax writ (3rd priority) of
        # 10,000 gets 50 % (13,050) - 6,525 = 6,525.00; two writs of the
        # 4th priority get 0
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('writ', amount=D(1000), priority=4),
                self.Order('writ', amount=D(10000), priority=3),
                self.Order('alimony', percent=D(25))]) == [
            D(0), D('6525.00'), D('6525.00')]
        # damage to health (1st priority, 70 %) after alimony 25 %: 70 % =
        # 18,270 - 6,525 = 11,745 left for a claim of 15,000
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('alimony', percent=D(25)),
                self.Order('writ', amount=D(15000), priority=2,
                    increased_limit=True)]) == [
            D('6525.00'), D('11745.00')]

    def test_a_50_percent_writ_in_the_first_priority_keeps_its_limit(self):
        # alimony 10 % of 26,100 = 2,610 and a first-priority writ of
        # 30,000 with the 50 % limit (e.g. moral damage): in proportion
        # within 70 % (18,270) the writ would get 18,270 × 30,000 / 32,610
        # = 16,807.73 > 50 % (13,050): it is held to 13,050.00 and the
        # alimony keeps its whole claim, 2,610.00 (within 18,270 - 13,050)
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('alimony', percent=D(10)),
                self.Order('writ', amount=D(30000), priority=1)]) == [
            D('2610.00'), D('13050.00')]

    def test_statements_take_what_the_writs_leave(self):
        # alimony 70 % cap: 18,270; left 26,100 - 18,270 = 7,830; union
        # dues 1 % of 30,000 = 300; a voluntary 10,000 gets 7,830 - 300 =
        # 7,530.00
        assert rules.withholdings(D(30000), D(3900), [
                self.Order('voluntary', amount=D(10000)),
                self.Order('union_dues', percent=D(1)),
                self.Order('alimony', percent=D(80))]) == [
            D('7530.00'), D('300.00'), D('18270.00')]

    def test_an_order_is_a_percent_or_an_amount(self):
        with pytest.raises(ValueError):
            self.Order('alimony')
        with pytest.raises(ValueError):
            self.Order('alimony', percent=D(25), amount=D(100))
        with pytest.raises(ValueError):
            self.Order('writ', amount=D(100), priority=5)
        with pytest.raises(ValueError):
            self.Order('fine', amount=D(100))

    def test_months_for_leave_by_the_15_day_rule(self):
        # 10.03 to 24.10 (included): 7 months to 9.10 and 15 days from
        # 10.10 to 24.10, a half month or more: 8 months
        assert rules.months_for_leave(
            dt.date(2026, 3, 10), dt.date(2026, 10, 24)) == (0, 8)
        # to 23.10: 14 days, dropped: 7 months
        assert rules.months_for_leave(
            dt.date(2026, 3, 10), dt.date(2026, 10, 23)) == (0, 7)
        # 01.09.2015 to 31.03.2026: 10 years and 7 months
        assert rules.months_for_leave(
            dt.date(2015, 9, 1), dt.date(2026, 3, 31)) == (10, 7)

    def test_vacation_compensation_days(self):
        # 28 days a year, 8 months: 28 / 12 × 8 = 18.666… → 18.67
        assert rules.vacation_compensation_days(28, dt.date(2026, 3, 10),
            dt.date(2026, 10, 24), 0) == D('18.67')
        # a teacher (56) hired 01.09.2025, dismissed 31.03.2026: 7 months,
        # 56 / 12 × 7 = 32.666…, 14 days used: 18.666… → 18.67
        assert rules.vacation_compensation_days(56, dt.date(2025, 9, 1),
            dt.date(2026, 3, 31), 14) == D('18.67')
        # 11 months (01.03.2025 to 31.01.2026) count as the whole year:
        # 28 - 0 = 28
        assert rules.vacation_compensation_days(28, dt.date(2025, 3, 1),
            dt.date(2026, 1, 31), 0) == D(28)
        # 10 months and 15 days: 11 months by the 15-day rule: 28 in full
        assert rules.vacation_compensation_days(28, dt.date(2025, 3, 1),
            dt.date(2026, 1, 15), 0) == D(28)
        # 2 years and 3 months, 42 days: 2 × 42 + 42 / 12 × 3 = 94.5,
        # 80 used: 14.5
        assert rules.vacation_compensation_days(42, dt.date(2024, 1, 1),
            dt.date(2026, 3, 31), 80) == D('14.50')
        # more used than earned: nothing (not withheld here)
        assert rules.vacation_compensation_days(28, dt.date(2026, 1, 1),
            dt.date(2026, 2, 28), 28) == D(0)
        assert rules.annual_leave_days('teacher') == 56
        assert rules.annual_leave_days('educator') == 42
        assert rules.annual_leave_days('support') == 28

    def test_severance_days(self):
        # staff reduction on 30.06.2026: the month 01.07-30.07, 22 working
        # days (July has 23, 31 July is a Friday); a call to military
        # service: two weeks 01.07-14.07, 10 working days; own will: none
        assert rules.severance_days(
            'staff_reduction', dt.date(2026, 6, 30), KAZAN) == 22
        assert rules.severance_days(
            'military_service', dt.date(2026, 6, 30), KAZAN) == 10
        assert rules.severance_days(
            'own_will', dt.date(2026, 6, 30), KAZAN) == 0
        with pytest.raises(LookupError):  # no calendar of 2027
            rules.severance_days('liquidation', dt.date(2026, 12, 31), KAZAN)
        # 660,000 earned in 220 days worked: 3,000.00 a day
        assert rules.average_daily_by_days_worked(D(660000), 220) == D(3000)

    def test_dismissal_month_with_alimony(self):
        # 30,000 a month, hired 01.09.2025, dismissed 31.03.2026 on staff
        # reduction; a teacher (56 days) who used 14: 18.67 days ×
        # 1,000.00 = 18,670.00 of compensation (taxed); gross before
        # severance 48,670; NDFL 48,670 × 13 % = 6,327.10 → 6,327;
        # contributions 48,670 × 30 % = 14,601.00; severance 22 working
        # days of 01.04-30.04 (April 2026 has 22) × 1,500 = 33,000.00 (no
        # NDFL, no contributions); alimony 25 % × (81,670 - 6,327) =
        # 25 % × 75,343 = 18,835.75; net 81,670 - 6,327 - 18,835.75 =
        # 56,507.25
        facts = EmployeeFacts(base_salary=D(30000),
            hire_date=dt.date(2025, 9, 1),
            dismissal_date=dt.date(2026, 3, 31),
            withholdings=(self.Order('alimony', percent=D(25),
                    document='ИЛ ФС 123'),),
            settlement=rules.Settlement(56, D(14), D(1000),
                'staff_reduction', D(1500)))
        payslip = rules.compute_month(facts, month(2026, 3), P2026, KAZAN)
        assert payslip.amount('vacation_compensation') == D('18670.00')
        assert payslip.ndfl == D(6327)
        assert payslip.contributions == D('14601.00')
        assert payslip.amount('severance') == D('33000.00')
        assert payslip.gross == D('81670.00')
        assert payslip.amount('alimony') == D('18835.75')
        assert payslip.net == D('56507.25')
        assert payslip.final_payment == payslip.net - payslip.advance
        assert payslip.ytd.income == D('48670.00')
        # in another month nothing is settled
        april = rules.compute_month(
            EmployeeFacts(base_salary=D(30000),
                hire_date=dt.date(2025, 9, 1),
                settlement=facts.settlement),
            month(2026, 4), P2026, KAZAN)
        assert april.amount('vacation_compensation') == D(0)
        assert april.amount('severance') == D(0)

    def test_previous_employer_income_counts_for_the_deduction_cap(self):
        # hired in November with 440,000 earned elsewhere this year, two
        # children: 440,000 + 30,000 = 470,000 > 450,000: no deduction;
        # NDFL on this employer's 30,000 only: 3,900
        payslip = rules.compute_month(
            EmployeeFacts(base_salary=D(30000), children=2,
                hire_date=dt.date(2026, 11, 1),
                prev_employer_income=D(440000)),
            month(2026, 11), P2026, KAZAN)
        assert payslip.standard_deduction == D(0)
        assert payslip.ndfl == D(3900)
        assert payslip.ytd.income == D('30000.00')
        # 410,000 elsewhere: 440,000 is within; 1,400 + 2,800 = 4,200,
        # NDFL (30,000 - 4,200) × 13 % = 3,354
        payslip = rules.compute_month(
            EmployeeFacts(base_salary=D(30000), children=2,
                hire_date=dt.date(2026, 11, 1),
                prev_employer_income=D(410000)),
            month(2026, 11), P2026, KAZAN)
        assert payslip.standard_deduction == D(4200)
        assert payslip.ndfl == D(3354)


# --- Child deductions by order of birth (НК ст. 218 п. 1 пп. 4) -------------

class TestChildrenInOrderOfBirth:
    "Each child by its place among all the children, entitled or not"

    MARCH = month(2026, 3)

    @staticmethod
    def child(year, month_=1, day=1, **kwargs):
        return rules.Child(dt.date(year, month_, day), **kwargs)

    def test_grown_up_eldest_keeps_its_place(self):
        # Born 2004 (22 in 2026, not studying), 2012, 2016: the eldest is
        # not entitled but is the 1st child, so the others are the 2nd and
        # the 3rd: 2,800 + 6,000 = 8,800 (not 1,400 + 2,800 = 4,200).
        family = [self.child(2004, 5, 10), self.child(2012, 2, 3),
            self.child(2016, 9, 1)]
        assert rules.child_deduction(
            family, self.MARCH, D(100000), P2026) == D(8800)
        assert [a for _, _, a in rules.child_deductions(
                    family, self.MARCH, P2026)] == [D(0), D(2800), D(6000)]

    def test_turning_18_this_year_entitled_until_december(self):
        # Born 20 November 2008: 18 in 2026, entitled the whole year
        # (until the end of the year it turns 18), not in 2027.
        child = self.child(2008, 11, 20)
        assert rules.child_entitled(child, 2026, 1)
        assert rules.child_entitled(child, 2026, 12)
        assert rules.child_deduction(
            [child], month(2026, 12), D(100000), P2026) == D(1400)
        assert not rules.child_entitled(child, 2027, 1)
        # a full-time student stays entitled in 2027 (19 < 24)
        assert rules.child_entitled(
            self.child(2008, 11, 20, student=True), 2027, 1)

    def test_student_until_the_year_of_24(self):
        # Born 1 March 2002: 24 in 2026; a full-time student is entitled
        # all of 2026 (1,400 as an only child), not in 2027; the same
        # child not studying is not entitled in 2026 (24 > 18).
        student = self.child(2002, 3, 1, student=True)
        assert rules.child_deduction(
            [student], month(2026, 12), D(100000), P2026) == D(1400)
        assert not rules.child_entitled(student, 2027, 1)
        assert rules.child_deduction([self.child(2002, 3, 1)],
            self.MARCH, D(100000), P2026) == D(0)

    def test_born_this_month(self):
        # Two children, a third born 15 March 2026: from March,
        # 1,400 + 2,800 + 6,000 = 10,200; in February it does not exist
        # yet: 1,400 + 2,800 = 4,200.
        family = [self.child(2015), self.child(2018),
            self.child(2026, 3, 15)]
        assert rules.child_deduction(
            family, self.MARCH, D(100000), P2026) == D(10200)
        assert rules.child_deduction(
            family, month(2026, 2), D(100000), P2026) == D(4200)
        assert not rules.child_entitled(family[2], 2026, 2)
        assert rules.child_entitled(family[2], 2026, 3)

    def test_single_parent_double(self):
        # The only parent: (1,400 + 2,800) × 2 = 8,400
        family = [self.child(2015), self.child(2018)]
        assert rules.child_deduction(family, self.MARCH, D(100000), P2026,
            single_parent=True) == D(8400)

    def test_disabled_child_parent_and_guardian(self):
        # An only child, disabled: a parent 1,400 + 12,000 = 13,400;
        # a guardian 1,400 + 6,000 = 7,400; the only guardian
        # (1,400 + 6,000) × 2 = 14,800.
        family = [self.child(2015, disabled=True)]
        assert rules.child_deduction(
            family, self.MARCH, D(100000), P2026) == D(13400)
        assert rules.child_deduction(family, self.MARCH, D(100000), P2026,
            guardian=True) == D(7400)
        assert rules.child_deduction(family, self.MARCH, D(100000), P2026,
            single_parent=True, guardian=True) == D(14800)

    def test_disabled_grown_up_gives_nothing_unless_studying(self):
        # Disabled, born 2005 (21 in 2026): not studying, nothing, but
        # the 1st place: the next child is the 2nd, 2,800.  Studying (group
        # I or II): 1,400 + 12,000 + 2,800 = 16,200.
        younger = self.child(2012)
        assert rules.child_deduction(
            [self.child(2005, disabled=True), younger],
            self.MARCH, D(100000), P2026) == D(2800)
        assert rules.child_deduction(
            [self.child(2005, disabled=True, student=True), younger],
            self.MARCH, D(100000), P2026) == D(16200)

    def test_income_cap(self):
        # 2,800 + 6,000 = 8,800 while income since January ≤ 450,000
        family = [self.child(2004), self.child(2012), self.child(2016)]
        assert rules.child_deduction(
            family, self.MARCH, D(450000), P2026) == D(8800)
        assert rules.child_deduction(
            family, self.MARCH, D('450000.01'), P2026) == D(0)

    def test_order_of_birth_required(self):
        with pytest.raises(ValueError):
            rules.child_deduction([self.child(2016), self.child(2012)],
                self.MARCH, D(0), P2026)

    def test_payslip_grounds_name_the_children(self):
        # March 2026, 40,000, the only parent of children born 2004, 2012
        # and 2016: (0 + 2,800 + 6,000) × 2 = 17,600; NDFL (40,000 -
        # 17,600) × 13 % = 2,912.
        family = (self.child(2004, 5, 10), self.child(2012, 2, 3),
            self.child(2016, 9, 1))
        payslip = rules.compute_month(
            EmployeeFacts(base_salary=D(40000), children=family,
                single_parent=True),
            self.MARCH, P2026, KAZAN)
        assert payslip.standard_deduction == D(17600)
        assert payslip.ndfl == D(2912)
        line, = [l for l in payslip.lines if l.code == 'standard_deduction']
        basis = dict(line.basis)
        assert basis['counted'] == (
            '№1 10.05.2004: 0; №2 03.02.2012: 5600; №3 01.09.2016: 12000')
        assert (basis['children'], basis['entitled'], basis['factor']) == (
            3, 2, 2)
