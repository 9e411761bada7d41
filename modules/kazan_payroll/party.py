# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The persons behind the employees.

party.party is global in Tryton: the name of an institution's employee
would be readable by every user.  The ``employers`` of a party let a record
rule (party.xml) hide the persons employed only by institutions the user
does not work for.
"""
from sql import Null

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import inactive_records


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    employers = fields.Function(fields.Many2Many(
            'company.company', None, None, "Employers",
            help="The institutions that employ the person."),
        'get_employers', searcher='search_employers')

    @classmethod
    def get_employers(cls, parties, name):
        pool = Pool()
        Employee = pool.get('company.employee')
        employers = {p.id: set() for p in parties}
        # The user's own rules apply: no employer is shown that the user
        # may not see.  Former and future employments count.
        with inactive_records():
            employees = Employee.search([
                    ('party', 'in', [p.id for p in parties]),
                    ])
        for employee in employees:
            employers[employee.party.id].add(employee.company.id)
        return {p: sorted(c) for p, c in employers.items()}

    @classmethod
    def search_employers(cls, name, clause):
        """Search on every employment of the parties, in SQL.

        The record rule on parties is built on this searcher: it must see
        all employments, whatever the user may read of company.employee
        and whatever the dates of the employments, or the persons employed
        by other institutions would look employed nowhere.  Operands are
        institution ids (or None)."""
        pool = Pool()
        Employee = pool.get('company.employee')
        employee = Employee.__table__()
        _, operator, value = clause[:3]
        if value is None and operator in {'=', '!='}:
            query = employee.select(
                employee.party, where=employee.party != Null)
            return [('id', 'not in' if operator == '=' else 'in', query)]
        Operator = fields.SQL_OPERATORS[operator]
        query = employee.select(
            employee.party, where=Operator(employee.company, value))
        return [('id', 'in', query)]
