# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The payroll's documents: the card 0504417, the timesheet 0504421 and
the note-calculation 0504425, and the register and payslip showing every
line code.

The pure parts are tested on hand-counted months of the 2026 calendar;
the reports on one school whose March and April are posted (a sick leave
and an annual leave in April), printed in Russian and checked against
the payslips.
"""
import datetime as dt
import json
import unittest
from collections import namedtuple
from contextlib import ExitStack
from decimal import Decimal

from lxml import html

from trytond.model.exceptions import AccessError
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll import absence as absence_module
from trytond.modules.kazan_payroll import document, rules
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from . import test_reports
from .test_payroll import plain
from .tools import in_rolled_back_transaction, school_with_staff

MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)
MAY = dt.date(2026, 5, 1)
SICK = (dt.date(2026, 4, 6), dt.date(2026, 4, 10))
VACATION = (dt.date(2026, 4, 13), dt.date(2026, 4, 26))
AVERAGE_DAILY = Decimal('1500.00')
amount = test_reports.amount


class TimesheetRuleTestCase(unittest.TestCase):
    "The days of the timesheet, counted by hand on the 2026 calendar"

    def setUp(self):
        self.calendar = rules.load_calendar()
        self.codes = document.timesheet_codes()

    def test_code_table(self):
        "The codes of the unified forms, one for every kind of absence"
        codes = {s: c.code for s, c in self.codes.items()}
        self.assertEqual(codes, {'worked': 'Я', 'weekend': 'В',
                'vacation': 'ОТ', 'sick': 'Б', 'child_sick': 'Б',
                'unpaid': 'ДО'})
        kinds = {k for k, _ in absence_module.ABSENCE_KINDS}
        self.assertFalse(kinds - set(self.codes), "a kind has no code")

    def test_leave_over_a_holiday_part_time(self):
        """May 2026 in Tatarstan, annual leave 4–17 May at half a rate.

        Off days: 1 (holiday), 2, 3, 9 (holiday), 10, 11 (transfer), 16,
        17, 23, 24, 27 (Курбан-байрам), 30, 31: 13, so 18 working days.
        The leave: 14 days less the holiday of 9 May (ТК ст. 120) = 13 ОТ;
        it covers the working days 4–8 and 12–15: 9, so 18 - 9 = 9 worked
        (18–22, 25, 26, 28, 29); 26 May is shortened: 8 × 4 h + 3.5 h =
        35.5 h at half a rate.  Days off outside the leave: 1, 2, 3, 23, 24,
        27, 30, 31, and 9 May: 9.  9 + 13 + 9 = 31."""
        row = document.timesheet_row('employee', MAY, self.calendar,
            self.codes, [('vacation', dt.date(2026, 5, 4),
                    dt.date(2026, 5, 17))], rate=Decimal('0.5'))
        self.assertEqual(len(row.days), 31)
        self.assertEqual(row.worked_days, 9)
        self.assertEqual(row.worked_hours, Decimal('35.5'))
        self.assertEqual(row.absent_days, {'ОТ': 13})
        self.assertEqual(row.weekend_days, 9)
        code = {d.date.day: d.code for d in row.days}
        self.assertEqual([code[d] for d in [8, 9, 10, 11, 18, 26, 27]],
            ['ОТ', 'В', 'ОТ', 'ОТ', 'Я', 'Я', 'В'])
        hours = {d.date.day: d.hours for d in row.days}
        self.assertEqual((hours[25], hours[26], hours[9]),
            (Decimal(4), Decimal('3.5'), None))

    def test_hired_mid_month_then_sick(self):
        """Hired 20 May, sick 25–28 May: 19 blank days; sick leave is in
        calendar days, the holiday of 27 May too (4 Б); worked 20, 21, 22,
        29 (4 days, 32 h at a full rate); off 23, 24, 30, 31"""
        row = document.timesheet_row('employee', MAY, self.calendar,
            self.codes, [('sick', dt.date(2026, 5, 25),
                    dt.date(2026, 5, 28))],
            hire_date=dt.date(2026, 5, 20), rate=Decimal('1.5'))
        self.assertEqual([d.code for d in row.days[:19]], [''] * 19)
        self.assertEqual(row.worked_days, 4)
        self.assertEqual(row.worked_hours, Decimal(32))
        self.assertEqual(row.absent_days, {'Б': 4})
        self.assertEqual(row.weekend_days, 4)

    def test_unknown_kind(self):
        with self.assertRaises(LookupError):
            document.timesheet_row('employee', MAY, self.calendar,
                {k: v for k, v in self.codes.items() if k != 'unpaid'},
                [('unpaid', dt.date(2026, 5, 4), dt.date(2026, 5, 4))])


class CardRuleTestCase(unittest.TestCase):

    def test_rows_months_and_totals(self):
        "A row per code in the lines' order, a column per month, the sums"
        E, W = rules.EARNING, rules.WITHHOLDING
        lines = {
            (3, E, 'salary'): Decimal('30000.00'),
            (4, E, 'salary'): Decimal('15000.00'),
            (4, E, 'vacation'): Decimal('21000.00'),
            (3, W, 'ndfl'): Decimal('3900'),
            (4, W, 'ndfl'): Decimal('4680'),
            (4, W, 'union_dues'): Decimal('360.00'),
            }
        payments = {(3, 'net'): Decimal('26100.00'),
            (4, 'net'): Decimal('30960.00')}
        card = document.card('employee', 2026, '4', lines, payments,
            ['salary', 'vacation', 'ndfl'])
        accrued = card.parts['accrued']
        self.assertEqual([r.code for r in accrued.rows],
            ['salary', 'vacation'])
        salary = accrued.rows[0]
        self.assertEqual(salary.months[2:4],
            [Decimal('30000.00'), Decimal('15000.00')])
        self.assertEqual(salary.total, Decimal('45000.00'))
        # 30,000 + 15,000 + 21,000
        self.assertEqual(accrued.total.total, Decimal('66000.00'))
        self.assertEqual(accrued.total.months[3], Decimal('36000.00'))
        withheld = card.parts['withheld']
        # a code the selection lacks comes last
        self.assertEqual([r.code for r in withheld.rows],
            ['ndfl', 'union_dues'])
        # 3,900 + 4,680 + 360
        self.assertEqual(withheld.total.total, Decimal('8940.00'))
        self.assertEqual(card.payments['net'].total, Decimal('57060.00'))
        self.assertEqual(card.payments['advance'].total, Decimal(0))
        self.assertEqual(card.parts['employer'].rows, [])


def months_basis():
    """The 12 months of a leave from 13 April 2026 as the vacation average
    writes them: 11 full months of 30,000 (29.3 days each) and June 2025,
    30 days with 10 of sick leave, 20,000 earned: 29.3 × 20 / 30 = 19.53"""
    months = []
    month = dt.date(2025, 4, 1)
    while month < APRIL:
        partial = month == dt.date(2025, 6, 1)
        months.append({'month': month.isoformat(),
                'earnings': '20000.00' if partial else '30000.00',
                'calendar_days': rules.month_bounds(month)[1].day,
                'excluded_days': 10 if partial else 0,
                'counted_days': '19.53' if partial else '29.3'})
        month = rules.month_bounds(month)[1] + dt.timedelta(days=1)
    # 350,000 ÷ (11 × 29.3 + 19.53 = 341.83) = 1,023.900…
    return {'average_daily': '1023.90', 'earnings': '350000.00',
        'counted_days': '341.83', 'months': months}


class AverageNoteRuleTestCase(unittest.TestCase):

    def test_twelve_months(self):
        "The months, their sums and the pay of a leave accrued in 2 months"
        basis = months_basis()
        note = document.average_note([
                (MAY, Decimal('10237.00') - Decimal('0.00'),
                    dict(basis, days='10', start='2026-04-27')),
                (APRIL, Decimal('4095.60'),
                    dict(basis, days='4', start='2026-04-27')),
                ])
        self.assertEqual(len(note.months), 12)
        self.assertEqual(note.months[2], (dt.date(2025, 6, 1),
                Decimal('20000.00'), 30, 10, Decimal('19.53')))
        self.assertEqual(note.earnings, Decimal('350000.00'))
        self.assertEqual(note.counted_days, Decimal('341.83'))
        # 11 × 30,000 + 20,000; 11 × 29.3 + 19.53
        self.assertEqual((note.months_earnings, note.months_counted_days),
            (Decimal('350000.00'), Decimal('341.83')))
        self.assertEqual(note.average_daily, Decimal('1023.90'))
        self.assertEqual(
            (note.earnings / note.counted_days).quantize(Decimal('0.01')),
            note.average_daily)
        # by payslip month: April's 4 days (4 × 1,023.90 = 4,095.60), May's
        # 10; 14 days, 4,095.60 + 10,237.00
        self.assertEqual([(a.month, a.days) for a in note.accruals],
            [(APRIL, 4), (MAY, 10)])
        self.assertEqual(note.days, 14)
        self.assertEqual(note.amount, Decimal('14332.60'))

    def test_totals_from_the_months(self):
        "Without the basis' totals, the sums of its months"
        basis = months_basis()
        del basis['earnings'], basis['counted_days']
        note = document.average_note([(APRIL, Decimal('14334.60'),
                    dict(basis, days='14'))])
        # 11 × 30,000 + 20,000; 11 × 29.3 + 19.53
        self.assertEqual(note.earnings, Decimal('350000.00'))
        self.assertEqual(note.counted_days, Decimal('341.83'))

    def test_months_as_text(self):
        "The months written in the basis as text, JSON or Python's"
        basis = months_basis()
        for text in [json.dumps(basis['months']), str(basis['months'])]:
            note = document.average_note([(APRIL, Decimal('14334.60'),
                        dict(basis, months=text, days='14'))])
            self.assertEqual(len(note.months), 12)
            self.assertEqual(note.counted_days, Decimal('341.83'))
        note = document.average_note([(APRIL, Decimal('14334.60'),
                    dict(basis, months='[Decimal(1)]', days='14'))])
        self.assertEqual(note.months, [])
        self.assertEqual(note.counted_days, Decimal('341.83'))

    def test_older_basis(self):
        "A basis without the months gives what it has"
        note = document.average_note([(APRIL, Decimal('21000.00'),
                    {'days': '14', 'average_daily': '1500.00',
                        'start': '2026-04-13', 'end': '2026-04-26'})])
        self.assertEqual(note.months, [])
        self.assertIsNone(note.earnings)
        self.assertIsNone(note.counted_days)
        self.assertEqual(note.average_daily, AVERAGE_DAILY)
        self.assertEqual((note.days, note.amount), (14, Decimal('21000.00')))
        self.assertEqual(document.average_note([]).accruals, [])

    def test_line_to_leave(self):
        "A line pays the leave of its start, else the only one of its month"
        Leave = namedtuple('Leave', ['start_date', 'end_date'])
        april = Leave(*VACATION)
        may = Leave(dt.date(2026, 5, 18), dt.date(2026, 5, 31))
        leaves = [april, may]
        leave_of = document._leave_of
        self.assertIs(leave_of({'start': '2026-05-18'}, APRIL, leaves), may)
        self.assertIsNone(leave_of({'start': '2026-05-19'}, MAY, leaves))
        self.assertIs(leave_of({}, MAY, leaves), may)
        self.assertIsNone(leave_of({}, MARCH, leaves))
        self.assertIsNone(leave_of({}, APRIL, leaves + [
                    Leave(dt.date(2026, 4, 27), dt.date(2026, 4, 30))]))


class DocumentReportTestCase(unittest.TestCase):
    """One school, March and April 2026 posted: 0001 works, 0002 is sick
    6–10 April, 0003 (КФО 2) on annual leave 13–26 April"""

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            Absence = pool.get('kazan.payroll.absence')
            Run = pool.get('kazan.payroll.run')
            school, employees = school_with_staff(pool, 47, MARCH, [
                    plain(1), plain(2), plain(3, kfo='2')])
            school.chief_accountant = 'Главбух Г. Г.'
            school.save()
            Absence.create([{
                        'company': school.id, 'employee': employees[1].id,
                        'kind': 'sick', 'start_date': SICK[0],
                        'end_date': SICK[1],
                        'certificate': '910000000047'}, {
                        'company': school.id, 'employee': employees[2].id,
                        'kind': 'vacation', 'start_date': VACATION[0],
                        'end_date': VACATION[1],
                        'average_daily': AVERAGE_DAILY,
                        'note': 'Приказ № 12-о'}])
            for month in [MARCH, APRIL]:
                run, = Run.runs_for([school], month)
                Run.compute([run])
                Run.post([run])
            return school.id, [e.id for e in employees]
        cls.school_id, cls.employee_ids = in_transaction(DB_NAME, setup)

    russian = test_reports.ReportTestCase.russian

    def execute(self, name, records, data=None):
        Report = Pool().get(name, type='report')
        ext, content, _, _ = Report.execute([r.id for r in records],
            data or {})
        self.assertEqual(ext, 'html')
        return html.document_fromstring(content)

    def run_(self, month):
        Run = Pool().get('kazan.payroll.run')
        run, = Run.search([('company', '=', self.school_id),
                ('month', '=', month)])
        return run

    def employees(self):
        return Pool().get('company.employee').browse(self.employee_ids)

    def payslips(self, employee, kfo=None):
        Payslip = Pool().get('kazan.payroll.payslip')
        return Payslip.search([('employee', '=', employee.id)]
            + ([('kfo', '=', kfo)] if kfo else []))

    @in_rolled_back_transaction
    def test_card_totals_are_the_payslips(self):
        "A card per employee and КФО: the year's columns sum the payslips"
        employees = self.employees()
        with self.russian():
            document_ = self.execute('kazan.payroll.personal_card',
                employees)
        self.assertIn('size: A4 landscape', document_.xpath('string(//style)'))
        cards = document_.xpath('//section[@class="card"]')
        self.assertEqual(len(cards), 3)
        for employee in employees:
            slips = self.payslips(employee)
            kfo = slips[0].kfo
            card, = document_.xpath(
                f'//section[@id="card-{employee.id}-{kfo}"]')
            text = card.text_content()
            for label in ['Карточка-справка', '0504417', '2026',
                    employee.party.name, 'Начислено', 'Удержано',
                    'Главбух Г. Г.']:
                self.assertIn(label, text)

            def total(css_class, column='year-total'):
                rows = card.xpath(f'.//tr[contains(concat(" ", @class, " "), '
                    f'" {css_class} ")]')
                if not rows:
                    return Decimal(0)
                row, = rows
                return amount(row.xpath(
                        f'string(td[contains(@class, "{column}")])') or '0')
            self.assertEqual(total('accrued-total'),
                sum(s.gross for s in slips))
            # NDFL from the pay, the sick pay and the vacation pay
            self.assertEqual(
                sum(total(f'line {code}') for code in rules.NDFL_CODES),
                sum(s.ndfl for s in slips))
            self.assertEqual(total('withheld-total'),
                sum(s.gross - s.net for s in slips))
            self.assertEqual(total('total net'), sum(s.net for s in slips))
            self.assertEqual(total('final-payment'),
                sum(s.final_payment for s in slips))
            april, = [s for s in slips if s.run.month == APRIL]
            self.assertEqual(total('accrued-total', 'm4'), april.gross)
            self.assertEqual(total('line contributions'),
                sum(s.contributions for s in slips))
        card, = document_.xpath(
            f'//section[@id="card-{employees[2].id}-2"]')
        row, = card.xpath('.//tr[contains(@class, "line vacation")]')
        self.assertIn('Отпускные', row.text_content())
        self.assertEqual(amount(row.xpath('string(td[@class="amount m4"])')),
            AVERAGE_DAILY * 14)

    @in_rolled_back_transaction
    def test_card_of_a_year_without_payslips(self):
        "Another year: no card, said so"
        document_ = self.execute('kazan.payroll.personal_card',
            self.employees(), {'year': 2025})
        self.assertFalse(document_.xpath('//section[@class="card"]'))
        self.assertIn('No posted payslips', document_.text_content())

    @in_rolled_back_transaction
    def test_timesheet_of_april(self):
        """The working days of April less those of the absences, with
        their codes: Я, Б for the sick leave, ОТ for the annual leave"""
        pool = Pool()
        calendar = pool.get('kazan.payroll.calendar_day').calendar()
        run = self.run_(APRIL)
        with self.russian():
            document_ = self.execute('kazan.payroll.run.timesheet', [run])
        sheet, = document_.xpath('//section[@class="timesheet"]')
        self.assertIn('size: A4 landscape', document_.xpath('string(//style)'))
        text = sheet.text_content()
        for label in ['Табель учета использования рабочего времени',
                '0504421', '04.2026', 'Ежегодный основной оплачиваемый отпуск',
                'Временная нетрудоспособность с назначением пособия']:
            self.assertIn(label, text)
        norm = calendar.working_days(2026, 4)
        norm_hours = calendar.working_hours(2026, 4)
        absences = {self.employee_ids[1]: ('Б', SICK),
            self.employee_ids[2]: ('ОТ', VACATION)}
        for employee in self.employees():
            body, = sheet.xpath(f'.//tbody[@id="employee-{employee.id}"]')
            codes = [c.text_content() for c in body.xpath(
                    'tr[@class="codes"]/td[starts-with(@class, "code")]')]
            self.assertEqual(len(codes), 30)
            worked = int(body.xpath('string(.//td[@class="worked-days"])'))
            hours = amount(body.xpath(
                    'string(.//td[@class="worked-hours"])'))
            slip, = [s for s in self.payslips(employee)
                if s.run.month == APRIL]
            self.assertEqual(worked, slip.worked_days)
            if employee.id not in absences:
                self.assertEqual(worked, norm)
                self.assertEqual(hours, norm_hours)
                self.assertEqual(codes.count('Я'), norm)
                continue
            code, (start, end) = absences[employee.id]
            absent_working = calendar.working_days_between(start, end)
            self.assertEqual(worked, norm - absent_working)
            # no shortened day in the leaves: 8 h a day
            self.assertEqual(hours, norm_hours - 8 * absent_working)
            days = (end - start).days + 1
            self.assertEqual(codes[start.day - 1:end.day], [code] * days)
            self.assertEqual(codes.count(code), days)
            cell, = body.xpath(f'.//td[@data-code="{code}"]')
            self.assertEqual(int(cell.text_content()), days)

    @in_rolled_back_transaction
    def test_note_of_the_leave(self):
        "The pay of the leave from its line; the 12 months once recorded"
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        Line = pool.get('kazan.payroll.payslip.line')
        leave, = Absence.search([('company', '=', self.school_id),
                ('kind', '=', 'vacation')])
        with self.russian():
            document_ = self.execute(
                'kazan.payroll.absence.average_note', [leave])
        note, = document_.xpath('//section[@class="note"]')
        text = note.text_content()
        for label in ['Записка-расчет', '0504425', 'Приказ № 12-о',
                'Ежегодный отпуск', '13.04.2026', '26.04.2026']:
            self.assertIn(label, text)

        def figure(table, css_class):
            return note.xpath(f'string(.//table[contains(@class, "{table}")]'
                f'//tr[@class="total"]/td[contains(@class, "{css_class}")])')
        # 14 days of April, no holiday: 14 × 1,500.00 = 21,000.00
        self.assertEqual(amount(figure('average', 'average-daily')),
            AVERAGE_DAILY)
        self.assertEqual(figure('accruals', 'days'), '14')
        self.assertEqual(amount(figure('accruals', 'amount')),
            Decimal('21000.00'))
        self.assertTrue(note.xpath('.//p[@class="no-months"]'))

        # paid before the leave by its document (ТК ст. 136)
        line, = Line.search([('payslip.employee', '=', leave.employee.id),
                ('code', 'in', ['vacation', 'vacation_paid'])])
        self.assertEqual(line.amount, Decimal('21000.00'))
        basis = dict(json.loads(line.basis), **months_basis())
        Line.write([line], {'basis': json.dumps(basis)})
        with self.russian():
            document_ = self.execute(
                'kazan.payroll.absence.average_note', [leave])
        note, = document_.xpath('//section[@class="note"]')
        self.assertEqual(len(note.xpath('.//tr[@class="month"]')), 12)
        self.assertFalse(note.xpath('.//p[@class="no-months"]'))
        self.assertEqual(amount(figure('months', 'earnings')),
            Decimal('350000.00'))
        self.assertEqual(amount(figure('months', 'counted-days')),
            Decimal('341.83'))
        self.assertEqual(amount(figure('average', 'average-daily')),
            Decimal('1023.90'))
        june, = [r for r in note.xpath('.//tr[@class="month"]')
            if '06.2025' in r.text_content()]
        self.assertEqual(
            [c.text_content().replace('\u00a0', ' ')
                for c in june.xpath('td')][1:],
            ['20 000,00', '30', '10', '19,53'])

    @in_rolled_back_transaction
    def test_note_of_a_leave_not_computed(self):
        "A leave no run has paid yet, an absence of another kind: said so"
        pool = Pool()
        Absence = pool.get('kazan.payroll.absence')
        leave, = Absence.create([{'company': self.school_id,
                    'employee': self.employee_ids[0], 'kind': 'vacation',
                    'start_date': dt.date(2026, 6, 1),
                    'end_date': dt.date(2026, 6, 14)}])
        sick, = Absence.search([('company', '=', self.school_id),
                ('kind', '=', 'sick')])
        document_ = self.execute(
            'kazan.payroll.absence.average_note', [leave, sick])
        note, other = document_.xpath('//section[@class="note"]')
        self.assertTrue(note.xpath('p[@class="not-computed"]'))
        self.assertFalse(note.xpath('p[@class="not-vacation"]'))
        self.assertTrue(other.xpath('p[@class="not-vacation"]'))
        self.assertFalse(other.xpath('p[@class="not-computed"]'))

    @in_rolled_back_transaction
    def test_every_line_code_in_register_and_payslip(self):
        """A code the forms do not list (a withholding, an earning) gets a
        column of the register and a line of the payslip"""
        pool = Pool()
        Line = pool.get('kazan.payroll.payslip.line')
        run = self.run_(APRIL)
        slip, = [s for s in run.payslips
            if s.employee.id == self.employee_ids[0]]
        Line.insert_lines([
                {'payslip': slip.id, 'sequence': 90, 'code': 'extra_work',
                    'kind': rules.EARNING, 'amount': Decimal('1000.00'),
                    'basis': '{}'},
                {'payslip': slip.id, 'sequence': 91, 'code': 'other_deduction',
                    'kind': rules.WITHHOLDING, 'amount': Decimal('261.00'),
                    'basis': '{}'}])
        with self.russian():
            document_ = self.execute('kazan.payroll.run.register', [run])
        row, = document_.xpath(f'//tr[@id="payslip-{slip.id}"]')
        headers = [h.text_content() for h in document_.xpath('//thead//th')]
        self.assertIn('extra_work', headers)
        self.assertIn('other_deduction', headers)
        self.assertEqual(amount(row.xpath(
                    'string(td[contains(@class, "other_deduction")])')),
            Decimal('261.00'))
        self.assertEqual(amount(row.xpath(
                    'string(td[contains(@class, "total-withheld")])')),
            slip.ndfl + Decimal('261.00'))
        self.assertEqual(amount(row.xpath(
                    'string(td[contains(@class, "total-accrued")])')),
            slip.gross + Decimal('1000.00'))
        # the vacation paid before the leave keeps its column
        total, = document_.xpath('//tr[contains(@class, "grand-total")]')
        self.assertEqual(amount(total.xpath(
                    'string(td[contains(concat(" ", @class, " "), '
                    '" vacation_paid ")])')),
            AVERAGE_DAILY * 14)

        with self.russian():
            document_ = self.execute('kazan.payroll.payslip.report', [slip])
        row, = document_.xpath(
            '//tr[contains(@class, "line other_deduction")]')
        part = row.xpath('preceding-sibling::tr[@class="part"][1]')[0]
        self.assertIn('Удержания', part.text_content())
        self.assertTrue(document_.xpath(
                '//tr[contains(@class, "line extra_work")]'))

    @in_rolled_back_transaction
    def test_director_prints_own_institution_only(self):
        """The director of another school prints its card, not those of
        this school; IT's onboarding group prints none"""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        other, (own,) = school_with_staff(pool, 48, MARCH, [plain(1)])

        def user(login, group):
            user, = User.create([{'login': login, 'name': login,
                        'companies': [('add', [other.id])],
                        'company': other.id,
                        'groups': [('add', [ModelData.get_id(
                                        'kazan_accounting', group)])]}])
            return user

        def as_user(user):
            "The user's own transaction, with the access checks of RPC"
            stack = ExitStack()
            stack.enter_context(Transaction().set_user(user.id))
            stack.enter_context(Transaction().set_context(
                    User.get_preferences(context_only=True),
                    _check_access=True))
            return stack

        foreign = [
            ('kazan.payroll.personal_card', self.employees()),
            ('kazan.payroll.run.timesheet', [self.run_(APRIL)]),
            ('kazan.payroll.absence.average_note', pool.get(
                    'kazan.payroll.absence').search(
                    [('company', '=', self.school_id)])),
            ]
        director = user('director48', 'group_director')
        with as_user(director):
            document_ = self.execute('kazan.payroll.personal_card', [own],
                {'year': 2026})
            self.assertIn('No posted payslips', document_.text_content())
            for name, records in foreign:
                with self.subTest(report=name), \
                        self.assertRaises(AccessError):
                    self.execute(name, records)
        # the client names the action; the group's users may not run it
        action, = pool.get('ir.action.report').search(
            [('report_name', '=', 'kazan.payroll.personal_card')])
        onboarding = user('it48', 'group_onboarding')
        with as_user(onboarding):
            with self.assertRaises(AccessError):
                self.execute('kazan.payroll.personal_card', [own],
                    {'action_id': action.id})
