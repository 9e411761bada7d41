# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The rules of the parents' fees, without a database: the charge, the
payment agent's registry, the QR payload of ГОСТ Р 56042-2014 and the
entries of income_entries.csv."""
import unittest
from decimal import Decimal

from trytond.modules.kazan_accounting import fee_rules
from trytond.modules.kazan_accounting.fee_rules import (
    charge_amount, kopecks, parse_qr_payload, qr_payload, read_registry)


def registry(*rows, header='account;date;amount;payment_id'):
    return '\n'.join([header, *rows]).encode('utf-8')


class ChargeTestCase(unittest.TestCase):

    def test_days_times_rate(self):
        self.assertEqual(charge_amount(20, Decimal('150.00')),
            Decimal('3000.00'))  # 20 × 150

    def test_benefit_halves(self):
        self.assertEqual(charge_amount(19, Decimal('155.50'), Decimal(50)),
            Decimal('1477.25'))  # 19 × 155.50 × 50 %

    def test_full_benefit_is_free(self):
        self.assertEqual(charge_amount(21, Decimal('150.00'), Decimal(100)),
            Decimal('0.00'))

    def test_rounded_half_up_to_the_kopeck(self):
        # 3 × 100.01 × 50 % = 150.015
        self.assertEqual(charge_amount(3, Decimal('100.01'), Decimal(50)),
            Decimal('150.02'))

    def test_no_day_no_charge(self):
        self.assertEqual(charge_amount(0, Decimal('150.00')), Decimal('0.00'))

    def test_refuses_impossible_values(self):
        with self.assertRaises(ValueError):
            charge_amount(-1, Decimal('150.00'))
        with self.assertRaises(ValueError):
            charge_amount(1, Decimal('150.00'), Decimal(101))


class RegistryTestCase(unittest.TestCase):

    def test_reads_payments(self):
        payments, problems = read_registry(registry(
                'ЛС0001;2026-03-10;1 500,50;P-1',
                'ЛС0002;11.03.2026;300;P-2'), 'r.csv')
        self.assertEqual(problems, [])
        self.assertEqual([(p.line, p.account, p.date.isoformat(), p.amount,
                    p.payment_id) for p in payments], [
                (2, 'ЛС0001', '2026-03-10', Decimal('1500.50'), 'P-1'),
                (3, 'ЛС0002', '2026-03-11', Decimal('300.00'), 'P-2')])

    def test_payment_id_twice_is_kept_once(self):
        payments, problems = read_registry(registry(
                'ЛС0001;2026-03-10;100;P-1',
                'ЛС0001;2026-03-10;100;P-1'), 'r.csv')
        self.assertEqual(problems, [])
        self.assertEqual([p.line for p in payments], [2])

    def test_every_bad_value_named_with_its_line(self):
        payments, problems = read_registry(registry(
                'ЛС0001;2026-03-10;сто;P-1',
                'ЛС0002;2026-02-30;100;P-2',
                'ЛС0003;2026-03-10;-5;P-3',
                'ЛС0004;2026-03-10;0;P-4',
                'ЛС0005;2026-03-10;1,001;P-5',
                ';2026-03-10;100;P-6',
                'ЛС0007;2026-03-10;100;'), 'r.csv')
        self.assertEqual(payments, [])
        self.assertEqual([(p.where(), p.key) for p in problems], [
                ('r.csv:2:amount', 'msg_fee_registry_invalid_amount'),
                ('r.csv:3:date', 'msg_fee_registry_invalid_date'),
                ('r.csv:4:amount', 'msg_fee_registry_invalid_amount'),
                ('r.csv:5:amount', 'msg_fee_registry_invalid_amount'),
                ('r.csv:6:amount', 'msg_fee_registry_invalid_amount'),
                ('r.csv:7:account', 'msg_fee_registry_required'),
                ('r.csv:8:payment_id', 'msg_fee_registry_required'),
                ])

    def test_header_checked(self):
        payments, problems = read_registry(registry(
                'ЛС0001;2026-03-10;100;P-1',
                header='account;date;sum;payment_id'), 'r.csv')
        self.assertEqual(payments, [])
        self.assertEqual(sorted(p.key for p in problems), [
                'msg_fee_registry_missing_column',
                'msg_fee_registry_unknown_column'])

    def test_windows_1251_and_commas(self):
        data = 'account,date,amount,payment_id\nЛС0001,10.03.2026,"1,5",P-1'
        payments, problems = read_registry(data.encode('cp1251'), 'r.csv')
        self.assertEqual(problems, [])
        self.assertEqual(payments[0].amount, Decimal('1.50'))


class QRPayloadTestCase(unittest.TestCase):

    FIELDS = [
        ('PayeeINN', '1655012344'),
        ('Name', 'УФК по РТ (МБДОУ "Детский сад №1")'),
        ('PersonalAcc', '03234643927010001100'),
        ('BankName', 'ОТДЕЛЕНИЕ-НБ РЕСПУБЛИКА ТАТАРСТАН'),
        ('BIC', '019205400'),
        ('CorrespAcc', '40102810445370000079'),
        ('Sum', kopecks(Decimal('1500.50'))),
        ('Purpose', 'Плата | март'),
        ('PersAcc', 'ЛС0001'),
        ('KPP', ''),
        ]

    def test_header_then_required_fields_in_order(self):
        payload = qr_payload(self.FIELDS)
        self.assertEqual(payload.split('|')[:6], [
                'ST00012',
                'Name=УФК по РТ (МБДОУ "Детский сад №1")',
                'PersonalAcc=03234643927010001100',
                'BankName=ОТДЕЛЕНИЕ-НБ РЕСПУБЛИКА ТАТАРСТАН',
                'BIC=019205400',
                'CorrespAcc=40102810445370000079'])

    def test_sum_in_kopecks_separator_escaped_empty_left_out(self):
        fields = parse_qr_payload(qr_payload(self.FIELDS))
        self.assertEqual(fields['Sum'], '150050')
        self.assertEqual(fields['Purpose'], 'Плата / март')
        self.assertNotIn('KPP', fields)
        self.assertEqual(fields['PersAcc'], 'ЛС0001')

    def test_required_field_missing(self):
        with self.assertRaises(ValueError):
            qr_payload([f for f in self.FIELDS if f[0] != 'BIC'])


class EntriesTestCase(unittest.TestCase):

    def test_entries_of_the_brief(self):
        self.assertEqual(
            fee_rules.entry('fee_charge', '2')[2:6],
            ('205.31', '560', '401.10.131', '131'))
        self.assertEqual(
            fee_rules.entry('fee_receipt', '2')[2:6],
            ('201.11', '131', '205.31', '660'))
        self.assertEqual(
            fee_rules.entry('subsidy_agreement', '5')[2:6],
            ('205.52', '560', '401.41', '152'))
        self.assertEqual(
            fee_rules.entry('subsidy_recognition', '4')[2:6],
            ('401.41', '131', '401.10.131', '131'))

    def test_every_entry_has_both_accounts(self):
        for key, entry in fee_rules.ENTRIES.items():
            with self.subTest(entry=key):
                self.assertTrue(entry.debit and entry.credit)
                self.assertIn(entry.kfo, {'2', '4', '5'})
