/*
 * proc.c — what the load generator measures of a process from /proc: the
 * server's CPU time (user and system) and PSS, and its own CPU time.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/loadgen/lg.h"

/* The CPU seconds of process pid, user + system; *sys_s (when not NULL)
 * gets the system part. */
double lg_proc_cpu(int pid, double *sys_s) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  unsigned long ut = 0, st = 0;
  /* After ")": state(3) ... utime is field 14, stime 15. */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
    return -1;
  double tck = (double)sysconf(_SC_CLK_TCK);
  if (sys_s) *sys_s = (double)st / tck;
  return (double)(ut + st) / tck;
}

double lg_proc_cpu_s(int pid) {
  return lg_proc_cpu(pid, NULL);
}

long lg_proc_pss_kb(int pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Pss: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

double lg_self_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}
