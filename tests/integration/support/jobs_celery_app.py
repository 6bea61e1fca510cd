"""The Celery app for test_job_queues.py: broker and result backend are both the
server under test, given in $JOBS_REDIS_URL (the worker subprocess imports this
module with `celery -A jobs_celery_app`)."""

import os

from celery import Celery

URL = os.environ["JOBS_REDIS_URL"]

app = Celery("jobs_celery_app", broker=URL, backend=URL)
app.conf.update(
    result_expires=600,
    # Fail fast rather than retrying for minutes when the server is unusable.
    broker_connection_retry=False,
    broker_connection_retry_on_startup=False,
    broker_connection_max_retries=0,
    worker_hijack_root_logger=False,
)


@app.task
def add(x, y):
    return x + y


@app.task
def total(xs):
    return sum(xs)


@app.task
def boom(x):
    raise ValueError(f"boom {x}")
