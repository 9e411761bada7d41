# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The printed notice of the parents' fee (квитанция), one page a family.

Pure: plain values in, the bytes of a PDF out, drawn with reportlab (the
statements' fonts, export/pdf.py).  Each child of the family has a row and
a payment QR code of ГОСТ Р 56042-2014 with its personal account number
(PersAcc) and the amount to pay (Sum, in kopecks), so that the payment
agent's registry names the child it pays for.  The payloads are also kept
in the PDF's subject (JSON), for checks and scripts.
"""
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from . import fee_rules
from .export.pdf import pdf_fonts

QR_SIZE = 38 * mm


@dataclass
class PayeeDetails:
    name: str
    inn: str
    kpp: str
    account: str
    bank_name: str
    bic: str
    correspondent_account: str
    purpose: str
    institution: str


@dataclass
class ChildRow:
    number: str
    name: str
    days: int
    daily_rate: Decimal
    benefit_percent: Decimal
    charged: Decimal
    debt_before: Decimal
    paid: Decimal
    to_pay: Decimal


@dataclass
class Notice:
    payer: str
    month: str  # MM.YYYY
    children: list = field(default_factory=list)  # of ChildRow


def payload(payee, notice, row):
    "The QR payload of one child's row of a notice"
    fields = [
        ('Name', payee.name),
        ('PersonalAcc', payee.account),
        ('BankName', payee.bank_name),
        ('BIC', payee.bic),
        ('CorrespAcc', payee.correspondent_account or '0'),
        ('PayeeINN', payee.inn),
        ('KPP', payee.kpp),
        ]
    if row.to_pay > 0:
        fields.append(('Sum', fee_rules.kopecks(row.to_pay)))
    fields += [
        ('Purpose', '%s за %s, л/с %s' % (
                payee.purpose, notice.month, row.number)),
        ('PersAcc', row.number),
        ]
    return fee_rules.qr_payload(fields)


def _money(value):
    return '{:,.2f}'.format(value).replace(',', ' ').replace('.', ',')


def notices_pdf(payee, notices):
    "The PDF of the notices, one page each"
    regular, bold = pdf_fonts()
    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle('Извещения об оплате')
    width, height = A4
    payloads = []
    for notice in notices:
        y = height - 20 * mm
        canvas.setFont(bold, 12)
        canvas.drawString(15 * mm, y,
            'Извещение об оплате за присмотр и уход: %s' % notice.month)
        y -= 8 * mm
        canvas.setFont(regular, 9)
        for text in [
                payee.institution,
                'Получатель: %s' % payee.name,
                'ИНН %s  КПП %s  Счёт %s' % (
                    payee.inn, payee.kpp, payee.account),
                'Банк: %s  БИК %s  Корр. счёт %s' % (
                    payee.bank_name, payee.bic,
                    payee.correspondent_account or '—'),
                'Плательщик: %s' % notice.payer,
                ]:
            canvas.drawString(15 * mm, y, text)
            y -= 5 * mm
        for row in notice.children:
            y -= 4 * mm
            top = y
            canvas.setFont(bold, 10)
            canvas.drawString(15 * mm, y,
                'Лицевой счёт %s: %s' % (row.number, row.name))
            canvas.setFont(regular, 9)
            for label, value in [
                    ('Дней посещения', str(row.days)),
                    ('Плата за день', _money(row.daily_rate)),
                    ('Льгота, %', _money(row.benefit_percent)),
                    ('Начислено за месяц', _money(row.charged)),
                    ('Долг на начало месяца', _money(row.debt_before)),
                    ('Оплачено в месяце', _money(row.paid)),
                    ('К оплате', _money(max(row.to_pay, Decimal(0)))),
                    ]:
                y -= 5 * mm
                canvas.drawString(20 * mm, y, label)
                canvas.drawRightString(120 * mm, y, value)
            text = payload(payee, notice, row)
            payloads.append(text)
            widget = QrCodeWidget(text, barLevel='M')
            x0, y0, x1, y1 = widget.getBounds()
            drawing = Drawing(QR_SIZE, QR_SIZE, transform=[
                    QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
            drawing.add(widget)
            renderPDF.draw(drawing, canvas, 150 * mm, top - QR_SIZE)
            y = min(y, top - QR_SIZE) - 4 * mm
            if y < 50 * mm and row is not notice.children[-1]:
                canvas.showPage()
                y = height - 20 * mm
        canvas.showPage()
    canvas.setSubject(json.dumps(payloads, ensure_ascii=False))
    canvas.save()
    return buffer.getvalue()
