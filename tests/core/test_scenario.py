"""account's scenarios, with our modules activated too.

The scenarios call ``trytond.tests.tools.activate_modules('account', ...)``:
while one runs, that function activates our modules beside the ones it
names (the database cache keys on the whole list)."""
import trytond.tests.tools
from trytond.modules.account import tests as account_tests
from trytond.tests.test_tryton import doctest_setup, doctest_teardown
from trytond.tests.test_tryton import load_doc_tests as _load_doc_tests

from . import EXTRAS

_activate_modules = trytond.tests.tools.activate_modules


def activate_modules_with_extras(modules, *setup):
    if isinstance(modules, str):
        modules = [modules]
    return _activate_modules(
        [*modules, *(m for m in EXTRAS if m not in modules)], *setup)


def setup_with_extras(test):
    doctest_setup(test)
    trytond.tests.tools.activate_modules = activate_modules_with_extras


def teardown_with_extras(test):
    trytond.tests.tools.activate_modules = _activate_modules
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
