"""``kazan payroll YYYY-MM``: the month's payroll of every institution.

The institutions are computed (and with ``--post`` posted, with ``--pay``
paid) ten in a transaction; when one of them fails (a missing account, an
unposted earlier month), each of the ten is done again in a transaction of
its own, so that the error is reported with its institution and the others
are done and committed.  A run already posted is left as it is and still
written to the register.  The register (interfaces.md §3) and the
salary-card lists are written at the end, from what the database holds.
"""
import csv
import datetime as dt
import os
from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal

from . import database, parallel
from .progress import Progress

REGISTER_COLUMNS = [
    'inn', 'personnel_number', 'snils', 'month', 'gross',
    'standard_deduction', 'ndfl', 'net', 'contributions',
    'accident_insurance',
    # added after interfaces.md §3 (extend, never break): the financing
    # source of the pay, which the postings follow
    'kfo']
CARD_COLUMNS = ['personnel_number', 'full_name', 'bank_bic', 'bank_account',
    'amount']
PAYMENT_KINDS = ['advance', 'final']

# Institutions computed and posted in one transaction: Tryton creates,
# validates and posts a list of moves for little more than one
# (bench/payroll.py: 0.18 s an institution alone, 0.12 s ten together);
# an institution that fails is done again alone (parallel.each_chunk).
CHUNK = 10

Outcome = namedtuple('Outcome', 'inn status employees gross error')


def parse_month(value):
    "The first day of the month YYYY-MM, or ValueError"
    try:
        return dt.datetime.strptime(value, '%Y-%m').date()
    except ValueError:
        raise ValueError(
            f"месяц должен быть в виде ГГГГ-ММ: {value!r}") from None


def select_institutions(pool, month, inns=None):
    """(id, inn) of the institutions asked for (all by default) that are
    in the service in the month, the INNs of those that start later, and
    the INNs asked for that are not in the database"""
    Company = pool.get('company.company')
    domain = [('inn', '!=', None)]
    if inns:
        domain.append(('inn', 'in', inns))
    companies = Company.search(domain, order=[('inn', 'ASC')])
    missing = sorted(set(inns or []) - {c.inn for c in companies})
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(
        days=1)
    later = [c.inn for c in companies
        if c.service_start_date and c.service_start_date > last]
    return ([(c.id, c.inn) for c in companies if c.inn not in later],
        later, missing)


def process(pool, company_ids, month, post=False, pay=False):
    """Compute, post and pay the runs of the institutions, together (one
    ``compute``, one ``post``, one payment of each kind for all); return
    for each institution, in order, its status ('computed', 'posted',
    'paid', or 'unchanged' when the run was already posted), its employee
    count and its gross"""
    Company = pool.get('company.company')
    Run = pool.get('kazan.payroll.run')
    companies = Company.browse(company_ids)
    if post or pay:
        # before the work, even the runs' creation: a lock Tryton asks for
        # restarts the transaction
        Run.lock_move_sequences([(c, month) for c in companies],
            ['accrual', 'advance', 'final'] if pay else ['accrual'])
    runs = Run.runs_for(companies, month)
    status = {r.id: 'unchanged' for r in runs}

    def step(runs, condition, transition, done):
        runs = [r for r in Run.browse(runs) if condition(r)]
        if runs:
            transition(runs)
            status.update((r.id, done) for r in runs)

    step(runs, lambda r: r.state in {'draft', 'computed'}
        and not r.advance_move, Run.compute, 'computed')
    if post:
        step(runs, lambda r: r.state == 'computed', Run.post, 'posted')
    if pay:
        step(runs, lambda r: r.state == 'posted' and not r.advance_move,
            Run.pay_advance, 'paid')
        step(runs, lambda r: r.state == 'posted' and not r.final_move,
            Run.pay_final, 'paid')
    return [(status[r.id], r.employee_count, r.gross)
        for r in Run.browse(runs)]


def register_rows(pool, month, company_ids):
    """The rows of the payroll register (interfaces.md §3) of the runs of
    the month of the institutions that are computed or posted, sorted by
    INN and personnel number"""
    Payslip = pool.get('kazan.payroll.payslip')
    payslips = Payslip.search([
            ('company', 'in', company_ids),
            ('run.month', '=', month),
            ('run.state', 'in', ['computed', 'posted']),
            ])
    rows = [{
            'inn': p.company.inn,
            'personnel_number': p.employee.personnel_number,
            'snils': p.employee.snils or '',
            'month': f'{month:%Y-%m}',
            'gross': p.gross,
            'standard_deduction': p.standard_deduction,
            'ndfl': p.ndfl,
            'net': p.net,
            'contributions': p.contributions,
            'accident_insurance': p.accident_insurance,
            'kfo': p.kfo,
            } for p in payslips]
    rows.sort(key=lambda r: (r['inn'], r['personnel_number']))
    return rows


def card_lists(pool, month, company_ids):
    """The salary-card payment lists: {(inn, kind, bic or None): rows}
    for the advance and the final settlement of the runs of the month"""
    Run = pool.get('kazan.payroll.run')
    lists = {}
    for run in Run.search([
                ('company', 'in', company_ids),
                ('month', '=', month),
                ('state', 'in', ['computed', 'posted']),
                ], order=[('company.inn', 'ASC')]):
        for kind in PAYMENT_KINDS:
            for bic, entries in run.card_list(kind).items():
                lists[run.company.inn, kind, bic] = [{
                        'personnel_number': slip.employee.personnel_number,
                        'full_name': slip.employee.party.name,
                        'bank_bic': bic or '',
                        'bank_account': slip.employee.bank_account or '',
                        'amount': amount,
                        } for slip, amount in sorted(entries,
                        key=lambda e: e[0].employee.personnel_number)]
    return lists


def _format(value):
    "A cell: amounts with two decimals, texts never read as a formula"
    from trytond.modules.kazan_accounting.export import text_cell
    if isinstance(value, Decimal):
        return f'{value:.2f}'
    return text_cell(value)


def write_csv(path, columns, rows):
    """Write the rows to path through a temporary file, so that a reader
    never sees half a file"""
    path = os.fspath(path)
    temporary = f'{path}.part'
    with open(temporary, 'w', encoding='utf-8', newline='') as file:
        writer = csv.writer(file, delimiter=';', lineterminator='\n')
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_format(row[c]) for c in columns])
    os.replace(temporary, path)


def write_card_lists(out_dir, lists):
    "One file per institution, payment and bank; 'no_card' for the others"
    from trytond.modules.kazan_accounting.export import safe_file_name
    count = 0
    for (inn, kind, bic), rows in lists.items():
        # INN and БИК have checked digits: the names stay as they are
        folder = out_dir / safe_file_name(inn)
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / safe_file_name(f'{kind}_{bic or "no_card"}.csv'),
            CARD_COLUMNS, rows)
        count += 1
    return count


@dataclass
class Result:
    "What a month's run did: per institution, and the files written"
    month: dt.date
    outcomes: list = field(default_factory=list)  # [Outcome], as done
    later: list = field(default_factory=list)     # INNs that start later
    missing: list = field(default_factory=list)   # INNs not in the database
    single_process: bool = False  # --jobs asked for, but on SQLite
    register: object = None       # the register's file, when written
    register_rows: int = 0
    payments: object = None       # the salary-card lists' folder
    card_files: int = 0

    @property
    def done(self):
        return [o for o in self.outcomes if not o.error]

    @property
    def failed(self):
        "Institutions not done: failed, and asked for but not found"
        return len(self.outcomes) - len(self.done) + len(self.missing)


def run_month(settings, month, *, institutions=None, post=False, pay=False,
        register=None, payments=None, jobs=1):
    """Compute (post, pay) the month's runs of the institutions (INNs; all
    by default), each in a transaction of its own; write the register and
    the salary-card lists (a folder) when asked; return the Result"""
    result = Result(month, register=register, payments=payments)
    selected, result.later, result.missing = database.run(settings,
        lambda pool: select_institutions(pool, month, institutions),
        readonly=True)
    usable = parallel.usable_jobs(settings, jobs)
    result.single_process = usable < (jobs or 1)
    tasks = [(inn, company_id) for company_id, inn in selected]
    with Progress(len(selected), f"Зарплата за {month:%m.%Y}") as progress:
        for inn, done, error in parallel.each_chunk(settings, process,
                tasks, (month, post or pay, pay), usable, CHUNK):
            status, employees, gross = done or ('failed', 0, Decimal(0))
            result.outcomes.append(
                Outcome(inn, status, employees, gross, error))
            progress.step(inn)
    company_ids = [company_id for company_id, _ in selected]
    if register:
        rows = database.run(settings,
            lambda pool: register_rows(pool, month, company_ids),
            readonly=True)
        write_csv(register, REGISTER_COLUMNS, rows)
        result.register_rows = len(rows)
    if payments:
        lists = database.run(settings,
            lambda pool: card_lists(pool, month, company_ids),
            readonly=True)
        result.card_files = write_card_lists(payments, lists)
    return result
