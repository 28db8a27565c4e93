// CGCS2000 (EPSG:4490) and its 3-degree Gauss-Kruger zone at 120°E (EPSG:4549), the
// demo city's local grid, registered with OpenLayers through proj4. Definitions as in
// the EPSG registry; kept here so the page never looks a CRS up elsewhere.
import proj4 from 'proj4';
import { get as getProjection, transform } from 'ol/proj.js';
import { register } from 'ol/proj/proj4.js';

proj4.defs('EPSG:4490', '+proj=longlat +ellps=GRS80 +no_defs +type=crs');
proj4.defs(
  'EPSG:4549',
  '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs',
);
register(proj4);

const cgcs2000 = getProjection('EPSG:4490');
cgcs2000.setExtent([-180, -90, 180, 90]);
cgcs2000.setWorldExtent([-180, -90, 180, 90]);
cgcs2000.setGlobal(true);

/** The view projections the user can switch between. */
export const VIEW_PROJECTIONS = ['EPSG:3857', 'EPSG:4490'];

/** A coordinate of the view projection ``from`` as CGCS2000 longitude/latitude. */
export function toLonLat(coordinate, from) {
  return transform(coordinate, from, 'EPSG:4490');
}

export function fromLonLat(lonLat, to) {
  return transform(lonLat, 'EPSG:4490', to);
}

/** A coordinate as EPSG:4549 easting/northing. */
export function toGaussKruger(coordinate, from) {
  return transform(coordinate, from, 'EPSG:4549');
}
