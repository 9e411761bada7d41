"""The sample plans (data/sample_plans.csv) and ``kazan plan import``.

The sample file must be what kazan.sample_plans makes of the sample batch,
and make sense: a plan per institution, balanced per КФО, wages of twelve
months of the staff.  The command is run end to end on a small database
(two institutions of the sample batch, onboarded by ``kazan onboard``):
the whole file or nothing, errors with their file, line and column,
idempotent, amendments from a second file.
"""
import csv
import filecmp
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import uuid
from collections import defaultdict
from decimal import Decimal

from kazan import sample_plans
from kazan.sample_batch import monthly_gross

from .commands import KAZAN, command_env, drop_postgresql_database

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = REPO / 'data' / 'sample_batch'
PLANS = REPO / 'data' / 'sample_plans.csv'
BATCH_FILES = ['institutions.csv', 'opening_balances.csv', 'employees.csv']


def read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


def write_csv(path, rows, columns):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        writer = csv.DictWriter(f, columns, delimiter=';',
            lineterminator='\n')
        writer.writeheader()
        writer.writerows(rows)


class SamplePlansTestCase(unittest.TestCase):
    "The sample plans: no database"

    def test_regenerated_identical(self):
        with tempfile.TemporaryDirectory() as folder:
            out = pathlib.Path(folder) / 'plans.csv'
            sample_plans.generate(SAMPLE, out)
            self.assertTrue(filecmp.cmp(out, PLANS, shallow=False),
                'data/sample_plans.csv differs from the generator: run '
                'python -m kazan.sample_plans')

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
        from trytond.modules.kazan_accounting.plan import read_plan_file
        plans, problems = read_plan_file(PLANS.read_bytes(), PLANS.name)
        self.assertEqual(problems, [])
        self.assertEqual(len(plans), 42)
        self.assertEqual(sum(len(p.amendments) for p in plans), 6)


class PlanCommandTestCase(unittest.TestCase):
    "kazan plan import on two institutions of the sample batch"

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-plan-'))
        cls.env = command_env(cls.workdir)
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        postgresql = uri.startswith('postgresql')
        cls.database = f'kazan_plan_{uuid.uuid4().hex[:8]}'
        cls.conf = cls.workdir / 'trytond.conf'
        cls.conf.write_text('[database]\n' + (
                f'uri = {uri}\n' if postgresql else
                f'uri = sqlite://\npath = {cls.workdir / "db"}\n'),
            encoding='utf-8')
        cls.args = ['--config', str(cls.conf), '--database', cls.database]
        password = cls.workdir / 'admin-password'
        password.write_text('Kz-admin-password-1\n')

        # the first two institutions of the sample batch
        cls.inns = [r['inn'] for r in read_csv(
                SAMPLE / 'institutions.csv')[:2]]
        batch = cls.workdir / 'batch'
        batch.mkdir()
        for name in BATCH_FILES:
            with open(SAMPLE / name, encoding='utf-8', newline='') as f:
                columns = next(csv.reader(f, delimiter=';'))
            write_csv(batch / name, [r for r in read_csv(SAMPLE / name)
                    if r['inn'] in cls.inns], columns)
        cls.plans = [r for r in read_csv(PLANS) if r['inn'] in cls.inns]
        cls.plan_file = cls.workdir / 'plans.csv'
        write_csv(cls.plan_file, cls.plans, sample_plans.COLUMNS)

        cls.kazan('init', '--admin-password-file', str(password))
        cls.kazan('onboard', str(batch))

    @classmethod
    def tearDownClass(cls):
        drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, *args, check=True):
        result = subprocess.run(
            [KAZAN, *args, *cls.args], env=cls.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=1200)
        if check and result.returncode != 0:
            raise AssertionError(
                f'kazan {" ".join(args)} exited {result.returncode}:\n'
                f'{result.stdout}\n{result.stderr}')
        return result

    def planned(self):
        "{(inn, kfo, kvr, kosgu): (original, amended)} in the database"
        script = textwrap.dedent('''
            import sys
            from kazan import config, database
            settings = config.resolve(sys.argv[1], sys.argv[2])
            def dump(pool):
                Plan = pool.get('kazan.plan')
                for plan in Plan.search([]):
                    for t in plan.totals():
                        print(plan.company.inn, plan.state, t.kfo, t.kvr,
                            t.kosgu, t.original, t.total, sep=';')
            database.run(settings, dump, readonly=True)
            ''')
        result = subprocess.run(
            [sys.executable, '-c', script, str(self.conf), self.database],
            env=self.env, capture_output=True, text=True, check=True,
            cwd=REPO)
        planned = {}
        for line in result.stdout.splitlines():
            inn, state, kfo, kvr, kosgu, original, total = line.split(';')
            self.assertEqual(state, 'approved')
            planned[inn, kfo, kvr, kosgu] = (
                Decimal(original), Decimal(total))
        return planned

    def test_import(self):
        # 1. the whole sample file: 40 institutions are not in this
        # database, so nothing is written
        result = self.kazan('plan', 'import', str(PLANS), check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stderr.count('sample_plans.csv:'), 40)
        self.assertIn('ничего не записано', result.stderr)
        self.assertEqual(self.planned(), {})

        # 2. a bad КОСГУ: named by file, line and column
        bad = self.workdir / 'bad.csv'
        rows = [dict(r) for r in self.plans]
        rows[3]['kosgu'] = '21'
        write_csv(bad, rows, sample_plans.COLUMNS)
        result = self.kazan('plan', 'import', str(bad), check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('bad.csv:5:kosgu', result.stderr)
        self.assertEqual(self.planned(), {})

        # 3. the two institutions' plans, approved
        result = self.kazan('plan', 'import', str(self.plan_file),
            '--year', '2026')
        self.assertIn('создано 2', result.stdout)
        expected = defaultdict(Decimal)
        for row in self.plans:
            expected[row['inn'], row['kfo'], row['kvr'], row['kosgu']] += (
                Decimal(row['amount']))
        planned = self.planned()
        self.assertEqual({k: v[0] for k, v in planned.items()},
            dict(expected))

        # 4. again: nothing changes
        result = self.kazan('plan', 'import', str(self.plan_file))
        self.assertIn('без изменений 2', result.stdout)
        self.assertIn('ничего не изменено', result.stdout)

        # 5. an approved plan is not overwritten by another file
        changed = self.workdir / 'changed.csv'
        rows = [dict(r) for r in self.plans]
        rows[1]['amount'] = '1.00'
        write_csv(changed, rows, sample_plans.COLUMNS)
        result = self.kazan('plan', 'import', str(changed), check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('changed.csv:2', result.stderr)
        self.assertEqual(self.planned(), planned)

        # 6. an amendment in a file of its own, in Windows-1251 with ','
        amendment = self.workdir / 'amendment.csv'
        inn = self.inns[0]
        amendment.write_bytes((
                'inn,year,kfo,line_code,kvr,kosgu,amount,amendment,'
                'amendment_date\n'
                f'{inn},2026,4,1210,,131,"-1000,00",№ 1,01.06.2026\n'
                f'{inn},2026,4,2640,244,226,"-1000,00",№ 1,01.06.2026\n'
                ).encode('cp1251'))
        result = self.kazan('plan', 'import', str(amendment))
        self.assertIn('изменено 1', result.stdout)
        after = self.planned()
        for kosgu, kvr in [('131', ''), ('226', '244')]:
            original, total = after[inn, '4', kvr, kosgu]
            self.assertEqual(total, original - 1000)
        result = self.kazan('plan', 'import', str(amendment))
        self.assertIn('ничего не изменено', result.stdout)

        # bad usage
        result = self.kazan('plan', 'import', str(self.workdir / 'none.csv'),
            check=False)
        self.assertEqual(result.returncode, 2)
