/* The compiled core of solver/routes_eval.py: a route's cost and a job's best insertion;
 * recreate's loops over them (solver/recreate.py: regret, greedy, options, the memo) and
 * ruin's removals (solver/ruin.py: strings, related, random; _ruin.h).
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
#include "_memo.h"

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
static void ruin_free(Core *c);

static void forget_slots(Core *c) {
    for (Py_ssize_t i = 0; c->slot_route && i < 2 * c->nvans; i++) Py_CLEAR(c->slot_route[i]);
}

static void drop_config(Core *c) {
    forget_slots(c);
    free(c->slot_route);
    free(c->slot_id);
    free(c->live);
    c->slot_route = NULL;
    c->slot_id = c->live = NULL;
    memo_free(&c->memo);
    if (c->keys)
        for (Py_ssize_t j = 0; j < c->njobs; j++) Py_XDECREF(c->keys[j]);
    if (c->known)
        for (Py_ssize_t v = 0; v < c->nvans; v++) known_free(&c->known[v]);
    free(c->known);
    c->known = NULL;
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
    ruin_free(c);
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

#include "_recreate.h"
#include "_regret.h"
#include "_ruin.h"
#include "_move.h"

static PyMethodDef core_methods[] = {
    {"cost", (PyCFunction)core_cost, METH_VARARGS, "cost(vehicle, seq) -> int | None"},
    {"best_insertion", (PyCFunction)core_best_insertion, METH_VARARGS,
     "best_insertion(vehicle, seq, job, base, first, stop) -> (extra, position) | None"},
    {"configure", (PyCFunction)core_configure, METH_VARARGS,
     "configure(pins, drops, memo_limit): pinned first jobs, drop prices, memo size"},
    {"scans", (PyCFunction)core_scans, METH_NOARGS,
     "scans() -> routes scanned for an insertion since last asked"},
    {"greedy", (PyCFunction)core_greedy, METH_VARARGS,
     "greedy(routes, costs, unassigned, order, allowed) -> change"},
    {"shuffle", (PyCFunction)core_shuffle, METH_VARARGS,
     "shuffle(x, getrandbits): random.Random.shuffle(x) with those draws"},
    {"live", (PyCFunction)core_live, METH_VARARGS,
     "live(routes): the plan to recreate next, its routes' memo tables found or made"},
    {"memo", (PyCFunction)core_memo, METH_NOARGS,
     "memo() -> {(vehicle, route): {job: (extra, position)}}, the memo's entries"},
    {"configure_ruin", (PyCFunction)core_configure_ruin, METH_VARARGS,
     "configure_ruin(near, pinned, avg_removed, max_string, shares, cache_size)"},
    {"ruin", (PyCFunction)core_ruin, METH_VARARGS,
     "ruin(routes, costs, unassigned, random, getrandbits, cache) -> (removal, jobs, change)"},
    {"move", (PyCFunction)core_move, METH_VARARGS,
     "move(routes, costs, unassigned, random, getrandbits, cache, allowed, greedy_share) -> change"},
    {"regret", (PyCFunction)core_regret, METH_VARARGS,
     "regret(routes, costs, unassigned, pool, near, noise) -> change"},
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
