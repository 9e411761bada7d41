# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Suppliers' documents (acts, invoices, waybills on account_invoice): the
accrual against 302.xx by КОСГУ, the monetary obligation of the contract,
what the contract leaves, and the payment a statement brings."""
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

from ..supplier_document import ACCOUNTS, obligation_operations
from .test_bank_statement import OPENING, one_c
from .tools import in_rolled_back_transaction

START = dt.date(2026, 3, 1)
# the database is shared with the other tests: an INN of its own
SUPPLIER_INN = sample.organisation_inn(9402)


class SupplierAccountsTestCase(unittest.TestCase):
    "The data of supplier_accounts.csv"

    def test_each_kosgu_settles_on_its_302(self):
        for kosgu, (payable, debit) in ACCOUNTS.items():
            self.assertTrue(payable.startswith('302.'), kosgu)
            # 22x on 302.2x, 3x0 and 34x on 302.3x (157н's analytic code)
            self.assertEqual(payable[4], kosgu[0 if kosgu[0] == '3' else 1],
                kosgu)
            self.assertTrue(debit.split('.')[0] in {'401', '105', '106'},
                kosgu)

    def test_operations(self):
        self.assertEqual(obligation_operations(True), ['monetary'])
        self.assertEqual(obligation_operations(False),
            ['accept', 'monetary'])


class SupplierDocumentTestCase(unittest.TestCase):
    """A school with a plan, a supplier and a 44-ФЗ contract of 120,000 ₽
    (КВР 244, КОСГУ 223) registered; each test rolls back"""

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])
        cls.ids = in_transaction(DB_NAME, cls.set_up_data)

    @classmethod
    def tearDownClass(cls):
        backend.Database(DB_NAME).close()

    @staticmethod
    def set_up_data(pool):
        Company = pool.get('company.company')
        Plan = pool.get('kazan.plan')
        Party = pool.get('party.party')
        Contract = pool.get('kazan.contract')
        values = sample.institution(9401, START)
        # materials delivered before the start, not yet paid
        values['opening_balance'] += [
            {'account': '105.36', 'kfo': '4', 'debit': Decimal(10000),
                'credit': Decimal(0)},
            {'account': '302.34', 'kfo': '4', 'debit': Decimal(0),
                'credit': Decimal(10000)}]
        school, = Company.setup_institutions([values])
        plan, = Plan.create([{'company': school.id, 'year': 2026,
                    'lines': [('create', [{'kfo': '4', 'kvr': '244',
                                    'kosgu': '223', 'line_code': '2640',
                                    'amount': Decimal(150000)}])]}])
        Plan.approve([plan])
        supplier, = Party.create([{'name': 'АО "Татэнергосбыт"',
                    'identifiers': [('create', [{'type': 'ru_vat',
                                    'code': SUPPLIER_INN}])],
                    'addresses': [('create', [{'city': 'Казань'}])]}])
        contract, = Contract.create([{'company': school.id,
                    'number': '44-12', 'date': dt.date(2026, 3, 2),
                    'law': '44', 'party': supplier.id,
                    'lines': [('create', [{'kfo': '4', 'kvr': '244',
                                    'kosgu': '223',
                                    'amount': Decimal(120000)}])],
                    }])
        Contract.register([contract])
        return {'school': school.id, 'supplier': supplier.id,
            'contract': contract.id}

    def document(self, amount, contract=True, kosgu='223', account=None,
            date=dt.date(2026, 3, 5), post=True, line_account=None):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Party = pool.get('party.party')
        Contract = pool.get('kazan.contract')
        Account = pool.get('account.account')
        ModelData = pool.get('ir.model.data')
        supplier = Party(self.ids['supplier'])
        line, = Contract(self.ids['contract']).lines
        payable, = Account.search([('company', '=', self.ids['school']),
                ('code', '=', account or ACCOUNTS[kosgu][0])])
        # by default the КОСГУ's (supplier_accounts.csv)
        line_values = {}
        if line_account:
            line_values['account'], = Account.search([
                    ('company', '=', self.ids['school']),
                    ('code', '=', line_account)])
        with Transaction().set_context(company=self.ids['school']):
            document, = Invoice.create([{
                        'company': self.ids['school'], 'type': 'in',
                        'document_kind': 'act', 'reference': 'А-17',
                        'party': supplier.id,
                        'invoice_address': supplier.addresses[0].id,
                        'journal': ModelData.get_id(
                            'kazan_accounting', 'journal_suppliers'),
                        'account': payable.id, 'invoice_date': date,
                        'currency': pool.get('company.company')(
                            self.ids['school']).currency.id,
                        'contract_line': line.id if contract else None,
                        'kfo': '4', 'kvr': '244', 'kosgu': kosgu,
                        'lines': [('create', [{
                                        'type': 'line', 'quantity': 1,
                                        'unit_price': amount,
                                        'description': 'Электроэнергия',
                                        **line_values}])],
                        }])
            if post:
                Invoice.post([document])
        return document

    def import_statement(self, school, data):
        "Run the client's statement import of the school's file"
        Import = Pool().get('account.statement.import', type='wizard')
        with Transaction().set_context(company=school.id):
            session_id, _, _ = Import.create()
            Import.execute(session_id, {'start': {
                        'company': school.id, 'file_': data,
                        'file_format': 'kazan'}}, 'import_')

    def move_lines(self, document):
        return sorted((l.account.code, l.debit, l.credit,
                l.party.id if l.party else None, l.kfo, l.kvr, l.kosgu)
            for l in document.move.lines)

    @in_rolled_back_transaction
    def test_acts_accrue_and_execute_the_contract(self):
        pool = Pool()
        Contract = pool.get('kazan.contract')
        first = self.document(Decimal(70000))
        self.assertEqual(first.state, 'posted')
        self.assertTrue(first.number.startswith('2026/'))
        supplier = self.ids['supplier']
        codes = ('4', '244', '223')
        self.assertEqual(self.move_lines(first), sorted([
                    ('401.20.223', Decimal(70000), 0, None, *codes),
                    ('302.23', 0, Decimal(70000), supplier, *codes),
                    ('502.11', Decimal(70000), 0, None, *codes),
                    ('502.12', 0, Decimal(70000), None, *codes),
                    ]))
        self.assertEqual(first.move.journal.code, '4')
        self.document(Decimal(50000))
        contract = Contract(self.ids['contract'])
        line, = contract.lines
        self.assertEqual(line.executed, Decimal(120000))
        # the contract is executed: one more kopeck is refused
        with self.assertRaises(ValidationError) as context:
            self.document(Decimal('0.01'))
        for figure in ['120000', '0.01']:
            self.assertIn(figure, context.exception.message)
        # closed, nothing is left to reverse
        Contract.close([contract])
        self.assertEqual(line.accepted, Decimal(120000))

    @in_rolled_back_transaction
    def test_termination_reverses_what_is_not_executed(self):
        pool = Pool()
        Contract = pool.get('kazan.contract')
        self.document(Decimal(70000))
        contract = Contract(self.ids['contract'])
        Contract.terminate([contract])
        line, = contract.lines
        self.assertEqual((line.amount, line.accepted),
            (Decimal(70000), Decimal(70000)))

    @in_rolled_back_transaction
    def test_document_without_contract_accepts_its_obligation(self):
        document = self.document(Decimal(3000), contract=False,
            kosgu='346')
        codes = ('4', '244', '346')
        self.assertEqual(self.move_lines(document), sorted([
                    ('105.36', Decimal(3000), 0, None, *codes),
                    ('302.34', 0, Decimal(3000), self.ids['supplier'],
                        *codes),
                    ('506.10', Decimal(3000), 0, None, *codes),
                    ('502.11', 0, Decimal(3000), None, *codes),
                    ('502.11', Decimal(3000), 0, None, *codes),
                    ('502.12', 0, Decimal(3000), None, *codes),
                    ]))

    @in_rolled_back_transaction
    def test_wrong_settlement_account_refused(self):
        with self.assertRaises(ValidationError) as context:
            self.document(Decimal(100), account='302.26', post=False)
        self.assertIn('302.23', context.exception.message)
        with self.assertRaises(ValidationError) as context:
            self.document(Decimal(100), kosgu='999', account='302.23',
                contract=False, post=False, line_account='401.20.223')
        self.assertIn('999', context.exception.message)

    @in_rolled_back_transaction
    def test_contract_codes_must_match(self):
        with self.assertRaises(ValidationError):
            self.document(Decimal(100), kosgu='226', post=False)

    @in_rolled_back_transaction
    def test_payment_from_the_statement_pays_the_act(self):
        pool = Pool()
        Company = pool.get('company.company')
        Origin = pool.get('account.statement.origin')
        school = Company(self.ids['school'])
        document = self.document(Decimal(70000))
        data = one_c(school.personal_accounts[0].number, OPENING, [
                ('out', Decimal(70000), SUPPLIER_INN,
                    'Оплата по контракту № 44-12 за электроэнергию')],
            kosgu='223')
        self.import_statement(school, data)
        # what the reconciliation queued runs, as after an RPC's commit
        Queue = pool.get('ir.queue')
        tasks = Transaction().tasks
        while tasks:
            Queue(tasks.pop()).run()
        origin, = Origin.search([('statement.company', '=', school.id)])
        self.assertEqual(origin.import_status, 'reconciled')
        line, = origin.lines
        self.assertEqual((line.account.code, line.party.id, line.kfo,
                line.kvr, line.kosgu),
            ('302.23', self.ids['supplier'], '4', '244', '223'))
        document = pool.get('account.invoice')(document.id)
        self.assertEqual(document.state, 'paid')
        self.assertEqual(document.amount_to_pay, 0)

    @in_rolled_back_transaction
    def test_part_payment_proposes_the_contract_documents(self):
        "A payment of another amount: the contract's act among candidates"
        pool = Pool()
        Company = pool.get('company.company')
        Origin = pool.get('account.statement.origin')
        school = Company(self.ids['school'])
        document = self.document(Decimal(70000))
        data = one_c(school.personal_accounts[0].number, OPENING, [
                ('out', Decimal(30000), SUPPLIER_INN,
                    'Частичная оплата по контракту № 44-12 за март')],
            kosgu='223')
        self.import_statement(school, data)
        origin, = Origin.search([('statement.company', '=', school.id)])
        self.assertEqual(origin.import_status, 'open')
        payable, = [l for l in document.move.lines
            if l.account.code == '302.23']
        self.assertEqual(origin.candidates[0], payable)

    def test_contract_numbers_of_a_purpose(self):
        from ..bank_statement import contract_numbers
        self.assertEqual(contract_numbers(
                'Оплата по контракту № 44-12 за электроэнергию'), {'44-12'})
        self.assertEqual(contract_numbers('Оплата по договору №7, акт 3'),
            {'7'})
        self.assertEqual(contract_numbers('Комиссия банка'), set())

    @in_rolled_back_transaction
    def test_opening_payables_name_the_unnamed_counterparty(self):
        pool = Pool()
        Line = pool.get('account.move.line')
        ModelData = pool.get('ir.model.data')
        line, = Line.search([('account.company', '=', self.ids['school']),
                ('account.code', '=', '302.34')])
        self.assertEqual(line.party.id, ModelData.get_id(
                'kazan_accounting', 'party_opening_balance'))
        self.assertEqual(line.credit, Decimal(10000))

    @in_rolled_back_transaction
    def test_import_of_a_supplier_without_address(self):
        "A supplier found by INN without an address gets one, and its act"
        from ..document_import import DocumentData, import_documents
        pool = Pool()
        Company = pool.get('company.company')
        Party = pool.get('party.party')
        inn = sample.organisation_inn(9403)
        party, = Party.create([{'name': 'ООО "Без адреса"',
                    'identifiers': [('create', [{'type': 'ru_vat',
                                    'code': inn}])]}])
        Party.write([party], {'addresses': [
                    ('delete', [a.id for a in party.addresses])]})
        document = DocumentData('documents.csv', 2, '', inn, 'ООО',
            'А-9', dt.date(2026, 3, 5), 'act', '4', '244', '226',
            Decimal(500))
        counts = import_documents(Company(self.ids['school']), [document])
        self.assertEqual(counts['posted'], 1)
        self.assertEqual(len(Party(party.id).addresses), 1)
        # the same again: nothing
        counts = import_documents(Company(self.ids['school']), [document])
        self.assertEqual((counts['posted'], counts['duplicate']), (0, 1))

    def test_import_asks_for_its_locks_at_once(self):
        """The documents import asks for the locks of the numbers of the
        moves and of the documents in one request, before any work: its
        transaction starts again once, not once per numbering"""
        from ..document_import import DocumentData, import_documents
        document = DocumentData('documents.csv', 2, '',
            sample.organisation_inn(9404), 'ООО "Один раз"', 'А-11',
            dt.date(2026, 3, 6), 'act', '4', '244', '226', Decimal(300))
        attempts = []

        def work(pool):
            Company = pool.get('company.company')
            attempts.append(1)
            try:
                return import_documents(
                    Company(self.ids['school']), [document])
            finally:
                Transaction().rollback()
        counts = in_transaction(DB_NAME, work)
        self.assertEqual(counts['posted'], 1)
        self.assertEqual(len(attempts), 2)
