# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The directors' dashboard: their institution at a glance.

A board (``act_director_dashboard``) shows the statements of the
institution and the graphs of ``kazan.statement.monthly``: the income and
the expenses of each month per КФО, computed by one SQL query over the
move lines of the accounts whose type is a result of the year (statement
"income": revenue for 401.10, expense for 401.20).  The accounts are found
by their type, not by their code, so the figures follow the chart data.

Directors land on the board when they log in: it is one of their user's
login actions (res.user "actions"), given to every director
``User.create_service_users`` creates (onboarding, the demo; see
``res.ROLE_LOGIN_ACTIONS``).  For a director created before, add
«Панель руководителя» to the "Actions" of the user in the client, or run
in ``trytond-console``::

    from trytond.modules.kazan_accounting.dashboard import (
        open_dashboard_at_login)
    User = pool.get('res.user')
    open_dashboard_at_login(User.search([('login', '=', LOGIN)]))
    transaction.commit()
"""
from collections import namedtuple
from decimal import Decimal

from sql import Literal
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction

from .common import KFO
from .model import InstitutionRowsMixin, tables
from .trial_balance import OPENING_JOURNAL_TYPE

# The XML id of the board, run at login by the directors
DASHBOARD_ACTION = 'act_director_dashboard'

MonthRow = namedtuple('MonthRow', [
        'month', 'kfo', 'income', 'expenses', 'result'])


class StatementMonthly(InstitutionRowsMixin, ModelSQL, ModelView):
    "Monthly Income and Expenses"
    __name__ = 'kazan.statement.monthly'

    period = fields.Many2One('account.period', "Period")
    month = fields.Date("Month", help="The first day of the month.")
    kfo = fields.Selection(KFO, "KFO", sort=False)
    income = Monetary("Income", currency='currency', digits='currency')
    expenses = Monetary("Expenses", currency='currency', digits='currency')
    result = Monetary(
        "Result", currency='currency', digits='currency',
        help="Income less expenses.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The graphs place the months in the order of the rows
        cls._order = [('month', 'ASC'), ('kfo', 'ASC'), ('id', 'ASC')]

    @classmethod
    def view_attributes(cls):
        # A graph series per КФО (the fields of key "kfo_<code>"): the
        # client adds up the rows for which the domain holds, and loads
        # kfo for it
        return super().view_attributes() + [
            (f'/graph/y/field[@key="kfo_{code}"]', 'domain',
                Eval('kfo') == code, ['kfo'])
            for code, _ in KFO]

    @classmethod
    def table_query(cls):
        context = Transaction().context
        return cls._query(
            context.get('company'), fiscalyear_id=context.get('fiscalyear'),
            from_date=context.get('from_date'),
            to_date=context.get('to_date'))

    @classmethod
    def _query(cls, company_id, fiscalyear_id=None, from_date=None,
            to_date=None):
        """The SQL query of the rows: one per month (account period) and
        КФО of the posted moves of the company.

        Left out: the periods of type "adjustment", which hold the
        year-end closing of 401.10 and 401.20 into 401.30, and the
        opening-balance moves, which bring the result earned before the
        institution came to the service; neither is an income or an
        expense of a month."""
        line, move, period, journal, account, type_ = tables(
            'account.move.line', 'account.move', 'account.period',
            'account.journal', 'account.account', 'account.account.type')

        if not company_id:
            where = Literal(False)
        else:
            where = ((move.company == company_id)
                & (move.state == 'posted')
                & (period.type != 'adjustment')
                & (journal.type != OPENING_JOURNAL_TYPE)
                & (type_.statement == 'income'))
            if fiscalyear_id:
                where &= period.fiscalyear == fiscalyear_id
            if from_date:
                where &= move.date >= from_date
            if to_date:
                where &= move.date <= to_date
        # An integer: SQLite binds a Decimal as text
        zero = Literal(0)
        debit = Coalesce(line.debit, zero)
        credit = Coalesce(line.credit, zero)
        income = Sum(Case((type_.revenue, credit - debit), else_=zero))
        expenses = Sum(Case((type_.expense, debit - credit), else_=zero))
        kfo_number = Case(
            *((line.kfo == code, Literal(i))
                for i, (code, _) in enumerate(KFO, 1)),
            else_=Literal(0))
        return (line
            .join(move, condition=line.move == move.id)
            .join(period, condition=move.period == period.id)
            .join(journal, condition=move.journal == journal.id)
            .join(account, condition=line.account == account.id)
            .join(type_, condition=account.type == type_.id)
            .select(
                (period.id * 10 + kfo_number).as_('id'),
                move.company.as_('company'),
                period.id.as_('period'),
                period.start_date.as_('month'),
                line.kfo.as_('kfo'),
                income.as_('income'),
                expenses.as_('expenses'),
                (income - expenses).as_('result'),
                where=where,
                group_by=[
                    move.company, period.id, period.start_date, line.kfo]))

    @classmethod
    def compute(cls, company, fiscalyear=None, from_date=None,
            to_date=None):
        """Return the rows of the company by month and КФО with amounts
        rounded to the currency"""
        query = cls._query(company.id,
            fiscalyear_id=fiscalyear.id if fiscalyear else None,
            from_date=from_date, to_date=to_date)
        if backend.name == 'sqlite':
            sqlite_apply_types(query,
                [None, None, None, 'DATE', None] + ['NUMERIC'] * 3)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        round_ = company.currency.round
        rows = [MonthRow(month, kfo,
                *(round_(Decimal(a or 0)) for a in amounts))
            for _, _, _, month, kfo, *amounts in cursor]
        rows.sort(key=lambda r: (r.month, r.kfo))
        return rows


class StatementMonthlyContext(ModelView):
    "Monthly Income and Expenses Context"
    __name__ = 'kazan.statement.monthly.context'

    company = fields.Many2One('company.company', "Institution", required=True)
    fiscalyear = fields.Many2One(
        'account.fiscalyear', "Fiscal Year",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date(
        "To Date",
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_fiscalyear(cls):
        "The fiscal year of today, if the institution has one"
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Date = pool.get('ir.date')
        context = Transaction().context
        if context.get('fiscalyear'):
            return context['fiscalyear']
        company_id = cls.default_company()
        if company_id is None or company_id < 0:
            return None
        with Transaction().set_context(company=company_id):
            today = Date.today()
        fiscalyears = FiscalYear.search([
                ('company', '=', company_id),
                ('start_date', '<=', today),
                ('end_date', '>=', today),
                ], limit=1)
        return fiscalyears[0].id if fiscalyears else None

    @fields.depends('company', 'fiscalyear')
    def on_change_company(self):
        if self.fiscalyear and self.fiscalyear.company != self.company:
            self.fiscalyear = None


def open_dashboard_at_login(users):
    """Open the directors' dashboard when the users log in.

    The client runs the "actions" of the user at login."""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    ActWindow = pool.get('ir.action.act_window')
    User = pool.get('res.user')
    users = list(users)
    if not users:
        return
    dashboard = ActWindow(
        ModelData.get_id('kazan_accounting', DASHBOARD_ACTION))
    # res.user-ir.action takes the id of the ir.action
    User.write(users, {'actions': [('add', [dashboard.action.id])]})
