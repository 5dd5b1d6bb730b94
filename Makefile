# The two commands on the README's first screen, and a few more for developers.
#   make demo   install what is missing, build, trade a fast simulated session live against the simulator
#   make test   install what is missing, build, run every test (ctest)
BUILD   ?= build
JOBS    ?= $(shell nproc)
DALBIT  := $(BUILD)/src/app/dalbit

.PHONY: all deps configure build test demo demo-backtest bench soak clean

all: build

deps:
	@tools/install-deps

configure: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake --preset release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE soak

soak: build
	@cd $(BUILD) && ctest --output-on-failure -L soak

demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target dalbit
	@tools/demo-live $(DALBIT)

# The previous demo: a backtest of the shipped strategy on the sample data.
demo-backtest: configure
	@cmake --build $(BUILD) -j $(JOBS) --target dalbit
	@$(DALBIT) backtest --config config/dalbit.json --data data/sample/bars \
	  --strategies momentum_tpsl --out out/demo-result.json

bench: build
	@for b in $(BUILD)/bench/dalbit_*_bench; do echo "== $$b"; \
	  $$b --benchmark_repetitions=5 --benchmark_report_aggregates_only=true || exit 1; done

clean:
	rm -rf $(BUILD)
