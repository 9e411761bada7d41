# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Statements imported from the client: the core's import wizard with the
service's format, as an accountant of the institution runs it."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.kazan_accounting import (
    bank_exchange, bank_import, bank_statement)
from trytond.modules.kazan_accounting.tests import sample
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

START = dt.date(2026, 3, 1)
# the school's cash of КФО 4 in its opening balance (sample.opening_balance)
OPENING = Decimal('350000.00')


def one_c(account, opening, documents, kosgu='226'):
    """A 1CClientBankExchange file of one day, 2 March 2026: the payments
    out with the КОСГУ kosgu and КВР 244"""
    total_in = sum((a for d, a, _, _ in documents if d == 'in'), Decimal(0))
    total_out = sum((a for d, a, _, _ in documents if d == 'out'),
        Decimal(0))
    lines = ['1CClientBankExchange', 'ВерсияФормата=1.03',
        'Кодировка=Windows', 'СекцияРасчСчет', 'ДатаНачала=02.03.2026',
        'ДатаКонца=02.03.2026', f'РасчСчет={account}',
        f'НачальныйОстаток={opening:.2f}', f'ВсегоПоступило={total_in:.2f}',
        f'ВсегоСписано={total_out:.2f}',
        f'КонечныйОстаток={opening + total_in - total_out:.2f}',
        'КонецРасчСчет']
    for number, (direction, amount, inn, purpose) in enumerate(
            documents, 1):
        ours, theirs = f'Счет={account}', 'Счет=03234643927010001100'
        payer, payee = (ours, theirs) if direction == 'out' else (
            theirs, ours)
        lines += ['СекцияДокумент=Платежное поручение', f'Номер={number}',
            'Дата=02.03.2026', f'Сумма={amount:.2f}', 'Плательщик' + payer,
            'Получатель' + payee,
            ('ПолучательИНН=' if direction == 'out' else 'ПлательщикИНН=')
            + inn, 'ДатаСписано=02.03.2026', 'ДатаПоступило=02.03.2026',
            'КОСГУ=' + (kosgu if direction == 'out' else '131'),
            'КВР=244' if direction == 'out' else 'КВР=',
            f'НазначениеПлатежа={purpose}', 'КонецДокумента']
    lines.append('КонецФайла')
    return '\r\n'.join(lines).encode('cp1251')


class BankStatementTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('kazan_accounting')

    def institutions(self):
        pool = Pool()
        Company = pool.get('company.company')
        User = pool.get('res.user')
        school, other = Company.setup_institutions([
                sample.institution(301, START),
                sample.institution(302, START)])
        User.write([User(Transaction().user)], {
                'companies': [('add', [school.id])],
                'company': school.id})
        return school, other

    def run_wizard(self, company, data):
        Import = Pool().get('account.statement.import', type='wizard')
        session_id, _, _ = Import.create()
        return Import.execute(session_id, {'start': {
                    'company': company.id, 'file_': data,
                    'file_format': 'kazan'}}, 'import_')

    @with_transaction()
    def test_import_from_the_client(self):
        pool = Pool()
        Statement = pool.get('account.statement')
        Origin = pool.get('account.statement.origin')
        school, other = self.institutions()
        account = school.personal_accounts[0].number
        data = one_c(account, OPENING, [
                ('in', Decimal('1000000.00'), '1655065057',
                    'Субсидия на финансовое обеспечение выполнения '
                    'муниципального задания'),
                ('out', Decimal('12500.00'), '7707083893',
                    'Оплата по контракту № 5 за услуги'),
                ])
        with Transaction().set_context(company=school.id):
            result = self.run_wizard(school, data)
            statement, = Statement.search([('company', '=', school.id)])
            self.assertEqual(result['actions'][0][1]['res_id'],
                [statement.id])
            self.assertEqual(statement.state, 'draft')  # one left open
            subsidy, payment = sorted(statement.origins,
                key=lambda o: -o.amount)
            self.assertEqual(subsidy.import_status, 'posted')
            line, = subsidy.lines
            self.assertEqual((line.account.code, line.kosgu, line.kfo,
                    line.move.state, line.cash_line.account.code,
                    line.cash_line.debit),
                ('205.31', '131', '4', 'posted', '201.11',
                    Decimal('1000000.00')))
            self.assertEqual(payment.import_status, 'open')
            self.assertEqual(payment.counterparty_inn, '7707083893')
            self.assertEqual((payment.kosgu, payment.kvr), ('226', '244'))

            # the same file again: nothing new
            self.run_wizard(school, data)
            self.assertEqual(Origin.search_count(
                    [('statement.company', '=', school.id)]), 2)

            # the next day's opening must be the ledger's with the open
            # payment: 350,000 + 1,000,000 - 12,500
            wrong = one_c(account, OPENING, []).replace(
                b'02.03.2026', b'03.03.2026')
            with self.assertRaises(UserError) as context:
                self.run_wizard(school, wrong)
            self.assertIn('1337500.00', context.exception.message)

    @with_transaction()
    def test_statement_all_recognised_is_posted_once(self):
        "Every document posted by a rule: the statement posted, each once"
        pool = Pool()
        Statement = pool.get('account.statement')
        Origin = pool.get('account.statement.origin')
        MoveLine = pool.get('account.move.line')
        school, _ = self.institutions()
        data = one_c(school.personal_accounts[0].number, OPENING, [
                ('in', Decimal('1000000.00'), '1655065057',
                    'Субсидия на финансовое обеспечение выполнения '
                    'муниципального задания'),
                ('out', Decimal('150.00'), '1655065057',
                    'Комиссия банка за обслуживание счета'),
                ])
        statements, problems = bank_exchange.read('file', data)
        self.assertEqual(problems, [])
        with Transaction().set_context(company=school.id):
            # as kazan bank import calls it
            results, problems = bank_import.import_statements(
                school.id, school.inn, statements)
            self.assertEqual(problems, [])
            self.assertEqual([r.status for r in results], ['posted'] * 2)
            statement, = Statement.search([('company', '=', school.id)])
            self.assertEqual(statement.state, 'posted')
            self.assertEqual(
                sorted(o.import_status for o in statement.origins),
                ['posted', 'posted'])
            self.assertEqual(Origin.search_count([
                        ('statement', '=', statement.id),
                        ('import_status', '=', 'posted')]), 2)
            booked = MoveLine.search([
                    ('origin', 'in', [str(l) for l in statement.lines])])
            self.assertEqual(len(booked), 4)
            self.assertEqual({l.move.state for l in booked}, {'posted'})
            self.assertEqual({l.move for l in booked},
                {l.move for l in statement.lines})
            self.assertEqual({l.cash_line for l in statement.lines},
                {l for l in booked if l.account.code == '201.11'})

    @with_transaction()
    def test_account_of_another_institution_refused(self):
        pool = Pool()
        Statement = pool.get('account.statement')
        school, other = self.institutions()
        data = one_c(other.personal_accounts[0].number, OPENING, [])
        with Transaction().set_context(company=school.id):
            with self.assertRaises(UserError) as context:
                self.run_wizard(school, data)
            self.assertIn(other.personal_accounts[0].number,
                context.exception.message)
        self.assertEqual(Statement.search_count([]), 0)

    @with_transaction()
    def test_rows_inserted_as_the_orm_creates_them(self):
        "The import's INSERT writes the rows of Model.create, and valid ones"
        pool = Pool()
        Journal = pool.get('account.statement.journal')
        Statement = pool.get('account.statement')
        Origin = pool.get('account.statement.origin')
        Line = pool.get('account.statement.line')
        Account = pool.get('account.account')
        school, _ = self.institutions()
        journal, = Journal.of_personal_accounts(
            [school.personal_accounts[0]]).values()
        account, = Account.search([
                ('company', '=', school.id), ('code', '=', '205.31')])
        orm, sql = Statement.create([{
                    'name': name, 'company': school.id,
                    'journal': journal.id, 'date': START,
                    'start_balance': OPENING, 'end_balance': OPENING,
                    'total_amount': Decimal('-12.50'), 'number_of_lines': 1,
                    } for name in ['orm', 'sql']])

        def origins(statement):
            return [{'statement': statement.id, 'number': '7',
                    'date': START, 'amount': Decimal('-12.50'),
                    'description': "Оплата по контракту", 'kfo': '4',
                    'kosgu': '226', 'kvr': '244', 'kbk': None,
                    'counterparty_inn': '7707083893',
                    'counterparty_kpp': None,
                    'counterparty_account': '03234643927010001100',
                    'import_key': f'{statement.name}|key',
                    'source': 'file:3', 'import_status': 'open',
                    'information': {'counterparty_inn': '7707083893',
                        'kosgu': '226'}}]

        def lines(origin):
            return [Line(statement=origin.statement, origin=origin,
                    number=origin.number, date=origin.date,
                    amount=origin.amount, description=origin.description,
                    account=account, kfo='4', kosgu='131',
                    kvr=None)._save_values()]

        with Transaction().set_context(company=school.id):
            by_orm = Origin.create(origins(orm))
            by_sql = Origin.browse(bank_import.insert(Origin, origins(sql)))
            Origin._validate(by_sql)
            lines_orm = Line.create(lines(by_orm[0]))
            lines_sql = Line.browse(
                bank_import.insert(Line, lines(by_sql[0])))
            Line._validate(lines_sql)
        for Model, created, inserted, differ in [
                (Origin, by_orm, by_sql, {'statement', 'import_key'}),
                (Line, lines_orm, lines_sql, {'statement', 'origin'}),
                ]:
            names = [n for n, f in Model._fields.items()
                if not hasattr(f, 'get') and n not in differ
                and n not in {'id', 'create_date', 'write_date'}]
            self.assertEqual(
                [{n: getattr(r, n) for n in names}
                    for r in Model.browse(inserted)],
                [{n: getattr(r, n) for n in names}
                    for r in Model.browse(created)])
            for record in Model.browse(inserted):
                self.assertEqual(record.create_uid.id,
                    Transaction().user)

    @with_transaction()
    def test_move_lines_given_the_same_fields(self):
        "A document's two move lines are saved with the same fields"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        counterpart = MoveLine(debit=Decimal('12.50'), credit=Decimal(0),
            party=None, second_currency=None, kfo='4', kosgu='226')
        cash = MoveLine(debit=Decimal(0), credit=Decimal('12.50'),
            kfo='4', kosgu='226', description="Оплата")
        bank_statement._same_fields(counterpart, cash)
        self.assertEqual(counterpart._save_values(), {
                'debit': Decimal('12.50'), 'credit': Decimal(0),
                'party': None, 'second_currency': None, 'kfo': '4',
                'kosgu': '226', 'description': None})
        self.assertEqual(cash._save_values(), {
                'debit': Decimal(0), 'credit': Decimal('12.50'),
                'party': None, 'second_currency': None, 'kfo': '4',
                'kosgu': '226', 'description': "Оплата"})
