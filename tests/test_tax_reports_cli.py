"""``kazan tax-reports``: its arguments, and bad usage refused before any
work (exit status 2, a Russian message, no database opened).

What it writes is checked in-process (``write_reports``) on one school
with January posted and paid; the figures themselves are the module's
tests' (modules/kazan_payroll/tests/test_tax_reports.py).
"""
import datetime as dt
import pathlib
import shutil
import subprocess
import tempfile
import unittest

from kazan import cli, tax_reports
from trytond.modules.kazan_accounting.tests.test_statements import post_moves
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll.tests.test_payroll import plain
from trytond.modules.kazan_payroll.tests.tools import (
    in_rolled_back_transaction, school_with_staff)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .commands import KAZAN, command_env


class ArgumentsTestCase(unittest.TestCase):

    def test_quarter_and_formats(self):
        args = cli.parser().parse_args(['tax-reports', '2026-Q2', '--out',
                'out', '--format', 'xlsx,pdf,xml', '--institution',
                '1655000012'])
        self.assertEqual(args.quarter, (2026, 2))
        self.assertEqual(args.format, ['xlsx', 'pdf', 'xml'])
        self.assertEqual(args.institution, ['1655000012'])
        self.assertIs(cli.COMMANDS[args.command], cli.cmd_tax_reports)
        default = cli.parser().parse_args(['tax-reports', '2026-q4', '--out',
                'out'])
        self.assertEqual((default.quarter, default.format),
            ((2026, 4), ['xlsx']))

    def test_parse_quarter(self):
        self.assertEqual(tax_reports.parse_quarter('2026-Q3'), (2026, 3))
        for wrong in ['2026-Q5', '2026-Q0', '2026-03', '26-Q1', '2026Q1',
                '']:
            with self.subTest(wrong=wrong):
                with self.assertRaises(ValueError):
                    tax_reports.parse_quarter(wrong)

    def test_parse_formats(self):
        self.assertEqual(tax_reports.parse_formats(' xml , ods'),
            ['xml', 'ods'])
        with self.assertRaises(ValueError) as context:
            tax_reports.parse_formats('xlsx,docx')
        self.assertIn('docx', str(context.exception))


class UsageTestCase(unittest.TestCase):

    def setUp(self):
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-tax-'))
        self.addCleanup(shutil.rmtree, self.workdir, ignore_errors=True)
        self.env = command_env(self.workdir)

    def kazan(self, *args):
        return subprocess.run([KAZAN, *args], env=self.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=120, cwd=self.workdir)

    def test_bad_usage_exits_2(self):
        file = self.workdir / 'file.txt'
        file.write_text('keep me\n', encoding='utf-8')
        for args, message in [
                (['2026-Q5', '--out', 'out'], 'ГГГГ-Qn'),
                (['2026-Q1', '--out', 'out', '--format', 'docx'],
                    'формат не поддерживается'),
                (['2026-Q1', '--out', str(file)], 'это файл'),
                ]:
            with self.subTest(args=args):
                result = self.kazan('tax-reports', *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(message, result.stderr)
        self.assertEqual(file.read_text(encoding='utf-8'), 'keep me\n')
        self.assertFalse((self.workdir / 'out').exists())


class WriteReportsTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            Run = pool.get('kazan.payroll.run')
            school, _ = school_with_staff(pool, 63, dt.date(2026, 1, 1),
                [plain(1), plain(2)])
            run, = Run.runs_for([school], dt.date(2026, 1, 1))
            Run.compute([run])
            Run.post([run])
            Run.pay_final([run])
            return school.inn
        cls.inn = in_transaction(DB_NAME, setup)

    @in_rolled_back_transaction
    def test_a_folder_per_institution(self):
        "Both forms in each format, in the folder of the INN"
        out = pathlib.Path(tempfile.mkdtemp(prefix='kazan-tax-'))
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        result = tax_reports.write_reports(Pool(), 2026, 1, out,
            inns=[self.inn, '7700000000'], formats=['xlsx', 'xml'])
        self.assertEqual(result.written, [self.inn])
        self.assertEqual([inn for inn, _ in result.failures],
            ['7700000000'])
        # the payslips and the ledger agree
        self.assertEqual(result.differences, [])
        names = sorted(p.name for p in (out / self.inn).iterdir())
        self.assertEqual(names[2:], ['ndfl6_2026_Q1.xlsx',
                'rsv_2026_Q1.xlsx'])
        self.assertTrue(names[0].startswith('NO_NDFL6.2_'))
        self.assertTrue(names[1].startswith('NO_RASCHSV_'))

    @in_rolled_back_transaction
    def test_a_difference_with_the_ledger_is_named(self):
        "An NDFL credited by hand on 303.01 is not the payslips'"
        pool = Pool()
        Company = pool.get('company.company')
        school, = Company.search([('inn', '=', self.inn)])
        post_moves(school, [(dt.date(2026, 1, 31), 'journal_non_cash', [
                        ('302.11', '4', 100, 0, None, None),
                        ('303.01', '4', 0, 100, None, None)])])
        out = pathlib.Path(tempfile.mkdtemp(prefix='kazan-tax-'))
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        result = tax_reports.write_reports(Pool(), 2026, 1, out,
            formats=['ods'])
        (inn, text), = result.differences
        self.assertEqual(inn, self.inn)
        # plain(): (60,000 + 30,000) × 13 % − 7,800 = 3,900 each, and 100
        self.assertEqual(text, "НДФЛ: по расчетным листкам 7800.00, "
            "по счету 303.01 7900.00")
