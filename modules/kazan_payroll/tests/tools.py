# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Valid made-up staff for the tests and scenarios, and the transaction
decorator of the module's tests (kazan_accounting's)."""
import datetime as dt
from decimal import Decimal

from stdnum.ru import inn as stdnum_inn

from trytond.modules.kazan_accounting.identifiers import snils_check_digits
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.tests.tools import (  # noqa: F401
    in_rolled_back_transaction)


def snils(number):
    "A valid СНИЛС (11 digits) for a number above 1 001 998"
    base = f'{1002000 + number:09d}'
    return base + snils_check_digits(base)


def personal_inn(number, tax_office='1655'):
    "A valid 12-digit ИНН of a person"
    base = f'{tax_office}{number % 1000000:06d}'
    return base + stdnum_inn.calc_personal_check_digits(base)


def staff_member(number, **values):
    "The values of a teacher for Employee.create_staff"
    member = {
        'personnel_number': f'{number:04d}',
        'last_name': f'Фамилия{number}', 'first_name': 'Имя',
        'patronymic': 'Отчество',
        'snils': snils(number), 'employee_inn': personal_inn(number),
        'birth_date': dt.date(1980, 1, 1) + dt.timedelta(days=number),
        'hire_date': dt.date(2015, 9, 1),
        'position': 'Учитель математики', 'category': 'teacher',
        'rate': Decimal('1.5'), 'base_salary': Decimal('25000.00'),
        'allowances': Decimal('3500.00'), 'class_management': 1,
        'children': 2, 'disabled_children': 0, 'kfo': '4',
        'ytd_income': Decimal('120000.00'),
        'ytd_deductions': Decimal('5600.00'),
        'ytd_ndfl': Decimal('14872.00'),
        'ytd_contribution_base': Decimal('120000.00'),
        }
    member.update(values)
    return member


def school_with_staff(pool, number, start, staff):
    "The sample institution number set up from start, and its employees"
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    school, = Company.setup_institutions([sample.institution(number, start)])
    return school, Employee.create_staff(school.id, staff)
