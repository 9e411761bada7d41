"""Reading a batch: every accepted encoding and layout reads the same."""
import csv

import openpyxl
import pytest

from kazan.batch import TABLES, BatchStructureError, read_batch
from kazan.onboard import Known, column_parsers, parse_rows, validate

ROWS = {
    'institutions': [{
            'inn': '1655012344', 'kpp': '165501001', 'ogrn': '1021601234566',
            'short_name': 'МБОУ "Гимназия №7"',
            'full_name': 'Муниципальное бюджетное общеобразовательное '
            'учреждение "Гимназия №7"',
            'kind': 'school', 'legal_form': 'budgetary',
            'founder': 'education', 'district': 'Вахитовский',
            'oktmo': '92701000',
            'personal_accounts': 'ЛБВ30800668|ЛБО30800721',
            'director': 'Сафина Гульнара Ильдаровна',
            'director_login': 'safina', 'chief_accountant': '',
            'accident_rate': '0.2', 'start_date': '2026-03-01'}],
    'opening_balances': [
        {'inn': '1655012344', 'account': '201.11', 'kfo': '4',
            'debit': '1234567.89', 'credit': '0'},
        {'inn': '1655012344', 'account': '401.30', 'kfo': '4',
            'debit': '0', 'credit': '1234567.89'}],
    'employees': [{
            'inn': '1655012344', 'personnel_number': '000017',
            'last_name': 'Хабибуллина', 'first_name': 'Эльвира',
            'patronymic': 'Рустемовна', 'snils': '112-233-445 95',
            'employee_inn': '244316923490', 'birth_date': '1985-04-12',
            'hire_date': '2012-09-01', 'position': 'учитель математики',
            'category': 'teacher', 'rate': '1.25', 'base_salary': '31500.50',
            'allowances': '4200', 'class_management': '2', 'children': '3',
            'disabled_children': '1', 'kfo': '4', 'ytd_income': '95001.00',
            'ytd_deductions': '20400.00', 'ytd_ndfl': '9698',
            'ytd_contribution_base': '95001.00'}],
    }
KNOWN = Known(inns=set(), logins=set(),
    postable={'budgetary': {'201.11', '401.30'}, 'autonomous': set()})


def write_csv(folder, encoding='utf-8', delimiter=';', decimal_comma=False,
        bom=False):
    folder.mkdir()
    for name, rows in ROWS.items():
        columns = TABLES[name]
        with open(folder / f'{name}.csv', 'w', newline='',
                encoding='utf-8-sig' if bom else encoding) as f:
            writer = csv.writer(f, delimiter=delimiter)
            writer.writerow(columns)
            for row in rows:
                values = [row[c] for c in columns]
                if decimal_comma:
                    values = [_comma(c, v) for c, v in zip(columns, values)]
                writer.writerow(values)
    return folder


def _comma(column, value):
    "The amounts and rates as an old Russian system exports them"
    if column in {'debit', 'credit', 'base_salary', 'rate', 'accident_rate',
            'ytd_income', 'ytd_deductions', 'ytd_contribution_base'}:
        return value.replace('.', ',')
    if column in {'birth_date', 'hire_date'}:
        year, month, day = value.split('-')
        return f'{day}.{month}.{year}'
    return value


def write_xlsx(folder):
    folder.mkdir()
    for name, rows in ROWS.items():
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(TABLES[name])
        for row in rows:
            sheet.append([_typed(c, row[c]) for c in TABLES[name]])
        workbook.save(folder / f'{name}.xlsx')
    return folder


def _typed(column, value):
    "Numbers and dates as a spreadsheet holds them"
    import datetime as dt
    from decimal import Decimal
    if column in {'debit', 'credit', 'base_salary', 'allowances', 'rate',
            'accident_rate', 'ytd_income', 'ytd_contribution_base'}:
        return float(Decimal(value))
    if column in {'birth_date', 'hire_date', 'start_date'}:
        return dt.datetime.fromisoformat(value)
    return value


def parsed(folder):
    "Every table of the batch, parsed, without the source locations"
    batch = read_batch(folder)
    parsers = column_parsers()
    problems = []
    result = {name: [values for _, values in parse_rows(
                    batch.tables[name], parsers[name], problems)]
        for name in TABLES}
    assert problems == []
    return result


@pytest.fixture
def reference(tmp_path):
    return parsed(write_csv(tmp_path / 'utf8'))


@pytest.mark.parametrize('variant', [
        dict(bom=True),
        dict(delimiter=','),
        dict(encoding='cp1251', decimal_comma=True),
        dict(encoding='cp1251', delimiter=',', decimal_comma=True),
        ])
def test_csv_variants_read_the_same(tmp_path, reference, variant):
    assert parsed(write_csv(tmp_path / 'variant', **variant)) == reference


def test_xlsx_reads_the_same(tmp_path, reference):
    assert parsed(write_xlsx(tmp_path / 'xlsx')) == reference


def test_reference_values(reference):
    from decimal import Decimal
    employee, = reference['employees']
    assert employee['snils'] == '11223344595'
    assert employee['rate'] == Decimal('1.25')
    assert employee['base_salary'] == Decimal('31500.50')
    assert reference['institutions'][0]['personal_accounts'] == [
        'ЛБВ30800668', 'ЛБО30800721']


def test_valid_batch_plans_one_institution(tmp_path):
    plan = validate(read_batch(write_csv(tmp_path / 'b')), KNOWN)
    institution, = plan.institutions.values()
    assert institution.status == 'ready', institution.problems
    assert len(institution.staff) == 1
    assert len(institution.opening_balance) == 2


def test_existing_institution_is_left_alone(tmp_path):
    known = Known({'1655012344'}, {'safina'}, KNOWN.postable)
    plan = validate(read_batch(write_csv(tmp_path / 'b')), known)
    institution, = plan.institutions.values()
    assert institution.status == 'exists'
    assert institution.problems == []


@pytest.mark.parametrize('change, key, column', [
        (lambda text: text.replace('director_login', 'director_logn', 1),
            'unknown_column', 'director_logn'),
        (lambda text: text.replace(';chief_accountant', '', 1),
            'missing_column', 'chief_accountant'),
        ])
def test_misspelt_column_stops_the_batch(tmp_path, change, key, column):
    folder = write_csv(tmp_path / 'b')
    path = folder / 'institutions.csv'
    path.write_text(change(path.read_text(encoding='utf-8')),
        encoding='utf-8')
    with pytest.raises(BatchStructureError) as info:
        read_batch(folder)
    assert info.value.key == key
    assert info.value.params['file'] == 'institutions.csv'
    assert info.value.params['column'] == column


def test_missing_table_stops_the_batch(tmp_path):
    folder = write_csv(tmp_path / 'b')
    (folder / 'employees.csv').unlink()
    with pytest.raises(BatchStructureError) as info:
        read_batch(folder)
    assert info.value.key == 'missing_file'


def test_rate_to_a_thousandth():
    from decimal import Decimal

    from kazan.onboard import Invalid, rate
    assert rate('1,125') == Decimal('1.125')
    with pytest.raises(Invalid) as info:
        rate('1.1111')
    assert info.value.key == 'rate_decimals'
    with pytest.raises(Invalid) as info:
        rate('2.5')
    assert info.value.key == 'out_of_range'


# The optional columns added since the first version of the format -------

CARD = {'bank_bic': '049205603', 'bank_account': '40817810962000012345',
    'insured_years': '14,5', 'earnings_prev_year': '512345.67',
    'earnings_prev_year2': '480000'}


def with_employee_columns(folder, **values):
    "The batch of ROWS, with the employee's optional columns set to values"
    folder = write_csv(folder)
    path = folder / 'employees.csv'
    with open(path, encoding='utf-8', newline='') as f:
        header, *rows = list(csv.reader(f, delimiter=';'))
    with open(path, 'w', encoding='utf-8', newline='') as f:
        writer = csv.writer(f, delimiter=';')
        # inserted mid-table: the column order is free
        writer.writerow(header[:5] + list(values) + header[5:])
        for row in rows:
            writer.writerow(row[:5] + list(values.values()) + row[5:])
    return folder


def employee_problems(folder):
    plan = validate(read_batch(folder), KNOWN)
    institution, = plan.institutions.values()
    return institution, [(p.key, p.file, p.line, p.column, p.inn, p.value)
        for p in institution.problems]


def test_old_batch_without_optional_columns(tmp_path):
    "A batch written before the optional columns still validates"
    from decimal import Decimal
    folder = write_csv(tmp_path / 'b')
    header = (folder / 'employees.csv').read_text(
        encoding='utf-8').splitlines()[0]
    assert 'bank_bic' not in header
    institution, problems = employee_problems(folder)
    assert problems == []
    assert institution.status == 'ready'
    employee, = institution.staff
    assert employee['bank_bic'] is None and employee['bank_account'] is None
    assert employee['insured_years'] == Decimal('0.0')
    assert employee['earnings_prev_year'] == Decimal('0.00')
    assert employee['earnings_prev_year2'] == Decimal('0.00')


def test_optional_columns_read(tmp_path):
    from decimal import Decimal
    institution, problems = employee_problems(
        with_employee_columns(tmp_path / 'b', **CARD))
    assert problems == []
    employee, = institution.staff
    assert (employee['bank_bic'], employee['bank_account']) == (
        '049205603', '40817810962000012345')
    assert employee['insured_years'] == Decimal('14.5')
    assert employee['earnings_prev_year'] == Decimal('512345.67')
    assert employee['earnings_prev_year2'] == Decimal('480000.00')


def test_optional_columns_in_xlsx(tmp_path):
    "A spreadsheet may have some of the optional columns only"
    folder = write_xlsx(tmp_path / 'b')
    workbook = openpyxl.load_workbook(folder / 'employees.xlsx')
    sheet = workbook.active
    sheet.cell(1, sheet.max_column + 1, 'insured_years')
    sheet.cell(2, sheet.max_column, 7.5)
    workbook.save(folder / 'employees.xlsx')
    institution, problems = employee_problems(folder)
    assert problems == []
    assert str(institution.staff[0]['insured_years']) == '7.5'
    assert institution.staff[0]['bank_bic'] is None


@pytest.mark.parametrize('values, problem', [
        # two digits of the account swapped: the control key does not match
        (dict(CARD, bank_account='40817810962000012354'),
            ('bank_account_key', 'bank_account', '40817810962000012354')),
        (dict(CARD, bank_account='4081781096200001234'),
            ('invalid_bank_account', 'bank_account', '4081781096200001234')),
        (dict(CARD, bank_bic='019205400'),
            ('invalid_bic', 'bank_bic', '019205400')),
        (dict(CARD, bank_account=''),
            ('bank_details_incomplete', 'bank_account', '')),
        (dict(CARD, bank_bic=''),
            ('bank_details_incomplete', 'bank_bic', '')),
        (dict(CARD, insured_years='12.25'),
            ('insured_years_decimals', 'insured_years', '12.25')),
        (dict(CARD, insured_years='-1'),
            ('out_of_range', 'insured_years', '-1')),
        (dict(CARD, earnings_prev_year2='-100'),
            ('negative_amount', 'earnings_prev_year2', '-100')),
        ])
def test_optional_column_problem_located(tmp_path, values, problem):
    "Each problem is at its file, line and column, and the only one"
    key, column, value = problem
    institution, problems = employee_problems(
        with_employee_columns(tmp_path / 'b', **values))
    assert problems == [
        (key, 'employees.csv', 2, column, '1655012344', value)]
    assert institution.status == 'invalid'


def test_unknown_employee_column_still_stops_the_batch(tmp_path):
    folder = with_employee_columns(tmp_path / 'b', bank_acount='1')
    with pytest.raises(BatchStructureError) as info:
        read_batch(folder)
    assert info.value.key == 'unknown_column'
    assert info.value.params['column'] == 'bank_acount'
    assert 'bank_account' in info.value.params['expected']
