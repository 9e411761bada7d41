"""Reading an onboarding batch (interfaces.md §2): the first pipeline step.

A batch is a folder of three tables, each a CSV file or an XLSX file of the
same name, read by the accounting module's one table reader
(kazan_accounting.table: encodings, separators, XLSX cells).  Reading keeps
every value as text with its source (file, line, column): parsing and
checking are the validation step's job, which reports every problem with
its location.  A table that is missing, unreadable, or whose columns are
not exactly the expected ones stops the whole batch before anything is
read further (``BatchStructureError``).

The format is extended, never broken: a column added after the first
version is optional (``OPTIONAL_COLUMNS``), so that a batch written before
it still reads; a row without it holds '' there.
"""
import functools
import pathlib
from dataclasses import dataclass, field

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
        'earnings_prev_year2',
        # issue 15: the children in order of birth, the pay for additional
        # work, and what the year-to-date income holds for the average
        'children_birth_dates', 'students', 'additional_work',
        'ytd_average_earnings', 'ytd_excluded_days'],
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

    @classmethod
    def of(cls, problem):
        "The error of a table's Problem: where it is, and its parameters"
        where = {'file': problem.file, 'line': problem.line,
            'column': problem.column}
        return cls(problem.key, **{k: v for k, v in where.items()
                if v is not None}, **problem.params)


@dataclass
class Table:
    """A table of the batch, its rows read from its file again at each
    pass: a file changed since read_batch stops the batch the same way"""
    rows: object  # kazan_accounting.table.Table

    def __iter__(self):
        try:
            yield from self.rows
        except _table().TableError as error:
            raise BatchStructureError.of(error.problems[0])

    def __len__(self):
        return len(self.rows)


@dataclass
class Batch:
    folder: pathlib.Path
    tables: dict = field(default_factory=dict)  # name -> Table
    files: dict = field(default_factory=dict)  # name -> file name


@functools.cache
def _table():
    "kazan_accounting.table, imported once trytond is configured"
    from trytond.modules.kazan_accounting import table
    return table


def read_batch(folder):
    """Read every table of the batch folder once, checking its structure
    and its size; raise BatchStructureError"""
    table = _table()
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise BatchStructureError('missing_folder', folder=str(folder))
    batch = Batch(folder)
    for name, columns in TABLES.items():
        path = _table_path(folder, name)
        batch.files[name] = path.name
        try:
            batch.tables[name] = Table(table.read_table(path, columns,
                    OPTIONAL_COLUMNS[name], max_rows=MAX_ROWS,
                    max_bytes=MAX_FILE_BYTES))
        except table.TableError as error:
            raise BatchStructureError.of(error.problems[0])
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
