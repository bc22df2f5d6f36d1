/* Ruin in C (included by _routecost.c after the recreate loops): solver/ruin.py's choice of
 * a removal, the strings, related and random removals, and taking the jobs out of their
 * routes (RuinRecreate._remove), with each route's cost read from or put into the
 * evaluator's cache as RouteEvaluator.cost does. The draws are random.Random's of CPython
 * 3.11-3.13 (random(), and _randbelow by getrandbits under randint, choice, sample and
 * shuffle), in the same order, so the compiled search makes the same plans as the Python
 * one (tests/solver/test_recreate.py). It was 40 % of a move's time in Python (profile,
 * docs/solver/ruin-and-recreate.md, session 8).
 */
#ifndef ROUTECOST_RUIN_H
#define ROUTECOST_RUIN_H

#include <math.h>

struct RuinSetup {
    /* each job's nearest jobs, nnear a job; jobs never removed (pinned first jobs) */
    i64 *near;
    Py_ssize_t nnear;
    char *pinned;
    i64 avg_removed, max_string;
    /* the removals' shares as ruin._choose adds them: strings, strings + related, all */
    double strings_share, related_share, all_shares;
    /* the evaluator's cache is emptied when it holds this many routes */
    Py_ssize_t cache_size;
    /* scratch for one move: every route's stops (flat, from start[v], len[v] of them),
     * the jobs that may be removed, each job's vehicle (-1 none), the jobs removed,
     * marks by job and by vehicle, a pool for sample */
    i64 *stops, *assigned, *route_of, *removed, *pool, *start, *len;
    char *marked, *ruined;
};

static void setup_free(RuinSetup *r) {
    if (!r) return;
    void *arrays[] = {r->near,   r->pinned,  r->stops, r->assigned, r->route_of, r->removed,
                      r->pool,   r->start,   r->len,   r->marked,   r->ruined};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    free(r);
}

static void ruin_free(Core *c) {
    setup_free(c->ruin);
    c->ruin = NULL;
}

/* random.Random._randbelow_with_getrandbits(n): draws k = n.bit_length() bits until below n. */
static int below(PyObject *getrandbits, i64 n, i64 *out) {
    if (n <= 0) {
        PyErr_SetString(PyExc_ValueError, "empty range");
        return -1;
    }
    int k = 0;
    while ((unsigned long long)n >> k) k++;
    PyObject *bits = PyLong_FromLong(k);
    if (!bits) return -1;
    unsigned long long r;
    do {
        PyObject *got = PyObject_CallOneArg(getrandbits, bits);
        r = got ? PyLong_AsUnsignedLongLong(got) : (unsigned long long)-1;
        Py_XDECREF(got);
        if (r == (unsigned long long)-1 && PyErr_Occurred()) {
            Py_DECREF(bits);
            return -1;
        }
    } while (r >= (unsigned long long)n);
    Py_DECREF(bits);
    *out = (i64)r;
    return 0;
}

/* shuffle(x, getrandbits): random.Random.shuffle(x) (Fisher-Yates, each index drawn by
 * below), drawing the same numbers in the same order; recreate checks that on a probe
 * before using it. */
static PyObject *core_shuffle(Core *c, PyObject *args) {
    PyObject *x, *getrandbits;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &x, &getrandbits)) return NULL;
    for (Py_ssize_t i = PyList_GET_SIZE(x) - 1; i > 0; i--) {
        i64 r;
        if (below(getrandbits, (i64)i + 1, &r)) return NULL;
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

/* random.Random.randint(a, b). */
static int randint(PyObject *getrandbits, i64 a, i64 b, i64 *out) {
    i64 r;
    if (below(getrandbits, b - a + 1, &r)) return -1;
    *out = a + r;
    return 0;
}

/* random.Random.sample(population[:n], k) into out; pool: room for n. */
static int sample(PyObject *getrandbits, const i64 *population, i64 n, i64 k, i64 *pool,
                  char *taken, i64 *out) {
    i64 setsize = 21;
    if (k > 5) {
        i64 power = 1;
        for (i64 e = (i64)ceil(log((double)(k * 3)) / log(4.0)); e > 0; e--) power *= 4;
        setsize += power;
    }
    i64 j;
    if (n <= setsize) {
        memcpy(pool, population, (size_t)n * sizeof(i64));
        for (i64 i = 0; i < k; i++) {
            if (below(getrandbits, n - i, &j)) return -1;
            out[i] = pool[j];
            pool[j] = pool[n - i - 1];
        }
        return 0;
    }
    int bad = 0;
    for (i64 i = 0; !bad && i < k; i++) {
        do bad = below(getrandbits, n, &j);
        while (!bad && taken[j]);
        if (!bad) {
            taken[j] = 1;
            out[i] = population[j];
        }
    }
    for (i64 i = 0; i < n; i++) taken[i] = 0;
    return bad ? -1 : 0;
}

/* configure_ruin(near, pinned, avg_removed, max_string, (strings, strings + related, all),
 * cache_size): after configure(); near: each job's nearest jobs, as many a job; pinned: a
 * 0/1 a job. */
static PyObject *core_configure_ruin(Core *c, PyObject *args) {
    PyObject *near, *pinned;
    long long avg, longest;
    double strings, related, all;
    Py_ssize_t cache_size;
    if (!PyArg_ParseTuple(args, "O!OLL(ddd)n", &PyList_Type, &near, &pinned, &avg, &longest,
                          &strings, &related, &all, &cache_size))
        return NULL;
    Py_ssize_t n = c->njobs, nnear = 0;
    if (PyList_GET_SIZE(near) != n) {
        PyErr_SetString(PyExc_ValueError, "near: one list a job");
        return NULL;
    }
    if (n) nnear = PySequence_Size(PyList_GET_ITEM(near, 0));
    if (nnear < 0) return NULL;
    RuinSetup *r = calloc(1, sizeof(RuinSetup));
    size_t jobs = (size_t)n + 1, vans = (size_t)c->nvans + 1;
    i64 *flags = malloc(jobs * sizeof(i64));
    if (r) {
        *r = (RuinSetup){.nnear = nnear, .avg_removed = avg, .max_string = longest,
                         .strings_share = strings, .related_share = related,
                         .all_shares = all, .cache_size = cache_size};
        r->near = malloc(jobs * ((size_t)nnear + 1) * sizeof(i64));
        r->pinned = calloc(jobs, 1);
        i64 **scratch[] = {&r->stops, &r->assigned, &r->route_of, &r->removed, &r->pool};
        for (size_t i = 0; i < sizeof scratch / sizeof *scratch; i++)
            *scratch[i] = malloc(jobs * sizeof(i64));
        r->start = calloc(vans, sizeof(i64));
        r->len = calloc(vans, sizeof(i64));
        r->marked = calloc(jobs, 1);
        r->ruined = calloc(vans, 1);
    }
    int bad = !r || !flags || !r->near || !r->pinned || !r->stops || !r->assigned ||
              !r->route_of || !r->removed || !r->pool || !r->start || !r->len || !r->marked ||
              !r->ruined;
    if (bad) PyErr_NoMemory();
    for (Py_ssize_t j = 0; !bad && j < n; j++)
        bad = read_seq_i64(PyList_GET_ITEM(near, j), r->near + j * nnear, nnear);
    for (Py_ssize_t i = 0; !bad && i < n * nnear; i++) {
        bad = r->near[i] < 0 || r->near[i] >= n;
        if (bad) PyErr_SetString(PyExc_IndexError, "no such job");
    }
    bad = bad || read_seq_i64(pinned, flags, n);
    if (!bad) {
        for (Py_ssize_t j = 0; j < n; j++) {
            r->pinned[j] = flags[j] != 0;
            r->route_of[j] = -1;
        }
    }
    free(flags);
    if (bad) {
        setup_free(r);
        return NULL;
    }
    ruin_free(c);
    c->ruin = r;
    Py_RETURN_NONE;
}

/* Read the plan's routes into r: stops, start, len, route_of, and the jobs that may be
 * removed (assigned, in route order, pinned ones left out). The number of those, or -1. */
static Py_ssize_t read_routes(Core *c, RuinSetup *r, PyObject *routes, Py_ssize_t *used) {
    Py_ssize_t total = 0, assigned = 0;
    *used = 0;
    for (Py_ssize_t v = 0; v < c->nvans; v++) {
        PyObject *seq = PyList_GET_ITEM(routes, v);
        if (!PyTuple_Check(seq) || total + PyTuple_GET_SIZE(seq) > c->njobs ||
            PyTuple_GET_SIZE(seq) > MAX_STOPS) {
            PyErr_SetString(PyExc_ValueError, "routes: tuples of job positions, each job once");
            return -1;
        }
        r->start[v] = total;
        r->len[v] = PyTuple_GET_SIZE(seq);
        *used += r->len[v] > 0;
        for (Py_ssize_t i = 0; i < r->len[v]; i++) {
            i64 j;
            if (job_of(c, PyTuple_GET_ITEM(seq, i), &j)) return -1;
            r->stops[total++] = j;
            r->route_of[j] = v;
            if (!r->pinned[j]) r->assigned[assigned++] = j;
        }
    }
    return assigned;
}

/* ruin._strings: strings cut around the seed's nearest jobs, one a route; the count. */
static Py_ssize_t cut_strings(Core *c, RuinSetup *r, PyObject *g, Py_ssize_t assigned,
                              Py_ssize_t used) {
    Py_ssize_t stops = 0, count = 0, strings_cut = 0;
    for (Py_ssize_t v = 0; v < c->nvans; v++) stops += r->len[v];
    i64 longest = stops / used < r->max_string ? stops / used : r->max_string;
    longest = longest > 1 ? longest : 1;
    i64 most = (i64)((double)(4 * r->avg_removed) / (double)(1 + longest)) - 1, strings, seed;
    if (randint(g, 1, most > 1 ? most : 1, &strings) || below(g, assigned, &seed)) return -1;
    seed = r->assigned[seed];
    for (Py_ssize_t i = -1; i < r->nnear && strings_cut < strings; i++) {
        i64 j = i < 0 ? seed : r->near[seed * r->nnear + i], v = r->route_of[j];
        if (v < 0 || r->ruined[v]) continue;
        const i64 *seq = r->stops + r->start[v];
        i64 n = r->len[v], size, first, at = 0;
        if (randint(g, 1, n < longest ? n : longest, &size)) return -1;
        while (seq[at] != j) at++;
        i64 low = at - size + 1 > 0 ? at - size + 1 : 0, high = at < n - size ? at : n - size;
        if (randint(g, low, high, &first)) return -1;
        for (i64 k = first; k < first + size; k++)
            if (!r->pinned[seq[k]]) r->removed[count++] = seq[k];
        r->ruined[v] = 1;
        strings_cut++;
    }
    for (Py_ssize_t v = 0; v < c->nvans; v++) r->ruined[v] = 0;
    return count;
}

/* ruin._related: a seed job and its nearest jobs that may be removed; the count. */
static Py_ssize_t related(RuinSetup *r, PyObject *g, Py_ssize_t assigned) {
    i64 count, seed;
    if (randint(g, 2, 2 * r->avg_removed, &count) || below(g, assigned, &seed)) return -1;
    seed = r->assigned[seed];
    for (Py_ssize_t i = 0; i < assigned; i++) r->marked[r->assigned[i]] = 1;
    Py_ssize_t m = 0;
    r->removed[m++] = seed;
    for (Py_ssize_t i = 0; i < r->nnear && m < count; i++) {
        i64 j = r->near[seed * r->nnear + i];
        if (r->marked[j]) r->removed[m++] = j;
    }
    for (Py_ssize_t i = 0; i < assigned; i++) r->marked[r->assigned[i]] = 0;
    return m;
}

/* RouteEvaluator.cost of route v serving seq[:n] (the tuple route), through its cache:
 * 1 and *cost when it can be timed, 0 when not, -1 with an exception. */
static int cached_cost(Core *c, PyObject *cache, Py_ssize_t v, PyObject *route, const i64 *seq,
                       Py_ssize_t n, i64 *cost) {
    PyObject *vehicle = PyLong_FromSsize_t(v);
    PyObject *key = vehicle ? PyTuple_Pack(2, vehicle, route) : NULL;
    Py_XDECREF(vehicle);
    if (!key) return -1;
    PyObject *hit = PyDict_GetItemWithError(cache, key);
    int found = -1, error = 0;
    if (hit) {
        found = hit != Py_None;
        *cost = found ? PyLong_AsLongLong(hit) : 0;
        if (found && *cost == -1 && PyErr_Occurred()) found = -1;
    } else if (!PyErr_Occurred()) {
        *cost = route_cost(c, v, seq, n, &c->lab, &found, &error);
        c->scans++;
        PyObject *value = error ? NULL : found ? PyLong_FromLongLong(*cost) : Py_NewRef(Py_None);
        if (error) PyErr_NoMemory();
        if (value && PyDict_GET_SIZE(cache) >= c->ruin->cache_size) PyDict_Clear(cache);
        if (!value || PyDict_SetItem(cache, key, value)) found = -1;
        Py_XDECREF(value);
    }
    Py_DECREF(key);
    return found;
}

/* ruin._remove: the marked jobs out of their routes, except from a route that could not
 * be timed without them; *change gains the objective's change. */
static int take_out(Core *c, RuinSetup *r, PyObject *routes, PyObject *costs, PyObject *cache,
                    i64 *change) {
    static i64 kept[MAX_STOPS];
    for (Py_ssize_t v = 0; v < c->nvans; v++) {
        const i64 *seq = r->stops + r->start[v];
        Py_ssize_t n = 0, count = r->len[v];
        for (Py_ssize_t i = 0; i < count; i++)
            if (!r->marked[seq[i]]) kept[n++] = seq[i];
        if (n == count) continue;
        PyObject *route = PyTuple_New(n);
        if (!route) return -1;
        for (Py_ssize_t i = 0; i < n; i++) PyTuple_SET_ITEM(route, i, Py_NewRef(c->keys[kept[i]]));
        i64 cost = 0, before = PyLong_AsLongLong(PyList_GET_ITEM(costs, v));
        int found = before == -1 && PyErr_Occurred() ? -1
                                                     : cached_cost(c, cache, v, route, kept, n, &cost);
        PyObject *value = found == 1 ? PyLong_FromLongLong(cost) : NULL;
        if (found < 0 || (found && !value)) {
            Py_DECREF(route);
            return -1;
        }
        if (!found) { /* removing a job broke the timing: keep the route as it was */
            Py_DECREF(route);
            for (Py_ssize_t i = 0; i < count; i++) r->marked[seq[i]] = 0;
            continue;
        }
        *change += cost - before;
        PyList_SetItem(routes, v, route);
        PyList_SetItem(costs, v, value);
    }
    return 0;
}

/* ruin(routes, costs, unassigned, random, getrandbits, cache): RuinRecreate._ruin on the
 * plan (routes, costs and unassigned changed in place): None when no job may be removed
 * (nothing drawn), else (removal, the jobs it chose, the objective's change). cache: the
 * evaluator's route costs. */
static PyObject *core_ruin(Core *c, PyObject *args) {
    PyObject *routes, *costs, *unassigned, *random, *g, *cache;
    if (!PyArg_ParseTuple(args, "O!O!O!OOO!", &PyList_Type, &routes, &PyList_Type, &costs,
                          &PySet_Type, &unassigned, &random, &g, &PyDict_Type, &cache))
        return NULL;
    RuinSetup *r = c->ruin;
    if (!r || !c->keys || PyList_GET_SIZE(routes) != c->nvans ||
        PyList_GET_SIZE(costs) != c->nvans) {
        PyErr_SetString(PyExc_ValueError, "configure() and configure_ruin() first; one route a vehicle");
        return NULL;
    }
    Py_ssize_t used, assigned = read_routes(c, r, routes, &used), m = -1;
    PyObject *out = NULL;
    int kind = 0;
    if (assigned > 0) {
        PyObject *drawn = PyObject_CallNoArgs(random);
        double pick = drawn ? PyFloat_AsDouble(drawn) * r->all_shares : -1.0;
        Py_XDECREF(drawn);
        kind = pick < r->strings_share ? 0 : pick < r->related_share ? 1 : 2;
        i64 count, most = 2 * r->avg_removed < assigned ? 2 * r->avg_removed : assigned;
        if (PyErr_Occurred()) {
            m = -1;
        } else if (kind == 0) {
            m = cut_strings(c, r, g, assigned, used);
        } else if (kind == 1) {
            m = related(r, g, assigned);
        } else if (!randint(g, 1, most, &count) &&
                   !sample(g, r->assigned, assigned, count, r->pool, r->marked, r->removed)) {
            m = (Py_ssize_t)count;
        }
    }
    if (m >= 0) {
        i64 change = 0;
        for (Py_ssize_t i = 0; i < m; i++) r->marked[r->removed[i]] = 1;
        int bad = take_out(c, r, routes, costs, cache, &change);
        PyObject *removed = bad ? NULL : PyList_New(m);
        for (Py_ssize_t i = 0; removed && i < m; i++) {
            i64 j = r->removed[i];
            PyList_SET_ITEM(removed, i, Py_NewRef(c->keys[j]));
            if (!r->marked[j]) continue;
            r->marked[j] = 0;
            change += c->drop[j];
            if (PySet_Add(unassigned, c->keys[j])) Py_CLEAR(removed);
        }
        for (Py_ssize_t i = 0; i < m; i++) r->marked[r->removed[i]] = 0;
        out = removed ? Py_BuildValue("(iNL)", kind, removed, (long long)change) : NULL;
    } else if (assigned == 0) {
        out = Py_NewRef(Py_None);
    }
    if (assigned < 0) /* the routes were read in part */
        for (Py_ssize_t j = 0; j < c->njobs; j++) r->route_of[j] = -1;
    for (Py_ssize_t v = 0; assigned >= 0 && v < c->nvans; v++)
        for (i64 i = 0; i < r->len[v]; i++) r->route_of[r->stops[r->start[v] + i]] = -1;
    return out;
}

#endif
