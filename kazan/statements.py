"""``kazan statements``: the statements of each institution as of a date.

Each institution asked for gets a folder named by its INN with its trial
balance (``trial_balance.csv``, interfaces.md §4) and the forms 0503730,
0503721, 0503737, the general ledger 0504072, the obligations 0503738, the
receivables and payables 0503769 and the journals of operations 0504071
(of the month of the date) in every format asked for;
a founder whose institutions are all asked for (or ``--founder F``) gets a
folder ``founder-F`` with their consolidation: the same queries over all
its institutions (every form but the journals of operations).  The figures
and the layouts are the module's (``statements.py``,
``statement_report.py``), shared with the client.

With ``--user LOGIN`` the command runs with that user's rights (password
from ``$KAZAN_PASSWORD`` or ``--password-file``): a director gets the
statements of their own institution and nothing else.
"""
import os
from collections import defaultdict
from dataclasses import dataclass, field

from . import database
from .config import UsageError
from .progress import Progress

FORMATS = ['csv', 'xlsx', 'ods', 'pdf']
# The forms of the batch; the trial balance is always written as CSV too
FORMS = ['trial_balance', 'balance', 'financial_results', 'plan_execution',
    'general_ledger', 'obligations', 'debts', 'operations_journal']


def select_institutions(pool, inns=None, founder=None):
    """The institutions asked for that the user may read, and the INNs asked
    for that are not among them (unknown, or another's)"""
    Company = pool.get('company.company')
    from trytond.transaction import check_access
    domain = [('inn', '!=', None)]
    if inns:
        domain.append(('inn', 'in', inns))
    if founder:
        domain.append(('founder', '=', founder))
    with check_access():
        companies = Company.search(domain, order=[('inn', 'ASC')])
    missing = sorted(set(inns or []) - {c.inn for c in companies})
    return companies, missing


def complete_founders(pool, companies):
    "The founders all of whose institutions are among companies"
    Company = pool.get('company.company')
    from trytond.transaction import without_check_access
    asked = defaultdict(set)
    for company in companies:
        if company.founder:
            asked[company.founder].add(company.id)
    founders = []
    for founder, ids in sorted(asked.items()):
        with without_check_access():
            every = {c.id for c in Company.search([('founder', '=', founder)])}
        if ids == every:
            founders.append(founder)
    return founders


def write_set(subject, folder, formats, forms=FORMS):
    "Write the forms of subject into folder; return the files written"
    from trytond.modules.kazan_accounting import statement_report
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for form in forms:
        _, render = statement_report.build(form, subject)
        wanted = list(formats)
        if form == 'trial_balance' and 'csv' not in wanted:
            wanted.insert(0, 'csv')
        for fmt in wanted:
            path = folder / statement_report.file_name(form, fmt)
            _write_whole(path, render(fmt))
            written.append(path)
    return written


def _write_whole(path, data):
    "Write through a temporary file: a reader never sees half a file"
    temporary = path.with_name(path.name + '.part')
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _folder_error(error):
    "Why a folder of the statements could not be written, in Russian"
    name = error.filename or ''
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return f"файлы не записаны: {name} — файл, а не каталог"
    return f"файлы не записаны: {name}: {error.strerror or error}"


@dataclass
class Result:
    "The institutions written, and what was not"
    written: list = field(default_factory=list)   # [company id]
    failures: list = field(default_factory=list)  # [(INN or founder-F, why)]
    refused: str = None  # the user's rights refused the whole command


def write(settings, date, out_dir, *, institutions=None, founder=None,
        formats=('csv',), user=None, password=None):
    """Write the statements of the institutions (INNs; all by default, or
    a founder's) as of date into out_dir; with user, with their rights"""
    def write_all(pool):
        from trytond.modules.kazan_accounting import export
        try:
            companies, failures = write_statements(pool, date, out_dir,
                inns=institutions, founder=founder, formats=formats)
        except export.FontNotFound:
            raise UsageError(
                "нет шрифта TrueType с кириллицей для PDF: установите "
                f"пакет {export.FONT_PACKAGE} или укажите файл .ttf в "
                f"{export.FONT_ENVIRON}")
        return Result([c.id for c in companies], failures)
    if not user:
        return database.run(settings, write_all, readonly=True)
    from trytond.exceptions import UserError
    try:
        return database.run_as(
            settings, user, password, write_all, readonly=True)
    except UserError as error:
        return Result(refused=error.message)


def write_statements(pool, date, out_dir, inns=None, founder=None,
        formats=('csv',), forms=FORMS):
    """Write the statements (in the transaction of pool); return (written
    institutions, failures)"""
    from trytond.modules.kazan_accounting import statement_report
    from trytond.modules.kazan_accounting.export import safe_file_name
    from trytond.modules.kazan_accounting.statement_report import Subject

    companies, missing = select_institutions(pool, inns, founder)
    failures = [(inn, "учреждение с таким ИНН не найдено или недоступно")
        for inn in missing]
    out_dir.mkdir(parents=True, exist_ok=True)
    founders = complete_founders(pool, companies)
    if founder and founder not in founders:
        failures.append((f'founder-{founder}',
                "сводная отчетность учредителя требует доступа ко всем "
                "его учреждениям"))
    by_founder = defaultdict(list)
    written = []
    with Progress(len(companies) + len(founders), "Отчетность") as progress:
        for company in companies:
            try:
                # the INN (checked digits): the name stays as it is
                write_set(Subject([company], date),
                    out_dir / safe_file_name(company.inn), formats, forms)
            except OSError as error:
                failures.append((company.inn, _folder_error(error)))
            else:
                written.append(company)
            by_founder[company.founder].append(company)
            progress.step(company.inn)
        for founder_code in founders:
            label = f'founder-{founder_code}'
            try:
                write_set(Subject(by_founder[founder_code], date,
                        founder_code), out_dir / label, formats,
                    [f for f in forms
                        if f not in statement_report.INSTITUTION_FORMS])
            except OSError as error:
                failures.append((label, _folder_error(error)))
            progress.step(label)
    return written, failures
