# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The rows of the ORM's reads as dicts, the column names read once a batch.

trytond 8.0's ``tools.cursor_dict`` builds the dict of each row from
``cursor.description``, and psycopg 3 builds that description anew at each
access (a ``Column`` object per column: psycopg issue #457, its pull request
#1240 makes it cheaper, not free).  The ORM's ``read`` and ``search`` read
every row through it: about a tenth of the CPU of a payroll run in the
client (bench/payroll.py, A/B on the same database).  ``cursor_dict`` here
gives the same dicts with the names read once per fetched batch.

A patch of the core, installed once per process as the guard is (no hook
exists; no upstream report found: bugs.tryton.org is to be told);
tests/test_core_overrides.py pins the core's source and checks that both
give the same rows.
"""
import importlib

from trytond import tools

# The modules of the core that imported cursor_dict by name
PATCHED = ['trytond.tools', 'trytond.model.modelsql', 'trytond.ir.model',
    'trytond.ir.translation', 'trytond.modules.account.tax']

core_cursor_dict = getattr(tools.cursor_dict, '_kazan_core', tools.cursor_dict)


def cursor_dict(cursor, size=None):
    "The rows of cursor as dicts by column name, fetched size at a time"
    size = cursor.arraysize if size is None else size
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            break
        names = [d[0] for d in cursor.description]
        for row in rows:
            yield dict(zip(names, row))


cursor_dict._kazan_core = core_cursor_dict


def install():
    "Put cursor_dict in place of the core's, once per process"
    for name in PATCHED:
        module = importlib.import_module(name)
        if getattr(module, 'cursor_dict', None) is core_cursor_dict:
            module.cursor_dict = cursor_dict
