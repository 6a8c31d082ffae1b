"""After the load: the run's summary for the operator, its Prefect artifacts and the webhook."""
