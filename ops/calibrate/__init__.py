"""``make calibrate ENDPOINT=<name>``: measure the GPU capacity ratio of one endpoint with a load test against the
endpoint and a temporary GPU baseline endpoint (issue 10). ``mix`` (request mix from a trace), ``loadgen``
(open-loop levels, streamed timings), ``measure`` (pure figures and the rate search), ``sides`` (one endpoint's
search over repeats), ``result`` (calibration.json, config fields), ``command`` (the command)."""
