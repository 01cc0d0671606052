"""AWS access of the cost reporter. Every function takes its boto3 client as an argument."""
