# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class KazanPayrollTestCase(CompanyTestMixin, ModuleTestCase):
    "Generic checks of the module: views, access, depends, company rules"
    module = 'kazan_payroll'


del ModuleTestCase
