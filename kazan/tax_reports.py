"""``kazan tax-reports``: 6-НДФЛ and РСВ of each institution for a period.

Each institution asked for (all by default) gets a folder named by its INN
with both forms in every format asked for: ``ndfl6_YYYY_Qn.xlsx``,
``rsv_YYYY_Qn.pdf``…, and in XML the files the FNS names (brief §7.3,
``NO_NDFL6.2_…xml``, ``NO_RASCHSV_…xml``).  The figures, the layouts and the
XML are the module's (``kazan_payroll/tax_report.py``, ``fns/``), shared
with the client.  Where the payslips and the ledger (303.01, 303.15)
disagree, the difference is reported.

With ``--user LOGIN`` the command runs with that user's rights, like
``kazan statements``: a director gets their own institution only.

With ``--notices``, each folder also gets ``notices_YYYY_Qn.xlsx`` (in
each format asked for but XML): the rows of the monthly notices of the
quarter's months (уведомления об исчисленных суммах, KND 1110355: KBK,
ОКТМО, period code, amount, due dates; ``kazan_payroll/enp.py``).
"""
from dataclasses import dataclass, field

from . import database
from .config import UsageError
from .progress import Progress
from .statements import _folder_error, _write_whole, select_institutions

FORMATS = ['xlsx', 'pdf', 'ods', 'xml']
FORMS = ['ndfl6', 'rsv']
# What the ledger's account of each form holds, for the messages
ACCOUNTS = {'ndfl6': 'НДФЛ', 'rsv': 'страховые взносы'}


def parse_quarter(text):
    "'2026-Q1' as (2026, 1); ValueError with the expected form otherwise"
    year, _, quarter = text.strip().upper().partition('-Q')
    if (len(year) != 4 or not year.isdigit()
            or quarter not in {'1', '2', '3', '4'}):
        raise ValueError(f"квартал должен быть в виде ГГГГ-Qn: {text!r}")
    return int(year), int(quarter)


def parse_formats(value):
    "The formats of --format: a list, ValueError naming the unknown ones"
    formats = [f.strip() for f in value.split(',') if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError("формат не поддерживается: %s (доступно: %s)" % (
                ', '.join(unknown) or value, ', '.join(FORMATS)))
    return formats


@dataclass
class Result:
    "The institutions written, what was not, where the ledger disagrees"
    written: list = field(default_factory=list)   # [INN]
    failures: list = field(default_factory=list)  # [(INN, why)]
    differences: list = field(default_factory=list)  # [(INN, text)]
    refused: str = None


def write(settings, year, quarter, out_dir, *, institutions=None,
        formats=('xlsx',), user=None, password=None, notices=False):
    """Write 6-НДФЛ and РСВ of the institutions (INNs; all by default) for
    the period into out_dir; with user, with their rights"""
    def write_all(pool):
        from trytond.modules.kazan_accounting import export
        try:
            return write_reports(pool, year, quarter, out_dir,
                inns=institutions, formats=formats, notices=notices)
        except export.FontNotFound:
            raise UsageError(
                "нет шрифта TrueType с кириллицей для PDF: установите "
                f"пакет {export.FONT_PACKAGE} или укажите файл .ttf в "
                f"{export.FONT_ENVIRON}")
    if not user:
        return database.run(settings, write_all, readonly=True)
    from trytond.exceptions import UserError
    try:
        return database.run_as(
            settings, user, password, write_all, readonly=True)
    except UserError as error:
        return Result(refused=error.message)


def write_reports(pool, year, quarter, out_dir, inns=None,
        formats=('xlsx',), notices=False):
    "Write the reports (in the transaction of pool); return a Result"
    from trytond.modules.kazan_accounting.export import safe_file_name
    from trytond.modules.kazan_payroll import tax_report

    companies, missing = select_institutions(pool, inns)
    result = Result(failures=[
            (inn, "учреждение с таким ИНН не найдено или недоступно")
            for inn in missing])
    out_dir.mkdir(parents=True, exist_ok=True)
    with Progress(len(companies), "6-НДФЛ и РСВ") as progress:
        for company in companies:
            folder = out_dir / safe_file_name(company.inn)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                for form in FORMS:
                    _, reconciliation, render = tax_report.build(
                        form, company, year, quarter)
                    for fmt in formats:
                        name, content = render(fmt)
                        _write_whole(folder / name, content)
                    payslips, *_, ledger, difference = \
                        reconciliation.total()
                    if difference:
                        result.differences.append((company.inn,
                                f"{ACCOUNTS[form]}: по расчетным листкам "
                                f"{payslips:.2f}, по счету "
                                f"{reconciliation.account} {ledger:.2f}"))
                if notices:
                    _write_notices(folder, company, year, quarter, formats)
            except OSError as error:
                result.failures.append((company.inn, _folder_error(error)))
            else:
                result.written.append(company.inn)
            progress.step(company.inn)
    return result


def _write_notices(folder, company, year, quarter, formats):
    "The notices of the quarter's months in each format but XML"
    from trytond.modules.kazan_accounting import export
    from trytond.modules.kazan_payroll import enp, tax_report
    document = enp.notices_document(
        company, tax_report.quarter_months(year, quarter))
    for fmt in formats:
        if fmt != 'xml':
            _write_whole(folder / f'notices_{year}_Q{quarter}.{fmt}',
                export.render(document, fmt))
