/*
 * ticker — a grey v1 *service* (WASI reactor; exports grey_on_event).
 * greyos-build: service
 *
 * On its first call it arms a periodic timer (time_timer, 100 ms, tag TICK_TAG).
 * "First call" is the reactor's _initialize (a constructor below); if a host
 * calls grey_on_event before that ever happened, the timer is armed there.
 * On each GREY_EVENT_TIMER it writes "tick N" with log_write; after 5 ticks it
 * closes the timer and exits with proc_exit(0).
 * A GREY_EVENT_SIGNAL with GREY_SIG_TERM makes it exit 0 early; other events are
 * logged and ignored.
 *
 * What the kernel must do with it: run _initialize, deliver 5 TIMER events
 * ~100 ms apart with value == TICK_TAG, never call grey_on_event re-entrantly,
 * keep no thread while idle, record exit code 0 after ~500 ms, and expose the
 * five "tick" lines through the process log.
 */
#include <grey.h>

#define TICK_TAG 0x7469636bLL /* "tick" */
#define TICK_NS (100 * 1000000LL)
#define TICKS 5

static grey_handle_t timer;
static int ticks;

static void log_num(const char *prefix, int64_t n) {
    char buf[64];
    int len = 0;
    while (prefix[len] != '\0' && len < 40) {
        buf[len] = prefix[len];
        len++;
    }
    uint64_t u = (uint64_t)n;
    if (n < 0) {
        buf[len++] = '-';
        u = 0 - u;
    }
    char digits[20];
    int d = 0;
    do {
        digits[d++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0 && d < 20);
    while (d > 0)
        buf[len++] = digits[--d];
    log_write(GREY_LOG_INFO, buf, (uint32_t)len);
}

static void arm(void) {
    if (timer > 0)
        return;
    timer = time_timer(TICK_NS, TICK_NS, TICK_TAG);
    if (timer < 0) {
        log_num("ticker: time_timer failed: ", timer);
        proc_exit(1);
    }
    grey_log_str(GREY_LOG_INFO, "ticker: timer armed");
}

__attribute__((constructor)) static void ticker_init(void) { arm(); }

int32_t grey_on_event(int32_t kind, grey_handle_t handle, int64_t value) {
    arm();
    switch (kind) {
    case GREY_EVENT_TIMER:
        if (handle != timer || value != TICK_TAG) {
            log_num("ticker: unexpected timer event, tag ", value);
            return 0;
        }
        ticks++;
        log_num("tick ", ticks);
        if (ticks >= TICKS) {
            grey_close(timer);
            grey_log_str(GREY_LOG_INFO, "ticker: done");
            proc_exit(0);
        }
        return 0;
    case GREY_EVENT_SIGNAL:
        if (value == GREY_SIG_TERM) {
            grey_log_str(GREY_LOG_INFO, "ticker: TERM, exiting");
            proc_exit(0);
        }
        log_num("ticker: signal ", value);
        return 0;
    default:
        log_num("ticker: ignored event kind ", kind);
        return 0;
    }
}
