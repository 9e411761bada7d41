# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The vacation reserve (401.60) through a year of one school (issue 15).

The school joins the service on 1 January 2026, keeps a quarterly reserve
(its accounting policy) and has two employees hired that day:

- 0001, a teacher (КФО 4, 56 days a year), 30,000 a month: an annual leave
  of 6–26 April (21 days) paid by its own document on Friday 3 April;
  at the year-end inventory 20 days of leave the service did not record
  come to light;
- 0002, support staff (КФО 2, 28 days a year), 33,000 a month, dismissed
  on 30 April at their own will with the compensation of unused leave.

Every month is computed, posted and paid; the reserve is accrued on 31
March, 30 June and 30 September and inventoried on 31 December.  The
figures are computed by hand; the ledger of 401.60 agrees with the
documents to the kopeck, by КФО and КОСГУ.
"""
import datetime as dt
import unittest
from collections import defaultdict
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll.reserve import ReserveUse, charge_runs
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .tools import in_rolled_back_transaction, school_with_staff, staff_member

D = Decimal
ZERO = D(0)
START = dt.date(2026, 1, 1)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 13)]
APRIL = MONTHS[3]
DISMISSAL = dt.date(2026, 4, 30)
MARCH_31, JUNE_30 = dt.date(2026, 3, 31), dt.date(2026, 6, 30)
SEPTEMBER_30, DECEMBER_31 = dt.date(2026, 9, 30), dt.date(2026, 12, 31)


def member(number, **values):
    "An employee hired with the school's start: no onboarded figures"
    values = dict({
            'hire_date': START, 'rate': D(1), 'allowances': ZERO,
            'class_management': 0, 'children': 0, 'disabled_children': 0,
            'ytd_income': ZERO, 'ytd_deductions': ZERO, 'ytd_ndfl': ZERO,
            'ytd_contribution_base': ZERO, 'insured_years': D(10),
            }, **values)
    return staff_member(number, **values)


class VacationReserveTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])
        cls.school_id = in_transaction(DB_NAME, cls._year)

    @classmethod
    def _year(cls, pool):
        "The school and its year, computed once and committed"
        Company = pool.get('company.company')
        Run = pool.get('kazan.payroll.run')
        Absence = pool.get('kazan.payroll.absence')
        Employee = pool.get('company.employee')
        Reserve = pool.get('kazan.payroll.vacation_reserve')
        school, (teacher, support) = school_with_staff(pool, 161, START, [
                member(1, base_salary=D('30000.00')),
                member(2, kfo='2', category='support',
                    base_salary=D('33000.00')),
                ])
        Company.write([school], {'payroll_vacation_reserve': 'quarterly'})
        for month in MONTHS:
            run, = Run.runs_for([school], month)
            if month == APRIL:
                Absence.create([{
                            'company': school.id, 'employee': teacher.id,
                            'kind': 'vacation',
                            'start_date': dt.date(2026, 4, 6),
                            'end_date': dt.date(2026, 4, 26)}])
                Employee.write([support], {
                        'end_date': DISMISSAL,
                        'dismissal_reason': 'own_will'})
            elif month == MONTHS[11]:
                Employee.write([teacher], {'vacation_days_used': D(20)})
            Run.compute([run])
            Run.pay_advance([run])
            Run.post([run])
            if month != MONTHS[11]:
                Run.pay_final([run])
            if month.month in {3, 6, 9, 12}:
                date = month.replace(day=31 if month.month in {3, 12}
                    else 30)
                reserve, = Reserve.create([
                        {'company': school.id, 'date': date}])
                Reserve.compute([reserve])
                Reserve.post([reserve])
        return school.id

    # --- Helpers -------------------------------------------------------------

    def reserve(self, date):
        Reserve = Pool().get('kazan.payroll.vacation_reserve')
        reserve, = Reserve.search([('company', '=', self.school_id),
                ('date', '=', date), ('state', '=', 'posted')])
        return reserve

    def line(self, reserve, number):
        line, = [l for l in reserve.lines
            if l.employee.personnel_number == f'{number:04d}']
        return line

    def ledger(self, code, first=START, last=DECEMBER_31):
        """{(kfo, kosgu): credit - debit} of the posted lines of the
        account in the dates, read line by line"""
        MoveLine = Pool().get('account.move.line')
        result = defaultdict(lambda: ZERO)
        for line in MoveLine.search([
                    ('move.company', '=', self.school_id),
                    ('account.code', '=', code),
                    ('move.state', '=', 'posted'),
                    ('move.date', '>=', first),
                    ('move.date', '<=', last),
                    ]):
            result[line.kfo, line.kosgu] += line.credit - line.debit
        return {k: v for k, v in result.items() if v}

    def debits(self, code, kfo, first, last):
        return -sum((v for (k, _), v in self.ledger(code, first, last).items()
                if k == kfo), ZERO)

    # --- The accruals --------------------------------------------------------

    @in_rolled_back_transaction
    def test_first_quarter_accrued_from_nothing(self):
        "31 March: the unused days × the average × 1.302, all accrued"
        reserve = self.reserve(MARCH_31)
        self.assertFalse(reserve.inventory)
        teacher = self.line(reserve, 1)
        # 1 January – 31 March: 3 months of 56 / 12 days = 14.00 days; the
        # average for a leave from 1 April: 3 × 30,000 / (3 × 29.3) =
        # 90,000 / 87.9 = 1,023.8907 → 1,023.89; 14 × 1,023.89 =
        # 14,334.46; 30 % + НС и ПЗ 0.2 %: 14,334.46 × 0.302 = 4,329.01
        self.assertEqual(teacher.unused_days, D('14.00'))
        self.assertEqual(teacher.average_daily, D('1023.89'))
        self.assertEqual(teacher.pay, D('14334.46'))
        self.assertEqual(teacher.contributions, D('4329.01'))
        support = self.line(reserve, 2)
        # 3 months of 28 / 12 = 7.00 days × 99,000 / 87.9 = 1,126.28 =
        # 7,883.96; × 0.302 = 2,380.95592 → 2,380.96
        self.assertEqual(support.unused_days, D('7.00'))
        self.assertEqual(support.pay, D('7883.96'))
        self.assertEqual(support.contributions, D('2380.96'))
        # nothing on 401.60 before: the whole reserve is accrued, by КФО
        # and КОСГУ (211 the pay, 213 the contributions)
        self.assertEqual(reserve.balance, ZERO)
        self.assertEqual(reserve.accrual,
            D('14334.46') + D('4329.01') + D('7883.96') + D('2380.96'))
        self.assertEqual(self.ledger('401.60', last=MARCH_31), {
                ('4', '211'): D('14334.46'), ('4', '213'): D('4329.01'),
                ('2', '211'): D('7883.96'), ('2', '213'): D('2380.96')})
        # Dr 401.20.211 / 401.20.213 on 31 March: the salaries of March
        # (30,000 + 33,000) and the reserve
        self.assertEqual(self.debits('401.20.211', '4', MARCH_31, MARCH_31),
            D('30000.00') + D('14334.46'))
        self.assertEqual(self.debits('401.20.213', '2', MARCH_31, MARCH_31),
            D('9900.00') + D('66.00') + D('2380.96'))

    # --- The use -------------------------------------------------------------

    @in_rolled_back_transaction
    def test_vacation_pay_charged_to_the_reserve_up_to_its_balance(self):
        "The document's pay: 401.60 first, the excess to 401.20"
        VacationPay = Pool().get('kazan.payroll.vacation_pay')
        document, = VacationPay.search([('company', '=', self.school_id)])
        # 21 days × 1,023.89 = 21,501.69, paid on 3 April; the reserve of
        # КФО 4 holds 14,334.46 for the pay: 14,334.46 from it and
        # 21,501.69 - 14,334.46 = 7,167.23 to the expenses
        self.assertEqual(document.amount, D('21501.69'))
        self.assertEqual(document.payment_date, dt.date(2026, 4, 3))
        day = document.payment_date
        self.assertEqual(self.ledger('401.60', day, day),
            {('4', '211'): D('-14334.46')})
        self.assertEqual(self.debits('401.20.211', '4', day, day),
            D('7167.23'))

    @in_rolled_back_transaction
    def test_compensation_and_contributions_charged_to_the_reserve(self):
        "The run: compensation and contributions from 401.60, to its balance"
        # April's run on 30 April.  КФО 2: the compensation of 4 months
        # × 28 / 12 = 9.333… → 9.34 days × 1,126.28 = 10,519.46, of which
        # the reserve's 7,883.96; the contributions on it: of the month's
        # 30 % of (99,000 + 33,000 + 10,519.46) - 30 % of 99,000 =
        # 13,055.84 the share 13,055.84 × 10,519.46 / 43,519.46 = 3,155.84
        # is above the 2,380.96 left: all of it.  КФО 4: the April
        # contributions 30 % × 121,047.14 - 27,000 = 9,314.14, the share
        # of the vacation pay 9,314.14 × 21,501.69 / 31,047.14 = 6,450.51
        # above the 4,329.01 left: all of it.  Nothing is left for the
        # accident insurance.
        self.assertEqual(self.ledger('401.60', DISMISSAL, DISMISSAL), {
                ('2', '211'): D('-7883.96'), ('2', '213'): D('-2380.96'),
                ('4', '213'): D('-4329.01')})
        self.assertEqual(self.ledger('401.60', last=DISMISSAL), {})
        # the rest of the compensation and the salary to 401.20.211:
        # 33,000 + 10,519.46 - 7,883.96
        self.assertEqual(self.debits('401.20.211', '2', DISMISSAL, DISMISSAL),
            D('33000.00') + D('10519.46') - D('7883.96'))
        # 303.15 still gets every contribution: 13,055.84 + 9,314.14
        self.assertEqual(
            self.ledger('303.15', DISMISSAL, DISMISSAL)['2', None],
            D('13055.84'))
        self.assertEqual(
            self.ledger('303.15', DISMISSAL, DISMISSAL)['4', None],
            D('9314.14'))

    # --- The following quarters and the inventory ----------------------------

    @in_rolled_back_transaction
    def test_quarters_accrue_the_difference(self):
        "30 June and 30 September: the reserve less what 401.60 holds"
        june = self.reserve(JUNE_30)
        teacher = self.line(june, 1)
        # 6 months × 56 / 12 = 28 days less 21 used = 7; the average for 1
        # July: January–March and May–June 5 × 30,000 and April's 30,000 ×
        # 7 / 22 working days = 9,545.45 over 5 × 29.3 + 29.3 / 30 × 9
        # days not on leave = 155.29: 159,545.45 / 155.29 = 1,027.40;
        # 7 × 1,027.40 = 7,191.80; × 0.302 = 2,171.92
        self.assertEqual(teacher.unused_days, D('7.00'))
        self.assertEqual(teacher.average_daily, D('1027.40'))
        self.assertEqual((teacher.pay, teacher.contributions),
            (D('7191.80'), D('2171.92')))
        # the support employee was dismissed: no line; 401.60 was empty
        self.assertEqual(len(june.lines), 1)
        self.assertEqual(june.balance, ZERO)
        september = self.reserve(SEPTEMBER_30)
        teacher = self.line(september, 1)
        # 9 × 56 / 12 = 42 - 21 = 21 days × (8 × 30,000 + 9,545.45) /
        # (8 × 29.3 + 8.79) = 249,545.45 / 243.19 = 1,026.13 = 21,548.73;
        # × 0.302 = 6,507.72; accrued less June's: 21,548.73 - 7,191.80 =
        # 14,356.93 and 6,507.72 - 2,171.92 = 4,335.80
        self.assertEqual(teacher.average_daily, D('1026.13'))
        self.assertEqual((teacher.pay, teacher.contributions),
            (D('21548.73'), D('6507.72')))
        kfo, = september.kfo_lines
        self.assertEqual((kfo.balance_pay, kfo.balance_contributions),
            (D('7191.80'), D('2171.92')))
        self.assertEqual((kfo.accrual_pay, kfo.accrual_contributions),
            (D('14356.93'), D('4335.80')))
        self.assertEqual(self.ledger('401.60', last=SEPTEMBER_30), {
                ('4', '211'): D('21548.73'), ('4', '213'): D('6507.72')})

    @in_rolled_back_transaction
    def test_year_end_inventory_reverses_the_excess(self):
        "31 December: the reserve recomputed, the excess reversed"
        inventory = self.reserve(DECEMBER_31)
        self.assertTrue(inventory.inventory)
        teacher = self.line(inventory, 1)
        # a whole working year: 56 days, less 21 + 20 used = 15 days; the
        # average for 1 January 2027: (11 × 30,000 + 9,545.45) / (11 ×
        # 29.3 + 8.79) = 339,545.45 / 331.09 = 1,025.54; 15 × 1,025.54 =
        # 15,383.10; × 0.302 = 4,645.6962 → 4,645.70
        self.assertEqual(teacher.days_used, D(41))
        self.assertEqual(teacher.unused_days, D('15.00'))
        self.assertEqual(teacher.average_daily, D('1025.54'))
        self.assertEqual((teacher.pay, teacher.contributions),
            (D('15383.10'), D('4645.70')))
        # 401.60 held 21,548.73 + 6,507.72 = 28,056.45: the excess
        # 28,056.45 - (15,383.10 + 4,645.70) = 8,027.65 is reversed
        self.assertEqual(inventory.balance, D('28056.45'))
        self.assertEqual(inventory.reserve_amount, D('20028.80'))
        self.assertEqual(inventory.accrual, D('-8027.65'))
        # Dr 401.60 Cr 401.20: 21,548.73 - 15,383.10 = 6,165.63 and
        # 6,507.72 - 4,645.70 = 1,862.02
        self.assertEqual(self.ledger('401.60', DECEMBER_31, DECEMBER_31), {
                ('4', '211'): D('-6165.63'), ('4', '213'): D('-1862.02')})
        # the ledger agrees with the inventory to the kopeck
        self.assertEqual(self.ledger('401.60'), {
                ('4', '211'): D('15383.10'), ('4', '213'): D('4645.70')})

    @in_rolled_back_transaction
    def test_cancel_reverses_and_the_last_only(self):
        "A document is cancelled by reversal, the latest first"
        Reserve = Pool().get('kazan.payroll.vacation_reserve')
        with self.assertRaises(UserError) as context:
            Reserve.cancel([self.reserve(SEPTEMBER_30)])
        self.assertIn('31.12.2026', context.exception.message)
        inventory = self.reserve(DECEMBER_31)
        Reserve.cancel([inventory])
        self.assertEqual(inventory.state, 'cancelled')
        self.assertEqual(self.ledger('401.60'), {
                ('4', '211'): D('21548.73'), ('4', '213'): D('6507.72')})
        # made anew, it finds the same figures
        again, = Reserve.create([
                {'company': self.school_id, 'date': DECEMBER_31}])
        Reserve.compute([again])
        self.assertEqual(again.accrual, D('-8027.65'))

    # --- What is refused -----------------------------------------------------

    @in_rolled_back_transaction
    def test_refused_outside_the_method(self):
        "A date out of the method, a second document, no reserve kept"
        pool = Pool()
        Reserve = pool.get('kazan.payroll.vacation_reserve')
        Company = pool.get('company.company')
        school = Company(self.school_id)
        january, = Reserve.create([
                {'company': school.id, 'date': dt.date(2026, 1, 31)}])
        with self.assertRaises(UserError) as context:
            Reserve.compute([january])
        self.assertIn('31.01.2026', context.exception.message)
        with self.assertRaises(UserError):
            Reserve.create([{'company': school.id, 'date': MARCH_31}])
        Company.write([school], {'payroll_vacation_reserve': 'monthly'})
        Reserve.compute([january])
        self.assertEqual(january.state, 'computed')
        Company.write([school], {'payroll_vacation_reserve': None})
        with self.assertRaises(UserError) as context:
            Reserve.post([january])
        self.assertIn(school.rec_name, context.exception.message)
        with self.assertRaises(UserError):
            Reserve.delete([self.reserve(MARCH_31)])

    @in_rolled_back_transaction
    def test_no_reserve_kept_nothing_taken(self):
        "An institution without a reserve charges nothing to 401.60"
        pool = Pool()
        Company = pool.get('company.company')
        Run = pool.get('kazan.payroll.run')
        school = Company(self.school_id)
        # on 31 March КФО 4 held 14,334.46 for the pay
        self.assertEqual(ReserveUse().take(school, '4', 'pay', MARCH_31,
                D('20000.00')), D('14334.46'))
        april, = Run.search([('company', '=', school.id),
                ('month', '=', APRIL)])
        Company.write([school], {'payroll_vacation_reserve': None})
        school = Company(self.school_id)
        self.assertEqual(ReserveUse().take(school, '4', 'pay', MARCH_31,
                D('20000.00')), ZERO)
        totals = Run._line_totals([april])
        before = {k: dict(v) for k, v in totals[april.id].items()}
        self.assertEqual(before['2']['vacation_compensation'],
            D('10519.46'))
        charge_runs([Run(april.id)], totals, ReserveUse())
        self.assertEqual({k: dict(v) for k, v in totals[april.id].items()},
            before)
