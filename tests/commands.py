"""Running the installed ``kazan`` command from the tests."""
import os
import pathlib
import subprocess
import sys
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
