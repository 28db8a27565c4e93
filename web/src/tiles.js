// Tile grids built from the server's own tile matrix set files (services/tiles/*.json),
// bundled at build time, so the map asks for exactly the tiles WMTS and OGC API serve.
import WMTSTileGrid from 'ol/tilegrid/WMTS.js';
import TileImage from 'ol/source/TileImage.js';
import WebMercatorQuad from '../../services/tiles/WebMercatorQuad.json';
import CGCS2000Quad from '../../services/tiles/CGCS2000Quad.json';

/** The tile matrix set of each view projection. */
export const TILE_MATRIX_SETS = { 'EPSG:3857': WebMercatorQuad, 'EPSG:4490': CGCS2000Quad };

const grids = new Map();

/** The WMTS tile grid of a 2D-TMS document. */
export function tileGrid(tms) {
  if (!grids.has(tms.id)) {
    // 2D-TMS gives pointOfOrigin in the CRS's axis order: CGCS2000Quad is Lat, Lon.
    const yx = /^(lat|y|n)/i.test(tms.orderedAxes[0]);
    const origin = (m) => (yx ? [m.pointOfOrigin[1], m.pointOfOrigin[0]] : m.pointOfOrigin);
    const matrices = tms.tileMatrices;
    grids.set(tms.id, new WMTSTileGrid({
      origins: matrices.map(origin),
      resolutions: matrices.map((m) => m.cellSize),
      matrixIds: matrices.map((m) => m.id),
      sizes: matrices.map((m) => [m.matrixWidth, m.matrixHeight]),
      tileSizes: matrices.map((m) => [m.tileWidth, m.tileHeight]),
    }));
  }
  return grids.get(tms.id);
}

/** A tile source for one WMTS layer and style in the tile matrix set of ``projection``. */
export function wmtsSource(layer, style, projection) {
  const tms = TILE_MATRIX_SETS[projection];
  const grid = tileGrid(tms);
  const base = `/wmts/1.0.0/${encodeURIComponent(layer)}/${encodeURIComponent(style)}/${tms.id}`;
  return new TileImage({
    projection,
    tileGrid: grid,
    transition: 0,
    tileUrlFunction: ([z, x, y]) => `${base}/${grid.getMatrixId(z)}/${y}/${x}.png`,
  });
}
