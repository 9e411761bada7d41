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
from collections import defaultdict
from decimal import Decimal

from sql import As
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kazan_accounting.model import DocumentMixin, tables
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from . import rules
from .exceptions import PayrollRunError
from .payslip import MONEY, ZERO, basis_json, month_text
from .posting import OPERATIONS, Posting

# The pay for the time worked that average earnings are computed from
# (vacation and sick pay of the period are left out).
EARNINGS_FOR_AVERAGE = [
    'salary', 'allowances', 'class_management', 'mrot_topup']

RUN_STATES = [
    ('draft', "Draft"),
    ('computed', "Computed"),
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]


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
        Line = pool.get('kazan.payroll.payslip.line')
        for run in runs:
            if run.advance_move:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_advance_paid',
                        run=run.rec_name))
        cls.check_service_start(runs)
        cls.check_earlier_runs(runs)
        Payslip.delete(Payslip.search([('run', 'in', [r.id for r in runs])]))
        values = []
        for run in runs:
            values.extend(run._payslip_values())
        lines = [v.pop('lines') for v in values]
        payslips = Payslip.create(values)
        Line.insert_lines([dict(line, payslip=payslip.id)
                for payslip, slip_lines in zip(payslips, lines)
                for line in slip_lines])

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
        pool = Pool()
        Employee = pool.get('company.employee')
        first, last = rules.month_bounds(self.month)
        with Transaction().set_context(active_test=False):
            return Employee.search([
                    ('company', '=', self.company.id),
                    ['OR', ('start_date', '=', None),
                        ('start_date', '<=', last)],
                    ['OR', ('end_date', '=', None),
                        ('end_date', '>=', first)],
                    ], order=[('personnel_number', 'ASC')])

    def _payslip_values(self):
        "The values to create the payslips of the run with their lines"
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        first, last = rules.month_bounds(self.month)
        params, calendar = self.law(first.year)
        employees = self.employees()
        if not employees:
            return []
        employee_ids = [e.id for e in employees]
        ytd = self._year_to_date(employee_ids)
        absences = defaultdict(list)
        for absence in Absence.search([
                    ('employee', 'in', employee_ids),
                    ('start_date', '<=', last),
                    ('end_date', '>=', first),
                    ]):
            absences[absence.employee.id].append(absence)
        children = self._children(employee_ids)
        history = self._earnings_history(
            [a for e_absences in absences.values() for a in e_absences
                if a.kind == 'vacation' and a.average_daily is None])
        accident_rate = self.company.accident_rate or ZERO

        values = []
        for employee in employees:
            facts = rules.EmployeeFacts(
                base_salary=employee.base_salary or ZERO,
                rate=employee.rate,
                allowances=employee.allowances or ZERO,
                class_management=employee.class_management or 0,
                children=employee.deduction_children(
                    children.get(employee.id, ())),
                hire_date=employee.start_date,
                dismissal_date=employee.end_date,
                absences=tuple(self._rule_absence(a, employee, params,
                        history) for a in absences[employee.id]),
                ytd=ytd.get(employee.id) or self._onboarded_ytd(employee),
                accident_rate=accident_rate,
                insured_years=employee.insured_years or ZERO,
                earnings_prev_two_years=(
                    employee.earnings_prev_year2 or ZERO,
                    employee.earnings_prev_year or ZERO),
                single_parent=bool(employee.single_parent),
                guardian=bool(employee.guardian),
                )
            try:
                slip = rules.compute_month(facts, first, params, calendar)
            except ValueError as exception:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_run_employee_error',
                        employee=employee.rec_name,
                        number=employee.personnel_number,
                        error=str(exception))) from exception
            values.append(self._payslip_record(employee, slip))
        return values

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

    def _year_to_date(self, employee_ids):
        """The year-to-date figures after the last posted payslip of this
        year before this month, by employee id"""
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        payslip = Payslip.__table__()
        run = self.__table__()
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
                    & (run.month < self.month)
                    & (run.month >= self.month.replace(month=1)),
                    order_by=[run.month.asc]))
            for employee_id, *figures in cursor:
                result[employee_id] = rules.YearToDate(
                    *(Decimal(str(f)) for f in figures))
        return result

    def _earnings_history(self, absences):
        """The earnings of the 12 months before each vacation's month from
        the posted payslips: {employee id: [(month, earnings)]}"""
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        Line = pool.get('kazan.payroll.payslip.line')
        if not absences:
            return {}
        payslip = Payslip.__table__()
        line = Line.__table__()
        run = self.__table__()
        cursor = Transaction().connection.cursor()
        # the 12 months before the month of the earliest leave (a leave may
        # have started in an earlier month)
        first = min(a.start_date for a in absences).replace(day=1)
        since = (first - dt.timedelta(days=365)).replace(day=1)
        result = defaultdict(list)
        employee_ids = list({a.employee.id for a in absences})
        for sub_ids in grouped_slice(employee_ids, _in_max()):
            query = line.join(payslip,
                condition=line.payslip == payslip.id
                ).join(run, condition=payslip.run == run.id).select(
                payslip.employee, run.month, Sum(line.amount),
                where=_in(payslip.employee, sub_ids)
                & (run.state == 'posted')
                & (run.month >= since) & (run.month < self.month)
                & line.code.in_(EARNINGS_FOR_AVERAGE),
                group_by=[payslip.employee, run.month])
            _apply_types(query, [None, 'DATE', 'NUMERIC'])
            cursor.execute(*query)
            for employee_id, month, amount in cursor:
                result[employee_id].append((month, Decimal(amount)))
        return result

    def _rule_absence(self, absence, employee, params, history):
        average = absence.average_daily
        if absence.kind == 'vacation' and average is None:
            average = self._vacation_average(
                absence, employee, params, history.get(employee.id, []))
        return rules.Absence(absence.kind, absence.start_date,
            absence.end_date, average)

    def _vacation_average(self, absence, employee, params, history):
        """The average daily earnings for the leave: the 12 months before
        its month from the payslips of the service, completed with the
        onboarded year-to-date income where the history is shorter; with
        no history at all, the monthly pay of the staff record"""
        start = absence.start_date.replace(day=1)
        since = (start - dt.timedelta(days=365)).replace(day=1)
        months = [(m, a) for m, a in history if since <= m < start]
        earnings = sum((a for _, a in months), ZERO)
        full_months = len(months)
        partial = []
        ytd_date = employee.ytd_date
        if ytd_date and since < ytd_date and ytd_date.year >= since.year:
            covered = {m for m, _ in months}
            first_of_year = ytd_date.replace(month=1, day=1)
            if not any(m < ytd_date for m in covered):
                earnings += employee.ytd_income or ZERO
                start_of_count = max(first_of_year, since)
                full_months += (ytd_date.month - start_of_count.month)
                if ytd_date.day > 1:
                    last = rules.month_bounds(ytd_date)[1]
                    partial.append((last.day, ytd_date.day - 1))
        if not full_months and not partial:
            monthly = ((employee.base_salary or ZERO) * employee.rate
                + (employee.allowances or ZERO))
            return rules.round_kopecks(monthly / params.vacation_divisor)
        return rules.average_daily_for_vacation(earnings, params,
            months_worked=full_months, partial_months=partial)

    def _payslip_record(self, employee, slip):
        "The values of a payslip and its lines, amounts in kopecks"
        money = rules.round_kopecks
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
                    'basis': basis_json(line.basis),
                    } for i, line in enumerate(slip.lines)],
            }

    # --- Posting -------------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, runs):
        "Post the accruals of each run: one move per КФО in journal №6"
        pool = Pool()
        Move = pool.get('account.move')
        cls.lock_move_sequences(runs, ['accrual'])
        totals = cls._line_totals(runs)
        posting = cls._posting_context(runs)
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
        Move.post(Move.create(moves))

    @classmethod
    def lock_move_sequences(cls, runs, kinds=('accrual', 'advance', 'final')):
        """Lock the move sequences the runs will post with, first thing:
        Tryton asks for such a lock by restarting the transaction, which
        is cheap before the work and costly after it"""
        pool = Pool()
        Period = pool.get('account.period')
        Sequence = pool.get('ir.sequence.strict')
        sequences = set()
        for run in runs:
            dates = []
            if 'accrual' in kinds:
                dates.append(rules.month_bounds(run.month)[1])
            if {'advance', 'final'} & set(kinds):
                _, calendar = cls.law(run.month.year)
                dates.extend(run.company.pay_date(run.month, kind, calendar)
                    for kind in ('advance', 'final') if kind in kinds)
            for date in dates:
                period = Period.find(run.company, date=date, test_state=False)
                sequences.add(period.move_sequence_used.id)
        Sequence.lock(Sequence.browse(sorted(sequences)))

    @classmethod
    def _line_totals(cls, runs):
        "{run id: {kfo: {code: amount}}} of the posted lines of the payslips"
        payslip, line = tables(
            'kazan.payroll.payslip', 'kazan.payroll.payslip.line')
        cursor = Transaction().connection.cursor()
        operations = [code for code, _ in OPERATIONS]
        totals = {r.id: defaultdict(dict) for r in runs}
        for sub_ids in grouped_slice([r.id for r in runs], _in_max()):
            query = line.join(payslip,
                condition=line.payslip == payslip.id).select(
                payslip.run, payslip.kfo, line.code, Sum(line.amount),
                where=_in(payslip.run, sub_ids)
                & line.code.in_(operations),
                group_by=[payslip.run, payslip.kfo, line.code])
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
        pool = Pool()
        Move = pool.get('account.move')
        reversals = []
        for run in runs:
            # every move of a run is posted when it is created
            for move in run.moves:
                reversal = move.cancel(reversal=True)
                reversal.origin = run
                reversal.description = gettext(
                    'kazan_payroll.msg_move_reversal',
                    description=move.description or '')
                reversals.append(reversal)
        Move.save(reversals)
        Move.post(reversals)

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
        field = f'{kind}_move'
        allowed = {'advance': {'computed', 'posted'}, 'final': {'posted'}}
        for run in runs:
            if run.state not in allowed[kind] or getattr(run, field):
                raise PayrollRunError(gettext(
                        f'kazan_payroll.msg_run_cannot_pay_{kind}',
                        run=run.rec_name))
        cls.lock_move_sequences(runs, [kind])
        posting = cls._posting_context(runs)
        to_save = {}
        for run in runs:
            _, calendar = cls.law(run.month.year)
            date = run.company.pay_date(run.month, kind, calendar)
            amounts = defaultdict(lambda: defaultdict(lambda: ZERO))
            for slip in run.payslips:
                for code, amount in slip.payment_parts(kind).items():
                    amounts[slip.kfo][code] += amount
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

    # --- Payment lists -------------------------------------------------------

    def card_list(self, kind):
        """The salary-card payments of the run by bank: {bic: [(payslip,
        amount)]} for the advance or the final settlement; employees
        without bank details are under None (paid another way)"""
        banks = defaultdict(list)
        for slip in self.payslips:
            amount = sum(slip.payment_parts(kind).values(), ZERO)
            if amount > 0:
                banks[slip.employee.bank_bic or None].append((slip, amount))
        return dict(banks)


def _in(column, ids):
    return fields.SQL_OPERATORS['in'](column, list(ids))


def _in_max():
    return backend.MAX_QUERY_PARAMS


def _apply_types(query, types):
    """Name the columns of the query and give SQLite their types, so that
    sums come back as Decimal (and dates as dates) on both databases"""
    query.columns = [c if isinstance(c, As) else c.as_(f'c{i}')
        for i, c in enumerate(query.columns)]
    sqlite_apply_types(query, types)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.payroll.run']
