# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Statements of one institution into its ledger (interfaces.md §5), for
``kazan bank import`` and the client's import, in the current transaction.

check → store → match → book, in bulk for all the institution's statements:

1. **check** each statement's opening balance against the ledger: the
   balance of its cash account and КФО before its first day, with the
   documents still open in earlier statements, and the new documents of
   this import's earlier statements of the same account.  A statement that
   differs is refused whole (both figures named); the others go on;
2. **store** a statement (``account.statement``) per file statement with an
   origin per new document; a document whose key (account, date, number,
   amount, direction, counterparty INN) is already stored is a duplicate
   and creates nothing (the documents, checked here, are written by one
   INSERT: see ``insert``);
3. **match** each new document, in this order: the cash line of a payment
   already posted (the payroll's: same cash account, КФО, day and amount,
   not yet any statement's) is linked, not posted again; the one open
   settlement of the counterparty's INN and that amount is paid and
   reconciled; the first statement rule that recognises it (data, see
   ``account.statement.rule``) gives its lines; the rest stays open, with
   candidates proposed in the client;
4. **book** the new statement lines in the ledger and post them (through
   the core's Move.create and Move.post, a move per statement and day); a
   statement with nothing left open is validated and posted.

A second import of the same files reads the balances and the stored keys
only: the payments of an account are read with its first new document,
the settlements and the rules when the institution has new documents.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from sql import Column, Null
from sql.aggregate import Max, Sum
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp
from sql.operators import Exists

from trytond.backend import MAX_QUERY_PARAMS
from trytond.model import fields
from trytond.pool import Pool
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from .model import describe_problem, forget_cached, lock_move_sequences
from .table import Problem

ZERO = Decimal(0)
# the size of a slice of ids or keys in one query (grouped_slice's
# default, one, made a query per key)
IN_MAX = 1000
MAGIC_COLUMNS = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}
CENT = Decimal('0.01')


@dataclass
class LineResult:
    "What became of one document (a row of the report, interfaces.md §5)"
    file: str
    line: int
    account: str
    inn: str  # the institution's
    date: dt.date
    number: str
    amount: Decimal
    direction: str
    status: str  # reconciled, posted, open, duplicate, refused
    move: str = None  # the number of the move, when reconciled or posted

    def as_json(self):
        return {'file': self.file, 'line': self.line, 'account': self.account,
            'inn': self.inn, 'date': self.date.isoformat(),
            'number': self.number, 'amount': f'{self.amount:.2f}',
            'direction': self.direction, 'status': self.status,
            'move': self.move}


def accounts(numbers):
    """{number: (institution id, its INN)} of the account numbers that an
    institution holds and the prefix table maps (the others are unknown)"""
    PersonalAccount = Pool().get('kazan.personal_account')
    found = {}
    for sub in grouped_slice(sorted(set(numbers)), IN_MAX):
        for account in PersonalAccount.search([('number', 'in', list(sub))]):
            if account.statement_mapping():
                found[account.number] = (
                    account.company.id, account.company.inn)
    return found


def unknown(statement):
    "The problem of a statement whose account no institution holds"
    return Problem('unknown_account', statement.file, statement.line,
        value=statement.account, params={'account': statement.account})


def message(problem):
    "The problem in the user's language, where it is first"
    return describe_problem(replace(problem, key='msg_bank_' + problem.key))


def refused(statement, inn, status='refused'):
    "The results of the documents of a statement that is not written"
    return [_result(d, inn, status) for d in statement.documents]


def _result(document, inn, status, move=None):
    return LineResult(document.file, document.line, document.account, inn,
        document.date, document.number, document.amount, document.direction,
        status, move)


def import_statements(company_id, inn, statements):
    """Import the file statements (bank_exchange.Statement) of the
    institution: ([LineResult], [Problem] of the refused statements)"""
    pool = Pool()
    PersonalAccount = pool.get('kazan.personal_account')
    Journal = pool.get('account.statement.journal')
    personal = {a.number: a for a in PersonalAccount.search([
                ('company', '=', company_id),
                ('number', 'in', sorted({s.account for s in statements})),
                ])}
    journals = Journal.of_personal_accounts(list(personal.values()))
    journal_of = {n: journals[a] for n, a in personal.items()}
    results, problems, accepted = [], [], []
    links = {}  # document key: the cash line of a payment already posted
    stored = _stored_keys(company_id, [d.key()
            for s in statements for d in s.documents])
    by_account = defaultdict(list)
    for statement in statements:
        by_account[statement.account].append(statement)
    for number, account_statements in sorted(by_account.items()):
        account_statements.sort(key=lambda s: (s.date_from, s.line))
        journal = journal_of[number]
        balance = _balance_before(journal,
            [s.date_from for s in account_statements])
        # read when the first new document comes: none on a second import
        paid = None
        # (date, signed amount) of the new documents accepted that the
        # ledger does not hold yet
        added = []
        for statement in account_statements:
            expected = (balance[statement.date_from] + sum(
                    (a for d, a in added if d < statement.date_from), ZERO)
                ).quantize(CENT)
            if expected != statement.opening:
                problems.append(Problem('statement_opening_mismatch',
                        statement.file, statement.line, inn=inn,
                        value=statement.account, params={
                            'account': statement.account,
                            'date': statement.date_from,
                            'opening': statement.opening,
                            'ledger': expected}))
                results.extend(refused(statement, inn))
                continue
            new = []
            for document in statement.documents:
                key = document.key()
                if key in stored:
                    results.append(_result(document, inn, 'duplicate'))
                else:
                    stored.add(key)
                    new.append(document)
                    if paid is None:
                        paid = _posted_payments(journal,
                            min(s.date_from for s in account_statements),
                            max(s.date_to for s in account_statements))
                    cash = paid.get((document.date, document.signed))
                    if cash:
                        links[key] = cash.pop(0)
                        if not cash:
                            del paid[(document.date, document.signed)]
                    else:
                        added.append((document.date, document.signed))
            if new:
                accepted.append((journal, statement, new))
    if accepted:
        lock_move_sequences(company_id,
            {d.date for _, _, new in accepted for d in new})
        results.extend(_store_and_book(company_id, inn, accepted, links))
    return results, problems


def _stored_keys(company_id, keys):
    "The keys among keys of the documents already stored"
    pool = Pool()
    Origin = pool.get('account.statement.origin')
    Statement = pool.get('account.statement')
    origin, statement = Origin.__table__(), Statement.__table__()
    cursor = Transaction().connection.cursor()
    # the institution's statements read first: joined, PostgreSQL read the
    # whole table of documents for each slice when it had no statistics
    cursor.execute(*statement.select(statement.id,
            where=statement.company == company_id))
    statement_ids = [i for i, in cursor]
    found = set()
    if not statement_ids:
        return found
    in_ = fields.SQL_OPERATORS['in']
    for sub in grouped_slice(sorted(set(keys)), IN_MAX):
        cursor.execute(*origin.select(origin.import_key,
                where=in_(origin.statement, statement_ids)
                & in_(origin.import_key, list(sub))))
        found.update(k for k, in cursor)
    return found


def _balance_before(journal, dates):
    """{date: balance of the journal's cash account and КФО before date}:
    the ledger, and the documents of earlier statements still open"""
    pool = Pool()
    MoveLine = pool.get('account.move.line')
    Move = pool.get('account.move')
    Origin = pool.get('account.statement.origin')
    StatementLine = pool.get('account.statement.line')
    Statement = pool.get('account.statement')
    line, move = MoveLine.__table__(), Move.__table__()
    origin, statement = Origin.__table__(), Statement.__table__()
    st_line = StatementLine.__table__()
    cursor = Transaction().connection.cursor()
    last = max(dates)
    daily = defaultdict(lambda: ZERO)
    query = line.join(move, condition=line.move == move.id).select(
        move.date.as_('date'), Sum(line.debit - line.credit).as_('amount'),
        where=(line.account == journal.account.id)
        & (line.kfo == journal.kfo) & (move.date < last),
        group_by=[move.date])
    sqlite_apply_types(query, ['DATE', 'NUMERIC'])
    cursor.execute(*query)
    for date, amount in cursor:
        daily[date] += amount
    # documents of this journal's statements not (yet) in the ledger; the
    # statements read first, so that their documents are found by the
    # statements' index whatever PostgreSQL knows of the tables (joined, a
    # table it had no statistics of was read whole for each account)
    cursor.execute(*statement.select(statement.id,
            where=(statement.journal == journal.id)
            & (statement.state != 'cancelled')))
    statement_ids = [i for i, in cursor]
    in_ = fields.SQL_OPERATORS['in']
    for sub in grouped_slice(statement_ids, IN_MAX):
        of_journal = in_(origin.statement, list(sub)) & (origin.date < last)
        # the booked amounts of these documents only (grouped over all the
        # statement lines, each account's query grew with the import)
        booked = st_line.select(
            st_line.origin, Sum(st_line.amount).as_('amount'),
            where=(st_line.cash_line != Null) & st_line.origin.in_(
                origin.select(origin.id, where=of_journal)),
            group_by=[st_line.origin])
        query = origin.join(booked, 'LEFT',
            condition=booked.origin == origin.id).select(
                origin.date.as_('date'),
                Sum(origin.amount - Coalesce(booked.amount, 0)).as_('amount'),
                where=of_journal,
                group_by=[origin.date])
        sqlite_apply_types(query, ['DATE', 'NUMERIC'])
        cursor.execute(*query)
        for date, amount in cursor:
            daily[date] += amount or ZERO
    return {date: sum((a for d, a in daily.items() if d < date), ZERO)
        for date in set(dates)}


def _store_and_book(company_id, inn, accepted, links):
    pool = Pool()
    Statement = pool.get('account.statement')
    Origin = pool.get('account.statement.origin')
    Line = pool.get('account.statement.line')
    Rule = pool.get('account.statement.rule')
    parties = _parties_by_inn({d.inn for _, _, new in accepted
            for d in new if d.inn})
    statements = Statement.create([{
                'name': f'{journal.name} {s.date_from:%d.%m.%Y}'
                + (f'–{s.date_to:%d.%m.%Y}' if s.date_to != s.date_from
                    else ''),
                'company': company_id, 'journal': journal.id,
                'date': s.date_to, 'start_balance': s.opening,
                'end_balance': s.closing,
                'total_amount': sum((d.signed for d in new), ZERO),
                'number_of_lines': len(new),
                'source': f'{s.file}:{s.line}',
                } for journal, s, new in accepted])
    insert(Origin, [{
                'statement': statement.id,
                'number': d.number, 'date': d.date, 'amount': d.signed,
                'party': parties.get(d.inn), 'description': d.purpose,
                'kfo': journal.kfo, 'kosgu': d.kosgu or None,
                'kvr': d.kvr or None, 'kbk': d.kbk or None,
                'counterparty_inn': d.inn or None,
                'counterparty_kpp': d.kpp or None,
                'counterparty_account': d.counterparty_account or None,
                'import_key': d.key(),
                'source': f'{d.file}:{d.line}',
                'import_status': 'open',
                'information': _information(d),
                } for statement, (journal, _, new) in zip(
                statements, accepted) for d in new])
    statements = Statement.browse(statements)  # with their origins
    documents = {d.key(): d for _, _, new in accepted for d in new}
    origins = [o for s in statements for o in s.origins]
    company = pool.get('company.company')(company_id)
    for origin in origins:
        # known: the rules would compute it for each (a function field)
        origin.company = company
    settlements = _open_settlements(company_id)
    rules = Rule.of_company(company_id)
    lines, linked, status = [], [], {}
    for origin in origins:
        cash = links.get(origin.import_key)
        if cash:
            counterpart = _counterpart(cash)
            line = _line(origin, counterpart.account, kosgu=cash.kosgu,
                kvr=cash.kvr)
            linked.append((line, cash))
            status[origin] = 'reconciled'
            continue
        settled = settlements.pop((origin.counterparty_inn, origin.amount),
            None)
        if settled:
            line = _line(origin, settled.account, party=settled.party,
                kosgu=settled.kosgu or origin.kosgu,
                kvr=settled.kvr or origin.kvr)
            line.settles = settled
            lines.append(line)
            status[origin] = 'reconciled'
            continue
        rule, keywords = Rule.matching(rules, origin)
        if rule:
            rule_lines = list(rule.apply(origin, keywords))
            if rule_lines and sum(l.amount for l in rule_lines) \
                    == origin.amount:
                lines.extend(rule_lines)
                status[origin] = 'posted'
    Line.link(linked)
    lines = Line.browse(insert(Line, [l._save_values() for l in lines]))
    Line.book(lines, post=True)
    _set_import_status(status)
    complete = [s for s in statements
        if all(o in status for o in s.origins)]
    if complete:
        Statement.validate_statement(complete)
        Statement.post(complete)
    moves = {line.origin: line.move
        for line in [l for l, _ in linked] + lines if line.move}
    results = []
    for origin in origins:
        move = moves.get(origin)
        results.append(_result(documents[origin.import_key], inn,
                status.get(origin, 'open'),
                move.number if move and move.number else None))
    return results


def insert(Model, vlist):
    """Create the records of vlist as Model.create writes them, with one
    INSERT (per slice of the query's parameters); return their ids.

    For the plain records the import builds from documents it has checked
    itself (the origins, the statement lines of the rules): the ORM's create
    would spend most of the import validating the domain of every field of
    each record (tests/test_bank_statement.py checks that the rows are
    those of the ORM and pass its validation).  With a trigger on their
    creation, or a value that the ORM sets apart, the ORM creates them."""
    Trigger = Pool().get('ir.trigger')
    if not vlist:
        return []
    given = set().union(*vlist)
    if (Trigger.get_triggers(Model.__name__, 'create')
            or any(hasattr(Model._fields[n], 'set') for n in given)):
        return [r.id for r in Model.create(vlist)]
    vlist = Model._before_create(vlist)  # access, counters, preprocessing
    transaction = Transaction()
    database = transaction.database
    cursor = transaction.connection.cursor()
    table = Model.__table__()
    missing = [n for n, f in Model._fields.items()
        if n not in given and n not in MAGIC_COLUMNS
        and not isinstance(f, fields.Function) and not hasattr(f, 'set')]
    defaults = Model._clean_defaults(
        Model.default_get(missing, with_rec_name=False))
    names = sorted(given | set(defaults))
    formats = [Model._fields[n].sql_format for n in names]
    ids = database.nextid(transaction.connection, Model._table,
        count=len(vlist))
    if isinstance(ids, int):
        ids = [ids]  # PostgreSQL's for one record
    elif ids is None:
        # SQLite: ids follow the largest (AUTOINCREMENT keeps track)
        cursor.execute(*table.select(Coalesce(Max(table.id), 0)))
        last_id, = cursor.fetchone()
        ids = list(range(last_id + 1, last_id + 1 + len(vlist)))
    columns = [table.id, table.create_uid, table.create_date] + [
        Column(table, n) for n in names]
    rows = [[id_, transaction.user, CurrentTimestamp()] + [
            sql_format(values.get(n, defaults.get(n)))
            for n, sql_format in zip(names, formats)]
        for id_, values in zip(ids, vlist)]
    for sub in grouped_slice(rows, MAX_QUERY_PARAMS // len(columns)):
        cursor.execute(*table.insert(columns, list(sub)))
    transaction.create_records[Model.__name__].extend(ids)
    return ids


def _set_import_status(status):
    """Store {origin: import status}: an UPDATE per status, the statuses
    being the import's own (a write would validate each origin again)"""
    Origin = Pool().get('account.statement.origin')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    table = Origin.__table__()
    by_status = defaultdict(list)
    for origin, value in status.items():
        by_status[value].append(origin.id)
    for value, ids in sorted(by_status.items()):
        for sub in grouped_slice(ids, IN_MAX):
            cursor.execute(*table.update(
                    [table.import_status, table.write_uid, table.write_date],
                    [value, transaction.user, CurrentTimestamp()],
                    where=table.id.in_(list(sub))))
    forget_cached(Origin, [o.id for o in status])


def _counterpart(cash):
    "The line of the payment's move that the cash line pays: its debit"
    for line in cash.move.lines:
        if line != cash and line.kfo == cash.kfo and (
                (line.debit - line.credit) == -(cash.debit - cash.credit)):
            return line
    return next(l for l in cash.move.lines if l != cash)


def _line(origin, account, party=None, kosgu=None, kvr=None):
    Line = Pool().get('account.statement.line')
    return Line(statement=origin.statement, origin=origin,
        number=origin.number, date=origin.date, amount=origin.amount,
        description=origin.description, account=account,
        party=party if account.party_required else None,
        kfo=origin.kfo, kosgu=kosgu or origin.kosgu, kvr=kvr or origin.kvr)


def _information(document):
    return {k: v for k, v in [('counterparty_inn', document.inn),
                ('kbk', document.kbk), ('kosgu', document.kosgu),
                ('kvr', document.kvr)] if v}


def _parties_by_inn(inns):
    "{INN: party id} of the parties identified by those INNs"
    Identifier = Pool().get('party.identifier')
    found = {}
    for sub in grouped_slice(sorted(inns), IN_MAX):
        # the core's type of the ИНН is ru_vat (ru_inn until 6.8)
        for identifier in Identifier.search([
                    ('type', '=', 'ru_vat'),
                    ('code_compact', 'in', list(sub))]):
            found.setdefault(identifier.code_compact, identifier.party.id)
    return found


def _posted_payments(journal, start, end):
    """{(date, signed amount): [cash move line]} of the posted lines of the
    journal's cash account and КФО from start to end that no statement
    line is yet (the payroll's payments)"""
    pool = Pool()
    MoveLine = pool.get('account.move.line')
    Move = pool.get('account.move')
    StatementLine = pool.get('account.statement.line')
    line, move = MoveLine.__table__(), Move.__table__()
    st_line = StatementLine.__table__()
    cursor = Transaction().connection.cursor()
    query = line.join(move, condition=line.move == move.id).select(
        line.id, move.date.as_('date'),
        (line.debit - line.credit).as_('amount'),
        where=(line.account == journal.account.id)
        & (line.kfo == journal.kfo) & (move.state == 'posted')
        & (move.date >= start) & (move.date <= end)
        & ~Exists(st_line.select(st_line.id,
                where=st_line.cash_line == line.id)),
        order_by=[line.id.asc])
    sqlite_apply_types(query, [None, 'DATE', 'NUMERIC'])
    cursor.execute(*query)
    found = defaultdict(list)
    for id_, date, amount in cursor:
        found[(date, amount)].append(MoveLine(id_))
    return found


def _open_settlements(company_id):
    """{(INN, signed statement amount): move line} of the open settlements
    of reconcilable accounts with a party of that INN, when one only has
    that amount: a credit is paid by an outflow, a debit by a receipt"""
    pool = Pool()
    MoveLine = pool.get('account.move.line')
    lines = MoveLine.search([
            ('company', '=', company_id),
            ('account.reconcile', '=', True),
            ('reconciliation', '=', None),
            ('party', '!=', None),
            ('move.state', '=', 'posted'),
            ])
    found, ambiguous = {}, set()
    for line in lines:
        inn = _inn(line.party)
        if not inn:
            continue
        key = (inn, line.debit - line.credit)
        if key in found:
            ambiguous.add(key)
        found[key] = line
    return {k: v for k, v in found.items() if k not in ambiguous}


def _inn(party):
    for identifier in party.identifiers:
        if identifier.type == 'ru_vat':
            return identifier.code_compact
