# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The one table reader and its cell parsers: pure, no database."""
import datetime as dt
import io
import unittest
from dataclasses import asdict
from decimal import Decimal

from .. import table
from ..identifiers import organisation_inn
from ..table import Invalid, Problem, TableError, read_table

COLUMNS = ['inn', 'amount', 'date']
OPTIONAL = ['note']
ROWS = [
    ['1655012344', '1 234,50', '01.03.2026'],
    ['1655018297', '-7', '2026-03-02'],
    ]


def csv_bytes(rows, header=COLUMNS, delimiter=';', encoding='utf-8'):
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    return ('\r\n'.join(lines) + '\r\n').encode(encoding)


def xlsx_bytes(rows, header=COLUMNS):
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def no_worksheet_xlsx():
    "An XLSX file whose workbook lists no worksheet (openpyxl saves none)"
    import re
    import zipfile

    import openpyxl
    data, out = io.BytesIO(), io.BytesIO()
    openpyxl.Workbook().save(data)
    with zipfile.ZipFile(data) as source, \
            zipfile.ZipFile(out, 'w') as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == 'xl/workbook.xml':
                content = re.sub(rb'<sheets>.*</sheets>', b'<sheets/>',
                    content, flags=re.S)
            target.writestr(item, content)
    return out.getvalue()


def read(data, name='t.csv', **kwargs):
    return [(r.line, r.values) for r in read_table(
            data, COLUMNS, OPTIONAL, name=name, **kwargs)]


def problems_of(data, name='t.csv', **kwargs):
    "The problems that stop reading data"
    try:
        read_table(data, COLUMNS, OPTIONAL, name=name, **kwargs)
    except TableError as error:
        return [(p.key, p.file, p.line, p.column, p.params)
            for p in error.problems]
    raise AssertionError('TableError not raised')


class ReadTableTestCase(unittest.TestCase):
    "Every accepted encoding and layout reads the same"

    reference = [
        (2, dict(inn='1655012344', amount='1 234,50', date='01.03.2026',
                note='')),
        (3, dict(inn='1655018297', amount='-7', date='2026-03-02',
                note='')),
        ]

    def test_csv_encodings_and_separators(self):
        for data in [
                csv_bytes(ROWS),
                b'\xef\xbb\xbf' + csv_bytes(ROWS),  # UTF-8 with BOM
                csv_bytes(ROWS, encoding='cp1251'),
                csv_bytes([[v.replace(',', '.') for v in r] for r in ROWS],
                    delimiter=',').replace(b'1 234.50', b'"1 234,50"'),
                ]:
            with self.subTest(data=data[:20]):
                self.assertEqual(read(data), self.reference)

    def test_cp1251_text(self):
        data = csv_bytes([['1655012344', '1', 'Вахитовский']],
            encoding='cp1251')
        (line, values), = read(data)
        self.assertEqual(values['date'], 'Вахитовский')

    def test_xlsx_cells_as_csv_text(self):
        data = xlsx_bytes([
                ['1655012344', 1234.5, dt.datetime(2026, 3, 1)],
                [1655018297, -7.0, dt.date(2026, 3, 2)],
                ])
        self.assertEqual(read(data, 't.xlsx'), [
                (2, dict(inn='1655012344', amount='1234.5',
                        date='2026-03-01', note='')),
                (3, dict(inn='1655018297', amount='-7', date='2026-03-02',
                        note='')),
                ])
        # the bytes of an XLSX file are known without their name
        self.assertEqual(len(read(data, 'upload')), 2)

    def test_path_streamed_and_counted(self):
        import pathlib
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / 'rows.csv'
            path.write_bytes(csv_bytes(ROWS))
            rows = read_table(path, COLUMNS, OPTIONAL)
            self.assertEqual(len(rows), 2)
            self.assertNotIsInstance(rows, list)
            first = [r.values for r in rows]
            self.assertEqual([r.values for r in rows], first)
            self.assertEqual({r.file for r in rows}, {'rows.csv'})

    def test_header_free_order_case_and_blank_rows(self):
        data = ('\r\n NOTE ;Date;amount;INN;\r\n;;;\r\n'
            'x;01.03.2026;1;1655012344;\r\n').encode()
        self.assertEqual(read(data), [(4, {'note': 'x',
                        'date': '01.03.2026', 'amount': '1',
                        'inn': '1655012344'})])

    def test_header_problems_all_given(self):
        data = b'inn;amount;comment;note;note\n1;2;3;4;5\n'
        self.assertEqual(problems_of(data), [
                ('unknown_column', 't.csv', 1, 'comment',
                    {'expected': 'inn, amount, date, note'}),
                ('duplicate_column', 't.csv', 1, 'note', {}),
                ('duplicate_column', 't.csv', 1, 'note', {}),
                ('missing_column', 't.csv', 1, 'date', {}),
                ])

    def test_row_width(self):
        self.assertEqual(problems_of(csv_bytes(ROWS + [['1', '2']])), [
                ('wrong_field_count', 't.csv', 4, None,
                    {'count': 2, 'expected': 3})])
        wide = csv_bytes(ROWS + [['1', '2', '3', '4']] + ROWS + [['1']])
        self.assertEqual(problems_of(wide), [
                ('wrong_field_count', 't.csv', 4, None,
                    {'count': 4, 'expected': 3}),
                ('wrong_field_count', 't.csv', 7, None,
                    {'count': 1, 'expected': 3})])
        # a trailing separator is no field
        self.assertEqual(len(read(csv_bytes([r + [''] for r in ROWS]))), 2)

    def test_files_that_cannot_be_read(self):
        self.assertEqual(problems_of(b''),
            [('empty_file', 't.csv', None, None, {})])
        self.assertEqual(problems_of(b'\n;;\n'),
            [('empty_file', 't.csv', None, None, {})])
        (key, _, _, _, params), = problems_of(b'PK\x03\x04garbage', 't.xlsx')
        self.assertEqual(key, 'unreadable_file')
        self.assertTrue(params['error'])
        self.assertEqual(problems_of(no_worksheet_xlsx(), 't.xlsx'),
            [('no_worksheet', 't.xlsx', None, None, {})])

    def test_limits(self):
        data = csv_bytes(ROWS)
        self.assertEqual(problems_of(data, max_rows=1), [
                ('too_many_rows', 't.csv', 3, None, {'maximum': 1})])
        self.assertEqual(len(read(data, max_rows=2)), 2)
        self.assertEqual(problems_of(data, max_bytes=len(data) - 1), [
                ('file_too_large', 't.csv', None, None,
                    {'size': '0', 'maximum': '0'})])

    def test_missing_file(self):
        with self.assertRaises(TableError) as info:
            read_table('/nonexistent/t.csv', COLUMNS)
        problem, = info.exception.problems
        self.assertEqual((problem.key, problem.file),
            ('unreadable_file', 't.csv'))


class ParserTestCase(unittest.TestCase):

    def assertInvalid(self, parse, value, key, **params):
        with self.assertRaises(Invalid) as info:
            parse(value)
        self.assertEqual((info.exception.key, info.exception.params),
            (key, params))

    def test_text(self):
        self.assertEqual(table.text('a'), 'a')
        self.assertIsNone(table.text('', required=False))
        self.assertInvalid(table.text, '', 'required')

    def test_number(self):
        self.assertEqual(table.number('1 234 567,89'),
            Decimal('1234567.89'))
        self.assertEqual(table.number('-5'), Decimal('-5'))
        for value in ['1e5', '１２', '1.234,56', '+5', '12 34', 'Infinity']:
            self.assertInvalid(table.number, value, 'invalid_number')
        self.assertInvalid(lambda v: table.number(v, negative=False), '-5',
            'negative_amount')

    def test_amount(self):
        self.assertEqual(table.amount(''), Decimal('0.00'))
        self.assertEqual(str(table.amount('31 500,5')), '31500.50')
        self.assertInvalid(table.amount, '1.005', 'too_many_decimals')
        self.assertInvalid(table.amount, '-1', 'negative_amount')
        self.assertInvalid(table.amount, '1' * 17, 'amount_too_large',
            digits=16)
        self.assertInvalid(lambda v: table.amount(v, 13), '1' * 14,
            'amount_too_large', digits=13)
        # as a plan line takes it: negative, its decimals checked later
        self.assertEqual(
            table.amount('-1.005', negative=True, decimals=None),
            Decimal('-1.005'))

    def test_ranged_and_integer(self):
        self.assertEqual(table.ranged('0,2', Decimal('0.2'), 8),
            Decimal('0.2'))
        self.assertInvalid(lambda v: table.ranged(v, 0, 2, table.integer),
            '3', 'out_of_range', minimum=0, maximum=2)
        self.assertEqual(table.integer('007'), 7)
        for value in ['', '２', '1.0', '-1']:
            self.assertInvalid(table.integer, value, 'invalid_integer')
        self.assertEqual(table.integer('2026', digits=4), 2026)
        self.assertInvalid(lambda v: table.integer(v, digits=4), '26',
            'invalid_integer')

    def test_date(self):
        self.assertEqual(table.date('2026-03-01'), dt.date(2026, 3, 1))
        self.assertEqual(table.date('01.03.2026'), dt.date(2026, 3, 1))
        for value in ['', '2026-02-30', '１９８５-04-12', '03/01/2026']:
            self.assertInvalid(table.date, value, 'invalid_date')

    def test_choice_identifier_required_optional(self):
        parse = table.choice(['a', 'b'])
        self.assertEqual(parse('a'), 'a')
        self.assertInvalid(parse, 'c', 'invalid_choice', allowed='a, b')
        inn = table.identifier(organisation_inn, 'invalid_inn')
        self.assertEqual(inn('1655012344'), '1655012344')
        self.assertInvalid(inn, '1655012345', 'invalid_inn')
        self.assertIsNone(table.optional(inn)(''))
        self.assertInvalid(table.required(inn), '', 'required')

    def test_parse_rows_collects_problems(self):
        rows = [table.Row('t.csv', 2, {'inn': '1', 'date': 'x'}),
            table.Row('t.csv', 3, {'inn': '', 'date': '2026-03-01'})]
        problems = []
        parsed = list(table.parse_rows(rows,
                {'inn': table.text, 'date': table.date}, problems))
        self.assertEqual([values for _, values in parsed], [
                {'inn': '1', 'date': None},
                {'inn': None, 'date': dt.date(2026, 3, 1)}])
        self.assertEqual(problems, [
                Problem('invalid_date', 't.csv', 2, 'date', '1', 'x'),
                Problem('required', 't.csv', 3, 'inn', None, '')])

    def test_problem(self):
        problem = Problem('invalid_date', 't.csv', 2, 'date', '1', 'x',
            {'a': 1})
        self.assertEqual(problem.where(), 't.csv:2:date')
        self.assertEqual(Problem('empty_file', 't.csv').where(), 't.csv')
        self.assertEqual(list(asdict(problem)), ['key', 'file', 'line',
                'column', 'inn', 'value', 'params', 'message'])
