# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Suppliers' documents and their contracts from a file: what an
institution's old system or its electronic document exchange lists, for
``kazan documents import`` (doc/it/documents.rst).

A documents file is a table (kazan_accounting.table: CSV or XLSX, a header
row, free column order) with one row per act, invoice, waybill or УПД:
the institution's and the supplier's INN, the supplier's name, the
document's number, date and kind, its КФО, КВР and КОСГУ and its amount;
optionally its contract (number, date, law, and the amount of the
contract's line of those codes, by default the sum of its documents in the
file).  Reading is pure and returns every problem with its file, line and
column; nothing is written when there is any.  Writing (import_documents)
finds or creates the suppliers by INN, registers the contracts not yet
registered (the plan is checked as for any contract) and posts the
documents; a document already there (the supplier's number and date) is
left as it is, so importing a file again changes nothing.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import table
from .common import KFO_CODES
from .contract import LAWS
from .counterparty import inn as counterparty_inn
from .identifiers import organisation_inn
from .model import describe_problem, lock_move_sequences
from .supplier_document import ACCOUNTS, DOCUMENT_KINDS

DOCUMENT_FILE_COLUMNS = [
    'inn', 'supplier_inn', 'supplier_name', 'number', 'date', 'kind', 'kfo',
    'kvr', 'kosgu', 'amount']
DOCUMENT_FILE_OPTIONAL_COLUMNS = [
    'description', 'contract', 'contract_date', 'law', 'contract_amount']
KINDS = [code for code, _ in DOCUMENT_KINDS if code]
LAW_CODES = [code for code, _ in LAWS]

# The messages of the table's own problems and of its cell parsers: the
# plan import's, worded for any file
_MESSAGES = {
    'unreadable_file': 'msg_plan_import_unreadable_file',
    'empty_file': 'msg_plan_import_empty_file',
    'unknown_column': 'msg_plan_import_unknown_column',
    'duplicate_column': 'msg_plan_import_duplicate_column',
    'missing_column': 'msg_plan_import_missing_column',
    'wrong_field_count': 'msg_plan_import_wrong_field_count',
    'no_worksheet': 'msg_plan_import_no_worksheet',
    'required': 'msg_plan_import_required',
    'invalid_inn': 'msg_plan_import_invalid_inn',
    'invalid_number': 'msg_plan_import_invalid_amount',
    'amount_too_large': 'msg_plan_import_amount_too_large',
    'invalid_date': 'msg_plan_import_invalid_date',
    'invalid_supplier_inn': 'msg_document_import_invalid_supplier_inn',
    'negative_amount': 'msg_document_import_amount_positive',
    'too_many_decimals': 'msg_document_import_too_many_decimals',
    'invalid_choice': 'msg_document_import_invalid_choice',
    'invalid_integer': 'msg_document_import_invalid_kvr',
    }


@dataclass(frozen=True)
class DocumentData:
    "One document of a file"
    file: str
    line: int
    inn: str
    supplier_inn: str
    supplier_name: str
    number: str
    date: object
    kind: str
    kfo: str
    kvr: str
    kosgu: str
    amount: Decimal
    description: str = None
    contract: str = None
    contract_date: object = None
    law: str = None
    contract_amount: Decimal = None

    @property
    def codes(self):
        return (self.kfo, self.kvr, self.kosgu)


def _positive(value):
    result = table.amount(value)
    if result <= 0:
        raise table.Invalid('negative_amount')
    return result


_PARSERS = {
    'inn': table.required(table.identifier(organisation_inn, 'invalid_inn')),
    'supplier_inn': table.required(
        table.identifier(counterparty_inn, 'invalid_supplier_inn')),
    'supplier_name': table.text,
    'number': table.text,
    'date': table.required(table.date),
    'kind': table.required(table.choice(KINDS)),
    'kfo': table.required(table.choice(KFO_CODES)),
    'kvr': table.required(lambda v: '%03d' % table.integer(v, digits=3)),
    'kosgu': table.required(table.choice(sorted(ACCOUNTS))),
    'amount': table.required(_positive),
    'description': lambda v: v or None,
    'contract': lambda v: v or None,
    'contract_date': table.optional(table.date),
    'law': table.optional(table.choice(LAW_CODES)),
    'contract_amount': table.optional(_positive),
    }


def read_document_file(data, filename):
    """Read the documents of a file (bytes): return (documents, problems),
    the problems table.Problems keyed by their message ids"""
    try:
        rows = table.read_table(data, DOCUMENT_FILE_COLUMNS,
            DOCUMENT_FILE_OPTIONAL_COLUMNS, name=filename)
    except table.TableError as error:
        return [], [_keyed(p) for p in error.problems]
    problems, documents, seen = [], [], {}
    for row, values in table.parse_rows(rows, _PARSERS, problems):
        def problem(key, column, **params):
            problems.append(table.Problem(key, row.file, row.line, column,
                    row.values.get('inn') or None,
                    row.values.get(column, ''), params))
        if values['contract'] and not values['contract_date']:
            problem('msg_document_import_contract_date_required',
                'contract_date')
        if None in [values[c] for c in DOCUMENT_FILE_COLUMNS]:
            continue
        key = (values['inn'], values['supplier_inn'], values['number'],
            values['date'])
        if key in seen:
            problem('msg_document_import_duplicate_row', 'number',
                first=seen[key])
            continue
        seen[key] = row.line
        documents.append(DocumentData(row.file, row.line, **{
                    c: values[c] for c in _PARSERS}))
    problems = [_keyed(p) for p in problems]
    problems.extend(_contract_problems(documents))
    return documents, problems


def _keyed(problem):
    "The problem keyed by its message"
    if not problem.key.startswith('msg_'):
        problem.key = _MESSAGES[problem.key]
    return problem


def _contract_problems(documents):
    "The rows of a contract must agree on its date, law and line amounts"
    problems = []
    first = {}
    for document in documents:
        if not document.contract:
            continue
        key = (document.inn, document.supplier_inn, document.contract)
        terms = (document.contract_date, document.law)
        if key not in first:
            first[key] = (terms, document.line, {})
        known, line, amounts = first[key]
        if terms != known:
            problems.append(table.Problem(
                    'msg_document_import_contract_conflict', document.file,
                    document.line, 'contract', document.inn,
                    document.contract, {'first': line}))
        amount = amounts.setdefault(document.codes, document.contract_amount)
        if amount != document.contract_amount:
            problems.append(table.Problem(
                    'msg_document_import_contract_conflict', document.file,
                    document.line, 'contract_amount', document.inn,
                    str(document.contract_amount or ''), {'first': line}))
    return problems


def describe(problem):
    "A problem of a documents file as the user reads it"
    return describe_problem(
        problem, inn_message='kazan_accounting.msg_plan_import_inn')


def import_documents(company, documents):
    """Write the documents of one institution: {status: count} of the
    documents (posted, duplicate) and of the contracts registered
    (contracts)"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    FiscalYear = pool.get('account.fiscalyear')
    ModelData = pool.get('ir.model.data')
    counts = defaultdict(int)
    # the numbers of the moves and documents locked first, in one request
    # (each is a restart of the transaction): asked for when posting, the
    # transaction would start again and do everything again; the dates of
    # the documents already there too, which costs nothing
    dates = ({d.date for d in documents}
        | {d.contract_date for d in documents if d.contract})
    lock_move_sequences(company.id, dates,
        FiscalYear.supplier_sequences(company, dates))
    suppliers = find_suppliers(documents)
    stored = {(i.party.id, i.reference, i.invoice_date)
        for i in Invoice.search([
                ('company', '=', company.id),
                ('type', '=', 'in'),
                ('party', 'in', list(set(suppliers.values()))),
                ('reference', 'in', list({d.number for d in documents})),
                ])}
    new = []
    for document in documents:
        if (suppliers[document.supplier_inn], document.number,
                document.date) in stored:
            counts['duplicate'] += 1
        else:
            new.append(document)
    lines, counts['contracts'] = _contract_lines(company, new, suppliers)
    journal = ModelData.get_id('kazan_accounting', 'journal_suppliers')
    addresses = _addresses({suppliers[d.supplier_inn] for d in new})
    accounts = _accounts(company, {d.kosgu for d in new})
    with Transaction().set_context(company=company.id):
        invoices = Invoice.create([{
                    'company': company.id, 'type': 'in',
                    'journal': journal,
                    'party': suppliers[d.supplier_inn],
                    'invoice_address': addresses[suppliers[d.supplier_inn]],
                    'account': accounts[d.kosgu][0],
                    'currency': company.currency.id,
                    'reference': d.number, 'invoice_date': d.date,
                    'document_kind': d.kind,
                    'kfo': d.kfo, 'kvr': d.kvr, 'kosgu': d.kosgu,
                    'contract_line': lines.get(d),
                    'description': d.description,
                    'lines': [('create', [{
                                    'type': 'line', 'quantity': 1,
                                    'unit_price': d.amount,
                                    'account': accounts[d.kosgu][1],
                                    'description': (d.description
                                        or d.number),
                                    }])],
                    } for d in new])
        Invoice.post(invoices)
    counts['posted'] += len(invoices)
    return dict(counts)


def find_suppliers(documents):
    """{INN: party id} of the documents' suppliers, those not found
    created (with an address: a document needs its supplier's)"""
    pool = Pool()
    Party = pool.get('party.party')
    found = {}
    names = {}
    for document in documents:
        names.setdefault(document.supplier_inn, document.supplier_name)
    unaddressed = []
    for inn in names:
        parties = Party.find_by_inn(inn)
        if parties:
            found[inn] = parties[0].id
            if not parties[0].addresses:
                unaddressed.append(parties[0])
    # a document needs its supplier's address, even an empty one
    pool.get('party.address').create([{'party': p.id} for p in unaddressed])
    missing = [inn for inn in names if inn not in found]
    parties = Party.create([{
                'name': names[inn],
                'identifiers': [('create', [{'type': 'ru_vat', 'code': inn}])],
                'addresses': [('create', [{}])],
                } for inn in missing])
    found.update({inn: p.id for inn, p in zip(missing, parties)})
    return found


def _addresses(party_ids):
    "{party id: its invoice address id}"
    Party = Pool().get('party.party')
    return {p.id: p.address_get(type='invoice').id
        for p in Party.browse(list(party_ids))}


def _accounts(company, kosgus):
    """{КОСГУ: (settlement account id, debit account id)} of the
    company's chart (supplier_accounts.csv)"""
    Account = Pool().get('account.account')
    codes = {c for k in kosgus for c in ACCOUNTS[k]}
    ids = {a.code: a.id for a in Account.search([
                ('company', '=', company.id),
                ('code', 'in', sorted(codes)),
                ('type', '!=', None),
                ])}
    return {k: (ids[ACCOUNTS[k][0]], ids[ACCOUNTS[k][1]]) for k in kosgus}


def _contract_lines(company, documents, suppliers):
    """({document: contract line id}, number of contracts registered): the
    contracts of the documents, registered with a line per codes when
    they are not yet"""
    pool = Pool()
    Contract = pool.get('kazan.contract')
    by_contract = defaultdict(list)
    for document in documents:
        if document.contract:
            by_contract[(suppliers[document.supplier_inn],
                    document.contract)].append(document)
    if not by_contract:
        return {}, 0
    existing = {(c.party.id, c.number): c for c in Contract.search([
                ('company', '=', company.id),
                ('number', 'in', list({n for _, n in by_contract})),
                ])}
    to_create = []
    for (party, number), contract_documents in sorted(by_contract.items()):
        if (party, number) in existing:
            continue
        amounts = defaultdict(Decimal)
        for document in contract_documents:
            if document.contract_amount:
                amounts[document.codes] = document.contract_amount
            else:
                amounts[document.codes] += document.amount
        first = contract_documents[0]
        to_create.append({
                'company': company.id, 'party': party, 'number': number,
                'date': first.contract_date, 'law': first.law or '44',
                'lines': [('create', [{
                                'kfo': kfo, 'kvr': kvr, 'kosgu': kosgu,
                                'amount': amount}
                            for (kfo, kvr, kosgu), amount
                            in sorted(amounts.items())])],
                })
    created = Contract.create(to_create)
    Contract.register(created)
    for contract in created:
        existing[(contract.party.id, contract.number)] = contract
    lines = {}
    for key, contract_documents in by_contract.items():
        by_codes = {(l.kfo, l.kvr, l.kosgu): l.id
            for l in existing[key].lines}
        for document in contract_documents:
            lines[document] = by_codes.get(document.codes)
    return lines, len(created)
