# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""A whole working year of one school (issue 15): every month computed,
posted and paid, then the ledger, 6-НДФЛ, the register and the
year-to-date figures checked against the payslips, by КФО, to the kopeck.

The school joins the service on 1 January 2026 (no onboarded figures) with
three employees; through the year:

- 0001, a teacher (КФО 4), 30,000 a month: alimony 25 % all year, an
  annual leave of 6–19 July paid by its own document on Friday 3 July;
- 0002, support staff (КФО 2), 20,000 topped up to the МРОТ (27,093): a
  sick leave of 16–20 November, its employer's days at the МРОТ floor;
- 0003, a teacher (КФО 4), 40,000, two children (1,400 + 2,800): the
  certificate of a sick leave of 9–13 February comes after April is
  posted and February is corrected in May; the income cap of the child
  deductions (450,000) is passed in December;
- 0004, hired on 10 March (КФО 2), 36,000, one child, with 400,000 earned
  at the previous employer this year (its income certificate: the
  deduction stops in April), dismissed on 18 December at their own will
  with the compensation of 21 days of unused leave.

The final settlement of December is paid in January 2027, whose
production calendar the module does not have yet: December is posted and
its advance paid, its final settlement is not.
"""
import datetime as dt
import json
import unittest
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll import tax_report
from trytond.modules.kazan_payroll.report import PayrollRegisterReport
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .tools import in_rolled_back_transaction, school_with_staff, staff_member

D = Decimal
ZERO = D(0)
START = dt.date(2026, 1, 1)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 13)]
FEBRUARY, MARCH, MAY, JULY = MONTHS[1], MONTHS[2], MONTHS[4], MONTHS[6]
NOVEMBER, DECEMBER = MONTHS[10], MONTHS[11]
DISMISSAL = dt.date(2026, 12, 18)
# the day before December's advance (the 17th): every month before
# December has been accrued and paid in full by then
SETTLED_BY = dt.date(2026, 12, 16)


def member(number, **values):
    "An employee from the start of the year: no onboarded figures"
    values = dict({
            'rate': D(1), 'allowances': ZERO, 'class_management': 0,
            'children': 0, 'disabled_children': 0,
            'ytd_income': ZERO, 'ytd_deductions': ZERO, 'ytd_ndfl': ZERO,
            'ytd_contribution_base': ZERO,
            'insured_years': D(10),
            'earnings_prev_year': D('480000.00'),
            'earnings_prev_year2': D('460000.00'),
            }, **values)
    return staff_member(number, **values)


def by_kfo(slips, name):
    "{kfo: the sum of the payslips' field}"
    result = defaultdict(lambda: ZERO)
    for slip in slips:
        result[slip.kfo] += getattr(slip, name)
    return dict(result)


class PayrollYearTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])
        cls.school_id = in_transaction(DB_NAME, cls._year)

    @classmethod
    def _year(cls, pool):
        "The school and its year, computed once and committed"
        Run = pool.get('kazan.payroll.run')
        Absence = pool.get('kazan.payroll.absence')
        Correction = pool.get('kazan.payroll.run.correction')
        Withholding = pool.get('kazan.payroll.withholding')
        Employee = pool.get('company.employee')
        school, (teacher, low_paid, corrected) = school_with_staff(
            pool, 151, START, [
                member(1, base_salary=D('30000.00')),
                member(2, kfo='2', category='support',
                    base_salary=D('20000.00'), insured_years=D(3),
                    earnings_prev_year=D('260000.00'),
                    earnings_prev_year2=D('250000.00')),
                member(3, base_salary=D('40000.00'), children=2,
                    children_records=[
                        {'birth_date': dt.date(2012, 4, 1)},
                        {'birth_date': dt.date(2016, 9, 1)}]),
                ])
        Withholding.create([{
                    'company': school.id, 'employee': teacher.id,
                    'kind': 'alimony', 'percent': D(25),
                    'document': 'ФС № 045678',
                    'document_date': dt.date(2025, 12, 10),
                    'start_date': START,
                    'recipient': 'Фамилия1 Анна Сергеевна',
                    }])

        def absence(employee, kind, start, end, certificate=None):
            Absence.create([{
                        'company': school.id, 'employee': employee.id,
                        'kind': kind, 'start_date': start, 'end_date': end,
                        'certificate': certificate}])

        for month in MONTHS:
            run, = Run.runs_for([school], month)
            if month == MARCH:
                hired, = Employee.create_staff(school.id, [
                        member(4, kfo='2', category='support',
                            hire_date=dt.date(2026, 3, 10),
                            base_salary=D('36000.00'), children=1,
                            children_records=[
                                {'birth_date': dt.date(2015, 5, 1)}]),
                        ])
                # the previous employer's income certificate
                Employee.write([hired],
                    {'prev_employer_income': D('400000.00')})
            elif month == MAY:
                # the certificate of February comes after April's posting
                absence(corrected, 'sick', dt.date(2026, 2, 9),
                    dt.date(2026, 2, 13), '910000000151')
                february, = Run.search([('company', '=', school.id),
                        ('month', '=', FEBRUARY), ('state', '=', 'posted')])
                Correction.create([{'run': run.id,
                            'corrected': february.id,
                            'reason': 'ЭЛН 910000000151'}])
            elif month == JULY:
                absence(teacher, 'vacation', dt.date(2026, 7, 6),
                    dt.date(2026, 7, 19))
            elif month == NOVEMBER:
                absence(low_paid, 'sick', dt.date(2026, 11, 16),
                    dt.date(2026, 11, 20), '910000000152')
            elif month == DECEMBER:
                Employee.write([hired], {
                        'end_date': DISMISSAL,
                        'dismissal_reason': 'own_will'})
            # the advance mid-month, the posting at the month's end (it
            # pays the dismissed on their day), the final settlement in
            # the next month
            Run.compute([run])
            Run.pay_advance([run])
            Run.post([run])
            if month != DECEMBER:
                Run.pay_final([run])
        return school.id

    # --- Helpers -------------------------------------------------------------

    def school(self):
        return Pool().get('company.company')(self.school_id)

    def employee(self, number):
        Employee = Pool().get('company.employee')
        employee, = Employee.search([
                ('company', '=', self.school_id),
                ('personnel_number', '=', f'{number:04d}')])
        return employee

    def runs(self):
        "The twelve posted runs, January first"
        Run = Pool().get('kazan.payroll.run')
        runs = Run.search([('company', '=', self.school_id),
                ('state', '=', 'posted')], order=[('month', 'ASC')])
        self.assertEqual([r.month for r in runs], MONTHS)
        return runs

    def payslips(self, months=None):
        return [s for r in self.runs() for s in r.payslips
            if months is None or r.month in months]

    def slip(self, month, number):
        slip, = [s for s in self.payslips([month])
            if s.employee.personnel_number == f'{number:04d}']
        return slip

    def balances(self, first=START, last=dt.date(2026, 12, 31)):
        "{(code, kfo): (debit, credit)} turnovers"
        TrialBalance = Pool().get('kazan.trial_balance')
        return {(r.code, r.kfo): (r.debit, r.credit)
            for r in TrialBalance.compute(self.school(), first, last)}

    @staticmethod
    def amount(slip, code, period=None):
        return sum((l.amount for l in slip.lines
                if l.code == code and l.period == period), ZERO)

    # --- The year's events ---------------------------------------------------

    @in_rolled_back_transaction
    def test_hire_with_the_previous_employers_income(self):
        "НК ст. 218 п. 3: the income certificate counts for the cap"
        march = self.slip(MARCH, 4)
        # 10–31 March: 15 of the month's 20 working days (2–6 March before
        # the hire; 9 March is the day off for the 8th): 36,000 × 15/20
        self.assertEqual(march.worked_days, 15)
        self.assertEqual(self.amount(march, 'salary'), D('27000.00'))
        # 400,000 + 27,000 = 427,000 ≤ 450,000: the first child, 1,400;
        # NDFL (27,000 - 1,400) × 13 % = 3,328
        self.assertEqual(march.standard_deduction, D('1400.00'))
        self.assertEqual(march.ndfl, D(3328))
        # the previous employer's income is not this employer's
        self.assertEqual(march.ytd_income, D('27000.00'))
        april = self.slip(MONTHS[3], 4)
        # 400,000 + 63,000 = 463,000 > 450,000: no deduction from April;
        # (63,000 - 1,400) × 13 % = 8,008 - 3,328 = 4,680
        self.assertEqual(april.standard_deduction, ZERO)
        self.assertEqual(april.ndfl, D(4680))
        self.assertFalse([s for s in self.payslips(MONTHS[:2])
                if s.employee == self.employee(4)])

    @in_rolled_back_transaction
    def test_february_corrected_in_may(self):
        "The late certificate: February reversed and accrued anew in May"
        slip = self.slip(MAY, 3)
        corrections = sorted((l.code, l.amount) for l in slip.lines
            if l.period == FEBRUARY and l.kind == 'earning')
        # February: 19 working days, 9–13 away: 40,000 × 14/19 = 29,473.68;
        # the employer's 3 days (480,000 + 460,000) / 730 = 1,287.67 a day
        # (100 % after 10 years, above the February floor 27,093 / 28 =
        # 967.61): 3,863.01; posted for February: 40,000
        self.assertEqual(corrections, [
                ('salary', D('-40000.00')),
                ('salary', D('29473.68')),
                ('sick_employer', D('3863.01'))])
        # February's child deductions are the same anew: reversed and
        # granted again, nothing changes
        self.assertEqual(sum((l.amount for l in slip.lines
                    if l.period == FEBRUARY and l.kind != 'earning'),
                ZERO), ZERO)
        self.assertEqual(slip.standard_deduction, D('4200.00'))
        # May: 40,000 - 40,000 + 29,473.68 + 3,863.01 = 33,336.69; since
        # January 160,000 + 33,336.69 = 193,336.69 less 5 × 4,200 of
        # deductions = 172,336.69 × 13 % = 22,403.77 → 22,404, withheld
        # before (160,000 - 16,800) × 13 % = 18,616: 3,788, of which the
        # sick pay's share 3,788 × 3,863.01 / 33,336.69 = 438.95 → 439
        self.assertEqual(slip.gross, D('33336.69'))
        self.assertEqual(slip.ndfl, D(3788))
        self.assertEqual(self.amount(slip, 'ndfl_sick'), D(439))
        # contributions on 29,473.68 (no sick pay): 30 % = 8,842.10
        self.assertEqual(slip.contribution_base, D('29473.68'))
        self.assertEqual(slip.contributions, D('8842.10'))
        self.assertEqual(slip.ytd_income, D('193336.69'))

    @in_rolled_back_transaction
    def test_vacation_paid_three_days_before(self):
        "ТК ст. 136 ч. 9; НК ст. 223 п. 1 пп. 1: NDFL at the payment"
        VacationPay = Pool().get('kazan.payroll.vacation_pay')
        document, = VacationPay.search([
                ('employee', '=', self.employee(1).id)])
        self.assertEqual(document.state, 'posted')
        start = document.absence.start_date
        self.assertLessEqual(document.payment_date,
            start - dt.timedelta(days=3))
        # Monday 6 July: Friday 3 July
        self.assertEqual(document.payment_date, dt.date(2026, 7, 3))
        # January-June 180,000 in 6 × 29.3 = 175.8 days: 1,023.89 a day;
        # 14 days (no holiday): 14,334.46
        self.assertEqual(document.average_daily, D('1023.89'))
        self.assertEqual(document.amount, D('14334.46'))
        # (180,000 + 14,334.46) × 13 % = 25,263.48 → 25,263 - 23,400
        # withheld January-June = 1,863
        self.assertEqual(document.ndfl, D(1863))
        # alimony withheld from it at the payment (ФЗ 229 ст. 98): 25 % of
        # 14,334.46 - 1,863 = 12,471.46 → 3,117.865 → 3,117.87
        self.assertEqual(document.withheld, D('3117.87'))
        self.assertEqual(document.net, D('9353.59'))
        # every move of the document (accrual with the tax, payment) is
        # of the payment date: the tax is withheld that day
        self.assertTrue(document.moves)
        self.assertEqual({m.date for m in document.moves},
            {document.payment_date})
        tax = [l for m in document.moves for l in m.lines
            if l.account.code == '303.01']
        self.assertEqual(sum(l.credit for l in tax), D(1863))
        # the alimony withheld is transferred with the payment (ФЗ 229 ст.
        # 98 ч. 3: within 3 working days), from 304.03
        transferred = [l for m in document.moves for l in m.lines
            if l.account.code == '304.03' and l.debit]
        self.assertEqual([(l.move.date, l.debit) for l in transferred],
            [(dt.date(2026, 7, 3), D('3117.87'))])
        july = self.slip(JULY, 1)
        self.assertEqual(self.amount(july, 'vacation_paid'), D('14334.46'))
        self.assertEqual(self.amount(july, 'ndfl_vacation'), D(1863))
        # 13 of July's 23 working days: 30,000 × 13/23 = 16,956.52; gross
        # 31,290.98; (180,000 + 31,290.98) × 13 % = 27,467.83 → 27,468,
        # withheld before 23,400 + 1,863: 2,205 more, 4,068 in the month
        self.assertEqual(july.gross, D('31290.98'))
        self.assertEqual(july.ndfl, D(4068))
        # alimony 25 % of the month's pay after NDFL, the vacation pay
        # with it: (31,290.98 - 4,068) × 25 % = 6,805.745 → 6,805.75, of
        # which 3,117.87 withheld with the vacation pay: 3,687.88 by the run
        self.assertEqual(self.amount(july, 'withheld_vacation'),
            D('3117.87'))
        self.assertEqual(self.amount(july, 'alimony'), D('3687.88'))
        # the run pays what the document did not: net - advance - 9,353.59
        self.assertEqual(july.final_payment,
            july.net - july.advance - D('9353.59'))

    @in_rolled_back_transaction
    def test_sick_leave_at_the_minimum_wage_floor(self):
        "255-ФЗ ст. 14 ч. 1.1: a day at least МРОТ ÷ the month's days"
        slip = self.slip(NOVEMBER, 2)
        line, = [l for l in slip.lines if l.code == 'sick_employer']
        # (250,000 + 260,000) / 730 = 698.63 < МРОТ × 24 / 730 = 890.73;
        # 60 % (3 years) = 534.44 < 27,093 / 30 = 903.10 a day of
        # November: 3 × 903.10 = 2,709.30
        self.assertEqual(line.amount, D('2709.30'))
        self.assertIn('11.2026: 3 × 903.10',
            json.loads(line.basis)['daily_paid'])
        # 14 of 19 working days: 20,000 × 14/19 = 14,736.84, topped up to
        # 27,093 × 14/19 = 19,963.26: 5,226.42
        self.assertEqual(slip.worked_days, 14)
        self.assertEqual(self.amount(slip, 'salary'), D('14736.84'))
        self.assertEqual(self.amount(slip, 'mrot_topup'), D('5226.42'))
        self.assertEqual(slip.contribution_base, D('19963.26'))
        # a full month: 20,000 + 7,093
        october = self.slip(MONTHS[9], 2)
        self.assertEqual(october.gross, D('27093.00'))

    @in_rolled_back_transaction
    def test_dismissal_with_compensation(self):
        "ТК ст. 127: 21 days of unused leave at the average of 922"
        slip = self.slip(DECEMBER, 4)
        line, = [l for l in slip.lines if l.code == 'vacation_compensation']
        basis = json.loads(line.basis)
        # 10 March - 18 December: 9 months (the 9 days from 10 December
        # are under half a month): 28 / 12 × 9 = 21 days, none used
        self.assertEqual(D(basis['days']), D('21.00'))
        # the average: March 27,000 for 22 of its 31 days (29.3 / 31 × 22
        # = 20.7935 days), April-November 8 × 36,000 in 8 × 29.3 = 234.4
        # days: 315,000 / 255.1935 = 1,234.357 → 1,234.36; × 21 = 25,921.56
        self.assertEqual(D(basis['average_daily']), D('1234.36'))
        self.assertEqual(line.amount, D('25921.56'))
        self.assertFalse([l for l in slip.lines if l.code == 'severance'])
        # 1-18 December: 14 of 22 working days: 36,000 × 14/22 = 22,909.09
        self.assertEqual(self.amount(slip, 'salary'), D('22909.09'))
        self.assertEqual(slip.gross, D('48830.65'))
        # (315,000 + 48,830.65 - 1,400) × 13 % = 47,115.98 → 47,116, less
        # (315,000 - 1,400) × 13 % = 40,768 withheld before: 6,348
        self.assertEqual(slip.ndfl, D(6348))

    @in_rolled_back_transaction
    def test_dismissal_settlement_paid_on_the_last_day(self):
        """ТК ст. 140: the dismissed employee is paid everything due on
        the day of dismissal (posting the month pays it), not with the
        others' final settlement (the 2nd of January)"""
        pool = Pool()
        Line = pool.get('account.move.line')
        slip = self.slip(DECEMBER, 4)
        due = slip.net - slip.advance
        self.assertGreater(due, 0)
        paid = Line.search([
                ('move.company', '=', self.school_id),
                ('move.state', '=', 'posted'),
                ('move.date', '=', DISMISSAL),
                ('account.code', '=', '201.11'),
                ])
        self.assertEqual(sum((l.credit - l.debit for l in paid), ZERO), due)

    @in_rolled_back_transaction
    def test_alimony_withheld_and_transferred(self):
        "304.03: 25 % of the pay after NDFL each month, transferred"
        slips = [s for s in self.payslips()
            if s.employee == self.employee(1)]
        self.assertEqual(len(slips), 12)

        def alimony(slip):
            "by the run, and with the vacation pay when it was paid"
            return (self.amount(slip, 'alimony')
                + self.amount(slip, 'withheld_vacation'))

        for slip in slips:
            self.assertEqual(alimony(slip),
                ((slip.gross - slip.ndfl) * D('0.25')).quantize(
                    D('0.01'), rounding=ROUND_HALF_UP),
                slip.month)
        # a plain month: (30,000 - 3,900) × 25 % = 6,525
        self.assertEqual(self.amount(slips[0], 'alimony'), D('6525.00'))
        total = sum(alimony(s) for s in slips)
        december = alimony(slips[-1])
        balances = self.balances()
        # withheld all year; transferred but December's (in January)
        self.assertEqual(balances['304.03', '4'],
            (total - december, total))

    @in_rolled_back_transaction
    def test_settlement_accounts_settled_until_december(self):
        "302.11, 302.66, 304.03: everything through November is paid"
        balances = self.balances(last=SETTLED_BY)
        for kfo in '24':
            for code in ['302.11', '302.66', '304.03']:
                debit, credit = balances.get((code, kfo), (ZERO, ZERO))
                self.assertEqual(debit, credit, (code, kfo))
            self.assertGreater(balances['302.11', kfo][1], 0)
        self.assertGreater(balances['302.66', '2'][1], 0)
        self.assertGreater(balances['302.66', '4'][1], 0)
        self.assertGreater(balances['304.03', '4'][1], 0)

    @in_rolled_back_transaction
    def test_what_december_leaves_to_pay(self):
        "At the year's end the ledger owes December's final settlement"
        december = self.runs()[-1]
        due = defaultdict(lambda: defaultdict(lambda: ZERO))
        for slip in december.payslips:
            if slip.final_date:
                continue  # paid on the day of dismissal
            for kfo, parts in slip.payment_parts_by_kfo('final').items():
                for code, amount in parts.items():
                    due[kfo][code] += amount
            for line in slip.lines:
                if line.code == 'alimony':
                    due[slip.kfo]['withholdings'] += line.amount
        balances = self.balances()
        for kfo in '24':
            for code, part in [('302.11', 'payment'),
                    ('302.66', 'payment_sick'), ('304.03', 'withholdings')]:
                debit, credit = balances.get((code, kfo), (ZERO, ZERO))
                self.assertEqual(credit - debit, due[kfo][part],
                    (code, kfo))
            self.assertNotIn('employee_debt', due[kfo])
        # the salary-card lists pay what is due, not the dismissed again
        listed = [entry for entries in december.card_list('final').values()
            for entry in entries]
        self.assertEqual(sum((amount for _, amount in listed), ZERO),
            sum((due[kfo][part] for kfo in due for part in [
                        'payment', 'payment_sick']), ZERO))
        dismissed = {s for s in december.payslips if s.final_date}
        self.assertTrue(dismissed)
        self.assertFalse(dismissed & {slip for slip, _ in listed})

    @in_rolled_back_transaction
    def test_taxes_and_contributions_accrued(self):
        "303.01 = the payslips' NDFL, 303.15 their contributions, by КФО"
        slips = self.payslips()
        balances = self.balances()
        for kfo in '24':
            for code, name in [('303.01', 'ndfl'),
                    ('303.15', 'contributions'),
                    ('303.06', 'accident_insurance')]:
                self.assertEqual(balances[code, kfo][1],
                    by_kfo(slips, name)[kfo], (code, kfo))
            sick = sum((self.amount(s, 'sick_employer', p)
                    for s in slips if s.kfo == kfo
                    for p in [None, FEBRUARY]), ZERO)
            self.assertEqual(balances['401.20.266', kfo], (sick, 0))
        # the sick pay: February's 3,863.01 (КФО 4, in May), November's
        # 2,709.30 (КФО 2)
        self.assertEqual(balances['401.20.266', '4'][0], D('3863.01'))
        self.assertEqual(balances['401.20.266', '2'][0], D('2709.30'))

    # --- 6-НДФЛ --------------------------------------------------------------

    @in_rolled_back_transaction
    def test_ndfl6_by_quarter(self):
        "Section 1: the tax withheld on each payment date, per quarter"
        VacationPay = Pool().get('kazan.payroll.vacation_pay')
        withheld = defaultdict(lambda: ZERO)
        for run in self.runs():
            for s in run.payslips:
                # the dismissed on their day (ТК ст. 140), the others at
                # the final settlement (December's is in 2027)
                date = s.final_date or (
                    run.final_move.date if run.final_move else None)
                if date:
                    withheld[date] += s.ndfl - self.amount(s, 'ndfl_vacation')
        for document in VacationPay.search([
                    ('company', '=', self.school_id)]):
            withheld[document.payment_date] += document.ndfl
        # the vacation pay's own day
        self.assertEqual(withheld[dt.date(2026, 7, 3)], D(1863))
        for quarter in [1, 2, 3, 4]:
            months = tax_report.quarter_months(2026, quarter)
            report = tax_report.TaxReport(
                self.school(), 2026, quarter).ndfl6()
            self.assertEqual(
                {w.date: w.withheld for w in report.withholdings},
                {d: a for d, a in withheld.items()
                    if d.replace(day=1) in months}, quarter)
        # the year: January-November paid and the dismissed of December
        # (the others' December settlement is in 2027), at 13 % only
        report = tax_report.TaxReport(self.school(), 2026, 4).ndfl6()
        paid = self.payslips(MONTHS[:-1]) + [
            s for s in self.runs()[-1].payslips if s.final_date]
        rate, = report.rates
        self.assertEqual(rate.rate, D(13))
        self.assertEqual(rate.person_count, 4)
        self.assertEqual(rate.income, sum(s.gross for s in paid))
        self.assertEqual(rate.deductions,
            sum(s.standard_deduction for s in paid))
        self.assertEqual(rate.computed, sum(s.ndfl for s in paid))
        self.assertEqual(rate.withheld, sum(s.ndfl for s in paid))
        self.assertEqual(rate.withheld, sum(withheld.values()))
        self.assertEqual(rate.not_withheld, ZERO)

    @in_rolled_back_transaction
    def test_reconciled_with_the_ledger(self):
        """No month of any quarter differs between the payslips and 303.01,
        303.15; РСВ sums the payslips"""
        for quarter in [1, 2, 3, 4]:
            months = tax_report.quarter_months(2026, quarter)
            since = [m for m in MONTHS if m <= months[-1]]
            reconciliation = tax_report.TaxReport(
                self.school(), 2026, quarter).reconciliation()
            for name, result in reconciliation.items():
                for row in result.rows():
                    self.assertEqual(row[-1], ZERO, (quarter, name, row))
                payslips, *_, difference = result.total()
                self.assertEqual(difference, ZERO, (quarter, name))
                self.assertEqual(payslips,
                    sum(getattr(s, name) for s in self.payslips(since)),
                    (quarter, name))
            # РСВ since January: the payslips' base and contributions
            rsv = tax_report.TaxReport(self.school(), 2026, quarter).rsv()
            total = rsv.since_january()
            slips = self.payslips(since)
            self.assertEqual(total.base,
                sum(s.contribution_base for s in slips), quarter)
            self.assertEqual(total.contributions,
                sum(s.contributions for s in slips), quarter)

    # --- The register and the year-to-date figures ---------------------------

    @in_rolled_back_transaction
    def test_register_totals(self):
        "The register of each month sums its payslips, by КФО and in all"
        runs = self.runs()
        registers = PayrollRegisterReport.registers([r.id for r in runs])
        names = ['ndfl', 'net', 'advance', 'final_payment']
        for run in runs:
            register = registers[run.id]
            slips = list(run.payslips)
            self.assertEqual(register.total.total_accrued,
                sum(s.gross for s in slips), run.month)
            for name in names:
                self.assertEqual(getattr(register.total, name),
                    sum(getattr(s, name) for s in slips), (run.month, name))
            self.assertEqual(register.total.withheld.get('alimony', ZERO),
                sum(self.amount(s, 'alimony') for s in slips))
            for group in register.groups:
                kfo_slips = [s for s in slips if s.kfo == group.kfo]
                self.assertEqual([r.payslip for r in group.rows], kfo_slips)
                self.assertEqual(group.total.total_accrued,
                    sum(s.gross for s in kfo_slips))
                for name in names:
                    self.assertEqual(getattr(group.total, name),
                        sum(getattr(s, name) for s in kfo_slips))
        # the lines of the year have their columns
        self.assertIn('vacation_paid', registers[runs[6].id].accruals)
        self.assertIn('sick_employer', registers[runs[10].id].accruals)
        self.assertIn('vacation_compensation',
            registers[runs[11].id].accruals)
        self.assertIn('alimony', registers[runs[0].id].withholdings)

    @in_rolled_back_transaction
    def test_year_to_date_of_december(self):
        """December's figures since January are the sums of the year's
        payslips (the severance, free of NDFL, is outside the income:
        there is none this year)"""
        slips = self.payslips()
        for number in [1, 2, 3, 4]:
            employee = self.employee(number)
            year = [s for s in slips if s.employee == employee]
            december = self.slip(DECEMBER, number)
            severance = sum(self.amount(s, 'severance') for s in year)
            self.assertEqual(december.ytd_income,
                sum(s.gross for s in year) - severance, number)
            self.assertEqual(december.ytd_deductions,
                sum(s.standard_deduction for s in year), number)
            self.assertEqual(december.ytd_ndfl,
                sum(s.ndfl for s in year), number)
            self.assertEqual(december.ytd_contribution_base,
                sum(s.contribution_base for s in year), number)
        # 0003: 1,400 + 2,800 in January-November (433,336.69 since
        # January ≤ 450,000), none in December (473,336.69)
        self.assertEqual(self.slip(NOVEMBER, 3).ytd_income,
            D('433336.69'))
        self.assertEqual(self.slip(DECEMBER, 3).standard_deduction, ZERO)
        self.assertEqual(self.slip(DECEMBER, 3).ytd_deductions,
            D('46200.00'))
        # 0004: March's 1,400 only
        self.assertEqual(self.slip(DECEMBER, 4).ytd_deductions,
            D('1400.00'))
