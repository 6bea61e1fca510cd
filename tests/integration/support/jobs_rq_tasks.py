"""Job functions for test_job_queues.py's RQ worker (imported by name by the worker)."""


def square(x):
    return {"n": x, "square": x * x}


def boom(x):
    raise ValueError(f"boom {x}")
