"""gunicorn's settings, read from the working directory by every `gunicorn noms_commissioning.wsgi:application`
(docker-compose.yml, README "Deployment", bench/load). Command-line options still win over these.

Each worker freezes what start-up made (Django, the URL resolvers, the templates' code, the schema)
once it has loaded the application (issue #22): the garbage collector no longer walks those hundreds
of thousands of long-lived objects on every full collection, which added 80–90 ms to one request in
nine. What requests create is collected as before.
"""

import gc


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
