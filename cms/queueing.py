"""Queue a Celery task from a request without letting a broker outage fail the request.

Used for work that a later run catches up on anyway (the nightly recompute): when the broker
cannot be reached, the request still succeeds and the miss is logged. Errors of the task
itself still raise in eager mode (tests, the embedded default): only broker errors are caught.
"""

import logging

from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# What publishing raises when Redis/RabbitMQ is gone or times out.
BROKER_UNAVAILABLE = (BrokerError, ConnectionError, TimeoutError)


def task_delay_or_log(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)` (`apply_async` with `countdown` seconds when given; eager
    Celery runs it at once either way); False (and a warning) when the broker is
    unavailable."""
    try:
        if countdown:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
        else:
            task.delay(*args, **kwargs)
    except BROKER_UNAVAILABLE as error:
        logger.warning("broker unavailable, %s not queued (%s): %s", task.name, args, error)
        return False
    return True
