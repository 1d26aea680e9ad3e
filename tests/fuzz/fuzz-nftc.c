/*
 * tests/fuzz/fuzz-nftc.c: kmod/nftc's lowering of OpenFlow flows into
 * nf_tables batches, and its netlink reply parsers.
 *
 * Input layout:
 *
 *   +-----+------------+------------+----+---------------------------+
 *   | n   | flow-mod 1 | flow-mod 2 | .. | netlink replies (the rest) |
 *   +-----+------------+------------+----+---------------------------+
 *
 * 'n' mod 9 OpenFlow 1.3 flow-mods, each delimited by its header's
 * length, are decoded by libopenvswitch (random match fields and actions,
 * as a controller could send them).  Each one that decodes goes through
 * nftc_flow_offloadable() and into a transaction of an offline nftc
 * (nftc_create_offline(): batches are framed into memory, no kernel) with
 * two ports, as if the kernel had the "mpls" expression if bit 0 of
 * 'n' / 9 is set, and with an extension decoder if bit 1 is (ext_decode():
 * any set_field of tunnel_id or tun_ipv6_src is an extension action of
 * whatever kind its value says, including one that is no kind at all, as
 * a broken decoder might answer): ADD/MODIFY add the flow,
 * DELETE/DELETE_STRICT delete it, and a DELETE of everything (catch-all
 * match) flushes every flow (nftc_txn_flush(), as a delete-all does in
 * mvsd), with nftc_reap() after the next commit; the
 * transaction commits after every 3 operations and at the end.  Every
 * framed batch must walk as netlink messages from BATCH_BEGIN (with its
 * generation id) to BATCH_END.  The counters are read back
 * (nftc_stats_read(), offline).
 *
 * The rest of the input is taken as netlink messages from the kernel and
 * fed to nftc's reply callbacks, which this file reaches by including
 * kmod/nftc-nl.c (they are static; no test hook in mvs): nlmsg_err(),
 * gen_cb() (NFT_MSG_GETGEN answers), echo_rule() (echoed NEWRULE) and
 * elems_cb() (set element dumps, with the counters) for every lookup
 * group the flows created.
 */
#include <config.h>

#include "kmod/nftc-nl.c"

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return 0;
}

static void
check_batch(const struct nftc *nftc)
{
    size_t len = 0;
    const void *data = nftc_last_batch(nftc, &len);
    uint32_t genid;

    if (!data || !len) {
        return;
    }
    if (!nftc_batch_parse_genid(data, len, &genid)) {
        fprintf(stderr, "framed batch does not start with BATCH_BEGIN\n");
        abort();
    }
    const struct nlmsghdr *nlh = data, *last = NULL;
    int rem = len;
    for (; nftc_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
        last = nlh;
    }
    if (rem != 0 || !last || last->nlmsg_type != NFNL_MSG_BATCH_END) {
        fprintf(stderr, "framed batch: %d bytes left over, or no "
                "BATCH_END\n", rem);
        abort();
    }
}

static void
stats_cb(const struct nftc_flow_stats *st, void *aux)
{
    size_t *n = aux;
    if (!st->match) {
        abort();
    }
    (*n)++;
}

static void
commit(struct nftc *nftc)
{
    nftc_txn_commit(nftc);
    check_batch(nftc);
    nftc_txn_begin(nftc);
}

/* Takes 'n' bytes from the front of the input, zero-filled past its end. */
static void
take(const uint8_t **data, size_t *size, void *dst, size_t n)
{
    size_t k = MIN(n, *size);
    memset(dst, 0, n);
    memcpy(dst, *data, k);
    *data += k;
    *size -= k;
}

/* Feeds the rest of the input to nftc's netlink reply callbacks.
 *
 * nlmsg_err() is mvs's own parsing: it gets the raw bytes.  gen_cb(),
 * echo_rule() and elems_cb() hand the message to libnftnl's parsers first,
 * which exit() the process on an attribute of the wrong type (libnftnl's
 * abi_breakage(); the kernel is trusted to speak its own ABI), so those get
 * well-formed messages whose contents come from the input: generation ids,
 * rule handles and comments (the "mN" naming), set elements with keys of
 * any length (sometimes a flow's key, sometimes not) and counters. */
static void
replies(struct nftc *nftc, const uint8_t *data, size_t size)
{
    /* Raw: walked as a sane kernel would send them.  libmnl's
     * nftc_nlmsg_ok() compares (int) nlmsg_len, so it accepts a length of
     * 2 GiB or more (tests/fuzz/README.md, finding 2). */
    void *buf = xmemdup(data, size);
    const struct nlmsghdr *nlh = buf;
    int rem = size;
    for (; nftc_nlmsg_ok(nlh, rem) && nlh->nlmsg_len <= (unsigned) rem;
         nlh = mnl_nlmsg_next(nlh, &rem)) {
        (void) nlmsg_err(nlh);
    }
    free(buf);

    char *nlbuf = xmalloc(MNL_SOCKET_BUFFER_SIZE);
    struct ovs_list no_groups = OVS_LIST_INITIALIZER(&no_groups);
    for (int round = 0; round < 8 && size > 0; round++) {
        uint8_t kind;
        take(&data, &size, &kind, 1);
        switch (kind % 3) {
        case 0: {               /* NFT_MSG_NEWGEN. */
            uint32_t id;
            take(&data, &size, &id, sizeof id);
            nlh = nftnl_nlmsg_build_hdr(nlbuf, NFT_MSG_NEWGEN, AF_UNSPEC, 0,
                                        1);
            mnl_attr_put_u32(CONST_CAST(struct nlmsghdr *, nlh), NFTA_GEN_ID,
                             htonl(id));
            uint32_t genid = 0;
            gen_cb(nlh, &genid);
            if (genid != id) {
                fprintf(stderr, "gen_cb read %"PRIu32", sent %"PRIu32"\n",
                        genid, id);
                abort();
            }
            break;
        }
        case 1: {               /* Echoed NEWRULE with a comment. */
            uint64_t handle;
            uint8_t ud_type, ud_len;
            char comment[256];
            take(&data, &size, &handle, sizeof handle);
            take(&data, &size, &ud_type, 1);
            take(&data, &size, &ud_len, 1);
            take(&data, &size, comment, ud_len);

            struct nftnl_rule *r = nftnl_rule_alloc();
            nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nftc->table);
            nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "flows");
            nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
            nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
            struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(512);
            nftnl_udata_put(ud, ud_type % 4, ud_len, comment);
            nftnl_rule_set_data(r, NFTNL_RULE_USERDATA,
                                nftnl_udata_buf_data(ud),
                                nftnl_udata_buf_len(ud));
            nftnl_udata_buf_free(ud);
            nlh = nftnl_nlmsg_build_hdr(nlbuf, NFT_MSG_NEWRULE,
                                        NFPROTO_NETDEV, 0, 1);
            nftnl_rule_nlmsg_build_payload(
                CONST_CAST(struct nlmsghdr *, nlh), r);
            nftnl_rule_free(r);
            echo_rule(nftc, nlh, &no_groups);
            break;
        }
        case 2: {               /* Set element dump with counters. */
            struct nftc_group *g;
            uint8_t n_elems;
            take(&data, &size, &n_elems, 1);
            HMAP_FOR_EACH (g, node, &nftc->groups) {
                struct nftnl_set *set = nftnl_set_alloc();
                nftc_msg_set_name(nftc, set, g);
                for (int i = 0; i < n_elems % 4; i++) {
                    uint8_t key[NFTC_KEY_MAX + 8];
                    uint8_t klen, which;
                    uint64_t packets, bytes;
                    take(&data, &size, &klen, 1);
                    take(&data, &size, &which, 1);
                    take(&data, &size, &packets, sizeof packets);
                    take(&data, &size, &bytes, sizeof bytes);
                    klen %= sizeof key + 1;
                    take(&data, &size, key, klen);
                    if (which & 1) {
                        /* A key the group holds. */
                        struct nftc_rflow *f;
                        size_t k = which >> 1;
                        HMAP_FOR_EACH (f, key_node, &g->elems) {
                            if (!k--) {
                                memcpy(key, f->key, g->key_len);
                                klen = MAX(g->key_len, 1);
                                break;
                            }
                        }
                    }
                    struct nftnl_set_elem *e = nftnl_set_elem_alloc();
                    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key,
                                       klen ? klen : 1);
                    struct nftnl_expr *ctr = nftnl_expr_alloc("counter");
                    nftnl_expr_set_u64(ctr, NFTNL_EXPR_CTR_PACKETS, packets);
                    nftnl_expr_set_u64(ctr, NFTNL_EXPR_CTR_BYTES, bytes);
                    nftnl_set_elem_add_expr(e, ctr);
                    nftnl_set_elem_add(set, e);
                }
                nlh = nftnl_nlmsg_build_hdr(nlbuf, NFT_MSG_NEWSETELEM,
                                            NFPROTO_NETDEV, 0, 1);
                nftnl_set_elems_nlmsg_build_payload(
                    CONST_CAST(struct nlmsghdr *, nlh), set);
                nftnl_set_free(set);
                struct stats_ctx ctx = { .nftc = nftc, .group = g };
                elems_cb(nlh, &ctx);
            }
            break;
        }
        }
    }
    free(nlbuf);
}

/* See the top of the file. */
static bool
ext_decode(const struct ofpact *a, struct nftc_ext_action *ea)
{
    if (a->type != OFPACT_SET_FIELD) {
        return false;
    }
    const struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
    if (sf->field->id != MFF_TUN_ID && sf->field->id != MFF_TUN_IPV6_SRC) {
        return false;
    }
    const uint8_t *v = (const uint8_t *) sf->value;
    uint8_t last = v[sf->field->n_bytes - 1];
    ea->op = (enum nftc_ext_op) (last % 5);
    ea->value = v[sf->field->n_bytes - 2] % 3;
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nftc *nftc;

    if (size < 1 || nftc_create_offline("fz", &nftc)) {
        return 0;
    }
    nftc_port_add(nftc, u16_to_ofp(1), "veth1", 7);
    nftc_port_add(nftc, u16_to_ofp(2), "veth2", 8);
    nftc_set_mpls_expr(nftc, (data[0] / 9) & 1);
    if ((data[0] / 9) & 2) {
        nftc_set_ext_decoder(nftc, ext_decode);
    }

    size_t n = data[0] % 9;
    data++;
    size--;

    size_t n_ops = 0;
    nftc_txn_begin(nftc);
    for (size_t i = 0; i < n && size >= sizeof(struct ofp_header); i++) {
        struct ofp_header h;
        memcpy(&h, data, sizeof h);
        size_t len = MIN(MAX(ntohs(h.length), sizeof h), size);
        struct ofpbuf *msg = ofpbuf_clone_data(data, len);
        struct ofp_header *oh = msg->data;
        oh->version = OFP13_VERSION;
        oh->type = 14;              /* OFPT_FLOW_MOD (1.1+). */
        oh->length = htons(len);
        data += len;
        size -= len;

        struct ofputil_flow_mod fm;
        struct ofpbuf ofpacts;
        ofpbuf_init(&ofpacts, 0);
        enum ofptype type;
        if (!ofptype_decode(&type, oh) && type == OFPTYPE_FLOW_MOD
            && !ofputil_decode_flow_mod(&fm, oh, OFPUTIL_P_OF13_OXM, NULL,
                                        NULL, &ofpacts, OFPP_MAX, 255)) {
            struct match match;
            minimatch_expand(&fm.match, &match);
            struct nftc_flow flow = {
                .match = &match,
                .ofpacts = ofpacts.data,
                .ofpacts_len = ofpacts.size,
                .table_id = fm.table_id == 0xff ? 0 : fm.table_id,
                .priority = fm.priority,
                .cookie = fm.new_cookie,
            };
            struct ds reason = DS_EMPTY_INITIALIZER;
            nftc_flow_offloadable(nftc, &flow, &reason);
            ds_destroy(&reason);
            if (fm.command == OFPFC_DELETE
                && flow_wildcards_is_catchall(&match.wc)) {
                nftc_txn_flush(nftc);
            } else if (fm.command == OFPFC_DELETE
                       || fm.command == OFPFC_DELETE_STRICT) {
                nftc_txn_flow_del(nftc, flow.table_id, fm.priority, &match);
            } else {
                nftc_txn_flow_add(nftc, &flow);
            }
            if (++n_ops % 3 == 0) {
                commit(nftc);
                nftc_reap(nftc);
            }
            minimatch_destroy(&fm.match);
        }
        ofpbuf_uninit(&ofpacts);
        ofpbuf_delete(msg);
    }
    nftc_txn_commit(nftc);
    check_batch(nftc);

    size_t n_stats = 0;
    nftc_stats_read(nftc, stats_cb, &n_stats);
    if (n_stats > nftc_n_flows(nftc)) {
        fprintf(stderr, "%zu stats for %zu flows\n", n_stats,
                nftc_n_flows(nftc));
        abort();
    }

    /* The rest: netlink answers. */
    if (size) {
        replies(nftc, data, size);
    }

    nftc_destroy(nftc);
    return 0;
}
