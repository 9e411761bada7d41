# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The rules of the parents' fees and of the income entries, pure.

- the charge of a month: days attended × the daily rate, less the benefit
  of the child's category (a percentage, data in fee_benefit.xml);
- the accounts of each income entry (income_entries.csv, editable data:
  several correspondences of the brief are unconfirmed);
- the payment agent's registry (this project's own layout, see
  doc/user/parents-fees.rst): read with the one table reader;
- the payload of the payment QR code of ГОСТ Р 56042-2014.
"""
import csv
import os
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

from . import table

CENT = Decimal('0.01')
HUNDRED = Decimal(100)

# -- the charge ---------------------------------------------------------------


def charge_amount(days, daily_rate, benefit_percent=0):
    """The charge for days attended at daily_rate, less benefit_percent
    (0 to 100), rounded half up to the kopeck"""
    if days < 0:
        raise ValueError(days)
    if not 0 <= benefit_percent <= 100:
        raise ValueError(benefit_percent)
    gross = Decimal(days) * Decimal(daily_rate)
    due = gross * (HUNDRED - Decimal(benefit_percent)) / HUNDRED
    return due.quantize(CENT, rounding=ROUND_HALF_UP)


# -- the entries --------------------------------------------------------------

Entry = namedtuple('Entry', [
        'operation', 'kfo', 'debit', 'debit_kosgu', 'credit',
        'credit_kosgu', 'note'])
ENTRY_COLUMNS = list(Entry._fields)
ENTRIES_PATH = os.path.join(os.path.dirname(__file__), 'income_entries.csv')


def read_entries(path=ENTRIES_PATH):
    "The entries of income_entries.csv by (operation, КФО)"
    with open(path, encoding='utf-8', newline='') as file:
        reader = csv.DictReader(file, delimiter=';')
        if reader.fieldnames != ENTRY_COLUMNS:
            raise ValueError('%s: header must be %s' % (
                    path, ';'.join(ENTRY_COLUMNS)))
        entries = {}
        for row in reader:
            if None in row or None in row.values():
                raise ValueError('%s:%d: %d columns expected' % (
                        path, reader.line_num, len(ENTRY_COLUMNS)))
            entries[row['operation'], row['kfo']] = Entry(**row)
        return entries


ENTRIES = read_entries()


def entry(operation, kfo):
    "The Entry of an operation (fee_charge, fee_receipt…) in a КФО"
    return ENTRIES[operation, kfo]


# -- the registry of the payment agent ----------------------------------------

REGISTRY_COLUMNS = ['account', 'date', 'amount', 'payment_id']

# The message of each code of the table's cell parsers and reader
REGISTRY_MESSAGES = {
    'required': 'msg_fee_registry_required',
    'invalid_number': 'msg_fee_registry_invalid_amount',
    'negative_amount': 'msg_fee_registry_invalid_amount',
    'amount_too_large': 'msg_fee_registry_invalid_amount',
    'too_many_decimals': 'msg_fee_registry_invalid_amount',
    'zero_amount': 'msg_fee_registry_invalid_amount',
    'invalid_date': 'msg_fee_registry_invalid_date',
    }

RegistryPayment = namedtuple('RegistryPayment', [
        'file', 'line', 'account', 'date', 'amount', 'payment_id'])


def _positive_amount(value):
    result = table.amount(value)
    if result <= 0:
        raise table.Invalid('zero_amount')
    return result


def read_registry(source, name=None):
    """The payments of a registry (a path, or bytes called name): return
    (payments, problems), the problems table.Problems keyed by message
    ids.  A payment id given twice in the file is kept once (the first):
    the agent may send a payment again; nothing may be written when there
    is any problem."""
    try:
        rows = table.read_table(source, REGISTRY_COLUMNS, name=name)
    except table.TableError as error:
        for problem in error.problems:
            problem.key = 'msg_fee_registry_' + problem.key
        return [], error.problems
    parsers = {
        'account': table.required(lambda v: v),
        'date': table.required(table.date),
        'amount': table.required(_positive_amount),
        'payment_id': table.required(lambda v: v),
        }
    problems, payments, seen = [], [], set()
    for row, values in table.parse_rows(rows, parsers, problems):
        if any(v is None for v in values.values()):
            continue
        if values['payment_id'] in seen:
            continue
        seen.add(values['payment_id'])
        payments.append(RegistryPayment(row.file, row.line, **values))
    for problem in problems:
        problem.key = REGISTRY_MESSAGES.get(problem.key, problem.key)
    return payments, problems


# -- the QR code of ГОСТ Р 56042-2014 -----------------------------------------

# "ST" + version 0001 + encoding 2 (UTF-8); '|' separates the fields, so
# it may not appear in a value
QR_HEADER = 'ST00012'
QR_REQUIRED = ['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc']


def qr_payload(fields):
    """The text of the payment QR code of fields, a list of (name, value):
    the required fields first, in the standard's order, then the others;
    empty values are left out, '|' is replaced by '/'"""
    fields = dict(fields)
    names = QR_REQUIRED + [n for n in fields if n not in QR_REQUIRED]
    parts = [QR_HEADER]
    for name in names:
        value = fields.get(name)
        if value in (None, ''):
            if name in QR_REQUIRED:
                raise ValueError(name)
            continue
        parts.append('%s=%s' % (name, str(value).replace('|', '/')))
    return '|'.join(parts)


def kopecks(amount):
    "An amount in rubles as the whole kopecks of the Sum field"
    return int((Decimal(amount) * HUNDRED).quantize(Decimal(1)))


def parse_qr_payload(text):
    "The fields of a payload (the inverse of qr_payload, for checks)"
    header, *parts = text.split('|')
    if header != QR_HEADER:
        raise ValueError(header)
    return dict(p.split('=', 1) for p in parts)
