// The link chart: Cytoscape.js draws the graph the server embedded as JSON
// (#link-chart-data). Filters only hide what was sent; the server already kept the
// graph to the user's scope and the page's minimum probability. Without JavaScript the
// tables below the chart are the whole of it.
(function () {
  'use strict';
  var holder = document.getElementById('link-chart');
  var source = document.getElementById('link-chart-data');
  if (!holder || !source || typeof window.cytoscape !== 'function') { return; }
  var chart = JSON.parse(source.textContent);
  var show = function (id) { document.getElementById(id).hidden = false; };
  ['link-chart', 'link-chart-tools', 'link-chart-help', 'link-chart-status', 'export-png']
    .forEach(show);

  var cy = window.cytoscape({
    container: holder,
    elements: chart.elements,
    wheelSensitivity: 0.3,
    minZoom: 0.15,
    maxZoom: 4,
    style: [
      { selector: 'node[type]', style: {
        'background-color': 'data(colour)', 'shape': 'data(shape)', 'label': 'data(label)',
        'width': 26, 'height': 26, 'border-width': 1, 'border-color': '#0b0c0c',
        'font-size': 10, 'color': '#0b0c0c', 'text-valign': 'bottom', 'text-margin-y': 3,
        'text-background-color': '#ffffff', 'text-background-opacity': 0.8,
        'text-background-padding': 1 } },
      { selector: 'node[?root]', style: { 'width': 40, 'height': 40, 'border-width': 3,
        'font-weight': 'bold' } },
      { selector: 'node[?cluster]', style: {
        'background-color': '#f3f2f1', 'background-opacity': 0.6, 'border-color': '#b1b4b6',
        'border-width': 1, 'border-style': 'dashed', 'shape': 'round-rectangle',
        'label': 'data(label)', 'font-size': 9, 'color': '#505a5f', 'text-valign': 'top',
        'text-halign': 'center', 'padding': 12 } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#ffdd00' } },
      { selector: 'edge', style: {
        'width': 'mapData(count, 1, 10, 1.5, 5)', 'line-color': '#505a5f',
        'curve-style': 'bezier', 'control-point-step-size': 60, 'label': 'data(label)', 'font-size': 8,
        'color': '#0b0c0c', 'text-rotation': 'autorotate',
        'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
        'text-background-padding': 1, 'line-style': 'dotted' } },
      { selector: 'edge[kind = "attributed"]', style: { 'line-style': 'solid',
        'line-color': '#1d70b8', 'width': 'mapData(probability, 0, 1, 1, 5)' } },
      { selector: 'edge[kind = "seized together"]', style: { 'line-style': 'dashed',
        'line-color': '#d4351c' } },
      { selector: '.cw-hidden', style: { 'display': 'none' } }
    ],
    layout: { name: 'preset' }
  });
  window.cellwatchLinkChart = cy;  // for the browser tests and the console

  // Force-directed from the server's rings; a prisoner's identifiers sit in his cluster
  // (compound node), their edges short, so two steps out stays readable.
  var relayout = function () {
    cy.layout({
      name: 'cose', randomize: false, animate: false, fit: true, padding: 30,
      nodeDimensionsIncludeLabels: true, componentSpacing: 60,
      idealEdgeLength: function (edge) {
        return edge.data('kind') === 'attributed' || edge.data('kind') === 'seized together'
          ? 90 : 150;
      },
      nodeRepulsion: function () { return 400000; }, nodeOverlap: 10,
      edgeElasticity: function () { return 100; }, nestingFactor: 1.2, gravity: 1,
      numIter: 1000, initialTemp: 1000, coolingFactor: 0.99, minTemp: 1.0
    }).run();
  };
  relayout();

  var pInput = document.getElementById('filter-p');
  var pOut = document.getElementById('filter-p-value');
  var from = document.getElementById('filter-from');
  var to = document.getElementById('filter-to');
  var status = document.getElementById('link-chart-status');

  // An edge with no probability (a seizure, an identity link) is never hidden by the
  // probability filter; an edge with no dates never by the date filter.
  var edgeShown = function (edge, minP, lo, hi) {
    var p = edge.data('probability');
    if (p !== null && p !== undefined && p * 100 < minP - 1e-9) { return false; }
    var first = edge.data('first');
    var last = edge.data('last') || first;
    if (lo && last && last < lo) { return false; }
    if (hi && first && first > hi) { return false; }
    return true;
  };

  var applyFilters = function () {
    var minP = Number(pInput.value);
    pOut.textContent = minP + '%';
    var lo = from.value;
    var hi = to.value;
    cy.batch(function () {
      cy.elements().removeClass('cw-hidden');
      cy.edges().forEach(function (edge) {
        if (!edgeShown(edge, minP, lo, hi)) { edge.addClass('cw-hidden'); }
      });
      // Keep what is still joined to the centre by a shown edge.
      var root = cy.getElementById(chart.root);
      var kept = cy.collection();
      if (root.nonempty()) {
        kept = root.union(cy.elements().not('.cw-hidden').not('node[?cluster]')
          .bfs({ roots: root, directed: false }).path);
      }
      cy.nodes('[type]').forEach(function (node) {
        if (!kept.has(node)) { node.addClass('cw-hidden'); node.connectedEdges().addClass('cw-hidden'); }
      });
      cy.nodes('[?cluster]').forEach(function (group) {
        if (group.children().not('.cw-hidden').empty()) { group.addClass('cw-hidden'); }
      });
    });
    var nodes = cy.nodes('[type]');
    var edges = cy.edges();
    status.textContent = 'Showing ' + nodes.not('.cw-hidden').length + ' of ' + nodes.length +
      ' nodes and ' + edges.not('.cw-hidden').length + ' of ' + edges.length + ' links.';
  };
  [pInput, from, to].forEach(function (input) {
    input.addEventListener('input', applyFilters);
    input.addEventListener('change', applyFilters);
  });
  applyFilters();

  document.getElementById('chart-fit').addEventListener('click', function () { cy.fit(undefined, 30); });
  document.getElementById('chart-layout').addEventListener('click', relayout);

  // Expand: a node's own chart, at the same depth and minimum probability.
  var chartOf = function (node) {
    return '/link/' + encodeURIComponent(node.data('type')) + '/' +
      encodeURIComponent(node.data('value')) + '?depth=' + chart.depth + '&min_p=' + chart.min_p;
  };
  var recordOf = function (node) {
    return node.data('type') === 'PRISONER'
      ? '/prisoners/' + encodeURIComponent(node.data('value'))
      : '/identifiers/' + encodeURIComponent(node.data('type')) + '/' + encodeURIComponent(node.data('value'));
  };
  var selected = document.getElementById('link-chart-selected');
  var link = function (href, text) {
    var a = document.createElement('a');
    a.className = 'govuk-link';
    a.href = href;
    a.textContent = text;  // text, never markup: identifiers are untrusted
    return a;
  };
  cy.on('tap', 'node[type]', function (event) {
    var node = event.target;
    selected.replaceChildren(
      document.createTextNode(node.data('kind') + ' ' + node.data('value') + ' (' +
        node.connectedEdges().not('.cw-hidden').length + ' links shown). '),
      link(chartOf(node), 'Expand: open its chart'), document.createTextNode(' · '),
      link(recordOf(node), 'Open its record'));
    selected.hidden = false;
  });
  cy.on('dbltap', 'node[type]', function (event) {
    window.location.assign(chartOf(event.target));
  });

  // PNG: Cytoscape renders the whole graph (what is shown) at twice the screen's scale.
  var pngLink = document.getElementById('png-download');
  document.getElementById('export-png').addEventListener('click', function () {
    pngLink.href = cy.png({ output: 'base64uri', full: true, scale: 2, bg: '#ffffff' });
    pngLink.click();
  });
}());
