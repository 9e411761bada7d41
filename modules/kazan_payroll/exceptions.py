# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
from trytond.model.exceptions import ValidationError


class EmployeeValidationError(ValidationError):
    "A staff record holds an invalid value"
