"""Benchmark: the writers of the statements (kazan_accounting.export).

Builds one document shaped like form 0503737 (plan execution: line code,
name, КВР, КОСГУ and seven amount columns, names on one to two lines,
indented lines and bold totals) with --rows lines, writes it in each format
--repeat times and prints the milliseconds per document (the median, wall
clock and CPU) and the size of the file.  The first PDF also registers the
TrueType font: its cost is printed apart.  No database.

    .venv/bin/python bench/export.py
    .venv/bin/python bench/export.py --rows 100 --repeat 20
"""
import argparse
import statistics
import time
from decimal import Decimal

from trytond.modules.kazan_accounting import export
from trytond.modules.kazan_accounting.export import Column, Document, Table

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


def document(rows):
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=300)
    parser.add_argument('--repeat', type=int, default=10)
    args = parser.parse_args()

    doc = document(args.rows)
    start = time.perf_counter()
    export.pdf_fonts()
    print(f'font registration (once per process): '
        f'{(time.perf_counter() - start) * 1000:.0f} ms')
    print(f'{args.rows} rows, {len(doc.tables[0].columns)} columns, '
        f'median of {args.repeat}:')
    for fmt in export.FORMATS:
        size = len(export.render(doc, fmt))  # warm-up
        wall, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            export.render(doc, fmt)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f'  {fmt:4}  {statistics.median(wall) * 1000:6.1f} ms '
            f'(CPU {statistics.median(cpu) * 1000:6.1f} ms)  '
            f'{size / 1024:6.0f} KiB')


if __name__ == '__main__':
    main()
