# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"XLSX with openpyxl, already used by onboarding"
import copy
import io

from .document import (
    FORM_LABEL, _decimal, _is_amount, _landscape, _line, _name_column,
    _preamble, _sheet_names, _tables, text_cell)


class _XlsxStyles:
    """The workbook's cell styles.

    openpyxl hashes a font, border or alignment each time one is set on a
    cell, which costs more than the rest of the writing; so a data cell's
    style is set once per kind of cell, and the other cells get a copy of
    its style array, as openpyxl's own worksheet copier does."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
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
