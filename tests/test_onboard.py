"""``kazan onboard`` end to end: the user stories of IT's batch onboarding.

Runs the installed command on a database of the suite's backend (the quick
start on SQLite; a configuration naming the server when the suite runs on
PostgreSQL), with batches made by the sample generator and the hand-made
defective batch of data/defective_batch.
"""
import csv
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest
import uuid
from collections import defaultdict
from decimal import Decimal

from kazan.batch import OPTIONAL_COLUMNS

from .commands import (
    KAZAN, command_env, drop_postgresql_database, initialised_database)
from .fixtures import sample_batch
from .fixtures.sample_batch import write_csv
from .rpc import JSONRPCClient, RPCError

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFECTIVE = REPO / 'data' / 'defective_batch'


def read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


class OnboardTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-onboard-'))
        cls.env = command_env(cls.workdir)
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        cls.postgresql = uri.startswith('postgresql')
        cls.database = f'kazan_onboard_{uuid.uuid4().hex[:8]}'
        conf = cls.workdir / 'trytond.conf'
        conf.write_text('[database]\n' + (
                f'uri = {uri}\n' if cls.postgresql else
                f'uri = sqlite://\npath = {cls.workdir / "db"}\n'),
            encoding='utf-8')
        cls.conf = conf
        cls.args = ['--config', str(conf), '--database', cls.database]
        # what kazan init makes, copied (its own tests are test_cli's);
        # onboarding, the subject here, runs for real
        initialised_database(cls.database, cls.workdir / 'db')
        cls.batch = cls.workdir / 'good'
        sample_batch.generate(cls.batch, institutions=4, education=3,
            culture=1, seed=7)
        # the good batch goes in once; every test starts from it, and none
        # depends on what another wrote
        cls.report = cls.workdir / 'report.json'
        cls.credentials = cls.workdir / 'credentials.csv'
        # two worker processes on PostgreSQL; SQLite says it uses one
        cls.onboarded = cls.kazan('onboard', str(cls.batch),
            '--report', str(cls.report),
            '--credentials', str(cls.credentials), '--jobs', '2')

    @classmethod
    def tearDownClass(cls):
        drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, check=True, env=None):
        result = subprocess.run(
            [KAZAN, command, *args, *cls.args], env=env or cls.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=900)
        if check and result.returncode != 0:
            raise AssertionError(
                f'kazan {command} exited {result.returncode}:\n'
                f'{result.stdout}\n{result.stderr}')
        return result

    def onboard(self, batch, *args, check=True):
        return self.kazan('onboard', str(batch), *args, check=check)

    def institutions_in_database(self):
        "The INNs of the institutions, from a statements run of all"
        out = self.workdir / f'all-{uuid.uuid4().hex[:6]}'
        self.kazan('statements', '2026-12-31', '--out', str(out))
        return sorted(p.name for p in out.iterdir() if p.name.isdigit())

    def assertTrialBalanceIsOpeningBalance(self, batch, inns):
        "At the start date each trial balance is the batch's opening one"
        expected = defaultdict(Decimal)
        for row in read_csv(batch / 'opening_balances.csv'):
            expected[(row['inn'], row['account'], row['kfo'])] += (
                Decimal(row['debit']) - Decimal(row['credit']))
        starts = {r['inn']: r['start_date']
            for r in read_csv(batch / 'institutions.csv')}
        for inn in inns:
            out = self.workdir / f'tb-{inn}-{uuid.uuid4().hex[:6]}'
            self.kazan('statements', starts[inn], '--out', str(out),
                '--institution', inn)
            rows = read_csv(out / inn / 'trial_balance.csv')
            got = {(inn, r['account'], r['kfo']):
                Decimal(r['opening_debit']) - Decimal(r['opening_credit'])
                for r in rows if r['account'] != 'TOTAL'}
            want = {k: v for k, v in expected.items()
                if k[0] == inn and v}
            self.assertEqual(got, want, inn)
            self.assertTrue(all(Decimal(r['debit']) == 0 for r in rows))

    def test_good_batch_onboards(self):
        report, credentials = self.report, self.credentials
        result = self.onboarded
        if not self.postgresql:
            self.assertIn('--jobs', result.stderr)
        inns = [r['inn'] for r in read_csv(self.batch / 'institutions.csv')]
        entries = json.loads(report.read_text(encoding='utf-8'))
        self.assertEqual(
            {e['inn']: e['status'] for e in entries['institutions']},
            dict.fromkeys(inns, 'onboarded'))
        employees = defaultdict(int)
        for row in read_csv(self.batch / 'employees.csv'):
            employees[row['inn']] += 1
        for entry in entries['institutions']:
            self.assertEqual(entry['counts']['employees'],
                employees[entry['inn']])
        self.assertEqual(stat.S_IMODE(credentials.stat().st_mode), 0o600)
        rows = read_csv(credentials)
        self.assertEqual(sorted(r['inn'] for r in rows), sorted(inns))
        for row in rows:
            self.assertGreaterEqual(len(row['password']), 12)
            self.assertNotIn(row['password'], result.stdout + result.stderr)
        self.assertTrialBalanceIsOpeningBalance(self.batch, inns)

    def test_same_batch_again_changes_nothing(self):
        credentials = self.credentials
        before = credentials.read_bytes()
        mtime = credentials.stat().st_mtime_ns
        result = self.onboard(self.batch, '--credentials', str(credentials))
        self.assertIn('ничего не изменено', result.stdout)
        self.assertEqual(result.stdout.count('уже подключено'), 4)
        self.assertEqual(credentials.read_bytes(), before)
        self.assertEqual(credentials.stat().st_mtime_ns, mtime)

    def test_defective_batch(self):
        "The good institutions go in; every defect is named; no bad one"
        before = self.institutions_in_database()
        report = self.workdir / 'defective.json'
        result = self.onboard(DEFECTIVE, '--report', str(report),
            check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        entries = {e['inn']: e for e in json.loads(
                report.read_text(encoding='utf-8'))['institutions']}
        good = [inn for inn, e in entries.items()
            if e['status'] == 'onboarded']
        bad = [inn for inn, e in entries.items() if e['status'] == 'invalid']
        self.assertEqual(len(good), 2, entries)
        self.assertEqual(len(bad), 3, entries)
        after = self.institutions_in_database()
        self.assertEqual(sorted(set(after) - set(before)), sorted(good))
        self.assertTrialBalanceIsOpeningBalance(DEFECTIVE, good)
        # every defect of EXPECTED.md is reported where it is
        for file, line, column, inn in expected_defects():
            with self.subTest(file=file, line=line, column=column):
                self.assertRegex(result.stderr, re.compile(
                        rf'^{re.escape(file)}:{line}:{re.escape(column)}: '
                        rf'ИНН {inn}: ', re.M))
                self.assertTrue(any(
                        (p['file'], p['line'], p['column'], p['inn'])
                        == (file, line, column, inn)
                        and p['key'] and p['message']
                        for p in entries[inn]['errors']), entries[inn])

    def test_misspelt_column_stops_everything(self):
        batch = self.workdir / 'misspelt'
        sample_batch.generate(batch, institutions=2, education=1,
            culture=1, seed=99)
        path = batch / 'employees.csv'
        path.write_text(path.read_text(encoding='utf-8').replace(
                'base_salary', 'base_salery', 1), encoding='utf-8')
        before = self.institutions_in_database()
        result = self.onboard(batch, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('employees.csv', result.stderr)
        self.assertIn('base_salery', result.stderr)
        self.assertIn('ничего не записано', result.stderr)
        self.assertEqual(self.institutions_in_database(), before)

    def test_interrupted_run_resumes(self):
        "kill -9 in the middle; the re-run finishes without duplicates"
        batch = self.workdir / 'interrupted'
        sample_batch.generate(batch, institutions=8, education=6,
            culture=2, seed=31)
        inns = [r['inn'] for r in read_csv(batch / 'institutions.csv')]
        process = subprocess.Popen(
            [KAZAN, 'onboard', str(batch), *self.args], env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        done = 0
        for line in process.stderr:
            if line.startswith('Подключение учреждений:'):
                done += 1
                if done == 3:
                    process.send_signal(signal.SIGKILL)
                    break
        process.wait()
        self.assertEqual(process.returncode, -signal.SIGKILL)
        partial = set(self.institutions_in_database()) & set(inns)
        self.assertGreaterEqual(len(partial), 3)
        self.assertLess(len(partial), len(inns))

        report = self.workdir / 'resumed.json'
        self.onboard(batch, '--report', str(report))
        statuses = {e['inn']: e['status'] for e in json.loads(
                report.read_text(encoding='utf-8'))['institutions']}
        self.assertEqual({i for i, s in statuses.items() if s == 'exists'},
            partial)
        self.assertEqual({i for i, s in statuses.items()
                if s == 'onboarded'}, set(inns) - partial)
        in_database = self.institutions_in_database()
        self.assertEqual(len(in_database), len(set(in_database)))
        self.assertTrue(set(inns) <= set(in_database))
        # none is half-written: every ledger holds its whole opening balance
        self.assertTrialBalanceIsOpeningBalance(batch, inns)

    def test_director_sees_only_own_institution(self):
        "A director logs in to the served database and sees theirs only"
        credentials = read_csv(self.credentials)
        mine, other = credentials[0], credentials[1]
        port = free_port()
        server = subprocess.Popen(
            [KAZAN, 'serve', '--listen', f'127.0.0.1:{port}', *self.args],
            env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port)
            client = JSONRPCClient(self.database,
                url=f'http://127.0.0.1:{port}')
            client.login(mine['login'], mine['password'])
            companies = client.model('company.company', 'search_read',
                [], 0, None, None, ['inn'])
            self.assertEqual([c['inn'] for c in companies], [mine['inn']])
            employees = client.model('company.employee', 'search_read',
                [], 0, None, None, ['company'])
            self.assertTrue(employees)
            self.assertEqual({e['company'] for e in employees},
                {companies[0]['id']})
            moves = client.model('account.move', 'search_read',
                [], 0, None, None, ['company'])
            self.assertEqual({m['company'] for m in moves},
                {companies[0]['id']})
            self.assertEqual(client.model('company.company', 'search',
                    [('inn', '=', other['inn'])], 0, None, None), [])
            with self.assertRaises(RPCError):
                client.model('company.employee', 'write',
                    [employees[0]['id']], {'position': 'x'})
        finally:
            server.terminate()
            server.wait(timeout=30)

    def test_batch_without_optional_columns_onboards(self):
        "A batch written before the salary-card columns still goes in"
        batch = self.workdir / 'old-format'
        sample_batch.generate(batch, institutions=1, education=1,
            culture=0, seed=41)
        rows = read_csv(batch / 'employees.csv')
        old = [c for c in rows[0] if c not in OPTIONAL_COLUMNS['employees']]
        write_csv(batch / 'employees.csv', old, rows)
        report = self.workdir / 'old-format.json'
        self.onboard(batch, '--report', str(report))
        entry, = json.loads(
            report.read_text(encoding='utf-8'))['institutions']
        self.assertEqual(entry['status'], 'onboarded', entry)
        self.assertEqual(entry['counts']['employees'], len(rows))

    def test_children_and_average_columns_onboard(self):
        """The issue-15 columns: a problem is named in Russian where it is;
        the children go in and the payroll counts them in order of
        birth"""
        batch = self.workdir / 'children'
        sample_batch.generate(batch, institutions=1, education=1,
            culture=0, seed=47)
        rows = read_csv(batch / 'employees.csv')
        new = ['children_birth_dates', 'students', 'additional_work',
            'ytd_average_earnings', 'ytd_excluded_days']
        for row in rows:
            row.update(dict.fromkeys(new, ''))
        # the lowest paid: far from the 450,000 limit of the deductions
        family = min(rows, key=lambda r: Decimal(r['ytd_income']))
        family.update(children_birth_dates='10.05.2004|2012-02-03|'
            '2016-09-01', children='', disabled_children='0',
            additional_work='3000', ytd_excluded_days='10',
            ytd_average_earnings=family['ytd_income'])
        other = next(r for r in rows if r is not family)
        other['students'] = '1'  # no birth dates: no student possible
        line = rows.index(other) + 2
        write_csv(batch / 'employees.csv', list(rows[0]), rows)
        result = self.onboard(batch, '--dry-run', check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, re.compile(
                rf'^employees\.csv:{line}:students: ИНН {other["inn"]}: '
                r'«1»: Учащихся очной формы больше, чем детей в возрасте '
                r'от 18 до 24 лет на дату подключения \(0\)', re.M))
        other['students'] = ''
        write_csv(batch / 'employees.csv', list(rows[0]), rows)
        self.onboard(batch)
        register = self.workdir / 'children-register.csv'
        self.kazan('payroll', '2026-03', '--institution', family['inn'],
            '--register', str(register))
        slip, = [r for r in read_csv(register)
            if r['personnel_number'] == family['personnel_number']]
        # born 2004 (grown up: no deduction, but the 1st), 2012 the 2nd,
        # 2016 the 3rd: 2,800 + 6,000
        self.assertEqual(Decimal(slip['standard_deduction']), 8800)

    def test_bad_bank_account_named_where_it_is(self):
        "A bank account whose control key does not match is located"
        batch = self.workdir / 'bad-account'
        sample_batch.generate(batch, institutions=1, education=1,
            culture=0, seed=43)
        rows = read_csv(batch / 'employees.csv')
        account = rows[2]['bank_account']
        # a typo in the last digit (weight 1): the key no longer matches
        bad = account[:-1] + str((int(account[-1]) + 1) % 10)
        rows[2]['bank_account'] = bad
        write_csv(batch / 'employees.csv', list(rows[0]), rows)
        result = self.onboard(batch, '--dry-run', check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, re.compile(
                rf'^employees\.csv:4:bank_account: ИНН {rows[2]["inn"]}: '
                rf'«{bad}»: Контрольный ключ счета \(9-я цифра\) не '
                rf'соответствует БИК {rows[2]["bank_bic"]}', re.M))

    def test_bad_input_found_on_the_way(self):
        """Amounts the ledger cannot hold, numbers no accountant writes, a
        SNILS twice: each located in Russian, nothing written (issue 13)"""
        batch = self.workdir / 'bad-input'
        sample_batch.generate(batch, institutions=2, education=2,
            culture=0, seed=53)
        rows = read_csv(batch / 'employees.csv')
        first, second = rows[0]['inn'], rows[-1]['inn']
        rows[0]['base_salary'] = '99999999999999999999.00'
        rows[1]['allowances'] = '1e5'
        rows[2]['ytd_income'] = '１２３４'
        rows[-1]['snils'] = rows[-2]['snils']
        write_csv(batch / 'employees.csv', list(rows[0]), rows)
        before = self.institutions_in_database()
        for args in [('--dry-run',), ()]:
            result = self.onboard(batch, *args, check=False)
            self.assertEqual(result.returncode, 1, result.stderr)
            for line, column, inn, message in [
                    (2, 'base_salary', first, r'В сумме не больше \d+ '
                        r'цифр до запятой'),
                    (3, 'allowances', first, 'Это не число: нужны цифры'),
                    (4, 'ytd_income', first, 'Это не число: нужны цифры'),
                    (len(rows) + 1, 'snils', second, 'Это значение '
                        'столбца «snils» уже указано в строке '
                        f'{len(rows)} для того же учреждения'),
                    ]:
                self.assertRegex(result.stderr, re.compile(
                        rf'^employees\.csv:{line}:{column}: ИНН {inn}: '
                        rf'«[^»]+»: {message}', re.M))
            self.assertNotRegex(result.stderr, '[A-Za-z]{4,} [a-z]{4,}')
            self.assertIn('с ошибками: 2', result.stdout)
        self.assertEqual(self.institutions_in_database(), before)

    def test_workbook_without_worksheet(self):
        batch = self.workdir / 'no-worksheet'
        sample_batch.generate(batch, institutions=1, education=1,
            culture=0, seed=59)
        (batch / 'institutions.csv').unlink()
        from .test_batch_reading import no_worksheet_xlsx
        no_worksheet_xlsx(batch / 'institutions.xlsx')
        result = self.onboard(batch, check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn('institutions.xlsx: В файле institutions.xlsx нет ни '
            'одного листа', result.stderr)
        self.assertIn('ничего не записано', result.stderr)
        self.assertNotIn('IndexError', result.stderr)


def expected_defects():
    """(file, line, column, inn) of every defect listed in the defective
    batch's EXPECTED.md table"""
    defects = []
    for line in (DEFECTIVE / 'EXPECTED.md').read_text(
            encoding='utf-8').splitlines():
        cells = [c.strip().strip('`') for c in line.strip().strip('|')
            .split('|')]
        if len(cells) >= 4 and cells[0].endswith('.csv') \
                and cells[1].isdigit():
            defects.append((cells[0], int(cells[1]), cells[2], cells[3]))
    assert defects, 'EXPECTED.md lists no defect'
    return defects


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f'no server on port {port}')
