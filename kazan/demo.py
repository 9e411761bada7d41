"""``kazan demo``: the quick-start database, built and served.

Two sample institutions (a school on the budgetary chart, a museum on the
autonomous one) are set up with their opening balances, a few moves of the
month are posted in each, their trial balances are printed, and the
database is served for the desktop client.  The logins are printed; the
passwords are in files only their owner can read.
"""
import csv
import datetime as dt
import os
import secrets
import shutil
import sys
from decimal import Decimal

from . import database
from .config import UsageError

INSTITUTIONS = [{
        'name': 'МБОУ "Гимназия №7"',
        'full_name': 'Муниципальное бюджетное общеобразовательное '
        'учреждение "Гимназия №7" Вахитовского района г. Казани',
        'inn': '1655012344', 'kpp': '165501001', 'ogrn': '1021601234566',
        'oktmo': '92701000', 'institution_kind': 'school',
        'legal_form': 'budgetary', 'founder': 'education',
        'district': 'Вахитовский', 'director': 'Сафина Гульнара Ильдаровна',
        'accident_rate': Decimal('0.2'), 'default_kfo': '4',
        'personal_accounts': ['ЛБВ30800668', 'ЛБО30800721'],
        'opening_balance': [
            ('101.12', '4', '5000000.00', '0'),
            ('104.12', '4', '0', '1000000.00'),
            ('201.11', '4', '300000.00', '0'),
            ('302.11', '4', '0', '250000.00'),
            ('401.30', '4', '0', '4050000.00'),
            ('201.11', '2', '120000.00', '0'),
            ('401.30', '2', '0', '120000.00'),
            ],
        }, {
        'name': 'МАУК "Музей истории Казани"',
        'full_name': 'Муниципальное автономное учреждение культуры '
        '"Музей истории Казани"',
        'inn': '1658005673', 'kpp': '165801001', 'ogrn': '1021607654320',
        'oktmo': '92701000', 'institution_kind': 'museum',
        'legal_form': 'autonomous', 'founder': 'culture',
        'district': 'Приволжский', 'director': 'Хабибуллин Марат Рустемович',
        'accident_rate': Decimal('0.2'), 'default_kfo': '4',
        'personal_accounts': ['ЛАВ00707002'],
        'opening_balance': [
            ('101.12', '4', '2000000.00', '0'),
            ('201.11', '4', '150000.00', '0'),
            ('401.30', '4', '0', '2150000.00'),
            ],
        }]

# (journal XML id, description, [(account, kfo, debit, credit)])
MOVES = [
    ('journal_debtors', "Субсидия на муниципальное задание за месяц", [
            ('205.31', '4', '1000000.00', '0'),
            ('401.10.131', '4', '0', '1000000.00')]),
    ('journal_non_cash', "Поступление субсидии на лицевой счет", [
            ('201.11', '4', '1000000.00', '0'),
            ('205.31', '4', '0', '1000000.00')]),
    ('journal_payroll', "Начислена заработная плата", [
            ('401.20.211', '4', '400000.00', '0'),
            ('302.11', '4', '0', '400000.00')]),
    ('journal_payroll', "Удержан НДФЛ", [
            ('302.11', '4', '52000.00', '0'),
            ('303.01', '4', '0', '52000.00')]),
    ('journal_non_cash', "Выплачена заработная плата на карты", [
            ('302.11', '4', '348000.00', '0'),
            ('201.11', '4', '0', '348000.00')]),
    ]

USERS = [
    ('accountant', 'Бухгалтер ЦБ (демо)', 'accountant', [0, 1]),
    ('director7', 'Директор гимназии №7 (демо)', 'director', [0]),
    ('museum', 'Директор музея (демо)', 'director', [1]),
    ]


def run(settings, args):
    if database.exists(settings):
        if not settings.quickstart:
            raise UsageError(
                f"база «{settings.database}» уже есть: демонстрация строит "
                "новую базу, укажите другое имя (--database)")
        print(f"пересоздаю демонстрационную базу «{settings.database}»",
            file=sys.stderr)
        database.sqlite_file(settings).unlink()
    from .cli import cmd_init
    # A demonstration database: its admin password is generated too
    cmd_init(settings, _Args(admin_password_file=None,
            admin_email='admin@localhost', generate_admin_password=True))

    today = dt.date.today()
    start = today.replace(day=1)
    def build(pool):
        companies = setup(pool, start, today)
        return companies, create_users(pool, companies)
    companies, credentials = database.run(settings, build)
    write_credentials(settings, credentials)
    database.run(settings, lambda pool: print_trial_balances(
            pool, companies, start, today), readonly=True)
    print_logins(settings, credentials)
    if args.no_serve:
        return 0
    from .cli import cmd_serve
    return cmd_serve(settings, args)


class _Args:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def setup(pool, start, today):
    "Set up the sample institutions and post the moves of the month"
    Company = pool.get('company.company')
    Move = pool.get('account.move')
    Account = pool.get('account.account')
    Period = pool.get('account.period')
    ModelData = pool.get('ir.model.data')

    institutions = []
    for values in INSTITUTIONS:
        values = dict(values, service_start_date=start)
        values['opening_balance'] = [
            {'account': a, 'kfo': k, 'debit': Decimal(d),
                'credit': Decimal(c)}
            for a, k, d, c in values['opening_balance']]
        institutions.append(values)
    companies = Company.setup_institutions(institutions)

    moves = []
    for company in companies:
        accounts = {a.code: a.id for a in Account.search([
                    ('company', '=', company.id), ('type', '!=', None)])}
        period = Period.find(company, date=start)
        for day, (journal, description, lines) in enumerate(MOVES):
            date = min(start + dt.timedelta(days=2 * day), today)
            moves.append({
                    'company': company.id,
                    'journal': ModelData.get_id('kazan_accounting', journal),
                    'period': period.id,
                    'date': date,
                    'description': description,
                    'lines': [('create', [{
                                    'account': accounts[a], 'kfo': k,
                                    'debit': Decimal(d), 'credit': Decimal(c),
                                    } for a, k, d, c in lines])],
                    })
    Move.post(Move.create(moves))
    return [c.id for c in companies]


def create_users(pool, company_ids):
    User = pool.get('res.user')
    credentials = []
    users = []
    for login, name, role, indexes in USERS:
        password = secrets.token_urlsafe(12)
        credentials.append((login, password, role))
        users.append({
                'login': login, 'name': name, 'role': role,
                'companies': [company_ids[i] for i in indexes],
                'password': password,
                })
    User.create_service_users(users)
    # The administrator sees every demo institution too
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {
            'companies': [('add', company_ids)],
            'company': company_ids[0],
            })
    return credentials


def write_credentials(settings, credentials):
    path = settings.data_dir / 'demo-credentials.csv'
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
        writer = csv.writer(f, delimiter=';', lineterminator='\n')
        writer.writerow(['login', 'password', 'role'])
        writer.writerows(credentials)


def print_trial_balances(pool, company_ids, start, today):
    Company = pool.get('company.company')
    TrialBalance = pool.get('kazan.trial_balance')
    width = shutil.get_terminal_size((120, 20)).columns
    for company in Company.browse(company_ids):
        print()
        print(f"Оборотно-сальдовая ведомость: {company.rec_name} "
            f"(ИНН {company.inn}), {start:%d.%m.%Y}–{today:%d.%m.%Y}")
        header = ("Счет", "КФО", "Сальдо Дт", "Сальдо Кт", "Оборот Дт",
            "Оборот Кт", "Сальдо Дт", "Сальдо Кт")
        print(_line(header, width))
        totals = [Decimal(0)] * 6
        for row in TrialBalance.compute(company, start, today):
            amounts = row[3:]
            totals = [t + a for t, a in zip(totals, amounts)]
            print(_line((row.code, row.kfo, *amounts), width))
        print(_line(("ИТОГО", "", *totals), width))


def _line(cells, width):
    code, kfo, *amounts = cells
    text = f"{code:<12} {kfo:>3}" + ''.join(
        f"{_fmt(a):>15}" for a in amounts)
    return text[:width]


def _fmt(value):
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(',', ' ')
    return str(value)


def print_logins(settings, credentials):
    print()
    print("Вход в клиент Tryton: сервер 127.0.0.1:8000, база "
        f"«{settings.database}»")
    print("  admin (администратор): пароль в "
        f"{settings.data_dir / 'admin-password'}")
    for login, _, role in credentials:
        print(f"  {login} ({role})")
    print(f"  пароли демо-пользователей: "
        f"{settings.data_dir / 'demo-credentials.csv'}")
    sys.stdout.flush()
