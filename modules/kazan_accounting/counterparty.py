# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Counterparties: the suppliers and customers of the institutions.

They are the core's parties, shared by every institution as the core
shares them.  Their ИНН is the core's identifier ``ru_vat`` (its
``ru_inn`` until 6.8) and their КПП an identifier ``ru_kpp`` added here;
both are checked with the rules of identifiers.py and found by a
search on the party (the core searches the identifiers' codes; the
fields inn and kpp search one type each).  Bank details are the core's
bank, bank account and account number: a bank in Russia is named by its
БИК (9 digits) and a settlement account (расчетный счет) is checked with
its control key.
"""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta

from . import identifiers
from .exceptions import CounterpartyValidationError


def inn(value):
    "ИНН of an organisation (10 digits) or of a person (12 digits)"
    digits = identifiers._digits(value)
    if len(digits) == 12:
        return identifiers.personal_inn(digits)
    return identifiers.organisation_inn(digits)


_PARTY_IDENTIFIERS = {
    'ru_vat': inn,
    'ru_kpp': identifiers.kpp,
    }


def is_russian_bic(value):
    "A БИК is all digits, a SWIFT BIC begins with letters"
    value = identifiers._digits(value)
    return bool(value) and value.isdigit()


class Configuration(metaclass=PoolMeta):
    __name__ = 'party.configuration'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = list(cls.identifier_types.selection)
        keys = [key for key, _ in selection]
        if 'ru_kpp' not in keys:
            selection.insert(keys.index('ru_vat') + 1,
                ('ru_kpp', "Russian Tax Registration Reason Code"))
            cls.identifier_types.selection = selection


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    inn = fields.Function(
        fields.Char("INN", help="The taxpayer number (ИНН)."),
        'get_tax_code', searcher='search_tax_code')
    kpp = fields.Function(
        fields.Char("KPP", help="The tax registration reason code (КПП)."),
        'get_tax_code', searcher='search_tax_code')

    _tax_code_types = {'inn': 'ru_vat', 'kpp': 'ru_kpp'}

    def get_tax_code(self, name):
        type_ = self._tax_code_types[name]
        for identifier in self.identifiers:
            if identifier.type == type_:
                return identifier.code_compact or identifier.code

    @classmethod
    def search_tax_code(cls, name, clause):
        _, operator, value, *extra = clause
        return [('identifiers', 'where', [
                    ('type', '=', cls._tax_code_types[name]),
                    ['OR',
                        ('code', operator, value, *extra),
                        ('code_compact', operator, value, *extra),
                        ],
                    ])]

    @classmethod
    def find_by_inn(cls, inn, kpp=None):
        "The parties with the ИНН (and the КПП when given)"
        domain = [('inn', '=', identifiers._digits(inn))]
        if kpp:
            domain.append(('kpp', '=', identifiers._digits(kpp).upper()))
        return cls.search(domain)


class PartyIdentifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @fields.depends('type', 'party', 'code')
    def check_code(self):
        "ИНН and КПП by our rules, with a message that says what they are"
        validator = _PARTY_IDENTIFIERS.get(self.type)
        if not validator:
            return super().check_code()
        try:
            validator(self.code)
        except identifiers.InvalidIdentifier as error:
            party = (self.party.rec_name
                if self.party and self.party.id >= 0 else '')
            raise CounterpartyValidationError(gettext(
                    'kazan_accounting.msg_party_invalid_%s' % self.type,
                    value=self.code or '', party=party,
                    key=error.key))

    def compute_fields(self, field_names=None):
        "A КПП is kept compact and in capitals, as its validator gives it"
        values = super().compute_fields(field_names=field_names)
        if getattr(self, 'type', None) == 'ru_kpp':
            code = values.get('code', getattr(self, 'code', None))
            if code:
                try:
                    compact = identifiers.kpp(code)
                except identifiers.InvalidIdentifier:
                    compact = code
                if compact != getattr(self, 'code_compact', None):
                    values['code_compact'] = compact
        return values


class Bank(metaclass=PoolMeta):
    __name__ = 'bank'

    @fields.depends('bic')
    def check_bic(self):
        "A bank in Russia is named by its 9-digit БИК, others by SWIFT"
        if self.bic and is_russian_bic(self.bic):
            try:
                identifiers.bic(self.bic)
            except identifiers.InvalidIdentifier:
                raise CounterpartyValidationError(gettext(
                        'kazan_accounting.msg_bank_invalid_bic',
                        bic=self.bic))
        else:
            super().check_bic()

    @fields.depends('bic')
    def on_change_with_bic(self):
        if self.bic and is_russian_bic(self.bic):
            return identifiers._digits(self.bic)
        return super().on_change_with_bic()


class BankAccount(metaclass=PoolMeta):
    __name__ = 'bank.account'

    @classmethod
    def validate(cls, accounts):
        super().validate(accounts)
        for account in accounts:
            for number in account.numbers:
                number.check_settlement_key()

    @property
    def settlement_account(self):
        "The Russian settlement account (расчетный счет) of the account"
        for number in self.numbers:
            if number.type == 'ru':
                return number.number_compact or number.number


class BankAccountNumber(metaclass=PoolMeta):
    __name__ = 'bank.account.number'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if 'ru' not in dict(cls.type.selection):
            cls.type.selection = cls.type.selection + [
                ('ru', "Russian Settlement Account")]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('type') == 'ru'
                and values.get('number')):
            values['number'] = identifiers._digits(values['number'])
            values['number_compact'] = values['number']
        return values

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if ((field_names is None or {'type', 'number'} & field_names)
                and getattr(self, 'type', None) == 'ru'):
            number = getattr(self, 'number', None)
            if number:
                compact = identifiers._digits(number)
                if number != compact:
                    values['number'] = compact
                if getattr(self, 'number_compact', None) != compact:
                    values['number_compact'] = compact
        return values

    @fields.depends('type', 'number')
    def pre_validate(self):
        super().pre_validate()
        if self.type == 'ru' and self.number:
            try:
                identifiers.bank_account(self.number)
            except identifiers.InvalidIdentifier:
                raise CounterpartyValidationError(gettext(
                        'kazan_accounting.msg_bank_invalid_account',
                        number=self.number))

    @classmethod
    def validate(cls, numbers):
        super().validate(numbers)
        for number in numbers:
            number.check_settlement_key()

    def check_settlement_key(self):
        """The control key of a settlement account matches its bank's БИК
        (identifiers.bank_account); a SWIFT bank is not checked"""
        if self.type != 'ru' or not self.number:
            return
        bank = self.account.bank
        bic = bank.bic if bank else None
        if not bic or not is_russian_bic(bic):
            return
        try:
            identifiers.bank_account(self.number, bic)
        except identifiers.InvalidIdentifier as error:
            message = ('kazan_accounting.msg_bank_account_key'
                if error.key == 'bank_account_key'
                else 'kazan_accounting.msg_bank_invalid_account')
            raise CounterpartyValidationError(gettext(
                    message, number=self.number, bic=bic))
