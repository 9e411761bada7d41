"""The scenario collector really runs scenarios, and a failing one fails;
Tryton's runner finds the same scenarios."""
import pathlib
import subprocess
import sys
import tempfile
import textwrap
import unittest

REPO = pathlib.Path(__file__).resolve().parent.parent

PASSING = """\
A passing scenario::

    >>> 1 + 1
    2
"""
FAILING = """\
A failing scenario::

    >>> 1 + 1
    3
"""


def run_pytest(scenario):
    with tempfile.TemporaryDirectory() as tmp:
        tests = pathlib.Path(tmp, 'tests')
        tests.mkdir()
        (tests / 'scenario_example.rst').write_text(scenario)
        return subprocess.run(
            [sys.executable, '-m', 'pytest', '-p', 'tests.scenario_plugin',
                '-p', 'no:cacheprovider', '-q', '--rootdir', tmp,
                '-c', '/dev/null', str(tests)],
            cwd=REPO, capture_output=True, text=True, timeout=300)


def test_passing_scenario_is_run():
    result = run_pytest(PASSING)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '1 passed' in result.stdout


def test_failing_scenario_fails_the_run():
    result = run_pytest(FAILING)
    assert result.returncode == 1, result.stdout + result.stderr
    assert '1 failed' in result.stdout
    assert textwrap.dedent("""\
        Expected:
            3
        Got:
            2""") in result.stdout


def doc_cases(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from doc_cases(test)
        else:
            yield test


def test_tryton_runner_finds_every_scenario():
    "Each module's tests.test_scenario loads every scenario pytest collects"
    for module in ['kazan_accounting', 'kazan_payroll']:
        suite = unittest.defaultTestLoader.loadTestsFromName(
            f'trytond.modules.{module}.tests.test_scenario')
        loaded = sorted(pathlib.Path(case._dt_test.filename).name
            for case in doc_cases(suite))
        folder = REPO / 'modules' / module / 'tests'
        assert loaded, module
        assert loaded == sorted(
            p.name for p in folder.glob('scenario_*.rst')), module
