"""account's test case, with our modules activated too."""
from trytond.modules.account.tests.test_module import AccountTestCase

from . import EXTRAS


class AccountWithKazanTestCase(AccountTestCase):
    "account's tests where kazan_accounting and kazan_payroll are activated"
    extras = EXTRAS


del AccountTestCase
