# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payroll rules of Russian law (domain brief §6), as pure functions.

No Tryton and no database: the payroll run and the editable yearly
parameters call these functions with plain values.  The figures that change
yearly are data, by year, in ``law/`` (``load_parameters``); the working-day
calendar is data in ``calendar/`` (``load_calendar``).

Conventions:

- amounts are ``Decimal`` rubles, rounded half up to kopecks at the end of
  each rule; NDFL is computed in whole rubles (НК ст. 52 п. 6);
- rates are percents, as the law states them (13, 30, 15.1, 0.2);
- "month" is a ``datetime.date``, any day of the month;
- the year-to-date figures a rule takes are "before this month" or
  "including this month", as the argument's name says.

A wrong argument (a negative count, more days worked than the month has)
raises ``ValueError``: the Tryton models validate what a user types before
calling the rules, so such an error is a programming error, not a message.
"""
import csv
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import (
    ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation)
from pathlib import Path
from typing import NamedTuple

__all__ = [
    'LAW_DIR', 'CALENDAR_DIR', 'TATARSTAN', 'FEDERAL',
    'LawDataError', 'Parameters', 'LawFigure', 'read_law', 'load_parameters',
    'CalendarDay', 'ProductionCalendar', 'load_calendar', 'month_bounds',
    'working_days', 'working_days_between',
    'round_kopecks', 'round_rubles',
    'salary_for_time', 'mrot_topup', 'class_management_pay',
    'Child', 'as_children', 'child_entitled', 'child_deductions',
    'child_deduction_basis',
    'child_deduction', 'ndfl_progressive', 'ndfl_cumulative',
    'Contributions', 'contributions', 'accident_insurance',
    'average_daily_for_vacation', 'vacation_pay',
    'sick_pay_percent', 'sick_average_daily', 'sick_daily_benefit',
    'sick_pay_employer', 'advance',
    'Absence', 'YearToDate', 'EmployeeFacts', 'PayslipLine', 'Payslip',
    'EARNING', 'TAX_DEDUCTION', 'WITHHOLDING', 'EMPLOYER',
    'compute_month',
    ]

MODULE_DIR = Path(__file__).resolve().parent
LAW_DIR = MODULE_DIR / 'law'
CALENDAR_DIR = MODULE_DIR / 'calendar'

# Region codes of the calendar (ISO 3166-2): the federal days apply
# everywhere, Tatarstan adds its own holidays.
FEDERAL = 'RU'
TATARSTAN = 'RU-TA'

KOPECK = Decimal('0.01')
RUBLE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Rules of 255-ФЗ that do not change yearly: the sick-pay percentage by
# years of insured service, and the two-year earnings period in days.
SICK_PAY_PERCENTS = [  # (insured years from, percent)
    (Decimal(0), Decimal(60)),
    (Decimal(5), Decimal(80)),
    (Decimal(8), Decimal(100)),
    ]
SICK_PAY_PERIOD_DAYS = Decimal(730)
# Under six months of insured service a full month pays at most МРОТ
# (255-ФЗ ст. 11 ч. 6).
SHORT_SERVICE_YEARS = Decimal('0.5')
HOURS_PER_DAY = 8  # a 40-hour five-day week

# The first half of the month, for the advance (ТК ст. 136).
FIRST_HALF_LAST_DAY = 15


def round_kopecks(amount):
    "The amount rounded half up to kopecks"
    return Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)


def round_rubles(amount):
    "The amount rounded half up to whole rubles (НК ст. 52 п. 6)"
    return Decimal(amount).quantize(RUBLE, rounding=ROUND_HALF_UP)


def _percent(amount, rate):
    return Decimal(amount) * Decimal(rate) / HUNDRED


def _check_days(worked_days, month_working_days):
    if month_working_days is None or worked_days is None:
        if worked_days is not None or month_working_days is not None:
            raise ValueError(
                "worked_days and month_working_days go together")
        return
    if month_working_days <= 0:
        raise ValueError(
            f"month_working_days must be positive: {month_working_days}")
    if not 0 <= worked_days <= month_working_days:
        raise ValueError(
            f"worked_days {worked_days} outside 0..{month_working_days}")


def _share(worked_days, month_working_days):
    "The share of the month worked: 1 when no days are given"
    _check_days(worked_days, month_working_days)
    if month_working_days is None:
        return Decimal(1)
    return Decimal(worked_days) / Decimal(month_working_days)


# --- Law data ----------------------------------------------------------------

class LawDataError(ValueError):
    """Errors in the law or calendar files, all of them at once.

    ``errors`` is a list of (path, line, message); line is None for what is
    missing from a file rather than wrong on a line.
    """

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__('\n'.join(
                f'{path}:{line}: {message}' if line else f'{path}: {message}'
                for path, line, message in self.errors))


@dataclass(frozen=True)
class Parameters:
    """The yearly figures of the payroll law for one year.

    Rates are percents.  ``ndfl_bands`` are (threshold, rate) from 0 up:
    the rate applies to the part of the annual base above the threshold.
    ``sick_earnings_caps`` are the contribution caps of the two previous
    years (year - 2, year - 1), which cap the sick-pay earnings of each.
    """
    year: int
    mrot: Decimal
    ndfl_bands: tuple
    contribution_cap: Decimal
    contribution_rate: Decimal
    contribution_rate_above_cap: Decimal
    child_deduction_first: Decimal
    child_deduction_second: Decimal
    child_deduction_third: Decimal
    child_deduction_disabled: Decimal
    child_deduction_disabled_guardian: Decimal
    child_deduction_income_cap: Decimal
    class_fee: Decimal
    class_max: int
    sick_daily_max: Decimal
    sick_daily_min: Decimal
    sick_earnings_caps: tuple
    vacation_divisor: Decimal
    employer_sick_days: int


# The figures read from law/parameters.csv, by name; the others of
# Parameters come from ndfl_bands.csv and from the previous years' caps.
_INTEGER_FIGURES = {'class_max', 'employer_sick_days'}
_FIGURES = [f.name for f in fields(Parameters)
    if f.name not in {'year', 'ndfl_bands', 'sick_earnings_caps'}]


@dataclass(frozen=True)
class LawFigure:
    "One figure of law/parameters.csv with where it comes from"
    year: int
    name: str
    value: Decimal
    source: str
    line: int


def _read_rows(path, columns):
    "The rows of a ';' CSV as (line, dict); errors for a wrong header"
    with open(path, encoding='utf-8', newline='') as file:
        reader = csv.reader(file, delimiter=';')
        header = next(reader, None)
        if header != columns:
            raise LawDataError([(path, 1,
                        f"header must be {';'.join(columns)}: {header}")])
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                rows.append((reader.line_num, None))
            else:
                rows.append((reader.line_num, dict(zip(columns, row))))
        return rows


def _decimal(text):
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def read_law(folder=LAW_DIR):
    """The figures of ``parameters.csv`` and the bands of
    ``ndfl_bands.csv``, validated, with their sources.

    Returns (figures, bands): figures is {(year, name): LawFigure}, bands is
    {year: [(threshold, rate, source, line), …]} sorted by threshold.
    Raises LawDataError with every error of both files.  The later Tryton
    model of the yearly parameters is seeded from here.
    """
    folder = Path(folder)
    errors, figures, bands = [], {}, {}
    path = folder / 'parameters.csv'
    for line, row in _read_rows(path, ['year', 'name', 'value', 'source']):
        if row is None:
            errors.append((path, line, "expected 4 fields"))
            continue
        year, name = row['year'].strip(), row['name'].strip()
        value = _decimal(row['value'])
        if not year.isdigit():
            errors.append((path, line, f"year is not a year: {year!r}"))
            continue
        if name not in _FIGURES:
            errors.append((path, line, f"unknown figure {name!r}"))
            continue
        if value is None or value < 0:
            errors.append((path, line,
                    f"{name}: not a non-negative number: {row['value']!r}"))
            continue
        if name in _INTEGER_FIGURES and value != value.to_integral_value():
            errors.append((path, line, f"{name}: not a whole number"))
            continue
        if not row['source'].strip():
            errors.append((path, line, f"{name}: the source is empty"))
        key = (int(year), name)
        if key in figures:
            errors.append((path, line, f"{name} of {year} already on line "
                    f"{figures[key].line}"))
            continue
        figures[key] = LawFigure(
            int(year), name, value, row['source'].strip(), line)
    path = folder / 'ndfl_bands.csv'
    for line, row in _read_rows(path, ['year', 'threshold', 'rate', 'source']):
        if row is None:
            errors.append((path, line, "expected 4 fields"))
            continue
        year = row['year'].strip()
        threshold, rate = _decimal(row['threshold']), _decimal(row['rate'])
        if not year.isdigit():
            errors.append((path, line, f"year is not a year: {year!r}"))
        elif threshold is None or threshold < 0:
            errors.append((path, line,
                    f"threshold is not a non-negative number: "
                    f"{row['threshold']!r}"))
        elif rate is None or not 0 <= rate <= 100:
            errors.append((path, line,
                    f"rate is not a percent: {row['rate']!r}"))
        else:
            bands.setdefault(int(year), []).append(
                (threshold, rate, row['source'].strip(), line))
    for year, year_bands in bands.items():
        year_bands.sort()
        thresholds = [b[0] for b in year_bands]
        if thresholds[0] != 0:
            errors.append((path, year_bands[0][3],
                    f"the bands of {year} must start at 0"))
        if len(set(thresholds)) != len(thresholds):
            errors.append((path, None, f"{year}: a threshold is repeated"))
    if errors:
        raise LawDataError(errors)
    return figures, bands


@functools.lru_cache(maxsize=None)
def _load_parameters(year, folder):
    figures, bands = read_law(folder)
    path = Path(folder) / 'parameters.csv'
    missing = [name for name in _FIGURES if (year, name) not in figures]
    caps_missing = [str(y) for y in (year - 2, year - 1)
        if (y, 'contribution_cap') not in figures]
    errors = []
    if missing:
        errors.append((path, None,
                f"{year}: missing {', '.join(missing)}"))
    if caps_missing:
        errors.append((path, None, f"{year}: the sick-pay earnings need "
                f"contribution_cap of {' and '.join(caps_missing)}"))
    if year not in bands:
        errors.append((Path(folder) / 'ndfl_bands.csv', None,
                f"{year}: no NDFL bands"))
    if errors:
        raise LawDataError(errors)
    values = {name: figures[year, name].value for name in _FIGURES}
    for name in _INTEGER_FIGURES:
        values[name] = int(values[name])
    return Parameters(
        year=year,
        ndfl_bands=tuple((t, r) for t, r, _, _ in bands[year]),
        sick_earnings_caps=tuple(
            figures[y, 'contribution_cap'].value
            for y in (year - 2, year - 1)),
        **values)


def load_parameters(year, folder=LAW_DIR):
    """The Parameters of the year from the law files of the module.

    Raises LawDataError (every error of the files, with file:line) when the
    files are wrong or the year is incomplete.  Cached: the files are
    shipped with the module and read once per process.
    """
    return _load_parameters(int(year), str(Path(folder).resolve()))


# --- Production calendar -----------------------------------------------------

CALENDAR_KINDS = {
    'holiday': False,    # a non-working holiday (ТК ст. 112, regional law)
    'weekend': False,    # a Saturday or Sunday
    'transfer': False,   # a day off moved here by decree
    'shortened': True,   # a working day one hour shorter (ТК ст. 95)
    }


@dataclass(frozen=True)
class CalendarDay:
    "A row of a production calendar file"
    date: dt.date
    kind: str
    name: str
    region: str
    source: str


class ProductionCalendar:
    """The working days of one region, from the rows of the calendar files.

    A day is a working day unless a row of the region (or a federal row)
    says it is a holiday, a weekend or a transferred day off; a Saturday
    worked by decree is listed as shortened (or simply not listed).  Only
    the years of the files are known: asking about another year raises
    LookupError, never guesses.
    """

    def __init__(self, days, years, region=TATARSTAN):
        self.region = region
        self.years = frozenset(years)
        regions = {FEDERAL, region}
        self.days = tuple(d for d in days if d.region in regions)
        self._off = {}
        self._holidays = set()
        self._shortened = set()
        self._working = {}  # (start, end): working days, asked many times
        for day in self.days:
            if CALENDAR_KINDS[day.kind]:
                self._shortened.add(day.date)
            else:
                self._off.setdefault(day.date, day)
                if day.kind == 'holiday':
                    self._holidays.add(day.date)

    def _check_year(self, year):
        if year not in self.years:
            raise LookupError(f"no production calendar for {year}")

    def is_working_day(self, date):
        self._check_year(date.year)
        return date not in self._off

    def is_holiday(self, date):
        "Whether the date is a non-working holiday (not a mere day off)"
        self._check_year(date.year)
        return date in self._holidays

    def _dates(self, start, end):
        for year in range(start.year, end.year + 1):
            self._check_year(year)
        day = start
        while day <= end:
            yield day
            day += dt.timedelta(days=1)

    def working_days_between(self, start, end):
        "The working days from start to end, both included (0 if end < start)"
        try:
            return self._working[start, end]
        except KeyError:
            days = self._working[start, end] = sum(
                1 for d in self._dates(start, end) if d not in self._off)
            return days

    def working_days(self, year, month, start=None, end=None):
        """The working days of the month, or of its part from start to end
        (both included, clipped to the month)"""
        first, last = month_bounds(dt.date(year, month, 1))
        start = max(first, start) if start else first
        end = min(last, end) if end else last
        return self.working_days_between(start, end)

    def working_hours(self, year, month=None):
        "The norm of hours of a 40-hour week, for the year or one month"
        if month is None:
            return sum(self.working_hours(year, m) for m in range(1, 13))
        first, last = month_bounds(dt.date(year, month, 1))
        return sum(
            HOURS_PER_DAY - (1 if d in self._shortened else 0)
            for d in self._dates(first, last) if d not in self._off)

    def holidays_between(self, start, end):
        """The non-working holidays from start to end: they are not days of
        annual leave (ТК ст. 120), weekends and transferred days off are"""
        return sum(1 for d in self._dates(start, end) if d in self._holidays)


def month_bounds(month):
    "The first and the last day of the month of the date"
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _read_calendar(folder):
    "All the rows of the calendar files and their years; errors together"
    folder = Path(folder)
    columns = ['date', 'kind', 'name', 'region', 'source']
    errors, days, years = [], [], []
    paths = sorted(folder.glob('production_calendar_*.csv'))
    if not paths:
        raise LawDataError([(folder, None, "no production_calendar_*.csv")])
    for path in paths:
        year = path.stem.rsplit('_', 1)[-1]
        if not year.isdigit():
            errors.append((path, None, "the file name must end with a year"))
            continue
        year = int(year)
        years.append(year)
        seen = {}
        for line, row in _read_rows(path, columns):
            if row is None:
                errors.append((path, line, "expected 5 fields"))
                continue
            try:
                date = dt.date.fromisoformat(row['date'].strip())
            except ValueError:
                errors.append((path, line,
                        f"not a date YYYY-MM-DD: {row['date']!r}"))
                continue
            kind, region = row['kind'].strip(), row['region'].strip()
            if date.year != year:
                errors.append((path, line, f"{date} is not in {year}"))
            elif kind not in CALENDAR_KINDS:
                errors.append((path, line, f"unknown kind {kind!r}, "
                        f"expected one of {', '.join(CALENDAR_KINDS)}"))
            elif not region:
                errors.append((path, line, "the region is empty"))
            elif (date, region) in seen and (
                    CALENDAR_KINDS[kind]
                    != CALENDAR_KINDS[seen[date, region][0]]):
                errors.append((path, line, f"{date} is both working and "
                        f"not working in {region} (line "
                        f"{seen[date, region][1]})"))
            else:
                seen[date, region] = (kind, line)
                days.append(CalendarDay(date, kind, row['name'].strip(),
                        region, row['source'].strip()))
    if errors:
        raise LawDataError(errors)
    return days, years


@functools.lru_cache(maxsize=None)
def _load_calendar(region, folder):
    days, years = _read_calendar(folder)
    return ProductionCalendar(days, years, region=region)


def load_calendar(region=TATARSTAN, folder=CALENDAR_DIR):
    """The production calendar of the region (Tatarstan by default, the
    institutions being in Kazan; FEDERAL for the federal days alone)"""
    return _load_calendar(region, str(Path(folder).resolve()))


def working_days(year, month, start=None, end=None, calendar=None):
    """The working days of the month (or of its part from start to end) by
    the production calendar, Tatarstan's by default"""
    return (calendar or load_calendar()).working_days(year, month, start, end)


def working_days_between(start, end, calendar=None):
    "The working days from start to end included, Tatarstan's by default"
    return (calendar or load_calendar()).working_days_between(start, end)


# --- Pay ---------------------------------------------------------------------

def salary_for_time(base_salary, rate, worked_days, month_working_days):
    """The salary for the days worked: base salary × rate, in proportion to
    the working days of the month by the production calendar"""
    return round_kopecks(Decimal(base_salary) * Decimal(rate)
        * _share(worked_days, month_working_days))


def main_post_rate(rate):
    """The share of the rate that is the main post: a rate above 1 is the
    main post plus extra load (additional work, КС РФ № 40-П of 23.09.2024
    and № 10-П of 05.03.2025), never more than 1"""
    return min(Decimal(rate), Decimal(1))


def mrot_topup(salary_part, allowances, rate, params,
        worked_days=None, month_working_days=None):
    """The top-up of the main post's pay to the minimum wage (ТК ст. 133).

    salary_part is the salary of the main post (at most one rate) and
    allowances the allowances and incentives of the post, both accrued for
    the days worked.  The minimum is МРОТ × min(rate, 1), in proportion to
    the days worked when they are given.  Pay for additional work is
    outside the comparison and is not passed here: the classroom-management
    fee, checking written work, load above one rate, combined posts (КС РФ
    № 40-П of 23.09.2024, № 10-П of 05.03.2025).
    """
    minimum = round_kopecks(Decimal(params.mrot) * main_post_rate(rate)
        * _share(worked_days, month_working_days))
    return max(ZERO, minimum - Decimal(salary_part) - Decimal(allowances))


def class_management_pay(classes, params,
        worked_days=None, month_working_days=None):
    """The classroom-management fee: class_fee per class, at most
    class_max classes, in proportion to the days worked when they are given
    (the proportion is an assumption: unconfirmed)"""
    if not 0 <= classes <= params.class_max:
        raise ValueError(
            f"classes {classes} outside 0..{params.class_max}")
    return round_kopecks(Decimal(params.class_fee) * classes
        * _share(worked_days, month_working_days))


def advance(base_salary, rate, allowances, worked_days_first_half,
        month_working_days):
    """The advance for the first half of the month: salary × rate and the
    fixed allowances for the working days worked from the 1st to the 15th,
    as a share of the month's working days (Rostrud, brief §6.6).

    No NDFL is withheld from it: salary income is received on the last day
    of the month (НК ст. 223 п. 2) and the tax is withheld at the final
    settlement.
    """
    return round_kopecks(
        (Decimal(base_salary) * Decimal(rate) + Decimal(allowances))
        * _share(worked_days_first_half, month_working_days))


# --- NDFL --------------------------------------------------------------------

# НК ст. 218 п. 1 пп. 4: the deduction is granted until the end of the year
# in which a child turns 18, or 24 for a full-time student.
CHILD_AGE = 18
STUDENT_AGE = 24


@dataclass(frozen=True)
class Child:
    """A child of an employee, for the standard deduction.

    birth_date None is count-only data (an employee without birth dates,
    a batch without them): the child is taken as entitled, in the order
    given.  student: in full-time study (очная форма), which keeps the
    deduction until the year the child turns 24.  disabled: a child with a
    disability; for a student from 18 to 24 the law requires disability
    group I or II (НК ст. 218 п. 1 пп. 4), which the accountant checks
    before ticking it.
    """
    birth_date: dt.date = None
    student: bool = False
    disabled: bool = False


def as_children(children, disabled_children=0):
    """The children as a tuple of Child: a sequence of Child as it is; a
    count (count-only data) as that many entitled children without birth
    dates, the last disabled_children of them disabled (a disabled child's
    amount does not depend on its place)"""
    if isinstance(children, int):
        if children < 0 or not 0 <= disabled_children <= children:
            raise ValueError(f"children {children}, disabled "
                f"{disabled_children}: need 0 <= disabled <= children")
        return tuple(Child(disabled=i >= children - disabled_children)
            for i in range(children))
    return tuple(children)


def child_entitled(child, year, month=12):
    """Whether the child gives the deduction in the month of the year (НК
    ст. 218 п. 1 пп. 4).

    From the month of birth; until the end of the year the child turns 18
    (whatever its month of birth), or 24 while in full-time study.  The
    same holds for the disabled child's amount: a disabled child under 18,
    or a student under 24 (group I or II).  With the default month, 12,
    this says whether the child is entitled at all in the year.  A child
    without a birth date (count-only data) is entitled.
    """
    born = child.birth_date
    if born is None:
        return True
    if (born.year, born.month) > (year, month):
        return False
    age = year - born.year  # the age the child reaches this year
    return age <= (STUDENT_AGE if child.student else CHILD_AGE)


def _check_order(children):
    dates = [c.birth_date for c in children if c.birth_date is not None]
    if dates != sorted(dates):
        raise ValueError(f"children not in order of birth: {dates}")


def child_deductions(children, month, params, single_parent=False,
        guardian=False):
    """The deduction of each child born by the month, in order of birth:
    ((place, child, amount), …), before the income cap.

    Every child counts for the place, grown-up ones too (Минфин: the order
    is that of all the children); only an entitled child (child_entitled)
    gets its amount: child_deduction_first for the 1st, _second for the
    2nd, _third for the 3rd and each further one; an entitled disabled
    child adds child_deduction_disabled for a parent (an adoptive parent)
    or child_deduction_disabled_guardian for a guardian, trustee or foster
    parent; the only parent (or the only guardian) gets each amount twice.
    """
    children = as_children(children)
    _check_order(children)
    by_place = [params.child_deduction_first, params.child_deduction_second]
    disabled = (params.child_deduction_disabled_guardian if guardian
        else params.child_deduction_disabled)
    factor = 2 if single_parent else 1
    result = []
    born = [c for c in children if c.birth_date is None
        or (c.birth_date.year, c.birth_date.month)
        <= (month.year, month.month)]
    for place, child in enumerate(born, start=1):
        amount = ZERO
        if child_entitled(child, month.year, month.month):
            amount = (by_place[place - 1] if place <= len(by_place)
                else params.child_deduction_third)
            if child.disabled:
                amount += disabled
        result.append((place, child, amount * factor))
    return tuple(result)


def child_deduction(children, month, ytd_income_including_month, params,
        single_parent=False, guardian=False):
    """The standard child deductions of one month (НК ст. 218 п. 1 пп. 4,
    176-ФЗ): the sum of child_deductions.

    children is a sequence of Child in order of birth (or a count of
    entitled children: count-only data).  Nothing is granted from the
    month the income since 1 January, this month included, exceeds
    child_deduction_income_cap; the cap itself is still within.
    """
    deductions = child_deductions(
        children, month, params, single_parent, guardian)
    if Decimal(ytd_income_including_month) > params.child_deduction_income_cap:
        return ZERO
    return sum((amount for _, _, amount in deductions), ZERO)


def child_deduction_basis(children, month, params, single_parent=False,
        guardian=False):
    """The grounds of the month's child deduction: the children counted
    (place, birth date, amount), how many are entitled and disabled, and
    the factor (2 for the only parent)"""
    deductions = child_deductions(
        children, month, params, single_parent, guardian)
    entitled = [(p, c) for p, c, a in deductions if a]
    counted = '; '.join(
        f"№{place}"
        + (f" {child.birth_date:%d.%m.%Y}" if child.birth_date else '')
        + f": {amount}"
        for place, child, amount in deductions)
    return {
        'children': len(deductions),
        'entitled': len(entitled),
        'disabled_children': sum(1 for _, c in entitled if c.disabled),
        'counted': counted,
        'factor': 2 if single_parent else 1,
        }


def ndfl_progressive(base, params):
    """The NDFL on an annual base by the progressive scale, unrounded:
    each band's rate applies to the part of the base above its threshold"""
    base = max(ZERO, Decimal(base))
    tax = ZERO
    bands = params.ndfl_bands
    for i, (threshold, rate) in enumerate(bands):
        if base <= threshold:
            break
        upper = bands[i + 1][0] if i + 1 < len(bands) else base
        tax += _percent(min(base, upper) - threshold, rate)
    return tax


def ndfl_cumulative(ytd_taxable_including_month, ytd_withheld_before, params):
    """The NDFL of the month by the cumulative method (НК ст. 226 п. 3).

    The tax on the taxable base since 1 January, this month included
    (income minus deductions), in whole rubles, minus the tax withheld
    before this month (the onboarded year-to-date NDFL included).

    Never negative: when more was withheld than is due (a deduction granted
    late, a wrong onboarded figure), the month withholds 0 and the excess
    stays in ytd_withheld, so the following months of the year withhold
    that much less.  Refunds (НК ст. 231) are not the payroll's business.
    """
    due = round_rubles(ndfl_progressive(ytd_taxable_including_month, params))
    return max(ZERO, due - Decimal(ytd_withheld_before))


# --- An advance above the month's pay ----------------------------------------

# ТК ст. 138 ч. 1: all deductions from one payment at most 20 % of it.
DEBT_RECOVERY_PERCENT = Decimal(20)


def advance_debt_recovery(debt, net, paid):
    """What is withheld from the month's pay against an advance paid above
    an earlier month's pay (the employee's debt, 209.34): the debt, but at
    most 20 % of the month's pay after NDFL (ТК ст. 137 ч. 2, ст. 138 ч.
    1) and at most what is left to pay of it (`paid`: the advance and the
    vacation pay already paid); the rest waits for the next month"""
    debt, net = Decimal(debt), Decimal(net)
    if debt <= 0 or net <= 0:
        return ZERO
    return max(ZERO, min(debt, round_kopecks(
                _percent(net, DEBT_RECOVERY_PERCENT)), net - Decimal(paid)))


# --- Contributions -----------------------------------------------------------

class Contributions(NamedTuple):
    "The insurance contributions of a month, split around the yearly cap"
    within_cap: Decimal  # at contribution_rate (30 %)
    above_cap: Decimal   # at contribution_rate_above_cap (15.1 %)
    total: Decimal


def _contributions_since_january(base, params):
    base = max(ZERO, Decimal(base))
    cap = params.contribution_cap
    return (round_kopecks(_percent(min(base, cap), params.contribution_rate)),
        round_kopecks(_percent(max(ZERO, base - cap),
                params.contribution_rate_above_cap)))


def contributions(ytd_base_before, month_base, params):
    """The unified insurance contributions of the month (НК ст. 425 п. 3).

    Cumulative over the year: the contributions on the base since 1 January
    with this month, minus those on the base before it, so a month that
    crosses contribution_cap pays contribution_rate on the part below the
    cap and contribution_rate_above_cap on the part above, and the kopecks
    never drift over the year.
    """
    before = _contributions_since_january(ytd_base_before, params)
    after = _contributions_since_january(
        Decimal(ytd_base_before) + Decimal(month_base), params)
    within, above = after[0] - before[0], after[1] - before[1]
    return Contributions(within, above, within + above)


def accident_insurance(month_base, rate_percent):
    """The accident insurance (НС и ПЗ) of the month at the institution's
    rate, on the same base as the contributions, without a cap"""
    return round_kopecks(_percent(month_base, rate_percent))


# --- Average earnings: vacation and sick pay ---------------------------------

@dataclass(frozen=True)
class AverageMonth:
    """One calendar month of the 12 before a leave (Положение № 922):
    the earnings counted for the average and the calendar days excluded
    from it (vacation, sick leave, unpaid leave, days before the hire or
    after the dismissal: п. 5), whose pay is not in the earnings.

    A period of several months known by its totals only (the onboarded
    figures) counts as `months` months with its calendar and excluded days
    spread evenly over them."""
    month: dt.date
    earnings: Decimal
    calendar_days: int
    excluded_days: int = 0
    months: int = 1

    def __post_init__(self):
        if self.months < 1:
            raise ValueError(f"months {self.months} below 1")
        if not 0 <= self.excluded_days <= self.calendar_days:
            raise ValueError(f"excluded days {self.excluded_days} outside "
                f"0..{self.calendar_days} in {self.month:%Y-%m}")


class VacationAverage(NamedTuple):
    "The average daily earnings and what they were computed from"
    average_daily: Decimal
    earnings: Decimal
    counted_days: Decimal  # the divisor, in days
    months: tuple  # ((AverageMonth, counted days), …)


def counted_days(month, params):
    """The days a month counts for the vacation average (Положение № 922
    п. 10): vacation_divisor (29.3) for a month worked in full; for a month
    with excluded days, vacation_divisor ÷ its calendar days × the calendar
    days worked, unrounded"""
    divisor = Decimal(params.vacation_divisor) * month.months
    if not month.excluded_days:
        return divisor
    worked = month.calendar_days - month.excluded_days
    return divisor / Decimal(month.calendar_days) * Decimal(worked)


def vacation_average(months, params):
    """The average daily earnings for annual leave (ТК ст. 139, Положение
    № 922 пп. 4, 5, 10): the earnings of the months ÷ the days they count
    (counted_days).  Raises ValueError when no day of the months was
    worked: п. 6–8 then take earlier months or the month's salary, which
    is the caller's choice."""
    counted = tuple((m, counted_days(m, params)) for m in months)
    days = sum((c for _, c in counted), ZERO)
    if days <= 0:
        raise ValueError("no worked time in the 12 months")
    earnings = sum((Decimal(m.earnings) for m in months), ZERO)
    return VacationAverage(
        round_kopecks(earnings / days), earnings, days, counted)


def average_daily_for_vacation(earnings, params, months_worked=12,
        partial_months=()):
    """The average daily earnings for annual leave from totals: earnings ÷
    (vacation_divisor × the months worked in full + vacation_divisor ÷ the
    calendar days × the days worked of each partial month): partial_months
    is [(calendar_days, days_worked), …].  With 12 full months this is
    earnings ÷ 12 ÷ 29.3."""
    divisor = Decimal(params.vacation_divisor)
    days = divisor * months_worked + sum(
        (divisor * Decimal(worked) / Decimal(calendar)
            for calendar, worked in partial_months), ZERO)
    if days <= 0:
        raise ValueError("no worked time in the 12 months")
    return round_kopecks(Decimal(earnings) / days)


def vacation_pay(days, average_daily):
    "The pay of the days of annual leave at the average daily earnings"
    return round_kopecks(Decimal(days) * Decimal(average_daily))


# Vacation pay is paid at least 3 calendar days before the leave (ТК ст.
# 136 ч. 9).
VACATION_PAY_DAYS_BEFORE = 3


def vacation_payment_date(start, calendar):
    """The day vacation pay is paid: the latest working day at least
    VACATION_PAY_DAYS_BEFORE calendar days before the leave starts (ТК ст.
    136 ч. 9), so a Monday leave is paid on the Thursday before"""
    date = start - dt.timedelta(days=VACATION_PAY_DAYS_BEFORE)
    while not calendar.is_working_day(date):
        date -= dt.timedelta(days=1)
    return date


def vacation_parts(start, end, average_daily, calendar):
    """The pay of a leave month by month: [(first day of the month, days,
    amount)], the non-working holidays not paid (ТК ст. 120), each month's
    amount rounded to kopecks.  A leave across two months is paid at once
    and accrued by month."""
    parts = []
    first = start
    while first <= end:
        last = min(end, month_bounds(first)[1])
        days = (last - first).days + 1 - calendar.holidays_between(
            first, last)
        parts.append((first.replace(day=1), days,
                vacation_pay(days, average_daily)))
        first = last + dt.timedelta(days=1)
    return parts


def sick_pay_percent(insured_years):
    """The sick pay in percent of average earnings by insured service
    (255-ФЗ ст. 7): under 5 years 60, from 5 to under 8 80, from 8 on 100"""
    insured_years = Decimal(insured_years)
    if insured_years < 0:
        raise ValueError(f"insured_years {insured_years} is negative")
    return [p for since, p in SICK_PAY_PERCENTS if insured_years >= since][-1]


def sick_average_daily(earnings_prev_two_years, caps, params,
        rate=Decimal(1)):
    """The average daily earnings for sick pay (255-ФЗ ст. 14 ч. 1, 3,
    3.1): the earnings of the two years before the illness, each capped at
    that year's contribution cap, ÷ 730, at most sick_daily_max (the two
    caps ÷ 730) and at least sick_daily_min (МРОТ × 24 ÷ 730) × rate for
    a part-time employee (ч. 1.1: a rate above 1 keeps the full minimum).
    caps default to the parameters' sick_earnings_caps; with replaced
    years (ч. 1) the caller passes those years' earnings and caps, and the
    maximum follows them."""
    default = caps is None
    caps = params.sick_earnings_caps if default else caps
    if len(earnings_prev_two_years) != 2 or len(caps) != 2:
        raise ValueError("two years of earnings and two caps")
    total = sum((min(Decimal(e), Decimal(c))
            for e, c in zip(earnings_prev_two_years, caps)), ZERO)
    average = round_kopecks(total / SICK_PAY_PERIOD_DAYS)
    minimum = round_kopecks(params.sick_daily_min * main_post_rate(rate))
    maximum = params.sick_daily_max if default else round_kopecks(
        sum((Decimal(c) for c in caps), ZERO) / SICK_PAY_PERIOD_DAYS)
    return min(maximum, max(minimum, average))


def sick_daily_benefit(insured_years, earnings_prev_two_years, caps, params,
        rate=Decimal(1)):
    "The sick pay of one day: the bounded average × the percent of service"
    return round_kopecks(_percent(
            sick_average_daily(earnings_prev_two_years, caps, params, rate),
            sick_pay_percent(insured_years)))


def best_sick_years(candidates, params, rate=Decimal(1)):
    """The years to compute sick pay from (255-ФЗ ст. 14 ч. 1): the two
    years before the illness, or, on the employee's application when one
    or both of them were spent on maternity or child-care leave, earlier
    years replacing them, whichever gives the higher average.  candidates
    are (earnings pair, caps pair) with the two years before first (caps
    None: the parameters' caps); returns the chosen candidate."""
    if not candidates:
        raise ValueError("no years to compute sick pay from")
    return max(candidates, key=lambda c: sick_average_daily(
            c[0], c[1], params, rate))


class SickYears(NamedTuple):
    """The two years of a sick pay's average: their numbers, earnings and
    contribution caps, the earlier year first"""
    years: tuple
    earnings: tuple
    caps: tuple


def replaced_sick_years(illness_year, earnings_prev_two_years,
        replacements, caps_by_year):
    """The years of the average on the employee's application (255-ФЗ
    ст. 14 ч. 1): each of the two years before the year of the illness
    that was spent on maternity or child-care leave may be replaced by an
    earlier year.  replacements is {replaced year: (year, earnings)};
    caps_by_year the contribution caps (предельная база) of every year
    involved.  A replacement must be earlier than the two years, and no
    year may count twice."""
    before = (illness_year - 2, illness_year - 1)
    for replaced, (year, _) in replacements.items():
        if replaced not in before:
            raise ValueError(f"year {replaced} is not one of {before}")
        if year >= before[0]:
            raise ValueError(
                f"year {year} replacing {replaced} is not earlier than "
                f"{before[0]}")
    chosen = [replacements.get(y, (y, e))
        for y, e in zip(before, earnings_prev_two_years)]
    years = tuple(y for y, _ in chosen)
    if len(set(years)) != 2:
        raise ValueError(f"years {years} count a year twice")
    # the calendar order of the replaced years does not matter to the
    # average: keep the earlier first, as for the two years before
    chosen.sort()
    return SickYears(
        years=tuple(y for y, _ in chosen),
        earnings=tuple(Decimal(e) for _, e in chosen),
        caps=tuple(Decimal(caps_by_year[y]) for y, _ in chosen))


class SickPay(NamedTuple):
    amount: Decimal
    days: int
    parts: tuple  # ((month, days, daily), …)


def sick_pay(start, days, daily_benefit, params, rate=Decimal(1),
        short_service=False):
    """The sick pay of `days` days from `start`, month by month (255-ФЗ
    ст. 14 ч. 1.1, ст. 11 ч. 6): a day is paid daily_benefit, but at least
    МРОТ × min(rate, 1) ÷ the calendar days of its month (so that a full
    month of illness pays no less than МРОТ); with under six months of
    insured service (short_service) a full month pays no more than МРОТ,
    so a day pays exactly that floor.  Each month's part is rounded to
    kopecks."""
    if days < 0:
        raise ValueError(f"days {days} is negative")
    by_month = {}
    for i in range(days):
        day = start + dt.timedelta(days=i)
        key = day.replace(day=1)
        by_month[key] = by_month.get(key, 0) + 1
    parts = []
    amount = ZERO
    for month, count in by_month.items():
        month_days = month_bounds(month)[1].day
        floor = (Decimal(params.mrot) * main_post_rate(rate)
            / Decimal(month_days))
        daily = floor if short_service else max(
            Decimal(daily_benefit), floor)
        daily = round_kopecks(daily)
        parts.append((month, count, daily))
        amount += round_kopecks(daily * count)
    return SickPay(amount, days, tuple(parts))


def sick_pay_employer(days, insured_years, earnings_prev_two_years, caps,
        params, rate=Decimal(1), start=None):
    """The employer's part of the sick pay of a case of `days` days: the
    first employer_sick_days days (3), the Social Fund pays the rest
    directly.  With the start date, each day is at least the МРОТ floor of
    its month (sick_pay); under six months of insured service (insured
    years below 0.5) the floor is also the ceiling."""
    if days < 0:
        raise ValueError(f"days {days} is negative")
    employer_days = min(days, params.employer_sick_days)
    daily = sick_daily_benefit(
        insured_years, earnings_prev_two_years, caps, params, rate)
    if start is None:
        return round_kopecks(employer_days * daily)
    return sick_pay(start, employer_days, daily, params, rate,
        short_service=Decimal(insured_years) < SHORT_SERVICE_YEARS).amount


# --- Several sources of pay --------------------------------------------------

@dataclass(frozen=True)
class PaySource:
    """A part of an employee's pay financed from another КФО than the
    main one: a share in percent or a monthly amount (in proportion to the
    days worked) of the lines of `code`, or of the post's pay when code is
    None (every earning no source names by its code)"""
    kfo: str
    code: str = None
    share: Decimal = None
    amount: Decimal = None

    def __post_init__(self):
        if (self.share is None) == (self.amount is None):
            raise ValueError("a pay source has a share or an amount")
        if self.share is not None and not 0 < self.share <= 100:
            raise ValueError(f"share {self.share} outside (0, 100]")
        if self.amount is not None and self.amount <= 0:
            raise ValueError(f"amount {self.amount} is not positive")


def largest_remainder(total, weights):
    """total split in proportion to weights {key: weight}, in kopecks,
    the rounding difference to the largest part"""
    weight = sum(weights.values(), ZERO)
    if not weight:
        return {}
    parts = {k: round_kopecks(Decimal(total) * w / weight)
        for k, w in weights.items() if w}
    if parts:
        largest = max(parts, key=lambda k: (abs(parts[k]), str(k)))
        parts[largest] += Decimal(total) - sum(parts.values(), ZERO)
    return parts


def split_by_source(lines, main_kfo, sources, worked_share=Decimal(1)):
    """The lines of a payslip by КФО: [(kfo, PayslipLine)].

    Each earning goes to the sources of its code, else to the sources of
    the post's pay (code None): shares in percent, amounts (monthly, ×
    worked_share) as a proportion of the lines they cover; the rest to
    the main КФО.  The other lines (NDFL, withholdings, the employer's
    charges, tax deductions) follow the earnings: in proportion to the
    earnings by КФО, the employer's charges without the sick pay (out of
    the contribution base).
    """
    if not sources:
        return [(main_kfo, line) for line in lines]
    earnings = [l for l in lines if l.kind == EARNING]
    named = {s.code for s in sources if s.code}

    def sources_of(code):
        return [s for s in sources if s.code == code] if code in named else [
            s for s in sources if s.code is None]

    covered = defaultdict(lambda: ZERO)
    for line in earnings:
        if line.code != VACATION_PAID_CODE:
            covered[line.code if line.code in named else None] += (
                line.amount)
    result = []
    by_kfo = defaultdict(lambda: ZERO)
    base_by_kfo = defaultdict(lambda: ZERO)
    for line in earnings:
        if line.code == VACATION_PAID_CODE:
            # posted by its document from the main КФО
            result.append((main_kfo, line))
            by_kfo[main_kfo] += line.amount
            base_by_kfo[main_kfo] += line.amount
            continue
        key = line.code if line.code in named else None
        proportions = defaultdict(lambda: ZERO)
        for source in sources_of(line.code):
            if source.share is not None:
                proportions[source.kfo] += source.share / HUNDRED
            elif covered[key]:
                proportions[source.kfo] += min(Decimal(1), Decimal(
                        source.amount) * Decimal(worked_share) / covered[key])
        rest = Decimal(1) - sum(proportions.values(), ZERO)
        if rest < 0:
            raise ValueError(f"the sources of {line.code} exceed the pay")
        proportions[main_kfo] += rest
        for kfo, amount in largest_remainder(
                line.amount, proportions).items():
            result.append((kfo, PayslipLine(
                        line.code, line.kind, amount, line.basis)))
            by_kfo[kfo] += amount
            if line.code != SICK_CODE:
                base_by_kfo[kfo] += amount
    for line in lines:
        if line.kind == EARNING:
            continue
        weights = base_by_kfo if line.kind == EMPLOYER else by_kfo
        if line.code in {NDFL_VACATION_CODE, WITHHELD_VACATION_CODE} \
                or not weights:
            result.append((main_kfo, line))
            continue
        for kfo, amount in largest_remainder(
                line.amount, weights).items():
            result.append((kfo, PayslipLine(
                        line.code, line.kind, amount, line.basis)))
    return result


# --- Withholdings ------------------------------------------------------------
# Withholdings from the pay (ФЗ 229 «Об исполнительном производстве», ТК
# ст. 137, 138, 377) and the final settlement of a dismissal (ТК ст. 127,
# 140, 178; Правила об очередных и дополнительных отпусках 1930).

__all__ += [
    'WITHHOLDING_KINDS', 'WithholdingOrder', 'withholdings',
    'annual_leave_days', 'months_for_leave', 'vacation_compensation_days',
    'DISMISSAL_REASONS', 'severance_days', 'average_daily_by_days_worked',
    'Settlement', 'settlement_lines', 'after_tax_lines',
    'vacation_withholdings',
    ]

# The kinds of withholding, in the order they are taken: by a writ of
# execution (alimony for minor children, other writs), then on the
# employee's own written statement (union dues, ТК ст. 377; voluntary).
WITHHOLDING_KINDS = ('alimony', 'writ', 'union_dues', 'voluntary')
ENFORCED_KINDS = {'alimony', 'writ'}
# ФЗ 229 ст. 99 ч. 2 and ТК ст. 138 ч. 1: at most 50 % of the pay after
# taxes; ст. 99 ч. 3 and ТК ст. 138 ч. 3: 70 % for alimony for minor
# children, damage to health, loss of the breadwinner and damage from a
# crime.
LIMIT_GENERAL = Decimal(50)
LIMIT_INCREASED = Decimal(70)
# ФЗ 229 ст. 111 ч. 1: four orders of priority (alimony and the claims
# for damage to health first, labour claims second, taxes and mandatory
# payments third, the others fourth).
PRIORITIES = (1, 2, 3, 4)


@dataclass(frozen=True)
class WithholdingOrder:
    """A standing order to withhold from the pay: a share in percent or a
    fixed monthly amount.

    The share of a writ (alimony, writ) is of the pay after NDFL (ФЗ 229
    ст. 99 ч. 1); the share of union dues and of a voluntary deduction is
    of the pay accrued, as union charters set the dues (1 % of the pay) and
    the statement states it.  Alimony for minor children is always of the
    first priority with the 70 % limit; another writ has its priority (ст.
    111) and the 70 % limit only when it is for damage to health, loss of
    the breadwinner or damage from a crime (increased_limit).
    """
    kind: str
    percent: Decimal = None
    amount: Decimal = None
    priority: int = 4
    increased_limit: bool = False
    document: str = ''
    key: object = None  # the caller's reference (a record id): the basis

    def __post_init__(self):
        if self.kind not in WITHHOLDING_KINDS:
            raise ValueError(f"unknown withholding kind {self.kind!r}")
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a withholding is a percent or an amount")
        if self.percent is not None and not 0 <= self.percent <= 100:
            raise ValueError(f"percent {self.percent} outside 0..100")
        if self.amount is not None and self.amount < 0:
            raise ValueError(f"amount {self.amount} is negative")
        if self.priority not in PRIORITIES:
            raise ValueError(f"priority {self.priority} outside 1..4")

    @property
    def enforced(self):
        "Withheld by a writ of execution, within the limits of ст. 99"
        return self.kind in ENFORCED_KINDS

    @property
    def order(self):
        "The priority: alimony is always first (ст. 111 ч. 1 п. 1)"
        return 1 if self.kind == 'alimony' else self.priority

    @property
    def limit(self):
        "The limit in percent of the pay after NDFL (ст. 99 ч. 2, 3)"
        if self.kind == 'alimony' or self.increased_limit:
            return LIMIT_INCREASED
        return LIMIT_GENERAL

    def claim(self, gross, pay_after_ndfl):
        "What the order asks of the month, before limits"
        if self.amount is not None:
            return round_kopecks(self.amount)
        base = pay_after_ndfl if self.enforced else gross
        return round_kopecks(_percent(max(ZERO, base), self.percent))


def _split(room, claims):
    """The claims paid in full when the room holds them, else the room
    shared in proportion to the claims (ФЗ 229 ст. 111 ч. 3), in kopecks
    that add up to the room (the odd kopecks to the largest remainders)"""
    claims = [Decimal(c) for c in claims]
    total = sum(claims, ZERO)
    if total <= room:
        return claims
    if room <= 0:
        return [ZERO] * len(claims)
    exact = [room * c / total for c in claims]
    shares = [e.quantize(KOPECK, rounding=ROUND_DOWN) for e in exact]
    odd = int((room - sum(shares, ZERO)) / KOPECK)
    by_remainder = sorted(range(len(claims)),
        key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:odd]:
        shares[i] += KOPECK
    return shares


def withholdings(gross, ndfl, orders):
    """The amounts withheld by each order (in the orders' order).

    1. The writs (alimony, writ) by priority (ФЗ 229 ст. 111): a priority
       gets what is left within its limit after the earlier priorities,
       shared in proportion within the priority; the limit is 70 % or 50 %
       of the pay after NDFL (ст. 99), so the 50 % writs of a later
       priority get nothing once alimony has taken 50 %.  In a priority
       that mixes both limits, the 50 % writs are held to their own room.
    2. Then union dues and the voluntary deductions, taken on the
       employee's own statement (ТК ст. 377, ст. 136 ч. 5): they are not
       withholdings of ТК ст. 137–138 and have no limit but the pay left
       after the writs (the writs are the employer's duty, ФЗ 229 ст. 98);
       union dues before voluntary deductions, in proportion within each.
    """
    gross, ndfl = Decimal(gross), Decimal(ndfl)
    pay = max(ZERO, gross - ndfl)
    result = [ZERO] * len(orders)
    claims = [o.claim(gross, pay) for o in orders]

    def room(limit, taken):
        return max(ZERO, _percent(pay, limit).quantize(
                KOPECK, rounding=ROUND_DOWN) - taken)

    taken = ZERO
    for priority in PRIORITIES:
        group = [i for i, o in enumerate(orders)
            if o.enforced and o.order == priority]
        if not group:
            continue
        limit = max(orders[i].limit for i in group)
        for i, share in zip(group, _split(
                    room(limit, taken), [claims[i] for i in group])):
            result[i] = share
        low = [i for i in group if orders[i].limit < limit]
        low_room = room(LIMIT_GENERAL, taken)
        if low and sum(result[i] for i in low) > low_room:
            high = [i for i in group if i not in low]
            for i, share in zip(low, _split(
                        low_room, [claims[i] for i in low])):
                result[i] = share
            left = room(limit, taken) - sum(result[i] for i in low)
            for i, share in zip(high, _split(
                        left, [claims[i] for i in high])):
                result[i] = share
        taken += sum(result[i] for i in group)
    left = pay - taken
    for kind in ['union_dues', 'voluntary']:
        group = [i for i, o in enumerate(orders) if o.kind == kind]
        for i, share in zip(group, _split(
                    left, [claims[i] for i in group])):
            result[i] = share
        left -= sum((result[i] for i in group), ZERO)
    return result


# Annual paid leave in calendar days by staff category: 28 days (ТК ст.
# 115), 56 for school teachers and 42 for kindergarten educators
# (Постановление Правительства РФ от 14.05.2015 № 466, brief §6.5).
ANNUAL_LEAVE_DAYS = {'teacher': 56, 'educator': 42}
ANNUAL_LEAVE_DAYS_DEFAULT = 28
# Правила 1930 п. 35: a remainder of half a month or more counts as a
# month; п. 28: 11 months of a working year count as the whole year.
HALF_MONTH_DAYS = 15
FULL_YEAR_MONTHS = 11


def annual_leave_days(category):
    "The days of annual paid leave of the staff category"
    return ANNUAL_LEAVE_DAYS.get(category, ANNUAL_LEAVE_DAYS_DEFAULT)


def _add_months(date, months):
    "The same day months later, the last day of a shorter month"
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    last = month_bounds(dt.date(year, month, 1))[1]
    return dt.date(year, month, min(date.day, last.day))


def months_for_leave(hire_date, dismissal_date):
    """The service for leave from hire to dismissal (both included): the
    whole working years and the months of the last one, a remainder of 15
    days or more counting as a month and less dropped (Правила 1930 п. 35)"""
    if dismissal_date < hire_date:
        raise ValueError(f"dismissal {dismissal_date} before {hire_date}")
    end = dismissal_date + dt.timedelta(days=1)
    months = ((end.year - hire_date.year) * 12
        + end.month - hire_date.month)
    while _add_months(hire_date, months) > end:
        months -= 1
    days = (end - _add_months(hire_date, months)).days
    if days >= HALF_MONTH_DAYS:
        months += 1
    return divmod(months, 12)


def vacation_compensation_days(annual_days, hire_date, dismissal_date,
        days_used):
    """The days of unused annual leave compensated at dismissal (ТК ст.
    127): annual_days for each whole working year, and for the last one
    annual_days ÷ 12 × its months, or annual_days in full from 11 months
    (Правила 1930 пп. 28, 35), less the days used since the hire.

    The 11 months are read as those of each working year, the last one
    included (Роструд's reading of п. 28; another reading limits it to a
    service of 11 months to a year: unconfirmed which one prevails).
    Rounded up to hundredths of a day (the law sets no rounding; a rounding
    must not cut the employee's right, Роструд); never negative (leave
    taken in advance is not withheld here, ТК ст. 137).
    """
    years, months = months_for_leave(hire_date, dismissal_date)
    annual_days = Decimal(annual_days)
    if months >= FULL_YEAR_MONTHS:
        last_year = annual_days
    else:
        last_year = annual_days * months / 12
    days = annual_days * years + last_year - Decimal(days_used)
    return max(ZERO, days.quantize(KOPECK, rounding=ROUND_CEILING))


# The grounds of dismissal that carry severance pay (ТК ст. 178): one
# average monthly earnings on liquidation or staff reduction (ч. 1, ст. 81
# ч. 1 пп. 1, 2); two weeks' average earnings (ч. 3) on the refusal of a
# transfer needed for health (ст. 77 ч. 1 п. 8) or with the employer's
# relocation (п. 9), the refusal to work on changed terms (п. 7), a call
# to military service (ст. 83 ч. 1 п. 1), the reinstatement of the former
# holder of the post (п. 2) and full incapacity for work (п. 5).
DISMISSAL_REASONS = {
    'own_will': None,
    'agreement': None,
    'contract_expiry': None,
    'liquidation': 'month',
    'staff_reduction': 'month',
    'health_transfer_refused': 'two_weeks',
    'relocation_refused': 'two_weeks',
    'changed_terms_refused': 'two_weeks',
    'military_service': 'two_weeks',
    'reinstatement': 'two_weeks',
    'incapacity': 'two_weeks',
    'other': None,
    }


def severance_days(reason, dismissal_date, calendar):
    """The working days severance pays for (ТК ст. 178): those of the month
    after the dismissal day for one average monthly earnings, those of the
    two weeks after it for the two weeks' earnings, by the production
    calendar (Положение № 922 п. 9); 0 when the ground carries none.
    Raises LookupError when the calendar lacks the period's year."""
    period = DISMISSAL_REASONS.get(reason)
    if reason is not None and reason not in DISMISSAL_REASONS:
        raise ValueError(f"unknown dismissal reason {reason!r}")
    if period is None:
        return 0
    start = dismissal_date + dt.timedelta(days=1)
    if period == 'month':
        end = _add_months(dismissal_date, 1)
    else:
        end = dismissal_date + dt.timedelta(days=14)
    return calendar.working_days_between(start, end)


def average_daily_by_days_worked(earnings, days_worked):
    """The average daily earnings for all but annual leave (Положение №
    922 п. 9): the earnings of the 12 months ÷ the days worked in them"""
    if days_worked <= 0:
        raise ValueError("no days worked in the 12 months")
    return round_kopecks(Decimal(earnings) / Decimal(days_worked))


@dataclass(frozen=True)
class Settlement:
    """What the final settlement of a dismissal depends on: the days of
    annual leave a year and those used since the hire, the average daily
    earnings for leave (Положение № 922 п. 10), the ground of dismissal
    and the average daily earnings by days worked for severance (п. 9)"""
    annual_leave_days: int
    vacation_days_used: Decimal = ZERO
    average_daily: Decimal = ZERO
    reason: str = None
    severance_daily: Decimal = ZERO


def _line(code, kind, amount, **basis):
    return PayslipLine(code, kind, amount, tuple(basis.items()))


def settlement_lines(facts, first, last):
    """The compensation for unused leave when the employee is dismissed in
    the month (ТК ст. 127, 140: paid on the last day), as payslip lines:
    taxable and in the contribution base like the pay"""
    dismissal = facts.dismissal_date
    settlement = facts.settlement
    if not (settlement and dismissal and first <= dismissal <= last):
        return []
    if not facts.hire_date:
        raise ValueError("the compensation for leave needs the hire date")
    days = vacation_compensation_days(settlement.annual_leave_days,
        facts.hire_date, dismissal, settlement.vacation_days_used)
    amount = vacation_pay(days, settlement.average_daily)
    if not amount:
        return []
    return [_line('vacation_compensation', EARNING, amount, days=days,
            annual_days=settlement.annual_leave_days,
            days_used=settlement.vacation_days_used,
            average_daily=settlement.average_daily,
            hire=facts.hire_date, dismissal=dismissal)]


def after_tax_lines(facts, first, last, gross, ndfl, calendar):
    """The lines of the month after NDFL: the severance of a dismissal in
    the month (ТК ст. 178; free of NDFL and contributions up to three
    average monthly earnings, НК ст. 217 п. 3, ст. 422 п. 1 пп. 2, which
    ст. 178 never exceeds) and the withholdings of the orders on the pay
    with it.  Returns (severance lines, withholding lines)."""
    earned = []
    dismissal, settlement = facts.dismissal_date, facts.settlement
    if (settlement and settlement.reason and dismissal
            and first <= dismissal <= last):
        try:
            days = severance_days(settlement.reason, dismissal, calendar)
        except LookupError as error:
            raise ValueError(f"severance after {dismissal}: {error}") \
                from error
        amount = round_kopecks(days * Decimal(settlement.severance_daily))
        if amount:
            earned.append(_line('severance', EARNING, amount,
                    reason=settlement.reason, days=days,
                    average_daily=settlement.severance_daily))
    gross = Decimal(gross) + sum((l.amount for l in earned), ZERO)
    orders = list(facts.withholdings)
    # what the vacation pay's documents withheld in the month by order:
    # the month withholds the rest of what the order asks of its pay
    before = defaultdict(lambda: ZERO)
    for line in facts.other_lines:
        if line.code == WITHHELD_VACATION_CODE:
            before[dict(line.basis).get('order')] += line.amount
    withheld = []
    for order, amount in zip(orders, withholdings(gross, ndfl, orders)):
        amount = max(ZERO, amount - before[order.key])
        if amount:
            # the share as the order states it: "25 %" or a fixed amount
            share = order.amount if order.amount is not None \
                else f'{Decimal(order.percent).normalize():f} %'
            key = {} if order.key is None else {'order': order.key}
            withheld.append(_line(order.kind, WITHHOLDING, amount,
                    share=share, document=order.document,
                    base=(gross - ndfl if order.enforced else gross),
                    **key))
    return earned, withheld


def vacation_withholdings(amount, ndfl, orders):
    """The writs withheld from vacation pay when it is paid, before the
    month's run (ФЗ 229 ст. 98 ч. 3: from every payment): the orders of a
    share (alimony and the other writs) on the vacation pay after its NDFL,
    within their limits (ст. 99, 111); a fixed monthly amount and the
    deductions on the employee's statement (union dues, voluntary) stay
    with the month.  Returns [(order, amount)] of the amounts withheld."""
    shares = [o for o in orders if o.enforced and o.percent is not None]
    return [(order, withheld) for order, withheld in zip(
            shares, withholdings(amount, ndfl, shares)) if withheld]


# --- A month of one employee -------------------------------------------------

ABSENCE_KINDS = {'vacation', 'sick', 'child_sick', 'unpaid'}


@dataclass(frozen=True)
class Absence:
    """A period away from work, both dates included.

    A vacation carries its average daily earnings (the записка-расчет,
    from vacation_average) unless it was paid before it started by a
    vacation-pay document (paid: the month then counts its days as not
    worked only, the document's payment comes in other_lines); a sick
    leave is one case: its first days are the employer's; the care of a
    sick child (child_sick) is paid by the Social Fund from the first day.
    """
    kind: str
    start: dt.date
    end: dt.date
    average_daily: Decimal = None
    paid: bool = False
    basis: tuple = ()  # the grounds of the average, for the payslip
    # a sick leave's application to replace years (255-ФЗ ст. 14 ч. 1):
    # a SickYears of the years asked for, used when it pays more
    replaced_years: object = None

    def __post_init__(self):
        if self.kind not in ABSENCE_KINDS:
            raise ValueError(f"unknown absence kind {self.kind!r}")
        if self.end < self.start:
            raise ValueError(f"absence ends {self.end} before {self.start}")
        if (self.kind == 'vacation' and self.average_daily is None
                and not self.paid):
            raise ValueError("a vacation needs its average daily earnings")


@dataclass(frozen=True)
class YearToDate:
    """The running totals of the year: before a month when given to
    compute_month, after it in the payslip (zero them in January)"""
    income: Decimal = ZERO
    deductions: Decimal = ZERO
    ndfl: Decimal = ZERO
    contribution_base: Decimal = ZERO


@dataclass(frozen=True)
class EmployeeFacts:
    """What the month's payroll of one employee depends on.

    base_salary is for one full rate; allowances are the fixed monthly
    allowances in rubles (not per rate); accident_rate is the institution's
    НС и ПЗ rate in percent; earnings_prev_two_years are (year - 2,
    year - 1) for sick pay; ytd are the totals before the month (the
    onboarded figures in the first month).
    """
    base_salary: Decimal
    rate: Decimal = Decimal(1)
    allowances: Decimal = ZERO
    class_management: int = 0
    children: tuple = ()  # of Child in order of birth, or a count
    disabled_children: int = 0  # of a count of children (as_children)
    hire_date: dt.date = None
    dismissal_date: dt.date = None
    absences: tuple = ()
    ytd: YearToDate = field(default_factory=YearToDate)
    accident_rate: Decimal = ZERO
    insured_years: Decimal = ZERO
    earnings_prev_two_years: tuple = (ZERO, ZERO)
    # monthly pay for additional work (outside the МРОТ comparison)
    additional_work: Decimal = ZERO
    # the caps of earnings_prev_two_years when they are replaced years
    # (best_sick_years); None: the two years before, the parameters' caps
    sick_earnings_caps: tuple = None
    # lines computed elsewhere that the month takes in: vacation pay paid
    # between runs (with its NDFL withheld then), corrections of earlier
    # months (PayslipLine: earnings join the gross, tax deductions the
    # deductions, withholdings of NDFL count as withheld before)
    other_lines: tuple = ()
    # an advance paid above an earlier month's pay, not yet recovered
    advance_debt: Decimal = ZERO
    # issue 15: the withholding orders (WithholdingOrder), the final
    # settlement of a dismissal in the month (Settlement) and the income
    # of this year at previous employers (for the deduction cap only)
    withholdings: tuple = ()
    settlement: object = None  # a Settlement
    prev_employer_income: Decimal = ZERO
    single_parent: bool = False  # the only parent: double child deductions
    guardian: bool = False  # guardian, trustee, foster parent (НК ст. 218)


# Line kinds: earnings make the gross; a tax deduction lowers the NDFL base
# only; a withholding is taken from the pay; employer charges are the
# institution's own expense.
EARNING, TAX_DEDUCTION, WITHHOLDING, EMPLOYER = (
    'earning', 'tax_deduction', 'withholding', 'employer')


# The codes compute_month knows in other_lines: vacation pay paid by a
# document before the leave and the NDFL withheld at that payment; the
# employer's sick pay (out of the contribution base).
VACATION_PAID_CODE = 'vacation_paid'
NDFL_VACATION_CODE = 'ndfl_vacation'
# the writs withheld at that payment (ФЗ 229 ст. 98 ч. 3), by order
WITHHELD_VACATION_CODE = 'withheld_vacation'
SICK_CODE = 'sick_employer'
NDFL_SICK_CODE = 'ndfl_sick'
DEBT_RECOVERY_CODE = 'debt_recovery'
# The lines of the NDFL withheld: from the pay, from the sick pay (302.66),
# at the payment of vacation pay.
NDFL_CODES = ('ndfl', NDFL_SICK_CODE, NDFL_VACATION_CODE)


@dataclass(frozen=True)
class PayslipLine:
    """A line of the payslip: code, kind, amount and the figures it was
    computed from (for the payslip's "grounds", formatted by the report)"""
    code: str
    kind: str
    amount: Decimal
    basis: tuple = ()  # ((name, value), …)


@dataclass(frozen=True)
class Payslip:
    """The month of one employee (ТК ст. 136): the lines, the totals, the
    advance for the first half and the year-to-date totals after the month"""
    month: dt.date
    norm_days: int
    worked_days: int
    lines: tuple
    gross: Decimal
    standard_deduction: Decimal
    ndfl: Decimal
    net: Decimal
    advance: Decimal
    final_payment: Decimal
    contribution_base: Decimal
    contributions: Decimal
    accident_insurance: Decimal
    ytd: YearToDate

    def amount(self, code):
        "The amount of the line with the code, 0 if the payslip has none"
        return sum((line.amount for line in self.lines if line.code == code),
            ZERO)


def _overlap(start, end, first, last):
    "The period common to [start, end] and [first, last], or None"
    start, end = max(start, first), min(end, last)
    return (start, end) if start <= end else None


def _check_absences(absences):
    ordered = sorted(absences, key=lambda a: a.start)
    for before, after in zip(ordered, ordered[1:]):
        if after.start <= before.end:
            raise ValueError(f"absences overlap: {before} and {after}")


def compute_month(facts, month, params, calendar):
    """The payslip of one employee for one month.

    A composition of the rules above:

    1. the norm is the working days of the month by the calendar; the days
       worked are those of the employment (hire to dismissal) that no
       absence covers; salary (the main post at most one rate, the load
       above it apart), allowances, additional work and the classroom fee
       are paid for them, and the minimum-wage top-up is due on the main
       post's salary and the allowances in the same proportion;
    2. vacation pay for the days of leave in the month (holidays excluded)
       unless a vacation-pay document paid it before the leave, sick pay
       for the employer's first days of each case in the month (nothing
       for the care of a sick child); the other_lines (vacation paid
       between runs, corrections of earlier months) join them;
    3. the child deductions and NDFL on the income since 1 January;
    4. contributions and accident insurance on the gross less sick pay
       (state benefits are not in the base, НК ст. 422);
    5. the advance for the days worked in the first half, the final
       payment = net - advance.
    """
    first, last = month_bounds(month)
    if params.year != first.year:
        raise ValueError(f"parameters of {params.year} for {first:%Y-%m}")
    _check_absences(facts.absences)
    employed = _overlap(facts.hire_date or first,
        facts.dismissal_date or last, first, last)
    if not employed:
        raise ValueError(f"not employed in {first:%Y-%m}")
    norm = calendar.working_days(first.year, first.month)

    def days_worked(until):
        period = _overlap(*employed, first, until)
        if not period:
            return 0
        days = calendar.working_days_between(*period)
        for absence in facts.absences:
            common = _overlap(absence.start, absence.end, *period)
            if common:
                days -= calendar.working_days_between(*common)
        return days

    worked = days_worked(last)
    worked_first_half = days_worked(first.replace(day=FIRST_HALF_LAST_DAY))
    rate = Decimal(facts.rate)
    lines = []

    def add(code, kind, amount, **basis):
        if amount:
            lines.append(PayslipLine(code, kind, amount, tuple(basis.items())))
        return amount

    main_rate = main_post_rate(rate)
    salary = add('salary', EARNING, salary_for_time(
            facts.base_salary, main_rate, worked, norm),
        base_salary=facts.base_salary, rate=main_rate, days=worked,
        norm=norm)
    add('extra_load', EARNING, salary_for_time(
            facts.base_salary, rate - main_rate, worked, norm),
        base_salary=facts.base_salary, rate=rate - main_rate, days=worked,
        norm=norm)
    allowances = add('allowances', EARNING, salary_for_time(
            facts.allowances, 1, worked, norm),
        monthly=facts.allowances, days=worked, norm=norm)
    add('additional_work', EARNING, salary_for_time(
            facts.additional_work, 1, worked, norm),
        monthly=facts.additional_work, days=worked, norm=norm)
    add('class_management', EARNING, class_management_pay(
            facts.class_management, params, worked, norm),
        classes=facts.class_management, fee=params.class_fee,
        days=worked, norm=norm)
    add('mrot_topup', EARNING, mrot_topup(
            salary, allowances, rate, params, worked, norm),
        mrot=params.mrot, rate=main_rate, days=worked, norm=norm,
        compared=salary + allowances)
    sick = ZERO
    for absence in facts.absences:
        if absence.kind == 'vacation' and not absence.paid:
            period = _overlap(absence.start, absence.end, *employed)
            if period:
                days = ((period[1] - period[0]).days + 1
                    - calendar.holidays_between(*period))
                add('vacation', EARNING,
                    vacation_pay(days, absence.average_daily),
                    **dict(absence.basis, days=days,
                        average_daily=absence.average_daily,
                        start=absence.start, end=absence.end))
        elif absence.kind == 'sick':
            employer_end = min(absence.end, absence.start
                + dt.timedelta(days=params.employer_sick_days - 1))
            period = _overlap(absence.start, employer_end, *employed)
            if period:
                days = (period[1] - period[0]).days + 1
                before = (facts.earnings_prev_two_years,
                    facts.sick_earnings_caps)
                candidates = [before]
                if absence.replaced_years:
                    candidates.append((absence.replaced_years.earnings,
                            absence.replaced_years.caps))
                earnings, caps = chosen = best_sick_years(
                    candidates, params, rate)
                replaced = chosen is not before
                daily = sick_daily_benefit(facts.insured_years,
                    earnings, caps, params, rate)
                paid = sick_pay(period[0], days, daily, params, rate,
                    short_service=(Decimal(facts.insured_years)
                        < SHORT_SERVICE_YEARS))
                sick += add('sick_employer', EARNING, paid.amount,
                    days=days, daily=daily,
                    percent=sick_pay_percent(facts.insured_years),
                    daily_paid='; '.join(f'{m:%m.%Y}: {n} × {d}'
                        for m, n, d in paid.parts),
                    start=absence.start, end=absence.end,
                    **({'years': ', '.join(
                                map(str, absence.replaced_years.years))}
                        if replaced else {}))
    lines.extend(facts.other_lines)
    lines.extend(settlement_lines(facts, first, last))
    sick += sum((line.amount for line in facts.other_lines
            if line.code == SICK_CODE), ZERO)
    withheld_before = sum((line.amount for line in facts.other_lines
            if line.code == NDFL_VACATION_CODE), ZERO)
    gross = sum((line.amount for line in lines if line.kind == EARNING),
        ZERO)

    ytd = facts.ytd
    ytd_income = ytd.income + gross
    children = as_children(facts.children, facts.disabled_children)
    deduction = sum((line.amount for line in facts.other_lines
            if line.kind == TAX_DEDUCTION), ZERO)
    deduction += add('standard_deduction', TAX_DEDUCTION, child_deduction(
            children, first, ytd_income + facts.prev_employer_income,
            params, facts.single_parent, facts.guardian),
        **child_deduction_basis(children, first, params,
            facts.single_parent, facts.guardian),
        ytd_income=ytd_income, income_cap=params.child_deduction_income_cap)
    ytd_deductions = ytd.deductions + deduction
    ytd_taxable = max(ZERO, ytd_income - ytd_deductions)
    ndfl = ndfl_cumulative(ytd_taxable, ytd.ndfl + withheld_before, params)
    # the part of the tax on the sick pay is withheld from it (302.66),
    # in proportion to the month's own income (the vacation paid by a
    # document had its tax withheld then)
    own_income = gross - sum((line.amount for line in facts.other_lines
            if line.code == VACATION_PAID_CODE), ZERO)
    ndfl_sick = ZERO
    if sick > 0 and own_income > 0:
        ndfl_sick = min(ndfl, round_rubles(ndfl * sick / own_income))
    add('ndfl', WITHHOLDING, ndfl - ndfl_sick,
        ytd_taxable=ytd_taxable,
        ytd_withheld_before=ytd.ndfl + withheld_before)
    add(NDFL_SICK_CODE, WITHHOLDING, ndfl_sick, sick=sick,
        income=own_income, ndfl=ndfl)
    ndfl += withheld_before

    contribution_base = gross - sick
    month_contributions = contributions(
        ytd.contribution_base, contribution_base, params)
    add('contributions', EMPLOYER, month_contributions.total,
        base=contribution_base, ytd_base_before=ytd.contribution_base,
        within_cap=month_contributions.within_cap,
        above_cap=month_contributions.above_cap)
    accident = add('accident', EMPLOYER, accident_insurance(
            contribution_base, facts.accident_rate),
        base=contribution_base, rate=facts.accident_rate)

    # severance (free of NDFL and contributions) and the withholdings
    earned, withheld = after_tax_lines(facts, first, last, gross, ndfl,
        calendar)
    lines.extend(earned + withheld)
    gross += sum((line.amount for line in earned), ZERO)
    withheld_by_documents = sum((line.amount for line in facts.other_lines
            if line.code == WITHHELD_VACATION_CODE), ZERO)
    net = (gross - ndfl - sum((line.amount for line in withheld), ZERO)
        - withheld_by_documents)
    month_advance = advance(facts.base_salary, main_rate, facts.allowances,
        worked_first_half, norm)
    paid_before = (sum((line.amount for line in facts.other_lines
                if line.code == VACATION_PAID_CODE), ZERO)
        - withheld_before - withheld_by_documents)
    net -= add(DEBT_RECOVERY_CODE, WITHHOLDING, advance_debt_recovery(
            facts.advance_debt, net, month_advance + paid_before),
        debt=facts.advance_debt, net=net,
        percent=DEBT_RECOVERY_PERCENT)
    return Payslip(
        month=first,
        norm_days=norm,
        worked_days=worked,
        lines=tuple(lines),
        gross=gross,
        standard_deduction=deduction,
        ndfl=ndfl,
        net=net,
        advance=month_advance,
        final_payment=net - month_advance - paid_before,
        contribution_base=contribution_base,
        contributions=month_contributions.total,
        accident_insurance=accident,
        ytd=YearToDate(
            income=ytd_income,
            deductions=ytd_deductions,
            ndfl=ytd.ndfl + ndfl,
            contribution_base=ytd.contribution_base + contribution_base))


# --- The vacation reserve (issue 15) -----------------------------------------

RESERVE_METHODS = ('monthly', 'quarterly')


def reserve_period_end(date, method):
    """Whether the date closes a period of the reserve by the
    institution's method: the last day of a month ('monthly') or of a
    quarter ('quarterly')"""
    if method not in RESERVE_METHODS:
        raise ValueError(f"unknown reserve method {method!r}")
    if date != month_bounds(date)[1]:
        return False
    return method == 'monthly' or date.month % 3 == 0


def vacation_reserve(unused_days, average_daily, contribution_rate,
        accident_rate):
    """The reserve for one employee's unused annual leave at a date (the
    estimated liability of СГС «Резервы», приказ Минфина № 124н; Инструкция
    № 157н п. 302.1): the pay of the unused days at the average daily
    earnings for leave, and the contributions on that pay at the unified
    rate and the institution's НС и ПЗ rate, in percent.  Returns (pay,
    contributions), each rounded to kopecks."""
    if Decimal(unused_days) < 0:
        raise ValueError(f"unused days {unused_days} are negative")
    pay = vacation_pay(unused_days, average_daily)
    rate = Decimal(contribution_rate) + Decimal(accident_rate)
    return pay, round_kopecks(_percent(pay, rate))


def contributions_share(amount, base, contributions):
    """The part of a month's contributions that falls on an amount of the
    month's contribution base (vacation pay or compensation charged to the
    reserve): contributions × amount ÷ base, in kopecks; nothing on an
    empty base, all of them when the amount is the whole base"""
    amount, base = Decimal(amount), Decimal(base)
    if base <= 0 or amount <= 0:
        return ZERO
    return round_kopecks(Decimal(contributions) * min(amount, base) / base)


def reserve_use(amount, balance):
    """What of an amount (vacation pay, compensation, their contributions)
    is charged to the reserve: the amount up to the reserve's balance,
    never negative; the rest goes to the expenses"""
    return max(ZERO, min(Decimal(amount), Decimal(balance)))


# --- Taxes paid through the single tax account (ЕНП) -------------------------

# What is notified and paid each month: the NDFL withheld on the 1st–22nd
# and on the 23rd to the end of a month, the insurance contributions of a
# month (through the ЕНП), the НС и ПЗ of a month (to the Social Fund).
ENP_PARTS = ('ndfl_first', 'ndfl_second', 'contributions', 'accident')
NDFL_PARTS = ('ndfl_first', 'ndfl_second')
NDFL_FIRST_LAST_DAY = 22
# part: (day of the notice, day of the payment, months after the period's).
# НК ст. 226 п. 6 and ст. 58 п. 9 as in force since 2024: the NDFL of the
# 1st–22nd is notified by the 25th and paid by the 28th of the month, that
# of the 23rd to the end by the 3rd and the 5th of the next month, but that
# of 23–31 December by the last working day of the year (consultant.ru,
# nalog.gov.ru; the brief §6.1 still gives the 2023 rule).  Contributions:
# notified by the 25th, paid by the 28th of the next month (brief §6.2).
# НС и ПЗ: paid by the 15th of the next month, no notice (brief §6.2,
# unconfirmed).
ENP_DUE_DAYS = {
    'ndfl_first': (25, 28, 0),
    'ndfl_second': (3, 5, 1),
    'contributions': (25, 28, 1),
    'accident': (None, 15, 1),
    }


def ndfl_part(date):
    "The part of its month the NDFL withheld on date is paid with"
    return 'ndfl_first' if date.day <= NDFL_FIRST_LAST_DAY else 'ndfl_second'


def enp_period(part, month):
    """The first and last day of the period of an obligation of the month:
    the half of the month for NDFL, the whole month otherwise"""
    first, last = month_bounds(month)
    if part == 'ndfl_first':
        return first, first.replace(day=NDFL_FIRST_LAST_DAY)
    if part == 'ndfl_second':
        return first.replace(day=NDFL_FIRST_LAST_DAY + 1), last
    return first, last


def next_working_day(date, calendar):
    """The date, or the working day after it when it is a day off (НК ст.
    6.1 п. 7)"""
    while not calendar.is_working_day(date):
        date += dt.timedelta(days=1)
    return date


def last_working_day(year, calendar):
    "The last working day of the year"
    date = dt.date(year, 12, 31)
    while not calendar.is_working_day(date):
        date -= dt.timedelta(days=1)
    return date


def enp_due_dates(part, month, calendar):
    """The due dates of the notice and of the payment of an obligation of
    the month (ENP_DUE_DAYS), moved to the next working day: (notice or
    None, payment)"""
    notice_day, payment_day, after = ENP_DUE_DAYS[part]
    month = month.replace(day=1)
    if part == 'ndfl_second' and month.month == 12:
        last = last_working_day(month.year, calendar)
        return last, last
    due = month_bounds(month)[1] + dt.timedelta(days=1) if after else month
    notice = (next_working_day(due.replace(day=notice_day), calendar)
        if notice_day else None)
    return notice, next_working_day(due.replace(day=payment_day), calendar)


def ndfl_kbk_split(tax_before, tax, threshold):
    """The NDFL withheld from a person split between the two KBKs of the
    progressive scale: (the part up to threshold of tax in the year, the
    part above it) — threshold is 312,000 rubles since 2025 (brief §6.1),
    tax_before the person's tax of the year before this one"""
    if threshold is None:
        return tax, ZERO
    low = max(ZERO, min(tax_before + tax, threshold) - min(tax_before,
            threshold))
    if tax < 0:
        low = -max(ZERO, min(tax_before, threshold) - min(tax_before + tax,
                threshold))
    return low, tax - low
