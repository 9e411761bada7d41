# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Small helpers of the payroll's SQL queries, for both databases."""
from sql import As
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import fields
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction


def _in(column, ids):
    return fields.SQL_OPERATORS['in'](column, list(ids))


def _in_max():
    return backend.MAX_QUERY_PARAMS


def _apply_types(query, types):
    """Name the columns of the query and give SQLite their types, so that
    sums come back as Decimal (and dates as dates) on both databases"""
    query.columns = [c if isinstance(c, As) else c.as_(f'c{i}')
        for i, c in enumerate(query.columns)]
    sqlite_apply_types(query, types)


def bulk_insert(Model, names, vlist, ids=False):
    """Insert the rows vlist ([{name: value}]) of the fields names into
    Model's table as its create would, without reading them back nor
    validating them: for rows valid by construction only.  COPY on
    PostgreSQL (a third of the time of a multi-row INSERT, which must
    parse every placeholder), multi-row INSERTs on SQLite.  With ids, the
    new ids are returned in the order of vlist."""
    if not vlist:
        return []
    table = Model.__table__()
    transaction = Transaction()
    database, connection = transaction.database, transaction.connection
    cursor = connection.cursor()
    user = transaction.user
    sql_formats = [Model._fields[n].sql_format for n in names]

    def row(values):
        return [sql_format(values.get(n))
            for n, sql_format in zip(names, sql_formats)]

    if backend.name == 'postgresql':
        new_ids = []
        if ids:
            new_ids = database.nextid(connection, Model._table,
                count=len(vlist))
            new_ids = new_ids if len(vlist) > 1 else [new_ids]
        # the create date is the transaction's, as CURRENT_TIMESTAMP gives
        # the ORM's INSERT
        cursor.execute('SELECT CAST(CURRENT_TIMESTAMP AS TIMESTAMP)')
        now, = cursor.fetchone()
        columns = ', '.join(f'"{n}"' for n in ['create_uid', 'create_date']
            + list(names) + (['id'] if ids else []))
        with cursor.copy(
                f'COPY "{Model._table}" ({columns}) FROM STDIN') as copy:
            for values, id_ in zip(vlist, new_ids or [None] * len(vlist)):
                copy.write_row([user, now] + row(values)
                    + ([id_] if ids else []))
        return new_ids
    columns = [table.create_uid, table.create_date] + [
        getattr(table, n) for n in names]
    if ids:
        # SQLite gives the id of one row at a time
        new_ids = []
        for values in vlist:
            cursor.execute(*table.insert(columns,
                    [[user, CurrentTimestamp()] + row(values)]))
            new_ids.append(database.lastid(cursor))
        return new_ids
    size = backend.MAX_QUERY_PARAMS // len(columns)
    for sub_values in grouped_slice(vlist, size):
        cursor.execute(*table.insert(columns, [
                    [user, CurrentTimestamp()] + row(values)
                    for values in sub_values]))
    return []
