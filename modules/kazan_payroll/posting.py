# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""How a payroll run is posted: the posting rules by operation (data, brief
§3) and the move values built from them for the runs' institutions."""
from collections import namedtuple

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.kazan_accounting.model import DocumentMixin
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import PayrollRunError
from .payslip import LINE_CODES, ZERO

# What is posted: every line but the tax deduction, and the two payments.
OPERATIONS = [c for c in LINE_CODES if c[0] != 'standard_deduction'] + [
    ('payment', "Salary paid"),
    ('payment_sick', "Sick pay paid"),
    ('vacation_deferred', "Vacation pay of a later month"),
    ('vacation_deferred_release', "Vacation pay of the month, paid before"),
    ('employee_debt', "Advance paid above the month's pay"),
    ('payment_withholdings', "Withholdings transferred"),
    # issue 15: unpaid wages (deposit.py)
    ('deposit', "Unpaid wages deposited"),
    ('payment_deposit', "Deposited wages paid from the personal account"),
    ('payment_deposit_cash', "Deposited wages paid at the cash desk"),
    # issue 15: the vacation reserve (reserve.py)
    ('reserve_pay', "Vacation reserve accrued: pay"),
    ('reserve_contributions', "Vacation reserve accrued: contributions"),
    ('vacation_reserve', "Vacation pay charged to the reserve"),
    ('contributions_reserve', "Contributions charged to the reserve"),
    ('accident_reserve', "Accident insurance charged to the reserve"),
    # taxes paid through the single tax account (enp.py)
    ('payment_enp_ndfl', "NDFL transferred to the single tax account"),
    ('payment_enp_contributions',
        "Contributions transferred to the single tax account"),
    ('payment_accident', "Accident insurance paid to the Social Fund"),
    ('enp_offset_ndfl', "Single tax account applied to NDFL"),
    ('enp_offset_contributions',
        "Single tax account applied to contributions"),
    ]
# Posted by the vacation-pay document when it is paid, not by the run.
POSTED_BY_DOCUMENT = {'vacation_paid', 'ndfl_vacation', 'withheld_vacation'}
# The operations of the vacation reserve: the КОСГУ of their rule (211 for
# the pay, 213 for the contributions) is the analytics of the 401.60 line,
# on this side (the 24–26 digits of its account number, Инструкция № 157н)
RESERVE_KOSGU_SIDE = {
    'reserve_pay': 'credit', 'reserve_contributions': 'credit',
    'vacation_reserve': 'debit', 'contributions_reserve': 'debit',
    'accident_reserve': 'debit',
    }


# A posting rule as the postings read it (PostingRule.rules).
Rule = namedtuple('Rule', 'operation debit_account credit_account kosgu kvr')


class PostingRule(ModelSQL, ModelView):
    """How an operation of the payroll is posted: the debit and credit
    accounts, by code in the institution's chart (brief §3), and the КОСГУ
    and КВР of the cash line of a payment"""
    __name__ = 'kazan.payroll.posting_rule'

    operation = fields.Selection(OPERATIONS, "Operation", required=True)
    debit_account = fields.Char(
        "Debit Account", required=True, strip=True,
        help="The code of the account in the institution's chart.")
    credit_account = fields.Char(
        "Credit Account", required=True, strip=True,
        help="The code of the account in the institution's chart.")
    kosgu = fields.Char(
        "KOSGU", size=3, strip=True,
        help="The КОСГУ of the cash line of a payment.")
    kvr = fields.Char(
        "KVR", size=3, strip=True,
        help="The КВР of the cash line of a payment.")
    # every posting of the payroll reads them all
    _rules_cache = Cache('kazan.payroll.posting_rule.rules', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('operation_unique', Unique(t, t.operation),
                'kazan_payroll.msg_posting_rule_unique'),
            ]
        cls._order.insert(0, ('operation', 'ASC'))

    @classmethod
    def rules(cls):
        """The rules by operation (Rule tuples, cached until a rule
        changes); an error names the operations without one"""
        by_operation = cls._rules_cache.get(None)
        if by_operation is not None:
            return by_operation
        by_operation = {r.operation: Rule(r.operation, r.debit_account,
                r.credit_account, r.kosgu, r.kvr) for r in cls.search([])}
        missing = [name for code, name in OPERATIONS
            if code not in by_operation]
        if missing:
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_posting_rule_missing',
                    operations=', '.join(missing)))
        return cls._rules_cache.set(None, by_operation)

    @classmethod
    def on_modification(cls, mode, rules, field_names=None):
        super().on_modification(mode, rules, field_names=field_names)
        cls._rules_cache.clear()


def _merge_lines(lines):
    """The lines summed by account, КФО, КОСГУ, КВР and side: salary,
    allowances and vacation pay are one debit of 401.20.211 and one credit
    of 302.11 (the payslips keep the detail)"""
    merged = {}
    for line in lines:
        side = 'debit' if line['debit'] else 'credit'
        key = (line['account'], line['kfo'], line.get('kosgu'),
            line.get('kvr'), side)
        if key in merged:
            merged[key][side] += line[side]
        else:
            merged[key] = dict(line)
    return list(merged.values())


class Posting:
    """The accounts of the institutions by code and the posting rules:
    builds the move values of runs"""

    def __init__(self, companies):
        pool = Pool()
        Account = pool.get('account.account')
        PostingRule = pool.get('kazan.payroll.posting_rule')
        self.rules = PostingRule.rules()
        codes = {r.debit_account for r in self.rules.values()} | {
            r.credit_account for r in self.rules.values()}
        self.accounts = {}
        company_ids = list({c.id for c in companies})
        for account in Account.search([
                    ('company', 'in', company_ids),
                    ('code', 'in', list(codes)),
                    ('type', '!=', None),
                    ]):
            self.accounts[account.company.id, account.code] = account.id
        self.periods = {}

    def _account(self, company, code, operation):
        try:
            return self.accounts[company.id, code]
        except KeyError:
            raise PayrollRunError(gettext(
                    'kazan_payroll.msg_posting_account_missing',
                    account=code, institution=company.rec_name,
                    operation=dict(OPERATIONS)[operation])) from None

    def lines(self, company, operation, kfo, amount):
        "The debit and credit line values of an amount of an operation"
        if not amount:
            return []
        rule = self.rules[operation]
        debit, credit = amount, ZERO
        if amount < 0:
            debit, credit = ZERO, -amount
        is_payment = operation.startswith('payment')
        reserve_side = RESERVE_KOSGU_SIDE.get(operation)
        # every line has the same fields, so that Tryton inserts the
        # lines of a move in one query (it groups them by their fields)
        lines = [{
                'account': self._account(company, rule.debit_account,
                    operation),
                'kfo': kfo, 'debit': debit, 'credit': credit,
                'kosgu': None, 'kvr': None,
                }, {
                'account': self._account(company, rule.credit_account,
                    operation),
                'kfo': kfo, 'debit': credit, 'credit': debit,
                'kosgu': (rule.kosgu if is_payment
                    or reserve_side == 'credit' else None),
                'kvr': rule.kvr if is_payment else None,
                }]
        if reserve_side == 'debit':
            lines[0]['kosgu'] = rule.kosgu
        return lines

    def move(self, run, journal, date, description, lines, origin=True):
        """The values of a move of the lines, one line per account and
        side; the record is its origin unless origin is false (a move of
        several documents: they link to it themselves)"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Period = pool.get('account.period')
        key = (run.company.id, date)
        if key not in self.periods:
            self.periods[key] = Period.find(run.company, date=date).id
        return {
            'company': run.company.id,
            'journal': ModelData.get_id('kazan_accounting', journal),
            'period': self.periods[key],
            'date': date,
            'origin': str(run) if origin else None,
            'description': description,
            'lines': [('create', _merge_lines(lines))],
            }


class MoveBatch:
    """The moves of several documents, created in one ``Move.create`` and
    posted in one ``Move.post`` in the order they were added (Tryton
    validates and posts a list of moves for little more than one); then
    each document links the moves it added.  ``posting`` builds the values
    and ``reserve`` (a reserve.ReserveUse) is what they take from the
    vacation reserve: its balances are read from the posted ledger, so
    nothing of the batch is posted before all of it is added."""

    def __init__(self, posting, reserve):
        self.posting = posting
        self.reserve = reserve
        self.values = []
        self.links = []

    def add(self, values, link=None):
        "Add the values of moves; link(moves) is called once they are posted"
        start = len(self.values)
        self.values.extend(values)
        if link:
            self.links.append((link, start, len(self.values)))

    def post(self):
        "Create and post the moves, link them; return them"
        Move = Pool().get('account.move')
        moves = Move.create(self.values)
        Move.post(moves)
        for link, start, end in self.links:
            link(moves[start:end])
        self.values, self.links = [], []
        return moves


def reverse_moves(records):
    """Reverse the posted moves of the records (a run, a vacation-pay
    document): Tryton's cancel with reversal, the record as origin, posted;
    nothing posted is deleted"""
    Move = Pool().get('account.move')
    reversals = []
    for record in records:
        for move in record.moves:
            reversal = move.cancel(reversal=True)
            reversal.origin = record
            reversal.description = gettext(
                'kazan_payroll.msg_move_reversal',
                description=move.description or '')
            reversals.append(reversal)
    Move.save(reversals)
    Move.post(reversals)


class PostedDocumentMixin(DocumentMixin):
    """A payroll document of an institution and a date whose posting makes
    moves (their origin): draft → posted → cancelled by reversing moves
    (``reverse_moves``); only a draft is deleted and a copy has no moves.
    The class defines ``company``, ``date``, ``state``, ``moves``,
    ``post`` and ``_delete_error(record)``, the error of deleting it."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'posted'),
            ('posted', 'cancelled'),
            }
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'posted',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def delete(cls, records):
        for record in records:
            if record.state != 'draft':
                raise cls._delete_error(record)
        super().delete(records)

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default else {}
        default.setdefault('moves', None)
        return super().copy(records, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, records):
        "Cancel by reversing moves"
        reverse_moves(records)
