# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statement files of interfaces.md §5 read into plain data: no
database."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.kazan_accounting.bank_exchange import CSV_COLUMNS, read

ACCOUNT = 'ЛБВ30800668'
HEADER = ['1CClientBankExchange', 'ВерсияФормата=1.03',
    'Кодировка=Windows', 'ДатаНачала=02.03.2026', 'ДатаКонца=02.03.2026',
    f'РасчСчет={ACCOUNT}']
BALANCE = ['СекцияРасчСчет', 'ДатаНачала=02.03.2026', 'ДатаКонца=02.03.2026',
    f'РасчСчет={ACCOUNT}', 'НачальныйОстаток=1000.00',
    'ВсегоПоступило=500.00', 'ВсегоСписано=200.50',
    'КонечныйОстаток=1299.50', 'КонецРасчСчет']
RECEIPT = ['СекцияДокумент=Платежное поручение', 'Номер=7',
    'Дата=02.03.2026', 'Сумма=500.00', 'ПлательщикСчет=03234643927010001100',
    'ПлательщикИНН=1655065057', 'Плательщик=Управление образования',
    f'ПолучательСчет={ACCOUNT}', 'ПолучательИНН=1660000000',
    'ДатаПоступило=02.03.2026', 'КОСГУ=131',
    'НазначениеПлатежа=Субсидия на выполнение муниципального задания',
    'КонецДокумента']
PAYMENT = ['СекцияДокумент=Платежное поручение', 'Номер=12',
    'Дата=02.03.2026', 'Сумма=200.50', f'ПлательщикСчет={ACCOUNT}',
    'ПлательщикИНН=1660000000', 'ПолучательСчет=40702810000000000001',
    'ПолучательИНН=7707083893', 'ПолучательКПП=773601001',
    'Получатель=ПАО Сбербанк', 'ДатаСписано=02.03.2026', 'КОСГУ=226',
    'КВР=244', 'НазначениеПлатежа=Комиссия банка', 'КонецДокумента']


def one_c(lines, encoding='cp1251'):
    return '\r\n'.join(lines).encode(encoding)


def whole(*sections):
    return [*HEADER, *BALANCE, *(l for s in sections for l in s),
        'КонецФайла']


class OneCTestCase(unittest.TestCase):

    def test_statement_and_documents(self):
        statements, problems = read('s.txt', one_c(whole(RECEIPT, PAYMENT)))
        self.assertEqual(problems, [])
        statement, = statements
        self.assertEqual(statement.problems, [])
        self.assertEqual((statement.account, statement.date_from,
                statement.opening, statement.closing, statement.line),
            (ACCOUNT, dt.date(2026, 3, 2), Decimal('1000.00'),
                Decimal('1299.50'), 7))
        receipt, payment = statement.documents
        self.assertEqual((receipt.direction, receipt.amount, receipt.inn,
                receipt.kosgu, receipt.line, receipt.signed),
            ('in', Decimal('500.00'), '1655065057', '131', 16,
                Decimal('500.00')))
        self.assertEqual((payment.direction, payment.inn, payment.kpp,
                payment.name, payment.kvr, payment.signed),
            ('out', '7707083893', '773601001', 'ПАО Сбербанк', '244',
                Decimal('-200.50')))
        self.assertEqual(payment.key(),
            f'{ACCOUNT}|2026-03-02|12|200.50|out|7707083893')

    def test_dos_and_utf8_bom(self):
        dos = [l.replace('Windows', 'DOS') for l in whole(RECEIPT, PAYMENT)]
        for data in [one_c(dos, 'cp866'),
                b'\xef\xbb\xbf' + one_c(whole(RECEIPT, PAYMENT), 'utf-8')]:
            statements, problems = read('s.txt', data)
            self.assertEqual(problems, [])
            self.assertEqual(statements[0].documents[1].name, 'ПАО Сбербанк')

    def problem(self, data):
        statements, problems = read('s.txt', data)
        self.assertEqual(statements, [])
        problem, = problems
        return problem.key, problem.line

    def test_truncated(self):
        lines = whole(RECEIPT, PAYMENT)[:-1]
        self.assertEqual(self.problem(one_c(lines)),
            ('bank_file_truncated', len(lines)))

    def test_document_without_end(self):
        receipt = [l for l in RECEIPT if l != 'КонецДокумента']
        self.assertEqual(self.problem(one_c(whole(receipt, PAYMENT))),
            ('bank_file_document_unended', 16))

    def test_utf8_named_windows(self):
        self.assertEqual(self.problem(one_c(whole(RECEIPT), 'utf-8'))[0],
            'bank_file_wrong_encoding')

    def test_unknown_encoding(self):
        lines = [l.replace('Windows', 'KOI8') for l in whole(RECEIPT)]
        self.assertEqual(self.problem(one_c(lines)),
            ('bank_file_unknown_encoding', 3))

    def test_bad_amount(self):
        receipt = [l.replace('Сумма=500.00', 'Сумма=5OO') for l in RECEIPT]
        self.assertEqual(self.problem(one_c(whole(receipt))),
            ('bank_file_bad_value', 16))

    def test_document_of_no_account(self):
        receipt = [l.replace(f'ПолучательСчет={ACCOUNT}',
                'ПолучательСчет=ЛБВ1') for l in RECEIPT]
        self.assertEqual(self.problem(one_c(whole(receipt))),
            ('bank_file_document_account', 16))

    def test_totals_not_adding_up(self):
        statements, problems = read('s.txt', one_c(whole(RECEIPT)))
        self.assertEqual(problems, [])
        self.assertEqual([(p.key, p.line, p.params['documents'])
                for p in statements[0].problems],
            [('statement_total_out_mismatch', 7, Decimal(0))])
        closing = [l.replace('1299.50', '1299.00') for l in whole(
                RECEIPT, PAYMENT)]
        statements, _ = read('s.txt', one_c(closing))
        problem, = statements[0].problems
        self.assertEqual((problem.key, problem.params['expected']),
            ('statement_balance_mismatch', Decimal('1299.50')))

    def test_not_a_statement(self):
        self.assertEqual(self.problem(b'hello;world\n'),
            ('bank_file_not_statement', 1))


class CSVTestCase(unittest.TestCase):

    def data(self, *rows, encoding='utf-8'):
        return '\n'.join(';'.join(r) for r in [CSV_COLUMNS, *rows]).encode(
            encoding)

    balance = ['balance', ACCOUNT, '2026-03-02', '2026-03-02', '1000.00',
        '500.00', '0.00', '1500.00']
    receipt = [ACCOUNT, '2026-03-02', '7', 'in', '500,00', '1655065057', '',
        'Управление', '', '', '131', '', 'Субсидия']

    def test_rows(self):
        for encoding in ['utf-8', 'cp1251']:
            statements, problems = read('s.csv', self.data(
                    self.balance, self.receipt, encoding=encoding))
            self.assertEqual(problems, [])
            statement, = statements
            self.assertEqual(statement.problems, [])
            document, = statement.documents
            self.assertEqual((document.amount, document.line, document.name),
                (Decimal('500.00'), 3, 'Управление'))

    def test_document_without_balance_row(self):
        _, problems = read('s.csv', self.data(self.receipt))
        self.assertEqual([(p.key, p.line) for p in problems],
            [('bank_file_no_balance', 2)])

    def test_bad_direction(self):
        row = list(self.receipt)
        row[3] = 'inward'
        _, problems = read('s.csv', self.data(self.balance, row))
        self.assertEqual([(p.key, p.line, p.params['column']) for p in
                problems], [('bank_file_bad_value', 3, 'direction')])

    def test_row_width(self):
        _, problems = read('s.csv', self.data(self.balance,
                self.receipt[:-1]))
        self.assertEqual([(p.key, p.line) for p in problems],
            [('bank_file_row_width', 3)])
