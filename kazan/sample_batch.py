"""Synthetic onboarding batches (interfaces.md §2), for samples, tests and
benchmarks.

    from kazan import sample_batch
    sample_batch.generate('data/sample_batch')            # the 42 samples
    sample_batch.generate(out, institutions=658)          # a benchmark batch
    sample_batch.generate_defective('data/defective_batch')

``generate`` writes ``institutions.csv``, ``opening_balances.csv`` and
``employees.csv`` (UTF-8 without BOM, ``;`` separator, decimal point, dates
``YYYY-MM-DD``, ``\\n`` line ends) and returns a summary.  It draws every
value from one ``random.Random(seed)`` and never iterates over a set, so the
same arguments always give byte-identical files.

Everything is made up: the identifiers have valid check digits but belong to
nobody, the names are combined from common Russian and Tatar names.

What the figures mean (so that the pipeline's checks can rely on them):

- Opening balances are a trial balance as of each institution's start_date,
  balanced per КФО, on postable accounts of the chart that exist in both
  variants (``ACCOUNTS_USED``).  401.30 (result of past years) is the
  balancing figure of each КФО; КФО 3 (security deposits: 201.11 against
  304.01) balances by itself.  An institution starting on 1 March also
  carries the January-February income and expenses (401.10.131,
  401.10.152, 401.20.2xx); one starting on 1 January has none.  Per КФО,
  401.20.211 is the sum of the ``ytd_income`` of the employees paid from
  that КФО, and 401.20.213 the contributions on it (30 % plus the accident
  rate), rounded per КФО.
- Employees: monthly gross = base_salary × rate + allowances + 5,000 per
  class under classroom management + top-up to МРОТ × rate (27,093 in 2026;
  the top-up compares base_salary × rate + allowances).  ``ytd_income`` is
  the gross of each month from January to the month before start_date;
  ``ytd_deductions`` the child deductions (1,400 / 2,800 / 6,000 per child,
  + 12,000 per disabled child, per month while the cumulative income is at
  most 450,000; never more than the monthly gross, so that no unused
  deduction is carried over); ``ytd_ndfl`` = 13 % of the difference,
  rounded half up to whole rubles; ``ytd_contribution_base`` =
  ``ytd_income``.  Nobody works part of a month, is sick or on leave
  before start_date (everyone was hired before 16 December).
- The optional columns (``bank_bic`` ... ``earnings_prev_year2``) are drawn
  from a second ``random.Random`` of the seed, so that adding them changed
  no value of the other columns.  Each institution has a salary project
  with a Kazan bank (Sberbank's Tatarstan branch 8610 or АК БАРС); 12 % of
  the staff chose a card of one of the other banks (Sberbank in Moscow
  included).  Card accounts are ``40817810`` + control key + 11 digits,
  unique in the batch.  Insured service runs from a career start at 18 to
  22 (never after the hire date), less breaks of up to 15 % of the years
  before the hire, and is at least the years in the institution.  The
  earnings of year-1 are 90-100 % of 12 × today's monthly gross, those of
  year-2 80-92 %, both prorated when the career started during the year.
"""
import csv
import datetime as dt
import os
import random
from decimal import Decimal, ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP

from .sample import ogrn, organisation_inn

__all__ = ['generate', 'generate_benchmark', 'generate_defective',
    'INSTITUTION_COLUMNS', 'OPENING_BALANCE_COLUMNS', 'EMPLOYEE_COLUMNS']

INSTITUTION_COLUMNS = [
    'inn', 'kpp', 'ogrn', 'short_name', 'full_name', 'kind', 'legal_form',
    'founder', 'district', 'oktmo', 'personal_accounts', 'director',
    'director_login', 'chief_accountant', 'accident_rate', 'start_date']
OPENING_BALANCE_COLUMNS = ['inn', 'account', 'kfo', 'debit', 'credit']
EMPLOYEE_COLUMNS = [
    'inn', 'personnel_number', 'last_name', 'first_name', 'patronymic',
    'snils', 'employee_inn', 'birth_date', 'hire_date', 'position',
    'category', 'rate', 'base_salary', 'allowances', 'class_management',
    'children', 'disabled_children', 'kfo', 'ytd_income', 'ytd_deductions',
    'ytd_ndfl', 'ytd_contribution_base',
    # optional (kazan.batch.OPTIONAL_COLUMNS), last so that the older
    # columns keep their place
    'bank_bic', 'bank_account', 'insured_years', 'earnings_prev_year',
    'earnings_prev_year2']

OKTMO_KAZAN = '92701000'
# District -> 4-digit tax office of the INN (synthetic mapping on the
# Kazan inspections 1655-1661; Кировский and Московский share one)
DISTRICTS = [
    ('Авиастроительный', 'Авиастроительного', '1661'),
    ('Вахитовский', 'Вахитовского', '1655'),
    ('Кировский', 'Кировского', '1658'),
    ('Московский', 'Московского', '1658'),
    ('Ново-Савиновский', 'Ново-Савиновского', '1657'),
    ('Приволжский', 'Приволжского', '1659'),
    ('Советский', 'Советского', '1660'),
    ]
DISTRICT_GENITIVE = {d: g for d, g, _ in DISTRICTS}
TAX_OFFICE = {d: o for d, _, o in DISTRICTS}
# Tax offices of personal INNs: Kazan's, then elsewhere in Tatarstan
PERSONAL_TAX_OFFICES = ['1655', '1656', '1657', '1658', '1659', '1660',
    '1661', '1655', '1660', '1657', '1650', '1651', '1644', '1616', '1648']

EDUCATION_KINDS = ['school', 'kindergarten', 'supplementary']
CULTURE_KINDS = ['library', 'museum', 'theatre', 'culture_center']
# Share of each kind within its founder (35 -> 17/14/4, 7 -> 2/1/1/3)
KIND_SHARES = {
    'school': 17, 'kindergarten': 14, 'supplementary': 4,
    'library': 2, 'museum': 1, 'theatre': 1, 'culture_center': 3,
    }
EMPLOYEE_RANGE = {
    'school': (60, 90), 'kindergarten': (45, 75), 'supplementary': (40, 65),
    'library': (40, 60), 'museum': (40, 60), 'theatre': (50, 80),
    'culture_center': (45, 75),
    }
AUTONOMOUS_SHARE = {
    'school': 0.25, 'kindergarten': 0.2, 'supplementary': 0.25,
    'library': 0.0, 'museum': 0.3, 'theatre': 0.5, 'culture_center': 0.5,
    }
# Size of the property, relative to a school
SCALE = {
    'school': 1.0, 'kindergarten': 0.55, 'supplementary': 0.3,
    'library': 0.2, 'museum': 0.4, 'theatre': 0.6, 'culture_center': 0.7,
    }
# Probability of each financing source besides КФО 4
KFO2_SHARE = {
    'school': 0.6, 'kindergarten': 1.0, 'supplementary': 0.75,
    'library': 0.5, 'museum': 1.0, 'theatre': 1.0, 'culture_center': 1.0,
    }
KFO5_SHARE = {
    'school': 0.5, 'kindergarten': 0.2, 'supplementary': 0.3,
    'library': 0.3, 'museum': 0.3, 'theatre': 0.3, 'culture_center': 0.3,
    }
KFO3_SHARE = 0.1
# Own income of a year (КФО 2), rubles
INCOME_RANGE = {
    'school': (500_000, 3_000_000), 'kindergarten': (3_000_000, 8_000_000),
    'supplementary': (1_000_000, 4_000_000),
    'library': (200_000, 600_000), 'museum': (1_000_000, 3_000_000),
    'theatre': (5_000_000, 15_000_000),
    'culture_center': (3_000_000, 10_000_000),
    }

# Salary cards: the banks of the salary projects of Kazan's institutions
# (weight, БИК), and the branch codes in the card accounts of every bank a
# card may be held at
SALARY_PROJECT_BANKS = [
    (70, '049205603'),  # ПАО Сбербанк, Отделение «Банк Татарстан» № 8610
    (30, '049205805'),  # ПАО «АК БАРС» БАНК
    ]
CARD_BRANCHES = {
    '049205603': ['6200', '6202', '6226', '6237'],
    '049205805': ['0002', '0024', '0080', '8006'],
    '044525225': ['3800', '3804', '3826', '3840'],  # ПАО Сбербанк, Moscow
    }
OWN_BANK_SHARE = 0.12
CARD_ACCOUNT = '40817810'  # a person's current account, in rubles

MROT = Decimal('27093')
CLASS_PAY = Decimal('5000')
NDFL_RATE = Decimal('0.13')
CONTRIBUTION_RATE = Decimal('0.30')
DEDUCTION_INCOME_LIMIT = Decimal('450000')
DISABLED_CHILD_DEDUCTION = Decimal('12000')
DIRECTOR_SALARY = Decimal('26240')
CENT = Decimal('0.01')
RUBLE = Decimal('1')

# Every account an opening balance may use (all postable, variant both)
ACCOUNTS_USED = [
    '101.12', '101.13', '101.24', '101.25', '101.26', '101.34', '101.36',
    '101.38', '102.34', '103.11', '104.12', '104.13', '104.24', '104.25',
    '104.26', '104.34', '104.36', '104.38', '104.39', '105.31', '105.32',
    '105.33', '105.34', '105.35', '105.36', '201.11', '201.34', '205.31',
    '205.52', '206.21', '206.26', '302.11', '302.21', '302.23', '302.25',
    '302.26', '302.34', '303.01', '303.06', '303.15', '304.01', '304.03',
    '401.10.131', '401.10.152', '401.20.211', '401.20.213', '401.20.221',
    '401.20.223', '401.20.225', '401.20.226', '401.20.271', '401.20.272',
    '401.30', '401.41', '401.60',
    ]

# Names ----------------------------------------------------------------

RUSSIAN_SURNAMES = [
    'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров',
    'Соколов', 'Михайлов', 'Новиков', 'Федоров', 'Морозов', 'Волков',
    'Алексеев', 'Лебедев', 'Семенов', 'Егоров', 'Павлов', 'Козлов',
    'Степанов', 'Николаев', 'Орлов', 'Андреев', 'Макаров', 'Никитин',
    'Захаров', 'Зайцев', 'Соловьев', 'Борисов', 'Яковлев', 'Григорьев',
    'Романов', 'Воробьев', 'Сергеев', 'Кузьмин', 'Фролов', 'Александров',
    'Дмитриев', 'Королев', 'Гусев', 'Киселев', 'Ильин', 'Максимов',
    'Поляков', 'Сорокин', 'Виноградов', 'Ковалев', 'Белов', 'Медведев',
    'Антонов', 'Тарасов', 'Жуков', 'Баранов', 'Филиппов', 'Комаров',
    'Давыдов', 'Беляев', 'Герасимов', 'Богданов', 'Осипов', 'Сидоров',
    'Матвеев', 'Титов', 'Марков', 'Миронов', 'Крылов', 'Куликов',
    'Карпов', 'Власов', 'Мельников', 'Денисов', 'Гаврилов', 'Тихонов',
    'Казаков', 'Афанасьев', 'Данилов', 'Савельев', 'Тимофеев', 'Фомин',
    'Чернов', 'Абрамов', 'Мартынов', 'Ефимов', 'Назаров', 'Калинин',
    'Исаев', 'Щербаков', 'Островский', 'Покровский', 'Бондаренко',
    'Шевчук', 'Ткаченко', 'Ким',
    ]
TATAR_SURNAMES = [
    'Галиев', 'Хабибуллин', 'Сафин', 'Гарипов', 'Хайруллин', 'Валиев',
    'Зарипов', 'Мухаметзянов', 'Гайнутдинов', 'Шакиров', 'Ахметов',
    'Садыков', 'Нуриев', 'Фахрутдинов', 'Гильманов', 'Каримов', 'Латыпов',
    'Мингазов', 'Низамов', 'Сабиров', 'Тазиев', 'Файзуллин', 'Хасанов',
    'Шарафутдинов', 'Юсупов', 'Яруллин', 'Абдуллин', 'Багаутдинов',
    'Вахитов', 'Гатауллин', 'Закиров', 'Исмагилов', 'Камалов',
    'Миннуллин', 'Мусин', 'Набиуллин', 'Рахимов', 'Сафиуллин', 'Тагиров',
    'Усманов', 'Файзрахманов', 'Хакимов', 'Шайхутдинов', 'Гиниятуллин',
    'Ибрагимов', 'Габдрахманов', 'Сулейманов', 'Ганиев', 'Хуснутдинов',
    'Галимзянов', 'Мавлютов', 'Зиннатуллин', 'Гумеров', 'Шамсутдинов',
    ]
RUSSIAN_MALE = [
    'Александр', 'Алексей', 'Андрей', 'Артем', 'Владимир', 'Дмитрий',
    'Евгений', 'Иван', 'Игорь', 'Максим', 'Михаил', 'Николай', 'Олег',
    'Павел', 'Роман', 'Сергей', 'Юрий', 'Виктор', 'Константин', 'Денис',
    'Антон', 'Вячеслав', 'Кирилл', 'Никита',
    ]
TATAR_MALE = [
    'Айдар', 'Айрат', 'Азат', 'Алмаз', 'Булат', 'Динар', 'Ильдар',
    'Ильнур', 'Ильшат', 'Марат', 'Радик', 'Рамиль', 'Ринат', 'Рустам',
    'Тимур', 'Фарид', 'Руслан', 'Нияз', 'Ренат', 'Ирек', 'Ильназ', 'Инсаф',
    ]
RUSSIAN_FEMALE = [
    'Анна', 'Анастасия', 'Валентина', 'Галина', 'Дарья', 'Екатерина',
    'Елена', 'Ирина', 'Ксения', 'Лариса', 'Людмила', 'Марина', 'Мария',
    'Наталья', 'Нина', 'Ольга', 'Светлана', 'Татьяна', 'Юлия', 'Вера',
    'Надежда', 'Оксана', 'Полина', 'Виктория',
    ]
TATAR_FEMALE = [
    'Алсу', 'Альбина', 'Айгуль', 'Гульнара', 'Гульназ', 'Гузель',
    'Диляра', 'Зульфия', 'Ильмира', 'Лейсан', 'Лилия', 'Резеда', 'Регина',
    'Римма', 'Эльвира', 'Эльмира', 'Венера', 'Чулпан', 'Наиля', 'Роза',
    'Фарида', 'Ляйсан', 'Динара', 'Гульшат',
    ]
RUSSIAN_PATRONYMICS = [
    ('Александрович', 'Александровна'), ('Алексеевич', 'Алексеевна'),
    ('Андреевич', 'Андреевна'), ('Владимирович', 'Владимировна'),
    ('Викторович', 'Викторовна'), ('Дмитриевич', 'Дмитриевна'),
    ('Евгеньевич', 'Евгеньевна'), ('Иванович', 'Ивановна'),
    ('Игоревич', 'Игоревна'), ('Михайлович', 'Михайловна'),
    ('Николаевич', 'Николаевна'), ('Олегович', 'Олеговна'),
    ('Петрович', 'Петровна'), ('Сергеевич', 'Сергеевна'),
    ('Юрьевич', 'Юрьевна'), ('Анатольевич', 'Анатольевна'),
    ('Геннадьевич', 'Геннадьевна'), ('Валерьевич', 'Валерьевна'),
    ]
TATAR_PATRONYMICS = [
    ('Айдарович', 'Айдаровна'), ('Азатович', 'Азатовна'),
    ('Альбертович', 'Альбертовна'), ('Булатович', 'Булатовна'),
    ('Ильдарович', 'Ильдаровна'), ('Ильдусович', 'Ильдусовна'),
    ('Маратович', 'Маратовна'), ('Наилевич', 'Наилевна'),
    ('Радикович', 'Радиковна'), ('Рамилевич', 'Рамилевна'),
    ('Ринатович', 'Ринатовна'), ('Рустемович', 'Рустемовна'),
    ('Фаритович', 'Фаритовна'), ('Шамилевич', 'Шамилевна'),
    ('Рашитович', 'Рашитовна'), ('Халилович', 'Халиловна'),
    ('Равилевич', 'Равилевна'), ('Ринатович', 'Ринатовна'),
    ]


def _feminine(surname):
    if surname.endswith(('ов', 'ев', 'ин', 'ын')):
        return surname + 'а'
    if surname.endswith(('ский', 'цкий')):
        return surname[:-2] + 'ая'
    return surname


def _person(rng, female):
    "(last, first, patronymic) of a made-up person of Kazan"
    tatar = rng.random() < 0.5
    if rng.random() < 0.1:  # mixed families
        surname_tatar = not tatar
    else:
        surname_tatar = tatar
    surname = rng.choice(TATAR_SURNAMES if surname_tatar
        else RUSSIAN_SURNAMES)
    if female:
        surname = _feminine(surname)
        first = rng.choice(TATAR_FEMALE if tatar else RUSSIAN_FEMALE)
    else:
        first = rng.choice(TATAR_MALE if tatar else RUSSIAN_MALE)
    patronymic = rng.choice(TATAR_PATRONYMICS if tatar
        else RUSSIAN_PATRONYMICS)[1 if female else 0]
    return surname, first, patronymic


def _full_name(person):
    return ' '.join(p for p in person if p)


# Institutions ------------------------------------------------------------

SCHOOL_TYPES = [
    (0.70, 'Средняя общеобразовательная школа №{n}'),
    (0.13, 'Гимназия №{n}'),
    (0.10, 'Лицей №{n}'),
    (0.07, 'Средняя общеобразовательная школа №{n} с углубленным '
        'изучением отдельных предметов'),
    ]
KINDERGARTEN_TYPES = [
    (0.60, ''), (0.25, ' комбинированного вида'),
    (0.10, ' общеразвивающего вида'), (0.05, ' компенсирующего вида'),
    ]
SUPPLEMENTARY_NAMES = [
    'Центр детского творчества «Танкодром»', 'Дом детского творчества',
    'Центр внешкольной работы', 'Станция юных техников',
    'Центр детского творчества «Азино»', 'Детско-юношеский центр «Огонек»',
    'Центр дополнительного образования детей «Заречье»',
    'Дворец творчества детей и молодежи', 'Центр детского творчества '
    '«Сулеймания»', 'Детский экологический центр «Сабантуй»',
    ]
LIBRARY_NAMES = [
    'Централизованная библиотечная система',
    'Централизованная система детских библиотек',
    ]
MUSEUM_NAMES = [
    'Музей истории Казанского трамвая', 'Музей-мемориал «Солдатская слава»',
    'Музей казанской слободы', 'Литературный музей «Старая улица»',
    ]
THEATRE_NAMES = [
    'Молодежный театр-студия «Ялкын»', 'Театр-студия «Карусель»',
    'Городской театр эстрады',
    ]
# (name, district or None)
CULTURE_CENTER_NAMES = [
    ('Культурный центр «Московский»', 'Московский'),
    ('Культурный центр «Сайдаш»', None),
    ('Культурный центр «Чулпан»', None),
    ('Дом культуры им. Ленина', None),
    ('Дом культуры железнодорожников', None),
    ('Дом культуры химиков', 'Московский'),
    ('Культурный центр «Азино»', 'Советский'),
    ('Культурно-досуговый комплекс им. Саид-Галиева', None),
    ]
PREFIX = {
    ('school', 'budgetary'): 'МБОУ', ('school', 'autonomous'): 'МАОУ',
    ('kindergarten', 'budgetary'): 'МБДОУ',
    ('kindergarten', 'autonomous'): 'МАДОУ',
    ('supplementary', 'budgetary'): 'МБУДО',
    ('supplementary', 'autonomous'): 'МАУДО',
    }
FORM_WORD = {'budgetary': 'бюджетное', 'autonomous': 'автономное'}
FULL_FORM = {
    'school': 'Муниципальное {form} общеобразовательное учреждение',
    'kindergarten': 'Муниципальное {form} дошкольное образовательное '
    'учреждение',
    'supplementary': 'Муниципальное {form} учреждение дополнительного '
    'образования',
    'culture': 'Муниципальное {form} учреждение культуры',
    }


def _weighted(rng, choices):
    "choices: [(weight, value)]"
    point = rng.random() * sum(w for w, _ in choices)
    for weight, value in choices:
        point -= weight
        if point < 0:
            return value
    return choices[-1][1]


def _split(total, shares):
    "Split total by shares (largest remainder, file order on ties)"
    whole = sum(shares.values())
    counts = {k: total * s // whole for k, s in shares.items()}
    rest = total - sum(counts.values())
    order = sorted(shares, key=lambda k: -(total * shares[k] % whole))
    for kind in order[:rest]:
        counts[kind] += 1
    return counts


class _Names:
    "Unique institution names of a batch"

    def __init__(self, rng, counts):
        self.rng = rng
        self.schools = iter(rng.sample(range(1, max(190, 2 * counts.get(
                            'school', 0)) + 1), counts.get('school', 0)))
        self.kindergartens = iter(rng.sample(range(1, max(450, 2 * counts.get(
                            'kindergarten', 0)) + 1),
                counts.get('kindergarten', 0)))
        self.used = {}

    def _pick(self, kind, pool, fallback):
        n = self.used.get(kind, 0)
        self.used[kind] = n + 1
        if n < len(pool):
            return pool[n]
        return fallback.format(n=n - len(pool) + 1)

    def name(self, kind, legal_form, district):
        "(short_name, full_name, district)"
        rng = self.rng
        form = FORM_WORD[legal_form]
        if kind == 'school':
            n = next(self.schools)
            name = _weighted(rng, SCHOOL_TYPES).format(n=n)
            short = name.replace(' с углубленным изучением отдельных '
                'предметов', '')
        elif kind == 'kindergarten':
            n = next(self.kindergartens)
            short = f'Детский сад №{n}'
            name = short + _weighted(rng, KINDERGARTEN_TYPES)
        elif kind == 'supplementary':
            name = short = self._pick(kind, SUPPLEMENTARY_NAMES,
                'Центр детского творчества №{n}')
        if kind in EDUCATION_KINDS:
            prefix = PREFIX[kind, legal_form]
            full = (f'{FULL_FORM[kind].format(form=form)} "{name}" '
                f'{DISTRICT_GENITIVE[district]} района г. Казани')
            return f'{prefix} "{short}"', full, district
        if kind == 'library':
            name = self._pick(kind, LIBRARY_NAMES, 'Библиотека №{n}')
        elif kind == 'museum':
            name = self._pick(kind, MUSEUM_NAMES, 'Музей истории района №{n}')
        elif kind == 'theatre':
            name = self._pick(kind, THEATRE_NAMES, 'Театр-студия №{n}')
        else:
            name = self._pick(kind, [n for n, _ in CULTURE_CENTER_NAMES],
                'Дом культуры №{n}')
        prefix = 'МБУК' if legal_form == 'budgetary' else 'МАУК'
        full = f'{FULL_FORM["culture"].format(form=form)} г. Казани "{name}"'
        return f'{prefix} "{name}"', full, district


# Identifiers ---------------------------------------------------------

def snils_checksum(number):
    "The 2-digit checksum of the 9 first digits of a СНИЛС (brief §8)"
    total = sum(int(d) * w for d, w in zip(f'{number:09d}', range(9, 0, -1)))
    if total > 101:
        total %= 101
    if total in (100, 101):
        total = 0
    return total


def format_snils(number, checksum=None):
    if checksum is None:
        checksum = snils_checksum(number)
    digits = f'{number:09d}'
    return f'{digits[:3]}-{digits[3:6]}-{digits[6:]} {checksum:02d}'


def personal_inn(tax_office, number):
    "A valid 12-digit personal INN"
    base = f'{tax_office}{number:06d}'
    n11 = sum(int(d) * w for d, w in zip(
            base, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8])) % 11 % 10
    base += str(n11)
    n12 = sum(int(d) * w for d, w in zip(
            base, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8])) % 11 % 10
    return base + str(n12)


def card_account(bic, number):
    """The card account '40817810' + control key + ``number`` (11 digits)
    at the bank of ``bic``: the last three digits of the БИК and the
    account, weighted 7, 1, 3 ..., sum to a multiple of 10"""
    digits = f'{bic[-3:]}{CARD_ACCOUNT}0{number:011d}'
    total = sum(int(d) * (7, 1, 3)[i % 3] for i, d in enumerate(digits))
    return f'{CARD_ACCOUNT}{total % 10 * 3 % 10}{number:011d}'


class _Identifiers:
    """Unique identifiers of a batch.

    ``later`` draws the values of the columns added after the first
    version, apart from ``rng``, so that the earlier values stay the same.
    """

    def __init__(self, rng, serial_range=(10000, 89999), seed=0):
        self.rng = rng
        self.later = random.Random(f'{seed}/salary cards and sick pay')
        self.serial_range = serial_range
        self.serials = {}
        self.snils = {}
        self.inns = {}
        self.accounts = {}

    def organisation(self, tax_office):
        "(inn, kpp, ogrn)"
        while True:
            serial = self.rng.randint(*self.serial_range)
            if (tax_office, serial) not in self.serials:
                break
        self.serials[tax_office, serial] = True
        inn = organisation_inn(serial, tax_office)
        year = self.rng.choice(['02', '02', '02', '03', '11', '12'])
        number = ogrn(int(tax_office[2:]) * 100000 + serial, year=year)
        return inn, inn[:4] + '01001', number

    def person_snils(self):
        while True:
            number = self.rng.randint(2_000_000, 199_999_999)
            if number not in self.snils:
                break
        self.snils[number] = True
        return number

    def person_inn(self):
        while True:
            office = self.rng.choice(PERSONAL_TAX_OFFICES)
            inn = personal_inn(office, self.rng.randint(1, 999_999))
            if inn not in self.inns:
                break
        self.inns[inn] = True
        return inn

    def salary_project(self):
        "The БИК of the bank of an institution's salary project"
        return _weighted(self.later, SALARY_PROJECT_BANKS)

    def card(self, project_bic):
        "(БИК, account) of a person's salary card"
        bic = project_bic
        if self.later.random() < OWN_BANK_SHARE:
            bic = self.later.choice(
                [b for b in CARD_BRANCHES if b != project_bic])
        while True:
            branch = self.later.choice(CARD_BRANCHES[bic])
            account = card_account(bic, int(branch) * 10_000_000
                + self.later.randint(1, 9_999_999))
            if account not in self.accounts:
                break
        self.accounts[account] = True
        return bic, account


# Staff -------------------------------------------------------------

# position, category, share of female staff, base salary range (one rate),
# allowance range
P = {
    'director': ('директор', 'administration', 0.65, None, (8000, 15000)),
    'head_kg': ('заведующий', 'administration', 0.97, None, (8000, 15000)),
    'deputy_study': ('заместитель директора по учебно-воспитательной работе',
        'administration', 0.8, (20992, 23616), (5000, 12000)),
    'deputy_edu': ('заместитель директора по воспитательной работе',
        'administration', 0.8, (20992, 23616), (5000, 12000)),
    'deputy_aho': ('заместитель директора по административно-хозяйственной '
        'работе', 'administration', 0.4, (20992, 23616), (4000, 10000)),
    'deputy': ('заместитель директора', 'administration', 0.7,
        (20992, 23616), (5000, 12000)),
    'senior_educator': ('старший воспитатель', 'educator', 0.98,
        (23000, 27000), (3000, 9000)),
    'educator': ('воспитатель', 'educator', 0.98, (20000, 28000),
        (2000, 8000)),
    'assistant_educator': ('помощник воспитателя', 'support', 0.97,
        (12000, 15500), (2000, 6000)),
    'music_director': ('музыкальный руководитель', 'educator', 0.9,
        (18000, 24000), (2000, 6000)),
    'pe_instructor': ('инструктор по физической культуре', 'educator', 0.7,
        (18000, 24000), (2000, 6000)),
    'kg_speech': ('учитель-логопед', 'educator', 0.98, (20000, 26000),
        (2000, 6000)),
    'kg_psychologist': ('педагог-психолог', 'educator', 0.95,
        (19000, 25000), (2000, 6000)),
    'psychologist': ('педагог-психолог', 'teacher', 0.95, (19000, 26000),
        (2000, 7000)),
    'social_teacher': ('социальный педагог', 'teacher', 0.9, (19000, 25000),
        (2000, 7000)),
    'speech_teacher': ('учитель-логопед', 'teacher', 0.98, (20000, 26000),
        (2000, 7000)),
    'advisor': ('советник директора по воспитанию и взаимодействию с '
        'детскими общественными объединениями', 'teacher', 0.7,
        (21000, 25000), (2000, 6000)),
    'librarian_teacher': ('педагог-библиотекарь', 'teacher', 0.95,
        (18000, 23000), (2000, 5000)),
    'organizer': ('педагог-организатор', 'teacher', 0.8, (18000, 24000),
        (2000, 7000)),
    'supplementary_teacher': ('педагог дополнительного образования',
        'teacher', 0.7, (18000, 28000), (2000, 9000)),
    'methodist': ('методист', 'teacher', 0.9, (19000, 25000), (2000, 7000)),
    'accompanist': ('концертмейстер', 'teacher', 0.85, (18000, 24000),
        (2000, 6000)),
    'cleaner': ('уборщик служебных помещений', 'support', 0.9,
        (12000, 13500), (0, 5000)),
    'watchman': ('сторож', 'support', 0.2, (12000, 13500), (0, 4000)),
    'janitor': ('дворник', 'support', 0.4, (12000, 13500), (0, 4000)),
    'repairman': ('рабочий по комплексному обслуживанию и ремонту зданий',
        'support', 0.05, (13000, 15500), (1000, 6000)),
    'cook': ('повар', 'support', 0.9, (14000, 17500), (1000, 6000)),
    'kitchen_worker': ('кухонный рабочий', 'support', 0.85, (12000, 13500),
        (0, 4000)),
    'linen_keeper': ('кастелянша', 'support', 1.0, (12000, 13500),
        (0, 3000)),
    'laundry': ('машинист по стирке и ремонту спецодежды', 'support', 0.95,
        (12000, 13500), (0, 3000)),
    'storekeeper': ('кладовщик', 'support', 0.8, (13000, 15000), (0, 4000)),
    'wardrobe': ('гардеробщик', 'support', 0.95, (12000, 13000), (0, 3000)),
    'secretary': ('секретарь руководителя', 'support', 0.95,
        (14000, 17500), (1000, 5000)),
    'lab_assistant': ('лаборант', 'support', 0.9, (13000, 16000),
        (0, 4000)),
    'hr': ('специалист по кадрам', 'support', 0.95, (16000, 20000),
        (2000, 6000)),
    'it': ('инженер-электроник', 'support', 0.2, (16000, 21000),
        (2000, 8000)),
    'housekeeper': ('заведующий хозяйством', 'support', 0.6,
        (16000, 20000), (2000, 6000)),
    'nurse': ('медицинская сестра', 'support', 1.0, (16000, 20000),
        (1000, 5000)),
    'driver': ('водитель автомобиля', 'support', 0.02, (15000, 18000),
        (2000, 6000)),
    # culture
    'head_librarian': ('главный библиотекарь', 'culture', 0.95,
        (20000, 25000), (2000, 8000)),
    'librarian': ('библиотекарь', 'culture', 0.95, (16000, 22000),
        (1000, 7000)),
    'bibliographer': ('ведущий библиограф', 'culture', 0.95,
        (18000, 23000), (1000, 7000)),
    'branch_head': ('заведующий библиотекой-филиалом', 'culture', 0.95,
        (21000, 25000), (2000, 8000)),
    'department_head': ('заведующий отделом', 'culture', 0.85,
        (21000, 26000), (2000, 8000)),
    'chief_curator': ('главный хранитель', 'culture', 0.8, (22000, 26000),
        (3000, 9000)),
    'curator': ('хранитель фондов', 'culture', 0.85, (18000, 24000),
        (1000, 7000)),
    'researcher': ('научный сотрудник', 'culture', 0.75, (18000, 24000),
        (1000, 7000)),
    'guide': ('экскурсовод', 'culture', 0.85, (16000, 21000), (1000, 7000)),
    'attendant': ('смотритель музейный', 'support', 0.9, (12000, 14000),
        (0, 3000)),
    'art_director': ('художественный руководитель', 'culture', 0.4,
        (24000, 26240), (5000, 12000)),
    'actor': ('артист драмы', 'culture', 0.55, (18000, 30000),
        (2000, 12000)),
    'stage_director': ('режиссер-постановщик', 'culture', 0.4,
        (22000, 28000), (3000, 10000)),
    'sound': ('звукооператор', 'culture', 0.2, (16000, 20000), (1000, 6000)),
    'light': ('светооператор', 'culture', 0.2, (16000, 20000), (1000, 6000)),
    'costumer': ('костюмер', 'support', 0.95, (13000, 15000), (0, 4000)),
    'organiser_culture': ('культорганизатор', 'culture', 0.8,
        (16000, 21000), (1000, 7000)),
    'club_head': ('руководитель клубного формирования', 'culture', 0.7,
        (16000, 22000), (1000, 7000)),
    'choirmaster': ('хормейстер', 'culture', 0.7, (18000, 24000),
        (2000, 8000)),
    'choreographer': ('балетмейстер', 'culture', 0.7, (18000, 24000),
        (2000, 8000)),
    'accompanist_culture': ('аккомпаниатор', 'culture', 0.8,
        (16000, 22000), (1000, 6000)),
    'methodist_culture': ('методист', 'culture', 0.9, (18000, 23000),
        (1000, 7000)),
    }
SCHOOL_SUBJECTS = [
    (6, 'учитель начальных классов'), (4, 'учитель математики'),
    (4, 'учитель русского языка и литературы'),
    (3, 'учитель английского языка'),
    (2, 'учитель татарского языка и литературы'),
    (2, 'учитель истории и обществознания'), (1, 'учитель физики'),
    (1, 'учитель химии'), (1, 'учитель биологии'),
    (1, 'учитель географии'), (1, 'учитель информатики'),
    (2, 'учитель физической культуры'), (1, 'учитель музыки'),
    (1, 'учитель изобразительного искусства'), (1, 'учитель технологии'),
    (1, 'учитель основ безопасности и защиты Родины'),
    ]
# Per kind: fixed posts (key, count) then weighted fill [(weight, key)];
# 'teacher' draws a subject from SCHOOL_SUBJECTS
STAFFING = {
    'school': ([('director', 1), ('deputy_study', 2), ('deputy_edu', 1),
                ('deputy_aho', 1), ('psychologist', 1), ('social_teacher', 1),
                ('librarian_teacher', 1), ('secretary', 1), ('hr', 1),
                ('it', 1), ('lab_assistant', 1), ('repairman', 1)],
        [(62, 'teacher'), (2, 'speech_teacher'), (2, 'organizer'),
            (10, 'cleaner'), (5, 'watchman'), (2, 'janitor'),
            (2, 'wardrobe'), (3, 'cook'), (2, 'kitchen_worker')]),
    'kindergarten': ([('head_kg', 1), ('deputy', 1), ('senior_educator', 1),
                ('music_director', 1), ('pe_instructor', 1), ('nurse', 1),
                ('housekeeper', 1), ('storekeeper', 1), ('linen_keeper', 1),
                ('laundry', 1), ('cook', 2)],
        [(40, 'educator'), (25, 'assistant_educator'), (2, 'kg_speech'),
            (2, 'kg_psychologist'), (8, 'cleaner'), (5, 'watchman'),
            (3, 'janitor'), (4, 'kitchen_worker'), (3, 'repairman')]),
    'supplementary': ([('director', 1), ('deputy_study', 1),
                ('deputy_aho', 1), ('methodist', 2), ('secretary', 1),
                ('hr', 1), ('accompanist', 1)],
        [(60, 'supplementary_teacher'), (6, 'organizer'),
            (3, 'methodist'), (8, 'cleaner'), (6, 'watchman'),
            (3, 'wardrobe'), (3, 'repairman'), (2, 'it')]),
    'library': ([('director', 1), ('deputy', 2), ('hr', 1), ('it', 1),
                ('housekeeper', 1)],
        [(30, 'librarian'), (8, 'head_librarian'), (6, 'bibliographer'),
            (8, 'branch_head'), (5, 'department_head'),
            (5, 'methodist_culture'), (8, 'cleaner'), (4, 'watchman'),
            (2, 'driver')]),
    'museum': ([('director', 1), ('deputy', 1), ('chief_curator', 1),
                ('hr', 1), ('it', 1), ('housekeeper', 1)],
        [(14, 'curator'), (12, 'researcher'), (12, 'guide'),
            (4, 'department_head'), (5, 'methodist_culture'),
            (12, 'attendant'), (6, 'cleaner'), (6, 'watchman'),
            (3, 'wardrobe'), (2, 'repairman')]),
    'theatre': ([('director', 1), ('art_director', 1), ('deputy', 1),
                ('stage_director', 2), ('hr', 1), ('housekeeper', 1),
                ('driver', 1)],
        [(45, 'actor'), (4, 'sound'), (4, 'light'), (5, 'costumer'),
            (3, 'choreographer'), (3, 'accompanist_culture'),
            (6, 'cleaner'), (4, 'watchman'), (4, 'wardrobe'),
            (4, 'repairman')]),
    'culture_center': ([('director', 1), ('art_director', 1),
                ('deputy', 1), ('hr', 1), ('housekeeper', 1), ('sound', 1),
                ('light', 1)],
        [(25, 'club_head'), (12, 'organiser_culture'), (6, 'choirmaster'),
            (6, 'choreographer'), (6, 'accompanist_culture'),
            (5, 'methodist_culture'), (8, 'cleaner'), (5, 'watchman'),
            (4, 'wardrobe'), (4, 'repairman')]),
    }
# Posts paid from own income (КФО 2) when the institution has it
KFO2_POSTS = {
    'school': {'supplementary_teacher', 'organizer'},
    'kindergarten': {'cook', 'kitchen_worker'},
    'supplementary': {'supplementary_teacher'},
    'library': set(),
    'museum': {'guide'},
    'theatre': {'actor'},
    'culture_center': {'club_head'},
    }


def _money(value):
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def _amount(rng, low, high):
    "A random amount in rubles and kopecks"
    return Decimal(rng.randint(int(low * 100), int(high * 100))) / 100


def _date(rng, first, last):
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def child_deduction(children, disabled):
    "The standard child deduction of one month (from 2025)"
    total = Decimal(0)
    for i in range(1, children + 1):
        total += {1: 1400, 2: 2800}.get(i, 6000)
    return total + DISABLED_CHILD_DEDUCTION * disabled


def monthly_gross(base_salary, rate, allowances, classes):
    "Gross of a full month: pay, allowances, classes, МРОТ top-up"
    pay = base_salary * rate + allowances
    top_up = max(Decimal(0), MROT * rate - pay)
    return _money(pay + top_up + CLASS_PAY * classes)


def year_to_date(gross, children, disabled, months):
    "(income, deductions, ndfl) of the first ``months`` months of the year"
    income = deductions = Decimal(0)
    for _ in range(months):
        income += gross
        if income <= DEDUCTION_INCOME_LIMIT:
            deductions += child_deduction(children, disabled)
    base = max(Decimal(0), income - deductions)
    ndfl = (base * NDFL_RATE).quantize(RUBLE, ROUND_HALF_UP)
    return _money(income), _money(deductions), _money(ndfl)


def _years(first, last):
    "Years from first to last, to a tenth, rounded down"
    return (Decimal((last - first).days) / Decimal('365.25')).quantize(
        Decimal('0.1'), ROUND_FLOOR)


def sick_pay_history(later, birth, hire, start_date, gross):
    """(insured years, earnings of year-1, earnings of year-2) of a person
    at start_date, whose monthly gross today is ``gross``"""
    adult = dt.date(birth.year + 18, birth.month, 1) + dt.timedelta(days=31)
    career = min(hire, adult + dt.timedelta(days=later.randint(0, 4 * 365)))
    breaks = later.randint(0, (hire - career).days * 15 // 100)
    insured = max(_years(career + dt.timedelta(days=breaks), start_date),
        _years(hire, start_date))
    earnings = []
    for back, low, high in [(1, 90, 100), (2, 80, 92)]:
        year = start_date.year - back
        if career.year > year:
            months = 0
        elif career.year == year:
            months = 13 - career.month
        else:
            months = 12
        level = Decimal(later.randint(low * 10, high * 10)) / 1000
        earnings.append(_money(gross * level * months))
    return insured, earnings[0], earnings[1]


def _staff_keys(rng, kind, count):
    fixed, fill = STAFFING[kind]
    keys = [k for k, n in fixed for _ in range(n)]
    if count < 2 * len(keys):  # a small staff: the head, then drawn posts
        keys = keys[:1]
    while len(keys) < count:
        keys.append(_weighted(rng, fill))
    return keys[:count]


def _employees(rng, ids, inn, kind, count, director, kfos, start_date):
    "Employee rows of one institution (dicts), the director first"
    months = start_date.month - 1
    numbers = sorted(rng.sample(range(1, 3 * count + 40), count))
    rows = []
    advisor = 'advisor' if kind == 'school' and '5' in kfos else None
    keys = _staff_keys(rng, kind, count)
    if advisor:
        keys[-1] = advisor
    hire_last = dt.date(start_date.year - 1, 12, 15)
    project_bic = ids.salary_project()
    for index, (key, number) in enumerate(zip(keys, numbers)):
        subject = None
        if key == 'teacher':
            subject = _weighted(rng, SCHOOL_SUBJECTS)
            position, category, female_share = subject, 'teacher', 0.82
            salary_range, allowance_range = (21500, 38000), (3000, 15000)
        else:
            position, category, female_share, salary_range, \
                allowance_range = P[key]
        if index == 0:
            last, first, patronymic, female = director
        else:
            female = rng.random() < female_share
            last, first, patronymic = _person(rng, female)
            if rng.random() < 0.03:
                patronymic = ''
        if index == 0:
            birth = _date(rng, dt.date(1962, 1, 1), dt.date(1990, 12, 31))
        elif category == 'administration':
            birth = _date(rng, dt.date(1962, 1, 1), dt.date(1993, 12, 31))
        else:
            birth = _date(rng, dt.date(1960, 1, 1), dt.date(2003, 12, 31))
        hire_first = max(dt.date(birth.year + 19, 7, 1), dt.date(1985, 1, 1))
        if index == 0:
            hire_first = max(hire_first, dt.date(birth.year + 28, 1, 1))
        hire_first = min(hire_first, hire_last)
        if rng.random() < 0.3 and category in {'teacher', 'educator'}:
            year = rng.randint(hire_first.year, hire_last.year)
            hire = max(hire_first, dt.date(year, 8, 28 + rng.randint(0, 3)))
            hire = min(hire, hire_last)
        else:
            hire = _date(rng, hire_first, hire_last)
        if index == 0:
            salary, rate = DIRECTOR_SALARY, Decimal('1.0')
        else:
            salary = Decimal(rng.randint(*salary_range) // 10 * 10)
            if category == 'teacher':
                rate = _weighted(rng, [(55, '1.0'), (10, '0.5'),
                        (13, '1.25'), (22, '1.5')])
            elif category == 'administration':
                rate = '1.0'
            else:
                rate = _weighted(rng, [(85, '1.0'), (10, '0.5'),
                        (3, '1.25'), (2, '1.5')])
            rate = Decimal(rate)
        low, high = allowance_range
        allowances = Decimal(0)
        if high and (low or rng.random() < 0.8):
            allowances = Decimal(rng.randint(low, high) // 100 * 100)
        # incentive payments usually bring the pay up to the minimum wage;
        # some support staff get the explicit top-up instead
        short = MROT * rate - (salary * rate + allowances)
        if short > 0 and (category != 'support' or rng.random() < 0.6):
            allowances = min(allowances + (short / 100).to_integral_value(
                    rounding=ROUND_CEILING) * 100, Decimal(15000))
        classes = 0
        if subject and kind == 'school' and rng.random() < 0.6:
            classes = 1 if rng.random() < 0.85 else 2
        age = start_date.year - birth.year
        if age <= 52:
            children = _weighted(rng, [(38, 0), (26, 1), (26, 2), (8, 3),
                    (2, 4)])
        else:
            children = 0 if rng.random() < 0.92 else 1
        disabled = 1 if children and rng.random() < 0.03 else 0
        kfo = '4'
        if key == 'advisor':
            kfo = '5'
        elif '2' in kfos and key in KFO2_POSTS[kind] \
                and rng.random() < 0.5:
            kfo = '2'
        gross = monthly_gross(salary, rate, allowances, classes)
        # no deduction larger than the pay of the month (no carry-over)
        while child_deduction(children, disabled) > gross:
            if disabled:
                disabled -= 1
            else:
                children -= 1
        income, deductions, ndfl = year_to_date(
            gross, children, disabled, months)
        personal = ids.person_inn() if rng.random() < 0.7 else ''
        bic, account = ids.card(project_bic)
        insured, earned1, earned2 = sick_pay_history(
            ids.later, birth, hire, start_date, gross)
        rows.append({
                'inn': inn,
                'personnel_number': f'{number:06d}',
                'last_name': last, 'first_name': first,
                'patronymic': patronymic,
                'snils': format_snils(ids.person_snils()),
                'employee_inn': personal,
                'birth_date': birth.isoformat(),
                'hire_date': hire.isoformat(),
                'position': position, 'category': category,
                'rate': str(rate), 'base_salary': str(_money(salary)),
                'allowances': str(_money(allowances)),
                'class_management': str(classes),
                'children': str(children),
                'disabled_children': str(disabled),
                'kfo': kfo,
                'ytd_income': str(income), 'ytd_deductions': str(deductions),
                'ytd_ndfl': str(ndfl), 'ytd_contribution_base': str(income),
                'bank_bic': bic, 'bank_account': account,
                'insured_years': str(insured),
                'earnings_prev_year': str(earned1),
                'earnings_prev_year2': str(earned2),
                '_gross': gross,
                })
    return rows


# Opening balances ------------------------------------------------------

class _Ledger:
    "Opening balance lines of one institution, balanced per КФО"

    def __init__(self):
        self.lines = {}

    def add(self, account, kfo, debit=0, credit=0):
        assert account in ACCOUNTS_USED, account
        debit, credit = _money(debit), _money(credit)
        if not debit and not credit:
            return
        key = (account, kfo)
        assert key not in self.lines, key
        self.lines[key] = (debit, credit)

    def fixed_asset(self, rng, asset, depreciation, kfo, cost, low, high):
        cost = _money(cost)
        self.add(asset, kfo, debit=cost)
        ratio = Decimal(rng.randint(int(low * 1000), int(high * 1000))) / 1000
        self.add(depreciation, kfo, credit=cost * ratio)

    def balance(self, kfo):
        "Book the difference of the КФО on 401.30"
        debit = sum(d for (a, k), (d, c) in self.lines.items() if k == kfo)
        credit = sum(c for (a, k), (d, c) in self.lines.items() if k == kfo)
        if debit > credit:
            self.add('401.30', kfo, credit=debit - credit)
        elif credit > debit:
            self.add('401.30', kfo, debit=credit - debit)

    def rows(self, inn):
        def key(item):
            (account, kfo), _ = item
            return (int(kfo), [int(p) for p in account.split('.')])
        return [{'inn': inn, 'account': account, 'kfo': kfo,
                'debit': str(debit), 'credit': str(credit)}
            for (account, kfo), (debit, credit) in sorted(
                self.lines.items(), key=key)]


def _payroll_lines(ledger, kfo, employees, accident_rate, months):
    "Payables for the last month, and for a March start, the YTD expense"
    staff = [e for e in employees if e['kfo'] == kfo]
    if not staff:
        return Decimal(0)
    gross = sum(e['_gross'] for e in staff)
    accident = Decimal(accident_rate) / 100
    if months:
        # second half of the last month, paid in the first days of the next
        ledger.add('302.11', kfo, credit=gross * Decimal('0.5')
            * (1 - NDFL_RATE))
        ledger.add('303.01', kfo, credit=gross * Decimal('0.5') * NDFL_RATE)
        income = sum(Decimal(e['ytd_income']) for e in staff)
        ledger.add('401.20.211', kfo, debit=income)
        ledger.add('401.20.213', kfo,
            debit=income * (CONTRIBUTION_RATE + accident))
    # contributions of the last month, due on the 28th (НС и ПЗ the 15th)
    ledger.add('303.15', kfo, credit=gross * CONTRIBUTION_RATE)
    ledger.add('303.06', kfo, credit=gross * accident)
    return gross


def _opening_balance(rng, inn, kind, kfos, employees, accident_rate,
        start_date):
    ledger = _Ledger()
    months = start_date.month - 1
    scale = SCALE[kind]
    mln = 1_000_000

    def chance(p):
        return rng.random() < p

    # КФО 4: property, stocks, cash, the subsidy of the year, payables
    ledger.fixed_asset(rng, '101.12', '104.12', '4',
        _amount(rng, 60 * mln, 220 * mln) * Decimal(scale), 0.2, 0.75)
    if chance(0.5):
        ledger.fixed_asset(rng, '101.13', '104.13', '4',
            _amount(rng, 1 * mln, 8 * mln) * Decimal(scale), 0.3, 0.9)
    if chance(0.7 if kind in EDUCATION_KINDS else 0.4):
        ledger.add('103.11', '4',
            debit=_amount(rng, 15 * mln, 60 * mln) * Decimal(scale))
    ledger.fixed_asset(rng, '101.24', '104.24', '4',
        _amount(rng, 4 * mln, 18 * mln) * Decimal(scale), 0.4, 0.95)
    transport = chance({'school': 0.3, 'supplementary': 0.2,
            'culture_center': 0.3, 'theatre': 0.4, 'library': 0.3}.get(
                kind, 0))
    if transport:
        ledger.fixed_asset(rng, '101.25', '104.25', '4',
            _amount(rng, 2.5 * mln, 4.5 * mln), 0.3, 1.0)
    ledger.fixed_asset(rng, '101.26', '104.26', '4',
        _amount(rng, 0.8 * mln, 3 * mln) * Decimal(scale), 0.4, 0.95)
    ledger.fixed_asset(rng, '101.34', '104.34', '4',
        _amount(rng, 1.5 * mln, 6 * mln) * Decimal(scale), 0.85, 1.0)
    ledger.fixed_asset(rng, '101.36', '104.36', '4',
        _amount(rng, 0.5 * mln, 3 * mln) * Decimal(scale), 0.85, 1.0)
    if chance(0.4):
        ledger.fixed_asset(rng, '101.38', '104.38', '4',
            _amount(rng, 0.1 * mln, 1 * mln) * Decimal(scale), 0.9, 1.0)
    if chance(0.3):
        ledger.fixed_asset(rng, '102.34', '104.39', '4',
            _amount(rng, 50_000, 500_000), 0.3, 1.0)
    ledger.add('105.36', '4',
        debit=_amount(rng, 50_000, 600_000) * Decimal(scale))
    if chance(0.5):
        ledger.add('105.34', '4', debit=_amount(rng, 20_000, 300_000))
    if chance(0.9 if kind == 'kindergarten' else 0.4):
        ledger.add('105.35', '4', debit=_amount(rng, 10_000, 200_000))
    if kind in {'school', 'kindergarten'} and chance(0.5):
        ledger.add('105.31', '4', debit=_amount(rng, 2_000, 30_000))
    if transport:
        ledger.add('105.33', '4', debit=_amount(rng, 5_000, 40_000))
    ledger.add('201.11', '4',
        debit=_amount(rng, 0.3 * mln, 3 * mln) * Decimal(scale))
    if chance(0.3):
        ledger.add('206.21', '4', debit=_amount(rng, 1_000, 10_000))
    if chance(0.2):
        ledger.add('206.26', '4', debit=_amount(rng, 5_000, 50_000))
    gross4 = _payroll_lines(ledger, '4', employees, accident_rate, months)
    # the municipal-task subsidy of the year: payroll ≈ 78 % of the costs
    subsidy = _money(12 * gross4 * (1 + CONTRIBUTION_RATE) / Decimal('0.78')
        ).quantize(Decimal('1000'))
    recognised = _money(subsidy * months / 12)
    received = _money(recognised * Decimal(rng.randint(95, 110)) / 100)
    ledger.add('205.31', '4', debit=subsidy - received)
    ledger.add('401.41', '4', credit=subsidy - recognised)
    ledger.add('401.10.131', '4', credit=recognised)
    if months:
        base = subsidy / 12 * months
        ledger.add('401.20.223', '4', debit=base * Decimal(
                rng.randint(80, 120)) / 1000)
        ledger.add('401.20.221', '4', debit=base * Decimal(
                rng.randint(3, 8)) / 1000)
        ledger.add('401.20.225', '4', debit=base * Decimal(
                rng.randint(20, 50)) / 1000)
        ledger.add('401.20.226', '4', debit=base * Decimal(
                rng.randint(10, 40)) / 1000)
        ledger.add('401.20.271', '4', debit=base * Decimal(
                rng.randint(20, 60)) / 1000)
        ledger.add('401.20.272', '4', debit=base * Decimal(
                rng.randint(5, 25)) / 1000)
    ledger.add('302.23', '4', credit=_amount(rng, 50_000, 600_000)
        * Decimal(scale))
    ledger.add('302.21', '4', credit=_amount(rng, 2_000, 15_000))
    if chance(0.4):
        ledger.add('302.25', '4', credit=_amount(rng, 10_000, 200_000))
    if chance(0.5):
        ledger.add('304.03', '4', credit=_amount(rng, 1_000, 30_000))
    ledger.add('401.60', '4', credit=gross4 * Decimal(
            rng.randint(80, 160)) / 100)
    ledger.balance('4')

    # КФО 2: own income (parent fees, paid services, tickets)
    if '2' in kfos:
        income = _amount(rng, *INCOME_RANGE[kind])
        ledger.add('201.11', '2', debit=income * Decimal(
                rng.randint(5, 30)) / 100)
        if kind in {'museum', 'theatre', 'culture_center'} or chance(0.2):
            ledger.add('201.34', '2', debit=_amount(rng, 500, 20_000))
        if kind in {'kindergarten', 'supplementary', 'school'}:
            ledger.add('205.31', '2', debit=income * Decimal(
                    rng.randint(2, 8)) / 100)
        if kind == 'kindergarten':
            ledger.add('105.32', '2', debit=_amount(rng, 50_000, 300_000))
            ledger.add('302.34', '2', credit=_amount(rng, 30_000, 300_000))
        if chance(0.6):
            ledger.fixed_asset(rng, '101.36', '104.36', '2',
                _amount(rng, 100_000, 1_500_000), 0.85, 1.0)
        if chance(0.3):
            ledger.add('302.26', '2', credit=_amount(rng, 2_000, 60_000))
        _payroll_lines(ledger, '2', employees, accident_rate, months)
        if months:
            ledger.add('401.10.131', '2', credit=income * months / 12
                * Decimal(rng.randint(85, 115)) / 100)
            ledger.add('401.20.226', '2', debit=income * months / 12
                * Decimal(rng.randint(5, 20)) / 100)
            ledger.add('401.20.272', '2', debit=income * months / 12
                * Decimal(rng.randint(10, 40)) / 100)
        ledger.balance('2')

    # КФО 5: targeted subsidy (repairs, equipment, the advisor's pay)
    if '5' in kfos:
        target = _money(_amount(rng, 300_000, 3_000_000)).quantize(
            Decimal('1000'))
        staff5 = [e for e in employees if e['kfo'] == '5']
        spent = Decimal(0)
        if months:
            pay = sum(Decimal(e['ytd_income']) for e in staff5)
            spent = _money(pay * (1 + CONTRIBUTION_RATE
                    + Decimal(accident_rate) / 100))
            repairs = _amount(rng, 0, 0.2) * target if chance(0.5) else 0
            ledger.add('401.20.225', '5', debit=repairs)
            spent += _money(repairs)
            ledger.add('401.10.152', '5', credit=spent)
        ledger.add('205.52', '5', debit=target - _money(
                spent * Decimal(rng.randint(100, 110)) / 100))
        ledger.add('401.41', '5', credit=target - spent)
        ledger.add('201.11', '5', debit=_amount(rng, 0, 50_000))
        if chance(0.5):
            ledger.fixed_asset(rng, '101.24', '104.24', '5',
                _amount(rng, 200_000, 2_000_000), 0.2, 0.8)
        _payroll_lines(ledger, '5', employees, accident_rate, months)
        ledger.balance('5')

    # КФО 3: bid and contract security deposits
    if '3' in kfos:
        deposits = _amount(rng, 50_000, 1_500_000)
        ledger.add('201.11', '3', debit=deposits)
        ledger.add('304.01', '3', credit=deposits)
    return ledger.rows(inn)


# The batch -------------------------------------------------------------

def _personal_accounts(rng, legal_form, kfos):
    letter = 'Б' if legal_form == 'budgetary' else 'А'
    serial = rng.randint(10000, 99999)
    accounts = [f'Л{letter}Г308{serial:05d}']
    if '2' in kfos:
        accounts.append(f'Л{letter}В308{rng.randint(10000, 99999):05d}')
    if '5' in kfos:
        accounts.append(f'Л{letter}О308{rng.randint(10000, 99999):05d}')
    if '3' in kfos:
        accounts.append(f'ЛР308{rng.randint(0, 999999):06d}')
    return '|'.join(accounts)


def _institution(rng, ids, names, spec, accountant):
    "(institution row, opening balance rows, employee rows) of one spec"
    kind, legal_form = spec['kind'], spec['legal_form']
    founder = 'education' if kind in EDUCATION_KINDS else 'culture'
    short, full, district = names.name(kind, legal_form, spec['district'])
    inn, kpp, ogrn_ = ids.organisation(TAX_OFFICE[district])
    kfos = ['4']
    if spec.get('kfo2', rng.random() < KFO2_SHARE[kind]):
        kfos.append('2')
    if spec.get('kfo5', rng.random() < KFO5_SHARE[kind]):
        kfos.append('5')
    if spec.get('kfo3', rng.random() < KFO3_SHARE):
        kfos.append('3')
    female = rng.random() < (0.95 if kind == 'kindergarten' else 0.65)
    director = (*_person(rng, female), female)
    accident_rate = _weighted(rng, [(85, '0.2'), (10, '0.3'), (5, '0.4')])
    start = spec['start_date']
    row = {
        'inn': inn, 'kpp': kpp, 'ogrn': ogrn_, 'short_name': short,
        'full_name': full, 'kind': kind, 'legal_form': legal_form,
        'founder': founder, 'district': district, 'oktmo': OKTMO_KAZAN,
        'personal_accounts': _personal_accounts(rng, legal_form, kfos),
        'director': _full_name(director[:3]),
        'director_login': f'dir_{inn}',
        'chief_accountant': accountant,
        'accident_rate': accident_rate,
        'start_date': start.isoformat(),
        }
    low, high = spec.get('employees', EMPLOYEE_RANGE[kind])
    employees = _employees(rng, ids, inn, kind, rng.randint(low, high),
        director, kfos, start)
    balances = _opening_balance(rng, inn, kind, kfos, employees,
        accident_rate, start)
    return row, balances, employees


def _specs(rng, institutions, education, culture, start_date,
        january_starters):
    counts = _split(education, {k: KIND_SHARES[k] for k in EDUCATION_KINDS})
    counts.update(_split(culture, {k: KIND_SHARES[k] for k in CULTURE_KINDS}))
    specs = []
    for kind in EDUCATION_KINDS + CULTURE_KINDS:
        forms = [('autonomous' if rng.random() < AUTONOMOUS_SHARE[kind]
                else 'budgetary') for _ in range(counts[kind])]
        for legal_form in forms:
            specs.append({'kind': kind, 'legal_form': legal_form,
                    'district': rng.choice(DISTRICTS)[0],
                    'start_date': start_date})
    # culture centres named after their district are in it
    centres = [s for s in specs if s['kind'] == 'culture_center']
    fixed = []
    for spec, (_, district) in zip(centres, CULTURE_CENTER_NAMES):
        if district:
            spec['district'] = district
            fixed.append(spec)
    # both legal forms and every district present whenever possible
    if len(specs) >= 2 and len({s['legal_form'] for s in specs}) < 2:
        specs[0]['legal_form'] = 'autonomous'
        specs[-1]['legal_form'] = 'budgetary'
    for district, _, _ in DISTRICTS:
        present = [s['district'] for s in specs]
        if district in present:
            continue
        movable = [s for s in specs if all(s is not f for f in fixed)
            and present.count(s['district']) > 1]
        if movable:
            rng.choice(movable)['district'] = district
    year_start = dt.date(start_date.year, 1, 1)
    for index in sorted(rng.sample(range(institutions), january_starters)):
        specs[index]['start_date'] = year_start
    return specs


def _accountants(rng, count):
    return [_full_name(_person(rng, rng.random() < 0.9))
        for _ in range(count)]


def _write(path, columns, rows):
    with open(path, 'w', encoding='utf-8', newline='') as file:
        writer = csv.writer(file, delimiter=';', lineterminator='\n')
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])


def _write_batch(out_dir, institutions, balances, employees):
    os.makedirs(out_dir, exist_ok=True)
    _write(os.path.join(out_dir, 'institutions.csv'), INSTITUTION_COLUMNS,
        institutions)
    _write(os.path.join(out_dir, 'opening_balances.csv'),
        OPENING_BALANCE_COLUMNS, balances)
    _write(os.path.join(out_dir, 'employees.csv'), EMPLOYEE_COLUMNS,
        employees)


def _summary(institutions, balances, employees):
    by_kfo = {}
    for row in balances:
        debit, credit = by_kfo.get(row['kfo'], (Decimal(0), Decimal(0)))
        by_kfo[row['kfo']] = (debit + Decimal(row['debit']),
            credit + Decimal(row['credit']))
    kinds = {}
    for row in institutions:
        kinds[row['kind']] = kinds.get(row['kind'], 0) + 1
    return {
        'institutions': len(institutions),
        'kinds': kinds,
        'legal_forms': {f: sum(1 for r in institutions
                if r['legal_form'] == f) for f in ['budgetary', 'autonomous']},
        'january_starters': [r['inn'] for r in institutions
            if r['start_date'].endswith('-01-01')],
        'employees': len(employees),
        'opening_balance_rows': len(balances),
        'opening_debit': sum(d for d, _ in by_kfo.values()),
        'opening_credit': sum(c for _, c in by_kfo.values()),
        'opening_by_kfo': {k: by_kfo[k] for k in sorted(by_kfo)},
        }


def generate(out_dir, institutions=42, seed=2026, education=None,
        culture=None, start_date=dt.date(2026, 3, 1), january_starters=None,
        employees=None):
    """Write a batch of ``institutions`` into ``out_dir`` (created if
    needed) and return its summary.

    ``education`` + ``culture`` must equal ``institutions``; when omitted
    they are 35/42 and 7/42 of it (35 and 7 by default).  Most institutions
    start on ``start_date`` (a first day of a month); ``january_starters``
    of them (5/42 of the batch by default, 5 of 42) start on 1 January of
    that year, so their year-to-date figures are zero.  ``employees``, a
    (low, high) range, is the staff size of every institution (by default
    a range by kind, ``EMPLOYEE_RANGE``); (50, 50) gives exactly 50 each.
    """
    if education is None and culture is None:
        education = round(institutions * 35 / 42)
        culture = institutions - education
    elif education is None:
        education = institutions - culture
    elif culture is None:
        culture = institutions - education
    if education + culture != institutions or education < 0 or culture < 0:
        raise ValueError('education + culture must equal institutions')
    if start_date.day != 1:
        raise ValueError('start_date must be a first day of a month')
    if january_starters is None:
        january_starters = round(institutions * 5 / 42)
        if start_date.month == 1:
            january_starters = 0
    january_starters = min(january_starters, institutions)
    rng = random.Random(seed)
    specs = _specs(rng, institutions, education, culture, start_date,
        january_starters)
    if employees is not None:
        for spec in specs:
            spec['employees'] = tuple(employees)
    counts = {}
    for spec in specs:
        counts[spec['kind']] = counts.get(spec['kind'], 0) + 1
    names = _Names(rng, counts)
    ids = _Identifiers(rng, seed=seed)
    accountants = _accountants(rng, max(1, (institutions + 5) // 6))
    rows, balances, employees = [], [], []
    for index, spec in enumerate(specs):
        row, balance, staff = _institution(rng, ids, names, spec,
            accountants[index // 6])
        rows.append(row)
        balances.extend(balance)
        employees.extend(staff)
    _write_batch(out_dir, rows, balances, employees)
    return _summary(rows, balances, employees)


def generate_benchmark(out_dir, institutions=658, seed=2026):
    "A large batch for benchmarks (658 institutions by default)"
    return generate(out_dir, institutions=institutions, seed=seed)


# The defective batch ------------------------------------------------------

DEFECTIVE_SEED = 5
DEFECTIVE_SPECS = [
    # two good ones, then A (bad INN), B (balance, account, SNILS),
    # C (kind, personnel number, amount)
    {'kind': 'school', 'legal_form': 'budgetary', 'district': 'Вахитовский',
        'start_date': dt.date(2026, 3, 1), 'employees': (6, 6),
        'kfo2': True, 'kfo5': True, 'kfo3': False},
    {'kind': 'museum', 'legal_form': 'autonomous',
        'district': 'Приволжский', 'start_date': dt.date(2026, 1, 1),
        'employees': (5, 5), 'kfo2': True, 'kfo5': False, 'kfo3': False},
    {'kind': 'kindergarten', 'legal_form': 'autonomous',
        'district': 'Советский', 'start_date': dt.date(2026, 3, 1),
        'employees': (5, 5), 'kfo2': True, 'kfo5': False, 'kfo3': False},
    {'kind': 'school', 'legal_form': 'budgetary', 'district': 'Московский',
        'start_date': dt.date(2026, 3, 1), 'employees': (6, 6),
        'kfo2': True, 'kfo5': False, 'kfo3': False},
    {'kind': 'supplementary', 'legal_form': 'budgetary',
        'district': 'Кировский', 'start_date': dt.date(2026, 3, 1),
        'employees': (6, 6), 'kfo2': True, 'kfo5': False, 'kfo3': False},
    ]


def _index(table, row):
    "Position of this very row (not of an equal one)"
    return next(i for i, r in enumerate(table) if r is row)


def _bad_inn(inn):
    "The INN with its check digit off by one"
    return inn[:9] + str((int(inn[9]) + 1) % 10)


def generate_defective(out_dir):
    """Write the defective batch of the pipeline's tests and its
    EXPECTED.md; return the list of defects (dicts)"""
    rng = random.Random(DEFECTIVE_SEED)
    counts = {}
    for spec in DEFECTIVE_SPECS:
        counts[spec['kind']] = counts.get(spec['kind'], 0) + 1
    names = _Names(rng, counts)
    # serials 90000-99999: no INN shared with the sample batch or the demo
    ids = _Identifiers(rng, serial_range=(90000, 99999),
        seed=DEFECTIVE_SEED)
    accountant = _accountants(rng, 1)[0]
    results = [_institution(rng, ids, names, spec, accountant)
        for spec in DEFECTIVE_SPECS]
    rows = [r for r, _, _ in results]
    balances = [b for _, bs, _ in results for b in bs]
    employees = [e for _, _, es in results for e in es]
    defects = []

    tables = {'institutions.csv': rows, 'opening_balances.csv': balances,
        'employees.csv': employees}

    # A: wrong INN check digit, on all its rows (the rows stay consistent)
    a, b, c = rows[2], rows[3], rows[4]
    good_inn = a['inn']
    bad = _bad_inn(good_inn)
    for table in (rows, balances, employees):
        for row in table:
            if row['inn'] == good_inn:
                row['inn'] = bad
    a['director_login'] = f'dir_{bad}'
    defects.append({'file': 'institutions.csv', 'row': a,
            'column': 'inn', 'inn': bad, 'value': bad,
            'problem': f'wrong INN check digit (valid would be {good_inn})'})

    # B: unknown account 209.99 (a typo of 209.89), debit 1,250.00 in КФО 4;
    # 401.30 includes it, so КФО 4 balances when the line is counted
    b_rows = [r for r in balances if r['inn'] == b['inn']]
    result = next(r for r in b_rows if r['account'] == '401.30'
        and r['kfo'] == '4')
    result['credit'] = str(Decimal(result['credit']) + 1250)
    after = [r for r in b_rows if r['kfo'] == '4'
        and [int(p) for p in r['account'].split('.')] < [209, 99]][-1]
    unknown = {'inn': b['inn'], 'account': '209.99', 'kfo': '4',
        'debit': '1250.00', 'credit': '0.00'}
    balances.insert(_index(balances, after) + 1, unknown)
    defects.append({'file': 'opening_balances.csv', 'row': unknown,
            'column': 'account', 'inn': b['inn'], 'value': '209.99',
            'problem': 'account not in the chart (КФО 4 balances with this '
            'line counted: 401.30 includes its 1250.00)'})
    # B: КФО 2 unbalanced: the 201.11 debit raised by 1,000.00
    cash2 = next(r for r in b_rows if r['account'] == '201.11'
        and r['kfo'] == '2')
    cash2['debit'] = str(Decimal(cash2['debit']) + 1000)
    kfo2 = [r for r in b_rows if r['kfo'] == '2']
    debit2 = sum(Decimal(r['debit']) for r in kfo2)
    credit2 = sum(Decimal(r['credit']) for r in kfo2)
    # reported on the first line of the institution's КФО 2, column kfo
    defects.append({'file': 'opening_balances.csv', 'row': kfo2[0],
            'column': 'kfo', 'inn': b['inn'], 'value': '2',
            'problem': f'КФО 2 unbalanced: debit {debit2} ≠ credit '
            f'{credit2} (difference {debit2 - credit2}) over lines '
            '{first}-{last}; made by raising the 201.11 debit on line '
            '{cash} by 1000.00',
            'span': (kfo2[0], kfo2[-1]), 'cash': cash2})
    # B: an employee with a wrong SNILS checksum
    b_staff = [e for e in employees if e['inn'] == b['inn']]
    person = b_staff[2]
    digits = person['snils'].replace('-', '').replace(' ', '')
    wrong = (int(digits[9:]) + 1) % 100
    person['snils'] = format_snils(int(digits[:9]), wrong)
    defects.append({'file': 'employees.csv', 'row': person,
            'column': 'snils', 'inn': b['inn'], 'value': person['snils'],
            'problem': f'wrong SNILS checksum (valid would be '
            f'{format_snils(int(digits[:9]))})'})

    # C: unknown kind, duplicate personnel number, negative amount
    c['kind'] = 'college'
    defects.append({'file': 'institutions.csv', 'row': c,
            'column': 'kind', 'inn': c['inn'], 'value': 'college',
            'problem': 'unknown kind'})
    c_staff = [e for e in employees if e['inn'] == c['inn']]
    c_staff[4]['personnel_number'] = c_staff[1]['personnel_number']
    defects.append({'file': 'employees.csv',
            'row': c_staff[4],
            'column': 'personnel_number', 'inn': c['inn'],
            'value': c_staff[4]['personnel_number'],
            'problem': 'duplicate personnel number (first on line {first})',
            'span': (c_staff[1],)})
    c_staff[3]['allowances'] = '-5'
    defects.append({'file': 'employees.csv',
            'row': c_staff[3], 'column': 'allowances',
            'inn': c['inn'], 'value': '-5',
            'problem': 'negative amount'})

    for defect in defects:  # line numbers once every row is in place
        table = tables[defect['file']]
        defect['line'] = _index(table, defect.pop('row')) + 2  # header: 1
        span = [_index(table, r) + 2 for r in defect.pop('span', ())]
        cash = _index(table, defect.pop('cash', table[0])) + 2
        defect['problem'] = defect['problem'].format(
            first=span[0] if span else '', last=span[-1] if span else '',
            cash=cash)
    _write_batch(out_dir, rows, balances, employees)
    defects.sort(key=lambda d: (
            ['institutions.csv', 'opening_balances.csv',
                'employees.csv'].index(d['file']), d['line']))
    with open(os.path.join(out_dir, 'EXPECTED.md'), 'w', encoding='utf-8',
            newline='') as file:
        file.write(_expected_md(rows, defects))
    return defects


def _expected_md(rows, defects):
    good = [r for r in rows[:2]]
    lines = [
        '# Defective batch: the expected errors',
        '',
        'Generated by `kazan.sample_batch.generate_defective` (see '
        '`data/README.md`);',
        'do not edit by hand.  Line numbers count the header as line 1.',
        '',
        'Five institutions: two good ones, three with defects.  Every',
        'defect is listed below; nothing else in the batch is wrong.',
        '',
        '| institution | INN | status |',
        '| --- | --- | --- |',
        ]
    bad = {d['inn'] for d in defects}
    for row in rows:
        status = 'defective' if row['inn'] in bad else 'good'
        lines.append(f'| {row["short_name"]} | {row["inn"]} | {status} |')
    lines += [
        '',
        '## Defects',
        '',
        '| file | line | column | INN | value | what is wrong |',
        '| --- | --- | --- | --- | --- | --- |',
        ]
    for d in defects:
        lines.append(f'| {d["file"]} | {d["line"]} | '
            f'{d["column"]} | {d["inn"]} | `{d["value"]}` | '
            f'{d["problem"]} |')
    lines += [
        '',
        'Notes:',
        '',
        f'- The institution with the wrong INN ({rows[2]["inn"]}) carries '
        'that INN on all its rows',
        '  (opening_balances.csv, employees.csv, and its director_login '
        f'`{rows[2]["director_login"]}`);',
        '  they are otherwise correct.  Whether the pipeline also reports '
        'them',
        '  (for example as "institution rejected") is its own choice: they '
        'are not',
        '  separate defects.',
        '- The КФО 2 imbalance belongs to the institution and КФО, not to '
        'one line: it is',
        '  listed on the first opening_balances.csv line of that '
        'institution and КФО,',
        '  column `kfo`, value `2`.',
        '- 209.99 is not in the chart; КФО 4 of that institution balances '
        'with the line',
        '  counted, so it is the only problem of that line.',
        '- Each defect is on its own line, and no line has two.',
        '- The good institutions: '
        + ', '.join(f'{r["inn"]} ({r["kind"]}, starts {r["start_date"]})'
            for r in good) + '.',
        '',
        ]
    return '\n'.join(lines)
