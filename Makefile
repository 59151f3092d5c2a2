# Thin wrapper on meson + ninja. `make` builds into build/, `make check` runs every test.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON ?= meson
NINJA ?= ninja
BENCH_ARGS ?=
FUZZ_SECONDS ?= 60

RUNTIME = $(BUILD)/cmd/vessel-runtime/vessel-runtime
DEMO_BUNDLE = $(BUILD)/demo-bundle
DEMO_STATE = $(BUILD)/demo-state
VESSEL = $(BUILD)/cmd/vessel/vessel
VESSEL_DEMO = VESSEL_ROOT=$(BUILD)/demo-store VESSEL_RUNROOT=$(BUILD)/demo-run $(VESSEL)
DEMO_ROOTFS = $(BUILD)/demo-rootfs
DEMO_SCRIPT = echo "hello from vessel"; echo "hostname: $$(hostname)"; echo "id: $$(id)"; echo "pid: $$$$"; ls /

.PHONY: all build run run-runtime check check-asan fuzz bench install clean

all: build

$(BUILD)/build.ninja:
	$(MESON) setup --prefix=$(PREFIX) $(BUILD)

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	$(MESON) setup --prefix=$(PREFIX) -Db_sanitize=address,undefined -Db_lundef=false $(ASAN_BUILD)

# Demo, the engine's main job: a busybox image made locally (no network) with `vessel import`
# from the same rootfs script as the tests, then `vessel run --rm` of it. The store and run
# state are kept under the build dir. make cannot exit with an arbitrary status: a failing
# container makes `make run` fail (status 2) after make prints the container's ("Error N").
run: build
	rm -rf --one-file-system $(DEMO_ROOTFS)
	tests/lib/make-busybox-rootfs.sh $(DEMO_ROOTFS)
	$(VESSEL_DEMO) image prune -a -f >/dev/null
	tar --numeric-owner -C $(DEMO_ROOTFS) -c . | $(VESSEL_DEMO) import -c 'CMD ["/bin/sh"]' - vessel-demo/busybox:latest
	$(VESSEL_DEMO) run --rm --network none --hostname vessel-demo vessel-demo/busybox:latest sh -c '$(DEMO_SCRIPT)'

# The runtime alone: a bundle from `vessel-runtime spec`, run by vessel-runtime.
run-runtime: build
	rm -rf --one-file-system $(DEMO_BUNDLE)
	mkdir -p $(DEMO_BUNDLE) $(DEMO_STATE)
	tests/lib/make-busybox-rootfs.sh $(DEMO_BUNDLE)/rootfs
	$(RUNTIME) spec --bundle $(DEMO_BUNDLE)
	@jq --arg script '$(DEMO_SCRIPT)' \
		'.process.terminal = false | .process.args = ["/bin/sh", "-c", $$script] | .hostname = "vessel-demo"' \
		$(DEMO_BUNDLE)/config.json > $(DEMO_BUNDLE)/config.json.new
	@mv $(DEMO_BUNDLE)/config.json.new $(DEMO_BUNDLE)/config.json
	$(RUNTIME) --root $(DEMO_STATE) run --bundle $(DEMO_BUNDLE) demo-$$$$

check: build
	VESSEL_BUILD=$(BUILD) tests/run

# Leak detection stays on (detect_leaks=1): LeakSanitizer runs at exit() of an instrumented
# process image; the runtime's children either execve the container process (the report never
# runs) or leave with _exit() (which skips it), so fork+exec alone produces no false reports.
# Turn it off only if a child must call exit() after entering namespaces where LSan's
# ptrace-based stop-the-world cannot work, and say so here.
check-asan: $(ASAN_BUILD)/build.ninja
	$(NINJA) -C $(ASAN_BUILD)
	VESSEL_BUILD=$(ASAN_BUILD) \
	ASAN_OPTIONS=$${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1:detect_leaks=1} \
	UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		tests/run

fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: build
	bench/startup -b $(BUILD) $(BENCH_ARGS)
	bench/engine -b $(BUILD)
	bench/pull -b $(BUILD)

install: build
	$(MESON) configure -Dprefix=$(PREFIX) $(BUILD)
	$(MESON) install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf --one-file-system $(BUILD) $(ASAN_BUILD)
