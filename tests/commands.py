"""Running the installed ``kazan`` command from the tests.

The classes whose subject is not ``kazan init`` start from a copy of one
database that ``kazan init --admin-password-file`` made once in the
session (initialised_database): a file copy on SQLite, ``CREATE DATABASE
... TEMPLATE`` on PostgreSQL, as Tryton's DB_CACHE copies its databases.
"""
import atexit
import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid

KAZAN = str(pathlib.Path(sys.executable).with_name('kazan'))


def command_env(workdir):
    """The environment of a command run by a test: none of the suite's
    Tryton settings (the command picks its own database), the data under
    workdir"""
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {
            'KAZAN_DATABASE', 'DB_NAME', 'DB_CACHE'}}
    env['KAZAN_DATA_DIR'] = str(workdir / 'var')
    return env


def drop_postgresql_database(database):
    "Drop a database of the suite's PostgreSQL server, if it is one"
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        subprocess.run(['dropdb', '--if-exists', '--maintenance-db',
                uri + 'postgres', database], check=False)


def own_database(workdir, prefix):
    """A database of a command's test on the suite's backend: a
    configuration in workdir naming the suite's PostgreSQL server, else
    SQLite under workdir; return the command's --config and --database
    arguments and the database's name (drop it with
    drop_postgresql_database)"""
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    database = f'{prefix}_{uuid.uuid4().hex[:8]}'
    conf = workdir / 'trytond.conf'
    conf.write_text('[database]\n' + (
            f'uri = {uri}\n' if uri.startswith('postgresql') else
            f'uri = sqlite://\npath = {workdir / "db"}\n'),
        encoding='utf-8')
    return ['--config', str(conf), '--database', database], database


def run_kazan(arguments, env, check=True, timeout=1200):
    """Run kazan with arguments; with check, a status other than 0 fails
    the test with what the command printed"""
    result = subprocess.run([KAZAN, *arguments], env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f'kazan {" ".join(arguments[:2])} exited {result.returncode}:\n'
            f'{result.stdout}\n{result.stderr}')
    return result


# The admin's password of the databases made by kazan init in the tests
ADMIN_PASSWORD = 'Kz-admin-password-1'

# The session's initialised database: (folder, name), or the error that
# making it raised (raised again, not retried, for each class after)
_initialised = {}


def _postgresql_uri():
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    return uri if uri.startswith('postgresql') else None


def _initialise_once():
    "The folder and name of the session's initialised database"
    if 'error' in _initialised:
        raise _initialised['error']
    if 'database' not in _initialised:
        workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-initialised-'))
        args, database = own_database(workdir, 'kazan_initialised')
        atexit.register(_drop_initialised, workdir, database)
        password = workdir / 'admin-password'
        password.write_text(ADMIN_PASSWORD + '\n', encoding='utf-8')
        try:
            run_kazan(['init', '--admin-password-file', str(password),
                    *args], command_env(workdir))
        except Exception as error:
            _initialised['error'] = error
            raise
        _initialised['database'] = (workdir, database)
    return _initialised['database']


def _drop_initialised(workdir, database):
    drop_postgresql_database(database)
    shutil.rmtree(workdir, ignore_errors=True)


def initialised_database(database, path):
    """Create database as a copy of the session's initialised one: what
    ``kazan init --admin-password-file`` (ADMIN_PASSWORD) makes of a new
    database; on SQLite the file goes in path, the configuration's
    [database] path (drop it on PostgreSQL with drop_postgresql_database)"""
    source_dir, source = _initialise_once()
    uri = _postgresql_uri()
    if uri:
        import psycopg
        from psycopg import sql
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            # PostgreSQL copies a database no one is connected to: the
            # command that made it has exited, its session may linger
            conn.execute(
                'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                'WHERE datname = %s AND pid <> pg_backend_pid()', (source,))
            conn.execute(sql.SQL('CREATE DATABASE {} TEMPLATE {}').format(
                    sql.Identifier(database), sql.Identifier(source)))
        return
    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    # sqlite3's backup: a consistent copy, whatever the journal holds
    with sqlite3.connect(source_dir / 'db' / f'{source}.sqlite') as src, \
            sqlite3.connect(path / f'{database}.sqlite') as dst:
        src.backup(dst)
    src.close()
    dst.close()


def own_initialised_database(workdir, prefix):
    """own_database(workdir, prefix), the database already initialised
    (initialised_database)"""
    args, database = own_database(workdir, prefix)
    initialised_database(database, workdir / 'db')
    return args, database
