/* The insertion memo in C (included by _routecost.c, before _recreate.h): what
 * solver/recreate.py keeps in _inserts, a table per route (vehicle, stops) holding each
 * job's best insertion into it, without a Python object per route or entry.
 *
 * A route gets a table id (never reused); an entry is keyed by (table id, job). Both are
 * open-addressing hash tables that double past half full. As recreate's memo, it is
 * emptied when a route not in it is wanted after more than `limit` entries were stored
 * since it was last emptied, so the compiled and Python searches time the same routes.
 * The types (RouteSlot, EntrySlot, Memo) are in _routecost.h.
 */
#ifndef ROUTECOST_MEMO_H
#define ROUTECOST_MEMO_H

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t route_hash(Py_ssize_t v, const i64 *seq, Py_ssize_t n) {
    uint64_t h = mix64((uint64_t)v + 0x9e3779b97f4a7c15ULL);
    for (Py_ssize_t i = 0; i < n; i++) h = mix64(h ^ ((uint64_t)seq[i] + 0x9e3779b97f4a7c15ULL));
    return h ? h : 1;
}

static void memo_free(Memo *m) {
    free(m->routes);
    free(m->stops);
    free(m->entries);
    *m = (Memo){0};
}

static int memo_init(Memo *m, i64 limit) {
    memo_free(m);
    m->limit = limit;
    m->rcap = m->ecap = 1024;
    m->routes = calloc(m->rcap, sizeof(RouteSlot));
    m->entries = calloc(m->ecap, sizeof(EntrySlot));
    return m->routes && m->entries ? 0 : -1;
}

/* Empty the memo; ids go on counting, so a table id kept elsewhere names no entry. */
static void memo_clear(Memo *m) {
    memset(m->routes, 0, m->rcap * sizeof(RouteSlot));
    memset(m->entries, 0, m->ecap * sizeof(EntrySlot));
    m->rcount = m->ecount = m->slen = 0;
    m->stored = 0;
}

/* Both kinds of slot start with a uint64 that is 0 in a free slot and from which its
 * first place is found (as is for a route's hash, mixed for an entry's key): the slots
 * moved into a table twice the size. */
static inline uint64_t slot_word(const char *slot) {
    uint64_t word;
    memcpy(&word, slot, sizeof word);
    return word;
}

static int slots_double(void **slots, size_t *cap, size_t size, int mixed) {
    size_t twice = 2 * *cap;
    char *from = *slots, *to = calloc(twice, size);
    if (!to) return -1;
    for (size_t i = 0; i < *cap; i++) {
        uint64_t word = slot_word(from + i * size);
        if (!word) continue;
        size_t at = (mixed ? mix64(word) : word) & (twice - 1);
        while (slot_word(to + at * size)) at = (at + 1) & (twice - 1);
        memcpy(to + at * size, from + i * size, size);
    }
    free(from);
    *slots = to;
    *cap = twice;
    return 0;
}

/* The table id of route v serving seq (n stops): found, or a new one (the memo emptied
 * first when past its limit; *emptied then 1). -1 when out of memory. */
static int memo_route(Memo *m, Py_ssize_t v, const i64 *seq, Py_ssize_t n, uint32_t *id,
                      int *emptied) {
    uint64_t h = route_hash(v, seq, n);
    size_t at = h & (m->rcap - 1);
    for (RouteSlot *s; (s = &m->routes[at])->hash; at = (at + 1) & (m->rcap - 1)) {
        if (s->hash == h && s->v == v && s->n == (uint32_t)n &&
            !memcmp(m->stops + s->off, seq, (size_t)n * sizeof(i64))) {
            *id = s->id;
            return 0;
        }
    }
    *emptied = m->stored > m->limit;
    if (*emptied) memo_clear(m);
    if (2 * (m->rcount + 1) > m->rcap &&
        slots_double((void **)&m->routes, &m->rcap, sizeof(RouteSlot), 0))
        return -1;
    Py_ssize_t room = (Py_ssize_t)m->scap;
    if (grow((void **)&m->stops, &room, (Py_ssize_t)(m->slen + (size_t)n + 1), sizeof(i64)))
        return -1;
    m->scap = (size_t)room;
    memcpy(m->stops + m->slen, seq, (size_t)n * sizeof(i64));
    at = h & (m->rcap - 1);
    while (m->routes[at].hash) at = (at + 1) & (m->rcap - 1);
    m->routes[at] = (RouteSlot){h, ++m->next_id, (uint32_t)n, v, m->slen};
    m->slen += (size_t)n;
    m->rcount++;
    *id = m->next_id;
    return 0;
}

static inline uint64_t entry_key(uint32_t id, i64 j) { return ((uint64_t)id << 32) | (uint64_t)j; }

/* Job j's entry in table id: 1 and (extra, at) if stored, else 0. */
static int memo_get(const Memo *m, uint32_t id, i64 j, i64 *extra, i64 *at) {
    uint64_t key = entry_key(id, j);
    for (size_t i = mix64(key) & (m->ecap - 1); m->entries[i].key; i = (i + 1) & (m->ecap - 1)) {
        if (m->entries[i].key == key) {
            *extra = m->entries[i].extra;
            *at = m->entries[i].at;
            return 1;
        }
    }
    return 0;
}

/* Store job j's entry in table id (not there yet); -1 when out of memory. */
static int memo_put(Memo *m, uint32_t id, i64 j, i64 extra, i64 at) {
    if (2 * (m->ecount + 1) > m->ecap &&
        slots_double((void **)&m->entries, &m->ecap, sizeof(EntrySlot), 1))
        return -1;
    uint64_t key = entry_key(id, j);
    size_t i = mix64(key) & (m->ecap - 1);
    while (m->entries[i].key) i = (i + 1) & (m->ecap - 1);
    m->entries[i] = (EntrySlot){key, extra, at};
    m->ecount++;
    m->stored++;
    return 0;
}

#endif
