"""The local demo: infersave's whole job against a local AWS emulator, with nothing faked past the AWS APIs.

``python -m demo`` (``make demo``) starts the project's moto server on a free loopback port, deploys the real
CDK app into it with the real ``cdk`` CLI, replays a seeded month of traffic and billing for the endpoints of
``infersave.yaml`` through CloudWatch and (queued) Cost Explorer answers, runs the deployed cost reporter's
handler as the monthly schedule would (in a child process, under the deployed function's environment),
downloads the report to ``./out/`` and stops the server.

Modules: :mod:`demo.cli` (phases), :mod:`demo.local_aws` (emulator process, CDK CLI),
:mod:`demo.traffic`, :mod:`demo.cron`, :mod:`demo.simulator`, :mod:`demo.scenario` (the scenario),
:mod:`demo.billing` (Cost Explorer answers), :mod:`demo.replay` (into the emulator), :mod:`demo.report`
(the report run, budget state), ``emulator/lambda_child.py`` (one handler invocation in a fresh process).
The scenario and its simplifications are described in ``demo/README.md``.
"""
