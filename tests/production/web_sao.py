"""Drive sao, the Tryton web client, in headless Chromium.

Playwright (the PyPI package, its node driver inside the wheel) drives
Debian's /usr/bin/chromium: never a browser of playwright's own, which
cannot be downloaded here.  ``Sao`` works the client as a person would:
the login dialogs, the menu, the tabs, the preferences, the error dialogs;
it waits for what sao draws, never for a fixed time.
"""
import contextlib
import pathlib
import re
import time

import pytest

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # require_browser() says how to install it
    PlaywrightError = Exception

REPO = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = pathlib.Path('/usr/bin/chromium')
SAO = REPO / 'web' / 'node_modules' / 'tryton-sao'
INSTALL = "bash .ci/web-client.sh (от root ставит и chromium из Debian)"
# headless without a sandbox (root), and nothing that calls the network:
# this machine has none, and Chromium's background requests would wait
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
VIEWPORT = {'width': 1920, 'height': 1080}
TIMEOUT_MS = 60_000


def require_browser():
    """playwright's API; a failure (not a skip) with the install command
    when a piece is missing"""
    try:
        import playwright.sync_api
    except ImportError:
        pytest.fail("нет пакета playwright; установите: "
            ".venv/bin/pip install -e '.[test]'", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"нет {CHROMIUM}; установите: {INSTALL}",
            pytrace=False)
    return playwright.sync_api


def require_sao(version, url):
    "Fail with what to do when the server at url serves no sao"
    if version:
        return
    if not (SAO / 'dist' / 'tryton-sao.js').exists():
        pytest.fail(f"нет веб-клиента sao ({SAO}); установите: {INSTALL}",
            pytrace=False)
    pytest.fail(f"{url}/ не отдает веб-клиент sao: укажите серверу "
        f"[web] root = {SAO}", pytrace=False)


def expect(*args, **kwargs):
    "playwright's expect (retried assertions), imported once it is there"
    return require_browser().expect(*args, **kwargs)


@contextlib.contextmanager
def browser_page(locale='ru-RU'):
    "A fresh page of headless Chromium; uncaught script errors in .errors"
    with require_browser().sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT, locale=locale)
            page.set_default_timeout(TIMEOUT_MS)
            page.errors = []
            page.on('pageerror',
                lambda error: page.errors.append(str(error)))
            yield page
        finally:
            browser.close()


def until(predicate, action, timeout_ms=TIMEOUT_MS):
    "Run action until predicate holds (sao draws some parts more than once)"
    deadline = time.monotonic() + timeout_ms / 1000
    while not predicate() and time.monotonic() < deadline:
        with contextlib.suppress(PlaywrightError):
            action()


class Sao:
    "sao in a page, through what it shows"

    def __init__(self, page, url):
        self.page = page
        self.url = url.rstrip('/') + '/'

    def open(self):
        """Load the client; its version, or None when the address serves
        no sao (or one without its libraries)"""
        self.page.goto(self.url, wait_until='load')
        version = self.page.evaluate(
            'typeof Sao == "undefined" ? null : Sao.__version__')
        if version:
            self.page.locator('input#login').wait_for()
        return version

    def gettext(self, text):
        "A text of sao's own, in the language it shows"
        return self.page.evaluate('text => Sao.i18n.gettext(text)', text)

    def login(self, database, login, password):
        """The login dialog (database and user name), then the password
        dialog; returns once sao has run the user's login actions and drawn
        the menu"""
        page = self.page
        # a list of the databases or an entry, once sao asked the server
        database_widget = page.locator('#database:visible')
        database_widget.wait_for()
        if database_widget.evaluate('e => e.tagName') == 'SELECT':
            database_widget.select_option(database)
        elif not database_widget.input_value():
            database_widget.fill(database)
        page.locator('input#login').fill(login)
        page.locator('input#login').press('Enter')
        password_entry = page.locator('.ask-dialog input[type=password]')
        password_entry.fill(password)
        password_entry.press('Enter')
        # the user's menu comes after the login actions and the menu
        page.locator('#user-preferences > a').wait_for()
        page.locator('#menu table.tree tbody tr').first.wait_for()

    def tab_names(self):
        return [name.replace('×', '').strip()
            for name in self.page.locator('#tablist li').all_inner_texts()]

    def _menu_name(self, name):
        return self.page.locator('div.column-char').filter(
            has_text=re.compile(f'^{re.escape(name)}$'))

    def open_menu(self, *path):
        "Expand the menu along path and click its last entry"
        menu = self.page.locator('#menu')
        for parent, name in zip(path, path[1:]):
            entry = menu.locator(self._menu_name(name)).first
            # the menu is drawn again when it restores the rows the user
            # left expanded, which may fold a row just opened
            until(entry.is_visible, lambda: (
                    menu.locator('tbody tr', has=self._menu_name(parent))
                    .first.locator('.expander').click(),
                    entry.wait_for(timeout=2000)))
        menu.locator(self._menu_name(path[-1])).first.click()
        self.page.locator('#tablist li.active', has_text=path[-1]).wait_for()

    @property
    def current_tab(self):
        return self.page.locator('#tabcontent .tab-pane.active')

    def field(self, name):
        "The entry of a field in the current tab"
        return self.current_tab.locator(f'[name="{name}"]:visible')

    def list_rows(self, count):
        """The rows of the list in the current tab, once it shows count of
        them: sao draws 20 at a time, then a "More" button for the next"""
        rows = self.current_tab.locator(
            'table.tree > tbody > tr:not(.more-row)')
        more = self.current_tab.locator(
            'table.tree > tbody > tr.more-row button')
        until(lambda: rows.count() >= count, lambda: (
                more.click(timeout=1000) if more.count()
                else self.page.wait_for_timeout(100)))
        return rows

    def open_url(self, path):
        "A link into the client (#database/model/...), as a bookmark"
        self.page.evaluate('path => { window.location.hash = path; }', path)

    def message_dialog(self):
        "The error or warning on screen: (its dialog, its text)"
        dialog = self.page.locator(
            '.warning-dialog:visible, .error-dialog:visible')
        dialog.wait_for()
        return dialog, dialog.locator('.alert').inner_text()

    def close_dialog(self, dialog, button='OK'):
        dialog.get_by_role('button', name=self.gettext(button)).click()
        dialog.wait_for(state='hidden')

    def preferences(self):
        """The user's preferences dialog (sao closes every tab first, once
        the user confirms)"""
        page = self.page
        tabs_open = bool(self.tab_names())
        page.locator('#user-preferences > a').click()
        page.locator('#user-preferences a',
            has_text=self.gettext('Preferences...')).click()
        if tabs_open:
            self.close_dialog(
                page.locator('.confirmation-dialog:visible'), 'OK')
        dialog = page.locator('.modal:visible',
            has=page.locator('select[name=company]'))
        dialog.wait_for()
        return dialog

    def fits(self):
        """How the current tab fits its area: the tab's and each list's
        (scrollWidth, clientWidth), the titles of the lists that are cut
        and the cells whose text is cut (sao ends them in an ellipsis)"""
        return self.current_tab.evaluate('''pane => {
            const over = e => e.clientWidth > 0
                && e.scrollWidth > e.clientWidth + 1;
            const shown = e => e.offsetParent !== null && e.innerText.trim();
            const all = selector => Array.from(
                pane.querySelectorAll(selector)).filter(shown);
            return {
                tab: [pane.scrollWidth, pane.clientWidth],
                lists: all('.treeview').map(
                    e => [e.scrollWidth, e.clientWidth]),
                titles: all('table.tree > thead th > div > label').filter(
                    over).map(e => e.innerText.trim()),
                cells: all('table.tree > tbody td').filter(e => [e,
                        ...e.querySelectorAll('.widget > *')].some(over))
                    .map(e => e.innerText.trim()),
            };
        }''')

    def scroll_top(self):
        "Scroll the current tab back to its top, as it opened"
        self.current_tab.evaluate('''pane => {
            for (let e = pane; e; e = e.parentElement) { e.scrollTop = 0; }
            pane.querySelectorAll('*').forEach(e => { e.scrollTop = 0; });
        }''')

    def all_text(self):
        "Every text of the page, with the values of its entries"
        return self.page.evaluate('''() => [document.body.innerText].concat(
            Array.from(document.querySelectorAll('input, textarea'),
                e => e.value),
            Array.from(document.querySelectorAll('option'),
                e => e.textContent)).join('\\n')''')
