# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The identifier rules of the brief §8, on values checked by hand."""
import pytest

from trytond.modules.kazan_accounting import identifiers as ids


@pytest.mark.parametrize('value', [
        '1655191213',  # ГАУ "ИТ-парк", Kazan
        '1650081400', '1654002946', '1626007212',
        ])
def test_organisation_inn_valid(value):
    assert ids.organisation_inn(value) == value


@pytest.mark.parametrize('value', [
        '1655191214',  # check digit off by one
        '165519121',   # 9 digits
        '244316923490',  # a person's INN
        '16551912AB', '',
        ])
def test_organisation_inn_invalid(value):
    with pytest.raises(ids.InvalidIdentifier) as info:
        ids.organisation_inn(value)
    assert info.value.key == 'inn'


def test_organisation_inn_check_digit_by_hand():
    # 1655191213: weights 2,4,10,3,5,9,4,6,8 over 165519121
    # 2+24+50+15+5+81+4+12+8 = 201; 201 mod 11 = 3; 3 mod 10 = 3
    assert ids.organisation_inn('1655191213')
    for digit in '012456789':
        with pytest.raises(ids.InvalidIdentifier):
            ids.organisation_inn('165519121' + digit)


def test_personal_inn():
    assert ids.personal_inn('244316923490') == '244316923490'
    with pytest.raises(ids.InvalidIdentifier) as info:
        ids.personal_inn('244316923491')
    assert info.value.key == 'personal_inn'
    with pytest.raises(ids.InvalidIdentifier):
        ids.personal_inn('1655191213')


def test_ogrn():
    # 110169001876 mod 11 = 0 -> check digit 0
    assert ids.ogrn('1101690018760') == '1101690018760'
    assert ids.ogrn('1087746277740')
    for value in ['1101690018761', '110169001876', '320246800081987']:
        with pytest.raises(ids.InvalidIdentifier) as info:
            ids.ogrn(value)
        assert info.value.key == 'ogrn'


@pytest.mark.parametrize('value, valid', [
        ('165501001', True),
        ('1655AB001', True),
        ('16550100', False),
        ('1655010011', False),
        ('16550100a', False),
        ])
def test_kpp(value, valid):
    if valid:
        assert ids.kpp(value) == value
    else:
        with pytest.raises(ids.InvalidIdentifier):
            ids.kpp(value)


@pytest.mark.parametrize('value, valid', [
        ('92701000', True),
        ('92701000001', True),
        ('9270100', False),
        ('927010001', False),
        ('9270100a', False),
        ])
def test_oktmo(value, valid):
    if valid:
        assert ids.oktmo(value) == value
    else:
        with pytest.raises(ids.InvalidIdentifier):
            ids.oktmo(value)


def test_snils():
    # 112-233-445 95: 1*9+1*8+2*7+2*6+3*5+3*4+4*3+4*2+5*1 = 95
    assert ids.snils('112-233-445 95') == '11223344595'
    with pytest.raises(ids.InvalidIdentifier) as info:
        ids.snils('112-233-445 96')
    assert info.value.key == 'snils'
    # numbers up to 001-001-998 carry no checksum
    assert ids.snils('001-001-998 00')
    with pytest.raises(ids.InvalidIdentifier):
        ids.snils('112-233-445')


def test_snils_checksum_rules():
    # 009-009-999: 9*7 + 9*4 + 9*3 + 9*2 + 9*1 = 153 > 101, 153 mod 101 = 52
    assert ids.snils('009009999 52')
    # 033-333-221: 3*8 + 3*7 + 3*6 + 3*5 + 3*4 + 2*3 + 2*2 + 1*1 = 101 -> 00
    assert ids.snils('033333221 00')
    with pytest.raises(ids.InvalidIdentifier):
        ids.snils('033333221 01')


@pytest.mark.parametrize('value, valid', [
        ('049205603', True),  # Отделение «Банк Татарстан» № 8610 ПАО Сбербанк
        ('049205805', True),  # ПАО «АК БАРС» БАНК
        ('044525225', True),  # ПАО Сбербанк, Moscow
        ('04920560', False),
        ('0492056030', False),
        ('019205400', False),  # a treasury БИК: no card account there
        ('04920560a', False),
        ])
def test_bic(value, valid):
    if valid:
        assert ids.bic(value) == value
    else:
        with pytest.raises(ids.InvalidIdentifier) as info:
            ids.bic(value)
        assert info.value.key == 'bic'


def test_bank_account_control_key_by_hand():
    # The example of the Bank of Russia's «Порядок расчета контрольного
    # ключа» N 515: account 40602810K00000000025 at БИК 049805746.
    # 746 + the account with K = 0, weights 7,1,3,...: the last digits of
    # the products add up to 59; 9 * 3 = 27, so the key is 7.
    assert ids.bank_account('40602810700000000025', '049805746') \
        == '40602810700000000025'
    for key in '012345689':
        with pytest.raises(ids.InvalidIdentifier) as info:
            ids.bank_account(f'40602810{key}00000000025', '049805746')
        assert info.value.key == 'bank_account_key'


def test_bank_account():
    # 603 + 40817810K62000012345 with K = 0, weights 7,1,3: the last
    # digits of the products add up to 83; 3 * 3 = 9, so the key is 9
    # (spaces are allowed)
    assert ids.bank_account('4081 7810 9620 0001 2345', '049205603') \
        == '40817810962000012345'
    # two digits swapped: the key no longer matches
    with pytest.raises(ids.InvalidIdentifier) as info:
        ids.bank_account('40817810962000012354', '049205603')
    assert info.value.key == 'bank_account_key'
    # without a БИК, only the format
    assert ids.bank_account('40817810062000012345') == '40817810062000012345'
    for value in ['4081781026200001234', '408178102620000123456',
            '4081781026200001234a', '']:
        with pytest.raises(ids.InvalidIdentifier) as info:
            ids.bank_account(value, '049205603')
        assert info.value.key == 'bank_account'
    with pytest.raises(ids.InvalidIdentifier) as info:
        ids.bank_account('40817810962000012345', '0492056')
    assert info.value.key == 'bic'


@pytest.mark.parametrize('validator, value', [
        (ids.organisation_inn, '\uff11\uff16\uff15\uff15012344'),
        (ids.personal_inn, '24431692349\uff10'),
        (ids.ogrn, '102160123456\uff16'),
        (ids.kpp, '\uff11\uff16\uff15\uff15\uff10\uff11001'),
        (ids.oktmo, '9270100\uff10'),
        (ids.snils, '112-233-445 9\uff15'),
        (ids.bic, '04920560\uff13'),
        (ids.bank_account, '4081781096200001234\uff15'),
        ])
def test_full_width_digits_refused(validator, value):
    "Digits are ASCII: others would be stored as typed, and never match"
    with pytest.raises(ids.InvalidIdentifier):
        validator(value)
