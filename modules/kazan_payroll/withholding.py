# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The standing withholdings from an employee's pay on 304.03: alimony and
other writs of execution (ФЗ 229 «Об исполнительном производстве»), union
dues (ТК ст. 377) and voluntary deductions on the employee's statement.

The payroll run reads the orders in force in its month and
``rules.withholdings`` takes each one's amount within the limits and the
order of priority of the law.  The recipient is kept on the order itself
(name and bank details as text), not as a party: a party is visible to the
users of every institution, and the person who receives alimony is as
private as the employee (party.xml).
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from . import rules
from .exceptions import WithholdingValidationError

WITHHOLDING_KINDS = [
    ('alimony', "Alimony for Minor Children"),
    ('writ', "Other Writ of Execution"),
    ('union_dues', "Union Dues"),
    ('voluntary', "Voluntary Deduction"),
    ]
# ФЗ 229 ст. 111 ч. 1
WITHHOLDING_PRIORITIES = [
    ('1', "1: Alimony, Damage to Health, Loss of Breadwinner, Crime"),
    ('2', "2: Labour Claims"),
    ('3', "3: Taxes and Mandatory Payments"),
    ('4', "4: Other Claims"),
    ]
_ENFORCED = ['alimony', 'writ']
# The grounds of dismissal (rules.DISMISSAL_REASONS decides the severance).
DISMISSAL_REASONS = [
    ('own_will', "Own Will (ТК ст. 80)"),
    ('agreement', "Agreement of the Parties (ТК ст. 78)"),
    ('contract_expiry', "Expiry of the Contract (ТК ст. 79)"),
    ('liquidation', "Liquidation (ТК ст. 81 ч. 1 п. 1)"),
    ('staff_reduction', "Staff Reduction (ТК ст. 81 ч. 1 п. 2)"),
    ('health_transfer_refused',
        "Refused a Transfer Needed for Health (ТК ст. 77 ч. 1 п. 8)"),
    ('relocation_refused',
        "Refused to Move with the Employer (ТК ст. 77 ч. 1 п. 9)"),
    ('changed_terms_refused',
        "Refused the Changed Terms (ТК ст. 77 ч. 1 п. 7)"),
    ('military_service', "Military Service (ТК ст. 83 ч. 1 п. 1)"),
    ('reinstatement',
        "Reinstatement of the Former Holder (ТК ст. 83 ч. 1 п. 2)"),
    ('incapacity', "Incapacity for Work (ТК ст. 83 ч. 1 п. 5)"),
    ('other', "Other"),
    ]


class Withholding(ModelSQL, ModelView):
    "A standing order to withhold from an employee's pay"
    __name__ = 'kazan.payroll.withholding'

    company = fields.Many2One(
        'company.company', "Institution", required=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(WITHHOLDING_KINDS, "Kind", required=True,
        sort=False)
    percent = fields.Numeric(
        "Percent", digits=(5, 2),
        states={'required': ~Bool(Eval('amount'))},
        help="The share withheld: of the pay after NDFL for a writ, of the "
        "pay accrued for union dues and voluntary deductions. "
        "Leave empty for a fixed amount.")
    amount = fields.Numeric(
        "Monthly Amount", digits=(16, 2),
        states={'required': ~Bool(Eval('percent'))},
        help="A fixed amount withheld each month, instead of a percent.")
    priority = fields.Selection(
        WITHHOLDING_PRIORITIES, "Priority", required=True, sort=False,
        states={
            'readonly': Eval('kind') == 'alimony',
            'invisible': ~Eval('kind').in_(_ENFORCED),
            },
        help="The order of priority of the claim (ФЗ 229 ст. 111): "
        "a later one gets only what is left within the limit.")
    increased_limit = fields.Boolean(
        "70 % Limit",
        states={'invisible': Eval('kind') != 'writ'},
        help="The writ is for damage to health, loss of the breadwinner "
        "or damage from a crime: up to 70 % of the pay after NDFL "
        "(ФЗ 229 ст. 99 ч. 3) instead of 50 %.")
    recipient = fields.Char(
        "Recipient", required=True, strip=True,
        help="Who receives the amounts: the person, the bailiffs' "
        "department or the union organisation.")
    recipient_bank_details = fields.Text(
        "Recipient's Bank Details",
        help="The account the amounts are transferred to.")
    document = fields.Char(
        "Document", required=True, strip=True,
        help="The writ of execution, the court order, the bailiff's "
        "resolution or the employee's statement: its number.")
    document_date = fields.Date("Document Date", required=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date",
        domain=[If(Bool(Eval('start_date')) & Bool(Eval('end_date')),
                ('end_date', '>=', Eval('start_date')), ())],
        help="The last day of the order, e.g. the child's 18th birthday; "
        "empty while it is in force.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.employee, Index.Range()), (t.start_date, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'alimony'

    @classmethod
    def default_priority(cls):
        return '1'

    @fields.depends('kind', 'priority')
    def on_change_kind(self):
        if self.kind == 'alimony':
            self.priority = '1'
        elif self.kind in {'union_dues', 'voluntary'}:
            self.priority = '4'

    def get_rec_name(self, name):
        return f'{self.employee.rec_name}: {self.document}'

    def rule_order(self):
        "The order as rules.withholdings takes it"
        return rules.WithholdingOrder(
            kind=self.kind,
            percent=self.percent,
            amount=(self.amount
                if self.percent is None and self.amount is not None
                else None),
            priority=1 if self.kind == 'alimony' else int(self.priority),
            increased_limit=bool(
                self.kind == 'writ' and self.increased_limit),
            document=self.document,
            key=self.id)

    @classmethod
    def validate_fields(cls, withholdings, field_names):
        super().validate_fields(withholdings, field_names)
        for withholding in withholdings:
            withholding.check_share()
            if withholding.employee.company != withholding.company:
                raise WithholdingValidationError(gettext(
                        'kazan_payroll.msg_withholding_other_company',
                        employee=withholding.employee.rec_name))

    def check_share(self):
        "A percent from 0 to 100 or a non-negative amount, not both"
        percent, amount = self.percent, self.amount
        if (percent is None) == (amount is None) or (
                percent is not None and not 0 < percent <= 100) or (
                amount is not None and amount <= Decimal(0)):
            raise WithholdingValidationError(gettext(
                    'kazan_payroll.msg_withholding_share',
                    withholding=self.rec_name))

    @classmethod
    def orders(cls, employee_ids, first, last):
        """The orders in force in the month from first to last, as
        rules.WithholdingOrder, by employee id: one query"""
        result = {}
        for withholding in cls.search([
                    ('employee', 'in', list(employee_ids)),
                    ('start_date', '<=', last),
                    ['OR', ('end_date', '=', None),
                        ('end_date', '>=', first)],
                    ], order=[('id', 'ASC')]):
            result.setdefault(withholding.employee.id, []).append(
                withholding.rule_order())
        return {k: tuple(v) for k, v in result.items()}
