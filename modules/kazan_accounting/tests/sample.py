# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Made-up institutions with valid identifiers, for the tests and the
benchmarks.

The numbers are made up; their check digits are python-stdnum's.
"""
from decimal import Decimal

from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn


def organisation_inn(number, tax_office='1655'):
    "A valid 10-digit INN: tax office (4), 5 digits of number, check digit"
    base = f'{tax_office}{number % 100000:05d}'
    return base + stdnum_inn.calc_company_check_digit(base)


def ogrn(number, year='02', region='16'):
    "A valid 13-digit OGRN of a legal entity"
    base = f'1{year}{region}{number % 10000000:07d}'
    # calc_check_digit reads the number with a placeholder check digit
    return base + stdnum_ogrn.calc_check_digit(base + '0')


def opening_balance(scale=1):
    """A balanced opening balance (per КФО) of a typical school: buildings
    and their depreciation, equipment, stock, cash, payables and the
    result of past years"""
    lines = [
        ('101.12', '4', 5_000_000, 0), ('104.12', '4', 0, 1_000_000),
        ('101.24', '4', 800_000, 0), ('104.24', '4', 0, 300_000),
        ('101.36', '4', 400_000, 0), ('104.36', '4', 0, 150_000),
        ('105.36', '4', 60_000, 0), ('201.11', '4', 350_000, 0),
        ('302.11', '4', 0, 280_000), ('303.01', '4', 0, 36_400),
        ('303.15', '4', 0, 84_000), ('303.06', '4', 0, 560),
        ('401.30', '4', 0, 4_759_040),
        ('201.11', '2', 120_000, 0), ('205.31', '2', 15_000, 0),
        ('401.30', '2', 0, 135_000),
        ('201.11', '5', 40_000, 0), ('401.30', '5', 0, 40_000),
        ]
    return [{'account': account, 'kfo': kfo,
            'debit': Decimal(debit * scale), 'credit': Decimal(credit * scale)}
        for account, kfo, debit, credit in lines]


def institution(number, start_date, legal_form='budgetary'):
    "The values of a sample school for Company.setup_institutions"
    inn = organisation_inn(number)
    return {
        'name': f'МБОУ "Школа №{number}"',
        'full_name': f'Муниципальное бюджетное общеобразовательное '
        f'учреждение "Средняя общеобразовательная школа №{number}"',
        'inn': inn, 'kpp': inn[:4] + '01001', 'ogrn': ogrn(number),
        'oktmo': '92701000', 'institution_kind': 'school',
        'legal_form': legal_form, 'founder': 'education',
        'district': 'Советский', 'director': f'Директор школы №{number}',
        'accident_rate': Decimal('0.2'), 'service_start_date': start_date,
        'default_kfo': '4', 'personal_accounts': [f'ЛБВ308{number:05d}'],
        'opening_balance': opening_balance(),
        }


def with_parties(lines):
    """The values of move lines, the accounts settled by supplier (party
    required: 302.2x, 302.3x) given the unnamed counterparty of the
    opening balances"""
    from trytond.pool import Pool
    pool = Pool()
    Account = pool.get('account.account')
    ModelData = pool.get('ir.model.data')
    unnamed = ModelData.get_id('kazan_accounting', 'party_opening_balance')
    required = {a.id for a in Account.browse(list({l['account']
                    for l in lines})) if a.party_required}
    return [dict(l, party=unnamed) if l['account'] in required else l
        for l in lines]
