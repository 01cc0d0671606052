# `make demo`: infersave's whole job against a local AWS emulator (see demo/README.md).
# Included from the Makefile (`include demo/demo.mk`); uses its PY, SHELL and exported offline CDK settings.
# `install` as a prerequisite does the (cold) install on a fresh clone; the recipe then times a warm
# `make install` (what a second run pays) and hands the figure to the demo's phase table.
.PHONY: demo

demo: install
	@t0=$$($(PY) -c 'import time; print(time.time())'); \
	$(MAKE) --no-print-directory install; \
	t1=$$($(PY) -c 'import time; print(time.time())'); \
	$(PY) -m demo --install-seconds "$$($(PY) -c "print(round($$t1 - $$t0, 2))")"
