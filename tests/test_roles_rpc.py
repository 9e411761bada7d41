"""Each role, logged in through Tryton's RPC layer, on two institutions.

The accountant of the school, the school's director, the chief accountant
and IT onboarding log in with their passwords over JSON-RPC and try to read
and write the moves, accounts and profile of their own and of the other
institution.  What is not theirs is refused; a director writes nothing.
"""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from .rpc import JSONRPCClient, RPCError

PASSWORD = 'Kz-test-password-1'
START = dt.date(2026, 3, 1)


def institution(name, inn, ogrn, legal_form, founder):
    return {
        'name': name, 'full_name': name, 'inn': inn, 'kpp': inn[:4] + '01001',
        'ogrn': ogrn, 'oktmo': '92701000', 'institution_kind': 'school',
        'legal_form': legal_form, 'founder': founder,
        'district': 'Вахитовский', 'director': 'Директор',
        'accident_rate': Decimal('0.2'), 'service_start_date': START,
        'opening_balance': [
            {'account': '201.11', 'kfo': '4', 'debit': Decimal('100.00'),
                'credit': Decimal(0)},
            {'account': '401.30', 'kfo': '4', 'debit': Decimal(0),
                'credit': Decimal('100.00')},
            ],
        }


class RoleAccessTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])
        (cls.school, cls.museum, cls.museum_draft) = in_transaction(
            DB_NAME, cls.set_up_data)

    @staticmethod
    def set_up_data(pool):
        """Two institutions with an opening balance, a draft move in the
        museum, a user of each role"""
        Company = pool.get('company.company')
        User = pool.get('res.user')
        Move = pool.get('account.move')
        Journal = pool.get('account.journal')
        Period = pool.get('account.period')
        school, museum = Company.setup_institutions([
                institution('Школа', '1655012344', '1021601234566',
                    'budgetary', 'education'),
                institution('Музей', '1658005673', '1021607654320',
                    'autonomous', 'culture'),
                ])
        User.create_service_users([
                {'login': login, 'name': login, 'role': role,
                    'companies': companies, 'password': PASSWORD}
                for login, role, companies in [
                    ('accountant', 'accountant', [school.id]),
                    ('director', 'director', [school.id]),
                    ('chief', 'chief_accountant',
                        [school.id, museum.id]),
                    ('it', 'onboarding', []),
                    ]])
        journal, = Journal.search([('code', '=', '2')])
        draft, = Move.create([{
                    'company': museum.id, 'journal': journal.id,
                    'period': Period.find(museum, date=START).id,
                    'date': START,
                    }])
        return school.id, museum.id, draft.id

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def client(self, login):
        client = JSONRPCClient(DB_NAME)
        client.login(login, PASSWORD)
        return client

    def moves_of(self, client, company):
        return client.model('account.move', 'search',
            [('company', '=', company)], 0, None, None)

    def assertRefused(self, call, *args):
        "The call fails with Tryton's access or record-rule error"
        with self.assertRaises(RPCError) as context:
            call(*args)
        name, (message, *_) = context.exception.args
        self.assertEqual(name, 'UserError')
        self.assertIn('not allowed', message)

    def test_director_exports_own_statements_only(self):
        """The statements' export (the report behind the client's wizard)
        gives a director their own institution's forms, never another's,
        nor a founder's consolidation they cannot wholly read"""
        client = self.client('director')
        data = {'company': self.school, 'date': START, 'form':
            'trial_balance', 'format': 'csv'}
        ext, content, *_ = client.report('kazan.statement.report', [], data)
        self.assertEqual(ext, 'csv')
        text = bytes(content).decode('utf-8')
        self.assertTrue(text.startswith('account;kfo;'), text)
        self.assertIn('\n201.11;4;100.00;', text)
        for form, head in [('obligations', 'kfo;section;'),
                ('debts', 'kind;account;'),
                ('operations_journal', 'journal;date;')]:
            ext, content, *_ = client.report('kazan.statement.report', [],
                dict(data, form=form))
            self.assertTrue(
                bytes(content).decode('utf-8').startswith(head), form)
        for refused in [
                dict(data, company=self.museum),
                dict(data, company=None, founder='culture'),
                dict(data, company=self.museum, form='balance',
                    format='pdf'),
                dict(data, company=self.museum, form='obligations'),
                dict(data, company=self.museum, form='debts'),
                dict(data, company=self.museum, form='operations_journal'),
                dict(data, company=None, founder='culture',
                    form='debts'),
                ]:
            with self.subTest(data=refused):
                with self.assertRaises(RPCError) as context:
                    client.report('kazan.statement.report', [], refused)
                name, (message, *_) = context.exception.args
                self.assertEqual(name, 'UserError')
                # another institution in the report's data: the guard
                # refuses it before the report (kazan_accounting/guard.py)
                self.assertIn('not one of yours' if refused.get('company')
                    else 'every institution', message)

    def test_wrong_password_refused(self):
        client = JSONRPCClient(DB_NAME)
        self.assertRaises(RPCError, client.login, 'director', 'wrong')

    def test_accountant_works_on_assigned_institution_only(self):
        client = self.client('accountant')
        moves = self.moves_of(client, self.school)
        self.assertTrue(moves)
        self.assertEqual(sorted(moves), self.move_ids(self.school))
        self.assertEqual(self.moves_of(client, self.museum), [])
        self.assertEqual(client.model('company.company', 'search',
                [], 0, None, None), [self.school])
        museum_moves = self.museum_move_ids()
        self.assertRefused(client.model, 'account.move', 'read',
            museum_moves, ['number'])
        self.assertRefused(client.model, 'account.move', 'write',
            [self.museum_draft], {'description': 'x'})
        self.assertRefused(client.model, 'account.move', 'delete',
            [self.museum_draft])
        self.assertRefused(client.model, 'account.account', 'write',
            self.account_ids(self.museum), {'name': 'x'})
        self.assertRefused(client.model, 'company.company', 'read',
            [self.museum], ['inn'])
        # in their own institution they post
        [move] = client.model('account.move', 'create', [
                self.draft_move(client, self.school)])
        client.model('account.move', 'post', [move])

    def test_director_reads_own_institution_writes_nothing(self):
        client = self.client('director')
        moves = self.moves_of(client, self.school)
        self.assertTrue(moves)
        self.assertEqual(sorted(moves), self.move_ids(self.school))
        self.assertEqual(self.moves_of(client, self.museum), [])
        self.assertRefused(client.model, 'account.move', 'read',
            self.museum_move_ids(), ['number'])
        self.assertRefused(client.model, 'company.company', 'read',
            [self.museum], ['inn'])
        self.assertEqual(client.model('account.account', 'search',
                [('company', '=', self.museum)], 0, None, None), [])
        [school] = client.model('company.company', 'read',
            [self.school], ['inn'])
        self.assertEqual(school['inn'], '1655012344')
        self.assertRefused(client.model, 'account.move', 'create',
            [self.draft_move(client, self.school)])
        for model, ids, values in [
                ('account.account', self.account_ids(self.school),
                    {'name': 'x'}),
                ('company.company', [self.school], {'director': 'x'}),
                ]:
            with self.subTest(model=model):
                self.assertRefused(client.model, model, 'write', ids, values)
        self.assertRefused(client.model, 'party.party', 'create',
            [{'name': 'x'}])
        self.assertRefused(client.model, 'account.move', 'delete', moves)

    def test_chief_accountant_switches_institution(self):
        client = self.client('chief')
        self.assertEqual(sorted(client.model('company.company', 'search',
                    [], 0, None, None)), sorted([self.school, self.museum]))
        self.assertEqual(self.moves_of(client, self.museum), [])
        client.set_preferences({'company': self.museum})
        self.assertEqual(sorted(self.moves_of(client, self.museum)),
            self.museum_move_ids())
        self.assertEqual(self.moves_of(client, self.school), [])
        client.model('company.company', 'write', [self.museum],
            {'director': 'Новый директор'})

    def test_onboarding_sees_no_ledger(self):
        client = self.client('it')
        self.assertRefused(self.moves_of, client, self.school)
        self.assertRefused(client.model, 'account.move', 'read',
            self.museum_move_ids(), ['number'])

    def draft_move(self, client, company):
        "The values of a balanced move of the month, read over RPC"
        [account_cash] = client.model('account.account', 'search',
            [('company', '=', company), ('code', '=', '201.11')],
            0, None, None)
        [account_income] = client.model('account.account', 'search',
            [('company', '=', company), ('code', '=', '401.10.131')],
            0, None, None)
        [period] = client.model('account.period', 'search',
            [('company', '=', company), ('start_date', '=', START)],
            0, None, None)
        [journal] = client.model('account.journal', 'search',
            [('code', '=', '2')], 0, None, None)
        return {
            'company': company, 'journal': journal, 'period': period,
            'date': START,
            'lines': [['create', [
                        {'account': account_cash, 'kfo': '4', 'kosgu': '131',
                            'debit': Decimal('10.00'), 'credit': Decimal(0)},
                        {'account': account_income, 'kfo': '4',
                            'debit': Decimal(0), 'credit': Decimal('10.00')},
                        ]]],
            }

    def move_ids(self, company):
        "The moves of company, as the database holds them"
        with Transaction().start(DB_NAME, 0, readonly=True):
            Move = Pool().get('account.move')
            return sorted(m.id for m in Move.search(
                    [('company', '=', company)]))

    def museum_move_ids(self):
        return self.move_ids(self.museum)

    def account_ids(self, company):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Account = Pool().get('account.account')
            return [a.id for a in Account.search(
                    [('company', '=', company), ('code', '=', '201.11')])]
