"""A JSON-RPC client as the desktop client speaks to Tryton.

``common.db.login`` with a password, then every call with the
``Authorization: Session`` header and the user's preferences as context.
It speaks to ``trytond.wsgi.app`` in this process (werkzeug's test client,
no port opened) or over HTTP to a running server.
"""
import base64
import itertools
import json
import urllib.error
import urllib.request

from werkzeug.test import Client


class RPCError(Exception):
    "The server answered with an error: args are Tryton's error tuple"

    @property
    def name(self):
        return self.args[0] if self.args else ''


class JSONRPCClient:

    def __init__(self, database, url=None):
        """Speak to the WSGI application in this process, or, given url
        (http://host:port), to a running server"""
        from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder
        self.encoder, self.decoder = JSONEncoder, JSONDecoder()
        self.database = database
        self.url = url
        if url is None:
            from trytond.wsgi import app
            self.client = Client(app)
        self.ids = itertools.count(1)
        self.authorization = None
        self.context = {}

    def _post(self, method, params):
        headers = {}
        if self.authorization:
            headers['Authorization'] = self.authorization
        headers['Content-Type'] = 'application/json'
        body = json.dumps({
                'id': next(self.ids), 'method': method, 'params': params},
            cls=self.encoder)
        status, text = self.send(f'/{self.database}/rpc/', headers, body)
        if status != 200:
            raise RPCError(str(status), text)
        data = json.loads(text, object_hook=self.decoder)
        if 'error' in data:
            raise RPCError(*data['error'])
        return data['result']

    def send(self, path, headers, body):
        if self.url is None:
            response = self.client.post(path, headers=headers, data=body)
            return response.status_code, response.get_data(True)
        request = urllib.request.Request(self.url + path,
            data=body.encode(), headers=headers, method='POST')
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, login, password):
        user_id, session, *_ = self._post(
            'common.db.login', [login, {'password': password}, 'en'])
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.authorization = f'Session {token}'
        self.session_key = session
        self.user_id = user_id
        self.context = self._post(
            'model.res.user.get_preferences', [True, {}])
        return user_id

    def set_preferences(self, values):
        "Change preferences (e.g. the current company) as the client does"
        self.model('res.user', 'set_preferences', values)
        self.context = {}
        self.context = self._post(
            'model.res.user.get_preferences', [True, {}])

    def model(self, model, method, *args):
        return self._post(
            f'model.{model}.{method}', [*args, self.context])

    def report(self, name, ids, data):
        "Execute a report as the client prints it: (ext, content, ...)"
        return self._post(f'report.{name}.execute', [ids, data, self.context])
