"""``kazan bank import`` end to end (interfaces.md §5), with ``kazan
documents import``.

One database: three small institutions of the sample generator onboarded;
the school's March payroll posted and paid.  The school's March statement
(generated like the sample data) gains the payroll's payments as the
finance body would show them: they are linked with the payroll's moves,
not posted again; the subsidy and the bank fees are posted by the rules;
the suppliers' payments whose acts were imported are reconciled with them
(the acts are paid), the others stay for the accountant.  What is in
the ledger is read by a small program run with the command's
configuration (ledger_figures).
"""
import datetime as dt
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest
from collections import Counter
from decimal import Decimal

from .commands import (
    command_env, drop_postgresql_database, own_initialised_database, run_kazan)
from .fixtures import bank_statements, sample_batch

# What the ledger holds, printed as JSON by the command's own code: the
# posted cash lines (201.11) of an institution by move, and the statement
# documents by status
LEDGER = r'''
import json, sys
from kazan import config, database
settings = config.resolve(sys.argv[1], sys.argv[2])
def figures(pool):
    Line = pool.get('account.move.line')
    Origin = pool.get('account.statement.origin')
    Company = pool.get('company.company')
    company, = Company.search([('inn', '=', sys.argv[3])])
    cash = Line.search([('move.company', '=', company.id),
            ('account.code', '=', '201.11'), ('move.state', '=', 'posted')])
    return {
        'moves': len({l.move.id for l in cash}),
        'cash': [[l.date.isoformat(), str(l.debit - l.credit), l.kfo,
                l.move.number, l.move.journal.code] for l in cash],
        'origins': len(Origin.search([('statement.company', '=',
                        company.id)])),
        'documents': sorted(i.state for i in pool.get('account.invoice'
                ).search([('company', '=', company.id)])),
        }
print(json.dumps(database.run(settings, figures, readonly=True)))
'''


class BankImportTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bank-'))
        cls.env = command_env(cls.workdir)
        cls.args, cls.database = own_initialised_database(
            cls.workdir, 'kazan_bank')
        cls.batch = cls.workdir / 'batch'
        sample_batch.generate(cls.batch, institutions=4, education=4,
            culture=0, seed=16, employees=(4, 4), january_starters=0)
        cls.kazan('onboard', str(cls.batch))
        with open(cls.batch / 'institutions.csv', encoding='utf-8') as f:
            cls.school, cls.other, cls.third, _ = [
                line.split(';')[0] for line in f.read().splitlines()[1:]]
        cls.kazan('payroll', '2026-03', '--institution', cls.school,
            '--post', '--pay')

    @classmethod
    def tearDownClass(cls):
        drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, check=True):
        return run_kazan([command, *args, *cls.args], cls.env, check=check,
            timeout=600)

    def ledger(self, inn):
        result = subprocess.run([sys.executable, '-c', LEDGER,
                self.args[1], self.database, inn], env=self.env,
            capture_output=True, text=True, check=True)
        return json.loads(result.stdout)

    def bank(self, *paths, status=0, options=()):
        report = self.workdir / f'report-{len(list(self.workdir.iterdir()))}'
        result = self.kazan('bank', 'import', *map(str, paths),
            '--report', str(report), *options, check=False)
        self.assertEqual(result.returncode, status,
            f'{result.stdout}\n{result.stderr}')
        return result, json.loads(report.read_text(encoding='utf-8'))

    def statements(self, inn, folder, **kwargs):
        return bank_statements.generate(self.batch, self.workdir / folder,
            institutions={inn}, **kwargs)[inn]

    def test_month_of_the_school(self):
        "Payroll payments linked, rules posted, the rest open; once only"
        before = self.ledger(self.school)
        paid = [c for c in before['cash'] if c[1].startswith('-')
            and c[0] < '2026-04-01']
        self.assertTrue(paid, "the payroll paid the advance in March")
        days = bank_statements.month_days(self.batch, self.school,
            per_day=2)
        paid = bank_statements.add_payments(days, [
                (dt.date.fromisoformat(date), Decimal(amount), kfo)
                for date, amount, kfo, _, _ in paid])
        self.assertTrue(paid)
        path = self.workdir / 'school.txt'
        bank_statements.write_1c(path, days, self.school)
        # the suppliers' acts of all but one payment in three (no plan
        # was imported: no contract)
        documents = bank_statements.supplier_documents(days, self.school,
            planned={}, missing=3)
        self.assertTrue(documents)
        documents_path = self.workdir / 'documents.csv'
        bank_statements.write_documents(documents_path, documents)
        result = self.kazan('documents', 'import', str(documents_path))
        self.assertIn(f'проведено {len(documents)}, уже были 0',
            result.stdout)
        result = self.kazan('documents', 'import', str(documents_path))
        self.assertIn('ничего не изменено', result.stdout)
        before = self.ledger(self.school)
        self.assertEqual(before['documents'], ['posted'] * len(documents))

        _, dry = self.bank(path, options=['--dry-run'])
        self.assertEqual(self.ledger(self.school), before)

        result, report = self.bank(path)
        self.assertEqual([r['status'] for r in report],
            [r['status'] for r in dry])
        statuses = Counter(r['status'] for r in report)
        self.assertEqual(statuses['reconciled'], len(paid) + len(documents))
        self.assertGreaterEqual(statuses['open'], 1)  # without their act
        self.assertGreaterEqual(statuses['posted'], 1)  # the subsidy
        self.assertEqual(statuses['refused'] + statuses['duplicate'], 0)
        self.assertEqual(sum(statuses.values()),
            sum(len(d.documents) for d in days))
        payroll_moves = {c[3] for c in before['cash']}
        for entry in report:
            self.assertEqual(entry['inn'], self.school)
            if entry['status'] == 'reconciled' and entry['amount'] in {
                    d['amount'] for d in documents}:
                self.assertTrue(entry['move'])
            elif entry['status'] == 'reconciled':
                self.assertIn(entry['move'], payroll_moves)
            elif entry['status'] == 'posted':
                self.assertTrue(entry['move'])
            else:
                self.assertIsNone(entry['move'])
        after = self.ledger(self.school)
        # the payroll's cash lines are still there, once: the posted
        # and the documents' payments added a cash line each, the linked
        # ones none
        self.assertEqual(len(after['cash']) - len(before['cash']),
            statuses['posted'] + len(documents))
        self.assertEqual(after['documents'], ['paid'] * len(documents))
        subsidy = next(r for r in report if r['direction'] == 'in')
        self.assertEqual(subsidy['status'], 'posted')
        self.assertIn([subsidy['date'], subsidy['amount'], '4',
                subsidy['move'], 'STMT'], after['cash'])

        # again, with two workers asked for: nothing changes (on
        # PostgreSQL the command sees every document stored and reads the
        # balances in its own process)
        result, again = self.bank(path, options=['--jobs', '2'])
        self.assertEqual(Counter(r['status'] for r in again),
            {'duplicate': len(report)})
        self.assertEqual(self.ledger(self.school), after)
        self.assertIn('уже загружено', result.stdout)

    def test_bad_input_is_named_and_nothing_written(self):
        "Each bad statement named with file and line; the good one imported"
        good = self.statements(self.other, 'other', per_day=1)
        text = good.read_bytes().decode('cp1251')
        self.assertIn('КонецДокумента', text)
        bad = {
            'truncated': text.replace('КонецФайла', ''),
            'unended': text.replace('КонецДокумента', '', 1),
            'encoding': text,
            'unknown': text.replace('ЛБ', 'ЛЖ'),
            }
        paths = {}
        for name, content in bad.items():
            paths[name] = self.workdir / f'{name}.txt'
            paths[name].write_bytes(content.encode(
                    'utf-8' if name == 'encoding' else 'cp1251'))
        # every day of the statements 100 ₽ more than the ledger holds
        days = bank_statements.month_days(self.batch, self.other,
            per_day=1)
        for day in days:
            day.opening += 100
        paths['opening'] = self.workdir / 'opening.txt'
        bank_statements.write_1c(paths['opening'], days, self.other)
        before = self.ledger(self.other)
        for name, key in [('truncated', 'КонецФайла'),
                ('unended', 'КонецДокумента'),
                ('encoding', 'кодировке'),
                ('unknown', 'не принадлежит')]:
            with self.subTest(name=name):
                result, report = self.bank(paths[name], status=1)
                self.assertIn(str(paths[name]), result.stderr)
                self.assertIn(key, result.stderr)
                self.assertEqual({r['status'] for r in report} - {'refused'},
                    set())
                self.assertEqual(self.ledger(self.other), before)
        # the opening balance: the first day refused with both figures,
        # the later days do not add up with the ledger then either
        result, report = self.bank(paths['opening'], status=1)
        self.assertIn('в учете', result.stderr)
        self.assertEqual({r['status'] for r in report}, {'refused'})
        self.assertEqual(self.ledger(self.other), before)

        result, report = self.bank(good)
        self.assertNotIn('refused', {r['status'] for r in report})
        self.assertGreater(self.ledger(self.other)['origins'], 0)

    def test_csv_layout(self):
        "The CSV layout, with two workers (one process on SQLite)"
        path = self.statements(self.third, 'third', per_day=1, csv_every=1)
        self.assertEqual(path.suffix, '.csv')
        _, report = self.bank(path, options=['--jobs', '2'])
        self.assertTrue(report)
        self.assertEqual({r['file'] for r in report}, {str(path)})
        self.assertNotIn('refused', {r['status'] for r in report})

    def test_documents_bad_input(self):
        "Bad rows named with file, line and column; nothing written"
        row = {'inn': self.other, 'supplier_inn': '1659031838',
            'supplier_name': 'ООО «Поставщик 1838»', 'number': 'А-1',
            'date': '2026-03-02', 'kind': 'act', 'kfo': '4', 'kvr': '244',
            'kosgu': '226', 'amount': '1500.00', 'description': 'услуги',
            'contract': '', 'contract_date': '', 'law': ''}
        path = self.workdir / 'bad-documents.csv'
        bank_statements.write_documents(path, [row,
                dict(row, number='А-2', supplier_inn='1659031839'),
                dict(row, number='А-3', kosgu='999'),
                dict(row, number='А-4',
                    inn=sample_batch.organisation_inn(1655, 99999)),
                dict(row, number='А-5', contract='7'),
                ])
        before = self.ledger(self.other)
        result = self.kazan('documents', 'import', str(path), check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        for line, column in [(3, 'supplier_inn'), (4, 'kosgu'),
                (5, 'inn'), (6, 'contract_date')]:
            self.assertIn(f'bad-documents.csv:{line}:{column}',
                result.stderr)
        self.assertIn('ничего не записано', result.stderr)
        self.assertEqual(self.ledger(self.other), before)

        # a contract the plan has not: the institution refused whole
        path = self.workdir / 'unplanned.csv'
        bank_statements.write_documents(path, [row,
                dict(row, number='А-5', contract='7',
                    contract_date='2026-03-02', law='44')])
        result = self.kazan('documents', 'import', str(path), check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f'ИНН {self.other}: документы не загружены',
            result.stderr)
        self.assertIn('КОСГУ 226', result.stderr)
        self.assertEqual(self.ledger(self.other), before)
