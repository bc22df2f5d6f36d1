/* The compiled core of solver/routes_eval.py: a route's cost and a job's best insertion;
 * and recreate's loops over them (solver/recreate.py: regret, greedy, options, the memo).
 *
 * The same dynamic programme as RouteEvaluator._labels/_visit/_leg/_waits/_finish/_after,
 * without the traces (which only RouteEvaluator.route needs, in Python): a label is (free
 * time, cost so far, breaks taken, route start), dominated labels are dropped with the same
 * stable order and rule, so the costs are the Python ones exactly
 * (tests/solver/test_routes_eval.py checks both on generated days). docs/solver.md has the
 * measurements. All times and prices are int64, as in solver.problem. The recreate part
 * draws the same random numbers and breaks ties as the Python loops do, so it makes the
 * same plans (tests/solver/test_recreate.py; docs/solver/ruin-and-recreate.md, session 6).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_routecost.h"

static i64 *read_i64s(PyObject *buffer, Py_ssize_t want) {
    Py_buffer view;
    if (PyObject_GetBuffer(buffer, &view, PyBUF_SIMPLE)) return NULL;
    i64 *out = NULL;
    if (view.len != (Py_ssize_t)(want * (Py_ssize_t)sizeof(i64))) {
        PyErr_SetString(PyExc_ValueError, "buffer of the wrong size");
    } else if ((out = malloc(view.len ? (size_t)view.len : 1))) {
        memcpy(out, view.buf, (size_t)view.len);
    } else {
        PyErr_NoMemory();
    }
    PyBuffer_Release(&view);
    return out;
}

static void known_free(Known *k);

static void forget_slots(Core *c) {
    for (Py_ssize_t i = 0; c->slot_route && i < 2 * c->nvans; i++) {
        Py_CLEAR(c->slot_route[i]);
        Py_CLEAR(c->slot_table[i]);
    }
}

static void drop_config(Core *c) {
    forget_slots(c);
    free(c->slot_route);
    free(c->slot_table);
    c->slot_route = c->slot_table = NULL;
    if (c->keys)
        for (Py_ssize_t j = 0; j < c->njobs; j++) Py_XDECREF(c->keys[j]);
    if (c->known)
        for (Py_ssize_t v = 0; v < c->nvans; v++) known_free(&c->known[v]);
    free(c->known);
    c->known = NULL;
    Py_CLEAR(c->nothing);
    free(c->keys);
    free(c->pin);
    free(c->drop);
    c->keys = NULL;
    c->pin = c->drop = NULL;
}

/* A Python sequence of n ints into out; -1 with an exception when it is not that. */
static int read_seq_i64(PyObject *obj, i64 *out, Py_ssize_t n) {
    PyObject *seq = PySequence_Fast(obj, "a sequence of ints");
    if (!seq) return -1;
    int bad = PySequence_Fast_GET_SIZE(seq) != n;
    if (bad) PyErr_SetString(PyExc_ValueError, "a sequence of the wrong length");
    for (Py_ssize_t i = 0; !bad && i < n; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        bad = out[i] == -1 && PyErr_Occurred();
    }
    Py_DECREF(seq);
    return bad ? -1 : 0;
}

static void core_dealloc(Core *c) {
    drop_config(c);
    i64 *arrays[] = {c->dur, c->dist, c->loc, c->svc, c->rel, c->due, c->hard, c->late, c->demand};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    free(c->vans);
    free(c->ways.at);
    free(c->stack.at);
    free(c->scratch.at);
    free(c->lab.at);
    free(c->work.at);
    known_free(&c->loose);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

/* Core(nloc, dur, dist, jobs, vans, dc, tc, change): jobs are 7 int64 buffers of njobs
 * (loc, svc, rel, due, hard, late, demand); vans a list of (start_loc, end_loc,
 * shift_start, shift_end, limit, overtime_cost, capacity, keep_first, empty_cost,
 * ((earliest, latest, duration, ends_at or -1), ...)). */
static int core_init(Core *c, PyObject *args, PyObject *kwds) {
    Py_ssize_t nloc, njobs;
    PyObject *dur, *dist, *jobs, *vans;
    long long dc, tc, change;
    if (!PyArg_ParseTuple(args, "nnOOOOLLL", &nloc, &njobs, &dur, &dist, &jobs, &vans, &dc,
                          &tc, &change))
        return -1;
    c->nloc = nloc;
    c->njobs = njobs;
    c->dc = dc;
    c->tc = tc;
    c->change = change;
    if (!(c->dur = read_i64s(dur, nloc * nloc)) || !(c->dist = read_i64s(dist, nloc * nloc)))
        return -1;
    i64 **fields[] = {&c->loc, &c->svc, &c->rel, &c->due, &c->hard, &c->late, &c->demand};
    if (!PyTuple_Check(jobs) || PyTuple_GET_SIZE(jobs) != 7) {
        PyErr_SetString(PyExc_TypeError, "jobs: a tuple of 7 buffers");
        return -1;
    }
    for (int i = 0; i < 7; i++)
        if (!(*fields[i] = read_i64s(PyTuple_GET_ITEM(jobs, i), njobs))) return -1;
    PyObject *seq = PySequence_Fast(vans, "vans: a sequence");
    if (!seq) return -1;
    c->nvans = PySequence_Fast_GET_SIZE(seq);
    c->vans = calloc((size_t)c->nvans + 1, sizeof(Van));
    for (Py_ssize_t v = 0; c->vans && v < c->nvans; v++) {
        Van *van = &c->vans[v];
        PyObject *breaks;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, v), "LLLLLLLLLO", &van->start_loc,
                              &van->end_loc, &van->shift_start, &van->shift_end, &van->limit,
                              &van->ot, &van->capacity, &van->keep_first, &van->empty, &breaks) ||
            !PyTuple_Check(breaks) || PyTuple_GET_SIZE(breaks) > 8) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "at most 8 breaks");
            Py_DECREF(seq);
            return -1;
        }
        van->nb = (int)PyTuple_GET_SIZE(breaks);
        for (int b = 0; b < van->nb; b++) {
            Brk *br = &van->br[b];
            if (!PyArg_ParseTuple(PyTuple_GET_ITEM(breaks, b), "LLLL", &br->e, &br->last, &br->d,
                                  &br->ends)) {
                Py_DECREF(seq);
                return -1;
            }
        }
    }
    Py_DECREF(seq);
    if (!c->vans) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* A Python sequence of job positions as int64s in buf (size cap); the length, or -1. */
static Py_ssize_t read_seq(Core *c, PyObject *obj, i64 *buf, Py_ssize_t cap) {
    PyObject *seq = PySequence_Fast(obj, "a sequence of job positions");
    if (!seq) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > cap) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "route too long");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long long j = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if ((j == -1 && PyErr_Occurred()) || j < 0 || j >= c->njobs) {
            Py_DECREF(seq);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "job position out of range");
            return -1;
        }
        buf[i] = j;
    }
    Py_DECREF(seq);
    return n;
}

#define MAX_STOPS 4096

static PyObject *core_cost(Core *c, PyObject *args) {
    Py_ssize_t v;
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "nO", &v, &obj)) return NULL;
    if (v < 0 || v >= c->nvans) return PyErr_Format(PyExc_IndexError, "no vehicle %zd", v);
    static i64 seq[MAX_STOPS];
    Py_ssize_t n = read_seq(c, obj, seq, MAX_STOPS);
    if (n < 0) return NULL;
    int found, error;
    i64 cost = route_cost(c, v, seq, n, &c->lab, &found, &error);
    if (error) return PyErr_NoMemory();
    if (!found) Py_RETURN_NONE;
    return PyLong_FromLongLong(cost);
}

/* earliest_begin: a lower bound on when j can start after the stops labels describe. */
static int earliest(Core *c, const Van *van, const Labels *labels, i64 here, i64 j, i64 *out) {
    i64 travel = c->dur[here * c->nloc + c->loc[j]], release = c->rel[j], service = c->svc[j];
    int any = 0;
    for (Py_ssize_t i = 0; i < labels->n; i++) {
        i64 begin = max64(labels->at[i].free + travel, release);
        for (int b = (int)labels->at[i].k; b < van->nb; b++) {
            const Brk *br = &van->br[b];
            if (br->last >= begin + service) break;
            begin = max64(begin, br->ends >= 0 ? br->ends : br->e + br->d);
        }
        if (!any || begin < *out) *out = begin;
        any = 1;
    }
    return any;
}

typedef struct { i64 bound, at; } Scored;

static int by_bound(const void *a, const void *b) {
    const Scored *x = a, *y = b;
    if (x->bound != y->bound) return x->bound < y->bound ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void known_free(Known *k) {
    Py_CLEAR(k->route);
    Py_CLEAR(k->table);
    free(k->seq);
    free(k->latest);
    free(k->pre_at);
    free(k->pre_n);
    free(k->pre.at);
    free(k->got_extra);
    free(k->got_at);
    free(k->got);
    *k = (Known){0};
}

/* A new generation of k's memo entries: none is known any more. */
static void known_forget(Known *k, Py_ssize_t njobs) {
    if (++k->gen == 0) {
        if (k->got) memset(k->got, 0, ((size_t)njobs + 1) * sizeof(uint32_t));
        k->gen = 1;
    }
}

/* k := route v serving seq (n stops), not labelled yet. */
static int know_stops(Known *k, const i64 *seq, Py_ssize_t n) {
    if (n + 1 > k->cap) {
        Py_ssize_t cap = 2 * (n + 1);
        i64 *s = realloc(k->seq, (size_t)cap * sizeof(i64));
        if (s) k->seq = s;
        i64 *l = realloc(k->latest, (size_t)cap * sizeof(i64));
        if (l) k->latest = l;
        Py_ssize_t *a = realloc(k->pre_at, (size_t)cap * sizeof(Py_ssize_t));
        if (a) k->pre_at = a;
        Py_ssize_t *m = realloc(k->pre_n, (size_t)cap * sizeof(Py_ssize_t));
        if (m) k->pre_n = m;
        if (!s || !l || !a || !m) return -1;
        k->cap = cap;
    }
    memcpy(k->seq, seq, (size_t)n * sizeof(i64));
    k->n = n;
    k->labelled = 0;
    return 0;
}

/* k's latest starts and the labels of every prefix of its route (vehicle v). */
static int know_labels(Core *c, Py_ssize_t v, Known *k) {
    const i64 *seq = k->seq;
    Py_ssize_t n = k->n;
    const Van *van = &c->vans[v];
    i64 *dur = c->dur, nloc = c->nloc, *latest = k->latest;
    /* latest_begins: per stop the latest start that lets the rest finish (breaks ignored) */
    latest[n] = van->limit;
    i64 next = van->end_loc;
    for (Py_ssize_t q = n - 1; q >= 0; q--) {
        i64 s = seq[q], bound = latest[q + 1] - dur[c->loc[s] * nloc + next] - c->svc[s];
        latest[q] = c->hard[s] ? min64(bound, c->due[s]) : bound;
        next = c->loc[s];
    }
    Labels *labels = &c->lab, *pre = &k->pre;
    labels->n = 0;
    pre->n = 0;
    if (n && initial(c, van, seq[0], labels)) return -1;
    for (Py_ssize_t at = 1; at <= n; at++) {
        if (labels->n && run(c, van, labels, seq, at - 1, at)) return -1;
        if (grow((void **)&pre->at, &pre->cap, pre->n + labels->n, sizeof(Label))) return -1;
        memcpy(pre->at + pre->n, labels->at, (size_t)labels->n * sizeof(Label));
        k->pre_at[at] = pre->n;
        k->pre_n[at] = labels->n;
        pre->n += labels->n;
    }
    k->labelled = 1;
    return 0;
}

/* The cheapest insertion of j into the known route of vehicle v (costing base) at positions
 * first..stop-1: recreate._scan's rule, positions in the order of their lower bound,
 * stopping once the bound loses. 1 and *extra, *where when found, 0 when none, -1 on
 * error. A position is priced from the labels of its prefix (what a pricing from scratch
 * reaches first). */
static int scan(Core *c, Py_ssize_t v, const Known *k, i64 j, i64 base, Py_ssize_t first,
                Py_ssize_t stop, i64 *extra_out, Py_ssize_t *where) {
    static i64 with[MAX_STOPS + 1];
    static Scored scored[MAX_STOPS + 1];
    const i64 *seq = k->seq, *latest = k->latest;
    Py_ssize_t n = k->n;
    if (first < 0) first = 0;
    if (stop > n + 1) stop = n + 1;
    if (first >= stop) return 0;
    const Van *van = &c->vans[v];
    if (van->capacity >= 0) {
        i64 load = c->demand[j];
        for (Py_ssize_t i = 0; i < n; i++) load += c->demand[seq[i]];
        if (load > van->capacity) return 0;
    }
    i64 *dur = c->dur, *dist = c->dist, nloc = c->nloc, x = c->loc[j];
    Py_ssize_t count = 0;
    for (Py_ssize_t at = first; at < stop; at++) {
        /* the labels after seq[:at] (at = 0: the shift start) */
        Label one = {van->shift_start, 0, 0, 0};
        Labels labels = {&one, 1, 1};
        if (at > 0) labels = (Labels){k->pre.at + k->pre_at[at], k->pre_n[at], 0};
        i64 here = at == 0 ? van->start_loc : c->loc[seq[at - 1]];
        i64 begin;
        if (!earliest(c, van, &labels, here, j, &begin)) continue;
        if ((c->hard[j] && begin > c->due[j]) || begin + c->svc[j] > van->limit) continue;
        i64 after_loc = at == n ? van->end_loc : c->loc[seq[at]];
        if (begin + c->svc[j] + dur[x * nloc + after_loc] > latest[at]) continue;
        i64 extra = dist[here * nloc + x] + dist[x * nloc + after_loc] - dist[here * nloc + after_loc];
        i64 lateness = begin > c->due[j] ? c->late[j] * (begin - c->due[j]) : 0;
        scored[count++] = (Scored){c->dc * extra + lateness, at};
    }
    qsort(scored, (size_t)count, sizeof(Scored), by_bound);
    int have = 0;
    i64 best = 0;
    Py_ssize_t best_at = 0;
    Labels *work = &c->work;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (have && scored[i].bound >= best) break;
        Py_ssize_t at = scored[i].at;
        memcpy(with, seq, (size_t)at * sizeof(i64));
        with[at] = j;
        memcpy(with + at + 1, seq + at, (size_t)(n - at) * sizeof(i64));
        if (at == 0) {
            if (initial(c, van, j, work)) return -1;
        } else {
            Py_ssize_t m = k->pre_n[at];
            if (grow((void **)&work->at, &work->cap, m, sizeof(Label))) return -1;
            memcpy(work->at, k->pre.at + k->pre_at[at], (size_t)m * sizeof(Label));
            work->n = m;
        }
        int found, error;
        i64 cost = route_from(c, v, with, n + 1, at, work, &found, &error);
        if (error) return -1;
        if (found && (!have || cost - base < best)) {
            best = cost - base;
            best_at = at;
            have = 1;
        }
    }
    *extra_out = best;
    *where = best_at;
    return have;
}

/* best_insertion(v, seq, j, base, first, stop): (extra cost, position) of the cheapest
 * insertion of j into route v at positions first..stop-1, or None. */
static PyObject *core_best_insertion(Core *c, PyObject *args) {
    Py_ssize_t v, first, stop;
    long long j, base;
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "nOLLnn", &v, &obj, &j, &base, &first, &stop)) return NULL;
    if (v < 0 || v >= c->nvans || j < 0 || j >= c->njobs)
        return PyErr_Format(PyExc_IndexError, "no such vehicle or job");
    static i64 seq[MAX_STOPS];
    Py_ssize_t n = read_seq(c, obj, seq, MAX_STOPS);
    if (n < 0) return NULL;
    i64 extra;
    Py_ssize_t at;
    Py_CLEAR(c->loose.route);
    if (know_stops(&c->loose, seq, n) || know_labels(c, v, &c->loose)) return PyErr_NoMemory();
    int found = scan(c, v, &c->loose, j, base, first, stop, &extra, &at);
    if (found < 0) return PyErr_NoMemory();
    if (!found) Py_RETURN_NONE;
    return Py_BuildValue("(Ln)", (long long)extra, at);
}

/* ---- recreate (solver/recreate.py) ------------------------------------------------------
 * The memo is recreate's: live[v] is the table (a dict, job -> (extra, position), position
 * -1 for none) of the route vehicle v serves now, routes[v] that route (a tuple of job
 * positions), costs[v] its cost. An option is (extra, vehicle, position); options sort as
 * Python sorts those tuples. */

typedef struct { i64 extra, v, at; } Option;

static inline int option_before(const Option *a, const Option *b) {
    if (a->extra != b->extra) return a->extra < b->extra;
    if (a->v != b->v) return a->v < b->v;
    return a->at < b->at;
}

/* configure(pins, drops): each vehicle's pinned first job (-1 none), each job's drop price. */
static PyObject *core_configure(Core *c, PyObject *args) {
    PyObject *pins, *drops;
    if (!PyArg_ParseTuple(args, "OO", &pins, &drops)) return NULL;
    i64 *pin = malloc(((size_t)c->nvans + 1) * sizeof(i64));
    i64 *drop = malloc(((size_t)c->njobs + 1) * sizeof(i64));
    PyObject **keys = calloc((size_t)c->njobs + 1, sizeof(PyObject *));
    Known *known = calloc((size_t)c->nvans + 1, sizeof(Known));
    PyObject **slot_route = calloc(2 * (size_t)c->nvans + 1, sizeof(PyObject *));
    PyObject **slot_table = calloc(2 * (size_t)c->nvans + 1, sizeof(PyObject *));
    if (!pin || !drop || !keys || !known || !slot_route || !slot_table) {
        free(pin);
        free(drop);
        free(keys);
        free(known);
        free(slot_route);
        free(slot_table);
        return PyErr_NoMemory();
    }
    int bad = read_seq_i64(pins, pin, c->nvans) || read_seq_i64(drops, drop, c->njobs);
    for (Py_ssize_t j = 0; !bad && j < c->njobs; j++) bad = !(keys[j] = PyLong_FromSsize_t(j));
    PyObject *nothing = bad ? NULL : Py_BuildValue("(ii)", 0, -1);
    if (!nothing) {
        for (Py_ssize_t j = 0; j < c->njobs; j++) Py_XDECREF(keys[j]);
        free(pin);
        free(drop);
        free(keys);
        free(known);
        free(slot_route);
        free(slot_table);
        return NULL;
    }
    PyObject_GC_UnTrack(nothing);
    drop_config(c);
    c->pin = pin;
    c->drop = drop;
    c->keys = keys;
    c->nothing = nothing;
    c->known = known;
    c->slot_route = slot_route;
    c->slot_table = slot_table;
    Py_RETURN_NONE;
}

/* counters(): (scans, memo entries) made by the recreate calls since last asked. */
static PyObject *core_counters(Core *c, PyObject *Py_UNUSED(ignored)) {
    PyObject *out = Py_BuildValue("(LL)", (long long)c->scans, (long long)c->stores);
    c->scans = c->stores = 0;
    return out;
}

typedef struct { PyObject *live, *routes, *costs; } Plan;

static int plan_of(Core *c, PyObject *live, PyObject *routes, PyObject *costs, Plan *p) {
    if (!c->keys) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return -1;
    }
    if (!PyList_Check(live) || !PyList_Check(routes) || !PyList_Check(costs) ||
        PyList_GET_SIZE(live) != c->nvans || PyList_GET_SIZE(routes) != c->nvans ||
        PyList_GET_SIZE(costs) != c->nvans) {
        PyErr_SetString(PyExc_TypeError, "live, routes, costs: lists, one item a vehicle");
        return -1;
    }
    *p = (Plan){live, routes, costs};
    return 0;
}

/* recreate._best_in: j's best insertion into route v, through v's memo table (and the
 * entries of it already read here). */
static int best_in(Core *c, const Plan *p, Py_ssize_t v, i64 j, i64 *extra, i64 *at) {
    static i64 seq[MAX_STOPS];
    PyObject *route = PyList_GET_ITEM(p->routes, v);
    Known *k = &c->known[v];
    if (route != k->route) {
        /* not the tuple last seen: its stops, and if they differ, nothing known of it */
        Py_ssize_t n = read_seq(c, route, seq, MAX_STOPS);
        if (n < 0) return -1;
        Py_CLEAR(k->route);
        if (!k->got || n != k->n || memcmp(seq, k->seq, (size_t)n * sizeof(i64))) {
            if (!k->got) {
                k->got_extra = malloc(((size_t)c->njobs + 1) * sizeof(i64));
                k->got_at = malloc(((size_t)c->njobs + 1) * sizeof(i64));
                k->got = calloc((size_t)c->njobs + 1, sizeof(uint32_t));
            }
            if (!k->got_extra || !k->got_at || !k->got || know_stops(k, seq, n)) {
                known_free(k);
                PyErr_NoMemory();
                return -1;
            }
            known_forget(k, c->njobs);
        }
        k->route = Py_NewRef(route);
    }
    PyObject *table = PyList_GET_ITEM(p->live, v);
    if (table != k->table) {
        if (!PyDict_Check(table)) {
            PyErr_SetString(PyExc_TypeError, "a memo table is a dict");
            return -1;
        }
        Py_XSETREF(k->table, Py_NewRef(table));
        known_forget(k, c->njobs);
    }
    if (k->got[j] == k->gen) {
        *extra = k->got_extra[j];
        *at = k->got_at[j];
        return *at >= 0;
    }
    PyObject *key = c->keys[j];
    PyObject *hit = PyDict_GetItemWithError(table, key);
    if (hit) {
        if (!PyTuple_Check(hit) || PyTuple_GET_SIZE(hit) != 2) {
            PyErr_SetString(PyExc_TypeError, "a memo entry is (extra, position)");
            return -1;
        }
        *at = PyLong_AsLongLong(PyTuple_GET_ITEM(hit, 1));
        *extra = PyLong_AsLongLong(PyTuple_GET_ITEM(hit, 0));
        if (PyErr_Occurred()) return -1;
    } else {
        if (PyErr_Occurred()) return -1;
        i64 base = PyLong_AsLongLong(PyList_GET_ITEM(p->costs, v));
        if (base == -1 && PyErr_Occurred()) return -1;
        if (!k->labelled && know_labels(c, v, k)) {
            known_free(k);
            PyErr_NoMemory();
            return -1;
        }
        /* recreate._places: a pinned first stop stays first */
        Py_ssize_t n = k->n, first = 0, stop = n + 1, where = -1;
        i64 pin = c->pin[v];
        if (pin >= 0) {
            int pinned = n && k->seq[0] == pin;
            if (j == pin) {
                stop = pinned ? 0 : 1;
            } else if (pinned) {
                first = 1;
            } else {
                stop = 0;
            }
        }
        int found = scan(c, v, k, j, base, first, stop, extra, &where);
        if (found < 0) {
            PyErr_NoMemory();
            return -1;
        }
        c->scans++;
        /* entries hold ints only: untracked, the garbage collector need not visit them */
        PyObject *entry = found ? Py_BuildValue("(Ln)", (long long)*extra, where)
                                : Py_NewRef(c->nothing);
        if (!entry) return -1;
        if (found) PyObject_GC_UnTrack(entry);
        int bad = PyDict_SetItem(table, key, entry);
        Py_DECREF(entry);
        if (bad) return -1;
        c->stores++;
        *at = found ? where : -1;
        if (!found) *extra = 0;
    }
    k->got_extra[j] = *extra;
    k->got_at[j] = *at;
    k->got[j] = k->gen;
    return *at >= 0;
}

/* recreate._options: j's best option per route of vans, cheapest first, into out
 * (room for len(vans)); the count, or -1. */
static Py_ssize_t options(Core *c, const Plan *p, i64 j, PyObject *vans, Option *out) {
    Py_ssize_t count = 0, m = PyList_GET_SIZE(vans);
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(vans, i));
        if (v < 0 || v >= c->nvans) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "no such vehicle");
            return -1;
        }
        Option o = {0, v, 0};
        int found = best_in(c, p, v, j, &o.extra, &o.at);
        if (found < 0) return -1;
        if (!found) continue;
        Py_ssize_t k = count++;
        while (k > 0 && option_before(&o, &out[k - 1])) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = o;
    }
    return count;
}

static int job_of(Core *c, PyObject *obj, i64 *j) {
    *j = PyLong_AsLongLong(obj);
    if (*j == -1 && PyErr_Occurred()) return -1;
    if (*j < 0 || *j >= c->njobs) {
        PyErr_SetString(PyExc_IndexError, "no such job");
        return -1;
    }
    return 0;
}

static PyObject *option_tuple(const Option *o) {
    return Py_BuildValue("(LLL)", (long long)o->extra, (long long)o->v, (long long)o->at);
}

/* options(live, routes, costs, j, vans): [(extra, vehicle, position), ...] cheapest first. */
static PyObject *core_options(Core *c, PyObject *args) {
    PyObject *live, *routes, *costs, *job, *vans;
    if (!PyArg_ParseTuple(args, "OOOOO!", &live, &routes, &costs, &job, &PyList_Type, &vans))
        return NULL;
    Plan p;
    i64 j;
    if (plan_of(c, live, routes, costs, &p) || job_of(c, job, &j)) return NULL;
    Option *found = malloc(((size_t)PyList_GET_SIZE(vans) + 1) * sizeof(Option));
    if (!found) return PyErr_NoMemory();
    Py_ssize_t count = options(c, &p, j, vans, found);
    PyObject *out = count < 0 ? NULL : PyList_New(count);
    for (Py_ssize_t i = 0; out && i < count; i++) {
        PyObject *item = option_tuple(&found[i]);
        if (!item) Py_CLEAR(out);
        else PyList_SET_ITEM(out, i, item);
    }
    free(found);
    return out;
}

/* best_option(live, routes, costs, j, vans): the cheapest option, or None. */
static PyObject *core_best_option(Core *c, PyObject *args) {
    PyObject *live, *routes, *costs, *job, *vans;
    if (!PyArg_ParseTuple(args, "OOOOO!", &live, &routes, &costs, &job, &PyList_Type, &vans))
        return NULL;
    Plan p;
    i64 j;
    if (plan_of(c, live, routes, costs, &p) || job_of(c, job, &j)) return NULL;
    int have = 0;
    Option best = {0, 0, 0};
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(vans); i++) {
        Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(vans, i));
        if (v < 0 || v >= c->nvans) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "no such vehicle");
            return NULL;
        }
        Option o = {0, v, 0};
        int found = best_in(c, &p, v, j, &o.extra, &o.at);
        if (found < 0) return NULL;
        if (found && (!have || option_before(&o, &best))) {
            best = o;
            have = 1;
        }
    }
    if (!have) Py_RETURN_NONE;
    return option_tuple(&best);
}

/* recreate._table: the memo table of route v (a new reference). From the vehicle's two
 * last ones, or inserts[(v, route)]; else table(v, route) makes it (and may empty the
 * memo, which then calls forget()). */
static PyObject *table_of(Core *c, PyObject *inserts, PyObject *table, Py_ssize_t v,
                          PyObject *route) {
    PyObject **routes = c->slot_route + 2 * v, **tables = c->slot_table + 2 * v;
    if (routes[0] == route) return Py_NewRef(tables[0]);
    PyObject *found = NULL;
    if (routes[1] == route) {
        found = Py_NewRef(tables[1]);
    } else {
        PyObject *vehicle = PyLong_FromSsize_t(v);
        PyObject *key = vehicle ? PyTuple_Pack(2, vehicle, route) : NULL;
        Py_XDECREF(vehicle);
        if (!key) return NULL;
        found = PyDict_GetItemWithError(inserts, key);
        Py_DECREF(key);
        if (found) {
            Py_INCREF(found);
        } else {
            if (PyErr_Occurred()) return NULL;
            found = PyObject_CallFunction(table, "nO", v, route);
            if (!found) return NULL;
        }
        if (!PyDict_Check(found)) {
            Py_DECREF(found);
            PyErr_SetString(PyExc_TypeError, "a memo table is a dict");
            return NULL;
        }
    }
    /* most recent first: a hit in the second slot swaps them, a new one drops the second */
    if (routes[1] == route) {
        PyObject *r = routes[0], *t = tables[0];
        routes[0] = routes[1];
        tables[0] = tables[1];
        routes[1] = r;
        tables[1] = t;
    } else {
        PyObject *old_route = routes[1], *old_table = tables[1];
        routes[1] = routes[0];
        tables[1] = tables[0];
        routes[0] = Py_NewRef(route);
        tables[0] = Py_NewRef(found);
        Py_XDECREF(old_route);
        Py_XDECREF(old_table);
    }
    return found;
}

/* live(routes, inserts, table): the memo tables of the routes (recreate._table each). */
static PyObject *core_live(Core *c, PyObject *args) {
    PyObject *routes, *inserts, *table;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyList_Type, &routes, &PyDict_Type, &inserts, &table))
        return NULL;
    if (!c->slot_route || PyList_GET_SIZE(routes) != c->nvans) {
        PyErr_SetString(PyExc_ValueError, "configure() first; one route a vehicle");
        return NULL;
    }
    PyObject *out = PyList_New(c->nvans);
    for (Py_ssize_t v = 0; out && v < c->nvans; v++) {
        PyObject *found = table_of(c, inserts, table, v, PyList_GET_ITEM(routes, v));
        if (!found) Py_CLEAR(out);
        else PyList_SET_ITEM(out, v, found);
    }
    return out;
}

/* forget(): the memo was emptied; the tables kept here are no longer its. */
static PyObject *core_forget(Core *c, PyObject *Py_UNUSED(ignored)) {
    forget_slots(c);
    Py_RETURN_NONE;
}

/* recreate._place: j into route o->v at o->at; the route's table from table(v, route);
 * *total gains the change of the plan's objective (the extra cost less j's drop price). */
static int place_in(Core *c, const Plan *p, PyObject *unassigned, PyObject *inserts,
                    PyObject *table, i64 j, const Option *o, i64 *total) {
    PyObject *seq = PyList_GET_ITEM(p->routes, o->v);
    if (!PyTuple_Check(seq) || o->at < 0 || o->at > PyTuple_GET_SIZE(seq)) {
        PyErr_SetString(PyExc_TypeError, "a route is a tuple of job positions");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(seq), at = (Py_ssize_t)o->at;
    PyObject *route = PyTuple_New(n + 1);
    if (!route) return -1;
    for (Py_ssize_t i = 0; i <= n; i++) {
        PyObject *item = i < at ? PyTuple_GET_ITEM(seq, i)
                         : i == at ? c->keys[j]
                                   : PyTuple_GET_ITEM(seq, i - 1);
        PyTuple_SET_ITEM(route, i, Py_NewRef(item));
    }
    PyList_SetItem(p->routes, o->v, route); /* steals route, releases seq */
    long long before = PyLong_AsLongLong(PyList_GET_ITEM(p->costs, o->v));
    if (before == -1 && PyErr_Occurred()) return -1;
    PyObject *cost = PyLong_FromLongLong(before + o->extra);
    if (!cost) return -1;
    PyList_SetItem(p->costs, o->v, cost);
    if (PySet_Discard(unassigned, c->keys[j]) < 0) return -1;
    PyObject *found = table_of(c, inserts, table, (Py_ssize_t)o->v, route);
    if (!found) return -1;
    PyList_SetItem(p->live, o->v, found);
    *total += o->extra - c->drop[j];
    return 0;
}

/* greedy(live, routes, costs, unassigned, order, allowed, inserts, table):
 * recreate._greedy's loop; each job of order (in that order) goes where it costs least
 * if that beats its drop price (recreate._place; inserts: recreate's memo, table:
 * recreate._table, see table_of). The change of the objective. */
static PyObject *core_greedy(Core *c, PyObject *args) {
    PyObject *live, *routes, *costs, *unassigned, *order, *allowed, *inserts, *table;
    if (!PyArg_ParseTuple(args, "OOOO!O!O!O!O", &live, &routes, &costs, &PySet_Type, &unassigned,
                          &PyList_Type, &order, &PyList_Type, &allowed, &PyDict_Type, &inserts,
                          &table))
        return NULL;
    i64 total = 0;
    Plan p;
    if (plan_of(c, live, routes, costs, &p)) return NULL;
    if (PyList_GET_SIZE(allowed) != c->njobs) {
        PyErr_SetString(PyExc_ValueError, "allowed: one list of vehicles a job");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(order); i++) {
        i64 j;
        if (job_of(c, PyList_GET_ITEM(order, i), &j)) return NULL;
        PyObject *vans = PyList_GET_ITEM(allowed, j);
        if (!PyList_Check(vans)) {
            PyErr_SetString(PyExc_TypeError, "allowed: lists of vehicles");
            return NULL;
        }
        int have = 0;
        Option best = {0, 0, 0};
        for (Py_ssize_t q = 0; q < PyList_GET_SIZE(vans); q++) {
            Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(vans, q));
            if (v < 0 || v >= c->nvans) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "no such vehicle");
                return NULL;
            }
            Option o = {0, v, 0};
            int found = best_in(c, &p, v, j, &o.extra, &o.at);
            if (found < 0) return NULL;
            if (found && (!have || option_before(&o, &best))) {
                best = o;
                have = 1;
            }
        }
        if (!have || best.extra >= c->drop[j]) continue;
        if (place_in(c, &p, unassigned, inserts, table, j, &best, &total)) return NULL;
    }
    return PyLong_FromLongLong(total);
}

/* shuffle(x, getrandbits): random.Random.shuffle(x) of CPython 3.11-3.13 (Fisher-Yates,
 * each index by _randbelow_with_getrandbits), drawing the same numbers in the same order;
 * recreate checks that on a probe before using it. */
static PyObject *core_shuffle(Core *c, PyObject *args) {
    PyObject *x, *getrandbits;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &x, &getrandbits)) return NULL;
    for (Py_ssize_t i = PyList_GET_SIZE(x) - 1; i > 0; i--) {
        unsigned long long n = (unsigned long long)i + 1, r;
        int k = 0;
        while (n >> k) k++;
        PyObject *bits = PyLong_FromLong(k);
        if (!bits) return NULL;
        do {
            PyObject *got = PyObject_CallOneArg(getrandbits, bits);
            if (!got) {
                Py_DECREF(bits);
                return NULL;
            }
            r = PyLong_AsUnsignedLongLong(got);
            Py_DECREF(got);
            if (r == (unsigned long long)-1 && PyErr_Occurred()) {
                Py_DECREF(bits);
                return NULL;
            }
        } while (r >= n);
        Py_DECREF(bits);
        if (PyList_GET_SIZE(x) <= i) {
            PyErr_SetString(PyExc_RuntimeError, "the list changed size");
            return NULL;
        }
        PyObject *a = PyList_GET_ITEM(x, i), *b = PyList_GET_ITEM(x, (Py_ssize_t)r);
        PyList_SET_ITEM(x, i, b);
        PyList_SET_ITEM(x, (Py_ssize_t)r, a);
    }
    (void)c;
    Py_RETURN_NONE;
}

/* A pool job's state in the regret loop: its options (cheapest first), the routes that
 * took a job since they were computed (stale), its regret. */
typedef struct {
    i64 j;
    PyObject *vans;
    Option *opts;
    Py_ssize_t n;
    char *stale;
    double regret;
    int alive;
} Pending;

/* recreate._regret_of: second best (or the drop price) less the best, plus noise. */
static int regret_of(Core *c, Pending *q, PyObject *noise) {
    i64 drop = c->drop[q->j];
    i64 best = q->n ? q->opts[0].extra : drop;
    i64 second = q->n > 1 ? q->opts[1].extra : drop;
    PyObject *r = PyObject_CallNoArgs(noise);
    if (!r) return -1;
    double draw = PyFloat_AsDouble(r);
    Py_DECREF(r);
    if (draw == -1.0 && PyErr_Occurred()) return -1;
    q->regret = (double)(min64(second, drop) - best) + draw;
    return 0;
}

/* recreate._refresh: the option of route v priced again. */
static int refresh(Core *c, const Plan *p, Pending *q, i64 v) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < q->n; i++)
        if (q->opts[i].v != v) q->opts[k++] = q->opts[i];
    q->n = k;
    Option o = {0, v, 0};
    int found = best_in(c, p, v, q->j, &o.extra, &o.at);
    if (found <= 0) return found;
    k = q->n++;
    while (k > 0 && option_before(&o, &q->opts[k - 1])) {
        q->opts[k] = q->opts[k - 1];
        k--;
    }
    q->opts[k] = o;
    return 0;
}

/* recreate._fresh_top: re-price the stale routes among the best two until none is. */
static int fresh_top(Core *c, const Plan *p, Pending *q) {
    for (;;) {
        i64 top[2];
        int m = 0;
        for (Py_ssize_t i = 0; i < q->n && i < 2; i++)
            if (q->stale[q->opts[i].v]) top[m++] = q->opts[i].v;
        if (!m) return 0;
        for (int i = 0; i < m; i++) {
            q->stale[top[i]] = 0;
            if (refresh(c, p, q, top[i]) < 0) return -1;
        }
    }
}

/* regret(live, routes, costs, unassigned, pool, near, noise, inserts, table):
 * recreate._regret. pool: the jobs in the order Python iterates the pool set; near[i]:
 * the routes tried for pool[i]; noise(): a random float (the regret's tie-break, one
 * draw per regret computed); inserts, table: as for greedy. The jobs whose best option
 * beats their drop price go in by regret (recreate._place). The change of the
 * objective. */
static PyObject *core_regret(Core *c, PyObject *args) {
    PyObject *live, *routes, *costs, *unassigned, *pool, *near, *noise, *inserts, *table;
    if (!PyArg_ParseTuple(args, "OOOO!O!O!OO!O", &live, &routes, &costs, &PySet_Type,
                          &unassigned, &PyList_Type, &pool, &PyList_Type, &near, &noise,
                          &PyDict_Type, &inserts, &table))
        return NULL;
    i64 total = 0;
    Plan p;
    if (plan_of(c, live, routes, costs, &p)) return NULL;
    Py_ssize_t size = PyList_GET_SIZE(pool), room = 0;
    if (PyList_GET_SIZE(near) != size) {
        PyErr_SetString(PyExc_ValueError, "near: one list of routes a pool job");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *vans = PyList_GET_ITEM(near, i);
        if (!PyList_Check(vans)) {
            PyErr_SetString(PyExc_TypeError, "near: lists of vehicles");
            return NULL;
        }
        room += PyList_GET_SIZE(vans);
    }
    Pending *queue = calloc((size_t)size + 1, sizeof(Pending));
    Option *opts = malloc(((size_t)room + 1) * sizeof(Option));
    char *stale = calloc((size_t)size * (size_t)c->nvans + 1, 1);
    PyObject *result = NULL;
    if (!queue || !opts || !stale) {
        PyErr_NoMemory();
        goto out;
    }
    Py_ssize_t used = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        Pending *q = &queue[i];
        q->vans = PyList_GET_ITEM(near, i);
        q->opts = opts + used;
        used += PyList_GET_SIZE(q->vans);
        q->stale = stale + i * c->nvans;
        q->alive = 1;
        if (job_of(c, PyList_GET_ITEM(pool, i), &q->j)) goto out;
        if ((q->n = options(c, &p, q->j, q->vans, q->opts)) < 0) goto out;
    }
    for (Py_ssize_t i = 0; i < size; i++)
        if (regret_of(c, &queue[i], noise)) goto out;
    for (Py_ssize_t left = size; left > 0; left--) {
        Pending *chosen = NULL;
        for (Py_ssize_t i = 0; i < size; i++)
            if (queue[i].alive && (!chosen || queue[i].regret > chosen->regret))
                chosen = &queue[i];
        chosen->alive = 0;
        if (!chosen->n || chosen->opts[0].extra >= c->drop[chosen->j]) continue;
        Option o = chosen->opts[0];
        if (place_in(c, &p, unassigned, inserts, table, chosen->j, &o, &total)) goto out;
        for (Py_ssize_t i = 0; i < size; i++) {
            Pending *q = &queue[i];
            if (!q->alive) continue;
            q->stale[o.v] = 1;
            if ((q->n && q->opts[0].v == o.v) || (q->n > 1 && q->opts[1].v == o.v)) {
                if (fresh_top(c, &p, q) || regret_of(c, q, noise)) goto out;
            }
        }
    }
    result = PyLong_FromLongLong(total);
out:
    free(queue);
    free(opts);
    free(stale);
    return result;
}

static PyMethodDef core_methods[] = {
    {"cost", (PyCFunction)core_cost, METH_VARARGS, "cost(vehicle, seq) -> int | None"},
    {"best_insertion", (PyCFunction)core_best_insertion, METH_VARARGS,
     "best_insertion(vehicle, seq, job, base, first, stop) -> (extra, position) | None"},
    {"configure", (PyCFunction)core_configure, METH_VARARGS,
     "configure(pins, drops): each vehicle's pinned first job, each job's drop price"},
    {"counters", (PyCFunction)core_counters, METH_NOARGS,
     "counters() -> (scans, memo entries) since last asked"},
    {"options", (PyCFunction)core_options, METH_VARARGS,
     "options(live, routes, costs, job, vans) -> [(extra, vehicle, position), ...]"},
    {"best_option", (PyCFunction)core_best_option, METH_VARARGS,
     "best_option(live, routes, costs, job, vans) -> (extra, vehicle, position) | None"},
    {"greedy", (PyCFunction)core_greedy, METH_VARARGS,
     "greedy(live, routes, costs, unassigned, order, allowed, inserts, table) -> change"},
    {"shuffle", (PyCFunction)core_shuffle, METH_VARARGS,
     "shuffle(x, getrandbits): random.Random.shuffle(x) with those draws"},
    {"live", (PyCFunction)core_live, METH_VARARGS,
     "live(routes, inserts, table) -> the memo tables of the routes"},
    {"forget", (PyCFunction)core_forget, METH_NOARGS,
     "forget(): the memo was emptied; drop the tables kept"},
    {"regret", (PyCFunction)core_regret, METH_VARARGS,
     "regret(live, routes, costs, unassigned, pool, near, noise, inserts, table) -> change"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "solver._routecost.Core",
    .tp_basicsize = sizeof(Core),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)core_init,
    .tp_dealloc = (destructor)core_dealloc,
    .tp_methods = core_methods,
    .tp_doc = "Route costs and best insertions of one problem (solver.routes_eval).",
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_routecost", "Compiled core of solver.routes_eval.", -1, NULL,
};

PyMODINIT_FUNC PyInit__routecost(void) {
    if (PyType_Ready(&CoreType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
