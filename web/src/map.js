// The OpenLayers map: view in Web Mercator or CGCS2000, base maps and overlays as WMTS
// tiles from this server, scale bar. Switching the projection swaps every tile source to
// the matching tile matrix set and keeps the place and scale on screen.
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import TileLayer from 'ol/layer/Tile.js';
import { defaults as defaultControls } from 'ol/control/defaults.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import { getPointResolution, transformExtent } from 'ol/proj.js';
import { fromLonLat, toLonLat } from './projections.js';
import { wmtsSource, TILE_MATRIX_SETS, tileGrid } from './tiles.js';

export class WebMap {
  constructor(target, { projection = 'EPSG:3857', home }) {
    this.projection = projection;
    this.home = home;
    this.base = new TileLayer({ className: 'base-layer', zIndex: 0 });
    this.overlays = new globalThis.Map(); // layer name -> TileLayer
    this.map = new Map({
      target,
      layers: [this.base],
      controls: defaultControls({ rotate: false, attribution: false }).extend([
        new ScaleLine({ bar: true, steps: 2, text: false, minWidth: 90 }),
      ]),
      view: this.makeView(projection),
    });
    this.fitHome();
  }

  makeView(projection) {
    const grid = tileGrid(TILE_MATRIX_SETS[projection]);
    return new View({
      projection,
      resolutions: grid.getResolutions(),
      constrainResolution: false,
      showFullExtent: true,
    });
  }

  fitHome() {
    const extent = transformExtent(this.home, 'EPSG:4490', this.projection);
    this.map.getView().fit(extent, { size: this.map.getSize() || [800, 600], padding: [20, 20, 20, 20] });
  }

  /** Centre (CGCS2000 lon/lat) and resolution in metres per pixel, for links and switching. */
  getPlace() {
    const view = this.map.getView();
    const center = view.getCenter();
    const metres = getPointResolution(this.projection, view.getResolution(), center, 'm');
    return { lonLat: toLonLat(center, this.projection), metres, zoom: view.getZoom() };
  }

  /** A CGCS2000 lon/lat in the view's projection. */
  fromLonLat(lonLat) {
    return fromLonLat(lonLat, this.projection);
  }

  setPlace(lonLat, zoom) {
    const view = this.map.getView();
    view.setCenter(fromLonLat(lonLat, this.projection));
    view.setZoom(zoom);
  }

  /** Centre on ``position`` (view coordinates), closer in to ``metres`` per pixel if further out. */
  zoomTo(position, metres) {
    const view = this.map.getView();
    const unitsPerMetre = 1 / getPointResolution(this.projection, 1, position, 'm');
    const resolution = Math.min(view.getResolution(), metres * unitsPerMetre);
    view.animate({ center: position, resolution, duration: 300 });
  }

  setProjection(projection) {
    if (projection === this.projection) return;
    const { lonLat, metres } = this.getPlace();
    this.projection = projection;
    const view = this.makeView(projection);
    const center = fromLonLat(lonLat, projection);
    const unitsPerMetre = 1 / getPointResolution(projection, 1, center, 'm');
    view.setCenter(center);
    view.setResolution(metres * unitsPerMetre);
    this.map.setView(view);
    for (const layer of [this.base, ...this.overlays.values()]) {
      const wmts = layer.get('wmts');
      if (wmts) layer.setSource(wmtsSource(wmts.layer, wmts.style, projection));
    }
  }

  /** Show ``basemap`` ({layer, style}) under the overlays, or nothing for null. */
  setBase(basemap) {
    this.base.set('wmts', basemap);
    this.base.setSource(basemap ? wmtsSource(basemap.layer, basemap.style, this.projection) : null);
  }

  /** Turn an overlay on or off; ``order`` stacks the later ones on top. */
  setOverlay(name, style, on, { opacity = 1, order = 0 } = {}) {
    let layer = this.overlays.get(name);
    if (!on) {
      if (layer) this.map.removeLayer(layer);
      this.overlays.delete(name);
      return;
    }
    if (!layer) {
      layer = new TileLayer({ opacity, zIndex: 10 + order });
      layer.set('wmts', { layer: name, style });
      layer.setSource(wmtsSource(name, style, this.projection));
      this.overlays.set(name, layer);
      this.map.addLayer(layer);
    }
  }

  setOpacity(name, opacity) {
    this.overlays.get(name)?.setOpacity(opacity);
  }

  /** Names of the overlays shown, bottom first. */
  shownOverlays() {
    return [...this.overlays.entries()]
      .sort((a, b) => a[1].getZIndex() - b[1].getZIndex())
      .map(([name]) => name);
  }
}
