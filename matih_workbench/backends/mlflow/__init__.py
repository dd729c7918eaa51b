"""MLflow: the tracking client and its fast SQL read path, the model registry, training runs, the metric
logger and its sink, and the demo data."""
