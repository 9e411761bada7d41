# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Counterparties (ИНН, КПП, bank details) and the obligations of contracts:
what the plan leaves, the entries and their reversal."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond import backend
from trytond.model.exceptions import ValidationError
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from ..contract import Codes, obligation_entries, plan_checks, remaining_plan
from .tools import in_rolled_back_transaction

START = dt.date(2026, 1, 1)
SUPPLIER_INN = '1655191213'  # ГАУ "ИТ-парк", Kazan (brief §8)
# The example of the Bank of Russia's «Порядок расчета контрольного ключа»
BIC = '049805746'
ACCOUNT = '40602810700000000025'
CODES = Codes('4', '244', '223')


class ObligationRulesTestCase(unittest.TestCase):
    "The rules over plain values"

    def test_remaining_plan(self):
        self.assertEqual(remaining_plan(Decimal(150000), Decimal(120000)),
            Decimal(30000))
        self.assertEqual(remaining_plan(Decimal(100), Decimal(130)),
            Decimal(-30))

    def test_plan_checks_within_plan(self):
        self.assertEqual(plan_checks({CODES: Decimal(30000)},
                {CODES: Decimal(150000)}, {CODES: Decimal(120000)}), [])

    def test_plan_checks_above_plan(self):
        # 150 000 planned - 120 000 accepted = 30 000 left < 50 000
        check, = plan_checks({CODES: Decimal(50000)},
            {CODES: Decimal(150000)}, {CODES: Decimal(120000)})
        self.assertEqual(check.codes, CODES)
        self.assertEqual((check.planned, check.accepted, check.remaining,
                check.amount), (Decimal(150000), Decimal(120000),
                Decimal(30000), Decimal(50000)))

    def test_plan_checks_codes_not_planned(self):
        other = Codes('4', '244', '226')
        check, = plan_checks({other: Decimal(1)}, {CODES: Decimal(10)}, {})
        self.assertEqual((check.codes, check.remaining), (other, 0))

    def test_plan_checks_decrease_always_allowed(self):
        self.assertEqual(plan_checks({CODES: Decimal(-10)}, {}, {}), [])

    def test_obligation_entries(self):
        self.assertEqual(obligation_entries(Decimal(100)),
            ('506.10', '502.11', Decimal(100)))
        self.assertEqual(obligation_entries(Decimal(-40)),
            ('502.11', '506.10', Decimal(40)))
        self.assertIsNone(obligation_entries(Decimal(0)))


class CounterpartyTestCase(unittest.TestCase):
    "Suppliers as parties: ИНН, КПП, БИК and settlement account"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])

    @classmethod
    def tearDownClass(cls):
        backend.Database(DB_NAME).close()

    def supplier(self, inn=SUPPLIER_INN, kpp='165501001'):
        Party = Pool().get('party.party')
        party, = Party.create([{'name': 'ООО "Поставщик"',
                    'identifiers': [('create', [
                                {'type': 'ru_vat', 'code': inn},
                                {'type': 'ru_kpp', 'code': kpp}])],
                    }])
        return party

    @in_rolled_back_transaction
    def test_found_by_inn(self):
        Party = Pool().get('party.party')
        party = self.supplier()
        self.assertEqual((party.inn, party.kpp), (SUPPLIER_INN, '165501001'))
        self.assertEqual(Party.search([('inn', '=', SUPPLIER_INN)]), [party])
        self.assertEqual(Party.search([('rec_name', '=', SUPPLIER_INN)]),
            [party])
        self.assertEqual(Party.find_by_inn(SUPPLIER_INN, '165501001'),
            [party])
        self.assertEqual(Party.find_by_inn(SUPPLIER_INN, '165502001'), [])

    @in_rolled_back_transaction
    def test_bank_import_finds_by_inn(self):
        "The bank import matches payments with parties by their ИНН"
        from ..bank_import import _inn, _parties_by_inn
        party = self.supplier(inn='1655 191213')
        self.assertEqual(_parties_by_inn({SUPPLIER_INN, '1650081400'}),
            {SUPPLIER_INN: party.id})
        self.assertEqual(_inn(party), SUPPLIER_INN)

    @in_rolled_back_transaction
    def test_invalid_inn_refused(self):
        with self.assertRaises(ValidationError) as context:
            self.supplier(inn='1655191214')
        self.assertIn('1655191214', context.exception.message)
        self.assertIn('10 digits', context.exception.message)

    @in_rolled_back_transaction
    def test_invalid_kpp_refused(self):
        with self.assertRaises(ValidationError) as context:
            self.supplier(kpp='16550100')
        self.assertIn('KPP "16550100"', context.exception.message)

    @in_rolled_back_transaction
    def test_bank_and_settlement_account(self):
        pool = Pool()
        Bank = pool.get('bank')
        Account = pool.get('bank.account')
        party = self.supplier()
        bank, = Bank.create([{'party': self.supplier('1650081400').id,
                    'bic': BIC}])
        # key: 746 + the account, weighted 7, 1, 3: a multiple of 10
        account, = Account.create([{'bank': bank.id,
                    'owners': [('add', [party.id])],
                    'numbers': [('create', [{'type': 'ru',
                                    'number': '4060 2810 7000 0000 0025'}])],
                    }])
        self.assertEqual(account.settlement_account, ACCOUNT)
        with self.assertRaises(ValidationError) as context:
            Account.create([{'bank': bank.id, 'numbers': [('create', [
                                {'type': 'ru',
                                    'number': '40602810800000000025'}])]}])
        self.assertIn('control key', context.exception.message)
        self.assertIn(BIC, context.exception.message)
        with self.assertRaises(ValidationError) as context:
            Account.create([{'bank': bank.id, 'numbers': [('create', [
                                {'type': 'ru', 'number': '3010181'}])]}])
        self.assertIn('20 digits', context.exception.message)

    @in_rolled_back_transaction
    def test_bank_details_kept_by_accountants(self):
        "Directors read the bank details, accountants keep them"
        pool = Pool()
        User = pool.get('res.user')
        Access = pool.get('ir.model.access')
        models = ['bank', 'bank.account', 'bank.account.number',
            'bank.account-party.party']
        users = User.create_service_users([
                {'login': f'bank-{role}', 'name': role, 'role': role,
                    'companies': [], 'password': 'Kz-test-password-1'}
                for role in ['director', 'accountant']])
        for user, allowed in zip(users, [False, True]):
            with Transaction().set_user(user.id):
                access = Access.get_access(models)
            for model in models:
                self.assertTrue(access[model]['read'], model)
                for mode in ['write', 'create', 'delete']:
                    self.assertEqual(bool(access[model][mode]), allowed,
                        (user.login, model, mode))

    @in_rolled_back_transaction
    def test_invalid_bic_refused(self):
        Bank = Pool().get('bank')
        with self.assertRaises(ValidationError) as context:
            Bank.create([{'party': self.supplier().id, 'bic': '12345678'}])
        self.assertIn('9 digits', context.exception.message)
        # a SWIFT code is still the core's
        bank, = Bank.create([{'party': self.supplier().id,
                    'bic': 'SABRRUMM'}])
        self.assertEqual(bank.bic, 'SABRRUMM')


class ContractObligationTestCase(unittest.TestCase):
    "Registering, amending and terminating a contract against the plan"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])
        cls.school_id = in_transaction(DB_NAME, cls.set_up_data)

    @classmethod
    def tearDownClass(cls):
        backend.Database(DB_NAME).close()

    @staticmethod
    def set_up_data(pool):
        Company = pool.get('company.company')
        Plan = pool.get('kazan.plan')
        school, = Company.setup_institutions([
                sample.institution(9301, START)])
        plan, = Plan.create([{'company': school.id, 'year': 2026,
                    'lines': [('create', [{'kfo': '4', 'kvr': '244',
                                    'kosgu': '223', 'line_code': '2640',
                                    'amount': Decimal(150000)}])]}])
        Plan.approve([plan])
        return school.id

    def contract(self, number, amount):
        pool = Pool()
        Party = pool.get('party.party')
        Contract = pool.get('kazan.contract')
        party, = Party.create([{'name': 'ПАО "Таттелеком"'}])
        contract, = Contract.create([{'company': self.school_id,
                    'number': number, 'date': dt.date(2026, 2, 2),
                    'law': '44', 'party': party.id,
                    'lines': [('create', [{'kfo': '4', 'kvr': '244',
                                    'kosgu': '223', 'amount': amount}])],
                    }])
        return contract

    def balances(self):
        """{code: debit - credit} of 502.11 and 506.10 by their move lines:
        the plan's 150 000 credited to 506.10 (the right to accept
        obligations), what the contracts accepted debited"""
        Line = Pool().get('account.move.line')
        result = {}
        for line in Line.search([('account.company', '=', self.school_id),
                    ('account.code', 'in', ['502.11', '506.10'])]):
            result[line.account.code] = result.get(
                line.account.code, 0) + line.debit - line.credit
            self.assertEqual((line.kfo, line.kvr, line.kosgu),
                ('4', '244', '223'))
        return result

    @in_rolled_back_transaction
    def test_register_amend_terminate(self):
        Contract = Pool().get('kazan.contract')
        contract = self.contract('1', Decimal(120000))
        Contract.register([contract])
        self.assertEqual(contract.accepted, Decimal(120000))
        self.assertEqual(self.balances(),
            {'502.11': Decimal(-120000), '506.10': Decimal(-30000)})
        # amended down by 20 000: the difference is reversed
        line, = contract.lines
        line.amount = Decimal(100000)
        line.save()
        Contract.amend([contract])
        self.assertEqual(self.balances(),
            {'502.11': Decimal(-100000), '506.10': Decimal(-50000)})
        # terminated with nothing executed: everything is reversed
        Contract.terminate([contract])
        self.assertEqual(contract.state, 'terminated')
        self.assertEqual(contract.accepted, Decimal(0))
        self.assertEqual(self.balances(),
            {'502.11': 0, '506.10': Decimal(-150000)})
        self.assertEqual(len(contract.moves), 3)

    @in_rolled_back_transaction
    def test_above_plan_refused_with_figures(self):
        Contract = Pool().get('kazan.contract')
        Contract.register([self.contract('1', Decimal(120000))])
        second = self.contract('2', Decimal(50000))
        with self.assertRaises(ValidationError) as context:
            Contract.register([second])
        message = context.exception.message
        for figure in ['150000', '120000', '30000', '50000']:
            self.assertIn(figure, message)
        self.assertEqual(second.state, 'draft')
        # within what is left, it passes
        line, = second.lines
        line.amount = Decimal(30000)
        line.save()
        Contract.register([second])
        self.assertEqual(second.state, 'registered')

    @in_rolled_back_transaction
    def test_contracts_registered_together_count_each_other(self):
        Contract = Pool().get('kazan.contract')
        first = self.contract('1', Decimal(120000))
        second = self.contract('2', Decimal(50000))
        with self.assertRaises(ValidationError) as context:
            Contract.register([first, second])
        self.assertIn('120000', context.exception.message)
        self.assertIn('"№ 2', context.exception.message)

    @in_rolled_back_transaction
    def test_obligations_accepted_without_contract_count(self):
        """A supplier's document without a contract accepts its own
        obligation (Dr 506.10 / Cr 502.11 in its move): the plan left is
        the less"""
        from .test_statements import post_moves
        Contract = Pool().get('kazan.contract')
        school = Pool().get('company.company')(self.school_id)
        post_moves(school, [(dt.date(2026, 2, 1), 'journal_suppliers', [
                        ('506.10', '4', 40000, 0, '223', '244'),
                        ('502.11', '4', 0, 40000, '223', '244')])])
        contract = self.contract('1', Decimal(120000))
        with self.assertRaises(ValidationError) as context:
            Contract.register([contract])
        for figure in ['150000', '40000', '110000', '120000']:
            self.assertIn(figure, context.exception.message)

    @in_rolled_back_transaction
    def test_amendment_above_plan_refused(self):
        Contract = Pool().get('kazan.contract')
        contract = self.contract('1', Decimal(120000))
        Contract.register([contract])
        line, = contract.lines
        line.amount = Decimal(150001)
        line.save()
        with self.assertRaises(ValidationError):
            Contract.amend([contract])
