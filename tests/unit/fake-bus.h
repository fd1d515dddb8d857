/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* A stand-in for systemd's manager on a private socketpair connection (as
 * systemctl talks to systemd on its private socket), served by a thread.
 * The real systemd is the VM tests' job. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

struct fake_bus {
        sd_bus *server, *client;
        pthread_t thread;
};

static void *fake_bus_serve(void *arg) {
        sd_bus *server = arg;

        for (;;) {
                int k = sd_bus_process(server, NULL);

                if (k < 0)
                        break;          /* the client hung up */
                if (k > 0)
                        continue;
                if (sd_bus_wait(server, UINT64_MAX) < 0)
                        break;
        }
        return NULL;
}

/* add_objects(server) adds the vtables before the server starts. */
static inline void fake_bus_start(struct fake_bus *b, void (*add_objects)(sd_bus *server)) {
        sd_id128_t id;
        int fd[2];

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd), 0);
        cr_assert_geq(sd_id128_randomize(&id), 0);
        cr_assert_geq(sd_bus_new(&b->server), 0);
        cr_assert_geq(sd_bus_set_fd(b->server, fd[0], fd[0]), 0);
        cr_assert_geq(sd_bus_set_server(b->server, 1, id), 0);
        add_objects(b->server);
        cr_assert_geq(sd_bus_start(b->server), 0);
        cr_assert_geq(sd_bus_new(&b->client), 0);
        cr_assert_geq(sd_bus_set_fd(b->client, fd[1], fd[1]), 0);
        cr_assert_geq(sd_bus_start(b->client), 0);
        cr_assert_eq(pthread_create(&b->thread, NULL, fake_bus_serve, b->server), 0);
}

static inline void fake_bus_stop(struct fake_bus *b) {
        sd_bus_flush_close_unref(b->client);
        pthread_join(b->thread, NULL);
        sd_bus_flush_close_unref(b->server);
}
