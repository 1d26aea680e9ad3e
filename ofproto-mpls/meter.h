/*
 * ofproto-mpls/meter.h: OpenFlow 1.3 meters.
 *
 * What?
 * =====
 *
 * Meters with kbps or pktps rates, optional burst sizes, and drop or
 * dscp_remark bands.  Each band is a token bucket refilled at its rate and
 * holding at most its burst (or, without OFPMF_BURST, a tenth of a
 * second's worth); a packet that finds a band's bucket short "exceeds"
 * that band, and the exceeded band with the highest rate applies, as
 * OpenFlow 1.3.5 section 5.7 says.  A dscp_remark band remarks IPv4 and
 * IPv6 (meter_remark_dscp()) and passes anything else unchanged.
 *
 * The datapath calls meter_execute() for every packet that passes a
 * DPA_METER action, so metering holds on cached flows too.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_METER_H
#define OFPROTO_MPLS_METER_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/ofp-errors.h"

struct dp_packet;
struct ofconn;
struct ofp_header;
struct ofproto;

void meter_table_init(struct ofproto *);
void meter_table_destroy(struct ofproto *);
bool meter_exists(const struct ofproto *, uint32_t meter_id);

/* Runs 'pkt' through meter 'meter_id': returns false if it must be
 * dropped; may rewrite its DSCP (dscp_remark). */
bool meter_execute(struct ofproto *, struct dp_packet *pkt,
                   uint32_t meter_id);

/* The DSCP that a dscp_remark band with 'prec_level' gives 'dscp' (see
 * meter.c: AF code points get a higher drop precedence, the others a
 * lower IP precedence). */
uint8_t meter_remark_dscp(uint8_t dscp, uint8_t prec_level);

enum ofperr meter_handle_mod(struct ofproto *, const struct ofp_header *);
enum ofperr meter_handle_stats_request(struct ofproto *, struct ofconn *,
                                       const struct ofp_header *,
                                       bool config);
enum ofperr meter_handle_features_request(struct ofconn *,
                                          const struct ofp_header *);

#endif /* ofproto-mpls/meter.h */
