/* The neighbourhood map: markers for the places of the list before it.
   Progressive enhancement only: without JavaScript the list says everything.
   No tiles and no other origin: a plain background (see site.css). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("neighbourhood-map");
    var list = box && document.getElementById(box.getAttribute("data-list"));
    if (!box || !list || !window.L) {
      return;
    }
    var items = list.querySelectorAll("li[data-lat][data-lng]");
    var bounds = [];
    box.classList.add("map-ready");
    var map = window.L.map(box, { scrollWheelZoom: false, attributionControl: false });
    Array.prototype.forEach.call(items, function (item) {
      var lat = parseFloat(item.getAttribute("data-lat"));
      var lng = parseFloat(item.getAttribute("data-lng"));
      var link = item.querySelector("a");
      if (isNaN(lat) || isNaN(lng) || !link) {
        return;
      }
      var label = link.textContent;
      var popup = document.createElement("a");
      popup.href = link.href;
      popup.textContent = label;
      window.L.marker([lat, lng], { alt: label, title: label }).addTo(map).bindPopup(popup);
      bounds.push([lat, lng]);
    });
    if (!bounds.length) {
      box.classList.remove("map-ready");
      return;
    }
    map.fitBounds(bounds, { padding: [40, 40], maxZoom: 16 });
  });
})();
