/*
 * clock — a WASI command that uses the grey v1 ABI (abi/grey.h).
 *
 * Calls, in order, and prints what it got on stdout:
 *   grey_abi_version, proc_self (pid, parent, kind, limits),
 *   time_now on the three clocks, random_fill (16 bytes as hex),
 *   log_write (one INFO record to the process log),
 *   time_sleep(100 ms) + grey_wait + grey_poll (and the measured monotonic delay),
 *   time_timer(10 ms, period 10 ms) polled with grey_wait until 3 expiries, grey_close.
 * Exit code 0 when every call succeeded, 1 otherwise (a line "FAIL ..." says which).
 *
 * Imports: grey.* and, for printf, a few wasi_snapshot_preview1 functions.
 */
#include <grey.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int failures;

static int64_t check(const char *what, int64_t r) {
    if (r < 0) {
        printf("FAIL %s: %s (%" PRId64 ")\n", what, grey_strerror(r), r);
        failures++;
    }
    return r;
}

int main(void) {
    int32_t v = grey_abi_version();
    printf("abi version: %" PRId32 "\n", v);
    if (v != GREY_ABI_VERSION)
        check("grey_abi_version", GREY_EINVAL);

    struct grey_proc_info info;
    memset(&info, 0, sizeof info);
    int32_t size = (int32_t)check("proc_self", proc_self(&info, sizeof info));
    if (size >= 0) {
        printf("proc_self: size=%" PRId32 " pid=%" PRIu64 " parent=%" PRIu64 " kind=%s\n", size, info.pid,
               info.parent_pid, info.kind == GREY_PROC_KIND_COMMAND ? "command" : "other");
        printf("limits: memory=%" PRIu64 " bytes cpu=%" PRIu64 " ns wall=%" PRIu64 " ns handles=%" PRIu32
               " syscalls/s=%" PRIu32 "\n",
               info.memory_limit_bytes, info.cpu_limit_ns, info.wall_limit_ns, info.max_handles,
               info.max_syscalls_per_sec);
    }

    static const char *const clock_names[] = {"realtime", "monotonic", "process_cpu"};
    for (int32_t c = GREY_CLOCK_REALTIME; c <= GREY_CLOCK_PROCESS_CPU; c++) {
        uint64_t ns = 0;
        if (check("time_now", time_now(c, &ns)) >= 0)
            printf("time_now(%s) = %" PRIu64 " ns\n", clock_names[c], ns);
    }

    uint8_t rnd[16];
    if (check("random_fill", random_fill(rnd, sizeof rnd)) >= 0) {
        printf("random: ");
        for (size_t i = 0; i < sizeof rnd; i++)
            printf("%02x", rnd[i]);
        printf("\n");
    }

    check("log_write", grey_log_str(GREY_LOG_INFO, "clock: hello from the process log"));
    printf("log_write: ok\n");

    int64_t t0 = check("time_now", grey_now_ns(GREY_CLOCK_MONOTONIC));
    grey_handle_t h = (grey_handle_t)check("time_sleep", time_sleep(100 * 1000000LL));
    if (h > 0) {
        int32_t idx = (int32_t)check("grey_wait", grey_wait(&h, 1, GREY_WAIT_FOREVER));
        int64_t r = check("grey_poll", grey_poll(h));
        int64_t t1 = check("time_now", grey_now_ns(GREY_CLOCK_MONOTONIC));
        printf("time_sleep(100 ms): wait=%" PRId32 " result=%" PRId64 " slept=%" PRId64 " ms\n", idx, r,
               (t1 - t0) / 1000000);
        if (t1 - t0 < 100 * 1000000LL)
            check("time_sleep slept too little", GREY_ERANGE);
    }

    grey_handle_t t = (grey_handle_t)check("time_timer", time_timer(10 * 1000000LL, 10 * 1000000LL, 42));
    if (t > 0) {
        int64_t expiries = 0;
        while (expiries < 3) {
            if (check("grey_wait(timer)", grey_wait(&t, 1, 1000 * 1000000LL)) < 0)
                break;
            int64_t n = check("grey_poll(timer)", grey_poll(t));
            if (n < 0)
                break;
            expiries += n;
        }
        check("grey_close(timer)", grey_close(t));
        printf("time_timer(10 ms period): %" PRId64 " expiries\n", expiries);
    }

    printf("%s\n", failures == 0 ? "clock: all calls succeeded" : "clock: some calls failed");
    return failures == 0 ? 0 : 1;
}
