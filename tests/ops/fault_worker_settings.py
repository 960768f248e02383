"""Settings of the Celery workers that tests/ops/test_worker_faults.py kills and restarts:
the test settings, with Redis handing an unacknowledged task to another worker after
FAULT_VISIBILITY_TIMEOUT seconds instead of the default hour, and a new worker looking for
such tasks every second. (A worker killed as a whole, SIGKILL of its main process, cannot
reject its task: with acks_late the message waits in Redis' unacked set for this timeout.)"""

import os

from cms.settings.test import *  # noqa: F403
from cms.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

# Longer than one run of the tasks under test, or Redis would hand a running task out again.
VISIBILITY_TIMEOUT = int(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "40"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
