/* One move of ruin and recreate in one call (included by _routecost.c after _ruin.h):
 * RuinRecreate._ruin then Recreate.recreate, as solver/ruin.py and solver/recreate.py make
 * them with the compiled core, drawing the same random numbers in the same order. The
 * Python glue between the core's calls (the pool, the choice of recreate, the greedy
 * order, the routes tried per job) goes: 1-7 % less CPU a move on `storm` and `peak`
 * (docs/solver/ruin-and-recreate.md, session 10).
 */
#ifndef ROUTECOST_MOVE_H
#define ROUTECOST_MOVE_H

/* method(c, args) with args released after; NULL (an exception set) if args is NULL. */
static PyObject *call_with(Core *c, PyObject *(*method)(Core *, PyObject *), PyObject *args) {
    if (!args) return NULL;
    PyObject *out = method(c, args);
    Py_DECREF(args);
    return out;
}

/* Whether a call that returns None succeeded: 0, or -1 with an exception. */
static int call_done(PyObject *result) {
    Py_XDECREF(result);
    return result ? 0 : -1;
}

/* The int change a call returned added to *change; the result released. -1 on error. */
static int add_change(PyObject *result, i64 *change) {
    if (!result) return -1;
    long long got = PyLong_AsLongLong(result);
    Py_DECREF(result);
    if (got == -1 && PyErr_Occurred()) return -1;
    *change += got;
    return 0;
}

/* random(): a float in [0, 1) into *out. */
static int draw(PyObject *random, double *out) {
    PyObject *got = PyObject_CallNoArgs(random);
    *out = got ? PyFloat_AsDouble(got) : -1.0;
    Py_XDECREF(got);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

typedef struct { i64 key; Py_ssize_t at; PyObject *job; } Keyed;

static int keyed_before(const void *a, const void *b) {
    const Keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* order.sort(key=recreate._urgent.__getitem__): the highest drop price first, a stable
 * sort (ties keep their order, as list.sort does). */
static int most_urgent_first(Core *c, PyObject *order) {
    Py_ssize_t n = PyList_GET_SIZE(order);
    Keyed *items = malloc(((size_t)n + 1) * sizeof(Keyed));
    if (!items) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        i64 j;
        if (job_of(c, PyList_GET_ITEM(order, i), &j)) {
            free(items);
            return -1;
        }
        items[i] = (Keyed){-c->drop[j], i, PyList_GET_ITEM(order, i)};
    }
    qsort(items, (size_t)n, sizeof(Keyed), keyed_before);
    for (Py_ssize_t i = 0; i < n; i++) PyList_SET_ITEM(order, i, items[i].job);
    free(items);
    return 0;
}

/* recreate._greedy's order: the pool sorted, shuffled, and on half the moves the most
 * urgent first. */
static PyObject *greedy_order(Core *c, PyObject *pool, PyObject *random, PyObject *g) {
    PyObject *order = PySequence_List(pool);
    if (!order || PyList_Sort(order)) goto fail;
    double pick;
    if (call_done(call_with(c, core_shuffle, PyTuple_Pack(2, order, g))) || draw(random, &pick) || (pick < 0.5 && most_urgent_first(c, order))) goto fail;
    return order;
fail:
    Py_XDECREF(order);
    return NULL;
}

/* recreate._regret's arguments: the pool in the order Python iterates it, and the routes
 * tried for each of its jobs (allowed[j]: every route, RuinTuning.granular off). */
static PyObject *regret_call(Core *c, PyObject *plan[3], PyObject *pool, PyObject *allowed,
                             PyObject *random) {
    PyObject *order = PySequence_List(pool), *near = NULL, *out = NULL;
    Py_ssize_t n = order ? PyList_GET_SIZE(order) : 0;
    near = order ? PyList_New(n) : NULL;
    for (Py_ssize_t i = 0; near && i < n; i++) {
        i64 j;
        if (job_of(c, PyList_GET_ITEM(order, i), &j)) {
            Py_CLEAR(near);
            break;
        }
        PyList_SET_ITEM(near, i, Py_NewRef(PyList_GET_ITEM(allowed, j)));
    }
    if (near)
        out = call_with(c, core_regret,
                        PyTuple_Pack(6, plan[0], plan[1], plan[2], order, near, random));
    Py_XDECREF(order);
    Py_XDECREF(near);
    return out;
}

/* move(routes, costs, unassigned, random, getrandbits, cache, allowed, greedy_share):
 * one move on the plan (changed in place): ruin (Core.ruin), then every job left out
 * re-inserted, greedily on a share greedy_share of the moves, else by regret. The change
 * of the objective. After configure() and configure_ruin(); only for the product's
 * recreate (no granular routes, no local pool: those moves stay in Python). */
static PyObject *core_move(Core *c, PyObject *args) {
    PyObject *routes, *costs, *unassigned, *random, *g, *cache, *allowed;
    double greedy_share;
    if (!PyArg_ParseTuple(args, "O!O!O!OOO!O!d", &PyList_Type, &routes, &PyList_Type, &costs,
                          &PySet_Type, &unassigned, &random, &g, &PyDict_Type, &cache,
                          &PyList_Type, &allowed, &greedy_share))
        return NULL;
    if (PyList_GET_SIZE(allowed) != c->njobs) {
        PyErr_SetString(PyExc_ValueError, "allowed: one list of vehicles a job");
        return NULL;
    }
    i64 change = 0;
    PyObject *ruined = call_with(c, core_ruin,
                                 PyTuple_Pack(6, routes, costs, unassigned, random, g, cache));
    if (!ruined) return NULL;
    int bad = ruined != Py_None && add_change(Py_NewRef(PyTuple_GET_ITEM(ruined, 2)), &change);
    Py_DECREF(ruined);
    PyObject *pool = bad ? NULL : PySet_New(unassigned), *plan[3] = {routes, costs, unassigned};
    double pick = 0.0;
    bad = !pool || call_done(call_with(c, core_live, PyTuple_Pack(1, routes))) ||
          draw(random, &pick);
    PyObject *result = NULL;
    if (!bad && pick < greedy_share) {
        PyObject *order = greedy_order(c, pool, random, g);
        if (order)
            result = call_with(c, core_greedy,
                               PyTuple_Pack(5, routes, costs, unassigned, order, allowed));
        Py_XDECREF(order);
    } else if (!bad) {
        result = regret_call(c, plan, pool, allowed, random);
    }
    Py_XDECREF(pool);
    if (bad || add_change(result, &change)) return NULL;
    return PyLong_FromLongLong(change);
}

#endif
