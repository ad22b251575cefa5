# Thin wrapper over Meson for the README's commands. Everything real lives in meson.build.
#   make          build build/customs
#   make deps     install the Debian packages customs needs (as root; else print the command)
#   make demo     deps + build + the demo image and vulnerability data from demo/, scanned
#   make check    deps + every test suite, in a normal and an ASan+UBSan build
#   make bench    deps + benchmarks (ratios against zcat/sha256sum of the same layers)
#   make fuzz     libFuzzer builds of every fuzz target, each run for FUZZ_SECONDS

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 5
PYTHON     ?= /usr/bin/python3

# Build and test dependencies (Debian 12 package names).
DEPS = gcc clang libclang-rt-14-dev pkg-config meson ninja-build python3 python3-jsonschema \
       libarchive-dev libjansson-dev libyaml-dev libsqlite3-dev libzstd-dev zlib1g-dev libisal-dev \
       libssl-dev libcurl4-openssl-dev libcmocka-dev libvectorscan-dev libyara-dev libclamav-dev zstd golang-go jq \
       libmicrohttpd-dev libpq-dev postgresql-15 python3-yaml strace valgrind libgpgme-dev gnupg \
       skopeo docker-registry openssl python3-cryptography python3-nacl

.PHONY: all deps demo check test bench fuzz clean
all: $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@ln -sf src/cli/customs $(BUILD)/customs

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) --buildtype=debug -Db_sanitize=thread -Db_lundef=false

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing_engine=libfuzzer -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dfuzz_seconds=$(FUZZ_CHECK_SECONDS)

deps:
	@sh scripts/deps.sh $(DEPS)

demo: deps all
	@bash scripts/make-demo.sh $(BUILD)/demo
	./$(BUILD)/customs db build -o $(BUILD)/demo/demo.db demo/vulndb/osv
	./$(BUILD)/customs scan --format table --db $(BUILD)/demo/demo.db $(BUILD)/demo/ledger.tar

# Every suite, twice: optimised, then under AddressSanitizer + UndefinedBehaviorSanitizer;
# the unit tests (layers read on two threads among them) under ThreadSanitizer; then every
# libFuzzer target for FUZZ_CHECK_SECONDS from its corpus.
check: deps all $(ASAN_BUILD)/build.ninja $(TSAN_BUILD)/build.ninja $(FUZZ_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ninja -C $(TSAN_BUILD)
	ninja -C $(FUZZ_BUILD) $$(cd $(FUZZ_BUILD) && ninja -t targets all | \
	    sed -n 's,^\(tests/fuzz/fuzz_[a-z_]*\): .*,\1,p' | sort -u)
	@rc=0; \
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 || rc=1; \
	meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 4 || rc=1; \
	TSAN_OPTIONS=halt_on_error=1 meson test -C $(TSAN_BUILD) --suite unit --print-errorlogs \
	    --num-processes 2 --timeout-multiplier 4 || rc=1; \
	meson test -C $(FUZZ_BUILD) --suite fuzz --no-rebuild --print-errorlogs --num-processes 2 || rc=1; \
	$(PYTHON) scripts/test-summary.py $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) || rc=1; \
	exit $$rc

test: all
	meson test -C $(BUILD) --print-errorlogs

bench: deps all
	@sh bench/run.sh $(BUILD)

fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	@for f in $(FUZZ_BUILD)/tests/fuzz/fuzz_*; do \
	    [ -f "$$f" ] && [ -x "$$f" ] || continue; \
	    name=$${f##*/fuzz_}; mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
	    echo "== $$name ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 $(FUZZ_BUILD)/corpus/$$name \
	        tests/fuzz/corpus/$$name || exit 1; \
	done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
