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
from collections import defaultdict, namedtuple
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval

from .common import KFO, KFO_CODES
from .exceptions import PlanAccessError, PlanImportError, PlanValidationError
from .model import DocumentMixin
from .table import Problem

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


def is_budget_code(code):
    "КОСГУ and КВР codes are three digits"
    return bool(code) and len(code) == 3 and code.isdigit()


def section_of_kosgu(kosgu):
    "The plan section of a КОСГУ code, None when no section takes it"
    if is_budget_code(kosgu):
        return SECTION_OF_KOSGU_GROUP.get(kosgu[0])


# A plan line as a file and the database both give it, to compare them
LineData = namedtuple('LineData', [
        'kfo', 'section', 'line_code', 'kvr', 'kosgu', 'amount'])

Total = namedtuple('Total', [
        'kfo', 'section', 'line_code', 'kvr', 'kosgu',
        'original', 'amendments', 'total'])


class Plan(DocumentMixin, Workflow, ModelSQL, ModelView):
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
        """The Problems of importing plans, a list of (company, PlanData
        of plan_import), into the database as it is; none when
        import_data can write them all"""
        problems = []
        for company, data in plans:
            conflict = cls.import_conflict(company, data, approve)
            if conflict:
                key, params = conflict
                problems.append(Problem(key, data.file, data.line,
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


class PlanPartMixin:
    "The institution of a part of a plan (an amendment, a line) is the plan's"
    __slots__ = ()

    company = fields.Function(
        fields.Many2One('company.company', "Institution"),
        'on_change_with_company', searcher='search_company')

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_company(self, name=None):
        return self.plan.company if self.plan else None

    @classmethod
    def search_company(cls, name, clause):
        return [('plan.' + clause[0], *clause[1:])]


class Amendment(PlanPartMixin, ModelSQL, ModelView):
    "Amendment to a Plan of Financial and Economic Activity"
    __name__ = 'kazan.plan.amendment'

    plan = fields.Many2One(
        'kazan.plan', "Plan", required=True, ondelete='CASCADE',
        domain=[('state', '=', 'approved')])
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


class Line(PlanPartMixin, ModelSQL, ModelView):
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
