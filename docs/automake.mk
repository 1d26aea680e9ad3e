# docs/automake.mk
