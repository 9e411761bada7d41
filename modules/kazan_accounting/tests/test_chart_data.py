# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Checks of the chart of accounts data (no database).

account_chart_ru.xml is generated from chart/*.csv by chart/build_chart.py;
these tests read both the CSV files and the committed XML.
"""
import csv
import importlib.util
import os
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHART_DIR = os.path.join(MODULE_DIR, 'chart')
XML_PATH = os.path.join(MODULE_DIR, 'account_chart_ru.xml')
VARIANTS = ('budgetary', 'autonomous')

REQUIRED = [
    '101.11', '101.12', '101.13', '101.24', '101.34', '103.11', '104.12',
    '105.32', '106.31', '109.61.211', '109.61.213', '109.81.223',
    '201.11', '201.13', '201.21', '201.34', '201.35',
    '205.21', '205.31', '205.41', '205.81', '206.23', '208.12', '209.74',
    '210.06',
    '302.11', '302.12', '302.13', '302.14', '302.21', '302.22', '302.23',
    '302.24', '302.25', '302.26', '302.27', '302.31', '302.34', '302.66',
    '302.91', '302.96', '302.97',
    '303.01', '303.02', '303.04', '303.05', '303.06', '303.07', '303.10',
    '303.12', '303.13', '303.14', '303.15',
    '304.02', '304.03', '304.04', '304.06',
    '401.10.131', '401.10.152', '401.10.121', '401.20.211', '401.20.213',
    '401.20.266', '401.20.223', '401.20.272', '401.30', '401.41', '401.49',
    '401.50', '401.60',
    '502.11', '502.12', '502.17', '502.19', '504.10', '506.10', '507.10',
    '508.10',
    '01', '02', '03', '04', '07', '17', '18', '20', '21', '25', '26', '27',
    '30',
    ]
GROUPS = ['101', '201', '302', '303', '304', '401', '401.10', '401.20',
    '502', '109.61']

# The code forms of the chart: section roots (1..5, 0 = off-balance),
# synthetic account groups (101), balance accounts (201.11, 401.20.211),
# off-balance accounts (17).
SECTION = re.compile(r'^\d$')
SYNTHETIC = re.compile(r'^\d{3}$')
BALANCE = re.compile(r'^\d{3}\.\d{2}(\.\d{3})?$')
OFF_BALANCE = re.compile(r'^\d{2}$')


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        'kazan_build_chart', os.path.join(CHART_DIR, 'build_chart.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_chart = _load_builder()


def _csv(name):
    with open(os.path.join(CHART_DIR, name), encoding='utf-8-sig') as file:
        return list(csv.DictReader(file, delimiter=';'))


@pytest.fixture(scope='module')
def tree():
    return ET.parse(XML_PATH).getroot()


@pytest.fixture(scope='module')
def records(tree):
    "(model, id, {field: (text, ref, eval)}) in file order"
    result = []
    for record in tree.iter('record'):
        fields = {}
        for field in record.findall('field'):
            fields[field.get('name')] = (
                field.text, field.get('ref'), field.get('eval'))
        result.append((record.get('model'), record.get('id'), fields))
    return result


@pytest.fixture(scope='module')
def charts(records):
    """{variant: {code: {'name', 'parent' (code or None), 'type' (xml id or
    None), 'id'}}} read from the XML"""
    by_id = {r[1]: r for r in records}
    charts = {}
    for variant in VARIANTS:
        root = 'account_template_root_%s' % variant
        accounts = {}
        for model, id_, fields in records:
            if model != 'account.account.template' or id_ == root:
                continue
            if not id_.startswith('account_%s_' % variant):
                continue
            code = fields['code'][0]
            assert code not in accounts, 'duplicate %s in %s' % (
                code, variant)
            parent_id = fields['parent'][1]
            parent = (None if parent_id == root
                else by_id[parent_id][2]['code'][0])
            accounts[code] = {
                'id': id_,
                'name': fields['name'][0],
                'parent': parent,
                'type': fields['type'][1],
                }
        charts[variant] = accounts
    return charts


def test_xml_is_generated_from_csv():
    with open(XML_PATH, encoding='utf-8') as file:
        committed = file.read()
    assert committed == build_chart.build_xml(CHART_DIR), (
        'account_chart_ru.xml differs from the CSV files: run '
        'python modules/kazan_accounting/chart/build_chart.py')


def test_build_is_deterministic():
    assert build_chart.build_xml(CHART_DIR) == build_chart.build_xml(
        CHART_DIR)


def test_data_blocks_have_no_language(tree):
    assert tree.tag == 'tryton'
    blocks = tree.findall('data')
    assert blocks
    for data in blocks:
        assert 'language' not in data.attrib


def test_refs_point_backwards(records):
    "every ref names a record defined earlier in the file"
    seen = set()
    for model, id_, fields in records:
        assert id_ and id_ not in seen, 'duplicate id %s' % id_
        for name, (_, ref, _) in fields.items():
            if ref is not None:
                assert ref in seen, '%s.%s refs %s before it exists' % (
                    id_, name, ref)
        seen.add(id_)


def test_roots(records):
    by_id = {r[1]: r for r in records}
    for variant, name in [
            ('budgetary', 'План счетов бюджетного учреждения (174н)'),
            ('autonomous', 'План счетов автономного учреждения (183н)')]:
        model, _, fields = by_id['account_template_root_%s' % variant]
        assert model == 'account.account.template'
        assert fields['name'][0] == name
        assert 'code' not in fields and 'parent' not in fields
        assert fields['type'][1] == 'type_root'
    model, _, fields = by_id['type_root']
    assert model == 'account.account.type.template'
    assert 'parent' not in fields


def test_account_ids(charts):
    for variant, accounts in charts.items():
        for code, account in accounts.items():
            assert account['id'] == 'account_%s_%s' % (
                variant, code.replace('.', '_'))


def test_code_forms(charts):
    for variant, accounts in charts.items():
        for code, account in accounts.items():
            parent = account['parent']
            if SECTION.match(code):
                assert parent is None, code
            elif SYNTHETIC.match(code):
                assert SECTION.match(parent) and parent == code[0], code
            elif BALANCE.match(code):
                if len(code) == 10:  # 401.20.211 under 401.20
                    assert parent == code[:6], code
                else:  # 101.11 under 101.10, 101.10 or 303.01 under 101/303
                    assert parent in {code[:3], code[:5] + '0'}, code
                    assert parent != code, code
            elif OFF_BALANCE.match(code):
                assert parent == '0', code
            else:
                pytest.fail('%s: unexpected code form %r' % (variant, code))


def test_parents_exist_and_come_first(records, charts):
    position = {r[1]: i for i, r in enumerate(records)}
    for variant, accounts in charts.items():
        for code, account in accounts.items():
            if account['parent'] is None:
                continue
            assert account['parent'] in accounts, code
            parent = accounts[account['parent']]
            assert position[parent['id']] < position[account['id']], code


def test_required_accounts(charts):
    for variant, accounts in charts.items():
        missing = [c for c in REQUIRED if c not in accounts]
        assert not missing, '%s lacks %s' % (variant, missing)
        for code in REQUIRED:
            assert accounts[code]['type'], '%s %s is not postable' % (
                variant, code)
        for code in GROUPS:
            assert code in accounts and accounts[code]['type'] is None, (
                '%s %s must be a group' % (variant, code))


def test_groups_untyped_leaves_typed(charts):
    for variant, accounts in charts.items():
        parents = {a['parent'] for a in accounts.values()}
        for code, account in accounts.items():
            if code in parents:
                assert account['type'] is None, (variant, code)
            else:
                assert account['type'], (variant, code)


def test_kosgu_children(charts):
    kosgu = _csv('kosgu.csv')
    income = {k['code']: k['name'] for k in kosgu if k['kind'] == 'income'}
    expense = {k['code']: k['name'] for k in kosgu if k['kind'] == 'expense'}
    costs = {k['code'] for k in kosgu if k['costs'] == '1'}
    assert {'121', '131', '134', '135', '141', '152', '155', '162', '172',
        '189', '195'} <= set(income)
    assert {'211', '212', '213', '214', '221', '222', '223', '224', '225',
        '226', '227', '228', '266', '271', '272', '291', '292', '293', '295',
        '296', '297'} <= set(expense)
    assert {'211', '213', '223', '271', '272'} <= costs <= set(expense)
    for variant, accounts in charts.items():
        for parent, codes, type_ in [
                ('401.10', income, 'type_result_income'),
                ('401.20', expense, 'type_result_expense')] + [
                (p, {c: expense[c] for c in costs},
                    'type_nfa_production_costs')
                for p in ['109.61', '109.71', '109.81', '109.91']]:
            children = {c[len(parent) + 1:]: a
                for c, a in accounts.items() if a['parent'] == parent}
            assert set(children) == set(codes), (variant, parent)
            for code, account in children.items():
                assert account['name'] == codes[code]
                assert account['type'] == type_, (variant, parent, code)


def test_types_match_sections(charts, records):
    types = {r[1]: r[2] for r in records
        if r[0] == 'account.account.type.template'}

    def statement(type_id):
        text, _, eval_ = types[type_id]['statement']
        return text if eval_ is None else None

    for variant, accounts in charts.items():
        for code, account in accounts.items():
            if not account['type']:
                continue
            section = code[0] if len(code) > 2 else '0'
            if section in {'5', '0'}:
                assert statement(account['type']) == 'off-balance', code
            else:
                assert statement(account['type']) in {
                    'balance', 'income'}, code
    assert statement('type_result_income') == 'income'
    assert statement('type_result_expense') == 'income'
    assert types['type_result_income']['revenue'][2] == 'True'
    assert types['type_result_expense']['expense'][2] == 'True'


def test_type_line_codes():
    rows = _csv('types.csv')
    codes = [r['line_code'] for r in rows if r['line_code']]
    assert len(codes) == len(set(codes))
    assert all(re.match(r'^\d{3}$', c) for c in codes)
    by_code = {r['line_code']: r['id'] for r in rows}
    assert by_code['190'] == 'nfa' and by_code['340'] == 'fa'
    assert by_code['550'] == 'liab' and by_code['570'] == 'result'


def test_size(charts):
    for variant, accounts in charts.items():
        assert 250 <= len(accounts) <= 600, len(accounts)


def _copy_chart(tmp_path):
    for name in ['types.csv', 'accounts.csv', 'kosgu.csv']:
        shutil.copy(os.path.join(CHART_DIR, name), tmp_path / name)
    return tmp_path


def _append(path, line):
    with open(path, 'a', encoding='utf-8') as file:
        file.write(line + '\n')


@pytest.mark.parametrize('file_name,line,message', [
        ('accounts.csv', '999.99;X;999;nfa_fixed;both;;', 'parent'),
        ('accounts.csv', '201.99;X;201;;both;;', 'needs a type'),
        ('accounts.csv', '201.11;X;201.10;fa_cash_bank;both;;', 'duplicate'),
        ('accounts.csv', '201.98;X;201.10;nope;both;;', 'unknown type'),
        ('accounts.csv', '201.97;X;201.10;fa_cash_bank;federal;;',
            'variant'),
        ('accounts.csv', '401.10.131;X;401;result_income;both;;',
            'generated'),
        ('accounts.csv', '401.20.999;X;401.20;result_expense;both;;',
            'children must have neither'),
        ('types.csv', 'bad;offbal;10;X;balance;;;;;;;', 'statement'),
        ('types.csv', 'bad2;root;10;X;off-balance;True;;;;;;', 'assets'),
        ('types.csv', 'bad3;fa;10;X;balance;True;;;;safe;;', 'cash_kind'),
        ('types.csv', 'bad4;fa;10;X;balance;True;;;;;True;', 'payable'),
        ('types.csv', 'bad5;liab;10;X;balance;;;;;;;True', 'purchase'),
        ('reconcile.csv', '302.11;yes;X', 'party'),
        ('kosgu.csv', '131;income;Дубль;', 'duplicate'),
        ])
def test_generator_rejects_bad_data(tmp_path, file_name, line, message):
    chart_dir = _copy_chart(tmp_path)
    build_chart.build_xml(str(chart_dir))
    _append(chart_dir / file_name, line)
    with pytest.raises(build_chart.ChartError, match=message):
        build_chart.build_xml(str(chart_dir))


def test_variant_specific_account(tmp_path):
    chart_dir = _copy_chart(tmp_path)
    _append(chart_dir / 'accounts.csv',
        '201.27;Денежные средства в иностранной валюте;201.20;fa_cash_bank;'
        'autonomous;;')
    xml = build_chart.build_xml(str(chart_dir))
    assert 'id="account_autonomous_201_27"' in xml
    assert 'id="account_budgetary_201_27"' not in xml
