# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Records instantiated in linear time.

trytond 8.0's ``ModelStorage.__init__`` asserts, for every record built
with the list of ids it is read with (``browse`` and the instantiation of
the related records of a read pass that list), that its id is in the list
and that every id of the list is an int::

    assert id in _ids
    assert all(isinstance(i, int) for i in _ids)

Both scan the whole list, so browsing n records costs n² steps: a list of
200 move lines and the records their fields refer to cost 3.4 million
steps in one ``Move.create`` (a tenth of the posting of the payroll's
month, bench/payroll.py).  The two assertions cannot fail where the core
builds these lists (``browse`` maps the ids to int; the related ids come
from the database), and Python drops them under ``-O``.

``__init__`` here is the core's, line for line, without those two
assertions (the one on ``_local_cache`` costs nothing and stays): the same
record, without the scans, and without a call more for the small lists
that most browses are.  A patch of the core, installed once per process
as the guard is (no hook exists; no upstream report found:
bugs.tryton.org is to be told); tests/test_core_overrides.py pins the
core's source and checks that the records are the same.
"""
from trytond.cache import LRUDictTransaction
from trytond.model.modelstorage import ModelStorage, local_cache
from trytond.transaction import Transaction

core_init = getattr(ModelStorage.__init__, '_kazan_core',
    ModelStorage.__init__)


def __init__(self, id=None, **kwargs):
    "ModelStorage.__init__ of trytond 8.0 without the assertions on _ids"
    _ids = kwargs.pop('_ids', None)
    _local_cache = kwargs.pop('_local_cache', None)
    _transaction_cache = kwargs.pop('_transaction_cache', None)
    transaction = kwargs.pop('_transaction', None)
    if transaction is None:
        transaction = Transaction()
    self._transaction = transaction
    self._user = transaction.user
    self._context = transaction.context
    if id is not None:
        id = int(id)
    if _ids is not None:
        self._ids = _ids
    else:
        self._ids = [id]

    if _transaction_cache is not None:
        self._transaction_cache = _transaction_cache
    else:
        self._transaction_cache = transaction.get_cache()

    if _local_cache is not None:
        assert isinstance(_local_cache, LRUDictTransaction)
        self._local_cache = _local_cache
    else:
        self._local_cache = local_cache(self.__class__, transaction)

    super(ModelStorage, self).__init__(id, **kwargs)


__init__._kazan_core = core_init


def install():
    "Put __init__ in place of the core's, once per process"
    if ModelStorage.__init__ is core_init:
        ModelStorage.__init__ = __init__
