# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The rules issue 15 found paying wrong money, at their boundaries,
computed by hand (no database): the МРОТ comparison without additional
work, the sick pay's МРОТ floor by month and six-month ceiling, replaced
years, the care of a sick child, the vacation average by Положение № 922.

Each case writes its arithmetic next to the exact Decimal it expects.
"""
import datetime as dt
from decimal import Decimal as D

import pytest

from trytond.modules.kazan_payroll import rules
from trytond.modules.kazan_payroll.rules import (
    Absence, AverageMonth, EmployeeFacts, PayslipLine, YearToDate)

P2026 = rules.load_parameters(2026)
KAZAN = rules.load_calendar()
APRIL = dt.date(2026, 4, 1)  # 22 working days in Tatarstan, 30 days


# --- МРОТ: additional work is outside the comparison -------------------------

def test_a_rate_above_one_is_main_post_plus_extra_load():
    # Rate 1.5 of 20,000: main post 20,000, extra load 10,000.  The minimum
    # is МРОТ × min(1.5, 1) = 27,093, compared with the main post only:
    # top-up 27,093 - 20,000 = 7,093 (not 27,093 × 1.5 - 30,000
    # = 10,639.50); gross 20,000 + 10,000 + 7,093 = 37,093.
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(20000), rate=D('1.5')),
        APRIL, P2026, KAZAN)
    assert slip.amount('salary') == D('20000.00')
    assert slip.amount('extra_load') == D('10000.00')
    assert slip.amount('mrot_topup') == D('7093.00')
    assert slip.gross == D('37093.00')


def test_additional_work_is_outside_the_comparison():
    # Salary 20,000, allowances 3,000, additional work 8,000 (checking
    # written work): top-up 27,093 - 20,000 - 3,000 = 4,093, the 8,000
    # does not reduce it; gross 20,000 + 3,000 + 8,000 + 4,093 = 35,093.
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(20000), allowances=D(3000),
            additional_work=D(8000)),
        APRIL, P2026, KAZAN)
    assert slip.amount('additional_work') == D('8000.00')
    assert slip.amount('mrot_topup') == D('4093.00')
    assert slip.gross == D('35093.00')


def test_additional_work_in_proportion_to_the_days_worked():
    # 11 of 22 working days (an unpaid leave 16-30 April covers the 11
    # working days 16, 17, 20-24, 27-30): additional work 8,000 × 11/22
    # = 4,000; salary 30,000 × 11/22 = 15,000; top-up
    # 27,093 × 11/22 = 13,546.50 - 15,000 < 0 → 0.
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(30000), additional_work=D(8000),
            absences=(Absence('unpaid', dt.date(2026, 4, 16),
                    dt.date(2026, 4, 30)),)),
        APRIL, P2026, KAZAN)
    assert slip.worked_days == 11
    assert slip.amount('additional_work') == D('4000.00')
    assert slip.amount('mrot_topup') == D('0')


# --- Sick pay: the МРОТ floor by month, the six-month ceiling ----------------

def test_sick_pay_floor_is_mrot_over_the_month_days():
    # Nothing earned: the average is the minimum 890.73 × 100 % = 890.73.
    # February 2026 has 28 days: МРОТ 27,093 / 28 = 967.607… → 967.61 a
    # day > 890.73, so 3 × 967.61 = 2,902.83 (255-ФЗ ст. 14 ч. 1.1).
    feb = dt.date(2026, 2, 9)
    assert rules.sick_pay_employer(
        3, D(10), (D(0), D(0)), None, P2026, start=feb) == D('2902.83')
    # Without the start date the month is unknown: 3 × 890.73 = 2,672.19
    assert rules.sick_pay_employer(
        3, D(10), (D(0), D(0)), None, P2026) == D('2672.19')


def test_sick_pay_floor_in_a_long_month_is_the_daily_minimum():
    # March: 27,093 / 31 = 873.967… < 890.73: the day pays 890.73;
    # 3 × 890.73 = 2,672.19
    march = dt.date(2026, 3, 2)
    assert rules.sick_pay_employer(
        3, D(10), (D(0), D(0)), None, P2026, start=march) == D('2672.19')


def test_sick_pay_across_two_months_floors_each_month():
    # 30 January - 1 February: two January days at max(890.73, 873.97)
    # = 890.73 → 1,781.46, one February day at 967.61: 2,749.07
    paid = rules.sick_pay(dt.date(2026, 1, 30), 3, D('890.73'), P2026)
    assert paid.amount == D('2749.07')
    assert [(m.month, n) for m, n, _ in paid.parts] == [(1, 2), (2, 1)]


def test_sick_pay_under_six_months_of_service_is_capped_at_mrot():
    # Earnings 1,000,000 + 1,000,000: 2,000,000 / 730 = 2,739.726… →
    # 2,739.73 × 60 % = 1,643.838 → 1,643.84 a day; with 0.4 years of
    # insured service a full month pays at most МРОТ: April (30 days)
    # 27,093 / 30 = 903.10 a day, 3 × 903.10 = 2,709.30 (255-ФЗ ст. 11 ч. 6)
    start = dt.date(2026, 4, 6)
    earnings = (D(1000000), D(1000000))
    assert rules.sick_pay_employer(
        3, D('0.4'), earnings, None, P2026, start=start) == D('2709.30')
    # Half a year of service is no longer short: 3 × 1,643.84 = 4,931.52
    assert rules.sick_pay_employer(
        3, D('0.5'), earnings, None, P2026, start=start) == D('4931.52')


def test_sick_pay_part_time_floor_follows_the_rate():
    # Half a rate, February: 27,093 × 0.5 / 28 = 483.803… → 483.80 a day;
    # the average minimum is 890.73 × 0.5 = 445.365 → 445.37 × 60 %
    # = 267.22, below the floor: 3 × 483.80 = 1,451.40
    feb = dt.date(2026, 2, 9)
    assert rules.sick_pay_employer(3, D(1), (D(0), D(0)), None, P2026,
        rate=D('0.5'), start=feb) == D('1451.40')


def test_replaced_years_when_they_give_more():
    # The two years before: 100,000 + 100,000 → the minimum 890.73.
    # Replaced by 2021 and 2022 (child-care leave in 2024-2025):
    # 900,000 + 950,000 = 1,850,000 / 730 = 2,534.246… → 2,534.25, under
    # their maximum (966,000 + 1,032,000) / 730 = 2,736.986… → 2,736.99.
    before = ((D(100000), D(100000)), None)
    replaced = ((D(900000), D(950000)), (D(966000), D(1032000)))
    assert rules.best_sick_years([before, replaced], P2026) is replaced
    assert rules.sick_average_daily(*replaced, P2026) == D('2534.25')
    # Earnings above the replaced years' caps stop at their maximum
    assert rules.sick_average_daily((D(2000000), D(2000000)),
        replaced[1], P2026) == D('2736.99')
    # Replacement that gives less is not taken
    low = ((D(50000), D(50000)), (D(966000), D(1032000)))
    assert rules.best_sick_years([before, low], P2026) is before


def test_replaced_years_of_an_application():
    # Ill in 2026 after a child-care leave through 2025: 2025 replaced by
    # 2022 on the application; 2024 stays.  The years in order, with 2022's
    # cap (1,032,000) and 2024's (2,225,000).
    caps = {2022: D(1032000), 2024: D(2225000), 2025: D(2759000)}
    years = rules.replaced_sick_years(
        2026, (D(400000), D(0)), {2025: (2022, D(500000))}, caps)
    assert years == rules.SickYears(
        (2022, 2024), (D(500000), D(400000)), (D(1032000), D(2225000)))
    # A replacing year must be earlier than the two years before …
    with pytest.raises(ValueError, match='not earlier'):
        rules.replaced_sick_years(
            2026, (D(400000), D(0)), {2025: (2024, D(1))}, caps)
    # … replace one of them …
    with pytest.raises(ValueError, match='is not one of'):
        rules.replaced_sick_years(
            2026, (D(400000), D(0)), {2023: (2022, D(1))}, caps)
    # … and no year counts twice
    with pytest.raises(ValueError, match='twice'):
        rules.replaced_sick_years(2026, (D(0), D(0)),
            {2024: (2022, D(1)), 2025: (2022, D(1))}, caps)


def test_sick_leave_takes_the_replaced_years_when_they_pay_more():
    # Sick 16-20 November 2026, 10 years of service (100 %), the employer's
    # 3 days.  The two years before: 0 (2024, child care) + 300,000 (2025)
    # = 300,000 / 730 = 410.96, under the minimum 890.73: 890.73 a day,
    # above November's МРОТ floor 27,093 / 30 = 903.10 → 903.10.
    # On the application 2024 is replaced by 2022: 600,000 + 300,000 =
    # 900,000 / 730 = 1,232.876… → 1,232.88 a day, under the maximum
    # (1,032,000 + 2,759,000) / 730 = 5,193.15: 3 × 1,232.88 = 3,698.64.
    november = dt.date(2026, 11, 1)
    caps = {2022: D(1032000), 2025: D(2759000)}

    def employer_pay(replacements):
        replaced = rules.replaced_sick_years(
            2026, (D(0), D(300000)), replacements, caps
            ) if replacements else None
        slip = rules.compute_month(
            EmployeeFacts(base_salary=D(40000), insured_years=D(10),
                earnings_prev_two_years=(D(0), D(300000)),
                absences=(Absence('sick', dt.date(2026, 11, 16),
                        dt.date(2026, 11, 20), replaced_years=replaced),)),
            november, P2026, KAZAN)
        line, = [x for x in slip.lines if x.code == 'sick_employer']
        return line.amount, dict(line.basis)

    amount, basis = employer_pay(None)
    assert amount == 3 * D('903.10')
    assert 'years' not in basis
    amount, basis = employer_pay({2024: (2022, D(600000))})
    assert amount == 3 * D('1232.88')
    assert basis['years'] == '2022, 2025'
    # a replacement that pays less is not taken (ст. 14 ч. 1: only when
    # it increases the benefit): 2022 with 100,000 gives 547.95
    amount, basis = employer_pay({2024: (2022, D(100000))})
    assert amount == 3 * D('903.10')
    assert 'years' not in basis


def test_child_care_sick_leave_pays_nothing_from_the_employer():
    # Care of a sick child 6-8 April (Mon-Wed): 3 working days not worked,
    # 19 of 22; salary 40,000 × 19/22 = 34,545.4545… → 34,545.45; no sick
    # pay line: the Social Fund pays from the first day.
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000), absences=(
                Absence('child_sick', dt.date(2026, 4, 6),
                    dt.date(2026, 4, 8)),)),
        APRIL, P2026, KAZAN)
    assert slip.worked_days == 19
    assert slip.amount('salary') == D('34545.45')
    assert slip.amount('sick_employer') == 0
    assert slip.gross == D('34545.45')


# --- Vacation average (Положение № 922 пп. 5, 10) ----------------------------

def _months(**special):
    "Jun 2025 - May 2026 at 40,000 each, with the special months replaced"
    result = []
    for i in range(12):
        first = dt.date(2025 + (5 + i) // 12, (5 + i) % 12 + 1, 1)
        days = rules.month_bounds(first)[1].day
        result.append(special.get(f'{first:%Y_%m}',
                AverageMonth(first, D(40000), days)))
    return result


def test_vacation_average_of_twelve_full_months():
    # 480,000 / (12 × 29.3 = 351.6) = 1,365.187… → 1,365.19
    average = rules.vacation_average(_months(), P2026)
    assert average.counted_days == D('351.6')
    assert average.average_daily == D('1365.19')


def test_a_month_with_sick_leave_counts_its_worked_days_only():
    # April 2026 (30 days) with 10 days of sick leave and 26,666.67 earned:
    # 11 × 29.3 + 29.3 / 30 × 20 = 322.3 + 19.5333… = 341.8333…;
    # (440,000 + 26,666.67) / 341.8333… = 1,365.1877… → 1,365.19; the old
    # rule (every month 29.3) gave 466,666.67 / 351.6 = 1,327.27.
    april = AverageMonth(dt.date(2026, 4, 1), D('26666.67'), 30, 10)
    average = rules.vacation_average(_months(**{'2026_04': april}), P2026)
    assert average.counted_days.quantize(D('0.0001')) == D('341.8333')
    assert average.average_daily == D('1365.19')
    assert average.earnings == D('466666.67')


def test_a_month_without_a_day_worked_counts_nothing():
    # December 2025 all on leave: 0 earned, 0 days: 440,000 / (11 × 29.3
    # = 322.3) = 1,365.187… → 1,365.19
    december = AverageMonth(dt.date(2025, 12, 1), D(0), 31, 31)
    average = rules.vacation_average(
        _months(**{'2025_12': december}), P2026)
    assert average.counted_days == D('322.3')
    assert average.average_daily == D('1365.19')


def test_no_day_worked_in_the_year_is_an_error():
    with pytest.raises(ValueError):
        rules.vacation_average(
            [AverageMonth(dt.date(2026, 1, 1), D(0), 31, 31)], P2026)
    with pytest.raises(ValueError):
        AverageMonth(dt.date(2026, 1, 1), D(0), 31, 32)


# --- Vacation paid between runs ----------------------------------------------

def test_vacation_paid_before_the_month_is_in_the_gross_not_in_the_pay():
    # July 2026 (23 working days), a leave 6-19 July paid on 1 July by a
    # document: 14 × 1,706.48 = 23,890.72 with NDFL 13 % = 3,105.7936 →
    # 3,106 withheld then.  The run pays the salary for 13 days:
    # 40,000 × 13/23 = 22,608.70; gross 46,499.42 (both).  NDFL since
    # January: (240,000 + 46,499.42) × 13 % = 37,244.92 → 37,245, minus
    # 31,200 withheld before and 3,106 at the payment: 2,939 now; the
    # month's NDFL is 2,939 + 3,106 = 6,045.  Paid with the final
    # settlement: net 46,499.42 - 6,045 = 40,454.42 - advance - what the
    # document paid (23,890.72 - 3,106 = 20,784.72).
    paid = (PayslipLine(rules.VACATION_PAID_CODE, rules.EARNING,
            D('23890.72')),
        PayslipLine(rules.NDFL_VACATION_CODE, rules.WITHHOLDING, D(3106)))
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000),
            absences=(Absence('vacation', dt.date(2026, 7, 6),
                    dt.date(2026, 7, 19), paid=True),),
            ytd=YearToDate(income=D(240000), ndfl=D(31200),
                contribution_base=D(240000)),
            other_lines=paid),
        dt.date(2026, 7, 1), P2026, KAZAN)
    assert slip.amount('vacation') == 0
    assert slip.amount('salary') == D('22608.70')
    assert slip.gross == D('46499.42')
    assert slip.amount('ndfl') == D(2939)
    assert slip.ndfl == D(6045)
    assert slip.net == D('40454.42')
    assert slip.final_payment == D('40454.42') - slip.advance - D(
        '20784.72')
    assert slip.ytd.ndfl == D(37245)


def test_alimony_is_withheld_from_vacation_pay_at_its_payment():
    # ФЗ 229 ст. 98: alimony of 25 % is withheld from the vacation pay
    # when it is paid: (23,890.72 - 3,106) × 25 % = 5,196.18 (20,784.72 ×
    # 0.25 = 5,196.18 exactly); a fixed amount and union dues wait for the
    # month.
    alimony = rules.WithholdingOrder('alimony', percent=D(25), key=7)
    fixed = rules.WithholdingOrder('writ', amount=D(1000), key=8)
    dues = rules.WithholdingOrder('union_dues', percent=D(1), key=9)
    assert rules.vacation_withholdings(D('23890.72'), D(3106),
        [alimony, fixed, dues]) == [(alimony, D('5196.18'))]
    # The month (as above): net 40,454.42, so alimony 25 % of it is
    # 10,113.605 → 10,113.61 in all, of which 5,196.18 were withheld with
    # the vacation pay: the run withholds 4,917.43.  The net after both is
    # 40,454.42 - 10,113.61 = 30,340.81; the document paid 20,784.72 -
    # 5,196.18 = 15,588.54, the final settlement pays the rest.
    paid = (PayslipLine(rules.VACATION_PAID_CODE, rules.EARNING,
            D('23890.72')),
        PayslipLine(rules.NDFL_VACATION_CODE, rules.WITHHOLDING, D(3106)),
        PayslipLine(rules.WITHHELD_VACATION_CODE, rules.WITHHOLDING,
            D('5196.18'), (('order', 7),)))
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000),
            absences=(Absence('vacation', dt.date(2026, 7, 6),
                    dt.date(2026, 7, 19), paid=True),),
            ytd=YearToDate(income=D(240000), ndfl=D(31200),
                contribution_base=D(240000)),
            other_lines=paid, withholdings=(alimony,)),
        dt.date(2026, 7, 1), P2026, KAZAN)
    assert slip.amount('alimony') == D('4917.43')
    assert slip.amount(rules.WITHHELD_VACATION_CODE) == D('5196.18')
    assert slip.net == D('30340.81')
    assert slip.final_payment == D('30340.81') - slip.advance - D(
        '15588.54')


def test_onboarded_months_count_by_their_totals():
    # January-March 2026 onboarded as one period: 90 calendar days, 9 of
    # them on sick leave, 110,000 earned: 3 × 29.3 / 90 × 81 = 79.11 days;
    # with 9 months of 40,000 (263.7 days): (110,000 + 360,000)
    # / (79.11 + 263.7 = 342.81) = 1,371.021… → 1,371.02
    block = AverageMonth(dt.date(2026, 1, 1), D(110000), 90, 9, months=3)
    months = [AverageMonth(dt.date(2025, m, 1), D(40000), 30)
        for m in range(4, 13)] + [block]
    average = rules.vacation_average(months, P2026)
    assert average.counted_days == D('342.81')
    assert average.average_daily == D('1371.02')


def test_vacation_is_paid_three_days_before_on_a_working_day():
    # A leave from Monday 6 July 2026: 3 days before is Friday 3 July,
    # a working day
    assert rules.vacation_payment_date(dt.date(2026, 7, 6), KAZAN) == (
        dt.date(2026, 7, 3))
    # From Wednesday 8 July: Sunday 5 July → Friday 3 July
    assert rules.vacation_payment_date(dt.date(2026, 7, 8), KAZAN) == (
        dt.date(2026, 7, 3))
    # From 12 January 2026: 9 January is a holiday (1-11 January off)
    # and 31 December 2025 a day off moved from a Saturday, so Tuesday
    # 30 December 2025 is the last working day before
    assert rules.vacation_payment_date(dt.date(2026, 1, 12), KAZAN) == (
        dt.date(2025, 12, 30))


def test_a_leave_across_two_months_is_paid_at_once_accrued_by_month():
    # 22 June - 5 July 2026 at 1,706.48: June 22-30 = 9 days → 15,358.32;
    # July 1-5 = 5 days → 8,532.40 (no holiday in either part)
    parts = rules.vacation_parts(dt.date(2026, 6, 22), dt.date(2026, 7, 5),
        D('1706.48'), KAZAN)
    assert parts == [
        (dt.date(2026, 6, 1), 9, D('15358.32')),
        (dt.date(2026, 7, 1), 5, D('8532.40'))]


# --- An advance above the month's pay ----------------------------------------

def test_an_advance_debt_is_recovered_within_twenty_percent():
    # Owed 1,755; next month's pay after NDFL 26,100 with an advance of
    # 15,000: 20 % of 26,100 = 5,220 ≥ 1,755, 26,100 - 15,000 = 11,100 ≥
    # 1,755: all of it
    assert rules.advance_debt_recovery(D(1755), D(26100), D(15000)) == D(
        1755)
    # Owed 9,000: at most 5,220 (ТК ст. 138 ч. 1)
    assert rules.advance_debt_recovery(D(9000), D(26100), D(15000)) == D(
        '5220.00')
    # Owed 9,000, the advance 24,000 leaves 2,100 to pay: 2,100
    assert rules.advance_debt_recovery(D(9000), D(26100), D(24000)) == D(
        2100)
    # Nothing owed, or nothing earned: nothing
    assert rules.advance_debt_recovery(D(0), D(26100), D(0)) == 0
    assert rules.advance_debt_recovery(D(500), D(0), D(0)) == 0


# --- Several sources of pay --------------------------------------------------

def test_pay_split_between_sources():
    # A teacher of 40,000 (KFO 4 by default) with 25 % of the post's pay
    # from paid services (KFO 2) and the classroom fee from the targeted
    # subsidy (KFO 5): salary 40,000 → 30,000 (4) + 10,000 (2), allowances
    # 4,000 → 3,000 (4) + 1,000 (2), classes 10,000 → 10,000 (5).
    # Earnings by KFO: 4: 33,000, 2: 11,000, 5: 10,000 (54,000).  NDFL
    # 54,000 × 13 % = 7,020 in the same proportions: 4: 7,020 × 33/54
    # = 4,290.00, 2: 1,430.00, 5: 1,300.00.
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000), allowances=D(4000),
            class_management=2),
        APRIL, P2026, KAZAN)
    sources = [rules.PaySource('2', share=D(25)),
        rules.PaySource('5', code='class_management', share=D(100))]
    parts = rules.split_by_source(slip.lines, '4', sources)

    def of(code):
        return {kfo: line.amount for kfo, line in parts if line.code == code}
    assert of('salary') == {'4': D('30000.00'), '2': D('10000.00')}
    assert of('allowances') == {'4': D('3000.00'), '2': D('1000.00')}
    assert of('class_management') == {'5': D('10000.00')}
    assert of('ndfl') == {'4': D('4290.00'), '2': D('1430.00'),
        '5': D('1300.00')}
    # every line's parts add up to the line
    for line in slip.lines:
        assert sum(of(line.code).values()) == slip.amount(line.code)


def test_pay_split_by_a_monthly_amount():
    # 12,000 a month from KFO 2 of a 40,000 post, 11 of 22 days worked:
    # 12,000 × 11/22 = 6,000 of the salary 20,000 (30 %); the rest, 14,000
    # from KFO 4
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000), absences=(
                Absence('unpaid', dt.date(2026, 4, 16),
                    dt.date(2026, 4, 30)),)),
        APRIL, P2026, KAZAN)
    parts = rules.split_by_source(slip.lines, '4',
        [rules.PaySource('2', amount=D(12000))], D(11) / D(22))
    salary = {kfo: line.amount for kfo, line in parts
        if line.code == 'salary'}
    assert salary == {'4': D('14000.00'), '2': D('6000.00')}


def test_pay_sources_beyond_the_pay_are_refused():
    slip = rules.compute_month(
        EmployeeFacts(base_salary=D(40000)), APRIL, P2026, KAZAN)
    with pytest.raises(ValueError):
        rules.split_by_source(slip.lines, '4', [
                rules.PaySource('2', share=D(60)),
                rules.PaySource('5', share=D(50))])
    with pytest.raises(ValueError):
        rules.PaySource('2')
