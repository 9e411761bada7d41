# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The rows of the ORM's reads as dicts, fetched in batches.

trytond 8.0's ``tools.cursor_dict`` fetches ``cursor.arraysize`` rows at a
time, which is 1 for psycopg 3 and sqlite3 (the DB-API default), and builds
the dict of each row from ``cursor.description``, which psycopg 3 builds
anew at each access (a ``Column`` object per column, 63 µs for 43 columns
here: psycopg issue #457).  The ORM's ``read`` and ``search`` read every
row through it.  ``cursor_dict`` here gives the same dicts, fetched
``BATCH`` rows at a time (the default cursors hold the whole result on the
client already: a batch costs no memory) with the column names read once
per batch.

A patch of the core, installed once per process as the guard is (no hook
exists; no upstream report found: bugs.tryton.org is to be told);
tests/test_core_overrides.py pins the core's source and checks that both
give the same rows.
"""
import importlib

from trytond import tools

# Rows fetched at a time when the caller does not say
BATCH = 1000
# The modules of the core that imported cursor_dict by name
PATCHED = ['trytond.tools', 'trytond.model.modelsql', 'trytond.ir.model',
    'trytond.ir.translation', 'trytond.modules.account.tax']

core_cursor_dict = getattr(tools.cursor_dict, '_kazan_core', tools.cursor_dict)


def cursor_dict(cursor, size=None):
    """The rows of cursor as dicts by column name, fetched size (BATCH by
    default) at a time"""
    size = max(cursor.arraysize, BATCH) if size is None else size
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
