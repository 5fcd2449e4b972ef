// The session page: a form with data-confirm asks before it is sent (submitting
// scores is final), and an element with data-refresh reloads itself from that URL
// every data-every seconds (the chair's disagreement view, live as scores arrive).
"use strict";

(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  document.querySelectorAll("[data-refresh]").forEach(function (part) {
    const every = 1000 * (Number(part.dataset.every) || 5);
    async function refresh() {
      if (document.hidden) return;
      try {
        const answer = await fetch(part.dataset.refresh, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        });
        if (answer.ok) part.innerHTML = await answer.text();
      } catch (error) {
        // Offline for a moment: the next refresh tries again.
      }
    }
    window.setInterval(refresh, every);
  });
})();
