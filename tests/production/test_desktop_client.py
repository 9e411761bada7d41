"""The Tryton desktop client (GTK) works the running stack.

``desktop_client.py`` runs the real client under Xvfb: the accountant logs
in through the client's dialogs, switches the current institution in the
preferences and opens the trial balance from the menu; the test checks what
the window shows against the server and keeps the screenshot
(``desktop-trial-balance.png`` in the artifacts).

The client lives in its own venv (Debian's python with PyGObject), made by
``.ci/desktop-client.sh``; ``KAZAN_DESKTOP_PYTHON`` names another python.
"""
import datetime as dt
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess

import pytest

from tests.rpc import JSONRPCClient

REPO = pathlib.Path(__file__).resolve().parents[2]
DRIVER = pathlib.Path(__file__).with_name('desktop_client.py')
DESKTOP_PYTHON = pathlib.Path(os.environ.get(
        'KAZAN_DESKTOP_PYTHON',
        REPO / 'var' / 'desktop-venv' / 'bin' / 'python'))
INSTALL = "bash .ci/desktop-client.sh (от root: ставит пакеты Debian)"
SCREEN = (1920, 1080)
TIMEOUT = 120  # the driver's own; a run takes about 5 s
AMOUNTS = ['opening_debit', 'opening_credit', 'debit', 'credit',
    'closing_debit', 'closing_credit']
# Russian numbers: thousands grouped by a no-break space, a decimal comma
NUMBER = re.compile(r'-?\d{1,3}(?:\u00a0\d{3})*,\d{2}')


def desktop_python():
    if not DESKTOP_PYTHON.exists() or not shutil.which('xvfb-run'):
        pytest.fail(
            "нет настольного клиента Tryton или Xvfb "
            f"({DESKTOP_PYTHON}); установите их: {INSTALL} "
            "(или укажите python клиента в KAZAN_DESKTOP_PYTHON)",
            pytrace=False)
    return DESKTOP_PYTHON


def run_driver(python, stack, screenshot):
    "Run the driver under its own X server; kill them all on a hang"
    command = ['xvfb-run', '-a', '-s',
        '-screen 0 {}x{}x24 -nolisten tcp'.format(*SCREEN),
        str(python), str(DRIVER),
        '--url', stack.url, '--database', stack.database,
        '--login', stack.accountant.login,
        '--screenshot', str(screenshot), '--timeout', str(TIMEOUT)]
    env = dict(os.environ, KAZAN_DESKTOP_PASSWORD=stack.accountant.password)
    for name in ['PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME']:
        env.pop(name, None)
    process = subprocess.Popen(command, env=env, cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT + 60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"the desktop client hung:\n{stderr[-3000:]}")
    return process.returncode, stdout, stderr


def server_rows(client, company, view_context):
    "The trial balance rows the server gives for the window's context"
    context = dict(client.context, company=company,
        from_date=dt.date.fromisoformat(view_context['from_date']),
        to_date=dt.date.fromisoformat(view_context['to_date']),
        kfo=view_context['kfo'], posted=view_context['posted'])
    return client._post('model.kazan.trial_balance.search',
        [[], 0, None, None, context])


def test_accountant_switches_institution_and_opens_trial_balance(stack):
    python = desktop_python()
    client = JSONRPCClient(stack.database, url=stack.url)
    client.login(stack.accountant.login, stack.accountant.password)
    company_before = client.context['company']
    action_name, = [a['name'] for a in client.model(
            'ir.action.act_window', 'search_read',
            [('res_model', '=', 'kazan.trial_balance')],
            0, None, None, ['name'])]
    screenshot = stack.artifacts / 'desktop-trial-balance.png'
    screenshot.unlink(missing_ok=True)

    try:
        returncode, stdout, stderr = run_driver(python, stack, screenshot)
    finally:
        # the switch is saved in the user's preferences: leave them as found
        client.set_preferences({'company': company_before})
    assert returncode == 0, stderr[-3000:]
    summary = json.loads(stdout)

    assert summary['user']['login'] == stack.accountant.login
    assert summary['client_version'].split('.')[:2] == ['8', '0']
    # the institution switched, and the window shows the new one only
    company_from = summary['company_from']['id']
    company_to = summary['company_to']['id']
    assert company_from == company_before
    assert company_to != company_from
    assert summary['context_company'] == company_to
    assert summary['company_to']['name'] in summary['main_title']
    assert summary['view_context']['company'] == company_to
    assert summary['row_companies'] == [company_to]
    # the trial balance window, in Russian
    assert summary['model'] == 'kazan.trial_balance'
    assert action_name == 'Оборотно-сальдовая ведомость'
    assert summary['window_title'].endswith(action_name)
    # the rows shown are the server's, in its order
    assert summary['rows'] > 0
    assert summary['rows'] == len(summary['row_ids'])
    assert summary['row_ids'] == server_rows(
        client, company_to, summary['view_context'])

    # the columns an accountant reads: the code and the name apart, the
    # КФО by its digit, the amounts whole (with ₽) under titles not cut,
    # their totals under the titles; the name takes the rest of the width
    columns = {c['name']: c for c in summary['columns']}
    assert list(columns) == ['account_code', 'account_name', 'kfo',
        *AMOUNTS]
    assert [c['title'] for c in summary['columns']] == ['Код',
        'Наименование счета', 'КФО', 'Сальдо нач. Дт', 'Сальдо нач. Кт',
        'Оборот Дт', 'Оборот Кт', 'Сальдо кон. Дт', 'Сальдо кон. Кт']
    assert not any(c['title_cut'] for c in summary['columns']), columns
    for name in AMOUNTS:
        column = columns[name]
        assert not column['text_cut'], column
        assert column['texts'], column
        for text in column['texts']:
            number, symbol = text.rsplit(' ', 1)
            assert NUMBER.fullmatch(number) and symbol == '₽', column
        for total in column['sum'].split('\n'):
            assert NUMBER.fullmatch(total), column
    assert all(t.isdigit() for t in columns['kfo']['texts'])
    assert columns['account_name']['width'] >= 400, columns
    # in the language of the user: money and numbers with a decimal comma
    assert summary['locale'] == {
        'decimal_point': ',', 'thousands_sep': '\u00a0',
        'mon_decimal_point': ',', 'mon_thousands_sep': '\u00a0'}
    # and the core's menu too
    assert 'Финансы' in summary['menu'], summary['menu']
    assert not {'Financial', 'Parties'} & set(summary['menu'])

    assert screenshot.is_file()
    assert screenshot.stat().st_size > 50_000
    from PIL import Image, ImageStat
    with Image.open(screenshot) as image:
        assert image.format == 'PNG'
        assert image.size == SCREEN
        sample = image.convert('RGB').resize((480, 270))
    # a drawn window: many colours and contrast, not a blank or black frame
    assert len(sample.getcolors(480 * 270)) > 100
    assert min(ImageStat.Stat(sample.convert('L')).stddev) > 10
    assert summary['screenshot_colours'] > 100
