#!/usr/bin/env python3
"""Write the sample statements of the sample batch (interfaces.md §5),
and the suppliers' documents their payments pay.

    python scripts/generate_sample_statements.py \\
        --batch data/sample_batch --out data/sample_statements \\
        --documents data/sample_documents.csv --plans data/sample_plans.csv

The statements of 2–16 March 2026 of the institutions that start in the
service on 1 March (the others have January and February of payroll in
their ledgers, which the generator does not know), before the payroll's
first payment of March (the advance, on the 17th): so each statement's
opening balance is the ledger's.  Every sixth institution gets the CSV
layout.  The documents file (``kazan documents import``) has an act or
a waybill for each payment to a supplier, of the same day and amount,
under the contract its purpose names while the institution's plan leaves
enough for its КФО, КВР and КОСГУ (else without a contract).  The same
arguments always give byte-identical files (tests/fixtures/bank_statements.py).
"""
import argparse
import csv
import datetime as dt
import os
import pathlib
import sys
from decimal import Decimal

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests.fixtures import bank_statements  # noqa: E402

MONTH = dt.date(2026, 3, 1)
UNTIL = dt.date(2026, 3, 16)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', required=True, type=pathlib.Path)
    parser.add_argument('--out', required=True, type=pathlib.Path)
    parser.add_argument('--per-day', type=int, default=2)
    parser.add_argument('--documents', type=pathlib.Path)
    parser.add_argument('--plans', type=pathlib.Path)
    args = parser.parse_args(argv)
    with open(args.batch / 'institutions.csv', encoding='utf-8-sig',
            newline='') as f:
        started = {row['inn'] for row in csv.DictReader(f, delimiter=';')
            if row['start_date'] == MONTH.isoformat()}
    paths = bank_statements.generate(args.batch, args.out, month=MONTH,
        per_day=args.per_day, csv_every=6, institutions=started,
        until=UNTIL)
    print(f"{len(paths)} statement files in {args.out}")
    if args.documents:
        planned = _planned(args.plans) if args.plans else None
        rows = []
        for inn in sorted(paths):
            days = [d for d in bank_statements.month_days(args.batch, inn,
                    MONTH, per_day=args.per_day) if d.date <= UNTIL]
            rows.extend(bank_statements.supplier_documents(days, inn,
                    planned.get(inn, {}) if planned else None))
        bank_statements.write_documents(args.documents, rows)
        print(f"{len(rows)} suppliers' documents in {args.documents}")


def _planned(path):
    """{inn: {(КФО, КВР, КОСГУ): amount}} of the plans of the file (their
    payments, without amendments)"""
    planned = {}
    with open(path, encoding='utf-8-sig', newline='') as f:
        for row in csv.DictReader(f, delimiter=';'):
            if row.get('amendment') or not row['kvr']:
                continue
            codes = planned.setdefault(row['inn'], {})
            key = (row['kfo'], row['kvr'], row['kosgu'])
            codes[key] = codes.get(key, Decimal(0)) + Decimal(
                row['amount'].replace(' ', '').replace(',', '.'))
    return planned


if __name__ == '__main__':
    main()
