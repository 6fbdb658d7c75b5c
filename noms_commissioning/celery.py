"""The Celery app: configured from Django settings (CELERY_* names).

Each worker process freezes what start-up made once it is ready (issue #22, as gunicorn.conf.py does
for the web workers): full garbage collections then walk only what tasks create.
"""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "noms_commissioning.settings.local")

app = Celery("noms_commissioning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_start_up_objects(**_signal):
    gc.collect()
    gc.freeze()
