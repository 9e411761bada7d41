"""Plain SQL inserting again the rows a command created: the baseline of
the benchmarks (bench/payroll.py, bench/bank.py).

``tables`` lists (table, its parent foreign key, the parent table),
parents first; ``rows`` holds each table's rows as dicts, with the company
they belong to under '_company'.
"""
import time
from collections import defaultdict

from psycopg.types.json import Jsonb

__all__ = ['table_counts', 'columns', 'insert_values', 'insert_select']


def table_counts(connection, tables):
    return {table: connection.execute(
            f'SELECT count(*) FROM {table}').fetchone()[0]
        for table, _, _ in tables}


def columns(connection, table):
    cursor = connection.execute(f'SELECT * FROM {table} LIMIT 0')
    return [c.name for c in cursor.description]


def insert_values(connection, tables, rows):
    """Insert the rows again, institution by institution, as an
    application would with plain SQL: ids from the sequence, one multi-row
    INSERT per table, the parent ids mapped; commit each institution.
    Return the time, after deleting the copies."""
    by_company = defaultdict(lambda: defaultdict(list))
    for table, records in rows.items():
        for record in records:
            by_company[record['_company']][table].append(record)
    names = {table: [c for c in columns(connection, table) if c != 'id']
        for table, _, _ in tables}
    created = defaultdict(list)
    connection.commit()
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for company, company_rows in by_company.items():
            new_ids = {}
            for table, parent, parent_table in tables:
                records = company_rows[table]
                if not records:
                    continue
                cursor.execute(
                    f"SELECT nextval('{table}_id_seq') "
                    "FROM generate_series(1, %s)", (len(records),))
                ids = [r[0] for r in cursor]
                cols = names[table]
                values, params = [], []
                for new_id, record in zip(ids, records):
                    new_ids[table, record['id']] = new_id
                    for name in cols:
                        value = record[name]
                        if isinstance(value, dict):
                            value = Jsonb(value)
                        if name == parent:
                            value = new_ids[parent_table, value]
                        params.append(value)
                    params.append(new_id)
                    values.append('(' + ', '.join(['%s'] * (len(cols) + 1))
                        + ')')
                column_list = ', '.join(f'"{c}"' for c in cols + ['id'])
                cursor.execute(f'INSERT INTO {table} ({column_list}) '
                    f'VALUES {", ".join(values)}', params)
                created[table].extend(ids)
            connection.commit()
    elapsed = time.perf_counter() - t
    _delete(connection, tables, created)
    return elapsed


def insert_select(connection, tables, rows):
    """The lower bound: each table copied by one INSERT ... SELECT on the
    server, fresh ids from the sequence; return the time, after deleting
    the copies"""
    created = {}
    connection.commit()
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for table, parent, parent_table in tables:
            ids = [r['id'] for r in rows[table]]
            cols = [c for c in columns(connection, table) if c != 'id']
            # old id -> new id, for the children
            cursor.execute(f'CREATE TEMPORARY TABLE map_{table} ON COMMIT '
                f"DROP AS SELECT old, nextval('{table}_id_seq') AS new "
                'FROM unnest(%s::int[]) AS old', (ids,))
            select = ', '.join(
                'p.new' if c == parent else f't."{c}"' for c in cols)
            join = (f' JOIN map_{parent_table} p ON p.old = t."{parent}"'
                if parent else '')
            column_list = ', '.join(f'"{c}"' for c in cols + ['id'])
            cursor.execute(f'INSERT INTO {table} ({column_list}) '
                f'SELECT {select}, m.new FROM {table} t '
                f'JOIN map_{table} m ON m.old = t.id{join}')
            cursor.execute(f'SELECT new FROM map_{table}')
            created[table] = [r[0] for r in cursor]
        connection.commit()
    elapsed = time.perf_counter() - t
    _delete(connection, tables, created)
    return elapsed


def _delete(connection, tables, created):
    "Delete the copies, children first"
    with connection.cursor() as cursor:
        for table, _, _ in reversed(tables):
            cursor.execute(f'DELETE FROM {table} WHERE id = ANY(%s)',
                (list(created[table]),))
    connection.commit()
