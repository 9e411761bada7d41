"""account's scenarios, with our modules activated too.

The scenarios call ``trytond.tests.tools.activate_modules('account', ...)``:
while one runs, that function activates our modules beside the ones it
names (the database cache keys on the whole list).  Our modules bring
``account_invoice``, whose fiscal years need their invoice sequences: the
scenarios' ``create_fiscalyear`` then sets them, as account_invoice's own
scenarios do (``set_fiscalyear_invoice_sequences``)."""
import trytond.tests.tools
from trytond.modules.account import tests as account_tests
from trytond.modules.account.tests import tools as account_tools
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.tests.test_tryton import doctest_setup, doctest_teardown
from trytond.tests.test_tryton import load_doc_tests as _load_doc_tests

from . import EXTRAS

_activate_modules = trytond.tests.tools.activate_modules
_create_fiscalyear = account_tools.create_fiscalyear


def create_fiscalyear_with_sequences(*args, **kwargs):
    return set_fiscalyear_invoice_sequences(
        _create_fiscalyear(*args, **kwargs), config=kwargs.get('config'))


def activate_modules_with_extras(modules, *setup):
    if isinstance(modules, str):
        modules = [modules]
    return _activate_modules(
        [*modules, *(m for m in EXTRAS if m not in modules)], *setup)


def setup_with_extras(test):
    doctest_setup(test)
    trytond.tests.tools.activate_modules = activate_modules_with_extras
    account_tools.create_fiscalyear = create_fiscalyear_with_sequences


def teardown_with_extras(test):
    trytond.tests.tools.activate_modules = _activate_modules
    account_tools.create_fiscalyear = _create_fiscalyear
    return doctest_teardown(test)


def load_tests(loader, tests, pattern):
    suite = _load_doc_tests(
        account_tests.__name__, account_tests.__file__, loader,
        loader.suiteClass(), pattern)
    for case in _cases(suite):
        case._dt_setUp = setup_with_extras
        case._dt_tearDown = teardown_with_extras
    tests.addTests(suite)
    return tests


def _cases(suite):
    for test in suite:
        if isinstance(test, type(suite)) or hasattr(test, '_tests'):
            yield from _cases(test)
        else:
            yield test
