"""A database of its own for a benchmark that drives the kazan command.

The benchmarks that run ``kazan`` as a child process (onboarding, its
memory, payroll) each need the same: a configuration naming a throw-away
database in their work folder, an admin password file for ``kazan init``,
the options that name them and an environment without the caller's
TRYTOND_CONFIG.
"""
import os
import pathlib
import uuid
from dataclasses import dataclass

__all__ = ['Scratch', 'scratch_database']


@dataclass
class Scratch:
    database: str  # its name
    conf: pathlib.Path  # the trytond configuration naming it
    password: pathlib.Path  # the admin password file for kazan init
    common: list  # --config and --database, for every kazan command
    env: dict  # the environment of the kazan commands


def scratch_database(uri, workdir):
    "A new database name on uri, with its files in workdir"
    database = f'kazan_bench_{uuid.uuid4().hex[:8]}'
    conf = workdir / 'trytond.conf'
    conf.write_text(f'[database]\nuri = {uri}\npath = {workdir}\n',
        encoding='utf-8')
    password = workdir / 'admin-password'
    password.write_text('bench-admin-password\n')
    env = dict(os.environ, KAZAN_DATA_DIR=str(workdir))
    env.pop('TRYTOND_CONFIG', None)
    return Scratch(database, conf, password,
        ['--config', str(conf), '--database', database], env)
