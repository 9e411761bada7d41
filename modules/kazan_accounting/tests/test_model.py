# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"The helpers shared by the models (model.py), without a database"
from trytond.modules.kazan_accounting.model import rec_name_domain

CORE = [('name', 'ilike', '%1655%')]


def test_rec_name_domain_matches_any_field():
    assert rec_name_domain(CORE, ('rec_name', 'ilike', '%1655%'), 'inn') == [
        'OR', CORE, ('inn', 'ilike', '%1655%')]


def test_rec_name_domain_negation_matches_none():
    for operator in ['!=', 'not ilike', 'not in']:
        domain = rec_name_domain(CORE, ('rec_name', operator, 'x'), 'a', 'b')
        assert domain == ['AND', CORE, ('a', operator, 'x'),
            ('b', operator, 'x')]
