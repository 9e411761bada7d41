# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The printed payslip (ТК ст. 136) and payroll register (ОКУД 0504402).

One institution with three employees (one of them on sick leave, one with
children) is computed once; every test prints from it, in Russian as the
accountants read it, and checks the figures against the payslips.
"""
import datetime as dt
import unittest
from decimal import Decimal
from pathlib import Path

import polib
from lxml import html

from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .test_payroll import plain
from .tools import in_rolled_back_transaction, school_with_staff

START = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 1)
MODULE_DIR = Path(__file__).resolve().parents[1]
REPORTS = ['kazan.payroll.payslip.report', 'kazan.payroll.run.register',
    'kazan.payroll.personal_card', 'kazan.payroll.run.timesheet',
    'kazan.payroll.absence.average_note']


def amount(text):
    "An amount as the Russian language writes it: 26 100,00"
    return Decimal(''.join(text.split()).replace('\u00a0', '')
        .replace(',', '.'))


class ReportTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            Absence = pool.get('kazan.payroll.absence')
            Run = pool.get('kazan.payroll.run')
            school, employees = school_with_staff(pool, 46, START, [
                    plain(1),
                    plain(2),
                    plain(3, kfo='2', children=2,
                        position='Учитель физики'),
                    ])
            school.chief_accountant = 'Главбух Г. Г.'
            school.save()
            Absence.create([{
                        'company': school.id, 'employee': employees[1].id,
                        'kind': 'sick', 'start_date': dt.date(2026, 3, 10),
                        'end_date': dt.date(2026, 3, 14),
                        'certificate': '910123456789'}])
            run, = Run.runs_for([school], MARCH)
            Run.compute([run])
            return run.id
        cls.run_id = in_transaction(DB_NAME, setup)

    def run_(self):
        return Pool().get('kazan.payroll.run')(self.run_id)

    def russian(self):
        "Russian as the service's users read it (rolled back with the test)"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        russian, = Lang.search([('code', '=', 'ru')])
        Lang.write([russian], {'translatable': True})
        Translation.translation_import('ru', 'kazan_payroll',
            [str(MODULE_DIR / 'locale' / 'ru.po')])
        return Transaction().set_context(language='ru')

    def execute(self, name, records):
        Report = Pool().get(name, type='report')
        ext, content, direct_print, title = Report.execute(
            [r.id for r in records], {})
        self.assertEqual(ext, 'html')
        self.assertFalse(direct_print)
        if isinstance(content, bytes):
            content = content.decode('utf-8')
        return html.document_fromstring(content)

    def slip(self, number):
        slip, = [s for s in self.run_().payslips
            if s.employee.personnel_number == f'{number:04d}']
        return slip

    @in_rolled_back_transaction
    def test_payslip_per_article_136(self):
        "Every part of ТК ст. 136, with amounts and grounds, in Russian"
        slips = self.run_().payslips
        with self.russian():
            document = self.execute('kazan.payroll.payslip.report', slips)
            ndfl_line, = [l for l in self.slip(1).lines if l.code == 'ndfl']
            grounds_ndfl = ndfl_line.grounds
        pages = document.xpath('//section[@class="payslip"]')
        self.assertEqual(len(pages), 3)
        style = document.xpath('string(//style)')
        self.assertIn('section.payslip + section.payslip', style)
        self.assertIn('break-before: page', style)

        slip = self.slip(1)
        page, = document.xpath(f'//section[@id="payslip-{slip.id}"]')
        text = page.text_content()
        self.assertEqual(page.xpath('string(.//h1)'), 'Расчетный листок')
        for label in ['Табельный номер', 'Должность', 'Отработано дней',
                '1. Составные части заработной платы',
                '2. Другие начисленные суммы', '3. Удержания',
                '4. Общая денежная сумма, подлежащая выплате',
                'С начала года']:
            self.assertIn(label, text)
        self.assertIn('Фамилия1 Имя Отчество', text)
        self.assertIn('03.2026', text)
        self.assertEqual(page.xpath(
                'string(.//td[@class="personnel-number"])'), '0001')
        self.assertEqual(page.xpath('string(.//td[@class="worked-days"])'),
            str(slip.worked_days))

        def cells(css_class):
            row, = page.xpath(f'.//tr[contains(@class, "{css_class}")]')
            return [c.text_content().strip() for c in row.xpath('td|th')]
        label, ndfl, grounds = cells('line ndfl')
        self.assertEqual(label, 'НДФЛ удержан')
        self.assertEqual(amount(ndfl), slip.ndfl)
        self.assertEqual(grounds, grounds_ndfl)
        self.assertIn('ст. 224 НК РФ', grounds)
        label, salary, grounds = cells('line salary')
        self.assertEqual(amount(salary), Decimal('30000.00'))
        # Russian groups thousands with a (no-break) space
        self.assertTrue(' '.join(grounds.split()).startswith(
                'оклад 30 000,00 × ставка 1 × '), grounds)
        self.assertEqual(amount(cells('net')[1]), slip.net)
        self.assertEqual(amount(cells('advance')[1]), slip.advance)
        self.assertEqual(amount(cells('final-payment')[1]),
            slip.final_payment)
        self.assertEqual(amount(cells('total gross')[1]), slip.gross)
        self.assertEqual(amount(cells('line contributions')[1]),
            slip.contributions)
        self.assertEqual(amount(cells('ytd-ndfl')[1]), slip.ytd_ndfl)

        # the sick pay is among the other sums, with its grounds
        sick_slip = self.slip(2)
        page, = document.xpath(f'//section[@id="payslip-{sick_slip.id}"]')
        row, = page.xpath('.//tr[contains(@class, "sick_employer")]')
        label, sick, grounds = [c.text_content() for c in row.xpath('td')]
        self.assertEqual(amount(sick), Decimal('5342.46'))
        self.assertIn('больничный с 10.03.2026 по 14.03.2026', grounds)
        part = row.xpath('preceding-sibling::tr[@class="part"][1]')[0]
        self.assertIn('Другие начисленные суммы', part.text_content())

        # the child deductions are shown for information with their grounds
        page, = document.xpath(
            f'//section[@id="payslip-{self.slip(3).id}"]')
        row, = page.xpath('.//tr[contains(@class, "standard_deduction")]')
        self.assertIn('Стандартные вычеты на детей', row.text_content())
        self.assertIn('детей: 2', row.text_content())

    @in_rolled_back_transaction
    def test_register_totals_per_kfo(self):
        "A row per employee; the totals per КФО are the payslips' sums"
        run = self.run_()
        company = run.company
        company.director = 'Директор Д. Д.'
        company.save()
        with self.russian():
            document = self.execute('kazan.payroll.run.register', [run])
        register, = document.xpath('//section[@class="register"]')
        self.assertIn('size: A4 landscape', document.xpath('string(//style)'))
        self.assertEqual(register.xpath('string(.//h1)'),
            'Расчетная ведомость')
        text = register.text_content()
        for label in ['0504402', company.inn, '03.2026',
                'Главный бухгалтер', 'Главбух Г. Г.', 'Директор Д. Д.',
                'Итого по КФО', 'Отпускные', 'Удержано', 'К выплате']:
            self.assertIn(label, text)
        rows = register.xpath('.//tr[@class="employee"]')
        self.assertEqual(len(rows), 3)
        self.assertEqual(
            [r.xpath('string(td[@class="number"][1])') for r in rows],
            ['1', '2', '3'])

        def figures(row):
            return {name: amount(row.xpath(f'string(td[contains(@class, '
                        f'"{name}")])'))
                for name in ['salary', 'sick_employer', 'total-accrued',
                    'ndfl', 'total-withheld', 'advance', 'final-payment']}

        def expected(slips):
            def line_sum(code):
                return sum((l.amount for s in slips for l in s.lines
                        if l.code == code), Decimal(0))
            return {
                'salary': line_sum('salary'),
                'sick_employer': line_sum('sick_employer'),
                'total-accrued': sum(s.gross for s in slips),
                'ndfl': sum(s.ndfl for s in slips),
                'total-withheld': sum(s.ndfl for s in slips),
                'advance': sum(s.advance for s in slips),
                'final-payment': sum(s.final_payment for s in slips),
                }

        for kfo in ['2', '4']:
            slips = [s for s in run.payslips if s.kfo == kfo]
            group, = register.xpath(f'.//tbody[@class="kfo-{kfo}"]')
            self.assertEqual(len(group.xpath('tr[@class="employee"]')),
                len(slips))
            total, = group.xpath('tr[contains(@class, "kfo-total")]')
            self.assertEqual(figures(total), expected(slips))
        grand_total, = register.xpath('.//tr[contains(@class, "grand-total")]')
        self.assertEqual(figures(grand_total), expected(run.payslips))
        self.assertEqual(figures(grand_total)['total-accrued'], run.gross)

        sick_row, = register.xpath(
            f'.//tr[@id="payslip-{self.slip(2).id}"]')
        self.assertEqual(figures(sick_row)['sick_employer'],
            Decimal('5342.46'))
        self.assertEqual(sick_row.xpath('string(td[@class="name"])'),
            'Фамилия2 Имя Отчество')

    @in_rolled_back_transaction
    def test_in_the_default_language(self):
        "Without Russian loaded the templates print their English text"
        document = self.execute('kazan.payroll.payslip.report',
            [self.slip(1)])
        self.assertEqual(document.xpath('string(//h1)'), 'Payslip')
        self.assertIn('26,100.00', document.text_content())
        document = self.execute('kazan.payroll.run.register', [self.run_()])
        self.assertEqual(document.xpath('string(//h1)'), 'Payroll register')

    @in_rolled_back_transaction
    def test_file_names_safe(self):
        """The reports are named after the institution and the person:
        their '/' and quotes never reach the file name, an ordinary name
        is kept (party names refuse control characters)"""
        pool = Pool()
        run = self.run_()
        slip = self.slip(1)

        def file_names(company, person):
            run.company.party.name = company
            run.company.party.save()
            slip.employee.party.name = person
            slip.employee.party.save()
            month = run.rec_name[len(company) + 1:]
            names = []
            for name, record in [('kazan.payroll.payslip.report', slip),
                    ('kazan.payroll.run.register', run)]:
                Report = pool.get(name, type='report')
                *_, file_name = Report.execute([record.id], {})
                names.append(file_name)
            return names, month

        names, month = file_names('МБОУ Школа № 41', 'Иванова Анна Петровна')
        self.assertEqual(names, [
                f'Payslip-Иванова Анна Петровна {month}',
                f'Payroll Register (0504402)-МБОУ Школа № 41 {month}'])
        names, month = file_names('МБОУ "СОШ №7/2" \u00abЛицей\u00bb',
            "Д'Артаньян/Шарль де Бац")
        self.assertEqual(names, [
                f'Payslip-ДАртаньян_Шарль де Бац {month}',
                f'Payroll Register (0504402)-МБОУ СОШ №7_2 Лицей {month}'])

    @in_rolled_back_transaction
    def test_every_report_string_is_translated(self):
        """The strings Tryton registers from the templates (the "Set
        Translations" wizard) are all in ru.po"""
        pool = Pool()
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        TranslationSet(session_id).set_report()
        TranslationSet.delete(session_id)
        template = polib.pofile(
            Translation.translation_export('en', 'kazan_payroll').decode())
        strings = {(e.msgctxt, e.msgid) for e in template
            if e.msgctxt.startswith('report:')}
        self.assertEqual({c for c, _ in strings},
            {f'report:{name}:' for name in REPORTS})
        russian = polib.pofile(str(MODULE_DIR / 'locale' / 'ru.po'))
        translated = {(e.msgctxt, e.msgid) for e in russian
            if e.msgstr and 'fuzzy' not in e.flags}
        missing = [e for e in template
            if (e.msgctxt, e.msgid) in strings - translated]
        self.assertFalse(missing, '\n' + ''.join(f'\n{e}' for e in missing))
