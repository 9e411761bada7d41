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
import io
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
class Batch:
    folder: pathlib.Path
    tables: dict = field(default_factory=dict)  # name -> list of Row
    files: dict = field(default_factory=dict)  # name -> file name


def read_batch(folder):
    "Read every table of the batch folder; raise BatchStructureError"
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise BatchStructureError('missing_folder', folder=str(folder))
    batch = Batch(folder)
    for name, required in TABLES.items():
        path = _table_path(folder, name)
        batch.files[name] = path.name
        header, rows = (_read_xlsx(path) if path.suffix == '.xlsx'
            else _read_csv(path))
        _check_columns(path.name, header, required, OPTIONAL_COLUMNS[name])
        missing = dict.fromkeys(
            c for c in OPTIONAL_COLUMNS[name] if c not in header)
        table = batch.tables[name] = []
        for line, values in rows:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise BatchStructureError('wrong_field_count',
                    file=path.name, line=line, count=len(values),
                    expected=len(header))
            values = dict(zip(header, values))
            values.update((c, '') for c in missing)
            table.append(Row(path.name, line, values))
    return batch


def _table_path(folder, name):
    candidates = [folder / f'{name}.csv', folder / f'{name}.xlsx']
    found = [p for p in candidates if p.exists()]
    if not found:
        raise BatchStructureError('missing_file', file=f'{name}.csv')
    if len(found) > 1:
        raise BatchStructureError('ambiguous_file',
            file=f'{name}.csv', other=f'{name}.xlsx')
    return found[0]


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


def decode(data):
    "Text of a CSV file: UTF-8 (with or without BOM), else Windows-1251"
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('cp1251')


def _read_csv(path):
    try:
        text = decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=str(error))
    first_line = text.split('\n', 1)[0]
    delimiter = ';' if first_line.count(';') >= first_line.count(',') \
        else ','
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    records = []
    try:
        for record in reader:
            # line_num: the file's line where the record ends
            records.append((reader.line_num, record))
    except csv.Error as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=str(error))
    if not records:
        raise BatchStructureError('empty_file', file=path.name)
    header = [c.strip().lower() for c in records[0][1]]
    rows = []
    for line, record in records[1:]:
        rows.append((line, [v.strip() for v in record]))
    return header, rows


def _read_xlsx(path):
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(path, read_only=True,
            data_only=True)
    except Exception as error:
        raise BatchStructureError('unreadable_file',
            file=path.name, error=str(error))
    sheet = workbook.worksheets[0]
    records = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not records:
        raise BatchStructureError('empty_file', file=path.name)
    header = [_cell(c).lower() for c in records[0]]
    while header and not header[-1]:
        header.pop()
    rows = []
    for index, record in enumerate(records[1:], 2):
        values = [_cell(c) for c in record[:len(header)]]
        values += [''] * (len(header) - len(values))
        rows.append((index, values))
    return header, rows


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
