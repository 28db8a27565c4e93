// CGCS2000 (EPSG:4490) and its 3-degree Gauss-Kruger zone at 120°E (EPSG:4549), the
// demo city's local grid, with proj4 doing the arithmetic. Definitions as in the EPSG
// registry, kept here so the page never looks a CRS up elsewhere.
//
// Only proj4's core and the Transverse Mercator it needs are bundled (longlat and merc are
// built in); the full package adds ~65 KB of other projections and MGRS. And only the pairs
// used here get OpenLayers transforms: ol/proj/proj4's register() would build one for every
// pair of proj4's ~130 built-in definitions (UTM zones…) at start-up.
import core from 'proj4/lib/core.js';
import defs from 'proj4/lib/defs.js';
import projections from 'proj4/lib/projections.js';
import etmerc from 'proj4/lib/projections/etmerc.js';
import Projection from 'ol/proj/Projection.js';
import { addCoordinateTransforms, addProjection, get as getProjection, transform } from 'ol/proj.js';

projections.add(etmerc);
const DEFINITIONS = {
  'EPSG:4490': '+proj=longlat +ellps=GRS80 +no_defs +type=crs',
  'EPSG:4549': '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs',
};
for (const [code, definition] of Object.entries(DEFINITIONS)) defs(code, definition);

addProjection(new Projection({
  code: 'EPSG:4490', units: 'degrees', extent: [-180, -90, 180, 90],
  worldExtent: [-180, -90, 180, 90], global: true,
}));
addProjection(new Projection({ code: 'EPSG:4549', units: 'm' }));

const PAIRS = [
  ['EPSG:4490', 'EPSG:3857'], ['EPSG:4490', 'EPSG:4326'], ['EPSG:4490', 'EPSG:4549'],
  ['EPSG:4549', 'EPSG:3857'], ['EPSG:4549', 'EPSG:4326'],
];
for (const [a, b] of PAIRS) {
  const converter = core(a, b);
  addCoordinateTransforms(getProjection(a), getProjection(b),
    (c) => converter.forward([c[0], c[1]]), (c) => converter.inverse([c[0], c[1]]));
}

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
