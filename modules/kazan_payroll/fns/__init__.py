# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The quarterly reports as FNS XML files (brief §7.3), from element maps.

Each format is a map kept as data (``ndfl6.csv``, ``rsv.csv``): one row per
element or attribute with the figure it holds, the list an element repeats
over, and whether the brief confirms it.  The layout is what the brief
confirms plus what must still be checked against the current XSD (the rows
marked ``no``, listed in the file's leading comment): this is no claim of
conformance (README.md).

A source is a dotted key looked up in the figures, innermost repeat first
(``rate``, ``company.inn``), or a literal after ``=``; an attribute whose
figure is None or empty is left out.
"""
import csv
import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lxml import etree

FNS_DIR = Path(__file__).resolve().parent
MAP_COLUMNS = ['element', 'attribute', 'source', 'repeat', 'confirmed',
    'note']
# The prefix of the file name and the map of each form (brief §7.3)
PREFIXES = {'ndfl6': 'NO_NDFL6.2', 'rsv': 'NO_RASCHSV'}
ENCODING = 'windows-1251'
PROGRAM = 'kazan 8.0'


@dataclass
class MapRow:
    element: str
    attribute: str
    source: str
    repeat: str
    confirmed: bool
    note: str


def read_map(form):
    "The rows of the element map of form"
    path = FNS_DIR / f'{form}.csv'
    with open(path, encoding='utf-8', newline='') as file:
        reader = csv.reader(file, delimiter=';')
        header = next(reader)
        if header != MAP_COLUMNS:
            raise ValueError(f"{path}: header must be {MAP_COLUMNS}")
        rows = []
        for line in reader:
            if not any(line):
                continue
            values = dict(zip(MAP_COLUMNS, line))
            rows.append(MapRow(values['element'], values['attribute'],
                    values['source'], values['repeat'],
                    values['confirmed'] == 'yes', values['note']))
        return rows


@dataclass
class _Spec:
    "An element of the map: its attributes, its repeat and its children"
    tag: str
    repeat: str = ''
    attributes: list = field(default_factory=list)  # [(name, source)]
    children: list = field(default_factory=list)


def _tree(rows):
    "The root _Spec of the map rows (elements in the order they appear)"
    specs = {}
    root = None
    for row in rows:
        path = row.element.split('/')
        for depth in range(1, len(path) + 1):
            key = '/'.join(path[:depth])
            if key not in specs:
                specs[key] = _Spec(path[depth - 1])
                if depth == 1:
                    root = specs[key]
                else:
                    specs['/'.join(path[:depth - 1])].children.append(
                        specs[key])
        spec = specs[row.element]
        if row.repeat:
            spec.repeat = row.repeat
        if row.attribute:
            spec.attributes.append((row.attribute, row.source))
    return root


def _lookup(source, contexts):
    if source.startswith('='):
        return source[1:]
    for context in reversed(contexts):
        value = context
        for key in source.split('.'):
            if isinstance(value, dict) and key in value:
                value = value[key]
            else:
                break
        else:
            return value
    raise KeyError(f"no figure {source!r} for the element map")


def _text(value):
    if isinstance(value, Decimal):
        return f'{value:.2f}'
    if isinstance(value, dt.date):
        return value.strftime('%d.%m.%Y')
    return str(value)


def _render(spec, contexts, parent):
    items = _lookup(spec.repeat, contexts) if spec.repeat else [None]
    for item in items:
        scope = contexts + [item] if item is not None else contexts
        element = (etree.Element(spec.tag) if parent is None
            else etree.SubElement(parent, spec.tag))
        for name, source in spec.attributes:
            value = _lookup(source, scope)
            if value is not None and value != '':
                element.set(name, _text(value))
        for child in spec.children:
            _render(child, scope, element)
        if parent is None:
            return element


def file_id(form, company, today, guid=None):
    """The file name without .xml (brief §7.3):
    prefix_A_K_INNKPP_YYYYMMDD_GUID, A and K the tax office of the KPP"""
    office = (company.kpp or '')[:4]
    guid = guid or str(uuid.uuid4()).upper()
    return (f'{PREFIXES[form]}_{office}_{office}_{company.inn or ""}'
        f'{company.kpp or ""}_{today:%Y%m%d}_{guid}')


def render(form, figures):
    """The XML of the form from its figures (a dict with 'file' among
    them): bytes in windows-1251 with a comment naming what the brief does
    not confirm"""
    rows = read_map(form)
    root = _render(_tree(rows), [figures], None)
    unconfirmed = {}
    for row in rows:
        if not row.confirmed:
            unconfirmed.setdefault(row.element, []).append(row.attribute)
    items = [element + (f"({', '.join(a for a in attributes if a)})"
            if any(attributes) else '')
        for element, attributes in unconfirmed.items()]
    root.addprevious(etree.Comment(
            ' Не проверено по действующей XSD (kazan_payroll/fns/README.md): '
            + '; '.join(items).replace('--', '- -') + ' '))
    return etree.tostring(root.getroottree(), encoding=ENCODING,
        xml_declaration=True, pretty_print=True)


def build(form, company, figures, today, guid=None):
    """The FNS XML file of form for the institution: (file name, bytes);
    figures are those of the map, the file's, the document's, the
    company's and the signer's are added here"""
    identifier = file_id(form, company, today, guid)
    figures = dict(figures, file={'id': identifier, 'program': PROGRAM})
    figures['document'] = dict(figures.get('document', {}), date=today,
        tax_office=(company.kpp or '')[:4])
    return f'{identifier}.xml', render(form, figures)
