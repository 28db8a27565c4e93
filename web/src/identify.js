// Click on the map: ask WMS GetFeatureInfo (JSON) about the layers on at that point and
// show what the server answers. Attributes the policy hides are not in the answer, and
// the popup shows only what is there.
import GeoJSON from 'ol/format/GeoJSON.js';
import Draw from 'ol/interaction/Draw.js';
import { h } from './dom.js';
import { t, layerTitle } from './i18n.js';

const PIXELS = 101; // the GetFeatureInfo window around the click, in pixels
const FEATURE_COUNT = 5;

export class Identify {
  /**
   * ``queryLayers()`` names the layers to ask about, top first; ``catalog`` maps names to
   * catalog entries for their titles; ``highlight`` is a vector layer for the geometries.
   */
  constructor(webmap, { endpoints, popup, highlight, queryLayers, catalog }) {
    Object.assign(this, { webmap, endpoints, popup, highlight, queryLayers, catalog });
    this.controller = null;
    webmap.map.on('singleclick', (event) => {
      // A click while measuring or drawing an area adds a point; it asks nothing.
      const drawing = webmap.map.getInteractions().getArray().some((i) => i instanceof Draw);
      if (!drawing) this.at(event.coordinate);
    });
    popup.onClose = () => highlight.getSource().clear();
  }

  url(coordinate, layers) {
    const view = this.webmap.map.getView();
    const half = (view.getResolution() * PIXELS) / 2;
    const [x, y] = coordinate;
    // WMS 1.1.1 keeps x/y order for every SRS, so no axis flipping for EPSG:4490.
    return this.endpoints.owsUrl({
      SERVICE: 'WMS', VERSION: '1.1.1', REQUEST: 'GetFeatureInfo',
      LAYERS: layers.join(','), QUERY_LAYERS: layers.join(','), STYLES: '',
      SRS: view.getProjection().getCode(), BBOX: [x - half, y - half, x + half, y + half].join(','),
      WIDTH: PIXELS, HEIGHT: PIXELS, X: (PIXELS - 1) / 2, Y: (PIXELS - 1) / 2,
      INFO_FORMAT: 'application/json', FEATURE_COUNT,
    });
  }

  async at(coordinate) {
    const layers = this.queryLayers();
    if (!layers.length || !this.endpoints.has('WMS')) return;
    this.controller?.abort();
    this.controller = new AbortController();
    let collection;
    try {
      const response = await fetch(this.url(coordinate, layers), { signal: this.controller.signal });
      if (!response.ok) throw new Error(String(response.status));
      collection = await response.json();
    } catch (error) {
      if (error.name === 'AbortError') return;
      this.popup.show(coordinate, h('p', { class: 'error' }, t('identifyFailed')));
      return;
    }
    this.show(coordinate, collection.features || []);
  }

  show(coordinate, features) {
    const source = this.highlight.getSource();
    source.clear();
    if (!features.length) {
      this.popup.show(coordinate, h('p', { class: 'nothing' }, t('identifyNothing')));
      return;
    }
    const format = new GeoJSON({ featureProjection: this.webmap.projection, dataProjection: 'EPSG:4490' });
    for (const feature of features) {
      if (feature.geometry) source.addFeature(format.readFeature(feature));
    }
    this.popup.show(coordinate, h('div', { class: 'identify' }, features.map((f) => this.card(f))));
  }

  card(feature) {
    const layer = this.catalog.get(feature.layer ?? layerOfId(feature.id));
    // Only the attributes in the answer are shown; the catalog merely gives their labels.
    const labels = new Map((layer?.fields || []).map((f) => [f.name, f.title || f.name]));
    const rows = Object.entries(feature.properties || {})
      .filter(([, value]) => value !== null && value !== '')
      .map(([name, value]) => h('tr', {},
        h('th', {}, labels.get(name) || name), h('td', {}, formatValue(value))));
    return h('section', { class: 'feature' },
      h('h3', {}, layer ? layerTitle(layer) : (feature.layer ?? layerOfId(feature.id) ?? '')),
      h('table', {}, h('tbody', {}, rows)));
  }
}

function layerOfId(id) {
  return typeof id === 'string' && id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : undefined;
}

function formatValue(value) {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
