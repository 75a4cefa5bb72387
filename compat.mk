# SPDX-License-Identifier: GPL-2.0
# Feature probes of the target kernel, included by Kbuild and tests/Kbuild.
#
# An interface that changed inside a stable series (netfs's read completion
# lost two arguments within 6.12.y) has no version number to test, so the
# compat headers test features instead: each probe compiles a line of C
# against the headers of the kernel being built for, with its own flags in
# Kbuild's order (UML's include paths depend on it), and defines NETFS_IOCOUNT_HAVE_<FEATURE> when it compiles.  A probe costs
# one compiler run per build of the directory that asks for it.
#
# $(call netfs_iocount_probe,FEATURE,HEADER,CODE): "-DNETFS_IOCOUNT_HAVE_FEATURE"
# or nothing.  CODE holds no single quote; a comma in it is $(netfs_iocount_comma).
# Only a wrong interface fails a probe, not a warning (W=1, CONFIG_WERROR).
netfs_iocount_comma := ,
netfs_iocount_hash := \#
netfs_iocount_probe = $(shell printf '$(netfs_iocount_hash)include <%s>\n%s\n' '$(2)' '$(3)' | \
	$(CC) $(NOSTDINC_FLAGS) $(LINUXINCLUDE) $(KBUILD_CPPFLAGS) $(KBUILD_CFLAGS) \
	$(KBUILD_CFLAGS_MODULE) -include $(srctree)/include/linux/compiler_types.h \
	-DKBUILD_MODNAME='"netfs_iocount_probe"' -Wno-error \
	-Werror=implicit-function-declaration -Werror=incompatible-pointer-types \
	-Werror=int-conversion -Werror=return-type \
	-fsyntax-only -x c - >/dev/null 2>&1 && echo -DNETFS_IOCOUNT_HAVE_$(1))

# A probe that must compile: if it does not, the probes themselves are
# broken for this kernel, and every other answer would be a wrong "no".
ifeq ($(call netfs_iocount_probe,PROBES,linux/netfs.h,struct netfs_inode *netfs_iocount_probe;),)
$(error feature probes do not compile against $(srctree): see compat.mk)
endif

# Whether netfs counts an inode's requests itself (io_count, 6.10+).
netfs_iocount_have_io_count := $(call netfs_iocount_probe,NETFS_IO_COUNT,linux/netfs.h,\
	int f(struct netfs_inode *c) { return atomic_read(&c->io_count); })
# Whether netfs frees its requests through an RCU callback (6.10+ does;
# a 6.1 tree with io_count backported does not).
netfs_iocount_have_rreq_rcu := $(call netfs_iocount_probe,NETFS_RREQ_RCU,linux/netfs.h,\
	void *f(struct netfs_io_request *r) { return &r->rcu; })

# Whether the unbound system workqueue has its 6.17+ name, system_dfl_wq
# (also late 6.12.y); 7.x deprecates the old one, system_unbound_wq.
netfs_iocount_have_system_dfl_wq := $(call netfs_iocount_probe,SYSTEM_DFL_WQ,linux/workqueue.h,\
	void *f(void) { return system_dfl_wq; })
