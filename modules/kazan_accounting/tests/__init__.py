# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The module's tests.

``python -m unittest trytond.modules.kazan_accounting.tests`` runs its test cases
and, through test_scenario, its scenarios (as Tryton's runner would run
``tests.test_scenario`` alone).  The plain test functions of some files
(test_rules, test_*_data, test_identifiers) are pytest's only.
"""
import pathlib


def load_tests(loader, tests, pattern):
    for path in sorted(pathlib.Path(__file__).parent.glob('test_*.py')):
        tests.addTests(loader.loadTestsFromName(f'{__name__}.{path.stem}'))
    return tests
