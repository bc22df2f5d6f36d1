/* Recreate's regret-2 loop in C (included by _routecost.c, after _recreate.h): the pool's
 * options kept per job, the best two re-priced when stale, the largest regret placed
 * first, as solver/recreate.py's _regret, _fresh_top and _regret_of do.
 */
#ifndef ROUTECOST_REGRET_H
#define ROUTECOST_REGRET_H

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

/* regret(routes, costs, unassigned, pool, near, noise): recreate._regret. pool: the jobs
 * in the order Python iterates the pool set; near[i]: the routes tried for pool[i];
 * noise(): a random float (the regret's tie-break, one draw per regret computed). The
 * jobs whose best option beats their drop price go in by regret (recreate._place). The
 * change of the objective. */
static PyObject *core_regret(Core *c, PyObject *args) {
    PyObject *routes, *costs, *unassigned, *pool, *near, *noise;
    if (!PyArg_ParseTuple(args, "OOO!O!O!O", &routes, &costs, &PySet_Type, &unassigned,
                          &PyList_Type, &pool, &PyList_Type, &near, &noise))
        return NULL;
    i64 total = 0;
    Plan p;
    if (plan_of(c, routes, costs, &p)) return NULL;
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
        if (place_in(c, &p, unassigned, chosen->j, &o, &total)) goto out;
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

#endif
