# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statements in the desktop client: one table_query model per form
over the rows that statement_engine computes, for the institution of the
context (or the sum of the institutions of a founder), and the wizard that
opens the move lines behind a row.
"""
import datetime as dt
from decimal import Decimal

from sql import Literal, Values
from sql.conditionals import Case

from trytond import backend
from trytond.cache import Cache
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from .common import FOUNDERS, KFO
from .model import InstitutionRowsMixin
from .plan import SECTION_OF_KOSGU_GROUP
from .statement_engine import (
    ADJUSTMENT_PERIOD_TYPE, ASSETS_TOTAL, LIABILITIES_TOTAL, STATEMENT_KFO,
    TOTAL_KFO, _Chart, _more_work_memory, _prefix, balance, data_stamp,
    financial_result_lines, financial_results, general_ledger_query,
    plan_execution, plan_execution_name)
from .trial_balance import OPENING_JOURNAL_TYPE
from .trial_balance import PeriodContextMixin as TrialBalancePeriodMixin


def context_companies():
    """The institution of the context and the institutions the rows sum.

    With a founder in the context, every institution of the founder that
    the user may read (the record rules of company.company restrict a
    director to their own institution), else the institution of the context
    alone.  (None, []) when the user may not read that institution."""
    pool = Pool()
    Company = pool.get('company.company')
    context = Transaction().context
    company_id = context.get('company')
    if company_id is None or company_id < 0:
        return None, []
    if not Company.search([('id', '=', company_id)]):
        return None, []
    founder = context.get('founder')
    if founder:
        return company_id, [c.id for c in Company.search(
                [('founder', '=', founder)], order=[('id', 'ASC')])]
    return company_id, [company_id]


class StatementMixin(InstitutionRowsMixin):
    "The rows of a statement, in the order of the form"
    __slots__ = ()

    founder = fields.Selection(
        [(None, "")] + FOUNDERS, "Founder", readonly=True,
        help="When set, the figures are the sum of the institutions of the "
        "founder.")

    # The fields whose values make a row, in the order of the values
    _row_fields = []

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    # The rows computed for a context: the client opens a form with three
    # calls (search, search_count, read), each asking for the table
    _rows_cache = Cache('kazan.statement.rows', context=False)
    # The keys of the context the rows depend on (with the institutions)
    _rows_context = ['date', 'from_date', 'to_date', 'kfo', 'language']

    @classmethod
    def table_query(cls):
        company_id, company_ids = context_companies()
        rows = cls.cached_rows(company_ids) if company_ids else []
        return cls._rows_query(company_id, rows)

    @classmethod
    def cached_rows(cls, company_ids):
        """The statement_rows of the institutions, computed once for the
        calls of an open as long as their data is the same (data_stamp).

        Only read-only transactions (the client's reads) share them: one
        that writes may see moves of its own that are not committed."""
        transaction = Transaction()
        if not transaction.readonly:
            return cls.statement_rows(company_ids)
        context = transaction.context
        key = (cls.__name__, tuple(company_ids),
            tuple(context.get(k) for k in cls._rows_context),
            data_stamp(company_ids))
        rows = cls._rows_cache.get(key)
        if rows is None:
            rows = cls._rows_cache.set(
                key, tuple(cls.statement_rows(company_ids)))
        return rows

    @classmethod
    def statement_rows(cls, company_ids):
        "Return the rows as (id, values of _row_fields)"
        raise NotImplementedError

    @classmethod
    def _constants(cls, company_id):
        "The columns of the same value in every row"
        context = Transaction().context
        return {'company': company_id, 'founder': context.get('founder')}

    @classmethod
    def _rows_query(cls, company_id, rows):
        "A query over the rows, given as values"
        def cast(column, name):
            # PostgreSQL types a column of parameters only by its values
            if backend.name == 'postgresql':
                return cls._fields[name].sql_cast(column)
            return column

        names = ['id'] + list(cls._row_fields)
        where = Literal(True)
        if not rows:
            rows = [(0, [_blank(cls._fields[n]) for n in cls._row_fields])]
            where = Literal(False)
        values = Values([[id_] + list(row) for id_, row in rows])
        columns = [cast(getattr(values, f'column{i}'), name).as_(name)
            for i, name in enumerate(names, 1)]
        columns += [cast(Literal(value), name).as_(name)
            for name, value in cls._constants(company_id).items()]
        return values.select(*columns, where=where)

    def company_ids(self):
        "The institutions the row sums"
        pool = Pool()
        Company = pool.get('company.company')
        if self.founder:
            return [c.id for c in Company.search(
                    [('founder', '=', self.founder)])]
        return [self.company.id]

    def _lines_domain(self, company_ids):
        return [
            ('move.company', 'in', company_ids),
            ('move.state', '=', 'posted'),
            ]


def _blank(field):
    "A value of the field's type, for the row of an empty query"
    return {
        'integer': 0, 'many2one': 0, 'numeric': Decimal(0),
        'date': dt.date(2000, 1, 1), 'boolean': False,
        }.get(field._type, '')


def _indent(level):
    return '\u2003' * (level or 0)


class OneDateStatementMixin(StatementMixin):
    "The rows of a form as of the date of the context"
    __slots__ = ()

    date = fields.Date("Date", readonly=True)

    @classmethod
    def _constants(cls, company_id):
        return dict(super()._constants(company_id),
            date=Transaction().context.get('date'))

    @classmethod
    def statement_rows(cls, company_ids):
        context = Transaction().context
        if not context.get('date'):
            return []
        return cls.rows_on(company_ids, context['date'], context.get('kfo'))

    @classmethod
    def rows_on(cls, company_ids, date, kfo):
        "The rows (id, values of _row_fields) of the form on date"
        raise NotImplementedError


class PeriodStatementMixin(StatementMixin):
    "The rows of a form over the period of the context"
    __slots__ = ()

    from_date = fields.Date("From Date", readonly=True)
    to_date = fields.Date("To Date", readonly=True)

    @classmethod
    def _constants(cls, company_id):
        context = Transaction().context
        return dict(super()._constants(company_id),
            from_date=context.get('from_date'),
            to_date=context.get('to_date'))


def kfo_filter(selection):
    "The КФО a form's context restricts its rows to, if any"
    return fields.Selection(
        [(None, "")] + selection, "KFO", sort=False,
        help="Leave empty for every financing source.")


class DateContextMixin:
    __slots__ = ()

    company = fields.Many2One('company.company', "Institution", required=True)
    founder = fields.Selection(
        [(None, "")] + FOUNDERS, "Founder",
        help="Sum every institution of the founder that you may see.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class OneDateContextMixin(DateContextMixin):
    "The context of a form as of one date"
    __slots__ = ()

    date = fields.Date("Date", required=True)

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('date') or Date.today()


class BalanceContext(OneDateContextMixin, ModelView):
    "Balance Context"
    __name__ = 'kazan.statement.balance.context'

    kfo = kfo_filter(STATEMENT_KFO)


class Balance(OneDateStatementMixin, ModelSQL, ModelView):
    "Balance (form 0503730)"
    __name__ = 'kazan.statement.balance'

    line_code = fields.Char("Line", readonly=True)
    name = fields.Char("Name", readonly=True)
    level = fields.Integer("Level", readonly=True)
    kfo = fields.Selection(STATEMENT_KFO, "KFO", sort=False, readonly=True)
    year_start = Monetary(
        "Start of Year", currency='currency', digits='currency',
        readonly=True,
        help="The balance when the year (or the service) starts.")
    period_end = Monetary(
        "End of Period", currency='currency', digits='currency',
        readonly=True)

    _row_fields = [
        'line_code', 'name', 'level', 'kfo', 'year_start', 'period_end']

    @classmethod
    def rows_on(cls, company_ids, date, kfo):
        return [(i, (r.line_code, _indent(r.level) + r.name, r.level, r.kfo,
                    r.year_start, r.period_end))
            for i, r in enumerate(balance(company_ids, date), 1)
            if not kfo or r.kfo == kfo]

    def get_rec_name(self, name):
        return '%s %s (%s)' % (
            self.line_code, (self.name or '').strip(), self.kfo)

    def move_line_domain(self):
        "The posted move lines behind the figures of the row"
        company_ids = self.company_ids()
        chart = _Chart(company_ids)
        domain = self._lines_domain(company_ids) + [
            ('move.date', '<=', self.date),
            ]
        if self.line_code == ASSETS_TOTAL:
            accounts = chart.account_ids(
                lambda t: t.statement == 'balance' and t.assets)
        elif self.line_code == LIABILITIES_TOTAL:
            accounts = chart.account_ids(
                lambda t: t.statement in {'balance', 'income'}
                and not t.assets)
        else:
            accounts = chart.under(self.line_code)
        domain.append(('account', 'in', accounts))
        if self.kfo != TOTAL_KFO:
            domain.append(('kfo', '=', self.kfo))
        return domain


class PeriodContextMixin(DateContextMixin, TrialBalancePeriodMixin):
    "The context of a form over a period"
    __slots__ = ()


class FinancialResultContext(PeriodContextMixin, ModelView):
    "Financial Results Context"
    __name__ = 'kazan.statement.financial_result.context'

    kfo = kfo_filter(STATEMENT_KFO)

    @classmethod
    def default_from_date(cls):
        # The results of the year, from its first day
        context = Transaction().context
        if context.get('from_date'):
            return context['from_date']
        return cls.default_to_date().replace(month=1, day=1)


class FinancialResult(PeriodStatementMixin, ModelSQL, ModelView):
    "Financial Results (form 0503721)"
    __name__ = 'kazan.statement.financial_result'

    line_code = fields.Char("Line", readonly=True)
    name = fields.Char("Name", readonly=True)
    kosgu = fields.Char("KOSGU", readonly=True)
    kfo = fields.Selection(STATEMENT_KFO, "KFO", sort=False, readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)

    _row_fields = ['line_code', 'name', 'kosgu', 'kfo', 'amount']

    @classmethod
    def statement_rows(cls, company_ids):
        context = Transaction().context
        if not (context.get('from_date') and context.get('to_date')):
            return []
        kfo = context.get('kfo')
        rows = financial_results(
            company_ids, context['from_date'], context['to_date'])
        lines = {(l['line_code'], l['kosgu'])
            for l in financial_result_lines()}
        result = []
        for i, row in enumerate(rows, 1):
            if kfo and row.kfo != kfo:
                continue
            # a КОСГУ code is a detail of the line above it
            detail = (row.line_code, row.kosgu) not in lines
            result.append((i, (row.line_code,
                        _indent(2 if detail else 0) + row.name,
                        row.kosgu, row.kfo, row.amount)))
        return result

    def get_rec_name(self, name):
        return '%s %s (%s)' % (
            self.line_code, self.kosgu or (self.name or '').strip(),
            self.kfo)

    def move_line_domain(self):
        "The posted move lines behind the amount of the row"
        company_ids = self.company_ids()
        chart = _Chart(company_ids)
        line = next((l for l in financial_result_lines()
                if l['line_code'] == self.line_code), None)
        kind = line['kind'] if line else 'result'
        if kind == 'income':
            accounts = chart.account_ids(chart.is_income)
        elif kind == 'expense':
            accounts = chart.account_ids(chart.is_expense)
        else:
            accounts = chart.account_ids(
                lambda t: chart.is_income(t) or chart.is_expense(t))
        domain = self._lines_domain(company_ids) + [
            ('account', 'in', accounts),
            ('move.date', '>=', self.from_date),
            ('move.date', '<=', self.to_date),
            ('move.period.type', '!=', ADJUSTMENT_PERIOD_TYPE),
            ]
        if self.kosgu and not self.kosgu.endswith('00'):
            if self.kosgu.endswith('0'):
                prefix = _prefix(self.kosgu)
                domain.append(['OR',
                        ('kosgu', 'like', prefix + '%'),
                        [('kosgu', '=', None),
                            ('account.code', 'like',
                                '%.' + prefix + '_' * (3 - len(prefix)))],
                        ])
            else:
                domain.append(['OR',
                        ('kosgu', '=', self.kosgu),
                        [('kosgu', '=', None),
                            ('account.code', 'like', '%.' + self.kosgu)],
                        ])
        if self.kfo != TOTAL_KFO:
            domain.append(('kfo', '=', self.kfo))
        return domain


class PlanExecutionContext(OneDateContextMixin, ModelView):
    "Plan Execution Context"
    __name__ = 'kazan.statement.plan_execution.context'

    kfo = kfo_filter(KFO)


class PlanExecution(OneDateStatementMixin, ModelSQL, ModelView):
    "Plan Execution (form 0503737)"
    __name__ = 'kazan.statement.plan_execution'

    kfo = fields.Selection(KFO, "KFO", sort=False, readonly=True)
    section = fields.Selection([
            ('income', "Income"),
            ('expense', "Expenses"),
            ('sources', "Sources of Financing"),
            ], "Section", sort=False, readonly=True)
    line_code = fields.Char("Line", readonly=True)
    name = fields.Char("Name", readonly=True)
    total = fields.Boolean(
        "Total", readonly=True, help="The total of the section.")
    kvr = fields.Char("KVR", readonly=True)
    kosgu = fields.Char("KOSGU", readonly=True)
    planned = Monetary(
        "Planned", currency='currency', digits='currency', readonly=True,
        help="The approved plan of the year with its amendments dated up "
        "to the date.")
    executed_treasury = Monetary(
        "Through Personal Accounts", currency='currency',
        digits='currency', readonly=True)
    executed_bank = Monetary(
        "Through Bank Accounts", currency='currency', digits='currency',
        readonly=True)
    executed_desk = Monetary(
        "Through the Cash Desk", currency='currency', digits='currency',
        readonly=True)
    executed_noncash = Monetary(
        "Non-Cash Operations", currency='currency', digits='currency',
        readonly=True)
    executed = Monetary(
        "Executed", currency='currency', digits='currency', readonly=True)
    not_executed = Monetary(
        "Not Executed", currency='currency', digits='currency',
        readonly=True)

    _row_fields = [
        'kfo', 'section', 'line_code', 'name', 'total', 'kvr', 'kosgu',
        'planned', 'executed_treasury', 'executed_bank', 'executed_desk',
        'executed_noncash', 'executed', 'not_executed']

    @classmethod
    def rows_on(cls, company_ids, date, kfo):
        result, section = [], None
        for i, row in enumerate(plan_execution(company_ids, date), 1):
            # each section starts with its total
            total = (row.kfo, row.section) != section
            section = (row.kfo, row.section)
            if kfo and row.kfo != kfo:
                continue
            name = plan_execution_name(row)
            if not total:
                name = _indent(2) + name
            result.append((i, (row.kfo, row.section, row.line_code, name,
                        total, row.kvr, row.kosgu, *row[5:])))
        return result

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.line_code, self.kvr, self.kosgu,
                    '(%s)' % self.kfo]))

    def move_line_domain(self):
        "The movements of the cash accounts behind the row"
        company_ids = self.company_ids()
        chart = _Chart(company_ids)
        accounts = chart.account_ids(
            lambda t: chart.cash_kind(t.id) is not None)
        domain = self._lines_domain(company_ids) + [
            ('account', 'in', accounts),
            ('kfo', '=', self.kfo),
            ('move.date', '>=', self.date.replace(month=1, day=1)),
            ('move.date', '<=', self.date),
            ('move.journal.type', '!=', OPENING_JOURNAL_TYPE),
            ]
        # receipts are debits, payments and sources credits
        side = 'debit' if self.section == 'income' else 'credit'
        if self.total:
            domain.append(['OR',
                    [('kosgu', '=', None), (side, '!=', 0)],
                    *(('kosgu', 'like', digit + '%')
                        for digit, section in SECTION_OF_KOSGU_GROUP.items()
                        if section == self.section)])
        else:
            if self.kosgu:
                domain.append(('kosgu', '=', self.kosgu))
            else:
                domain += [('kosgu', '=', None), (side, '!=', 0)]
            if self.section == 'expense':
                domain.append(('kvr', '=', self.kvr or None))
        return domain


class GeneralLedgerContext(PeriodContextMixin, ModelView):
    "General Ledger Context"
    __name__ = 'kazan.statement.general_ledger.context'

    kfo = kfo_filter(KFO)


class GeneralLedger(PeriodStatementMixin, ModelSQL, ModelView):
    "General Ledger (form 0504072)"
    __name__ = 'kazan.statement.general_ledger'

    account_code = fields.Char("Account", readonly=True)
    account_name = fields.Char("Account Name", readonly=True)
    kfo = fields.Selection(KFO, "KFO", sort=False, readonly=True)
    kind = fields.Selection([
            ('opening', "Opening Balance"),
            ('turnover', "Turnover"),
            ('closing', "Closing Balance"),
            ], "Kind", sort=False, readonly=True)
    month = fields.Date("Month", readonly=True)
    journal = fields.Many2One(
        'account.journal', "Journal of Operations", readonly=True)
    debit = Monetary(
        "Debit", currency='currency', digits='currency', readonly=True)
    credit = Monetary(
        "Credit", currency='currency', digits='currency', readonly=True)

    @classmethod
    def table_query(cls):
        context = Transaction().context
        company_id, company_ids = context_companies()
        from_date, to_date = context.get('from_date'), context.get('to_date')
        if not (company_ids and from_date and to_date):
            return cls._rows_query(company_id, [])
        rows = general_ledger_query(
            company_ids, from_date, to_date, kfo=context.get('kfo'))
        _more_work_memory()
        zero = Literal(0)
        balance = rows.debit - rows.credit
        is_balance = rows.kind != 'turnover'
        constants = cls._constants(company_id)
        return rows.select(
            rows.id.as_('id'),
            rows.code.as_('account_code'), rows.name.as_('account_name'),
            rows.kfo.as_('kfo'), rows.kind.as_('kind'),
            rows.month.as_('month'), rows.journal.as_('journal'),
            Case((is_balance, Case((balance > zero, balance), else_=zero)),
                else_=rows.debit).as_('debit'),
            Case((is_balance, Case((balance < zero, -balance), else_=zero)),
                else_=rows.credit).as_('credit'),
            *(Literal(v).as_(n) for n, v in constants.items()))

    _row_fields = ['account_code', 'account_name', 'kfo', 'kind', 'month',
        'journal', 'debit', 'credit']

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.account_code, '(%s)' % self.kfo,
                    self.month.strftime('%m.%Y') if self.month else None,
                    self.journal.code if self.journal else None]))

    def move_line_domain(self):
        "The posted move lines behind the row"
        company_ids = self.company_ids()
        domain = self._lines_domain(company_ids) + [
            ('account.code', '=', self.account_code),
            ('kfo', '=', self.kfo),
            ('move.date', '<=', self.to_date),
            ]
        opening = ['OR',
            ('move.date', '<', self.from_date),
            ('move.journal.type', '=', OPENING_JOURNAL_TYPE),
            ]
        if self.kind == 'opening':
            domain.append(opening)
        elif self.kind == 'turnover':
            next_month = (self.month + dt.timedelta(days=32)).replace(day=1)
            domain += [
                ('move.date', '>=', max(self.month, self.from_date)),
                ('move.date', '<', next_month),
                ('move.journal', '=', self.journal.id),
                ('move.journal.type', '!=', OPENING_JOURNAL_TYPE),
                ]
        return domain


class TrialBalanceLines(metaclass=PoolMeta):
    "The move lines behind a row of the trial balance"
    __name__ = 'kazan.trial_balance'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.account_code, self.kfo)

    def move_line_domain(self):
        "The move lines of the account and КФО up to the end of the period"
        context = Transaction().context
        domain = [
            ('move.company', '=', self.company.id),
            ('account', '=', self.account.id),
            ('kfo', '=', self.kfo),
            ]
        if context.get('to_date'):
            domain.append(('move.date', '<=', context['to_date']))
        if context.get('posted', True):
            domain.append(('move.state', '=', 'posted'))
        return domain


class OpenMoveLines(Wizard):
    "Open the move lines behind a row of a statement"
    __name__ = 'kazan.statement.open_move_lines'
    start_state = 'open_'
    _readonly = True
    open_ = StateAction('account.act_move_line_form')

    def do_open_(self, action):
        action['pyson_domain'] = PYSONEncoder().encode(
            self.record.move_line_domain())
        action['name'] += ' (%s)' % self.record.rec_name
        return action, {}
