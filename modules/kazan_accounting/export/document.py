# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The format-neutral document that the writers lay out: a `Document` of
`Table`s of plain rows under `Column`s, and what every writer shares: the
values as a person reads them, safe text cells and file names, the lines
above a table, the sheets' names."""
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

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


def _landscape(tables):
    "Whether the tables need a landscape page: by their widths in characters"
    return any(sum(c.display_width for c in t.columns) > 110 for t in tables)
