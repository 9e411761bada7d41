# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The law by year and the production calendar in the database: seeded
from the CSV files, read by the payroll as the values of rules.py, and
changed by the accountants."""
import datetime as dt
import os
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import SQLConstraintError, ValidationError
from trytond.modules.kazan_payroll import rules
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module
from trytond.transaction import Transaction

from .tools import in_rolled_back_transaction

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LawTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

    def law_year(self, year):
        LawYear = Pool().get('kazan.payroll.law_year')
        law_year, = LawYear.search([('year', '=', year)])
        return law_year

    @in_rolled_back_transaction
    def test_parameters_equal_the_csv(self):
        "the seeded law gives the parameters of the law files"
        LawYear = Pool().get('kazan.payroll.law_year')
        for year in [2025, 2026]:
            self.assertEqual(
                LawYear.parameters(year), rules.load_parameters(year))
        self.assertIs(LawYear.parameters(2026), LawYear.parameters(2026))

    @in_rolled_back_transaction
    def test_sources(self):
        "each figure of a seeded year has its source"
        law_year = self.law_year(2026)
        lines = law_year.sources.split('\n')
        self.assertIn('mrot: [S25]', lines)
        # one line a figure of the year (every figure of Parameters)
        self.assertEqual(len(lines), 16)
        self.assertEqual(
            [b.source for b in law_year.ndfl_bands][0],
            '[S14][S15] progressive scale since 2025')

    @in_rolled_back_transaction
    def test_new_figure_filled_on_update(self):
        "a figure added to the law is filled in a database's years"
        LawYear = Pool().get('kazan.payroll.law_year')
        table = LawYear.__table__()
        cursor = Transaction().connection.cursor()
        # a database from before child_deduction_disabled_guardian, where
        # an accountant changed 2025's figure by hand
        cursor.execute(*table.update(
                [table.child_deduction_disabled_guardian], [None],
                where=table.year == 2026))
        cursor.execute(*table.update(
                [table.child_deduction_disabled_guardian], [Decimal(7000)],
                where=table.year == 2025))
        LawYear._fill_new_figures()
        LawYear._parameters_cache.clear()
        self.assertEqual(
            LawYear.parameters(2026).child_deduction_disabled_guardian,
            Decimal(6000))
        self.assertEqual(
            LawYear.parameters(2025).child_deduction_disabled_guardian,
            Decimal(7000))

    @in_rolled_back_transaction
    def test_calendar_equals_the_csv(self):
        "the seeded calendar gives the working days of the calendar files"
        CalendarDay = Pool().get('kazan.payroll.calendar_day')
        for region in [rules.TATARSTAN, rules.FEDERAL]:
            calendar = CalendarDay.calendar(region)
            expected = rules.load_calendar(region)
            self.assertEqual(calendar.years, {2025, 2026})
            for year in [2025, 2026]:
                self.assertEqual(
                    [calendar.working_days(year, m) for m in range(1, 13)],
                    [expected.working_days(year, m) for m in range(1, 13)])
                self.assertEqual(calendar.working_hours(year),
                    expected.working_hours(year))
        self.assertEqual(CalendarDay.calendar().working_days(2026, 3), 20)
        self.assertIs(CalendarDay.calendar(), CalendarDay.calendar())

    @in_rolled_back_transaction
    def test_calendar_unknown_year(self):
        "a year without a calendar is not guessed"
        CalendarDay = Pool().get('kazan.payroll.calendar_day')
        with self.assertRaises(LookupError):
            CalendarDay.calendar().working_days(2027, 1)

    @in_rolled_back_transaction
    def test_edit_figure_changes_parameters(self):
        "a figure changed by an accountant is what the payroll reads"
        LawYear = Pool().get('kazan.payroll.law_year')
        LawYear.parameters(2026)
        LawYear.write([self.law_year(2026)], {'mrot': Decimal('30000')})
        self.assertEqual(LawYear.parameters(2026).mrot, Decimal('30000'))
        self.assertEqual(LawYear.parameters(2025).mrot, Decimal('22440'))

    @in_rolled_back_transaction
    def test_edit_band_changes_parameters(self):
        LawYear = Pool().get('kazan.payroll.law_year')
        law_year = self.law_year(2026)
        LawYear.parameters(2026)
        band = [b for b in law_year.ndfl_bands if b.threshold == 0][0]
        LawYear.write([law_year], {
                'ndfl_bands': [('write', [band.id], {'rate': Decimal(14)})]})
        self.assertEqual(
            LawYear.parameters(2026).ndfl_bands[0], (0, Decimal(14)))

    @in_rolled_back_transaction
    def test_previous_cap_changes_sick_caps(self):
        LawYear = Pool().get('kazan.payroll.law_year')
        LawYear.parameters(2025)
        LawYear.write([self.law_year(2024)],
            {'contribution_cap': Decimal('2225001')})
        self.assertEqual(LawYear.parameters(2025).sick_earnings_caps,
            (Decimal('1917000'), Decimal('2225001')))

    @in_rolled_back_transaction
    def test_edit_calendar_changes_calendar(self):
        "a day off added by an accountant is not a working day"
        CalendarDay = Pool().get('kazan.payroll.calendar_day')
        self.assertEqual(CalendarDay.calendar().working_days(2026, 3), 20)
        day, = CalendarDay.create([{
                    'date': dt.date(2026, 3, 2), 'kind': 'holiday',
                    'name': 'Тест', 'region': rules.TATARSTAN}])
        self.assertEqual(CalendarDay.calendar().working_days(2026, 3), 19)
        self.assertEqual(
            CalendarDay.calendar(rules.FEDERAL).working_days(2026, 3), 21)
        CalendarDay.delete([day])
        self.assertEqual(CalendarDay.calendar().working_days(2026, 3), 20)

    @in_rolled_back_transaction
    def test_missing_year(self):
        LawYear = Pool().get('kazan.payroll.law_year')
        with self.assertRaisesRegex(UserError, '2031'):
            LawYear.parameters(2031)

    @in_rolled_back_transaction
    def test_missing_year_in_russian(self):
        pool = Pool()
        LawYear = pool.get('kazan.payroll.law_year')
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        russian, = Lang.search([('code', '=', 'ru')])
        Lang.write([russian], {'translatable': True})
        Translation.translation_import('ru', 'kazan_payroll', [
                os.path.join(MODULE_DIR, 'locale', 'ru.po')])
        with Transaction().set_context(language='ru'):
            with self.assertRaisesRegex(UserError,
                    '^Нет параметров законодательства на 2031 год'):
                LawYear.parameters(2031)

    @in_rolled_back_transaction
    def test_incomplete_year(self):
        "a year with the cap alone is not a payroll year"
        LawYear = Pool().get('kazan.payroll.law_year')
        with self.assertRaisesRegex(UserError, '2024.*Minimum Wage'):
            LawYear.parameters(2024)

    @in_rolled_back_transaction
    def test_previous_cap_missing(self):
        LawYear = Pool().get('kazan.payroll.law_year')
        LawYear.delete([self.law_year(2024)])
        with self.assertRaisesRegex(UserError, '2026.*2024'):
            LawYear.parameters(2026)
        with self.assertRaisesRegex(UserError, '2025.*2024'):
            LawYear.parameters(2025)

    @in_rolled_back_transaction
    def test_new_year(self):
        "a new year copied from the last one is a payroll year"
        LawYear = Pool().get('kazan.payroll.law_year')
        law_year, = LawYear.copy([self.law_year(2026)])
        self.assertEqual(law_year.year, 2027)
        law_year.mrot = Decimal('30000')
        law_year.save()
        parameters = LawYear.parameters(2027)
        self.assertEqual(parameters.mrot, Decimal('30000'))
        self.assertEqual(parameters.sick_earnings_caps,
            (Decimal('2759000'), Decimal('2979000')))
        self.assertEqual(len(parameters.ndfl_bands), 5)

    @in_rolled_back_transaction
    def test_copy_takes_the_next_free_year(self):
        LawYear = Pool().get('kazan.payroll.law_year')
        copies = LawYear.copy([self.law_year(2024), self.law_year(2026)])
        self.assertEqual([c.year for c in copies], [2027, 2028])

    @in_rolled_back_transaction
    def test_year_unique(self):
        LawYear = Pool().get('kazan.payroll.law_year')
        with self.assertRaises(SQLConstraintError):
            LawYear.create([{'year': 2026, 'contribution_cap': 1}])

    @in_rolled_back_transaction
    def test_validation(self):
        "negative figures, rates beyond 100 and a wrong scale are refused"
        LawYear = Pool().get('kazan.payroll.law_year')
        for values, message in [
                (lambda b: {'mrot': Decimal(-1)}, 'Minimum Wage.*2026.*-1'),
                (lambda b: {'contribution_rate': Decimal(101)},
                    'from 0 to 100'),
                (lambda b: {'ndfl_bands': [('delete', [b[0].id])]},
                    'start at the threshold 0, not 2400000'),
                (lambda b: {'ndfl_bands': [('write', [b[2400000].id],
                                {'threshold': Decimal(5000000)})]},
                    'repeat the threshold 5000000'),
                (lambda b: {'ndfl_bands': [('write', [b[0].id],
                                {'rate': Decimal(-1)})]},
                    'rate -1'),
                ]:
            with self.subTest(message=message):
                law_year = self.law_year(2026)
                bands = {b.threshold: b for b in law_year.ndfl_bands}
                with self.assertRaisesRegex(ValidationError, message):
                    LawYear.write([law_year], values(bands))
            Transaction().rollback()

    @in_rolled_back_transaction
    def test_band_replaced_in_one_write(self):
        "a band deleted and created again with its threshold, as the client"
        LawYear = Pool().get('kazan.payroll.law_year')
        law_year = self.law_year(2026)
        band, = [b for b in law_year.ndfl_bands if b.threshold == 2400000]
        LawYear.write([law_year], {'ndfl_bands': [
                    ('create', [{'threshold': Decimal(2400000),
                                'rate': Decimal(16)}]),
                    ('delete', [band.id]),
                    ]})
        self.assertEqual(LawYear.parameters(2026).ndfl_bands[1],
            (Decimal(2400000), Decimal(16)))

    @in_rolled_back_transaction
    def test_calendar_validation(self):
        CalendarDay = Pool().get('kazan.payroll.calendar_day')
        with self.assertRaisesRegex(ValidationError, 'RU-TT'):
            CalendarDay.create([{
                        'date': dt.date(2026, 3, 2), 'kind': 'holiday',
                        'name': 'Тест', 'region': 'RU-TT'}])
        Transaction().rollback()
        with self.assertRaises(SQLConstraintError):
            CalendarDay.create([{
                        'date': dt.date(2026, 1, 1), 'kind': 'holiday',
                        'name': 'Дубль', 'region': rules.FEDERAL}])

    @in_rolled_back_transaction
    def test_parameters_are_cached(self):
        "parameters() is cheap: thousands of calls hit the cache"
        LawYear = Pool().get('kazan.payroll.law_year')
        first = LawYear.parameters(2026)
        for _ in range(5000):
            self.assertIs(LawYear.parameters(2026), first)
