#ifndef SCHEDSCOPE_CRECORDER_H
#define SCHEDSCOPE_CRECORDER_H
// What SchedscopeRecorder needs below Swift: the time-stamp counter, a thread-local slot
// pointer that costs one %fs-relative load, the recording epoch read on every emit, and
// a wake-up semaphore for the flusher. Everything on the emit path is `static inline`
// so that Swift inlines it.
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/// Whether this build can read a time-stamp counter (x86 only).
static inline int schedscope_has_tsc_instruction(void) {
#if defined(__x86_64__) || defined(__i386__)
    return 1;
#else
    return 0;
#endif
}

/// The time-stamp counter (`rdtsc`; not serializing: one event's order against its
/// neighbours on the same thread is all that matters). 0 where there is none.
static inline uint64_t schedscope_rdtsc(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    return 0;
#endif
}

/// CLOCK_MONOTONIC in nanoseconds.
static inline uint64_t schedscope_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/// CLOCK_REALTIME in nanoseconds since the Unix epoch.
static inline uint64_t schedscope_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// The calling thread's recorder slot (a `ThreadSlot` owned by SchedscopeRecorder), or NULL.
// initial-exec: a fixed offset from %fs, no __tls_get_addr call, also inside a shared library
// loaded at start-up.
extern __thread void *schedscope_thread_slot_storage __attribute__((tls_model("initial-exec")));

static inline void *schedscope_thread_slot(void) { return schedscope_thread_slot_storage; }
static inline void schedscope_set_thread_slot(void *slot) { schedscope_thread_slot_storage = slot; }

// The epoch of the recording session in progress, 0 when none. Read with relaxed ordering on
// every emit: it only switches emitting on and off, and a thread that sees a stale value
// either drops one event (just stopped) or records into a slot that the slow path re-arms
// under the registry lock (just started), which publishes everything else.
extern uint64_t schedscope_recording_epoch_storage;

static inline uint64_t schedscope_recording_epoch_load_relaxed(void) {
    return __atomic_load_n(&schedscope_recording_epoch_storage, __ATOMIC_RELAXED);
}
static inline void schedscope_recording_epoch_store_relaxed(uint64_t epoch) {
    __atomic_store_n(&schedscope_recording_epoch_storage, epoch, __ATOMIC_RELAXED);
}

/// Wakes the flusher (never blocks: a semaphore post).
void schedscope_flusher_wake(void);
/// Waits until woken or `timeout_ns` passed (CLOCK_MONOTONIC). Returns 1 if woken.
int schedscope_flusher_wait(uint64_t timeout_ns);

/// The calling thread's kernel id (for diagnostics).
int64_t schedscope_gettid(void);

/// Installs (once) a fork handler that stops recording in a forked child: the child has no
/// flusher thread, so its events would only fill its rings.
void schedscope_install_fork_handler(void);

/// Names the calling thread (shown by ps, top, gdb, perf).
void schedscope_name_current_thread(const char *name);

#endif
