/* cmd_cluster.c: morgue cluster init|start|stop|optimize: a Sphinx
 * cluster's configuration, on one machine its searchd processes, and the
 * merge of its shards' chunks (docs/CLUSTER.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: morgue cluster init [--shards N] [--mirrors M] [--port P]\n"
        "                           [--host H] [--lang L] DIR\n"
        "       morgue cluster start DIR\n"
        "       morgue cluster stop DIR\n"
        "       morgue cluster optimize DIR\n"
        "init writes DIR/cluster.conf (give it to index, search and stats "
        "as\n--cluster DIR/cluster.conf), a searchd.conf per shard, mirror "
        "and head,\nand systemd units in DIR/systemd. start and stop run "
        "the searchd processes\nwhose folders are in DIR (each one's pid "
        "file is there).\noptimize merges each node's index into one chunk "
        "(ranking then agrees\nbest with a local index; run it after large "
        "indexing runs) and waits for it.\n\n"
        "  --shards N    shards (default 2)\n"
        "  --mirrors M   copies of each shard (default 1: no mirror)\n"
        "  --port P      first port: the head's SQL port; each shard node "
        "takes the\n                next two (SQL, agent); default 9306\n"
        "  --host H      address to listen on (default 127.0.0.1)\n"
        "  --lang L      Snowball stemmer (default english)\n"
        "Exit status: 0 success, 1 error, 2 usage; 75 (optimize) a "
        "writer holds the\ncluster (morgue index --cluster runs).\n");
}

/* A whole number in [1, max] into *out; prints why not. */
static int number(const char *opt, const char *arg, long long max,
                  unsigned *out)
{
    long long v;
    if (cli_number(opt, arg, 1, max, &v))
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int init(int argc, char **argv)
{
    static const struct option opts[] = {
        { "shards", required_argument, NULL, 's' },
        { "mirrors", required_argument, NULL, 'm' },
        { "port", required_argument, NULL, 'p' },
        { "host", required_argument, NULL, 'H' },
        { "lang", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    morgue_cluster_opts o = MORGUE_CLUSTER_OPTS_INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:m:p:H:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (number("--shards", optarg, 256, &o.shards))
                return CLI_EXIT_USAGE;
            break;
        case 'm':
            if (number("--mirrors", optarg, 16, &o.mirrors))
                return CLI_EXIT_USAGE;
            break;
        case 'p':
            if (number("--port", optarg, 65535, &o.port))
                return CLI_EXIT_USAGE;
            break;
        case 'H': o.host = optarg; break;
        case 'l': o.language = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    int rc = morgue_cluster_init(argv[optind], &o);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return rc == MORGUE_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

int cmd_cluster(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "init"))
        return init(argc - 1, argv + 1);
    int start = !strcmp(argv[1], "start");
    int optimize = !strcmp(argv[1], "optimize");
    if (!start && !optimize && strcmp(argv[1], "stop")) {
        cli_msg(stderr, "morgue: unknown cluster command '%s'\n", argv[1]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (argc != 3) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    int rc = start      ? morgue_cluster_start(argv[2])
             : optimize ? morgue_cluster_optimize(argv[2])
                        : morgue_cluster_stop(argv[2]);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return rc == MORGUE_EBUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}
