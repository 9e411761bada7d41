# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The average daily earnings for annual leave (ТК ст. 139, Положение
№ 922) from what the service knows: the posted payslips of the 12 months
before the leave, the absences of those months, the employment dates, and
for the months before the institution came to the service the onboarded
year-to-date figures.  rules.vacation_average does the arithmetic.

Batched: one query for the earnings and one for the absences of all the
leaves asked for.
"""
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond import backend
from trytond.modules.kazan_accounting.model import tables
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import rules
from .queries import _apply_types, _in, _in_max

ZERO = rules.ZERO
# The pay for time worked that the average is computed from (Положение
# № 922 п. 2); vacation, sick pay and pay kept at the average are not in
# it (п. 5).
EARNINGS_FOR_AVERAGE = [
    'salary', 'extra_load', 'allowances', 'additional_work',
    'class_management', 'mrot_topup']


def add_months(month, count):
    "The first day of the month `count` months after (or before) month"
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def window(start):
    "The 12 calendar months before the month of start, oldest first"
    first = start.replace(day=1)
    return [add_months(first, i) for i in range(-12, 0)]


def _days(start, end):
    return (end - start).days + 1 if end >= start else 0


def vacation_averages(leaves, params):
    """The average of each leave: leaves are (employee, start date);
    returns {(employee id, start): rules.VacationAverage}.  A leave
    without a day worked in the 12 months known gets the average of the
    monthly pay of the staff record ÷ 29.3 (Положение № 922 п. 8), with no
    months."""
    if not leaves:
        return {}
    since = min(window(s)[0] for _, s in leaves)
    until = max(s.replace(day=1) for _, s in leaves)
    employee_ids = sorted({e.id for e, _ in leaves})
    earnings = earnings_by_month(employee_ids, since, until)
    absences = _absences(employee_ids, since, until)
    result = {}
    for employee, start in leaves:
        months = _months(employee, start, earnings[employee.id],
            absences[employee.id])
        try:
            average = rules.vacation_average(months, params)
        except ValueError:
            monthly = ((employee.base_salary or ZERO)
                * rules.main_post_rate(employee.rate)
                + (employee.allowances or ZERO))
            average = rules.VacationAverage(
                rules.round_kopecks(monthly / params.vacation_divisor),
                monthly, params.vacation_divisor, ())
        result[employee.id, start] = average
    return result


def _months(employee, start, earnings, absences):
    months = []
    onboarded = _onboarded(employee, start)
    for month in window(start):
        last = rules.month_bounds(month)[1]
        if month not in earnings:
            continue
        excluded = 0
        employed_from = max(month, employee.start_date or month)
        employed_to = min(last, employee.end_date or last)
        excluded += last.day - _days(employed_from, employed_to)
        for a_start, a_end in absences:
            excluded += _days(max(a_start, employed_from),
                min(a_end, employed_to))
        months.append(rules.AverageMonth(
                month, earnings[month], last.day, min(excluded, last.day)))
    if onboarded:
        # before the service start: no payslip of the service there
        months.insert(0, onboarded)
    return months


def _onboarded(employee, start):
    """The onboarded period from 1 January to the service start, as far as
    it is in the 12 months before the leave: its totals spread evenly over
    its months (the batch gives totals, not months)"""
    ytd_date = employee.ytd_date
    if not ytd_date or ytd_date.month == 1 and ytd_date.day == 1:
        return None
    first = ytd_date.replace(month=1, day=1)
    period = [m for m in window(start) if first <= m < ytd_date]
    if not period:
        return None
    all_days = (ytd_date - first).days
    income = employee.ytd_average_earnings
    if income is None:
        income = employee.ytd_income or ZERO
    excluded = employee.ytd_excluded_days or 0
    calendar_days = sum(rules.month_bounds(m)[1].day for m in period)
    share = Decimal(calendar_days) / Decimal(all_days)
    return rules.AverageMonth(period[0],
        rules.round_kopecks(Decimal(income) * share), calendar_days,
        min(calendar_days, int(round(excluded * share))),
        months=len(period))


def earnings_by_month(employee_ids, since, until):
    "{employee id: {month: earnings}} of the posted payslips"
    payslip, line, run = tables('kazan.payroll.payslip',
        'kazan.payroll.payslip.line', 'kazan.payroll.run')
    cursor = Transaction().connection.cursor()
    result = defaultdict(dict)
    for sub_ids in grouped_slice(employee_ids, _in_max()):
        query = payslip.join(run, condition=payslip.run == run.id
            ).join(line, 'LEFT', condition=(line.payslip == payslip.id)
                & line.code.in_(EARNINGS_FOR_AVERAGE)).select(
            payslip.employee, run.month, Sum(line.amount),
            where=_in(payslip.employee, sub_ids)
            & (run.state == 'posted')
            & (run.month >= since) & (run.month < until),
            group_by=[payslip.employee, run.month])
        _apply_types(query, [None, 'DATE', 'NUMERIC'])
        cursor.execute(*query)
        for employee_id, month, amount in cursor:
            result[employee_id][month] = Decimal(amount or 0)
    return result


def _absences(employee_ids, since, until):
    "{employee id: [(start, end)]} of every kind of absence in the window"
    Absence = Pool().get('kazan.payroll.absence')
    result = defaultdict(list)
    for sub_ids in grouped_slice(employee_ids, backend.MAX_QUERY_PARAMS):
        for absence in Absence.search([
                    ('employee', 'in', list(sub_ids)),
                    ('start_date', '<', until),
                    ('end_date', '>=', since),
                    ]):
            result[absence.employee.id].append(
                (absence.start_date, absence.end_date))
    return result


def basis(average):
    "The grounds of a vacation line: the average and its months (0504425)"
    return {
        'average_daily': average.average_daily,
        'earnings': average.earnings,
        'counted_days': rules.round_kopecks(average.counted_days),
        'months': json.dumps([{
                    'month': f'{m.month:%Y-%m}',
                    'months': m.months,
                    'earnings': str(m.earnings),
                    'calendar_days': m.calendar_days,
                    'excluded_days': m.excluded_days,
                    'counted_days': str(rules.round_kopecks(counted)),
                    } for m, counted in average.months],
            ensure_ascii=False),
        }
