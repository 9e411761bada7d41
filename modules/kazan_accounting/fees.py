# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Parents' fees (родительская плата за присмотр и уход) and paid services.

Each child (or pupil) has a personal account number (лицевой счёт, unique
in the institution) and a payer, a parent as a party.  A monthly charge is
the attendance timesheet: days attended × the daily rate, less the benefit
of the child's category; posting it books Dr 205.31 / Cr 401.10.131 in КФО
2, one receivable line per child (its origin the child's charge line).  The
payment agent's registry brings the payments: each posts Dr 201.11 / Cr
205.31 (its origin the payment) and a child whose lines come to zero is
reconciled; a payment id already imported is ignored.  The debt of a
child is what its posted charges exceed its payments by; a family's is the
sum over the payer's children.  The accounts of the entries are data
(income_entries.csv).
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.account.exceptions import PeriodNotFoundError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import fee_notice, fee_rules, model
from .exceptions import FeeError, FeeRegistryError, FontNotFound
from .export.pdf import FONT_ENVIRON, FONT_PACKAGE
from .model import DocumentMixin, tables

STATES = [
    ('draft', "Draft"),
    ('posted', "Posted"),
    ]


def first_day(date):
    return date.replace(day=1)


def last_day(date):
    following = (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def company_account(company, code):
    "The account of the institution's chart with code"
    pool = Pool()
    Account = pool.get('account.account')
    accounts = Account.search([
            ('company', '=', company.id),
            ('code', '=', code),
            ('type', '!=', None),
            ], limit=1)
    if not accounts:
        raise FeeError(gettext('kazan_accounting.msg_fee_account_missing',
                code=code, institution=company.rec_name))
    return accounts[0]


def move_values(company, journal, date, description, origin, lines):
    "The values of a move of an income document (journal: its XML id)"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Period = pool.get('account.period')
    return {
        'company': company.id,
        'journal': ModelData.get_id('kazan_accounting', journal),
        'period': Period.find(company, date=date).id,
        'date': date,
        'origin': str(origin) if origin else None,
        'description': description,
        'lines': [('create', lines)],
        }


def entry_lines(company, operation, kfo, amount, description=None,
        origin=None, origin_side='debit'):
    """The two lines of an entry of income_entries.csv; the receivable
    (origin_side) has the document as origin, to be found and reconciled.

    No party on the lines: 205.31 and 205.52 are not party_required in
    the chart (the onboarded balances and every other entry on them have
    none, and Tryton refuses a party on such an account); the payer or the
    founder is the document's"""
    entry = fee_rules.entry(operation, kfo)
    debit = {
        'account': company_account(company, entry.debit).id,
        'kfo': kfo, 'kosgu': entry.debit_kosgu or None,
        'debit': amount, 'credit': Decimal(0),
        'description': description,
        }
    credit = {
        'account': company_account(company, entry.credit).id,
        'kfo': kfo, 'kosgu': entry.credit_kosgu or None,
        'debit': Decimal(0), 'credit': amount,
        'description': description,
        }
    if origin is not None:
        (debit if origin_side == 'debit' else credit)['origin'] = str(origin)
    return [debit, credit]


def reconcile_children(children):
    """Reconcile, for each child, its unreconciled charge and payment lines
    of the ledger when they come to zero (a month paid in full)"""
    pool = Pool()
    Line = pool.get('account.move.line')
    ChargeLine = pool.get('kazan.fee.charge.line')
    Payment = pool.get('kazan.fee.payment')
    ids = [c.id for c in children]
    if not ids:
        return
    origins = {}
    for record in ChargeLine.search([('child', 'in', ids)]):
        origins[str(record)] = record.child.id
    for record in Payment.search([('child', 'in', ids)]):
        origins[str(record)] = record.child.id
    by_child = defaultdict(list)
    for line in Line.search([
                ('origin', 'in', list(origins)),
                ('reconciliation', '=', None),
                ('move.state', '=', 'posted'),
                ]):
        by_child[origins[str(line.origin)]].append(line)
    to_reconcile = [lines for lines in by_child.values()
        if sum(l.debit - l.credit for l in lines) == 0]
    if to_reconcile:
        Line.reconcile(*to_reconcile)


class Benefit(DeactivableMixin, ModelSQL, ModelView):
    """Benefit category of the parents' fee (льгота), in percent of the
    charge; the founder's decree sets them: editable data"""
    __name__ = 'kazan.fee.benefit'

    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True, translate=True)
    percent = fields.Numeric(
        "Percent", digits=(5, 2), required=True,
        domain=[('percent', '>=', 0), ('percent', '<=', 100)],
        help="The share of the charge the family does not pay.")
    unconfirmed = fields.Boolean(
        "Unconfirmed",
        help="The category or its percentage is not confirmed by a "
        "decree the service has seen: check it.")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'kazan_accounting.msg_fee_benefit_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))


class Payee(ModelSQL, ModelView):
    """Where the families pay the institution: the details the notice and
    its QR code give"""
    __name__ = 'kazan.fee.payee'

    company = fields.Many2One(
        'company.company', "Institution", required=True, ondelete='CASCADE')
    name = fields.Char("Payee", required=True,
        help="As the treasury names the account, e.g. "
        "УФК по Республике Татарстан (МБДОУ \"Детский сад №1\", "
        "ЛБВ30800668).")
    account = fields.Char("Account", required=True, size=20, strip=True,
        help="The treasury (or bank) account, 20 digits.")
    bank_name = fields.Char("Bank", required=True)
    bic = fields.Char("BIC", required=True, size=9, strip=True)
    correspondent_account = fields.Char(
        "Correspondent Account", size=20, strip=True,
        help="20 digits, or empty (0 in the QR code) for a treasury "
        "account.")
    purpose = fields.Char("Purpose", required=True,
        help="The purpose of payment printed on the notice; "
        "the month is appended.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_unique', Unique(t, t.company),
                'kazan_accounting.msg_fee_payee_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_purpose(cls):
        return "Родительская плата за присмотр и уход"

    @classmethod
    def validate_fields(cls, payees, field_names):
        super().validate_fields(payees, field_names)
        for payee in payees:
            # The treasury's BICs begin with 01 (identifiers.bic takes
            # banks' only, 04…): 9 digits here; accounts: 20 digits
            for value, length in [(payee.bic, 9), (payee.account, 20),
                    (payee.correspondent_account, 20)]:
                if value and not (len(value) == length and value.isascii()
                        and value.isdigit()):
                    raise FeeError(gettext(
                            'kazan_accounting.msg_fee_payee_invalid',
                            value=value, payee=payee.name))

    @classmethod
    def of(cls, company):
        payees = cls.search([('company', '=', company.id)], limit=1)
        return payees[0] if payees else None


class Child(DeactivableMixin, ModelSQL, ModelView):
    "Child (or pupil) paying a fee, by personal account number"
    __name__ = 'kazan.fee.child'

    company = fields.Many2One(
        'company.company', "Institution", required=True, ondelete='CASCADE')
    number = fields.Char("Personal Account", required=True, strip=True,
        help="The personal account number (лицевой счёт) of the child, "
        "unique in the institution; the payment agent's registry names it.")
    name = fields.Char("Name", required=True)
    group = fields.Char("Group")
    payer = fields.Many2One('party.party', "Payer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The parent who pays.")
    daily_rate = fields.Numeric(
        "Daily Rate", digits=(16, 2), required=True,
        domain=[('daily_rate', '>=', 0)])
    benefit = fields.Many2One('kazan.fee.benefit', "Benefit")
    debt = fields.Function(
        fields.Numeric("Debt", digits=(16, 2),
            help="Posted charges not paid (negative: paid in advance)."),
        'get_debt')
    family_debt = fields.Function(
        fields.Numeric("Family Debt", digits=(16, 2),
            help="The debt of all the children of the payer in the "
            "institution."),
        'get_debt')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.company, t.number),
                'kazan_accounting.msg_fee_child_number_unique'),
            ]
        cls._order.insert(0, ('number', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s %s' % (self.number, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
        return [bool_op, ('number', operator, value),
            ('name', operator, value)]

    @classmethod
    def get_debt(cls, children, names):
        "The debt of each child and of its family, as of context's date"
        date = Transaction().context.get('date')
        result = {name: {} for name in names}
        if 'debt' in names:
            debts = cls.debts(children, date)
            result['debt'] = {
                c.id: debts.get(c.id, Decimal(0)) for c in children}
        if 'family_debt' in names:
            families = defaultdict(list)
            for child in cls.search([
                        ('payer', 'in', list({c.payer.id for c in children})),
                        ('company', 'in', list({c.company.id
                                    for c in children})),
                        ]):
                families[child.company, child.payer].append(child)
            members = [m for f in families.values() for m in f]
            debts = cls.debts(members, date)
            for child in children:
                result['family_debt'][child.id] = sum(
                    (debts.get(m.id, Decimal(0))
                        for m in families[child.company, child.payer]),
                    Decimal(0))
        return result

    @classmethod
    def debts(cls, children, date=None):
        """The debt of each child (id -> amount) as of date (all when
        None): its posted charges less its payments, in one query"""
        line, charge, payment = tables(
            'kazan.fee.charge.line', 'kazan.fee.charge', 'kazan.fee.payment')
        cursor = Transaction().connection.cursor()
        ids = [c.id for c in children]
        if not ids:
            return {}
        charge_where = (charge.state == 'posted') & (line.child.in_(ids))
        payment_where = payment.child.in_(ids)
        if date:
            charge_where &= charge.date <= date
            payment_where &= payment.date <= date
        charged = line.join(charge, condition=line.charge == charge.id
            ).select(line.child, Coalesce(line.amount, 0).as_('amount'),
                where=charge_where)
        paid = payment.select(payment.child,
            (Literal(0) - Coalesce(payment.amount, 0)).as_('amount'),
            where=payment_where)
        union = charged | paid
        query = union.select(union.child.as_('child'),
            Sum(union.amount).as_('amount'), group_by=[union.child])
        sqlite_apply_types(query, [None, 'NUMERIC'])
        cursor.execute(*query)
        return {child: Decimal(amount or 0).quantize(fee_rules.CENT)
            for child, amount in cursor}


class Charge(DocumentMixin, Workflow, ModelSQL, ModelView):
    "Monthly charge of the parents' fees (the attendance timesheet)"
    __name__ = 'kazan.fee.charge'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    month = fields.Date("Month", required=True, states=_states,
        help="The first day of the month charged.")
    date = fields.Date("Date", required=True, states=_states,
        help="The date of the entry, by default the month's last day.")
    lines = fields.One2Many('kazan.fee.charge.line', 'charge', "Lines",
        states=_states)
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    move = fields.Many2One('account.move', "Move", readonly=True)
    total = fields.Function(
        fields.Numeric("Total", digits=(16, 2)), 'get_total')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_month_unique', Unique(t, t.company, t.month),
                'kazan_accounting.msg_fee_charge_month_unique'),
            ]
        cls._order = [('month', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'posted')}
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    def get_rec_name(self, name):
        return '%s %s' % (self.company.rec_name,
            self.month.strftime('%m.%Y') if self.month else '')

    @fields.depends('month', 'date')
    def on_change_month(self):
        if self.month:
            self.month = first_day(self.month)
            self.date = last_day(self.month)

    def get_total(self, name):
        return sum((l.amount or 0 for l in self.lines), Decimal(0))

    @classmethod
    def validate_fields(cls, charges, field_names):
        super().validate_fields(charges, field_names)
        for charge in charges:
            if charge.month and charge.month.day != 1:
                raise FeeError(gettext(
                        'kazan_accounting.msg_fee_charge_month_first',
                        month=charge.month))

    @classmethod
    def check_modification(cls, mode, charges, values=None, external=False):
        super().check_modification(
            mode, charges, values=values, external=external)
        if mode == 'delete':
            for charge in charges:
                if charge.state != 'draft':
                    raise FeeError(gettext(
                            'kazan_accounting.msg_fee_charge_delete_posted',
                            charge=charge.rec_name))

    @classmethod
    @ModelView.button
    def fill(cls, charges):
        """A line for every active child of the institution that has
        none, with its rate and benefit and no day attended yet"""
        pool = Pool()
        Child = pool.get('kazan.fee.child')
        Line = pool.get('kazan.fee.charge.line')
        to_create = []
        for charge in charges:
            present = {l.child.id for l in charge.lines}
            for child in Child.search([('company', '=', charge.company.id)]):
                if child.id not in present:
                    to_create.append(Line.values_of(charge, child, 0))
        Line.create(to_create)

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, charges):
        "Book each charge: a receivable line per child, with the payer"
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('kazan.fee.charge.line')
        Line.compute_amounts([l for c in charges for l in c.lines])
        moves = []
        for charge in charges:
            lines = []
            for line in charge.lines:
                if not line.amount:
                    continue
                lines.extend(entry_lines(charge.company, 'fee_charge', '2',
                        line.amount, description=line.child.rec_name,
                        origin=line))
            if not lines:
                raise FeeError(gettext(
                        'kazan_accounting.msg_fee_charge_empty',
                        charge=charge.rec_name))
            moves.append(move_values(charge.company, 'journal_debtors',
                    charge.date, gettext(
                        'kazan_accounting.msg_fee_charge_description',
                        month=charge.month.strftime('%m.%Y')),
                    charge, lines))
        moves = Move.create(moves)
        Move.post(moves)
        for charge, move in zip(charges, moves):
            charge.move = move
        cls.save(charges)
        reconcile_children([l.child for c in charges for l in c.lines])


class ChargeLine(ModelSQL, ModelView):
    "Line of a monthly charge: one child's days attended"
    __name__ = 'kazan.fee.charge.line'

    _states = {'readonly': Eval('charge_state') != 'draft'}

    charge = fields.Many2One('kazan.fee.charge', "Charge", required=True,
        ondelete='CASCADE', states=_states)
    child = fields.Many2One('kazan.fee.child', "Child", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_states)
    days = fields.Integer("Days Attended", required=True,
        domain=[('days', '>=', 0), ('days', '<=', 31)], states=_states)
    daily_rate = fields.Numeric("Daily Rate", digits=(16, 2),
        required=True, domain=[('daily_rate', '>=', 0)], states=_states)
    benefit = fields.Many2One('kazan.fee.benefit', "Benefit",
        states=_states)
    benefit_percent = fields.Numeric("Benefit Percent", digits=(5, 2),
        required=True, states=_states,
        domain=[('benefit_percent', '>=', 0),
            ('benefit_percent', '<=', 100)])
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
    company = fields.Function(
        fields.Many2One('company.company', "Institution"),
        'on_change_with_company')
    charge_state = fields.Function(
        fields.Selection(STATES, "Charge State"),
        'on_change_with_charge_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('charge')
        t = cls.__table__()
        cls._sql_constraints += [
            ('charge_child_unique', Unique(t, t.charge, t.child),
                'kazan_accounting.msg_fee_charge_line_unique'),
            ]

    @classmethod
    def default_days(cls):
        return 0

    @classmethod
    def default_benefit_percent(cls):
        return Decimal('0.00')

    @fields.depends('charge', '_parent_charge.company')
    def on_change_with_company(self, name=None):
        return self.charge.company if self.charge else None

    @fields.depends('charge', '_parent_charge.state')
    def on_change_with_charge_state(self, name=None):
        return self.charge.state if self.charge else None

    @fields.depends('child', 'benefit', 'daily_rate')
    def on_change_child(self):
        if self.child:
            self.daily_rate = self.child.daily_rate
            self.benefit = self.child.benefit
            self.on_change_benefit()

    @fields.depends('benefit', 'benefit_percent')
    def on_change_benefit(self):
        self.benefit_percent = (
            self.benefit.percent if self.benefit else Decimal('0.00'))

    @fields.depends('days', 'daily_rate', 'benefit_percent', 'amount')
    def on_change_with_amount(self):
        if self.days is None or self.daily_rate is None:
            return None
        return fee_rules.charge_amount(
            self.days, self.daily_rate, self.benefit_percent or 0)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        "The lines of a posted charge are what its move booked"
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'create', 'delete'} or (
                mode == 'write' and set(values or {}) - {'amount'}):
            for line in lines:
                if line.charge.state != 'draft':
                    raise FeeError(gettext(
                            'kazan_accounting.msg_fee_charge_line_posted',
                            charge=line.charge.rec_name))

    @classmethod
    def values_of(cls, charge, child, days):
        "The values of a line of child in charge"
        benefit = child.benefit
        return {
            'charge': charge.id, 'child': child.id, 'days': days,
            'daily_rate': child.daily_rate,
            'benefit': benefit.id if benefit else None,
            'benefit_percent': benefit.percent if benefit else Decimal('0.00'),
            }

    @classmethod
    def create(cls, vlist):
        lines = super().create(vlist)
        cls.compute_amounts(lines)
        return lines

    @classmethod
    def write(cls, *args):
        super().write(*args)
        cls.compute_amounts(sum(args[0:None:2], []))

    @classmethod
    def compute_amounts(cls, lines):
        "Store the amount of each line (fee_rules.charge_amount)"
        to_write = []
        for line in lines:
            amount = line.on_change_with_amount()
            if amount != line.amount:
                to_write.extend([[line], {'amount': amount}])
        if to_write:
            super().write(*to_write)


class Payment(ModelSQL, ModelView):
    "Payment of a parents' fee received through the payment agent"
    __name__ = 'kazan.fee.payment'

    company = fields.Many2One(
        'company.company', "Institution", required=True, readonly=True)
    child = fields.Many2One('kazan.fee.child', "Child", required=True,
        readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        readonly=True)
    payment_id = fields.Char("Payment ID", required=True, readonly=True,
        help="The payment agent's identifier of the payment: "
        "a payment already imported is ignored.")
    registry = fields.Char("Registry", readonly=True,
        help="The file and line the payment was imported from.")
    move = fields.Many2One('account.move', "Move", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('payment_id_unique', Unique(t, t.company, t.payment_id),
                'kazan_accounting.msg_fee_payment_id_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def registry_problems(cls, company, payments):
        """The Problems of writing the RegistryPayments for company: an
        unknown personal account, a date in no open period"""
        pool = Pool()
        Child = pool.get('kazan.fee.child')
        Period = pool.get('account.period')
        numbers = {p.account for p in payments}
        known = {c.number for c in Child.search([
                    ('company', '=', company.id),
                    ('number', 'in', list(numbers)),
                    ])}
        problems = []
        for payment in payments:
            if payment.account not in known:
                problems.append(fee_rules.table.Problem(
                        'msg_fee_registry_unknown_account', payment.file,
                        payment.line, 'account', company.inn,
                        payment.account))
                continue
            try:
                Period.find(company, date=payment.date)
            except PeriodNotFoundError:
                problems.append(fee_rules.table.Problem(
                        'msg_fee_registry_no_period', payment.file,
                        payment.line, 'date', company.inn,
                        payment.date.isoformat()))
        return problems

    @classmethod
    def import_registry(cls, company, payments):
        """Write the RegistryPayments of company (see read_registry and
        registry_problems, which must give none): return the payments
        created and the number of those already imported (ignored)"""
        pool = Pool()
        Child = pool.get('kazan.fee.child')
        Move = pool.get('account.move')
        problems = cls.registry_problems(company, payments)
        if problems:
            raise FeeRegistryError(describe_problems(problems))
        existing = {p.payment_id for p in cls.search([
                    ('company', '=', company.id),
                    ('payment_id', 'in', [p.payment_id for p in payments]),
                    ])}
        new = [p for p in payments if p.payment_id not in existing]
        if not new:
            return [], len(payments)
        children = {c.number: c for c in Child.search([
                    ('company', '=', company.id),
                    ('number', 'in', list({p.account for p in new})),
                    ])}
        records = cls.create([{
                    'company': company.id,
                    'child': children[p.account].id,
                    'date': p.date, 'amount': p.amount,
                    'payment_id': p.payment_id,
                    'registry': '%s:%s' % (p.file, p.line),
                    } for p in new])
        by_date = defaultdict(list)
        for record in records:
            by_date[record.date].append(record)
        moves = []
        for date, day_payments in sorted(by_date.items()):
            lines = []
            for payment in day_payments:
                lines.extend(entry_lines(company, 'fee_receipt', '2',
                        payment.amount, description='%s %s' % (
                            payment.child.number, payment.payment_id),
                        origin=payment, origin_side='credit'))
            moves.append((day_payments, move_values(
                        company, 'journal_non_cash', date, gettext(
                            'kazan_accounting.msg_fee_receipt_description',
                            date=date.strftime('%d.%m.%Y')),
                        None, lines)))
        created = Move.create([v for _, v in moves])
        Move.post(created)
        for (day_payments, _), move in zip(moves, created):
            for payment in day_payments:
                payment.move = move
        cls.save(records)
        reconcile_children({r.child for r in records})
        return records, len(payments) - len(new)


def describe_problems(problems, limit=20):
    "The message of a refused registry, with its first problems"
    return model.describe_problems(problems,
        'kazan_accounting.msg_fee_registry_failed',
        'kazan_accounting.msg_fee_registry_more', limit)


def import_registry_file(company, source, name=None):
    """Read and write a registry for company: (payments created, ignored
    as already imported); FeeRegistryError names every problem, and then
    nothing is written"""
    pool = Pool()
    Payment = pool.get('kazan.fee.payment')
    payments, problems = fee_rules.read_registry(source, name)
    if not problems:
        problems = Payment.registry_problems(company, payments)
    if problems:
        for problem in problems:
            problem.inn = problem.inn or company.inn
        raise FeeRegistryError(describe_problems(problems))
    return Payment.import_registry(company, payments)


class RegistryImportStart(ModelView):
    "Import a Registry of Payments"
    __name__ = 'kazan.fee.registry.import.start'

    company = fields.Many2One(
        'company.company', "Institution", required=True, readonly=True)
    file = fields.Binary("File", required=True, filename='filename',
        help="CSV or XLSX with the columns account;date;amount;payment_id.")
    filename = fields.Char("File Name", readonly=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class RegistryImportDone(ModelView):
    "Registry Imported"
    __name__ = 'kazan.fee.registry.import.done'

    created = fields.Integer("Payments Imported", readonly=True)
    ignored = fields.Integer("Already Imported", readonly=True)


class RegistryImport(Wizard):
    """Import the payment agent's registry for the current institution:
    the whole file or nothing"""
    __name__ = 'kazan.fee.registry.import'

    start = StateView('kazan.fee.registry.import.start',
        'kazan_accounting.fee_registry_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('kazan.fee.registry.import.done',
        'kazan_accounting.fee_registry_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        created, ignored = import_registry_file(self.start.company,
            self.start.file, self.start.filename or 'registry.csv')
        self.done.created = len(created)
        self.done.ignored = ignored
        return 'done'

    def default_done(self, fields):
        return {'created': self.done.created, 'ignored': self.done.ignored}


def notices(children, month):
    """The payee details of the children's institution and a Notice of
    each of their families for month (a first day)"""
    pool = Pool()
    Child = pool.get('kazan.fee.child')
    Payee = pool.get('kazan.fee.payee')
    ChargeLine = pool.get('kazan.fee.charge.line')
    Payment = pool.get('kazan.fee.payment')
    companies = {c.company for c in children}
    if len(companies) != 1:
        raise FeeError(gettext('kazan_accounting.msg_fee_notice_one_company'))
    company, = companies
    payee = Payee.of(company)
    if payee is None:
        raise FeeError(gettext('kazan_accounting.msg_fee_payee_missing',
                institution=company.rec_name))
    family = Child.search([
            ('company', '=', company.id),
            ('payer', 'in', list({c.payer.id for c in children})),
            ], order=[('number', 'ASC')])
    end = last_day(month)
    before = Child.debts(family, month - dt.timedelta(days=1))
    after = Child.debts(family, end)
    lines = {l.child.id: l for l in ChargeLine.search([
                ('child', 'in', [c.id for c in family]),
                ('charge.month', '=', month),
                ('charge.state', '=', 'posted'),
                ])}
    paid = defaultdict(Decimal)
    for payment in Payment.search([
                ('child', 'in', [c.id for c in family]),
                ('date', '>=', month), ('date', '<=', end),
                ]):
        paid[payment.child.id] += payment.amount
    by_payer = defaultdict(list)
    for child in family:
        line = lines.get(child.id)
        by_payer[child.payer].append(fee_notice.ChildRow(
                child.number, child.name,
                line.days if line else 0,
                line.daily_rate if line else child.daily_rate,
                line.benefit_percent if line else Decimal(0),
                line.amount if line else Decimal(0),
                before.get(child.id, Decimal(0)),
                paid[child.id],
                after.get(child.id, Decimal(0))))
    details = fee_notice.PayeeDetails(
        payee.name, company.inn or '', company.kpp or '', payee.account,
        payee.bank_name, payee.bic, payee.correspondent_account,
        payee.purpose, company.full_name or company.rec_name)
    result = [fee_notice.Notice(payer.rec_name, month.strftime('%m.%Y'),
            rows) for payer, rows in sorted(by_payer.items(),
            key=lambda i: (i[0].rec_name, i[0].id))]
    return details, result


class NoticeReport(Report):
    """The notices (квитанции) of the families of the children, for the
    month of data (a date; by default the last month charged)"""
    __name__ = 'kazan.fee.notice'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Charge = pool.get('kazan.fee.charge')
        month = data.get('month')
        if isinstance(month, str):
            month = dt.date.fromisoformat(month)
        if month is None and records:
            charges = Charge.search([
                    ('company', '=', records[0].company.id),
                    ('state', '=', 'posted'),
                    ], order=[('month', 'DESC')], limit=1)
            month = charges[0].month if charges else first_day(
                Pool().get('ir.date').today())
        details, family_notices = notices(records, first_day(month))
        try:
            return 'pdf', fee_notice.notices_pdf(details, family_notices)
        except FontNotFound as error:
            raise UserError(gettext(
                    'kazan_accounting.msg_statement_pdf_font',
                    package=FONT_PACKAGE, variable=FONT_ENVIRON)) from error


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    fee_institutions = fields.Function(fields.Many2Many(
            'company.company', None, None, "Fee Institutions",
            help="The institutions where the person pays a fee for a "
            "child."),
        'get_fee_institutions', searcher='search_fee_institutions')

    @classmethod
    def get_fee_institutions(cls, parties, name):
        pool = Pool()
        Child = pool.get('kazan.fee.child')
        result = {p.id: set() for p in parties}
        for child in Child.search([
                    ('payer', 'in', [p.id for p in parties]),
                    ('active', 'in', [True, False]),
                    ]):
            result[child.payer.id].add(child.company.id)
        return {p: sorted(c) for p, c in result.items()}

    @classmethod
    def search_fee_institutions(cls, name, clause):
        """In SQL over every child, whatever the user may read of them:
        the rule on parties is built on it (fee.xml)"""
        pool = Pool()
        Child = pool.get('kazan.fee.child')
        child = Child.__table__()
        _, operator, value = clause[:3]
        if value is None and operator in {'=', '!='}:
            query = child.select(child.payer, where=child.payer != Null)
            return [('id', 'not in' if operator == '=' else 'in', query)]
        Operator = fields.SQL_OPERATORS[operator]
        query = child.select(child.payer, where=Operator(child.company, value))
        return [('id', 'in', query)]


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'kazan.fee.charge', 'kazan.subsidy.agreement']


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    @classmethod
    def _get_origin(cls):
        "The receivable lines of the income documents point to them"
        return super()._get_origin() + [
            'kazan.fee.charge.line', 'kazan.fee.payment',
            'kazan.subsidy.agreement']
