"""company's test case, with our modules activated too."""
import unittest

from trytond.modules.company.tests.test_module import CompanyTestCase

from . import EXTRAS

# kazan_payroll requires the personnel number (табельный номер, of the
# unified forms Т-1, Т-2, Т-12) on every employee, and these tests create
# employees with a party and a company only
PERSONNEL_NUMBER = (
    "kazan_payroll requires a personnel number on company.employee")

# The core's tests that cannot hold where our modules are activated
CANNOT_HOLD = {
    'test_employe': PERSONNEL_NUMBER,
    'test_employee_active_no_dates': PERSONNEL_NUMBER,
    'test_employee_active_start_date': PERSONNEL_NUMBER,
    'test_employee_active_end_date': PERSONNEL_NUMBER,
    'test_user_employee': PERSONNEL_NUMBER,
    'test_user_root_employee': PERSONNEL_NUMBER,
    }


class CompanyWithKazanTestCase(CompanyTestCase):
    "company's tests where kazan_accounting and kazan_payroll are activated"
    extras = EXTRAS


for _name, _reason in CANNOT_HOLD.items():
    setattr(CompanyWithKazanTestCase, _name,
        unittest.skip(_reason)(getattr(CompanyTestCase, _name)))

del CompanyTestCase
