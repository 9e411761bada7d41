"""Reading an onboarding batch (interfaces.md §2): the first pipeline step.

A batch is a folder of three tables, each a CSV file (UTF-8 with or without
BOM, or Windows-1251; ``;`` or ``,``; a header row) or an XLSX file of the
same name.  Reading keeps every value as text with its source (file, line,
column): parsing and checking are the validation step's job, which reports
every problem with its location.  A table that is missing, unreadable, or
whose columns are not exactly the expected ones stops the whole batch
before anything is read further (``BatchStructureError``).

The format is extended, never broken: a column added after the first
version is optional (``OPTIONAL_COLUMNS``), so that a batch written before
it still reads; a row without it holds '' there.
"""
import csv
import datetime as dt
import pathlib
from dataclasses import dataclass, field
from decimal import Decimal

TABLES = {
    'institutions': [
        'inn', 'kpp', 'ogrn', 'short_name', 'full_name', 'kind',
        'legal_form', 'founder', 'district', 'oktmo', 'personal_accounts',
        'director', 'director_login', 'chief_accountant', 'accident_rate',
        'start_date'],
    'opening_balances': ['inn', 'account', 'kfo', 'debit', 'credit'],
    'employees': [
        'inn', 'personnel_number', 'last_name', 'first_name', 'patronymic',
        'snils', 'employee_inn', 'birth_date', 'hire_date', 'position',
        'category', 'rate', 'base_salary', 'allowances', 'class_management',
        'children', 'disabled_children', 'kfo', 'ytd_income',
        'ytd_deductions', 'ytd_ndfl', 'ytd_contribution_base'],
    }
# Columns a table may leave out, in the order a batch writes them
OPTIONAL_COLUMNS = {
    'institutions': [],
    'opening_balances': [],
    'employees': [
        # the salary card, and what sick pay is computed from
        'bank_bic', 'bank_account', 'insured_years', 'earnings_prev_year',
        'earnings_prev_year2'],
    }
# The size of a batch that validation is sure to hold in memory (README,
# "Onboarding a batch"): a larger table is refused before it is parsed
MAX_ROWS = 200_000
MAX_FILE_BYTES = 100 * 2**20


class BatchStructureError(Exception):
    """The batch cannot be read at all: key (message id suffix) and the
    parameters of its message"""

    def __init__(self, key, **params):
        super().__init__(key, params)
        self.key = key
        self.params = params


@dataclass
class Row:
    "One data row of a table, with where it came from"
    file: str
    line: int
    values: dict

    def location(self, column):
        return self.file, self.line, column


@dataclass
class Table:
    """One table of the batch: its file, header and row count.

    Iterating reads the file again and yields its rows one at a time, so
    that a table is never held in memory whole: read_batch has read it
    once already, checked its structure and counted its rows."""
    path: pathlib.Path
    header: list
    missing: list  # optional columns the file leaves out
    encoding: str = None  # of a CSV file
    delimiter: str = None
    rows: int = 0  # data rows, blank ones left out

    def __iter__(self):
        for line, values in _records(self):
            values = dict(zip(self.header, values))
            values.update((c, '') for c in self.missing)
            yield Row(self.path.name, line, values)

    def __len__(self):
        return self.rows


@dataclass
class Batch:
    folder: pathlib.Path
    tables: dict = field(default_factory=dict)  # name -> Table of Rows
    files: dict = field(default_factory=dict)  # name -> file name


def read_batch(folder):
    """Read every table of the batch folder once, checking its structure
    and its size; raise BatchStructureError"""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise BatchStructureError('missing_folder', folder=str(folder))
    batch = Batch(folder)
    for name, required in TABLES.items():
        path = _table_path(folder, name)
        batch.files[name] = path.name
        table = batch.tables[name] = _open_table(path)
        _check_columns(path.name, table.header, required,
            OPTIONAL_COLUMNS[name])
        table.missing = [c for c in OPTIONAL_COLUMNS[name]
            if c not in table.header]
        for line, values in _records(table):
            if len(values) != len(table.header):
                raise BatchStructureError('wrong_field_count',
                    file=path.name, line=line, count=len(values),
                    expected=len(table.header))
            table.rows += 1
            if table.rows > MAX_ROWS:
                raise BatchStructureError('too_many_rows',
                    file=path.name, line=line, maximum=MAX_ROWS)
    return batch


def _table_path(folder, name):
    candidates = [folder / f'{name}.csv', folder / f'{name}.xlsx']
    found = [p for p in candidates if p.exists()]
    if not found:
        raise BatchStructureError('missing_file', file=f'{name}.csv')
    if len(found) > 1:
        raise BatchStructureError('ambiguous_file',
            file=f'{name}.csv', other=f'{name}.xlsx')
    path = found[0]
    try:
        size = path.stat().st_size
    except OSError as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=error.strerror)
    if size > MAX_FILE_BYTES:
        raise BatchStructureError('file_too_large', file=path.name,
            size=_megabytes(size), maximum=_megabytes(MAX_FILE_BYTES))
    return path


def _megabytes(size):
    return f'{size / 2**20:.0f}'


def _check_columns(file, header, expected, optional=()):
    "Every expected column once; optional ones at most once; no other"
    allowed = list(expected) + list(optional)
    seen = set()
    for column in header:
        if column not in allowed:
            raise BatchStructureError('unknown_column',
                file=file, column=column, expected=', '.join(allowed))
        if column in seen:
            raise BatchStructureError('duplicate_column',
                file=file, column=column)
        seen.add(column)
    for column in expected:
        if column not in seen:
            raise BatchStructureError('missing_column',
                file=file, column=column)


def _open_table(path):
    "The Table of a file, with its header (not its rows yet)"
    if path.suffix == '.xlsx':
        table = Table(path, None, [])
    else:
        table = Table(path, None, [], encoding=_csv_encoding(path))
    records = _records(table, header=True)
    try:
        first = next(records, None)
    finally:
        records.close()
    if first is None:
        raise BatchStructureError('empty_file', file=path.name)
    table.header = first
    return table


def _csv_encoding(path):
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8,
    else Windows-1251; read in blocks, not held whole"""
    import codecs
    decoder = codecs.getincrementaldecoder('utf-8')()
    try:
        with open(path, 'rb') as file:
            while block := file.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b'', final=True)
    except UnicodeDecodeError:
        return 'cp1251'
    except OSError as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=error.strerror)
    return 'utf-8-sig'


def _records(table, header=False):
    """(line, values) of every non-blank data row of the table, read from
    its file as it goes; with header, the header's columns alone"""
    if table.path.suffix == '.xlsx':
        records = _read_xlsx(table.path, header)
    else:
        records = _read_csv(table, header)
    try:
        if header:
            yield next(records, None)
            return
        for line, values in records:
            if any(v for v in values):
                yield line, values
    finally:
        records.close()


def _read_csv(table, header):
    path = table.path
    try:
        with open(path, encoding=table.encoding, newline='') as file:
            if header:
                first_line = file.readline()
                file.seek(0)
                table.delimiter = (';' if first_line.count(';')
                    >= first_line.count(',') else ',')
            reader = csv.reader(file, delimiter=table.delimiter)
            columns = next(reader, None)
            if header:
                if columns is not None:
                    yield [c.strip().lower() for c in columns]
                return
            for record in reader:
                # line_num: the file's line where the record ends
                yield reader.line_num, [v.strip() for v in record]
    except (OSError, UnicodeDecodeError) as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=str(error))
    except csv.Error as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=str(error))


def _read_xlsx(path, header):
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(path, read_only=True,
            data_only=True)
    except Exception as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=str(error))
    try:
        if not workbook.worksheets:
            raise BatchStructureError('no_worksheet', file=path.name)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        columns = None
        for index, record in enumerate(rows, 1):
            if columns is None:
                columns = [_cell(c).lower() for c in record]
                while columns and not columns[-1]:
                    columns.pop()
                if header:
                    yield columns
                    return
                continue
            values = [_cell(c) for c in record[:len(columns)]]
            values += [''] * (len(columns) - len(values))
            yield index, values
    finally:
        workbook.close()


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
