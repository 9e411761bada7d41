"""``kazan backup`` and ``kazan restore``: one archive of a database and
its filestore.

The archive is a tar file of

- ``database.dump``: ``pg_dump -Fc`` of the database (one consistent
  snapshot) on PostgreSQL, or ``database.sqlite``: the SQLite file copied
  with sqlite3's backup API (consistent too, while the server runs);
- ``filestore/...``: the files trytond keeps outside the database (the data
  of attachments, avatars) under ``[database] path``/<database name>, or
  ``[attachment] store_prefix`` when set, as ``filestore/xx/yy/<id>``;
- ``manifest.json`` (the last member): the database, the backend, the date,
  the versions of trytond and of the activated modules, and the size and
  sha256 of every other member.

A backup is written to ``FILE.tmp`` and renamed to FILE when complete.  A
restore checks the manifest and every checksum before it creates anything,
creates the new database (never an existing one) with the credentials of
``[database] uri`` (the password in PGPASSWORD, never on a command line),
restores the dump and the files, and on any failure drops what it made.
"""
import datetime as dt
import glob
import hashlib
import json
import os
import pathlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse

from . import database
from .config import UsageError

FORMAT = 'kazan-backup'
FORMAT_VERSION = 1
MANIFEST = 'manifest.json'
FILESTORE = 'filestore/'
DUMP = {'postgresql': 'database.dump', 'sqlite': 'database.sqlite'}
# A SQLite database's file and the files SQLite keeps beside it
SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal']
CHUNK = 1 << 20
# What trytond accepts as a database name over RPC, and a safe file name
DATABASE_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')


class Failed(Exception):
    "The work failed after a valid start (exit status 1)"


def backup(settings, path):
    """Write the archive of the database of settings to path; return a
    summary line"""
    started = time.monotonic()
    backend = database._backend(settings)
    if not database.is_initialised(settings):
        raise UsageError(
            f"база «{settings.database}» не подготовлена: "
            "сначала выполните kazan init")
    path = pathlib.Path(path).absolute()
    if path.is_dir():
        raise UsageError(f"{path} — каталог, нужен путь к файлу архива")
    if not path.parent.is_dir():
        raise UsageError(f"нет каталога для архива: {path.parent}")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise UsageError(f"нет прав на запись в каталог {path.parent}")
    filestore = _filestore_dir(settings.database)
    manifest = {
        'format': FORMAT,
        'format_version': FORMAT_VERSION,
        'database': settings.database,
        'backend': backend.name,
        'created': dt.datetime.now().astimezone().isoformat(
            timespec='seconds'),
        'trytond': _trytond_version(),
        'modules': _activated_modules(settings),
        'members': {},
        }
    temporary = path.with_name(path.name + '.tmp')
    print(f"kazan backup: копия базы «{settings.database}» "
        f"({backend.name}) в {path}", file=sys.stderr, flush=True)
    try:
        with tempfile.TemporaryDirectory(
                dir=path.parent, prefix=f'.{path.name}.') as scratch:
            dump = pathlib.Path(scratch) / DUMP[backend.name]
            if backend.name == 'sqlite':
                _sqlite_copy(database.sqlite_file(settings), dump)
                manifest['server'] = 'SQLite ' + sqlite3.sqlite_version
            else:
                manifest['server'] = _pg_dump(settings, dump)
            # the archive holds password hashes: for its owner only
            fd = os.open(temporary,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, 'wb') as output, tarfile.open(
                    fileobj=output, mode='w', format=tarfile.PAX_FORMAT) \
                    as archive:
                _add(archive, dump.name, dump, manifest)
                # The files after the dump: every file the dump refers to
                # was written before it (file names are never reused), so
                # it is here unless trytond's clean-up removed it meanwhile
                files = 0
                for file in _files(filestore):
                    name = FILESTORE + file.relative_to(filestore).as_posix()
                    _add(archive, name, file, manifest)
                    files += 1
                data = json.dumps(manifest, ensure_ascii=False, indent=1,
                    sort_keys=True).encode('utf-8')
                info = _tarinfo(MANIFEST, len(data))
                archive.addfile(info, _BytesReader(data))
                archive.close()
                output.flush()
                os.fsync(output.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    members = manifest['members']
    dump_size = members[DUMP[backend.name]]['size']
    files_size = sum(m['size'] for n, m in members.items()
        if n.startswith(FILESTORE))
    return (f"копия базы «{settings.database}» записана в {path}: база "
        f"{_size(dump_size)}, файлов {files} ({_size(files_size)}), "
        f"архив {_size(path.stat().st_size)}, "
        f"{_seconds(time.monotonic() - started)}")


def restore(settings, path):
    """Restore the archive at path into the new database of settings;
    return a summary line"""
    started = time.monotonic()
    backend = database._backend(settings)
    name = settings.database
    if not DATABASE_NAME.match(name):
        raise UsageError(f"недопустимое имя базы: {name!r}")
    path = pathlib.Path(path)
    if not path.is_file():
        raise UsageError(f"нет файла архива: {path}")
    if database.exists(settings):
        raise UsageError(
            f"база «{name}» уже существует: восстановление только в новую "
            "базу (укажите другое имя в --database)")
    manifest = verify(path)
    if manifest['backend'] != backend.name:
        raise UsageError(
            f"архив — копия базы {manifest['backend']}, а настроена "
            f"{backend.name}: восстановление между ними не поддерживается")
    if _series(manifest['trytond']) != _series(_trytond_version()):
        print(f"kazan restore: копия сделана на trytond "
            f"{manifest['trytond']}, установлен {_trytond_version()}: "
            "после восстановления выполните kazan init", file=sys.stderr)
    print(f"kazan restore: архив проверен (база «{manifest['database']}» от "
        f"{manifest['created']}), восстановление в базу «{name}»",
        file=sys.stderr, flush=True)

    root = pathlib.Path(_database_path())
    made = _missing_folders(root)
    root.mkdir(parents=True, exist_ok=True)
    filestore = _filestore_dir(name)
    staging = pathlib.Path(tempfile.mkdtemp(dir=root, prefix=f'.{name}.'))
    created = False
    added = []
    try:
        with tarfile.open(path, 'r:') as archive:
            files = _extract_files(archive, manifest, staging / 'files')
            dump = archive.extractfile(DUMP[backend.name])
            if backend.name == 'sqlite':
                _sqlite_restore(dump, settings, staging)
                created = True
            else:
                database.create(settings)
                created = True
                _pg_restore(settings, dump)
        if not database.is_initialised(settings):
            raise Failed("в восстановленной базе нет модулей kazan")
        _close(backend, name)
        added = _place_files(staging / 'files', filestore)
    except BaseException as error:
        _close(backend, name)
        _remove_placed(added, filestore)
        if created:
            _drop(settings)
        shutil.rmtree(staging, ignore_errors=True)
        _remove_folders(made)
        if isinstance(error, OSError):
            raise Failed(f"{error.filename or path}: "
                f"{error.strerror or error}") from error
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return (f"база «{name}» восстановлена из {path} (копия базы "
        f"«{manifest['database']}» от {manifest['created']}): файлов "
        f"{files}, {_seconds(time.monotonic() - started)}")


def verify(path):
    """The manifest of the archive at path, once every member listed is
    there with its checksum, and nothing else is"""
    try:
        with tarfile.open(path, 'r:') as archive:
            found = {}
            manifest = None
            for info in archive:
                if info.name in found or info.name == MANIFEST and manifest:
                    raise UsageError(
                        f"архив поврежден: {info.name} в нем дважды")
                if not info.isfile():
                    raise UsageError(
                        f"архив поврежден: {info.name} — не файл")
                stream = archive.extractfile(info)
                if info.name == MANIFEST:
                    manifest = stream.read()
                else:
                    found[info.name] = _digest(stream)
    except (tarfile.TarError, EOFError) as e:
        raise UsageError(f"архив поврежден или не является копией kazan: "
            f"{path}: {e}")
    except OSError as e:
        raise UsageError(f"архив не прочитан: {path}: {e.strerror or e}")
    try:
        manifest = json.loads(manifest)
        assert manifest['format'] == FORMAT
        members = manifest['members']
        assert manifest['backend'] in DUMP
        assert DUMP[manifest['backend']] in members
        assert all(isinstance(manifest.get(key), str)
            for key in ['database', 'created', 'trytond'])
        assert isinstance(members, dict) and all(
            isinstance(m, dict) and isinstance(m.get('sha256'), str)
            for m in members.values())
    except Exception:
        raise UsageError(f"не копия kazan backup (нет описания "
            f"{MANIFEST} или оно повреждено): {path}")
    if manifest.get('format_version') != FORMAT_VERSION:
        raise UsageError(
            f"архив версии {manifest.get('format_version')}, эта версия "
            f"kazan читает версию {FORMAT_VERSION}: {path}")
    for name in sorted(set(members) | set(found)):
        if name not in found:
            raise UsageError(f"архив поврежден: нет {name}")
        if name not in members:
            raise UsageError(f"архив поврежден: лишний файл {name}")
        if found[name] != members[name]['sha256']:
            raise UsageError(
                f"архив поврежден: контрольная сумма {name} не совпадает")
        if name != DUMP[manifest['backend']] and not _safe_file(name):
            raise UsageError(f"архив поврежден: недопустимое имя {name}")
    # a file of the filestore cannot also be a folder of another one
    for name in members:
        if not name.startswith(FILESTORE):
            continue
        folder = name.rpartition('/')[0]
        while folder + '/' != FILESTORE:
            if folder in members:
                raise UsageError(f"архив поврежден: {folder} в нем и файл, "
                    f"и каталог ({name})")
            folder = folder.rpartition('/')[0]
    return manifest


# The configuration -------------------------------------------------------

def _database_path():
    from trytond import config
    if config.get('database', 'class'):
        raise UsageError("файлы хранятся не в [database] path "
            "([database] class): kazan backup их не копирует")
    return os.path.normpath(config.get('database', 'path'))


def _filestore_dir(name):
    "Where trytond keeps the files of database name (trytond/filestore.py)"
    from trytond import config
    prefix = config.get('attachment', 'store_prefix', default=None) or name
    return pathlib.Path(_database_path()) / prefix


def _trytond_version():
    import trytond
    return trytond.__version__


def _series(version):
    return '.'.join(version.split('.')[:2])


def _activated_modules(settings):
    from trytond.modules import get_module_info
    connection, put = _connection(settings.database)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT name FROM ir_module "
            "WHERE state = 'activated' ORDER BY name")
        names = [n for n, in cursor.fetchall()]
    finally:
        connection.rollback()
        put(connection)
    return {n: get_module_info(n).get('version', '') for n in names}


def _connection(name):
    from trytond import backend
    db = backend.Database(name).connect()
    return db.get_connection(), db.put_connection


def _close(backend, name):
    "Close this process's connections to database name (before a drop)"
    if backend.name != 'postgresql':
        return
    if name in backend.Database._databases.get(os.getpid(), {}):
        backend.Database(name).close()


# SQLite ------------------------------------------------------------------

def _sqlite_copy(source, target):
    "A consistent copy of a SQLite file, even while trytond writes to it"
    src = sqlite3.connect(f'file:{source}?mode=ro', uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_restore(dump, settings, staging):
    target = database.sqlite_file(settings)
    copy = staging / 'database.sqlite'
    with open(copy, 'wb') as f:
        shutil.copyfileobj(dump, f, CHUNK)
        f.flush()
        os.fsync(f.fileno())
    connection = sqlite3.connect(copy)
    try:
        ok, = connection.execute('PRAGMA quick_check').fetchone()
    finally:
        connection.close()
    if ok != 'ok':
        raise Failed(f"копия базы SQLite повреждена: {ok}")
    # a link, not a rename: fails instead of replacing a file made meanwhile
    try:
        os.link(copy, target)
    except FileExistsError:
        raise UsageError(f"база «{settings.database}» уже существует")


def _missing_folders(folder):
    "The folders of the path folder that do not exist, deepest first"
    missing = []
    folder = pathlib.Path(folder).absolute()
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_folders(folders):
    "Remove the folders a failed restore made, if they are empty"
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _drop(settings):
    "Drop the half-restored database; say so when that fails"
    try:
        backend = database._backend(settings)
        if backend.name == 'sqlite':
            # and what SQLite keeps beside it (trytond opens it in WAL mode)
            file = database.sqlite_file(settings)
            for suffix in SQLITE_SUFFIXES:
                file.with_name(file.name + suffix).unlink(missing_ok=True)
            return
        db = backend.Database().connect()
        connection = db.get_connection(autocommit=True)
        try:
            db.drop(connection, settings.database)
        finally:
            db.put_connection(connection)
    except Exception as e:
        print(f"kazan restore: базу «{settings.database}» удалить не "
            f"удалось, удалите ее вручную: {e}", file=sys.stderr)


# PostgreSQL --------------------------------------------------------------

def _libpq(name):
    """The connection URI of database name for the PostgreSQL tools, without
    the password, and their environment with the password in PGPASSWORD"""
    from trytond import backend
    conninfo = backend.Database._connection_params(name)['conninfo']
    uri = urllib.parse.urlsplit(conninfo)
    userinfo, at, hostport = uri.netloc.rpartition('@')
    user, colon, password = userinfo.partition(':')
    query = urllib.parse.parse_qsl(uri.query, keep_blank_values=True)
    password = urllib.parse.unquote(password) if colon else None
    for key, value in query:
        if key == 'password':
            password = value
    query = [(k, v) for k, v in query if k != 'password']
    uri = uri._replace(netloc=(user + '@' if at else '') + hostport,
        query=urllib.parse.urlencode(query))
    env = dict(os.environ, PGAPPNAME='kazan')
    env.pop('PGPASSWORD', None)
    if password is not None:
        env['PGPASSWORD'] = password
    return urllib.parse.urlunsplit(uri), env


def _server_version(settings):
    from trytond import backend
    db = backend.Database().connect()
    connection = db.get_connection()
    try:
        return connection.info.server_version
    finally:
        db.put_connection(connection)


def _pg_tool(tool, major):
    """The path of a PostgreSQL tool not older than the server: on PATH
    first, then Debian's /usr/lib/postgresql/<version>/bin, highest first"""
    candidates = []
    found = shutil.which(tool)
    # Debian's pg_wrapper picks a version by rules of its own: use the
    # version folders directly instead
    if found and 'pg_wrapper' not in os.path.realpath(found):
        candidates.append(found)
    candidates += sorted(glob.glob(f'/usr/lib/postgresql/*/bin/{tool}'),
        key=lambda p: _version_key(p.split('/')[-3]), reverse=True)
    for candidate in candidates:
        version = _tool_major(candidate)
        if version and version >= major:
            return candidate
    raise UsageError(
        f"не найден {tool} PostgreSQL {major} или новее (сервер "
        f"PostgreSQL {major}): установите пакет postgresql-client-{major}")


def _version_key(text):
    return [int(p) for p in re.findall(r'\d+', text)] or [0]


def _tool_major(path):
    try:
        result = subprocess.run([path, '--version'], capture_output=True,
            text=True, timeout=30, stdin=subprocess.DEVNULL)
    except OSError:
        return None
    match = re.search(r'\) (\d+)', result.stdout)
    return int(match.group(1)) if match else None


def _pg_dump(settings, target):
    "Dump the database into target; return the server's version"
    version = _server_version(settings)
    major = version // 10000
    conninfo, env = _libpq(settings.database)
    _run([_pg_tool('pg_dump', major), '--format=custom', '--no-password',
          '--file', str(target), '--dbname', conninfo], env, 'pg_dump')
    return f'PostgreSQL {major}.{version % 10000}'


def _pg_restore(settings, dump):
    "Restore the custom-format dump (a stream) into the new database"
    major = _server_version(settings) // 10000
    conninfo, env = _libpq(settings.database)
    command = [_pg_tool('pg_restore', major), '--no-password',
        '--exit-on-error', '--single-transaction', '--no-owner',
        '--no-privileges', '--dbname', conninfo]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            shutil.copyfileobj(dump, process.stdin, CHUNK)
            process.stdin.close()
        except BrokenPipeError:
            pass  # pg_restore stopped: its status and stderr tell why
        finally:
            returncode = process.wait()
        if returncode:
            errors.seek(0)
            raise Failed(_tool_error('pg_restore', returncode,
                    errors.read().decode('utf-8', 'replace')))


def _run(command, env, tool):
    result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode:
        raise Failed(_tool_error(tool, result.returncode, result.stderr))


def _tool_error(tool, returncode, stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    return f"{tool} завершился с кодом {returncode}: " + (
        '; '.join(lines[-3:]) or 'без сообщения')


# Files -------------------------------------------------------------------

def _files(folder):
    "The regular files under folder, in a stable order"
    if not folder.is_dir():
        return
    for directory, subdirectories, names in os.walk(folder):
        subdirectories.sort()
        for name in sorted(names):
            path = pathlib.Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


# The longest name of a file or folder on Linux's file systems, in bytes
NAME_MAX = 255


def _safe_file(name):
    """A member of the filestore that extracts inside its folder: a
    relative path of plain names, no '.' or '..', no control characters,
    each name short enough for the file system"""
    if not name.startswith(FILESTORE):
        return False
    parts = name[len(FILESTORE):].split('/')
    return all(p not in ('', '.', '..')
        and len(p.encode('utf-8', 'surrogateescape')) <= NAME_MAX
        and p.isprintable() for p in parts)


def _extract_files(archive, manifest, folder):
    "Extract the filestore members into folder; return how many"
    count = 0
    for name in manifest['members']:
        if not name.startswith(FILESTORE):
            continue
        target = folder.joinpath(*name[len(FILESTORE):].split('/'))
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(name) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        count += 1
    return count


def _place_files(staging, filestore):
    """Move the restored files into the filestore; return the files added
    (all of them when the folder is new: then it is one rename)"""
    if not staging.is_dir():
        return []
    if not filestore.exists():
        filestore.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, filestore)
        return [filestore]
    # A store_prefix shared by databases, or the files of a database that
    # was dropped: file names are unique, keep the files already there
    added = []
    for file in _files(staging):
        target = filestore / file.relative_to(staging)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(file, target)
        added.append(target)
    return added


def _remove_placed(added, filestore):
    for path in added:
        if path == filestore:
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


# The archive -------------------------------------------------------------

class _HashingReader:
    "A file read by tarfile, hashed on the way"

    def __init__(self, stream):
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


class _BytesReader(_HashingReader):
    def __init__(self, data):
        import io
        super().__init__(io.BytesIO(data))


def _tarinfo(name, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


def _add(archive, name, path, manifest):
    with open(path, 'rb') as f:
        size = os.fstat(f.fileno()).st_size
        reader = _HashingReader(f)
        archive.addfile(_tarinfo(name, size), reader)
    manifest['members'][name] = {
        'size': size, 'sha256': reader.sha256.hexdigest()}


def _digest(stream):
    sha256 = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        sha256.update(chunk)
    return sha256.hexdigest()


def _size(size):
    for unit in ['Б', 'КБ', 'МБ', 'ГБ']:
        if size < 1024 or unit == 'ГБ':
            break
        size /= 1024
    text = f'{size:.0f}' if unit == 'Б' else f'{size:.1f}'
    return text.replace('.', ',') + ' ' + unit


def _seconds(seconds):
    return f'{seconds:.1f} с'.replace('.', ',')
