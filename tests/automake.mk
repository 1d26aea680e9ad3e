# tests/: unit tests (cmocka, one program per module, added to UNIT_TESTS by
# the module's own automake.mk) run by `make check`; system tests (root,
# network namespaces) run by tests/run-all.sh.
TESTS += $(UNIT_TESTS)
check_PROGRAMS += $(UNIT_TESTS)
