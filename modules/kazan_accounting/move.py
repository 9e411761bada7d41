# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""КФО on every move line, and moves that balance per КФО.

Each line of an institution's ledger belongs to one financing source (КФО,
the 18th digit of the 26-digit account number).  The ledger must balance
within each КФО, not only as a whole: a move whose lines of one КФО do not
balance is refused at posting, naming the КФО and the difference.
"""
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.functions import Abs, Round, Substring

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelView, dualmethod, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .common import KFO
from .exceptions import BudgetCodeError, CashAnalyticsError, KFOBalanceError


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The moves of hundreds of institutions share the table, and every
        # statement reads one institution's (or a founder's) up to a date
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Equality()), (t.date, Index.Range())))

    @dualmethod
    @ModelView.button
    def post(cls, moves):
        cls.check_kfo_balance(moves)
        cls.check_cash_analytics(moves)
        # trytond_account 8.0 (8.0.4) Move.post fails on moves of several
        # companies in one call: its `for move in c_moves` rebinds `move`,
        # the table of its queries, and each company's round checks every
        # move.  No upstream report found (bugs.tryton.org is to be told);
        # one call per company, as the service posts for many institutions
        # at once.  tests/test_core_overrides.py pins the core's source.
        by_company = defaultdict(list)
        for move in moves:
            by_company[move.company].append(move)
        for company_moves in by_company.values():
            super().post(company_moves)

    @classmethod
    def check_kfo_balance(cls, moves):
        "Raise KFOBalanceError for the first move unbalanced within a КФО"
        pool = Pool()
        Line = pool.get('account.move.line')
        Currency = pool.get('currency.currency')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        # Cast as the core does: SQLite would compare a bound Decimal as text
        cast = Currency.rounding.sql_cast
        for sub_moves in _grouped_by_currency(moves):
            currency = sub_moves[0].company.currency
            difference = Round(
                Sum(Coalesce(line.debit, 0) - Coalesce(line.credit, 0)),
                currency.digits)
            cursor.execute(*line.select(
                    line.move, line.kfo, difference,
                    where=fields.SQL_OPERATORS['in'](
                        line.move, [m.id for m in sub_moves]),
                    group_by=[line.move, line.kfo],
                    having=Abs(difference) >= cast(abs(currency.rounding)),
                    order_by=[line.move, line.kfo],
                    limit=1))
            row = cursor.fetchone()
            if row:
                move_id, kfo, amount = row
                move = cls(move_id)
                raise KFOBalanceError(gettext(
                        'kazan_accounting.msg_move_kfo_unbalanced',
                        move=move.rec_name,
                        kfo=kfo or '-',
                        difference=currency.round(Decimal(str(amount))),
                        institution=move.company.rec_name))

    @classmethod
    def check_cash_analytics(cls, moves):
        """Raise CashAnalyticsError for the first movement of a cash account
        without its КОСГУ, or a payment (КОСГУ 2xx, 3xx) without its КВР:
        plan execution (form 0503737) is computed from them"""
        pool = Pool()
        Line = pool.get('account.move.line')
        Account = pool.get('account.account')
        Type = pool.get('account.account.type')
        line = Line.__table__()
        account = Account.__table__()
        type_ = Type.__table__()
        cursor = Transaction().connection.cursor()
        no_kosgu = Coalesce(line.kosgu, '') == ''
        no_kvr = (Coalesce(line.kvr, '') == '') & (
            Coalesce(line.credit, 0) > 0) & (
            Substring(line.kosgu, 1, 1).in_(['2', '3']))
        for sub_ids in grouped_slice(
                [m.id for m in moves], backend.MAX_QUERY_PARAMS):
            cursor.execute(*line
                .join(account, condition=line.account == account.id)
                .join(type_, condition=account.type == type_.id)
                .select(line.id, no_kosgu,
                    where=fields.SQL_OPERATORS['in'](line.move, sub_ids)
                    & (type_.cash_kind != Null)
                    & (no_kosgu | no_kvr),
                    order_by=[line.move, line.id],
                    limit=1))
            row = cursor.fetchone()
            if row:
                line_id, kosgu_missing = row
                line = Line(line_id)
                message = ('kazan_accounting.msg_move_cash_kosgu_missing'
                    if kosgu_missing else
                    'kazan_accounting.msg_move_cash_kvr_missing')
                raise CashAnalyticsError(gettext(message,
                        move=line.move.rec_name,
                        institution=line.move.company.rec_name,
                        account=line.account.rec_name,
                        kfo=line.kfo, kosgu=line.kosgu or ''))


def _grouped_by_currency(moves):
    "Moves grouped by their company's currency (for the rounding)"
    groups = defaultdict(list)
    for move in moves:
        groups[move.company.currency].append(move)
    return groups.values()


class Line(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    kfo = fields.Selection(
        KFO, "KFO", required=True, sort=False,
        states={
            'readonly': Eval('move_state') == 'posted',
            },
        help="The financing source (18th digit of the account number).")
    # The analytic codes of the budget classification that plan execution
    # (form 0503737) needs on every movement of the cash accounts.
    kosgu = fields.Char(
        "KOSGU", size=3, strip=True,
        states={
            'readonly': Eval('move_state') == 'posted',
            },
        help="The КОСГУ code of the operation (Приказ 209н), 3 digits.")
    kvr = fields.Char(
        "KVR", size=3, strip=True,
        states={
            'readonly': Eval('move_state') == 'posted',
            },
        help="The КВР code of the expense or income kind, 3 digits.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Lines are validated per КФО at posting: it must not change after
        cls._reconciliation_modify_disallow.update({'kfo', 'kosgu', 'kvr'})

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        cls.check_budget_codes(lines, field_names)

    @classmethod
    def check_budget_codes(cls, lines, field_names=None):
        "КОСГУ and КВР are three digits when given"
        if field_names and not field_names & {'kosgu', 'kvr'}:
            return
        for line in lines:
            for name in ('kosgu', 'kvr'):
                code = getattr(line, name)
                if code and not (len(code) == 3 and code.isdigit()):
                    raise BudgetCodeError(gettext(
                            'kazan_accounting.msg_budget_code_invalid',
                            field=cls.fields_get([name])[name]['string'],
                            code=code))

    @classmethod
    def default_kfo(cls):
        "The default КФО of the move's institution"
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return Company(company_id).default_kfo

    @classmethod
    def query_get(cls, table):
        "Restrict balances, ledgers and statements to context['kfo']"
        clause, fiscalyear_ids = super().query_get(table)
        kfo = Transaction().context.get('kfo')
        if kfo:
            clause &= table.kfo == kfo
        return clause, fiscalyear_ids
