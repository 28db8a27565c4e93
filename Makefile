# Thin aliases for ./platform, which does the work (and needs no make on a fresh machine).
.PHONY: up test setup bench
up:
	./platform up
test:
	./platform test
setup:
	./platform setup
bench:
	./platform bench
