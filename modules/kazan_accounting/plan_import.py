# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Importing plans of financial and economic activity (ПФХД) from a file.

A plan file is a table (kazan_accounting.table: CSV in UTF-8 or
Windows-1251 with ``;`` or ``,``, or XLSX; a header row; decimal point or
comma) with one row per plan line.  Column order is free; unknown columns
are an error so that typos are caught.  A row with an amendment number
belongs to that amendment (its date in amendment_date), the others to the
plan as approved.  Reading is pure (no database): it returns the plans and
every problem with its file, line and column, and the caller writes
nothing when there is any.  The client's wizard and ``kazan plan import``
both read files here and write them with ``kazan.plan``'s import_data.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from . import model, table
from .amounts import storable_digits
from .exceptions import PlanImportError
from .identifiers import organisation_inn
from .model import describe_problem
from .plan import SECTIONS, Line, LineData, line_error, section_of_kosgu

PLAN_FILE_COLUMNS = [
    'inn', 'year', 'kfo', 'line_code', 'kvr', 'kosgu', 'amount']
PLAN_FILE_OPTIONAL_COLUMNS = ['amendment', 'amendment_date', 'section']
SECTION_CODES = [code for code, _ in SECTIONS]

# The message of each code of the table's cell parsers (the reader's own
# problems are msg_plan_import_<code>)
_PARSER_MESSAGES = {
    'required': 'msg_plan_import_required',
    'invalid_inn': 'msg_plan_import_invalid_inn',
    'invalid_integer': 'msg_plan_import_invalid_year',
    'invalid_number': 'msg_plan_import_invalid_amount',
    'amount_too_large': 'msg_plan_import_amount_too_large',
    'invalid_date': 'msg_plan_import_invalid_date',
    'invalid_choice': 'msg_plan_import_invalid_section',
    }

# The column a line_error() message is about
_CODE_COLUMNS = {
    'msg_plan_kfo_invalid': 'kfo',
    'msg_plan_kosgu_invalid': 'kosgu',
    'msg_plan_kvr_invalid': 'kvr',
    'msg_plan_kosgu_no_section': 'kosgu',
    'msg_plan_section_kosgu': 'section',
    'msg_plan_kvr_required': 'kvr',
    'msg_plan_amount_negative': 'amount',
    'msg_plan_amount_digits': 'amount',
    }


@dataclass
class AmendmentData:
    number: str
    date: dt.date
    line: int  # the file's first line of the amendment
    lines: list = field(default_factory=list)  # of LineData


@dataclass
class PlanData:
    "The plan of one institution and year as a file gives it"
    inn: str
    year: int
    file: str
    line: int  # the file's first line of the plan
    lines: list = field(default_factory=list)  # of LineData
    amendments: dict = field(default_factory=dict)  # number -> AmendmentData


def read_plan_file(data, filename, year=None, company_inn=None):
    """Read the plans of a file (bytes): return (plans, problems), the
    problems table.Problems keyed by their message ids.

    year, when given, is the year of rows that leave it empty, and rows of
    another year are an error.  company_inn, when given, is the only
    institution the file may name (an empty inn means it); otherwise every
    row names its institution.  plans are PlanData sorted by INN and year;
    nothing may be written from them when there is any problem."""
    try:
        rows = table.read_table(data, PLAN_FILE_COLUMNS,
            PLAN_FILE_OPTIONAL_COLUMNS, name=filename)
    except table.TableError as error:
        for problem in error.problems:
            problem.key = 'msg_plan_import_' + problem.key
        return [], error.problems

    problems = []
    plans = {}
    for row in rows:
        values, line = row.values, row.line
        row_problems = []
        parsed = _parse_row(values, filename, line, year, company_inn,
            row_problems)
        problems.extend(row_problems)
        if row_problems:
            continue
        inn, row_year, amendment, amendment_date, line_data = parsed
        plan = plans.get((inn, row_year))
        if plan is None:
            plan = plans[inn, row_year] = PlanData(
                inn, row_year, filename, line)
        if amendment:
            data = plan.amendments.get(amendment)
            if data is None:
                data = plan.amendments[amendment] = AmendmentData(
                    amendment, amendment_date, line)
            elif data.date != amendment_date:
                problems.append(table.Problem(
                        'msg_plan_import_amendment_date_conflict',
                        filename, line, 'amendment_date', inn,
                        values['amendment_date'], {
                            'number': amendment, 'first': data.line}))
                continue
            lines = data.lines
        else:
            lines = plan.lines
        if any(l[:5] == line_data[:5] for l in lines):
            problems.append(table.Problem('msg_plan_import_duplicate_line',
                    filename, line, inn=inn))
            continue
        lines.append(line_data)
    for plan in plans.values():
        plan.lines.sort()
        for amendment in plan.amendments.values():
            amendment.lines.sort()
    return [plans[k] for k in sorted(plans)], problems


def _amount(value):
    """An amount of a plan line (table.amount), within what Line.amount
    holds in this database; an amendment's may be negative and its
    decimals are line_error's to check, with the form's words"""
    from trytond import backend
    digits = storable_digits(Line.amount.digits, backend.name)
    return table.amount(value, digits, negative=True, decimals=None)


def _parse_row(values, filename, line, year, company_inn, problems):
    "(inn, year, amendment, amendment date, LineData) of a row, or None"
    def problem(key, column, **params):
        problems.append(table.Problem(key, filename, line, column,
                values.get('inn') or company_inn, values.get(column, ''),
                params))

    def parse(column, parser):
        try:
            return parser(values[column])
        except table.Invalid as invalid:
            problem(_PARSER_MESSAGES[invalid.key], column, **invalid.params)

    inn = values['inn']
    if company_inn is not None:
        if inn and inn != company_inn:
            problem('msg_plan_import_inn_mismatch', 'inn', company=company_inn)
        inn = company_inn
    else:
        inn = parse('inn', table.required(
                table.identifier(organisation_inn, 'invalid_inn')))
    row_year = year
    if values['year']:
        row_year = parse('year', lambda v: table.integer(v, digits=4))
        if year is not None and row_year is not None and row_year != year:
            problem('msg_plan_import_year_mismatch', 'year', year=year)
    elif year is None:
        problem('msg_plan_import_required', 'year')
    amount = parse('amount', table.required(_amount))
    section = parse('section', table.optional(table.choice(SECTION_CODES)))
    amendment = values['amendment'] or None
    amendment_date = None
    if amendment:
        if not values['amendment_date']:
            problem('msg_plan_import_amendment_date_required',
                'amendment_date')
        else:
            amendment_date = parse('amendment_date', table.date)
    elif values['amendment_date']:
        problem('msg_plan_import_amendment_number_required', 'amendment')
    kfo, kvr, kosgu = values['kfo'], values['kvr'], values['kosgu']
    if not kosgu:
        problem('msg_plan_import_required', 'kosgu')
    elif amount is not None:
        error = line_error(kfo, section or section_of_kosgu(kosgu), kvr,
            kosgu, amount, amended=bool(amendment))
        if error:
            key, params = error
            problem(key, _CODE_COLUMNS[key], **params)
    if problems:
        return None
    section = section or section_of_kosgu(kosgu)
    return inn, row_year, amendment, amendment_date, LineData(
        kfo, section, values['line_code'], kvr, kosgu,
        amount.quantize(Decimal('0.01')))


def describe(problem):
    """A problem of a plan file as the user reads it: file:line:column,
    the INN and the message in the language of the transaction"""
    return describe_problem(
        problem, inn_message='kazan_accounting.msg_plan_import_inn')


def describe_problems(problems, limit=20):
    "The message of a refused file, with its first problems"
    return model.describe_problems(problems,
        'kazan_accounting.msg_plan_import_failed',
        'kazan_accounting.msg_plan_import_more', limit, describe=describe)


class PlanImportStart(ModelView):
    "Import Plans of Financial and Economic Activity"
    __name__ = 'kazan.plan.import.start'

    company = fields.Many2One(
        'company.company', "Institution", required=True, readonly=True)
    file = fields.Binary("File", required=True, filename='filename',
        help="CSV or XLSX with the columns "
        "inn;year;kfo;line_code;kvr;kosgu;amount and optionally "
        "amendment;amendment_date;section.")
    filename = fields.Char("File Name", readonly=True)
    approve = fields.Boolean("Approve",
        help="Approve the plans, which amendments need; "
        "otherwise they stay drafts.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_approve(cls):
        return True


class PlanImport(Wizard):
    """Import plans for the current institution from a file.

    The whole file or nothing: any problem of the file or any conflict
    with the plans in the database stops the import before a write."""
    __name__ = 'kazan.plan.import'

    start = StateView('kazan.plan.import.start',
        'kazan_accounting.plan_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateAction('kazan_accounting.act_plan_form')

    def do_import_(self, action):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        company = self.start.company
        plans, problems = read_plan_file(
            self.start.file, self.start.filename or '',
            company_inn=company.inn or '')
        if not problems:
            problems = Plan.import_problems(
                [(company, plan) for plan in plans], self.start.approve)
        if problems:
            raise PlanImportError(describe_problems(problems))
        records = [Plan.import_data(company, plan, self.start.approve)[0]
            for plan in plans]
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [p.id for p in records])])
        return action, {}
