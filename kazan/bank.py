"""``kazan bank import FILE ...``: bank and treasury statements into the
ledgers (interfaces.md §5).

read → check → import → report:

- **read** each file (kazan_accounting.bank_exchange: 1CClientBankExchange
  or the CSV layout).  A file that cannot be used (not a statement file, a
  wrong encoding, cut short, a document without its end marker) is named
  with its line and nothing of it is imported;
- **check** each statement's own arithmetic and its account: an account
  that no institution holds (or whose КФО is unknown) refuses the
  statement;
- **import** each institution's statements in a transaction of its own
  (kazan_accounting.bank_import: the opening balance against the ledger,
  the duplicates, the matching, the rules, the posting), in ``--jobs``
  processes on PostgreSQL, the biggest institutions first (when every
  document is stored already, a second import of the same files, in
  this process alone: one query tells); ``--dry-run`` does all of it and
  rolls back;
- **report** each document's fate (``--report FILE``, JSON) and every
  problem in Russian with its file and line.
"""
import json
import pathlib
from collections import defaultdict
from dataclasses import dataclass, field

from . import database, parallel
from .config import UsageError
from .progress import Progress


@dataclass
class Result:
    "What an import did (or, on a dry run, would do)"
    dry_run: bool = False
    lines: list = field(default_factory=list)  # bank_import.LineResult
    problems: list = field(default_factory=list)  # table.Problem
    failures: dict = field(default_factory=dict)  # INN: why it failed

    @property
    def ok(self):
        return not (self.problems or self.failures)

    def count(self, status):
        return sum(1 for line in self.lines if line.status == status)


def import_files(settings, paths, *, dry_run=False, jobs=1):
    """Import the statements of the files; a statement with a problem is
    not imported, the others are.  Raise UsageError when a file is missing
    or the database is not initialised"""
    # trytond configured before any of its modules is imported
    database.apply(settings)
    if not database.is_initialised(settings):
        raise UsageError(f"база «{settings.database}» не подготовлена: "
            "сначала выполните kazan init")
    from trytond.modules.kazan_accounting import bank_import
    from trytond.modules.kazan_accounting.bank_import import refused

    jobs = parallel.usable_jobs(settings, jobs)
    result = Result(dry_run)
    statements = _read(paths, result)
    if jobs > 1 and not _any_new(settings, statements):
        # a second import of the same files: the balances and the report
        # are read in this process, no worker is started
        jobs = 1
    # the workers load Tryton while this process loads it and finds the
    # institutions
    with parallel.started(settings, jobs) as workers:
        accounts = database.run(settings, lambda pool: _accounts(
                [s.account for s in statements]), readonly=True)
        by_company = defaultdict(list)
        for statement in statements:
            if statement.account in accounts:
                by_company[accounts[statement.account]].append(statement)
            else:
                result.problems.append(bank_import.unknown(statement))
                result.lines.extend(refused(statement, None))
        # the biggest first: the workers end together
        tasks = [(inn, (company_id, inn, company_statements, dry_run))
            for (company_id, inn), company_statements in sorted(
                by_company.items(), key=lambda i: (
                    -sum(len(s.documents) for s in i[1]), i[0][1] or ''))]
        with Progress(len(tasks), "Загрузка выписок") as progress:
            for inn, done, error in parallel.each(settings, work, tasks, jobs,
                    workers=workers):
                if error:
                    result.failures[inn] = error
                    for statement in by_company_of(by_company, inn):
                        result.lines.extend(refused(statement, inn))
                else:
                    lines, problems = done
                    result.lines.extend(lines)
                    result.problems.extend(problems)
                progress.step(inn)
    result.lines.sort(key=lambda l: (l.file, l.line))
    database.run(settings, lambda pool: describe(result.problems),
        readonly=True)
    return result


def _read(paths, result):
    """The statements of the files without a problem; the others' problems
    and refused lines added to result"""
    from trytond.modules.kazan_accounting import bank_exchange
    from trytond.modules.kazan_accounting.bank_import import refused
    statements = []
    for path in map(pathlib.Path, paths):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UsageError(f"{path}: файл не читается: {error.strerror}")
        found, problems = bank_exchange.read(str(path), data)
        result.problems.extend(problems)
        for statement in found:
            if statement.problems:
                result.problems.extend(statement.problems)
                result.lines.extend(refused(statement, None))
            else:
                statements.append(statement)
    return statements


def by_company_of(by_company, inn):
    return [s for (_, i), statements in by_company.items() if i == inn
        for s in statements]


def work(pool, company_id, inn, statements, dry_run):
    "Import one institution's statements in this transaction"
    from trytond.modules.kazan_accounting import bank_import
    from trytond.transaction import Transaction
    with Transaction().set_context(company=company_id):
        done = bank_import.import_statements(company_id, inn, statements)
    if dry_run:
        Transaction().rollback()
    return done


def _accounts(numbers):
    from trytond.modules.kazan_accounting import bank_import
    return bank_import.accounts(numbers)


def _any_new(settings, statements):
    """Whether a document of the statements is not stored in any
    institution yet: one query on PostgreSQL, before Tryton is loaded here
    (each institution's import then finds its own duplicates)"""
    from sql import Table
    from sql.aggregate import Count
    from sql.operators import Any

    from trytond import backend
    keys = sorted({d.key() for s in statements for d in s.documents})
    if not keys:
        return False
    origin = Table('account_statement_origin')
    database = backend.Database(settings.database)
    database.connect()
    connection = database.get_connection(readonly=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(*origin.select(
                    Count(origin.import_key, distinct=True),
                    where=origin.import_key == Any(keys)))
            stored, = cursor.fetchone()
    finally:
        connection.rollback()
        database.put_connection(connection)
    return stored < len(keys)


def describe(problems):
    """Fill each problem's message: where it is, then the ir.message of its
    key in Russian"""
    from trytond.modules.kazan_accounting import bank_import
    for problem in problems:
        problem.message = bank_import.message(problem)


def write_report(result, path):
    "The report of interfaces.md §5: one entry per statement line"
    path = pathlib.Path(path)
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps([line.as_json() for line in result.lines],
            ensure_ascii=False, indent=1), encoding='utf-8')
    tmp.replace(path)


def format_problem(problem):
    inn = f" (ИНН {problem.inn})" if problem.inn else ''
    return f"{problem.message}{inn}"
