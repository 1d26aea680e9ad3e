#!/bin/bash
# sys-tls: OpenFlow over TLS.  The test makes two CAs of its own; mvsd
# listens on pssl: with a certificate from CA 1 and trusts only CA 1.  An
# ovs-ofctl client with a CA 1 certificate gets the switch's features; one
# with a certificate from CA 2 is refused, and the switch keeps serving.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's TLS options"
command -v openssl >/dev/null || skip "openssl not installed"

pki=$TEST_DIR/pki
mkdir -p "$pki"
mkca() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
        -keyout "$pki/$1.key" -out "$pki/$1.crt" 2>/dev/null \
        || fail "cannot make CA $1"
}
mkcert() {
    local name=$1 ca=$2
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" \
        -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null \
        || fail "cannot make key $name"
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" \
        -CAkey "$pki/$ca.key" -CAcreateserial -days 2 \
        -out "$pki/$name.crt" 2>/dev/null || fail "cannot sign $name"
}
mkca ca1
mkca ca2
mkcert switch ca1
mkcert good ca1
mkcert evil ca2

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
port=16653
MVSD_ARGS="--listen pssl:$port:127.0.0.1 --private-key $pki/switch.key \
--certificate $pki/switch.crt --ca-cert $pki/ca1.crt" \
    sw_start br0 "$(host_port h1)=1"

ssl_ofctl() {
    local who=$1
    shift
    ip netns exec "$ns" timeout 10 ovs-ofctl -O OpenFlow13 \
        --private-key="$pki/$who.key" --certificate="$pki/$who.crt" \
        --ca-cert="$pki/ca1.crt" "$@"
}

wait_for "ssl_ofctl good show ssl:127.0.0.1:$port >/dev/null 2>&1" 10 \
    || fail "a client with a CA 1 certificate cannot reach pssl:"
ssl_ofctl good show "ssl:127.0.0.1:$port" | grep -q 'OFPT_FEATURES_REPLY' \
    || fail "no features reply over TLS"
log "TLS client with a certificate from the trusted CA: served"

if ssl_ofctl evil show "ssl:127.0.0.1:$port" >/dev/null 2>&1; then
    fail "a client with a certificate from another CA was served"
fi
log "TLS client with a certificate from another CA: refused"

# The switch is still serving after the refused handshake.
ssl_ofctl good show "ssl:127.0.0.1:$port" >/dev/null \
    || fail "switch stopped serving after a refused TLS peer"
exit 0
