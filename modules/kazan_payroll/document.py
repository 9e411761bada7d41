# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payroll's documents of Приказ Минфина № 52н, as printed reports:

- 0504417 Карточка-справка: the year of one employee, a column per month
  and a table per КФО, from the posted payslips (one query);
- 0504421 Табель учета использования рабочего времени: the month of an
  institution, a code and hours per employee per day, from the production
  calendar, the absences and the employment dates;
- 0504425 Записка-расчет об исчислении среднего заработка: the average
  daily earnings of a leave and its pay, from the basis of its payslip
  lines.

The figures are built by pure functions over plain values (``card``,
``timesheet_row``, ``average_note``), tested without a database; the
report classes only gather their input.  The timesheet's codes are data:
``timesheet_codes.csv``.
"""
import ast
import datetime as dt
import json
from collections import defaultdict, namedtuple
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sql import As
from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.kazan_accounting.model import tables
from trytond.modules.kazan_accounting.table import TableError, read_table
from trytond.pool import Pool
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from . import rules
from .exceptions import PayrollRunError
from .report import PayrollReport, _selection_labels

ZERO = rules.ZERO
MONTHS = range(1, 13)
TIMESHEET_CODES = Path(__file__).resolve().parent / 'timesheet_codes.csv'

# --- 0504417: the card of one employee's year --------------------------------

# The parts of the card, in the order of the form, by kind of line; the
# tax deductions and the employer's charges are for information.
CARD_PARTS = [
    ('accrued', rules.EARNING),
    ('withheld', rules.WITHHOLDING),
    ('tax_deductions', rules.TAX_DEDUCTION),
    ('employer', rules.EMPLOYER),
    ]
# The payslip's own figures, a row each under the lines
CARD_PAYMENTS = ['net', 'advance', 'final_payment']

CardRow = namedtuple('CardRow', ['code', 'months', 'total'])
CardPart = namedtuple('CardPart', ['rows', 'total'])
Card = namedtuple('Card', ['employee', 'year', 'kfo', 'parts', 'payments'])


def _row(code, months):
    "A row of a card: the amount of each month 1..12 and their sum"
    amounts = [months.get(m, ZERO) for m in MONTHS]
    return CardRow(code, amounts, sum(amounts, ZERO))


def card(employee, year, kfo, lines, payments, code_order=()):
    """The card of one employee, year and КФО.

    lines: {(month, kind, code): amount}, month 1..12; payments:
    {(month, name): amount} for the names of CARD_PAYMENTS.  A part has a
    row per line code in code_order (then the others by name) and its
    total row."""
    order = {code: i for i, code in enumerate(code_order)}
    parts = {}
    for part, kind in CARD_PARTS:
        by_code = defaultdict(dict)
        for (month, line_kind, code), amount in lines.items():
            if line_kind == kind:
                by_code[code][month] = by_code[code].get(month, ZERO) + amount
        codes = sorted(by_code, key=lambda c: (order.get(c, len(order)), c))
        rows = [_row(code, by_code[code]) for code in codes]
        total = _row(None, {m: sum((r.months[m - 1] for r in rows), ZERO)
                for m in MONTHS})
        parts[part] = CardPart(rows, total)
    payment_rows = {name: _row(name, {m: amount
                for (m, n), amount in payments.items() if n == name})
        for name in CARD_PAYMENTS}
    return Card(employee, year, kfo, parts, payment_rows)


# --- 0504421: the timesheet of an institution's month ------------------------

TimesheetCode = namedtuple('TimesheetCode', ['code', 'number', 'name'])
TimesheetDay = namedtuple('TimesheetDay', ['date', 'code', 'hours'])
Timesheet = namedtuple('Timesheet', ['dates', 'rows'])
TimesheetRow = namedtuple('TimesheetRow', [
        'employee', 'days', 'worked_days', 'worked_hours', 'absent_days',
        'weekend_days'])

# What a day can be besides an absence (whose kind is its situation)
WORKED, WEEKEND = 'worked', 'weekend'


def timesheet_codes(path=TIMESHEET_CODES):
    """{situation: TimesheetCode} of the code table: worked, weekend and
    each kind of absence"""
    try:
        table = read_table(path, ['situation', 'code', 'number', 'name',
                'source'])
    except TableError as error:
        raise rules.LawDataError([(p.file, p.line, p.key)
                for p in error.problems]) from error
    codes = {}
    for row in table:
        values = row.values
        codes[values['situation']] = TimesheetCode(
            values['code'], values['number'], values['name'])
    missing = {WORKED, WEEKEND} - set(codes)
    if missing:
        raise rules.LawDataError([(path, None,
                    f"no code for {', '.join(sorted(missing))}")])
    return codes


def day_hours(calendar, first, last):
    """{date: hours} of the working days from first to last by the
    calendar: a 40-hour week's day, an hour shorter before a holiday (ТК
    ст. 95)"""
    shortened = {d.date for d in calendar.days
        if rules.CALENDAR_KINDS[d.kind] and first <= d.date <= last}
    hours = {}
    date = first
    while date <= last:
        if calendar.is_working_day(date):
            hours[date] = rules.HOURS_PER_DAY - (date in shortened)
        date += dt.timedelta(days=1)
    return hours


def timesheet_row(employee, month, calendar, codes, absences,
        hire_date=None, dismissal_date=None, rate=Decimal(1)):
    """The month of one employee in the timesheet.

    absences: [(kind, start, end)].  A day before the hire or after the
    dismissal is blank; a day of an absence has its kind's code (all the
    calendar days of it; a non-working holiday inside an annual leave is
    a day off, ТК ст. 120); else a working day of the calendar is worked
    (its hours × the rate, at most a full day: a rate above 1 is extra
    load, not longer presence) and any other day is a day off."""
    first, last = rules.month_bounds(month)
    share = min(Decimal(rate), Decimal(1))
    working = day_hours(calendar, first, last)
    days = []
    absent = defaultdict(int)
    worked_days, worked_hours, weekend_days = 0, ZERO, 0
    date = first
    while date <= last:
        kind = next((k for k, start, end in absences
                if start <= date <= end), None)
        if ((hire_date and date < hire_date)
                or (dismissal_date and date > dismissal_date)):
            day = TimesheetDay(date, '', None)
        elif kind and not (kind == 'vacation'
                and calendar.is_holiday(date)):
            if kind not in codes:
                raise LookupError(f"no timesheet code for {kind!r}")
            day = TimesheetDay(date, codes[kind].code, None)
            absent[codes[kind].code] += 1
        elif date in working:
            hours = _hours(working[date] * share)
            day = TimesheetDay(date, codes[WORKED].code, hours)
            worked_days += 1
            worked_hours += hours
        else:
            day = TimesheetDay(date, codes[WEEKEND].code, None)
            weekend_days += 1
        days.append(day)
        date += dt.timedelta(days=1)
    return TimesheetRow(employee, days, worked_days, _hours(worked_hours),
        dict(absent), weekend_days)


def _hours(value):
    "Hours without trailing zeros: 8, 7.5, 5.25"
    value = Decimal(value)
    if value == value.to_integral_value():
        return value.quantize(1)
    return value.normalize()


# --- 0504425: the note-calculation of the average earnings -------------------

NoteMonth = namedtuple('NoteMonth', [
        'month', 'earnings', 'calendar_days', 'excluded_days',
        'counted_days'])
NoteAccrual = namedtuple('NoteAccrual', ['month', 'days', 'amount'])
Note = namedtuple('Note', [
        'months', 'months_earnings', 'months_counted_days', 'earnings',
        'counted_days', 'average_daily', 'days', 'amount', 'accruals'])


def _basis_decimal(value):
    if value in (None, ''):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _basis_months(value):
    """The months of a basis: a JSON list, or its text (as JSON or as
    Python writes a list of dicts of strings and numbers)"""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return []
    return value if isinstance(value, list) else []


def _basis_date(value):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def average_note(accruals):
    """The figures of the note from the lines of one leave.

    accruals: [(payslip month, amount, basis {name: value})], a line per
    month the leave is accrued in.  The basis carries the average daily
    earnings and, since the vacation average of Положение № 922 пп. 5, 10,
    the earnings, the counted days and the 12 months (each: month,
    earnings, calendar_days, excluded_days, counted_days); an older basis
    without them gives what it has (None for the rest)."""
    accruals = sorted(accruals, key=lambda a: a[0])
    months, earnings, counted, average = [], None, None, None
    for _, _, basis in accruals:
        if not months and basis.get('months'):
            months = [NoteMonth(
                    _basis_date(m.get('month')),
                    _basis_decimal(m.get('earnings')) or ZERO,
                    int(_basis_decimal(m.get('calendar_days')) or 0),
                    int(_basis_decimal(m.get('excluded_days')) or 0),
                    _basis_decimal(m.get('counted_days')) or ZERO)
                for m in _basis_months(basis['months'])]
        if earnings is None:
            earnings = _basis_decimal(basis.get('earnings'))
        if counted is None:
            counted = _basis_decimal(basis.get('counted_days'))
        if average is None:
            average = _basis_decimal(basis.get('average_daily'))
    months_earnings = sum((m.earnings for m in months), ZERO)
    months_counted = sum((m.counted_days for m in months), ZERO)
    # the basis' own totals are what the average was computed from; the
    # months' sums stand in for them when it has none
    if months and earnings is None:
        earnings = months_earnings
    if months and counted is None:
        counted = months_counted
    lines = [NoteAccrual(month, int(_basis_decimal(basis.get('days')) or 0),
            amount) for month, amount, basis in accruals]
    return Note(months, months_earnings, months_counted, earnings, counted,
        average, sum(a.days for a in lines),
        sum((a.amount for a in lines), ZERO), lines)


# --- The reports -------------------------------------------------------------

class PersonalCardReport(PayrollReport):
    """The personal account card (Карточка-справка, ОКУД 0504417) of each
    employee for a year: data's year, or the last year of the employee's
    posted payslips"""
    __name__ = 'kazan.payroll.personal_card'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        Line = pool.get('kazan.payroll.payslip.line')
        # the card shows the payslips: who may not read them gets no card
        ModelAccess.check('kazan.payroll.payslip', 'read')
        context = super().get_context(records, header, data)
        year = data.get('year') if isinstance(data.get('year'), int) else None
        code_order = [c for c, _ in Line.fields_get(['code'])['code'][
                'selection']]
        context['cards'] = cls.cards(
            [r.id for r in records], year, code_order)
        context['card_parts'] = [p for p, _ in CARD_PARTS]
        context['months'] = list(MONTHS)
        return context

    @classmethod
    def cards(cls, employee_ids, year=None, code_order=()):
        """The cards of the employees, in their order: one per КФО of the
        year's posted payslips (none for an employee without any)"""
        Employee = Pool().get('company.employee')
        lines, payments, years = cls._figures(employee_ids, year)
        result = []
        for employee in Employee.browse(employee_ids):
            employee_year = year or years.get(employee.id)
            for kfo in sorted(lines.get((employee.id, employee_year), {})):
                result.append(card(employee, employee_year, kfo,
                        lines[employee.id, employee_year][kfo],
                        payments[employee.id, employee_year][kfo],
                        code_order))
        return result

    @classmethod
    def _figures(cls, employee_ids, year=None):
        """The sums of the lines and of the payslips' payments of the
        posted runs, by (employee, year) and КФО, and the last year of
        each employee"""
        run, payslip, line = tables('kazan.payroll.run',
            'kazan.payroll.payslip', 'kazan.payroll.payslip.line')
        cursor = Transaction().connection.cursor()
        in_ = fields.SQL_OPERATORS['in']
        lines = defaultdict(lambda: defaultdict(dict))
        payments = defaultdict(lambda: defaultdict(dict))
        years = {}
        for sub_ids in grouped_slice(employee_ids, backend.MAX_QUERY_PARAMS):
            where = in_(payslip.employee, list(sub_ids)) & (
                run.state == 'posted')
            if year:
                where &= ((run.month >= dt.date(year, 1, 1))
                    & (run.month <= dt.date(year, 12, 31)))
            from_ = payslip.join(run, condition=payslip.run == run.id)
            query = from_.join(line, condition=line.payslip == payslip.id
                ).select(payslip.employee, As(run.month, 'month'), payslip.kfo,
                line.kind, line.code, As(Sum(line.amount), 'amount'),
                where=where,
                group_by=[payslip.employee, run.month, payslip.kfo,
                    line.kind, line.code])
            sqlite_apply_types(
                query, [None, 'DATE', None, None, None, 'NUMERIC'])
            cursor.execute(*query)
            for employee, month, kfo, kind, code, amount in cursor:
                lines[employee, month.year][kfo][month.month, kind, code] = (
                    Decimal(amount or 0))
                years[employee] = max(years.get(employee, 0), month.year)
            query = from_.select(
                payslip.employee, As(run.month, 'month'), payslip.kfo,
                *(As(Sum(getattr(payslip, n)), n) for n in CARD_PAYMENTS),
                where=where,
                group_by=[payslip.employee, run.month, payslip.kfo])
            sqlite_apply_types(query, [None, 'DATE', None]
                + ['NUMERIC'] * len(CARD_PAYMENTS))
            cursor.execute(*query)
            for employee, month, kfo, *amounts in cursor:
                for name, amount in zip(CARD_PAYMENTS, amounts):
                    payments[employee, month.year][kfo][
                        month.month, name] = Decimal(amount or 0)
        return lines, payments, years


class TimesheetReport(PayrollReport):
    """The timesheet (Табель учета использования рабочего времени, ОКУД
    0504421) of the month of a payroll run: its institution's employees of
    the month"""
    __name__ = 'kazan.payroll.run.timesheet'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        codes = timesheet_codes()
        context['timesheets'] = {r.id: cls.timesheet(r, codes)
            for r in records}
        legend = {}
        for code in codes.values():
            legend.setdefault(code.code, code)
        context['legend'] = sorted(legend.values(), key=lambda c: c.number)
        context['absence_codes'] = sorted({c.code for s, c in codes.items()
                if s not in {WORKED, WEEKEND}})
        return context

    @classmethod
    def timesheet(cls, run, codes):
        """The days of the run's month and the rows of its employees, in
        the order of their numbers"""
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        CalendarDay = pool.get('kazan.payroll.calendar_day')
        first, last = rules.month_bounds(run.month)
        calendar = CalendarDay.calendar(rules.TATARSTAN)
        if first.year not in calendar.years:
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_run_no_calendar', year=first.year))
        employees = run.employees()
        absences = defaultdict(list)
        for absence in Absence.search([
                    ('employee', 'in', [e.id for e in employees]),
                    ('start_date', '<=', last),
                    ('end_date', '>=', first),
                    ]):
            absences[absence.employee.id].append(
                (absence.kind, absence.start_date, absence.end_date))
        dates = [first + dt.timedelta(days=d)
            for d in range((last - first).days + 1)]
        return Timesheet(dates, [timesheet_row(employee, first, calendar,
                    codes, absences[employee.id], employee.start_date,
                    employee.end_date, employee.rate or Decimal(1))
                for employee in employees])


class AverageEarningsNoteReport(PayrollReport):
    """The note-calculation of the average earnings (Записка-расчет об
    исчислении среднего заработка, ОКУД 0504425) of an annual leave: the
    lines of its pay in the payslips of the runs not cancelled"""
    __name__ = 'kazan.payroll.absence.average_note'

    # The lines paid at the average earnings of the leave
    NOTE_CODES = ['vacation', 'vacation_paid']

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check('kazan.payroll.payslip', 'read')
        context = super().get_context(records, header, data)
        accruals = cls._accruals([r for r in records if r.kind == 'vacation'])
        context['notes'] = {r.id: average_note(accruals.get(r.id, []))
            for r in records}
        context['kind_labels'] = _selection_labels(
            'kazan.payroll.absence', 'kind')
        return context

    @classmethod
    def _accruals(cls, absences):
        """The lines of each leave by absence id: [(payslip month, amount,
        basis)], matched by employee and the leave's first day (_leave_of)"""
        run, payslip, line = tables('kazan.payroll.run',
            'kazan.payroll.payslip', 'kazan.payroll.payslip.line')
        cursor = Transaction().connection.cursor()
        in_ = fields.SQL_OPERATORS['in']
        by_employee = defaultdict(list)
        for absence in absences:
            by_employee[absence.employee.id].append(absence)
        result = defaultdict(list)
        for sub_ids in grouped_slice(list(by_employee),
                backend.MAX_QUERY_PARAMS):
            query = line.join(payslip, condition=line.payslip == payslip.id
                ).join(run, condition=payslip.run == run.id).select(
                payslip.employee, As(run.month, 'month'),
                As(line.amount, 'amount'), line.basis,
                where=in_(payslip.employee, list(sub_ids))
                & (run.state != 'cancelled')
                & line.code.in_(cls.NOTE_CODES),
                order_by=[run.month, line.id])
            sqlite_apply_types(query, [None, 'DATE', 'NUMERIC', None])
            cursor.execute(*query)
            for employee, month, amount, basis in cursor:
                basis = json.loads(basis or '{}')
                absence = _leave_of(basis, month, by_employee[employee])
                if absence:
                    result[absence.id].append(
                        (month, Decimal(amount or 0), basis))
        return result


def _leave_of(basis, month, absences):
    """The leave a line pays: the one starting on its basis' start, or
    without a start the only one in the payslip's month"""
    start = _basis_date(basis.get('start'))
    if start:
        return next((a for a in absences if a.start_date == start), None)
    first, last = rules.month_bounds(month)
    leaves = [a for a in absences
        if a.start_date <= last and a.end_date >= first]
    return leaves[0] if len(leaves) == 1 else None
