# GovCrawl set-up and the two commands of the README.
#   make demo   - install everything, sweep the bundled demo sites, write the bulletin
#   make test   - install everything, run the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup system-deps bench clean

setup: $(STAMP)

# Debian's chromium (scrapy-playwright's browser), redis-server (distributed mode),
# postgresql (the shared store of workers on several machines; the tests start their own
# server), a CJK font so rendered reports and screenshots are readable, and
# libime-data-language-model (fcitx5's word trigram model of Chinese, 17 MB: the typo
# detector's context model), and g++, which pip needs to build the kenlm module that reads it.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null \
	    || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || [ ! -d /usr/share/fonts/truetype/wqy ] \
	    || ! ls /usr/lib/*/libime/zh_CN.lm >/dev/null 2>&1 || ! command -v g++ >/dev/null; then \
	  echo "installing Debian packages chromium, redis-server, postgresql, a CJK font, libime's language model and g++"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium redis-server postgresql fonts-wqy-microhei libime-data-language-model g++ >/dev/null; \
	fi

$(STAMP): pyproject.toml | system-deps
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: setup
	$(BIN)/govcrawl demo

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var
