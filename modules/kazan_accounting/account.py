# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""A КФО filter on the core balances and general ledger.

The contexts put ``kfo`` into the transaction context, and
``account.move.line.query_get`` (see move.py) restricts every balance,
ledger and statement of the core to it.
"""
from trytond.model import fields
from trytond.pool import PoolMeta

from .common import KFO


class KFOContextMixin:
    __slots__ = ()
    kfo = fields.Selection(
        [(None, "")] + KFO, "KFO", sort=False,
        help="Leave empty for all financing sources.")


class AccountContext(KFOContextMixin, metaclass=PoolMeta):
    __name__ = 'account.account.context'


class GeneralLedgerAccountContext(KFOContextMixin, metaclass=PoolMeta):
    __name__ = 'account.general_ledger.account.context'


class GeneralLedgerLineContext(KFOContextMixin, metaclass=PoolMeta):
    __name__ = 'account.general_ledger.line.context'
