# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The year-end closing: 401.10 and 401.20 closed into 401.30 per КФО, and
the next year opening with the closing balances."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond import backend
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .tools import in_rolled_back_transaction

START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)
NEXT = dt.date(2027, 1, 1)
PASSWORD = 'Kz-test-password-1'

# The year of the school (КФО, debit account, credit account, amount): a
# subsidy and paid services earned, salaries in two moves, contributions,
# services bought, and a loss that reduces an income account
LEDGER = [
    ('4', '205.31', '401.10.131', '1000.00'),
    ('4', '401.20.211', '302.11', '600.00'),
    ('4', '401.20.211', '302.11', '400.00'),
    ('4', '401.20.213', '303.15', '181.20'),
    ('2', '205.31', '401.10.131', '500.00'),
    ('2', '401.20.226', '302.26', '200.00'),
    ('2', '401.10.172', '205.31', '30.00'),
    ]
INCOME = 'Closing of the income of the year'
EXPENSES = 'Closing of the expenses of the year'


def amount(value):
    return Decimal(value)


class YearEndClosingTestCase(unittest.TestCase):
    "Closing the year of institutions with the wizard"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])
        cls.ids = in_transaction(DB_NAME, cls.set_up_data)

    @classmethod
    def tearDownClass(cls):
        # Release the pooled connections: a scenario run next in the same
        # process drops the test database (PostgreSQL refuses while in use)
        backend.Database(DB_NAME).close()

    @classmethod
    def set_up_data(cls, pool):
        """A school with a year of income and expenses in КФО 2 and 4, a
        museum with its opening balance only, a third institution, and a
        user of each role"""
        Company = pool.get('company.company')
        User = pool.get('res.user')
        school, museum, other = Company.setup_institutions([
                sample.institution(number, START)
                for number in [9101, 9102, 9103]])
        cls.post(school, LEDGER)
        users = User.create_service_users([
                {'login': f'closing-{role}', 'name': role, 'role': role,
                    'companies': companies, 'password': PASSWORD}
                for role, companies in [
                    ('chief_accountant', [school.id, museum.id]),
                    ('accountant', [school.id, museum.id]),
                    ('director', [school.id]),
                    ]])
        return {
            'school': school.id, 'museum': museum.id, 'other': other.id,
            **{u.name: u.id for u in users},
            }

    @classmethod
    def post(cls, company, ledger, date=dt.date(2026, 6, 30)):
        "Post one move per line of ledger in the non-cash journal"
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        ModelData = pool.get('ir.model.data')
        accounts = cls.accounts(company)
        moves = Move.create([{
                    'company': company.id,
                    'journal': ModelData.get_id(
                        'kazan_accounting', 'journal_non_cash'),
                    'period': Period.find(company, date=date).id,
                    'date': date,
                    'lines': [('create', sample.with_parties([
                                {'account': accounts[debit], 'kfo': kfo,
                                    'debit': amount(value),
                                    'credit': Decimal(0)},
                                {'account': accounts[credit], 'kfo': kfo,
                                    'debit': Decimal(0),
                                    'credit': amount(value)},
                                ]))],
                    } for kfo, debit, credit, value in ledger])
        Move.post(moves)
        return moves

    @staticmethod
    def accounts(company):
        "The ids of the company's accounts by code"
        pool = Pool()
        Account = pool.get('account.account')
        return {a.code: a.id for a in Account.search([
                    ('company', '=', company.id), ('type', '!=', None)])}

    def company(self, name):
        pool = Pool()
        Company = pool.get('company.company')
        return Company(self.ids[name])

    def run_closing(self, user, companies, date=END):
        """Run the wizard through its RPC entry points as user; return the
        ids of the moves it shows"""
        pool = Pool()
        Closing = pool.get('kazan.year_end_closing', type='wizard')
        with Transaction().set_user(self.ids[user]), \
                Transaction().set_context(
                    company=self.ids[companies[0]], _check_access=True):
            session_id, _, _ = Closing.create()
            result = Closing.execute(session_id, {
                    'start': {
                        'companies': [self.ids[c] for c in companies],
                        'date': date,
                        },
                    }, 'close_year')
            Closing.delete(session_id)
        (action, _), = result['actions']
        return action['res_id']

    def closing_lines(self, move):
        return sorted(
            (l.account.code, l.kfo, l.debit, l.credit, l.description)
            for l in move.lines)

    @in_rolled_back_transaction
    def test_closing_closes_income_and_expenses_per_kfo(self):
        "One posted move closes each account and КФО into 401.30"
        pool = Pool()
        Move = pool.get('account.move')
        FiscalYear = pool.get('account.fiscalyear')
        Plan = pool.get('kazan.plan')
        school = self.company('school')
        # the next year's plan, approved before its fiscal year exists
        plan, = Plan.create([{'company': school.id, 'year': 2027,
                    'lines': [('create', [{'kfo': '4', 'kvr': '111',
                                    'kosgu': '211',
                                    'amount': Decimal(900)}])]}])
        Plan.approve([plan])
        self.assertEqual(plan.moves, ())

        move_ids = self.run_closing('chief_accountant', ['school'])

        move, = Move.browse(move_ids)
        self.assertEqual(move.company, school)
        self.assertEqual(move.state, 'posted')
        self.assertEqual(move.date, END)
        self.assertEqual(move.journal.code, '8')
        self.assertEqual(
            (move.period.type, move.period.start_date, move.period.end_date),
            ('adjustment', END, END))
        fiscalyear = move.period.fiscalyear
        self.assertEqual(move.origin, fiscalyear)
        self.assertTrue(move.number.startswith('2026-'))
        self.assertEqual(self.closing_lines(move), sorted([
                    # КФО 2: income 500 - 30, expenses 200
                    ('401.10.131', '2', amount('500.00'), 0, INCOME),
                    ('401.10.172', '2', 0, amount('30.00'), INCOME),
                    ('401.30', '2', 0, amount('470.00'), INCOME),
                    ('401.20.226', '2', 0, amount('200.00'), EXPENSES),
                    ('401.30', '2', amount('200.00'), 0, EXPENSES),
                    # КФО 4: income 1000, expenses 1000 + 181.20
                    ('401.10.131', '4', amount('1000.00'), 0, INCOME),
                    ('401.30', '4', 0, amount('1000.00'), INCOME),
                    ('401.20.211', '4', 0, amount('1000.00'), EXPENSES),
                    ('401.20.213', '4', 0, amount('181.20'), EXPENSES),
                    ('401.30', '4', amount('1181.20'), 0, EXPENSES),
                    ]))

        # The year is closed the Tryton way, and the next one is open
        self.assertEqual(fiscalyear.state, 'closed')
        self.assertEqual({p.state for p in fiscalyear.periods}, {'closed'})
        following, = FiscalYear.search([
                ('company', '=', school.id), ('start_date', '=', NEXT)])
        self.assertEqual(
            (following.name, following.end_date, following.state),
            ('2027', dt.date(2027, 12, 31), 'open'))
        self.assertEqual(
            [(p.type, p.start_date) for p in following.periods],
            [('standard', dt.date(2027, m, 1)) for m in range(1, 13)])
        self.assertEqual(following.move_sequence.prefix, '2027-')
        self.assertNotEqual(
            following.move_sequence, fiscalyear.move_sequence)
        # the renewal posted the next year's plan on its first day
        plan_move, = Plan(plan.id).moves
        self.assertEqual((plan_move.date, plan_move.state, plan_move.number),
            (NEXT, 'posted', '2027-1'))

    @in_rolled_back_transaction
    def test_next_year_opens_with_the_closing_balances(self):
        "Trial balance: opening of 2027 = closing of 2026, 401.30 = result"
        pool = Pool()
        TrialBalance = pool.get('kazan.trial_balance')
        Account = pool.get('account.account')
        school = self.company('school')
        before = TrialBalance.compute(school, START, END)

        self.run_closing('chief_accountant', ['school'])

        closing = TrialBalance.compute(school, START, END)
        opening = TrialBalance.compute(
            school, NEXT, dt.date(2027, 1, 31))
        self.assertEqual(
            [(r.code, r.kfo, r.opening_debit, r.opening_credit)
                for r in opening],
            [(r.code, r.kfo, r.closing_debit, r.closing_credit)
                for r in closing if r.closing_debit or r.closing_credit])
        # Income and expenses were turned over in 2026 and closed
        self.assertTrue([r for r in closing
                if r.code.startswith(('401.10', '401.20'))])
        self.assertFalse([r for r in opening
                if r.code.startswith(('401.10', '401.20'))])
        result = {(r.code, r.kfo): r.closing_credit - r.closing_debit
            for r in before}
        prior = {(r.kfo): r.opening_credit - r.opening_debit
            for r in opening if r.code == '401.30'}
        self.assertEqual(prior, {
                # opening credit of 2026 + income - expenses
                '2': amount('135000') + amount('470.00') - amount('200.00'),
                '4': (amount('4759040') + amount('1000.00')
                    - amount('1181.20')),
                '5': amount('40000'),
                })
        for kfo in ['2', '4']:
            self.assertEqual(prior[kfo], result[('401.30', kfo)]
                + sum(v for (code, k), v in result.items()
                    if k == kfo and code.startswith('401.')
                    and code != '401.30'))
        # The balance of one КФO in the next year, through the closed year
        result_account = Account(self.accounts(school)['401.30'])
        for kfo, credit in prior.items():
            with Transaction().set_context(
                    company=school.id, kfo=kfo, date=dt.date(2027, 1, 31)):
                self.assertEqual(
                    Account(result_account.id).balance, -credit)

        # The moves of the next year are numbered in its own sequence
        move, = self.post(
            school, [('4', '205.31', '401.10.131', '10.00')],
            date=dt.date(2027, 1, 15))
        self.assertEqual(move.number, '2027-1')

    @in_rolled_back_transaction
    def test_second_run_is_refused(self):
        self.run_closing('chief_accountant', ['school'])
        with self.assertRaises(UserError) as context:
            self.run_closing('chief_accountant', ['school'])
        self.assertIn('is already closed', context.exception.message)
        self.assertIn('"2026"', context.exception.message)

    @in_rolled_back_transaction
    def test_draft_moves_refuse_the_closing(self):
        "Every institution with moves not posted is named, nothing is done"
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        ModelData = pool.get('ir.model.data')
        FiscalYear = pool.get('account.fiscalyear')
        school = self.company('school')
        Move.create([{
                    'company': school.id,
                    'journal': ModelData.get_id(
                        'kazan_accounting', 'journal_non_cash'),
                    'period': Period.find(school, date=END).id,
                    'date': END,
                    }])
        with self.assertRaises(UserError) as context:
            self.run_closing('chief_accountant', ['museum', 'school'])
        message = context.exception.message
        self.assertIn('has 1 unposted moves', message)
        self.assertIn(school.rec_name, message)
        self.assertEqual(len(message.splitlines()), 1)
        self.assertEqual(
            {f.state for f in FiscalYear.search([
                        ('company', 'in', [self.ids['school'],
                                self.ids['museum']])])},
            {'open'})

    @in_rolled_back_transaction
    def test_several_institutions_in_one_run(self):
        """The museum, with no income nor expense, gets no move but its
        year is closed; its next year, already created, is kept"""
        pool = Pool()
        Move = pool.get('account.move')
        FiscalYear = pool.get('account.fiscalyear')
        Company = pool.get('company.company')
        museum = self.company('museum')
        existing, = Company.create_fiscalyears([museum], [2027])

        move_ids = self.run_closing('chief_accountant', ['school', 'museum'])

        self.assertEqual(
            {m.company.id for m in Move.browse(move_ids)},
            {self.ids['school']})
        fiscalyears = FiscalYear.search([
                ('company', 'in', [self.ids['school'], self.ids['museum']])],
            order=[('company', 'ASC'), ('start_date', 'ASC')])
        self.assertEqual(
            [(f.company.id, f.name, f.state) for f in fiscalyears],
            [(self.ids['school'], '2026', 'closed'),
                (self.ids['school'], '2027', 'open'),
                (self.ids['museum'], '2026', 'closed'),
                (self.ids['museum'], '2027', 'open')])
        self.assertIn(existing, fiscalyears)

    @in_rolled_back_transaction
    def test_only_chief_accountants_close_the_year(self):
        "Directors and accountants cannot run it, nor see its menu"
        pool = Pool()
        Closing = pool.get('kazan.year_end_closing', type='wizard')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        menu_id = ModelData.get_id('kazan_accounting', 'menu_year_end_closing')
        for user in ['director', 'accountant']:
            with self.subTest(user=user), \
                    Transaction().set_user(self.ids[user]), \
                    Transaction().set_context(_check_access=True):
                self.assertRaises(AccessError, Closing.create)
                self.assertEqual(Menu.search([('id', '=', menu_id)]), [])
        with Transaction().set_user(self.ids['chief_accountant']), \
                Transaction().set_context(_check_access=True):
            self.assertEqual(
                [m.id for m in Menu.search([('id', '=', menu_id)])],
                [menu_id])

        # nor for an institution not assigned to the chief accountant
        with self.assertRaises(AccessError) as context:
            self.run_closing('chief_accountant', ['school', 'other'])
        self.assertIn(self.company('other').rec_name,
            context.exception.message)
