"""infersave's CDK code: config models, constructs (one logical unit per module) and the stacks that wire them."""
