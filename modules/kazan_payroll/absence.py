# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The absences of the employees: annual, sick and unpaid leave, which the
payroll run reads for the month (rules.compute_month).

A sick leave (the employee's own, or the care of a sick child) is granted
on an electronic certificate of incapacity for work (ЭЛН, 255-ФЗ ст. 13,
Приказ Минздрава № 1089н): its 12-digit number is kept with the absence.
``kazan absences import`` (kazan/absences.py) loads absences from files.
"""
import re

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import AbsenceValidationError
from .payslip import MONEY

ABSENCE_KINDS = [
    ('vacation', "Annual leave"),
    ('sick', "Sick leave"),
    # 255-ФЗ ст. 5 ч. 1 п. 2: paid by the Social Fund from the first day
    # (ст. 3 ч. 2 п. 1), nothing from the employer
    ('child_sick', "Care of a sick child"),
    ('unpaid', "Unpaid leave"),
    ]
# The kinds granted on a certificate of incapacity for work (ЭЛН)
CERTIFICATE_KINDS = {'sick', 'child_sick'}
CERTIFICATE_DIGITS = 12


def certificate_error(kind, certificate):
    """The message id of what is wrong with the certificate number of an
    absence of kind, or None: a sick leave has one of 12 ASCII digits,
    the other kinds none"""
    if kind in CERTIFICATE_KINDS:
        if not certificate:
            return 'msg_absence_certificate_required'
        if not re.fullmatch('[0-9]{%d}' % CERTIFICATE_DIGITS, certificate):
            return 'msg_absence_certificate_invalid'
    elif certificate:
        return 'msg_absence_certificate_not_allowed'


class Absence(ModelSQL, ModelView):
    "A period an employee is away from work, both dates included"
    __name__ = 'kazan.payroll.absence'

    company = fields.Many2One(
        'company.company', "Institution", required=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(ABSENCE_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
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
    certificate = fields.Char(
        "Certificate", size=CERTIFICATE_DIGITS,
        # required for a sick leave by check_certificate, whose message
        # says what the number is
        states={
            'invisible': ~Eval('kind').in_(list(CERTIFICATE_KINDS)),
            },
        help="The number of the electronic certificate of incapacity for "
        "work (12 digits) of a sick leave.")
    note = fields.Char("Note", help="The grounds: the order, a remark.")
    # The employee's application to replace years of the sick pay's
    # average (255-ФЗ ст. 14 ч. 1): a year spent on maternity or child-care
    # leave by an earlier one, with its earnings (the certificate of
    # earnings of Приказ Минтруда № 182н, or the institution's own records)
    replaced_year_before_last = fields.Integer(
        "Year Replacing the Year Before Last",
        states={'invisible': Eval('kind') != 'sick'},
        help="On the employee's application: the earlier year that "
        "replaces the year before last (leave for maternity or child "
        "care) in the average of the sick pay.")
    replaced_earnings_before_last = fields.Numeric(
        "Earnings of That Year", digits=MONEY,
        states={
            'invisible': Eval('kind') != 'sick',
            'required': Bool(Eval('replaced_year_before_last')),
            },
        domain=[If(Bool(Eval('replaced_earnings_before_last')),
                ('replaced_earnings_before_last', '>=', 0), ())])
    replaced_year_last = fields.Integer(
        "Year Replacing the Last Year",
        states={'invisible': Eval('kind') != 'sick'},
        help="On the employee's application: the earlier year that "
        "replaces the last year (leave for maternity or child care) in "
        "the average of the sick pay.")
    replaced_earnings_last = fields.Numeric(
        "Earnings of That Year", digits=MONEY,
        states={
            'invisible': Eval('kind') != 'sick',
            'required': Bool(Eval('replaced_year_last')),
            },
        domain=[If(Bool(Eval('replaced_earnings_last')),
                ('replaced_earnings_last', '>=', 0), ())])

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

    @fields.depends('kind', 'certificate',
        methods=['clear_replaced_years'])
    def on_change_kind(self):
        if self.kind not in CERTIFICATE_KINDS:
            self.certificate = None
        self.clear_replaced_years()

    @fields.depends('kind', 'replaced_year_before_last',
        'replaced_earnings_before_last', 'replaced_year_last',
        'replaced_earnings_last')
    def clear_replaced_years(self):
        if self.kind != 'sick':
            self.replaced_year_before_last = None
            self.replaced_earnings_before_last = None
            self.replaced_year_last = None
            self.replaced_earnings_last = None

    @classmethod
    def validate_fields(cls, absences, field_names):
        super().validate_fields(absences, field_names)
        cls.check_certificate(absences, field_names)
        cls.check_overlap(absences, field_names)
        cls.check_replaced_years(absences, field_names)

    def replacements(self):
        """The application's replacements: {replaced year: (year,
        earnings)} for rules.replaced_sick_years"""
        year = self.start_date.year
        result = {}
        for replaced, field in [(year - 2, 'before_last'), (year - 1, 'last')]:
            by = getattr(self, 'replaced_year_' + field)
            if by:
                result[replaced] = (
                    by, getattr(self, 'replaced_earnings_' + field) or 0)
        return result

    @classmethod
    def check_replaced_years(cls, absences, field_names=None):
        """The replacing years are those of a sick leave, earlier than the
        two years before the illness and not the same year twice"""
        if field_names and not field_names & {
                'kind', 'start_date', 'replaced_year_before_last',
                'replaced_year_last'}:
            return
        for absence in absences:
            replacements = absence.replacements()
            if not replacements:
                continue
            first = absence.start_date.year - 2
            years = [y for y, _ in replacements.values()]
            if (absence.kind != 'sick' or any(y >= first for y in years)
                    or len(set(years)) != len(years)):
                raise AbsenceValidationError(gettext(
                        'kazan_payroll.msg_absence_replaced_years',
                        employee=absence.employee.rec_name,
                        start=absence.start_date,
                        years=', '.join(map(str, years)), first=first))

    @classmethod
    def check_certificate(cls, absences, field_names=None):
        "A sick leave has its certificate's number, the other kinds none"
        if field_names and not field_names & {'kind', 'certificate'}:
            return
        for absence in absences:
            error = certificate_error(absence.kind, absence.certificate)
            if error:
                raise AbsenceValidationError(gettext(
                        'kazan_payroll.' + error,
                        employee=absence.employee.rec_name,
                        certificate=absence.certificate or '',
                        kind=absence.kind_string))

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
