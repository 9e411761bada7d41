# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Withholdings and a dismissal in the payroll run: computed, posted on
304.03 and 302.66, paid to the recipients (the amounts are checked at
their boundaries in test_rules.py; here the run must feed the rules and
post and pay what they return)."""
import datetime as dt
import json
import unittest
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .test_payroll import plain
from .tools import in_rolled_back_transaction, school_with_staff

MARCH = dt.date(2026, 3, 1)
WITHHELD = {'alimony', 'writ', 'union_dues', 'voluntary'}


class WithholdingTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            Employee = pool.get('company.employee')
            Withholding = pool.get('kazan.payroll.withholding')
            school, (payer, leaver) = school_with_staff(pool, 81, MARCH, [
                    plain(1), plain(2, category='support')])
            orders = {
                'company': school.id, 'employee': payer.id,
                'document_date': dt.date(2026, 2, 10),
                'start_date': dt.date(2026, 3, 1),
                }
            Withholding.create([dict(orders, kind='alimony',
                        percent=Decimal(25), document='ФС № 012345',
                        recipient='Иванова Мария Петровна'),
                    dict(orders, kind='union_dues', percent=Decimal(1),
                        priority='4', document='заявление от 10.02.2026',
                        recipient='Первичная профсоюзная организация')])
            Employee.write([leaver], {
                    'end_date': dt.date(2026, 3, 20),
                    'dismissal_reason': 'staff_reduction',
                    'vacation_days_used': Decimal(280),
                    })
            return school.id
        cls.school_id = in_transaction(DB_NAME, setup)

    def slip(self, run, number):
        slip, = [s for s in run.payslips
            if s.employee.personnel_number == f'{number:04d}']
        return slip

    def balances(self, end):
        "{(code, kfo): (debit, credit)} turnovers from March to end"
        pool = Pool()
        TrialBalance = pool.get('kazan.trial_balance')
        school = pool.get('company.company')(self.school_id)
        return {(r.code, r.kfo): (r.debit, r.credit)
            for r in TrialBalance.compute(school, MARCH, end)}

    @in_rolled_back_transaction
    def test_withholdings_and_dismissal_posted_and_paid(self):
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Company = pool.get('company.company')
        run, = Run.runs_for([Company(self.school_id)], MARCH)
        Run.compute([run])

        payer = self.slip(run, 1)
        amounts = {l.code: l.amount for l in payer.lines}
        # 30,000 - NDFL 3,900 = 26,100; alimony 25 % = 6,525.00; union
        # dues 1 % of 30,000 = 300.00; net 30,000 - 3,900 - 6,825 =
        # 19,275.00
        self.assertEqual(amounts['alimony'], Decimal('6525.00'))
        self.assertEqual(amounts['union_dues'], Decimal('300.00'))
        self.assertEqual(payer.net, Decimal('19275.00'))
        self.assertEqual(payer.final_payment, payer.net - payer.advance)
        alimony, = [l for l in payer.lines if l.code == 'alimony']
        self.assertIn('ФС № 012345', alimony.grounds)
        self.assertEqual({(w.document, w.recipient): a
                for w, a in run.withholding_list().items()}, {
                ('ФС № 012345', 'Иванова Мария Петровна'): Decimal('6525.00'),
                ('заявление от 10.02.2026',
                    'Первичная профсоюзная организация'): Decimal('300.00'),
                })

        leaver = self.slip(run, 2)
        lines = {l.code: l for l in leaver.lines}
        # hired 01.09.2015, dismissed 20.03.2026: 10 years and 6 months
        # to 28.02.2026, 20 days from 01.03 to 20.03 count as a month:
        # 28 × 10 + 28 / 12 × 7 = 296.333…, 280 used: 16.34 days
        compensation = lines['vacation_compensation']
        basis = json.loads(compensation.basis)
        self.assertEqual(Decimal(basis['days']), Decimal('16.34'))
        self.assertEqual(compensation.amount, (Decimal('16.34')
                * Decimal(basis['average_daily'])).quantize(Decimal('0.01')))
        self.assertGreater(compensation.amount, 0)
        # staff reduction: 21.03-20.04 has 7 + 14 = 21 working days; no
        # history in the service: 30,000 ÷ 20 working days of March =
        # 1,500.00 a day: 31,500.00, free of NDFL and contributions
        self.assertEqual(lines['severance'].amount, Decimal('31500.00'))
        # salary for 13 of 20 working days (2-6, 10-13, 16-19 March: 9
        # March is the day off for 8 March, a Sunday): 19,500.00
        self.assertEqual(lines['salary'].amount, Decimal('19500.00'))
        taxable = Decimal('19500.00') + compensation.amount
        self.assertEqual(leaver.gross, taxable + Decimal('31500.00'))
        self.assertEqual(leaver.contribution_base, taxable)
        self.assertEqual(leaver.ytd_income, Decimal(60000) + taxable)

        for slip in run.payslips:  # the register's net (interfaces.md §3)
            withheld = sum(l.amount for l in slip.lines
                if l.code in WITHHELD)
            self.assertEqual(slip.net, slip.gross - slip.ndfl - withheld)

        Run.pay_advance([run])
        Run.post([run])
        Run.pay_final([run])
        balances = self.balances(dt.date(2026, 4, 30))
        self.assertEqual(balances['304.03', '4'],
            (Decimal('6825.00'), Decimal('6825.00')))
        for code in ['302.11', '302.66']:
            debit, credit = balances[code, '4']
            self.assertEqual(debit, credit, code)
        self.assertEqual(balances['302.66', '4'][1], Decimal('31500.00'))
        self.assertEqual(balances['401.20.266', '4'],
            (Decimal('31500.00'), 0))
        # everything accrued leaves the personal account: net pay and
        # the withholdings transferred
        self.assertEqual(balances['201.11', '4'][1],
            sum(s.net for s in run.payslips) + Decimal('6825.00'))

    @in_rolled_back_transaction
    def test_an_order_is_a_percent_or_an_amount(self):
        pool = Pool()
        Withholding = pool.get('kazan.payroll.withholding')
        Employee = pool.get('company.employee')
        employee, = Employee.search([
                ('company', '=', self.school_id),
                ('personnel_number', '=', '0001')])
        values = {
            'company': self.school_id, 'employee': employee.id,
            'kind': 'writ', 'priority': '4', 'document': 'ФС № 1',
            'document_date': MARCH, 'start_date': MARCH,
            'recipient': 'ОСП',
            }
        with self.assertRaises(ValidationError):
            Withholding.create([values])
        with self.assertRaises(ValidationError):
            Withholding.create([dict(values, percent=Decimal(10),
                        amount=Decimal(100))])
        writ, = Withholding.create([dict(values, amount=Decimal(100))])
        self.assertEqual(writ.rule_order().amount, Decimal(100))
