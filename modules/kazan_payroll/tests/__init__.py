# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The module's tests.

``python -m unittest trytond.modules.kazan_payroll.tests`` runs the test
cases of every test_*.py, the scenarios included (test_scenario); the plain
test functions, without a TestCase, are pytest's only.
"""
import pathlib


def load_tests(loader, tests, pattern):
    for path in sorted(pathlib.Path(__file__).parent.glob('test_*.py')):
        tests.addTests(loader.loadTestsFromName(f'{__name__}.{path.stem}'))
    return tests
