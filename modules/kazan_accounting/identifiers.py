# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Validators of Russian identifiers (domain brief §8).

Pure functions, no Tryton: the module, the onboarding pipeline and the unit
tests share them.  INN and OGRN check digits come from python-stdnum, which
already implements (and tests) the official algorithms; the rest are format
rules.  Each validator returns the compacted value or raises ValueError with
a message key (see message.xml: ``msg_invalid_<key>``).
"""
import itertools
import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from .exceptions import InvalidIdentifier

__all__ = ['InvalidIdentifier', 'organisation_inn', 'personal_inn', 'kpp',
    'ogrn', 'oktmo', 'snils', 'snils_check_digits', 'bic', 'bank_account',
    'invalid_fields']


def _digits(value):
    return re.sub(r'[\s-]', '', value or '')


def _is_digits(value):
    """ASCII digits only: str.isdigit() and python-stdnum also take
    full-width and other scripts' digits, which would be stored as typed"""
    return bool(re.fullmatch(r'[0-9]+', value))


def organisation_inn(value):
    "ИНН of an organisation: 10 digits with a valid check digit"
    value = _digits(value)
    if not _is_digits(value) or len(value) != 10:
        raise InvalidIdentifier('inn', value)
    try:
        return stdnum_inn.validate(value)
    except stdnum_exceptions.ValidationError:
        raise InvalidIdentifier('inn', value)


def personal_inn(value):
    "ИНН of a person: 12 digits with two valid check digits"
    value = _digits(value)
    if not _is_digits(value) or len(value) != 12:
        raise InvalidIdentifier('personal_inn', value)
    try:
        return stdnum_inn.validate(value)
    except stdnum_exceptions.ValidationError:
        raise InvalidIdentifier('personal_inn', value)


_KPP = re.compile(r'^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$')


def kpp(value):
    "КПП: 9 characters, tax office (4 digits) + reason (2) + number (3)"
    value = _digits(value).upper()
    if not _KPP.match(value):
        raise InvalidIdentifier('kpp', value)
    return value


def ogrn(value):
    "ОГРН of a legal entity: 13 digits with a valid check digit"
    value = _digits(value)
    if not _is_digits(value) or len(value) != 13:
        raise InvalidIdentifier('ogrn', value)
    try:
        return stdnum_ogrn.validate(value)
    except stdnum_exceptions.ValidationError:
        raise InvalidIdentifier('ogrn', value)


def oktmo(value):
    "ОКТМО: 8 or 11 digits (no check digit)"
    value = _digits(value)
    if not _is_digits(value) or len(value) not in {8, 11}:
        raise InvalidIdentifier('oktmo', value)
    return value


def snils_check_digits(number):
    """The two check digits of a СНИЛС whose first nine digits are number.

    The sum of each of the nine digits times its weight (9 down to 1)
    gives the checksum: below 100 as is, 100 or 101 give 00, above 101 the
    sum modulo 101 (100 again giving 00).
    """
    total = sum(int(d) * w for d, w in zip(number, range(9, 0, -1)))
    if total > 101:
        total %= 101
    if total in {100, 101}:
        total = 0
    return f'{total:02d}'


def snils(value):
    """СНИЛС: 11 digits; the last two are a checksum of the first nine
    (snils_check_digits).  Numbers up to 001-001-998 were issued before
    the checksum and are not checked.
    """
    value = _digits(value)
    if not _is_digits(value) or len(value) != 11:
        raise InvalidIdentifier('snils', value)
    number = value[:9]
    if int(number) > 1001998 and snils_check_digits(number) != value[9:]:
        raise InvalidIdentifier('snils', value)
    return value


def bic(value):
    "БИК of a bank in Russia: 9 digits beginning with 04 (the country)"
    value = _digits(value)
    if (not _is_digits(value) or len(value) != 9
            or not value.startswith('04')):
        raise InvalidIdentifier('bic', value)
    return value


def bank_account(value, bic_value=None):
    """Account at a credit institution: 20 digits, the 9th a control key.

    The key follows the Bank of Russia's «Порядок расчета контрольного
    ключа в номере лицевого счета» (N 515, 1997) for an account held by a
    credit institution: the last three digits of its БИК, then the 20
    digits of the account, weighted 7, 1, 3, 7, 1, 3 ..., must sum to a
    multiple of 10.  Without bic_value only the format is checked; with it
    a wrong key raises the key 'bank_account_key' (and an invalid БИК
    'bic').
    """
    value = _digits(value)
    if not _is_digits(value) or len(value) != 20:
        raise InvalidIdentifier('bank_account', value)
    if bic_value is not None:
        digits = bic(bic_value)[-3:] + value
        total = sum(int(d) * w
            for d, w in zip(digits, itertools.cycle((7, 1, 3))))
        if total % 10:
            raise InvalidIdentifier('bank_account_key', value)
    return value


def invalid_fields(records, validators, field_names=None):
    """Yield (record, field name, value) for each identifier field of the
    records (validators: (field name, validator) pairs, restricted to
    field_names when given) that holds an invalid value"""
    validators = [(n, v) for n, v in validators
        if field_names is None or n in field_names]
    for record in records:
        for name, validator in validators:
            value = getattr(record, name)
            if not value:
                continue
            try:
                validator(value)
            except InvalidIdentifier:
                yield record, name, value
