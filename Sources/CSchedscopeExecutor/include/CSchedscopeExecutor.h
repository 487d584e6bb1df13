#ifndef SCHEDSCOPE_CEXECUTOR_H
#define SCHEDSCOPE_CEXECUTOR_H
// What SchedscopeExecutor needs below Swift: the Swift runtime's job and task entry points
// (they use the Swift calling convention, which only a C declaration with
// `__attribute__((swiftcall))` can name), the global-enqueue hook, futex parking, and the
// calling thread's worker pointer.
#include <stdint.h>
#include <stddef.h>

// MARK: - Jobs and tasks (exported by libswift_Concurrency)

/// The id of the task a job belongs to (stable across the task's suspensions, equal to the
/// id seen inside the task); 0 for a job that is not a task (an actor's process job, …).
static inline uint64_t schedscope_job_task_id(void *job);
/// The job's flags: kind in bits 0–7, priority 8–15, child/future/group-child/async-let/
/// has-preference in bits 24–29.
static inline uint32_t schedscope_job_flags(void *job);
/// The running task's name (`Task(name:)`), or NULL; valid while the task runs.
static inline const char *schedscope_current_task_name(void);

__attribute__((swiftcall)) uint64_t swift_task_getJobTaskId(void *job);
__attribute__((swiftcall)) uint32_t swift_task_getJobFlags(void *job);
__attribute__((swiftcall)) const char *swift_task_getCurrentTaskName(void);

static inline uint64_t schedscope_job_task_id(void *job) { return swift_task_getJobTaskId(job); }
static inline uint32_t schedscope_job_flags(void *job) { return swift_task_getJobFlags(job); }
static inline const char *schedscope_current_task_name(void) { return swift_task_getCurrentTaskName(); }

// The job's scheduler-private words (`Job::SchedulerPrivate[2]`, right after the 16-byte
// heap-object header; part of the runtime's job ABI). The runtime reserves them for the
// executor from the moment the job is passed to its `enqueue` until the executor runs it
// (`swift_job_run`) or hands it to another executor; the task tracker carries a pointer to
// the task's tracking node in word 1 over that interval (word 0 is the runtime's
// next-waiting-task link while a task waits on a future, never while it is enqueued).
static inline void *schedscope_job_executor_word(void *job) {
    return ((void **)((char *)job + 2 * sizeof(void *)))[1];
}
static inline void schedscope_set_job_executor_word(void *job, void *value) {
    ((void **)((char *)job + 2 * sizeof(void *)))[1] = value;
}

// Reference counting of a task job (an AsyncTask is a heap object), so that its status can
// be read after its job returned even if that was its last reference.
void *swift_retain(void *object);
void swift_release(void *object);

static inline void schedscope_retain(void *object) { swift_retain(object); }
static inline void schedscope_release(void *object) { swift_release(object); }

// MARK: - Private task layout, guarded by the runtime's own layout version

/// The runtime's debug layout version (1 on Swift 6.3) and the size of an AsyncTask (208 on
/// 64-bit Linux): the status-bit reader is used only when both match what it was written for.
uint32_t schedscope_runtime_layout_version(void);
size_t schedscope_runtime_async_task_size(void);

/// The 32-bit status flags of a task (acquire load at byte offset 96 of the AsyncTask).
static inline uint32_t schedscope_task_status_flags(void *task) {
    return __atomic_load_n((uint32_t *)((char *)task + 96), __ATOMIC_ACQUIRE);
}

// MARK: - The global-enqueue hook (whole-process mode)

/// Called with every job the runtime would give its default global executor.
typedef void (*schedscope_global_job_handler)(void *job);

/// Installs `handler` as `swift_task_enqueueGlobal_hook` (NULL uninstalls it).
void schedscope_install_global_hook(schedscope_global_job_handler handler);
/// Gives `job` to the runtime's own global executor (what the hook replaced).
void schedscope_enqueue_global_original(void *job);

// MARK: - Parking (futex on Linux)

/// Sleeps while `*word == expected` (spurious wake-ups possible; re-check the condition).
void schedscope_futex_wait(uint32_t *word, uint32_t expected);
/// Wakes one thread sleeping on `word`.
void schedscope_futex_wake_one(uint32_t *word);

// MARK: - The calling thread's worker

extern __thread void *schedscope_current_worker_storage __attribute__((tls_model("initial-exec")));
static inline void *schedscope_current_worker(void) { return schedscope_current_worker_storage; }
static inline void schedscope_set_current_worker(void *worker) { schedscope_current_worker_storage = worker; }

// The label (and region) that the executor's spawn API hands to the task it is creating:
// `Task.init` enqueues the new task synchronously on the creating thread, so the executor's
// enqueue reads it from there. 0: none.
extern __thread uint64_t schedscope_pending_spawn_storage __attribute__((tls_model("initial-exec")));
static inline uint64_t schedscope_pending_spawn(void) { return schedscope_pending_spawn_storage; }
static inline void schedscope_set_pending_spawn(uint64_t value) { schedscope_pending_spawn_storage = value; }

/// The CPU's spin-wait hint (x86 `pause`, Arm `yield`), `count` times, as Go's `procyield`:
/// a spinning P waits a little between passes over the queues without leaving its core.
static inline void schedscope_cpu_relax(uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
}

/// CLOCK_MONOTONIC in nanoseconds (the spinning Ps' clock).
uint64_t schedscope_executor_monotonic_ns(void);
/// CLOCK_MONOTONIC_COARSE in nanoseconds (the kernel's last timer tick, no TSC read: the
/// precise clock at every park was 2.2 % of an actor ping-pong's samples). Every task
/// creation and park stamps its time for leak reports' ages and "suspended for", where a
/// tick's precision (1–4 ms) is plenty.
uint64_t schedscope_executor_coarse_monotonic_ns(void);

/// The number of CPUs this process may run on (sched_getaffinity), at least 1.
int schedscope_available_cpus(void);
/// Names the calling thread (at most 15 bytes are kept).
void schedscope_set_thread_name(const char *name);

#endif
