# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Enumerations of the institution profile and of the ledger.

The codes are the contract of the onboarding batch (interfaces.md §2); the
labels are translated in locale/ru.po.
"""
from decimal import Decimal

# КФО, the 18th digit of the account number (brief §1.2).  1 is for
# казенные institutions and 8/9 for NGO accounts: not used here.
KFO = [
    ('2', "2 Income-generating activity"),
    ('3', "3 Funds in temporary disposal"),
    ('4', "4 Subsidy for the municipal task"),
    ('5', "5 Subsidy for other purposes"),
    ('6', "6 Subsidy for capital investment"),
    ('7', "7 Compulsory medical insurance"),
    ]
KFO_CODES = [code for code, _ in KFO]

# Where the money of a cash account is kept: the columns "executed through"
# of plan execution form 0503737
CASH_KINDS = [
    ('treasury', "Personal account in the treasury"),
    ('bank', "Bank account"),
    ('desk', "Cash desk"),
    ]

INSTITUTION_KINDS = [
    ('school', "School"),
    ('kindergarten', "Kindergarten"),
    ('supplementary', "Supplementary education"),
    ('library', "Library"),
    ('museum', "Museum"),
    ('theatre', "Theatre"),
    ('culture_center', "House of culture"),
    ]

LEGAL_FORMS = [
    ('budgetary', "Budgetary (174n)"),
    ('autonomous', "Autonomous (183n)"),
    ]

# Accident insurance (НС и ПЗ) tariffs, in percent, run from class I to
# class XXXII.
ACCIDENT_RATE_MIN = Decimal('0.2')
ACCIDENT_RATE_MAX = Decimal('8.5')

FOUNDERS = [
    ('education', "Education department"),
    ('culture', "Culture department"),
    ]
# Their official names, which the statements' headings print as they are
FOUNDER_NAMES = {
    'education': "Управление образования ИКМО г. Казани",
    'culture': "Управление культуры ИКМО г. Казани",
    }

# The 7 city districts of Kazan (brief §9), as the batch spells them.
DISTRICTS = [
    ('Авиастроительный', "Aviastroitelny"),
    ('Вахитовский', "Vakhitovsky"),
    ('Кировский', "Kirovsky"),
    ('Московский', "Moskovsky"),
    ('Ново-Савиновский', "Novo-Savinovsky"),
    ('Приволжский', "Privolzhsky"),
    ('Советский', "Sovetsky"),
    ]
