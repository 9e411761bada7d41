# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Bank and treasury statements on Tryton's ``account_statement``.

A statement journal per personal (or bank) account of an institution: the
account decides the institution, the cash account of the chart (201.11 in
the treasury, 201.21 in a bank) and the КФО, by the prefix table
``kazan.personal_account.prefix`` (data, editable) unless the personal
account names its КФО itself.  Each document of a statement file is an
origin of the statement with the КОСГУ, КВР, КБК and counterparty of the
file, and its key (interfaces.md §5) that makes a second import change
nothing.

What the statement line is in the ledger is booked here, not by the
core's ``create_move``: a move per statement and day whose lines carry the
КФО, КОСГУ and КВР of each document on both sides (the cash line too, as
plan execution needs), each document's cash line remembered
(``cash_line``) so that a statement line matched with a payment already
posted (the payroll's) links to that line and is not posted again.
"""
import re
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.conditionals import Case
from sql.functions import CurrentTimestamp

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .common import KFO
from .exceptions import BankImportError
from .model import forget_cached

ZERO = Decimal(0)
MAGIC_FIELDS = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date',
    'rec_name'}
IMPORT_STATUSES = [
    ('open', "Open"),
    ('posted', "Posted by a rule"),
    ('reconciled', "Reconciled"),
    ]


class PersonalAccountPrefix(ModelSQL, ModelView):
    "What the start of an account number says: КФО and cash account"
    __name__ = 'kazan.personal_account.prefix'

    prefix = fields.Char("Prefix", required=True, strip=True,
        help="The start of the account number, e.g. ЛБВ or 40703.")
    kfo = fields.Selection([(None, "")] + KFO, "KFO", sort=False,
        help="Leave empty when the account itself must name its КФО.")
    cash_account = fields.Char("Cash Account", required=True,
        help="The code of the cash account in the chart, e.g. 201.11.")
    confirmed = fields.Boolean("Confirmed",
        help="Checked when a source confirms the meaning of the prefix.")
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('prefix_unique', Unique(t, t.prefix),
                'kazan_accounting.msg_personal_account_prefix_unique'),
            ]
        cls._order.insert(0, ('prefix', 'ASC'))

    @classmethod
    def of(cls, number):
        "The prefix record of the account number: the longest that fits"
        found = [p for p in cls.search([]) if number.startswith(p.prefix)]
        return max(found, key=lambda p: len(p.prefix)) if found else None


class PersonalAccount(metaclass=PoolMeta):
    __name__ = 'kazan.personal_account'

    def statement_mapping(self):
        """(КФО, cash account code) of the account, or None when the
        prefix table does not know it"""
        Prefix = Pool().get('kazan.personal_account.prefix')
        prefix = Prefix.of(self.number)
        kfo = self.kfo or (prefix.kfo if prefix else None)
        if not prefix or not kfo:
            return None
        return kfo, prefix.cash_account


class StatementJournal(metaclass=PoolMeta):
    __name__ = 'account.statement.journal'

    personal_account = fields.Many2One(
        'kazan.personal_account', "Personal Account", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The personal or bank account the statements are of.")
    kfo = fields.Selection([(None, "")] + KFO, "KFO", sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('personal_account_unique', Unique(t, t.personal_account),
                'kazan_accounting.msg_statement_journal_account_unique'),
            ]

    @classmethod
    def of_personal_accounts(cls, personal_accounts):
        """{personal account: journal}, the journals created for those
        that have none (the prefix table knows them: see statement_mapping)
        """
        pool = Pool()
        Journal = pool.get('account.journal')
        Account = pool.get('account.account')
        found = {j.personal_account: j for j in cls.search([
                    ('personal_account', 'in',
                        [p.id for p in personal_accounts]),
                    ])}
        missing = [p for p in personal_accounts if p not in found]
        if not missing:
            return found
        journal, = Journal.search([('code', '=', 'STMT')], limit=1)
        to_create = []
        for personal_account in missing:
            kfo, code = personal_account.statement_mapping()
            account, = Account.search([
                    ('company', '=', personal_account.company.id),
                    ('code', '=', code),
                    ], limit=1)
            to_create.append({
                    'name': personal_account.number,
                    'company': personal_account.company.id,
                    'currency': personal_account.company.currency.id,
                    'journal': journal.id,
                    'account': account.id,
                    'validation': 'amount',
                    'personal_account': personal_account.id,
                    'kfo': kfo,
                    })
        for journal in cls.create(to_create):
            found[journal.personal_account] = journal
        return found


class Statement(metaclass=PoolMeta):
    __name__ = 'account.statement'

    source = fields.Char("Source", readonly=True,
        help="The file and line the statement was imported from.")

    @classmethod
    def create_move(cls, statements):
        "Book the lines that are not in the ledger yet (see the module)"
        Line = Pool().get('account.statement.line')
        Line.book([l for s in statements for l in s.lines if not l.move])
        return []


class StatementOrigin(metaclass=PoolMeta):
    __name__ = 'account.statement.origin'

    kfo = fields.Selection([(None, "")] + KFO, "KFO", sort=False,
        readonly=True)
    kosgu = fields.Char("KOSGU", size=3, readonly=True)
    kvr = fields.Char("KVR", size=3, readonly=True)
    kbk = fields.Char("KBK", readonly=True)
    counterparty_inn = fields.Char("Counterparty INN", readonly=True)
    counterparty_kpp = fields.Char("Counterparty KPP", readonly=True)
    counterparty_account = fields.Char("Counterparty Account", readonly=True)
    import_key = fields.Char("Import Key", readonly=True)
    source = fields.Char("Source", readonly=True,
        help="The file and line the document was imported from.")
    import_status = fields.Selection(
        [(None, "")] + IMPORT_STATUSES, "Import Status", readonly=True)
    candidates = fields.Function(fields.Many2Many(
            'account.move.line', None, None, "Candidates",
            help="Open settlements this document may pay or settle: "
            "those of the contract its purpose names, the counterparty's "
            "by INN and amount, then any of the amount."),
        'get_candidates')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.import_key, Index.Equality()),
                where=t.import_key != Null))

    def get_candidates(self, name):
        if self.lines or not self.statement or not self.amount:
            return []
        return [l.id for l in open_settlements(
                self.company, self.amount, self.counterparty_inn,
                self.description)[:10]]


def open_settlements(company, amount, inn=None, purpose=None):
    """The open lines of reconcilable accounts that a statement amount
    would settle: a payment (amount < 0) a credit, a receipt a debit.
    First those of the suppliers' documents of a contract whose number
    the purpose names (whatever their amount: a part, or several
    documents), then those of the counterparty with the INN"""
    MoveLine = Pool().get('account.move.line')
    side = 'credit' if amount < 0 else 'debit'
    lines = MoveLine.search([
            ('company', '=', company.id),
            ('account.reconcile', '=', True),
            ('reconciliation', '=', None),
            ('move.state', '=', 'posted'),
            (side, '=', abs(amount)),
            ], order=[('date', 'ASC'), ('id', 'ASC')], limit=50)
    contracted = _contract_settlements(company, side, purpose)
    lines = contracted + [l for l in lines if l not in contracted]
    if inn:
        lines.sort(key=lambda l: (l not in contracted,
                not (l.party and l.party.tax_identifier
                    and l.party.tax_identifier.code == inn)))
    return lines


def contract_numbers(purpose):
    """The contract numbers a payment's purpose names: what follows «№»
    («Оплата по контракту № 44-12 за …» names 44-12)"""
    return {number.rstrip('.,;:)')
        for number in re.findall(r'№\s*(\S+)', purpose or '')}


def _contract_settlements(company, side, purpose):
    "The open lines of the side of the documents of the contracts named"
    pool = Pool()
    MoveLine = pool.get('account.move.line')
    numbers = contract_numbers(purpose)
    if not numbers:
        return []
    return MoveLine.search([
            ('company', '=', company.id),
            ('account.reconcile', '=', True),
            ('reconciliation', '=', None),
            ('move.state', '=', 'posted'),
            (side, '>', 0),
            ('move_origin.contract_line.contract.number', 'in',
                list(numbers), 'account.invoice'),
            ], order=[('date', 'ASC'), ('id', 'ASC')], limit=20)


class StatementLine(metaclass=PoolMeta):
    __name__ = 'account.statement.line'

    kfo = fields.Selection([(None, "")] + KFO, "KFO", sort=False)
    kosgu = fields.Char("KOSGU", size=3)
    kvr = fields.Char("KVR", size=3)
    cash_line = fields.Many2One('account.move.line', "Cash Line",
        readonly=True, ondelete='RESTRICT',
        help="The line of the cash account that is this document in the "
        "ledger: booked from the statement or posted before (a payment of "
        "the payroll).")
    settles = fields.Many2One('account.move.line', "Settles",
        readonly=True, ondelete='SET NULL',
        help="The open settlement reconciled with this payment.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.cash_line, Index.Equality()),
                where=t.cash_line != Null))

    @fields.depends('origin', 'statement', '_parent_statement.journal')
    def on_change_origin(self):
        super().on_change_origin()
        if self.origin:
            self.kfo = self.origin.kfo
            self.kosgu = self.origin.kosgu
            self.kvr = self.origin.kvr

    def get_move_line(self):
        line = super().get_move_line()
        if line:
            line.kfo = self.kfo or self.statement.journal.kfo
            line.kosgu = self.kosgu
            line.kvr = self.kvr
        return line

    def get_cash_line(self):
        "The line of the cash account of the document"
        MoveLine = Pool().get('account.move.line')
        amount = self.amount
        return MoveLine(
            origin=self, account=self.statement.journal.account,
            debit=amount if amount > 0 else ZERO,
            credit=-amount if amount < 0 else ZERO,
            kfo=self.kfo or self.statement.journal.kfo,
            kosgu=self.kosgu, kvr=self.kvr,
            description=self.description)

    @classmethod
    def book(cls, lines, post=False):
        """Book the statement lines in the ledger: a move per statement and
        date, two lines per document (its counterpart and its cash line),
        the settled lines reconciled; posted with post"""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        groups = defaultdict(list)
        for line in lines:
            if line.amount:
                groups[(line.statement, line.date)].append(line)
        moves, pairs = [], []
        for (statement, date), group in groups.items():
            move = Move(
                company=statement.company, journal=statement.journal.journal,
                period=Period.find(statement.company, date=date), date=date,
                description=gettext(
                    'kazan_accounting.msg_statement_move_description',
                    account=statement.journal.name, date=date))
            move_lines = []
            for line in group:
                counterpart, cash = line.get_move_line(), line.get_cash_line()
                _same_fields(counterpart, cash)
                move_lines.extend([counterpart, cash])
                pairs.append((line, counterpart, cash))
            move.lines = move_lines
            moves.append(move)
        Move.save(moves)
        # the saved lines (the instances given stay unsaved): their origin
        # and account read back by a query, not each line through the ORM
        saved = {}
        cash_account = {line.id: line.statement.journal.account.id
            for line, _, _ in pairs}
        table = MoveLine.__table__()
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice([m.id for m in moves], MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.id, table.origin, table.account,
                    where=table.move.in_(list(sub))))
            for id_, origin, account in cursor:
                line_id = int(origin.split(',')[1])
                is_cash = account == cash_account[line_id]
                saved[(line_id, is_cash)] = MoveLine(id_)
        pairs = [(line, saved[(line.id, False)], saved[(line.id, True)])
            for line, _, _ in pairs]
        for move, group in zip(moves, groups.values()):
            for line in group:
                line.move = move
        for line, _, cash in pairs:
            line.cash_line = cash
        cls._set_moves([line for line, _, _ in pairs])
        to_reconcile = [[line.settles, counterpart]
            for line, counterpart, _ in pairs
            if line.settles and line.settles.account == counterpart.account
            and counterpart.account.reconcile]
        if to_reconcile:
            MoveLine.reconcile(*to_reconcile)
        if post:
            Move.post(moves)
        return moves

    @classmethod
    def _set_moves(cls, lines):
        """Store the move and the cash line given to each saved line: one
        UPDATE per slice, the move and its lines having just been booked
        from these lines (a write would validate each line again)"""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        for sub in grouped_slice(lines, MAX_QUERY_PARAMS // 5):
            sub = list(sub)
            move = Case(*((table.id == l.id, l.move.id) for l in sub))
            cash = Case(*((table.id == l.id, l.cash_line.id) for l in sub))
            cursor.execute(*table.update(
                    [table.move, table.cash_line, table.write_uid,
                        table.write_date],
                    [move, cash, transaction.user, CurrentTimestamp()],
                    where=table.id.in_([l.id for l in sub])))
        forget_cached(cls, [l.id for l in lines])

    @classmethod
    def link(cls, lines_and_cash_lines):
        """Link each statement line with the cash line of a payment
        already posted: its move becomes the line's, nothing is booked"""
        for line, cash_line in lines_and_cash_lines:
            line.move = cash_line.move
            line.cash_line = cash_line
        cls.save([line for line, _ in lines_and_cash_lines])


def _same_fields(*lines):
    """Give each of the move lines the fields that one of them is given
    (None: their default): Tryton's create inserts the rows that have the
    same fields together, and a cash line after its counterpart was one
    INSERT per line"""
    given = [set(line._values._keys()) if line._values else set()
        for line in lines]
    names = {n for n in set().union(*given)
        if not isinstance(lines[0]._fields[n], fields.Function)}
    for line, names_given in zip(lines, given):
        for name in names - names_given:
            setattr(line, name, None)


class StatementRuleLine(metaclass=PoolMeta):
    __name__ = 'account.statement.rule.line'

    account_code = fields.Char("Account Code",
        states={
            'invisible': Bool(Eval('account')),
            },
        help="The code of the account in each institution's chart, for a "
        "rule of every institution (leave the account empty).")
    kosgu = fields.Char("KOSGU", size=3,
        help="Leave empty to keep the КОСГУ of the document.")
    kvr = fields.Char("KVR", size=3,
        help="Leave empty to keep the КВР of the document.")

    def get_line(self, origin, keywords, **context):
        pool = Pool()
        Account = pool.get('account.account')
        if not self.account and self.account_code:
            accounts = Account.search([
                    ('company', '=', origin.company.id),
                    ('code', '=', self.account_code),
                    ('type', '!=', None),
                    ], limit=1)
            if not accounts:
                return
            # the rule's lines are read only here: an attribute, not a write
            self.account, = accounts
            try:
                line = super().get_line(origin, keywords, **context)
            finally:
                self.account = None
        else:
            line = super().get_line(origin, keywords, **context)
        if line:
            line.kfo = origin.kfo or origin.statement.journal.kfo
            line.kosgu = self.kosgu or origin.kosgu
            line.kvr = self.kvr or origin.kvr
        return line

    # Without the keywords that name them, the core finds no party and no
    # invoice, after reading the account configuration for each document
    def _get_party(self, origin, keywords, amount=0):
        if (self.party or keywords.get('bank_account')
                or keywords.get('party') or keywords.get('payment_reference')):
            return super()._get_party(origin, keywords, amount=amount)

    def _get_invoice(self, origin, keywords, party=None, amount=0):
        if keywords.get('invoice') or keywords.get('payment_reference'):
            return super()._get_invoice(
                origin, keywords, party=party, amount=amount)


class AccountStatementRule(metaclass=PoolMeta):
    __name__ = 'account.statement.rule'

    @classmethod
    def of_company(cls, company_id):
        """The rules, their lines' account codes looked up once in the
        institution's chart: the lines' account, an attribute of these
        instances, not a write (each line would look it up per document)"""
        Account = Pool().get('account.account')
        rules = cls.search([])
        # the rules are tried on every document, and the ORM reads a
        # record's field anew at each access (a list of records as new
        # records): their values are set on these instances once
        _read_once(rules)
        _read_once([i for r in rules for i in r.information_rules])
        _read_once([l for r in rules for l in r.lines])
        lines = [l for r in rules for l in r.lines
            if not l.account and l.account_code]
        accounts = {}
        for account in Account.search([
                    ('company', '=', company_id),
                    ('code', 'in', sorted({l.account_code for l in lines})),
                    ('type', '!=', None),
                    ]):
            accounts.setdefault(account.code, account)
        for line in lines:
            line.account = accounts.get(line.account_code)
        return rules

    @classmethod
    def matching(cls, rules, origin):
        "The first rule that matches the origin and its keywords"
        for rule in rules:
            keywords = rule.match(origin)
            if keywords:
                return rule, keywords
        return None, None


def _read_once(records):
    "Set the value of each field of the records on the records themselves"
    for record in records:
        for name in record._fields:
            if name not in MAGIC_FIELDS:
                setattr(record, name, getattr(record, name))


class ImportStatementStart(metaclass=PoolMeta):
    __name__ = 'account.statement.import.start'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.file_format.selection.append(
            ('kazan', "1CClientBankExchange or CSV (interfaces.md §5)"))


class ImportStatement(metaclass=PoolMeta):
    __name__ = 'account.statement.import'

    def do_import_(self, action):
        "The service's import, as kazan bank import does it, for one file"
        if self.start.file_format != 'kazan':
            return super().do_import_(action)
        pool = Pool()
        Statement = pool.get('account.statement')
        from . import bank_exchange, bank_import
        company = self.start.company
        name = gettext('kazan_accounting.msg_bank_client_file')
        statements, problems = bank_exchange.read(
            name, bytes(self.start.file_))
        problems += [p for s in statements for p in s.problems]
        if not problems:
            accounts = bank_import.accounts({s.account for s in statements})
            problems += [bank_import.unknown(s) for s in statements
                if accounts.get(s.account, (None,))[0] != company.id]
        if not problems:
            _, problems = bank_import.import_statements(
                company.id, company.inn, statements)
        if problems:
            raise BankImportError('\n'.join(
                    bank_import.message(p) for p in problems))
        self.start.file_ = None
        found = Statement.search([
                ('company', '=', company.id),
                ('source', 'like', f'{name}:%'),
                ], order=[('id', 'DESC')], limit=len(statements))
        data = {'res_id': [s.id for s in found]}
        if len(found) == 1:
            action['views'].reverse()
        return action, data
