#!/usr/bin/env python3
# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Generate ``account_chart_ru.xml`` from the CSV files of this folder.

    python modules/kazan_accounting/chart/build_chart.py          # write
    python modules/kazan_accounting/chart/build_chart.py --check  # compare

The chart is data: ``types.csv`` (lines of form 0503730), ``accounts.csv``
(the accounts of both charts) and ``kosgu.csv`` (КОСГУ codes that become
sub-accounts).  See README.md.  Standard library only; the same input always
gives byte-identical output.
"""
import csv
import os
import sys
from xml.sax.saxutils import escape

CHART_DIR = os.path.dirname(os.path.abspath(__file__))
MODULE_DIR = os.path.dirname(CHART_DIR)
XML_PATH = os.path.join(MODULE_DIR, 'account_chart_ru.xml')

# the module's helper of the generating scripts (standard library only)
sys.path.insert(0, MODULE_DIR)
import generated  # noqa: E402

del sys.path[0]

TYPE_COLUMNS = [
    'id', 'parent', 'sequence', 'name', 'statement', 'assets', 'revenue',
    'expense', 'line_code', 'cash_kind', 'payable', 'purchase']
ACCOUNT_COLUMNS = [
    'code', 'name', 'parent', 'type', 'variant', 'kosgu', 'note']
KOSGU_COLUMNS = ['code', 'kind', 'name', 'costs']
RECONCILE_COLUMNS = ['code', 'party', 'note']

VARIANTS = ('budgetary', 'autonomous')
ROOT_NAMES = {
    'budgetary': 'План счетов бюджетного учреждения (174н)',
    'autonomous': 'План счетов автономного учреждения (183н)',
    }
STATEMENTS = ('', 'balance', 'income', 'off-balance')
# types.csv "cash_kind": the columns "executed through" of form 0503737
CASH_KINDS = ('', 'treasury', 'bank', 'desk')
KOSGU_KINDS = (
    'income', 'expense', 'nonfinancial_assets', 'financial_assets',
    'liabilities')
# Value of accounts.csv "kosgu" -> which kosgu.csv rows become children
EXPANSIONS = {
    'income': lambda k: k['kind'] == 'income',
    'expense': lambda k: k['kind'] == 'expense',
    'cost': lambda k: k['kind'] == 'expense' and k['costs'] == '1',
    }


class ChartError(ValueError):
    pass


def read_csv(path, columns):
    "Rows of a ';' CSV as dicts (stripped), with the line number in '_line'"
    name = os.path.basename(path)
    with open(path, encoding='utf-8-sig', newline='') as file:
        reader = csv.reader(file, delimiter=';')
        header = [h.strip() for h in next(reader)]
        if header != columns:
            raise ChartError('%s: header must be %s, not %s' % (
                    name, ';'.join(columns), ';'.join(header)))
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise ChartError('%s:%d: %d columns instead of %d' % (
                        name, reader.line_num, len(values), len(columns)))
            row = dict(zip(columns, (v.strip() for v in values)))
            row['_line'] = '%s:%d' % (name, reader.line_num)
            rows.append(row)
    return rows


def _bool(row, column):
    value = row[column]
    if value not in ('', 'True'):
        raise ChartError('%s: %s must be True or empty' % (
                row['_line'], column))
    return value == 'True'


def read_types(chart_dir=CHART_DIR):
    "Type rows, parents before children, validated like Tryton's domains"
    rows = read_csv(os.path.join(chart_dir, 'types.csv'), TYPE_COLUMNS)
    by_id = {}
    for row in rows:
        if not row['id'] or row['id'] in by_id:
            raise ChartError('%s: empty or duplicate id' % row['_line'])
        if not row['sequence'].isdigit():
            raise ChartError('%s: sequence must be a number' % row['_line'])
        if row['statement'] not in STATEMENTS:
            raise ChartError('%s: unknown statement %r' % (
                    row['_line'], row['statement']))
        for column in ['assets', 'revenue', 'expense', 'payable',
                'purchase']:
            row[column] = _bool(row, column)
        if row['cash_kind'] not in CASH_KINDS:
            raise ChartError('%s: unknown cash_kind %r' % (
                    row['_line'], row['cash_kind']))
        if row['assets'] and row['statement'] != 'balance':
            raise ChartError('%s: assets needs statement balance'
                % row['_line'])
        if (row['revenue'] or row['expense']) and row['statement'] != 'income':
            raise ChartError('%s: revenue/expense need statement income'
                % row['_line'])
        # account.account.type's domains of payable, and purchase ours
        if row['payable'] and (row['statement'] != 'balance'
                or row['assets']):
            raise ChartError('%s: payable needs statement balance, '
                'not assets' % row['_line'])
        if row['purchase'] and not row['assets']:
            raise ChartError('%s: purchase needs assets' % row['_line'])
        by_id[row['id']] = row
    roots = [r for r in rows if not r['parent']]
    if len(roots) != 1 or roots[0]['statement']:
        raise ChartError('types.csv: exactly one root, without statement')
    for row in rows:
        if not row['parent']:
            continue
        parent = by_id.get(row['parent'])
        if parent is None:
            raise ChartError('%s: unknown parent %r' % (
                    row['_line'], row['parent']))
        if not row['statement']:
            raise ChartError('%s: statement required' % row['_line'])
        # account.account.type.template parent domain
        if parent['statement'] and (
                (row['statement'] in {'balance', 'off-balance'}
                    and parent['statement'] != row['statement'])
                or (row['statement'] == 'income'
                    and parent['statement'] == 'off-balance')):
            raise ChartError('%s: statement %s under a %s parent' % (
                    row['_line'], row['statement'], parent['statement']))
    return _tree_order(rows, 'id', roots)


def _tree_order(rows, key, roots):
    "rows by depth (breadth first), file order within a depth; checks cycles"
    children = {}
    for row in rows:
        children.setdefault(row['parent'], []).append(row)
    ordered, level, depth = [], roots, 0
    while level:
        for row in level:
            row['_depth'] = depth
        ordered.extend(level)
        level = [c for r in level for c in children.get(r[key], [])]
        depth += 1
    if len(ordered) != len(rows):
        lost = [r['_line'] for r in rows if '_depth' not in r]
        raise ChartError('not reachable from a root: %s' % ', '.join(lost))
    return ordered


def read_kosgu(chart_dir=CHART_DIR):
    rows = read_csv(os.path.join(chart_dir, 'kosgu.csv'), KOSGU_COLUMNS)
    seen = set()
    for row in rows:
        if not (row['code'].isdigit() and len(row['code']) == 3):
            raise ChartError('%s: КОСГУ code must be 3 digits' % row['_line'])
        if row['code'] in seen:
            raise ChartError('%s: duplicate code' % row['_line'])
        seen.add(row['code'])
        if row['kind'] not in KOSGU_KINDS:
            raise ChartError('%s: kind must be one of %s' % (
                    row['_line'], ', '.join(KOSGU_KINDS)))
        if row['costs'] not in ('', '1'):
            raise ChartError('%s: costs must be 1 or empty' % row['_line'])
        if row['costs'] and row['kind'] != 'expense':
            raise ChartError('%s: costs only for expense codes'
                % row['_line'])
        if not row['name']:
            raise ChartError('%s: name required' % row['_line'])
    return rows


def read_accounts(chart_dir=CHART_DIR):
    "Raw rows of accounts.csv, with basic checks"
    rows = read_csv(os.path.join(chart_dir, 'accounts.csv'), ACCOUNT_COLUMNS)
    for row in rows:
        if not row['code'] or not row['name']:
            raise ChartError('%s: code and name required' % row['_line'])
        if row['variant'] not in ('both',) + VARIANTS:
            raise ChartError('%s: variant must be both, budgetary or '
                'autonomous' % row['_line'])
        if row['kosgu'] and row['kosgu'] not in EXPANSIONS:
            raise ChartError('%s: kosgu must be empty, %s' % (
                    row['_line'], ', '.join(EXPANSIONS)))
        if row['kosgu'] and not row['type']:
            raise ChartError('%s: kosgu needs the type of the children'
                % row['_line'])
    return rows


def read_reconcile(chart_dir=CHART_DIR):
    """{code: row} of reconcile.csv: the accounts whose lines are
    reconciled (a receivable and its receipt, a supplier's document and
    its payment); party True when the lines name the counterparty
    (party_required), optional file"""
    path = os.path.join(chart_dir, 'reconcile.csv')
    if not os.path.exists(path):
        return {}
    rows = read_csv(path, RECONCILE_COLUMNS)
    for row in rows:
        row['party'] = _bool(row, 'party')
    return {r['code']: r for r in rows}


def chart_accounts(variant, chart_dir=CHART_DIR):
    """The accounts of one chart, parents first.

    Each item is a dict with code, name, parent (code, '' under the chart
    root), type (types.csv id, '' for a group) and depth (1 for the top
    groups).  КОСГУ children are generated; their parent becomes a group.
    """
    if variant not in VARIANTS:
        raise ValueError(variant)
    type_ids = {t['id'] for t in read_types(chart_dir)}
    kosgu = read_kosgu(chart_dir)
    rows = [r for r in read_accounts(chart_dir)
        if r['variant'] in ('both', variant)]
    by_code = {}
    for row in rows:
        if row['code'] in by_code:
            raise ChartError('%s: duplicate code %s' % (
                    row['_line'], row['code']))
        by_code[row['code']] = row
    has_children = {r['parent'] for r in rows}
    reconcile = read_reconcile(chart_dir)
    for code, row in reconcile.items():
        if code not in by_code or code in has_children:
            raise ChartError('%s: %s is not a leaf account of the %s chart'
                % (row['_line'], code, variant))
    accounts = []
    for row in rows:
        if row['parent'] and row['parent'] not in by_code:
            raise ChartError('%s: parent %s is not in the %s chart' % (
                    row['_line'], row['parent'], variant))
        if row['type'] and row['type'] not in type_ids:
            raise ChartError('%s: unknown type %s' % (
                    row['_line'], row['type']))
        if row['code'] in has_children and (row['type'] or row['kosgu']):
            raise ChartError('%s: an account with children must have '
                'neither type nor kosgu' % row['_line'])
        if row['code'] not in has_children and not row['type']:
            raise ChartError('%s: a leaf account needs a type'
                % row['_line'])
        accounts.append({
                'code': row['code'],
                'name': row['name'],
                'parent': row['parent'],
                'type': '' if row['kosgu'] else row['type'],
                'reconcile': row['code'] in reconcile,
                'party_required': (row['code'] in reconcile
                    and reconcile[row['code']]['party']),
                '_line': row['_line'],
                })
        if row['kosgu']:
            for code in (k for k in kosgu if EXPANSIONS[row['kosgu']](k)):
                child = {
                    'code': '%s.%s' % (row['code'], code['code']),
                    'name': code['name'],
                    'parent': row['code'],
                    'type': row['type'],
                    'reconcile': False,
                    'party_required': False,
                    '_line': row['_line'],
                    }
                if child['code'] in by_code:
                    raise ChartError('%s: %s is also generated from КОСГУ'
                        % (by_code[child['code']]['_line'], child['code']))
                accounts.append(child)
    roots = [a for a in accounts if not a['parent']]
    ordered = _tree_order(accounts, 'code', roots)
    for account in ordered:
        account['depth'] = account.pop('_depth') + 1
        del account['_line']
    return ordered


def xml_id(variant, code):
    return 'account_%s_%s' % (variant, code.replace('.', '_'))


def _field(name, value=None, ref=None, eval_=None):
    if ref is not None:
        return '      <field name="%s" ref="%s"/>' % (name, ref)
    if eval_ is not None:
        return '      <field name="%s" eval="%s"/>' % (name, eval_)
    return '      <field name="%s">%s</field>' % (name, escape(value))


def build_xml(chart_dir=CHART_DIR):
    "The content of account_chart_ru.xml for the CSV files of chart_dir"
    types = read_types(chart_dir)
    charts = {v: chart_accounts(v, chart_dir) for v in VARIANTS}
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<!-- This file is part of kazan_accounting.  Licensed under the'
        ' GNU GPL v3+.',
        'GENERATED by chart/build_chart.py from chart/types.csv,'
        ' chart/accounts.csv',
        'and chart/kosgu.csv: do not edit by hand, edit the CSV files and'
        ' regenerate. -->',
        '<tryton>',
        ]

    def block(records):
        # one grouped block per tree depth: a ref needs its target created
        out.append('  <data grouped="1">')
        out.extend(records)
        out.append('  </data>')

    depth = 0
    while True:
        records = []
        for row in (t for t in types if t['_depth'] == depth):
            if row['line_code']:
                records.append('    <!-- 0503730 line %s -->'
                    % escape(row['line_code']))
            records.append('    <record model="account.account.type.template"'
                ' id="type_%s">' % row['id'])
            records.append(_field('name', row['name']))
            if row['parent']:
                records.append(_field('parent', ref='type_' + row['parent']))
            records.append(_field('sequence', eval_=row['sequence']))
            if row['statement']:
                records.append(_field('statement', row['statement']))
            else:
                records.append(_field('statement', eval_='None'))
            for column in ['assets', 'revenue', 'expense', 'payable',
                    'purchase']:
                records.append(_field(column, eval_=str(row[column])))
            for column in ['line_code', 'cash_kind']:
                if row[column]:
                    records.append(_field(column, row[column]))
            records.append('    </record>')
        if not records:
            break
        block(records)
        depth += 1

    root_type = 'type_' + types[0]['id']
    records = []
    for variant in VARIANTS:
        records.append('    <record model="account.account.template"'
            ' id="account_template_root_%s">' % variant)
        records.append(_field('name', ROOT_NAMES[variant]))
        records.append(_field('type', ref=root_type))
        records.append(_field('closed', eval_='True'))
        records.append('    </record>')
    block(records)

    depth = 1
    while True:
        records = []
        for variant in VARIANTS:
            for account in charts[variant]:
                if account['depth'] != depth:
                    continue
                records.append('    <record model="account.account.template"'
                    ' id="%s">' % xml_id(variant, account['code']))
                records.append(_field('code', account['code']))
                records.append(_field('name', account['name']))
                if account['parent']:
                    parent = xml_id(variant, account['parent'])
                else:
                    parent = 'account_template_root_%s' % variant
                records.append(_field('parent', ref=parent))
                if account['type']:
                    records.append(_field(
                            'type', ref='type_' + account['type']))
                else:
                    # explicit, so that a leaf turned group loses its type
                    # when the module is updated
                    records.append(_field('type', eval_='None'))
                if account['reconcile']:
                    records.append(_field('reconcile', eval_='True'))
                if account['party_required']:
                    records.append(_field('party_required', eval_='True'))
                records.append('    </record>')
        if not records:
            break
        block(records)
        depth += 1
    out.append('</tryton>')
    return '\n'.join(out) + '\n'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    status = generated.main(argv, lambda: {XML_PATH: build_xml()},
        ChartError, __doc__, __file__)
    if status == 0 and not argv:
        for variant in VARIANTS:
            accounts = chart_accounts(variant)
            postable = sum(1 for a in accounts if a['type'])
            print('%s: %d accounts (%d groups, %d postable)' % (
                    variant, len(accounts), len(accounts) - postable,
                    postable))
    return status


if __name__ == '__main__':
    sys.exit(main())
