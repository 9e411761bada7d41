"""``kazan plan import FILE``: the plans (ПФХД) of many institutions.

read → check → write → report, like ``kazan onboard``:

- **read** the file (CSV or XLSX, one row per plan line, the columns of
  ``kazan_accounting.plan.PLAN_FILE_COLUMNS``) with the module's parser,
  the same the client's import wizard uses;
- **check** every row, and every plan against the database: an unknown
  INN, an approved plan whose lines differ from the file (an approved plan
  changes only by amendment), an amendment recorded with other lines.  Any
  problem stops the import before anything is written;
- **write** each institution's plans in a transaction of its own, approved
  unless ``--draft``.  Importing the same file again changes nothing;
- **report** in Russian: the problems with their file, line and column,
  what was created, updated or left as it was.
"""
import sys
from collections import defaultdict

from . import database
from .config import UsageError
from .progress import Progress

EXIT_OK, EXIT_PARTIAL = 0, 1


def check(pool, data, filename, year=None, approve=True):
    """Read and check the file: return ([(inn, company id, [PlanData])],
    [problem message]) with the messages in the transaction's language"""
    from trytond.modules.kazan_accounting.plan import (
        FileProblem, read_plan_file)
    Company = pool.get('company.company')
    Plan = pool.get('kazan.plan')
    plans, problems = read_plan_file(data, filename, year=year)
    by_inn = defaultdict(list)
    for plan in plans:
        by_inn[plan.inn].append(plan)
    companies = {c.inn: c for c in Company.search([
                ('inn', 'in', list(by_inn)),
                ])}
    for inn, inn_plans in by_inn.items():
        if inn not in companies:
            first = min(inn_plans, key=lambda p: p.line)
            problems.append(FileProblem(
                    'msg_plan_import_unknown_institution', filename,
                    first.line, 'inn', inn, inn))
    if not problems:
        problems = Plan.import_problems(
            [(companies[p.inn], p) for p in plans], approve)
    problems.sort(key=lambda p: (p.line or 0, p.column or ''))
    groups = [(inn, companies[inn].id, inn_plans)
        for inn, inn_plans in sorted(by_inn.items()) if inn in companies]
    return groups, [p.describe() for p in problems]


def write(pool, company_id, plans, approve=True):
    "Import the plans of one institution; return their statuses"
    Company = pool.get('company.company')
    Plan = pool.get('kazan.plan')
    company = Company(company_id)
    return [Plan.import_data(company, plan, approve)[1] for plan in plans]


def run(settings, args, out=sys.stdout, err=sys.stderr):
    "kazan plan import: return the exit status"
    path = args.file
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"файл не читается: {path}: {error.strerror}")
    approve = not args.draft
    groups, problems = database.run(settings,
        lambda pool: check(pool, data, path.name, args.year, approve),
        readonly=True)
    if problems:
        for message in problems:
            print(message, file=err)
        print(f"ПФХД не загружены: ошибок {len(problems)}, ничего не "
            "записано", file=err)
        return EXIT_PARTIAL

    counts = defaultdict(int)
    failed = 0
    with Progress(len(groups), "Загрузка ПФХД") as progress:
        for inn, company_id, plans in groups:
            try:
                statuses = database.run(settings,
                    lambda pool: write(pool, company_id, plans, approve))
            except Exception as error:
                failed += 1
                message = getattr(error, 'message', None) or str(error)
                print(f"ИНН {inn}: ПФХД не загружен: {message}", file=err)
            else:
                for status in statuses:
                    counts[status] += 1
            progress.step(inn)
    print(f"ПФХД из {path.name}: учреждений {len(groups)}; планов создано "
        f"{counts['created']}, изменено {counts['updated']}, без изменений "
        f"{counts['unchanged']}; с ошибками: {failed}", file=out)
    if not failed and not counts['created'] and not counts['updated']:
        print("повторная загрузка: ничего не изменено", file=out)
    return EXIT_PARTIAL if failed else EXIT_OK
