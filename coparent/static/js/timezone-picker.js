// The time-zone field: set from this device's zone (Intl API) on sign-up, offered as a
// suggestion in account settings, and a search box that narrows the long list. Without script
// the page keeps the plain select grouped by region; the server checks the zone either way.
(function () {
  "use strict";
  // The page gives its texts, translated, as data-* attributes of this script's tag; "{zone}"
  // and "{count}" in them are filled in here. The English stays as the fallback.
  const script = document.currentScript;
  function text(key, fallback, values) {
    let found = (script && script.dataset[key]) || fallback;
    Object.keys(values || {}).forEach(function (name) {
      found = found.split("{" + name + "}").join(values[name]);
    });
    return found;
  }

  function deviceZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function fold(text) {
    return text.toLowerCase().replace(/[_/]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function optionFor(select, zone) {
    return Array.prototype.find.call(select.options, function (option) {
      return option.value === zone;
    });
  }

  function setUp(select) {
    const mode = select.dataset.timezone;
    const field = select.closest(".field") || select.parentNode;
    const zone = deviceZone();
    const status = document.createElement("p");
    status.className = "help";
    status.id = select.id + "_detected";
    status.setAttribute("aria-live", "polite");

    // The full list, kept aside: options are removed from the select while searching because
    // hidden options still show in some phones' pickers.
    const original = Array.prototype.map.call(select.children, function (node) {
      return node.cloneNode(true);
    });

    if (zone && zone !== "Etc/Unknown" && !optionFor(select, zone)) {
      const extra = document.createElement("option");
      extra.value = zone;
      extra.textContent = zone.replace(/_/g, " ");
      select.insertBefore(extra, select.options[1] || null);
      original.splice(1, 0, extra.cloneNode(true));
    }
    // Two parts: what the device said, and what the search found.
    const told = document.createElement("span");
    const found = document.createElement("span");
    status.appendChild(told);
    status.appendChild(found);
    if (zone && zone !== "Etc/Unknown") {
      const shown = zone.replace(/_/g, " ");
      if (mode === "fill" && !select.value) {
        select.value = zone;
        told.textContent = text("setFromDevice", "Set from this device: {zone}. Change it if that is not where you live.", { zone: shown });
      } else if (mode === "suggest" && select.value !== zone) {
        told.textContent = text("deviceIsSet", "This device is set to {zone}.", { zone: shown }) + " ";
        const use = document.createElement("button");
        use.type = "button";
        use.className = "button small secondary";
        use.textContent = text("use", "Use {zone}", { zone: shown });
        use.addEventListener("click", function () {
          search.value = "";
          search.dispatchEvent(new Event("input"));
          select.value = zone;
          told.textContent = text("setTo", "Set to {zone}. Save to keep it.", { zone: shown });
        });
        told.appendChild(use);
      }
    }

    const label = document.createElement("label");
    label.htmlFor = select.id + "_search";
    label.textContent = text("search", "Search by city");
    const search = document.createElement("input");
    search.type = "search";
    search.id = select.id + "_search";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);
    search.placeholder = text("example", "e.g. Chicago, Berlin, Sydney");

    search.addEventListener("input", function () {
      const query = fold(search.value);
      const keep = select.value;
      select.textContent = "";
      let first = null;
      original.forEach(function (node) {
        const copy = node.cloneNode(true);
        if (copy.tagName === "OPTGROUP") {
          Array.prototype.slice.call(copy.children).forEach(function (option) {
            if (query && fold(option.value + " " + option.textContent).indexOf(query) === -1) {
              copy.removeChild(option);
            } else if (!first) {
              first = option;
            }
          });
          if (copy.children.length) select.appendChild(copy);
        } else if (!query || (copy.value && fold(copy.value).indexOf(query) !== -1)) {
          select.appendChild(copy);
          if (copy.value && !first) first = copy;
        }
      });
      if (keep && optionFor(select, keep)) {
        select.value = keep;
      } else if (query && first) {
        select.value = first.value;
      }
      const count = select.querySelectorAll("option[value]:not([value=''])").length;
      found.textContent = query ? " " + (count ? text("matching", "{count} matching; pick yours in the list.", { count: count }) : text("noMatch", "No zone matches; try a bigger city nearby.")) : "";
    });

    const searchField = document.createElement("div");
    searchField.className = "field timezone-search";
    searchField.appendChild(label);
    searchField.appendChild(search);
    field.parentNode.insertBefore(searchField, field);
    select.insertAdjacentElement("afterend", status);
    const described = (select.getAttribute("aria-describedby") || "") + " " + status.id;
    select.setAttribute("aria-describedby", described.trim());
  }

  document.querySelectorAll("select[data-timezone]").forEach(setUp);
})();
