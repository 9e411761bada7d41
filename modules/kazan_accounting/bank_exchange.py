# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Bank and treasury statement files (interfaces.md §5), read into plain
data: no database, no Tryton.

Two layouts:

- **1CClientBankExchange** 1.02/1.03 (brief §7.1): ``Key=Value`` lines,
  ``СекцияРасчСчет`` … ``КонецРасчСчет`` per account and period,
  ``СекцияДокумент=…`` … ``КонецДокумента`` per document, ``КонецФайла``
  at the end; the encoding named by ``Кодировка=Windows`` (cp1251, the
  default) or ``Кодировка=DOS`` (cp866), or UTF-8 with a BOM.  Besides the
  standard keys a document may carry ``КОСГУ`` and ``КВР`` (the finance
  body's systems add them; 1C ignores unknown keys);
- **CSV** (``;``, UTF-8 or Windows-1251): the header
  ``account;date;number;direction;amount;counterparty_inn;counterparty_kpp;
  counterparty_name;counterparty_account;kbk;kosgu;kvr;purpose``, one row
  per document (``direction`` ``in`` or ``out``), and for each account and
  day range one row ``balance;account;date_from;date_to;opening;total_in;
  total_out;closing`` anywhere in the file (``balance`` in the first
  column, then the seven fields of the contract's balance row).

``read(name, data)`` returns ([Statement], [Problem]).  A statement that
does not add up (opening + in − out ≠ closing, or its documents not adding
up to its totals) is returned with its problems; the file's own problems
(not a statement file, a wrong encoding, a truncated file, a document
without its end marker) make it unusable as a whole.
"""
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .table import Problem

MARKER = '1CClientBankExchange'
ENCODINGS = {'windows': 'cp1251', 'dos': 'cp866'}
CSV_COLUMNS = ['account', 'date', 'number', 'direction', 'amount',
    'counterparty_inn', 'counterparty_kpp', 'counterparty_name',
    'counterparty_account', 'kbk', 'kosgu', 'kvr', 'purpose']
BALANCE_COLUMNS = ['account', 'date_from', 'date_to', 'opening', 'total_in',
    'total_out', 'closing']
ZERO = Decimal(0)


@dataclass
class Document:
    "One payment document of a statement: a statement line to be"
    file: str
    line: int
    account: str  # the institution's account the statement is of
    date: dt.date
    number: str
    direction: str  # 'in' or 'out'
    amount: Decimal  # positive
    inn: str = ''  # the counterparty's
    kpp: str = ''
    name: str = ''
    counterparty_account: str = ''
    kbk: str = ''
    kosgu: str = ''
    kvr: str = ''
    purpose: str = ''

    def key(self):
        "What makes it the same document (interfaces.md §5)"
        return '|'.join([self.account, self.date.isoformat(), self.number,
                f'{self.amount:.2f}', self.direction, self.inn])

    @property
    def signed(self):
        "The amount as the cash account moves: + in, − out"
        return self.amount if self.direction == 'in' else -self.amount


@dataclass
class Statement:
    "The documents of one account over one period, with its balances"
    file: str
    line: int
    account: str
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    total_in: Decimal
    total_out: Decimal
    closing: Decimal
    documents: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def check(self):
        """The statement's own arithmetic: problems of its totals"""
        problems = []
        if self.opening + self.total_in - self.total_out != self.closing:
            problems.append(self._problem('statement_balance_mismatch',
                    expected=self.opening + self.total_in - self.total_out,
                    closing=self.closing))
        for direction, total in [('in', self.total_in),
                ('out', self.total_out)]:
            found = sum((d.amount for d in self.documents
                    if d.direction == direction), ZERO)
            if found != total:
                problems.append(self._problem(
                        f'statement_total_{direction}_mismatch',
                        total=total, documents=found))
        return problems

    def _problem(self, key, **params):
        return Problem(key, self.file, self.line, value=self.account,
            params={'account': self.account, **params})


class _Unusable(Exception):
    "The file cannot be read as a statement file at all"

    def __init__(self, key, line=None, **params):
        super().__init__(key)
        self.key, self.line, self.params = key, line, params


def read(name, data):
    """([Statement], [Problem]) of the file's bytes: the statements in the
    order of the file, each with the problems of its own arithmetic; the
    problems of a file that cannot be used (then no statement)"""
    try:
        if _is_1c(data):
            statements = _read_1c(name, _decode_1c(data))
        else:
            statements = _read_csv(name, _decode_csv(data))
    except _Unusable as error:
        return [], [Problem(error.key, name, error.line, params=error.params)]
    for statement in statements:
        statement.problems.extend(statement.check())
    return statements, []


# -- 1CClientBankExchange -----------------------------------------------------

def _is_1c(data):
    head = data[:64].lstrip(b'\xef\xbb\xbf').lstrip()
    return head.startswith(MARKER.encode('ascii'))


def _decode_1c(data):
    "The text of a 1C file in the encoding it names"
    if data.startswith(b'\xef\xbb\xbf'):
        return _decoded(data[3:], 'utf-8')
    encoding = 'cp1251'
    # the key is Cyrillic: find it in either single-byte encoding
    for candidate in ('cp1251', 'cp866'):
        key = 'Кодировка='.encode(candidate)
        start = data.find(key)
        if start >= 0:
            end = data.find(b'\n', start)
            value = data[start + len(key):end if end >= 0 else None]
            value = value.strip().decode('ascii', 'replace').lower()
            encoding = ENCODINGS.get(value)
            if encoding is None:
                raise _Unusable('bank_file_unknown_encoding',
                    data[:start].count(b'\n') + 1, encoding=value)
            break
    if encoding == 'cp1251' and _is_utf8_text(data):
        # a UTF-8 file without its BOM read as Windows-1251: mojibake
        raise _Unusable('bank_file_wrong_encoding', encoding='Windows-1251')
    return _decoded(data, encoding)


def _is_utf8_text(data):
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        return False
    return any(ord(c) > 127 for c in text)


def _decoded(data, encoding):
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _Unusable('bank_file_wrong_encoding',
            data[:error.start].count(b'\n') + 1, encoding=encoding)


def _read_1c(name, text):
    lines = text.splitlines()
    statements, documents = [], []
    section = None  # (kind, first line number, {key: value})
    ended = False
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or number == 1:
            continue
        key, _, value = line.partition('=')
        key, value = key.strip(), value.strip()
        if key == 'КонецФайла':
            if section:
                raise _unended(section)
            ended = True
            break
        if key in ('СекцияРасчСчет', 'СекцияДокумент'):
            if section:
                raise _unended(section)
            section = (key, number, {})
        elif key == 'КонецРасчСчет':
            if not section or section[0] != 'СекцияРасчСчет':
                raise _Unusable('bank_file_unexpected', number, key=key)
            statements.append(_balance_1c(name, *section[1:]))
            section = None
        elif key == 'КонецДокумента':
            if not section or section[0] != 'СекцияДокумент':
                raise _Unusable('bank_file_unexpected', number, key=key)
            documents.append(section[1:])
            section = None
        elif section:
            section[2][key] = value
    if section:
        raise _unended(section)
    if not ended:
        raise _Unusable('bank_file_truncated', len(lines))
    by_account = {}
    for statement in statements:
        by_account.setdefault(statement.account, []).append(statement)
    for number, values in documents:
        _place_1c(name, number, values, by_account)
    return statements


def _unended(section):
    kind, number, _ = section
    key = ('bank_file_document_unended' if kind == 'СекцияДокумент'
        else 'bank_file_balance_unended')
    return _Unusable(key, number)


def _balance_1c(name, number, values):
    def get(key, parse):
        return _parse(parse, values.get(key, ''), number, key)
    return Statement(name, number, get('РасчСчет', _account),
        get('ДатаНачала', _date_1c), get('ДатаКонца', _date_1c),
        get('НачальныйОстаток', _amount), get('ВсегоПоступило', _amount),
        get('ВсегоСписано', _amount), get('КонечныйОстаток', _amount))


def _place_1c(name, number, values, by_account):
    "Add the document to the statement of its account and date"
    payer = values.get('ПлательщикСчет') or values.get('ПлательщикРасчСчет')
    payee = values.get('ПолучательСчет') or values.get('ПолучательРасчСчет')
    if payer in by_account:
        account, direction, other = payer, 'out', 'Получатель'
        date_key = 'ДатаСписано'
    elif payee in by_account:
        account, direction, other = payee, 'in', 'Плательщик'
        date_key = 'ДатаПоступило'
    else:
        raise _Unusable('bank_file_document_account', number,
            payer=payer or '', payee=payee or '')
    date = _parse(_date_1c, values.get(date_key) or values.get('Дата', ''),
        number, date_key)
    purpose = values.get('НазначениеПлатежа') or ' '.join(
        values[k] for k in sorted(values)
        if k.startswith('НазначениеПлатежа') and values[k])
    document = Document(name, number, account, date,
        values.get('Номер', ''), direction,
        _parse(_amount, values.get('Сумма', ''), number, 'Сумма'),
        inn=values.get(other + 'ИНН', ''), kpp=values.get(other + 'КПП', ''),
        name=values.get(other) or values.get(other + '1', ''),
        counterparty_account=(values.get(other + 'Счет')
            or values.get(other + 'РасчСчет', '')),
        kbk=values.get('ПоказательКБК', ''), kosgu=values.get('КОСГУ', ''),
        kvr=values.get('КВР', ''), purpose=purpose)
    _statement_of(by_account[account], document).documents.append(document)


def _statement_of(statements, document):
    for statement in statements:
        if statement.date_from <= document.date <= statement.date_to:
            return statement
    raise _Unusable('bank_file_document_outside', document.line,
        account=document.account, date=document.date)


def _date_1c(value):
    return dt.datetime.strptime(value, '%d.%m.%Y').date()


# -- CSV ----------------------------------------------------------------------

def _decode_csv(data):
    if data.startswith(b'\xef\xbb\xbf'):
        return _decoded(data[3:], 'utf-8')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return _decoded(data, 'cp1251')


def _read_csv(name, text):
    rows = csv.reader(io.StringIO(text, newline=''), delimiter=';')
    statements, documents = [], []
    header = None
    for number, row in enumerate(rows, 1):
        row = [c.strip() for c in row]
        if not any(row):
            continue
        if header is None:
            if [c.lower() for c in row] != CSV_COLUMNS:
                raise _Unusable('bank_file_not_statement', number)
            header = row
            continue
        if row[0].lower() == 'balance':
            if len(row) != len(BALANCE_COLUMNS) + 1:
                raise _Unusable('bank_file_row_width', number,
                    expected=len(BALANCE_COLUMNS) + 1, found=len(row))
            values = dict(zip(BALANCE_COLUMNS, row[1:]))
            statements.append(Statement(name, number,
                    *(_parse(parse, values[c], number, c)
                        for c, parse in zip(BALANCE_COLUMNS, [_account,
                                _date_iso, _date_iso, _amount, _amount,
                                _amount, _amount]))))
            continue
        if len(row) != len(CSV_COLUMNS):
            raise _Unusable('bank_file_row_width', number,
                expected=len(CSV_COLUMNS), found=len(row))
        values = dict(zip(CSV_COLUMNS, row))
        direction = values['direction'].lower()
        if direction not in ('in', 'out'):
            raise _Unusable('bank_file_bad_value', number,
                column='direction', value=values['direction'])
        documents.append(Document(name, number,
                _parse(_account, values['account'], number, 'account'),
                _parse(_date_iso, values['date'], number, 'date'),
                values['number'], direction,
                _parse(_amount, values['amount'], number, 'amount'),
                inn=values['counterparty_inn'],
                kpp=values['counterparty_kpp'],
                name=values['counterparty_name'],
                counterparty_account=values['counterparty_account'],
                kbk=values['kbk'], kosgu=values['kosgu'], kvr=values['kvr'],
                purpose=values['purpose']))
    if header is None:
        raise _Unusable('bank_file_not_statement', 1)
    by_account = {}
    for statement in statements:
        by_account.setdefault(statement.account, []).append(statement)
    for document in documents:
        if document.account not in by_account:
            raise _Unusable('bank_file_no_balance', document.line,
                account=document.account)
        _statement_of(by_account[document.account], document
            ).documents.append(document)
    return statements


def _date_iso(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return _date_1c(value)


# -- values -------------------------------------------------------------------

def _parse(parse, value, line, column):
    try:
        return parse(value)
    except (ValueError, InvalidOperation):
        raise _Unusable('bank_file_bad_value', line, column=column,
            value=value)


def _amount(value):
    amount = Decimal(value.replace(' ', '').replace(',', '.'))
    if not amount.is_finite() or amount < 0 or amount != round(amount, 2):
        raise ValueError(value)
    return amount.quantize(Decimal('0.01'))


def _account(value):
    if not value:
        raise ValueError(value)
    return value
