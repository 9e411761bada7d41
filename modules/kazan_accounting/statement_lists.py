# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The report on obligations (0503738) and the receivables and payables
(0503769) in the desktop client: a list of the rows of statement_forms for
the institution of the context, or the sum of the institutions of a
founder, as the other statements (statements.py)."""
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary

from .common import KFO
from .statement_engine import STATEMENT_KFO
from .statement_forms import debts, obligation_name, obligations
from .statements import (
    OneDateContextMixin, OneDateStatementMixin, _indent, kfo_filter)


def _amount(string, help=''):
    return Monetary(string, currency='currency', digits='currency',
        readonly=True, help=help)


class ObligationContext(OneDateContextMixin, ModelView):
    "Obligations Context"
    __name__ = 'kazan.statement.obligation.context'

    kfo = kfo_filter(KFO)


class Obligation(OneDateStatementMixin, ModelSQL, ModelView):
    "Obligations (form 0503738)"
    __name__ = 'kazan.statement.obligation'

    kfo = fields.Selection(KFO, "KFO", sort=False, readonly=True)
    section = fields.Selection([
            ('expense', "Expenses"),
            ('sources', "Sources of Financing"),
            ('total', "Total"),
            ], "Section", sort=False, readonly=True)
    line_code = fields.Char("Line", readonly=True)
    name = fields.Char("Name", readonly=True)
    kvr = fields.Char("KVR", readonly=True)
    kosgu = fields.Char("KOSGU", readonly=True)
    planned = _amount("Planned",
        help="The approved plan of the year with its amendments dated up "
        "to the date.")
    accepted = _amount("Obligations Accepted",
        help="The credit turnover of 502.11 since 1 January.")
    monetary = _amount("Monetary Obligations Accepted",
        help="The credit turnover of 502.12 since 1 January.")
    executed = _amount("Monetary Obligations Executed",
        help="The payments from the cash accounts since 1 January.")
    not_executed = _amount("Obligations Not Executed")
    not_executed_monetary = _amount("Monetary Obligations Not Executed")

    _row_fields = ['kfo', 'section', 'line_code', 'name', 'kvr', 'kosgu',
        'planned', 'accepted', 'monetary', 'executed', 'not_executed',
        'not_executed_monetary']

    @classmethod
    def rows_on(cls, company_ids, date, kfo):
        result = []
        for i, row in enumerate(obligations(company_ids, date), 1):
            if kfo and row.kfo != kfo:
                continue
            detail = bool(row.kvr or row.kosgu)
            result.append((i, (row.kfo, row.section, row.line_code,
                        _indent(2 if detail else 0) + obligation_name(row),
                        row.kvr, row.kosgu, *row[5:])))
        return result

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.line_code, self.kvr, self.kosgu,
                    '(%s)' % self.kfo]))


class DebtContext(OneDateContextMixin, ModelView):
    "Receivables and Payables Context"
    __name__ = 'kazan.statement.debt.context'

    kfo = kfo_filter(STATEMENT_KFO)


class Debt(OneDateStatementMixin, ModelSQL, ModelView):
    "Receivables and Payables (form 0503769)"
    __name__ = 'kazan.statement.debt'

    kind = fields.Selection([
            ('receivable', "Receivables"),
            ('payable', "Payables"),
            ], "Kind", sort=False, readonly=True)
    account = fields.Char("Account", readonly=True)
    name = fields.Char("Name", readonly=True)
    kfo = fields.Selection(STATEMENT_KFO, "KFO", sort=False, readonly=True)
    year_start = _amount("Start of Year",
        help="The debt when the year (or the service) starts.")
    increase = _amount("Increase")
    decrease = _amount("Decrease")
    period_end = _amount("End of Period")

    _row_fields = ['kind', 'account', 'name', 'kfo', 'year_start',
        'increase', 'decrease', 'period_end']

    @classmethod
    def rows_on(cls, company_ids, date, kfo):
        return [(i, (r.kind, r.account, _indent(r.level) + r.name, r.kfo,
                    r.year_start, r.increase, r.decrease, r.period_end))
            for i, r in enumerate(debts(company_ids, date), 1)
            if not kfo or r.kfo == kfo]

    def get_rec_name(self, name):
        return '%s (%s)' % (self.account, self.kfo)
