"""Running the installed ``kazan`` command from the tests."""
import os
import pathlib
import subprocess
import sys

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
