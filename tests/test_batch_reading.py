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

    from kazan.onboard import rate
    from trytond.modules.kazan_accounting.table import Invalid
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


# Bad input found on the way (issue 13) -----------------------------------

def no_worksheet_xlsx(path):
    "An XLSX file whose workbook lists no worksheet, written at path"
    from trytond.modules.kazan_accounting.tests import test_table
    path.write_bytes(test_table.no_worksheet_xlsx())


def with_rows(folder, table, rows):
    "The batch of ROWS with table's rows replaced by rows (dicts)"
    saved = ROWS[table]
    ROWS[table] = rows
    try:
        return write_csv(folder)
    finally:
        ROWS[table] = saved


def problems_of(folder, known=KNOWN):
    plan = validate(read_batch(folder), known)
    return [(p.key, p.file, p.line, p.column, p.inn, p.value)
        for p in plan.all_problems]


INN = '1655012344'
OTHER_INN = '1655018297'
EMPLOYEE = ROWS['employees'][0]


@pytest.mark.parametrize('column, value', [
        ('debit', '99999999999999999999.00'),
        ('credit', '1' * 30),
        ])
def test_amount_beyond_its_field_is_refused(tmp_path, column, value):
    "Amounts the database cannot hold are problems, not write failures"
    rows = [dict(r) for r in ROWS['opening_balances']]
    rows[0][column] = value
    assert ('amount_too_large', 'opening_balances.csv', 2, column, INN,
        value) in problems_of(with_rows(tmp_path / 'b', 'opening_balances',
            rows))


def test_amount_bound_is_the_known_digits(tmp_path):
    "The bound comes from known_from_database (fields and backend)"
    from decimal import Decimal
    rows = [dict(ROWS['opening_balances'][0], debit='12345678901234.00'),
        dict(ROWS['opening_balances'][1], credit='12345678901234.00')]
    folder = with_rows(tmp_path / 'b', 'opening_balances', rows)
    assert problems_of(folder) == []  # 16 digits by default
    known = Known(set(), set(), KNOWN.postable, digits={
            ('opening_balances', 'debit'): 13,
            ('opening_balances', 'credit'): 13})
    assert [p[:4] for p in problems_of(folder, known)] == [
        ('amount_too_large', 'opening_balances.csv', 2, 'debit'),
        ('amount_too_large', 'opening_balances.csv', 3, 'credit')]
    from trytond.modules.kazan_accounting.table import amount
    assert amount('9 999 999 999 999,99', 13) == Decimal('9999999999999.99')


def test_institution_total_beyond_the_bound(tmp_path):
    "Each line fits, their sum per institution does not"
    rows = [
        {'inn': INN, 'account': '201.11', 'kfo': '4',
            'debit': '6000000000000', 'credit': '0'},
        {'inn': INN, 'account': '201.11', 'kfo': '2',
            'debit': '6000000000000', 'credit': '0'},
        {'inn': INN, 'account': '401.30', 'kfo': '4',
            'debit': '0', 'credit': '6000000000000'},
        {'inn': INN, 'account': '401.30', 'kfo': '2',
            'debit': '0', 'credit': '6000000000000'},
        ]
    known = Known(set(), set(), KNOWN.postable, digits={
            ('opening_balances', 'debit'): 13,
            ('opening_balances', 'credit'): 13})
    folder = with_rows(tmp_path / 'b', 'opening_balances', rows)
    assert problems_of(folder, known) == [
        ('total_too_large', 'opening_balances.csv', 3, 'debit', INN,
            '6000000000000'),
        ('total_too_large', 'opening_balances.csv', 5, 'credit', INN,
            '6000000000000')]


def test_salary_total_beyond_the_bound(tmp_path):
    second = dict(EMPLOYEE, personnel_number='000018',
        snils='112-233-446 96', employee_inn='', base_salary='9' * 16)
    folder = with_rows(tmp_path / 'b', 'employees',
        [dict(EMPLOYEE, base_salary='9' * 16), second])
    assert problems_of(folder) == [
        ('total_too_large', 'employees.csv', 3, 'base_salary', INN,
            '9' * 16)]


@pytest.mark.parametrize('column, value, key', [
        ('base_salary', '1e5', 'invalid_number'),
        ('base_salary', '１２３４', 'invalid_number'),
        ('base_salary', '1.234,56', 'invalid_number'),
        ('base_salary', '+5', 'invalid_number'),
        ('base_salary', '12 34', 'invalid_number'),
        ('allowances', 'Infinity', 'invalid_number'),
        ('ytd_income', '٣٠٠٠', 'invalid_number'),  # Arabic-Indic digits
        ('rate', '1e0', 'invalid_number'),
        ('rate', '１', 'invalid_number'),
        ('children', '２', 'invalid_integer'),
        ('class_management', '１', 'invalid_integer'),
        ('birth_date', '１９８５-04-12', 'invalid_date'),
        ('snils', '１１２-２３３-４４５ ９５', 'invalid_snils'),
        ])
def test_only_what_an_accountant_writes(tmp_path, column, value, key):
    folder = with_rows(tmp_path / 'b', 'employees',
        [dict(EMPLOYEE, **{column: value})])
    assert problems_of(folder) == [
        (key, 'employees.csv', 2, column, INN, value)]


def test_accident_rate_exponent_refused(tmp_path):
    folder = with_rows(tmp_path / 'b', 'institutions',
        [dict(ROWS['institutions'][0], accident_rate='2e-1')])
    assert problems_of(folder) == [
        ('invalid_number', 'institutions.csv', 2, 'accident_rate', INN,
            '2e-1')]


@pytest.mark.parametrize('value, expected', [
        ('31 500,50', '31500.50'),
        ('31\u00a0500.50', '31500.50'),  # no-break space
        ('1\u202f031\u202f500', '1031500.00'),  # narrow no-break space
        ('31500', '31500.00'),
        ])
def test_thousands_separators_accepted(tmp_path, value, expected):
    from decimal import Decimal
    folder = with_rows(tmp_path / 'b', 'employees',
        [dict(EMPLOYEE, base_salary=value)])
    plan = validate(read_batch(folder), KNOWN)
    institution, = plan.institutions.values()
    assert institution.problems == []
    assert institution.staff[0]['base_salary'] == Decimal(expected)


def two_institutions(folder, employees):
    "ROWS with a second institution (OTHER_INN) and these employees"
    other = dict(ROWS['institutions'][0], inn=OTHER_INN,
        director_login='ivanova', short_name='МБОУ "Школа №2"')
    saved = dict(ROWS)
    ROWS['institutions'] = saved['institutions'] + [other]
    ROWS['opening_balances'] = saved['opening_balances'] + [
        dict(r, inn=OTHER_INN) for r in saved['opening_balances']]
    ROWS['employees'] = employees
    try:
        return write_csv(folder)
    finally:
        ROWS.update(saved)


# a second valid person: another SNILS, INN and card
SECOND = dict(EMPLOYEE, personnel_number='000018',
    last_name='Гарипов', first_name='Айдар', patronymic='Ринатович',
    snils='112-233-446 96', employee_inn='', birth_date='1979-11-02')


@pytest.mark.parametrize('column', ['snils', 'employee_inn', 'bank_account'])
def test_person_id_twice_in_an_institution(tmp_path, column):
    first = dict(EMPLOYEE, **CARD)
    from .fixtures.sample_batch import card_account
    second = dict(SECOND, **dict(CARD,
            bank_account=card_account(CARD['bank_bic'], 62000012399)))
    second[column] = first[column]
    folder = with_employee_columns(tmp_path / 'b', **CARD)
    path = folder / 'employees.csv'
    with open(path, encoding='utf-8', newline='') as f:
        header = next(csv.reader(f, delimiter=';'))
    with open(path, 'w', encoding='utf-8', newline='') as f:
        writer = csv.writer(f, delimiter=';')
        writer.writerow(header)
        for row in (first, second):
            writer.writerow([row[c] for c in header])
    assert problems_of(folder) == [('duplicate_person_id', 'employees.csv',
            3, column, INN, first[column])]


def test_same_snils_in_two_institutions(tmp_path):
    "Allowed for the same person; another person's is a problem"
    same = dict(EMPLOYEE, inn=OTHER_INN, personnel_number='1',
        last_name='ХАБИБУЛЛИНА')  # the same person, in capitals
    assert problems_of(two_institutions(tmp_path / 'a', [EMPLOYEE, same])) \
        == []
    other = dict(SECOND, inn=OTHER_INN, snils=EMPLOYEE['snils'])
    assert problems_of(two_institutions(tmp_path / 'b', [EMPLOYEE, other])) \
        == [('other_person_in_batch', 'employees.csv', 3, 'snils',
            OTHER_INN, EMPLOYEE['snils'])]
    older = dict(same, birth_date='1985-04-13')
    assert problems_of(two_institutions(tmp_path / 'c', [EMPLOYEE, older])) \
        == [('other_person_in_batch', 'employees.csv', 3, 'snils',
            OTHER_INN, EMPLOYEE['snils']),
        ('other_person_in_batch', 'employees.csv', 3, 'employee_inn',
            OTHER_INN, EMPLOYEE['employee_inn'])]


def test_person_ids_against_the_database(tmp_path):
    import datetime as dt

    from kazan.onboard import Person
    folder = write_csv(tmp_path / 'b')
    same = Person(OTHER_INN, None, 'Хабибуллина Эльвира Рустемовна',
        dt.date(1985, 4, 12))
    other = Person(OTHER_INN, None, 'Гарипов Айдар Ринатович',
        dt.date(1979, 11, 2))

    def known(person):
        return Known(set(), set(), KNOWN.postable, people={
                ('snils', '11223344595'): person,
                ('employee_inn', '244316923490'): person})
    assert problems_of(folder, known(same)) == []
    assert problems_of(folder, known(other)) == [
        ('other_person_in_database', 'employees.csv', 2, 'snils', INN,
            EMPLOYEE['snils']),
        ('other_person_in_database', 'employees.csv', 2, 'employee_inn', INN,
            EMPLOYEE['employee_inn'])]
    # a re-run: the institution is in the database, its staff with it
    rerun = Known({INN}, {'safina'}, KNOWN.postable, people={
            ('snils', '11223344595'): other})
    assert problems_of(folder, rerun) == []


def test_too_many_rows_stop_the_batch(tmp_path, monkeypatch):
    from kazan import batch
    rows = [dict(EMPLOYEE, personnel_number=str(n)) for n in range(3)]
    folder = with_rows(tmp_path / 'b', 'employees', rows)
    monkeypatch.setattr(batch, 'MAX_ROWS', 2)
    with pytest.raises(BatchStructureError) as info:
        read_batch(folder)
    assert info.value.key == 'too_many_rows'
    assert info.value.params == {
        'file': 'employees.csv', 'line': 4, 'maximum': 2}
    monkeypatch.setattr(batch, 'MAX_ROWS', 3)
    assert len(read_batch(folder).tables['employees']) == 3


def test_too_large_file_stops_the_batch(tmp_path, monkeypatch):
    from kazan import batch
    folder = write_csv(tmp_path / 'b')
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    # the largest table is one byte too large
    monkeypatch.setattr(batch, 'MAX_FILE_BYTES', max(sizes.values()) - 1)
    with pytest.raises(BatchStructureError) as info:
        read_batch(folder)
    assert info.value.key == 'file_too_large'
    assert info.value.params['file'] == max(sizes, key=sizes.get)


def test_rows_are_read_as_validation_goes(tmp_path):
    "A table is not held in memory: each pass reads its file again"
    folder = write_csv(tmp_path / 'b')
    table = read_batch(folder).tables['employees']
    assert not isinstance(table, list)
    first = [row.values for row in table]
    assert [row.values for row in table] == first
    assert len(table) == 1


def test_file_changed_since_read_stops_the_batch(tmp_path):
    folder = write_csv(tmp_path / 'b')
    batch = read_batch(folder)
    with open(folder / 'employees.csv', 'a', encoding='utf-8') as f:
        f.write('1;2\n')
    with pytest.raises(BatchStructureError) as info:
        list(batch.tables['employees'])
    assert info.value.key == 'wrong_field_count'
    assert info.value.params == {'file': 'employees.csv', 'line': 3,
        'count': 2, 'expected': len(TABLES['employees'])}


def test_xlsx_without_worksheet(tmp_path):
    folder = write_xlsx(tmp_path / 'b')
    no_worksheet_xlsx(folder / 'opening_balances.xlsx')
    with pytest.raises(BatchStructureError) as info:
        read_batch(folder)
    assert info.value.key == 'no_worksheet'
    assert info.value.params == {'file': 'opening_balances.xlsx'}


# Issue 15: the children in order of birth, additional work, the average --

# The employee of ROWS (start 1 March 2026, children 3, disabled 1) with
# children born 2004 (21 on the start date, 22 in 2026), 2012 and 2016
FAMILY = '10.05.2004|2012-02-03|2016-09-01'


def family_batch(folder, optional, **changes):
    "The batch of ROWS, the employee changed and with optional columns"
    saved = ROWS['employees']
    ROWS['employees'] = [dict(EMPLOYEE, **changes)]
    try:
        return with_employee_columns(folder, **optional)
    finally:
        ROWS['employees'] = saved


def test_children_birth_dates_read(tmp_path):
    import datetime as dt
    from decimal import Decimal

    # children empty: the 2004 child is grown up and not studying, so 2
    # are entitled in 2026; the youngest entitled one is the disabled one
    institution, problems = employee_problems(family_batch(tmp_path / 'b',
            {'children_birth_dates': FAMILY, 'students': '',
                'additional_work': '4500,50', 'ytd_average_earnings': '',
                'ytd_excluded_days': ''},
            children=''))
    assert problems == []
    employee, = institution.staff
    assert employee['children_records'] == [
        {'birth_date': dt.date(2004, 5, 10), 'student': False,
            'disabled': False},
        {'birth_date': dt.date(2012, 2, 3), 'student': False,
            'disabled': False},
        {'birth_date': dt.date(2016, 9, 1), 'student': False,
            'disabled': True}]
    assert (employee['children'], employee['disabled_children']) == (2, 1)
    assert employee['additional_work'] == Decimal('4500.50')
    # empty: the whole ytd_income counts for the average, no day excluded
    assert employee['ytd_average_earnings'] is None
    assert employee['ytd_excluded_days'] == 0


def test_students_mark_the_youngest_young_adults(tmp_path):
    # born 15.06.2002 (23 on 1 March 2026), 2004 (21), 1.12.2007 (18),
    # 2012: of the three aged 18 to 24 the youngest two study; entitled
    # in 2026: 2004 (a student, turns 22 ≤ 24), 2007 (a student, turns
    # 19), 2012 (turns 14); 2002, not marked, turns 24 > 18: not entitled.
    # children 3 as given.
    institution, problems = employee_problems(family_batch(tmp_path / 'b',
            {'children_birth_dates': '2002-06-15|2004-05-10|2007-12-01'
                '|2012-02-03', 'students': '2'},
            children='3', disabled_children='0'))
    assert problems == []
    employee, = institution.staff
    assert [r['student'] for r in employee['children_records']] == [
        False, True, True, False]
    assert employee['children'] == 3


def test_old_batch_has_no_children_records(tmp_path):
    from decimal import Decimal
    institution, problems = employee_problems(write_csv(tmp_path / 'b'))
    assert problems == []
    employee, = institution.staff
    assert 'children_records' not in employee
    assert (employee['children'], employee['disabled_children']) == (3, 1)
    assert employee['additional_work'] == Decimal('0.00')
    assert employee['ytd_average_earnings'] is None
    assert (employee['students'], employee['ytd_excluded_days']) == (0, 0)


@pytest.mark.parametrize('optional, changes, problem', [
        # 2 entitled in 2026, not the 3 given
        ({'children_birth_dates': FAMILY}, {},
            ('children_count_mismatch', 'children', '3')),
        # one child aged 18 to 24 on the start date, not 2
        ({'children_birth_dates': FAMILY, 'students': '2'},
            {'children': ''}, ('students_exceed', 'students', '2')),
        # no birth dates: no child known to be 18 to 24
        ({'students': '1'}, {}, ('students_exceed', 'students', '1')),
        ({'children_birth_dates': '2012-02-03|2004-05-10'},
            {'children': ''},
            ('children_birth_dates_order', 'children_birth_dates',
                '2012-02-03|2004-05-10')),
        ({'children_birth_dates': '2012-02-03|2016-13-01'},
            {'children': ''},
            ('invalid_children_birth_dates', 'children_birth_dates',
                '2012-02-03|2016-13-01')),
        ({'children_birth_dates': '2012-02-03|2026-03-02'},
            {'children': ''},
            ('child_born_after_start', 'children_birth_dates',
                '2012-02-03|2026-03-02')),
        # the counts are required without birth dates
        ({}, {'children': ''}, ('required', 'children', '')),
        ({'children_birth_dates': FAMILY},
            {'children': '', 'disabled_children': '3'},
            ('disabled_children_exceed_entitled', 'disabled_children',
                '3')),
        ({'additional_work': '-100'}, {},
            ('negative_amount', 'additional_work', '-100')),
        # more than ytd_income 95,001.00
        ({'ytd_average_earnings': '95001.01'}, {},
            ('ytd_average_exceeds_income', 'ytd_average_earnings',
                '95001.01')),
        # 1 January to 1 March 2026: 31 + 28 = 59 days
        ({'ytd_excluded_days': '60'}, {},
            ('ytd_excluded_days_exceed', 'ytd_excluded_days', '60')),
        ])
def test_children_and_average_problems(tmp_path, optional, changes,
        problem):
    "Each problem at its file, line, column and INN, and the only one"
    key, column, value = problem
    institution, problems = employee_problems(
        family_batch(tmp_path / 'b', optional, **changes))
    assert problems == [
        (key, 'employees.csv', 2, column, '1655012344', value)]
    assert institution.status == 'invalid'


def test_excluded_days_up_to_the_start(tmp_path):
    from decimal import Decimal
    institution, problems = employee_problems(family_batch(tmp_path / 'b',
            {'ytd_excluded_days': '59', 'ytd_average_earnings': '80000'}))
    assert problems == []
    employee, = institution.staff
    assert employee['ytd_excluded_days'] == 59
    assert employee['ytd_average_earnings'] == Decimal('80000.00')
