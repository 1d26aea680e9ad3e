/* utils/mvsd.c: the mvs switch daemon, one bridge per process. */
#include <config.h>

#include <cap-ng.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "command-line.h"
#include "daemon.h"
#include "flow.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "latch.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "datapath/dp-port.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofproto.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "stream-ssl.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(mvsd);

struct port_arg {
    char *name;
    uint16_t ofp_port;          /* 0: assign. */
};

struct mvsd_options {
    const char *bridge;
    const char *rundir;
    uint64_t datapath_id;
    struct port_arg *ports;
    size_t n_ports;
    char **controllers;
    size_t n_controllers;
    char **listeners;
    size_t n_listeners;
    const char *flows;
    const char *pidfile;        /* "" for the default name. */
    const char *log_file;       /* "" for the default name. */
    const char *unixctl;
    enum ofproto_fail_mode fail_mode;
    enum offload_mode offload;
    enum dp_port_io_mode port_io;
    int threads;
    const char *user;           /* --user USER[:GROUP], or NULL. */
    struct ofproto_limits limits;   /* 0: the defaults. */
};

static atomic_bool exiting = false;

OVS_NO_RETURN static void usage(void);

static void
unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    atomic_store(&exiting, true);
    unixctl_command_reply(conn, NULL);
}

static bool
is_exiting(void)
{
    bool e;
    atomic_read(&exiting, &e);
    return e;
}

/* Listener thread
 * ===============
 *
 * The passive sockets, the OpenFlow listeners and the unixctl server, are
 * run by a thread of their own.  An accept() with no client waiting costs
 * about as much as a small flow-mod (the kernel makes a socket and a file
 * and frees them again), and the main loop would pay it for each passive
 * socket in every pass: a fifth of mvsd's CPU in a flow-mod + barrier
 * loop.  This thread sleeps in poll() until one of its sockets is ready,
 * then accepts and runs unixctl commands under the big lock, as the main
 * thread would, and wakes the main loop to run what changed (new
 * connections, table changes, exit). */
struct listener_thread {
    struct ofproto *ofproto;
    struct unixctl_server *unixctl;
    struct latch exit;
    pthread_t thread;
};

static void *
listener_main(void *lt_)
{
    struct listener_thread *lt = lt_;

    while (!latch_is_set(&lt->exit)) {
        ofproto_lock(lt->ofproto);
        ofproto_accept(lt->ofproto);
        unixctl_server_run(lt->unixctl);
        /* A command's table changes, before the lock goes. */
        ofproto_settle(lt->ofproto);
        ofproto_accept_wait(lt->ofproto);
        unixctl_server_wait(lt->unixctl);
        ofproto_unlock(lt->ofproto);
        ofproto_wake(lt->ofproto);
        latch_wait(&lt->exit);
        poll_block();
    }
    return NULL;
}

static void
parse_port_arg(const char *arg, struct port_arg *port)
{
    char *name = xstrdup(arg);
    char *eq = strchr(name, '=');
    port->ofp_port = 0;
    if (eq) {
        *eq = '\0';
        unsigned int n;
        if (!str_to_uint(eq + 1, 10, &n) || !n || n >= 0xff00) {
            ovs_fatal(0, "--port %s: port number must be 1 to 65279", arg);
        }
        port->ofp_port = n;
    }
    if (!name[0] || strlen(name) >= IFNAMSIZ) {
        ovs_fatal(0, "--port %s: not a valid interface name", arg);
    }
    port->name = name;
}

/* A number from 'min' to 'max' for option 'name', or a fatal error. */
static unsigned long long int
parse_limit(const char *name, const char *arg, unsigned long long int min,
            unsigned long long int max)
{
    unsigned long long int n;
    if (!str_to_ullong(arg, 10, &n) || n < min || n > max) {
        ovs_fatal(0, "%s %s: expected %llu to %llu", name, arg, min, max);
    }
    return n;
}

static void
parse_options(int argc, char *argv[], struct mvsd_options *o)
{
    enum {
        OPT_BRIDGE = UCHAR_MAX + 1,
        OPT_PORT,
        OPT_DATAPATH_ID,
        OPT_CONTROLLER,
        OPT_LISTEN,
        OPT_FLOWS,
        OPT_RUNDIR,
        OPT_PIDFILE,
        OPT_DETACH,
        OPT_LOGFILE,
        OPT_UNIXCTL,
        OPT_FAIL_MODE,
        OPT_NO_CHDIR,
        OPT_OFFLOAD,
        OPT_PORT_IO,
        OPT_THREADS,
        OPT_USER,
        OPT_MAX_IDLE,
        OPT_FLOW_LIMIT,
        OPT_MAC_TABLE_SIZE,
        OPT_MAC_AGING,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"bridge", required_argument, NULL, OPT_BRIDGE},
        {"port", required_argument, NULL, OPT_PORT},
        {"datapath-id", required_argument, NULL, OPT_DATAPATH_ID},
        {"controller", required_argument, NULL, OPT_CONTROLLER},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"flows", required_argument, NULL, OPT_FLOWS},
        {"rundir", required_argument, NULL, OPT_RUNDIR},
        {"pidfile", optional_argument, NULL, OPT_PIDFILE},
        {"detach", no_argument, NULL, OPT_DETACH},
        {"no-chdir", no_argument, NULL, OPT_NO_CHDIR},
        {"log-file", optional_argument, NULL, OPT_LOGFILE},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"fail-mode", required_argument, NULL, OPT_FAIL_MODE},
        {"offload", required_argument, NULL, OPT_OFFLOAD},
        {"port-io", required_argument, NULL, OPT_PORT_IO},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"user", required_argument, NULL, OPT_USER},
        {"max-idle", required_argument, NULL, OPT_MAX_IDLE},
        {"flow-limit", required_argument, NULL, OPT_FLOW_LIMIT},
        {"mac-table-size", required_argument, NULL, OPT_MAC_TABLE_SIZE},
        {"mac-aging-time", required_argument, NULL, OPT_MAC_AGING},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"verbose", optional_argument, NULL, 'v'},
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);
    size_t allocated_ports = 0;

    memset(o, 0, sizeof *o);
    o->bridge = "br0";
    o->rundir = "/run/mvs";
    o->fail_mode = OFPROTO_FAIL_SECURE;
    o->offload = OFFLOAD_AUTO;
    o->threads = 1;

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_BRIDGE:
            if (!optarg[0] || strlen(optarg) > 32 || strchr(optarg, '/')) {
                ovs_fatal(0, "--bridge %s: a bridge name is 1 to 32 "
                          "characters without '/'", optarg);
            }
            o->bridge = optarg;
            break;
        case OPT_PORT:
            if (o->n_ports >= allocated_ports) {
                o->ports = x2nrealloc(o->ports, &allocated_ports,
                                      sizeof *o->ports);
            }
            parse_port_arg(optarg, &o->ports[o->n_ports++]);
            break;
        case OPT_DATAPATH_ID: {
            char *end;
            errno = 0;
            unsigned long long int v = strtoull(optarg, &end, 16);
            if (errno || *end || !optarg[0] || !v) {
                ovs_fatal(0, "--datapath-id %s: expected a nonzero "
                          "hexadecimal number", optarg);
            }
            o->datapath_id = v;
            break;
        }
        case OPT_CONTROLLER:
            o->controllers = xrealloc(o->controllers,
                                      (o->n_controllers + 1)
                                      * sizeof *o->controllers);
            o->controllers[o->n_controllers++] = optarg;
            break;
        case OPT_LISTEN:
            o->listeners = xrealloc(o->listeners,
                                    (o->n_listeners + 1)
                                    * sizeof *o->listeners);
            o->listeners[o->n_listeners++] = optarg;
            break;
        case OPT_FLOWS:
            o->flows = optarg;
            break;
        case OPT_RUNDIR:
            o->rundir = optarg;
            break;
        case OPT_PIDFILE:
            o->pidfile = optarg ? optarg : "";
            break;
        case OPT_DETACH:
            set_detach();
            break;
        case OPT_NO_CHDIR:
            set_no_chdir();
            break;
        case OPT_LOGFILE:
            o->log_file = optarg ? optarg : "";
            break;
        case OPT_UNIXCTL:
            o->unixctl = optarg;
            break;
        case OPT_FAIL_MODE:
            if (!strcmp(optarg, "secure")) {
                o->fail_mode = OFPROTO_FAIL_SECURE;
            } else if (!strcmp(optarg, "standalone")) {
                o->fail_mode = OFPROTO_FAIL_STANDALONE;
            } else {
                ovs_fatal(0, "--fail-mode %s: expected secure or standalone",
                          optarg);
            }
            break;
        case OPT_OFFLOAD:
            if (!strcmp(optarg, "off")) {
                o->offload = OFFLOAD_OFF;
            } else if (!strcmp(optarg, "auto")) {
                o->offload = OFFLOAD_AUTO;
            } else if (!strcmp(optarg, "require")) {
                o->offload = OFFLOAD_REQUIRE;
            } else {
                ovs_fatal(0, "--offload %s: expected off, auto or require",
                          optarg);
            }
            break;
        case OPT_PORT_IO:
            if (!dp_port_io_mode_from_string(optarg, &o->port_io)) {
                ovs_fatal(0, "--port-io %s: expected auto, xdp or packet",
                          optarg);
            }
            break;
        case OPT_THREADS: {
            unsigned int n;
            if (!str_to_uint(optarg, 10, &n) || n > 16) {
                ovs_fatal(0, "--threads %s: expected 0 to 16", optarg);
            }
            o->threads = n;
            break;
        }
        case OPT_USER:
            o->user = optarg;
            break;
        case OPT_MAX_IDLE:
            o->limits.max_idle_ms = parse_limit("--max-idle", optarg, 100,
                                                24 * 3600 * 1000);
            break;
        case OPT_FLOW_LIMIT:
            o->limits.flow_limit = parse_limit("--flow-limit", optarg, 1,
                                               10 * 1000 * 1000);
            break;
        case OPT_MAC_TABLE_SIZE:
            o->limits.mac_table_size = parse_limit("--mac-table-size",
                                                   optarg, 1, 1000 * 1000);
            break;
        case OPT_MAC_AGING:
            o->limits.mac_aging_ms = 1000 * parse_limit("--mac-aging-time",
                                                        optarg, 1, 86400);
            break;
        case 'h':
            usage();
        case 'V':
            printf("mvsd (mvs) %s\n", PACKAGE_VERSION_MVS);
            exit(EXIT_SUCCESS);
        case 'v':
            vlog_set_verbosity(optarg);
            break;
        STREAM_SSL_OPTION_HANDLERS
        case '?':
            /* getopt_long() already named the option. */
            fprintf(stderr, "mvsd: try --help\n");
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (optind != argc) {
        ovs_fatal(0, "unexpected argument \"%s\" (try --help)", argv[optind]);
    }
}

/* --user: the ids to run as. */
static void
parse_user(const char *spec, uid_t *uid, gid_t *gid)
{
    char *user = xstrdup(spec);
    char *group = strchr(user, ':');
    if (group) {
        *group++ = '\0';
    }
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        ovs_fatal(0, "--user %s: no such user", spec);
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    if (group) {
        struct group *gr = getgrnam(group);
        if (!gr) {
            ovs_fatal(0, "--user %s: no such group", spec);
        }
        *gid = gr->gr_gid;
    }
    free(user);
}

static void
chown_path(const char *path, uid_t uid, gid_t gid)
{
    if (path && chown(path, uid, gid) && errno != ENOENT) {
        VLOG_WARN("%s: cannot change owner (%s)", path, ovs_strerror(errno));
    }
}

/* Drops to 'uid':'gid' keeping only CAP_NET_ADMIN (nf_tables, interface
 * flags) and CAP_NET_RAW (packet sockets), after handing the run directory,
 * the log and the pidfile to that user so it can rotate and clean up, and
 * the control sockets to that group: the sockets are mode 0770, so only
 * root and the switch's group may connect. */
static void
drop_privileges(uid_t uid, gid_t gid, const struct mvsd_options *o,
                char **sockets, size_t n_sockets)
{
    chown_path(o->rundir, uid, gid);
    for (size_t i = 0; i < n_sockets; i++) {
        chown_path(sockets[i], 0, gid);
        if (chmod(sockets[i], 0770) && errno != ENOENT) {
            VLOG_WARN("%s: cannot change mode (%s)", sockets[i],
                      ovs_strerror(errno));
        }
    }
    capng_clear(CAPNG_SELECT_BOTH);
    capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
                  CAP_NET_ADMIN, CAP_NET_RAW, -1);
    if (capng_change_id(uid, gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING)) {
        ovs_fatal(0, "--user: cannot switch to uid %u gid %u with "
                  "CAP_NET_ADMIN and CAP_NET_RAW", (unsigned int) uid,
                  (unsigned int) gid);
    }
    VLOG_INFO("running as uid %u gid %u with CAP_NET_ADMIN and CAP_NET_RAW",
              (unsigned int) uid, (unsigned int) gid);
}

static void
usage(void)
{
    printf("mvsd: OpenFlow switch with an MPLS userspace datapath\n"
           "usage: mvsd [OPTIONS]\n"
           "\nBridge:\n"
           "  --bridge NAME           bridge name (default: br0)\n"
           "  --port IFNAME[=OFPORT]  add interface IFNAME (repeatable)\n"
           "  --datapath-id HEX       datapath id (default: from the name)\n"
           "  --flows FILE            load flows (ovs-ofctl add-flows "
           "syntax)\n"
           "  --fail-mode MODE        secure (default) or standalone\n"
           "  --threads N             forwarding threads (default 1; 0: "
           "forward in the\n"
           "                          main thread)\n"
           "  --offload MODE          nf_tables offload: auto (default), "
           "off, require\n"
           "  --port-io MODE          port I/O: auto (default: AF_XDP where "
           "it works),\n"
           "                          xdp, packet (AF_PACKET)\n"
           "  --max-idle MS           datapath flows unused this long "
           "expire (10000)\n"
           "  --flow-limit N          most datapath flows cached (200000)\n"
           "  --mac-table-size N      most learned MAC addresses (2048)\n"
           "  --mac-aging-time S      a learned address lasts this long "
           "(300)\n"
           "\nOpenFlow:\n"
           "  --controller TARGET     connect to tcp:IP:PORT, ssl:IP:PORT "
           "or unix:PATH\n"
           "  --listen TARGET         also listen on ptcp:PORT[:IP], "
           "pssl:PORT or punix:PATH\n"
           "                          (punix:RUNDIR/NAME.mgmt always)\n"
           "  --private-key FILE      TLS private key\n"
           "  --certificate FILE      TLS certificate\n"
           "  --ca-cert FILE          CA certificate peers must be signed "
           "by\n"
           "\nDaemon:\n"
           "  --rundir DIR            run directory (default: /run/mvs)\n"
           "  --user USER[:GROUP]     run as USER once set up, keeping only "
           "CAP_NET_ADMIN\n"
           "                          and CAP_NET_RAW\n"
           "  --unixctl PATH          control socket (default: "
           "RUNDIR/NAME.ctl)\n"
           "  --pidfile[=FILE]        write a pidfile (default: "
           "RUNDIR/NAME.pid)\n"
           "  --detach                run in the background\n"
           "  --log-file[=FILE]       log to FILE (default: "
           "RUNDIR/NAME.log)\n"
           "  -v, --verbose[=SPEC]    set log levels\n"
           "  -h, --help              this help\n"
           "  -V, --version           version\n");
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    struct mvsd_options o;
    struct unixctl_server *unixctl;

    set_program_name(argv[0]);
    service_start(&argc, &argv);
    parse_options(argc, argv, &o);
    fatal_ignore_sigpipe();

    /* Check what can be checked before anything is created. */
    for (size_t i = 0; i < o.n_ports; i++) {
        if (!if_nametoindex(o.ports[i].name)) {
            ovs_fatal(0, "--port %s: no such network interface",
                      o.ports[i].name);
        }
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(o.ports[i].name, o.ports[j].name)) {
                ovs_fatal(0, "--port %s: given twice", o.ports[i].name);
            }
            if (o.ports[i].ofp_port
                && o.ports[i].ofp_port == o.ports[j].ofp_port) {
                ovs_fatal(0, "--port %s: port number %"PRIu16" is taken",
                          o.ports[i].name, o.ports[i].ofp_port);
            }
        }
    }
    for (size_t i = 0; i < o.n_controllers; i++) {
        int error = vconn_verify_name(o.controllers[i]);
        if (error) {
            ovs_fatal(0, "--controller %s: not an active OpenFlow target "
                      "(tcp:IP:PORT, ssl:IP:PORT or unix:PATH)",
                      o.controllers[i]);
        }
    }
    if (mkdir(o.rundir, 0750) && errno != EEXIST) {
        ovs_fatal(errno, "--rundir %s: cannot create", o.rundir);
    }

    uid_t uid = 0;
    gid_t gid = 0;
    if (o.user) {
        parse_user(o.user, &uid, &gid);
    }
    char *pidfile_name = NULL, *log_name = NULL;

    if (o.pidfile) {
        char *name = (o.pidfile[0]
                      ? xstrdup(o.pidfile)
                      : xasprintf("%s/%s.pid", o.rundir, o.bridge));
        set_pidfile(name);
        pidfile_name = name;
    }
    if (o.log_file) {
        char *name = (o.log_file[0]
                      ? xstrdup(o.log_file)
                      : xasprintf("%s/%s.log", o.rundir, o.bridge));
        vlog_set_log_file(name);
        log_name = name;
    }

    daemonize_start(false);

    char *ctl = (o.unixctl ? xstrdup(o.unixctl)
                 : xasprintf("%s/%s.ctl", o.rundir, o.bridge));
    int error = unixctl_server_create(ctl, &unixctl);
    if (error) {
        ovs_fatal(error, "%s: cannot create control socket", ctl);
    }
    unixctl_command_register("exit", "", 0, 0, unixctl_exit, NULL);
    ofproto_unixctl_init();

    struct ofproto *ofproto = ofproto_create(o.bridge, o.datapath_id);
    ofproto_set_fail_mode(ofproto, o.fail_mode);
    ofproto_set_limits(ofproto, &o.limits);
    ofproto_set_port_io(ofproto, o.port_io);
    char *why;
    error = ofproto_set_offload(ofproto, o.offload, &why);
    if (error) {
        ovs_fatal(0, "--offload require: %s", why);
    }
    for (size_t i = 0; i < o.n_ports; i++) {
        error = ofproto_port_add(ofproto, o.ports[i].name,
                                 u16_to_ofp(o.ports[i].ofp_port), NULL);
        if (error) {
            ovs_fatal(0, "--port %s: %s", o.ports[i].name,
                      error == ENODEV ? "no such network interface"
                      : ovs_strerror(error));
        }
    }
    if (o.flows) {
        char *err = ofproto_load_flows(ofproto, o.flows);
        if (err) {
            ovs_fatal(0, "--flows %s", err);
        }
    }

    /* The management socket is always there, as Open vSwitch's is, so
     * local tools work whatever else the bridge listens on. */
    {
        char *target = xasprintf("punix:%s/%s.mgmt", o.rundir, o.bridge);
        error = ofproto_add_listener(ofproto, target);
        if (error) {
            ovs_fatal(error, "%s: cannot listen", target);
        }
        free(target);
    }
    for (size_t i = 0; i < o.n_listeners; i++) {
        error = ofproto_add_listener(ofproto, o.listeners[i]);
        if (error) {
            ovs_fatal(error, "--listen %s: cannot listen", o.listeners[i]);
        }
    }
    for (size_t i = 0; i < o.n_controllers; i++) {
        ofproto_add_controller(ofproto, o.controllers[i]);
    }

    if (o.user) {
        char *sockets[64];
        size_t n = 0;
        sockets[n++] = ctl;
        sockets[n++] = xasprintf("%s/%s.mgmt", o.rundir, o.bridge);
        for (size_t i = 0; i < o.n_listeners && n < ARRAY_SIZE(sockets);
             i++) {
            if (!strncmp(o.listeners[i], "punix:", 6)) {
                sockets[n++] = xstrdup(o.listeners[i] + 6);
            }
        }
        chown_path(pidfile_name, uid, gid);
        chown_path(log_name, uid, gid);
        drop_privileges(uid, gid, &o, sockets, n);
        for (size_t i = 1; i < n; i++) {
            free(sockets[i]);
        }
    }
    free(ctl);
    free(pidfile_name);
    free(log_name);

    daemonize_complete();
    ofproto_start_threads(ofproto, o.threads);
    VLOG_INFO("bridge %s: %"PRIuSIZE" ports, %d forwarding thread%s, ready",
              o.bridge, o.n_ports, o.threads, o.threads == 1 ? "" : "s");

    struct listener_thread lt = {
        .ofproto = ofproto,
        .unixctl = unixctl,
    };
    latch_init(&lt.exit);
    lt.thread = ovs_thread_create("listener", listener_main, &lt);

    while (!is_exiting()) {
        ofproto_lock(ofproto);
        ofproto_run(ofproto);
        ofproto_wait(ofproto);
        ofproto_unlock(ofproto);
        poll_block();
    }

    latch_set(&lt.exit);
    xpthread_join(lt.thread, NULL);
    latch_destroy(&lt.exit);
    ofproto_destroy(ofproto);
    unixctl_server_destroy(unixctl);
    for (size_t i = 0; i < o.n_ports; i++) {
        free(o.ports[i].name);
    }
    free(o.ports);
    free(o.controllers);
    free(o.listeners);
    return 0;
}
