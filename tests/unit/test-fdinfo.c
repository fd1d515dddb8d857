/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dmabufctl/fdinfo.h"

static int parse(const char *s, struct dbc_fdinfo *fi) {
        return dbc_fdinfo_parse(s, strlen(s), fi);
}

Test(fdinfo, real_dmabuf) {
        struct dbc_fdinfo fi;

        cr_assert_eq(parse("pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t4321\n"
                           "size:\t1048576\ncount:\t2\nexp_name:\tsystem\nname:\tcamera-frame\n", &fi), 1);
        cr_assert_eq(fi.size, 1048576);
        cr_assert_eq(fi.count, 2);
        cr_assert(fi.has_ino);
        cr_assert_eq(fi.ino, 4321);
        cr_assert_str_eq(fi.exp_name, "system");
        cr_assert_str_eq(fi.name, "camera-frame");
        cr_assert(!fi.has_charged_cgroup_id);
}

Test(fdinfo, charged_and_vendor_keys) {
        struct dbc_fdinfo fi;

        cr_assert_eq(parse("pos:\t0\nino:\t9\nsize:\t4096\ncount:\t1\nexp_name:\tqcom,system\n"
                           "vendor_flags:\t0xdeadbeef\nattachments: [gpu, vpu]\n"
                           "charged_cgroup_id:\t1234567\n", &fi), 1);
        cr_assert_eq(fi.charged_cgroup_id, 1234567);
        cr_assert(fi.has_charged_cgroup_id);
        cr_assert_str_eq(fi.exp_name, "qcom,system");
        cr_assert_str_eq(fi.name, "");
}

Test(fdinfo, no_ino_no_trailing_newline) {
        struct dbc_fdinfo fi;

        cr_assert_eq(parse("size:\t8192\ncount:\t1\nexp_name:\tsystem", &fi), 1);
        cr_assert(!fi.has_ino);
        cr_assert_eq(fi.size, 8192);
        cr_assert_str_eq(fi.exp_name, "system");
}

Test(fdinfo, not_a_dmabuf) {
        struct dbc_fdinfo fi = { .size = 77 };

        cr_assert_eq(parse("pos:\t0\nflags:\t02\nmnt_id:\t3\nino:\t12\n", &fi), 0);
        cr_assert_eq(parse("", &fi), 0);
        /* drm fdinfo has sizes that are no plain numbers: none of our business */
        cr_assert_eq(parse("drm-driver:\ti915\nsize:\t12 KiB\ndrm-memory-system:\t0 KiB\n", &fi), 0);
        cr_assert_eq(fi.size, 77);
}

Test(fdinfo, malformed_dmabuf) {
        struct dbc_fdinfo fi = { .size = 77 };

        cr_assert_eq(parse("size:\tlots\nexp_name:\tsystem\n", &fi), -EINVAL);
        cr_assert_eq(parse("size:\t\nexp_name:\tsystem\n", &fi), -EINVAL);
        cr_assert_eq(parse("size:\t99999999999999999999999\nexp_name:\tsystem\n", &fi), -EINVAL);
        cr_assert_eq(parse("count:\t1\nexp_name:\tsystem\n", &fi), -EINVAL);     /* no size */
        cr_assert_eq(parse("size:\t1\nino:\t-3\nexp_name:\tsystem\n", &fi), -EINVAL);
        cr_assert_eq(parse("size:\t1\ncharged_cgroup_id:\tx\nexp_name:\tsystem\n", &fi), -EINVAL);
        cr_assert_eq(fi.size, 77);
}

Test(fdinfo, long_names_are_cut) {
        struct dbc_fdinfo fi;
        char buf[512];

        snprintf(buf, sizeof(buf), "size:\t1\nexp_name:\t%0200d\nname:\t%0100d\n", 1, 2);
        cr_assert_eq(parse(buf, &fi), 1);
        cr_assert_eq(strlen(fi.exp_name), DBC_DMABUF_NAME_MAX - 1);
        cr_assert_eq(strlen(fi.name), DBC_DMABUF_NAME_MAX - 1);
}

/* DMA_BUF_SET_NAME takes any bytes: a name with newlines must not forge
 * the keys the kernel printed before it. */
Test(fdinfo, name_cannot_forge_keys) {
        struct dbc_fdinfo fi;

        cr_assert_eq(parse("pos:\t0\nino:\t77\nsize:\t67108864\ncount:\t1\nexp_name:\tsystem\n"
                           "charged_cgroup_id:\t4242\n"
                           "name:\tevil\nsize:\t0\nino:\t1\nexp_name:\tfake\ncharged_cgroup_id:\t1\n", &fi), 1);
        cr_assert_eq(fi.size, 67108864);
        cr_assert_eq(fi.ino, 77);
        cr_assert_str_eq(fi.exp_name, "system");
        cr_assert_eq(fi.charged_cgroup_id, 4242);
        cr_assert_str_eq(fi.name, "evil");
}

Test(fdinfo, name_with_malformed_size_is_no_error) {
        struct dbc_fdinfo fi;

        cr_assert_eq(parse("ino:\t5\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\nname:\tx\nsize:\tfoo\n", &fi), 1);
        cr_assert_eq(fi.size, 4096);
}

Test(fdinfo, first_occurrence_wins) {
        struct dbc_fdinfo fi;

        cr_assert_eq(parse("ino:\t5\nino:\t6\nsize:\t4096\nsize:\t1\nexp_name:\tsystem\nexp_name:\tx\n", &fi), 1);
        cr_assert_eq(fi.ino, 5);
        cr_assert_eq(fi.size, 4096);
        cr_assert_str_eq(fi.exp_name, "system");
        /* a repeated key is not parsed again, so it cannot make it malformed */
        cr_assert_eq(parse("size:\t1\nsize:\tfoo\nexp_name:\tsystem\n", &fi), 1);
}

/* Without a dma-buf key before it, a name line alone makes no dma-buf. */
Test(fdinfo, keys_only_after_name_are_ignored) {
        struct dbc_fdinfo fi = { .size = 77 };

        cr_assert_eq(parse("pos:\t0\nname:\tx\nsize:\t1\nexp_name:\tsystem\n", &fi), 0);
        cr_assert_eq(fi.size, 77);
}
