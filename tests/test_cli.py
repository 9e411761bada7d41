"""The ``kazan`` command end to end, as the README runs it.

``kazan demo --no-serve`` builds a database with two institutions, then
``kazan statements`` writes their trial balances, ``kazan init`` runs
again safely, and bad usage exits with 2.  On SQLite this is the quick
start (files under a temporary KAZAN_DATA_DIR); when the suite runs on
PostgreSQL (TRYTOND_DATABASE_URI) the same commands run with a
configuration file naming that server, and the demo in two processes
(``--jobs 2``, which SQLite leaves to one).
"""
import csv
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest
import uuid
from collections import defaultdict
from decimal import Decimal

from .commands import KAZAN, command_env, drop_postgresql_database

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = REPO / 'data' / 'sample_batch'
PLANS = REPO / 'data' / 'sample_plans.csv'


def sample_institutions():
    with open(SAMPLE / 'institutions.csv', encoding='utf-8',
            newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


# the demo posts its subsidy moves in the first two institutions of the
# batch, and the payroll in all
FIRST, SECOND = (r['inn'] for r in sample_institutions()[:2])


def posted_by_rules(inn, kfo):
    "The sum of the sample statements' documents the rules post"
    from trytond.modules.kazan_accounting.bank_exchange import read
    path, = (SAMPLE.parent / 'sample_statements').glob(f'{inn}.*')
    statements, problems = read(str(path), path.read_bytes())
    assert not problems, problems
    letter = {'2': 'Г', '4': 'В', '5': 'О'}[kfo]
    return sum((d.signed for s in statements if s.account[2] == letter
            for d in s.documents
            if d.purpose.startswith(('Субсидия', 'Целевая субсидия',
                        'Комиссия банка'))), Decimal(0))


def paid_documents(inn, kfo):
    """The sum of the sample statements' payments to suppliers reconciled
    with their acts of data/sample_documents.csv (the same amounts)"""
    with open(SAMPLE.parent / 'sample_documents.csv', encoding='utf-8',
            newline='') as f:
        return -sum((Decimal(r['amount'])
                for r in csv.DictReader(f, delimiter=';')
                if r['inn'] == inn and r['kfo'] == kfo), Decimal(0))


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
        cls.demo = cls.kazan('demo', '--no-serve', '--jobs', '2')

    @classmethod
    def tearDownClass(cls):
        if cls.args:
            drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, check=True, env=None):
        result = subprocess.run(
            [KAZAN, command, *cls.args, *args], env=dict(cls.env, **env or {}),
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
        # the cash moved by the pay and by the statements' documents that
        # the rules post (the subsidy, the bank fees) or that pay the
        # suppliers' acts; the other suppliers' payments stay open for the
        # accountant
        cash = by_key[('201.11', '4')]
        self.assertEqual(
            Decimal(cash['closing_debit']) - Decimal(cash['closing_credit'])
            - Decimal(cash['opening_debit'])
            + Decimal(cash['opening_credit']),
            posted_by_rules(FIRST, '4') + paid_documents(FIRST, '4') - net)
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

    def test_statements_forms_in_every_format(self):
        """Every institution and founder gets each form in the four
        formats; the balance balances per КФО, plan execution equals the
        cash movements, the financial results the turnovers of 401.10 and
        401.20, and a founder's forms the sum of its institutions'"""
        out = self.workdir / 'forms'
        self.kazan('statements', MONTH_END, '--format', 'csv,xlsx,ods,pdf',
            '--out', str(out))
        institutions = sample_institutions()
        folders = [r['inn'] for r in institutions] + [
            'founder-education', 'founder-culture']
        forms = ['trial_balance', 'balance_0503730',
            'financial_results_0503721', 'plan_execution_0503737',
            'general_ledger_0504072', 'obligations_0503738',
            'debts_0503769']
        for folder in folders:
            # the journals of operations are an institution's only
            journals = [] if folder.startswith('founder-') else [
                'operations_journal_0504071']
            for form in forms + journals:
                for ext in ['csv', 'xlsx', 'ods', 'pdf']:
                    path = out / folder / f'{form}.{ext}'
                    self.assertGreater(path.stat().st_size, 0, path)
            if not journals:
                self.assertFalse(
                    list((out / folder).glob('operations_journal*')))
        self.assertTrue(
            (out / FIRST / 'balance_0503730.pdf').read_bytes()
            .startswith(b'%PDF'))
        import zipfile
        with zipfile.ZipFile(out / FIRST / 'balance_0503730.ods') as ods:
            self.assertEqual(ods.read('mimetype'),
                b'application/vnd.oasis.opendocument.spreadsheet')
        from openpyxl import load_workbook
        sheet = load_workbook(out / FIRST / 'balance_0503730.xlsx').active
        texts = {c.value for row in sheet.iter_rows() for c in row}
        self.assertIn('Баланс государственного (муниципального) учреждения',
            texts)

        def nonzero(sums):
            "The lines with an amount (a form may leave out empty lines)"
            return {k: dict(v) for k, v in sums.items() if any(v.values())}

        def amounts(rows, key, columns):
            sums = defaultdict(lambda: defaultdict(Decimal))
            for row in rows:
                for column in columns:
                    sums[key(row)][column] += Decimal(row[column])
            return {k: dict(v) for k, v in sums.items()}

        for folder in folders:
            with self.subTest(folder=folder):
                balance = self.read_trial_balance(
                    out / folder / 'balance_0503730.csv')
                self.assertEqual(list(balance[0]), [
                        'line_code', 'line_name', 'kfo', 'year_start',
                        'period_end'])
                totals = {(r['line_code'], r['kfo']): r for r in balance
                    if r['line_code'] in ('ASSETS_TOTAL', 'LIABILITIES_TOTAL')}
                kfos = {kfo for _, kfo in totals}
                self.assertIn('total', kfos)
                for kfo in kfos:
                    for column in ['year_start', 'period_end']:
                        self.assertEqual(
                            Decimal(totals['ASSETS_TOTAL', kfo][column]),
                            Decimal(totals['LIABILITIES_TOTAL', kfo][column]),
                            (kfo, column))
                self.assertGreater(
                    Decimal(totals['ASSETS_TOTAL', 'total']['period_end']), 0)

                trial = self.read_trial_balance(
                    out / folder / 'trial_balance.csv')[:-1]
                cash = amounts(
                    [r for r in trial
                        if r['account'] in ('201.11', '201.21', '201.34')],
                    lambda r: r['kfo'], ['debit', 'credit'])
                plan = self.read_trial_balance(
                    out / folder / 'plan_execution_0503737.csv')
                self.assertEqual(list(plan[0]), [
                        'kfo', 'section', 'line_code', 'kvr', 'kosgu',
                        'planned', 'executed', 'not_executed'])
                # the detail rows (a section's total row has no КОСГУ):
                # receipts less payments less sources is the change of cash
                executed = amounts([r for r in plan if r['kosgu']],
                    lambda r: (r['kfo'], r['section']), ['executed'])
                for kfo, turnover in cash.items():
                    income, expense, sources = (
                        executed.get((kfo, s), {}).get('executed', Decimal(0))
                        for s in ['income', 'expense', 'sources'])
                    self.assertEqual(income - expense - sources,
                        turnover['debit'] - turnover['credit'], kfo)
                    if kfo == '4':  # the payroll of the subsidised task
                        self.assertGreater(expense, 0, kfo)
                totals = amounts([r for r in plan if not r['kosgu']],
                    lambda r: (r['kfo'], r['section']), ['executed'])
                self.assertEqual(nonzero(totals), nonzero(executed))
                for row in plan:
                    self.assertEqual(Decimal(row['not_executed']),
                        Decimal(row['planned']) - Decimal(row['executed']))

                results = self.read_trial_balance(
                    out / folder / 'financial_results_0503721.csv')
                self.assertEqual(list(results[0]), [
                        'line_code', 'line_name', 'kosgu', 'kfo', 'amount'])
                by_kosgu = {(r['kosgu'], r['kfo']): Decimal(r['amount'])
                    for r in results if r['kosgu'] and r['kfo'] != 'total'}
                # the year's income and expenses: the balances of 401.10.KKK
                # and 401.20.KKK, those onboarded with the opening included
                for row in trial:
                    parts = row['account'].split('.')
                    balance = (Decimal(row['closing_debit'])
                        - Decimal(row['closing_credit']))
                    if parts[:2] == ['401', '10'] and len(parts) == 3:
                        self.assertEqual(
                            by_kosgu[parts[2], row['kfo']], -balance)
                    elif parts[:2] == ['401', '20'] and len(parts) == 3:
                        self.assertEqual(
                            by_kosgu[parts[2], row['kfo']], balance)

                # 0503738: the payments are the expenses executed of
                # 0503737
                obligations = self.read_trial_balance(
                    out / folder / 'obligations_0503738.csv')
                self.assertEqual(nonzero(amounts(
                            [r for r in obligations if r['kosgu']],
                            lambda r: (r['kfo'], r['kvr'], r['kosgu']),
                            ['executed'])),
                    nonzero(amounts([r for r in plan
                                if r['kosgu'] and r['section'] == 'expense'],
                            lambda r: (r['kfo'], r['kvr'], r['kosgu']),
                            ['executed'])))
                for row in obligations:
                    self.assertEqual(Decimal(row['not_executed']),
                        Decimal(row['accepted']) - Decimal(row['executed']))

                # 0503769: the balances at the date are the trial balance's
                debts = self.read_trial_balance(
                    out / folder / 'debts_0503769.csv')
                self.assertEqual(list(debts[0]), [
                        'kind', 'account', 'kfo', 'year_start', 'increase',
                        'decrease', 'period_end'])
                closing = {(r['account'], r['kfo']):
                    Decimal(r['closing_debit']) - Decimal(r['closing_credit'])
                    for r in trial}
                payables = 0
                for row in debts:
                    if '.' not in row['account'] or row['kfo'] == 'total':
                        continue
                    sign = 1 if row['kind'] == 'receivable' else -1
                    self.assertEqual(Decimal(row['period_end']),
                        sign * closing.get((row['account'], row['kfo']), 0),
                        row)
                    payables += row['account'].startswith('302.11')
                self.assertGreater(payables, 0)

                # 0504071: the entries of the month once each, the debit
                # turnover of the month in the general ledger
                if folder.startswith('founder-'):
                    continue
                entries = self.read_trial_balance(
                    out / folder / 'operations_journal_0504071.csv')
                ledger = self.read_trial_balance(
                    out / folder / 'general_ledger_0504072.csv')
                self.assertEqual(
                    sum(Decimal(r['amount']) for r in entries),
                    sum(Decimal(r['debit']) for r in ledger
                        if r['kind'] == 'turnover'
                        and r['month'] == MONTH_END[:7]))
                self.assertTrue(all(
                        r['debit_account'] and r['credit_account']
                        and r['date'].startswith(MONTH_END[:7])
                        for r in entries))

        # a founder's forms are the sums of its institutions'
        layouts = {
            'obligations_0503738.csv': (
                lambda r: (r['kfo'], r['section'], r['kvr'], r['kosgu']),
                ['planned', 'accepted', 'monetary', 'executed']),
            'debts_0503769.csv': (
                lambda r: (r['kind'], r['account'], r['kfo']),
                ['year_start', 'increase', 'decrease', 'period_end']),
            'balance_0503730.csv': (
                lambda r: (r['line_code'], r['kfo']),
                ['year_start', 'period_end']),
            'financial_results_0503721.csv': (
                lambda r: (r['line_code'], r['kosgu'], r['kfo']), ['amount']),
            'plan_execution_0503737.csv': (
                lambda r: (r['kfo'], r['section'], r['line_code'], r['kvr'],
                    r['kosgu']), ['planned', 'executed', 'not_executed']),
            }
        for founder in ['education', 'culture']:
            inns = [r['inn'] for r in institutions if r['founder'] == founder]
            for name, (key, columns) in layouts.items():
                with self.subTest(founder=founder, form=name):
                    expected = defaultdict(lambda: defaultdict(Decimal))
                    for inn in inns:
                        for row in self.read_trial_balance(out / inn / name):
                            for column in columns:
                                expected[key(row)][column] += \
                                    Decimal(row[column])
                    consolidated = amounts(self.read_trial_balance(
                            out / f'founder-{founder}' / name), key, columns)
                    self.assertEqual(nonzero(consolidated),
                        nonzero(expected))

    def test_director_exports_own_statements_only(self):
        """With a director's credentials the command writes their own
        institution's statements and refuses another's and a founder's"""
        with open(self.workdir / 'var' / 'demo-directors.csv',
                encoding='utf-8') as f:
            directors = {r['inn']: r for r in csv.DictReader(f, delimiter=';')}
        director = directors[FIRST]
        password = self.workdir / 'director-password'
        password.write_text(director['password'] + '\n', encoding='utf-8')
        password.chmod(0o600)
        as_director = ['--user', director['login'],
            '--password-file', str(password)]

        out = self.workdir / 'director'
        self.kazan('statements', MONTH_END, '--out', str(out), *as_director)
        self.assertEqual(sorted(p.name for p in out.iterdir()), [FIRST])

        for args in [('--institution', SECOND), ('--founder', 'education'),
                ('--institution', FIRST, SECOND)]:
            with self.subTest(args=args):
                refused = self.workdir / 'refused'
                shutil.rmtree(refused, ignore_errors=True)
                result = self.kazan('statements', MONTH_END,
                    '--out', str(refused), *as_director, *args, check=False)
                self.assertEqual(result.returncode, 1, result.stderr)
                written = sorted(p.name for p in refused.iterdir())
                self.assertNotIn(SECOND, written)
                self.assertFalse(any(n.startswith('founder-')
                        for n in written))
                self.assertTrue(set(written) <= {FIRST})

        result = self.kazan('statements', MONTH_END, '--out', str(out),
            '--user', director['login'], check=False,
            env={'KAZAN_PASSWORD': 'wrong-password'})
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('неверный логин или пароль', result.stderr)

    def planned(self):
        "{(inn, kfo, kvr, kosgu): (original, amended)} in the database"
        script = textwrap.dedent('''
            import sys
            from kazan import config, database
            settings = config.resolve(sys.argv[1] or None, sys.argv[2])
            def dump(pool):
                Plan = pool.get('kazan.plan')
                for plan in Plan.search([]):
                    for t in plan.totals():
                        print(plan.company.inn, plan.state, t.kfo, t.kvr,
                            t.kosgu, t.original, t.total, sep=';')
            database.run(settings, dump, readonly=True)
            ''')
        conf = self.args[1] if self.args else ''
        result = subprocess.run(
            [sys.executable, '-c', script, conf, self.database],
            env=self.env, capture_output=True, text=True, check=True,
            cwd=REPO)
        planned = {}
        for line in result.stdout.splitlines():
            inn, state, kfo, kvr, kosgu, original, total = line.split(';')
            self.assertEqual(state, 'approved')
            planned[inn, kfo, kvr, kosgu] = (
                Decimal(original), Decimal(total))
        return planned

    def test_plan_import(self):
        """kazan plan import: the demo imported the sample plans; the same
        file again changes nothing, a bad file writes nothing and names
        its line and column, an approved plan changes only by amendment"""
        from .fixtures import sample_plans
        plans = self.read_trial_balance(PLANS)
        planned = self.planned()
        expected = defaultdict(Decimal)
        for row in plans:
            if not row['amendment']:
                expected[row['inn'], row['kfo'], row['kvr'],
                    row['kosgu']] += Decimal(row['amount'])
        self.assertEqual({k: v[0] for k, v in planned.items()},
            dict(expected))

        result = self.kazan('plan', 'import', str(PLANS))
        self.assertIn('без изменений 42', result.stdout)
        self.assertIn('ничего не изменено', result.stdout)

        def write(name, rows):
            path = self.workdir / name
            with open(path, 'w', encoding='utf-8', newline='') as f:
                writer = csv.DictWriter(f, sample_plans.COLUMNS,
                    delimiter=';', lineterminator='\n')
                writer.writeheader()
                writer.writerows(rows)
            return path

        first = [dict(r) for r in plans if r['inn'] == FIRST]
        for name, change, error in [
                ('bad.csv', {3: {'kosgu': '21'}}, 'bad.csv:5:kosgu'),
                ('changed.csv', {1: {'amount': '1.00'}}, 'changed.csv:2'),
                ('unknown.csv', {0: {'inn': '1655000000'}}, '1655000000'),
                ]:
            with self.subTest(file=name):
                rows = [dict(r, **change.get(i, {}))
                    for i, r in enumerate(first)]
                result = self.kazan('plan', 'import', str(write(name, rows)),
                    check=False)
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(error, result.stderr)
                self.assertEqual(self.planned(), planned)

        # an amendment in a file of its own, in Windows-1251 with ','
        amendment = self.workdir / 'amendment.csv'
        amendment.write_bytes((
                'inn,year,kfo,line_code,kvr,kosgu,amount,amendment,'
                'amendment_date\n'
                f'{FIRST},2026,4,1210,,131,"-1000,00",№ 9,01.06.2026\n'
                f'{FIRST},2026,4,2640,244,226,"-1000,00",№ 9,01.06.2026\n'
                ).encode('cp1251'))
        result = self.kazan('plan', 'import', str(amendment))
        self.assertIn('изменено 1', result.stdout)
        after = self.planned()
        for key in [(FIRST, '4', '', '131'), (FIRST, '4', '244', '226')]:
            self.assertEqual(after[key][1], planned[key][1] - 1000)
        result = self.kazan('plan', 'import', str(amendment))
        self.assertIn('ничего не изменено', result.stdout)

        result = self.kazan('plan', 'import', str(self.workdir / 'none.csv'),
            check=False)
        self.assertEqual(result.returncode, 2)

    def test_statements_unknown_institution_is_partial_failure(self):
        out = self.workdir / 'partial'
        result = self.kazan('statements', MONTH_END,
            '--out', str(out), '--institution', FIRST, '1655000000',
            check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn('1655000000', result.stderr)
        self.assertTrue((out / FIRST / 'trial_balance.csv').exists())

    def test_statements_out_is_a_file_exits_2(self):
        out = self.workdir / 'out-file'
        out.write_text('keep me\n', encoding='utf-8')
        result = self.kazan('statements', MONTH_END, '--out', str(out),
            check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f'--out {out}: это файл, а нужен каталог',
            result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual(out.read_text(encoding='utf-8'), 'keep me\n')

    def test_statements_institution_folder_is_a_file(self):
        out = self.workdir / 'blocked'
        out.mkdir()
        (out / FIRST).write_text('keep me\n', encoding='utf-8')
        result = self.kazan('statements', MONTH_END, '--out', str(out),
            '--institution', FIRST, SECOND, check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f'ИНН {FIRST}: файлы не записаны', result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual((out / FIRST).read_text(encoding='utf-8'),
            'keep me\n')
        self.assertTrue((out / SECOND / 'trial_balance.csv').exists())
        self.assertEqual(list(out.rglob('*.part')), [])

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

    def test_demo_without_the_sample_batch_exits_2(self):
        "As from an installed package, without the checkout's data/"
        missing = self.workdir / 'no-checkout' / 'sample_batch'
        result = self.kazan('demo', '--no-serve', '--batch', str(missing),
            check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f'демонстрационный пакет не найден: {missing}',
            result.stderr)
        self.assertIn('--batch', result.stderr)
        self.assertNotIn('Traceback', result.stderr)
