# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Helpers of the module's tests: the transaction decorators (the made-up
institutions are in sample.py)."""
from trytond.modules.kazan_accounting.transaction import in_transaction
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
