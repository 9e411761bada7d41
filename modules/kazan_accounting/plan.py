# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The plan of financial and economic activity (ПФХД, Приказ 186н).

One plan per institution and year: receipts, payments and sources of
financing by КФО, КВР and КОСГУ.  The accountant edits a draft plan; once
approved its lines are frozen and every change comes as an amendment
(изменение) with its own, possibly negative, lines.  The amount planned as
of a date is the sum of the original lines and of the lines of the
amendments dated up to then: form 0503737 computes it in SQL from the
tables ``kazan_plan``, ``kazan_plan_line`` and ``kazan_plan_amendment``.
"""
import csv
import datetime as dt
import io
import re
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .amounts import (
    InvalidNumber, parse_number, storable_digits, within_digits)
from .common import KFO, KFO_CODES

PLAN_STATES = [
    ('draft', "Draft"),
    ('approved', "Approved"),
    ]

SECTIONS = [
    ('income', "Income"),
    ('expense', "Expense"),
    ('sources', "Sources of Financing"),
    ]

# The first digit of a КОСГУ code tells the section of the plan (209н):
# 1xx income, 2xx and 3xx expenses (and acquisitions of assets), 5xx and
# 6xx the receipt and disposal of financial assets (sources of financing).
SECTION_OF_KOSGU_GROUP = {
    '1': 'income',
    '2': 'expense',
    '3': 'expense',
    '5': 'sources',
    '6': 'sources',
    }


class PlanValidationError(ValidationError):
    "A plan, amendment or plan line holds an invalid value"


class PlanAccessError(AccessError):
    "An approved plan is changed other than by an amendment"


class PlanImportError(UserError):
    "A plan file cannot be imported: nothing is written"


def is_budget_code(code):
    "КОСГУ and КВР codes are three digits"
    return bool(code) and len(code) == 3 and code.isdigit()


def section_of_kosgu(kosgu):
    "The plan section of a КОСГУ code, None when no section takes it"
    if is_budget_code(kosgu):
        return SECTION_OF_KOSGU_GROUP.get(kosgu[0])


Total = namedtuple('Total', [
        'kfo', 'section', 'line_code', 'kvr', 'kosgu',
        'original', 'amendments', 'total'])


class Plan(Workflow, ModelSQL, ModelView):
    "Plan of Financial and Economic Activity"
    __name__ = 'kazan.plan'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    year = fields.Integer("Year", required=True, states=_states)
    state = fields.Selection(PLAN_STATES, "State", readonly=True, sort=False)
    lines = fields.One2Many(
        'kazan.plan.line', 'plan', "Lines",
        filter=[('amendment', '=', None)],
        states=_states,
        help="The receipts and payments of the plan as approved.")
    amendments = fields.One2Many(
        'kazan.plan.amendment', 'plan', "Amendments",
        states={
            'readonly': Eval('state') != 'approved',
            },
        help="The changes made to the plan after its approval.")
    income_total = fields.Function(
        fields.Numeric("Income", digits=(16, 2)), 'get_totals')
    expense_total = fields.Function(
        fields.Numeric("Expenses", digits=(16, 2)), 'get_totals')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_year_unique', Unique(t, t.company, t.year),
                'kazan_accounting.msg_plan_company_year_unique'),
            ]
        cls._order = [('year', 'DESC'), ('company', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'approved'),
            ('approved', 'draft'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ((Eval('state') != 'approved')
                        | Bool(Eval('amendments', []))),
                    'depends': ['state', 'amendments'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return '%s %s' % (self.company.rec_name, self.year)

    @classmethod
    def search_rec_name(cls, name, clause):
        "By institution, or by year when the text is a year"
        _, operator, operand, *extra = clause
        domain = [('company.rec_name', operator, operand, *extra)]
        year = str(operand or '').strip('%')
        if operator in {'=', 'like', 'ilike'} and year.isdigit():
            domain = ['OR', *domain, ('year', '=', int(year))]
        return domain

    @classmethod
    def get_totals(cls, plans, names):
        "The planned income and expenses with every amendment"
        result = {name: {p.id: Decimal(0) for p in plans} for name in names}
        for plan in plans:
            for total in plan.totals():
                name = '%s_total' % total.section
                if name in result:
                    result[name][plan.id] += total.total
        return result

    def totals(self, date=None):
        """The plan per КФО, section, line, КВР and КОСГУ: the original
        amount, the sum of the amendments dated up to date (all when None)
        and the total"""
        amounts = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for line in self.all_lines():
            amendment = line.amendment
            if amendment and date is not None and amendment.date > date:
                continue
            key = (line.kfo, line.section, line.line_code or '',
                line.kvr or '', line.kosgu)
            amounts[key][1 if amendment else 0] += line.amount or 0
        return [Total(*key, original, amended, original + amended)
            for key, (original, amended) in sorted(amounts.items())]

    def all_lines(self):
        "The original lines and the lines of every amendment"
        pool = Pool()
        Line = pool.get('kazan.plan.line')
        return Line.search([('plan', '=', self.id)])

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        cls.check_year(plans, field_names)

    @classmethod
    def check_year(cls, plans, field_names=None):
        if field_names and 'year' not in field_names:
            return
        for plan in plans:
            if not 2000 <= (plan.year or 0) <= 2100:
                raise PlanValidationError(gettext(
                        'kazan_accounting.msg_plan_year_invalid',
                        year=plan.year))

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state != 'draft':
                    raise PlanAccessError(gettext(
                            'kazan_accounting.msg_plan_delete_approved',
                            plan=plan.rec_name))

    @classmethod
    def copy(cls, plans, default=None):
        "A draft for the next year, with the lines as amended"
        default = default.copy() if default is not None else {}
        amended_lines = 'lines' not in default
        default.setdefault('year', lambda data: data['year'] + 1)
        default.setdefault('state', 'draft')
        default.setdefault('amendments', None)
        default.setdefault('lines', None)
        copies = super().copy(plans, default=default)
        if amended_lines:
            cls._copy_amended_lines(plans, copies)
        return copies

    @classmethod
    def _copy_amended_lines(cls, plans, copies):
        """The totals of the plans as lines of their copies; a negative
        total (an amendment decreasing codes the plan does not have) is
        left out, as a plan line cannot be negative"""
        pool = Pool()
        Line = pool.get('kazan.plan.line')
        Line.create([{
                    'plan': copy.id, 'kfo': t.kfo, 'section': t.section,
                    'line_code': t.line_code, 'kvr': t.kvr,
                    'kosgu': t.kosgu, 'amount': t.total,
                    } for plan, copy in zip(plans, copies)
                for t in plan.totals() if t.total >= 0])

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, plans):
        pass

    def original_data(self):
        "The lines of the plan as approved, comparable with a file's"
        return sorted(line.data() for line in self.lines)

    @classmethod
    def import_problems(cls, plans, approve=True):
        """The FileProblems of importing plans, a list of (company,
        PlanData), into the database as it is; none when import_data can
        write them all"""
        problems = []
        for company, data in plans:
            conflict = cls.import_conflict(company, data, approve)
            if conflict:
                key, params = conflict
                problems.append(FileProblem(key, data.file, data.line,
                        inn=data.inn, params=dict(params, year=data.year)))
        return problems

    @classmethod
    def import_conflict(cls, company, data, approve=True):
        """Why the PlanData cannot be imported for company, as (message
        id, parameters), or None.

        An approved plan changes only by amendment: its lines in the file
        must be those in the database, and an amendment already recorded
        must be the same.  A draft plan takes the file's lines."""
        plan = cls.find(company, data.year)
        if data.amendments and not approve and (
                plan is None or plan.state != 'approved'):
            return 'msg_plan_import_amendment_draft', {}
        if plan is None:
            if not data.lines:
                return 'msg_plan_import_no_plan', {}
            return None
        if (plan.state == 'approved' and data.lines
                and plan.original_data() != data.lines):
            return 'msg_plan_import_approved_differs', {
                'plan': plan.rec_name}
        amendments = {a.number: a for a in plan.amendments}
        for number, amendment in data.amendments.items():
            existing = amendments.get(number)
            if existing and (existing.date != amendment.date
                    or existing.data() != amendment.lines):
                return 'msg_plan_import_amendment_differs', {
                    'plan': plan.rec_name, 'number': number}
        return None

    @classmethod
    def find(cls, company, year):
        "The plan of the institution for the year, or None"
        plans = cls.search([
                ('company', '=', company.id),
                ('year', '=', year),
                ], limit=1)
        return plans[0] if plans else None

    @classmethod
    def import_data(cls, company, data, approve=True):
        """Write the PlanData of company (see import_conflict); return the
        plan and 'created', 'updated' or 'unchanged': importing the same
        data again changes nothing"""
        pool = Pool()
        Line = pool.get('kazan.plan.line')
        Amendment = pool.get('kazan.plan.amendment')
        conflict = cls.import_conflict(company, data, approve)
        if conflict:
            key, params = conflict
            raise PlanImportError(gettext(
                    'kazan_accounting.' + key, inn=data.inn, year=data.year,
                    file=data.file, line=data.line, **params))
        status = 'unchanged'
        plan = cls.find(company, data.year)
        if plan is None:
            plan, = cls.create([{
                        'company': company.id,
                        'year': data.year,
                        'lines': [('create', [
                                    l._asdict() for l in data.lines])],
                        }])
            status = 'created'
        elif (plan.state == 'draft' and data.lines
                and plan.original_data() != data.lines):
            Line.delete(plan.lines)
            Line.create([dict(l._asdict(), plan=plan.id)
                    for l in data.lines])
            status = 'updated'
        if approve and plan.state == 'draft':
            cls.approve([plan])
            status = status if status == 'created' else 'updated'
        existing = {a.number for a in plan.amendments}
        new = [a for n, a in data.amendments.items() if n not in existing]
        if new:
            Amendment.create([{
                        'plan': plan.id,
                        'number': a.number,
                        'date': a.date,
                        'lines': [('create', [
                                    dict(l._asdict(), plan=plan.id)
                                    for l in a.lines])],
                        } for a in new])
            status = status if status == 'created' else 'updated'
        return plan, status

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        for plan in plans:
            if plan.amendments:
                raise PlanAccessError(gettext(
                        'kazan_accounting.msg_plan_draft_amended',
                        plan=plan.rec_name))


class Amendment(ModelSQL, ModelView):
    "Amendment to a Plan of Financial and Economic Activity"
    __name__ = 'kazan.plan.amendment'

    plan = fields.Many2One(
        'kazan.plan', "Plan", required=True, ondelete='CASCADE',
        domain=[('state', '=', 'approved')])
    company = fields.Function(
        fields.Many2One('company.company', "Institution"),
        'on_change_with_company', searcher='search_company')
    number = fields.Char("Number", required=True, strip=True)
    date = fields.Date(
        "Date", required=True,
        help="The date from which the amendment counts in the plan.")
    description = fields.Text("Description")
    lines = fields.One2Many(
        'kazan.plan.line', 'amendment', "Lines",
        help="The changes of the planned amounts, negative to decrease.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_constraints += [
            ('plan_number_unique', Unique(t, t.plan, t.number),
                'kazan_accounting.msg_plan_amendment_number_unique'),
            ]
        cls._order = [('date', 'ASC'), ('number', 'ASC'), ('id', 'ASC')]

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_company(self, name=None):
        return self.plan.company if self.plan else None

    @classmethod
    def search_company(cls, name, clause):
        return [('plan.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return '%s (%s)' % (self.number, self.date)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('number', *clause[1:])]

    def data(self):
        "The lines of the amendment, comparable with a file's"
        return sorted(line.data() for line in self.lines)

    @classmethod
    def validate_fields(cls, amendments, field_names):
        super().validate_fields(amendments, field_names)
        cls.check_plan_approved(amendments, field_names)

    @classmethod
    def check_plan_approved(cls, amendments, field_names=None):
        "Only an approved plan is amended: a draft is edited directly"
        if field_names and 'plan' not in field_names:
            return
        for amendment in amendments:
            if amendment.plan.state != 'approved':
                raise PlanValidationError(gettext(
                        'kazan_accounting.msg_plan_amendment_draft',
                        amendment=amendment.rec_name,
                        plan=amendment.plan.rec_name))


class Line(ModelSQL, ModelView):
    "Plan of Financial and Economic Activity Line"
    __name__ = 'kazan.plan.line'

    _states = {
        'readonly': ((Eval('plan_state') == 'approved')
            & ~Eval('amendment')),
        }

    plan = fields.Many2One(
        'kazan.plan', "Plan", required=True, ondelete='CASCADE',
        states=_states)
    amendment = fields.Many2One(
        'kazan.plan.amendment', "Amendment", ondelete='CASCADE',
        domain=[('plan', '=', Eval('plan', -1))],
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="Empty for the lines of the plan as approved.")
    plan_state = fields.Function(
        fields.Selection(PLAN_STATES, "Plan State"),
        'on_change_with_plan_state')
    company = fields.Function(
        fields.Many2One('company.company', "Institution"),
        'on_change_with_company', searcher='search_company')
    kfo = fields.Selection(
        KFO, "KFO", required=True, sort=False, states=_states)
    # Not required: taken from the КОСГУ when empty, and a КОСГУ that gives
    # none is refused with its own message (check_codes)
    section = fields.Selection(
        [(None, "")] + SECTIONS, "Section", sort=False, states=_states,
        help="Income (КОСГУ 1xx), expenses (2xx, 3xx) or sources of "
        "financing (5xx, 6xx); taken from the КОСГУ when empty.")
    line_code = fields.Char(
        "Line Code", strip=True, states=_states,
        help="The line of the plan form (186н), e.g. 1200 or 2110.")
    kvr = fields.Char(
        "KVR", size=3, strip=True, states=_states,
        help="The КВР code, 3 digits; may be empty for income.")
    kosgu = fields.Char(
        "KOSGU", size=3, required=True, strip=True, states=_states,
        help="The КОСГУ code, 3 digits.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, states=_states,
        help="The yearly amount; an amendment line may be negative.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.plan, Index.Equality()),
                (t.amendment, Index.Equality(cardinality='low'))))
        cls._sql_indexes.add(Index(t, (t.amendment, Index.Equality())))
        cls._order = [
            ('plan', 'ASC'), ('kfo', 'ASC'), ('section', 'ASC'),
            ('line_code', 'ASC'), ('kvr', 'ASC'), ('kosgu', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def default_kfo(cls):
        return '4'

    @classmethod
    def default_amount(cls):
        return Decimal(0)

    @fields.depends('plan', '_parent_plan.state')
    def on_change_with_plan_state(self, name=None):
        return self.plan.state if self.plan else None

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_company(self, name=None):
        return self.plan.company if self.plan else None

    @classmethod
    def search_company(cls, name, clause):
        return [('plan.' + clause[0], *clause[1:])]

    @fields.depends('kosgu', 'section')
    def on_change_kosgu(self):
        section = section_of_kosgu(self.kosgu)
        if section:
            self.section = section

    @fields.depends('amendment', '_parent_amendment.plan')
    def on_change_amendment(self):
        if self.amendment and self.amendment.plan:
            self.plan = self.amendment.plan

    @classmethod
    def preprocess_values(cls, mode, values):
        "Take the plan of the amendment and the section of the КОСГУ"
        pool = Pool()
        Amendment = pool.get('kazan.plan.amendment')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('amendment') is not None
                and not values.get('plan')):
            values['plan'] = Amendment(values['amendment']).plan.id
        if ((mode == 'create' or 'kosgu' in values)
                and not values.get('section')):
            values['section'] = section_of_kosgu(values.get('kosgu'))
        return values

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.kfo, self.line_code, self.kvr, self.kosgu]))

    def data(self):
        "The line as a plan file gives it"
        return LineData(self.kfo, self.section, self.line_code or '',
            self.kvr or '', self.kosgu,
            (self.amount or Decimal(0)).quantize(Decimal('0.01')))

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        cls.check_codes(lines, field_names)

    @classmethod
    def check_codes(cls, lines, field_names=None):
        "Codes of the budget classification and the section agree"
        if field_names and not field_names & {
                'kfo', 'kosgu', 'kvr', 'section', 'amount', 'amendment',
                'plan'}:
            return
        for line in lines:
            error = line_error(
                line.kfo, line.section, line.kvr, line.kosgu, line.amount,
                amended=bool(line.amendment))
            if error:
                message_id, values = error
                raise PlanValidationError(gettext(
                        'kazan_accounting.' + message_id,
                        line=line.rec_name, **values))
            if line.amendment and line.amendment.plan != line.plan:
                raise PlanValidationError(gettext(
                        'kazan_accounting.msg_plan_line_amendment_plan',
                        line=line.rec_name))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        "The lines of an approved plan change only by amendment"
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'write' and values and set(values) <= {'plan_state'}:
            return
        for line in lines:
            if line.plan.state == 'approved' and not line.amendment:
                raise PlanAccessError(gettext(
                        'kazan_accounting.msg_plan_line_approved',
                        plan=line.plan.rec_name))


def line_error(kfo, section, kvr, kosgu, amount, amended=False):
    """The first error of a plan line as (message id, values), or None

    Shared by the model and the import so that a file is rejected with
    the same words as the form."""
    if kfo not in KFO_CODES:
        return 'msg_plan_kfo_invalid', {'kfo': kfo or ''}
    if not is_budget_code(kosgu):
        return 'msg_plan_kosgu_invalid', {'kosgu': kosgu or ''}
    if kvr and not is_budget_code(kvr):
        return 'msg_plan_kvr_invalid', {'kvr': kvr}
    expected = section_of_kosgu(kosgu)
    if expected is None:
        return 'msg_plan_kosgu_no_section', {'kosgu': kosgu}
    if section != expected:
        return 'msg_plan_section_kosgu', {
            'section': section, 'kosgu': kosgu}
    if expected == 'expense' and not kvr:
        return 'msg_plan_kvr_required', {'kosgu': kosgu}
    if amount is not None and amount < 0 and not amended:
        return 'msg_plan_amount_negative', {'amount': amount}
    if amount is not None and amount != amount.quantize(Decimal('0.01')):
        return 'msg_plan_amount_digits', {'amount': amount}
    return None


# -- Plan files ---------------------------------------------------------------
#
# A plan file is a table, CSV (UTF-8 with or without BOM, or Windows-1251;
# ``;`` or ``,``; a header row; decimal point or comma) or XLSX, with one
# row per plan line.  Column order is free; unknown columns are an error
# so that typos are caught.  A row with an amendment number belongs to that
# amendment (its date in amendment_date), the others to the plan as
# approved.  Reading is pure (no database): it returns the plans and every
# problem with its file, line and column, and the caller writes nothing
# when there is any.

PLAN_FILE_COLUMNS = [
    'inn', 'year', 'kfo', 'line_code', 'kvr', 'kosgu', 'amount']
PLAN_FILE_OPTIONAL_COLUMNS = ['amendment', 'amendment_date', 'section']
SECTION_CODES = [code for code, _ in SECTIONS]

# A plan line as the file and the database both give it, to compare them
LineData = namedtuple('LineData', [
        'kfo', 'section', 'line_code', 'kvr', 'kosgu', 'amount'])


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


@dataclass
class FileProblem:
    "A problem of a plan file: the ir.message id, where, and its values"
    key: str
    file: str = None
    line: int = None
    column: str = None
    value: str = None
    inn: str = None
    params: dict = field(default_factory=dict)

    def where(self):
        return ':'.join(str(p) for p in (self.file, self.line, self.column)
            if p not in (None, ''))

    def message(self):
        "The message in the language of the transaction"
        params = {
            'file': self.file or '', 'line': self.line or '',
            'column': self.column or '', 'value': self.value or '',
            'inn': self.inn or ''}
        params.update(self.params)
        return gettext('kazan_accounting.' + self.key, **params)

    def describe(self):
        "The message with where it is: file:line:column, the INN"
        message = self.message()
        if self.inn and self.column != 'inn':
            message = gettext('kazan_accounting.msg_plan_import_inn',
                inn=self.inn, message=message)
        where = self.where()
        return f'{where}: {message}' if where else message


class _Invalid(Exception):
    def __init__(self, key, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def _decode(data):
    "Text of a CSV file: UTF-8 (with or without BOM), else Windows-1251"
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('cp1251')


def _read_csv(data):
    text = _decode(data)
    first_line = text.split('\n', 1)[0]
    delimiter = (';' if first_line.count(';') >= first_line.count(',')
        else ',')
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    # line_num: the file's line where the record ends
    return [(reader.line_num, [v.strip() for v in record])
        for record in reader]


def _read_xlsx(data):
    import openpyxl
    workbook = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise _Invalid('msg_plan_import_no_worksheet')
        sheet = workbook.worksheets[0]
        return [(index, [_cell(c) for c in record])
            for index, record in enumerate(
                sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()


def _cell(value):
    "An XLSX cell as the text a CSV file would hold"
    if value is None:
        return ''
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # a number typed in a spreadsheet: 1234.5 -> '1234.5'
        text = format(Decimal(repr(value)), 'f')
        return text[:-2] if text.endswith('.0') else text
    return str(value).strip()


def _is_xlsx(data, filename):
    return ((filename or '').lower().endswith('.xlsx')
        or data[:4] == b'PK\x03\x04')


def _integer(value):
    # [0-9], not \d: int() would read full-width and other digits
    if not re.fullmatch(r'[0-9]{4}', value):
        raise _Invalid('msg_plan_import_invalid_year')
    return int(value)


def _amount(value):
    """A number as an accountant writes it (amounts.parse_number, shared
    with the onboarding batch), within what Line.amount holds; an
    amendment's may be negative (line_error says where it may not)"""
    from trytond import backend
    try:
        result = parse_number(value)
    except InvalidNumber:
        raise _Invalid('msg_plan_import_invalid_amount')
    digits = storable_digits(Line.amount.digits, backend.name)
    if not within_digits(result, digits):
        raise _Invalid('msg_plan_import_amount_too_large', digits=digits)
    return result


def _date(value):
    "A date as YYYY-MM-DD or DD.MM.YYYY, in ASCII digits"
    if not value.isascii():
        raise _Invalid('msg_plan_import_invalid_date')
    for format_ in ('%Y-%m-%d', '%d.%m.%Y'):
        try:
            return dt.datetime.strptime(value, format_).date()
        except ValueError:
            pass
    raise _Invalid('msg_plan_import_invalid_date')


def _inn(value):
    from .identifiers import InvalidIdentifier, organisation_inn
    try:
        return organisation_inn(value)
    except InvalidIdentifier:
        raise _Invalid('msg_plan_import_invalid_inn')


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


def read_plan_file(data, filename, year=None, company_inn=None):
    """Read the plans of a file (bytes): return (plans, problems).

    year, when given, is the year of rows that leave it empty, and rows of
    another year are an error.  company_inn, when given, is the only
    institution the file may name (an empty inn means it); otherwise every
    row names its institution.  plans are PlanData sorted by INN and year;
    nothing may be written from them when there is any problem."""
    problems = []
    try:
        records = (_read_xlsx(data) if _is_xlsx(data, filename)
            else _read_csv(data))
    except _Invalid as invalid:
        return [], [FileProblem(invalid.key, filename)]
    except Exception as error:
        return [], [FileProblem('msg_plan_import_unreadable_file', filename,
                params={'error': str(error)})]
    records = [(n, r) for n, r in records if any(v for v in r)]
    if not records:
        return [], [FileProblem('msg_plan_import_empty_file', filename)]
    header_line, header = records[0]
    header = [c.strip().lower() for c in header]
    while header and not header[-1]:
        header.pop()
    allowed = PLAN_FILE_COLUMNS + PLAN_FILE_OPTIONAL_COLUMNS
    for column in header:
        if column not in allowed:
            problems.append(FileProblem('msg_plan_import_unknown_column',
                    filename, header_line, column, params={
                        'expected': ', '.join(allowed)}))
        elif header.count(column) > 1:
            problems.append(FileProblem('msg_plan_import_duplicate_column',
                    filename, header_line, column))
    for column in PLAN_FILE_COLUMNS:
        if column not in header:
            problems.append(FileProblem('msg_plan_import_missing_column',
                    filename, header_line, column))
    if problems:
        return [], problems

    plans = {}
    for line, record in records[1:]:
        record = record + [''] * (len(header) - len(record))
        if any(record[len(header):]):
            problems.append(FileProblem('msg_plan_import_wrong_field_count',
                    filename, line, params={
                        'count': len(record), 'expected': len(header)}))
            continue
        values = dict(zip(header, record))
        for column in PLAN_FILE_OPTIONAL_COLUMNS:
            values.setdefault(column, '')
        row_problems = []
        row = _parse_row(values, filename, line, year, company_inn,
            row_problems)
        problems.extend(row_problems)
        if row_problems:
            continue
        inn, row_year, amendment, amendment_date, line_data = row
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
                problems.append(FileProblem(
                        'msg_plan_import_amendment_date_conflict',
                        filename, line, 'amendment_date',
                        values['amendment_date'], inn, params={
                            'number': amendment, 'first': data.line}))
                continue
            lines = data.lines
        else:
            lines = plan.lines
        if any(l[:5] == line_data[:5] for l in lines):
            problems.append(FileProblem('msg_plan_import_duplicate_line',
                    filename, line, None, None, inn))
            continue
        lines.append(line_data)
    for plan in plans.values():
        plan.lines.sort()
        for amendment in plan.amendments.values():
            amendment.lines.sort()
    return [plans[k] for k in sorted(plans)], problems


def _parse_row(values, filename, line, year, company_inn, problems):
    "(inn, year, amendment, amendment date, LineData) of a row, or None"
    def problem(key, column, **params):
        problems.append(FileProblem(key, filename, line, column,
                values.get(column, ''), values.get('inn') or company_inn,
                params))

    def parse(column, parser):
        value = values[column]
        try:
            return parser(value)
        except _Invalid as invalid:
            problem(invalid.key, column, **invalid.params)

    inn = values['inn']
    if company_inn is not None:
        if inn and inn != company_inn:
            problem('msg_plan_import_inn_mismatch', 'inn', company=company_inn)
        inn = company_inn
    elif not inn:
        problem('msg_plan_import_required', 'inn')
    else:
        inn = parse('inn', _inn)
    row_year = year
    if values['year']:
        row_year = parse('year', _integer)
        if year is not None and row_year is not None and row_year != year:
            problem('msg_plan_import_year_mismatch', 'year', year=year)
    elif year is None:
        problem('msg_plan_import_required', 'year')
    amount = None
    if not values['amount']:
        problem('msg_plan_import_required', 'amount')
    else:
        amount = parse('amount', _amount)
    section = values['section'] or None
    if section and section not in SECTION_CODES:
        problem('msg_plan_import_invalid_section', 'section',
            allowed=', '.join(SECTION_CODES))
        section = None
    amendment = values['amendment'] or None
    amendment_date = None
    if amendment:
        if not values['amendment_date']:
            problem('msg_plan_import_amendment_date_required',
                'amendment_date')
        else:
            amendment_date = parse('amendment_date', _date)
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


def describe_problems(problems, limit=20):
    "The message of a refused file, with its first problems"
    lines = [p.describe() for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(gettext('kazan_accounting.msg_plan_import_more',
                count=len(problems) - limit))
    return gettext('kazan_accounting.msg_plan_import_failed',
        problems='\n'.join(lines))
