# trustroute: one entry point.
#   make              build libraries, tools and tests
#   make check        every suite (kernel VM included); ends "N passed, N failed"
#   make check-fast   the suites that need no kernel build
#   make kernel       patched Linux 6.1 bzImage (build/kernel/arch/x86/boot/bzImage)
#   make check-kernel KUnit and kselftests in QEMU with a swtpm
#   make check-series build the kernel at every patch of kernel/series
#   make kunit-units  the top-level Kbuild's units as modules, their KUnit
#                     suites run in the VM (seconds, for kernel development)
#   make demo         the NMS and two router VMs on the trustroute kernel:
#                     enrollment, attestation, a compromise, the reroute
#   make demo-fast    the same story with three routers in network
#                     namespaces (ima-sim in place of the kernel)
#   make demo-kernel  boot the trustroute kernel in QEMU, show what it proves
#   make lint         clang-format, checkpatch.pl --strict, the Kbuild units
#                     (equal to the series; sparse and W=1 clean)
#   make bench        benchmarks (bench/), as ratios against named baselines
#   make fuzz         every libFuzzer target for FUZZ_SECONDS (default 60) each;
#                     bench/fuzz-campaign runs the long campaign
#   make SANITIZE=1   build with ASan/UBSan (into build/san)
#   make V=1          show each command (default: "  CC      file" lines;
#                     make -s: nothing but errors)
#   make install      PREFIX=/usr/local DESTDIR= (the provider into
#                     OpenSSL's modules directory, man pages, examples)

ROOT := $(CURDIR)
# Quiet by default, kbuild style: a line per file ("  CC      x.c"); V=1
# shows the commands; make -s prints nothing but errors.
V ?= 0
ifeq ($(V),1)
Q :=
say =
else
Q := @
say = $(if $(findstring s,$(firstword -$(MAKEFLAGS))),,printf '  %-7s %s\n' '$(1)' '$(2)';)
endif
CC ?= gcc
SANITIZE ?=
VARIANT := $(if $(SANITIZE),san,default)
B := build/$(VARIANT)

PKGS := libcrypto libssl json-c tss2-esys tss2-sys tss2-tctildr tss2-mu tss2-rc cmocka libarchive \
	sqlite3 libpq libkeyutils libmicrohttpd libcurl libmnl gnutls
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS ?= -O2 -g
# Includes name their layer: "tpm/key.h" (libtrust, userspace/lib),
# "digest-lists/lib/dl_format.h", "nms/store/store.h",
# "userspace/agent/tnc_client.h" (from the top); scripts/lint refuses an
# include that goes up a layer.
INCLUDES := -I. -Iuserspace/lib -Idigest-lists/include -Itests/lib -Itests/fuzz
CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
	  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	  -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	  $(INCLUDES) $(PKG_CFLAGS)
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=all -U_FORTIFY_SOURCE
LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS += -MMD -MP
TEST_DEFS := -DTR_SCRIPTS_DIR='"$(ROOT)/scripts"' \
	     -DTR_TPM_CA_DIR='"$(ROOT)/build/tpm-ca"' \
	     -DTR_DATA_DIR='"$(ROOT)/tests/data"'

LIBTRUST_SRC := $(wildcard userspace/lib/*/*.c)
LIBTRUST := $(B)/libtrust.a
# digest-lists/lib uses libtrust's IMA log codec (for predictions).
LIBDL_SRC := $(wildcard digest-lists/lib/*.c)
LIBDL := $(B)/libdigestlist.a
# nms/: the NMS's library; its programs' mains are in nms/tools.
LIBNMS_SRC := $(filter-out nms/tools/%,$(wildcard nms/*/*.c))
LIBNMS := $(B)/libnms.a
# The dashboard's files (nms/api/web/), compiled into libnms as arrays by
# scripts/embed-assets: nothing is fetched or read at run time.
WEB_ASSETS := $(sort $(wildcard nms/api/web/*))
ASSETS_OBJ := $(B)/obj/gen/api_assets.o
# userspace/agent: the router agent's library; its main is a tool.
LIBAGENT_SRC := $(wildcard userspace/agent/*.c)
LIBAGENT := $(B)/libagent.a
LIBS := $(LIBNMS) $(LIBAGENT) $(LIBDL) $(LIBTRUST)
TOOLS := $(patsubst userspace/tools/%.c,$(B)/bin/%,$(wildcard userspace/tools/*.c)) \
	 $(B)/bin/bench-time $(B)/bin/tpm-sign-floor \
	 $(patsubst digest-lists/tools/%.c,$(B)/bin/%,$(wildcard digest-lists/tools/*.c)) \
	 $(patsubst nms/tools/%.c,$(B)/bin/%,$(wildcard nms/tools/*.c))
# A tool with many subcommands is a folder (one file a subcommand); the
# program is named after the folder.
TOOL_DIRS := $(patsubst %/,%,$(wildcard userspace/tools/*/ digest-lists/tools/*/ nms/tools/*/))
TOOLS += $(foreach d,$(TOOL_DIRS),$(B)/bin/$(notdir $(d)))
# The OpenSSL 3 provider for TPM keys: a module, so its code and libtrust's
# are compiled again as position-independent code.
PROVIDER_SRC := $(wildcard userspace/provider/*.c)
PROVIDER := $(if $(PROVIDER_SRC),$(B)/lib/ossl-modules/trustroute.so)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
# Fuzz targets and their seed writer (tests/tools/fuzz-seeds.c) link the
# software AK of tests/lib/soft_tpm.h (fixed keys: signed seeds stay valid),
# the reference lists and the scripted router of tests/lib.
FUZZ_HELPERS := tests/lib/soft_tpm.c tests/lib/ref_lists.c tests/lib/tnc_router.c
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(B)/tests/%,$(wildcard tests/integration/*.c))
TEST_TOOLS := $(patsubst tests/tools/%.c,$(B)/bin/%,$(wildcard tests/tools/*.c))
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,$(B)/tests/fuzz-%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: install programs check-packages
programs: $(TOOLS) $(PROVIDER)
.PHONY: all build-both pkgcheck deps bench check-series check check-fast check-kernel kernel kunit-units demo demo-fast demo-kernel lint clean fuzz fuzz-clang
.DEFAULT_GOAL := all
.SECONDARY:

all: $(TOOLS) $(TEST_TOOLS) $(UNIT_TESTS) $(INTEG_TESTS) $(FUZZERS) $(PROVIDER)

deps:
	@scripts/install-deps

# pkg-config runs when make reads this file, which on a new machine is
# before install-deps: say so instead of failing on a missing header.
pkgcheck:
	@pkg-config --exists $(PKGS) || { echo "missing libraries ($(PKGS)): run scripts/install-deps" >&2; exit 1; }

$(B)/obj/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)$(CC) $(CFLAGS) $(TEST_DEFS) -c -o $@ $<

$(B)/pic/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$< [pic])$(CC) $(CFLAGS) -fPIC -fvisibility=hidden $(TEST_DEFS) -c -o $@ $<

$(B)/lib/ossl-modules/trustroute.so: $(patsubst %.c,$(B)/pic/%.o,$(PROVIDER_SRC) $(LIBTRUST_SRC))
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) -shared $(LDFLAGS) -Wl,-z,defs -o $@ $^ $(PKG_LIBS)

$(LIBTRUST): $(patsubst %.c,$(B)/obj/%.o,$(LIBTRUST_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ # from scratch: a removed source leaves no stale member
	$(Q)$(call say,AR,$@)$(AR) rcs $@ $^

$(B)/gen/api_assets.c: $(WEB_ASSETS) scripts/embed-assets
	@mkdir -p $(dir $@)
	$(Q)$(call say,GEN,$@)scripts/embed-assets $(WEB_ASSETS) >$@.tmp && mv $@.tmp $@

$(ASSETS_OBJ): $(B)/gen/api_assets.c
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)$(CC) $(CFLAGS) -c -o $@ $<

$(LIBNMS): $(patsubst %.c,$(B)/obj/%.o,$(LIBNMS_SRC)) $(ASSETS_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@ # from scratch: a removed source leaves no stale member
	$(Q)$(call say,AR,$@)$(AR) rcs $@ $^

$(LIBAGENT): $(patsubst %.c,$(B)/obj/%.o,$(LIBAGENT_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ # from scratch: a removed source leaves no stale member
	$(Q)$(call say,AR,$@)$(AR) rcs $@ $^

$(LIBDL): $(patsubst %.c,$(B)/obj/%.o,$(LIBDL_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ # from scratch: a removed source leaves no stale member
	$(Q)$(call say,AR,$@)$(AR) rcs $@ $^

$(B)/bin/%: $(B)/obj/digest-lists/tools/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bin/%: $(B)/obj/nms/tools/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bin/%: $(B)/obj/userspace/tools/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

define tool_dir
$(B)/bin/$(notdir $(1)): $(patsubst %.c,$(B)/obj/%.o,$(wildcard $(1)/*.c)) $(LIBS)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call say,LD,$$@)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach d,$(TOOL_DIRS),$(eval $(call tool_dir,$(d))))

$(B)/bin/bench-time: $(B)/obj/bench/tools/bench-time.o
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The TPM's own time per sealed-key signature (bench/tls-handshake's floor).
$(B)/bin/tpm-sign-floor: $(B)/obj/bench/tools/tpm-sign-floor.o $(LIBTRUST)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Test tools; swtpm-run links only the fixture (it starts TPMs, no more).
$(B)/bin/%: $(B)/obj/tests/tools/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bin/fuzz-seeds: $(B)/obj/tests/tools/fuzz-seeds.o \
		     $(patsubst %.c,$(B)/obj/%.o,$(FUZZ_HELPERS)) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bin/swtpm-run: $(B)/obj/tests/tools/swtpm-run.o $(B)/obj/tests/lib/swtpm_fixture.o
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^

$(B)/bin/pg-run: $(B)/obj/tests/tools/pg-run.o $(B)/obj/tests/lib/pg_fixture.o
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ -lpq

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(patsubst %.c,$(B)/obj/%.o,$(TESTLIB_SRC)) $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: $(B)/obj/tests/integration/%.o $(patsubst %.c,$(B)/obj/%.o,$(TESTLIB_SRC)) $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The PT-TLS client against a TLS 1.2 server without RFC 5746 (as
# strongSwan's charon is): GnuTLS plays that server (libmicrohttpd-dev
# brings its headers).
$(B)/tests/test_pt_tls_legacy: PKG_LIBS += $(shell pkg-config --libs gnutls 2>/dev/null)

$(B)/tests/fuzz-%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/standalone.o \
		   $(patsubst %.c,$(B)/obj/%.o,$(FUZZ_HELPERS)) $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Coverage-guided fuzzing with libFuzzer (needs clang, -fsanitize=fuzzer,
# address,undefined; UBSan aborts, so undefined behaviour is a crash):
#   make fuzz-ima_log   one target for FUZZ_SECONDS
#   make fuzz           every target for FUZZ_SECONDS each
# Every library is compiled once with coverage into build/fuzz/obj; each
# target's corpus is build/fuzz/NAME-corpus, crashes go to
# build/fuzz/NAME-crash-*. bench/fuzz-campaign runs the long campaign.
FUZZ_SECONDS ?= 60
FZ := build/fuzz
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(FZ)/,$(FUZZ_NAMES))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
	       -Wall -Wextra -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	       $(INCLUDES) $(PKG_CFLAGS) $(TEST_DEFS)
FUZZ_LIB_SRC := $(LIBTRUST_SRC) $(LIBDL_SRC) $(LIBNMS_SRC) $(LIBAGENT_SRC) \
		$(FUZZ_HELPERS) tests/fuzz/sink.c

fuzz-clang:
	@command -v clang >/dev/null || { echo "make fuzz: clang is needed (apt-get install clang)"; exit 1; }

$(FZ)/obj/%.o: %.c | pkgcheck fuzz-clang
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

# The dashboard's files, for the API's target (fuzz_api) as for libnms.
$(FZ)/obj/gen/api_assets.o: $(B)/gen/api_assets.c | pkgcheck fuzz-clang
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FZ)/libfuzz.a: $(patsubst %.c,$(FZ)/obj/%.o,$(FUZZ_LIB_SRC)) $(FZ)/obj/gen/api_assets.o
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BINS): $(FZ)/%: $(FZ)/obj/tests/fuzz/fuzz_%.o $(FZ)/libfuzz.a
	clang -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS)

# One libFuzzer run of target $(1) for FUZZ_SECONDS; fails on a crash.
fuzz_run = mkdir -p $(FZ)/$(1)-corpus && \
	$(FZ)/$(1) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(FZ)/$(1)-crash- \
		$(FZ)/$(1)-corpus tests/fuzz/seeds/$(1)

fuzz-%: $(FZ)/%
	$(call fuzz_run,$*)

fuzz: $(FUZZ_BINS)
	@failed=; for n in $(FUZZ_NAMES); do \
		echo "== fuzz-$$n ($(FUZZ_SECONDS) s)"; \
		$(call fuzz_run,$$n) || failed="$$failed $$n"; \
	done; \
	if [ -n "$$failed" ]; then echo "make fuzz: crashed:$$failed"; exit 1; fi; \
	echo "make fuzz: $(words $(FUZZ_NAMES)) targets, no crash"

-include $(shell find $(B)/obj $(B)/pic $(FZ)/obj -name '*.d' 2>/dev/null)

# Targets that check a signature (cert_attestation) or decode a whole
# CSR's public key with OpenSSL 3's decoders (csr_evidence) for most
# inputs take a fraction of a millisecond to milliseconds each under
# ASan: make check gives them fewer mutations than the 200 000 of the
# others (the campaign runs them for millions, see testing.md).
FUZZ_CHECK_cert_attestation := -n 20000
FUZZ_CHECK_csr_evidence := -n 20000

# The store's suites run again on PostgreSQL (each starts its own server).
PG_TESTS := $(B)/tests/test_nms_store $(B)/tests/test_trust $(B)/tests/test_api \
	$(B)/tests/test_enroll

# Suites: each prints "N passed, N failed" last; tests/run-suites adds them up.
# Unit tests run twice: plain and under ASan/UBSan.
FAST_SUITES := \
	$(foreach t,$(UNIT_TESTS),"unit:$(notdir $(t))=$(t)") \
	$(foreach t,$(UNIT_TESTS),"unit-asan:$(notdir $(t))=$(subst build/default,build/san,$(t))") \
	$(foreach t,$(INTEG_TESTS),"integration:$(notdir $(t))=$(t)") \
	$(foreach t,$(PG_TESTS),"pg:$(notdir $(t))=/usr/bin/env TRUSTROUTE_TEST_STORE=pg $(t)") \
	$(foreach f,$(FUZZERS),"fuzz-asan:$(notdir $(f))=$(subst build/default,build/san,$(f)) $(FUZZ_CHECK_$(patsubst fuzz-%,%,$(notdir $(f)))) $(wildcard tests/fuzz/seeds/$(patsubst fuzz-%,%,$(notdir $(f)))/*)") \
	"scripts:imalog=tests/scripts/test-imalog" \
	"scripts:digestlist=tests/scripts/test-digestlist" \
	"scripts:trustkey=tests/scripts/test-trustkey" \
	"scripts:provider=tests/scripts/test-provider" \
	"scripts:provider-tls=tests/scripts/test-provider-tls" \
	"scripts:resumption=tests/scripts/test-resumption" \
	"scripts:key-interop=tests/scripts/test-key-interop" \
	"scripts:enroll=tests/scripts/test-enroll" \
	"scripts:revoke=tests/scripts/test-revoke" \
	"scripts:implicit-attestation=tests/scripts/test-implicit-attestation" \
	"scripts:attestation-session=tests/scripts/test-attestation-session" \
	"scripts:api=tests/scripts/test-api" \
	"scripts:dashboard=tests/scripts/test-dashboard" \
	"scripts:attest-request=tests/scripts/test-attest-request" \
	"scripts:nmsd-logging=tests/scripts/test-nmsd-logging" \
	"scripts:connection-flood=tests/scripts/test-connection-flood" \
	"scripts:route-actuator=tests/scripts/test-route-actuator" \
	"scripts:route-withdraw=tests/scripts/test-route-withdraw" \
	"scripts:ospf-actuator=tests/scripts/test-ospf-actuator" \
	"scripts:isis-actuator=tests/scripts/test-isis-actuator" \
	"scripts:multi-nms=tests/scripts/test-multi-nms" \
	"scripts:multi-nms-probes=tests/scripts/test-multi-nms-probes" \
	"scripts:fleet=tests/scripts/test-fleet" \
	"scripts:demo=tests/scripts/test-demo" \
	"scripts:fault-handling=tests/scripts/test-fault-handling" \
	"scripts:layout-rules=tests/scripts/test-layout-rules" \
	"scripts:cli=tests/scripts/test-cli" \
	"scripts:build-output=tests/scripts/test-build-output" \
	"scripts:evidence=tests/scripts/test-evidence" \
	"scripts:install=tests/scripts/test-install" \
	"lint=scripts/lint"
KERNEL_SUITES := \
	"kernel:vm=tests/vm/check-kernel" \
	"kernel:digestlist=tests/vm/check-digestlist" \
	"kernel:router-vm=tests/vm/check-router-vm" \
	"scripts:router-vm=tests/scripts/test-router-vm" \
	"scripts:kbuild-units=tests/scripts/test-kbuild-units" \
	"scripts:vm-faults=tests/scripts/test-vm-faults"

build-both: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SANITIZE=1 all

check-fast: build-both
	@tests/run-suites $(FAST_SUITES)

check: build-both kernel
	@tests/run-suites $(FAST_SUITES) $(KERNEL_SUITES)

check-kernel: build-both kernel
	@tests/run-suites $(KERNEL_SUITES)

kernel: deps
	@scripts/kernel-build >/dev/null

# Each patch must build on its own (about 1.5 minutes a patch with ccache).
check-series: deps
	@test -d build/dev/linux-src/.git || scripts/kernel-series import
	@scripts/kernel-series check-builds

# The demos build quietly (make -s): the story first; V=1 for the commands.
DEMO_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s)
demo: deps
	@$(DEMO_MAKE) all kernel
	@scripts/demo-vm

demo-fast: deps
	@$(DEMO_MAKE) all
	@scripts/demo

demo-kernel: deps
	@$(DEMO_MAKE) all kernel
	@scripts/demo-kernel

# The kernel first: lint builds the Kbuild units against it.
lint: deps kernel
	@scripts/lint

# The top-level Kbuild's units (kernel/units/) built as modules against
# build/kernel, loaded in the VM; their KUnit suites parsed by kunit.py.
kunit-units: deps kernel
	@scripts/kunit-units

# Benchmarks: each prints its figures as ratios against a named baseline
# measured in the same run; results also go to build/bench/. The fuzzing
# campaign (bench/fuzz-campaign) takes hours and runs on its own.
bench: deps
	@$(MAKE) --no-print-directory all kernel
	@rc=0; for b in bench/*; do [ -f "$$b" ] && [ -x "$$b" ] || continue; \
		case $$b in bench/fuzz-campaign) continue ;; esac; \
		"$$b" || rc=1; done; exit $$rc

# make install [PREFIX=/usr/local] [DESTDIR=]: the programs, the provider
# into OpenSSL's own modules directory (so no OPENSSL_MODULES is needed),
# the man pages, the config examples in /etc/trustroute and the systemd
# units. Debian's packages (debian/) are made from it.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
MODULESDIR ?= $(shell pkg-config --variable=modulesdir libcrypto 2>/dev/null)
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system),$(PREFIX)/lib/systemd/system)
INSTALL ?= install
USER_BIN := nmsctl digestlist trustkey imalog
ADMIN_BIN := nmsd nms-route trustroute-agent

install: programs
	@test -n "$(MODULESDIR)" || { echo "make install: no OpenSSL modules directory (pkg-config libcrypto)" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MODULESDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/trustroute $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 755 $(addprefix $(B)/bin/,$(USER_BIN)) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(addprefix $(B)/bin/,$(ADMIN_BIN)) $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 644 $(PROVIDER) $(DESTDIR)$(MODULESDIR)/trustroute.so
	$(INSTALL) -m 644 $(wildcard Documentation/man/*.1) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 644 $(wildcard Documentation/man/*.8) $(DESTDIR)$(MANDIR)/man8
	for c in nmsd trustroute-agent; do \
		$(INSTALL) -m 644 dist/config/$$c.conf $(DESTDIR)$(SYSCONFDIR)/trustroute/$$c.conf.example; \
		sed 's|@SBINDIR@|$(SBINDIR)|g' dist/systemd/$$c.service.in >$(DESTDIR)$(UNITDIR)/$$c.service; \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$c.service; \
	done

# The Debian packages, built (dpkg-buildpackage) and installed with apt in
# a clean debootstrap root, where the installed programs enroll and probe
# a router with swtpm (needs root and Debian's mirror; minutes).
check-packages: deps
	@scripts/build-debs build/debs
	@tests/pkg/install-test build/debs

clean:
	rm -rf build/default build/san build/vm build/router-image build/demo-vm
	find kernel/units \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' \) -delete
	rm -f modules.order Module.symvers .modules.order.cmd .Module.symvers.cmd
