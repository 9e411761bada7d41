"""``kazan onboard``: institutions from a batch, in a pipeline.

read (kazan.batch) → validate → onboard → report, each step over plain data:

- **validate** parses and checks every value of every table and collects
  every problem with its file, line, column, institution INN and value,
  before anything is written.  An institution with any problem is skipped
  whole; an institution already in the database (matched by INN) is left
  as it is.
- **onboard** sets up each valid institution in its own transaction: the
  institution and its ledger (kazan_accounting), its posted opening
  balance, its staff (kazan_payroll) and its director's user.  A crash
  leaves whole institutions or none; running the batch again finishes it.
- **report** prints the problems in Russian, writes the machine-readable
  report and the directors' credentials.
"""
import datetime as dt
import functools
import json
import os
import pathlib
import re
import secrets
from collections import OrderedDict, defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from . import database, parallel
from .batch import TABLES, BatchStructureError, read_batch
from .progress import Progress

LOGIN = re.compile(r'^[a-z0-9][a-z0-9._-]{2,63}$')
# Insured service beyond a working life is a typo (months, a date ...)
INSURED_YEARS_MAX = Decimal(70)


# -- problems and parsing values ----------------------------------------------
#
# Every input table (the plan import's too) is read, parsed and reported by
# the accounting module's table module: its cell parsers, Invalid and
# Problem.  Like every trytond module it is imported when first needed,
# once database.apply has configured trytond.

@functools.cache
def _table():
    "kazan_accounting.table"
    from trytond.modules.kazan_accounting import table
    return table


@functools.cache
def _amounts():
    "kazan_accounting.amounts: the digits an amount column may have"
    from trytond.modules.kazan_accounting import amounts
    return amounts


def Problem(*args, **kwargs):
    """A problem of the batch, key a msg_batch_ suffix: the table module's
    Problem(key, file, line, column, inn, value, params), made by a
    function as the class cannot be imported before trytond is configured"""
    return _table().Problem(*args, **kwargs)


def column_parsers(digits=None):
    """How each column is parsed: the table module's parsers, with the
    codes and bounds of the fields the values are written to.
    digits: (table, column) -> the integer digits of an amount column
    (known_from_database's, from the fields written; MONEY_DIGITS else)"""
    from trytond.modules.kazan_accounting import common
    from trytond.modules.kazan_accounting import identifiers as ids
    from trytond.modules.kazan_payroll import employee
    t = _table()
    digits = digits or {}

    def codes(selection):
        return t.choice([code for code, _ in selection])

    def money(table, column):
        return lambda value: t.amount(value, digits.get((table, column)))

    def optional_text(value):
        return t.text(value, required=False)
    return {
        'institutions': {
            'inn': t.identifier(ids.organisation_inn, 'invalid_inn'),
            'kpp': t.identifier(ids.kpp, 'invalid_kpp'),
            'ogrn': t.identifier(ids.ogrn, 'invalid_ogrn'),
            'short_name': t.text,
            'full_name': t.text,
            'kind': codes(common.INSTITUTION_KINDS),
            'legal_form': codes(common.LEGAL_FORMS),
            'founder': codes(common.FOUNDERS),
            'district': codes(common.DISTRICTS),
            'oktmo': t.identifier(ids.oktmo, 'invalid_oktmo'),
            'personal_accounts': lambda v: [
                n.strip() for n in v.split('|') if n.strip()],
            'director': t.text,
            'director_login': login,
            'chief_accountant': optional_text,
            'accident_rate': lambda v: t.ranged(v,
                common.ACCIDENT_RATE_MIN, common.ACCIDENT_RATE_MAX),
            'start_date': month_start,
            },
        'opening_balances': {
            'inn': t.text,
            'account': t.text,
            'kfo': t.choice(common.KFO_CODES),
            'debit': money('opening_balances', 'debit'),
            'credit': money('opening_balances', 'credit'),
            },
        'employees': {
            'inn': t.text,
            'personnel_number': t.text,
            'last_name': t.text,
            'first_name': t.text,
            'patronymic': optional_text,
            'snils': t.identifier(ids.snils, 'invalid_snils'),
            'employee_inn': t.optional(
                t.identifier(ids.personal_inn, 'invalid_personal_inn')),
            'birth_date': t.date,
            'hire_date': t.date,
            'position': t.text,
            'category': codes(employee.STAFF_CATEGORIES),
            'rate': rate,
            'base_salary': money('employees', 'base_salary'),
            'allowances': money('employees', 'allowances'),
            'class_management': lambda v: t.ranged(
                v, 0, employee.CLASS_MANAGEMENT_MAX, t.integer),
            # empty when children_birth_dates gives them (check_children)
            'children': t.optional(t.integer),
            'disabled_children': t.integer,
            'kfo': codes(employee.PAY_KFO),
            'ytd_income': money('employees', 'ytd_income'),
            'ytd_deductions': money('employees', 'ytd_deductions'),
            'ytd_ndfl': money('employees', 'ytd_ndfl'),
            'ytd_contribution_base': money(
                'employees', 'ytd_contribution_base'),
            # optional columns (kazan.batch.OPTIONAL_COLUMNS)
            'bank_bic': t.optional(t.identifier(ids.bic, 'invalid_bic')),
            'bank_account': t.optional(
                t.identifier(ids.bank_account, 'invalid_bank_account')),
            'insured_years': insured_years,
            'earnings_prev_year': money('employees', 'earnings_prev_year'),
            'earnings_prev_year2': money('employees', 'earnings_prev_year2'),
            'children_birth_dates': birth_dates,
            'students': lambda v: t.integer(v) if v else 0,
            'additional_work': money('employees', 'additional_work'),
            # empty: the whole ytd_income (kazan_payroll create_staff)
            'ytd_average_earnings': t.optional(
                money('employees', 'ytd_average_earnings')),
            'ytd_excluded_days': lambda v: t.integer(v) if v else 0,
            },
        }


def rate(value):
    "A share of a full rate, 0.1 to 2.0, to a thousandth (kazan_payroll)"
    from trytond.modules.kazan_payroll.employee import RATE_MAX, RATE_MIN
    t = _table()
    result = t.ranged(value, RATE_MIN, RATE_MAX)
    if result != result.quantize(Decimal('0.001')):
        raise t.Invalid('rate_decimals')
    return result


def insured_years(value):
    "Years of insured service, 0 to 70, to a tenth (empty is 0)"
    if not value:
        return Decimal('0.0')
    t = _table()
    result = t.ranged(value, Decimal(0), INSURED_YEARS_MAX)
    if result != result.quantize(Decimal('0.1')):
        raise t.Invalid('insured_years_decimals')
    return result.quantize(Decimal('0.1'))


def birth_dates(value):
    """The children's birth dates, eldest first, separated by '|'
    (interfaces.md §2); empty is None: the counts alone, as before"""
    t = _table()
    if not value:
        return None
    try:
        dates = [t.date(d.strip()) for d in value.split('|')]
    except t.Invalid:
        raise t.Invalid('invalid_children_birth_dates')
    if dates != sorted(dates):
        raise t.Invalid('children_birth_dates_order')
    return dates


def check_children(row, values, start, problems):
    """The children of an employee row, checked; put in values as the
    staff record takes them (children_records, children,
    disabled_children).

    Without children_birth_dates the counts are as before: ``children``
    is required, ``students`` must be 0.  With them (НК ст. 218 п. 1
    пп. 4): every child is recorded, grown-up ones too; ``students`` marks
    the youngest that many of the children aged 18 to 24 on start_date as
    full-time students; ``children``, when given, must be the number of
    children entitled in start_date's year; ``disabled_children`` marks
    the youngest entitled children disabled (the amount of a disabled
    child does not depend on its place, and the youngest are the likeliest
    to be under 18, where no disability group is asked).
    """
    from trytond.modules.kazan_payroll import rules
    inn = row.values.get('inn') or None
    dates = values['children_birth_dates']
    children, disabled = values['children'], values['disabled_children']
    students = values['students']

    def problem(key, column, **params):
        problems.append(Problem(key, row.file, row.line, column, inn,
                row.values[column], params))
    if row.values['children_birth_dates'] and dates is None:
        return  # not dates: named by the parser
    if not dates:
        if children is None and not row.values['children']:
            problem('required', 'children')
        if students:
            problem('students_exceed', 'students', count=0)
        return
    if start is None:  # the institution's own problems are named
        return
    if dates[-1] > start:
        problem('child_born_after_start', 'children_birth_dates',
            date=dates[-1].isoformat(), start=start.isoformat())
        return

    def age(born):
        return start.year - born.year - (
            (start.month, start.day) < (born.month, born.day))
    young_adults = [i for i, d in enumerate(dates)
        if rules.CHILD_AGE <= age(d) <= rules.STUDENT_AGE]
    if students is not None and students > len(young_adults):
        problem('students_exceed', 'students', count=len(young_adults))
        return
    studying = set(young_adults[len(young_adults) - (students or 0):])
    records = [{'birth_date': d, 'student': i in studying, 'disabled': False}
        for i, d in enumerate(dates)]
    entitled = [r for r in records if rules.child_entitled(
            rules.Child(r['birth_date'], r['student']), start.year)]
    if children is not None and children != len(entitled):
        problem('children_count_mismatch', 'children', year=start.year,
            entitled=len(entitled))
        return
    if disabled is not None and disabled > len(entitled):
        if children is None:  # else named against children already
            problem('disabled_children_exceed_entitled',
                'disabled_children', year=start.year,
                entitled=len(entitled))
        return
    for record in entitled[len(entitled) - (disabled or 0):]:
        record['disabled'] = True
    values['children_records'] = records
    values['children'] = len(entitled)


def check_average(row, values, start, problems):
    """What the onboarded year-to-date income holds for the vacation
    average (Положение № 922 пп. 5, 10): the earnings for the average are
    part of ytd_income, the excluded days within 1 January to start_date"""
    inn = row.values.get('inn') or None
    earnings, income = values['ytd_average_earnings'], values['ytd_income']
    if earnings is not None and income is not None and earnings > income:
        problems.append(Problem('ytd_average_exceeds_income', row.file,
                row.line, 'ytd_average_earnings', inn,
                row.values['ytd_average_earnings'], {'income': income}))
    days = values['ytd_excluded_days']
    if start is not None and days is not None:
        period = (start - start.replace(month=1, day=1)).days
        if days > period:
            problems.append(Problem('ytd_excluded_days_exceed', row.file,
                    row.line, 'ytd_excluded_days', inn,
                    row.values['ytd_excluded_days'], {'days': period}))


def bank_details_problem(row, values):
    """The problem of the salary card of an employee row, if any: the БИК
    and the account go together, and the account's control key matches
    the БИК (each value's own format is checked by its parser)"""
    from trytond.modules.kazan_accounting import identifiers as ids
    raw_bic, raw_account = row.values['bank_bic'], row.values['bank_account']
    inn = row.values.get('inn') or None
    if bool(raw_bic) != bool(raw_account):
        column = 'bank_account' if raw_bic else 'bank_bic'
        return Problem('bank_details_incomplete', row.file, row.line,
            column, inn, '')
    bic, account = values['bank_bic'], values['bank_account']
    if bic and account:
        try:
            ids.bank_account(account, bic)
        except ids.InvalidIdentifier:
            return Problem('bank_account_key', row.file, row.line,
                'bank_account', inn, raw_account, {'bic': bic})


def login(value):
    t = _table()
    if not value:
        raise t.Invalid('required')
    if not LOGIN.match(value):
        raise t.Invalid('invalid_login')
    return value


def month_start(value):
    t = _table()
    result = t.date(value)
    if result.day != 1:
        raise t.Invalid('start_date_not_month_start')
    return result


# -- validation --------------------------------------------------------------

# The amount columns of the batch and the fields they are written to
AMOUNT_FIELDS = {
    ('opening_balances', 'debit'): ('account.move.line', 'debit'),
    ('opening_balances', 'credit'): ('account.move.line', 'credit'),
    **{('employees', c): ('company.employee', c) for c in [
            'base_salary', 'allowances', 'ytd_income', 'ytd_deductions',
            'ytd_ndfl', 'ytd_contribution_base', 'earnings_prev_year',
            'earnings_prev_year2', 'additional_work',
            'ytd_average_earnings']},
    }
# The identifiers of a person: one employee per institution has each, and
# in two institutions each is the same person's
PERSON_IDS = ['snils', 'employee_inn', 'bank_account']


@dataclass
class Person:
    "Whose an identifier is: the institution, where, the name and birth"
    inn: str
    line: int  # of employees.csv, None for the database
    name: str  # 'Last First Patronymic', compared case- and ё-blind
    birth_date: dt.date

    def same(self, other):
        return (_name_key(self.name), self.birth_date) == (
            _name_key(other.name), other.birth_date)


def _name_key(name):
    return ' '.join((name or '').split()).casefold().replace('ё', 'е')


@dataclass
class Known:
    "What the database already holds, that the batch is checked against"
    inns: set
    logins: set
    postable: dict  # legal form -> set of postable account codes
    # (table, column) -> integer digits its field and the database hold
    digits: dict = field(default_factory=dict)
    # (column of PERSON_IDS, value) -> Person of the database's employees
    people: dict = field(default_factory=dict)


@dataclass
class Institution:
    "One institution of the batch and what onboarding would write"
    inn: str
    name: str = None
    line: int = None
    status: str = 'ready'  # ready, exists, invalid, onboarded, failed
    values: dict = None
    opening_balance: list = field(default_factory=list)
    staff: list = field(default_factory=list)
    director: dict = None
    problems: list = field(default_factory=list)
    counts: dict = None  # what onboarding wrote


@dataclass
class Plan:
    institutions: dict = field(default_factory=OrderedDict)  # inn -> ...
    problems: list = field(default_factory=list)  # of no institution

    @property
    def all_problems(self):
        problems = list(self.problems)
        for institution in self.institutions.values():
            problems.extend(institution.problems)
        return problems


def parse_rows(rows, parsers, problems):
    "Parse every column of every row; collect problems; yield (row, values)"
    return _table().parse_rows(rows, parsers, problems)


def validate(batch, known):
    "Check everything; return the Plan (nothing is written)"
    parsers = column_parsers(known.digits)
    plan = Plan()

    # institutions.csv
    problems = []
    seen_logins = {}
    for row, values in parse_rows(
            batch.tables['institutions'], parsers['institutions'],
            problems):
        inn = row.values['inn']
        if inn in plan.institutions:
            first = plan.institutions[inn]
            problem = Problem('duplicate_inn', row.file, row.line, 'inn',
                inn, inn, {'line': first.line})
            first.problems.append(problem)
            continue
        institution = Institution(inn=inn, name=row.values['short_name'],
            line=row.line)
        plan.institutions[inn] = institution
        if inn in known.inns:
            institution.status = 'exists'
            continue
        login = values['director_login']
        if login:
            if login in known.logins:
                problems.append(Problem('login_taken', row.file, row.line,
                        'director_login', inn, login))
            elif login in seen_logins:
                problems.append(Problem('duplicate_login', row.file,
                        row.line, 'director_login', inn, login,
                        {'line': seen_logins[login]}))
            else:
                seen_logins[login] = row.line
        institution.values = {
            'name': values['short_name'],
            'full_name': values['full_name'],
            'inn': values['inn'], 'kpp': values['kpp'],
            'ogrn': values['ogrn'], 'oktmo': values['oktmo'],
            'institution_kind': values['kind'],
            'legal_form': values['legal_form'],
            'founder': values['founder'], 'district': values['district'],
            'director': values['director'],
            'chief_accountant': values['chief_accountant'],
            'accident_rate': values['accident_rate'],
            'service_start_date': values['start_date'],
            'personal_accounts': values['personal_accounts'] or [],
            'default_kfo': '4',
            }
        institution.director = {
            'login': login, 'name': values['director']}
    _attach(plan, problems)

    # opening_balances.csv
    problems = []
    sums = defaultdict(lambda: [Decimal(0), Decimal(0), []])
    totals = Totals(known.digits)
    for row, values, institution in rows_of_institutions(
            plan, batch, 'opening_balances', parsers, problems):
        inn = institution.inn
        legal_form = (institution.values or {}).get('legal_form')
        account = values['account']
        if account and legal_form and account not in known.postable.get(
                legal_form, ()):
            problems.append(Problem('unknown_account', row.file, row.line,
                    'account', inn, account))
        debit, credit = values['debit'], values['credit']
        if debit and credit:
            problems.append(Problem('debit_and_credit', row.file,
                    row.line, 'credit', inn, row.values['credit']))
        totals.add(row, values, 'opening_balances', ['debit', 'credit'],
            problems)
        if values['kfo'] and debit is not None and credit is not None:
            total = sums[(inn, values['kfo'])]
            total[0] += debit
            total[1] += credit
            total[2].append(row.line)
            institution.opening_balance.append({
                    'account': account, 'kfo': values['kfo'],
                    'debit': debit, 'credit': credit})
    for (inn, kfo), (debit, credit, lines) in sorted(sums.items()):
        if debit != credit:
            problems.append(Problem('unbalanced_kfo',
                    batch.files['opening_balances'], lines[0], 'kfo', inn,
                    kfo, {'kfo': kfo, 'debit': debit, 'credit': credit,
                        'difference': debit - credit,
                        'lines': _ranges(lines)}))
    _attach(plan, problems)

    # employees.csv
    problems = []
    numbers = {}
    totals = Totals(known.digits)
    people = People(known.people)
    for row, values, institution in rows_of_institutions(
            plan, batch, 'employees', parsers, problems):
        inn = institution.inn
        number = values['personnel_number']
        if number:
            if (inn, number) in numbers:
                problems.append(Problem('duplicate_personnel_number',
                        row.file, row.line, 'personnel_number', inn,
                        number, {'line': numbers[(inn, number)]}))
            else:
                numbers[(inn, number)] = row.line
        children, disabled = values['children'], values['disabled_children']
        if children is not None and disabled is not None \
                and disabled > children:
            problems.append(Problem('disabled_children_exceed', row.file,
                    row.line, 'disabled_children', inn,
                    row.values['disabled_children'], {'children': children}))
        start = (institution.values or {}).get('service_start_date')
        hired = values['hire_date']
        if start and hired and hired > start:
            problems.append(Problem('hire_after_start', row.file, row.line,
                    'hire_date', inn, row.values['hire_date'],
                    {'start': start.isoformat()}))
        born = values['birth_date']
        if born and hired and born >= hired:
            problems.append(Problem('birth_after_hire', row.file, row.line,
                    'birth_date', inn, row.values['birth_date']))
        problem = bank_details_problem(row, values)
        if problem:
            problems.append(problem)
        check_children(row, values, start, problems)
        check_average(row, values, start, problems)
        totals.add(row, values, 'employees', [c for t, c in AMOUNT_FIELDS
                if t == 'employees'], problems)
        people.add(row, values, inn, problems)
        institution.staff.append(dict(values, ytd_date=start))
    _attach(plan, problems)

    for institution in plan.institutions.values():
        if institution.status == 'ready' and institution.problems:
            institution.status = 'invalid'
    return plan


class Totals:
    """The sums of an institution's amount columns, each within the
    digits of its field: a sum the database cannot hold (or, on SQLite,
    add exactly) is a problem at the line that makes it too large"""

    def __init__(self, digits):
        self.digits = digits
        self.sums = defaultdict(Decimal)
        self.reported = set()

    def add(self, row, values, table, columns, problems):
        amounts = _amounts()
        inn = row.values['inn']
        for column in columns:
            value = values[column]
            if not value or (inn, column) in self.reported:
                continue
            total = self.sums[inn, column] = self.sums[inn, column] + value
            digits = self.digits.get((table, column),
                amounts.MONEY_DIGITS[0])
            if not amounts.within_digits(total, digits):
                self.reported.add((inn, column))
                problems.append(Problem('total_too_large', row.file,
                        row.line, column, inn, row.values[column],
                        {'digits': digits}))


class People:
    """The identifiers of the persons employed (PERSON_IDS): each once in
    an institution; in another institution, of the batch or the database,
    only the same person's (same name and birth date)"""

    def __init__(self, known):
        self.known = known  # (column, value) -> Person, of the database
        self.seen = {}  # (column, value) -> {inn: Person}

    def add(self, row, values, inn, problems):
        person = Person(inn, row.line, ' '.join(filter(None, (
                        values['last_name'], values['first_name'],
                        values['patronymic']))), values['birth_date'])
        for column in PERSON_IDS:
            value = values[column]
            if not value:
                continue
            raw = row.values[column]
            where = self.seen.setdefault((column, value), {})
            first = where.get(inn)
            if first is not None:
                problems.append(Problem('duplicate_person_id', row.file,
                        row.line, column, inn, raw, {'line': first.line}))
                continue
            other = next((p for p in where.values()
                    if not p.same(person)), None)
            if other is not None:
                problems.append(Problem('other_person_in_batch', row.file,
                        row.line, column, inn, raw,
                        {'line': other.line, 'other': other.inn}))
            else:
                other = self.known.get((column, value))
                if other is not None and not other.same(person):
                    problems.append(Problem('other_person_in_database',
                            row.file, row.line, column, inn, raw,
                            {'other': other.inn}))
            where[inn] = person


def rows_of_institutions(plan, batch, table, parsers, problems):
    """The parsed rows of a table that refers to institutions, with the
    institution they belong to; a row of an unknown INN is a problem, a row
    of an institution already in the database is passed over"""
    for row, values in parse_rows(
            batch.tables[table], parsers[table], problems):
        inn = row.values['inn']
        institution = plan.institutions.get(inn)
        if institution is None:
            problems.append(Problem('unknown_institution', row.file,
                    row.line, 'inn', inn or None, inn))
        elif institution.status != 'exists':
            yield row, values, institution


def _attach(plan, problems):
    "Give each problem to its institution (by INN), else to the batch"
    for problem in problems:
        institution = plan.institutions.get(problem.inn)
        if institution is not None:
            if institution.status != 'exists':
                institution.problems.append(problem)
        else:
            plan.problems.append(problem)


def _ranges(lines):
    "1, 2, 3, 7 -> '1–3, 7'"
    parts, start, last = [], None, None
    for line in sorted(lines):
        if start is None:
            start = last = line
        elif line == last + 1:
            last = line
        else:
            parts.append(f'{start}–{last}' if last > start else str(start))
            start = last = line
    if start is not None:
        parts.append(f'{start}–{last}' if last > start else str(start))
    return ', '.join(parts)


def known_from_database(pool):
    "The INNs, logins and postable accounts of the charts in the database"
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Template = pool.get('account.account.template')
    ModelData = pool.get('ir.model.data')
    inns = {c.inn for c in Company.search([('inn', '!=', None)])}
    logins = {u.login for u in User.search([
                ('active', 'in', [True, False])])}
    postable = {}
    for legal_form, xml_id in [
            ('budgetary', 'account_template_root_budgetary'),
            ('autonomous', 'account_template_root_autonomous')]:
        root = ModelData.get_id('kazan_accounting', xml_id)
        postable[legal_form] = {t.code for t in Template.search([
                    ('parent', 'child_of', [root]),
                    ('type', '!=', None),
                    ('code', '!=', None),
                    ])}
    return Known(inns, logins, postable, amount_digits(pool),
        people_from_database(pool))


def amount_digits(pool):
    """(table, column) -> the integer digits an amount column may have:
    those of the field it is written to (company.employee: Numeric(16, 2);
    account.move.line's debit and credit take theirs from the currency,
    which leaves the integer part open: the modules' MONEY_DIGITS), and on
    SQLite no more than its floating-point sums keep exact"""
    from trytond import backend
    from trytond.modules.kazan_accounting.amounts import storable_digits
    return {key: storable_digits(
            pool.get(model)._fields[name].digits, backend.name)
        for key, (model, name) in AMOUNT_FIELDS.items()}


def people_from_database(pool):
    """(column of PERSON_IDS, value) -> Person of every employee of the
    database, dismissed ones included (a person's identifiers stay theirs);
    in one query (python-sql), the service holds tens of thousands"""
    from sql import Null

    from trytond.transaction import Transaction
    employee = pool.get('company.employee').__table__()
    party = pool.get('party.party').__table__()
    company = pool.get('company.company').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*employee
        .join(party, condition=employee.party == party.id)
        .join(company, condition=employee.company == company.id)
        .select(employee.snils, employee.personal_inn,
            employee.bank_account, employee.birth_date, party.name,
            company.inn,
            where=(employee.snils != Null)
            | (employee.personal_inn != Null)
            | (employee.bank_account != Null)))
    people = {}
    for snils, personal_inn, account, born, name, inn in cursor:
        if isinstance(born, str):
            born = dt.date.fromisoformat(born)
        person = Person(inn, None, name, born)
        for column, value in zip(PERSON_IDS, (snils, personal_inn, account)):
            if value:
                people.setdefault((column, value), person)
    return people


def describe(problems, context=None):
    "Fill each problem's message in Russian (ir.message of the modules)"
    from trytond.i18n import gettext
    for problem in problems:
        params = {'file': problem.file or '', 'line': problem.line or '',
            'column': problem.column or '', 'inn': problem.inn or '',
            'value': problem.value if problem.value is not None else ''}
        params.update({k: _text(v) for k, v in problem.params.items()})
        problem.message = gettext(
            f'kazan_accounting.msg_batch_{problem.key}', **params)


def _text(value):
    if isinstance(value, Decimal):
        return f'{value:.2f}'
    return str(value)


# -- onboarding ---------------------------------------------------------------

def new_password(pool, login, name):
    "A random password that passes the server's [password] rules"
    User = pool.get('res.user')

    class Candidate:
        pass
    candidate = Candidate()
    candidate.login, candidate.name, candidate.email = login, name, None
    while True:
        password = secrets.token_urlsafe(12)  # 16 characters
        try:
            User.validate_password(password, [candidate])
        except Exception:
            continue
        return password


def onboard_institution(pool, institution):
    """Set up one institution with its ledger, staff and director (in the
    caller's transaction); return the counts and the director's password"""
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    values = dict(institution.values,
        opening_balance=institution.opening_balance)
    company, = Company.setup_institutions([values])
    employees = Employee.create_staff(company.id, institution.staff)
    password = new_password(pool, institution.director['login'],
        institution.director['name'])
    User.create_service_users([{
                'login': institution.director['login'],
                'name': institution.director['name'],
                'role': 'director',
                'companies': [company.id],
                'password': password,
                }])
    return {
        'company': company.id,
        'employees': len(employees),
        'opening_lines': len(institution.opening_balance),
        'password': password,
        }


# -- the command --------------------------------------------------------------

class Credentials:
    """The directors' logins and initial passwords, in a file only its
    owner can read, created (mode 0600) when the first user is"""

    def __init__(self, path):
        self.path = path
        self.file = None

    def add(self, inn, login, password):
        if self.path is None:
            return
        if self.file is None:
            new = not os.path.exists(self.path)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                0o600)
            os.fchmod(fd, 0o600)
            self.file = os.fdopen(fd, 'a', encoding='utf-8', newline='')
            if new:
                self.file.write('inn;login;password\n')
        self.file.write(f'{inn};{login};{password}\n')
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self):
        if self.file is not None:
            self.file.close()


@dataclass
class Result:
    "What a batch run did, for its caller to report"
    batch: pathlib.Path
    dry_run: bool = False
    stopped: object = None  # the Problem of a batch that cannot be read
    plan: Plan = None
    problems: list = field(default_factory=list)  # all, in reading order
    ready: list = field(default_factory=list)     # [Institution] to onboard
    existing: list = field(default_factory=list)  # already in the database
    invalid: list = field(default_factory=list)   # skipped for problems
    single_process: bool = False  # --jobs asked for, but on SQLite

    @property
    def onboarded(self):
        return [i for i in self.ready if i.status == 'onboarded']

    @property
    def failed(self):
        "Institutions whose writing failed, each with its error"
        return [i for i in self.ready if i.status == 'failed']

    @property
    def ok(self):
        return not (self.stopped or self.invalid or self.failed
            or self.plan.problems)

    @property
    def unchanged(self):
        "A re-run: everything was there already"
        return (not self.ready and self.existing and not self.invalid
            and not self.plan.problems)


def run_batch(settings, folder, *, dry_run=False, jobs=1, report=None,
        credentials=None):
    """Read and validate the batch in folder and, unless dry_run, onboard
    its valid new institutions (in ``jobs`` processes on PostgreSQL);
    write the JSON report and the directors' credentials to the files
    given; return the Result"""
    folder = pathlib.Path(folder)
    result = Result(folder, dry_run)
    # trytond configured before the reader imports the module's table
    database.apply(settings)

    def check(pool):
        plan = validate(batch, known_from_database(pool))
        describe(plan.all_problems)
        return plan
    try:
        batch = read_batch(folder)
        # the tables are read again as validation goes: a file changed
        # since stops the batch the same way
        plan = database.run(settings, check, readonly=True)
    except BatchStructureError as error:
        problem = Problem(error.key, error.params.get('file'),
            error.params.get('line'), error.params.get('column'),
            params=error.params)
        database.run(settings, lambda pool: describe([problem]),
            readonly=True)
        result.stopped = problem
        _write_report(report, folder, None, [problem])
        return result

    result.plan = plan
    result.problems = sorted(plan.all_problems, key=_reading_order)
    for institution in plan.institutions.values():
        if institution.status == 'ready':
            result.ready.append(institution)
        elif institution.status == 'exists':
            result.existing.append(institution)
        elif institution.status == 'invalid':
            result.invalid.append(institution)
    if not dry_run:
        _onboard(settings, result, jobs, credentials)
    _write_report(report, folder, plan, plan.problems, dry_run=dry_run)
    return result


def _onboard(settings, result, jobs, credentials_file):
    "Onboard the ready institutions, each in a transaction of its own"
    usable = parallel.usable_jobs(settings, jobs)
    result.single_process = usable < (jobs or 1)
    credentials = Credentials(credentials_file)
    by_inn = {i.inn: i for i in result.ready}
    tasks = [(i.inn, (i,)) for i in result.ready]
    try:
        with Progress(len(tasks), "Подключение учреждений") as progress:
            for inn, counts, error in parallel.each(
                    settings, onboard_institution, tasks, usable):
                progress.step(inn)
                institution = by_inn[inn]
                if error is None:
                    institution.status = 'onboarded'
                    credentials.add(inn, institution.director['login'],
                        counts.pop('password'))
                    institution.counts = counts
                else:
                    institution.status = 'failed'
                    institution.problems.append(Problem(
                            'write_failed', inn=inn, message=error,
                            params={'error': error}))
    finally:
        credentials.close()


def _reading_order(problem):
    "Problems as one reads the batch: by table, line and column"
    tables = [f'{name}.' for name in TABLES]
    table = next((i for i, t in enumerate(tables)
            if (problem.file or '').startswith(t)), len(tables))
    return table, problem.line or 0, problem.column or ''


def format_problem(problem):
    "A problem as the command prints it"
    where = problem.where()
    inn = f"ИНН {problem.inn}: " if problem.inn else ''
    value = (f"«{problem.value}»: " if problem.value not in (None, '')
        else '')
    return f"{where}: {inn}{value}{problem.message}"


def _write_report(path, batch, plan, problems, dry_run=False):
    "The machine-readable report: one entry per institution"
    if not path:
        return

    def problem_entry(problem):
        entry = asdict(problem)
        entry['params'] = {k: _text(v) for k, v in problem.params.items()}
        return entry
    institutions = []
    for institution in (plan.institutions.values() if plan else []):
        institutions.append({
                'inn': institution.inn,
                'name': institution.name,
                'status': ('would_onboard' if dry_run
                    and institution.status == 'ready'
                    else institution.status),
                'counts': institution.counts or {
                    'employees': len(institution.staff),
                    'opening_lines': len(institution.opening_balance),
                    },
                'errors': [problem_entry(p) for p in institution.problems],
                })
    report = {
        'batch': str(batch),
        'dry_run': dry_run,
        'institutions': institutions,
        'errors': [problem_entry(p) for p in problems],
        }
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
        f.write('\n')
