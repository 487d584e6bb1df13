#define _GNU_SOURCE
#include "CSchedscopeExecutor.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__thread void *schedscope_current_worker_storage __attribute__((tls_model("initial-exec"))) = 0;
__thread uint64_t schedscope_pending_spawn_storage __attribute__((tls_model("initial-exec"))) = 0;

uint64_t schedscope_executor_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t schedscope_executor_coarse_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

extern const uint32_t _swift_concurrency_debug_internal_layout_version;
extern const size_t _swift_concurrency_debug_asyncTaskSize;

uint32_t schedscope_runtime_layout_version(void) { return _swift_concurrency_debug_internal_layout_version; }
size_t schedscope_runtime_async_task_size(void) { return _swift_concurrency_debug_asyncTaskSize; }

// swift_task_enqueueGlobal_hook's type: a Swift-convention function given the job and the
// original implementation.
typedef __attribute__((swiftcall)) void (*original_enqueue_global)(void *job);
typedef __attribute__((swiftcall)) void (*enqueue_global_hook)(void *job, original_enqueue_global original);
extern enqueue_global_hook swift_task_enqueueGlobal_hook;

static schedscope_global_job_handler installed_handler;
static original_enqueue_global saved_original;

__attribute__((swiftcall)) static void schedscope_enqueue_global_hook(void *job, original_enqueue_global original) {
    __atomic_store_n(&saved_original, original, __ATOMIC_RELAXED);
    schedscope_global_job_handler handler = __atomic_load_n(&installed_handler, __ATOMIC_ACQUIRE);
    if (handler) handler(job); else original(job);
}

void schedscope_install_global_hook(schedscope_global_job_handler handler) {
    __atomic_store_n(&installed_handler, handler, __ATOMIC_RELEASE);
    __atomic_store_n(&swift_task_enqueueGlobal_hook, handler ? schedscope_enqueue_global_hook : 0, __ATOMIC_RELEASE);
}

void schedscope_enqueue_global_original(void *job) {
    // Only reached for a job the hook received, so the original is known.
    saved_original(job);
}

void schedscope_futex_wait(uint32_t *word, uint32_t expected) {
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void schedscope_futex_wake_one(uint32_t *word) {
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int schedscope_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

void schedscope_set_thread_name(const char *name) {
    char truncated[16];
    int i = 0;
    for (; i < 15 && name[i]; i++) truncated[i] = name[i];
    truncated[i] = 0;
    pthread_setname_np(pthread_self(), truncated);
}
