/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of netfs_iocount.
 *
 * begin and end fire from the debug slow path of the inline hot path, so
 * they cost nothing until enabled: each holds a reference on the debug
 * static key while enabled (netfs_iocount_trace_reg()), so the key is on
 * while either is and off again once both are disabled (and no other
 * debug feature is on).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM netfs_iocount

#if !defined(_NETFS_IOCOUNT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NETFS_IOCOUNT_TRACE_H

#include <linux/tracepoint.h>

int netfs_iocount_trace_reg(void);
void netfs_iocount_trace_unreg(void);

DECLARE_EVENT_CLASS(netfs_iocount_change,
	TP_PROTO(const void *ic, int count, unsigned long caller),
	TP_ARGS(ic, count, caller),
	TP_STRUCT__entry(
		__field(const void *, ic)
		__field(int, count)
		__field(unsigned long, caller)
	),
	TP_fast_assign(
		__entry->ic = ic;
		__entry->count = count;
		__entry->caller = caller;
	),
	TP_printk("ic=%p count=%d caller=%pS",
		  __entry->ic, __entry->count, (void *)__entry->caller)
);

DEFINE_EVENT_FN(netfs_iocount_change, netfs_iocount_begin,
	TP_PROTO(const void *ic, int count, unsigned long caller),
	TP_ARGS(ic, count, caller),
	netfs_iocount_trace_reg, netfs_iocount_trace_unreg);

DEFINE_EVENT_FN(netfs_iocount_change, netfs_iocount_end,
	TP_PROTO(const void *ic, int count, unsigned long caller),
	TP_ARGS(ic, count, caller),
	netfs_iocount_trace_reg, netfs_iocount_trace_unreg);

DEFINE_EVENT(netfs_iocount_change, netfs_iocount_underflow,
	TP_PROTO(const void *ic, int count, unsigned long caller),
	TP_ARGS(ic, count, caller));

TRACE_EVENT(netfs_iocount_wait_start,
	TP_PROTO(const void *ic, int count),
	TP_ARGS(ic, count),
	TP_STRUCT__entry(
		__field(const void *, ic)
		__field(int, count)
	),
	TP_fast_assign(
		__entry->ic = ic;
		__entry->count = count;
	),
	TP_printk("ic=%p count=%d", __entry->ic, __entry->count)
);

TRACE_EVENT(netfs_iocount_wait_end,
	TP_PROTO(const void *ic, u64 slept_ns, long ret),
	TP_ARGS(ic, slept_ns, ret),
	TP_STRUCT__entry(
		__field(const void *, ic)
		__field(u64, slept_ns)
		__field(long, ret)
	),
	TP_fast_assign(
		__entry->ic = ic;
		__entry->slept_ns = slept_ns;
		__entry->ret = ret;
	),
	TP_printk("ic=%p slept_ns=%llu ret=%ld",
		  __entry->ic, __entry->slept_ns, __entry->ret)
);

TRACE_EVENT(netfs_iocount_hung,
	TP_PROTO(const void *ic, int count, unsigned int waited_secs),
	TP_ARGS(ic, count, waited_secs),
	TP_STRUCT__entry(
		__field(const void *, ic)
		__field(int, count)
		__field(unsigned int, waited_secs)
	),
	TP_fast_assign(
		__entry->ic = ic;
		__entry->count = count;
		__entry->waited_secs = waited_secs;
	),
	TP_printk("ic=%p count=%d waited_secs=%u",
		  __entry->ic, __entry->count, __entry->waited_secs)
);

/* One per outstanding request a hung report lists (tracking on). */
TRACE_EVENT(netfs_iocount_hung_request,
	TP_PROTO(const void *ic, const void *req, unsigned long caller,
		 unsigned int age_ms),
	TP_ARGS(ic, req, caller, age_ms),
	TP_STRUCT__entry(
		__field(const void *, ic)
		__field(const void *, req)
		__field(unsigned long, caller)
		__field(unsigned int, age_ms)
	),
	TP_fast_assign(
		__entry->ic = ic;
		__entry->req = req;
		__entry->caller = caller;
		__entry->age_ms = age_ms;
	),
	TP_printk("ic=%p req=%p caller=%pS age_ms=%u",
		  __entry->ic, __entry->req, (void *)__entry->caller,
		  __entry->age_ms)
);

#endif /* _NETFS_IOCOUNT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE netfs_iocount_trace
#include <trace/define_trace.h>
