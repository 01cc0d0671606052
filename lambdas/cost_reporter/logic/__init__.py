"""Pure logic of the cost reporter (no boto3 except in ``service``, which orchestrates the ``dal``)."""
