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
            for month in MONTHS:
                run, = Run.runs_for([school], month)
                Run.compute([run])
                Run.post([run])
                Run.pay_final([run])
            director = ModelData.get_id('kazan_accounting', 'group_director')
            users = User.create([{
                        'login': f'director{c.id}', 'name': "Директор",
                        'companies': [('add', [c.id])], 'company': c.id,
                        'groups': [('add', [director])],
                        } for c in [school, other]])
            return school.id, other.id, [u.id for u in users]
        cls.school_id, cls.other_id, cls.director_ids = in_transaction(
            DB_NAME, setup)

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
        # every element of the map is in the file
        for row in fns.read_map('ndfl6'):
            path = row.element.partition('/')[2]
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

    @in_rolled_back_transaction
    def test_income_certificates_of_the_year(self):
        "The annual certificates: income and deductions by month and code"
        certificates = tax_report.income_certificates(self.school(), 2026)
        self.assertEqual(len(certificates), 3)
        petrov = certificates[1]
        self.assertEqual(petrov.name.split()[0], 'Фамилия2')
        self.assertEqual(petrov.income,
            {(m, '2000'): D(40000) for m in MONTHS})
        # two children: the first 1,400 (126), the second 2,800 (127)
        self.assertEqual(petrov.deductions,
            {**{(m, '126'): D(1400) for m in MONTHS},
                **{(m, '127'): D(2800) for m in MONTHS}})
        # 3 × 4,654, all withheld (March's on 2 April)
        self.assertEqual((petrov.computed, petrov.withheld),
            (D(13962), D(13962)))
        # the codes are unconfirmed data: the certificate says so
        self.assertEqual(petrov.unconfirmed, {'2000', '126', '127'})
        sidorov = certificates[2]
        # 4.5 million: 312,000 + 15 % × 2,100,000
        self.assertEqual(sidorov.computed, D(627000))
        self.assertEqual(sidorov.total_income, D(4500000))
        # the annual report carries them, the quarters do not
        _, _, render = tax_report.build('ndfl6', self.school(), 2026, 4)
        book = openpyxl.load_workbook(io.BytesIO(render('xlsx')[1]))
        self.assertIn('Справки о доходах', book.sheetnames)
        _, _, render = tax_report.build('ndfl6', self.school(), 2026, 1)
        book = openpyxl.load_workbook(io.BytesIO(render('xlsx')[1]))
        self.assertNotIn('Справки о доходах', book.sheetnames)

    def test_child_deduction_parts(self):
        "The month's deduction split by child, or left whole"
        params = rules.load_parameters(2026)
        # four children, one disabled: 1,400 + 2,800 + 2 × 6,000 + 12,000
        self.assertEqual(tax_report.child_deduction_parts(D(28200),
                {'children': '4', 'disabled_children': '1'}, params),
            {'first_child': D(1400), 'second_child': D(2800),
                'further_child': D(12000), 'disabled_child': D(12000)})
        # an amount the basis does not give back is kept whole
        self.assertEqual(tax_report.child_deduction_parts(D(5000),
                {'children': '2'}, params), {'unsplit': D(5000)})
