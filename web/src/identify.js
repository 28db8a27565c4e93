// Click on the map: ask about the layers on at that point and show what the server answers.
// Vector layers are asked through OGC API Features (items in a small box around the click,
// with geometries to outline); raster layers and base-map groups through WMS
// GetFeatureInfo (JSON). Attributes a grant hides are not in the answers, and the popup
// shows only what is there.
import GeoJSON from 'ol/format/GeoJSON.js';
import Draw from 'ol/interaction/Draw.js';
import { h } from './dom.js';
import { t, layerTitle } from './i18n.js';
import { toLonLat } from './projections.js';

const TOLERANCE = 6; // pixels around the click that count as a hit
const GFI_PIXELS = 101; // the GetFeatureInfo window around the click
const FEATURE_COUNT = 5;

export class Identify {
  /**
   * ``queryLayers()`` gives {features: [vector layer names], info: [WMS layer names]}, top
   * first; ``catalog`` maps names to catalog entries; ``highlight`` is a vector layer.
   */
  constructor(webmap, { endpoints, popup, highlight, queryLayers, catalog }) {
    Object.assign(this, { webmap, endpoints, popup, highlight, queryLayers, catalog });
    this.clicks = 0;
    webmap.map.on('singleclick', (event) => {
      // A click while measuring or drawing an area adds a point; it asks nothing.
      const drawing = webmap.map.getInteractions().getArray().some((i) => i instanceof Draw);
      if (!drawing) this.at(event.coordinate);
    });
    popup.onClose = () => highlight.getSource().clear();
  }

  /** OGC API Features items of ``layer`` within the click tolerance (CRS84 ≈ CGCS2000). */
  itemsUrl(layer, coordinate) {
    const r = this.webmap.map.getView().getResolution() * TOLERANCE;
    const [x, y] = coordinate;
    const [west, south] = toLonLat([x - r, y - r], this.webmap.projection);
    const [east, north] = toLonLat([x + r, y + r], this.webmap.projection);
    return `/ogcapi/collections/${encodeURIComponent(layer)}/items?${new URLSearchParams({
      f: 'json', limit: FEATURE_COUNT, bbox: [west, south, east, north].map((v) => v.toFixed(7)).join(','),
    })}`;
  }

  /** WMS 1.1.1 GetFeatureInfo (x/y order for every SRS, so no axis flip for EPSG:4490). */
  infoUrl(layers, coordinate) {
    const view = this.webmap.map.getView();
    const half = (view.getResolution() * GFI_PIXELS) / 2;
    const [x, y] = coordinate;
    const centre = (GFI_PIXELS - 1) / 2;
    return this.endpoints.owsUrl({
      SERVICE: 'WMS', VERSION: '1.1.1', REQUEST: 'GetFeatureInfo',
      LAYERS: layers.join(','), QUERY_LAYERS: layers.join(','), STYLES: '',
      SRS: view.getProjection().getCode(), BBOX: [x - half, y - half, x + half, y + half].join(','),
      WIDTH: GFI_PIXELS, HEIGHT: GFI_PIXELS, X: centre, Y: centre,
      INFO_FORMAT: 'application/json', FEATURE_COUNT,
    });
  }

  async at(coordinate) {
    const { features = [], info = [] } = this.queryLayers();
    const asks = [];
    if (this.endpoints.has('ogcapi')) {
      for (const layer of features) {
        asks.push(this.fetchJson(this.itemsUrl(layer, coordinate))
          .then((answer) => answer.features.map((f) => ({ ...f, layer }))));
      }
    }
    if (info.length && this.endpoints.has('WMS')) {
      asks.push(this.fetchJson(this.infoUrl(info, coordinate)).then((a) => topFirst(a.features)));
    }
    if (!asks.length) return;
    const click = ++this.clicks;
    const answers = await Promise.allSettled(asks);
    if (click !== this.clicks) return; // a newer click is being answered
    const found = unique(answers.filter((a) => a.status === 'fulfilled').flatMap((a) => a.value));
    if (!found.length && answers.some((a) => a.status === 'rejected')) {
      this.popup.show(coordinate, h('p', { class: 'error' }, t('identifyFailed')));
      return;
    }
    this.show(coordinate, found);
  }

  async fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  show(coordinate, features) {
    const source = this.highlight.getSource();
    source.clear();
    if (!features.length) {
      this.popup.show(coordinate, h('p', { class: 'nothing' }, t('identifyNothing')));
      return;
    }
    // OGC API answers in CRS84, which CGCS2000 matches to well under a metre.
    const format = new GeoJSON({ featureProjection: this.webmap.projection, dataProjection: 'EPSG:4326' });
    for (const feature of features) {
      if (feature.geometry) source.addFeature(format.readFeature({ ...feature, id: undefined }));
    }
    this.popup.show(coordinate, h('div', { class: 'identify' }, features.map((f) => this.card(f))));
  }

  card(feature) {
    const name = feature.layer;
    const layer = this.catalog.get(name);
    // Only the attributes in the answer are shown; the catalog merely gives their labels.
    const labels = new Map((layer?.fields || []).map((f) => [f.name, f.title || f.name]));
    const rows = Object.entries(feature.properties || {})
      .filter(([, value]) => value !== null && value !== '')
      .map(([key, value]) => h('tr', {},
        h('th', {}, labels.get(key) || key), h('td', {}, formatValue(value))));
    return h('section', { class: 'feature', dataset: { layer: name } },
      h('h3', {}, layer ? layerTitle(layer) : name),
      h('table', {}, h('tbody', {}, rows)));
  }
}

/** GetFeatureInfo lists a group's layers bottom first; the popup reads top down. */
function topFirst(features) {
  const order = [...new Set(features.map((f) => f.layer))].reverse();
  return order.flatMap((layer) => features.filter((f) => f.layer === layer));
}

/** A feature found both as an overlay and in a base-map group is shown once. */
function unique(features) {
  const seen = new Set();
  return features.filter((f) => {
    const id = String(f.id ?? '');
    const key = id.startsWith(`${f.layer}.`) ? id : `${f.layer}.${id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function formatValue(value) {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
