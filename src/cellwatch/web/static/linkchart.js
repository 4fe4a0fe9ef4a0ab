// Export the link chart as PNG: draw the inline SVG onto a canvas and download it.
(function () {
  var button = document.getElementById('export-png');
  var svg = document.getElementById('link-chart');
  if (!button || !svg) { return; }
  button.addEventListener('click', function () {
    var data = new XMLSerializer().serializeToString(svg);
    var img = new Image();
    img.onload = function () {
      var canvas = document.createElement('canvas');
      canvas.width = 1800; canvas.height = 1120;
      var g = canvas.getContext('2d');
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      var link = document.createElement('a');
      link.download = 'link-chart.png';
      link.href = canvas.toDataURL('image/png');
      link.click();
    };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(data);
  });
}());
