"""Drive the Tryton desktop client (GTK 3) against a running server.

Run with the python of the desktop venv (.ci/desktop-client.sh) under an X
server (Xvfb)::

    KAZAN_DESKTOP_PASSWORD=... xvfb-run -a -s '-screen 0 1920x1080x24' \\
        var/desktop-venv/bin/python tests/production/desktop_client.py \\
        --url http://127.0.0.1:8000 --database kazan --login accountant \\
        --screenshot trial-balance.png

It starts the client's own ``tryton.client.main()`` and works its windows as a
person would, from a robot called by the GTK main loop:

1. the login dialog (host, database and login filled from a fresh profile):
   "Connect", which runs the client's server version check;
2. the password dialog: types the password (from $KAZAN_DESKTOP_PASSWORD,
   kept off the command line) and "OK";
3. the preferences dialog: another institution in "Company", "OK" (the
   client then calls ``res.user.set_preferences`` and reloads its context);
4. the menu entry of the trial balance (the keyword ``tree_open`` on
   ``ir.ui.menu``, as a double click on the menu does);
5. waits for the rows, saves a PNG of the main window (GdkPixbuf) and
   prints a JSON summary on stdout.

Any error or warning dialog of the client, a second password prompt, or the
timeout ends it with a non-zero exit and the reason on stderr.
"""
import argparse
import json
import locale
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from urllib.parse import urlparse

TICK_MS = 100
SETTLE_S = 1.0  # quiet time after the last row before the screenshot
PROFILE = []    # the client's configuration directory, removed at the end


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--url', required=True,
        help="the server, http://host:port")
    parser.add_argument('--database', required=True)
    parser.add_argument('--login', required=True)
    parser.add_argument('--company', type=int,
        help="id of the institution to switch to "
        "(default: the user's first other than the current)")
    parser.add_argument('--screenshot', required=True,
        help="PNG file of the main window")
    parser.add_argument('--timeout', type=float, default=120)
    args = parser.parse_args(argv)
    args.password = os.environ.get('KAZAN_DESKTOP_PASSWORD')
    if not args.password:
        parser.error("the password goes in $KAZAN_DESKTOP_PASSWORD")
    return args


class Failure(Exception):
    pass


def client_profile(args):
    """A fresh configuration directory and tryton.conf: no profile of a
    previous run, no version check against the internet"""
    root = tempfile.mkdtemp(prefix='kazan-tryton-')
    PROFILE.append(root)
    os.environ['XDG_CONFIG_HOME'] = root
    url = urlparse(args.url)
    conf = os.path.join(root, 'tryton.conf')
    with open(conf, 'w', encoding='utf-8') as f:
        f.write('[login]\n'
            'profile = \n'
            f'host = {url.netloc}\n'
            f'db = {args.database}\n'
            f'login = {args.login}\n'
            'expanded = True\n'
            '[client]\n'
            'check_version = False\n'
            'lang = ru\n')
    return conf


def main(argv=None):
    args = parse_args(argv)
    conf = client_profile(args)
    # A hang in a blocking call is out of GLib's reach
    signal.signal(signal.SIGALRM, lambda *a: _die(
            f"timeout: no end after {args.timeout + 30:.0f} s"))
    signal.alarm(int(args.timeout) + 30)

    import gi
    gi.require_version('Gtk', '3.0')
    gi.require_version('Gdk', '3.0')
    import tryton
    import tryton.client
    from gi.repository import GLib
    from tryton.gui.window import preference
    from tryton.gui.window.dblogin import DBLogin

    robot = Robot(args)
    # Remember the dialogs the client makes, to work them as a person would
    _spy(DBLogin, 'run', robot.dblogins)
    _spy(preference.Preference, '__init__', robot.preferences)

    sys.argv = ['tryton', '-c', conf]
    GLib.timeout_add(TICK_MS, robot.tick)
    GLib.timeout_add(int(args.timeout * 1000), robot.timeout)
    robot.started = time.monotonic()
    try:
        tryton.client.main()
    except Exception:
        robot.fail(traceback.format_exc())
    if robot.error:
        _die(robot.error)
    if robot.summary is None:
        _die("the client ended before the trial balance was shown")
    robot.summary['client_version'] = tryton.__version__
    print(json.dumps(robot.summary, ensure_ascii=False, indent=2))
    sys.stdout.flush()
    _exit(0)


def _spy(cls, name, instances):
    original = getattr(cls, name)

    def spy(self, *args, **kwargs):
        instances.append(self)
        return original(self, *args, **kwargs)
    setattr(cls, name, spy)


def _die(message):
    sys.stderr.write(f'desktop_client: {message}\n')
    sys.stderr.flush()
    _exit(1)


def _exit(code):
    for root in PROFILE:
        shutil.rmtree(root, ignore_errors=True)
    # The client's bus thread may still be polling: do not wait for it
    os._exit(code)


class Robot:
    "Steps through the scenario, one GLib tick at a time"

    def __init__(self, args):
        self.args = args
        self.dblogins = []
        self.preferences = []
        self.error = None
        self.summary = None
        self.timings = {}
        self.scenario = self.run()
        self.waiting = None   # (label, predicate) of the current step
        self.seen = ''        # what the current step last saw, for errors
        self.busy = False

    # -- the GLib side --

    def tick(self):
        if self.error is not None or self.summary is not None:
            return False
        if self.busy:  # a nested main loop of a step of ours
            return True
        self.busy = True
        try:
            self.check_dialogs()
            value = None
            if self.waiting is not None:
                label, predicate = self.waiting
                value = predicate()
                if not value:
                    return True
            self.waiting = self.scenario.send(value)
        except StopIteration:
            return False
        except Failure as failure:
            self.fail(str(failure))
            return False
        except Exception:
            self.fail(traceback.format_exc())
            return False
        finally:
            self.busy = False
        return True

    def timeout(self):
        label = self.waiting[0] if self.waiting else 'start'
        dialogs = [dialog_text(d) for d in self.visible_message_dialogs()]
        self.fail(f"timeout after {self.args.timeout:.0f} s waiting for: "
            f"{label}" + (f" (seen: {self.seen})" if self.seen else '')
            + (f"; dialogs: {dialogs}" if dialogs else ''))
        return False

    def fail(self, message):
        if self.error is None:
            self.error = message
        from gi.repository import Gtk
        from tryton.gui import Main

        # Close the dialogs (their nested loops) and the application
        for window in Gtk.Window.list_toplevels():
            if isinstance(window, Gtk.Dialog) and window.get_visible():
                window.response(Gtk.ResponseType.CANCEL)
        app = Main._instance
        if app is not None:
            app.quit()
        else:
            _die(message)

    def check_dialogs(self):
        """Fail on the client's messages (errors, warnings, "Incompatible
        version of the server"); questions are the steps' business"""
        from gi.repository import Gtk
        for dialog in self.visible_message_dialogs():
            if dialog.props.message_type == Gtk.MessageType.QUESTION:
                continue
            raise Failure("the client says: " + dialog_text(dialog))

    @staticmethod
    def visible_message_dialogs():
        from gi.repository import Gtk
        return [w for w in Gtk.Window.list_toplevels()
            if isinstance(w, Gtk.MessageDialog) and w.get_visible()]

    def password_dialog(self):
        from gi.repository import Gtk
        for dialog in self.visible_message_dialogs():
            entries = [w for w in walk(dialog)
                if isinstance(w, Gtk.Entry) and not w.get_visibility()]
            if entries:
                return dialog, entries[0]

    def mark(self, name):
        self.timings[name] = round(time.monotonic() - self.started, 2)

    # -- the scenario --

    def run(self):
        from gi.repository import GLib, Gtk
        from tryton import rpc
        from tryton.action import Action
        from tryton.common import RPCExecute
        from tryton.config import CONFIG
        from tryton.gui import Main

        args = self.args
        url = urlparse(args.url)

        # 1. The login dialog, filled from the profile
        dblogin = yield ('the login dialog', lambda: (
                self.dblogins and self.dblogins[-1].dialog.get_visible()
                and self.dblogins[-1]))
        filled = (dblogin.entry_host.get_text(),
            dblogin.entry_database.get_text(), dblogin.entry_login.get_text())
        if filled != (url.netloc, args.database, args.login):
            raise Failure(f"the login dialog shows {filled}")
        dblogin.dialog.response(Gtk.ResponseType.OK)

        # 2. The password, typed into the client's dialog
        dialog, entry = yield ('the password dialog', self.password_dialog)
        self.mark('login_dialog')
        entry.set_text(args.password)
        dialog.response(Gtk.ResponseType.OK)
        yield ('the dialog to close', lambda: not dialog.get_visible())
        # A wrong password makes the client ask again
        yield ('the main window with the user\'s menu', lambda: (
                self.password_dialog() and self.wrong_password()
                or (Main._instance is not None
                    and Main._instance.menu_screen is not None
                    and rpc._USER and 'company' in rpc.CONTEXT)))
        app = Main._instance
        self.mark('logged_in')
        # The client maximizes its window, which needs a window manager:
        # fill the screen ourselves, header bar (client-side) included
        area = app.window.get_display().get_monitor(0).get_geometry()
        app.window.move(area.x, area.y)
        app.window.resize(
            area.width, area.height - app.header.get_allocated_height())

        prefs = RPCExecute('model', 'res.user', 'get_preferences', False)
        company_from = rpc.CONTEXT['company']
        companies = sorted(prefs.get('companies') or [])
        if args.company is not None:
            if args.company not in companies:
                raise Failure(f"institution {args.company} is not among "
                    f"the user's {companies}")
            company_to = args.company
        else:
            others = [c for c in companies if c != company_from]
            if not others:
                raise Failure(f"the user has one institution: {companies}")
            company_to = others[0]
        name_from = prefs.get('company.rec_name')
        name_to, = RPCExecute('model', 'company.company', 'read',
            [company_to], ['rec_name'])
        name_to = name_to['rec_name']

        # 3. The preferences dialog: another company, OK
        app.activate_action('preferences', None)
        window = yield ('the preferences dialog', lambda: (
                self.preferences and self.preferences[-1].win is not None
                and self.preferences[-1].win.get_visible()
                and self.preferences[-1]))
        record = window.screen.current_record
        if 'company' not in record.group.fields:
            raise Failure("the preferences have no company field")
        record.group.fields['company'].set_client(
            record, (company_to, name_to))
        window.screen.display()
        self.mark('preferences')
        window.win.response(Gtk.ResponseType.OK)
        yield ('the context of the new company', lambda: (
                window.win is None or not window.win.get_visible())
            and rpc.CONTEXT.get('company') == company_to)
        main_title = app.header.get_title()
        self.mark('company_switched')

        # 4. The trial balance from its menu entry
        menu_id = self.trial_balance_menu()
        Action.exec_keyword('tree_open', {
                'model': 'ir.ui.menu', 'id': menu_id}, warning=False)
        page = yield ('the trial balance tab', lambda: (
                (page := app.get_page()) is not None
                and getattr(page, 'model', None) == 'kazan.trial_balance'
                and page))
        screen = page.screen
        last = [None, time.monotonic()]

        def settled():
            view = screen.current_view
            if view is None or view.view_type != 'tree':
                return False
            model = view.treeview.get_model()
            shown = model.iter_n_children(None) if model else -1
            state = (shown, len(screen.group),
                all(r.get_loaded(['account']) for r in screen.group))
            self.seen = (f"{time.monotonic() - last[1]:.1f} s; "
                f"view {view.view_type}, {shown} rows shown, "
                f"{state[1]} records, loaded: {state[2]}")
            if state != last[0]:
                last[:] = [state, time.monotonic()]
                return False
            return (state[2] and shown > 0
                and time.monotonic() - last[1] >= SETTLE_S)
        yield ('the rows of the trial balance', settled)
        # One more tick of the main loop draws what is queued
        app.window.queue_draw()
        yield ('the window drawn', lambda: True)
        self.mark('trial_balance_shown')

        context_record = screen.context_screen.current_record
        shown = screen.current_view.treeview.get_model().iter_n_children(None)
        rows = list(screen.group)
        colours = save_screenshot(app.window, args.screenshot)
        columns = list_columns(screen.current_view, rows)
        menu = [r['name'].get_client(r) for r in app.menu_screen.group]
        self.mark('screenshot')

        def value(record, name):
            value = record[name].get(record)
            return value.isoformat() if hasattr(value, 'isoformat') else value

        summary = {
            'user': {'login': CONFIG['login.login'], 'id': rpc._USER},
            'server': args.url,
            'database': CONFIG['login.db'],
            'company_from': {'id': company_from, 'name': name_from},
            'company_to': {'id': company_to, 'name': name_to},
            'context_company': rpc.CONTEXT.get('company'),
            'main_title': main_title,
            'window_title': page.name,
            'model': page.model,
            'view_context': {
                name: value(context_record, name)
                for name in ('company', 'from_date', 'to_date', 'kfo',
                    'posted')},
            'rows': shown,
            'row_ids': [r.id for r in rows],
            'row_companies': sorted({r['company'].get(r) for r in rows}),
            'first_rows': [r['account'].get_client(r) for r in rows[:3]],
            'columns': columns,
            'menu': menu,
            # what the client formats numbers with: the user's language
            'locale': {k: v for k, v in locale.localeconv().items()
                if k.endswith(('decimal_point', 'thousands_sep'))},
            'screenshot': os.path.abspath(args.screenshot),
            'screenshot_colours': colours,
            'timings': self.timings,
            }

        # 5. Quit as from the menu: the client asks to close the tabs
        GLib.idle_add(app.on_quit)
        dialog = yield ('the question to close the tabs', lambda: next(
                (d for d in self.visible_message_dialogs()
                    if d.props.message_type == Gtk.MessageType.QUESTION),
                None))
        dialog.response(Gtk.ResponseType.YES)
        self.mark('quit')
        self.summary = summary

    def wrong_password(self):
        raise Failure(f"the password of {self.args.login} is refused: the "
            "client asks for it again")

    def trial_balance_menu(self):
        "The menu entry that opens the trial balance window"
        from tryton.common import RPCExecute
        action_ids = RPCExecute('model', 'ir.action.act_window', 'search',
            [('res_model', '=', 'kazan.trial_balance')])
        targets = {f'ir.action.act_window,{i}' for i in action_ids}
        menus = RPCExecute('model', 'ir.ui.menu', 'search_read',
            [], 0, None, None, ['action'])
        found = [m['id'] for m in menus if m['action'] in targets]
        if not found:
            raise Failure("no menu entry opens the trial balance")
        return found[0]


def list_columns(view, records):
    """The visible columns of a list as drawn: name, title, width, whether
    the title is cut, the sum shown under it, and for the first rows the
    text of each cell (with its currency symbol) and whether it is cut"""
    from gi.repository import Gtk
    treeview = view.treeview
    columns = []
    for column in treeview.get_columns():
        if not column.name or not column.get_visible():
            continue
        labels = [w for w in walk(column.get_widget())
            if isinstance(w, Gtk.Label)]
        title = labels[0]
        widget = view.get_column_widget(column)
        texts, cut = [], False
        for record in records[:20]:
            text = widget.get_textual_value(record) or ''
            symbol = ''
            if getattr(widget, 'symbol', None):
                symbol, _ = record[widget.attrs['name']].get_symbol(
                    record, widget.symbol)
            shown = f'{text} {symbol}' if symbol else text
            texts.append(shown)
            # the cell's text, its symbol and the renderer's padding
            width, _ = treeview.create_pango_layout(shown).get_pixel_size()
            cut |= width + 8 > column.get_width()
        columns.append({
                'name': column.name,
                'title': title.get_text(),
                'width': column.get_width(),
                'title_cut': (title.get_preferred_width()[1]
                    > title.get_allocated_width()),
                'sum': labels[1].get_text() if len(labels) > 1 else None,
                'texts': texts[:5],
                'text_cut': cut,
                })
    return columns


def walk(widget):
    yield widget
    if hasattr(widget, 'get_children'):
        for child in widget.get_children():
            yield from walk(child)


def dialog_text(dialog):
    from gi.repository import Gtk
    texts = [w.get_text() for w in walk(dialog)
        if isinstance(w, Gtk.Label) and w.get_text()]
    props = dialog.props
    return ' | '.join(t for t in [props.text, props.secondary_text, *texts]
        if t)


def save_screenshot(window, path):
    """Save the window as drawn on the X server; return how many distinct
    colours a sample of its pixels has (1 for a blank window)"""
    from gi.repository import Gdk
    gdk_window = window.get_window()
    width, height = gdk_window.get_width(), gdk_window.get_height()
    pixbuf = Gdk.pixbuf_get_from_window(gdk_window, 0, 0, width, height)
    if pixbuf is None:
        raise Failure("the window could not be captured")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    pixbuf.savev(path, 'png', [], [])
    pixels = pixbuf.get_pixels()
    stride, channels = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    colours = set()
    for y in range(0, height, 8):
        for x in range(0, width, 8):
            i = y * stride + x * channels
            colours.add(bytes(pixels[i:i + 3]))
    return len(colours)


if __name__ == '__main__':
    main()
