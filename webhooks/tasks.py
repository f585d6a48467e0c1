from celery import shared_task

from webhooks import services


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> None:
    """Attempt one webhook delivery; a duplicate or early task does nothing."""
    services.attempt_delivery(delivery_id=delivery_id)


@shared_task(acks_late=True)
def dispatch_due_deliveries() -> int:
    """Queue retries whose time has come and deliveries whose task was lost."""
    return services.dispatch_due()
