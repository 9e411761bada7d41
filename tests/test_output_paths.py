"""Output options that cannot be written are bad usage (issue 13).

``--out`` and ``--payments`` name folders, ``--register``, ``--report`` and
``--credentials`` files.  A file where a folder is wanted (or the reverse),
or a folder that does not exist, is refused before any work with a Russian
message and exit status 2, and nothing is written: the command does not
even open the database (none exists here), so the message, not a database
error, tells that the check comes first.
"""
import pathlib
import shutil
import subprocess
import tempfile
import unittest

from .commands import KAZAN, command_env


class OutputPathTestCase(unittest.TestCase):

    def setUp(self):
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-out-'))
        self.addCleanup(shutil.rmtree, self.workdir, ignore_errors=True)
        self.env = command_env(self.workdir)
        self.file = self.workdir / 'existing.csv'
        self.file.write_text('keep me\n', encoding='utf-8')
        self.folder = self.workdir / 'folder'
        self.folder.mkdir()

    def kazan(self, *args):
        return subprocess.run([KAZAN, *args], env=self.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=120, cwd=self.workdir)

    def contents(self):
        return sorted(p.relative_to(self.workdir).as_posix()
            for p in self.workdir.rglob('*'))

    def assertRefused(self, args, message):
        before = self.contents()
        result = self.kazan(*args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(message, result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual(self.contents(), before)
        self.assertEqual(self.file.read_text(encoding='utf-8'), 'keep me\n')

    def test_statements_out_is_a_file(self):
        self.assertRefused(
            ['statements', '2026-03-31', '--out', str(self.file)],
            f'--out {self.file}: это файл, а нужен каталог')

    def test_statements_out_under_a_file(self):
        self.assertRefused(
            ['statements', '2026-03-31', '--out', str(self.file / 'x')],
            f'{self.file} — файл, а не каталог')

    def test_payroll_register_is_a_folder(self):
        self.assertRefused(
            ['payroll', '2026-03', '--register', str(self.folder)],
            f'--register {self.folder}: это каталог, а нужен путь к файлу')

    def test_payroll_register_in_missing_folder(self):
        register = self.workdir / 'missing' / 'register.csv'
        self.assertRefused(
            ['payroll', '2026-03', '--register', str(register)],
            f'нет каталога {register.parent}')

    def test_payroll_payments_is_a_file(self):
        self.assertRefused(
            ['payroll', '2026-03', '--payments', str(self.file)],
            f'--payments {self.file}: это файл, а нужен каталог')

    def test_onboard_report_is_a_folder(self):
        self.assertRefused(
            ['onboard', str(self.folder), '--report', str(self.folder)],
            f'--report {self.folder}: это каталог, а нужен путь к файлу')

    def test_onboard_credentials_in_a_file(self):
        credentials = self.file / 'credentials.csv'
        self.assertRefused(
            ['onboard', str(self.folder), '--credentials', str(credentials)],
            f'{self.file} — файл, а не каталог')
