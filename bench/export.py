"""Benchmark: the writers of the statements (kazan_accounting.export).

Builds one document shaped like form 0503737 (plan execution: line code,
name, КВР, КОСГУ and seven amount columns, names on one to two lines,
indented lines and bold totals) with --rows lines, writes it in each format
--repeat times and prints the milliseconds per document (the median, wall
clock and CPU) and the size of the file.  The first PDF also registers the
TrueType font: its cost is printed apart.  No database.

--ledger adds a long table shaped like the general ledger (form 0504072:
account, КФО, indicator, month, journal, debit, credit; bold balances,
indented turnovers) of --ledger-rows lines (8,740 by default, a year of a
large institution), written --ledger-repeat times.  --compare REV also
times the export.py of git revision REV (e.g. HEAD) on the same documents,
for before/after figures.

    .venv/bin/python bench/export.py
    .venv/bin/python bench/export.py --rows 100 --repeat 20
    .venv/bin/python bench/export.py --ledger --compare HEAD
"""
import argparse
import datetime as dt
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from trytond.modules.kazan_accounting import export

AMOUNTS = [
    ('planned', 'Утверждено плановых назначений'),
    ('executed_treasury', 'Исполнено через лицевые счета'),
    ('executed_bank', 'Исполнено через банковские счета'),
    ('executed_desk', 'Исполнено через кассу учреждения'),
    ('executed_noncash', 'Некассовые операции'),
    ('executed', 'Исполнено, итого'),
    ('not_executed', 'Не исполнено плановых назначений'),
    ]
NAMES = [
    'Заработная плата',
    'Начисления на выплаты по оплате труда',
    'Прочие работы, услуги, в том числе по содержанию имущества '
    'и коммунальные услуги',
    'Увеличение стоимости основных средств',
    'Доходы от оказания платных услуг (работ), компенсаций затрат',
    ]


def document(rows, module=export):
    Column, Document, Table = module.Column, module.Document, module.Table
    columns = [
        Column('line_code', 'Код строки', 'code'),
        Column('name', 'Наименование показателя'),
        Column('kvr', 'Код по бюджетной классификации (КВР)', 'code'),
        Column('kosgu', 'КОСГУ', 'code'),
        ] + [Column(key, label, 'amount') for key, label in AMOUNTS]
    lines = []
    for i in range(rows):
        line = {
            'line_code': f'{200 + i // 10 * 10:03d}',
            'name': NAMES[i % len(NAMES)],
            'kvr': '244', 'kosgu': f'{211 + i % 90}',
            'level': i % 3, 'bold': i % 25 == 0,
            }
        planned = Decimal(1234567 * (i + 1) % 99999999) / 100
        for k, (key, _) in enumerate(AMOUNTS):
            line[key] = (planned * (k + 1) / 7).quantize(Decimal('0.01'))
        line['not_executed'] = -line['executed'] / 3
        lines.append(line)
    return Document(
        'Отчет об исполнении учреждением плана его финансово-хозяйственной '
        'деятельности', '0503737', [
            ('Учреждение', 'МБОУ «Средняя общеобразовательная школа № 7»'),
            ('ИНН', '1655191213'), ('на дату', '01.01.2027'),
            ('Вид финансового обеспечения (деятельности)', '4'),
            ('Единица измерения', 'руб.'),
            ], [Table('Раздел 2. Расходы учреждения', columns, lines)])


JOURNALS = [
    'Журнал операций с безналичными денежными средствами',
    'Журнал операций расчетов с поставщиками и подрядчиками',
    'Журнал операций расчетов по оплате труда',
    'Журнал по прочим операциям',
    'Журнал операций с наличными денежными средствами',
    ]


def ledger(rows, module=export):
    "A general ledger of rows lines: per account, opening, 12 months, closing"
    Column, Document, Table = module.Column, module.Document, module.Table
    columns = [
        Column('account', 'Счет', 'code', 12),
        Column('kfo', 'КФО', 'code', 5),
        Column('kind', 'Показатель', 'text', 18),
        Column('month', 'Месяц', 'code', 8),
        Column('journal', 'Журнал операций', 'text', 30),
        Column('debit', 'Дебет', 'amount'),
        Column('credit', 'Кредит', 'amount'),
        ]
    lines = []
    i = 0
    while len(lines) < rows:
        account = f'{101 + i % 300:03d}{i % 7}{i % 10}'
        kfo = str(2 + i % 3)
        lines.append({'account': account, 'kfo': kfo,
                'kind': 'Сальдо на начало', 'debit': Decimal(i * 1000) / 7,
                'credit': Decimal(0), 'bold': True})
        for month in range(1, 13):
            for j in range(i % 3 + 1):
                amount = Decimal(1234567 * (i + month + j) % 99999999) / 100
                lines.append({'account': account, 'kfo': kfo,
                        'kind': 'Обороты',
                        'month': dt.date(2026, month, 1).strftime('%m.%Y'),
                        'journal': JOURNALS[(i + j) % len(JOURNALS)],
                        'debit': amount, 'credit': amount / 3, 'level': 1})
        lines.append({'account': account, 'kfo': kfo,
                'kind': 'Сальдо на конец', 'debit': Decimal(i * 999) / 7,
                'credit': Decimal(0), 'bold': True})
        i += 1
    return Document('Главная книга', '0504072', [
            ('Учреждение', 'МБОУ «Средняя общеобразовательная школа № 7»'),
            ('ИНН', '1655191213'),
            ('Период', '01.01.2026 – 31.12.2026'),
            ('Единица измерения', 'руб.'),
            ], [Table('Главная книга', columns, lines[:rows])])


def load_revision(revision):
    """The export module (export.py before issue 14, the export/ package
    since) of git revision, loaded apart from the current one: the files
    of revision under a package of their own, with the exceptions.py the
    package imports"""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = 'modules/kazan_accounting/'
    names = subprocess.run(['git', 'ls-tree', '-r', '--name-only', revision,
            folder], cwd=root, check=True, capture_output=True,
        text=True).stdout.split()
    directory = tempfile.mkdtemp(prefix='bench-export-')
    package = os.path.join(directory, 'kazan_before')
    os.makedirs(os.path.join(package, 'export'))
    open(os.path.join(package, '__init__.py'), 'w').close()
    for name in names:
        relative = name[len(folder):]
        if not (relative.startswith(('export.py', 'export/'))
                or relative == 'exceptions.py'):
            continue
        source = subprocess.run(['git', 'show', f'{revision}:{name}'],
            cwd=root, check=True, capture_output=True).stdout
        with open(os.path.join(package, relative), 'wb') as file:
            file.write(source)
    if not os.listdir(os.path.join(package, 'export')):
        os.rmdir(os.path.join(package, 'export'))
    sys.path.insert(0, directory)
    return importlib.import_module('kazan_before.export')


def timings(module, doc, repeat, formats):
    "{format: (wall ms, CPU ms, size)}, the medians of repeat runs"
    result = {}
    for fmt in formats:
        size = len(module.render(doc, fmt))  # warm-up
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            module.render(doc, fmt)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        result[fmt] = (statistics.median(wall) * 1000,
            statistics.median(cpu) * 1000, size)
    return result


def report(title, build, rows, repeat, modules, formats=export.FORMATS):
    "Time the document build(rows, module) with each of modules"
    doc = build(rows)
    print(f'{title}: {len(doc.tables[0].rows)} rows, '
        f'{len(doc.tables[0].columns)} columns, median of {repeat}:')
    # Each module its own Column class: the document is built with it
    results = [(label, timings(module, build(rows, module), repeat, formats))
        for label, module in modules]
    for fmt in formats:
        for label, result in results:
            wall, cpu, size = result[fmt]
            print(f'  {fmt:4} {label:7} {wall:7.1f} ms (CPU {cpu:7.1f} ms)'
                f'  {size / 1024:6.0f} KiB')
        if len(results) > 1:
            before, after = results[0][1][fmt][0], results[-1][1][fmt][0]
            print(f'  {fmt:4} speed-up {before / after:5.1f}x')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=300)
    parser.add_argument('--repeat', type=int, default=10)
    parser.add_argument('--ledger', action='store_true',
        help='also time a general ledger of --ledger-rows lines')
    parser.add_argument('--ledger-rows', type=int, default=8740)
    parser.add_argument('--ledger-repeat', type=int, default=3)
    parser.add_argument('--compare', metavar='REV',
        help='also time the export.py of this git revision (before)')
    args = parser.parse_args()

    modules = [('now', export)]
    if args.compare:
        modules.insert(0, ('before', load_revision(args.compare)))
    start = time.perf_counter()
    export.pdf_fonts()
    print(f'font registration (once per process): '
        f'{(time.perf_counter() - start) * 1000:.0f} ms')
    for _, module in modules:
        module.pdf_fonts()
    report('0503737', document, args.rows, args.repeat, modules)
    if args.ledger:
        report('general ledger 0504072', ledger, args.ledger_rows,
            args.ledger_repeat, modules)


if __name__ == '__main__':
    main()
