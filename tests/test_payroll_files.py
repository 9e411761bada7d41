"""The files of ``kazan payroll`` (issue 13): the salary-card lists
(``--payments``) and the register (``--register``, interfaces.md §3).

A name or a personnel number that a spreadsheet would read as a formula is
written with a leading apostrophe (OWASP's advice against CSV injection);
amounts, negative ones included, and ordinary values are written as the
contract says.  No database: the writers take plain rows.
"""
import csv
import pathlib
import shutil
import tempfile
import unittest
from decimal import Decimal

from kazan import payroll

NAMES = ['=HYPERLINK("http://x.example";"Зарплата")', '+79990000000',
    '-Иванов', '@Петров', '\tСидоров', 'Кузнецова Анна Петровна']
SAFE = ["'=HYPERLINK(\"http://x.example\";\"Зарплата\")", "'+79990000000",
    "'-Иванов", "'@Петров", "'\tСидоров", 'Кузнецова Анна Петровна']


def read(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.reader(f, delimiter=';'))


class PayrollFilesTestCase(unittest.TestCase):

    def setUp(self):
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix='kazan-pay-'))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def test_card_lists(self):
        rows = [{'personnel_number': f'{i:03}', 'full_name': name,
                'bank_bic': '049205805',
                'bank_account': '40817810100000000001',
                'amount': Decimal('15000.5')}
            for i, name in enumerate(NAMES, 1)]
        count = payroll.write_card_lists(self.folder,
            {('1655000000', 'advance', '049205805'): rows})
        self.assertEqual(count, 1)
        path = self.folder / '1655000000' / 'advance_049205805.csv'
        self.assertEqual(read(path), [payroll.CARD_COLUMNS] + [
                [f'{i:03}', safe, '049205805', '40817810100000000001',
                    '15000.50']
                for i, safe in enumerate(SAFE, 1)])
        self.assertEqual(
            sorted(p.name for p in path.parent.iterdir()), [path.name])

    def test_register(self):
        row = {'inn': '1655000000', 'personnel_number': '=1+2',
            'snils': '112-233-445 95', 'month': '2026-03',
            'gross': Decimal('30000'), 'standard_deduction': Decimal('0'),
            'ndfl': Decimal('3900'), 'net': Decimal('-100.5'),
            'contributions': Decimal('9000'),
            'accident_insurance': Decimal('60'), 'kfo': '4'}
        path = self.folder / 'register.csv'
        payroll.write_csv(path, payroll.REGISTER_COLUMNS,
            [row, dict(row, personnel_number='0042')])
        self.assertEqual(read(path), [payroll.REGISTER_COLUMNS,
                ['1655000000', "'=1+2", '112-233-445 95', '2026-03',
                    '30000.00', '0.00', '3900.00', '-100.50', '9000.00',
                    '60.00', '4'],
                ['1655000000', '0042', '112-233-445 95', '2026-03',
                    '30000.00', '0.00', '3900.00', '-100.50', '9000.00',
                    '60.00', '4']])
