# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The directors' dashboard: the monthly income and expenses of a small
ledger computed by hand, the board and its graphs, and a director who sees
only the institution."""
import datetime as dt
import unittest
from decimal import Decimal

from lxml import etree

from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, with_transaction)
from trytond.transaction import Transaction, check_access

from ..dashboard import MonthRow, open_dashboard_at_login

MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)
CLOSING = dt.date(2026, 12, 31)
PASSWORD = 'Kz-test-password-1'

# Moves of the school (account, КФО, debit, credit)
LEDGER = [
    # March: the subsidy of the month, КФО 4, income 100,000.00
    (MARCH, [('401.41', '4', '100000.00', 0),
            ('401.10.131', '4', 0, '100000.00')]),
    # paid courses, КФО 2: 12,000.00 ...
    (MARCH, [('205.31', '2', '12000.00', 0),
            ('401.10.131', '2', 0, '12000.00')]),
    # ... less a refund of 1,000.50: 10,999.50
    (MARCH + dt.timedelta(days=20), [('401.10.131', '2', '1000.50', 0),
            ('205.31', '2', 0, '1000.50')]),
    # salaries, КФО 4: expenses 50,000.00
    (MARCH, [('401.20.211', '4', '50000.00', 0),
            ('302.11', '4', 0, '50000.00')]),
    # April: utilities, КФО 4, 8,500.25; services, КФО 2, 3,000.00;
    # paid courses, КФО 2, 5,000.00
    (APRIL, [('401.20.223', '4', '8500.25', 0),
            ('302.23', '4', 0, '8500.25')]),
    (APRIL, [('401.20.226', '2', '3000.00', 0),
            ('302.26', '2', 0, '3000.00')]),
    (APRIL, [('205.31', '2', '5000.00', 0),
            ('401.10.131', '2', 0, '5000.00')]),
    ]
# Never a monthly figure: the year-end closing (adjustment period) ...
CLOSING_LINES = [('401.10.131', '4', '100000.00', 0),
    ('401.30', '4', 0, '100000.00')]
# ... a draft move ...
DRAFT_LINES = [('401.20.211', '2', '777.00', 0), ('302.11', '2', 0, '777.00')]
# ... and income brought in by the opening balance (before the service)
OPENING_INCOME = [
    {'account': '205.31', 'kfo': '2', 'debit': Decimal('7000.00'),
        'credit': Decimal(0)},
    {'account': '401.10.131', 'kfo': '2', 'debit': Decimal(0),
        'credit': Decimal('7000.00')},
    ]

EXPECTED = [
    MonthRow(MARCH, '2', Decimal('10999.50'), Decimal(0),
        Decimal('10999.50')),
    MonthRow(MARCH, '4', Decimal('100000.00'), Decimal('50000.00'),
        Decimal('50000.00')),
    MonthRow(APRIL, '2', Decimal('5000.00'), Decimal('3000.00'),
        Decimal('2000.00')),
    MonthRow(APRIL, '4', Decimal(0), Decimal('8500.25'),
        Decimal('-8500.25')),
    ]


def fields_of(row):
    return (row.month, row.kfo, row.income, row.expenses, row.result)


class DashboardTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])
        cls.school_id, cls.museum_id, cls.director_id = in_transaction(
            DB_NAME, cls.set_up_ledgers)

    @staticmethod
    def set_up_ledgers(pool):
        """The school's ledger of LEDGER and more, a move of the museum, the
        school's director"""
        Company = pool.get('company.company')
        User = pool.get('res.user')
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        Period = pool.get('account.period')
        FiscalYear = pool.get('account.fiscalyear')
        ModelData = pool.get('ir.model.data')
        journal = ModelData.get_id('kazan_accounting', 'journal_non_cash')

        values = sample.institution(51, MARCH)
        values['opening_balance'] += OPENING_INCOME
        school, museum = Company.setup_institutions(
            [values, sample.institution(52, MARCH)])
        fiscalyear, = FiscalYear.search([('company', '=', school.id)])
        adjustment, = Period.create([{
                    'name': '2026 closing', 'fiscalyear': fiscalyear.id,
                    'start_date': CLOSING, 'end_date': CLOSING,
                    'type': 'adjustment'}])

        def move(company, date, lines, period=None):
            accounts = {a.code: a.id for a in Account.search([
                        ('company', '=', company.id),
                        ('code', 'in', [l[0] for l in lines])])}
            return {
                'company': company.id, 'journal': journal, 'date': date,
                'period': (period or Period.find(company, date=date)).id,
                'lines': [('create', sample.with_parties([{
                                'account': accounts[code], 'kfo': kfo,
                                'debit': Decimal(debit),
                                'credit': Decimal(credit)}
                            for code, kfo, debit, credit in lines]))],
                }

        Move.post(Move.create(
                [move(school, date, lines) for date, lines in LEDGER]
                + [move(school, CLOSING, CLOSING_LINES, adjustment),
                    move(museum, MARCH, [('205.31', '4', '999.00', 0),
                            ('401.10.131', '4', 0, '999.00')])]))
        Move.create([move(school, APRIL, DRAFT_LINES)])

        director, = User.create_service_users([{
                    'login': 'dashboard_director', 'name': 'Директор',
                    'role': 'director', 'companies': [school.id],
                    'password': PASSWORD}])
        return school.id, museum.id, director.id

    def company(self, company_id):
        return Pool().get('company.company')(company_id)

    @with_transaction()
    def test_monthly_figures_by_hand(self):
        """Income (credit − debit of 401.10) and expenses (debit − credit
        of 401.20) per month and КФО; neither the closing, nor a draft, nor
        the opening balance count"""
        Monthly = Pool().get('kazan.statement.monthly')
        school = self.company(self.school_id)
        self.assertEqual(Monthly.compute(school), EXPECTED)
        self.assertEqual(
            Monthly.compute(school, from_date=APRIL),
            EXPECTED[2:])
        self.assertEqual(
            Monthly.compute(self.company(self.museum_id)),
            [MonthRow(MARCH, '4', Decimal('999.00'), Decimal(0),
                    Decimal('999.00'))])

    @with_transaction()
    def test_context_of_the_client(self):
        "The rows read in the client's context: company and fiscal year"
        pool = Pool()
        Monthly = pool.get('kazan.statement.monthly')
        Context = pool.get('kazan.statement.monthly.context')
        FiscalYear = pool.get('account.fiscalyear')
        fiscalyear, = FiscalYear.search([('company', '=', self.school_id)])
        with Transaction().set_context(
                company=self.school_id, fiscalyear=fiscalyear.id):
            self.assertEqual(Context.default_company(), self.school_id)
            self.assertEqual(Context.default_fiscalyear(), fiscalyear.id)
            rows = Monthly.search([])
            self.assertEqual(
                [(r.month, r.kfo, r.income, r.expenses, r.result)
                    for r in rows],
                [fields_of(r) for r in EXPECTED])
            self.assertEqual(
                [r.period.start_date for r in rows], [r.month for r in rows])
            self.assertEqual({r.company.id for r in rows}, {self.school_id})
        # another year holds nothing
        with Transaction().set_context(
                company=self.school_id, from_date=dt.date(2027, 1, 1)):
            self.assertEqual(Monthly.search([]), [])

    @with_transaction()
    def test_director_sees_the_institution_only(self):
        "A director of the school reads its rows, none of the museum's"
        pool = Pool()
        Monthly = pool.get('kazan.statement.monthly')
        Context = pool.get('kazan.statement.monthly.context')
        transaction = Transaction()
        with transaction.set_user(self.director_id), check_access():
            with transaction.set_context(company=self.school_id):
                # what the client asks: the context form, then the rows
                context = Context.default_get(
                    ['company', 'fiscalyear'], with_rec_name=True)
                self.assertEqual(context['company'], self.school_id)
                with transaction.set_context(fiscalyear=None,
                        from_date=MARCH, to_date=CLOSING):
                    rows = Monthly.search_read([], fields_names=[
                            'period.rec_name', 'kfo', 'income', 'expenses',
                            'currency'])
                self.assertEqual(
                    [(r['period.']['rec_name'], r['kfo'], r['income'],
                        r['expenses']) for r in rows],
                    [(r.month.strftime('%Y-%m'), r.kfo, r.income, r.expenses)
                        for r in EXPECTED])
            with transaction.set_context(company=self.museum_id):
                self.assertEqual(Monthly.search([]), [])
                self.assertEqual(Monthly.search_read([], fields_names=[
                            'income']), [])

    @with_transaction()
    def test_graph_series_per_kfo(self):
        "Each КФО series of the graphs has its domain, and kfo is loaded"
        pool = Pool()
        Monthly = pool.get('kazan.statement.monthly')
        ModelData = pool.get('ir.model.data')
        for xml_id, measure in [
                ('statement_monthly_view_graph_income', 'income'),
                ('statement_monthly_view_graph_expenses', 'expenses')]:
            view = Monthly.fields_view_get(
                ModelData.get_id('kazan_accounting', xml_id))
            self.assertEqual(view['type'], 'graph')
            self.assertIn('kfo', view['fields'])
            arch = etree.fromstring(view['arch'])
            series = arch.xpath('/graph/y/field')
            self.assertEqual(
                [f.get('key') for f in series],
                ['kfo_2', 'kfo_3', 'kfo_4', 'kfo_5', 'kfo_6', 'kfo_7'])
            for field in series:
                self.assertEqual(field.get('name'), measure)
                self.assertIn('"kfo"', field.get('domain'))

    @with_transaction()
    def test_board_actions_are_readable_by_directors(self):
        "Every action of the board exists and directors can read its rows"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        ActWindow = pool.get('ir.action.act_window')
        ModelAccess = pool.get('ir.model.access')
        dashboard = ActWindow(
            ModelData.get_id('kazan_accounting', 'act_director_dashboard'))
        view, = dashboard.act_window_views
        self.assertEqual(view.view.type, 'board')
        names = [a.get('name') for a in
            etree.fromstring(view.view.arch).xpath('//action')]
        self.assertEqual(names, [
                'kazan_accounting.act_statement_balance',
                'kazan_accounting.act_dashboard_plan_execution',
                'kazan_accounting.act_statement_monthly_income',
                'kazan_accounting.act_statement_monthly_expenses',
                ])
        with Transaction().set_user(self.director_id), check_access():
            # what the client asks for the board and for each action
            self.assertEqual(
                ActWindow.get('kazan_accounting.act_director_dashboard')[
                    'views'][0][1], 'board')
            for name in names:
                with self.subTest(action=name):
                    action = ActWindow.get(name)
                    model = action['res_model']
                    self.assertTrue(
                        ModelAccess.get_access([model])[model]['read'])

    @with_transaction()
    def test_directors_land_on_the_dashboard(self):
        "The dashboard is a login action of the director"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        ActWindow = pool.get('ir.action.act_window')
        dashboard = ActWindow(
            ModelData.get_id('kazan_accounting', 'act_director_dashboard'))
        director = User(self.director_id)
        # create_service_users gives it to every director (onboarding, demo)
        self.assertEqual(
            [a.id for a in director.actions], [dashboard.action.id])
        # and to a director created before, once
        open_dashboard_at_login([director])
        with Transaction().set_user(self.director_id):
            self.assertEqual(
                User.get_preferences()['actions'], [dashboard.action.id])
