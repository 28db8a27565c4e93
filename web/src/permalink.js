// The view in the URL hash, so a link shows the same place, base map and layers:
//   #map=ZOOM/LON/LAT&proj=3857|4490&base=ID&layers=name,name@OPACITY%
// LON/LAT are CGCS2000 degrees whatever the view projection; ZOOM is in its tile matrix set.

export function readHash(hash = window.location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = {};
  const [zoom, lon, lat] = (params.get('map') || '').split('/').map(Number);
  if ([zoom, lon, lat].every(Number.isFinite) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    state.zoom = zoom;
    state.lonLat = [lon, lat];
  }
  const proj = params.get('proj');
  if (proj === '3857' || proj === '4490') state.projection = `EPSG:${proj}`;
  if (params.has('base')) state.base = params.get('base');
  if (params.has('layers')) {
    state.layers = params.get('layers').split(',').filter(Boolean).map((item) => {
      const [name, opacity] = item.split('@');
      const value = Number(opacity);
      return { name, opacity: opacity && Number.isFinite(value) ? Math.min(100, Math.max(0, value)) / 100 : 1 };
    });
  }
  return state;
}

export function writeHash({ zoom, lonLat, projection, base, layers }) {
  const parts = [
    `map=${zoom.toFixed(2)}/${lonLat[0].toFixed(5)}/${lonLat[1].toFixed(5)}`,
    `proj=${projection.replace('EPSG:', '')}`,
    `base=${encodeURIComponent(base)}`,
    `layers=${layers.map(({ name, opacity }) => (opacity < 1 ? `${name}@${Math.round(opacity * 100)}` : name)).join(',')}`,
  ];
  const hash = `#${parts.join('&')}`;
  if (hash !== window.location.hash) window.history.replaceState(null, '', hash);
}
