# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Setting up institutions: the ledger they get."""
import datetime as dt
import unittest
from collections import defaultdict
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.kazan_accounting.tests import sample
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module
from trytond.transaction import Transaction

from .tools import in_retried_transaction, in_rolled_back_transaction

START = dt.date(2026, 3, 1)


class SetupTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])

    @in_retried_transaction
    def test_trial_balance_of_new_institution_is_its_opening_balance(self):
        "Opening balances show as such, never as turnovers, per КФО"
        pool = Pool()
        Company = pool.get('company.company')
        TrialBalance = pool.get('kazan.trial_balance')
        values = sample.institution(1, START)
        company, = Company.setup_institutions([values])

        expected = defaultdict(Decimal)
        for line in values['opening_balance']:
            expected[(line['account'], line['kfo'])] += (
                line['debit'] - line['credit'])
        for to_date in [START, dt.date(2026, 3, 31), dt.date(2026, 12, 31)]:
            rows = TrialBalance.compute(
                company, TrialBalance.period_start(company, to_date),
                to_date)
            self.assertEqual(
                {(r.code, r.kfo): r.opening_debit - r.opening_credit
                    for r in rows}, dict(expected))
            self.assertTrue(all(r.debit == r.credit == 0 for r in rows))
            self.assertEqual(
                [(r.closing_debit, r.closing_credit) for r in rows],
                [(r.opening_debit, r.opening_credit) for r in rows])
        # before the start in the service there is nothing
        self.assertEqual(TrialBalance.compute(
                company, dt.date(2026, 1, 1), dt.date(2026, 2, 28)), [])

    @in_retried_transaction
    def test_setup_gives_chart_fiscal_year_and_posted_opening(self):
        pool = Pool()
        Company = pool.get('company.company')
        FiscalYear = pool.get('account.fiscalyear')
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        budgetary, autonomous = Company.setup_institutions([
                sample.institution(2, START),
                sample.institution(3, START, legal_form='autonomous')])
        for company, root in [
                (budgetary, 'План счетов бюджетного учреждения (174н)'),
                (autonomous, 'План счетов автономного учреждения (183н)')]:
            fiscalyear, = FiscalYear.search([('company', '=', company.id)])
            self.assertEqual(
                (fiscalyear.start_date, fiscalyear.end_date),
                (dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
            self.assertEqual(len(fiscalyear.periods), 12)
            move, = Move.search([('company', '=', company.id)])
            self.assertEqual(move.state, 'posted')
            self.assertEqual(move.date, START)
            self.assertEqual(move.journal.type, 'situation')
            self.assertTrue(move.number)
            top, = Account.search([
                    ('company', '=', company.id), ('parent', '=', None)])
            self.assertEqual(top.name, root)

    @in_retried_transaction
    def test_cash_movements_carry_kosgu_and_kvr(self):
        """The opening cash balance gets КОСГУ 510; a later movement of a
        cash account is posted only with its КОСГУ, a payment with its КВР"""
        pool = Pool()
        Company = pool.get('company.company')
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Account = pool.get('account.account')
        Period = pool.get('account.period')
        ModelData = pool.get('ir.model.data')
        company, = Company.setup_institutions([sample.institution(9, START)])
        cash_lines = Line.search([
                ('move.company', '=', company.id),
                ('account.type.cash_kind', '!=', None)])
        self.assertTrue(cash_lines)
        self.assertEqual({l.kosgu for l in cash_lines}, {'510'})

        accounts = {a.code: a.id for a in Account.search([
                    ('company', '=', company.id), ('type', '!=', None)])}

        def move(kosgu, kvr):
            return Move.create([{
                        'company': company.id,
                        'journal': ModelData.get_id(
                            'kazan_accounting', 'journal_non_cash'),
                        'period': Period.find(company, date=START).id,
                        'date': START,
                        'lines': [('create', sample.with_parties([
                                    {'account': accounts['302.23'],
                                        'kfo': '4', 'debit': Decimal(50),
                                        'credit': 0},
                                    {'account': accounts['201.11'],
                                        'kfo': '4', 'debit': 0,
                                        'credit': Decimal(50),
                                        'kosgu': kosgu, 'kvr': kvr}]))],
                        }])

        for kosgu, kvr, message in [
                (None, '247', 'KOSGU'), ('223', None, 'KVR')]:
            with self.subTest(kosgu=kosgu, kvr=kvr):
                with self.assertRaises(UserError) as raised:
                    Move.post(move(kosgu, kvr))
                self.assertIn(message, raised.exception.message)
                self.assertIn('201.11', raised.exception.message)
        posted, = move('223', '247')
        Move.post([posted])
        self.assertEqual(posted.state, 'posted')

    @in_rolled_back_transaction
    def test_rules_follow_the_company_of_each_call(self):
        """The companies of the record rules follow the company the call
        names, whatever an earlier call of the same user named: the core
        cached the first one per user (a stale worker refused the accountant
        their own institution)"""
        pool = Pool()
        Company = pool.get('company.company')
        User = pool.get('res.user')
        school, museum = Company.setup_institutions([
                sample.institution(i, START) for i in [11, 12]])
        user, = User.create_service_users([{
                    'login': 'two_institutions', 'name': 'Бухгалтер',
                    'role': 'accountant',
                    'companies': [school.id, museum.id],
                    'password': 'Kz-test-password-1'}])
        User.write([user], {'company': school.id})
        transaction = Transaction()
        with transaction.set_user(user.id):
            for company in [museum, school, museum]:
                with transaction.set_context(company=company.id):
                    self.assertEqual(list(User.get_companies()),
                        [company.id])
            with transaction.reset_context():
                self.assertEqual(list(User.get_companies()), [school.id])

    @in_retried_transaction
    def test_unbalanced_opening_is_refused(self):
        "An opening balance unbalanced within a КФО stops the set-up"
        pool = Pool()
        Company = pool.get('company.company')
        values = sample.institution(4, START)
        values['opening_balance'][0]['debit'] += Decimal('0.01')
        with self.assertRaises(UserError) as context:
            Company.setup_institutions([values])
        self.assertIn('KFO 4', context.exception.message)
        self.assertIn('0.01', context.exception.message)

    @in_retried_transaction
    def test_unknown_account_is_refused(self):
        pool = Pool()
        Company = pool.get('company.company')
        values = sample.institution(5, START)
        values['opening_balance'][0]['account'] = '401.20'  # a group
        with self.assertRaises(UserError) as context:
            Company.setup_institutions([values])
        self.assertIn('"401.20"', context.exception.message)
