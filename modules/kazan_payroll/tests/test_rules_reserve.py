# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The rules of the vacation reserve (issue 15), computed by hand (no
database): the period ends of the institution's method, the reserve of an
employee's unused days with the contributions on it, the share of a
month's contributions that falls on vacation pay, and what the reserve's
balance covers.

Each case writes its arithmetic next to the exact Decimal it expects.
"""
import datetime as dt
from decimal import Decimal as D

import pytest

from trytond.modules.kazan_payroll import rules

# --- The periods of the method -----------------------------------------------


@pytest.mark.parametrize('date, method, expected', [
        (dt.date(2026, 1, 31), 'monthly', True),
        (dt.date(2026, 1, 30), 'monthly', False),
        (dt.date(2026, 2, 28), 'monthly', True),
        # 2028 is a leap year: 28 February is not the month's end
        (dt.date(2028, 2, 28), 'monthly', False),
        (dt.date(2028, 2, 29), 'monthly', True),
        (dt.date(2026, 3, 31), 'quarterly', True),
        (dt.date(2026, 4, 30), 'quarterly', False),
        (dt.date(2026, 6, 30), 'quarterly', True),
        (dt.date(2026, 9, 29), 'quarterly', False),
        (dt.date(2026, 12, 31), 'quarterly', True),
        (dt.date(2026, 12, 31), 'monthly', True),
        ])
def test_reserve_period_end(date, method, expected):
    assert rules.reserve_period_end(date, method) is expected


def test_reserve_period_end_unknown_method():
    with pytest.raises(ValueError):
        rules.reserve_period_end(dt.date(2026, 3, 31), 'yearly')


# --- The reserve of an employee ----------------------------------------------

def test_vacation_reserve_pay_and_contributions():
    # 14.67 unused days × 1,023.89 = 15,020.4663 → 15,020.47; the
    # contributions at 30 % + НС и ПЗ 0.2 % = 30.2 %: 15,020.47 × 0.302
    # = 4,536.18194 → 4,536.18
    assert rules.vacation_reserve(D('14.67'), D('1023.89'), D(30),
        D('0.2')) == (D('15020.47'), D('4536.18'))


def test_vacation_reserve_of_no_days_is_nothing():
    assert rules.vacation_reserve(0, D('1023.89'), D(30), D('0.2')) == (
        D('0.00'), D('0.00'))


def test_vacation_reserve_refuses_negative_days():
    with pytest.raises(ValueError):
        rules.vacation_reserve(D('-1'), D('1000'), D(30), D('0.2'))


def test_unused_days_at_the_year_end_are_those_compensated():
    # A teacher (56 days a year) hired on 10 March 2026, 14 days used, at
    # 31 December 2026: 10 March – 10 December 9 months, 11–31 December
    # 21 days ≥ 15 count as a month: 10 months; 56 × 10 / 12 = 46.666… →
    # 46.67 (rounded up), less 14 used = 32.67 days
    days = rules.vacation_compensation_days(56, dt.date(2026, 3, 10),
        dt.date(2026, 12, 31), D(14))
    assert days == D('32.67')
    # at 1,000.00 a day: 32,670.00; contributions 32,670.00 × 0.302
    # = 9,866.34
    assert rules.vacation_reserve(days, D('1000.00'), D(30), D('0.2')) == (
        D('32670.00'), D('9866.34'))


# --- The contributions on vacation pay ---------------------------------------

def test_contributions_share():
    # 9,075.31 of contributions on a base of 30,084.00 of which 7,000.00 is
    # vacation pay: 9,075.31 × 7,000 / 30,084 = 2,111.6596… → 2,111.66
    assert rules.contributions_share(D('7000.00'), D('30084.00'),
        D('9075.31')) == D('2111.66')


def test_contributions_share_bounds():
    # the whole base: all the contributions
    assert rules.contributions_share(D('30084.00'), D('30084.00'),
        D('9075.31')) == D('9075.31')
    # above the base (a correction lowered it): no more than all of them
    assert rules.contributions_share(D('40000.00'), D('30084.00'),
        D('9075.31')) == D('9075.31')
    # no base, or nothing of it: nothing
    assert rules.contributions_share(D('7000.00'), D(0), D(0)) == D(0)
    assert rules.contributions_share(D(0), D('30084.00'),
        D('9075.31')) == D(0)


# --- What the balance covers -------------------------------------------------


@pytest.mark.parametrize('amount, balance, expected', [
        # 5,000 of vacation pay on a balance of 3,000: 3,000 from the
        # reserve, the 2,000 above it to the expenses
        (D('5000.00'), D('3000.00'), D('3000.00')),
        (D('2000.00'), D('3000.00'), D('2000.00')),
        (D('3000.00'), D('3000.00'), D('3000.00')),
        # an exhausted (or debit) balance covers nothing
        (D('5000.00'), D('-100.00'), D(0)),
        (D('5000.00'), D(0), D(0)),
        # a reversal is not charged to the reserve
        (D('-50.00'), D('3000.00'), D(0)),
        ])
def test_reserve_use(amount, balance, expected):
    assert rules.reserve_use(amount, balance) == expected
