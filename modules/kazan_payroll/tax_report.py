# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The quarterly figures accountants file: 6-НДФЛ and РСВ.

Both are computed per institution and reporting period (the first quarter,
the half-year, nine months, the year: cumulative from 1 January, as the
forms are) from the payslips of the posted runs, in SQL, and reconciled
with the ledger (the turnover of 303.01 and 303.15):

- 6-НДФЛ (KND 1151100): section 1 is the NDFL withheld in the last three
  months of the period, by the date it was withheld; section 2 sums, by
  rate of the progressive scale, the income whose tax was withheld in the
  period (the FNS's reading since 2023, unconfirmed), the deductions,
  the tax computed, withheld, not withheld and returned.  The date of
  withholding of each income comes from one SQL source
  (``TaxReport.ndfl_sources``): today the final settlement of a run
  (``run.final_move.date``), where the NDFL of the month is withheld.
- РСВ (KND 1151111): section 1 the totals since January and by month of
  the last quarter (payments, base within and above the cap,
  contributions), section 3 each insured person by month of the last
  quarter.  A payment's date is its accrual (НК ст. 424 п. 1): the month
  of the run.

The split between the rates and around the cap uses the law of the year
(``law_year``) and the cumulative figures the payslips keep (``ytd_*``),
so it is exact whatever lines the payslips have.
"""
import csv
import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sql import Column, Literal, Null, Union, Values
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Extract
from sql.operators import Or

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.kazan_accounting import export
from trytond.modules.kazan_accounting.model import InstitutionRowsMixin, tables
from trytond.modules.kazan_accounting.statement_report import (
    SafeFileNameReport, readable_companies)
from trytond.modules.kazan_accounting.trial_balance import OPENING_JOURNAL_TYPE
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from . import fns, rules
from .exceptions import TaxReportError
from .queries import _apply_types

ZERO = rules.ZERO
QUARTERS = [1, 2, 3, 4]
FORMS = ['ndfl6', 'rsv']
# The formats of the files: the export package's (a CSV holds one table
# only, these documents have several), and the FNS XML
FORMATS = ['xlsx', 'pdf', 'ods', 'xml']
# The code of the period in the FNS formats (Период): the first quarter,
# the half-year, nine months, the year (unconfirmed: fns/README.md)
PERIOD_CODES = {1: '21', 2: '31', 3: '33', 4: '34'}
# The NDFL withheld in a month is paid by the 28th for the 1st–22nd and by
# the 28th of the next month for the 23rd to its end (brief §6.1): the
# form's section 1 gives the last three months in these halves.
HALF_MONTH_LAST_DAY = 22
# The tax of the first band goes to KBK 182 1 01 02010 01 1000 110, the
# part above to 182 1 01 02080 01 1000 110 (brief §6.1); the brief names
# no KBK for the bands above 15 %.
BAND_KBK = {0: '18210102010011000110', 1: '18210102080011000110'}
# The payslip lines free of NDFL: the severance (НК ст. 217 п. 3; the
# payroll adds it after the tax, rules.after_tax_lines), no income of
# 6-НДФЛ nor of the income certificates
NDFL_EXEMPT_CODES = ('severance',)


# --- Periods and bands: plain values, no database ----------------------------

def period_bounds(year, quarter):
    """The reporting period of a quarter: (1 January, the first day of the
    quarter, its last day)"""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter {quarter} is not 1 to 4")
    first = dt.date(year, 3 * quarter - 2, 1)
    last = rules.month_bounds(dt.date(year, 3 * quarter, 1))[1]
    return dt.date(year, 1, 1), first, last


def quarter_months(year, quarter):
    "The three months of the quarter (their first days)"
    return [dt.date(year, 3 * quarter - 2 + i, 1) for i in range(3)]


def band_bounds(params):
    """The NDFL bands of the year as (rate, base from, base to, tax from,
    tax to): the tax at each threshold by the progressive scale, in whole
    rubles (312,000 at 2.4 million); the last band is open (None)"""
    bands = []
    thresholds = list(params.ndfl_bands)
    for i, (threshold, rate) in enumerate(thresholds):
        upper = thresholds[i + 1][0] if i + 1 < len(thresholds) else None
        tax_from = rules.round_rubles(
            rules.ndfl_progressive(threshold, params))
        tax_to = None if upper is None else rules.round_rubles(
            rules.ndfl_progressive(upper, params))
        bands.append((Decimal(rate), Decimal(threshold), upper, tax_from,
                tax_to))
    return bands


def overlap(low, high, band_from, band_to):
    "The length of [low, high] within [band_from, band_to) (open: None)"
    low = max(low, band_from)
    if band_to is not None:
        high = min(high, band_to)
    return max(ZERO, high - low)


def split_by_band(bands, base_before, base_after, tax_before, tax_after):
    """The part of a growth of the year's base and of its tax in each band:
    [(income, tax)] in the order of the bands (НК ст. 224 п. 1: each rate
    applies to the part of the base above its threshold)"""
    base_before, base_after = max(ZERO, base_before), max(ZERO, base_after)
    return [(overlap(base_before, base_after, b_from, b_to),
            overlap(tax_before, tax_after, t_from, t_to))
        for _, b_from, b_to, t_from, t_to in bands]


def half_month(date):
    "0 for the 1st–22nd of its month, 1 for the 23rd to its end"
    return 0 if date.day <= HALF_MONTH_LAST_DAY else 1


def split_name(name):
    "A person's full name as (last name, first name, patronymic)"
    parts = (name or '').split()
    return (parts[0] if parts else '', parts[1] if len(parts) > 1 else '',
        ' '.join(parts[2:]))


# --- The figures -------------------------------------------------------------

@dataclass
class RateFigures:
    "Section 2 of 6-НДФЛ for one rate"
    rate: Decimal
    kbk: str = ''
    persons: set = field(default_factory=set)
    income: Decimal = ZERO
    deductions: Decimal = ZERO
    computed: Decimal = ZERO
    withheld: Decimal = ZERO
    not_withheld: Decimal = ZERO
    returned: Decimal = ZERO

    @property
    def person_count(self):
        return len(self.persons)


@dataclass
class Withholding:
    "Section 1 of 6-НДФЛ: the tax withheld and returned on one date"
    date: dt.date
    withheld: Decimal = ZERO
    returned: Decimal = ZERO
    by_rate: dict = field(default_factory=dict)  # {rate: withheld}


@dataclass
class Ndfl6:
    "6-НДФЛ of one institution for one period"
    company: object
    year: int
    quarter: int
    rates: list = field(default_factory=list)  # [RateFigures]
    withholdings: list = field(default_factory=list)  # [Withholding]
    persons: set = field(default_factory=set)
    # the annual report's income certificates: [IncomeCertificate]
    certificates: list = field(default_factory=list)

    @property
    def months(self):
        return quarter_months(self.year, self.quarter)

    def total(self, name):
        return sum((getattr(r, name) for r in self.rates), ZERO)

    def halves(self, rate=None):
        """The NDFL withheld in the last three months by half-month
        (1–22, 23–end): six amounts, and the same for the returned; of one
        rate (the returned go with the first) or of all"""
        first_rate = min((r.rate for r in self.rates), default=None)
        withheld, returned = [ZERO] * 6, [ZERO] * 6
        for w in self.withholdings:
            i = 2 * self.months.index(w.date.replace(day=1)) \
                + half_month(w.date)
            if rate is None:
                withheld[i] += w.withheld
            else:
                withheld[i] += w.by_rate.get(rate, ZERO)
            if rate is None or rate == first_rate:
                returned[i] += w.returned
        return withheld, returned


@dataclass
class PersonMonth:
    "The figures of one insured person for one month"
    payments: Decimal = ZERO
    base: Decimal = ZERO
    base_within_cap: Decimal = ZERO
    contributions: Decimal = ZERO
    contributions_within_cap: Decimal = ZERO

    @property
    def not_subject(self):
        return self.payments - self.base

    @property
    def base_above_cap(self):
        return self.base - self.base_within_cap

    @property
    def contributions_above_cap(self):
        return self.contributions - self.contributions_within_cap

    def add(self, other):
        for name in ['payments', 'base', 'base_within_cap', 'contributions',
                'contributions_within_cap']:
            setattr(self, name, getattr(self, name) + getattr(other, name))


RSV_FIGURES = ['payments', 'not_subject', 'base', 'base_within_cap',
    'base_above_cap', 'contributions', 'contributions_within_cap',
    'contributions_above_cap']


@dataclass
class InsuredPerson:
    "Section 3 of РСВ: one insured person and their months"
    party: int
    name: str
    snils: str
    inn: str
    months: dict = field(default_factory=dict)  # {month: PersonMonth}


@dataclass
class Rsv:
    "РСВ of one institution for one period"
    company: object
    year: int
    quarter: int
    persons: list = field(default_factory=list)  # [InsuredPerson]
    by_month: dict = field(default_factory=dict)  # {month: PersonMonth}
    counts: dict = field(default_factory=dict)  # {month: persons paid}
    count_period: int = 0

    @property
    def months(self):
        return quarter_months(self.year, self.quarter)

    def since_january(self):
        total = PersonMonth()
        for figures in self.by_month.values():
            total.add(figures)
        return total

    def last_quarter(self):
        total = PersonMonth()
        for month in self.months:
            total.add(self.by_month.get(month, PersonMonth()))
        return total


@dataclass
class Reconciliation:
    """What the payslips of the posted runs accrued and what the ledger
    holds, by month: {month: (payslips, ledger credit, reversed)}"""
    account: str
    months: dict = field(default_factory=dict)

    def rows(self):
        for month in sorted(self.months):
            payslips, credit, reversed_ = self.months[month]
            ledger = credit - reversed_
            yield month, payslips, credit, reversed_, ledger, \
                payslips - ledger

    def total(self):
        payslips = credit = reversed_ = ZERO
        for p, c, r in self.months.values():
            payslips, credit, reversed_ = (
                payslips + p, credit + c, reversed_ + r)
        ledger = credit - reversed_
        return payslips, credit, reversed_, ledger, payslips - ledger


class TaxReport:
    """The computation of both forms for one institution and quarter,
    in the transaction of the caller (the record rules of the caller's
    user apply where it checks access)"""

    # The documents whose reversing moves (Tryton's cancel: the debit and
    # credit swapped) take an accrual back off 303.01 and 303.15; a
    # payment of the tax is no reversal.
    ACCRUAL_ORIGINS = ['kazan.payroll.run', 'kazan.payroll.vacation_pay']

    def __init__(self, company, year, quarter):
        self.company = company
        self.year = year
        self.quarter = quarter
        self.since, self.first, self.last = period_bounds(year, quarter)

    # --- 6-НДФЛ ---

    @classmethod
    def _settled_payslips(cls):
        """The payslips whose NDFL was withheld at the final settlement of
        their run (or on the day of dismissal): ((payslip, run, employee),
        the joined tables, the date of withholding, the condition).  One
        place for ndfl_sources and the lines of the income certificates."""
        payslip, run, move, employee = tables(
            'kazan.payroll.payslip', 'kazan.payroll.run', 'account.move',
            'company.employee')
        joined = (payslip
            .join(run, condition=payslip.run == run.id)
            .join(move, 'LEFT', condition=run.final_move == move.id)
            .join(employee, condition=payslip.employee == employee.id))
        # the day of dismissal (ТК ст. 140), else the final pay day
        date = Coalesce(payslip.final_date, move.date)
        where = (run.state == 'posted') & (
            (move.state == 'posted') | (payslip.final_date != Null))
        return (payslip, run, employee), joined, date, where

    @classmethod
    def _vacation_payments(cls):
        """The vacation pay paid before the leave by its document, with the
        payslip of its payment month: ((payslip, run, employee, vacation),
        the joined tables, the condition)"""
        payslip, run, employee, vacation = tables(
            'kazan.payroll.payslip', 'kazan.payroll.run', 'company.employee',
            'kazan.payroll.vacation_pay')
        joined = (payslip
            .join(run, condition=payslip.run == run.id)
            .join(vacation, condition=(vacation.employee == payslip.employee)
                & (vacation.payment_month == run.month))
            .join(employee, condition=payslip.employee == employee.id))
        where = (run.state == 'posted') & (vacation.state == 'posted')
        return (payslip, run, employee, vacation), joined, where

    @classmethod
    def ndfl_sources(cls):
        """The SQL queries of the NDFL withheld, one row per income paid:
        company, party, date (of withholding), income_year, income,
        deductions, base_before, base_after (the year's taxable base before
        and after the income), tax_before, computed, withheld, returned.

        The NDFL of a posted run is withheld at its final settlement (the
        date of its move), but for the vacation pay paid before the leave
        by its document, whose tax was withheld at that payment (НК ст.
        223 п. 1 пп. 1): a row of its own on the payment date.  The income
        free of NDFL (NDFL_EXEMPT_CODES: the severance) is no income of
        the form."""
        Line = Pool().get('kazan.payroll.payslip.line')
        line, line2, line3 = (Line.__table__() for _ in range(3))
        (payslip, run, employee), joined, date, where = (
            cls._settled_payslips())
        paid = line.select(line.payslip, Sum(line.amount).as_('income'),
            where=line.code == rules.VACATION_PAID_CODE,
            group_by=[line.payslip])
        paid_tax = line2.select(line2.payslip, Sum(line2.amount).as_('ndfl'),
            where=line2.code == rules.NDFL_VACATION_CODE,
            group_by=[line2.payslip])
        exempt = line3.select(line3.payslip,
            Sum(line3.amount).as_('income'),
            where=line3.code.in_(NDFL_EXEMPT_CODES),
            group_by=[line3.payslip])
        paid_income = Coalesce(paid.income, 0)
        paid_ndfl = Coalesce(paid_tax.ndfl, 0)
        base_after = (Coalesce(payslip.ytd_income, 0)
            - Coalesce(payslip.ytd_deductions, 0))
        taxable = Coalesce(payslip.gross, 0) - Coalesce(exempt.income, 0)
        income = taxable - paid_income
        deductions = Coalesce(payslip.standard_deduction, 0)
        ndfl = Coalesce(payslip.ndfl, 0)
        month_before = base_after - taxable + deductions
        final = (joined
            .join(paid, 'LEFT', condition=paid.payslip == payslip.id)
            .join(paid_tax, 'LEFT', condition=paid_tax.payslip == payslip.id)
            .join(exempt, 'LEFT', condition=exempt.payslip == payslip.id)
            .select(
                payslip.company.as_('company'),
                employee.party.as_('party'),
                date.as_('date'),
                Extract('YEAR', run.month).as_('income_year'),
                income.as_('income'),
                deductions.as_('deductions'),
                (month_before + paid_income).as_('base_before'),
                base_after.as_('base_after'),
                (Coalesce(payslip.ytd_ndfl, 0) - ndfl + paid_ndfl).as_(
                    'tax_before'),
                (ndfl - paid_ndfl).as_('computed'),
                (ndfl - paid_ndfl).as_('withheld'),
                Literal(0).as_('returned'),
                where=where))
        (payslip, run, employee, vacation), joined, where = (
            cls._vacation_payments())
        line4 = Line.__table__()
        exempt = line4.select(line4.payslip,
            Sum(line4.amount).as_('income'),
            where=line4.code.in_(NDFL_EXEMPT_CODES),
            group_by=[line4.payslip])
        ndfl = Coalesce(payslip.ndfl, 0)
        # the year's base before the payslip's month
        month_before = (Coalesce(payslip.ytd_income, 0)
            - Coalesce(payslip.ytd_deductions, 0)
            - Coalesce(payslip.gross, 0) + Coalesce(exempt.income, 0)
            + Coalesce(payslip.standard_deduction, 0))
        joined = joined.join(exempt, 'LEFT',
            condition=exempt.payslip == payslip.id)
        before_payment = joined.select(
            payslip.company.as_('company'),
            employee.party.as_('party'),
            vacation.payment_date.as_('date'),
            Extract('YEAR', run.month).as_('income_year'),
            vacation.amount.as_('income'),
            Literal(0).as_('deductions'),
            month_before.as_('base_before'),
            (month_before + vacation.amount).as_('base_after'),
            (Coalesce(payslip.ytd_ndfl, 0) - ndfl).as_('tax_before'),
            vacation.ndfl.as_('computed'),
            vacation.ndfl.as_('withheld'),
            Literal(0).as_('returned'),
            where=where)
        return [final, before_payment]

    def _ndfl_rows(self):
        """The incomes paid in the period by person, date and year of the
        income, summed in SQL, with the year's base and tax before the
        first and after the last"""
        queries = self.ndfl_sources()
        source = queries[0] if len(queries) == 1 else Union(
            *queries, all_=True)
        query = source.select(
            source.party, source.date, source.income_year,
            Sum(source.income), Sum(source.deductions),
            Min(source.base_before), Max(source.base_after),
            Min(source.tax_before), Max(source.tax_before + source.computed),
            Sum(source.computed), Sum(source.withheld), Sum(source.returned),
            where=(source.company == self.company.id)
            & (source.date >= self.since) & (source.date <= self.last),
            group_by=[source.party, source.date, source.income_year],
            order_by=[source.date, source.party])
        _apply_types(query, [None, 'DATE', None] + ['NUMERIC'] * 9)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        for party, date, year, *amounts in cursor:
            yield (party, date, int(year),
                *(Decimal(str(a or 0)) for a in amounts))

    def _ndfl_parts(self):
        """The incomes of _ndfl_rows split by band of the progressive
        scale (IncomeParts): the one split of section 2 and of the income
        certificates"""
        LawYear = Pool().get('kazan.payroll.law_year')
        bands = {}
        for (party, date, year, income, deductions, base_before, base_after,
                tax_before, tax_after, computed, withheld,
                returned) in self._ndfl_rows():
            if year not in bands:
                bands[year] = band_bounds(LawYear.parameters(year))
            parts = split_by_band(bands[year], base_before, base_after,
                tax_before, tax_after)
            # the first band takes the deductions and the rest of the
            # income and tax (a late deduction may leave the base before
            # negative); the top band keeps what could not be withheld
            incomes = [income - sum((p[0] for p in parts[1:]), ZERO)] + [
                p[0] for p in parts[1:]]
            taxes = [computed - sum((p[1] for p in parts[1:]), ZERO)] + [
                p[1] for p in parts[1:]]
            top = max((i for i, (inc, tax) in enumerate(zip(incomes, taxes))
                    if inc or tax), default=0)
            withheld_parts = list(taxes)
            withheld_parts[top] -= computed - withheld
            yield IncomeParts(party, date, year, bands[year], incomes, taxes,
                withheld_parts, top, computed - withheld, deductions,
                returned)

    def ndfl6(self):
        "The figures of 6-НДФЛ"
        report = Ndfl6(self.company, self.year, self.quarter)
        rates = {}
        dates = {}
        for part in self._ndfl_parts():
            party, date = part.party, part.date
            report.persons.add(party)
            if date >= self.first:
                entry = dates.setdefault(date, Withholding(date))
                entry.withheld += sum(part.withheld, ZERO)
                entry.returned += part.returned
            for i, rate in part.rates():
                figures = rates.setdefault(
                    rate, RateFigures(rate, BAND_KBK.get(i, '')))
                figures.persons.add(party)
                figures.income += part.incomes[i]
                figures.computed += part.taxes[i]
                figures.withheld += part.withheld[i]
                if i == part.top:
                    figures.not_withheld += part.not_withheld
                if i == 0:
                    figures.deductions += part.deductions
                    figures.returned += part.returned
                if date >= self.first:
                    entry.by_rate[rate] = (entry.by_rate.get(rate, ZERO)
                        + part.withheld[i])
        report.rates = [rates[r] for r in sorted(rates)]
        report.withholdings = [dates[d] for d in sorted(dates)]
        return report

    # --- The income certificates (приложение № 1 to the annual 6-НДФЛ) ---

    def _certificate_lines(self):
        """The payslip lines of the incomes of ndfl_sources in the period:
        (party, date, year, kind, code, amount, basis): the earnings less
        the vacation pay paid before the leave and the income free of NDFL,
        the tax deductions, and the vacation pay of the documents (code
        vacation_paid, on their payment date)"""
        Line = Pool().get('kazan.payroll.payslip.line')
        line = Line.__table__()
        (payslip, run, employee), joined, date, where = (
            self._settled_payslips())
        excluded = (rules.VACATION_PAID_CODE,) + NDFL_EXEMPT_CODES
        source = joined.join(line, condition=line.payslip == payslip.id
            ).select(
                payslip.company.as_('company'), employee.party.as_('party'),
                date.as_('date'),
                Extract('YEAR', run.month).as_('income_year'),
                line.kind.as_('kind'), line.code.as_('code'),
                line.amount.as_('amount'), line.basis.as_('basis'),
                where=where & (((line.kind == rules.EARNING)
                        & ~line.code.in_(excluded))
                    | (line.kind == rules.TAX_DEDUCTION)))
        (payslip, run, employee, vacation), joined, where = (
            self._vacation_payments())
        paid = joined.select(
            payslip.company.as_('company'), employee.party.as_('party'),
            vacation.payment_date.as_('date'),
            Extract('YEAR', run.month).as_('income_year'),
            vacation.amount.as_('amount'), vacation.basis.as_('basis'),
            where=where)
        cursor = Transaction().connection.cursor()

        def in_period(query):
            return ((query.company == self.company.id)
                & (query.date >= self.since) & (query.date <= self.last))
        query = source.select(source.party, source.date, source.income_year,
            source.kind, source.code, source.amount, source.basis,
            where=in_period(source))
        _apply_types(query, [None, 'DATE', None, None, None, 'NUMERIC',
                None])
        cursor.execute(*query)
        for party, date, year, kind, code, amount, basis in cursor:
            yield (party, date, int(year), kind, code,
                Decimal(str(amount or 0)), basis)
        query = paid.select(paid.party, paid.date, paid.income_year,
            paid.amount, paid.basis, where=in_period(paid))
        _apply_types(query, [None, 'DATE', None, 'NUMERIC', None])
        cursor.execute(*query)
        for party, date, year, amount, basis in cursor:
            yield (party, date, int(year), rules.EARNING,
                rules.VACATION_PAID_CODE, Decimal(str(amount or 0)), basis)

    def _persons(self):
        """{party: (name, INN, SNILS, birth date, guardian)} of the
        institution's employees"""
        employee, party = tables('company.employee', 'party.party')
        query = employee.join(party, condition=employee.party == party.id
            ).select(employee.party, Max(party.name),
                Max(employee.personal_inn), Max(employee.snils),
                Max(employee.birth_date),
                Max(Case((employee.guardian == Literal(True), 1),
                        else_=0)),
                where=employee.company == self.company.id,
                group_by=[employee.party])
        _apply_types(query, [None, None, None, None, 'DATE', None])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return {p: (name, inn or '', snils or '', born, bool(guardian))
            for p, name, inn, snils, born, guardian in cursor}

    def income_certificates(self):
        """The income certificates of the persons paid in the period (for
        the annual form: the year), one per person: by rate the income by
        month and FNS code, the deductions by code, the tax base, the tax
        computed, withheld, over-withheld and not withheld.

        The incomes and their split between the rates are those of section
        2 (_ndfl_parts: the same rows, the same split), so the certificates
        add up to it rate by rate.  A month is the month of the date of
        withholding (the FNS's reading since 2023, unconfirmed).  Each
        income is split by code from its payslip lines (the codes are data,
        fns/income_codes.csv); in a month crossing a threshold each rate
        takes its part of every code in proportion.  What the lines do not
        give back stays without a code and is named to check."""
        LawYear = Pool().get('kazan.payroll.law_year')
        codes = read_income_codes()
        persons = self._persons()
        earnings = defaultdict(lambda: defaultdict(lambda: ZERO))
        deductions = defaultdict(list)
        for (party, date, year, kind, code, amount,
                basis) in self._certificate_lines():
            if kind == rules.EARNING:
                earnings[party, date, year][code] += amount
            else:
                deductions[party, date, year].append(
                    (amount, json.loads(basis or '{}')))
        certificates = {}
        for part in self._ndfl_parts():
            key = (part.party, part.date, part.year)
            name, inn, snils, born, guardian = persons.get(
                part.party, ('', '', '', None, False))
            cert = certificates.get(part.party)
            if cert is None:
                cert = certificates[part.party] = IncomeCertificate(
                    part.party, name, inn, snils, born)
            params = LawYear.parameters(part.year)
            by_code = self._fns_amounts(cert, codes, rules.EARNING,
                earnings.get(key, {}), part.income)
            granted = defaultdict(lambda: ZERO)
            for amount, basis in deductions.get(key, []):
                for kind, value in child_deduction_parts(
                        amount, basis, params, guardian).items():
                    granted[kind] += value
            deducted = self._fns_amounts(cert, codes, rules.TAX_DEDUCTION,
                granted, part.deductions)
            rated = [(i, rate) for i, rate in part.rates()]
            shares = split_codes(by_code,
                [part.incomes[i] for i, _ in rated])
            month = part.date.replace(day=1)
            for (i, rate), share in zip(rated, shares):
                figures = cert.rate(rate, BAND_KBK.get(i, ''))
                figures.computed += part.taxes[i]
                figures.withheld += part.withheld[i]
                if i == part.top:
                    figures.not_withheld += part.not_withheld
                for code, amount in share.items():
                    figures.add_income(month, code, amount)
                if i == 0:
                    figures.returned += part.returned
                    for code, amount in deducted.items():
                        figures.add_deduction(month, code, amount)
        return sorted(certificates.values(),
            key=lambda c: (c.name or '', c.snils, c.party))

    @staticmethod
    def _fns_amounts(cert, codes, kind, amounts, total):
        """{FNS code: amount} of the amounts by payslip line code (or kind
        of deduction), the codes of the map; what they leave of total
        without a code; the codes the map does not confirm noted on the
        certificate"""
        result = defaultdict(lambda: ZERO)
        for line_code, amount in amounts.items():
            if not amount:
                continue
            fns_code, confirmed = codes.get((kind, line_code), ('', False))
            if not (fns_code and confirmed):
                cert.unconfirmed.add(fns_code or line_code)
            result[fns_code] += amount
        rest = total - sum(result.values(), ZERO)
        if rest:
            result[''] += rest
            cert.unconfirmed.add(UNSPLIT)
        return {c: a for c, a in result.items() if a}

    # --- РСВ ---

    def _rsv_rows(self):
        """The payslips of the posted runs of the period by person and
        month, summed in SQL, with the year's base after the month"""
        payslip, run, employee, party = tables(
            'kazan.payroll.payslip', 'kazan.payroll.run', 'company.employee',
            'party.party')
        query = (payslip
            .join(run, condition=payslip.run == run.id)
            .join(employee, condition=payslip.employee == employee.id)
            .join(party, condition=employee.party == party.id)
            .select(
                employee.party, run.month,
                Sum(Coalesce(payslip.gross, 0)),
                Sum(Coalesce(payslip.contribution_base, 0)),
                Sum(Coalesce(payslip.contributions, 0)),
                Max(Coalesce(payslip.ytd_contribution_base, 0)),
                Max(party.name), Max(employee.snils),
                Max(employee.personal_inn),
                where=(payslip.company == self.company.id)
                & (run.state == 'posted')
                & (run.month >= self.since) & (run.month <= self.last),
                group_by=[employee.party, run.month],
                order_by=[employee.party, run.month]))
        _apply_types(query, [None, 'DATE'] + ['NUMERIC'] * 4
            + [None] * 3)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        for party_id, month, *rest in cursor:
            amounts = [Decimal(str(a or 0)) for a in rest[:4]]
            yield (party_id, month, *amounts, *rest[4:])

    def rsv(self):
        "The figures of РСВ"
        LawYear = Pool().get('kazan.payroll.law_year')
        params = LawYear.parameters(self.year)
        cap = params.contribution_cap
        report = Rsv(self.company, self.year, self.quarter)
        persons = {}
        paid = defaultdict(set)
        for (party_id, month, payments, base, contributions, ytd_base, name,
                snils, inn) in self._rsv_rows():
            before = ytd_base - base
            split = rules.contributions(before, base, params)
            figures = PersonMonth(payments=payments, base=base,
                base_within_cap=max(ZERO, min(ytd_base, cap)
                    - min(before, cap)),
                contributions=contributions,
                # the payslip's own contributions, within the cap first
                contributions_within_cap=min(contributions,
                    split.within_cap))
            report.by_month.setdefault(month, PersonMonth()).add(figures)
            if payments:
                paid[month].add(party_id)
            if month >= self.first:
                person = persons.setdefault(party_id, InsuredPerson(
                        party_id, name, snils or '', inn or ''))
                person.months[month] = figures
        report.persons = sorted(persons.values(),
            key=lambda p: (p.name or '', p.snils))
        report.counts = {m: len(p) for m, p in paid.items()}
        report.count_period = len(set().union(*paid.values()))
        return report

    # --- Reconciliation with the ledger ---

    def _payslip_totals(self, column):
        payslip, run = tables('kazan.payroll.payslip', 'kazan.payroll.run')
        query = payslip.join(run, condition=payslip.run == run.id).select(
            run.month, Sum(Coalesce(getattr(payslip, column), 0)),
            where=(payslip.company == self.company.id)
            & (run.state == 'posted')
            & (run.month >= self.since) & (run.month <= self.last),
            group_by=[run.month])
        _apply_types(query, ['DATE', 'NUMERIC'])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return {m: Decimal(str(a or 0)) for m, a in cursor}

    def _ledger_totals(self, code):
        """{month: [credit, reversed]}: the credit turnover of the account
        by month, and the debits of the reversing moves of accruals (their
        origin a payroll document)"""
        line, move, account, journal = tables(
            'account.move.line', 'account.move', 'account.account',
            'account.journal')
        reversal = Or([move.origin.like(f'{model},%')
                for model in self.ACCRUAL_ORIGINS])
        zero = Literal(0)
        query = line.join(move, condition=line.move == move.id).join(
            account, condition=line.account == account.id).join(
            journal, condition=move.journal == journal.id).select(
            move.date,
            Sum(Coalesce(line.credit, zero)),
            Sum(Case((reversal, Coalesce(line.debit, zero)), else_=zero)),
            where=(move.company == self.company.id)
            & (move.state == 'posted') & (account.code == code)
            & (move.date >= self.since) & (move.date <= self.last)
            # the balance carried over at onboarding is no turnover
            & (journal.type != OPENING_JOURNAL_TYPE),
            group_by=[move.date])
        _apply_types(query, ['DATE', 'NUMERIC', 'NUMERIC'])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        result = defaultdict(lambda: [ZERO, ZERO])
        for date, credit, reversed_ in cursor:
            totals = result[date.replace(day=1)]
            totals[0] += Decimal(str(credit or 0))
            totals[1] += Decimal(str(reversed_ or 0))
        return result

    def reconciliation(self):
        """{'ndfl': Reconciliation, 'contributions': Reconciliation}: the
        payslips' figure of each month and the ledger's, on the credit
        account of the posting rules (303.01, 303.15)"""
        PostingRule = Pool().get('kazan.payroll.posting_rule')
        by_operation = PostingRule.rules()
        result = {}
        for operation in ['ndfl', 'contributions']:
            code = by_operation[operation].credit_account
            payslips = self._payslip_totals(operation)
            ledger = self._ledger_totals(code)
            months = {}
            for month in set(payslips) | set(ledger):
                credit, debit = ledger.get(month, (ZERO, ZERO))
                months[month] = (payslips.get(month, ZERO), credit, debit)
            result[operation] = Reconciliation(code, months)
        return result


# --- The annual income certificates ------------------------------------------

# The deductions and incomes the payslip lines do not give back by code
UNSPLIT = 'unsplit'


def read_income_codes():
    """The FNS codes of income by payslip line code and of deduction by
    kind of child deduction (fns/income_codes.csv): {(kind, code):
    (fns code, confirmed)}"""
    with open(fns.FNS_DIR / 'income_codes.csv', encoding='utf-8',
            newline='') as file:
        return {(r['kind'], r['line_code']): (r['fns_code'],
                r['confirmed'] == 'yes')
            for r in csv.DictReader(file, delimiter=';')}


COUNTED = re.compile(r'№(\d+)[^:;]*:\s*(-?\d+(?:\.\d+)?)')


def child_deduction_parts(amount, basis, params, guardian=False):
    """A month's standard deduction by kind of child, as the rule granted
    it (rules.child_deductions) from the basis of its line: the amount of
    each child by place (its 'counted'), the factor 2 of the only parent.

    The kinds are first_child, second_child, further_child and
    disabled_child (the disabled child's addition), with _guardian for a
    guardian, trustee or foster parent (the guardian's addition for a
    disabled child tells it, else the employee's record) and _double for
    the only parent: the keys of fns/income_codes.csv.  The whole amount
    as 'unsplit' when the basis does not give it back (a correction of an
    earlier month, a basis of another shape)."""
    try:
        factor = int(basis.get('factor') or 1)
        counted = [(int(place), Decimal(value)) for place, value
            in COUNTED.findall(str(basis.get('counted') or ''))]
    except (TypeError, ValueError, ArithmeticError):
        counted = []
    by_place = [params.child_deduction_first, params.child_deduction_second]
    parts = defaultdict(lambda: ZERO)
    suffix = '_double' if factor == 2 else ''
    for place, value in counted:
        if not value:
            continue
        kind = ['first_child', 'second_child'][place - 1] if place <= 2 \
            else 'further_child'
        base = by_place[place - 1] if place <= 2 \
            else params.child_deduction_third
        extra = value / factor - base
        as_guardian = guardian
        if extra == params.child_deduction_disabled_guardian and extra:
            as_guardian = True
        elif extra and extra != params.child_deduction_disabled:
            return {UNSPLIT: amount} if amount else {}
        who = '_guardian' if as_guardian else ''
        parts[kind + who + suffix] += base * factor
        if extra:
            parts['disabled_child' + who + suffix] += extra * factor
    if sum(parts.values(), ZERO) != amount:
        return {UNSPLIT: amount} if amount else {}
    return {k: v for k, v in parts.items() if v}


def split_codes(by_code, incomes):
    """The amounts by code of one income split between its rates, each
    rate's part of the income in proportion to the codes (in kopecks, the
    last rate the rest): [{code: amount}] in the order of incomes"""
    if len(incomes) == 1:
        return [dict(by_code)]
    shares, given = [], defaultdict(lambda: ZERO)
    for income in incomes[:-1]:
        share = rules.largest_remainder(income, by_code)
        for code, amount in share.items():
            given[code] += amount
        shares.append(share)
    shares.append({c: a - given[c] for c, a in by_code.items()})
    return [{c: a for c, a in s.items() if a} for s in shares]


@dataclass
class IncomeParts:
    "One income of _ndfl_rows split by band of the progressive scale"
    party: int
    date: dt.date
    year: int
    bands: list
    incomes: list  # by band
    taxes: list  # computed, by band
    withheld: list  # by band
    top: int  # the band that keeps the tax not withheld
    not_withheld: Decimal
    deductions: Decimal  # all in the first band
    returned: Decimal

    @property
    def income(self):
        return sum(self.incomes, ZERO)

    def rates(self):
        "(index, rate) of the bands the income reaches (the first always)"
        for i, band in enumerate(self.bands):
            if i == 0 or self.incomes[i] or self.taxes[i]:
                yield i, band[0]


@dataclass
class CertificateRate:
    "The income and tax of a person at one rate (СведДох)"
    rate: Decimal
    kbk: str = ''
    income: dict = field(default_factory=dict)  # {(month, code): amount}
    deductions: dict = field(default_factory=dict)  # {(month, code): amt}
    computed: Decimal = ZERO
    withheld: Decimal = ZERO
    not_withheld: Decimal = ZERO
    returned: Decimal = ZERO

    def add_income(self, month, code, amount):
        key = (month, code)
        self.income[key] = self.income.get(key, ZERO) + amount

    def add_deduction(self, month, code, amount):
        key = (month, code)
        self.deductions[key] = self.deductions.get(key, ZERO) + amount

    @property
    def total_income(self):
        return sum(self.income.values(), ZERO)

    @property
    def total_deductions(self):
        return sum(self.deductions.values(), ZERO)

    @property
    def base(self):
        "The tax base: the income less the deductions"
        return self.total_income - self.total_deductions

    @property
    def over_withheld(self):
        "The tax withheld above the tax computed"
        return max(ZERO, self.withheld - self.computed)

    def deductions_by_code(self):
        "{code: amount} of the year"
        result = defaultdict(lambda: ZERO)
        for (_, code), amount in self.deductions.items():
            result[code] += amount
        return dict(result)


@dataclass
class IncomeCertificate:
    """The income and tax of one person for the year (приложение № 1 to
    the annual 6-НДФЛ): the person and the figures by rate"""
    party: int
    name: str = ''
    inn: str = ''
    snils: str = ''
    birth_date: dt.date = None
    rates: dict = field(default_factory=dict)  # {rate: CertificateRate}
    unconfirmed: set = field(default_factory=set)  # codes to check

    def rate(self, rate, kbk=''):
        if rate not in self.rates:
            self.rates[rate] = CertificateRate(rate, kbk)
        return self.rates[rate]

    def by_rate(self):
        return [self.rates[r] for r in sorted(self.rates)]

    def total(self, name):
        return sum((getattr(r, name) for r in self.rates.values()), ZERO)

    @property
    def total_income(self):
        return self.total('total_income')

    @property
    def total_deductions(self):
        return self.total('total_deductions')


def income_certificates(company, year):
    "The income certificates of the institution's persons for the year"
    return TaxReport(company, year, 4).income_certificates()


def certificates_table(certificates):
    """The income certificates as a table of the export package: each
    person, then by rate the totals, the income by month and code, the
    deductions by month and code; at the end the totals by rate, which
    are section 2's"""
    rows = []
    totals = {}
    for number, cert in enumerate(certificates, 1):
        rows.append({'number': number, 'name': cert.name,
                'inn': cert.inn, 'bold': True,
                'born': (cert.birth_date.strftime('%d.%m.%Y')
                    if cert.birth_date else ''),
                'check': ', '.join(sorted(c for c in cert.unconfirmed if c))})
        for figures in cert.by_rate():
            total = totals.setdefault(figures.rate, defaultdict(lambda: ZERO))
            values = {n: getattr(figures, n) for n in CERTIFICATE_FIGURES}
            for name, value in values.items():
                total[name] += value
            rows.append({'name': f"Ставка {figures.rate:f} %",
                    'level': 1, 'code': figures.kbk, **values})
            for (month, code), amount in sorted(figures.income.items()):
                rows.append({'name': _month_name(month), 'level': 2,
                        'code': code, 'total_income': amount})
            for (month, code), amount in sorted(figures.deductions.items()):
                rows.append({'name': _month_name(month), 'level': 2,
                        'code': code, 'total_deductions': amount})
    for rate in sorted(totals):
        rows.append({'name': f"Итого по справкам, ставка {rate:f} %",
                'bold': True, **totals[rate]})
    return export.Table("Приложение № 1. Справки о доходах и суммах налога "
        "физических лиц", [
            export.Column('number', "№ справки", 'code', 7),
            export.Column('name', "Физическое лицо, ставка, месяц", 'text',
                30),
            export.Column('inn', "ИНН", 'code', 13),
            export.Column('born', "Дата рождения", 'code', 11),
            export.Column('code', "КБК, код дохода / вычета", 'code', 22),
            export.Column('total_income', "Доход", 'amount'),
            export.Column('total_deductions', "Вычеты", 'amount'),
            export.Column('base', "Налоговая база", 'amount'),
            export.Column('computed', "Налог исчислен", 'amount'),
            export.Column('withheld', "Налог удержан", 'amount'),
            export.Column('over_withheld', "Удержан излишне", 'amount'),
            export.Column('not_withheld', "Не удержан", 'amount'),
            export.Column('check', "Коды проверить", 'code', 14),
            ], rows, sheet="Справки о доходах")


CERTIFICATE_FIGURES = ['total_income', 'total_deductions', 'base', 'computed',
    'withheld', 'over_withheld', 'not_withheld']


# --- The documents -----------------------------------------------------------

FORM_TITLES = {
    'ndfl6': ("Расчет сумм налога на доходы физических лиц, исчисленных и "
        "удержанных налоговым агентом (6-НДФЛ)", "КНД 1151100"),
    'rsv': ("Расчет по страховым взносам", "КНД 1151111"),
    }
PERIOD_NAMES = {1: "I квартал", 2: "полугодие", 3: "9 месяцев", 4: "год"}
MONTH_NAMES = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь',
    'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь']


def _month_name(month):
    return f'{MONTH_NAMES[month.month - 1]} {month.year}'


def header(company, year, quarter):
    return [("Налоговый агент", company.rec_name),
        ("ИНН / КПП", f'{company.inn or ""} / {company.kpp or ""}'),
        ("ОКТМО", company.oktmo or ''),
        ("Отчетный период", f'{PERIOD_NAMES[quarter]} {year} г. '
            f'(код {PERIOD_CODES[quarter]})'),
        ("Единица измерения", "руб.")]


def _reconciliation_table(title, reconciliation):
    columns = [
        export.Column('month', "Месяц", 'text', 16),
        export.Column('payslips', "По расчетным листкам", 'amount'),
        export.Column('credit', f"Кредит {reconciliation.account}",
            'amount'),
        export.Column('reversed', "Сторно (дебет)", 'amount'),
        export.Column('ledger', "По учету", 'amount'),
        export.Column('difference', "Расхождение", 'amount'),
        ]
    names = ['payslips', 'credit', 'reversed', 'ledger', 'difference']
    rows = [{'month': _month_name(m), **dict(zip(names, values))}
        for m, *values in reconciliation.rows()]
    rows.append({'month': "Итого", 'bold': True,
            **dict(zip(names, reconciliation.total()))})
    return export.Table(title, columns, rows, sheet="Сверка")


def ndfl6_document(report, reconciliation):
    "6-НДФЛ as a document of the export package"
    withheld, returned = report.halves()
    half_rows = []
    for i, month in enumerate(report.months):
        for half, label in enumerate(["1–22", "23–конец"]):
            line = 21 + 2 * i + half
            half_rows.append({'line': f'0{line}',
                    'name': f"{_month_name(month)}, {label} число",
                    'withheld': withheld[2 * i + half],
                    'returned': returned[2 * i + half]})
    half_rows.append({'line': '020 / 030', 'name': "Итого за три месяца",
            'bold': True, 'withheld': sum(withheld, ZERO),
            'returned': sum(returned, ZERO)})
    section1 = export.Table("Раздел 1. Сумма налога, удержанная и "
        "возвращенная за последние три месяца", [
            export.Column('line', "Строка", 'code', 10),
            export.Column('name', "Период", 'text', 30),
            export.Column('withheld', "Удержано", 'amount'),
            export.Column('returned', "Возвращено", 'amount'),
            ], half_rows, sheet="Раздел 1")
    rates = sorted(report.rates, key=lambda r: r.rate)
    by_date = export.Table("Раздел 1. Удержано по датам", [
            export.Column('date', "Дата удержания", 'code', 12),
            *(export.Column(f'rate_{r.rate}', f"по ставке {r.rate:f} %",
                    'amount') for r in rates),
            export.Column('withheld', "Удержано", 'amount'),
            export.Column('returned', "Возвращено", 'amount'),
            ], [{'date': w.date.strftime('%d.%m.%Y'),
                'withheld': w.withheld, 'returned': w.returned,
                **{f'rate_{r}': a for r, a in w.by_rate.items()}}
            for w in report.withholdings], sheet="По датам")
    section2_rows = []
    for figures in rates:
        section2_rows.append({'rate': f'{figures.rate:f} %',
                'kbk': figures.kbk, 'persons': figures.person_count,
                'income': figures.income, 'deductions': figures.deductions,
                'computed': figures.computed, 'withheld': figures.withheld,
                'not_withheld': figures.not_withheld,
                'returned': figures.returned})
    section2_rows.append({'rate': "Итого", 'bold': True,
            'persons': len(report.persons),
            **{n: report.total(n) for n in ['income', 'deductions',
                    'computed', 'withheld', 'not_withheld', 'returned']}})
    section2 = export.Table("Раздел 2. Обобщенные показатели нарастающим "
        "итогом с начала года", [
            export.Column('rate', "Ставка", 'code', 8),
            export.Column('kbk', "КБК", 'code', 22),
            export.Column('persons', "Физических лиц (120)", 'code', 10),
            export.Column('income', "Сумма дохода (110)", 'amount'),
            export.Column('deductions', "Вычеты (130)", 'amount'),
            export.Column('computed', "Исчислено (140)", 'amount'),
            export.Column('withheld', "Удержано (160)", 'amount'),
            export.Column('not_withheld', "Не удержано (170)", 'amount'),
            export.Column('returned', "Возвращено (190)", 'amount'),
            ], section2_rows, sheet="Раздел 2")
    tables = [section1, by_date, section2,
        _reconciliation_table("Сверка с учетом: НДФЛ", reconciliation)]
    if report.quarter == 4:
        # the annual report carries the income certificates
        tables.append(certificates_table(report.certificates))
    title, knd = FORM_TITLES['ndfl6']
    return export.Document(title, knd,
        header(report.company, report.year, report.quarter), tables)


def rsv_document(report, reconciliation):
    "РСВ as a document of the export package"
    labels = {
        'payments': "Сумма выплат",
        'not_subject': "Не подлежит обложению",
        'base': "База для исчисления взносов",
        'base_within_cap': "База в пределах предельной величины",
        'base_above_cap': "База сверх предельной величины",
        'contributions': "Исчислено взносов",
        'contributions_within_cap': "Взносы с базы в пределах",
        'contributions_above_cap': "Взносы с базы сверх",
        }
    total = report.since_january()
    quarter = report.last_quarter()
    months = [report.by_month.get(m, PersonMonth()) for m in report.months]
    columns = [export.Column('name', "Показатель", 'text', 36),
        export.Column('period', "С начала года", 'amount'),
        export.Column('quarter', "Последние три месяца", 'amount'),
        *(export.Column(f'm{i}', _month_name(m), 'amount')
            for i, m in enumerate(report.months))]
    rows = [{'name': "Количество застрахованных лиц",
            'period': report.count_period,
            'quarter': len({p.party for p in report.persons}),
            **{f'm{i}': report.counts.get(m, 0)
                for i, m in enumerate(report.months)}}]
    for name in RSV_FIGURES:
        rows.append({'name': labels[name],
                'period': getattr(total, name),
                'quarter': getattr(quarter, name),
                **{f'm{i}': getattr(f, name) for i, f in enumerate(months)},
                'bold': name == 'contributions'})
    section1 = export.Table("Раздел 1. Приложение 1. Исчисление страховых "
        "взносов", columns, rows, sheet="Раздел 1")
    person_rows = []
    for number, person in enumerate(report.persons, 1):
        for month in report.months:
            figures = person.months.get(month)
            if figures is None:
                continue
            person_rows.append({'number': number, 'name': person.name,
                    'snils': person.snils, 'month': _month_name(month),
                    'payments': figures.payments, 'base': figures.base,
                    'base_within_cap': figures.base_within_cap,
                    'contributions': figures.contributions_within_cap})
    section3 = export.Table("Раздел 3. Персонифицированные сведения о "
        "застрахованных лицах", [
            export.Column('number', "№", 'code', 5),
            export.Column('name', "Фамилия, имя, отчество", 'text', 30),
            export.Column('snils', "СНИЛС", 'code', 12),
            export.Column('month', "Месяц", 'text', 14),
            export.Column('payments', "Сумма выплат", 'amount'),
            export.Column('base', "База", 'amount'),
            export.Column('base_within_cap', "База в пределах", 'amount'),
            export.Column('contributions', "Взносы в пределах", 'amount'),
            ], person_rows, sheet="Раздел 3")
    title, knd = FORM_TITLES['rsv']
    return export.Document(title, knd,
        header(report.company, report.year, report.quarter), [
            section1, section3,
            _reconciliation_table("Сверка с учетом: страховые взносы",
                reconciliation)])


def _xml_signer(company):
    last, first, patronymic = split_name(getattr(company, 'director', ''))
    return {'last_name': last, 'first_name': first,
        'patronymic': patronymic}


def _xml_company(company):
    return {'name': company.party.name, 'inn': company.inn,
        'kpp': company.kpp, 'oktmo': company.oktmo,
        'phone': getattr(company, 'phone', None)}


def _xml_document(figures):
    return {'period': PERIOD_CODES[figures.quarter], 'year': figures.year}


def formatted_snils(snils):
    "A СНИЛС as XXX-XXX-XXX YY"
    if len(snils or '') != 11:
        return snils
    return f'{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}'


def ndfl6_xml_figures(report):
    "The figures of the map ndfl6.csv from a tax_report.Ndfl6"
    kbks = []
    for figures in report.rates:
        halves, returned = report.halves(figures.rate)
        kbks.append({'kbk': figures.kbk,
                'withheld': sum(halves, ZERO),
                'returned': sum(returned, ZERO),
                **{f'withheld_{i}': a for i, a in enumerate(halves, 1)}})
    return {
        'totals': {'persons': len(report.persons),
            'withheld': report.total('withheld'),
            'not_withheld': report.total('not_withheld'),
            'returned': report.total('returned')},
        'rates': [{'rate': f'{r.rate:f}', 'kbk': r.kbk, 'income': r.income,
                'deductions': r.deductions, 'computed': r.computed}
            for r in report.rates],
        'kbks': kbks,
        'certificates': [certificate_xml_figures(number, cert)
            for number, cert in enumerate(report.certificates, 1)],
        }


def _whole(amount):
    "A tax in whole rubles as the form writes it (kopecks kept if any)"
    return int(amount) if amount == amount.to_integral_value() else amount


def certificate_xml_figures(number, cert):
    "The figures of one СправДох of the map ndfl6.csv"
    last, first, patronymic = split_name(cert.name)
    rates = []
    for figures in cert.by_rate():
        deductions = sorted(figures.deductions_by_code().items())
        rates.append({'rate': f'{figures.rate:f}', 'kbk': figures.kbk,
                'income': figures.total_income, 'base': figures.base,
                'computed': _whole(figures.computed),
                'withheld': _whole(figures.withheld),
                'over_withheld': _whole(figures.over_withheld),
                'not_withheld': _whole(figures.not_withheld),
                'incomes': [{'month': f'{month.month:02d}', 'code': code,
                        'amount': amount}
                    for (month, code), amount in sorted(
                        figures.income.items())],
                # the element of the standard deductions only when any
                'standard': [{'items': [{'code': code, 'amount': amount}
                            for code, amount in deductions]}]
                if deductions else [],
                })
    return {'number': number,
        'person': {'inn': cert.inn, 'birth_date': cert.birth_date,
            'last_name': last, 'first_name': first,
            'patronymic': patronymic,
            # the employee record holds no identity document
            'documents': []},
        'rates': rates}


def rsv_xml_figures(report):
    "The figures of the map rsv.csv from a tax_report.Rsv"
    total, quarter = report.since_january(), report.last_quarter()
    months = [report.by_month.get(m, PersonMonth()) for m in report.months]
    figures = {name: {'period': getattr(total, name),
            'quarter': getattr(quarter, name),
            **{f'm{i}': getattr(f, name) for i, f in enumerate(months, 1)}}
        for name in RSV_FIGURES}
    figures['counts'] = {'period': report.count_period,
        'quarter': len(report.persons),
        **{f'm{i}': report.counts.get(m, 0)
            for i, m in enumerate(report.months, 1)}}
    persons = []
    for person in report.persons:
        last, first, patronymic = split_name(person.name)
        persons.append({'snils': formatted_snils(person.snils),
                'inn': person.inn, 'last_name': last, 'first_name': first,
                'patronymic': patronymic,
                'months': [{'month': f'{m.month:02d}',
                        'payments': f.payments,
                        'base_within_cap': f.base_within_cap,
                        'contributions_within_cap':
                        f.contributions_within_cap}
                    for m, f in sorted(person.months.items())]})
    figures['persons'] = persons
    return figures


def xml_figures(form, report):
    "The figures of the element map of form (fns/*.csv) from its report"
    figures = ndfl6_xml_figures(report) if form == 'ndfl6' \
        else rsv_xml_figures(report)
    figures.update({
            'document': _xml_document(report),
            'company': _xml_company(report.company),
            'signer': _xml_signer(report.company),
            })
    return figures


def build(form, company, year, quarter):
    """The figures of form for the institution, and a function(fmt) ->
    (file name, bytes) of its file in fmt (FORMATS)"""
    tax = TaxReport(company, year, quarter)
    figures = tax.ndfl6() if form == 'ndfl6' else tax.rsv()
    if form == 'ndfl6' and quarter == 4:
        figures.certificates = tax.income_certificates()
    reconciliation = tax.reconciliation()[
        'ndfl' if form == 'ndfl6' else 'contributions']

    def render(fmt, today=None):
        today = today or Pool().get('ir.date').today()
        if fmt == 'xml':
            return fns.build(form, company, xml_figures(form, figures),
                today)
        if form == 'ndfl6':
            document = ndfl6_document(figures, reconciliation)
        else:
            document = rsv_document(figures, reconciliation)
        name = f'{form}_{year}_Q{quarter}.{fmt}'
        return name, export.render(document, fmt)
    return figures, reconciliation, render


# --- The client --------------------------------------------------------------

class TaxReportStart(ModelView):
    "Quarterly Tax Reports"
    __name__ = 'kazan.payroll.tax_report.start'

    company = fields.Many2One('company.company', "Institution", required=True)
    year = fields.Integer("Year", required=True)
    quarter = fields.Selection([
            ('1', "1st quarter"), ('2', "Half-year"), ('3', "Nine months"),
            ('4', "Year"),
            ], "Period", required=True, sort=False,
        help="The reporting period, cumulative from 1 January.")
    form = fields.Selection([
            ('ndfl6', "6-NDFL (KND 1151100)"),
            ('rsv', "Insurance contributions (KND 1151111)"),
            ], "Form", required=True, sort=False)
    format = fields.Selection([
            ('xlsx', "XLSX"), ('pdf', "PDF"), ('ods', "ODS"),
            ('xml', "FNS XML"),
            ], "Format", required=True, sort=False)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return cls._default_period()[0]

    @classmethod
    def default_quarter(cls):
        return str(cls._default_period()[1])

    @classmethod
    def _default_period(cls):
        "The last quarter that has ended"
        today = Pool().get('ir.date').today()
        quarter = (today.month - 1) // 3
        return (today.year, quarter) if quarter else (today.year - 1, 4)

    @classmethod
    def default_form(cls):
        return 'ndfl6'

    @classmethod
    def default_format(cls):
        return 'xlsx'


class TaxReportExport(Wizard):
    "Export Quarterly Tax Reports"
    __name__ = 'kazan.payroll.tax_report.export'

    start = StateView('kazan.payroll.tax_report.start',
        'kazan_payroll.tax_report_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export_', 'tryton-ok', default=True),
            ])
    export_ = StateReport('kazan.payroll.tax_report')

    def do_export_(self, action):
        return action, {
            'company': self.start.company.id,
            'year': self.start.year,
            'quarter': int(self.start.quarter),
            'form': self.start.form,
            'format': self.start.format,
            }


class TaxReportFile(SafeFileNameReport, Report):
    """6-НДФЛ or РСВ of one institution and period in one format; the
    institution is read with the user's rights (a director gets their own
    only)"""
    __name__ = 'kazan.payroll.tax_report'

    @classmethod
    def execute(cls, ids, data):
        oext, content, direct_print, name = super().execute(ids, data)
        return oext, content, direct_print, data.get('_file_name', name)

    @classmethod
    def _execute(cls, records, header, data, action):
        form, fmt = data.get('form'), data.get('format')
        year, quarter = data.get('year'), data.get('quarter')
        if (form not in FORMS or fmt not in FORMATS or not data.get('company')
                or quarter not in QUARTERS or not isinstance(year, int)):
            raise TaxReportError(gettext(
                    'kazan_payroll.msg_tax_report_bad_request'))
        company, = readable_companies([data['company']])
        _, _, render = build(form, company, year, quarter)
        try:
            name, content = render(fmt)
        except export.FontNotFound as error:
            raise TaxReportError(gettext(
                    'kazan_accounting.msg_statement_pdf_font',
                    package=export.FONT_PACKAGE,
                    variable=export.FONT_ENVIRON)) from error
        data['_file_name'] = name.rsplit('.', 1)[0]
        return fmt, content


# --- The figures as tables in the client -------------------------------------

class TaxReportContext(ModelView):
    "Tax Report Context"
    __name__ = 'kazan.payroll.tax_report.context'

    company = fields.Many2One('company.company', "Institution", required=True)
    year = fields.Integer("Year", required=True)
    quarter = fields.Selection(TaxReportStart.quarter.selection, "Period",
        required=True, sort=False,
        help="The reporting period, cumulative from 1 January.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return TaxReportStart.default_year()

    @classmethod
    def default_quarter(cls):
        return TaxReportStart.default_quarter()


def _placeholder(field_):
    "A value of the field's type for the row of an empty table"
    if isinstance(field_, fields.Numeric):
        return ZERO
    if isinstance(field_, (fields.Integer, fields.Many2One)):
        return 0
    if isinstance(field_, fields.Date):
        return dt.date(2000, 1, 1)
    if isinstance(field_, fields.Boolean):
        return False
    return ''


def rows_query(model, names, values):
    """The table query of the model's rows: values are lists in the order
    of names; without any, an empty table of the fields' types"""
    where = Literal(True)
    if not values:
        values = [[_placeholder(model._fields[n]) for n in names]]
        where = Literal(False)
    table = Values(values)
    return table.select(*(Column(table, f'column{i}').as_(name)
            for i, name in enumerate(names, 1)), where=where)


class TaxRowsMixin(InstitutionRowsMixin):
    """The rows of a table of the figures of the institution and period of
    the context: computed by TaxReport, read under the institution rule"""
    __slots__ = ()

    sequence = fields.Integer("Sequence")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _columns(cls):
        "The fields of the rows, in the order of the values"
        return ['id', 'company', 'sequence'] + cls._figures

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        context = Transaction().context
        company_id = context.get('company')
        rows = []
        try:
            year, quarter = int(context.get('year')), int(
                context.get('quarter'))
        except (TypeError, ValueError):
            year = quarter = None
        # not for an institution the rule hides anyway
        allowed = context.get('companies') or [company_id]
        if (company_id and company_id > 0 and company_id in allowed
                and quarter in QUARTERS):
            company = Company(company_id)
            rows = cls._rows(TaxReport(company, year, quarter))
        return rows_query(cls, cls._columns(),
            [[i, company_id, i] + [row.get(n) for n in cls._figures]
                for i, row in enumerate(rows, 1)])

    @classmethod
    def _rows(cls, report):
        "The rows of the figures: a dict of _figures each"
        raise NotImplementedError


def _amount(string):
    return Monetary(string, currency='currency', digits='currency')


class Ndfl6Rate(TaxRowsMixin, ModelSQL, ModelView):
    "6-NDFL: Section 2 by Rate"
    __name__ = 'kazan.payroll.tax_report.ndfl6_rate'

    rate = fields.Numeric("Rate", digits=(4, 2))
    kbk = fields.Char("KBK")
    persons = fields.Integer("Persons")
    income = _amount("Income")
    deductions = _amount("Deductions")
    computed = _amount("Tax Computed")
    withheld = _amount("Tax Withheld")
    not_withheld = _amount("Tax Not Withheld")
    returned = _amount("Tax Returned")
    _figures = ['rate', 'kbk', 'persons', 'income', 'deductions', 'computed',
        'withheld', 'not_withheld', 'returned']

    @classmethod
    def _rows(cls, report):
        return [{'rate': r.rate, 'kbk': r.kbk, 'persons': r.person_count,
                'income': r.income, 'deductions': r.deductions,
                'computed': r.computed, 'withheld': r.withheld,
                'not_withheld': r.not_withheld, 'returned': r.returned}
            for r in report.ndfl6().rates]


class Ndfl6Withholding(TaxRowsMixin, ModelSQL, ModelView):
    "6-NDFL: Section 1 by Date"
    __name__ = 'kazan.payroll.tax_report.ndfl6_date'

    date = fields.Date("Date Withheld")
    withheld = _amount("Tax Withheld")
    withheld_first_rate = _amount("Withheld at 13 %")
    withheld_higher_rates = _amount("Withheld at Higher Rates")
    returned = _amount("Tax Returned")
    _figures = ['date', 'withheld', 'withheld_first_rate',
        'withheld_higher_rates', 'returned']

    @classmethod
    def _rows(cls, report):
        figures = report.ndfl6()
        first = min((r.rate for r in figures.rates), default=None)
        return [{'date': w.date, 'withheld': w.withheld,
                'withheld_first_rate': w.by_rate.get(first, ZERO),
                'withheld_higher_rates': w.withheld
                - w.by_rate.get(first, ZERO),
                'returned': w.returned}
            for w in figures.withholdings]


class Ndfl6Certificate(TaxRowsMixin, ModelSQL, ModelView):
    """6-NDFL: Income Certificates (the annual report's приложение № 1,
    for the period so far in the others): by person and rate the totals,
    then the income and the deductions by month and code"""
    __name__ = 'kazan.payroll.tax_report.ndfl6_certificate'

    number = fields.Integer("Certificate")
    person = fields.Char("Person")
    inn = fields.Char("INN")
    birth_date = fields.Date("Birth Date")
    rate = fields.Numeric("Rate", digits=(4, 2))
    line = fields.Selection([
            ('total', "Total at the rate"),
            ('income', "Income"),
            ('deduction', "Deduction"),
            ], "Line", sort=False)
    month = fields.Date("Month")
    code = fields.Char("Code", help="The KBK of the rate on its total, "
        "the FNS code of the income or the deduction on the other lines.")
    income = _amount("Income")
    deductions = _amount("Deductions")
    base = _amount("Tax Base")
    computed = _amount("Tax Computed")
    withheld = _amount("Tax Withheld")
    over_withheld = _amount("Tax Over-Withheld")
    not_withheld = _amount("Tax Not Withheld")
    check = fields.Char("Codes to Check",
        help="The codes the FNS's list is not confirmed for, and "
        "\"unsplit\" for an amount the payslip lines do not give by code.")
    _figures = ['number', 'person', 'inn', 'birth_date', 'rate', 'line',
        'month', 'code', 'income', 'deductions', 'base', 'computed',
        'withheld', 'over_withheld', 'not_withheld', 'check']

    @classmethod
    def _rows(cls, report):
        # any period: the certificates of the persons paid so far (the
        # form carries them in the annual report only)
        rows = []
        for number, cert in enumerate(report.income_certificates(), 1):
            person = {'number': number, 'person': cert.name,
                'inn': cert.inn, 'birth_date': cert.birth_date}
            check = ', '.join(sorted(c for c in cert.unconfirmed if c))
            for figures in cert.by_rate():
                rows.append({**person, 'rate': figures.rate,
                        'line': 'total', 'code': figures.kbk,
                        'income': figures.total_income,
                        'deductions': figures.total_deductions,
                        'base': figures.base, 'computed': figures.computed,
                        'withheld': figures.withheld,
                        'over_withheld': figures.over_withheld,
                        'not_withheld': figures.not_withheld,
                        'check': check})
                for (month, code), amount in sorted(figures.income.items()):
                    rows.append({**person, 'rate': figures.rate,
                            'line': 'income', 'month': month, 'code': code,
                            'income': amount})
                for (month, code), amount in sorted(
                        figures.deductions.items()):
                    rows.append({**person, 'rate': figures.rate,
                            'line': 'deduction', 'month': month,
                            'code': code, 'deductions': amount})
        return rows


class RsvInsured(TaxRowsMixin, ModelSQL, ModelView):
    "RSV: Section 3 by Person and Month"
    __name__ = 'kazan.payroll.tax_report.rsv_insured'

    person = fields.Char("Insured Person")
    snils = fields.Char("SNILS")
    month = fields.Date("Month")
    payments = _amount("Payments")
    base = _amount("Contribution Base")
    base_within_cap = _amount("Base Within the Cap")
    contributions = _amount("Contributions")
    contributions_within_cap = _amount("Contributions Within the Cap")
    _figures = ['person', 'snils', 'month', 'payments', 'base',
        'base_within_cap', 'contributions', 'contributions_within_cap']

    @classmethod
    def _rows(cls, report):
        return [{'person': p.name, 'snils': p.snils, 'month': month,
                'payments': f.payments, 'base': f.base,
                'base_within_cap': f.base_within_cap,
                'contributions': f.contributions,
                'contributions_within_cap': f.contributions_within_cap}
            for p in report.rsv().persons
            for month, f in sorted(p.months.items())]


class TaxReconciliation(TaxRowsMixin, ModelSQL, ModelView):
    "Tax Reports: Reconciliation with the Ledger"
    __name__ = 'kazan.payroll.tax_report.reconciliation'

    tax = fields.Selection([
            ('ndfl', "NDFL"),
            ('contributions', "Insurance contributions"),
            ], "Tax")
    account = fields.Char("Account")
    month = fields.Date("Month")
    payslips = _amount("Payslips")
    credit = _amount("Credit Turnover")
    reversed_ = _amount("Reversed")
    ledger = _amount("Ledger")
    difference = _amount("Difference")
    _figures = ['tax', 'account', 'month', 'payslips', 'credit', 'reversed_',
        'ledger', 'difference']

    @classmethod
    def _rows(cls, report):
        rows = []
        for tax, reconciliation in report.reconciliation().items():
            for month, *amounts in reconciliation.rows():
                rows.append({'tax': tax, 'account': reconciliation.account,
                        'month': month, **dict(zip(cls._figures[3:],
                                amounts))})
        return rows


class RsvTotal(TaxRowsMixin, ModelSQL, ModelView):
    "RSV: Section 1 Totals"
    __name__ = 'kazan.payroll.tax_report.rsv_total'

    figure = fields.Selection([
            ('payments', "Payments"),
            ('not_subject', "Not subject to contributions"),
            ('base', "Contribution base"),
            ('base_within_cap', "Base within the cap"),
            ('base_above_cap', "Base above the cap"),
            ('contributions', "Contributions"),
            ('contributions_within_cap', "Contributions within the cap"),
            ('contributions_above_cap', "Contributions above the cap"),
            ], "Figure", sort=False)
    since_january = _amount("Since January")
    last_quarter = _amount("Last Three Months")
    month_1 = _amount("1st Month")
    month_2 = _amount("2nd Month")
    month_3 = _amount("3rd Month")
    _figures = ['figure', 'since_january', 'last_quarter', 'month_1',
        'month_2', 'month_3']

    @classmethod
    def _rows(cls, report):
        rsv = report.rsv()
        total, quarter = rsv.since_january(), rsv.last_quarter()
        months = [rsv.by_month.get(m, PersonMonth()) for m in rsv.months]
        return [{'figure': name, 'since_january': getattr(total, name),
                'last_quarter': getattr(quarter, name),
                **{f'month_{i}': getattr(f, name)
                    for i, f in enumerate(months, 1)}}
            for name in RSV_FIGURES]
