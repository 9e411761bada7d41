# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Several sources of one employee's pay: the parts of the pay financed
from other КФО than the employee's main one (e.g. a quarter of a teacher's
salary from paid services, КФО 2, the classroom fee from the targeted
subsidy, КФО 5).  The payroll run splits the payslip's lines by them
(rules.split_by_source); the posting, the payments and the register follow
the lines' КФО."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval

from . import rules
from .employee import PAY_KFO
from .exceptions import EmployeeValidationError
from .payslip import LINE_CODES, MONEY

# The earnings a source may name; none: the post's pay.
SOURCE_CODES = [(None, "The post's pay")] + [
    (code, name) for code, name in LINE_CODES
    if code in {'class_management', 'additional_work', 'extra_load'}]


class PaySource(ModelSQL, ModelView):
    "A part of an employee's pay from another source of financing"
    __name__ = 'kazan.payroll.pay_source'

    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    kfo = fields.Selection(PAY_KFO, "KFO", required=True)
    code = fields.Selection(SOURCE_CODES, "Pay",
        help="Leave empty for the post's pay (salary, allowances, top-up, "
        "vacation and sick pay).")
    share = fields.Numeric("Share %", digits=(5, 2),
        states={'required': ~Bool(Eval('amount'))},
        help="The percentage of the pay from this source.")
    amount = fields.Numeric("Monthly Amount", digits=MONEY,
        states={'required': ~Bool(Eval('share'))},
        help="A monthly amount from this source, in proportion to the "
        "days worked.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('employee')
        cls._order = [('employee', 'ASC'), ('kfo', 'ASC'), ('id', 'ASC')]

    @classmethod
    def validate_fields(cls, sources, field_names):
        super().validate_fields(sources, field_names)
        for source in sources:
            try:
                source.rule()
            except ValueError:
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_pay_source_invalid',
                        employee=source.employee.rec_name)) from None
            if source.kfo == source.employee.pay_kfo:
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_pay_source_main_kfo',
                        employee=source.employee.rec_name,
                        kfo=source.kfo))

    def rule(self):
        return rules.PaySource(self.kfo, self.code or None,
            self.share, self.amount)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    pay_sources = fields.One2Many(
        'kazan.payroll.pay_source', 'employee', "Other Sources of Pay",
        help="Parts of the pay financed from other КФО than the main one.")
