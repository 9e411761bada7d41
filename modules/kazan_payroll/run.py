# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The monthly payroll run of an institution, its payslips and postings.

A run is one institution and one month: ``draft`` → ``computed`` (a
payslip per employee, computed by ``rules.compute_month`` from the staff
record, the absences, the year-to-date figures and the law of the year) →
``posted`` (one move per КФО in journal №6, from the posting rules) →
``cancelled`` (only by reversing moves: a posted run is never deleted).
The advance and the final settlement are paid from the personal account by
moves of their own, and the payslips give the salary-card lists.

Everything is computed in batches: one query per kind of fact for all the
employees of the runs, one ``create`` for all the payslips with their
lines, one ``create`` for all the moves.
"""
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kazan_accounting.model import DocumentMixin, tables
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import average, reserve, rules
from .exceptions import PayrollRunError
from .payslip import MONEY, PAYING, ZERO, basis_json, month_text
from .posting import (
    OPERATIONS, POSTED_BY_DOCUMENT, MoveBatch, Posting, reverse_moves)
from .queries import _apply_types, _in, _in_max

RUN_STATES = [
    ('draft', "Draft"),
    ('computed', "Computed"),
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]


def _by_month(runs):
    "[(month, [runs of the month])], months in order"
    by_month = defaultdict(list)
    for run in runs:
        by_month[run.month].append(run)
    return sorted(by_month.items())


def _employee_error(employee, exception):
    "The run's error of a rule refusing the figures of an employee"
    return PayrollRunError(gettext('kazan_payroll.msg_run_employee_error',
            employee=employee.rec_name, number=employee.personnel_number,
            error=str(exception)))


class Run(DocumentMixin, Workflow, ModelSQL, ModelView):
    "The payroll of one institution for one month"
    __name__ = 'kazan.payroll.run'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    month = fields.Date(
        "Month", required=True, states=_states,
        help="The first day of the month.")
    state = fields.Selection(RUN_STATES, "State", readonly=True, sort=False)
    payslips = fields.One2Many(
        'kazan.payroll.payslip', 'run', "Payslips", readonly=True)
    moves = fields.One2Many(
        'account.move', 'origin', "Moves", readonly=True,
        help="The accrual, payment and reversing moves of the run.")
    corrections = fields.One2Many(
        'kazan.payroll.run.correction', 'run', "Corrections",
        states=_states,
        help="Earlier months of the year corrected in this month: their "
        "accruals are reversed and made anew, with the earlier month as "
        "their grounds.")
    advance_move = fields.Many2One(
        'account.move', "Advance Payment", readonly=True)
    final_move = fields.Many2One(
        'account.move', "Final Payment", readonly=True)
    employee_count = fields.Function(
        fields.Integer("Employees"), 'get_totals')
    gross = fields.Function(
        fields.Numeric("Gross", digits=MONEY), 'get_totals')
    ndfl = fields.Function(
        fields.Numeric("NDFL", digits=MONEY), 'get_totals')
    net = fields.Function(
        fields.Numeric("Net", digits=MONEY), 'get_totals')
    contributions = fields.Function(
        fields.Numeric("Contributions", digits=MONEY), 'get_totals')
    accident_insurance = fields.Function(
        fields.Numeric("Accident Insurance", digits=MONEY), 'get_totals')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Range()), (t.month, Index.Range())))
        cls._order = [('month', 'DESC'), ('company', 'ASC'), ('id', 'DESC')]
        # validate() names the run; this holds against two accountants
        # creating it at once (PostgreSQL; SQLite has one writer anyway)
        cls._sql_constraints += [
            ('month_unique', Exclude(t,
                    (t.company, Equal), (t.month, Equal),
                    where=t.state != 'cancelled'),
                'kazan_payroll.msg_run_unique_constraint'),
            ]
        cls._transitions |= {
            ('draft', 'computed'),
            ('computed', 'computed'),
            ('computed', 'draft'),
            ('computed', 'posted'),
            ('posted', 'cancelled'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'readonly': Bool(Eval('advance_move')),
                    'icon': 'tryton-refresh',
                    'depends': ['state', 'advance_move'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'computed',
                    'readonly': Bool(Eval('advance_move')),
                    'icon': 'tryton-back',
                    'depends': ['state', 'advance_move'],
                    },
                'post': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'posted',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'pay_advance': {
                    'invisible': (~Eval('state').in_(['computed', 'posted'])
                        | Bool(Eval('advance_move'))),
                    'depends': ['state', 'advance_move'],
                    },
                'pay_final': {
                    'invisible': ((Eval('state') != 'posted')
                        | Bool(Eval('final_move'))),
                    'depends': ['state', 'final_move'],
                    },
                })

    @classmethod
    def default_month(cls):
        Date = Pool().get('ir.date')
        return Date.today().replace(day=1)

    def get_rec_name(self, name):
        return f'{self.company.rec_name} {month_text(self.month)}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('company.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_totals(cls, runs, names):
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        payslip = Payslip.__table__()
        cursor = Transaction().connection.cursor()
        columns = {
            'gross': payslip.gross, 'ndfl': payslip.ndfl,
            'net': payslip.net, 'contributions': payslip.contributions,
            'accident_insurance': payslip.accident_insurance,
            }
        result = {n: {r.id: ZERO for r in runs} for n in names}
        if 'employee_count' in result:
            result['employee_count'] = {r.id: 0 for r in runs}
        for sub_ids in grouped_slice([r.id for r in runs], _in_max()):
            query = payslip.select(
                payslip.run, Count(payslip.id),
                *(Sum(Coalesce(columns[n], 0)) for n in columns),
                where=_in(payslip.run, sub_ids),
                group_by=payslip.run)
            _apply_types(query, [None, None] + ['NUMERIC'] * len(columns))
            cursor.execute(*query)
            for run_id, count, *sums in cursor:
                for name, value in zip(columns, sums):
                    if name in result:
                        result[name][run_id] = Decimal(value)
                if 'employee_count' in result:
                    result['employee_count'][run_id] = count
        return result

    @classmethod
    def validate(cls, runs):
        super().validate(runs)
        for run in runs:
            if run.month.day != 1:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_month_first_day',
                        month=run.month))
            if run.state == 'cancelled':
                continue
            others = cls.search([
                    ('id', '!=', run.id),
                    ('company', '=', run.company.id),
                    ('month', '=', run.month),
                    ('state', '!=', 'cancelled'),
                    ], limit=1)
            if others:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_unique',
                        institution=run.company.rec_name,
                        month=month_text(run.month)))

    @classmethod
    def delete(cls, runs):
        for run in runs:
            if run.state not in {'draft', 'computed'} or run.advance_move:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_delete_posted',
                        run=run.rec_name))
        super().delete(runs)

    @classmethod
    def copy(cls, runs, default=None):
        default = default.copy() if default else {}
        default.setdefault('payslips', None)
        default.setdefault('moves', None)
        default.setdefault('advance_move', None)
        default.setdefault('final_move', None)
        default.setdefault('corrections', None)
        return super().copy(runs, default=default)

    @classmethod
    def runs_for(cls, companies, month):
        """The run of each institution for the month (one per company, in
        the same order), created in draft where there is none; a
        cancelled run is replaced by a new one"""
        month = month.replace(day=1)
        existing = {r.company.id: r for r in cls.search([
                    ('company', 'in', [c.id for c in companies]),
                    ('month', '=', month),
                    ('state', '!=', 'cancelled'),
                    ])}
        new = cls.create([{'company': c.id, 'month': month}
                for c in companies if c.id not in existing])
        existing.update({r.company.id: r for r in new})
        return [existing[c.id] for c in companies]

    # --- Computing -----------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, runs):
        "Compute the payslip of every employee of the month"
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        for run in runs:
            if run.advance_move:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_advance_paid',
                        run=run.rec_name))
        cls.check_service_start(runs)
        cls.check_earlier_runs(runs)
        pool.get('kazan.payroll.vacation_pay').create_for_runs(runs)
        Payslip.delete(Payslip.search([('run', 'in', [r.id for r in runs])]))
        slips = cls.compute_slips_of(runs)
        Payslip.insert_computed([run._payslip_record(employee, slip, sources)
                for run in runs
                for employee, slip, sources in slips[run.id]])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, runs):
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        for run in runs:
            if run.advance_move:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_advance_paid',
                        run=run.rec_name))
        Payslip.delete(Payslip.search([('run', 'in', [r.id for r in runs])]))

    @classmethod
    def check_service_start(cls, runs):
        "The payroll of an institution starts with its month in the service"
        for run in runs:
            start = run.company.service_start_date
            if start and run.month < start.replace(day=1):
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_before_service',
                        run=run.rec_name, start=start))

    @classmethod
    def check_earlier_runs(cls, runs):
        """The year-to-date figures come from the posted runs: every month
        of the year before the run's, since the institution's start in the
        service (where the onboarded figures stop), must be posted"""
        for run in runs:
            since = run.month.replace(month=1)
            start = run.company.service_start_date
            if start and start > since:
                since = start.replace(day=1)
            months = set()
            month = since
            while month < run.month:
                months.add(month)
                month = rules.month_bounds(month)[1] + dt.timedelta(days=1)
            if not months:
                continue
            posted = {r.month for r in cls.search([
                        ('company', '=', run.company.id),
                        ('month', 'in', list(months)),
                        ('state', '=', 'posted'),
                        ])}
            missing = sorted(months - posted)
            if missing:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_earlier_not_posted',
                        run=run.rec_name,
                        earlier=month_text(missing[0])))

    @classmethod
    def law(cls, year):
        "The payroll parameters and the production calendar of the year"
        pool = Pool()
        LawYear = pool.get('kazan.payroll.law_year')
        CalendarDay = pool.get('kazan.payroll.calendar_day')
        params = LawYear.parameters(year)
        calendar = CalendarDay.calendar(rules.TATARSTAN)
        if year not in calendar.years:
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_run_no_calendar', year=year))
        return params, calendar

    def employees(self):
        "The employees of the institution employed in the month"
        return self.employees_of([self])[self.id]

    @classmethod
    def employees_of(cls, runs):
        """The employees of each run's institution employed in its month,
        by personnel number: {run id: [employee]}, one search a month"""
        Employee = Pool().get('company.employee')
        result = {r.id: [] for r in runs}
        for month, month_runs in _by_month(runs):
            first, last = rules.month_bounds(month)
            run_of = {r.company.id: r.id for r in month_runs}
            with Transaction().set_context(active_test=False):
                for employee in Employee.search([
                            ('company', 'in', list(run_of)),
                            ['OR', ('start_date', '=', None),
                                ('start_date', '<=', last)],
                            ['OR', ('end_date', '=', None),
                                ('end_date', '>=', first)],
                            ], order=[('personnel_number', 'ASC'),
                            ('id', 'ASC')]):
                    result[run_of[employee.company.id]].append(employee)
        return result

    def compute_slips(self, employees=None, corrections=True):
        """[(employee, rules.Payslip, pay sources)] of the month, computed
        from what the database holds now, written nowhere: the employees
        of the month (those of `employees` only when given), with the
        vacation pay paid in the month and, with corrections, the
        corrections of the earlier months the run lists"""
        return self.compute_slips_of([self], employees, corrections)[self.id]

    @classmethod
    def compute_slips_of(cls, runs, employees=None, corrections=True):
        """compute_slips of each run, {run id: [(employee, rules.Payslip,
        pay sources)]}, with what they read read for all the runs of a
        month at once"""
        result = {}
        for month, month_runs in _by_month(runs):
            result.update(cls._compute_month_slips(
                    month, month_runs, employees, corrections))
        return result

    @classmethod
    def _compute_month_slips(cls, month, runs, only=None, corrections=True):
        "compute_slips_of for runs of the same month"
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        VacationPay = pool.get('kazan.payroll.vacation_pay')
        PaySource = pool.get('kazan.payroll.pay_source')
        Withholding = pool.get('kazan.payroll.withholding')
        first, last = rules.month_bounds(month)
        params, calendar = cls.law(first.year)
        staff = cls.employees_of(runs)
        if only is not None:
            staff = {run_id: [e for e in employees if e in only]
                for run_id, employees in staff.items()}
        employees = [e for r in runs for e in staff[r.id]]
        result = {r.id: [] for r in runs}
        if not employees:
            return result
        employee_ids = [e.id for e in employees]
        ytd = cls._year_to_date(month, employee_ids)
        debts = cls._advance_debts(month, employee_ids)
        sources = defaultdict(list)
        for source in PaySource.search([('employee', 'in', employee_ids)]):
            sources[source.employee.id].append(source.rule())
        absences = defaultdict(list)
        for absence in Absence.search([
                    ('employee', 'in', employee_ids),
                    ('start_date', '<=', last),
                    ('end_date', '>=', first),
                    ]):
            absences[absence.employee.id].append(absence)
        documents = VacationPay.search([
                ('absence', 'in', [a.id for e_absences in absences.values()
                        for a in e_absences if a.kind == 'vacation']),
                ('state', 'in', ['computed', 'posted']),
                ])
        paid = {d.absence.id for d in documents}
        other_lines = defaultdict(list)
        for document in VacationPay.of_month([r.company for r in runs],
                first):
            other_lines[document.employee.id].extend(
                document.payslip_lines())
        if corrections:
            for run in runs:
                for correction in run.corrections:
                    for employee_id, lines in correction.lines(
                            staff[run.id]).items():
                        other_lines[employee_id].extend(lines)
        averages = average.vacation_averages(
            [(a.employee, a.start_date) for e_absences in absences.values()
                for a in e_absences if a.kind == 'vacation'
                and a.average_daily is None and a.id not in paid], params)
        children = cls._children(employee_ids)
        # issue 15: the withholding orders and the final settlements
        withholdings = Withholding.orders(employee_ids, first, last)
        replaced = cls._replaced_sick_years(employees, absences)

        for run in runs:
            accident_rate = run.company.accident_rate or ZERO
            settlements = run._settlements(staff[run.id], params, calendar)
            for employee in staff[run.id]:
                facts = rules.EmployeeFacts(
                    base_salary=employee.base_salary or ZERO,
                    rate=employee.rate,
                    allowances=employee.allowances or ZERO,
                    class_management=employee.class_management or 0,
                    children=employee.deduction_children(
                        children.get(employee.id, ())),
                    hire_date=employee.start_date,
                    dismissal_date=employee.end_date,
                    absences=tuple(
                        cls._rule_absence(a, paid, averages, replaced)
                        for a in absences[employee.id]),
                    ytd=(ytd.get(employee.id)
                        or run._onboarded_ytd(employee)),
                    accident_rate=accident_rate,
                    insured_years=employee.insured_years or ZERO,
                    earnings_prev_two_years=(
                        employee.earnings_prev_year2 or ZERO,
                        employee.earnings_prev_year or ZERO),
                    additional_work=employee.additional_work or ZERO,
                    other_lines=tuple(other_lines[employee.id]),
                    advance_debt=debts.get(employee.id, ZERO),
                    withholdings=withholdings.get(employee.id, ()),
                    settlement=settlements.get(employee.id),
                    prev_employer_income=run._prev_employer_income(
                        employee),
                    single_parent=bool(employee.single_parent),
                    guardian=bool(employee.guardian),
                    )
                try:
                    slip = rules.compute_month(facts, first, params,
                        calendar)
                except ValueError as exception:
                    raise _employee_error(employee, exception) from exception
                result[run.id].append(
                    (employee, slip, sources.get(employee.id, ())))
        return result

    @staticmethod
    def _children(employee_ids):
        """The children of the employees in order of birth, in one query:
        {employee id: [kazan.payroll.child]}"""
        Child = Pool().get('kazan.payroll.child')
        result = defaultdict(list)
        for child in Child.search([('employee', 'in', employee_ids)],
                order=[('employee', 'ASC'), ('birth_date', 'ASC'),
                    ('id', 'ASC')]):
            result[child.employee.id].append(child)
        return result

    def _onboarded_ytd(self, employee):
        """The year-to-date figures carried over at onboarding, when they
        are of this year and before this month"""
        if (employee.ytd_date and employee.ytd_date.year == self.month.year
                and employee.ytd_date <= self.month):
            return rules.YearToDate(
                income=employee.ytd_income or ZERO,
                deductions=employee.ytd_deductions or ZERO,
                ndfl=employee.ytd_ndfl or ZERO,
                contribution_base=employee.ytd_contribution_base or ZERO)
        return rules.YearToDate()

    @classmethod
    def _year_to_date(cls, month, employee_ids):
        """The year-to-date figures of the employees (of any institution)
        after their last posted payslip of the year before the month, by
        employee id"""
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        payslip = Payslip.__table__()
        run = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(employee_ids, _in_max()):
            cursor.execute(*payslip.join(run,
                    condition=payslip.run == run.id).select(
                    payslip.employee, payslip.ytd_income,
                    payslip.ytd_deductions, payslip.ytd_ndfl,
                    payslip.ytd_contribution_base,
                    where=_in(payslip.employee, sub_ids)
                    & (run.state == 'posted')
                    & (run.month < month)
                    & (run.month >= month.replace(month=1)),
                    order_by=[run.month.asc]))
            for employee_id, *figures in cursor:
                result[employee_id] = rules.YearToDate(
                    *(Decimal(str(f)) for f in figures))
        return result

    @classmethod
    def _advance_debts(cls, month, employee_ids):
        """The employees' debts for advances paid above a month's pay, by
        employee id: what the posted runs before the month left owed (a
        negative final settlement) less what they recovered (an employee's
        payslips are its institution's)"""
        Payslip = Pool().get('kazan.payroll.payslip')
        payslip, line = tables(
            'kazan.payroll.payslip', 'kazan.payroll.payslip.line')
        run = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(employee_ids, _in_max()):
            debts = defaultdict(lambda: ZERO)
            # the domain compares amounts as numbers on SQLite too
            for slip in Payslip.search([
                        ('employee', 'in', list(sub_ids)),
                        ('run.state', '=', 'posted'),
                        ('run.month', '<', month),
                        ('final_payment', '<', 0),
                        ]):
                debts[slip.employee.id] -= slip.final_payment
            result.update(debts)
            if not debts:
                continue
            query = line.join(payslip, condition=line.payslip == payslip.id
                ).join(run, condition=payslip.run == run.id).select(
                payslip.employee, Sum(line.amount),
                where=_in(payslip.employee, list(debts))
                & (run.state == 'posted') & (run.month < month)
                & (line.code == rules.DEBT_RECOVERY_CODE),
                group_by=[payslip.employee])
            _apply_types(query, [None, 'NUMERIC'])
            cursor.execute(*query)
            for employee_id, amount in cursor:
                result[employee_id] -= Decimal(amount)
        return {k: v for k, v in result.items() if v > 0}

    @staticmethod
    def _replaced_sick_years(employees, absences):
        """The years of the sick leaves' averages on the employees'
        applications (255-ФЗ ст. 14 ч. 1): {absence id: rules.SickYears}"""
        LawYear = Pool().get('kazan.payroll.law_year')
        applications = [(e, a) for e in employees
            for a in absences[e.id] if a.kind == 'sick' and a.replacements()]
        if not applications:
            return {}
        years = set()
        for _, absence in applications:
            year = absence.start_date.year
            years.update([year - 2, year - 1])
            years.update(y for y, _ in absence.replacements().values())
        caps = LawYear.contribution_caps(years)
        result = {}
        for employee, absence in applications:
            try:
                result[absence.id] = rules.replaced_sick_years(
                    absence.start_date.year,
                    (employee.earnings_prev_year2 or ZERO,
                        employee.earnings_prev_year or ZERO),
                    absence.replacements(), caps)
            except ValueError as exception:
                raise _employee_error(employee, exception) from exception
        return result

    @staticmethod
    def _rule_absence(absence, paid, averages, replaced=None):
        if absence.kind != 'vacation':
            return rules.Absence(
                absence.kind, absence.start_date, absence.end_date,
                replaced_years=(replaced or {}).get(absence.id))
        if absence.id in paid:
            return rules.Absence(absence.kind, absence.start_date,
                absence.end_date, paid=True)
        if absence.average_daily is not None:
            return rules.Absence(absence.kind, absence.start_date,
                absence.end_date, absence.average_daily)
        found = averages[absence.employee.id, absence.start_date]
        return rules.Absence(absence.kind, absence.start_date,
            absence.end_date, found.average_daily,
            basis=tuple(average.basis(found).items()))

    @classmethod
    def vacation_average(cls, employee, start):
        """The average daily earnings for a leave of the employee from
        start (Положение № 922): rules.VacationAverage"""
        params, _ = cls.law(start.year)
        return average.vacation_averages([(employee, start)], params)[
            employee.id, start]

    def _payslip_record(self, employee, slip, sources=()):
        """The values of a payslip and its lines, amounts in kopecks; the
        lines split by the employee's sources of pay"""
        money = rules.round_kopecks
        lines = rules.split_by_source(slip.lines, employee.pay_kfo, sources,
            Decimal(slip.worked_days) / Decimal(slip.norm_days)
            if slip.norm_days else Decimal(1))
        return {
            'run': self.id,
            'company': self.company.id,
            'employee': employee.id,
            'kfo': employee.pay_kfo,
            'norm_days': slip.norm_days,
            'worked_days': slip.worked_days,
            'gross': money(slip.gross),
            'standard_deduction': money(slip.standard_deduction),
            'ndfl': money(slip.ndfl),
            'net': money(slip.net),
            'advance': money(slip.advance),
            'final_payment': money(slip.final_payment),
            'contribution_base': money(slip.contribution_base),
            'contributions': money(slip.contributions),
            'accident_insurance': money(slip.accident_insurance),
            'ytd_income': money(slip.ytd.income),
            'ytd_deductions': money(slip.ytd.deductions),
            'ytd_ndfl': money(slip.ytd.ndfl),
            'ytd_contribution_base': money(slip.ytd.contribution_base),
            'lines': [{
                    'sequence': i,
                    'code': line.code,
                    'kind': line.kind,
                    'amount': money(line.amount),
                    'kfo': line_kfo if sources else None,
                    'period': dict(line.basis).get('period'),
                    'basis': basis_json(line.basis),
                    } for i, (line_kfo, line) in enumerate(lines)],
            }

    # --- Posting -------------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, runs):
        """Post the accruals of each run, one move per КФО in journal №6,
        with the vacation pay of its month not posted yet and the payments
        on the day of dismissal: one batch of moves"""
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        VacationPay = pool.get('kazan.payroll.vacation_pay')
        cls.lock_move_sequences(
            [(r.company, r.month) for r in runs], ['accrual'])
        posting = cls._posting_context(runs)
        batch = MoveBatch(posting, reserve.ReserveUse())
        VacationPay.post_in([d for month, month_runs in _by_month(runs)
                for d in VacationPay.of_month(
                    [r.company for r in month_runs], month,
                    states=['computed'])], batch)
        totals = cls._line_totals(runs)
        reserve.charge_runs(runs, totals, batch.reserve)
        moves = []
        for run in runs:
            date = rules.month_bounds(run.month)[1]
            for kfo, amounts in sorted(totals[run.id].items()):
                lines = []
                for code, amount in sorted(amounts.items()):
                    lines.extend(posting.lines(run.company, code, kfo, amount))
                if lines:
                    moves.append(posting.move(run, 'journal_payroll', date,
                            gettext('kazan_payroll.msg_move_accrual',
                                month=month_text(run.month), kfo=kfo),
                            lines))
        dismissals, slips = cls._dismissal_payments(runs, posting)
        batch.add(moves + dismissals)
        batch.post()
        Payslip.save(slips)

    @classmethod
    def lock_move_sequences(cls, months,
            kinds=('accrual', 'advance', 'final')):
        """Lock the move sequences that the runs of months, (institution,
        month) pairs, will post with, first thing: Tryton asks for such a
        lock by restarting the transaction, which is cheap before the work
        and costly after it (``kazan payroll`` locks before it creates the
        run, so that the restart redoes nothing)"""
        pool = Pool()
        Period = pool.get('account.period')
        Sequence = pool.get('ir.sequence.strict')
        sequences = set()
        for company, month in months:
            dates = []
            if 'accrual' in kinds:
                dates.append(rules.month_bounds(month)[1])
            if {'advance', 'final'} & set(kinds):
                _, calendar = cls.law(month.year)
                dates.extend(company.pay_date(month, kind, calendar)
                    for kind in ('advance', 'final') if kind in kinds)
            for date in dates:
                period = Period.find(company, date=date, test_state=False)
                sequences.add(period.move_sequence_used.id)
        Sequence.lock(Sequence.browse(sorted(sequences)))

    @classmethod
    def _line_totals(cls, runs):
        "{run id: {kfo: {code: amount}}} of the posted lines of the payslips"
        payslip, line = tables(
            'kazan.payroll.payslip', 'kazan.payroll.payslip.line')
        cursor = Transaction().connection.cursor()
        operations = [code for code, _ in OPERATIONS
            if code not in POSTED_BY_DOCUMENT]
        totals = {r.id: defaultdict(dict) for r in runs}
        for sub_ids in grouped_slice([r.id for r in runs], _in_max()):
            query = line.join(payslip,
                condition=line.payslip == payslip.id).select(
                payslip.run, Coalesce(line.kfo, payslip.kfo), line.code,
                Sum(line.amount),
                where=_in(payslip.run, sub_ids)
                & line.code.in_(operations),
                group_by=[payslip.run, Coalesce(line.kfo, payslip.kfo),
                    line.code])
            _apply_types(query, [None, None, None, 'NUMERIC'])
            cursor.execute(*query)
            for run_id, kfo, code, amount in cursor:
                totals[run_id][kfo][code] = Decimal(amount)
        return totals

    @classmethod
    def _posting_context(cls, runs):
        return Posting([r.company for r in runs])

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, runs):
        """Cancel posted runs by reversing moves (accruals and payments):
        nothing posted is deleted; the payslips stay for the record and no
        longer count in the year-to-date figures"""
        cls.check_later_runs(runs)
        # every move of a run is posted when it is created
        reverse_moves(runs)

    @classmethod
    def check_later_runs(cls, runs):
        """A month is cancelled only while no later month of the year is
        posted: the later months' year-to-date figures stand on it; an
        earlier month is corrected in the current one instead"""
        for run in runs:
            later = cls.search([
                    ('company', '=', run.company.id),
                    ('month', '>', run.month),
                    ('month', '<=', run.month.replace(month=12)),
                    ('state', '=', 'posted'),
                    ('id', 'not in', [r.id for r in runs]),
                    ], order=[('month', 'DESC')], limit=1)
            if later:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_cancel_later_posted',
                        run=run.rec_name,
                        later=month_text(later[0].month)))

    @classmethod
    @ModelView.button
    def pay_advance(cls, runs):
        """Post the payment of the advance from the personal account on
        the institution's advance day"""
        cls._pay(runs, 'advance')

    @classmethod
    @ModelView.button
    def pay_final(cls, runs):
        """Post the payment of the final settlement from the personal
        account on the institution's final pay day of the next month"""
        cls._pay(runs, 'final')

    @classmethod
    def _pay(cls, runs, kind):
        pool = Pool()
        Move = pool.get('account.move')
        Payslip = pool.get('kazan.payroll.payslip')
        field = f'{kind}_move'
        allowed = {'advance': {'computed', 'posted'}, 'final': {'posted'}}
        for run in runs:
            if run.state not in allowed[kind] or getattr(run, field):
                raise PayrollRunError(gettext(
                        f'kazan_payroll.msg_run_cannot_pay_{kind}',
                        run=run.rec_name))
        cls.lock_move_sequences([(r.company, r.month) for r in runs], [kind])
        posting = cls._posting_context(runs)
        # the dismissed were paid on the day of dismissal
        slips = {run: [s for s in run.payslips if not s.final_date]
            for run in runs}
        slip_lines = Payslip.lines_of(
            [s for run_slips in slips.values() for s in run_slips])
        to_save = {}
        for run in runs:
            if not slips[run]:
                continue
            _, calendar = cls.law(run.month.year)
            date = run.company.pay_date(run.month, kind, calendar)
            amounts = defaultdict(lambda: defaultdict(lambda: ZERO))
            for slip in slips[run]:
                for kfo, parts in slip.payment_parts_by_kfo(
                        kind, slip_lines[slip.id]).items():
                    for code, amount in parts.items():
                        amounts[kfo][code] += amount
            if kind == 'final':
                cls._add_withholding_payments(run, amounts)
            lines = []
            for kfo, by_code in sorted(amounts.items()):
                for code, amount in sorted(by_code.items()):
                    lines.extend(posting.lines(run.company, code, kfo, amount))
            if not lines:
                continue
            message = f'kazan_payroll.msg_move_{kind}'
            to_save[run] = posting.move(run, 'journal_non_cash', date,
                gettext(message, month=month_text(run.month)), lines)
        moves = Move.create(list(to_save.values()))
        Move.post(moves)
        for run, move in zip(to_save, moves):
            setattr(run, field, move)
        cls.save(list(to_save))

    @classmethod
    def _dismissal_payments(cls, runs, posting):
        """The payment to the employees dismissed in the month of
        everything due on the day of dismissal (ТК ст. 140), when the run
        is posted: ([move values], [payslips]), a move per run and day; the
        payslips, their final date set, then stay out of the advance and
        the final settlement paid to the others once saved"""
        Payslip = Pool().get('kazan.payroll.payslip')
        values, slips = [], []
        for run in runs:
            first, last = rules.month_bounds(run.month)
            by_day = defaultdict(list)
            for slip in Payslip.search([
                        ('run', '=', run.id),
                        ('final_date', '=', None),
                        ('employee.end_date', '>=', first),
                        ('employee.end_date', '<=', last),
                        ], order=[('id', 'ASC')]):
                by_day[slip.employee.end_date].append(slip)
            for day, day_slips in sorted(by_day.items()):
                amounts = defaultdict(lambda: defaultdict(lambda: ZERO))
                for slip in day_slips:
                    kinds = ['final'] + ([] if run.advance_move
                        else ['advance'])
                    for kind in kinds:
                        for kfo, parts in slip.payment_parts_by_kfo(
                                kind).items():
                            for code, amount in parts.items():
                                amounts[kfo][code] += amount
                    slip.final_date = day
                    slips.append(slip)
                lines = [line for kfo, by_code in sorted(amounts.items())
                    for code, amount in sorted(by_code.items())
                    for line in posting.lines(run.company, code, kfo, amount)]
                if lines:
                    values.append(posting.move(run, 'journal_non_cash', day,
                            gettext('kazan_payroll.msg_move_dismissal',
                                month=month_text(run.month), date=day),
                            lines))
        return values, slips

    # --- Payment lists -------------------------------------------------------

    def card_list(self, kind):
        """The salary-card payments of the run by bank: {bic: [(payslip,
        amount)]} for the advance or the final settlement, as _pay posts
        them: the employees dismissed in the month were paid on their day
        (ТК ст. 140), an employee's debt pays nothing; employees without
        bank details are under None (paid another way)"""
        Payslip = Pool().get('kazan.payroll.payslip')
        slips = [s for s in self.payslips if not s.final_date]
        lines = Payslip.lines_of(slips)
        banks = defaultdict(list)
        for slip in slips:
            amount = sum((amount for parts in slip.payment_parts_by_kfo(
                            kind, lines[slip.id]).values()
                    for operation, amount in parts.items()
                    if operation in PAYING), ZERO)
            if amount > 0:
                banks[slip.employee.bank_bic or None].append((slip, amount))
        return dict(banks)

    # --- Withholdings, dismissal and hire (issue 15) -------------------------

    @classmethod
    def _add_withholding_payments(cls, run, amounts):
        """The transfer of the month's withholdings to their recipients at
        the final pay date, by КФО: {kfo: {operation: amount}}"""
        for slip in run.payslips:
            for line in slip.lines:
                if line.code in rules.WITHHOLDING_KINDS:
                    amounts[slip.kfo]['payment_withholdings'] += line.amount

    def withholding_list(self):
        """What is transferred to each recipient at the final pay date:
        {kazan.payroll.withholding: amount} from the payslips' lines"""
        Withholding = Pool().get('kazan.payroll.withholding')
        amounts = defaultdict(lambda: ZERO)
        for slip in self.payslips:
            for line in slip.lines:
                if line.code in rules.WITHHOLDING_KINDS:
                    order = json.loads(line.basis or '{}').get('order')
                    amounts[int(order) if order else None] += line.amount
        return {Withholding(k) if k else None: v
            for k, v in amounts.items()}

    def _prev_employer_income(self, employee):
        """The income at the previous employers of the year of hire (the
        certificate's figure): only in that year"""
        hire = employee.start_date
        if hire and hire.year == self.month.year:
            return employee.prev_employer_income or ZERO
        return ZERO

    def _settlements(self, employees, params, calendar):
        """The final settlement of the employees dismissed in the month:
        {employee id: rules.Settlement}.  The averages are of the 12 months
        before the month of dismissal (Положение № 922 п. 4): for the
        compensation of leave the run's vacation average, for severance
        the earnings ÷ the days worked in the posted payslips (п. 9) or,
        without any, the monthly pay ÷ the working days of the month"""
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        first, last = rules.month_bounds(self.month)
        dismissed = [e for e in employees
            if e.end_date and first <= e.end_date <= last]
        if not dismissed:
            return {}
        ids = [e.id for e in dismissed]
        averages = average.vacation_averages(
            [(e, first) for e in dismissed], params)
        since = average.window(first)[0]
        history = average.earnings_by_month(ids, since, first)
        worked = self._days_worked(ids, since, first)
        used = defaultdict(lambda: ZERO)
        for absence in Absence.search([
                    ('employee', 'in', ids),
                    ('kind', '=', 'vacation'),
                    ('start_date', '<=', last),
                    ]):
            employee = absence.employee
            start = max(absence.start_date,
                employee.start_date or absence.start_date)
            end = min(absence.end_date, employee.end_date)
            if start > end:
                continue
            days = (end - start).days + 1
            try:
                days -= calendar.holidays_between(start, end)
            except LookupError:
                pass  # a year before the calendars: no holiday known
            used[employee.id] += days
        result = {}
        for employee in dismissed:
            if worked.get(employee.id):
                severance_daily = rules.average_daily_by_days_worked(
                    sum(history[employee.id].values(), ZERO),
                    worked[employee.id])
            else:
                monthly = ((employee.base_salary or ZERO) * employee.rate
                    + (employee.allowances or ZERO))
                severance_daily = rules.round_kopecks(
                    monthly / calendar.working_days(first.year, first.month))
            result[employee.id] = rules.Settlement(
                annual_leave_days=employee.annual_leave(),
                vacation_days_used=(
                    (employee.vacation_days_used or ZERO)
                    + used[employee.id]),
                average_daily=averages[employee.id, first].average_daily,
                reason=employee.dismissal_reason,
                severance_daily=severance_daily)
        return result

    def _days_worked(self, employee_ids, since, until):
        """The days worked by the posted payslips from the month since to
        the month before until, by employee id"""
        payslip, run = tables('kazan.payroll.payslip', 'kazan.payroll.run')
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(employee_ids, _in_max()):
            query = payslip.join(run, condition=payslip.run == run.id).select(
                payslip.employee, Sum(Coalesce(payslip.worked_days, 0)),
                where=_in(payslip.employee, sub_ids)
                & (run.state == 'posted')
                & (run.month >= since) & (run.month < until),
                group_by=[payslip.employee])
            _apply_types(query, [None, 'INTEGER'])
            cursor.execute(*query)
            result.update({e: int(d or 0) for e, d in cursor})
        return result


class Correction(ModelSQL, ModelView):
    """A correction of an earlier month of the year made in the run's
    month: the earnings and deductions of the earlier month computed anew
    from what the database holds now (a late sick-leave certificate, a
    changed order), against what was posted for it; the difference is
    reversed and accrued in the run's month with the earlier month as its
    grounds, and the cumulative NDFL and contributions of the run's month
    take it in."""
    __name__ = 'kazan.payroll.run.correction'

    run = fields.Many2One(
        'kazan.payroll.run', "Run", required=True, ondelete='CASCADE')
    corrected = fields.Many2One(
        'kazan.payroll.run', "Corrected Month", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('_parent_run', {}).get('company', -1)),
            ('state', '=', 'posted'),
            ])
    reason = fields.Char("Reason", help="The document the correction "
        "rests on: a certificate, an order.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('run')
        cls._order = [('corrected', 'ASC'), ('id', 'ASC')]

    @classmethod
    def validate(cls, corrections):
        super().validate(corrections)
        for correction in corrections:
            run, corrected = correction.run, correction.corrected
            if (corrected.company != run.company
                    or corrected.state != 'posted'
                    or corrected.month >= run.month
                    or corrected.month.year != run.month.year):
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_correction_month',
                        run=run.rec_name, corrected=corrected.rec_name))

    def lines(self, employees):
        """{employee id: [rules.PayslipLine]}: for each employee whose
        earnings or deductions of the corrected month differ from what
        was posted for it (its payslip and the corrections since), the
        reversal of what was posted and the new accrual, with the period"""
        Line = Pool().get('kazan.payroll.payslip.line')
        month = self.corrected.month
        posted = defaultdict(lambda: defaultdict(lambda: ZERO))
        kinds = {rules.EARNING, rules.TAX_DEDUCTION}
        for line in Line.search([
                    ('payslip.employee', 'in', [e.id for e in employees]),
                    ('payslip.run.company', '=', self.run.company.id),
                    ('payslip.run.state', '=', 'posted'),
                    ['OR',
                        [('payslip.run', '=', self.corrected.id),
                            ('period', '=', None)],
                        ('period', '=', month)],
                    ('kind', 'in', list(kinds)),
                    ]):
            posted[line.payslip.employee.id][line.code, line.kind] += (
                line.amount)
        result = {}
        for employee, slip, _ in self.corrected.compute_slips(
                employees, corrections=False):
            new = defaultdict(lambda: ZERO)
            for line in slip.lines:
                if line.kind in kinds:
                    new[line.code, line.kind] += line.amount
            old = posted[employee.id]
            for key in set(new) | set(old):
                if key[0] in POSTED_BY_DOCUMENT:
                    new.pop(key, None)
                    old.pop(key, None)
            if {k: v for k, v in new.items() if v} == {
                    k: v for k, v in old.items() if v}:
                continue
            grounds = (('period', month), ('reason', self.reason or ''))
            result[employee.id] = [
                rules.PayslipLine(code, kind, -amount,
                    grounds + (('reversal', 1),))
                for (code, kind), amount in sorted(old.items()) if amount
                ] + [
                rules.PayslipLine(code, kind, amount, grounds)
                for (code, kind), amount in sorted(new.items()) if amount]
        return result


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.payroll.run']
