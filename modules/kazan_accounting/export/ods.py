# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""ODS with a small writer of its own (zipfile + lxml), not a library:
odfpy, the usual one, had its last release in 2020 and builds a slow DOM of
its own; ezodf (last release 2015) and pyexcel-ods3 sit on those.  Tables
with a number format are a small, stable part of OpenDocument 1.3, and
writing them takes no new dependency."""
import io
import zipfile

from lxml import etree

from .document import (
    FORM_LABEL, PAGE_LABEL, Column, _amount_text, _decimal, _display,
    _is_amount, _landscape, _line, _name_column, _preamble, _sheet_names,
    _tables, text_cell)

ODS_MIMETYPE = 'application/vnd.oasis.opendocument.spreadsheet'
ODF_VERSION = '1.3'
NS = {
    'office': 'urn:oasis:names:tc:opendocument:xmlns:office:1.0',
    'style': 'urn:oasis:names:tc:opendocument:xmlns:style:1.0',
    'text': 'urn:oasis:names:tc:opendocument:xmlns:text:1.0',
    'table': 'urn:oasis:names:tc:opendocument:xmlns:table:1.0',
    'fo': 'urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0',
    'number': 'urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0',
    'meta': 'urn:oasis:names:tc:opendocument:xmlns:meta:1.0',
    'dc': 'http://purl.org/dc/elements/1.1/',
    'config': 'urn:oasis:names:tc:opendocument:xmlns:config:1.0',
    'manifest': 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0',
    }
# Centimetres per character of width, like a spreadsheet's default font
ODS_CHAR_WIDTH = 0.2
ODS_INDENT = 0.3  # centimetres per level of a line name
BORDER = '0.5pt solid #000000'


def _q(name):
    "Clark notation of a prefixed name: 'table:table' → '{ns}table'"
    prefix, local = name.split(':')
    return f'{{{NS[prefix]}}}{local}'


def _element(parent, name, attrib=None, text=None):
    element = etree.SubElement(parent, _q(name),
        {_q(k): str(v) for k, v in (attrib or {}).items()})
    if text is not None:
        element.text = text
    return element


def _root(name, *prefixes):
    root = etree.Element(_q(name), nsmap={p: NS[p] for p in prefixes})
    root.set(_q('office:version'), ODF_VERSION)
    return root


def _xml(root):
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


class _OdsStyles:
    "The automatic styles of content.xml, made on demand"

    def __init__(self, parent):
        self.parent = parent
        self.names = {}
        number = _element(parent, 'number:number-style',
            {'style:name': 'N2'})
        _element(number, 'number:number', {
                'number:decimal-places': 2,
                'number:min-decimal-places': 2,
                'number:min-integer-digits': 1,
                'number:grouping': 'true',
                })
        style = _element(parent, 'style:style', {
                'style:name': 'ta1', 'style:family': 'table',
                'style:master-page-name': 'Default'})
        _element(style, 'style:table-properties', {'table:display': 'true'})

    def column(self, width):
        key = ('column', width)
        if key not in self.names:
            name = self.names[key] = f'co{len(self.names) + 1}'
            style = _element(self.parent, 'style:style', {
                    'style:name': name, 'style:family': 'table-column'})
            _element(style, 'style:table-column-properties', {
                    'style:column-width': f'{width * ODS_CHAR_WIDTH:.2f}cm'})
        return self.names[key]

    def cell(self, kind='text', bold=False, level=0, border=True,
            head=False, size=None):
        key = ('cell', kind, bold, level, border, head, size)
        if key in self.names:
            return self.names[key]
        name = self.names[key] = f'ce{len(self.names) + 1}'
        attrib = {'style:name': name, 'style:family': 'table-cell',
            'style:parent-style-name': 'Default'}
        if kind == 'amount':
            attrib['style:data-style-name'] = 'N2'
        style = _element(self.parent, 'style:style', attrib)
        properties = {'style:vertical-align': 'middle' if head else 'top'}
        if border:
            properties['fo:border'] = BORDER
        if head:
            properties['fo:background-color'] = '#e6e6e6'
        if head or kind == 'text':
            properties['fo:wrap-option'] = 'wrap'
        align = {'amount': 'end', 'code': 'center', 'text': 'start',
            'right': 'end', 'center': 'center'}[kind]
        if head:
            align = 'center'
        properties['style:text-align-source'] = 'fix'
        _element(style, 'style:table-cell-properties', properties)
        paragraph = {'fo:text-align': align}
        if level:
            paragraph['fo:margin-left'] = f'{level * ODS_INDENT:.2f}cm'
        _element(style, 'style:paragraph-properties', paragraph)
        text = {}
        if bold or head:
            text.update({'fo:font-weight': 'bold',
                    'style:font-weight-asian': 'bold',
                    'style:font-weight-complex': 'bold'})
        if size:
            text['fo:font-size'] = f'{size}pt'
        if text:
            _element(style, 'style:text-properties', text)
        return name


def _ods_cell(row, style, text=None, value=None, span=1):
    attrib = {'table:style-name': style}
    if value is not None:
        attrib['office:value-type'] = 'float'
        attrib['office:value'] = value
    elif text:
        attrib['office:value-type'] = 'string'
    if span > 1:
        attrib['table:number-columns-spanned'] = span
    cell = _element(row, 'table:table-cell', attrib)
    if text:
        _element(cell, 'text:p', text=text)
    if span > 1:
        _element(row, 'table:covered-table-cell',
            {'table:number-columns-repeated': span - 1})
    return cell


def _ods_table(parent, styles, doc, table, name):
    columns = table.columns
    width = max(len(columns), 1)
    element = _element(parent, 'table:table', {
            'table:name': name, 'table:style-name': 'ta1'})
    for column in columns or [Column('', '')]:
        _element(element, 'table:table-column', {
                'table:style-name': styles.column(column.display_width),
                'table:default-cell-style-name': 'Default'})

    plain = styles.cell(border=False)
    frozen = 0
    for style, text in _preamble(doc, table):
        frozen += 1
        row = _element(element, 'table:table-row')
        if style == 'form':
            if width >= 2:
                if width > 2:
                    _ods_cell(row, plain, span=width - 2)
                _ods_cell(row, styles.cell('right', border=False),
                    FORM_LABEL)
                _ods_cell(row, styles.cell('code'), text)
            else:
                _ods_cell(row, plain, f'{FORM_LABEL} {text}')
            continue
        if style == 'title':
            cell_style = styles.cell('center', bold=True, border=False,
                size=12)
        elif style == 'subtitle':
            cell_style = styles.cell(bold=True, border=False)
        else:
            cell_style = plain
        _ods_cell(row, cell_style, text_cell(text),
            span=width if text else 1)

    if columns:
        frozen += 1
        head = _element(_element(element, 'table:table-header-rows'),
            'table:table-row')
        head_style = styles.cell(head=True)
        for column in columns:
            _ods_cell(head, head_style, column.label)

    name_index = _name_column(table)
    for data in table.rows:
        bold = bool(data.get('bold'))
        level = data.get('level') or 0
        row = _element(element, 'table:table-row')
        for c, column in enumerate(columns):
            value = data.get(column.key)
            if column.kind == 'amount' and _is_amount(value):
                value = _decimal(value)
                _ods_cell(row, styles.cell('amount', bold),
                    _amount_text(value), value=value)
                continue
            _ods_cell(row,
                styles.cell(column.kind, bold,
                    level if c == name_index else 0),
                text_cell(value) if isinstance(value, str)
                else _display(value))

    if table.footer:
        _ods_cell(_element(element, 'table:table-row'), plain)
        for item in table.footer:
            row = _element(element, 'table:table-row')
            _ods_cell(row, plain, text_cell(_line(item)), span=width)
    return frozen if columns else 0


def _ods_settings(frozen):
    """settings.xml: the rows down to the column headers stay in view
    (LibreOffice's 'freeze rows')"""
    root = _root('office:document-settings', 'office', 'config')
    settings = _element(root, 'office:settings')
    view_set = _element(settings, 'config:config-item-set',
        {'config:name': 'ooo:view-settings'})
    views = _element(view_set, 'config:config-item-map-indexed',
        {'config:name': 'Views'})
    view = _element(views, 'config:config-item-map-entry')
    _element(view, 'config:config-item',
        {'config:name': 'ViewId', 'config:type': 'string'}, 'view1')
    tables = _element(view, 'config:config-item-map-named',
        {'config:name': 'Tables'})
    for name, rows in frozen:
        if not rows:
            continue
        entry = _element(tables, 'config:config-item-map-entry',
            {'config:name': name})
        for key, kind, value in [
                ('HorizontalSplitMode', 'short', 0),
                ('VerticalSplitMode', 'short', 2),
                ('HorizontalSplitPosition', 'int', 0),
                ('VerticalSplitPosition', 'int', rows),
                ('ActiveSplitRange', 'short', 2),
                ('PositionLeft', 'int', 0),
                ('PositionRight', 'int', 0),
                ('PositionTop', 'int', 0),
                ('PositionBottom', 'int', rows),
                ]:
            _element(entry, 'config:config-item',
                {'config:name': key, 'config:type': kind}, str(value))
    return _xml(root)


def _ods_styles(landscape):
    "styles.xml: the default cell style and an A4 page fitted to width"
    root = _root('office:document-styles',
        'office', 'style', 'text', 'table', 'fo')
    styles = _element(root, 'office:styles')
    default = _element(styles, 'style:default-style',
        {'style:family': 'table-cell'})
    _element(default, 'style:text-properties', {'fo:font-size': '10pt'})
    _element(styles, 'style:style',
        {'style:name': 'Default', 'style:family': 'table-cell'})

    automatic = _element(root, 'office:automatic-styles')
    layout = _element(automatic, 'style:page-layout', {'style:name': 'pm1'})
    width, height = ('29.7cm', '21cm') if landscape else ('21cm', '29.7cm')
    _element(layout, 'style:page-layout-properties', {
            'fo:page-width': width, 'fo:page-height': height,
            'style:print-orientation': (
                'landscape' if landscape else 'portrait'),
            'fo:margin': '1cm',
            'style:scale-to-X': 1,
            })
    footer_style = _element(layout, 'style:footer-style')
    _element(footer_style, 'style:header-footer-properties',
        {'fo:min-height': '0.5cm', 'fo:margin-top': '0.2cm'})

    masters = _element(root, 'office:master-styles')
    master = _element(masters, 'style:master-page', {
            'style:name': 'Default', 'style:page-layout-name': 'pm1'})
    footer = _element(master, 'style:footer')
    before, rest = PAGE_LABEL.split('{page}')
    between, after = rest.split('{pages}')
    paragraph = _element(footer, 'text:p', text=before)
    _element(paragraph, 'text:page-number', text='1').tail = between
    _element(paragraph, 'text:page-count', text='1').tail = after
    return _xml(root)


def _ods_meta(doc):
    root = _root('office:document-meta', 'office', 'meta', 'dc')
    meta = _element(root, 'office:meta')
    _element(meta, 'meta:generator', text='kazan_accounting')
    _element(meta, 'dc:title', text=doc.title)
    return _xml(root)


def _ods_manifest():
    root = _root('manifest:manifest', 'manifest')
    root.attrib.pop(_q('office:version'))
    root.set(_q('manifest:version'), ODF_VERSION)
    _element(root, 'manifest:file-entry', {
            'manifest:full-path': '/',
            'manifest:version': ODF_VERSION,
            'manifest:media-type': ODS_MIMETYPE})
    for path in ['content.xml', 'styles.xml', 'meta.xml', 'settings.xml']:
        _element(root, 'manifest:file-entry', {
                'manifest:full-path': path, 'manifest:media-type': 'text/xml'})
    return _xml(root)


def _zip_entry(archive, path, data, compress=zipfile.ZIP_DEFLATED):
    # A fixed date keeps the same document byte for byte the same file
    info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compress
    archive.writestr(info, data)


def to_ods(doc):
    "The document as an OpenDocument spreadsheet: a sheet per table"
    root = _root('office:document-content',
        'office', 'style', 'text', 'table', 'fo', 'number')
    styles = _OdsStyles(_element(root, 'office:automatic-styles'))
    spreadsheet = _element(_element(root, 'office:body'),
        'office:spreadsheet')
    tables = _tables(doc)
    frozen = []
    for table, name in zip(tables, _sheet_names(tables, doc.form)):
        frozen.append(
            (name, _ods_table(spreadsheet, styles, doc, table, name)))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        # ODF: the mimetype first, stored, so that `file` and others know it
        _zip_entry(archive, 'mimetype', ODS_MIMETYPE, zipfile.ZIP_STORED)
        _zip_entry(archive, 'content.xml', _xml(root))
        _zip_entry(archive, 'styles.xml', _ods_styles(_landscape(tables)))
        _zip_entry(archive, 'meta.xml', _ods_meta(doc))
        _zip_entry(archive, 'settings.xml', _ods_settings(frozen))
        _zip_entry(archive, 'META-INF/manifest.xml', _ods_manifest())
    return buffer.getvalue()
