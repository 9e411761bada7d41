# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payslips of a payroll run: the month of one employee and its lines
(the codes of rules.compute_month), with the figures since January that
the next month starts from."""
import datetime as dt
import json
from collections import defaultdict, namedtuple
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import rules
from .employee import PAY_KFO
from .queries import _apply_types, _in, _in_max, bulk_insert

ZERO = rules.ZERO
MONEY = (16, 2)
# A payslip line as the payment parts read it (Payslip.lines_of).
LineRow = namedtuple('LineRow', 'code kind amount kfo')
# The operations of a payment that pay the employee (the employee's debt
# pays nothing)
PAYING = {'payment', 'payment_sick'}

# The lines of a payslip (the codes of rules.compute_month).
LINE_CODES = [
    ('salary', "Salary for the time worked"),
    ('allowances', "Allowances"),
    ('class_management', "Classroom management"),
    ('mrot_topup', "Top-up to the minimum wage"),
    ('extra_load', "Load above one rate"),
    ('additional_work', "Additional work"),
    ('vacation', "Vacation pay"),
    ('vacation_paid', "Vacation pay paid before the leave"),
    ('sick_employer', "Sick pay for the employer's days"),
    ('standard_deduction', "Standard child deductions"),
    ('ndfl', "NDFL withheld"),
    ('ndfl_sick', "NDFL withheld from sick pay"),
    ('ndfl_vacation', "NDFL withheld from vacation pay"),
    ('withheld_vacation', "Writs withheld from vacation pay"),
    ('debt_recovery', "Advance paid above an earlier month's pay"),
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
SICK_CODE = rules.SICK_CODE
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
    final_date = fields.Date("Settled On", readonly=True,
        help="The day an employee dismissed in the month was paid "
        "everything due (ТК ст. 140).")
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

    @classmethod
    def insert_computed(cls, vlist):
        """Insert the payslips computed by a run (run._payslip_record:
        the same fields in each, their lines under 'lines') and return
        them: valid by construction, as their lines (insert_lines), they
        are inserted without the ORM's read-back and validation
        (queries.bulk_insert); a test validates them with the ORM"""
        Line = Pool().get('kazan.payroll.payslip.line')
        vlist = [dict(v) for v in vlist]
        lines = [v.pop('lines', []) for v in vlist]
        names = sorted(vlist[0]) if vlist else []
        payslips = cls.browse(bulk_insert(cls, names, vlist, ids=True))
        Line.insert_lines([dict(line, payslip=payslip.id)
                for payslip, slip_lines in zip(payslips, lines)
                for line in slip_lines])
        return payslips

    def get_month(self, name):
        return self.run.month

    def get_rec_name(self, name):
        return f'{self.employee.rec_name} {month_text(self.run.month)}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    @classmethod
    def lines_of(cls, payslips):
        """{payslip id: [LineRow]}: the lines of the payslips as the
        payment parts read them, one query a batch (the instances of
        thousands of lines cost more than the sums they give)"""
        line = Pool().get('kazan.payroll.payslip.line').__table__()
        cursor = Transaction().connection.cursor()
        result = {p.id: [] for p in payslips}
        for sub_ids in grouped_slice(list(result), _in_max()):
            query = line.select(line.payslip, line.code, line.kind,
                line.amount, line.kfo,
                where=_in(line.payslip, sub_ids),
                order_by=[line.payslip, line.sequence, line.id])
            _apply_types(query, [None, None, None, 'NUMERIC', None])
            cursor.execute(*query)
            for payslip, code, kind, amount, kfo in cursor:
                result[payslip].append(LineRow(code, kind, amount, kfo))
        return result

    def payment_parts_by_kfo(self, kind, lines=None):
        """payment_parts by КФО: {kfo: {operation: amount}}.  With one
        source, the payslip's КФО; with several, each КФО pays its own
        earnings less its withholdings, the advance split as the salary.
        lines: the payslip's (lines_of), read here by default"""
        lines = self.lines if lines is None else lines
        kfos = {l.kfo for l in lines if l.kfo} - {self.kfo}
        if not kfos:
            return {self.kfo: self.payment_parts(kind, lines)}
        net = defaultdict(lambda: ZERO)
        salary = defaultdict(lambda: ZERO)
        sick = defaultdict(lambda: ZERO)
        for line in lines:
            kfo = line.kfo or self.kfo
            if line.kind == rules.EARNING:
                net[kfo] += line.amount
            elif line.kind == rules.WITHHOLDING:
                net[kfo] -= line.amount
            if line.code == 'salary':
                salary[kfo] += line.amount
            if line.code in CODES_302_66:
                sick[kfo] += line.amount
            elif line.code == rules.NDFL_SICK_CODE:
                sick[kfo] -= line.amount
            elif line.code in {rules.VACATION_PAID_CODE,
                    rules.NDFL_VACATION_CODE}:
                # paid by its document
                net[kfo] -= (line.amount if line.kind == rules.EARNING
                    else -line.amount)
        advance = rules.largest_remainder(self.advance or ZERO, salary) \
            if any(salary.values()) else {self.kfo: self.advance or ZERO}
        result = {}
        for kfo in sorted(net):
            if kind == 'advance':
                parts = {'payment': advance.get(kfo, ZERO)}
            else:
                due = net[kfo] - advance.get(kfo, ZERO)
                if due < 0:
                    parts = {'employee_debt': -due}
                else:
                    sick_part = max(ZERO, min(due, sick[kfo]))
                    parts = {'payment': due - sick_part,
                        'payment_sick': sick_part}
            parts = {k: v for k, v in parts.items() if v}
            if parts:
                result[kfo] = parts
        return result

    def payment_parts(self, kind, lines=None):
        """What is paid to the employee by operation: the advance is
        salary; the final settlement pays the sick pay less its tax from
        its own account and the rest of the net from the salary account;
        an advance larger than the month's net becomes the employee's
        debt.  lines: the payslip's (lines_of), read here by default"""
        if kind == 'advance':
            return {'payment': self.advance} if self.advance else {}
        if self.final_payment < 0:
            # the advance was above the month's pay: the employee owes the
            # difference (209.34), recovered from the next months' pay
            return {'employee_debt': -self.final_payment}
        lines = self.lines if lines is None else lines
        due = max(ZERO, self.final_payment)
        sick = min(due, sum((l.amount for l in lines
                    if l.code in CODES_302_66), ZERO) - sum((l.amount
                    for l in lines if l.code == rules.NDFL_SICK_CODE),
                ZERO))
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
    kfo = fields.Selection([(None, '')] + PAY_KFO, "KFO", readonly=True,
        help="The source of financing of the line when the pay has "
        "several; empty: the payslip's.")
    period = fields.Date("Period", readonly=True,
        help="The earlier month a correction line belongs to.")
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
        """Insert the lines computed by a run (queries.bulk_insert).

        The lines are the rules' own output (codes and kinds from the
        selections, amounts in kopecks, the payslip just created), so the
        ORM's create would only read each line back to validate what is
        valid by construction: that is more than half the time of a run
        (bench/payroll.py).  A test compares the rows with the ORM's.
        """
        bulk_insert(cls, ['payslip', 'sequence', 'code', 'kind', 'amount',
                'kfo', 'period', 'basis'], vlist)

    def get_grounds(self, name):
        "The basis in words, in the reader's language"
        lang = Pool().get('ir.lang').get()
        values = {key: _format_basis(lang, value)
            for key, value in json.loads(self.basis or '{}').items()}
        if self.period:
            values['period'] = month_text(self.period)
            values['line'] = dict(self._fields['code'].selection).get(
                self.code, self.code)
            key = 'reversal' if 'reversal' in values else 'correction'
            return gettext(f'kazan_payroll.msg_grounds_{key}', **values)
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
