"""``kazan demo``: the quick-start database (``build``).

The sample batch (data/sample_batch of the checkout, or ``--batch``: 35
educational and 7 cultural institutions with their opening balances and
staff) is onboarded by the same service as ``kazan onboard``; their plans
for 2026 (ПФХД, data/sample_plans.csv or ``--plans``) are imported as
``kazan plan import`` does; the payroll of March 2026 is computed, posted
and paid in every institution (January and February first where the
service started in January) as ``kazan payroll`` does; the subsidy of the
month is accrued in the first two institutions; the suppliers' acts and
waybills their payments pay, with their contracts (data/sample_documents.csv)
are imported as ``kazan documents import`` does, and the statements of 2-16
March (data/sample_statements) as ``kazan bank import`` does;
an accountant of the service center gets every institution.  ``build``
returns all that (the trial balances of the first two institutions, the
logins); kazan.cli prints it and serves the database.  The passwords are
in files only their owner can read.
"""
import csv
import datetime as dt
import os
import pathlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from . import bank, database, documents, onboard, parallel, payroll, plan
from .config import UsageError

# In a checkout: an installed package has no data/ (then --batch, --plans)
SAMPLE_BATCH = pathlib.Path(__file__).resolve().parent.parent / 'data' / \
    'sample_batch'
SAMPLE_PLANS = SAMPLE_BATCH.parent / 'sample_plans.csv'
SAMPLE_STATEMENTS = SAMPLE_BATCH.parent / 'sample_statements'
SAMPLE_DOCUMENTS = SAMPLE_BATCH.parent / 'sample_documents.csv'

# (journal XML id, description, [(account, kfo, debit, credit, КОСГУ)]):
# the subsidy accrued (brief §3, entry 9); its receipt comes with the
# statements
MOVES = [
    ('journal_debtors', "Субсидия на муниципальное задание за месяц", [
            ('205.31', '4', '1000000.00', '0', None),
            ('401.10.131', '4', '0', '1000000.00', None)]),
    ]
SHOWN = 2  # institutions whose moves and trial balances the demo shows
# The demonstrated month, and the months before it that the institutions
# in the service since January need first.
PAYROLL_MONTHS = [dt.date(2026, 1, 1), dt.date(2026, 2, 1),
    dt.date(2026, 3, 1)]


@dataclass
class Demo:
    "What the demonstration built, step by step, for its caller to show"
    recreated: bool = False      # a quick-start database was there
    created: bool = False        # kazan init created the database
    onboarding: object = None    # onboard.Result
    plans: object = None         # plan.Result
    payroll: list = field(default_factory=list)  # [payroll.Result]
    documents: object = None     # documents.Result
    bank: object = None          # bank.Result
    trial_balances: list = field(default_factory=list)  # [Balance]
    credentials: list = field(default_factory=list)  # [(login, pw, role)]
    directors: pathlib.Path = None  # the directors' credentials file
    failure: str = None          # the step that failed, in Russian


@dataclass
class Balance:
    "The trial balance of an institution shown by the demo"
    name: str
    inn: str
    start: dt.date
    end: dt.date
    rows: list  # [(code, kfo, six amounts)]


def build(settings, *, batch=None, plans=None, jobs=1):
    """Build the demonstration database from the sample batch and its
    plans (the checkout's data/ by default), the onboarding, the payroll,
    the documents and the statements in ``jobs`` processes on PostgreSQL
    (one on SQLite, without a word: the demo chose, not its user); return
    the Demo (its failure set when a step failed)"""
    batch = pathlib.Path(batch or SAMPLE_BATCH)
    plans = pathlib.Path(plans or SAMPLE_PLANS)
    if not batch.is_dir():
        raise UsageError(
            f"демонстрационный пакет не найден: {batch}: kazan demo берет "
            "его из рабочей копии проекта (data/sample_batch) или из "
            "каталога --batch КАТАЛОГ")
    if not plans.is_file():
        raise UsageError(
            f"ПФХД демонстрационного пакета не найдены: {plans}: kazan "
            "demo берет их из рабочей копии проекта (data/sample_plans.csv)"
            " или из файла --plans ФАЙЛ")
    demo = Demo()
    if database.exists(settings):
        if not settings.quickstart:
            raise UsageError(
                f"база «{settings.database}» уже есть: демонстрация строит "
                "новую базу, укажите другое имя (--database)")
        demo.recreated = True
        database.sqlite_file(settings).unlink()
    # A demonstration database: its admin password is generated too
    demo.created = database.init(settings, generate_admin_password=True)

    demo.directors = settings.data_dir / 'demo-directors.csv'
    demo.directors.unlink(missing_ok=True)
    jobs = parallel.usable_jobs(settings, jobs)
    demo.onboarding = onboard.run_batch(settings, batch,
        credentials=demo.directors, jobs=jobs)
    if not demo.onboarding.ok:
        demo.failure = "демонстрационный пакет не подключен"
        return demo

    # The plans of the year (ПФХД), against which the statements show the
    # execution (form 0503737)
    demo.plans = plan.import_file(settings, plans)
    if demo.plans.problems or demo.plans.failures:
        demo.failure = "ПФХД демонстрационного пакета не загружены"
        return demo

    for month in PAYROLL_MONTHS:
        # the months before the demonstrated one are those of the few
        # institutions in the service since January: worker processes
        # would cost them more than they save
        result = payroll.run_month(settings, month, post=True, pay=True,
            register=settings.data_dir / f'demo-register-{month:%Y-%m}.csv',
            jobs=jobs if month == PAYROLL_MONTHS[-1] else 1)
        demo.payroll.append(result)
        if result.failed:
            demo.failure = f"зарплата за {month:%m.%Y} не проведена"
            return demo

    # the first institutions of the batch (in several processes, the
    # onboarding gives them their ids in no particular order)
    shown = [i.inn for i in demo.onboarding.ready[:SHOWN]]

    def post_and_assign(pool):
        companies, end = post_moves(pool, shown)
        return companies, end, create_accountant(pool, companies[0])
    companies, end, demo.credentials = database.run(
        settings, post_and_assign)
    write_credentials(settings, demo.credentials)
    # the suppliers' acts and waybills the statements pay, with their
    # contracts
    if SAMPLE_DOCUMENTS.is_file():
        demo.documents = documents.import_file(settings, SAMPLE_DOCUMENTS,
            jobs=jobs)
        if demo.documents.problems or demo.documents.failures:
            demo.failure = ("документы поставщиков демонстрационного "
                "пакета не загружены")
            return demo
    # the statements of 2-16 March: subsidies, payments, bank fees
    statements = sorted(SAMPLE_STATEMENTS.glob('*.*'))
    if statements:
        demo.bank = bank.import_files(settings, statements, jobs=jobs)
        if not demo.bank.ok:
            demo.failure = "выписки демонстрационного пакета не загружены"
            return demo
    demo.trial_balances = database.run(settings,
        lambda pool: trial_balances(pool, companies, end), readonly=True)
    return demo


def post_moves(pool, inns):
    """Post the moves of the demonstrated month in the institutions of the
    INNs; return them (their ids, in that order) with the month's last
    day"""
    Company = pool.get('company.company')
    Move = pool.get('account.move')
    Account = pool.get('account.account')
    Period = pool.get('account.period')
    ModelData = pool.get('ir.model.data')

    companies = sorted(Company.search([('inn', 'in', inns)]),
        key=lambda c: inns.index(c.inn))
    start = PAYROLL_MONTHS[-1]
    end = (start + dt.timedelta(days=31)).replace(day=1) - \
        dt.timedelta(days=1)
    moves = []
    for company in companies:
        accounts = {a.code: a.id for a in Account.search([
                    ('company', '=', company.id), ('type', '!=', None)])}
        period = Period.find(company, date=start)
        for day, (journal, description, lines) in enumerate(MOVES):
            moves.append({
                    'company': company.id,
                    'journal': ModelData.get_id('kazan_accounting', journal),
                    'period': period.id,
                    'date': start + dt.timedelta(days=2 * day + 4),
                    'description': description,
                    'lines': [('create', [{
                                    'account': accounts[a], 'kfo': k,
                                    'debit': Decimal(d), 'credit': Decimal(c),
                                    'kosgu': kosgu,
                                    } for a, k, d, c, kosgu in lines])],
                    })
    Move.post(Move.create(moves))
    return [c.id for c in companies], end


def create_accountant(pool, company_id=None):
    """An accountant of the service center with every institution, and the
    administrator too (company_id their current institution, by default
    the first)"""
    Company = pool.get('company.company')
    User = pool.get('res.user')
    company_ids = [c.id for c in Company.search([], order=[('id', 'ASC')])]
    password = secrets.token_urlsafe(12)
    User.create_service_users([{
                'login': 'accountant', 'name': 'Бухгалтер ЦБ (демо)',
                'role': 'chief_accountant', 'companies': company_ids,
                'password': password}])
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {
            'companies': [('add', company_ids)],
            'company': company_id or company_ids[0],
            })
    return [('accountant', password, 'chief_accountant')]


def write_credentials(settings, credentials):
    path = settings.data_dir / 'demo-credentials.csv'
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
        writer = csv.writer(f, delimiter=';', lineterminator='\n')
        writer.writerow(['login', 'password', 'role'])
        writer.writerows(credentials)


def trial_balances(pool, company_ids, end):
    "The trial balances of the institutions, from their period's start"
    Company = pool.get('company.company')
    TrialBalance = pool.get('kazan.trial_balance')
    shown = []
    for company in Company.browse(company_ids):
        start = TrialBalance.period_start(company, end)
        shown.append(Balance(company.rec_name, company.inn, start, end,
                [(row.code, row.kfo, *row[3:])
                    for row in TrialBalance.compute(company, start, end)]))
    return shown


def format_trial_balance(balance, width):
    "The lines of a trial balance, cut to the terminal's width"
    yield ''
    yield (f"Оборотно-сальдовая ведомость: {balance.name} "
        f"(ИНН {balance.inn}), "
        f"{balance.start:%d.%m.%Y}–{balance.end:%d.%m.%Y}")
    header = ("Счет", "КФО", "Сальдо Дт", "Сальдо Кт", "Оборот Дт",
        "Оборот Кт", "Сальдо Дт", "Сальдо Кт")
    yield _line(header, width)
    totals = [Decimal(0)] * 6
    for code, kfo, *amounts in balance.rows:
        totals = [t + a for t, a in zip(totals, amounts)]
        yield _line((code, kfo, *amounts), width)
    yield _line(("ИТОГО", "", *totals), width)


def _line(cells, width):
    code, kfo, *amounts = cells
    text = f"{code:<12} {kfo:>3}" + ''.join(
        f"{_fmt(a):>15}" for a in amounts)
    return text[:width]


def _fmt(value):
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(',', ' ')
    return str(value)


def format_logins(settings, demo):
    "Who logs in to the demonstration, and where their passwords are"
    with open(demo.directors, encoding='utf-8') as f:
        director_logins = [row['login'] for row in csv.DictReader(
                f, delimiter=';')]
    yield ''
    yield ("Вход в клиент Tryton: сервер 127.0.0.1:8000, база "
        f"«{settings.database}»")
    yield ("  admin (администратор): пароль в "
        f"{settings.data_dir / 'admin-password'}")
    for login, _, role in demo.credentials:
        yield (f"  {login} ({role}, все учреждения): пароль в "
            f"{settings.data_dir / 'demo-credentials.csv'}")
    yield (f"  руководители учреждений ({len(director_logins)}: "
        f"{', '.join(director_logins[:3])}, ...): пароли в {demo.directors}")
