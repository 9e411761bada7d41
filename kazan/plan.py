"""``kazan plan import FILE``: the plans (ПФХД) of many institutions.

read → check → write → report, like ``kazan onboard``:

- **read** the file (CSV or XLSX, one row per plan line, the columns of
  ``kazan_accounting.plan_import.PLAN_FILE_COLUMNS``) with the module's
  parser, the same the client's import wizard uses;
- **check** every row, and every plan against the database: an unknown
  INN, an approved plan whose lines differ from the file (an approved plan
  changes only by amendment), an amendment recorded with other lines.  Any
  problem stops the import before anything is written;
- **write** each institution's plans in a transaction of its own, approved
  unless ``--draft``.  Importing the same file again changes nothing;
- **report** in Russian: the problems with their file, line and column,
  what was created, updated or left as it was.
"""
import pathlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from . import database, imports


def check(pool, data, filename, year=None, approve=True):
    """Read and check the file: return ([(inn, company id, [PlanData])],
    [problem message]) with the messages in the transaction's language"""
    from trytond.modules.kazan_accounting.plan_import import (
        describe, read_plan_file)
    from trytond.modules.kazan_accounting.table import Problem
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
            problems.append(Problem(
                    'msg_plan_import_unknown_institution', filename,
                    first.line, 'inn', inn, inn))
    if not problems:
        problems = Plan.import_problems(
            [(companies[p.inn], p) for p in plans], approve)
    problems.sort(key=lambda p: (p.line or 0, p.column or ''))
    groups = [(inn, companies[inn].id, inn_plans)
        for inn, inn_plans in sorted(by_inn.items()) if inn in companies]
    return groups, [describe(p) for p in problems]


def write(pool, company_id, plans, approve=True):
    "Import the plans of one institution: {status: count} of the plans"
    Company = pool.get('company.company')
    Plan = pool.get('kazan.plan')
    company = Company(company_id)
    return Counter(
        Plan.import_data(company, plan, approve)[1] for plan in plans)


@dataclass
class Result(imports.Result):
    "What an import did: the problems that stopped it, or the plans"

    @property
    def unchanged(self):
        "Nothing to write: every plan was there as the file has it"
        return not (self.problems or self.failures or self.counts['created']
            or self.counts['updated'])


def import_file(settings, path, *, year=None, draft=False):
    """Import the plans of the file (approved unless draft); rows without
    a year are of year.  A file with any problem writes nothing"""
    path = pathlib.Path(path)
    data = imports.read_file(path)
    approve = not draft
    result = Result(path)
    groups, result.problems = database.run(settings,
        lambda pool: check(pool, data, path.name, year, approve),
        readonly=True)
    if result.problems:
        return result
    tasks = [(inn, (company_id, plans, approve))
        for inn, company_id, plans in groups]
    return imports.write_each(settings, result, write, tasks,
        "Загрузка ПФХД")
