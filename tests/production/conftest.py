"""The production shape under test: gunicorn workers, trytond-cron and
trytond-worker on a PostgreSQL server of their own (tests/fixtures/stack.py).

The ``stack`` fixture is one running server for the whole session, on a
small database (three institutions of the sample batch).  Given
``KAZAN_STACK_URL`` it uses a server that is already running instead
(``KAZAN_STACK_DATABASE``, ``KAZAN_STACK_CREDENTIALS`` — the accountant's
``login;password[;role]`` file — and ``KAZAN_STACK_DIRECTORS`` — the
directors' ``inn;login;password`` file — describe it); the tests that
restart its processes then fail.

The stack runs on a PostgreSQL server of its own, whatever database the
rest of the suite uses: ``make test`` runs these tests, ``make
test-postgresql`` (KAZAN_PRODUCTION_TESTS=0) does not run them again.
"""
import csv
import os
import pathlib

import pytest

from ..fixtures.stack import REPO, Login, RunningStack

ARTIFACTS = pathlib.Path(os.environ.get(
        'KAZAN_ARTIFACTS', REPO / 'var' / 'artifacts'))


def wanted():
    return os.environ.get('KAZAN_PRODUCTION_TESTS', '1') != '0'


def pytest_ignore_collect(collection_path, config):
    if not wanted() and collection_path.name.startswith('test_'):
        return True


def _read(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


def external_stack():
    accountant = [r for r in _read(os.environ['KAZAN_STACK_CREDENTIALS'])
        if r.get('role', '') != 'director'][0]
    directors = [Login(r['login'], r['password'], r['inn'])
        for r in _read(os.environ['KAZAN_STACK_DIRECTORS'])]
    return RunningStack(
        url=os.environ['KAZAN_STACK_URL'].rstrip('/'),
        database=os.environ.get('KAZAN_STACK_DATABASE', 'kazan'),
        accountant=Login(accountant['login'], accountant['password']),
        directors=directors, artifacts=ARTIFACTS)


@pytest.fixture(scope='session')
def stack():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if os.environ.get('KAZAN_STACK_URL'):
        yield external_stack()
        return
    from ..fixtures import stack as kstack
    with kstack.small_stack(REPO / 'var' / 'stack-test') as running:
        running.artifacts = ARTIFACTS
        yield running
        SEEN.update((k, v) for k, v in running.extra.items()
            if k not in {'admin_password', 'dsn'})


# What the clients were told during the faults (tests fill it in), shown
# at the end of the run
SEEN = {}


def pytest_terminal_summary(terminalreporter):
    if not wanted():
        terminalreporter.write_line(
            "tests/production: not run (KAZAN_PRODUCTION_TESTS=0); "
            "make test runs them")
    for what, message in SEEN.items():
        terminalreporter.write_line(f"production: {what}: {message}")
