# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Unpaid wages (депонирование) and their later payment.

Pay an employee did not receive — cash not collected at the cash desk in
the payout period (the pay sheet closed with «Депонировано», Указание
Банка России № 3210-У п. 6.5), or a card payment the bank returned (wrong
details, closed account) — is owed to the employee as a depositor on
304.02 «Расчеты с депонентами» (Инструкция 157н п. 270, 174н): a deposit
document per institution and date lists the employees, the payment each
sum comes from (advance, final settlement, dismissal settlement or vacation
pay) and the amounts by КФО, the register of deposited sums (ф. 0504047).

Posted (``draft`` → ``posted``), each line makes two entries:

* the storno of its share of the payment's cash line, Dr 302.11 Cr 201.11
  in negative amounts (КОСГУ 211, КВР 111): the payroll posts every
  payment from the personal account (201.11), the card transfers and the
  cash drawn for the pay sheet alike, and a sum not received is back on it
  (returned by the bank, or handed back by the cashier); the cash payment
  of the current year is restored by the «красное сторно» of the payment
  (Инструкция 157н п. 18), so the КОСГУ 211 payments of the plan's
  execution (ф. 0503737) and the 201.11 credit turnover drop by the sum;
* the deposit itself, Dr 302.11 Cr 304.02 (174н: депонирование сумм, не
  выплаченных в срок).

A deposit is paid later, in part or in full, by payment documents: Dr
304.02 Cr 201.11 (a transfer) or 201.34 (the cash desk), КОСГУ 211, КВР
111 on the cash line.  Nothing posted is deleted: a posted deposit or
payment is cancelled by reversing moves, a deposit only while none of its
lines is paid.
"""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kazan_accounting.model import tables
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .employee import PAY_KFO
from .exceptions import DepositValidationError, PayrollRunError
from .payslip import MONEY, ZERO
from .posting import PostedDocumentMixin, Posting
from .queries import _apply_types, _in, _in_max

STATES = [
    ('draft', "Draft"),
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]
# The payment a deposited sum comes from.
PAYMENT_KINDS = [
    ('advance', "Advance"),
    ('final', "Final Settlement"),
    ('dismissal', "Dismissal Settlement"),
    ('vacation', "Vacation Pay"),
    ]
REASONS = [
    ('not_collected', "Not Collected at the Cash Desk"),
    ('returned', "Returned by the Bank"),
    ]
# The cash account a deposit is paid from: the posting rule of each.
CASH_ACCOUNTS = [
    ('personal_account', "Personal Account (201.11)"),
    ('cash_desk', "Cash Desk (201.34)"),
    ]
PAYMENT_OPERATIONS = {
    'personal_account': 'payment_deposit',
    'cash_desk': 'payment_deposit_cash',
    }
PAYMENT_JOURNALS = {
    'personal_account': 'journal_non_cash',
    'cash_desk': 'journal_cash',
    }


def room(limit, used):
    """What is left of a limit once the amounts used are taken from it:
    of a payment to an employee, the sums deposited from it; of a deposit,
    the sums paid of it"""
    return limit - sum(used, ZERO)


def check_positive(records, field_names):
    """The amount of a deposited sum or of its payment is above zero (a
    field domain would compare text with a number on SQLite)"""
    if field_names and 'amount' not in field_names:
        return
    for record in records:
        if record.amount is not None and record.amount <= 0:
            raise DepositValidationError(gettext(
                    'kazan_payroll.msg_deposit_amount_positive',
                    record=record.rec_name))


class Deposit(PostedDocumentMixin, Workflow, ModelSQL, ModelView):
    "Unpaid wages deposited (register of deposited sums, ф. 0504047)"
    __name__ = 'kazan.payroll.deposit'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    date = fields.Date(
        "Date", required=True, states=_states,
        help="The last day of the payout period of the cash desk, or the "
        "day the bank returned the payment.")
    reference = fields.Char("Reference", states=_states,
        help="The number of the register of deposited sums.")
    lines = fields.One2Many(
        'kazan.payroll.deposit.line', 'deposit', "Lines", states=_states)
    amount = fields.Function(
        fields.Numeric("Amount", digits=MONEY), 'get_amount')
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    moves = fields.One2Many(
        'account.move', 'origin', "Moves", readonly=True)

    del _states

    def get_rec_name(self, name):
        return f'{self.company.rec_name} {self.date}' + (
            f' № {self.reference}' if self.reference else '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('company.rec_name',) + tuple(clause[1:]),
            ('reference',) + tuple(clause[1:]),
            ]

    def get_amount(self, name):
        return sum((l.amount or ZERO for l in self.lines), ZERO)

    @staticmethod
    def _delete_error(deposit):
        return PayrollRunError(gettext(
                'kazan_payroll.msg_deposit_delete_posted',
                deposit=deposit.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, deposits):
        """Check each line against the payment it comes from, then post the
        storno of the payment's cash line and the deposit to 304.02"""
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('kazan.payroll.deposit.line')
        lines = [l for d in deposits for l in d.lines]
        for deposit in deposits:
            if not deposit.lines:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_empty',
                        deposit=deposit.rec_name))
        Line.check_payments(lines)
        posting = Posting([d.company for d in deposits])
        moves = []
        for deposit in deposits:
            moves.extend(deposit._moves(posting))
        Move.post(Move.create(moves))

    def _moves(self, posting):
        by_kfo = defaultdict(lambda: ZERO)
        for line in self.lines:
            by_kfo[line.kfo] += line.amount
        storno, deposit = [], []
        for kfo, amount in sorted(by_kfo.items()):
            for values in posting.lines(self.company, 'payment', kfo, amount):
                # the «красное сторно» of the payment: same sides, negative
                storno.append(dict(values,
                        debit=-values['debit'], credit=-values['credit']))
            deposit.extend(posting.lines(self.company, 'deposit', kfo, amount))
        return [
            posting.move(self, 'journal_non_cash', self.date, gettext(
                    'kazan_payroll.msg_move_deposit_storno',
                    deposit=self.rec_name), storno),
            posting.move(self, 'journal_payroll', self.date, gettext(
                    'kazan_payroll.msg_move_deposit',
                    deposit=self.rec_name), deposit),
            ]

    @classmethod
    def cancel(cls, deposits):
        "Cancel by reversing moves, while no deposited sum is paid"
        Payment = Pool().get('kazan.payroll.deposit.payment')
        payments = Payment.search([
                ('line.deposit', 'in', [d.id for d in deposits]),
                ('state', '=', 'posted'),
                ], limit=1)
        if payments:
            payment, = payments
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_deposit_cancel_paid',
                    deposit=payment.line.deposit.rec_name,
                    payment=payment.rec_name))
        super().cancel(deposits)


class DepositLine(ModelSQL, ModelView):
    "A sum deposited: one employee, one payment, one КФО"
    __name__ = 'kazan.payroll.deposit.line'

    _states = {'readonly': Eval('deposit_state') != 'draft'}
    _depends = ['deposit_state']

    deposit = fields.Many2One(
        'kazan.payroll.deposit', "Deposit", required=True,
        ondelete='CASCADE', states=_states)
    company = fields.Function(
        fields.Many2One('company.company', "Institution"),
        'get_company', searcher='search_company')
    deposit_date = fields.Function(
        fields.Date("Date"), 'get_deposit_field')
    deposit_state = fields.Function(
        fields.Selection(STATES, "State"), 'get_deposit_field')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, states=_states,
        domain=[
            ('company', '=', Eval('_parent_deposit', {}).get(
                    'company', -1)),
            ])
    payment_kind = fields.Selection(
        PAYMENT_KINDS, "Payment", required=True, sort=False, states=_states)
    payslip = fields.Many2One(
        'kazan.payroll.payslip', "Payslip", ondelete='RESTRICT',
        domain=[('employee', '=', Eval('employee', -1))],
        states={
            'readonly': _states['readonly'],
            'required': Eval('payment_kind') != 'vacation',
            'invisible': Eval('payment_kind') == 'vacation',
            },
        help="The payslip of the month whose payment was not received.")
    vacation_pay = fields.Many2One(
        'kazan.payroll.vacation_pay', "Vacation Pay", ondelete='RESTRICT',
        domain=[
            ('employee', '=', Eval('employee', -1)),
            ('state', '=', 'posted'),
            ],
        states={
            'readonly': _states['readonly'],
            'required': Eval('payment_kind') == 'vacation',
            'invisible': Eval('payment_kind') != 'vacation',
            })
    kfo = fields.Selection(PAY_KFO, "KFO", required=True, states=_states)
    reason = fields.Selection(
        REASONS, "Reason", required=True, sort=False, states=_states)
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, states=_states)
    payments = fields.One2Many(
        'kazan.payroll.deposit.payment', 'line', "Payments", readonly=True)
    paid = fields.Function(
        fields.Numeric("Paid", digits=MONEY), 'get_balances')
    balance = fields.Function(
        fields.Numeric("Balance", digits=MONEY,
            help="What is still owed to the employee on 304.02."),
        'get_balances', searcher='search_balance')

    del _states, _depends

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('deposit')
        cls._sql_indexes.update({
                Index(t, (t.deposit, Index.Range())),
                Index(t, (t.employee, Index.Range())),
                })
        cls._order = [('deposit', 'DESC'), ('id', 'ASC')]

    @classmethod
    def default_payment_kind(cls):
        return 'final'

    @classmethod
    def default_reason(cls):
        return 'returned'

    def get_rec_name(self, name):
        return f'{self.employee.rec_name} {self.deposit.date} {self.amount}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    def get_company(self, name):
        return self.deposit.company.id

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        check_positive(lines, field_names)

    @classmethod
    def search_company(cls, name, clause):
        return [('deposit.company',) + tuple(clause[1:])]

    def get_deposit_field(self, name):
        return getattr(self.deposit, name.split('_', 1)[1])

    @fields.depends('payslip', 'vacation_pay', 'payment_kind')
    def on_change_with_kfo(self, name=None):
        if self.payment_kind == 'vacation' and self.vacation_pay:
            return self.vacation_pay.kfo
        if self.payslip:
            return self.payslip.kfo

    @classmethod
    def preprocess_values(cls, mode, values):
        "The КФО of the payment when none is given"
        pool = Pool()
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('kfo'):
            if values.get('vacation_pay'):
                document = pool.get('kazan.payroll.vacation_pay')(
                    values['vacation_pay'])
                values['kfo'] = document.kfo
            elif values.get('payslip'):
                values['kfo'] = pool.get('kazan.payroll.payslip')(
                    values['payslip']).kfo
        return values

    @classmethod
    def get_balances(cls, lines, names):
        "What is paid of each line (posted payments) and what is left"
        paid = cls.paid_amounts([l.id for l in lines])
        result = {}
        if 'paid' in names:
            result['paid'] = {l.id: paid.get(l.id, ZERO) for l in lines}
        if 'balance' in names:
            result['balance'] = {l.id: room(l.amount or ZERO,
                    [paid.get(l.id, ZERO)]) for l in lines}
        return result

    @classmethod
    def paid_amounts(cls, line_ids):
        "{line id: the sum of its posted payments}, in SQL"
        payment, = tables('kazan.payroll.deposit.payment')
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(line_ids, _in_max()):
            query = payment.select(payment.line, Sum(payment.amount),
                where=_in(payment.line, sub_ids)
                & (payment.state == 'posted'),
                group_by=[payment.line])
            _apply_types(query, [None, 'NUMERIC'])
            cursor.execute(*query)
            result.update({l: Decimal(a) for l, a in cursor})
        return result

    @classmethod
    def search_balance(cls, name, clause):
        """The lines of posted deposits whose balance meets the clause
        (compared in Python: SQLite keeps Numeric as text)"""
        _, operator, value = clause[:3]
        operators = {
            '=': lambda a, b: a == b, '!=': lambda a, b: a != b,
            '>': lambda a, b: a > b, '>=': lambda a, b: a >= b,
            '<': lambda a, b: a < b, '<=': lambda a, b: a <= b,
            }
        if operator not in operators:
            return [('id', '=', -1)]
        value = Decimal(str(value or 0))
        lines = cls.search([('deposit.state', '=', 'posted')], order=[])
        balances = cls.get_balances(lines, ['balance'])['balance']
        return [('id', 'in', [i for i, b in balances.items()
                    if operators[operator](b, value)])]

    # --- The payment a sum comes from ----------------------------------------

    def paid_by_payment(self):
        """(amount, date) of the payment the line's sum comes from: the
        employee's part of КФО kfo paid from 302.11 (the sick pay on 302.66
        is not deposited here); an error when it was not paid"""
        pool = Pool()
        Move = pool.get('account.move')
        ModelData = pool.get('ir.model.data')
        not_paid = PayrollRunError(gettext(
                'kazan_payroll.msg_deposit_not_paid',
                line=self.rec_name,
                payment=dict(PAYMENT_KINDS)[self.payment_kind]))
        if self.payment_kind == 'vacation':
            document = self.vacation_pay
            if (not document or document.state != 'posted'
                    or document.employee != self.employee):
                raise not_paid
            amount = document.net if document.kfo == self.kfo else ZERO
            return amount or ZERO, document.payment_date
        slip = self.payslip
        if not slip or slip.employee != self.employee:
            raise not_paid
        run = slip.run
        if self.payment_kind == 'dismissal':
            if not slip.final_date:
                raise not_paid
            kinds = ['final']
            if run.advance_move:
                # the advance was paid with the settlement when the
                # advance move came after it (run._dismissal_payments)
                settlements = Move.search([
                        ('origin', '=', str(run)),
                        ('date', '=', slip.final_date),
                        ('journal', '=', ModelData.get_id(
                                'kazan_accounting', 'journal_non_cash')),
                        ('id', 'not in', [run.advance_move.id]
                            + ([run.final_move.id] if run.final_move
                                else [])),
                        ], order=[('id', 'ASC')], limit=1)
                if settlements and run.advance_move.id > settlements[0].id:
                    kinds.append('advance')
            else:
                kinds.append('advance')
            date = slip.final_date
        else:
            move = getattr(run, f'{self.payment_kind}_move')
            if (not move or (self.payment_kind == 'final'
                        and slip.final_date)):
                raise not_paid
            kinds = [self.payment_kind]
            date = move.date
        amount = sum((slip.payment_parts_by_kfo(kind).get(self.kfo, {}).get(
                    'payment', ZERO) for kind in kinds), ZERO)
        return amount, date

    @classmethod
    def check_payments(cls, lines):
        """Each line is within what was paid to the employee by its
        payment, less the sums of it deposited before, and not dated
        before that payment"""
        used = defaultdict(list)
        keys = {}
        for line in lines:
            key = (line.payment_kind, line.payslip, line.vacation_pay,
                line.kfo)
            keys[line] = key
        others = cls.search([
                ('deposit.state', '=', 'posted'),
                ('employee', 'in', list({l.employee.id for l in lines})),
                ('id', 'not in', [l.id for l in lines]),
                ])
        for other in others:
            used[other.payment_kind, other.payslip, other.vacation_pay,
                other.kfo].append(other.amount)
        for line in lines:
            limit, date = line.paid_by_payment()
            if line.deposit.date < date:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_before_payment',
                        line=line.rec_name, date=date))
            left = room(limit, used[keys[line]])
            if line.amount > left:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_above_paid',
                        line=line.rec_name, amount=line.amount,
                        paid=limit, left=max(left, ZERO)))
            used[keys[line]].append(line.amount)


class DepositPayment(PostedDocumentMixin, Workflow, ModelSQL, ModelView):
    "A later payment of a deposited sum"
    __name__ = 'kazan.payroll.deposit.payment'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    line = fields.Many2One(
        'kazan.payroll.deposit.line', "Deposited Sum", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('deposit.state', '=', 'posted'),
            ])
    employee = fields.Function(
        fields.Many2One('company.employee', "Employee"), 'get_employee')
    date = fields.Date("Date", required=True, states=_states)
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, states=_states)
    cash_account = fields.Selection(
        CASH_ACCOUNTS, "Paid From", required=True, states=_states)
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    moves = fields.One2Many(
        'account.move', 'origin', "Moves", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.line, Index.Range())))

    @classmethod
    def validate_fields(cls, payments, field_names):
        super().validate_fields(payments, field_names)
        check_positive(payments, field_names)

    @classmethod
    def default_cash_account(cls):
        return 'personal_account'

    def get_employee(self, name):
        return self.line.employee.id

    def get_rec_name(self, name):
        return f'{self.line.employee.rec_name} {self.date} {self.amount}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('line.employee.rec_name',) + tuple(clause[1:])]

    @fields.depends('line')
    def on_change_line(self):
        if self.line and self.line.balance:
            self.amount = self.line.balance

    @staticmethod
    def _delete_error(payment):
        return PayrollRunError(gettext(
                'kazan_payroll.msg_deposit_payment_delete_posted',
                payment=payment.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, payments):
        """Pay deposited sums: Dr 304.02 Cr 201.11 or 201.34, never twice
        nor above what is left of the sum"""
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('kazan.payroll.deposit.line')
        lines = Line.browse(list({p.line.id for p in payments}))
        Line.lock(lines)  # two accountants paying one sum at once
        left = Line.get_balances(lines, ['balance'])['balance']
        for payment in payments:
            line = payment.line
            if line.deposit.state != 'posted' or payment.company != (
                    line.deposit.company):
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_payment_not_posted',
                        payment=payment.rec_name, line=line.rec_name))
            if payment.date < line.deposit.date:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_payment_before',
                        payment=payment.rec_name, date=line.deposit.date))
            if left[line.id] <= 0:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_paid_already',
                        payment=payment.rec_name, line=line.rec_name))
            if payment.amount > left[line.id]:
                raise PayrollRunError(gettext(
                        'kazan_payroll.msg_deposit_payment_above',
                        payment=payment.rec_name, amount=payment.amount,
                        left=left[line.id]))
            left[line.id] = room(left[line.id], [payment.amount])
        posting = Posting([p.company for p in payments])
        moves = []
        for payment in payments:
            line = payment.line
            moves.append(posting.move(payment,
                    PAYMENT_JOURNALS[payment.cash_account], payment.date,
                    gettext('kazan_payroll.msg_move_deposit_payment',
                        employee=line.employee.rec_name,
                        deposit=line.deposit.rec_name),
                    posting.lines(payment.company,
                        PAYMENT_OPERATIONS[payment.cash_account], line.kfo,
                        payment.amount)))
        Move.post(Move.create(moves))


class Run(metaclass=PoolMeta):
    __name__ = 'kazan.payroll.run'

    @classmethod
    def cancel(cls, runs):
        "A run whose payments were deposited is cancelled after the deposits"
        Line = Pool().get('kazan.payroll.deposit.line')
        lines = Line.search([
                ('payslip.run', 'in', [r.id for r in runs]),
                ('deposit.state', '=', 'posted'),
                ], limit=1)
        if lines:
            line, = lines
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_deposit_source_cancel',
                    document=line.payslip.run.rec_name,
                    deposit=line.deposit.rec_name))
        super().cancel(runs)


class VacationPay(metaclass=PoolMeta):
    __name__ = 'kazan.payroll.vacation_pay'

    @classmethod
    def cancel(cls, documents):
        "Vacation pay deposited is cancelled after the deposits"
        Line = Pool().get('kazan.payroll.deposit.line')
        lines = Line.search([
                ('vacation_pay', 'in', [d.id for d in documents]),
                ('deposit.state', '=', 'posted'),
                ], limit=1)
        if lines:
            line, = lines
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_deposit_source_cancel',
                    document=line.vacation_pay.rec_name,
                    deposit=line.deposit.rec_name))
        super().cancel(documents)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'kazan.payroll.deposit', 'kazan.payroll.deposit.payment']
