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
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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
        return sum(1 for d in self._dates(start, end) if d not in self._off)

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


def mrot_topup(salary_part, allowances, rate, params,
        worked_days=None, month_working_days=None):
    """The top-up of salary and allowances to the minimum wage.

    salary_part and allowances are the amounts accrued for the month (for
    the days worked).  The minimum is МРОТ × rate, in proportion to the
    days worked when they are given.  The classroom-management fee is paid
    for additional work and is not passed here (brief §6.7).
    """
    minimum = round_kopecks(Decimal(params.mrot) * Decimal(rate)
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

def average_daily_for_vacation(earnings, params, months_worked=12,
        partial_months=()):
    """The average daily earnings for annual leave.

    earnings of the 12 months before the leave ÷ (vacation_divisor × the
    fully worked months + the days of the partial months), where a partial
    month counts vacation_divisor ÷ its calendar days × the calendar days
    worked in it: partial_months is [(calendar_days, days_worked), …].
    With 12 full months this is earnings ÷ 12 ÷ 29.3.  Where the service's
    history is short, earnings and months come from the onboarded figures.
    """
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


def sick_pay_percent(insured_years):
    """The sick pay in percent of average earnings by insured service
    (255-ФЗ ст. 7): under 5 years 60, from 5 to under 8 80, from 8 on 100"""
    insured_years = Decimal(insured_years)
    if insured_years < 0:
        raise ValueError(f"insured_years {insured_years} is negative")
    return [p for since, p in SICK_PAY_PERCENTS if insured_years >= since][-1]


def sick_average_daily(earnings_prev_two_years, caps, params,
        rate=Decimal(1)):
    """The average daily earnings for sick pay (255-ФЗ ст. 14).

    The earnings of the two previous years, each capped at that year's
    contribution cap, ÷ 730, bounded by sick_daily_max and by
    sick_daily_min (МРОТ × 24 ÷ 730) × rate for a part-time employee (a
    rate above 1 keeps the full minimum).  caps default to the
    parameters' sick_earnings_caps.
    """
    caps = params.sick_earnings_caps if caps is None else caps
    if len(earnings_prev_two_years) != 2 or len(caps) != 2:
        raise ValueError("two years of earnings and two caps")
    total = sum((min(Decimal(e), Decimal(c))
            for e, c in zip(earnings_prev_two_years, caps)), ZERO)
    average = round_kopecks(total / SICK_PAY_PERIOD_DAYS)
    minimum = round_kopecks(
        params.sick_daily_min * min(Decimal(rate), Decimal(1)))
    return min(params.sick_daily_max, max(minimum, average))


def sick_daily_benefit(insured_years, earnings_prev_two_years, caps, params,
        rate=Decimal(1)):
    "The sick pay of one day: the bounded average × the percent of service"
    return round_kopecks(_percent(
            sick_average_daily(earnings_prev_two_years, caps, params, rate),
            sick_pay_percent(insured_years)))


def sick_pay_employer(days, insured_years, earnings_prev_two_years, caps,
        params, rate=Decimal(1)):
    """The employer's part of the sick pay of a case of `days` days: the
    first employer_sick_days days (3), the Social Fund pays the rest
    directly"""
    if days < 0:
        raise ValueError(f"days {days} is negative")
    employer_days = min(days, params.employer_sick_days)
    return round_kopecks(employer_days * sick_daily_benefit(
            insured_years, earnings_prev_two_years, caps, params, rate))


# --- A month of one employee -------------------------------------------------

ABSENCE_KINDS = {'vacation', 'sick', 'unpaid'}


@dataclass(frozen=True)
class Absence:
    """A period away from work, both dates included.

    A vacation carries its average daily earnings (the записка-расчет,
    from average_daily_for_vacation), a sick leave is one case: its first
    days are the employer's.
    """
    kind: str
    start: dt.date
    end: dt.date
    average_daily: Decimal = None

    def __post_init__(self):
        if self.kind not in ABSENCE_KINDS:
            raise ValueError(f"unknown absence kind {self.kind!r}")
        if self.end < self.start:
            raise ValueError(f"absence ends {self.end} before {self.start}")
        if self.kind == 'vacation' and self.average_daily is None:
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
    single_parent: bool = False  # the only parent: double child deductions
    guardian: bool = False  # guardian, trustee, foster parent (НК ст. 218)


# Line kinds: earnings make the gross; a tax deduction lowers the NDFL base
# only; a withholding is taken from the pay; employer charges are the
# institution's own expense.
EARNING, TAX_DEDUCTION, WITHHOLDING, EMPLOYER = (
    'earning', 'tax_deduction', 'withholding', 'employer')


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
       absence covers; salary, allowances and the classroom fee are paid
       for them, and the minimum-wage top-up is due on salary and
       allowances in the same proportion;
    2. vacation pay for the days of leave in the month (holidays excluded),
       sick pay for the employer's first days of each case in the month;
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

    salary = add('salary', EARNING, salary_for_time(
            facts.base_salary, rate, worked, norm),
        base_salary=facts.base_salary, rate=rate, days=worked, norm=norm)
    allowances = add('allowances', EARNING, salary_for_time(
            facts.allowances, 1, worked, norm),
        monthly=facts.allowances, days=worked, norm=norm)
    add('class_management', EARNING, class_management_pay(
            facts.class_management, params, worked, norm),
        classes=facts.class_management, fee=params.class_fee,
        days=worked, norm=norm)
    add('mrot_topup', EARNING, mrot_topup(
            salary, allowances, rate, params, worked, norm),
        mrot=params.mrot, rate=rate, days=worked, norm=norm)
    sick = ZERO
    for absence in facts.absences:
        if absence.kind == 'vacation':
            period = _overlap(absence.start, absence.end, *employed)
            if period:
                days = ((period[1] - period[0]).days + 1
                    - calendar.holidays_between(*period))
                add('vacation', EARNING,
                    vacation_pay(days, absence.average_daily),
                    days=days, average_daily=absence.average_daily,
                    start=absence.start, end=absence.end)
        elif absence.kind == 'sick':
            employer_end = min(absence.end, absence.start
                + dt.timedelta(days=params.employer_sick_days - 1))
            period = _overlap(absence.start, employer_end, *employed)
            if period:
                days = (period[1] - period[0]).days + 1
                daily = sick_daily_benefit(facts.insured_years,
                    facts.earnings_prev_two_years, None, params, rate)
                sick += add('sick_employer', EARNING, sick_pay_employer(
                        days, facts.insured_years,
                        facts.earnings_prev_two_years, None, params, rate),
                    days=days, daily=daily,
                    percent=sick_pay_percent(facts.insured_years),
                    start=absence.start, end=absence.end)
    gross = sum((line.amount for line in lines), ZERO)

    ytd = facts.ytd
    ytd_income = ytd.income + gross
    children = as_children(facts.children, facts.disabled_children)
    deduction = add('standard_deduction', TAX_DEDUCTION, child_deduction(
            children, first, ytd_income, params, facts.single_parent,
            facts.guardian),
        **child_deduction_basis(children, first, params,
            facts.single_parent, facts.guardian),
        ytd_income=ytd_income, income_cap=params.child_deduction_income_cap)
    ytd_deductions = ytd.deductions + deduction
    ytd_taxable = max(ZERO, ytd_income - ytd_deductions)
    ndfl = add('ndfl', WITHHOLDING, ndfl_cumulative(
            ytd_taxable, ytd.ndfl, params),
        ytd_taxable=ytd_taxable, ytd_withheld_before=ytd.ndfl)

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

    net = gross - ndfl
    month_advance = advance(facts.base_salary, rate, facts.allowances,
        worked_first_half, norm)
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
        final_payment=net - month_advance,
        contribution_base=contribution_base,
        contributions=month_contributions.total,
        accident_insurance=accident,
        ytd=YearToDate(
            income=ytd_income,
            deductions=ytd_deductions,
            ndfl=ytd.ndfl + ndfl,
            contribution_base=ytd.contribution_base + contribution_base))
