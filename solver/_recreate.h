/* Recreate's loops in C (included by _routecost.c, after the route scans): regret-2,
 * greedy, a job's options, the memo tables and placing a job, as solver/recreate.py does
 * them, drawing the same random numbers and breaking ties the same way.
 */
#ifndef ROUTECOST_RECREATE_H
#define ROUTECOST_RECREATE_H

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
    int bad = !pin || !drop || !keys || !known || !slot_route || !slot_table;
    if (bad) PyErr_NoMemory();
    bad = bad || read_seq_i64(pins, pin, c->nvans) || read_seq_i64(drops, drop, c->njobs);
    for (Py_ssize_t j = 0; !bad && j < c->njobs; j++) bad = !(keys[j] = PyLong_FromSsize_t(j));
    PyObject *nothing = bad ? NULL : Py_BuildValue("(ii)", 0, -1);
    if (!nothing) {
        for (Py_ssize_t j = 0; keys && j < c->njobs; j++) Py_XDECREF(keys[j]);
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
        Option best;
        int have = cheapest(c, &p, j, vans, &best);
        if (have < 0) return NULL;
        if (!have || best.extra >= c->drop[j]) continue;
        if (place_in(c, &p, unassigned, inserts, table, j, &best, &total)) return NULL;
    }
    return PyLong_FromLongLong(total);
}

#endif
