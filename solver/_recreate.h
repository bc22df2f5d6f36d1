/* Recreate's loops in C (included by _routecost.c, after the route scans): regret-2,
 * greedy, a job's options, the memo tables and placing a job, as solver/recreate.py does
 * them, drawing the same random numbers and breaking ties the same way.
 */
#ifndef ROUTECOST_RECREATE_H
#define ROUTECOST_RECREATE_H

/* ---- recreate (solver/recreate.py) ------------------------------------------------------
 * The memo is the core's own (_memo.h): live[v] is the table id of the route vehicle v
 * serves now, routes[v] that route (a tuple of job positions), costs[v] its cost. An
 * option is (extra, vehicle, position); options sort as Python sorts those tuples. */

typedef struct { i64 extra, v, at; } Option;

static inline int option_before(const Option *a, const Option *b) {
    if (a->extra != b->extra) return a->extra < b->extra;
    if (a->v != b->v) return a->v < b->v;
    return a->at < b->at;
}

/* configure(pins, drops, memo_limit): each vehicle's pinned first job (-1 none), each
 * job's drop price, and the memo entries past which a new route empties the memo
 * (recreate.MEMO_ENTRIES). */
static PyObject *core_configure(Core *c, PyObject *args) {
    PyObject *pins, *drops;
    long long limit;
    if (!PyArg_ParseTuple(args, "OOL", &pins, &drops, &limit)) return NULL;
    drop_config(c);
    c->pin = malloc(((size_t)c->nvans + 1) * sizeof(i64));
    c->drop = malloc(((size_t)c->njobs + 1) * sizeof(i64));
    c->keys = calloc((size_t)c->njobs + 1, sizeof(PyObject *));
    c->known = calloc((size_t)c->nvans + 1, sizeof(Known));
    c->live = calloc((size_t)c->nvans + 1, sizeof(uint32_t));
    c->slot_route = calloc(2 * (size_t)c->nvans + 1, sizeof(PyObject *));
    c->slot_id = calloc(2 * (size_t)c->nvans + 1, sizeof(uint32_t));
    int bad = !c->pin || !c->drop || !c->keys || !c->known || !c->live || !c->slot_route ||
              !c->slot_id || memo_init(&c->memo, limit);
    if (bad) PyErr_NoMemory();
    bad = bad || read_seq_i64(pins, c->pin, c->nvans) || read_seq_i64(drops, c->drop, c->njobs);
    for (Py_ssize_t j = 0; !bad && j < c->njobs; j++)
        bad = !(c->keys[j] = PyLong_FromSsize_t(j));
    if (bad) {
        drop_config(c);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* scans(): the routes scanned for an insertion by the recreate calls since last asked. */
static PyObject *core_scans(Core *c, PyObject *Py_UNUSED(ignored)) {
    PyObject *out = PyLong_FromLongLong(c->scans);
    c->scans = 0;
    return out;
}

typedef struct { PyObject *routes, *costs; } Plan;

static int plan_of(Core *c, PyObject *routes, PyObject *costs, Plan *p) {
    if (!c->keys) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return -1;
    }
    if (!PyList_Check(routes) || !PyList_Check(costs) || PyList_GET_SIZE(routes) != c->nvans ||
        PyList_GET_SIZE(costs) != c->nvans) {
        PyErr_SetString(PyExc_TypeError, "routes, costs: lists, one item a vehicle");
        return -1;
    }
    *p = (Plan){routes, costs};
    return 0;
}

/* recreate._best_in: j's best insertion into route v, through v's memo table (and the
 * entries of it already read here); a scan when the memo has none. */
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
    uint32_t table = c->live[v];
    if (table != k->table) {
        k->table = table;
        known_forget(k, c->njobs);
    }
    if (k->got[j] == k->gen) {
        *extra = k->got_extra[j];
        *at = k->got_at[j];
        return *at >= 0;
    }
    if (!memo_get(&c->memo, table, j, extra, at)) {
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
        *at = found ? where : -1;
        if (!found) *extra = 0;
        if (memo_put(&c->memo, table, j, *extra, *at)) {
            PyErr_NoMemory();
            return -1;
        }
    }
    k->got_extra[j] = *extra;
    k->got_at[j] = *at;
    k->got[j] = k->gen;
    return *at >= 0;
}

/* The vehicle index vans[i]; -1 with an exception when there is no such vehicle. */
static Py_ssize_t van_at(Core *c, PyObject *vans, Py_ssize_t i) {
    Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(vans, i));
    if (v >= 0 && v < c->nvans) return v;
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "no such vehicle");
    return -1;
}

/* recreate._options: j's best option per route of vans, cheapest first, into out
 * (room for len(vans)); the count, or -1. */
static Py_ssize_t options(Core *c, const Plan *p, i64 j, PyObject *vans, Option *out) {
    Py_ssize_t count = 0, m = PyList_GET_SIZE(vans);
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t v = van_at(c, vans, i);
        if (v < 0) return -1;
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

/* j's cheapest option over the routes of vans into *best: 1 if there is one, 0 if none
 * (every route rejects j), -1 with an exception. */
static int cheapest(Core *c, const Plan *p, i64 j, PyObject *vans, Option *best) {
    int have = 0;
    *best = (Option){0, 0, 0};
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(vans); i++) {
        Py_ssize_t v = van_at(c, vans, i);
        if (v < 0) return -1;
        Option o = {0, v, 0};
        int found = best_in(c, p, v, j, &o.extra, &o.at);
        if (found < 0) return -1;
        if (found && (!have || option_before(&o, best))) {
            *best = o;
            have = 1;
        }
    }
    return have;
}

/* recreate._table: the memo table id of route v, into *id: from the vehicle's two last
 * ones, else found or made in the memo (which may empty it: then no slot is kept). */
static int table_of(Core *c, Py_ssize_t v, PyObject *route, uint32_t *id) {
    static i64 seq[MAX_STOPS];
    PyObject **routes = c->slot_route + 2 * v;
    uint32_t *ids = c->slot_id + 2 * v;
    if (routes[0] == route) {
        *id = ids[0];
        return 0;
    }
    if (routes[1] == route) {
        /* most recent first: a hit in the second slot swaps them */
        PyObject *r = routes[0];
        uint32_t t = ids[0];
        routes[0] = routes[1];
        ids[0] = ids[1];
        routes[1] = r;
        ids[1] = t;
        *id = ids[0];
        return 0;
    }
    Py_ssize_t n = read_seq(c, route, seq, MAX_STOPS);
    if (n < 0) return -1;
    int emptied = 0;
    if (memo_route(&c->memo, v, seq, n, id, &emptied)) {
        PyErr_NoMemory();
        return -1;
    }
    if (emptied) {
        /* as recreate._forget: no table keeps an entry, not even those of this move */
        forget_slots(c);
        for (Py_ssize_t u = 0; u < c->nvans; u++) c->known[u].table = 0;
    }
    PyObject *old = routes[1];
    routes[1] = routes[0];
    ids[1] = ids[0];
    routes[0] = Py_NewRef(route);
    ids[0] = *id;
    Py_XDECREF(old);
    return 0;
}

/* live(routes): the routes of the plan to recreate next; their memo tables (recreate._table
 * each). */
static PyObject *core_live(Core *c, PyObject *args) {
    PyObject *routes;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &routes)) return NULL;
    if (!c->live || PyList_GET_SIZE(routes) != c->nvans) {
        PyErr_SetString(PyExc_ValueError, "configure() first; one route a vehicle");
        return NULL;
    }
    for (Py_ssize_t v = 0; v < c->nvans; v++)
        if (table_of(c, v, PyList_GET_ITEM(routes, v), &c->live[v])) return NULL;
    Py_RETURN_NONE;
}

/* memo(): {(vehicle, route tuple): {job: (extra, position)}}, the entries of the routes in
 * the memo (for tests: each must be what a fresh scan finds). */
static PyObject *core_memo(Core *c, PyObject *Py_UNUSED(ignored)) {
    PyObject *out = PyDict_New(), *by_id = PyDict_New();
    int bad = !out || !by_id;
    for (size_t i = 0; !bad && i < c->memo.rcap; i++) {
        RouteSlot *s = &c->memo.routes[i];
        if (!s->hash) continue;
        PyObject *seq = PyTuple_New(s->n);
        bad = !seq;
        for (uint32_t k = 0; !bad && k < s->n; k++) {
            PyObject *job = PyLong_FromLongLong(c->memo.stops[s->off + k]);
            bad = !job;
            PyTuple_SET_ITEM(seq, k, job);
        }
        if (bad) Py_CLEAR(seq);
        PyObject *key = bad ? NULL : Py_BuildValue("(nN)", s->v, seq);
        PyObject *table = PyDict_New(), *id = PyLong_FromUnsignedLong(s->id);
        bad = !key || !table || !id || PyDict_SetItem(out, key, table) ||
              PyDict_SetItem(by_id, id, table);
        Py_XDECREF(key);
        Py_XDECREF(table);
        Py_XDECREF(id);
    }
    for (size_t i = 0; !bad && i < c->memo.ecap; i++) {
        EntrySlot *e = &c->memo.entries[i];
        if (!e->key) continue;
        PyObject *id = PyLong_FromUnsignedLong((unsigned long)(e->key >> 32));
        PyObject *table = id ? PyDict_GetItemWithError(by_id, id) : NULL;
        Py_XDECREF(id);
        if (!table) {
            bad = PyErr_Occurred() != NULL;
            continue; /* an entry of a route's table from before the memo was emptied */
        }
        PyObject *job = PyLong_FromUnsignedLong((unsigned long)(e->key & 0xffffffffu));
        PyObject *value = Py_BuildValue("(LL)", (long long)e->extra, (long long)e->at);
        bad = !job || !value || PyDict_SetItem(table, job, value);
        Py_XDECREF(job);
        Py_XDECREF(value);
    }
    Py_XDECREF(by_id);
    if (bad) Py_CLEAR(out);
    return out;
}

/* recreate._place: j into route o->v at o->at, and that route's memo table;
 * *total gains the change of the plan's objective (the extra cost less j's drop price). */
static int place_in(Core *c, const Plan *p, PyObject *unassigned, i64 j, const Option *o,
                    i64 *total) {
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
    if (table_of(c, (Py_ssize_t)o->v, route, &c->live[o->v])) return -1;
    *total += o->extra - c->drop[j];
    return 0;
}

/* greedy(routes, costs, unassigned, order, allowed): recreate._greedy's loop; each job of
 * order (in that order) goes where it costs least if that beats its drop price
 * (recreate._place). The change of the objective. */
static PyObject *core_greedy(Core *c, PyObject *args) {
    PyObject *routes, *costs, *unassigned, *order, *allowed;
    if (!PyArg_ParseTuple(args, "OOO!O!O!", &routes, &costs, &PySet_Type, &unassigned,
                          &PyList_Type, &order, &PyList_Type, &allowed))
        return NULL;
    i64 total = 0;
    Plan p;
    if (plan_of(c, routes, costs, &p)) return NULL;
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
        Option best;
        int have = cheapest(c, &p, j, vans, &best);
        if (have < 0) return NULL;
        if (!have || best.extra >= c->drop[j]) continue;
        if (place_in(c, &p, unassigned, j, &best, &total)) return NULL;
    }
    return PyLong_FromLongLong(total);
}

#endif
