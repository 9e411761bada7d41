# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Taxes paid through the single tax account (ЕНП) and the notices.

The rules at their boundaries, computed by hand (no database), then a
month of one school: its run posted and paid, the notices' figures, the
transfer and the offset, 303.01, 303.14, 303.15 and 303.06 at zero by КФО
afterwards, and no period paid twice.
"""
import datetime as dt
import tempfile
import unittest
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll import enp, rules
from trytond.modules.kazan_payroll.exceptions import TaxPaymentError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .test_payroll import plain
from .tools import in_rolled_back_transaction, school_with_staff

KAZAN = rules.load_calendar()
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


# --- The rules ---------------------------------------------------------------

@pytest.mark.parametrize('day, part', [
        (1, 'ndfl_first'), (22, 'ndfl_first'),
        (23, 'ndfl_second'), (31, 'ndfl_second')])
def test_ndfl_part_by_day_of_withholding(day, part):
    assert rules.ndfl_part(dt.date(2026, 3, day)) == part


def test_periods_of_the_halves():
    assert rules.enp_period('ndfl_first', dt.date(2026, 2, 1)) == (
        dt.date(2026, 2, 1), dt.date(2026, 2, 22))
    assert rules.enp_period('ndfl_second', dt.date(2026, 2, 1)) == (
        dt.date(2026, 2, 23), dt.date(2026, 2, 28))
    assert rules.enp_period('contributions', dt.date(2026, 2, 1)) == (
        dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_due_dates_of_the_first_half():
    # 1–22 January 2026: notice by Sunday 25 → Monday 26, payment by
    # Wednesday 28 January
    assert rules.enp_due_dates('ndfl_first', dt.date(2026, 1, 1), KAZAN) == (
        dt.date(2026, 1, 26), dt.date(2026, 1, 28))
    # February: the 28th is a Saturday, paid on Monday 2 March
    assert rules.enp_due_dates('ndfl_first', dt.date(2026, 2, 1), KAZAN) == (
        dt.date(2026, 2, 25), dt.date(2026, 3, 2))


def test_due_dates_of_the_second_half():
    # 23–31 January 2026: notice by Tuesday 3, payment by Thursday 5
    # February
    assert rules.enp_due_dates('ndfl_second', dt.date(2026, 1, 1),
        KAZAN) == (dt.date(2026, 2, 3), dt.date(2026, 2, 5))
    # 23–30 April: the 3rd of May is a Sunday, notice on Monday 4 May,
    # payment by Tuesday 5 May
    assert rules.enp_due_dates('ndfl_second', dt.date(2026, 4, 1),
        KAZAN) == (dt.date(2026, 5, 4), dt.date(2026, 5, 5))


def test_december_second_half_by_the_last_working_day():
    # 31 December 2025 is a day off (moved from 5 January): Tuesday 30
    assert rules.enp_due_dates('ndfl_second', dt.date(2025, 12, 1),
        KAZAN) == (dt.date(2025, 12, 30), dt.date(2025, 12, 30))


def test_due_dates_of_contributions_and_accident():
    # contributions of March 2026: notice by Saturday 25 April → Monday
    # 27, payment by Tuesday 28 April
    assert rules.enp_due_dates('contributions', MARCH, KAZAN) == (
        dt.date(2026, 4, 27), dt.date(2026, 4, 28))
    # НС и ПЗ of March: no notice, paid by Wednesday 15 April
    assert rules.enp_due_dates('accident', MARCH, KAZAN) == (
        None, dt.date(2026, 4, 15))


@pytest.mark.parametrize('before, tax, expected', [
        (D(0), D(3900), (D(3900), D(0))),
        # reaching 312,000 exactly stays on the first KBK
        (D(311000), D(1000), (D(1000), D(0))),
        # 309,400 + 14,600: 312,000 - 309,400 = 2,600 below, 12,000 above
        (D(309400), D(14600), (D(2600), D(12000))),
        (D(312000), D(1500), (D(0), D(1500))),
        # a tax returned from 312,500: 500 off the part above, 500 below
        (D(312500), D(-1000), (D(-500), D(-500))),
        ])
def test_ndfl_kbk_split_at_312000(before, tax, expected):
    assert rules.ndfl_kbk_split(before, tax, D(312000)) == expected


def test_codes_are_data_with_their_status():
    codes = enp.read_codes()
    assert codes['kbk.ndfl_first'].value == '18210102010011000110'
    assert codes['kbk.ndfl_above'].value == '18210102080011000110'
    assert codes['kbk.ndfl_first'].confirmed
    assert not codes['kbk.contributions'].confirmed
    # 23–31 January is 21/11 (base.garant.ru), 1–22 April 31/01
    assert codes['period.ndfl_second.01'].value == '21/11'
    assert codes['period.ndfl_first.04'].value == '31/01'
    assert codes['period.ndfl_second.12'].value == '34/13'


# --- A month of one school ---------------------------------------------------

class EnpTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            # a teacher on КФО 4, and a director on КФО 2 whose tax of the
            # year crosses 312,000 in March: 2,380,000 earned and 309,400
            # withheld (13 %) before it
            school, _ = school_with_staff(pool, 77, MARCH, [
                    plain(1),
                    plain(2, base_salary=D('100000.00'), kfo='2',
                        ytd_income=D('2380000.00'),
                        ytd_ndfl=D('309400.00'),
                        ytd_contribution_base=D('2380000.00'))])
            return school.id
        cls.school_id = in_transaction(DB_NAME, setup)

    def school(self):
        return Pool().get('company.company')(self.school_id)

    def post_march(self):
        Run = Pool().get('kazan.payroll.run')
        run, = Run.runs_for([self.school()], MARCH)
        Run.compute([run])
        Run.pay_advance([run])
        Run.post([run])
        Run.pay_final([run])
        return run

    def balances(self, end):
        "{(code, kfo): (debit, credit)} turnovers from March to end"
        TrialBalance = Pool().get('kazan.trial_balance')
        return {(r.code, r.kfo): (r.debit, r.credit)
            for r in TrialBalance.compute(self.school(), MARCH, end)}

    @in_rolled_back_transaction
    def test_notices_transfer_and_offset(self):
        pool = Pool()
        TaxPayment = pool.get('kazan.payroll.tax_payment')
        run = self.post_march()
        # the March pay is settled on Thursday 2 April: its NDFL is
        # withheld then, in the 1st–22nd of April
        self.assertEqual(run.final_move.date, dt.date(2026, 4, 2))

        rows = {(r.part, r.kbk): r for r in enp.notices(self.school(), APRIL)}
        teacher = D(30000) * D('0.13')                   # 3,900
        # the director: 312,000 + 15 % × (2,480,000 - 2,400,000) = 324,000
        # for the year, 309,400 withheld: 14,600, 2,600 of it up to 312,000
        director_low = D(312000) - D(309400)
        director_high = D(80000) * D('0.15')
        first = rows['ndfl_first', '18210102010011000110']
        self.assertEqual(first.amount, teacher + director_low)
        above = rows['ndfl_first', '18210102080011000110']
        self.assertEqual(above.amount, director_high)
        self.assertEqual(first.period_code, '31/01')
        self.assertEqual(first.oktmo, self.school().oktmo)
        self.assertEqual(first.payment_date, dt.date(2026, 4, 28))
        self.assertNotIn('ndfl_second', {p for p, _ in rows})

        march = {r.part: r for r in enp.notices(self.school(), MARCH)}
        # 30 % of 30,000 + 30 % of 100,000 (2,480,000 is under the cap)
        contributions = D(30000) * D('0.3') + D(100000) * D('0.3')
        self.assertEqual(march['contributions'].amount, contributions)
        self.assertEqual(march['contributions'].period_code, '21/03')
        self.assertFalse(march['contributions'].confirmed)
        self.assertEqual(march['contributions'].payment_date,
            dt.date(2026, 4, 28))
        self.assertNotIn('ndfl_first', march)  # nothing withheld in March

        # the same rows in the client's table, for the month of the context
        Notice = pool.get('kazan.payroll.enp.notice')
        with Transaction().set_context(company=self.school_id,
                month=dt.date(2026, 4, 15)):
            self.assertEqual(sorted((n.kbk, n.amount) for n in
                    Notice.search([])), sorted((r.kbk, r.amount)
                    for r in rows.values()))

        payment, = TaxPayment.create([{
                    'company': self.school_id, 'date': dt.date(2026, 4, 27)}])
        TaxPayment.fill([payment])
        lines = {(l.part, l.month, l.kfo): l.amount for l in payment.lines}
        accident = {l.kfo: l.amount for l in payment.lines
            if l.part == 'accident'}
        self.assertEqual({k: v for k, v in lines.items()
                if k[0] != 'accident'}, {
                ('ndfl_first', APRIL, '4'): teacher,
                ('ndfl_first', APRIL, '2'): director_low + director_high,
                ('contributions', MARCH, '4'): D(30000) * D('0.3'),
                ('contributions', MARCH, '2'): D(100000) * D('0.3'),
                })
        self.assertEqual(set(accident), {'2', '4'})
        TaxPayment.post([payment])
        self.assertEqual(payment.state, 'posted')
        # the transfer on the 27th, the offset on the due date, the 28th
        self.assertEqual(sorted(m.date for m in payment.moves),
            [dt.date(2026, 4, 27), dt.date(2026, 4, 28)])

        balances = self.balances(dt.date(2026, 4, 30))
        for code in ['303.01', '303.14', '303.15', '303.06']:
            for kfo in ['2', '4']:
                debit, credit = balances[code, kfo]
                self.assertEqual(debit, credit, (code, kfo))
                self.assertGreater(credit, 0, (code, kfo))
        # the cash lines leave the personal account by purpose
        MoveLine = pool.get('account.move.line')
        cash = MoveLine.search([
                ('move.origin', '=', str(payment)),
                ('account.code', '=', '201.11'),
                ])
        by_kosgu = {}
        for line in cash:
            key = (line.kosgu, line.kvr)
            by_kosgu[key] = by_kosgu.get(key, 0) + line.credit
        self.assertEqual(by_kosgu[('211', '111')],
            teacher + director_low + director_high)
        self.assertEqual(by_kosgu[('213', '119')],
            contributions + sum(accident.values()))

    @in_rolled_back_transaction
    def test_notices_exported_by_the_command(self):
        from kazan import tax_reports
        self.post_march()
        with tempfile.TemporaryDirectory() as folder:
            result = tax_reports.write_reports(Pool(), 2026, 2,
                Path(folder), inns=[self.school().inn], formats=['xlsx'],
                notices=True)
            self.assertEqual(result.written, [self.school().inn])
            path = (Path(folder) / self.school().inn
                / 'notices_2026_Q2.xlsx')
            sheet = openpyxl.load_workbook(path).active
            values = [c for row in sheet.iter_rows(values_only=True)
                for c in row if c is not None]
        self.assertIn('18210102080011000110', values)
        self.assertIn('31/01', values)
        # 80,000 × 15 %: the director's tax above 312,000 (April 1st–22nd)
        self.assertIn(12000, values)

    @in_rolled_back_transaction
    def test_a_period_is_not_paid_twice(self):
        pool = Pool()
        TaxPayment = pool.get('kazan.payroll.tax_payment')
        self.post_march()
        first, second = TaxPayment.create([
                {'company': self.school_id, 'date': dt.date(2026, 4, 27)},
                {'company': self.school_id, 'date': dt.date(2026, 4, 28)}])
        TaxPayment.fill([first])
        TaxPayment.post([first])
        # what is paid is no longer due
        TaxPayment.fill([second])
        self.assertEqual(list(second.lines), [])
        TaxPayment.write([second], {'lines': [('create', [{
                            'part': 'ndfl_first', 'month': APRIL,
                            'kfo': '4', 'amount': D(1)}])]})
        with self.assertRaises(TaxPaymentError):
            TaxPayment.post([second])
        # cancelled, the period is due again
        TaxPayment.cancel([first])
        TaxPayment.post([second])
        self.assertEqual(second.state, 'posted')
