"""``kazan restore`` of archives that are not what ``kazan backup`` writes
(issue 13).

Each archive here is made by hand with a manifest whose checksums match,
so that only its shape is wrong: a file of the filestore that is also the
folder of another, an absolute path, ``..``, a link, a device, a control
character or an overlong name, a manifest without the versions.  Each is
refused before anything is written: exit status 2, a Russian message, no
database and not even the [database] path folder.  A SQLite database that
has not the modules of the service is restored, found wanting and removed
with the files SQLite made beside it (exit status 1).

These run on SQLite whatever the suite's backend: no server is needed.
"""
import hashlib
import io
import json
import pathlib
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import unittest

from .commands import KAZAN, command_env


def plain_sqlite():
    "The bytes of a SQLite database with one table, none of trytond's"
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / 'plain.sqlite'
        connection = sqlite3.connect(path)
        connection.execute('CREATE TABLE note (text TEXT)')
        connection.commit()
        connection.close()
        return path.read_bytes()


class RestoreArchiveTestCase(unittest.TestCase):

    def setUp(self):
        self.workdir = pathlib.Path(
            tempfile.mkdtemp(prefix='kazan-archive-'))
        self.addCleanup(shutil.rmtree, self.workdir, ignore_errors=True)
        self.env = command_env(self.workdir)
        self.path = self.workdir / 'db'
        self.conf = self.workdir / 'trytond.conf'
        self.conf.write_text(
            f'[database]\nuri = sqlite://\npath = {self.path}\n',
            encoding='utf-8')

    def archive(self, files, extra=(), manifest=None):
        """An archive with files {name: bytes} listed in a manifest with
        their checksums, then the TarInfos of extra, which are not"""
        path = self.workdir / 'archive.tar'
        manifest = dict({
                'format': 'kazan-backup',
                'format_version': 1,
                'database': 'kazan',
                'backend': 'sqlite',
                'created': '2026-04-30T12:00:00+03:00',
                'trytond': '8.0.0',
                'modules': {},
                'members': {name: {'size': len(data),
                        'sha256': hashlib.sha256(data).hexdigest()}
                    for name, data in files.items()},
                }, **(manifest or {}))
        data = json.dumps(manifest).encode('utf-8')
        with tarfile.open(path, 'w', format=tarfile.PAX_FORMAT) as archive:
            for info in extra:
                archive.addfile(info)
            for name, content in [*files.items(), ('manifest.json', data)]:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
        return path

    def restore(self, archive):
        return subprocess.run([KAZAN, 'restore', str(archive),
                '--config', str(self.conf), '--database', 'restored'],
            env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=120)

    def assertRefused(self, archive, message, status=2):
        result = self.restore(archive)
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertIn(message, result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        # nothing written: not the database, not even its folder
        if self.path.exists():
            self.fail(f'left in {self.path}: '
                f'{sorted(p.name for p in self.path.iterdir())}')

    def test_file_that_is_also_a_folder(self):
        self.assertRefused(self.archive({
                    'database.sqlite': plain_sqlite(),
                    'filestore/ab': b'a file',
                    'filestore/ab/cd': b'a file in it',
                    }),
            'архив поврежден: filestore/ab в нем и файл, и каталог')

    def test_names_outside_the_filestore(self):
        for name in ['/filestore/ab', '/etc/kazan', 'filestore/../ab',
                'filestore/ab/../../cd', 'filestore//ab', 'filestore/./ab',
                'filestore/a\nb', 'filestore/a\x1bb', 'other/ab',
                'filestore/' + 'я' * 128]:
            with self.subTest(name=name):
                archive = self.archive({'database.sqlite': plain_sqlite(),
                        name: b'data'})
                with tarfile.open(archive) as opened:
                    self.assertIn(name, opened.getnames())
                self.assertRefused(archive,
                    'архив поврежден: недопустимое имя')

    def test_links_devices_and_folders(self):
        kinds = {
            'symbolic link': (tarfile.SYMTYPE, '/etc/passwd'),
            'hard link': (tarfile.LNKTYPE, 'database.sqlite'),
            'character device': (tarfile.CHRTYPE, ''),
            'block device': (tarfile.BLKTYPE, ''),
            'fifo': (tarfile.FIFOTYPE, ''),
            'folder': (tarfile.DIRTYPE, ''),
            }
        for kind, (type_, target) in kinds.items():
            with self.subTest(kind=kind):
                info = tarfile.TarInfo('filestore/ab')
                info.type = type_
                info.linkname = target
                self.assertRefused(
                    self.archive({'database.sqlite': plain_sqlite()},
                        extra=[info]),
                    'архив поврежден: filestore/ab — не файл')

    def test_manifest_without_versions(self):
        for key in ['trytond', 'created', 'database']:
            with self.subTest(key=key):
                self.assertRefused(
                    self.archive({'database.sqlite': plain_sqlite()},
                        manifest={key: None}),
                    'не копия kazan backup')

    def test_database_without_the_modules_removed_whole(self):
        self.assertRefused(
            self.archive({'database.sqlite': plain_sqlite(),
                    'filestore/ab/cd/abcd': b'a scan'}),
            'в восстановленной базе нет модулей kazan', status=1)
