// Blocking-query fan-out client for bench/watch.ts (--client=c): parks N raw HTTP/1.1 blocking
// GETs on one key, waits for "put" on stdin, PUTs the key itself, then times every parked query's
// complete answer from the moment the PUT was sent (CLOCK_MONOTONIC), with one epoll loop.
// Written in C so that, on a 2-core machine, the load generator's own CPU does not hide the
// agent's figure (a Node client spends as much CPU reading 10,000 answers as the agent writing
// them). Prints one line: "n=<answered> p50_ms=<> p99_ms=<> max_ms=<> errors=<> early=<answered before the PUT>".
// With nkeys > 0 the queries are spread over <key>/0 .. <key>/<nkeys-1> (query i on key i % nkeys)
// and "put" sends one PUT per key, pipelined on one connection, timed from the first.
//   usage: watch-client <port> <n> <key> <index> [nkeys]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  size_t got;
  long need; /* header + body bytes, once the header is complete; -1 before */
  double done_ms;
  char buf[4096];
} conn_t;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

/* Once the header is in, how many bytes the whole answer has (Content-Length). */
static void parse_need(conn_t *c) {
  char *end = memmem(c->buf, c->got, "\r\n\r\n", 4);
  if (!end) return;
  long body = 0;
  char *cl = memmem(c->buf, (size_t)(end - c->buf), "Content-Length: ", 16);
  if (!cl) cl = memmem(c->buf, (size_t)(end - c->buf), "content-length: ", 16);
  if (cl) body = strtol(cl + 16, NULL, 10);
  c->need = (long)(end - c->buf) + 4 + body;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: %s <port> <n> <key> <index> [nkeys]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int n = atoi(argv[2]);
  const char *key = argv[3];
  const char *index = argv[4];
  int nkeys = argc == 6 ? atoi(argv[5]) : 0;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  conn_t *cs = calloc((size_t)n, sizeof *cs);
  char req[512];
  int parked = 0;
  for (int i = 0; i < n; i++) {
    int len = nkeys > 0
                  ? snprintf(req, sizeof req, "GET /v1/kv/%s/%d?index=%s&wait=90s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", key, i % nkeys, index)
                  : snprintf(req, sizeof req, "GET /v1/kv/%s?index=%s&wait=90s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", key, index);
    cs[i].fd = dial(port);
    cs[i].need = -1;
    if (cs[i].fd < 0) break;
    if (write(cs[i].fd, req, (size_t)len) != len) break;
    parked++;
  }
  printf("parked %d\n", parked);
  fflush(stdout);
  char line[64];
  if (!fgets(line, sizeof line, stdin)) return 1;

  int ep = epoll_create1(0);
  for (int i = 0; i < parked; i++) {
    fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  struct epoll_event evs[512];
  /* Queries already readable before the PUT went out did not wait for it: count them. */
  int early = 0;
  for (int k; (k = epoll_wait(ep, evs, 512, 0)) > 0;) {
    early += k;
    for (int e = 0; e < k; e++) epoll_ctl(ep, EPOLL_CTL_DEL, cs[evs[e].data.u32].fd, NULL);
  }
  parked -= early;
  int pfd = dial(port);
  int nput = nkeys > 0 ? nkeys : 1;
  char *put = malloc((size_t)nput * 256);
  size_t plen = 0;
  for (int k = 0; k < nput; k++) {
    char path[300];
    if (nkeys > 0) snprintf(path, sizeof path, "%s/%d", key, k);
    else snprintf(path, sizeof path, "%s", key);
    plen += (size_t)snprintf(put + plen, 256, "PUT /v1/kv/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n%s\r\nchanged", path,
                             k == nput - 1 ? "Connection: close\r\n" : "");
  }
  double t0 = now_ms();
  if (pfd < 0) return 1;
  /* The PUTs are pipelined: write them all (blocking socket), never reading the answers. */
  for (size_t off = 0; off < plen;) {
    ssize_t w = write(pfd, put + off, plen - off);
    if (w <= 0) return 1;
    off += (size_t)w;
  }

  int answered = 0, errors = 0;
  double deadline = t0 + 60000;
  while (answered + errors < parked && now_ms() < deadline) {
    int k = epoll_wait(ep, evs, 512, 1000);
    for (int e = 0; e < k; e++) {
      conn_t *c = &cs[evs[e].data.u32];
      for (;;) {
        ssize_t r = read(c->fd, c->buf + c->got, sizeof c->buf - c->got);
        if (r > 0) {
          c->got += (size_t)r;
          if (c->need < 0) parse_need(c);
          if (c->need >= 0 && (long)c->got >= c->need) {
            c->done_ms = now_ms() - t0;
            answered++;
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            break;
          }
          if (c->got == sizeof c->buf) c->got = 0; /* oversize: keep reading, count by bytes no more */
          continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          errors++;
          epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        }
        break;
      }
    }
  }
  double *lat = malloc(sizeof(double) * (size_t)(answered > 0 ? answered : 1));
  int j = 0;
  for (int i = 0; i < parked; i++)
    if (cs[i].done_ms > 0) lat[j++] = cs[i].done_ms;
  qsort(lat, (size_t)j, sizeof *lat, cmp);
  double p50 = j ? lat[(int)(j * 0.50)] : 0, p99 = j ? lat[(int)(j * 0.99) < j ? (int)(j * 0.99) : j - 1] : 0, mx = j ? lat[j - 1] : 0;
  printf("n=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f errors=%d early=%d\n", j, p50, p99, mx, errors, early);
  return 0;
}
