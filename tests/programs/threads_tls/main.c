#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <errno.h>
#include <string.h>
static _Thread_local int tl_counter = 5;
static _Thread_local char tl_buf[64];
static atomic_int total;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int shared_sum;
static void *worker(void *arg) {
  int id = (int)(long)arg;
  for (int i = 0; i < 1000; i++) { tl_counter++; atomic_fetch_add(&total, 1); }
  snprintf(tl_buf, sizeof tl_buf, "thread %d", id);
  char *p = malloc(100 + id);
  memset(p, id, 100 + id);
  pthread_mutex_lock(&mu); shared_sum += tl_counter + p[50]; pthread_mutex_unlock(&mu);
  free(p);
  errno = id;
  return (void *)(long)(errno * 10 + (int)strlen(tl_buf));
}
int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  long sum = 0;
  for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
  printf("total=%d shared=%d sum=%ld main_tl=%d errno=%d\n", atomic_load(&total), shared_sum, sum, tl_counter, errno);
  return 0;
}
