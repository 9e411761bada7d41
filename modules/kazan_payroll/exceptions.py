# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class EmployeeValidationError(ValidationError):
    "A staff record holds an invalid value"


class LawValidationError(ValidationError):
    "A figure of the payroll law or a calendar day holds an invalid value"


class LawDataMissingError(UserError):
    "The payroll law of a year is missing or incomplete"


class PayDayError(ValidationError):
    "An institution's pay day is not a day of a month"


class AbsenceValidationError(ValidationError):
    "An absence is inconsistent: dates, kind or overlap"


class PayrollRunError(UserError):
    "A payroll run cannot be computed, posted, paid or cancelled"


class VacationPayLateWarning(UserWarning):
    "Vacation pay later than 3 days before the leave (ТК ст. 136)"


class WithholdingValidationError(ValidationError):
    "A withholding order is inconsistent: share, institution"


class TaxReportError(UserError):
    "A quarterly tax report cannot be made as asked"


class DepositValidationError(ValidationError):
    "A deposited sum or its payment holds an invalid amount"


class TaxPaymentError(UserError):
    "Taxes cannot be transferred as asked"
