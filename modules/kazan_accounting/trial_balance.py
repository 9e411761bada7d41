# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The trial balance (оборотно-сальдовая ведомость) per account and КФО.

Computed by one SQL query over the move lines of one institution; the same
query feeds the desktop client (a table_query model) and ``kazan
statements`` (``TrialBalance.compute``).

The opening balance of the period is everything before its first day plus
the opening-balance moves (journal of type "situation") dated within it: in
an institution's first year in the service the onboarded balances are an
opening balance, never a turnover.
"""
import datetime as dt
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

# The journal type of opening-balance moves
OPENING_JOURNAL_TYPE = 'situation'

Row = namedtuple('Row', [
        'account', 'code', 'kfo',
        'opening_debit', 'opening_credit', 'debit', 'credit',
        'closing_debit', 'closing_credit'])


def account_sort_key(code):
    "Balance accounts (XXX.YY) by code, then the off-balance ones (NN)"
    code = code or ''
    return (len(code.split('.')[0]) < 3, code)


class TrialBalance(InstitutionRowsMixin, ModelSQL, ModelView):
    "Trial Balance"
    __name__ = 'kazan.trial_balance'

    account = fields.Many2One('account.account', "Account")
    account_code = fields.Char("Code")
    # the list shows the code and the name apart (the account's rec_name
    # is both)
    account_name = fields.Function(
        fields.Char("Account Name"), 'get_account_name')
    kfo = fields.Selection(KFO, "KFO", sort=False)
    opening_debit = Monetary(
        "Opening Debit", currency='currency', digits='currency')
    opening_credit = Monetary(
        "Opening Credit", currency='currency', digits='currency')
    debit = Monetary("Debit", currency='currency', digits='currency')
    credit = Monetary("Credit", currency='currency', digits='currency')
    closing_debit = Monetary(
        "Closing Debit", currency='currency', digits='currency')
    closing_credit = Monetary(
        "Closing Credit", currency='currency', digits='currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('account_code', 'ASC'), ('kfo', 'ASC'), ('id', 'ASC')]

    def get_account_name(self, name):
        return self.account.name if self.account else None

    @classmethod
    def table_query(cls):
        context = Transaction().context
        return cls._query(
            context.get('company'), context.get('from_date'),
            context.get('to_date'), kfo=context.get('kfo'),
            posted=context.get('posted', True))

    @classmethod
    def _query(cls, company_id, from_date, to_date, kfo=None, posted=True):
        "The SQL query of the trial balance rows (one per account and КФО)"
        line, move, journal, account = tables(
            'account.move.line', 'account.move', 'account.journal',
            'account.account')

        if not (company_id and from_date and to_date):
            where = Literal(False)
        else:
            where = ((move.company == company_id)
                & (move.date <= to_date))
            if posted:
                where &= move.state == 'posted'
            if kfo:
                where &= line.kfo == kfo
        opening = ((move.date < from_date)
            | (journal.type == OPENING_JOURNAL_TYPE))
        # An integer: SQLite binds a Decimal as text, and text compares
        # greater than any number
        zero = Literal(0)
        amount = Coalesce(line.debit, zero) - Coalesce(line.credit, zero)
        totals = (line
            .join(move, condition=line.move == move.id)
            .join(journal, condition=move.journal == journal.id)
            .select(
                line.account.as_('account'),
                line.kfo.as_('kfo'),
                Sum(Case((opening, amount), else_=zero)).as_('opening'),
                Sum(Case((opening, zero), else_=line.debit)).as_('debit'),
                Sum(Case((opening, zero), else_=line.credit)).as_('credit'),
                where=where,
                group_by=[line.account, line.kfo]))
        closing = totals.opening + totals.debit - totals.credit

        def debit_side(balance):
            return Case((balance > zero, balance), else_=zero)

        def credit_side(balance):
            return Case((balance < zero, -balance), else_=zero)

        kfo_number = Case(
            *((totals.kfo == code, Literal(i))
                for i, (code, _) in enumerate(KFO, 1)),
            else_=Literal(0))
        query = (totals
            .join(account, condition=totals.account == account.id)
            .select(
                (totals.account * 10 + kfo_number).as_('id'),
                account.company.as_('company'),
                totals.account.as_('account'),
                account.code.as_('account_code'),
                totals.kfo.as_('kfo'),
                debit_side(totals.opening).as_('opening_debit'),
                credit_side(totals.opening).as_('opening_credit'),
                totals.debit.as_('debit'),
                totals.credit.as_('credit'),
                debit_side(closing).as_('closing_debit'),
                credit_side(closing).as_('closing_credit'),
                where=((totals.opening != zero)
                    | (totals.debit != zero)
                    | (totals.credit != zero))))
        return query

    @classmethod
    def compute(cls, company, from_date, to_date, kfo=None, posted=True):
        """Return the rows of the trial balance of company, ordered by
        account code and КФО, with amounts rounded to the currency"""
        query = cls._query(
            company.id, from_date, to_date, kfo=kfo, posted=posted)
        if backend.name == 'sqlite':
            sqlite_apply_types(query, [None, None, None, None, None]
                + ['NUMERIC'] * 6)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        currency = company.currency
        rows = []
        for (_, _, account, code, kfo, *amounts) in cursor:
            amounts = [currency.round(Decimal(a or 0)) for a in amounts]
            rows.append(Row(account, code, kfo, *amounts))
        rows.sort(key=lambda r: (account_sort_key(r.code), r.kfo))
        return rows

    @classmethod
    def period_start(cls, company, date):
        """The first day of the period ending at date: the start of the
        fiscal year, or the institution's first day in the service if
        later"""
        start = dt.date(date.year, 1, 1)
        if company.service_start_date and company.service_start_date > start:
            start = company.service_start_date
        return start


class PeriodContextMixin:
    """A period of an institution's statements: to today by default, from
    the start of its period (TrialBalance.period_start)"""
    __slots__ = ()

    from_date = fields.Date(
        "From Date", required=True,
        domain=[
            If(Eval('to_date'), ('from_date', '<=', Eval('to_date')), ()),
            ])
    to_date = fields.Date(
        "To Date", required=True,
        domain=[
            If(Eval('from_date'), ('to_date', '>=', Eval('from_date')), ()),
            ])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('to_date') or Date.today()

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Company = pool.get('company.company')
        context = Transaction().context
        if context.get('from_date'):
            return context['from_date']
        to_date = cls.default_to_date()
        company_id = cls.default_company()
        if company_id is not None and company_id >= 0:
            return TrialBalance.period_start(Company(company_id), to_date)
        return to_date.replace(month=1, day=1)


class TrialBalanceContext(PeriodContextMixin, ModelView):
    "Trial Balance Context"
    __name__ = 'kazan.trial_balance.context'

    company = fields.Many2One('company.company', "Institution", required=True)
    kfo = fields.Selection(
        [(None, "")] + KFO, "KFO", sort=False,
        help="Leave empty for all financing sources.")
    posted = fields.Boolean(
        "Posted Moves", help="Only include posted moves.")

    @classmethod
    def default_posted(cls):
        return True
