"""Code shared by the Lambda functions and the CDK app: the instance catalog and tag keys."""
