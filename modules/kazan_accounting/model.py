# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Small helpers shared by the models of both modules."""
from trytond.pool import Pool


def tables(*names):
    "The SQL tables of the models named, in that order, for one query"
    pool = Pool()
    return [pool.get(name).__table__() for name in names]


def rec_name_domain(domain, clause, *names):
    """The core's rec_name domain widened to the fields names (identifiers
    typed in a search box): any of them matches, none with a negation"""
    _, operator, value = clause[:3]
    bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
    return [bool_op, domain] + [(name, operator, value) for name in names]
