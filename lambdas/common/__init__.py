"""Code shared by the Lambda functions and the CDK app: the instance catalog and tag keys (``catalog``,
``tags``), and, for the Lambda functions, client configuration and endpoint listing (``aws``), throttling
backoff (``retry``) and environment parsing (``env``)."""
