# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The command line of the scripts that generate a module's XML from its
CSV data (chart/build_chart.py, kazan_payroll's law/build_law.py).
Standard library only: the scripts run without trytond."""
import sys


def main(argv, outputs, error, usage, script):
    """Write the generated files, or with --check compare them with the
    committed ones; outputs() returns {path: content} and may raise error.
    Return the exit status: 0 done or up to date, 1 stale or bad data, 2
    bad usage"""
    argv = sys.argv[1:] if argv is None else argv
    if argv not in ([], ['--check']):
        print(usage, file=sys.stderr)
        return 2
    try:
        contents = outputs()
    except error as exception:
        print('error: %s' % exception, file=sys.stderr)
        return 1
    if argv == ['--check']:
        stale = [path for path, content in contents.items()
            if _read(path) != content]
        for path in stale:
            print('%s is not up to date: run %s' % (path, script),
                file=sys.stderr)
        return 1 if stale else 0
    for path, content in contents.items():
        with open(path, 'w', encoding='utf-8', newline='\n') as file:
            file.write(content)
        print('written %s' % path)
    return 0


def _read(path):
    try:
        with open(path, encoding='utf-8') as file:
            return file.read()
    except FileNotFoundError:
        return None
