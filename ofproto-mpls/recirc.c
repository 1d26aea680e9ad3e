/* ofproto-mpls/recirc.c: frozen pipelines by recirculation id (recirc.h). */
#include <config.h>
#include "ofproto-mpls/recirc.h"

#include <string.h>

#include "hash.h"
#include "openvswitch/util.h"
#include "util.h"

void
recirc_table_init(struct recirc_table *t)
{
    hmap_init(&t->by_id);
    hmap_init(&t->by_state);
    t->next_id = 1;
}

void
recirc_table_clear(struct recirc_table *t)
{
    struct frozen *f;
    HMAP_FOR_EACH_POP (f, id_node, &t->by_id) {
        hmap_remove(&t->by_state, &f->hash_node);
        free(f->ofpacts);
        free(f->action_set);
        free(f);
    }
}

void
recirc_table_uninit(struct recirc_table *t)
{
    if (t) {
        recirc_table_clear(t);
        hmap_destroy(&t->by_id);
        hmap_destroy(&t->by_state);
    }
}

size_t
recirc_table_count(const struct recirc_table *t)
{
    return hmap_count(&t->by_id);
}

static uint32_t
frozen_hash(const struct frozen *f)
{
    uint32_t hash = hash_bytes(f->ofpacts, f->ofpacts_len, f->table_id);
    hash = hash_bytes(f->action_set, f->action_set_len, hash);
    hash = hash_uint64_basis(f->metadata, hash);
    hash = hash_uint64_basis(f->tun_id, hash);
    hash = hash_bytes(f->regs, sizeof f->regs, hash);
    hash = hash_uint64_basis(f->cookie, hash);
    return hash_int(f->restart, hash);
}

static bool
frozen_equal(const struct frozen *a, const struct frozen *b)
{
    return (a->table_id == b->table_id && a->restart == b->restart
            && a->metadata == b->metadata && a->cookie == b->cookie
            && a->tun_id == b->tun_id
            && !memcmp(a->regs, b->regs, sizeof a->regs)
            && a->ofpacts_len == b->ofpacts_len
            && a->action_set_len == b->action_set_len
            /* An empty list may be NULL, which memcmp() must not get. */
            && (!a->ofpacts_len
                || !memcmp(a->ofpacts, b->ofpacts, a->ofpacts_len))
            && (!a->action_set_len
                || !memcmp(a->action_set, b->action_set,
                           a->action_set_len)));
}

uint32_t
recirc_get(struct recirc_table *t, const struct frozen *state)
{
    uint32_t hash = frozen_hash(state);
    struct frozen *f;

    HMAP_FOR_EACH_WITH_HASH (f, hash_node, hash, &t->by_state) {
        if (frozen_equal(f, state)) {
            return f->id;
        }
    }
    f = xmemdup(state, sizeof *state);
    f->ofpacts = state->ofpacts_len
                 ? xmemdup(state->ofpacts, state->ofpacts_len) : NULL;
    f->action_set = state->action_set_len
                    ? xmemdup(state->action_set, state->action_set_len)
                    : NULL;
    /* Id 0 means "first pass" in a datapath key. */
    do {
        f->id = t->next_id++;
    } while (!f->id || recirc_find(t, f->id));
    f->hash = hash;
    hmap_insert(&t->by_state, &f->hash_node, hash);
    hmap_insert(&t->by_id, &f->id_node, hash_int(f->id, 0));
    return f->id;
}

const struct frozen *
recirc_find(const struct recirc_table *t, uint32_t id)
{
    struct frozen *f;
    HMAP_FOR_EACH_WITH_HASH (f, id_node, hash_int(id, 0), &t->by_id) {
        if (f->id == id) {
            return f;
        }
    }
    return NULL;
}
