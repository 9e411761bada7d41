"""``kazan payroll`` end to end on the sample batch (the issue's scenario).

Onboards data/sample_batch (42 institutions, 5 of them in the service
since January), runs the months through the command as an accountant's
script would, and checks the ledgers against the payroll register: the
turnovers of 302.11, 303.01, 303.15 and 303.06 in each institution's trial
balance equal the register's totals per КФО.
"""
import csv
import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest
import uuid
from collections import defaultdict
from decimal import Decimal

from kazan import parallel
from kazan.payroll import CHUNK

from .commands import (
    KAZAN, command_env, drop_postgresql_database, initialised_database)

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = REPO / 'data' / 'sample_batch'
ZERO = Decimal(0)


def read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


class PayrollCommandTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-payroll-'))
        cls.env = command_env(cls.workdir)
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        postgresql = uri.startswith('postgresql')
        cls.database = f'kazan_payroll_{uuid.uuid4().hex[:8]}'
        conf = cls.workdir / 'trytond.conf'
        conf.write_text('[database]\n' + (
                f'uri = {uri}\n' if postgresql else
                f'uri = sqlite://\npath = {cls.workdir / "db"}\n'),
            encoding='utf-8')
        cls.args = ['--config', str(conf), '--database', cls.database]
        # what kazan init makes, copied (its own tests are test_cli's)
        initialised_database(cls.database, cls.workdir / 'db')
        cls.kazan('onboard', str(SAMPLE))
        cls.employees = read_csv(SAMPLE / 'employees.csv')
        cls.starts = {r['inn']: r['start_date']
            for r in read_csv(SAMPLE / 'institutions.csv')}

    @classmethod
    def tearDownClass(cls):
        drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, check=True):
        result = subprocess.run(
            [KAZAN, command, *args, *cls.args], env=cls.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=1200)
        if check and result.returncode != 0:
            raise AssertionError(
                f'kazan {command} exited {result.returncode}:\n'
                f'{result.stdout}\n{result.stderr}')
        return result

    def test_months_posted_and_paid_match_the_ledgers(self):
        january_starts = {inn for inn, start in self.starts.items()
            if start == '2026-01-01'}
        self.assertEqual(len(january_starts), 5)

        # March before January and February: the institutions in the
        # service since January are refused (their year-to-date figures
        # would be wrong), the others are posted and committed
        result = self.kazan('payroll', '2026-03', '--post', check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        for inn in january_starts:
            self.assertIn(f'ИНН {inn}: зарплата не рассчитана', result.stderr)
        self.assertIn('01.2026', result.stderr)
        self.assertIn(f'{len(self.starts) - 5} учреждений', result.stderr)
        self.assertIn('с ошибками: 5', result.stderr)
        # posted and committed, also where its transaction was shared with
        # a refused one (kazan payroll does ten institutions a transaction
        # and each alone again when theirs fails)
        shared = next(inn
            for chunk in parallel.chunked(sorted(self.starts), 1, CHUNK)
            if january_starts & set(chunk)
            for inn in chunk if inn not in january_starts)
        out = self.workdir / 'statements-march'
        self.kazan('statements', '2026-03-31', '--institution', shared,
            '--out', str(out), '--format', 'csv')
        self.assertTrue(any(row['account'] == '302.11'
                and Decimal(row['credit']) > 0
                for row in read_csv(out / shared / 'trial_balance.csv')))

        registers = {}
        for month in ['2026-01', '2026-02', '2026-03']:
            path = self.workdir / f'register-{month}.csv'
            self.kazan('payroll', month, '--pay', '--register', str(path),
                '--payments', str(self.workdir / f'cards-{month}'))
            registers[month] = read_csv(path)
        self.assertEqual(
            {r['inn'] for r in registers['2026-01']}, january_starts)
        march = registers['2026-03']
        self.assertEqual(len(march), len(self.employees))
        self.assertEqual(list(march[0]), [
                'inn', 'personnel_number', 'snils', 'month', 'gross',
                'standard_deduction', 'ndfl', 'net', 'contributions',
                'accident_insurance', 'kfo'])
        kfo_of = {(e['inn'], e['personnel_number']): e['kfo']
            for e in self.employees}
        for row in march:
            self.assertEqual(row['month'], '2026-03')
            self.assertEqual(row['kfo'],
                kfo_of[row['inn'], row['personnel_number']])
            self.assertEqual(Decimal(row['net']),
                Decimal(row['gross']) - Decimal(row['ndfl']))
            self.assertEqual(Decimal(row['ndfl']),
                Decimal(row['ndfl']).to_integral_value())

        # the register's totals per institution and КФО, over the months
        # of the trial balance's period (from the start in the service)
        totals = defaultdict(lambda: defaultdict(lambda: ZERO))
        for rows in registers.values():
            for row in rows:
                key = row['inn'], row['kfo']
                for name in ['gross', 'ndfl', 'net', 'contributions',
                        'accident_insurance']:
                    totals[key][name] += Decimal(row[name])

        out = self.workdir / 'statements'
        self.kazan('statements', '2026-04-30', '--out', str(out))
        checked = 0
        for inn in self.starts:
            ledger = defaultdict(lambda: (ZERO, ZERO))
            for row in read_csv(out / inn / 'trial_balance.csv'):
                ledger[row['account'], row['kfo']] = (
                    Decimal(row['debit']), Decimal(row['credit']))
            for (total_inn, kfo), sums in totals.items():
                if total_inn != inn:
                    continue
                with self.subTest(inn=inn, kfo=kfo):
                    # salary accrued, then NDFL withheld and the net paid
                    self.assertEqual(ledger['302.11', kfo],
                        (sums['ndfl'] + sums['net'], sums['gross']))
                    self.assertEqual(ledger['303.01', kfo][1], sums['ndfl'])
                    self.assertEqual(ledger['303.15', kfo][1],
                        sums['contributions'])
                    self.assertEqual(ledger['303.06', kfo][1],
                        sums['accident_insurance'])
                    checked += 1
        self.assertGreaterEqual(checked, 42)

        # the salary-card lists pay the net of everybody with a card
        paid = defaultdict(lambda: ZERO)
        for path in (self.workdir / 'cards-2026-03').glob('*/*.csv'):
            for row in read_csv(path):
                paid[path.parent.name] += Decimal(row['amount'])
        for inn in self.starts:
            net = sum(v['net'] for (i, _), v in totals.items() if i == inn
                ) if inn not in january_starts else None
            if net is not None:
                self.assertEqual(paid[inn], net, inn)

        # again: nothing changes, the register is the same
        again = self.workdir / 'register-again.csv'
        result = self.kazan('payroll', '2026-03', '--post',
            '--register', str(again))
        self.assertEqual(read_csv(again), march)
