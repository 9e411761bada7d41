# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The input tables people send: one reader, its cell parsers, one Problem.

Pure, no Tryton: the plan import and the command line's pipelines
(kazan.batch, kazan.onboard) share it, so that every table accepts the
same files and the same values.

A table is a CSV file (UTF-8 with or without BOM, or Windows-1251; ``;`` or
``,`` as separator, whichever the header line has more of) or an XLSX file
(its first worksheet), with a header row naming its columns in any order.
Reading keeps every value as text with where it came from (file, line,
column): the cell parsers turn it into a value or raise Invalid, and the
caller collects Problems and reports them together.

Problems of the file itself (unreadable, empty, no worksheet, a header
that is not exactly the expected columns, a row of another width, beyond
the caller's limits) stop the reading: read_table raises TableError with
them.  Their keys are codes (``unknown_column``); each caller names its
messages after them (``msg_batch_unknown_column``,
``msg_plan_import_unknown_column``).
"""
import codecs
import csv
import datetime as dt
import io
import pathlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from . import amounts
from .identifiers import InvalidIdentifier

__all__ = ['Problem', 'Invalid', 'TableError', 'Row', 'Table', 'read_table',
    'parse_rows', 'text', 'number', 'amount', 'ranged', 'integer', 'date',
    'choice', 'identifier', 'required', 'optional']

_XLSX_MAGIC = b'PK\x03\x04'


@dataclass
class Problem:
    """A problem of an input: what (key: a message key or code), where
    (file, line, column), whose (the institution's INN) and the value read
    there, with the parameters of its message"""
    key: str
    file: str = None
    line: int = None
    column: str = None
    inn: str = None
    value: str = None
    params: dict = field(default_factory=dict)
    message: str = None  # in the user's language, filled by the caller

    def where(self):
        "file:line:column, of what is known"
        return ':'.join(str(p) for p in (self.file, self.line, self.column)
            if p not in (None, ''))


class Invalid(ValueError):
    "A value cannot be parsed: key and the parameters of the message"

    def __init__(self, key, **params):
        super().__init__(key, params)
        self.key = key
        self.params = params


class TableError(Exception):
    "The table cannot be read: its Problems, none of its rows is"

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


# -- reading ------------------------------------------------------------------

@dataclass
class Row:
    "One data row of a table, with where it came from"
    file: str
    line: int
    values: dict  # column -> text, '' for an optional column left out


@dataclass
class Table:
    """A table whose structure read_table has checked.

    Iterating reads the file again and yields its non-blank data rows one
    at a time, so that a table is never held in memory whole."""
    name: str  # of the file, as problems name it
    source: object  # a pathlib.Path, or the bytes of the file
    header: list = None
    missing: list = field(default_factory=list)  # optional columns left out
    xlsx: bool = False
    encoding: str = None  # of a CSV file
    delimiter: str = None
    rows: int = 0  # data rows, blank ones left out

    def __iter__(self):
        for line, values in self._records():
            values = dict(zip(self.header, values))
            values.update((c, '') for c in self.missing)
            yield Row(self.name, line, values)

    def __len__(self):
        return self.rows

    def _open(self):
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        return open(self.source, 'rb')

    def _records(self, header=False, problems=None):
        """(line, values) of every non-blank row after the header, as
        wide as the header (the header itself first with header); a row
        of another width raises, or with problems is one of them"""
        reader = self._read_xlsx() if self.xlsx else self._read_csv()
        try:
            width = None
            for line, values in reader:
                if not any(values):
                    continue
                if width is None:
                    columns = [v.lower() for v in values]
                    while columns and not columns[-1]:
                        columns.pop()
                    width = len(columns)
                    if header:
                        yield line, columns
                        return
                    continue
                if self.xlsx:
                    values = values + [''] * (width - len(values))
                if len(values) < width or any(values[width:]):
                    problem = Problem('wrong_field_count', self.name, line,
                        params={'count': len(values), 'expected': width})
                    if problems is None:
                        raise TableError([problem])
                    problems.append(problem)
                    continue
                yield line, values[:width]
        except TableError:
            raise
        except OSError as error:
            raise _unreadable(self.name, error.strerror or str(error))
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(self.name, str(error))
        finally:
            reader.close()

    def _read_csv(self):
        if self.encoding is None:
            self.encoding = _csv_encoding(self._open)
        with self._open() as binary, io.TextIOWrapper(binary,
                encoding=self.encoding, newline='') as file:
            if self.delimiter is None:
                first_line = file.readline()
                file.seek(0)
                self.delimiter = (';' if first_line.count(';')
                    >= first_line.count(',') else ',')
            reader = csv.reader(file, delimiter=self.delimiter)
            for record in reader:
                # line_num: the file's line where the record ends
                yield reader.line_num, [v.strip() for v in record]

    def _read_xlsx(self):
        import openpyxl
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(self.source) if isinstance(self.source, bytes)
                else self.source, read_only=True, data_only=True)
        except Exception as error:
            raise _unreadable(self.name, str(error))
        try:
            if not workbook.worksheets:
                raise TableError([Problem('no_worksheet', self.name)])
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            try:
                for line, record in enumerate(rows, 1):
                    yield line, [_cell(c) for c in record]
            except Exception as error:  # openpyxl's, of a damaged sheet
                raise _unreadable(self.name, str(error))
        finally:
            workbook.close()


def read_table(source, columns, optional=(), *, name=None, max_rows=None,
        max_bytes=None):
    """The Table of source (a path, or the bytes of a file called name),
    its header and rows checked; raise TableError.

    The header has every one of columns once, those of optional at most
    once and no other (every such problem is given); each row is as wide
    as the header (a trailing empty field is not counted; every row that
    is not is given); at most max_rows rows and max_bytes bytes when
    given."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = bytes(source)
        size = len(source)
    else:
        source = pathlib.Path(source)
        name = name or source.name
        try:
            size = source.stat().st_size
        except OSError as error:
            raise _unreadable(name, error.strerror)
    if max_bytes is not None and size > max_bytes:
        raise TableError([Problem('file_too_large', name, params={
                        'size': _megabytes(size),
                        'maximum': _megabytes(max_bytes)})])
    table = Table(name, source, xlsx=_is_xlsx(source, name))
    records = table._records(header=True)
    try:
        first = next(records, None)
    finally:
        records.close()
    if first is None:
        raise TableError([Problem('empty_file', name)])
    line, table.header = first
    problems = header_problems(name, line, table.header, columns, optional)
    if problems:
        raise TableError(problems)
    table.missing = [c for c in optional if c not in table.header]
    for line, _ in table._records(problems=problems):
        table.rows += 1
        if max_rows is not None and table.rows > max_rows:
            raise TableError(problems + [Problem('too_many_rows', name,
                        line, params={'maximum': max_rows})])
    if problems:
        raise TableError(problems)
    return table


def header_problems(name, line, header, columns, optional=()):
    "Every expected column once; optional ones at most once; no other"
    allowed = list(columns) + list(optional)
    problems = []
    for column in header:
        if column not in allowed:
            problems.append(Problem('unknown_column', name, line, column,
                    params={'expected': ', '.join(allowed)}))
        elif header.count(column) > 1:
            problems.append(Problem('duplicate_column', name, line, column))
    for column in columns:
        if column not in header:
            problems.append(Problem('missing_column', name, line, column))
    return problems


def _unreadable(name, error):
    return TableError([Problem('unreadable_file', name,
                params={'error': error})])


def _megabytes(size):
    return f'{size / 2**20:.0f}'


def _is_xlsx(source, name):
    if (name or '').lower().endswith('.xlsx'):
        return True
    if isinstance(source, bytes):
        return source.startswith(_XLSX_MAGIC)
    return False


def _csv_encoding(open_binary):
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8,
    else Windows-1251; read in blocks, not held whole"""
    decoder = codecs.getincrementaldecoder('utf-8')()
    try:
        with open_binary() as file:
            while block := file.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b'', final=True)
    except UnicodeDecodeError:
        return 'cp1251'
    return 'utf-8-sig'


def _cell(value):
    "An XLSX cell as the text a CSV file would hold"
    if value is None:
        return ''
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # a number typed in a spreadsheet: 1234.5 -> '1234.5'
        text = format(Decimal(repr(value)), 'f')
        return text[:-2] if text.endswith('.0') else text
    return str(value).strip()


def parse_rows(rows, parsers, problems):
    """Parse every column of every row (column -> parser); collect a
    Problem of each Invalid value (its INN: the row's inn column); yield
    (row, values), None for a value that is not valid"""
    for row in rows:
        values, inn = {}, row.values.get('inn') or None
        for column, parse in parsers.items():
            raw = row.values.get(column, '')
            try:
                values[column] = parse(raw)
            except Invalid as invalid:
                problems.append(Problem(invalid.key, row.file, row.line,
                        column, inn, raw, invalid.params))
                values[column] = None
        yield row, values


# -- parsing values -----------------------------------------------------------
#
# Each parser takes the text of a cell and returns its value or raises
# Invalid with a code: required, invalid_number, negative_amount,
# amount_too_large, too_many_decimals, out_of_range, invalid_integer,
# invalid_date, invalid_choice, or the key given to identifier().

def text(value, required=True):
    if required and not value:
        raise Invalid('required')
    return value or None


def number(value, negative=True):
    """A decimal number as an accountant writes it (amounts.parse_number):
    ASCII digits, a decimal comma or point, spaces between thousands"""
    try:
        return amounts.parse_number(value, negative=negative)
    except amounts.InvalidNumber as invalid:
        raise Invalid('negative_amount' if invalid.key == 'negative'
            else 'invalid_number')


def amount(value, digits=None, negative=False, decimals=2):
    """An amount in rubles (empty is 0): at most ``digits`` digits before
    the decimal point (what its field holds; by default the modules' money
    fields'), ≥ 0 unless negative, and unless decimals is None at most
    that many after it, to which it is rounded"""
    if not value:
        result = Decimal(0)
    else:
        result = number(value, negative=negative)
    digits = digits or amounts.MONEY_DIGITS[0]
    if not amounts.within_digits(result, digits):
        raise Invalid('amount_too_large', digits=digits)
    if decimals is None:
        return result
    exponent = Decimal(1).scaleb(-decimals)
    if result != result.quantize(exponent):
        raise Invalid('too_many_decimals')
    return result.quantize(exponent)


def ranged(value, minimum, maximum, parse=number):
    result = parse(value)
    if not minimum <= result <= maximum:
        raise Invalid('out_of_range', minimum=minimum, maximum=maximum)
    return result


def integer(value, digits=None):
    "A whole number of ASCII digits, of exactly ``digits`` when given"
    # [0-9], not \d: int() would read full-width and other digits
    repeat = '+' if digits is None else '{%d}' % digits
    if not re.fullmatch('[0-9]' + repeat, value or ''):
        raise Invalid('invalid_integer')
    return int(value)


def date(value):
    "A date as YYYY-MM-DD or DD.MM.YYYY, in ASCII digits"
    if not value.isascii():
        raise Invalid('invalid_date')
    for format_ in ('%Y-%m-%d', '%d.%m.%Y'):
        try:
            return dt.datetime.strptime(value, format_).date()
        except ValueError:
            pass
    raise Invalid('invalid_date')


def choice(values):
    "A parser of one of values (codes)"
    def parse(value):
        if value not in values:
            raise Invalid('invalid_choice', allowed=', '.join(values))
        return value
    return parse


def identifier(validator, key):
    "A parser by one of the identifiers module's validators"
    def parse(value):
        try:
            return validator(value)
        except InvalidIdentifier:
            raise Invalid(key)
    return parse


def required(parse):
    "A parser that refuses an empty value, else parses as parse does"
    def wrapper(value):
        return parse(text(value))
    return wrapper


def optional(parse):
    "A parser of an empty value as None, else as parse does"
    def wrapper(value):
        return parse(value) if value else None
    return wrapper
