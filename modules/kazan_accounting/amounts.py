# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Numbers as an accountant writes them in a table, and how large they may be.

Pure functions, no Tryton: the plan import and the onboarding pipeline
(kazan.onboard) share them, so that both tables accept the same numbers.

A number is what a person types or an old Russian system exports: ASCII
digits, a leading minus, one decimal separator (comma or point) and,
optionally, spaces between groups of three digits (the ordinary space, the
no-break space U+00A0 or the narrow no-break space U+202F, which
spreadsheets put there).  Anything else is refused rather than guessed:
``1e5`` (Python's Decimal reads it as 100000), full-width or other
non-ASCII digits, ``1.234,56``, ``+5``, ``Infinity``.
"""
import re
import sys
from decimal import Decimal

from .exceptions import InvalidNumber

__all__ = ['InvalidNumber', 'parse_number', 'integer_digits',
    'MONEY_DIGITS', 'within_digits', 'exact_sum_digits', 'storable_digits']

# What a ledger amount may hold when its field takes its digits from the
# currency (account.move.line debit/credit: (None, 2), no bound of the
# integer part): the precision of the modules' own money fields (plan
# lines, payroll), Numeric(digits=(16, 2))
MONEY_DIGITS = (16, 2)

_SPACES = ' \u00a0\u202f'
_NO_SPACES = str.maketrans('', '', _SPACES)
_NUMBER = re.compile(
    r'(?P<minus>-?)'
    r'(?P<integer>[0-9]{1,3}(?:[' + _SPACES + r'][0-9]{3})+|[0-9]+)'
    r'(?:[.,](?P<fraction>[0-9]+))?')


def parse_number(value, negative=True):
    """The Decimal a table's cell holds; raise InvalidNumber.

    >>> parse_number('1 234 567,89')
    Decimal('1234567.89')
    """
    match = _NUMBER.fullmatch(value or '')
    if not match:
        raise InvalidNumber('invalid', value)
    if match['minus'] and not negative:
        raise InvalidNumber('negative', value)
    integer = match['integer'].translate(_NO_SPACES)
    fraction = match['fraction']
    return Decimal(match['minus'] + integer
        + ('.' + fraction if fraction is not None else ''))


def integer_digits(digits):
    """The digits of a Numeric field's integer part: digits=(16, 2) -> 16,
    a bound that the field leaves open (None, 2) -> MONEY_DIGITS' 16"""
    if digits and digits[0] is not None:
        return digits[0]
    return MONEY_DIGITS[0]


def within_digits(value, digits):
    "Whether value has at most digits digits before the decimal point"
    # adjusted(): the exponent of the first significant digit
    return not value or value.adjusted() < digits


def exact_sum_digits(backend_name, decimals=MONEY_DIGITS[1]):
    """The integer digits a sum of amounts keeps exact in the database, or
    None when it keeps any (PostgreSQL's numeric).  SQLite adds the stored
    decimals as binary floating point: 15 significant digits
    (sys.float_info.dig), of which ``decimals`` are kopecks."""
    if backend_name == 'sqlite':
        return sys.float_info.dig - decimals
    return None


def storable_digits(digits, backend_name):
    """The integer digits an amount written to a Numeric field of these
    digits may have in this database: the field's (a field name such as
    'currency' leaves them open), and on SQLite no more than its sums keep
    exact"""
    digits = integer_digits(None if isinstance(digits, str) else digits)
    exact = exact_sum_digits(backend_name)
    return min(digits, exact) if exact else digits
