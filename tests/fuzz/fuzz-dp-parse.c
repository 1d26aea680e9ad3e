/*
 * tests/fuzz/fuzz-dp-parse.c: random frames through dp_parse() (and the
 * AF_XDP ports' checksum completion), then a random action list through
 * dp_execute().
 *
 * Input layout:
 *
 *   +-------+-------+---------+----------+---------------------+---------+
 *   | flags | n_act | vlan_tci| vlan_tpid| n_act x 16-byte act  | frame   |
 *   |  1    |  1    |  2      |  1 (sel) |                     | (rest)  |
 *   +-------+-------+---------+----------+---------------------+---------+
 *
 * flags: bits 0-1 choose the headroom (0, 2, 4 or DP_PORT_HEADROOM-like
 * 192 bytes: pushes with too little headroom reallocate), bit 2 pads the
 * frame with zeros to PAD_FRAME bytes (datapath/dp-port.c's largest
 * frame; an OVS dp_packet cannot hold more than 64 KiB in all, its
 * 'allocated_' is 16 bits), bit 3 makes meters drop, bit 4 first runs
 * the frame through dp_csum_complete_unmarked() as an AF_XDP port does.  Each action is type (mod DPA__MAX + 1, so an
 * out-of-range type is tried too), u8, be16, u32, and 8 bytes spread over
 * the operand union (mac, ip4, the first half of ip6, cookie).
 *
 * Checked after parsing, after every action that hands the packet out
 * (output, userspace, recirc, meter) and at the end: every layer offset is
 * unset or inside the packet and they come in order; the key's counts are
 * within bounds and nothing under an MPLS stack was parsed; the packet is
 * re-parsed after a recirc as the datapath does.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-csum.h"
#include "datapath/dp-key.h"
#include "datapath/dp-parse.h"
#include "byte-order.h"
#include "dp-packet.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"

#define MAX_ACTIONS 24
#define PAD_FRAME 9216

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return 0;
}

static void
check_offset(const struct dp_packet *pkt, uint16_t ofs, const char *what)
{
    if (ofs != UINT16_MAX && ofs > dp_packet_size(pkt)) {
        fprintf(stderr, "%s offset %u past the packet's %u bytes\n", what,
                ofs, dp_packet_size(pkt));
        abort();
    }
}

static void
check_packet(const struct dp_packet *pkt)
{
    check_offset(pkt, pkt->l2_5_ofs, "l2_5");
    check_offset(pkt, pkt->l3_ofs, "l3");
    check_offset(pkt, pkt->l4_ofs, "l4");
    if (pkt->l3_ofs != UINT16_MAX && pkt->l4_ofs != UINT16_MAX
        && pkt->l4_ofs < pkt->l3_ofs) {
        fprintf(stderr, "l4 %u before l3 %u\n", pkt->l4_ofs, pkt->l3_ofs);
        abort();
    }
    if (pkt->l2_5_ofs != UINT16_MAX && pkt->l3_ofs != UINT16_MAX
        && pkt->l3_ofs < pkt->l2_5_ofs) {
        fprintf(stderr, "l3 %u before l2_5 %u\n", pkt->l3_ofs,
                pkt->l2_5_ofs);
        abort();
    }
}

static void
check_parse(struct dp_packet *pkt, const struct dp_key *key)
{
    check_packet(pkt);
    if (key->n_mpls > DP_MPLS_MAX || key->n_vlans > DP_VLAN_MAX) {
        fprintf(stderr, "n_mpls %u n_vlans %u\n", key->n_mpls, key->n_vlans);
        abort();
    }
    if (key->n_mpls && (key->nw_proto || key->nw_src || key->nw_dst
                        || key->tp_src || key->tp_dst
                        || pkt->l3_ofs != UINT16_MAX)) {
        fprintf(stderr, "L3/L4 parsed under an MPLS stack\n");
        abort();
    }
    /* "l3 set iff the key holds a complete IPv4/IPv6/ARP header". */
    if (pkt->l3_ofs != UINT16_MAX) {
        const uint8_t *l3 = dp_packet_l3(pkt);
        size_t room = dp_packet_size(pkt) - pkt->l3_ofs;
        size_t need = (l3[0] >> 4) == 4 ? 20 : (l3[0] >> 4) == 6 ? 40 : 28;
        if (room < need) {
            fprintf(stderr, "l3 at %u: %zu bytes, header needs %zu\n",
                    pkt->l3_ofs, room, need);
            abort();
        }
    }
    if (pkt->l4_ofs != UINT16_MAX
        && dp_packet_size(pkt) - pkt->l4_ofs < 4) {
        fprintf(stderr, "l4 at %u: less than 4 bytes left\n", pkt->l4_ofs);
        abort();
    }
}

static void
reparse(const struct dp_packet *pkt, uint32_t recirc_id)
{
    struct dp_packet *copy = dp_packet_clone_with_headroom(pkt, 192);
    struct dp_key key;

    dp_parse(copy, 1, recirc_id, 0, 0, &key);
    check_parse(copy, &key);
    dp_packet_delete(copy);
}

static void
fz_output(void *aux OVS_UNUSED, const struct dp_packet *pkt,
          uint32_t port OVS_UNUSED)
{
    check_packet(pkt);
}

static void
fz_userspace(void *aux OVS_UNUSED, const struct dp_packet *pkt,
             const struct dp_action *a OVS_UNUSED)
{
    check_packet(pkt);
}

static void
fz_recirc(void *aux OVS_UNUSED, const struct dp_packet *pkt,
          uint32_t recirc_id)
{
    check_packet(pkt);
    reparse(pkt, recirc_id);
}

static bool
fz_meter(void *aux, struct dp_packet *pkt, uint32_t meter_id OVS_UNUSED)
{
    const bool *drop = aux;
    check_packet(pkt);
    return !*drop;
}

static const struct dp_exec_ops fz_ops = {
    .output = fz_output,
    .userspace = fz_userspace,
    .recirc = fz_recirc,
    .meter = fz_meter,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t headrooms[4] = { 0, 2, 4, 192 };
    static const ovs_be16 tpids[4] = {
        0, CONSTANT_HTONS(0x8100), CONSTANT_HTONS(0x88a8),
        CONSTANT_HTONS(0x9100),
    };
    struct dp_action actions[MAX_ACTIONS];

    if (size < 5) {
        return 0;
    }
    uint8_t flags = data[0];
    size_t n = data[1] % (MAX_ACTIONS + 1);
    uint16_t vlan_tci = (data[2] << 8) | data[3];
    ovs_be16 vlan_tpid = tpids[data[4] & 3];
    data += 5;
    size -= 5;

    if (size < n * 16) {
        n = size / 16;
    }
    memset(actions, 0, sizeof actions);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = data + i * 16;
        struct dp_action *a = &actions[i];

        a->type = p[0] % (DPA__MAX + 1);
        a->u8 = p[1];
        memcpy(&a->be16, p + 2, 2);
        memcpy(&a->u32, p + 4, 4);
        memcpy(&a->ip6, p + 8, 8);
        if (a->type == DPA_CLONE) {
            a->u32 %= MAX_ACTIONS + 2;
        }
    }
    data += n * 16;
    size -= n * 16;

    size_t frame_len = size;
    if (flags & 4) {
        frame_len = MAX(size, PAD_FRAME);
    }
    struct dp_packet *pkt = dp_packet_new_with_headroom(frame_len,
                                                        headrooms[flags & 3]);
    if (frame_len) {
        void *frame = dp_packet_put_zeros(pkt, frame_len);
        memcpy(frame, data, size);
    }

    if (flags & 16) {
        /* What an AF_XDP port does to every frame it receives. */
        dp_csum_complete_unmarked(pkt);
    }

    struct dp_key key;
    dp_parse(pkt, 1, 0, vlan_tci, vlan_tpid, &key);
    check_parse(pkt, &key);

    bool drop = flags & 8;
    dp_execute(pkt, actions, n, &fz_ops, &drop);
    check_packet(pkt);
    reparse(pkt, 0);

    struct ds s = DS_EMPTY_INITIALIZER;
    dp_actions_format(actions, n, &s);
    ds_destroy(&s);

    dp_packet_delete(pkt);
    return 0;
}
