/* datapath/dp-csum.c: completing the TCP/UDP checksums that a sender left
 * to offload. */
#include <config.h>
#include "datapath/dp-csum.h"

#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"

/* Completes the checksum of a CHECKSUM_PARTIAL frame, as the sender's NIC
 * would have: 'frame' holds the pseudo-header sum at 'start' + 'offset',
 * and the one's complement sum of 'frame' from 'start' to the end goes
 * there.  Returns false if the offsets are out of the frame's bounds. */
bool
dp_csum_complete(uint8_t *frame, size_t len, size_t start, size_t offset)
{
    if (start >= len || offset + 2 > len - start) {
        return false;
    }
    ovs_be16 sum = csum(frame + start, len - start);
    /* As the kernel's skb_checksum_help(): a computed 0 goes out as 0xffff,
     * which a UDP receiver would otherwise read as "no checksum". */
    if (!sum) {
        sum = OVS_BE16_MAX;
    }
    memcpy(frame + start + offset, &sum, sizeof sum);
    return true;
}

/* The offsets from the frame's start of the checksum that a frame left to
 * offload (TP_STATUS_CSUMNOTREADY: CHECKSUM_PARTIAL, e.g. from a veth
 * with tx checksumming on) still needs: the sum runs from '*start' to the
 * end and goes at '*start' + '*offset'.  'net' is the network header's
 * offset.  Returns false for anything but TCP and UDP over IPv4 and IPv6,
 * the protocols a Linux sender leaves to offload this way. */
bool
dp_csum_partial_offsets(const uint8_t *frame, size_t len, size_t net,
                   size_t *start, size_t *offset)
{
    const uint8_t *ip = frame + net;
    size_t l4;
    uint8_t proto;

    if (net >= len) {
        return false;
    }
    if (ip[0] >> 4 == 4) {
        if (len - net < IP_HEADER_LEN || (ip[0] & 0xf) < 5
            || (ip[6] & 0x3f) || ip[7]) {
            return false;       /* Short, malformed, or a fragment. */
        }
        l4 = net + (ip[0] & 0xf) * 4;
        proto = ip[9];
    } else if (ip[0] >> 4 == 6) {
        if (len - net < IPV6_HEADER_LEN) {
            return false;
        }
        /* Extension headers may come first (libopenvswitch's walk). */
        const void *p = ip + IPV6_HEADER_LEN;
        size_t left = len - net - IPV6_HEADER_LEN;
        const struct ovs_16aligned_ip6_frag *frag;
        uint8_t nw_frag = 0;
        proto = ip[6];
        if (!parse_ipv6_ext_hdrs(&p, &left, &proto, &nw_frag, &frag)
            || nw_frag) {
            return false;
        }
        l4 = (const uint8_t *) p - frame;
    } else {
        return false;
    }
    *start = l4;
    *offset = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 0;
    return *offset && l4 < len;
}

/* An AF_XDP socket gets no skb metadata, so a frame whose sender left its
 * TCP or UDP checksum to offload (CHECKSUM_PARTIAL: a veth peer with tx
 * checksumming on) arrives as the sender wrote it, with only the
 * pseudo-header's sum in the checksum field.  Forwarded as it is, every
 * receiver would drop it.  Such a frame is told by that field: if it holds
 * exactly the sum of the frame's own pseudo-header and the checksum does
 * not verify, the checksum is completed, as the sender's NIC would have.
 * A frame with a valid checksum costs the pseudo-header's sum and one
 * compare.  (The one frame in 65,536 whose valid checksum happens to equal
 * that sum verifies and is left alone.) */
bool
dp_csum_complete_unmarked(struct dp_packet *pkt)
{
    uint8_t *frame = dp_packet_data(pkt);
    size_t len = dp_packet_size(pkt);
    size_t net = ETH_HEADER_LEN - 2;
    ovs_be16 type;

    /* Up to two VLAN tags, in the frame (XDP sees them there). */
    for (int i = 0; i < 3; i++) {
        if (net + 2 > len) {
            return false;
        }
        memcpy(&type, frame + net, sizeof type);
        net += 2;
        if (type != htons(ETH_TYPE_VLAN_8021Q)
            && type != htons(ETH_TYPE_VLAN_8021AD)) {
            break;
        }
        net += 2;
    }
    if ((type != htons(ETH_TYPE_IP) && type != htons(ETH_TYPE_IPV6))
        || net >= len) {
        return false;
    }

    size_t start, offset;
    if (!dp_csum_partial_offsets(frame, len, net, &start, &offset)
        || start + offset + 2 > len) {
        return false;
    }
    const uint8_t *ip = frame + net;
    uint8_t proto = offset == 16 ? IPPROTO_TCP : IPPROTO_UDP;
    size_t end;
    uint32_t pseudo;
    if (ip[0] >> 4 == 4) {
        end = net + ((ip[2] << 8) | ip[3]);
        pseudo = csum_continue(0, ip + 12, 8);
    } else {
        end = net + IPV6_HEADER_LEN + ((ip[4] << 8) | ip[5]);
        pseudo = csum_continue(0, ip + 8, 32);
    }
    if (end > len || end < start + offset + 2) {
        return false;
    }
    pseudo = csum_add16(pseudo, htons(proto));
    pseudo = csum_add16(pseudo, htons(end - start));

    ovs_be16 field;
    memcpy(&field, frame + start + offset, sizeof field);
    if (field == (ovs_be16) ~csum_finish(pseudo)
        && csum_finish(csum_continue(pseudo, frame + start, end - start))) {
        return dp_csum_complete(frame, end, start, offset);
    }
    return false;
}
