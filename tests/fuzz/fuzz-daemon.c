/*
 * An in-process vsmmu-daemon for the protocol fuzz targets
 * (fuzz-daemon.h).  Single-threaded apart from the reply reader of one
 * session, which shares only the Session (under its lock).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/system.h"
#include "fuzz-daemon.h"
#include <sys/socket.h>
#include <sys/un.h>

#define WAIT_S  300             /* hang guard only (libFuzzer -timeout first) */

static char *dir;
static char *paths[2];

typedef struct Session {
    int fd;
    const uint8_t *data;
    size_t size;
    size_t replied;
    GMutex lock;
    bool done;
} Session;

void fuzz_daemon_init(void)
{
    g_autofree char *qmp = NULL;
    g_autofree char *qtest = NULL;
    char *argv[32];
    int argc = 0;

    if (dir) {
        return;
    }
    dir = g_dir_make_tmp("vsmmu-fuzz-XXXXXX", NULL);
    g_assert(dir);
    paths[FUZZ_QMP] = g_build_filename(dir, "qmp.sock", NULL);
    paths[FUZZ_QTEST] = g_build_filename(dir, "qtest.sock", NULL);
    qmp = g_strdup_printf("unix:%s,server=on,wait=off", paths[FUZZ_QMP]);
    qtest = g_strdup_printf("unix:%s,server=on,wait=off", paths[FUZZ_QTEST]);

    argv[argc++] = (char *)"vsmmu-fuzz";
    argv[argc++] = (char *)"-machine";
    argv[argc++] = (char *)"virt";
    argv[argc++] = (char *)"-m";
    argv[argc++] = (char *)"128M";
    argv[argc++] = (char *)"-object";
    argv[argc++] = (char *)"iommufd,id=iommufd0,x-emulated-host=on";
    argv[argc++] = (char *)"-object";
    argv[argc++] = (char *)"iothread,id=io0";
    argv[argc++] = (char *)"-device";
    argv[argc++] = (char *)"arm-smmuv3,primary-bus=pcie.0,accel=on,"
                           "iothread=io0,id=smmu0";
    argv[argc++] = (char *)"-device";
    argv[argc++] = (char *)"vfio-pci,iommufd=iommufd0,"
                           "x-emulated-psid=0x1234,addr=1,id=hostdev0";
    argv[argc++] = (char *)"-device";
    argv[argc++] = (char *)"vfio-pci,iommufd=iommufd0,"
                           "x-emulated-psid=0x1240,addr=2,id=hostdev1";
    argv[argc++] = (char *)"-device";
    argv[argc++] = (char *)"pcie-root-port,id=rp1,addr=3,chassis=1";
    argv[argc++] = (char *)"-device";
    argv[argc++] = (char *)"iommu-testdev,bus=rp1,id=itd0";
    argv[argc++] = (char *)"-qmp";
    argv[argc++] = qmp;
    argv[argc++] = (char *)"-qtest";
    argv[argc++] = qtest;
    argv[argc++] = (char *)"-qtest-log";
    argv[argc++] = (char *)"none";
    argv[argc] = NULL;
    g_assert_cmpint(qemu_init(argc, argv), <, 0);
}

/* The client: send everything, half-close, read until the daemon closes. */
static gpointer client_thread(gpointer opaque)
{
    Session *s = opaque;
    char buf[65536];
    size_t off = 0;
    ssize_t n;

    while (off < s->size) {
        n = send(s->fd, s->data + off, s->size - off, MSG_NOSIGNAL);
        if (n < 0) {
            g_assert_cmpint(errno, ==, EPIPE);  /* the daemon hung up */
            break;
        }
        off += n;
    }
    shutdown(s->fd, SHUT_WR);
    while ((n = recv(s->fd, buf, sizeof(buf), 0)) > 0) {
        g_mutex_lock(&s->lock);
        s->replied += n;
        g_mutex_unlock(&s->lock);
    }
    g_mutex_lock(&s->lock);
    s->done = true;
    g_mutex_unlock(&s->lock);
    g_main_context_wakeup(NULL);
    return NULL;
}

static bool session_done(Session *s)
{
    bool done;

    g_mutex_lock(&s->lock);
    done = s->done;
    g_mutex_unlock(&s->lock);
    return done;
}

size_t fuzz_daemon_session(FuzzServer server, const uint8_t *data,
                           size_t size)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    gint64 deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;
    Session s = { .data = data, .size = size };
    GThread *t;

    fuzz_daemon_init();
    g_strlcpy(sa.sun_path, paths[server], sizeof(sa.sun_path));
    s.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(s.fd, >=, 0);
    g_assert_cmpint(connect(s.fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_mutex_init(&s.lock);

    t = g_thread_new("fuzz-client", client_thread, &s);
    while (!session_done(&s)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
    g_thread_join(t);
    close(s.fd);
    g_mutex_clear(&s.lock);
    return s.replied;
}
