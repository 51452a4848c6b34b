/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expected "gotrace dump" output of the sample stream of test_reader.c
 * (build_sample()), checked line by line against the tracefs field names.
 */
static const char golden_dump_text[] =
	"1010 cpu=0 sched_switch prev_comm=bash prev_pid=100 prev_prio=120 prev_state=S ==> next_comm=worker next_pid=200 next_prio=120\n"
	"1010 cpu=1 sched_switch prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R+ ==> next_comm=kworker/1:0 next_pid=300 next_prio=120\n"
	"1015 cpu=1 sched_process_fork comm=kworker/1:0 pid=300 child_comm=kworker/1:0 child_pid=301 child_tgid=301\n"
	"1020 cpu=0 sched_wakeup comm=kworker/1:0 pid=300 prio=120 target_cpu=1 [softirq]\n"
	"1025 cpu=1 sched_migrate_task comm=<...> pid=301 prio=120 orig_cpu=1 dest_cpu=0\n"
	"1030 cpu=0 mm_page_alloc pfn=0x12345 order=0 gfp_flags=0xcc0 migratetype=1 pid=100 comm=bash\n"
	"1030 cpu=1 mm_page_free_batched pfn=0x5000 pid=301\n"
	"1030 cpu=1 mm_page_pcpu_drain pfn=0x5001 order=1 migratetype=2 pid=301\n"
	"1035 cpu=1 mm_page_alloc_extfrag pfn=0x400 alloc_order=0 fallback_order=3 alloc_migratetype=1 fallback_migratetype=0 pid=301\n"
	"1040 cpu=0 mm_page_alloc pfn=-1 order=2 gfp_flags=0x2dc2 migratetype=0 pid=100 comm=bash [hardirq]\n"
	"1045 cpu=1 sched_process_exit comm=<...> pid=301 prio=120 group_dead=true\n"
	"1046 cpu=1 sched_wakeup_new comm=<...> pid=302 prio=120 target_cpu=0 [nmi]\n"
	"1050 cpu=0 mm_page_free pfn=0x12300 order=0 pid=100 comm=bash\n"
	"1060 cpu=0 sched_process_exec filename=/usr/bin/ls pid=100 old_pid=100\n"
	"2000 cpu=0 sched_switch prev_comm=worker prev_pid=200 prev_prio=-1 prev_state=S|D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n"
	"2001 cpu=0 mm_page_alloc pfn=0xfedcba9876543210 order=10 gfp_flags=0xffffffffffffffff migratetype=5 pid=200 comm=worker\n"
	"2002 cpu=0 sched_switch prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=S+ ==> next_comm=bash next_pid=100 next_prio=120\n"
	"3000 cpu=1 sched_process_exit comm=<...> pid=302 prio=120\n";

static const char golden_raw_text[] =
	"1000 cpu=0 comm pid=100 comm=bash\n"
	"1005 cpu=1 comm pid=300 comm=kworker/1:0\n"
	"1010 cpu=0 comm pid=200 comm=worker\n"
	"1010 cpu=0 sched_switch prev_comm=bash prev_pid=100 prev_prio=120 prev_state=S ==> next_comm=worker next_pid=200 next_prio=120\n"
	"1010 cpu=1 sched_switch prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R+ ==> next_comm=kworker/1:0 next_pid=300 next_prio=120\n"
	"1015 cpu=1 sched_process_fork comm=kworker/1:0 pid=300 child_comm=kworker/1:0 child_pid=301 child_tgid=301\n"
	"1020 cpu=0 sched_wakeup comm=kworker/1:0 pid=300 prio=120 target_cpu=1 [softirq]\n"
	"1025 cpu=1 sched_migrate_task comm=<...> pid=301 prio=120 orig_cpu=1 dest_cpu=0\n"
	"1030 cpu=0 mm_page_alloc pfn=0x12345 order=0 gfp_flags=0xcc0 migratetype=1 pid=100 comm=bash\n"
	"1030 cpu=1 mm_page_free_batched pfn=0x5000 pid=301\n"
	"1030 cpu=1 mm_page_pcpu_drain pfn=0x5001 order=1 migratetype=2 pid=301\n"
	"1035 cpu=1 mm_page_alloc_extfrag pfn=0x400 alloc_order=0 fallback_order=3 alloc_migratetype=1 fallback_migratetype=0 pid=301\n"
	"1040 cpu=0 mm_page_alloc pfn=-1 order=2 gfp_flags=0x2dc2 migratetype=0 pid=100 comm=bash [hardirq]\n"
	"1045 cpu=1 sched_process_exit comm=<...> pid=301 prio=120 group_dead=true\n"
	"1046 cpu=1 sched_wakeup_new comm=<...> pid=302 prio=120 target_cpu=0 [nmi]\n"
	"1050 cpu=0 mm_page_free pfn=0x12300 order=0 pid=100 comm=bash\n"
	"1060 cpu=0 sched_process_exec filename=/usr/bin/ls pid=100 old_pid=100\n"
	"2000 cpu=0 sched_switch prev_comm=worker prev_pid=200 prev_prio=-1 prev_state=S|D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n"
	"2001 cpu=0 mm_page_alloc pfn=0xfedcba9876543210 order=10 gfp_flags=0xffffffffffffffff migratetype=5 pid=200 comm=worker\n"
	"2002 cpu=0 sched_switch prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=S+ ==> next_comm=bash next_pid=100 next_prio=120\n"
	"3000 cpu=1 sched_process_exit comm=<...> pid=302 prio=120\n";
