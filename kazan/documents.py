"""``kazan documents import FILE``: suppliers' documents (acts, invoices,
waybills, УПД) of many institutions, with their contracts.

read → check → write → report, like ``kazan plan import``:

- **read** the file (CSV or XLSX, one row per document, the columns of
  ``kazan_accounting.document_import.DOCUMENT_FILE_COLUMNS``) with the
  module's reader;
- **check** every row and the INNs of the institutions: any problem stops
  the import before anything is written;
- **write** each institution's documents in a transaction of its own
  (in ``jobs`` processes on PostgreSQL, the suppliers of every
  institution found or created first, together: the institutions share
  them, and two processes would create the same one twice): suppliers
  found by INN or created, contracts registered against the
  plan, documents posted (each accrues its expense or asset against
  302.xx and makes its obligation monetary).  A document already there
  (supplier, number, date) is left as it is: importing the same file
  again changes nothing.  An institution whose contract exceeds its plan,
  or whose document exceeds its contract, is refused whole;
- **report** in Russian: the problems with their file, line and column,
  what was posted, left, registered.
"""
import pathlib
from collections import defaultdict
from dataclasses import dataclass

from . import database, imports, parallel


def check(pool, data, filename):
    """Read and check the file: ([(inn, company id, [DocumentData])],
    [problem message]) with the messages in the transaction's language"""
    from trytond.modules.kazan_accounting.document_import import (
        describe, read_document_file)
    from trytond.modules.kazan_accounting.table import Problem
    Company = pool.get('company.company')
    documents, problems = read_document_file(data, filename)
    by_inn = defaultdict(list)
    for document in documents:
        by_inn[document.inn].append(document)
    companies = {c.inn: c.id for c in Company.search([
                ('inn', 'in', list(by_inn)),
                ])}
    for inn, inn_documents in sorted(by_inn.items()):
        if inn not in companies:
            problems.append(Problem(
                    'msg_document_import_unknown_institution', filename,
                    inn_documents[0].line, 'inn', inn, inn))
    problems.sort(key=lambda p: (p.line or 0, p.column or ''))
    groups = [(inn, companies[inn], inn_documents)
        for inn, inn_documents in sorted(by_inn.items())
        if inn in companies]
    return groups, [describe(p) for p in problems]


def add_suppliers(pool, documents):
    "Find the suppliers of the documents by INN, or create them"
    from trytond.modules.kazan_accounting.document_import import find_suppliers
    find_suppliers(documents)


def write(pool, company_id, documents):
    "Import the documents of one institution: {status: count}"
    from trytond.modules.kazan_accounting.document_import import (
        import_documents)
    Company = pool.get('company.company')
    return import_documents(Company(company_id), documents)


@dataclass
class Result(imports.Result):
    "What an import did: the problems that stopped it, or the documents"

    @property
    def unchanged(self):
        "Nothing written: every document was there already"
        return not (self.problems or self.failures or self.counts['posted']
            or self.counts['contracts'])


def import_file(settings, path, *, jobs=1):
    """Import the suppliers' documents of the file, in jobs processes on
    PostgreSQL; a file with any problem writes nothing"""
    path = pathlib.Path(path)
    data = imports.read_file(path)
    result = Result(path)
    groups, result.problems = database.run(settings,
        lambda pool: check(pool, data, path.name), readonly=True)
    if result.problems:
        return result
    tasks = [(inn, (company_id, documents))
        for inn, company_id, documents in groups]
    jobs = parallel.usable_jobs(settings, jobs)
    if jobs > 1:
        database.run(settings, lambda pool: add_suppliers(pool,
                [d for _, _, documents in groups for d in documents]))
    return imports.write_each(settings, result, write, tasks,
        "Загрузка документов поставщиков", jobs=jobs)
