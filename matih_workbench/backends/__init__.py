"""The only modules that import the engines (mlflow, ray, feast, evidently, boto3, tritonclient, vllm)."""
