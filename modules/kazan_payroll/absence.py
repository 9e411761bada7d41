# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The absences of the employees: annual, sick and unpaid leave, which the
payroll run reads for the month (rules.compute_month)."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import AbsenceValidationError
from .payslip import MONEY

ABSENCE_KINDS = [
    ('vacation', "Annual leave"),
    ('sick', "Sick leave"),
    ('unpaid', "Unpaid leave"),
    ]


class Absence(ModelSQL, ModelView):
    "A period an employee is away from work, both dates included"
    __name__ = 'kazan.payroll.absence'

    company = fields.Many2One(
        'company.company', "Institution", required=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(ABSENCE_KINDS, "Kind", required=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date", required=True,
        domain=[If(Bool(Eval('start_date')),
                ('end_date', '>=', Eval('start_date')), ())])
    average_daily = fields.Numeric(
        "Average Daily Earnings", digits=MONEY,
        states={'invisible': Eval('kind') != 'vacation'},
        help="For annual leave: leave empty to compute it from the last "
        "12 months (and the onboarded year-to-date figures).")
    note = fields.Char("Note", help="The order or the certificate.")

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
        return 'vacation'

    @classmethod
    def validate_fields(cls, absences, field_names):
        super().validate_fields(absences, field_names)
        cls.check_overlap(absences, field_names)

    @classmethod
    def check_overlap(cls, absences, field_names=None):
        "An employee is not away twice on the same day"
        if field_names and not field_names & {
                'employee', 'start_date', 'end_date'}:
            return
        for absence in absences:
            if absence.employee.company != absence.company:
                raise AbsenceValidationError(gettext(
                        'kazan_payroll.msg_absence_other_company',
                        employee=absence.employee.rec_name))
            others = cls.search([
                    ('id', '!=', absence.id),
                    ('employee', '=', absence.employee.id),
                    ('start_date', '<=', absence.end_date),
                    ('end_date', '>=', absence.start_date),
                    ], limit=1)
            if others:
                other, = others
                raise AbsenceValidationError(gettext(
                        'kazan_payroll.msg_absence_overlap',
                        employee=absence.employee.rec_name,
                        start=absence.start_date, end=absence.end_date,
                        other_start=other.start_date,
                        other_end=other.end_date))
