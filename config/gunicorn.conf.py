# gunicorn settings of the Kazan accounting service (production shape).
#
#   TRYTOND_CONFIG=/etc/kazan/trytond.conf TRYTOND_DATABASE_NAMES=kazan \
#       gunicorn -c config/gunicorn.conf.py
#
# trytond is a synchronous WSGI application: each worker process serves one
# request at a time, so the workers are the concurrency.  Caches are
# invalidated between them through PostgreSQL (trytond.conf: [cache]
# clean_timeout = 0).  Everything can be set from the environment:
#   KAZAN_LISTEN    address to bind (default 127.0.0.1:8000: nginx in front)
#   KAZAN_WORKERS   worker processes (default 2 per core + 1)
#   KAZAN_TIMEOUT   seconds a request may run before its worker is killed
import multiprocessing
import os

wsgi_app = 'trytond.application:app'
bind = os.environ.get('KAZAN_LISTEN', '127.0.0.1:8000')
workers = int(os.environ.get('KAZAN_WORKERS')
    or multiprocessing.cpu_count() * 2 + 1)
worker_class = 'sync'
# The statements of a founder's institutions take seconds, not minutes;
# a request stuck longer is killed and its transaction rolled back.
timeout = int(os.environ.get('KAZAN_TIMEOUT') or 300)
graceful_timeout = 30
# Load the modules once in the master (trytond.application initialises the
# pool of TRYTOND_DATABASE_NAMES and closes its connections, so nothing
# open is shared): a worker killed or recycled is back in milliseconds.
preload_app = True
# Recycle workers now and then: a leak in one request cannot grow forever.
max_requests = int(os.environ.get('KAZAN_MAX_REQUESTS') or 5000)
max_requests_jitter = max_requests // 10
# Behind nginx on the same host: trust its X-Forwarded-* headers
forwarded_allow_ips = '127.0.0.1'
# One logging configuration for gunicorn and trytond (config/logging.conf),
# to stderr (journald).  Not TRYTOND_LOGGING_CONFIG: trytond would load it
# with fileConfig's default, which silences gunicorn's own loggers.
logconfig = os.environ.get('KAZAN_LOGGING_CONFIG') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'logging.conf')
# gunicorn 27's control socket (~/.gunicorn/gunicorn.ctl) is one per user:
# several servers of one user (tests, benchmarks) would share it
control_socket_disable = True
raw_env = []
if not os.environ.get('TRYTOND_DATABASE_NAMES'):
    # trytond must preload its database: started without it, the first
    # login fails (KeyError: 'res.user')
    raw_env.append('TRYTOND_DATABASE_NAMES='
        + os.environ.get('KAZAN_DATABASE', 'kazan'))
