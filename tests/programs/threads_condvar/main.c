/* Producer and consumers over a condition variable; a constructor and initialised data
 * that __wasm_init_memory must copy once, before any thread reads them. */
#include <pthread.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>

#define N 64
static int queue[N];
static int head, tail, done;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static const char *names[] = {"alpha", "beta", "gamma"};
static int weights[3] = {3, 5, 7};
static _Thread_local const char *my_name = "unnamed";
static _Thread_local long my_sum;
static int ctor_ran;

__attribute__((constructor)) static void setup(void) { ctor_ran = 1234; }

static void *consumer(void *arg) {
  int id = (int)(long)arg;
  my_name = names[id];
  for (;;) {
    pthread_mutex_lock(&mu);
    while (head == tail && !done)
      pthread_cond_wait(&nonempty, &mu);
    if (head == tail && done) {
      pthread_mutex_unlock(&mu);
      break;
    }
    int v = queue[head++ % N];
    pthread_mutex_unlock(&mu);
    my_sum += (long)v * weights[id];
  }
  return (void *)(my_sum * 10 + (long)strlen(my_name));
}

int main(void) {
  pthread_t t[3];
  for (long i = 0; i < 3; i++)
    pthread_create(&t[i], NULL, consumer, (void *)i);
  for (int v = 1; v <= 200; v++) {
    pthread_mutex_lock(&mu);
    while (tail - head == N) {
      pthread_mutex_unlock(&mu);
      sched_yield();
      pthread_mutex_lock(&mu);
    }
    queue[tail++ % N] = v;
    pthread_cond_signal(&nonempty);
    pthread_mutex_unlock(&mu);
  }
  pthread_mutex_lock(&mu);
  done = 1;
  pthread_cond_broadcast(&nonempty);
  pthread_mutex_unlock(&mu);
  long total = 0;
  for (int i = 0; i < 3; i++) {
    void *r;
    pthread_join(t[i], &r);
    total += (long)r % 10; /* name lengths: the per-thread sums depend on scheduling */
  }
  printf("ctor=%d names=%ld main=%s sum=%ld consumed=%d\n", ctor_ran, total, my_name, my_sum, head);
  return 0;
}
