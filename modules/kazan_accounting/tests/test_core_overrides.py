# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The core behaviour the service overrides, reimplements or patches, pinned.

Each entry names a method of trytond, of a core module or of a library that
our code wraps, replaces or calls through a private API, with the SHA-256
of its source (dedented) as installed when the override was written and
checked, and where our side is with why it exists.  When an upgrade changes
one of them, its test fails: read the new core code, check that the
override is still needed and still right (an upstream fix may make it
useless, a new argument may be lost), then update the hash here.

No database: the sources are read from the installed packages.
"""
import hashlib
import inspect
import textwrap
import unittest


def core_function(module, qualname):
    "The function behind module.qualname, through decorators and wrappers"
    import importlib
    owner = importlib.import_module(module)
    *path, name = qualname.split('.')
    for part in path:
        owner = getattr(owner, part)
    for klass in getattr(owner, '__mro__', [owner]):
        if name in vars(klass):
            function = vars(klass)[name]
            break
    else:
        raise AttributeError(f'{module}.{qualname}')
    for attribute in ['__func__', 'func']:
        while hasattr(function, attribute):
            function = getattr(function, attribute)
    # guard.install() wraps RPC.convert with functools.wraps
    return inspect.unwrap(function)


def source_hash(function):
    source = textwrap.dedent(inspect.getsource(function))
    return hashlib.sha256(source.encode('utf-8')).hexdigest()[:16]


# (module, qualified name, hash of its source, our side: why)
OVERRIDES = [
    ('trytond.modules.account.move', 'Move.post', '6ccd07ef70f4ddf5',
        "kazan_accounting/move.py Move.post: posted one call per company; "
        "the core's loop over the companies rebinds `move`, the table of "
        "its queries, and checks every move in each round"),
    ('trytond.modules.company.res', 'User.get_companies',
        '34b723aeb8cb2dd0',
        "kazan_accounting/res.py User.get_companies: reimplemented, cached "
        "per user and company of the context (the core's per user only)"),
    ('trytond.modules.account.account', 'Account._cumulate',
        '6d0c4c9aaec9e302',
        "kazan_accounting/closing.py Account._cumulate: no deferral (all "
        "КФО together) when the context asks for one КФО"),
    ('trytond.modules.account.account', 'AccountTemplate.create_account',
        '71a48daea7f2ca02',
        "kazan_accounting/account.py Account.create_from_template: the "
        "rows of create_account written by one INSERT"),
    ('trytond.modules.account.account',
        'AccountTemplate._get_account_value', 'c88d29fb50bf9f14',
        "kazan_accounting/account.py: the values of the INSERT above"),
    ('trytond.modules.account.account', 'TypeTemplate._get_type_value',
        '15e17693b4f605dc',
        "kazan_accounting/account.py AccountTypeTemplate._get_type_value: "
        "adds line_code and cash_kind"),
    ('trytond.ir.rule', 'Rule._get_cache_key', '9447483625cd4845',
        "kazan_accounting/res.py Rule._get_cache_key: the rules' cache "
        "keyed by the user's institutions"),
    ('trytond.ir.rule', 'Rule._get_context', '8d847518f024ebc6',
        "kazan_accounting/res.py Rule._get_context: assigned_companies and "
        "user_id for the rules"),
    ('trytond.rpc', 'RPC.convert', '8b9b6ca9ee194937',
        "kazan_accounting/guard.py install(): the guard wraps RPC.convert, "
        "the one place every client call passes with its context"),
    ('trytond.worker', 'Queue.pull', '2987fb3582b72646',
        "kazan/worker.py: a pull failing on a broken connection ends the "
        "worker, for its supervisor to start a new one"),
    ('reportlab.platypus.tables', 'Table._drawCell', 'afaa72af051abb18',
        "kazan_accounting/export/pdf.py PdfTable._drawCell: draws plain "
        "strings itself, the rest through reportlab's private method"),
    ]


class CoreOverridesTestCase(unittest.TestCase):
    "The core methods under our overrides are those they were written for"

    def test_sources(self):
        for module, qualname, expected, why in OVERRIDES:
            with self.subTest(f'{module}.{qualname}'):
                function = core_function(module, qualname)
                self.assertEqual(source_hash(function), expected,
                    f'{module}.{qualname} changed: check {why}')

    def test_overrides_call_what_exists(self):
        "The overrides keep the core's signatures (the calls to super)"
        from trytond.modules.kazan_accounting import (
            account, closing, move, res)
        pairs = [
            (closing.Account._cumulate,
                ('trytond.modules.account.account', 'Account._cumulate')),
            (account.AccountTypeTemplate._get_type_value,
                ('trytond.modules.account.account',
                    'TypeTemplate._get_type_value')),
            (res.Rule._get_cache_key,
                ('trytond.ir.rule', 'Rule._get_cache_key')),
            (res.Rule._get_context, ('trytond.ir.rule', 'Rule._get_context')),
            (move.Move.post, ('trytond.modules.account.move', 'Move.post')),
            ]
        for ours, (module, qualname) in pairs:
            with self.subTest(qualname):
                for attribute in ['__func__', 'func']:
                    while hasattr(ours, attribute):
                        ours = getattr(ours, attribute)
                self.assertEqual(
                    inspect.signature(inspect.unwrap(ours)),
                    inspect.signature(core_function(module, qualname)))


class CursorDictTestCase(unittest.TestCase):
    "The core's cursor_dict, replaced by rows.cursor_dict"

    def test_core_source(self):
        from trytond.modules.kazan_accounting import rows
        self.assertEqual(source_hash(rows.core_cursor_dict),
            '24fe36e2f7a851da', "trytond.tools.cursor_dict changed: check "
            "kazan_accounting/rows.py (it gives the same rows, fetched "
            "in batches with the column names read once a batch)")

    def test_installed_where_the_core_reads(self):
        from trytond import tools
        from trytond.model import modelsql
        from trytond.modules.kazan_accounting import rows
        rows.install()
        for module in [tools, modelsql]:
            with self.subTest(module.__name__):
                # (the package may be loaded under two names: one installs)
                self.assertEqual(module.cursor_dict.__qualname__,
                    rows.cursor_dict.__qualname__)
                self.assertIs(module.cursor_dict._kazan_core,
                    rows.core_cursor_dict)

    def test_same_rows(self):
        "Both give the same dicts, across batches and for no row"
        import sqlite3

        from trytond.modules.kazan_accounting import rows
        connection = sqlite3.connect(':memory:')
        cursor = connection.cursor()
        for query in [
                'SELECT 1 AS a, NULL AS b, \'x\' AS c UNION ALL '
                'SELECT 2, 3.5, \'y\' UNION ALL SELECT 3, 4, NULL',
                'SELECT 1 AS a WHERE 0']:
            for size in [None, 1, 2]:
                with self.subTest(query=query, size=size):
                    cursor.execute(query)
                    core = list(rows.core_cursor_dict(cursor, size))
                    cursor.execute(query)
                    self.assertEqual(list(rows.cursor_dict(cursor, size)),
                        core)
        self.assertEqual(core, [])
        connection.close()


class RecordsTestCase(unittest.TestCase):
    "The core's ModelStorage.__init__, replaced by records.__init__"

    def test_core_source(self):
        from trytond.modules.kazan_accounting import records
        self.assertEqual(source_hash(records.core_init),
            'b561e2270d730e14', "trytond ModelStorage.__init__ changed: "
            "check kazan_accounting/records.py (it builds the same record "
            "without scanning the list of ids)")

    def test_installed_once(self):
        from trytond.model.modelstorage import ModelStorage
        from trytond.modules.kazan_accounting import records
        records.install()
        records.install()
        # (the package may be loaded under two names: one installs)
        self.assertTrue(ModelStorage.__init__.__module__.endswith(
                'kazan_accounting.records'))
        self.assertIs(ModelStorage.__init__._kazan_core, records.core_init)

    def test_same_records(self):
        """Browsed with either, the records share the list of ids and read
        the same values, their related records too"""
        from trytond.model.modelstorage import ModelStorage
        from trytond.modules.kazan_accounting import records
        from trytond.pool import Pool
        from trytond.tests.test_tryton import activate_module, with_transaction
        activate_module(['kazan_accounting'])
        records.install()

        @with_transaction()
        def browse():
            Model = Pool().get('ir.model')
            ids = [m.id for m in Model.search([], order=[('id', 'ASC')],
                    limit=40)]
            browsed = Model.browse(ids)
            self.assertTrue(all(r._ids is browsed[0]._ids for r in browsed))
            self.assertEqual(browsed[0]._ids, ids)
            alone = Model(ids[0])
            self.assertEqual(alone._ids, [ids[0]])
            return [(r.id, r.name, r.string, r.module,
                    [(f.id, f.name, f.ttype) for f in r.fields])
                for r in browsed]

        ours, installed = browse(), ModelStorage.__init__
        ModelStorage.__init__ = records.core_init
        try:
            core = browse()
        finally:
            ModelStorage.__init__ = installed
        self.assertEqual(ours, core)
        self.assertEqual(len(ours), 40)


class BoundsSequenceTestCase(unittest.TestCase):
    """The blocks of nested-set bounds of new charts come from the backend's
    sequence API (PostgreSQL; SQLite takes the largest bound)"""

    @classmethod
    def setUpClass(cls):
        from trytond.tests.test_tryton import activate_module
        activate_module(['kazan_accounting'])

    def test_blocks(self):
        from trytond.modules.kazan_accounting.account import (
            BOUNDS_BLOCK, BOUNDS_SEQUENCE)
        from trytond.modules.kazan_accounting.transaction import in_transaction
        from trytond.tests.test_tryton import DB_NAME
        from trytond.transaction import Transaction

        def test(pool):
            Account = pool.get('account.account')
            transaction = Transaction()
            database = transaction.database
            bound = Account._largest_bound()
            first = Account._first_free_bound()
            self.assertGreater(first, bound)
            if not database.has_sequence():
                self.assertEqual(first, bound + 1)
                return
            self.assertTrue(database.sequence_exist(
                    transaction.connection, BOUNDS_SEQUENCE))
            self.assertEqual(Account._first_free_bound(), first + BOUNDS_BLOCK)
            # a sequence behind the bounds restarts after them
            database.sequence_update(transaction.connection, BOUNDS_SEQUENCE,
                number_increment=BOUNDS_BLOCK, start_value=1)
            self.assertEqual(Account._first_free_bound(), bound + 1)
            transaction.rollback()
        in_transaction(DB_NAME, test)
