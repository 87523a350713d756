// Relais: the menu's small behaviours. Pages work without it (the menu is
// then open and its groups are plain disclosures).
(function () {
  'use strict';
  function setup() {
    var toggle = document.querySelector('.menu-toggle');
    var nav = document.getElementById('menu-principal');
    if (toggle && nav) {
      var small = window.matchMedia('(max-width: 48rem)');
      var apply = function () {
        // Folded on small screens until asked for, always shown otherwise.
        var open = !small.matches || toggle.dataset.open === '1';
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
        nav.classList.toggle('folded', !open);
      };
      toggle.addEventListener('click', function () {
        toggle.dataset.open = toggle.dataset.open === '1' ? '0' : '1';
        apply();
      });
      if (small.addEventListener) small.addEventListener('change', apply);
      apply();
    }
    var groups = Array.prototype.slice.call(document.querySelectorAll('details.menu-group'));
    // One group open at a time; a click elsewhere or Escape closes it.
    groups.forEach(function (d) {
      d.addEventListener('toggle', function () {
        if (d.open) groups.forEach(function (o) { if (o !== d) o.open = false; });
      });
    });
    document.addEventListener('click', function (e) {
      groups.forEach(function (d) { if (d.open && !d.contains(e.target)) d.open = false; });
    });
    document.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape') return;
      groups.forEach(function (d) {
        if (d.open) { d.open = false; d.querySelector('summary').focus(); }
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
  else setup();
})();
