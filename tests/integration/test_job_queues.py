"""Job queues on the server: Celery (python3-celery).

The tool runs unchanged, its worker as a subprocess, exactly as a user would
start it; the server is its only store (broker queues and result backend).
Besides the results, the test checks that the server never answered the tool
with an error and logged no warning (support/jobs_common.ServerWatch).

RQ's test (1,000 jobs) waits on the `wip/rq-streams` branch: RQ 1.13 stores
results in streams, which baozi does not implement yet.
"""

from __future__ import annotations

import gc
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))

from jobs_common import SUPPORT_DIR, ServerWatch, Tool  # noqa: E402

def test_celery_worker_runs_a_chord(server, tmp_path, monkeypatch):
    url = f"redis://{server.host}:{server.port}/0"
    env = dict(os.environ, JOBS_REDIS_URL=url, PYTHONPATH=str(SUPPORT_DIR))
    monkeypatch.setenv("JOBS_REDIS_URL", url)
    # The app module reads the URL at import: import it fresh for this server.
    sys.modules.pop("jobs_celery_app", None)
    import jobs_celery_app as app_mod
    from celery import chord

    watch = ServerWatch(server)
    worker = Tool(
        [sys.executable, "-m", "celery", "-A", "jobs_celery_app", "worker",
         "--pool", "solo", "--loglevel", "INFO", "--hostname", "jobs@localhost"],
        tmp_path / "celery-worker.log", cwd=tmp_path, env=env)
    with worker:
        try:
            header = [app_mod.add.s(i, i) for i in range(50)]
            result = chord(header)(app_mod.total.s())
            assert result.get(timeout=60) == sum(2 * i for i in range(50))
            assert result.successful()
            assert all(r.get(timeout=10) == 2 * i for i, r in enumerate(result.parent.results))

            bad = app_mod.boom.delay(7)
            with pytest.raises(ValueError, match="boom 7"):
                bad.get(timeout=60)
            assert bad.state == "FAILURE"
        except BaseException:
            print(worker.log_tail())
            raise
        finally:
            rc = worker.terminate(30)
        # AsyncResult.__del__ talks to the backend: let it do so while the
        # server is still up, not at interpreter exit.
        result = bad = header = None
        gc.collect()
        app_mod.app.close()
    log = worker.log()
    assert rc == 0, worker.log_tail()
    assert "jobs@localhost ready." in log, worker.log_tail()
    for needle in ("ResponseError", "Connection to broker lost", "Cannot connect to redis"):
        assert needle not in log, worker.log_tail()
    # Kombu loads its Lua scripts with EVALSHA and falls back to EVAL on
    # NOSCRIPT: that error is part of the protocol, not a failure.
    watch.check(allowed={"NOSCRIPT"})
