"""pytest runs Tryton's scenario doctests (``tests/scenario_*.rst``).

Each module's ``tests/test_scenario.py`` hands its scenarios to Tryton's
runner (``python -m unittest trytond.modules.<module>.tests.test_scenario``)
through ``load_doc_tests``, as Tryton's modules do.  pytest ignores
unittest's ``load_tests`` protocol, so it collects nothing from that file
and would skip the scenarios silently.  This plugin collects every
``scenario_*.rst`` under a ``tests`` folder (with the ``.json`` variants
beside it, as Tryton does) and runs it with Tryton's own doctest set-up,
checker and option flags; a failing example fails the item with the
doctest report.  So each scenario runs once under either runner
(tests/test_scenario_plugin.py checks that the two find the same).
"""
import doctest
import json
import unittest

import pytest

SCENARIO_PREFIX = 'scenario_'


def pytest_collect_file(file_path, parent):
    if (file_path.suffix == '.rst'
            and file_path.name.startswith(SCENARIO_PREFIX)
            and file_path.parent.name == 'tests'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):

    def collect(self):
        variants = self.path.with_suffix('.json')
        if variants.exists():
            configs = json.loads(variants.read_text(encoding='utf-8'))
        else:
            configs = [{}]
        for index, globs in enumerate(configs):
            name = self.path.stem if len(configs) == 1 else (
                f'{self.path.stem}[{index}]')
            yield ScenarioItem.from_parent(self, name=name, globs=globs)


class ScenarioFailed(Exception):
    pass


def release_test_database():
    """Close this process's connections to the test database, and end any
    other session left in it: a scenario starts by dropping it (restored
    from its template, trytond's restore_from_template, which does not
    close this process's pool of it first), and PostgreSQL refuses while
    anyone is connected.  The unit-test classes before keep the database
    and may leave pooled connections; which sessions made the drop fail
    once is not pinned down (not reproduced with the same two files alone),
    hence the ending of any other session too."""
    from trytond import backend
    from trytond.tests.test_tryton import DB_NAME, db_exist
    from trytond.transaction import Transaction
    if not db_exist(DB_NAME):
        return
    backend.Database(DB_NAME).close()
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        with transaction.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (DB_NAME,))


class ScenarioItem(pytest.Item):

    def __init__(self, *, globs, **kwargs):
        super().__init__(**kwargs)
        self.globs = globs

    def runtest(self):
        from trytond import backend
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL, doctest_checker, doctest_setup, doctest_teardown)
        optionflags = (doctest.REPORT_ONLY_FIRST_FAILURE
            | doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend.name == 'sqlite':
            optionflags |= STRIP_DECIMAL
        else:
            release_test_database()
        suite = doctest.DocFileSuite(
            str(self.path), module_relative=False, globs=dict(self.globs),
            setUp=doctest_setup, tearDown=doctest_teardown,
            encoding='utf-8', checker=doctest_checker,
            optionflags=optionflags)
        result = unittest.TestResult()
        suite.run(result)
        problems = result.failures + result.errors
        if problems:
            raise ScenarioFailed('\n'.join(text for _, text in problems))
        if not result.testsRun:
            raise ScenarioFailed(f'{self.path} holds no example')

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f'scenario: {self.name}'
