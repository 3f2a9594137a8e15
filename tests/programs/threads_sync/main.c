/* The rest of pthreads a real program uses: barriers, read-write locks, thread-specific data
 * with destructors, pthread_once, semaphores, detached threads, and per-thread errno and
 * stdio buffers, each thread checking its own thread-local state. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 6

static pthread_barrier_t barrier;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static sem_t sem;
static atomic_int destructed, once_runs, detached_done;
static int table[THREADS];
static _Thread_local int tl_id = -1;
static _Thread_local char tl_name[16] = "main";
static _Thread_local double tl_acc = 1.5;

static void destroy(void *p) {
  atomic_fetch_add(&destructed, 1);
  free(p);
}
static void init_once(void) {
  atomic_fetch_add(&once_runs, 1);
  pthread_key_create(&key, destroy);
}

static void *worker(void *arg) {
  tl_id = (int)(long)arg;
  snprintf(tl_name, sizeof tl_name, "w%d", tl_id);
  pthread_once(&once, init_once);
  int *mine = malloc(sizeof *mine);
  *mine = tl_id * 11;
  pthread_setspecific(key, mine);
  pthread_rwlock_wrlock(&rw);
  table[tl_id] = tl_id * tl_id;
  pthread_rwlock_unlock(&rw);
  pthread_barrier_wait(&barrier);
  /* After the barrier every slot is written: read them all under the read lock. */
  int sum = 0;
  pthread_rwlock_rdlock(&rw);
  for (int i = 0; i < THREADS; i++) sum += table[i];
  pthread_rwlock_unlock(&rw);
  for (int i = 0; i < 100; i++) tl_acc += 0.5;
  errno = 100 + tl_id;
  int ok = *(int *)pthread_getspecific(key) == tl_id * 11 && errno == 100 + tl_id &&
           tl_acc == 51.5 && tl_name[0] == 'w' && tl_name[1] == '0' + tl_id && !tl_name[2];
  sem_post(&sem);
  return (void *)(long)(sum * 10 + ok);
}

static void *detached(void *arg) {
  (void)arg;
  atomic_fetch_add(&detached_done, 1);
  sem_post(&sem);
  return NULL;
}

int main(void) {
  pthread_t t[THREADS], d;
  pthread_barrier_init(&barrier, NULL, THREADS);
  sem_init(&sem, 0, 0);
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&d, &attr, detached, NULL);
  for (int i = 0; i < THREADS + 1; i++) sem_wait(&sem);
  long results = 0;
  for (int i = 0; i < THREADS; i++) {
    void *r;
    pthread_join(t[i], &r);
    results += (long)r;
  }
  printf("results=%ld once=%d destructed=%d detached=%d main: id=%d name=%s acc=%.1f errno=%d\n",
         results, atomic_load(&once_runs), atomic_load(&destructed), atomic_load(&detached_done),
         tl_id, tl_name, tl_acc, errno);
  return 0;
}
