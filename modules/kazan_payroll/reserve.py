# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The reserve for vacation pay (401.60) and its year-end inventory.

An institution whose accounting policy keeps the reserve (СГС «Резервы.
Раскрытие информации о событиях после отчетной даты», приказ Минфина
№ 124н; Инструкция № 157н п. 302.1) says how often it is accrued: at the
end of each month or of each quarter (``company.payroll_vacation_reserve``).

The reserve at a date is the liability for the annual leave the employees
have earned and not used by then, with the contributions on it: for each
employee employed that day, the unused days (those compensated were the
employee dismissed that day: ТК ст. 127, Правила 1930 пп. 28, 35, as
``rules.vacation_compensation_days``) × the average daily earnings for
leave (Положение № 922, the 12 months before the next day) × (1 + the
unified rate + the НС и ПЗ rate).  The document of the period accrues the
difference from what 401.60 holds at its date, by КФО of each employee's
pay and apart for the pay (КОСГУ 211: Dr 401.20.211 Cr 401.60) and the
contributions (213: Dr 401.20.213 Cr 401.60); a negative difference
reverses the excess.  The document of 31 December is the year-end
inventory of the reserve: the same computation, its table per employee
the inventory's record.

While the reserve holds a balance, vacation pay (vacation.py) and the
compensation of unused leave (run.py) are charged to it (Dr 401.60 Cr
302.11), and the contributions on them (Dr 401.60 Cr 303.15, 303.06), up
to the balance of their КФО and КОСГУ at their date; what exceeds it goes
to the expenses as without a reserve (``ReserveUse``, ``charge_runs``).

``draft`` → ``computed`` (the table per employee and per КФО) →
``posted`` (one move on the date, the balances read again) →
``cancelled`` (reversing moves, while no later document is posted).
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kazan_accounting.model import DocumentMixin, tables
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import average, rules
from .exceptions import PayrollRunError
from .payslip import MONEY, ZERO
from .posting import Posting, reverse_moves
from .queries import _apply_types

STATES = [
    ('draft', "Draft"),
    ('computed', "Computed"),
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]
# The parts of the reserve, by the КОСГУ of its 401.60 lines: the pay and
# the contributions on it.  A balance without КОСГУ (carried over at
# onboarding) counts as pay until an accrual sets the split right.
PAY, CONTRIBUTIONS = 'pay', 'contributions'
CONTRIBUTIONS_KOSGU = '213'
# The lines of a payslip charged to the reserve, and whose contributions
# are: vacation pay (of the run or of its document) and the compensation
# of unused leave at dismissal.
RESERVE_PAY_CODES = ('vacation', 'vacation_compensation')
VACATION_CODES = RESERVE_PAY_CODES + (rules.VACATION_PAID_CODE,)


class VacationReserve(DocumentMixin, Workflow, ModelSQL, ModelView):
    "Vacation reserve"
    __name__ = 'kazan.payroll.vacation_reserve'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    date = fields.Date(
        "Date", required=True, states=_states,
        help="The last day of the month or of the quarter, by the "
        "institution's method; 31 December: the year-end inventory.")
    inventory = fields.Function(
        fields.Boolean("Year-End Inventory"), 'on_change_with_inventory')
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    lines = fields.One2Many(
        'kazan.payroll.vacation_reserve.line', 'reserve', "Employees",
        readonly=True)
    kfo_lines = fields.One2Many(
        'kazan.payroll.vacation_reserve.kfo', 'reserve', "By KFO",
        readonly=True)
    reserve_amount = fields.Function(
        fields.Numeric("Reserve", digits=MONEY,
            help="The liability for the unused leave at the date, with "
            "the contributions on it."), 'get_totals')
    balance = fields.Function(
        fields.Numeric("Balance of 401.60", digits=MONEY,
            help="What 401.60 held at the date before this document."),
        'get_totals')
    accrual = fields.Function(
        fields.Numeric("Accrual", digits=MONEY,
            help="The difference accrued; negative: the excess reversed."),
        'get_totals')
    moves = fields.One2Many(
        'account.move', 'origin', "Moves", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
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
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
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
                })

    def get_rec_name(self, name):
        return f'{self.company.rec_name} {self.date:%d.%m.%Y}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('company.rec_name',) + tuple(clause[1:])]

    @fields.depends('date')
    def on_change_with_inventory(self, name=None):
        return bool(self.date and (self.date.month, self.date.day) == (12, 31))

    @classmethod
    def get_totals(cls, reserves, names):
        result = {n: {r.id: ZERO for r in reserves} for n in names}
        for reserve in reserves:
            for line in reserve.kfo_lines:
                figures = {
                    'reserve_amount': (
                        line.reserve_pay + line.reserve_contributions),
                    'balance': line.balance_pay + line.balance_contributions,
                    'accrual': (
                        line.accrual_pay + line.accrual_contributions),
                    }
                for name in names:
                    result[name][reserve.id] += figures[name]
        return result

    @classmethod
    def validate(cls, reserves):
        super().validate(reserves)
        for reserve in reserves:
            if reserve.state == 'cancelled':
                continue
            if cls.search([
                        ('id', '!=', reserve.id),
                        ('company', '=', reserve.company.id),
                        ('date', '=', reserve.date),
                        ('state', '!=', 'cancelled'),
                        ], limit=1):
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_unique',
                        institution=reserve.company.rec_name,
                        date=reserve.date))

    @classmethod
    def delete(cls, reserves):
        for reserve in reserves:
            if reserve.state not in {'draft', 'computed'}:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_delete_posted',
                        reserve=reserve.rec_name))
        super().delete(reserves)

    @classmethod
    def copy(cls, reserves, default=None):
        default = default.copy() if default else {}
        default.setdefault('moves', None)
        default.setdefault('lines', None)
        default.setdefault('kfo_lines', None)
        return super().copy(reserves, default=default)

    # --- Checks --------------------------------------------------------------

    @classmethod
    def check_period(cls, reserves):
        """The institution keeps a reserve, the date ends one of its
        periods and the payroll of the date's month is posted (the vacation
        pay and compensation of the period have used the reserve)"""
        Run = Pool().get('kazan.payroll.run')
        for reserve in reserves:
            method = reserve.company.payroll_vacation_reserve
            if not method:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_no_method',
                        institution=reserve.company.rec_name))
            if not rules.reserve_period_end(reserve.date, method):
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_period',
                        reserve=reserve.rec_name, date=reserve.date))
            month = reserve.date.replace(day=1)
            if not Run.search([
                        ('company', '=', reserve.company.id),
                        ('month', '=', month),
                        ('state', '=', 'posted'),
                        ], limit=1):
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_run_not_posted',
                        reserve=reserve.rec_name,
                        month=f'{month:%m.%Y}'))

    @classmethod
    def check_later(cls, reserves):
        "No later document of the institution is posted: it stands on this"
        for reserve in reserves:
            later = cls.search([
                    ('company', '=', reserve.company.id),
                    ('date', '>', reserve.date),
                    ('state', '=', 'posted'),
                    ('id', 'not in', [r.id for r in reserves]),
                    ], order=[('date', 'DESC')], limit=1)
            if later:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_later_posted',
                        reserve=reserve.rec_name, later=later[0].rec_name))

    # --- Computing -----------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, reserves):
        """The reserve of each employee at the date, and by КФО the
        difference from the balance of 401.60"""
        pool = Pool()
        Line = pool.get('kazan.payroll.vacation_reserve.line')
        Run = pool.get('kazan.payroll.run')
        cls.check_period(reserves)
        Line.delete(Line.search([
                    ('reserve', 'in', [r.id for r in reserves])]))
        values = []
        for reserve in reserves:
            params, calendar = Run.law(reserve.date.year)
            values.extend(reserve._employee_lines(params, calendar))
        Line.create(values)
        cls._compute_kfo(reserves)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reserves):
        pool = Pool()
        Line = pool.get('kazan.payroll.vacation_reserve.line')
        Kfo = pool.get('kazan.payroll.vacation_reserve.kfo')
        ids = [r.id for r in reserves]
        Line.delete(Line.search([('reserve', 'in', ids)]))
        Kfo.delete(Kfo.search([('reserve', 'in', ids)]))

    def employees(self):
        """The employees employed at the end of the date: hired by then,
        not dismissed by then (the dismissed are compensated)"""
        Employee = Pool().get('company.employee')
        with Transaction().set_context(active_test=False):
            return Employee.search([
                    ('company', '=', self.company.id),
                    ['OR', ('start_date', '=', None),
                        ('start_date', '<=', self.date)],
                    ['OR', ('end_date', '=', None),
                        ('end_date', '>', self.date)],
                    ], order=[('personnel_number', 'ASC')])

    def _employee_lines(self, params, calendar):
        "The values of the lines per employee"
        employees = self.employees()
        if not employees:
            return []
        after = self.date + dt.timedelta(days=1)
        averages = average.vacation_averages(
            [(e, after) for e in employees], params)
        used = leave_days_used(employees, self.date, calendar)
        accident_rate = self.company.accident_rate or ZERO
        values = []
        for employee in employees:
            if not employee.start_date:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_reserve_no_hire_date',
                        employee=employee.rec_name,
                        number=employee.personnel_number))
            annual_days = employee.annual_leave()
            days_used = (employee.vacation_days_used or ZERO) + used[
                employee.id]
            unused = rules.vacation_compensation_days(annual_days,
                employee.start_date, self.date, days_used)
            average_daily = averages[employee.id, after].average_daily
            pay, contributions = rules.vacation_reserve(unused,
                average_daily, params.contribution_rate, accident_rate)
            values.append({
                    'reserve': self.id,
                    'employee': employee.id,
                    'kfo': employee.pay_kfo,
                    'hire_date': employee.start_date,
                    'annual_days': annual_days,
                    'days_used': days_used,
                    'unused_days': unused,
                    'average_daily': average_daily,
                    'pay': pay,
                    'contributions': contributions,
                    })
        return values

    @classmethod
    def _compute_kfo(cls, reserves):
        """The figures by КФО: the reserve of the employees, the balance
        of 401.60 at the date (before this document) and the difference"""
        Kfo = Pool().get('kazan.payroll.vacation_reserve.kfo')
        Kfo.delete(Kfo.search([('reserve', 'in', [r.id for r in reserves])]))
        values = []
        for reserve in reserves:
            required = defaultdict(lambda: {PAY: ZERO, CONTRIBUTIONS: ZERO})
            for line in reserve.lines:
                required[line.kfo][PAY] += line.pay
                required[line.kfo][CONTRIBUTIONS] += line.contributions
            balances = reserve_balances(reserve.company, reserve.date,
                exclude=reserve)
            kfos = set(required) | {k for k, _ in balances}
            for kfo in sorted(kfos):
                figures = {'reserve': reserve.id, 'kfo': kfo}
                for part in (PAY, CONTRIBUTIONS):
                    need = required[kfo][part]
                    held = balances.get((kfo, part), ZERO)
                    figures[f'reserve_{part}'] = need
                    figures[f'balance_{part}'] = held
                    figures[f'accrual_{part}'] = need - held
                values.append(figures)
        Kfo.create(values)

    # --- Posting -------------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, reserves):
        """Post on the date the difference by КФО: Dr 401.20.211 Cr 401.60
        (211) for the pay, Dr 401.20.213 Cr 401.60 (213) for the
        contributions; a negative difference the other way"""
        pool = Pool()
        Move = pool.get('account.move')
        cls.check_period(reserves)
        cls.check_later(reserves)
        # what was used since the computation counts
        cls._compute_kfo(reserves)
        posting = Posting([r.company for r in reserves])
        moves = []
        for reserve in reserves:
            lines = []
            for line in reserve.kfo_lines:
                lines.extend(posting.lines(reserve.company, 'reserve_pay',
                        line.kfo, line.accrual_pay))
                lines.extend(posting.lines(reserve.company,
                        'reserve_contributions', line.kfo,
                        line.accrual_contributions))
            if lines:
                message = ('kazan_payroll.msg_move_vacation_inventory'
                    if reserve.inventory
                    else 'kazan_payroll.msg_move_vacation_reserve')
                moves.append(posting.move(reserve, 'journal_payroll',
                        reserve.date, gettext(message,
                            date=f'{reserve.date:%d.%m.%Y}'), lines))
        Move.post(Move.create(moves))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, reserves):
        "Cancel by reversing moves, while no later document is posted"
        cls.check_later(reserves)
        reverse_moves(reserves)


class VacationReserveLine(ModelSQL, ModelView):
    "The reserve of one employee: the inventory's line"
    __name__ = 'kazan.payroll.vacation_reserve.line'

    reserve = fields.Many2One(
        'kazan.payroll.vacation_reserve', "Vacation Reserve", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True)
    kfo = fields.Char("KFO", readonly=True)
    hire_date = fields.Date("Hire Date", readonly=True)
    annual_days = fields.Integer("Annual Leave Days", readonly=True)
    days_used = fields.Numeric(
        "Leave Days Used", digits=(6, 2), readonly=True,
        help="Since the hire, to the date.")
    unused_days = fields.Numeric(
        "Unused Days", digits=(6, 2), readonly=True,
        help="Earned to the date and not used (ТК ст. 127).")
    average_daily = fields.Numeric(
        "Average Daily Earnings", digits=MONEY, readonly=True)
    pay = fields.Numeric("Pay", digits=MONEY, readonly=True)
    contributions = fields.Numeric(
        "Contributions", digits=MONEY, readonly=True)
    amount = fields.Function(
        fields.Numeric("Amount", digits=MONEY), 'get_amount')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('reserve')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.reserve, Index.Range())))
        cls._order = [('reserve', 'ASC'), ('id', 'ASC')]

    def get_amount(self, name):
        return (self.pay or ZERO) + (self.contributions or ZERO)


class VacationReserveKfo(ModelSQL, ModelView):
    "The vacation reserve of one КФО"
    __name__ = 'kazan.payroll.vacation_reserve.kfo'

    reserve = fields.Many2One(
        'kazan.payroll.vacation_reserve', "Vacation Reserve", required=True,
        ondelete='CASCADE')
    kfo = fields.Char("KFO", readonly=True)
    reserve_pay = fields.Numeric(
        "Reserve: Pay", digits=MONEY, readonly=True)
    reserve_contributions = fields.Numeric(
        "Reserve: Contributions", digits=MONEY, readonly=True)
    balance_pay = fields.Numeric(
        "Balance: Pay", digits=MONEY, readonly=True)
    balance_contributions = fields.Numeric(
        "Balance: Contributions", digits=MONEY, readonly=True)
    accrual_pay = fields.Numeric(
        "Accrual: Pay", digits=MONEY, readonly=True)
    accrual_contributions = fields.Numeric(
        "Accrual: Contributions", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('reserve')
        cls._order = [('reserve', 'ASC'), ('kfo', 'ASC'), ('id', 'ASC')]


def leave_days_used(employees, date, calendar):
    """{employee id: days} of annual leave used by the date as the service
    records it: each leave that started by then, and each paid by then
    (its vacation pay has discharged the liability), from the hire (the
    dismissal) on, less the holidays (ТК ст. 120)"""
    pool = Pool()
    Absence = pool.get('kazan.payroll.absence')
    VacationPay = pool.get('kazan.payroll.vacation_pay')
    ids = [e.id for e in employees]
    absences = set(Absence.search([
                ('employee', 'in', ids),
                ('kind', '=', 'vacation'),
                ('start_date', '<=', date),
                ]))
    absences.update(d.absence for d in VacationPay.search([
                ('employee', 'in', ids),
                ('state', '=', 'posted'),
                ('payment_date', '<=', date),
                ('absence.start_date', '>', date),
                ]))
    used = defaultdict(lambda: ZERO)
    for absence in absences:
        employee = absence.employee
        start = max(absence.start_date,
            employee.start_date or absence.start_date)
        end = absence.end_date
        if employee.end_date:
            end = min(end, employee.end_date)
        if start > end:
            continue
        days = (end - start).days + 1
        try:
            days -= calendar.holidays_between(start, end)
        except LookupError:
            pass  # a year before the calendars: no holiday known
        used[employee.id] += days
    return used


def reserve_account_code():
    "The code of the reserve's account, from the posting rules (401.60)"
    PostingRule = Pool().get('kazan.payroll.posting_rule')
    return PostingRule.rules()['reserve_pay'].credit_account


def reserve_balances(company, date, exclude=None):
    """{(kfo, part): credit - debit} of the posted lines of 401.60 of the
    institution to the date, the part 'contributions' for КОСГУ 213 and
    'pay' for the rest; the moves of `exclude` (a document) left out"""
    move_line, move, account = tables(
        'account.move.line', 'account.move', 'account.account')
    cursor = Transaction().connection.cursor()
    where = ((move.company == company.id)
        & (account.code == reserve_account_code())
        & (move.state == 'posted') & (move.date <= date))
    if exclude is not None and exclude.id is not None:
        where &= Coalesce(move.origin, '') != str(exclude)
    query = move_line.join(move, condition=move_line.move == move.id
        ).join(account, condition=move_line.account == account.id
        ).select(move_line.kfo, move_line.kosgu,
            Sum(Coalesce(move_line.credit, 0) - Coalesce(move_line.debit, 0)),
            where=where, group_by=[move_line.kfo, move_line.kosgu])
    _apply_types(query, [None, None, 'NUMERIC'])
    cursor.execute(*query)
    result = defaultdict(lambda: ZERO)
    for kfo, kosgu, amount in cursor:
        part = CONTRIBUTIONS if kosgu == CONTRIBUTIONS_KOSGU else PAY
        result[kfo, part] += Decimal(amount or 0)
    return {k: v for k, v in result.items() if v}


class ReserveUse:
    """What vacation pay, compensation and their contributions take from
    their institution's reserve: its balance by КФО and part at their
    date, less what this posting took before; nothing for an institution
    without a reserve"""

    def __init__(self):
        self.balances = {}
        self.taken = defaultdict(lambda: ZERO)

    def take(self, company, kfo, part, date, amount):
        "The part of amount charged to the reserve (rules.reserve_use)"
        if not company.payroll_vacation_reserve or not amount:
            return ZERO
        if (company.id, date) not in self.balances:
            self.balances[company.id, date] = reserve_balances(company, date)
        balance = (self.balances[company.id, date].get((kfo, part), ZERO)
            - self.taken[company.id, kfo, part])
        used = rules.reserve_use(amount, balance)
        self.taken[company.id, kfo, part] += used
        return used


def charge_runs(runs, totals, use):
    """Charge to the reserve, up to its balance, the vacation pay and the
    compensation of the runs and the contributions on their vacation pay
    (the run's and its documents'): the amounts move in `totals` ({run id:
    {kfo: {code: amount}}}, run._line_totals) from their operation to its
    *_reserve one; `use` (a ReserveUse) holds what the documents posted
    with the runs took before"""
    runs = [r for r in runs if r.company.payroll_vacation_reserve]
    if not runs:
        return
    shares = _contributions_on_vacation(runs)
    for run in runs:
        date = rules.month_bounds(run.month)[1]
        for kfo, amounts in sorted(totals[run.id].items()):
            moved = [(code, 'vacation_reserve', PAY, amounts.get(code, ZERO))
                for code in RESERVE_PAY_CODES]
            contributions, accident = shares[run.id].get(kfo, (ZERO, ZERO))
            moved += [
                ('contributions', 'contributions_reserve', CONTRIBUTIONS,
                    min(contributions, amounts.get('contributions', ZERO))),
                ('accident', 'accident_reserve', CONTRIBUTIONS,
                    min(accident, amounts.get('accident', ZERO))),
                ]
            for code, operation, part, amount in moved:
                taken = use.take(run.company, kfo, part, date, amount)
                if taken:
                    amounts[code] -= taken
                    amounts[operation] = amounts.get(operation, ZERO) + taken


def _contributions_on_vacation(runs):
    """{run id: {kfo: (contributions, accident insurance)}}: the part of
    each payslip's contributions that falls on its vacation pay and
    compensation (rules.contributions_share), by the КФО of the pay"""
    Line = Pool().get('kazan.payroll.payslip.line')
    pay = defaultdict(lambda: defaultdict(lambda: ZERO))
    for line in Line.search([
                ('payslip.run', 'in', [r.id for r in runs]),
                ('code', 'in', list(VACATION_CODES)),
                ]):
        pay[line.payslip][line.kfo or line.payslip.kfo] += line.amount
    result = defaultdict(dict)
    for slip, by_kfo in pay.items():
        for kfo, amount in by_kfo.items():
            contributions, accident = result[slip.run.id].get(
                kfo, (ZERO, ZERO))
            result[slip.run.id][kfo] = (
                contributions + rules.contributions_share(amount,
                    slip.contribution_base, slip.contributions),
                accident + rules.contributions_share(amount,
                    slip.contribution_base, slip.accident_insurance))
    return result


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.payroll.vacation_reserve']
