# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Accounts of the institutions: the chart copied from its templates, and
a КФО filter on the core balances and general ledger.

The contexts put ``kfo`` into the transaction context, and
``account.move.line.query_get`` (see move.py) restricts every balance,
ledger and statement of the core to it.
"""
from collections import defaultdict

from sql.aggregate import Max
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .common import CASH_KINDS, KFO

# Each chart copied gets its nested-set bounds from a block of this size,
# far more than a chart (≈ 706 bounds) and the accounts later added to it.
BOUNDS_BLOCK = 100_000
BOUNDS_SEQUENCE = 'account_account_kazan_bounds'


class Account(metaclass=PoolMeta):
    __name__ = 'account.account'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # One table holds the charts of hundreds of institutions, and every
        # search of a user goes through the company rule
        table = cls.__table__()
        cls._sql_indexes.add(Index(table,
                (table.company, Index.Equality()),
                (table.code, Index.Range())))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        transaction = Transaction()
        database = transaction.database
        if (database.has_sequence()
                and not database.sequence_exist(
                    transaction.connection, BOUNDS_SEQUENCE)):
            # The blocks start after every bound of the table (registration
            # runs in one process)
            database.sequence_create(transaction.connection, BOUNDS_SEQUENCE,
                number_increment=BOUNDS_BLOCK,
                start_value=cls._largest_bound() + 1)

    @classmethod
    def _largest_bound(cls):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(Coalesce(Max(table.right), 0)))
        bound, = cursor.fetchone()
        return bound

    @classmethod
    def _first_free_bound(cls):
        """The first bound of a range for a new chart, after every bound of
        every institution.

        On PostgreSQL a sequence hands out disjoint blocks without any
        lock, so institutions are onboarded in parallel; a block behind the
        committed bounds (accounts the ORM added since) moves the sequence
        on.  SQLite has one writer at a time: the largest bound is enough.
        """
        transaction = Transaction()
        database, connection = transaction.database, transaction.connection
        bound = cls._largest_bound()
        if not database.has_sequence():
            return bound + 1
        start = database.sequence_nextval(connection, BOUNDS_SEQUENCE)
        if start <= bound:
            # Restarted after the bounds (ALTER SEQUENCE holds the others'
            # nextval until this transaction ends: rare, after ORM inserts)
            database.sequence_update(connection, BOUNDS_SEQUENCE,
                number_increment=BOUNDS_BLOCK, start_value=bound + 1)
            start = database.sequence_nextval(connection, BOUNDS_SEQUENCE)
        return start

    @classmethod
    def create_from_template(cls, root, company_id, template2type):
        """Copy the account templates under root into the company.

        The rows are those of AccountTemplate.create_account (the values
        of _get_account_value), written by one INSERT.  account.account is
        one nested-set tree for all companies: the ORM inserts each account
        by shifting the bounds of every later node of every institution,
        which grows with their number; a new chart is a tree of its own,
        so its bounds are simply given after every other (see
        _first_free_bound).  tests/test_core_overrides.py pins the sources
        of create_account and _get_account_value, which this reimplements.
        """
        pool = Pool()
        Template = pool.get('account.account.template')
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()

        templates = Template.search([('parent', 'child_of', [root.id])])
        children = defaultdict(list)
        for template in templates:
            children[template.parent.id if template.parent else None].append(
                template)

        bound = cls._first_free_bound() - 1
        ids = database.nextid(
            transaction.connection, cls._table, count=len(templates))
        if ids is None:
            # SQLite: ids follow the largest (AUTOINCREMENT keeps track)
            cursor.execute(*table.select(Coalesce(Max(table.id), 0)))
            last_id, = cursor.fetchone()
            ids = list(range(last_id + 1, last_id + 1 + len(templates)))
        ids = iter(ids)

        columns = ['id', 'company', 'parent', 'left', 'right', 'type',
            'debit_type', 'credit_type', 'template_override']
        value_names = ['name', 'code', 'start_date', 'end_date', 'closed',
            'reconcile', 'party_required', 'general_ledger_balance',
            'template']
        rows = []

        def type_id(type_template):
            return template2type.get(type_template.id) if type_template \
                else None

        def visit(template, parent_id):
            nonlocal bound
            bound += 1
            row = {'id': next(ids), 'company': company_id,
                'parent': parent_id, 'left': bound,
                'type': type_id(template.type),
                'debit_type': type_id(template.debit_type),
                'credit_type': type_id(template.credit_type),
                'template_override': False,
                **template._get_account_value()}
            rows.append(row)
            for child in children[template.id]:
                visit(child, row['id'])
            bound += 1
            row['right'] = bound

        visit(root, None)
        names = columns + value_names
        cursor.execute(*table.insert(
                [getattr(table, n) for n in names]
                + [table.create_uid, table.create_date],
                [[row.get(n) for n in names]
                    + [transaction.user, CurrentTimestamp()]
                    for row in rows]))
        return [row['id'] for row in rows]


class TypeMixin:
    "The statement fields of an account type, on template and copy"
    __slots__ = ()
    line_code = fields.Char(
        "Line Code",
        help="The line of balance form 0503730 the type stands for.")
    cash_kind = fields.Selection(
        [(None, "")] + CASH_KINDS, "Cash Kind", sort=False,
        help="Where the money of the accounts of this type is kept: "
        "their movements are the execution of the plan (form 0503737) "
        "and carry КОСГУ and КВР.")
    purchase = fields.Boolean(
        "Purchases",
        help="A supplier's document may be accrued to the accounts of this "
        "type besides the expenses: materials, investments, costs.")


class AccountTypeTemplate(TypeMixin, metaclass=PoolMeta):
    __name__ = 'account.account.type.template'

    def _get_type_value(self, type=None):
        values = super()._get_type_value(type=type)
        for name in ['line_code', 'cash_kind', 'purchase']:
            if not type or getattr(type, name) != getattr(self, name):
                values[name] = getattr(self, name)
        return values


class AccountType(TypeMixin, metaclass=PoolMeta):
    __name__ = 'account.account.type'


class KFOContextMixin:
    __slots__ = ()
    kfo = fields.Selection(
        [(None, "")] + KFO, "KFO", sort=False,
        help="Leave empty for all financing sources.")


class AccountContext(KFOContextMixin, metaclass=PoolMeta):
    __name__ = 'account.account.context'


class GeneralLedgerAccountContext(KFOContextMixin, metaclass=PoolMeta):
    __name__ = 'account.general_ledger.account.context'


class GeneralLedgerLineContext(KFOContextMixin, metaclass=PoolMeta):
    __name__ = 'account.general_ledger.line.context'
