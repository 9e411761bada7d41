"""Sample plans (ПФХД) of the institutions of a batch, for the demo and
the tests of plan execution (form 0503737).

    from kazan import sample_plans
    sample_plans.generate('data/sample_batch', 'data/sample_plans.csv')

or ``python -m kazan.sample_plans [BATCH_DIR [OUT_FILE]]``.  The output is
the plan file that ``kazan plan import`` reads (UTF-8, ``;``, decimal
point, ``\\n`` line ends): ``inn;year;kfo;line_code;kvr;kosgu;amount;
amendment;amendment_date``.  It is computed from the batch alone, with no
random numbers, so the same batch always gives the same bytes.

What the figures mean, so that plan execution shows sensible percentages:

- КФО 4 (the municipal task): wages (КВР 111, КОСГУ 211) are twelve
  months of the gross pay of the staff paid from КФО 4 (the batch's
  ``monthly_gross``: salary × rate + allowances + classes + the top-up to
  МРОТ), sick pay of the first three days (111/266) 0.5 % of them,
  contributions (119/213) the wages × (30 % + the accident rate).  Then
  utilities (247/223), communications (244/221), upkeep (244/225), other
  services (244/226), school meals (244/342, schools only), materials
  (244/346) and property tax (851/291) as shares of the wages that depend
  on the kind of institution.  The subsidy for the task (income 131) is
  the sum of the expenses.
- КФО 2 (paid services), for institutions with КФО 2 staff or КФО 2
  balances: the wages and contributions of that staff, and food (244/342,
  paid by the parents' fees in kindergartens) or other services,
  materials and equipment (226, 346, 310).  The income (131) covers them.
- КФО 5 (targeted subsidy), for institutions with КФО 5 staff or
  balances: that staff's wages and contributions and equipment (244/310);
  the income is КОСГУ 152.
- Every plan balances per КФО: income = expenses.  Amounts are rounded to
  whole hundreds of rubles.
- Every seventh institution has amendment 1 of 15 April: utilities + 5 %
  and the subsidy by as much, so plan execution before and after that date
  differ.

Line codes follow the form of Приказ 186н (1210 subsidy for the task, 1230
paid services, 1510 targeted subsidies; 2110 wages, 2140 contributions,
2310 property tax, 2640 other purchases, 2650 energy); the numbering is
**unconfirmed** (brief §5).
"""
import csv
import datetime as dt
import os
import pathlib
import sys
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP

from .sample_batch import monthly_gross

__all__ = ['generate', 'plans', 'COLUMNS']

COLUMNS = ['inn', 'year', 'kfo', 'line_code', 'kvr', 'kosgu', 'amount',
    'amendment', 'amendment_date']
YEAR = 2026
HUNDRED = Decimal('100')
CONTRIBUTION_RATE = Decimal('0.30')
SICK_PAY_SHARE = Decimal('0.005')

# Shares of the КФО 4 wages: (utilities, communications, upkeep, other
# services, school meals, materials, property tax)
TASK_SHARES = {
    'school': ('0.09', '0.004', '0.025', '0.02', '0.06', '0.012', '0.006'),
    'kindergarten': ('0.10', '0.003', '0.03', '0.015', '0', '0.015',
        '0.006'),
    'supplementary': ('0.07', '0.004', '0.02', '0.02', '0', '0.015',
        '0.004'),
    'library': ('0.06', '0.006', '0.02', '0.015', '0', '0.02', '0.004'),
    'museum': ('0.10', '0.006', '0.04', '0.03', '0', '0.015', '0.008'),
    'theatre': ('0.08', '0.005', '0.03', '0.05', '0', '0.03', '0.008'),
    'culture_center': ('0.09', '0.005', '0.03', '0.04', '0', '0.02',
        '0.006'),
    }
TASK_LINES = [  # (line_code, kvr, kosgu), in the order of TASK_SHARES
    ('2650', '247', '223'), ('2640', '244', '221'), ('2640', '244', '225'),
    ('2640', '244', '226'), ('2640', '244', '342'), ('2640', '244', '346'),
    ('2310', '851', '291')]
# Paid services beyond their own staff, as shares of the КФО 4 wages:
# kindergartens feed the children from the parents' fees
SERVICE_SHARES = {
    'kindergarten': [('2640', '244', '342', '0.12'),
        ('2640', '244', '346', '0.01')],
    }
DEFAULT_SERVICE_SHARES = [('2640', '244', '226', '0.015'),
    ('2640', '244', '346', '0.01'), ('2640', '244', '310', '0.01')]
TARGETED_EQUIPMENT_SHARE = Decimal('0.03')
AMENDED_EVERY = 7
AMENDMENT_DATE = dt.date(YEAR, 4, 15)
AMENDMENT_UTILITIES = Decimal('0.05')


def _hundreds(amount):
    return (amount / HUNDRED).quantize(Decimal(1), ROUND_HALF_UP) * HUNDRED


def _read(folder, name):
    with open(folder / name, encoding='utf-8', newline='') as file:
        return list(csv.DictReader(file, delimiter=';'))


def plans(batch_dir, year=YEAR):
    "The rows of the plan file (dicts of COLUMNS) of the batch's institutions"
    folder = pathlib.Path(batch_dir)
    institutions = _read(folder, 'institutions.csv')
    wages = defaultdict(Decimal)  # (inn, kfo) -> monthly gross
    for employee in _read(folder, 'employees.csv'):
        wages[employee['inn'], employee['kfo']] += monthly_gross(
            Decimal(employee['base_salary']), Decimal(employee['rate']),
            Decimal(employee['allowances']),
            int(employee['class_management']))
    balances = {(r['inn'], r['kfo'])
        for r in _read(folder, 'opening_balances.csv')}
    rows = []
    for number, institution in enumerate(institutions, 1):
        inn, kind = institution['inn'], institution['kind']
        rate = CONTRIBUTION_RATE + Decimal(institution['accident_rate']) / 100
        lines = _institution_lines(inn, kind, rate, wages, balances)
        for kfo, line_code, kvr, kosgu, amount in lines:
            rows.append(_row(inn, year, kfo, line_code, kvr, kosgu, amount))
        if number % AMENDED_EVERY == 0:
            utilities = next(a for k, l, v, c, a in lines
                if (k, c) == ('4', '223'))
            increase = _hundreds(utilities * AMENDMENT_UTILITIES)
            for line_code, kvr, kosgu in [
                    ('1210', '', '131'), ('2650', '247', '223')]:
                rows.append(_row(inn, year, '4', line_code, kvr, kosgu,
                        increase, '1', AMENDMENT_DATE))
    return rows


def _institution_lines(inn, kind, rate, wages, balances):
    "[(kfo, line_code, kvr, kosgu, amount)]: income first, per КФО"
    lines = []

    def staff(kfo):
        wage = _hundreds(wages[inn, kfo] * 12)
        if not wage:
            return []
        return [('2110', '111', '211', wage),
            ('2140', '119', '213', _hundreds(wage * rate))]

    def add(kfo, income_line, income_kosgu, expenses):
        expenses = [e for e in expenses if e[3]]
        total = sum(e[3] for e in expenses)
        lines.append((kfo, income_line, '', income_kosgu, total))
        lines.extend((kfo, *e) for e in expenses)

    task_wage = _hundreds(wages[inn, '4'] * 12)
    task = staff('4')
    task.append(('2110', '111', '266', _hundreds(task_wage * SICK_PAY_SHARE)))
    for (line_code, kvr, kosgu), share in zip(
            TASK_LINES, TASK_SHARES[kind]):
        task.append((line_code, kvr, kosgu,
                _hundreds(task_wage * Decimal(share))))
    add('4', '1210', '131', task)

    if wages[inn, '2'] or (inn, '2') in balances:
        services = staff('2')
        for line_code, kvr, kosgu, share in SERVICE_SHARES.get(
                kind, DEFAULT_SERVICE_SHARES):
            services.append((line_code, kvr, kosgu,
                    _hundreds(task_wage * Decimal(share))))
        add('2', '1230', '131', services)

    if wages[inn, '5'] or (inn, '5') in balances:
        targeted = staff('5')
        targeted.append(('2640', '244', '310',
                _hundreds(task_wage * TARGETED_EQUIPMENT_SHARE)))
        add('5', '1510', '152', targeted)
    return lines


def _row(inn, year, kfo, line_code, kvr, kosgu, amount, amendment='',
        amendment_date=None):
    return {
        'inn': inn, 'year': year, 'kfo': kfo, 'line_code': line_code,
        'kvr': kvr, 'kosgu': kosgu, 'amount': f'{amount:.2f}',
        'amendment': amendment,
        'amendment_date': amendment_date.isoformat() if amendment_date
        else '',
        }


def generate(batch_dir, out_file, year=YEAR):
    """Write the plan file of the batch's institutions; return the number
    of rows"""
    rows = plans(batch_dir, year)
    out_file = os.fspath(out_file)
    temporary = f'{out_file}.part'
    with open(temporary, 'w', encoding='utf-8', newline='') as file:
        writer = csv.DictWriter(file, COLUMNS, delimiter=';',
            lineterminator='\n')
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, out_file)
    return len(rows)


if __name__ == '__main__':
    root = pathlib.Path(__file__).resolve().parent.parent
    batch = sys.argv[1] if len(sys.argv) > 1 else root / 'data' / \
        'sample_batch'
    out = sys.argv[2] if len(sys.argv) > 2 else root / 'data' / \
        'sample_plans.csv'
    print(f'{generate(batch, out)} rows written to {out}')
