# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The forms of the obligations and the settlements, computed from the
ledger alone: the report on obligations (form 0503738), the receivables and
payables (0503769) and the journals of operations (0504071).

The same engine as statement_engine: one SQL query per form over the
posted move lines of one institution, or of every institution of a founder
for its consolidation (0503738, 0503769), aggregated by account, КФО and the
analytic codes the form needs; the aggregated rows are then put onto the
lines of the form in Python, with the lines and codes kept as data in
``forms/`` (unconfirmed ones marked there).
"""
import datetime as dt
import os
from collections import defaultdict, namedtuple
from decimal import Decimal
from functools import lru_cache

from sql.aggregate import Sum

from trytond.pool import Pool

from .plan import section_of_kosgu
from .statement_engine import (
    FORMS_DIR, KFO_COLUMNS, TOTAL_KFO, _Chart, _fetch, _in, _journal_ids,
    _lines_of, _more_work_memory, _plan_key, _planned, _posted_moves,
    _read_csv, _round, kfo_order, kosgu_names, period_starts, year_turnovers)
from .trial_balance import OPENING_JOURNAL_TYPE

# The accounts of the obligations (brief §3, entries 18 and 19): an
# obligation is credited to 502.11 (Dr 506.10), a monetary obligation to
# 502.12 (Dr 502.11)
ACCEPTED_ACCOUNT = '502.11'
MONETARY_ACCOUNT = '502.12'

ObligationRow = namedtuple('ObligationRow', [
        'kfo', 'section', 'line_code', 'kvr', 'kosgu', 'planned',
        'accepted', 'monetary', 'executed', 'not_executed',
        'not_executed_monetary'])
DebtRow = namedtuple('DebtRow', [
        'kind', 'account', 'name', 'level', 'kfo', 'year_start', 'increase',
        'decrease', 'period_end'])
# One entry of a journal of operations: a debit and a credit account
OperationRow = namedtuple('OperationRow', [
        'journal', 'date', 'number', 'description', 'debit_account',
        'credit_account', 'kfo', 'amount'])

OBLIGATION_AMOUNTS = ObligationRow._fields[5:]
ZERO = Decimal(0)


@lru_cache(maxsize=None)
def form_data(name):
    "The rows of forms/<name>.csv"
    return tuple(_read_csv(os.path.join(FORMS_DIR, f'{name}.csv')))


def obligation_lines():
    "The lines of form 0503738 (forms/obligations.csv)"
    return form_data('obligations')


def debt_accounts():
    "The synthetic accounts of form 0503769 (forms/debts.csv)"
    return form_data('debts')


@lru_cache(maxsize=None)
def operations_journals():
    """The journals of operations of form 0504071 with their account
    prefixes (forms/operations_journals.csv)"""
    return tuple(dict(r, prefixes=tuple(r['accounts'].split()))
        for r in form_data('operations_journals'))


def _obligation_line(section):
    return next((l for l in obligation_lines()
            if l['section'] == section and not l['kosgu']), None)


def obligations(company_ids, date):
    """The report on obligations (form 0503738) from 1 January to date.

    By КФО, КВР and КОСГУ: planned is the approved plan of the year as of
    date (its payments, read from the plan as in 0503737; its approval posts
    the same on 504.10 / 506.10); accepted the credit turnover of 502.11
    (obligations accepted); monetary the credit turnover of 502.12 (monetary
    obligations accepted); executed the payments, the credit less debit of
    the cash accounts (201.11, 201.21, 201.34...: the ledger posts the
    payments there with their КВР and КОСГУ, not on the off-balance account
    18) with a КОСГУ of expenses (2xx, 3xx) or none, the same figure as the
    expenses executed of 0503737; the obligations whose КОСГУ is one of the
    sources of financing (5xx, 6xx) make the section sources, without plan
    nor execution; not_executed is accepted less executed,
    not_executed_monetary monetary less executed.  The opening-balance moves
    are left out.  Which obligations were accepted by competitive
    procurement the ledger does not tell.

    Rows per КФО with any figure: the section totals (expense, sources)
    each followed by its rows by КВР and КОСГУ, then the total of the КФО.
    """
    company_ids = list(company_ids)
    if not company_ids:
        return []
    chart = _Chart(company_ids)
    roles = {}
    for account in chart.accounts.values():
        if account.code == ACCEPTED_ACCOUNT:
            roles[account.id] = 'accepted'
        elif account.code == MONETARY_ACCOUNT:
            roles[account.id] = 'monetary'
    for account_id in chart.account_ids(
            lambda t: chart.cash_kind(t.id) is not None):
        roles[account_id] = 'executed'

    figures = defaultdict(lambda: defaultdict(Decimal))  # key: role: amount
    for account_id, kfo, kvr, kosgu, debit, credit in year_turnovers(
            company_ids, date, roles):
        role = roles[account_id]
        section = section_of_kosgu(kosgu)
        if role == 'executed':
            # a line without КОСГУ pays when credited (as in 0503737)
            if section is None:
                section, kosgu, amount = 'expense', '', credit
            elif section != 'expense':
                # receipts, and the transfers between the cash accounts
                # (510, 610), pay no obligation
                continue
            else:
                amount = credit - debit
        else:
            if section not in {'expense', 'sources'}:
                section, kosgu = 'expense', ''
            amount = credit
        figures[_plan_key(kfo, section, kvr, kosgu)][role] += amount

    for key, amount in _planned(company_ids, date).items():
        if key[1] == 'expense':
            figures[key]['planned'] += amount

    rows = []
    for kfo in sorted({k[0] for k in figures}, key=kfo_order):
        kfo_rows = []
        for section in ['expense', 'sources']:
            section_rows = sorted((_obligation_row(
                        kfo, section, key[2], key[3], figures[key])
                    for key in figures if key[:2] == (kfo, section)),
                key=lambda r: (r.kvr, r.kosgu))
            if not section_rows:
                continue
            kfo_rows.append(_obligation_total(kfo, section, section_rows))
            kfo_rows.extend(section_rows)
        rows.extend(kfo_rows)
        rows.append(_obligation_total(kfo, 'total',
                [r for r in kfo_rows if r.kvr or r.kosgu]))
    return rows


def _obligation_row(kfo, section, kvr, kosgu, figures):
    line = _obligation_line(section)
    planned, accepted, monetary, executed = (
        figures.get(n, ZERO)
        for n in ['planned', 'accepted', 'monetary', 'executed'])
    return ObligationRow(kfo, section, line['line_code'] if line else '',
        kvr, kosgu, *map(_round, [planned, accepted, monetary, executed,
                accepted - executed, monetary - executed]))


def _obligation_total(kfo, section, rows):
    line = _obligation_line(section)
    return ObligationRow(kfo, section, line['line_code'] if line else '',
        '', '', *(_round(sum((getattr(r, f) for r in rows), ZERO))
            for f in OBLIGATION_AMOUNTS))


def obligation_name(row):
    "The name of a row of obligations: its line's, or its КОСГУ's"
    if row.kvr or row.kosgu:
        return kosgu_names().get(row.kosgu, '')
    line = _obligation_line(row.section)
    return line['name'] if line else ''


def debts(company_ids, date):
    """The receivables and payables (form 0503769) at date.

    For the accounts under the synthetic accounts of forms/debts.csv (205,
    206, 208, 209 receivable; 302, 303, 304 payable), by account code and
    КФО: year_start, the balance when the period starts (the first day of
    the year, or the institution's start in the service, its opening
    balance counting as opening, as in the balance 0503730); increase and
    decrease, the turnovers since (debits and credits of a receivable,
    credits and debits of a payable); period_end, the balance at date.  A
    receivable is debit less credit, a payable credit less debit.  What is
    long-term or overdue the ledger does not tell (no term nor due date on
    a move line), nor is the prior year's same date compared.

    Rows by kind (receivable, payable): each synthetic account (level 0)
    followed by its accounts with any figure (level 1), per КФО ('2' …
    '7', 'total'), then the total of the kind (account 'TOTAL').
    """
    company_ids = list(company_ids)
    if not company_ids:
        return []
    chart = _Chart(company_ids)
    synthetic = {a['account']: a for a in debt_accounts()}
    accounts = {}  # id: synthetic account
    for account in chart.accounts.values():
        head = (account.code or '').split('.')[0]
        if head in synthetic and account.type and (
                chart.types[account.type].statement == 'balance'):
            accounts[account.id] = head

    # (code, kfo): [year_start, debit, credit], as debit less credit
    sums = defaultdict(lambda: [ZERO, ZERO, ZERO])
    if accounts:
        moves = _posted_moves(
            company_ids, date, starts=period_starts(company_ids, date))
        line, join = _lines_of(moves)
        query = join.select(
            line.account.as_('account'), line.kfo.as_('kfo'),
            moves.opening.as_('opening'),
            Sum(line.debit).as_('debit'), Sum(line.credit).as_('credit'),
            where=_in(line.account, accounts),
            group_by=[line.account, line.kfo, moves.opening])
        _more_work_memory()
        for account_id, kfo, opening, debit, credit in _fetch(
                query, [None, None, None, 'NUMERIC', 'NUMERIC']):
            debit, credit = Decimal(str(debit or 0)), Decimal(str(credit or 0))
            code = chart.accounts[account_id].code
            for key in [code, accounts[account_id]]:
                for column in [kfo, TOTAL_KFO]:
                    figures = sums[(key, column)]
                    if opening:
                        figures[0] += debit - credit
                    else:
                        figures[1] += debit
                        figures[2] += credit

    names = {a.code: a.name for a in chart.accounts.values()}
    rows = []
    for kind in ['receivable', 'payable']:
        heads = [a for a in debt_accounts() if a['kind'] == kind]
        totals = defaultdict(lambda: [ZERO] * 4)
        for head in heads:
            codes = sorted({c for c, _ in sums
                    if c.split('.')[0] == head['account']
                    and c != head['account']})
            for code, level in [(head['account'], 0)] + [
                    (c, 1) for c in codes]:
                for kfo in KFO_COLUMNS:
                    row = _debt_row(kind, code,
                        head['name'] if level == 0 else names.get(code, ''),
                        level, kfo, sums.get((code, kfo)))
                    rows.append(row)
                    if level == 0:
                        totals[kfo] = [t + v for t, v in zip(
                                totals[kfo], row[5:])]
        for kfo in KFO_COLUMNS:
            rows.append(DebtRow(kind, 'TOTAL', '', 0, kfo,
                    *map(_round, totals[kfo])))
    return rows


def _debt_row(kind, code, name, level, kfo, figures):
    opening, debit, credit = figures or (ZERO, ZERO, ZERO)
    if kind == 'receivable':
        year_start, increase, decrease = opening, debit, credit
    else:
        year_start, increase, decrease = -opening, credit, debit
    return DebtRow(kind, code, name, level, kfo, *map(_round, [
                year_start, increase, decrease,
                year_start + increase - decrease]))


def month_start(date):
    return date.replace(day=1)


def operations(company_ids, date):
    """The journals of operations (form 0504071) of the month of date, from
    its first day to date.

    The entries of the posted moves of the month, without the
    opening-balance moves: within a move and a КФО, the debit lines are
    matched with the credit lines in their order (_pairs), so that the
    entries of a move sum to its debit turnover.  An entry belongs to the
    first journal of forms/operations_journals.csv one of whose account
    prefixes starts its debit or credit account, else to the journal
    without prefixes (other operations).  Rows by journal, date, move
    number.
    """
    company_ids = list(company_ids)
    if not company_ids:
        return []
    pool = Pool()
    move = pool.get('account.move').__table__()
    account = pool.get('account.account').__table__()
    opening_journals = _journal_ids(OPENING_JOURNAL_TYPE)
    moves = _posted_moves(company_ids, date, month_start(date),
        where=lambda m: ~_in(m.journal, opening_journals))
    line, join = _lines_of(moves)
    join = (join.join(move, condition=move.id == moves.id)
        .join(account, condition=account.id == line.account))
    query = join.select(
        move.id.as_('move'), move.date.as_('date'),
        move.number.as_('number'), move.description.as_('description'),
        line.description.as_('line_description'), account.code.as_('code'),
        line.kfo.as_('kfo'), line.debit.as_('debit'),
        line.credit.as_('credit'),
        order_by=[move.date, move.number, move.id, line.id])
    entries = defaultdict(list)  # (move, kfo): lines
    heads = {}
    for (move_id, date_, number, description, line_description, code, kfo,
            debit, credit) in _fetch(query, [None, 'DATE'] + [None] * 5
                + ['NUMERIC', 'NUMERIC']):
        if isinstance(date_, str):
            date_ = dt.date.fromisoformat(date_[:10])
        entries[(move_id, kfo)].append((code,
                Decimal(str(debit or 0)), Decimal(str(credit or 0)),
                line_description))
        heads[move_id] = (date_, number or '', description or '')

    rows = []
    for (move_id, kfo), lines in entries.items():
        date_, number, description = heads[move_id]
        for debit_account, credit_account, amount, text in _pairs(lines):
            rows.append(OperationRow(
                    _journal_of(debit_account, credit_account), date_,
                    number, description or text or '', debit_account,
                    credit_account, kfo, _round(amount)))
    order = {j['journal']: i for i, j in enumerate(operations_journals())}
    rows.sort(key=lambda r: (order.get(r.journal, len(order)), r.date,
            r.number, r.debit_account, r.credit_account))
    return rows


def _pairs(lines):
    """The entries (debit, credit, amount, description) of the lines of a
    move in one КФО, in their order: each debit line is matched with the
    credit lines in turn, an entry for each amount they share (a move of
    pairs gives its pairs, one debit against several credits an entry per
    credit); what is left unmatched is an entry without its other side"""
    debits = [[c, d, t] for c, d, _, t in lines if d]
    credits = [[c, k, t] for c, _, k, t in lines if k]
    result = []
    while debits and credits:
        debit, credit = debits[0], credits[0]
        amount = min(debit[1], credit[1])
        result.append((debit[0], credit[0], amount, debit[2] or credit[2]))
        for side, remaining in [(debits, debit), (credits, credit)]:
            remaining[1] -= amount
            if not remaining[1]:
                side.pop(0)
    result += [(c, '', a, t) for c, a, t in debits]
    result += [('', c, a, t) for c, a, t in credits]
    return result


def _journal_of(debit_account, credit_account):
    rest = None
    for journal in operations_journals():
        if not journal['prefixes']:
            rest = rest or journal['journal']
        elif any(a.startswith(journal['prefixes'])
                for a in [debit_account, credit_account] if a):
            return journal['journal']
    return rest


def operation_journal_name(number):
    return next((j['name'] for j in operations_journals()
            if j['journal'] == number), '')
