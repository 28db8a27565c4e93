// The coordinates under the cursor: CGCS2000 longitude/latitude for everyone, and the
// local Gauss-Kruger grid (EPSG:4549, X northing / Y easting as surveyors write them) for
// logged-in government users.
import { h } from './dom.js';
import { t } from './i18n.js';
import { toGaussKruger, toLonLat } from './projections.js';

export function coordinatesBar(webmap, { showGrid }) {
  const lonLat = h('span', { class: 'lonlat' });
  const grid = showGrid ? h('span', { class: 'grid', title: t('gridLabel') }) : null;
  const bar = h('div', { class: 'coordinates', 'aria-label': t('coordinates') },
    h('span', { class: 'crs' }, 'CGCS2000'), lonLat, grid);
  webmap.map.on('pointermove', (event) => {
    if (event.dragging) return;
    const [lon, lat] = toLonLat(event.coordinate, webmap.projection);
    lonLat.textContent = `${lon.toFixed(6)}°E ${lat.toFixed(6)}°N`;
    if (grid) {
      const [easting, northing] = toGaussKruger(event.coordinate, webmap.projection);
      grid.textContent = `X ${northing.toFixed(2)}  Y ${easting.toFixed(2)}`;
    }
  });
  return bar;
}
