# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The module's tests.

``python -m unittest trytond.modules.kazan_accounting.tests`` runs the test
cases of every test_*.py, the scenarios included (test_scenario); the plain
test functions, without a TestCase, are pytest's only.
"""
from trytond.modules.kazan_accounting.tests.tools import module_load_tests

load_tests = module_load_tests(__name__, __file__)
