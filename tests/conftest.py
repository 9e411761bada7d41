"""What pytest collects here, and which tests are slow.

``make check`` runs ``pytest -m 'not slow'`` on SQLite: the modules' unit
tests and scenarios and the quick tests of this folder, in under three
minutes.  ``make test`` runs everything, the slow ones included.
"""
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent

# Tryton's own account and company tests where our modules are activated
# too: `make test-core` runs them with Tryton's runner (unittest), minutes
collect_ignore = ['core']

# The end-to-end tests, by file (or folder) of this folder: each starts
# the kazan command or a server on databases of its own, or sweeps every
# model of the pool over RPC
SLOW = {
    'production': "the production shape: gunicorn, cron, worker, clients",
    'test_cli.py': "the kazan command on a database of its own",
    'test_onboard.py': "kazan onboard end to end, a served database",
    'test_backup_cli.py': "kazan backup and restore of a whole database",
    'test_payroll_cli.py': "kazan payroll end to end",
    'test_plan_cli.py': "kazan plan end to end",
    'test_absences_cli.py': "kazan absences import end to end",
    'test_isolation_sweep.py': "every model and wizard, as a director",
    'test_security_rpc.py': "every model of the pool over RPC",
    'test_packaging.py': "builds the wheel and installs it in a venv",
    }


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            relative = item.path.resolve().relative_to(HERE)
        except ValueError:
            continue
        if relative.parts[0] in SLOW:
            item.add_marker(pytest.mark.slow)
