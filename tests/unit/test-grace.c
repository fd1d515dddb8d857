/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>

#include "dmabufctl/grace.h"

Test(grace, over_for_grace_then_cooldown) {
        struct dbc_grace g = {};

        cr_assert_eq(dbc_grace_step(&g, false, 0, 2000, 10000), DBC_VERDICT_NONE);
        cr_assert_eq(dbc_grace_step(&g, true, 100, 2000, 10000), DBC_VERDICT_PENDING);
        cr_assert_eq(dbc_grace_step(&g, true, 2099, 2000, 10000), DBC_VERDICT_PENDING);
        cr_assert_eq(dbc_grace_step(&g, true, 2100, 2000, 10000), DBC_VERDICT_ACT);
        dbc_grace_acted(&g, 2100);
        cr_assert(dbc_grace_cooling(&g, 2100, 10000));
        cr_assert_eq(dbc_grace_step(&g, true, 12099, 2000, 10000), DBC_VERDICT_COOLDOWN);
        cr_assert_eq(dbc_grace_step(&g, true, 12100, 2000, 10000), DBC_VERDICT_ACT);
        cr_assert_not(dbc_grace_cooling(&g, 12100, 10000));
}

Test(grace, dip_resets) {
        struct dbc_grace g = {};

        cr_assert_eq(dbc_grace_step(&g, true, 0, 2000, 0), DBC_VERDICT_PENDING);
        cr_assert_eq(dbc_grace_step(&g, false, 1000, 2000, 0), DBC_VERDICT_NONE);
        cr_assert_eq(dbc_grace_step(&g, true, 2000, 2000, 0), DBC_VERDICT_PENDING);
        cr_assert_eq(dbc_grace_step(&g, true, 3999, 2000, 0), DBC_VERDICT_PENDING);
        cr_assert_eq(dbc_grace_step(&g, true, 4000, 2000, 0), DBC_VERDICT_ACT);
}

Test(grace, zero_grace_acts_at_once) {
        struct dbc_grace g = {};

        cr_assert_eq(dbc_grace_step(&g, true, 5, 0, 1000), DBC_VERDICT_ACT);
}

Test(grace, cooldown_outlives_a_dip) {
        struct dbc_grace g = {};

        cr_assert_eq(dbc_grace_step(&g, true, 0, 0, 10000), DBC_VERDICT_ACT);
        dbc_grace_acted(&g, 0);
        cr_assert_eq(dbc_grace_step(&g, false, 1000, 0, 10000), DBC_VERDICT_NONE);
        cr_assert_eq(dbc_grace_step(&g, true, 2000, 0, 10000), DBC_VERDICT_COOLDOWN);
}
