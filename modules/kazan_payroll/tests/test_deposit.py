# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Unpaid wages (депонирование) 302.11 → 304.02 and their later payment.

A final settlement the bank returned is deposited (the storno of the
payment's cash line and Dr 302.11 Cr 304.02), paid later in two parts
(201.11, then the cash desk 201.34), never twice nor above what is owed;
the depositors' balances agree with 304.02 in the ledger by КФО; nothing
is cancelled but by reversal, and in order.
"""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll.deposit import room
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .test_payroll import plain
from .tools import in_rolled_back_transaction, school_with_staff

START = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 1)
# the final settlement of March is paid on Thursday 2 April
FINAL_DAY = dt.date(2026, 4, 2)
RETURNED_DAY = dt.date(2026, 4, 6)


class RoomTestCase(unittest.TestCase):
    "What is left of a payment or of a deposit"

    def test_room(self):
        # 26,100.00 paid, 10,000.00 and 6,100.00 deposited: 10,000.00 left
        self.assertEqual(room(Decimal('26100.00'),
                [Decimal('10000.00'), Decimal('6100.00')]),
            Decimal('10000.00'))
        self.assertEqual(room(Decimal('4000.00'), []), Decimal('4000.00'))
        # paid in full: nothing left
        self.assertEqual(room(Decimal('4000.00'),
                [Decimal('1500.50'), Decimal('2499.50')]), Decimal(0))


class DepositTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            school, _ = school_with_staff(pool, 57, START, [
                    plain(1), plain(2, kfo='2')])
            return school.id
        cls.school_id = in_transaction(DB_NAME, setup)

    def school(self):
        return Pool().get('company.company')(self.school_id)

    def employee(self, number):
        Employee = Pool().get('company.employee')
        employee, = Employee.search([
                ('company', '=', self.school_id),
                ('personnel_number', '=', f'{number:04d}')])
        return employee

    def paid_run(self, final=True):
        "March computed, its advance paid, posted and the final paid"
        Run = Pool().get('kazan.payroll.run')
        run, = Run.runs_for([self.school()], MARCH)
        Run.compute([run])
        Run.pay_advance([run])
        Run.post([run])
        if final:
            Run.pay_final([run])
        return run

    def slip(self, run, number):
        slip, = [s for s in run.payslips
            if s.employee == self.employee(number)]
        return slip

    def deposit(self, lines, date=RETURNED_DAY):
        Deposit = Pool().get('kazan.payroll.deposit')
        deposit, = Deposit.create([{
                    'company': self.school_id, 'date': date,
                    'reference': '1',
                    'lines': [('create', lines)],
                    }])
        return deposit

    def pay(self, line, amount, date, cash_account='personal_account'):
        Payment = Pool().get('kazan.payroll.deposit.payment')
        payment, = Payment.create([{
                    'company': self.school_id, 'line': line.id,
                    'date': date, 'amount': amount,
                    'cash_account': cash_account}])
        Payment.post([payment])
        return payment

    def ledger(self, code, end=dt.date(2026, 4, 30)):
        "{kfo: (debit, credit)} turnovers of the account since March"
        TrialBalance = Pool().get('kazan.trial_balance')
        return {r.kfo: (r.debit, r.credit)
            for r in TrialBalance.compute(self.school(), MARCH, end)
            if r.code == code}

    def assert_depositors_agree_with_ledger(self):
        "The balances owed to the depositors are 304.02's, by КФО"
        Line = Pool().get('kazan.payroll.deposit.line')
        owed = {}
        for line in Line.search([
                    ('company', '=', self.school_id),
                    ('balance', '>', 0)]):
            owed[line.kfo] = owed.get(line.kfo, 0) + line.balance
        ledger = {kfo: credit - debit
            for kfo, (debit, credit) in self.ledger('304.02').items()
            if credit - debit}
        self.assertEqual(owed, ledger)

    @in_rolled_back_transaction
    def test_returned_settlement_deposited_and_paid_in_two_parts(self):
        "Returned by the bank: storno, 304.02, paid in parts, never above"
        pool = Pool()
        Deposit = pool.get('kazan.payroll.deposit')
        Line = pool.get('kazan.payroll.deposit.line')
        Payment = pool.get('kazan.payroll.deposit.payment')
        MoveLine = pool.get('account.move.line')
        run = self.paid_run()
        self.assertEqual(run.final_move.date, FINAL_DAY)
        slip = self.slip(run, 1)
        cash_before = self.ledger('201.11')['4']
        # the net of March: 30,000 - (60,000 + 30,000) × 13 % + 7,800
        # withheld before = 26,100.00; the final settlement is the net
        # less the advance
        final = Decimal('26100.00') - slip.advance
        deposit = self.deposit([{
                    'employee': self.employee(1).id,
                    'payment_kind': 'final', 'payslip': slip.id,
                    'reason': 'returned', 'amount': final}])
        line, = deposit.lines
        self.assertEqual(line.kfo, '4')  # the payslip's
        Deposit.post([deposit])
        self.assertEqual(deposit.state, 'posted')
        self.assertEqual(len(deposit.moves), 2)
        self.assertTrue(all(m.state == 'posted' for m in deposit.moves))

        # the deposit: Dr 302.11 Cr 304.02; 302.11 of КФО 4 is settled
        self.assertEqual(self.ledger('304.02'), {'4': (0, final)})
        debit, credit = self.ledger('302.11')['4']
        self.assertEqual(debit, credit)
        # the storno: the cash paid from 201.11 less the sum returned,
        # КОСГУ 211, КВР 111, on the day of the return
        cash_debit, cash_credit = self.ledger('201.11')['4']
        self.assertEqual((cash_debit, cash_credit),
            (cash_before[0], cash_before[1] - final))
        storno, = MoveLine.search([
                ('move.origin', '=', str(deposit)),
                ('account.code', '=', '201.11')])
        self.assertEqual((storno.debit, storno.credit), (0, -final))
        self.assertEqual((storno.kosgu, storno.kvr), ('211', '111'))
        self.assertEqual(storno.move.date, RETURNED_DAY)
        self.assertEqual(storno.move.journal.code, '2')
        self.assertEqual(line.balance, final)
        self.assert_depositors_agree_with_ledger()

        # paid 4,000.00 by a transfer: 304.02 owes final - 4,000.00
        first = self.pay(line, Decimal('4000.00'), dt.date(2026, 4, 10))
        line = Line(line.id)
        self.assertEqual(line.paid, Decimal('4000.00'))
        self.assertEqual(line.balance, final - Decimal('4000.00'))
        self.assertEqual(self.ledger('304.02'),
            {'4': (Decimal('4000.00'), final)})
        cash, = [l for l in first.moves[0].lines
            if l.account.code == '201.11']
        self.assertEqual((cash.credit, cash.kosgu, cash.kvr),
            (Decimal('4000.00'), '211', '111'))
        self.assert_depositors_agree_with_ledger()

        # not above what is owed
        with self.assertRaises(UserError) as context:
            self.pay(line, final - Decimal('3999.99'), dt.date(2026, 4, 13))
        self.assertIn('above what is owed', context.exception.message)
        # the rest at the cash desk: 201.34, КОСГУ 211
        self.pay(line, final - Decimal('4000.00'), dt.date(2026, 4, 13),
            'cash_desk')
        self.assertEqual(self.ledger('201.34'),
            {'4': (0, final - Decimal('4000.00'))})
        self.assertEqual(Line(line.id).balance, 0)
        self.assertEqual(self.ledger('304.02'), {'4': (final, final)})
        self.assertFalse(Line.search([('balance', '>', 0)]))
        self.assert_depositors_agree_with_ledger()
        # and not twice
        with self.assertRaises(UserError) as context:
            self.pay(line, Decimal('0.01'), dt.date(2026, 4, 14))
        self.assertIn('already paid in full', context.exception.message)

        # posted: cancelled by reversal only, the payments first, and the
        # run after its deposits
        with self.assertRaises(UserError):
            Deposit.delete([deposit])
        with self.assertRaises(UserError) as context:
            Deposit.cancel([deposit])
        self.assertIn('Cancel the payment first', context.exception.message)
        with self.assertRaises(UserError) as context:
            run.__class__.cancel([run])
        self.assertIn('Cancel the deposit first',
            context.exception.message)
        Payment.cancel(Payment.search([('line', '=', line.id)]))
        self.assertEqual(Line(line.id).balance, final)
        Deposit.cancel([deposit])
        self.assertEqual(deposit.state, 'cancelled')
        self.assertEqual(len(deposit.moves), 4)
        for code in ('304.02', '302.11', '201.34'):
            for kfo, (debit, credit) in self.ledger(code).items():
                self.assertEqual(debit, credit, (code, kfo))
        self.assertEqual(self.ledger('201.11')['4'][1] - self.ledger(
                '201.11')['4'][0], cash_before[1] - cash_before[0])

    @in_rolled_back_transaction
    def test_not_above_what_was_paid_by_that_payment(self):
        "A sum is deposited from a payment made, within it, after it"
        Deposit = Pool().get('kazan.payroll.deposit')
        run = self.paid_run(final=False)
        slip = self.slip(run, 2)
        employee = self.employee(2)

        # the final settlement is not paid yet
        deposit = self.deposit([{
                    'employee': employee.id, 'payment_kind': 'final',
                    'payslip': slip.id, 'reason': 'returned',
                    'amount': Decimal('100.00')}])
        with self.assertRaises(UserError) as context:
            Deposit.post([deposit])
        self.assertIn('was not made', context.exception.message)
        Deposit.delete([deposit])

        # the advance, March 17: not deposited before it was paid
        advance_day = run.advance_move.date
        deposit = self.deposit([{
                    'employee': employee.id, 'payment_kind': 'advance',
                    'payslip': slip.id, 'reason': 'not_collected',
                    'amount': Decimal('100.00')}],
            date=advance_day - dt.timedelta(days=1))
        with self.assertRaises(UserError) as context:
            Deposit.post([deposit])
        self.assertIn('before the day it was paid', context.exception.message)
        Deposit.delete([deposit])

        # two lines of the advance: together above it by a kopeck
        part = Decimal('1000.00')
        deposit = self.deposit([{
                    'employee': employee.id, 'payment_kind': 'advance',
                    'payslip': slip.id, 'reason': 'not_collected',
                    'amount': amount}
                for amount in [part, slip.advance - part + Decimal('0.01')]],
            date=advance_day)
        with self.assertRaises(UserError) as context:
            Deposit.post([deposit])
        self.assertIn('above what was paid', context.exception.message)
        Deposit.delete([deposit])
        # the whole advance in one deposit, then not a kopeck more
        deposit = self.deposit([{
                    'employee': employee.id, 'payment_kind': 'advance',
                    'payslip': slip.id, 'reason': 'not_collected',
                    'amount': amount}
                for amount in [part, slip.advance - part]],
            date=advance_day)
        Deposit.post([deposit])
        self.assertEqual(self.ledger('304.02'), {'2': (0, slip.advance)})
        self.assert_depositors_agree_with_ledger()
        again = self.deposit([{
                    'employee': employee.id, 'payment_kind': 'advance',
                    'payslip': slip.id, 'reason': 'not_collected',
                    'amount': Decimal('0.01')}], date=advance_day)
        with self.assertRaises(UserError):
            Deposit.post([again])

        # an amount is above zero
        with self.assertRaises(ValidationError):
            self.deposit([{
                        'employee': employee.id, 'payment_kind': 'advance',
                        'payslip': slip.id, 'reason': 'not_collected',
                        'amount': Decimal('-5.00')}])

    @in_rolled_back_transaction
    def test_vacation_pay_deposited(self):
        "Vacation pay returned: at most the net the document paid"
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        Deposit = pool.get('kazan.payroll.deposit')
        VacationPay = pool.get('kazan.payroll.vacation_pay')
        employee = self.employee(1)
        Absence.create([{
                    'company': self.school_id, 'employee': employee.id,
                    'kind': 'vacation', 'start_date': dt.date(2026, 3, 16),
                    'end_date': dt.date(2026, 3, 29)}])
        self.paid_run(final=False)
        document, = VacationPay.search([('employee', '=', employee.id)])
        self.assertEqual(document.state, 'posted')
        # test_payroll: 13 days × 1,023.89 = 13,310.57, NDFL 1,730 withheld
        net = Decimal('13310.57') - Decimal('1730')
        line = {'employee': employee.id, 'payment_kind': 'vacation',
            'vacation_pay': document.id, 'reason': 'returned'}
        deposit = self.deposit([dict(line, amount=net + Decimal('0.01'))],
            date=dt.date(2026, 3, 16))
        self.assertEqual(deposit.lines[0].kfo, '4')
        with self.assertRaises(UserError):
            Deposit.post([deposit])
        Deposit.delete([deposit])
        deposit = self.deposit([dict(line, amount=net)],
            date=dt.date(2026, 3, 16))
        Deposit.post([deposit])
        self.assertEqual(self.ledger('304.02'), {'4': (0, net)})
        # the vacation pay is cancelled after its deposit only
        with self.assertRaises(UserError) as context:
            VacationPay.cancel([document])
        self.assertIn('Cancel the deposit first',
            context.exception.message)
