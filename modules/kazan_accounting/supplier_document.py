# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Suppliers' documents: acts, invoices and waybills (brief §3 entries 16,
19, 22), on Tryton's supplier invoice (``account.invoice`` of type in).

A document has one budget classification, КФО, КВР and КОСГУ, which all
its move lines carry: a waybill of food and of other materials is two
documents.  ``supplier_accounts.csv`` (data) gives for each КОСГУ the
settlement account credited (302.xx, whose lines name the supplier) and
the account a line debits unless the accountant chooses another expense or
purchase account (401.20.КОСГУ, the materials 105.3x, the investments
106.xx; 109.61 when costs are accumulated per service).

A document may execute a line of a registered contract, whose КФО, КВР and
КОСГУ it takes, and may not exceed what that line leaves.  Posting it also
posts, in the same move, the monetary obligation (Dr 502.11 / Cr 502.12 on
its codes); a document without a contract accepts its obligation on the
way (Dr 506.10 / Cr 502.11): obligation_entries.csv.  Cancelling the
document reverses the whole move.  Its payable line is paid by the
statement import (the one open settlement of the supplier's INN and that
amount) and reconciled, which marks the document paid.
"""
import csv
import os
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .common import KFO
from .contract import ENTRIES, entry_lines
from .exceptions import SupplierDocumentError

ZERO = Decimal(0)

DOCUMENT_KINDS = [
    (None, ""),
    ('act', "Act"),
    ('invoice', "Invoice"),
    ('waybill', "Waybill"),
    ('upd', "Universal Transfer Document"),
    ]


# The journal of operations of the documents, by type of invoice
JOURNALS = {'in': 'journal_suppliers', 'out': 'journal_debtors'}


def _read_accounts():
    path = os.path.join(os.path.dirname(__file__), 'supplier_accounts.csv')
    with open(path, encoding='utf-8', newline='') as file:
        return {row['kosgu']: (row['payable'], row['debit'])
            for row in csv.DictReader(file, delimiter=';')}


# КОСГУ: (settlement account code, default debit account code)
ACCOUNTS = _read_accounts()


def obligation_operations(contracted):
    """The operations of obligation_entries.csv a document posts: the
    monetary obligation, and the obligation itself when no contract
    accepted it"""
    return ['monetary'] if contracted else ['accept', 'monetary']


def _account(company, code):
    "The postable account of the company's chart with that code, or None"
    Account = Pool().get('account.account')
    if not company or not code:
        return None
    accounts = Account.search([
            ('company', '=', company.id),
            ('code', '=', code),
            ('type', '!=', None),
            ], limit=1)
    return accounts[0] if accounts else None


class FiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear'

    @classmethod
    def create_invoice_sequences(cls, fiscalyears):
        """Give each fiscal year without invoice sequences one numbering
        of its documents (account_invoice's, for the four kinds): the
        fiscal years onboarded before the suppliers' documents have none
        (``kazan init`` gives them theirs)"""
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        InvoiceSequence = pool.get('account.fiscalyear.invoice_sequence')
        ModelData = pool.get('ir.model.data')
        table = InvoiceSequence.__table__()
        cursor = Transaction().connection.cursor()
        ids = [f.id for f in fiscalyears]
        if not ids:
            return
        cursor.execute(*table.select(table.fiscalyear,
                where=table.fiscalyear.in_(ids)))
        having = {f for f, in cursor}
        missing = [f for f in fiscalyears if f.id not in having]
        if not missing:
            return
        sequence_type = ModelData.get_id(
            'account_invoice', 'sequence_type_account_invoice')
        with Transaction().set_context(_check_access=False):
            sequences = Sequence.create([{
                        'name': gettext(
                            'kazan_accounting.msg_document_sequence_name',
                            fiscalyear=f.name),
                        'sequence_type': sequence_type,
                        'company': f.company.id,
                        'prefix': '%s/' % f.start_date.year,
                        } for f in missing])
            InvoiceSequence.create([{
                        'company': f.company.id,
                        'fiscalyear': f.id,
                        'in_invoice_sequence': s.id,
                        'in_credit_note_sequence': s.id,
                        'out_invoice_sequence': s.id,
                        'out_credit_note_sequence': s.id,
                        } for f, s in zip(missing, sequences)])

    @classmethod
    def supplier_sequences(cls, company, dates):
        """The numberings of suppliers' documents that posting on the dates
        takes, to lock with the moves' (lock_move_sequences)"""
        sequences = set()
        for fiscalyear in cls.search([('company', '=', company.id)]):
            if any(fiscalyear.start_date <= d <= fiscalyear.end_date
                    for d in dates):
                for invoice_sequence in fiscalyear.invoice_sequences:
                    sequences.add(invoice_sequence.in_invoice_sequence)
                    sequences.add(invoice_sequence.in_credit_note_sequence)
        return sequences


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    _states = {
        'readonly': Eval('state') != 'draft',
        'invisible': Eval('type') != 'in',
        }
    _required = dict(_states, required=Eval('type') == 'in')

    document_kind = fields.Selection(
        DOCUMENT_KINDS, "Document", sort=False, states=_states,
        help="What the supplier's document is: an act, an invoice, "
        "a waybill or a universal transfer document (УПД).")
    contract_line = fields.Many2One(
        'kazan.contract.line', "Contract Line", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('state') == 'draft',
                [('contract.party', '=', Eval('party', -1)),
                    ('contract.state', '=', 'registered')],
                []),
            ],
        help="The line of the contract the document executes: its "
        "codes, and what it leaves.")
    kfo = fields.Selection(
        [(None, "")] + KFO, "KFO", sort=False, states=_required)
    kvr = fields.Char("KVR", size=3, strip=True, states=_required)
    kosgu = fields.Char("KOSGU", size=3, strip=True, states=_required,
        help="Decides the settlement account (302.xx) and the account "
        "the lines debit by default.")

    del _states, _required

    @fields.depends('type')
    def set_journal(self, pattern=None):
        "The journals of operations No. 4 (suppliers) and 5 (debtors)"
        pool = Pool()
        Journal = pool.get('account.journal')
        ModelData = pool.get('ir.model.data')
        super().set_journal(pattern=pattern)
        xml_id = JOURNALS.get(self.type)
        if xml_id:
            self.journal = Journal(
                ModelData.get_id('kazan_accounting', xml_id))

    @fields.depends('contract_line', 'kfo', 'kvr', 'kosgu',
        methods=['on_change_kosgu'])
    def on_change_contract_line(self):
        if self.contract_line:
            self.kfo = self.contract_line.kfo
            self.kvr = self.contract_line.kvr
            self.kosgu = self.contract_line.kosgu
            self.on_change_kosgu()

    @fields.depends('kosgu', 'company', 'type', 'account')
    def on_change_kosgu(self):
        if self.type == 'in' and self.kosgu in ACCOUNTS:
            account = _account(self.company, ACCOUNTS[self.kosgu][0])
            if account:
                self.account = account

    @classmethod
    def validate(cls, invoices):
        super().validate(invoices)
        for invoice in invoices:
            if invoice.type == 'in' and invoice.state in {
                    'draft', 'validated'}:
                invoice.check_budget_classification()

    def check_budget_classification(self):
        "The КОСГУ has a settlement account, the one of the document"
        if self.kosgu not in ACCOUNTS:
            raise SupplierDocumentError(gettext(
                    'kazan_accounting.msg_document_kosgu_unknown',
                    document=self.rec_name, kosgu=self.kosgu or '-',
                    codes=', '.join(sorted(ACCOUNTS))))
        payable = ACCOUNTS[self.kosgu][0]
        if self.account and self.account.code != payable:
            raise SupplierDocumentError(gettext(
                    'kazan_accounting.msg_document_settlement_account',
                    document=self.rec_name, kosgu=self.kosgu,
                    expected=payable, account=self.account.code))
        line = self.contract_line
        if line and (line.kfo, line.kvr, line.kosgu) != (
                self.kfo, self.kvr, self.kosgu):
            raise SupplierDocumentError(gettext(
                    'kazan_accounting.msg_document_contract_codes',
                    document=self.rec_name, line=line.rec_name))

    @classmethod
    def check_contracts(cls, invoices):
        """Refuse documents above what their contract lines leave: the
        obligation accepted less the documents already executing it"""
        pool = Pool()
        ContractLine = pool.get('kazan.contract.line')
        invoices = [i for i in invoices
            if i.type == 'in' and i.contract_line and i.state == 'draft']
        if not invoices:
            return
        lines = list({i.contract_line for i in invoices})
        executed = ContractLine.executed_amounts(lines)
        for invoice in invoices:
            line = invoice.contract_line
            left = (line.accepted or ZERO) - executed.get(line.id, ZERO)
            if invoice.total_amount > left:
                raise SupplierDocumentError(gettext(
                        'kazan_accounting.msg_document_exceeds_contract',
                        document=invoice.rec_name, line=line.rec_name,
                        accepted=line.accepted or ZERO,
                        executed=executed.get(line.id, ZERO),
                        left=left, amount=invoice.total_amount))
            executed[line.id] = executed.get(line.id, ZERO) + (
                invoice.total_amount)

    @classmethod
    def validate_invoice(cls, invoices):
        cls.check_contracts(invoices)
        super().validate_invoice(invoices)

    @classmethod
    def _post(cls, invoices):
        cls.check_contracts(invoices)
        super()._post(invoices)

    def _get_move_line(self, date, amount):
        line = super()._get_move_line(date, amount)
        if self.type == 'in':
            line.kfo, line.kvr, line.kosgu = self.kfo, self.kvr, self.kosgu
        return line

    def get_move(self):
        MoveLine = Pool().get('account.move.line')
        if self.move or self.type != 'in':
            return super().get_move()
        move = super().get_move()
        # a credit note (negative) reverses the entries
        amount = self.company.currency.round(self.total_amount)
        codes = {'kfo': self.kfo, 'kvr': self.kvr, 'kosgu': self.kosgu}
        lines = list(move.lines)
        for operation in obligation_operations(bool(self.contract_line)):
            debit, credit = ENTRIES[operation]
            lines.extend(MoveLine(**values) for values in entry_lines(
                    self.company, codes, debit, credit, amount))
        move.lines = lines
        return move


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _account_domain(cls, type_):
        domain = super()._account_domain(type_)
        if type_ == 'in':
            domain = domain + [('type.purchase', '=', True)]
        return domain

    @classmethod
    def preprocess_values(cls, mode, values):
        "A line of a supplier's document debits by default its КОСГУ's account"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('account') and values.get(
                'invoice') and values.get('type', 'line') == 'line':
            invoice = Invoice(values['invoice'])
            if invoice.type == 'in' and invoice.kosgu in ACCOUNTS:
                account = _account(
                    invoice.company, ACCOUNTS[invoice.kosgu][1])
                if account:
                    values['account'] = account.id
        return values

    @fields.depends('invoice', '_parent_invoice.type',
        '_parent_invoice.kosgu', '_parent_invoice.company', 'account')
    def on_change_invoice(self):
        super().on_change_invoice()
        invoice = self.invoice
        if (invoice and invoice.type == 'in' and not self.account
                and invoice.kosgu in ACCOUNTS):
            self.account = _account(
                invoice.company, ACCOUNTS[invoice.kosgu][1])

    def get_move_lines(self):
        lines = super().get_move_lines()
        invoice = self.invoice
        if invoice and invoice.type == 'in':
            for line in lines:
                line.kfo, line.kvr, line.kosgu = (
                    invoice.kfo, invoice.kvr, invoice.kosgu)
        return lines
