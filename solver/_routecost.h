/* The label programme of solver/routes_eval.py in C (included by _routecost.c).
 *
 * One function per Python method: waits = _waits, leg = _leg, pareto = _pareto,
 * initial = _initial, visit = _visit, after = _after, finish = _finish; route_cost is
 * _best without the trace. Labels and ways are growable arrays owned by their holder.
 */
#ifndef ROUTECOST_DP_H
#define ROUTECOST_DP_H

#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

typedef int64_t i64;
#define NO_DUE ((i64)1 << 62)
#define NONE_END INT64_MIN

typedef struct { i64 free, cost, k, start; } Label;
typedef struct { i64 arrival, begin, k, cost, last_end; } Way;
typedef struct { i64 e, last, d, ends; } Brk;
typedef struct {
    i64 start_loc, end_loc, shift_start, shift_end, limit, ot, capacity, keep_first, empty;
    int nb;
    Brk br[8];
} Van;

typedef struct { Label *at; Py_ssize_t n, cap; } Labels;
typedef struct { Way *at; Py_ssize_t n, cap; } Ways;

/* What a job's insertion scan needs of a route whatever the job: its stops, each stop's
 * latest start (breaks ignored) and the labels after each prefix seq[:at], at = 1..n
 * (flat in pre, from pre_at[at], pre_n[at] of them). route: the tuple they are of, a
 * strong reference (NULL for a route read from elsewhere). */
typedef struct {
    PyObject *route;
    i64 *seq, *latest;
    Py_ssize_t n, cap, *pre_at, *pre_n;
    Labels pre;
    int labelled;
    /* the entries of memo table `table` (its id, _memo.h) read or made here: job j's
     * (extra, position) when got[j] == gen (bumped when the route or the table changes) */
    uint32_t table;
    i64 *got_extra, *got_at;
    uint32_t *got, gen;
} Known;

/* hash 0: a free slot */
typedef struct { uint64_t hash; uint32_t id, n; Py_ssize_t v; size_t off; } RouteSlot;
/* key 0: a free slot (ids start at 1) */
typedef struct { uint64_t key; i64 extra, at; } EntrySlot;

typedef struct {
    RouteSlot *routes;
    size_t rcap, rcount;
    i64 *stops;  /* every route's stops, RouteSlot.off into it */
    size_t slen, scap;
    EntrySlot *entries;
    size_t ecap, ecount;
    uint32_t next_id;
    i64 stored, limit;
} Memo;

typedef struct RuinSetup RuinSetup;

typedef struct {
    PyObject_HEAD
    Py_ssize_t nloc, njobs, nvans;
    i64 *dur, *dist, *loc, *svc, *rel, *due, *hard, *late, *demand;
    i64 dc, tc, change;
    Van *vans;
    Ways ways, stack;
    Labels scratch;
    /* the labels of a route or scan, a candidate's, and every prefix's of a scan */
    Labels lab, work;
    /* recreate (configure): each vehicle's pinned first job (-1 none), each job's drop
     * price and its int key; routes scanned for an insertion since asked; per vehicle its
     * route as last scanned (known), and one for best_insertion's routes (loose) */
    i64 *pin, *drop;
    PyObject **keys;
    i64 scans;
    Known *known, loose;
    /* the insertion memo (_memo.h), and per vehicle the table id of its route in the
     * plan being recreated (live) */
    Memo memo;
    uint32_t *live;
    /* per vehicle the two route tuples (strong references) whose table ids were wanted
     * last, and those ids: most routes of a move are one of them */
    PyObject **slot_route;
    uint32_t *slot_id;
    /* ruin (configure_ruin, solver/_ruin.h) */
    RuinSetup *ruin;
} Core;

static int grow(void **at, Py_ssize_t *cap, Py_ssize_t need, size_t size) {
    if (need <= *cap) return 0;
    Py_ssize_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *p = realloc(*at, (size_t)n * size);
    if (!p) return -1;
    *at = p;
    *cap = n;
    return 0;
}

static int push_label(Labels *l, i64 free, i64 cost, i64 k, i64 start) {
    if (grow((void **)&l->at, &l->cap, l->n + 1, sizeof(Label))) return -1;
    l->at[l->n++] = (Label){free, cost, k, start};
    return 0;
}

static int push_way(Ways *w, i64 arrival, i64 begin, i64 k, i64 cost, i64 last_end) {
    if (grow((void **)&w->at, &w->cap, w->n + 1, sizeof(Way))) return -1;
    w->at[w->n++] = (Way){arrival, begin, k, cost, last_end};
    return 0;
}

static inline i64 max64(i64 a, i64 b) { return a > b ? a : b; }
static inline i64 min64(i64 a, i64 b) { return a < b ? a : b; }

/* _waits: at the stop, serve, or take the next breaks first. */
static int waits(const Van *van, i64 arrival, i64 ready, i64 service, i64 k, i64 cost,
                 i64 last_end, i64 lo, i64 start, Ways *out) {
    i64 begin = max64(arrival, ready);
    if (push_way(out, arrival, begin, k, cost, last_end)) return -1;
    i64 t = max64(arrival, lo);
    for (int b = (int)k; b < van->nb; b++) {
        const Brk *br = &van->br[b];
        i64 at = max64(t, br->e);
        if (at > br->last) return 0;
        if (at >= begin && br->last >= begin + service && (br->ends < 0 || at >= begin + service))
            return 0;
        i64 length = br->ends < 0 ? br->d : br->ends - at;
        if (br->ends >= 0) cost += van->ot * max64(0, at - max64(br->e, start));
        t = at + length;
        last_end = t;
        begin = max64(begin, t);
        k += 1;
        if (push_way(out, arrival, begin, k, cost, last_end)) return -1;
    }
    return 0;
}

/* _leg: every way to place breaks on the way to a stop (travel, ready, due, service). */
static int leg(Core *c, const Van *van, i64 depart, i64 travel, i64 ready, i64 due,
               i64 service, i64 k, i64 start, Ways *out) {
    out->n = 0;
    i64 arrival = depart + travel;
    i64 begin = max64(arrival, ready);
    if (k == van->nb) return push_way(out, arrival, begin, k, 0, NONE_END);
    const Brk *first = &van->br[k];
    if (first->e >= begin && first->last >= begin + service &&
        (first->ends < 0 || first->e >= begin + service))
        return push_way(out, arrival, begin, k, 0, NONE_END);
    Ways *stack = &c->stack;
    stack->n = 0;
    /* stack entries: arrival, k, cost, last_end, lo (in the begin slot) */
    if (push_way(stack, arrival, depart, k, 0, NONE_END)) return -1;
    while (stack->n) {
        Way top = stack->at[--stack->n];
        i64 arr = top.arrival, kk = top.k, cost = top.cost, lo = top.begin;
        if (waits(van, arr, ready, service, kk, cost, top.last_end, lo, start, out)) return -1;
        if (kk == van->nb) continue;
        const Brk *br = &van->br[kk];
        i64 at = max64(lo, br->e);
        if (at > br->last || at >= arr) continue;
        if (br->ends < 0) {
            if (push_way(stack, arr + br->d, at + br->d, kk + 1, cost, at + br->d)) return -1;
            continue;
        }
        i64 high = min64(br->last, arr - 1);
        i64 cand[4] = {at, high, arr + br->ends - due, arr + br->ends - ready};
        for (int i = 0; i < 4; i++) {
            i64 s = cand[i];
            int seen = 0;
            for (int q = 0; q < i; q++) seen |= cand[q] == s;
            if (seen || s < at || s > high) continue;
            i64 night = van->ot * max64(0, s - max64(br->e, start));
            if (push_way(stack, arr + br->ends - s, br->ends, kk + 1, cost + night, br->ends))
                return -1;
        }
    }
    return 0;
}

/* _pareto: stable order by (time, cost, -breaks); keep what no kept label beats. */
static void pareto(Labels *l) {
    Label *a = l->at;
    for (Py_ssize_t i = 1; i < l->n; i++) {
        Label x = a[i];
        Py_ssize_t j = i;
        while (j > 0) {
            Label *y = &a[j - 1];
            int after = y->free > x.free ||
                        (y->free == x.free && (y->cost > x.cost ||
                                               (y->cost == x.cost && y->k < x.k)));
            if (!after) break;
            a[j] = *y;
            j--;
        }
        a[j] = x;
    }
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < l->n; i++) {
        int beaten = 0;
        for (Py_ssize_t q = 0; q < kept && !beaten; q++)
            beaten = a[q].cost <= a[i].cost && a[q].k >= a[i].k;
        if (!beaten) a[kept++] = a[i];
    }
    l->n = kept;
}

static int initial(Core *c, const Van *van, i64 first, Labels *out) {
    out->n = 0;
    i64 travel = c->dur[van->start_loc * c->nloc + c->loc[first]];
    i64 free = van->shift_start, taken_end = -NO_DUE;
    for (int k = 0; k <= van->nb; k++) {
        i64 late = max64(free, c->rel[first] - travel);
        if (push_label(out, free, -c->tc * free, k, free)) return -1;
        if (late != free && push_label(out, late, -c->tc * late, k, late)) return -1;
        if (k == van->nb) break;
        const Brk *br = &van->br[k];
        i64 at = max64(br->e, taken_end);
        if (at > br->last) break;
        i64 length = br->ends < 0 ? br->d : br->ends - at;
        taken_end = at + length;
        free = max64(van->shift_start, taken_end);
    }
    return 0;
}

/* _visit: labels after serving job j, coming from location here. */
static int visit(Core *c, const Van *van, const Labels *in, i64 here, i64 j, Labels *out) {
    i64 travel = c->dur[here * c->nloc + c->loc[j]];
    i64 release = c->rel[j], due = c->due[j], service = c->svc[j];
    i64 hard = c->hard[j], late = c->late[j];
    out->n = 0;
    for (Py_ssize_t i = 0; i < in->n; i++) {
        Label lb = in->at[i];
        if (leg(c, van, lb.free, travel, release, due, service, lb.k, lb.start, &c->ways))
            return -1;
        for (Py_ssize_t w = 0; w < c->ways.n; w++) {
            Way *way = &c->ways.at[w];
            if (hard && way->begin > due) continue;
            i64 done = way->begin + service;
            if (done > van->limit || (way->k < van->nb && van->br[way->k].last < done)) continue;
            i64 added = way->cost + (way->begin > due ? late * (way->begin - due) : 0);
            if (push_label(out, done, lb.cost + added, way->k, lb.start)) return -1;
        }
    }
    pareto(out);
    return 0;
}

/* _after: the breaks left after the route's end; -1 when one cannot be taken. */
static i64 after(const Van *van, i64 end, i64 k, i64 start, i64 last_end, int *ok) {
    i64 t = last_end == NONE_END ? end : max64(end, last_end), cost = 0;
    *ok = 1;
    for (int b = (int)k; b < van->nb; b++) {
        const Brk *br = &van->br[b];
        i64 at = max64(t, br->e);
        if (at > br->last) {
            *ok = 0;
            return 0;
        }
        i64 length = br->ends < 0 ? br->d : br->ends - at;
        if (br->ends >= 0) cost += van->ot * max64(0, min64(at, end) - max64(br->e, start));
        t = at + length;
    }
    return cost;
}

/* _finish: back to the end location; the cheapest total, or *ok = 0. */
static i64 finish(Core *c, const Van *van, const Labels *in, i64 here, int *found) {
    i64 travel = c->dur[here * c->nloc + van->end_loc], best = 0;
    *found = 0;
    for (Py_ssize_t i = 0; i < in->n; i++) {
        Label lb = in->at[i];
        if (leg(c, van, lb.free, travel, 0, NO_DUE, 0, lb.k, lb.start, &c->ways)) return -1;
        for (Py_ssize_t w = 0; w < c->ways.n; w++) {
            Way *way = &c->ways.at[w];
            i64 end = way->arrival;
            if (end > van->limit || way->begin != way->arrival) continue;
            int ok;
            i64 rest = after(van, end, way->k, lb.start, way->last_end, &ok);
            if (!ok) continue;
            i64 total = lb.cost + way->cost + rest + c->tc * end;
            total += van->ot * max64(0, end - van->shift_end);
            if (!*found || total < best) {
                best = total;
                *found = 1;
            }
        }
    }
    return best;
}

/* Labels after seq[from:], starting from labels (swapped through scratch). */
static int run(Core *c, const Van *van, Labels *labels, const i64 *seq, Py_ssize_t from,
               Py_ssize_t n) {
    for (Py_ssize_t at = from; at < n && labels->n; at++) {
        i64 here = at == 0 ? van->start_loc : c->loc[seq[at - 1]];
        if (visit(c, van, labels, here, seq[at], &c->scratch)) return -1;
        Labels t = *labels;
        *labels = c->scratch;
        c->scratch = t;
    }
    return 0;
}

/* The cost of route seq (n > 0, capacity checked) from labels, the labels before the
 * visit of seq[from] (from = 0: initial's): *found = 0 when no timing is feasible. */
static i64 route_from(Core *c, Py_ssize_t v, const i64 *seq, Py_ssize_t n, Py_ssize_t from,
                      Labels *labels, int *found, int *error) {
    const Van *van = &c->vans[v];
    *found = 1;
    *error = 0;
    if (run(c, van, labels, seq, from, n)) return *error = 1;
    if (!labels->n) return *found = 0;
    i64 cost = finish(c, van, labels, c->loc[seq[n - 1]], found);
    if (cost < 0 && !*found) return *error = 1;
    if (!*found) return 0;
    i64 here = van->start_loc, distance = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        distance += c->dist[here * c->nloc + c->loc[seq[i]]];
        here = c->loc[seq[i]];
    }
    distance += c->dist[here * c->nloc + van->end_loc];
    cost += c->dc * distance;
    if (van->keep_first != -2 && seq[0] != van->keep_first) cost += c->change;
    return cost;
}

/* The route's cost: *found = 0 when no timing is feasible. */
static i64 route_cost(Core *c, Py_ssize_t v, const i64 *seq, Py_ssize_t n, Labels *labels,
                      int *found, int *error) {
    const Van *van = &c->vans[v];
    *found = 1;
    *error = 0;
    if (n == 0) return van->empty;
    if (van->capacity >= 0) {
        i64 load = 0;
        for (Py_ssize_t i = 0; i < n; i++) load += c->demand[seq[i]];
        if (load > van->capacity) return *found = 0;
    }
    if (initial(c, van, seq[0], labels)) return *error = 1;
    return route_from(c, v, seq, n, 0, labels, found, error);
}

#endif
