"""``kazan backup`` and ``kazan restore`` end to end.

Builds a small database through the command (from a copy of what ``kazan
init`` makes, ``kazan onboard`` of a generated batch of three
institutions, a posted month of payroll), puts a scanned document in the
filestore, backs it up and restores it under a new name: the statements of
every institution are the same files in both databases, and the document
is read back from the restored filestore.  A restore into an existing
database and a restore of a damaged archive are refused with exit status 2
and change nothing.  On SQLite the configuration names a folder of the
test; on PostgreSQL (TRYTOND_DATABASE_URI) the suite's server, with the
filestore in the test's folder.
"""
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import unittest
import uuid

import trytond

from .commands import (
    KAZAN, command_env, drop_postgresql_database, initialised_database)
from .fixtures import sample_batch

REPO = pathlib.Path(__file__).resolve().parent.parent
DATE = '2026-03-31'

# Run in a child process with the configuration, the database and a file:
# 'attach' stores the file's bytes as an attachment of the first institution,
# 'inspect' prints what must survive a backup (and not change otherwise)
SCRIPT = textwrap.dedent('''
    import hashlib, json, pathlib, sys
    from kazan import config, database
    conf, name, action, file = sys.argv[1:5]
    settings = config.resolve(conf, name)
    if action == 'exists':
        print(json.dumps(database.exists(settings)))
        sys.exit()
    def attach(pool):
        Attachment = pool.get('ir.attachment')
        Company = pool.get('company.company')
        company = Company.search([('inn', '!=', None)], order=[('inn', 'ASC')],
            limit=1)[0]
        Attachment.create([{'name': 'scan.pdf', 'resource': str(company),
            'data': pathlib.Path(file).read_bytes()}])
    def inspect(pool):
        Attachment = pool.get('ir.attachment')
        Line = pool.get('account.move.line')
        lines = Line.search([])
        print(json.dumps({
            'attachments': [[a.name, str(a.resource), a.file_id,
                    hashlib.sha256(a.data or b'').hexdigest()]
                for a in Attachment.search([], order=[('id', 'ASC')])],
            'lines': len(lines),
            'debit': str(sum(l.debit for l in lines)),
            'credit': str(sum(l.credit for l in lines)),
            }))
    database.run(settings, {'attach': attach, 'inspect': inspect}[action],
        readonly=action == 'inspect')
    ''')


class BackupCommandTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-backup-'))
        cls.env = command_env(cls.workdir)
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        cls.postgresql = uri.startswith('postgresql')
        suffix = uuid.uuid4().hex[:8]
        cls.database = f'kazan_backup_{suffix}'
        cls.restored = f'kazan_restored_{suffix}'
        cls.databases = [cls.database, cls.restored]
        # the filestore is in [database] path on either backend
        cls.path = cls.workdir / 'db'
        cls.conf = cls.workdir / 'trytond.conf'
        cls.conf.write_text('[database]\n' + (
                f'uri = {uri}\n' if cls.postgresql else 'uri = sqlite://\n')
            + f'path = {cls.path}\n', encoding='utf-8')
        # what kazan init makes, copied (its own tests are test_cli's)
        initialised_database(cls.database, cls.path)
        batch = cls.workdir / 'batch'
        sample_batch.generate(batch, institutions=3, education=2, culture=1,
            january_starters=0, employees=(4, 4), seed=11)
        cls.kazan('onboard', str(batch))
        cls.kazan('payroll', '2026-03', '--pay')
        cls.scan = os.urandom(40_000)
        scan = cls.workdir / 'scan.pdf'
        scan.write_bytes(cls.scan)
        cls.script(cls.database, 'attach', scan)
        cls.archive = cls.workdir / 'backups' / 'kazan.tar'
        cls.archive.parent.mkdir()
        cls.backup = cls.kazan('backup', str(cls.archive))

    @classmethod
    def tearDownClass(cls):
        for name in cls.databases:
            drop_postgresql_database(name)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, database=None, check=True):
        result = subprocess.run(
            [KAZAN, command, *args, '--config', str(cls.conf),
                '--database', database or cls.database],
            env=cls.env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(
                f'kazan {command} exited {result.returncode}:\n'
                f'{result.stdout}\n{result.stderr}')
        return result

    @classmethod
    def script(cls, database, action, file=''):
        result = subprocess.run(
            [sys.executable, '-c', SCRIPT, str(cls.conf), database, action,
                str(file)],
            env=cls.env, capture_output=True, text=True, cwd=REPO,
            timeout=600)
        if result.returncode != 0:
            raise AssertionError(f'{action} exited {result.returncode}:\n'
                f'{result.stderr}')
        return json.loads(result.stdout) if result.stdout else None

    def statements(self, database):
        out = self.workdir / f'statements-{database}-{uuid.uuid4().hex[:6]}'
        self.kazan('statements', DATE, '--out', str(out), database=database)
        return out

    def files(self, folder):
        "{relative path: sha256} of the files under folder"
        return {p.relative_to(folder).as_posix():
            hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob('*')) if p.is_file()}

    def leftovers(self):
        "What a restore may leave in [database] path besides the databases"
        return sorted(p.name for p in self.path.iterdir()
            if p.name.startswith('.'))

    def test_restored_database_has_same_statements_and_files(self):
        self.assertIn(f'копия базы «{self.database}» записана',
            self.backup.stderr)
        self.assertEqual(self.archive.stat().st_mode & 0o777, 0o600)
        self.assertFalse(
            self.archive.with_name(self.archive.name + '.tmp').exists())
        self.assertEqual(sorted(p.name for p in self.archive.parent.iterdir()),
            ['kazan.tar'])
        scan = hashlib.sha256(self.scan).hexdigest()
        with tarfile.open(self.archive) as archive:
            manifest = json.load(archive.extractfile('manifest.json'))
            names = archive.getnames()
        self.assertEqual(manifest['database'], self.database)
        self.assertEqual(manifest['backend'],
            'postgresql' if self.postgresql else 'sqlite')
        self.assertEqual(manifest['trytond'], trytond.__version__)
        self.assertIn('kazan_accounting', manifest['modules'])
        self.assertEqual(sorted(manifest['members']),
            sorted(n for n in names if n != 'manifest.json'))
        # the scan is in the archive's filestore, by its file id
        before = self.script(self.database, 'inspect')
        (name, resource, file_id, digest), = before['attachments']
        self.assertEqual(digest, scan)
        member = f'filestore/{file_id[:2]}/{file_id[2:4]}/{file_id}'
        self.assertEqual(manifest['members'][member]['sha256'], scan)

        result = self.kazan('restore', str(self.archive),
            database=self.restored)
        self.assertIn(f'база «{self.restored}» восстановлена', result.stderr)
        self.assertEqual(self.leftovers(), [])
        # the restored database reads the scan from its own filestore
        restored_scan = (self.path / self.restored / file_id[:2]
            / file_id[2:4] / file_id)
        self.assertEqual(restored_scan.read_bytes(), self.scan)
        self.assertEqual(self.script(self.restored, 'inspect'), before)
        self.assertGreater(before['lines'], 0)

        original, restored = (self.statements(self.database),
            self.statements(self.restored))
        trial_balances = sorted(p.relative_to(original).as_posix()
            for p in original.rglob('trial_balance.csv'))
        # the three institutions and their two founders
        self.assertEqual(len(trial_balances), 5)
        self.assertEqual(self.files(restored), self.files(original))

    def test_restore_into_existing_database_refused(self):
        before = self.script(self.database, 'inspect')
        filestore = self.files(self.path / self.database)
        result = self.kazan('restore', str(self.archive), check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f'база «{self.database}» уже существует',
            result.stderr)
        self.assertEqual(self.script(self.database, 'inspect'), before)
        self.assertEqual(self.files(self.path / self.database), filestore)
        self.assertEqual(self.leftovers(), [])

    def test_damaged_archive_refused(self):
        with tarfile.open(self.archive) as archive:
            members = {m.name: m for m in archive.getmembers()}
        dump = 'database.dump' if self.postgresql else 'database.sqlite'
        scan, = [n for n in members if n.startswith('filestore/')]
        for member in [dump, scan]:
            with self.subTest(member=member):
                damaged = self.workdir / f'damaged-{member[:8]}.tar'
                data = bytearray(self.archive.read_bytes())
                offset = members[member].offset_data + \
                    members[member].size // 2
                data[offset] ^= 0xFF
                damaged.write_bytes(bytes(data))
                name = f'kazan_damaged_{uuid.uuid4().hex[:8]}'
                self.databases.append(name)
                result = self.kazan('restore', str(damaged), database=name,
                    check=False)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(
                    f'архив поврежден: контрольная сумма {member} не '
                    'совпадает', result.stderr)
                self.assertFalse(self.script(name, 'exists'))
                self.assertFalse((self.path / name).exists())
                self.assertEqual(self.leftovers(), [])

    def test_backup_of_missing_database_refused(self):
        target = self.workdir / 'missing.tar'
        result = self.kazan('backup', str(target), database='kazan_missing',
            check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('не подготовлена', result.stderr)
        self.assertFalse(target.exists())
