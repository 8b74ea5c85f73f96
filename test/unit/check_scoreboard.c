/*
 * check_scoreboard.c — unit tests for server/pool/scoreboard.c: slots are claimed lowest first
 * (a released slot is the next one taken), and the master's memory reading reads a bounded
 * number of processes a tick, in turn, and still reports a total for the whole pool.
 */
#include <check.h>
#include <stdint.h>
#include <unistd.h>

#include "pool/scoreboard.h"
#include "testsupport_run.h"

#define SLOTS 200

START_TEST(test_claim_lowest_free)
{
    struct pfd_scoreboard *sb = pfd_scoreboard_create(16);
    ck_assert_ptr_nonnull(sb);
    for (int i = 0; i < 10; i++) {
        int slot = pfd_scoreboard_slot_claim(sb);
        ck_assert_int_eq(slot, i);
        sb->slots[slot].pid = 1000 + i;
    }
    pfd_scoreboard_slot_release(sb, 7);
    pfd_scoreboard_slot_release(sb, 3);
    ck_assert_int_eq(pfd_scoreboard_slot_claim(sb), 3);
    sb->slots[3].pid = 2003;
    ck_assert_int_eq(pfd_scoreboard_slot_claim(sb), 7);
    sb->slots[7].pid = 2007;
    for (int i = 10; i < 16; i++) {
        int slot = pfd_scoreboard_slot_claim(sb);
        ck_assert_int_eq(slot, i);
        sb->slots[slot].pid = 1000 + i;
    }
    ck_assert_int_eq(pfd_scoreboard_slot_claim(sb), -1);
    pfd_scoreboard_slot_release(sb, 15);
    ck_assert_int_eq(pfd_scoreboard_slot_claim(sb), 15);
    pfd_scoreboard_destroy(sb);
}
END_TEST

/* SLOTS workers (all this process, whose Pss is real): one tick reads the master and at most
 * PFD_MEMORY_READS_PER_TICK of them, yet counts all; enough ticks read every one. */
START_TEST(test_memory_reads_bounded)
{
    struct pfd_scoreboard *sb = pfd_scoreboard_create(SLOTS);
    ck_assert_ptr_nonnull(sb);
    for (int i = 0; i < SLOTS; i++)
        sb->slots[pfd_scoreboard_slot_claim(sb)].pid = getpid();
    pfd_scoreboard_measure_memory(sb);
    uint32_t read = 0;
    for (int i = 0; i < SLOTS; i++)
        read += sb->slots[i].pss_pid == getpid();
    ck_assert_uint_eq(read, PFD_MEMORY_READS_PER_TICK);
    ck_assert_uint_eq(sb->memory_procs, SLOTS + 1);
    int64_t one = sb->slots[0].pss_kb;
    ck_assert_int_gt(one, 0);
    /* The ones not read yet count as the average of those read. */
    ck_assert_int_ge(sb->memory_kb, (int64_t)SLOTS * one / 2);
    for (int tick = 0; tick < SLOTS / PFD_MEMORY_READS_PER_TICK + 1; tick++)
        pfd_scoreboard_measure_memory(sb);
    read = 0;
    for (int i = 0; i < SLOTS; i++)
        read += sb->slots[i].pss_pid == getpid();
    ck_assert_uint_eq(read, SLOTS);
    ck_assert_uint_eq(sb->memory_procs, SLOTS + 1);
    pfd_scoreboard_destroy(sb);
}
END_TEST

static Suite *scoreboard_suite(void)
{
    Suite *s = suite_create("scoreboard");
    TCase *tc = tcase_create("scoreboard");
    tcase_add_test(tc, test_claim_lowest_free);
    tcase_add_test(tc, test_memory_reads_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(scoreboard_suite());
}
