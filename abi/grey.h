/*
 * grey.h — the GreyOS syscall ABI `grey` v1 for C guests (wasm32).
 *
 * Source of truth: abi/grey-v1.json. This header must agree with it exactly;
 * `python3 abi/check_abi.py` verifies that. Read abi/README.md for the model.
 *
 * Conventions
 *   - Every function is imported from the wasm module "grey" under its own name.
 *   - Signatures are flat: i32/i64 only. Pointers are byte offsets into the
 *     module's exported memory "memory"; lengths are u32 bytes.
 *   - Strings are UTF-8 with an explicit length (no NUL needed).
 *   - Result >= 0 is success (0, a value or a handle); < 0 is -GREY_E* (the
 *     macros below are already negative: `if (r == GREY_EAGAIN)`).
 *   - Every call except proc_exit may return GREY_EQUOTA (syscall rate limit).
 *   - Values the node writes into guest memory are little-endian, unaligned ok.
 *
 * Build:  clang-14 --target=wasm32-wasi -O2 -I abi app.c -o app.wasm
 * Service: add  -mexec-model=reactor -Wl,--export=grey_on_event
 */
#ifndef GREY_H
#define GREY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

/** Value returned by grey_abi_version on a v1 node. */
#define GREY_ABI_VERSION 1

/* ------------------------------------------------------------ error codes */
/* Returned negated-as-defined: every GREY_E* is < 0. Numbers are never reused. */

#define GREY_EACCES    (-1)  /**< capability not granted (audited) */
#define GREY_ENOENT    (-2)  /**< no such thing (e.g. module id unknown to the node) */
#define GREY_EINVAL    (-3)  /**< invalid argument: unknown value, count/duration out of range, flags */
#define GREY_EQUOTA    (-4)  /**< quota or syscall-rate limit reached (any syscall) */
#define GREY_EAGAIN    (-5)  /**< not ready yet (pending handle; a service's grey_wait) */
#define GREY_EBADF     (-6)  /**< handle not open (never issued, closed or consumed) */
#define GREY_EFAULT    (-7)  /**< pointer+length outside the exported memory */
#define GREY_ENOSYS    (-8)  /**< function known but not provided by this node */
#define GREY_ERANGE    (-9)  /**< byte count above its maximum (random_fill, log_write) */
#define GREY_ETIMEDOUT (-10) /**< grey_wait timed out */
#define GREY_ECANCELED (-11) /**< operation aborted (proc_wait: the process was killed) */
#define GREY_EIO       (-12) /**< node-side failure (may retry); proc_wait: it faulted */
#define GREY_ENOMEM    (-13) /**< out of memory (node or the process's limit) */
#define GREY_EEXIST    (-14) /**< already exists (later families) */
#define GREY_ESRCH     (-15) /**< no such process visible to the caller */
#define GREY_ENOTDIR   (-16) /**< a path names a file where a folder is needed */
#define GREY_EISDIR    (-17) /**< a path names a folder where a file is needed */
#define GREY_ENOTEMPTY (-18) /**< folder not empty (fs_remove without RECURSIVE) */

/* ---------------------------------------------- service event kinds (kind) */

#define GREY_EVENT_COMPLETION 1 /**< handle completed; value = its result (handle freed) */
#define GREY_EVENT_TIMER      2 /**< time_timer expiry; value = the timer's tag */
#define GREY_EVENT_SIGNAL     3 /**< handle 0; value = GREY_SIG_TERM or GREY_SIG_USR */
#define GREY_EVENT_MESSAGE    4 /**< reserved for the bus */

/* ---------------------------------------------------------------- clocks */

#define GREY_CLOCK_REALTIME    0 /**< ns since the Unix epoch */
#define GREY_CLOCK_MONOTONIC   1 /**< ns since an arbitrary origin, never goes back */
#define GREY_CLOCK_PROCESS_CPU 2 /**< CPU time consumed by this process, ns */

/* ------------------------------------------------------------ log levels */

#define GREY_LOG_TRACE 0
#define GREY_LOG_DEBUG 1
#define GREY_LOG_INFO  2
#define GREY_LOG_WARN  3
#define GREY_LOG_ERROR 4

/* --------------------------------------------------------------- signals */

#define GREY_SIG_KILL 9  /**< end at once; never delivered */
#define GREY_SIG_USR  10 /**< application-defined; SIGNAL event for services */
#define GREY_SIG_TERM 15 /**< please end; SIGNAL event for services, ends commands */

/* ------------------------------------------------------- process kinds */

#define GREY_PROC_KIND_COMMAND 0 /**< exports _start */
#define GREY_PROC_KIND_SERVICE 1 /**< exports grey_on_event */

/* ---------------------------------------------------------------- limits */

#define GREY_WAIT_FOREVER        (-1)              /**< grey_wait timeout: never (any < 0) */
#define GREY_WAIT_MAX_HANDLES    1024              /**< grey_wait count maximum (-EINVAL) */
#define GREY_TIMER_MIN_PERIOD_NS 1000000           /**< time_timer smallest non-zero period, 1 ms */
#define GREY_TIME_MAX_NS         31536000000000000 /**< longest sleep/delay/period, 365 days */
#define GREY_RANDOM_FILL_MAX     65536             /**< random_fill buf_len maximum (-ERANGE) */
#define GREY_LOG_MAX             4096              /**< log_write msg_len maximum (-ERANGE) */
#define GREY_MODULE_ID_LEN       64                /**< proc_spawn module id: SHA-256, lowercase hex */
#define GREY_PROC_INFO_SIZE      64                /**< sizeof(struct grey_proc_info) in v1 */

/* -------------------------------------------------------------- fs and kv */

#define GREY_FS_READ             1       /**< fs_open: read */
#define GREY_FS_WRITE            2       /**< fs_open: write (buffered, committed atomically on fs_close) */
#define GREY_FS_CREATE           4       /**< fs_open: create (empty) if missing */
#define GREY_FS_EXCL             8       /**< fs_open: with CREATE, EEXIST if it exists */
#define GREY_FS_TRUNC            16      /**< fs_open: start from empty content */
#define GREY_FS_APPEND           32      /**< fs_open: every write appends */
#define GREY_SEEK_SET            0       /**< fs_seek from the start */
#define GREY_SEEK_CUR            1       /**< fs_seek from the position */
#define GREY_SEEK_END            2       /**< fs_seek from the end */
#define GREY_FS_KIND_FILE        1       /**< grey_fs_stat.kind / fs_list record kind */
#define GREY_FS_KIND_FOLDER      2
#define GREY_FS_MKDIR_PARENTS    1       /**< fs_mkdir: mkdir -p */
#define GREY_FS_REMOVE_RECURSIVE 1       /**< fs_remove: with contents */
#define GREY_FS_RENAME_REPLACE   1       /**< fs_rename: replace the destination */
#define GREY_FS_STAT_SIZE        32      /**< sizeof(struct grey_fs_stat) */
#define GREY_FS_LIST_HEADER      16      /**< fs_list record: u32 kind, u32 name_len, u64 size, name */
#define GREY_KV_KEY_MAX          512     /**< longest kv key, bytes */
#define GREY_KV_VALUE_MAX        1048576 /**< largest kv value, bytes (1 MiB) */
#define GREY_KV_LIST_HEADER      4       /**< kv_list record: u32 key_len, key */

/* ----------------------------------------------------------------- types */

/** A handle: > 0, private to the process, never reused within its life. */
typedef int32_t grey_handle_t;
/** A process id: > 0, cluster-unique ((node ordinal << 48) | sequence). */
typedef int64_t grey_pid_t;

/**
 * Written by proc_self. Little-endian, 64 bytes in v1; later versions only
 * append fields, and a shorter buffer receives a prefix.
 */
struct grey_proc_info {
    uint64_t pid;                  /**< @0  this process */
    uint64_t parent_pid;           /**< @8  spawner; 0 if started via API/CLI */
    uint32_t kind;                 /**< @16 GREY_PROC_KIND_* (0 command, 1 service) */
    uint32_t reserved;             /**< @20 0 in v1 */
    uint64_t start_time_ns;        /**< @24 start, GREY_CLOCK_REALTIME ns */
    uint64_t memory_limit_bytes;   /**< @32 linear-memory limit */
    uint64_t cpu_limit_ns;         /**< @40 CPU-time limit; 0 = none */
    uint64_t wall_limit_ns;        /**< @48 wall-time limit; 0 = none */
    uint32_t max_handles;          /**< @56 open-handle limit; 0 = none */
    uint32_t max_syscalls_per_sec; /**< @60 syscall rate limit; 0 = none */
};

#ifdef __cplusplus
#define GREY_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define GREY_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif
GREY_STATIC_ASSERT(sizeof(struct grey_proc_info) == GREY_PROC_INFO_SIZE, "grey_proc_info size");
GREY_STATIC_ASSERT(offsetof(struct grey_proc_info, kind) == 16, "grey_proc_info.kind");
GREY_STATIC_ASSERT(offsetof(struct grey_proc_info, start_time_ns) == 24, "grey_proc_info.start_time_ns");
GREY_STATIC_ASSERT(offsetof(struct grey_proc_info, max_handles) == 56, "grey_proc_info.max_handles");

/** Written by fs_stat. Little-endian, 32 bytes. */
struct grey_fs_stat {
    uint64_t size;        /**< @0  bytes (0 for folders) */
    uint64_t modified_ns; /**< @8  last content change, GREY_CLOCK_REALTIME ns */
    uint64_t created_ns;  /**< @16 creation, GREY_CLOCK_REALTIME ns */
    uint32_t kind;        /**< @24 GREY_FS_KIND_FILE or GREY_FS_KIND_FOLDER */
    uint32_t reserved;    /**< @28 0 */
};
GREY_STATIC_ASSERT(sizeof(struct grey_fs_stat) == GREY_FS_STAT_SIZE, "grey_fs_stat size");

/* --------------------------------------------------------------- imports */

#define GREY_IMPORT(name) __attribute__((import_module("grey"), import_name(name)))

/* core ------------------------------------------------------------------ */

/** The ABI version: GREY_ABI_VERSION. Capability: none. */
GREY_IMPORT("grey_abi_version") int32_t grey_abi_version(void);

/**
 * Non-blocking check of an async operation.
 * @return GREY_EAGAIN while pending; else the operation's result (>= 0, or a
 *         negative GREY_E* of the operation) and the one-shot handle is freed.
 *         For a periodic timer: expiries since the last poll (>= 1), stays open.
 * Errors: EAGAIN, EBADF, EQUOTA.
 */
GREY_IMPORT("grey_poll") int64_t grey_poll(grey_handle_t handle);

/**
 * Blocks a command until one of `count` (1..GREY_WAIT_MAX_HANDLES) handles is
 * ready or `timeout_ns` passes (< 0 forever, 0 just check). Consumes nothing.
 * @return index of the first ready handle, or GREY_ETIMEDOUT.
 * A service never blocks: with nothing ready it gets GREY_ETIMEDOUT when
 * timeout_ns == 0, else GREY_EAGAIN.
 * Errors: EBADF, EFAULT, EINVAL, ETIMEDOUT, EAGAIN, EQUOTA.
 */
GREY_IMPORT("grey_wait") int32_t grey_wait(const grey_handle_t *handles, uint32_t count, int64_t timeout_ns);

/**
 * Frees a handle; a pending operation's result is dropped, a timer stops.
 * Does not stop a spawned child or a waited process. @return 0.
 * Errors: EBADF, EQUOTA.
 */
GREY_IMPORT("grey_close") int32_t grey_close(grey_handle_t handle);

/**
 * Copies the next bytes of the payload attached to a completed handle
 * (reserved for later families). @return bytes copied, 0 at end.
 * No v1 operation has a payload: 0 on any open v1 handle.
 * Errors: EBADF, EFAULT, EQUOTA.
 */
GREY_IMPORT("grey_read") int32_t grey_read(grey_handle_t handle, void *buf, uint32_t buf_len);

/* proc ------------------------------------------------------------------ */

/**
 * Writes min(info_len, GREY_PROC_INFO_SIZE) bytes of struct grey_proc_info.
 * @return the full struct size the node knows (64 in v1); info_len 0 only queries.
 * Errors: EFAULT, EQUOTA.
 */
GREY_IMPORT("proc_self") int32_t proc_self(struct grey_proc_info *info, uint32_t info_len);

/**
 * Starts a child from a module known to the node, same owner, the caller's
 * capabilities and limits, empty environment, stdin at EOF. Capability: proc.spawn.
 * module: SHA-256 as GREY_MODULE_ID_LEN lowercase hex chars (no NUL).
 * argv: arguments after argv[0], each terminated by one NUL ("a\0b\0"); len 0 = none.
 * flags: must be 0 in v1.
 * @return a handle completing with the child's pid. Start failures (ENOENT
 *         unknown module, EINVAL invalid module, EQUOTA, ENOMEM, EIO) come either
 *         at once or as the completion result: handle both.
 * Errors: EACCES, EFAULT, EINVAL, ENOENT, ENOMEM, EIO, EQUOTA.
 */
GREY_IMPORT("proc_spawn") grey_handle_t proc_spawn(const char *module, uint32_t module_len,
                                                   const char *argv, uint32_t argv_len, uint32_t flags);

/** Ends the calling process with `code` (same as WASI proc_exit). */
GREY_IMPORT("proc_exit") __attribute__((noreturn)) void proc_exit(int32_t code);

/**
 * Sends GREY_SIG_TERM / GREY_SIG_KILL / GREY_SIG_USR to a running process of
 * the same owner (others are invisible: ESRCH). Capability: proc.signal. @return 0.
 * Errors: EACCES, EINVAL, ESRCH, EQUOTA.
 */
GREY_IMPORT("proc_signal") int32_t proc_signal(grey_pid_t pid, int32_t sig);

/**
 * Waits for a process of the same owner (running or ended) to end.
 * @return a handle; completes with the exit code as an unsigned 32-bit value
 *         (never negative), or ECANCELED (killed/lost) or EIO (faulted).
 * Errors: ESRCH (no such process visible to the caller), EQUOTA.
 */
GREY_IMPORT("proc_wait") grey_handle_t proc_wait(grey_pid_t pid);

/* time ------------------------------------------------------------------ */

/**
 * Reads GREY_CLOCK_* into *out_ns (u64 ns). @return 0.
 * Errors: EINVAL (unknown clock), EFAULT, EQUOTA.
 */
GREY_IMPORT("time_now") int32_t time_now(int32_t clock, uint64_t *out_ns);

/**
 * One-shot sleep of `ns` (0..GREY_TIME_MAX_NS). @return a handle; completes with 0.
 * Errors: EINVAL (out of range), EQUOTA.
 */
GREY_IMPORT("time_sleep") grey_handle_t time_sleep(int64_t ns);

/**
 * Timer: first expiry after delay_ns (0..GREY_TIME_MAX_NS), then every
 * period_ns (0 = once, else GREY_TIMER_MIN_PERIOD_NS..GREY_TIME_MAX_NS).
 * Services get GREY_EVENT_TIMER with value = tag (missed expiries may be
 * coalesced); commands grey_poll the expiry count (a periodic handle stays open).
 * @return a handle; stop with grey_close.
 * Errors: EINVAL (out of range), EQUOTA.
 */
GREY_IMPORT("time_timer") grey_handle_t time_timer(int64_t delay_ns, int64_t period_ns, int64_t tag);

/* random ---------------------------------------------------------------- */

/**
 * Fills buf with buf_len (<= GREY_RANDOM_FILL_MAX) CSPRNG bytes. @return 0.
 * Errors: EFAULT, ERANGE, EQUOTA.
 */
GREY_IMPORT("random_fill") int32_t random_fill(void *buf, uint32_t buf_len);

/* log ------------------------------------------------------------------- */

/**
 * Writes one log record for the process (a v1 node appends "<level>: <msg>"
 * to the process's stderr). level: GREY_LOG_*; msg: UTF-8, msg_len <= GREY_LOG_MAX.
 * @return 0. Errors: EINVAL (level), EFAULT, ERANGE, EQUOTA.
 */
GREY_IMPORT("log_write") int32_t log_write(int32_t level, const char *msg, uint32_t msg_len);

/* fs -------------------------------------------------------------------- */
/*
 * Paths are the process's view: absolute, under the guest path of a folder granted
 * to it (greyos run --dir VFS_PATH[:GUEST_PATH]), the same names its WASI preopens
 * have. Capabilities fs.read / fs.write come with each granted folder (read-only
 * folders: fs.read only); other paths are GREY_EACCES. The calls are synchronous:
 * they block only this guest's thread for local VFS I/O. Writes are buffered per
 * handle and committed atomically on fs_close (or a normal exit); a kill or fault
 * discards them; concurrent writers: the last close wins.
 */

/**
 * Opens a file. flags: GREY_FS_* (READ, WRITE or APPEND at least; EXCL needs CREATE).
 * @return a file handle (grey_close closes it like fs_close; grey_read reads it).
 * Errors: EACCES, EINVAL, EFAULT, ENOENT, EEXIST, EISDIR, ENOTDIR, EQUOTA, EIO.
 */
GREY_IMPORT("fs_open") grey_handle_t fs_open(const char *path, uint32_t path_len, uint32_t flags);

/** Reads at the position. @return bytes read, 0 at the end. Errors: EACCES, EBADF, EFAULT, EIO, EQUOTA. */
GREY_IMPORT("fs_read") int32_t fs_read(grey_handle_t handle, void *buf, uint32_t buf_len);

/** Writes at the position (appends with APPEND). @return buf_len. Errors: EACCES, EBADF, EFAULT, EQUOTA, EIO. */
GREY_IMPORT("fs_write") int32_t fs_write(grey_handle_t handle, const void *buf, uint32_t buf_len);

/** Moves the position (GREY_SEEK_*). @return the new position. Errors: EACCES, EBADF, EINVAL, EIO, EQUOTA. */
GREY_IMPORT("fs_seek") int64_t fs_seek(grey_handle_t handle, int64_t offset, int32_t whence);

/** Commits the writes atomically and frees the handle (even on error). @return 0. Errors: EACCES, EBADF, EQUOTA, ENOENT, EIO. */
GREY_IMPORT("fs_close") int32_t fs_close(grey_handle_t handle);

/** Size, times and kind into *stat. @return 0. Errors: EACCES, EINVAL, EFAULT, ENOENT, ENOTDIR, EIO, EQUOTA. */
GREY_IMPORT("fs_stat") int32_t fs_stat(const char *path, uint32_t path_len, struct grey_fs_stat *stat);

/**
 * Lists a folder from entry `start` (sorted by name) as records: u32 kind, u32 name_len,
 * u64 size, name (GREY_FS_LIST_HEADER + name_len bytes, unpadded); whole records only.
 * @return records written, 0 past the end. Errors: EACCES, EINVAL, EFAULT, ENOENT, ENOTDIR, ERANGE, EIO, EQUOTA.
 */
GREY_IMPORT("fs_list") int32_t fs_list(const char *path, uint32_t path_len, uint32_t start, void *buf, uint32_t buf_len);

/** Creates a folder (flags: GREY_FS_MKDIR_PARENTS). @return 0. Errors: EACCES, EINVAL, EFAULT, ENOENT, EEXIST, ENOTDIR, EIO, EQUOTA. */
GREY_IMPORT("fs_mkdir") int32_t fs_mkdir(const char *path, uint32_t path_len, uint32_t flags);

/** Removes a file or folder (flags: GREY_FS_REMOVE_RECURSIVE). @return 0. Errors: EACCES, EINVAL, EFAULT, ENOENT, ENOTEMPTY, EIO, EQUOTA. */
GREY_IMPORT("fs_remove") int32_t fs_remove(const char *path, uint32_t path_len, uint32_t flags);

/** Moves/renames (flags: GREY_FS_RENAME_REPLACE). @return 0. Errors: EACCES, EINVAL, EFAULT, ENOENT, EEXIST, ENOTDIR, EIO, EQUOTA. */
GREY_IMPORT("fs_rename") int32_t fs_rename(const char *from, uint32_t from_len, const char *to, uint32_t to_len, uint32_t flags);

/* kv -------------------------------------------------------------------- */
/*
 * The app's own key-value store, per user and app id (greyos run --app-id; an
 * ad-hoc module gets one per module hash). Capabilities kv.read / kv.write
 * (greyos run --cap kv.read --cap kv.write). Durable when a call returns.
 */

/** Copies min(length, buf_len) bytes of the value. @return its full length. Errors: EACCES, EINVAL, ERANGE, EFAULT, ENOENT, EIO, EQUOTA. */
GREY_IMPORT("kv_get") int32_t kv_get(const void *key, uint32_t key_len, void *buf, uint32_t buf_len);

/** Inserts or replaces. @return 0. Errors: EACCES, EINVAL, ERANGE, EFAULT, EQUOTA (the app's quota), EIO. */
GREY_IMPORT("kv_set") int32_t kv_set(const void *key, uint32_t key_len, const void *value, uint32_t value_len);

/** Deletes a key. @return 0. Errors: EACCES, EINVAL, ERANGE, EFAULT, ENOENT, EIO, EQUOTA. */
GREY_IMPORT("kv_delete") int32_t kv_delete(const void *key, uint32_t key_len);

/**
 * Keys with `prefix` sorting after `after` (empty: from the first) as records: u32 key_len,
 * key; whole records only. Next page: pass the last key returned as `after`.
 * @return keys written, 0 when done. Errors: EACCES, ERANGE, EFAULT, EIO, EQUOTA.
 */
GREY_IMPORT("kv_list") int32_t kv_list(const void *prefix, uint32_t prefix_len, const void *after, uint32_t after_len, void *buf, uint32_t buf_len);

/* ------------------------------------------------------- service export */
/*
 * A service defines (and exports, -Wl,--export=grey_on_event):
 *
 *   int32_t grey_on_event(int32_t kind, grey_handle_t handle, int64_t value);
 *
 * Return 0 to keep running, non-zero to exit with that code (exit 0 with
 * proc_exit(0)). Called once per event, never re-entrantly; must not block.
 * Arm the first timers in a constructor (run by the reactor's _initialize).
 */
int32_t grey_on_event(int32_t kind, grey_handle_t handle, int64_t value);

/* --------------------------------------------------------------- helpers */

/** log_write of a NUL-terminated string (truncated to GREY_LOG_MAX bytes). */
static inline int32_t grey_log_str(int32_t level, const char *s) {
    size_t n = __builtin_strlen(s);
    return log_write(level, s, (uint32_t)(n > GREY_LOG_MAX ? GREY_LOG_MAX : n));
}

/** Command only: blocks until `h` completes; returns its result (grey_poll). */
static inline int64_t grey_await(grey_handle_t h) {
    if (h < 0) return h;
    int32_t r = grey_wait(&h, 1, GREY_WAIT_FOREVER);
    if (r < 0) {
        grey_close(h);
        return r;
    }
    return grey_poll(h);
}

/** Command only: sleeps `ns` nanoseconds (time_sleep + grey_wait). 0 or GREY_E*. */
static inline int32_t grey_sleep_ns(int64_t ns) {
    return (int32_t)grey_await(time_sleep(ns));
}

/** Command only: sleeps `ms` milliseconds. 0 or GREY_E*. */
static inline int32_t grey_sleep_ms(uint32_t ms) {
    return grey_sleep_ns((int64_t)ms * 1000000);
}

/** Reads a clock; returns ns (>= 0) or GREY_E* (< 0). */
static inline int64_t grey_now_ns(int32_t clock) {
    uint64_t ns = 0;
    int32_t r = time_now(clock, &ns);
    return r < 0 ? (int64_t)r : (int64_t)ns;
}

/** The name of a GREY_E* code ("EACCES" …), "OK" for >= 0, "E?" if unknown. */
static inline const char *grey_strerror(int64_t err) {
    if (err >= 0) return "OK";
    switch (err) {
    case GREY_EACCES: return "EACCES";
    case GREY_ENOENT: return "ENOENT";
    case GREY_EINVAL: return "EINVAL";
    case GREY_EQUOTA: return "EQUOTA";
    case GREY_EAGAIN: return "EAGAIN";
    case GREY_EBADF: return "EBADF";
    case GREY_EFAULT: return "EFAULT";
    case GREY_ENOSYS: return "ENOSYS";
    case GREY_ERANGE: return "ERANGE";
    case GREY_ETIMEDOUT: return "ETIMEDOUT";
    case GREY_ECANCELED: return "ECANCELED";
    case GREY_EIO: return "EIO";
    case GREY_ENOMEM: return "ENOMEM";
    case GREY_EEXIST: return "EEXIST";
    case GREY_ESRCH: return "ESRCH";
    case GREY_ENOTDIR: return "ENOTDIR";
    case GREY_EISDIR: return "EISDIR";
    case GREY_ENOTEMPTY: return "ENOTEMPTY";
    default: return "E?";
    }
}

#ifdef __cplusplus
}
#endif

#endif /* GREY_H */
