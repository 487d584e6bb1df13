#define _GNU_SOURCE
#include "CSchedscopeRecorder.h"
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread void *schedscope_thread_slot_storage __attribute__((tls_model("initial-exec"))) = 0;
uint64_t schedscope_recording_epoch_storage = 0;

// One process-wide semaphore: it is never destroyed, so a producer that posts while a
// session ends cannot touch freed memory.
static sem_t flusher_semaphore;
static pthread_once_t flusher_semaphore_once = PTHREAD_ONCE_INIT;

static void flusher_semaphore_init(void) { sem_init(&flusher_semaphore, 0, 0); }

void schedscope_flusher_wake(void) {
    pthread_once(&flusher_semaphore_once, flusher_semaphore_init);
    int value = 0;
    // Enough posts pending already: the flusher will run; do not grow the count.
    if (sem_getvalue(&flusher_semaphore, &value) == 0 && value > 0) return;
    sem_post(&flusher_semaphore);
}

int schedscope_flusher_wait(uint64_t timeout_ns) {
    pthread_once(&flusher_semaphore_once, flusher_semaphore_init);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t nsec = (uint64_t)deadline.tv_nsec + timeout_ns % 1000000000u;
    deadline.tv_sec += (time_t)(timeout_ns / 1000000000u + nsec / 1000000000u);
    deadline.tv_nsec = (long)(nsec % 1000000000u);
    for (;;) {
        if (sem_clockwait(&flusher_semaphore, CLOCK_MONOTONIC, &deadline) == 0) return 1;
        if (errno != EINTR) return 0;
    }
}

int64_t schedscope_gettid(void) { return (int64_t)syscall(SYS_gettid); }

static void stop_recording_in_child(void) { schedscope_recording_epoch_store_relaxed(0); }

static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;
static void install_fork_handler(void) { pthread_atfork(NULL, NULL, stop_recording_in_child); }

void schedscope_install_fork_handler(void) { pthread_once(&fork_handler_once, install_fork_handler); }

void schedscope_name_current_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
