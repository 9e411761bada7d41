"""The ``kazan`` command end to end, as the README runs it.

``kazan demo --no-serve`` builds a database with two institutions, then
``kazan statements`` writes their trial balances, ``kazan init`` runs
again safely, and bad usage exits with 2.  On SQLite this is the quick
start (files under a temporary KAZAN_DATA_DIR); when the suite runs on
PostgreSQL (TRYTOND_DATABASE_URI) the same commands run with a
configuration file naming that server.
"""
import csv
import os
import pathlib
import shutil
import stat
import subprocess
import tempfile
import unittest
import uuid
from collections import defaultdict
from decimal import Decimal

from .commands import KAZAN, command_env, drop_postgresql_database

SAMPLE = pathlib.Path(__file__).resolve().parent.parent / 'data' / \
    'sample_batch'


def sample_institutions():
    with open(SAMPLE / 'institutions.csv', encoding='utf-8',
            newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


# the demo posts its subsidy moves in the first two institutions of the
# batch, and the payroll in all
FIRST, SECOND = (r['inn'] for r in sample_institutions()[:2])
# the demo's month is March 2026; its final settlement is paid on 2 April
MONTH_END = '2026-04-30'


class KazanCommandTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-cli-'))
        cls.env = command_env(cls.workdir)
        cls.args = []
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        cls.database = 'kazan'
        if uri.startswith('postgresql'):
            cls.database = f'kazan_cli_{uuid.uuid4().hex[:8]}'
            conf = cls.workdir / 'trytond.conf'
            conf.write_text(f'[database]\nuri = {uri}\n', encoding='utf-8')
            cls.args = ['--config', str(conf), '--database', cls.database]
        cls.demo = cls.kazan('demo', '--no-serve')

    @classmethod
    def tearDownClass(cls):
        if cls.args:
            drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, check=True):
        result = subprocess.run(
            [KAZAN, command, *cls.args, *args], env=cls.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(
                f'kazan {command} exited {result.returncode}:\n'
                f'{result.stdout}\n{result.stderr}')
        return result

    def read_trial_balance(self, path):
        with open(path, encoding='utf-8', newline='') as f:
            return list(csv.DictReader(f, delimiter=';'))

    def test_demo_prints_trial_balances_and_logins(self):
        out = self.demo.stdout
        self.assertIn('учреждений в пакете: 42; подключено: 42', out)
        self.assertIn(f'ИНН {FIRST}', out)
        self.assertIn(f'ИНН {SECOND}', out)
        self.assertIn('401.20.211', out)
        for login in ['admin', 'accountant']:
            self.assertIn(f'  {login} (', out)
        self.assertIn('руководители учреждений (42: ', out)
        for name in ['demo-credentials.csv', 'demo-directors.csv']:
            credentials = self.workdir / 'var' / name
            self.assertEqual(
                stat.S_IMODE(credentials.stat().st_mode), 0o600)
            # passwords live in the files, never on the screen
            with open(credentials, encoding='utf-8') as f:
                for row in csv.DictReader(f, delimiter=';'):
                    self.assertNotIn(row['password'],
                        out + self.demo.stderr)

    def test_statements_write_trial_balance_csv(self):
        out = self.workdir / 'statements'
        self.kazan('statements', MONTH_END, '--out', str(out))
        rows = self.read_trial_balance(out / FIRST / 'trial_balance.csv')
        self.assertEqual(list(rows[0].keys()), [
                'account', 'kfo', 'opening_debit', 'opening_credit',
                'debit', 'credit', 'closing_debit', 'closing_credit'])
        by_key = {(r['account'], r['kfo']): r for r in rows}
        # the subsidy and the payroll of the months are turnovers: the
        # salary accrued and paid as in the demo's payroll registers
        gross = net = Decimal(0)
        for register in (self.workdir / 'var').glob('demo-register-*.csv'):
            for row in self.read_trial_balance(register):
                if row['inn'] == FIRST and row['kfo'] == '4':
                    gross += Decimal(row['gross'])
                    net += Decimal(row['net'])
        self.assertGreater(gross, 0)
        self.assertEqual(
            Decimal(by_key[('401.20.211', '4')]['debit']), gross)
        self.assertEqual(by_key[('401.10.131', '4')]['credit'],
            '1000000.00')
        cash = by_key[('201.11', '4')]
        self.assertEqual(
            Decimal(cash['closing_debit']) - Decimal(cash['closing_credit'])
            - Decimal(cash['opening_debit'])
            + Decimal(cash['opening_credit']),
            Decimal('1000000.00') - net)
        total = rows[-1]
        self.assertEqual(total['account'], 'TOTAL')
        self.assertEqual(total['opening_debit'], total['opening_credit'])
        self.assertEqual(total['debit'], total['credit'])
        self.assertEqual(total['closing_debit'], total['closing_credit'])
        # every institution was asked for: one folder per founder, holding
        # the sum of its institutions
        for founder in ['education', 'culture']:
            inns = [r['inn'] for r in sample_institutions()
                if r['founder'] == founder]
            expected = defaultdict(lambda: defaultdict(Decimal))
            for inn in inns:
                for row in self.read_trial_balance(
                        out / inn / 'trial_balance.csv'):
                    for column in list(row)[2:]:
                        expected[(row['account'], row['kfo'])][column] += \
                            Decimal(row[column])
            consolidated = self.read_trial_balance(
                out / f'founder-{founder}' / 'trial_balance.csv')
            self.assertEqual(
                {(r['account'], r['kfo']): {c: Decimal(r[c])
                        for c in list(r)[2:]} for r in consolidated},
                {k: dict(v) for k, v in expected.items()})

    def test_statements_unknown_institution_is_partial_failure(self):
        out = self.workdir / 'partial'
        result = self.kazan('statements', MONTH_END,
            '--out', str(out), '--institution', FIRST, '1655000000',
            check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn('1655000000', result.stderr)
        self.assertTrue((out / FIRST / 'trial_balance.csv').exists())

    def test_bad_usage_exits_2(self):
        for args in [
                ('statements', 'yesterday', '--out', 'x'),
                ('statements', '2026-03-31', '--out', 'x',
                    '--format', 'docx'),
                ('statements', '2026-03-31'),
                ]:
            with self.subTest(args=args):
                result = self.kazan(*args, check=False)
                self.assertEqual(result.returncode, 2, result.stderr)

    def test_uninitialised_database_exits_2(self):
        env = dict(self.env, KAZAN_DATA_DIR=str(self.workdir / 'empty'))
        result = subprocess.run(
            [KAZAN, 'statements', '2026-03-31', '--out', 'x',
                '--database', 'nothing'], env=env, capture_output=True,
            text=True, stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('kazan init', result.stderr)

    def test_init_again_is_safe(self):
        result = self.kazan('init')
        self.assertIn('готова', result.stderr)
        out = self.workdir / 'again'
        self.kazan('statements', MONTH_END,
            '--out', str(out), '--institution', SECOND)
        self.assertTrue((out / SECOND / 'trial_balance.csv').exists())

    def test_production_database_needs_admin_password_file(self):
        uri = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
        conf = self.workdir / 'production.conf'
        conf.write_text(
            f'[database]\nuri = {uri}\npath = {self.workdir / "prod"}\n',
            encoding='utf-8')
        result = subprocess.run(
            [KAZAN, 'init', '--config', str(conf), '--database',
                f'kazan_prod_{uuid.uuid4().hex[:8]}'],
            env=self.env, capture_output=True, text=True,
            stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('--admin-password-file', result.stderr)
        self.assertFalse((self.workdir / 'prod').exists())
