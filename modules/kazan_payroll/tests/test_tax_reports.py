# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The quarterly figures: 6-НДФЛ and РСВ from the payslips, reconciled
with the ledger, as files and FNS XML, for the institution's own users.

One school from 1 January 2026 with three employees, January to March
posted and each final settlement paid on the 2nd of the next month; the
figures are computed by hand below, the arithmetic written:

- Ivanov: 30,000 a month, no children: NDFL 3,900, contributions 9,000;
- Petrov: 40,000 a month, two children (1,400 + 2,800 = 4,200 of
  deductions): NDFL (40,000 − 4,200) × 13 % = 4,654, contributions 12,000;
- Sidorov: 1,500,000 a month: the progressive scale and the cap of the
  contribution base (2026: 2,979,000) in February.
"""
import datetime as dt
import io
import unittest
from decimal import Decimal

import openpyxl
import pypdf
from lxml import etree

from trytond.model.exceptions import AccessError
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll import fns, rules, tax_report
from trytond.modules.kazan_payroll.payslip import LINE_CODES
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .test_payroll import plain
from .tools import in_rolled_back_transaction, school_with_staff

D = Decimal
START = dt.date(2026, 1, 1)
MONTHS = [dt.date(2026, m, 1) for m in (1, 2, 3)]
FEB_2, MAR_2, APR_2 = (dt.date(2026, 2, 2), dt.date(2026, 3, 2),
    dt.date(2026, 4, 2))


def employee(number, salary, children=0):
    return plain(number, base_salary=D(salary), children=children,
        ytd_income=D(0), ytd_ndfl=D(0), ytd_contribution_base=D(0))


class PureRulesTestCase(unittest.TestCase):
    "The periods and the split by band, without a database"

    def test_period_bounds(self):
        self.assertEqual(tax_report.period_bounds(2026, 2),
            (dt.date(2026, 1, 1), dt.date(2026, 4, 1),
                dt.date(2026, 6, 30)))
        self.assertEqual(tax_report.quarter_months(2026, 4),
            [dt.date(2026, 10, 1), dt.date(2026, 11, 1),
                dt.date(2026, 12, 1)])
        with self.assertRaises(ValueError):
            tax_report.period_bounds(2026, 5)

    def test_bands_and_split(self):
        params = rules.load_parameters(2026)
        bands = tax_report.band_bounds(params)
        # 13 % of 2.4 million = 312,000; + 15 % of 2.6 million = 702,000
        self.assertEqual(bands[0], (D(13), D(0), D(2400000), D(0),
                D(312000)))
        self.assertEqual(bands[1][3:], (D(312000), D(702000)))
        self.assertIsNone(bands[-1][2])
        # a base from 1.5 to 3 million: 900,000 at 13 %, 600,000 at 15 %;
        # its tax from 195,000 to 402,000: 117,000 and 90,000
        parts = tax_report.split_by_band(bands, D(1500000), D(3000000),
            D(195000), D(402000))
        self.assertEqual(parts[:3], [(D(900000), D(117000)),
                (D(600000), D(90000)), (D(0), D(0))])

    def test_half_months(self):
        self.assertEqual([tax_report.half_month(dt.date(2026, 3, d))
                for d in (1, 22, 23, 31)], [0, 0, 1, 1])


class TaxReportTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            Company = pool.get('company.company')
            Run = pool.get('kazan.payroll.run')
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            school, _ = school_with_staff(pool, 61, START, [
                    employee(1, 30000),
                    employee(2, 40000, children=2),
                    employee(3, 1500000),
                    ])
            other, = Company.setup_institutions(
                [sample.institution(62, START)])
            # the year's events of the certificates: vacation pay paid by
            # its document before the leave, a dismissal in March with
            # the compensation of unused leave and a severance
            Employee = pool.get('company.employee')
            Absence = pool.get('kazan.payroll.absence')
            events, (on_leave, leaver) = school_with_staff(pool, 64, START, [
                    employee(1, 30000), employee(2, 30000)])
            Absence.create([{'company': events.id,
                        'employee': on_leave.id, 'kind': 'vacation',
                        'start_date': dt.date(2026, 3, 16),
                        'end_date': dt.date(2026, 3, 22)}])
            Employee.write([leaver], {
                    'end_date': dt.date(2026, 3, 20),
                    'dismissal_reason': 'staff_reduction',
                    'vacation_days_used': D(280),
                    })
            for month in MONTHS:
                run, = Run.runs_for([school], month)
                Run.compute([run])
                Run.post([run])
                Run.pay_final([run])
                run, = Run.runs_for([events], month)
                Run.compute([run])
                Run.post([run])
                Run.pay_final([run])
            director = ModelData.get_id('kazan_accounting', 'group_director')
            users = User.create([{
                        'login': f'director{c.id}', 'name': "Директор",
                        'companies': [('add', [c.id])], 'company': c.id,
                        'groups': [('add', [director])],
                        } for c in [school, other]])
            return school.id, other.id, [u.id for u in users], events.id
        (cls.school_id, cls.other_id, cls.director_ids,
            cls.events_id) = in_transaction(DB_NAME, setup)

    def school(self):
        return Pool().get('company.company')(self.school_id)

    def report(self, quarter=1):
        return tax_report.TaxReport(self.school(), 2026, quarter)

    @in_rolled_back_transaction
    def test_ndfl6_first_quarter(self):
        "Section 2: the income of January and February, paid in Q1"
        report = self.report().ndfl6()
        rate13, rate15 = report.rates
        self.assertEqual((rate13.rate, rate15.rate), (D(13), D(15)))
        self.assertEqual(rate13.kbk, '18210102010011000110')
        self.assertEqual(rate15.kbk, '18210102080011000110')
        self.assertEqual((rate13.person_count, rate15.person_count), (3, 1))
        self.assertEqual(len(report.persons), 3)
        # 2 × 30,000 + 2 × 40,000 + (1,500,000 + 900,000 up to 2.4 million)
        self.assertEqual(rate13.income, D(2540000))
        # Sidorov's February above 2.4 million: 3,000,000 − 2,400,000
        self.assertEqual(rate15.income, D(600000))
        self.assertEqual(rate13.deductions, D(8400))  # 2 × 4,200
        self.assertEqual(rate15.deductions, D(0))
        # 2 × 3,900 + 2 × 4,654 + 312,000
        self.assertEqual(rate13.computed, D(329108))
        # 15 % × 600,000
        self.assertEqual(rate15.computed, D(90000))
        self.assertEqual((rate13.withheld, rate15.withheld),
            (D(329108), D(90000)))
        self.assertEqual(report.total('not_withheld'), D(0))
        self.assertEqual(report.total('returned'), D(0))

    @in_rolled_back_transaction
    def test_ndfl6_section_1_by_withholding_date(self):
        "Section 1: the NDFL of each month withheld at its final payment"
        report = self.report().ndfl6()
        self.assertEqual([w.date for w in report.withholdings],
            [FEB_2, MAR_2])
        feb, mar = report.withholdings
        self.assertEqual(feb.withheld, D(3900 + 4654 + 195000))
        # Sidorov's February: 402,000 − 195,000 = 207,000, of which the
        # 90,000 above 312,000 of tax at 15 %
        self.assertEqual(mar.withheld, D(3900 + 4654 + 207000))
        self.assertEqual(mar.by_rate, {D(13): D(125554), D(15): D(90000)})
        withheld, returned = report.halves()
        self.assertEqual(withheld,
            [D(0), D(0), D(203554), D(0), D(215554), D(0)])
        self.assertEqual(report.halves(D(15))[0],
            [D(0), D(0), D(0), D(0), D(90000), D(0)])
        self.assertEqual(returned, [D(0)] * 6)
        # the payslips agree: what section 1 lists is their NDFL
        Payslip = Pool().get('kazan.payroll.payslip')
        slips = Payslip.search([('company', '=', self.school_id),
                ('run.month', 'in', MONTHS[:2])])
        self.assertEqual(sum(s.ndfl for s in slips),
            feb.withheld + mar.withheld)

    @in_rolled_back_transaction
    def test_ndfl6_half_year_takes_march_paid_in_april(self):
        "March's NDFL is withheld on 2 April: in the half-year"
        report = self.report(2).ndfl6()
        april, = report.withholdings
        self.assertEqual(april.date, APR_2)
        # Sidorov's March: 4.5 million, all above 2.4: 15 % × 1,500,000
        self.assertEqual(april.by_rate, {D(13): D(3900 + 4654),
                D(15): D(225000)})
        rate13, rate15 = report.rates
        self.assertEqual(rate15.income, D(600000 + 1500000))
        self.assertEqual(rate15.computed, D(90000 + 225000))
        self.assertEqual(rate13.income, D(2540000 + 30000 + 40000))

    @in_rolled_back_transaction
    def test_rsv_sections_against_the_payslips(self):
        "Section 3 by person and month, section 1 the totals"
        Payslip = Pool().get('kazan.payroll.payslip')
        report = self.report().rsv()
        self.assertEqual(len(report.persons), 3)
        by_name = {p.name.split()[0]: p for p in report.persons}
        sidorov = by_name['Фамилия3']
        jan, feb, mar = (sidorov.months[m] for m in MONTHS)
        self.assertEqual((jan.base_within_cap, jan.contributions_within_cap),
            (D(1500000), D(450000)))
        # February crosses the cap: 2,979,000 − 1,500,000 within it
        self.assertEqual(feb.base_within_cap, D(1479000))
        self.assertEqual(feb.contributions_within_cap, D(443700))  # × 30 %
        # and 21,000 above it at 15.1 %: 3,171
        self.assertEqual(feb.contributions, D('446871.00'))
        self.assertEqual((mar.base_within_cap, mar.contributions_within_cap,
                mar.contributions), (D(0), D(0), D('226500.00')))
        for person in report.persons:
            for month, figures in person.months.items():
                slip, = Payslip.search([('company', '=', self.school_id),
                        ('employee.party', '=', person.party),
                        ('run.month', '=', month)])
                self.assertEqual((figures.payments, figures.base,
                        figures.contributions),
                    (slip.gross, slip.contribution_base, slip.contributions))
        total = report.since_january()
        self.assertEqual(total.payments, D(3 * 70000 + 4500000))
        self.assertEqual(total.base_above_cap, D(21000 + 1500000))
        # 3 × 21,000 + 450,000 + 446,871 + 226,500
        self.assertEqual(total.contributions, D(1186371))
        # 3 × 21,000 + 30 % × 2,979,000
        self.assertEqual(total.contributions_within_cap, D(956700))
        self.assertEqual(total.contributions_above_cap, D(229671))
        self.assertEqual(report.count_period, 3)
        self.assertEqual(report.counts, {m: 3 for m in MONTHS})

    @in_rolled_back_transaction
    def test_reconciled_with_the_ledger(self):
        "303.01 and 303.15 credited as the payslips say, a cancel reverses"
        Run = Pool().get('kazan.payroll.run')
        reconciliation = self.report().reconciliation()
        ndfl = reconciliation['ndfl']
        self.assertEqual(ndfl.account, '303.01')
        self.assertEqual([r[1] for r in ndfl.rows()],
            [D(203554), D(215554), D(3900 + 4654 + 225000)])
        self.assertEqual(ndfl.total()[-1], D(0))
        for month, payslips, credit, reversed_, ledger, difference in \
                ndfl.rows():
            self.assertEqual((credit, reversed_, difference),
                (payslips, D(0), D(0)))
        contributions = reconciliation['contributions']
        self.assertEqual(contributions.account, '303.15')
        # 9,000 + 12,000 + 450,000; + 446,871; + 226,500
        self.assertEqual([r[1] for r in contributions.rows()],
            [D(471000), D(467871), D(247500)])
        self.assertEqual(contributions.total()[-1], D(0))

        march, = Run.search([('company', '=', self.school_id),
                ('month', '=', MONTHS[2])])
        Run.cancel([march])
        ndfl = self.report().reconciliation()['ndfl']
        row = list(ndfl.rows())[2]
        # the cancelled run: no payslip counts, its reversal takes the
        # credit back
        self.assertEqual(row[1:], (D(0), D(233554), D(233554), D(0), D(0)))

    @in_rolled_back_transaction
    def test_files_and_xml(self):
        "XLSX through the export package, XML with the mapped elements"
        school = self.school()
        _, _, render = tax_report.build('ndfl6', school, 2026, 1)
        name, content = render('xlsx')
        self.assertEqual(name, 'ndfl6_2026_Q1.xlsx')
        book = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(book.sheetnames,
            ['Раздел 1', 'По датам', 'Раздел 2', 'Сверка'])
        values = [c for row in book['Раздел 2'].iter_rows(values_only=True)
            for c in row]
        self.assertIn(2540000, values)
        self.assertIn(329108, values)
        today = dt.date(2026, 4, 20)
        name, content = render('xml', today)
        self.assertRegex(name, r'^NO_NDFL6\.2_1655_1655_'
            + school.inn + school.kpp + r'_20260420_[0-9A-F-]{36}\.xml$')
        root = etree.fromstring(content)
        self.assertEqual(root.tag, 'Файл')
        self.assertEqual(root.get('ИдФайл') + '.xml', name)
        document = root.find('Документ')
        self.assertEqual((document.get('КНД'), document.get('Период'),
                document.get('ОтчетГод')), ('1151100', '21', '2026'))
        self.assertEqual(document.find('СвНП/НПЮЛ').get('ИННЮЛ'), school.inn)
        totals = document.find('НДФЛ6.2/ОбобщПоказ')
        self.assertEqual((totals.get('КолФЛДоход'), totals.get('УдержНалИт')),
            ('3', '419108.00'))
        self.assertEqual([(s.get('Ставка'), s.get('НачислДох'),
                    s.get('ИсчислНал')) for s in totals.findall('СумСтавка')],
            [('13', '2540000.00', '329108.00'),
                ('15', '600000.00', '90000.00')])
        # every element of the map is in the file, but the income
        # certificates of the annual report (test_certificates_in_the_files)
        for row in fns.read_map('ndfl6'):
            path = row.element.partition('/')[2]
            if path.startswith('Документ/НДФЛ6.2/СправДох'):
                self.assertIsNone(root.find(path))
                continue
            element = root.find(path) if path else root
            self.assertIsNotNone(element, path)
            if row.attribute and row.attribute != 'Тлф':
                self.assertIsNotNone(element.get(row.attribute),
                    (path, row.attribute))

        _, _, render = tax_report.build('rsv', school, 2026, 1)
        name, content = render('pdf')
        self.assertEqual(name, 'rsv_2026_Q1.pdf')
        text = ''.join(page.extract_text()
            for page in pypdf.PdfReader(io.BytesIO(content)).pages)
        self.assertIn('Персонифицированные сведения', text)
        name, content = render('xml', today)
        self.assertTrue(name.startswith('NO_RASCHSV_1655_1655_'))
        root = etree.fromstring(content)
        self.assertEqual(root.find('Документ').get('КНД'), '1151111')
        persons = root.findall('Документ/РасчетСВ/ПерсСвСтрахЛиц')
        self.assertEqual(len(persons), 3)
        months = persons[2].findall('СвВыплСВОПС/СвВыпл/СвВыплМК')
        self.assertEqual([(m.get('Месяц'), m.get('ВыплОПС'),
                    m.get('НачислСВ')) for m in months],
            [('01', '1500000.00', '450000.00'),
                ('02', '1479000.00', '443700.00'), ('03', '0.00', '0.00')])
        self.assertRegex(persons[0].find('ДанФЛПолуч').get('СНИЛС'),
            r'^\d{3}-\d{3}-\d{3} \d{2}$')

    def as_director(self, index, company_id):
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        user_id = self.director_ids[index]
        with transaction.set_user(user_id):
            context = User.get_preferences(context_only=True)
        return transaction.set_user(user_id), transaction.set_context(
            context, company=company_id, _check_access=True)

    @in_rolled_back_transaction
    def test_director_sees_own_institution_only(self):
        "A director exports their school's reports, never another's"
        pool = Pool()
        Report = pool.get('kazan.payroll.tax_report', type='report')
        Wizard = pool.get('kazan.payroll.tax_report.export', type='wizard')
        user, context = self.as_director(0, self.school_id)
        with user, context:
            session_id, _, _ = Wizard.create()
            result = Wizard.execute(session_id, {'start': {
                        'company': self.school_id, 'year': 2026,
                        'quarter': '1', 'form': 'rsv', 'format': 'xml'}},
                'export_')
            Wizard.delete(session_id)
            (_, data), = result['actions']
            self.assertEqual(data, {'company': self.school_id,
                    'year': 2026, 'quarter': 1, 'form': 'rsv',
                    'format': 'xml'})
            ext, content, _, name = Report.execute([], dict(data))
        self.assertEqual(ext, 'xml')
        self.assertTrue(name.startswith('NO_RASCHSV_'))
        user, context = self.as_director(1, self.other_id)
        with user, context:
            with self.assertRaises(AccessError):
                Report.execute([], dict(data))
            with self.assertRaises(AccessError):
                Report.execute([], dict(data, form='ndfl6', format='xlsx'))

    @in_rolled_back_transaction
    def test_client_tables_under_the_institution_rule(self):
        "The tables show the figures of the context, to its users only"
        pool = Pool()
        Rate = pool.get('kazan.payroll.tax_report.ndfl6_rate')
        Date = pool.get('kazan.payroll.tax_report.ndfl6_date')
        Insured = pool.get('kazan.payroll.tax_report.rsv_insured')
        Reconciliation = pool.get('kazan.payroll.tax_report.reconciliation')
        Total = pool.get('kazan.payroll.tax_report.rsv_total')
        period = {'year': 2026, 'quarter': '1'}
        user, context = self.as_director(0, self.school_id)
        with user, context, Transaction().set_context(period):
            rates = Rate.search([])
            self.assertEqual([(r.rate, r.persons, r.income, r.computed)
                    for r in rates],
                [(D(13), 3, D(2540000), D(329108)),
                    (D(15), 1, D(600000), D(90000))])
            self.assertEqual([(d.date, d.withheld, d.withheld_higher_rates)
                    for d in Date.search([])],
                [(FEB_2, D(203554), D(0)), (MAR_2, D(215554), D(90000))])
            insured = Insured.search([])
            self.assertEqual(len(insured), 9)  # 3 persons × 3 months
            self.assertEqual(sum(i.contributions_within_cap
                    for i in insured), D(956700))
            totals = {t.figure: t for t in Total.search([])}
            above = totals['base_above_cap']
            self.assertEqual((above.since_january, above.month_1,
                    above.month_2, above.month_3),
                (D(1521000), D(0), D(21000), D(1500000)))
            rows = Reconciliation.search([])
            self.assertEqual(len(rows), 6)
            self.assertEqual({r.difference for r in rows}, {D(0)})
            rate_ids = [r.id for r in rates]
        user, context = self.as_director(1, self.other_id)
        with user, context, Transaction().set_context(period,
                company=self.school_id):
            # another institution's figures: nothing, even when asked
            for Model in [Rate, Date, Insured, Reconciliation, Total]:
                self.assertEqual(Model.search([]), [])
            with self.assertRaises(AccessError):
                Rate.read(rate_ids, ['income'])

    # --- The annual income certificates (приложение № 1) ---

    def certificates(self, company_id=None):
        Company = Pool().get('company.company')
        company = Company(company_id or self.school_id)
        return tax_report.TaxReport(company, 2026, 4).income_certificates()

    def assertAddUpToSection2(self, certificates, report):
        "The certificates' totals by rate are section 2's"
        self.assertEqual(sorted({r for c in certificates for r in c.rates}),
            [r.rate for r in report.rates])
        for figures in report.rates:
            at_rate = [c.rates[figures.rate] for c in certificates
                if figures.rate in c.rates]
            self.assertEqual(len(at_rate), figures.person_count)
            for name, total in [
                    ('total_income', figures.income),
                    ('total_deductions', figures.deductions),
                    ('computed', figures.computed),
                    ('withheld', figures.withheld),
                    ('not_withheld', figures.not_withheld),
                    ('returned', figures.returned)]:
                self.assertEqual(sum((getattr(r, name) for r in at_rate),
                        D(0)), total, (figures.rate, name))
        self.assertEqual(len(certificates), len(report.persons))

    @in_rolled_back_transaction
    def test_certificates_by_person_rate_month_and_code(self):
        "Each person's income by rate, month of withholding and code"
        ivanov, petrov, sidorov = self.certificates()
        self.assertEqual([c.name.split()[0] for c in (ivanov, petrov,
                    sidorov)], ['Фамилия1', 'Фамилия2', 'Фамилия3'])
        Employee = Pool().get('company.employee')
        person, = Employee.search([('company', '=', self.school_id),
                ('personnel_number', '=', '0002')])
        self.assertEqual((petrov.inn, petrov.birth_date),
            (person.personal_inn or '', person.birth_date))
        # January's pay withheld on 2 February is February's income, and
        # March's (2 April) April's
        paid_in = [dt.date(2026, m, 1) for m in (2, 3, 4)]
        rate13, = petrov.by_rate()
        self.assertEqual(rate13.income, {(m, '2000'): D(40000)
                for m in paid_in})
        # two children: the first 1,400 (126), the second 2,800 (127)
        self.assertEqual(rate13.deductions,
            {**{(m, '126'): D(1400) for m in paid_in},
                **{(m, '127'): D(2800) for m in paid_in}})
        self.assertEqual(rate13.deductions_by_code(),
            {'126': D(3 * 1400), '127': D(3 * 2800)})
        # 3 × 40,000 − 3 × 4,200 = 107,400; × 13 % = 13,962
        self.assertEqual((rate13.total_income, rate13.base, rate13.computed,
                rate13.withheld, rate13.not_withheld, rate13.over_withheld),
            (D(120000), D(107400), D(13962), D(13962), D(0), D(0)))
        self.assertEqual(rate13.kbk, '18210102010011000110')
        # the codes are unconfirmed data: the certificate names them
        self.assertEqual(petrov.unconfirmed, {'2000', '126', '127'})
        # Sidorov crosses 2.4 million with January's and February's pay:
        # 1,500,000 + 900,000 at 13 %, then 600,000 and March's 1,500,000
        # at 15 %
        low, high = sidorov.by_rate()
        self.assertEqual((low.rate, high.rate), (D(13), D(15)))
        self.assertEqual(low.income, {(paid_in[0], '2000'): D(1500000),
                (paid_in[1], '2000'): D(900000)})
        self.assertEqual(high.income, {(paid_in[1], '2000'): D(600000),
                (paid_in[2], '2000'): D(1500000)})
        self.assertEqual(high.kbk, '18210102080011000110')
        # 13 % × 2,400,000 = 312,000; 15 % × 2,100,000 = 315,000
        self.assertEqual((low.base, low.computed, low.withheld),
            (D(2400000), D(312000), D(312000)))
        self.assertEqual((high.base, high.computed, high.withheld),
            (D(2100000), D(315000), D(315000)))
        self.assertEqual(ivanov.total_income, D(3 * 30000))
        self.assertEqual(ivanov.total('computed'), D(3 * 3900))

    @in_rolled_back_transaction
    def test_certificates_add_up_to_section_2(self):
        "The certificates of the year are section 2 of the annual report"
        certificates = self.certificates()
        report = self.report(4).ndfl6()
        self.assertAddUpToSection2(certificates, report)
        rate13, rate15 = report.rates
        # 90,000 + 120,000 + 2,400,000; 2,100,000
        self.assertEqual((rate13.income, rate15.income),
            (D(2610000), D(2100000)))
        # 11,700 + 13,962 + 312,000; 315,000
        self.assertEqual((rate13.computed, rate15.computed),
            (D(337662), D(315000)))
        self.assertEqual(rate13.deductions, D(12600))
        # a quarter's certificates are those of the persons paid so far,
        # and add up to its section 2 too
        self.assertAddUpToSection2(
            tax_report.TaxReport(self.school(), 2026, 1)
            .income_certificates(), self.report(1).ndfl6())

    @in_rolled_back_transaction
    def test_certificates_of_vacation_pay_and_dismissal(self):
        """The vacation pay of a document on its payment date (2012), the
        compensation of unused leave (2013), the severance left out (free
        of NDFL) of the certificates and of section 2"""
        pool = Pool()
        Payslip = pool.get('kazan.payroll.payslip')
        VacationPay = pool.get('kazan.payroll.vacation_pay')
        Company = pool.get('company.company')
        events = Company(self.events_id)
        on_leave, leaver = self.certificates(self.events_id)

        def slips(number):
            return Payslip.search([('company', '=', self.events_id),
                    ('employee.personnel_number', '=', f'{number:04d}')])

        document, = VacationPay.search([('company', '=', self.events_id)])
        self.assertEqual(document.state, 'posted')
        self.assertGreater(document.amount, 0)
        rate, = on_leave.by_rate()
        paid = document.payment_date.replace(day=1)
        self.assertEqual(rate.income[paid, '2012'], document.amount)
        self.assertEqual({code for _, code in rate.income}, {'2000', '2012'})
        # the document's pay and the runs' pay: the payslips' gross
        self.assertEqual(rate.total_income,
            sum(s.gross for s in slips(1)))
        self.assertEqual(rate.computed, sum(s.ndfl for s in slips(1)))

        rate, = leaver.by_rate()
        lines = {l.code: l.amount for s in slips(2) for l in s.lines
            if s.run.month == MONTHS[2]}
        # the severance (its amount is test_withholding.py's): no income
        severance = lines['severance']
        self.assertGreater(severance, 0)
        march = dt.date(2026, 3, 1)  # paid on the day of dismissal
        self.assertEqual(rate.income[march, '2013'],
            lines['vacation_compensation'])
        # February's 30,000 paid on 2 March and March's salary to the 20th
        self.assertEqual(rate.income[march, '2000'],
            D(30000) + lines['salary'])
        self.assertNotIn('2014', {code for _, code in rate.income})
        self.assertEqual(rate.total_income,
            sum(s.gross for s in slips(2)) - severance)
        self.assertEqual(rate.computed, sum(s.ndfl for s in slips(2)))
        for cert in [on_leave, leaver]:
            self.assertNotIn(tax_report.UNSPLIT, cert.unconfirmed)
        report = tax_report.TaxReport(events, 2026, 4).ndfl6()
        self.assertAddUpToSection2([on_leave, leaver], report)
        # section 2 leaves the severance out too
        rate13, = report.rates
        self.assertEqual(rate13.income, sum(s.gross
                for s in slips(1) + slips(2)) - severance)

    @in_rolled_back_transaction
    def test_certificates_in_the_files(self):
        "A sheet of the annual XLSX, СправДох in the annual XML"
        _, _, render = tax_report.build('ndfl6', self.school(), 2026, 4)
        book = openpyxl.load_workbook(io.BytesIO(render('xlsx')[1]))
        self.assertIn('Справки о доходах', book.sheetnames)
        values = [c for row in book['Справки о доходах'].iter_rows(
                values_only=True) for c in row]
        # the totals by rate: section 2's
        self.assertIn(2610000, values)
        self.assertIn(337662, values)
        root = etree.fromstring(render('xml', dt.date(2027, 2, 20))[1])
        body = root.find('Документ/НДФЛ6.2')
        certificates = body.findall('СправДох')
        self.assertEqual([c.get('НомСпр') for c in certificates],
            ['1', '2', '3'])
        petrov = certificates[1]
        person = petrov.find('ПолучДох')
        self.assertEqual((person.get('Гражд'), person.find('ФИО').get(
                    'Фамилия')), ('643', 'Фамилия2'))
        # the employee record holds no identity document
        self.assertIsNone(person.find('УдЛичнФЛ'))
        rate, = petrov.findall('СведДох')
        self.assertEqual((rate.get('Ставка'), rate.get('КБК')),
            ('13', '18210102010011000110'))
        totals = rate.find('СумИтНалПер')
        self.assertEqual((totals.get('СумДохОбщ'), totals.get('НалБаза'),
                totals.get('НалИсчисл'), totals.get('НалУдерж')),
            ('120000.00', '107400.00', '13962', '13962'))
        self.assertEqual([(i.get('Месяц'), i.get('КодДоход'),
                    i.get('СумДоход'))
                for i in rate.findall('ДохВыч/СвСумДох')],
            [(m, '2000', '40000.00') for m in ['02', '03', '04']])
        self.assertEqual([(d.get('КодВычет'), d.get('СумВычет'))
                for d in rate.findall('НалВычССИ/ПредВычССИ')],
            [('126', '4200.00'), ('127', '8400.00')])
        # no deduction, no element of them
        self.assertIsNone(certificates[0].find('СведДох/НалВычССИ'))
        self.assertEqual(len(certificates[2].findall('СведДох')), 2)
        # every element of the map is in the annual file (the identity
        # document apart, above)
        for row in fns.read_map('ndfl6'):
            path = row.element.partition('/')[2]
            if 'УдЛичнФЛ' in path:
                continue
            element = root.find(path) if path else root
            self.assertIsNotNone(element, path)
        # the quarters carry none
        _, _, render = tax_report.build('ndfl6', self.school(), 2026, 3)
        root = etree.fromstring(render('xml', dt.date(2026, 10, 20))[1])
        self.assertEqual(root.findall('Документ/НДФЛ6.2/СправДох'), [])
        book = openpyxl.load_workbook(io.BytesIO(render('xlsx')[1]))
        self.assertNotIn('Справки о доходах', book.sheetnames)

    @in_rolled_back_transaction
    def test_certificates_in_the_client(self):
        "The table of the certificates, under the institution rule"
        Certificate = Pool().get(
            'kazan.payroll.tax_report.ndfl6_certificate')
        user, context = self.as_director(0, self.school_id)
        with user, context, Transaction().set_context(year=2026,
                quarter='4'):
            rows = Certificate.search([])
            totals = [r for r in rows if r.line == 'total']
            self.assertEqual([(r.number, r.rate) for r in totals],
                [(1, D(13)), (2, D(13)), (3, D(13)), (3, D(15))])
            # 90,000 + 120,000 + 2,400,000 + 2,100,000
            self.assertEqual(sum(r.income for r in totals), D(4710000))
            self.assertEqual(sum(r.income for r in rows
                    if r.line == 'income'), D(4710000))
            self.assertEqual({(r.month, r.code, r.deductions) for r in rows
                    if r.line == 'deduction' and r.number == 2},
                {(dt.date(2026, m, 1), code, amount) for m in (2, 3, 4)
                    for code, amount in [('126', D(1400)),
                        ('127', D(2800))]})
            ids = [r.id for r in rows]
        user, context = self.as_director(1, self.other_id)
        with user, context, Transaction().set_context(year=2026,
                quarter='4', company=self.school_id):
            self.assertEqual(Certificate.search([]), [])
            with self.assertRaises(AccessError):
                Certificate.read(ids, ['income'])


class CertificatePartsTestCase(unittest.TestCase):
    "The deductions by code and the codes between rates, no database"

    def test_child_deduction_parts(self):
        "A month's deduction split by child as the rule granted it"
        params = rules.load_parameters(2026)
        # the eldest grown up: 2,800 for the 2nd, 6,000 + 12,000 for the
        # disabled 3rd
        basis = {'factor': '1', 'counted': '№1 01.05.2000: 0; '
            '№2 01.01.2015: 2800; №3 01.01.2018: 18000'}
        self.assertEqual(tax_report.child_deduction_parts(
                D(2800 + 6000 + 12000), basis, params),
            {'second_child': D(2800), 'further_child': D(6000),
                'disabled_child': D(12000)})
        # the only parent: twice 1,400
        self.assertEqual(tax_report.child_deduction_parts(D(2 * 1400),
                {'factor': '2', 'counted': '№1 01.05.2015: 2800'}, params),
            {'first_child_double': D(2800)})
        # a guardian of a disabled child: 1,400 + 6,000
        self.assertEqual(tax_report.child_deduction_parts(D(1400 + 6000),
                {'factor': '1', 'counted': '№1: 7400'}, params),
            {'first_child_guardian': D(1400),
                'disabled_child_guardian': D(6000)})
        self.assertEqual(tax_report.child_deduction_parts(D(1400),
                {'factor': '1', 'counted': '№1: 1400'}, params,
                guardian=True),
            {'first_child_guardian': D(1400)})
        # a correction of an earlier month, or an amount the basis does
        # not give back: kept whole
        self.assertEqual(tax_report.child_deduction_parts(D(-4200),
                {'period': '2026-02-01', 'reversal': '1'}, params),
            {'unsplit': D(-4200)})
        self.assertEqual(tax_report.child_deduction_parts(D(5000),
                {'factor': '1', 'counted': '№1: 1400'}, params),
            {'unsplit': D(5000)})

    def test_codes_of_the_map(self):
        "Each code of the deductions and every earning line has its code"
        codes = tax_report.read_income_codes()
        earnings = {c for k, c in codes if k == rules.EARNING}
        not_earnings = {'standard_deduction', 'ndfl', 'ndfl_sick',
            'ndfl_vacation', 'debt_recovery', 'contributions', 'accident',
            'alimony', 'writ', 'union_dues', 'voluntary', 'withheld_vacation'}
        self.assertEqual(earnings, {c for c, _ in LINE_CODES} - not_earnings)
        self.assertEqual(codes[rules.EARNING, 'vacation_compensation'][0],
            '2013')
        kinds = {c for k, c in codes if k == rules.TAX_DEDUCTION}
        for place in ['first_child', 'second_child', 'further_child',
                'disabled_child']:
            for who in ['', '_guardian']:
                for double in ['', '_double']:
                    self.assertIn(place + who + double, kinds)

    def test_split_codes(self):
        "A month crossing 2.4 million: each rate its part of each code"
        # 1,000,000 of pay and 500,000 of vacation pay, 900,000 of them
        # below the threshold: 900/1,500 of each at 13 %, the rest at 15 %
        self.assertEqual(tax_report.split_codes(
                {'2000': D(1000000), '2012': D(500000)},
                [D(900000), D(600000)]),
            [{'2000': D(600000), '2012': D(300000)},
                {'2000': D(400000), '2012': D(200000)}])
        # kopecks: 100.00 in three codes of 1/3 each, 50.00 at 13 %
        low, high = tax_report.split_codes(
            {'a': D('33.33'), 'b': D('33.33'), 'c': D('33.34')},
            [D(50), D(50)])
        self.assertEqual(sum(low.values()), D(50))
        self.assertEqual(sum(high.values()), D(50))
        self.assertEqual({k: low[k] + high[k] for k in low},
            {'a': D('33.33'), 'b': D('33.33'), 'c': D('33.34')})
