// fsdispatch pages: the only script, loaded from 'self' (no inline script under the CSP).
// It follows a solve's progress over server-sent events and opens the plan when done.
"use strict";

function followJob(box) {
  const events = new EventSource(box.dataset.events);
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  const show = (job) => {
    text("status", job.status);
    const progress = job.progress || {};
    if (progress.elapsed_s !== undefined) {
      text("elapsed", Number(progress.elapsed_s).toFixed(1));
      document.getElementById("bar").value = progress.elapsed_s;
    }
    if (progress.best_objective != null) text("objective", progress.best_objective);
  };
  events.addEventListener("progress", (e) => show(JSON.parse(e.data)));
  events.addEventListener("done", (e) => {
    events.close();
    const job = JSON.parse(e.data);
    show(job);
    if (job.plan_id) {
      window.location.assign(box.dataset.planBase + job.plan_id);
    } else {
      text("failure", job.failure_reason || job.status);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("progress");
  if (box) followJob(box);
});
