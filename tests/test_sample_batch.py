"""The synthetic batches of data/ (tests/fixtures/sample_batch.py):
reproducible, and valid by the rules of interfaces.md §2 and the brief (§1,
§6, §8, §9); the defective batch has exactly the defects its EXPECTED.md
lists.

Plain pytest, no database.  The checks are written here independently of
the generator (YTD pay, postable accounts of the chart); the SNILS check
sum is the module's (kazan_accounting.identifiers), INN and OGRN
python-stdnum's.
"""
import csv
import datetime as dt
import filecmp
import pathlib
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from trytond.modules.kazan_accounting import common
from trytond.modules.kazan_accounting.identifiers import snils_check_digits

from .fixtures import sample_batch

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = REPO / 'data' / 'sample_batch'
DEFECTIVE = REPO / 'data' / 'defective_batch'
CHART = REPO / 'modules' / 'kazan_accounting' / 'chart'
FILES = ['institutions.csv', 'opening_balances.csv', 'employees.csv']

# interfaces.md §2, in the order of its tables, then the optional columns
# added since (kazan.batch.OPTIONAL_COLUMNS)
HEADERS = {
    'institutions.csv': 'inn;kpp;ogrn;short_name;full_name;kind;legal_form;'
    'founder;district;oktmo;personal_accounts;director;director_login;'
    'chief_accountant;accident_rate;start_date',
    'opening_balances.csv': 'inn;account;kfo;debit;credit',
    'employees.csv': 'inn;personnel_number;last_name;first_name;patronymic;'
    'snils;employee_inn;birth_date;hire_date;position;category;rate;'
    'base_salary;allowances;class_management;children;disabled_children;'
    'kfo;ytd_income;ytd_deductions;ytd_ndfl;ytd_contribution_base;'
    'bank_bic;bank_account;insured_years;earnings_prev_year;'
    'earnings_prev_year2',
    }
# Kazan's salary-project banks, and Sberbank in Moscow
BANKS = {'049205603', '049205805', '044525225'}
DISTRICTS = [code for code, _ in common.DISTRICTS]
EDUCATION = {'school', 'kindergarten', 'supplementary'}
CULTURE = {'library', 'museum', 'theatre', 'culture_center'}
CATEGORIES = {'teacher', 'educator', 'administration', 'support', 'culture'}
MONEY = re.compile(r'^\d+(\.\d{1,2})?$')
MROT = Decimal('27093')


def read(folder, name):
    with open(folder / name, encoding='utf-8', newline='') as file:
        return list(csv.DictReader(file, delimiter=';'))


def snils_valid(value):
    "Brief §8: the layout of the batch, and the module's check sum"
    if not re.fullmatch(r'\d{3}-\d{3}-\d{3} \d{2}', value):
        return False
    digits = value.replace('-', '').replace(' ', '')
    return snils_check_digits(digits[:9]) == digits[9:]


def postable_accounts(variant):
    "Codes that take postings in the chart of that variant"
    with open(CHART / 'accounts.csv', encoding='utf-8') as file:
        accounts = list(csv.DictReader(file, delimiter=';'))
    with open(CHART / 'kosgu.csv', encoding='utf-8') as file:
        kosgu = list(csv.DictReader(file, delimiter=';'))
    codes = set()
    for row in accounts:
        if row['variant'] not in ('both', variant) or not row['type']:
            continue
        if row['kosgu'] == 'income':
            codes.update(f"{row['code']}.{k['code']}" for k in kosgu
                if k['kind'] == 'income')
        elif row['kosgu'] == 'expense':
            codes.update(f"{row['code']}.{k['code']}" for k in kosgu
                if k['kind'] == 'expense')
        elif row['kosgu'] == 'cost':
            codes.update(f"{row['code']}.{k['code']}" for k in kosgu
                if k['kind'] == 'expense' and k['costs'] == '1')
        else:
            codes.add(row['code'])
    return codes


def account_key_valid(bic, account):
    "The control key of an account at a credit institution, written again"
    digits = bic[-3:] + account
    weights = [7, 1, 3] * 8
    return sum(int(d) * w % 10 for d, w in zip(digits, weights)) % 10 == 0


def child_deduction(children, disabled):
    rates = [1400, 2800] + [6000] * max(0, children - 2)
    return Decimal(sum(rates[:children]) + 12000 * disabled)


@pytest.fixture(scope='module')
def batch():
    return {name: read(SAMPLE, name) for name in FILES}


def test_regenerated_identical(tmp_path):
    summary = sample_batch.generate(tmp_path / 'batch')
    for name in FILES:
        assert filecmp.cmp(tmp_path / 'batch' / name, SAMPLE / name,
            shallow=False), f'{name} differs: regenerate data/sample_batch'
    assert summary['institutions'] == 42
    assert summary['opening_debit'] == summary['opening_credit']


def test_sample_statements_regenerated_identical(tmp_path):
    """data/sample_statements and data/sample_documents.csv are what their
    script writes from the batch and the plans"""
    subprocess.run([sys.executable, 'scripts/generate_sample_statements.py',
            '--batch', str(SAMPLE), '--out', str(tmp_path / 's'),
            '--documents', str(tmp_path / 'documents.csv'),
            '--plans', str(REPO / 'data' / 'sample_plans.csv')],
        cwd=REPO, check=True, capture_output=True)
    assert filecmp.cmp(tmp_path / 'documents.csv',
        REPO / 'data' / 'sample_documents.csv', shallow=False), \
        'data/sample_documents.csv differs: regenerate it'
    with open(tmp_path / 'documents.csv', encoding='utf-8') as f:
        rows = list(csv.DictReader(f, delimiter=';'))
    # acts and waybills, most under a contract, for every institution
    # whose statements are there
    assert {r['kind'] for r in rows} == {'act', 'waybill'}
    assert 0 < sum(bool(r['contract']) for r in rows) < len(rows)
    assert len({r['inn'] for r in rows}) == 37
    statements = REPO / 'data' / 'sample_statements'
    names = sorted(p.name for p in statements.iterdir())
    assert names == sorted(p.name for p in (tmp_path / 's').iterdir())
    assert len(names) == 37
    for name in names:
        assert filecmp.cmp(tmp_path / 's' / name, statements / name,
            shallow=False), f'{name} differs: regenerate the statements'


def test_script(tmp_path):
    subprocess.run([sys.executable, 'scripts/generate_sample_batch.py',
            '--out', str(tmp_path / 'b'), '--institutions', '3',
            '--seed', '7'], cwd=REPO, check=True, capture_output=True)
    assert [r['founder'] for r in read(tmp_path / 'b', 'institutions.csv')] \
        == ['education', 'education', 'culture']
    again = sample_batch.generate(tmp_path / 'c', institutions=3, seed=7)
    assert again['institutions'] == 3
    for name in FILES:
        assert filecmp.cmp(tmp_path / 'b' / name, tmp_path / 'c' / name,
            shallow=False)


def test_other_seed_and_size(tmp_path):
    summary = sample_batch.generate(tmp_path, institutions=20, seed=1,
        education=15, culture=5)
    assert summary['institutions'] == 20
    rows = read(tmp_path, 'institutions.csv')
    assert sum(r['founder'] == 'culture' for r in rows) == 5
    assert rows[0]['inn'] not in {r['inn'] for r in read(
            SAMPLE, 'institutions.csv')}
    with pytest.raises(ValueError):
        sample_batch.generate(tmp_path, institutions=20, education=10,
            culture=5)


@pytest.mark.parametrize('name', FILES)
def test_headers_and_format(name):
    raw = (SAMPLE / name).read_bytes()
    assert not raw.startswith(b'\xef\xbb\xbf')
    text = raw.decode('utf-8')
    assert '\r' not in text
    assert text.splitlines()[0] == HEADERS[name]


def test_institutions(batch):
    rows = batch['institutions.csv']
    assert len(rows) == 42
    assert sum(r['founder'] == 'education' for r in rows) == 35
    assert sum(r['founder'] == 'culture' for r in rows) == 7
    assert {r['kind'] for r in rows if r['founder'] == 'education'} \
        == EDUCATION
    assert {r['kind'] for r in rows if r['founder'] == 'culture'} == CULTURE
    assert {r['district'] for r in rows} == set(DISTRICTS)
    assert {r['legal_form'] for r in rows} == {'budgetary', 'autonomous'}
    for key in ['inn', 'ogrn', 'short_name', 'full_name', 'director_login']:
        values = [r[key] for r in rows]
        assert len(set(values)) == len(values), key
    starts = [r['start_date'] for r in rows]
    assert starts.count('2026-01-01') == 5
    assert starts.count('2026-03-01') == 37
    for r in rows:
        assert re.fullmatch(r'16(55|57|58|59|60|61)\d{6}', r['inn'])
        assert stdnum_inn.is_valid(r['inn']), r['inn']
        assert re.fullmatch(r'\d{13}', r['ogrn'])
        assert stdnum_ogrn.is_valid(r['ogrn']), r['ogrn']
        assert r['kpp'] == r['inn'][:4] + '01001'
        assert r['oktmo'] == '92701000'
        assert r['founder'] == ('education' if r['kind'] in EDUCATION
            else 'culture')
        prefix = 'МБ' if r['legal_form'] == 'budgetary' else 'МА'
        assert r['short_name'].startswith(prefix), r['short_name']
        word = 'бюджетное' if r['legal_form'] == 'budgetary' \
            else 'автономное'
        assert r['full_name'].startswith('Муниципальное ' + word)
        letter = 'Б' if r['legal_form'] == 'budgetary' else 'А'
        for account in r['personal_accounts'].split('|'):
            assert re.fullmatch(f'(Л{letter}[ГВО]\\d{{8}}|ЛР\\d{{9}})',
                account), account
        assert re.fullmatch(r'[a-z0-9_.]+', r['director_login'])
        assert len(r['director'].split()) == 3
        assert r['chief_accountant']
        assert Decimal('0.2') <= Decimal(r['accident_rate']) \
            <= Decimal('8.5')
        assert dt.date.fromisoformat(r['start_date']).day == 1
    rates = [r['accident_rate'] for r in rows]
    assert rates.count('0.2') > 30 and set(rates) - {'0.2'}


def test_opening_balances(batch):
    rows = batch['opening_balances.csv']
    institutions = {r['inn']: r for r in batch['institutions.csv']}
    postable = {v: postable_accounts(v) for v in ('budgetary', 'autonomous')}
    totals, keys = {}, set()
    for number, r in enumerate(rows, 2):
        assert r['inn'] in institutions, number
        assert r['account'] in postable[
            institutions[r['inn']]['legal_form']], (number, r['account'])
        # every account used is postable in both variants
        assert all(r['account'] in codes for codes in postable.values())
        assert r['kfo'] in {'2', '3', '4', '5'}
        for column in ['debit', 'credit']:
            assert MONEY.match(r[column]), (number, column, r[column])
        debit, credit = Decimal(r['debit']), Decimal(r['credit'])
        assert (debit > 0) != (credit > 0), number
        key = (r['inn'], r['account'], r['kfo'])
        assert key not in keys, key
        keys.add(key)
        total = totals.setdefault((r['inn'], r['kfo']), [0, 0])
        total[0] += debit
        total[1] += credit
    for (inn, kfo), (debit, credit) in totals.items():
        assert debit == credit, (inn, kfo, debit, credit)
    assert {inn for inn, _ in totals} == set(institutions)
    for inn in institutions:
        assert (inn, '4') in totals
    assert {kfo for _, kfo in totals} == {'2', '3', '4', '5'}


def test_opening_balances_year_start(batch):
    "1 January: no income or expense of the year; 1 March: both"
    starts = {r['inn']: r['start_date'] for r in batch['institutions.csv']}
    result = {}
    for r in batch['opening_balances.csv']:
        if r['account'].startswith(('401.10.', '401.20.')):
            result.setdefault(r['inn'], []).append(r['account'])
    for inn, start in starts.items():
        if start == '2026-01-01':
            assert inn not in result
        else:
            assert '401.10.131' in result[inn]
            assert '401.20.211' in result[inn]


def test_employees(batch):
    rows = batch['employees.csv']
    institutions = {r['inn']: r for r in batch['institutions.csv']}
    kfos = {}
    for r in batch['opening_balances.csv']:
        kfos.setdefault(r['inn'], set()).add(r['kfo'])
    count = {}
    numbers, snils, inns = set(), set(), set()
    for line, r in enumerate(rows, 2):
        institution = institutions[r['inn']]
        count[r['inn']] = count.get(r['inn'], 0) + 1
        key = (r['inn'], r['personnel_number'])
        assert key not in numbers, (line, key)
        numbers.add(key)
        assert re.fullmatch(r'\d{6}', r['personnel_number'])
        assert r['last_name'] and r['first_name']
        assert snils_valid(r['snils']), (line, r['snils'])
        assert r['snils'] not in snils
        snils.add(r['snils'])
        if r['employee_inn']:
            assert re.fullmatch(r'16\d{10}', r['employee_inn'])
            assert stdnum_inn.is_valid(r['employee_inn']), line
            assert r['employee_inn'] not in inns
            inns.add(r['employee_inn'])
        start = dt.date.fromisoformat(institution['start_date'])
        birth = dt.date.fromisoformat(r['birth_date'])
        hire = dt.date.fromisoformat(r['hire_date'])
        assert dt.date(1960, 1, 1) <= birth <= dt.date(2003, 12, 31)
        assert birth.year + 18 <= hire.year and hire < start, line
        assert r['position']
        assert r['category'] in CATEGORIES
        rate = Decimal(r['rate'])
        assert rate in {Decimal(v) for v in ('0.5', '1.0', '1.25', '1.5')}
        for column in ['base_salary', 'allowances', 'ytd_income',
                'ytd_deductions', 'ytd_ndfl', 'ytd_contribution_base']:
            assert MONEY.match(r[column]), (line, column, r[column])
        salary = Decimal(r['base_salary'])
        allowances = Decimal(r['allowances'])
        assert Decimal(12000) <= salary <= Decimal(45000), line
        assert 0 <= allowances <= 15000
        classes = int(r['class_management'])
        assert 0 <= classes <= 2
        if classes:
            assert institution['kind'] == 'school'
            assert r['category'] == 'teacher'
        children, disabled = int(r['children']), int(r['disabled_children'])
        assert 0 <= disabled <= children <= 4
        assert r['kfo'] in {'2', '4', '5'} and r['kfo'] in kfos[r['inn']]
        # year to date, recomputed
        months = start.month - 1
        # the top-up compares the main post (at most one rate) with МРОТ
        main = salary * min(rate, Decimal(1)) + allowances
        pay = salary * rate + allowances
        gross = (pay + max(Decimal(0), MROT * min(rate, Decimal(1)) - main)
            + 5000 * classes)
        income = deductions = Decimal(0)
        for _ in range(months):
            income += gross
            if income <= 450000:
                deductions += child_deduction(children, disabled)
        assert deductions <= income
        ndfl = ((income - deductions) * Decimal('0.13')).quantize(
            Decimal(1), ROUND_HALF_UP)
        assert Decimal(r['ytd_income']) == income, line
        assert Decimal(r['ytd_deductions']) == deductions, line
        assert Decimal(r['ytd_ndfl']) == ndfl, line
        assert r['ytd_contribution_base'] == r['ytd_income']
        if months == 0:
            assert income == deductions == ndfl == 0
    assert set(count) == set(institutions)
    assert all(40 <= n <= 90 for n in count.values()), count
    assert 2500 <= len(rows) <= 3000
    assert 0.6 <= len(inns) / len(rows) <= 0.8
    assert sum(r['patronymic'] == '' for r in rows) > 0
    assert {r['kfo'] for r in rows} == {'2', '4', '5'}
    assert {r['category'] for r in rows} == CATEGORIES


def test_salary_cards_and_sick_pay_history(batch):
    "Valid card accounts at Kazan's banks; plausible service and earnings"
    starts = {r['inn']: dt.date.fromisoformat(r['start_date'])
        for r in batch['institutions.csv']}
    accounts, banks = set(), {}
    for line, r in enumerate(batch['employees.csv'], 2):
        assert r['bank_bic'] in BANKS, line
        assert re.fullmatch(r'40817810\d{12}', r['bank_account']), line
        assert account_key_valid(r['bank_bic'], r['bank_account']), line
        assert r['bank_account'] not in accounts, line
        accounts.add(r['bank_account'])
        banks.setdefault(r['inn'], []).append(r['bank_bic'])

        start = starts[r['inn']]
        birth = dt.date.fromisoformat(r['birth_date'])
        hire = dt.date.fromisoformat(r['hire_date'])
        assert re.fullmatch(r'\d+\.\d', r['insured_years']), line
        insured = Decimal(r['insured_years'])
        age = Decimal((start - birth).days) / Decimal('365.25')
        tenure = Decimal((start - hire).days) / Decimal('365.25')
        assert tenure - Decimal('0.1') <= insured <= age - 18, line

        rate = Decimal(r['rate'])
        pay = Decimal(r['base_salary']) * rate + Decimal(r['allowances'])
        main = Decimal(r['base_salary']) * min(rate, Decimal(1)) \
            + Decimal(r['allowances'])
        gross = pay + max(Decimal(0), MROT * min(rate, Decimal(1)) - main) \
            + 5000 * int(r['class_management'])
        for column, low, high in [('earnings_prev_year', '0.9', '1.0'),
                ('earnings_prev_year2', '0.8', '0.92')]:
            assert MONEY.match(r[column]), (line, column)
            earned = Decimal(r[column])
            assert earned <= 12 * gross * Decimal(high) + 1, (line, column)
            # employed in this institution all that year
            if hire.year < start.year - (1 if column.endswith('year')
                    else 2):
                assert earned >= 12 * gross * Decimal(low) - 1, (
                    line, column)
    assert {b for bics in banks.values() for b in bics} == BANKS
    # one salary project per institution: most staff at one Kazan bank
    for inn, bics in banks.items():
        project = max(set(bics), key=bics.count)
        assert project in {'049205603', '049205805'}, inn
        assert bics.count(project) >= 0.7 * len(bics), inn


def test_directors(batch):
    "Each institution's first employee is its director, at 26,240"
    staff = {}
    for r in batch['employees.csv']:
        staff.setdefault(r['inn'], r)
    for institution in batch['institutions.csv']:
        first = staff[institution['inn']]
        name = ' '.join(p for p in (first['last_name'], first['first_name'],
                first['patronymic']) if p)
        assert name == institution['director']
        assert first['position'] in {'директор', 'заведующий'}
        assert first['base_salary'] == '26240.00'


def test_payroll_matches_ledger(batch):
    "401.20.211 of each КФО is the YTD income of the staff paid from it"
    income = {}
    for r in batch['employees.csv']:
        key = (r['inn'], r['kfo'])
        income[key] = income.get(key, 0) + Decimal(r['ytd_income'])
    ledger = {(r['inn'], r['kfo']): Decimal(r['debit'])
        for r in batch['opening_balances.csv']
        if r['account'] == '401.20.211'}
    assert ledger == {k: v for k, v in income.items() if v}


# The defective batch ------------------------------------------------------

@pytest.fixture(scope='module')
def defective():
    tables = {name: read(DEFECTIVE, name) for name in FILES}
    text = (DEFECTIVE / 'EXPECTED.md').read_text(encoding='utf-8')
    defects = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip('|').split('|')]
        if len(cells) == 6 and cells[0].endswith('.csv'):
            defects.append({'file': cells[0], 'line': int(cells[1]),
                    'column': cells[2], 'inn': cells[3],
                    'value': cells[4].strip('`'), 'problem': cells[5]})
    return tables, defects


def test_defective_regenerated_identical(tmp_path):
    sample_batch.generate_defective(tmp_path)
    for name in FILES + ['EXPECTED.md']:
        assert filecmp.cmp(tmp_path / name, DEFECTIVE / name,
            shallow=False), f'{name} differs: regenerate defective_batch'


def test_defective_expected_lines(defective):
    "Each listed defect is at its file, line and column"
    tables, defects = defective
    assert len(defects) == 7
    where = [(d['file'], d['line']) for d in defects]
    assert len(set(where)) == len(where)
    for d in defects:
        row = tables[d['file']][d['line'] - 2]
        assert row[d['column']] == d['value'], d
        assert row['inn'] == d['inn'], d


def test_defective_contents(defective):
    tables, defects = defective
    institutions = tables['institutions.csv']
    assert len(institutions) == 5
    invalid = [r['inn'] for r in institutions
        if not stdnum_inn.is_valid(r['inn'])]
    bad_inn = [d for d in defects if d['column'] == 'inn']
    assert [d['value'] for d in bad_inn] == invalid
    assert len(invalid) == 1 and len(invalid[0]) == 10
    assert [r['kind'] for r in institutions
        if r['kind'] not in EDUCATION | CULTURE] == ['college']

    # balances: exactly one unbalanced (institution, КФО), КФО 2
    totals = {}
    for r in tables['opening_balances.csv']:
        total = totals.setdefault((r['inn'], r['kfo']), [0, 0])
        total[0] += Decimal(r['debit'])
        total[1] += Decimal(r['credit'])
    unbalanced = {k: d - c for k, (d, c) in totals.items() if d != c}
    (inn, kfo), difference = unbalanced.popitem()
    assert not unbalanced and kfo == '2' and difference == 1000
    first = next(line for line, r in enumerate(
            tables['opening_balances.csv'], 2)
        if (r['inn'], r['kfo']) == (inn, kfo))
    assert {'file': 'opening_balances.csv', 'line': first, 'column': 'kfo',
        'inn': inn, 'value': '2'}.items() <= next(
            d for d in defects if d['column'] == 'kfo').items()
    postable = postable_accounts('budgetary') & postable_accounts(
        'autonomous')
    unknown = [(r['inn'], r['account']) for r in tables[
            'opening_balances.csv'] if r['account'] not in postable]
    assert unknown == [(inn, '209.99')]

    # employees: one duplicate personnel number, one bad SNILS, one -5
    employees = tables['employees.csv']
    keys = [(r['inn'], r['personnel_number']) for r in employees]
    duplicates = [(line, k) for line, k in enumerate(keys, 2)
        if k in keys[:line - 2]]
    assert len(duplicates) == 1
    line, (inn, number) = duplicates[0]
    assert {'file': 'employees.csv', 'line': line,
        'column': 'personnel_number', 'inn': inn, 'value': number} \
        .items() <= next(d for d in defects
            if d['column'] == 'personnel_number').items()
    assert [r['snils'] for r in employees if not snils_valid(r['snils'])] \
        == [d['value'] for d in defects if d['column'] == 'snils']
    negative = [r['allowances'] for r in employees
        if r['allowances'].startswith('-')]
    assert negative == ['-5']

    # the two good institutions have nothing wrong
    bad = {d['inn'] for d in defects}
    good = [r['inn'] for r in institutions if r['inn'] not in bad]
    assert len(good) == 2 and all(stdnum_inn.is_valid(i) for i in good)
