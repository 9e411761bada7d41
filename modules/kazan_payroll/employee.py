# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The staff records of the institutions on company.employee.

An employee of an institution is Tryton's company.employee: the person is
its party (the name), the institution its company, the hire date its
``start_date`` and the dismissal date its ``end_date``.  This module adds
what the payroll needs: the personnel number, the identifiers reported to
the Social Fund and the tax office, the pay (rate, salary, allowances, the
КФО that finances it), what the standard deductions depend on, the
year-to-date figures carried over from the previous accounting system, the
salary card's bank account, and what sick pay is computed from (insured
service and the earnings of the two previous years).

The children of an employee (``kazan.payroll.child``) are kept with their
birth dates, in order of birth, for the standard deduction (НК ст. 218
п. 1 пп. 4): every child counts for the place, only the entitled ones
give their amount (rules.child_deduction).  An employee without them
keeps the counts alone, as before: ``children`` entitled children in
order, ``disabled_children`` of them disabled.
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.kazan_accounting import identifiers
from trytond.modules.kazan_accounting.common import KFO
from trytond.modules.kazan_accounting.model import rec_name_domain
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import rules
from .exceptions import EmployeeValidationError
from .withholding import DISMISSAL_REASONS

STAFF_CATEGORIES = [
    ('teacher', "Teacher"),
    ('educator', "Educator"),
    ('administration', "Administration"),
    ('support', "Support Staff"),
    ('culture', "Culture Worker"),
    ]

# Pay comes from own income (2), the municipal task subsidy (4) or a
# subsidy for other purposes (5): the other sources never pay salaries.
PAY_KFO = [(code, name) for code, name in KFO if code in {'2', '4', '5'}]

# A share of a full rate (ставка): part time down to a tenth, at most two
# rates (an extra rate through combining positions).
RATE_MIN = Decimal('0.1')
RATE_MAX = Decimal('2.0')
# A teacher gets the classroom management allowance for at most 2 classes.
CLASS_MANAGEMENT_MAX = 2

_IDENTIFIERS = [
    ('snils', identifiers.snils),
    ('personal_inn', identifiers.personal_inn),
    ('bank_bic', identifiers.bic),
    # the format only: the control key needs the БИК (check_bank_account)
    ('bank_account', identifiers.bank_account),
    ]
_NON_NEGATIVE = [
    'base_salary', 'allowances', 'children', 'disabled_children',
    'ytd_income', 'ytd_deductions', 'ytd_ndfl', 'ytd_contribution_base',
    'insured_years', 'earnings_prev_year', 'earnings_prev_year2',
    'additional_work', 'ytd_average_earnings', 'ytd_excluded_days',
    ]


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    personnel_number = fields.Char(
        "Personnel Number", required=True, strip=True,
        help="Unique within the institution.")
    snils = fields.Char(
        "SNILS", strip=True,
        help="The insurance number of the individual personal account: "
        "11 digits, stored without dashes and spaces.")
    personal_inn = fields.Char(
        "INN", strip=True, help="The 12-digit INN of the person.")
    birth_date = fields.Date("Birth Date")
    position = fields.Char("Position", help="The job title.")
    category = fields.Selection(
        [(None, "")] + STAFF_CATEGORIES, "Category",
        help="The staff category, which decides the pay rules.")
    rate = fields.Numeric(
        "Rate", digits=(4, 3), required=True,
        help="The share of a full rate, from 0.1 to 2.")
    base_salary = fields.Numeric(
        "Base Salary", digits=(16, 2),
        help="The monthly salary for one full rate.")
    allowances = fields.Numeric(
        "Allowances", digits=(16, 2),
        help="The fixed monthly allowances and incentive payments.")
    class_management = fields.Integer(
        "Classroom Management",
        help="The number of classes under classroom management (0 to 2).")
    children = fields.Integer(
        "Children", help="The number of children for the standard deduction.")
    disabled_children = fields.Integer(
        "Disabled Children", help="Of the children, those with a disability.")
    children_records = fields.One2Many(
        'kazan.payroll.child', 'employee', "Children in Order of Birth",
        order=[('birth_date', 'ASC'), ('id', 'ASC')],
        help="Every child of the employee with the birth date, grown-up "
        "children included: the order of birth decides the deduction.  "
        "When there are any, they are counted instead of "
        "\"Children\" and \"Disabled Children\".")
    single_parent = fields.Boolean(
        "Single Parent",
        help="The only parent (or the only guardian or trustee): the child "
        "deductions are doubled (НК ст. 218 п. 1 пп. 4).")
    guardian = fields.Boolean(
        "Guardian",
        help="A guardian, trustee or foster parent, not a parent: "
        "the deduction for a disabled child is the guardian's amount.")
    additional_work = fields.Numeric(
        "Additional Work", digits=(16, 2),
        help="The monthly pay for additional work outside the post's "
        "salary (checking written work, running a room, load above the "
        "norm, a combined post): outside the comparison with the "
        "minimum wage.")
    pay_kfo = fields.Selection(
        PAY_KFO, "Pay KFO", required=True, sort=False,
        help="The source of financing of the pay.")
    ytd_date = fields.Date(
        "Year-to-Date As Of",
        help="The date the year-to-date figures are as of: "
        "the institution's start in the service.")
    ytd_income = fields.Numeric(
        "Year-to-Date Income", digits=(16, 2),
        help="The income taxable by NDFL since 1 January.")
    ytd_deductions = fields.Numeric(
        "Year-to-Date Deductions", digits=(16, 2),
        help="The standard deductions granted since 1 January.")
    ytd_ndfl = fields.Numeric(
        "Year-to-Date NDFL", digits=(16, 2),
        help="The NDFL withheld since 1 January.")
    ytd_contribution_base = fields.Numeric(
        "Year-to-Date Contribution Base", digits=(16, 2),
        help="The insurance contribution base accrued since 1 January.")
    ytd_average_earnings = fields.Numeric(
        "Year-to-Date Earnings for the Average", digits=(16, 2),
        help="Of the year-to-date income, the pay for time worked that "
        "counts in average earnings: without vacation pay, sick pay and "
        "other pay kept at the average (Положение № 922, п. 5).")
    ytd_excluded_days = fields.Integer(
        "Year-to-Date Excluded Days",
        help="The calendar days from 1 January to the year-to-date date "
        "left out of the average earnings: vacation, sick leave, unpaid "
        "leave (Положение № 922, п. 5).")
    bank_bic = fields.Char(
        "Bank BIC", strip=True,
        help="The BIC of the bank that holds the salary card account: "
        "9 digits beginning with 04.")
    bank_account = fields.Char(
        "Bank Account", strip=True,
        help="The 20-digit account of the salary card, where the pay is "
        "transferred; its control key must match the bank's BIC.")
    insured_years = fields.Numeric(
        "Insured Service Years", digits=(4, 1),
        help="The years of insured service, which set the percentage of "
        "sick pay (60, 80 or 100 %).")
    earnings_prev_year = fields.Numeric(
        "Earnings of the Previous Year", digits=(16, 2),
        help="The earnings of last year subject to insurance contributions, "
        "before the cap of the contribution base: "
        "the sick pay is averaged over two years.")
    earnings_prev_year2 = fields.Numeric(
        "Earnings of the Year Before", digits=(16, 2),
        help="The earnings of the year before last subject to insurance "
        "contributions, before the cap of the contribution base.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('personnel_number_unique',
                Unique(t, t.company, t.personnel_number),
                'kazan_payroll.msg_employee_personnel_number_unique'),
            ]
        # Tryton's start and end of an employee are the hire and the
        # dismissal of the staff records.
        cls.start_date.string = "Hire Date"
        cls.start_date.help = "The first working day in the institution."
        cls.end_date.string = "Dismissal Date"
        cls.end_date.help = "The last working day in the institution."

    @classmethod
    def __register__(cls, module_name):
        table_h = cls.__table_handler__(module_name)
        new_ytd = not table_h.column_exist('ytd_average_earnings')
        super().__register__(module_name)
        if new_ytd:
            # the staff onboarded before: all of the year-to-date income
            # was taken as earnings for the average, no day excluded
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update(
                    [table.ytd_average_earnings, table.ytd_excluded_days],
                    [table.ytd_income, 0]))

    @classmethod
    def default_rate(cls):
        return Decimal(1)

    @classmethod
    def default_single_parent(cls):
        return False

    @classmethod
    def default_guardian(cls):
        return False

    @classmethod
    def default_additional_work(cls):
        return Decimal(0)

    @classmethod
    def default_ytd_excluded_days(cls):
        return 0

    @classmethod
    def default_allowances(cls):
        return Decimal(0)

    @classmethod
    def default_class_management(cls):
        return 0

    @classmethod
    def default_children(cls):
        return 0

    @classmethod
    def default_disabled_children(cls):
        return 0

    @classmethod
    def default_pay_kfo(cls):
        return '4'

    @classmethod
    def default_insured_years(cls):
        return Decimal(0)

    @classmethod
    def default_earnings_prev_year(cls):
        return Decimal(0)

    @classmethod
    def default_earnings_prev_year2(cls):
        return Decimal(0)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(
            super().search_rec_name(name, clause), clause,
            'personnel_number')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # Identifiers are stored compact; an invalid one is kept as typed
        # so that the validation names it.
        for name, validator in _IDENTIFIERS:
            if name not in values:
                continue
            if not values[name]:
                values[name] = None
                continue
            try:
                values[name] = validator(values[name])
            except identifiers.InvalidIdentifier:
                pass
        return values

    @classmethod
    def validate_fields(cls, employees, field_names):
        super().validate_fields(employees, field_names)
        cls.check_identifiers(employees, field_names)
        cls.check_bank_account(employees, field_names)
        cls.check_rate(employees, field_names)
        cls.check_non_negative(employees, field_names)
        cls.check_class_management(employees, field_names)
        cls.check_disabled_children(employees, field_names)

    def _message_values(self):
        "The values that name the employee in a message"
        return {
            'employee': self.rec_name,
            'number': self.personnel_number,
            }

    @classmethod
    def check_identifiers(cls, employees, field_names=None):
        for employee, name, value in identifiers.invalid_fields(
                employees, _IDENTIFIERS, field_names):
            raise EmployeeValidationError(gettext(
                    'kazan_payroll.msg_employee_invalid_%s' % name,
                    value=value, **employee._message_values()))

    @classmethod
    def check_bank_account(cls, employees, field_names=None):
        "The БИК and the account go together, and the key matches the БИК"
        if field_names and not (
                {'bank_bic', 'bank_account'} & set(field_names)):
            return
        for employee in employees:
            bic, account = employee.bank_bic, employee.bank_account
            if bool(bic) != bool(account):
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_employee_bank_details_incomplete',
                        **employee._message_values()))
            if not bic:
                continue
            try:
                identifiers.bank_account(account, bic)
            except identifiers.InvalidIdentifier as error:
                # an invalid format was named by check_identifiers
                if error.key != 'bank_account_key':
                    continue
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_employee_bank_account_key',
                        value=account, bic=bic,
                        **employee._message_values()))

    @classmethod
    def check_rate(cls, employees, field_names=None):
        if field_names and 'rate' not in field_names:
            return
        for employee in employees:
            rate = employee.rate
            if rate is not None and not (RATE_MIN <= rate <= RATE_MAX):
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_employee_rate_out_of_range',
                        rate=rate, minimum=RATE_MIN, maximum=RATE_MAX,
                        **employee._message_values()))

    @classmethod
    def check_non_negative(cls, employees, field_names=None):
        names = [n for n in _NON_NEGATIVE
            if field_names is None or n in field_names]
        for employee in employees:
            for name in names:
                value = getattr(employee, name)
                if value is not None and value < 0:
                    raise EmployeeValidationError(gettext(
                            'kazan_payroll.msg_employee_negative',
                            field=cls.__names__(name)['field'],
                            value=value,
                            **employee._message_values()))

    @classmethod
    def check_class_management(cls, employees, field_names=None):
        if field_names and 'class_management' not in field_names:
            return
        for employee in employees:
            classes = employee.class_management
            if classes is not None and not (
                    0 <= classes <= CLASS_MANAGEMENT_MAX):
                raise EmployeeValidationError(gettext(
                        'kazan_payroll'
                        '.msg_employee_class_management_out_of_range',
                        classes=classes, maximum=CLASS_MANAGEMENT_MAX,
                        **employee._message_values()))

    @classmethod
    def check_disabled_children(cls, employees, field_names=None):
        if field_names and not (
                {'children', 'disabled_children'} & set(field_names)):
            return
        for employee in employees:
            if (employee.disabled_children or 0) > (employee.children or 0):
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_employee_disabled_children',
                        disabled_children=employee.disabled_children,
                        children=employee.children or 0,
                        **employee._message_values()))

    def deduction_children(self, children=None):
        """The children for the deduction (rules.Child in order of birth):
        the records with birth dates, else the counts alone, as before.
        children: the employee's kazan.payroll.child records (or rows with
        birth_date, student and disabled), when read for many employees
        at once."""
        if children is None:
            children = self.children_records
        if children:
            return tuple(rules.Child(c.birth_date, bool(c.student),
                    bool(c.disabled)) for c in children)
        return rules.as_children(
            self.children or 0, self.disabled_children or 0)

    @classmethod
    def create_staff(cls, company_id, staff):
        """Create the staff of an institution; return the employees.

        staff is a list of dicts with keys personnel_number, last_name,
        first_name, patronymic, snils, employee_inn, birth_date, hire_date,
        position, category, rate, base_salary, allowances,
        class_management, children, disabled_children, kfo, ytd_income,
        ytd_deductions, ytd_ndfl, ytd_contribution_base (parsed: dates as
        datetime.date, amounts as Decimal, counts as int; patronymic and
        employee_inn may be '' or None), plus ytd_date (by default the
        institution's start in the service) and the optional bank_bic and
        bank_account (both or neither), insured_years, earnings_prev_year
        and earnings_prev_year2 (0 when missing), additional_work (0),
        ytd_average_earnings (ytd_income when missing), ytd_excluded_days
        (0) and children_records (a list of dicts birth_date, student,
        disabled, in order of birth).  Creates the parties (name 'Last
        First Patronymic'), the employees and their children in three
        batched create calls; returns the employees.
        """
        pool = Pool()
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        Child = pool.get('kazan.payroll.child')
        if not staff:
            return []
        start_date = Company(company_id).service_start_date
        parties = Party.create([
                {'name': cls._staff_party_name(s)} for s in staff])
        employees = cls.create([{
                    'company': company_id,
                    'party': party.id,
                    'personnel_number': s['personnel_number'],
                    'snils': s['snils'],
                    'personal_inn': s.get('employee_inn') or None,
                    'birth_date': s.get('birth_date'),
                    'start_date': s.get('hire_date'),
                    'position': s.get('position'),
                    'category': s.get('category'),
                    'rate': s['rate'],
                    'base_salary': s.get('base_salary'),
                    'allowances': s.get('allowances') or Decimal(0),
                    'class_management': s.get('class_management') or 0,
                    'children': s.get('children') or 0,
                    'disabled_children': s.get('disabled_children') or 0,
                    'pay_kfo': str(s['kfo']),
                    'ytd_date': s.get('ytd_date') or start_date,
                    'ytd_income': s.get('ytd_income') or Decimal(0),
                    'ytd_deductions': s.get('ytd_deductions') or Decimal(0),
                    'ytd_ndfl': s.get('ytd_ndfl') or Decimal(0),
                    'ytd_contribution_base': (
                        s.get('ytd_contribution_base') or Decimal(0)),
                    'bank_bic': s.get('bank_bic') or None,
                    'bank_account': s.get('bank_account') or None,
                    'insured_years': s.get('insured_years') or Decimal(0),
                    'earnings_prev_year': (
                        s.get('earnings_prev_year') or Decimal(0)),
                    'earnings_prev_year2': (
                        s.get('earnings_prev_year2') or Decimal(0)),
                    'additional_work': (
                        s.get('additional_work') or Decimal(0)),
                    'ytd_average_earnings': (
                        s['ytd_average_earnings']
                        if s.get('ytd_average_earnings') is not None
                        else s.get('ytd_income') or Decimal(0)),
                    'ytd_excluded_days': s.get('ytd_excluded_days') or 0,
                    } for party, s in zip(parties, staff)])
        Child.create([dict(child, employee=employee.id, company=company_id)
                for employee, s in zip(employees, staff)
                for child in s.get('children_records') or []])
        return employees

    @classmethod
    def _staff_party_name(cls, values):
        "The name of the person: 'Last First Patronymic'"
        return ' '.join(filter(None, (
                    (values.get(k) or '').strip()
                    for k in ['last_name', 'first_name', 'patronymic'])))

    # --- Withholdings, dismissal and hire (issue 15) ---
    dismissal_reason = fields.Selection(
        [(None, "")] + DISMISSAL_REASONS, "Dismissal Reason", sort=False,
        help="The ground of the dismissal: liquidation and staff reduction "
        "carry one average monthly earnings as severance, the cases of "
        "ТК ст. 178 ч. 3 two weeks' earnings.")
    annual_leave_days = fields.Integer(
        "Annual Leave Days",
        help="The days of annual paid leave a year; empty: by the category "
        "(teacher 56, educator 42, others 28).")
    vacation_days_used = fields.Numeric(
        "Leave Days Used Before", digits=(6, 2),
        help="The days of annual leave used since the hire date and before "
        "the annual leaves recorded in the service: the compensation at "
        "dismissal counts both.")
    prev_employer_income = fields.Numeric(
        "Income at the Previous Employer", digits=(16, 2),
        help="The income of the year of hire at the previous employers, "
        "from their income certificates: it counts for the limit of the "
        "child deductions (НК ст. 218 п. 3), not in this employer's NDFL.")
    prev_employer_deductions = fields.Numeric(
        "Deductions at the Previous Employer", digits=(16, 2),
        help="The child deductions of the year of hire granted by the "
        "previous employers, from their income certificates "
        "(for the record).")

    def annual_leave(self):
        "The days of annual paid leave a year of the employee"
        if self.annual_leave_days:
            return self.annual_leave_days
        return rules.annual_leave_days(self.category)


class StaffContext(ModelView):
    "The institution whose staff is listed"
    __name__ = 'kazan.staff.context'

    company = fields.Many2One('company.company', "Institution", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


# Issue 15: the figures of the dismissal and the hire are not negative.
_NON_NEGATIVE.extend([
        'annual_leave_days', 'vacation_days_used', 'prev_employer_income',
        'prev_employer_deductions'])


class Child(ModelSQL, ModelView):
    """A child of an employee, for the standard deduction (НК ст. 218 п. 1
    пп. 4): every child counts in the order of birth, grown-up ones too"""
    __name__ = 'kazan.payroll.child'

    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Institution", required=True, readonly=True,
        help="The employee's institution.")
    birth_date = fields.Date("Birth Date", required=True)
    student = fields.Boolean(
        "Full-Time Student",
        help="In full-time study: the deduction is granted until the end "
        "of the year the child turns 24 (otherwise 18).")
    disabled = fields.Boolean(
        "Disabled",
        help="A child with a disability: under 18, or from 18 to 24 a "
        "full-time student of disability group I or II.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.employee, Index.Range())))
        cls._order = [
            ('employee', 'ASC'), ('birth_date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_student(cls):
        return False

    @classmethod
    def default_disabled(cls):
        return False

    def get_rec_name(self, name):
        return f'{self.employee.rec_name}: {self.birth_date}'

    @classmethod
    def preprocess_values(cls, mode, values):
        "The institution is the employee's"
        pool = Pool()
        Employee = pool.get('company.employee')
        values = super().preprocess_values(mode, values)
        if values.get('employee') and not values.get('company'):
            values['company'] = Employee(values['employee']).company.id
        return values

    @classmethod
    def validate_fields(cls, children, field_names):
        super().validate_fields(children, field_names)
        cls.check_company(children, field_names)

    @classmethod
    def check_company(cls, children, field_names=None):
        if field_names and not {'employee', 'company'} & set(field_names):
            return
        for child in children:
            if child.company != child.employee.company:
                raise EmployeeValidationError(gettext(
                        'kazan_payroll.msg_child_other_company',
                        **child.employee._message_values()))
