"""Commands an operator runs by hand against AWS (or the local emulator): checks before a first deploy,
the Neuron compile job, and refreshers of the bundled data. Each module is ``python -m ops.<name>`` and has a
``make`` target."""
