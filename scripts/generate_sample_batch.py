#!/usr/bin/env python3
"""Write a synthetic onboarding batch (interfaces.md §2).

    python scripts/generate_sample_batch.py --out data/sample_batch
    python scripts/generate_sample_batch.py --out /tmp/bench --institutions 658
    python scripts/generate_sample_batch.py --defective \
        --out data/defective_batch

The same arguments always give byte-identical files
(tests/fixtures/sample_batch.py).
"""
import argparse
import datetime as dt
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests.fixtures import sample_batch  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help="folder to write")
    parser.add_argument('--institutions', type=int, default=42)
    parser.add_argument('--seed', type=int, default=2026)
    parser.add_argument('--education', type=int,
        help="educational institutions (default 35/42 of the batch)")
    parser.add_argument('--culture', type=int,
        help="cultural institutions (default the rest)")
    parser.add_argument('--start-date', type=dt.date.fromisoformat,
        default=dt.date(2026, 3, 1),
        help="first day of the month most institutions start on")
    parser.add_argument('--january-starters', type=int,
        help="institutions starting on 1 January (default 5/42 of them)")
    parser.add_argument('--defective', action='store_true',
        help="write the defective test batch and its EXPECTED.md instead")
    args = parser.parse_args(argv)
    if args.defective:
        defects = sample_batch.generate_defective(args.out)
        print(f"{args.out}: defective batch, {len(defects)} defects "
            "(EXPECTED.md)")
        return 0
    if args.institutions < 1:
        parser.error('--institutions must be at least 1')
    if args.start_date.day != 1:
        parser.error('--start-date must be a first day of a month')
    given = [n for n in (args.education, args.culture) if n is not None]
    if any(n < 0 for n in given) or (len(given) == 2
            and sum(given) != args.institutions) or sum(given) > \
            args.institutions:
        parser.error('--education + --culture must equal --institutions')
    summary = sample_batch.generate(args.out,
        institutions=args.institutions, seed=args.seed,
        education=args.education, culture=args.culture,
        start_date=args.start_date,
        january_starters=args.january_starters)
    print(f"{args.out}: {summary['institutions']} institutions "
        f"({', '.join(f'{k} {n}' for k, n in summary['kinds'].items())}), "
        f"{summary['employees']} employees, "
        f"{summary['opening_balance_rows']} opening-balance lines, "
        f"debit = credit = {summary['opening_debit']}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
