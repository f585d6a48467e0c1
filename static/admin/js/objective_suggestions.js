// Objective suggestions on the recommendation form: as a rapporteur types or pastes the text,
// the 23 objectives are ranked with a confidence; "Accept" adds the objective to the tags below,
// marked as a suggestion a person reviewed. The person still decides: nothing is saved until
// the form is.
"use strict";

(function () {
  const SHOWN_FIRST = 5;
  const WAIT_MS = 500;
  const MIN_CHARACTERS = 15;

  function ready(callback) {
    if (document.readyState !== "loading") callback();
    else document.addEventListener("DOMContentLoaded", callback);
  }

  ready(function () {
    const box = document.getElementById("objective-suggestions");
    const text = document.getElementById("id_text");
    const title = document.getElementById("id_short_title");
    if (!box || !text) return;
    const language = document.getElementById("id_language");
    // Labels come translated from the server, in the page's language.
    const gettext = (english) => {
      const keys = {
        "Objectives this text most likely concerns:": "heading",
        Accept: "accept",
        Accepted: "accepted",
        Tagged: "tagged",
        "Show all 23": "show-all",
        "Show fewer": "show-fewer",
      };
      return box.getAttribute("data-label-" + keys[english]) || english;
    };
    const csrf = document.querySelector("[name=csrfmiddlewaretoken]");
    let timer = null;
    let request = 0;
    let showAll = false;
    let last = null;

    function tagRows() {
      return Array.from(document.querySelectorAll("#objective_links-group tr.form-row"))
        .filter((row) => !row.classList.contains("empty-form") && !row.id.endsWith("-empty"));
    }

    function taggedIds() {
      return tagRows()
        .filter((row) => !(row.querySelector("input[name$='-DELETE']") || {}).checked)
        .map((row) => (row.querySelector("select[name$='-objective']") || {}).value)
        .filter(Boolean);
    }

    function hasPrimary() {
      return tagRows().some((row) => (row.querySelector("input[name$='-is_primary']") || {}).checked);
    }

    function accept(suggestion, objectiveId, button) {
      const total = document.getElementById("id_objective_links-TOTAL_FORMS");
      const add = document.querySelector("#objective_links-group .add-row a");
      if (!total || !add) return;
      const index = parseInt(total.value, 10);
      add.click();
      const select = document.getElementById("id_objective_links-" + index + "-objective");
      const source = document.getElementById("id_objective_links-" + index + "-source");
      const primary = document.getElementById("id_objective_links-" + index + "-is_primary");
      if (!select) return;
      const option = new Option(suggestion.label, objectiveId, true, true);
      select.appendChild(option);
      if (window.django && window.django.jQuery) window.django.jQuery(select).trigger("change");
      else select.dispatchEvent(new Event("change", { bubbles: true }));
      if (source) source.value = box.dataset.source;
      if (primary && !hasPrimary()) primary.checked = true;
      button.disabled = true;
      button.textContent = gettext("Accepted");
    }

    function render(data) {
      last = data;
      box.replaceChildren();
      if (!data.suggestions.length) return;
      const heading = document.createElement("p");
      heading.textContent = gettext("Objectives this text most likely concerns:");
      box.appendChild(heading);
      const list = document.createElement("ol");
      list.className = "objective-suggestion-list";
      const tagged = new Set(taggedIds());
      const shown = showAll ? data.suggestions : data.suggestions.slice(0, SHOWN_FIRST);
      for (const suggestion of shown) {
        const objectiveId = String(data.objective_ids[suggestion.number]);
        const item = document.createElement("li");
        const label = document.createElement("span");
        label.textContent = suggestion.label + " ";
        const confidence = document.createElement("span");
        confidence.className = "confidence";
        confidence.textContent = Math.round(suggestion.score * 100) + " %";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        if (tagged.has(objectiveId)) {
          button.disabled = true;
          button.textContent = gettext("Tagged");
        } else {
          button.textContent = gettext("Accept");
          button.setAttribute("aria-label", gettext("Accept") + ": " + suggestion.label);
          button.addEventListener("click", () => accept(suggestion, objectiveId, button));
        }
        item.append(label, confidence, " ", button);
        list.appendChild(item);
      }
      box.appendChild(list);
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "button";
      toggle.textContent = showAll ? gettext("Show fewer") : gettext("Show all 23");
      toggle.addEventListener("click", () => {
        showAll = !showAll;
        render(last);
      });
      box.appendChild(toggle);
    }

    function ask() {
      const words = ((title && title.value) || "") + " " + text.value;
      if (words.trim().length < MIN_CHARACTERS) return;
      const mine = ++request;
      const body = new URLSearchParams({
        short_title: (title && title.value) || "",
        text: text.value,
        language: (language && language.value) || "",
      });
      fetch(box.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      })
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          if (data && mine === request) render(data);
        })
        .catch(() => {});
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    }

    for (const field of [text, title, language]) {
      if (field) field.addEventListener("input", later);
    }
    ask();
  });
})();
