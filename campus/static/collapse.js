// The one part of Bootstrap's JavaScript that Campus uses: a control with
// data-bs-toggle="collapse" folds its data-bs-target (or href) in and out, with
// Bootstrap's classes and aria-expanded: the menu on a phone. It stands in for
// bootstrap.js and Popper (80 KB); tests/functional/test_static_assets.py fails when a
// template asks for another Bootstrap component.
(function () {
  "use strict";
  var SELECTOR = '[data-bs-toggle="collapse"]';

  function seconds(value) {
    return Math.max.apply(null, String(value || "0").split(",").map(function (part) {
      return parseFloat(part) || 0;
    }));
  }

  // Call done when the element's height transition ends (at once without one, e.g.
  // for prefers-reduced-motion), and at the latest shortly after it should have.
  function afterTransition(element, done) {
    var style = window.getComputedStyle(element);
    var wait = (seconds(style.transitionDuration) + seconds(style.transitionDelay)) * 1000;
    if (!wait) { done(); return; }
    var finished = false;
    function finish(event) {
      if (finished || (event && event.target !== element)) return;
      finished = true;
      element.removeEventListener("transitionend", finish);
      done();
    }
    element.addEventListener("transitionend", finish);
    window.setTimeout(finish, wait + 50);
  }

  function show(element) {
    element.classList.remove("collapse");
    element.classList.add("collapsing");
    element.style.height = "0px";
    void element.offsetHeight; // start the transition from 0
    element.style.height = element.scrollHeight + "px";
    afterTransition(element, function () {
      element.classList.remove("collapsing");
      element.classList.add("collapse", "show");
      element.style.height = "";
    });
  }

  function hide(element) {
    element.style.height = element.getBoundingClientRect().height + "px";
    void element.offsetHeight;
    element.classList.add("collapsing");
    element.classList.remove("collapse", "show");
    element.style.height = "";
    afterTransition(element, function () {
      element.classList.remove("collapsing");
      element.classList.add("collapse");
    });
  }

  function selectorOf(trigger) {
    return trigger.getAttribute("data-bs-target") || trigger.getAttribute("href") || "";
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest ? event.target.closest(SELECTOR) : null;
    if (!trigger) return;
    if (trigger.tagName === "A") event.preventDefault();
    var selector = selectorOf(trigger);
    var targets;
    try {
      targets = document.querySelectorAll(selector);
    } catch (error) {
      return; // not a selector: nothing to fold
    }
    Array.prototype.forEach.call(targets, function (target) {
      if (target.classList.contains("collapsing")) return; // still moving
      var open = !target.classList.contains("show");
      (open ? show : hide)(target);
      document.querySelectorAll(SELECTOR).forEach(function (other) {
        if (selectorOf(other) !== selector) return;
        other.setAttribute("aria-expanded", String(open));
        other.classList.toggle("collapsed", !open);
      });
    });
  });
})();
