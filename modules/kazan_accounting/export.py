# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statements as files: one format-neutral document, four writers.

A form (0503730, 0503721, 0503737, the trial balance, the general ledger) is
built once as a `Document` of `Table`s of plain rows; `to_xlsx`, `to_ods`,
`to_pdf` and `to_csv` lay it out.  Pure Python, no Tryton: the batch
command, the client's reports and the unit tests share it.

The batch writes some 180 files in a run, so each writer takes tens of
milliseconds for a form of a few hundred lines:

- XLSX with openpyxl, already used by onboarding.
- ODS with the small writer below (zipfile + lxml), not a library: odfpy,
  the usual one, had its last release in 2020 and builds a slow DOM of its
  own; ezodf (last release 2015) and pyexcel-ods3 sit on those.  Tables with
  a number format are a small, stable part of OpenDocument 1.3, and writing
  them takes no new dependency.
- PDF with reportlab's platypus: its Table repeats the column headers on
  every page and lays out a few hundred lines in tens of milliseconds, where
  WeasyPrint takes about a second per document.  Cyrillic needs a TrueType
  font: see `pdf_fonts`.
- CSV with the csv module: `;`, decimal point, UTF-8 (interfaces.md §4).

The fixed words of the layout ("Форма по ОКУД", the page numbers) are
Russian whatever the user's language: these are Russian official forms.
The caller gives every other text (titles, column labels, line names).
"""
import copy
import csv
import datetime as dt
import functools
import io
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from lxml import etree

__all__ = ['FORMATS', 'KINDS', 'Column', 'Table', 'Document', 'FontNotFound',
    'to_xlsx', 'to_ods', 'to_pdf', 'to_csv', 'render', 'write', 'pdf_fonts',
    'text_cell', 'safe_file_name']

FORMATS = ('xlsx', 'ods', 'pdf', 'csv')
KINDS = ('text', 'amount', 'code')

FORM_LABEL = 'Форма по ОКУД'
CODES_LABEL = 'Коды'
PAGE_LABEL = 'Стр. {page} из {pages}'

# Default widths in characters, by kind of column
DEFAULT_WIDTHS = {'text': 45, 'amount': 17, 'code': 8}
CENT = Decimal('0.01')


@dataclass
class Column:
    """A column of a table.

    kind: 'text' (the first text column is the line name, indented by the
    row's level), 'amount' (a number with 2 decimals) or 'code' (a code
    kept as text: line codes, КОСГУ, КВР, accounts)."""
    key: str
    label: str
    kind: str = 'text'
    width: float | None = None  # in characters, DEFAULT_WIDTHS when None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f'unknown column kind {self.kind!r}')

    @property
    def display_width(self):
        "Width in characters: as given, else by kind, the label's words kept"
        if self.width:
            return self.width
        longest = max(map(len, self.label.split()), default=0)
        return max(DEFAULT_WIDTHS[self.kind], longest + 1)


@dataclass
class Table:
    """Rows under column headers.

    rows are dicts keyed by column key, with optional `level` (indent of
    the line name) and `bold` (totals).  footer: lines printed below the
    table, like the document's header.  sheet: the sheet's name in XLSX and
    ODS (31 characters at most), the title when None."""
    title: str
    columns: list
    rows: list
    footer: list | None = None
    sheet: str | None = None


@dataclass
class Document:
    """A form: its title, its code by ОКУД (e.g. '0503730'), header lines
    printed above its tables, as (label, value) pairs or plain strings,
    and its tables."""
    title: str
    form: str = ''
    header: list = field(default_factory=list)
    tables: list = field(default_factory=list)


# Values

# A spreadsheet reads a cell that starts with one of these as a formula
# (CSV injection): a name such as "=HYPERLINK(...)" would run in the
# accountant's spreadsheet
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def text_cell(value):
    """value as a spreadsheet cell of text: a text a spreadsheet would read
    as a formula gets a leading apostrophe, OWASP's advice for CSV files
    and the same in XLSX and ODS; numbers and other values as they are"""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# File names made of names (an institution's, a person's): what no file
# system or client takes, or takes as a path, is replaced or dropped
_FILE_NAME_SEPARATORS = re.compile(r'[/\\:*?<>|]')
_FILE_NAME_QUOTES = re.compile('["\'`«»„“”‘’‚‹›]')
FILE_NAME_LENGTH = 100  # characters, and at most twice as many UTF-8 bytes


def safe_file_name(name, default='report', length=FILE_NAME_LENGTH):
    """name as a file name: no path separator (nor the other characters
    Windows refuses), no quotes, no control characters, spaces collapsed,
    no leading or trailing dot or space, at most length characters and
    2 × length bytes of UTF-8; default when nothing is left.  An ordinary
    name (МБОУ Гимназия №7 март 2026) is kept as it is."""
    name = unicodedata.normalize('NFC', str(name or ''))
    name = _FILE_NAME_QUOTES.sub('', name)
    name = _FILE_NAME_SEPARATORS.sub('_', name)
    name = ''.join(' ' if unicodedata.category(c)[0] in 'CZ' else c
        for c in name)
    name = ' '.join(name.split())[:length]
    while len(name.encode('utf-8')) > 2 * length:
        name = name[:-1]
    return name.strip(' .') or default


def _decimal(value):
    "value as a Decimal of 2 places, without a negative zero"
    if isinstance(value, float):
        value = repr(value)
    value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return value if value else Decimal('0.00')


def _is_amount(value):
    return isinstance(value, (Decimal, int, float)) \
        and not isinstance(value, bool)


_RU_NUMBER = str.maketrans({',': ' ', '.': ','})


def _amount_text(value):
    "value as printed on a Russian form: 1 234 567,89"
    return f'{_decimal(value):,.2f}'.translate(_RU_NUMBER)


def _display(value):
    "value as a person reads it"
    if value is None:
        return ''
    if isinstance(value, dt.date):
        return value.strftime('%d.%m.%Y')
    if _is_amount(value) and not isinstance(value, int):
        return _amount_text(value)
    return str(value)


def _line(item):
    "A header or footer line: 'label: value' or the plain string"
    if isinstance(item, (tuple, list)):
        label, value = item
        value = _display(value)
        return f'{label}: {value}' if value else str(label)
    return _display(item)


def _name_column(table):
    "Index of the column indented by the rows' level: the first text one"
    for i, column in enumerate(table.columns):
        if column.kind == 'text':
            return i
    return None


def _tables(doc):
    return doc.tables or [Table(doc.title, [], [])]


_SHEET_FORBIDDEN = re.compile(r'[\[\]:*?/\\]')


def _sheet_names(tables, form=''):
    """Unique sheet names of at most 31 characters (Excel's limits): the
    tables' sheet or title, else the form's code, else their number"""
    names, seen = [], set()
    for i, table in enumerate(tables, 1):
        base = _SHEET_FORBIDDEN.sub(' ',
            table.sheet or table.title or form or '')
        base = base.strip().strip("'")[:31].strip() or str(i)
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            suffix = f' ({n})'
            name = base[:31 - len(suffix)] + suffix
        seen.add(name.lower())
        names.append(name)
    return names


def _preamble(doc, table):
    """The lines above a sheet's column headers, as (style, text):
    the title, the form's code, the header lines and the table's title"""
    lines = [('title', doc.title)]
    if doc.form:
        lines.append(('form', doc.form))
    lines.extend(('line', _line(item)) for item in doc.header)
    lines.append(('blank', ''))
    if table.title and table.title != doc.title:
        lines.append(('subtitle', table.title))
    return lines


# XLSX

class _XlsxStyles:
    """The workbook's cell styles.

    openpyxl hashes a font, border or alignment each time one is set on a
    cell, which costs more than the rest of the writing; so a data cell's
    style is set once per kind of cell, and the other cells get a copy of
    its style array, as openpyxl's own worksheet copier does."""

    def __init__(self):
        from openpyxl.styles import (
            Alignment, Border, Font, PatternFill, Side)
        self.arrays = {}
        thin = Side(style='thin')
        self.title = Font(bold=True, size=12)
        self.bold = Font(bold=True)
        self.regular = Font()
        self.center = Alignment(horizontal='center', vertical='center',
            wrap_text=True)
        self.right = Alignment(horizontal='right')
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.fill = PatternFill('solid', fgColor='E6E6E6')
        self.amount = Alignment(horizontal='right', vertical='top')
        self.code = Alignment(horizontal='center', vertical='top')

    def apply(self, cell, kind, bold=False, level=0):
        "Style a data cell"
        key = (kind, bool(bold), level)
        array = self.arrays.get(key)
        if array is not None:
            cell._style = copy.copy(array)
            return
        from openpyxl.styles import Alignment
        cell.font = self.bold if bold else self.regular
        cell.border = self.border
        if kind == 'amount':
            cell.alignment = self.amount
            cell.number_format = '#,##0.00'
        elif kind == 'code':
            cell.alignment = self.code
            cell.number_format = '@'
        else:
            cell.alignment = Alignment(horizontal='left', vertical='top',
                wrap_text=True, indent=level)
        self.arrays[key] = copy.copy(cell._style)


def to_xlsx(doc):
    "The document as an Excel workbook: a sheet per table"
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = doc.title
    tables = _tables(doc)
    styles = _XlsxStyles()
    for table, name in zip(tables, _sheet_names(tables, doc.form)):
        _xlsx_sheet(workbook.create_sheet(name), doc, table, styles)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_LINE_HEIGHT = 15  # points, a line of the default 11-point font


def _text_lines(text, width):
    """How many lines text takes in a column of width characters, wrapped
    at spaces: spreadsheets that open an XLSX file keep the heights it
    gives, so a wrapped name needs one"""
    lines, used = 1, 0
    for word in str(text).split():
        size = len(word)
        if used and used + 1 + size > width:
            lines += 1
            used = size
        else:
            used += size + (1 if used else 0)
        while used > width:
            lines += 1
            used -= width
    return lines


def _xlsx_sheet(sheet, doc, table, styles):
    from openpyxl.utils import get_column_letter

    columns = table.columns
    width = max(len(columns), 1)
    last = get_column_letter(width)

    r = 0
    for style, text in _preamble(doc, table):
        r += 1
        if style == 'form':
            if width >= 2:
                label = sheet.cell(r, width - 1, FORM_LABEL)
                label.alignment = styles.right
                code = sheet.cell(r, width, text)
                code.alignment = styles.center
                code.border = styles.border
            else:
                sheet.cell(r, 1, f'{FORM_LABEL} {text}')
            continue
        cell = sheet.cell(r, 1, text_cell(text) or None)
        if style == 'title':
            cell.font = styles.title
            cell.alignment = styles.center
        elif style == 'subtitle':
            cell.font = styles.bold
        if text and width > 1:
            sheet.merge_cells(f'A{r}:{last}{r}')

    r += 1
    head = r
    for c, column in enumerate(columns, 1):
        cell = sheet.cell(r, c, column.label)
        cell.font = styles.bold
        cell.alignment = styles.center
        cell.border = styles.border
        cell.fill = styles.fill
        sheet.column_dimensions[get_column_letter(c)].width = \
            column.display_width
    _xlsx_height(sheet, head, max((_text_lines(c.label, c.display_width)
                for c in columns), default=1))

    name = _name_column(table)
    keys = [c.key for c in columns]
    kinds = [c.kind for c in columns]
    texts = [(c, column.key, column.display_width)
        for c, column in enumerate(columns) if column.kind == 'text']
    for row in table.rows:
        r += 1
        bold = row.get('bold')
        level = row.get('level') or 0
        for c, (key, kind) in enumerate(zip(keys, kinds)):
            value = row.get(key)
            if kind == 'amount' and _is_amount(value):
                value = _decimal(value)
            elif kind == 'code' and value is not None:
                value = str(value)
            # text, never a formula (a name starting with '=')
            cell = sheet.cell(r, c + 1, text_cell(value))
            styles.apply(cell, kind, bold, level if c == name else 0)
        if texts:
            _xlsx_height(sheet, r, max(_text_lines(row.get(key) or '',
                        width - (1.5 * level if c == name else 0))
                    for c, key, width in texts))

    r += 1
    for item in table.footer or []:
        r += 1
        sheet.cell(r, 1, text_cell(_line(item)))

    if columns:
        sheet.freeze_panes = sheet.cell(head + 1, 1)
        sheet.print_title_rows = f'{head}:{head}'
    setup = sheet.page_setup
    setup.orientation = 'landscape' if _landscape([table]) else 'portrait'
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _xlsx_height(sheet, row, lines):
    if lines > 1:
        sheet.row_dimensions[row].height = lines * XLSX_LINE_HEIGHT


# ODS

ODS_MIMETYPE = 'application/vnd.oasis.opendocument.spreadsheet'
ODF_VERSION = '1.3'
NS = {
    'office': 'urn:oasis:names:tc:opendocument:xmlns:office:1.0',
    'style': 'urn:oasis:names:tc:opendocument:xmlns:style:1.0',
    'text': 'urn:oasis:names:tc:opendocument:xmlns:text:1.0',
    'table': 'urn:oasis:names:tc:opendocument:xmlns:table:1.0',
    'fo': 'urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0',
    'number': 'urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0',
    'meta': 'urn:oasis:names:tc:opendocument:xmlns:meta:1.0',
    'dc': 'http://purl.org/dc/elements/1.1/',
    'config': 'urn:oasis:names:tc:opendocument:xmlns:config:1.0',
    'manifest': 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0',
    }
# Centimetres per character of width, like a spreadsheet's default font
ODS_CHAR_WIDTH = 0.2
ODS_INDENT = 0.3  # centimetres per level of a line name
BORDER = '0.5pt solid #000000'


def _q(name):
    "Clark notation of a prefixed name: 'table:table' → '{ns}table'"
    prefix, local = name.split(':')
    return f'{{{NS[prefix]}}}{local}'


def _element(parent, name, attrib=None, text=None):
    element = etree.SubElement(parent, _q(name),
        {_q(k): str(v) for k, v in (attrib or {}).items()})
    if text is not None:
        element.text = text
    return element


def _root(name, *prefixes):
    root = etree.Element(_q(name), nsmap={p: NS[p] for p in prefixes})
    root.set(_q('office:version'), ODF_VERSION)
    return root


def _xml(root):
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


class _OdsStyles:
    "The automatic styles of content.xml, made on demand"

    def __init__(self, parent):
        self.parent = parent
        self.names = {}
        number = _element(parent, 'number:number-style',
            {'style:name': 'N2'})
        _element(number, 'number:number', {
                'number:decimal-places': 2,
                'number:min-decimal-places': 2,
                'number:min-integer-digits': 1,
                'number:grouping': 'true',
                })
        style = _element(parent, 'style:style', {
                'style:name': 'ta1', 'style:family': 'table',
                'style:master-page-name': 'Default'})
        _element(style, 'style:table-properties', {'table:display': 'true'})

    def column(self, width):
        key = ('column', width)
        if key not in self.names:
            name = self.names[key] = f'co{len(self.names) + 1}'
            style = _element(self.parent, 'style:style', {
                    'style:name': name, 'style:family': 'table-column'})
            _element(style, 'style:table-column-properties', {
                    'style:column-width': f'{width * ODS_CHAR_WIDTH:.2f}cm'})
        return self.names[key]

    def cell(self, kind='text', bold=False, level=0, border=True,
            head=False, size=None):
        key = ('cell', kind, bold, level, border, head, size)
        if key in self.names:
            return self.names[key]
        name = self.names[key] = f'ce{len(self.names) + 1}'
        attrib = {'style:name': name, 'style:family': 'table-cell',
            'style:parent-style-name': 'Default'}
        if kind == 'amount':
            attrib['style:data-style-name'] = 'N2'
        style = _element(self.parent, 'style:style', attrib)
        properties = {'style:vertical-align': 'middle' if head else 'top'}
        if border:
            properties['fo:border'] = BORDER
        if head:
            properties['fo:background-color'] = '#e6e6e6'
        if head or kind == 'text':
            properties['fo:wrap-option'] = 'wrap'
        align = {'amount': 'end', 'code': 'center', 'text': 'start',
            'right': 'end', 'center': 'center'}[kind]
        if head:
            align = 'center'
        properties['style:text-align-source'] = 'fix'
        _element(style, 'style:table-cell-properties', properties)
        paragraph = {'fo:text-align': align}
        if level:
            paragraph['fo:margin-left'] = f'{level * ODS_INDENT:.2f}cm'
        _element(style, 'style:paragraph-properties', paragraph)
        text = {}
        if bold or head:
            text.update({'fo:font-weight': 'bold',
                    'style:font-weight-asian': 'bold',
                    'style:font-weight-complex': 'bold'})
        if size:
            text['fo:font-size'] = f'{size}pt'
        if text:
            _element(style, 'style:text-properties', text)
        return name


def _ods_cell(row, style, text=None, value=None, span=1):
    attrib = {'table:style-name': style}
    if value is not None:
        attrib['office:value-type'] = 'float'
        attrib['office:value'] = value
    elif text:
        attrib['office:value-type'] = 'string'
    if span > 1:
        attrib['table:number-columns-spanned'] = span
    cell = _element(row, 'table:table-cell', attrib)
    if text:
        _element(cell, 'text:p', text=text)
    if span > 1:
        _element(row, 'table:covered-table-cell',
            {'table:number-columns-repeated': span - 1})
    return cell


def _ods_table(parent, styles, doc, table, name):
    columns = table.columns
    width = max(len(columns), 1)
    element = _element(parent, 'table:table', {
            'table:name': name, 'table:style-name': 'ta1'})
    for column in columns or [Column('', '')]:
        _element(element, 'table:table-column', {
                'table:style-name': styles.column(column.display_width),
                'table:default-cell-style-name': 'Default'})

    plain = styles.cell(border=False)
    frozen = 0
    for style, text in _preamble(doc, table):
        frozen += 1
        row = _element(element, 'table:table-row')
        if style == 'form':
            if width >= 2:
                if width > 2:
                    _ods_cell(row, plain, span=width - 2)
                _ods_cell(row, styles.cell('right', border=False),
                    FORM_LABEL)
                _ods_cell(row, styles.cell('code'), text)
            else:
                _ods_cell(row, plain, f'{FORM_LABEL} {text}')
            continue
        if style == 'title':
            cell_style = styles.cell('center', bold=True, border=False,
                size=12)
        elif style == 'subtitle':
            cell_style = styles.cell(bold=True, border=False)
        else:
            cell_style = plain
        _ods_cell(row, cell_style, text_cell(text),
            span=width if text else 1)

    if columns:
        frozen += 1
        head = _element(_element(element, 'table:table-header-rows'),
            'table:table-row')
        head_style = styles.cell(head=True)
        for column in columns:
            _ods_cell(head, head_style, column.label)

    name_index = _name_column(table)
    for data in table.rows:
        bold = bool(data.get('bold'))
        level = data.get('level') or 0
        row = _element(element, 'table:table-row')
        for c, column in enumerate(columns):
            value = data.get(column.key)
            if column.kind == 'amount' and _is_amount(value):
                value = _decimal(value)
                _ods_cell(row, styles.cell('amount', bold),
                    _amount_text(value), value=value)
                continue
            _ods_cell(row,
                styles.cell(column.kind, bold,
                    level if c == name_index else 0),
                text_cell(value) if isinstance(value, str)
                else _display(value))

    if table.footer:
        _ods_cell(_element(element, 'table:table-row'), plain)
        for item in table.footer:
            row = _element(element, 'table:table-row')
            _ods_cell(row, plain, text_cell(_line(item)), span=width)
    return frozen if columns else 0


def _ods_settings(frozen):
    """settings.xml: the rows down to the column headers stay in view
    (LibreOffice's 'freeze rows')"""
    root = _root('office:document-settings', 'office', 'config')
    settings = _element(root, 'office:settings')
    view_set = _element(settings, 'config:config-item-set',
        {'config:name': 'ooo:view-settings'})
    views = _element(view_set, 'config:config-item-map-indexed',
        {'config:name': 'Views'})
    view = _element(views, 'config:config-item-map-entry')
    _element(view, 'config:config-item',
        {'config:name': 'ViewId', 'config:type': 'string'}, 'view1')
    tables = _element(view, 'config:config-item-map-named',
        {'config:name': 'Tables'})
    for name, rows in frozen:
        if not rows:
            continue
        entry = _element(tables, 'config:config-item-map-entry',
            {'config:name': name})
        for key, kind, value in [
                ('HorizontalSplitMode', 'short', 0),
                ('VerticalSplitMode', 'short', 2),
                ('HorizontalSplitPosition', 'int', 0),
                ('VerticalSplitPosition', 'int', rows),
                ('ActiveSplitRange', 'short', 2),
                ('PositionLeft', 'int', 0),
                ('PositionRight', 'int', 0),
                ('PositionTop', 'int', 0),
                ('PositionBottom', 'int', rows),
                ]:
            _element(entry, 'config:config-item',
                {'config:name': key, 'config:type': kind}, str(value))
    return _xml(root)


def _ods_styles(landscape):
    "styles.xml: the default cell style and an A4 page fitted to width"
    root = _root('office:document-styles',
        'office', 'style', 'text', 'table', 'fo')
    styles = _element(root, 'office:styles')
    default = _element(styles, 'style:default-style',
        {'style:family': 'table-cell'})
    _element(default, 'style:text-properties', {'fo:font-size': '10pt'})
    _element(styles, 'style:style',
        {'style:name': 'Default', 'style:family': 'table-cell'})

    automatic = _element(root, 'office:automatic-styles')
    layout = _element(automatic, 'style:page-layout', {'style:name': 'pm1'})
    width, height = ('29.7cm', '21cm') if landscape else ('21cm', '29.7cm')
    _element(layout, 'style:page-layout-properties', {
            'fo:page-width': width, 'fo:page-height': height,
            'style:print-orientation':
                'landscape' if landscape else 'portrait',
            'fo:margin': '1cm',
            'style:scale-to-X': 1,
            })
    footer_style = _element(layout, 'style:footer-style')
    _element(footer_style, 'style:header-footer-properties',
        {'fo:min-height': '0.5cm', 'fo:margin-top': '0.2cm'})

    masters = _element(root, 'office:master-styles')
    master = _element(masters, 'style:master-page', {
            'style:name': 'Default', 'style:page-layout-name': 'pm1'})
    footer = _element(master, 'style:footer')
    before, rest = PAGE_LABEL.split('{page}')
    between, after = rest.split('{pages}')
    paragraph = _element(footer, 'text:p', text=before)
    _element(paragraph, 'text:page-number', text='1').tail = between
    _element(paragraph, 'text:page-count', text='1').tail = after
    return _xml(root)


def _ods_meta(doc):
    root = _root('office:document-meta', 'office', 'meta', 'dc')
    meta = _element(root, 'office:meta')
    _element(meta, 'meta:generator', text='kazan_accounting')
    _element(meta, 'dc:title', text=doc.title)
    return _xml(root)


def _ods_manifest():
    root = _root('manifest:manifest', 'manifest')
    root.attrib.pop(_q('office:version'))
    root.set(_q('manifest:version'), ODF_VERSION)
    _element(root, 'manifest:file-entry', {
            'manifest:full-path': '/',
            'manifest:version': ODF_VERSION,
            'manifest:media-type': ODS_MIMETYPE})
    for path in ['content.xml', 'styles.xml', 'meta.xml', 'settings.xml']:
        _element(root, 'manifest:file-entry', {
                'manifest:full-path': path, 'manifest:media-type': 'text/xml'})
    return _xml(root)


def _zip_entry(archive, path, data, compress=zipfile.ZIP_DEFLATED):
    # A fixed date keeps the same document byte for byte the same file
    info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compress
    archive.writestr(info, data)


def to_ods(doc):
    "The document as an OpenDocument spreadsheet: a sheet per table"
    root = _root('office:document-content',
        'office', 'style', 'text', 'table', 'fo', 'number')
    styles = _OdsStyles(_element(root, 'office:automatic-styles'))
    spreadsheet = _element(_element(root, 'office:body'),
        'office:spreadsheet')
    tables = _tables(doc)
    frozen = []
    for table, name in zip(tables, _sheet_names(tables, doc.form)):
        frozen.append(
            (name, _ods_table(spreadsheet, styles, doc, table, name)))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        # ODF: the mimetype first, stored, so that `file` and others know it
        _zip_entry(archive, 'mimetype', ODS_MIMETYPE, zipfile.ZIP_STORED)
        _zip_entry(archive, 'content.xml', _xml(root))
        _zip_entry(archive, 'styles.xml', _ods_styles(_landscape(tables)))
        _zip_entry(archive, 'meta.xml', _ods_meta(doc))
        _zip_entry(archive, 'settings.xml', _ods_settings(frozen))
        _zip_entry(archive, 'META-INF/manifest.xml', _ods_manifest())
    return buffer.getvalue()


# PDF

class FontNotFound(RuntimeError):
    "No TrueType font with Cyrillic letters for the PDF writer"

    def __init__(self, tried):
        self.tried = tried
        super().__init__(
            'No TrueType font with Cyrillic letters for PDF files: '
            f'install the Debian package {FONT_PACKAGE} '
            f'(apt-get install {FONT_PACKAGE}) or set {FONT_ENVIRON} '
            'to the path of a .ttf file; looked for: ' + ', '.join(tried))


FONT_ENVIRON = 'KAZAN_PDF_FONT'
FONT_PACKAGE = 'fonts-dejavu-core'
# (regular, bold) TrueType fonts with Cyrillic letters: the first found wins
FONT_CANDIDATES = [
    # Debian and Ubuntu: fonts-dejavu-core
    ('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
        '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'),
    # Fedora: dejavu-sans-fonts
    ('/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
        '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf'),
    # Alpine, older Fedora and RHEL
    ('/usr/share/fonts/dejavu/DejaVuSans.ttf',
        '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf'),
    # Arch Linux: ttf-dejavu
    ('/usr/share/fonts/TTF/DejaVuSans.ttf',
        '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf'),
    # FreeBSD: dejavu
    ('/usr/local/share/fonts/dejavu/DejaVuSans.ttf',
        '/usr/local/share/fonts/dejavu/DejaVuSans-Bold.ttf'),
    # Debian and Ubuntu: fonts-liberation
    ('/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
        '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'),
    # macOS
    ('/System/Library/Fonts/Supplemental/Arial.ttf',
        '/System/Library/Fonts/Supplemental/Arial Bold.ttf'),
    ]


def _bold_beside(path):
    "The bold face next to a regular one: X.ttf or X-Regular.ttf → X-Bold.ttf"
    stem, ext = os.path.splitext(path)
    stem = re.sub(r'-?Regular$', '', stem)
    bold = f'{stem}-Bold{ext}'
    return bold if os.path.isfile(bold) else path


def _font_paths():
    path = os.environ.get(FONT_ENVIRON)
    if path:
        # Asked for by name: no silent fall-back to another font
        if not os.path.isfile(path):
            raise FontNotFound([f'{FONT_ENVIRON}={path}'])
        return path, _bold_beside(path)
    for regular, bold in FONT_CANDIDATES:
        if os.path.isfile(regular):
            return regular, bold if os.path.isfile(bold) else regular
    raise FontNotFound([regular for regular, _ in FONT_CANDIDATES])


@functools.lru_cache(maxsize=None)
def _register_fonts(regular, bold):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    names = []
    for path in (regular, bold):
        name = 'kazan-' + os.path.basename(path)
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path))
        names.append(name)
    return tuple(names)


def pdf_fonts():
    """The names of the regular and the bold font of the PDF writer,
    registered with reportlab: ${KAZAN_PDF_FONT} (its bold face is
    X-Bold.ttf beside it, else the same font) or the first of
    FONT_CANDIDATES found; FontNotFound names the package to install"""
    return _register_fonts(*_font_paths())


FONT_SIZE = 8
MIN_FONT_SIZE = 6
PADDING = 2.5  # points, left and right of a cell's text
TOP_PADDING, BOTTOM_PADDING = 1.5, 2
INDENT = 8  # points per level of a line name
NO_BREAK_SPACE = '\u00a0'
MIN_TEXT_WIDTH = 120  # points: a line name narrower than this is unreadable


def _landscape(tables):
    "Whether the tables need a landscape page: by their widths in characters"
    return any(sum(c.display_width for c in t.columns) > 110 for t in tables)


def _pdf_cells(table):
    "The rows as strings, amounts formatted, text not yet wrapped"
    columns = table.columns
    cells = []
    for row in table.rows:
        line = []
        for column in columns:
            value = row.get(column.key)
            if column.kind == 'amount' and _is_amount(value):
                line.append(_amount_text(value) if value else '-')
            else:
                line.append(_display(value))
        cells.append(line)
    return cells


def _pdf_widths(table, cells, frame, fonts, size):
    """The columns' widths in points, or None when they do not fit the
    frame: codes and amounts as wide as their longest value, text columns
    share the rest by their widths in characters"""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    regular, bold = fonts
    widths = [None] * len(table.columns)
    char = stringWidth('0', regular, size)
    for c, column in enumerate(table.columns):
        if column.kind == 'text':
            continue
        longest = max((line[c] for line in cells), key=len, default='')
        word = max(column.label.split(), key=len, default='')
        widths[c] = max(
            stringWidth(longest, bold, size),
            stringWidth(word, bold, size),
            (column.width or 0) * char) + 2 * PADDING + 1
    text = [c for c, w in enumerate(widths) if w is None]
    rest = frame - sum(w for w in widths if w is not None)
    if text:
        if rest < MIN_TEXT_WIDTH * len(text):
            return None
        weights = [table.columns[c].display_width for c in text]
        for c, weight in zip(text, weights):
            widths[c] = rest * weight / sum(weights)
    elif rest < 0:
        return None
    return widths


def _pdf_layout(table, cells, frame, fonts):
    "Font size and column widths: the largest size whose columns fit"
    size = FONT_SIZE
    while size >= MIN_FONT_SIZE:
        widths = _pdf_widths(table, cells, frame, fonts, size)
        if widths:
            return size, widths
        size -= 0.5
    # Too wide even in small letters: squeeze every column alike
    widths = _pdf_widths(table, cells, float('inf'), fonts, MIN_FONT_SIZE)
    natural = [w if w != float('inf') else MIN_TEXT_WIDTH for w in widths]
    return MIN_FONT_SIZE, [w * frame / sum(natural) for w in natural]


def _pdf_table(table, frame, fonts):
    from reportlab.lib import colors
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    regular, bold = fonts
    columns = table.columns
    cells = _pdf_cells(table)
    size, widths = _pdf_layout(table, cells, frame, fonts)
    leading = size * 1.2

    def wrap(text, font, width, indent=''):
        if not text:
            return text
        lines = simpleSplit(text, font, size, width) or [text]
        return '\n'.join(indent + line for line in lines)

    space = stringWidth(NO_BREAK_SPACE, regular, size)

    def indent_text(width):
        return NO_BREAK_SPACE * math.ceil(width / space)

    head = [wrap(c.label, bold, w - 2 * PADDING)
        for c, w in zip(columns, widths)]
    heights = [_pdf_height(head, leading)]
    commands = [
        ('FONT', (0, 0), (-1, -1), regular, size, leading),
        ('FONT', (0, 0), (-1, 0), bold, size, leading),
        ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
        ('VALIGN', (0, 0), (-1, 0), 'MIDDLE'),
        ('ALIGN', (0, 0), (-1, 0), 'CENTER'),
        ('BACKGROUND', (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ('LEFTPADDING', (0, 0), (-1, -1), PADDING),
        ('RIGHTPADDING', (0, 0), (-1, -1), PADDING),
        ('TOPPADDING', (0, 0), (-1, -1), TOP_PADDING),
        ('BOTTOMPADDING', (0, 0), (-1, -1), BOTTOM_PADDING),
        ]
    for c, column in enumerate(columns):
        if column.kind != 'text':
            commands.append(('ALIGN', (c, 1), (c, -1),
                    'RIGHT' if column.kind == 'amount' else 'CENTER'))
    text_columns = [c for c, column in enumerate(columns)
        if column.kind == 'text']
    name = _name_column(table)
    bold_rows = []
    for r, (row, line) in enumerate(zip(table.rows, cells)):
        font = regular
        if row.get('bold'):
            font = bold
            bold_rows.append(r)
        level = row.get('level') or 0
        for c in text_columns:
            if c == name and level:
                # Spaces, not a padding per row: a style command per row
                # costs more than the row itself on a page
                indent = INDENT * level
                line[c] = wrap(line[c], font,
                    widths[c] - 2 * PADDING - indent, indent_text(indent))
            else:
                line[c] = wrap(line[c], font, widths[c] - 2 * PADDING)
        heights.append(_pdf_height(line, leading))
    # Heights given, reportlab does not measure each cell again
    return _long_table()([head], cells, heights, bold_rows, widths, commands,
        ('FONT', bold, size, leading))


@functools.lru_cache(maxsize=None)
def _long_table():
    "The class of _LongTable, made once reportlab is imported"
    from reportlab.platypus import Flowable
    from reportlab.platypus import Table as BaseTable
    from reportlab.lib.rl_accel import fp_str

    class PdfTable(BaseTable):
        """A Table that draws its strings faster.

        Drawing a cell's text is most of the time of a long table: the
        Table makes a text object for each line, and encodes it for the
        TrueType font's subsets.  This one skips empty cells and keeps
        each string's encoded text (the `texts` of the document, the same
        codes, months and names recur on every page): a line is then its
        position and the kept text, through the public addLiteral.  Any
        other cell (flowables, links, right-to-left) is drawn by the
        Table."""

        texts = None

        def _drawCell(self, cellval, cellstyle, pos, size):
            just = cellstyle.alignment
            if (type(cellval) is not str or self.texts is None
                    or cellstyle.href or cellstyle.destination
                    or cellstyle.direction or cellstyle.shaping
                    or just not in ('LEFT', 'RIGHT', 'CENTER', 'CENTRE')
                    or cellstyle.valign not in ('TOP', 'MIDDLE', 'BOTTOM')):
                return super()._drawCell(cellval, cellstyle, pos, size)
            if not cellval:
                return
            canv = self.canv
            if self._curcellstyle is not cellstyle:
                cur = self._curcellstyle
                if cur is None or cellstyle.color != cur.color:
                    canv.setFillColor(cellstyle.color)
                if (cur is None or cellstyle.leading != cur.leading
                        or cellstyle.fontname != cur.fontname
                        or cellstyle.fontsize != cur.fontsize):
                    canv.setFont(cellstyle.fontname, cellstyle.fontsize,
                        cellstyle.leading)
                self._curcellstyle = cellstyle
            # The positions as Table._drawCell computes them
            colpos, rowpos = pos
            colwidth, rowheight = size
            lines = cellval.split('\n')
            leading, fontsize = cellstyle.leading, cellstyle.fontsize
            valign = cellstyle.valign
            if valign == 'BOTTOM':
                y = rowpos + cellstyle.bottomPadding + len(lines) * leading \
                    - fontsize
            elif valign == 'TOP':
                y = rowpos + rowheight - cellstyle.topPadding - fontsize
            else:
                y = rowpos + (cellstyle.bottomPadding + rowheight
                    - cellstyle.topPadding + len(lines) * leading) / 2.0 \
                    - fontsize
            if just == 'LEFT':
                x, shift = colpos + cellstyle.leftPadding, 0
            elif just == 'RIGHT':
                x, shift = colpos + colwidth - cellstyle.rightPadding, 1
            else:
                x, shift = colpos + (colwidth + cellstyle.leftPadding
                    - cellstyle.rightPadding) * 0.5, 0.5
            font = (canv._fontname, canv._fontsize, canv._leading)
            texts = self.texts
            for line in lines:
                key = font + (line,)
                kept = texts.get(key)
                if kept is None:
                    width = canv.stringWidth(line, *font[:2])
                    text = canv.beginText(0, 0)
                    text.textLine(line)
                    code = text.getCode()
                    # The text after its origin, 'BT 1 0 0 1 0 0 Tm'
                    start = 'BT 1 0 0 1 %s Tm' % fp_str(0, 0)
                    kept = texts[key] = (width,
                        code[len(start):] if code.startswith(start) else None)
                width, rest = kept
                left = x - width * shift
                if rest is None:
                    text = canv.beginText(left, y)
                    text.textLine(line)
                    canv.drawText(text)
                else:
                    canv.addLiteral('BT 1 0 0 1 %s Tm%s' % (fp_str(left, y),
                            rest))
                y -= leading

    class _LongTable(Flowable):
        """Rows under column headers, laid out page by page.

        A platypus Table that does not fit a page splits into the rows
        that fit and a new Table of all the others, which splits again
        at the next page: its work grows with the square of its rows (a
        general ledger of 8,740 lines took 3 s, 455 tables, a million
        calls measuring rows).  This flowable knows its rows' heights:
        at a page's end it gives platypus a Table of the rows that fit,
        under the column headers, and keeps the rest as a _LongTable, so
        that each row goes into one Table only.  The pages look as the
        one Table made them: headers on each page, rows never cut.

        head: the header rows; rows: the data rows, heights: the heights
        of head + rows; bold: indices of the bold rows; commands: the
        table's style, for any number of rows; font: the bold rows'
        FONT command without its cells."""

        def __init__(self, head, rows, heights, bold, widths, commands,
                font, start=0):
            super().__init__()
            self.head, self.rows, self.heights = head, rows, heights
            self.bold, self.widths = bold, widths
            self.commands, self.font = commands, font
            self.start = start
            self.hAlign = 'LEFT'
            self.texts = {}
            # tops[i]: the height of the data rows before row i
            if start == 0:
                tops, top = [0], 0
                for height in heights[len(head):]:
                    top += height
                    tops.append(top)
                self.tops = tops
            self.head_height = sum(heights[:len(head)])
            self.table = None

        def _rest(self, start):
            rest = _LongTable(self.head, self.rows, self.heights,
                self.bold, self.widths, self.commands, self.font, start)
            rest.tops = self.tops
            rest.texts = self.texts
            return rest

        def _table(self, stop):
            "A platypus Table of the headers and rows start to stop"
            import bisect
            start, nhead = self.start, len(self.head)
            style = list(self.commands)
            kind, font, size, leading = self.font
            for r in self.bold[bisect.bisect_left(self.bold, start):
                    bisect.bisect_left(self.bold, stop)]:
                r += nhead - start
                style.append((kind, (0, r), (-1, r), font, size, leading))
            heights = self.heights[:nhead] \
                + self.heights[nhead + start:nhead + stop]
            table = PdfTable(self.head + self.rows[start:stop],
                colWidths=self.widths, rowHeights=heights,
                repeatRows=nhead, style=style, hAlign='LEFT')
            table.texts = self.texts
            return table

        def wrap(self, availWidth, availHeight):
            self.width = sum(self.widths)
            self.height = self.head_height \
                + self.tops[-1] - self.tops[self.start]
            return self.width, self.height

        def split(self, availWidth, availHeight):
            import bisect
            # The rows that fit under the headers, at least one
            room = availHeight - self.head_height + self.tops[self.start]
            stop = bisect.bisect_right(self.tops, room) - 1
            if stop <= self.start:
                return []
            if stop >= len(self.rows):
                return [self._table(len(self.rows))]
            return [self._table(stop), self._rest(stop)]

        def drawOn(self, canvas, x, y, _sW=0):
            # All the rows fit: drawn as one Table
            table = self._table(len(self.rows))
            table.wrapOn(canvas, self.width, self.height)
            table.drawOn(canvas, x, y, _sW)

    return _LongTable


def _pdf_height(line, leading):
    "Height of a row of strings, wrapped with new lines"
    return max(text.count('\n') + 1 for text in line) * leading \
        + TOP_PADDING + BOTTOM_PADDING


def _pdf_styles(fonts):
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    regular, bold = fonts
    return {
        'title': ParagraphStyle('title', fontName=bold, fontSize=11,
            leading=14, alignment=TA_CENTER, spaceAfter=4),
        'subtitle': ParagraphStyle('subtitle', fontName=bold, fontSize=9,
            leading=12, spaceBefore=6, spaceAfter=3),
        'line': ParagraphStyle('line', fontName=regular, fontSize=8.5,
            leading=11),
        }


def _pdf_top(doc, frame, fonts, styles):
    """The header lines on the left, the box of codes on the right, as on
    the official forms"""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph
    from reportlab.platypus import Table as PdfTable
    regular, bold = fonts
    lines = [Paragraph(escape(_line(item)), styles['line'])
        for item in doc.header]
    if not doc.form:
        return lines
    codes = PdfTable([['', CODES_LABEL], [FORM_LABEL, doc.form]],
        colWidths=[70, 60], style=[
            ('FONT', (0, 0), (-1, -1), regular, 8),
            ('FONT', (1, 1), (1, 1), bold, 8),
            ('ALIGN', (0, 0), (0, -1), 'RIGHT'),
            ('ALIGN', (1, 0), (1, -1), 'CENTER'),
            ('BOX', (1, 0), (1, -1), 0.5, colors.black),
            ('INNERGRID', (1, 0), (1, -1), 0.5, colors.black),
            ])
    return [PdfTable([[lines, codes]], colWidths=[frame - 140, 140],
            style=[('VALIGN', (0, 0), (-1, -1), 'TOP'),
                ('LEFTPADDING', (0, 0), (-1, -1), 0),
                ('RIGHTPADDING', (0, 0), (-1, -1), 0)])]


def _numbered_canvas(form, font):
    "A canvas that writes 'Стр. N из M' once it knows M"
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            pages = len(self._pages)
            for page, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(font, 7)
                self.drawRightString(width - 28, 18,
                    PAGE_LABEL.format(page=page, pages=pages))
                if form:
                    self.drawString(42, 18, f'{FORM_LABEL} {form}')
                super().showPage()
            super().save()

    return NumberedCanvas


def to_pdf(doc):
    """The document laid out like the official form: A4, landscape when
    the columns need it, tables one after another, their column headers
    repeated on each page, pages numbered"""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import (
        CondPageBreak, Paragraph, SimpleDocTemplate, Spacer)

    fonts = pdf_fonts()
    styles = _pdf_styles(fonts)
    tables = [t for t in doc.tables if t.columns]
    pagesize = landscape(A4) if _landscape(tables) else A4
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=pagesize,
        leftMargin=42, rightMargin=28, topMargin=28, bottomMargin=34,
        title=doc.title, subject=doc.form, creator='kazan_accounting',
        invariant=True)
    frame = template.width

    story = [Paragraph(escape(doc.title), styles['title'])]
    story.extend(_pdf_top(doc, frame, fonts, styles))
    story.append(Spacer(1, 6))
    for i, table in enumerate(tables):
        if i:
            # A table's title never stays alone at the bottom of a page
            story.append(CondPageBreak(80))
        if table.title and table.title != doc.title:
            story.append(Paragraph(escape(table.title), styles['subtitle']))
        story.append(_pdf_table(table, frame, fonts))
        if table.footer:
            story.append(Spacer(1, 8))
            story.extend(Paragraph(escape(_line(item)), styles['line'])
                for item in table.footer)
    template.build(story,
        canvasmaker=_numbered_canvas(doc.form, fonts[0]))
    return buffer.getvalue()


# CSV

def _csv_value(value, kind):
    if value is None:
        return ''
    if (kind == 'amount' and _is_amount(value)
            or kind is None and isinstance(value, Decimal)):
        return f'{_decimal(value):.2f}'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return text_cell(value)
    return str(value)


def to_csv(table, columns=None):
    """The rows of table as CSV: `;`, decimal point, amounts with 2
    decimals, a header row of the column keys.  columns: the Columns or
    keys to write, in order (all the table's by default); a key that is
    no column of the table writes a Decimal as an amount"""
    kinds = {c.key: c.kind for c in table.columns}
    keys = [c.key if isinstance(c, Column) else c
        for c in (columns or table.columns)]
    for c in columns or []:
        if isinstance(c, Column):
            kinds[c.key] = c.kind
    output = io.StringIO()
    writer = csv.writer(output, delimiter=';', lineterminator='\n')
    writer.writerow(keys)
    for row in table.rows:
        writer.writerow(
            [_csv_value(row.get(k), kinds.get(k)) for k in keys])
    return output.getvalue()


def _document_csv(doc):
    """A document's CSV: the rows of all its tables under one header row,
    which the tables must share (the long layouts of interfaces.md §4)"""
    tables = _tables(doc)
    keys = [c.key for c in tables[0].columns]
    for table in tables[1:]:
        if [c.key for c in table.columns] != keys:
            raise ValueError(
                'a CSV file holds one table: the tables of '
                f'{doc.title!r} have different columns')
    merged = Table(doc.title, tables[0].columns,
        [row for table in tables for row in table.rows])
    return to_csv(merged)


# Dispatch

def render(doc, fmt):
    "The document as the bytes of a file in fmt, one of FORMATS"
    if fmt == 'xlsx':
        return to_xlsx(doc)
    elif fmt == 'ods':
        return to_ods(doc)
    elif fmt == 'pdf':
        return to_pdf(doc)
    elif fmt == 'csv':
        return _document_csv(doc).encode('utf-8')
    raise ValueError(f'unknown format {fmt!r}, expected one of {FORMATS}')


def write(doc, fmt, path):
    "Write the document in fmt to path and return path"
    data = render(doc, fmt)
    with open(path, 'wb') as file:
        file.write(data)
    return path
