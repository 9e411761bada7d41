"""A JSON-RPC client on Tryton's WSGI application, in this process.

It speaks to ``trytond.wsgi.app`` exactly as the desktop client speaks to a
server: ``common.db.login`` with a password, then every call with the
``Authorization: Session`` header, the user's preferences as context.  No
port is opened: werkzeug's test client calls the application directly.
"""
import base64
import itertools
import json

from werkzeug.test import Client


class RPCError(Exception):
    "The server answered with an error: args are Tryton's error tuple"

    @property
    def name(self):
        return self.args[0] if self.args else ''


class JSONRPCClient:

    def __init__(self, database):
        from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder
        from trytond.wsgi import app
        self.encoder, self.decoder = JSONEncoder, JSONDecoder()
        self.database = database
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
        response = self.client.post(
            f'/{self.database}/rpc/', headers=headers, data=body)
        if response.status_code != 200:
            raise RPCError(str(response.status_code), response.get_data(True))
        data = json.loads(response.get_data(True), object_hook=self.decoder)
        if 'error' in data:
            raise RPCError(*data['error'])
        return data['result']

    def login(self, login, password):
        user_id, session, *_ = self._post(
            'common.db.login', [login, {'password': password}, 'en'])
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.authorization = f'Session {token}'
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
