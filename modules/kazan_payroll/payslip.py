# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payslips of a payroll run: the month of one employee and its lines
(the codes of rules.compute_month), with the figures since January that
the next month starts from."""
import datetime as dt
import json
from decimal import Decimal

from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import rules
from .employee import PAY_KFO

ZERO = rules.ZERO
MONEY = (16, 2)

# The lines of a payslip (the codes of rules.compute_month).
LINE_CODES = [
    ('salary', "Salary for the time worked"),
    ('allowances', "Allowances"),
    ('class_management', "Classroom management"),
    ('mrot_topup', "Top-up to the minimum wage"),
    ('vacation', "Vacation pay"),
    ('sick_employer', "Sick pay for the employer's days"),
    ('standard_deduction', "Standard child deductions"),
    ('ndfl', "NDFL withheld"),
    ('contributions', "Insurance contributions"),
    ('accident', "Accident insurance"),
    # issue 15: dismissal and withholdings
    ('vacation_compensation', "Compensation for unused leave"),
    ('severance', "Severance pay"),
    ('alimony', "Alimony"),
    ('writ', "Writ of execution"),
    ('union_dues', "Union dues"),
    ('voluntary', "Voluntary deduction"),
    ]
LINE_KINDS = [
    (rules.EARNING, "Earning"),
    (rules.TAX_DEDUCTION, "Tax deduction"),
    (rules.WITHHOLDING, "Withholding"),
    (rules.EMPLOYER, "Employer's charge"),
    ]
SICK_CODE = 'sick_employer'
# The lines accrued on 302.66 (КОСГУ 266) and paid from it: sick pay and
# severance (issue 15).
CODES_302_66 = {SICK_CODE, 'severance'}


def money(string):
    "A read-only amount of a payslip, in kopecks"
    return fields.Numeric(string, digits=MONEY, readonly=True)


def month_text(month):
    return f'{month:%m.%Y}'


def basis_json(basis):
    return json.dumps({name: str(value) for name, value in basis},
        ensure_ascii=False, sort_keys=True)


class Payslip(ModelSQL, ModelView):
    "The month of one employee (расчетный листок, ТК ст. 136)"
    __name__ = 'kazan.payroll.payslip'

    run = fields.Many2One(
        'kazan.payroll.run', "Run", required=True, ondelete='CASCADE',
        readonly=True)
    company = fields.Many2One(
        'company.company', "Institution", required=True, readonly=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True)
    month = fields.Function(fields.Date("Month"), 'get_month')
    kfo = fields.Selection(PAY_KFO, "KFO", required=True, readonly=True)
    norm_days = fields.Integer("Working Days", readonly=True)
    worked_days = fields.Integer("Days Worked", readonly=True)
    gross = money("Gross")
    standard_deduction = money("Standard Deductions")
    ndfl = money("NDFL")
    net = money("Net")
    advance = money("Advance")
    final_payment = money("Final Payment")
    contribution_base = money("Contribution Base")
    contributions = money("Contributions")
    accident_insurance = money("Accident Insurance")
    ytd_income = money("Income Since January")
    ytd_deductions = money("Deductions Since January")
    ytd_ndfl = money("NDFL Since January")
    ytd_contribution_base = money("Contribution Base Since January")
    lines = fields.One2Many(
        'kazan.payroll.payslip.line', 'payslip', "Lines", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.run, Index.Range())),
                Index(t, (t.employee, Index.Range())),
                })
        cls._order = [('run', 'DESC'), ('id', 'ASC')]

    def get_month(self, name):
        return self.run.month

    def get_rec_name(self, name):
        return f'{self.employee.rec_name} {month_text(self.run.month)}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    def payment_parts(self, kind):
        """What is paid to the employee by operation: the advance is
        salary; the final settlement pays the sick pay in full from its own
        account and the rest of the net from the salary account (never
        below zero: an advance larger than the month's net stays owed)"""
        if kind == 'advance':
            return {'payment': self.advance} if self.advance else {}
        due = max(ZERO, self.final_payment)
        sick = min(due, sum((l.amount for l in self.lines
                    if l.code in CODES_302_66), ZERO))
        parts = {'payment': due - sick, 'payment_sick': sick}
        return {k: v for k, v in parts.items() if v}


class PayslipLine(ModelSQL, ModelView):
    "A line of a payslip: an earning, a deduction, a withholding or a charge"
    __name__ = 'kazan.payroll.payslip.line'

    payslip = fields.Many2One(
        'kazan.payroll.payslip', "Payslip", required=True,
        ondelete='CASCADE', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    code = fields.Selection(LINE_CODES, "Line", required=True, readonly=True)
    kind = fields.Selection(LINE_KINDS, "Kind", required=True, readonly=True)
    amount = money("Amount")
    basis = fields.Text("Basis", readonly=True,
        help="The figures the amount was computed from (JSON).")
    grounds = fields.Function(fields.Char("Grounds"), 'get_grounds')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.payslip, Index.Range())))
        cls._order = [('payslip', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def insert_lines(cls, vlist):
        """Insert the lines computed by a run, in multi-row INSERTs.

        The lines are the rules' own output (codes and kinds from the
        selections, amounts in kopecks, the payslip just created), so the
        ORM's create would only read each line back to validate what is
        valid by construction: that is more than half the time of a run
        (bench/payroll.py).  A test compares the rows with the ORM's.
        """
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        names = ['payslip', 'sequence', 'code', 'kind', 'amount', 'basis']
        columns = [table.create_uid, table.create_date] + [
            getattr(table, n) for n in names]
        size = backend.MAX_QUERY_PARAMS // len(columns)
        for sub_values in grouped_slice(vlist, size):
            cursor.execute(*table.insert(columns, [
                        [user, CurrentTimestamp()] + [
                            cls._fields[n].sql_format(v[n]) for n in names]
                        for v in sub_values]))

    def get_grounds(self, name):
        "The basis in words, in the reader's language"
        lang = Pool().get('ir.lang').get()
        values = {key: _format_basis(lang, value)
            for key, value in json.loads(self.basis or '{}').items()}
        try:
            return gettext(f'kazan_payroll.msg_grounds_{self.code}', **values)
        except (KeyError, ValueError, TypeError):
            return ''


def _format_basis(lang, value):
    """A figure of the basis as the language writes it: dates, whole
    numbers, amounts with kopecks, rates without trailing zeros"""
    try:
        number = Decimal(value)
    except ArithmeticError:
        try:
            return lang.strftime(dt.date.fromisoformat(value))
        except ValueError:
            return value
    decimals = max(0, -number.as_tuple().exponent)
    if decimals > 2:
        number = number.normalize()
        decimals = max(0, -number.as_tuple().exponent)
    return lang.format(f'%.{decimals}f', number, grouping=True)
