# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Small helpers of the payroll's SQL queries, for both databases."""
from sql import As

from trytond import backend
from trytond.model import fields
from trytond.tools import sqlite_apply_types


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
