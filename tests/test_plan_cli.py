"""The sample plans (data/sample_plans.csv).

The sample file must be what tests.fixtures.sample_plans makes of the
sample batch, and make sense: a plan per institution, balanced per КФО,
wages of twelve months of the staff.  ``kazan plan import`` is run end to
end on the demo database in tests/test_cli.py (the demo imports this file).
"""
import csv
import filecmp
import pathlib
import tempfile
import unittest
from collections import defaultdict
from decimal import Decimal

from .fixtures import sample_plans
from .fixtures.sample_batch import monthly_gross

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = REPO / 'data' / 'sample_batch'
PLANS = REPO / 'data' / 'sample_plans.csv'


def read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


class SamplePlansTestCase(unittest.TestCase):
    "The sample plans: no database"

    def test_regenerated_identical(self):
        with tempfile.TemporaryDirectory() as folder:
            out = pathlib.Path(folder) / 'plans.csv'
            sample_plans.generate(SAMPLE, out)
            self.assertTrue(filecmp.cmp(out, PLANS, shallow=False),
                'data/sample_plans.csv differs from the generator: run '
                'python -m tests.fixtures.sample_plans')

    def test_plans_make_sense(self):
        rows = read_csv(PLANS)
        institutions = read_csv(SAMPLE / 'institutions.csv')
        self.assertEqual(
            list(dict.fromkeys(r['inn'] for r in rows)),
            [i['inn'] for i in institutions])
        self.assertEqual({r['year'] for r in rows}, {'2026'})

        balance = defaultdict(Decimal)
        for row in rows:
            amount = Decimal(row['amount'])
            self.assertGreater(amount, 0, row)
            sign = 1 if row['kosgu'].startswith('1') else -1
            balance[row['inn'], row['kfo'], row['amendment']] += (
                sign * amount)
        self.assertEqual({v for v in balance.values()}, {Decimal(0)})
        amended = {inn for inn, _, amendment in balance if amendment}
        self.assertEqual(len(amended), 6)

        wages = defaultdict(Decimal)
        for employee in read_csv(SAMPLE / 'employees.csv'):
            wages[employee['inn'], employee['kfo']] += 12 * monthly_gross(
                Decimal(employee['base_salary']), Decimal(employee['rate']),
                Decimal(employee['allowances']),
                int(employee['class_management']))
        planned = {(r['inn'], r['kfo']): Decimal(r['amount']) for r in rows
            if (r['kvr'], r['kosgu']) == ('111', '211')}
        self.assertEqual(set(planned), {k for k, v in wages.items() if v})
        for key, amount in planned.items():
            self.assertLessEqual(abs(amount - wages[key]), 50, key)
        # every institution is financed by the task and spends on utilities
        for institution in institutions:
            codes = {(r['kfo'], r['kvr'], r['kosgu']) for r in rows
                if r['inn'] == institution['inn']}
            self.assertLessEqual({('4', '', '131'), ('4', '111', '211'),
                    ('4', '119', '213'), ('4', '247', '223')}, codes)

    def test_read_by_the_module(self):
        from trytond.modules.kazan_accounting.plan_import import read_plan_file
        plans, problems = read_plan_file(PLANS.read_bytes(), PLANS.name)
        self.assertEqual(problems, [])
        self.assertEqual(len(plans), 42)
        self.assertEqual(sum(len(p.amendments) for p in plans), 6)
