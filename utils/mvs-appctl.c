/* utils/mvs-appctl.c: runtime control of mvsd over its unixctl socket. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "jsonrpc.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "unixctl.h"
#include "timeval.h"
#include "util.h"

OVS_NO_RETURN static void
usage(void)
{
    printf("mvs-appctl: talk to a running mvsd\n"
           "usage: mvs-appctl [-t TARGET] COMMAND [ARG...]\n"
           "  -t, --target TARGET  bridge name (RUNDIR/NAME.ctl) or a "
           "socket path\n"
           "                       (default: br0)\n"
           "  --rundir DIR         run directory (default: /run/mvs)\n"
           "  -T, --timeout SECS   give up after SECS seconds (default: "
           "10)\n"
           "  -h, --help           this help\n"
           "  -V, --version        version\n"
           "Commands: list-commands lists what the daemon offers, e.g.\n"
           "  ofproto/trace BRIDGE FLOW, dpctl/dump-flows, dpctl/show,\n"
           "  port/add BRIDGE IFNAME[=OFPORT], port/del BRIDGE PORT,\n"
           "  vlog/set SPEC, coverage/show, exit\n");
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'},
        {"rundir", required_argument, NULL, 'r'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *target = "br0";
    const char *rundir = "/run/mvs";
    int timeout = 10;

    set_program_name(argv[0]);
    for (;;) {
        int c = getopt_long(argc, argv, "+t:T:hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            target = optarg;
            break;
        case 'r':
            rundir = optarg;
            break;
        case 'T':
            timeout = atoi(optarg);
            if (timeout <= 0) {
                fprintf(stderr, "mvs-appctl: --timeout %s: expected a "
                        "positive number\n", optarg);
                exit(2);
            }
            break;
        case 'h':
            usage();
        case 'V':
            printf("mvs-appctl (mvs) %s\n", PACKAGE_VERSION_MVS);
            exit(EXIT_SUCCESS);
        default:
            fprintf(stderr, "mvs-appctl: try --help\n");
            exit(2);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mvs-appctl: missing command (try --help)\n");
        exit(2);
    }
    time_alarm(timeout);

    char *path = (strchr(target, '/')
                  ? xstrdup(target)
                  : xasprintf("%s/%s.ctl", rundir, target));
    struct jsonrpc *client;
    int error = unixctl_client_create(path, &client);
    if (error) {
        fprintf(stderr, "mvs-appctl: cannot connect to %s (%s)\n", path,
                ovs_strerror(error));
        exit(EXIT_FAILURE);
    }

    char *cmd_result, *cmd_error;
    error = unixctl_client_transact(client, argv[optind], argc - optind - 1,
                                    &argv[optind + 1], &cmd_result,
                                    &cmd_error);
    if (error) {
        fprintf(stderr, "mvs-appctl: %s: transaction error (%s)\n", path,
                ovs_strerror(error));
        exit(EXIT_FAILURE);
    }
    int status = EXIT_SUCCESS;
    if (cmd_error) {
        fputs(cmd_error, stderr);
        if (cmd_error[0] && cmd_error[strlen(cmd_error) - 1] != '\n') {
            fputc('\n', stderr);
        }
        status = EXIT_FAILURE;
    } else if (cmd_result) {
        fputs(cmd_result, stdout);
    }
    jsonrpc_close(client);
    free(cmd_result);
    free(cmd_error);
    free(path);
    return status;
}
