/*
 * check.h — the unit-test harness: a few macros and a runner, nothing else.
 *
 *   static void test_parse(void) { CHECK(x == 1); CHECK_EQ_INT(a, b); CHECK_STR(s, "v"); }
 *   int main(void) { RUN(test_parse); return check_summary(); }
 *
 * A failed CHECK prints file:line and the expression, counts the test as
 * failed and continues. A test that ran no check at all fails too: it
 * proved nothing (an early return, a loop over an empty table), and a
 * pass would say otherwise. check_summary() prints "N passed, N failed"
 * and returns the exit code for ctest.
 */
#ifndef SV_TEST_CHECK_H
#define SV_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures_in_test, check_count_in_test;
static int check_passed, check_failed;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    check_count_in_test++;                                                                         \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                   \
      check_failures_in_test++;                                                                    \
    }                                                                                              \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
  do {                                                                                             \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);                                \
    check_count_in_test++;                                                                         \
    if (check_a_ != check_b_) {                                                                    \
      fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,      \
              check_a_, check_b_);                                                                 \
      check_failures_in_test++;                                                                    \
    }                                                                                              \
  } while (0)

#define CHECK_STR(a, b)                                                                            \
  do {                                                                                             \
    const char *check_a_ = (a), *check_b_ = (b);                                                   \
    check_count_in_test++;                                                                         \
    if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                               \
      fprintf(stderr, "  %s:%d: %s == \"%s\" failed: got \"%s\"\n", __FILE__, __LINE__, #a,        \
              check_b_ ? check_b_ : "(null)", check_a_ ? check_a_ : "(null)");                     \
      check_failures_in_test++;                                                                    \
    }                                                                                              \
  } while (0)

#define RUN(fn)                                                                                    \
  do {                                                                                             \
    check_failures_in_test = 0;                                                                    \
    check_count_in_test = 0;                                                                       \
    fn();                                                                                          \
    if (check_count_in_test == 0) {                                                                \
      fprintf(stderr, "  %s ran no check\n", #fn);                                                 \
      check_failures_in_test++;                                                                    \
    }                                                                                              \
    if (check_failures_in_test) {                                                                  \
      fprintf(stderr, "FAIL %s\n", #fn);                                                           \
      check_failed++;                                                                              \
    } else {                                                                                       \
      check_passed++;                                                                              \
    }                                                                                              \
  } while (0)

static inline int check_summary(void) {
  printf("%d passed, %d failed\n", check_passed, check_failed);
  if (check_passed + check_failed == 0) fprintf(stderr, "FAIL: no test ran\n");
  return check_failed || check_passed == 0 ? 1 : 0;
}

#endif
