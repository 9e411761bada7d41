# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The institution profile on company.company.

Every institution served by the service center is a Tryton company: its own
party, ledger, fiscal years and record rules.  The profile adds what the
law and the founder ask of it (identifiers, kind, legal form, district) and
the defaults its ledger uses (КФО, chart variant, accident-insurance rate).
"""

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from . import identifiers
from .common import (
    ACCIDENT_RATE_MAX, ACCIDENT_RATE_MIN, DISTRICTS, FOUNDERS,
    INSTITUTION_KINDS, KFO, LEGAL_FORMS)
from .exceptions import InstitutionValidationError
from .model import rec_name_domain

_IDENTIFIERS = [
    ('inn', identifiers.organisation_inn),
    ('kpp', identifiers.kpp),
    ('ogrn', identifiers.ogrn),
    ('oktmo', identifiers.oktmo),
    ]


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    full_name = fields.Char("Full Name", help="The full legal name.")
    inn = fields.Char("INN", size=10, strip=True)
    kpp = fields.Char("KPP", size=9, strip=True)
    ogrn = fields.Char("OGRN", size=13, strip=True)
    oktmo = fields.Char("OKTMO", size=11, strip=True)
    institution_kind = fields.Selection(
        [(None, "")] + INSTITUTION_KINDS, "Kind")
    legal_form = fields.Selection(
        [(None, "")] + LEGAL_FORMS, "Legal Form",
        help="Decides the chart of accounts: 174n for budgetary and 183n "
        "for autonomous institutions.")
    founder = fields.Selection([(None, "")] + FOUNDERS, "Founder")
    district = fields.Selection([(None, "")] + DISTRICTS, "District")
    personal_accounts = fields.One2Many(
        'kazan.personal_account', 'company', "Personal Accounts")
    director = fields.Char("Director", help="The full name of the director.")
    chief_accountant = fields.Char(
        "Accountant in Charge",
        help="The accountant of the service center in charge.")
    accident_rate = fields.Numeric(
        "Accident Insurance Rate", digits=(4, 2),
        help="The rate of insurance against industrial accidents and "
        "occupational diseases, in percent.")
    service_start_date = fields.Date(
        "Start in the Service",
        help="The first day the ledger is kept by the service center; "
        "the opening balances are as of this date.")
    default_kfo = fields.Selection(
        KFO, "Default KFO", required=True, sort=False,
        help="The KFO proposed on new move lines.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('inn_unique', Unique(t, t.inn),
                'kazan_accounting.msg_company_inn_unique'),
            ]

    @classmethod
    def default_default_kfo(cls):
        return '4'

    @classmethod
    def validate_fields(cls, companies, field_names):
        super().validate_fields(companies, field_names)
        cls.check_identifiers(companies, field_names)
        cls.check_accident_rate(companies, field_names)
        cls.check_service_start_date(companies, field_names)

    @classmethod
    def check_identifiers(cls, companies, field_names=None):
        for company, name, value in identifiers.invalid_fields(
                companies, _IDENTIFIERS, field_names):
            raise InstitutionValidationError(gettext(
                    'kazan_accounting.msg_invalid_%s' % name,
                    value=value, institution=company.rec_name))

    @classmethod
    def check_accident_rate(cls, companies, field_names=None):
        if field_names and 'accident_rate' not in field_names:
            return
        for company in companies:
            rate = company.accident_rate
            if rate is not None and not (
                    ACCIDENT_RATE_MIN <= rate <= ACCIDENT_RATE_MAX):
                raise InstitutionValidationError(gettext(
                        'kazan_accounting.msg_invalid_accident_rate',
                        rate=rate, minimum=ACCIDENT_RATE_MIN,
                        maximum=ACCIDENT_RATE_MAX,
                        institution=company.rec_name))

    @classmethod
    def check_service_start_date(cls, companies, field_names=None):
        if field_names and 'service_start_date' not in field_names:
            return
        for company in companies:
            date = company.service_start_date
            if date and date.day != 1:
                raise InstitutionValidationError(gettext(
                        'kazan_accounting.msg_start_date_not_month_start',
                        date=date, institution=company.rec_name))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(
            super().search_rec_name(name, clause), clause, 'inn')

    @property
    def chart_template_xml_id(self):
        "The XML id of the chart of accounts of the institution's form"
        return {
            'autonomous': 'account_template_root_autonomous',
            }.get(self.legal_form, 'account_template_root_budgetary')


class PersonalAccount(ModelSQL, ModelView):
    "Personal (treasury) account of an institution"
    __name__ = 'kazan.personal_account'

    company = fields.Many2One(
        'company.company', "Institution", required=True, ondelete='CASCADE')
    number = fields.Char("Number", required=True, strip=True,
        help="As opened by the Ministry of Finance of Tatarstan, "
        "e.g. ЛБВ30800668.")
    kfo = fields.Selection([(None, "")] + KFO, "KFO", sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.company, t.number),
                'kazan_accounting.msg_personal_account_unique'),
            ]
        cls._order.insert(0, ('number', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return self.number
