/* Amiable widget loader: <script src="https://API/widget/embed.js" data-token="TOKEN" async></script>
   Inserts an iframe showing the widget for one debtor file; the token travels in the URL fragment. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var token = script.getAttribute("data-token") || "";
  var lang = script.getAttribute("data-lang") || "";
  var base = new URL(".", script.src);
  var frame = document.createElement("iframe");
  frame.src = new URL("index.html", base).href + "#t=" + encodeURIComponent(token) + (lang ? "&lang=" + encodeURIComponent(lang) : "");
  frame.title = script.getAttribute("data-title") || "Espace de paiement / Payment space";
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.style.width = "100%";
  frame.style.minHeight = script.getAttribute("data-height") || "720px";
  frame.style.border = "0";
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
