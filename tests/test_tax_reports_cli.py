"""``kazan tax-reports``: its arguments, and bad usage refused before any
work (exit status 2, a Russian message, no database opened).

What it writes is checked in-process on a posted payroll by
modules/kazan_payroll/tests/test_tax_reports.py (``write_reports``).
"""
import pathlib
import shutil
import subprocess
import tempfile
import unittest

from kazan import cli, tax_reports

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
