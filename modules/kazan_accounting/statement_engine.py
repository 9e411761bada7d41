# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statements of the institutions, computed: the balance (form 0503730),
the financial results (0503721), the plan execution (0503737) and the
general ledger (0504072).

Each form is computed by a function over a list of institutions: one
institution, or every institution of a founder for its consolidated
statement (the same query over several companies, summed line by line).
The move lines are aggregated by one SQL query per form, by account and КФО
(and by the analytic codes the form needs); the few hundred aggregated rows
are then put onto the lines of the form in Python: through the account
types for the balance, through the КОСГУ groups kept as data in ``forms/``
for the financial results and the plan execution.

No model here: plain functions over the tables, read without record rules.
The caller decides which institutions may be asked for: the desktop
client's models (statements.py) ask only for the institutions the user may
read, ``kazan statements`` calls the functions as the service.
"""
import csv
import datetime as dt
import os
from collections import defaultdict, namedtuple
from decimal import Decimal
from functools import lru_cache

from sql import Cast, Literal, Null, Union, Window, With
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CharLength, DateTrunc, RowNumber

from trytond import backend
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction, without_check_access

from .common import KFO, KFO_CODES
from .plan import SECTIONS, section_of_kosgu
from .trial_balance import OPENING_JOURNAL_TYPE

# The column of the sum over every КФО
TOTAL_KFO = 'total'
KFO_COLUMNS = KFO_CODES + [TOTAL_KFO]
STATEMENT_KFO = KFO + [(TOTAL_KFO, "Total")]

# The two sides of the balance (interfaces.md §4)
ASSETS_TOTAL = 'ASSETS_TOTAL'
LIABILITIES_TOTAL = 'LIABILITIES_TOTAL'

# Periods of this type hold the year-end closing (closing.py): the income
# and expenses they close stay in the financial results of the year
ADJUSTMENT_PERIOD_TYPE = 'adjustment'

PLAN_SECTIONS = [s for s, _ in SECTIONS]

CENT = Decimal('0.01')
# The memory PostgreSQL may use to group the lines of a form (see
# _more_work_memory)
WORK_MEM = '32MB'
FORMS_DIR = os.path.join(os.path.dirname(__file__), 'forms')
KOSGU_FILE = os.path.join(os.path.dirname(__file__), 'chart', 'kosgu.csv')

BalanceRow = namedtuple('BalanceRow', [
        'line_code', 'name', 'level', 'kfo', 'year_start', 'period_end'])
FinancialResultRow = namedtuple('FinancialResultRow', [
        'line_code', 'name', 'kosgu', 'kfo', 'amount'])
PlanExecutionRow = namedtuple('PlanExecutionRow', [
        'kfo', 'section', 'line_code', 'kvr', 'kosgu', 'planned',
        'executed_treasury', 'executed_bank', 'executed_desk',
        'executed_noncash', 'executed', 'not_executed'])
# kind is opening, turnover or closing; month and journal (its code) only
# for the turnovers; the balances are given on their side (debit or credit)
GeneralLedgerRow = namedtuple('GeneralLedgerRow', [
        'code', 'name', 'kfo', 'kind', 'month', 'journal', 'journal_name',
        'debit', 'credit'])


def _round(value):
    return Decimal(str(value or 0)).quantize(CENT)


def _sides(balance):
    "The (debit, credit) sides of a balance"
    zero = Decimal(0).quantize(CENT)
    return (balance, zero) if balance > 0 else (zero, -balance)


def _in(column, ids):
    return fields.SQL_OPERATORS['in'](column, list(ids))


def _fetch(query, types):
    "Execute query; types are the SQLite types of its columns"
    if backend.name == 'sqlite':
        sqlite_apply_types(query, types)
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    return cursor.fetchall()


def kfo_order(kfo):
    return KFO_COLUMNS.index(kfo) if kfo in KFO_COLUMNS else len(KFO_COLUMNS)


def _prefix(code):
    "The КОСГУ codes a line of forms/ takes start with this"
    return (code or '').rstrip('0')


def _read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


@lru_cache(maxsize=None)
def kosgu_names():
    "The names of the КОСГУ codes, from the chart data"
    return {r['code']: r['name'] for r in _read_csv(KOSGU_FILE)}


@lru_cache(maxsize=None)
def financial_result_lines():
    "The lines of form 0503721 (forms/financial_results.csv)"
    return tuple(_read_csv(os.path.join(FORMS_DIR, 'financial_results.csv')))


@lru_cache(maxsize=None)
def plan_execution_lines():
    "The lines of form 0503737 (forms/plan_execution.csv)"
    return tuple(_read_csv(os.path.join(FORMS_DIR, 'plan_execution.csv')))


def _best_line(lines, code):
    "The line among lines whose КОСГУ prefix is the longest start of code"
    best = None
    for line in lines:
        prefix = _prefix(line['kosgu'])
        if (code or '').startswith(prefix) and (
                best is None or len(prefix) > len(_prefix(best['kosgu']))):
            best = line
    return best


def plan_execution_line(section, kosgu):
    "The line of form 0503737 (a row of forms/plan_execution.csv)"
    return _best_line(
        [l for l in plan_execution_lines() if l['section'] == section], kosgu)


def plan_execution_name(row):
    "The name of a row of plan_execution: its line, or its КОСГУ code"
    if row.kosgu:
        return kosgu_names().get(row.kosgu, '')
    line = plan_execution_line(row.section, row.kosgu)
    return line['name'] if line else ''


def kosgu_of_account(code):
    "The КОСГУ detail of an account code (401.10.131 → 131), if any"
    parts = (code or '').split('.')
    if len(parts) >= 3 and len(parts[-1]) == 3 and parts[-1].isdigit():
        return parts[-1]


def period_starts(company_ids, date):
    """The first day of the period ending at date of each institution
    (TrialBalance.period_start)"""
    pool = Pool()
    Company = pool.get('company.company')
    TrialBalance = pool.get('kazan.trial_balance')
    with without_check_access():
        return {c.id: TrialBalance.period_start(c, date)
            for c in Company.browse(company_ids)}


class _Chart:
    "The account types and accounts of the institutions, read once per form"

    Type = namedtuple('Type', [
            'id', 'parent', 'name', 'line_code', 'statement', 'assets',
            'revenue', 'expense', 'cash_kind'])
    Account = namedtuple('Account', ['id', 'code', 'name', 'type', 'company'])

    def __init__(self, company_ids):
        pool = Pool()
        type_ = pool.get('account.account.type').__table__()
        account = pool.get('account.account').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*type_.select(
                type_.id, type_.parent, type_.name, type_.line_code,
                type_.statement, type_.assets, type_.revenue, type_.expense,
                type_.cash_kind,
                where=_in(type_.company, company_ids),
                order_by=[type_.id]))
        self.types = {r[0]: self.Type(*r) for r in cursor}
        cursor.execute(*account.select(
                account.id, account.code, account.name, account.type,
                account.company,
                where=_in(account.company, company_ids),
                order_by=[account.id]))
        self.accounts = {r[0]: self.Account(*r) for r in cursor}
        self._ancestors = {}

    def ancestors(self, type_id):
        "The type and its parents, nearest first"
        result = self._ancestors.get(type_id)
        if result is None:
            result, current = [], type_id
            while current is not None and current in self.types:
                result.append(self.types[current])
                current = self.types[current].parent
            self._ancestors[type_id] = result
        return result

    def account_type(self, account_id):
        account = self.accounts.get(account_id)
        if account and account.type:
            return self.types.get(account.type)

    def line_types(self, type_id):
        "The types with a line code of the balance among the type's"
        return [t for t in self.ancestors(type_id) if t.line_code]

    def cash_kind(self, type_id):
        for type_ in self.ancestors(type_id):
            if type_.cash_kind:
                return type_.cash_kind

    def account_ids(self, test):
        "The accounts whose type passes test"
        return [a.id for a in self.accounts.values()
            if a.type and test(self.types[a.type])]

    def under(self, line_code):
        "The accounts whose type is, or is under, a type with line_code"
        return self.account_ids(lambda t: any(
                a.line_code == line_code for a in self.ancestors(t.id)))

    def is_income(self, type_):
        return type_.statement == 'income' and bool(type_.revenue)

    def is_expense(self, type_):
        return type_.statement == 'income' and bool(type_.expense)


def _journal_ids(type_):
    "The journals of the type (journals are shared by every institution)"
    journal = Pool().get('account.journal').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*journal.select(journal.id, where=journal.type == type_))
    return [i for i, in cursor]


def _posted_moves(company_ids, to_date, from_date=None, starts=None,
        where=None):
    """The posted moves of the institutions up to to_date (and from
    from_date) as a subquery of their id, period and journal.

    With starts (the period start of each institution), its column
    "opening" tells an opening balance: a move dated before the start, or
    in an opening-balance journal.  Computed once per move, not per line:
    the lines are then grouped by it (PostgreSQL would not match a
    parameter of the GROUP BY with the same one in the SELECT).
    """
    move = Pool().get('account.move').__table__()
    condition = (_in(move.company, company_ids)
        & (move.date <= to_date)
        & (move.state == 'posted'))
    if from_date:
        condition &= move.date >= from_date
    if where is not None:
        condition &= where(move)
    columns = [move.id.as_('id'), move.period.as_('period'),
        move.journal.as_('journal')]
    if starts is not None:
        opening = _in(move.journal, _journal_ids(OPENING_JOURNAL_TYPE))
        by_start = defaultdict(list)
        for company_id, start in starts.items():
            by_start[start].append(company_id)
        for start, ids in sorted(by_start.items()):
            if set(ids) == set(company_ids):
                opening |= move.date < start
            else:
                opening |= _in(move.company, ids) & (move.date < start)
        columns.append(opening.as_('opening'))
    return move.select(*columns, where=condition)


def _lines_of(moves):
    "The move lines of the moves subquery: (line, join)"
    line = Pool().get('account.move.line').__table__()
    return line, line.join(moves, condition=line.move == moves.id)


def _more_work_memory():
    """Let PostgreSQL group the lines in memory for this transaction.

    It overestimates the groups (the product of the distinct accounts,
    КФО, periods, journals or КОСГУ codes), and with its default 4 MB
    sorts the lines on disk instead of hashing them: for a million lines
    (bench/statements.py) EXPLAIN ANALYZE showed the general ledger in
    1.1-1.6 s instead of 0.55 s, the plan execution in 0.29 s instead of
    0.17 s."""
    if backend.name != 'postgresql':
        return
    cursor = Transaction().connection.cursor()
    cursor.execute("SELECT pg_size_bytes(current_setting('work_mem')) "
        "< pg_size_bytes(%s)", (WORK_MEM,))
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL work_mem = '%s'" % WORK_MEM)


def data_stamp(company_ids):
    """A value that changes when what the forms of the institutions are
    computed from changes (as read by the transaction): their moves, chart,
    journals, periods, plans and profile (its start in the service).

    Posted moves are never changed nor deleted (the core refuses it), so
    their number and largest id tell every new or newly posted one; the
    other tables are told by their number of rows and last write.  A few
    aggregates over indexed columns, far cheaper than a form.
    """
    pool = Pool()

    def table(name):
        return pool.get(name).__table__()

    move = table('account.move')
    queries = [move.select(
            Count(move.id), Count(move.id, filter_=move.state == 'posted'),
            Max(move.id), where=_in(move.company, company_ids))]
    for name, by_company in [
            ('company.company', 'id'),
            ('account.account', 'company'),
            ('account.account.type', 'company'),
            ('account.fiscalyear', 'company'),
            ('account.period', None),
            ('account.journal', None),
            ('kazan.plan', 'company'),
            ('kazan.plan.line', None),
            ('kazan.plan.amendment', None),
            ]:
        t = table(name)
        queries.append(t.select(
                Count(t.id), Max(t.id),
                Max(Coalesce(t.write_date, t.create_date)),
                where=_in(getattr(t, by_company), company_ids)
                if by_company else None))
    cursor = Transaction().connection.cursor()
    stamp = []
    for query in queries:
        cursor.execute(*query)
        stamp.append(tuple(cursor.fetchone()))
    return tuple(stamp)


def balance(company_ids, date):
    """The balance (form 0503730) of the institutions at date.

    One row per line of the form (an account type with a line code) and
    КФО ('2' … '7' and 'total'), then per КФО the two sides of the balance:
    ASSETS_TOTAL and LIABILITIES_TOTAL (liabilities and financial result).
    A line is the balance of the accounts of its type and of the types
    under it: debit less credit for assets, credit less debit otherwise.
    year_start is the balance when the period starts (TrialBalance: the
    first day of the year, or the institution's start in the service where
    the opening-balance moves count as opening), period_end at date.
    Off-balance accounts are left out.
    """
    company_ids = list(company_ids)
    if not company_ids:
        return []
    chart = _Chart(company_ids)
    moves = _posted_moves(
        company_ids, date, starts=period_starts(company_ids, date))
    line, join = _lines_of(moves)
    query = join.select(
        line.account.as_('account'), line.kfo.as_('kfo'),
        moves.opening.as_('opening'),
        Sum(line.debit - line.credit).as_('amount'),
        group_by=[line.account, line.kfo, moves.opening])

    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])

    def add(code, kfo, sign, amounts):
        for column in (kfo, TOTAL_KFO):
            total = sums[(code, column)]
            for i, value in enumerate(amounts):
                total[i] += sign * value

    _more_work_memory()
    for account_id, kfo, opening, amount in _fetch(
            query, [None, None, None, 'NUMERIC']):
        type_ = chart.account_type(account_id)
        if type_ is None or type_.statement == 'off-balance':
            continue
        amount = Decimal(str(amount or 0))
        amounts = [amount if opening else Decimal(0), amount]
        for line_type in chart.line_types(type_.id):
            add(line_type.line_code, kfo,
                1 if line_type.assets else -1, amounts)
        if type_.assets:
            add(ASSETS_TOTAL, kfo, 1, amounts)
        else:
            add(LIABILITIES_TOTAL, kfo, -1, amounts)

    lines = {}
    for type_ in chart.types.values():
        if type_.line_code and type_.line_code not in lines:
            level = len(chart.line_types(type_.id)) - 1
            lines[type_.line_code] = (type_.name, level, bool(type_.assets))
    assets = sorted(c for c, (_, _, a) in lines.items() if a)
    others = sorted(c for c, (_, _, a) in lines.items() if not a)
    lines[ASSETS_TOTAL] = (
        gettext('kazan_accounting.msg_balance_assets_total'), 0, True)
    lines[LIABILITIES_TOTAL] = (
        gettext('kazan_accounting.msg_balance_liabilities_total'), 0, False)
    rows = []
    for code in assets + [ASSETS_TOTAL] + others + [LIABILITIES_TOTAL]:
        name, level, _ = lines[code]
        for kfo in KFO_COLUMNS:
            year_start, period_end = sums.get((code, kfo), (0, 0))
            rows.append(BalanceRow(code, name, level, kfo,
                    _round(year_start), _round(period_end)))
    return rows


def financial_results(company_ids, from_date, to_date):
    """The financial results (form 0503721) of the institutions from
    from_date to to_date.

    Income is the turnover of the income accounts (401.10.KKK, type of an
    income statement with revenue): credit less debit; expenses that of the
    expense accounts (401.20.KKK): debit less credit.  The year-end closing
    (moves in an adjustment period) is left out, so the year's result
    survives it; the opening-balance moves dated in the period count (an
    institution that joins the service in the year brings the income and
    expenses of its first months).  The КОСГУ of a line is its own, else the
    last part of its account code.  Rows: per line of forms/
    financial_results.csv and КФО ('2' … '7', 'total'), each group followed
    by its КОСГУ codes that have any amount; the result line (290) is the
    income less the expenses.
    """
    company_ids = list(company_ids)
    if not company_ids:
        return []
    pool = Pool()
    Period = pool.get('account.period')
    period = Period.__table__()
    chart = _Chart(company_ids)
    kinds = {}
    for account_id in chart.account_ids(chart.is_income):
        kinds[account_id] = 'income'
    for account_id in chart.account_ids(chart.is_expense):
        kinds[account_id] = 'expense'

    amounts = defaultdict(Decimal)  # (kind, kosgu, kfo)
    if kinds:
        moves = _posted_moves(company_ids, to_date, from_date,
            where=lambda move: ~move.period.in_(period.select(
                    period.id,
                    where=period.type == ADJUSTMENT_PERIOD_TYPE)))
        line, join = _lines_of(moves)
        query = join.select(
            line.account.as_('account'), line.kfo.as_('kfo'),
            line.kosgu.as_('kosgu'),
            Sum(line.debit).as_('debit'), Sum(line.credit).as_('credit'),
            where=_in(line.account, kinds),
            group_by=[line.account, line.kfo, line.kosgu])
        _more_work_memory()
        for account_id, kfo, kosgu, debit, credit in _fetch(
                query, [None, None, None, 'NUMERIC', 'NUMERIC']):
            kind = kinds[account_id]
            kosgu = kosgu or kosgu_of_account(
                chart.accounts[account_id].code) or ''
            debit, credit = Decimal(str(debit or 0)), Decimal(str(credit or 0))
            amount = credit - debit if kind == 'income' else debit - credit
            amounts[(kind, kosgu, kfo)] += amount

    def amount(kind, kfo, test=lambda kosgu: True):
        return sum((a for (k, c, f), a in amounts.items()
                if k == kind and (kfo == TOTAL_KFO or f == kfo) and test(c)),
            Decimal(0))

    def is_total(line):
        return line['kosgu'].endswith('00')

    lines = financial_result_lines()
    details = defaultdict(set)  # line_code: its КОСГУ codes with an amount
    for (kind, kosgu, _), value in amounts.items():
        best = _best_line([l for l in lines if l['kind'] == kind], kosgu)
        if best is not None and value:
            details[best['line_code']].add(kosgu)

    rows = []
    for line in lines:
        code, kind = line['line_code'], line['kind']
        prefix = _prefix(line['kosgu'])
        for kfo in KFO_COLUMNS:
            if kind == 'result':
                value = amount('income', kfo) - amount('expense', kfo)
            elif is_total(line):
                value = amount(kind, kfo)
            else:
                value = amount(kind, kfo, lambda c: c.startswith(prefix))
            rows.append(FinancialResultRow(
                    code, line['name'], line['kosgu'], kfo, _round(value)))
        for kosgu in sorted(details[code]):
            for kfo in KFO_COLUMNS:
                rows.append(FinancialResultRow(
                        code, kosgu_names().get(kosgu, ''), kosgu, kfo,
                        _round(amount(kind, kfo, lambda c: c == kosgu))))
    return rows


def _plan_key(kfo, section, kvr, kosgu):
    "Receipts and sources are by КОСГУ, payments by КВР and КОСГУ"
    if section != 'expense':
        kvr = ''
    return (kfo, section, kvr or '', kosgu or '')


def _planned(company_ids, date):
    """The planned amounts as of date: the lines of the approved plan of the
    year and of its amendments dated up to date, by _plan_key"""
    pool = Pool()
    plan = pool.get('kazan.plan').__table__()
    plan_line = pool.get('kazan.plan.line').__table__()
    amendment = pool.get('kazan.plan.amendment').__table__()
    query = (plan_line
        .join(plan, condition=plan_line.plan == plan.id)
        .join(amendment, 'LEFT',
            condition=plan_line.amendment == amendment.id)
        .select(
            plan_line.kfo.as_('kfo'), plan_line.section.as_('section'),
            plan_line.kvr.as_('kvr'), plan_line.kosgu.as_('kosgu'),
            Sum(plan_line.amount).as_('amount'),
            where=_in(plan.company, company_ids)
            & (plan.year == date.year)
            & (plan.state == 'approved')
            & ((plan_line.amendment == Null) | (amendment.date <= date)),
            group_by=[plan_line.kfo, plan_line.section, plan_line.kvr,
                plan_line.kosgu]))
    planned = defaultdict(Decimal)
    for kfo, section, kvr, kosgu, amount in _fetch(
            query, [None, None, None, None, 'NUMERIC']):
        section = section or section_of_kosgu(kosgu)
        if section:
            planned[_plan_key(kfo, section, kvr, kosgu)] += Decimal(
                str(amount or 0))
    return planned


def year_turnovers(company_ids, date, account_ids):
    """The debit and credit turnovers of the accounts from 1 January to
    date, the opening-balance moves left out, by account, КФО, КВР and
    КОСГУ: rows (account, kfo, kvr, kosgu, debit, credit) of one query"""
    if not account_ids:
        return []
    opening_journals = _journal_ids(OPENING_JOURNAL_TYPE)
    moves = _posted_moves(company_ids, date, date.replace(month=1, day=1),
        where=lambda move: ~_in(move.journal, opening_journals))
    line, join = _lines_of(moves)
    query = join.select(
        line.account.as_('account'), line.kfo.as_('kfo'),
        line.kvr.as_('kvr'), line.kosgu.as_('kosgu'),
        Sum(line.debit).as_('debit'), Sum(line.credit).as_('credit'),
        where=_in(line.account, account_ids),
        group_by=[line.account, line.kfo, line.kvr, line.kosgu])
    _more_work_memory()
    return [(account_id, kfo, kvr, kosgu,
            Decimal(str(debit or 0)), Decimal(str(credit or 0)))
        for account_id, kfo, kvr, kosgu, debit, credit in _fetch(
            query, [None, None, None, None, 'NUMERIC', 'NUMERIC'])]


def plan_execution(company_ids, date):
    """The execution of the plan (form 0503737) from 1 January to date.

    planned: the approved plan of the year as of date (its amendments
    dated up to date).  executed: the movements of the cash accounts (their
    type has a cash kind: treasury, bank or desk) by КФО, КВР and КОСГУ,
    without the opening-balance moves: receipts (debit less credit) for
    income (КОСГУ 1xx), payments (credit less debit) for expenses (2xx,
    3xx), and for the sources of financing (5xx, 6xx) credit less debit, as
    the form shows an increase of the balances (510) negative.  A cash line
    without a КОСГУ is shown with an empty code, as income when debit and
    as expense when credit.  executed_noncash is 0: the non-cash operations
    of the form (offsets without a cash movement) are not told apart in the
    ledger.  Rows per КФО with any figure: the three section totals, each
    followed by its rows by line code, КВР and КОСГУ.
    """
    company_ids = list(company_ids)
    if not company_ids:
        return []
    chart = _Chart(company_ids)
    cash_kinds = {}
    for account_id in chart.account_ids(
            lambda t: chart.cash_kind(t.id) is not None):
        cash_kinds[account_id] = chart.cash_kind(
            chart.accounts[account_id].type)

    executed = defaultdict(lambda: defaultdict(Decimal))  # key: kind: amount
    for account_id, kfo, kvr, kosgu, debit, credit in year_turnovers(
            company_ids, date, cash_kinds):
        kind = cash_kinds[account_id]
        section = section_of_kosgu(kosgu)
        if section is None:
            if debit:
                executed[_plan_key(kfo, 'income', kvr, '')][kind] += debit
            if credit:
                executed[_plan_key(kfo, 'expense', kvr, '')][kind] += (
                    credit)
            continue
        amount = debit - credit if section == 'income' else credit - debit
        executed[_plan_key(kfo, section, kvr, kosgu)][kind] += amount

    planned = _planned(company_ids, date)
    keys = set(planned) | set(executed)
    rows = []
    for kfo in sorted({k[0] for k in keys}, key=kfo_order):
        for section in PLAN_SECTIONS:
            total = plan_execution_line(section, '')
            section_rows = []
            for key in keys:
                if key[:2] != (kfo, section):
                    continue
                _, _, kvr, kosgu = key
                line = plan_execution_line(section, kosgu) or total
                section_rows.append(_plan_row(
                        kfo, section, line['line_code'] if line else '',
                        kvr, kosgu, planned.get(key, Decimal(0)),
                        executed.get(key, {})))
            section_rows.sort(key=lambda r: (r.line_code, r.kvr, r.kosgu))
            rows.append(PlanExecutionRow(
                    kfo, section, total['line_code'] if total else '',
                    '', '', *(
                        _round(sum((getattr(r, f) for r in section_rows),
                                Decimal(0)))
                        for f in PlanExecutionRow._fields[5:])))
            rows.extend(section_rows)
    return rows


def _plan_row(kfo, section, line_code, kvr, kosgu, planned, executed):
    treasury = executed.get('treasury', Decimal(0))
    bank = executed.get('bank', Decimal(0))
    desk = executed.get('desk', Decimal(0))
    noncash = Decimal(0)
    total = treasury + bank + desk + noncash
    return PlanExecutionRow(kfo, section, line_code, kvr, kosgu,
        *map(_round, [planned, treasury, bank, desk, noncash, total,
                planned - total]))


def general_ledger_query(company_ids, from_date, to_date, kfo=None):
    """The SQL query of the general ledger (form 0504072): per account code
    and КФО, the opening balance at from_date (as in the trial balance),
    the turnovers by month and journal of operations, and the closing
    balance at to_date.

    Columns: id (the display order), code, name, kfo, kind ('opening',
    'turnover', 'closing'), month (first day), journal, debit, credit; a
    balance is given as debit less credit in debit (credit 0) and put on
    its side by general_ledger().
    """
    pool = Pool()
    Period = pool.get('account.period')
    Account = pool.get('account.account')
    period = Period.__table__()
    account = Account.__table__()
    moves = _posted_moves(company_ids, to_date,
        starts={c: from_date for c in company_ids})
    line, join = _lines_of(moves)
    totals = With(query=join.select(
            line.account.as_('account'), line.kfo.as_('kfo'),
            moves.period.as_('period'), moves.journal.as_('journal'),
            moves.opening.as_('opening'),
            Sum(line.debit).as_('debit'), Sum(line.credit).as_('credit'),
            where=(line.kfo == kfo) if kfo else None,
            group_by=[line.account, line.kfo, moves.period, moves.journal,
                moves.opening]))
    zero = Literal(0)
    month = Period.start_date.sql_cast(DateTrunc('month', period.start_date))
    detailed = With(query=totals
        .join(account, condition=totals.account == account.id)
        .join(period, condition=totals.period == period.id)
        .select(
            account.code.as_('code'), account.name.as_('name'),
            totals.kfo.as_('kfo'), month.as_('month'),
            totals.journal.as_('journal'),
            Case((totals.opening, totals.debit - totals.credit),
                else_=zero).as_('opening'),
            Case((totals.opening, zero), else_=totals.debit).as_('debit'),
            Case((totals.opening, zero), else_=totals.credit).as_('credit')))

    def balances(kind, order, amount, having):
        return detailed.select(
            detailed.code.as_('code'), Max(detailed.name).as_('name'),
            detailed.kfo.as_('kfo'), Literal(kind).as_('kind'),
            Literal(order).as_('kind_order'),
            Period.start_date.sql_cast(Literal(None)).as_('month'),
            Cast(Literal(None), Account.id.sql_type().base).as_('journal'),
            Sum(amount).as_('debit'), Literal(0).as_('credit'),
            group_by=[detailed.code, detailed.kfo],
            having=having)

    openings = balances('opening', 0, detailed.opening,
        Sum(detailed.opening) != zero)
    closing_amount = detailed.opening + detailed.debit - detailed.credit
    closings = balances('closing', 2, closing_amount,
        (Sum(closing_amount) != zero)
        | (Sum(detailed.debit) != zero) | (Sum(detailed.credit) != zero))
    turnovers = detailed.select(
        detailed.code.as_('code'), Max(detailed.name).as_('name'),
        detailed.kfo.as_('kfo'), Literal('turnover').as_('kind'),
        Literal(1).as_('kind_order'),
        detailed.month.as_('month'), detailed.journal.as_('journal'),
        Sum(detailed.debit).as_('debit'), Sum(detailed.credit).as_('credit'),
        group_by=[detailed.code, detailed.kfo, detailed.month,
            detailed.journal],
        having=(Sum(detailed.debit) != zero) | (Sum(detailed.credit) != zero))
    rows = Union(openings, turnovers, closings, all_=True)
    # Balance accounts (XXX.YY) by code, then the off-balance ones (NN)
    off_balance = Case((CharLength(rows.code) <= 2, Literal(1)), else_=zero)
    window = Window([], order_by=[
            off_balance.asc, rows.code.asc, rows.kfo.asc,
            rows.kind_order.asc, rows.month.asc, rows.journal.asc])
    return rows.select(
        RowNumber(window=window).as_('id'),
        rows.code.as_('code'), rows.name.as_('name'), rows.kfo.as_('kfo'),
        rows.kind.as_('kind'), rows.month.as_('month'),
        rows.journal.as_('journal'),
        rows.debit.as_('debit'), rows.credit.as_('credit'),
        with_=[totals, detailed])


def general_ledger(company_ids, from_date, to_date, kfo=None):
    """The general ledger (form 0504072) of the institutions from from_date
    to to_date: rows per account code and КФО, its opening balance, its
    turnovers per month and journal of operations, its closing balance"""
    company_ids = list(company_ids)
    if not company_ids:
        return []
    pool = Pool()
    Journal = pool.get('account.journal')
    journal_table = Journal.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*journal_table.select(
            journal_table.id, journal_table.code, journal_table.name))
    journals = {i: (code, name) for i, code, name in cursor}
    query = general_ledger_query(company_ids, from_date, to_date, kfo=kfo)
    _more_work_memory()
    rows = []
    for (_, code, name, kfo, kind, month, journal, debit, credit) in _fetch(
            query, [None] * 5 + ['DATE', None, 'NUMERIC', 'NUMERIC']):
        debit, credit = _round(debit), _round(credit)
        if kind != 'turnover':
            debit, credit = _sides(debit - credit)
        if isinstance(month, str):
            month = dt.date.fromisoformat(month[:10])
        journal_code, journal_name = journals.get(journal, (None, None))
        rows.append(GeneralLedgerRow(code, name, kfo, kind, month,
                journal_code, journal_name, debit, credit))
    return rows
