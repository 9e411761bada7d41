# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.account.exceptions import PostError


class InstitutionValidationError(ValidationError):
    "An institution profile field holds an invalid value"


class KFOBalanceError(PostError):
    "A move does not balance within one КФО"


class InstitutionSetupError(ValidationError):
    "An institution cannot be set up with the given data"


class BudgetCodeError(ValidationError):
    "A КОСГУ or КВР code is not three digits"


class CashAnalyticsError(PostError):
    "A movement of a cash account lacks its КОСГУ or КВР"


class YearEndClosingError(UserError):
    "The year-end closing of an institution cannot be done"


class InvalidValue(ValueError):
    """A value read from outside (a file, a form) that is not what its kind
    named by ``key`` must be; the message key is made from it"""

    def __init__(self, key, value):
        super().__init__(key, value)
        self.key = key
        self.value = value


class InvalidIdentifier(InvalidValue):
    "The value is not a valid identifier of the kind named by ``key`` (INN…)"


class InvalidNumber(InvalidValue):
    """Not a number as an accountant writes one ('invalid'), or a negative
    number where none is allowed ('negative')"""


class FontNotFound(RuntimeError):
    "No TrueType font with Cyrillic letters for the PDF writer (export)"

    def __init__(self, tried, package, environ):
        self.tried = tried
        super().__init__(
            'No TrueType font with Cyrillic letters for PDF files: '
            f'install the Debian package {package} '
            f'(apt-get install {package}) or set {environ} '
            'to the path of a .ttf file; looked for: ' + ', '.join(tried))


class PlanValidationError(ValidationError):
    "A plan, amendment or plan line holds an invalid value"


class PlanAccessError(AccessError):
    "An approved plan is changed other than by an amendment"


class PlanImportError(UserError):
    "A plan file cannot be imported: nothing is written"


class BankImportError(UserError):
    "A statement file that cannot be imported, with its problems"


class FeeError(ValidationError):
    "A parents' fee document cannot be saved or posted as it is"


class FeeRegistryError(UserError):
    "A registry of payments cannot be imported: nothing is written"


class SubsidyError(ValidationError):
    "A subsidy agreement cannot be saved or posted as it is"


class CounterpartyValidationError(ValidationError):
    "An identifier or the bank details of a counterparty are not valid"


class ContractError(ValidationError):
    "A contract cannot accept, change or end its obligations"


class SupplierDocumentError(ValidationError):
    "A supplier's document cannot be saved or posted as it is"
