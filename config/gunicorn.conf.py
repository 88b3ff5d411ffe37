"""gunicorn settings for production: `make serve-prod`, or
`gunicorn -c config/gunicorn.conf.py wsgi:app`. Environment variables override."""

import multiprocessing
import os

bind = os.environ.get("CAMPUS_BIND", "127.0.0.1:8000")
# The usual rule of thumb, capped so a big machine does not exhaust database connections.
workers = int(os.environ.get("CAMPUS_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("CAMPUS_THREADS", 2))
timeout = 60
graceful_timeout = 30  # on SIGTERM or HUP, running requests may finish
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The path without its query string (searches and filters may hold names or addresses);
# the app's own line for the request (same rid) says which user id it was.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("CAMPUS_FORWARDED_ALLOW_IPS", "127.0.0.1")
