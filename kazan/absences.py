"""``kazan absences import FILE``: vacations, sick leaves and unpaid leaves
(interfaces.md §3, Absences).

read → check → write → report, like ``kazan plan import``:

- **read** the file with the one table reader (kazan_accounting.table: CSV
  ``;`` in UTF-8 or Windows-1251, or XLSX), one row per absence:
  ``inn;personnel_number;kind;date_from;date_to;certificate``.  A file
  that cannot be read, or whose header is not these columns, is bad usage;
- **check** every row, then against the database: the institution (by
  INN) and the employee (by personnel number), the kind, the dates, the
  certificate of a sick leave (kazan_payroll.absence.certificate_error),
  an overlap with another absence of the employee (in the file or
  recorded), a month whose payroll the institution has posted;
- **write** each institution's new absences in a transaction of its own,
  as the batch user (database.run, like the onboarding and the payroll).
  An institution with any problem is left whole as it was (all or
  nothing per institution); the others are written.  A row already
  recorded (same employee, kind, dates and certificate) changes nothing;
  ``dry_run`` checks everything and writes nothing;
- **report** the problems in Russian (the ir.messages of kazan_payroll)
  with their file, line, column and institution.
"""
import datetime as dt
import pathlib
from collections import defaultdict
from dataclasses import dataclass, field

from . import database, parallel
from .config import UsageError
from .progress import Progress

COLUMNS = ['inn', 'personnel_number', 'kind', 'date_from', 'date_to']
# A file of vacations and unpaid leaves only may leave the certificate out
OPTIONAL_COLUMNS = ['certificate']
MESSAGE = 'kazan_payroll.msg_absence_import_'


@dataclass
class Absence:
    "An absence as a row of the file gives it"
    line: int
    inn: str
    personnel_number: str
    kind: str
    start: dt.date
    end: dt.date
    certificate: str = None
    employee: int = None  # the id of the employee, once known
    recorded: bool = False  # already in the database as it is

    def key(self):
        "What makes it the same absence"
        return (self.employee, self.kind, self.start, self.end,
            self.certificate or None)


@dataclass
class Institution:
    "The rows of one institution: written together or not at all"
    inn: str
    company: int = None  # its id; None when no institution has the INN
    absences: list = field(default_factory=list)  # of Absence
    problems: list = field(default_factory=list)  # table.Problem
    failure: str = None  # why writing failed
    created: int = 0  # written (or, on a dry run, to be written)

    @property
    def new(self):
        return [a for a in self.absences if not a.recorded]

    @property
    def unchanged(self):
        return sum(1 for a in self.absences if a.recorded)

    @property
    def ok(self):
        return not (self.problems or self.failure)


@dataclass
class Result:
    "What an import did (or, on a dry run, would do)"
    file: pathlib.Path
    dry_run: bool = False
    institutions: list = field(default_factory=list)  # by INN
    problems: list = field(default_factory=list)  # rows of no valid INN

    @property
    def failed(self):
        "The institutions left as they were because of a problem"
        return [i for i in self.institutions if not i.ok]

    @property
    def ok(self):
        return not (self.problems or self.failed)

    @property
    def created(self):
        return sum(i.created for i in self.institutions if i.ok)

    @property
    def unchanged(self):
        return sum(i.unchanged for i in self.institutions if i.ok)

    def all_problems(self):
        "Every problem, in the order of the file"
        problems = self.problems + [p for i in self.institutions
            for p in i.problems]
        return sorted(problems, key=lambda p: (p.line or 0, p.column or ''))


def import_file(settings, path, *, dry_run=False):
    """Import the absences of the file at path; an institution with any
    problem is left as it was.  Raise UsageError when the file cannot be
    read or the database is not initialised"""
    path = pathlib.Path(path)
    result = Result(path, dry_run)
    unusable, result.institutions, result.problems = database.run(
        settings, lambda pool: check(pool, path), readonly=True)
    if unusable:
        raise UsageError('\n'.join(unusable
                + [f"{path}: файл не загружен, ничего не записано"]))
    tasks = [(i.inn, (i.company, [_values(a) for a in i.new]))
        for i in result.institutions if i.ok and i.new]
    if dry_run:
        for institution in result.institutions:
            institution.created = len(institution.new)
        return result
    by_inn = {i.inn: i for i in result.institutions}
    with Progress(len(tasks), "Загрузка отсутствий") as progress:
        for inn, created, error in parallel.each(settings, write, tasks):
            if error:
                by_inn[inn].failure = error
            else:
                by_inn[inn].created = created
            progress.step(inn)
    return result


def _values(absence):
    "What write needs of an absence (plain data, for a worker process)"
    return (absence.employee, absence.kind, absence.start, absence.end,
        absence.certificate or None)


def write(pool, company_id, absences):
    "Record the new absences of one institution; return how many"
    Absence = pool.get('kazan.payroll.absence')
    Absence.create([{
                'company': company_id, 'employee': employee, 'kind': kind,
                'start_date': start, 'end_date': end,
                'certificate': certificate,
                } for employee, kind, start, end, certificate in absences])
    return len(absences)


# -- reading and checking -----------------------------------------------------

def check(pool, path):
    """Read and check the file: return (the messages of a file that cannot
    be used, [Institution] by INN, the problems of rows of no valid INN),
    the problems' messages in the transaction's language"""
    from trytond.modules.kazan_accounting import table
    institutions, orphans = {}, []
    try:
        rows = table.read_table(path, COLUMNS, OPTIONAL_COLUMNS)
        # read again row by row: a file changed since stops here too
        for absence, problems in read_rows(rows):
            if absence.inn is None:
                orphans.extend(problems)
                continue
            institution = institutions.get(absence.inn)
            if institution is None:
                institution = institutions[absence.inn] = Institution(
                    absence.inn)
            institution.problems.extend(problems)
            if not problems:
                institution.absences.append(absence)
    except table.TableError as error:
        describe(error.problems)
        return [_format(p) for p in error.problems], [], []
    institutions = [institutions[inn] for inn in sorted(institutions)]
    check_database(pool, rows.name, institutions)
    describe(orphans)
    for institution in institutions:
        describe(institution.problems)
    return [], institutions, orphans


def read_rows(rows):
    """(Absence, [Problem]) of each row: its values parsed and checked by
    themselves (a value that is not valid None, the inn among them)"""
    from trytond.modules.kazan_accounting import table
    from trytond.modules.kazan_accounting.identifiers import organisation_inn
    from trytond.modules.kazan_payroll.absence import (
        ABSENCE_KINDS, certificate_error)
    parsers = {
        'inn': table.required(
            table.identifier(organisation_inn, 'invalid_inn')),
        'personnel_number': table.text,
        'kind': table.required(table.choice([k for k, _ in ABSENCE_KINDS])),
        'date_from': table.required(table.date),
        'date_to': table.required(table.date),
        'certificate': lambda value: value or None,
        }
    problems = []
    for row, values in table.parse_rows(rows, parsers, problems):
        row_problems, problems[:] = problems[:], []
        inn = values['inn']
        for parsed in row_problems:
            parsed.key, parsed.inn = MESSAGE + parsed.key, inn

        def problem(key, column, **params):
            row_problems.append(table.Problem(MESSAGE + key, row.file,
                    row.line, column, inn, row.values.get(column), params))
        absence = Absence(row.line, inn, values['personnel_number'],
            values['kind'], values['date_from'], values['date_to'],
            values['certificate'])
        if absence.start and absence.end and absence.end < absence.start:
            problem('dates_reversed', 'date_to', start=_date(absence.start))
        error = absence.kind and certificate_error(
            absence.kind, absence.certificate)
        if error:
            problem(error.replace('msg_absence_', ''), 'certificate',
                kind=absence.kind)
        yield absence, row_problems


def check_database(pool, filename, institutions):
    """Check the absences of each institution against the database and
    each other: add their problems, note the ids of the institutions and
    the employees and the absences already recorded"""
    from trytond.modules.kazan_accounting.table import Problem
    from trytond.transaction import Transaction
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    Absence = pool.get('kazan.payroll.absence')
    Run = pool.get('kazan.payroll.run')

    def problem(institution, absence, key, column, value, **params):
        institution.problems.append(Problem(MESSAGE + key, filename,
                absence.line, column, institution.inn, value, params))

    companies = {c.inn: c.id for c in Company.search([
                ('inn', 'in', [i.inn for i in institutions]),
                ])}
    for institution in institutions:
        institution.company = companies.get(institution.inn)
        if institution.company is None and institution.absences:
            first = institution.absences[0]
            problem(institution, first, 'unknown_institution', 'inn', None,
                count=len(institution.absences))
    known = [i for i in institutions if i.company and i.absences]
    if not known:
        return
    absences = [a for i in known for a in i.absences]
    with Transaction().set_context(active_test=False):
        employees = {(e.company.id, e.personnel_number): e.id
            for e in Employee.search([
                    ('company', 'in', [i.company for i in known]),
                    ('personnel_number', 'in', list(
                            {a.personnel_number for a in absences})),
                    ])}
    first = min(a.start for a in absences)
    last = max(a.end for a in absences)
    recorded = defaultdict(list)
    for other in Absence.search([
                ('employee', 'in', list(set(employees.values()))),
                ('start_date', '<=', last),
                ('end_date', '>=', first),
                ]):
        recorded[other.employee.id].append(other)
    posted = defaultdict(set)
    for run in Run.search([
                ('company', 'in', [i.company for i in known]),
                ('state', '=', 'posted'),
                ('month', '>=', first.replace(day=1)),
                ('month', '<=', last),
                ]):
        posted[run.company.id].add(run.month)

    for institution in known:
        in_file = defaultdict(list)
        for absence in institution.absences:
            absence.employee = employees.get(
                (institution.company, absence.personnel_number))
            if absence.employee is None:
                problem(institution, absence, 'unknown_employee',
                    'personnel_number', absence.personnel_number)
                continue
            others = [o for o in recorded[absence.employee]
                if o.start_date <= absence.end and o.end_date >= absence.start]
            if any(_key(o) == absence.key() for o in others):
                absence.recorded = True  # imported before: nothing to do
                continue
            closed = sorted(m for m in _months(absence.start, absence.end)
                if m in posted[institution.company])
            if closed:
                problem(institution, absence, 'posted', 'date_from',
                    _date(absence.start),
                    months=', '.join(f'{m:%m.%Y}' for m in closed))
            for other in others:
                problem(institution, absence, 'overlap', 'date_from',
                    _date(absence.start), start=_date(absence.start),
                    end=_date(absence.end), other_kind=other.kind_string,
                    employee=other.employee.rec_name,
                    other_start=_date(other.start_date),
                    other_end=_date(other.end_date))
            before = in_file[absence.employee]
            same = [b for b in before if b.key() == absence.key()]
            if same:
                problem(institution, absence, 'duplicate_row', None, None,
                    other_line=same[0].line)
                continue
            for other in before:
                if other.start <= absence.end and other.end >= absence.start:
                    problem(institution, absence, 'overlap_file',
                        'date_from', _date(absence.start),
                        start=_date(absence.start), end=_date(absence.end),
                        other_line=other.line)
            before.append(absence)


def _key(absence):
    "The key (Absence.key) of a recorded absence"
    return (absence.employee.id, absence.kind, absence.start_date,
        absence.end_date, absence.certificate or None)


def _months(start, end):
    "The first days of the months from start's to end's"
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + dt.timedelta(days=31)).replace(day=1)


def _date(value):
    return f'{value:%d.%m.%Y}'


def describe(problems):
    "Fill each problem's message (the ir.message of its key, in Russian)"
    from trytond.i18n import gettext
    for problem in problems:
        params = {'file': problem.file or '', 'line': problem.line or '',
            'column': problem.column or '', 'inn': problem.inn or '',
            'value': problem.value or ''}
        params.update({k: str(v) for k, v in problem.params.items()})
        key = problem.key
        if not key.startswith(MESSAGE):
            key = MESSAGE + key  # a problem of the table reader: its code
        problem.message = gettext(key, **params)


def _format(problem):
    "A problem of the file as a line: where it is, then what"
    where = problem.where()
    return f"{where}: {problem.message}" if where else problem.message
