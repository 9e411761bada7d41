# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statements as files: one format-neutral document, four writers.

A form (0503730, 0503721, 0503737, the trial balance, the general ledger) is
built once as a `Document` of `Table`s of plain rows; `to_xlsx`, `to_ods`,
`to_pdf` and `to_csv` lay it out.  Plain Python, no model: the batch
command, the client's reports and the unit tests share it.

The batch writes some 180 files in a run, so each writer takes tens of
milliseconds for a form of a few hundred lines:

- `xlsx.py`: XLSX with openpyxl, already used by onboarding.
- `ods.py`: ODS with a small writer of its own (zipfile + lxml).
- `pdf.py`: PDF with reportlab's platypus.
- `csv.py`: CSV with the csv module.

`document.py` holds the document and what the writers share.

The fixed words of the layout ("Форма по ОКУД", the page numbers) are
Russian whatever the user's language: these are Russian official forms.
The caller gives every other text (titles, column labels, line names).
"""
from ..exceptions import FontNotFound
from .csv import _document_csv, to_csv
from .document import (
    FORMATS, KINDS, Column, Document, Table, safe_file_name, text_cell)
from .ods import to_ods
from .pdf import FONT_ENVIRON, FONT_PACKAGE, pdf_fonts, to_pdf
from .xlsx import to_xlsx

# Not public, but kept here as they were when export was one module: the
# unit tests reach them as export._amount_text, export._sheet_names and
# export._font_paths, and export.NS is the ODS writer's namespaces.
from .document import _amount_text, _sheet_names  # noqa: F401 isort:skip
from .ods import NS  # noqa: F401 isort:skip
from .pdf import _font_paths  # noqa: F401 isort:skip

__all__ = ['FORMATS', 'KINDS', 'Column', 'Table', 'Document', 'FontNotFound',
    'to_xlsx', 'to_ods', 'to_pdf', 'to_csv', 'render', 'write', 'pdf_fonts',
    'text_cell', 'safe_file_name', 'FONT_ENVIRON', 'FONT_PACKAGE']


def render(doc, fmt):
    "The document as the bytes of a file in fmt, one of FORMATS"
    if fmt == 'xlsx':
        return to_xlsx(doc)
    elif fmt == 'ods':
        return to_ods(doc)
    elif fmt == 'pdf':
        return to_pdf(doc)
    elif fmt == 'csv':
        return _document_csv(doc).encode('utf-8')
    raise ValueError(f'unknown format {fmt!r}, expected one of {FORMATS}')


def write(doc, fmt, path):
    "Write the document in fmt to path and return path"
    data = render(doc, fmt)
    with open(path, 'wb') as file:
        file.write(data)
    return path
