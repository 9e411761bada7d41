"""``kazan statements``: the statements of each institution as of a date.

For now the trial balance (interfaces.md §4, ``trial_balance.csv``); the
forms 0503730, 0503721 and 0503737 come with the statements issue.  Each
institution gets a folder named by its INN; a founder whose institutions
are all asked for gets a folder ``founder-F`` with their sum.
"""
import csv
from collections import defaultdict
from decimal import Decimal

from .progress import Progress

FORMATS = ['csv']
TRIAL_BALANCE_COLUMNS = [
    'account', 'kfo', 'opening_debit', 'opening_credit', 'debit', 'credit',
    'closing_debit', 'closing_credit']
AMOUNTS = TRIAL_BALANCE_COLUMNS[2:]


def select_institutions(Company, inns=None, founder=None):
    """The institutions asked for, and the INNs asked for that are not
    institutions of the database"""
    domain = [('inn', '!=', None)]
    if inns:
        domain.append(('inn', 'in', inns))
    if founder:
        domain.append(('founder', '=', founder))
    companies = Company.search(domain, order=[('inn', 'ASC')])
    missing = sorted(set(inns or []) - {c.inn for c in companies})
    return companies, missing


def complete_founders(Company, companies):
    "The founders all of whose institutions are among companies"
    asked = defaultdict(set)
    for company in companies:
        if company.founder:
            asked[company.founder].add(company.id)
    founders = []
    for founder, ids in sorted(asked.items()):
        every = {c.id for c in Company.search([('founder', '=', founder)])}
        if ids == every:
            founders.append(founder)
    return founders


def write_trial_balance(path, rows):
    "Write rows (trial_balance.Row or dicts) and a TOTAL row to path"
    totals = dict.fromkeys(AMOUNTS, Decimal(0))
    with open(path, 'w', encoding='utf-8', newline='') as f:
        writer = csv.writer(f, delimiter=';', lineterminator='\n')
        writer.writerow(TRIAL_BALANCE_COLUMNS)
        for row in rows:
            amounts = [getattr(row, a) for a in AMOUNTS]
            writer.writerow([row.code, row.kfo] + [_amount(a) for a in amounts])
            for name, amount in zip(AMOUNTS, amounts):
                totals[name] += amount
        writer.writerow(['TOTAL', ''] + [_amount(totals[a]) for a in AMOUNTS])


def _amount(value):
    return f'{Decimal(value):.2f}'


def consolidate(row_lists):
    "Sum trial balances of several institutions by account code and КФО"
    from trytond.modules.kazan_accounting.trial_balance import (
        Row, account_sort_key)
    sums = {}
    for rows in row_lists:
        for row in rows:
            key = (row.code, row.kfo)
            if key not in sums:
                sums[key] = dict.fromkeys(AMOUNTS, Decimal(0))
            for name in AMOUNTS:
                sums[key][name] += getattr(row, name)
    return [Row(None, code, kfo, **sums[(code, kfo)])
        for code, kfo in sorted(
            sums, key=lambda k: (account_sort_key(k[0]), k[1]))]


def run(pool, date, out_dir, inns=None, founder=None, formats=('csv',)):
    """Write the statements; return (written institutions, failures)"""
    Company = pool.get('company.company')
    TrialBalance = pool.get('kazan.trial_balance')

    companies, missing = select_institutions(Company, inns, founder)
    failures = [(inn, "учреждение с таким ИНН не найдено") for inn in missing]
    out_dir.mkdir(parents=True, exist_ok=True)
    by_founder = defaultdict(list)
    with Progress(len(companies), "Отчетность") as progress:
        for company in companies:
            rows = TrialBalance.compute(
                company, TrialBalance.period_start(company, date), date)
            folder = out_dir / company.inn
            folder.mkdir(exist_ok=True)
            write_trial_balance(folder / 'trial_balance.csv', rows)
            by_founder[company.founder].append(rows)
            progress.step(company.inn)
    for founder_code in complete_founders(Company, companies):
        folder = out_dir / f'founder-{founder_code}'
        folder.mkdir(exist_ok=True)
        write_trial_balance(
            folder / 'trial_balance.csv',
            consolidate(by_founder[founder_code]))
    return companies, failures
