# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Contracts with suppliers and the obligations they accept (Раздел 5).

A contract (договор, контракт) of an institution with a supplier, under
44-ФЗ, 223-ФЗ or otherwise, has lines by КФО, КВР and КОСГУ, each possibly
tied to the line of the plan (ПФХД) it is paid from.  Registering it
accepts the obligation: Dr 506.10 / Cr 502.11 per line (brief §3 entry 18,
the accounts in obligation_entries.csv).  An obligation may not exceed
what the approved plan leaves for its КФО, КВР and КОСГУ: the amount
planned up to the contract's date less the obligations already accepted
in the year, by contracts or by suppliers' documents without one (the
ledger's 506.10).  A chief accountant may accept it anyway, giving a reason;
who, when, why and the figures are kept on the contract.

A registered contract changes by amendment: the accountant edits the
amounts of its lines and posts the difference (the same entry, reversed
for a decrease).  Closing or terminating it reverses what is left.
"""
import csv
import datetime as dt
import os
from collections import defaultdict, namedtuple
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from .common import KFO
from .exceptions import ContractError
from .model import IN_MAX, DocumentMixin, tables

ZERO = Decimal(0)

LAWS = [
    ('44', "44-FZ"),
    ('223', "223-FZ"),
    ('other', "Other"),
    ]

STATES = [
    ('draft', "Draft"),
    ('registered', "Registered"),
    ('closed', "Closed"),
    ('terminated', "Terminated"),
    ]

# The budget classification of an obligation
Codes = namedtuple('Codes', ['kfo', 'kvr', 'kosgu'])
# What the plan leaves for the codes, as the refusal states it
PlanCheck = namedtuple('PlanCheck', [
        'codes', 'planned', 'accepted', 'amount', 'remaining'])


def _read_entries():
    path = os.path.join(os.path.dirname(__file__), 'obligation_entries.csv')
    with open(path, encoding='utf-8', newline='') as file:
        return {row['operation']: (row['debit'], row['credit'])
            for row in csv.DictReader(file, delimiter=';')}


ENTRIES = _read_entries()


def remaining_plan(planned, accepted):
    "What the plan leaves for new obligations (negative when overspent)"
    return planned - accepted


def plan_checks(changes, planned, accepted):
    """The PlanCheck of each Codes whose increase in changes ({Codes:
    amount}) exceeds what the plan leaves: planned and accepted are
    {Codes: amount}; a decrease is always allowed"""
    checks = []
    for codes, amount in sorted(changes.items()):
        if amount <= 0:
            continue
        remaining = remaining_plan(
            planned.get(codes, ZERO), accepted.get(codes, ZERO))
        if amount > remaining:
            checks.append(PlanCheck(codes, planned.get(codes, ZERO),
                    accepted.get(codes, ZERO), amount, remaining))
    return checks


def obligation_entries(change):
    """(debit account code, credit account code, amount) accepting the
    change of an obligation: the entry for an increase, its reverse for a
    decrease, nothing for none"""
    if change > 0:
        return ENTRIES['accept'] + (change,)
    if change < 0:
        return ENTRIES['reverse'] + (-change,)
    return None


class Contract(DocumentMixin, Workflow, ModelSQL, ModelView):
    "Contract with a Supplier"
    __name__ = 'kazan.contract'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    number = fields.Char("Number", required=True, strip=True, states=_states)
    date = fields.Date("Date", required=True, states=_states,
        help="The date the contract is signed: the obligation is "
        "accepted on it.")
    law = fields.Selection(LAWS, "Law", required=True, sort=False,
        states=_states,
        help="The procurement law the contract is concluded under.")
    party = fields.Many2One(
        'party.party', "Supplier", required=True, states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    end_date = fields.Date("Term", states=_states,
        domain=[If(Eval('end_date') & Eval('date'),
                ('end_date', '>=', Eval('date')), ())],
        help="The last day of the contract.")
    description = fields.Text("Description")
    lines = fields.One2Many('kazan.contract.line', 'contract', "Lines",
        states={
            'readonly': ~Eval('state').in_(['draft', 'registered']),
            })
    amount = fields.Function(
        fields.Numeric("Amount", digits=(16, 2)), 'get_amounts')
    accepted = fields.Function(
        fields.Numeric("Accepted Obligation", digits=(16, 2),
            help="The obligation posted on 502.11."), 'get_amounts')
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    override_reason = fields.Text("Reason to Exceed the Plan",
        states={
            'readonly': ~Eval('state').in_(['draft', 'registered']),
            },
        help="Filled by the chief accountant to accept an obligation "
        "above what the plan leaves.")
    override_user = fields.Many2One('res.user', "Exceeded by",
        readonly=True)
    override_date = fields.DateTime("Exceeded on", readonly=True)
    override_figures = fields.Text("Figures of the Excess", readonly=True)
    moves = fields.Function(fields.Many2Many(
            'account.move', None, None, "Moves"), 'get_moves')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_party_number_unique',
                Unique(t, t.company, t.party, t.number),
                'kazan_accounting.msg_contract_number_unique'),
            ]
        cls._order = [('date', 'DESC'), ('number', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'registered'),
            ('registered', 'closed'),
            ('registered', 'terminated'),
            }
        cls._buttons.update({
                'register': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'amend': {
                    'invisible': Eval('state') != 'registered',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'registered',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': Eval('state') != 'registered',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_law(cls):
        return '44'

    def get_rec_name(self, name):
        return '№ %s (%s)' % (self.number, self.party.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value, *extra = clause
        bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
        return [bool_op,
            ('number', operator, value, *extra),
            ('party.rec_name', operator, value, *extra),
            ]

    @classmethod
    def get_amounts(cls, contracts, names):
        result = {name: {c.id: ZERO for c in contracts} for name in names}
        for contract in contracts:
            for line in contract.lines:
                if 'amount' in result:
                    result['amount'][contract.id] += line.amount or ZERO
                if 'accepted' in result:
                    result['accepted'][contract.id] += line.accepted or ZERO
        return result

    def get_moves(self, name):
        pool = Pool()
        Move = pool.get('account.move')
        return [m.id for m in Move.search([('origin', '=', str(self))],
                order=[('date', 'ASC'), ('id', 'ASC')])]

    @classmethod
    def check_modification(cls, mode, contracts, values=None,
            external=False):
        super().check_modification(
            mode, contracts, values=values, external=external)
        if mode == 'delete':
            for contract in contracts:
                if contract.state != 'draft':
                    raise ContractError(gettext(
                            'kazan_accounting.msg_contract_delete_registered',
                            contract=contract.rec_name))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        for name in ['override_reason', 'override_user',
                'override_date', 'override_figures']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        return super().copy(contracts, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('registered')
    def register(cls, contracts):
        "Accept the obligations of the contracts (Dr 506.10 / Cr 502.11)"
        for contract in contracts:
            if not contract.lines:
                raise ContractError(gettext(
                        'kazan_accounting.msg_contract_no_lines',
                        contract=contract.rec_name))
        cls.post_obligations(contracts)

    @classmethod
    @ModelView.button
    def amend(cls, contracts):
        "Post the changes of the lines' amounts since the last posting"
        for contract in contracts:
            if contract.state != 'registered':
                raise ContractError(gettext(
                        'kazan_accounting.msg_contract_not_registered',
                        contract=contract.rec_name))
        cls.post_obligations(contracts)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, contracts):
        "The contract is done: what was not executed is reversed"
        cls._reverse_rest(contracts)

    @classmethod
    @ModelView.button
    @Workflow.transition('terminated')
    def terminate(cls, contracts):
        "The contract is ended early: what was not executed is reversed"
        cls._reverse_rest(contracts)

    @classmethod
    def _reverse_rest(cls, contracts):
        pool = Pool()
        Line = pool.get('kazan.contract.line')
        lines = [l for c in contracts for l in c.lines]
        executed = Line.executed_amounts(lines)
        to_write = []
        for line in lines:
            rest = executed.get(line.id, ZERO)
            if line.amount != rest:
                to_write.extend(([line], {'amount': rest}))
        if to_write:
            Line.write(*to_write)
        cls.post_obligations(contracts)

    @classmethod
    def post_obligations(cls, contracts):
        """Post for each contract line the difference between its amount
        and the obligation accepted so far, after checking the plan"""
        pool = Pool()
        Line = pool.get('kazan.contract.line')
        Move = pool.get('account.move')
        contracts = cls.browse(contracts)
        cls.check_plan(contracts)
        moves, accepted = [], []
        for contract in contracts:
            move_lines = []
            for line in contract.lines:
                entry = obligation_entries(
                    (line.amount or ZERO) - (line.accepted or ZERO))
                if entry:
                    move_lines.extend(line._move_lines(*entry))
                    accepted.extend(([line], {'accepted': line.amount}))
            if move_lines:
                moves.append(contract._move(move_lines))
        if moves:
            Move.post(Move.create(moves))
        if accepted:
            Line.write(*accepted)

    def _move(self, lines):
        pool = Pool()
        Period = pool.get('account.period')
        ModelData = pool.get('ir.model.data')
        # registered on its date, amended on the day (within its year)
        date = self.date
        if self.state != 'draft':
            date = min(max(date, pool.get('ir.date').today()),
                dt.date(date.year, 12, 31))
        return {
            'company': self.company.id,
            'journal': ModelData.get_id('kazan_accounting', 'journal_other'),
            'period': Period.find(self.company, date=date).id,
            'date': date,
            'origin': str(self),
            'description': gettext('kazan_accounting.msg_contract_move',
                contract=self.rec_name),
            'lines': [('create', lines)],
            }

    @classmethod
    def check_plan(cls, contracts):
        """Refuse an increase of obligations above what the plan leaves,
        unless a chief accountant gave a reason (recorded); the contracts
        checked together count each other's increases"""
        # {(institution, year): {Codes: amount}} accepted in the ledger,
        # read once, and increased by the contracts checked before
        accepted_of = {}
        for contract in contracts:
            changes = defaultdict(lambda: ZERO)
            for line in contract.lines:
                changes[line.codes] += (
                    (line.amount or ZERO) - (line.accepted or ZERO))
            if not any(v > 0 for v in changes.values()):
                continue
            planned = contract.planned()
            key = (contract.company.id, contract.date.year)
            if key not in accepted_of:
                accepted_of[key] = contract.accepted_in_year()
            accepted = dict(accepted_of[key])
            for codes, amount in changes.items():
                accepted_of[key][codes] += amount
            checks = plan_checks(changes, planned, accepted)
            if not checks:
                continue
            round_ = contract.company.currency.round
            figures = '\n'.join(gettext(
                    'kazan_accounting.msg_contract_plan_figures',
                    kfo=c.codes.kfo, kvr=c.codes.kvr or '-',
                    kosgu=c.codes.kosgu, planned=round_(c.planned),
                    accepted=round_(c.accepted),
                    remaining=round_(c.remaining),
                    amount=round_(c.amount)) for c in checks)
            if not contract.override_reason:
                raise ContractError(gettext(
                        'kazan_accounting.msg_contract_exceeds_plan',
                        contract=contract.rec_name, figures=figures))
            if not is_chief_accountant():
                raise ContractError(gettext(
                        'kazan_accounting.msg_contract_override_not_chief',
                        contract=contract.rec_name, figures=figures))
            cls.write([contract], {
                    'override_user': Transaction().user,
                    'override_date': dt.datetime.now(),
                    'override_figures': figures,
                    })

    def planned(self):
        """{Codes: amount} of the expenses of the institution's approved
        plan for the contract's year, amended up to its date"""
        pool = Pool()
        Plan = pool.get('kazan.plan')
        plan = Plan.find(self.company, self.date.year)
        result = defaultdict(lambda: ZERO)
        if plan is None or plan.state != 'approved':
            return result
        for total in plan.totals(self.date):
            if total.section == 'expense':
                result[Codes(total.kfo, total.kvr or None, total.kosgu)] += (
                    total.total)
        return result

    def accepted_in_year(self):
        """{Codes: amount} of the obligations the institution accepted in
        the contract's year, from its ledger: the debit less credit of
        506.10 (the accepting entry's debit account) of its posted moves,
        but the plan's, which credit the right to accept them.  So the
        contracts (this one's posted amendments included) and the
        suppliers' documents without a contract, which accept their own
        obligation, all count."""
        move, line, account = tables(
            'account.move', 'account.move.line', 'account.account')
        cursor = Transaction().connection.cursor()
        year = self.date.year
        query = line.join(move, condition=line.move == move.id
            ).join(account, condition=line.account == account.id
            ).select(line.kfo, line.kvr, line.kosgu,
            Sum(line.debit - line.credit).as_('accepted'),
            where=(move.company == self.company.id)
            & (move.state == 'posted')
            & (move.date >= dt.date(year, 1, 1))
            & (move.date <= dt.date(year, 12, 31))
            & (account.code == ENTRIES['accept'][0])
            & ~Coalesce(move.origin, '').like('kazan.plan,%'),
            group_by=[line.kfo, line.kvr, line.kosgu])
        if backend.name == 'sqlite':
            sqlite_apply_types(query, [None, None, None, 'NUMERIC'])
        cursor.execute(*query)
        result = defaultdict(lambda: ZERO)
        for kfo, kvr, kosgu, amount in cursor:
            result[Codes(kfo, kvr or None, kosgu)] += Decimal(amount or 0)
        return result


def entry_accounts(company, codes):
    """{code: account} of the company's accounts of codes, an error naming
    the first code its chart lacks"""
    pool = Pool()
    Account = pool.get('account.account')
    accounts = {a.code: a for a in Account.search([
                ('company', '=', company.id),
                ('code', 'in', list(codes)),
                ])}
    for code in codes:
        if code not in accounts:
            raise ContractError(gettext(
                    'kazan_accounting.msg_contract_account_missing',
                    institution=company.rec_name, code=code))
    return accounts


def entry_lines(company, codes, debit_code, credit_code, amount,
        accounts=None):
    """The values of the two move lines of an entry of the company's
    obligations on the codes ({'kfo', 'kvr', 'kosgu'}); a negative amount
    is the entry reversed.  accounts ({code: account}, entry_accounts) saves
    looking them up for each entry."""
    if accounts is None:
        accounts = entry_accounts(company, [debit_code, credit_code])
    if amount < 0:
        debit_code, credit_code, amount = credit_code, debit_code, -amount
    return [
        {'account': accounts[debit_code].id, 'debit': amount,
            'credit': ZERO, **codes},
        {'account': accounts[credit_code].id, 'debit': ZERO,
            'credit': amount, **codes},
        ]


def is_chief_accountant():
    "The user is a chief accountant (or the system, user 0)"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    if Transaction().user == 0:
        return True
    return ModelData.get_id('kazan_accounting', 'group_chief_accountant') in (
        User.get_groups())


class ContractLine(ModelSQL, ModelView):
    "Contract Line"
    __name__ = 'kazan.contract.line'

    _states = {'readonly': Eval('contract_state') != 'draft'}

    contract = fields.Many2One('kazan.contract', "Contract", required=True,
        ondelete='CASCADE', states=_states)
    contract_state = fields.Function(
        fields.Selection(STATES, "Contract State"),
        'on_change_with_contract_state')
    company = fields.Function(
        fields.Many2One('company.company', "Institution"),
        'on_change_with_company', searcher='search_company')
    plan_line = fields.Many2One('kazan.plan.line', "Plan Line",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('section', '=', 'expense'),
            ],
        states=_states,
        help="The line of the plan (ПФХД) the obligation is paid from.")
    kfo = fields.Selection(KFO, "KFO", required=True, sort=False,
        states=_states)
    kvr = fields.Char("KVR", size=3, required=True, strip=True,
        states=_states)
    kosgu = fields.Char("KOSGU", size=3, required=True, strip=True,
        states=_states)
    description = fields.Char("Description")
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        domain=[('amount', '>=', 0)],
        states={
            'readonly': ~Eval('contract_state').in_(
                ['draft', 'registered']),
            },
        help="Changed on a registered contract, the difference is posted "
        "by its button Amend.")
    accepted = fields.Numeric("Accepted Obligation", digits=(16, 2),
        readonly=True,
        help="The obligation posted on 502.11 for the line.")
    executed = fields.Function(
        fields.Numeric("Executed", digits=(16, 2),
            help="The monetary obligations of the suppliers' documents "
            "that execute the line (502.12)."),
        'get_executed')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')

    @classmethod
    def default_kfo(cls):
        return '4'

    @classmethod
    def default_accepted(cls):
        return ZERO

    @fields.depends('contract', '_parent_contract.state')
    def on_change_with_contract_state(self, name=None):
        return self.contract.state if self.contract else None

    @fields.depends('contract', '_parent_contract.company')
    def on_change_with_company(self, name=None):
        return self.contract.company if self.contract else None

    @classmethod
    def search_company(cls, name, clause):
        return [('contract.' + clause[0], *clause[1:])]

    @fields.depends('plan_line', 'kfo', 'kvr', 'kosgu')
    def on_change_plan_line(self):
        if self.plan_line:
            self.kfo = self.plan_line.kfo
            self.kvr = self.plan_line.kvr
            self.kosgu = self.plan_line.kosgu

    @property
    def codes(self):
        return Codes(self.kfo, self.kvr or None, self.kosgu)

    def get_rec_name(self, name):
        return '%s: %s' % (self.contract.rec_name,
            ' '.join(filter(None, [self.kfo, self.kvr, self.kosgu])))

    @classmethod
    def get_executed(cls, lines, name):
        executed = cls.executed_amounts(lines)
        return {l.id: executed.get(l.id, ZERO) for l in lines}

    @classmethod
    def executed_amounts(cls, lines):
        """{line id: amount} executed of the lines: the suppliers'
        documents validated, posted or paid that execute them (their
        monetary obligations; a credit note counts negative)"""
        Invoice = Pool().get('account.invoice')
        result = {}
        for sub in grouped_slice([l.id for l in lines], IN_MAX):
            for invoice in Invoice.search([
                        ('contract_line', 'in', list(sub)),
                        ('state', 'in', ['validated', 'posted', 'paid']),
                        ]):
                line = invoice.contract_line.id
                result[line] = result.get(line, ZERO) + invoice.total_amount
        return result

    def _move_lines(self, debit_code, credit_code, amount):
        "The two move lines of an entry on the line's codes"
        return entry_lines(self.contract.company,
            {'kfo': self.kfo, 'kvr': self.kvr, 'kosgu': self.kosgu},
            debit_code, credit_code, amount)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        "A line whose obligation is posted stays: set its amount to 0"
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'delete':
            for line in lines:
                if line.accepted:
                    raise ContractError(gettext(
                            'kazan_accounting.msg_contract_line_delete',
                            line=line.rec_name))


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.contract']
