# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Helpers of the module's tests: the transaction decorators (the made-up
institutions are in sample.py)."""
import pathlib

from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction


def in_retried_transaction(method):
    """Run the test in a transaction retried on Tryton's lock requests
    (with_transaction does not retry them)"""
    def wrapper(self):
        return in_transaction(DB_NAME, lambda pool: method(self))
    return wrapper


def in_rolled_back_transaction(method):
    """Run the test in a transaction (retried on Tryton's lock requests)
    that is rolled back: every test starts from what setUpClass committed"""
    def wrapper(self):
        def test(pool):
            try:
                return method(self)
            finally:
                Transaction().rollback()
        return in_transaction(DB_NAME, test)
    return wrapper


def module_load_tests(package, init_file):
    """The load_tests of a module's tests package: the test cases of every
    test_*.py beside init_file, the scenarios included (test_scenario)"""
    def load_tests(loader, tests, pattern):
        for path in sorted(pathlib.Path(init_file).parent.glob('test_*.py')):
            tests.addTests(loader.loadTestsFromName(f'{package}.{path.stem}'))
        return tests
    return load_tests


def create_company(name, **values):
    "A bare company in rubles (no chart, no fiscal year)"
    pool = Pool()
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    Currency = pool.get('currency.currency')
    rub, = Currency.search([('code', '=', 'RUB')])
    party, = Party.create([{'name': name}])
    company, = Company.create([{
                'party': party.id, 'currency': rub.id, **values}])
    return company
