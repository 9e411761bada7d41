#!/usr/bin/env python3
"""Write the sample statements of the sample batch (interfaces.md §5).

    python scripts/generate_sample_statements.py \\
        --batch data/sample_batch --out data/sample_statements

The statements of 2–16 March 2026 of the institutions that start in the
service on 1 March (the others have January and February of payroll in
their ledgers, which the generator does not know), before the payroll's
first payment of March (the advance, on the 17th): so each statement's
opening balance is the ledger's.  Every sixth institution gets the CSV
layout.  The same arguments always give byte-identical files
(tests/fixtures/bank_statements.py).
"""
import argparse
import csv
import datetime as dt
import os
import pathlib
import sys

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
    args = parser.parse_args(argv)
    with open(args.batch / 'institutions.csv', encoding='utf-8-sig',
            newline='') as f:
        started = {row['inn'] for row in csv.DictReader(f, delimiter=';')
            if row['start_date'] == MONTH.isoformat()}
    paths = bank_statements.generate(args.batch, args.out, month=MONTH,
        per_day=args.per_day, csv_every=6, institutions=started,
        until=UNTIL)
    print(f"{len(paths)} statement files in {args.out}")


if __name__ == '__main__':
    main()
