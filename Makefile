# SPDX-License-Identifier: GPL-2.0-or-later
#
# A thin wrapper around configure + meson + ninja.
#
#   make check        install deps, configure, build with -Werror, run all tests
#   make check-asan   the same in build-asan/ with AddressSanitizer + UBSan
#   make check-tsan   unit and qtest suites in build-tsan/ with ThreadSanitizer
#   make fuzz         each libFuzzer target for FUZZ_SECONDS (default 60)
#   make check-arm64  the real arm-smmu-v3 driver in an arm64 VM (slow once)
#   make bench        benchmarks
#   make demo         the main job: host faults reaching a guest's event queue
#   make demo-guest   the same to a real Linux guest's driver (arm64 VM, slow)
#   make bench-guest  that guest under ours and under upstream QEMU, side by side
#   make check-deb    build the Debian package, lintian it, run it installed
#   make soak         long randomized accel soak (not in CI)

BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
MESON_TEST_ARGS ?= --print-errorlogs

.PHONY: all deps headers check check-asan check-tsan fuzz check-arm64 bench demo \
	demo-guest bench-guest \
	clean help check-deb soak

all: $(BUILD_DIR)/build.ninja
	ninja -C $(BUILD_DIR)

help:
	@sed -n '3,16p' Makefile

deps:
	scripts/install-deps.sh

# The kernel suite runs static, uninstrumented programs in a VM: it runs
# in check only; check-asan covers the same code through the unit tests.
# The arm64 suite (an arm64 VM with the real arm-smmu-v3 driver) needs a
# cross toolchain, QEMU 11.1 and its own kernel: its first run takes
# minutes, so it has its own target, check-arm64.

# Linux >= 6.15 uAPI headers for the ABI equality test (cached; never
# installed system-wide).
headers: deps
	@scripts/fetch-uapi-headers.sh > .uapi-headers.path

$(BUILD_DIR)/build.ninja:
	./configure --builddir=$(BUILD_DIR)

check: headers
	./configure --builddir=$(BUILD_DIR) --linux-headers="$$(cat .uapi-headers.path)"
	ninja -C $(BUILD_DIR)
	meson test -C $(BUILD_DIR) $(MESON_TEST_ARGS) --no-suite arm64 --no-suite soak

check-arm64: headers
	./configure --builddir=$(BUILD_DIR) --linux-headers="$$(cat .uapi-headers.path)"
	meson test -C $(BUILD_DIR) $(MESON_TEST_ARGS) --suite arm64

check-asan: headers
	./configure --builddir=$(ASAN_BUILD_DIR) --enable-asan --enable-ubsan \
	    --linux-headers="$$(cat .uapi-headers.path)"
	ninja -C $(ASAN_BUILD_DIR)
	meson test -C $(ASAN_BUILD_DIR) $(MESON_TEST_ARGS) --no-suite kernel --no-suite arm64 \
	    --no-suite soak

# ThreadSanitizer: the unit and qtest suites (the storms included); the
# kernel and arm64 suites run uninstrumented programs in VMs.
check-tsan: headers
	./configure --builddir=$(TSAN_BUILD_DIR) --enable-tsan \
	    --linux-headers="$$(cat .uapi-headers.path)"
	ninja -C $(TSAN_BUILD_DIR)
	meson test -C $(TSAN_BUILD_DIR) $(MESON_TEST_ARGS) --suite unit --suite qtest

# libFuzzer targets (tests/fuzz), built with clang + ASan/UBSan; each
# runs FUZZ_SECONDS on its seed corpus and fails on a crash.
fuzz: deps
	CC=clang ./configure --builddir=$(FUZZ_BUILD_DIR) --enable-fuzzing
	ninja -C $(FUZZ_BUILD_DIR) fuzz-targets
	tests/fuzz/run-fuzz.sh $(FUZZ_BUILD_DIR)/tests/fuzz $(FUZZ_SECONDS)

# The soak (tests/qtest/soak-test.c): SOAK_EVENTS randomized host events
# with exact conservation, SOAK_CYCLES device_del/device_add cycles under
# a storm; minutes, so not part of check.
soak: $(BUILD_DIR)/build.ninja
	ninja -C $(BUILD_DIR)
	meson test -C $(BUILD_DIR) --suite soak --verbose

# Benchmarks are meson benchmark() entries; they print numbers and never
# judge timing (see docs/devel/performance.rst).
bench: $(BUILD_DIR)/build.ninja
	ninja -C $(BUILD_DIR)
	meson test -C $(BUILD_DIR) --benchmark --verbose

# DEMO_ARGS: e.g. "--events 1000000 --rate 200000" (vsmmu-demo --help).
demo: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || ./configure --builddir=$(BUILD_DIR)
	ninja -C $(BUILD_DIR)
	$(BUILD_DIR)/tests/demo/vsmmu-demo --daemon $(BUILD_DIR)/tests/testbed/vsmmu-daemon-testbed $(DEMO_ARGS)

# The nested arm64 bed's host-device run, for a person: L2's own log of
# the faults, then the host side (tests/arm64/demo-guest.sh).
demo-guest: headers
	tests/arm64/demo-guest.sh

# The nested bed's L2 scenario (edu faults, then an event-queue overflow)
# under vsmmu-daemon and under Debian's arm64 QEMU 11.1 in the same L1,
# one table (tests/arm64/bench-guest.sh); upstream is skipped, saying
# why, if its packages cannot be fetched.
bench-guest: headers
	tests/arm64/bench-guest.sh

# The Debian package, built from a clean copy of the tree (not ./build).
check-deb:
	scripts/install-deps.sh debhelper lintian
	tests/deb/check-deb.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(TSAN_BUILD_DIR) $(FUZZ_BUILD_DIR) \
	    .uapi-headers.path
