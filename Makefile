# SPDX-License-Identifier: GPL-2.0
# Wrapper Makefile of netfs-iocount; Kbuild lists the objects.
#
#   make            build the modules against KDIR (W=1) into build/module
#   make help       this list
#   make deps       install every Debian package the project needs
#   make run        the demos under QEMU: the hotfix on Debian 12's stock 6.1,
#                   then the counter and a named stalled request on 6.12
#   make check      every test on every kernel of the matrix; ends with
#                   "N passed, N failed"; KERNELS="7.3 6.12" (or KERNEL=7.3)
#                   only those rows; LIST=1 lists every check's id;
#                   T="ID|GLOB..." runs those checks, building what they need
#   make bench      cost of a begin/end pair next to the kernel's primitives,
#                   natively (UML 7.3) and emulated (QEMU, stock 6.1); and
#                   what track_netfs costs 9p and the machine (QEMU, 6.12)
#   make soak       track_netfs under stress-ng on real 9p, toggled and
#                   reloaded, on stock 6.12 and the 6.12 debug kernel;
#                   SECS=120 how long on each
#   make kernel     build (or reuse) the primary debug test kernel (7.3);
#                   KERNEL=6.1 another of scripts/kernels.conf's DEBUG_KERNELS
#   make patches    the upstream submission into build/patches: for
#                   Debian's linux-source-7.3 the mainline series;
#                   KERNEL=6.1 v6.1.187 (the stable backport);
#                   KSRC=/path/to/linux another tree
#   make install    install the modules for KDIR's kernel (extra/, depmod)
#   make uninstall  remove them again
#   make dkms-install  register the modules with DKMS (rebuilt for every new
#                   kernel) and install them for KDIR's kernel
#   make dkms-uninstall  remove them from DKMS, for every kernel
#   make clean      remove build/
#   make clean-cache  remove the cache of kernels and packages (says its size)
#
# KDIR defaults to the running kernel's build directory if it exists, else
# the installed Debian linux-headers-6.1.0-*-amd64.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.0-*-amd64))))

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/deps or pass KDIR=" >&2; exit 1; }
	scripts/build-module "$(KDIR)" build/module
	@cat build/module/warnings
	@ls build/module/*.ko

help:
	@sed -n '4,/^$$/s/^# \{0,1\}//p' Makefile

deps:
	scripts/deps

run:
	scripts/run-demo

check:
	KERNELS="$(or $(KERNELS),$(KERNEL))" scripts/check $(if $(LIST),--list) $(T)

bench:
	scripts/bench

soak:
	scripts/soak $(SECS)

kernel:
	scripts/kernel-debug $(KERNEL)

patches:
	scripts/patches $(if $(KERNEL),-b $(KERNEL))

install:
	scripts/install install "$(KDIR)"

uninstall:
	scripts/install uninstall "$(KDIR)"

dkms-install:
	scripts/dkms install "$(KDIR)"

dkms-uninstall:
	scripts/dkms uninstall "$(KDIR)"

clean:
	rm -rf build

clean-cache:
	scripts/clean-cache

.PHONY: all modules help deps run check bench soak kernel patches install uninstall \
	dkms-install dkms-uninstall clean clean-cache
