"""The workbench's own shared state: lifecycle events, promotion requests and model locks, deployments."""
