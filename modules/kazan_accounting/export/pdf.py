# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""PDF with reportlab's platypus: its Table repeats the column headers on
every page and lays out a few hundred lines in tens of milliseconds, where
WeasyPrint takes about a second per document.  Cyrillic needs a TrueType
font: see `pdf_fonts`."""
import functools
import io
import math
import os
import re
from xml.sax.saxutils import escape

from ..exceptions import FontNotFound
from .document import (
    CODES_LABEL, FORM_LABEL, PAGE_LABEL, _amount_text, _display, _is_amount,
    _landscape, _line, _name_column)

FONT_ENVIRON = 'KAZAN_PDF_FONT'
FONT_PACKAGE = 'fonts-dejavu-core'
# (regular, bold) TrueType fonts with Cyrillic letters: the first found wins
FONT_CANDIDATES = [
    # Debian and Ubuntu: fonts-dejavu-core
    ('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
        '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'),
    # Fedora: dejavu-sans-fonts
    ('/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
        '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf'),
    # Alpine, older Fedora and RHEL
    ('/usr/share/fonts/dejavu/DejaVuSans.ttf',
        '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf'),
    # Arch Linux: ttf-dejavu
    ('/usr/share/fonts/TTF/DejaVuSans.ttf',
        '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf'),
    # FreeBSD: dejavu
    ('/usr/local/share/fonts/dejavu/DejaVuSans.ttf',
        '/usr/local/share/fonts/dejavu/DejaVuSans-Bold.ttf'),
    # Debian and Ubuntu: fonts-liberation
    ('/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
        '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'),
    # macOS
    ('/System/Library/Fonts/Supplemental/Arial.ttf',
        '/System/Library/Fonts/Supplemental/Arial Bold.ttf'),
    ]


def _font_not_found(tried):
    return FontNotFound(tried, package=FONT_PACKAGE, environ=FONT_ENVIRON)


def _bold_beside(path):
    "The bold face next to a regular one: X.ttf or X-Regular.ttf → X-Bold.ttf"
    stem, ext = os.path.splitext(path)
    stem = re.sub(r'-?Regular$', '', stem)
    bold = f'{stem}-Bold{ext}'
    return bold if os.path.isfile(bold) else path


def _font_paths():
    path = os.environ.get(FONT_ENVIRON)
    if path:
        # Asked for by name: no silent fall-back to another font
        if not os.path.isfile(path):
            raise _font_not_found([f'{FONT_ENVIRON}={path}'])
        return path, _bold_beside(path)
    for regular, bold in FONT_CANDIDATES:
        if os.path.isfile(regular):
            return regular, bold if os.path.isfile(bold) else regular
    raise _font_not_found([regular for regular, _ in FONT_CANDIDATES])


@functools.lru_cache(maxsize=None)
def _register_fonts(regular, bold):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    names = []
    for path in (regular, bold):
        name = 'kazan-' + os.path.basename(path)
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path))
        names.append(name)
    return tuple(names)


def pdf_fonts():
    """The names of the regular and the bold font of the PDF writer,
    registered with reportlab: ${KAZAN_PDF_FONT} (its bold face is
    X-Bold.ttf beside it, else the same font) or the first of
    FONT_CANDIDATES found; FontNotFound names the package to install"""
    return _register_fonts(*_font_paths())


FONT_SIZE = 8
MIN_FONT_SIZE = 6
PADDING = 2.5  # points, left and right of a cell's text
TOP_PADDING, BOTTOM_PADDING = 1.5, 2
INDENT = 8  # points per level of a line name
NO_BREAK_SPACE = '\u00a0'
MIN_TEXT_WIDTH = 120  # points: a line name narrower than this is unreadable


def _pdf_cells(table):
    "The rows as strings, amounts formatted, text not yet wrapped"
    columns = table.columns
    cells = []
    for row in table.rows:
        line = []
        for column in columns:
            value = row.get(column.key)
            if column.kind == 'amount' and _is_amount(value):
                line.append(_amount_text(value) if value else '-')
            else:
                line.append(_display(value))
        cells.append(line)
    return cells


def _pdf_widths(table, cells, frame, fonts, size):
    """The columns' widths in points, or None when they do not fit the
    frame: codes and amounts as wide as their longest value, text columns
    share the rest by their widths in characters"""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    regular, bold = fonts
    widths = [None] * len(table.columns)
    char = stringWidth('0', regular, size)
    for c, column in enumerate(table.columns):
        if column.kind == 'text':
            continue
        longest = max((line[c] for line in cells), key=len, default='')
        word = max(column.label.split(), key=len, default='')
        widths[c] = max(
            stringWidth(longest, bold, size),
            stringWidth(word, bold, size),
            (column.width or 0) * char) + 2 * PADDING + 1
    text = [c for c, w in enumerate(widths) if w is None]
    rest = frame - sum(w for w in widths if w is not None)
    if text:
        if rest < MIN_TEXT_WIDTH * len(text):
            return None
        weights = [table.columns[c].display_width for c in text]
        for c, weight in zip(text, weights):
            widths[c] = rest * weight / sum(weights)
    elif rest < 0:
        return None
    return widths


def _pdf_layout(table, cells, frame, fonts):
    "Font size and column widths: the largest size whose columns fit"
    size = FONT_SIZE
    while size >= MIN_FONT_SIZE:
        widths = _pdf_widths(table, cells, frame, fonts, size)
        if widths:
            return size, widths
        size -= 0.5
    # Too wide even in small letters: squeeze every column alike
    widths = _pdf_widths(table, cells, float('inf'), fonts, MIN_FONT_SIZE)
    natural = [w if w != float('inf') else MIN_TEXT_WIDTH for w in widths]
    return MIN_FONT_SIZE, [w * frame / sum(natural) for w in natural]


def _pdf_table(table, frame, fonts):
    from reportlab.lib import colors
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    regular, bold = fonts
    columns = table.columns
    cells = _pdf_cells(table)
    size, widths = _pdf_layout(table, cells, frame, fonts)
    leading = size * 1.2

    def wrap(text, font, width, indent=''):
        if not text:
            return text
        lines = simpleSplit(text, font, size, width) or [text]
        return '\n'.join(indent + line for line in lines)

    space = stringWidth(NO_BREAK_SPACE, regular, size)

    def indent_text(width):
        return NO_BREAK_SPACE * math.ceil(width / space)

    head = [wrap(c.label, bold, w - 2 * PADDING)
        for c, w in zip(columns, widths)]
    heights = [_pdf_height(head, leading)]
    commands = [
        ('FONT', (0, 0), (-1, -1), regular, size, leading),
        ('FONT', (0, 0), (-1, 0), bold, size, leading),
        ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
        ('VALIGN', (0, 0), (-1, 0), 'MIDDLE'),
        ('ALIGN', (0, 0), (-1, 0), 'CENTER'),
        ('BACKGROUND', (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ('LEFTPADDING', (0, 0), (-1, -1), PADDING),
        ('RIGHTPADDING', (0, 0), (-1, -1), PADDING),
        ('TOPPADDING', (0, 0), (-1, -1), TOP_PADDING),
        ('BOTTOMPADDING', (0, 0), (-1, -1), BOTTOM_PADDING),
        ]
    for c, column in enumerate(columns):
        if column.kind != 'text':
            commands.append(('ALIGN', (c, 1), (c, -1),
                    'RIGHT' if column.kind == 'amount' else 'CENTER'))
    text_columns = [c for c, column in enumerate(columns)
        if column.kind == 'text']
    name = _name_column(table)
    bold_rows = []
    for r, (row, line) in enumerate(zip(table.rows, cells)):
        font = regular
        if row.get('bold'):
            font = bold
            bold_rows.append(r)
        level = row.get('level') or 0
        for c in text_columns:
            if c == name and level:
                # Spaces, not a padding per row: a style command per row
                # costs more than the row itself on a page
                indent = INDENT * level
                line[c] = wrap(line[c], font,
                    widths[c] - 2 * PADDING - indent, indent_text(indent))
            else:
                line[c] = wrap(line[c], font, widths[c] - 2 * PADDING)
        heights.append(_pdf_height(line, leading))
    # Heights given, reportlab does not measure each cell again
    return _long_table()([head], cells, heights, bold_rows, widths, commands,
        ('FONT', bold, size, leading))


@functools.lru_cache(maxsize=None)
def _long_table():
    "The class of _LongTable, made once reportlab is imported"
    from reportlab.lib.rl_accel import fp_str
    from reportlab.platypus import Flowable
    from reportlab.platypus import Table as BaseTable

    class PdfTable(BaseTable):
        """A Table that draws its strings faster.

        Drawing a cell's text is most of the time of a long table: the
        Table makes a text object for each line, and encodes it for the
        TrueType font's subsets.  This one skips empty cells and keeps
        each string's encoded text (the `texts` of the document, the same
        codes, months and names recur on every page): a line is then its
        position and the kept text, through the public addLiteral.  Any
        other cell (flowables, links, right-to-left) is drawn by the
        Table.

        _drawCell is reportlab's private method (no public hook for a
        cell's drawing): pyproject.toml pins reportlab to the versions it
        was checked with, and tests/test_core_overrides.py its source."""

        texts = None

        def _drawCell(self, cellval, cellstyle, pos, size):
            just = cellstyle.alignment
            if (type(cellval) is not str or self.texts is None
                    or cellstyle.href or cellstyle.destination
                    or cellstyle.direction or cellstyle.shaping
                    or just not in ('LEFT', 'RIGHT', 'CENTER', 'CENTRE')
                    or cellstyle.valign not in ('TOP', 'MIDDLE', 'BOTTOM')):
                return super()._drawCell(cellval, cellstyle, pos, size)
            if not cellval:
                return
            canv = self.canv
            if self._curcellstyle is not cellstyle:
                cur = self._curcellstyle
                if cur is None or cellstyle.color != cur.color:
                    canv.setFillColor(cellstyle.color)
                if (cur is None or cellstyle.leading != cur.leading
                        or cellstyle.fontname != cur.fontname
                        or cellstyle.fontsize != cur.fontsize):
                    canv.setFont(cellstyle.fontname, cellstyle.fontsize,
                        cellstyle.leading)
                self._curcellstyle = cellstyle
            # The positions as Table._drawCell computes them
            colpos, rowpos = pos
            colwidth, rowheight = size
            lines = cellval.split('\n')
            leading, fontsize = cellstyle.leading, cellstyle.fontsize
            valign = cellstyle.valign
            if valign == 'BOTTOM':
                y = rowpos + cellstyle.bottomPadding + len(lines) * leading \
                    - fontsize
            elif valign == 'TOP':
                y = rowpos + rowheight - cellstyle.topPadding - fontsize
            else:
                y = rowpos + (cellstyle.bottomPadding + rowheight
                    - cellstyle.topPadding + len(lines) * leading) / 2.0 \
                    - fontsize
            if just == 'LEFT':
                x, shift = colpos + cellstyle.leftPadding, 0
            elif just == 'RIGHT':
                x, shift = colpos + colwidth - cellstyle.rightPadding, 1
            else:
                x, shift = colpos + (colwidth + cellstyle.leftPadding
                    - cellstyle.rightPadding) * 0.5, 0.5
            font = (canv._fontname, canv._fontsize, canv._leading)
            texts = self.texts
            for line in lines:
                key = font + (line,)
                kept = texts.get(key)
                if kept is None:
                    width = canv.stringWidth(line, *font[:2])
                    text = canv.beginText(0, 0)
                    text.textLine(line)
                    code = text.getCode()
                    # The text after its origin, 'BT 1 0 0 1 0 0 Tm'
                    start = 'BT 1 0 0 1 %s Tm' % fp_str(0, 0)
                    kept = texts[key] = (width,
                        code[len(start):] if code.startswith(start) else None)
                width, rest = kept
                left = x - width * shift
                if rest is None:
                    text = canv.beginText(left, y)
                    text.textLine(line)
                    canv.drawText(text)
                else:
                    canv.addLiteral('BT 1 0 0 1 %s Tm%s' % (fp_str(left, y),
                            rest))
                y -= leading

    class _LongTable(Flowable):
        """Rows under column headers, laid out page by page.

        A platypus Table that does not fit a page splits into the rows
        that fit and a new Table of all the others, which splits again
        at the next page: its work grows with the square of its rows (a
        general ledger of 8,740 lines took 3 s, 455 tables, a million
        calls measuring rows).  This flowable knows its rows' heights:
        at a page's end it gives platypus a Table of the rows that fit,
        under the column headers, and keeps the rest as a _LongTable, so
        that each row goes into one Table only.  The pages look as the
        one Table made them: headers on each page, rows never cut.

        head: the header rows; rows: the data rows, heights: the heights
        of head + rows; bold: indices of the bold rows; commands: the
        table's style, for any number of rows; font: the bold rows'
        FONT command without its cells."""

        def __init__(self, head, rows, heights, bold, widths, commands,
                font, start=0):
            super().__init__()
            self.head, self.rows, self.heights = head, rows, heights
            self.bold, self.widths = bold, widths
            self.commands, self.font = commands, font
            self.start = start
            self.hAlign = 'LEFT'
            self.texts = {}
            # tops[i]: the height of the data rows before row i
            if start == 0:
                tops, top = [0], 0
                for height in heights[len(head):]:
                    top += height
                    tops.append(top)
                self.tops = tops
            self.head_height = sum(heights[:len(head)])
            self.table = None

        def _rest(self, start):
            rest = _LongTable(self.head, self.rows, self.heights,
                self.bold, self.widths, self.commands, self.font, start)
            rest.tops = self.tops
            rest.texts = self.texts
            return rest

        def _table(self, stop):
            "A platypus Table of the headers and rows start to stop"
            import bisect
            start, nhead = self.start, len(self.head)
            style = list(self.commands)
            kind, font, size, leading = self.font
            for r in self.bold[bisect.bisect_left(self.bold, start):
                    bisect.bisect_left(self.bold, stop)]:
                r += nhead - start
                style.append((kind, (0, r), (-1, r), font, size, leading))
            heights = self.heights[:nhead] \
                + self.heights[nhead + start:nhead + stop]
            table = PdfTable(self.head + self.rows[start:stop],
                colWidths=self.widths, rowHeights=heights,
                repeatRows=nhead, style=style, hAlign='LEFT')
            table.texts = self.texts
            return table

        def wrap(self, availWidth, availHeight):
            self.width = sum(self.widths)
            self.height = self.head_height \
                + self.tops[-1] - self.tops[self.start]
            return self.width, self.height

        def split(self, availWidth, availHeight):
            import bisect

            # The rows that fit under the headers, at least one
            room = availHeight - self.head_height + self.tops[self.start]
            stop = bisect.bisect_right(self.tops, room) - 1
            if stop <= self.start:
                return []
            if stop >= len(self.rows):
                return [self._table(len(self.rows))]
            return [self._table(stop), self._rest(stop)]

        def drawOn(self, canvas, x, y, _sW=0):
            # All the rows fit: drawn as one Table
            table = self._table(len(self.rows))
            table.wrapOn(canvas, self.width, self.height)
            table.drawOn(canvas, x, y, _sW)

    return _LongTable


def _pdf_height(line, leading):
    "Height of a row of strings, wrapped with new lines"
    return max(text.count('\n') + 1 for text in line) * leading \
        + TOP_PADDING + BOTTOM_PADDING


def _pdf_styles(fonts):
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    regular, bold = fonts
    return {
        'title': ParagraphStyle('title', fontName=bold, fontSize=11,
            leading=14, alignment=TA_CENTER, spaceAfter=4),
        'subtitle': ParagraphStyle('subtitle', fontName=bold, fontSize=9,
            leading=12, spaceBefore=6, spaceAfter=3),
        'line': ParagraphStyle('line', fontName=regular, fontSize=8.5,
            leading=11),
        }


def _pdf_top(doc, frame, fonts, styles):
    """The header lines on the left, the box of codes on the right, as on
    the official forms"""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph
    from reportlab.platypus import Table as PdfTable
    regular, bold = fonts
    lines = [Paragraph(escape(_line(item)), styles['line'])
        for item in doc.header]
    if not doc.form:
        return lines
    codes = PdfTable([['', CODES_LABEL], [FORM_LABEL, doc.form]],
        colWidths=[70, 60], style=[
            ('FONT', (0, 0), (-1, -1), regular, 8),
            ('FONT', (1, 1), (1, 1), bold, 8),
            ('ALIGN', (0, 0), (0, -1), 'RIGHT'),
            ('ALIGN', (1, 0), (1, -1), 'CENTER'),
            ('BOX', (1, 0), (1, -1), 0.5, colors.black),
            ('INNERGRID', (1, 0), (1, -1), 0.5, colors.black),
            ])
    return [PdfTable([[lines, codes]], colWidths=[frame - 140, 140],
            style=[('VALIGN', (0, 0), (-1, -1), 'TOP'),
                ('LEFTPADDING', (0, 0), (-1, -1), 0),
                ('RIGHTPADDING', (0, 0), (-1, -1), 0)])]


def _numbered_canvas(form, font):
    "A canvas that writes 'Стр. N из M' once it knows M"
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            pages = len(self._pages)
            for page, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(font, 7)
                self.drawRightString(width - 28, 18,
                    PAGE_LABEL.format(page=page, pages=pages))
                if form:
                    self.drawString(42, 18, f'{FORM_LABEL} {form}')
                super().showPage()
            super().save()

    return NumberedCanvas


def to_pdf(doc):
    """The document laid out like the official form: A4, landscape when
    the columns need it, tables one after another, their column headers
    repeated on each page, pages numbered"""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import (
        CondPageBreak, Paragraph, SimpleDocTemplate, Spacer)

    fonts = pdf_fonts()
    styles = _pdf_styles(fonts)
    tables = [t for t in doc.tables if t.columns]
    pagesize = landscape(A4) if _landscape(tables) else A4
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=pagesize,
        leftMargin=42, rightMargin=28, topMargin=28, bottomMargin=34,
        title=doc.title, subject=doc.form, creator='kazan_accounting',
        invariant=True)
    frame = template.width

    story = [Paragraph(escape(doc.title), styles['title'])]
    story.extend(_pdf_top(doc, frame, fonts, styles))
    story.append(Spacer(1, 6))
    for i, table in enumerate(tables):
        if i:
            # A table's title never stays alone at the bottom of a page
            story.append(CondPageBreak(80))
        if table.title and table.title != doc.title:
            story.append(Paragraph(escape(table.title), styles['subtitle']))
        story.append(_pdf_table(table, frame, fonts))
        if table.footer:
            story.append(Spacer(1, 8))
            story.extend(Paragraph(escape(_line(item)), styles['line'])
                for item in table.footer)
    template.build(story,
        canvasmaker=_numbered_canvas(doc.form, fonts[0]))
    return buffer.getvalue()
