# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"CSV with the csv module: `;`, decimal point, UTF-8 (interfaces.md §4)"
import csv
import datetime as dt
import io
from decimal import Decimal

from .document import Column, Table, _decimal, _is_amount, _tables, text_cell


def _csv_value(value, kind):
    if value is None:
        return ''
    if (kind == 'amount' and _is_amount(value)
            or kind is None and isinstance(value, Decimal)):
        return f'{_decimal(value):.2f}'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return text_cell(value)
    return str(value)


def to_csv(table, columns=None):
    """The rows of table as CSV: `;`, decimal point, amounts with 2
    decimals, a header row of the column keys.  columns: the Columns or
    keys to write, in order (all the table's by default); a key that is
    no column of the table writes a Decimal as an amount"""
    kinds = {c.key: c.kind for c in table.columns}
    keys = [c.key if isinstance(c, Column) else c
        for c in (columns or table.columns)]
    for c in columns or []:
        if isinstance(c, Column):
            kinds[c.key] = c.kind
    output = io.StringIO()
    writer = csv.writer(output, delimiter=';', lineterminator='\n')
    writer.writerow(keys)
    for row in table.rows:
        writer.writerow(
            [_csv_value(row.get(k), kinds.get(k)) for k in keys])
    return output.getvalue()


def _document_csv(doc):
    """A document's CSV: the rows of all its tables under one header row,
    which the tables must share (the long layouts of interfaces.md §4)"""
    tables = _tables(doc)
    keys = [c.key for c in tables[0].columns]
    for table in tables[1:]:
        if [c.key for c in table.columns] != keys:
            raise ValueError(
                'a CSV file holds one table: the tables of '
                f'{doc.title!r} have different columns')
    merged = Table(doc.title, tables[0].columns,
        [row for table in tables for row in table.rows])
    return to_csv(merged)
