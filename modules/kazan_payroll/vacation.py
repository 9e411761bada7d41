# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Vacation pay between runs: a document of its own for each annual leave,
paid at least three calendar days before the leave (ТК ст. 136 ч. 9), with
the NDFL withheld at that payment (НК ст. 223 п. 1 пп. 1: the payment date
is the date the income is received; ст. 226 п. 4).

``draft`` → ``computed`` (the average by Положение № 922, the pay by
month, the tax) → ``posted`` (on the payment date: the accrual — the
leave's days of later months to 401.50 —, the NDFL and the payment; on the
first day of each later month the release of its part from 401.50 to the
month's expenses; the documents of an institution paid on a day share these
moves, linked to each) → ``cancelled`` (reversing moves; the other
documents of the shared moves are posted again).  The payroll run of
the payment month takes the document in as lines ``vacation_paid`` and
``ndfl_vacation`` (the year-to-date figures, the register, 6-НДФЛ); the
run of each month of the leave counts its days as not worked.
"""
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from sql.operators import Concat

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kazan_accounting.model import DocumentMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import average, rules
from .exceptions import PayrollRunError, VacationPayLateWarning
from .payslip import MONEY, ZERO, basis_json, month_text
from .posting import MoveBatch, Posting
from .queries import _in_max
from .reserve import ReserveUse

STATES = [
    ('draft', "Draft"),
    ('computed', "Computed"),
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]


class VacationPay(DocumentMixin, Workflow, ModelSQL, ModelView):
    "Vacation pay paid before the leave"
    __name__ = 'kazan.payroll.vacation_pay'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    absence = fields.Many2One(
        'kazan.payroll.absence', "Leave", required=True, states=_states,
        ondelete='RESTRICT',
        domain=[
            ('employee', '=', Eval('employee', -1)),
            ('kind', '=', 'vacation'),
            ])
    payment_date = fields.Date(
        "Payment Date", required=True, states=_states,
        help="At least 3 calendar days before the leave (ТК ст. 136).")
    payment_month = fields.Date("Payment Month", readonly=True,
        help="The payroll month that takes the payment in.")
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    days = fields.Integer("Days Paid", readonly=True)
    average_daily = fields.Numeric(
        "Average Daily Earnings", digits=MONEY, readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)
    ndfl = fields.Numeric("NDFL", digits=MONEY, readonly=True)
    withheld = fields.Numeric("Withheld by Writs", digits=MONEY,
        readonly=True,
        help="Alimony and the other writs of a share, withheld from the "
        "vacation pay after its NDFL when it is paid (ФЗ 229 ст. 98).")
    withholdings = fields.Text("Withholdings", readonly=True)
    net = fields.Numeric("Net", digits=MONEY, readonly=True)
    kfo = fields.Char("KFO", readonly=True)
    basis = fields.Text("Grounds", readonly=True)
    months = fields.One2Many(
        'kazan.payroll.vacation_pay.month', 'vacation_pay', "Months",
        readonly=True)
    # the documents paid on a day share their moves (the accrual, the
    # payment, the release of a later month), one of each per institution
    moves = fields.Many2Many(
        'kazan.payroll.vacation_pay-account.move', 'vacation_pay', 'move',
        "Moves", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Range()), (t.payment_date, Index.Range())))
        cls._sql_indexes.add(Index(t, (t.absence, Index.Equality())))
        cls._order = [('payment_date', 'DESC'), ('id', 'DESC')]
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
        return f'{self.employee.rec_name} {self.payment_date}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    @fields.depends('absence', 'employee', 'company')
    def on_change_absence(self):
        if self.absence:
            self.employee = self.absence.employee
            self.company = self.absence.company
            calendar = Pool().get('kazan.payroll.calendar_day').calendar(
                rules.TATARSTAN)
            try:
                self.payment_date = rules.vacation_payment_date(
                    self.absence.start_date, calendar)
            except LookupError:
                pass  # no calendar of the year: the accountant sets it

    @classmethod
    def validate(cls, documents):
        super().validate(documents)
        live = [d for d in documents if d.state != 'cancelled']
        count = defaultdict(int)
        for sub_documents in grouped_slice(live, _in_max()):
            for other in cls.search([
                        ('absence', 'in',
                            [d.absence.id for d in sub_documents]),
                        ('state', '!=', 'cancelled'),
                        ], order=[]):
                count[other.absence.id] += 1
        for document in live:
            # itself, and another
            if count[document.absence.id] > 1:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_pay_unique',
                        employee=document.employee.rec_name,
                        start=document.absence.start_date))

    @classmethod
    def delete(cls, documents):
        for document in documents:
            if document.state not in {'draft', 'computed'}:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_pay_delete_posted',
                        document=document.rec_name))
        super().delete(documents)

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default else {}
        default.setdefault('moves', None)
        default.setdefault('months', None)
        return super().copy(documents, default=default)

    # --- Creating them for the runs ------------------------------------------

    @classmethod
    def create_for_runs(cls, runs):
        """The vacation-pay documents due in the runs' months, computed:
        every annual leave of the institutions that has none yet, starts
        in the month or later and is paid (3 days before it) by the end
        of the month — so that the payroll run pays no leave late"""
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        CalendarDay = pool.get('kazan.payroll.calendar_day')
        calendar = CalendarDay.calendar(rules.TATARSTAN)
        to_create = []
        for run in runs:
            first, last = rules.month_bounds(run.month)
            for absence in Absence.search([
                        ('company', '=', run.company.id),
                        ('kind', '=', 'vacation'),
                        ('start_date', '>=', first),
                        ('start_date', '<=', last + dt.timedelta(
                                days=rules.VACATION_PAY_DAYS_BEFORE + 7)),
                        ]):
                date = rules.vacation_payment_date(
                    absence.start_date, calendar)
                if date <= last:
                    # a leave entered after its month before was posted
                    # is paid in this month, late (the post warns)
                    to_create.append((absence, max(date, first)))
        if not to_create:
            return []
        documented = {d.absence.id for d in cls.search([
                    ('absence', 'in', [a.id for a, _ in to_create]),
                    ('state', '!=', 'cancelled'),
                    ])}
        documents = cls.create([{
                    'company': a.company.id,
                    'employee': a.employee.id,
                    'absence': a.id,
                    'payment_date': date,
                    } for a, date in to_create if a.id not in documented])
        cls.compute(documents)
        return documents

    @classmethod
    def of_month(cls, companies, month, states=('computed', 'posted')):
        "The documents of the institutions paid in the month"
        first, last = rules.month_bounds(month)
        return cls.search([
                ('company', 'in', [c.id for c in companies]),
                ('payment_date', '>=', first),
                ('payment_date', '<=', last),
                ('state', 'in', list(states)),
                ])

    def payslip_lines(self):
        "The lines the payroll run of the payment month takes in"
        grounds = tuple(json.loads(self.basis or '{}').items()) + (
            ('document', self.rec_name),
            ('payment_date', self.payment_date),
            ('start', self.absence.start_date),
            ('end', self.absence.end_date),
            ('days', self.days), ('average_daily', self.average_daily))
        return (
            rules.PayslipLine(rules.VACATION_PAID_CODE, rules.EARNING,
                self.amount, grounds),
            rules.PayslipLine(rules.NDFL_VACATION_CODE, rules.WITHHOLDING,
                self.ndfl, (('document', self.rec_name),)),
            ) + tuple(
            rules.PayslipLine(rules.WITHHELD_VACATION_CODE,
                rules.WITHHOLDING, Decimal(w['amount']),
                tuple((k, v) for k, v in w.items() if k != 'amount')
                + (('payment', self.rec_name),))
            for w in json.loads(self.withholdings or '[]'))

    # --- Computing -----------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, documents):
        """The average (Положение № 922), the pay by month and the NDFL
        withheld at the payment"""
        pool = Pool()
        Month = pool.get('kazan.payroll.vacation_pay.month')
        Run = pool.get('kazan.payroll.run')
        Withholding = pool.get('kazan.payroll.withholding')
        Month.delete(Month.search([
                    ('vacation_pay', 'in', [d.id for d in documents])]))
        orders = {}
        for date in {d.payment_date for d in documents}:
            for employee_id, employee_orders in Withholding.orders(
                    [d.employee.id for d in documents
                        if d.payment_date == date], date, date).items():
                orders[employee_id, date] = employee_orders
        by_year = defaultdict(list)
        for document in documents:
            by_year[document.payment_date.year].append(document)
        months = []
        for year, year_documents in by_year.items():
            params, calendar = Run.law(year)
            year_to_date = cls._year_to_date(year_documents)
            averages = average.vacation_averages(
                [(d.employee, d.absence.start_date) for d in year_documents],
                params)
            for document in year_documents:
                found = averages[document.employee.id,
                    document.absence.start_date]
                if document.absence.average_daily is not None:
                    # an average the accountant set on the leave
                    found = rules.VacationAverage(
                        document.absence.average_daily, ZERO, ZERO, ())
                parts = rules.vacation_parts(document.absence.start_date,
                    document.absence.end_date, found.average_daily, calendar)
                document.average_daily = found.average_daily
                document.payment_month = document.payment_date.replace(day=1)
                document.days = sum(days for _, days, _ in parts)
                document.amount = sum((a for _, _, a in parts), ZERO)
                document.kfo = document.employee.pay_kfo
                document.basis = basis_json(
                    average.basis(found).items() if found.counted_days
                    else [('average_daily', found.average_daily)])
                document.ndfl = document._ndfl(params, year_to_date)
                withheld = rules.vacation_withholdings(
                    document.amount, document.ndfl,
                    orders.get((document.employee.id,
                            document.payment_date), ()))
                document.withheld = sum((a for _, a in withheld), ZERO)
                document.withholdings = json.dumps([{
                            'order': o.key, 'kind': o.kind,
                            'document': o.document,
                            'share': f'{o.percent.normalize():f} %',
                            'base': str(document.amount - document.ndfl),
                            'amount': str(a)}
                        for o, a in withheld], ensure_ascii=False)
                document.net = (document.amount - document.ndfl
                    - document.withheld)
                months.extend({
                        'vacation_pay': document.id,
                        'month': month,
                        'days': days,
                        'amount': amount,
                        } for month, days, amount in parts)
        cls.save(documents)
        Month.create(months)

    @classmethod
    def _year_to_date(cls, documents):
        """What the NDFL of the documents stands on, by (institution,
        payment month): the year-to-date figures of their employees before
        the month (one query) and the other documents paid in the month"""
        Run = Pool().get('kazan.payroll.run')
        employees = defaultdict(set)
        for document in documents:
            employees[document.company, document.payment_date.replace(
                    day=1)].add(document.employee)
        result = {}
        for (company, month), month_employees in employees.items():
            run = Run(company=company, month=month)
            ytd = Run._year_to_date(month, [e.id for e in month_employees])
            result[company.id, month] = (
                {e.id: ytd.get(e.id) or run._onboarded_ytd(e)
                    for e in month_employees},
                cls.of_month([company], month))
        return result

    def _ndfl(self, params, year_to_date):
        """The NDFL withheld at the payment, by the cumulative method (НК
        ст. 225 п. 3, ст. 226 п. 3): the tax on the income since January
        with this payment, minus the tax withheld so far (the posted runs
        before the payment month and the other documents paid in it)"""
        ytd, others = year_to_date[
            self.company.id, self.payment_date.replace(day=1)]
        ytd = ytd[self.employee.id]
        taxable = ytd.income - ytd.deductions
        withheld = ytd.ndfl
        for other in others:
            if (other.id != self.id and other.employee == self.employee
                    and (other.payment_date, other.id)
                    < (self.payment_date, self.id or 0)):
                taxable += other.amount
                withheld += other.ndfl
        return rules.ndfl_cumulative(taxable + self.amount, withheld, params)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, documents):
        pool = Pool()
        Month = pool.get('kazan.payroll.vacation_pay.month')
        Month.delete(Month.search([
                    ('vacation_pay', 'in', [d.id for d in documents])]))

    # --- Posting -------------------------------------------------------------

    @classmethod
    def check_run_open(cls, documents):
        "The payroll of the payment month is not posted yet"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        months = {(d.company.id, d.payment_date.replace(day=1))
            for d in documents}
        posted = set()
        for sub_months in grouped_slice(sorted(months), _in_max()):
            posted.update((r.company.id, r.month) for r in Run.search([
                        ('state', '=', 'posted'),
                        ['OR'] + [[('company', '=', c), ('month', '=', m)]
                            for c, m in sub_months],
                        ]))
        for document in documents:
            month = document.payment_date.replace(day=1)
            if (document.company.id, month) in posted:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_vacation_pay_run_posted',
                        document=document.rec_name,
                        month=month_text(month)))

    @classmethod
    @ModelView.button
    def post(cls, documents):
        """Post on the payment date the accrual (the days of later months
        to 401.50), the NDFL withheld and the payment; on the first day of
        each later month, the release of its part to the expenses"""
        batch = cls._move_batch(documents)
        cls.post_in(documents, batch)
        batch.post()

    @staticmethod
    def _move_batch(documents):
        "A batch of moves of their own for the documents"
        return MoveBatch(Posting([d.company for d in documents]),
            ReserveUse())

    @classmethod
    @Workflow.transition('posted')
    def post_in(cls, documents, batch):
        """Post the documents with their moves added to batch (a
        posting.MoveBatch), which the caller then posts: the payroll run
        posts them with its own moves"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        CalendarDay = pool.get('kazan.payroll.calendar_day')
        calendar = CalendarDay.calendar(rules.TATARSTAN)
        cls.check_run_open(documents)
        for document in documents:
            due = rules.vacation_payment_date(
                document.absence.start_date, calendar)
            if document.payment_date > due:
                key = Warning.format('vacation_pay_late', [document])
                if Warning.check(key):
                    raise VacationPayLateWarning(key, gettext(
                            'kazan_payroll.msg_vacation_pay_late',
                            document=document.rec_name, due=due))
        cls._post_moves(documents, batch)

    @classmethod
    def _post_moves(cls, documents, batch):
        """Add the documents' moves to batch: one accrual and one payment
        per institution and payment day, one release per institution and
        later month, each linked to the documents it holds (the moves of
        many documents cost the ledger little more than those of one)"""
        pool = Pool()
        Employee = pool.get('company.employee')
        Link = pool.get('kazan.payroll.vacation_pay-account.move')
        Month = pool.get('kazan.payroll.vacation_pay.month')
        posting, reserve = batch.posting, batch.reserve
        # read at once: the months of the documents and their employees
        months = defaultdict(list)
        for sub_documents in grouped_slice(documents, _in_max()):
            for month in Month.search([('vacation_pay', 'in',
                            [d.id for d in sub_documents])]):
                months[month.vacation_pay.id].append(month)
        names = {e.id: e.rec_name for e in Employee.browse(
                list({d.employee.id for d in documents}))}
        groups = defaultdict(lambda: ([], []))
        for document in sorted(documents,
                key=lambda d: (d.company.id, d.payment_date, d.id)):
            for key, lines in document._move_lines(
                    posting, reserve, months[document.id]):
                group_documents, group_lines = groups[key]
                group_documents.append(document)
                group_lines.extend(lines)
        values, owners = [], []
        for (company, journal, date, message), (group_documents, lines) in (
                groups.items()):
            if not lines:
                continue
            values.append(posting.move(group_documents[0], journal, date,
                    gettext(f'kazan_payroll.{message}',
                        date=group_documents[0].payment_date,
                        month=month_text(date),
                        documents=_names(group_documents, names)),
                    lines, origin=False))
            owners.append(group_documents)
        batch.add(values, lambda moves: Link.create([
                    {'vacation_pay': d.id, 'move': m.id}
                    for m, group_documents in zip(moves, owners)
                    for d in group_documents]))

    def _move_lines(self, posting, reserve, months):
        """The document's lines by move: [((institution, journal, date,
        message id), lines)] for the accrual and the payment of its
        payment day and the release of each of its later months"""
        company, kfo = self.company, self.kfo
        paid_month = self.payment_date.replace(day=1)
        accrual, releases = [], []
        # issue 15: the institution's vacation reserve pays first, months
        # in order; the rest is the expense of its month as without one
        covered = reserve.take(company, kfo, 'pay', self.payment_date,
            self.amount)
        accrual.extend(posting.lines(company, 'vacation_reserve', kfo,
                covered))
        for part in months:
            from_reserve = min(part.amount, covered)
            covered -= from_reserve
            amount = part.amount - from_reserve
            operation = ('vacation_deferred' if part.month > paid_month
                else 'vacation_paid')
            accrual.extend(posting.lines(company, operation, kfo, amount))
            if part.month > paid_month and (amount or not from_reserve):
                releases.append(((company, 'journal_payroll', part.month,
                            'msg_move_vacation_release'),
                        posting.lines(company, 'vacation_deferred_release',
                            kfo, amount)))
        accrual.extend(posting.lines(company, 'ndfl_vacation', kfo,
                self.ndfl))
        accrual.extend(posting.lines(company, 'withheld_vacation', kfo,
                self.withheld or ZERO))
        day = self.payment_date
        return [
            ((company, 'journal_payroll', day, 'msg_move_vacation_accrual'),
                accrual),
            # the writs withheld are transferred to their recipients with
            # the payment, not later than 3 working days after it (ФЗ 229
            # ст. 98 ч. 3)
            ((company, 'journal_non_cash', day, 'msg_move_vacation_payment'),
                posting.lines(company, 'payment', kfo, self.net or ZERO)
                + posting.lines(company, 'payment_withholdings', kfo,
                    self.withheld or ZERO)),
            ] + releases

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, documents):
        """Cancel by reversing moves, while the payment month is open: the
        moves the documents share with others paid the same day are
        reversed whole, and the others posted again"""
        pool = Pool()
        Move = pool.get('account.move')
        Link = pool.get('kazan.payroll.vacation_pay-account.move')
        cls.check_run_open(documents)
        ids = {d.id for d in documents}
        # the moves not reversed yet, with every document they hold
        moves = {l.move for l in Link.search([
                    ('vacation_pay', 'in', list(ids)),
                    ('reversed', '=', False),
                    ])}
        links = Link.search([
                ('move', 'in', [m.id for m in moves]),
                ], order=[('move', 'ASC'), ('vacation_pay', 'ASC')])
        by_move = defaultdict(list)
        for link in links:
            by_move[link.move].append(link.vacation_pay)
        reversals, owners = [], []
        for move, move_documents in by_move.items():
            reversal = move.cancel(reversal=True)
            # the cancelled document: a reversal of a payroll document's
            # accrual (6-НДФЛ's reconciliation, tax_report)
            reversal.origin = next(d for d in move_documents if d.id in ids)
            reversal.description = gettext(
                'kazan_payroll.msg_move_reversal',
                description=move.description or '')
            reversals.append(reversal)
            owners.append(move_documents)
        Move.save(reversals)
        Move.post(reversals)
        Link.write(links, {'reversed': True})
        Link.create([{'vacation_pay': d.id, 'move': r.id, 'reversed': True}
                for r, move_documents in zip(reversals, owners)
                for d in move_documents])
        others = sorted({d for move_documents in owners
                for d in move_documents if d.id not in ids},
            key=lambda d: d.id)
        if others:
            batch = cls._move_batch(others)
            cls._post_moves(others, batch)
            batch.post()


def _names(documents, employees, shown=3):
    """The employees of the documents ({employee id: name}), the first few
    and how many more"""
    names = sorted({employees[d.employee.id] for d in documents})
    if len(names) <= shown:
        return ', '.join(names)
    return gettext('kazan_payroll.msg_move_documents_more',
        names=', '.join(names[:shown]), count=len(names) - shown)


class VacationPayMove(ModelSQL):
    "A move of a vacation-pay document, shared with the others of its day"
    __name__ = 'kazan.payroll.vacation_pay-account.move'

    vacation_pay = fields.Many2One(
        'kazan.payroll.vacation_pay', "Vacation Pay", required=True,
        ondelete='CASCADE')
    move = fields.Many2One(
        'account.move', "Move", required=True, ondelete='RESTRICT')
    # the move is reversed, or is a reversal: nothing to reverse any more
    reversed = fields.Boolean("Reversed")

    @classmethod
    def default_reversed(cls):
        return False

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('vacation_pay')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.vacation_pay, Index.Range())),
                Index(t, (t.move, Index.Range())),
                })

    @classmethod
    def __register__(cls, module):
        "Link the moves posted before the link existed (their origin)"
        pool = Pool()
        Move = pool.get('account.move')
        table_h = cls.__table_handler__(module)
        created = not table_h.table_exist(cls._table)
        super().__register__(module)
        if created:
            table, move = cls.__table__(), Move.__table__()
            prefix = 'kazan.payroll.vacation_pay,'
            cursor = Transaction().connection.cursor()
            # before the link, a document was cancelled whole: its moves
            # are reversed when it is
            document = pool.get('kazan.payroll.vacation_pay').__table__()
            cursor.execute(*move.join(document, condition=(
                        move.origin == Concat(prefix, document.id))).select(
                    document.id, move.id, document.state == 'cancelled'))
            rows = list(cursor)
            for sub_rows in grouped_slice(rows, 500):
                cursor.execute(*table.insert(
                        [table.vacation_pay, table.move, table.reversed],
                        [list(r) for r in sub_rows]))


class VacationPayMonth(ModelSQL, ModelView):
    "The part of a leave in one month"
    __name__ = 'kazan.payroll.vacation_pay.month'

    vacation_pay = fields.Many2One(
        'kazan.payroll.vacation_pay', "Vacation Pay", required=True,
        ondelete='CASCADE')
    month = fields.Date("Month", required=True, readonly=True)
    days = fields.Integer("Days", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('vacation_pay')
        cls._order = [('month', 'ASC'), ('id', 'ASC')]


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.payroll.vacation_pay']
