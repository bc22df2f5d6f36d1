"""Solve jobs on Celery workers (``JOB_BACKEND=celery``): the app, the task, the runner."""
