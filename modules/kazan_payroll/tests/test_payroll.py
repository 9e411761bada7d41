# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payroll run end to end in the model: compute, post, pay, cancel.

The rules themselves are checked at their boundaries in test_rules.py;
here the run must feed them the right facts (staff record, absences,
year-to-date figures, law of the year) and post what they return.
"""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model import ModelStorage, fields
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll import tax_report
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .tools import in_rolled_back_transaction, school_with_staff, staff_member

START = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


def plain(number, **values):
    """A staff member whose March is easy to compute by hand: 30,000 at a
    full rate, no allowance, class or child; 60,000 earned in January and
    February, 7,800 of NDFL withheld"""
    values = dict({
            'rate': Decimal(1), 'base_salary': Decimal('30000.00'),
            'allowances': Decimal(0), 'class_management': 0,
            'children': 0, 'disabled_children': 0, 'kfo': '4',
            'ytd_income': Decimal('60000.00'), 'ytd_deductions': Decimal(0),
            'ytd_ndfl': Decimal('7800.00'),
            'ytd_contribution_base': Decimal('60000.00'),
            'insured_years': Decimal(10),
            'earnings_prev_year': Decimal('700000.00'),
            'earnings_prev_year2': Decimal('600000.00'),
            }, **values)
    return staff_member(number, **values)


class PayrollTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            school, _ = school_with_staff(pool, 31, START, [
                    plain(1),
                    plain(2, kfo='2'),
                    plain(3, kfo='5', bank_bic='049205805',
                        bank_account='40817810180060012345'),
                    ])
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

    def absence(self, employee, kind, start, end):
        "An absence of the employee, both dates included"
        Absence = Pool().get('kazan.payroll.absence')
        return Absence.create([{
                    'company': self.school_id, 'employee': employee.id,
                    'kind': kind, 'start_date': start, 'end_date': end,
                    # a sick leave is granted on a certificate (ЭЛН)
                    'certificate': ('910123456789'
                        if kind in {'sick', 'child_sick'} else None)}])

    def payroll_run(self, month=MARCH):
        Run = Pool().get('kazan.payroll.run')
        run, = Run.runs_for([self.school()], month)
        return run

    def calendar(self):
        return Pool().get('kazan.payroll.calendar_day').calendar()

    def balances(self, month=MARCH, end=None):
        "{(code, kfo): (debit, credit)} turnovers of the month"
        TrialBalance = Pool().get('kazan.trial_balance')
        first = month
        last = end or (month + dt.timedelta(days=32)).replace(day=1) \
            - dt.timedelta(days=1)
        return {(r.code, r.kfo): (r.debit, r.credit)
            for r in TrialBalance.compute(self.school(), first, last)}

    @in_rolled_back_transaction
    def test_a_plain_month_by_hand(self):
        "Salary, NDFL on the year, contributions and accident insurance"
        Run = Pool().get('kazan.payroll.run')
        run = self.payroll_run()
        Run.compute([run])
        self.assertEqual(run.state, 'computed')
        self.assertEqual(run.employee_count, 3)
        slip, = [s for s in run.payslips
            if s.employee == self.employee(1)]
        # full month: 30,000; the minimum wage (27,093) is below it
        self.assertEqual(slip.gross, Decimal('30000.00'))
        # (60,000 + 30,000) × 13 % = 11,700, less 7,800 withheld before
        self.assertEqual(slip.ndfl, Decimal('3900'))
        self.assertEqual(slip.net, Decimal('26100.00'))
        # 30,000 × 30 %; 30,000 × 0.2 %
        self.assertEqual(slip.contributions, Decimal('9000.00'))
        self.assertEqual(slip.accident_insurance, Decimal('60.00'))
        self.assertEqual(slip.ytd_income, Decimal('90000.00'))
        self.assertEqual(slip.ytd_ndfl, Decimal('11700'))
        # the advance: the working days of 1–15 March of the month's norm
        calendar = self.calendar()
        norm = calendar.working_days(2026, 3)
        first_half = calendar.working_days(2026, 3, end=dt.date(2026, 3, 15))
        self.assertEqual(slip.norm_days, norm)
        self.assertEqual(slip.advance,
            (Decimal(30000) * first_half / norm).quantize(Decimal('0.01')))
        self.assertEqual(slip.final_payment, slip.net - slip.advance)
        self.assertEqual([l.code for l in slip.lines],
            ['salary', 'ndfl', 'contributions', 'accident'])
        self.assertEqual(slip.lines[0].grounds,
            f'base salary 30,000.00 × rate 1 × {norm} of {norm} '
            'working days')

    @in_rolled_back_transaction
    def test_children_in_order_of_birth(self):
        "The run reads the children records and the single parent's flag"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Child = pool.get('kazan.payroll.child')
        employee = self.employee(1)
        employee.single_parent = True
        employee.save()
        Child.create([{'employee': employee.id, 'birth_date': born}
                for born in [dt.date(2016, 9, 1), dt.date(2004, 5, 10),
                    dt.date(2012, 2, 3)]])
        run = self.payroll_run()
        Run.compute([run])
        slip, = [s for s in run.payslips if s.employee == employee]
        # born 2004 (22, grown up), 2012, 2016: the 2nd and the 3rd,
        # (2,800 + 6,000) × 2 = 17,600; NDFL (60,000 + 30,000 - 17,600)
        # × 13 % = 9,412 - 7,800 withheld before = 1,612
        self.assertEqual(slip.standard_deduction, Decimal('17600.00'))
        self.assertEqual(slip.ndfl, Decimal('1612'))
        line, = [l for l in slip.lines if l.code == 'standard_deduction']
        self.assertIn('№1 10.05.2004: 0; №2 03.02.2012: 5600; '
            '№3 01.09.2016: 12000', line.grounds)

    @in_rolled_back_transaction
    def test_posting_one_move_per_kfo_and_the_ledger(self):
        "Posted: a move per КФО in journal 6, turnovers equal the payslips"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        run = self.payroll_run()
        Run.compute([run])
        Run.post([run])
        self.assertEqual(run.state, 'posted')
        self.assertEqual(len(run.moves), 3)
        for move in run.moves:
            self.assertEqual(move.state, 'posted')
            self.assertEqual(move.journal.code, '6')
            self.assertEqual(move.date, dt.date(2026, 3, 31))
            # one line per account and side: salary and allowances are
            # one debit of 401.20.211, the payslips keep the detail
            sides = [(l.account.code, l.debit > 0) for l in move.lines]
            self.assertEqual(len(sides), len(set(sides)))
        balances = self.balances()
        for kfo in '245':
            slips = [s for s in run.payslips if s.kfo == kfo]
            gross = sum(s.gross for s in slips)
            ndfl = sum(s.ndfl for s in slips)
            contributions = sum(s.contributions for s in slips)
            accident = sum(s.accident_insurance for s in slips)
            self.assertEqual(balances['302.11', kfo], (ndfl, gross))
            self.assertEqual(balances['303.01', kfo], (0, ndfl))
            self.assertEqual(balances['303.15', kfo], (0, contributions))
            self.assertEqual(balances['303.06', kfo], (0, accident))
            self.assertEqual(balances['401.20.211', kfo], (gross, 0))
            self.assertEqual(balances['401.20.213', kfo],
                (contributions + accident, 0))

        # a posted run is never deleted nor computed again
        with self.assertRaises(UserError):
            Run.delete([run])
        Run.compute([run])  # not a transition from posted: nothing happens
        self.assertEqual(run.state, 'posted')

    @in_rolled_back_transaction
    def test_cancel_by_reversing_moves(self):
        "Cancelled: reversing moves bring every turnover back to zero"
        Run = Pool().get('kazan.payroll.run')
        run = self.payroll_run()
        Run.compute([run])
        Run.post([run])
        Run.cancel([run])
        self.assertEqual(run.state, 'cancelled')
        self.assertEqual(len(run.moves), 6)
        self.assertTrue(all(m.state == 'posted' for m in run.moves))
        for (code, kfo), (debit, credit) in self.balances().items():
            if code.startswith(('302', '303', '401')):
                self.assertEqual(debit, credit, (code, kfo))
        # the month can be run again
        again = self.payroll_run()
        self.assertNotEqual(again, run)
        self.assertEqual(again.state, 'draft')

    @in_rolled_back_transaction
    def test_payments_close_the_salary_account(self):
        "Advance and final settlement paid: 302.11 is settled, КОСГУ 211"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Line = pool.get('account.move.line')
        run = self.payroll_run()
        Run.compute([run])
        Run.pay_advance([run])
        with self.assertRaises(UserError):  # the advance is paid
            Run.draft([run])
        Run.post([run])
        Run.pay_final([run])
        # 17 March 2026 is a Tuesday; 2 April a Thursday
        self.assertEqual(run.advance_move.date, dt.date(2026, 3, 17))
        self.assertEqual(run.final_move.date, dt.date(2026, 4, 2))
        self.assertEqual(run.advance_move.journal.code, '2')
        balances = self.balances(end=dt.date(2026, 4, 30))
        for kfo in '245':
            debit, credit = balances['302.11', kfo]
            self.assertEqual(debit, credit)
            slips = [s for s in run.payslips if s.kfo == kfo]
            self.assertEqual(balances['201.11', kfo][1],
                sum(s.net for s in slips))
        cash = Line.search([
                ('move', 'in', [run.advance_move.id, run.final_move.id]),
                ('account.code', '=', '201.11')])
        self.assertEqual({(l.kosgu, l.kvr) for l in cash}, {('211', '111')})

        lists = run.card_list('final')
        self.assertEqual(set(lists), {'049205805', None})
        (slip, amount), = lists['049205805']
        self.assertEqual(slip.employee, self.employee(3))
        self.assertEqual(amount, slip.final_payment)

    @in_rolled_back_transaction
    def test_pay_day_without_calendar(self):
        "December's final settlement needs January's calendar"
        school = self.school()
        with self.assertRaises(UserError) as context:
            school.pay_date(dt.date(2026, 12, 1), 'final', self.calendar())
        self.assertIn('production calendar for 2027',
            context.exception.message)
        # December's advance is paid in December, on a working day
        self.assertEqual(
            school.pay_date(dt.date(2026, 12, 1), 'advance', self.calendar()),
            dt.date(2026, 12, 17))

    @in_rolled_back_transaction
    def test_sick_leave_of_five_days(self):
        "Days 1–3 at the employer's expense on 401.20.266 / 302.66"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        employee = self.employee(2)
        self.absence(employee, 'sick', dt.date(2026, 3, 10),
            dt.date(2026, 3, 14))
        run = self.payroll_run()
        Run.compute([run])
        slip, = [s for s in run.payslips if s.employee == employee]
        # (600,000 + 700,000) / 730 = 1,780.82 a day, 100 % after 10
        # years, 3 days: 5,342.46
        self.assertEqual(
            sum(l.amount for l in slip.lines if l.code == 'sick_employer'),
            Decimal('5342.46'))
        calendar = self.calendar()
        norm = calendar.working_days(2026, 3)
        away = calendar.working_days_between(
            dt.date(2026, 3, 10), dt.date(2026, 3, 14))
        self.assertEqual(slip.worked_days, norm - away)
        # March has 20 working days in Tatarstan, 4 of them away: salary
        # 30,000 × 16/20 = 24,000, gross 24,000 + 5,342.46 = 29,342.46.
        # NDFL: (60,000 + 29,342.46) × 13 % = 11,614.52 → 11,615 - 7,800
        # = 3,815, of which the sick pay's share 3,815 × 5,342.46
        # / 29,342.46 = 694.61 → 695 is withheld from the benefit
        # (Dr 302.66 Cr 303.01), 3,120 from the salary.
        self.assertEqual(slip.gross, Decimal('29342.46'))
        self.assertEqual(slip.ndfl, Decimal(3815))
        self.assertEqual(
            sum(l.amount for l in slip.lines if l.code == 'ndfl_sick'),
            Decimal(695))
        Run.post([run])
        balances = self.balances()
        self.assertEqual(balances['401.20.266', '2'],
            (Decimal('5342.46'), 0))
        self.assertEqual(balances['302.66', '2'],
            (Decimal(695), Decimal('5342.46')))
        # contributions are not charged on the benefit
        self.assertEqual(slip.contribution_base,
            slip.gross - Decimal('5342.46'))
        # paid: the benefit less its tax, 4,647.46, from 302.66 by КОСГУ
        # 266; 302.66 and 302.11 are settled
        Run.pay_advance([run])
        Run.pay_final([run])
        balances = self.balances(end=dt.date(2026, 4, 30))
        self.assertEqual(balances['302.66', '2'],
            (Decimal('5342.46'), Decimal('5342.46')))
        debit, credit = balances['302.11', '2']
        self.assertEqual(debit, credit)

    @in_rolled_back_transaction
    def test_vacation_average_from_onboarded_figures(self):
        "No history in the service: the onboarded January–February"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        VacationPay = pool.get('kazan.payroll.vacation_pay')
        employee = self.employee(1)
        self.absence(employee, 'vacation', dt.date(2026, 3, 16),
            dt.date(2026, 3, 29))
        run = self.payroll_run()
        Run.compute([run])
        slip, = [s for s in run.payslips if s.employee == employee]
        # The leave is paid by a document of its own on Friday 13 March,
        # 3 days before it (ТК ст. 136), and the run takes it in.
        vacation, = [l for l in slip.lines if l.code == 'vacation_paid']
        # 60,000 in 2 months / (2 × 29.3) = 1,023.89 a day; 16–29 March
        # are 14 calendar days, but 20 March (Ураза-байрам, a holiday in
        # Tatarstan) is not a day of leave: 13 × 1,023.89 = 13,310.57
        self.assertEqual(vacation.amount, Decimal('13310.57'))
        document, = VacationPay.search([('employee', '=', employee.id)])
        self.assertEqual(document.payment_date, dt.date(2026, 3, 13))
        # NDFL at the payment: (60,000 + 13,310.57) × 13 % = 9,530.37 →
        # 9,530 - 7,800 withheld before = 1,730; paid 11,580.57
        self.assertEqual(document.ndfl, Decimal(1730))
        self.assertEqual(document.net, Decimal('11580.57'))
        ndfl_paid, = [l for l in slip.lines if l.code == 'ndfl_vacation']
        self.assertEqual(ndfl_paid.amount, Decimal(1730))
        self.assertFalse([l for l in slip.lines if l.code == 'vacation'])
        Run.post([run])
        self.assertEqual(document.state, 'posted')
        payment, = [m for m in document.moves
            if m.journal.code != Run(run.id).moves[0].journal.code]
        self.assertEqual(payment.date, dt.date(2026, 3, 13))
        self.assertEqual(
            sum(l.credit for l in payment.lines), Decimal('11580.57'))
        # the run pays the rest only: its final settlement is the net of
        # the month less the advance and what the document paid
        slip = slip.__class__(slip.id)
        self.assertEqual(slip.final_payment,
            slip.net - slip.advance - Decimal('11580.57'))
        # 6-НДФЛ lists the tax on the vacation pay on the day it was paid,
        # and the rest of the month's on the final settlement's day
        Run.pay_advance([run])
        Run.pay_final([run])
        by_date = {w.date: w.withheld
            for quarter in [1, 2] for w in tax_report.TaxReport(
                self.school(), 2026, quarter).ndfl6().withholdings}
        final_date = Run(run.id).final_move.date
        self.assertEqual(by_date[dt.date(2026, 3, 13)], Decimal(1730))
        self.assertEqual(by_date[final_date],
            sum(s.ndfl for s in Run(run.id).payslips) - Decimal(1730))

    @in_rolled_back_transaction
    def test_vacation_pay_of_a_day_shares_its_moves(self):
        """The documents paid on a day post one accrual and one payment;
        cancelling one reverses them and posts the others again"""
        VacationPay = Pool().get('kazan.payroll.vacation_pay')
        first, second = self.employee(1), self.employee(2)
        for employee in [first, second]:
            self.absence(employee, 'vacation', dt.date(2026, 3, 16),
                dt.date(2026, 3, 29))
        documents = VacationPay.create_for_runs([self.payroll_run()])
        VacationPay.post(documents)
        one, other = sorted(documents, key=lambda d: d.employee.id)
        self.assertEqual({d.payment_date for d in documents},
            {dt.date(2026, 3, 13)})
        self.assertEqual(len(one.moves), 2)
        self.assertEqual(set(one.moves), set(other.moves))
        paid_on = dt.date(2026, 3, 13)

        def paid(code, kfo):
            "credit - debit of the account and КФО up to the payment day"
            debit, credit = self.balances(end=paid_on).get(
                (code, kfo), (0, 0))
            return credit - debit

        kfo_one, kfo_other = one.kfo, other.kfo
        self.assertEqual(
            paid('201.11', kfo_one) + (paid('201.11', kfo_other)
                if kfo_other != kfo_one else 0),
            one.net + other.net)
        VacationPay.cancel([one])
        self.assertEqual(one.state, 'cancelled')
        self.assertEqual(other.state, 'posted')
        # the shared moves reversed, the other document posted again
        self.assertEqual(len(VacationPay(other.id).moves), 6)
        self.assertEqual(len(VacationPay(one.id).moves), 4)
        self.assertEqual(paid('201.11', kfo_other)
            + (paid('201.11', kfo_one) if kfo_one != kfo_other else 0),
            other.net)
        self.assertEqual(paid('303.01', kfo_other)
            + (paid('303.01', kfo_one) if kfo_one != kfo_other else 0),
            other.ndfl)

    @in_rolled_back_transaction
    def test_sick_leave_on_an_application_to_replace_years(self):
        "The application's years replace the two before when they pay more"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Absence = pool.get('kazan.payroll.absence')
        employee = self.employee(2)
        employee.earnings_prev_year2 = Decimal(0)  # child-care leave
        employee.earnings_prev_year = Decimal(300000)
        employee.save()
        absence, = self.absence(employee, 'sick', dt.date(2026, 3, 10),
            dt.date(2026, 3, 14))
        # 2024 replaced by 2021 on the application, 900,000 earned then
        Absence.write([absence], {'replaced_year_before_last': 2021,
                'replaced_earnings_before_last': Decimal(900000)})
        run = self.payroll_run()
        Run.compute([run])
        slip, = [s for s in run.payslips if s.employee == employee]
        line, = [l for l in slip.lines if l.code == 'sick_employer']
        # 2021's earnings at its cap 966,000: (900,000 + 300,000) / 730
        # = 1,643.835… → 1,643.84 a day, 100 %, 3 days: 4,931.52
        self.assertEqual(line.amount, Decimal('4931.52'))
        self.assertIn('2021, 2025', line.basis)
        # a year without its cap in the law data stops the run
        Absence.write([absence], {'replaced_year_before_last': 2015})
        with self.assertRaises(UserError) as context:
            Run.compute([run])
        self.assertIn('2015', context.exception.message)
        # a year not earlier than the two before is refused (the last
        # check: the failed write is not rolled back here)
        with self.assertRaises(UserError) as context:
            Absence.write([absence], {'replaced_year_last': 2024,
                    'replaced_earnings_last': Decimal(1)})
        self.assertIn('2024', context.exception.message)

    @in_rolled_back_transaction
    def test_vacation_average_leaves_out_the_days_of_sick_leave(self):
        "Положение № 922 пп. 5, 10: a month counts its days worked only"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        employee = self.employee(2)
        self.absence(employee, 'sick', dt.date(2026, 3, 10),
            dt.date(2026, 3, 14))
        self.absence(employee, 'vacation', dt.date(2026, 5, 18),
            dt.date(2026, 5, 31))
        for month in [MARCH, APRIL]:
            run = self.payroll_run(month)
            Run.compute([run])
            Run.post([run])
        average = Run.vacation_average(employee, dt.date(2026, 5, 18))
        # May 2025 - April 2026: January-February onboarded, 60,000 in
        # 2 × 29.3 = 58.6 days; March 24,000 for 26 of its 31 days (the
        # 5 days of sick leave and their pay left out): 29.3 / 31 × 26
        # = 24.5742 days; April 30,000 in 29.3 days.  114,000 / 112.4742
        # = 1,013.5655… → 1,013.57 (every month at 29.3 gave 114,000
        # / 117.2 = 972.70).
        self.assertEqual(average.earnings, Decimal('114000.00'))
        self.assertEqual(average.counted_days.quantize(Decimal('0.0001')),
            Decimal('112.4742'))
        self.assertEqual(average.average_daily, Decimal('1013.57'))

    @in_rolled_back_transaction
    def test_an_earlier_month_is_corrected_in_the_current_one(self):
        "A late sick-leave certificate of March, corrected in May"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Correction = pool.get('kazan.payroll.run.correction')
        employee = self.employee(1)
        runs = {}
        for month in [MARCH, APRIL]:
            runs[month] = run = self.payroll_run(month)
            Run.compute([run])
            Run.post([run])
        # the certificate of 10-14 March comes in April, after the posting
        self.absence(employee, 'sick', dt.date(2026, 3, 10),
            dt.date(2026, 3, 14))
        with self.assertRaises(UserError) as context:
            Run.cancel([runs[MARCH]])
        self.assertIn('04.2026', context.exception.message)
        may = self.payroll_run(dt.date(2026, 5, 1))
        Correction.create([{'run': may.id, 'corrected': runs[MARCH].id,
                    'reason': 'ЭЛН 000000000001'}])
        Run.compute([may])
        slip, = [s for s in may.payslips if s.employee == employee]
        corrections = [(l.code, l.amount) for l in slip.lines
            if l.period == MARCH]
        # March anew: 16 of 20 working days, 30,000 × 16/20 = 24,000, and
        # the employer's 3 days of sick pay (600,000 + 700,000) / 730
        # = 1,780.82 × 3 = 5,342.46; what was posted: 30,000
        self.assertEqual(sorted(corrections), [
                ('salary', Decimal('-30000.00')),
                ('salary', Decimal('24000.00')),
                ('sick_employer', Decimal('5342.46'))])
        self.assertTrue(all(l.grounds.startswith('correction of 03.2026')
                for l in slip.lines if l.period))
        # May: 30,000; gross with the correction 30,000 - 30,000 + 24,000
        # + 5,342.46 = 29,342.46.  Income since January: 60,000 + 30,000
        # (March as posted) + 30,000 (April) + 29,342.46 = 149,342.46;
        # NDFL 13 % = 19,414.52 → 19,415, withheld before 7,800 + 3,900
        # + 3,900 = 15,600: May withholds 3,815.
        self.assertEqual(slip.gross, Decimal('29342.46'))
        self.assertEqual(slip.ndfl, Decimal(3815))
        self.assertEqual(slip.ytd_income, Decimal('149342.46'))
        # Contributions: the base less the sick pay, 24,000 for the
        # month; since January 60,000 + 30,000 + 30,000 + 24,000 = 144,000
        # at 30 % = 43,200, less 36,000 charged before: 7,200.
        self.assertEqual(slip.contribution_base, Decimal('24000.00'))
        self.assertEqual(slip.contributions, Decimal('7200.00'))
        self.assertEqual(slip.ytd_contribution_base, Decimal('144000.00'))
        # posted in May: the sick pay on 401.20.266, the salary's
        # difference -6,000 on 401.20.211 with May's 30,000
        Run.post([may])
        balances = self.balances(dt.date(2026, 5, 1))
        self.assertEqual(balances['401.20.266', '4'],
            (Decimal('5342.46'), 0))

    @in_rolled_back_transaction
    def test_an_advance_above_the_pay_is_the_employees_debt(self):
        "No crossed balance on 302.11: the debt goes to 209.34"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        employee = self.employee(1)
        # unpaid leave from 16 March, after the advance for 1-15 March:
        # 9 working days (2-6, 10-13; 9 March is the day off for the 8th)
        # of 20: advance and salary 30,000 × 9/20 = 13,500; NDFL (60,000
        # + 13,500) × 13 % = 9,555 - 7,800 = 1,755; net 11,745, 1,755
        # below the advance
        self.absence(employee, 'unpaid', dt.date(2026, 3, 16),
            dt.date(2026, 3, 31))
        march = self.payroll_run()
        Run.compute([march])
        Run.post([march])
        slip, = [s for s in march.payslips if s.employee == employee]
        self.assertEqual(slip.advance, Decimal('13500.00'))
        self.assertEqual(slip.net, Decimal('11745.00'))
        self.assertEqual(slip.final_payment, Decimal('-1755.00'))
        # the salary cards: the advance paid, nothing of the debt as a
        # payment of the final settlement
        self.assertIn((slip, Decimal('13500.00')), [entry
                for entries in march.card_list('advance').values()
                for entry in entries])
        self.assertNotIn(slip, [entry[0]
                for entries in march.card_list('final').values()
                for entry in entries])
        Run.pay_advance([march])
        Run.pay_final([march])
        balances = self.balances(MARCH, dt.date(2026, 4, 30))
        debit, credit = balances['302.11', '4']
        self.assertEqual(debit, credit)
        self.assertEqual(balances['209.34', '4'], (Decimal('1755.00'), 0))
        # April recovers it: 30,000, NDFL (103,500 × 13 % = 13,455) - 9,555
        # = 3,900, pay after NDFL 26,100; 20 % is 5,220 ≥ 1,755
        april = self.payroll_run(APRIL)
        Run.compute([april])
        slip, = [s for s in april.payslips if s.employee == employee]
        recovery, = [l for l in slip.lines if l.code == 'debt_recovery']
        self.assertEqual(recovery.amount, Decimal('1755.00'))
        self.assertEqual(slip.net, Decimal('24345.00'))
        Run.post([april])
        balances = self.balances(MARCH, dt.date(2026, 4, 30))
        self.assertEqual(balances['209.34', '4'],
            (Decimal('1755.00'), Decimal('1755.00')))

    @in_rolled_back_transaction
    def test_one_employee_paid_from_several_sources(self):
        "A quarter of the pay from КФО 2: posted and paid by КФО"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        PaySource = pool.get('kazan.payroll.pay_source')
        employee = self.employee(1)  # КФО 4
        PaySource.create([{'employee': employee.id, 'kfo': '2',
                    'share': Decimal(25)}])
        run = self.payroll_run()
        Run.compute([run])
        slip, = [s for s in run.payslips if s.employee == employee]
        by_kfo = {(l.code, l.kfo): l.amount for l in slip.lines}
        # salary 30,000: 22,500 from КФО 4, 7,500 from КФО 2; NDFL 3,900
        # in the same proportions: 2,925 and 975; contributions 9,000:
        # 6,750 and 2,250
        self.assertEqual(by_kfo['salary', '4'], Decimal('22500.00'))
        self.assertEqual(by_kfo['salary', '2'], Decimal('7500.00'))
        self.assertEqual(by_kfo['ndfl', '4'], Decimal('2925.00'))
        self.assertEqual(by_kfo['ndfl', '2'], Decimal('975.00'))
        self.assertEqual(by_kfo['contributions', '2'], Decimal('2250.00'))
        Run.post([run])
        Run.pay_advance([run])
        Run.pay_final([run])
        balances = self.balances(MARCH, dt.date(2026, 4, 30))
        # КФО 2 carries employee 2's whole pay (30,000) and a quarter of
        # employee 1's (7,500)
        self.assertEqual(balances['401.20.211', '2'],
            (Decimal('37500.00'), 0))
        self.assertEqual(balances['401.20.211', '4'],
            (Decimal('22500.00'), 0))
        for kfo in ['2', '4']:
            debit, credit = balances['302.11', kfo]
            self.assertEqual(debit, credit, kfo)

    @in_rolled_back_transaction
    def test_absences_cannot_overlap(self):
        employee = self.employee(1)
        self.absence(employee, 'unpaid', dt.date(2026, 3, 2),
            dt.date(2026, 3, 3))
        with self.assertRaises(UserError) as context:
            self.absence(employee, 'sick', dt.date(2026, 3, 3),
                dt.date(2026, 3, 5))
        self.assertIn('overlaps', context.exception.message)

    @in_rolled_back_transaction
    def test_april_continues_from_the_posted_march(self):
        "The year-to-date figures come from the posted month before"
        Run = Pool().get('kazan.payroll.run')
        march = self.payroll_run()
        Run.compute([march])
        april = self.payroll_run(APRIL)
        with self.assertRaises(UserError) as context:
            Run.compute([april])
        self.assertIn('Post the payroll of 03.2026', context.exception.message)
        Run.post([march])
        Run.compute([april])
        slip, = [s for s in april.payslips
            if s.employee == self.employee(1)]
        # (90,000 + 30,000) × 13 % = 15,600, less 11,700 withheld
        self.assertEqual(slip.ndfl, Decimal('3900'))
        self.assertEqual(slip.ytd_income, Decimal('120000.00'))

    @in_rolled_back_transaction
    def test_one_run_per_institution_and_month(self):
        Run = Pool().get('kazan.payroll.run')
        self.payroll_run()
        with self.assertRaises(UserError):
            Run.create([{'company': self.school_id,
                        'month': dt.date(2026, 5, 2)}])
        # the school joined the service in March
        february, = Run.create([{'company': self.school_id,
                    'month': dt.date(2026, 2, 1)}])
        with self.assertRaises(UserError) as context:
            Run.compute([february])
        self.assertIn('before the institution joined',
            context.exception.message)
        # last: on PostgreSQL the exclusion constraint refuses it first,
        # which ends the transaction
        with self.assertRaises(UserError):
            Run.create([{'company': self.school_id, 'month': MARCH}])

    @in_rolled_back_transaction
    def test_a_missing_account_names_the_institution(self):
        "A posting rule to an account the chart lacks is a clear error"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        PostingRule = pool.get('kazan.payroll.posting_rule')
        rule, = PostingRule.search([('operation', '=', 'accident')])
        rule.credit_account = '303.99'
        rule.save()
        run = self.payroll_run()
        Run.compute([run])
        with self.assertRaises(UserError) as context:
            Run.post([run])
        self.assertIn('303.99', context.exception.message)
        self.assertIn(self.school().rec_name, context.exception.message)

    @in_rolled_back_transaction
    def test_lines_inserted_as_the_orm_would(self):
        "The set-based insert of the lines writes the ORM's rows"
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Line = pool.get('kazan.payroll.payslip.line')
        run = self.payroll_run()
        Run.compute([run])
        inserted = Line.search([('payslip.run', '=', run.id)])
        self.assertTrue(inserted)
        names = ['payslip', 'sequence', 'code', 'kind', 'amount', 'kfo',
            'period', 'basis']
        copies = Line.create([{n: getattr(l, n) if n != 'payslip'
                        else l.payslip.id for n in names} for l in inserted])

        table = Line.__table__()
        cursor = Transaction().connection.cursor()

        def rows(lines):
            cursor.execute(*table.select(
                    *(getattr(table, n) for n in names + ['create_uid']),
                    where=table.id.in_([l.id for l in lines]),
                    order_by=[table.payslip, table.sequence]))
            return list(cursor)
        self.assertEqual(rows(inserted), rows(copies))
        for line in inserted:
            self.assertIsNotNone(line.create_date)

    @in_rolled_back_transaction
    def test_payslips_inserted_as_the_orm_would(self):
        """The set-based insert of the payslips writes the ORM's rows, which
        pass the ORM's validation"""
        pool = Pool()
        Run = pool.get('kazan.payroll.run')
        Payslip = pool.get('kazan.payroll.payslip')
        run = self.payroll_run()
        Run.compute([run])
        inserted = Payslip.search([('run', '=', run.id)],
            order=[('id', 'ASC')])
        self.assertTrue(inserted)
        names = [n for n, f in Payslip._fields.items()
            if not isinstance(f, (fields.Function, fields.One2Many))
            and n not in {'id', 'create_uid', 'create_date', 'write_uid',
                'write_date'}]
        self.assertIn('ytd_contribution_base', names)
        copies = Payslip.create([{n: getattr(p, n).id
                        if isinstance(getattr(p, n), ModelStorage)
                        else getattr(p, n) for n in names}
                for p in inserted])
        Payslip._validate(inserted)

        table = Payslip.__table__()
        cursor = Transaction().connection.cursor()

        def rows(payslips):
            cursor.execute(*table.select(
                    *(getattr(table, n) for n in names + ['create_uid']),
                    where=table.id.in_([p.id for p in payslips]),
                    order_by=[table.id]))
            return list(cursor)
        self.assertEqual(rows(inserted), rows(copies))
        for payslip in inserted:
            self.assertIsNotNone(payslip.create_date)
