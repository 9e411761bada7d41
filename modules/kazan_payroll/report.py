# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The printed forms of the payroll: the payslip (расчетный листок, ТК
ст. 136) and the payroll register (расчетная ведомость, ОКУД 0504402).

Both are HTML templates (relatorio/Genshi) with English fixed text,
translated like every report through the ``report`` translations of
locale/ru.po; amounts are written in the reader's language.
"""
import json
from collections import defaultdict, namedtuple
from decimal import Decimal

from sql import As
from sql.aggregate import Sum

from trytond import backend
from trytond.model import fields
from trytond.modules.company.company import CompanyReport
from trytond.modules.kazan_accounting.model import tables
from trytond.modules.kazan_accounting.statement_report import (
    SafeFileNameReport)
from trytond.pool import Pool
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from . import rules

ZERO = Decimal(0)

# ТК ст. 136 lists the parts of the pay apart from the other sums accrued.
OTHER_SUMS = {'vacation', 'vacation_paid', 'sick_employer',
    'vacation_compensation', 'severance'}
# The accrual columns the register always has, in the order of the form;
# every other code of earning or withholding of the run's lines gets a
# column of its own (codes_in_order), so that a new line is never left out.
REGISTER_ACCRUALS = [
    'salary', 'allowances', 'class_management', 'mrot_topup',
    'vacation', 'sick_employer']
REGISTER_WITHHOLDINGS = ['ndfl']
# The parts of the payslip by kind of line.
PAYSLIP_PARTS = {
    rules.WITHHOLDING: 'withheld',
    rules.TAX_DEDUCTION: 'tax_deductions',
    rules.EMPLOYER: 'employer',
    }

Section = namedtuple('Section', ['lines', 'total'])


def _selection_labels(model, field):
    "The labels of a selection field in the reader's language, by value"
    Model = Pool().get(model)
    return dict(Model.fields_get([field])[field]['selection'])


def codes_in_order(codes, always=()):
    """The line codes of a form's columns: always's, then the others of
    codes in the order of the lines' selection (a code it lacks last)"""
    Line = Pool().get('kazan.payroll.payslip.line')
    order = {c: i for i, (c, _) in enumerate(Line.code.selection)}
    others = sorted(set(codes) - set(always),
        key=lambda c: (order.get(c, len(order)), c))
    return list(always) + others


class PayrollReport(SafeFileNameReport, CompanyReport):
    """A printed form of the payroll: the reader's language, and the labels
    of the payslips' lines and КФО in it"""

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        context = super().get_context(records, header, data)
        context['lang'] = Lang.get()
        context['code_labels'] = _selection_labels(
            'kazan.payroll.payslip.line', 'code')
        context['kfo_labels'] = _selection_labels(
            'kazan.payroll.payslip', 'kfo')
        return context


class PayslipReport(PayrollReport):
    "The payslip (ТК ст. 136): a page per payslip"
    __name__ = 'kazan.payroll.payslip.report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['sections'] = cls.sections
        return context

    @classmethod
    def sections(cls, payslip):
        """The lines of the payslip in the parts of ТК ст. 136: the parts
        of the pay, the other sums accrued, the withholdings; then for
        information the tax deductions and the employer's charges"""
        lines = defaultdict(list)
        for line in payslip.lines:
            if line.kind == rules.EARNING:
                part = 'other' if line.code in OTHER_SUMS else 'pay'
            else:
                part = PAYSLIP_PARTS[line.kind]
            lines[part].append(line)
        return {part: Section(lines[part],
                sum((l.amount for l in lines[part]), ZERO))
            for part in ['pay', 'other', 'withheld', 'tax_deductions',
                'employer']}


class RegisterRow:
    "A line of the register: one payslip, or the total of several"

    def __init__(self, number=None, payslip=None, base_salary=None,
            rate=None):
        self.number = number
        self.payslip = payslip
        self.base_salary = base_salary
        self.rate = rate
        self.accrued = defaultdict(lambda: ZERO)
        self.withheld = defaultdict(lambda: ZERO)
        self.total_accrued = ZERO
        self.ndfl = ZERO
        self.total_withheld = ZERO
        self.advance = ZERO
        self.final_payment = ZERO
        self.net = ZERO

    @classmethod
    def of_payslip(cls, number, payslip, amounts, basis):
        """The row of a payslip from its line amounts {(kind, code):
        amount} and the basis of its salary line"""
        employee = payslip.employee
        row = cls(number, payslip,
            base_salary=_decimal(basis.get('base_salary'),
                employee.base_salary),
            rate=_decimal(basis.get('rate'), employee.rate))
        for (kind, code), amount in amounts.items():
            if kind == rules.EARNING:
                row.accrued[code] += amount
                row.total_accrued += amount
            elif kind == rules.WITHHOLDING:
                # one NDFL column: from the pay, the sick pay and the
                # vacation pay paid before the leave
                row.withheld['ndfl' if code in rules.NDFL_CODES
                    else code] += amount
                row.total_withheld += amount
        row.ndfl = sum((amounts.get((rules.WITHHOLDING, code), ZERO)
                for code in rules.NDFL_CODES), ZERO)
        row.advance = payslip.advance or ZERO
        row.final_payment = payslip.final_payment or ZERO
        row.net = payslip.net or ZERO
        return row

    def add(self, row):
        for code, amount in row.accrued.items():
            self.accrued[code] += amount
        for code, amount in row.withheld.items():
            self.withheld[code] += amount
        for name in ['total_accrued', 'ndfl', 'total_withheld', 'advance',
                'final_payment', 'net']:
            setattr(self, name, getattr(self, name) + getattr(row, name))


Register = namedtuple('Register', [
        'groups', 'total', 'accruals', 'withholdings'])
RegisterGroup = namedtuple('RegisterGroup', ['kfo', 'rows', 'total'])


class PayrollRegisterReport(PayrollReport):
    "The payroll register (расчетная ведомость, ОКУД 0504402) of a run"
    __name__ = 'kazan.payroll.run.register'

    @classmethod
    def get_context(cls, records, header, data):
        Date = Pool().get('ir.date')
        context = super().get_context(records, header, data)
        context['today'] = Date.today()
        context['registers'] = cls.registers([r.id for r in records])
        return context

    @classmethod
    def registers(cls, run_ids):
        """The register of each run by id: a row per payslip, grouped by
        КФО with their totals, and the grand total; a column per code of
        earning and of withholding (REGISTER_ACCRUALS and NDFL always)"""
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        payslips = Payslip.search([('run', 'in', run_ids)])
        amounts, bases = cls._line_figures(run_ids)
        by_run = defaultdict(lambda: defaultdict(list))
        for slip in sorted(payslips, key=lambda s: (
                    s.kfo, s.employee.personnel_number or '',
                    s.employee.rec_name, s.id)):
            by_run[slip.run.id][slip.kfo].append(slip)

        registers = {}
        for run_id in run_ids:
            number = 0
            groups = []
            total = RegisterRow()
            for kfo, slips in by_run[run_id].items():
                group_total = RegisterRow()
                rows = []
                for slip in slips:
                    number += 1
                    row = RegisterRow.of_payslip(number, slip,
                        amounts.get(slip.id, {}), bases.get(slip.id, {}))
                    rows.append(row)
                    group_total.add(row)
                groups.append(RegisterGroup(kfo, rows, group_total))
                total.add(group_total)
            registers[run_id] = Register(groups, total,
                codes_in_order(total.accrued, REGISTER_ACCRUALS),
                codes_in_order(total.withheld, REGISTER_WITHHOLDINGS))
        return registers

    @classmethod
    def _line_figures(cls, run_ids):
        """The lines of the payslips of the runs in two queries: the
        amounts {payslip id: {(kind, code): amount}} and the basis of the
        salary line {payslip id: {name: value}} (the month's salary and
        rate, which the staff record may no longer hold)"""
        payslip, line = tables(
            'kazan.payroll.payslip', 'kazan.payroll.payslip.line')
        cursor = Transaction().connection.cursor()
        in_ = fields.SQL_OPERATORS['in']
        amounts = defaultdict(dict)
        bases = {}
        for sub_ids in grouped_slice(run_ids, backend.MAX_QUERY_PARAMS):
            from_ = line.join(payslip, condition=line.payslip == payslip.id)
            query = from_.select(
                As(line.payslip, 'payslip'), As(line.kind, 'kind'),
                As(line.code, 'code'), As(Sum(line.amount), 'amount'),
                where=in_(payslip.run, list(sub_ids)),
                group_by=[line.payslip, line.kind, line.code])
            sqlite_apply_types(query, [None, None, None, 'NUMERIC'])
            cursor.execute(*query)
            for payslip_id, kind, code, amount in cursor:
                amounts[payslip_id][kind, code] = Decimal(amount or 0)
            cursor.execute(*from_.select(line.payslip, line.basis,
                    where=in_(payslip.run, list(sub_ids))
                    & (line.code == 'salary')))
            for payslip_id, basis in cursor:
                bases[payslip_id] = json.loads(basis or '{}')
        return amounts, bases


def _decimal(value, default):
    "A figure of the basis, or the default; without trailing zeros"
    value = Decimal(value) if value is not None else default
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(1)
    return value.normalize()
