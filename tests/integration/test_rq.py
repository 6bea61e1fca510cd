"""RQ (python3-rq) on the server: 1,000 jobs with results and failures.

RQ 1.13 keeps job results in streams (XADD ... MAXLEN ~ 10 inside MULTI, then
XREVRANGE) whenever the server says it is Redis 5 or later, so this test also
exercises baozi's streams through a real worker process.
"""

from __future__ import annotations

import os
import sys

import redis

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))

from jobs_common import SUPPORT_DIR, ServerWatch, Tool  # noqa: E402

N_JOBS = 1000
FAIL_EVERY = 10  # every tenth job raises


def test_rq_worker_runs_1000_jobs_with_results_and_failures(server, tmp_path):
    from rq import Queue, Worker
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry
    from rq.results import Result

    import jobs_rq_tasks as tasks

    conn = redis.Redis(host=server.host, port=server.port, socket_timeout=30)
    watch = ServerWatch(server)
    q = Queue("jobs", connection=conn)

    def func(i):
        return tasks.boom if i % FAIL_EVERY == 0 else tasks.square

    # Half one by one (MULTI per job), half in one enqueue_many transaction.
    jobs = [q.enqueue(func(i), i, job_id=f"job-{i}") for i in range(N_JOBS // 2)]
    jobs += q.enqueue_many([
        Queue.prepare_data(func(i), (i,), job_id=f"job-{i}") for i in range(N_JOBS // 2, N_JOBS)
    ])
    assert len(q) == N_JOBS
    assert all(j.get_status() == JobStatus.QUEUED for j in jobs)

    # A real worker process in burst mode: it drains the queue and exits.
    # SimpleWorker runs jobs in the worker process itself (no fork per job).
    worker = Tool(
        ["rq", "worker", "--burst", "--worker-class", "rq.worker.SimpleWorker",
         "--url", f"redis://{server.host}:{server.port}/0", "--path", SUPPORT_DIR,
         "--name", "jobs-worker", "jobs"],
        tmp_path / "rq-worker.log", cwd=tmp_path)
    with worker:
        rc = worker.wait(120)
    assert rc == 0, worker.log_tail()

    assert len(q) == 0, worker.log_tail()
    failed = FailedJobRegistry(queue=q)
    finished = FinishedJobRegistry(queue=q)
    assert StartedJobRegistry(queue=q).count == 0
    expected_failed = {f"job-{i}" for i in range(0, N_JOBS, FAIL_EVERY)}
    assert set(failed.get_job_ids()) == expected_failed, worker.log_tail()
    assert finished.count == N_JOBS - len(expected_failed)

    for i, job in enumerate(jobs):
        job.refresh()
        if i % FAIL_EVERY == 0:
            assert job.get_status() == JobStatus.FAILED
            assert job.return_value() is None
            latest = job.latest_result()
            assert latest.type == Result.Type.FAILED
            assert f"ValueError: boom {i}" in latest.exc_string
            assert f"ValueError: boom {i}" in job.exc_info
        else:
            assert job.get_status() == JobStatus.FINISHED, (i, worker.log_tail())
            assert job.return_value() == {"n": i, "square": i * i}
            assert [r.type for r in job.results()] == [Result.Type.SUCCESSFUL]

    # A failed job can be requeued and fails again the same way.
    failed.requeue("job-0")
    assert q.job_ids == ["job-0"]

    # The burst worker unregistered itself on the way out.
    assert Worker.all(connection=conn) == []
    watch.check()
    conn.close()


