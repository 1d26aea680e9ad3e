# bench/automake.mk: benchmarks against Open vSwitch.  Shipped, never built
# or run by `make check`: a benchmark prints numbers, it is not a test.
EXTRA_DIST += \
	bench/README.md \
	bench/lib.sh \
	bench/forwarding.sh \
	bench/flowmod.sh \
	bench/offload.sh \
	bench/soak.sh \
	bench/soak-churn.py \
	bench/ofp-latency.py
