# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The plan of financial and economic activity (ПФХД, Приказ 186н).

One plan per institution and year: receipts, payments and sources of
financing by КФО, КВР and КОСГУ.  The accountant edits a draft plan; once
approved its lines are frozen and every change comes as an amendment
(изменение) with its own, possibly negative, lines.  The amount planned as
of a date is the sum of the original lines and of the lines of the
amendments dated up to then: form 0503737 computes it in SQL from the
tables ``kazan_plan``, ``kazan_plan_line`` and ``kazan_plan_amendment``.

The approved plan is also in the ledger, Section 5 of the chart: its
payments on 504.10 / 506.10 (the right to accept obligations, which the
contracts then use), its receipts on 507.10 / 504.10 (the approved
financing), by КФО, КВР and КОСГУ (brief §3 entries 20 and 21, their
directions unconfirmed: obligation_entries.csv).  The original lines are
posted on 1 January of the plan's year (or the day the institution joined
the service, when later), each amendment's on its date;
whatever changes them (approval, an amendment, its lines edited or
deleted, the plan set back to draft) posts the difference between what the
plan says and what its moves hold, so the ledger follows the plan.
"""
import datetime as dt
from collections import defaultdict, namedtuple
from decimal import Decimal

from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from .common import KFO, KFO_CODES
from .contract import ENTRIES, Codes, entry_accounts, entry_lines
from .exceptions import PlanAccessError, PlanImportError, PlanValidationError
from .fees import move_values
from .model import IN_MAX, DocumentMixin, tables
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


# The entry of obligation_entries.csv that posts the lines of each section
# of an approved plan; the sources of financing post none
SECTION_ENTRIES = {
    'expense': 'plan_expense',
    'income': 'plan_income',
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
# An indicator of the plan in the ledger: the amount of a section's codes
# from a date
Indicator = namedtuple('Indicator', ['date', 'section', 'codes'])


def indicator_changes(wanted, posted):
    """{Indicator: amount} to post so that the ledger holding posted
    ({Indicator: amount}) holds wanted"""
    changes = {}
    for key in sorted(set(wanted) | set(posted)):
        change = wanted.get(key, Decimal(0)) - posted.get(key, Decimal(0))
        if change:
            changes[key] = change
    return changes


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
    moves = fields.Function(fields.Many2Many(
            'account.move', None, None, "Moves",
            help="The plan's indicators in the ledger (504.10, 506.10, "
            "507.10)."),
        'get_moves')

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

    def get_moves(self, name):
        Move = Pool().get('account.move')
        return [m.id for m in Move.search([('origin', '=', str(self))],
                order=[('date', 'ASC'), ('id', 'ASC')])]

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
            cls.check_no_moves(plans)

    @classmethod
    def check_no_moves(cls, plans):
        """A plan once approved keeps its moves (and so its record), even
        back to draft where they are reversed"""
        pool = Pool()
        Move = pool.get('account.move')
        for sub in grouped_slice(plans, IN_MAX):
            moves = Move.search([
                    ('origin', 'in', [str(p) for p in sub]),
                    ], limit=1)
            if moves:
                raise PlanAccessError(gettext(
                        'kazan_accounting.msg_plan_delete_posted',
                        plan=moves[0].origin.rec_name))

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

    @classmethod
    def on_modification(cls, mode, plans, field_names=None):
        super().on_modification(mode, plans, field_names=field_names)
        if mode == 'write' and 'state' in field_names:
            cls.post_indicators(plans)

    def indicators(self):
        """{Indicator: amount} of the plan the ledger must hold: for an
        approved plan its lines on the first day of its year in the
        service (1 January, or the institution's start in the service)
        and the lines of each amendment on its date (that day at the
        earliest), in the sections that post; nothing for a draft"""
        result = defaultdict(Decimal)
        if self.state != 'approved':
            return result
        start, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        joined = self.company.service_start_date
        if joined and joined.year == self.year:
            start = max(start, joined)
        for line in self.all_lines():
            if line.section in SECTION_ENTRIES and line.amount:
                date = start
                if line.amendment:
                    date = min(max(line.amendment.date, start), end)
                result[Indicator(date, line.section, line.codes)] += (
                    line.amount)
        return result

    @classmethod
    def post_of_fiscalyears(cls, fiscalyears):
        "Post the approved plans of the years of the new fiscal years"
        plans = cls.search([
                ('company', 'in', list({f.company.id for f in fiscalyears})),
                ('year', 'in', list({f.start_date.year for f in fiscalyears})),
                ('state', '=', 'approved'),
                ])
        if plans:
            cls.post_indicators(plans)

    @classmethod
    def posted_indicators(cls, plans):
        """{plan id: {Indicator: amount}} the moves of the plans hold: the
        debit less credit of each entry's debit account on the codes of
        its section"""
        move, line, account = tables(
            'account.move', 'account.move.line', 'account.account')
        cursor = Transaction().connection.cursor()
        sections = defaultdict(set)
        for section, operation in SECTION_ENTRIES.items():
            sections[ENTRIES[operation][0]].add(section)
        plan_ids = {str(p): p.id for p in plans}
        result = defaultdict(lambda: defaultdict(Decimal))
        for origins in grouped_slice(list(plan_ids), IN_MAX):
            query = line.join(move, condition=line.move == move.id
                ).join(account, condition=line.account == account.id
                ).select(move.origin, move.date.as_('date'), account.code,
                    line.kfo, line.kvr, line.kosgu,
                    Sum(line.debit - line.credit).as_('amount'),
                    where=move.origin.in_(list(origins))
                    & account.code.in_(list(sections)),
                    group_by=[move.origin, move.date, account.code,
                        line.kfo, line.kvr, line.kosgu])
            if backend.name == 'sqlite':
                sqlite_apply_types(
                    query, [None, 'DATE', None, None, None, None, 'NUMERIC'])
            cursor.execute(*query)
            for origin, date, code, kfo, kvr, kosgu, amount in cursor:
                section = section_of_kosgu(kosgu)
                if section in sections[code]:
                    key = Indicator(
                        date, section, Codes(kfo, kvr or None, kosgu))
                    result[plan_ids[origin]][key] += Decimal(amount)
        return result

    @classmethod
    def post_indicators(cls, plans):
        """Post what the plans' indicators changed since their moves: one
        move per plan and date.  A plan of a year whose fiscal year is not
        created yet (the next year's, approved in December) waits for it:
        creating the fiscal year posts it (post_of_fiscalyears)."""
        pool = Pool()
        Move = pool.get('account.move')
        FiscalYear = pool.get('account.fiscalyear')
        plans = cls.browse(plans)
        opened = {(f.company.id, f.start_date.year)
            for f in FiscalYear.search([
                    ('company', 'in', list({p.company.id for p in plans})),
                    ('start_date', 'in', list({
                                dt.date(p.year, 1, 1) for p in plans})),
                    ])}
        plans = [p for p in plans if (p.company.id, p.year) in opened]
        posted = cls.posted_indicators(plans)
        moves = []
        for plan in plans:
            changes = indicator_changes(
                plan.indicators(), posted.get(plan.id, {}))
            if not changes:
                continue
            accounts = entry_accounts(plan.company, sorted(
                    {c for o in SECTION_ENTRIES.values() for c in ENTRIES[o]}))
            by_date = defaultdict(list)
            for key, amount in changes.items():
                debit, credit = ENTRIES[SECTION_ENTRIES[key.section]]
                by_date[key.date].extend(entry_lines(plan.company,
                        key.codes._asdict(), debit, credit, amount,
                        accounts=accounts))
            for date, lines in sorted(by_date.items()):
                moves.append(move_values(plan.company, 'journal_other',
                        date, gettext('kazan_accounting.msg_plan_move',
                            plan=plan.rec_name), plan, lines))
        if moves:
            Move.post(Move.create(moves))


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

    @classmethod
    def on_modification(cls, mode, amendments, field_names=None):
        "A new amendment is posted by its lines', a changed date here"
        super().on_modification(mode, amendments, field_names=field_names)
        if mode == 'write':
            post_plans_indicators({a.plan for a in amendments})

    @classmethod
    def on_delete(cls, amendments):
        plans = {a.plan for a in amendments}
        return super().on_delete(amendments) + [
            lambda: post_plans_indicators(plans)]


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

    @property
    def codes(self):
        return Codes(self.kfo, self.kvr or None, self.kosgu)

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        "The amendments' lines are posted as they change"
        super().on_modification(mode, lines, field_names=field_names)
        post_plans_indicators({l.plan for l in lines if l.amendment})

    @classmethod
    def on_delete(cls, lines):
        plans = {l.plan for l in lines if l.amendment}
        return super().on_delete(lines) + [
            lambda: post_plans_indicators(plans)]

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


def post_plans_indicators(plans):
    "Post the changes of the indicators of the plans that still exist"
    Plan = Pool().get('kazan.plan')
    plans = Plan.search([('id', 'in', [p.id for p in plans])])
    if plans:
        Plan.post_indicators(plans)


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


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.plan']
